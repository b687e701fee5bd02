/*
 * A buffered client of a stream socket, driven by the main loop: the
 * output queue, non-blocking writes, and fd handlers that stop reading
 * while too much output waits.  The QMP and qtest servers both use it;
 * what the bytes mean stays with them.
 *
 * The owner gets what arrives through ops->receive and queues replies
 * with socket_client_send().  While more than @out_high_water bytes wait
 * for the peer, input is not read (the kernel's socket buffer pushes back
 * on the peer), so a peer that does not read its replies cannot make us
 * queue without limit.  When the queue drains, ops->resume lets the owner
 * handle input it held back.  EOF or an I/O error is reported once
 * through ops->broken; after that no more I/O is done.
 */
#ifndef QEMU_SOCKET_CLIENT_H
#define QEMU_SOCKET_CLIENT_H

typedef struct SocketClient SocketClient;

typedef struct SocketClientOps {
    /* @len bytes (at least one) arrived. */
    void (*receive)(void *opaque, const char *buf, size_t len);
    /*
     * Optional: @n fds arrived with SCM_RIGHTS, before the bytes they
     * came with; the owner owns them now.  Without it they are closed.
     */
    void (*receive_fds)(void *opaque, const int *fds, size_t n);
    /* The output queue was written out: go on with held-back input. */
    void (*resume)(void *opaque);
    /*
     * EOF or an I/O error; called once, from inside a helper call.  The
     * owner may detach here, but must free the client only later (e.g.
     * from a bottom half): the helper still looks at it on return.
     */
    void (*broken)(void *opaque);
} SocketClientOps;

struct SocketClient {
    int fd;                     /* -1 while detached */
    bool broken;                /* EOF or I/O error: no more I/O */
    GString *out;               /* queued for the peer */
    size_t out_high_water;
    const SocketClientOps *ops;
    void *opaque;
};

/* Set up @sc, detached, with an empty output queue. */
void socket_client_init(SocketClient *sc, size_t out_high_water,
                        const SocketClientOps *ops, void *opaque);
/* Serve @fd (non-blocking, owned by @sc from now on). */
void socket_client_attach(SocketClient *sc, int fd);
/* Stop watching and close the fd, drop queued output; @sc can attach again. */
void socket_client_detach(SocketClient *sc);
/* Detach and free the output queue. */
void socket_client_cleanup(SocketClient *sc);

/* Is the owner to handle more input now (not broken, queue not full)? */
bool socket_client_wants_input(const SocketClient *sc);

/* Queue @len bytes; nothing is written yet.  No-op if detached or broken. */
void socket_client_queue(SocketClient *sc, const char *buf, size_t len);
/*
 * Queue @len bytes, write what the socket takes now and leave the rest
 * to the write handler.  Does nothing when detached or broken.
 */
void socket_client_send(SocketClient *sc, const char *buf, size_t len);
/* Write what the socket takes now, without blocking. */
void socket_client_flush(SocketClient *sc);
/* Give up on the peer (e.g. it lets too much output pile up). */
void socket_client_mark_broken(SocketClient *sc);
/* (Re)install the fd handlers for the current state. */
void socket_client_update_handlers(SocketClient *sc);

#endif
