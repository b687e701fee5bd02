/*
 * Fault injection matrix for the vIOMMU fault paths, under the iommufd
 * simulator (docs/devel/iommufd-sim.rst, "inject ...").
 *
 * Every host call on the fault paths of intel-iommu (PASID binding: HWPT
 * with a fault_id, FAULTQ, attach, detach; PIOTLB propagation; FAULTQ
 * read and write) and of arm-smmuv3 accel=on (vIOMMU, vDEVICE, vEVENTQ,
 * nested STE and its attach, invalidation batches, vEVENTQ read) is made
 * to fail in each way that applies to it: an errno, an EAGAIN storm,
 * EINTR, a short read, a hung-up fd.  Each cell (one binary start) checks:
 *
 *  (a) the guest keeps running: QMP answers, and the guest driver does a
 *      full round of work afterwards (a fault or event delivered and
 *      answered, an invalidation wait or CMD_SYNC completed);
 *  (b) the failure is reported exactly once, naming the operation (on the
 *      binary's stderr, or in the QMP error of a refused device_add), and
 *      nothing else is reported; benign failures are not reported at all;
 *  (c) no page group is lost or answered twice: after the paths are torn
 *      down (system_reset) every group the host produced has exactly one
 *      answer in the simulator's log; no host event reaches the guest
 *      twice, and every one that was sent while the path worked arrives;
 *  (d) nothing leaks: the simulator's exit report says "live 0".
 *
 * Cells that cannot be injected with the simulator, or that hit a known
 * model bug, are registered and skipped with the reason;
 * FAULT_INJECTION_KNOWN_BUGS=1 runs the known-bug ones (to check a fix).
 */
#include <stdio.h>
#include <string.h>

#include "libqtest.h"
#include "libqos/qos-intel-iommu.h"
#include "libqos/qos-smmuv3.h"
#include "libqos/sim-helpers.h"

#define BDF             "0000:02:00.0"
#define BDF_B           "0000:03:00.0"  /* second SMMUv3 device */
#define TIMEOUT_MS      5000
#define MAX_LEDGER      64

/* intel-iommu */
#define VTD_DEVFN       0x18            /* addr=3.0 */
#define VTD_PRQ_VEC     0x50
#define VTD_FAULT_VEC   0x51
#define VTD_INV_VEC     0x52

/* arm-smmuv3 */
#define SMMU_RAM        0x40000000ULL
#define SMMU_VSID       0x8             /* bus 0, slot 1, function 0 */
#define SMMU_EVT_F_TRANSLATION  0x10
#define SMMU_EVT_C_BAD_STE      0x04
#define SMMU_CMD_SIZE   16
#define SMMU_CONS_ERR(c)        (((c) >> 24) & 0x7f)
#define SMMU_CERROR_ILL 1

