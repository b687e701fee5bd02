/*
 * SMMUv3 vEVENTQ drain, in-process: host event (simulator) -> vEVENTQ fd
 * -> arm-smmuv3 accel -> guest Event Queue -> libqos guest driver
 * consumes each record and advances EVENTQ_CONS.  See
 * docs/devel/benchmarks.md.
 */
#include "bench-common.h"
#include "bench-cases.h"
#include "bench-floor.h"
#include "iommufd-sim.h"
#include "qtest-inproc.h"
#include "libqos/qos-smmuv3.h"
#include <inttypes.h>
#include <string.h>

#define RAM_BASE        0x40000000ULL
#define PSID            0x100           /* bench_sim_start()'s stream-id */
#define VSID            0x8             /* addr=1.0 */
#define EVTQ_LOG2       10              /* guest queue, and vEVENTQ depth */
#define EVT_SIZE        32              /* bytes per Event Queue entry */

typedef struct SmmuBench {
    QSMMUv3 s;
    unsigned batch;
    uint64_t iova;
    int64_t longest_poll_ns;    /* cmdq-cfgi-ste: the longest CONS read,
                                 * CPU time (wall time is other jobs') */
} SmmuBench;

static char *smmu_argv[] = {
    (char *)"viommu-system", (char *)"-M", (char *)"virt", (char *)"-accel",
    (char *)"qtest", (char *)"-nodefaults", (char *)"-object",
    (char *)"iommufd,id=iommufd0", (char *)"-device",
    (char *)"arm-smmuv3,primary-bus=pcie.0,id=smmuv3.0,accel=on",
    (char *)"-device",
    (char *)"vfio-pci,host=" BENCH_BDF ",iommufd=iommufd0,id=dev0,addr=1.0",
    NULL
};

/*
 * The guest's event handler, as Linux's arm_smmu_evtq_thread() does it:
 * read PROD once, consume every entry up to it, write CONS once.
 * Returns how many it consumed; fails on a record with the wrong vSID.
 */
static unsigned guest_evtq_drain(QSMMUv3 *s)
{
    uint32_t ptr_mask = (2u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD);
    unsigned n = 0;

    while ((prod & ptr_mask) != (s->evtq_cons & ptr_mask)) {
        uint32_t idx = s->evtq_cons & ((1u << s->evtq_log2) - 1);
        uint64_t evt[4];

        qtest_memread(s->qts, s->evtq + (uint64_t)idx * EVT_SIZE, evt,
                      EVT_SIZE);
        if ((GUINT64_FROM_LE(evt[0]) >> 32) != VSID) {
            bench_fail("event with StreamID 0x%x, expected vSID 0x%x",
                       (unsigned)(GUINT64_FROM_LE(evt[0]) >> 32), VSID);
        }
        s->evtq_cons = (s->evtq_cons + 1) & ptr_mask;
        n++;
    }
    /* acknowledge an overflow by copying PROD's flag into CONS */
    s->evtq_cons = (s->evtq_cons & ptr_mask) | (prod & QSMMU_Q_OVF);
    qsmmu_writel(s, QSMMU_EVENTQ_CONS, s->evtq_cons);
    return n;
}

static void smmu_drain(void *opaque, uint64_t items)
{
    SmmuBench *b = opaque;
    unsigned batch = b->batch;

    for (uint64_t done = 0; done < items; done += batch) {
        unsigned got;

        for (unsigned i = 0; i < batch; i++) {
            /* F_TRANSLATION, physical StreamID, read, stage 1 */
            uint64_t rec[4] = {
                0x10 | (uint64_t)PSID << 32, 1ULL << 35, b->iova++ << 12, 0,
            };
            int rc = BENCH_HOST(sim_trigger_vevent(BENCH_BDF, rec,
                                                   sizeof(rec)));

            if (rc < 0) {
                bench_fail("sim_trigger_vevent: %s", g_strerror(-rc));
            }
        }
        /* The main loop runs the vEVENTQ handler: records in the EVTQ. */
        qtest_inproc_pump();
        got = guest_evtq_drain(&b->s);
        if (got != batch) {
            bench_fail("%u events in the guest queue, expected %u", got,
                       batch);
        }
    }
}

