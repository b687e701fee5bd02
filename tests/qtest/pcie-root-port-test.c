/*
 * pcie-root-port on q35 and virt, driven as a guest's PCI core and its
 * pciehp driver drive it: the Type 1 header and the bus numbers the guest
 * programs, configuration requests routed by those numbers through ECAM,
 * the PCI Express capability with its hot-plug slot, and QMP
 * device_add/device_del into the slot (the removal waits for the guest to
 * power the slot off; DEVICE_DELETED comes then).
 */
#include <string.h>
#include <glib/gstdio.h>
#include <libfdt.h>
#include "libqtest.h"
#include "libqos/qos-pci.h"

/* Register facts, PCI-to-PCI Bridge 1.2 and PCIe Base 4.0 (7.5.3). */
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define  PCI_COMMAND_MEMORY     0x2
#define  PCI_COMMAND_MASTER     0x4
#define PCI_CLASS_DEVICE        0x0a
#define PCI_HEADER_TYPE         0x0e
#define PCI_BAR0                0x10
#define PCI_PRIMARY_BUS         0x18
#define PCI_SECONDARY_BUS       0x19
#define PCI_SUBORDINATE_BUS     0x1a
#define PCI_MEMORY_BASE         0x20
#define PCI_MEMORY_LIMIT        0x22
#define PCI_PREF_MEMORY_BASE    0x24
#define PCI_BRIDGE_CONTROL      0x3e
#define  PCI_BRIDGE_CTL_SBR     0x40
#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSIX         0x11
#define PCI_MSIX_FLAGS          0x02
#define  PCI_MSIX_FLAGS_ENABLE  0x8000
#define PCI_MSIX_TABLE          0x04
#define PCI_EXP_FLAGS           0x02
#define  PCI_EXP_FLAGS_SLOT     0x0100
#define PCI_EXP_LNKCAP          0x0c
#define  PCI_EXP_LNKCAP_DLLLARC (1u << 20)
#define PCI_EXP_LNKSTA          0x12
#define  PCI_EXP_LNKSTA_DLLLA   0x2000
#define PCI_EXP_SLTCAP          0x14
#define  SLTCAP_ABP             0x01
#define  SLTCAP_PCP             0x02
#define  SLTCAP_AIP             0x08
#define  SLTCAP_PIP             0x10
#define  SLTCAP_HPC             0x40
#define PCI_EXP_SLTCTL          0x18
#define  SLTCTL_ABPE            0x0001
#define  SLTCTL_PDCE            0x0008
#define  SLTCTL_CCIE            0x0010
#define  SLTCTL_HPIE            0x0020
#define  SLTCTL_ATTN_IND_OFF    0x00c0
#define  SLTCTL_PWR_IND_ON      0x0100
#define  SLTCTL_PWR_IND_BLINK   0x0200
#define  SLTCTL_PWR_IND_OFF     0x0300
#define  SLTCTL_PCC             0x0400
#define  SLTCTL_DLLSCE          0x1000
#define PCI_EXP_SLTSTA          0x1a
#define  SLTSTA_ABP             0x0001
#define  SLTSTA_PDC             0x0008
#define  SLTSTA_CC              0x0010
#define  SLTSTA_PDS             0x0040
#define  SLTSTA_DLLSC           0x0100

#define RP_DEVFN                QPCI_DEVFN(2, 0)
#define TESTDEV_ID              0x0005  /* pci-test-dev, 1b36:0005 */
#define TESTDEV_ID_VALUE        0x50434954u     /* its BAR0 register 0 */

typedef struct Machine {
    const char *name;
    uint64_t ecam;
    uint64_t ram;               /* guest RAM the test may use */
    uint64_t mmio;              /* a free address for the port's BAR0 */
} Machine;

static const Machine machines[] = {
    { "q35", QPCI_Q35_ECAM, 0x100000, 0xe0000000ULL },
    { "virt", QPCI_VIRT_ECAM, 0x40100000ULL, 0x10000000ULL },
};

static QPCIHost start(const Machine *m, const char *extra)
{
    QPCIHost h = {
        .qts = qtest_initf("-M %s -device pcie-root-port,id=rp1,chassis=1,"
                           "slot=5,port=16,bus=pcie.0,addr=2 %s",
                           m->name, extra),
        .ecam = m->ecam,
    };
    return h;
}

