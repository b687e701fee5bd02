/*
 * intel-iommu: the emulated Intel VT-d unit.
 *
 * This file is what a guest driver sees: registers, the scalable-mode
 * root/context/PASID tables it builds in its memory, the invalidation
 * queue with its error state and completion interrupt, and the Page
 * Request Queue the unit writes into.  It does not translate DMA of
 * emulated devices; passthrough devices get their translation from the
 * host IOMMU, with the guest's first-stage tables nested on top, and all
 * of that is in intel_iommu_accel.c.
 *
 * Guest mistakes never abort: they set the architectural error state
 * (FSTS.IQE with IQERCD.IQEI, PRS.PRO, ...) and are traced.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/core/iommu.h"
#include "hw/i386/q35.h"
#include "system/memory.h"
#include "system/dma.h"
#include "hw/i386/intel_iommu_internal.h"
#include "hw/i386/intel_iommu_accel.h"
#include "trace.h"

/*
 * Reasons a table walk failed.  They only feed traces (the model has no
 * fault recording for DMA of its own), so they are not the spec's codes.
 */
enum {
    VTD_WALK_OK = 0,
    VTD_WALK_NOT_SCALABLE,
    VTD_WALK_ROOT_READ,
    VTD_WALK_ROOT_NOT_PRESENT,
    VTD_WALK_CTX_READ,
    VTD_WALK_CTX_NOT_PRESENT,
    VTD_WALK_CTX_RSVD,
    VTD_WALK_PASID_TOO_LARGE,
    VTD_WALK_PDIR_READ,
    VTD_WALK_PDIR_NOT_PRESENT,
    VTD_WALK_PTE_READ,
};

/*
 * Invalidation-queue slices: a descriptor costs 1, one whose host work
 * walks every bound PASID or the guest's PASID directory costs
 * VTD_IQ_COST_WALK; a slice stops once VTD_IQ_SLICE_BUDGET is spent.
 */
#define VTD_IQ_SLICE_BUDGET     256
#define VTD_IQ_COST_WALK        32

/* ------------------------------------------------------------------ */
/* Register file                                                       */

static inline uint64_t vtd_get_quad(IntelIOMMUState *s, hwaddr addr)
{
    return ldq_le_p(&s->csr[addr]);
}

static inline uint32_t vtd_get_long(IntelIOMMUState *s, hwaddr addr)
{
    return ldl_le_p(&s->csr[addr]);
}

static inline void vtd_set_quad(IntelIOMMUState *s, hwaddr addr, uint64_t v)
{
    stq_le_p(&s->csr[addr], v);
}

static inline void vtd_set_long(IntelIOMMUState *s, hwaddr addr, uint32_t v)
{
    stl_le_p(&s->csr[addr], v);
}

static void vtd_update_long(IntelIOMMUState *s, hwaddr addr, uint32_t clear,
                            uint32_t set)
{
    vtd_set_long(s, addr, (vtd_get_long(s, addr) & ~clear) | set);
}

static void vtd_define_quad(IntelIOMMUState *s, hwaddr addr, uint64_t val,
                            uint64_t wmask, uint64_t w1cmask)
{
    stq_le_p(&s->csr[addr], val);
    stq_le_p(&s->wmask[addr], wmask);
    stq_le_p(&s->w1cmask[addr], w1cmask);
}

static void vtd_define_long(IntelIOMMUState *s, hwaddr addr, uint32_t val,
                            uint32_t wmask, uint32_t w1cmask)
{
    stl_le_p(&s->csr[addr], val);
    stl_le_p(&s->wmask[addr], wmask);
    stl_le_p(&s->w1cmask[addr], w1cmask);
}

static void vtd_define_long_wo(IntelIOMMUState *s, hwaddr addr, uint32_t val,
                               uint32_t wmask)
{
    vtd_define_long(s, addr, val, wmask, 0);
    stl_le_p(&s->womask[addr], 0xffffffff);
}

static void vtd_define_quad_wo(IntelIOMMUState *s, hwaddr addr, uint64_t val,
                               uint64_t wmask)
{
    vtd_define_quad(s, addr, val, wmask, 0);
    stq_le_p(&s->womask[addr], ~0ULL);
}

/* ------------------------------------------------------------------ */
/* Interrupts: fault event, invalidation completion, page request      */

static void vtd_send_msi(IntelIOMMUState *s, hwaddr addr_reg,
                         hwaddr uaddr_reg, hwaddr data_reg, const char *what)
{
    uint64_t addr = vtd_get_long(s, addr_reg) |
                    ((uint64_t)vtd_get_long(s, uaddr_reg) << 32);
    uint32_t data = vtd_get_long(s, data_reg) & 0xffff;
    MemTxResult res;

    s->iq_dma_epoch++;          /* an MSI address may be guest RAM */
    address_space_stl_le(&address_space_memory, addr, data,
                         MEMTXATTRS_UNSPECIFIED, &res);
    trace_vtd_irq_generate(what, addr, data, res);
}

/*
 * The common event rule of FECTL/IECTL/PECTL (spec 7.3, 7.5): set IP;
 * deliver now unless masked, else keep it pending until IM is cleared.
 */
static void vtd_raise_event(IntelIOMMUState *s, hwaddr ctl_reg,
                            hwaddr data_reg, hwaddr addr_reg,
                            hwaddr uaddr_reg, const char *what)
{
    uint32_t ctl = vtd_get_long(s, ctl_reg);

    if (ctl & VTD_CTL_IM) {
        vtd_set_long(s, ctl_reg, ctl | VTD_CTL_IP);
        trace_vtd_irq_pending(what);
        return;
    }
    vtd_set_long(s, ctl_reg, ctl & ~VTD_CTL_IP);
    vtd_send_msi(s, addr_reg, uaddr_reg, data_reg, what);
}

/* Unmasking with IP set delivers the held interrupt. */
static void vtd_handle_ctl_write(IntelIOMMUState *s, hwaddr ctl_reg,
                                 hwaddr data_reg, hwaddr addr_reg,
                                 hwaddr uaddr_reg, const char *what)
{
    uint32_t ctl = vtd_get_long(s, ctl_reg);

    if ((ctl & VTD_CTL_IP) && !(ctl & VTD_CTL_IM)) {
        vtd_set_long(s, ctl_reg, ctl & ~VTD_CTL_IP);
        vtd_send_msi(s, addr_reg, uaddr_reg, data_reg, what);
    }
}

static void vtd_fault_event(IntelIOMMUState *s)
{
    vtd_raise_event(s, DMAR_FECTL_REG, DMAR_FEDATA_REG, DMAR_FEADDR_REG,
                    DMAR_FEUADDR_REG, "fault");
}

/*
 * Set a fault status bit; an event fires only when no status bit that
 * signals a fault was already set (spec 7.3.1).
 */
static void vtd_set_fsts(IntelIOMMUState *s, uint32_t bit)
{
    uint32_t old = vtd_get_long(s, DMAR_FSTS_REG);

    vtd_set_long(s, DMAR_FSTS_REG, old | bit);
    trace_vtd_fault_status(old, old | bit);
    if (!(old & VTD_FSTS_EVENT_MASK)) {
        vtd_fault_event(s);
    }
}

static void vtd_set_iqh(IntelIOMMUState *s);

static void vtd_iq_error(IntelIOMMUState *s, unsigned iqei)
{
    uint64_t ercd = vtd_get_quad(s, DMAR_IQERCD_REG);

    /* IQH names the bad descriptor before the error is visible. */
    vtd_set_iqh(s);
    trace_vtd_inv_desc_error(s->iq_head, iqei);
    ercd = (ercd & ~VTD_IQERCD_IQEI_MASK) | iqei;
    vtd_set_quad(s, DMAR_IQERCD_REG, ercd);
    vtd_set_fsts(s, VTD_FSTS_IQE);
}

