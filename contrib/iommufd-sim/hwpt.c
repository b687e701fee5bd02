/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GET_HW_INFO, HWPT_ALLOC, HWPT_INVALIDATE, VIOMMU_ALLOC and VDEVICE_ALLOC.
 *
 * Checks and their errnos follow drivers/iommu/iommufd/{device,hw_pagetable,
 * viommu}.c and the two drivers' nesting code (intel/nested.c,
 * arm-smmu-v3-iommufd.c): EOPNOTSUPP for flags or types the hardware can't
 * do, EINVAL for a well-formed but wrong request, ENOENT for missing ids --
 * except that an unknown pt_id in HWPT_ALLOC is EINVAL, as in the kernel.
 */
#include <errno.h>
#include <string.h>

#include "selftest-abi.h"
#include "sim-internal.h"

/* ---- GET_HW_INFO ---- */

static uint32_t hw_info_type(void)
{
    return sim.cfg.iommu.type == SIM_IOMMU_VTD ? IOMMU_HW_INFO_TYPE_INTEL_VTD
                                               : IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
}

static size_t hw_info_data(void *buf)
{
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;

    if (c->type == SIM_IOMMU_VTD) {
        struct iommu_hw_info_vtd *vtd = buf;

        memset(vtd, 0, sizeof(*vtd));
        vtd->cap_reg = c->cap_reg;
        vtd->ecap_reg = c->ecap_reg;
        return sizeof(*vtd);
    } else {
        struct iommu_hw_info_arm_smmuv3 *smmu = buf;

        memset(smmu, 0, sizeof(*smmu));
        memcpy(smmu->idr, c->idr, sizeof(smmu->idr));
        smmu->iidr = c->iidr;
        smmu->aidr = c->aidr;
        return sizeof(*smmu);
    }
}

static uint64_t hw_info_caps(struct sim_pdev *pdev, uint8_t pasid_log2)
{
    uint64_t caps = 0;
    uint16_t ctrl;

    if (sim_iommu_has_dirty()) {
        caps |= IOMMU_HW_CAP_DIRTY_TRACKING;
    }
    if (!pasid_log2) {
        return caps;
    }
    /* PCI: what the PASID Control register has enabled */
    ctrl = sim_pciconf_pasid_ctrl(pdev);
    if (ctrl & 0x2) {
        caps |= IOMMU_HW_CAP_PCI_PASID_EXEC;
    }
    if (ctrl & 0x4) {
        caps |= IOMMU_HW_CAP_PCI_PASID_PRIV;
    }
    return caps;
}

int sim_get_hw_info(struct sim_ucmd *ucmd)
{
    struct iommu_hw_info *cmd = ucmd->cmd;
    uint64_t data[8] = {0};
    struct sim_idev *idev;
    size_t len, n;
    int rc;

    if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) || cmd->__reserved[0] ||
        cmd->__reserved[1] || cmd->__reserved[2]) {
        return -EOPNOTSUPP;
    }
    idev = sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
    if (!idev) {
        return -ENOENT;
    }
    if ((cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE) &&
        cmd->in_data_type != IOMMU_HW_INFO_TYPE_DEFAULT &&
        cmd->in_data_type !=
            (idev->mock ? SIM_HW_INFO_TYPE_SELFTEST : hw_info_type())) {
        return -EOPNOTSUPP;
    }

    /* fill what fits, zero the rest of the caller's buffer */
    if (idev->mock) {
        struct sim_test_hw_info *t = (void *)data;

        t->flags = 0;
        t->test_reg = SIM_HW_INFO_SELFTEST_REGVAL;
        len = sizeof(*t);
    } else {
        len = hw_info_data(data);
    }
    n = MIN(len, cmd->data_len);
    rc = sim_copy_to_user(cmd->data_uptr, data, n);
    if (!rc && cmd->data_len > len) {
        rc = sim_clear_user(cmd->data_uptr + len, cmd->data_len - len);
    }
    if (rc) {
        return rc;
    }

    cmd->data_len = len;
    if (idev->mock) {
        /* the mock IOMMU tracks dirty bits unless told not to */
        cmd->out_data_type = SIM_HW_INFO_TYPE_SELFTEST;
        cmd->out_max_pasid_log2 = idev->pdev->pasid_width;
        cmd->out_capabilities = (idev->mock_flags & SIM_MOCK_DEV_NO_DIRTY)
                                    ? 0
                                    : IOMMU_HW_CAP_DIRTY_TRACKING;
        return sim_ucmd_respond(ucmd);
    }
    cmd->out_data_type = hw_info_type();
    /* dev->iommu->max_pasids: the smaller of function and IOMMU */
    cmd->out_max_pasid_log2 =
        MIN(idev->pdev->pasid_width, sim_iommu_pasid_bits());
    cmd->out_capabilities = hw_info_caps(idev->pdev, cmd->out_max_pasid_log2);
    return sim_ucmd_respond(ucmd);
}

