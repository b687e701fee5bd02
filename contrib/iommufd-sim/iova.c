/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IOVA space of an IOAS: what may be mapped where, and with which
 * alignment.  Linux 7.2's io_pagetable.c and ioas.c:
 *
 *  - each paging domain of the IOAS (every paging HWPT allocated on it,
 *    automatic or not) reserves what lies outside its aperture and raises
 *    the IOAS's IOVA alignment to its smallest page size; with no domain
 *    the alignment is 1 (PAGE_SIZE once huge pages are turned off);
 *  - ADD_RESERVED (selftest) reserves more; IOAS_ALLOW_IOVAS restricts
 *    where automatic allocation may look (not fixed mappings);
 *  - IOVA_RANGES reports the holes between reserved ranges;
 *  - a mapping's length, and its address's offset in the page, must be
 *    aligned; a fixed one's IOVA too, and it may not touch a reserved
 *    range (EINVAL) or an area (EEXIST); an automatic one keeps the user
 *    address's page offset, is aligned to the smaller of the length's and
 *    the address's natural alignment (at most 2 MiB, at least the IOAS's)
 *    and is searched from PAGE_SIZE upwards.
 *
 * The sets are small (a few domains, a few reserved and allowed ranges);
 * areas are sorted.  Nothing here runs per DMA.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "selftest-abi.h"
#include "sim-internal.h"

#define HPAGE_SIZE (2ull << 20)

struct range {
    uint64_t start, last;
};

/* The domain's aperture and smallest page */
static void domain_geometry(const struct sim_hwpt *hwpt, struct range *ap,
                            uint64_t *page)
{
    if (hwpt->mock) {
        ap->start = SIM_MOCK_APERTURE_START;
        ap->last = SIM_MOCK_APERTURE_LAST;
        *page = SIM_MOCK_PAGE_SIZE;
        return;
    }
    ap->start = 0;
    ap->last = sim_iova_limit();
    *page = SIM_PAGE_SIZE;
}

/* Calls fn for every paging domain of the IOAS */
#define for_each_domain(ioas, h, it)                             \
    for (g_hash_table_iter_init(&(it), (ioas)->obj.ictx->objs);  \
         g_hash_table_iter_next(&(it), NULL, (gpointer *)&(h));) \
        if ((h)->obj.type == SIM_OBJ_HWPT_PAGING && (h)->ioas == (ioas))

uint64_t sim_ioas_alignment(struct sim_ioas *ioas)
{
    uint64_t align = ioas->no_huge ? SIM_PAGE_SIZE : 1, page;
    struct sim_hwpt *h;
    GHashTableIter it;
    struct range ap;

    for_each_domain(ioas, h, it)
    {
        domain_geometry(h, &ap, &page);
        align = MAX(align, page);
    }
    return align;
}

