/*
 * Unit tests: guest memory dispatch (system/memory.c) on a private
 * address space: MMIO sizes, splitting and widening, invalid accesses,
 * unassigned addresses, memfd-backed RAM and address_space_map_ram().
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/memory.h"
#include <sys/mman.h>
#include <sys/stat.h>

#define ATTRS MEMTXATTRS_UNSPECIFIED

/* A device with 64 bytes of little-endian registers; logs every call. */
typedef struct Access {
    hwaddr addr;
    unsigned size;
    bool is_write;
    uint64_t data;
} Access;

typedef struct TestDev {
    uint8_t regs[64];
    GArray *log;        /* of Access */
} TestDev;

static uint64_t dev_read(void *opaque, hwaddr addr, unsigned size)
{
    TestDev *d = opaque;
    Access a = { addr, size, false, 0 };

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    a.data = ldn_le_p(d->regs + addr, size);
    g_array_append_val(d->log, a);
    return a.data;
}

static void dev_write(void *opaque, hwaddr addr, uint64_t data, unsigned size)
{
    TestDev *d = opaque;
    Access a = { addr, size, true, data };

    g_assert_cmpuint(addr + size, <=, sizeof(d->regs));
    stn_le_p(d->regs + addr, size, data);
    g_array_append_val(d->log, a);
}

/* valid 1..8, impl 1..8: every access is one call of its own size. */
static const MemoryRegionOps ops_full = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};
/* valid 1..8, impl up to 4: 8-byte accesses are split. */
static const MemoryRegionOps ops_impl4 = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 4 },
};
/* valid 1..4, impl 1 byte only. */
static const MemoryRegionOps ops_impl1 = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 1, .max_access_size = 1 },
};
/* valid 1..4, impl 4 only: narrow accesses are widened. */
static const MemoryRegionOps ops_impl_min4 = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};
/* Only aligned 4-byte accesses are valid. */
static const MemoryRegionOps ops_valid4 = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 4, .max_access_size = 4 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};
/* All defaults: valid and impl 1..4, aligned. */
static const MemoryRegionOps ops_default = {
    .read = dev_read, .write = dev_write,
};
/* Unaligned accesses allowed. */
static const MemoryRegionOps ops_unaligned = {
    .read = dev_read, .write = dev_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

#define MMIO_BASE   0x10000
#define RAM_BASE    0x100000
#define RAM_SIZE    0x10000

typedef struct Fixture {
    MemoryRegion root;
    MemoryRegion mmio;
    MemoryRegion ram;
    AddressSpace as;
    TestDev dev;
} Fixture;

static void fixture_init(Fixture *f, const MemoryRegionOps *ops)
{
    memset(f, 0, sizeof(*f));
    memory_region_init(&f->root, NULL, "test-root", UINT64_MAX);
    address_space_init(&f->as, &f->root, "test");
    for (unsigned i = 0; i < sizeof(f->dev.regs); i++) {
        f->dev.regs[i] = 0x10 + i;
    }
    f->dev.log = g_array_new(FALSE, TRUE, sizeof(Access));
    memory_region_init_io(&f->mmio, NULL, ops, &f->dev, "test-mmio",
                          sizeof(f->dev.regs));
    memory_region_add_subregion(&f->root, MMIO_BASE, &f->mmio);
    g_assert_true(memory_region_init_ram(&f->ram, NULL, "test-ram", RAM_SIZE,
                                         &error_abort));
    memory_region_add_subregion(&f->root, RAM_BASE, &f->ram);
}

static void fixture_fini(Fixture *f)
{
    memory_region_finalize(&f->ram);
    memory_region_finalize(&f->mmio);
    memory_region_finalize(&f->root);
    g_array_free(f->dev.log, TRUE);
}

static void log_clear(Fixture *f)
{
    g_array_set_size(f->dev.log, 0);
}

static const Access *log_at(Fixture *f, guint i)
{
    g_assert_cmpuint(i, <, f->dev.log->len);
    return &g_array_index(f->dev.log, Access, i);
}

static void assert_access(Fixture *f, guint i, hwaddr addr, unsigned size,
                          bool is_write, uint64_t data)
{
    const Access *a = log_at(f, i);

    g_assert_cmphex(a->addr, ==, addr);
    g_assert_cmpuint(a->size, ==, size);
    g_assert_cmpint(a->is_write, ==, is_write);
    g_assert_cmphex(a->data, ==, data);
}

static uint64_t regs_value(Fixture *f, hwaddr off, unsigned size)
{
    return ldn_le_p(f->dev.regs + off, size);
}

static void test_mmio_sizes(void)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    Fixture f;

    fixture_init(&f, &ops_full);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        unsigned size = sizes[i];
        hwaddr off = 8 * (i + 1);
        uint64_t val = 0;
        uint64_t expect = regs_value(&f, off, size);
        uint64_t wval = 0x8877665544332211ULL & MAKE_64BIT_MASK(0, size * 8);

        log_clear(&f);
        g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + off, &val,
                                                   size, false, ATTRS),
                        ==, MEMTX_OK);
        g_assert_cmphex(val, ==, expect);
        g_assert_cmpuint(f.dev.log->len, ==, 1);
        assert_access(&f, 0, off, size, false, expect);

        log_clear(&f);
        g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + off,
                                                   &wval, size, true, ATTRS),
                        ==, MEMTX_OK);
        g_assert_cmpuint(f.dev.log->len, ==, 1);
        assert_access(&f, 0, off, size, true, wval);
        g_assert_cmphex(regs_value(&f, off, size), ==, wval);
    }
    fixture_fini(&f);
}