/* ---- HWPT_ALLOC ---- */

bool sim_hwpt_pasid_compat(struct sim_hwpt *hwpt)
{
    return hwpt->flags & IOMMU_HWPT_ALLOC_PASID;
}

struct sim_hwpt *sim_hwpt_new(struct sim_ictx *ictx, enum sim_obj_type t,
                              uint32_t flags)
{
    struct sim_hwpt *hwpt = sim_obj_alloc(ictx, t, sizeof(*hwpt));

    hwpt->flags = flags;
    return hwpt;
}

void sim_hwpt_release(struct sim_hwpt *hwpt)
{
    sim_hwpt_dirty_free(hwpt);
    if (hwpt->fault) {
        hwpt->fault->obj.users--;
    }
    if (hwpt->parent) {
        hwpt->parent->obj.users--;
    }
    if (hwpt->viommu) {
        hwpt->viommu->obj.users--;
    }
    if (hwpt->obj.type == SIM_OBJ_HWPT_PAGING) {
        hwpt->ioas->obj.users--;
        if (hwpt->ioas->auto_hwpt == hwpt) {
            hwpt->ioas->auto_hwpt = NULL;
        }
    }
    g_free(hwpt);
}

/* mock: the selftest IOMMU can do all of it, whatever the config says */
int sim_hwpt_paging_alloc(struct sim_ictx *ictx, struct sim_ioas *ioas,
                          uint32_t flags, bool mock, struct sim_hwpt **out)
{
    const uint32_t valid = IOMMU_HWPT_ALLOC_NEST_PARENT |
                           IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
                           IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
    struct sim_hwpt *hwpt;

    if (flags & ~valid) {
        return -EOPNOTSUPP;
    }
    /* a nesting parent never takes I/O page faults itself */
    if ((flags & IOMMU_HWPT_FAULT_ID_VALID) &&
        (flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
        return -EOPNOTSUPP;
    }
    if (!mock && (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
        !sim_iommu_has_dirty()) {
        return -EOPNOTSUPP;
    }
    if (!mock && (flags & IOMMU_HWPT_ALLOC_NEST_PARENT) &&
        !sim_iommu_can_nest()) {
        return -EOPNOTSUPP;
    }
    if (!mock && (flags & IOMMU_HWPT_ALLOC_PASID) && !sim_iommu_has_pasid()) {
        return -EOPNOTSUPP;
    }
    hwpt = sim_hwpt_new(ictx, SIM_OBJ_HWPT_PAGING, flags);
    hwpt->ioas = ioas;
    hwpt->mock = mock;
    ioas->obj.users++;
    *out = hwpt;
    return 0;
}

/* intel/nested.c + the attach-time checks of intel/pasid.c, done early */
static int vtd_s1_check(const struct iommu_hwpt_vtd_s1 *s1)
{
    const uint64_t valid =
        IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE | IOMMU_VTD_S1_WPE;

    if ((s1->flags & ~valid) || s1->__reserved) {
        return -EINVAL;
    }
    if (s1->pgtbl_addr % SIM_PAGE_SIZE) {
        return -EINVAL;
    }
    if (s1->addr_width == 57 && (sim.cfg.iommu.cap_reg & (1ull << 60))) {
        return 0;
    }
    return s1->addr_width == 48 ? 0 : -EINVAL;
}

/* Copy a driver data blob the way iommu_copy_struct_from_user() does */
static int copy_data(const struct iommu_hwpt_alloc *cmd, void *dst,
                     size_t ksize, size_t min_len)
{
    /* 7.2 refuses data longer than the driver's struct (EINVAL) */
    if (cmd->data_len < min_len || cmd->data_len > ksize) {
        return -EINVAL;
    }
    return sim_copy_struct_from_user(dst, ksize, cmd->data_uptr, cmd->data_len);
}

static int nested_alloc(struct sim_ictx *ictx, struct sim_hwpt *parent,
                        const struct iommu_hwpt_alloc *cmd,
                        struct sim_hwpt **out)
{
    const uint32_t valid = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
    struct iommu_hwpt_vtd_s1 s1;
    struct sim_hwpt *hwpt;
    int rc;

    /* SMMUv3 nests only through a vIOMMU */
    if ((cmd->flags & ~valid) || !sim_iommu_can_nest() ||
        sim.cfg.iommu.type != SIM_IOMMU_VTD) {
        return -EOPNOTSUPP;
    }
    if (parent->auto_domain ||
        !(parent->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
        return -EINVAL;
    }
    if (cmd->data_type != IOMMU_HWPT_DATA_VTD_S1) {
        return -EOPNOTSUPP;
    }
    rc = copy_data(cmd, &s1, sizeof(s1), sizeof(s1));
    if (!rc) {
        rc = vtd_s1_check(&s1);
    }
    if (rc) {
        return rc;
    }
    hwpt = sim_hwpt_new(ictx, SIM_OBJ_HWPT_NESTED, cmd->flags);
    hwpt->parent = parent;
    hwpt->ioas = parent->ioas;
    hwpt->data_type = cmd->data_type;
    hwpt->data.vtd = s1;
    parent->obj.users++;
    *out = hwpt;
    return 0;
}

/* STE words a guest may control (arm-smmu-v3-iommufd.c) */
#define STE0_V (1ull << 0)
#define STE0_CFG(v) (((v) >> 1) & 7)
#define STE0_CFG_ABORT 0
#define STE0_CFG_BYPASS 4
#define STE0_CFG_S1 5
/* STRTAB_STE_0_NESTING_ALLOWED: V, Config, S1Fmt, S1ContextPtr, S1CDMax */
#define STE0_ALLOWED 0xf80fffffffffffffull
#define STE1_EATS(v) (((v) >> 28) & 3)
#define STE1_ALLOWED (0xffull | (1ull << 27) | (3ull << 28))

static int smmu_ste_check(const struct iommu_hwpt_arm_smmuv3 *ste)
{
    uint64_t w0 = GUINT64_FROM_LE(ste->ste[0]);
    uint64_t w1 = GUINT64_FROM_LE(ste->ste[1]);
    unsigned int cfg = STE0_CFG(w0);

    if (!(w0 & STE0_V)) {
        return 0; /* invalid STE: the kernel makes it abort */
    }
    if ((w0 & ~STE0_ALLOWED) || (w1 & ~STE1_ALLOWED)) {
        return -EIO;
    }
    if (cfg != STE0_CFG_ABORT && cfg != STE0_CFG_BYPASS && cfg != STE0_CFG_S1) {
        return -EIO;
    }
    return STE1_EATS(w1) > 1 ? -EIO : 0;
}

static int viommu_nested_alloc(struct sim_ictx *ictx, struct sim_viommu *viommu,
                               const struct iommu_hwpt_alloc *cmd,
                               struct sim_hwpt **out)
{
    const uint32_t valid = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
    struct iommu_hwpt_arm_smmuv3 ste;
    struct sim_hwpt *hwpt;
    int rc;

    if (cmd->flags & ~valid) {
        return -EOPNOTSUPP;
    }
    if (cmd->data_type != IOMMU_HWPT_DATA_ARM_SMMUV3) {
        return -EOPNOTSUPP;
    }
    rc = copy_data(cmd, &ste, sizeof(ste), sizeof(ste));
    if (!rc) {
        rc = smmu_ste_check(&ste);
    }
    if (rc) {
        return rc;
    }
    hwpt = sim_hwpt_new(ictx, SIM_OBJ_HWPT_NESTED, cmd->flags);
    hwpt->viommu = viommu;
    hwpt->ioas = viommu->parent->ioas;
    hwpt->data_type = cmd->data_type;
    hwpt->data.smmu = ste;
    viommu->obj.users++;
    *out = hwpt;
    return 0;
}

static int hwpt_alloc_by_parent(struct sim_ucmd *ucmd, struct sim_obj *pt,
                                struct sim_hwpt **out)
{
    struct iommu_hwpt_alloc *cmd = ucmd->cmd;

    switch (pt->type) {
    case SIM_OBJ_IOAS:
        /* a paging domain takes no driver data (hw_pagetable.c) */
        if (cmd->data_type != IOMMU_HWPT_DATA_NONE) {
            return -EOPNOTSUPP;
        }
        return sim_hwpt_paging_alloc(ucmd->ictx, (struct sim_ioas *)pt,
                                     cmd->flags, false, out);
    case SIM_OBJ_HWPT_PAGING:
        return nested_alloc(ucmd->ictx, (struct sim_hwpt *)pt, cmd, out);
    case SIM_OBJ_VIOMMU:
        return viommu_nested_alloc(ucmd->ictx, (struct sim_viommu *)pt, cmd,
                                   out);
    default:
        return -EINVAL;
    }
}

int sim_hwpt_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_hwpt_alloc *cmd = ucmd->cmd;
    struct sim_hwpt *hwpt = NULL;
    struct sim_fault *fault = NULL;
    struct sim_idev *idev;
    struct sim_obj *pt;
    int rc;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
        (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len)) {
        return -EINVAL;
    }
    idev = sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
    if (!idev) {
        return -ENOENT;
    }
    pt = sim_obj_lookup(ucmd->ictx, cmd->pt_id);
    if (!pt) {
        return -EINVAL;
    }
    if (idev->mock) {
        rc = sim_mock_hwpt_alloc(ucmd, pt, &hwpt);
    } else {
        rc = hwpt_alloc_by_parent(ucmd, pt, &hwpt);
    }
    if (rc) {
        return rc;
    }
    if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
        fault = sim_obj_get(ucmd->ictx, cmd->fault_id, SIM_OBJ_FAULT);
        if (!fault) {
            rc = -ENOENT;
            goto err_free;
        }
        /* the HWPT pins its FAULT object (no DESTROY while it lives) */
        hwpt->fault = fault;
        fault->obj.users++;
    }
    sim_obj_insert(&hwpt->obj);
    cmd->out_hwpt_id = hwpt->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        sim_obj_destroy(&hwpt->obj);
    }
    return rc;