static const char vtd_conf[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "pri-capacity=512\n"
    "ats=true\n";

static const char smmu_conf[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "[device " BDF "]\n"
    "stream-id=0x200\n"
    "[device " BDF_B "]\n"
    "stream-id=0x300\n";

#define VTD_ARGS \
    "-M q35 -m 256M -nodefaults -display none " \
    "-object iommufd,id=iommufd0 " \
    "-device intel-iommu,x-scalable-mode=on,x-flts=on,svm=on,pasid=20," \
    "caching-mode=on " \
    "-device vfio-pci,host=" BDF ",iommufd=iommufd0,addr=3.0,id=dev0"

#define SMMU_ARGS \
    "-M virt -display none -object iommufd,id=iommufd0 " \
    "-device arm-smmuv3,primary-bus=pcie.0,id=smmu0,accel=on"
#define SMMU_DEV \
    " -device vfio-pci,host=" BDF ",iommufd=iommufd0,id=dev0,addr=1.0"

typedef enum Model {
    MODEL_VTD,
    MODEL_SMMU,
} Model;

typedef struct Fix Fix;
typedef struct Cell Cell;

struct Cell {
    const char *path;           /* below /fault-injection/ */
    Model model;
    bool cold_plug;             /* SMMUv3: device on the command line */
    void (*run)(Fix *f, const Cell *c);
    const char *inject;         /* the simulator command for the failure */
    /*
     * The report expected exactly once (a substring of one stderr line,
     * or of the QMP error with @via_qmp), and what it must also name;
     * NULL: the failure is benign and nothing may be reported.
     */
    const char *report;
    const char *names;
    bool via_qmp;
    const char *skip;           /* not injectable */
    /* Skipped unless $FAULT_INJECTION_KNOWN_BUGS is set (to check a fix) */
    const char *known_bug;
};

typedef struct SentEvent {
    uint64_t iova;
    bool must_arrive;           /* sent while the path worked */
} SentEvent;

struct Fix {
    const Cell *cell;
    SimEnv env;
    QTestState *qts;
    char *qmp_error;            /* desc of a refused device_add */

    /* intel-iommu guest, and every page group the host produced */
    QVTD *v;
    unsigned ngroups;
    uint32_t groups[MAX_LEDGER];

    /* arm-smmuv3 guest, events sent and events the guest consumed */
    QSMMUv3 s;
    unsigned nsent, ngot;
    SentEvent sent[MAX_LEDGER];
    uint64_t got[MAX_LEDGER];
};

static void inject(Fix *f)
{
    simh_cmd_ok(&f->env, "%s", f->cell->inject);
}

/* (a) the binary answers QMP, and the guest still runs */
static void query_status(Fix *f)
{
    g_autoptr(JsonNode) ret =
        qtest_qmp_assert_success_ref(f->qts, "{'execute': 'query-status'}");
    JsonObject *st = json_node_get_object(ret);

    g_assert_true(json_object_get_boolean_member(st, "running"));
    g_assert_cmpstr(json_object_get_string_member(st, "status"), ==,
                    "running");
}

/* ------------------------------------------------------------------ */
/* intel-iommu guest                                                   */

static void vtd_start(Fix *f)
{
    QVTD *v;

    simh_env_init(&f->env, vtd_conf);
    f->qts = simh_spawn(&f->env, VTD_ARGS);
    v = f->v = qvtd_new(f->qts, 0x1000000, 0x2000000);
    qtest_irq_intercept_in(f->qts, "msi");
    qvtd_set_fault_msi(v, VTD_FAULT_VEC);
    qvtd_set_inv_msi(v, VTD_INV_VEC);
    qvtd_init_qi(v, 1);
    qvtd_init_prq(v, 0, VTD_PRQ_VEC);
    qvtd_init_root(v);
    qvtd_set_context(v, VTD_DEVFN, 0, true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    g_assert_true(qvtd_wait(v));
    g_assert_true(qvtd_enable(v));
}

/*
 * Point @pasid (DID = PASID) at a fresh first-stage table and flush, as
 * Linux does; done again for a bound PASID this is a changed entry, which
 * the unit rebinds.  The invalidation wait must complete either way.
 */
static void vtd_bind(Fix *f, uint32_t pasid)
{
    uint64_t pe[8];

    qvtd_pasid_entry_fs(pe, pasid, qvtd_fs_new(f->v), 0);
    qvtd_set_pasid_entry(f->v, VTD_DEVFN, pasid, pe);
    g_assert_true(qvtd_flush_pasid(f->v, pasid, pasid));
}

/* A page group of @npages requests; false if the host had no handler. */
static bool vtd_fault(Fix *f, uint32_t pasid, uint32_t grpid,
                      unsigned npages)
{
    g_autofree char *reply = NULL;

    g_assert_cmpuint(f->ngroups, <, MAX_LEDGER);
    f->groups[f->ngroups++] = grpid;
    for (unsigned i = 0; i < npages; i++) {
        uint64_t addr = 0x100000ULL * grpid + 0x1000ULL * i;
        bool last = i + 1 == npages;

        g_free(reply);
        reply = simh_cmd(&f->env, "fault " BDF " %u 0x%" PRIx64 " r %u %d",
                         pasid, addr, grpid, last);
        if (!last) {
            g_assert_true(simh_ok(reply));
        }
    }
    return simh_ok(reply);
}

/* The guest's PRQ handler: wait for @n requests and take them. */
static void vtd_take(Fix *f, QVTDPageReq *r, unsigned n)
{
    g_assert_true(qvtd_prq_wait(f->v, n, TIMEOUT_MS));
    g_assert_cmpuint(qvtd_prq_drain(f->v, r, n), ==, n);
    for (unsigned i = 0; i < n; i++) {
        g_assert_true(r[i].reserved_ok);
    }
    g_assert_cmpuint(qvtd_prq_pending(f->v), ==, 0);
}

static unsigned vtd_answers(Fix *f, uint32_t grpid)
{
    SimhResponse resp[MAX_LEDGER];
    unsigned n = MIN(simh_responses(&f->env, resp, MAX_LEDGER), MAX_LEDGER);
    unsigned hits = 0;

    for (unsigned i = 0; i < n; i++) {
        hits += resp[i].grpid == grpid;
    }
    return hits;
}

static bool vtd_wait_answer(Fix *f, uint32_t grpid)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * 1000LL;

    while (!vtd_answers(f, grpid)) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

/* A full round: fault, PRQ entry, guest answer, host sees the answer. */
static void vtd_round(Fix *f, uint32_t pasid, uint32_t grpid)
{
    QVTDPageReq r;

    g_assert_true(vtd_fault(f, pasid, grpid, 1));
    vtd_take(f, &r, 1);
    g_assert_cmpuint(r.pasid, ==, pasid);
    g_assert_cmpuint(r.prgi, ==, grpid);
    g_assert_true(r.lpig);
    g_assert_true(qvtd_respond(f->v, &r, QVTD_RC_SUCCESS));
    g_assert_true(vtd_wait_answer(f, grpid));
}

/* Answer every last-page request in @r. */
static void vtd_answer_all(Fix *f, const QVTDPageReq *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (r[i].lpig) {
            qvtd_page_group_response(f->v, r[i].rid, r[i].pp, r[i].pasid,
                                     r[i].prgi, QVTD_RC_SUCCESS);
        }
    }
    g_assert_true(qvtd_wait(f->v));
}

/*
 * (c) Tear every binding down (the kernel answers what is still pending),
 * then every group the host produced has exactly one answer.
 */
static void vtd_check_groups(Fix *f)
{
    SimhResponse resp[MAX_LEDGER];
    unsigned n;
    bool ok;

    /* No host failure may show up as a guest queue error */
    g_assert_cmphex(qvtd_readl(f->v, QVTD_FSTS), ==, 0);
    qtest_qmp_assert_success(f->qts, "{'execute': 'system_reset'}");
    simh_wait_responses(&f->env, f->ngroups, TIMEOUT_MS);
    n = simh_responses(&f->env, resp, MAX_LEDGER);
    ok = n == f->ngroups;
    for (unsigned i = 0; i < f->ngroups; i++) {
        ok = ok && vtd_answers(f, f->groups[i]) == 1;
    }
    if (!ok) {
        g_autofree char *log = simh_cmd(&f->env, "responses");

        g_test_message("%u group(s) produced, %u answer(s):\n%s",
                       f->ngroups, n, log);
    }
    g_assert_true(ok);
}

/* ------------------------------------------------------------------ */
/* intel-iommu cells                                                   */

/*
 * The first binding refused, at HWPT_ALLOC (with fault_id) or at the
 * attach: nothing is bound, and the next invalidation binds it.
 */
static void run_vtd_bind_refused(Fix *f, const Cell *c)
{
    inject(f);
    vtd_bind(f, 1);
    g_assert_cmpuint(simh_objects(&f->env, "hwpt_nested"), ==, 0);
    query_status(f);
    /* The next invalidation of that PASID binds it */
    g_assert_true(qvtd_flush_pasid(f->v, 1, 1));
    g_assert_cmpuint(simh_objects(&f->env, "hwpt_nested"), ==, 1);
    vtd_round(f, 1, 1);
}

/*
 * HWPT_ALLOC refused when a changed entry is rebound, with a group
 * outstanding: the old binding is removed (which answers the group, once)
 * and the same invalidation then binds the new entry afresh.
 */
static void run_vtd_hwpt_alloc_rebind(Fix *f, const Cell *c)
{
    QVTDPageReq r[2];

    vtd_bind(f, 1);
    g_assert_true(vtd_fault(f, 1, 1, 2));
    vtd_take(f, r, 2);
    inject(f);
    vtd_bind(f, 1);
    g_assert_cmpuint(simh_stat(&f->env, "ioctls_injected"), ==, 1);
    g_assert_cmpuint(simh_objects(&f->env, "hwpt_nested"), ==, 1);
    g_assert_true(vtd_wait_answer(f, 1));
    /* The guest's late answer is stray now */
    g_assert_true(qvtd_respond(f->v, &r[1], QVTD_RC_SUCCESS));
    g_assert_cmpuint(vtd_answers(f, 1), ==, 1);
    query_status(f);
    vtd_round(f, 1, 2);
}

/* FAULT_QUEUE_ALLOC refused: bound without page requests, then with. */
static void run_vtd_faultq_alloc(Fix *f, const Cell *c)
{
    inject(f);
    vtd_bind(f, 1);
    g_assert_cmpuint(simh_objects(&f->env, "hwpt_nested"), ==, 1);
    g_assert_cmpuint(simh_objects(&f->env, "fault"), ==, 0);
    /* No fault handler: the host answers the group itself */
    g_assert_false(vtd_fault(f, 1, 1, 1));
    g_assert_cmpuint(qvtd_prq_pending(f->v), ==, 0);
    query_status(f);
    /* A changed entry is bound again, this time with a FAULTQ */
    vtd_bind(f, 1);
    g_assert_cmpuint(simh_objects(&f->env, "fault"), ==, 1);
    vtd_round(f, 1, 2);
}

/* HWPT_INVALIDATE refused twice: the waits complete, one report. */
static void run_vtd_invalidate(Fix *f, const Cell *c)
{
    uint64_t n0;

    vtd_bind(f, 1);
    n0 = simh_stat(&f->env, "invalidations");
    inject(f);
    for (int i = 0; i < 3; i++) {
        qvtd_piotlb_inv(f->v, QVTD_PIOTLB_G_PAGE, 1, 1, 0x4000, 0, false);
        g_assert_true(qvtd_wait(f->v));
    }
    /* Two refused, the third one reached the host */
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0 + 1);
    g_assert_cmphex(qvtd_readl(f->v, QVTD_FSTS), ==, 0);
    vtd_round(f, 1, 1);
}

/*
 * Read injections other than the EAGAIN storm must meet a full queue, so
 * the reads are held off (an EAGAIN storm, which is checked first) while
 * the host produces, and released once the injection is armed.
 */
static bool read_hold(Fix *f, const char *queue)
{
    if (strstr(f->cell->inject, "eagain")) {
        return false;
    }
    simh_cmd_ok(&f->env, "inject read %s eagain 1000000000", queue);
    return true;
}

static void read_release(Fix *f, const char *queue, bool held)
{
    if (held) {
        simh_cmd_ok(&f->env, "inject read %s eagain 0", queue);
    }
}

/*
 * FAULTQ read hiccups (EAGAIN storm, EINTR, short reads): groups of two,
 * three and one pages all arrive, in order, and are answered once.  A
 * short read of 80 bytes takes the first group only, one of 40 none.
 */
static void run_vtd_read(Fix *f, const Cell *c)
{
    static const unsigned pages[] = { 2, 3, 1 };
    QVTDPageReq r[6];
    unsigned k = 0;
    bool held;

    vtd_bind(f, 1);
    held = read_hold(f, "fault");
    for (unsigned g = 0; g < G_N_ELEMENTS(pages); g++) {
        g_assert_true(vtd_fault(f, 1, g + 1, pages[g]));
    }
    inject(f);
    read_release(f, "fault", held);
    vtd_take(f, r, 6);
    for (unsigned g = 0; g < G_N_ELEMENTS(pages); g++) {
        for (unsigned i = 0; i < pages[g]; i++, k++) {
            g_assert_cmpuint(r[k].prgi, ==, g + 1);
            g_assert_cmphex(r[k].addr, ==,
                            0x100000ULL * (g + 1) + 0x1000ULL * i);
            g_assert_cmpint(r[k].lpig, ==, i + 1 == pages[g]);
        }
    }
    vtd_answer_all(f, r, 6);
    for (unsigned g = 0; g < G_N_ELEMENTS(pages); g++) {
        g_assert_true(vtd_wait_answer(f, g + 1));
    }
    vtd_round(f, 1, 4);
}

/*
 * The FAULTQ hangs up while the guest holds one group and the host
 * queue another.  Reads fail: reported, the queue is dropped, the guest
 * goes on; the groups are answered when the binding is replaced, and
 * the new binding gets a new FAULTQ.
 */
static void run_vtd_read_hangup(Fix *f, const Cell *c)
{
    QVTDPageReq r[1];

    vtd_bind(f, 1);
    g_assert_true(vtd_fault(f, 1, 1, 1));
    vtd_take(f, r, 1);
    inject(f);
    g_assert_true(vtd_fault(f, 1, 2, 1));
    g_assert_true(simh_wait_stderr(&f->env, c->report, TIMEOUT_MS));
    query_status(f);
    g_assert_cmpuint(qvtd_prq_pending(f->v), ==, 0);
    /* The guest's answer has nowhere to go: forgotten, never written */
    g_assert_true(qvtd_respond(f->v, &r[0], QVTD_RC_SUCCESS));
    g_assert_cmpuint(simh_responses(&f->env, NULL, 0), ==, 0);
    vtd_bind(f, 1);
    g_assert_true(vtd_wait_answer(f, 1));
    g_assert_true(vtd_wait_answer(f, 2));
    vtd_round(f, 1, 3);
}

/*
 * The same, and then nothing of the dead FAULTQ is left on the host: the
 * HWPT that named it is gone, so its FAULT object must be too (the exit
 * report alone would not tell, since closing the iommufd frees it).
 */
static void run_vtd_read_hangup_leak(Fix *f, const Cell *c)
{
    run_vtd_read_hangup(f, c);
    g_assert_cmpuint(simh_objects(&f->env, "fault"), ==, 1);
}

/*
 * The FAULTQ hangs up between two runs of its read handler, and the
 * guest answers before the next run (an EAGAIN storm holds the reads
 * off): the response write meets the dead fd first, then the read.  One
 * dead fd: one report; the guest goes on, the group is answered once.
 */
static void run_vtd_write_hangup(Fix *f, const Cell *c)
{
    QVTDPageReq r[1];

    vtd_bind(f, 1);
    g_assert_true(vtd_fault(f, 1, 1, 1));
    vtd_take(f, r, 1);
    simh_cmd_ok(&f->env, "inject read fault eagain 1000000000");
    inject(f);
    g_assert_true(qvtd_respond(f->v, &r[0], QVTD_RC_SUCCESS));
    simh_cmd_ok(&f->env, "inject read fault eagain 0");
    g_assert_true(simh_wait_stderr(&f->env, "unusable", TIMEOUT_MS));
    query_status(f);
    vtd_bind(f, 1);
    g_assert_true(vtd_wait_answer(f, 1));
    vtd_round(f, 1, 2);
}

/*
 * Detaching a removed binding refused with a group outstanding: nobody
 * else will answer it, so the unit does (INVALID), once; the PASID can be
 * bound again and nothing is left behind.
 */
static void run_vtd_detach(Fix *f, const Cell *c)
{
    SimhResponse resp[4];
    QVTDPageReq r[1];

    vtd_bind(f, 1);
    g_assert_true(vtd_fault(f, 1, 1, 1));
    vtd_take(f, r, 1);
    inject(f);
    qvtd_clear_pasid_entry(f->v, VTD_DEVFN, 1);
    g_assert_true(qvtd_flush_pasid(f->v, 1, 1));
    g_assert_true(vtd_wait_answer(f, 1));
    g_assert_cmpuint(simh_responses(&f->env, resp, 4), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_false(resp[0].automatic);
    /* The guest's late answer is stray */
    g_assert_true(qvtd_respond(f->v, &r[0], QVTD_RC_SUCCESS));
    g_assert_cmpuint(simh_responses(&f->env, NULL, 0), ==, 1);
    query_status(f);
    vtd_bind(f, 1);
    g_assert_cmpuint(simh_objects(&f->env, "hwpt_nested"), ==, 1);
    vtd_round(f, 1, 2);
}

/* ------------------------------------------------------------------ */
/* arm-smmuv3 guest                                                    */

static void smmu_start(Fix *f, bool cold_plug)
{
    simh_env_init(&f->env, smmu_conf);
    f->qts = simh_spawn(&f->env, cold_plug ? SMMU_ARGS SMMU_DEV : SMMU_ARGS);
    qtest_irq_intercept_in(f->qts, "gic");
    qsmmu_init(&f->s, f->qts, SMMU_RAM + 0x100000, 0x1000000);
}

static void smmu_probe(Fix *f)
{
    g_assert_true(qsmmu_probe(&f->s, 8, false, 4));
}

static JsonObject *smmu_device_add(Fix *f)
{
    return qtest_qmp(f->qts, "{'execute': 'device_add', 'arguments': "
                     "{'driver': 'vfio-pci', 'host': '" BDF "', "
                     "'iommufd': 'iommufd0', 'id': 'dev0', 'addr': '1.0'}}");
}

/* A device_add the host refuses: keep the error for the report check. */
static void smmu_device_add_refused(Fix *f)
{
    g_autoptr(JsonObject) rsp = smmu_device_add(f);
    JsonObject *err;

    g_assert_true(json_object_has_member(rsp, "error"));
    err = json_object_get_object_member(rsp, "error");
    f->qmp_error = g_strdup(json_object_get_string_member(err, "desc"));
    g_test_message("device_add: %s", f->qmp_error);
}

static void smmu_device_add_ok(Fix *f)
{
    g_autoptr(JsonObject) rsp = smmu_device_add(f);

    g_assert_true(json_object_has_member(rsp, "return"));
}

/* Write commands at PROD without publishing them. */
static void smmu_put(Fix *f, uint64_t w0, uint64_t w1)
{
    QSMMUv3 *s = &f->s;
    uint32_t idx = s->cmdq_prod & ((1u << s->cmdq_log2) - 1);
    uint64_t addr = s->cmdq + (uint64_t)idx * SMMU_CMD_SIZE;

    qtest_writeq(f->qts, addr, w0);
    qtest_writeq(f->qts, addr + 8, w1);
    s->cmdq_prod = (s->cmdq_prod + 1) & ((2u << s->cmdq_log2) - 1);
}

static uint32_t smmu_cons(Fix *f)
{
    return qsmmu_cmdq_cons(&f->s) & ((2u << f->s.cmdq_log2) - 1);
}

/* One PROD write for everything put; true if all were consumed. */
static bool smmu_kick(Fix *f)
{
    qsmmu_writel(&f->s, QSMMU_CMDQ_PROD, f->s.cmdq_prod);
    /* Consumed from a bottom half: poll CONS, bounded. */
    return qsmmu_cmdq_wait(&f->s) && smmu_cons(f) == f->s.cmdq_prod;
}

static bool smmu_sync(Fix *f)
{
    smmu_put(f, QSMMU_CMD_SYNC, 0);
    return smmu_kick(f);
}

/*
 * Linux's arm_smmu_cmdq_skip_err(): the command at CONS failed; replace
 * it with a CMD_SYNC and acknowledge GERROR.CMDQ_ERR so that the queue
 * resumes.  Returns the error code CMDQ_CONS.ERR held.
 */
static unsigned smmu_skip_err(Fix *f)
{
    QSMMUv3 *s = &f->s;
    uint32_t cons = qsmmu_cmdq_cons(s);
    uint32_t gerror = qsmmu_readl(s, QSMMU_GERROR);
    uint32_t gerrorn = qsmmu_readl(s, QSMMU_GERRORN);
    uint32_t idx = cons & ((1u << s->cmdq_log2) - 1);
    uint64_t addr = s->cmdq + (uint64_t)idx * SMMU_CMD_SIZE;

    g_assert_true((gerror ^ gerrorn) & QSMMU_GERROR_CMDQ_ERR);
    qtest_writeq(f->qts, addr, QSMMU_CMD_SYNC);
    qtest_writeq(f->qts, addr + 8, 0);
    qsmmu_writel(s, QSMMU_GERRORN, gerrorn ^ QSMMU_GERROR_CMDQ_ERR);
    /* Consumption resumes from the bottom half; callers check CONS. */
    qsmmu_cmdq_wait(s);
    return SMMU_CONS_ERR(cons);
}

static void smmu_make_fault(uint64_t evt[4], uint64_t iova)
{
    /* F_TRANSLATION, physical StreamID 0x200, read, stage 1, CLASS IN */
    evt[0] = SMMU_EVT_F_TRANSLATION | 0x200ULL << 32;
    evt[1] = 1ULL << 35 | 2ULL << 40;
    evt[2] = iova;
    evt[3] = 0;
}

/* The host reports an event; true if it accepted it. */
static bool smmu_event(Fix *f, uint64_t iova, bool must_arrive)
{
    g_autofree char *reply = NULL;
    GString *hex = g_string_new(NULL);
    uint64_t evt[4];

    smmu_make_fault(evt, iova);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 8; j++) {
            g_string_append_printf(hex, "%02x",
                                   (unsigned)(evt[i] >> (8 * j)) & 0xff);
        }
    }
    reply = simh_cmd(&f->env, "vevent " BDF " %s", hex->str);
    g_string_free(hex, TRUE);
    g_assert_cmpuint(f->nsent, <, MAX_LEDGER);
    f->sent[f->nsent++] = (SentEvent) { iova, must_arrive };
    return simh_ok(reply);
}

