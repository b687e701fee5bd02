/*
 * QMP server: JSON commands and events over unix sockets.
 *
 * Every client gets the greeting, must negotiate with qmp_capabilities,
 * then sends {"execute": NAME, "arguments": {...}, "id": ANY} requests.
 * Input is split into top-level JSON values by a small scanner that
 * tracks nesting and strings, so a request may arrive in pieces or
 * several may arrive at once; each value is then parsed by json-glib.
 * Nothing a client sends is fatal: bad input gets an error reply and the
 * client keeps going.
 *
 * Output is queued per client and written without blocking, so a client
 * that stops reading cannot stall the machine; its input is not
 * processed while too much output is queued.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "qemu/cutils.h"
#include "qemu/json-check.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/queue.h"
#include "qemu/socket-client.h"
#include "qemu/timer.h"
#include "system/qmp.h"
#include "system/system.h"
#include "trace.h"

/* Larger requests are refused (QEMU's JSON lexer has the same limits). */
#define QMP_MAX_VALUE_SIZE  (64u << 20)
#define QMP_MAX_NESTING     1024
/* Stop taking requests while this much output is queued... */
#define QMP_OUT_HIGH_WATER  (1u << 20)
/* ...and give up on a client that lets this much pile up. */
#define QMP_OUT_MAX         (64u << 20)
/*
 * Out of fds (or kernel memory) to accept with: the connection stays in
 * the backlog and the listener stays readable, so stop polling it for a
 * while, doubling the pause up to the maximum while the shortage lasts.
 */
#define QMP_ACCEPT_BACKOFF_MIN_MS   10
#define QMP_ACCEPT_BACKOFF_MAX_MS   1000
/* How long monitor_cleanup() waits for clients to read what is queued. */
#define QMP_FLUSH_TIMEOUT_MS 2000

typedef struct QmpClient {
    SocketClient sc;            /* broken: closed from the reap BH */
    bool negotiated;
    bool oob;                   /* client enabled the "oob" capability */
    GString *in;
    size_t in_pos;              /* scanned up to here */
    size_t value_start;         /* start of the value being scanned */
    int depth;
    bool in_string;
    bool escape;
    bool in_token;              /* a bare top-level scalar */
    bool skip_line;             /* after bad input: drop up to a newline */
    GArray *fds;                /* passed with SCM_RIGHTS, not yet taken */
    QLIST_ENTRY(QmpClient) next;
} QmpClient;

/* Fds a client may pass ahead of the commands that take them. */
#define QMP_MAX_PENDING_FDS 16

/* A listening socket of a "-qmp unix:PATH,server=on" option. */
typedef struct QmpListener {
    int fd;
    char *path;
    QEMUTimer *retry;           /* re-arms the listener after a shortage */
    unsigned backoff_ms;        /* 0: accepting normally */
    QLIST_ENTRY(QmpListener) next;
} QmpListener;

/* Every -qmp option shares the clients list: events go to all. */
typedef struct QmpServer {
    QLIST_HEAD(, QmpListener) listeners;
    QLIST_HEAD(, QmpClient) clients;
    QEMUBH *reap_bh;
} QmpServer;

static QmpServer qmp_server;
/* The client whose command runs now (for getfd). */
static QmpClient *qmp_current_client;
static GHashTable *qmp_commands;    /* name -> QmpCommandFunc */
static bool qmp_atexit_registered;

static void qmp_client_process_input(QmpClient *c);

/* ------------------------------------------------------------------ */
/* Unix sockets (shared with qtest) */

