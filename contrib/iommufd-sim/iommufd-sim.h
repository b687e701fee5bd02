/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd simulator: in-process C API.
 *
 * libiommufd-sim answers /dev/iommu and VFIO cdev ioctls at the libc
 * boundary.  Out-of-process users drive it through the control socket
 * ($IOMMUFD_SIM_SOCKET, see docs/devel/iommufd-sim.rst); programs that link
 * the library (tests, benchmarks, fuzzers) can call these functions instead.
 *
 * Conventions: functions returning int give 0 (or a positive count) on
 * success and a negative errno on failure.  Every function takes the
 * simulator lock, so they are safe to call from any thread.  All of them
 * fail with -ENODEV while the simulator is inert (IOMMUFD_SIM_CONFIG unset).
 */
#ifndef IOMMUFD_SIM_H
#define IOMMUFD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pass as "pasid" for requests that carry no PASID (RID only) */
#define SIM_NO_PASID (-1)

/* Access bits; identical to enum iommu_hwpt_pgfault_perm */
#define SIM_ACCESS_READ (1u << 0)
#define SIM_ACCESS_WRITE (1u << 1)
#define SIM_ACCESS_EXEC (1u << 2)
#define SIM_ACCESS_PRIV (1u << 3)

enum sim_obj_type {
    SIM_OBJ_IOAS,
    SIM_OBJ_HWPT_PAGING,
    SIM_OBJ_HWPT_NESTED,
    SIM_OBJ_DEVICE,
    SIM_OBJ_FAULT,
    SIM_OBJ_VIOMMU,
    SIM_OBJ_VDEVICE,
    SIM_OBJ_VEVENTQ,
    SIM_OBJ_SELFTEST, /* a kernel-selftest mock device */
    SIM_OBJ_HW_QUEUE,
    SIM_OBJ_LEAKED, /* id of a force-destroyed vDEVICE */
    SIM_OBJ_NR,
};

struct sim_stats {
    unsigned int live[SIM_OBJ_NR];  /* live objects by type */
    uint64_t ioctls;                /* ioctls answered on sim fds */
    uint64_t ioctls_injected;       /* of which failed by injection */
    uint64_t fault_records;         /* page requests reported */
    uint64_t fault_groups;          /* complete groups queued */
    uint64_t fault_groups_read;     /* groups delivered by read() */
    uint64_t fault_groups_answered; /* answered by write() */
    uint64_t fault_groups_auto;     /* answered INVALID by the "kernel" */
    uint64_t fault_groups_dropped;  /* no fault-capable domain */
    uint64_t vevents;               /* real vEVENTs queued */
    uint64_t vevents_read;          /* records (incl. LOST) delivered */
    uint64_t vevents_lost;          /* events lost to a full queue */
    uint64_t invalidations;         /* HWPT_INVALIDATE entries accepted */
    uint64_t dma_started;
    uint64_t dma_done;
    uint64_t dma_faulted; /* page requests raised by DMA */
    uint64_t dma_aborted;
    uint64_t reads_injected;  /* queue reads failed or raw by injection */
    uint64_t writes_injected; /* FAULT writes failed by injection */
};

/* One answered fault group, in answer order */
struct sim_response {
    uint32_t cookie; /* 0 if the group was never read */
    uint32_t code;   /* IOMMUFD_PAGE_RESP_* */
    char bdf[16];
    int64_t pasid; /* SIM_NO_PASID if none */
    uint32_t grpid;
    bool automatic; /* answered by the simulated kernel */
};

enum sim_dma_state {
    SIM_DMA_DONE,    /* translated; hva valid */
    SIM_DMA_FAULTED, /* page request queued, waiting for answer */
    SIM_DMA_ABORTED, /* answered INVALID / auto-answered */
    SIM_DMA_ERROR,   /* unrecoverable: no domain, stage-2 fault */
};

struct sim_dma_info {
    uint64_t id;
    enum sim_dma_state state;
    uint64_t iova;
    uint64_t gpa;         /* first-stage output (DONE only) */
    void *hva;            /* host pointer of the target byte (DONE only) */
    unsigned int retries; /* SUCCESS answers that led to a re-walk */
    int error;            /* errno explaining ERROR/ABORTED */
};

enum sim_queue_kind {
    SIM_QUEUE_FAULT,
    SIM_QUEUE_VEVENTQ,
};

