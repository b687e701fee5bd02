/*
 * Cross-VMM tests: the same guest scenario, written once, run against
 * viommu-system and against unmodified upstream QEMU, both under the
 * iommufd simulator, driven only over the qtest protocol and QMP.
 *
 * Everything that differs between the two binaries -- how to run them,
 * command-line spelling, MMIO bases, interrupt numbers, and the
 * differences each VMM has by design -- is a field of one XVmm profile
 * (cross-vmm.c); the scenarios read the profile and never test which VMM
 * they drive.  docs/devel/upstream-qemu.md explains the suite.
 */
#ifndef CROSS_VMM_H
#define CROSS_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "libqtest.h"

typedef struct XVmm {
    const char *name;           /* for messages: "viommu-system", ... */
    const char *version;

    /* ---- running it ---- */
    char *x86_binary;
    char *arm_binary;
    char *fw_args;              /* "-L DIR ..." (x86 firmware), or "" */
    const char *preload_var;    /* where the simulator goes: LD_PRELOAD... */
    char *env[2];               /* extra "NAME=VALUE", NULL-terminated */

    /* ---- VT-d (q35) ---- */
    uint64_t vtd_base;
    uint32_t vtd_ver;           /* VER_REG for these properties */
    /* CAP/ECAP bits only this VMM sets, with identical properties */
    uint64_t vtd_cap_only, vtd_ecap_only;
    /* host page faults reach the guest's PRQ (FAULTQ path) */
    bool vtd_host_prq;
    /* a PASID binds even when the RID_PASID entry is not valid */
    bool vtd_bind_without_rid_pasid;
    /*
     * PASIDs (RID_PASID included) one device may have bound at a time,
     * 0: no limit; and the intel-iommu property that sets it
     */
    unsigned vtd_max_bound_pasids;
    const char *vtd_max_bound_prop;
    /* a global IOTLB invalidation reaches every nested HWPT */
    bool vtd_iotlb_global_to_nested;
    /* PASID-IOTLB page-selective: ADDR aligned down to 2^AM pages */
    bool vtd_piotlb_aligns_addr;
    /*
     * A pcie-root-port with a native hot-plug slot (options that put it
     * in, its bus name, its devfn on bus 0: the guest writes its bus
     * numbers and Slot Control), and whether ECAM must first be enabled
     * in the MCH's PCIEXBAR (firmware's job: none runs under qtest)
     */
    const char *vtd_root_port_args;
    const char *vtd_root_port_bus;
    uint8_t vtd_root_port_devfn;
    bool vtd_ecam_needs_pciexbar;

    /*
     * QMP quit releases every host object before the process exits
     * (else they are alive at exit, and the kernel frees them with the
     * process's fds)
     */
    bool quit_releases;

    /* ---- SMMUv3 (virt) ---- */
    const char *smmu_args;      /* machine + SMMU */
    uint64_t smmu_base;
    /*
     * Where this VMM's emulated SMMUv3 departs from the architecture for
     * the same guest steps (asserted by the test, so a fix shows):
     */
    uint32_t smmu_idr0_only;    /* IDR0 bits only this VMM advertises */
    /* CMDQ_BASE is read-only while CMDQEN (spec) */
    bool smmu_cmdq_base_locked;
    /* how it refuses vfio-pci behind the emulated SMMUv3 (stderr) */
    const char *smmu_emulated_vfio_refusal;
    /* how it refuses accel=on here, or NULL if it realizes */
    const char *smmu_accel_refusal;
    /* CMDQ_CONS.ERR code after an unknown opcode (spec: 1, CERROR_ILL) */
    unsigned smmu_cerror_ill;
} XVmm;

/* viommu-system from this build. */
const XVmm *xvmm_ours(void);
/*
 * Upstream QEMU from scripts/counterparts.sh; prints "SKIP: <reason>" and
 * exits 77 when it is not installed (meson: skipped, never red).
 */
const XVmm *xvmm_upstream_or_skip(void);

/* Path of libiommufd-sim.so ($IOMMUFD_SIM_LIB); skips without it. */
const char *xvmm_sim_lib(void);

/* One VMM process under a fresh simulator. */
typedef struct XSession {
    const XVmm *vmm;
    char *dir, *conf, *sock, *report;
    char *envp[8];
    QTestState *qts;
} XSession;

/* Start @vmm's @binary with @args under a simulator configured by @conf. */
void xs_start(XSession *s, const XVmm *vmm, const char *binary,
              const char *conf, const char *args);
/*
 * Run @binary with @args (plus "-display none -nodefaults -accel qtest")
 * under a simulator configured by @conf, expecting it to refuse the
 * configuration: returns its stderr when it exited with status 1 within
 * 20 s, NULL otherwise (also when it started: it is then killed).
 */
char *xvmm_refusal(const XVmm *vmm, const char *binary, const char *conf,
                   const char *args);
/*
 * Control-socket command; the reply's data lines (without the OK line).
 * Fails the test on ERR.
 */
char *xs_data(XSession *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Raw reply, OK or ERR. */
char *xs_cmd(XSession *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Value of key=N in "stats". */
uint64_t xs_stat(XSession *s, const char *key);
/* Live simulator objects now, in xs_quit()'s format. */
char *xs_live(XSession *s);
/*
 * QMP quit, wait for the exit, free everything.  Returns what the
 * simulator's exit report says was alive: "live N" and, if N > 0,
 * ": TYPE n ..." for each type with objects left.
 */
char *xs_quit(XSession *s);
/* CPU time (user+system, in clock ticks) the VMM used so far. */
uint64_t xs_cpu_ticks(XSession *s);

#endif