static bool socket_spec_parse(const char *spec, char **path, bool *server,
                              bool *wait, Error **errp)
{
    g_auto(GStrv) parts = NULL;

    if (!g_str_has_prefix(spec, "unix:")) {
        error_setg(errp, "'%s': only unix:PATH sockets are supported", spec);
        return false;
    }
    parts = g_strsplit(spec + strlen("unix:"), ",", -1);
    if (!parts[0] || !*parts[0]) {
        error_setg(errp, "'%s': missing socket path", spec);
        return false;
    }
    *server = false;
    *wait = true;
    for (int i = 1; parts[i]; i++) {
        const char *opt = parts[i];

        /* "server" and "nowait" are QEMU's legacy spellings. */
        if (!strcmp(opt, "server")) {
            *server = true;
        } else if (!strcmp(opt, "nowait")) {
            *wait = false;
        } else if (g_str_has_prefix(opt, "server=")) {
            if (!qemu_parse_bool(opt + strlen("server="), server)) {
                error_setg(errp, "'%s': invalid value in '%s'", spec, opt);
                return false;
            }
        } else if (g_str_has_prefix(opt, "wait=")) {
            if (!qemu_parse_bool(opt + strlen("wait="), wait)) {
                error_setg(errp, "'%s': invalid value in '%s'", spec, opt);
                return false;
            }
        } else {
            error_setg(errp, "'%s': unsupported socket option '%s'", spec, opt);
            return false;
        }
    }
    *path = g_strdup(parts[0]);
    return true;
}

static bool set_nonblock(int fd, Error **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        error_setg_errno(errp, errno, "cannot make socket non-blocking");
        return false;
    }
    return true;
}

int qemu_socket_spec_open(const char *spec, bool *listening, bool *wait,
                          char **path_out, Error **errp)
{
    g_autofree char *path = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    bool server;
    int fd;

    if (!socket_spec_parse(spec, &path, &server, wait, errp)) {
        return -1;
    }
    if (strlen(path) >= sizeof(addr.sun_path)) {
        error_setg(errp, "socket path '%s' is too long", path);
        return -1;
    }
    strcpy(addr.sun_path, path);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create socket");
        return -1;
    }
    if (server) {
        /* A stale socket file from an earlier run would make bind fail. */
        unlink(path);
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            listen(fd, 8) < 0) {
            error_setg_errno(errp, errno, "cannot listen on '%s'", path);
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", path);
        close(fd);
        return -1;
    }
    if (!set_nonblock(fd, errp)) {
        close(fd);
        return -1;
    }
    *listening = server;
    if (path_out) {
        *path_out = g_steal_pointer(&path);
    }
    return fd;
}

int qemu_socket_accept(int listen_fd, bool block)
{
    int fd;

    for (;;) {
        if (block) {
            struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };

            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                return -1;
            }
        }
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0 || !block || (errno != EAGAIN && errno != EINTR)) {
            return fd;
        }
    }
}

bool qemu_socket_accept_backoff(int err, unsigned *backoff_ms)
{
    if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM) {
        return false;
    }
    *backoff_ms = *backoff_ms ?
                  MIN(*backoff_ms * 2, QMP_ACCEPT_BACKOFF_MAX_MS) :
                  QMP_ACCEPT_BACKOFF_MIN_MS;
    warn_report_once("cannot accept connections: %s; retrying",
                     g_strerror(err));
    return true;
}

/* ------------------------------------------------------------------ */
/* Command registry */

typedef struct QmpCommand {
    QmpCommandFunc fn;
    const char *args;           /* schema of the arguments, see qmp.h */
    const char *ret;            /* schema type of the return value */
} QmpCommand;

static GHashTable *qmp_command_table(void)
{
    /* Commands register from constructors, so create on first use. */
    if (!qmp_commands) {
        qmp_commands = g_hash_table_new_full(g_str_hash, g_str_equal,
                                             g_free, g_free);
    }
    return qmp_commands;
}

void qmp_register_command_schema(const char *name, QmpCommandFunc fn,
                                 const char *args, const char *ret)
{
    QmpCommand *cmd = g_new0(QmpCommand, 1);

    cmd->fn = fn;
    cmd->args = args;
    cmd->ret = ret;
    g_hash_table_insert(qmp_command_table(), g_strdup(name), cmd);
}

