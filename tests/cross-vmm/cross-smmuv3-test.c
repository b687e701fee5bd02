/*
 * SMMUv3, side by side: the same guest steps (libqos/qos-smmuv3, what
 * Linux's arm-smmu-v3 driver does) against viommu-system's arm-smmuv3 and
 * upstream QEMU's emulated one on -M virt.  Upstream's accelerated
 * SMMUv3 (accel=on) needs KVM with an in-kernel irqchip and cannot run on
 * an x86 host, so the host side (vSTEs, vEVENTQ) is not compared here:
 * only what the guest sees.  Each step's outcome is recorded as a line;
 * the two VMMs' lines must match, except where a profile says the VMM
 * departs from the architecture, which is asserted on its own.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cross-vmm.h"
#include "libqos/qos-smmuv3.h"

#define RAM_BASE        0x40000000ULL
#define UNASSIGNED      0x0a800000ULL   /* nothing mapped there on virt */
#define IDR0_MSI        (1u << 13)

typedef struct Run {
    XSession s;
    QSMMUv3 q;
    GString *log;               /* "step: outcome" lines */
    uint32_t idr0;
} Run;

static void note(Run *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void note(Run *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(r->log, fmt, ap);
    va_end(ap);
    g_string_append_c(r->log, '\n');
}

static void start(Run *r, const XVmm *vmm)
{
    /* no device behind it: the simulator only has to stay out of the way */
    static const char conf[] = "[iommu]\ntype=arm-smmuv3\n";

    xs_start(&r->s, vmm, vmm->arm_binary, conf, vmm->smmu_args);
    qsmmu_init(&r->q, r->s.qts, RAM_BASE + 0x100000, 0x1000000);
    r->q.base = vmm->smmu_base;
    r->log = g_string_new(NULL);
}

static void stop(Run *r)
{
    g_autofree char *left = NULL;

    qsmmu_cleanup(&r->q);
    left = xs_quit(&r->s);
    g_assert_cmpstr(left, ==, "live 0; after close 0");
}

static void registers(Run *r)
{
    static const struct { const char *name; uint32_t off; } regs[] = {
        { "IDR1", 0x04 }, { "IDR2", 0x08 }, { "IDR3", 0x0c },
        { "IDR4", 0x10 }, { "IDR5", 0x14 }, { "IIDR", 0x18 },
        { "AIDR", 0x1c }, { "CR0", 0x20 }, { "CR0ACK", 0x24 },
        { "CR1", 0x28 }, { "CR2", 0x2c }, { "GBPA", 0x44 },
        { "IRQ_CTRL", 0x50 }, { "GERROR", 0x60 }, { "GERRORN", 0x64 },
        { "STRTAB_BASE_CFG", 0x88 }, { "CMDQ_PROD", 0x98 },
        { "CMDQ_CONS", 0x9c },
    };
    static const struct { const char *name; uint32_t off; } regs64[] = {
        { "STRTAB_BASE", 0x80 }, { "CMDQ_BASE", 0x90 },
        { "EVENTQ_BASE", 0xa0 },
    };

    r->idr0 = qsmmu_readl(&r->q, QSMMU_IDR0);
    for (unsigned i = 0; i < G_N_ELEMENTS(regs); i++) {
        note(r, "reset %s=0x%08x", regs[i].name,
             qsmmu_readl(&r->q, regs[i].off));
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(regs64); i++) {
        note(r, "reset %s=0x%016" PRIx64, regs64[i].name,
             qsmmu_readq(&r->q, regs64[i].off));
    }
}

/* The steps; each outcome is one line of the log. */
static void scenario(Run *r)
{
    uint64_t msi = qsmmu_alloc(&r->q, 8, 8), slot;
    uint32_t cons, gerror;

    registers(r);

    /* GBPA: ignored without UPDATE, taken (UPDATE reads 0) with it */
    qsmmu_writel(&r->q, QSMMU_GBPA, QSMMU_GBPA_ABORT);
    note(r, "gbpa no-update: 0x%x", qsmmu_readl(&r->q, QSMMU_GBPA));
    qsmmu_writel(&r->q, QSMMU_GBPA, QSMMU_GBPA_UPDATE | QSMMU_GBPA_ABORT);
    note(r, "gbpa update: 0x%x", qsmmu_readl(&r->q, QSMMU_GBPA));

    /* Linux's probe: linear stream table, queues, CR0 handshakes */
    note(r, "probe: %d", qsmmu_probe(&r->q, 8, false, 4));
    note(r, "cr0ack: 0x%x", qsmmu_readl(&r->q, QSMMU_CR0ACK));
    note(r, "strtab_base_cfg: 0x%x",
         qsmmu_readl(&r->q, QSMMU_STRTAB_BASE_CFG));

    /* invalidations and a sync with nothing behind the SMMU */
    qsmmu_cfgi_ste(&r->q, 3);
    qsmmu_cmd(&r->q, QSMMU_CMD_CFGI_CD | 3ULL << 32, 0);
    qsmmu_cmd(&r->q, QSMMU_CMD_TLBI_NH_ASID | 5ULL << 48, 0);
    qsmmu_cmd(&r->q, QSMMU_CMD_TLBI_NSNH_ALL, 0);
    note(r, "sync: %d gerror=0x%x", qsmmu_sync(&r->q, 0, 0),
         qsmmu_readl(&r->q, QSMMU_GERROR));

    /* CMD_SYNC with an MSI address: written iff IDR0.MSI (else wired) */
    qsmmu_sync(&r->q, QSMMU_SYNC_CS_IRQ | (uint64_t)0xcafe0001 << 32, msi);
    note(r, "sync msi written: %d",
         qtest_readl(r->s.qts, msi) == 0xcafe0001);

    /* an illegal opcode stops the queue with CERROR_ILL */
    cons = qsmmu_cmdq_cons(&r->q);
    slot = r->q.cmdq + (uint64_t)(r->q.cmdq_prod &
                                  ((1u << r->q.cmdq_log2) - 1)) * 16;
    qsmmu_cmd(&r->q, 0xff, 0);
    qsmmu_cmd(&r->q, QSMMU_CMD_SYNC, 0);
    qsmmu_cmdq_wait(&r->q);     /* fails: the error stops consumption */
    note(r, "illegal: stopped=%d",
         (qsmmu_cmdq_cons(&r->q) & 0xfffff) == (cons & 0xfffff));
    note(r, "illegal: cerror=%u", (qsmmu_cmdq_cons(&r->q) >> 24) & 0x7f);
    gerror = qsmmu_readl(&r->q, QSMMU_GERROR);
    note(r, "illegal: gerror.cmdq_err=%u",
         (gerror ^ qsmmu_readl(&r->q, QSMMU_GERRORN)) &
         QSMMU_GERROR_CMDQ_ERR);
    /* the driver replaces it and acknowledges: the queue drains */
    qtest_writeq(r->s.qts, slot, QSMMU_CMD_SYNC);
    qsmmu_writel(&r->q, QSMMU_GERRORN, gerror);
    qsmmu_cmdq_wait(&r->q);
    note(r, "recovered: drained=%d",
         (qsmmu_cmdq_cons(&r->q) & 0xfffff) == r->q.cmdq_prod);

    /* CMDQ_BASE while the queue is enabled */
    qsmmu_writeq(&r->q, QSMMU_CMDQ_BASE, UNASSIGNED | 4);
    r->q.cmdq = qsmmu_readq(&r->q, QSMMU_CMDQ_BASE) & ~0x1fULL;
    note(r, "cmdq_base while enabled: %s",
         r->q.cmdq == (UNASSIGNED & ~0x1fULL) ? "taken" : "ignored");

    /* system_reset: reset values again */
    qtest_qmp_assert_success(r->s.qts, "{'execute': 'system_reset'}");
    note(r, "after reset: gbpa=0x%x cr0ack=0x%x gerror=0x%x",
         qsmmu_readl(&r->q, QSMMU_GBPA), qsmmu_readl(&r->q, QSMMU_CR0ACK),
         qsmmu_readl(&r->q, QSMMU_GERROR));

    /* a command queue outside RAM: the fetch aborts (CERROR_ABT, 2) */
    qsmmu_writeq(&r->q, QSMMU_CMDQ_BASE, UNASSIGNED | 4);
    note(r, "abort: enabled=%d", qsmmu_write_cr0(&r->q, QSMMU_CR0_CMDQEN));
    r->q.cmdq_log2 = 4;
    r->q.cmdq_prod = 1;
    qsmmu_writel(&r->q, QSMMU_CMDQ_PROD, 1);
    qsmmu_cmdq_wait(&r->q);
    note(r, "abort: cons=0x%x gerror.cmdq_err=%u", qsmmu_cmdq_cons(&r->q),
         qsmmu_readl(&r->q, QSMMU_GERROR) & QSMMU_GERROR_CMDQ_ERR);

    /* a 2-level stream table, as Linux uses for wide StreamIDs */
    qtest_qmp_assert_success(r->s.qts, "{'execute': 'system_reset'}");
    note(r, "probe 2-level: %d", qsmmu_probe(&r->q, 16, true, 4));
    note(r, "strtab_base_cfg 2-level: 0x%x",
         qsmmu_readl(&r->q, QSMMU_STRTAB_BASE_CFG));
    qsmmu_cfgi_ste(&r->q, 0x1234);
    note(r, "2-level sync: %d gerror=0x%x", qsmmu_sync(&r->q, 0, 0),
         qsmmu_readl(&r->q, QSMMU_GERROR));
}

/* Lines of @log that do not start with one of @skip (NULL-terminated) */
static char *without(const char *log, const char *const *skip)
{
    g_auto(GStrv) lines = g_strsplit(log, "\n", -1);
    GString *out = g_string_new(NULL);

    for (int i = 0; lines[i]; i++) {
        bool drop = !*lines[i];

        for (int j = 0; skip[j] && !drop; j++) {
            drop = g_str_has_prefix(lines[i], skip[j]);
        }
        if (!drop) {
            g_string_append_printf(out, "%s\n", lines[i]);
        }
    }
    return g_string_free(out, FALSE);
}

static bool has_line(const char *log, const char *line)
{
    g_autofree char *hay = g_strdup_printf("\n%s", log);
    g_autofree char *needle = g_strdup_printf("\n%s\n", line);

    return strstr(hay, needle) != NULL;
}

static void check_own(const XVmm *vmm, Run *r)
{
    const char *log = r->log->str;

    g_test_message("%s %s: IDR0 0x%08x\n%s", vmm->name, vmm->version,
                   r->idr0, log);
    /* what the architecture requires, on every VMM */
    g_assert_true(has_line(log, "gbpa no-update: 0x1000"));
    g_assert_true(has_line(log, "gbpa update: 0x100000"));
    g_assert_true(has_line(log, "probe: 1"));
    g_assert_true(has_line(log, "sync: 1 gerror=0x0"));
    g_assert_true(has_line(log, "illegal: stopped=1"));
    g_assert_true(has_line(log, "illegal: gerror.cmdq_err=1"));
    g_assert_true(has_line(log, "recovered: drained=1"));
    g_assert_true(has_line(log, "after reset: gbpa=0x1000 cr0ack=0x0 "
                           "gerror=0x0"));
    g_assert_true(has_line(log, "abort: cons=0x2000000 gerror.cmdq_err=1"));
    g_assert_true(has_line(log, "probe 2-level: 1"));
    g_assert_true(has_line(log, "2-level sync: 1 gerror=0x0"));
    /* MSI from CMD_SYNC exactly when IDR0 says MSIs are supported */
    g_assert_true(has_line(log, r->idr0 & IDR0_MSI ? "sync msi written: 1"
                                                   : "sync msi written: 0"));
    /* where a profile records a departure from the spec */
    {
        g_autofree char *cerror = g_strdup_printf("illegal: cerror=%u",
                                                  vmm->smmu_cerror_ill);
        g_assert_true(has_line(log, cerror));
        g_assert_true(has_line(log, vmm->smmu_cmdq_base_locked ?
                               "cmdq_base while enabled: ignored" :
                               "cmdq_base while enabled: taken"));
    }
}

static void test_side_by_side(void)
{
    const XVmm *a = xvmm_ours(), *b = xvmm_upstream_or_skip();
    static const char *const differ[] = {
        "illegal: cerror", "cmdq_base while enabled", "sync msi written",
        NULL,
    };
    Run ra = { 0 }, rb = { 0 };
    g_autofree char *la = NULL, *lb = NULL;

    start(&ra, a);
    scenario(&ra);
    check_own(a, &ra);
    stop(&ra);
    start(&rb, b);
    scenario(&rb);
    check_own(b, &rb);
    stop(&rb);

    /* IDR0: equal but for the bits each profile says it alone sets */
    g_assert_cmphex(ra.idr0 & ~rb.idr0, ==, a->smmu_idr0_only);
    g_assert_cmphex(rb.idr0 & ~ra.idr0, ==, b->smmu_idr0_only);
    /* the rest, step by step */
    la = without(ra.log->str, differ);
    lb = without(rb.log->str, differ);
    g_assert_cmpstr(la, ==, lb);
    /* spec: ours keeps to it where the profiles say upstream does not */
    g_assert_true(a->smmu_cmdq_base_locked);
    g_assert_cmpuint(a->smmu_cerror_ill, ==, 1);
    g_string_free(ra.log, TRUE);
    g_string_free(rb.log, TRUE);
}

/*
 * A passthrough device behind each VMM's SMMUv3.  Behind the emulated
 * model both refuse it (neither shadows a guest's mappings for a host
 * device); with accel=on ours realizes and binds it, while upstream
 * refuses accel=on without KVM -- which is why its accelerated path
 * (vSTEs, vEVENTQ) is not compared on this host.
 */
static const char passthrough_conf[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "nesting=true\n"
    "[device 0000:02:00.0]\n"
    "stream-id=0x10\n";

#define VFIO_DEV "-object iommufd,id=iommufd0 " \
                 "-device vfio-pci,host=0000:02:00.0,iommufd=iommufd0"

static void passthrough_case(const XVmm *vmm)
{
    g_autofree char *emulated = g_strdup_printf("%s " VFIO_DEV,
                                                vmm->smmu_args);
    g_autofree char *accel = g_strdup_printf("%s,accel=on " VFIO_DEV,
                                             vmm->smmu_args);
    g_autofree char *err = xvmm_refusal(vmm, vmm->arm_binary,
                                        passthrough_conf, emulated);

    g_test_message("%s, emulated SMMUv3 + vfio-pci: %s", vmm->name,
                   err ? err : "(realized)");
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, vmm->smmu_emulated_vfio_refusal));
    g_clear_pointer(&err, g_free);

    if (vmm->smmu_accel_refusal) {
        err = xvmm_refusal(vmm, vmm->arm_binary, passthrough_conf, accel);
        g_test_message("%s, accel=on + vfio-pci: %s", vmm->name,
                       err ? err : "(realized)");
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err, vmm->smmu_accel_refusal));
    } else {
        XSession s;
        g_autofree char *dev = NULL, *left = NULL;

        xs_start(&s, vmm, vmm->arm_binary, passthrough_conf, accel);
        dev = xs_data(&s, "devices");
        g_test_message("%s, accel=on + vfio-pci: %s", vmm->name, dev);
        g_assert_null(strstr(dev, "devid=0"));
        left = xs_quit(&s);
        g_assert_cmpstr(left, ==, "live 0; after close 0");
    }
}

static void test_passthrough(void)
{
    passthrough_case(xvmm_ours());
    passthrough_case(xvmm_upstream_or_skip());
}

int main(int argc, char **argv)
{
    xvmm_ours();
    xvmm_sim_lib();
    xvmm_upstream_or_skip();

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cross-vmm/smmuv3/side-by-side", test_side_by_side);
    g_test_add_func("/cross-vmm/smmuv3/passthrough", test_passthrough);
    return g_test_run();
}
