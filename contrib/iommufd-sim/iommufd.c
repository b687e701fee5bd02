/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /dev/iommu ioctl dispatch, IOMMU_DESTROY and the IOAS commands.
 *
 * Dispatch follows drivers/iommu/iommufd/main.c: the leading u32 "size" is
 * the caller's struct size; below the per-command minimum (the end of the
 * struct's first released version) -> EINVAL; a longer struct is accepted
 * only if the bytes we don't know are zero (E2BIG); the answer is copied
 * back truncated to the caller's size.
 *
 * IOAS semantics follow drivers/iommu/iommufd/io_pagetable.c, minus the page
 * pinning: an area records its user_va and is never touched until a
 * simulated DMA reads through it.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "selftest-abi.h"
#include "sim-internal.h"

#define offsetofend(t, f) (offsetof(t, f) + sizeof(((t *)0)->f))

static int do_destroy(struct sim_ucmd *ucmd)
{
    struct iommu_destroy *cmd = ucmd->cmd;

    return sim_obj_destroy_user(ucmd->ictx, cmd->id);
}

struct ioctl_op {
    unsigned int nr;
    size_t size;
    size_t min_size;
    int (*fn)(struct sim_ucmd *ucmd);
};

#define OP(_nr, _fn, _s, _last)                                              \
    {                                                                        \
        IOMMUFD_CMD_##_nr, sizeof(struct _s), offsetofend(struct _s, _last), \
            _fn                                                              \
    }

static const struct ioctl_op ops[] = {
    OP(DESTROY, do_destroy, iommu_destroy, id),
    OP(IOAS_ALLOC, sim_ioas_alloc, iommu_ioas_alloc, out_ioas_id),
    OP(IOAS_IOVA_RANGES, sim_ioas_iova_ranges, iommu_ioas_iova_ranges,
       out_iova_alignment),
    OP(IOAS_MAP, sim_ioas_map, iommu_ioas_map, iova),
    OP(IOAS_UNMAP, sim_ioas_unmap, iommu_ioas_unmap, length),
    /* 6.6 layouts end at the first __reserved */
    OP(HWPT_ALLOC, sim_hwpt_alloc, iommu_hwpt_alloc, __reserved),
    OP(GET_HW_INFO, sim_get_hw_info, iommu_hw_info, __reserved),
    OP(HWPT_INVALIDATE, sim_hwpt_invalidate, iommu_hwpt_invalidate, __reserved),
    OP(FAULT_QUEUE_ALLOC, sim_fault_alloc, iommu_fault_alloc, out_fault_fd),
    OP(VIOMMU_ALLOC, sim_viommu_alloc, iommu_viommu_alloc, out_viommu_id),
    OP(VDEVICE_ALLOC, sim_vdevice_alloc, iommu_vdevice_alloc, virt_id),
    OP(VEVENTQ_ALLOC, sim_veventq_alloc, iommu_veventq_alloc, out_veventq_fd),
    OP(IOAS_CHANGE_PROCESS, sim_ioas_change_process, iommu_ioas_change_process,
       __reserved),
    OP(HW_QUEUE_ALLOC, sim_hw_queue_alloc, iommu_hw_queue_alloc, length),
    OP(OPTION, sim_option, iommu_option, val64),
    OP(IOAS_ALLOW_IOVAS, sim_ioas_allow_iovas, iommu_ioas_allow_iovas,
       allowed_iovas),
    OP(IOAS_COPY, sim_ioas_copy, iommu_ioas_copy, src_iova),
    OP(IOAS_MAP_FILE, sim_ioas_map_file, iommu_ioas_map_file, iova),
    OP(HWPT_SET_DIRTY_TRACKING, sim_hwpt_set_dirty_tracking,
       iommu_hwpt_set_dirty_tracking, __reserved),
    OP(HWPT_GET_DIRTY_BITMAP, sim_hwpt_get_dirty_bitmap,
       iommu_hwpt_get_dirty_bitmap, data),
    /* the kernel selftest's mock (CONFIG_IOMMUFD_TEST) */
    {IOMMUFD_CMD_BASE + 32, sizeof(struct sim_test_cmd),
     offsetofend(struct sim_test_cmd, last), sim_test_cmd},
};