static int range_cmp(const void *a, const void *b)
{
    const struct range *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* Reserved ranges, sorted (may overlap): ADD_RESERVED and apertures */
static GArray *reserved_ranges(struct sim_ioas *ioas)
{
    GArray *r = g_array_new(FALSE, FALSE, sizeof(struct range));
    struct sim_hwpt *h;
    GHashTableIter it;
    struct range ap, x;
    uint64_t page;

    g_array_append_vals(r, ioas->reserved->data, ioas->reserved->len);
    for_each_domain(ioas, h, it)
    {
        domain_geometry(h, &ap, &page);
        if (ap.start) {
            x = (struct range){0, ap.start - 1};
            g_array_append_val(r, x);
        }
        if (ap.last != UINT64_MAX) {
            x = (struct range){ap.last + 1, UINT64_MAX};
            g_array_append_val(r, x);
        }
    }
    g_array_sort(r, range_cmp);
    return r;
}

static bool hits(GArray *ranges, uint64_t start, uint64_t last)
{
    for (unsigned int i = 0; i < ranges->len; i++) {
        struct range *x = &g_array_index(ranges, struct range, i);

        if (x->start <= last && start <= x->last) {
            return true;
        }
    }
    return false;
}

bool sim_ioas_reserved(struct sim_ioas *ioas, uint64_t start, uint64_t last)
{
    g_autoptr(GArray) r = reserved_ranges(ioas);

    return hits(r, start, last);
}

/* The holes of [lo, hi] between sorted, possibly overlapping, used ranges */
static GArray *holes(GArray *used, uint64_t lo, uint64_t hi)
{
    GArray *h = g_array_new(FALSE, FALSE, sizeof(struct range));
    uint64_t cur = lo;
    bool done = false;

    for (unsigned int i = 0; i < used->len && !done; i++) {
        struct range *u = &g_array_index(used, struct range, i);

        if (u->last < cur) {
            continue;
        }
        if (u->start > hi) {
            break;
        }
        if (u->start > cur) {
            struct range x = {cur, u->start - 1};

            g_array_append_val(h, x);
        }
        if (u->last >= hi) {
            done = true;
        } else {
            cur = u->last + 1;
        }
    }
    if (!done && cur <= hi) {
        struct range x = {cur, hi};

        g_array_append_val(h, x);
    }
    return h;
}

int sim_ioas_iova_ranges(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
    uint32_t max = cmd->num_iovas;
    g_autoptr(GArray) r = NULL, gaps = NULL;
    struct sim_ioas *ioas;
    int rc;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    ioas = sim_obj_get(ucmd->ictx, cmd->ioas_id, SIM_OBJ_IOAS);
    if (!ioas) {
        return -ENOENT;
    }
    r = reserved_ranges(ioas);
    gaps = holes(r, 0, UINT64_MAX);
    for (uint32_t i = 0; i < MIN(max, gaps->len); i++) {
        struct range *x = &g_array_index(gaps, struct range, i);
        struct iommu_iova_range out = {x->start, x->last};

        rc = sim_copy_to_user(cmd->allowed_iovas + i * sizeof(out), &out,
                              sizeof(out));
        if (rc) {
            return rc;
        }
    }
    cmd->num_iovas = gaps->len;
    cmd->out_iova_alignment = sim_ioas_alignment(ioas);
    rc = sim_ucmd_respond(ucmd);
    if (rc) {
        return rc;
    }
    return max < gaps->len ? -EMSGSIZE : 0;
}

/* ALIGN_UP(start) | page_offset, if [that, +length) fits below last */
static bool fit(uint64_t start, uint64_t last, uint64_t length, uint64_t align,
                uint64_t page_offset, uint64_t *out)
{
    uint64_t a;

    if (__builtin_add_overflow(start, align - 1, &a)) {
        return false;
    }
    a = (a & ~(align - 1)) | page_offset;
    if (a < start || a >= last || last - a < length - 1) {
        return false;
    }
    *out = a;
    return true;
}

int sim_ioas_alloc_iova(struct sim_ioas *ioas, uint64_t addr, uint64_t length,
                        uint64_t *iova)
{
    const uint64_t page_offset = addr % SIM_PAGE_SIZE;
    g_autoptr(GArray) used = reserved_ranges(ioas);
    g_autoptr(GArray) gaps = NULL;
    uint64_t align;

    if (!length || length >= UINT64_MAX / 2) {
        return -EOVERFLOW;
    }
    /* keep the natural alignment of length and address */
    align = 1ull << (63 - __builtin_clzll(length));
    if (align < length) {
        align <<= 1;
    }
    if (addr) {
        align = MIN(align, 1ull << __builtin_ctzll(addr));
    }
    align = MIN(align, HPAGE_SIZE);
    if (align < sim_ioas_alignment(ioas)) {
        return -EINVAL;
    }
    align = MAX(align, 1);

    /* used: reserved ranges and areas, sorted */
    for (unsigned int i = 0; i < ioas->areas->len; i++) {
        struct sim_area *a = &g_array_index(ioas->areas, struct sim_area, i);
        struct range x = {a->iova, a->iova + a->length - 1};

        g_array_append_val(used, x);
    }
    g_array_sort(used, range_cmp);
    gaps = holes(used, SIM_PAGE_SIZE, UINT64_MAX - SIM_PAGE_SIZE);

    for (unsigned int i = 0; i < gaps->len; i++) {
        struct range *h = &g_array_index(gaps, struct range, i);

        if (!ioas->allowed->len) {
            if (fit(h->start, h->last, length, align, page_offset, iova)) {
                return 0;
            }
            continue;
        }
        /* only inside the allowed ranges */
        for (unsigned int j = 0; j < ioas->allowed->len; j++) {
            struct range *al = &g_array_index(ioas->allowed, struct range, j);
            uint64_t s = MAX(h->start, al->start);
            uint64_t l = MIN(h->last, al->last);

            if (s <= l && fit(s, l, length, align, page_offset, iova)) {
                return 0;
            }
        }
    }
    return -ENOSPC;
}

/* Checks of a fixed mapping (iopt_check_iova()) */
int sim_ioas_check_fixed(struct sim_ioas *ioas, uint64_t iova, uint64_t length)
{
    uint64_t last;

    if (iova & (sim_ioas_alignment(ioas) - 1)) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(iova, length - 1, &last)) {
        return -EOVERFLOW;
    }
    if (sim_ioas_reserved(ioas, iova, last)) {
        return -EINVAL;
    }
    if (sim_ioas_find_range(ioas, iova, last)) {
        return -EEXIST;
    }
    return 0;
}

/* ADD_RESERVED of the selftest: never over an area or an allowed range */
int sim_ioas_add_reserved(struct sim_ioas *ioas, uint64_t start,
                          uint64_t length)
{
    struct range x;

    if (!length) {
        return -EINVAL;
    }
    if (__builtin_add_overflow(start, length - 1, &x.last)) {
        return -EOVERFLOW;
    }
    x.start = start;
    if (sim_ioas_find_range(ioas, x.start, x.last) ||
        hits(ioas->allowed, x.start, x.last)) {
        return -EADDRINUSE;
    }
    g_array_append_val(ioas->reserved, x);
    return 0;
}

