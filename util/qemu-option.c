/*
 * Parsing of "key=value,..." option strings (see include/qemu/option.h).
 */
#include "qemu/osdep.h"
#include "qemu/option.h"

static void opt_clear(gpointer p)
{
    QemuOpt *o = p;

    g_free(o->name);
    g_free(o->value);
}

QemuOpts *qemu_opts_new(void)
{
    QemuOpts *opts = g_new0(QemuOpts, 1);

    opts->opts = g_array_new(FALSE, TRUE, sizeof(QemuOpt));
    g_array_set_clear_func(opts->opts, opt_clear);
    return opts;
}

void qemu_opts_free(QemuOpts *opts)
{
    if (opts) {
        g_array_free(opts->opts, TRUE);
        g_free(opts);
    }
}

void qemu_opt_set(QemuOpts *opts, const char *name, const char *value)
{
    QemuOpt o = { g_strdup(name), g_strdup(value) };

    g_array_append_val(opts->opts, o);
}

const char *qemu_opt_get(const QemuOpts *opts, const char *name)
{
    for (guint i = opts->opts->len; i > 0; i--) {
        const QemuOpt *o = &g_array_index(opts->opts, QemuOpt, i - 1);

        if (!strcmp(o->name, name)) {
            return o->value;
        }
    }
    return NULL;
}

char *qemu_opt_take(QemuOpts *opts, const char *name)
{
    char *value = g_strdup(qemu_opt_get(opts, name));

    for (guint i = opts->opts->len; i > 0; i--) {
        if (!strcmp(g_array_index(opts->opts, QemuOpt, i - 1).name, name)) {
            g_array_remove_index(opts->opts, i - 1);
        }
    }
    return value;
}

/*
 * Copy one element of @p up to an unescaped @stop character (or the end),
 * turning ",," into ",".  Returns the position after the element.
 */
static const char *get_token(const char *p, char stop, GString *out)
{
    for (; *p; p++) {
        if (*p == ',') {
            if (p[1] != ',') {
                break;
            }
            p++;
        } else if (*p == stop) {
            break;
        }
        g_string_append_c(out, *p);
    }
    return p;
}

QemuOpts *qemu_opts_parse(const char *str, const char *implied_key,
                          Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_new();
    const char *p = str;
    bool first = true;

    while (*p) {
        g_autoptr(GString) name = g_string_new(NULL);
        g_autoptr(GString) value = g_string_new(NULL);

        p = get_token(p, '=', name);
        if (*p == '=') {
            p = get_token(p + 1, 0, value);
            if (!name->len) {
                error_setg(errp, "Invalid parameter ''");
                return NULL;
            }
            qemu_opt_set(opts, name->str, value->str);
        } else if (first && implied_key) {
            qemu_opt_set(opts, implied_key, name->str);
        } else if (!name->len) {
            error_setg(errp, "Invalid parameter ''");
            return NULL;
        } else {
            qemu_opt_set(opts, name->str, "on");
        }
        first = false;
        if (*p == ',') {
            p++;
            if (!*p) {
                error_setg(errp, "Invalid parameter ''");
                return NULL;
            }
        }
    }
    return g_steal_pointer(&opts);
}
