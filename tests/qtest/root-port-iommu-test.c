/*
 * Passthrough devices behind a pcie-root-port, under the iommufd
 * simulator: the requester ID is secondary-bus:devfn as the guest numbers
 * the port, looked up and reported at the moment of use.
 *
 * intel-iommu: the guest's context entry for the bus number it gave the
 * port is the one bound; page requests carry the RID of delivery time
 * and the guest's answers with that RID reach the host; renumbering moves
 * it; while the port is unnumbered, bus 0's tables are not the device's.
 *
 * arm-smmuv3 accel: the STE at StreamID = RID (the virt machine's
 * iommu-map is the identity) is the one installed; the vDEVICE follows
 * it; host events in the guest Event Queue name the StreamID of delivery
 * time.
 *
 * Both: QMP hot-plug into the port's slot, with the test as the guest's
 * pciehp, and the host objects gone after the removal.
 */
#include <string.h>
#include "libqtest.h"
#include "libqos/qos-pci.h"
#include "libqos/qos-intel-iommu.h"
#include "libqos/qos-smmuv3.h"
#include "libqos/sim-helpers.h"

#define BDF             "0000:02:00.0"
#define RP_DEVFN        QPCI_DEVFN(2, 0)
#define DEV_DEVFN       0               /* the only device on the link */
#define TIMEOUT_MS      5000
#define PRQ_VEC         0x50

#define PCI_COMMAND             0x04
#define  PCI_COMMAND_MEMORY     0x2
#define  PCI_COMMAND_MASTER     0x4
#define PCI_EXP_SLTCTL          0x18
#define PCI_EXP_SLTSTA          0x1a
#define  SLTCTL_PWR_IND_OFF     0x0300
#define  SLTCTL_PCC             0x0400
#define  SLTSTA_ABP             0x0001
#define  SLTSTA_PDC             0x0008
#define  SLTSTA_PDS             0x0040

#define ROOT_PORT "-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=2 "
#define VFIO_DEV  "-device vfio-pci,host=" BDF ",iommufd=iommufd0,bus=rp1," \
                  "id=dev0 "

typedef struct Env {
    SimEnv sim;
    QTestState *qts;
    QPCIHost pci;
    QVTD *v;
    QSMMUv3 s;
    bool smmu;
} Env;

static void env_start(Env *e, const char *conf, const char *args,
                      uint64_t ecam)
{
    memset(e, 0, sizeof(*e));
    simh_env_init(&e->sim, conf);
    e->qts = simh_spawn(&e->sim, args);
    e->pci = (QPCIHost) { .qts = e->qts, .ecam = ecam };
}

static void env_stop(Env *e)
{
    if (e->v) {
        qvtd_free(e->v);
    }
    if (e->smmu) {
        qsmmu_cleanup(&e->s);
    }
    /* Nothing left in the host: vDEVICE, HWPTs, FAULTQ, vEVENTQ... */
    g_assert_cmpint(simh_quit(&e->sim, e->qts), ==, 0);
    simh_env_cleanup(&e->sim);
}

