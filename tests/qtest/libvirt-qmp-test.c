/*
 * What libvirt needs from the command line and QMP, checked against
 * QEMU's documented behaviour (the QAPI schema, qemu-options.hx) rather than
 * against our own answers:
 *  - the target and machine names (per-target binary names, versioned
 *    machine types as aliases);
 *  - -S, cont, stop and query-status's "prelaunch"/"running"/"paused",
 *    with STOP/RESUME events;
 *  - query-qmp-schema is a closed SchemaInfo graph that covers every
 *    command query-commands lists;
 *  - getfd/closefd with SCM_RIGHTS and "fd":"NAME" for -object iommufd;
 *  - migration capabilities, set-action, qom-list-properties,
 *    device-list-properties (DeviceNotFound);
 *  - command-line options libvirt writes, accepted or refused clearly;
 *  - -daemonize/-pidfile and SIGTERM.
 */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libqtest.h"

#define MACHINE "-machine q35"

static JsonObject *get_error(JsonObject *resp)
{
    JsonObject *err = json_object_get_object_member(resp, "error");

    g_assert_nonnull(err);
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

/* The per-target name of the binary under test (a link made by meson). */
static char *target_binary(const char *arch)
{
    return g_strdup_printf("%s-%s", qtest_binary_path(), arch);
}

static QTestState *init_as(const char *arch, const char *args)
{
    g_autofree char *bin = target_binary(arch);
    g_autofree char *old = g_strdup(qtest_binary_path());
    QTestState *s;

    g_setenv("QTEST_QEMU_BINARY", bin, TRUE);
    s = qtest_init(args);
    g_setenv("QTEST_QEMU_BINARY", old, TRUE);
    return s;
}

static void check_target(const char *arch, const char *machine,
                         const char *versioned)
{
    g_autofree char *args = g_strdup_printf("-machine %s", versioned);
    QTestState *s = init_as(arch, args);
    g_autoptr(JsonNode) t = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-target'}");
    g_autoptr(JsonNode) m = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-machines'}");
    JsonArray *list = json_node_get_array(m);
    bool found = false;

    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(t),
                                                  "arch"), ==, arch);
    /* QEMU lists the versioned name with the short one as its alias. */
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);

        if (!strcmp(json_object_get_string_member(o, "name"), versioned)) {
            g_assert_cmpstr(json_object_get_string_member(o, "alias"), ==,
                            machine);
            found = true;
        }
        /* A binary offers only its own target's machines. */
        g_assert_false(g_str_has_prefix(
            json_object_get_string_member(o, "name"),
            strcmp(arch, "x86_64") ? "pc-q35" : "virt"));
    }
    g_assert_true(found);
    qtest_quit(s);
}

static void test_target_x86_64(void)
{
    check_target("x86_64", "q35", "pc-q35-11.1");
}

static void test_target_aarch64(void)
{
    check_target("aarch64", "virt", "virt-11.1");
}

static void test_versioned_machines(void)
{
    g_autofree char *x86 = target_binary("x86_64");
    g_autofree char *old = g_strdup(qtest_binary_path());
    g_autofree char *err = NULL;
    int status;

    /* An older version libvirt recorded in a domain is the same machine. */
    qtest_quit(qtest_init("-machine pc-q35-8.2"));
    qtest_quit(qtest_init("-machine virt-9.0"));
    /* A version newer than the interface we follow is not. */
    g_assert_true(qtest_run_binary("-machine pc-q35-99.0", &status, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "unsupported machine type"));
    g_clear_pointer(&err, g_free);
    /* The x86_64 binary has no virt machine. */
    g_setenv("QTEST_QEMU_BINARY", x86, TRUE);
    g_assert_true(qtest_run_binary("-machine virt", &status, &err));
    g_setenv("QTEST_QEMU_BINARY", old, TRUE);
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "unsupported machine type"));
}

static void assert_status(QTestState *s, const char *status, bool running)
{
    g_autoptr(JsonNode) r = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-status'}");
    JsonObject *o = json_node_get_object(r);

    g_assert_cmpstr(json_object_get_string_member(o, "status"), ==, status);
    g_assert_cmpint(json_object_get_boolean_member(o, "running"), ==, running);
}

