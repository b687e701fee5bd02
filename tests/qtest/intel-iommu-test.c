/*
 * intel-iommu without passthrough devices: register defaults for several
 * property sets, the property combinations that are refused, and the
 * invalidation queue's error state and interrupts as a guest sees them.
 *
 * Expected CAP/ECAP values are built here from the VT-d spec's bit
 * positions (11.4.2, 11.4.3), independently of the model's headers.
 */
#include <string.h>

#include "libqtest.h"
#include "libqos/qos-intel-iommu.h"

#define CAP_ND_16BIT    (6ULL << 0)
#define CAP_CM          (1ULL << 7)
#define CAP_SAGAW_39    (2ULL << 8)
#define CAP_SAGAW_48    (4ULL << 8)
#define CAP_MGAW(aw)    ((uint64_t)((aw) - 1) << 16)
#define CAP_FRO_0x220   ((0x220ULL >> 4) << 24)
#define CAP_SSLPS       (3ULL << 34)
#define CAP_PSI         (1ULL << 39)
#define CAP_MAMV_18     (18ULL << 48)
#define CAP_DWD         (1ULL << 54)
#define CAP_DRD         (1ULL << 55)
#define CAP_FS1GP       (1ULL << 56)
#define CAP_ESRTPS      (1ULL << 63)

#define ECAP_QI         (1ULL << 1)
#define ECAP_DT         (1ULL << 2)
#define ECAP_PT         (1ULL << 6)
#define ECAP_SC         (1ULL << 7)
#define ECAP_IRO_0xF0   ((0xf0ULL >> 4) << 8)
#define ECAP_NEST       (1ULL << 26)
#define ECAP_PRS        (1ULL << 29)
#define ECAP_SRS        (1ULL << 31)
#define ECAP_NWFS       (1ULL << 33)
#define ECAP_PSS(n)     ((uint64_t)((n) - 1) << 35)
#define ECAP_PASID      (1ULL << 40)
#define ECAP_PDS        (1ULL << 42)
#define ECAP_SMTS       (1ULL << 43)
#define ECAP_SSTS       (1ULL << 46)
#define ECAP_FSTS       (1ULL << 47)

#define CAP_BASE (CAP_ND_16BIT | CAP_SAGAW_39 | CAP_SAGAW_48 | CAP_MGAW(48) | \
                  CAP_FRO_0x220 | CAP_PSI | CAP_MAMV_18 | CAP_DWD | CAP_DRD | \
                  CAP_ESRTPS)
#define ECAP_BASE (ECAP_QI | ECAP_PT | ECAP_IRO_0xF0)

#define FAULT_VEC       0x40
#define INV_VEC         0x41

typedef struct RegCase {
    const char *props;
    uint32_t ver;
    uint64_t cap;
    uint64_t ecap;
    bool prs;
} RegCase;

static const RegCase reg_cases[] = {
    { "", 0x10, CAP_BASE | CAP_SSLPS, ECAP_BASE, false },
    { ",aw-bits=39,caching-mode=on",
      0x10, (CAP_BASE & ~(CAP_SAGAW_48 | CAP_MGAW(48))) | CAP_MGAW(39) |
            CAP_SSLPS | CAP_CM, ECAP_BASE, false },
    { ",x-scalable-mode=on", 0x30, CAP_BASE | CAP_SSLPS,
      ECAP_BASE | ECAP_SMTS | ECAP_SSTS | ECAP_SRS, false },
    { ",x-scalable-mode=on,x-flts=on", 0x30, CAP_BASE | CAP_FS1GP,
      ECAP_BASE | ECAP_SMTS | ECAP_FSTS, false },
    { ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20", 0x30,
      CAP_BASE | CAP_FS1GP,
      ECAP_BASE | ECAP_SMTS | ECAP_FSTS | ECAP_PASID | ECAP_PSS(20) |
      ECAP_PRS | ECAP_PDS | ECAP_NWFS | ECAP_DT, true },
    /* the 2026 names */
    { ",scalable-mode=on,fsts=on,pasid-bits=16,fs1gp=off,device-iotlb=on,"
      "snoop-control=on", 0x30, CAP_BASE,
      ECAP_BASE | ECAP_SMTS | ECAP_FSTS | ECAP_PASID | ECAP_PSS(16) |
      ECAP_DT | ECAP_SC, false },
    { ",scalable-mode=on,flts=on,svm=on,pasid-bits=8", 0x30,
      CAP_BASE | CAP_FS1GP,
      ECAP_BASE | ECAP_SMTS | ECAP_FSTS | ECAP_PASID | ECAP_PSS(8) |
      ECAP_PRS | ECAP_PDS | ECAP_NWFS | ECAP_DT, true },
    /* upstream's form: svm with device-iotlb, and caching mode */
    { ",scalable-mode=on,fsts=on,svm=on,device-iotlb=on,pasid-bits=20,"
      "caching-mode=on", 0x30, CAP_BASE | CAP_FS1GP | CAP_CM,
      ECAP_BASE | ECAP_SMTS | ECAP_FSTS | ECAP_PASID | ECAP_PSS(20) |
      ECAP_PRS | ECAP_PDS | ECAP_NWFS | ECAP_DT, true },
};