void qmp_register_command(const char *name, QmpCommandFunc fn)
{
    qmp_register_command_schema(name, fn, NULL, NULL);
}

void qmp_foreach_command(void (*fn)(const char *name, const char *args,
                                    const char *ret, void *opaque),
                         void *opaque)
{
    g_autoptr(GList) names = g_list_sort(
        g_hash_table_get_keys(qmp_command_table()), (GCompareFunc)strcmp);

    for (GList *l = names; l; l = l->next) {
        QmpCommand *cmd = g_hash_table_lookup(qmp_command_table(), l->data);

        fn(l->data, cmd->args, cmd->ret, opaque);
    }
}

JsonNode *qmp_node_take_object(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

JsonNode *qmp_node_take_array(JsonArray *array)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, array);
    return node;
}

JsonNode *qmp_return_empty(void)
{
    return qmp_node_take_object(json_object_new());
}

bool qmp_check_no_args(JsonObject *args, Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);

    if (members) {
        error_setg(errp, "Parameter '%s' is unexpected",
                   (const char *)members->data);
        return false;
    }
    return true;
}

/* qmp_capabilities is handled by the dispatcher (it is per client). */
static JsonNode *qmp_cmd_capabilities_placeholder(JsonObject *args,
                                                  Error **errp)
{
    return qmp_return_empty();
}

static JsonNode *qmp_cmd_query_commands(JsonObject *args, Error **errp)
{
    g_autoptr(GList) names = NULL;
    JsonArray *list;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    names = g_list_sort(g_hash_table_get_keys(qmp_command_table()),
                        (GCompareFunc)strcmp);
    list = json_array_new();
    for (GList *l = names; l; l = l->next) {
        JsonObject *entry = json_object_new();

        json_object_set_string_member(entry, "name", l->data);
        json_array_add_object_element(list, entry);
    }
    return qmp_node_take_array(list);
}

static void __attribute__((constructor)) qmp_register_core_commands(void)
{
    qmp_schema_add_enum("QMPCapability", "oob");
    qmp_schema_add_type("CommandInfo", "name:str");
    qmp_register_command_schema("qmp_capabilities",
                                qmp_cmd_capabilities_placeholder,
                                "?enable:[QMPCapability]", NULL);
    qmp_register_command_schema("query-commands", qmp_cmd_query_commands,
                                NULL, "[CommandInfo]");
}

/* ------------------------------------------------------------------ */
/* Output */

static void qmp_client_send_node(QmpClient *c, JsonNode *root)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;
    gsize len;

    if (c->sc.broken) {
        return;
    }
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, &len);
    socket_client_queue(&c->sc, text, len);
    socket_client_queue(&c->sc, "\r\n", 2);
    if (c->sc.out->len > QMP_OUT_MAX) {
        warn_report("QMP client is not reading its replies, disconnecting");
        socket_client_mark_broken(&c->sc);
        return;
    }
    socket_client_flush(&c->sc);
    socket_client_update_handlers(&c->sc);
}

/* Send @obj (consumed). */
static void qmp_client_send_object(QmpClient *c, JsonObject *obj)
{
    g_autoptr(JsonNode) root = json_node_init_object(json_node_alloc(), obj);

    json_object_unref(obj);
    qmp_client_send_node(c, root);
}

static const char *qmp_error_class_name(ErrorClass cls)
{
    switch (cls) {
    case ERROR_CLASS_COMMAND_NOT_FOUND:
        return "CommandNotFound";
    case ERROR_CLASS_DEVICE_NOT_FOUND:
        return "DeviceNotFound";
    default:
        return "GenericError";
    }
}

static void qmp_client_send_error(QmpClient *c, ErrorClass cls,
                                  const char *desc, JsonNode *id)
{
    JsonObject *resp = json_object_new();
    JsonObject *err = json_object_new();

    json_object_set_string_member(err, "class", qmp_error_class_name(cls));
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(resp, "error", err);
    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    qmp_client_send_object(c, resp);
}

