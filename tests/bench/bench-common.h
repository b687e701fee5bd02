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

/*
 * Counters of the current process, updated by bench-common.c's wrappers.
 *
 * Heap allocations are split by who made them: "host" ones are made
 * while the simulated kernel runs (inside a read()/write() the simulator
 * serves, or a sim_*() call bracketed with BENCH_HOST()); everything else
 * is the VMM's (models, main loop, and the in-process guest driver).  The
 * design target "no allocation per fault" is about the VMM's; a real
 * kernel allocates too, and that is not ours to count.
 */
typedef struct BenchCounters {
    uint64_t allocs;            /* malloc/calloc/realloc, VMM side */
    uint64_t host_allocs;       /* the same, inside the simulated host */
    uint64_t reads;             /* read() calls on any fd */
    uint64_t writes;            /* write() calls on any fd */
    uint64_t trigger_ns;        /* wall time inside BENCH_HOST() calls */
} BenchCounters;

void bench_counters_get(BenchCounters *c);

/*
 * Bracket calls into the simulated host (sim_trigger_fault() ...): their
 * allocations count as the host's, and their time as "trigger" time, the
 * cost of producing the records (the same with or without a model).
 */
void bench_host_enter(void);
void bench_host_leave(void);
#define BENCH_HOST(call)                                \
    ({                                                  \
        bench_host_enter();                             \
        __auto_type bench_host_ret_ = (call);           \
        bench_host_leave();                             \
        bench_host_ret_;                                \
    })

/*
 * Callgrind counting (see docs/devel/benchmarks.md): when this process
 * runs under valgrind --tool=callgrind --collect-atstart=no with
 * $BENCH_CALLGRIND_OUT naming its --callgrind-out-file, events are
 * collected only between bench_vmm_enter() and bench_vmm_leave() (minus
 * the host calls inside), and bench_measure() reads them back per case.
 */
bool bench_callgrind_active(void);
bool bench_vmm_enter(void);
void bench_vmm_leave(bool was);

int64_t bench_now_ns(void);
/* CPU time of the calling thread (user + system). */
int64_t bench_cpu_ns(void);

/* One measured case: ns per item over @runs repetitions. */
typedef struct BenchResult {
    char *name;                 /* e.g. "prq-roundtrip" */
    char *param;                /* e.g. "batch=16" */
    double ns_per_item;         /* median over runs, wall clock */
    double cpu_ns_per_item;     /* CPU time of this thread, same run */
    double trigger_ns_per_item; /* of which in BENCH_HOST(), same run */
    double items_per_sec;
    double reads_per_item;
    double writes_per_item;
    double allocs_per_item;     /* VMM side */
    double host_allocs_per_item;
    double ratio;               /* to the floor / smallest case, CPU time;
                                   0 = n/a */
    /*
     * Under callgrind (bench_callgrind_active()): the VMM's instructions
     * and L1 misses (I1 + D1 read + D1 write) per item, counted only while
     * the model runs (main loop, trapped MMIO), not the simulated host nor
     * the guest driver; 0 otherwise.
     */
    double instr_per_item;
    double l1_miss_per_item;
    unsigned fds;               /* fds open in the process after the runs */
    char *ratio_to;             /* what @ratio compares with, or NULL */
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
/*
 * Append the results of a JSON file written by bench_report_write_json()
 * (a child's); false with @errp set if it is not such a file.
 */
bool bench_report_load_json(const char *path, GError **errp);
/*
 * Results measured several times (rounds of the whole benchmark): keep,
 * for each name and param, the one with the median CPU time, in the
 * order they were first added, with the median of the rounds' ratios
 * (set them before collapsing, each against the same round's base).
 */
void bench_report_collapse_rounds(void);
/* Result by name and param, or NULL. */
BenchResult *bench_report_find(const char *name, const char *param);
/* The @k-th such result (the round @k's), else the last one, or NULL. */
BenchResult *bench_report_find_nth(const char *name, const char *param,
                                   unsigned k);
/* Which round @res is from: how many results of its case precede it. */
unsigned bench_report_round_of(const BenchResult *res);
/* Every result, in the order added. */
BenchResult *bench_report_nth(unsigned i);
unsigned bench_report_count(void);
/*
 * Set @res's ratio to @base (as "x times slower"): instructions per item
 * if both were counted by callgrind, none if only one was, else CPU ns
 * per item (wall-clock ns if either has no CPU time).
 */
void bench_set_ratio(BenchResult *res, const BenchResult *base);

#endif
