/*
 * The q35 machine: guest-physical layout and fixed devices.
 *
 *   0x00000000  RAM (default 128 MiB, at most Q35_RAM_MAX)
 *   0xB0000000  PCIe ECAM / MMCONFIG, 256 buses (q35-pcihost, bus pcie.0)
 *   0xC0000000  PCI memory window for BARs, up to 0xFEBFFFFF
 *   0xFEC00000  I/O APIC (interrupt sink "ioapic", no registers)
 *   0xFED90000  intel-iommu registers (left free for the VT-d model)
 *   0xFEE00000  MSI interrupt window ("msi"): 4-byte writes decode as
 *               x86 MSIs and pulse its gpio input [vector]
 *
 * QOM paths: /machine/q35 (host), /machine/q35/pcie.0 (root bus),
 * /machine/ioapic, /machine/msi.
 */
#ifndef HW_I386_Q35_H
#define HW_I386_Q35_H

#include "hw/boards.h"
#include "hw/pci/pcie_host.h"

#define TYPE_Q35_MACHINE                MACHINE_TYPE_NAME("q35")
#define TYPE_IOAPIC                     "ioapic"
#define TYPE_X86_MSI_WINDOW             "x86-msi-window"

#define Q35_DEFAULT_RAM_SIZE            (128ULL << 20)
#define Q35_RAM_BASE                    0x0ULL
/* RAM must stay below MMCONFIG: there is no high-memory split. */
#define Q35_RAM_MAX                     Q35_PCIEXBAR_BASE

/* MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT */
#define Q35_PCIEXBAR_BASE               0xB0000000ULL
#define Q35_PCIEXBAR_SIZE               0x10000000ULL   /* 256 buses */
#define Q35_PCI_MMIO_BASE               0xC0000000ULL
#define Q35_PCI_MMIO_SIZE               (Q35_IOAPIC_BASE - Q35_PCI_MMIO_BASE)

#define Q35_IOAPIC_BASE                 0xFEC00000ULL
#define Q35_IOAPIC_NUM_PINS             24
/* PCIe INTA..INTD of pcie.0 reach I/O APIC pins 16..19 (PIRQA..D). */
#define Q35_PCI_INTX_GSI_BASE           16

#define Q35_HOST_BRIDGE_IOMMU_ADDR      0xFED90000ULL
#define Q35_HOST_BRIDGE_IOMMU_SIZE      0x1000ULL

/* APIC_DEFAULT_ADDRESS */
#define Q35_MSI_ADDR_BASE               0xFEE00000ULL
#define Q35_MSI_ADDR_SIZE               0x100000ULL
#define Q35_MSI_NUM_VECTORS             256
/* Above RAM and BARs, so that MSI writes always reach the window. */
#define Q35_MSI_WINDOW_PRIORITY         1000

/* x86 MSI address/data (compatibility format) */
#define X86_MSI_ADDR_DEST_ID_SHIFT      12
#define X86_MSI_ADDR_DEST_ID_MASK       0xff
#define X86_MSI_ADDR_REDIR_HINT         (1u << 3)
#define X86_MSI_ADDR_DEST_MODE_LOGICAL  (1u << 2)
/* interrupt remapping format */
#define X86_MSI_ADDR_IF_REMAPPABLE      (1u << 4)
#define X86_MSI_DATA_VECTOR_MASK        0xff
#define X86_MSI_DATA_DELIVERY_SHIFT     8
#define X86_MSI_DATA_TRIGGER_LEVEL      (1u << 15)

typedef struct Q35MachineState {
    MachineState parent_obj;
    PCIExpressHost *host;       /* /machine/q35 */
    DeviceState *ioapic;        /* /machine/ioapic */
    DeviceState *msi;           /* /machine/msi */
} Q35MachineState;

#define Q35_MACHINE(obj) OBJECT_CHECK(Q35MachineState, (obj), TYPE_Q35_MACHINE)

/* The running machine if it is q35, else NULL. */
Q35MachineState *q35_machine(void);

#endif