/* The guest's PCI core numbers the port: secondary = subordinate = @bus. */
static void number_port(Env *e, int bus)
{
    qpci_bridge_set_buses(&e->pci, 0, RP_DEVFN, bus, bus);
    qpci_cfg_writew(&e->pci, 0, RP_DEVFN, PCI_COMMAND,
                    PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* ------------------------------------------------------------------ */
/* intel-iommu                                                         */

static const char vtd_conf[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "ats=true\n";

#define VTD_ARGS "-M q35 -m 256M -nodefaults -display none " \
                 "-object iommufd,id=iommufd0 -device intel-iommu," \
                 "x-scalable-mode=on,x-flts=on,svm=on,pasid=20," \
                 "caching-mode=on " ROOT_PORT

static void vtd_start(Env *e, bool cold_plug)
{
    g_autofree char *args = g_strdup_printf(VTD_ARGS "%s",
                                            cold_plug ? VFIO_DEV : "");

    env_start(e, vtd_conf, args, QPCI_Q35_ECAM);
}

/* Linux's set-up of the unit; context tables serve bus @bus. */
static void vtd_guest(Env *e, uint8_t bus)
{
    QVTD *v = qvtd_new(e->qts, 0x1000000, 0x2000000);

    e->v = v;
    qtest_irq_intercept_in(e->qts, "msi");
    qvtd_init_qi(v, 1);
    qvtd_init_prq(v, 0, PRQ_VEC);
    qvtd_init_root(v);
    qvtd_set_bus(v, bus);
    qvtd_set_context(v, DEV_DEVFN, 0, true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    g_assert_true(qvtd_wait(v));
    g_assert_true(qvtd_enable(v));
}

static void vtd_bind(Env *e, uint32_t pasid, uint16_t did)
{
    uint64_t pe[8];

    qvtd_pasid_entry_fs(pe, did, qvtd_fs_new(e->v), 0);
    qvtd_set_pasid_entry(e->v, DEV_DEVFN, pasid, pe);
    g_assert_true(qvtd_flush_pasid(e->v, did, pasid));
}

/* The guest moved its tables to @bus: context and PASID caches flushed. */
static void vtd_renumber(Env *e, uint8_t bus)
{
    number_port(e, bus);
    qvtd_set_bus(e->v, bus);
    qvtd_cc_global(e->v);
    qvtd_pc_inv(e->v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(e->v));
}

static void vtd_fault(Env *e, uint32_t pasid, uint64_t addr, unsigned grp)
{
    simh_cmd_ok(&e->sim, "fault " BDF " %u 0x%" PRIx64 " w %u 1", pasid,
                addr, grp);
}

/* One page request read from the PRQ: its RID and group. */
static QVTDPageReq vtd_take(Env *e)
{
    QVTDPageReq r;

    g_assert_true(qvtd_prq_wait(e->v, 1, TIMEOUT_MS));
    g_assert_cmpuint(qvtd_prq_drain(e->v, &r, 1), ==, 1);
    g_assert_true(r.reserved_ok);
    return r;
}

/* The host got @n answers, the last one @success from the guest. */
static void vtd_check_answers(Env *e, unsigned n, bool success)
{
    SimhResponse resp[8];

    g_assert_true(simh_wait_responses(&e->sim, n, TIMEOUT_MS));
    g_assert_cmpuint(simh_responses(&e->sim, resp, 8), ==, n);
    g_assert_cmpint(resp[n - 1].success, ==, success);
    g_assert_cmpstr(resp[n - 1].bdf, ==, BDF);
}

static void test_vtd_rid_follows_bus(void)
{
    QVTDPageReq r;
    Env e;

    vtd_start(&e, true);
    number_port(&e, 2);
    vtd_guest(&e, 2);
    vtd_bind(&e, 5, 1);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 1);

    vtd_fault(&e, 5, 0x7f0000001000ULL, 3);
    r = vtd_take(&e);
    g_assert_cmphex(r.rid, ==, QPCI_RID(2, DEV_DEVFN));
    g_assert_cmpuint(r.pasid, ==, 5);
    g_assert_true(qvtd_respond(e.v, &r, QVTD_RC_SUCCESS));
    vtd_check_answers(&e, 1, true);

    /* Renumbered: the same binding, under the new RID. */
    vtd_renumber(&e, 6);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 1);
    vtd_fault(&e, 5, 0x7f0000002000ULL, 4);
    r = vtd_take(&e);
    g_assert_cmphex(r.rid, ==, QPCI_RID(6, DEV_DEVFN));
    /* An answer under the old RID names nobody's group. */
    qvtd_page_group_response(e.v, QPCI_RID(2, DEV_DEVFN), true, 5, 4,
                             QVTD_RC_SUCCESS);
    g_assert_true(qvtd_wait(e.v));
    g_assert_cmpuint(simh_responses(&e.sim, NULL, 0), ==, 1);
    g_assert_true(qvtd_respond(e.v, &r, QVTD_RC_SUCCESS));
    vtd_check_answers(&e, 2, true);
    env_stop(&e);
}

/*
 * Until the guest numbers the port, the device's bus:devfn is 00:00.0,
 * the host bridge's: the tables of bus 0 must not bind it, and a fault
 * that arrives while the port is unnumbered goes to no guest RID.
 */
static void test_vtd_unnumbered(void)
{
    QVTDPageReq r;
    Env e;

    vtd_start(&e, true);
    vtd_guest(&e, 0);
    vtd_bind(&e, 5, 1);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 0);

    vtd_renumber(&e, 1);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 1);
    vtd_fault(&e, 5, 0x1000, 1);
    r = vtd_take(&e);
    g_assert_cmphex(r.rid, ==, QPCI_RID(1, DEV_DEVFN));
    g_assert_true(qvtd_respond(e.v, &r, QVTD_RC_SUCCESS));
    vtd_check_answers(&e, 1, true);

    /* The guest unnumbers the port under a live binding. */
    qpci_bridge_set_buses(&e.pci, 0, RP_DEVFN, 0, 0);
    vtd_fault(&e, 5, 0x2000, 2);
    vtd_check_answers(&e, 2, false);
    g_assert_cmpuint(qvtd_prq_pending(e.v), ==, 0);
    /* Its next PASID-cache invalidation finds no context: unbound. */
    qvtd_pc_inv(e.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(e.v));
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 0);
    env_stop(&e);
}

