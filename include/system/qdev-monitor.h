/*
 * Creating devices from option strings (-device, device_add).
 */
#ifndef SYSTEM_QDEV_MONITOR_H
#define SYSTEM_QDEV_MONITOR_H

#include "hw/qdev-core.h"
#include "qemu/option.h"
#include <json-glib/json-glib.h>

/*
 * Create, configure and realize a device from @opts ("driver", "id",
 * "bus", then properties).  On error nothing is left behind.
 */
DeviceState *qdev_device_add(QemuOpts *opts, Error **errp);

/*
 * Parse a -device/-object argument: "TYPE,key=val,..." or a JSON object
 * ('{"driver": "intel-iommu", "id": "iommu0"}'), as libvirt writes it.
 * @implied_key is "driver" for -device and "qom-type" for -object.
 */
QemuOpts *qemu_opts_parse_maybe_json(const char *arg, const char *implied_key,
                                     Error **errp);

/*
 * What device_del does with @dev: remove it now (DEVICE_DELETED follows
 * from a bottom half), or, in a hot-plug slot, ask the guest to release
 * it (the attention button) and finish when it does.  False with @errp
 * when it cannot be unplugged or an unplug is already pending.  Do not
 * call it from @dev's own handlers: @dev may be freed before it returns.
 */
bool qdev_unplug(DeviceState *dev, Error **errp);

/*
 * -global DRIVER.PROP=VALUE: a default for PROP of every device of type
 * DRIVER (or a subtype) created from now on by -device or device_add.
 */
bool qdev_global_add(const char *str, Error **errp);
void qdev_globals_cleanup(void);

/* The members of a JSON object (scalars only) as options, in order. */
QemuOpts *qemu_opts_from_json_object(JsonObject *obj, Error **errp);

#endif