int sim_ioas_allow_iovas(struct sim_ucmd *ucmd)
{
    struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
    g_autoptr(GArray) allowed = NULL, r = NULL;
    struct sim_ioas *ioas;
    int rc;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    ioas = sim_obj_get(ucmd->ictx, cmd->ioas_id, SIM_OBJ_IOAS);
    if (!ioas) {
        return -ENOENT;
    }
    allowed = g_array_new(FALSE, FALSE, sizeof(struct range));
    for (uint32_t i = 0; i < cmd->num_iovas; i++) {
        struct iommu_iova_range in;
        struct range x;

        rc = sim_copy_from_user(
            &in, cmd->allowed_iovas + (uint64_t)i * sizeof(in), sizeof(in));
        if (rc) {
            return rc;
        }
        if (in.start > in.last) {
            return -EINVAL;
        }
        x = (struct range){in.start, in.last};
        g_array_append_val(allowed, x);
    }
    /* sorted, they may not overlap each other (n log n, not n^2) */
    g_array_sort(allowed, range_cmp);
    for (unsigned int i = 1; i < allowed->len; i++) {
        if (g_array_index(allowed, struct range, i).start <=
            g_array_index(allowed, struct range, i - 1).last) {
            return -EINVAL;
        }
    }
    r = reserved_ranges(ioas);
    for (unsigned int i = 0; i < allowed->len; i++) {
        struct range *x = &g_array_index(allowed, struct range, i);

        if (hits(r, x->start, x->last)) {
            return -EADDRINUSE;
        }
    }
    g_array_set_size(ioas->allowed, 0);
    g_array_append_vals(ioas->allowed, allowed->data, allowed->len);
    return 0;
}

/* ---- IOMMU_OPTION ---- */

/* capable(CAP_SYS_RESOURCE), as the caller's effective set says */
static bool cap_sys_resource(void)
{
    g_autofree char *status = NULL;
    const char *p;

    if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        return false;
    }
    p = strstr(status, "CapEff:");
    return p && (g_ascii_strtoull(p + 7, NULL, 16) & (1ull << 24));
}

static int option_rlimit_mode(struct sim_ictx *ictx, struct iommu_option *cmd)
{
    if (cmd->object_id) {
        return -EOPNOTSUPP;
    }
    if (cmd->op == IOMMU_OPTION_OP_GET) {
        cmd->val64 = ictx->account_mm;
        return 0;
    }
    if (cmd->op != IOMMU_OPTION_OP_SET) {
        return -EOPNOTSUPP;
    }
    if (!cap_sys_resource()) {
        return -EPERM;
    }
    if (g_hash_table_size(ictx->objs)) {
        return -EBUSY;
    }
    if (cmd->val64 > 1) {
        return -EINVAL;
    }
    ictx->account_mm = cmd->val64;
    return 0;
}

/* Turning huge pages off needs every area PAGE_SIZE aligned */
static int option_huge_pages(struct sim_ioas *ioas, struct iommu_option *cmd)
{
    struct sim_hwpt *h;
    GHashTableIter it;
    bool domains = false;

    if (cmd->op == IOMMU_OPTION_OP_GET) {
        cmd->val64 = !ioas->no_huge;
        return 0;
    }
    if (cmd->op != IOMMU_OPTION_OP_SET) {
        return -EOPNOTSUPP;
    }
    if (cmd->val64 == 1) {
        ioas->no_huge = false;
        return 0;
    }
    if (cmd->val64 != 0) {
        return -EINVAL;
    }
    if (ioas->no_huge) {
        return 0;
    }
    for_each_domain(ioas, h, it) domains = true;
    if (domains && ioas->areas->len) {
        return -EINVAL;
    }
    for (unsigned int i = 0; i < ioas->areas->len; i++) {
        struct sim_area *a = &g_array_index(ioas->areas, struct sim_area, i);

        if ((a->iova | a->length | a->user_va) % SIM_PAGE_SIZE) {
            return -EADDRINUSE;
        }
    }
    ioas->no_huge = true;
    return 0;
}

int sim_option(struct sim_ucmd *ucmd)
{
    struct iommu_option *cmd = ucmd->cmd;
    const size_t at = offsetof(struct iommu_option, val64);
    struct sim_ioas *ioas;
    int rc;

    if (cmd->__reserved) {
        return -EOPNOTSUPP;
    }
    switch (cmd->option_id) {
    case IOMMU_OPTION_RLIMIT_MODE:
        rc = option_rlimit_mode(ucmd->ictx, cmd);
        break;
    case IOMMU_OPTION_HUGE_PAGES:
        ioas = sim_obj_get(ucmd->ictx, cmd->object_id, SIM_OBJ_IOAS);
        rc = ioas ? option_huge_pages(ioas, cmd) : -ENOENT;
        break;
    default:
        return -EOPNOTSUPP;
    }
    if (rc) {
        return rc;
    }
    /* only val64 goes back */
    return sim_copy_to_user(ucmd->ubuf + at, &cmd->val64, sizeof(cmd->val64));
}
