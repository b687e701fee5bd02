/*
 * PCI vendor and device IDs used by the models.
 */
#ifndef HW_PCI_PCI_IDS_H
#define HW_PCI_PCI_IDS_H

#define PCI_VENDOR_ID_INTEL             0x8086
#define PCI_DEVICE_ID_INTEL_Q35_MCH     0x29c0

#define PCI_VENDOR_ID_REDHAT            0x1b36
#define PCI_DEVICE_ID_REDHAT_TEST       0x0005
#define PCI_DEVICE_ID_REDHAT_PCIE_HOST  0x0008
#define PCI_DEVICE_ID_REDHAT_PCIE_RP    0x000c

#define PCI_VENDOR_ID_REDHAT_QUMRANET   0x1af4
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU           0x1100

#endif
