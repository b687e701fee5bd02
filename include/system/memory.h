/*
 * Guest physical memory: a tree of regions (RAM or MMIO) under the system
 * memory root, and address spaces that read and write through it.
 *
 * Guest RAM is memfd-backed so that its host virtual address can be mapped
 * into an iommufd IOAS and its fd passed around.  MMIO regions dispatch
 * 1/2/4/8-byte accesses to device callbacks, split or widened to what the
 * device implements.  Addresses nobody claims read as all ones and drop
 * writes; both are traced.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include "qemu/queue.h"
#include "qom/object.h"

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,            /* the device refused the access */
    MEMTX_DECODE_ERROR = 2,     /* nothing at that address */
} MemTxResult;

typedef struct MemTxAttrs {
    unsigned int requester_id:16;
    unsigned int secure:1;
    unsigned int unspecified:1;
} MemTxAttrs;

#define MEMTXATTRS_UNSPECIFIED ((MemTxAttrs) { .unspecified = 1 })

typedef struct MemoryRegion MemoryRegion;
typedef struct FlatView FlatView;

typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, hwaddr addr, unsigned size);
    void (*write)(void *opaque, hwaddr addr, uint64_t data, unsigned size);
    /* Accesses the device accepts; others fail with MEMTX_ERROR. */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
        bool unaligned;
    } valid;
    /* Sizes the callbacks handle; other accesses are split or widened. */
    struct {
        unsigned min_access_size;   /* 0 means 1 */
        unsigned max_access_size;   /* 0 means 4 */
    } impl;
} MemoryRegionOps;

struct MemoryRegion {
    Object *owner;
    char *name;
    uint64_t size;
    hwaddr addr;                /* offset in the container */
    int priority;
    bool enabled;
    bool ram;
    bool container_only;
    uint8_t *ram_ptr;
    int ram_fd;                 /* memfd backing RAM, -1 otherwise */
    const MemoryRegionOps *ops;
    void *opaque;
    bool *reentrancy_guard;     /* the owning device's engaged_in_io */
    MemoryRegion *container;
    /*
     * For a region that is the root of an address space: the flattened
     * view of its tree that accesses look up (system/memory.c), rebuilt
     * after the memory map changed.  NULL until first used.
     */
    FlatView *flat;
    QTAILQ_HEAD(, MemoryRegion) subregions;   /* highest priority first */
    QTAILQ_ENTRY(MemoryRegion) subregions_link;
};

void memory_region_init(MemoryRegion *mr, Object *owner, const char *name,
                        uint64_t size);
void memory_region_init_io(MemoryRegion *mr, Object *owner,
                           const MemoryRegionOps *ops, void *opaque,
                           const char *name, uint64_t size);
/* RAM backed by a memfd, zero-filled. */
bool memory_region_init_ram(MemoryRegion *mr, Object *owner, const char *name,
                            uint64_t size, Error **errp);
/* Unmap RAM / drop subregions; the MemoryRegion itself is the caller's. */
void memory_region_finalize(MemoryRegion *mr);

void memory_region_add_subregion(MemoryRegion *mr, hwaddr offset,
                                 MemoryRegion *subregion);
void memory_region_add_subregion_overlap(MemoryRegion *mr, hwaddr offset,
                                         MemoryRegion *subregion, int priority);
void memory_region_del_subregion(MemoryRegion *mr, MemoryRegion *subregion);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, hwaddr addr);
void memory_region_set_size(MemoryRegion *mr, uint64_t size);

static inline void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    return mr->ram_ptr;
}
static inline int memory_region_get_fd(MemoryRegion *mr)
{
    return mr->ram_fd;
}
static inline uint64_t memory_region_size(MemoryRegion *mr)
{
    return mr->size;
}

MemoryRegion *get_system_memory(void);

typedef struct AddressSpace {
    MemoryRegion *root;
    const char *name;
} AddressSpace;

extern AddressSpace address_space_memory;

void address_space_init(AddressSpace *as, MemoryRegion *root, const char *name);

