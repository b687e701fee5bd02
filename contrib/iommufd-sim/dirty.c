/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dirty tracking of paging domains: IOMMU_HWPT_SET_DIRTY_TRACKING,
 * IOMMU_HWPT_GET_DIRTY_BITMAP, and the selftest's IOMMU_TEST_OP_DIRTY that
 * plays the hardware setting dirty bits.  Linux 7.2's hw_pagetable.c and
 * io_pagetable.c (iopt_read_and_clear_dirty_data()):
 *
 *  - only a domain allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING has dirty
 *    ops (EOPNOTSUPP otherwise); enabling clears what was recorded;
 *  - a read needs tracking enabled (EINVAL), an IOVA range aligned to the
 *    IOAS and to page_size, and sets one bit per page_size of every dirty
 *    PTE inside mapped areas, OR-ing into the caller's bitmap; the bits
 *    are cleared unless IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR.
 *
 * Dirty state is kept per PTE: the domain's granule (the mock's 2 KiB,
 * or 1 MiB for its huge page table; 4 KiB otherwise), a set of granule
 * numbers.  Simulated DMA writes mark the paging domain they go through
 * (for nested translation, the nest parent), as the hardware's dirty
 * bit would.
 */
#include <errno.h>

#include "selftest-abi.h"
#include "sim-internal.h"

#define MOCK_HUGE_PTE (512ull * SIM_MOCK_PAGE_SIZE)

static uint64_t granule(const struct sim_hwpt *hwpt)
{
    if (!hwpt->mock) {
        return SIM_PAGE_SIZE;
    }
    return hwpt->mock_huge ? MOCK_HUGE_PTE : SIM_MOCK_PAGE_SIZE;
}

void sim_hwpt_dirty_free(struct sim_hwpt *hwpt)
{
    if (hwpt->dirty) {
        g_hash_table_unref(hwpt->dirty);
    }
}

static struct sim_hwpt *dirty_hwpt(struct sim_ictx *ictx, uint32_t id)
{
    return sim_obj_get(ictx, id, SIM_OBJ_HWPT_PAGING);
}

int sim_hwpt_set_dirty_tracking(struct sim_ucmd *ucmd)
{
    struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
    struct sim_hwpt *hwpt;
    bool enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;

    if ((cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE) || cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    hwpt = dirty_hwpt(ucmd->ictx, cmd->hwpt_id);
    if (!hwpt) {
        return -ENOENT;
    }
    if (!(hwpt->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)) {
        return -EOPNOTSUPP;
    }
    if (enable && !hwpt->dirty_tracking) {
        /* start from clean */
        if (hwpt->dirty) {
            g_hash_table_remove_all(hwpt->dirty);
        } else {
            hwpt->dirty = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                g_free, NULL);
        }
    }
    hwpt->dirty_tracking = enable;
    return 0;
}

/* Hardware writing through a tracking domain: its PTE becomes dirty */
void sim_hwpt_mark_dirty(struct sim_hwpt *hwpt, uint64_t iova)
{
    uint64_t g;

    if (!hwpt || !hwpt->dirty_tracking) {
        return;
    }
    g = iova / granule(hwpt);
    if (!g_hash_table_contains(hwpt->dirty, &g)) {
        g_hash_table_add(hwpt->dirty, g_memdup2(&g, sizeof(g)));
    }
}

static void mark(struct sim_hwpt *hwpt, uint64_t iova)
{
    uint64_t g = iova / granule(hwpt);

    if (!sim_ioas_find(hwpt->ioas, iova)) {
        return; /* no PTE, no dirty bit */
    }
    if (!g_hash_table_contains(hwpt->dirty, &g)) {
        g_hash_table_add(hwpt->dirty, g_memdup2(&g, sizeof(g)));
    }
}

