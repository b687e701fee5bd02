/*
 * Unit tests: timers (util/qemu-timer.c), mostly on the virtual clock in
 * manual mode, as qtest drives it.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"

/* What each callback saw: which timer ran and the clock at that moment. */
typedef struct Fired {
    char tag;
    int64_t now;
} Fired;

static GArray *fired;

typedef struct TestTimer {
    QEMUTimer *ts;
    char tag;
    int rearm_left;         /* re-arm this many more times ... */
    int64_t period;         /* ... this far after the current deadline */
    QEMUTimer *victim;      /* timer to delete from the callback */
} TestTimer;

static void fired_reset(void)
{
    if (fired) {
        g_array_free(fired, TRUE);
    }
    fired = g_array_new(FALSE, TRUE, sizeof(Fired));
}

static char *fired_tags(void)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < fired->len; i++) {
        g_string_append_c(s, g_array_index(fired, Fired, i).tag);
    }
    return g_string_free(s, FALSE);
}

static int64_t fired_now(guint i)
{
    g_assert_cmpuint(i, <, fired->len);
    return g_array_index(fired, Fired, i).now;
}

static void timer_cb(void *opaque)
{
    TestTimer *t = opaque;
    Fired f = { t->tag, qemu_clock_get_ns(t->ts->type) };

    g_array_append_val(fired, f);
    /* The timer is no longer pending while its callback runs. */
    g_assert_false(timer_pending(t->ts));
    if (t->victim) {
        timer_del(t->victim);
    }
    if (t->rearm_left > 0) {
        t->rearm_left--;
        timer_mod_ns(t->ts, f.now + t->period);
    }
}

static void tt_init(TestTimer *t, char tag)
{
    memset(t, 0, sizeof(*t));
    t->tag = tag;
    t->ts = timer_new_ns(QEMU_CLOCK_VIRTUAL, timer_cb, t);
}

static void tt_free(TestTimer *t)
{
    timer_free(t->ts);
    t->ts = NULL;
}

static void manual_setup(void)
{
    qemu_clock_set_virtual_manual(true);
    fired_reset();
}

/*
 * Must run before anything else touches the clock mode: switching manual
 * mode "off" while it is already off must not move the free-running
 * virtual clock backwards.
 */
static void test_virtual_monotonic_free_running(void)
{
    int64_t a, b, c;

    qemu_clock_set_virtual_manual(false);
    a = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_usleep(20 * 1000);
    b = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(b - a, >=, 20 * SCALE_MS);
    qemu_clock_set_virtual_manual(false);
    c = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(c, >=, b);
}

static void test_manual_mode_and_switch_back(void)
{
    int64_t a, b, c, d;

    qemu_clock_set_virtual_manual(true);
    a = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_usleep(5 * 1000);
    b = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    /* The clock does not move on its own in manual mode. */
    g_assert_cmpint(a, ==, b);

    qemu_clock_advance_virtual(a + 1000000);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, a + 1000000);
    /* It never goes backwards. */
    qemu_clock_advance_virtual(a);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, a + 1000000);

    /* Back to free running: continues from where manual mode left it. */
    qemu_clock_set_virtual_manual(false);
    c = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(c, >=, a + 1000000);
    g_usleep(2 * 1000);
    d = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(d, >, c);

    /* And manual again: frozen at (at least) the free-running value. */
    qemu_clock_set_virtual_manual(true);
    a = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    g_assert_cmpint(a, >=, d);
    g_usleep(2 * 1000);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, a);
}

static void test_deadline_order(void)
{
    TestTimer t1, t2, t3;
    int64_t now;
    g_autofree char *tags = NULL;
    g_autofree char *tags2 = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&t1, '1');
    tt_init(&t2, '2');
    tt_init(&t3, '3');
    g_assert_false(timer_pending(t1.ts));
    g_assert_cmpint(timer_expire_time_ns(t1.ts), ==, -1);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, -1);

    /* Armed out of order. */
    timer_mod_ns(t3.ts, now + 300);
    timer_mod_ns(t1.ts, now + 100);
    timer_mod_ns(t2.ts, now + 200);
    g_assert_true(timer_pending(t2.ts));
    g_assert_cmpint(timer_expire_time_ns(t2.ts), ==, now + 200);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, now + 100);

    /* Nothing is due yet. */
    g_assert_false(qemu_clock_run_timers(QEMU_CLOCK_VIRTUAL));
    qemu_clock_advance_virtual(now + 99);
    g_assert_cmpuint(fired->len, ==, 0);

    qemu_clock_advance_virtual(now + 250);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "12");
    /* Each callback saw the clock at its own deadline. */
    g_assert_cmpint(fired_now(0), ==, now + 100);
    g_assert_cmpint(fired_now(1), ==, now + 200);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), ==, now + 250);
    g_assert_true(timer_pending(t3.ts));
    g_assert_false(timer_pending(t1.ts));
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, now + 300);

    /* A deadline equal to the destination is due. */
    qemu_clock_advance_virtual(now + 300);
    tags2 = fired_tags();
    g_assert_cmpstr(tags2, ==, "123");
    g_assert_cmpint(fired_now(2), ==, now + 300);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, -1);

    tt_free(&t1);
    tt_free(&t2);
    tt_free(&t3);
}