static uint8_t exp_cap(const QPCIHost *h)
{
    uint8_t pos = qpci_find_cap(h, 0, RP_DEVFN, PCI_CAP_ID_EXP);

    g_assert_cmpuint(pos, !=, 0);
    return pos;
}

static uint16_t sltsta(const QPCIHost *h)
{
    return qpci_cfg_readw(h, 0, RP_DEVFN, exp_cap(h) + PCI_EXP_SLTSTA);
}

static uint16_t sltctl(const QPCIHost *h)
{
    return qpci_cfg_readw(h, 0, RP_DEVFN, exp_cap(h) + PCI_EXP_SLTCTL);
}

static void set_sltctl(const QPCIHost *h, uint16_t v)
{
    qpci_cfg_writew(h, 0, RP_DEVFN, exp_cap(h) + PCI_EXP_SLTCTL, v);
}

static void clear_sltsta(const QPCIHost *h, uint16_t bits)
{
    qpci_cfg_writew(h, 0, RP_DEVFN, exp_cap(h) + PCI_EXP_SLTSTA, bits);
}

/* The header a guest's PCI core reads at enumeration. */
static void test_header(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "");
    uint8_t pos;
    uint32_t cap;

    g_assert_cmphex(qpci_cfg_readl(&h, 0, RP_DEVFN, 0), ==, 0x000c1b36);
    g_assert_cmphex(qpci_cfg_readw(&h, 0, RP_DEVFN, PCI_CLASS_DEVICE), ==,
                    0x0604);
    g_assert_cmphex(qpci_cfg_readb(&h, 0, RP_DEVFN, PCI_HEADER_TYPE) & 0x7f,
                    ==, 1);
    /* Unnumbered after reset. */
    g_assert_cmphex(qpci_cfg_readl(&h, 0, RP_DEVFN, PCI_PRIMARY_BUS) &
                    0xffffff, ==, 0);
    pos = exp_cap(&h);
    /* Version 2, type Root Port (4), slot implemented. */
    g_assert_cmphex(qpci_cfg_readw(&h, 0, RP_DEVFN, pos + PCI_EXP_FLAGS) &
                    0x1ff, ==, PCI_EXP_FLAGS_SLOT | 0x40 | 2);
    g_assert_cmphex(qpci_cfg_readl(&h, 0, RP_DEVFN, pos + PCI_EXP_LNKCAP) >>
                    24, ==, 16);
    g_assert_true(qpci_cfg_readl(&h, 0, RP_DEVFN, pos + PCI_EXP_LNKCAP) &
                  PCI_EXP_LNKCAP_DLLLARC);
    cap = qpci_cfg_readl(&h, 0, RP_DEVFN, pos + PCI_EXP_SLTCAP);
    g_assert_cmphex(cap & (SLTCAP_ABP | SLTCAP_PCP | SLTCAP_AIP | SLTCAP_PIP |
                           SLTCAP_HPC), ==,
                    SLTCAP_ABP | SLTCAP_PCP | SLTCAP_AIP | SLTCAP_PIP |
                    SLTCAP_HPC);
    g_assert_cmpuint(cap >> 19, ==, 5);     /* physical slot number */
    /* An empty slot: no presence, no power, no link. */
    g_assert_cmphex(sltsta(&h) & SLTSTA_PDS, ==, 0);
    g_assert_cmphex(sltctl(&h) & SLTCTL_PCC, ==, SLTCTL_PCC);
    g_assert_cmphex(qpci_cfg_readw(&h, 0, RP_DEVFN, pos + PCI_EXP_LNKSTA) &
                    PCI_EXP_LNKSTA_DLLLA, ==, 0);
    /* Bus numbers are what the guest writes. */
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 4, 9);
    g_assert_cmphex(qpci_cfg_readl(&h, 0, RP_DEVFN, PCI_PRIMARY_BUS) &
                    0xffffff, ==, 0x090400);
    qtest_quit(h.qts);
}

/*
 * A device behind the port answers at the secondary bus number, and only
 * there; renumbering the bridge moves it.
 */
