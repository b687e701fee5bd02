/*
 * Unit tests: the main loop (util/main-loop.c): fd handlers, bottom
 * halves, and the dispatch order of one iteration.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

/*
 * Run non-blocking iterations until *@counter reaches @target or about
 * two seconds passed.
 */
static void run_until_count(const int *counter, int target)
{
    int64_t end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;

    while (*counter < target && g_get_monotonic_time() < end) {
        main_loop_wait(true);
        if (*counter < target) {
            g_usleep(1000);
        }
    }
}

static void run_until(const int *counter)
{
    run_until_count(counter, 1);
}

/* A few non-blocking iterations, for "nothing more happens" checks. */
static void run_idle(int n)
{
    for (int i = 0; i < n; i++) {
        main_loop_wait(true);
    }
}

typedef struct Pipe {
    int rfd, wfd;
    int reads, writes;      /* handler invocations */
    int other_reads;        /* for the replacement handler */
    struct Pipe *peer;      /* handler removes the peer's handler */
    char log;               /* tag written to the shared order log */
} Pipe;

static GString *order_log;

static void pipe_open(Pipe *p)
{
    int fds[2];

    memset(p, 0, sizeof(*p));
    g_assert_cmpint(pipe(fds), ==, 0);
    p->rfd = fds[0];
    p->wfd = fds[1];
    g_assert_cmpint(fcntl(p->rfd, F_SETFL, O_NONBLOCK), ==, 0);
}

static void pipe_close(Pipe *p)
{
    qemu_set_fd_handler(p->rfd, NULL, NULL, NULL);
    qemu_set_fd_handler(p->wfd, NULL, NULL, NULL);
    close(p->rfd);
    close(p->wfd);
}

static void pipe_poke(Pipe *p)
{
    g_assert_cmpint(write(p->wfd, "x", 1), ==, 1);
}

static void pipe_drain(Pipe *p)
{
    char buf[64];

    while (read(p->rfd, buf, sizeof(buf)) > 0) {
        /* empty */
    }
}

static void read_cb(void *opaque)
{
    Pipe *p = opaque;

    p->reads++;
    if (order_log && p->log) {
        g_string_append_c(order_log, p->log);
    }
    pipe_drain(p);
}

static void other_read_cb(void *opaque)
{
    Pipe *p = opaque;

    p->other_reads++;
    pipe_drain(p);
}

static void test_fd_read(void)
{
    Pipe p;
    unsigned base = qemu_fd_handler_count();

    pipe_open(&p);
    qemu_set_fd_handler(p.rfd, read_cb, NULL, &p);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 1);

    /* Not readable: the handler does not run. */
    run_idle(3);
    g_assert_cmpint(p.reads, ==, 0);

    pipe_poke(&p);
    run_until(&p.reads);
    g_assert_cmpint(p.reads, ==, 1);
    /* Drained: no further calls. */
    run_idle(3);
    g_assert_cmpint(p.reads, ==, 1);

    pipe_poke(&p);
    run_until_count(&p.reads, 2);
    run_idle(1);
    g_assert_cmpint(p.reads, ==, 2);

    pipe_close(&p);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
}

/* Blocking wait returns when the fd becomes readable. */
static void test_fd_read_blocking(void)
{
    Pipe p;

    pipe_open(&p);
    qemu_set_fd_handler(p.rfd, read_cb, NULL, &p);
    pipe_poke(&p);
    main_loop_wait(false);
    g_assert_cmpint(p.reads, ==, 1);
    pipe_close(&p);
}

/* The writer going away (HUP) wakes the read handler. */
static void test_fd_hangup(void)
{
    Pipe p;

    pipe_open(&p);
    qemu_set_fd_handler(p.rfd, read_cb, NULL, &p);
    close(p.wfd);
    p.wfd = -1;
    run_until(&p.reads);
    g_assert_cmpint(p.reads, >=, 1);
    qemu_set_fd_handler(p.rfd, NULL, NULL, NULL);
    close(p.rfd);
}

static void write_cb_remove(void *opaque)
{
    Pipe *p = opaque;

    p->writes++;
    /* A pipe stays writable: stop watching or we spin. */
    qemu_set_fd_handler(p->wfd, NULL, NULL, NULL);
}

