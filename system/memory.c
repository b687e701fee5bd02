/*
 * Guest physical memory (see include/system/memory.h).
 *
 * The region tree is what devices build and change; accesses never walk
 * it.  Each address-space root keeps a flattened view of its tree: the
 * sorted, non-overlapping ranges where some leaf region answers, with
 * priorities and shadowing already resolved (QEMU's FlatView).  A change
 * to the map only bumps a generation number; the next access through a
 * root whose view is older renders it again.  A lookup is then a check of
 * the range that answered last (queue and table accesses come in runs)
 * and otherwise a binary search; it never allocates.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/memory.h"
#include "hw/qdev-core.h"
#include "trace.h"
#include <sys/mman.h>

static MemoryRegion system_memory;
AddressSpace address_space_memory;

/*
 * One answer of the flattened view: [start, last] (inclusive, so that a
 * range may end at the top of the 64-bit space) is served by @mr from
 * @offset on.
 */
typedef struct FlatRange {
    hwaddr start;
    hwaddr last;
    MemoryRegion *mr;
    hwaddr offset;
} FlatRange;

struct FlatView {
    unsigned gen;               /* memory_map_gen it was rendered at */
    unsigned nr;
    unsigned mru;               /* the range that answered last */
    FlatRange *ranges;          /* sorted by start */
};

/* Bumped by every change to any region tree; views compare with it. */
unsigned memory_map_gen = 1;

static void memory_map_changed(void)
{
    memory_map_gen++;
    if (!memory_map_gen) {
        memory_map_gen = 1;     /* 0 is "never rendered" */
    }
}

MemoryRegion *get_system_memory(void)
{
    if (!system_memory.name) {
        memory_region_init(&system_memory, NULL, "system", UINT64_MAX);
        address_space_init(&address_space_memory, &system_memory, "memory");
    }
    return &system_memory;
}

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name)
{
    as->root = root;
    as->name = name;
}

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->owner = owner;
    mr->name = g_strdup(name);
    mr->size = size;
    mr->enabled = true;
    mr->container_only = true;
    mr->ram_fd = -1;
    QTAILQ_INIT(&mr->subregions);
}

void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size)
{
    DeviceState *dev = owner ?
        (DeviceState *)object_dynamic_cast(owner, TYPE_DEVICE) : NULL;

    memory_region_init(mr, owner, name, size);
    mr->container_only = false;
    mr->ops = ops;
    mr->opaque = opaque;
    mr->reentrancy_guard = dev ? &dev->engaged_in_io : NULL;
}

bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp)
{
    int fd;
    void *ptr;

    memory_region_init(mr, owner, name, size);
    mr->container_only = false;
    fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create memfd for '%s'", name);
        return false;
    }
    if (ftruncate(fd, size) < 0) {
        error_setg_errno(errp, errno, "cannot allocate %" PRIu64
                         " bytes of RAM for '%s'", size, name);
        goto fail;
    }
    ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (ptr == MAP_FAILED) {
        error_setg_errno(errp, errno, "cannot map RAM for '%s'", name);
        goto fail;
    }
    mr->ram = true;
    mr->ram_ptr = ptr;
    mr->ram_fd = fd;
    return true;

fail:
    close(fd);
    return false;
}

void memory_region_finalize(MemoryRegion *mr)
{
    if (mr->container) {
        memory_region_del_subregion(mr->container, mr);
    }
    if (mr->ram) {
        munmap(mr->ram_ptr, mr->size);
        close(mr->ram_fd);
        mr->ram = false;
        mr->ram_ptr = NULL;
        mr->ram_fd = -1;
    }
    if (mr->flat) {
        g_free(mr->flat->ranges);
        g_clear_pointer(&mr->flat, g_free);
    }
    g_clear_pointer(&mr->name, g_free);
}

void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion, int priority)
{
    MemoryRegion *other;

    g_assert(!subregion->container);
    subregion->container = mr;
    subregion->addr = offset;
    subregion->priority = priority;
    /* Highest priority first; among equals, the newest wins. */
    memory_map_changed();
    QTAILQ_FOREACH(other, &mr->subregions, subregions_link) {
        if (subregion->priority >= other->priority) {
            QTAILQ_INSERT_BEFORE(other, subregion, subregions_link);
            return;
        }
    }
    QTAILQ_INSERT_TAIL(&mr->subregions, subregion, subregions_link);
}

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion)
{
    memory_region_add_subregion_overlap(mr, offset, subregion, 0);
}

