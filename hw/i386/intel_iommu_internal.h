/*
 * Intel VT-d: register offsets, bit fields and table/descriptor layouts.
 *
 * Everything here is restated from the VT-d Architecture Specification
 * (rev 5.x: chapters 6.5, 7.4-7.10, 9 and 11); bit numbers count from
 * bit 0 of the structure, "qw1" is bits 127:64.  Only what the model
 * uses is named.
 */
#ifndef HW_I386_INTEL_IOMMU_INTERNAL_H
#define HW_I386_INTEL_IOMMU_INTERNAL_H

#include "hw/i386/intel_iommu.h"
#include "system/memory.h"
#include "trace.h"

/* ---- Register offsets (spec 11.4) ---- */
#define DMAR_VER_REG            0x000
#define DMAR_CAP_REG            0x008
#define DMAR_ECAP_REG           0x010
#define DMAR_GCMD_REG           0x018
#define DMAR_GSTS_REG           0x01c
#define DMAR_RTADDR_REG         0x020
#define DMAR_CCMD_REG           0x028
#define DMAR_FSTS_REG           0x034
#define DMAR_FECTL_REG          0x038
#define DMAR_FEDATA_REG         0x03c
#define DMAR_FEADDR_REG         0x040
#define DMAR_FEUADDR_REG        0x044
#define DMAR_AFLOG_REG          0x058
#define DMAR_PMEN_REG           0x064
#define DMAR_IQH_REG            0x080
#define DMAR_IQT_REG            0x088
#define DMAR_IQA_REG            0x090
#define DMAR_ICS_REG            0x09c
#define DMAR_IECTL_REG          0x0a0
#define DMAR_IEDATA_REG         0x0a4
#define DMAR_IEADDR_REG         0x0a8
#define DMAR_IEUADDR_REG        0x0ac
#define DMAR_IQERCD_REG         0x0b0
#define DMAR_IRTA_REG           0x0b8
#define DMAR_PQH_REG            0x0c0
#define DMAR_PQT_REG            0x0c8
#define DMAR_PQA_REG            0x0d0
#define DMAR_PRS_REG            0x0dc
#define DMAR_PECTL_REG          0x0e0
#define DMAR_PEDATA_REG         0x0e4
#define DMAR_PEADDR_REG         0x0e8
#define DMAR_PEUADDR_REG        0x0ec
/* Register-based IOTLB invalidation (ignored in scalable mode): ECAP.IRO */
#define DMAR_IVA_REG            0x0f0
#define DMAR_IOTLB_REG          0x0f8
/* One fault recording register (CAP.NFR = 0) at CAP.FRO * 16 */
#define DMAR_FRCD_REG_0_0       0x220
#define DMAR_FRCD_REG_0_2       0x228
#define DMAR_FRCD_REG_0_3       0x22c

/* ---- VER_REG ---- */
#define VTD_VER_LEGACY          0x10
#define VTD_VER_SCALABLE        0x30    /* scalable mode arrived in rev 3.0 */

/* ---- CAP_REG (spec 11.4.2) ---- */
#define VTD_CAP_ND_16BIT        (6ULL << 0)
#define VTD_CAP_CM              (1ULL << 7)
#define VTD_CAP_SAGAW_39BIT     (0x2ULL << 8)
#define VTD_CAP_SAGAW_48BIT     (0x4ULL << 8)
#define VTD_CAP_MGAW(aw)        ((uint64_t)((aw) - 1) << 16)
#define VTD_CAP_FRO             ((uint64_t)(DMAR_FRCD_REG_0_0 >> 4) << 24)
#define VTD_CAP_SSLPS           ((1ULL << 34) | (1ULL << 35))
#define VTD_CAP_PSI             (1ULL << 39)
#define VTD_CAP_NFR(n)          ((uint64_t)((n) - 1) << 40)
#define VTD_CAP_MAMV            (18ULL << 48)
#define VTD_CAP_DWD             (1ULL << 54)
#define VTD_CAP_DRD             (1ULL << 55)
#define VTD_CAP_FS1GP           (1ULL << 56)
#define VTD_CAP_ESRTPS          (1ULL << 63)

