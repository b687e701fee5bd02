/*
 * arm-smmuv3,accel=on with vfio-pci under the iommufd simulator: the
 * host objects the guest's actions create (vIOMMU, vDEVICE, nested HWPT
 * from the guest STE, vEVENTQ in its three orderings), host events in the
 * guest Event Queue (virtual StreamID, interrupt, host-side loss, guest
 * queue overflow), hot-unplug freeing everything, and failures that must
 * not break the guest (Event Queue outside RAM, VEVENTQ_ALLOC refused).
 */
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include "libqtest.h"
#include "libqos/qos-smmuv3.h"

#define RAM_BASE        0x40000000ULL
#define UNASSIGNED      0x0a800000ULL
#define BDF             "0000:02:00.0"
#define VSID            0x8             /* bus 0, slot 1, function 0 */
#define WAIT_US         (10 * G_USEC_PER_SEC)

static const char host_default[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "[device " BDF "]\n"
    "stream-id=0x200\n";

/* A host SMMU without range invalidation and without ATS. */
static const char host_no_ril_ats[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "idr0=0x084c301b\n"
    "idr3=0\n"
    "[device " BDF "]\n"
    "stream-id=0x200\n";

static const char host_two[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "[device " BDF "]\n"
    "stream-id=0x200\n"
    "[device 0000:03:00.0]\n"
    "stream-id=0x300\n";

#define VFIO_DEV \
    "-device vfio-pci,host=" BDF ",iommufd=iommufd0,id=dev0,addr=1.0"

typedef struct Env {
    char *dir;
    char *config;
    char *sock;
    char *log;
    char *envp[5];
    QTestState *qts;
    QSMMUv3 s;
} Env;

static void env_prepare(Env *e, const char *host_cfg)
{
    const char *lib = g_getenv("IOMMUFD_SIM_LIB");

    g_assert_nonnull(lib);
    memset(e, 0, sizeof(*e));
    e->dir = g_dir_make_tmp("smmuv3-accel-XXXXXX", NULL);
    e->config = g_build_filename(e->dir, "sim.conf", NULL);
    e->sock = g_build_filename(e->dir, "sim.sock", NULL);
    e->log = g_build_filename(e->dir, "trace.log", NULL);
    g_assert_true(g_file_set_contents(e->config, host_cfg, -1, NULL));
    e->envp[0] = g_strdup_printf("LD_PRELOAD=%s", lib);
    e->envp[1] = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", e->config);
    e->envp[2] = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", e->sock);
    e->envp[3] = NULL;
}

static char *env_args(Env *e, const char *smmu_opts, bool cold_plug)
{
    return g_strdup_printf("-M virt -object iommufd,id=iommufd0 "
                           "-device arm-smmuv3,primary-bus=pcie.0,id=smmu0,"
                           "accel=on%s %s "
                           "-trace smmuv3_accel_lost_events "
                           "-trace smmuv3_accel_alloc_veventq* "
                           "-trace smmuv3_accel_event_read_error "
                           "-trace smmuv3_accel_attach "
                           "-trace smmuv3_ste_nested -D %s",
                           smmu_opts ? smmu_opts : "",
                           cold_plug ? VFIO_DEV : "", e->log);
}

static void env_start(Env *e, const char *host_cfg, const char *smmu_opts,
                      bool cold_plug)
{
    g_autofree char *args = NULL;

    env_prepare(e, host_cfg);
    args = env_args(e, smmu_opts, cold_plug);
    e->qts = qtest_init_with_env(args, (const char *const *)e->envp);
    qtest_irq_intercept_in(e->qts, "gic");
    qsmmu_init(&e->s, e->qts, RAM_BASE + 0x100000, 0x1000000);
}

static void env_stop(Env *e)
{
    if (e->qts) {
        qtest_quit(e->qts);
    }
    qsmmu_cleanup(&e->s);
    g_unlink(e->config);
    g_unlink(e->log);
    g_unlink(e->sock);
    g_rmdir(e->dir);
    for (int i = 0; e->envp[i]; i++) {
        g_free(e->envp[i]);
    }
    g_free(e->dir);
    g_free(e->config);
    g_free(e->sock);
    g_free(e->log);
}

static uint64_t stat_of(Env *e, const char *key)
{
    return qsim_stat(e->sock, key);
}

/* Host events arrive through the main loop: poll what the guest sees. */
static bool wait_evtq_pending(Env *e, unsigned n)
{
    gint64 end = g_get_monotonic_time() + WAIT_US;

    while (qsmmu_evtq_pending(&e->s) < n) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

static bool wait_stat(Env *e, const char *key, uint64_t n)
{
    gint64 end = g_get_monotonic_time() + WAIT_US;

    while (stat_of(e, key) < n) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    /* One more round trip: the handler finished with what it read. */
    qsmmu_readl(&e->s, QSMMU_CR0);
    return true;
}

static void make_fault(uint64_t evt[4], uint64_t iova)
{
    /* F_TRANSLATION, physical StreamID 0x200, read, stage 1, CLASS IN */
    evt[0] = 0x10 | 0x200ULL << 32;
    evt[1] = 1ULL << 35 | 2ULL << 40;
    evt[2] = iova;
    evt[3] = 0;
}

static void device_add_dev0(Env *e)
{
    qtest_qmp_assert_success(e->qts,
        "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci', "
        "'host': '" BDF "', 'iommufd': 'iommufd0', 'id': 'dev0', "
        "'addr': '1.0'}}");
}

static void device_del_dev0(Env *e)
{
    g_autoptr(JsonObject) ev = NULL;
    JsonObject *data;

    qtest_qmp_assert_success(e->qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'dev0'}}");
    ev = qtest_qmp_eventwait_ref(e->qts, "DEVICE_DELETED");
    data = json_object_get_object_member(ev, "data");
    g_assert_cmpstr(json_object_get_string_member(data, "device"), ==, "dev0");
    g_assert_nonnull(strstr(json_object_get_string_member(data, "path"),
                            "dev0"));
}

static unsigned count_substr(const char *hay, const char *needle)
{
    unsigned n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* ---- register defaults with accel ---- */

static void test_defaults_accel(void)
{
    Env e;

    env_start(&e, host_default, ",ats=on,ril=off,oas=48,ssidsize=16", true);
    g_assert_true(qsmmu_readl(&e.s, QSMMU_IDR0) & (1u << 10));      /* ATS */
    g_assert_false(qsmmu_readl(&e.s, QSMMU_IDR3) & (1u << 10));     /* RIL */
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_IDR5) & 7, ==, 5);      /* 48 */
    g_assert_cmpuint((qsmmu_readl(&e.s, QSMMU_IDR1) >> 6) & 0x1f, ==, 16);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_GBPA), ==, 0x1000);
    env_stop(&e);
}

