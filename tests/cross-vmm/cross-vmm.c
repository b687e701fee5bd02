/*
 * The two VMM profiles, and one VMM process under the simulator.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cross-vmm.h"
#include "counterparts.h"
#include "libqos/qos-sim.h"

static void skip(const char *why)
{
    printf("SKIP: %s\n", why);
    fflush(stdout);
    exit(77);
}

const char *xvmm_sim_lib(void)
{
    const char *lib = g_getenv("IOMMUFD_SIM_LIB");

    if (!lib || !*lib) {
        skip("IOMMUFD_SIM_LIB is not set (no simulator in this build)");
    }
    return lib;
}

/*
 * viommu-system.  Its VT-d model delivers host page faults to the PRQ;
 * its SMMUv3 sits where virt's iommu=smmuv3 puts it (SPIs 74-77),
 * advertises MSIs (IDR0.MSI) and follows the architecture where the
 * tests check it.
 */
static XVmm ours = {
    .name = "viommu-system",
    .version = "this build",
    .fw_args = (char *)"",
    .preload_var = "LD_PRELOAD",
    .vtd_base = 0xfed90000ULL,
    .vtd_ver = 0x30,            /* 3.0: scalable mode is a 3.0 feature */
    .vtd_host_prq = true,
    .vtd_bind_without_rid_pasid = true,
    .vtd_max_bound_pasids = 4096,       /* the host domains one guest makes */
    .vtd_max_bound_prop = "max-bound-pasids",
    /* native PCIe hot-plug on a pcie-root-port, as QEMU's */
    .vtd_root_port_args = "-device pcie-root-port,id=rp0,bus=pcie.0,"
                             "chassis=1,slot=1,addr=5.0",
    .vtd_root_port_bus = "rp0",
    .vtd_root_port_devfn = 5 << 3,
    .vtd_ecam_needs_pciexbar = false,   /* ECAM is always decoded */
    .vtd_piotlb_aligns_addr = true,
    .vtd_iotlb_global_to_nested = true,
    .quit_releases = true,
    .smmu_args = "-M virt -device arm-smmuv3,primary-bus=pcie.0,id=smmu0",
    .smmu_base = 0x09050000ULL,
    .smmu_idr0_only = 1u << 13,         /* MSI */
    .smmu_cmdq_base_locked = true,
    .smmu_emulated_vfio_refusal = "passthrough devices need accel=on",
    .smmu_accel_refusal = NULL,
    .smmu_cerror_ill = 1,
};

const XVmm *xvmm_ours(void)
{
    const char *bin = g_getenv("QTEST_QEMU_BINARY");
    const char *arm = g_getenv("CROSS_VMM_OURS_ARM");

    if (!bin || !*bin) {
        skip("QTEST_QEMU_BINARY is not set");
    }
    /* one binary serves both machines */
    ours.x86_binary = (char *)bin;
    ours.arm_binary = (char *)(arm && *arm ? arm : bin);
    return &ours;
}