/* Send @ret (consumed) as the "return" of the request with @id. */
static void qmp_client_send_return(QmpClient *c, JsonNode *ret, JsonNode *id)
{
    JsonObject *resp = json_object_new();

    json_object_set_member(resp, "return", ret);
    if (id) {
        json_object_set_member(resp, "id", json_node_copy(id));
    }
    qmp_client_send_object(c, resp);
}

static void qmp_client_send_greeting(QmpClient *c)
{
    JsonObject *qemu = json_object_new();
    JsonObject *version = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonObject *greeting = json_object_new();
    JsonArray *caps = json_array_new();

    json_object_set_int_member(qemu, "micro", QEMU_COMPAT_MICRO);
    json_object_set_int_member(qemu, "minor", QEMU_COMPAT_MINOR);
    json_object_set_int_member(qemu, "major", QEMU_COMPAT_MAJOR);
    json_object_set_object_member(version, "qemu", qemu);
    json_object_set_string_member(version, "package", QEMU_PACKAGE);
    json_array_add_string_element(caps, "oob");
    json_object_set_object_member(qmp, "version", version);
    json_object_set_array_member(qmp, "capabilities", caps);
    json_object_set_object_member(greeting, "QMP", qmp);
    qmp_client_send_object(c, greeting);
}

void qapi_event_send(const char *event, JsonObject *data)
{
    JsonObject *ev = json_object_new();
    JsonObject *ts = json_object_new();
    g_autoptr(JsonNode) root = NULL;
    gint64 now = g_get_real_time();
    QmpClient *c;

    trace_qmp_event(event);
    json_object_set_string_member(ev, "event", event);
    if (data) {
        json_object_set_object_member(ev, "data", data);
    }
    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(ev, "timestamp", ts);
    root = json_node_init_object(json_node_alloc(), ev);
    json_object_unref(ev);

    /* Clients still negotiating are in "capabilities mode": no events. */
    QLIST_FOREACH(c, &qmp_server.clients, next) {
        if (c->negotiated) {
            qmp_client_send_node(c, root);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Requests */

static void qmp_negotiate(QmpClient *c, JsonObject *args, JsonNode *id)
{
    JsonNode *enable = json_object_get_member(args, "enable");
    g_autoptr(GList) members = json_object_get_members(args);
    bool oob = false;

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "enable")) {
            g_autofree char *msg = g_strdup_printf(
                "Parameter '%s' is unexpected", (const char *)l->data);
            qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, id);
            return;
        }
    }
    if (enable) {
        JsonArray *caps = JSON_NODE_HOLDS_ARRAY(enable) ?
                          json_node_get_array(enable) : NULL;

        if (!caps) {
            qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR,
                                  "Invalid parameter type for 'enable', "
                                  "expected: array", id);
            return;
        }
        for (guint i = 0; i < json_array_get_length(caps); i++) {
            JsonNode *cap = json_array_get_element(caps, i);

            if (!JSON_NODE_HOLDS_VALUE(cap) ||
                json_node_get_value_type(cap) != G_TYPE_STRING ||
                strcmp(json_node_get_string(cap), "oob")) {
                qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR,
                                      "Capability is not supported", id);
                return;
            }
            oob = true;
        }
    }
    c->negotiated = true;
    c->oob = oob;
    qmp_client_send_return(c, qmp_return_empty(), id);
}