static void test_runstate(void)
{
    QTestState *s = qtest_init(MACHINE " -S");

    assert_status(s, "prelaunch", false);
    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    qtest_qmp_eventwait(s, "RESUME");
    assert_status(s, "running", true);
    qtest_qmp_assert_success(s, "{'execute': 'stop'}");
    qtest_qmp_eventwait(s, "STOP");
    assert_status(s, "paused", false);
    qtest_qmp_assert_success(s, "{'execute': 'cont'}");
    assert_status(s, "running", true);
    qtest_quit(s);

    s = qtest_init(MACHINE);
    assert_status(s, "running", true);
    qtest_quit(s);
}

/* ---- query-qmp-schema: SchemaInfo as qapi/introspect.json defines it */

static const char *member_str(JsonObject *o, const char *name)
{
    return json_object_has_member(o, name) ?
           json_object_get_string_member(o, name) : NULL;
}

static void test_schema(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonNode) schema = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-qmp-schema'}");
    g_autoptr(JsonNode) cmds = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-commands'}");
    g_autoptr(JsonNode) events = qtest_qmp_assert_success_ref(
        s, "{'execute': 'query-events'}");
    g_autoptr(GHashTable) by_name = g_hash_table_new(g_str_hash, g_str_equal);
    JsonArray *list = json_node_get_array(schema);
    JsonArray *clist = json_node_get_array(cmds);
    JsonArray *elist = json_node_get_array(events);

    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);
        const char *name = member_str(o, "name");

        g_assert_nonnull(name);
        g_assert_nonnull(member_str(o, "meta-type"));
        /* Every name is defined once. */
        g_assert_false(g_hash_table_contains(by_name, name));
        g_hash_table_insert(by_name, (gpointer)name, o);
    }
    /* Every type an entry names is defined: the graph is closed. */
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonObject *o = json_array_get_object_element(list, i);
        const char *meta = member_str(o, "meta-type");
        static const char *const refs[] = {
            "arg-type", "ret-type", "element-type", NULL
        };

        for (int r = 0; refs[r]; r++) {
            const char *t = member_str(o, refs[r]);

            if (t) {
                g_assert_true(g_hash_table_contains(by_name, t));
            }
        }
        if (!strcmp(meta, "object")) {
            JsonArray *m = json_object_get_array_member(o, "members");

            for (guint j = 0; j < json_array_get_length(m); j++) {
                JsonObject *mo = json_array_get_object_element(m, j);

                g_assert_true(g_hash_table_contains(
                    by_name, member_str(mo, "type")));
            }
        } else if (!strcmp(meta, "command")) {
            g_assert_nonnull(member_str(o, "arg-type"));
            g_assert_nonnull(member_str(o, "ret-type"));
        } else if (!strcmp(meta, "builtin")) {
            g_assert_nonnull(member_str(o, "json-type"));
        }
    }
    /* query-commands and the schema agree, both ways. */
    for (guint i = 0; i < json_array_get_length(clist); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(clist, i), "name");
        JsonObject *o = g_hash_table_lookup(by_name, name);

        g_assert_nonnull(o);
        g_assert_cmpstr(member_str(o, "meta-type"), ==, "command");
    }
    for (guint i = 0; i < json_array_get_length(elist); i++) {
        const char *name = json_object_get_string_member(
            json_array_get_object_element(elist, i), "name");
        JsonObject *o = g_hash_table_lookup(by_name, name);

        g_assert_nonnull(o);
        g_assert_cmpstr(member_str(o, "meta-type"), ==, "event");
    }
    /* What libvirt looks up: getfd's argument, device_add, the events. */
    g_assert_true(g_hash_table_contains(by_name, "getfd"));
    {
        JsonObject *da = g_hash_table_lookup(by_name, "device_add");
        g_autoptr(JsonNode) fn = NULL;
        g_autofree char *ft = NULL;

        g_assert_nonnull(da);
        g_assert_true(json_object_has_member(da, "features"));
        fn = json_node_copy(json_object_get_member(da, "features"));
        ft = json_to_string(fn, FALSE);
        g_assert_nonnull(strstr(ft, "\"json-cli\""));
    }
    g_assert_true(g_hash_table_contains(by_name, "SHUTDOWN"));
    g_assert_true(g_hash_table_contains(by_name, "DEVICE_DELETED"));
    qtest_quit(s);
}

/* ---- getfd / closefd over SCM_RIGHTS, on a second QMP socket ---- */

typedef struct RawQmp {
    int fd;
    GString *in;
} RawQmp;