static void test_routing(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "-device pci-test-dev,id=td,bus=rp1");
    uint8_t pos = exp_cap(&h);

    /* Cold-plugged: present, powered, link up. */
    g_assert_cmphex(sltsta(&h) & SLTSTA_PDS, ==, SLTSTA_PDS);
    g_assert_cmphex(sltctl(&h) & SLTCTL_PCC, ==, 0);
    g_assert_cmphex(qpci_cfg_readw(&h, 0, RP_DEVFN, pos + PCI_EXP_LNKSTA) &
                    PCI_EXP_LNKSTA_DLLLA, ==, PCI_EXP_LNKSTA_DLLLA);

    /* Not numbered yet: no bus but 0 is reachable. */
    for (int bus = 1; bus < 4; bus++) {
        g_assert_false(qpci_present(&h, bus, 0));
    }
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    g_assert_cmphex(qpci_cfg_readw(&h, 1, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    /* One device on a root port's link: device 0 only. */
    g_assert_false(qpci_present(&h, 1, QPCI_DEVFN(1, 0)));
    g_assert_false(qpci_present(&h, 1, QPCI_DEVFN(31, 0)));
    g_assert_false(qpci_present(&h, 2, 0));

    /* Renumbered: the device follows, its old number is empty. */
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 7, 9);
    g_assert_false(qpci_present(&h, 1, 0));
    g_assert_cmphex(qpci_cfg_readw(&h, 7, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    /* Within (secondary, subordinate]: forwarded, nobody there. */
    g_assert_false(qpci_present(&h, 8, 0));
    /* An empty range (subordinate below secondary) forwards nothing. */
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 7, 6);
    g_assert_false(qpci_present(&h, 7, 0));
    /* Config writes reach the device at its number. */
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 3, 3);
    qpci_cfg_writew(&h, 3, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qpci_cfg_readw(&h, 3, 0, PCI_COMMAND) & 7, ==,
                    PCI_COMMAND_MEMORY);
    /* Secondary Bus Reset (Bridge Control bit 6) resets the device. */
    qpci_cfg_writew(&h, 0, RP_DEVFN, PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_SBR);
    g_assert_cmphex(qpci_cfg_readw(&h, 3, 0, PCI_COMMAND) & 7, ==, 0);
    qpci_cfg_writew(&h, 0, RP_DEVFN, PCI_BRIDGE_CONTROL, 0);
    /* A reset unnumbers the bridge. */
    qtest_qmp_assert_success(h.qts, "{'execute': 'system_reset'}");
    g_assert_false(qpci_present(&h, 3, 0));
    qtest_quit(h.qts);
}

/*
 * libvirt packs root ports as the functions of one slot: each is a
 * bridge of its own, numbered and routed separately.
 */
