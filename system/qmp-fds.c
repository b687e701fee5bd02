/*
 * QMP getfd and closefd: fds passed with SCM_RIGHTS, named for
 * properties that take an fd ("fd" of -object iommufd and of vfio-pci;
 * the table and the lookup are util/named-fds.c).
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
#include "qemu/named-fds.h"
#include "system/qmp.h"
#include "trace.h"

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
    int fd;

    if (!fdname_arg(args, &name, errp)) {
        return NULL;
    }
    fd = qmp_client_take_fd();
    if (fd < 0) {
        error_setg(errp, "No file descriptor supplied via SCM_RIGHTS");
        return NULL;
    }
    if (!named_fd_add(name, fd, errp)) {
        close(fd);
        return NULL;
    }
    trace_qmp_fd_named(name, fd);
    return qmp_return_empty();
}

static JsonNode *qmp_closefd(JsonObject *args, Error **errp)
{
    const char *name;
    int fd;

    if (!fdname_arg(args, &name, errp)) {
        return NULL;
    }
    fd = named_fd_close(name, errp);
    if (fd < 0) {
        return NULL;
    }
    trace_qmp_fd_closed(name, fd);
    return qmp_return_empty();
}

static void __attribute__((constructor)) qmp_register_fd_commands(void)
{
    qmp_register_command_schema("getfd", qmp_getfd, "fdname:str", NULL);
    qmp_register_command_schema("closefd", qmp_closefd, "fdname:str", NULL);
}
