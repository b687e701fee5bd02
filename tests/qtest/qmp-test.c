/*
 * QMP server: greeting, capabilities negotiation, core commands, error
 * classes, recovery from malformed input, events, and quit.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <errno.h>
#include "libqtest.h"

#define MACHINE "-M q35"

/* The error object of @resp, failing the test if it is not an error. */
static JsonObject *get_error(JsonObject *resp)
{
    JsonObject *err = json_object_get_object_member(resp, "error");

    g_assert_nonnull(err);
    g_assert_false(json_object_has_member(resp, "return"));
    return err;
}

static void assert_error(JsonObject *resp, const char *cls,
                         const char *desc_fragment)
{
    JsonObject *err = get_error(resp);

    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==, cls);
    if (desc_fragment) {
        g_assert_nonnull(strstr(json_object_get_string_member(err, "desc"),
                                desc_fragment));
    }
}

static void test_greeting_and_negotiation(void)
{
    QTestState *s = qtest_init_without_qmp_handshake(MACHINE);
    g_autoptr(JsonObject) greeting = qtest_qmp_receive_dict(s);
    g_autoptr(JsonObject) resp = NULL;
    JsonObject *qmp, *version, *qemu;
    JsonArray *caps;

    qmp = json_object_get_object_member(greeting, "QMP");
    g_assert_nonnull(qmp);
    version = json_object_get_object_member(qmp, "version");
    g_assert_nonnull(version);
    qemu = json_object_get_object_member(version, "qemu");
    /* The QEMU interface level we follow; our own name in "package". */
    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 11);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_true(g_str_has_prefix(
        json_object_get_string_member(version, "package"), "viommu-system "));
    caps = json_object_get_array_member(qmp, "capabilities");
    g_assert_cmpuint(json_array_get_length(caps), ==, 1);
    g_assert_cmpstr(json_array_get_string_element(caps, 0), ==, "oob");

    /* Nothing but qmp_capabilities before negotiation. */
    resp = qtest_qmp(s, "{'execute': 'query-status'}");
    assert_error(resp, "CommandNotFound",
                 "Expecting capabilities negotiation with 'qmp_capabilities'");
    g_clear_pointer(&resp, json_object_unref);

    resp = qtest_qmp(s, "{'execute': 'qmp_capabilities'}");
    g_assert_nonnull(json_object_get_object_member(resp, "return"));
    g_clear_pointer(&resp, json_object_unref);

    /* Negotiating twice is refused. */
    resp = qtest_qmp(s, "{'execute': 'qmp_capabilities'}");
    assert_error(resp, "CommandNotFound", "already complete");
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    qtest_quit(s);
}

static void test_negotiation_enable_oob(void)
{
    QTestState *s = qtest_init_without_qmp_handshake(MACHINE);
    g_autoptr(JsonObject) greeting = qtest_qmp_receive_dict(s);
    g_autoptr(JsonObject) resp = NULL;

    g_assert_true(json_object_has_member(greeting, "QMP"));
    resp = qtest_qmp(s, "{'execute': 'qmp_capabilities',"
                     " 'arguments': {'enable': ['nosuchcap']}}");
    assert_error(resp, "GenericError", NULL);
    qtest_qmp_assert_success(s, "{'execute': 'qmp_capabilities',"
                             " 'arguments': {'enable': ['oob']}}");
    qtest_qmp_assert_success(s, "{'exec-oob': 'query-status'}");
    qtest_quit(s);
}

static void test_query_version(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonNode) ret =
        qtest_qmp_assert_success_ref(s, "{'execute': 'query-version'}");
    JsonObject *obj = json_node_get_object(ret);
    JsonObject *qemu = json_object_get_object_member(obj, "qemu");

    g_assert_cmpint(json_object_get_int_member(qemu, "major"), ==, 11);
    g_assert_cmpint(json_object_get_int_member(qemu, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(qemu, "micro"), ==, 0);
    g_assert_true(g_str_has_prefix(
        json_object_get_string_member(obj, "package"), "viommu-system "));
    qtest_quit(s);
}

