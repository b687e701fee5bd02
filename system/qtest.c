/*
 * qtest server: QEMU's line-based test protocol over a unix socket.
 *
 * The client sends "CMD ARGS\n"; every command gets exactly one reply
 * line starting with "OK" or "FAIL".  Interrupt lines intercepted with
 * irq_intercept_in report their level changes as "IRQ raise N" /
 * "IRQ lower N" lines, which may come before a reply.  Numbers are
 * parsed in base 0 (so 0x... is hex).
 *
 * Nothing the client sends may take the binary down: malformed commands
 * get "FAIL reason" and the server goes on.  Transfers are bounded so a
 * test cannot make us allocate without limit, and while the client has
 * not read our replies we stop reading its commands.
 *
 * The binary exits when the client disconnects, as QEMU does when its
 * qtest chardev closes.
 *
 * Fuzzers and tests can also feed the protocol in-process, without a
 * socket (qtest_inject_input()); the replies are then appended to a
 * GString of the caller's.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/socket-client.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "system/memory.h"
#include "system/qmp.h"
#include "system/qtest.h"
#include "trace.h"

/* Largest read/write/b64read/b64write/memset a single command may do. */
#define QTEST_MAX_XFER      (16u << 20)
/* Longest line: "write ADDR SIZE 0x" plus two hex digits per byte. */
#define QTEST_MAX_LINE(max_xfer) (2 * (max_xfer) + 256)
/* Stop reading commands while this much output waits for the client. */
#define QTEST_OUT_HIGH_WATER (1u << 20)
/* Arguments echoed in FAIL messages are cut to this many characters. */
#define QTEST_ECHO_MAX      64

typedef struct QTestServer {
    int listen_fd;
    char *listen_path;
    SocketClient client;        /* detached (fd -1) if none */
    GString *in;
    bool discarding;            /* dropping an over-long line */
    FILE *log;
    gint64 log_start;
    DeviceState *irq_dev;       /* device whose gpio_in we intercept */
    int *irq_levels;
    int irq_count;
    uint64_t max_xfer;          /* bound on one transfer, QTEST_MAX_XFER */
    QEMUTimer *accept_retry;    /* re-arms the listener after a shortage */
    unsigned accept_backoff_ms;
    GString *capture;           /* in-process client: replies go here */
} QTestServer;

static QTestServer qtest = {
    .listen_fd = -1, .client.fd = -1, .max_xfer = QTEST_MAX_XFER,
};
static bool qtest_is_enabled;

bool qtest_enabled(void)
{
    return qtest_is_enabled;
}

void qtest_set_enabled(bool enabled)
{
    qtest_is_enabled = enabled;
    /* The test, not the host clock, decides when virtual time passes. */
    qemu_clock_set_virtual_manual(enabled);
}

/* ------------------------------------------------------------------ */
/* Logging and output */

static void qtest_log(QTestServer *s, char dir, const char *text, size_t len)
{
    double t;

    if (!s->log) {
        return;
    }
    t = (g_get_monotonic_time() - s->log_start) / (double)G_USEC_PER_SEC;
    fprintf(s->log, "[%c +%.6f] %.*s", dir, t, (int)len, text);
    if (!len || text[len - 1] != '\n') {
        fputc('\n', s->log);
    }
    fflush(s->log);
}

/* Is anybody there to read replies: a socket or an in-process caller? */
static bool qtest_has_client(QTestServer *s)
{
    return s->client.fd >= 0 || s->capture;
}

/* The socket client went away (EOF or I/O error). */
static void qtest_client_broken(void *opaque)
{
    QTestServer *s = opaque;

    trace_qtest_client_disconnect(s->client.fd);
    socket_client_detach(&s->client);
    g_string_truncate(s->in, 0);
    s->discarding = false;
    qemu_system_shutdown_request();
}

