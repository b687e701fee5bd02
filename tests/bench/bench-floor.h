/*
 * The simulator floor: the same host records produced and consumed
 * through the same fds as the models do, with no model in between.
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

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

/* The batch size both floors use; set before running. */
extern unsigned bench_floor_batch;

#endif