/* Consume one record from the guest Event Queue into the ledger. */
static bool smmu_pop(Fix *f, uint64_t evt[4])
{
    if (!qsmmu_evtq_pop(&f->s, evt)) {
        return false;
    }
    if ((evt[0] & 0xff) == SMMU_EVT_F_TRANSLATION) {
        g_assert_cmphex(evt[0], ==,
                        SMMU_EVT_F_TRANSLATION | (uint64_t)SMMU_VSID << 32);
        g_assert_cmpuint(f->ngot, <, MAX_LEDGER);
        f->got[f->ngot++] = evt[2];
    }
    return true;
}

/* Wait for @n host events in the guest Event Queue and consume them. */
static void smmu_take(Fix *f, const uint64_t *iova, unsigned n)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * 1000LL;
    uint64_t evt[4];

    while (qsmmu_evtq_pending(&f->s) < n && g_get_monotonic_time() < end) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qsmmu_evtq_pending(&f->s), >=, n);
    for (unsigned i = 0; i < n; i++) {
        g_assert_true(smmu_pop(f, evt));
        g_assert_cmphex(evt[0] & 0xff, ==, SMMU_EVT_F_TRANSLATION);
        g_assert_cmphex(evt[2], ==, iova[i]);
    }
}

/* A full round: a host event reaches the guest, a CMD_SYNC completes. */
static void smmu_round(Fix *f, uint64_t iova)
{
    g_assert_true(smmu_event(f, iova, true));
    smmu_take(f, &iova, 1);
    g_assert_true(smmu_sync(f));
    g_assert_cmphex(qsmmu_readl(&f->s, QSMMU_GERROR) ^
                    qsmmu_readl(&f->s, QSMMU_GERRORN), ==, 0);
}