static void test_mmio_ld_st_helpers(void)
{
    Fixture f;
    MemTxResult r = MEMTX_ERROR;

    fixture_init(&f, &ops_full);
    g_assert_cmphex(address_space_ldl_le(&f.as, MMIO_BASE + 4, ATTRS, &r), ==,
                    regs_value(&f, 4, 4));
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmphex(address_space_ldq_le(&f.as, MMIO_BASE + 8, ATTRS, &r), ==,
                    regs_value(&f, 8, 8));
    address_space_stl_le(&f.as, MMIO_BASE + 16, 0xcafef00d, ATTRS, &r);
    g_assert_cmpint(r, ==, MEMTX_OK);
    g_assert_cmphex(regs_value(&f, 16, 4), ==, 0xcafef00d);
    address_space_stq_le(&f.as, MMIO_BASE + 24, 0x0123456789abcdefULL, ATTRS,
                         &r);
    g_assert_cmphex(regs_value(&f, 24, 8), ==, 0x0123456789abcdefULL);
    /* A NULL result pointer is allowed. */
    address_space_stl_le(&f.as, MMIO_BASE + 32, 1, ATTRS, NULL);
    g_assert_cmphex(regs_value(&f, 32, 4), ==, 1);
    fixture_fini(&f);
}

/*
 * A device callback only ever sees the bytes of its access: write data is
 * masked to the access size, as in QEMU's memory_region_write_accessor.
 */
static void test_mmio_write_data_masked(void)
{
    Fixture f;
    uint64_t wval = 0xdeadbeefcafe12abULL;

    fixture_init(&f, &ops_full);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 4, &wval, 1,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 8, &wval, 2,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 12, &wval, 4,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 3);
    assert_access(&f, 0, 4, 1, true, 0xab);
    assert_access(&f, 1, 8, 2, true, 0x12ab);
    assert_access(&f, 2, 12, 4, true, 0xcafe12ab);
    fixture_fini(&f);

    /* Widened: the other bytes of the wide access are zero. */
    fixture_init(&f, &ops_impl_min4);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 5, &wval, 1,
                                               true, ATTRS), ==, MEMTX_OK);
    assert_access(&f, 0, 4, 4, true, 0xab00);
    fixture_fini(&f);
}

/* 8-byte access to a device implementing at most 4 bytes: two calls. */
static void test_mmio_split(void)
{
    Fixture f;
    uint64_t val = 0;
    uint64_t wval = 0x1122334455667788ULL;

    fixture_init(&f, &ops_impl4);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 8, &val, 8,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 8, 8));
    g_assert_cmpuint(f.dev.log->len, ==, 2);
    assert_access(&f, 0, 8, 4, false, regs_value(&f, 8, 4));
    assert_access(&f, 1, 12, 4, false, regs_value(&f, 12, 4));

    log_clear(&f);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 16, &wval, 8,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 2);
    assert_access(&f, 0, 16, 4, true, 0x55667788);
    assert_access(&f, 1, 20, 4, true, 0x11223344);
    g_assert_cmphex(regs_value(&f, 16, 8), ==, wval);
    fixture_fini(&f);
}

/* 4-byte access to a byte-wide device: four ascending 1-byte calls. */
static void test_mmio_split_bytes(void)
{
    Fixture f;
    uint64_t val = 0;
    uint64_t wval = 0xa1b2c3d4;

    fixture_init(&f, &ops_impl1);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 4, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 4, 4));
    g_assert_cmpuint(f.dev.log->len, ==, 4);
    for (guint i = 0; i < 4; i++) {
        assert_access(&f, i, 4 + i, 1, false, f.dev.regs[4 + i]);
    }
    log_clear(&f);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 8, &wval, 4,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 4);
    assert_access(&f, 0, 8, 1, true, 0xd4);
    assert_access(&f, 1, 9, 1, true, 0xc3);
    assert_access(&f, 2, 10, 1, true, 0xb2);
    assert_access(&f, 3, 11, 1, true, 0xa1);
    fixture_fini(&f);
}

/* 1- and 2-byte accesses to a device implementing 4 bytes: widened. */
static void test_mmio_widen(void)
{
    Fixture f;
    uint64_t val = 0;
    uint64_t wval = 0xab;

    fixture_init(&f, &ops_impl_min4);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 6, &val, 1,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, f.dev.regs[6]);
    g_assert_cmpuint(f.dev.log->len, ==, 1);
    assert_access(&f, 0, 4, 4, false, regs_value(&f, 4, 4));

    log_clear(&f);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 10, &val, 2,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 10, 2));
    assert_access(&f, 0, 8, 4, false, regs_value(&f, 8, 4));

    /* A narrow write becomes one wide write with the byte in place. */
    log_clear(&f);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 14, &wval, 1,
                                               true, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 1);
    assert_access(&f, 0, 12, 4, true, 0xab0000);
    fixture_fini(&f);
}

