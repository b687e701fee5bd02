/*
 * The simulator floor: the same host records produced and consumed
 * through the same fds as the models do, with no model in between.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <stdbool.h>
#include <stdint.h>

/* Write a simulator config for @iommu_type and make the simulator use it. */
void bench_sim_start(const char *iommu_type, const char *bdf);
void bench_sim_stop(void);

/* Page faults: trigger, read whole groups in batches, answer SUCCESS. */
void bench_floor_faultq_setup(const char *bdf, uint32_t pasid);
void bench_floor_faultq_run(void *opaque, uint64_t items);
void bench_floor_faultq_teardown(void);

/* vEVENTs: trigger, read in batches. */
void bench_floor_veventq_setup(const char *bdf, uint32_t depth);
void bench_floor_veventq_run(void *opaque, uint64_t items);
void bench_floor_veventq_teardown(void);

/* Upstream's vEVENTQ handler: one read() per record (same setup). */
void bench_floor_veventq_1rec_run(void *opaque, uint64_t items);

/*
 * The physical limit: the same bytes through a pipe, one read() per
 * batch (and one write() of the answers for "rw").
 */
void bench_pipe_setup(void);
void bench_pipe_read_run(void *opaque, uint64_t items);
void bench_pipe_rw_run(void *opaque, uint64_t items);
void bench_pipe_teardown(void);

/*
 * Page requests over @npasids PASIDs, with our design (one FAULTQ for
 * all) or upstream's (@upstream: a FAULTQ and fd per PASID, a heap record
 * per group on a scanned list, a write() per answer).  False if this
 * process may not open that many fds.
 */
bool bench_floor_prq_setup(const char *bdf, unsigned npasids, bool upstream);
/* Leave @n groups read and unanswered (after setup, before runs). */
void bench_floor_prq_hold(unsigned n);
void bench_floor_prq_run(void *opaque, uint64_t items);
unsigned bench_floor_prq_fds(void);
void bench_floor_prq_teardown(void);

/* The batch size the floors use; set before running. */
extern unsigned bench_floor_batch;

#endif
