/*
 * Both machines start and expose guest memory through qtest: RAM at the
 * machine's base with every access width and every bulk command,
 * unassigned MMIO that reads all ones and drops writes, the virtual
 * clock, an empty PCI slot seen through ECAM, and interrupt interception.
 */
#include <string.h>
#include "libqtest.h"

typedef struct MachineInfo {
    const char *name;
    uint64_t ram_base;
    uint64_t unassigned;        /* MMIO address nobody claims */
    uint64_t ecam;              /* bus 0 of the PCIe ECAM window */
} MachineInfo;

static const MachineInfo machines[] = {
    /* 0xfed00000 is the HPET in QEMU; 0xfed90000 is left for intel-iommu. */
    { "q35", 0, 0xfed00000ULL, 0xb0000000ULL },
    /* Between the virtio-mmio transports and the platform bus in QEMU. */
    { "virt", 0x40000000ULL, 0x0a800000ULL, 0x3f000000ULL },
};

static QTestState *start(const MachineInfo *m)
{
    return qtest_initf("-M %s", m->name);
}

static void test_ram_sized(gconstpointer data)
{
    const MachineInfo *m = data;
    QTestState *s = start(m);
    uint64_t a = m->ram_base + 0x1000;

    qtest_writeb(s, a, 0x5a);
    g_assert_cmphex(qtest_readb(s, a), ==, 0x5a);
    qtest_writew(s, a + 2, 0xbeef);
    g_assert_cmphex(qtest_readw(s, a + 2), ==, 0xbeef);
    qtest_writel(s, a + 4, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, a + 4), ==, 0xdeadbeef);
    qtest_writeq(s, a + 8, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(s, a + 8), ==, 0x0123456789abcdefULL);

    /* Little-endian: the bytes of the quadword in memory order. */
    g_assert_cmphex(qtest_readb(s, a + 8), ==, 0xef);
    g_assert_cmphex(qtest_readw(s, a + 14), ==, 0x0123);
    g_assert_cmphex(qtest_readl(s, a), ==, 0xbeef005a);
    /* Unaligned accesses to RAM work too. */
    g_assert_cmphex(qtest_readl(s, a + 7), ==, 0xabcdefde);
    qtest_quit(s);
}

static void test_ram_bulk(gconstpointer data)
{
    const MachineInfo *m = data;
    QTestState *s = start(m);
    uint64_t a = m->ram_base + 0x20000;
    uint8_t pattern[300], buf[300];

    for (size_t i = 0; i < sizeof(pattern); i++) {
        pattern[i] = i * 7 + 3;
    }

    /* hex "write", read back with both "read" and "b64read" */
    qtest_memwrite(s, a, pattern, sizeof(pattern));
    memset(buf, 0, sizeof(buf));
    qtest_memread(s, a, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));
    memset(buf, 0, sizeof(buf));
    qtest_bufread(s, a, buf, sizeof(buf));
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    /* "b64write" at an odd address, checked with sized reads */
    qtest_bufwrite(s, a + 0x1001, pattern, 5);
    g_assert_cmphex(qtest_readb(s, a + 0x1001), ==, pattern[0]);
    g_assert_cmphex(qtest_readl(s, a + 0x1002), ==,
                    pattern[1] | pattern[2] << 8 | pattern[3] << 16 |
                    (uint32_t)pattern[4] << 24);

    /* "memset", and that it stops where it should */
    qtest_memset(s, a, 0xa5, 17);
    qtest_memread(s, a, buf, 18);
    for (int i = 0; i < 17; i++) {
        g_assert_cmphex(buf[i], ==, 0xa5);
    }
    g_assert_cmphex(buf[17], ==, pattern[17]);
    qtest_quit(s);
}

static void test_ram_large(gconstpointer data)
{
    const MachineInfo *m = data;
    QTestState *s = start(m);
    size_t len = 3 << 20;       /* more than one libqtest transfer chunk */
    g_autofree uint8_t *pattern = g_malloc(len);
    g_autofree uint8_t *buf = g_malloc0(len);

    for (size_t i = 0; i < len; i++) {
        pattern[i] = i ^ (i >> 11);
    }
    qtest_bufwrite(s, m->ram_base + 0x100000, pattern, len);
    qtest_bufread(s, m->ram_base + 0x100000, buf, len);
    g_assert(memcmp(buf, pattern, len) == 0);
    qtest_quit(s);
}

