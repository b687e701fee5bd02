/*
 * A VT-d guest driver over libqtest: what Linux's intel-iommu driver does
 * to a scalable-mode unit, one register or table write at a time, so that
 * tests can drive intel-iommu like a guest and check what it sees.
 *
 * Guest memory for tables and queues comes from a bump allocator over a
 * RAM range the test reserves.  Every descriptor read back from the PRQ is
 * decoded and its reserved fields checked.
 *
 * Also: a tiny client for the iommufd simulator's control socket.
 */
#ifndef QOS_INTEL_IOMMU_H
#define QOS_INTEL_IOMMU_H

#include "libqtest.h"
#include "qos-sim.h"

#define QVTD_BASE               0xfed90000ULL
#define QVTD_MSI_BASE           0xfee00000ULL

/* Registers (spec 11.4) */
#define QVTD_VER                0x000
#define QVTD_CAP                0x008
#define QVTD_ECAP               0x010
#define QVTD_GCMD               0x018
#define QVTD_GSTS               0x01c
#define QVTD_RTADDR             0x020
#define QVTD_FSTS               0x034
#define QVTD_FECTL              0x038
#define QVTD_FEDATA             0x03c
#define QVTD_FEADDR             0x040
#define QVTD_FEUADDR            0x044
#define QVTD_IQH                0x080
#define QVTD_IQT                0x088
#define QVTD_IQA                0x090
#define QVTD_ICS                0x09c
#define QVTD_IECTL              0x0a0
#define QVTD_IEDATA             0x0a4
#define QVTD_IEADDR             0x0a8
#define QVTD_IEUADDR            0x0ac
#define QVTD_IQERCD             0x0b0
#define QVTD_PQH                0x0c0
#define QVTD_PQT                0x0c8
#define QVTD_PQA                0x0d0
#define QVTD_PRS                0x0dc
#define QVTD_PECTL              0x0e0
#define QVTD_PEDATA             0x0e4
#define QVTD_PEADDR             0x0e8
#define QVTD_PEUADDR            0x0ec

#define QVTD_GCMD_TE            (1U << 31)
#define QVTD_GCMD_SRTP          (1U << 30)
#define QVTD_GCMD_QIE           (1U << 26)
#define QVTD_GSTS_ONE_SHOT_MASK 0x96ffffffU

#define QVTD_FSTS_IQE           (1U << 4)
#define QVTD_CTL_IM             (1U << 31)
#define QVTD_CTL_IP             (1U << 30)
#define QVTD_PRS_PPR            (1U << 0)
#define QVTD_PRS_PRO            (1U << 1)

/* PASID entry fields */
#define QVTD_PGTT_FST           1
#define QVTD_PGTT_SST           2
#define QVTD_PGTT_PT            4
#define QVTD_PE_SRE             (1ULL << 0)     /* qw2 */
#define QVTD_PE_WPE             (1ULL << 4)

/* Descriptor granularities */
#define QVTD_PC_G_DOMAIN        0
#define QVTD_PC_G_PASID         1
#define QVTD_PC_G_GLOBAL        3
#define QVTD_PIOTLB_G_PASID     2
#define QVTD_PIOTLB_G_PAGE      3

#define QVTD_RC_SUCCESS         0x0
#define QVTD_RC_INVALID         0x1
#define QVTD_RC_FAILURE         0xf

/* First-stage PTE bits */
#define QVTD_PTE_P              (1ULL << 0)
#define QVTD_PTE_RW             (1ULL << 1)
#define QVTD_PTE_US             (1ULL << 2)

typedef struct QVTD {
    QTestState *qts;
    uint64_t base;
    uint64_t next, end;         /* allocator */
    uint64_t root;
    uint8_t bus;                /* the bus the context tables serve */
    uint64_t ctx[2];            /* bus @bus: devfn 0-127, 128-255 */
    uint64_t pasid_dir[256];    /* per devfn, 0: none */
    unsigned pdts[256];
    GHashTable *pasid_tables;   /* devfn << 16 | dir index -> table GPA */
    uint64_t iq;
    uint32_t iq_entries;
    uint32_t iq_tail;
    uint64_t status;            /* inv_wait status word */
    uint32_t wait_seq;
    uint64_t prq;
    uint32_t prq_entries;
} QVTD;

/* What the guest read from one PRQ slot. */
typedef struct QVTDPageReq {
    uint64_t raw[4];
    bool reserved_ok;           /* type 1 and every reserved bit zero */
    uint16_t rid;
    bool pp;
    uint32_t pasid;
    bool exr, pmr, rdr, wrr, lpig;
    uint16_t prgi;
    uint64_t addr;
} QVTDPageReq;

QVTD *qvtd_new(QTestState *qts, uint64_t alloc_base, uint64_t alloc_size);
void qvtd_free(QVTD *v);

uint32_t qvtd_readl(QVTD *v, uint64_t off);
uint64_t qvtd_readq(QVTD *v, uint64_t off);
void qvtd_writel(QVTD *v, uint64_t off, uint32_t val);
void qvtd_writeq(QVTD *v, uint64_t off, uint64_t val);

