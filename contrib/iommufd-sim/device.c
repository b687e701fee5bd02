/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iommufd device objects: bind, attach/replace/detach of the RID and of
 * PASIDs, unbind.  Semantics of drivers/iommu/iommufd/device.c (7.2):
 *
 *  - attaching over an existing attachment is a replace; only after it
 *    succeeded are the old attachment's pending fault groups answered
 *    INVALID (iommufd_auto_response_faults());
 *  - an IOAS gets an automatically created paging HWPT, shared per IOAS
 *    and freed with its last attachment;
 *  - a PASID may only use an HWPT allocated with IOMMU_HWPT_ALLOC_PASID,
 *    and while any PASID is attached the RID's HWPT must be one too;
 *  - a nested HWPT owned by a vIOMMU needs the device's vDEVICE on that
 *    vIOMMU (ENOENT otherwise, as the SMMUv3 driver and the mock do),
 *    unless its vSTE aborts or bypasses (7.2);
 *  - an auto domain is allocated without IOMMU_HWPT_ALLOC_PASID, so an
 *    IOAS serves the RID only and blocks PASID attachments (7.2).
 */
#include <errno.h>

#include "sim-internal.h"

struct sim_idev *sim_idev_bind(struct sim_ictx *ictx, struct sim_pdev *pdev,
                               bool hold_ctx)
{
    struct sim_idev *idev;

    idev = sim_obj_alloc(ictx, SIM_OBJ_DEVICE, sizeof(*idev));
    idev->pdev = pdev;
    idev->pasids = g_hash_table_new(NULL, NULL);
    idev->partial = g_ptr_array_new_with_free_func(g_free);
    sim_obj_insert(&idev->obj);
    /*
     * A bound VFIO device keeps the iommufd context alive; a selftest
     * mock device lives inside it (its selftest object owns it).
     */
    if (hold_ctx) {
        sim_ictx_get(ictx);
    }
    pdev->idev = idev;
    return idev;
}

struct sim_hwpt *sim_idev_domain(struct sim_idev *idev, uint32_t key)
{
    if (key == SIM_KEY_RID) {
        return idev->rid_hwpt;
    }
    return g_hash_table_lookup(idev->pasids, GUINT_TO_POINTER(key));
}

static void set_domain(struct sim_idev *idev, uint32_t key,
                       struct sim_hwpt *hwpt)
{
    if (key == SIM_KEY_RID) {
        idev->rid_hwpt = hwpt;
    } else if (hwpt) {
        g_hash_table_insert(idev->pasids, GUINT_TO_POINTER(key), hwpt);
    } else {
        g_hash_table_remove(idev->pasids, GUINT_TO_POINTER(key));
    }
}

/* The attachment (idev, key) to old is gone: flush what hung off it */
static void drop_domain(struct sim_idev *idev, uint32_t key,
                        struct sim_hwpt *old)
{
    old->obj.users--;
    if (old->fault) {
        sim_fault_auto_respond(old->fault, idev, key, old);
    }
    if (old->auto_domain && !old->obj.users) {
        sim_obj_destroy(&old->obj);
    }
}

/* arm-smmu-v3-iommufd.c: STE.Config of a vSTE, an invalid one aborts */
static unsigned int vste_cfg(const struct sim_hwpt *hwpt)
{
    uint64_t w0 = GUINT64_FROM_LE(hwpt->data.smmu.ste[0]);

    return (w0 & 1) ? (w0 >> 1) & 7 : 0;
}

/*
 * The vIOMMU's vDEVICE for idev, or NULL; -ENOENT when a translating vSTE
 * has none (abort and bypass vSTEs may attach without, the GBPA case of
 * arm_smmu_attach_prepare_vmaster()).
 */
static int vmaster_check(struct sim_idev *idev, struct sim_hwpt *hwpt)
{
    unsigned int cfg = vste_cfg(hwpt);

    if (idev->vdev && idev->vdev->viommu == hwpt->viommu) {
        return 0;
    }
    return cfg == 0 || cfg == 4 ? 0 : -ENOENT;
}

static int attach_check(struct sim_idev *idev, uint32_t key,
                        struct sim_hwpt *hwpt)
{
    int rc;