static void test_fd_write(void)
{
    Pipe p;
    unsigned base = qemu_fd_handler_count();

    pipe_open(&p);
    qemu_set_fd_handler(p.wfd, NULL, write_cb_remove, &p);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 1);
    run_until(&p.writes);
    g_assert_cmpint(p.writes, ==, 1);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
    run_idle(3);
    g_assert_cmpint(p.writes, ==, 1);
    pipe_close(&p);
}

static void test_fd_replace(void)
{
    Pipe p, q;
    unsigned base = qemu_fd_handler_count();

    pipe_open(&p);
    memset(&q, 0, sizeof(q));
    q.rfd = p.rfd;
    qemu_set_fd_handler(p.rfd, read_cb, NULL, &p);
    /* Replace both the handler and the opaque. */
    qemu_set_fd_handler(p.rfd, other_read_cb, NULL, &q);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 1);

    pipe_poke(&p);
    run_until(&q.other_reads);
    g_assert_cmpint(q.other_reads, ==, 1);
    g_assert_cmpint(p.reads, ==, 0);
    g_assert_cmpint(p.other_reads, ==, 0);

    /* Removing both handlers removes the watch. */
    qemu_set_fd_handler(p.rfd, NULL, NULL, NULL);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
    /* Removing a handler that does not exist is harmless. */
    qemu_set_fd_handler(p.rfd, NULL, NULL, NULL);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);

    pipe_poke(&p);
    run_idle(3);
    g_assert_cmpint(q.other_reads, ==, 1);
    g_assert_cmpint(p.reads, ==, 0);
    pipe_close(&p);
}

static void read_cb_remove_self(void *opaque)
{
    Pipe *p = opaque;

    p->reads++;
    qemu_set_fd_handler(p->rfd, NULL, NULL, NULL);
    /* Do not drain: the handler must not run again anyway. */
}

static void test_fd_remove_self(void)
{
    Pipe p;
    unsigned base = qemu_fd_handler_count();

    pipe_open(&p);
    qemu_set_fd_handler(p.rfd, read_cb_remove_self, NULL, &p);
    pipe_poke(&p);
    run_until(&p.reads);
    g_assert_cmpint(p.reads, ==, 1);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
    run_idle(5);
    g_assert_cmpint(p.reads, ==, 1);
    pipe_close(&p);
}

static void read_cb_remove_peer(void *opaque)
{
    Pipe *p = opaque;

    p->reads++;
    pipe_drain(p);
    qemu_set_fd_handler(p->peer->rfd, NULL, NULL, NULL);
}

static void test_fd_remove_other(void)
{
    Pipe a, b;
    unsigned base = qemu_fd_handler_count();
    int total = 0;

    pipe_open(&a);
    pipe_open(&b);
    a.peer = &b;
    b.peer = &a;
    qemu_set_fd_handler(a.rfd, read_cb_remove_peer, NULL, &a);
    qemu_set_fd_handler(b.rfd, read_cb_remove_peer, NULL, &b);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 2);

    /*
     * Both readable in the same iteration: whichever runs first removes
     * the other, which then must not run although its fd was ready.
     */
    pipe_poke(&a);
    pipe_poke(&b);
    for (int i = 0; i < 200 && !total; i++) {
        main_loop_wait(true);
        total = a.reads + b.reads;
        if (!total) {
            g_usleep(1000);
        }
    }
    run_idle(5);
    g_assert_cmpint(a.reads + b.reads, ==, 1);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 1);

    /* The survivor still works. */
    {
        Pipe *survivor = a.reads ? &a : &b;
        Pipe *removed = a.reads ? &b : &a;

        pipe_poke(survivor);
        pipe_poke(removed);
        run_until_count(&survivor->reads, 2);
        run_idle(3);
        g_assert_cmpint(survivor->reads, ==, 2);
        g_assert_cmpint(removed->reads, ==, 0);
    }
    pipe_close(&a);
    pipe_close(&b);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
}

static void read_cb_reregister(void *opaque)
{
    Pipe *p = opaque;

    p->reads++;
    pipe_drain(p);
    /* Remove and immediately re-add with another handler. */
    qemu_set_fd_handler(p->rfd, NULL, NULL, NULL);
    qemu_set_fd_handler(p->rfd, other_read_cb, NULL, p);
}