static QTestState *start(const char *props)
{
    return qtest_initf("-M q35 -m 256M -nodefaults -display none "
                       "-device intel-iommu%s", props);
}

static void test_reg_defaults(const void *opaque)
{
    const RegCase *c = opaque;
    QTestState *qts = start(c->props);
    QVTD *v = qvtd_new(qts, 0x1000000, 0x100000);
    uint64_t ecap = qvtd_readq(v, QVTD_ECAP);

    g_test_message("props '%s': cap 0x%" PRIx64 " ecap 0x%" PRIx64, c->props,
                   qvtd_readq(v, QVTD_CAP), ecap);
    g_assert_cmphex(qvtd_readl(v, QVTD_VER), ==, c->ver);
    g_assert_cmphex(qvtd_readq(v, QVTD_CAP), ==, c->cap);
    g_assert_cmphex(ecap, ==, c->ecap);
    /* 4-byte halves of the 64-bit registers read the same bits */
    g_assert_cmphex(qvtd_readl(v, QVTD_ECAP + 4), ==, ecap >> 32);
    /* ECAP.NEST needs SSTS, which an fsts unit does not expose */
    g_assert_false((ecap & ECAP_NEST) && !(ecap & ECAP_SSTS));
    /* PT belongs to ECAP (an upstream version put it into CAP) */
    g_assert_cmphex(qvtd_readq(v, QVTD_CAP) & ECAP_PT, ==, 0);

    g_assert_cmphex(qvtd_readl(v, QVTD_GCMD), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_GSTS), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_RTADDR), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_FECTL), ==, QVTD_CTL_IM);
    g_assert_cmphex(qvtd_readl(v, QVTD_IECTL), ==, QVTD_CTL_IM);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQH), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQT), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQA), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_ICS), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_PRS), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_PQA), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_PECTL), ==, c->prs ? QVTD_CTL_IM : 0);

    /* Page request registers are RsvdZ without ECAP.PRS */
    qvtd_writeq(v, QVTD_PQA, 0x123000 | 2);
    qvtd_writel(v, QVTD_PEDATA, 0xffffffff);
    g_assert_cmphex(qvtd_readq(v, QVTD_PQA), ==, c->prs ? 0x123002 : 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_PEDATA), ==, c->prs ? 0xffff : 0);

    /* RO registers ignore writes */
    qvtd_writeq(v, QVTD_CAP, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_CAP), ==, c->cap);
    qvtd_free(v);
    qtest_quit(qts);
}

typedef struct Refusal {
    const char *props;
    const char *message;
} Refusal;

static const Refusal refusals[] = {
    { "x-flts=on", "requires scalable-mode=on" },
    { "fsts=on", "requires scalable-mode=on" },
    { "pasid=8", "requires scalable-mode=on" },
    { "x-scalable-mode=on,svm=on,pasid=20", "svm=on requires fsts=on" },
    { "x-scalable-mode=on,x-flts=on,svm=on", "svm=on requires fsts=on" },
    { "x-scalable-mode=on,x-flts=on,pasid=21", "range [0, 20]" },
    { "pasid-bits=255", "range [0, 20]" },
    { "aw-bits=40", "aw-bits must be 39 or 48" },
    { "x-scalable-mode=on,x-flts=on,aw-bits=39", "requires aw-bits=48" },
    { "x-scalable-mode=on,dma-drain=off", "requires dma-drain=on" },
};

static void test_refusal(const void *opaque)
{
    const Refusal *r = opaque;
    g_autofree char *args = g_strdup_printf("-M q35 -nodefaults -display none "
                                            "-device intel-iommu,%s",
                                            r->props);
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(args, &status, &err));
    g_test_message("'%s' -> %d: %s", r->props, status, err);
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, r->message));
    g_assert_nonnull(strstr(err, "-device intel-iommu"));
}

