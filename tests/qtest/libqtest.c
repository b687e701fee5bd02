/*
 * libqtest: start viommu-system and talk to it over qtest and QMP.
 *
 * Start-up follows QEMU's libqtest: the test listens on two unix sockets
 * in a private temporary directory and the binary connects to both
 * ("-qtest unix:SOCK -qmp unix:QMPSOCK").  The binary is run directly
 * (arguments split with shell quoting rules), not through /bin/sh, so
 * that extra environment such as LD_PRELOAD only reaches the binary.  Accepting
 * is bounded in time and watches the child, so a binary that dies at start-up
 * fails the test (its stderr, inherited, shows why) instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "libqtest.h"

/* Default timeouts, multiplied by QTEST_TIMEOUT / 10 when set. */
#define START_TIMEOUT_MS    10000
#define REPLY_TIMEOUT_MS    30000
#define EXIT_TIMEOUT_MS     10000
#define RUN_TIMEOUT_MS      10000
/* Bulk transfers are split in pieces this big (the server allows 16 MiB). */
#define XFER_CHUNK          (1u << 20)

struct QTestState {
    pid_t pid;
    bool reaped;
    int wstatus;
    int expected_status;
    int fd;                     /* qtest socket */
    int qmp_fd;
    GString *rx;
    GString *qmp_rx;
    GQueue pending_events;      /* JsonObject * */
    bool log;
    char *tmpdir;
    char *sock_path;
    char *qmp_path;
    bool irq_level[QTEST_MAX_IRQ];
    unsigned irq_count[QTEST_MAX_IRQ];
};

/* ------------------------------------------------------------------ */
/* Helpers */

static unsigned scaled_timeout(unsigned ms)
{
    const char *env = getenv("QTEST_TIMEOUT");
    long secs = env ? strtol(env, NULL, 10) : 0;

    /* QTEST_TIMEOUT is in seconds; the defaults correspond to 10. */
    return secs > 0 ? ms / 10 * secs : ms;
}

static void qtest_cleanup_files(QTestState *s)
{
    if (s->sock_path) {
        unlink(s->sock_path);
    }
    if (s->qmp_path) {
        unlink(s->qmp_path);
    }
    if (s->tmpdir) {
        rmdir(s->tmpdir);
    }
}

/* Report a broken protocol exchange and abort the test program. */
static void G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN
qtest_fatal(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "libqtest: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (s) {
        if (!s->reaped && s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            s->reaped = true;
        }
        qtest_cleanup_files(s);
    }
    abort();
}

static gint64 now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

static void describe_status(int wstatus, char *buf, size_t len)
{
    if (WIFEXITED(wstatus)) {
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(wstatus));
    } else if (WIFSIGNALED(wstatus)) {
        snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(wstatus),
                 strsignal(WTERMSIG(wstatus)));
    } else {
        snprintf(buf, len, "ended with wait status 0x%x", wstatus);
    }
}

/* Reap the child if it has exited; true if it is gone. */
static bool qtest_child_gone(QTestState *s)
{
    if (!s->reaped && waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid) {
        s->reaped = true;
    }
    return s->reaped;
}

static void write_all(QTestState *s, int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            qtest_fatal(s, "write to viommu-system failed: %s",
                        strerror(errno));
        }
        buf += n;
        len -= n;
    }
}

/*
 * Wait until the binary has read everything sent on @fd.  For a unix
 * stream socket the kernel counts what was sent and not yet read by the
 * peer (SIOCOUTQ), so this needs no guess of how long the binary takes.
 */
static void wait_peer_read_all(QTestState *s, int fd, const char *what)
{
    gint64 deadline = now_ms() + scaled_timeout(REPLY_TIMEOUT_MS);

    for (;;) {
        int unread = 0;

        if (ioctl(fd, SIOCOUTQ, &unread) < 0) {
            qtest_fatal(s, "%s: SIOCOUTQ failed: %s", what, strerror(errno));
        }
        if (!unread) {
            return;
        }
        if (now_ms() > deadline) {
            qtest_fatal(s, "%s: viommu-system did not read its input", what);
        }
        g_usleep(1000);
    }
}

