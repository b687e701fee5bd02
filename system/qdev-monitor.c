/*
 * -device and -object from option strings, and the help that lists them.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "system/qdev-monitor.h"
#include "hw/qdev-properties.h"
#include "qemu/cutils.h"
#include "qemu/json-check.h"
#include <json-glib/json-glib.h>

/* A JSON scalar as the command line would have spelled it. */
static bool json_member_to_opt(QemuOpts *opts, const char *name,
                               JsonNode *node, Error **errp)
{
    g_autofree char *text = NULL;

    if (!JSON_NODE_HOLDS_VALUE(node)) {
        error_setg(errp, "Parameter '%s' must be a scalar", name);
        return false;
    }
    switch (json_node_get_value_type(node)) {
    case G_TYPE_STRING:
        text = g_strdup(json_node_get_string(node));
        break;
    case G_TYPE_BOOLEAN:
        text = g_strdup(json_node_get_boolean(node) ? "on" : "off");
        break;
    case G_TYPE_INT64:
        text = g_strdup_printf("%" PRId64, json_node_get_int(node));
        break;
    case G_TYPE_DOUBLE:
        text = g_strdup_printf("%.17g", json_node_get_double(node));
        break;
    default:
        error_setg(errp, "Parameter '%s' has an unsupported type", name);
        return false;
    }
    qemu_opt_set(opts, name, text);
    return true;
}

QemuOpts *qemu_opts_from_json_object(JsonObject *obj, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_new();
    JsonObjectIter iter;
    const char *name;
    JsonNode *node;

    json_object_iter_init(&iter, obj);
    while (json_object_iter_next(&iter, &name, &node)) {
        if (!json_member_to_opt(opts, name, node, errp)) {
            return NULL;
        }
    }
    return g_steal_pointer(&opts);
}

static QemuOpts *opts_from_json(const char *arg, Error **errp)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) gerr = NULL;

    g_autofree char *bad = NULL;

    if (!json_parser_load_from_data(parser, arg, -1, &gerr)) {
        error_setg(errp, "JSON parse error: %s", gerr->message);
        return NULL;
    }
    /* As QEMU: a repeated member is an error, not "the last one wins". */
    bad = qemu_json_check(arg, strlen(arg));
    if (bad) {
        error_setg(errp, "JSON parse error: %s", bad);
        return NULL;
    }
    if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
        error_setg(errp, "JSON argument must be an object");
        return NULL;
    }
    return qemu_opts_from_json_object(
        json_node_get_object(json_parser_get_root(parser)), errp);
}

QemuOpts *qemu_opts_parse_maybe_json(const char *arg, const char *implied_key,
                                     Error **errp)
{
    if (arg[0] == '{') {
        return opts_from_json(arg, errp);
    }
    return qemu_opts_parse(arg, implied_key, errp);
}

static BusState *find_default_bus(const char *bus_type)
{
    /* The root PCIe bus of both machines is "pcie.0". */
    BusState *bus = qbus_find("pcie.0");

    if (bus && object_dynamic_cast(OBJECT(bus), bus_type)) {
        return bus;
    }
    return NULL;
}

static BusState *device_find_bus(DeviceClass *dc, const char *driver,
                                 const char *bus_name, Error **errp)
{
    BusState *bus;

    if (!dc->bus_type) {
        if (bus_name) {
            error_setg(errp, "Device '%s' can't go on a bus", driver);
        }
        return NULL;
    }
    if (bus_name) {
        bus = qbus_find(bus_name);
        if (!bus) {
            error_setg(errp, "Bus '%s' not found", bus_name);
            return NULL;
        }
        if (!object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            error_setg(errp, "Bus '%s' is not of type '%s'", bus_name,
                       dc->bus_type);
            return NULL;
        }
        return bus;
    }
    bus = find_default_bus(dc->bus_type);
    if (!bus) {
        error_setg(errp, "No '%s' bus found for device '%s'", dc->bus_type,
                   driver);
    }
    return bus;
}

/* -global DRIVER.PROP=VALUE, in command-line order. */
typedef struct GlobalProp {
    char *driver;
    char *prop;
    char *value;
} GlobalProp;

static GPtrArray *global_props;

static void global_prop_free(gpointer p)
{
    GlobalProp *g = p;

    g_free(g->driver);
    g_free(g->prop);
    g_free(g->value);
    g_free(g);
}

bool qdev_global_add(const char *str, Error **errp)
{
    const char *eq = strchr(str, '=');
    const char *dot;
    GlobalProp *g;
    ObjectClass *oc;

    dot = eq ? memchr(str, '.', eq - str) : NULL;
    if (!eq || !dot || dot == str || dot + 1 == eq) {
        error_setg(errp, "Invalid -global '%s': expected DRIVER.PROPERTY=VALUE",
                   str);
        return false;
    }
    g = g_new0(GlobalProp, 1);
    g->driver = g_strndup(str, dot - str);
    g->prop = g_strndup(dot + 1, eq - dot - 1);
    g->value = g_strdup(eq + 1);
    /*
     * As in QEMU, a global for a device type that does not exist here is
     * not an error (libvirt writes some for devices of the machine that
     * this runtime does not model), but a property the type lacks is.
     */
    oc = object_class_by_name(g->driver);
    if (!oc) {
        warn_report("global %s.%s has no device type here, ignored",
                    g->driver, g->prop);
    } else if (!object_class_find_property(oc, g->prop)) {
        error_setg(errp, "can't apply global %s.%s=%s: no property '%s'",
                   g->driver, g->prop, g->value, g->prop);
        global_prop_free(g);
        return false;
    }
    if (!global_props) {
        global_props = g_ptr_array_new_with_free_func(global_prop_free);
    }
    g_ptr_array_add(global_props, g);
    return true;
}