static void test_defaults_auto(void)
{
    Env e;

    /* 'auto' takes the host's value from the cold-plugged device */
    env_start(&e, host_no_ril_ats, ",ril=auto,ats=auto", true);
    g_assert_false(qsmmu_readl(&e.s, QSMMU_IDR0) & (1u << 10));
    g_assert_false(qsmmu_readl(&e.s, QSMMU_IDR3) & (1u << 10));
    env_stop(&e);
}

static void run_refused(const char *host_cfg, const char *smmu_opts,
                        const char *message)
{
    g_autofree char *args = NULL;
    g_autofree char *err = NULL;
    int status = -1;
    Env e;

    env_prepare(&e, host_cfg);
    args = g_strdup_printf("-M virt -object iommufd,id=iommufd0 "
                           "-device arm-smmuv3,primary-bus=pcie.0%s "
                           VFIO_DEV, smmu_opts);
    g_assert_true(qtest_run_binary_full(args, (const char *const *)e.envp,
                                        &status, NULL, &err));
    if (status != 1 || !strstr(err, message)) {
        g_test_message("%s: status %d: %s", args, status, err);
    }
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, message));
    env_stop(&e);
}

static void test_refused_by_host(void)
{
    run_refused(host_no_ril_ats, ",accel=on,ats=on,ril=off", "no ATS");
    run_refused(host_no_ril_ats, ",accel=on", "no range invalidation");
    run_refused(host_default, "", "need accel=on");
}

/* ---- objects the guest's set-up creates ---- */