/*
 * Read more bytes from @fd into @buf, waiting at most @timeout_ms.
 * Returns false on timeout; dies if the binary closed the socket.
 */
static bool read_more(QTestState *s, int fd, GString *buf, int timeout_ms,
                      const char *what)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    char chunk[65536];
    ssize_t n;
    int ret;

    do {
        ret = poll(&pfd, 1, timeout_ms);
    } while (ret < 0 && errno == EINTR);
    if (ret == 0) {
        return false;
    }
    n = recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) {
        return true;
    }
    if (n <= 0) {
        char why[128] = "closed it";

        /* Give the child a moment to finish dying, to say how it ended. */
        for (int i = 0; i < 100 && !qtest_child_gone(s); i++) {
            g_usleep(10000);
        }
        if (s->reaped) {
            describe_status(s->wstatus, why, sizeof(why));
        }
        qtest_fatal(s, "viommu-system closed the %s socket: it %s", what, why);
    }
    g_string_append_len(buf, chunk, n);
    return true;
}

/* Take one line (without "\n" or "\r\n") from @buf, or NULL. */
static char *take_line(GString *buf)
{
    char *nl = memchr(buf->str, '\n', buf->len);
    size_t len;
    char *line;

    if (!nl) {
        return NULL;
    }
    len = nl - buf->str;
    line = g_strndup(buf->str, len);
    if (len && line[len - 1] == '\r') {
        line[len - 1] = '\0';
    }
    g_string_erase(buf, 0, len + 1);
    return line;
}

/* ------------------------------------------------------------------ */
/* Start-up */

const char *qtest_binary_path(void)
{
    const char *bin = getenv("QTEST_QEMU_BINARY");

#ifdef QTEST_QEMU_BINARY_DEFAULT
    if (!bin || !*bin) {
        bin = QTEST_QEMU_BINARY_DEFAULT;
    }
#endif
    if (!bin || !*bin) {
        fprintf(stderr, "libqtest: set QTEST_QEMU_BINARY to the path of "
                "viommu-system\n");
        abort();
    }
    return bin;
}

