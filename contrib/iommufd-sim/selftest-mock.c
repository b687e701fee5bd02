/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's iommufd selftest mock: IOMMU_TEST_CMD and a "selftest"
 * IOMMU next to VT-d and SMMUv3, so that the kernel's own test
 * (tools/testing/selftests/iommu/iommufd.c) can judge the simulator.
 *
 * Behaviour restated from Linux 7.2's drivers/iommu/iommufd/selftest.c:
 *
 *  - MOCK_DOMAIN[_FLAGS] creates a selftest object owning a mock device,
 *    binds it (an iommufd device object) and attaches its RID to the IOAS
 *    or HWPT in "id"; destroying the selftest object unbinds the device;
 *  - a mock device has four cache words (DEV_CHECK_CACHE, cleared by
 *    vIOMMU invalidation) and, with MOCK_FLAGS_DEVICE_PASID, 20 PASID bits;
 *  - a nested mock domain has four IOTLB words (MD_CHECK_IOTLB), set from
 *    the allocation data and cleared by HWPT_INVALIDATE;
 *  - a selftest vIOMMU echoes in_data, offers it in an mmap()able region of
 *    the iommufd (the mapping pins the vIOMMU), and backs HW queues;
 *  - TRIGGER_IOPF reports a one-request page group, TRIGGER_VEVENT one
 *    vEVENT carrying the virt_id the device had at its nested attach;
 *  - PASID 1024's second attach fails with ENOMEM, to exercise the core's
 *    rollback.
 *
 * Out of scope (no page pinning, no access objects, no dirty bits): those
 * commands answer EOPNOTSUPP, and MD_CHECK_REFS only knows "no pins".
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "selftest-abi.h"
#include "sim-internal.h"

#define offsetofend(t, f) (offsetof(t, f) + sizeof(((t *)0)->f))

/* What the selftest object owns: the device, its caches and quirks */
struct sim_mock_dev {
    struct sim_obj obj; /* SIM_OBJ_SELFTEST */
    struct sim_idev *idev;
    uint32_t flags;
    uint32_t cache[SIM_MOCK_DEV_CACHE_NUM];
    bool pasid_fake_error;
    struct sim_pdev pdev; /* a function of its own */
};

/* ---- mock devices ---- */

static int mock_domain(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    /* bit 1 (huge IOVA) is accepted and means nothing here */
    const uint32_t valid =
        SIM_MOCK_DEV_NO_DIRTY | SIM_MOCK_DEV_PASID | (1u << 1);
    uint32_t flags = 0, pt_id = cmd->id;
    struct sim_mock_dev *m;
    struct sim_idev *idev;
    int rc;

    if (cmd->op == SIM_TEST_OP_MOCK_DOMAIN_FLAGS) {
        flags = cmd->mock_domain.dev_flags;
    }
    if (flags & ~valid) {
        return -EINVAL;
    }
    /* the selftest object first: its id is below the device's */
    m = sim_obj_alloc(ucmd->ictx, SIM_OBJ_SELFTEST, sizeof(*m));
    m->flags = flags;
    for (unsigned int i = 0; i < SIM_MOCK_DEV_CACHE_NUM; i++) {
        m->cache[i] = SIM_MOCK_DEV_CACHE_DEFAULT;
    }
    g_strlcpy(m->pdev.bdf, "mock", sizeof(m->pdev.bdf));
    m->pdev.pasid_width =
        (flags & SIM_MOCK_DEV_PASID) ? SIM_MOCK_PASID_WIDTH : 0;
    sim_obj_insert(&m->obj);

    /* the device belongs to the object, not to the context */
    idev = sim_idev_bind(ucmd->ictx, &m->pdev, false);
    idev->mock = m;
    idev->mock_flags = flags;
    idev->obj.users++;
    m->idev = idev;

    rc = sim_idev_attach(idev, SIM_KEY_RID, &pt_id);
    if (rc) {
        goto err_unbind;
    }
    cmd->mock_domain.out_stdev_id = m->obj.id;
    cmd->mock_domain.out_hwpt_id = pt_id;
    cmd->mock_domain.out_idev_id = idev->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        goto err_unbind;
    }
    return 0;

