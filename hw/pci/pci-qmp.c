/*
 * QMP query-pci: the devices on each PCI bus, as QEMU lists them
 * (libvirt asks for it when it starts a domain).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "system/qmp.h"

static JsonNode *qmp_query_pci(JsonObject *args, Error **errp)
{
    g_autoptr(GHashTable) buses = g_hash_table_new(NULL, NULL);
    JsonArray *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_array_new();
    for (DeviceState *dev = qdev_first_realized(); dev;
         dev = qdev_next_realized(dev)) {
        PCIDevice *pd = (PCIDevice *)object_dynamic_cast(OBJECT(dev),
                                                         TYPE_PCI_DEVICE);
        JsonObject *busobj, *d, *cls, *id;
        JsonArray *devices;

        if (!pd || !pd->bus) {
            continue;
        }
        busobj = g_hash_table_lookup(buses, pd->bus);
        if (!busobj) {
            busobj = json_object_new();
            json_object_set_int_member(busobj, "bus", pci_bus_num(pd->bus));
            json_object_set_array_member(busobj, "devices", json_array_new());
            json_array_add_object_element(ret, busobj);
            g_hash_table_insert(buses, pd->bus, busobj);
        }
        devices = json_object_get_array_member(busobj, "devices");
        d = json_object_new();
        json_object_set_int_member(d, "bus", pci_bus_num(pd->bus));
        json_object_set_int_member(d, "slot", PCI_SLOT(pd->devfn));
        json_object_set_int_member(d, "function", PCI_FUNC(pd->devfn));
        cls = json_object_new();
        json_object_set_int_member(cls, "class",
                                   pci_get_word(pd->config + PCI_CLASS_DEVICE));
        json_object_set_object_member(d, "class_info", cls);
        id = json_object_new();
        json_object_set_int_member(id, "vendor",
                                   pci_get_word(pd->config + PCI_VENDOR_ID));
        json_object_set_int_member(id, "device",
                                   pci_get_word(pd->config + PCI_DEVICE_ID));
        json_object_set_object_member(d, "id", id);
        json_object_set_string_member(d, "qdev_id", dev->id ? dev->id : "");
        json_object_set_array_member(d, "regions", json_array_new());
        json_array_add_object_element(devices, d);
    }
    return qmp_node_take_array(ret);
}

static void __attribute__((constructor)) pci_register_qmp_commands(void)
{
    qmp_schema_add_type("PciDeviceClass", "class:int");
    qmp_schema_add_type("PciDeviceId", "device:int,vendor:int");
    qmp_schema_add_type("PciDeviceInfo", "bus:int,slot:int,function:int,"
                        "class_info:PciDeviceClass,id:PciDeviceId,"
                        "qdev_id:str,regions:[any]");
    qmp_schema_add_type("PciInfo", "bus:int,devices:[PciDeviceInfo]");
    qmp_register_command_schema("query-pci", qmp_query_pci, NULL,
                                "[PciInfo]");
}