void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion)
{
    g_assert(subregion->container == mr);
    QTAILQ_REMOVE(&mr->subregions, subregion, subregions_link);
    subregion->container = NULL;
    memory_map_changed();
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_map_changed();
    }
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    if (mr->addr != addr) {
        mr->addr = addr;
        memory_map_changed();
    }
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    if (mr->size != size) {
        mr->size = size;
        memory_map_changed();
    }
}

/* ---- the flattened view ---- */

/*
 * Rendering works on 128-bit bounds, end exclusive, so that a region
 * reaching the top of the address space (or a subregion placed past it)
 * needs no special case.
 */
typedef unsigned __int128 u128;

typedef struct RenderRange {
    u128 start, end;
    MemoryRegion *mr;
    u128 offset;
} RenderRange;

/*
 * Give @mr every part of [@start, @end) that no range in @out (sorted,
 * disjoint) holds yet: what is there already came from a region of
 * higher precedence.
 */
static void render_fill(GArray *out, u128 start, u128 end, MemoryRegion *mr,
                        u128 mr_base)
{
    u128 cur = start;
    guint i = 0;

    while (cur < end && i < out->len) {
        RenderRange *r = &g_array_index(out, RenderRange, i);

        if (r->end <= cur) {
            i++;
            continue;
        }
        if (r->start >= end) {
            break;
        }
        if (r->start > cur) {
            RenderRange piece = { cur, r->start, mr, cur - mr_base };

            g_array_insert_val(out, i, piece);
            i++;
        }
        cur = MAX(cur, g_array_index(out, RenderRange, i).end);
        i++;
    }
    if (cur < end) {
        RenderRange piece = { cur, end, mr, cur - mr_base };

        g_array_insert_val(out, i, piece);
    }
}

/*
 * @mr sits at @base; only [@clip_start, @clip_end) of it is visible
 * (its containers end there).  Subregions go first, highest priority
 * first, so that they shadow what comes after them; a region that is not
 * a pure container then answers in the holes its subregions leave.
 */
static void render_region(GArray *out, MemoryRegion *mr, u128 base,
                          u128 clip_start, u128 clip_end)
{
    /* As in QEMU, a size of UINT64_MAX stands for the whole 2^64. */
    u128 size = mr->size == UINT64_MAX ? (u128)UINT64_MAX + 1 : mr->size;
    u128 start = MAX(base, clip_start);
    u128 end = MIN(base + size, clip_end);
    MemoryRegion *sub;

    if (!mr->enabled || start >= end) {
        return;
    }
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        render_region(out, sub, base + sub->addr, start, end);
    }
    if (!mr->container_only) {
        render_fill(out, start, end, mr, base);
    }
}

static void flat_render(MemoryRegion *root)
{
    g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(RenderRange));
    FlatView *fv = root->flat;
    guint n = 0;

    /* The root answers from 0 whatever its own offset in a container. */
    render_region(out, root, 0, 0,
                  (u128)UINT64_MAX + 1);
    g_free(fv->ranges);
    fv->ranges = g_new(FlatRange, MAX(out->len, 1));
    for (guint i = 0; i < out->len; i++) {
        RenderRange *r = &g_array_index(out, RenderRange, i);
        FlatRange *prev = n ? &fv->ranges[n - 1] : NULL;

        /* Pieces of one region split by nothing merge back. */
        if (prev && prev->mr == r->mr && (u128)prev->last + 1 == r->start &&
            prev->offset + (prev->last - prev->start) + 1 == r->offset) {
            prev->last = r->end - 1;
            continue;
        }
        fv->ranges[n++] = (FlatRange) {
            .start = r->start, .last = r->end - 1,
            .mr = r->mr, .offset = r->offset,
        };
    }
    if (!n) {
        /* No range: a sentinel that holds no address. */
        fv->ranges[0] = (FlatRange) { .start = 1, .last = 0 };
    }
    fv->nr = n;
    fv->mru = 0;
    fv->gen = memory_map_gen;
    trace_memory_flatview_render(root->name, n);
}