err_unbind:
    /* unbinding detaches whatever the attach did */
    sim_obj_destroy(&m->obj);
    return rc;
}

void sim_mock_release(struct sim_mock_dev *m)
{
    struct sim_idev *idev = m->idev;

    idev->obj.users--;
    sim_idev_unbind(idev);
    g_free(m);
}

static struct sim_mock_dev *mock_get(struct sim_ictx *ictx, uint32_t id)
{
    return sim_obj_get(ictx, id, SIM_OBJ_SELFTEST);
}

static struct sim_idev *mock_idev_get(struct sim_ictx *ictx, uint32_t id)
{
    struct sim_idev *idev = sim_obj_get(ictx, id, SIM_OBJ_DEVICE);

    return idev && idev->mock ? idev : NULL;
}

/*
 * iommufd_device_attach() vs iommufd_device_replace(): attach refuses an
 * attachment that exists (EBUSY), replace one that doesn't (EINVAL).
 */
static int mock_attach(struct sim_ucmd *ucmd, uint32_t stdev_id, uint32_t key,
                       uint32_t *pt_id, bool replace)
{
    struct sim_mock_dev *m = mock_get(ucmd->ictx, stdev_id);
    bool attached;

    if (!m) {
        return -ENOENT;
    }
    if (key != SIM_KEY_RID && key >= (1u << SIM_MOCK_PASID_WIDTH)) {
        return -EINVAL;
    }
    attached = sim_idev_domain(m->idev, key) != NULL;
    if (!replace && attached) {
        return -EBUSY;
    }
    if (replace && !attached) {
        return -EINVAL;
    }
    return sim_idev_attach(m->idev, key, pt_id);
}

/* Device-side checks of mock_domain_nop_attach() and set_dev_pasid */
int sim_mock_attach_check(struct sim_idev *idev, uint32_t key,
                          struct sim_hwpt *hwpt)
{
    struct sim_mock_dev *m = idev->mock;

    /* a nested domain of a vIOMMU needs the device's vDEVICE there */
    if (hwpt->viommu && (!idev->vdev || idev->vdev->viommu != hwpt->viommu)) {
        return -ENOENT;
    }
    if ((hwpt->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
        (m->flags & SIM_MOCK_DEV_NO_DIRTY)) {
        return -EINVAL;
    }
    if (key != SIM_KEY_RID && !m->pdev.pasid_width) {
        return -EINVAL;
    }
    return 0;
}

/*
 * The driver's set_dev_pasid for PASID 1024: every other call fails, so
 * the second attach (a replace) fails and the core's rollback succeeds.
 */
int sim_mock_set_pasid(struct sim_idev *idev, uint32_t key, bool detach)
{
    struct sim_mock_dev *m = idev->mock;

    if (key != SIM_MOCK_PASID_FAKE_ERROR) {
        return 0;
    }
    if (detach) {
        m->pasid_fake_error = false;
        return 0;
    }
    if (m->pasid_fake_error) {
        /* failed; the rollback to the old domain arms it again */
        return -ENOMEM;
    }
    m->pasid_fake_error = true;
    return 0;
}

static int pasid_check_hwpt(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_mock_dev *m = mock_get(ucmd->ictx, cmd->id);
    struct sim_hwpt *cur;
    struct sim_obj *obj;

    if (!m) {
        return -ENOENT;
    }
    cur = sim_idev_domain(m->idev, cmd->pasid_check.pasid);
    if (!cmd->pasid_check.hwpt_id) {
        return cur ? -EINVAL : 0;
    }
    obj = sim_obj_lookup(ucmd->ictx, cmd->pasid_check.hwpt_id);
    if (!obj || (obj->type != SIM_OBJ_HWPT_PAGING &&
                 obj->type != SIM_OBJ_HWPT_NESTED)) {
        return -ENOENT;
    }
    return cur == (struct sim_hwpt *)obj ? 0 : -EINVAL;
}

static int dev_check_cache(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_idev *idev = mock_idev_get(ucmd->ictx, cmd->id);

    if (!idev) {
        return -ENOENT;
    }
    if (cmd->check_dev_cache.id >= SIM_MOCK_DEV_CACHE_NUM) {
        return -EINVAL;
    }
    return idev->mock->cache[cmd->check_dev_cache.id] ==
                   cmd->check_dev_cache.cache
               ? 0
               : -EINVAL;
}

static int trigger_iopf(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_idev *idev = mock_idev_get(ucmd->ictx, cmd->trigger_iopf.dev_id);
    struct iommu_hwpt_pgfault rec = {
        .flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
        .grpid = cmd->trigger_iopf.grpid,
        .perm = cmd->trigger_iopf.perm,
        .addr = cmd->trigger_iopf.addr,
    };

    if (!idev) {
        return -ENOENT;
    }
    rec.dev_id = idev->obj.id;
    if (cmd->trigger_iopf.pasid != SIM_KEY_RID) {
        rec.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
        rec.pasid = cmd->trigger_iopf.pasid;
    }
    /* the core answers it itself when nobody takes it: still 0 */
    sim_fault_report(idev, &rec, NULL);
    return 0;
}

static int trigger_vevent(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_idev *idev =
        mock_idev_get(ucmd->ictx, cmd->trigger_vevent.dev_id);
    struct sim_viommu_event_selftest ev;

    if (!idev) {
        return -ENOENT;
    }
    /* only with the vDEVICE the device had at its nested attach */
    if (!idev->vmaster || !idev->vmaster_vsid || !idev->rid_hwpt ||
        !idev->rid_hwpt->viommu) {
        return 0;
    }
    ev.virt_id = idev->vmaster_vsid;
    return sim_veventq_report(idev->rid_hwpt->viommu, SIM_VEVENTQ_TYPE_SELFTEST,
                              &ev, sizeof(ev));
}

/* ---- mock domains ---- */

static struct sim_hwpt *mock_hwpt_get(struct sim_ictx *ictx, uint32_t id)
{
    struct sim_obj *obj = sim_obj_lookup(ictx, id);