static void test_multifunction(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = {
        /* Function 0 as libvirt writes it (JSON -device). */
        .qts = qtest_initf("-M %s -device '{\"driver\":\"pcie-root-port\","
                           "\"port\":16,\"chassis\":1,\"id\":\"pci.1\","
                           "\"bus\":\"pcie.0\",\"multifunction\":true,"
                           "\"addr\":\"0x2\"}' -device pcie-root-port,"
                           "id=rp2,chassis=2,slot=6,bus=pcie.0,addr=0x2.0x1 "
                           "-device pci-test-dev,bus=rp2", m->name),
        .ecam = m->ecam,
    };
    int fn1 = QPCI_DEVFN(2, 1);

    /* A guest looks at function 1 because function 0 says multifunction. */
    g_assert_cmphex(qpci_cfg_readb(&h, 0, RP_DEVFN, PCI_HEADER_TYPE), ==,
                    0x81);
    g_assert_cmphex(qpci_cfg_readb(&h, 0, fn1, PCI_HEADER_TYPE) & 0x7f, ==,
                    1);
    g_assert_cmphex(qpci_cfg_readl(&h, 0, fn1, 0), ==, 0x000c1b36);
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    qpci_bridge_set_buses(&h, 0, fn1, 2, 2);
    g_assert_false(qpci_present(&h, 1, 0));     /* rp1 is empty */
    g_assert_cmphex(qpci_cfg_readw(&h, 2, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    qtest_quit(h.qts);
}

/* The port forwards [@base, @base + 1 MiB) downstream, memory decode on. */
static void open_window(const QPCIHost *h, int devfn, uint64_t base)
{
    qpci_cfg_writew(h, 0, devfn, PCI_MEMORY_BASE, (base >> 16) & 0xfff0);
    qpci_cfg_writew(h, 0, devfn, PCI_MEMORY_LIMIT, (base >> 16) & 0xfff0);
    qpci_cfg_writew(h, 0, devfn, PCI_COMMAND,
                    qpci_cfg_readw(h, 0, devfn, PCI_COMMAND) |
                    PCI_COMMAND_MEMORY);
}

/*
 * A BAR behind the port is reached only through the port's windows, with
 * the port's memory decode on and the slot powered.
 */
static void test_windows(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "-device pci-test-dev,id=td,bus=rp1");
    const uint64_t bar = m->mmio + 0x100000;
    uint32_t pref_base;

    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    qpci_cfg_writel(&h, 1, 0, PCI_BAR0, (uint32_t)bar);
    qpci_cfg_writew(&h, 1, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);
    /* Windows closed after reset. */
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, 0xffffffff);
    open_window(&h, RP_DEVFN, bar);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, TESTDEV_ID_VALUE);
    /* Port memory decode off: gone; on again: back. */
    qpci_cfg_writew(&h, 0, RP_DEVFN, PCI_COMMAND, 0);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, 0xffffffff);
    qpci_cfg_writew(&h, 0, RP_DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, TESTDEV_ID_VALUE);
    /* The window moves away: gone.  The prefetchable window takes it. */
    open_window(&h, RP_DEVFN, bar + 0x100000);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, 0xffffffff);
    pref_base = (bar >> 16) & 0xfff0;
    qpci_cfg_writel(&h, 0, RP_DEVFN, PCI_PREF_MEMORY_BASE,
                    pref_base | pref_base << 16);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, TESTDEV_ID_VALUE);
    /* The guest powers the slot off (indicator blinking): gone. */
    qpci_cfg_writew(&h, 0, RP_DEVFN, exp_cap(&h) + PCI_EXP_SLTCTL,
                    SLTCTL_PWR_IND_BLINK | SLTCTL_PCC);
    g_assert_cmphex(qtest_readl(h.qts, bar), ==, 0xffffffff);
    g_assert_null(qtest_qmp_event_ref(h.qts, "DEVICE_DELETED"));
    qtest_quit(h.qts);
}

/*
 * INTx through the port (virt: SPI 3 + line): the device's INTA on the
 * secondary bus, swizzled by the port's slot, and the port's own slot
 * events with MSI-X off.
 */
static void test_intx(void)
{
    QPCIHost h = {
        .qts = qtest_init("-M virt -device pcie-root-port,id=rp1,chassis=1,"
                          "slot=1,addr=3 -device pci-test-dev,id=td,bus=rp1"),
        .ecam = QPCI_VIRT_ECAM,
    };
    const int spi = 3 + 3;      /* slot 3, INTA: line 3 */
    const int rp = QPCI_DEVFN(3, 0);
    const uint64_t bar = 0x10000000ULL;
    uint8_t pos;

    qtest_irq_intercept_in(h.qts, "gic");
    qpci_bridge_set_buses(&h, 0, rp, 1, 1);
    open_window(&h, rp, bar);
    qpci_cfg_writel(&h, 1, 0, PCI_BAR0, (uint32_t)bar);
    qpci_cfg_writew(&h, 1, 0, PCI_COMMAND, PCI_COMMAND_MEMORY);
    qtest_writel(h.qts, bar + 0x10, 1);         /* PCI_TEST_DEV_REG_INTX */
    g_assert_true(qtest_get_irq(h.qts, spi));
    qtest_writel(h.qts, bar + 0x10, 0);
    g_assert_false(qtest_get_irq(h.qts, spi));

    pos = qpci_find_cap(&h, 0, rp, PCI_CAP_ID_EXP);
    qpci_cfg_writew(&h, 0, rp, pos + PCI_EXP_SLTCTL,
                    qpci_cfg_readw(&h, 0, rp, pos + PCI_EXP_SLTCTL) |
                    SLTCTL_HPIE | SLTCTL_ABPE);
    qpci_cfg_writew(&h, 0, rp, pos + PCI_EXP_SLTSTA, SLTSTA_CC);
    g_assert_false(qtest_get_irq(h.qts, spi));
    qtest_qmp_assert_success(h.qts, "{'execute': 'device_del', 'arguments':"
                             " {'id': 'td'}}");
    g_assert_true(qtest_get_irq(h.qts, spi));
    qpci_cfg_writew(&h, 0, rp, pos + PCI_EXP_SLTSTA, SLTSTA_ABP);
    g_assert_false(qtest_get_irq(h.qts, spi));
    qtest_quit(h.qts);
}