static void qmp_execute(QmpClient *c, const char *name, JsonObject *args,
                        JsonNode *id)
{
    QmpCommand *cmd;
    Error *err = NULL;
    JsonNode *ret;

    trace_qmp_command(name);
    if (!strcmp(name, "qmp_capabilities")) {
        if (c->negotiated) {
            qmp_client_send_error(c, ERROR_CLASS_COMMAND_NOT_FOUND,
                                  "Capabilities negotiation is already "
                                  "complete, command ignored", id);
        } else {
            qmp_negotiate(c, args, id);
        }
        return;
    }
    if (!c->negotiated) {
        qmp_client_send_error(c, ERROR_CLASS_COMMAND_NOT_FOUND,
                              "Expecting capabilities negotiation with "
                              "'qmp_capabilities'", id);
        return;
    }
    cmd = g_hash_table_lookup(qmp_command_table(), name);
    if (!cmd) {
        g_autofree char *msg = g_strdup_printf(
            "The command %s has not been found", name);
        qmp_client_send_error(c, ERROR_CLASS_COMMAND_NOT_FOUND, msg, id);
        return;
    }
    qmp_current_client = c;
    ret = cmd->fn(args, &err);
    qmp_current_client = NULL;
    if (err) {
        if (ret) {
            json_node_unref(ret);
        }
        qmp_client_send_error(c, error_get_class(err),
                              error_get_pretty(err), id);
        error_free(err);
        return;
    }
    qmp_client_send_return(c, ret ? ret : qmp_return_empty(), id);
}

/* Check the request's members; on error reply and return false. */
static bool qmp_check_request(QmpClient *c, JsonObject *req, JsonNode *id,
                              const char **name, JsonObject **args)
{
    g_autoptr(GList) members = json_object_get_members(req);
    const char *exec_key = NULL;
    JsonNode *node;

    for (GList *l = members; l; l = l->next) {
        const char *key = l->data;
        g_autofree char *msg = NULL;

        if (!strcmp(key, "execute") || (!strcmp(key, "exec-oob") && c->oob)) {
            if (exec_key) {
                msg = g_strdup("QMP input must not have both 'execute' and "
                               "'exec-oob'");
            }
            exec_key = key;
        } else if (strcmp(key, "arguments") && strcmp(key, "id")) {
            msg = g_strdup_printf("QMP input member '%s' is unexpected", key);
        }
        if (msg) {
            qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, id);
            return false;
        }
    }
    if (!exec_key) {
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR,
                              "QMP input lacks member 'execute'", id);
        return false;
    }
    node = json_object_get_member(req, exec_key);
    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        g_autofree char *msg = g_strdup_printf(
            "QMP input member '%s' must be a string", exec_key);
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, id);
        return false;
    }
    *name = json_node_get_string(node);
    node = json_object_get_member(req, "arguments");
    if (node && !JSON_NODE_HOLDS_OBJECT(node)) {
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR,
                              "QMP input member 'arguments' must be an object",
                              id);
        return false;
    }
    *args = node ? json_node_get_object(node) : NULL;
    return true;
}

/* Handle one complete top-level JSON value of @len bytes. */
static void qmp_handle_value(QmpClient *c, const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) gerr = NULL;
    g_autoptr(JsonObject) empty = NULL;
    JsonNode *root, *id;
    JsonObject *req, *args = NULL;
    const char *name = NULL;

    g_autofree char *bad = NULL;

    if (!json_parser_load_from_data(parser, text, len, &gerr) ||
        !(root = json_parser_get_root(parser))) {
        g_autofree char *msg = g_strdup_printf(
            "JSON parse error, %s", gerr ? gerr->message : "empty input");
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, NULL);
        return;
    }
    /*
     * Refused as by QEMU: a repeated member (json-glib keeps the last, so
     * {"execute":"query-status","execute":"quit"} would quit), and a
     * number beyond a double, which could only be echoed back as "inf".
     */
    bad = qemu_json_check(text, len);
    if (bad) {
        g_autofree char *msg = g_strdup_printf("JSON parse error, %s", bad);

        trace_qmp_bad_json(bad);
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, NULL);
        return;
    }
    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR,
                              "QMP input must be a JSON object", NULL);
        return;
    }
    req = json_node_get_object(root);
    id = json_object_get_member(req, "id");
    if (!qmp_check_request(c, req, id, &name, &args)) {
        return;
    }
    if (!args) {
        empty = json_object_new();
        args = empty;
    }
    qmp_execute(c, name, args, id);
}

