/*
 * arm-smmuv3 accel=on: what needs iommufd (vIOMMU, vDEVICE, nested
 * HWPTs, invalidation forwarding, vEVENTQ).  Called by smmuv3.c at the
 * guest-visible moments; every function is a no-op without accel.
 */
#ifndef HW_ARM_SMMUV3_ACCEL_H
#define HW_ARM_SMMUV3_ACCEL_H

#include "smmuv3-internal.h"

/* realize / unrealize */
void smmuv3_accel_init(SMMUv3State *s);
void smmuv3_accel_finalize(SMMUv3State *s);

/* PCIIOMMUOps callbacks for passthrough devices */
bool smmuv3_accel_set_iommu_device(SMMUv3State *s, PCIBus *bus, int devfn,
                                   HostIOMMUDevice *hiod, Error **errp);
void smmuv3_accel_unset_iommu_device(SMMUv3State *s, PCIBus *bus, int devfn);

/*
 * Guest configuration changes.  The STE ones re-read the guest stream
 * table for the passthrough devices concerned and attach the matching
 * HWPT; they return false with @errp set if the host refused.
 */
bool smmuv3_accel_install_ste(SMMUv3State *s, uint32_t sid, Error **errp);
bool smmuv3_accel_install_ste_range(SMMUv3State *s, uint32_t sid_first,
                                    uint32_t sid_last, Error **errp);
/* SMMUEN or GBPA changed: every device follows its STE or GBPA. */
void smmuv3_accel_reinstall_all(SMMUv3State *s);

/*
 * Queue one invalidation command for the host; sent in a batch when the
 * batch is full or on smmuv3_accel_flush_invalidations().  Commands for
 * StreamIDs without a vDEVICE are dropped (nothing of the guest's is
 * cached by the host for them).
 */
bool smmuv3_accel_queue_invalidation(SMMUv3State *s, const SMMUCmd *cmd,
                                     Error **errp);
bool smmuv3_accel_flush_invalidations(SMMUv3State *s, Error **errp);

/* CR0 written: allocate the vEVENTQ if EVENTQEN and a vIOMMU hold. */
void smmuv3_accel_cr0_changed(SMMUv3State *s);
/* Device reset: drop the vEVENTQ, attach the GBPA-selected HWPTs. */
void smmuv3_accel_reset(SMMUv3State *s);

/* For the IDR overrides: values of the first host device, if any. */
bool smmuv3_accel_has_devices(SMMUv3State *s);

#endif
