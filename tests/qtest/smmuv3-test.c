/*
 * arm-smmuv3 without passthrough devices: register defaults, property
 * refusals, the device tree node, CR0/CR0ACK, GBPA, IRQ_CTRL, the
 * command queue (CMD_SYNC with wired and MSI completion, errors in
 * CMDQ_CONS.ERR and GERROR, resuming after GERRORN).
 */
#include <string.h>
#include <glib/gstdio.h>
#include "libqtest.h"
#include "libqos/qos-smmuv3.h"

#define RAM_BASE        0x40000000ULL
#define SMMU_ARGS       "-M virt -device arm-smmuv3,primary-bus=pcie.0,id=smmu0"
#define UNASSIGNED      0x0a800000ULL

static QTestState *start_smmu(QSMMUv3 *s, const char *extra)
{
    QTestState *qts = qtest_initf("%s %s", SMMU_ARGS, extra ? extra : "");

    qsmmu_init(s, qts, RAM_BASE + 0x100000, 0x1000000);
    qtest_irq_intercept_in(qts, "gic");
    return qts;
}

static void test_defaults(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);
    uint32_t idr0 = qsmmu_readl(&s, QSMMU_IDR0);
    uint32_t idr1 = qsmmu_readl(&s, QSMMU_IDR1);

    /* S1P, TTF AArch64, COHACC, ASID16, MSI, TTENDIAN LE */
    g_assert_cmphex(idr0 & 0x3, ==, 0x2);
    g_assert_cmphex((idr0 >> 2) & 3, ==, 2);
    g_assert_true(idr0 & (1u << 4));
    g_assert_true(idr0 & (1u << 12));
    g_assert_true(idr0 & (1u << 13));
    g_assert_cmphex((idr0 >> 21) & 3, ==, 2);
    /* no ATS/PRI without accel; terminate-only stalls; 2-level tables */
    g_assert_false(idr0 & (1u << 10));
    g_assert_false(idr0 & (1u << 16));
    g_assert_cmphex((idr0 >> 24) & 3, ==, 1);
    g_assert_cmphex((idr0 >> 27) & 3, ==, 1);
    g_assert_cmpuint(idr1 & 0x3f, ==, 16);             /* SIDSIZE */
    g_assert_cmpuint((idr1 >> 6) & 0x1f, ==, 0);       /* SSIDSIZE */
    g_assert_cmpuint((idr1 >> 16) & 0x1f, ==, 19);     /* EVENTQS */
    g_assert_cmpuint((idr1 >> 21) & 0x1f, ==, 19);     /* CMDQS */
    g_assert_true(qsmmu_readl(&s, QSMMU_IDR3) & (1u << 10));   /* RIL */
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_IDR5), ==, 0x74);    /* OAS 44 */
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_AIDR), ==, 1);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_CR0), ==, 0);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_CR0ACK), ==, 0);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GBPA), ==, 0x1000);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GERROR), ==, 0);
    g_assert_cmphex(qsmmu_readq(&s, QSMMU_CMDQ_BASE), ==, 19);
    g_assert_cmphex(qsmmu_readq(&s, QSMMU_EVENTQ_BASE), ==, 19);
    /* RAZ/WI: an unimplemented offset */
    qsmmu_writel(&s, 0x100, 0xffffffff);
    g_assert_cmphex(qsmmu_readl(&s, 0x100), ==, 0);
    /* ID registers are read-only */
    qsmmu_writel(&s, QSMMU_IDR0, 0);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_IDR0), ==, idr0);
    qtest_quit(qts);
}

static void test_page1_alias(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);

    /* Page 0 0xa8/0xac alias the Page 1 EVENTQ_PROD/CONS */
    qsmmu_writel(&s, QSMMU_EVENTQ_CONS, 0x5);
    g_assert_cmphex(qsmmu_readl(&s, 0xac), ==, 0x5);
    qsmmu_writel(&s, 0xa8, 0x3);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_EVENTQ_PROD), ==, 0x3);
    /* 64-bit registers by halves */
    qsmmu_writel(&s, QSMMU_STRTAB_BASE, 0x40001000);
    qsmmu_writel(&s, QSMMU_STRTAB_BASE + 4, 0x1);
    g_assert_cmphex(qsmmu_readq(&s, QSMMU_STRTAB_BASE), ==, 0x140001000ULL);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_STRTAB_BASE + 4), ==, 0x1);
    qtest_quit(qts);
}