static void test_fd_reregister_in_callback(void)
{
    Pipe p;
    unsigned base = qemu_fd_handler_count();

    pipe_open(&p);
    qemu_set_fd_handler(p.rfd, read_cb_reregister, NULL, &p);
    pipe_poke(&p);
    run_until(&p.reads);
    g_assert_cmpint(p.reads, ==, 1);
    g_assert_cmpint(p.other_reads, ==, 0);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base + 1);

    pipe_poke(&p);
    run_until(&p.other_reads);
    g_assert_cmpint(p.other_reads, ==, 1);
    g_assert_cmpint(p.reads, ==, 1);
    pipe_close(&p);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, base);
}

/* Bottom halves */

typedef struct TestBH {
    QEMUBH *bh;
    char tag;
    int runs;
    bool reschedule_self;
    bool delete_self;
    struct TestBH *schedule_other;
    struct TestBH *delete_other;
} TestBH;

static GString *bh_log;

static void bh_cb(void *opaque)
{
    TestBH *t = opaque;

    t->runs++;
    g_string_append_c(bh_log, t->tag);
    if (t->reschedule_self) {
        qemu_bh_schedule(t->bh);
    }
    if (t->schedule_other) {
        qemu_bh_schedule(t->schedule_other->bh);
    }
    if (t->delete_other) {
        qemu_bh_delete(t->delete_other->bh);
        t->delete_other->bh = NULL;
    }
    if (t->delete_self) {
        qemu_bh_delete(t->bh);
        t->bh = NULL;
    }
}

static void tbh_init(TestBH *t, char tag)
{
    memset(t, 0, sizeof(*t));
    t->tag = tag;
    t->bh = qemu_bh_new(bh_cb, t);
}

static void tbh_free(TestBH *t)
{
    qemu_bh_delete(t->bh);
    t->bh = NULL;
}

static void bh_setup(void)
{
    if (bh_log) {
        g_string_free(bh_log, TRUE);
    }
    bh_log = g_string_new(NULL);
    /* Nothing left over from an earlier test. */
    g_assert_false(qemu_bh_poll());
}

static void test_bh_once(void)
{
    TestBH a;

    bh_setup();
    tbh_init(&a, 'a');
    g_assert_false(qemu_bh_poll());
    qemu_bh_schedule(a.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_false(qemu_bh_poll());
    g_assert_cmpint(a.runs, ==, 1);

    /* Scheduled twice before it runs: runs once. */
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(a.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_false(qemu_bh_poll());
    g_assert_cmpint(a.runs, ==, 2);
    tbh_free(&a);
}

static void test_bh_order(void)
{
    TestBH a, b, c;

    bh_setup();
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    tbh_init(&c, 'c');
    qemu_bh_schedule(c.bh);
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    /* Re-scheduling a pending BH does not move it. */
    qemu_bh_schedule(c.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "cab");
    tbh_free(&a);
    tbh_free(&b);
    tbh_free(&c);
}

static void test_bh_cancel(void)
{
    TestBH a, b;

    bh_setup();
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    qemu_bh_cancel(a.bh);
    /* Cancelling an idle BH is harmless. */
    qemu_bh_cancel(a.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "b");

    /* Cancelled, then scheduled again: runs, at its new place. */
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    qemu_bh_cancel(a.bh);
    qemu_bh_schedule(a.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "bba");

    qemu_bh_schedule(a.bh);
    qemu_bh_cancel(a.bh);
    g_assert_false(qemu_bh_poll());
    g_assert_cmpint(a.runs, ==, 1);
    tbh_free(&a);
    tbh_free(&b);
}

static void test_bh_delete(void)
{
    TestBH a, b, c;

    bh_setup();
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    tbh_init(&c, 'c');

    /* Deleting a scheduled BH: it never runs. */
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    qemu_bh_delete(a.bh);
    a.bh = NULL;
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "b");
    g_assert_cmpint(a.runs, ==, 0);

    /* Deleting itself from its callback; later BHs still run. */
    b.delete_self = true;
    qemu_bh_schedule(b.bh);
    qemu_bh_schedule(c.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "bbc");
    g_assert_null(b.bh);

    /* Deleting another scheduled BH from a callback: it does not run. */
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    a.delete_other = &b;
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    qemu_bh_schedule(c.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "bbcac");
    g_assert_cmpint(b.runs, ==, 0);
    g_assert_false(qemu_bh_poll());

    /* qemu_bh_delete(NULL) is allowed. */
    qemu_bh_delete(NULL);
    tbh_free(&a);
    tbh_free(&c);
}

static void test_bh_reschedule_self_next_poll(void)
{
    TestBH a, b;

    bh_setup();
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    a.reschedule_self = true;
    qemu_bh_schedule(a.bh);
    qemu_bh_schedule(b.bh);
    /* One poll runs a once, then b; the re-scheduled a waits. */
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "ab");
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpint(a.runs, ==, 2);
    g_assert_cmpstr(bh_log->str, ==, "aba");

    /* Through the main loop: one run per iteration, no starvation. */
    main_loop_wait(true);
    g_assert_cmpint(a.runs, ==, 3);
    main_loop_wait(false);      /* pending BH: must not block */
    g_assert_cmpint(a.runs, ==, 4);

    a.reschedule_self = false;
    main_loop_wait(true);
    g_assert_cmpint(a.runs, ==, 5);
    run_idle(3);
    g_assert_cmpint(a.runs, ==, 5);
    tbh_free(&a);
    tbh_free(&b);
}