/* Sizes and alignments the device does not accept: MEMTX_ERROR, no call. */
static void test_mmio_invalid(void)
{
    Fixture f;
    uint64_t val;
    uint64_t wval = 0x42;

    fixture_init(&f, &ops_valid4);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 1,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmphex(val, ==, 0xff);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 2,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmphex(val, ==, 0xffff);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 8,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmphex(val, ==, UINT64_MAX);
    /* Misaligned. */
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 2, &val, 4,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmphex(val, ==, 0xffffffff);
    /* Invalid writes are dropped. */
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &wval, 1,
                                               true, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &wval, 8,
                                               true, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmpuint(f.dev.log->len, ==, 0);
    g_assert_cmphex(f.dev.regs[0], ==, 0x10);
    /* The valid one goes through. */
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 4, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 4, 4));
    g_assert_cmpuint(f.dev.log->len, ==, 1);
    fixture_fini(&f);

    /* Defaults: 8-byte accesses are invalid (valid.max defaults to 4). */
    fixture_init(&f, &ops_default);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 8,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmphex(val, ==, UINT64_MAX);
    g_assert_cmpuint(f.dev.log->len, ==, 0);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 1, &val, 2,
                                               false, ATTRS), ==, MEMTX_ERROR);
    g_assert_cmpuint(f.dev.log->len, ==, 0);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 4, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 1);
    fixture_fini(&f);

    /* With .unaligned the same misaligned access is fine. */
    fixture_init(&f, &ops_unaligned);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 2, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 2, 4));
    assert_access(&f, 0, 2, 4, false, regs_value(&f, 2, 4));
    fixture_fini(&f);
}

/* Bulk reads and writes of MMIO are cut into accesses the device takes. */
static void test_mmio_bulk(void)
{
    Fixture f;
    uint8_t buf[16];
    uint8_t wbuf[6] = { 1, 2, 3, 4, 5, 6 };

    fixture_init(&f, &ops_impl4);
    /* 16 bytes at offset 2: 2 + 4 + 8 (split in 2x4) + 2. */
    g_assert_cmpint(address_space_read(&f.as, MMIO_BASE + 2, ATTRS, buf, 16),
                    ==, MEMTX_OK);
    g_assert_cmpmem(buf, 16, f.dev.regs + 2, 16);
    g_assert_cmpuint(f.dev.log->len, ==, 5);
    assert_access(&f, 0, 2, 2, false, regs_value(&f, 2, 2));
    assert_access(&f, 1, 4, 4, false, regs_value(&f, 4, 4));
    assert_access(&f, 2, 8, 4, false, regs_value(&f, 8, 4));
    assert_access(&f, 3, 12, 4, false, regs_value(&f, 12, 4));
    assert_access(&f, 4, 16, 2, false, regs_value(&f, 16, 2));

    log_clear(&f);
    g_assert_cmpint(address_space_write(&f.as, MMIO_BASE + 1, ATTRS, wbuf, 6),
                    ==, MEMTX_OK);
    g_assert_cmpmem(f.dev.regs + 1, 6, wbuf, 6);
    /* 6 bytes at offset 1: 1 + 2 + 2 + 1, each naturally aligned. */
    g_assert_cmpuint(f.dev.log->len, ==, 4);
    assert_access(&f, 0, 1, 1, true, 1);
    assert_access(&f, 1, 2, 2, true, 0x0302);
    assert_access(&f, 2, 4, 2, true, 0x0504);
    assert_access(&f, 3, 6, 1, true, 6);
    fixture_fini(&f);
}

static void test_unassigned(void)
{
    Fixture f;
    uint64_t val;
    uint64_t wval = 0x12345678;
    uint8_t buf[16];
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    fixture_init(&f, &ops_full);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        val = 0;
        g_assert_cmpint(address_space_access_sized(&f.as, 0x5000, &val,
                                                   sizes[i], false, ATTRS),
                        ==, MEMTX_DECODE_ERROR);
        g_assert_cmphex(val, ==, MAKE_64BIT_MASK(0, sizes[i] * 8));
        g_assert_cmpint(address_space_access_sized(&f.as, 0x5000, &wval,
                                                   sizes[i], true, ATTRS),
                        ==, MEMTX_DECODE_ERROR);
    }
    g_assert_cmphex(address_space_ldl_le(&f.as, 0x5000, ATTRS, NULL), ==,
                    0xffffffff);

    /* Right after the device: the device ends at 64 bytes. */
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 64, &val, 4,
                                               false, ATTRS),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(val, ==, 0xffffffff);

    /* A read straddling the end of RAM: RAM bytes, then 0xff. */
    memset(memory_region_get_ram_ptr(&f.ram) + RAM_SIZE - 8, 0xa5, 8);
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE + RAM_SIZE - 8, ATTRS,
                                       buf, 16), ==, MEMTX_DECODE_ERROR);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(buf[i], ==, i < 8 ? 0xa5 : 0xff);
    }

    /* A read from a hole into RAM: 0xff, then RAM bytes. */
    memset(memory_region_get_ram_ptr(&f.ram), 0x5a, 8);
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE - 8, ATTRS, buf, 16),
                    ==, MEMTX_DECODE_ERROR);
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(buf[i], ==, i < 8 ? 0xff : 0x5a);
    }

    /* A write straddling into the hole: the RAM part lands, the rest drops. */
    memset(buf, 0x77, sizeof(buf));
    g_assert_cmpint(address_space_write(&f.as, RAM_BASE + RAM_SIZE - 4, ATTRS,
                                        buf, 8), ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(
        ((uint8_t *)memory_region_get_ram_ptr(&f.ram))[RAM_SIZE - 5], ==, 0xa5);
    for (int i = 1; i <= 4; i++) {
        g_assert_cmphex(
            ((uint8_t *)memory_region_get_ram_ptr(&f.ram))[RAM_SIZE - i], ==,
            0x77);
    }

    /* Hitting MMIO with an 8-byte access that runs past its end. */
    log_clear(&f);
    val = 0;
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE + 60, &val, 8,
                                               false, ATTRS),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(val, ==, 0xffffffff00000000ULL | regs_value(&f, 60, 4));

    /* No device saw any of the unassigned accesses. */
    g_assert_cmpuint(f.dev.log->len, ==, 1);
    assert_access(&f, 0, 60, 4, false, regs_value(&f, 60, 4));
    fixture_fini(&f);
}