/*
 * virt with arm-smmuv3: the device tree maps every requester ID of every
 * bus the ECAM window decodes to the same StreamID (iommu-map identity),
 * so a device behind a port, at secondary:devfn, is StreamID
 * secondary:devfn — what the SMMU model and its accel path assume.
 */
static void test_iommu_map(void)
{
    g_autofree char *dir = g_dir_make_tmp("rp-dtb-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "virt.dtb", NULL);
    g_autofree char *args = g_strdup_printf(
        "-M virt,dumpdtb=%s -device arm-smmuv3,primary-bus=pcie.0 "
        "-device pcie-root-port,id=rp1,chassis=1,slot=1", dtb);
    g_autofree char *fdt = NULL;
    const fdt32_t *map, *range;
    int status = -1, pcie, smmu, len;

    g_assert_true(qtest_run_binary(args, &status, NULL));
    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_file_get_contents(dtb, &fdt, NULL, NULL));
    g_assert_cmpint(fdt_check_header(fdt), ==, 0);
    pcie = fdt_node_offset_by_compatible(fdt, -1, "pci-host-ecam-generic");
    smmu = fdt_node_offset_by_compatible(fdt, -1, "arm,smmu-v3");
    g_assert_cmpint(pcie, >=, 0);
    g_assert_cmpint(smmu, >=, 0);

    /* <rid-base iommu-phandle iommu-base length>: one identity entry. */
    map = fdt_getprop(fdt, pcie, "iommu-map", &len);
    g_assert_nonnull(map);
    g_assert_cmpint(len, ==, 4 * sizeof(fdt32_t));
    g_assert_cmphex(fdt32_to_cpu(map[0]), ==, 0);
    g_assert_cmphex(fdt32_to_cpu(map[1]), ==, fdt_get_phandle(fdt, smmu));
    g_assert_cmphex(fdt32_to_cpu(map[2]), ==, 0);
    /* Covers the last bus the guest may number. */
    range = fdt_getprop(fdt, pcie, "bus-range", &len);
    g_assert_nonnull(range);
    g_assert_cmpint(len, ==, 2 * sizeof(fdt32_t));
    g_assert_cmpuint(fdt32_to_cpu(range[1]), >=, 1);
    g_assert_cmphex(fdt32_to_cpu(map[3]), >=,
                    (fdt32_to_cpu(range[1]) + 1) << 8);
    g_unlink(dtb);
    g_rmdir(dir);
}

