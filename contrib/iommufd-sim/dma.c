/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated device DMA.
 *
 * A DMA of (device, PASID, IOVA, access) goes through the domain attached
 * to that RID/PASID.  For a VT-d nested HWPT the guest's first-stage table
 * (iommu_hwpt_vtd_s1: pgtbl_addr, 4 or 5 levels) is walked like the IOMMU
 * would (VT-d spec 3.6 / 9.7: P, R/W, U/S, PS, A/D, XD at bit 63); every
 * table pointer and the output are guest-physical and are turned into host
 * pointers through the nesting parent's IOAS mappings -- we live in the
 * VMM's address space, so guest RAM is simply user_va + offset.
 *
 * A missing or insufficient first-stage entry raises a PRI page request
 * (one-request group) and the DMA waits; a SUCCESS answer re-walks, INVALID
 * aborts.  Failures no page request can fix (no domain, second-stage miss,
 * reserved bits, device without PRI) end the DMA in state ERROR.
 */
#include <errno.h>

#include "sim-internal.h"

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_XD (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull
#define VTD_CAP_FS1GP (1ull << 56)

/* DMA retried after this many SUCCESS answers is given up */
#define DMA_MAX_RETRIES 16

enum walk_result {
    WALK_OK,
    WALK_PAGE_FAULT, /* recoverable: worth a page request */
    WALK_ERROR,      /* not recoverable */
};

struct walk {
    uint64_t gpa;
    int error;
};

/* Second stage: guest-physical address -> host pointer through the IOAS */
static void *gpa_to_hva(struct sim_ioas *ioas, uint64_t gpa, uint32_t need)
{
    struct sim_area *a = sim_ioas_find(ioas, gpa);

    if (!a) {
        return NULL;
    }
    if ((need & SIM_ACCESS_WRITE) && !(a->flags & IOMMU_IOAS_MAP_WRITEABLE)) {
        return NULL;
    }
    if ((need & ~SIM_ACCESS_WRITE) && !(a->flags & IOMMU_IOAS_MAP_READABLE)) {
        return NULL;
    }
    return (void *)(uintptr_t)(a->user_va + (gpa - a->iova));
}

static bool canonical(uint64_t iova, unsigned int bits)
{
    int64_t sx = (int64_t)(iova << (64 - bits)) >> (64 - bits);

    return (uint64_t)sx == iova;
}

static enum walk_result perm_check(const struct iommu_hwpt_vtd_s1 *s1,
                                   uint32_t access, bool rw, bool us, bool xd)
{
    bool write = access & SIM_ACCESS_WRITE;

    if (access & SIM_ACCESS_PRIV) {
        /* supervisor: reads always, writes unless WPE and R/W=0 */
        if (write && !rw && (s1->flags & IOMMU_VTD_S1_WPE)) {
            return WALK_PAGE_FAULT;
        }
    } else if (!us || (write && !rw)) {
        return WALK_PAGE_FAULT;
    }
    if ((access & SIM_ACCESS_EXEC) && xd) {
        return WALK_PAGE_FAULT;
    }
    return WALK_OK;
}

/* Leaf size at this level if the entry maps a large page, else 0 */
static int large_page(uint64_t pte, unsigned int level, uint64_t *size)
{
    *size = 0;
    if (level == 1 || !(pte & PTE_PS)) {
        return 0;
    }
    if (level > 3) {
        return -EINVAL; /* PS is reserved in PML4E/PML5E */
    }
    if (level == 3 && !(sim.cfg.iommu.cap_reg & VTD_CAP_FS1GP)) {
        return -EINVAL;
    }
    *size = 1ull << (12 + 9 * (level - 1));
    return 0;
}

static enum walk_result vtd_walk(struct sim_hwpt *hwpt, uint64_t iova,
                                 uint32_t access, struct walk *w)
{
    const struct iommu_hwpt_vtd_s1 *s1 = &hwpt->data.vtd;
    unsigned int levels = s1->addr_width == 57 ? 5 : 4;
    uint64_t table = s1->pgtbl_addr, size = 0;
    bool rw = true, us = true, xd = false;
    uint64_t *pte = NULL, v = 0;
    enum walk_result res;

    if (!canonical(iova, levels == 5 ? 57 : 48) ||
        ((access & SIM_ACCESS_PRIV) && !(s1->flags & IOMMU_VTD_S1_SRE))) {
        w->error = EPERM;
        return WALK_ERROR;
    }
    for (unsigned int level = levels; level >= 1; level--) {
        unsigned int shift = 12 + 9 * (level - 1);

        pte = gpa_to_hva(hwpt->ioas, table + ((iova >> shift) & 0x1ff) * 8,
                         SIM_ACCESS_READ);
        if (!pte) {
            w->error = EFAULT; /* table not in guest RAM */
            return WALK_ERROR;
        }
        v = __atomic_load_n(pte, __ATOMIC_ACQUIRE);
        if (!(v & PTE_P)) {
            return WALK_PAGE_FAULT;
        }
        rw &= !!(v & PTE_RW);
        us &= !!(v & PTE_US);
        xd |= !!(v & PTE_XD);
        if (large_page(v, level, &size)) {
            w->error = EINVAL;
            return WALK_ERROR;
        }
        if (size || level == 1) {
            break;
        }
        __atomic_fetch_or(pte, PTE_A, __ATOMIC_RELAXED);
        table = v & PTE_ADDR;
    }
    res = perm_check(s1, access, rw, us, xd);
    if (res != WALK_OK) {
        return res;
    }
    if (!size) {
        size = SIM_PAGE_SIZE;
    }
    /* accessed, and dirty on a write, are set on the leaf as by hardware */
    __atomic_fetch_or(pte, PTE_A | ((access & SIM_ACCESS_WRITE) ? PTE_D : 0),
                      __ATOMIC_RELAXED);
    w->gpa = (v & PTE_ADDR & ~(size - 1)) | (iova & (size - 1));
    return WALK_OK;
}

static void dma_finish(struct sim_dma *dma, enum sim_dma_state state, int error)
{
    dma->state = state;
    dma->error = error;
    if (state == SIM_DMA_DONE) {
        sim.stats.dma_done++;
    } else if (state == SIM_DMA_ABORTED || state == SIM_DMA_ERROR) {
        sim.stats.dma_aborted++;
    }
}

static void dma_page_request(struct sim_dma *dma, struct sim_idev *idev)
{
    struct iommu_hwpt_pgfault rec = {
        .flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
        .dev_id = idev->obj.id,
        .grpid = dma->pdev->next_grpid++ & 0x1ff, /* 9-bit PRGI */
        .perm = dma->access,
        .addr = dma->iova & ~(SIM_PAGE_SIZE - 1),
    };
    int rc;

    if (!dma->pdev->pri) {
        dma_finish(dma, SIM_DMA_ERROR, EFAULT);
        return;
    }
    if (dma->pasid != SIM_NO_PASID) {
        rec.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
        rec.pasid = dma->pasid;
    }
    dma->state = SIM_DMA_FAULTED;
    sim.stats.dma_faulted++;
    rc = sim_page_request(idev, &rec, dma);
    if (rc) {
        dma_finish(dma, SIM_DMA_ERROR, -rc);
    }
}

static struct sim_hwpt *dma_domain(struct sim_idev *idev, int64_t pasid)
{
    if (pasid == SIM_NO_PASID || pasid == SIM_KEY_RID) {
        return idev->rid_hwpt;
    }
    return sim_idev_domain(idev, pasid);
}

static void dma_run(struct sim_dma *dma)
{
    struct sim_idev *idev = dma->pdev->idev;
    struct walk w = {.gpa = dma->iova};
    enum walk_result res = WALK_OK;
    struct sim_hwpt *hwpt;

    hwpt = idev ? dma_domain(idev, dma->pasid) : NULL;
    if (!hwpt) {
        dma_finish(dma, SIM_DMA_ERROR, EPERM); /* blocked */
        return;
    }
    if (hwpt->obj.type == SIM_OBJ_HWPT_NESTED) {
        if (hwpt->data_type != IOMMU_HWPT_DATA_VTD_S1) {
            dma_finish(dma, SIM_DMA_ERROR, EOPNOTSUPP);
            return;
        }
        res = vtd_walk(hwpt, dma->iova, dma->access, &w);
    }
    if (res == WALK_PAGE_FAULT) {
        dma_page_request(dma, idev);
        return;
    }
    if (res == WALK_ERROR) {
        dma_finish(dma, SIM_DMA_ERROR, w.error);
        return;
    }
    dma->gpa = w.gpa;
    dma->hva = gpa_to_hva(hwpt->ioas, w.gpa, dma->access);
    if (!dma->hva) {
        dma_finish(dma, SIM_DMA_ERROR, EFAULT); /* stage-2 fault */
        return;
    }
    /* a write dirties the paging domain's (the nest parent's) PTE */
    if (dma->access & IOMMU_PGFAULT_PERM_WRITE) {
        sim_hwpt_mark_dirty(
            hwpt->obj.type == SIM_OBJ_HWPT_PAGING ? hwpt : hwpt->parent, w.gpa);
    }
    dma_finish(dma, SIM_DMA_DONE, 0);
}

int sim_dma_start(struct sim_pdev *pdev, int64_t pasid, uint64_t iova,
                  uint32_t access, struct sim_dma **out)
{
    struct sim_dma *dma;

    if (!pdev->idev) {
        return -ENODEV;
    }
    dma = g_new0(struct sim_dma, 1);
    dma->id = sim.next_dma_id++;
    dma->pdev = pdev;
    dma->pasid = pasid;
    dma->iova = iova;
    dma->access = access;
    g_hash_table_insert(sim.dmas, &dma->id, dma);
    sim.stats.dma_started++;
    dma_run(dma);
    *out = dma;
    return 0;
}

/* The page request group of a waiting DMA was answered */
void sim_dma_answered(struct sim_dma *dma, uint32_t code)
{
    if (code != IOMMUFD_PAGE_RESP_SUCCESS) {
        dma_finish(dma, SIM_DMA_ABORTED, EIO);
        return;
    }
    if (++dma->retries > DMA_MAX_RETRIES) {
        dma_finish(dma, SIM_DMA_ABORTED, ELOOP);
        return;
    }
    dma_run(dma);
}

void sim_dma_info_fill(struct sim_dma *dma, struct sim_dma_info *out)
{
    *out = (struct sim_dma_info){
        .id = dma->id,
        .state = dma->state,
        .iova = dma->iova,
        .gpa = dma->state == SIM_DMA_DONE ? dma->gpa : 0,
        .hva = dma->state == SIM_DMA_DONE ? dma->hva : NULL,
        .retries = dma->retries,
        .error = dma->error,
    };
}

void sim_dma_free_all(void)
{
    /* groups still pointing at a DMA are gone by now */
    g_hash_table_remove_all(sim.dmas);
}