static void check_nested_from_ste(bool two_level)
{
    uint64_t ste[8];
    Env e;

    env_start(&e, host_default, NULL, true);
    /* First device: vIOMMU, abort + bypass HWPTs, vDEVICE; no vEVENTQ yet */
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "vdevice"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 2);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);

    /* Ordering 1 (cold plug): allocated at the EVENTQEN write */
    g_assert_true(qsmmu_probe(&e.s, 8, two_level, 4));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);

    /* A stage-1 STE becomes a nested HWPT attached to the device */
    qsmmu_make_ste_s1(&e.s, ste, 7, RAM_BASE + 0x800000);
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 3);

    /* Invalidations reach the host in one batch at the sync */
    qsmmu_cmd(&e.s, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    qsmmu_cmd(&e.s, QSMMU_CMD_CFGI_CD | (uint64_t)VSID << 32, 1);
    qsmmu_cmd(&e.s, QSMMU_CMD_TLBI_NH_VA | 7ULL << 48, 0x1000);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "invalidations"), ==, 3);

    /* Back to bypass: the nested HWPT is freed once replaced */
    qsmmu_make_ste(ste, QSMMU_STE_V | QSMMU_STE_CFG_BYPASS);
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 2);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_GERROR), ==, 0);
    env_stop(&e);
}

static void test_nested_linear(void)
{
    check_nested_from_ste(false);
}

static void test_nested_2lvl(void)
{
    check_nested_from_ste(true);
}

/*
 * IDR1.SSIDSIZE=0: S1CDMax is IGNORED, and with it S1DSS and S1Fmt
 * (IHI0070 5.2); the host, whose SMMU has substreams, must get the STE
 * this guest-visible SMMU actually uses: one CD, S1DSS=00, S1Fmt=00.
 * With substreams exposed the guest's fields go through unchanged.
 */
static void check_ste_ssid_fields(const char *opts, bool masked)
{
    const uint64_t cdmax = 4ULL << 59, fmt = 1ULL << 4;
    g_autofree char *log = NULL;
    g_autofree char *want = NULL;
    uint64_t ste[8], h0, h1;
    Env e;

    env_start(&e, host_default, opts, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    qsmmu_make_ste_s1(&e.s, ste, 7, RAM_BASE + 0x800000);
    ste[0] |= cdmax | fmt;
    ste[1] &= ~3ULL;            /* S1DSS=00: terminate non-substream DMA */
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 3);
    h0 = ste[0];
    h1 = ste[1];
    if (masked) {
        h0 &= ~(cdmax | fmt);
    }
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    want = g_strdup_printf("to host 0x%" PRIx64 " 0x%" PRIx64 "\n", h0, h1);
    if (!strstr(log, want)) {
        g_test_message("want '%s' in:\n%s", want, log);
    }
    g_assert_nonnull(strstr(log, want));
    env_stop(&e);
}

static void test_ste_ssidsize0(void)
{
    check_ste_ssid_fields(NULL, true);
}

static void test_ste_ssidsize16(void)
{
    check_ste_ssid_fields(",ssidsize=16", false);
}

static void test_bad_ste_event(void)
{
    uint64_t ste[8], evt[4];
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    /* V=0 for the passthrough device: C_BAD_STE, emulated path */
    qsmmu_make_ste(ste, 0);
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[0], ==, 0x04 | (uint64_t)VSID << 32);
    env_stop(&e);
}

/* ---- vEVENTQ orderings ---- */

static void test_veventq_hotplug_after_probe(void)
{
    Env e;

    env_start(&e, host_default, NULL, false);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 0);
    /* Ordering 2: allocated with the vIOMMU */
    device_add_dev0(&e);
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    device_del_dev0(&e);
    g_assert_cmpuint(qsim_live_objects(e.sock), ==, 0);
    env_stop(&e);
}

static void test_veventq_hotplug_before_probe(void)
{
    Env e;

    env_start(&e, host_default, NULL, false);
    /* Ordering 3: hot-plug before the guest driver probes */
    device_add_dev0(&e);
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    /* A reset frees it; the next driver's EVENTQEN makes a new one */
    qtest_qmp_assert_success(e.qts, "{'execute': 'system_reset'}");
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);
    qsmmu_init(&e.s, e.qts, RAM_BASE + 0x200000, 0x1000000);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    env_stop(&e);
}