static void test_query_status(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonNode) ret =
        qtest_qmp_assert_success_ref(s, "{'execute': 'query-status'}");
    JsonObject *obj = json_node_get_object(ret);

    g_assert_cmpstr(json_object_get_string_member(obj, "status"), ==,
                    "running");
    g_assert_true(json_object_get_boolean_member(obj, "running"));
    qtest_quit(s);
}

static bool command_listed(JsonArray *list, const char *name)
{
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *cmd = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(cmd, "name"), name)) {
            return true;
        }
    }
    return false;
}

static void test_query_commands(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonNode) ret =
        qtest_qmp_assert_success_ref(s, "{'execute': 'query-commands'}");
    JsonArray *list = json_node_get_array(ret);
    static const char *const expected[] = {
        "qmp_capabilities", "query-commands", "query-status",
        "query-version", "quit", "system_reset",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_true(command_listed(list, expected[i]));
    }
    qtest_quit(s);
}

static void test_id_echo(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) r3 = NULL;

    r1 = qtest_qmp(s, "{'execute': 'query-status', 'id': 'abc'}");
    g_assert_cmpstr(json_object_get_string_member(r1, "id"), ==, "abc");
    r2 = qtest_qmp(s, "{'execute': 'nosuch', 'id': 42}");
    g_assert_cmpint(json_object_get_int_member(r2, "id"), ==, 42);
    assert_error(r2, "CommandNotFound", NULL);
    r3 = qtest_qmp(s, "{'execute': 'query-status', 'id': {'a': [1, 2]}}");
    g_assert_nonnull(json_object_get_object_member(r3, "id"));
    qtest_quit(s);
}

static void test_unknown_command(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) resp = qtest_qmp(s, "{'execute': 'no-such-cmd'}");

    assert_error(resp, "CommandNotFound", "no-such-cmd");
    qtest_quit(s);
}

/* Send raw bytes and expect one GenericError whose desc has @fragment. */
static void expect_generic_error(QTestState *s, const char *raw,
                                 const char *fragment)
{
    g_autoptr(JsonObject) resp = NULL;

    qtest_qmp_send_raw(s, "%s", raw);
    resp = qtest_qmp_receive(s);
    assert_error(resp, "GenericError", fragment);
}

static void test_malformed_input(void)
{
    QTestState *s = qtest_init(MACHINE);

    expect_generic_error(s, "{\"execute\": }\n", "JSON parse error");
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    expect_generic_error(s, "}\n", "JSON parse error");
    expect_generic_error(s, "nonsense\n", "JSON parse error");
    expect_generic_error(s, "{\"execute\": \"query-status\n",
                         "JSON parse error");
    expect_generic_error(s, "[1, 2]\n", "QMP input must be a JSON object");
    expect_generic_error(s, "42\n", "QMP input must be a JSON object");
    expect_generic_error(s, "{\"arguments\": {}}\n",
                         "QMP input lacks member 'execute'");
    expect_generic_error(s, "{\"execute\": 42}\n", "must be a string");
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"arguments\": 5}\n", "must be an object");
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"bogus\": 1}\n", "'bogus' is unexpected");
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"arguments\": {\"x\": 1}}\n",
                         "Parameter 'x' is unexpected");
    expect_generic_error(s, "{\"execute\": \"query-status\"\xff}\n",
                         "JSON parse error");
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    qtest_quit(s);
}

/*
 * What json-glib alone would accept but QEMU refuses: a repeated member
 * (the last one would win: this request would quit), a number beyond a
 * double (it could only be echoed back as "inf", which is not JSON), and
 * device ids outside QEMU's identifier rules.
 */
