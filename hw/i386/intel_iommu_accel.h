/*
 * intel-iommu acceleration for passthrough devices (iommufd nesting).
 *
 * The emulated unit (intel_iommu.c) owns registers, guest tables and the
 * invalidation queue; everything that talks to the host IOMMU through
 * iommufd lives behind this interface:
 *
 *  - one VTDHostIOMMUDevice per passthrough device (set_iommu_device);
 *  - one light VTDPASIDCacheEntry per (device, PASID) with a present guest
 *    PASID entry, holding the nested first-stage HWPT bound to that PASID;
 *  - one FAULTQ per vIOMMU instance, shared by every nested HWPT that has
 *    faults enabled; its records are routed by (iommufd dev_id, PASID) to
 *    the PASID entry and written into the guest's Page Request Queue;
 *  - the table of outstanding page groups, answered exactly once.
 */
#ifndef HW_I386_INTEL_IOMMU_ACCEL_H
#define HW_I386_INTEL_IOMMU_ACCEL_H

#include "hw/i386/intel_iommu_internal.h"

void vtd_accel_init(IntelIOMMUState *s);
void vtd_accel_finalize(IntelIOMMUState *s);

/* PCIIOMMUOps hooks */
bool vtd_accel_set_iommu_device(IntelIOMMUState *s, PCIBus *bus, int devfn,
                                HostIOMMUDevice *hiod, Error **errp);
void vtd_accel_unset_iommu_device(IntelIOMMUState *s, PCIBus *bus, int devfn);

/* pc_inv_dsc: granularity VTD_PC_G_*, @did and @pasid as in the descriptor */
void vtd_accel_pasid_cache_sync(IntelIOMMUState *s, unsigned granularity,
                                uint16_t did, uint32_t pasid);
/*
 * First-stage IOTLB invalidation to propagate to the host: entries of
 * @did (all domains if !@match_did), @pasid (all if !@match_pasid), pages
 * [@addr, @addr + @npages * 4K) (everything if @npages == UINT64_MAX).
 */
void vtd_accel_flush_piotlb(IntelIOMMUState *s, bool match_did, uint16_t did,
                            bool match_pasid, uint32_t pasid, uint64_t addr,
                            uint64_t npages, bool leaf);
/* page_grp_resp_dsc from the guest. */
void vtd_accel_page_group_response(IntelIOMMUState *s, uint16_t rid,
                                   bool pp, uint32_t pasid, uint16_t prgi,
                                   unsigned rc);
/* Send queued host responses now (end of an IQ pass). */
void vtd_accel_flush_responses(IntelIOMMUState *s);
/* The guest reprogrammed its PRQ: outstanding groups get INVALID. */
void vtd_accel_prq_reset(IntelIOMMUState *s);
/* System reset: drop every binding (kernel answers their groups). */
void vtd_accel_reset(IntelIOMMUState *s);

#endif