/*
 * Upstream QEMU 11.1 (Debian's build, run from the private sysroot by
 * the wrapper scripts/counterparts.sh writes).  Facts measured with
 * 11.1.3 and listed in docs/devel/upstream-qemu.md:
 *  - intel-iommu: VER_REG 1.0 (property 'version'), not 3.0; CAP also
 *    has SSLPS bits 34 and 35 (2M and 1G second-stage pages) and ECAP
 *    also IR (bit 3) and MHMV (bits 23:20), for the same properties; no
 *    page-request path for passthrough devices (host
 *    faults are answered INVALID by the kernel, the PRQ stays empty); it
 *    binds a PASID only while the RID_PASID entry is valid;
 *  - no limit on the PASIDs bound per device (viommu-system: 4096 by
 *    default, max-bound-pasids);
 *  - a page-selective PASID-IOTLB invalidation with AM > 0 and an
 *    address not aligned to 2^AM pages is forwarded with the address as
 *    written; the spec ignores ADDR bits below 12 + AM, viommu-system
 *    aligns it;
 *  - a global IOTLB invalidation (the legacy descriptor) is not forwarded
 *    to the nested HWPTs; viommu-system sends each a full-range
 *    HWPT_INVALIDATE, since in scalable mode it drops PASID-tagged
 *    first-stage entries too;
 *  - vfio-pci registers ERR and REQ eventfds: a host AER error stops the
 *    VM, a host request for the device unplugs it (viommu-system
 *    registers neither: the host's request goes unanswered);
 *  - QMP quit exits without unrealizing anything: every object alive
 *    before quit is alive at exit, and the kernel frees them when it
 *    closes the process's fds (viommu-system releases them all first);
 *  - q35 hot-plugs on pcie-root-ports through ACPI by default, which
 *    needs the guest's ACPI (_EJ0) to unplug: its profile turns that off
 *    for native PCIe hot-plug, as viommu-system has; ECAM must first be
 *    enabled in the MCH's PCIEXBAR, which firmware does;
 *  - -device arm-smmuv3 lands on virt's platform bus (0x0c000000, SPIs
 *    112-115); IDR0 has VMID16 and no MSI (CMD_SYNC signals on the wire
 *    only); accel=on needs KVM with an in-kernel irqchip, which an x86
 *    host cannot give qemu-system-aarch64, so only the emulated SMMUv3
 *    runs here, and that one refuses vfio-pci (no MAP notifier).
 */
static XVmm upstream = {
    .name = "upstream-qemu",
    .preload_var = "SYSROOT_PRELOAD",
    .vtd_base = 0xfed90000ULL,
    .vtd_ver = 0x10,            /* its 'version' property defaults to 1.0 */
    .vtd_cap_only = 0x3ULL << 34,
    .vtd_ecap_only = (1ULL << 3) | (0xfULL << 20),
    .vtd_host_prq = false,
    .vtd_bind_without_rid_pasid = false,
    .vtd_max_bound_pasids = 0,
    /*
     * native PCIe hot-plug: q35 defaults to ACPI hot-plug on root ports,
     * which needs the guest's ACPI (_EJ0) for unplug
     */
    .vtd_root_port_args = "-global ICH9-LPC.acpi-pci-hotplug-with-"
                             "bridge-support=off "
                             "-device pcie-root-port,id=rp0,bus=pcie.0,"
                             "chassis=1,slot=1,addr=5.0",
    .vtd_root_port_bus = "rp0",
    .vtd_root_port_devfn = 5 << 3,
    .vtd_ecam_needs_pciexbar = true,
    .vtd_piotlb_aligns_addr = false,
    .vtd_iotlb_global_to_nested = false,
    .quit_releases = false,
    .smmu_args = "-M virt -device arm-smmuv3,primary-bus=pcie.0,id=smmu0",
    .smmu_base = 0x0c000000ULL,
    .smmu_idr0_only = 1u << 18,         /* VMID16 */
    .smmu_cmdq_base_locked = false,
    .smmu_emulated_vfio_refusal = "requires iommu MAP notifier which is "
                                  "not currently supported",
    .smmu_accel_refusal = "SMMUv3 accel=on requires KVM with "
                          "kernel-irqchip=on support",
    .smmu_cerror_ill = 1,
};

