/*
 * Main loop: one GSource on the default GMainContext that carries the
 * fd handlers, the timers and the bottom halves.  Keeping them in one
 * source gives a single, predictable dispatch order per iteration:
 * ready fds, then expired timers, then bottom halves.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qemu/queue.h"
#include "trace.h"

typedef struct IOHandlerRecord {
    int fd;
    IOHandler *fd_read;
    IOHandler *fd_write;
    void *opaque;
    bool *guard;                /* engaged around the handlers, or NULL */
    gpointer tag;               /* from g_source_add_unix_fd() */
    bool deleted;
    QLIST_ENTRY(IOHandlerRecord) next;
} IOHandlerRecord;

struct QEMUBH {
    QEMUBHFunc *cb;
    void *opaque;
    bool *guard;                /* engaged while cb runs, or NULL */
    bool scheduled;
    uint64_t seq;               /* order of the last schedule */
    QTAILQ_ENTRY(QEMUBH) next;
};

typedef struct MainSource {
    GSource source;
} MainSource;

static QLIST_HEAD(, IOHandlerRecord) io_handlers =
    QLIST_HEAD_INITIALIZER(io_handlers);
static QTAILQ_HEAD(, QEMUBH) bh_queue = QTAILQ_HEAD_INITIALIZER(bh_queue);
static uint64_t bh_seq;
static unsigned io_handler_count;
static int dispatch_depth;
/*
 * Between our prepare() deciding how long to sleep and our check() after
 * the poll, glib may still run other sources' prepare() callbacks; a BH
 * they schedule is not in the timeout already computed, so only then does
 * scheduling need to wake the context (see qemu_bh_schedule()).
 */
static bool poll_armed;
static GSource *main_source;
static bool shutdown_requested;

static gboolean main_source_prepare(GSource *source, gint *timeout)
{
    int64_t deadline;

    if (!QTAILQ_EMPTY(&bh_queue)) {
        poll_armed = false;
        *timeout = 0;
        return TRUE;
    }
    deadline = qemu_timers_deadline_ns();
    poll_armed = deadline != 0;
    if (deadline < 0) {
        *timeout = -1;
        return FALSE;
    }
    /* Round up so that we never wake before the timer is due. */
    *timeout = MIN(DIV_ROUND_UP(deadline, SCALE_MS), (int64_t)G_MAXINT);
    return deadline == 0;
}

static gboolean main_source_check(GSource *source)
{
    poll_armed = false;
    return !QTAILQ_EMPTY(&bh_queue) || qemu_timers_deadline_ns() == 0;
}

static void io_handlers_dispatch(GSource *source)
{
    IOHandlerRecord *ioh, *next;

    dispatch_depth++;
    QLIST_FOREACH(ioh, &io_handlers, next) {
        GIOCondition revents;
        bool *guard, was;

        if (ioh->deleted || !ioh->tag) {
            continue;
        }
        revents = g_source_query_unix_fd(source, ioh->tag);
        /* The record stays allocated (deleted at most) until depth 0. */
        guard = ioh->guard;
        was = qemu_guard_engage(guard);
        if (ioh->fd_read && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
            ioh->fd_read(ioh->opaque);
        }
        if (!ioh->deleted && ioh->fd_write &&
            (revents & (G_IO_OUT | G_IO_ERR))) {
            ioh->fd_write(ioh->opaque);
        }
        qemu_guard_restore(guard, was);
    }
    dispatch_depth--;

    /* Records removed by a handler are freed once nobody walks the list. */
    if (dispatch_depth == 0) {
        QLIST_FOREACH_SAFE(ioh, &io_handlers, next, next) {
            if (ioh->deleted) {
                QLIST_REMOVE(ioh, next);
                g_free(ioh);
            }
        }
    }
}

static gboolean main_source_dispatch(GSource *source, GSourceFunc cb,
                                     gpointer data)
{
    io_handlers_dispatch(source);
    qemu_clock_run_timers(QEMU_CLOCK_REALTIME);
    qemu_clock_run_timers(QEMU_CLOCK_VIRTUAL);
    qemu_bh_poll();
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs main_source_funcs = {
    .prepare = main_source_prepare,
    .check = main_source_check,
    .dispatch = main_source_dispatch,
};

static GSource *get_main_source(void)
{
    if (!main_source) {
        main_source = g_source_new(&main_source_funcs, sizeof(MainSource));
        g_source_set_name(main_source, "qemu-main-loop");
        /*
         * Nothing here runs a nested loop, and a non-recursive source
         * costs glib a block/unblock (three syscalls on its wakeup fd)
         * around every dispatch: on the fault path that is per fault.
         */
        g_source_set_can_recurse(main_source, TRUE);
        g_source_attach(main_source, g_main_context_default());
    }
    return main_source;
}

GMainContext *qemu_get_main_context(void)
{
    get_main_source();
    return g_main_context_default();
}

static IOHandlerRecord *find_io_handler(int fd)
{
    IOHandlerRecord *ioh;

    QLIST_FOREACH(ioh, &io_handlers, next) {
        if (ioh->fd == fd && !ioh->deleted) {
            return ioh;
        }
    }
    return NULL;
}

static void io_handler_remove(IOHandlerRecord *ioh)
{
    g_source_remove_unix_fd(get_main_source(), ioh->tag);
    ioh->tag = NULL;
    ioh->deleted = true;
    io_handler_count--;
    if (dispatch_depth == 0) {
        QLIST_REMOVE(ioh, next);
        g_free(ioh);
    }
}

void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    qemu_set_fd_handler_guarded(fd, fd_read, fd_write, opaque, NULL);
}

