/*
 * libqtest's guest-access API, served in-process: the benchmarks link the
 * same libqos guest drivers as the qtests, but their reads and writes go
 * straight to the models' MMIO and guest RAM instead of over the qtest
 * socket, so that what is measured is the fault plumbing, not the
 * protocol.
 *
 * Guest RAM is accessed the way a vCPU does, through a host pointer and
 * without entering the memory API (a one-entry "TLB" of 2 MiB RAM
 * windows, looked up with address_space_map_ram()); anything else (MMIO,
 * unassigned) is dispatched like a trapped access.  The memory map of
 * the benchmark machines does not change after qemu_init().
 *
 * Only what the libqos drivers use is here; qemu_init() is one-shot, so a
 * process holds at most one machine.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "system/memory.h"
#include "system/system.h"
#include "libqtest.h"
#include "qtest-inproc.h"

struct QTestState {
    int unused;
};

#define RAM_WINDOW      (2ULL << 20)

static QTestState inproc_state;
static const QTestInprocHooks *hooks;
static bool inproc_started;
static hwaddr tlb_base = 1;     /* last window wholly RAM (1: none) */
static uint8_t *tlb_ptr;
static hwaddr slow_base = 1;    /* last window not wholly RAM */

/* Host pointer for [@addr, @addr + @size) if it is RAM within one window. */
static uint8_t *ram_ptr(uint64_t addr, uint64_t size)
{
    hwaddr base = addr & ~(RAM_WINDOW - 1);
    hwaddr len = RAM_WINDOW;
    void *p;

    if (base == tlb_base && addr + size <= base + RAM_WINDOW) {
        return tlb_ptr + (addr - base);
    }
    if (base == slow_base || addr + size > base + RAM_WINDOW ||
        addr + size < addr) {
        return NULL;
    }
    p = address_space_map_ram(&address_space_memory, base, &len);
    if (!p || len < RAM_WINDOW) {
        /* Not all RAM: every access to it goes through the memory API. */
        slow_base = base;
        return NULL;
    }
    tlb_base = base;
    tlb_ptr = p;
    return tlb_ptr + (addr - base);
}

void qtest_inproc_set_hooks(const QTestInprocHooks *h)
{
    hooks = h;
}

static bool vmm_enter(void)
{
    return hooks && hooks->enter ? hooks->enter() : false;
}

static void vmm_leave(bool token)
{
    if (hooks && hooks->leave) {
        hooks->leave(token);
    }
}

QTestState *qtest_inproc_init(int argc, char **argv)
{
    g_assert(!inproc_started);
    inproc_started = true;
    qemu_init(argc, argv);
    return &inproc_state;
}

void qtest_inproc_pump(void)
{
    GMainContext *ctx = qemu_get_main_context();

    bool was = vmm_enter();

    /* One poll per round; stop at the first round that dispatched nothing. */
    while (g_main_context_iteration(ctx, FALSE)) {
        /* nothing */
    }
    vmm_leave(was);
}

static uint64_t sized_read(uint64_t addr, unsigned size)
{
    uint8_t *p = ram_ptr(addr, size);
    uint64_t v = 0;
    bool was;

    if (p) {
        memcpy(&v, p, size);        /* little-endian host and guests */
        return v;
    }
    /*
     * A register read: a vCPU polling a device register gives the main
     * loop time to run, and device work queued by an earlier register
     * write (the VT-d invalidation queue's slices) runs in a bottom half.
     * Both are the VMM's work.
     */
    was = vmm_enter();
    qemu_bh_poll();
    address_space_access_sized(&address_space_memory, addr, &v, size, false,
                               MEMTXATTRS_UNSPECIFIED);
    vmm_leave(was);
    return v;
}

static void sized_write(uint64_t addr, uint64_t v, unsigned size)
{
    uint8_t *p = ram_ptr(addr, size);
    bool was;

    if (p) {
        memcpy(p, &v, size);
        return;
    }
    /* A trapped access: the model's work, as the main loop's is. */
    was = vmm_enter();
    address_space_access_sized(&address_space_memory, addr, &v, size, true,
                               MEMTXATTRS_UNSPECIFIED);
    vmm_leave(was);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return sized_read(addr, 1);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return sized_read(addr, 2);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return sized_read(addr, 4);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return sized_read(addr, 8);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t v)
{
    sized_write(addr, v, 1);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t v)
{
    sized_write(addr, v, 2);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t v)
{
    sized_write(addr, v, 4);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t v)
{
    sized_write(addr, v, 8);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    uint8_t *p = ram_ptr(addr, size);

    if (p) {
        memcpy(data, p, size);
        return;
    }
    address_space_read(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                       data, size);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    uint8_t *p = ram_ptr(addr, size);

    if (p) {
        memcpy(p, data, size);
        return;
    }
    address_space_write(&address_space_memory, addr, MEMTXATTRS_UNSPECIFIED,
                        data, size);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    qtest_memread(s, addr, data, size);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data, size_t size)
{
    qtest_memwrite(s, addr, data, size);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    uint8_t *p = ram_ptr(addr, size);

    if (p) {
        memset(p, pattern, size);
        return;
    }
    address_space_set(&address_space_memory, addr, pattern, size,
                      MEMTXATTRS_UNSPECIFIED);
}
