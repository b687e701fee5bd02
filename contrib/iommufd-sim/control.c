/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Control protocol: one command per line, one reply per command.  A reply
 * is a single "OK ..." or "ERR <ERRNO-NAME> <message>" line, optionally
 * preceded by data lines (which never start with "OK" or "ERR").
 *
 * The same parser serves the Unix socket at $IOMMUFD_SIM_SOCKET (a thread
 * polling the listener and its clients) and sim_command() in-process.  The
 * parser calls the public API, which takes the simulator lock itself.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sim-internal.h"

/* ---- errno names ---- */

static const struct {
    const char *name;
    int err;
} errnos[] = {
    {"EPERM", EPERM},         {"ENOENT", ENOENT},
    {"EINTR", EINTR},         {"EIO", EIO},
    {"E2BIG", E2BIG},         {"EBADF", EBADF},
    {"EAGAIN", EAGAIN},       {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},       {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},         {"EEXIST", EEXIST},
    {"ENODEV", ENODEV},       {"EINVAL", EINVAL},
    {"ENOSPC", ENOSPC},       {"ESPIPE", ESPIPE},
    {"ENOTTY", ENOTTY},       {"ERANGE", ERANGE},
    {"ENOSYS", ENOSYS},       {"ELOOP", ELOOP},
    {"EOVERFLOW", EOVERFLOW}, {"EBADFD", EBADFD},
    {"EMSGSIZE", EMSGSIZE},   {"EOPNOTSUPP", EOPNOTSUPP},
    {"ETIMEDOUT", ETIMEDOUT}, {"EADDRINUSE", EADDRINUSE},
    {"ENXIO", ENXIO},         {"EPIPE", EPIPE},
};

static const char *errno_name(int err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(errnos); i++) {
        if (errnos[i].err == err) {
            return errnos[i].name;
        }
    }
    return "EUNKNOWN";
}

static bool parse_errno(const char *s, int *err)
{
    char *end;

    for (size_t i = 0; i < G_N_ELEMENTS(errnos); i++) {
        if (!g_ascii_strcasecmp(s, errnos[i].name)) {
            *err = errnos[i].err;
            return true;
        }
    }
    *err = strtol(s, &end, 0);
    return end != s && !*end && *err > 0;
}

/* ---- argument parsing ---- */

static bool parse_u64(const char *s, uint64_t *v)
{
    if (g_str_has_prefix(s, "0x") || g_str_has_prefix(s, "0X")) {
        return g_ascii_string_to_unsigned(s + 2, 16, 0, UINT64_MAX, v, NULL);
    }
    return g_ascii_string_to_unsigned(s, 10, 0, UINT64_MAX, v, NULL);
}

static bool parse_pasid(const char *s, int64_t *pasid)
{
    uint64_t v;

    if (!strcmp(s, "-")) {
        *pasid = SIM_NO_PASID;
        return true;
    }
    if (!parse_u64(s, &v) || v >= (1u << 20)) {
        return false;
    }
    *pasid = v;
    return true;
}

/* "r", "rw", "wxp", "-": the access / permission letters */
static bool parse_perm(const char *s, uint32_t *perm)
{
    *perm = 0;
    if (!strcmp(s, "-")) {
        return true;
    }
    for (; *s; s++) {
        switch (*s) {
        case 'r':
            *perm |= SIM_ACCESS_READ;
            break;
        case 'w':
            *perm |= SIM_ACCESS_WRITE;
            break;
        case 'x':
            *perm |= SIM_ACCESS_EXEC;
            break;
        case 'p':
            *perm |= SIM_ACCESS_PRIV;
            break;
        default:
            return false;
        }
    }
    return true;
}