static const struct ioctl_op *find_op(unsigned long cmd)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        if (cmd == _IO(IOMMUFD_TYPE, ops[i].nr)) {
            return &ops[i];
        }
    }
    return NULL;
}

int sim_ucmd_respond(struct sim_ucmd *ucmd)
{
    return sim_copy_to_user(ucmd->ubuf, ucmd->cmd,
                            MIN(ucmd->user_size, ucmd->ksize));
}

long sim_iommufd_ioctl(struct sim_ictx *ictx, unsigned long cmd, uint64_t arg)
{
    uint64_t buf[10]; /* the largest command struct is 72 bytes */
    struct sim_ucmd ucmd = {.ictx = ictx, .ubuf = arg, .cmd = buf};
    const struct ioctl_op *op = find_op(cmd);
    int rc;

    /* commands we don't implement, and the VFIO-compat range, are ENOTTY */
    if (!op) {
        return -ENOTTY;
    }
    rc = sim_copy_from_user(&ucmd.user_size, arg, sizeof(ucmd.user_size));
    if (rc) {
        return rc;
    }
    if (ucmd.user_size < op->min_size) {
        return -EINVAL;
    }
    G_STATIC_ASSERT(sizeof(buf) >= sizeof(struct iommu_hwpt_alloc));
    G_STATIC_ASSERT(sizeof(buf) >= sizeof(struct sim_test_cmd));
    ucmd.ksize = op->size;
    rc = sim_copy_struct_from_user(buf, op->size, arg, ucmd.user_size);
    if (rc) {
        return rc;
    }
    return op->fn(&ucmd);
}

/*
 * An injected failure of @cmd: no side effects, except what the kernel
 * writes back even when it fails.  HWPT_INVALIDATE reports in entry_num
 * how many entries it processed, so a failure before the first one says
 * 0 (hw_pagetable.c: "cmd->entry_num = done_num" on every path).  A
 * struct too short for the command got EINVAL before the handler ran.
 */
void sim_iommufd_injected(unsigned long cmd, uint64_t arg)
{
    const size_t at = offsetof(struct iommu_hwpt_invalidate, entry_num);
    const uint32_t zero = 0;
    uint32_t user_size;

    if (cmd != IOMMU_HWPT_INVALIDATE) {
        return;
    }
    if (sim_copy_from_user(&user_size, arg, sizeof(user_size)) ||
        user_size < offsetofend(struct iommu_hwpt_invalidate, __reserved)) {
        return;
    }
    sim_copy_to_user(arg + at, &zero, sizeof(zero));
}

/* ---- IOAS ---- */

static unsigned int iova_bits(void)
{
    static const unsigned int oas[] = {32, 36, 40, 42, 44, 48, 52};
    const struct sim_iommu_cfg *c = &sim.cfg.iommu;
    unsigned int v;

    if (c->type == SIM_IOMMU_VTD) {
        return ((c->cap_reg >> 16) & 0x3f) + 1; /* MGAW + 1 */
    }
    v = c->idr[5] & 7;
    return v < G_N_ELEMENTS(oas) ? oas[v] : 48;
}

/* The last IOVA a VT-d or SMMUv3 paging domain translates */
uint64_t sim_iova_limit(void)
{
    unsigned int bits = iova_bits();

    return bits >= 64 ? UINT64_MAX : (1ull << bits) - 1;
}

int sim_ioas_alloc(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_alloc *cmd = ucmd->cmd;
    struct sim_ioas *ioas;
    int rc;

    if (cmd->flags) {
        return -EOPNOTSUPP;
    }
    ioas = sim_obj_alloc(ucmd->ictx, SIM_OBJ_IOAS, sizeof(*ioas));
    ioas->areas = g_array_new(FALSE, FALSE, sizeof(struct sim_area));
    ioas->pins = g_ptr_array_new();
    ioas->reserved = g_array_new(FALSE, FALSE, 2 * sizeof(uint64_t));
    ioas->allowed = g_array_new(FALSE, FALSE, 2 * sizeof(uint64_t));
    sim_obj_insert(&ioas->obj);
    cmd->out_ioas_id = ioas->obj.id;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        sim_obj_destroy(&ioas->obj);
    }
    return rc;
}

