/*
 * QMP device_add and device_del: hot-plug and hot-unplug.
 *
 *   { "execute": "device_add",
 *     "arguments": { "driver": "vfio-pci", "id": "dev1",
 *                    "host": "0000:02:00.0", "iommufd": "iommufd0" } }
 *   { "execute": "device_del", "arguments": { "id": "dev1" } }
 *
 * device_add takes what -device takes (driver, id, bus, then properties
 * as JSON scalars) and refuses devices that cannot be hot-plugged.
 * device_del unrealizes and frees the device and then emits
 * DEVICE_DELETED, after the reply, as QEMU does: at once on the root bus;
 * in the hot-plug slot of a PCIe root port, once the guest has answered
 * the attention button by powering the slot off (the bus's
 * unplug_request hook, qdev_unplug_complete()).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "system/qdev-monitor.h"
#include "system/qmp.h"

static JsonNode *qmp_device_add(JsonObject *args, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_from_json_object(args, errp);
    const char *driver;
    ObjectClass *oc;

    if (!opts) {
        return NULL;
    }
    driver = qemu_opt_get(opts, "driver");
    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    /* The machine runs: only hot-pluggable devices may come now. */
    oc = object_class_by_name(driver);
    if (oc && object_class_dynamic_cast(oc, TYPE_DEVICE) &&
        !object_class_is_abstract(oc) && DEVICE_CLASS(oc)->user_creatable &&
        !DEVICE_CLASS(oc)->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging", driver);
        return NULL;
    }
    if (!qdev_device_add(opts, errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

typedef struct DeviceDeletedEvent {
    QEMUBH *bh;
    char *id;
    char *path;
} DeviceDeletedEvent;

static void device_deleted_bh(void *opaque)
{
    DeviceDeletedEvent *ev = opaque;
    JsonObject *data = json_object_new();

    json_object_set_string_member(data, "device", ev->id);
    json_object_set_string_member(data, "path", ev->path);
    qapi_event_send("DEVICE_DELETED", data);
    qemu_bh_delete(ev->bh);
    g_free(ev->id);
    g_free(ev->path);
    g_free(ev);
}

/* Free @dev; DEVICE_DELETED follows from a bottom half. */
static void device_unplug_and_notify(DeviceState *dev)
{
    DeviceDeletedEvent *ev = g_new0(DeviceDeletedEvent, 1);

    ev->id = g_strdup(dev->id);
    ev->path = object_get_canonical_path(OBJECT(dev));
    qdev_unplug_and_free(dev);
    /* The reply goes out first, then the event, as in QEMU. */
    ev->bh = qemu_bh_new(device_deleted_bh, ev);
    qemu_bh_schedule(ev->bh);
}

static JsonNode *qmp_device_del(JsonObject *args, Error **errp)
{
    JsonNode *idn = json_object_get_member(args, "id");
    g_autoptr(GList) members = json_object_get_members(args);
    DeviceState *dev;
    const char *id;

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "id")) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return NULL;
        }
    }
    if (!idn || !JSON_NODE_HOLDS_VALUE(idn) ||
        json_node_get_value_type(idn) != G_TYPE_STRING) {
        error_setg(errp, "Parameter 'id' is missing or not a string");
        return NULL;
    }
    id = json_node_get_string(idn);
    dev = qdev_find_by_id(id);
    if (!dev) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  id);
        return NULL;
    }
    if (!qdev_unplug(dev, errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

bool qdev_unplug(DeviceState *dev, Error **errp)
{
    BusClass *bc;

    if (!DEVICE_GET_CLASS(dev)->hotpluggable) {
        error_setg(errp, "Device '%s' does not support hotplugging",
                   object_get_typename(OBJECT(dev)));
        return false;
    }
    if (dev->pending_deleted_event) {
        error_setg(errp, "Device %s is already in the process of unplug",
                   dev->id ? dev->id : object_get_typename(OBJECT(dev)));
        return false;
    }
    bc = dev->parent_bus ? BUS_GET_CLASS(dev->parent_bus) : NULL;
    if (bc && bc->unplug_request) {
        int r = bc->unplug_request(dev->parent_bus, dev, errp);

        if (r < 0) {
            return false;
        }
        if (r > 0) {
            /* The guest finishes it: qdev_unplug_complete(). */
            dev->pending_deleted_event = true;
            return true;
        }
    }
    device_unplug_and_notify(dev);
    return true;
}

static void __attribute__((constructor)) qmp_register_device_commands(void)
{
    qdev_unplug_complete_fn = device_unplug_and_notify;
    /* device_add takes the device's properties as further members. */
    qmp_register_command_schema("device_add", qmp_device_add,
                                "driver:str,?id:str,?bus:str", NULL);
    qmp_register_command_schema("device_del", qmp_device_del, "id:str",
                                NULL);
    /*
     * As QEMU's: -device takes the same JSON object device_add does, and
     * device_add's arguments keep their JSON types (libvirt then writes
     * -device as JSON).
     */
    qmp_schema_add_command_features("device_add", "json-cli,json-cli-hotplug");
}