static void test_qemu_json_rules(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) r3 = NULL;

    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"execute\": \"quit\"}\n", "duplicate key");
    /* Names compare unescaped; duplicates in nested objects count too */
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"\\u0065xecute\": \"quit\"}\n", "duplicate key");
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"id\": {\"a\": 1, \"a\": 2}}\n", "duplicate key");
    /* Same name in sibling objects, or as a value: fine */
    r1 = qtest_qmp(s, "{'execute': 'query-status', "
                   "'id': [{'execute': 1}, {'execute': 'execute'}]}");
    g_assert_true(json_object_has_member(r1, "return"));
    /* The reply parses: no "inf" echoed */
    qtest_qmp_send_raw(s, "{\"execute\": \"query-status\", "
                       "\"id\": 1e999999}\n");
    r2 = qtest_qmp_receive(s);
    assert_error(r2, "GenericError", "out of range");
    g_assert_false(json_object_has_member(r2, "id"));
    expect_generic_error(s, "{\"execute\": \"query-status\", "
                         "\"id\": -1e999999}\n", "out of range");
    r3 = qtest_qmp(s, "{'execute': 'query-status', 'id': 1.5e300}");
    g_assert_true(json_object_has_member(r3, "return"));

    for (unsigned i = 0; i < 5; i++) {
        static const char *const bad[] = { "a/b/../c", "1abc", "_x", "a b",
                                           "a,b" };
        g_autoptr(JsonObject) r = qtest_qmp(s,
            "{'execute': 'device_add', 'arguments': {'driver': "
            "'pci-test-dev', 'id': \"%s\"}}", bad[i]);

        assert_error(r, "GenericError", "expects an identifier");
    }
    qtest_qmp_assert_success(s, "{'execute': 'device_add', 'arguments': "
                             "{'driver': 'pci-test-dev', 'id': 'a-1.b_2'}}");
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    qtest_quit(s);
}

static void test_deep_nesting(void)
{
    QTestState *s = qtest_init(MACHINE);
    GString *deep = g_string_new(NULL);
    g_autoptr(JsonObject) resp = NULL;

    for (int i = 0; i < 5000; i++) {
        g_string_append_c(deep, '[');
    }
    for (int i = 0; i < 5000; i++) {
        g_string_append_c(deep, ']');
    }
    g_string_append_c(deep, '\n');
    /* One error for the whole line, then the next request works. */
    qtest_qmp_send_raw(s, "%s", deep->str);
    g_string_free(deep, TRUE);
    resp = qtest_qmp_receive(s);
    assert_error(resp, "GenericError", "nesting");
    qtest_qmp_assert_success(s, "{'execute': 'query-status'}");
    qtest_quit(s);
}

static void test_split_and_batched_input(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) r3 = NULL;

    /*
     * One request in three pieces, each read by the binary on its own,
     * with a brace inside a string.
     */
    qtest_qmp_send_pieces(s, (const char *[]) {
        "{\"execute\": \"query-st", "atus\", \"id\": \"a}\\\"", "b\"}", NULL,
    });
    r1 = qtest_qmp_receive(s);
    g_assert_cmpstr(json_object_get_string_member(r1, "id"), ==, "a}\"b");
    g_assert_nonnull(json_object_get_member(r1, "return"));

    /* Two requests in one write, no separator. */
    qtest_qmp_send_raw(s, "{\"execute\": \"query-status\", \"id\": 1}"
                       "{\"execute\": \"query-version\", \"id\": 2}");
    r2 = qtest_qmp_receive(s);
    r3 = qtest_qmp_receive(s);
    g_assert_cmpint(json_object_get_int_member(r2, "id"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(r3, "id"), ==, 2);
    g_assert_nonnull(json_object_get_member(r3, "return"));
    qtest_quit(s);
}

static void check_host_event(JsonObject *ev, const char *reason)
{
    JsonObject *data = json_object_get_object_member(ev, "data");
    JsonObject *ts = json_object_get_object_member(ev, "timestamp");

    g_assert_nonnull(data);
    g_assert_false(json_object_get_boolean_member(data, "guest"));
    g_assert_cmpstr(json_object_get_string_member(data, "reason"), ==, reason);
    g_assert_nonnull(ts);
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), >, 0);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), >=, 0);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), <,
                    1000000);
}