/* ------------------------------------------------------------------ */
/* Input scanning */

static void qmp_scanner_reset(QmpClient *c)
{
    c->depth = 0;
    c->in_string = false;
    c->escape = false;
    c->in_token = false;
}

/*
 * Report bad input and drop everything scanned so far.  Unless we are at
 * a newline, also drop the rest of the line: requests usually end with
 * one, and this avoids an error per byte of, say, an over-deep value.
 */
static void qmp_scanner_fail(QmpClient *c, const char *why, bool at_newline)
{
    g_autofree char *msg = g_strdup_printf("JSON parse error, %s", why);

    qmp_client_send_error(c, ERROR_CLASS_GENERIC_ERROR, msg, NULL);
    qmp_scanner_reset(c);
    c->skip_line = !at_newline;
}

static bool is_token_end(char ch)
{
    return g_ascii_isspace(ch) || strchr("{}[]\",:", ch);
}

/*
 * Advance the scanner by one byte at c->in_pos.  Returns the end offset
 * of a completed value (exclusive), or 0 if none completed here.
 */
static size_t qmp_scan_byte(QmpClient *c)
{
    char ch = c->in->str[c->in_pos];
    size_t pos = c->in_pos;

    if (c->skip_line) {
        c->skip_line = ch != '\n';
        c->value_start = pos + 1;
        return 0;
    }
    if (c->in_string) {
        if (c->escape) {
            c->escape = false;
        } else if (ch == '\\') {
            c->escape = true;
        } else if (ch == '"') {
            c->in_string = false;
            return c->depth == 0 ? pos + 1 : 0;
        } else if (ch == '\n') {
            /* A raw newline cannot be in a JSON string: resynchronise. */
            qmp_scanner_fail(c, "missing closing quote", true);
            c->value_start = pos + 1;
        }
        return 0;
    }
    if (c->in_token) {
        if (is_token_end(ch)) {
            c->in_token = false;
            c->in_pos--;            /* scan @ch again as a new value */
            return pos;
        }
        return 0;
    }
    if (c->depth == 0 && g_ascii_isspace(ch)) {
        c->value_start = pos + 1;
        return 0;
    }
    switch (ch) {
    case '{':
    case '[':
        if (++c->depth > QMP_MAX_NESTING) {
            qmp_scanner_fail(c, "nesting too deep", false);
            c->value_start = pos + 1;
        }
        return 0;
    case '}':
    case ']':
        if (c->depth == 0) {
            qmp_scanner_fail(c, "unexpected closing bracket", false);
            c->value_start = pos + 1;
            return 0;
        }
        return --c->depth == 0 ? pos + 1 : 0;
    case '"':
        c->in_string = true;
        return 0;
    default:
        if (c->depth == 0) {
            c->in_token = true;
        }
        return 0;
    }
}

static void qmp_client_process_input(QmpClient *c)
{
    while (socket_client_wants_input(&c->sc) && c->in_pos < c->in->len) {
        size_t end = qmp_scan_byte(c);

        c->in_pos++;
        if (end) {
            /* Copy: handling the request may queue output, not input. */
            g_autofree char *text = g_strndup(c->in->str + c->value_start,
                                              end - c->value_start);

            qmp_handle_value(c, text, end - c->value_start);
            c->value_start = end;
        } else if (c->in_pos - c->value_start > QMP_MAX_VALUE_SIZE) {
            qmp_scanner_fail(c, "input too large", false);
            c->value_start = c->in_pos;
        }
    }
    /* Drop what has been consumed. */
    g_string_erase(c->in, 0, c->value_start);
    c->in_pos -= c->value_start;
    c->value_start = 0;
}

/* ------------------------------------------------------------------ */
/* Clients */