const XVmm *xvmm_upstream_or_skip(void)
{
    static Counterpart *cp;
    g_autofree char *reason = NULL;
    const char *fw;

    if (upstream.x86_binary) {
        return &upstream;
    }
#ifdef CROSS_VMM_SANITIZED
    skip("the simulator is built with sanitizers: upstream QEMU cannot "
         "preload it (the ASan runtime must come first)");
#endif
    cp = counterpart_load("qemu", &reason);
    if (!cp) {
        skip(reason);
    }
    upstream.version = counterpart_get(cp, "VERSION");
    upstream.x86_binary = g_strdup(counterpart_get(cp, "QEMU_X86_64"));
    upstream.arm_binary = g_strdup(counterpart_get(cp, "QEMU_AARCH64"));
    if (!upstream.x86_binary || !upstream.arm_binary ||
        !counterpart_get(cp, "QEMU_MODULE_DIR")) {
        skip("qemu: qemu.env lacks QEMU_X86_64/QEMU_AARCH64/"
             "QEMU_MODULE_DIR");
    }
    upstream.env[0] = g_strdup_printf("QEMU_MODULE_DIR=%s",
                                      counterpart_get(cp, "QEMU_MODULE_DIR"));
    fw = counterpart_get(cp, "QEMU_FIRMWARE_DIRS");
    if (fw && *fw) {
        g_auto(GStrv) dirs = g_strsplit(fw, ":", -1);
        GString *args = g_string_new(NULL);

        for (int i = 0; dirs[i]; i++) {
            g_string_append_printf(args, "-L %s ", dirs[i]);
        }
        upstream.fw_args = g_string_free(args, FALSE);
    } else {
        upstream.fw_args = g_strdup("");
    }
    return &upstream;
}

void xs_start(XSession *s, const XVmm *vmm, const char *binary,
              const char *conf, const char *args)
{
    g_autofree char *full = NULL;
    int n = 0;

    memset(s, 0, sizeof(*s));
    s->vmm = vmm;
    s->dir = g_dir_make_tmp("cross-vmm-XXXXXX", NULL);
    g_assert_nonnull(s->dir);
    s->conf = g_build_filename(s->dir, "sim.conf", NULL);
    s->sock = g_build_filename(s->dir, "sim.sock", NULL);
    s->report = g_build_filename(s->dir, "exit-report", NULL);
    g_assert_true(g_file_set_contents(s->conf, conf, -1, NULL));
    s->envp[n++] = g_strdup_printf("%s=%s", vmm->preload_var,
                                   xvmm_sim_lib());
    s->envp[n++] = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", s->conf);
    s->envp[n++] = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", s->sock);
    s->envp[n++] = g_strdup_printf("IOMMUFD_SIM_EXIT_REPORT=%s", s->report);
    for (int i = 0; vmm->env[i]; i++) {
        s->envp[n++] = g_strdup(vmm->env[i]);
    }
    full = g_strdup_printf("%s %s", vmm->fw_args, args);
    s->qts = qtest_init_binary_with_env(binary, full,
                                        (const char *const *)s->envp);
}

char *xvmm_refusal(const XVmm *vmm, const char *binary, const char *conf,
                   const char *args)
{
    g_autofree char *dir = g_dir_make_tmp("cross-vmm-XXXXXX", NULL);
    g_autofree char *conf_path = g_build_filename(dir, "sim.conf", NULL);
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) envp = g_get_environ();
    char *err = NULL;
    int status = -1;

    g_assert_true(g_file_set_contents(conf_path, conf, -1, NULL));
    envp = g_environ_setenv(envp, vmm->preload_var, xvmm_sim_lib(), TRUE);
    envp = g_environ_setenv(envp, "IOMMUFD_SIM_CONFIG", conf_path, TRUE);
    for (int i = 0; vmm->env[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(vmm->env[i], "=", 2);

        envp = g_environ_setenv(envp, kv[0], kv[1], TRUE);
    }
    /* bounded: a configuration that starts after all is killed */
    cmd = g_strdup_printf("timeout -s KILL 20 %s %s %s -display none "
                          "-nodefaults -accel qtest",
                          binary, vmm->fw_args, args);
    g_assert_true(g_shell_parse_argv(cmd, NULL, &argv, NULL));
    g_assert_true(g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH, NULL,
                               NULL, &out, &err, &status, NULL));
    g_unlink(conf_path);
    g_rmdir(dir);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1) {
        g_free(err);
        return NULL;
    }
    return err;
}

static char *vcmd(XSession *s, const char *fmt, va_list ap)
{
    return qsim_vcmd(s->sock, fmt, ap);
}