static void test_only_q35_and_once(void)
{
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary("-M q35 -nodefaults -display none "
                                   "-device intel-iommu -device intel-iommu",
                                   &status, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, "already has an IOMMU"));
}

static QVTD *start_scalable(QTestState **pqts)
{
    QTestState *qts = start(",x-scalable-mode=on,x-flts=on,svm=on,pasid=20");
    QVTD *v = qvtd_new(qts, 0x1000000, 0x400000);

    qtest_irq_intercept_in(qts, "msi");
    qvtd_set_fault_msi(v, FAULT_VEC);
    qvtd_set_inv_msi(v, INV_VEC);
    qvtd_init_qi(v, 0);
    qvtd_init_root(v);
    g_assert_true(qvtd_enable(v));
    *pqts = qts;
    return v;
}

/* A bad descriptor: IQE, IQEI, head stays, one fault event; recovery. */
static void test_iq_error(void)
{
    QTestState *qts;
    QVTD *v = start_scalable(&qts);
    uint32_t head;

    g_assert_true(qvtd_wait(v));
    head = qvtd_readq(v, QVTD_IQH);
    /* type 0xf does not exist */
    qvtd_queue(v, 0xf, 0);
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS) & QVTD_FSTS_IQE, ==,
                    QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 3);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQH), ==, head);
    g_assert_cmpuint(qtest_get_irq_count(qts, FAULT_VEC), ==, 1);

    /* A second error while IQE is set raises no new event */
    qvtd_queue(v, 0xf, 0);
    qvtd_kick(v);
    g_assert_cmpuint(qtest_get_irq_count(qts, FAULT_VEC), ==, 1);

    /* Software replaces the bad descriptors with waits, clears IQE */
    qtest_writeq(qts, v->iq + head, 0x5);
    qtest_writeq(qts, v->iq + head + 32, 0x5);
    qvtd_writel(v, QVTD_FSTS, QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQH), ==, qvtd_readq(v, QVTD_IQT));
    g_assert_true(qvtd_wait(v));

    /* Reserved bit in a PASID-cache invalidation: IQEI 4 */
    qvtd_queue(v, 0x7 | (1ULL << 6), 0);
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 4);
    g_assert_cmpuint(qtest_get_irq_count(qts, FAULT_VEC), ==, 2);
    qvtd_free(v);
    qtest_quit(qts);
}

/* Masked fault event is held in IP and delivered on unmask. */
static void test_fault_event_masked(void)
{
    QTestState *qts;
    QVTD *v = start_scalable(&qts);

    qvtd_writel(v, QVTD_FECTL, QVTD_CTL_IM);
    qvtd_queue(v, 0x7 | (2ULL << 4), 0);       /* PC granularity 2: bad */
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_FECTL), ==, QVTD_CTL_IM | QVTD_CTL_IP);
    g_assert_cmpuint(qtest_get_irq_count(qts, FAULT_VEC), ==, 0);
    qvtd_writel(v, QVTD_FECTL, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_FECTL), ==, 0);
    g_assert_cmpuint(qtest_get_irq_count(qts, FAULT_VEC), ==, 1);
    qvtd_free(v);
    qtest_quit(qts);
}

/* inv_wait: status write; IF sets ICS.IWC and fires once. */
static void test_inv_wait(void)
{
    QTestState *qts;
    QVTD *v = start_scalable(&qts);

    g_assert_true(qvtd_wait(v));
    qvtd_queue(v, 0x5 | (1ULL << 4), 0);        /* IF only */
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_ICS), ==, 1);
    g_assert_cmpuint(qtest_get_irq_count(qts, INV_VEC), ==, 1);
    qvtd_queue(v, 0x5 | (1ULL << 4), 0);
    qvtd_kick(v);
    /* IWC still set: no new interrupt */
    g_assert_cmpuint(qtest_get_irq_count(qts, INV_VEC), ==, 1);
    qvtd_writel(v, QVTD_ICS, 1);
    g_assert_cmphex(qvtd_readl(v, QVTD_ICS), ==, 0);
    qvtd_queue(v, 0x5 | (1ULL << 4), 0);
    qvtd_kick(v);
    g_assert_cmpuint(qtest_get_irq_count(qts, INV_VEC), ==, 2);
    /* A page group response naming nothing is ignored, not an error */
    qvtd_page_group_response(v, 0x18, true, 5, 3, QVTD_RC_SUCCESS);
    g_assert_true(qvtd_wait(v));
    /* Tail not 256-bit aligned: IQEI 6 */
    qvtd_writeq(v, QVTD_IQT, qvtd_readq(v, QVTD_IQT) | 0x10);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 6);
    qvtd_free(v);
    qtest_quit(qts);
}