/* ---- ECAP_REG (spec 11.4.3) ---- */
#define VTD_ECAP_QI             (1ULL << 1)
#define VTD_ECAP_DT             (1ULL << 2)
#define VTD_ECAP_PT             (1ULL << 6)
#define VTD_ECAP_SC             (1ULL << 7)
#define VTD_ECAP_IRO            ((uint64_t)(DMAR_IVA_REG >> 4) << 8)
#define VTD_ECAP_NEST           (1ULL << 26)
#define VTD_ECAP_PRS            (1ULL << 29)
#define VTD_ECAP_SRS            (1ULL << 31)
#define VTD_ECAP_NWFS           (1ULL << 33)
#define VTD_ECAP_PSS(bits)      ((uint64_t)((bits) - 1) << 35)
#define VTD_ECAP_PASID          (1ULL << 40)
#define VTD_ECAP_PDS            (1ULL << 42)
#define VTD_ECAP_SMTS           (1ULL << 43)
#define VTD_ECAP_SSTS           (1ULL << 46)
#define VTD_ECAP_FSTS           (1ULL << 47)

/* ---- GCMD / GSTS (spec 11.4.4/5) ---- */
#define VTD_GCMD_TE             (1U << 31)
#define VTD_GCMD_SRTP           (1U << 30)
#define VTD_GCMD_WBF            (1U << 27)
#define VTD_GCMD_QIE            (1U << 26)
#define VTD_GCMD_IRE            (1U << 25)
#define VTD_GCMD_SIRTP          (1U << 24)
#define VTD_GCMD_CFI            (1U << 23)
#define VTD_GSTS_TES            VTD_GCMD_TE
#define VTD_GSTS_RTPS           VTD_GCMD_SRTP
#define VTD_GSTS_QIES           VTD_GCMD_QIE
#define VTD_GSTS_IRES           VTD_GCMD_IRE
#define VTD_GSTS_IRTPS          VTD_GCMD_SIRTP
#define VTD_GSTS_CFIS           VTD_GCMD_CFI

/* ---- RTADDR ---- */
#define VTD_RTADDR_ADDR_MASK    (~0xfffULL)
#define VTD_RTADDR_TTM_SHIFT    10
#define VTD_RTADDR_TTM_MASK     (3ULL << VTD_RTADDR_TTM_SHIFT)
#define VTD_RTADDR_TTM_SCALABLE 1

/* ---- CCMD (legacy only; scalable mode reports "granularity 00") ---- */
#define VTD_CCMD_ICC            (1ULL << 63)
#define VTD_CCMD_CAIG_MASK      (3ULL << 59)

/* ---- IOTLB_REG ---- */
#define VTD_IOTLB_IVT           (1ULL << 63)

/* ---- FSTS / FECTL (spec 11.4.9/10) ---- */
#define VTD_FSTS_PFO            (1U << 0)
#define VTD_FSTS_PPF            (1U << 1)
#define VTD_FSTS_IQE            (1U << 4)
#define VTD_FSTS_ICE            (1U << 5)
#define VTD_FSTS_ITE            (1U << 6)
#define VTD_FSTS_W1C            (VTD_FSTS_PFO | VTD_FSTS_IQE | VTD_FSTS_ICE | \
                                 VTD_FSTS_ITE)
/* Status bits whose presence suppresses a new fault event. */
#define VTD_FSTS_EVENT_MASK     (VTD_FSTS_PFO | VTD_FSTS_PPF | VTD_FSTS_IQE | \
                                 VTD_FSTS_ICE | VTD_FSTS_ITE)
#define VTD_FSTS_FRI_SHIFT      8
#define VTD_FSTS_FRI_MASK       (0xffU << VTD_FSTS_FRI_SHIFT)
#define VTD_CTL_IM              (1U << 31)