/* An area goes: the last one using a file mapping unmaps it */
static void area_drop(struct sim_area *a)
{
    if (a->fmap && !--a->fmap->refs) {
        sim_libc.munmap(a->fmap->base, a->fmap->len);
        g_free(a->fmap);
    }
}

void sim_ioas_free(struct sim_ioas *ioas)
{
    for (unsigned int i = 0; i < ioas->areas->len; i++) {
        area_drop(&g_array_index(ioas->areas, struct sim_area, i));
    }
    g_array_unref(ioas->areas);
    g_ptr_array_unref(ioas->pins);
    g_array_unref(ioas->reserved);
    g_array_unref(ioas->allowed);
    g_free(ioas);
}

static inline uint64_t area_last(const struct sim_area *a)
{
    return a->iova + a->length - 1;
}

/* Index of the first area whose end is at or above iova */
static unsigned int area_lower_bound(struct sim_ioas *ioas, uint64_t iova)
{
    unsigned int lo = 0, hi = ioas->areas->len;

    while (lo < hi) {
        unsigned int mid = (lo + hi) / 2;

        if (area_last(&g_array_index(ioas->areas, struct sim_area, mid)) <
            iova) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

struct sim_area *sim_ioas_find(struct sim_ioas *ioas, uint64_t iova)
{
    unsigned int i = area_lower_bound(ioas, iova);
    struct sim_area *a;

    if (i >= ioas->areas->len) {
        return NULL;
    }
    a = &g_array_index(ioas->areas, struct sim_area, i);
    return a->iova <= iova ? a : NULL;
}

/* Does an area intersect [iova, last]? */
bool sim_ioas_find_range(struct sim_ioas *ioas, uint64_t iova, uint64_t last)
{
    unsigned int i = area_lower_bound(ioas, iova);

    return i < ioas->areas->len &&
           g_array_index(ioas->areas, struct sim_area, i).iova <= last;
}

/* MAP and MAP_FILE once the memory is known: place it and record it */
static int ioas_map_common(struct sim_ucmd *ucmd, struct sim_ioas *ioas,
                           uint64_t user_va, uint64_t length, uint32_t flags,
                           __u64 *iova, struct sim_file_map *fmap)
{
    struct sim_area area;
    uint64_t at = *iova;
    int rc;

    /*
     * Aligned to the IOAS's domains (1 without any: no page rule), and
     * so is the address's offset in its page
     */
    if (!length || length & (sim_ioas_alignment(ioas) - 1) ||
        (user_va % SIM_PAGE_SIZE) & (sim_ioas_alignment(ioas) - 1)) {
        return -EINVAL;
    }
    if (flags & IOMMU_IOAS_MAP_FIXED_IOVA) {
        rc = sim_ioas_check_fixed(ioas, at, length);
    } else {
        rc = sim_ioas_alloc_iova(ioas, user_va, length, &at);
    }
    if (rc) {
        return rc;
    }
    area = (struct sim_area){
        .iova = at,
        .length = length,
        .user_va = user_va,
        .flags = flags,
        .fmap = fmap,
    };
    g_array_insert_val(ioas->areas, area_lower_bound(ioas, at), area);
    *iova = at;
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        /* the caller still owns fmap */
        g_array_remove_index(ioas->areas, area_lower_bound(ioas, at));
    }
    return rc;
}

int sim_ioas_map(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_map *cmd = ucmd->cmd;
    const uint32_t valid = IOMMU_IOAS_MAP_FIXED_IOVA |
                           IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
    struct sim_ioas *ioas;

    if ((cmd->flags & ~valid) || cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX) {
        return -EOVERFLOW;
    }
    ioas = sim_obj_get(ucmd->ictx, cmd->ioas_id, SIM_OBJ_IOAS);
    if (!ioas) {
        return -ENOENT;
    }
    return ioas_map_common(ucmd, ioas, cmd->user_va, cmd->length, cmd->flags,
                           &cmd->iova, NULL);
}

/*
 * IOAS_MAP_FILE (ioas.c, iopt_map_file_pages()): [start, start + length)
 * of a regular (memfd, shmem) file.  We map it into our address space so
 * that simulated DMA reaches it like user memory; such areas survive
 * IOAS_CHANGE_PROCESS.
 */
int sim_ioas_map_file(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_map_file *cmd = ucmd->cmd;
    const uint32_t valid = IOMMU_IOAS_MAP_FIXED_IOVA |
                           IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
    struct sim_file_map *fmap;
    struct sim_ioas *ioas;
    uint64_t off, end;
    struct stat st;
    void *base;
    int rc;

    if (cmd->iova >= UINT64_MAX || cmd->length >= UINT64_MAX) {
        return -EOVERFLOW;
    }
    if (cmd->flags & ~valid) {
        return -EOPNOTSUPP;
    }
    ioas = sim_obj_get(ucmd->ictx, cmd->ioas_id, SIM_OBJ_IOAS);
    if (!ioas) {
        return -ENOENT;
    }
    if (fstat(cmd->fd, &st)) {
        return -EBADF;
    }
    if (!S_ISREG(st.st_mode) || !cmd->length) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(cmd->start, cmd->length, &end)) {
        return -EOVERFLOW;
    }
    if (end > (uint64_t)st.st_size) {
        return -EINVAL;
    }
    off = cmd->start % SIM_PAGE_SIZE;
    base = sim_libc.mmap(NULL, off + cmd->length, PROT_READ | PROT_WRITE,
                         MAP_SHARED, cmd->fd, cmd->start - off);
    if (base == MAP_FAILED) {
        base = sim_libc.mmap(NULL, off + cmd->length, PROT_READ, MAP_SHARED,
                             cmd->fd, cmd->start - off);
    }
    if (base == MAP_FAILED) {
        return -EINVAL;
    }
    fmap = g_new(struct sim_file_map, 1);
    *fmap = (struct sim_file_map){base, off + cmd->length, 1};
    rc = ioas_map_common(ucmd, ioas, (uintptr_t)base + off, cmd->length,
                         cmd->flags, &cmd->iova, fmap);
    if (rc) {
        sim_libc.munmap(base, fmap->len);
        g_free(fmap);
    }
    return rc;
}

