/*
 * Buffered socket clients for the QMP and qtest servers (see
 * include/qemu/socket-client.h).
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/main-loop.h"
#include "qemu/socket-client.h"
#include "trace.h"

void socket_client_init(SocketClient *sc, size_t out_high_water,
                        const SocketClientOps *ops, void *opaque)
{
    *sc = (SocketClient) {
        .fd = -1,
        .out = g_string_new(NULL),
        .out_high_water = out_high_water,
        .ops = ops,
        .opaque = opaque,
    };
}

void socket_client_attach(SocketClient *sc, int fd)
{
    sc->fd = fd;
    sc->broken = false;
    socket_client_update_handlers(sc);
}

void socket_client_detach(SocketClient *sc)
{
    if (sc->fd >= 0) {
        qemu_set_fd_handler(sc->fd, NULL, NULL, NULL);
        close(sc->fd);
        sc->fd = -1;
    }
    g_string_truncate(sc->out, 0);
    sc->broken = false;
}

void socket_client_cleanup(SocketClient *sc)
{
    socket_client_detach(sc);
    g_string_free(sc->out, TRUE);
    sc->out = NULL;
}

bool socket_client_wants_input(const SocketClient *sc)
{
    return !sc->broken && sc->out->len < sc->out_high_water;
}

void socket_client_mark_broken(SocketClient *sc)
{
    if (sc->broken) {
        return;
    }
    sc->broken = true;
    /* The owner may detach here (fd -1), never free @sc. */
    sc->ops->broken(sc->opaque);
}

void socket_client_flush(SocketClient *sc)
{
    while (sc->fd >= 0 && !sc->broken && sc->out->len) {
        ssize_t n = send(sc->fd, sc->out->str, sc->out->len,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            trace_socket_client_error(sc->fd, "send", n < 0 ? errno : 0);
            socket_client_mark_broken(sc);
            break;
        }
        g_string_erase(sc->out, 0, n);
    }
}

void socket_client_queue(SocketClient *sc, const char *buf, size_t len)
{
    if (sc->fd < 0 || sc->broken) {
        return;
    }
    g_string_append_len(sc->out, buf, len);
}

void socket_client_send(SocketClient *sc, const char *buf, size_t len)
{
    if (sc->fd < 0 || sc->broken) {
        return;
    }
    g_string_append_len(sc->out, buf, len);
    socket_client_flush(sc);
    socket_client_update_handlers(sc);
}

/* Fds one read may bring (SCM_RIGHTS); more are closed by the kernel. */
#define SOCKET_CLIENT_MAX_FDS 16

/* Hand SCM_RIGHTS fds to the owner, or close them if it takes none. */
static void socket_client_pass_fds(SocketClient *sc, struct msghdr *msg)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm;
         cm = CMSG_NXTHDR(msg, cm)) {
        int fds[SOCKET_CLIENT_MAX_FDS];
        size_t n;

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
            cm->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        n = MIN((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int),
                (size_t)SOCKET_CLIENT_MAX_FDS);
        memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
        if (sc->ops->receive_fds) {
            sc->ops->receive_fds(sc->opaque, fds, n);
        } else {
            for (size_t i = 0; i < n; i++) {
                close(fds[i]);
            }
        }
    }
}

static void socket_client_read(void *opaque)
{
    SocketClient *sc = opaque;
    char buf[65536];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * SOCKET_CLIENT_MAX_FDS)];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control.buf, .msg_controllen = sizeof(control.buf),
    };
    ssize_t n;

    /*
     * recvmsg() rather than recv(): a QMP client passes fds with the
     * command that names them (getfd), and fds must not leak into a
     * server that does not expect them.
     */
    memset(&control, 0, sizeof(control));
    n = recvmsg(sc->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return;
    }
    /* Only a successful recvmsg() says how much control data is real. */
    if (n >= 0 && msg.msg_controllen) {
        socket_client_pass_fds(sc, &msg);
    }
    if (n <= 0) {
        trace_socket_client_error(sc->fd, "recv", n < 0 ? errno : 0);
        socket_client_mark_broken(sc);
    } else {
        sc->ops->receive(sc->opaque, buf, n);
    }
    socket_client_update_handlers(sc);
}

static void socket_client_write(void *opaque)
{
    SocketClient *sc = opaque;

    socket_client_flush(sc);
    /* Room again: the owner handles the input it held back. */
    sc->ops->resume(sc->opaque);
    socket_client_update_handlers(sc);
}

void socket_client_update_handlers(SocketClient *sc)
{
    bool want_read, want_write;

    if (sc->fd < 0) {
        return;
    }
    want_read = socket_client_wants_input(sc);
    want_write = !sc->broken && sc->out->len > 0;
    qemu_set_fd_handler(sc->fd, want_read ? socket_client_read : NULL,
                        want_write ? socket_client_write : NULL, sc);
}
