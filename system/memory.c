/*
 * Guest physical memory (see include/system/memory.h).
 *
 * The region tree is small (RAM, a few devices, PCI BARs), so accesses
 * walk it directly instead of maintaining a flattened view: the walk is a
 * handful of comparisons and never allocates.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/memory.h"
#include "hw/qdev-core.h"
#include "trace.h"
#include <sys/mman.h>

static MemoryRegion system_memory;
AddressSpace address_space_memory;

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
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    mr->enabled = enabled;
}

void memory_region_set_address(MemoryRegion *mr, hwaddr addr)
{
    mr->addr = addr;
}

void memory_region_set_size(MemoryRegion *mr, uint64_t size)
{
    mr->size = size;
}

static bool mr_covers(MemoryRegion *mr, hwaddr addr)
{
    return addr >= mr->addr && addr - mr->addr < mr->size;
}

/*
 * Find the leaf region at @addr (relative to @mr).  Returns NULL if
 * nothing is there.  *@avail is how many bytes from @addr the answer
 * stays valid: up to the end of the leaf or, in a hole, up to the next
 * region.
 */
static MemoryRegion *mr_lookup(MemoryRegion *mr, hwaddr addr, hwaddr *offset,
                               hwaddr *avail)
{
    MemoryRegion *sub;
    hwaddr limit = mr->size - addr;

    /*
     * Any region starting further on may shadow what is here from that
     * point: stop the answer there (at worst an access is split more).
     */
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        if (sub->enabled && sub->addr > addr) {
            limit = MIN(limit, sub->addr - addr);
        }
    }
    QTAILQ_FOREACH(sub, &mr->subregions, subregions_link) {
        if (sub->enabled && mr_covers(sub, addr)) {
            MemoryRegion *leaf = mr_lookup(sub, addr - sub->addr, offset, avail);

            if (leaf) {
                *avail = MIN(*avail, limit);
                return leaf;
            }
            /* A gap in @sub ends where @sub's next child starts. */
            limit = MIN(limit, *avail);
        }
    }
    *avail = limit;
    if (mr->container_only) {
        return NULL;
    }
    *offset = addr;
    return mr;
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

MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len)
{
    return address_space_rw(as, addr, attrs, buf, len, false);
}

MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len)
{
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

static void foreach_ram(MemoryRegion *mr, hwaddr base,
                        void (*fn)(MemoryRegion *, hwaddr, void *), void *opaque)
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
