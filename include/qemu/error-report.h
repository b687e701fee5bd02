/*
 * Messages for the user on stderr, prefixed as QEMU does:
 * "viommu-system: -device foo: message" while a command-line option is
 * being processed, "viommu-system: message" otherwise.
 */
#ifndef QEMU_ERROR_REPORT_H
#define QEMU_ERROR_REPORT_H

void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/*
 * Report only the first time this call site is reached; returns true when
 * it printed.  Used for host-side failures that can repeat at high rate.
 */
#define error_report_once(fmt, ...)                      \
    ({                                                   \
        static bool print_once_;                         \
        bool first_ = !print_once_;                      \
        if (first_) {                                    \
            print_once_ = true;                          \
            error_report(fmt, ##__VA_ARGS__);            \
        }                                                \
        first_;                                          \
    })

#define warn_report_once(fmt, ...)                       \
    ({                                                   \
        static bool print_once_;                         \
        bool first_ = !print_once_;                      \
        if (first_) {                                    \
            print_once_ = true;                          \
            warn_report(fmt, ##__VA_ARGS__);             \
        }                                                \
        first_;                                          \
    })

/* Program name printed before each message ("viommu-system"). */
void error_set_progname(const char *name);
const char *error_get_progname(void);

/*
 * The location being processed, printed after the program name:
 * loc_push_option("-device", "foo,bar=1") makes messages read
 * "viommu-system: -device foo,bar=1: ...".
 */
void loc_set_option(const char *opt, const char *arg);
void loc_clear(void);

/* Redirect reports (tests capture them); NULL restores stderr. */
typedef void (*ErrorReportSink)(const char *line, void *opaque);
void error_report_set_sink(ErrorReportSink sink, void *opaque);

#endif