/* Queue @len bytes of @text (a whole line, with its '\n') for the client. */
static void qtest_send_len(QTestServer *s, const char *text, size_t len)
{
    qtest_log(s, 'S', text, len);
    if (s->capture) {
        g_string_append_len(s->capture, text, len);
        return;
    }
    socket_client_send(&s->client, text, len);
}

static void G_GNUC_PRINTF(2, 3) qtest_sendf(QTestServer *s,
                                            const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send_len(s, text, strlen(text));
}

/* ------------------------------------------------------------------ */
/* Argument parsing: on error, reply FAIL and return false. */

static bool qtest_parse_u64(QTestServer *s, const char *what, const char *str,
                            uint64_t *val)
{
    int ret = qemu_strtou64(str, val);

    if (ret < 0) {
        qtest_sendf(s, "FAIL %s: %s '%.*s'\n", what,
                    ret == -ERANGE ? "number out of range" : "invalid number",
                    QTEST_ECHO_MAX, str);
        return false;
    }
    return true;
}

/* ADDR and an access of @size bytes that must not wrap around. */
static bool qtest_parse_addr(QTestServer *s, const char *str, uint64_t size,
                             hwaddr *addr)
{
    uint64_t a;

    if (!qtest_parse_u64(s, "address", str, &a)) {
        return false;
    }
    if (size && a > UINT64_MAX - (size - 1)) {
        qtest_sendf(s, "FAIL address 0x%" PRIx64 " + size 0x%" PRIx64
                    " wraps around\n", a, size);
        return false;
    }
    *addr = a;
    return true;
}