/* ---- events into the guest Event Queue ---- */

static void test_event_delivery(void)
{
    uint64_t fault[4], evt[4];
    unsigned irqs;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    irqs = qtest_get_irq_count(e.qts, QSMMU_SPI_EVTQ);
    make_fault(fault, 0xdead0000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    /* Everything as the host reported it, but the StreamID is virtual */
    g_assert_cmphex(evt[0], ==, 0x10 | (uint64_t)VSID << 32);
    g_assert_cmphex(evt[1], ==, fault[1]);
    g_assert_cmphex(evt[2], ==, fault[2]);
    g_assert_cmphex(evt[3], ==, fault[3]);
    g_assert_cmpuint(qtest_get_irq_count(e.qts, QSMMU_SPI_EVTQ), ==, irqs + 1);
    env_stop(&e);
}

static void test_event_msi(void)
{
    uint64_t fault[4], evt[4];
    uint64_t msi;
    unsigned irqs;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    msi = qsmmu_alloc(&e.s, 8, 8);
    /* IRQ_CFG* may change only with the interrupt disabled */
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR);
    qsmmu_writeq(&e.s, QSMMU_EVENTQ_IRQ_CFG0, msi);
    qsmmu_writel(&e.s, QSMMU_EVENTQ_IRQ_CFG1, 0x4242);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);
    irqs = qtest_get_irq_count(e.qts, QSMMU_SPI_EVTQ);
    make_fault(fault, 0x5000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_cmphex(qtest_readl(e.qts, msi), ==, 0x4242);
    g_assert_cmpuint(qtest_get_irq_count(e.qts, QSMMU_SPI_EVTQ), ==, irqs);
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    env_stop(&e);
}

static void test_lost_events(void)
{
    g_autofree char *log = NULL;
    uint64_t fault[4], evt[4];
    g_autofree char *r1 = NULL, *r2 = NULL;
    Env e;

    env_start(&e, host_default, NULL, true);
    /* Guest queue of 16; the host queue gets the same depth */
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    /* Keep the VMM from reading while the host queue fills */
    r1 = qsim_cmd(e.sock, "inject read veventq eagain 1000000000");
    g_assert_true(g_str_has_prefix(r1, "OK"));
    for (int i = 0; i < 20; i++) {
        make_fault(fault, 0x1000 * (i + 1));
        g_assert_true(qsim_vevent(e.sock, BDF, fault));
    }
    g_assert_cmpuint(stat_of(&e, "vevents"), ==, 16);
    g_assert_cmpuint(stat_of(&e, "vevents_lost"), ==, 4);
    r2 = qsim_cmd(e.sock, "inject read veventq eagain 0");
    g_assert_true(wait_evtq_pending(&e, 16));
    /* 16 records and the LOST_EVENTS marker were read */
    g_assert_true(wait_stat(&e, "vevents_read", 17));
    for (int i = 0; i < 16; i++) {
        g_assert_true(qsmmu_evtq_pop(&e.s, evt));
        g_assert_cmphex(evt[2], ==, 0x1000 * (i + 1));
    }
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "smmuv3_accel_lost_events 4 lost"));

    /* Later events still arrive, with no loss counted for them */
    make_fault(fault, 0xbeef000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0xbeef000);
    g_free(log);
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    g_assert_cmpuint(count_substr(log, "smmuv3_accel_lost_events"), ==, 1);
    env_stop(&e);
}

static void send_and_wait_read(Env *e, uint64_t iova, uint64_t nread)
{
    uint64_t fault[4];

    make_fault(fault, iova);
    g_assert_true(qsim_vevent(e->sock, BDF, fault));
    g_assert_true(wait_stat(e, "vevents_read", nread));
}