/* ---- Fault recording register, upper qword (spec 11.4.14) ---- */
#define VTD_FRCD_SID(rid)       ((uint64_t)(rid))
#define VTD_FRCD_T2             (1ULL << 28)    /* {T1,T2}=01: page request */
#define VTD_FRCD_PRIV           (1ULL << 29)
#define VTD_FRCD_EXE            (1ULL << 30)
#define VTD_FRCD_PP             (1ULL << 31)
#define VTD_FRCD_FR(r)          ((uint64_t)((r) & 0xff) << 32)
#define VTD_FRCD_PV(p)          ((uint64_t)((p) & 0xfffff) << 40)
#define VTD_FRCD_F              (1ULL << 63)
#define VTD_FRCD_FI_MASK        (~0xfffULL)     /* lower qword */

/* Fault reasons (spec 7.1.3) the model records */
#define VTD_FR_SM_PRE_ABS       0x47    /* SCT.8: page request, ctx PRE=0 */
#define VTD_FR_PASID_TABLE_ENTRY_INV 0x5b   /* PASID entry the unit can't use */
#define VTD_CTL_IP              (1U << 30)

/* ---- Queued invalidation (spec 11.4.10) ---- */
#define VTD_IQH_QH_MASK         0x7fff0ULL
#define VTD_IQT_QT_MASK         0x7fff0ULL
#define VTD_IQA_IQA_MASK        (~0xfffULL)
#define VTD_IQA_DW              (1ULL << 11)
#define VTD_IQA_QS_MASK         0x7ULL
#define VTD_ICS_IWC             1U
#define VTD_IQERCD_IQEI_MASK    0xfULL

enum VTDIqeReason {
    VTD_IQEI_NONE = 0,
    VTD_IQEI_TAIL_BEYOND = 1,   /* tail outside the queue */
    VTD_IQEI_FETCH = 2,         /* descriptor fetch failed */
    VTD_IQEI_INV_TYPE = 3,      /* invalid descriptor type */
    VTD_IQEI_RSVD = 4,          /* reserved field set / invalid granularity */
    VTD_IQEI_DW = 5,            /* descriptor width not supported */
    VTD_IQEI_TAIL_ALIGN = 6,    /* tail not aligned to the descriptor size */
    VTD_IQEI_TTM = 7,           /* width does not fit the translation mode */
};

/* ---- Page request queue (spec 11.4.11) ---- */
#define VTD_PQH_MASK            0x7ffe0ULL
#define VTD_PQT_MASK            0x7ffe0ULL
#define VTD_PQA_ADDR_MASK       (~0xfffULL)
#define VTD_PQA_PQS_MASK        0x7ULL
#define VTD_PRS_PPR             (1U << 0)
#define VTD_PRS_PRO             (1U << 1)
#define VTD_PRQ_DESC_SIZE       32

/* ---- Scalable-mode root and context entries (spec 9.2, 9.4) ---- */
#define VTD_ROOT_ENTRY_SIZE     16
#define VTD_SM_ROOT_LP          1ULL            /* qw0 bit 0 */
#define VTD_SM_ROOT_UP          1ULL            /* qw1 bit 0 */
#define VTD_SM_ROOT_CTP_MASK    (~0xfffULL)
#define VTD_SM_CTX_ENTRY_SIZE   32
#define VTD_SM_CTX_P            (1ULL << 0)
#define VTD_SM_CTX_FPD          (1ULL << 1)
#define VTD_SM_CTX_DTE          (1ULL << 2)
#define VTD_SM_CTX_PASIDE       (1ULL << 3)
#define VTD_SM_CTX_PRE          (1ULL << 4)
#define VTD_SM_CTX_PDTS(qw0)    (((qw0) >> 9) & 7)
#define VTD_SM_CTX_PDTP_MASK    (~0xfffULL)
#define VTD_SM_CTX_RSVD_QW0     (0x3ULL << 7)
#define VTD_SM_CTX_RID_PASID(qw1) ((qw1) & 0xfffff)