static JsonObject *raw_recv(RawQmp *q)
{
    for (;;) {
        char *nl = strchr(q->in->str, '\n');
        char buf[4096];
        ssize_t n;

        if (nl) {
            g_autoptr(JsonParser) p = json_parser_new();
            g_autofree char *line = g_strndup(q->in->str, nl - q->in->str);
            JsonObject *o;

            g_string_erase(q->in, 0, nl - q->in->str + 1);
            g_assert_true(json_parser_load_from_data(p, line, -1, NULL));
            o = json_node_dup_object(json_parser_get_root(p));
            if (json_object_has_member(o, "event")) {
                json_object_unref(o);
                continue;
            }
            return o;
        }
        n = recv(q->fd, buf, sizeof(buf), 0);
        g_assert_cmpint(n, >, 0);
        g_string_append_len(q->in, buf, n);
    }
}

/* Send @cmd, with @pass_fd (if >= 0) as SCM_RIGHTS; return the reply. */
static JsonObject *raw_cmd(RawQmp *q, const char *cmd, int pass_fd)
{
    struct iovec iov = { .iov_base = (void *)cmd, .iov_len = strlen(cmd) };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (pass_fd >= 0) {
        struct cmsghdr *cm;

        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
    }
    g_assert_cmpint(sendmsg(q->fd, &msg, 0), ==, (ssize_t)strlen(cmd));
    return raw_recv(q);
}

static void raw_connect(RawQmp *q, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    JsonObject *o;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    q->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    q->in = g_string_new(NULL);
    o = raw_recv(q);                                    /* greeting */
    json_object_unref(o);
    o = raw_cmd(q, "{\"execute\":\"qmp_capabilities\"}\n", -1);
    g_assert_true(json_object_has_member(o, "return"));
    json_object_unref(o);
}

static void raw_close(RawQmp *q)
{
    close(q->fd);
    g_string_free(q->in, TRUE);
}

static char *obj_text(JsonObject *o)
{
    g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), o);

    return json_to_string(n, FALSE);
}

static void test_getfd(void)
{
    g_autofree char *dir = g_dir_make_tmp("lvqmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *args = g_strdup_printf(
        MACHINE " -qmp unix:%s,server=on,wait=off", path);
    QTestState *s = qtest_init(args);
    g_autofree char *text = NULL;
    RawQmp q;
    JsonObject *r;
    int fds[2];

    raw_connect(&q, path);
    g_assert_cmpint(pipe(fds), ==, 0);

    /* No fd passed: refused. */
    r = raw_cmd(&q, "{\"execute\":\"getfd\",\"arguments\":"
                "{\"fdname\":\"f1\"}}\n", -1);
    assert_error(r, "GenericError", "No file descriptor supplied");
    json_object_unref(r);
    /* A name must not look like a number. */
    r = raw_cmd(&q, "{\"execute\":\"getfd\",\"arguments\":"
                "{\"fdname\":\"7\"}}\n", fds[0]);
    assert_error(r, "GenericError", "fdname");
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"getfd\",\"arguments\":"
                "{\"fdname\":\"f1\"}}\n", fds[0]);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"closefd\",\"arguments\":"
                "{\"fdname\":\"f1\"}}\n", -1);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"closefd\",\"arguments\":"
                "{\"fdname\":\"f1\"}}\n", -1);
    assert_error(r, "GenericError", "not found");
    json_object_unref(r);

    /* "fd":"NAME" for the iommufd object takes the named fd... */
    r = raw_cmd(&q, "{\"execute\":\"getfd\",\"arguments\":"
                "{\"fdname\":\"iommufd-fd\"}}\n", fds[1]);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"object-add\",\"arguments\":"
                "{\"qom-type\":\"iommufd\",\"id\":\"iommufd1\","
                "\"fd\":\"iommufd-fd\"}}\n", -1);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    /* ...which is then no longer in the table, as in QEMU. */
    r = raw_cmd(&q, "{\"execute\":\"closefd\",\"arguments\":"
                "{\"fdname\":\"iommufd-fd\"}}\n", -1);
    assert_error(r, "GenericError", "not found");
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"qom-list\",\"arguments\":"
                "{\"path\":\"/objects\"}}\n", -1);
    text = obj_text(r);
    g_assert_nonnull(strstr(text, "child<iommufd>"));
    g_assert_nonnull(strstr(text, "iommufd1"));
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"object-add\",\"arguments\":"
                "{\"qom-type\":\"iommufd\",\"id\":\"iommufd2\","
                "\"fd\":\"nosuchname\"}}\n", -1);
    assert_error(r, "GenericError", "nosuchname");
    json_object_unref(r);
    r = raw_cmd(&q, "{\"execute\":\"object-del\",\"arguments\":"
                "{\"id\":\"iommufd1\"}}\n", -1);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);

    close(fds[0]);
    close(fds[1]);
    raw_close(&q);
    qtest_quit(s);
    unlink(path);
    rmdir(dir);
}

