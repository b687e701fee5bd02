/*
 * Timers on two clocks (see include/qemu/timer.h).  Active timers of a
 * clock sit in a list sorted by expiry, so the next deadline is the head.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"

typedef struct QEMUClock {
    QEMUTimer *active;
} QEMUClock;

static QEMUClock clocks[QEMU_CLOCK_MAX];
static bool virtual_manual;
static int64_t virtual_manual_ns;
static int64_t virtual_offset_ns;
static bool virtual_offset_set;

static int64_t get_monotonic_ns(void)
{
    return g_get_monotonic_time() * SCALE_US;
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    if (type == QEMU_CLOCK_REALTIME) {
        return get_monotonic_ns();
    }
    if (virtual_manual) {
        return virtual_manual_ns;
    }
    /* Free-running virtual clock: starts at 0 when first read. */
    if (!virtual_offset_set) {
        virtual_offset_ns = get_monotonic_ns() - virtual_manual_ns;
        virtual_offset_set = true;
    }
    return get_monotonic_ns() - virtual_offset_ns;
}

void qemu_clock_set_virtual_manual(bool manual)
{
    if (manual == virtual_manual) {
        return;
    }
    if (manual) {
        /* Freeze where the free-running clock is now. */
        virtual_manual_ns = virtual_offset_set ?
            qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) : 0;
    } else {
        /* Resume from the frozen value: the clock never goes back. */
        virtual_offset_ns = get_monotonic_ns() - virtual_manual_ns;
        virtual_offset_set = true;
    }
    virtual_manual = manual;
}

void timer_init_full(QEMUTimer *ts, QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque)
{
    memset(ts, 0, sizeof(*ts));
    ts->type = type;
    ts->scale = scale;
    ts->cb = cb;
    ts->opaque = opaque;
    ts->expire_time = -1;
}

QEMUTimer *timer_new_full(QEMUClockType type, int scale,
                          QEMUTimerCB *cb, void *opaque)
{
    QEMUTimer *ts = g_new(QEMUTimer, 1);

    timer_init_full(ts, type, scale, cb, opaque);
    return ts;
}

void timer_del(QEMUTimer *ts)
{
    QEMUTimer **pt = &clocks[ts->type].active;

    for (; *pt; pt = &(*pt)->next) {
        if (*pt == ts) {
            *pt = ts->next;
            break;
        }
    }
    ts->next = NULL;
    ts->expire_time = -1;
}

void timer_free(QEMUTimer *ts)
{
    if (ts) {
        timer_del(ts);
        g_free(ts);
    }
}

void timer_mod_ns(QEMUTimer *ts, int64_t expire_time)
{
    QEMUTimer **pt;

    timer_del(ts);
    expire_time = MAX(expire_time, 0);
    pt = &clocks[ts->type].active;
    /* Equal deadlines keep arming order: insert after existing ones. */
    while (*pt && (*pt)->expire_time <= expire_time) {
        pt = &(*pt)->next;
    }
    ts->expire_time = expire_time;
    ts->next = *pt;
    *pt = ts;
    g_main_context_wakeup(g_main_context_default());
}

void timer_mod(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_ns(ts, expire_time * ts->scale);
}

bool timer_pending(QEMUTimer *ts)
{
    return ts->expire_time >= 0;
}

void timer_set_guard(QEMUTimer *ts, bool *guard)
{
    ts->guard = guard;
}

int64_t timer_expire_time_ns(QEMUTimer *ts)
{
    return ts->expire_time;
}

static bool run_timers_until(QEMUClockType type, int64_t now)
{
    QEMUClock *clock = &clocks[type];
    bool ran = false;
    QEMUTimer *ts;

    while ((ts = clock->active) && ts->expire_time <= now) {
        bool *guard = ts->guard;    /* cb may free ts */
        bool was;

        clock->active = ts->next;
        ts->next = NULL;
        ts->expire_time = -1;
        ran = true;
        was = qemu_guard_engage(guard);
        ts->cb(ts->opaque);     /* may re-arm or free ts */
        qemu_guard_restore(guard, was);
    }
    return ran;
}

bool qemu_clock_run_timers(QEMUClockType type)
{
    return run_timers_until(type, qemu_clock_get_ns(type));
}

int64_t qemu_clock_deadline_ns_virtual(void)
{
    QEMUTimer *ts = clocks[QEMU_CLOCK_VIRTUAL].active;

    return ts ? ts->expire_time : -1;
}

void qemu_clock_advance_virtual(int64_t dest)
{
    /*
     * Step timer by timer so that each callback sees the clock at its own
     * deadline, as it would have if time had passed naturally.
     */
    while (true) {
        int64_t next = qemu_clock_deadline_ns_virtual();

        if (next < 0 || next > dest) {
            break;
        }
        virtual_manual_ns = MAX(virtual_manual_ns, next);
        run_timers_until(QEMU_CLOCK_VIRTUAL, virtual_manual_ns);
    }
    virtual_manual_ns = MAX(virtual_manual_ns, dest);
}

static int64_t clock_deadline(QEMUClockType type)
{
    QEMUTimer *ts = clocks[type].active;

    if (!ts) {
        return -1;
    }
    return MAX(ts->expire_time - qemu_clock_get_ns(type), 0);
}

int64_t qemu_timers_deadline_ns(void)
{
    int64_t rt = clock_deadline(QEMU_CLOCK_REALTIME);
    int64_t vt = virtual_manual ? -1 : clock_deadline(QEMU_CLOCK_VIRTUAL);

    if (rt < 0) {
        return vt;
    }
    if (vt < 0) {
        return rt;
    }
    return MIN(rt, vt);
}
