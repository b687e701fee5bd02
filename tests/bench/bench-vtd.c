/*
 * VT-d page requests, in-process: host fault (simulator) -> FAULTQ ->
 * intel-iommu -> guest PRQ descriptor -> libqos guest driver drains the
 * PRQ and answers with Page Group Responses through the invalidation
 * queue -> write() to the FAULTQ.  See docs/devel/benchmarks.md.
 *
 * The guest is the qtests' driver (tests/qtest/libqos/qos-intel-iommu.c)
 * over qtest-inproc.c: its register and memory accesses are direct calls.
 * It answers every group of a batch with one Page Group Response each,
 * then one inv_wait (status write), and does not map pages: what is
 * measured is the plumbing, not the guest's fault handling.
 */
#include "bench-common.h"
#include "bench-cases.h"
#include "bench-floor.h"
#include "iommufd-sim.h"
#include "qtest-inproc.h"
#include "libqos/qos-intel-iommu.h"
#include <inttypes.h>
#include <string.h>

#define DEVFN           0x18            /* addr=3.0 */
#define PRQ_VEC         0x50
#define FAULT_VEC       0x51
#define INV_VEC         0x52
#define RAM_BASE        0x1000000ULL
#define RAM_SIZE        0x10000000ULL   /* tables and queues; -m 512M */
#define PQS             7               /* largest PRQ: 2^14 entries */
#define IQS             6               /* 2^13 256-bit descriptors */
#define PASID_BATCH     64              /* batch of the PASID scaling */
#define GROUP_PASIDS    64              /* PASIDs of the group scaling */
#define HELD_CHUNK      4096            /* held groups per PRQ drain */

typedef struct VtdBench {
    QVTD *v;
    uint32_t npasids;           /* faults go to PASIDs 1..npasids */
    unsigned batch;             /* faults before the guest drains */
    uint64_t cursor;            /* fault sequence number */
    QVTDPageReq *reqs;
} VtdBench;

static char *vtd_argv[] = {
    (char *)"viommu-system", (char *)"-M", (char *)"q35", (char *)"-m",
    (char *)"512M", (char *)"-accel", (char *)"qtest", (char *)"-nodefaults",
    (char *)"-object", (char *)"iommufd,id=iommufd0",
    (char *)"-device",
    /* vtd-pasids=65536 binds past the default max-bound-pasids (4096) */
    (char *)"intel-iommu,scalable-mode=on,fsts=on,svm=on,pasid-bits=20,"
            "caching-mode=on,max-bound-pasids=1048576",
    (char *)"-device",
    (char *)"vfio-pci,host=" BENCH_BDF ",iommufd=iommufd0,addr=3.0",
    NULL
};

/* DID of a bound PASID: 1..65535, never 0. */
static uint16_t pasid_did(uint32_t pasid)
{
    return (pasid - 1) % 65535 + 1;
}

/* PASID directory size: 2^(pdts+7) entries of 64 PASIDs each. */
static unsigned pdts_for(uint32_t npasids)
{
    unsigned pdts = 0;

    while ((64ULL << (pdts + 7)) <= npasids && pdts < 7) {
        pdts++;
    }
    return pdts;
}