static void test_misc_commands(void)
{
    QTestState *s = qtest_init(MACHINE " -device intel-iommu,id=iommu0");
    g_autoptr(JsonObject) r = NULL;
    g_autoptr(JsonNode) props = NULL;
    g_autofree char *text = NULL;

    /* Migration: "events" only, anything else says there is none. */
    qtest_qmp_assert_success(s, "{'execute': 'migrate-set-capabilities', "
                             "'arguments': {'capabilities': [{'capability': "
                             "'events', 'state': true}]}}");
    r = qtest_qmp(s, "{'execute': 'migrate-set-capabilities', 'arguments': "
                  "{'capabilities': [{'capability': 'postcopy-ram', "
                  "'state': true}]}}");
    assert_error(r, "GenericError", "does not support migration");
    g_clear_pointer(&r, json_object_unref);
    /* Malformed entries are refused, not trusted. */
    r = qtest_qmp(s, "{'execute': 'migrate-set-capabilities', 'arguments': "
                  "{'capabilities': [{'capability': 7, 'state': true}]}}");
    assert_error(r, "GenericError", "needs 'capability'");
    g_clear_pointer(&r, json_object_unref);
    r = qtest_qmp(s, "{'execute': 'migrate-set-capabilities', 'arguments': "
                  "{'capabilities': [3]}}");
    assert_error(r, "GenericError", "needs 'capability'");
    g_clear_pointer(&r, json_object_unref);

    /* set-action: QEMU's values are taken, others refused. */
    qtest_qmp_assert_success(s, "{'execute': 'set-action', 'arguments': "
                             "{'panic': 'pause', 'reboot': 'reset'}}");
    r = qtest_qmp(s, "{'execute': 'set-action', 'arguments': "
                  "{'reboot': 'explode'}}");
    assert_error(r, "GenericError", "explode");
    g_clear_pointer(&r, json_object_unref);
    /* One value, not a list of them (QEMU's enum takes one name). */
    r = qtest_qmp(s, "{'execute': 'set-action', 'arguments': "
                  "{'reboot': 'reset,shutdown'}}");
    assert_error(r, "GenericError", "reset,shutdown");
    g_clear_pointer(&r, json_object_unref);

    /* A type that does not exist is DeviceNotFound (libvirt relies on it). */
    r = qtest_qmp(s, "{'execute': 'device-list-properties', 'arguments': "
                  "{'typename': 'nosuch-device'}}");
    assert_error(r, "DeviceNotFound", NULL);
    g_clear_pointer(&r, json_object_unref);

    /* intel-iommu has upstream's property names. */
    props = qtest_qmp_assert_success_ref(
        s, "{'execute': 'device-list-properties', 'arguments': "
        "{'typename': 'intel-iommu'}}");
    text = json_to_string(props, FALSE);
    g_assert_nonnull(strstr(text, "\"intremap\""));
    g_assert_nonnull(strstr(text, "\"eim\""));
    g_assert_nonnull(strstr(text, "\"dma-translation\""));
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&props, json_node_unref);

    /* QEMU's versioned machine class, with -machine's properties. */
    props = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-list-properties', 'arguments': "
        "{'typename': 'pc-q35-11.1-machine'}}");
    text = json_to_string(props, FALSE);
    g_assert_nonnull(strstr(text, "\"memory-backend\""));
    g_clear_pointer(&text, g_free);
    g_clear_pointer(&props, json_node_unref);

    props = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-get', 'arguments': {'path': "
        "'/machine/peripheral/iommu0', 'property': 'caching-mode'}}");
    g_assert_false(json_node_get_boolean(props));
    g_clear_pointer(&props, json_node_unref);

    /* Integers are JSON numbers, decimal as the property says. */
    props = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-get', 'arguments': {'path': "
        "'/machine/peripheral/iommu0', 'property': 'aw-bits'}}");
    g_assert_true(JSON_NODE_HOLDS_VALUE(props));
    g_assert_cmpint(json_node_get_value_type(props), ==, G_TYPE_INT64);
    g_assert_cmpint(json_node_get_int(props), ==, 48);
    qtest_quit(s);
}

/*
 * vfio-pci "fd":"N" names an fd by number.  A number that is not a VFIO
 * cdev (here: each fd the VMM holds itself, its RAM, event notifiers,
 * monitor sockets) must fail the device_add and leave the fd alone:
 * closing it would take the VMM's own file away (its main loop spins on
 * a closed eventfd).
 */