/* Refusals a user meets on the command line. */
static void test_refusals(gconstpointer data)
{
    const Machine *m = data;
    static const struct {
        const char *args;
        const char *msg;
    } cases[] = {
        { "-device pcie-root-port,id=rp1,chassis=1,slot=1 "
          "-device pci-test-dev,bus=rp1,addr=1", "only allows plugging into "
          "slot 0" },
        { "-device pcie-root-port,id=rp1,chassis=1,slot=1 "
          "-device pcie-root-port,id=rp2,chassis=1,slot=1",
          "chassis 1 slot 1 is already used by 'rp1'" },
        { "-device pcie-root-port,id=rp1,chassis=1,slot=1 "
          "-device pcie-root-port,id=rp2,chassis=1,slot=2,bus=rp1",
          "must sit on a root bus" },
        { "-device pcie-root-port,id=rp1,chassis=1,slot=1 "
          "-device pci-test-dev,bus=rp1 -device pci-test-dev,bus=rp1",
          "no slot/function available" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *args = g_strdup_printf("-M %s %s", m->name,
                                                cases[i].args);
        g_autofree char *err = NULL;
        int status;

        g_assert_true(qtest_run_binary(args, &status, &err));
        g_assert_cmpint(status, !=, 0);
        if (!strstr(err, cases[i].msg)) {
            g_error("'%s': expected '%s' in: %s", args, cases[i].msg, err);
        }
    }
}

/*
 * The guest's pciehp set-up: MSI-X vector 0 of the port pointed at
 * @msg_addr (RAM, so the test sees each message), events enabled.
 */
static void pciehp_init(const Machine *m, const QPCIHost *h, uint64_t msg_addr)
{
    uint8_t msix = qpci_find_cap(h, 0, RP_DEVFN, PCI_CAP_ID_MSIX);
    uint32_t table;

    g_assert_cmpuint(msix, !=, 0);
    table = qpci_cfg_readl(h, 0, RP_DEVFN, msix + PCI_MSIX_TABLE);
    g_assert_cmpuint(table & 7, ==, 0);     /* in BAR0 */
    qpci_cfg_writel(h, 0, RP_DEVFN, PCI_BAR0, (uint32_t)m->mmio);
    qpci_cfg_writel(h, 0, RP_DEVFN, PCI_BAR0 + 4, (uint32_t)(m->mmio >> 32));
    qpci_cfg_writew(h, 0, RP_DEVFN, PCI_COMMAND,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    qtest_writeq(h->qts, m->mmio + (table & ~7u), msg_addr);
    qtest_writel(h->qts, m->mmio + (table & ~7u) + 8, 0x4d5a);
    qtest_writel(h->qts, m->mmio + (table & ~7u) + 12, 0);     /* unmasked */
    qpci_cfg_writew(h, 0, RP_DEVFN, msix + PCI_MSIX_FLAGS,
                    PCI_MSIX_FLAGS_ENABLE);
    set_sltctl(h, (sltctl(h) & (SLTCTL_PCC | 0x3c0)) | SLTCTL_ABPE |
               SLTCTL_PDCE | SLTCTL_CCIE | SLTCTL_HPIE | SLTCTL_DLLSCE);
    clear_sltsta(h, SLTSTA_CC);
}

/* Messages seen so far: each one overwrote @msg_addr; count by clearing. */
static bool took_message(const QPCIHost *h, uint64_t msg_addr)
{
    bool got = qtest_readl(h->qts, msg_addr) == 0x4d5a;

    qtest_writel(h->qts, msg_addr, 0);
    return got;
}

/*
 * QMP hot-plug and hot-unplug, with the test as the guest's pciehp:
 * presence detect change on device_add, power-on before the device shows,
 * attention button on device_del, DEVICE_DELETED after the power-off.
 */
static void test_hotplug(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "");
    uint64_t msg = m->ram;
    JsonObject *r;

    pciehp_init(m, &h, msg);
    g_assert_true(took_message(&h, msg));   /* command completed */
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);

    qtest_qmp_assert_success(h.qts, "{'execute': 'device_add', 'arguments':"
                             " {'driver': 'pci-test-dev', 'id': 'td',"
                             " 'bus': 'rp1'}}");
    /* Presence changed, and the button pressed: the slot has no power. */
    g_assert_cmphex(sltsta(&h) & (SLTSTA_PDS | SLTSTA_PDC | SLTSTA_ABP), ==,
                    SLTSTA_PDS | SLTSTA_PDC | SLTSTA_ABP);
    g_assert_true(took_message(&h, msg));
    /* No power yet: the device does not answer. */
    g_assert_false(qpci_present(&h, 1, 0));

    /* pciehp: acknowledge, power on, indicator on. */
    clear_sltsta(&h, SLTSTA_PDC | SLTSTA_ABP);
    g_assert_cmphex(sltsta(&h) & (SLTSTA_PDC | SLTSTA_ABP), ==, 0);
    set_sltctl(&h, (sltctl(&h) & ~(SLTCTL_PCC | 0x300)) | SLTCTL_PWR_IND_ON);
    g_assert_cmphex(sltsta(&h) & (SLTSTA_CC | SLTSTA_DLLSC), ==,
                    SLTSTA_CC | SLTSTA_DLLSC);
    g_assert_true(took_message(&h, msg));
    g_assert_cmphex(qpci_cfg_readw(&h, 0, RP_DEVFN, exp_cap(&h) +
                                   PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA,
                    ==, PCI_EXP_LNKSTA_DLLLA);
    g_assert_cmphex(qpci_cfg_readw(&h, 1, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    clear_sltsta(&h, SLTSTA_CC | SLTSTA_DLLSC);

    /* device_del: only the attention button, until the guest lets go. */
    qtest_qmp_assert_success(h.qts, "{'execute': 'device_del', 'arguments':"
                             " {'id': 'td'}}");
    g_assert_cmphex(sltsta(&h) & SLTSTA_ABP, ==, SLTSTA_ABP);
    g_assert_true(took_message(&h, msg));
    g_assert_cmphex(qpci_cfg_readw(&h, 1, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    r = qtest_qmp(h.qts, "{'execute': 'device_del', 'arguments':"
                  " {'id': 'td'}}");
    g_assert_true(json_object_has_member(r, "error"));
    json_object_unref(r);
    g_assert_null(qtest_qmp_event_ref(h.qts, "DEVICE_DELETED"));

    /*
     * pciehp (Linux's remove_board): acknowledge, blink, power off, and a
     * second later the indicator off: that releases the slot.
     */
    clear_sltsta(&h, SLTSTA_ABP);
    set_sltctl(&h, (sltctl(&h) & ~0x300) | SLTCTL_PWR_IND_BLINK);
    clear_sltsta(&h, SLTSTA_CC);
    set_sltctl(&h, sltctl(&h) | SLTCTL_PCC);
    g_assert_false(qpci_present(&h, 1, 0));
    g_assert_null(qtest_qmp_event_ref(h.qts, "DEVICE_DELETED"));
    set_sltctl(&h, (sltctl(&h) & ~0x300) | SLTCTL_PWR_IND_OFF);
    r = qtest_qmp_eventwait_ref(h.qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(r, "data"), "device"),
                    ==, "td");
    json_object_unref(r);
    g_assert_cmphex(sltsta(&h) & (SLTSTA_PDS | SLTSTA_PDC), ==, SLTSTA_PDC);
    g_assert_false(qpci_present(&h, 1, 0));
    r = qtest_qmp(h.qts, "{'execute': 'device_del', 'arguments':"
                  " {'id': 'td'}}");
    g_assert_true(json_object_has_member(r, "error"));
    json_object_unref(r);

    /* The slot takes a new device; with no power, device_del is at once. */
    qtest_qmp_assert_success(h.qts, "{'execute': 'device_add', 'arguments':"
                             " {'driver': 'pci-test-dev', 'id': 'td2',"
                             " 'bus': 'rp1'}}");
    qtest_qmp_assert_success(h.qts, "{'execute': 'device_del', 'arguments':"
                             " {'id': 'td2'}}");
    qtest_qmp_eventwait(h.qts, "DEVICE_DELETED");
    qtest_quit(h.qts);
}

/*
 * The guest ejects the device itself (sysfs power, Windows' "safely
 * remove"): releasing the slot removes it without device_del, as in QEMU;
 * power back on alone does not.
 */
static void test_guest_eject(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "-device pci-test-dev,id=td,bus=rp1");
    JsonObject *r;

    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    set_sltctl(&h, SLTCTL_PWR_IND_ON);
    g_assert_true(qpci_present(&h, 1, 0));
    /* Off, indicator still on: hidden, still there. */
    set_sltctl(&h, SLTCTL_PWR_IND_ON | SLTCTL_PCC);
    g_assert_false(qpci_present(&h, 1, 0));
    set_sltctl(&h, SLTCTL_PWR_IND_ON);
    g_assert_true(qpci_present(&h, 1, 0));
    g_assert_null(qtest_qmp_event_ref(h.qts, "DEVICE_DELETED"));
    /* Off with the indicator off: released. */
    set_sltctl(&h, SLTCTL_PWR_IND_OFF | SLTCTL_PCC);
    r = qtest_qmp_eventwait_ref(h.qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(r, "data"), "device"),
                    ==, "td");
    json_object_unref(r);
    set_sltctl(&h, SLTCTL_PWR_IND_ON);
    g_assert_false(qpci_present(&h, 1, 0));
    g_assert_cmphex(sltsta(&h) & SLTSTA_PDS, ==, 0);
    qtest_quit(h.qts);
}

/* A guest that never answers the button: a reset finishes the removal. */
static void test_unplug_reset(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = start(m, "-device pci-test-dev,id=td,bus=rp1");

    qtest_qmp_assert_success(h.qts, "{'execute': 'device_del', 'arguments':"
                             " {'id': 'td'}}");
    g_assert_null(qtest_qmp_event_ref(h.qts, "DEVICE_DELETED"));
    qtest_qmp_assert_success(h.qts, "{'execute': 'system_reset'}");
    qtest_qmp_eventwait(h.qts, "DEVICE_DELETED");
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    g_assert_false(qpci_present(&h, 1, 0));
    g_assert_cmphex(sltsta(&h) & SLTSTA_PDS, ==, 0);
    qtest_quit(h.qts);
}

/* hotplug=off: no hot-plug capability; cold-plugged devices still work. */
static void test_hotplug_off(gconstpointer data)
{
    const Machine *m = data;
    QPCIHost h = {
        .qts = qtest_initf("-M %s -device pcie-root-port,id=rp1,chassis=1,"
                           "slot=1,addr=2,hotplug=off "
                           "-device pci-test-dev,id=td,bus=rp1 "
                           "-device pcie-root-port,id=rp2,chassis=1,slot=2,"
                           "addr=3,hotplug=off", m->name),
        .ecam = m->ecam,
    };
    JsonObject *r[2];
    uint8_t pos = exp_cap(&h);

    g_assert_cmphex(qpci_cfg_readl(&h, 0, RP_DEVFN, pos + PCI_EXP_SLTCAP) &
                    0x7f, ==, 0);
    g_assert_cmphex(sltctl(&h), ==, 0);
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    g_assert_cmphex(qpci_cfg_readw(&h, 1, 0, PCI_DEVICE_ID), ==, TESTDEV_ID);
    /* SLTCTL is read-only: the guest cannot power the slot off. */
    set_sltctl(&h, SLTCTL_PCC | SLTCTL_HPIE);
    g_assert_cmphex(sltctl(&h), ==, 0);
    g_assert_true(qpci_present(&h, 1, 0));
    r[0] = qtest_qmp(h.qts, "{'execute': 'device_add', 'arguments':"
                     " {'driver': 'pci-test-dev', 'id': 'td2', 'bus': 'rp2'}}");
    r[1] = qtest_qmp(h.qts, "{'execute': 'device_del', 'arguments':"
                     " {'id': 'td'}}");
    for (size_t i = 0; i < G_N_ELEMENTS(r); i++) {
        g_autofree char *txt = qtest_json_to_string(r[i]);

        if (!strstr(txt, "hotplug=off")) {
            g_error("expected a hotplug=off refusal: %s", txt);
        }
        json_object_unref(r[i]);
    }
    g_assert_true(qpci_present(&h, 1, 0));
    qtest_quit(h.qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(machines); i++) {
        const Machine *m = &machines[i];
        static const struct {
            const char *name;
            GTestDataFunc fn;
        } t[] = {
            { "header", test_header },
            { "routing", test_routing },
            { "refusals", test_refusals },
            { "hotplug", test_hotplug },
            { "unplug-reset", test_unplug_reset },
            { "guest-eject", test_guest_eject },
            { "hotplug-off", test_hotplug_off },
            { "multifunction", test_multifunction },
            { "windows", test_windows },
        };

        for (size_t j = 0; j < G_N_ELEMENTS(t); j++) {
            g_autofree char *path = g_strdup_printf("/pcie-root-port/%s/%s",
                                                    m->name, t[j].name);

            g_test_add_data_func(path, m, t[j].fn);
        }
    }
    g_test_add_func("/pcie-root-port/virt/intx", test_intx);
    g_test_add_func("/pcie-root-port/virt/iommu-map", test_iommu_map);
    return g_test_run();
}