static void test_cr0_irq_gbpa(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);

    g_assert_true(qsmmu_write_cr0(&s, QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN));
    /* PRIQEN is not implemented (IDR0.PRI == 0): RES0 */
    qsmmu_writel(&s, QSMMU_CR0, 0x2);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_CR0ACK), ==, 0);
    qsmmu_writel(&s, QSMMU_IRQ_CTRL, 0x7);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_IRQ_CTRLACK), ==, 0x5);
    /* IRQ_CFG* are locked while their interrupt is enabled */
    qsmmu_writel(&s, QSMMU_EVENTQ_IRQ_CFG1, 0x1234);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_EVENTQ_IRQ_CFG1), ==, 0);
    qsmmu_writel(&s, QSMMU_IRQ_CTRL, 0);
    qsmmu_writel(&s, QSMMU_EVENTQ_IRQ_CFG1, 0x1234);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_EVENTQ_IRQ_CFG1), ==, 0x1234);
    /* GBPA: ignored without UPDATE; UPDATE reads back clear */
    qsmmu_writel(&s, QSMMU_GBPA, QSMMU_GBPA_ABORT);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GBPA), ==, 0x1000);
    qsmmu_writel(&s, QSMMU_GBPA, QSMMU_GBPA_UPDATE | QSMMU_GBPA_ABORT);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GBPA), ==, QSMMU_GBPA_ABORT);
    /* system_reset restores the defaults */
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GBPA), ==, 0x1000);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_CR0ACK), ==, 0);
    qtest_quit(qts);
}

static void test_cmdq_sync(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);
    uint64_t msi = qsmmu_alloc(&s, 8, 8);
    unsigned before;

    g_assert_true(qsmmu_probe(&s, 8, false, 4));
    /* CS=SIG_IRQ without MSI address: the wired CMD_SYNC line */
    before = qtest_get_irq_count(qts, QSMMU_SPI_CMD_SYNC);
    g_assert_true(qsmmu_sync(&s, QSMMU_SYNC_CS_IRQ, 0));
    g_assert_cmpuint(qtest_get_irq_count(qts, QSMMU_SPI_CMD_SYNC), ==,
                     before + 1);
    /*
     * With an MSI address: MSIData written there, and the wired line
     * pulses all the same (IHI0070 4.7.3: whatever MSIAddress holds)
     */
    g_assert_true(qsmmu_sync(&s, QSMMU_SYNC_CS_IRQ |
                             (uint64_t)0xcafe0001 << 32, msi));
    g_assert_cmphex(qtest_readl(qts, msi), ==, 0xcafe0001);
    g_assert_cmpuint(qtest_get_irq_count(qts, QSMMU_SPI_CMD_SYNC), ==,
                     before + 2);
    /* CS=NONE and CS=SEV: no interrupt at all */
    g_assert_true(qsmmu_sync(&s, 0, msi));
    g_assert_true(qsmmu_sync(&s, 2ULL << 12, 0));
    g_assert_cmpuint(qtest_get_irq_count(qts, QSMMU_SPI_CMD_SYNC), ==,
                     before + 2);
    /* Invalidations with no passthrough device complete as well */
    qsmmu_cmd(&s, QSMMU_CMD_TLBI_NH_ASID | 5ULL << 48, 0);
    qsmmu_cmd(&s, QSMMU_CMD_TLBI_NSNH_ALL, 0);
    qsmmu_cmd(&s, QSMMU_CMD_CFGI_CD | 8ULL << 32, 0);
    g_assert_true(qsmmu_sync(&s, 0, 0));
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GERROR), ==, 0);
    qsmmu_cleanup(&s);
    qtest_quit(qts);
}

