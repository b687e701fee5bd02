/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host IOMMU driver's side of a PCI page request, before the iommu
 * core groups it (faultq.c).  What Linux 7.2 does there:
 *
 *  - VT-d (intel/prq.c, prq_event_thread): a non-canonical address, a
 *    privileged read/write request and an execute+read request are bad
 *    requests: answered INVALID by the driver if they end a group (and
 *    silently dropped otherwise), never reported; a Stop Marker (last
 *    request, neither read nor write) is dropped without a response.  A
 *    PASID request is reported with PASID_VALID and NEEDS_PASID (bit 2),
 *    and iommufd copies those flags out raw.
 *  - SMMUv3 (arm-smmu-v3.c, arm_smmu_handle_ppr): PRI is not supported;
 *    every PCI page request is denied by the driver.  Only stall events of
 *    non-PCI masters become I/O page faults, and the simulated devices are
 *    all PCI functions, so nothing reaches an SMMUv3 FAULT queue.
 */
#include <errno.h>

#include "sim-internal.h"

/* include/linux/iommu.h: a VT-d PASID request wants its PASID answered */
#define SIM_FAULT_NEEDS_PASID (1u << 2)

/* x86 4-level canonical form: bits 63..47 all equal */
static bool canonical(uint64_t addr)
{
    uint64_t top = addr >> 47;

    return top == 0 || top == 0x1ffff;
}

/* The driver answers (or drops) the request itself: no FAULT queue sees it */
static int driver_response(struct sim_idev *idev,
                           const struct iommu_hwpt_pgfault *rec)
{
    struct sim_fault_group group = {.idev = idev};
    g_autoptr(GArray) recs = g_array_new(FALSE, FALSE, sizeof(*rec));

    sim.stats.fault_records++;
    if (!(rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE)) {
        return -EOPNOTSUPP; /* nothing to answer */
    }
    g_array_append_vals(recs, rec, 1);
    group.recs = recs;
    sim.stats.fault_groups_dropped++;
    sim_log_response(&group, IOMMUFD_PAGE_RESP_INVALID, true);
    return -EOPNOTSUPP;
}

static int vtd_page_request(struct sim_idev *idev,
                            struct iommu_hwpt_pgfault *rec, struct sim_dma *dma)
{
    const uint32_t rw = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE;
    bool last = rec->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE;

    if (!canonical(rec->addr) ||
        ((rec->perm & IOMMU_PGFAULT_PERM_PRIV) && (rec->perm & rw)) ||
        ((rec->perm & IOMMU_PGFAULT_PERM_EXEC) &&
         (rec->perm & IOMMU_PGFAULT_PERM_READ))) {
        return driver_response(idev, rec);
    }
    if (last && !(rec->perm & rw)) {
        /* Stop Marker: no response is expected */
        sim.stats.fault_records++;
        return -EOPNOTSUPP;
    }
    if (rec->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) {
        rec->flags |= SIM_FAULT_NEEDS_PASID;
    }
    return sim_fault_report(idev, rec, dma);
}

/*
 * A page request from idev's function.  0 when queued to a FAULT object,
 * -EOPNOTSUPP when answered (or dropped) without reaching user space.
 */
int sim_page_request(struct sim_idev *idev, struct iommu_hwpt_pgfault *rec,
                     struct sim_dma *dma)
{
    /* a function without PRI can't ask */
    if (!idev->pdev->pri) {
        return -EOPNOTSUPP;
    }
    if (sim.cfg.iommu.type == SIM_IOMMU_SMMUV3) {
        return driver_response(idev, rec);
    }
    return vtd_page_request(idev, rec, dma);
}
