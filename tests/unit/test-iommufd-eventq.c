/*
 * Unit tests: the event-queue reader core (backends/iommufd-eventq.c),
 * over a pipe standing in for a FAULTQ or vEVENTQ fd: what one wake-up
 * of the main loop reads, and what a drain reads.
 *
 * A pipe returns what it holds, up to the size asked, like the kernel's
 * queue reads do; a read of an empty one fails with EAGAIN.  Records are
 * 8 bytes and the buffer holds four.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "system/iommufd-eventq.h"

#define REC     8
#define BUF     (4 * REC)

typedef struct Fix {
    IOMMUFDEventQ q;
    bool guard;
    int wfd;
    unsigned records_calls;     /* records() calls: one per read */
    size_t bytes;
    unsigned run_ends;
    unsigned deaths;
    unsigned more_on_first;     /* records written during the first call */
} Fix;

static void put_records(Fix *f, unsigned n)
{
    uint8_t rec[REC] = { 0 };

    for (unsigned i = 0; i < n; i++) {
        rec[0] = i;
        g_assert_cmpint(write(f->wfd, rec, sizeof(rec)), ==, sizeof(rec));
    }
}

static void fix_records(void *opaque, const uint8_t *buf, size_t len)
{
    Fix *f = opaque;

    g_assert_cmpuint(len % REC, ==, 0);
    f->records_calls++;
    f->bytes += len;
    if (f->records_calls == 1 && f->more_on_first) {
        /* The host queues more while the model handles the first read */
        put_records(f, f->more_on_first);
    }
}

static void fix_run_end(void *opaque)
{
    Fix *f = opaque;

    f->run_ends++;
}

static void fix_died(void *opaque, int err, bool had_reads)
{
    Fix *f = opaque;

    f->deaths++;
}

static const IOMMUFDEventQOps fix_ops = {
    .records = fix_records,
    .run_end = fix_run_end,
    .died = fix_died,
};

static void fix_start(Fix *f, unsigned more_on_first)
{
    int fds[2];

    memset(f, 0, sizeof(*f));
    f->more_on_first = more_on_first;
    g_assert_cmpint(pipe(fds), ==, 0);
    g_assert_cmpint(fcntl(fds[0], F_SETFL, O_NONBLOCK), ==, 0);
    f->wfd = fds[1];
    iommufd_eventq_init(&f->q, "test: queue", "test: queue unusable",
                        "nothing", &fix_ops, f, &f->guard, REC, BUF, BUF,
                        8);
    iommufd_eventq_start(&f->q, fds[0]);
}

static void fix_stop(Fix *f)
{
    iommufd_eventq_cleanup(&f->q);
    close(f->wfd);
    g_assert_cmpuint(f->deaths, ==, 0);
}

/*
 * A wake-up whose read leaves room in the buffer ends there: what the
 * host queued meanwhile keeps the fd readable and comes with the next
 * wake-up, not with a second read() of this one.
 */
static void test_wakeup_short_read(void)
{
    Fix f;

    fix_start(&f, 1);
    put_records(&f, 2);
    main_loop_wait(true);
    g_assert_cmpuint(f.records_calls, ==, 1);
    g_assert_cmpuint(f.bytes, ==, 2 * REC);
    g_assert_cmpuint(f.run_ends, ==, 1);

    /* Nothing is lost: the record queued meanwhile comes next. */
    main_loop_wait(true);
    g_assert_cmpuint(f.records_calls, ==, 2);
    g_assert_cmpuint(f.bytes, ==, 3 * REC);
    g_assert_cmpuint(f.run_ends, ==, 2);

    /* Empty: no further run. */
    main_loop_wait(true);
    g_assert_cmpuint(f.run_ends, ==, 2);
    fix_stop(&f);
}

/* A read that fills the buffer may have left more: read again at once. */
static void test_wakeup_full_read(void)
{
    Fix f;

    fix_start(&f, 0);
    put_records(&f, 4 + 1);
    main_loop_wait(true);
    g_assert_cmpuint(f.records_calls, ==, 2);
    g_assert_cmpuint(f.bytes, ==, 5 * REC);
    g_assert_cmpuint(f.run_ends, ==, 1);
    fix_stop(&f);
}

/* Full reads go on only up to the run's bound: the loop is not starved. */
static void test_wakeup_bounded(void)
{
    Fix f;

    fix_start(&f, 0);
    put_records(&f, 4 * 8 + 4 * 2);
    main_loop_wait(true);
    g_assert_cmpuint(f.records_calls, ==, 8);
    g_assert_cmpuint(f.run_ends, ==, 1);
    main_loop_wait(true);
    g_assert_cmpuint(f.records_calls, ==, 10);
    g_assert_cmpuint(f.bytes, ==, 4 * 10 * REC);
    fix_stop(&f);
}

/* A drain (before teardown) reads until the queue says it is empty. */
static void test_drain(void)
{
    Fix f;

    fix_start(&f, 1);
    put_records(&f, 2);
    iommufd_eventq_read(&f.q);
    g_assert_cmpuint(f.records_calls, ==, 2);
    g_assert_cmpuint(f.bytes, ==, 3 * REC);
    g_assert_cmpuint(f.run_ends, ==, 1);
    fix_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommufd-eventq/wakeup/short-read-ends-run",
                    test_wakeup_short_read);
    g_test_add_func("/iommufd-eventq/wakeup/full-read-reads-on",
                    test_wakeup_full_read);
    g_test_add_func("/iommufd-eventq/wakeup/bounded", test_wakeup_bounded);
    g_test_add_func("/iommufd-eventq/drain", test_drain);
    return g_test_run();
}
