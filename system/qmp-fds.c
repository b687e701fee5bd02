/*
 * Named file descriptors: getfd and closefd, and how properties that
 * take an fd ("fd" of -object iommufd and of vfio-pci) find them.
 *
 * libvirt opens /dev/iommu and the VFIO cdev itself and hands the fds
 * over: inherited, named by number on the command line ("fd":"23"), or
 * passed with SCM_RIGHTS along with {"execute":"getfd",
 * "arguments":{"fdname":"NAME"}} and then named ("fd":"NAME").  A named
 * fd belongs to this table until a property takes it (then to the
 * object, which closes it) or closefd closes it, as in QEMU.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "system/qmp.h"
#include "trace.h"

/* Bound on names held at once: each holds an fd of this process. */
#define QMP_MAX_NAMED_FDS 64

static GHashTable *named_fds;   /* name -> fd (GINT_TO_POINTER) */

static GHashTable *named_fd_table(void)
{
    if (!named_fds) {
        named_fds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    }
    return named_fds;
}

static bool fdname_arg(JsonObject *args, const char **name, Error **errp)
{
    JsonNode *n = json_object_get_member(args, "fdname");
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "fdname")) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        error_setg(errp, "Parameter 'fdname' is missing or not a string");
        return false;
    }
    *name = json_node_get_string(n);
    /* QEMU's rule: a name must not look like an fd number. */
    if (!*name[0] || g_ascii_isdigit((*name)[0])) {
        error_setg(errp, "Parameter 'fdname' expects a name not starting "
                   "with a digit");
        return false;
    }
    return true;
}

static JsonNode *qmp_getfd(JsonObject *args, Error **errp)
{
    const char *name;
    gpointer old;
    int fd;

    if (!fdname_arg(args, &name, errp)) {
        return NULL;
    }
    fd = qmp_client_take_fd();
    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    /* As in QEMU, a name given again replaces (and closes) the old fd. */
    if (g_hash_table_lookup_extended(named_fd_table(), name, NULL, &old)) {
        close(GPOINTER_TO_INT(old));
    } else if (g_hash_table_size(named_fd_table()) >= QMP_MAX_NAMED_FDS) {
        close(fd);
        error_setg(errp, "Too many named file descriptors (%d)",
                   QMP_MAX_NAMED_FDS);
        return NULL;
    }
    g_hash_table_insert(named_fd_table(), g_strdup(name), GINT_TO_POINTER(fd));
    trace_qmp_fd_named(name, fd);
    return qmp_return_empty();
}

static JsonNode *qmp_closefd(JsonObject *args, Error **errp)
{
    const char *name;
    gpointer fd;

    if (!fdname_arg(args, &name, errp)) {
        return NULL;
    }
    if (!g_hash_table_lookup_extended(named_fd_table(), name, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' not found", name);
        return NULL;
    }
    trace_qmp_fd_closed(name, GPOINTER_TO_INT(fd));
    close(GPOINTER_TO_INT(fd));
    g_hash_table_remove(named_fd_table(), name);
    return qmp_return_empty();
}

int monitor_fd_param(const char *str, bool *owned, Error **errp)
{
    uint64_t n;
    gpointer fd;

    *owned = false;
    if (g_ascii_isdigit(str[0])) {
        if (qemu_strtou64(str, &n) < 0 || n > INT_MAX ||
            fcntl(n, F_GETFD) < 0) {
            error_setg(errp, "Invalid file descriptor '%s'", str);
            return -1;
        }
        return n;
    }
    if (!g_hash_table_lookup_extended(named_fd_table(), str, NULL, &fd)) {
        error_setg(errp, "File descriptor named '%s' has not been found",
                   str);
        return -1;
    }
    g_hash_table_remove(named_fd_table(), str);
    *owned = true;
    return GPOINTER_TO_INT(fd);
}

static void __attribute__((constructor)) qmp_register_fd_commands(void)
{
    qmp_register_command_schema("getfd", qmp_getfd, "fdname:str", NULL);
    qmp_register_command_schema("closefd", qmp_closefd, "fdname:str", NULL);
}