err_free:
    /* undo the references hwpt_alloc_by_parent() took */
    sim_hwpt_release(hwpt);
    return rc;
}

/* IOAS attach: reuse the IOAS's auto domain or make one */
struct sim_hwpt *sim_hwpt_auto_get(struct sim_ioas *ioas, struct sim_idev *idev)
{
    struct sim_hwpt *hwpt = ioas->auto_hwpt;
    const uint32_t flags = 0;

    if (hwpt) {
        return hwpt;
    }
    /* 7.2 allocates it without IOMMU_HWPT_ALLOC_PASID (device.c) */
    hwpt = sim_hwpt_new(ioas->obj.ictx, SIM_OBJ_HWPT_PAGING, flags);
    hwpt->auto_domain = true;
    hwpt->mock = idev->mock != NULL;
    hwpt->ioas = ioas;
    ioas->obj.users++;
    ioas->auto_hwpt = hwpt;
    sim_obj_insert(&hwpt->obj);
    return hwpt;
}

/* ---- HWPT_INVALIDATE ---- */

static int vtd_inval_check(const void *entry, struct sim_obj *target)
{
    const struct iommu_hwpt_vtd_s1_invalidate *inv = entry;

    if ((inv->flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv->__reserved) {
        return -EOPNOTSUPP;
    }
    if (inv->addr % SIM_PAGE_SIZE || (inv->npages == UINT64_MAX && inv->addr)) {
        return -EINVAL;
    }
    return 0;
}

#define SMMU_CMD_CFGI_CD 0x05
#define SMMU_CMD_CFGI_CD_ALL 0x06
#define SMMU_CMD_TLBI_NH_ALL 0x10
#define SMMU_CMD_TLBI_NH_ASID 0x11
#define SMMU_CMD_TLBI_NH_VA 0x12
#define SMMU_CMD_TLBI_NH_VAA 0x13
#define SMMU_CMD_TLBI_NSNH_ALL 0x30
#define SMMU_CMD_ATC_INV 0x40

static bool viommu_has_vsid(struct sim_viommu *viommu, uint64_t vsid)
{
    return g_hash_table_contains(viommu->vdevs, &vsid);
}

static int smmu_inval_check(const void *entry, struct sim_obj *target)
{
    const struct iommu_viommu_arm_smmuv3_invalidate *inv = entry;
    uint64_t w0 = GUINT64_FROM_LE(inv->cmd[0]);

    switch (w0 & 0xff) {
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_TLBI_NSNH_ALL:
        return 0;
    case SMMU_CMD_ATC_INV:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
        /* the StreamID field carries a vSID: it must be ours */
        return viommu_has_vsid((struct sim_viommu *)target, w0 >> 32) ? 0
                                                                      : -EIO;
    default:
        return -EIO;
    }
}

/* Process entries in order; *done counts the ones accepted */
static int inval_entries(const struct iommu_hwpt_invalidate *cmd,
                         struct sim_obj *target, size_t ksize,
                         int (*check)(const void *, struct sim_obj *),
                         uint32_t *done)
{
    uint8_t entry[24];
    int rc;

    for (uint32_t i = 0; i < cmd->entry_num; i++) {
        if (cmd->entry_len < ksize) {
            return -EINVAL;
        }
        rc = sim_copy_struct_from_user(
            entry, ksize, cmd->data_uptr + (uint64_t)i * cmd->entry_len,
            cmd->entry_len);
        if (!rc) {
            rc = check(entry, target);
        }
        if (rc) {
            return rc;
        }
        sim_log_inval(target->id, cmd->data_type, entry, ksize);
        (*done)++;
    }
    return 0;
}

static int invalidate(struct sim_ucmd *ucmd, uint32_t *done)
{
    struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
    struct sim_obj *obj;

    /* hw_pagetable.c: bounded work per call */
    if (cmd->entry_num &&
        (!cmd->data_uptr || !cmd->entry_len || cmd->entry_len > SIM_PAGE_SIZE ||
         cmd->entry_num > SIM_INVALIDATE_MAX_ENTRIES)) {
        return -EINVAL;
    }
    obj = sim_obj_lookup(ucmd->ictx, cmd->hwpt_id);
    if (!obj) {
        return -ENOENT;
    }
    if (obj->type == SIM_OBJ_HWPT_NESTED &&
        ((struct sim_hwpt *)obj)->data_type == SIM_HWPT_DATA_SELFTEST) {
        return sim_mock_hwpt_invalidate(cmd, (struct sim_hwpt *)obj, done);
    }
    if (obj->type == SIM_OBJ_VIOMMU &&
        ((struct sim_viommu *)obj)->type == SIM_VIOMMU_TYPE_SELFTEST) {
        return sim_mock_viommu_invalidate(cmd, (struct sim_viommu *)obj, done);
    }
    if (obj->type == SIM_OBJ_HWPT_NESTED) {
        /* vIOMMU-owned nested domains are invalidated via the vIOMMU */
        if (((struct sim_hwpt *)obj)->viommu) {
            return -EOPNOTSUPP;
        }
        if (cmd->data_type != IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) {
            return -EINVAL;
        }
        /* one entry at a time, none longer than the struct */
        if (cmd->entry_num &&
            cmd->entry_len > sizeof(struct iommu_hwpt_vtd_s1_invalidate)) {
            return -EINVAL;
        }
        return inval_entries(cmd, obj,
                             sizeof(struct iommu_hwpt_vtd_s1_invalidate),
                             vtd_inval_check, done);
    }
    if (obj->type == SIM_OBJ_VIOMMU) {
        if (cmd->data_type != IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3) {
            return -EINVAL;
        }
        return inval_entries(cmd, obj,
                             sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
                             smmu_inval_check, done);
    }
    return -EINVAL;
}

int sim_hwpt_invalidate(struct sim_ucmd *ucmd)
{
    struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
    uint32_t done = 0;
    int rc;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    rc = invalidate(ucmd, &done);
    /* entry_num tells the caller where it stopped, even on failure */
    cmd->entry_num = done;
    if (sim_ucmd_respond(ucmd)) {
        return -EFAULT;
    }
    return rc;
}

/* ---- VIOMMU_ALLOC / VDEVICE_ALLOC ---- */

void sim_viommu_release(struct sim_viommu *viommu)
{
    viommu->parent->obj.users--;
    g_hash_table_unref(viommu->vdevs);
    g_ptr_array_unref(viommu->veventqs);
    g_free(viommu);
}

int sim_viommu_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_viommu_alloc *cmd = ucmd->cmd;
    struct sim_viommu *viommu;
    struct sim_hwpt *parent;
    struct sim_idev *idev;
    int rc;

    /* 7.2 checks neither __reserved nor, for SMMUv3, the driver data */
    if (cmd->flags || cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    idev = sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
    if (!idev) {
        return -ENOENT;
    }
    parent = sim_obj_get(ucmd->ictx, cmd->hwpt_id, SIM_OBJ_HWPT_PAGING);
    if (!parent) {
        return -ENOENT;
    }
    if (!(parent->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)) {
        return -EINVAL;
    }
    if (idev->mock ? cmd->type != SIM_VIOMMU_TYPE_SELFTEST
                   : (cmd->type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3 ||
                      sim.cfg.iommu.type != SIM_IOMMU_SMMUV3 ||
                      !sim_iommu_can_nest())) {
        return -EOPNOTSUPP;
    }

    viommu = sim_obj_alloc(ucmd->ictx, SIM_OBJ_VIOMMU, sizeof(*viommu));
    viommu->type = cmd->type;
    viommu->parent = parent;
    viommu->vdevs = g_hash_table_new(g_int64_hash, g_int64_equal);
    viommu->veventqs = g_ptr_array_new();
    parent->obj.users++;
    sim_obj_insert(&viommu->obj);
    /* the selftest type takes data; SMMUv3 ignores it (7.2) */
    if (idev->mock && cmd->data_len) {
        rc = sim_mock_viommu_data(ucmd, viommu);
        if (rc) {
            goto err_destroy;
        }
    }
    cmd->out_viommu_id = viommu->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        goto err_destroy;
    }
    return 0;

err_destroy:
    sim_obj_destroy(&viommu->obj);
    return rc;
}