static void smmu_install_s1(Fix *f)
{
    uint64_t ste[8];

    qsmmu_make_ste_s1(&f->s, ste, 7, SMMU_RAM + 0x800000);
    qsmmu_write_ste(&f->s, SMMU_VSID, ste);
    smmu_put(f, QSMMU_CMD_CFGI_STE | (uint64_t)SMMU_VSID << 32, 1);
    g_assert_true(smmu_sync(f));
}

static void smmu_toggle_eventqen(Fix *f)
{
    uint32_t cr0 = QSMMU_CR0_CMDQEN | QSMMU_CR0_SMMUEN;

    g_assert_true(qsmmu_write_cr0(&f->s, cr0));
    g_assert_true(qsmmu_write_cr0(&f->s, cr0 | QSMMU_CR0_EVENTQEN));
}

/*
 * (c) Whatever is still on its way is consumed; no event arrived twice,
 * none came from nowhere, and all sent while the path worked arrived.
 */
static void smmu_check_events(Fix *f)
{
    uint64_t evt[4];

    if (qsmmu_readl(&f->s, QSMMU_CR0) & QSMMU_CR0_EVENTQEN) {
        while (smmu_pop(f, evt)) {
            /* consumed into the ledger */
        }
    }
    for (unsigned i = 0; i < f->nsent; i++) {
        unsigned hits = 0;

        for (unsigned j = 0; j < f->ngot; j++) {
            hits += f->got[j] == f->sent[i].iova;
        }
        if (hits > 1 || (f->sent[i].must_arrive && hits != 1)) {
            g_test_message("event 0x%" PRIx64 " arrived %u time(s)",
                           f->sent[i].iova, hits);
        }
        g_assert_cmpuint(hits, <=, 1);
        if (f->sent[i].must_arrive) {
            g_assert_cmpuint(hits, ==, 1);
        }
    }
    for (unsigned j = 0; j < f->ngot; j++) {
        bool known = false;

        for (unsigned i = 0; i < f->nsent; i++) {
            known = known || f->got[j] == f->sent[i].iova;
        }
        g_assert_true(known);
    }
}

