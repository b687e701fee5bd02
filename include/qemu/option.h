/*
 * Option strings as QEMU's command line writes them:
 * "value,key=value,key=value".  A literal comma is written ",,".
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include "qapi/error.h"

typedef struct QemuOpt {
    char *name;
    char *value;
} QemuOpt;

typedef struct QemuOpts {
    GArray *opts;               /* of QemuOpt, in command-line order */
} QemuOpts;

/*
 * Parse @str.  A first element without '=' is the value of @implied_key
 * (e.g. "driver" for -device); with @implied_key NULL it is an error.
 * Other elements without '=' mean "name=on", as in QEMU.
 */
QemuOpts *qemu_opts_parse(const char *str, const char *implied_key,
                          Error **errp);
QemuOpts *qemu_opts_new(void);
void qemu_opt_set(QemuOpts *opts, const char *name, const char *value);
/* Value of the last @name, or NULL. */
const char *qemu_opt_get(const QemuOpts *opts, const char *name);
/* Remove every @name; returns the value of the last one (caller frees). */
char *qemu_opt_take(QemuOpts *opts, const char *name);
void qemu_opts_free(QemuOpts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuOpts, qemu_opts_free)

#endif
