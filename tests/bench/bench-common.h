/*
 * Shared pieces of the fault-path benchmarks: timing with medians,
 * counting heap allocations and read()/write() calls, and the table and
 * JSON output.  Figures are printed, never asserted.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Counters of the current process, updated by bench-common.c's wrappers. */
typedef struct BenchCounters {
    uint64_t allocs;            /* malloc/calloc/realloc calls */
    uint64_t reads;             /* read() calls on any fd */
    uint64_t writes;            /* write() calls on any fd */
} BenchCounters;

void bench_counters_get(BenchCounters *c);

int64_t bench_now_ns(void);

/* One measured case: ns per item over @runs repetitions. */
typedef struct BenchResult {
    char *name;                 /* e.g. "prq-roundtrip" */
    char *param;                /* e.g. "batch=16" */
    double ns_per_item;         /* median over runs */
    double items_per_sec;
    double reads_per_item;
    double writes_per_item;
    double allocs_per_item;
    double ratio;               /* to the floor / smallest case; 0 = n/a */
} BenchResult;

/*
 * Run @fn(@opaque, @items) @runs times (after one warm-up run) and fill
 * @res with the median ns per item and per-item counters of the median run.
 */
void bench_measure(BenchResult *res, unsigned runs, uint64_t items,
                   void (*fn)(void *opaque, uint64_t items), void *opaque);

/* Collected results, printed as a table and written as JSON. */
void bench_report_add(const BenchResult *res);
void bench_report_print(FILE *out, const char *title);
/* Write every result as a JSON array to @path; false on error. */
bool bench_report_write_json(const char *path);
/* Result by name and param, or NULL. */
BenchResult *bench_report_find(const char *name, const char *param);

#endif