    if (!obj || (obj->type != SIM_OBJ_HWPT_PAGING &&
                 obj->type != SIM_OBJ_HWPT_NESTED)) {
        return NULL;
    }
    return (struct sim_hwpt *)obj;
}

static int md_check_iotlb(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_hwpt *hwpt = mock_hwpt_get(ucmd->ictx, cmd->id);

    if (!hwpt || hwpt->obj.type != SIM_OBJ_HWPT_NESTED ||
        hwpt->data_type != SIM_HWPT_DATA_SELFTEST) {
        return -EINVAL;
    }
    if (cmd->check_iotlb.id >= SIM_MOCK_IOTLB_NUM) {
        return -EINVAL;
    }
    return hwpt->data.mock_iotlb[cmd->check_iotlb.id] == cmd->check_iotlb.iotlb
               ? 0
               : -EINVAL;
}

/* Each page of [iova, iova + length) maps uptr's page at the same offset */
static int md_check_map(struct sim_ucmd *ucmd, struct sim_test_cmd *cmd)
{
    struct sim_hwpt *hwpt = mock_hwpt_get(ucmd->ictx, cmd->id);
    uint64_t iova = cmd->check_map.iova, len = cmd->check_map.length;

    if (!hwpt || !hwpt->ioas) {
        return -EINVAL;
    }
    if (!len || iova % SIM_MOCK_PAGE_SIZE || len % SIM_MOCK_PAGE_SIZE) {
        return -EINVAL;
    }
    for (uint64_t off = 0; off < len; off += SIM_MOCK_PAGE_SIZE) {
        struct sim_area *a = sim_ioas_find(hwpt->ioas, iova + off);

        if (!a ||
            a->user_va + (iova + off - a->iova) != cmd->check_map.uptr + off) {
            return -EINVAL;
        }
    }
    return 0;
}

static int copy_mock_data(const struct iommu_hwpt_alloc *cmd,
                          struct sim_hwpt_selftest *data)
{
    if (cmd->data_type != SIM_HWPT_DATA_SELFTEST) {
        return -EOPNOTSUPP;
    }
    /* iommu_copy_struct_from_user(): min_last is iotlb, no longer data */
    if (cmd->data_len < offsetofend(struct sim_hwpt_selftest, iotlb) ||
        cmd->data_len > sizeof(*data)) {
        return -EINVAL;
    }
    return sim_copy_struct_from_user(data, sizeof(*data), cmd->data_uptr,
                                     cmd->data_len);
}

static int mock_nested(struct sim_ucmd *ucmd, struct sim_hwpt *parent,
                       struct sim_viommu *viommu, struct sim_hwpt **out)
{
    const uint32_t valid = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
    struct iommu_hwpt_alloc *cmd = ucmd->cmd;
    struct sim_hwpt_selftest data;
    struct sim_hwpt *hwpt;
    int rc;