    if (idev->mock) {
        rc = sim_mock_attach_check(idev, key, hwpt);
        if (rc) {
            return rc;
        }
    } else if (hwpt->viommu) {
        rc = vmaster_check(idev, hwpt);
        if (rc) {
            return rc;
        }
    }
    /*
     * VT-d enables IOPF for a fault-capable domain only on a function
     * with PRI (intel_iommu_enable_iopf()); SMMUv3 accepts the domain
     * but never delivers a PCI page request (prq.c).
     */
    if (hwpt->fault && !idev->mock && sim.cfg.iommu.type == SIM_IOMMU_VTD &&
        !(idev->pdev->pri && idev->pdev->ats)) {
        return -ENODEV;
    }
    if (key != SIM_KEY_RID) {
        if (!sim_hwpt_pasid_compat(hwpt)) {
            return -EINVAL;
        }
        if (idev->rid_hwpt && !sim_hwpt_pasid_compat(idev->rid_hwpt)) {
            return -EINVAL;
        }
    } else if (g_hash_table_size(idev->pasids) &&
               !sim_hwpt_pasid_compat(hwpt)) {
        return -EINVAL;
    }
    return 0;
}

static int resolve_pt(struct sim_idev *idev, uint32_t pt_id,
                      struct sim_hwpt **out)
{
    struct sim_obj *obj = sim_obj_lookup(idev->obj.ictx, pt_id);

    if (!obj) {
        return -ENOENT;
    }
    switch (obj->type) {
    case SIM_OBJ_IOAS:
        *out = sim_hwpt_auto_get((struct sim_ioas *)obj, idev);
        return 0;
    case SIM_OBJ_HWPT_PAGING:
    case SIM_OBJ_HWPT_NESTED:
        *out = (struct sim_hwpt *)obj;
        return 0;
    default:
        return -EINVAL;
    }
}

int sim_idev_attach(struct sim_idev *idev, uint32_t key, uint32_t *pt_id)
{
    struct sim_hwpt *hwpt, *old;
    int rc;

    rc = resolve_pt(idev, *pt_id, &hwpt);
    if (rc) {
        return rc;
    }
    rc = attach_check(idev, key, hwpt);
    if (!rc && idev->mock && key != SIM_KEY_RID) {
        rc = sim_mock_set_pasid(idev, key, false);
    }
    if (rc) {
        goto err_auto;
    }
    old = sim_idev_domain(idev, key);
    /* events are forwarded for the vSID a vDEVICE gave at attach */
    if (key == SIM_KEY_RID) {
        idev->vmaster =
            hwpt->viommu && idev->vdev && idev->vdev->viommu == hwpt->viommu;
        idev->vmaster_vsid = idev->vmaster ? idev->vdev->virt_id : 0;
    }
    if (old != hwpt) {
        hwpt->obj.users++;
        set_domain(idev, key, hwpt);
        if (old) {
            drop_domain(idev, key, old);
        }
    }
    *pt_id = hwpt->obj.id;
    return 0;

err_auto:
    /* an auto domain made just for this attempt goes away again */
    if (hwpt->auto_domain && !hwpt->obj.users) {
        sim_obj_destroy(&hwpt->obj);
    }
    return rc;
}

void sim_idev_detach(struct sim_idev *idev, uint32_t key)
{
    struct sim_hwpt *old = sim_idev_domain(idev, key);

    if (!old) {
        return;
    }
    if (key == SIM_KEY_RID) {
        idev->vmaster = false;
    } else if (idev->mock) {
        sim_mock_set_pasid(idev, key, true);
    }
    set_domain(idev, key, NULL);
    drop_domain(idev, key, old);
}

/* VFIO device fd closed: detach everything, then drop the object */
void sim_idev_unbind(struct sim_idev *idev)
{
    struct sim_ictx *ictx = idev->obj.ictx;
    g_autoptr(GList) keys = g_hash_table_get_keys(idev->pasids);
    struct sim_vdevice *vdev = idev->vdev;

    for (GList *l = keys; l; l = l->next) {
        sim_idev_detach(idev, GPOINTER_TO_UINT(l->data));
    }
    sim_idev_detach(idev, SIM_KEY_RID);
    if (vdev) {
        /* force-destroyed; its id stays taken until the ctx goes */
        vdev->idev = NULL;
        idev->vdev = NULL;
        sim_obj_leak_id(&vdev->obj);
    }
    bool held = !idev->mock;

    idev->pdev->idev = NULL;
    g_hash_table_unref(idev->pasids);
    g_ptr_array_unref(idev->partial);
    sim_obj_destroy(&idev->obj);
    if (held) {
        sim_ictx_put(ictx);
    }
}
