/*
 * The iommufd simulator's control-socket client, shared by the libqos
 * guest drivers (qos-intel-iommu, qos-smmuv3), sim-helpers.c and the
 * tests (docs/devel/iommufd-sim.rst, "Control protocol").
 *
 * Header-only on purpose: there is one definition, and a target that
 * links either driver, or both, needs no extra source file and gets no
 * duplicate symbol.  (tests/bench links the drivers from its own
 * meson.build; a .c file would have to be added there as well.)
 */
#ifndef QOS_SIM_H
#define QOS_SIM_H

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

/* A reply ends with its "OK..." or "ERR..." line. */
static inline bool qsim_reply_complete(const GString *r)
{
    const char *line;

    if (!r->len || r->str[r->len - 1] != '\n') {
        return false;
    }
    line = r->str + r->len - 1;
    while (line > r->str && line[-1] != '\n') {
        line--;
    }
    return g_str_has_prefix(line, "OK") || g_str_has_prefix(line, "ERR");
}

/*
 * Send one command line, return the whole reply (data lines, then the
 * "OK ..."/"ERR ..." line); g_free() it.  The simulator's control thread
 * starts with the binary, so a socket that is not there yet is waited
 * for (5 s); after that the reply is "ERR ECONNREFUSED <why>".  A
 * connection closed before the last line gives what was received, which
 * qsim_ok() does not take for success.
 *
 * It returns once the simulator has hung up: its end of the connection
 * is closed, so a command leaves no fd behind in the binary, and tests
 * can count the binary's fds right after one.
 */
static inline char *qsim_vcmd(const char *sock, const char *fmt, va_list ap)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    g_autofree char *msg = g_strdup_printf("%s\n", line);
    GString *reply = g_string_new(NULL);
    ssize_t len = strlen(msg);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int err = 0;

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));
    for (int i = 0; i < 500; i++) {
        if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
            err = 0;
            break;
        }
        err = errno;
        if (err != ENOENT && err != ECONNREFUSED && err != EINTR) {
            break;
        }
        g_usleep(10 * 1000);
    }
    if (err) {
        g_string_append_printf(reply, "ERR ECONNREFUSED %s: %s\n", sock,
                               g_strerror(err));
        close(fd);
        return g_string_free(reply, FALSE);
    }
    g_assert_cmpint(write(fd, msg, len), ==, len);
    while (!qsim_reply_complete(reply)) {
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        g_string_append_len(reply, buf, n);
    }
    /*
     * The simulator closes a connection when it reads EOF on it: say we
     * are done, and wait for its close (EOF here) instead of leaving it
     * to happen some time later in the binary.
     */
    shutdown(fd, SHUT_WR);
    for (;;) {
        char buf[256];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n == 0 || (n < 0 && errno != EINTR)) {
            break;
        }
    }
    close(fd);
    return g_string_free(reply, FALSE);
}

static inline char * G_GNUC_PRINTF(2, 3)
qsim_cmd(const char *sock, const char *fmt, ...)
{
    va_list ap;
    char *reply;

    va_start(ap, fmt);
    reply = qsim_vcmd(sock, fmt, ap);
    va_end(ap);
    return reply;
}

/* True if the reply's last non-empty line starts with "OK". */
static inline bool qsim_ok(const char *reply)
{
    const char *line = reply + strlen(reply);

    while (line > reply && line[-1] == '\n') {
        line--;
    }
    while (line > reply && line[-1] != '\n') {
        line--;
    }
    return g_str_has_prefix(line, "OK");
}

#endif