static int listen_unix(QTestState *s, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
        qtest_fatal(s, "cannot create socket %s", path);
    }
    strcpy(addr.sun_path, path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        qtest_fatal(s, "cannot listen on %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Accept the binary's connection, failing fast if it dies first. */
static int accept_child(QTestState *s, int listen_fd, const char *what)
{
    gint64 deadline = now_ms() + scaled_timeout(START_TIMEOUT_MS);

    for (;;) {
        struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
        char why[128];

        if (poll(&pfd, 1, 50) > 0) {
            int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

            if (fd >= 0) {
                return fd;
            }
        }
        if (qtest_child_gone(s)) {
            describe_status(s->wstatus, why, sizeof(why));
            qtest_fatal(s, "viommu-system %s before connecting to the %s "
                        "socket (see its stderr above)", why, what);
        }
        if (now_ms() > deadline) {
            qtest_fatal(s, "viommu-system did not connect to the %s socket "
                        "in time", what);
        }
    }
}

static char *build_command_line(QTestState *s, const char *binary,
                                const char *extra_args)
{
    const char *trace = getenv("QTEST_TRACE");
    /* e.g. QTEST_WRAPPER="valgrind -q --error-exitcode=99" */
    const char *wrapper = getenv("QTEST_WRAPPER");
    g_autofree char *quoted = g_shell_quote(binary ? binary
                                                   : qtest_binary_path());
    g_autofree char *bin = wrapper && *wrapper ?
        g_strdup_printf("%s %s", wrapper, quoted) : g_strdup(quoted);
    g_autofree char *trace_arg = trace ?
        g_strdup_printf("-trace '%s' ", trace) : g_strdup("");

    return g_strdup_printf("%s %s-qtest unix:%s -qtest-log %s "
                           "-qmp unix:%s -display none -nodefaults %s "
                           "-accel qtest",
                           bin, trace_arg, s->sock_path,
                           s->log ? "/dev/fd/2" : "/dev/null", s->qmp_path,
                           extra_args ? extra_args : "");
}

/*
 * In the child: run @cmd, split into words with shell quoting rules.  No
 * shell runs in between, so @envp_extra (e.g. LD_PRELOAD of a simulator)
 * affects the binary only.
 */
static void G_GNUC_NORETURN exec_command(const char *cmd,
                                         const char *const *envp_extra)
{
    char **argv = NULL;

    /* Die with the test: no stray binaries if the test crashes. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!g_shell_parse_argv(cmd, NULL, &argv, NULL)) {
        fprintf(stderr, "libqtest: cannot parse command line '%s'\n", cmd);
        _exit(127);
    }
    for (int i = 0; envp_extra && envp_extra[i]; i++) {
        putenv((char *)envp_extra[i]);
    }
    execvp(argv[0], argv);      /* a wrapper is found on PATH */
    fprintf(stderr, "libqtest: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
}

static QTestState *qtest_spawn(const char *binary, const char *extra_args,
                               const char *const *envp_extra)
{
    QTestState *s = g_new0(QTestState, 1);
    g_autofree char *cmd = NULL;
    int sock, qmp_sock;

    s->log = getenv("QTEST_LOG") != NULL;
    s->fd = s->qmp_fd = -1;
    s->rx = g_string_new(NULL);
    s->qmp_rx = g_string_new(NULL);
    g_queue_init(&s->pending_events);
    s->tmpdir = g_dir_make_tmp("qtest-XXXXXX", NULL);
    if (!s->tmpdir) {
        qtest_fatal(s, "cannot create a temporary directory");
    }
    s->sock_path = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    s->qmp_path = g_build_filename(s->tmpdir, "qmp.sock", NULL);
    sock = listen_unix(s, s->sock_path);
    qmp_sock = listen_unix(s, s->qmp_path);

    cmd = build_command_line(s, binary, extra_args);
    if (s->log) {
        fprintf(stderr, "libqtest: starting %s\n", cmd);
    }
    s->pid = fork();
    if (s->pid < 0) {
        qtest_fatal(s, "fork failed: %s", strerror(errno));
    }
    if (s->pid == 0) {
        exec_command(cmd, envp_extra);
    }
    s->fd = accept_child(s, sock, "qtest");
    s->qmp_fd = accept_child(s, qmp_sock, "QMP");
    close(sock);
    close(qmp_sock);
    /* Connected: the socket files are no longer needed. */
    qtest_cleanup_files(s);
    return s;
}

static QTestState *qtest_init_internal(const char *binary,
                                       const char *extra_args,
                                       const char *const *envp_extra,
                                       bool handshake)
{
    QTestState *s = qtest_spawn(binary, extra_args, envp_extra);

    if (handshake) {
        g_autoptr(JsonObject) greeting = qtest_qmp_receive_dict(s);

        if (!json_object_has_member(greeting, "QMP")) {
            g_autofree char *text = qtest_json_to_string(greeting);
            qtest_fatal(s, "unexpected QMP greeting %s", text);
        }
        qtest_qmp_assert_success(s, "{\"execute\": \"qmp_capabilities\"}");
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return qtest_init_internal(NULL, extra_args, NULL, true);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    g_autofree char *args = NULL;
    va_list ap;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_init(args);
}

QTestState *qtest_init_with_env(const char *extra_args,
                                const char *const *envp_extra)
{
    return qtest_init_internal(NULL, extra_args, envp_extra, true);
}

QTestState *qtest_init_binary_with_env(const char *binary,
                                       const char *extra_args,
                                       const char *const *envp_extra)
{
    return qtest_init_internal(binary, extra_args, envp_extra, true);
}

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    return qtest_init_internal(NULL, extra_args, NULL, false);
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

/* ------------------------------------------------------------------ */
/* Shutdown */

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

bool qtest_wait_exit(QTestState *s, unsigned timeout_ms, int *wstatus)
{
    gint64 deadline = now_ms() + timeout_ms;

    while (!qtest_child_gone(s) && now_ms() < deadline) {
        g_usleep(2000);
    }
    if (s->reaped && wstatus) {
        *wstatus = s->wstatus;
    }
    return s->reaped;
}

void qtest_quit(QTestState *s)
{
    char why[128];

    /* The binary exits when its qtest socket closes. */
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->qmp_fd >= 0) {
        close(s->qmp_fd);
    }
    s->fd = s->qmp_fd = -1;
    if (!qtest_wait_exit(s, scaled_timeout(EXIT_TIMEOUT_MS), NULL)) {
        qtest_fatal(s, "viommu-system did not exit after its qtest socket "
                    "closed");
    }
    if (!WIFEXITED(s->wstatus) ||
        WEXITSTATUS(s->wstatus) != s->expected_status) {
        describe_status(s->wstatus, why, sizeof(why));
        qtest_fatal(s, "viommu-system %s (expected exit status %d)", why,
                    s->expected_status);
    }
    g_queue_clear_full(&s->pending_events, (GDestroyNotify)json_object_unref);
    g_string_free(s->rx, TRUE);
    g_string_free(s->qmp_rx, TRUE);
    qtest_cleanup_files(s);
    g_free(s->tmpdir);
    g_free(s->sock_path);
    g_free(s->qmp_path);
    g_free(s);
}

/* ------------------------------------------------------------------ */
/* qtest protocol */

static void qtest_send(QTestState *s, const char *text)
{
    if (s->log) {
        fprintf(stderr, "[qtest >] %s", text);
    }
    write_all(s, s->fd, text, strlen(text));
}

void qtest_sendf_raw(QTestState *s, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(s, text);
}

void qtest_send_pieces(QTestState *s, const char *const *pieces)
{
    for (int i = 0; pieces[i]; i++) {
        qtest_send(s, pieces[i]);
        wait_peer_read_all(s, s->fd, "qtest");
    }
}

/* Record an asynchronous "IRQ raise N" / "IRQ lower N" line. */
static void qtest_handle_irq_line(QTestState *s, const char *line)
{
    char dir[8];
    int n;

    if (sscanf(line, "IRQ %7s %d", dir, &n) != 2 || n < 0 ||
        n >= QTEST_MAX_IRQ) {
        qtest_fatal(s, "malformed IRQ line '%s'", line);
    }
    if (!strcmp(dir, "raise")) {
        s->irq_level[n] = true;
        s->irq_count[n]++;
    } else if (!strcmp(dir, "lower")) {
        s->irq_level[n] = false;
    } else {
        qtest_fatal(s, "malformed IRQ line '%s'", line);
    }
}

/*
 * Next line from the qtest socket within @timeout_ms, or NULL on
 * timeout; IRQ lines are recorded and skipped.
 */
static char *qtest_next_line(QTestState *s, int timeout_ms)
{
    gint64 deadline = now_ms() + timeout_ms;

    for (;;) {
        char *line = take_line(s->rx);

        if (line) {
            if (s->log) {
                fprintf(stderr, "[qtest <] %s\n", line);
            }
            if (g_str_has_prefix(line, "IRQ ")) {
                qtest_handle_irq_line(s, line);
                g_free(line);
                continue;
            }
            return line;
        }
        if (!read_more(s, s->fd, s->rx, MAX(deadline - now_ms(), 0),
                       "qtest")) {
            return NULL;
        }
    }
}

char *qtest_recv_line(QTestState *s)
{
    char *line = qtest_next_line(s, scaled_timeout(REPLY_TIMEOUT_MS));

    if (!line) {
        qtest_fatal(s, "no reply on the qtest socket");
    }
    return line;
}

/*
 * Send @cmd and return what follows "OK" in the reply (caller frees);
 * any other reply fails the test.
 */
static char *qtest_command(QTestState *s, const char *cmd)
{
    g_autofree char *line = NULL;

    qtest_send(s, cmd);
    line = qtest_recv_line(s);
    if (strcmp(line, "OK") && !g_str_has_prefix(line, "OK ")) {
        qtest_fatal(s, "qtest command '%.*s' failed: %s",
                    (int)MIN(strcspn(cmd, "\n"), 80), cmd, line);
    }
    return g_strdup(line[2] ? line + 3 : "");
}

static char *G_GNUC_PRINTF(2, 3) qtest_commandf(QTestState *s,
                                                const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    va_list ap;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return qtest_command(s, cmd);
}

static uint64_t parse_u64_reply(QTestState *s, const char *val)
{
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(val, &end, 0);
    if (errno || end == val || *end) {
        qtest_fatal(s, "bad number '%s' in qtest reply", val);
    }
    return v;
}

static uint64_t qtest_read_sized(QTestState *s, char w, uint64_t addr)
{
    g_autofree char *val = qtest_commandf(s, "read%c 0x%" PRIx64 "\n",
                                          w, addr);

    return parse_u64_reply(s, val);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_read_sized(s, 'b', addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_read_sized(s, 'w', addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_read_sized(s, 'l', addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_read_sized(s, 'q', addr);
}

static void qtest_write_sized(QTestState *s, char w, uint64_t addr,
                              uint64_t val)
{
    g_free(qtest_commandf(s, "write%c 0x%" PRIx64 " 0x%" PRIx64 "\n",
                          w, addr, val));
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value)
{
    qtest_write_sized(s, 'b', addr, value);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t value)
{
    qtest_write_sized(s, 'w', addr, value);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t value)
{
    qtest_write_sized(s, 'l', addr, value);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value)
{
    qtest_write_sized(s, 'q', addr, value);
}

static void qtest_memread_chunk(QTestState *s, uint64_t addr, uint8_t *data,
                                size_t size)
{
    g_autofree char *hex = qtest_commandf(s, "read 0x%" PRIx64 " 0x%zx\n",
                                          addr, size);

    if (strncmp(hex, "0x", 2) || strlen(hex) != 2 + 2 * size) {
        qtest_fatal(s, "bad 'read' reply of %zu characters for %zu bytes",
                    strlen(hex), size);
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(hex[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(hex[3 + 2 * i]);

        if (hi < 0 || lo < 0) {
            qtest_fatal(s, "bad hex digit in 'read' reply");
        }
        data[i] = hi << 4 | lo;
    }
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    for (size_t off = 0; off < size; off += XFER_CHUNK) {
        qtest_memread_chunk(s, addr + off, (uint8_t *)data + off,
                            MIN(size - off, XFER_CHUNK));
    }
}

static void qtest_memwrite_chunk(QTestState *s, uint64_t addr,
                                 const uint8_t *data, size_t size)
{
    GString *cmd = g_string_sized_new(2 * size + 64);

    g_string_printf(cmd, "write 0x%" PRIx64 " 0x%zx 0x", addr, size);
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(cmd, "%02x", data[i]);
    }
    g_string_append_c(cmd, '\n');
    g_free(qtest_command(s, cmd->str));
    g_string_free(cmd, TRUE);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    if (!size) {
        return;
    }
    for (size_t off = 0; off < size; off += XFER_CHUNK) {
        qtest_memwrite_chunk(s, addr + off, (const uint8_t *)data + off,
                             MIN(size - off, XFER_CHUNK));
    }
}

static void qtest_bufread_chunk(QTestState *s, uint64_t addr, void *data,
                                size_t size)
{
    g_autofree char *b64 = qtest_commandf(s, "b64read 0x%" PRIx64 " 0x%zx\n",
                                          addr, size);
    g_autofree uint8_t *bytes = NULL;
    gsize len;

    bytes = g_base64_decode(b64, &len);
    if (len != size) {
        qtest_fatal(s, "b64read returned %zu bytes instead of %zu",
                    (size_t)len, size);
    }
    memcpy(data, bytes, size);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    for (size_t off = 0; off < size; off += XFER_CHUNK) {
        qtest_bufread_chunk(s, addr + off, (uint8_t *)data + off,
                            MIN(size - off, XFER_CHUNK));
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    for (size_t off = 0; off < size; off += XFER_CHUNK) {
        size_t len = MIN(size - off, XFER_CHUNK);
        g_autofree char *b64 = g_base64_encode((const uint8_t *)data + off,
                                               len);

        g_free(qtest_commandf(s, "b64write 0x%" PRIx64 " 0x%zx %s\n",
                              addr + off, len, b64));
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    for (size_t off = 0; off < size; off += XFER_CHUNK) {
        g_free(qtest_commandf(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x\n",
                              addr + off, MIN(size - off, XFER_CHUNK),
                              pattern));
    }
}

bool qtest_big_endian(QTestState *s)
{
    g_autofree char *val = qtest_command(s, "endianness\n");

    return !strcmp(val, "big");
}

static int64_t clock_reply(QTestState *s, char *val)
{
    g_autofree char *owned = val;
    char *end;
    int64_t ns;

    errno = 0;
    ns = g_ascii_strtoll(owned, &end, 10);
    if (errno || end == owned || *end) {
        qtest_fatal(s, "bad clock value '%s'", owned);
    }
    return ns;
}

int64_t qtest_clock_step(QTestState *s, int64_t step)
{
    return clock_reply(s, qtest_commandf(s, "clock_step %" PRId64 "\n",
                                         step));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return clock_reply(s, qtest_command(s, "clock_step\n"));
}

int64_t qtest_clock_set(QTestState *s, int64_t val)
{
    return clock_reply(s, qtest_commandf(s, "clock_set %" PRId64 "\n", val));
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_commandf(s, "irq_intercept_in %s\n", qom_path));
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level)
{
    g_free(qtest_commandf(s, "set_irq_in %s %s %d %d\n", qom_path,
                          name ? name : "unnamed-gpio-in", num, level));
}

static void check_irq_num(QTestState *s, int num)
{
    if (num < 0 || num >= QTEST_MAX_IRQ) {
        qtest_fatal(s, "IRQ %d out of range", num);
    }
}

/* A round trip, so that IRQ lines sent before it have been seen. */
static void qtest_sync(QTestState *s)
{
    g_free(qtest_command(s, "endianness\n"));
}

bool qtest_get_irq(QTestState *s, int num)
{
    check_irq_num(s, num);
    qtest_sync(s);
    return s->irq_level[num];
}

unsigned qtest_get_irq_count(QTestState *s, int num)
{
    check_irq_num(s, num);
    qtest_sync(s);
    return s->irq_count[num];
}

bool qtest_wait_irq_count(QTestState *s, int num, unsigned count,
                          unsigned timeout_ms)
{
    gint64 deadline = now_ms() + timeout_ms;

    check_irq_num(s, num);
    qtest_sync(s);
    /* Interrupts from host events arrive between replies: poll for them. */
    while (s->irq_count[num] < count && now_ms() < deadline) {
        char *line;

        if (!read_more(s, s->fd, s->rx, MAX(deadline - now_ms(), 0),
                       "qtest")) {
            break;
        }
        while (s->rx->len && memchr(s->rx->str, '\n', s->rx->len)) {
            line = qtest_next_line(s, 0);
            if (line) {
                qtest_fatal(s, "unexpected qtest line '%s'", line);
            }
        }
    }
    return s->irq_count[num] >= count;
}

/* ------------------------------------------------------------------ */
/* QMP */

char *qtest_json_to_string(JsonObject *obj)
{
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), obj);

    return json_to_string(node, FALSE);
}

/*
 * Turn 'single-quoted' strings into "double-quoted" ones, as QEMU's JSON
 * parser accepts them and tests are written that way.
 */
static char *qmp_fix_quotes(const char *in)
{
    GString *out = g_string_sized_new(strlen(in) + 16);
    char quote = 0;

    for (const char *p = in; *p; p++) {
        if (!quote) {
            if (*p == '"' || *p == '\'') {
                quote = *p;
            }
            g_string_append_c(out, *p == '\'' ? '"' : *p);
        } else if (*p == '\\' && p[1]) {
            p++;
            /* \' needs no escape once the string is double-quoted. */
            if (!(quote == '\'' && *p == '\'')) {
                g_string_append_c(out, '\\');
            }
            g_string_append_c(out, *p);
        } else if (*p == quote) {
            g_string_append_c(out, '"');
            quote = 0;
        } else if (quote == '\'' && *p == '"') {
            g_string_append(out, "\\\"");
        } else {
            g_string_append_c(out, *p);
        }
    }
    return g_string_free(out, FALSE);
}

static void qmp_send_text(QTestState *s, const char *text)
{
    if (s->log) {
        fprintf(stderr, "[qmp >] %s%s", text,
                g_str_has_suffix(text, "\n") ? "" : "\n");
    }
    write_all(s, s->qmp_fd, text, strlen(text));
}

static void qtest_vqmp_send(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);

static void qtest_vqmp_send(QTestState *s, const char *fmt, va_list ap)
{
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    g_autofree char *fixed = qmp_fix_quotes(text);
    g_autofree char *line = g_strconcat(fixed, "\n", NULL);

    qmp_send_text(s, line);
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    qtest_vqmp_send(s, fmt, ap);
    va_end(ap);
}

void qtest_qmp_send_raw(QTestState *s, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_send_text(s, text);
}

void qtest_qmp_send_pieces(QTestState *s, const char *const *pieces)
{
    for (int i = 0; pieces[i]; i++) {
        qmp_send_text(s, pieces[i]);
        wait_peer_read_all(s, s->qmp_fd, "QMP");
    }
}

JsonObject *qtest_qmp_receive_dict(QTestState *s)
{
    gint64 deadline = now_ms() + scaled_timeout(REPLY_TIMEOUT_MS);

    for (;;) {
        g_autofree char *line = take_line(s->qmp_rx);
        g_autoptr(JsonParser) parser = NULL;
        g_autoptr(GError) err = NULL;
        JsonNode *root;

        if (!line) {
            if (!read_more(s, s->qmp_fd, s->qmp_rx,
                           MAX(deadline - now_ms(), 0), "QMP")) {
                qtest_fatal(s, "no message on the QMP socket");
            }
            continue;
        }
        if (!*line) {
            continue;
        }
        if (s->log) {
            fprintf(stderr, "[qmp <] %s\n", line);
        }
        parser = json_parser_new();
        if (!json_parser_load_from_data(parser, line, -1, &err) ||
            !(root = json_parser_get_root(parser)) ||
            !JSON_NODE_HOLDS_OBJECT(root)) {
            qtest_fatal(s, "bad QMP message '%s'", line);
        }
        return json_node_dup_object(root);
    }
}

JsonObject *qtest_qmp_receive(QTestState *s)
{
    for (;;) {
        JsonObject *msg = qtest_qmp_receive_dict(s);

        if (!json_object_has_member(msg, "event")) {
            return msg;
        }
        g_queue_push_tail(&s->pending_events, msg);
    }
}

JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
{
    qtest_vqmp_send(s, fmt, ap);
    return qtest_qmp_receive(s);
}

JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    JsonObject *resp;
    va_list ap;

    va_start(ap, fmt);
    resp = qtest_vqmp(s, fmt, ap);
    va_end(ap);
    return resp;
}

static JsonNode *G_GNUC_PRINTF(2, 0)
qtest_vqmp_assert_success_ref(QTestState *s, const char *fmt, va_list ap)
{
    g_autoptr(JsonObject) resp = qtest_vqmp(s, fmt, ap);
    JsonNode *ret = json_object_get_member(resp, "return");

    if (!ret) {
        g_autofree char *text = qtest_json_to_string(resp);
        qtest_fatal(s, "QMP command failed: %s", text);
    }
    return json_node_copy(ret);
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    json_node_unref(qtest_vqmp_assert_success_ref(s, fmt, ap));
    va_end(ap);
}

JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
{
    JsonNode *ret;
    va_list ap;

    va_start(ap, fmt);
    ret = qtest_vqmp_assert_success_ref(s, fmt, ap);
    va_end(ap);
    return ret;
}

static bool is_event(JsonObject *msg, const char *event)
{
    const char *name = json_object_get_string_member_with_default(
        msg, "event", NULL);

    return name && !strcmp(name, event);
}

JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event)
{
    for (GList *l = s->pending_events.head; l; l = l->next) {
        if (is_event(l->data, event)) {
            JsonObject *msg = l->data;

            g_queue_delete_link(&s->pending_events, l);
            return msg;
        }
    }
    return NULL;
}

JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event)
{
    JsonObject *msg = qtest_qmp_event_ref(s, event);

    while (!msg) {
        msg = qtest_qmp_receive_dict(s);
        if (is_event(msg, event)) {
            break;
        }
        if (json_object_has_member(msg, "event")) {
            /* Someone else may wait for this one later. */
            g_queue_push_tail(&s->pending_events, msg);
        } else {
            g_autofree char *text = qtest_json_to_string(msg);
            qtest_fatal(s, "unexpected QMP reply while waiting for event "
                        "%s: %s", event, text);
        }
        msg = NULL;
    }
    return msg;
}

void qtest_qmp_eventwait(QTestState *s, const char *event)
{
    json_object_unref(qtest_qmp_eventwait_ref(s, event));
}

/* ------------------------------------------------------------------ */
/* Running the binary without the protocols */

/* Read what @fd has into @buf; false at EOF. */
static bool drain_fd(int fd, GString *buf)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));

    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return true;
    }
    if (n <= 0) {
        return false;
    }
    g_string_append_len(buf, chunk, n);
    return true;
}

