/*
 * Unit tests: the buffered socket client of the QMP and qtest servers
 * (util/socket-client.c), against the contract in
 * include/qemu/socket-client.h, over a socketpair driven by the main loop.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/main-loop.h"
#include "qemu/socket-client.h"

#define HIGH_WATER 4096

typedef struct Owner {
    SocketClient sc;
    int peer;                   /* the test's end of the socketpair */
    GString *in;                /* what ops->receive got */
    int resumes;
    int broken;
    bool hold;                  /* receive: keep input, as a full queue */
    bool detach_on_broken;      /* broken: detach right away (qtest) */
} Owner;

static void owner_receive(void *opaque, const char *buf, size_t len)
{
    Owner *o = opaque;

    g_assert_cmpuint(len, >, 0);
    g_string_append_len(o->in, buf, len);
}

static void owner_resume(void *opaque)
{
    Owner *o = opaque;

    o->resumes++;
}

static void owner_broken(void *opaque)
{
    Owner *o = opaque;

    o->broken++;
    if (o->detach_on_broken) {
        socket_client_detach(&o->sc);
    }
}

static const SocketClientOps owner_ops = {
    .receive = owner_receive,
    .resume = owner_resume,
    .broken = owner_broken,
};

static void owner_open(Owner *o)
{
    int sv[2];

    memset(o, 0, sizeof(*o));
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
                               SOCK_CLOEXEC, 0, sv), ==, 0);
    o->peer = sv[1];
    o->in = g_string_new(NULL);
    socket_client_init(&o->sc, HIGH_WATER, &owner_ops, o);
    socket_client_attach(&o->sc, sv[0]);
}

static void owner_close(Owner *o)
{
    socket_client_cleanup(&o->sc);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, 0);
    if (o->peer >= 0) {
        close(o->peer);
    }
    g_string_free(o->in, TRUE);
}

/* Non-blocking iterations until @cond holds or about two seconds passed. */
#define RUN_UNTIL(cond)                                                     \
    do {                                                                    \
        gint64 end_ = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;          \
        while (!(cond) && g_get_monotonic_time() < end_) {                  \
            main_loop_wait(true);                                           \
        }                                                                   \
    } while (0)

static void run_idle(int n)
{
    for (int i = 0; i < n; i++) {
        main_loop_wait(true);
    }
}

/* Read what the peer has now; returns the byte count. */
static size_t peer_drain(Owner *o, GString *got)
{
    size_t total = 0;

    for (;;) {
        char buf[65536];
        ssize_t n = read(o->peer, buf, sizeof(buf));

        if (n <= 0) {
            return total;
        }
        if (got) {
            g_string_append_len(got, buf, n);
        }
        total += n;
    }
}

/* Bytes arrive through ops->receive, in order, however they are split. */
static void test_receive(void)
{
    Owner o;

    owner_open(&o);
    g_assert_cmpint(write(o.peer, "abc", 3), ==, 3);
    RUN_UNTIL(o.in->len == 3);
    g_assert_cmpint(write(o.peer, "de\n", 3), ==, 3);
    RUN_UNTIL(o.in->len == 6);
    g_assert_cmpstr(o.in->str, ==, "abcde\n");
    g_assert_cmpint(o.broken, ==, 0);
    owner_close(&o);
}

/* What the socket takes is written at once, in order, nothing queued. */
static void test_send(void)
{
    g_autoptr(GString) got = g_string_new(NULL);
    Owner o;

    owner_open(&o);
    socket_client_send(&o.sc, "OK 1\n", 5);
    socket_client_queue(&o.sc, "OK ", 3);
    socket_client_queue(&o.sc, "2\n", 2);
    /* Queued only: the peer has the first reply, not the second. */
    g_assert_cmpuint(o.sc.out->len, ==, 5);
    socket_client_flush(&o.sc);
    g_assert_cmpuint(o.sc.out->len, ==, 0);
    peer_drain(&o, got);
    g_assert_cmpstr(got->str, ==, "OK 1\nOK 2\n");
    owner_close(&o);
}