/*
 * Access @len bytes at @addr.  Spans across regions are split; the result
 * is the bitwise OR of the pieces' results (MEMTX_OK only if all were).
 * Unassigned bytes read as 0xff.
 */
MemTxResult address_space_read(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                               void *buf, hwaddr len);
MemTxResult address_space_write(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                                const void *buf, hwaddr len);
MemTxResult address_space_rw(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                             void *buf, hwaddr len, bool is_write);
/* Fill with a byte value (qtest "memset"). */
MemTxResult address_space_set(AddressSpace *as, hwaddr addr, uint8_t c,
                              hwaddr len, MemTxAttrs attrs);

/*
 * One access of 1, 2, 4 or 8 bytes, little-endian, dispatched as a single
 * device access when it hits MMIO (what a CPU load/store or qtest readl
 * does).
 */
MemTxResult address_space_access_sized(AddressSpace *as, hwaddr addr,
                                       uint64_t *val, unsigned size,
                                       bool is_write, MemTxAttrs attrs);

uint32_t address_space_ldl_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
uint64_t address_space_ldq_le(AddressSpace *as, hwaddr addr, MemTxAttrs attrs,
                              MemTxResult *result);
void address_space_stl_le(AddressSpace *as, hwaddr addr, uint32_t val,
                          MemTxAttrs attrs, MemTxResult *result);
void address_space_stq_le(AddressSpace *as, hwaddr addr, uint64_t val,
                          MemTxAttrs attrs, MemTxResult *result);

/*
 * Host pointer for [@addr, @addr + *@plen) if it is all RAM in one region:
 * *@plen is shortened to what is contiguous.  NULL if @addr is not RAM.
 * The hot paths use it to write queue entries without copying twice.
 */
void *address_space_map_ram(AddressSpace *as, hwaddr addr, hwaddr *plen);

/*
 * The memory map's generation: bumped by every change to any region tree
 * (adding, removing, moving, resizing, enabling or disabling a region,
 * which is also what must happen before RAM is unmapped).  Read it through
 * memory_map_generation().
 */
extern unsigned memory_map_gen;

static inline unsigned memory_map_generation(void)
{
    return memory_map_gen;
}

/*
 * A device's queue in guest RAM resolved to a host pointer once, so that
 * each entry is a compare and a copy instead of a dispatch.  The pointer
 * is trusted only while the memory map's generation is the one it was
 * taken at: every use checks that, so nothing that changes the map (an
 * MSI or a write that reached MMIO and replugged something) can leave a
 * stale pointer behind.  A queue that is not wholly plain RAM (aimed at
 * MMIO or a hole, or straddling regions) is never mapped: its users take
 * the normal dispatch path, side effects and re-entrancy guard included.
 */
typedef struct RamWindow {
    hwaddr addr;                /* the queue's guest-physical base */
    hwaddr len;                 /* its size in bytes */
    uint8_t *ptr;               /* host pointer for @addr, NULL if not RAM */
    unsigned gen;               /* memory_map_gen it holds for; 0 never */
} RamWindow;

/* Resolve [@addr, @addr + @len) again (slow path of ram_window_ptr()). */
uint8_t *ram_window_fill(RamWindow *w, AddressSpace *as, hwaddr addr,
                         hwaddr len);

/*
 * Host pointer for @size bytes at offset @off of the queue [@addr,
 * @addr + @len), or NULL when that is not plain RAM: the caller then
 * goes through address_space_read()/_write().
 */
static inline uint8_t *ram_window_ptr(RamWindow *w, AddressSpace *as,
                                      hwaddr addr, hwaddr len, hwaddr off,
                                      hwaddr size)
{
    if (G_UNLIKELY(w->gen != memory_map_gen || w->addr != addr ||
                   w->len != len)) {
        ram_window_fill(w, as, addr, len);
    }
    if (!w->ptr || off > len || size > len - off) {
        return NULL;
    }
    return w->ptr + off;
}

/* Visit every RAM region with its guest-physical address (for IOAS maps). */
void memory_foreach_ram(AddressSpace *as,
                        void (*fn)(MemoryRegion *mr, hwaddr gpa, void *opaque),
                        void *opaque);

#endif
