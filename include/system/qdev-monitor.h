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
 * -global DRIVER.PROP=VALUE: a default for PROP of every device of type
 * DRIVER (or a subtype) created from now on by -device or device_add.
 */
bool qdev_global_add(const char *str, Error **errp);
void qdev_globals_cleanup(void);

/* The members of a JSON object (scalars only) as options, in order. */
QemuOpts *qemu_opts_from_json_object(JsonObject *obj, Error **errp);

#endif
