/*
 * One reader for iommufd event-queue fds: the FAULTQ of intel-iommu
 * (IOMMU_FAULT_QUEUE_ALLOC) and the vEVENTQ of arm-smmuv3
 * (IOMMU_VEVENTQ_ALLOC).  Linux keeps both queue kinds behind one
 * drivers/iommu/iommufd/eventq.c; this is the VMM side of that shape.
 *
 * The core owns what both readers need and what is easy to get subtly
 * wrong twice:
 *  - batched read(): a wake-up reads until a read leaves room in the
 *    buffer (the queue had no more, or the next record does not fit:
 *    the fd stays readable and the next run sees it), a drain until the
 *    queue is empty (0 with the fd no longer readable) or EAGAIN; EINTR
 *    retried; a bounded number of reads per run so that a busy host
 *    cannot starve the main loop;
 *  - "the next record does not fit": EINVAL on Linux 7.2, 0 with the fd
 *    still readable on 6.11-7.1.  The buffer grows (doubling) up to the
 *    bound the model set; a record that does not fit even then kills the
 *    queue rather than spin on a readable fd;
 *  - error classification: EINTR/EAGAIN are normal; ENOMEM/ENOBUFS are
 *    transient (the run ends, the handler runs again; after
 *    IOMMUFD_EVENTQ_MAX_TRANSIENT consecutive ones the queue is dead);
 *    everything else (EBADF, EIO, ...) means the queue is dead;
 *  - a dead queue is reported once, its fd is no longer watched at once
 *    (a dead fd stays readable), and the model's "died" callback runs
 *    from a bottom half, never inside the fd handler that found it.
 *
 * The models plug in a per-read "records" callback (they parse their own
 * record layout) and the "died" callback (what dying means for them).
 * Every callback runs with the owning device's re-entrancy guard engaged.
 */
#ifndef SYSTEM_IOMMUFD_EVENTQ_H
#define SYSTEM_IOMMUFD_EVENTQ_H

#include "qemu/main-loop.h"

/* Consecutive transient read errors before the queue is given up. */
#define IOMMUFD_EVENTQ_MAX_TRANSIENT    8

typedef struct IOMMUFDEventQOps {
    /*
     * @len bytes of whole records from one read() (@len is a multiple of
     * the record alignment; a partial tail was already reported and cut).
     * The callback may call iommufd_eventq_fail(): the rest of the run is
     * then skipped.
     */
    void (*records)(void *opaque, const uint8_t *buf, size_t len);
    /* Optional: end of a handler run (flush batched responses). */
    void (*run_end)(void *opaque);
    /*
     * The queue died with @err.  Called from a bottom half; the fd is no
     * longer watched but still open: the model closes the queue
     * (iommufd_eventq_close()) and frees or replaces its host object.
     * @had_reads: the queue worked once: a read() of it returned
     * records, 0, or EAGAIN (empty), rather than an error.
     */
    void (*died)(void *opaque, int err, bool had_reads);
} IOMMUFDEventQOps;

typedef struct IOMMUFDEventQ {
    const char *what;           /* "intel-iommu: FAULTQ", for messages */
    const char *dead_report;    /* "... unusable", for the death report */
    const char *consequence;    /* what the user loses when it dies */
    const IOMMUFDEventQOps *ops;
    void *opaque;
    bool *guard;                /* the owning device's re-entrancy guard */

    int fd;                     /* -1: none */
    bool dead;                  /* reads stopped, died() pending or done */
    bool had_reads;
    int dead_err;
    unsigned transient;         /* consecutive transient errors */
    QEMUBH *died_bh;

    size_t align;               /* read sizes are multiples of this */
    size_t buf_len;
    size_t buf_max;
    uint8_t *buf;
    unsigned reads_per_run;

    bool reported_dead;         /* each class of problem is told once */
    bool reported_partial;
    bool reported_transient;
} IOMMUFDEventQ;

/*
 * The death of the queue is reported once as
 * "<@dead_report> (<strerror>): <@consequence>".
 * @align: record size the kernel insists reads are a multiple of (1 for
 * none); @buf_len: initial buffer size; @buf_max: the bound of its growth.
 */
void iommufd_eventq_init(IOMMUFDEventQ *q, const char *what,
                         const char *dead_report, const char *consequence,
                         const IOMMUFDEventQOps *ops,
                         void *opaque, bool *guard, size_t align,
                         size_t buf_len, size_t buf_max,
                         unsigned reads_per_run);
void iommufd_eventq_cleanup(IOMMUFDEventQ *q);

/* Raise the growth bound (never lowers it, never shrinks the buffer). */
void iommufd_eventq_set_buf_max(IOMMUFDEventQ *q, size_t buf_max);

/* Watch @fd (the queue takes ownership of it). */
void iommufd_eventq_start(IOMMUFDEventQ *q, int fd);
/* Stop watching and close the fd; a pending died() is cancelled. */
void iommufd_eventq_close(IOMMUFDEventQ *q);

/*
 * The queue is unusable (@err from a read, or from the model's own write
 * to the fd): stop reading, report once, and call died() from a BH.
 */
void iommufd_eventq_fail(IOMMUFDEventQ *q, int err);

/*
 * Drain now, until the queue says it is empty (within the bound of one
 * run): for a last read before teardown.
 */
void iommufd_eventq_read(IOMMUFDEventQ *q);

static inline bool iommufd_eventq_live(const IOMMUFDEventQ *q)
{
    return q->fd >= 0 && !q->dead;
}

static inline bool iommufd_eventq_dead(const IOMMUFDEventQ *q)
{
    return q->fd >= 0 && q->dead;
}

#endif