static void test_disabled_region(void)
{
    Fixture f;
    uint64_t val = 0;

    fixture_init(&f, &ops_full);
    memory_region_set_enabled(&f.mmio, false);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 4,
                                               false, ATTRS),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmphex(val, ==, 0xffffffff);
    g_assert_cmpuint(f.dev.log->len, ==, 0);
    memory_region_set_enabled(&f.mmio, true);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmpuint(f.dev.log->len, ==, 1);

    /* Moving a region (a PCI BAR being reprogrammed). */
    memory_region_set_address(&f.mmio, 0x20000);
    g_assert_cmpint(address_space_access_sized(&f.as, MMIO_BASE, &val, 4,
                                               false, ATTRS),
                    ==, MEMTX_DECODE_ERROR);
    g_assert_cmpint(address_space_access_sized(&f.as, 0x20000 + 8, &val, 4,
                                               false, ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(val, ==, regs_value(&f, 8, 4));
    fixture_fini(&f);
}

static void test_ram_memfd(void)
{
    Fixture f;
    int fd;
    struct stat st;
    g_autofree char *link = NULL;
    g_autofree char *proc = NULL;
    uint8_t *ptr;
    uint8_t buf[8];
    uint8_t *alias;
    int flags;

    fixture_init(&f, &ops_full);
    fd = memory_region_get_fd(&f.ram);
    ptr = memory_region_get_ram_ptr(&f.ram);
    g_assert_cmpint(fd, >=, 0);
    g_assert_nonnull(ptr);
    g_assert_true(f.ram.ram);
    g_assert_cmpuint(memory_region_size(&f.ram), ==, RAM_SIZE);
    /* An MMIO region has no fd. */
    g_assert_cmpint(memory_region_get_fd(&f.mmio), ==, -1);

    /* A valid, close-on-exec memfd of the region's size. */
    flags = fcntl(fd, F_GETFD);
    g_assert_cmpint(flags, >=, 0);
    g_assert_true(flags & FD_CLOEXEC);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, RAM_SIZE);
    proc = g_strdup_printf("/proc/self/fd/%d", fd);
    link = g_file_read_link(proc, NULL);
    g_assert_nonnull(link);
    g_assert_true(g_str_has_prefix(link, "/memfd:test-ram"));

    /* Zero-filled. */
    for (int i = 0; i < RAM_SIZE; i += 512) {
        g_assert_cmphex(ptr[i], ==, 0);
    }

    /* Guest writes land in the memfd ... */
    g_assert_cmpint(address_space_write(&f.as, RAM_BASE + 0x100, ATTRS,
                                        "\x01\x02\x03\x04", 4), ==, MEMTX_OK);
    g_assert_cmpmem(ptr + 0x100, 4, "\x01\x02\x03\x04", 4);
    g_assert_cmpint(pread(fd, buf, 4, 0x100), ==, 4);
    g_assert_cmpmem(buf, 4, "\x01\x02\x03\x04", 4);

    /* ... and a second mapping of the fd (what an IOAS map sees) shares it. */
    alias = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(alias != MAP_FAILED);
    alias[0x200] = 0xee;
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x200, ATTRS, NULL),
                    ==, 0xee);
    munmap(alias, RAM_SIZE);

    /* Sized accesses to RAM. */
    address_space_stq_le(&f.as, RAM_BASE + 0x300, 0x1122334455667788ULL, ATTRS,
                         NULL);
    g_assert_cmphex(ldq_le_p(ptr + 0x300), ==, 0x1122334455667788ULL);
    g_assert_cmphex(address_space_ldq_le(&f.as, RAM_BASE + 0x300, ATTRS, NULL),
                    ==, 0x1122334455667788ULL);

    /* address_space_set. */
    g_assert_cmpint(address_space_set(&f.as, RAM_BASE + 0x1000, 0x3c, 1500,
                                      ATTRS), ==, MEMTX_OK);
    g_assert_cmphex(ptr[0x1000], ==, 0x3c);
    g_assert_cmphex(ptr[0x1000 + 1499], ==, 0x3c);
    g_assert_cmphex(ptr[0x1000 + 1500], ==, 0);

    /* Finalize closes the fd and forgets the pointer. */
    memory_region_finalize(&f.ram);
    g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);
    g_assert_null(memory_region_get_ram_ptr(&f.ram));
    g_assert_cmpint(address_space_ldl_le(&f.as, RAM_BASE, ATTRS, NULL), ==,
                    0xffffffff);
    fixture_fini(&f);
}