static void vtd_guest_init(VtdBench *b, QTestState *qts)
{
    QVTD *v = qvtd_new(qts, RAM_BASE, RAM_SIZE);

    b->v = v;
    qvtd_set_fault_msi(v, FAULT_VEC);
    qvtd_set_inv_msi(v, INV_VEC);
    qvtd_init_qi(v, IQS);
    qvtd_init_prq(v, PQS, PRQ_VEC);
    qvtd_init_root(v);
    qvtd_set_context(v, DEVFN, pdts_for(b->npasids), true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    if (!qvtd_wait(v) || !qvtd_enable(v)) {
        bench_fail("VT-d guest setup failed");
    }
}

/*
 * Bind PASIDs 1..@n to one first-stage table: PASID entries written
 * table by table, then one PASID-selective PASID-cache invalidation each,
 * as many per inv_wait as the queue holds.  Stops early after @limit_s
 * seconds; returns how many are bound.
 */
static uint32_t vtd_bind(VtdBench *b, uint32_t n, unsigned limit_s)
{
    QVTD *v = b->v;
    uint64_t pml4 = qvtd_fs_new(v);
    unsigned per_wait = v->iq_entries - 2;
    int64_t t0 = bench_now_ns(), limit = limit_s * 1000000000LL;
    struct sim_stats st;
    uint32_t p = 1, bound = 0;
    uint64_t pe[8];

    qvtd_pasid_entry_fs(pe, 0, pml4, 0);
    while (p <= n) {
        /* up to the end of a 64-entry PASID table, without a DID wrap */
        uint32_t end = MIN(n + 1, (p | 63) + 1);

        if (pasid_did(end - 1) < pasid_did(p)) {
            end = p + (65535 - pasid_did(p)) + 1;
        }
        qvtd_set_pasid_entries(v, DEVFN, p, end - p, pe,
                               (uint16_t)(pasid_did(p) - p));
        p = end;
    }
    for (p = 1; p <= n; p++) {
        qvtd_pc_inv(v, QVTD_PC_G_PASID, pasid_did(p), p);
        if (p % per_wait == 0 || p == n) {
            if (!qvtd_wait(v)) {
                bench_fail("PASID-cache invalidation failed");
            }
            bound = p;
            if (bench_now_ns() - t0 > limit) {
                break;
            }
        }
    }
    sim_get_stats(&st);
    if (st.live[SIM_OBJ_HWPT_NESTED] != bound) {
        bench_fail("%u PASIDs bound in the guest, %u nested HWPTs in the "
                   "host", bound, st.live[SIM_OBJ_HWPT_NESTED]);
    }
    return bound;
}

/* One measured run: @items faults, @b->batch at a time. */
static void vtd_roundtrip(void *opaque, uint64_t items)
{
    VtdBench *b = opaque;
    QVTD *v = b->v;
    unsigned batch = b->batch;

    for (uint64_t done = 0; done < items; done += batch) {
        unsigned got;

        for (unsigned i = 0; i < batch; i++) {
            uint64_t seq = b->cursor++;
            uint32_t pasid = 1 + seq % b->npasids;
            uint32_t prgi = (seq / b->npasids) & 0x1ff;
            int rc;

            rc = BENCH_HOST(sim_trigger_fault(BENCH_BDF, pasid,
                                              0x10000000ULL + prgi * 0x1000,
                                              SIM_ACCESS_READ, prgi, true));
            if (rc < 0) {
                bench_fail("sim_trigger_fault: %s", g_strerror(-rc));
            }
        }
        /* The main loop runs the FAULTQ handler: descriptors in the PRQ. */
        qtest_inproc_pump();
        got = qvtd_prq_drain(v, b->reqs, batch);
        if (got != batch) {
            bench_fail("%u page requests in the PRQ, expected %u", got,
                       batch);
        }
        for (unsigned i = 0; i < got; i++) {
            const QVTDPageReq *r = &b->reqs[i];

            qvtd_page_group_response(v, r->rid, r->pp, r->pasid, r->prgi,
                                     QVTD_RC_SUCCESS);
        }
        /* One inv_wait: the model writes the batch of answers before it. */
        if (!qvtd_wait(v)) {
            bench_fail("invalidation queue error");
        }
    }
}

/*
 * Leave @n groups outstanding: faults on PASIDs @first_pasid.. (512
 * groups each), read from the PRQ by the guest and never answered.
 */
static void vtd_hold_groups(VtdBench *b, uint32_t first_pasid, uint32_t n)
{
    g_autofree QVTDPageReq *reqs = g_new0(QVTDPageReq, HELD_CHUNK);

    for (uint32_t done = 0; done < n; ) {
        uint32_t chunk = MIN(n - done, HELD_CHUNK);

        for (uint32_t i = done; i < done + chunk; i++) {
            int rc = sim_trigger_fault(BENCH_BDF, first_pasid + i / 512,
                                       0x20000000ULL + (i % 512) * 0x1000,
                                       SIM_ACCESS_WRITE, i % 512, true);

            if (rc < 0) {
                bench_fail("sim_trigger_fault: %s", g_strerror(-rc));
            }
        }
        qtest_inproc_pump();
        if (qvtd_prq_drain(b->v, reqs, chunk) != chunk) {
            bench_fail("held groups did not all reach the PRQ");
        }
        done += chunk;
    }
}

static void vtd_measure(const BenchOpts *o, VtdBench *b, const char *name,
                        const char *param, uint64_t items)
{
    BenchResult r = { .name = (char *)name, .param = (char *)param };
    struct sim_stats before, after;
    uint64_t expect, prewarm;

    /* A whole number of batches, and at least a few of them. */
    items = MAX(items, 4 * (uint64_t)b->batch);
    items -= items % b->batch;
    g_free(b->reqs);
    b->reqs = g_new0(QVTDPageReq, b->batch);
    sim_get_stats(&before);
    /*
     * Steady state: every bound PASID faults once before anything is
     * measured, or the runs would count each PASID's first fault (its
     * state set up on first use) as long as the cursor has not gone round
     * all of them -- at 65536 PASIDs, every fault of a 4096-item run.
     */
    prewarm = b->npasids > items ?
              (b->npasids + b->batch - 1) / b->batch * b->batch : 0;
    if (prewarm) {
        vtd_roundtrip(b, prewarm);
    }
    bench_measure(&r, o->runs, items, vtd_roundtrip, b);
    sim_get_stats(&after);
    /* Every fault reached the guest and was answered by it, once. */
    expect = items * (o->runs + 1) + prewarm;
    if (after.fault_groups_answered - before.fault_groups_answered != expect ||
        after.fault_groups_auto != before.fault_groups_auto ||
        after.fault_groups_dropped != before.fault_groups_dropped) {
        bench_fail("%s %s: %" PRIu64 " groups answered by the guest, %"
                   PRIu64 " expected; %" PRIu64 " by the host", name, param,
                   after.fault_groups_answered - before.fault_groups_answered,
                   expect, after.fault_groups_auto - before.fault_groups_auto +
                   after.fault_groups_dropped - before.fault_groups_dropped);
    }
    bench_report_add(&r);
}

void bench_vtd_run(const BenchOpts *o, const char *what, uint32_t n)
{
    VtdBench b = { .npasids = 1 };
    uint32_t want = 1;
    int64_t t0, c0;
    QTestState *qts;

    if (!strcmp(what, "pasids")) {
        want = n;
    } else if (!strcmp(what, "groups")) {
        want = GROUP_PASIDS;
    } else if (!strcmp(what, "held")) {
        /* 64 PASIDs for the measured faults, then those of the held */
        want = GROUP_PASIDS + (n + 511) / 512;
    } else if (strcmp(what, "roundtrip")) {
        bench_fail("unknown VT-d case %s", what);
    }
    b.npasids = want;
    bench_sim_start("intel-vtd", BENCH_BDF);
    qts = qtest_inproc_init(G_N_ELEMENTS(vtd_argv) - 1, vtd_argv);
    vtd_guest_init(&b, qts);

    t0 = bench_now_ns();
    c0 = bench_cpu_ns();
    b.npasids = vtd_bind(&b, want, o->bind_limit_s);
    if (!strcmp(what, "pasids")) {
        g_autofree char *param = g_strdup_printf("pasids=%u", b.npasids);
        BenchResult bind = {
            .name = (char *)"pasid-bind", .param = param,
            .ns_per_item = (double)(bench_now_ns() - t0) / b.npasids,
            .cpu_ns_per_item = (double)(bench_cpu_ns() - c0) / b.npasids,
        };

        bind.items_per_sec = 1e9 / bind.ns_per_item;
        if (b.npasids < want) {
            printf("bench: binding %u PASIDs took more than %u s; measuring "
                   "with the %u bound\n", want, o->bind_limit_s, b.npasids);
        }
        bench_report_add(&bind);
        b.batch = PASID_BATCH;
        vtd_measure(o, &b, "prq-pasids", param, o->items);
    } else if (!strcmp(what, "groups")) {
        g_autofree char *param = g_strdup_printf("groups=%u", n);

        b.batch = n;
        vtd_measure(o, &b, "prq-groups", param, o->items);
    } else if (!strcmp(what, "held")) {
        g_autofree char *param = g_strdup_printf("held=%u", n);
        struct sim_stats st;

        if (b.npasids < want) {
            bench_fail("only %u of %u PASIDs bound", b.npasids, want);
        }
        vtd_hold_groups(&b, GROUP_PASIDS + 1, n);
        b.npasids = GROUP_PASIDS;
        b.batch = PASID_BATCH;
        vtd_measure(o, &b, "prq-held", param, o->items);
        sim_get_stats(&st);
        if (st.fault_groups_read - st.fault_groups_answered != n) {
            bench_fail("%" PRIu64 " groups outstanding after the run, %u "
                       "held", st.fault_groups_read - st.fault_groups_answered,
                       n);
        }
    } else {
        static const unsigned batches[] = { 1, 16, 64, 256 };

        for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
            g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);

            b.batch = batches[i];
            vtd_measure(o, &b, "prq-roundtrip", param, o->items);
        }
    }
    g_free(b.reqs);
    /* The process exits with the machine: nothing to tear down. */
}
