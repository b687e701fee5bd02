/*
 * pcie-root-port against the real one: QEMU's (Debian's
 * qemu-system-x86_64 and -aarch64, fetched by scripts/counterparts.sh),
 * both driven the same way under qtest on q35 and on virt, as a guest's
 * PCI core and
 * its Linux-style pciehp driver would: what each shows after reset, how
 * configuration requests follow the bus numbers, and the hot-plug
 * handshake with QMP device_add/device_del.  Every figure asserted is
 * read from both and compared; nothing is hard-coded from either.
 *
 * Known, documented differences (docs/devel/pcie-root-port.md) are
 * masked: SLTCAP.HPS and EIP, which QEMU sets and this model does not.
 */
#include <stdio.h>
#include <string.h>
#include "libqtest.h"
#include "counterparts.h"
#include "libqos/qos-pci.h"

#define RP_DEVFN        QPCI_DEVFN(2, 0)
#define PCI_CAP_ID_EXP  0x10
#define PCI_EXP_FLAGS   0x02
#define PCI_EXP_LNKCAP  0x0c
#define PCI_EXP_LNKSTA  0x12
#define PCI_EXP_SLTCAP  0x14
#define PCI_EXP_SLTCTL  0x18
#define PCI_EXP_SLTSTA  0x1a
#define  LNKCAP_PN      0xff000000u
#define  LNKCAP_DLLLARC 0x00100000u
#define  LNKSTA_DLLLA   0x2000
/* ABP, PCP, MRLSP, AIP, PIP, HPC, NCCS, PSN: HPS and EIP masked. */
#define  SLTCAP_COMPARED 0xfff8005fu
#define  SLTCTL_ABPE    0x0001
#define  SLTCTL_CCIE    0x0010
#define  SLTCTL_HPIE    0x0020
#define  SLTCTL_PIC     0x0300
#define  SLTCTL_PWR_IND_ON  0x0100
#define  SLTCTL_PWR_IND_BLINK 0x0200
#define  SLTCTL_PWR_IND_OFF 0x0300
#define  SLTCTL_PCC     0x0400
#define  SLTSTA_ABP     0x0001
#define  SLTSTA_PDC     0x0008
#define  SLTSTA_CC      0x0010
#define  SLTSTA_PDS     0x0040
#define  SLTSTA_EVENTS  (SLTSTA_ABP | SLTSTA_PDC | SLTSTA_PDS)

typedef struct Target {
    const char *binary;
    const char *machine;        /* with its ECAM where ours is */
    uint64_t ecam;
    const char *endpoint;       /* a PCIe endpoint to put in the slot */
    bool pciexbar;              /* q35 QEMU: MMCONFIG is off until enabled */
    char *envp[2];
} Target;

/* One comparison: ours and QEMU's on the same machine type. */
typedef struct Pair {
    Target ours, real;
} Pair;

static Pair pairs[2];

/*
 * What firmware does on q35 before anything uses ECAM: enable the MCH's
 * PCIEXBAR at 0xb0000000 (256 buses) through the 0xcf8/0xcfc window.
 */
static void enable_pciexbar(QTestState *qts)
{
    static const char *const cmds[] = {
        "outl 0xcf8 0x80000060", "outl 0xcfc 0xb0000001",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        g_autofree char *line = NULL;

        qtest_sendf_raw(qts, "%s\n", cmds[i]);
        line = qtest_recv_line(qts);
        g_assert_cmpstr(line, ==, "OK");
    }
}

static QPCIHost start(Target *t, bool populated)
{
    QPCIHost h = { .ecam = t->ecam };
    g_autofree char *args = g_strdup_printf(
        "-M %s -device pcie-root-port,id=rp1,chassis=1,slot=5,port=16,"
        "bus=pcie.0,addr=2%s%s%s", t->machine,
        populated ? " -device " : "", populated ? t->endpoint : "",
        populated ? ",id=ep,bus=rp1" : "");

    g_setenv("QTEST_QEMU_BINARY", t->binary, TRUE);
    h.qts = qtest_init_with_env(args, (const char *const *)t->envp);
    if (t->pciexbar) {
        enable_pciexbar(h.qts);
    }
    return h;
}

