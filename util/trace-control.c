/*
 * Trace event registry and log backend (see include/qemu/trace-control.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/trace-control.h"
#include "qemu/option.h"

static GPtrArray *trace_groups;   /* of TraceEvent ** (NULL-terminated) */
static FILE *log_file;

void trace_event_register_group(TraceEvent **events)
{
    if (!trace_groups) {
        trace_groups = g_ptr_array_new();
    }
    g_ptr_array_add(trace_groups, events);
}

void trace_event_foreach(void (*fn)(TraceEvent *ev, void *opaque),
                         void *opaque)
{
    for (guint i = 0; trace_groups && i < trace_groups->len; i++) {
        TraceEvent **ev = g_ptr_array_index(trace_groups, i);

        for (; *ev; ev++) {
            fn(*ev, opaque);
        }
    }
}

bool trace_pattern_match(const char *pattern, const char *name)
{
    return g_pattern_match_simple(pattern, name);
}

typedef struct FindArgs {
    const char *name;
    TraceEvent *found;
} FindArgs;

static void find_one(TraceEvent *ev, void *opaque)
{
    FindArgs *args = opaque;

    if (!args->found && !strcmp(ev->name, args->name)) {
        args->found = ev;
    }
}

TraceEvent *trace_event_find(const char *name)
{
    FindArgs args = { .name = name };

    trace_event_foreach(find_one, &args);
    return args.found;
}

bool trace_event_get_state(const TraceEvent *ev)
{
    return *ev->dstate != 0;
}

void trace_event_set_state(TraceEvent *ev, bool enabled)
{
    *ev->dstate = enabled;
}

typedef struct EnableArgs {
    const char *pattern;
    bool enable;
    int matched;
} EnableArgs;

static void enable_one(TraceEvent *ev, void *opaque)
{
    EnableArgs *args = opaque;

    if (trace_pattern_match(args->pattern, ev->name)) {
        trace_event_set_state(ev, args->enable);
        args->matched++;
    }
}

int trace_enable_events(const char *pattern)
{
    EnableArgs args = { .pattern = pattern, .enable = true };

    if (pattern[0] == '-') {
        args.pattern = pattern + 1;
        args.enable = false;
    }
    trace_event_foreach(enable_one, &args);
    return args.matched;
}

bool trace_init_events_file(const char *file, Error **errp)
{
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GError) gerr = NULL;

    if (!g_file_get_contents(file, &contents, NULL, &gerr)) {
        error_setg(errp, "cannot read trace events file '%s': %s",
                   file, gerr->message);
        return false;
    }
    lines = g_strsplit(contents, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        if (**l && **l != '#') {
            trace_enable_events(*l);
        }
    }
    return true;
}

bool qemu_set_log_filename(const char *filename, Error **errp)
{
    FILE *f = NULL;

    if (filename) {
        f = fopen(filename, "a");
        if (!f) {
            error_setg_errno(errp, errno, "cannot open log file '%s'",
                             filename);
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    return true;
}

void trace_log_event(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
}

bool trace_opt_parse(const char *optarg, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_parse(optarg, "enable", errp);

    if (!opts) {
        return false;
    }
    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *o = &g_array_index(opts->opts, QemuOpt, i);

        if (!strcmp(o->name, "enable")) {
            trace_enable_events(o->value);
        } else if (!strcmp(o->name, "events")) {
            if (!trace_init_events_file(o->value, errp)) {
                return false;
            }
        } else if (!strcmp(o->name, "file")) {
            if (!qemu_set_log_filename(o->value, errp)) {
                return false;
            }
        } else {
            error_setg(errp, "Invalid parameter '%s'", o->name);
            return false;
        }
    }
    return true;
}