/* A zeroed, 4 KiB-aligned block of @pages pages. */
uint64_t qvtd_alloc(QVTD *v, unsigned pages);

/* GCMD recipe: change one control, wait for GSTS; true when it settled. */
bool qvtd_gcmd(QVTD *v, uint32_t bit, bool on);

/* Scalable-mode root table, latched with SRTP. */
void qvtd_init_root(QVTD *v);
/* 256-bit invalidation queue of 2^@qs pages, enabled. */
void qvtd_init_qi(QVTD *v, unsigned qs);
/* Fault event / invalidation event / page request event MSI vectors. */
void qvtd_set_fault_msi(QVTD *v, uint8_t vector);
void qvtd_set_inv_msi(QVTD *v, uint8_t vector);
/* PRQ of 2^@pqs pages (2^(pqs+7) entries), event to @vector, unmasked. */
void qvtd_init_prq(QVTD *v, unsigned pqs, uint8_t vector);
/* Translation on (after tables and queues are set). */
bool qvtd_enable(QVTD *v);

/*
 * The guest numbered (or renumbered) the bridge the devices sit behind:
 * the root entry of @bus now points at the context tables, the old bus's
 * root entry is cleared.  Invalidate the context and PASID caches after.
 */
void qvtd_set_bus(QVTD *v, uint8_t bus);
/*
 * Context entry for bus v->bus (0 unless set) @devfn: PASID directory of
 * 2^(pdts+7).
 */
void qvtd_set_context(QVTD *v, uint8_t devfn, unsigned pdts, bool pre);
void qvtd_set_pasid_entry(QVTD *v, uint8_t devfn, uint32_t pasid,
                          const uint64_t pe[8]);
void qvtd_clear_pasid_entry(QVTD *v, uint8_t devfn, uint32_t pasid);
/* @n consecutive entries from @first, all @pe but DID = @did_base + PASID. */
void qvtd_set_pasid_entries(QVTD *v, uint8_t devfn, uint32_t first,
                            uint32_t n, const uint64_t pe[8],
                            uint16_t did_base);
/* A first-stage (PGTT=001) entry, 4-level, user requests. */
void qvtd_pasid_entry_fs(uint64_t pe[8], uint16_t did, uint64_t fsptptr,
                         uint64_t qw2_flags);
void qvtd_pasid_entry_pt(uint64_t pe[8], uint16_t did);

/* Invalidation queue: queue descriptors, then kick (one IQT write). */
void qvtd_queue(QVTD *v, uint64_t qw0, uint64_t qw1);
void qvtd_queue4(QVTD *v, const uint64_t d[4]);
void qvtd_kick(QVTD *v);
/* inv_wait with a status write; true if it completed (no IQE). */
bool qvtd_wait(QVTD *v);
/* Descriptor builders (queued, not kicked) */
void qvtd_pc_inv(QVTD *v, unsigned g, uint16_t did, uint32_t pasid);
void qvtd_piotlb_inv(QVTD *v, unsigned g, uint16_t did, uint32_t pasid,
                     uint64_t addr, unsigned am, bool ih);
void qvtd_cc_global(QVTD *v);
void qvtd_iotlb_global(QVTD *v);
void qvtd_page_group_response(QVTD *v, uint16_t rid, bool pp, uint32_t pasid,
                              uint16_t prgi, unsigned rc);
/* Queue + kick + wait, as Linux does for a PASID entry change. */
bool qvtd_flush_pasid(QVTD *v, uint16_t did, uint32_t pasid);
bool qvtd_respond(QVTD *v, const QVTDPageReq *req, unsigned rc);

/* PRQ: entries between PQH and PQT right now. */
unsigned qvtd_prq_pending(QVTD *v);
/* Wait (real time) until at least @n entries are pending. */
bool qvtd_prq_wait(QVTD *v, unsigned n, unsigned timeout_ms);
/*
 * Linux's handler: clear PPR, read from PQH to PQT (at most @max, the
 * rest stays), write PQH.  Returns how many were read into @out.
 */
unsigned qvtd_prq_drain(QVTD *v, QVTDPageReq *out, unsigned max);
void qvtd_prq_decode(const uint64_t raw[4], QVTDPageReq *r);

/* First-stage tables, 4 levels, 4 KiB pages */
uint64_t qvtd_fs_new(QVTD *v);
void qvtd_fs_map(QVTD *v, uint64_t pml4, uint64_t iova, uint64_t gpa,
                 uint64_t flags);

/* ---- iommufd simulator control socket ---- */

/* qsim_cmd(), qsim_ok(): see libqos/qos-sim.h */

typedef struct QSimResponse {
    uint32_t cookie;
    bool success;
    char bdf[16];
    int64_t pasid;              /* -1: none */
    uint32_t grpid;
    bool automatic;
} QSimResponse;

/* Parse "responses": returns the count, fills up to @max. */
unsigned qsim_responses(const char *sock, QSimResponse *out, unsigned max);
/* Wait until the simulator has recorded at least @n answers. */
bool qsim_wait_responses(const char *sock, unsigned n, unsigned timeout_ms);

#endif
