/*
 * arm-smmuv3: the Arm SMMUv3 model of the virt machine.
 *
 *   -device arm-smmuv3,primary-bus=pcie.0[,id=ID][,accel=on]
 *           [,ril=on|off|auto][,ats=on|off|auto][,oas=44|48|auto]
 *           [,ssidsize=0..20|auto][,cmdqv=off|auto][,stage=1|2|nested]
 *
 * Without accel the model exposes the programming interface (registers,
 * stream table, command and event queues, wired interrupts and MSIs).
 * With accel=on, passthrough devices (vfio-pci with iommufd) on the
 * primary bus get a host vIOMMU: the guest's stage-1 STEs become nested
 * HWPTs, its invalidations are forwarded, and the host's vEVENTQ records
 * are written into the guest Event Queue (hw/arm/smmuv3-accel.c).
 */
#ifndef HW_ARM_SMMUV3_H
#define HW_ARM_SMMUV3_H

#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "system/memory.h"
#include "qemu/main-loop.h"

#define TYPE_ARM_SMMUV3 "arm-smmuv3"

/* Wired interrupt outputs, in device tree order. */
enum {
    SMMU_IRQ_EVTQ,
    SMMU_IRQ_PRIQ,
    SMMU_IRQ_CMD_SYNC,
    SMMU_IRQ_GERROR,
    SMMU_NUM_IRQ,
};

typedef struct SMMUQueue {
    uint64_t base;              /* register value: RA | ADDR | LOG2SIZE */
    uint32_t prod;
    uint32_t cons;
    uint8_t log2size;           /* LOG2SIZE capped at the IDR1 maximum */
} SMMUQueue;

typedef struct SMMUv3AccelState SMMUv3AccelState;

/* "auto" in the oas and ssidsize properties, until resolved at realize */
#define SMMUV3_PROP_AUTO 0xff

typedef struct SMMUv3State {
    DeviceState parent_obj;

    /* Properties */
    char *primary_bus_name;     /* "primary-bus" */
    char *stage;                /* "1", "2", "nested" */
    bool accel;
    OnOffAuto ril;
    OnOffAuto ats;
    uint8_t oas;                /* output address size in bits: 44, 48 */
    uint8_t ssidsize;
    OnOffAuto cmdqv;            /* no CMDQV here: off, or auto (= off) */
    bool smmu_per_bus;          /* upstream's: serves its primary bus only */
    uint64_t msi_gpa;

    PCIBus *primary_bus;
    MemoryRegion iomem;
    hwaddr base;
    qemu_irq irq[SMMU_NUM_IRQ];
    uint32_t fdt_phandle;

    /* 'auto' properties, once resolved from the first host device */
    bool auto_resolved;
    bool oas_auto;              /* oas=auto: s->oas is 44 until resolved */
    bool ssidsize_auto;         /* ssidsize=auto: 0 until resolved */
    bool ril_enabled;
    bool ats_enabled;

    /* Registers */
    uint32_t idr[6];
    uint32_t iidr;
    uint32_t aidr;
    uint32_t cr[3];
    uint32_t cr0ack;
    uint32_t statusr;
    uint32_t gbpa;
    uint32_t irq_ctrl;
    uint32_t gerror;
    uint32_t gerrorn;
    uint64_t gerror_irq_cfg0;
    uint32_t gerror_irq_cfg1;
    uint32_t gerror_irq_cfg2;
    uint64_t strtab_base;
    uint32_t strtab_base_cfg;
    SMMUQueue cmdq;
    QEMUBH *cmdq_bh;            /* consumes the command queue in slices */
    SMMUQueue eventq;
    uint64_t eventq_irq_cfg0;
    uint32_t eventq_irq_cfg1;
    uint32_t eventq_irq_cfg2;

    SMMUv3AccelState *accel_state;  /* accel=on only */
} SMMUv3State;

#define ARM_SMMUV3(obj) OBJECT_CHECK(SMMUv3State, (obj), TYPE_ARM_SMMUV3)

#endif