/* ------------------------------------------------------------------ */
/* The guest's pciehp                                                  */

static uint8_t rp_exp(Env *e)
{
    return qpci_exp_cap(&e->pci, 0, RP_DEVFN);
}

static uint16_t rp_sltsta(Env *e)
{
    return qpci_slot_status(&e->pci, 0, RP_DEVFN);
}

static void rp_power(Env *e, bool on)
{
    qpci_slot_power(&e->pci, 0, RP_DEVFN, on);
}

static void pciehp_add(Env *e)
{
    qtest_qmp_assert_success(e->qts, "{'execute': 'device_add', "
        "'arguments': {'driver': 'vfio-pci', 'host': '" BDF "', "
        "'iommufd': 'iommufd0', 'bus': 'rp1', 'id': 'dev0'}}");
    g_assert_cmphex(rp_sltsta(e) & (SLTSTA_PDS | SLTSTA_PDC | SLTSTA_ABP),
                    ==, SLTSTA_PDS | SLTSTA_PDC | SLTSTA_ABP);
    qpci_cfg_writew(&e->pci, 0, RP_DEVFN, rp_exp(e) + PCI_EXP_SLTSTA,
                    SLTSTA_PDC | SLTSTA_ABP);
    rp_power(e, true);
    g_assert_true(qpci_present(&e->pci, qpci_cfg_readb(&e->pci, 0, RP_DEVFN,
                                                       0x19), 0));
}

static void pciehp_del(Env *e)
{
    g_autoptr(JsonObject) ev = NULL;

    qtest_qmp_assert_success(e->qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'dev0'}}");
    g_assert_cmphex(rp_sltsta(e) & SLTSTA_ABP, ==, SLTSTA_ABP);
    g_assert_null(qtest_qmp_event_ref(e->qts, "DEVICE_DELETED"));
    qpci_cfg_writew(&e->pci, 0, RP_DEVFN, rp_exp(e) + PCI_EXP_SLTSTA,
                    SLTSTA_ABP);
    rp_power(e, false);
    ev = qtest_qmp_eventwait_ref(e->qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(ev, "data"), "device"),
                    ==, "dev0");
    g_assert_cmphex(rp_sltsta(e) & SLTSTA_PDS, ==, 0);
}

static void test_vtd_hotplug(void)
{
    QVTDPageReq r;
    Env e;

    vtd_start(&e, false);
    number_port(&e, 3);
    vtd_guest(&e, 3);
    pciehp_add(&e);
    vtd_bind(&e, 9, 2);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 1);
    vtd_fault(&e, 9, 0x5000, 7);
    r = vtd_take(&e);
    g_assert_cmphex(r.rid, ==, QPCI_RID(3, DEV_DEVFN));
    g_assert_true(qvtd_respond(e.v, &r, QVTD_RC_SUCCESS));
    vtd_check_answers(&e, 1, true);

    pciehp_del(&e);
    g_assert_cmpuint(simh_objects(&e.sim, "hwpt_nested"), ==, 0);
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 0);
    env_stop(&e);
}

/* ------------------------------------------------------------------ */
/* arm-smmuv3 accel                                                    */