static void test_guest_evtq_overflow(void)
{
    uint64_t evt[4];
    uint32_t prod;
    Env e;

    env_start(&e, host_default, NULL, true);
    /* A guest Event Queue of two entries */
    g_assert_true(qsmmu_probe(&e.s, 8, false, 1));
    send_and_wait_read(&e, 0x1000, 1);
    send_and_wait_read(&e, 0x2000, 2);
    g_assert_cmpuint(qsmmu_evtq_pending(&e.s), ==, 2);
    g_assert_false(qsmmu_readl(&e.s, QSMMU_EVENTQ_PROD) & QSMMU_Q_OVF);
    /* Full: the record is dropped and OVFLG toggles */
    send_and_wait_read(&e, 0x3000, 3);
    prod = qsmmu_readl(&e.s, QSMMU_EVENTQ_PROD);
    g_assert_true(prod & QSMMU_Q_OVF);
    g_assert_cmpuint(qsmmu_evtq_pending(&e.s), ==, 2);
    /* No GERROR: the queue stays usable (spec, not upstream QEMU) */
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_GERROR), ==, 0);

    /* The guest consumes and acknowledges (CONS.OVACKFLG = OVFLG) */
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x1000);
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x2000);
    g_assert_true(qsmmu_readl(&e.s, QSMMU_EVENTQ_CONS) & QSMMU_Q_OVF);

    /* Delivery resumes */
    send_and_wait_read(&e, 0x4000, 4);
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x4000);
    /* A new overflow after the ack toggles OVFLG back */
    send_and_wait_read(&e, 0x5000, 5);
    send_and_wait_read(&e, 0x6000, 6);
    send_and_wait_read(&e, 0x7000, 7);
    g_assert_false(qsmmu_readl(&e.s, QSMMU_EVENTQ_PROD) & QSMMU_Q_OVF);
    g_assert_cmpuint(qsmmu_evtq_pending(&e.s), ==, 2);
    env_stop(&e);
}

/*
 * Linux 7.2 answers EINVAL when the next vEVENT does not fit the read
 * buffer (6.11-7.1: 0).  That is not a dead queue: the buffer grows and
 * the event arrives through the same vEVENTQ, nothing is replaced.
 */
static void test_read_einval_nofit(void)
{
    uint64_t fault[4], evt[4];
    g_autofree char *r1 = NULL;
    g_autofree char *log = NULL;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    r1 = qsim_cmd(e.sock, "inject read veventq errno EINVAL 1");
    g_assert_true(qsim_ok(r1));
    make_fault(fault, 0x7000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x7000);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    qtest_quit(e.qts);
    e.qts = NULL;
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    /* Never treated as an error: no read error, no second allocation */
    g_assert_null(strstr(log, "smmuv3_accel_event_read_error"));
    g_assert_cmpuint(count_substr(log, "smmuv3_accel_alloc_veventq "), ==, 1);
    env_stop(&e);
}

static void test_read_eintr_short(void)
{
    uint64_t fault[4], evt[4];
    g_autofree char *r1 = NULL, *r2 = NULL;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    /* Interrupted reads are retried */
    r1 = qsim_cmd(e.sock, "inject read veventq eintr 3");
    make_fault(fault, 0x1000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    /* A read with room for no record returns 0; the next one gets it */
    r2 = qsim_cmd(e.sock, "inject read veventq short 20");
    make_fault(fault, 0x2000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 2));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x1000);
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x2000);
    env_stop(&e);
}

static void test_read_hangup(void)
{
    g_autofree char *r = NULL;
    g_autofree char *log = NULL;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    /* The host fd dies: reads fail EBADF while it polls readable */
    r = qsim_cmd(e.sock, "inject close veventq");
    g_assert_true(g_str_has_prefix(r, "OK"));
    for (int i = 0; i < 50; i++) {
        g_assert_true(qsmmu_sync(&e.s, 0, 0));
    }
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    /* Reported, then no longer watched: no busy loop on the dead fd */
    g_assert_cmpuint(count_substr(log, "smmuv3_accel_event_read_error"),
                     ==, 1);
    env_stop(&e);
}

static void test_gbpa_hwpt(void)
{
    g_autofree char *log = NULL;
    Env e;

    env_start(&e, host_default, NULL, true);
    /* SMMUEN=0: GBPA.ABORT chooses the abort HWPT, clearing it bypass */
    qsmmu_writel(&e.s, QSMMU_GBPA, QSMMU_GBPA_UPDATE | QSMMU_GBPA_ABORT);
    qsmmu_writel(&e.s, QSMMU_GBPA, QSMMU_GBPA_UPDATE);
    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    /* vIOMMU objects: abort HWPT allocated first, then bypass */
    g_assert_cmpuint(count_substr(log, "-> hwpt 5 (SMMUEN 0)"), ==, 1);
    g_assert_cmpuint(count_substr(log, "-> hwpt 6 (SMMUEN 0)"), >=, 2);
    env_stop(&e);
}