static void test_map_ram(void)
{
    Fixture f;
    uint8_t *ptr;
    hwaddr len;

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);

    len = 0x100;
    g_assert_true(address_space_map_ram(&f.as, RAM_BASE + 0x40, &len) ==
                  ptr + 0x40);
    g_assert_cmphex(len, ==, 0x100);

    /* Clipped to the end of the region. */
    len = 0x100000;
    g_assert_true(address_space_map_ram(&f.as, RAM_BASE + 0x800, &len) ==
                  ptr + 0x800);
    g_assert_cmphex(len, ==, RAM_SIZE - 0x800);

    len = 0x10;
    g_assert_true(address_space_map_ram(&f.as, RAM_BASE + RAM_SIZE - 1, &len)
                  == ptr + RAM_SIZE - 1);
    g_assert_cmphex(len, ==, 1);

    /* Not RAM: MMIO, holes, just past the end. */
    len = 4;
    g_assert_null(address_space_map_ram(&f.as, MMIO_BASE, &len));
    g_assert_null(address_space_map_ram(&f.as, 0x5000, &len));
    g_assert_null(address_space_map_ram(&f.as, RAM_BASE + RAM_SIZE, &len));
    g_assert_null(address_space_map_ram(&f.as, RAM_BASE - 1, &len));
    fixture_fini(&f);
}

/*
 * RamWindow: a queue wholly in RAM gets its host pointer; one that
 * touches MMIO or a hole never does; any change to the map is seen at the
 * next use, so a pointer never outlives the mapping it was taken from.
 */
static void test_ram_window(void)
{
    Fixture f;
    RamWindow w = { 0 };
    MemoryRegion over;
    TestDev odev = { .log = g_array_new(FALSE, TRUE, sizeof(Access)) };
    uint8_t *ptr;
    unsigned gen;

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);

    /* A 4 KiB queue at RAM_BASE + 0x1000: entries at their offsets. */
    g_assert_true(ram_window_ptr(&w, &f.as, RAM_BASE + 0x1000, 0x1000, 0x20,
                                 0x20) == ptr + 0x1020);
    g_assert_true(ram_window_ptr(&w, &f.as, RAM_BASE + 0x1000, 0x1000,
                                 0xfe0, 0x20) == ptr + 0x1fe0);
    /* Entries outside the queue are refused, even if RAM is there. */
    g_assert_null(ram_window_ptr(&w, &f.as, RAM_BASE + 0x1000, 0x1000,
                                 0xff0, 0x20));
    g_assert_null(ram_window_ptr(&w, &f.as, RAM_BASE + 0x1000, 0x1000,
                                 0x2000, 0x20));

    /* Straddling the end of RAM, in MMIO, in a hole: never mapped. */
    g_assert_null(ram_window_ptr(&w, &f.as, RAM_BASE + RAM_SIZE - 0x800,
                                 0x1000, 0, 0x20));
    g_assert_null(ram_window_ptr(&w, &f.as, MMIO_BASE, 0x40, 0, 0x20));
    g_assert_null(ram_window_ptr(&w, &f.as, 0x5000, 0x1000, 0, 0x20));

    /* An MMIO window laid over the queue after it was mapped. */
    g_assert_nonnull(ram_window_ptr(&w, &f.as, RAM_BASE, 0x1000, 0, 0x20));
    gen = memory_map_generation();
    memory_region_init_io(&over, NULL, &ops_full, &odev, "test-over", 0x40);
    memory_region_add_subregion_overlap(&f.root, RAM_BASE + 0x800, &over, 1);
    g_assert_cmpuint(memory_map_generation(), !=, gen);
    g_assert_null(ram_window_ptr(&w, &f.as, RAM_BASE, 0x1000, 0, 0x20));
    /* ... and taken away again: RAM once more. */
    memory_region_del_subregion(&f.root, &over);
    g_assert_true(ram_window_ptr(&w, &f.as, RAM_BASE, 0x1000, 0, 0x20) ==
                  ptr);

    /* The RAM moved: the pointer follows the map, not the old address. */
    memory_region_set_address(&f.ram, RAM_BASE + RAM_SIZE);
    g_assert_null(ram_window_ptr(&w, &f.as, RAM_BASE, 0x1000, 0, 0x20));
    g_assert_true(ram_window_ptr(&w, &f.as, RAM_BASE + RAM_SIZE, 0x1000,
                                 0x40, 0x20) == ptr + 0x40);

    memory_region_finalize(&over);
    g_array_free(odev.log, TRUE);
    fixture_fini(&f);
}

/*
 * A higher-priority MMIO window over RAM (an overlap, as a BAR or an
 * MSI window over RAM): a RAM access that runs into the window must stop
 * at it, and map_ram must not hand out the RAM under the window.
 */
