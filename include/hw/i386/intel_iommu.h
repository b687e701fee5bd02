/*
 * intel-iommu: an Intel VT-d remapping unit on q35, in scalable mode with
 * first-stage tables of passthrough devices nested on the host IOMMU.
 *
 *   -device intel-iommu,scalable-mode=on,fsts=on,svm=on,pasid-bits=20
 *
 * (x-scalable-mode, x-flts, flts and pasid are accepted as aliases.)
 * Registers at Q35_HOST_BRIDGE_IOMMU_ADDR; the unit translates for every
 * device on pcie.0.  It must come before the passthrough devices on the
 * command line, as in QEMU.
 */
#ifndef HW_I386_INTEL_IOMMU_H
#define HW_I386_INTEL_IOMMU_H

#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "system/memory.h"

#define TYPE_INTEL_IOMMU_DEVICE "intel-iommu"

#define DMAR_REG_SIZE           0x230
#define VTD_HOST_AW_39BIT       39
#define VTD_HOST_AW_48BIT       48
#define VTD_PASID_BITS_MAX      20
/*
 * Default "max-bound-pasids": host objects (a nested HWPT, a kernel
 * domain) one passthrough device's guest can make the VMM create.
 */
#define VTD_MAX_BOUND_PASIDS_DEFAULT    4096

typedef struct VTDAccelState VTDAccelState;

typedef struct IntelIOMMUState {
    DeviceState parent_obj;

    /* Properties */
    bool scalable_mode;         /* "scalable-mode" (alias x-scalable-mode) */
    bool fsts;                  /* "fsts" (aliases x-flts, flts) */
    bool svm;                   /* "svm": page requests (ECAP.PRS) */
    uint8_t pasid_bits;         /* "pasid-bits" (alias pasid), 0 = off */
    uint8_t aw_bits;            /* "aw-bits" */
    bool caching_mode;          /* "caching-mode" */
    bool dma_drain;             /* "dma-drain" */
    bool dt_supported;          /* "device-iotlb" */
    bool snoop_control;         /* "snoop-control" */
    bool fs1gp;                 /* "fs1gp" */
    uint32_t max_bound_pasids;  /* "max-bound-pasids", per device */
    OnOffAuto intremap;         /* "intremap": only off (auto = off) */
    OnOffAuto eim;              /* "eim": needs intremap, so only off */
    bool dma_translation;       /* "dma-translation": only on */

    MemoryRegion csrmem;
    uint8_t csr[DMAR_REG_SIZE];     /* register values */
    uint8_t wmask[DMAR_REG_SIZE];   /* guest-writable bits */
    uint8_t w1cmask[DMAR_REG_SIZE]; /* write-1-to-clear bits */
    uint8_t womask[DMAR_REG_SIZE];  /* write-only: read as 0 */
    uint64_t cap, ecap;

    PCIBus *bus;                /* the bus we translate for (pcie.0) */

    /* Latched by GCMD.SRTP */
    uint64_t root;
    bool root_scalable;
    bool dmar_enabled;

    /* Invalidation queue, latched from IQA when QIE is set */
    bool qi_enabled;
    uint64_t iq;                /* base */
    uint32_t iq_size;           /* entries */
    bool iq_dw;                 /* 256-bit descriptors */
    uint32_t iq_head;           /* in entries */
    uint32_t iq_tail;
    /*
     * Descriptors are processed from a bottom half in bounded slices
     * (IQH advances between them, the main loop serves QMP and fds).
     * Within a slice no guest code runs, so guest tables change only by
     * the unit's own writes (@iq_dma_epoch counts them): a flush or a
     * PASID-cache walk that a previous one of the same slice already
     * covered, with no such write in between, has nothing left to do.
     */
    QEMUBH *iq_bh;
    unsigned iq_cost;           /* spent in the current slice */
    uint64_t iq_dma_epoch;
    uint64_t iq_flushed_epoch;  /* all host IOTLBs flushed at this epoch */
    uint64_t iq_pc_epoch;       /* global PASID-cache sync at this epoch */

    /*
     * The IQ and the PRQ resolved to host pointers (checked against the
     * memory map's generation at every entry; see RamWindow).
     */
    RamWindow iq_win;
    RamWindow prq_win;

    /* Passthrough devices, their PASID bindings and the FAULTQ */
    VTDAccelState *accel_state;
} IntelIOMMUState;

#define INTEL_IOMMU_DEVICE(obj) \
    OBJECT_CHECK(IntelIOMMUState, (obj), TYPE_INTEL_IOMMU_DEVICE)

#endif
