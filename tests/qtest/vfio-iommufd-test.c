/*
 * -object iommufd + -device vfio-pci,host=... under the iommufd simulator:
 * the guest finds the passthrough device and its PASID/PRI/ATS
 * capabilities in config space, and quitting leaves no host object alive.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "libqtest.h"

#define Q35_ECAM 0xB0000000ULL
#define DEVFN (3 << 3)
#define BDF "0000:02:00.0"

typedef struct SimEnv {
    char *dir;
    char *config;
    char *report;
    char *envp[4];
} SimEnv;

static void sim_env_init(SimEnv *e, const char *config_text)
{
    const char *lib = g_getenv("IOMMUFD_SIM_LIB");

    g_assert_nonnull(lib);
    e->dir = g_dir_make_tmp("vfio-iommufd-XXXXXX", NULL);
    e->config = g_build_filename(e->dir, "sim.conf", NULL);
    e->report = g_build_filename(e->dir, "exit-report", NULL);
    g_assert_true(g_file_set_contents(e->config, config_text, -1, NULL));
    e->envp[0] = g_strdup_printf("LD_PRELOAD=%s", lib);
    e->envp[1] = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", e->config);
    e->envp[2] = g_strdup_printf("IOMMUFD_SIM_EXIT_REPORT=%s", e->report);
    e->envp[3] = NULL;
}

static void sim_env_fini(SimEnv *e)
{
    g_unlink(e->config);
    g_unlink(e->report);
    g_rmdir(e->dir);
    for (int i = 0; e->envp[i]; i++) {
        g_free(e->envp[i]);
    }
    g_free(e->dir);
    g_free(e->config);
    g_free(e->report);
}

static const char vtd_host[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "vendor-id=0x8086\n"
    "device-id=0x1234\n"
    "pasid-width=20\n"
    "pri=true\n"
    "pri-capacity=64\n"
    "ats=true\n";

static uint64_t cfg_addr(unsigned offset)
{
    return Q35_ECAM + (DEVFN << 12) + offset;
}

/* Walk the extended capability list as a guest driver does. */
static unsigned find_ext_cap(QTestState *qts, uint16_t id)
{
    unsigned off = 0x100;

    for (int n = 0; off && n < 64; n++) {
        uint32_t hdr = qtest_readl(qts, cfg_addr(off));

        if (hdr == 0 || hdr == 0xffffffff) {
            return 0;
        }
        if ((hdr & 0xffff) == id) {
            return off;
        }
        off = hdr >> 20;
    }
    return 0;
}

static unsigned find_cap(QTestState *qts, uint8_t id)
{
    unsigned off = qtest_readb(qts, cfg_addr(0x34)) & ~3u;

    for (int n = 0; off && n < 48; n++) {
        if (qtest_readb(qts, cfg_addr(off)) == id) {
            return off;
        }
        off = qtest_readb(qts, cfg_addr(off + 1)) & ~3u;
    }
    return 0;
}

static void test_config_space(void)
{
    SimEnv e = { 0 };
    QTestState *qts;
    unsigned pasid, pri, ats, exp;
    g_autofree char *report = NULL;

    sim_env_init(&e, vtd_host);
    qts = qtest_init_with_env("-M q35 -object iommufd,id=iommufd0 "
                              "-device vfio-pci,host=" BDF
                              ",iommufd=iommufd0,addr=3.0,id=hostdev0",
                              (const char *const *)e.envp);

    g_assert_cmphex(qtest_readw(qts, cfg_addr(0x00)), ==, 0x8086);
    g_assert_cmphex(qtest_readw(qts, cfg_addr(0x02)), ==, 0x1234);
    /* Status says a capability list exists; the PCIe capability is on it. */
    g_assert_cmphex(qtest_readw(qts, cfg_addr(0x06)) & 0x10, ==, 0x10);
    exp = find_cap(qts, 0x10);
    g_assert_cmpuint(exp, !=, 0);

    pasid = find_ext_cap(qts, 0x1b);
    pri = find_ext_cap(qts, 0x13);
    ats = find_ext_cap(qts, 0x0f);
    g_assert_cmpuint(pasid, !=, 0);
    g_assert_cmpuint(pri, !=, 0);
    g_assert_cmpuint(ats, !=, 0);
    /* PASID capability: Max PASID Width in bits 12:8. */
    g_assert_cmpuint((qtest_readw(qts, cfg_addr(pasid + 4)) >> 8) & 0x1f, ==,
                     20);
    /* PRI capability: Outstanding Page Request Capacity at +8. */
    g_assert_cmpuint(qtest_readl(qts, cfg_addr(pri + 8)), ==, 64);
    /* No host BAR leaks to the guest. */
    g_assert_cmphex(qtest_readl(qts, cfg_addr(0x10)), ==, 0);

    qtest_quit(qts);

    /* The simulator's exit report: nothing was left alive. */
    g_assert_true(g_file_get_contents(e.report, &report, NULL, NULL));
    g_assert_nonnull(strstr(report, "live 0\n"));
    sim_env_fini(&e);
}

static void test_unknown_host_device(void)
{
    SimEnv e = { 0 };
    int status = 0;
    g_autofree char *err = NULL;

    sim_env_init(&e, vtd_host);
    g_assert_true(qtest_run_binary_full("-M q35 -object iommufd,id=iommufd0 "
                                        "-device vfio-pci,host=0000:09:00.0,"
                                        "iommufd=iommufd0",
                                        (const char *const *)e.envp,
                                        &status, NULL, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "viommu-system: -device vfio-pci,"));
    g_assert_nonnull(strstr(err, "vfio 0000:09:00.0: cannot open "
                            "/sys/bus/pci/devices/0000:09:00.0/vfio-dev"));
    sim_env_fini(&e);
}

static void test_needs_iommufd(void)
{
    int status = 0;
    g_autofree char *err = NULL;

    g_assert_true(qtest_run_binary("-M q35 -device vfio-pci,host=" BDF,
                                   &status, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "iommufd=ID is required"));
}

static void test_no_dev_iommu(void)
{
    int status = 0;
    g_autofree char *err = NULL;

    if (g_file_test("/dev/iommu", G_FILE_TEST_EXISTS)) {
        g_test_skip("this machine has a real /dev/iommu");
        return;
    }
    /* Without the simulator, the real kernel interface is used. */
    g_assert_true(qtest_run_binary("-M q35 -object iommufd,id=iommufd0 "
                                   "-device vfio-pci,sysfsdev=/nonexistent/"
                                   "0000:02:00.0,iommufd=iommufd0",
                                   &status, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(
        strstr(err, "cannot open /nonexistent/0000:02:00.0/vfio-dev"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vfio-iommufd/config-space", test_config_space);
    g_test_add_func("/vfio-iommufd/unknown-host-device",
                    test_unknown_host_device);
    g_test_add_func("/vfio-iommufd/needs-iommufd", test_needs_iommufd);
    g_test_add_func("/vfio-iommufd/no-dev-iommu", test_no_dev_iommu);
    return g_test_run();
}