static void test_qmp_refusals(void)
{
    g_autoptr(JsonObject) r1 = NULL;
    g_autoptr(JsonObject) r2 = NULL;
    g_autoptr(JsonObject) r3 = NULL;
    JsonObject *err;
    Env e;

    env_start(&e, host_default, NULL, false);
    r1 = qtest_qmp(e.qts, "{'execute': 'device_add', 'arguments': "
                   "{'driver': 'arm-smmuv3', 'primary-bus': 'pcie.0'}}");
    err = json_object_get_object_member(r1, "error");
    g_assert_nonnull(strstr(json_object_get_string_member(err, "desc"),
                            "does not support hotplugging"));
    r2 = qtest_qmp(e.qts, "{'execute': 'device_del', 'arguments': "
                   "{'id': 'nope'}}");
    err = json_object_get_object_member(r2, "error");
    g_assert_cmpstr(json_object_get_string_member(err, "class"), ==,
                    "DeviceNotFound");
    r3 = qtest_qmp(e.qts, "{'execute': 'device_del', 'arguments': "
                   "{'id': 'smmu0'}}");
    g_assert_true(json_object_has_member(r3, "error"));
    env_stop(&e);
}

/* ---- teardown and failures ---- */

static void test_unplug_first_of_two(void)
{
    g_autoptr(JsonObject) ev = NULL;
    uint64_t fault[4], evt[4];
    Env e;

    env_start(&e, host_two, NULL, true);
    qtest_qmp_assert_success(e.qts,
        "{'execute': 'device_add', 'arguments': {'driver': 'vfio-pci', "
        "'host': '0000:03:00.0', 'iommufd': 'iommufd0', 'id': 'dev1', "
        "'addr': '2.0'}}");
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    g_assert_cmpuint(stat_of(&e, "vdevice"), ==, 2);
    /* The vIOMMU sits on dev0's nesting parent: it must move */
    device_del_dev0(&e);
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "vdevice"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    /* dev0's IOAS and nesting parent were freed, not leaked */
    g_assert_cmpuint(stat_of(&e, "ioas"), ==, 1);
    g_assert_cmpuint(stat_of(&e, "hwpt_paging"), ==, 1);
    /* Events of the remaining device still arrive, with its vSID */
    make_fault(fault, 0x3000);
    g_assert_true(qsim_vevent(e.sock, "0000:03:00.0", fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[0], ==, 0x10 | 0x10ULL << 32);
    qtest_qmp_assert_success(e.qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'dev1'}}");
    ev = qtest_qmp_eventwait_ref(e.qts, "DEVICE_DELETED");
    g_assert_cmpuint(qsim_live_objects(e.sock), ==, 0);
    env_stop(&e);
}

static void test_unplug_frees_all(void)
{
    uint64_t ste[8];
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    qsmmu_make_ste_s1(&e.s, ste, 3, RAM_BASE + 0x800000);
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 3);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);
    device_del_dev0(&e);
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);
    g_assert_cmpuint(stat_of(&e, "viommu"), ==, 0);
    g_assert_cmpuint(qsim_live_objects(e.sock), ==, 0);
    /* The guest's SMMU keeps working without devices */
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    env_stop(&e);
}