/* IOMMU_TEST_OP_DIRTY: the "hardware" dirties the pages of a bitmap */
int sim_mock_dirty(struct sim_ucmd *ucmd, uint32_t id, uint64_t iova,
                   uint64_t length, uint64_t page_size, uint64_t uptr,
                   uint64_t *count)
{
    struct sim_hwpt *hwpt;
    uint64_t max, n = 0;
    uint8_t byte = 0;
    int rc;

    if (!page_size || !length || iova % page_size || length % page_size ||
        !uptr) {
        return -EINVAL;
    }
    max = length / page_size;
    if (max > (16ull << 20) * 8) {
        return -EOVERFLOW;
    }
    hwpt = dirty_hwpt(ucmd->ictx, id);
    if (!hwpt || !hwpt->mock) {
        return -ENOENT;
    }
    if (!hwpt->dirty_tracking) {
        return -EINVAL;
    }
    /* the kernel copies the whole bitmap first */
    rc = sim_copy_from_user(&byte, uptr + (max - 1) / 8, 1);
    if (rc) {
        return rc;
    }
    for (uint64_t i = 0; i < max; i++) {
        if (i % 8 == 0) {
            rc = sim_copy_from_user(&byte, uptr + i / 8, 1);
            if (rc) {
                return rc;
            }
        }
        if (!(byte & (1u << (i % 8)))) {
            continue;
        }
        mark(hwpt, iova + i * page_size);
        n++;
    }
    *count = n;
    return 0;
}

/* Set bits [first, last] of the caller's bitmap, keeping the others */
static int set_bits(uint64_t data, uint64_t first, uint64_t last)
{
    uint64_t i = first;

    while (i <= last) {
        uint8_t byte;
        int rc = sim_copy_from_user(&byte, data + i / 8, 1);

        if (rc) {
            return rc;
        }
        do {
            byte |= 1u << (i % 8);
            i++;
        } while (i <= last && i % 8);
        rc = sim_copy_to_user(data + (i - 1) / 8, &byte, 1);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

int sim_hwpt_get_dirty_bitmap(struct sim_ucmd *ucmd)
{
    struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
    g_autoptr(GPtrArray) hits = NULL;
    struct sim_hwpt *hwpt;
    uint64_t last, align, g;
    GHashTableIter it;
    uint64_t *key;
    int rc;

    if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
        cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    hwpt = dirty_hwpt(ucmd->ictx, cmd->hwpt_id);
    if (!hwpt) {
        return -ENOENT;
    }
    if (!(hwpt->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)) {
        return -EOPNOTSUPP;
    }
    /* iommufd_check_iova_range() */
    if (!cmd->length ||
        __builtin_add_overflow(cmd->iova, cmd->length - 1, &last)) {
        return -EOVERFLOW;
    }
    align = sim_ioas_alignment(hwpt->ioas);
    if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1))) {
        return -EINVAL;
    }
    if (!cmd->page_size || (cmd->iova % cmd->page_size) ||
        ((last + 1) % cmd->page_size)) {
        return -EINVAL;
    }
    if (!hwpt->dirty_tracking) {
        return -EINVAL;
    }

    g = granule(hwpt);
    hits = g_ptr_array_new();
    g_hash_table_iter_init(&it, hwpt->dirty);
    while (g_hash_table_iter_next(&it, (gpointer *)&key, NULL)) {
        uint64_t start = *key * g, end = start + g - 1;

        if (end < cmd->iova || start > last) {
            continue;
        }
        start = MAX(start, cmd->iova);
        end = MIN(end, last);
        rc = set_bits(cmd->data, (start - cmd->iova) / cmd->page_size,
                      (end - cmd->iova) / cmd->page_size);
        if (rc) {
            return rc;
        }
        g_ptr_array_add(hits, key);
    }
    if (!(cmd->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)) {
        for (unsigned int i = 0; i < hits->len; i++) {
            g_hash_table_remove(hwpt->dirty, g_ptr_array_index(hits, i));
        }
    }
    return 0;
}
