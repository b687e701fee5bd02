/*
 * PCI Express host bridges with an ECAM window: "gpex-pcihost" (arm virt)
 * and "q35-pcihost" (q35), and their host bridge functions at 00:00.0.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie_host.h"
#include "trace.h"

static PCIDevice *pcie_host_find_device(PCIExpressHost *h, uint32_t bus_num,
                                        uint8_t devfn)
{
    PCIDevice *d = pci_find_device(h->bus, bus_num, devfn);

    /* Functions other than 0 only answer when function 0 exists. */
    if (d && PCI_FUNC(devfn) &&
        !pci_find_device(h->bus, bus_num, PCI_DEVFN(PCI_SLOT(devfn), 0))) {
        return NULL;
    }
    return d;
}

static uint64_t pcie_mmcfg_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIExpressHost *h = opaque;
    uint32_t bus_num = PCIE_MMCFG_BUS(addr);
    uint8_t devfn = PCIE_MMCFG_DEVFN(addr);
    uint32_t reg = PCIE_MMCFG_CONFOFFSET(addr);
    PCIDevice *d = pcie_host_find_device(h, bus_num, devfn);

    if (!d) {
        trace_pcie_ecam_read_absent(bus_num, devfn, reg, size);
        return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    }
    return pci_host_config_read(d, reg, size);
}

static void pcie_mmcfg_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PCIExpressHost *h = opaque;
    uint32_t bus_num = PCIE_MMCFG_BUS(addr);
    uint8_t devfn = PCIE_MMCFG_DEVFN(addr);
    uint32_t reg = PCIE_MMCFG_CONFOFFSET(addr);
    PCIDevice *d = pcie_host_find_device(h, bus_num, devfn);

    if (!d) {
        trace_pcie_ecam_write_dropped(bus_num, devfn, reg, (uint32_t)val, size);
        return;
    }
    pci_host_config_write(d, reg, (uint32_t)val, size);
}

static const MemoryRegionOps pcie_mmcfg_ops = {
    .read = pcie_mmcfg_read,
    .write = pcie_mmcfg_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};

static void pcie_host_realize(DeviceState *dev, Error **errp)
{
    PCIExpressHost *h = PCIE_HOST_BRIDGE(dev);
    PCIExpressHostClass *hc = PCIE_HOST_BRIDGE_GET_CLASS(dev);
    const uint64_t bus_size = 1ULL << PCIE_MMCFG_BUS_SHIFT;

    if (!h->ecam_size || (h->ecam_size & (bus_size - 1)) ||
        h->ecam_size > PCIE_MMCFG_SIZE_MAX) {
        error_setg(errp, "%s: ecam-size 0x%" PRIx64 " must be a multiple of "
                   "1 MiB up to 256 MiB", object_get_typename(OBJECT(dev)),
                   h->ecam_size);
        return;
    }
    if (h->ecam_base & (bus_size - 1)) {
        error_setg(errp, "%s: ecam-base 0x%" PRIx64 " must be 1 MiB aligned",
                   object_get_typename(OBJECT(dev)), h->ecam_base);
        return;
    }

    h->bus = PCI_BUS(qbus_new(TYPE_PCIE_BUS, dev, PCIE_HOST_ROOT_BUS_NAME));
    h->bus->bus_num = 0;
    memory_region_init_io(&h->mmcfg, OBJECT(h), &pcie_mmcfg_ops, h,
                          "pcie-mmcfg-mmio", h->ecam_size);
    memory_region_add_subregion(get_system_memory(), h->ecam_base, &h->mmcfg);
    h->mmcfg_mapped = true;

    if (hc->host_bridge_type) {
        PCIDevice *hb = pci_new(PCI_DEVFN(0, 0), hc->host_bridge_type);

        object_property_add_child(OBJECT(h), hc->host_bridge_type, OBJECT(hb));
        if (!qdev_realize_and_unref(DEVICE(hb), &h->bus->qbus, errp)) {
            object_unparent(OBJECT(hb));
            memory_region_del_subregion(get_system_memory(), &h->mmcfg);
            h->mmcfg_mapped = false;
            return;
        }
        h->host_bridge = hb;
    }
    trace_pcie_host_realize(object_get_typename(OBJECT(dev)), h->ecam_base,
                            h->ecam_size);
}