/* ------------------------------------------------------------------ */
/* arm-smmuv3 cells                                                    */

/* vIOMMU or vDEVICE allocation refused at hot-plug: nothing is left. */
static void run_smmu_plug_refused(Fix *f, const Cell *c)
{
    smmu_probe(f);
    inject(f);
    smmu_device_add_refused(f);
    g_assert_cmpuint(simh_live_objects(&f->env), ==, 0);
    g_assert_true(smmu_sync(f));
    query_status(f);
    /* Injection exhausted: the same device plugs and works */
    smmu_device_add_ok(f);
    g_assert_cmpuint(simh_stat(&f->env, "viommu"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "vdevice"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 1);
    smmu_install_s1(f);
    smmu_round(f, 0x1000);
}

/*
 * vDEVICE allocation refused for a second device: the vIOMMU the first
 * one uses stays, and so does its event delivery.
 */
static void run_smmu_vdevice_second(Fix *f, const Cell *c)
{
    g_autoptr(JsonObject) rsp = NULL;
    JsonObject *err;

    smmu_probe(f);
    smmu_install_s1(f);
    inject(f);
    rsp = qtest_qmp(f->qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'vfio-pci', 'host': '" BDF_B "', "
                    "'iommufd': 'iommufd0', 'id': 'dev1', 'addr': '2.0'}}");
    g_assert_true(json_object_has_member(rsp, "error"));
    err = json_object_get_object_member(rsp, "error");
    f->qmp_error = g_strdup(json_object_get_string_member(err, "desc"));
    g_assert_cmpuint(simh_stat(&f->env, "viommu"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "vdevice"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "device"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "hwpt_nested"), ==, 3);
    query_status(f);
    smmu_round(f, 0x1000);
    json_object_unref(rsp);
    rsp = qtest_qmp(f->qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'vfio-pci', 'host': '" BDF_B "', "
                    "'iommufd': 'iommufd0', 'id': 'dev1', 'addr': '2.0'}}");
    g_assert_true(json_object_has_member(rsp, "return"));
    g_assert_cmpuint(simh_stat(&f->env, "vdevice"), ==, 2);
    smmu_round(f, 0x2000);
}

/* VEVENTQ_ALLOC refused at the EVENTQEN write (cold-plugged device). */
static void run_smmu_veventq_alloc(Fix *f, const Cell *c)
{
    inject(f);
    smmu_probe(f);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 0);
    /* No queue on the host: the event is refused there */
    g_assert_false(smmu_event(f, 0x1000, false));
    g_assert_true(smmu_sync(f));
    smmu_install_s1(f);
    query_status(f);
    /* The driver enables its event queue again: the queue is made */
    smmu_toggle_eventqen(f);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 1);
    smmu_round(f, 0x2000);
}

/* VEVENTQ_ALLOC refused at a hot-plug after the probe. */
static void run_smmu_veventq_alloc_hotplug(Fix *f, const Cell *c)
{
    smmu_probe(f);
    inject(f);
    smmu_device_add_ok(f);
    g_assert_cmpuint(simh_stat(&f->env, "viommu"), ==, 1);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 0);
    g_assert_true(smmu_sync(f));
    query_status(f);
    smmu_toggle_eventqen(f);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 1);
    smmu_round(f, 0x1000);
}

/* HWPT_ALLOC of a nested STE refused: C_BAD_STE, abort, then retried. */
static void run_smmu_hwpt_alloc(Fix *f, const Cell *c)
{
    uint64_t evt[4];

    smmu_probe(f);
    inject(f);
    smmu_install_s1(f);
    g_assert_cmpuint(simh_stat(&f->env, "hwpt_nested"), ==, 2);
    g_assert_true(smmu_pop(f, evt));
    g_assert_cmphex(evt[0], ==,
                    SMMU_EVT_C_BAD_STE | (uint64_t)SMMU_VSID << 32);
    g_assert_false(smmu_pop(f, evt));
    query_status(f);
    /* The driver invalidates the STE again: installed */
    smmu_put(f, QSMMU_CMD_CFGI_STE | (uint64_t)SMMU_VSID << 32, 1);
    g_assert_true(smmu_sync(f));
    g_assert_cmpuint(simh_stat(&f->env, "hwpt_nested"), ==, 3);
    smmu_round(f, 0x1000);
}