static bool parse_hex(const char *s, uint8_t *out, size_t len)
{
    if (strlen(s) != len * 2) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(s[2 * i]);
        int lo = g_ascii_xdigit_value(s[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = hi << 4 | lo;
    }
    return true;
}

static bool parse_queue(const char *s, enum sim_queue_kind *kind)
{
    if (!strcmp(s, "fault")) {
        *kind = SIM_QUEUE_FAULT;
    } else if (!strcmp(s, "veventq")) {
        *kind = SIM_QUEUE_VEVENTQ;
    } else {
        return false;
    }
    return true;
}

/* ---- replies ---- */

static char *err_reply(int err, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static char *err_reply(int err, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return g_strdup_printf("ERR %s %s", errno_name(err), msg);
}

static char *rc_reply(int rc, const char *what)
{
    if (rc < 0) {
        return err_reply(-rc, "%s failed", what);
    }
    return g_strdup("OK");
}

static const char *const dma_states[] = {
    [SIM_DMA_DONE] = "done",
    [SIM_DMA_FAULTED] = "faulted",
    [SIM_DMA_ABORTED] = "aborted",
    [SIM_DMA_ERROR] = "error",
};

static char *dma_reply(const struct sim_dma_info *d)
{
    return g_strdup_printf("OK id=%" G_GUINT64_FORMAT " state=%s "
                           "retries=%u gpa=0x%" G_GINT64_MODIFIER "x "
                           "hva=%p error=%s",
                           d->id, dma_states[d->state], d->retries, d->gpa,
                           d->hva, d->error ? errno_name(d->error) : "-");
}

/* ---- commands; argv[0] is the command name ---- */

typedef char *(*cmd_fn)(char **argv, int argc);

static char *cmd_fault(char **argv, int argc)
{
    uint64_t addr, grpid, last;
    uint32_t perm;
    int64_t pasid;

    if (argc < 7 || argc > 8) {
        return err_reply(EINVAL, "usage: fault <bdf> <pasid|-> <addr> "
                                 "<perm> <grpid> <last:0|1> [private-hex]");
    }
    if (!parse_pasid(argv[2], &pasid) || !parse_u64(argv[3], &addr) ||
        !parse_perm(argv[4], &perm) || !parse_u64(argv[5], &grpid) ||
        grpid > UINT32_MAX || !parse_u64(argv[6], &last) || last > 1) {
        return err_reply(EINVAL, "bad argument");
    }
    /* argv[7], private data, has no field in iommu_hwpt_pgfault */
    return rc_reply(sim_trigger_fault(argv[1], pasid, addr, perm, grpid, last),
                    "fault");
}

static char *cmd_vevent(char **argv, int argc)
{
    uint8_t rec[32];

    if (argc != 3 || !parse_hex(argv[2], rec, sizeof(rec))) {
        return err_reply(EINVAL, "usage: vevent <bdf> <64 hex digits>");
    }
    return rc_reply(sim_trigger_vevent(argv[1], rec, sizeof(rec)), "vevent");
}

/* A burst's reply: how many were produced, and the error that stopped it. */
static char *burst_reply(int rc, unsigned int done, const char *what)
{
    if (rc) {
        return err_reply(-rc, "%s stopped after %u", what, done);
    }
    return g_strdup_printf("OK n=%u", done);
}

static char *cmd_fault_burst(char **argv, int argc)
{
    uint64_t count, npasids = 1, addr, grpid;
    unsigned int done = 0;
    uint32_t perm;
    int64_t pasid;
    int rc;

    if (argc < 7 || argc > 8) {
        return err_reply(EINVAL, "usage: fault-burst <bdf> <count> "
                                 "<pasid|-> <addr> <perm> <grpid> [npasids]");
    }
    if (!parse_u64(argv[2], &count) || count > SIM_BURST_MAX ||
        !parse_pasid(argv[3], &pasid) || !parse_u64(argv[4], &addr) ||
        !parse_perm(argv[5], &perm) || !parse_u64(argv[6], &grpid) ||
        grpid > 0x1ff ||
        (argc == 8 &&
         (!parse_u64(argv[7], &npasids) || !npasids || npasids > (1 << 20)))) {
        return err_reply(EINVAL, "bad argument");
    }
    rc = sim_trigger_fault_burst(argv[1], count, pasid, npasids, addr, perm,
                                 grpid, &done);
    return burst_reply(rc, done, "fault-burst");
}

static char *cmd_vevent_burst(char **argv, int argc)
{
    unsigned int done = 0;
    uint8_t rec[32];
    uint64_t count;
    int rc;

    if (argc != 4 || !parse_u64(argv[2], &count) || count > SIM_BURST_MAX ||
        !parse_hex(argv[3], rec, sizeof(rec))) {
        return err_reply(EINVAL, "usage: vevent-burst <bdf> <count> "
                                 "<64 hex digits>");
    }
    rc = sim_trigger_vevent_burst(argv[1], rec, sizeof(rec), count, &done);
    return burst_reply(rc, done, "vevent-burst");
}

static char *cmd_dma(char **argv, int argc)
{
    struct sim_dma_info info;
    uint32_t access;
    uint64_t iova;
    int64_t pasid;
    int rc;

    if (argc != 5 || !parse_pasid(argv[2], &pasid) ||
        !parse_u64(argv[3], &iova) || !parse_perm(argv[4], &access)) {
        return err_reply(EINVAL, "usage: dma <bdf> <pasid|-> <iova> <rwxp>");
    }
    rc = sim_dma(argv[1], pasid, iova, access, &info);
    if (rc) {
        return rc_reply(rc, "dma");
    }
    return dma_reply(&info);
}

static char *cmd_dma_status(char **argv, int argc)
{
    struct sim_dma_info info;
    uint64_t id;
    int rc;

    if (argc != 2 || !parse_u64(argv[1], &id)) {
        return err_reply(EINVAL, "usage: dma-status <id>");
    }
    rc = sim_dma_status(id, &info);
    if (rc) {
        return err_reply(-rc, "no such dma");
    }
    return dma_reply(&info);
}

static char *cmd_responses(char **argv, int argc)
{
    size_t n = sim_get_responses(NULL, 0);
    g_autofree struct sim_response *r = g_new0(struct sim_response, MAX(n, 1));
    GString *out = g_string_new(NULL);

    n = MIN(n, sim_get_responses(r, n));
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(out, "%u %s %s ", r[i].cookie,
                               r[i].code ? "INVALID" : "SUCCESS", r[i].bdf);
        if (r[i].pasid == SIM_NO_PASID) {
            g_string_append(out, "-");
        } else {
            g_string_append_printf(out, "%" G_GINT64_FORMAT, r[i].pasid);
        }
        g_string_append_printf(out, " %u %s\n", r[i].grpid,
                               r[i].automatic ? "auto" : "user");
    }
    g_string_append_printf(out, "OK %zu", n);
    return g_string_free(out, FALSE);
}

static char *cmd_stats(char **argv, int argc)
{
    struct sim_stats s;
    GString *out = g_string_new("OK");

    sim_get_stats(&s);
    for (int i = 0; i < SIM_OBJ_NR; i++) {
        g_string_append_printf(out, " %s=%u", sim_obj_type_name(i), s.live[i]);
    }
#define STAT(f) g_string_append_printf(out, " " #f "=%" G_GUINT64_FORMAT, s.f)
    STAT(ioctls);
    STAT(ioctls_injected);
    STAT(fault_records);
    STAT(fault_groups);
    STAT(fault_groups_read);
    STAT(fault_groups_answered);
    STAT(fault_groups_auto);
    STAT(fault_groups_dropped);
    STAT(vevents);
    STAT(vevents_read);
    STAT(vevents_lost);
    STAT(invalidations);
    STAT(dma_started);
    STAT(dma_done);
    STAT(dma_faulted);
    STAT(dma_aborted);
    STAT(reads_injected);
    STAT(writes_injected);
#undef STAT
    return g_string_free(out, FALSE);
}

/* Lists need the lock for longer than one API call: walk under it here */
static char *cmd_objects(char **argv, int argc)
{
    GString *out = g_string_new(NULL);
    unsigned int n = 0;

    sim_lock();
    sim_init_locked();
    if (sim.active) {
        g_autoptr(GList) files = g_hash_table_get_values(sim.files);

        for (GList *l = files; l; l = l->next) {
            struct sim_file *f = l->data;
            g_autoptr(GList) objs = NULL;

            if (f->kind != SIM_FILE_IOMMUFD) {
                continue;
            }
            objs = g_hash_table_get_values(f->ictx->objs);
            for (GList *o = objs; o; o = o->next, n++) {
                struct sim_obj *obj = o->data;

                g_string_append_printf(out, "%u %s users=%u\n", obj->id,
                                       sim_obj_type_name(obj->type),
                                       obj->users);
            }
        }
    }
    sim_unlock();
    g_string_append_printf(out, "OK %u", n);
    return g_string_free(out, FALSE);
}

static char *cmd_devices(char **argv, int argc)
{
    GString *out = g_string_new(NULL);
    unsigned int n = 0;

    sim_lock();
    sim_init_locked();
    for (; sim.active && n < sim.cfg.pdevs->len; n++) {
        struct sim_pdev *p = g_ptr_array_index(sim.cfg.pdevs, n);

        g_string_append_printf(out, "%s vfio%u devid=%u\n", p->bdf,
                               p->vfio_index, p->idev ? p->idev->obj.id : 0);
    }
    sim_unlock();
    g_string_append_printf(out, "OK %u", n);
    return g_string_free(out, FALSE);
}

static char *cmd_invalidations(char **argv, int argc)
{
    GString *out = g_string_new(NULL);
    unsigned int n = 0;

    sim_lock();
    sim_init_locked();
    for (; sim.active && n < sim.invals->len; n++) {
        struct sim_inval_log *l =
            &g_array_index(sim.invals, struct sim_inval_log, n);
        size_t len =
            l->data_type == IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 ? 24 : 16;

        g_string_append_printf(out, "hwpt=%u type=%u ", l->hwpt_id,
                               l->data_type);
        for (size_t i = 0; i < len; i++) {
            g_string_append_printf(out, "%02x", l->entry[i]);
        }
        g_string_append_c(out, '\n');
    }
    sim_unlock();
    g_string_append_printf(out, "OK %u", n);
    return g_string_free(out, FALSE);
}

static char *cmd_inject(char **argv, int argc)
{
    enum sim_queue_kind kind;
    uint64_t n;
    int err;

    if (argc == 5 && !strcmp(argv[1], "ioctl")) {
        if (!parse_u64(argv[3], &n) || !n || n > UINT32_MAX ||
            !parse_errno(argv[4], &err)) {
            return err_reply(EINVAL, "bad count or errno");
        }
        return rc_reply(sim_inject_ioctl_failure(argv[2], n, err),
                        "inject ioctl");
    }
    if (argc == 5 && !strcmp(argv[1], "read") && parse_queue(argv[2], &kind) &&
        parse_u64(argv[4], &n) && n <= UINT32_MAX) {
        if (!strcmp(argv[3], "eagain")) {
            return rc_reply(sim_inject_read(kind, SIM_READ_EAGAIN, n),
                            "inject");
        }
        if (!strcmp(argv[3], "eintr")) {
            return rc_reply(sim_inject_read(kind, SIM_READ_EINTR, n), "inject");
        }
        if (!strcmp(argv[3], "short")) {
            return rc_reply(sim_inject_read(kind, SIM_READ_SHORT, n), "inject");
        }
    }
    /* inject read <queue> errno <ERRNO> <k> */
    if (argc == 6 && !strcmp(argv[1], "read") && parse_queue(argv[2], &kind) &&
        !strcmp(argv[3], "errno")) {
        if (!parse_errno(argv[4], &err) || err >= 4096 ||
            !parse_u64(argv[5], &n) || n > UINT32_MAX) {
            return err_reply(EINVAL, "bad errno or count");
        }
        return rc_reply(sim_inject_read_errno(kind, err, n), "inject");
    }
    /* inject write <queue> eagain|eintr <k> | errno <ERRNO> <k> */
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "write") &&
        parse_queue(argv[2], &kind)) {
        const char *count = argv[argc - 1];

        if (argc == 5 && !strcmp(argv[3], "eagain")) {
            err = EAGAIN;
        } else if (argc == 5 && !strcmp(argv[3], "eintr")) {
            err = EINTR;
        } else if (argc == 6 && !strcmp(argv[3], "errno")) {
            if (!parse_errno(argv[4], &err) || err >= 4096) {
                return err_reply(EINVAL, "bad errno");
            }
        } else {
            err = 0;
        }
        if (err) {
            if (!parse_u64(count, &n) || n > UINT32_MAX) {
                return err_reply(EINVAL, "bad count");
            }
            return rc_reply(sim_inject_write(kind, err, n), "inject write");
        }
    }
    if (argc == 3 && !strcmp(argv[1], "close") && parse_queue(argv[2], &kind)) {
        return rc_reply(sim_inject_close(kind), "inject close");
    }
    return err_reply(EINVAL,
                     "usage: inject ioctl <NAME> <count> <ERRNO> | "
                     "inject read <fault|veventq> eagain|eintr|short <n> | "
                     "inject read <fault|veventq> errno <ERRNO> <n> | "
                     "inject write fault eagain|eintr <n> | "
                     "inject write fault errno <ERRNO> <n> | "
                     "inject close <fault|veventq>");
}