static void test_system_reset(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) ev = NULL;

    /* RAM survives a reset; the machine keeps working. */
    qtest_writel(s, 0x1000, 0xcafe);
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    ev = qtest_qmp_eventwait_ref(s, "RESET");
    check_host_event(ev, "host-qmp-system-reset");
    g_assert_cmphex(qtest_readl(s, 0x1000), ==, 0xcafe);
    qtest_quit(s);
}

static void test_quit(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) ev = NULL;
    int wstatus;

    qtest_qmp_assert_success(s, "{'execute': 'quit'}");
    ev = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    check_host_event(ev, "host-qmp-quit");
    g_assert_true(qtest_wait_exit(s, 5000, &wstatus));
    g_assert_true(WIFEXITED(wstatus));
    g_assert_cmpint(WEXITSTATUS(wstatus), ==, 0);
    qtest_quit(s);
}

/* A QMP client of our own, for a "-qmp unix:PATH,server=on" socket. */
typedef struct RawClient {
    int fd;
    GString *rx;
} RawClient;

static RawClient *raw_connect(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    RawClient *c = g_new0(RawClient, 1);

    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(c->fd, >=, 0);
    g_assert_cmpint(connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    c->rx = g_string_new(NULL);
    return c;
}

static void raw_close(RawClient *c)
{
    close(c->fd);
    g_string_free(c->rx, TRUE);
    g_free(c);
}

static JsonObject *raw_receive(RawClient *c)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    char *nl;

    while (!(nl = memchr(c->rx->str, '\n', c->rx->len))) {
        char buf[4096];
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

        g_assert_cmpint(n, >, 0);
        g_string_append_len(c->rx, buf, n);
    }
    g_assert_true(json_parser_load_from_data(parser, c->rx->str,
                                             nl - c->rx->str, NULL));
    g_string_erase(c->rx, 0, nl - c->rx->str + 1);
    return json_node_dup_object(json_parser_get_root(parser));
}

/* Send @cmd and return the next message that is not an event. */
static JsonObject *raw_command(RawClient *c, const char *cmd)
{
    g_assert_cmpint(send(c->fd, cmd, strlen(cmd), 0), ==, strlen(cmd));
    for (;;) {
        JsonObject *msg = raw_receive(c);

        if (!json_object_has_member(msg, "event")) {
            return msg;
        }
        json_object_unref(msg);
    }
}

static void raw_handshake(RawClient *c)
{
    g_autoptr(JsonObject) greeting = raw_receive(c);
    g_autoptr(JsonObject) resp = NULL;

    g_assert_true(json_object_has_member(greeting, "QMP"));
    resp = raw_command(c, "{\"execute\": \"qmp_capabilities\"}\n");
    g_assert_true(json_object_has_member(resp, "return"));
}

/* A listening -qmp socket takes clients one after another, and at once. */
static void test_server_socket_clients(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    QTestState *s = qtest_initf(MACHINE " -qmp unix:%s,server=on,wait=off",
                                path);
    RawClient *c1, *c2;
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) ev = NULL;

    /* A qtest round trip: start-up, and so the listening, is complete. */
    qtest_big_endian(s);

    c1 = raw_connect(path);
    raw_handshake(c1);
    c2 = raw_connect(path);
    raw_handshake(c2);
    r1 = raw_command(c1, "{\"execute\": \"query-status\", \"id\": 1}\n");
    g_assert_true(json_object_has_member(r1, "return"));

    /* Events go to every negotiated client. */
    qtest_qmp_assert_success(s, "{'execute': 'system_reset'}");
    ev = raw_receive(c2);
    g_assert_cmpstr(json_object_get_string_member(ev, "event"), ==, "RESET");
    raw_close(c1);

    /* Clients keep coming after others left. */
    raw_close(c2);
    c1 = raw_connect(path);
    raw_handshake(c1);
    r2 = raw_command(c1, "{\"execute\": \"query-version\"}\n");
    g_assert_true(json_object_has_member(r2, "return"));
    raw_close(c1);

    qtest_quit(s);
    /* The server removes its socket file when it exits. */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
}