static void stop(QPCIHost *h)
{
    /* QEMU keeps running when the qtest socket closes: ask it to quit. */
    json_object_unref(qtest_qmp(h->qts, "{'execute': 'quit'}"));
    qtest_quit(h->qts);
}

static uint8_t exp_cap(const QPCIHost *h)
{
    uint8_t pos = qpci_find_cap(h, 0, RP_DEVFN, PCI_CAP_ID_EXP);

    g_assert_cmpuint(pos, !=, 0);
    return pos;
}

static uint16_t rd16(const QPCIHost *h, int reg)
{
    return qpci_cfg_readw(h, 0, RP_DEVFN, exp_cap(h) + reg);
}

static void wr16(const QPCIHost *h, int reg, uint16_t v)
{
    qpci_cfg_writew(h, 0, RP_DEVFN, exp_cap(h) + reg, v);
}

/* What a guest's enumeration reads of the port, per target. */
typedef struct Snapshot {
    uint32_t id, class_hdr, exp_flags, lnkcap, sltcap;
    uint16_t sltctl_empty, sltsta_empty, lnksta_empty;
    uint16_t sltctl_full, sltsta_full, lnksta_full;
    bool before_numbering, at_secondary, at_next, after_renumber, at_old;
} Snapshot;

static void snapshot(Target *t, Snapshot *s)
{
    QPCIHost h = start(t, false);

    s->id = qpci_cfg_readl(&h, 0, RP_DEVFN, 0x00);
    s->class_hdr = (uint32_t)qpci_cfg_readw(&h, 0, RP_DEVFN, 0x0a) << 8 |
                   (qpci_cfg_readb(&h, 0, RP_DEVFN, 0x0e) & 0x7f);
    s->exp_flags = rd16(&h, PCI_EXP_FLAGS) & 0x1ff;
    s->lnkcap = qpci_cfg_readl(&h, 0, RP_DEVFN, exp_cap(&h) + PCI_EXP_LNKCAP) &
                (LNKCAP_PN | LNKCAP_DLLLARC);
    s->sltcap = qpci_cfg_readl(&h, 0, RP_DEVFN, exp_cap(&h) + PCI_EXP_SLTCAP) &
                SLTCAP_COMPARED;
    s->sltctl_empty = rd16(&h, PCI_EXP_SLTCTL);
    s->sltsta_empty = rd16(&h, PCI_EXP_SLTSTA);
    s->lnksta_empty = rd16(&h, PCI_EXP_LNKSTA) & LNKSTA_DLLLA;
    stop(&h);

    h = start(t, true);
    s->sltctl_full = rd16(&h, PCI_EXP_SLTCTL);
    s->sltsta_full = rd16(&h, PCI_EXP_SLTSTA);
    s->lnksta_full = rd16(&h, PCI_EXP_LNKSTA) & LNKSTA_DLLLA;
    s->before_numbering = qpci_present(&h, 1, 0) || qpci_present(&h, 0, 0x100);
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 2);
    s->at_secondary = qpci_present(&h, 1, 0);
    s->at_next = qpci_present(&h, 2, 0);
    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 4, 4);
    s->after_renumber = qpci_present(&h, 4, 0);
    s->at_old = qpci_present(&h, 1, 0);
    stop(&h);
}

static void test_enumeration(gconstpointer data)
{
    Pair *p = (Pair *)data;
    Snapshot ours, real;

    snapshot(&p->ours, &ours);
    snapshot(&p->real, &real);
#define SAME(f) g_assert_cmphex(ours.f, ==, real.f)
    SAME(id);
    SAME(class_hdr);
    SAME(exp_flags);
    SAME(lnkcap);
    SAME(sltcap);
    SAME(sltctl_empty);
    SAME(sltsta_empty);
    SAME(lnksta_empty);
    SAME(sltctl_full);
    SAME(sltsta_full);
    SAME(lnksta_full);
    SAME(before_numbering);
    SAME(at_secondary);
    SAME(at_next);
    SAME(after_renumber);
    SAME(at_old);
#undef SAME
    /* And the comparison is not between two empty answers. */
    g_assert_true(ours.at_secondary && ours.after_renumber);
}

