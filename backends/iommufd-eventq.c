/*
 * One reader for iommufd event-queue fds (FAULTQ, vEVENTQ): see
 * include/system/iommufd-eventq.h for the rules it implements and
 * docs/devel/eventq.md for the life of an event through it.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include "qemu/error-report.h"
#include "system/iommufd-eventq.h"
#include "trace.h"

static void iommufd_eventq_died_bh(void *opaque)
{
    IOMMUFDEventQ *q = opaque;

    if (!iommufd_eventq_dead(q)) {
        return;     /* closed (reset, replaced) before the BH ran */
    }
    trace_iommufd_eventq_died(q->what, q->fd, q->dead_err);
    q->ops->died(q->opaque, q->dead_err, q->had_reads);
}

void iommufd_eventq_init(IOMMUFDEventQ *q, const char *what,
                         const char *dead_report, const char *consequence,
                         const IOMMUFDEventQOps *ops,
                         void *opaque, bool *guard, size_t align,
                         size_t buf_len, size_t buf_max,
                         unsigned reads_per_run)
{
    memset(q, 0, sizeof(*q));
    q->what = what;
    q->dead_report = dead_report;
    q->consequence = consequence;
    q->ops = ops;
    q->opaque = opaque;
    q->guard = guard;
    q->fd = -1;
    q->align = MAX(align, 1);
    q->buf_len = QEMU_ALIGN_UP(buf_len, q->align);
    q->buf_max = MAX(q->buf_len, buf_max);
    q->buf = g_malloc(q->buf_len);
    q->reads_per_run = reads_per_run;
    q->died_bh = qemu_bh_new_guarded(iommufd_eventq_died_bh, q, guard);
}

void iommufd_eventq_cleanup(IOMMUFDEventQ *q)
{
    iommufd_eventq_close(q);
    qemu_bh_delete(q->died_bh);
    q->died_bh = NULL;
    g_free(q->buf);
    q->buf = NULL;
}

void iommufd_eventq_set_buf_max(IOMMUFDEventQ *q, size_t buf_max)
{
    buf_max = QEMU_ALIGN_UP(buf_max, q->align);
    if (buf_max > q->buf_max) {
        q->buf_max = buf_max;
    }
}

void iommufd_eventq_close(IOMMUFDEventQ *q)
{
    if (q->fd < 0) {
        return;
    }
    trace_iommufd_eventq_close(q->what, q->fd);
    qemu_bh_cancel(q->died_bh);
    if (!q->dead) {
        qemu_set_fd_handler(q->fd, NULL, NULL, NULL);
    }
    close(q->fd);
    q->fd = -1;
    q->dead = false;
}

void iommufd_eventq_fail(IOMMUFDEventQ *q, int err)
{
    trace_iommufd_eventq_fail(q->what, q->fd, err);
    if (q->fd < 0 || q->dead) {
        return;                 /* already on its way out */
    }
    if (!q->reported_dead) {
        q->reported_dead = true;
        error_report("%s (%s): %s", q->dead_report, g_strerror(err),
                     q->consequence);
    }
    /* A dead fd stays readable: stop watching it now, or the loop spins */
    qemu_set_fd_handler(q->fd, NULL, NULL, NULL);
    q->dead = true;
    q->dead_err = err;
    qemu_bh_schedule(q->died_bh);
}

/*
 * The read returned 0: empty, or (6.11-7.1) the next record does not
 * fit.  The kernel keeps the fd readable in the second case only.
 */
