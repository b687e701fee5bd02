/*
 * x-query-viommu: which passthrough devices a vIOMMU has taken on.
 *
 * For every vfio-pci device: where it sits in the guest, the host cdev
 * and iommufd it uses, the vIOMMU that translates for its bus, and
 * whether that vIOMMU accepted the device's host IOMMU handle ("bound")
 * and the device is attached to a host page table ("attached").  This is
 * what a management layer (virsh qemu-monitor-command) looks at to see
 * that a domain's vIOMMU really drives its hostdevs.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "hw/vfio/vfio-pci.h"
#include "system/qmp.h"

/* Bounded walk up the PCI hierarchy to the bus a vIOMMU translates for. */
static Object *viommu_of(PCIDevice *pd)
{
    PCIBus *bus = pd->bus;

    for (int depth = 0; bus && depth < 256; depth++) {
        DeviceState *bridge;
        PCIDevice *up;

        if (bus->iommu_ops) {
            /*
             * intel-iommu and arm-smmuv3 register themselves as the
             * opaque; find it among the devices rather than trusting
             * the pointer to be one.
             */
            for (DeviceState *d = qdev_first_realized(); d;
                 d = qdev_next_realized(d)) {
                if ((void *)d == bus->iommu_opaque) {
                    return OBJECT(d);
                }
            }
            return NULL;
        }
        bridge = bus->qbus.parent;
        up = bridge ? (PCIDevice *)object_dynamic_cast(OBJECT(bridge),
                                                       TYPE_PCI_DEVICE) : NULL;
        bus = up ? up->bus : NULL;
    }
    return NULL;
}

static JsonNode *qmp_x_query_viommu(JsonObject *args, Error **errp)
{
    JsonArray *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_array_new();
    for (DeviceState *dev = qdev_first_realized(); dev;
         dev = qdev_next_realized(dev)) {
        VFIOPCIDevice *v = (VFIOPCIDevice *)object_dynamic_cast(OBJECT(dev),
                                                                TYPE_VFIO_PCI);
        g_autofree char *path = NULL;
        g_autofree char *bdf = NULL;
        Object *viommu;
        JsonObject *o;

        if (!v || !v->parent_obj.bus) {
            continue;
        }
        path = object_get_canonical_path(OBJECT(dev));
        bdf = g_strdup_printf("%02x:%02x.%x", pci_bus_num(v->parent_obj.bus),
                              PCI_SLOT(v->parent_obj.devfn),
                              PCI_FUNC(v->parent_obj.devfn));
        o = json_object_new();
        json_object_set_string_member(o, "qdev_id", dev->id ? dev->id : "");
        json_object_set_string_member(o, "path", path);
        json_object_set_string_member(o, "guest-bdf", bdf);
        json_object_set_string_member(o, "host", v->name ? v->name : "");
        if (v->iommufd && OBJECT(v->iommufd)->name) {
            json_object_set_string_member(o, "iommufd",
                                          OBJECT(v->iommufd)->name);
        }
        json_object_set_int_member(o, "devid", v->devid);
        viommu = viommu_of(&v->parent_obj);
        if (viommu) {
            g_autofree char *vpath = object_get_canonical_path(viommu);

            json_object_set_string_member(o, "viommu", vpath);
            json_object_set_string_member(o, "viommu-type",
                                          object_get_typename(viommu));
        }
        json_object_set_boolean_member(o, "bound", v->iommu_device_set);
        json_object_set_boolean_member(o, "attached", v->attached);
        json_array_add_object_element(ret, o);
    }
    return qmp_node_take_array(ret);
}

static void __attribute__((constructor)) vfio_register_qmp_commands(void)
{
    qmp_schema_add_type("ViommuDeviceInfo",
                        "qdev_id:str,path:str,guest-bdf:str,host:str,"
                        "?iommufd:str,devid:int,?viommu:str,"
                        "?viommu-type:str,bound:bool,attached:bool");
    qmp_register_command_schema("x-query-viommu", qmp_x_query_viommu, NULL,
                                "[ViommuDeviceInfo]");
}
