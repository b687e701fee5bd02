/*
 * The main loop: fd handlers and bottom halves on a glib GMainContext.
 *
 * Everything device-side runs on this one thread, so models need no locks;
 * host event fds (FAULTQ, vEVENTQ) are watched here with
 * qemu_set_fd_handler().
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

typedef void IOHandler(void *opaque);

/*
 * Watch @fd: @fd_read runs while it is readable, @fd_write while it is
 * writable.  Calling again replaces the handlers; both NULL removes the
 * watch.  Safe to call from inside a handler, including for @fd itself.
 */
void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);

/*
 * A device's re-entrancy guard is its DeviceState.engaged_in_io: while it
 * is engaged, memory accesses that would land on the device's own MMIO
 * are refused (system/memory.c).  MMIO handlers engage it themselves;
 * device code that runs from the main loop (fd handlers, bottom halves,
 * timers) engages it by being registered with the *_guarded variants, so
 * that a queue write, status write or MSI the guest aimed at the device's
 * own registers cannot re-enter it from there either.
 *
 * qemu_guard_engage() returns the previous state for qemu_guard_restore();
 * a NULL guard does nothing.
 */
static inline bool qemu_guard_engage(bool *guard)
{
    bool was = guard && *guard;

    if (guard) {
        *guard = true;
    }
    return was;
}

static inline void qemu_guard_restore(bool *guard, bool was)
{
    if (guard) {
        *guard = was;
    }
}

/* As qemu_set_fd_handler(), the handlers run with @guard engaged. */
void qemu_set_fd_handler_guarded(int fd, IOHandler *fd_read,
                                 IOHandler *fd_write, void *opaque,
                                 bool *guard);

/* Bottom halves: a callback run once per schedule from the main loop. */
typedef struct QEMUBH QEMUBH;
typedef void QEMUBHFunc(void *opaque);

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque);
/* A bottom half that runs with @guard (a device's) engaged. */
QEMUBH *qemu_bh_new_guarded(QEMUBHFunc *cb, void *opaque, bool *guard);
/* Queue @bh to run; scheduling an already scheduled BH does nothing. */
void qemu_bh_schedule(QEMUBH *bh);
void qemu_bh_cancel(QEMUBH *bh);
/* Delete @bh; if it is scheduled it will not run. */
void qemu_bh_delete(QEMUBH *bh);

/* Run every scheduled bottom half, in scheduling order; true if any ran. */
bool qemu_bh_poll(void);

GMainContext *qemu_get_main_context(void);

/*
 * One iteration: dispatch ready fds, expired timers and bottom halves.
 * Blocks at most until the next event when @nonblocking is false.
 */
void main_loop_wait(bool nonblocking);

/* Run until qemu_system_shutdown_request() is called. */
void qemu_main_loop(void);
void qemu_system_shutdown_request(void);
bool qemu_system_shutdown_requested(void);

/* Number of fd handlers installed (tests check removal). */
unsigned qemu_fd_handler_count(void);

#endif
