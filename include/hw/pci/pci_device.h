/*
 * QEMU keeps PCIDevice in its own header; here it lives in pci.h.
 */
#ifndef HW_PCI_PCI_DEVICE_H
#define HW_PCI_PCI_DEVICE_H

#include "hw/pci/pci.h"

#endif
