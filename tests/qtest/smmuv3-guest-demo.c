/*
 * The Arm scenario of the main job: a scripted guest drives
 * arm-smmuv3,accel=on with a passthrough device under the iommufd
 * simulator and prints what happened at each step.
 *
 *   smmuv3-guest-demo [BUILD_DIR]
 *   smmuv3-guest-demo SIM_LIB SIM_CONFIG SIM_SOCKET   (as scripts/main-job.sh)
 *
 * In the first form BUILD_DIR (default ".") holds viommu-system and
 * contrib/iommufd-sim/libiommufd-sim.so, and the simulator configuration
 * (an arm-smmuv3 host, one device at 0000:02:00.0) is written to a
 * temporary directory.  In the second, the caller gives them; the binary
 * is $QTEST_QEMU_BINARY.  Exit status 0 when every step gave the expected
 * result.
 */
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include "libqtest.h"
#include "libqos/qos-smmuv3.h"

#define RAM_BASE    0x40000000ULL
#define BDF         "0000:02:00.0"
#define VSID        0x8

static int failures;

static void step(bool ok, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void step(bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("  [%s] ", ok ? " ok " : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    failures += !ok;
}

static bool wait_pending(QSMMUv3 *s, unsigned n)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (qsmmu_evtq_pending(s) < n) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc == 3 || argc > 4) {
        fprintf(stderr, "usage: %s [BUILD_DIR] | SIM_LIB SIM_CONFIG "
                "SIM_SOCKET\n", argv[0]);
        return 2;
    }
    return run(argc, argv);
}

static int run(int argc, char **argv)
{
    bool given = argc == 4;
    const char *build = argc == 2 ? argv[1] : ".";
    g_autofree char *dir = given ? NULL :
                           g_dir_make_tmp("smmuv3-demo-XXXXXX", NULL);
    g_autofree char *cfg = given ? g_strdup(argv[2]) :
                           g_build_filename(dir, "sim.conf", NULL);
    g_autofree char *sock = given ? g_strdup(argv[3]) :
                            g_build_filename(dir, "sim.sock", NULL);
    g_autofree char *bin = g_build_filename(build, "viommu-system", NULL);
    g_autofree char *lib = g_build_filename(build, "contrib", "iommufd-sim",
                                            "libiommufd-sim.so", NULL);
    g_autofree char *e0 = NULL, *e1 = NULL, *e2 = NULL;
    const char *envp[4];
    uint64_t ste[8], fault[4], evt[4];
    unsigned irqs;
    QTestState *qts;
    QSMMUv3 s;

    if (!g_getenv("QTEST_QEMU_BINARY")) {
        g_setenv("QTEST_QEMU_BINARY", bin, TRUE);
    }
    if (given || g_getenv("IOMMUFD_SIM_LIB")) {
        g_free(lib);
        lib = g_strdup(given ? argv[1] : g_getenv("IOMMUFD_SIM_LIB"));
    }
    if (!given) {
        g_file_set_contents(cfg, "[iommu]\ntype=arm-smmuv3\n"
                            "[device " BDF "]\nstream-id=0x200\n", -1, NULL);
    }
    envp[0] = e0 = g_strdup_printf("LD_PRELOAD=%s", lib);
    envp[1] = e1 = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", cfg);
    envp[2] = e2 = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", sock);
    envp[3] = NULL;

    printf("Arm SMMUv3 accel=on guest (virt, vfio-pci " BDF
           " under the iommufd simulator)\n");
    qts = qtest_init_with_env("-M virt -object iommufd,id=iommufd0 "
                              "-device arm-smmuv3,primary-bus=pcie.0,"
                              "id=smmuv3.0,accel=on "
                              "-device vfio-pci,host=" BDF ",iommufd=iommufd0,"
                              "id=dev0,addr=1.0", envp);
    qtest_irq_intercept_in(qts, "gic");
    qsmmu_init(&s, qts, RAM_BASE + 0x100000, 0x1000000);

    step(qsim_stat(sock, "viommu") == 1 && qsim_stat(sock, "vdevice") == 1,
         "cold-plugged device: vIOMMU and vDEVICE (vSID 0x%x) allocated",
         VSID);
    step(qsmmu_probe(&s, 8, true, 4) && qsim_stat(sock, "veventq") == 1,
         "guest driver probe (2-level stream table, EVENTQEN): vEVENTQ "
         "allocated, depth 16");

    qsmmu_make_ste_s1(&s, ste, 1, RAM_BASE + 0x800000);
    qsmmu_write_ste(&s, VSID, ste);
    qsmmu_cfgi_ste(&s, VSID);
    step(qsmmu_sync(&s, 0, 0) && qsim_stat(sock, "hwpt_nested") == 3,
         "guest stage-1 STE + CFGI_STE + CMD_SYNC: nested HWPT attached");

    qsmmu_cmd(&s, QSMMU_CMD_TLBI_NH_ASID | 1ULL << 48, 0);
    qsmmu_cmd(&s, QSMMU_CMD_CFGI_CD | (uint64_t)VSID << 32, 1);
    step(qsmmu_sync(&s, 0, 0) && qsim_stat(sock, "invalidations") == 2,
         "TLBI_NH_ASID + CFGI_CD: forwarded to the host in one batch");

    irqs = qtest_get_irq_count(qts, QSMMU_SPI_EVTQ);
    fault[0] = 0x10 | 0x200ULL << 32;
    fault[1] = 1ULL << 35;
    fault[2] = 0xdead0000;
    fault[3] = 0;
    step(qsim_vevent(sock, BDF, fault) && wait_pending(&s, 1) &&
         qsmmu_evtq_pop(&s, evt),
         "host F_TRANSLATION (pSID 0x200) reached the guest Event Queue");
    step(evt[0] == (0x10 | (uint64_t)VSID << 32) && evt[2] == 0xdead0000,
         "record: type 0x%02x, StreamID 0x%x (virtual), address 0x%" PRIx64,
         (unsigned)(evt[0] & 0xff), (unsigned)(evt[0] >> 32), evt[2]);
    step(qtest_get_irq_count(qts, QSMMU_SPI_EVTQ) == irqs + 1,
         "event queue interrupt (SPI %d) raised", QSMMU_SPI_EVTQ);

    qtest_qmp_assert_success(qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'dev0'}}");
    qtest_qmp_eventwait(qts, "DEVICE_DELETED");
    step(qsim_live_objects(sock) == 0,
         "device_del dev0: DEVICE_DELETED, no host object left");

    qsmmu_cleanup(&s);
    qtest_quit(qts);
    if (!given) {
        g_unlink(cfg);
        g_rmdir(dir);
    }
    printf("Arm scenario: %s\n", failures ? "FAILED" : "passed");
    return failures ? 1 : 0;
}