/* An invalidation batch refused at CMD_SYNC: CERROR_ILL on the sync. */
static void run_smmu_invalidate_sync(Fix *f, const Cell *c)
{
    uint64_t n0;

    smmu_probe(f);
    smmu_install_s1(f);
    n0 = simh_stat(&f->env, "invalidations");
    inject(f);
    smmu_put(f, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    smmu_put(f, QSMMU_CMD_SYNC, 0);
    g_assert_false(smmu_kick(f));
    g_assert_cmpuint(smmu_cons(f), ==, (f->s.cmdq_prod - 1) &
                     ((2u << f->s.cmdq_log2) - 1));
    g_assert_cmpuint(smmu_skip_err(f), ==, SMMU_CERROR_ILL);
    g_assert_cmpuint(smmu_cons(f), ==, f->s.cmdq_prod);
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0);
    query_status(f);
    /* The next batch goes through */
    smmu_put(f, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    g_assert_true(smmu_sync(f));
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0 + 1);
    smmu_round(f, 0x1000);
}

/* A batch refused when it is flushed after the last command: reported. */
static void run_smmu_invalidate_tail(Fix *f, const Cell *c)
{
    uint64_t n0;

    smmu_probe(f);
    smmu_install_s1(f);
    n0 = simh_stat(&f->env, "invalidations");
    inject(f);
    smmu_put(f, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    g_assert_true(smmu_kick(f));
    g_assert_cmphex(qsmmu_readl(&f->s, QSMMU_GERROR), ==, 0);
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0);
    query_status(f);
    smmu_put(f, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    g_assert_true(smmu_sync(f));
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0 + 1);
    smmu_round(f, 0x1000);
}

/* A full batch (64 commands) refused: CERROR_ILL on the 64th command. */
static void run_smmu_invalidate_full(Fix *f, const Cell *c)
{
    uint32_t mask;
    uint32_t start;
    uint64_t n0;

    smmu_probe(f);
    smmu_install_s1(f);
    mask = (2u << f->s.cmdq_log2) - 1;
    n0 = simh_stat(&f->env, "invalidations");
    start = f->s.cmdq_prod;
    inject(f);
    for (unsigned i = 0; i < 64; i++) {
        smmu_put(f, QSMMU_CMD_TLBI_NH_VA | 7ULL << 48, 0x1000ULL * (i + 1));
    }
    smmu_put(f, QSMMU_CMD_SYNC, 0);
    g_assert_false(smmu_kick(f));
    g_assert_cmpuint(smmu_cons(f), ==, (start + 63) & mask);
    g_assert_cmpuint(smmu_skip_err(f), ==, SMMU_CERROR_ILL);
    g_assert_cmpuint(smmu_cons(f), ==, f->s.cmdq_prod);
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0);
    query_status(f);
    smmu_put(f, QSMMU_CMD_TLBI_NH_ASID | 7ULL << 48, 0);
    g_assert_true(smmu_sync(f));
    g_assert_cmpuint(simh_stat(&f->env, "invalidations"), ==, n0 + 1);
    smmu_round(f, 0x1000);
}

/* Attaching the nested STE's HWPT refused: CERROR_ILL on the CFGI_STE. */
static void run_smmu_attach(Fix *f, const Cell *c)
{
    uint64_t ste[8];

    smmu_probe(f);
    inject(f);
    qsmmu_make_ste_s1(&f->s, ste, 7, SMMU_RAM + 0x800000);
    qsmmu_write_ste(&f->s, SMMU_VSID, ste);
    smmu_put(f, QSMMU_CMD_CFGI_STE | (uint64_t)SMMU_VSID << 32, 1);
    smmu_put(f, QSMMU_CMD_SYNC, 0);
    g_assert_false(smmu_kick(f));
    g_assert_cmpuint(smmu_skip_err(f), ==, SMMU_CERROR_ILL);
    g_assert_cmpuint(smmu_cons(f), ==, f->s.cmdq_prod);
    /* The refused HWPT was not kept */
    g_assert_cmpuint(simh_stat(&f->env, "hwpt_nested"), ==, 2);
    query_status(f);
    smmu_put(f, QSMMU_CMD_CFGI_STE | (uint64_t)SMMU_VSID << 32, 1);
    g_assert_true(smmu_sync(f));
    g_assert_cmpuint(simh_stat(&f->env, "hwpt_nested"), ==, 3);
    smmu_round(f, 0x1000);
}

/*
 * vEVENTQ read hiccups: three events arrive in order, exactly once.  A
 * short read of 60 bytes takes one 40-byte record, one of 20 none.
 */
static void run_smmu_read(Fix *f, const Cell *c)
{
    static const uint64_t iova[] = { 0x1000, 0x2000, 0x3000 };
    bool held;

    smmu_probe(f);
    held = read_hold(f, "veventq");
    for (unsigned i = 0; i < G_N_ELEMENTS(iova); i++) {
        g_assert_true(smmu_event(f, iova[i], true));
    }
    inject(f);
    read_release(f, "veventq", held);
    smmu_take(f, iova, G_N_ELEMENTS(iova));
    g_assert_true(smmu_sync(f));
    smmu_round(f, 0x4000);
}

/*
 * The vEVENTQ hangs up: reported once, no longer read; the command queue
 * works; a new guest driver (after a reset) gets a new vEVENTQ.
 */
static void run_smmu_read_hangup(Fix *f, const Cell *c)
{
    smmu_probe(f);
    smmu_round(f, 0x1000);
    inject(f);
    smmu_event(f, 0x2000, false);
    g_assert_true(simh_wait_stderr(&f->env, c->report, TIMEOUT_MS));
    for (int i = 0; i < 20; i++) {
        g_assert_true(smmu_sync(f));
    }
    query_status(f);
    qtest_qmp_assert_success(f->qts, "{'execute': 'system_reset'}");
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 0);
    qsmmu_cleanup(&f->s);
    qsmmu_init(&f->s, f->qts, SMMU_RAM + 0x2000000, 0x1000000);
    smmu_probe(f);
    g_assert_cmpuint(simh_stat(&f->env, "veventq"), ==, 1);
    smmu_round(f, 0x3000);
}

/* Wait until @iova arrives; what came before it goes to the ledger. */
static void smmu_take_after(Fix *f, uint64_t iova)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * 1000LL;
    uint64_t evt[4];

    for (;;) {
        if (qsmmu_evtq_pending(&f->s)) {
            g_assert_true(smmu_pop(f, evt));
            if (evt[2] == iova) {
                return;
            }
            continue;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }
}