/* Keep what SCM_RIGHTS brought; beyond the limit, close (bounded). */
static void qmp_client_receive_fds(void *opaque, const int *fds, size_t n)
{
    QmpClient *c = opaque;

    for (size_t i = 0; i < n; i++) {
        if (c->fds->len >= QMP_MAX_PENDING_FDS) {
            warn_report("QMP client passed more than %d unused fds, "
                        "closing fd %d", QMP_MAX_PENDING_FDS, fds[i]);
            close(fds[i]);
            continue;
        }
        trace_qmp_fd_received(c->sc.fd, fds[i]);
        g_array_append_val(c->fds, fds[i]);
    }
}

int qmp_client_take_fd(void)
{
    QmpClient *c = qmp_current_client;
    int fd;

    if (!c || !c->fds->len) {
        return -1;
    }
    fd = g_array_index(c->fds, int, 0);
    g_array_remove_index(c->fds, 0);
    return fd;
}

static void qmp_client_receive(void *opaque, const char *buf, size_t len)
{
    QmpClient *c = opaque;

    g_string_append_len(c->in, buf, len);
    qmp_client_process_input(c);
}

static void qmp_client_resume(void *opaque)
{
    /* Room again: handle requests that were held back. */
    qmp_client_process_input(opaque);
}

static void qmp_client_broken(void *opaque)
{
    /* Freed from the BH: we may be deep inside a handler of this client. */
    qemu_bh_schedule(qmp_server.reap_bh);
}

static const SocketClientOps qmp_client_ops = {
    .receive = qmp_client_receive,
    .receive_fds = qmp_client_receive_fds,
    .resume = qmp_client_resume,
    .broken = qmp_client_broken,
};

static void qmp_client_free(QmpClient *c)
{
    trace_qmp_client_disconnect(c->sc.fd);
    socket_client_cleanup(&c->sc);
    for (guint i = 0; i < c->fds->len; i++) {
        close(g_array_index(c->fds, int, i));
    }
    g_array_free(c->fds, TRUE);
    QLIST_REMOVE(c, next);
    g_string_free(c->in, TRUE);
    g_free(c);
}

static void qmp_reap_clients(void *opaque)
{
    QmpClient *c, *next;

    QLIST_FOREACH_SAFE(c, &qmp_server.clients, next, next) {
        if (c->sc.broken) {
            qmp_client_free(c);
        }
    }
}

static void qmp_client_add(int fd)
{
    QmpClient *c = g_new0(QmpClient, 1);

    trace_qmp_client_connect(fd);
    socket_client_init(&c->sc, QMP_OUT_HIGH_WATER, &qmp_client_ops, c);
    socket_client_attach(&c->sc, fd);
    c->in = g_string_new(NULL);
    c->fds = g_array_new(FALSE, FALSE, sizeof(int));
    QLIST_INSERT_HEAD(&qmp_server.clients, c, next);
    qmp_client_send_greeting(c);
    socket_client_update_handlers(&c->sc);
}

static void qmp_accept(void *opaque);

static void qmp_accept_resume(void *opaque)
{
    QmpListener *l = opaque;

    trace_qmp_accept_resume(l->fd);
    qemu_set_fd_handler(l->fd, qmp_accept, NULL, l);
}

static void qmp_accept(void *opaque)
{
    QmpListener *l = opaque;
    int fd = qemu_socket_accept(l->fd, false);
    int err = errno;

    if (fd >= 0) {
        l->backoff_ms = 0;
        qmp_client_add(fd);
        return;
    }
    /*
     * EAGAIN, ECONNABORTED, EINTR...: nothing left, or try again.  Out of
     * fds, the pending connection cannot be taken and polling on would
     * spin; clients already connected are served meanwhile.
     */
    if (!qemu_socket_accept_backoff(err, &l->backoff_ms)) {
        return;
    }
    trace_qmp_accept_error(l->fd, err, l->backoff_ms);
    qemu_set_fd_handler(l->fd, NULL, NULL, NULL);
    if (!l->retry) {
        l->retry = timer_new_ms(QEMU_CLOCK_REALTIME, qmp_accept_resume, l);
    }
    timer_mod(l->retry, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                        l->backoff_ms);
}