static void test_bh_schedule_other_next_poll(void)
{
    TestBH a, b;

    bh_setup();
    tbh_init(&a, 'a');
    tbh_init(&b, 'b');
    a.schedule_other = &b;
    qemu_bh_schedule(a.bh);
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "a");
    g_assert_true(qemu_bh_poll());
    g_assert_cmpstr(bh_log->str, ==, "ab");
    g_assert_false(qemu_bh_poll());
    tbh_free(&a);
    tbh_free(&b);
}

/* A BH scheduled before a blocking wait makes it return at once. */
static void test_bh_wakes_blocking_wait(void)
{
    TestBH a;

    bh_setup();
    tbh_init(&a, 'a');
    qemu_bh_schedule(a.bh);
    main_loop_wait(false);
    g_assert_cmpint(a.runs, ==, 1);
    tbh_free(&a);
}

/*
 * The one moment a BH needs a wake-up: scheduled after the main loop's
 * source computed its timeout, by another source's prepare() (glib
 * prepares every source before it polls).  The main loop's source is
 * attached first, so it is prepared before this one.
 */
typedef struct LateSource {
    GSource source;
    QEMUBH *bh;
} LateSource;

static gboolean late_prepare(GSource *source, gint *timeout)
{
    LateSource *ls = (LateSource *)source;

    if (ls->bh) {
        qemu_bh_schedule(ls->bh);
        ls->bh = NULL;
    }
    *timeout = -1;
    return FALSE;
}

static gboolean late_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs late_funcs = {
    .prepare = late_prepare,
    .dispatch = late_dispatch,
};

static gboolean watchdog_cb(gpointer data)
{
    bool *fired = data;

    *fired = true;
    return G_SOURCE_REMOVE;
}

static void test_bh_from_other_prepare(void)
{
    GSource *src;
    LateSource *ls;
    bool fired = false;
    guint watchdog;
    TestBH a;

    bh_setup();
    tbh_init(&a, 'a');
    qemu_get_main_context();    /* the main loop's source first */
    src = g_source_new(&late_funcs, sizeof(LateSource));
    ls = (LateSource *)src;
    ls->bh = a.bh;
    g_source_attach(src, g_main_context_default());
    /* Without a wake-up the wait below would sleep until this fires. */
    watchdog = g_timeout_add_seconds(5, watchdog_cb, &fired);

    while (!a.runs && !fired) {
        main_loop_wait(false);
    }
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_false(fired);

    g_source_remove(watchdog);
    g_source_destroy(src);
    g_source_unref(src);
    tbh_free(&a);
}

/* One iteration dispatches ready fds, then expired timers, then BHs. */
static void order_timer_cb(void *opaque)
{
    g_string_append_c(order_log, 'T');
}

static void order_bh_cb(void *opaque)
{
    g_string_append_c(order_log, 'B');
}

