/*
 * The model benchmarks.  Each runs in a process of its own (qemu_init()
 * builds one machine per process): bench-fault-paths re-executes itself
 * with "--case SPEC", and the child adds its results to the report.
 */
#ifndef BENCH_CASES_H
#define BENCH_CASES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define BENCH_BDF       "0000:02:00.0"

typedef struct BenchOpts {
    unsigned runs;              /* measured runs (median of these) */
    uint64_t items;             /* faults / events per run */
    bool quick;
    unsigned bind_limit_s;      /* give up binding more PASIDs after this */
} BenchOpts;

/*
 * VT-d, "@what=@n":
 *   roundtrip=0   PRQ round trip at batch 1, 16, 64, 256 (one PASID)
 *   pasids=N      round trip at batch 64 with N PASIDs bound
 *   groups=N      round trip with N groups triggered before the guest
 *                 answers, 64 PASIDs bound
 *   held=N        round trip at batch 64 over 64 PASIDs while N other
 *                 groups stay outstanding (read by the guest, unanswered)
 */
void bench_vtd_run(const BenchOpts *o, const char *what, uint32_t n);
/* SMMUv3: vEVENTQ drain at batch 1, 16, 64, 256. */
void bench_smmuv3_run(const BenchOpts *o);

/* Print to stderr and exit(1): the benchmark did not do what it claims. */
void bench_fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

#endif
