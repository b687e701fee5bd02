/*
 * Side by side, measured: the same scripted VT-d guest (qtest protocol,
 * libqos/qos-intel-iommu) drives viommu-system and upstream QEMU under
 * the iommufd simulator; for each operation it reports the VMM's CPU
 * time (utime + stime from /proc/PID/stat) and the host ioctls it made
 * (the simulator's counter), and the ratio of ours to upstream's.
 *
 *   bench-cross-vmm [--quick]
 *
 * Operations: realize + quit (10 times; the CPU time of the reaped
 * process); binding and unbinding 4,096 PASIDs
 * (PASID-selective PASID-cache invalidations, as Linux flushes a PASID
 * entry change, 64 per queue kick); 100,000 page-selective PASID-IOTLB
 * invalidations in batches of 100.  Prints figures only, never fails on
 * timing; exits 77 (SKIP) without upstream QEMU.  A recorded run is in
 * docs/devel/benchmarks.md.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cross-vmm.h"
#include "libqos/qos-intel-iommu.h"

#define BDF             "0000:02:00.0"
#define DEVFN           0x18
#define BIND_BATCH      64
#define INV_BATCH       100

static const char sim_conf[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "ats=true\n";

#define VTD_ARGS_FMT "-M q35 -m 256M -device intel-iommu,scalable-mode=on," \
                     "fsts=on,caching-mode=on,device-iotlb=on,svm=on," \
                     "pasid-bits=20%s -object iommufd,id=iommufd0 " \
                     "-device vfio-pci,host=" BDF ",iommufd=iommufd0,addr=3.0"

typedef struct Cost {
    double cpu_ms;              /* VMM CPU time */
    double wall_ms;
    uint64_t ioctls;
    unsigned ops;
} Cost;

typedef struct Mark {
    uint64_t ticks, ioctls;
    gint64 wall_us;
} Mark;

static Mark mark(XSession *s)
{
    Mark m = {
        .ticks = xs_cpu_ticks(s),
        .ioctls = xs_stat(s, "ioctls"),
        .wall_us = g_get_monotonic_time(),
    };
    return m;
}

static Cost since(XSession *s, const Mark *m0, unsigned ops)
{
    Mark m1 = mark(s);
    Cost c = {
        .cpu_ms = (m1.ticks - m0->ticks) * 1000.0 / sysconf(_SC_CLK_TCK),
        .wall_ms = (m1.wall_us - m0->wall_us) / 1000.0,
        /* the two "stats" calls are control-socket traffic, not ioctls */
        .ioctls = m1.ioctls - m0->ioctls,
        .ops = ops,
    };
    return c;
}

typedef struct Results {
    Cost realize, bind, unbind, inval;
    uint64_t nested;            /* nested HWPTs with every PASID bound */
} Results;