    if (cmd->flags & ~valid) {
        return -EOPNOTSUPP;
    }
    if (parent && (parent->auto_domain ||
                   !(parent->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))) {
        return -EINVAL;
    }
    rc = copy_mock_data(cmd, &data);
    if (rc) {
        return rc;
    }
    hwpt = sim_hwpt_new(ucmd->ictx, SIM_OBJ_HWPT_NESTED, cmd->flags);
    if (viommu) {
        hwpt->viommu = viommu;
        parent = viommu->parent;
        viommu->obj.users++;
    } else {
        hwpt->parent = parent;
        parent->obj.users++;
    }
    hwpt->ioas = parent->ioas;
    hwpt->data_type = SIM_HWPT_DATA_SELFTEST;
    for (unsigned int i = 0; i < SIM_MOCK_IOTLB_NUM; i++) {
        hwpt->data.mock_iotlb[i] = data.iotlb;
    }
    *out = hwpt;
    return 0;
}

/* HWPT_ALLOC for a mock device: the mock IOMMU takes the selftest data */
int sim_mock_hwpt_alloc(struct sim_ucmd *ucmd, struct sim_obj *pt,
                        struct sim_hwpt **out)
{
    struct iommu_hwpt_alloc *cmd = ucmd->cmd;
    struct sim_hwpt_selftest data = {0};
    struct sim_idev *idev;
    int rc;

    switch (pt->type) {
    case SIM_OBJ_IOAS:
        /* a paging domain may say which page table format it wants */
        if (cmd->data_type != IOMMU_HWPT_DATA_NONE) {
            rc = copy_mock_data(cmd, &data);
            if (rc) {
                return rc;
            }
        }
        /* a device that can't track dirty pages gets no such domain */
        idev = sim_obj_get(ucmd->ictx, cmd->dev_id, SIM_OBJ_DEVICE);
        if ((cmd->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
            (idev->mock_flags & SIM_MOCK_DEV_NO_DIRTY)) {
            return -EOPNOTSUPP;
        }
        rc = sim_hwpt_paging_alloc(ucmd->ictx, (struct sim_ioas *)pt,
                                   cmd->flags, true, out);
        if (!rc) {
            (*out)->mock_huge = data.pagetable_type == 1;
        }
        return rc;
    case SIM_OBJ_HWPT_PAGING:
        return mock_nested(ucmd, (struct sim_hwpt *)pt, NULL, out);
    case SIM_OBJ_VIOMMU:
        if (((struct sim_viommu *)pt)->type != SIM_VIOMMU_TYPE_SELFTEST) {
            return -EOPNOTSUPP;
        }
        return mock_nested(ucmd, NULL, (struct sim_viommu *)pt, out);
    default:
        return -EINVAL;
    }
}

/* HWPT_INVALIDATE of a nested mock domain: clears IOTLB words */
int sim_mock_hwpt_invalidate(const struct iommu_hwpt_invalidate *cmd,
                             struct sim_hwpt *hwpt, uint32_t *done)
{
    struct sim_hwpt_invalidate_selftest inv;
    int rc;