static void test_cmdq_error(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);
    uint32_t cons, gerror;
    unsigned girq;
    uint64_t slot;

    g_assert_true(qsmmu_probe(&s, 8, false, 4));
    girq = qtest_get_irq_count(qts, QSMMU_SPI_GERROR);
    cons = qsmmu_cmdq_cons(&s);
    slot = s.cmdq + (uint64_t)(s.cmdq_prod & 0xff) * 16;
    /* An illegal opcode, then a sync that must wait behind it */
    qsmmu_cmd(&s, 0xff, 0);
    qsmmu_cmd(&s, QSMMU_CMD_SYNC, 0);
    g_assert_false(qsmmu_cmdq_wait(&s));        /* stopped by the error */
    g_assert_cmphex(qsmmu_cmdq_cons(&s) & 0xfffff, ==, cons);
    g_assert_cmphex((qsmmu_cmdq_cons(&s) >> 24) & 0x7f, ==, 1); /* ILL */
    gerror = qsmmu_readl(&s, QSMMU_GERROR);
    g_assert_cmphex(gerror & QSMMU_GERROR_CMDQ_ERR, ==, QSMMU_GERROR_CMDQ_ERR);
    g_assert_cmpuint(qtest_get_irq_count(qts, QSMMU_SPI_GERROR), ==, girq + 1);
    /* A second error while active is not logged again */
    qsmmu_writel(&s, QSMMU_CMDQ_PROD, s.cmdq_prod);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GERROR), ==, gerror);

    /* The driver replaces the bad command and acknowledges */
    qtest_writeq(qts, slot, QSMMU_CMD_SYNC);
    qsmmu_writel(&s, QSMMU_GERRORN, gerror);
    g_assert_true(qsmmu_cmdq_wait(&s));
    g_assert_cmphex(qsmmu_cmdq_cons(&s) & 0xfffff, ==, s.cmdq_prod);

    /* PRI_RESP with IDR0.PRI == 0 is illegal as well */
    qsmmu_cmd(&s, QSMMU_CMD_PRI_RESP, 0);
    g_assert_false(qsmmu_cmdq_wait(&s));
    g_assert_cmphex((qsmmu_cmdq_cons(&s) >> 24) & 0x7f, ==, 1);
    g_assert_true((qsmmu_readl(&s, QSMMU_GERROR) ^
                   qsmmu_readl(&s, QSMMU_GERRORN)) & QSMMU_GERROR_CMDQ_ERR);
    qsmmu_cleanup(&s);
    qtest_quit(qts);
}

static void test_cmdq_abort(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);

    /* A command queue outside RAM: the fetch aborts (CERROR_ABT) */
    qsmmu_writeq(&s, QSMMU_CMDQ_BASE, UNASSIGNED | 4);
    g_assert_true(qsmmu_write_cr0(&s, QSMMU_CR0_CMDQEN));
    s.cmdq_log2 = 4;
    s.cmdq_prod = 1;
    qsmmu_writel(&s, QSMMU_CMDQ_PROD, 1);
    g_assert_false(qsmmu_cmdq_wait(&s));
    g_assert_cmphex((qsmmu_cmdq_cons(&s) >> 24) & 0x7f, ==, 2);
    g_assert_cmphex(qsmmu_cmdq_cons(&s) & 0xfffff, ==, 0);
    g_assert_true(qsmmu_readl(&s, QSMMU_GERROR) & QSMMU_GERROR_CMDQ_ERR);
    /* Base writes while the queue is enabled are ignored */
    qsmmu_writeq(&s, QSMMU_CMDQ_BASE, RAM_BASE | 4);
    g_assert_cmphex(qsmmu_readq(&s, QSMMU_CMDQ_BASE), ==, UNASSIGNED | 4);
    qtest_quit(qts);
}

/*
 * A large command queue: 2^17 slots, @n commands written with one PROD
 * write (CFGI_STE, an illegal opcode at @bad if it is below @n, and a
 * CMD_SYNC with an MSI to @msi last).
 */
#define BIG_LOG2        17
#define BIG_MSI_DATA    0xcafe0042u

static void big_queue_fill(QSMMUv3 *s, uint32_t n, uint32_t bad, uint64_t msi)
{
    g_autofree uint64_t *buf = g_new0(uint64_t, 2 * (size_t)n);

    g_assert_true(qsmmu_write_cr0(s, QSMMU_CR0_EVENTQEN | QSMMU_CR0_SMMUEN));
    qsmmu_setup_cmdq(s, BIG_LOG2);
    g_assert_true(qsmmu_write_cr0(s, QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN |
                                     QSMMU_CR0_SMMUEN));
    for (uint32_t i = 0; i + 1 < n; i++) {
        buf[2 * i] = GUINT64_TO_LE(QSMMU_CMD_CFGI_STE |
                                 (uint64_t)(i & 0xff) << 32);
        buf[2 * i + 1] = GUINT64_TO_LE(1);
    }
    if (bad < n) {
        buf[2 * bad] = GUINT64_TO_LE(0xff);
        buf[2 * bad + 1] = 0;
    }
    buf[2 * (n - 1)] = GUINT64_TO_LE(QSMMU_CMD_SYNC | QSMMU_SYNC_CS_IRQ |
                                   (uint64_t)BIG_MSI_DATA << 32);
    buf[2 * (n - 1) + 1] = GUINT64_TO_LE(msi);
    qtest_memwrite(s->qts, s->cmdq, buf, 16 * (size_t)n);
    s->cmdq_prod = n;
}

