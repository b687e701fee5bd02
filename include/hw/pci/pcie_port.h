/*
 * "pcie-root-port": QEMU's generic PCIe root port (1b36:000c), a
 * PCI-to-PCI bridge with a PCI Express capability of type Root Port and
 * one hot-plug slot.  See docs/devel/pcie-root-port.md.
 *
 *   -device pcie-root-port,id=rp1,chassis=1,slot=1,port=16,bus=pcie.0,addr=2
 *   -device vfio-pci,...,bus=rp1
 *
 * Properties (QEMU's names): chassis, slot (physical slot number in
 * SLTCAP; the pair must be unique), port (LNKCAP port number), hotplug
 * (slot is hot-plug capable, default on).
 */
#ifndef HW_PCI_PCIE_PORT_H
#define HW_PCI_PCIE_PORT_H

#include "hw/pci/pci_bridge.h"

#define TYPE_PCIE_ROOT_PORT "pcie-root-port"
OBJECT_DECLARE_SIMPLE_TYPE(PCIERootPort, PCIE_ROOT_PORT)

struct PCIERootPort {
    PCIBridge parent_obj;

    /* Properties */
    uint8_t port;
    uint8_t chassis;
    uint16_t slot;
    bool hotplug;

    bool irq_asserted;          /* the slot event line, as last signalled */
    QEMUBH *unplug_bh;          /* removals: slot released, or reset */
    bool unplug_all;            /* released: every device goes */
};

#endif