static void test_overlap_priority(void)
{
    Fixture f;
    uint8_t *ptr;
    uint8_t buf[32];
    hwaddr len;
    MemoryRegion window;
    TestDev wdev;

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);
    memset(ptr, 0xaa, RAM_SIZE);
    memset(&wdev, 0, sizeof(wdev));
    memset(wdev.regs, 0x55, sizeof(wdev.regs));
    wdev.log = g_array_new(FALSE, TRUE, sizeof(Access));
    memory_region_init_io(&window, NULL, &ops_full, &wdev, "window", 64);
    memory_region_add_subregion_overlap(&f.root, RAM_BASE + 0x1000, &window, 1);

    /* Entirely inside the window: the window wins. */
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1000, ATTRS, NULL),
                    ==, 0x55555555);
    /* Below the window: RAM. */
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0xffc, ATTRS, NULL),
                    ==, 0xaaaaaaaa);

    /* Running from RAM into the window. */
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE + 0x1000 - 16, ATTRS,
                                       buf, 32), ==, MEMTX_OK);
    for (int i = 0; i < 32; i++) {
        if (buf[i] != (i < 16 ? 0xaa : 0x55)) {
            g_test_message("byte %d is 0x%02x", i, buf[i]);
        }
        g_assert_cmphex(buf[i], ==, i < 16 ? 0xaa : 0x55);
    }

    /* Writing from RAM into the window must not write the RAM beneath. */
    memset(buf, 0x11, sizeof(buf));
    g_assert_cmpint(address_space_write(&f.as, RAM_BASE + 0x1000 - 16, ATTRS,
                                        buf, 32), ==, MEMTX_OK);
    g_assert_cmphex(ptr[0x1000], ==, 0xaa);
    g_assert_cmphex(wdev.regs[0], ==, 0x11);

    /* map_ram stops at the window. */
    len = 0x10000;
    g_assert_true(address_space_map_ram(&f.as, RAM_BASE, &len) == ptr);
    g_assert_cmphex(len, ==, 0x1000);

    /* Past the window, RAM again. */
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1040, ATTRS, NULL),
                    ==, 0xaaaaaaaa);

    memory_region_finalize(&window);
    g_array_free(wdev.log, TRUE);
    /* Window gone: RAM visible again. */
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1000, ATTRS, NULL),
                    ==, 0xaaaaaaaa);
    fixture_fini(&f);
}

/*
 * A higher-priority *container* over RAM (a BAR with sub-regions and gaps,
 * like an MSI-X BAR with its table and PBA): at a gap the RAM beneath
 * shows through, but an access running from the gap into the container's
 * next child must stop there.
 */
static void test_overlap_container_hole(void)
{
    Fixture f;
    uint8_t *ptr;
    uint8_t buf[32];
    hwaddr len;
    MemoryRegion bar, pba;
    TestDev pdev;

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);
    memset(ptr, 0xaa, RAM_SIZE);
    memset(&pdev, 0, sizeof(pdev));
    memset(pdev.regs, 0x55, sizeof(pdev.regs));
    pdev.log = g_array_new(FALSE, TRUE, sizeof(Access));
    memory_region_init(&bar, NULL, "bar", 0x2000);
    memory_region_init_io(&pba, NULL, &ops_full, &pdev, "pba", 64);
    memory_region_add_subregion(&bar, 0x1000, &pba);
    memory_region_add_subregion_overlap(&f.root, RAM_BASE, &bar, 1);

    /* In the gap: RAM.  In the child: the device. */
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x10, ATTRS, NULL),
                    ==, 0xaaaaaaaa);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1000, ATTRS, NULL),
                    ==, 0x55555555);

    /* From the gap into the child. */
    g_assert_cmpint(address_space_read(&f.as, RAM_BASE + 0x1000 - 16, ATTRS,
                                       buf, 32), ==, MEMTX_OK);
    for (int i = 0; i < 32; i++) {
        if (buf[i] != (i < 16 ? 0xaa : 0x55)) {
            g_test_message("byte %d is 0x%02x", i, buf[i]);
        }
        g_assert_cmphex(buf[i], ==, i < 16 ? 0xaa : 0x55);
    }

    /* map_ram from the gap stops at the child. */
    len = 0x10000;
    g_assert_true(address_space_map_ram(&f.as, RAM_BASE, &len) == ptr);
    g_assert_cmphex(len, ==, 0x1000);

    memory_region_finalize(&pba);
    memory_region_finalize(&bar);
    g_array_free(pdev.log, TRUE);
    fixture_fini(&f);
}

/* Among equal priorities the region added last wins. */
static void test_overlap_equal_priority(void)
{
    Fixture f;
    MemoryRegion a, b;
    TestDev da, db;

    fixture_init(&f, &ops_full);
    memset(&da, 0, sizeof(da));
    memset(&db, 0, sizeof(db));
    memset(da.regs, 0xa0, sizeof(da.regs));
    memset(db.regs, 0xb0, sizeof(db.regs));
    da.log = g_array_new(FALSE, TRUE, sizeof(Access));
    db.log = g_array_new(FALSE, TRUE, sizeof(Access));
    memory_region_init_io(&a, NULL, &ops_full, &da, "a", 64);
    memory_region_init_io(&b, NULL, &ops_full, &db, "b", 64);
    memory_region_add_subregion_overlap(&f.root, 0x40000, &a, 2);
    memory_region_add_subregion_overlap(&f.root, 0x40000, &b, 2);
    g_assert_cmphex(address_space_ldl_le(&f.as, 0x40000, ATTRS, NULL), ==,
                    0xb0b0b0b0);
    memory_region_del_subregion(&f.root, &b);
    g_assert_cmphex(address_space_ldl_le(&f.as, 0x40000, ATTRS, NULL), ==,
                    0xa0a0a0a0);
    memory_region_finalize(&a);
    memory_region_finalize(&b);
    g_array_free(da.log, TRUE);
    g_array_free(db.log, TRUE);
    fixture_fini(&f);
}