static const char smmu_conf[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "[device " BDF "]\n"
    "stream-id=0x200\n";

#define VIRT_RAM        0x40000000ULL
#define SMMU_ARGS "-M virt -object iommufd,id=iommufd0 " \
                  "-device arm-smmuv3,primary-bus=pcie.0,id=smmu0,accel=on " \
                  ROOT_PORT

static void smmu_start(Env *e, bool cold_plug)
{
    g_autofree char *args = g_strdup_printf(SMMU_ARGS "%s",
                                            cold_plug ? VFIO_DEV : "");

    env_start(e, smmu_conf, args, QPCI_VIRT_ECAM);
    qtest_irq_intercept_in(e->qts, "gic");
    qsmmu_init(&e->s, e->qts, VIRT_RAM + 0x100000, 0x1000000);
    e->smmu = true;
    /* 16-bit StreamIDs (bus << 8 | devfn), two levels split by bus. */
    g_assert_true(qsmmu_probe(&e->s, 16, true, 4));
}

static void smmu_install_s1(Env *e, uint32_t sid)
{
    uint64_t ste[8];

    qsmmu_make_ste_s1(&e->s, ste, 7, VIRT_RAM + 0x800000);
    qsmmu_write_ste(&e->s, sid, ste);
    qsmmu_cfgi_ste(&e->s, sid);
    g_assert_true(qsmmu_sync(&e->s, 0, 0));
}

/* A host fault of the device (physical StreamID 0x200): the guest's SID. */
static uint32_t smmu_event_sid(Env *e)
{
    uint64_t fault[4] = { 0x10 | 0x200ULL << 32, 1ULL << 35, 0xbeef000, 0 };
    uint64_t evt[4];
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * 1000;

    g_assert_true(qsim_vevent(e->sim.sock, BDF, fault));
    while (!qsmmu_evtq_pending(&e->s)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }
    g_assert_true(qsmmu_evtq_pop(&e->s, evt));
    g_assert_cmphex(evt[0] & 0xffffffff, ==, 0x10);
    g_assert_cmphex(evt[2], ==, 0xbeef000);
    return evt[0] >> 32;
}

/* CFGI_CD for @sid: does the host get it (does it know that vSID)? */
static uint64_t smmu_cfgi_cd_reaches_host(Env *e, uint32_t sid)
{
    simh_cmd_ok(&e->sim, "reset-stats");
    qsmmu_cmd(&e->s, QSMMU_CMD_CFGI_CD | (uint64_t)sid << 32, 1);
    g_assert_true(qsmmu_sync(&e->s, 0, 0));
    return simh_stat(&e->sim, "invalidations");
}

static void test_smmu_sid_follows_bus(void)
{
    uint64_t fault[4] = { 0x10 | 0x200ULL << 32, 0, 0x1000, 0 };
    Env e;

    smmu_start(&e, true);
    /*
     * Unnumbered: the vDEVICE has a vSID the guest cannot name, and
     * bus 0's STE 0 (the host bridge's StreamID) is not the device's.
     */
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 1);
    smmu_install_s1(&e, 0x0000);
    g_assert_cmpuint(simh_stat(&e.sim, "hwpt_nested"), ==, 2);
    g_assert_cmpuint(smmu_cfgi_cd_reaches_host(&e, 0x0000), ==, 0);
    /* ...and its events have no StreamID to go under. */
    g_assert_true(qsim_vevent(e.sim.sock, BDF, fault));
    g_assert_true(simh_wait_stat(&e.sim, "vevents_read", 1, TIMEOUT_MS));
    qsmmu_readl(&e.s, QSMMU_CR0);       /* the handler is done with it */
    g_assert_cmpuint(qsmmu_evtq_pending(&e.s), ==, 0);

    /* Numbered: events name the StreamID at once, before any STE. */
    number_port(&e, 3);
    g_assert_cmphex(smmu_event_sid(&e), ==, QPCI_RID(3, DEV_DEVFN));
    smmu_install_s1(&e, QPCI_RID(3, DEV_DEVFN));
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 1);
    g_assert_cmpuint(simh_stat(&e.sim, "hwpt_nested"), ==, 3);
    g_assert_cmpuint(smmu_cfgi_cd_reaches_host(&e, QPCI_RID(3, 0)), ==, 1);

    /* Renumbered, STEs not updated yet: events already say 0x500. */
    number_port(&e, 5);
    g_assert_cmphex(smmu_event_sid(&e), ==, QPCI_RID(5, DEV_DEVFN));

    /* The guest installs the STE at its new StreamID: the vDEVICE moves. */
    smmu_install_s1(&e, QPCI_RID(5, DEV_DEVFN));
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 1);
    g_assert_cmpuint(simh_stat(&e.sim, "hwpt_nested"), ==, 3);
    g_assert_cmphex(smmu_event_sid(&e), ==, QPCI_RID(5, DEV_DEVFN));
    g_assert_cmpuint(smmu_cfgi_cd_reaches_host(&e, QPCI_RID(3, 0)), ==, 0);
    g_assert_cmpuint(smmu_cfgi_cd_reaches_host(&e, QPCI_RID(5, 0)), ==, 1);

    /*
     * Unnumbered under a live stage-1 STE: a CFGI_STE for some StreamID
     * leaves it, a CFGI_ALL takes it to abort (the S1 HWPT is freed).
     */
    qpci_bridge_set_buses(&e.pci, 0, RP_DEVFN, 0, 0);
    qsmmu_cfgi_ste(&e.s, QPCI_RID(5, DEV_DEVFN));
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(simh_stat(&e.sim, "hwpt_nested"), ==, 3);
    qsmmu_cmd(&e.s, QSMMU_CMD_CFGI_STE_RANGE, 31);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(simh_stat(&e.sim, "hwpt_nested"), ==, 2);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_GERROR), ==, 0);
    env_stop(&e);
}