/*
 * A peer that does not read: output beyond the socket's buffer is queued;
 * past the high-water mark input is no longer read; once the peer reads,
 * the queue drains, ops->resume runs and the held input comes through.
 */
static void test_backpressure(void)
{
    g_autofree char *big = g_malloc(1 << 20);
    g_autoptr(GString) got = g_string_new(NULL);
    Owner o;

    memset(big, 'x', 1 << 20);
    owner_open(&o);
    socket_client_send(&o.sc, big, 1 << 20);
    g_assert_cmpuint(o.sc.out->len, >, HIGH_WATER);
    g_assert_false(socket_client_wants_input(&o.sc));

    g_assert_cmpint(write(o.peer, "cmd\n", 4), ==, 4);
    run_idle(20);
    g_assert_cmpuint(o.in->len, ==, 0);
    g_assert_cmpint(o.resumes, ==, 0);

    /* The peer reads: the write handler sends the rest. */
    RUN_UNTIL((peer_drain(&o, got), got->len == 1 << 20 && o.in->len == 4));
    g_assert_cmpuint(got->len, ==, 1 << 20);
    g_assert_cmpuint(o.sc.out->len, ==, 0);
    g_assert_cmpint(o.resumes, >, 0);
    g_assert_true(socket_client_wants_input(&o.sc));
    g_assert_cmpstr(o.in->str, ==, "cmd\n");
    g_assert_cmpint(o.broken, ==, 0);
    owner_close(&o);
}

/* EOF is reported once; the client stops its I/O and keeps its fd. */
static void test_eof(void)
{
    Owner o;

    owner_open(&o);
    close(o.peer);
    o.peer = -1;
    RUN_UNTIL(o.broken);
    run_idle(10);
    g_assert_cmpint(o.broken, ==, 1);
    g_assert_true(o.sc.broken);
    g_assert_cmpint(o.sc.fd, >=, 0);
    /* Nothing is queued or written any more. */
    socket_client_send(&o.sc, "late\n", 5);
    g_assert_cmpuint(o.sc.out->len, ==, 0);
    g_assert_false(socket_client_wants_input(&o.sc));
    g_assert_cmpuint(qemu_fd_handler_count(), ==, 0);
    owner_close(&o);
}

/* An owner may detach from ops->broken; a failed send is reported once. */
static void test_send_error_detach(void)
{
    Owner o;

    owner_open(&o);
    o.detach_on_broken = true;
    close(o.peer);
    o.peer = -1;
    socket_client_send(&o.sc, "OK\n", 3);
    g_assert_cmpint(o.broken, ==, 1);
    g_assert_cmpint(o.sc.fd, ==, -1);
    g_assert_false(o.sc.broken);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, 0);
    socket_client_send(&o.sc, "OK\n", 3);
    g_assert_cmpint(o.broken, ==, 1);
    owner_close(&o);
}

/* The owner gives up (a peer that lets too much pile up, in QMP). */
static void test_mark_broken(void)
{
    Owner o;

    owner_open(&o);
    socket_client_mark_broken(&o.sc);
    socket_client_mark_broken(&o.sc);
    g_assert_cmpint(o.broken, ==, 1);
    socket_client_update_handlers(&o.sc);
    g_assert_cmpuint(qemu_fd_handler_count(), ==, 0);
    g_assert_cmpint(write(o.peer, "x\n", 2), ==, 2);
    run_idle(10);
    g_assert_cmpuint(o.in->len, ==, 0);
    owner_close(&o);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/socket-client/receive", test_receive);
    g_test_add_func("/socket-client/send", test_send);
    g_test_add_func("/socket-client/backpressure", test_backpressure);
    g_test_add_func("/socket-client/eof", test_eof);
    g_test_add_func("/socket-client/send-error-detach",
                    test_send_error_detach);
    g_test_add_func("/socket-client/mark-broken", test_mark_broken);
    return g_test_run();
}
