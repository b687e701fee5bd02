/*
 * Devices and buses (QEMU's qdev): a device is an object with properties,
 * a realize step that can fail with an error, an unrealize step, a reset,
 * input interrupt lines, and a place on a bus.
 */
#ifndef HW_QDEV_CORE_H
#define HW_QDEV_CORE_H

#include "qemu/queue.h"
#include "qom/object.h"
#include "hw/irq.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"

typedef struct DeviceState DeviceState;
typedef struct DeviceClass DeviceClass;
typedef struct BusState BusState;
typedef struct BusClass BusClass;

typedef void (*DeviceRealize)(DeviceState *dev, Error **errp);
typedef void (*DeviceUnrealize)(DeviceState *dev);
typedef void (*DeviceReset)(DeviceState *dev);

struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    /* May the user create it with -device / device_add? */
    bool user_creatable;
    /* May it be added or removed after machine creation (device_add/del)? */
    bool hotpluggable;
    /* Type of bus it sits on; NULL: the machine itself ("sysbus"). */
    const char *bus_type;
    DeviceRealize realize;
    DeviceUnrealize unrealize;
    DeviceReset reset;
};

struct DeviceState {
    Object parent_obj;
    char *id;
    bool realized;
    BusState *parent_bus;
    QLIST_HEAD(, BusState) child_bus;
    int num_gpio_in;
    qemu_irq *gpio_in;
    /*
     * Set while one of the device's MMIO handlers runs, so that a DMA,
     * MSI or queue write the guest aimed at the device's own registers
     * is refused instead of re-entering it (see system/memory.c).
     */
    bool engaged_in_io;
    /* device_del was accepted; the guest has not released it yet. */
    bool pending_deleted_event;
    QTAILQ_ENTRY(DeviceState) sibling;      /* on parent_bus */
    QTAILQ_ENTRY(DeviceState) realized_link; /* in realize order */
};

struct BusClass {
    ObjectClass parent_class;
    /* Check/assign the device's address on this bus before realize. */
    bool (*check_address)(BusState *bus, DeviceState *dev, Error **errp);
    /*
     * device_del of @dev on this bus: 0 to remove it now; 1 when the
     * removal waits for the guest (a PCIe hot-plug slot) and the bus calls
     * qdev_unplug_complete() later; a negative errno with @errp to refuse.
     * NULL: removed now.
     */
    int (*unplug_request)(BusState *bus, DeviceState *dev, Error **errp);
};

struct BusState {
    Object obj;
    DeviceState *parent;
    char *name;
    QTAILQ_HEAD(, DeviceState) children;
    QLIST_ENTRY(BusState) sibling;
};

#define DEVICE(obj) OBJECT_CHECK(DeviceState, (obj), TYPE_DEVICE)
#define DEVICE_CLASS(klass) \
    OBJECT_CLASS_CHECK(DeviceClass, (klass), TYPE_DEVICE)
#define DEVICE_GET_CLASS(obj) OBJECT_GET_CLASS(DeviceClass, (obj), TYPE_DEVICE)
#define BUS(obj) OBJECT_CHECK(BusState, (obj), TYPE_BUS)
#define BUS_GET_CLASS(obj) OBJECT_GET_CLASS(BusClass, (obj), TYPE_BUS)

void device_class_set_props(DeviceClass *dc, const Property *props);

DeviceState *qdev_new(const char *typename);
/* Set one property from its textual form; the error names the property. */
bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     Error **errp);
/*
 * Plug @dev into @bus (NULL for machine-level devices) and realize it.
 * On failure the device stays unrealized and unplugged.
 */
bool qdev_realize(DeviceState *dev, BusState *bus, Error **errp);
/* Same, then drop the caller's reference (the bus/tree holds one). */
bool qdev_realize_and_unref(DeviceState *dev, BusState *bus, Error **errp);
void qdev_unrealize(DeviceState *dev);
/* Unrealize, unplug from the bus and the tree (device_del, shutdown). */
void qdev_unplug_and_free(DeviceState *dev);
/*
 * A removal device_del started is finished by the guest (it powered the
 * slot off): free @dev and emit DEVICE_DELETED, as device_del does for
 * devices removed at once.  Set by the monitor (system/qmp-device.c).
 */
extern void (*qdev_unplug_complete_fn)(DeviceState *dev);
void qdev_unplug_complete(DeviceState *dev);

/*
 * Machine creation is over (after -device and the first reset): devices
 * added from now on are hot-plugged.
 */
extern bool qdev_hotplug;
void qdev_machine_creation_done(void);

/* Devices realized so far, in order (for reset and shutdown). */
DeviceState *qdev_first_realized(void);
DeviceState *qdev_next_realized(DeviceState *dev);

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name);
/* Find a bus by name ("pcie.0") anywhere in the tree. */
BusState *qbus_find(const char *name);
DeviceState *qdev_find_by_id(const char *id);

void qdev_init_gpio_in(DeviceState *dev, qemu_irq_handler handler, int n);
qemu_irq qdev_get_gpio_in(DeviceState *dev, int n);

/* System reset: reset handlers first, then every realized device. */
typedef void QEMUResetHandler(void *opaque);
void qemu_register_reset(QEMUResetHandler *func, void *opaque);
void qemu_unregister_reset(QEMUResetHandler *func, void *opaque);
void qemu_system_reset(void);

/* -device help / -device TYPE,help output (returns the text; caller frees). */
char *qdev_device_help_text(const char *typename, Error **errp);
char *qdev_device_list_text(void);

#endif
