/*
 * Devices and buses (see include/hw/qdev-core.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/boards.h"
#include "trace.h"

static QTAILQ_HEAD(, DeviceState) realized_devices =
    QTAILQ_HEAD_INITIALIZER(realized_devices);

typedef struct ResetEntry {
    QEMUResetHandler *func;
    void *opaque;
} ResetEntry;

static GArray *reset_handlers;     /* of ResetEntry */

void device_class_set_props(DeviceClass *dc, const Property *props)
{
    object_class_add_props(OBJECT_CLASS(dc), props);
}

DeviceState *qdev_new(const char *typename)
{
    return DEVICE(object_new(typename));
}

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     Error **errp)
{
    return object_property_parse(OBJECT(dev), name, value, errp);
}

static void bus_add_child(BusState *bus, DeviceState *dev)
{
    dev->parent_bus = bus;
    object_ref(dev);
    QTAILQ_INSERT_TAIL(&bus->children, dev, sibling);
}

static void bus_remove_child(BusState *bus, DeviceState *dev)
{
    QTAILQ_REMOVE(&bus->children, dev, sibling);
    dev->parent_bus = NULL;
    object_unref(dev);
}

/*
 * Name in the tree: /machine/peripheral/ID or
 * /machine/peripheral-anon/device[N]
 */
static void qdev_add_to_tree(DeviceState *dev)
{
    static unsigned anon_count;
    Object *machine = object_resolve_path("/machine", NULL);
    Object *container;
    const char *cname = dev->id ? "peripheral" : "peripheral-anon";
    g_autofree char *name = NULL;

    if (OBJECT(dev)->parent || !machine) {
        return;     /* already placed by its creator, or no machine (tests) */
    }
    container = object_resolve_path_component(machine, cname);
    if (!container) {
        container = object_new("container");
        object_property_add_child(machine, cname, container);
        object_unref(container);
    }
    name = dev->id ? g_strdup(dev->id)
                   : g_strdup_printf("device[%u]", anon_count++);
    object_property_add_child(container, name, OBJECT(dev));
}

bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    Error *local_err = NULL;

    g_assert(!dev->realized);
    if (bus) {
        BusClass *bc = BUS_GET_CLASS(bus);

        if (bc->check_address && !bc->check_address(bus, dev, errp)) {
            return false;
        }
        bus_add_child(bus, dev);
    }
    if (dc->realize) {
        dc->realize(dev, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            goto fail;
        }
    }
    dev->realized = true;
    QTAILQ_INSERT_TAIL(&realized_devices, dev, realized_link);
    qdev_add_to_tree(dev);
    trace_qdev_realize(object_get_typename(OBJECT(dev)),
                       dev->id ? dev->id : "");
    return true;

fail:
    if (bus) {
        bus_remove_child(bus, dev);
    }
    return false;
}

bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp)
{
    bool ok = qdev_realize(dev, bus, errp);

    object_unref(dev);
    return ok;
}

void qdev_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    BusState *child;

    if (!dev->realized) {
        return;
    }
    /* Children first: a bus's devices go before the bus's owner. */
    QLIST_FOREACH(child, &dev->child_bus, sibling) {
        DeviceState *d, *next;

        QTAILQ_FOREACH_SAFE(d, &child->children, sibling, next) {
            qdev_unplug_and_free(d);
        }
    }
    trace_qdev_unrealize(object_get_typename(OBJECT(dev)),
                         dev->id ? dev->id : "");
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
    QTAILQ_REMOVE(&realized_devices, dev, realized_link);
}

void qdev_unplug_and_free(DeviceState *dev)
{
    object_ref(dev);
    qdev_unrealize(dev);
    if (dev->parent_bus) {
        bus_remove_child(dev->parent_bus, dev);
    }
    object_unparent(OBJECT(dev));
    object_unref(dev);
}

bool qdev_hotplug;
void (*qdev_unplug_complete_fn)(DeviceState *dev);

void qdev_machine_creation_done(void)
{
    qdev_hotplug = true;
}

void qdev_unplug_complete(DeviceState *dev)
{
    trace_qdev_unplug_complete(object_get_typename(OBJECT(dev)),
                               dev->id ? dev->id : "");
    if (qdev_unplug_complete_fn) {
        qdev_unplug_complete_fn(dev);
    } else {
        qdev_unplug_and_free(dev);
    }
}

DeviceState *qdev_first_realized(void)
{
    return QTAILQ_FIRST(&realized_devices);
}

DeviceState *qdev_next_realized(DeviceState *dev)
{
    return QTAILQ_NEXT(dev, realized_link);
}

static void device_instance_init(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    QLIST_INIT(&dev->child_bus);
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);

    for (int i = 0; i < dev->num_gpio_in; i++) {
        qemu_free_irq(dev->gpio_in[i]);
    }
    g_free(dev->gpio_in);
    g_free(dev->id);
}

/* Buses */

static GPtrArray *all_buses;

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    BusState *bus = BUS(object_new(typename));

    bus->name = g_strdup(name);
    bus->parent = parent;
    QTAILQ_INIT(&bus->children);
    if (parent) {
        QLIST_INSERT_HEAD(&parent->child_bus, bus, sibling);
        object_property_add_child(OBJECT(parent), name, OBJECT(bus));
        object_unref(bus);
    }
    if (!all_buses) {
        all_buses = g_ptr_array_new();
    }
    g_ptr_array_add(all_buses, bus);
    return bus;
}

static void bus_finalize(Object *obj)
{
    BusState *bus = BUS(obj);

    if (all_buses) {
        g_ptr_array_remove(all_buses, bus);
    }
    g_free(bus->name);
}