    if (cmd->data_type != SIM_HWPT_INVALIDATE_DATA_SELFTEST) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < cmd->entry_num; i++) {
        /* iommu_copy_struct_from_user_array(): no longer entries */
        if (cmd->entry_len < offsetofend(typeof(inv), iotlb_id) ||
            cmd->entry_len > sizeof(inv)) {
            return -EINVAL;
        }
        rc = sim_copy_struct_from_user(
            &inv, sizeof(inv), cmd->data_uptr + (uint64_t)i * cmd->entry_len,
            cmd->entry_len);
        if (rc) {
            return rc;
        }
        if (inv.flags & ~SIM_MOCK_INVALIDATE_ALL) {
            return -EOPNOTSUPP;
        }
        if (inv.iotlb_id >= SIM_MOCK_IOTLB_NUM) {
            return -EINVAL;
        }
        for (unsigned int j = 0; j < SIM_MOCK_IOTLB_NUM; j++) {
            if ((inv.flags & SIM_MOCK_INVALIDATE_ALL) || j == inv.iotlb_id) {
                hwpt->data.mock_iotlb[j] = 0;
            }
        }
        (*done)++;
    }
    return 0;
}

/* ---- selftest vIOMMU ---- */

/* VIOMMU_ALLOC data: echo in_data, and offer it through mmap() */
int sim_mock_viommu_data(struct sim_ucmd *ucmd, struct sim_viommu *viommu)
{
    struct iommu_viommu_alloc *cmd = ucmd->cmd;
    struct sim_viommu_selftest data;
    int rc;

    if (cmd->data_len < offsetofend(typeof(data), out_data) ||
        cmd->data_len > sizeof(data)) {
        return -EINVAL;
    }
    rc = sim_copy_struct_from_user(&data, sizeof(data), cmd->data_uptr,
                                   cmd->data_len);
    if (rc) {
        return rc;
    }
    viommu->mock_page_word = data.in_data;
    viommu->mmap_length = 2 * SIM_PAGE_SIZE;
    /* one region per vIOMMU: its id picks a distinct page offset */
    viommu->mmap_offset = (uint64_t)viommu->obj.id << 20;
    data.out_data = data.in_data;
    data.out_mmap_offset = viommu->mmap_offset;
    data.out_mmap_length = viommu->mmap_length;
    return sim_copy_to_user(cmd->data_uptr, &data,
                            MIN(cmd->data_len, sizeof(data)));
}

/* vIOMMU invalidation: clears the cache words of devices by vdev_id */
int sim_mock_viommu_invalidate(const struct iommu_hwpt_invalidate *cmd,
                               struct sim_viommu *viommu, uint32_t *done)
{
    g_autofree struct sim_viommu_invalidate_selftest *inv = NULL;
    int rc;

    if (cmd->data_type != SIM_VIOMMU_INVALIDATE_DATA_SELFTEST) {
        return -EINVAL;
    }
    if (!cmd->entry_num) {
        return 0;
    }
    /* iommu_copy_struct_from_full_user_array(): all, then process */
    inv = g_new0(struct sim_viommu_invalidate_selftest, cmd->entry_num);
    for (uint32_t i = 0; i < cmd->entry_num; i++) {
        rc = sim_copy_struct_from_user(
            &inv[i], sizeof(inv[i]),
            cmd->data_uptr + (uint64_t)i * cmd->entry_len, cmd->entry_len);
        if (rc) {
            return rc;
        }
    }
    for (uint32_t i = 0; i < cmd->entry_num; i++) {
        uint64_t vid = inv[i].vdev_id;
        struct sim_vdevice *vdev;

        if (inv[i].flags & ~SIM_MOCK_INVALIDATE_ALL) {
            return -EOPNOTSUPP;
        }
        if (inv[i].cache_id >= SIM_MOCK_DEV_CACHE_NUM) {
            return -EINVAL;
        }
        vdev = g_hash_table_lookup(viommu->vdevs, &vid);
        if (!vdev || !vdev->idev || !vdev->idev->mock) {
            return -EINVAL;
        }
        for (unsigned int j = 0; j < SIM_MOCK_DEV_CACHE_NUM; j++) {
            if ((inv[i].flags & SIM_MOCK_INVALIDATE_ALL) ||
                j == inv[i].cache_id) {
                vdev->idev->mock->cache[j] = 0;
            }
        }
        (*done)++;
    }
    return 0;
}

/*
 * mmap() of the iommufd at a vIOMMU's offset: exactly its offset and
 * length (ENXIO otherwise), shared, not executable.  The pages are ours,
 * filled like the mock's; the mapping pins the vIOMMU until munmap().
 */
void *sim_mock_mmap(struct sim_ictx *ictx, size_t len, int prot, int flags,
                    uint64_t off, int *err)
{
    struct sim_viommu *found = NULL;
    GHashTableIter it;
    struct sim_obj *obj;
    void *addr;

    if (len % SIM_PAGE_SIZE || !(flags & MAP_SHARED)) {
        *err = EINVAL;
        return MAP_FAILED;
    }
    if (prot & PROT_EXEC) {
        *err = EPERM;
        return MAP_FAILED;
    }
    g_hash_table_iter_init(&it, ictx->objs);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&obj)) {
        struct sim_viommu *v = (struct sim_viommu *)obj;

        if (obj->type == SIM_OBJ_VIOMMU && v->mmap_length &&
            v->mmap_offset == off && v->mmap_length == len) {
            found = v;
        }
    }
    if (!found) {
        *err = ENXIO;
        return MAP_FAILED;
    }
    addr = sim_libc.mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (addr == MAP_FAILED) {
        *err = errno;
        return MAP_FAILED;
    }
    *(uint32_t *)addr = found->mock_page_word;
    if (!(prot & PROT_WRITE)) {
        mprotect(addr, len, prot);
    }
    found->obj.users++;
    g_hash_table_insert(sim.mmaps, addr, found);
    return addr;
}