/*
 * Areas are removed whole, in IOVA order; one that sticks out of the range
 * stops the walk with ENOENT (areas before it stay unmapped, as in the
 * kernel).  Unmapping everything from an empty IOAS succeeds.
 */
int sim_ioas_unmap(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_unmap *cmd = ucmd->cmd;
    bool all = !cmd->iova && cmd->length == UINT64_MAX;
    uint64_t last, unmapped = 0;
    struct sim_ioas *ioas;
    int rc = -ENOENT;

    ioas = sim_obj_get(ucmd->ictx, cmd->ioas_id, SIM_OBJ_IOAS);
    if (!ioas) {
        return -ENOENT;
    }
    if (all) {
        last = UINT64_MAX;
    } else {
        if (!cmd->length) {
            return -EINVAL;
        }
        if (__builtin_add_overflow(cmd->iova, cmd->length - 1, &last)) {
            return -EOVERFLOW;
        }
    }
    for (;;) {
        unsigned int i = area_lower_bound(ioas, cmd->iova);
        struct sim_area *a;

        if (i >= ioas->areas->len) {
            break;
        }
        a = &g_array_index(ioas->areas, struct sim_area, i);
        if (a->iova > last) {
            break;
        }
        if (a->iova < cmd->iova || area_last(a) > last) {
            rc = -ENOENT;
            break;
        }
        /* pages a HW queue pinned stay (iopt_unmap_iova_range()) */
        if (sim_ioas_pinned(ioas, a->iova, area_last(a))) {
            rc = -EBUSY;
            break;
        }
        unmapped += a->length;
        area_drop(a);
        g_array_remove_index(ioas->areas, i);
        rc = 0;
    }
    if (all && rc == -ENOENT && !unmapped) {
        rc = 0;
    }
    if (rc) {
        return rc;
    }
    cmd->length = unmapped;
    return sim_ucmd_respond(ucmd);
}