void qemu_set_fd_handler_guarded(int fd, IOHandler *fd_read,
                                 IOHandler *fd_write, void *opaque,
                                 bool *guard)
{
    IOHandlerRecord *ioh = find_io_handler(fd);
    GIOCondition cond = 0;

    trace_qemu_set_fd_handler(fd, fd_read != NULL, fd_write != NULL);
    if (!fd_read && !fd_write) {
        if (ioh) {
            io_handler_remove(ioh);
        }
        return;
    }
    if (fd_read) {
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (fd_write) {
        cond |= G_IO_OUT | G_IO_ERR;
    }
    if (!ioh) {
        ioh = g_new0(IOHandlerRecord, 1);
        ioh->fd = fd;
        ioh->tag = g_source_add_unix_fd(get_main_source(), fd, cond);
        QLIST_INSERT_HEAD(&io_handlers, ioh, next);
        io_handler_count++;
    } else {
        g_source_modify_unix_fd(get_main_source(), ioh->tag, cond);
    }
    ioh->fd_read = fd_read;
    ioh->fd_write = fd_write;
    ioh->opaque = opaque;
    ioh->guard = guard;
}

unsigned qemu_fd_handler_count(void)
{
    return io_handler_count;
}

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque)
{
    return qemu_bh_new_guarded(cb, opaque, NULL);
}

QEMUBH *qemu_bh_new_guarded(QEMUBHFunc *cb, void *opaque, bool *guard)
{
    QEMUBH *bh = g_new0(QEMUBH, 1);

    bh->cb = cb;
    bh->opaque = opaque;
    bh->guard = guard;
    get_main_source();
    return bh;
}

void qemu_bh_schedule(QEMUBH *bh)
{
    if (bh->scheduled) {
        return;
    }
    bh->scheduled = true;
    bh->seq = ++bh_seq;
    QTAILQ_INSERT_TAIL(&bh_queue, bh, next);
    /*
     * Everything here runs on the one main-loop thread (the queue has no
     * lock), so the loop cannot be asleep in poll() while we run: our
     * prepare() and check() look at the queue before and after every
     * poll.  The only gap is after our prepare() computed a timeout, while
     * glib prepares other sources.  Waking the context otherwise costs an
     * eventfd write and read per scheduled BH, on the fault path per batch
     * (bench-fault-paths: 3 reads and 2 writes per VT-d batch, now 2 and
     * 1).  QEMU's aio_notify() likewise skips it when nobody polls.
     */
    if (poll_armed) {
        g_main_context_wakeup(g_main_context_default());
    }
}

void qemu_bh_cancel(QEMUBH *bh)
{
    if (bh->scheduled) {
        QTAILQ_REMOVE(&bh_queue, bh, next);
        bh->scheduled = false;
    }
}

void qemu_bh_delete(QEMUBH *bh)
{
    if (!bh) {
        return;
    }
    qemu_bh_cancel(bh);
    g_free(bh);
}

bool qemu_bh_poll(void)
{
    /*
     * Only run what was scheduled before this call: a BH that schedules
     * itself (or another) runs on the next iteration, so a busy BH cannot
     * starve fds and timers.
     */
    uint64_t last = bh_seq;
    bool ran = false;
    QEMUBH *bh;

    while ((bh = QTAILQ_FIRST(&bh_queue)) && bh->seq <= last) {
        /* cb may delete bh: keep what is needed after it */
        bool *guard = bh->guard;
        bool was;

        QTAILQ_REMOVE(&bh_queue, bh, next);
        bh->scheduled = false;
        ran = true;
        was = qemu_guard_engage(guard);
        bh->cb(bh->opaque);
        qemu_guard_restore(guard, was);
    }
    return ran;
}

void main_loop_wait(bool nonblocking)
{
    get_main_source();
    g_main_context_iteration(g_main_context_default(), !nonblocking);
}

void qemu_system_shutdown_request(void)
{
    shutdown_requested = true;
    g_main_context_wakeup(g_main_context_default());
}

bool qemu_system_shutdown_requested(void)
{
    return shutdown_requested;
}

void qemu_main_loop(void)
{
    while (!shutdown_requested) {
        main_loop_wait(false);
    }
}