static uint32_t reply_value(QTestState *qts)
{
    g_autofree char *line = qtest_recv_line(qts);

    g_assert_true(g_str_has_prefix(line, "OK"));
    return line[2] ? strtoul(line + 3, NULL, 0) : 0;
}

/*
 * One PROD write handing over 2^17 - 1 commands returns before they are
 * consumed: the reads pipelined behind it in the same qtest input (run
 * back to back, with no main-loop iteration between them) see CONS and
 * the sync's MSI untouched.  QMP issued meanwhile is answered, and the
 * queue then drains from the main loop with the sync completing last.
 */
static void test_cmdq_large(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);
    uint32_t n = (1u << BIG_LOG2) - 1;
    uint64_t msi;
    uint32_t cons, seen, last;
    gint64 t0;
    g_autoptr(JsonObject) rsp = NULL;

    g_assert_true(qsmmu_probe(&s, 8, false, 4));
    msi = qsmmu_alloc(&s, 4, 4);
    big_queue_fill(&s, n, UINT32_MAX, msi);

    qtest_sendf_raw(qts, "writel 0x%" PRIx64 " 0x%x\n"
                    "readl 0x%" PRIx64 "\nreadl 0x%" PRIx64 "\n",
                    s.base + QSMMU_CMDQ_PROD, n,
                    s.base + QSMMU_CMDQ_CONS, msi);
    t0 = g_get_monotonic_time();
    qtest_qmp_send(qts, "{'execute': 'query-status'}");
    reply_value(qts);
    cons = reply_value(qts);
    g_assert_cmphex(cons, ==, 0);               /* nothing consumed yet */
    g_assert_cmphex(reply_value(qts), ==, 0);   /* the sync not complete */
    rsp = qtest_qmp_receive(qts);
    g_assert_true(json_object_has_member(rsp, "return"));
    cons = qsmmu_cmdq_cons(&s);
    g_test_message("QMP answered after %" PRId64 " us, CONS then 0x%x of 0x%x",
                   g_get_monotonic_time() - t0, cons, n);

    /* CONS only moves forward, and reaches PROD: the sync last. */
    last = cons;
    seen = 0;
    while (cons != n) {
        /* The MSI first: once it is written, CONS must be past the sync. */
        bool completed = qtest_readl(qts, msi) == BIG_MSI_DATA;

        cons = qsmmu_cmdq_cons(&s);
        g_assert_cmphex(cons & 0xfffff, >=, last);
        if (completed) {
            g_assert_cmphex(cons, ==, n);
        }
        seen += cons != last && cons != n;
        last = cons;
        g_assert_cmpuint(seen, <=, n);
    }
    g_test_message("%u intermediate CONS values seen", seen);
    g_assert_cmphex(qtest_readl(qts, msi), ==, BIG_MSI_DATA);
    g_assert_cmphex(qsmmu_readl(&s, QSMMU_GERROR), ==, 0);
    qsmmu_cleanup(&s);
    qtest_quit(qts);
}

/*
 * An illegal command deep in a large queue still stops consumption on
 * it, with CMDQ_CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR, and the sync
 * behind it never completes until the guest fixes it and acknowledges.
 */