/* The hot-plug handshake, step by step: what each step leaves. */
#define NSTEPS 5

typedef struct Steps {
    uint16_t sltsta[NSTEPS];
    bool visible[NSTEPS];
    bool deleted_early, deleted_at_pcc, deleted;
} Steps;

static uint16_t take_events(const QPCIHost *h)
{
    uint16_t sta = rd16(h, PCI_EXP_SLTSTA);

    /* pciehp acknowledges exactly what it saw. */
    wr16(h, PCI_EXP_SLTSTA, sta & (SLTSTA_ABP | SLTSTA_PDC | SLTSTA_CC));
    return sta & SLTSTA_EVENTS;
}

/* SLTCTL with power controller @pcc and power indicator @pic. */
static void set_slot(const QPCIHost *h, uint16_t pcc, uint16_t pic)
{
    uint16_t ctl = rd16(h, PCI_EXP_SLTCTL) & ~(SLTCTL_PCC | SLTCTL_PIC);

    wr16(h, PCI_EXP_SLTCTL, ctl | pcc | pic);
}

static void handshake(Target *t, Steps *st)
{
    QPCIHost h = start(t, false);
    g_autofree char *add = g_strdup_printf(
        "{'execute': 'device_add', 'arguments': {'driver': '%s', "
        "'id': 'ep', 'bus': 'rp1'}}", t->endpoint);
    JsonObject *ev;

    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    /* Linux on a slot with a button: ABPE, HPIE, CCIE. */
    wr16(&h, PCI_EXP_SLTCTL, rd16(&h, PCI_EXP_SLTCTL) | SLTCTL_ABPE |
         SLTCTL_HPIE | SLTCTL_CCIE);
    take_events(&h);

    qtest_qmp_assert_success(h.qts, "%s", add);
    st->sltsta[0] = take_events(&h);
    st->visible[0] = qpci_present(&h, 1, 0);

    set_slot(&h, 0, SLTCTL_PWR_IND_ON);
    st->sltsta[1] = take_events(&h);
    st->visible[1] = qpci_present(&h, 1, 0);

    qtest_qmp_assert_success(h.qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'ep'}}");
    st->sltsta[2] = take_events(&h);
    st->visible[2] = qpci_present(&h, 1, 0);
    st->deleted_early = qtest_qmp_event_ref(h.qts, "DEVICE_DELETED") != NULL;

    /* Linux's remove_board: power off, a second later indicator off. */
    set_slot(&h, SLTCTL_PCC, SLTCTL_PWR_IND_BLINK);
    st->sltsta[3] = take_events(&h);
    st->visible[3] = qpci_present(&h, 1, 0);
    json_object_unref(qtest_qmp(h.qts, "{'execute': 'query-status'}"));
    st->deleted_at_pcc = qtest_qmp_event_ref(h.qts, "DEVICE_DELETED") != NULL;
    set_slot(&h, SLTCTL_PCC, SLTCTL_PWR_IND_OFF);
    ev = qtest_qmp_eventwait_ref(h.qts, "DEVICE_DELETED");
    st->deleted = ev != NULL;
    json_object_unref(ev);
    st->sltsta[4] = take_events(&h);
    st->visible[4] = qpci_present(&h, 1, 0);
    stop(&h);
}

static void test_hotplug(gconstpointer data)
{
    Pair *p = (Pair *)data;
    Steps ours = { 0 }, real = { 0 };

    handshake(&p->ours, &ours);
    handshake(&p->real, &real);
    for (int i = 0; i < NSTEPS; i++) {
        g_test_message("step %d: ours %04x/%d, QEMU %04x/%d", i,
                       ours.sltsta[i], ours.visible[i], real.sltsta[i],
                       real.visible[i]);
        g_assert_cmphex(ours.sltsta[i], ==, real.sltsta[i]);
        g_assert_cmpint(ours.visible[i], ==, real.visible[i]);
    }
    g_assert_cmpint(ours.deleted_early, ==, real.deleted_early);
    g_assert_cmpint(ours.deleted_at_pcc, ==, real.deleted_at_pcc);
    g_assert_cmpint(ours.deleted, ==, real.deleted);
    g_assert_true(ours.visible[1] && ours.deleted);
}