/*
 * A guest flooding its command queue with CFGI_STE for the passthrough
 * device (each one re-installs its STE on the host): B commands per
 * CMDQ_PROD write, then the guest polls CONS until they are consumed,
 * as Linux does.  In-process every CONS read first runs the scheduled
 * bottom half, i.e. one slice, so the longest read is the longest the
 * main loop was held by the command queue.
 */
static void smmu_cfgi_flood(void *opaque, uint64_t items)
{
    SmmuBench *b = opaque;
    QSMMUv3 *s = &b->s;
    uint32_t idx_mask = (1u << s->cmdq_log2) - 1;
    uint32_t ptr_mask = (2u << s->cmdq_log2) - 1;

    for (uint64_t done = 0; done < items; done += b->batch) {
        uint32_t cons;

        for (unsigned i = 0; i < b->batch; i++) {
            uint64_t slot = s->cmdq + (uint64_t)(s->cmdq_prod & idx_mask) * 16;

            qtest_writeq(s->qts, slot,
                         QSMMU_CMD_CFGI_STE | (uint64_t)VSID << 32);
            qtest_writeq(s->qts, slot + 8, 1);
            s->cmdq_prod = (s->cmdq_prod + 1) & ptr_mask;
        }
        qsmmu_writel(s, QSMMU_CMDQ_PROD, s->cmdq_prod);
        do {
            int64_t t0 = bench_cpu_ns();

            cons = qsmmu_cmdq_cons(s);
            b->longest_poll_ns = MAX(b->longest_poll_ns,
                                     bench_cpu_ns() - t0);
            if (cons >> 24) {
                bench_fail("CMDQ error %u", (cons >> 24) & 0x7f);
            }
        } while ((cons & ptr_mask) != s->cmdq_prod);
    }
}

void bench_smmuv3_run(const BenchOpts *o)
{
    static const unsigned batches[] = { 1, 16, 64, 256 };
    SmmuBench b = { 0 };
    struct sim_stats st;
    QTestState *qts;

    bench_sim_start("arm-smmuv3", BENCH_BDF);
    qts = qtest_inproc_init(G_N_ELEMENTS(smmu_argv) - 1, smmu_argv);
    qsmmu_init(&b.s, qts, RAM_BASE + 0x100000, 0x1000000);
    if (!qsmmu_probe(&b.s, 8, true, EVTQ_LOG2)) {
        bench_fail("SMMUv3 guest probe failed");
    }
    sim_get_stats(&st);
    if (st.live[SIM_OBJ_VEVENTQ] != 1) {
        bench_fail("no vEVENTQ after the guest enabled its Event Queue");
    }
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = (char *)"veventq-drain", .param = param };
        uint64_t items = MAX(o->items, 4ULL * batches[i]);

        b.batch = batches[i];
        items -= items % b.batch;
        bench_measure(&r, o->runs, items, smmu_drain, &b);
        bench_report_add(&r);
    }
    /* 255: a full 2^8-entry queue, minus the slot that tells full. */
    {
        BenchResult r = { .name = (char *)"cmdq-cfgi-ste",
                          .param = (char *)"batch=255" };
        uint64_t items = MAX(o->items, 4ULL * 255);

        uint64_t ste[8];

        /* A stage-1 STE: each CFGI_STE makes the model re-read it. */
        qsmmu_make_ste_s1(&b.s, ste, 7, RAM_BASE + 0x800000);
        qsmmu_write_ste(&b.s, VSID, ste);
        b.batch = 255;
        items -= items % b.batch;
        b.longest_poll_ns = 0;
        bench_measure(&r, o->runs, items, smmu_cfgi_flood, &b);
        bench_report_add(&r);
        fprintf(stderr, "cmdq-cfgi-ste: longest CONS read (one slice) "
                "%" PRId64 " ns of CPU\n", b.longest_poll_ns);
    }
    sim_get_stats(&st);
    if (st.vevents_lost || st.vevents_read != st.vevents) {
        bench_fail("%" PRIu64 " vEVENTs lost, %" PRIu64 " of %" PRIu64
                   " read", st.vevents_lost, st.vevents_read, st.vevents);
    }
    qsmmu_cleanup(&b.s);
}