static void test_cmdq_large_error(void)
{
    QSMMUv3 s;
    QTestState *qts = start_smmu(&s, NULL);
    uint32_t n = (1u << BIG_LOG2) - 1, bad = 70001;
    uint64_t msi, slot;
    uint32_t cons, gerror;

    g_assert_true(qsmmu_probe(&s, 8, false, 4));
    msi = qsmmu_alloc(&s, 4, 4);
    big_queue_fill(&s, n, bad, msi);
    qsmmu_writel(&s, QSMMU_CMDQ_PROD, n);
    g_assert_false(qsmmu_cmdq_wait(&s));
    cons = qsmmu_cmdq_cons(&s);
    g_assert_cmphex(cons & 0xfffff, ==, bad);
    g_assert_cmphex((cons >> 24) & 0x7f, ==, 1);        /* CERROR_ILL */
    gerror = qsmmu_readl(&s, QSMMU_GERROR);
    g_assert_cmphex(gerror & QSMMU_GERROR_CMDQ_ERR, ==, QSMMU_GERROR_CMDQ_ERR);
    g_assert_cmphex(qtest_readl(qts, msi), ==, 0);

    /* Fixed and acknowledged: the rest drains and the sync completes. */
    slot = s.cmdq + (uint64_t)bad * 16;
    qtest_writeq(qts, slot, QSMMU_CMD_SYNC);
    qsmmu_writel(&s, QSMMU_GERRORN, gerror);
    g_assert_true(qsmmu_cmdq_wait(&s));
    g_assert_cmphex(qsmmu_cmdq_cons(&s) & 0xfffff, ==, n);
    g_assert_cmphex(qtest_readl(qts, msi), ==, BIG_MSI_DATA);
    qsmmu_cleanup(&s);
    qtest_quit(qts);
}

typedef struct Refusal {
    const char *args;
    const char *message;
} Refusal;

static const Refusal refusals[] = {
    { "-M virt -device arm-smmuv3", "'primary-bus' is required" },
    { "-M virt -device arm-smmuv3,primary-bus=nope", "is not a PCI bus" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,ril=off",
      "ril=off requires accel=on" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,ats=on",
      "ats=on requires accel=on" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,oas=48",
      "oas=48 requires accel=on" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,ssidsize=8",
      "ssidsize=8 requires accel=on" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,accel=on,oas=40",
      "oas=40 is not supported" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,accel=on,stage=2",
      "supports only stage=1" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,stage=3",
      "invalid stage" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0,ssidsize=21",
      "ssidsize" },
    { "-M virt -device arm-smmuv3,primary-bus=pcie.0 "
      "-device arm-smmuv3,primary-bus=pcie.0", "already has an IOMMU" },
    { "-M q35 -device arm-smmuv3,primary-bus=pcie.0",
      "only the virt machine" },
};

static void test_refusals(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(refusals); i++) {
        g_autofree char *err = NULL;
        int status = -1;

        g_assert_true(qtest_run_binary(refusals[i].args, &status, &err));
        if (status != 1 || !strstr(err, refusals[i].message)) {
            g_test_message("%s: status %d, stderr: %s", refusals[i].args,
                           status, err);
        }
        g_assert_cmpint(status, ==, 1);
        g_assert_nonnull(strstr(err, refusals[i].message));
    }
}

static bool blob_has(const char *data, gsize len, const char *what)
{
    return memmem(data, len, what, strlen(what)) != NULL;
}

static void test_dtb(void)
{
    g_autofree char *dir = g_dir_make_tmp("smmuv3-dtb-XXXXXX", NULL);
    g_autofree char *dtb = g_build_filename(dir, "virt.dtb", NULL);
    g_autofree char *args = g_strdup_printf("-M virt,dumpdtb=%s "
                                            "-device arm-smmuv3,"
                                            "primary-bus=pcie.0", dtb);
    g_autofree char *data = NULL;
    gsize len = 0;
    int status = -1;

    g_assert_true(qtest_run_binary(args, &status, NULL));
    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_file_get_contents(dtb, &data, &len, NULL));
    /* The strings are in the blob; a full parse is dtc's job. */
    g_assert_true(blob_has(data, len, "smmuv3@9050000"));
    g_assert_true(blob_has(data, len, "arm,smmu-v3"));
    g_assert_true(blob_has(data, len, "iommu-map"));
    g_assert_true(blob_has(data, len, "cmdq-sync"));
    g_unlink(dtb);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/smmuv3/defaults", test_defaults);
    g_test_add_func("/smmuv3/page1-alias", test_page1_alias);
    g_test_add_func("/smmuv3/cr0-irq-gbpa", test_cr0_irq_gbpa);
    g_test_add_func("/smmuv3/cmdq/sync", test_cmdq_sync);
    g_test_add_func("/smmuv3/cmdq/error", test_cmdq_error);
    g_test_add_func("/smmuv3/cmdq/abort", test_cmdq_abort);
    g_test_add_func("/smmuv3/cmdq/large", test_cmdq_large);
    g_test_add_func("/smmuv3/cmdq/large-error", test_cmdq_large_error);
    g_test_add_func("/smmuv3/refusals", test_refusals);
    g_test_add_func("/smmuv3/dtb", test_dtb);
    return g_test_run();
}