static void test_timer_del(void)
{
    TestTimer t1, t2;
    int64_t now;
    g_autofree char *tags = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&t1, 'a');
    tt_init(&t2, 'b');
    timer_mod_ns(t1.ts, now + 10);
    timer_mod_ns(t2.ts, now + 20);
    timer_del(t1.ts);
    g_assert_false(timer_pending(t1.ts));
    g_assert_cmpint(timer_expire_time_ns(t1.ts), ==, -1);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, now + 20);
    /* Deleting an idle timer is harmless. */
    timer_del(t1.ts);

    qemu_clock_advance_virtual(now + 100);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "b");
    tt_free(&t1);
    tt_free(&t2);
}

static void test_timer_mod_moves(void)
{
    TestTimer t1, t2;
    int64_t now;
    g_autofree char *tags = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&t1, 'a');
    tt_init(&t2, 'b');
    timer_mod_ns(t1.ts, now + 10);
    timer_mod_ns(t2.ts, now + 20);
    /* Re-arming a pending timer moves it; it runs only once. */
    timer_mod_ns(t1.ts, now + 30);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, now + 20);
    timer_mod_ns(t2.ts, now + 40);
    g_assert_cmpint(qemu_clock_deadline_ns_virtual(), ==, now + 30);
    qemu_clock_advance_virtual(now + 100);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "ab");
    g_assert_cmpint(fired_now(0), ==, now + 30);
    g_assert_cmpint(fired_now(1), ==, now + 40);
    tt_free(&t1);
    tt_free(&t2);
}

static void test_rearm_from_callback(void)
{
    TestTimer t;
    int64_t now;
    g_autofree char *tags = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&t, 'p');
    t.rearm_left = 4;
    t.period = 100;
    timer_mod_ns(t.ts, now + 100);

    /* One advance runs every period that falls inside it. */
    qemu_clock_advance_virtual(now + 350);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "ppp");
    for (guint i = 0; i < 3; i++) {
        g_assert_cmpint(fired_now(i), ==, now + 100 * (i + 1));
    }
    g_assert_true(timer_pending(t.ts));
    g_assert_cmpint(timer_expire_time_ns(t.ts), ==, now + 400);

    qemu_clock_advance_virtual(now + 10000);
    g_assert_cmpuint(fired->len, ==, 5);
    g_assert_cmpint(fired_now(4), ==, now + 500);
    g_assert_false(timer_pending(t.ts));
    tt_free(&t);
}

static void test_equal_deadlines(void)
{
    TestTimer a, b, c;
    int64_t now;
    g_autofree char *tags = NULL;
    g_autofree char *tags2 = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&a, 'a');
    tt_init(&b, 'b');
    tt_init(&c, 'c');
    timer_mod_ns(a.ts, now + 50);
    timer_mod_ns(b.ts, now + 50);
    timer_mod_ns(c.ts, now + 50);
    qemu_clock_advance_virtual(now + 50);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "abc");

    /* Re-arming b at the same deadline puts it after the others. */
    fired_reset();
    timer_mod_ns(a.ts, now + 80);
    timer_mod_ns(b.ts, now + 80);
    timer_mod_ns(c.ts, now + 80);
    timer_mod_ns(b.ts, now + 80);
    qemu_clock_advance_virtual(now + 80);
    tags2 = fired_tags();
    g_assert_cmpstr(tags2, ==, "acb");
    tt_free(&a);
    tt_free(&b);
    tt_free(&c);
}

static void test_delete_other_from_callback(void)
{
    TestTimer a, b;
    int64_t now;
    g_autofree char *tags = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&a, 'a');
    tt_init(&b, 'b');
    a.victim = b.ts;
    /* Same deadline: b is due when a runs, but a cancels it. */
    timer_mod_ns(a.ts, now + 10);
    timer_mod_ns(b.ts, now + 10);
    qemu_clock_advance_virtual(now + 1000);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "a");
    g_assert_false(timer_pending(b.ts));
    tt_free(&a);
    tt_free(&b);
}

static int free_self_runs;

static void free_self_cb(void *opaque)
{
    QEMUTimer **pts = opaque;

    free_self_runs++;
    timer_free(*pts);
    *pts = NULL;
}

