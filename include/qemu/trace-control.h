/*
 * Trace events: descriptors generated from trace-events files by
 * scripts/tracetool.py, enabled at run time by glob patterns, written by
 * the log backend to stderr or to the -D file.
 */
#ifndef QEMU_TRACE_CONTROL_H
#define QEMU_TRACE_CONTROL_H

#include "qapi/error.h"

typedef struct TraceEvent {
    const char *name;
    uint16_t *dstate;           /* non-zero when enabled */
} TraceEvent;

/* Called by each generated group at start-up; @events is NULL-terminated. */
void trace_event_register_group(TraceEvent **events);

/* Log backend: one line per event. */
void trace_log_event(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Enable the events matching @pattern (glob: '*' and '?'); a leading '-'
 * disables them instead.  Returns the number of events matched.
 */
int trace_enable_events(const char *pattern);
/* Read patterns from @file, one per line, '#' comments; false on error. */
bool trace_init_events_file(const char *file, Error **errp);
/* Handle a -trace argument: PATTERN, enable=PATTERN, events=FILE, file=FILE */
bool trace_opt_parse(const char *optarg, Error **errp);
/* Log destination for trace and -d output; NULL means stderr. */
bool qemu_set_log_filename(const char *filename, Error **errp);

TraceEvent *trace_event_find(const char *name);
bool trace_event_get_state(const TraceEvent *ev);
void trace_event_set_state(TraceEvent *ev, bool enabled);
/* Calls @fn for every registered event (used by "-trace help"). */
void trace_event_foreach(void (*fn)(TraceEvent *ev, void *opaque),
                         void *opaque);

/* Pattern matcher used above, exposed for tests. */
bool trace_pattern_match(const char *pattern, const char *name);

#endif