/*
 * ioas.c: every mapping of every IOAS must be file-backed to move to the
 * caller's mm (EINVAL otherwise); with none at all there is nothing to
 * move and the answer is 0, what a VMM's live-update probe sees.
 */
int sim_ioas_change_process(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_change_process *cmd = ucmd->cmd;
    GHashTableIter it;
    struct sim_obj *obj;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    g_hash_table_iter_init(&it, ucmd->ictx->objs);
    while (g_hash_table_iter_next(&it, NULL, (gpointer *)&obj)) {
        struct sim_ioas *ioas = (struct sim_ioas *)obj;

        if (obj->type != SIM_OBJ_IOAS) {
            continue;
        }
        for (unsigned int i = 0; i < ioas->areas->len; i++) {
            if (!g_array_index(ioas->areas, struct sim_area, i).fmap) {
                return -EINVAL;
            }
        }
    }
    return 0;
}

/*
 * IOAS_COPY (ioas.c, iopt_get_pages()): the pages behind
 * [src_iova, +length) -- areas that cover it without a gap, else ENOENT --
 * mapped again in the destination, fixed or allocated there.
 */
int sim_ioas_copy(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_copy *cmd = ucmd->cmd;
    const uint32_t valid = IOMMU_IOAS_MAP_FIXED_IOVA |
                           IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
    g_autoptr(GArray) pieces =
        g_array_new(FALSE, FALSE, sizeof(struct sim_area));
    struct sim_ioas *src, *dst;
    uint64_t cur, last, dst_iova = cmd->dst_iova;
    int rc;

    if (cmd->length >= UINT64_MAX || cmd->src_iova >= UINT64_MAX ||
        cmd->dst_iova >= UINT64_MAX) {
        return -EOVERFLOW;
    }
    if (cmd->flags & ~valid) {
        return -EOPNOTSUPP;
    }
    src = sim_obj_get(ucmd->ictx, cmd->src_ioas_id, SIM_OBJ_IOAS);
    if (!src) {
        return -ENOENT;
    }
    if (!cmd->length) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(cmd->src_iova, cmd->length - 1, &last)) {
        return -EOVERFLOW;
    }
    for (cur = cmd->src_iova;;) {
        struct sim_area *a = sim_ioas_find(src, cur);
        struct sim_area p;

        if (!a) {
            return -ENOENT;
        }
        p = (struct sim_area){
            .iova = cur - cmd->src_iova,
            .user_va = a->user_va + (cur - a->iova),
            .length = MIN(area_last(a), last) - cur + 1,
            .flags = cmd->flags & ~IOMMU_IOAS_MAP_FIXED_IOVA,
            .fmap = a->fmap,
        };
        g_array_append_val(pieces, p);
        if (area_last(a) >= last) {
            break;
        }
        cur = area_last(a) + 1;
    }
    dst = sim_obj_get(ucmd->ictx, cmd->dst_ioas_id, SIM_OBJ_IOAS);
    if (!dst) {
        return -ENOENT;
    }
    if (cmd->length & (sim_ioas_alignment(dst) - 1)) {
        return -EINVAL;
    }
    if (cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) {
        rc = sim_ioas_check_fixed(dst, dst_iova, cmd->length);
    } else {
        rc = sim_ioas_alloc_iova(
            dst, g_array_index(pieces, struct sim_area, 0).user_va, cmd->length,
            &dst_iova);
    }
    if (rc) {
        return rc;
    }
    for (unsigned int i = 0; i < pieces->len; i++) {
        struct sim_area p = g_array_index(pieces, struct sim_area, i);

        p.iova += dst_iova;
        if (p.fmap) {
            p.fmap->refs++;
        }
        g_array_insert_val(dst->areas, area_lower_bound(dst, p.iova), p);
    }
    cmd->dst_iova = dst_iova;
    return sim_ucmd_respond(ucmd);
}