static void test_vfio_fd_not_taken(void)
{
    QTestState *s = qtest_init(MACHINE " -object iommufd,id=iommufd0");
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", qtest_pid(s));
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d))) {
        if (atoi(name) > 2) {
            g_ptr_array_add(names, g_strdup(name));
        }
    }
    g_assert_cmpuint(names->len, >, 0);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        g_autofree char *link = g_strdup_printf("%s/%s", dir, n);
        g_autofree char *before = g_file_read_link(link, NULL);
        g_autofree char *after = NULL;
        g_autoptr(JsonObject) r = NULL;

        g_assert_nonnull(before);
        r = qtest_qmp(s, "{'execute': 'device_add', 'arguments': "
                      "{'driver': 'vfio-pci', 'fd': '%s', "
                      "'iommufd': 'iommufd0'}}", n);
        assert_error(r, "GenericError", NULL);
        after = g_file_read_link(link, NULL);
        g_assert_cmpstr(after, ==, before);
    }
    qtest_quit(s);
}

/* ---- the command line libvirt writes ---- */

static void test_libvirt_cmdline(void)
{
    /* Abridged from what libvirt 12.8 wrote for a q35 domain. */
    QTestState *s = qtest_init(
        "-name guest=t1,debug-threads=on -S "
        "-object '{\"qom-type\":\"secret\",\"id\":\"masterKey0\","
        "\"format\":\"raw\",\"file\":\"/nonexistent/master-key.aes\"}' "
        "-machine pc-q35-11.1,usb=off,dump-guest-core=off,"
        "memory-backend=pc.ram -accel tcg -m size=262144k "
        "-object '{\"qom-type\":\"memory-backend-ram\",\"id\":\"pc.ram\","
        "\"size\":268435456}' "
        "-overcommit mem-lock=off -smp 1,sockets=1,cores=1,threads=1 "
        "-uuid cfcb1ff2-66d5-4c1d-b5ec-83c966ff1e10 -display none "
        "-no-user-config -nodefaults -rtc base=utc -no-shutdown "
        "-boot strict=on "
        "-global intel-iommu.caching-mode=on "
        "-device intel-iommu,id=iommu0,intremap=off "
        "-audiodev '{\"id\":\"audio1\",\"driver\":\"none\"}' "
        "-global ICH9-LPC.noreboot=off -watchdog-action reset "
        "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
        "resourcecontrol=deny -msg timestamp=on");
    g_autoptr(JsonNode) v = NULL;

    assert_status(s, "prelaunch", false);
    /* -global set the default; the device did not override it. */
    v = qtest_qmp_assert_success_ref(
        s, "{'execute': 'qom-get', 'arguments': {'path': "
        "'/machine/peripheral/iommu0', 'property': 'caching-mode'}}");
    g_assert_true(json_node_get_boolean(v));
    qtest_quit(s);
}

typedef struct BadCmdline {
    const char *path;
    const char *args;
    const char *fragment;
} BadCmdline;

static const BadCmdline bad_cmdlines[] = {
    { "xhci", "-M q35 -device qemu-xhci,id=usb",
      "<controller type='usb' model='none'/>" },
    { "usb-on", "-M q35,usb=on", "only 'usb=off'" },
    { "unknown-machine-prop", "-M q35,nosuchprop=1", "nosuchprop" },
    { "gic-v2", "-M virt,gic-version=2", "GICv3" },
    { "iommu-smmuv3", "-M virt,iommu=smmuv3", "arm-smmuv3,primary-bus" },
    { "backend-missing", "-M q35,memory-backend=nope", "'nope' not found" },
    { "backend-size", "-M q35,memory-backend=r -m 512M "
      "-object memory-backend-ram,id=r,size=256M", "disagree" },
    { "kvm", "-M q35 -accel kvm", "use tcg or qtest" },
    { "global-syntax", "-M q35 -global intel-iommu", "DRIVER.PROPERTY=VALUE" },
    { "global-prop", "-M q35 -global intel-iommu.nosuch=1", "nosuch" },
    { "intremap-on", "-M q35 -device intel-iommu,intremap=on",
      "intremap='off'" },
    { "eim-on", "-M q35 -device intel-iommu,eim=on", "eim=off" },
    { "dma-translation-off",
      "-M q35 -device intel-iommu,dma-translation=off", "dma-translation" },
    { "cmdqv-on", "-M virt -device arm-smmuv3,primary-bus=pcie.0,accel=on,"
      "cmdqv=on", "no CMDQV" },
    { "oas-auto-emulated", "-M virt -device arm-smmuv3,primary-bus=pcie.0,"
      "oas=auto", "oas=auto requires accel=on" },
    { "ssidsize-range", "-M virt -device arm-smmuv3,primary-bus=pcie.0,"
      "accel=on,ssidsize=21", "0..20 or auto" },
    { "chardev-fd", "-M q35 -chardev socket,id=c,fd=999999,server=on,"
      "wait=off -mon chardev=c,mode=control", "not a stream socket" },
};