static double children_cpu_ms(void)
{
    struct rusage ru;

    getrusage(RUSAGE_CHILDREN, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

/*
 * realize + quit, @n times.  The VMM has exited when we can measure the
 * whole of it, so its CPU time is the one the kernel adds to our
 * children's once libqtest has reaped it (the VMM is our only child);
 * the ioctls are those up to "ready" (quit's own cannot be read after
 * the process is gone).
 */
static Cost realize_quit(const XVmm *vmm, unsigned n)
{
    Cost c = { .ops = n };
    gint64 t0 = g_get_monotonic_time();
    double cpu0 = children_cpu_ms();
    g_autofree char *args = g_strdup_printf(VTD_ARGS_FMT, "");

    for (unsigned i = 0; i < n; i++) {
        XSession s;

        xs_start(&s, vmm, vmm->x86_binary, sim_conf, args);
        c.ioctls += xs_stat(&s, "ioctls");
        g_free(xs_quit(&s));
    }
    c.cpu_ms = children_cpu_ms() - cpu0;
    c.wall_ms = (g_get_monotonic_time() - t0) / 1000.0;
    return c;
}

static QVTD *guest(XSession *s, const XVmm *vmm)
{
    QVTD *v = qvtd_new(s->qts, 0x1000000, 0x4000000);

    v->base = vmm->vtd_base;
    qvtd_init_qi(v, 1);
    qvtd_init_root(v);
    qvtd_set_context(v, DEVFN, 0, true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    g_assert_true(qvtd_wait(v));
    g_assert_true(qvtd_enable(v));
    return v;
}

/* PASID-selective PASID-cache invalidations for [first, first + n) */
static void flush_range(QVTD *v, uint32_t first, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        qvtd_pc_inv(v, QVTD_PC_G_PASID, (first + i) & 0xffff, first + i);
        if ((i + 1) % BIND_BATCH == 0 || i + 1 == n) {
            g_assert_true(qvtd_wait(v));
        }
    }
}

static void run(const XVmm *vmm, unsigned pasids, unsigned invals,
                Results *r)
{
    XSession s;
    QVTD *v;
    Mark m;
    uint64_t pe[8], pml4;
    g_autofree char *args = NULL, *cap = NULL;

    r->realize = realize_quit(vmm, 10);
    /* room for every PASID + RID_PASID where the VMM caps them */
    if (vmm->vtd_max_bound_pasids &&
        pasids + 1 > vmm->vtd_max_bound_pasids) {
        cap = g_strdup_printf(",%s=%u", vmm->vtd_max_bound_prop,
                              pasids + 1);
    }
    args = g_strdup_printf(VTD_ARGS_FMT, cap ? cap : "");
    xs_start(&s, vmm, vmm->x86_binary, sim_conf, args);

    v = guest(&s, vmm);
    pml4 = qvtd_fs_new(v);
    qvtd_pasid_entry_fs(pe, 0, pml4, 0);
    /* RID_PASID first (upstream binds only after it) */
    qvtd_set_pasid_entry(v, DEVFN, 0, pe);
    g_assert_true(qvtd_flush_pasid(v, 0, 0));

    /* bind PASIDs 1..N to one first-stage table (one mm, as SVA) */
    qvtd_set_pasid_entries(v, DEVFN, 1, pasids, pe, 0);
    m = mark(&s);
    flush_range(v, 1, pasids);
    r->bind = since(&s, &m, pasids);
    r->nested = xs_stat(&s, "hwpt_nested");

    /* page-selective PASID-IOTLB invalidations on PASID 1 */
    m = mark(&s);
    for (unsigned i = 0; i < invals; i++) {
        qvtd_piotlb_inv(v, QVTD_PIOTLB_G_PAGE, 1, 1,
                        0x7f0000000000ULL + (uint64_t)(i % 512) * 4096, 0,
                        false);
        if ((i + 1) % INV_BATCH == 0 || i + 1 == invals) {
            g_assert_true(qvtd_wait(v));
        }
    }
    r->inval = since(&s, &m, invals);

    /* unbind them */
    for (uint32_t p = 1; p <= pasids; p++) {
        qvtd_clear_pasid_entry(v, DEVFN, p);
    }
    m = mark(&s);
    flush_range(v, 1, pasids);
    r->unbind = since(&s, &m, pasids);

    qvtd_free(v);
    g_free(xs_quit(&s));
}

static void row(const char *op, const Cost *a, const Cost *b)
{
    double a_us = a->cpu_ms * 1000.0 / a->ops, b_us = b->cpu_ms * 1000.0 /
                  b->ops;
    double a_io = (double)a->ioctls / a->ops, b_io = (double)b->ioctls /
                  b->ops;

    printf("%-30s %8u %11.2f %11.2f %7.2f %9.2f %9.2f\n", op, a->ops, a_us,
           b_us, b_us > 0 ? a_us / b_us : 0, a_io, b_io);
}

int main(int argc, char **argv)
{
    bool quick = argc > 1 && !strcmp(argv[1], "--quick");
    unsigned pasids = quick ? 256 : 4096;
    unsigned invals = quick ? 2000 : 100000;
    const XVmm *ours = xvmm_ours(), *up;
    Results ro = { 0 }, ru = { 0 };

    xvmm_sim_lib();
    up = xvmm_upstream_or_skip();
    run(ours, pasids, invals, &ro);
    run(up, pasids, invals, &ru);

    printf("viommu-system vs upstream QEMU %s, both under the iommufd "
           "simulator;\nVMM CPU time per operation (us) from /proc/PID/stat "
           "(resolution %ld ticks/s), host ioctls per operation\n\n",
           up->version, sysconf(_SC_CLK_TCK));
    printf("%-30s %8s %11s %11s %7s %9s %9s\n", "operation", "ops",
           "ours us/op", "upst us/op", "ratio", "ours io", "upst io");
    row("realize + quit (*)", &ro.realize, &ru.realize);
    row("bind PASID (PC inv)", &ro.bind, &ru.bind);
    row("unbind PASID (PC inv)", &ro.unbind, &ru.unbind);
    row("PASID-IOTLB inv (page)", &ro.inval, &ru.inval);
    printf("\nnested HWPTs with %u PASIDs + RID_PASID bound: ours %" PRIu64
           ", upstream %" PRIu64 "\n", pasids, ro.nested, ru.nested);
    printf("(*) CPU from getrusage(RUSAGE_CHILDREN) once the VMM is "
           "reaped; ioctls up to ready\n");
    printf("realize + quit wall per run: ours %.1f ms, upstream %.1f ms\n",
           ro.realize.wall_ms / ro.realize.ops,
           ru.realize.wall_ms / ru.realize.ops);
    return 0;
}