/* Defaults from -global, before the device's own properties. */
static bool qdev_apply_globals(DeviceState *dev, Error **errp)
{
    if (!global_props) {
        return true;
    }
    for (guint i = 0; i < global_props->len; i++) {
        GlobalProp *g = g_ptr_array_index(global_props, i);

        if (!object_dynamic_cast(OBJECT(dev), g->driver)) {
            continue;
        }
        if (!qdev_prop_parse(dev, g->prop, g->value, errp)) {
            error_prepend(errp, "global %s.%s=%s: ", g->driver, g->prop,
                          g->value);
            return false;
        }
    }
    return true;
}

void qdev_globals_cleanup(void)
{
    g_clear_pointer(&global_props, g_ptr_array_unref);
}

/*
 * Devices libvirt adds by default that this runtime does not model, and
 * the domain XML that keeps libvirt from adding them.
 */
static const struct {
    const char *driver;
    const char *xml;
} device_xml_hints[] = {
    { "qemu-xhci", "<controller type='usb' model='none'/>" },
    { "nec-usb-xhci", "<controller type='usb' model='none'/>" },
    { "ich9-usb-ehci1", "<controller type='usb' model='none'/>" },
    { "piix3-usb-uhci", "<controller type='usb' model='none'/>" },
    { "usb-tablet", "no <input type='tablet' bus='usb'/>" },
    { "virtio-balloon-pci", "<memballoon model='none'/>" },
    { "virtio-balloon-device", "<memballoon model='none'/>" },
    { "VGA", "<video><model type='none'/></video>" },
    { "virtio-gpu-pci", "<video><model type='none'/></video>" },
    { "isa-serial", "no <serial> or <console> element" },
    { "pci-serial", "no <serial> or <console> element" },
    { "pcie-pci-bridge",
      "no <controller type='pci' model='pcie-to-pci-bridge'/>" },
    { "virtio-serial-pci",
      "no <channel> or <controller type='virtio-serial'/>" },
};

static void device_not_found(const char *driver, Error **errp)
{
    for (size_t i = 0; i < ARRAY_SIZE(device_xml_hints); i++) {
        if (!strcmp(device_xml_hints[i].driver, driver)) {
            error_setg(errp, "'%s' is not a valid device model name: this "
                       "runtime does not model it (in libvirt domain XML, "
                       "use %s)", driver, device_xml_hints[i].xml);
            return;
        }
    }
    error_setg(errp, "'%s' is not a valid device model name", driver);
}

DeviceState *qdev_device_add(QemuOpts *opts, Error **errp)
{
    const char *driver = qemu_opt_get(opts, "driver");
    const char *id = qemu_opt_get(opts, "id");
    const char *bus_name = qemu_opt_get(opts, "bus");
    ObjectClass *oc;
    DeviceClass *dc;
    DeviceState *dev;
    BusState *bus = NULL;
    Error *local_err = NULL;

    if (!driver) {
        error_setg(errp, "Parameter 'driver' is missing");
        return NULL;
    }
    oc = object_class_by_name(driver);
    if (!oc || !object_class_dynamic_cast(oc, TYPE_DEVICE) ||
        object_class_is_abstract(oc)) {
        device_not_found(driver, errp);
        return NULL;
    }
    dc = DEVICE_CLASS(oc);
    if (!dc->user_creatable) {
        error_setg(errp, "Parameter 'driver' expects a pluggable device type");
        return NULL;
    }
    if (id && !id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (id && qdev_find_by_id(id)) {
        error_setg(errp, "Duplicate device ID '%s'", id);
        return NULL;
    }
    if (dc->bus_type) {
        bus = device_find_bus(dc, driver, bus_name, errp);
        if (!bus) {
            return NULL;
        }
    } else if (bus_name) {
        device_find_bus(dc, driver, bus_name, errp);
        return NULL;
    }

    dev = qdev_new(driver);
    dev->id = g_strdup(id);
    if (!qdev_apply_globals(dev, &local_err)) {
        goto fail;
    }
    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *o = &g_array_index(opts->opts, QemuOpt, i);

        if (!strcmp(o->name, "driver") || !strcmp(o->name, "id") ||
            !strcmp(o->name, "bus")) {
            continue;
        }
        if (!qdev_prop_parse(dev, o->name, o->value, &local_err)) {
            goto fail;
        }
    }
    if (!qdev_realize(dev, bus, &local_err)) {
        goto fail;
    }
    object_unref(dev);      /* the tree and the bus hold it now */
    return dev;

fail:
    error_propagate(errp, local_err);
    object_unref(dev);
    return NULL;
}