BusState *qbus_find(const char *name)
{
    for (guint i = 0; all_buses && i < all_buses->len; i++) {
        BusState *bus = g_ptr_array_index(all_buses, i);

        if (!strcmp(bus->name, name)) {
            return bus;
        }
    }
    return NULL;
}

DeviceState *qdev_find_by_id(const char *id)
{
    DeviceState *dev;

    QTAILQ_FOREACH(dev, &realized_devices, realized_link) {
        if (dev->id && !strcmp(dev->id, id)) {
            return dev;
        }
    }
    return NULL;
}

/* GPIO inputs */

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n)
{
    dev->gpio_in = g_renew(qemu_irq, dev->gpio_in, dev->num_gpio_in + n);
    for (int i = 0; i < n; i++) {
        dev->gpio_in[dev->num_gpio_in + i] =
            qemu_allocate_irq(handler, dev, dev->num_gpio_in + i);
    }
    dev->num_gpio_in += n;
}

qemu_irq qdev_get_gpio_in(DeviceState *dev, int n)
{
    g_assert(n >= 0 && n < dev->num_gpio_in);
    return dev->gpio_in[n];
}

/* Reset */

void qemu_register_reset(QEMUResetHandler *func, void *opaque)
{
    ResetEntry e = { func, opaque };

    if (!reset_handlers) {
        reset_handlers = g_array_new(FALSE, FALSE, sizeof(ResetEntry));
    }
    g_array_append_val(reset_handlers, e);
}

void qemu_unregister_reset(QEMUResetHandler *func, void *opaque)
{
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        if (e->func == func && e->opaque == opaque) {
            g_array_remove_index(reset_handlers, i);
            return;
        }
    }
}

void qemu_system_reset(void)
{
    DeviceState *dev;

    trace_qemu_system_reset();
    for (guint i = 0; reset_handlers && i < reset_handlers->len; i++) {
        ResetEntry *e = &g_array_index(reset_handlers, ResetEntry, i);

        e->func(e->opaque);
    }
    QTAILQ_FOREACH(dev, &realized_devices, realized_link) {
        DeviceClass *dc = DEVICE_GET_CLASS(dev);

        if (dc->reset) {
            dc->reset(dev);
        }
    }
    if (current_machine && MACHINE_GET_CLASS(current_machine)->reset) {
        MACHINE_GET_CLASS(current_machine)->reset(current_machine);
    }
}

/* Help */

char *qdev_device_list_text(void)
{
    GString *out = g_string_new("Available devices:\n");
    GSList *list = object_class_get_list_sorted(TYPE_DEVICE, false);

    for (GSList *l = list; l; l = l->next) {
        DeviceClass *dc = l->data;

        if (!dc->user_creatable) {
            continue;
        }
        g_string_append_printf(out, "name \"%s\"",
                               object_class_get_name(OBJECT_CLASS(dc)));
        if (dc->bus_type) {
            g_string_append_printf(out, ", bus %s", dc->bus_type);
        }
        if (dc->desc) {
            g_string_append_printf(out, ", desc \"%s\"", dc->desc);
        }
        g_string_append_c(out, '\n');
    }
    g_slist_free(list);
    return g_string_free(out, FALSE);
}

char *qdev_device_help_text(const char *typename, Error **errp)
{
    ObjectClass *klass = object_class_by_name(typename);
    GString *out;
    GPtrArray *props;

    if (!klass || !object_class_dynamic_cast(klass, TYPE_DEVICE) ||
        object_class_is_abstract(klass)) {
        error_setg(errp, "'%s' is not a valid device model name", typename);
        return NULL;
    }
    out = g_string_new(NULL);
    props = klass->props;
    if (!props->len) {
        g_string_append_printf(out, "There are no options for %s.\n", typename);
    } else {
        g_string_append_printf(out, "%s options:\n", typename);
    }
    for (guint i = 0; i < props->len; i++) {
        const Property *prop = g_ptr_array_index(props, i);
        g_autofree char *def = NULL;
        const char *type = prop->info->type;
        g_autofree char *desc = NULL;

        if (prop->alias_target) {
            desc = g_strdup_printf("alias of '%s'", prop->alias_target);
            const Property *target =
                object_class_find_property(klass, prop->alias_target);
            type = target ? target->info->type : "alias";
        } else if (prop->info->print_default) {
            def = prop->info->print_default(prop);
        }
        g_autofree char *head = g_strdup_printf("%s=<%s>", prop->name, type);

        /* QEMU's layout, which scripts parse: "  name=<type>   - text" */
        g_string_append_printf(out, "  %s", head);
        if (prop->description || prop->info->description || desc || def) {
            g_string_append_printf(out, "%*s - ",
                                   (int)MAX(0, 22 - (int)strlen(head)), "");
            if (desc) {
                g_string_append(out, desc);
            } else if (prop->description) {
                g_string_append(out, prop->description);
            } else if (prop->info->description) {
                g_string_append(out, prop->info->description);
            }
            if (def) {
                g_string_append_printf(out, "%s(default: %s)",
                                       (prop->description ||
                                        prop->info->description) ? " " : "",
                                       def);
            }
        }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

static const TypeInfo qdev_types[] = {
    {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(DeviceState),
        .class_size = sizeof(DeviceClass),
        .instance_init = device_instance_init,
        .instance_finalize = device_finalize,
        .abstract = true,
    }, {
        .name = TYPE_BUS,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(BusState),
        .class_size = sizeof(BusClass),
        .instance_finalize = bus_finalize,
    },
};

DEFINE_TYPES(qdev_types)