/*
 * A long queue is worked through in slices from the main loop: right
 * after the IQT write only part of it is done, IQH advances visibly in
 * between, QMP is served meanwhile, and everything completes.
 */
static void test_iq_slices(void)
{
    QTestState *qts = start(",x-scalable-mode=on,x-flts=on,svm=on,pasid=20");
    QVTD *v = qvtd_new(qts, 0x1000000, 0x400000);
    uint64_t tail, iqh, last = 0;
    unsigned seen = 0, n = 2000;

    qvtd_init_qi(v, 4);                 /* 2048 256-bit descriptors */
    qvtd_init_root(v);
    g_assert_true(qvtd_enable(v));
    for (unsigned i = 0; i < n; i++) {
        /* PASID-cache and IOTLB invalidations, global: walks and flushes */
        if (i % 2) {
            qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
        } else {
            qvtd_iotlb_global(v);
        }
    }
    qvtd_kick(v);
    tail = (uint64_t)n << 5;
    iqh = qvtd_readq(v, QVTD_IQH);
    g_test_message("IQH 0x%" PRIx64 " of 0x%" PRIx64 " after the kick", iqh,
                   tail);
    g_assert_cmphex(iqh, >, 0);
    g_assert_cmphex(iqh, <, tail);
    while (iqh != tail) {
        g_autoptr(JsonObject) r = qtest_qmp(qts,
                                            "{'execute': 'query-status'}");

        g_assert_true(json_object_has_member(r, "return"));
        iqh = qvtd_readq(v, QVTD_IQH);
        g_assert_cmphex(iqh, >=, last);
        seen += iqh != last;
        last = iqh;
    }
    g_assert_cmpuint(seen, >=, 1);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, 0);
    g_assert_true(qvtd_wait(v));
    qvtd_free(v);
    qtest_quit(qts);
}

/*
 * A tail beyond the queue is an error the guest clears in FSTS without
 * moving the tail: fetching must not resume then, or the unit would
 * wrap around the queue forever (IQH never meets such a tail) doing
 * every descriptor again and again from the main loop.
 */
static void test_iq_tail_beyond_cleared(void)
{
    QTestState *qts = start(",x-scalable-mode=on");
    QVTD *v = qvtd_new(qts, 0x1000000, 0x400000);

    qvtd_init_qi(v, 2);                 /* 512 256-bit descriptors */
    qvtd_init_root(v);
    g_assert_true(qvtd_enable(v));
    for (unsigned i = 0; i < 512; i++) {
        qvtd_iotlb_global(v);           /* every slot valid */
    }
    qvtd_writeq(v, QVTD_IQT, 600ULL << 5);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 1);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS) & 0x10, ==, 0x10);
    qvtd_writel(v, QVTD_FSTS, 0x10);
    for (int i = 0; i < 2; i++) {
        g_autoptr(JsonObject) r = qtest_qmp(qts,
                                            "{'execute': 'query-status'}");

        g_assert_true(json_object_has_member(r, "return"));
    }
    g_assert_cmphex(qvtd_readq(v, QVTD_IQH), ==, 0);
    /* A tail inside the queue makes it work again. */
    qvtd_writeq(v, QVTD_IQT, 0);
    g_assert_true(qvtd_wait(v));
    qvtd_free(v);
    qtest_quit(qts);
}

/*
 * The queue's bottom half runs with the unit's re-entrancy guard: a
 * status write aimed at GCMD (data 0) or at IQT is refused, it turns
 * neither translation nor the queue off, and the queue goes on.
 */
static void test_iq_status_on_own_registers(void)
{
    QTestState *qts;
    QVTD *v = start_scalable(&qts);
    uint32_t gsts = qvtd_readl(v, QVTD_GSTS);

    g_assert_true(gsts & (1U << 26));                   /* QIES */
    qvtd_queue(v, 0x5 | (1ULL << 5), QVTD_BASE + QVTD_GCMD);
    qvtd_queue(v, 0x5 | (1ULL << 5) | (0x10ULL << 32), QVTD_BASE + QVTD_IQT);
    g_assert_true(qvtd_wait(v));
    g_assert_cmphex(qvtd_readl(v, QVTD_GSTS), ==, gsts);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQH), ==, (uint64_t)v->iq_tail << 5);
    g_assert_true(qvtd_wait(v));
    qvtd_free(v);
    qtest_quit(qts);
}