/* A transfer SIZE, bounded so that a test cannot exhaust our memory. */
static bool qtest_parse_size(QTestServer *s, const char *str, uint64_t *size)
{
    if (!qtest_parse_u64(s, "size", str, size)) {
        return false;
    }
    if (*size > s->max_xfer) {
        qtest_sendf(s, "FAIL size 0x%" PRIx64 " too large (max 0x%" PRIx64
                    ")\n", *size, s->max_xfer);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* Memory commands */

static unsigned qtest_access_size(const char *cmd)
{
    switch (cmd[strlen(cmd) - 1]) {
    case 'b':
        return 1;
    case 'w':
        return 2;
    case 'l':
        return 4;
    default:
        return 8;
    }
}

/* readb|readw|readl|readq ADDR */
static void qtest_cmd_read_sized(QTestServer *s, char **words)
{
    unsigned size = qtest_access_size(words[0]);
    uint64_t val = 0;
    hwaddr addr;

    if (!qtest_parse_addr(s, words[1], size, &addr)) {
        return;
    }
    address_space_access_sized(&address_space_memory, addr, &val, size,
                               false, MEMTXATTRS_UNSPECIFIED);
    if (size < 8) {
        val &= MAKE_64BIT_MASK(0, size * 8);
    }
    qtest_sendf(s, "OK 0x%0*" PRIx64 "\n", size * 2, val);
}

/* writeb|writew|writel|writeq ADDR VALUE */
static void qtest_cmd_write_sized(QTestServer *s, char **words)
{
    unsigned size = qtest_access_size(words[0]);
    uint64_t val;
    hwaddr addr;

    if (!qtest_parse_addr(s, words[1], size, &addr) ||
        !qtest_parse_u64(s, "value", words[2], &val)) {
        return;
    }
    if (size < 8 && val > MAKE_64BIT_MASK(0, size * 8)) {
        qtest_sendf(s, "FAIL value 0x%" PRIx64 " does not fit in %u bytes\n",
                    val, size);
        return;
    }
    address_space_access_sized(&address_space_memory, addr, &val, size,
                               true, MEMTXATTRS_UNSPECIFIED);
    qtest_sendf(s, "OK\n");
}

/* Parse "ADDR SIZE" of a bulk command. */
static bool qtest_parse_range(QTestServer *s, char **words, hwaddr *addr,
                              uint64_t *size)
{
    return qtest_parse_size(s, words[2], size) &&
           qtest_parse_addr(s, words[1], *size, addr);
}

/* read ADDR SIZE -> OK 0x<hex bytes> */
static void qtest_cmd_read(QTestServer *s, char **words)
{
    static const char hex[] = "0123456789abcdef";
    g_autofree uint8_t *buf = NULL;
    GString *reply;
    uint64_t size;
    hwaddr addr;

    if (!qtest_parse_range(s, words, &addr, &size)) {
        return;
    }
    buf = g_malloc(size);
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       buf, size);
    reply = g_string_sized_new(2 * size + 8);
    g_string_append(reply, "OK 0x");
    for (uint64_t i = 0; i < size; i++) {
        g_string_append_c(reply, hex[buf[i] >> 4]);
        g_string_append_c(reply, hex[buf[i] & 0xf]);
    }
    g_string_append_c(reply, '\n');
    qtest_send_len(s, reply->str, reply->len);
    g_string_free(reply, TRUE);
}

/* write ADDR SIZE 0x<hex bytes>; missing trailing bytes are zero */
static void qtest_cmd_write(QTestServer *s, char **words)
{
    g_autofree uint8_t *buf = NULL;
    const char *data = words[3];
    size_t ndigits;
    uint64_t size;
    hwaddr addr;

    if (!qtest_parse_range(s, words, &addr, &size)) {
        return;
    }
    if (strncmp(data, "0x", 2) && strncmp(data, "0X", 2)) {
        qtest_sendf(s, "FAIL data must start with 0x\n");
        return;
    }
    data += 2;
    ndigits = strlen(data);
    if (ndigits % 2 || ndigits / 2 > size) {
        qtest_sendf(s, "FAIL data must be at most %" PRIu64
                    " whole bytes\n", size);
        return;
    }
    buf = g_malloc0(size);
    for (size_t i = 0; i < ndigits / 2; i++) {
        int hi = g_ascii_xdigit_value(data[2 * i]);
        int lo = g_ascii_xdigit_value(data[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            qtest_sendf(s, "FAIL invalid hex data\n");
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        buf, size);
    qtest_sendf(s, "OK\n");
}

/* b64read ADDR SIZE -> OK <base64> */
static void qtest_cmd_b64read(QTestServer *s, char **words)
{
    g_autofree uint8_t *buf = NULL;
    g_autofree char *enc = NULL;
    g_autofree char *reply = NULL;
    uint64_t size;
    hwaddr addr;

    if (!qtest_parse_range(s, words, &addr, &size)) {
        return;
    }
    buf = g_malloc(size);
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       buf, size);
    enc = g_base64_encode(buf, size);
    reply = g_strconcat("OK ", enc, "\n", NULL);
    qtest_send_len(s, reply, strlen(reply));
}

static bool is_base64(const char *str)
{
    size_t len = strlen(str);

    if (len % 4) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = str[i];

        /* '=' only as padding, in the last two positions. */
        if (c == '=' ? i + 2 < len || (i + 1 < len && str[i + 1] != '=')
                     : !(g_ascii_isalnum(c) || c == '+' || c == '/')) {
            return false;
        }
    }
    return true;
}

/* b64write ADDR SIZE <base64>; as QEMU, writes min(SIZE, decoded) bytes */
static void qtest_cmd_b64write(QTestServer *s, char **words)
{
    g_autofree uint8_t *data = NULL;
    uint64_t size;
    gsize len;
    hwaddr addr;

    if (!qtest_parse_range(s, words, &addr, &size)) {
        return;
    }
    if (!is_base64(words[3])) {
        qtest_sendf(s, "FAIL invalid base64 data\n");
        return;
    }
    data = g_base64_decode(words[3], &len);
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        data, MIN(size, len));
    qtest_sendf(s, "OK\n");
}