/* CPU time (user + system) of @pid so far, in clock ticks. */
static unsigned long cpu_ticks(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    unsigned long ut = 0, st = 0;
    char *p;

    g_assert_true(g_file_get_contents(path, &stat, NULL, NULL));
    /* Fields after the command name: state is field 3, utime 14, stime 15 */
    p = strrchr(stat, ')');
    g_assert_nonnull(p);
    g_assert_cmpint(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                           "%*u %lu %lu", &ut, &st), ==, 2);
    return ut + st;
}

/*
 * Out of fds, a pending connection cannot be accepted and the listener
 * stays readable: the server must stop polling it for a while instead of
 * spinning, keep serving its clients, and take new ones once fds free up.
 */
static void test_accept_out_of_fds(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct rlimit old, low;
    int fds[64];
    unsigned n = 0;
    unsigned long t0, t1;
    long hz = sysconf(_SC_CLK_TCK);
    QTestState *s;
    RawClient *c;
    g_autoptr(JsonObject) r = NULL;

    g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &old), ==, 0);
    low = old;
    low.rlim_cur = 24;
    /* The binary inherits the limit; we take ours back at once. */
    g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &low), ==, 0);
    s = qtest_initf(MACHINE " -qmp unix:%s,server=on,wait=off", path);
    g_assert_cmpint(setrlimit(RLIMIT_NOFILE, &old), ==, 0);
    qtest_big_endian(s);

    /* One client at a time, until one gets no greeting: out of fds. */
    strcpy(addr.sun_path, path);
    for (n = 0; n < G_N_ELEMENTS(fds); n++) {
        struct pollfd pfd;

        fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        g_assert_cmpint(fds[n], >=, 0);
        g_assert_cmpint(connect(fds[n], (struct sockaddr *)&addr,
                                sizeof(addr)), ==, 0);
        pfd = (struct pollfd) { .fd = fds[n], .events = POLLIN };
        if (poll(&pfd, 1, 1000) == 0) {
            n++;
            break;
        }
    }
    g_assert_cmpuint(n, <, G_N_ELEMENTS(fds));

    /* A second of the shortage costs nowhere near a second of CPU. */
    t0 = cpu_ticks(qtest_pid(s));
    g_usleep(G_USEC_PER_SEC);
    t1 = cpu_ticks(qtest_pid(s));
    g_test_message("%lu ticks of CPU in 1 s (%ld ticks/s)", t1 - t0, hz);
    g_assert_cmpuint(t1 - t0, <, hz / 4);
    /* Connected clients are still served. */
    r = qtest_qmp(s, "{'execute': 'query-status'}");
    g_assert_true(json_object_has_member(r, "return"));

    /*
     * Fds free again: a client gets in once the server has seen the
     * others leave and its pause is over (a client that arrives before
     * may find its connection dropped, and tries again).
     */
    while (n) {
        close(fds[--n]);
    }
    for (unsigned tries = 0;; tries++) {
        struct pollfd pfd;
        char byte;

        c = raw_connect(path);
        pfd = (struct pollfd) { .fd = c->fd, .events = POLLIN };
        if (poll(&pfd, 1, 2000) == 1 &&
            recv(c->fd, &byte, 1, MSG_PEEK) == 1) {
            break;
        }
        g_assert_cmpuint(tries, <, 30);
        raw_close(c);
        g_usleep(100 * 1000);
    }
    raw_handshake(c);
    raw_close(c);
    qtest_quit(s);
    rmdir(dir);
}

static void low_fd_limit(gpointer data)
{
    struct rlimit rl;

    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 24;
    setrlimit(RLIMIT_NOFILE, &rl);
}