static void test_free_from_callback(void)
{
    QEMUTimer *ts;
    TestTimer other;
    int64_t now;
    g_autofree char *tags = NULL;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    ts = timer_new_ns(QEMU_CLOCK_VIRTUAL, free_self_cb, &ts);
    tt_init(&other, 'o');
    timer_mod_ns(ts, now + 5);
    timer_mod_ns(other.ts, now + 6);
    qemu_clock_advance_virtual(now + 10);
    g_assert_cmpint(free_self_runs, ==, 1);
    g_assert_null(ts);
    tags = fired_tags();
    g_assert_cmpstr(tags, ==, "o");
    tt_free(&other);
}

static void test_scale_and_past(void)
{
    TestTimer t;
    QEMUTimer *ms;
    int64_t now;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    memset(&t, 0, sizeof(t));
    t.tag = 'm';
    ms = timer_new_ms(QEMU_CLOCK_VIRTUAL, timer_cb, &t);
    t.ts = ms;      /* the callback reads the clock of t.ts */
    timer_mod(ms, now / SCALE_MS + 3);
    g_assert_cmpint(timer_expire_time_ns(ms), ==,
                    (now / SCALE_MS + 3) * SCALE_MS);
    qemu_clock_advance_virtual((now / SCALE_MS + 3) * SCALE_MS - 1);
    g_assert_cmpuint(fired->len, ==, 0);
    qemu_clock_advance_virtual((now / SCALE_MS + 3) * SCALE_MS);
    g_assert_cmpuint(fired->len, ==, 1);
    timer_free(ms);

    /* A deadline in the past is due at once, with the clock unchanged. */
    fired_reset();
    tt_init(&t, 'p');
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    timer_mod_ns(t.ts, now - 1000);
    g_assert_true(qemu_clock_run_timers(QEMU_CLOCK_VIRTUAL));
    g_assert_cmpuint(fired->len, ==, 1);
    g_assert_cmpint(fired_now(0), ==, now);
    g_assert_false(qemu_clock_run_timers(QEMU_CLOCK_VIRTUAL));
    tt_free(&t);
}

/* In manual mode the main loop never waits for virtual timers. */
static void test_manual_not_in_loop_deadline(void)
{
    TestTimer t;
    int64_t now;

    manual_setup();
    now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    tt_init(&t, 'v');
    timer_mod_ns(t.ts, now + 1);
    g_assert_cmpint(qemu_timers_deadline_ns(), ==, -1);
    qemu_clock_advance_virtual(now + 1);
    g_assert_cmpuint(fired->len, ==, 1);
    tt_free(&t);
}

static int rt_runs;

static void rt_cb(void *opaque)
{
    rt_runs++;
}

/* A realtime timer fires from the main loop, which sleeps until it is due. */
static void test_realtime_from_main_loop(void)
{
    QEMUTimer *ts = timer_new_ms(QEMU_CLOCK_REALTIME, rt_cb, NULL);
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t deadline;

    rt_runs = 0;
    timer_mod(ts, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 20);
    deadline = qemu_timers_deadline_ns();
    g_assert_cmpint(deadline, >, 0);
    g_assert_cmpint(deadline, <=, 20 * SCALE_MS);
    for (int i = 0; i < 100 && !rt_runs; i++) {
        main_loop_wait(false);  /* blocks until the timer is due */
    }
    g_assert_cmpint(rt_runs, ==, 1);
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start, >=,
                    19 * SCALE_MS);
    g_assert_false(timer_pending(ts));
    timer_free(ts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(30);      /* a main loop that never wakes up fails, not hangs */
    g_test_add_func("/timers/virtual-monotonic-free-running",
                    test_virtual_monotonic_free_running);
    g_test_add_func("/timers/manual-mode", test_manual_mode_and_switch_back);
    g_test_add_func("/timers/deadline-order", test_deadline_order);
    g_test_add_func("/timers/del", test_timer_del);
    g_test_add_func("/timers/mod-moves", test_timer_mod_moves);
    g_test_add_func("/timers/rearm-from-callback", test_rearm_from_callback);
    g_test_add_func("/timers/equal-deadlines", test_equal_deadlines);
    g_test_add_func("/timers/delete-other-from-callback",
                    test_delete_other_from_callback);
    g_test_add_func("/timers/free-from-callback", test_free_from_callback);
    g_test_add_func("/timers/scale-and-past", test_scale_and_past);
    g_test_add_func("/timers/manual-not-in-loop-deadline",
                    test_manual_not_in_loop_deadline);
    g_test_add_func("/timers/realtime-main-loop", test_realtime_from_main_loop);
    return g_test_run();
}