/* ------------------------------------------------------------------ */
/* Guest tables                                                        */

int vtd_get_sm_context_entry(IntelIOMMUState *s, uint8_t bus_num,
                             uint8_t devfn, VTDContextEntry *ce)
{
    uint64_t root[2], ctp;
    bool upper = devfn >= 0x80;

    if (!s->root_scalable) {
        return VTD_WALK_NOT_SCALABLE;
    }
    if (dma_memory_read(&address_space_memory,
                        s->root + bus_num * VTD_ROOT_ENTRY_SIZE, root,
                        sizeof(root), MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return VTD_WALK_ROOT_READ;
    }
    root[0] = le64_to_cpu(root[0]);
    root[1] = le64_to_cpu(root[1]);
    if (!(root[upper] & (upper ? VTD_SM_ROOT_UP : VTD_SM_ROOT_LP))) {
        return VTD_WALK_ROOT_NOT_PRESENT;
    }
    ctp = root[upper] & VTD_SM_ROOT_CTP_MASK;
    if (dma_memory_read(&address_space_memory,
                        ctp + (devfn & 0x7f) * VTD_SM_CTX_ENTRY_SIZE, ce,
                        sizeof(*ce), MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return VTD_WALK_CTX_READ;
    }
    for (int i = 0; i < 4; i++) {
        ce->qw[i] = le64_to_cpu(ce->qw[i]);
    }
    if (!(ce->qw[0] & VTD_SM_CTX_P)) {
        return VTD_WALK_CTX_NOT_PRESENT;
    }
    if (ce->qw[0] & VTD_SM_CTX_RSVD_QW0) {
        return VTD_WALK_CTX_RSVD;
    }
    return VTD_WALK_OK;
}

uint32_t vtd_pasid_dir_entries(const VTDContextEntry *ce)
{
    return 1U << (VTD_SM_CTX_PDTS(ce->qw[0]) + 7);
}

bool vtd_get_pasid_dir_entry(IntelIOMMUState *s, const VTDContextEntry *ce,
                             uint32_t idx, uint64_t *pdire)
{
    hwaddr a = (ce->qw[0] & VTD_SM_CTX_PDTP_MASK) +
               idx * VTD_PASID_DIR_ENTRY_SIZE;

    if (idx >= vtd_pasid_dir_entries(ce) ||
        ldq_le_dma(&address_space_memory, a, pdire,
                   MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return false;
    }
    return *pdire & VTD_PASID_DIR_P;
}

bool vtd_get_pasid_table(IntelIOMMUState *s, uint64_t pdire,
                         VTDPASIDEntry table[1 << VTD_PASID_TABLE_BITS])
{
    size_t len = sizeof(VTDPASIDEntry) << VTD_PASID_TABLE_BITS;

    if (dma_memory_read(&address_space_memory,
                        pdire & VTD_PASID_DIR_PTP_MASK, table, len,
                        MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return false;
    }
    for (int i = 0; i < (1 << VTD_PASID_TABLE_BITS); i++) {
        for (int j = 0; j < 8; j++) {
            table[i].qw[j] = le64_to_cpu(table[i].qw[j]);
        }
    }
    return true;
}

int vtd_get_pasid_entry(IntelIOMMUState *s, const VTDContextEntry *ce,
                        uint32_t pasid, VTDPASIDEntry *pe)
{
    uint32_t idx = pasid >> VTD_PASID_TABLE_BITS;
    uint64_t pdire;
    hwaddr a;

    if (idx >= vtd_pasid_dir_entries(ce)) {
        return VTD_WALK_PASID_TOO_LARGE;
    }
    if (!vtd_get_pasid_dir_entry(s, ce, idx, &pdire)) {
        return VTD_WALK_PDIR_NOT_PRESENT;
    }
    a = (pdire & VTD_PASID_DIR_PTP_MASK) +
        (pasid & ((1 << VTD_PASID_TABLE_BITS) - 1)) * VTD_PASID_ENTRY_SIZE;
    if (dma_memory_read(&address_space_memory, a, pe, sizeof(*pe),
                        MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        return VTD_WALK_PTE_READ;
    }
    for (int j = 0; j < 8; j++) {
        pe->qw[j] = le64_to_cpu(pe->qw[j]);
    }
    return VTD_WALK_OK;
}

/* ------------------------------------------------------------------ */
/* Page Request Queue (spec 7.4.1, 7.5)                                */

static void vtd_prq_event(IntelIOMMUState *s, uint32_t old_prs)
{
    /* Only a 0->1 transition of (PPR | PRO) is a new event condition. */
    if (old_prs & (VTD_PRS_PPR | VTD_PRS_PRO)) {
        return;
    }
    vtd_raise_event(s, DMAR_PECTL_REG, DMAR_PEDATA_REG, DMAR_PEADDR_REG,
                    DMAR_PEUADDR_REG, "page-request");
}

void vtd_prq_open(IntelIOMMUState *s, VTDPRQRun *run)
{
    uint64_t pqa = vtd_get_quad(s, DMAR_PQA_REG);

    run->base = pqa & VTD_PQA_ADDR_MASK;
    run->size = (1ULL << ((pqa & VTD_PQA_PQS_MASK) + 7)) * VTD_PRQ_DESC_SIZE;
    run->pqh = vtd_get_quad(s, DMAR_PQH_REG) & VTD_PQH_MASK;
    run->pqt = run->pqt_open = vtd_get_quad(s, DMAR_PQT_REG) & VTD_PQT_MASK;
    run->prs = run->prs_open = vtd_get_long(s, DMAR_PRS_REG);
    /* One slot stays empty: PQT + 1 == PQH is a full queue (spec 7.5.1). */
    run->room = 0;
    if ((s->ecap & VTD_ECAP_PRS) && !(run->prs & VTD_PRS_PRO) &&
        run->pqh < run->size && run->pqt < run->size) {
        run->room = ((run->pqh + run->size - run->pqt - VTD_PRQ_DESC_SIZE) %
                     run->size) / VTD_PRQ_DESC_SIZE;
    }
    /* Resolved once here; vtd_prq_put() checks its generation per store. */
    ram_window_ptr(&s->prq_win, &address_space_memory, run->base, run->size,
                   0, run->size);
    /* Descriptors may be written: a global sync must look again. */
    s->iq_dma_epoch++;
}

/* No room in the run: why, in the order the checks apply. */
static VTDPRQResult vtd_prq_drop(IntelIOMMUState *s, VTDPRQRun *run,
                                 const VTDPageRequest *req)
{
    if (!(s->ecap & VTD_ECAP_PRS)) {
        return VTD_PRQ_DROPPED_ERROR;
    }
    if (run->prs & VTD_PRS_PRO) {
        /* Overflow already signalled: drop silently, no new event. */
        trace_vtd_prq_overflow(vtd_pr_rid(req), vtd_pr_pasid(req),
                               vtd_pr_prgi(req), vtd_pr_lpig(req), "pro-set");
        return VTD_PRQ_DROPPED_PRO;
    }
    if (run->pqh >= run->size || run->pqt >= run->size) {
        /* The guest moved a pointer outside its own queue. */
        trace_vtd_prq_bad_pointers(run->pqh, run->pqt, run->size);
        return VTD_PRQ_DROPPED_ERROR;
    }
    run->prs |= VTD_PRS_PRO;
    trace_vtd_prq_overflow(vtd_pr_rid(req), vtd_pr_pasid(req),
                           vtd_pr_prgi(req), vtd_pr_lpig(req), "full");
    return VTD_PRQ_DROPPED_FULL;
}

VTDPRQResult vtd_prq_put_slow(IntelIOMMUState *s, VTDPRQRun *run,
                              const VTDPageRequest *req)
{
    uint8_t *slot;

    if (!run->room) {
        return vtd_prq_drop(s, run, req);
    }
    /*
     * Resolved again if a write of this run (an MSI, say) changed the
     * memory map; NULL if the queue is not plain RAM.
     */
    slot = ram_window_ptr(&s->prq_win, &address_space_memory, run->base,
                          run->size, run->pqt, VTD_PRQ_DESC_SIZE);
    if (slot) {
        vtd_prq_store(slot, req);
    } else {
        VTDDesc d = { { cpu_to_le64(req->qw0), cpu_to_le64(req->qw1) } };

        if (dma_memory_write(&address_space_memory, run->base + run->pqt,
                             &d, sizeof(d), MEMTXATTRS_UNSPECIFIED) !=
            MEMTX_OK) {
            trace_vtd_prq_write_failed(run->base, run->pqt);
            return VTD_PRQ_DROPPED_ERROR;
        }
    }
    vtd_prq_advance(run, req);
    return VTD_PRQ_QUEUED;
}

void vtd_prq_close(IntelIOMMUState *s, VTDPRQRun *run)
{
    if (run->pqt != run->pqt_open) {
        vtd_set_quad(s, DMAR_PQT_REG, run->pqt);
    }
    if (run->prs != run->prs_open) {
        vtd_set_long(s, DMAR_PRS_REG, run->prs);
        vtd_prq_event(s, run->prs_open);
    }
}

/* ------------------------------------------------------------------ */
/* Non-recoverable faults (spec 7.3.1): one fault recording register   */

static void vtd_record_fault(IntelIOMMUState *s, uint64_t lo, uint64_t hi)
{
    uint32_t fsts = vtd_get_long(s, DMAR_FSTS_REG);

    /* CAP.NFR=0: one register, FRI always 0; a full one means overflow. */
    if (vtd_get_quad(s, DMAR_FRCD_REG_0_2) & VTD_FRCD_F) {
        trace_vtd_fault_record_overflow(hi);
        if (!(fsts & VTD_FSTS_PFO)) {
            vtd_set_fsts(s, VTD_FSTS_PFO);
        }
        return;
    }
    vtd_set_quad(s, DMAR_FRCD_REG_0_0, lo);
    vtd_set_quad(s, DMAR_FRCD_REG_0_2, hi | VTD_FRCD_F);
    vtd_set_long(s, DMAR_FSTS_REG, fsts & ~VTD_FSTS_FRI_MASK);
    trace_vtd_fault_record(lo, hi);
    vtd_set_fsts(s, VTD_FSTS_PPF);
}

void vtd_prq_refuse(IntelIOMMUState *s, const VTDPageRequest *req,
                    unsigned reason)
{
    uint16_t rid = vtd_pr_rid(req);
    VTDContextEntry ce;
    uint64_t hi;

    /* Qualified fault: FPD in the context entry suppresses the record. */
    if (!vtd_get_sm_context_entry(s, PCI_BUS_NUM(rid), rid & 0xff, &ce) &&
        (ce.qw[0] & VTD_SM_CTX_FPD)) {
        trace_vtd_prq_refused(rid, vtd_pr_pasid(req), reason, true);
        return;
    }
    trace_vtd_prq_refused(rid, vtd_pr_pasid(req), reason, false);
    hi = VTD_FRCD_SID(rid) | VTD_FRCD_T2 | VTD_FRCD_FR(reason);
    if (vtd_pr_pp(req)) {
        hi |= VTD_FRCD_PP | VTD_FRCD_PV(vtd_pr_pasid(req));
        if (req->qw0 & VTD_PRD_EXR) {
            hi |= VTD_FRCD_EXE;
        }
        if (req->qw0 & VTD_PRD_PMR) {
            hi |= VTD_FRCD_PRIV;
        }
    }
    vtd_record_fault(s, vtd_pr_addr(req) & VTD_FRCD_FI_MASK, hi);
}

void vtd_pasid_entry_refused(IntelIOMMUState *s, uint16_t rid,
                             uint32_t pasid, bool pe_fpd)
{
    VTDContextEntry ce;

    /* Qualified fault: FPD in the context or PASID entry suppresses it. */
    if (pe_fpd || (!vtd_get_sm_context_entry(s, PCI_BUS_NUM(rid), rid & 0xff,
                                             &ce) &&
                   (ce.qw[0] & VTD_SM_CTX_FPD))) {
        trace_vtd_pasid_entry_refused(rid, pasid, true);
        return;
    }
    trace_vtd_pasid_entry_refused(rid, pasid, false);
    /* Reported as for an untranslated request with that PASID. */
    vtd_record_fault(s, 0, VTD_FRCD_SID(rid) | VTD_FRCD_PP |
                     VTD_FRCD_PV(pasid) |
                     VTD_FRCD_FR(VTD_FR_PASID_TABLE_ENTRY_INV));
}

/* The guest cleared F: PPF follows the (only) register's F bit. */
static void vtd_handle_frcd_write(IntelIOMMUState *s)
{
    if (vtd_get_quad(s, DMAR_FRCD_REG_0_2) & VTD_FRCD_F) {
        return;
    }
    vtd_update_long(s, DMAR_FSTS_REG, VTD_FSTS_PPF, 0);
    if (!(vtd_get_long(s, DMAR_FSTS_REG) & VTD_FSTS_EVENT_MASK)) {
        vtd_update_long(s, DMAR_FECTL_REG, VTD_CTL_IP, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Invalidation queue (spec 6.5.2)                                     */

static bool vtd_inv_desc_reserved(IntelIOMMUState *s, const VTDDesc *d,
                                  uint64_t rsvd0, uint64_t rsvd1,
                                  bool wide)
{
    /*
     * A 128-bit descriptor in a 256-bit queue is zero-padded; qw2/qw3 of
     * 256-bit descriptors are reserved in every type we know.
     */
    if ((d->qw[0] & rsvd0) || (d->qw[1] & rsvd1) ||
        (s->iq_dw && (d->qw[2] || d->qw[3]))) {
        trace_vtd_inv_desc_reserved(d->qw[0], d->qw[1], wide);
        return true;
    }
    return false;
}

/*
 * Host IOTLBs were all flushed earlier in this slice and the unit wrote
 * no guest memory since: the guest's tables are as they were then.
 */
static bool vtd_iq_flush_covered(IntelIOMMUState *s)
{
    if (s->iq_flushed_epoch != s->iq_dma_epoch) {
        return false;
    }
    trace_vtd_inv_desc_covered("iotlb");
    return true;
}

static bool vtd_process_cc_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    if (vtd_inv_desc_reserved(s, d, VTD_CC_RSVD_QW0, VTD_CC_RSVD_QW1,
                              false) || !VTD_INV_DESC_G(d->qw[0])) {
        return false;
    }
    /*
     * Nothing cached from context entries: the spec requires a PASID-cache
     * invalidation after a context change in scalable mode, and that is
     * where bindings follow the guest.
     */
    trace_vtd_inv_desc_cc(VTD_INV_DESC_G(d->qw[0]), VTD_INV_DESC_DID(d->qw[0]));
    return true;
}

static bool vtd_process_iotlb_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    unsigned g = VTD_INV_DESC_G(d->qw[0]);
    uint16_t did = VTD_INV_DESC_DID(d->qw[0]);

    if (vtd_inv_desc_reserved(s, d, VTD_IOTLB_RSVD_QW0, VTD_IOTLB_RSVD_QW1,
                              false) || !g) {
        return false;
    }
    trace_vtd_inv_desc_iotlb(g, did, d->qw[1]);
    if (s->root_scalable && !vtd_iq_flush_covered(s)) {
        /*
         * In scalable mode an IOTLB invalidation drops every first-stage
         * entry of the domain (page-selective ones included), so the host
         * copy of first-stage translations goes entirely.
         */
        vtd_accel_flush_piotlb(s, g != VTD_IOTLB_G_GLOBAL, did, false, 0, 0,
                               UINT64_MAX, false);
        s->iq_cost += VTD_IQ_COST_WALK;
        if (g == VTD_IOTLB_G_GLOBAL) {
            s->iq_flushed_epoch = s->iq_dma_epoch;
        }
    }
    return true;
}

static bool vtd_process_devtlb_desc(IntelIOMMUState *s, const VTDDesc *d,
                                    bool pasid_form)
{
    if (!(s->ecap & VTD_ECAP_DT)) {
        return false;
    }
    if (pasid_form ?
        vtd_inv_desc_reserved(s, d, VTD_PDEVTLB_RSVD_QW0,
                              VTD_PDEVTLB_RSVD_QW1, true) :
        vtd_inv_desc_reserved(s, d, VTD_DEVTLB_RSVD_QW0, VTD_DEVTLB_RSVD_QW1,
                              false)) {
        return false;
    }
    /* The host IOMMU flushes the device TLB with each HWPT invalidation. */
    trace_vtd_inv_desc_devtlb(pasid_form, d->qw[0], d->qw[1]);
    return true;
}

static bool vtd_process_wait_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    uint64_t qw0 = d->qw[0];

    if (vtd_inv_desc_reserved(s, d, VTD_WAIT_RSVD_QW0, VTD_WAIT_RSVD_QW1,
                              false)) {
        return false;
    }
    if ((qw0 & VTD_WAIT_PD) && !(s->ecap & VTD_ECAP_PDS)) {
        return false;
    }
    /*
     * PD (page-request drain): page requests are written into the PRQ as
     * the FAULTQ is read, so nothing received earlier is still in flight.
     * Responses queued by earlier descriptors go out before the status.
     */
    vtd_accel_flush_responses(s);
    if (qw0 & VTD_WAIT_SW) {
        MemTxResult r;

        s->iq_dma_epoch++;
        r = stl_le_dma(&address_space_memory,
                       VTD_WAIT_ADDR(d->qw[1]), VTD_WAIT_DATA(qw0),
                       MEMTXATTRS_UNSPECIFIED);
        trace_vtd_inv_desc_wait_sw(VTD_WAIT_ADDR(d->qw[1]),
                                   VTD_WAIT_DATA(qw0), r);
    }
    if (qw0 & VTD_WAIT_IF) {
        uint32_t ics = vtd_get_long(s, DMAR_ICS_REG);

        vtd_set_long(s, DMAR_ICS_REG, ics | VTD_ICS_IWC);
        trace_vtd_inv_desc_wait_irq(ics);
        if (!(ics & VTD_ICS_IWC)) {
            vtd_raise_event(s, DMAR_IECTL_REG, DMAR_IEDATA_REG,
                            DMAR_IEADDR_REG, DMAR_IEUADDR_REG, "inv-wait");
        }
    }
    return true;
}

static bool vtd_process_piotlb_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    unsigned g = VTD_INV_DESC_G(d->qw[0]);
    uint16_t did = VTD_INV_DESC_DID(d->qw[0]);
    uint32_t pasid = VTD_INV_DESC_PASID(d->qw[0]);
    unsigned am = VTD_INV_AM(d->qw[1]);

    if (vtd_inv_desc_reserved(s, d, VTD_PIOTLB_RSVD_QW0, VTD_PIOTLB_RSVD_QW1,
                              true)) {
        return false;
    }
    trace_vtd_inv_desc_piotlb(g, did, pasid, d->qw[1]);
    if ((g != VTD_PIOTLB_G_PASID && g != VTD_PIOTLB_G_PAGE) ||
        (g == VTD_PIOTLB_G_PAGE && am > 52)) {
        return false;
    }
    if (vtd_iq_flush_covered(s)) {
        return true;
    }
    if (g == VTD_PIOTLB_G_PASID) {
        vtd_accel_flush_piotlb(s, true, did, true, pasid, 0, UINT64_MAX,
                               false);
    } else {
        /* 2^AM pages, naturally aligned */
        vtd_accel_flush_piotlb(s, true, did, true, pasid,
                               VTD_INV_ADDR(d->qw[1]) &
                               ~((4096ULL << am) - 1),
                               1ULL << am, VTD_INV_IH(d->qw[1]));
    }
    return true;
}

static bool vtd_process_pc_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    unsigned g = VTD_INV_DESC_G(d->qw[0]);
    uint16_t did = VTD_INV_DESC_DID(d->qw[0]);
    uint32_t pasid = VTD_INV_DESC_PASID(d->qw[0]);

    if (vtd_inv_desc_reserved(s, d, VTD_PC_RSVD_QW0, VTD_PC_RSVD_QW1, true)) {
        return false;
    }
    if (g != VTD_PC_G_DOMAIN && g != VTD_PC_G_PASID && g != VTD_PC_G_GLOBAL) {
        return false;
    }
    trace_vtd_pasid_cache_inv(g, did, pasid);
    if (s->iq_pc_epoch == s->iq_dma_epoch) {
        /* A global sync of this slice saw the tables as they still are. */
        trace_vtd_inv_desc_covered("pasid-cache");
        return true;
    }
    /* Answers queued before this descriptor go out before any unbind. */
    vtd_accel_flush_responses(s);
    vtd_accel_pasid_cache_sync(s, g, did, pasid);
    if (g != VTD_PC_G_PASID) {
        /* Walks the device's PASID directory */
        s->iq_cost += VTD_IQ_COST_WALK;
    }
    if (g == VTD_PC_G_GLOBAL) {
        s->iq_pc_epoch = s->iq_dma_epoch;
    }
    return true;
}

static bool vtd_process_pgresp_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    if (!(s->ecap & VTD_ECAP_PRS) ||
        vtd_inv_desc_reserved(s, d, VTD_PGRESP_RSVD_QW0, VTD_PGRESP_RSVD_QW1,
                              true)) {
        return false;
    }
    vtd_accel_page_group_response(s, VTD_PGRESP_RID(d->qw[0]),
                                  VTD_PGRESP_PP(d->qw[0]),
                                  VTD_INV_DESC_PASID(d->qw[0]),
                                  VTD_PGRESP_PRGI(d->qw[1]),
                                  VTD_PGRESP_RC(d->qw[0]));
    return true;
}

/*
 * The invalidation queue as one slice reads it: resolved to host memory
 * once per slice, and again only when a write of the slice (a wait
 * descriptor's status, an MSI) changed the memory map.
 */
typedef struct VTDIQReader {
    uint8_t *ring;              /* NULL: not plain RAM, read each by DMA */
    unsigned gen;               /* memory_map_gen @ring is valid for */
    unsigned dsize;             /* 16 or 32 bytes */
    hwaddr len;                 /* of the queue, in bytes */
} VTDIQReader;

static void vtd_iq_reader_map(IntelIOMMUState *s, VTDIQReader *rd)
{
    rd->ring = ram_window_ptr(&s->iq_win, &address_space_memory, s->iq,
                              rd->len, 0, rd->len);
    rd->gen = memory_map_gen;
}

/*
 * Start a slice's reading; false with FSTS.IQE set when the queue's
 * width does not fit the mode (the descriptor at IQH is then the bad one).
 */
static bool vtd_iq_reader_open(IntelIOMMUState *s, VTDIQReader *rd)
{
    if (s->iq_dw && !(s->ecap & VTD_ECAP_SMTS)) {
        vtd_iq_error(s, VTD_IQEI_DW);
        return false;
    }
    if (s->root_scalable && !s->iq_dw) {
        /* Scalable mode needs the 256-bit queue (spec 6.5.2). */
        vtd_iq_error(s, VTD_IQEI_TTM);
        return false;
    }
    rd->dsize = s->iq_dw ? 32 : 16;
    rd->len = (hwaddr)s->iq_size * rd->dsize;
    vtd_iq_reader_map(s, rd);
    return true;
}

/* The descriptor at IQH into @d; false with FSTS.IQE set if unreadable. */
static bool vtd_iq_fetch(IntelIOMMUState *s, VTDIQReader *rd, VTDDesc *d)
{
    hwaddr off = (hwaddr)s->iq_head * rd->dsize;

    if (G_UNLIKELY(rd->gen != memory_map_gen)) {
        vtd_iq_reader_map(s, rd);
    }
    memset(d, 0, sizeof(*d));
    if (rd->ring) {
        /* Constant sizes: copied inline, not by a loop of dsize / 8. */
        if (rd->dsize == 32) {
            memcpy(d, rd->ring + off, 32);
        } else {
            memcpy(d, rd->ring + off, 16);
        }
    } else if (dma_memory_read(&address_space_memory, s->iq + off, d,
                               rd->dsize, MEMTXATTRS_UNSPECIFIED) !=
               MEMTX_OK) {
        vtd_iq_error(s, VTD_IQEI_FETCH);
        return false;
    }
    for (int i = 0; i < 4; i++) {
        d->qw[i] = le64_to_cpu(d->qw[i]);
    }
    return true;
}

/* One descriptor, fetched from IQH; false with FSTS.IQE set if bad. */
static bool vtd_process_inv_desc(IntelIOMMUState *s, const VTDDesc *d)
{
    unsigned type;
    bool ok;

    type = VTD_INV_DESC_TYPE(d->qw[0]);
    trace_vtd_inv_desc(s->iq_head, type, d->qw[0], d->qw[1]);

    /* 256-bit-only types are invalid in legacy mode or a 128-bit queue. */
    if (type >= VTD_INV_DESC_PIOTLB && type <= VTD_INV_DESC_PGRESP &&
        (!s->iq_dw || !s->root_scalable)) {
        vtd_iq_error(s, VTD_IQEI_INV_TYPE);
        return false;
    }
    switch (type) {
    case VTD_INV_DESC_CC:
        ok = vtd_process_cc_desc(s, d);
        break;
    case VTD_INV_DESC_IOTLB:
        ok = vtd_process_iotlb_desc(s, d);
        break;
    case VTD_INV_DESC_DEVTLB:
        ok = vtd_process_devtlb_desc(s, d, false);
        break;
    case VTD_INV_DESC_WAIT:
        ok = vtd_process_wait_desc(s, d);
        break;
    case VTD_INV_DESC_PIOTLB:
        ok = vtd_process_piotlb_desc(s, d);
        break;
    case VTD_INV_DESC_PC:
        ok = vtd_process_pc_desc(s, d);
        break;
    case VTD_INV_DESC_PDEVTLB:
        ok = vtd_process_devtlb_desc(s, d, true);
        break;
    case VTD_INV_DESC_PGRESP:
        ok = vtd_process_pgresp_desc(s, d);
        break;
    default:
        /* IEC needs interrupt remapping, which is not exposed. */
        vtd_iq_error(s, VTD_IQEI_INV_TYPE);
        return false;
    }
    if (!ok) {
        vtd_iq_error(s, VTD_IQEI_RSVD);
    }
    return ok;
}

static void vtd_set_iqh(IntelIOMMUState *s)
{
    vtd_set_quad(s, DMAR_IQH_REG,
                 (uint64_t)s->iq_head << (s->iq_dw ? 5 : 4));
}

static bool vtd_iq_runnable(IntelIOMMUState *s)
{
    /*
     * A tail beyond the queue (IQEI 1) stays a stop after the guest
     * clears IQE: IQH would wrap around and never meet it.
     */
    return s->qi_enabled && s->iq_head != s->iq_tail &&
           s->iq_tail < s->iq_size &&
           !(vtd_get_long(s, DMAR_FSTS_REG) & (VTD_FSTS_IQE | VTD_FSTS_ITE));
}

/*
 * One slice: descriptors from IQH towards IQT until the budget is spent
 * or one is bad, IQH advancing after each as the hardware's does; the
 * rest is left to the next run of the bottom half, after the main loop
 * has served QMP, qtest and host fds.  Runs with the unit's re-entrancy
 * guard engaged: a status write, MSI or PRQ write the guest aimed at the
 * unit's own registers is refused rather than re-entering it (and so
 * this function) half-way through a descriptor.
 */
static void vtd_iq_bh(void *opaque)
{
    IntelIOMMUState *s = opaque;
    DeviceState *dev = DEVICE(s);
    bool was_engaged = dev->engaged_in_io;
    VTDIQReader rd;
    unsigned n = 0;

    if (was_engaged) {
        /*
         * Not from inside the unit (a slice in progress included: it
         * engages the guard): try again from the main loop.
         */
        qemu_bh_schedule(s->iq_bh);
        return;
    }
    dev->engaged_in_io = true;
    s->iq_cost = 0;
    s->iq_flushed_epoch = s->iq_pc_epoch = UINT64_MAX;
    if (vtd_iq_runnable(s) && vtd_iq_reader_open(s, &rd)) {
        /*
         * Nothing but the slice itself can stop the queue meanwhile: the
         * guard keeps GCMD, IQT and FSTS from every write it makes, and
         * a bad descriptor ends the loop.
         */
        while (s->iq_head != s->iq_tail && s->iq_cost < VTD_IQ_SLICE_BUDGET) {
            VTDDesc d;

            if (!vtd_iq_fetch(s, &rd, &d) || !vtd_process_inv_desc(s, &d)) {
                break;
            }
            if (++s->iq_head == s->iq_size) {
                s->iq_head = 0;
            }
            s->iq_cost++;
            n++;
        }
    }
    /*
     * The IQH image is written once per slice (and by vtd_iq_error()
     * before an error is visible): nobody can read it in between, since
     * the guard refuses the unit's own registers to every write the
     * slice makes, and no guest code runs until the slice returns.
     */
    vtd_set_iqh(s);
    vtd_accel_flush_responses(s);
    s->iq_flushed_epoch = s->iq_pc_epoch = UINT64_MAX;
    dev->engaged_in_io = was_engaged;
    trace_vtd_inv_qi_slice(n, s->iq_head, s->iq_tail);
    if (vtd_iq_runnable(s)) {
        qemu_bh_schedule(s->iq_bh);
    }
}

/* Fetch from IQH to IQT (from the bottom half), stopping at a bad one. */
static void vtd_fetch_inv_desc(IntelIOMMUState *s)
{
    if (vtd_iq_runnable(s)) {
        qemu_bh_schedule(s->iq_bh);
    }
}

static void vtd_handle_iqt_write(IntelIOMMUState *s)
{
    uint64_t iqt = vtd_get_quad(s, DMAR_IQT_REG) & VTD_IQT_QT_MASK;

    if (s->iq_dw && (iqt & 0x10)) {
        vtd_iq_error(s, VTD_IQEI_TAIL_ALIGN);
        return;
    }
    s->iq_tail = iqt >> (s->iq_dw ? 5 : 4);
    trace_vtd_inv_qi_tail(s->iq_tail);
    if (s->qi_enabled && s->iq_tail >= s->iq_size) {
        vtd_iq_error(s, VTD_IQEI_TAIL_BEYOND);
        return;
    }
    vtd_fetch_inv_desc(s);
}

static void vtd_latch_iqa(IntelIOMMUState *s)
{
    uint64_t iqa = vtd_get_quad(s, DMAR_IQA_REG);

    s->iq = iqa & VTD_IQA_IQA_MASK;
    s->iq_dw = iqa & VTD_IQA_DW;
    s->iq_size = 1U << ((iqa & VTD_IQA_QS_MASK) + (s->iq_dw ? 7 : 8));
}

static void vtd_handle_qie(IntelIOMMUState *s, bool enable)
{
    trace_vtd_inv_qi_enable(enable);
    if (enable) {
        vtd_latch_iqa(s);
        s->iq_head = 0;
        vtd_set_iqh(s);
        s->qi_enabled = true;
        vtd_update_long(s, DMAR_GSTS_REG, 0, VTD_GSTS_QIES);
        vtd_handle_iqt_write(s);
    } else {
        if (s->iq_head != s->iq_tail) {
            trace_vtd_inv_qi_disable_busy(s->iq_head, s->iq_tail);
        }
        s->qi_enabled = false;
        s->iq_head = 0;
        vtd_set_quad(s, DMAR_IQH_REG, 0);
        vtd_update_long(s, DMAR_GSTS_REG, VTD_GSTS_QIES, 0);
    }
}

/* ------------------------------------------------------------------ */
/* Global command                                                      */

static void vtd_handle_srtp(IntelIOMMUState *s)
{
    uint64_t rtaddr = vtd_get_quad(s, DMAR_RTADDR_REG);
    unsigned ttm = (rtaddr & VTD_RTADDR_TTM_MASK) >> VTD_RTADDR_TTM_SHIFT;

    s->root = rtaddr & VTD_RTADDR_ADDR_MASK;
    s->root_scalable = s->scalable_mode && ttm == VTD_RTADDR_TTM_SCALABLE;
    trace_vtd_root_table(s->root, s->root_scalable);
    vtd_update_long(s, DMAR_GSTS_REG, 0, VTD_GSTS_RTPS);
}

static void vtd_handle_te(IntelIOMMUState *s, bool enable)
{
    trace_vtd_dmar_enable(enable);
    s->dmar_enabled = enable;
    vtd_update_long(s, DMAR_GSTS_REG, enable ? 0 : VTD_GSTS_TES,
                    enable ? VTD_GSTS_TES : 0);
    if (enable) {
        /* Bind what the tables already describe. */
        vtd_accel_pasid_cache_sync(s, VTD_PC_G_GLOBAL, 0, 0);
    } else {
        /* Untranslated DMA: back to the default host translation. */
        vtd_accel_reset(s);
    }
}

static void vtd_handle_gcmd_write(IntelIOMMUState *s)
{
    uint32_t status = vtd_get_long(s, DMAR_GSTS_REG);
    uint32_t val = vtd_get_long(s, DMAR_GCMD_REG);
    uint32_t changed = status ^ val;

    trace_vtd_reg_write_gcmd(status, val);
    if (val & VTD_GCMD_SRTP) {
        vtd_handle_srtp(s);
    }
    if (changed & VTD_GCMD_QIE) {
        vtd_handle_qie(s, val & VTD_GCMD_QIE);
    }
    if (changed & VTD_GCMD_TE) {
        vtd_handle_te(s, val & VTD_GCMD_TE);
    }
    /* IRE, SIRTP, CFI: no interrupt remapping (ECAP.IR=0); WBF: RWBF=0. */
}

/* ------------------------------------------------------------------ */
/* MMIO                                                                */

/* A register access is 4 or 8 bytes (vtd_mem_ops) */
static inline uint64_t vtd_ld(const uint8_t *p, unsigned size)
{
    return size == 8 ? ldq_le_p(p) : ldl_le_p(p);
}

static uint64_t vtd_mem_read(void *opaque, hwaddr addr, unsigned size)
{
    IntelIOMMUState *s = opaque;
    uint64_t val = 0;

    if (addr + size > DMAR_REG_SIZE) {
        trace_vtd_reg_bad_access(addr, size, false);
        return 0;
    }
    val = vtd_ld(&s->csr[addr], size) & ~vtd_ld(&s->womask[addr], size);
    trace_vtd_reg_read(addr, size, val);
    return val;
}

static void vtd_apply_write(IntelIOMMUState *s, hwaddr addr, uint64_t val,
                            unsigned size)
{
    /* Bitwise: one word does what a loop over its bytes would. */
    uint64_t old = vtd_ld(&s->csr[addr], size);
    uint64_t w = vtd_ld(&s->wmask[addr], size);
    uint64_t c = vtd_ld(&s->w1cmask[addr], size);
    uint64_t v = ((old & ~w) | (val & w)) & ~(val & c);

    if (size == 8) {
        stq_le_p(&s->csr[addr], v);
    } else {
        stl_le_p(&s->csr[addr], v);
    }
}

/* Does the access [addr, addr+size) touch register @reg of @len bytes? */
static inline bool vtd_hits(hwaddr addr, unsigned size, hwaddr reg,
                            unsigned len)
{
    return addr < reg + len && reg < addr + size;
}

static void vtd_mem_write(void *opaque, hwaddr addr, uint64_t val,
                          unsigned size)
{
    IntelIOMMUState *s = opaque;

    if (addr + size > DMAR_REG_SIZE) {
        trace_vtd_reg_bad_access(addr, size, true);
        return;
    }
    trace_vtd_reg_write(addr, size, val);
    vtd_apply_write(s, addr, val, size);

    if (vtd_hits(addr, size, DMAR_GCMD_REG, 4)) {
        vtd_handle_gcmd_write(s);
    } else if (vtd_hits(addr, size, DMAR_CCMD_REG, 8)) {
        /* Register-based invalidation: reported as not done (CAIG=00). */
        vtd_set_quad(s, DMAR_CCMD_REG, vtd_get_quad(s, DMAR_CCMD_REG) &
                     ~(VTD_CCMD_ICC | VTD_CCMD_CAIG_MASK));
    } else if (vtd_hits(addr, size, DMAR_IOTLB_REG, 8)) {
        vtd_set_quad(s, DMAR_IOTLB_REG,
                     vtd_get_quad(s, DMAR_IOTLB_REG) & ~VTD_IOTLB_IVT);
    } else if (vtd_hits(addr, size, DMAR_FSTS_REG, 4)) {
        if (!(vtd_get_long(s, DMAR_FSTS_REG) & VTD_FSTS_EVENT_MASK)) {
            vtd_update_long(s, DMAR_FECTL_REG, VTD_CTL_IP, 0);
        }
        /* Clearing IQE resumes fetching at the (fixed) head. */
        vtd_fetch_inv_desc(s);
    } else if (vtd_hits(addr, size, DMAR_FECTL_REG, 4)) {
        vtd_handle_ctl_write(s, DMAR_FECTL_REG, DMAR_FEDATA_REG,
                             DMAR_FEADDR_REG, DMAR_FEUADDR_REG, "fault");
    } else if (vtd_hits(addr, size, DMAR_IQT_REG, 8)) {
        vtd_handle_iqt_write(s);
    } else if (vtd_hits(addr, size, DMAR_ICS_REG, 4)) {
        if (!(vtd_get_long(s, DMAR_ICS_REG) & VTD_ICS_IWC)) {
            vtd_update_long(s, DMAR_IECTL_REG, VTD_CTL_IP, 0);
        }
    } else if (vtd_hits(addr, size, DMAR_IECTL_REG, 4)) {
        vtd_handle_ctl_write(s, DMAR_IECTL_REG, DMAR_IEDATA_REG,
                             DMAR_IEADDR_REG, DMAR_IEUADDR_REG, "inv-wait");
    } else if (vtd_hits(addr, size, DMAR_PQA_REG, 8)) {
        trace_vtd_prq_setup(vtd_get_quad(s, DMAR_PQA_REG));
        vtd_accel_prq_reset(s);
    } else if (vtd_hits(addr, size, DMAR_PRS_REG, 4)) {
        if (!(vtd_get_long(s, DMAR_PRS_REG) & (VTD_PRS_PPR | VTD_PRS_PRO))) {
            vtd_update_long(s, DMAR_PECTL_REG, VTD_CTL_IP, 0);
        }
    } else if (vtd_hits(addr, size, DMAR_FRCD_REG_0_2, 8)) {
        vtd_handle_frcd_write(s);
    } else if (vtd_hits(addr, size, DMAR_PECTL_REG, 4)) {
        vtd_handle_ctl_write(s, DMAR_PECTL_REG, DMAR_PEDATA_REG,
                             DMAR_PEADDR_REG, DMAR_PEUADDR_REG,
                             "page-request");
    }
}

static const MemoryRegionOps vtd_mem_ops = {
    .read = vtd_mem_read,
    .write = vtd_mem_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ------------------------------------------------------------------ */
/* Capabilities and reset values                                       */

static void vtd_cap_init(IntelIOMMUState *s)
{
    s->cap = VTD_CAP_FRO | VTD_CAP_NFR(1) | VTD_CAP_ND_16BIT | VTD_CAP_MAMV |
             VTD_CAP_PSI | VTD_CAP_MGAW(s->aw_bits) | VTD_CAP_ESRTPS |
             VTD_CAP_SAGAW_39BIT;
    if (s->aw_bits == VTD_HOST_AW_48BIT) {
        s->cap |= VTD_CAP_SAGAW_48BIT;
    }
    if (s->dma_drain) {
        s->cap |= VTD_CAP_DRD | VTD_CAP_DWD;
    }
    if (!s->fsts) {
        s->cap |= VTD_CAP_SSLPS;
    }
    if (s->caching_mode) {
        s->cap |= VTD_CAP_CM;
    }
    if (s->fsts && s->fs1gp) {
        s->cap |= VTD_CAP_FS1GP;
    }

    s->ecap = VTD_ECAP_QI | VTD_ECAP_IRO | VTD_ECAP_PT;
    /* Page requests need device-TLB support (spec: PRS requires DT). */
    if (s->dt_supported || s->svm) {
        s->ecap |= VTD_ECAP_DT;
    }
    if (s->snoop_control) {
        s->ecap |= VTD_ECAP_SC;
    }
    if (s->scalable_mode) {
        s->ecap |= VTD_ECAP_SMTS;
        /*
         * fsts: only first-stage tables, nested on the host's stage 2;
         * no guest-visible second stage, hence no ECAP.NEST either (NEST
         * requires SSTS).
         */
        s->ecap |= s->fsts ? VTD_ECAP_FSTS : (VTD_ECAP_SSTS | VTD_ECAP_SRS);
    }
    if (s->pasid_bits) {
        s->ecap |= VTD_ECAP_PASID | VTD_ECAP_PSS(s->pasid_bits);
    }
    if (s->svm) {
        s->ecap |= VTD_ECAP_PRS | VTD_ECAP_PDS | VTD_ECAP_NWFS;
    }
}

static void vtd_init_regs(IntelIOMMUState *s)
{
    memset(s->csr, 0, sizeof(s->csr));
    memset(s->wmask, 0, sizeof(s->wmask));
    memset(s->w1cmask, 0, sizeof(s->w1cmask));
    memset(s->womask, 0, sizeof(s->womask));

    s->root = 0;
    s->root_scalable = false;
    s->dmar_enabled = false;
    s->qi_enabled = false;
    s->iq = 0;
    s->iq_head = s->iq_tail = 0;
    s->iq_size = 0;
    s->iq_dw = false;

    vtd_define_long(s, DMAR_VER_REG, s->scalable_mode ? VTD_VER_SCALABLE :
                    VTD_VER_LEGACY, 0, 0);
    vtd_define_quad(s, DMAR_CAP_REG, s->cap, 0, 0);
    vtd_define_quad(s, DMAR_ECAP_REG, s->ecap, 0, 0);
    vtd_define_long_wo(s, DMAR_GCMD_REG, 0, 0xff800000);
    vtd_define_long(s, DMAR_GSTS_REG, 0, 0, 0);
    vtd_define_quad(s, DMAR_RTADDR_REG, 0, 0xfffffffffffffc80ULL, 0);
    vtd_define_quad(s, DMAR_CCMD_REG, 0, 0xe0000003ffffffffULL, 0);
    vtd_define_long(s, DMAR_FSTS_REG, 0, 0, VTD_FSTS_W1C);
    vtd_define_long(s, DMAR_FECTL_REG, VTD_CTL_IM, VTD_CTL_IM, 0);
    vtd_define_long(s, DMAR_FEDATA_REG, 0, 0x0000ffff, 0);
    vtd_define_long(s, DMAR_FEADDR_REG, 0, 0xfffffffc, 0);
    vtd_define_long(s, DMAR_FEUADDR_REG, 0, 0xffffffff, 0);
    vtd_define_quad(s, DMAR_AFLOG_REG, 0, 0, 0);
    vtd_define_long(s, DMAR_PMEN_REG, 0, 0, 0);
    vtd_define_quad(s, DMAR_IQH_REG, 0, 0, 0);
    vtd_define_quad(s, DMAR_IQT_REG, 0, VTD_IQT_QT_MASK, 0);
    vtd_define_quad(s, DMAR_IQA_REG, 0,
                    VTD_IQA_IQA_MASK | VTD_IQA_DW | VTD_IQA_QS_MASK, 0);
    vtd_define_long(s, DMAR_ICS_REG, 0, 0, VTD_ICS_IWC);
    vtd_define_long(s, DMAR_IECTL_REG, VTD_CTL_IM, VTD_CTL_IM, 0);
    vtd_define_long(s, DMAR_IEDATA_REG, 0, 0x0000ffff, 0);
    vtd_define_long(s, DMAR_IEADDR_REG, 0, 0xfffffffc, 0);
    vtd_define_long(s, DMAR_IEUADDR_REG, 0, 0xffffffff, 0);
    vtd_define_quad(s, DMAR_IQERCD_REG, 0, 0, 0);
    vtd_define_quad(s, DMAR_IRTA_REG, 0, 0, 0);
    vtd_define_quad_wo(s, DMAR_IVA_REG, 0, 0xfffffffffffff07fULL);
    vtd_define_quad(s, DMAR_IOTLB_REG, 0, 0xb003ffff00000000ULL, 0);
    vtd_define_quad(s, DMAR_FRCD_REG_0_0, 0, 0, 0);
    vtd_define_quad(s, DMAR_FRCD_REG_0_2, 0, 0, 1ULL << 63);

    /* The page request registers are RsvdZ without ECAP.PRS. */
    if (s->ecap & VTD_ECAP_PRS) {
        vtd_define_quad(s, DMAR_PQH_REG, 0, VTD_PQH_MASK, 0);
        vtd_define_quad(s, DMAR_PQT_REG, 0, VTD_PQT_MASK, 0);
        vtd_define_quad(s, DMAR_PQA_REG, 0,
                        VTD_PQA_ADDR_MASK | VTD_PQA_PQS_MASK, 0);
        vtd_define_long(s, DMAR_PRS_REG, 0, 0, VTD_PRS_PPR | VTD_PRS_PRO);
        vtd_define_long(s, DMAR_PECTL_REG, VTD_CTL_IM, VTD_CTL_IM, 0);
        vtd_define_long(s, DMAR_PEDATA_REG, 0, 0x0000ffff, 0);
        vtd_define_long(s, DMAR_PEADDR_REG, 0, 0xfffffffc, 0);
        vtd_define_long(s, DMAR_PEUADDR_REG, 0, 0xffffffff, 0);
    }
}

/* ------------------------------------------------------------------ */
/* PCI hooks                                                           */

static bool vtd_set_iommu_device(PCIBus *bus, void *opaque, int devfn,
                                 HostIOMMUDevice *hiod, Error **errp)
{
    IntelIOMMUState *s = opaque;

    /*
     * Bindings follow the guest's invalidations.  Without CAP.CM a guest
     * need not invalidate after making an entry present (Linux does not,
     * in pasid_flush_caches()), so its new PASIDs would never reach the
     * host and every page request would be answered Invalid.  Refused
     * as upstream does, with upstream's words.
     */
    if (!s->caching_mode) {
        error_setg(errp, "Device assignment is not allowed without enabling "
                   "caching-mode=on for Intel IOMMU.");
        return false;
    }
    return vtd_accel_set_iommu_device(s, bus, devfn, hiod, errp);
}

static void vtd_unset_iommu_device(PCIBus *bus, void *opaque, int devfn)
{
    vtd_accel_unset_iommu_device(opaque, bus, devfn);
}

static uint64_t vtd_get_viommu_flags(void *opaque)
{
    IntelIOMMUState *s = opaque;
    uint64_t flags = 0;

    if (s->fsts) {
        flags |= VIOMMU_FLAG_WANT_NESTING_PARENT;
        if (s->pasid_bits) {
            flags |= VIOMMU_FLAG_PASID_SUPPORTED;
        }
    }
    return flags;
}

static const PCIIOMMUOps vtd_iommu_ops = {
    .set_iommu_device = vtd_set_iommu_device,
    .unset_iommu_device = vtd_unset_iommu_device,
    .get_viommu_flags = vtd_get_viommu_flags,
};

/* ------------------------------------------------------------------ */
/* Device                                                              */

static bool vtd_decide_config(IntelIOMMUState *s, Error **errp)
{
    /*
     * There are no vCPUs and no interrupt controller to remap for, so
     * ECAP.IR (and EIM, which needs it) is 0: "auto" resolves to off and
     * "on" is refused.  DMA translation is what this model is for.
     */
    if (s->intremap == ON_OFF_AUTO_ON) {
        error_setg(errp, "intremap=on: interrupt remapping is not modelled "
                   "(ECAP.IR=0); use intremap=off (libvirt: <driver "
                   "intremap='off'/>)");
        return false;
    }
    if (s->eim == ON_OFF_AUTO_ON) {
        error_setg(errp, "eim=on requires interrupt remapping, which is not "
                   "modelled; use eim=off (libvirt: <driver eim='off'/>)");
        return false;
    }
    if (!s->dma_translation) {
        error_setg(errp, "dma-translation=off is not supported: this model "
                   "only translates DMA (libvirt: drop dma_translation='off')");
        return false;
    }
    if (s->aw_bits != VTD_HOST_AW_39BIT && s->aw_bits != VTD_HOST_AW_48BIT) {
        error_setg(errp, "aw-bits must be %d or %d (got %d)",
                   VTD_HOST_AW_39BIT, VTD_HOST_AW_48BIT, s->aw_bits);
        return false;
    }
    if (s->fsts && !s->scalable_mode) {
        error_setg(errp, "fsts (x-flts) requires scalable-mode=on");
        return false;
    }
    if (s->fsts && s->aw_bits != VTD_HOST_AW_48BIT) {
        error_setg(errp, "fsts (x-flts) requires aw-bits=%d (4-level "
                   "first-stage tables)", VTD_HOST_AW_48BIT);
        return false;
    }
    if (s->pasid_bits && !s->scalable_mode) {
        error_setg(errp, "pasid-bits (pasid) requires scalable-mode=on");
        return false;
    }
    if (s->svm && (!s->fsts || !s->pasid_bits)) {
        error_setg(errp, "svm=on requires fsts=on (x-flts) and a non-zero "
                   "pasid-bits (pasid)");
        return false;
    }
    if (s->scalable_mode && !s->dma_drain) {
        error_setg(errp, "scalable-mode requires dma-drain=on");
        return false;
    }
    return true;
}

static void vtd_realize(DeviceState *dev, Error **errp)
{
    IntelIOMMUState *s = INTEL_IOMMU_DEVICE(dev);

    if (!vtd_decide_config(s, errp)) {
        return;
    }
    if (!q35_machine()) {
        error_setg(errp, "intel-iommu is only supported on -M q35");
        return;
    }
    s->bus = pci_find_primary_bus();
    if (!s->bus) {
        error_setg(errp, "intel-iommu: no PCI root bus");
        return;
    }
    if (s->bus->iommu_ops) {
        error_setg(errp, "intel-iommu: the root bus already has an IOMMU");
        return;
    }
    vtd_cap_init(s);
    s->iq_bh = qemu_bh_new(vtd_iq_bh, s);
    s->iq_flushed_epoch = s->iq_pc_epoch = UINT64_MAX;
    vtd_init_regs(s);
    vtd_accel_init(s);
    memory_region_init_io(&s->csrmem, OBJECT(s), &vtd_mem_ops, s,
                          "intel-iommu", Q35_HOST_BRIDGE_IOMMU_SIZE);
    memory_region_add_subregion(get_system_memory(),
                                Q35_HOST_BRIDGE_IOMMU_ADDR, &s->csrmem);
    pci_setup_iommu(s->bus, &vtd_iommu_ops, s);
    trace_vtd_realize(s->cap, s->ecap);
}

static void vtd_unrealize(DeviceState *dev)
{
    IntelIOMMUState *s = INTEL_IOMMU_DEVICE(dev);

    if (s->bus && s->bus->iommu_opaque == s) {
        pci_setup_iommu(s->bus, NULL, NULL);
    }
    memory_region_finalize(&s->csrmem);
    qemu_bh_delete(s->iq_bh);
    s->iq_bh = NULL;
    vtd_accel_finalize(s);
}

static void vtd_reset(DeviceState *dev)
{
    IntelIOMMUState *s = INTEL_IOMMU_DEVICE(dev);

    trace_vtd_reset();
    vtd_accel_reset(s);
    vtd_init_regs(s);
}

static const Property vtd_properties[] = {
    DEFINE_PROP_BOOL("scalable-mode", IntelIOMMUState, scalable_mode, false),
    DEFINE_PROP_ALIAS("x-scalable-mode", "scalable-mode"),
    DEFINE_PROP_BOOL("fsts", IntelIOMMUState, fsts, false),
    DEFINE_PROP_ALIAS("x-flts", "fsts"),
    DEFINE_PROP_ALIAS("flts", "fsts"),
    DEFINE_PROP_UINT8_RANGE("pasid-bits", IntelIOMMUState, pasid_bits, 0, 0,
                            VTD_PASID_BITS_MAX),
    DEFINE_PROP_ALIAS("pasid", "pasid-bits"),
    DEFINE_PROP_BOOL("svm", IntelIOMMUState, svm, false),
    DEFINE_PROP_UINT8("aw-bits", IntelIOMMUState, aw_bits, VTD_HOST_AW_48BIT),
    DEFINE_PROP_BOOL("caching-mode", IntelIOMMUState, caching_mode, false),
    DEFINE_PROP_BOOL("dma-drain", IntelIOMMUState, dma_drain, true),
    DEFINE_PROP_BOOL("device-iotlb", IntelIOMMUState, dt_supported, false),
    DEFINE_PROP_BOOL("snoop-control", IntelIOMMUState, snoop_control, false),
    DEFINE_PROP_BOOL("fs1gp", IntelIOMMUState, fs1gp, true),
    DEFINE_PROP_UINT32_RANGE("max-bound-pasids", IntelIOMMUState,
                             max_bound_pasids, VTD_MAX_BOUND_PASIDS_DEFAULT,
                             1, 1U << VTD_PASID_BITS_MAX),
    /* Upstream's names; the values this model implements (see below). */
    DEFINE_PROP_ON_OFF_AUTO("intremap", IntelIOMMUState, intremap,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_ON_OFF_AUTO("eim", IntelIOMMUState, eim, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_BOOL("dma-translation", IntelIOMMUState, dma_translation,
                     true),
    DEFINE_PROP_END_OF_LIST(),
};

static void vtd_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "Intel IOMMU (VT-d) DMA Remapping device";
    dc->user_creatable = true;
    dc->hotpluggable = false;
    dc->bus_type = NULL;
    dc->realize = vtd_realize;
    dc->unrealize = vtd_unrealize;
    dc->reset = vtd_reset;
    device_class_set_props(dc, vtd_properties);
}

static const TypeInfo vtd_types[] = {
    {
        .name = TYPE_INTEL_IOMMU_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IntelIOMMUState),
        .class_init = vtd_class_init,
    },
};

DEFINE_TYPES(vtd_types)