static void test_eventq_outside_ram(void)
{
    uint64_t fault[4];
    unsigned girq;
    Env e;

    env_start(&e, host_default, NULL, true);
    qsmmu_setup_strtab_linear(&e.s, 8);
    qsmmu_setup_cmdq(&e.s, 4);
    qsmmu_setup_evtq(&e.s, 4, UNASSIGNED);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN |
                                        QSMMU_CR0_EVENTQEN));
    girq = qtest_get_irq_count(e.qts, QSMMU_SPI_GERROR);
    make_fault(fault, 0x1000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_stat(&e, "vevents_read", 1));
    g_assert_true(qsmmu_readl(&e.s, QSMMU_GERROR) & QSMMU_GERROR_EVTQ_ABT);
    g_assert_cmpuint(qtest_get_irq_count(e.qts, QSMMU_SPI_GERROR), ==,
                     girq + 1);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_EVENTQ_PROD), ==, 0);
    /* Nothing else broke: commands still complete */
    g_assert_true(qsmmu_sync(&e.s, 0, 0));

    /* The driver acknowledges, moves the queue into RAM: delivery resumes */
    qsmmu_writel(&e.s, QSMMU_GERRORN, qsmmu_readl(&e.s, QSMMU_GERROR));
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN));
    qsmmu_setup_evtq(&e.s, 4, 0);
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN |
                                        QSMMU_CR0_EVENTQEN));
    make_fault(fault, 0x2000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    env_stop(&e);
}

/*
 * The guest aims its Event Queue at the SMMU's own registers: the first
 * (and only) entry of a one-entry queue at base + 0x20 covers CR0.  The
 * event is written from the vEVENTQ fd handler; it must not re-enter the
 * SMMU (it would turn the queues off from inside the handler): the write
 * is refused as an abort (GERROR.EVENTQ_ABT_ERR), CR0 is unchanged.
 */
static void test_reenter_evtq_base(void)
{
    uint32_t cr0 = QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN;
    uint64_t fault[4];
    Env e;

    env_start(&e, host_default, NULL, true);
    qsmmu_setup_strtab_linear(&e.s, 8);
    qsmmu_setup_cmdq(&e.s, 4);
    qsmmu_setup_evtq(&e.s, 0, QSMMU_BASE + QSMMU_CR0);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);
    g_assert_true(qsmmu_write_cr0(&e.s, cr0));
    make_fault(fault, 0x1000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_stat(&e, "vevents_read", 1));
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_CR0), ==, cr0);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_CR0ACK), ==, cr0);
    g_assert_true(qsmmu_readl(&e.s, QSMMU_GERROR) & QSMMU_GERROR_EVTQ_ABT);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    env_stop(&e);
}

/* The event MSI aimed at the SMMU's own CR0 (data 0) is refused too. */
static void test_reenter_evtq_msi(void)
{
    uint64_t fault[4], evt[4];
    uint32_t cr0;
    Env e;

    env_start(&e, host_default, NULL, true);
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    cr0 = qsmmu_readl(&e.s, QSMMU_CR0);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR);
    qsmmu_writeq(&e.s, QSMMU_EVENTQ_IRQ_CFG0, QSMMU_BASE + QSMMU_CR0);
    qsmmu_writel(&e.s, QSMMU_EVENTQ_IRQ_CFG1, 0);
    qsmmu_writel(&e.s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);
    make_fault(fault, 0x5000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_CR0), ==, cr0);
    g_assert_true(qsmmu_evtq_pop(&e.s, evt));
    g_assert_cmphex(evt[2], ==, 0x5000);
    /* Still delivering */
    make_fault(fault, 0x6000);
    g_assert_true(qsim_vevent(e.sock, BDF, fault));
    g_assert_true(wait_evtq_pending(&e, 1));
    env_stop(&e);
}