static void pcie_host_unrealize(DeviceState *dev)
{
    PCIExpressHost *h = PCIE_HOST_BRIDGE(dev);

    if (h->mmcfg_mapped) {
        memory_region_del_subregion(get_system_memory(), &h->mmcfg);
        h->mmcfg_mapped = false;
    }
    h->host_bridge = NULL;
}

static const Property pcie_host_props[] = {
    DEFINE_PROP_UINT64("ecam-base", PCIExpressHost, ecam_base, 0),
    DEFINE_PROP_UINT64("ecam-size", PCIExpressHost, ecam_size, 0),
    DEFINE_PROP_UINT64("mmio-base", PCIExpressHost, mmio_base, 0),
    DEFINE_PROP_UINT64("mmio-size", PCIExpressHost, mmio_size, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void pcie_host_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->realize = pcie_host_realize;
    dc->unrealize = pcie_host_unrealize;
    dc->user_creatable = false;
    device_class_set_props(dc, pcie_host_props);
}

static void gpex_host_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIExpressHostClass *hc = PCIE_HOST_BRIDGE_CLASS(klass);

    dc->desc = "Generic PCI Express host bridge (ECAM)";
    hc->host_bridge_type = TYPE_GPEX_ROOT_DEVICE;
}

static void q35_host_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIExpressHostClass *hc = PCIE_HOST_BRIDGE_CLASS(klass);

    dc->desc = "Q35 PCI Express host bridge (MCH, MMCONFIG)";
    hc->host_bridge_type = TYPE_MCH_PCI_DEVICE;
}

PCIExpressHost *pcie_host_create(Object *machine, const char *child_name,
                                 const char *type, hwaddr ecam_base,
                                 uint64_t ecam_size, hwaddr mmio_base,
                                 uint64_t mmio_size, Error **errp)
{
    DeviceState *dev = qdev_new(type);
    PCIExpressHost *h = PCIE_HOST_BRIDGE(dev);

    h->ecam_base = ecam_base;
    h->ecam_size = ecam_size;
    h->mmio_base = mmio_base;
    h->mmio_size = mmio_size;
    object_property_add_child(machine, child_name, OBJECT(dev));
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return h;
}

/* ------------------------------------------------------------------ */
/* Host bridge functions at 00:00.0                                    */

static void mch_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    dc->desc = "Host bridge";
    dc->user_creatable = false;
    pc->vendor_id = PCI_VENDOR_ID_INTEL;
    pc->device_id = PCI_DEVICE_ID_INTEL_Q35_MCH;
    pc->revision = 0;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
    pc->is_express = false;
}

static void gpex_root_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    dc->desc = "QEMU generic PCIe host bridge";
    dc->user_creatable = false;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST;
    pc->revision = 0;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
    pc->is_express = false;
}

static const TypeInfo pcie_host_types[] = {
    {
        .name = TYPE_PCIE_HOST_BRIDGE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIExpressHost),
        .class_size = sizeof(PCIExpressHostClass),
        .class_init = pcie_host_class_init,
        .abstract = true,
    }, {
        .name = TYPE_GPEX_HOST,
        .parent = TYPE_PCIE_HOST_BRIDGE,
        .class_init = gpex_host_class_init,
    }, {
        .name = TYPE_Q35_HOST_DEVICE,
        .parent = TYPE_PCIE_HOST_BRIDGE,
        .class_init = q35_host_class_init,
    }, {
        .name = TYPE_MCH_PCI_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = mch_class_init,
    }, {
        .name = TYPE_GPEX_ROOT_DEVICE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = gpex_root_class_init,
    },
};

DEFINE_TYPES(pcie_host_types)