bool qtest_run_binary_full(const char *args, const char *const *envp_extra,
                           int *exit_status, char **stdout_out,
                           char **stderr_out)
{
    g_autofree char *bin = g_shell_quote(qtest_binary_path());
    g_autofree char *cmd = g_strdup_printf("%s %s", bin, args ? args : "");
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) err = g_string_new(NULL);
    gint64 deadline = now_ms() + scaled_timeout(RUN_TIMEOUT_MS);
    int out_pipe[2], err_pipe[2];
    struct pollfd pfd[2];
    bool timed_out = false;
    int wstatus;
    pid_t pid;

    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
        return false;
    }
    pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);

        dup2(devnull, STDIN_FILENO);
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        exec_command(cmd, envp_extra);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    pfd[0] = (struct pollfd) { .fd = out_pipe[0], .events = POLLIN };
    pfd[1] = (struct pollfd) { .fd = err_pipe[0], .events = POLLIN };
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        int left = MAX(deadline - now_ms(), 0);

        if (poll(pfd, 2, left) == 0) {
            timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd >= 0 && pfd[i].revents &&
                !drain_fd(pfd[i].fd, i ? err : out)) {
                close(pfd[i].fd);
                pfd[i].fd = -1;     /* poll() ignores negative fds */
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (pfd[i].fd >= 0) {
            close(pfd[i].fd);
        }
    }
    if (waitpid(pid, &wstatus, 0) != pid) {
        return false;
    }
    *exit_status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                      : 128 + WTERMSIG(wstatus);
    if (stdout_out) {
        *stdout_out = g_strdup(out->str);
    }
    if (stderr_out) {
        *stderr_out = g_strdup(err->str);
    }
    return !timed_out;
}

bool qtest_run_binary(const char *args, int *exit_status, char **stderr_out)
{
    return qtest_run_binary_full(args, NULL, exit_status, NULL, stderr_out);
}