/*
 * Find the leaf region at @addr when the range that answered last does
 * not hold it: render the view if the map changed, then binary-search.
 * Returns NULL in a hole; *@avail as for mr_lookup().
 */
static MemoryRegion * __attribute__((noinline))
mr_lookup_slow(MemoryRegion *root, hwaddr addr, hwaddr *offset,
               hwaddr *avail)
{
    FlatView *fv = root->flat;
    const FlatRange *r;
    unsigned lo = 0, hi;

    if (!fv) {
        fv = root->flat = g_new0(FlatView, 1);
    }
    if (fv->gen != memory_map_gen) {
        flat_render(root);
    }
    /* The last range that starts at or below @addr, if any. */
    hi = fv->nr;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;

        if (fv->ranges[mid].start <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (!lo || addr > fv->ranges[lo - 1].last) {
        *avail = lo < fv->nr ? fv->ranges[lo].start - addr :
                 MAX(UINT64_MAX - addr, 1);
        return NULL;
    }
    fv->mru = lo - 1;
    r = &fv->ranges[lo - 1];
    *offset = r->offset + (addr - r->start);
    *avail = (r->last - addr + 1) ?: UINT64_MAX;
    return r->mr;
}

/*
 * Find the leaf region at @addr.  Returns NULL if nothing is there.
 * *@avail is how many bytes from @addr the answer stays valid: up to the
 * end of the range or, in a hole, up to the next range (at least 1; a
 * range of the whole 2^64 says UINT64_MAX, one byte short).
 *
 * Accesses come in runs (a queue's registers, then its entries), so the
 * range that answered last is tried first, inline.
 */
static inline MemoryRegion *mr_lookup(MemoryRegion *root, hwaddr addr,
                                      hwaddr *offset, hwaddr *avail)
{
    FlatView *fv = root->flat;

    if (G_LIKELY(fv && fv->gen == memory_map_gen)) {
        const FlatRange *r = &fv->ranges[fv->mru];

        if (addr >= r->start && addr <= r->last) {
            *offset = r->offset + (addr - r->start);
            *avail = (r->last - addr + 1) ?: UINT64_MAX;
            return r->mr;
        }
    }
    return mr_lookup_slow(root, addr, offset, avail);
}

static unsigned valid_min(const MemoryRegionOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static unsigned valid_max(const MemoryRegionOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static unsigned impl_min(const MemoryRegionOps *ops)
{
    return ops->impl.min_access_size ? ops->impl.min_access_size : 1;
}

static unsigned impl_max(const MemoryRegionOps *ops)
{
    return ops->impl.max_access_size ? ops->impl.max_access_size : 4;
}

static void io_call(MemoryRegion *mr, hwaddr offset, uint64_t *val,
                    unsigned size, bool is_write)
{
    if (is_write) {
        /* A device only ever sees the bytes of its access. */
        if (mr->ops->write) {
            mr->ops->write(mr->opaque, offset,
                           *val & MAKE_64BIT_MASK(0, size * 8), size);
        }
    } else {
        *val = mr->ops->read ? mr->ops->read(mr->opaque, offset, size) : 0;
    }
}

/* One device access, split or widened to the sizes the callbacks handle. */
static MemTxResult io_dispatch(MemoryRegion *mr, hwaddr offset, uint64_t *val,
                               unsigned size, bool is_write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = impl_min(ops), imax = impl_max(ops);

    if (size < valid_min(ops) || size > valid_max(ops) ||
        (!ops->valid.unaligned && (offset & (size - 1)))) {
        trace_memory_region_invalid_access(mr->name, offset, size, is_write);
        if (!is_write) {
            *val = size == 8 ? UINT64_MAX : MAKE_64BIT_MASK(0, size * 8);
        }
        return MEMTX_ERROR;
    }
    /*
     * A guest can aim a device's DMA, MSI or queue writes at that device's
     * own registers; running its handler again from inside itself would
     * recurse without bound.  Refuse the access, as QEMU's re-entrancy
     * guard does: the write is dropped and a read returns all ones.
     */
    if (mr->reentrancy_guard && *mr->reentrancy_guard) {
        trace_memory_region_reentrant_io(mr->name, offset, size, is_write);
        if (!is_write) {
            *val = size == 8 ? UINT64_MAX : MAKE_64BIT_MASK(0, size * 8);
        }
        return MEMTX_ERROR;
    }
    if (mr->reentrancy_guard) {
        *mr->reentrancy_guard = true;
    }
    if (size >= imin && size <= imax) {
        io_call(mr, offset, val, size, is_write);
    } else if (size > imax) {
        uint64_t result = 0;

        for (unsigned i = 0; i < size; i += imax) {
            uint64_t part = is_write ?
                (*val >> (i * 8)) & MAKE_64BIT_MASK(0, imax * 8) : 0;

            io_call(mr, offset + i, &part, imax, is_write);
            result |= (part & MAKE_64BIT_MASK(0, imax * 8)) << (i * 8);
        }
        if (!is_write) {
            *val = result;
        }
    } else {
        hwaddr base = QEMU_ALIGN_DOWN(offset, imin);
        unsigned shift = (offset - base) * 8;
        uint64_t wide = is_write ?
            (*val & MAKE_64BIT_MASK(0, size * 8)) << shift : 0;

        io_call(mr, base, &wide, imin, is_write);
        if (!is_write) {
            *val = (wide >> shift) & MAKE_64BIT_MASK(0, size * 8);
        }
    }
    if (mr->reentrancy_guard) {
        *mr->reentrancy_guard = false;
    }
    return MEMTX_OK;
}

/* Largest power of two <= @l that the region accepts at @offset. */
static unsigned io_access_size(MemoryRegion *mr, hwaddr offset, hwaddr l)
{
    unsigned max = valid_max(mr->ops);
    unsigned size = 8;

    while (size > l || size > max) {
        size >>= 1;
    }
    if (!mr->ops->valid.unaligned) {
        while (size > 1 && (offset & (size - 1))) {
            size >>= 1;
        }
    }
    return MAX(size, 1);
}

MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write)
{
    uint8_t *p = buf;
    MemTxResult result = MEMTX_OK;

    while (len > 0) {
        hwaddr offset = 0, avail = 0, l;
        MemoryRegion *mr = mr_lookup(as->root, addr, &offset, &avail);

        l = MIN(len, MAX(avail, 1));
        if (!mr) {
            trace_memory_unassigned_access(addr, l, is_write);
            if (!is_write) {
                memset(p, 0xff, l);
            }
            result |= MEMTX_DECODE_ERROR;
        } else if (mr->ram) {
            if (is_write) {
                memcpy(mr->ram_ptr + offset, p, l);
            } else {
                memcpy(p, mr->ram_ptr + offset, l);
            }
        } else {
            uint64_t val = 0;

            l = io_access_size(mr, offset, l);
            if (is_write) {
                val = ldn_le_p(p, l);
            }
            result |= io_dispatch(mr, offset, &val, l, is_write);
            if (!is_write) {
                stn_le_p(p, l, val);
            }
        }
        p += l;
        addr += l;
        len -= l;
    }
    return result;
}

/*
 * Host pointer for [@addr, @addr + @len) if the range that answered last
 * is RAM and holds all of it, else NULL.  No out-parameters and no calls,
 * so that the callers' fast paths stay a handful of instructions.
 */
static inline uint8_t *ram_fast(AddressSpace *as, hwaddr addr, hwaddr len)
{
    FlatView *fv = as->root->flat;
    const FlatRange *r;

    if (G_UNLIKELY(!fv || fv->gen != memory_map_gen || !len)) {
        return NULL;
    }
    r = &fv->ranges[fv->mru];
    if (r->mr && r->mr->ram && addr >= r->start &&
        len - 1 <= r->last - addr && addr <= r->last) {
        return r->mr->ram_ptr + r->offset + (addr - r->start);
    }
    return NULL;
}

/*
 * The sizes of queue descriptors and records (VT-d's 16/32-byte queue
 * entries, SMMUv3's 16-byte commands and 32-byte events) are copied
 * inline, without a call.
 */
static inline void copy_small(void *dst, const void *src, hwaddr len)
{
    switch (len) {
    case 8:
        memcpy(dst, src, 8);
        break;
    case 16:
        memcpy(dst, src, 16);
        break;
    case 32:
        memcpy(dst, src, 32);
        break;
    default:
        memcpy(dst, src, len);
        break;
    }
}

/*
 * A descriptor or record a model reads or writes is nearly always wholly
 * inside the RAM range it used last (its queue): copy it straight away.
 */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len)
{
    uint8_t *p = ram_fast(as, addr, len);

    if (p) {
        copy_small(buf, p, len);
        return MEMTX_OK;
    }
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len)
{
    uint8_t *p = ram_fast(as, addr, len);

    if (p) {
        copy_small(p, buf, len);
        return MEMTX_OK;
    }
    return address_space_rw(as, addr, attrs, (void *)buf, len, true);
}

MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs)
{
    uint8_t chunk[512];
    MemTxResult result = MEMTX_OK;

    memset(chunk, c, sizeof(chunk));
    while (len > 0) {
        hwaddr l = MIN(len, sizeof(chunk));

        result |= address_space_write(as, addr, attrs, chunk, l);
        addr += l;
        len -= l;
    }
    return result;
}