void sim_vdevice_release(struct sim_vdevice *vdev)
{
    g_hash_table_remove(vdev->viommu->vdevs, &vdev->virt_id);
    vdev->viommu->obj.users--;
    if (vdev->idev) {
        vdev->idev->vdev = NULL;
    }
    g_free(vdev);
}

int sim_vdevice_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_vdevice_alloc *cmd = ucmd->cmd;
    struct sim_vdevice *vdev;
    struct sim_viommu *viommu;
    struct sim_idev *idev;
    int rc;

    viommu = sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!viommu) {
        return -ENOENT;
    }
    idev = sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
    if (!idev) {
        return -ENOENT;
    }
    if (idev->vdev || viommu_has_vsid(viommu, cmd->virt_id)) {
        return -EEXIST;
    }

    vdev = sim_obj_alloc(ucmd->ictx, SIM_OBJ_VDEVICE, sizeof(*vdev));
    vdev->viommu = viommu;
    vdev->idev = idev;
    vdev->virt_id = cmd->virt_id;
    g_hash_table_insert(viommu->vdevs, &vdev->virt_id, vdev);
    idev->vdev = vdev;
    viommu->obj.users++;
    sim_obj_insert(&vdev->obj);
    cmd->out_vdevice_id = vdev->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        sim_obj_destroy(&vdev->obj);
    }
    return rc;
}