/* memset ADDR SIZE VALUE */
static void qtest_cmd_memset(QTestServer *s, char **words)
{
    uint64_t size, val;
    hwaddr addr;

    if (!qtest_parse_range(s, words, &addr, &size) ||
        !qtest_parse_u64(s, "value", words[3], &val)) {
        return;
    }
    if (val > 0xff) {
        qtest_sendf(s, "FAIL value 0x%" PRIx64 " is not a byte\n", val);
        return;
    }
    address_space_set(&address_space_memory, addr, val, size,
                      MEMTXATTRS_UNSPECIFIED);
    qtest_sendf(s, "OK\n");
}

/* ------------------------------------------------------------------ */
/* Clock commands */

/* clock_step [NS]: without NS, to the next virtual timer deadline */
static void qtest_cmd_clock_step(QTestServer *s, char **words)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t target;

    if (words[1]) {
        int64_t step;

        if (qemu_strtoi64(words[1], &step) < 0 || step < 0) {
            qtest_sendf(s, "FAIL invalid step '%.*s'\n", QTEST_ECHO_MAX,
                        words[1]);
            return;
        }
        if (step > INT64_MAX - now) {
            qtest_sendf(s, "FAIL step %" PRId64 " overflows the clock\n",
                        step);
            return;
        }
        target = now + step;
    } else {
        int64_t deadline = qemu_clock_deadline_ns_virtual();

        /* No timer armed: nothing to step to. */
        target = deadline < 0 ? now : MAX(deadline, now);
    }
    qemu_clock_advance_virtual(target);
    qtest_sendf(s, "OK %" PRId64 "\n", qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

/* clock_set NS: the clock never goes backwards */
static void qtest_cmd_clock_set(QTestServer *s, char **words)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t target;

    if (qemu_strtoi64(words[1], &target) < 0) {
        qtest_sendf(s, "FAIL invalid time '%.*s'\n", QTEST_ECHO_MAX, words[1]);
        return;
    }
    if (target < now) {
        qtest_sendf(s, "FAIL %" PRId64 " is in the past (now %" PRId64 ")\n",
                    target, now);
        return;
    }
    qemu_clock_advance_virtual(target);
    qtest_sendf(s, "OK %" PRId64 "\n", qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

/* ------------------------------------------------------------------ */
/* Interrupts */

static void qtest_irq_handler(void *opaque, int n, int level)
{
    QTestServer *s = opaque;

    if (n < 0 || n >= s->irq_count) {
        return;
    }
    level = level != 0;
    trace_qtest_irq(n, level);
    /* Report changes only, as QEMU does; a pulse gives raise + lower. */
    if (s->irq_levels[n] != level) {
        s->irq_levels[n] = level;
        qtest_sendf(s, "IRQ %s %d\n", level ? "raise" : "lower", n);
    }
}

/* The device at QOM @path, or NULL after replying "FAIL Unknown device". */
static DeviceState *qtest_find_device(QTestServer *s, const char *path)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path(path, &ambiguous);

    if (obj) {
        obj = object_dynamic_cast(obj, TYPE_DEVICE);
    }
    if (!obj) {
        qtest_sendf(s, "FAIL Unknown device%s\n",
                    ambiguous ? " (ambiguous path)" : "");
        return NULL;
    }
    return DEVICE(obj);
}

/* irq_intercept_in PATH: report the device's input lines instead */
static void qtest_cmd_irq_intercept_in(QTestServer *s, char **words)
{
    DeviceState *dev = qtest_find_device(s, words[1]);

    if (!dev) {
        return;
    }
    if (s->irq_dev) {
        qtest_sendf(s, s->irq_dev == dev ? "OK\n"
                    : "FAIL IRQ intercept already enabled\n");
        return;
    }
    if (dev->num_gpio_in == 0) {
        qtest_sendf(s, "FAIL No intercepts installed\n");
        return;
    }
    /* Keep the device (and so its IRQStates) alive while we point at it. */
    s->irq_dev = DEVICE(object_ref(dev));
    s->irq_count = dev->num_gpio_in;
    s->irq_levels = g_new0(int, s->irq_count);
    for (int i = 0; i < dev->num_gpio_in; i++) {
        dev->gpio_in[i]->handler = qtest_irq_handler;
        dev->gpio_in[i]->opaque = s;
    }
    qtest_sendf(s, "OK\n");
}

/* irq_intercept_out PATH [NAME]: our devices have no output GPIOs */
static void qtest_cmd_irq_intercept_out(QTestServer *s, char **words)
{
    if (qtest_find_device(s, words[1])) {
        qtest_sendf(s, "FAIL No intercepts installed\n");
    }
}

/* set_irq_in PATH NAME N LEVEL: drive an input line of a device */
static void qtest_cmd_set_irq_in(QTestServer *s, char **words)
{
    DeviceState *dev = qtest_find_device(s, words[1]);
    uint64_t n;
    int64_t level;

    if (!dev) {
        return;
    }
    /* Only unnamed inputs exist in our qdev. */
    if (strcmp(words[2], "unnamed-gpio-in")) {
        qtest_sendf(s, "FAIL Unknown GPIO list '%.*s'\n", QTEST_ECHO_MAX,
                    words[2]);
        return;
    }
    if (!qtest_parse_u64(s, "line", words[3], &n)) {
        return;
    }
    if (n >= (uint64_t)dev->num_gpio_in) {
        qtest_sendf(s, "FAIL line %" PRIu64 " out of range (%d lines)\n",
                    n, dev->num_gpio_in);
        return;
    }
    if (qemu_strtoi64(words[4], &level) < 0 || level < INT_MIN ||
        level > INT_MAX) {
        qtest_sendf(s, "FAIL invalid level '%.*s'\n", QTEST_ECHO_MAX,
                    words[4]);
        return;
    }
    qemu_set_irq(dev->gpio_in[n], level);
    qtest_sendf(s, "OK\n");
}

/* ------------------------------------------------------------------ */
/* Dispatch */

static void qtest_cmd_endianness(QTestServer *s, char **words)
{
    qtest_sendf(s, "OK little\n");
}

typedef struct QTestCommand {
    const char *name;
    int min_args;               /* not counting the command itself */
    int max_args;
    const char *usage;
    void (*fn)(QTestServer *s, char **words);
} QTestCommand;

static const QTestCommand qtest_commands[] = {
    { "readb", 1, 1, "ADDR", qtest_cmd_read_sized },
    { "readw", 1, 1, "ADDR", qtest_cmd_read_sized },
    { "readl", 1, 1, "ADDR", qtest_cmd_read_sized },
    { "readq", 1, 1, "ADDR", qtest_cmd_read_sized },
    { "writeb", 2, 2, "ADDR VALUE", qtest_cmd_write_sized },
    { "writew", 2, 2, "ADDR VALUE", qtest_cmd_write_sized },
    { "writel", 2, 2, "ADDR VALUE", qtest_cmd_write_sized },
    { "writeq", 2, 2, "ADDR VALUE", qtest_cmd_write_sized },
    { "read", 2, 2, "ADDR SIZE", qtest_cmd_read },
    { "write", 3, 3, "ADDR SIZE 0xDATA", qtest_cmd_write },
    { "b64read", 2, 2, "ADDR SIZE", qtest_cmd_b64read },
    { "b64write", 3, 3, "ADDR SIZE B64DATA", qtest_cmd_b64write },
    { "memset", 3, 3, "ADDR SIZE VALUE", qtest_cmd_memset },
    { "clock_step", 0, 1, "[NS]", qtest_cmd_clock_step },
    { "clock_set", 1, 1, "NS", qtest_cmd_clock_set },
    { "irq_intercept_in", 1, 1, "QOM-PATH", qtest_cmd_irq_intercept_in },
    { "irq_intercept_out", 1, 2, "QOM-PATH [NAME]",
      qtest_cmd_irq_intercept_out },
    { "set_irq_in", 4, 4, "QOM-PATH NAME N LEVEL", qtest_cmd_set_irq_in },
    { "endianness", 0, 0, "", qtest_cmd_endianness },
};

static void qtest_process_command(QTestServer *s, char *line)
{
    g_auto(GStrv) words = NULL;
    int nwords = 0;

    trace_qtest_command(line);
    qtest_log(s, 'R', line, strlen(line));

    /* Split on blanks, dropping empty words from repeated blanks. */
    words = g_strsplit_set(line, " \t\r", -1);
    for (int i = 0; words[i]; i++) {
        if (*words[i]) {
            words[nwords++] = words[i];
        } else {
            g_free(words[i]);
        }
    }
    words[nwords] = NULL;
    if (nwords == 0) {
        qtest_sendf(s, "FAIL empty command\n");
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(qtest_commands); i++) {
        const QTestCommand *cmd = &qtest_commands[i];

        if (strcmp(words[0], cmd->name)) {
            continue;
        }
        if (nwords - 1 < cmd->min_args || nwords - 1 > cmd->max_args) {
            qtest_sendf(s, "FAIL wrong number of arguments, usage: %s %s\n",
                        cmd->name, cmd->usage);
            return;
        }
        cmd->fn(s, words);
        return;
    }
    qtest_sendf(s, "FAIL Unknown command '%.*s'\n", QTEST_ECHO_MAX, words[0]);
}

/* Run every complete line, unless too much output is waiting. */
static void qtest_process_input(QTestServer *s)
{
    size_t pos = 0;
    bool incomplete = false;

    while (qtest_has_client(s) && socket_client_wants_input(&s->client)) {
        char *start = s->in->str + pos;
        char *nl = memchr(start, '\n', s->in->len - pos);
        g_autofree char *line = NULL;

        if (!nl) {
            incomplete = true;
            break;
        }
        line = g_strndup(start, nl - start);
        pos += nl - start + 1;
        qtest_process_command(s, line);
    }
    if (!qtest_has_client(s)) {
        return;     /* buffers were reset on disconnect */
    }
    g_string_erase(s->in, 0, pos);
    /* Only a partial line is left: refuse to buffer it without limit. */
    if (incomplete && s->in->len > QTEST_MAX_LINE(s->max_xfer)) {
        qtest_sendf(s, "FAIL line too long\n");
        g_string_truncate(s->in, 0);
        s->discarding = true;
    }
}

/* Add received bytes, skipping the rest of a line that was too long. */
static void qtest_input_append(QTestServer *s, const char *buf, size_t len)
{
    if (s->discarding) {
        const char *nl = memchr(buf, '\n', len);

        if (!nl) {
            return;
        }
        s->discarding = false;
        len -= nl + 1 - buf;
        buf = nl + 1;
    }
    g_string_append_len(s->in, buf, len);
}

static void qtest_client_receive(void *opaque, const char *buf, size_t len)
{
    QTestServer *s = opaque;

    qtest_input_append(s, buf, len);
    qtest_process_input(s);
}

static void qtest_client_resume(void *opaque)
{
    /* Room again: run the commands that were held back. */
    qtest_process_input(opaque);
}

static const SocketClientOps qtest_client_ops = {
    .receive = qtest_client_receive,
    .resume = qtest_client_resume,
    .broken = qtest_client_broken,
};

static void qtest_client_connected(QTestServer *s, int fd)
{
    trace_qtest_client_connect(fd);
    socket_client_attach(&s->client, fd);
}

static void qtest_accept(void *opaque);

static void qtest_accept_resume(void *opaque)
{
    QTestServer *s = opaque;

    if (s->client.fd < 0 && s->listen_fd >= 0) {
        qemu_set_fd_handler(s->listen_fd, qtest_accept, NULL, s);
    }
}

static void qtest_accept(void *opaque)
{
    QTestServer *s = opaque;
    int fd = qemu_socket_accept(s->listen_fd, false);

    if (fd < 0) {
        /* Out of fds: the listener stays readable, pause rather than spin */
        if (qemu_socket_accept_backoff(errno, &s->accept_backoff_ms)) {
            qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
            if (!s->accept_retry) {
                s->accept_retry = timer_new_ms(QEMU_CLOCK_REALTIME,
                                               qtest_accept_resume, s);
            }
            timer_mod(s->accept_retry,
                      qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                      s->accept_backoff_ms);
        }
        return;
    }
    s->accept_backoff_ms = 0;
    /* One client at a time: the others wait in the backlog. */
    qemu_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
    qtest_client_connected(s, fd);
}

static bool qtest_open_log(QTestServer *s, const char *logfile, Error **errp)
{
    /* libqtest passes /dev/null: spare a write per line. */
    if (!logfile || !strcmp(logfile, "none") ||
        !strcmp(logfile, "/dev/null")) {
        return true;
    }
    s->log = fopen(logfile, "w");
    if (!s->log) {
        error_setg_errno(errp, errno, "cannot open qtest log '%s'", logfile);
        return false;
    }
    s->log_start = g_get_monotonic_time();
    return true;
}

/* Do not leave the socket file of a server=on socket behind. */
static void qtest_atexit(void)
{
    if (qtest.listen_path) {
        unlink(qtest.listen_path);
    }
}

bool qtest_server_init(const char *spec, const char *logfile, Error **errp)
{
    QTestServer *s = &qtest;
    g_autofree char *path = NULL;
    bool listening, wait;
    int fd;

    if (s->client.fd >= 0 || s->listen_fd >= 0) {
        error_setg(errp, "only one -qtest option is supported");
        return false;
    }
    fd = qemu_socket_spec_open(spec, &listening, &wait, &path, errp);
    if (fd < 0) {
        return false;
    }
    if (!qtest_open_log(s, logfile, errp)) {
        close(fd);
        return false;
    }
    s->in = g_string_new(NULL);
    socket_client_init(&s->client, QTEST_OUT_HIGH_WATER, &qtest_client_ops, s);
    qtest_set_enabled(true);
    if (!listening) {
        qtest_client_connected(s, fd);
        return true;
    }
    s->listen_fd = fd;
    s->listen_path = g_steal_pointer(&path);
    atexit(qtest_atexit);
    if (wait) {
        int cfd;

        info_report("qtest waiting for connection on %s", spec);
        cfd = qemu_socket_accept(fd, true);
        if (cfd < 0) {
            error_setg_errno(errp, errno, "accept on '%s' failed", spec);
            return false;
        }
        qtest_client_connected(s, cfd);
    } else {
        qemu_set_fd_handler(fd, qtest_accept, NULL, s);
    }
    return true;
}

/* ------------------------------------------------------------------ */
/*
 * In-process client (fuzzers, tests): see qtest_inject_input().  A server
 * of its own, so that it never mixes its lines with a socket client's.
 */

static QTestServer qtest_local = {
    .listen_fd = -1, .client.fd = -1, .max_xfer = QTEST_MAX_XFER,
};

void qtest_inject_input(const char *buf, size_t len, GString *out)
{
    QTestServer *s = &qtest_local;

    g_assert(out);
    if (!s->in) {
        s->in = g_string_new(NULL);
        socket_client_init(&s->client, QTEST_OUT_HIGH_WATER,
                           &qtest_client_ops, s);
    }
    s->capture = out;
    qtest_input_append(s, buf, len);
    qtest_process_input(s);
    s->capture = NULL;
}

void qtest_inject_reset(void)
{
    QTestServer *s = &qtest_local;

    if (s->in) {
        g_string_truncate(s->in, 0);
    }
    s->discarding = false;
}

void qtest_inject_set_max_transfer(uint64_t max)
{
    qtest_local.max_xfer = MIN(max, QTEST_MAX_XFER);
}