MemTxResult address_space_access_sized(AddressSpace *as, hwaddr addr,
                                       uint64_t *val, unsigned size,
                                       bool is_write, MemTxAttrs attrs)
{
    hwaddr offset = 0, avail = 0;
    MemoryRegion *mr = mr_lookup(as->root, addr, &offset, &avail);
    uint8_t buf[8];

    if (mr && mr->ram && avail >= size) {
        /* A vCPU load or store to RAM: no second lookup. */
        if (is_write) {
            stn_le_p(mr->ram_ptr + offset, size, *val);
        } else {
            *val = ldn_le_p(mr->ram_ptr + offset, size);
        }
        return MEMTX_OK;
    }
    if (mr && !mr->ram && avail >= size) {
        uint64_t v = is_write ? *val : 0;
        MemTxResult r = io_dispatch(mr, offset, &v, size, is_write);

        if (!is_write) {
            *val = v;
        }
        return r;
    }
    if (is_write) {
        stn_le_p(buf, size, *val);
        return address_space_write(as, addr, attrs, buf, size);
    } else {
        MemTxResult r = address_space_read(as, addr, attrs, buf, size);

        *val = ldn_le_p(buf, size);
        return r;
    }
}

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    uint64_t v = 0;
    MemTxResult r = address_space_access_sized(as, addr, &v, 4, false, attrs);

    if (result) {
        *result = r;
    }
    return v;
}

uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result)
{
    uint64_t v = 0;
    MemTxResult r = address_space_access_sized(as, addr, &v, 8, false, attrs);

    if (result) {
        *result = r;
    }
    return v;
}

void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    uint64_t v = val;
    MemTxResult r = address_space_access_sized(as, addr, &v, 4, true, attrs);

    if (result) {
        *result = r;
    }
}

void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result)
{
    MemTxResult r = address_space_access_sized(as, addr, &val, 8, true, attrs);

    if (result) {
        *result = r;
    }
}

void *address_space_map_ram(AddressSpace *as, hwaddr addr, hwaddr *plen)
{
    hwaddr offset = 0, avail = 0;
    MemoryRegion *mr = mr_lookup(as->root, addr, &offset, &avail);

    if (!mr || !mr->ram) {
        return NULL;
    }
    *plen = MIN(*plen, avail);
    return mr->ram_ptr + offset;
}

uint8_t *ram_window_fill(RamWindow *w, AddressSpace *as, hwaddr addr,
                         hwaddr len)
{
    hwaddr l = len;
    uint8_t *p = len ? address_space_map_ram(as, addr, &l) : NULL;

    /*
     * The lookup rendered the view if it was stale, so the generation
     * read now is the one the answer holds for.
     */
    w->addr = addr;
    w->len = len;
    w->ptr = p && l == len ? p : NULL;
    w->gen = memory_map_gen;
    trace_memory_ram_window(addr, len, w->ptr != NULL);
    return w->ptr;
}

static void foreach_ram(MemoryRegion *mr, hwaddr base,
                        void (*fn)(MemoryRegion *, hwaddr, void *),
                        void *opaque)
{
    MemoryRegion *sub;

    if (mr->ram) {
        fn(mr, base, opaque);
    }
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        if (sub->enabled) {
            foreach_ram(sub, base + sub->addr, fn, opaque);
        }
    }
}

void memory_foreach_ram(AddressSpace *as,
                        void (*fn)(MemoryRegion *mr, hwaddr gpa, void *opaque),
                        void *opaque)
{
    foreach_ram(as->root, 0, fn, opaque);
}
