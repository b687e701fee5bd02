/*
 * Timers.  QEMU_CLOCK_VIRTUAL is the guest's clock: under qtest it only
 * moves when the test says so (clock_step / clock_set), which makes
 * timing-dependent device behaviour deterministic.  QEMU_CLOCK_REALTIME
 * is the host's monotonic clock.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#define NANOSECONDS_PER_SECOND 1000000000LL
#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

typedef enum {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_MAX
} QEMUClockType;

typedef void QEMUTimerCB(void *opaque);

typedef struct QEMUTimer {
    int64_t expire_time;        /* in the clock's ns; -1 when not armed */
    QEMUClockType type;
    QEMUTimerCB *cb;
    void *opaque;
    bool *guard;                /* a device's re-entrancy guard, or NULL */
    int scale;
    struct QEMUTimer *next;
} QEMUTimer;

void timer_init_full(QEMUTimer *ts, QEMUClockType type, int scale,
                     QEMUTimerCB *cb, void *opaque);
QEMUTimer *timer_new_full(QEMUClockType type, int scale,
                          QEMUTimerCB *cb, void *opaque);
#define timer_new_ns(type, cb, opaque) \
    timer_new_full(type, SCALE_NS, cb, opaque)
#define timer_new_us(type, cb, opaque) \
    timer_new_full(type, SCALE_US, cb, opaque)
#define timer_new_ms(type, cb, opaque) \
    timer_new_full(type, SCALE_MS, cb, opaque)

/*
 * @ts's callback runs with @guard (a device's engaged_in_io) engaged:
 * see qemu_guard_engage() in qemu/main-loop.h.
 */
void timer_set_guard(QEMUTimer *ts, bool *guard);

/* Arm @ts to fire when its clock reaches @expire_time (in its scale). */
void timer_mod(QEMUTimer *ts, int64_t expire_time);
void timer_mod_ns(QEMUTimer *ts, int64_t expire_time_ns);
void timer_del(QEMUTimer *ts);
void timer_free(QEMUTimer *ts);
bool timer_pending(QEMUTimer *ts);
int64_t timer_expire_time_ns(QEMUTimer *ts);

int64_t qemu_clock_get_ns(QEMUClockType type);
static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

/*
 * Virtual clock control (qtest).  While qtest drives the clock, the
 * virtual clock never advances on its own.
 */
void qemu_clock_set_virtual_manual(bool manual);
/* Advance the virtual clock to @dest ns, running timers in order. */
void qemu_clock_advance_virtual(int64_t dest);
/* Deadline of the next virtual timer, or -1 if none is armed. */
int64_t qemu_clock_deadline_ns_virtual(void);

/* Run expired timers of @type; true if any ran. */
bool qemu_clock_run_timers(QEMUClockType type);
/* ns until the earliest timer of any automatically advancing clock, or -1. */
int64_t qemu_timers_deadline_ns(void);

#endif