static char *cmd_reset_stats(char **argv, int argc)
{
    sim_reset_stats();
    return g_strdup("OK");
}

static char *cmd_ping(char **argv, int argc)
{
    return g_strdup(sim_is_active() ? "OK pong" : "OK inert");
}

static const struct {
    const char *name;
    cmd_fn fn;
} commands[] = {
    {"fault", cmd_fault},
    {"vevent", cmd_vevent},
    {"fault-burst", cmd_fault_burst},
    {"vevent-burst", cmd_vevent_burst},
    {"dma", cmd_dma},
    {"dma-status", cmd_dma_status},
    {"responses", cmd_responses},
    {"stats", cmd_stats},
    {"objects", cmd_objects},
    {"devices", cmd_devices},
    {"invalidations", cmd_invalidations},
    {"hwpts", sim_cmd_hwpts},
    {"vfio-irq", sim_cmd_vfio_irq},
    {"inject", cmd_inject},
    {"reset-stats", cmd_reset_stats},
    {"ping", cmd_ping},
};

char *sim_control_exec(const char *line)
{
    g_auto(GStrv) tok = g_strsplit_set(line, " \t\r\n", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    for (int i = 0; tok[i]; i++) {
        if (*tok[i]) {
            g_ptr_array_add(argv, tok[i]);
        }
    }
    if (!argv->len) {
        return err_reply(EINVAL, "empty command");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (!strcmp(argv->pdata[0], commands[i].name)) {
            return commands[i].fn((char **)argv->pdata, argv->len);
        }
    }
    return err_reply(EINVAL, "unknown command '%s'", (char *)argv->pdata[0]);
}

/* ---- socket server ---- */

struct client {
    int fd;
    GString *buf;
};

static struct {
    pthread_t thread;
    bool running;
    int listen_fd;
    int stop_fd;
    char *path;
} ctl;

static bool write_all(int fd, const char *p, size_t len)
{
    while (len) {
        /* a client gone mid-reply must not SIGPIPE the whole VMM */
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

/* Answer every complete line; false when the client is gone */
static bool client_serve(struct client *c)
{
    char chunk[1024];
    ssize_t n = sim_libc.read(c->fd, chunk, sizeof(chunk));
    char *nl;

    if (n <= 0) {
        return n < 0 && (errno == EINTR || errno == EAGAIN);
    }
    g_string_append_len(c->buf, chunk, n);
    while ((nl = memchr(c->buf->str, '\n', c->buf->len))) {
        g_autofree char *line = g_strndup(c->buf->str, nl - c->buf->str);
        g_autofree char *reply = NULL;

        g_string_erase(c->buf, 0, nl - c->buf->str + 1);
        reply = sim_control_exec(line);
        /* one write per reply: the newline completes it for the client */
        reply = g_realloc(reply, strlen(reply) + 2);
        strcat(reply, "\n");
        if (!write_all(c->fd, reply, strlen(reply))) {
            return false;
        }
    }
    return c->buf->len < 65536; /* no newline in 64 KiB: drop it */
}

static void client_free(gpointer p)
{
    struct client *c = p;

    sim_libc.close(c->fd);
    g_string_free(c->buf, TRUE);
    g_free(c);
}

static void accept_client(GPtrArray *clients)
{
    int fd = accept4(ctl.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    struct client *c;

    if (fd < 0) {
        return;
    }
    c = g_new0(struct client, 1);
    c->fd = fd;
    c->buf = g_string_new(NULL);
    g_ptr_array_add(clients, c);
}

static void *control_thread(void *opaque)
{
    g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func(client_free);

    /* everything this thread does with fds is the simulator's own */
    sim_mark_thread_busy();
    for (;;) {
        g_autofree struct pollfd *pfd = g_new0(struct pollfd, clients->len + 2);

        pfd[0] = (struct pollfd){.fd = ctl.stop_fd, .events = POLLIN};
        pfd[1] = (struct pollfd){.fd = ctl.listen_fd, .events = POLLIN};
        for (unsigned int i = 0; i < clients->len; i++) {
            pfd[i + 2] = (struct pollfd){
                .fd = ((struct client *)clients->pdata[i])->fd,
                .events = POLLIN,
            };
        }
        if (poll(pfd, clients->len + 2, -1) < 0 && errno != EINTR) {
            break;
        }
        if (pfd[0].revents) {
            break;
        }
        /* back to front, so removals don't shift unvisited entries */
        for (unsigned int i = clients->len; i-- > 0;) {
            if (pfd[i + 2].revents && !client_serve(clients->pdata[i])) {
                g_ptr_array_remove_index(clients, i);
            }
        }
        if (pfd[1].revents & POLLIN) {
            accept_client(clients);
        }
    }
    return NULL;
}

int sim_control_start(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int rc;

    if (ctl.running || strlen(path) >= sizeof(addr.sun_path)) {
        return -EINVAL;
    }
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    ctl.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ctl.listen_fd < 0) {
        return -errno;
    }
    /*
     * A socket someone still answers on belongs to a live simulator (our
     * parent, say, when LD_PRELOAD is inherited): leave it alone.  One
     * nobody answers on is stale.
     */
    if (!connect(ctl.listen_fd, (struct sockaddr *)&addr, sizeof(addr))) {
        rc = -EADDRINUSE;
        goto err_close;
    }
    sim_libc.close(ctl.listen_fd);
    ctl.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ctl.listen_fd < 0) {
        return -errno;
    }
    unlink(path);
    if (bind(ctl.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
        listen(ctl.listen_fd, 16)) {
        rc = -errno;
        goto err_close;
    }
    ctl.stop_fd = eventfd(0, EFD_CLOEXEC);
    if (ctl.stop_fd < 0) {
        rc = -errno;
        goto err_unlink;
    }
    ctl.path = g_strdup(path);
    rc = -pthread_create(&ctl.thread, NULL, control_thread, NULL);
    if (rc) {
        goto err_stop;
    }
    ctl.running = true;
    return 0;

err_stop:
    g_free(ctl.path);
    sim_libc.close(ctl.stop_fd);
err_unlink:
    unlink(path);
err_close:
    sim_libc.close(ctl.listen_fd);
    return rc;
}

/* Must be called without the simulator lock: the thread may wait on it */
void sim_control_stop(void)
{
    uint64_t one = 1;

    if (!ctl.running) {
        return;
    }
    ctl.running = false;
    if (sim_libc.write(ctl.stop_fd, &one, sizeof(one)) != sizeof(one)) {
        g_printerr("iommufd-sim: cannot stop the control thread\n");
    }
    pthread_join(ctl.thread, NULL);
    sim_libc.close(ctl.stop_fd);
    sim_libc.close(ctl.listen_fd);
    unlink(ctl.path);
    g_clear_pointer(&ctl.path, g_free);
}