/* Connect to @path without waiting for the server to accept. */
static int connect_nb(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(addr.sun_path, path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The same for a listening qtest socket (-qtest unix:PATH,server=on):
 * out of fds when its client arrives, it pauses instead of spinning.
 */
static void test_qtest_accept_out_of_fds(void)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-test-XXXXXX", NULL);
    g_autofree char *qmp = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *qt = g_build_filename(dir, "qtest.sock", NULL);
    const char *argv[] = {
        qtest_binary_path(), "-M", "q35", "-display", "none", "-nodefaults",
        "-qtest", NULL, "-qmp", NULL, NULL,
    };
    g_autofree char *qt_spec = g_strdup_printf("unix:%s,server=on,wait=off",
                                               qt);
    g_autofree char *qmp_spec = g_strdup_printf("unix:%s,server=on,"
                                                "wait=off", qmp);
    long hz = sysconf(_SC_CLK_TCK);
    unsigned long t0, t1;
    int fds[64], qfd = -1, wstatus;
    unsigned n;
    GPid pid;

    argv[7] = qt_spec;
    argv[9] = qmp_spec;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD |
                                G_SPAWN_STDOUT_TO_DEV_NULL, low_fd_limit,
                                NULL, &pid, NULL));
    /* Started once the QMP socket answers with its greeting */
    for (unsigned i = 0; i < 2000 && !g_file_test(qmp, G_FILE_TEST_EXISTS);
         i++) {
        g_usleep(10 * 1000);
    }
    /* QMP clients until one gets no greeting: the process is out of fds */
    for (n = 0; n < G_N_ELEMENTS(fds); n++) {
        struct pollfd pfd;

        fds[n] = connect_nb(qmp);
        g_assert_cmpint(fds[n], >=, 0);
        pfd = (struct pollfd) { .fd = fds[n], .events = POLLIN };
        if (poll(&pfd, 1, 1000) == 0) {
            n++;
            break;
        }
    }
    g_assert_cmpuint(n, <, G_N_ELEMENTS(fds));
    /* Now the qtest client arrives: it cannot be accepted either */
    for (unsigned i = 0; i < 200 && qfd < 0; i++) {
        qfd = connect_nb(qt);
        if (qfd < 0) {
            g_usleep(10 * 1000);
        }
    }
    g_assert_cmpint(qfd, >=, 0);
    g_usleep(200 * 1000);
    t0 = cpu_ticks(pid);
    g_usleep(G_USEC_PER_SEC);
    t1 = cpu_ticks(pid);
    g_test_message("%lu ticks of CPU in 1 s (%ld ticks/s)", t1 - t0, hz);
    g_assert_cmpuint(t1 - t0, <, hz / 4);

    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &wstatus, 0), ==, pid);
    g_spawn_close_pid(pid);
    close(qfd);
    while (n) {
        close(fds[--n]);
    }
    unlink(qmp);
    unlink(qt);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting-and-negotiation",
                    test_greeting_and_negotiation);
    g_test_add_func("/qmp/negotiation-enable-oob",
                    test_negotiation_enable_oob);
    g_test_add_func("/qmp/query-version", test_query_version);
    g_test_add_func("/qmp/query-status", test_query_status);
    g_test_add_func("/qmp/query-commands", test_query_commands);
    g_test_add_func("/qmp/id-echo", test_id_echo);
    g_test_add_func("/qmp/unknown-command", test_unknown_command);
    g_test_add_func("/qmp/malformed-input", test_malformed_input);
    g_test_add_func("/qmp/deep-nesting", test_deep_nesting);
    g_test_add_func("/qmp/qemu-json-rules", test_qemu_json_rules);
    g_test_add_func("/qmp/accept-out-of-fds", test_accept_out_of_fds);
    g_test_add_func("/qmp/qtest-accept-out-of-fds",
                    test_qtest_accept_out_of_fds);
    g_test_add_func("/qmp/split-and-batched-input",
                    test_split_and_batched_input);
    g_test_add_func("/qmp/system-reset", test_system_reset);
    g_test_add_func("/qmp/quit", test_quit);
    g_test_add_func("/qmp/server-socket-clients", test_server_socket_clients);
    return g_test_run();
}
