/*
 * PCI Express host bridges with an ECAM window (bus << 20 | devfn << 12 |
 * register).  Two type names share one implementation:
 *   "gpex-pcihost"  the generic host of the arm virt machine, host bridge
 *                   function "gpex-root" (1b36:0008) at 00:00.0
 *   "q35-pcihost"   the q35 host, host bridge function "mch" (8086:29c0)
 *                   at 00:00.0
 * Both are machine-level devices (no bus).  Realize creates the root bus
 * "pcie.0" (bus 0), maps the ECAM window into system memory at ecam-base
 * and creates the host bridge function.
 */
#ifndef HW_PCI_PCIE_HOST_H
#define HW_PCI_PCIE_HOST_H

#include "hw/pci/pci.h"

#define TYPE_PCIE_HOST_BRIDGE   "pcie-host-bridge"
#define TYPE_GPEX_HOST          "gpex-pcihost"
#define TYPE_Q35_HOST_DEVICE    "q35-pcihost"
#define TYPE_GPEX_ROOT_DEVICE   "gpex-root"
#define TYPE_MCH_PCI_DEVICE     "mch"

#define PCIE_HOST_ROOT_BUS_NAME "pcie.0"

OBJECT_DECLARE_TYPE(PCIExpressHost, PCIExpressHostClass, PCIE_HOST_BRIDGE)

struct PCIExpressHostClass {
    DeviceClass parent_class;
    const char *host_bridge_type;       /* PCI function at 00:00.0 */
};

struct PCIExpressHost {
    DeviceState parent_obj;

    /* Properties */
    uint64_t ecam_base;                 /* "ecam-base" */
    uint64_t ecam_size;                 /* "ecam-size": 1 MiB per bus */
    uint64_t mmio_base;                 /* "mmio-base": BAR window (info) */
    uint64_t mmio_size;                 /* "mmio-size" */

    PCIBus *bus;                        /* "pcie.0" */
    PCIDevice *host_bridge;             /* 00:00.0 */
    MemoryRegion mmcfg;
    bool mmcfg_mapped;
};

/* Buses the ECAM window decodes. */
static inline unsigned pcie_host_nr_buses(const PCIExpressHost *h)
{
    return h->ecam_size >> PCIE_MMCFG_BUS_SHIFT;
}

/*
 * Create, configure, realize and place a host at /machine/@child_name.
 * @type is TYPE_GPEX_HOST or TYPE_Q35_HOST_DEVICE.
 */
PCIExpressHost *pcie_host_create(Object *machine, const char *child_name,
                                 const char *type, hwaddr ecam_base,
                                 uint64_t ecam_size, hwaddr mmio_base,
                                 uint64_t mmio_size, Error **errp);

#endif