static void test_smmu_hotplug(void)
{
    Env e;

    smmu_start(&e, false);
    number_port(&e, 1);
    pciehp_add(&e);
    smmu_install_s1(&e, QPCI_RID(1, DEV_DEVFN));
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 1);
    g_assert_cmphex(smmu_event_sid(&e), ==, QPCI_RID(1, DEV_DEVFN));
    pciehp_del(&e);
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 0);
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 0);
    env_stop(&e);
}

/*
 * The SMMU's own event MSI, aimed by the guest at the port's Slot Control
 * (power off, indicator off: the slot is released), arrives while the
 * SMMU installs the device's STE.  The release removes the device; it
 * must not be freed under the SMMU, which is still using it (a
 * use-after-free under ASan before the removal was deferred).
 */
static void test_smmu_release_by_own_msi(void)
{
    uint64_t ste[8] = { 0 };
    uint64_t sltctl;
    Env e;

    smmu_start(&e, true);
    number_port(&e, 1);
    smmu_install_s1(&e, QPCI_RID(1, DEV_DEVFN));
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 1);

    sltctl = qpci_ecam_addr(&e.pci, 0, RP_DEVFN, rp_exp(&e) + PCI_EXP_SLTCTL);
    /* IRQ_CFG* may only change while their interrupt is disabled. */
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR);
    qsmmu_writeq(&e.s, QSMMU_EVENTQ_IRQ_CFG0, sltctl);
    qsmmu_writel(&e.s, QSMMU_EVENTQ_IRQ_CFG1,
                 SLTCTL_PWR_IND_OFF | SLTCTL_PCC);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);

    /* An invalid STE, invalidated: C_BAD_STE, its MSI releases the slot */
    qsmmu_write_ste(&e.s, QPCI_RID(1, DEV_DEVFN), ste);
    qsmmu_cfgi_ste(&e.s, QPCI_RID(1, DEV_DEVFN));
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    qtest_qmp_eventwait(e.qts, "DEVICE_DELETED");
    g_assert_cmpuint(qsmmu_evtq_pending(&e.s), ==, 1);
    g_assert_cmpuint(simh_stat(&e.sim, "vdevice"), ==, 0);
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 0);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!simh_lib()) {
        g_test_message("SKIP: IOMMUFD_SIM_LIB is not set");
        return 77;
    }
    g_test_add_func("/root-port-iommu/vtd/rid-follows-bus",
                   test_vtd_rid_follows_bus);
    g_test_add_func("/root-port-iommu/vtd/unnumbered", test_vtd_unnumbered);
    g_test_add_func("/root-port-iommu/vtd/hotplug", test_vtd_hotplug);
    g_test_add_func("/root-port-iommu/smmuv3/sid-follows-bus",
                   test_smmu_sid_follows_bus);
    g_test_add_func("/root-port-iommu/smmuv3/hotplug", test_smmu_hotplug);
    g_test_add_func("/root-port-iommu/smmuv3/release-by-own-msi",
                    test_smmu_release_by_own_msi);
    return g_test_run();
}