/* ---- PASID directory / table entries (spec 9.5, 9.6) ---- */
#define VTD_PASID_DIR_ENTRY_SIZE 8
#define VTD_PASID_DIR_P         1ULL
#define VTD_PASID_DIR_FPD       (1ULL << 1)
#define VTD_PASID_DIR_PTP_MASK  (~0xfffULL)
#define VTD_PASID_TABLE_BITS    6               /* 64 entries per table */
#define VTD_PASID_ENTRY_SIZE    64
#define VTD_PE_P                (1ULL << 0)     /* qw0 */
#define VTD_PE_FPD              (1ULL << 1)
#define VTD_PE_PGTT(qw0)        (((qw0) >> 6) & 7)
#define VTD_PE_DID(qw1)         ((uint16_t)((qw1) & 0xffff))
#define VTD_PE_SRE              (1ULL << 0)     /* qw2 */
#define VTD_PE_FSPM(qw2)        (((qw2) >> 2) & 3)
#define VTD_PE_WPE              (1ULL << 4)
#define VTD_PE_EAFE             (1ULL << 7)
#define VTD_PE_FSPTPTR_MASK     0x000ffffffffff000ULL

enum {
    VTD_PGTT_FST = 1,           /* first stage only */
    VTD_PGTT_SST = 2,
    VTD_PGTT_NST = 3,
    VTD_PGTT_PT = 4,            /* pass-through */
};

/* ---- Invalidation descriptors (spec 6.5.2) ---- */
#define VTD_INV_DESC_TYPE(qw0)  ((((qw0) >> 5) & 0x70) | ((qw0) & 0xf))
#define VTD_INV_DESC_CC         0x1
#define VTD_INV_DESC_IOTLB      0x2
#define VTD_INV_DESC_DEVTLB     0x3
#define VTD_INV_DESC_IEC        0x4
#define VTD_INV_DESC_WAIT       0x5
#define VTD_INV_DESC_PIOTLB     0x6
#define VTD_INV_DESC_PC         0x7
#define VTD_INV_DESC_PDEVTLB    0x8
#define VTD_INV_DESC_PGRESP     0x9

#define VTD_INV_DESC_G(qw0)     (((qw0) >> 4) & 3)
#define VTD_INV_DESC_DID(qw0)   ((uint16_t)(((qw0) >> 16) & 0xffff))
#define VTD_INV_DESC_PASID(qw0) ((uint32_t)(((qw0) >> 32) & 0xfffff))

/* Reserved bits per descriptor (qw0, qw1); type bits themselves excluded. */
#define VTD_CC_RSVD_QW0         (0xfffc00000000f1c0ULL)
#define VTD_CC_RSVD_QW1         (~0ULL)
#define VTD_IOTLB_RSVD_QW0      (0xffffffff0000f100ULL)
#define VTD_IOTLB_RSVD_QW1      (0xf80ULL)
#define VTD_DEVTLB_RSVD_QW0     (0x000f0000ffe001f0ULL)
#define VTD_DEVTLB_RSVD_QW1     (0xffeULL)
#define VTD_WAIT_RSVD_QW0       (0x00000000fffff100ULL)
#define VTD_WAIT_RSVD_QW1       (0x3ULL)
#define VTD_PIOTLB_RSVD_QW0     (0xfff000000000f1c0ULL)
#define VTD_PIOTLB_RSVD_QW1     (0xf80ULL)
#define VTD_PC_RSVD_QW0         (0xfff000000000f1c0ULL)
#define VTD_PC_RSVD_QW1         (~0ULL)
#define VTD_PDEVTLB_RSVD_QW0    0ULL
#define VTD_PDEVTLB_RSVD_QW1    (0x7feULL)
#define VTD_PGRESP_RSVD_QW0     (0xfff00000000001e0ULL)
#define VTD_PGRESP_RSVD_QW1     (0xfffffffffffff003ULL)

/* iotlb_inv_dsc / p_iotlb_inv_dsc fields */
#define VTD_INV_AM(qw1)         ((qw1) & 0x3f)
#define VTD_INV_IH(qw1)         (((qw1) >> 6) & 1)
#define VTD_INV_ADDR(qw1)       ((qw1) & ~0xfffULL)