static void test_dispatch_order(void)
{
    Pipe p;
    QEMUTimer *ts = timer_new_ns(QEMU_CLOCK_REALTIME, order_timer_cb, NULL);
    QEMUBH *bh = qemu_bh_new(order_bh_cb, NULL);

    order_log = g_string_new(NULL);
    pipe_open(&p);
    p.log = 'F';
    qemu_set_fd_handler(p.rfd, read_cb, NULL, &p);
    /* Schedule the BH first and arm the timer second: order is by kind. */
    qemu_bh_schedule(bh);
    timer_mod_ns(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - 1);
    pipe_poke(&p);

    main_loop_wait(true);
    g_assert_cmpstr(order_log->str, ==, "FTB");

    pipe_close(&p);
    timer_free(ts);
    qemu_bh_delete(bh);
    g_string_free(order_log, TRUE);
    order_log = NULL;
}

/*
 * Guarded fd handlers, bottom halves and timers run with the device's
 * re-entrancy guard engaged, and leave it as they found it.
 */
static bool test_guard;
static GString *guard_log;

static void guard_note(void *opaque)
{
    g_string_append_c(guard_log, test_guard ? 'G' : 'u');
    if (opaque) {
        pipe_drain(opaque);
    }
}

static void test_guarded_dispatch(void)
{
    Pipe p;
    QEMUTimer *ts = timer_new_ns(QEMU_CLOCK_REALTIME, guard_note, NULL);
    QEMUBH *bh = qemu_bh_new_guarded(guard_note, NULL, &test_guard);
    QEMUBH *plain = qemu_bh_new(guard_note, NULL);

    guard_log = g_string_new(NULL);
    timer_set_guard(ts, &test_guard);
    pipe_open(&p);
    qemu_set_fd_handler_guarded(p.rfd, guard_note, NULL, &p, &test_guard);
    qemu_bh_schedule(bh);
    qemu_bh_schedule(plain);
    timer_mod_ns(ts, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - 1);
    pipe_poke(&p);
    main_loop_wait(true);
    /* fd, timer, guarded BH, then the unguarded BH sees it released */
    g_assert_cmpstr(guard_log->str, ==, "GGGu");
    g_assert_false(test_guard);

    /* Already engaged (nested in device code): stays engaged after. */
    test_guard = true;
    g_string_truncate(guard_log, 0);
    qemu_bh_schedule(bh);
    main_loop_wait(true);
    g_assert_cmpstr(guard_log->str, ==, "G");      /* it did run */
    g_assert_true(test_guard);
    test_guard = false;

    pipe_close(&p);
    timer_free(ts);
    qemu_bh_delete(bh);
    qemu_bh_delete(plain);
    g_string_free(guard_log, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(60);      /* a blocking wait that never returns fails the test */
    g_test_add_func("/main-loop/fd/read", test_fd_read);
    g_test_add_func("/main-loop/fd/read-blocking", test_fd_read_blocking);
    g_test_add_func("/main-loop/fd/hangup", test_fd_hangup);
    g_test_add_func("/main-loop/fd/write", test_fd_write);
    g_test_add_func("/main-loop/fd/replace", test_fd_replace);
    g_test_add_func("/main-loop/fd/remove-self", test_fd_remove_self);
    g_test_add_func("/main-loop/fd/remove-other", test_fd_remove_other);
    g_test_add_func("/main-loop/fd/reregister-in-callback",
                    test_fd_reregister_in_callback);
    g_test_add_func("/main-loop/bh/once", test_bh_once);
    g_test_add_func("/main-loop/bh/order", test_bh_order);
    g_test_add_func("/main-loop/bh/cancel", test_bh_cancel);
    g_test_add_func("/main-loop/bh/delete", test_bh_delete);
    g_test_add_func("/main-loop/bh/reschedule-self-next-poll",
                    test_bh_reschedule_self_next_poll);
    g_test_add_func("/main-loop/bh/schedule-other-next-poll",
                    test_bh_schedule_other_next_poll);
    g_test_add_func("/main-loop/bh/wakes-blocking-wait",
                    test_bh_wakes_blocking_wait);
    g_test_add_func("/main-loop/bh/scheduled-by-other-prepare-wakes",
                    test_bh_from_other_prepare);
    g_test_add_func("/main-loop/dispatch-order", test_dispatch_order);
    g_test_add_func("/main-loop/guarded-dispatch", test_guarded_dispatch);
    return g_test_run();
}