static void test_veventq_alloc_failure(void)
{
    g_autofree char *errfile = NULL;
    g_autofree char *errtext = NULL;
    g_autofree char *r = NULL;
    g_autofree char *log = NULL;
    uint64_t ste[8];
    int saved, fd;
    Env e;

    /* The binary inherits our stderr: catch its reports in a file. */
    fd = g_file_open_tmp("smmuv3-accel-stderr-XXXXXX", &errfile, NULL);
    g_assert_cmpint(fd, >=, 0);
    saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    env_start(&e, host_default, NULL, true);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fd);

    r = qsim_cmd(e.sock, "inject ioctl IOMMU_VEVENTQ_ALLOC 2 ENOMEM");
    g_assert_true(g_str_has_prefix(r, "OK"));
    g_assert_true(qsmmu_probe(&e.s, 8, false, 4));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);
    /* The command queue works: a nested STE is still installed */
    qsmmu_make_ste_s1(&e.s, ste, 3, RAM_BASE + 0x800000);
    qsmmu_write_ste(&e.s, VSID, ste);
    qsmmu_cfgi_ste(&e.s, VSID);
    g_assert_true(qsmmu_sync(&e.s, 0, 0));
    g_assert_cmpuint(stat_of(&e, "hwpt_nested"), ==, 3);
    g_assert_cmphex(qsmmu_readl(&e.s, QSMMU_GERROR), ==, 0);
    /* A second failure (EVENTQEN toggled) is not reported again */
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN | QSMMU_CR0_SMMUEN));
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN | QSMMU_CR0_SMMUEN |
                                        QSMMU_CR0_EVENTQEN));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 0);
    /* Once the host agrees, the next EVENTQEN write gets the queue */
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN | QSMMU_CR0_SMMUEN));
    g_assert_true(qsmmu_write_cr0(&e.s, QSMMU_CR0_CMDQEN | QSMMU_CR0_SMMUEN |
                                        QSMMU_CR0_EVENTQEN));
    g_assert_cmpuint(stat_of(&e, "veventq"), ==, 1);

    g_assert_true(g_file_get_contents(e.log, &log, NULL, NULL));
    g_assert_cmpuint(count_substr(log, "smmuv3_accel_alloc_veventq_failed"),
                     ==, 2);
    qtest_quit(e.qts);
    e.qts = NULL;
    g_assert_true(g_file_get_contents(errfile, &errtext, NULL, NULL));
    g_assert_cmpuint(count_substr(errtext, "cannot allocate the vEVENTQ"),
                     ==, 1);
    g_unlink(errfile);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3-accel/defaults", test_defaults_accel);
    g_test_add_func("/smmuv3-accel/defaults-auto", test_defaults_auto);
    g_test_add_func("/smmuv3-accel/refused-by-host", test_refused_by_host);
    g_test_add_func("/smmuv3-accel/nested-ste/linear", test_nested_linear);
    g_test_add_func("/smmuv3-accel/nested-ste/2-level", test_nested_2lvl);
    g_test_add_func("/smmuv3-accel/nested-ste/ssidsize-0",
                    test_ste_ssidsize0);
    g_test_add_func("/smmuv3-accel/nested-ste/ssidsize-16",
                    test_ste_ssidsize16);
    g_test_add_func("/smmuv3-accel/bad-ste-event", test_bad_ste_event);
    g_test_add_func("/smmuv3-accel/veventq/hotplug-after-probe",
                    test_veventq_hotplug_after_probe);
    g_test_add_func("/smmuv3-accel/veventq/hotplug-before-probe",
                    test_veventq_hotplug_before_probe);
    g_test_add_func("/smmuv3-accel/event-delivery", test_event_delivery);
    g_test_add_func("/smmuv3-accel/event-msi", test_event_msi);
    g_test_add_func("/smmuv3-accel/lost-events", test_lost_events);
    g_test_add_func("/smmuv3-accel/guest-evtq-overflow",
                    test_guest_evtq_overflow);
    g_test_add_func("/smmuv3-accel/unplug-frees-all", test_unplug_frees_all);
    g_test_add_func("/smmuv3-accel/unplug-first-of-two",
                    test_unplug_first_of_two);
    g_test_add_func("/smmuv3-accel/eventq-outside-ram",
                    test_eventq_outside_ram);
    g_test_add_func("/smmuv3-accel/veventq-alloc-failure",
                    test_veventq_alloc_failure);
    g_test_add_func("/smmuv3-accel/read-eintr-short", test_read_eintr_short);
    g_test_add_func("/smmuv3-accel/read-einval-nofit",
                    test_read_einval_nofit);
    g_test_add_func("/smmuv3-accel/read-hangup", test_read_hangup);
    g_test_add_func("/smmuv3-accel/gbpa-hwpt", test_gbpa_hwpt);
    g_test_add_func("/smmuv3-accel/qmp-refusals", test_qmp_refusals);
    g_test_add_func("/smmuv3-accel/reenter-evtq-base",
                    test_reenter_evtq_base);
    g_test_add_func("/smmuv3-accel/reenter-evtq-msi", test_reenter_evtq_msi);
    return g_test_run();
}