enum {
    VTD_IOTLB_G_GLOBAL = 1,
    VTD_IOTLB_G_DOMAIN = 2,
    VTD_IOTLB_G_PAGE = 3,
    VTD_PIOTLB_G_PASID = 2,
    VTD_PIOTLB_G_PAGE = 3,
    VTD_PC_G_DOMAIN = 0,
    VTD_PC_G_PASID = 1,
    VTD_PC_G_GLOBAL = 3,
};

/* inv_wait_dsc */
#define VTD_WAIT_IF             (1ULL << 4)
#define VTD_WAIT_SW             (1ULL << 5)
#define VTD_WAIT_FN             (1ULL << 6)
#define VTD_WAIT_PD             (1ULL << 7)
#define VTD_WAIT_DATA(qw0)      ((uint32_t)((qw0) >> 32))
#define VTD_WAIT_ADDR(qw1)      ((qw1) & ~0x3ULL)

/* page_grp_resp_dsc */
#define VTD_PGRESP_PP(qw0)      (((qw0) >> 4) & 1)
#define VTD_PGRESP_RC(qw0)      (((qw0) >> 12) & 0xf)
#define VTD_PGRESP_RID(qw0)     ((uint16_t)((qw0) >> 16))
#define VTD_PGRESP_PRGI(qw1)    ((uint16_t)(((qw1) >> 3) & 0x1ff))
#define VTD_PGRESP_RC_SUCCESS   0x0
#define VTD_PGRESP_RC_INVALID   0x1
#define VTD_PGRESP_RC_FAILURE   0xf

/* page_req_dsc, written into the PRQ (spec 7.4.1.1) */
#define VTD_PRD_TYPE            0x1ULL
#define VTD_PRD_PP              (1ULL << 8)
#define VTD_PRD_RID(rid)        ((uint64_t)(rid) << 16)
#define VTD_PRD_PASID(p)        ((uint64_t)((p) & 0xfffff) << 32)
#define VTD_PRD_EXR             (1ULL << 52)
#define VTD_PRD_PMR             (1ULL << 53)
#define VTD_PRD_RDR             (1ULL << 0)     /* qw1 */
#define VTD_PRD_WRR             (1ULL << 1)
#define VTD_PRD_LPIG            (1ULL << 2)
#define VTD_PRD_PRGI(g)         ((uint64_t)((g) & 0x1ff) << 3)
#define VTD_PRD_ADDR_MASK       (~0xfffULL)

/* One 32-byte queue slot (IQ descriptor or PRQ descriptor), little-endian */
typedef struct VTDDesc {
    uint64_t qw[4];
} VTDDesc;

typedef struct VTDContextEntry {
    uint64_t qw[4];
} VTDContextEntry;

typedef struct VTDPASIDEntry {
    uint64_t qw[8];
} VTDPASIDEntry;

/*
 * A page request, wherever it came from, in the encoding the PRQ
 * descriptor gives it (spec 9.16: its two defined quadwords, host
 * order): built once from the host's record, stored as it is.
 */
typedef struct VTDPageRequest {
    uint64_t qw0, qw1;
} VTDPageRequest;

/* Access rights asked for (the iommufd uAPI uses the same bits). */
#define VTD_PR_PERM_READ        (1U << 0)
#define VTD_PR_PERM_WRITE       (1U << 1)
#define VTD_PR_PERM_EXEC        (1U << 2)
#define VTD_PR_PERM_PRIV        (1U << 3)

/*
 * Read and write land on RDR/WRR (qw1 bits 1:0); execute and privileged
 * on EXR/PMR (qw0 bits 53:52), which only a request with a PASID has.
 */
