/*
 * Error reporting with Error objects, in QEMU's convention: a function that
 * can fail takes "Error **errp" as its last argument, returns false/NULL/-1
 * on failure and sets *errp with error_setg().
 *
 * Pass &error_fatal to exit(1) on error (start-up only), &error_abort for
 * "cannot fail" programming invariants, NULL to ignore.
 */
#ifndef QAPI_ERROR_H
#define QAPI_ERROR_H

typedef enum ErrorClass {
    ERROR_CLASS_GENERIC_ERROR,
    ERROR_CLASS_COMMAND_NOT_FOUND,
    ERROR_CLASS_DEVICE_NOT_FOUND,
} ErrorClass;

typedef struct Error Error;

extern Error *error_abort;
extern Error *error_fatal;

void error_setg_internal(Error **errp, const char *src, int line,
                         const char *func, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void error_setg_errno_internal(Error **errp, const char *src, int line,
                               const char *func, int os_errno,
                               const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);
void error_set_internal(Error **errp, const char *src, int line,
                        const char *func, ErrorClass err_class,
                        const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

#define error_setg(errp, fmt, ...) \
    error_setg_internal((errp), __FILE__, __LINE__, __func__, \
                        fmt, ## __VA_ARGS__)
#define error_setg_errno(errp, os_errno, fmt, ...) \
    error_setg_errno_internal((errp), __FILE__, __LINE__, __func__, \
                              (os_errno), fmt, ## __VA_ARGS__)
#define error_set(errp, cls, fmt, ...) \
    error_set_internal((errp), __FILE__, __LINE__, __func__, (cls), \
                       fmt, ## __VA_ARGS__)

const char *error_get_pretty(const Error *err);
ErrorClass error_get_class(const Error *err);
Error *error_copy(const Error *err);
void error_free(Error *err);
void error_free_or_abort(Error **errp);

/* Move @local_err into @dst_errp (freeing it if @dst_errp is NULL). */
void error_propagate(Error **dst_errp, Error *local_err);
/* Like error_propagate() but prefixes the message. */
void error_propagate_prepend(Error **dst_errp, Error *local_err,
                             const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void error_prepend(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void error_append_hint(Error **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Print "PREFIX: message" on stderr (see error_report()) and free. */
void error_report_err(Error *err);
void warn_report_err(Error *err);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Error, error_free)

#endif