static void test_unassigned(gconstpointer data)
{
    const MachineInfo *m = data;
    QTestState *s = start(m);
    uint64_t a = m->unassigned;
    uint8_t buf[16];

    g_assert_cmphex(qtest_readb(s, a), ==, 0xff);
    g_assert_cmphex(qtest_readw(s, a), ==, 0xffff);
    g_assert_cmphex(qtest_readl(s, a), ==, 0xffffffff);
    g_assert_cmphex(qtest_readq(s, a), ==, UINT64_MAX);

    /* Writes are dropped. */
    qtest_writel(s, a, 0x12345678);
    qtest_writeq(s, a + 8, 0);
    g_assert_cmphex(qtest_readl(s, a), ==, 0xffffffff);
    g_assert_cmphex(qtest_readq(s, a + 8), ==, UINT64_MAX);
    qtest_memset(s, a, 0, sizeof(buf));
    qtest_memread(s, a, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    qtest_bufread(s, a, buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    qtest_quit(s);
}

static void test_endianness(gconstpointer data)
{
    QTestState *s = start(data);

    g_assert_false(qtest_big_endian(s));
    qtest_quit(s);
}

static void test_clock(gconstpointer data)
{
    QTestState *s = start(data);
    int64_t t0 = qtest_clock_step(s, 0);

    g_assert_cmpint(t0, >=, 0);
    g_assert_cmpint(qtest_clock_step(s, 1000), ==, t0 + 1000);
    /* The clock does not move on its own. */
    g_usleep(2000);
    g_assert_cmpint(qtest_clock_step(s, 0), ==, t0 + 1000);
    g_assert_cmpint(qtest_clock_set(s, t0 + 123456789), ==, t0 + 123456789);
    /* With no timer armed, stepping to the next deadline is a no-op. */
    g_assert_cmpint(qtest_clock_step_next(s), >=, t0 + 123456789);
    qtest_quit(s);
}

/* ECAM offset of bus/device/function/register. */
static uint64_t ecam_addr(const MachineInfo *m, int bus, int dev, int fn,
                          int reg)
{
    return m->ecam + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}

static void test_ecam_empty_slot(gconstpointer data)
{
    const MachineInfo *m = data;
    QTestState *s = start(m);

    g_assert_cmphex(qtest_readw(s, ecam_addr(m, 0, 5, 0, 0)), ==, 0xffff);
    g_assert_cmphex(qtest_readl(s, ecam_addr(m, 0, 5, 0, 0)), ==, 0xffffffff);
    g_assert_cmphex(qtest_readw(s, ecam_addr(m, 0, 5, 3, 2)), ==, 0xffff);
    qtest_quit(s);
}

/* q35: an MSI write pulses line VECTOR of the "msi" device. */
static void test_q35_msi_intercept(void)
{
    QTestState *s = qtest_init("-M q35");

    qtest_irq_intercept_in(s, "msi");
    g_assert_cmpuint(qtest_get_irq_count(s, 0x31), ==, 0);
    qtest_writel(s, 0xfee00000, 0x31);
    g_assert_cmpuint(qtest_get_irq_count(s, 0x31), ==, 1);
    g_assert_false(qtest_get_irq(s, 0x31));
    qtest_writel(s, 0xfee01000, 0x31);
    g_assert_true(qtest_wait_irq_count(s, 0x31, 2, 1000));
    g_assert_cmpuint(qtest_get_irq_count(s, 0x30), ==, 0);
    qtest_quit(s);
}

/* virt: input N of "gic" is SPI N; drive it with set_irq_in. */
static void test_virt_gic_intercept(void)
{
    QTestState *s = qtest_init("-M virt");

    qtest_irq_intercept_in(s, "gic");
    qtest_set_irq_in(s, "gic", NULL, 5, 1);
    g_assert_true(qtest_get_irq(s, 5));
    g_assert_cmpuint(qtest_get_irq_count(s, 5), ==, 1);
    qtest_set_irq_in(s, "gic", NULL, 5, 0);
    g_assert_false(qtest_get_irq(s, 5));
    g_assert_false(qtest_get_irq(s, 6));
    qtest_quit(s);
}

static void add_machine_test(const MachineInfo *m, const char *name,
                             GTestDataFunc fn)
{
    g_autofree char *path = g_strdup_printf("/machine/%s/%s", m->name, name);

    g_test_add_data_func(path, m, fn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(machines); i++) {
        const MachineInfo *m = &machines[i];

        add_machine_test(m, "ram/sized", test_ram_sized);
        add_machine_test(m, "ram/bulk", test_ram_bulk);
        add_machine_test(m, "ram/large", test_ram_large);
        add_machine_test(m, "unassigned", test_unassigned);
        add_machine_test(m, "endianness", test_endianness);
        add_machine_test(m, "clock", test_clock);
        add_machine_test(m, "ecam/empty-slot", test_ecam_empty_slot);
    }
    g_test_add_func("/machine/q35/msi-intercept", test_q35_msi_intercept);
    g_test_add_func("/machine/virt/gic-intercept", test_virt_gic_intercept);
    return g_test_run();
}