/* munmap() of one of those mappings: the vIOMMU may go again */
void sim_mock_munmap(void *addr)
{
    struct sim_viommu *v = g_hash_table_lookup(sim.mmaps, addr);

    if (!v) {
        return;
    }
    g_hash_table_remove(sim.mmaps, addr);
    v->obj.users--;
}

/* ---- HW queues (IOMMU_HW_QUEUE_ALLOC), selftest type only ---- */

void sim_hw_queue_release(struct sim_hw_queue *q)
{
    struct sim_ioas *ioas = q->viommu->parent->ioas;

    for (unsigned int i = 0; i < ioas->pins->len; i++) {
        if (g_ptr_array_index(ioas->pins, i) == q) {
            g_ptr_array_remove_index(ioas->pins, i);
            break;
        }
    }
    q->viommu->hw_queue[q->index] = NULL;
    q->viommu->obj.users--;
    if (q->prev) {
        q->prev->obj.users--;
    }
    g_free(q);
}

/* Every byte of [iova, last] is mapped in the IOAS */
static bool range_mapped(struct sim_ioas *ioas, uint64_t iova, uint64_t last)
{
    for (;;) {
        struct sim_area *a = sim_ioas_find(ioas, iova);

        if (!a) {
            return false;
        }
        if (a->iova + a->length - 1 >= last) {
            return true;
        }
        iova = a->iova + a->length;
    }
}

int sim_hw_queue_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
    struct sim_hw_queue *q, *prev = NULL;
    struct sim_viommu *viommu;
    struct sim_ioas *ioas;
    uint64_t last;
    int rc;

    if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT) {
        return -EOPNOTSUPP;
    }
    if (!cmd->length) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
                               &last)) {
        return -EOVERFLOW;
    }
    viommu = sim_obj_get(ucmd->ictx, cmd->viommu_id, SIM_OBJ_VIOMMU);
    if (!viommu) {
        return -ENOENT;
    }
    if (viommu->type != SIM_VIOMMU_TYPE_SELFTEST ||
        cmd->type != SIM_HW_QUEUE_TYPE_SELFTEST) {
        return -EOPNOTSUPP;
    }
    /* the queue's guest memory is pinned through the parent's IOAS */
    ioas = viommu->parent->ioas;
    if (!range_mapped(ioas, cmd->nesting_parent_iova, last)) {
        return -ENOENT;
    }
    if (cmd->index >= SIM_MOCK_HW_QUEUE_MAX) {
        return -EINVAL;
    }
    if (viommu->hw_queue[cmd->index]) {
        return -EEXIST;
    }
    /* queue N depends on queue N - 1 */
    if (cmd->index) {
        prev = viommu->hw_queue[cmd->index - 1];
        if (!prev) {
            return -EIO;
        }
    }
    q = sim_obj_alloc(ucmd->ictx, SIM_OBJ_HW_QUEUE, sizeof(*q));
    q->viommu = viommu;
    q->index = cmd->index;
    q->iova = cmd->nesting_parent_iova;
    q->last = last;
    q->prev = prev;
    viommu->obj.users++;
    if (prev) {
        prev->obj.users++;
    }
    viommu->hw_queue[q->index] = q;
    g_ptr_array_add(ioas->pins, q);
    sim_obj_insert(&q->obj);
    cmd->out_hw_queue_id = q->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        sim_obj_destroy(&q->obj);
    }
    return rc;
}