/* The guest ejects a cold-plugged device by itself: no device_del. */
static bool guest_eject(Target *t, bool *visible_after)
{
    QPCIHost h = start(t, true);
    JsonObject *ev;

    qpci_bridge_set_buses(&h, 0, RP_DEVFN, 1, 1);
    set_slot(&h, 0, SLTCTL_PWR_IND_ON);
    set_slot(&h, SLTCTL_PCC, SLTCTL_PWR_IND_OFF);
    ev = qtest_qmp_eventwait_ref(h.qts, "DEVICE_DELETED");
    json_object_unref(ev);
    set_slot(&h, 0, SLTCTL_PWR_IND_ON);
    *visible_after = qpci_present(&h, 1, 0);
    stop(&h);
    return ev != NULL;
}

static void test_guest_eject(gconstpointer data)
{
    Pair *p = (Pair *)data;
    bool ours_visible, real_visible;

    g_assert_true(guest_eject(&p->ours, &ours_visible));
    g_assert_true(guest_eject(&p->real, &real_visible));
    g_assert_cmpint(ours_visible, ==, real_visible);
    g_assert_false(ours_visible);
}

int main(int argc, char **argv)
{
    g_autoptr(Counterpart) cp = NULL;
    static const char *const names[] = { "q35", "virt" };
    const char *module_dir, *fw;
    g_autofree char *fw_args = NULL;
    g_autofree char *q35 = NULL;

    g_test_init(&argc, &argv, NULL);
    cp = counterpart_require_tap("qemu");
    if (!counterpart_get(cp, "QEMU_X86_64") ||
        !counterpart_get(cp, "QEMU_AARCH64")) {
        printf("1..0 # SKIP qemu.env lacks QEMU_X86_64 or QEMU_AARCH64\n");
        return 0;
    }
    module_dir = counterpart_get(cp, "QEMU_MODULE_DIR");
    /* q35 needs its firmware files to start, even under qtest. */
    fw = counterpart_get(cp, "QEMU_FIRMWARE_DIRS");
    if (fw && *fw) {
        g_auto(GStrv) dirs = g_strsplit(fw, ":", -1);
        g_autofree char *joined = g_strjoinv(" -L ", dirs);

        fw_args = g_strdup_printf(" -L %s", joined);
    }
    /*
     * No ACPI here, so the slot is the guest's native PCIe hot-plug; on
     * q35 QEMU does ACPI PCI hot-plug by default, where a cold-plugged
     * port shows no presence.  Compare with QEMU's native mode.
     */
    q35 = g_strdup_printf("q35 -global ICH9-LPC.acpi-pci-hotplug-with-"
                          "bridge-support=off%s", fw_args ? fw_args : "");
    for (int i = 0; i < 2; i++) {
        bool is_q35 = i == 0;

        pairs[i].ours = (Target) {
            .binary = g_strdup(qtest_binary_path()),
            .machine = names[i],
            .ecam = is_q35 ? QPCI_Q35_ECAM : QPCI_VIRT_ECAM,
            .endpoint = "pci-test-dev",
        };
        pairs[i].real = (Target) {
            .binary = counterpart_get(cp, is_q35 ? "QEMU_X86_64" :
                                                   "QEMU_AARCH64"),
            /* virt: the low ECAM window (0x3f000000), as ours. */
            .machine = is_q35 ? g_strdup(q35) : "virt,highmem=off",
            .ecam = is_q35 ? QPCI_Q35_ECAM : QPCI_VIRT_ECAM,
            .endpoint = "virtio-rng-pci",
            .pciexbar = is_q35,
            .envp = { module_dir ? g_strdup_printf("QEMU_MODULE_DIR=%s",
                                                   module_dir) : NULL },
        };
        for (int t = 0; t < 3; t++) {
            static const char *const tests[] = {
                "enumeration", "hotplug", "guest-eject",
            };
            static const GTestDataFunc fns[] = {
                test_enumeration, test_hotplug, test_guest_eject,
            };
            g_autofree char *path = g_strdup_printf(
                "/pcie-root-port-counterpart/%s/%s", names[i], tests[t]);

            g_test_add_data_func(path, &pairs[i], fns[t]);
        }
    }
    return g_test_run();
}