/*
 * The same, but the guest driver only restarts its event queue
 * (EVENTQEN 1 -> 0 -> 1), as it may after an event queue error.
 */
static void run_smmu_read_hangup_reenable(Fix *f, const Cell *c)
{
    smmu_probe(f);
    smmu_round(f, 0x1000);
    inject(f);
    smmu_event(f, 0x2000, false);
    g_assert_true(simh_wait_stderr(&f->env, c->report, TIMEOUT_MS));
    g_assert_true(smmu_sync(f));
    smmu_toggle_eventqen(f);
    /*
     * 0x2000 is lost with the dead queue, or, if the unit replaced the
     * queue before the host reported it, arrives ahead of 0x3000.
     */
    g_assert_true(smmu_event(f, 0x3000, true));
    smmu_take_after(f, 0x3000);
    g_assert_true(smmu_sync(f));
}

/* ------------------------------------------------------------------ */
/* The matrix                                                          */

#define VTD     .model = MODEL_VTD
#define SMMU    .model = MODEL_SMMU
#define COLD    .cold_plug = true

static const Cell cells[] = {
    /* intel-iommu: PASID binding (HWPT_ALLOC with fault_id) */
    { "vtd/hwpt-alloc/errno", VTD, .run = run_vtd_bind_refused,
      .inject = "inject ioctl IOMMU_HWPT_ALLOC 1 ENOMEM",
      .report = "cannot bind", .names = "IOMMU_HWPT_ALLOC" },
    { "vtd/hwpt-alloc-rebind/errno", VTD, .run = run_vtd_hwpt_alloc_rebind,
      .inject = "inject ioctl IOMMU_HWPT_ALLOC 1 EIO",
      .report = "cannot rebind", .names = "IOMMU_HWPT_ALLOC" },
    /* FAULTQ allocation */
    { "vtd/faultq-alloc/errno", VTD, .run = run_vtd_faultq_alloc,
      .inject = "inject ioctl IOMMU_FAULT_QUEUE_ALLOC 1 ENOSPC",
      .report = "page requests disabled",
      .names = "IOMMU_FAULT_QUEUE_ALLOC" },
    /* attach and detach of a binding (the kernel answers on detach) */
    { "vtd/attach/errno", VTD, .run = run_vtd_bind_refused,
      .inject = "inject ioctl VFIO_DEVICE_ATTACH_IOMMUFD_PT 1 EIO",
      .report = "cannot bind", .names = "VFIO_DEVICE_ATTACH_IOMMUFD_PT" },
    { "vtd/detach/errno", VTD, .run = run_vtd_detach,
      .inject = "inject ioctl VFIO_DEVICE_DETACH_IOMMUFD_PT 1 EIO",
      .report = "PASID 1: VFIO_DEVICE_DETACH_IOMMUFD_PT",
      .names = "VFIO_DEVICE_DETACH_IOMMUFD_PT" },
    /* PIOTLB propagation */
    { "vtd/invalidate/errno", VTD, .run = run_vtd_invalidate,
      .inject = "inject ioctl IOMMU_HWPT_INVALIDATE 2 EIO",
      .report = "IOTLB invalidation not done",
      .names = "IOMMU_HWPT_INVALIDATE" },
    /* FAULTQ read */
    { "vtd/faultq-read/eagain", VTD, .run = run_vtd_read,
      .inject = "inject read fault eagain 5000" },
    { "vtd/faultq-read/eintr", VTD, .run = run_vtd_read,
      .inject = "inject read fault eintr 100" },
    { "vtd/faultq-read/short", VTD, .run = run_vtd_read,
      .inject = "inject read fault short 100" },
    { "vtd/faultq-read/short-nofit", VTD, .run = run_vtd_read,
      .inject = "inject read fault short 40" },
    /* Transient: the run ends, the next one reads everything */
    { "vtd/faultq-read/enomem", VTD, .run = run_vtd_read,
      .inject = "inject read fault errno ENOMEM 3",
      .report = "intel-iommu: FAULTQ: read failed",
      .names = "Cannot allocate memory" },
    { "vtd/faultq-read/hangup", VTD, .run = run_vtd_read_hangup,
      .inject = "inject close fault",
      .report = "intel-iommu: FAULTQ", .names = "Bad file descriptor" },
    { "vtd/faultq-read/hangup-leak", VTD, .run = run_vtd_read_hangup_leak,
      .inject = "inject close fault",
      .report = "intel-iommu: FAULTQ", .names = "Bad file descriptor" },
    { "vtd/faultq-read/errno", VTD, .run = run_vtd_read_hangup,
      .inject = "inject read fault errno EIO 1",
      .report = "intel-iommu: FAULTQ", .names = "Input/output error" },
    /* FAULTQ write (page group responses) */
    { "vtd/faultq-write/hangup", VTD, .run = run_vtd_write_hangup,
      .inject = "inject close fault",
      .report = "intel-iommu: FAULTQ", .names = "Bad file descriptor" },
    { "vtd/faultq-write/errno", VTD, .run = run_vtd_write_hangup,
      .inject = "inject write fault errno EIO 1",
      .report = "intel-iommu: FAULTQ", .names = "Input/output error" },
    { "vtd/faultq-write/eagain", VTD, .run = run_vtd_read,
      .inject = "inject write fault eagain 3" },
    { "vtd/faultq-write/eintr", VTD, .run = run_vtd_read,
      .inject = "inject write fault eintr 3" },

    /* arm-smmuv3: vIOMMU and vDEVICE at hot-plug */
    { "smmuv3/viommu-alloc/errno", SMMU, .run = run_smmu_plug_refused,
      .inject = "inject ioctl IOMMU_VIOMMU_ALLOC 1 ENOMEM",
      .report = "IOMMU_VIOMMU_ALLOC", .names = "Cannot allocate memory",
      .via_qmp = true },
    { "smmuv3/vdevice-alloc/errno", SMMU, .run = run_smmu_plug_refused,
      .inject = "inject ioctl IOMMU_VDEVICE_ALLOC 1 EBUSY",
      .report = "IOMMU_VDEVICE_ALLOC", .names = "Device or resource busy",
      .via_qmp = true },
    { "smmuv3/vdevice-alloc-second/errno", SMMU, COLD,
      .run = run_smmu_vdevice_second,
      .inject = "inject ioctl IOMMU_VDEVICE_ALLOC 1 ENOSPC",
      .report = "IOMMU_VDEVICE_ALLOC", .names = "No space left on device",
      .via_qmp = true },
    /* vEVENTQ allocation, both orderings */
    { "smmuv3/veventq-alloc/errno", SMMU, COLD,
      .run = run_smmu_veventq_alloc,
      .inject = "inject ioctl IOMMU_VEVENTQ_ALLOC 1 ENOMEM",
      .report = "cannot allocate the vEVENTQ",
      .names = "IOMMU_VEVENTQ_ALLOC" },
    { "smmuv3/veventq-alloc-hotplug/errno", SMMU,
      .run = run_smmu_veventq_alloc_hotplug,
      .inject = "inject ioctl IOMMU_VEVENTQ_ALLOC 1 ENOSPC",
      .report = "cannot allocate the vEVENTQ",
      .names = "IOMMU_VEVENTQ_ALLOC" },
    /* nested STE: its HWPT, its attachment */
    { "smmuv3/hwpt-alloc/errno", SMMU, COLD, .run = run_smmu_hwpt_alloc,
      .inject = "inject ioctl IOMMU_HWPT_ALLOC 1 EIO",
      .report = "nested HWPT from guest STE", .names = "IOMMU_HWPT_ALLOC" },
    { "smmuv3/attach/errno", SMMU, COLD, .run = run_smmu_attach,
      .inject = "inject ioctl VFIO_DEVICE_ATTACH_IOMMUFD_PT 1 EIO",
      .report = "arm-smmuv3: CFGI_STE",
      .names = "VFIO_DEVICE_ATTACH_IOMMUFD_PT" },
    /* invalidation batches */
    { "smmuv3/invalidate-sync/errno", SMMU, COLD,
      .run = run_smmu_invalidate_sync,
      .inject = "inject ioctl IOMMU_HWPT_INVALIDATE 1 EIO",
      .report = "arm-smmuv3: CMD_SYNC", .names = "IOMMU_HWPT_INVALIDATE" },
    { "smmuv3/invalidate-tail/errno", SMMU, COLD,
      .run = run_smmu_invalidate_tail,
      .inject = "inject ioctl IOMMU_HWPT_INVALIDATE 1 EIO",
      .report = "arm-smmuv3: invalidation",
      .names = "IOMMU_HWPT_INVALIDATE" },
    { "smmuv3/invalidate-full/errno", SMMU, COLD,
      .run = run_smmu_invalidate_full,
      .inject = "inject ioctl IOMMU_HWPT_INVALIDATE 1 EIO",
      .report = "arm-smmuv3: TLBI_NH_VA", .names = "IOMMU_HWPT_INVALIDATE" },
    /* vEVENTQ read */
    { "smmuv3/veventq-read/eagain", SMMU, COLD, .run = run_smmu_read,
      .inject = "inject read veventq eagain 5000" },
    { "smmuv3/veventq-read/eintr", SMMU, COLD, .run = run_smmu_read,
      .inject = "inject read veventq eintr 40" },
    { "smmuv3/veventq-read/short", SMMU, COLD, .run = run_smmu_read,
      .inject = "inject read veventq short 60" },
    { "smmuv3/veventq-read/short-nofit", SMMU, COLD, .run = run_smmu_read,
      .inject = "inject read veventq short 20" },
    { "smmuv3/veventq-read/enomem", SMMU, COLD, .run = run_smmu_read,
      .inject = "inject read veventq errno ENOMEM 3",
      .report = "arm-smmuv3: vEVENTQ: read failed",
      .names = "Cannot allocate memory" },
    { "smmuv3/veventq-read/hangup", SMMU, COLD, .run = run_smmu_read_hangup,
      .inject = "inject close veventq",
      .report = "reading the vEVENTQ failed",
      .names = "Bad file descriptor" },
    { "smmuv3/veventq-read/hangup-reenable", SMMU, COLD,
      .run = run_smmu_read_hangup_reenable,
      .inject = "inject close veventq",
      .report = "reading the vEVENTQ failed",
      .names = "Bad file descriptor" },
    { "smmuv3/veventq-read/errno", SMMU, COLD, .run = run_smmu_read_hangup,
      .inject = "inject read veventq errno EIO 1",
      .report = "reading the vEVENTQ failed",
      .names = "Input/output error" },
};

