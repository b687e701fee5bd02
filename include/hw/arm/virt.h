/*
 * The arm "virt" machine: guest-physical layout (QEMU's memmap and irqmap)
 * and the device tree that later devices extend.
 *
 *   0x08000000  GICv3 distributor (interrupt sink "gic", 256 SPIs)
 *   0x080A0000  GICv3 redistributors
 *   0x09050000  arm-smmuv3 registers (left free for the SMMUv3 model),
 *               SPIs 74..77
 *   0x10000000  PCIe MMIO window for BARs (to 0x3EFEFFFF)
 *   0x3F000000  PCIe ECAM, 16 buses (gpex-pcihost, bus pcie.0)
 *   0x40000000  RAM (default 128 MiB)
 * PCIe INTA..INTD: SPIs 3..6 (swizzled by slot).
 *
 * QOM paths: /machine/pcie (host), /machine/pcie/pcie.0, /machine/gic.
 *
 * Device tree: built in machine init into ms->fdt (a buffer with room to
 * grow, VIRT_FDT_MAX_SIZE), extended by devices (during their realize, or
 * from a hook registered with virt_add_fdt_hook that runs in machine done),
 * then, with -machine virt,dumpdtb=FILE, packed and written to FILE, and
 * the program exits 0.
 */
#ifndef HW_ARM_VIRT_H
#define HW_ARM_VIRT_H

#include "hw/boards.h"
#include "hw/pci/pcie_host.h"

#define TYPE_VIRT_MACHINE               MACHINE_TYPE_NAME("virt")
#define TYPE_VIRT_GIC                   "virt-gic"

#define VIRT_GIC_DIST_BASE              0x08000000ULL
#define VIRT_GIC_DIST_SIZE              0x00010000ULL
#define VIRT_GIC_REDIST_BASE            0x080A0000ULL
#define VIRT_GIC_REDIST_SIZE            0x00F60000ULL
#define VIRT_GIC_NUM_SPIS               256

#define VIRT_SMMU_BASE                  0x09050000ULL
#define VIRT_SMMU_SIZE                  0x00020000ULL
#define VIRT_SMMU_IRQ                   74      /* first of 4 SPIs */
#define VIRT_SMMU_NUM_IRQS              4

#define VIRT_PCIE_MMIO_BASE             0x10000000ULL
#define VIRT_PCIE_MMIO_SIZE             0x2EFF0000ULL
#define VIRT_PCIE_PIO_BASE              0x3EFF0000ULL   /* not decoded */
#define VIRT_PCIE_PIO_SIZE              0x00010000ULL
#define VIRT_PCIE_ECAM_BASE             0x3F000000ULL
#define VIRT_PCIE_ECAM_SIZE             0x01000000ULL
#define VIRT_PCIE_IRQ                   3       /* SPIs 3..6 */
#define VIRT_PCIE_NUM_IRQS              4

#define VIRT_MEM_BASE                   0x40000000ULL
#define VIRT_DEFAULT_RAM_SIZE           (128ULL << 20)

/* Device tree */
#define VIRT_FDT_MAX_SIZE               (1 << 20)
#define VIRT_FDT_PHANDLE_START          0x8000
#define VIRT_FDT_GIC_NODE               "/intc@8000000"
#define VIRT_FDT_PCIE_NODE              "/pcie@10000000"
/* Interrupt specifier cells of the GIC (type, number, flags) */
#define GIC_FDT_IRQ_TYPE_SPI            0
#define GIC_FDT_IRQ_TYPE_PPI            1
#define GIC_FDT_IRQ_FLAGS_EDGE_LO_HI    1
#define GIC_FDT_IRQ_FLAGS_LEVEL_HI      4

typedef struct VirtMachineState VirtMachineState;

/*
 * A device tree hook: runs in machine done, in registration order, before
 * the tree is written.  Returns false with @errp set on failure.
 */
typedef bool (*VirtFdtHook)(VirtMachineState *vms, void *fdt, void *opaque,
                            Error **errp);

struct VirtMachineState {
    MachineState parent_obj;
    PCIExpressHost *pcie_host;  /* /machine/pcie */
    DeviceState *gic;           /* /machine/gic, also ms->irqchip */
    uint32_t gic_phandle;
    uint32_t next_phandle;
    const char *gic_node;       /* VIRT_FDT_GIC_NODE */
    const char *pcie_node;      /* VIRT_FDT_PCIE_NODE */
    GArray *fdt_hooks;          /* of VirtFdtHookEntry (private) */
    bool fdt_finalized;         /* hooks have run */
};

#define VIRT_MACHINE(obj) \
    OBJECT_CHECK(VirtMachineState, (obj), TYPE_VIRT_MACHINE)

/* The running machine if it is virt, else NULL. */
VirtMachineState *virt_machine(void);
/* SPI @spi of the GIC (0..255) as an interrupt line. */
qemu_irq virt_get_spi(VirtMachineState *vms, int spi);
/* A fresh phandle for a new node. */
uint32_t virt_fdt_alloc_phandle(VirtMachineState *vms);
/* Register a hook (see VirtFdtHook); must be called before machine done. */
void virt_add_fdt_hook(VirtMachineState *vms, VirtFdtHook fn, void *opaque);
/*
 * Offset of the PCIe host node in the current tree (offsets move when
 * nodes are added: look it up again after each addition).
 */
int virt_fdt_pcie_node_offset(VirtMachineState *vms);
/*
 * Route every requester ID of the PCIe host through @iommu_phandle:
 * iommu-map = <0x0 iommu_phandle 0x0 0x10000> on the PCIe node.
 */
bool virt_fdt_set_pcie_iommu_map(VirtMachineState *vms, uint32_t iommu_phandle,
                                 Error **errp);

#endif