static inline VTDPageRequest vtd_page_request(uint16_t rid, bool pp,
                                             uint32_t pasid, uint64_t addr,
                                             unsigned perm, uint16_t prgi,
                                             bool lpig)
{
    VTDPageRequest r = {
        .qw0 = VTD_PRD_TYPE | VTD_PRD_RID(rid),
        .qw1 = (addr & VTD_PRD_ADDR_MASK) | VTD_PRD_PRGI(prgi) |
               (perm & (VTD_PR_PERM_READ | VTD_PR_PERM_WRITE)) |
               (lpig ? VTD_PRD_LPIG : 0),
    };

    if (pp) {
        r.qw0 |= VTD_PRD_PP | VTD_PRD_PASID(pasid) |
                 ((uint64_t)(perm & (VTD_PR_PERM_EXEC | VTD_PR_PERM_PRIV))
                  << 50);
    }
    return r;
}

_Static_assert(VTD_PR_PERM_READ == VTD_PRD_RDR &&
               VTD_PR_PERM_WRITE == VTD_PRD_WRR &&
               ((uint64_t)VTD_PR_PERM_EXEC << 50) == VTD_PRD_EXR &&
               ((uint64_t)VTD_PR_PERM_PRIV << 50) == VTD_PRD_PMR,
               "vtd_page_request() moves the rights bits by these");

static inline uint16_t vtd_pr_rid(const VTDPageRequest *r)
{
    return r->qw0 >> 16;
}

static inline bool vtd_pr_pp(const VTDPageRequest *r)
{
    return r->qw0 & VTD_PRD_PP;
}

static inline uint32_t vtd_pr_pasid(const VTDPageRequest *r)
{
    return (r->qw0 >> 32) & 0xfffff;
}

static inline uint16_t vtd_pr_prgi(const VTDPageRequest *r)
{
    return (r->qw1 >> 3) & 0x1ff;
}

static inline bool vtd_pr_lpig(const VTDPageRequest *r)
{
    return r->qw1 & VTD_PRD_LPIG;
}

static inline uint64_t vtd_pr_addr(const VTDPageRequest *r)
{
    return r->qw1 & VTD_PRD_ADDR_MASK;
}

typedef enum VTDPRQResult {
    VTD_PRQ_QUEUED,             /* written at PQT */
    VTD_PRQ_DROPPED_PRO,        /* PRS.PRO already set: no event */
    VTD_PRQ_DROPPED_FULL,       /* queue full: PRO set now */
    VTD_PRQ_DROPPED_ERROR,      /* PRQ unusable (bad PQA) */
} VTDPRQResult;

/* ---- intel_iommu.c services for intel_iommu_accel.c ---- */

/*
 * Scalable-mode context entry of (@bus_num, @devfn).  0 on success, else a
 * fault reason (non-zero) and *@ce is not valid.
 */
int vtd_get_sm_context_entry(IntelIOMMUState *s, uint8_t bus_num,
                             uint8_t devfn, VTDContextEntry *ce);
/* PASID table entry @pasid under @ce; 0 on success, else a fault reason. */
int vtd_get_pasid_entry(IntelIOMMUState *s, const VTDContextEntry *ce,
                        uint32_t pasid, VTDPASIDEntry *pe);
/* Number of PASID directory entries of @ce (2^(PDTS+7)). */
uint32_t vtd_pasid_dir_entries(const VTDContextEntry *ce);
/* Read PASID directory entry @idx; false if absent or unreadable. */
bool vtd_get_pasid_dir_entry(IntelIOMMUState *s, const VTDContextEntry *ce,
                             uint32_t idx, uint64_t *pdire);
/* Whole 4 KiB PASID table behind a present directory entry. */
bool vtd_get_pasid_table(IntelIOMMUState *s, uint64_t pdire,
                         VTDPASIDEntry table[1 << VTD_PASID_TABLE_BITS]);
/* PASID entry usable for a binding (P=1, PGTT known). */
static inline bool vtd_pe_present(const VTDPASIDEntry *pe)
{
    return pe->qw[0] & VTD_PE_P;
}

