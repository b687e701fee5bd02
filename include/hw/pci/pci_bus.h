/*
 * QEMU keeps PCIBus in its own header; here it lives in pci.h.
 */
#ifndef HW_PCI_PCI_BUS_H
#define HW_PCI_PCI_BUS_H

#include "hw/pci/pci.h"

#endif