/* IOAS_UNMAP must not take pages a HW queue pinned (EBUSY) */
bool sim_ioas_pinned(struct sim_ioas *ioas, uint64_t iova, uint64_t last)
{
    for (unsigned int i = 0; i < ioas->pins->len; i++) {
        struct sim_hw_queue *q = g_ptr_array_index(ioas->pins, i);

        if (q->iova <= last && iova <= q->last) {
            return true;
        }
    }
    return false;
}

/* ---- IOMMU_TEST_CMD ---- */

int sim_test_cmd(struct sim_ucmd *ucmd)
{
    struct sim_test_cmd *cmd = ucmd->cmd;
    uint32_t pt_id;
    int rc;

    switch (cmd->op) {
    case SIM_TEST_OP_MOCK_DOMAIN:
    case SIM_TEST_OP_MOCK_DOMAIN_FLAGS:
        return mock_domain(ucmd, cmd);
    case SIM_TEST_OP_MOCK_DOMAIN_REPLACE:
        pt_id = cmd->mock_domain_replace.pt_id;
        rc = mock_attach(ucmd, cmd->id, SIM_KEY_RID, &pt_id, true);
        if (rc) {
            return rc;
        }
        cmd->mock_domain_replace.pt_id = pt_id;
        return sim_ucmd_respond(ucmd);
    case SIM_TEST_OP_PASID_ATTACH:
    case SIM_TEST_OP_PASID_REPLACE:
        pt_id = cmd->pasid_attach.pt_id;
        rc = mock_attach(ucmd, cmd->id, cmd->pasid_attach.pasid, &pt_id,
                         cmd->op == SIM_TEST_OP_PASID_REPLACE);
        if (rc) {
            return rc;
        }
        cmd->pasid_attach.pt_id = pt_id;
        return sim_ucmd_respond(ucmd);
    case SIM_TEST_OP_PASID_DETACH: {
        struct sim_mock_dev *m = mock_get(ucmd->ictx, cmd->id);

        if (!m) {
            return -ENOENT;
        }
        sim_idev_detach(m->idev, cmd->pasid_attach.pasid);
        return 0;
    }
    case SIM_TEST_OP_PASID_CHECK_HWPT:
        return pasid_check_hwpt(ucmd, cmd);
    case SIM_TEST_OP_DEV_CHECK_CACHE:
        return dev_check_cache(ucmd, cmd);
    case SIM_TEST_OP_MD_CHECK_IOTLB:
        return md_check_iotlb(ucmd, cmd);
    case SIM_TEST_OP_MD_CHECK_MAP:
        return md_check_map(ucmd, cmd);
    case SIM_TEST_OP_MD_CHECK_REFS:
        /* nothing is ever pinned here: only "no references" holds */
        return cmd->check_refs.refs ? -EINVAL : 0;
    case SIM_TEST_OP_ADD_RESERVED: {
        struct sim_ioas *ioas = sim_obj_get(ucmd->ictx, cmd->id, SIM_OBJ_IOAS);

        if (!ioas) {
            return -ENOENT;
        }
        return sim_ioas_add_reserved(ioas, cmd->add_reserved.start,
                                     cmd->add_reserved.length);
    }
    case SIM_TEST_OP_DIRTY: {
        uint64_t count = 0;

        rc = sim_mock_dirty(ucmd, cmd->id, cmd->dirty.iova, cmd->dirty.length,
                            cmd->dirty.page_size, cmd->dirty.uptr, &count);
        if (rc) {
            return rc;
        }
        cmd->dirty.out_nr_dirty = count;
        return sim_ucmd_respond(ucmd);
    }
    case SIM_TEST_OP_SET_TEMP_MEMORY_LIMIT:
        return 0; /* no page accounting to limit */
    case SIM_TEST_OP_TRIGGER_IOPF:
        return trigger_iopf(ucmd, cmd);
    case SIM_TEST_OP_TRIGGER_VEVENT:
        return trigger_vevent(ucmd, cmd);
    default:
        /* access objects, dma-buf */
        return -EOPNOTSUPP;
    }
}