static bool iommufd_eventq_still_readable(IOMMUFDEventQ *q)
{
    struct pollfd pfd = { .fd = q->fd, .events = POLLIN };

    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* A record did not fit: a larger buffer, within the bound, or death. */
static bool iommufd_eventq_grow(IOMMUFDEventQ *q)
{
    size_t len;

    if (q->buf_len >= q->buf_max) {
        trace_iommufd_eventq_nofit(q->what, q->buf_len);
        iommufd_eventq_fail(q, EMSGSIZE);
        return false;
    }
    len = MIN(q->buf_len * 2, q->buf_max);
    trace_iommufd_eventq_grow(q->what, q->buf_len, len);
    g_free(q->buf);
    q->buf = g_malloc(len);
    q->buf_len = len;
    return true;
}

/* Transient host trouble: end this run; too many in a row is death. */
static void iommufd_eventq_transient(IOMMUFDEventQ *q, int err)
{
    if (++q->transient >= IOMMUFD_EVENTQ_MAX_TRANSIENT) {
        iommufd_eventq_fail(q, err);
        return;
    }
    if (!q->reported_transient) {
        q->reported_transient = true;
        warn_report("%s: read failed: %s; retrying", q->what,
                    g_strerror(err));
    }
}

/*
 * One read(); @got: records were read earlier in this run; @drain: read
 * until the queue says it is empty.  True to go on reading in this run.
 */
static bool iommufd_eventq_read_once(IOMMUFDEventQ *q, bool *got,
                                     bool drain)
{
    ssize_t n = read(q->fd, q->buf, q->buf_len);
    size_t len;

    if (n < 0) {
        int err = errno;

        trace_iommufd_eventq_read_error(q->what, err);
        switch (err) {
        case EINTR:
            return true;        /* counts as a read: the run stays bounded */
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            q->had_reads = true;
            return false;
        case EINVAL:
            /* Linux 7.2: the next record does not fit */
            return iommufd_eventq_grow(q);
        case ENOMEM:
        case ENOBUFS:
            iommufd_eventq_transient(q, err);
            return false;
        default:
            iommufd_eventq_fail(q, err);
            return false;
        }
    }
    q->had_reads = true;
    q->transient = 0;
    if (n == 0) {
        /*
         * 6.11-7.1 say "does not fit" with 0 and a still readable fd.
         * Only asked while this run has read nothing: after a read that
         * brought records, 0 is nearly always "empty", and a group
         * that does not fit keeps the fd readable, so the next run
         * starts with that 0 and asks.  That keeps poll() off the
         * per-wake-up path.
         */
        return !*got && iommufd_eventq_still_readable(q) &&
               iommufd_eventq_grow(q);
    }
    *got = true;
    len = n - n % q->align;
    if (len != (size_t)n && !q->reported_partial) {
        /* The kernel copies whole records only: a host bug. */
        q->reported_partial = true;
        error_report("%s: read returned a partial record (%zd bytes); "
                     "the tail is ignored", q->what, n);
    }
    trace_iommufd_eventq_read(q->what, n);
    if (len) {
        q->ops->records(q->opaque, q->buf, len);
    }
    /*
     * A read that left room in the buffer found the queue empty, or the
     * next record (group) too big for the room left.  On a wake-up a
     * second read would nearly always be the EAGAIN of an empty queue,
     * one system call per wake-up for nothing: whatever is left keeps
     * the fd readable and is read on the next run.  A drain asks anyway.
     */
    return (drain || (size_t)n == q->buf_len) && iommufd_eventq_live(q);
}

static void iommufd_eventq_run(IOMMUFDEventQ *q, bool drain)
{
    /* Level-triggered: whatever is left is read on the next run. */
    bool got = false;

    for (unsigned i = 0; i < q->reads_per_run && iommufd_eventq_live(q);
         i++) {
        if (!iommufd_eventq_read_once(q, &got, drain)) {
            break;
        }
    }
    if (q->ops->run_end) {
        q->ops->run_end(q->opaque);
    }
}

void iommufd_eventq_read(IOMMUFDEventQ *q)
{
    iommufd_eventq_run(q, true);
}

/* The fd is readable: what one wake-up reads. */
static void iommufd_eventq_handler(void *opaque)
{
    iommufd_eventq_run(opaque, false);
}

void iommufd_eventq_start(IOMMUFDEventQ *q, int fd)
{
    q->fd = fd;
    q->dead = false;
    q->had_reads = false;
    q->dead_err = 0;
    q->transient = 0;
    qemu_set_fd_handler_guarded(fd, iommufd_eventq_handler, NULL, q,
                                q->guard);
    trace_iommufd_eventq_start(q->what, fd, q->buf_len, q->buf_max);
}