/* Nested containers: addresses add up; foreach_ram reports guest addresses. */
typedef struct RamSeen {
    MemoryRegion *mr;
    hwaddr gpa;
} RamSeen;

static void ram_seen_cb(MemoryRegion *mr, hwaddr gpa, void *opaque)
{
    RamSeen s = { mr, gpa };

    g_array_append_val((GArray *)opaque, s);
}

static void test_nested_and_foreach_ram(void)
{
    Fixture f;
    MemoryRegion container, ram2;
    g_autoptr(GArray) seen = g_array_new(FALSE, TRUE, sizeof(RamSeen));
    hwaddr len = 0x10000;
    bool saw_ram = false, saw_ram2 = false;

    fixture_init(&f, &ops_full);
    memory_region_init(&container, NULL, "container", 0x100000);
    g_assert_true(memory_region_init_ram(&ram2, NULL, "ram2", 0x2000,
                                         &error_abort));
    memory_region_add_subregion(&container, 0x3000, &ram2);
    memory_region_add_subregion(&f.root, 0x400000, &container);

    address_space_stl_le(&f.as, 0x403010, 0xfeedface, ATTRS, NULL);
    g_assert_cmphex(
        ldl_le_p((uint8_t *)memory_region_get_ram_ptr(&ram2) + 0x10), ==,
        0xfeedface);
    g_assert_true(address_space_map_ram(&f.as, 0x403000, &len) ==
                  memory_region_get_ram_ptr(&ram2));
    g_assert_cmphex(len, ==, 0x2000);
    /* Inside the container but outside ram2: a hole. */
    g_assert_cmphex(address_space_ldl_le(&f.as, 0x400000, ATTRS, NULL), ==,
                    0xffffffff);

    memory_foreach_ram(&f.as, ram_seen_cb, seen);
    g_assert_cmpuint(seen->len, ==, 2);
    for (guint i = 0; i < seen->len; i++) {
        RamSeen *s = &g_array_index(seen, RamSeen, i);

        if (s->mr == &f.ram) {
            g_assert_cmphex(s->gpa, ==, RAM_BASE);
            saw_ram = true;
        } else if (s->mr == &ram2) {
            g_assert_cmphex(s->gpa, ==, 0x403000);
            saw_ram2 = true;
        }
    }
    g_assert_true(saw_ram && saw_ram2);

    /* Disabled regions are not visited. */
    g_array_set_size(seen, 0);
    memory_region_set_enabled(&container, false);
    memory_foreach_ram(&f.as, ram_seen_cb, seen);
    g_assert_cmpuint(seen->len, ==, 1);

    memory_region_finalize(&ram2);
    memory_region_finalize(&container);
    fixture_fini(&f);
}

static void test_ram_init_error(void)
{
    MemoryRegion mr;
    Error *err = NULL;

    /* Absurd size: ftruncate or mmap fails, with an error naming the region. */
    g_assert_false(memory_region_init_ram(&mr, NULL, "huge", UINT64_MAX / 2,
                                          &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "'huge'"));
    g_assert_cmpint(memory_region_get_fd(&mr), ==, -1);
    error_free(err);
    memory_region_finalize(&mr);
}

/*
 * The flattened view must follow every change to the map, including a
 * change deep inside a container, right after an access that made the
 * changed range the one looked up last.
 */
static void test_map_changes_after_access(void)
{
    Fixture f;
    MemoryRegion bar, regs;
    TestDev bdev;
    uint8_t *ptr;

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);
    memset(ptr, 0xaa, RAM_SIZE);
    memset(&bdev, 0, sizeof(bdev));
    memset(bdev.regs, 0x77, sizeof(bdev.regs));
    bdev.log = g_array_new(FALSE, TRUE, sizeof(Access));

    /* An empty BAR container over RAM: RAM shows through it. */
    memory_region_init(&bar, NULL, "bar", 0x1000);
    memory_region_add_subregion_overlap(&f.root, RAM_BASE + 0x2000, &bar, 1);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x2010, ATTRS,
                                         NULL), ==, 0xaaaaaaaa);
    /* A register block appears inside it: the next access sees it. */
    memory_region_init_io(&regs, NULL, &ops_full, &bdev, "bar-regs", 64);
    memory_region_add_subregion(&bar, 0x10, &regs);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x2010, ATTRS,
                                         NULL), ==, 0x77777777);
    g_assert_cmpuint(bdev.log->len, ==, 1);
    /* Growing and shrinking the RAM it shadows. */
    memory_region_set_size(&f.ram, 0x1000);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1800, ATTRS,
                                         NULL), ==, 0xffffffff);
    memory_region_set_size(&f.ram, RAM_SIZE);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x1800, ATTRS,
                                         NULL), ==, 0xaaaaaaaa);
    /* Disabling the container hides its child too. */
    memory_region_set_enabled(&bar, false);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x2010, ATTRS,
                                         NULL), ==, 0xaaaaaaaa);
    g_assert_cmpuint(bdev.log->len, ==, 1);
    memory_region_set_enabled(&bar, true);
    memory_region_set_address(&bar, RAM_BASE + 0x3000);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x3010, ATTRS,
                                         NULL), ==, 0x77777777);
    g_assert_cmphex(address_space_ldl_le(&f.as, RAM_BASE + 0x2010, ATTRS,
                                         NULL), ==, 0xaaaaaaaa);

    memory_region_finalize(&regs);
    memory_region_finalize(&bar);
    g_array_free(bdev.log, TRUE);
    fixture_fini(&f);
}

