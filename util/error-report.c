/*
 * User-visible messages (see include/qemu/error-report.h).
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"

static char *progname;
static char *loc_opt, *loc_arg;
static ErrorReportSink report_sink;
static void *report_sink_opaque;

void error_set_progname(const char *name)
{
    g_free(progname);
    progname = g_path_get_basename(name);
}

const char *error_get_progname(void)
{
    return progname ? progname : "viommu-system";
}

void loc_set_option(const char *opt, const char *arg)
{
    g_free(loc_opt);
    g_free(loc_arg);
    loc_opt = g_strdup(opt);
    loc_arg = g_strdup(arg);
}

void loc_clear(void)
{
    g_clear_pointer(&loc_opt, g_free);
    g_clear_pointer(&loc_arg, g_free);
}

void error_report_set_sink(ErrorReportSink sink, void *opaque)
{
    report_sink = sink;
    report_sink_opaque = opaque;
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    g_autoptr(GString) line = g_string_new(error_get_progname());

    g_string_append(line, ": ");
    if (loc_opt) {
        g_string_append_printf(line, "%s %s: ", loc_opt,
                               loc_arg ? loc_arg : "");
    }
    if (kind) {
        g_string_append(line, kind);
    }
    g_string_append_vprintf(line, fmt, ap);

    if (report_sink) {
        report_sink(line->str, report_sink_opaque);
        return;
    }
    g_string_append_c(line, '\n');
    fputs(line->str, stderr);
    fflush(stderr);
}

void error_vreport(const char *fmt, va_list ap)
{
    vreport(NULL, fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport(NULL, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}