static void test_bad_cmdline(gconstpointer data)
{
    const BadCmdline *t = data;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(t->args, &status, &err));
    g_test_message("args '%s': status %d, stderr '%s'", t->args, status, err);
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, t->fragment));
}

static void test_good_device_props(void)
{
    /* The values each model implements, and auto where upstream has it. */
    qtest_quit(qtest_init("-M virt -device arm-smmuv3,primary-bus=pcie.0,"
                          "accel=on,oas=auto,ssidsize=auto,cmdqv=auto,"
                          "ril=auto,ats=auto,smmu_per_bus=on"));
    qtest_quit(qtest_init(MACHINE " -device intel-iommu,intremap=off,eim=off,"
                          "dma-translation=on"));
}

/* -daemonize: the parent returns once the child serves QMP. */
static void test_daemonize(void)
{
    g_autofree char *dir = g_dir_make_tmp("lvdaemon-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *pidfile = g_build_filename(dir, "qmp.pid", NULL);
    g_autofree char *args = g_strdup_printf(
        "-S -no-user-config -nodefaults -nographic -machine none,"
        "accel=kvm:tcg -qmp unix:%s,server=on,wait=off -pidfile %s "
        "-daemonize", sock, pidfile);
    g_autofree char *pidtext = NULL;
    g_autofree char *err = NULL;
    RawQmp q;
    JsonObject *r;
    int status;
    long pid;

    g_assert_true(qtest_run_binary(args, &status, &err));
    g_assert_cmpint(status, ==, 0);
    /* Ready when the parent exits: the pid file and the socket exist. */
    g_assert_true(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    pid = strtol(pidtext, NULL, 10);
    g_assert_cmpint(pid, >, 1);
    g_assert_cmpint(kill(pid, 0), ==, 0);
    raw_connect(&q, sock);
    r = raw_cmd(&q, "{\"execute\":\"query-target\"}\n", -1);
    g_assert_true(json_object_has_member(r, "return"));
    json_object_unref(r);
    /* SIGTERM: a clean shutdown that removes the pid file. */
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    for (int i = 0; i < 500 && kill(pid, 0) == 0; i++) {
        g_usleep(10 * 1000);
    }
    g_assert_cmpint(kill(pid, 0), !=, 0);
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    raw_close(&q);
    unlink(sock);
    rmdir(dir);
}

static void test_sigterm(void)
{
    QTestState *s = qtest_init(MACHINE);
    g_autoptr(JsonObject) ev = NULL;

    kill(qtest_pid(s), SIGTERM);
    ev = qtest_qmp_eventwait_ref(s, "SHUTDOWN");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(ev, "data"), "reason"), ==,
        "host-signal");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/libvirt/target/x86_64", test_target_x86_64);
    g_test_add_func("/libvirt/target/aarch64", test_target_aarch64);
    g_test_add_func("/libvirt/machine/versions", test_versioned_machines);
    g_test_add_func("/libvirt/runstate", test_runstate);
    g_test_add_func("/libvirt/schema", test_schema);
    g_test_add_func("/libvirt/getfd", test_getfd);
    g_test_add_func("/libvirt/misc", test_misc_commands);
    g_test_add_func("/libvirt/vfio-fd-not-taken", test_vfio_fd_not_taken);
    g_test_add_func("/libvirt/cmdline/libvirt", test_libvirt_cmdline);
    g_test_add_func("/libvirt/cmdline/device-props", test_good_device_props);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cmdlines); i++) {
        g_autofree char *path = g_strdup_printf("/libvirt/cmdline/bad/%s",
                                                bad_cmdlines[i].path);

        g_test_add_data_func(path, &bad_cmdlines[i], test_bad_cmdline);
    }
    g_test_add_func("/libvirt/daemonize", test_daemonize);
    g_test_add_func("/libvirt/sigterm", test_sigterm);
    return g_test_run();
}
