/*
 * PCI-to-PCI bridges: the Type 1 configuration header and the secondary
 * bus behind it (PCI-to-PCI Bridge Architecture 1.2).  The base of the
 * PCIe root port ("pcie-root-port", hw/pci/pcie_root_port.c).
 *
 * The guest programs the Primary, Secondary and Subordinate Bus Number
 * registers; configuration requests reach the secondary bus through the
 * ECAM window by those numbers (pci_find_bus_nr()), and the requester ID
 * of every device behind the bridge follows the Secondary Bus Number.
 */
#ifndef HW_PCI_PCI_BRIDGE_H
#define HW_PCI_PCI_BRIDGE_H

#include "hw/pci/pci.h"

#define TYPE_PCI_BRIDGE "base-pci-bridge"
OBJECT_DECLARE_SIMPLE_TYPE(PCIBridge, PCI_BRIDGE)

struct PCIBridge {
    PCIDevice parent_obj;
    PCIBus *sec_bus;            /* owned: a child of the bridge */
};

/* Does @d have a Type 1 header (a bridge)?  Cheap: reads the header type. */
static inline bool pci_is_bridge(const PCIDevice *d)
{
    return d->config &&
           (d->config[PCI_HEADER_TYPE] & ~PCI_HEADER_TYPE_MULTI_FUNCTION) ==
           PCI_HEADER_TYPE_BRIDGE;
}

/* The secondary bus of bridge @d, NULL if @d is not a bridge. */
PCIBus *pci_bridge_secondary_bus(PCIDevice *d);

/*
 * For a bridge model's realize: turn the header into a Type 1 header and
 * create the secondary bus of type @bus_type (TYPE_PCIE_BUS for a PCIe
 * port), named after the device's id, else "pcie.N".
 */
void pci_bridge_init(PCIDevice *d, const char *bus_type);
/* Config write of a bridge: bus numbers, windows, secondary bus reset. */
void pci_bridge_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                             int len);
/*
 * Re-evaluate the BAR mappings of every device below @bus: a bridge's
 * windows, memory decode or slot power changed.
 */
void pci_bridge_update_mappings(PCIBus *bus);
/* Reset of the Type 1 fields: bus numbers 0 (unnumbered), windows closed. */
void pci_bridge_reset(PCIDevice *d);

#endif