/* Blocking flush of every client, bounded by QMP_FLUSH_TIMEOUT_MS. */
static void qmp_flush_all(void)
{
    gint64 deadline = g_get_monotonic_time() +
                      QMP_FLUSH_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
    QmpClient *c;

    QLIST_FOREACH(c, &qmp_server.clients, next) {
        while (c->sc.out->len && !c->sc.broken) {
            struct pollfd pfd = { .fd = c->sc.fd, .events = POLLOUT };
            gint64 left = deadline - g_get_monotonic_time();

            if (left <= 0) {
                return;
            }
            poll(&pfd, 1, left / G_TIME_SPAN_MILLISECOND + 1);
            socket_client_flush(&c->sc);
        }
    }
}

void monitor_cleanup(void)
{
    QmpClient *c, *next;
    QmpListener *l, *lnext;

    qmp_flush_all();
    QLIST_FOREACH_SAFE(c, &qmp_server.clients, next, next) {
        qmp_client_free(c);
    }
    QLIST_FOREACH_SAFE(l, &qmp_server.listeners, next, lnext) {
        qemu_set_fd_handler(l->fd, NULL, NULL, NULL);
        if (l->retry) {
            timer_free(l->retry);
        }
        close(l->fd);
        if (l->path) {
            unlink(l->path);
        }
        QLIST_REMOVE(l, next);
        g_free(l->path);
        g_free(l);
    }
}

/*
 * Replies and SHUTDOWN queued right before exit must still go out, and
 * our socket files must not outlive us (as with QEMU's chardevs).
 */
static void qmp_atexit(void)
{
    QmpListener *l;

    qmp_flush_all();
    QLIST_FOREACH(l, &qmp_server.listeners, next) {
        if (l->path) {
            unlink(l->path);
        }
    }
}

static bool monitor_qmp_add(int fd, bool listening, bool wait, char *path_in,
                            const char *spec, Error **errp)
{
    g_autofree char *path = path_in;
    QmpListener *l;

    if (!qmp_server.reap_bh) {
        qmp_server.reap_bh = qemu_bh_new(qmp_reap_clients, NULL);
    }
    if (!qmp_atexit_registered) {
        atexit(qmp_atexit);
        qmp_atexit_registered = true;
    }
    if (!listening) {
        qmp_client_add(fd);
        return true;
    }
    l = g_new0(QmpListener, 1);
    l->fd = fd;
    l->path = g_steal_pointer(&path);
    QLIST_INSERT_HEAD(&qmp_server.listeners, l, next);
    if (wait) {
        int cfd;

        info_report("QMP waiting for connection on %s", spec);
        cfd = qemu_socket_accept(fd, true);
        if (cfd < 0) {
            error_setg_errno(errp, errno, "accept on '%s' failed", spec);
            return false;
        }
        qmp_client_add(cfd);
    }
    qemu_set_fd_handler(fd, qmp_accept, NULL, l);
    return true;
}

bool monitor_qmp_init(const char *spec, Error **errp)
{
    char *path = NULL;
    bool listening, wait;
    int fd;

    fd = qemu_socket_spec_open(spec, &listening, &wait, &path, errp);
    if (fd < 0) {
        return false;
    }
    return monitor_qmp_add(fd, listening, wait, path, spec, errp);
}

bool monitor_qmp_init_fd(int fd, bool server, Error **errp)
{
    g_autofree char *spec = g_strdup_printf("fd=%d", fd);
    int type;
    socklen_t len = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
        type != SOCK_STREAM) {
        error_setg(errp, "fd %d is not a stream socket", fd);
        return false;
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || !set_nonblock(fd, errp)) {
        error_setg_errno(errp, errno, "fd %d", fd);
        return false;
    }
    /* The creator (libvirt) listens already: no path of ours to remove. */
    return monitor_qmp_add(fd, server, false, NULL, spec, errp);
}