/*
 * A run of page requests written into the guest PRQ (spec 7.4.1, 7.5):
 * the records of one FAULTQ read.  vtd_prq_open() reads PQA, PQH, PQT
 * and PRS once and resolves the queue to host memory once;
 * vtd_prq_put() stores one descriptor; vtd_prq_close() writes PQT and
 * PRS back and raises the page request event, once per run.
 *
 * Why caching the registers is sound: a run executes with the unit's
 * re-entrancy guard engaged, so no write made meanwhile (a descriptor
 * that lands on MMIO, a fault-event MSI) can reach the unit's own
 * registers, and no guest code runs until the run is closed.  The guest
 * sees the run as the hardware would show a burst: descriptors, then the
 * tail moved past them, then one interrupt.
 */
typedef struct VTDPRQRun {
    hwaddr base;                /* the queue's guest-physical address */
    uint64_t size;              /* in bytes */
    uint64_t pqh, pqt;          /* PQT moves as descriptors are stored */
    uint64_t pqt_open;
    uint64_t room;              /* descriptors that fit; 0: every put drops */
    uint32_t prs, prs_open;     /* PPR/PRO as the run leaves them; at open */
} VTDPRQRun;

void vtd_prq_open(IntelIOMMUState *s, VTDPRQRun *run);
void vtd_prq_close(IntelIOMMUState *s, VTDPRQRun *run);

/*
 * Store @req at PQT of a RAM queue.  All 32 bytes are defined (qw2/qw3
 * RsvdZ since rev 4.0): a guest never sees stale bytes there.
 */
static inline void vtd_prq_store(uint8_t *slot, const VTDPageRequest *req)
{
    stq_le_p(slot, req->qw0);
    stq_le_p(slot + 8, req->qw1);
    stq_le_p(slot + 16, 0);
    stq_le_p(slot + 24, 0);
}

/* The descriptor at PQT is written: move PQT past it. */
static inline void vtd_prq_advance(VTDPRQRun *run, const VTDPageRequest *req)
{
    trace_vtd_prq_inject(vtd_pr_rid(req), vtd_pr_pp(req), vtd_pr_pasid(req),
                         vtd_pr_addr(req), vtd_pr_prgi(req), vtd_pr_lpig(req),
                         run->pqt);
    /* The queue's size is a power of two. */
    run->pqt = (run->pqt + VTD_PRQ_DESC_SIZE) & (run->size - 1);
    run->room--;
    run->prs |= VTD_PRS_PPR;
}

/* Every put that is not a store into RAM with room: out of line. */
VTDPRQResult vtd_prq_put_slow(IntelIOMMUState *s, VTDPRQRun *run,
                              const VTDPageRequest *req);

/*
 * Store one descriptor.  Inline because it runs once per fault and the
 * common case is three compares and four stores: room left, and the
 * queue's RamWindow (resolved by vtd_prq_open()) plain RAM and still of
 * the current memory map, so that no side effect can follow the store.
 */
static inline VTDPRQResult vtd_prq_put(IntelIOMMUState *s, VTDPRQRun *run,
                                       const VTDPageRequest *req)
{
    if (G_UNLIKELY(!run->room || !s->prq_win.ptr ||
                   s->prq_win.gen != memory_map_gen)) {
        return vtd_prq_put_slow(s, run, req);
    }
    vtd_prq_store(s->prq_win.ptr + run->pqt, req);
    vtd_prq_advance(run, req);
    return VTD_PRQ_QUEUED;
}
/*
 * A page request the remapping tables refuse (spec 7.4.1 step 1, e.g.
 * context PRE=0 with @reason VTD_FR_SM_PRE_ABS): not queued; a
 * non-recoverable fault is recorded unless the context entry sets FPD.
 * The caller answers an LPIG=1 request Invalid Request.
 */
void vtd_prq_refuse(IntelIOMMUState *s, const VTDPageRequest *req,
                    unsigned reason);
/*
 * A present PASID entry the unit will not use (past "max-bound-pasids"):
 * a non-recoverable fault with reason 0x5b (invalid PASID table entry)
 * is recorded unless the context entry or @pe_fpd disables it.
 */
void vtd_pasid_entry_refused(IntelIOMMUState *s, uint16_t rid,
                             uint32_t pasid, bool pe_fpd);

#endif