enum sim_read_inject {
    SIM_READ_EAGAIN, /* next n reads fail with EAGAIN */
    SIM_READ_EINTR,  /* next n reads fail with EINTR */
    SIM_READ_SHORT,  /* next read sees count capped to n bytes */
};

/* Drop all state and re-read $IOMMUFD_SIM_CONFIG / $IOMMUFD_SIM_SOCKET. */
int sim_reinit_for_test(void);
bool sim_is_active(void);
/* Root of the private sysfs-like tree (…/bus/pci/devices/<BDF>/…) */
const char *sim_sysfs_root(void);

/* Report one PRI page request; groups complete with last == true. */
int sim_trigger_fault(const char *bdf, int64_t pasid, uint64_t addr,
                      uint32_t perm, uint32_t grpid, bool last);
/* Report a raw 32-byte SMMUv3 event record for the device's vSID. */
int sim_trigger_vevent(const char *bdf, const void *record, size_t len);

/*
 * Bursts, for measurements that must not pay a control-socket round trip
 * per record: the single calls above in a loop.  Request i of a
 * fault burst is a whole group (LAST_PAGE) on PASID @pasid + i % @npasids
 * (or none for SIM_NO_PASID), grpid (@grpid + i / @npasids) % 512, address
 * @addr + (i / @npasids) * 4096.  A vEVENT burst reports @record @count
 * times.  At most SIM_BURST_MAX; *@done (if not NULL) says how many were
 * produced before the error returned, if any.
 */
#define SIM_BURST_MAX 65536
int sim_trigger_fault_burst(const char *bdf, unsigned int count, int64_t pasid,
                            unsigned int npasids, uint64_t addr, uint32_t perm,
                            uint32_t grpid, unsigned int *done);
int sim_trigger_vevent_burst(const char *bdf, const void *record, size_t len,
                             unsigned int count, unsigned int *done);

/* Simulated device DMA through the nested first stage. */
int sim_dma(const char *bdf, int64_t pasid, uint64_t iova, uint32_t access,
            struct sim_dma_info *out);
int sim_dma_status(uint64_t id, struct sim_dma_info *out);

unsigned int sim_live_objects(void);
void sim_get_stats(struct sim_stats *out);
void sim_reset_stats(void);
/* Copies up to max answers into out; returns how many exist. */
size_t sim_get_responses(struct sim_response *out, size_t max);

/* name: "IOMMU_HWPT_ALLOC", "HWPT_ALLOC", "VFIO_DEVICE_BIND_IOMMUFD", … */
int sim_inject_ioctl_failure(const char *name, unsigned int count, int err);
int sim_inject_read(enum sim_queue_kind kind, enum sim_read_inject what,
                    unsigned int n);
/*
 * The next n reads of that queue kind fail with errno err (1..4095),
 * without side effects; n == 0 cancels.  Checked after the EAGAIN and
 * EINTR injections, before a short read.
 */
int sim_inject_read_errno(enum sim_queue_kind kind, int err, unsigned int n);
/*
 * The next n write()/pwrite() calls on FAULT queue fds fail with errno err
 * (1..4095; EAGAIN and EINTR are the transient ones), without side
 * effects: no response is consumed.  n == 0 cancels.  SIM_QUEUE_VEVENTQ
 * is -EINVAL (a vEVENTQ has no write).
 */
int sim_inject_write(enum sim_queue_kind kind, int err, unsigned int n);
/*
 * Raw bytes for the reads of that queue kind: the next read() of any fd of
 * that kind returns as many of them as fit its count (after the count
 * checks of the fd and the other read injections), instead of real records,
 * which stay queued; the fds stay readable until all are consumed.  Bytes
 * add up over calls (at most SIM_INJECT_RAW_MAX pending, else -ENOSPC; one
 * call of more is -EINVAL); len == 0 drops what is pending.  For fuzzing what a
 * VMM does with records the kernel would never produce.
 */
#define SIM_INJECT_RAW_MAX (1u << 20)
int sim_inject_raw_read(enum sim_queue_kind kind, const void *bytes,
                        size_t len);
/* Hang up every queue fd of that kind: reads/writes fail EBADF, poll IN. */
int sim_inject_close(enum sim_queue_kind kind);

/* Run one control-protocol line; returns the reply (free with free()). */
char *sim_command(const char *line);

#ifdef __cplusplus
}
#endif

#endif /* IOMMUFD_SIM_H */