/*
 * Many small devices side by side, and one at the very top of the 64-bit
 * space: every access reaches its own device, in any order.
 */
static void test_many_regions(void)
{
    enum { N = 257 };
    Fixture f;
    MemoryRegion *mr = g_new0(MemoryRegion, N + 1);
    TestDev *dev = g_new0(TestDev, N + 1);
    uint64_t val;

    fixture_init(&f, &ops_full);
    for (unsigned i = 0; i <= N; i++) {
        hwaddr at = i < N ? 0x40000000 + i * 0x100 : UINT64_MAX - 63;

        memset(dev[i].regs, i & 0xff, sizeof(dev[i].regs));
        dev[i].log = g_array_new(FALSE, TRUE, sizeof(Access));
        memory_region_init_io(&mr[i], NULL, &ops_full, &dev[i], "dev", 64);
        memory_region_add_subregion(&f.root, at, &mr[i]);
    }
    for (unsigned k = 0; k <= N; k++) {
        unsigned i = (k * 97) % (N + 1);
        hwaddr at = i < N ? 0x40000000 + i * 0x100 : UINT64_MAX - 63;

        val = 0;
        g_assert_cmpint(address_space_access_sized(&f.as, at + 56, &val, 8,
                                                   false, ATTRS), ==,
                        MEMTX_OK);
        g_assert_cmphex(val, ==, 0x0101010101010101ULL * (i & 0xff));
        g_assert_cmpuint(dev[i].log->len, ==, 1);
        /* Between two devices: nothing. */
        g_assert_cmphex(address_space_ldl_le(&f.as, 0x40000000 + i * 0x100 +
                                             0x80, ATTRS, NULL), ==,
                        0xffffffff);
    }
    for (unsigned i = 0; i <= N; i++) {
        memory_region_finalize(&mr[i]);
        g_array_free(dev[i].log, TRUE);
    }
    g_free(mr);
    g_free(dev);
    fixture_fini(&f);
}

/* RAM reads and writes of every size up to 64, at every alignment. */
static void test_ram_copy_sizes(void)
{
    Fixture f;
    uint8_t *ptr, in[64], out[64];

    fixture_init(&f, &ops_full);
    ptr = memory_region_get_ram_ptr(&f.ram);
    for (unsigned len = 1; len <= 64; len++) {
        for (unsigned off = 0; off < 8; off++) {
            for (unsigned i = 0; i < len; i++) {
                in[i] = len * 7 + off * 3 + i;
            }
            memset(ptr, 0, 128);
            g_assert_cmpint(address_space_write(&f.as, RAM_BASE + off, ATTRS,
                                                in, len), ==, MEMTX_OK);
            g_assert_cmpmem(ptr + off, len, in, len);
            g_assert_cmphex(ptr[off + len], ==, 0);
            memset(out, 0xee, sizeof(out));
            g_assert_cmpint(address_space_read(&f.as, RAM_BASE + off, ATTRS,
                                               out, len), ==, MEMTX_OK);
            g_assert_cmpmem(out, len, in, len);
            if (len < sizeof(out)) {
                g_assert_cmphex(out[len], ==, 0xee);
            }
        }
    }
    fixture_fini(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/memory/mmio/sizes", test_mmio_sizes);
    g_test_add_func("/memory/mmio/ld-st-helpers", test_mmio_ld_st_helpers);
    g_test_add_func("/memory/mmio/write-data-masked",
                    test_mmio_write_data_masked);
    g_test_add_func("/memory/mmio/split", test_mmio_split);
    g_test_add_func("/memory/mmio/split-bytes", test_mmio_split_bytes);
    g_test_add_func("/memory/mmio/widen", test_mmio_widen);
    g_test_add_func("/memory/mmio/invalid", test_mmio_invalid);
    g_test_add_func("/memory/mmio/bulk", test_mmio_bulk);
    g_test_add_func("/memory/unassigned", test_unassigned);
    g_test_add_func("/memory/disabled-and-moved", test_disabled_region);
    g_test_add_func("/memory/ram/memfd", test_ram_memfd);
    g_test_add_func("/memory/ram/map", test_map_ram);
    g_test_add_func("/memory/ram/window", test_ram_window);
    g_test_add_func("/memory/ram/copy-sizes", test_ram_copy_sizes);
    g_test_add_func("/memory/ram/init-error", test_ram_init_error);
    g_test_add_func("/memory/overlap/priority", test_overlap_priority);
    g_test_add_func("/memory/flat/map-changes-after-access",
                    test_map_changes_after_access);
    g_test_add_func("/memory/flat/many-regions", test_many_regions);
    g_test_add_func("/memory/overlap/container-hole",
                    test_overlap_container_hole);
    g_test_add_func("/memory/overlap/equal-priority",
                    test_overlap_equal_priority);
    g_test_add_func("/memory/nested-and-foreach-ram",
                    test_nested_and_foreach_ram);
    return g_test_run();
}