char *xs_cmd(XSession *s, const char *fmt, ...)
{
    va_list ap;
    char *r;

    va_start(ap, fmt);
    r = vcmd(s, fmt, ap);
    va_end(ap);
    return r;
}

char *xs_data(XSession *s, const char *fmt, ...)
{
    va_list ap;
    char *r, *last;

    va_start(ap, fmt);
    r = vcmd(s, fmt, ap);
    va_end(ap);
    if (!qsim_ok(r)) {
        g_error("%s: simulator command failed: %s", s->vmm->name, r);
    }
    /* drop the final "OK ..." line */
    last = g_strrstr(r, "OK");
    while (last > r && last[-1] != '\n') {
        last = g_strrstr_len(r, last - r, "OK");
    }
    if (last) {
        *last = '\0';
    }
    return r;
}

uint64_t xs_stat(XSession *s, const char *key)
{
    g_autofree char *r = xs_cmd(s, "stats");
    g_autofree char *needle = g_strdup_printf(" %s=", key);
    const char *p = strstr(r, needle);

    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen(needle), NULL, 10);
}

uint64_t xs_cpu_ticks(XSession *s)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat",
                                            (int)qtest_pid(s->qts));
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return 0;
    }
    /* fields after "(comm)": state is field 3; utime 14, stime 15 */
    p = strrchr(text, ')');
    if (!p) {
        return 0;
    }
    f = g_strsplit(p + 2, " ", -1);
    if (g_strv_length(f) < 13) {
        return 0;
    }
    return g_ascii_strtoull(f[11], NULL, 10) +
           g_ascii_strtoull(f[12], NULL, 10);
}

char *xs_live(XSession *s)
{
    static const char *const types[] = {
        "ioas", "hwpt_paging", "hwpt_nested", "device", "fault", "viommu",
        "vdevice", "veventq", "leaked",
    };
    GString *out = g_string_new(NULL);
    uint64_t n[G_N_ELEMENTS(types)], total = 0;
    int listed = 0;

    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++) {
        n[i] = xs_stat(s, types[i]);
        total += n[i];
    }
    g_string_append_printf(out, "live %" PRIu64, total);
    for (unsigned i = 0; i < G_N_ELEMENTS(types); i++) {
        if (n[i]) {
            g_string_append_printf(out, "%s%s %" PRIu64,
                                   listed++ ? " " : ": ", types[i], n[i]);
        }
    }
    return g_string_free(out, FALSE);
}

char *xs_quit(XSession *s)
{
    g_autofree char *report = NULL;
    GString *out = g_string_new(NULL);

    qtest_qmp_assert_success(s->qts, "{'execute': 'quit'}");
    qtest_quit(s->qts);
    if (g_file_get_contents(s->report, &report, NULL, NULL)) {
        g_auto(GStrv) lines = g_strsplit(report, "\n", -1);

        /* "live N", then the types with objects left */
        for (int i = 0, types = 0; lines[i]; i++) {
            unsigned n;
            char type[32];

            if (sscanf(lines[i], "%31s %u", type, &n) != 2 ||
                (i > 0 && !n) || !strcmp(type, "after-close")) {
                continue;
            }
            g_string_append_printf(out, "%s%s %u",
                                   i == 0 ? "" : types++ ? " " : ": ",
                                   type, n);
        }
        /* the kernel closes the fds at exit: then nothing may be left */
        for (int i = 0; lines[i]; i++) {
            unsigned n;

            if (sscanf(lines[i], "after-close %u", &n) == 1) {
                g_string_append_printf(out, "; after close %u", n);
            }
        }
    } else {
        g_string_append(out, "no exit report");
    }
    g_unlink(s->conf);
    g_unlink(s->sock);
    g_unlink(s->report);
    g_rmdir(s->dir);
    for (int i = 0; s->envp[i]; i++) {
        g_free(s->envp[i]);
    }
    g_free(s->dir);
    g_free(s->conf);
    g_free(s->sock);
    g_free(s->report);
    memset(s, 0, sizeof(*s));
    return g_string_free(out, FALSE);
}