/* Legacy root table: 256-bit-only descriptors are invalid types. */
static void test_legacy_mode_types(void)
{
    QTestState *qts = start(",x-scalable-mode=on");
    QVTD *v = qvtd_new(qts, 0x1000000, 0x100000);

    qvtd_init_qi(v, 0);
    /* root table with TTM=00 (legacy) */
    qvtd_writeq(v, QVTD_RTADDR, qvtd_alloc(v, 1));
    g_assert_true(qvtd_gcmd(v, QVTD_GCMD_SRTP, true));
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 3);
    qvtd_free(v);
    qtest_quit(qts);
}

/* Reset brings every register back. */
static void test_reset(void)
{
    QTestState *qts;
    QVTD *v = start_scalable(&qts);

    qvtd_init_prq(v, 0, 0x42);
    g_assert_cmphex(qvtd_readl(v, QVTD_GSTS), !=, 0);
    qtest_qmp_assert_success(qts, "{'execute': 'system_reset'}");
    g_assert_cmphex(qvtd_readl(v, QVTD_GSTS), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_PQA), ==, 0);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQA), ==, 0);
    g_assert_cmphex(qvtd_readl(v, QVTD_FECTL), ==, QVTD_CTL_IM);
    qvtd_free(v);
    qtest_quit(qts);
}

/* libvirt's JSON -device form, with JSON booleans and numbers */
static void test_json_device(void)
{
    QTestState *qts = qtest_init("-M q35 -m 256M -nodefaults -display none "
                                 "-device '{\"driver\":\"intel-iommu\","
                                 "\"id\":\"iommu0\",\"scalable-mode\":true,"
                                 "\"fsts\":true,\"svm\":true,"
                                 "\"pasid-bits\":20}'");

    g_assert_cmphex(qtest_readq(qts, QVTD_BASE + QVTD_ECAP), ==,
                    reg_cases[4].ecap);
    qtest_quit(qts);
}

/*
 * Width mismatches: 128-bit queue with a scalable root (IQEI 7),
 * 256-bit queue on a unit without scalable mode (IQEI 5).
 */
static void test_iq_width(void)
{
    QTestState *qts = start(",x-scalable-mode=on");
    QVTD *v = qvtd_new(qts, 0x1000000, 0x100000);
    uint64_t iq = qvtd_alloc(v, 1);

    qvtd_init_root(v);
    qvtd_writeq(v, QVTD_IQA, iq);                       /* DW=0 */
    g_assert_true(qvtd_gcmd(v, QVTD_GCMD_QIE, true));
    qtest_writeq(qts, iq, 0x5);                         /* inv_wait */
    qvtd_writeq(v, QVTD_IQT, 0x10);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 7);
    qvtd_free(v);
    qtest_quit(qts);

    qts = start("");
    v = qvtd_new(qts, 0x1000000, 0x100000);
    qvtd_init_qi(v, 0);
    qvtd_queue(v, 0x5, 0);
    qvtd_kick(v);
    g_assert_cmphex(qvtd_readl(v, QVTD_FSTS), ==, QVTD_FSTS_IQE);
    g_assert_cmphex(qvtd_readq(v, QVTD_IQERCD) & 0xf, ==, 5);
    qvtd_free(v);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(reg_cases); i++) {
        g_autofree char *name = g_strdup_printf("/intel-iommu/regs/%u", i);

        g_test_add_data_func(name, &reg_cases[i], test_reg_defaults);
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(refusals); i++) {
        g_autofree char *name = g_strdup_printf("/intel-iommu/refuse/%u", i);

        g_test_add_data_func(name, &refusals[i], test_refusal);
    }
    g_test_add_func("/intel-iommu/refuse/twice", test_only_q35_and_once);
    g_test_add_func("/intel-iommu/iq/error", test_iq_error);
    g_test_add_func("/intel-iommu/iq/fault-event-masked",
                    test_fault_event_masked);
    g_test_add_func("/intel-iommu/iq/wait", test_inv_wait);
    g_test_add_func("/intel-iommu/iq/legacy-types", test_legacy_mode_types);
    g_test_add_func("/intel-iommu/reset", test_reset);
    g_test_add_func("/intel-iommu/json", test_json_device);
    g_test_add_func("/intel-iommu/iq/width", test_iq_width);
    g_test_add_func("/intel-iommu/iq/slices", test_iq_slices);
    g_test_add_func("/intel-iommu/iq/tail-beyond-cleared",
                    test_iq_tail_beyond_cleared);
    g_test_add_func("/intel-iommu/iq/status-on-own-registers",
                    test_iq_status_on_own_registers);
    return g_test_run();
}