/* (b) the failure reported exactly once, naming the operation. */
static void check_reports(Fix *f, const Cell *c)
{
    g_autofree char *err = simh_stderr(&f->env);
    g_auto(GStrv) lines = g_strsplit(err, "\n", -1);
    unsigned reports = 0, others = 0;

    for (unsigned i = 0; lines[i]; i++) {
        if (!*lines[i]) {
            continue;
        }
        if (c->report && !c->via_qmp && strstr(lines[i], c->report)) {
            reports++;
            g_assert_nonnull(strstr(lines[i], c->names));
        } else if (g_str_has_prefix(lines[i], "viommu-system:") ||
                   strstr(lines[i], "IOMMU_")) {
            /* any other error or warning report (trace lines are not) */
            others++;
        }
    }
    if (c->via_qmp) {
        g_assert_nonnull(f->qmp_error);
        g_assert_nonnull(strstr(f->qmp_error, c->report));
        g_assert_nonnull(strstr(f->qmp_error, c->names));
        reports++;
    }
    if (reports != (c->report ? 1 : 0) || others || g_test_verbose()) {
        g_test_message("stderr of the binary:\n%s", err);
    }
    g_assert_cmpuint(reports, ==, c->report ? 1 : 0);
    g_assert_cmpuint(others, ==, 0);
}

static void test_cell(const void *opaque)
{
    const Cell *c = opaque;
    Fix f = { .cell = c };
    unsigned injected;

    if (c->skip) {
        g_test_skip(c->skip);
        return;
    }
    if (c->known_bug && !g_getenv("FAULT_INJECTION_KNOWN_BUGS")) {
        g_test_skip(c->known_bug);
        return;
    }
    if (c->model == MODEL_VTD) {
        vtd_start(&f);
    } else {
        smmu_start(&f, c->cold_plug);
    }
    c->run(&f, c);
    /* The failure really happened, as often as asked */
    if (sscanf(c->inject, "inject ioctl %*s %u", &injected) == 1) {
        g_assert_cmpuint(simh_stat(&f.env, "ioctls_injected"), ==, injected);
    }
    /* (a) */
    query_status(&f);
    /* (c) */
    if (c->model == MODEL_VTD) {
        vtd_check_groups(&f);
    } else {
        smmu_check_events(&f);
    }
    /* (d) */
    g_assert_cmpint(simh_quit(&f.env, f.qts), ==, 0);
    /* (b), once the binary has said everything it had to */
    check_reports(&f, c);

    if (f.v) {
        qvtd_free(f.v);
    }
    qsmmu_cleanup(&f.s);
    g_free(f.qmp_error);
    simh_env_cleanup(&f.env);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!simh_lib()) {
        g_test_skip("no iommufd simulator (IOMMUFD_SIM_LIB)");
        return g_test_run();
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(cells); i++) {
        g_autofree char *path = g_strdup_printf("/fault-injection/%s",
                                                cells[i].path);

        g_test_add_data_func(path, &cells[i], test_cell);
    }
    return g_test_run();
}
