/*
 * intel-iommu with passthrough devices under the iommufd simulator:
 * PASID binding, host page faults reaching the guest's Page Request
 * Queue, and the guest's answers reaching the host.
 *
 * The guest side (libqos/qos-intel-iommu.c) checks every field of every
 * descriptor it reads; the simulator's log ("responses") shows every
 * answer the host received, with its cookie and code, and whether the
 * simulated kernel gave it itself ("auto").
 */
#include <glib/gstdio.h>
#include <string.h>

#include "libqtest.h"
#include "libqos/qos-intel-iommu.h"

#define BDF_A           "0000:02:00.0"
#define BDF_B           "0000:03:00.0"
#define DEVFN_A         0x18            /* addr=3.0 */
#define DEVFN_B         0x20            /* addr=4.0 */
#define PRQ_VEC         0x50
#define FAULT_VEC       0x51
#define INV_VEC         0x52
#define TIMEOUT_MS      5000

typedef struct Fix {
    char *dir, *conf, *sock, *report;
    char *envp[5];
    QTestState *qts;
    QVTD *v;
} Fix;

static const char sim_conf[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF_A "]\n"
    "pasid-width=20\n"
    "pasid-exec=true\n"
    "pasid-priv=true\n"
    "pri=true\n"
    "pri-capacity=512\n"
    "ats=true\n"
    "[device " BDF_B "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "ats=true\n";

static const char *sim_lib(void)
{
    const char *lib = g_getenv("IOMMUFD_SIM_LIB");

    return lib && *lib ? lib : IOMMUFD_SIM_LIB;
}

static QTestState *fix_spawn(Fix *f, const char *iommu_props,
                             const char *extra)
{
    g_autofree char *args =
        g_strdup_printf("-M q35 -m 256M -nodefaults -display none "
                        "-object iommufd,id=iommufd0 "
                        "-device intel-iommu%s "
                        "-device vfio-pci,host=" BDF_A ",iommufd=iommufd0,"
                        "addr=3.0,id=dev-a %s", iommu_props, extra);

    return qtest_init_with_env(args, (const char *const *)f->envp);
}

static void fix_env(Fix *f, const char *conf)
{
    f->dir = g_dir_make_tmp("vtd-prq-XXXXXX", NULL);
    f->conf = g_build_filename(f->dir, "sim.conf", NULL);
    f->sock = g_build_filename(f->dir, "sim.sock", NULL);
    g_assert_true(g_file_set_contents(f->conf, conf, -1, NULL));
    f->envp[0] = g_strdup_printf("LD_PRELOAD=%s", sim_lib());
    f->envp[1] = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", f->conf);
    f->envp[2] = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", f->sock);
    f->report = g_build_filename(f->dir, "exit-report", NULL);
    f->envp[3] = g_strdup_printf("IOMMUFD_SIM_EXIT_REPORT=%s", f->report);
}

/* A guest that programs the unit the way Linux does, PRQ of 2^pqs pages. */
static void fix_guest(Fix *f, unsigned pqs)
{
    QVTD *v = qvtd_new(f->qts, 0x1000000, 0x2000000);

    f->v = v;
    qtest_irq_intercept_in(f->qts, "msi");
    qvtd_set_fault_msi(v, FAULT_VEC);
    qvtd_set_inv_msi(v, INV_VEC);
    qvtd_init_qi(v, 1);
    qvtd_init_prq(v, pqs, PRQ_VEC);
    qvtd_init_root(v);
    qvtd_set_context(v, DEVFN_A, 0, true);
    qvtd_set_context(v, DEVFN_B, 0, true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    g_assert_true(qvtd_wait(v));
    g_assert_true(qvtd_enable(v));
}

static void fix_start(Fix *f, bool two_devices, unsigned pqs)
{
    fix_env(f, sim_conf);
    f->qts = fix_spawn(f, ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                       "caching-mode=on",
                       two_devices ? "-device vfio-pci,host=" BDF_B
                       ",iommufd=iommufd0,addr=4.0,id=dev-b" : "");
    fix_guest(f, pqs);
}

static void fix_stop(Fix *f)
{
    qvtd_free(f->v);
    if (f->qts) {
        g_autofree char *report = NULL;

        qtest_quit(f->qts);
        /* Nothing left behind in the host: no HWPT, FAULTQ, IOAS... */
        g_assert_true(g_file_get_contents(f->report, &report, NULL, NULL));
        g_assert_true(g_str_has_prefix(report, "live 0\n"));
    }
    g_unlink(f->report);
    g_free(f->report);
    g_unlink(f->conf);
    g_unlink(f->sock);
    g_rmdir(f->dir);
    for (int i = 0; i < 4; i++) {
        g_free(f->envp[i]);
    }
    g_free(f->dir);
    g_free(f->conf);
    g_free(f->sock);
}

/* Bind @pasid of @devfn to a fresh first-stage table; returns its PML4. */
static uint64_t bind_fs(Fix *f, uint8_t devfn, uint32_t pasid, uint16_t did)
{
    uint64_t pml4 = qvtd_fs_new(f->v);
    uint64_t pe[8];

    qvtd_pasid_entry_fs(pe, did, pml4, 0);
    qvtd_set_pasid_entry(f->v, devfn, pasid, pe);
    g_assert_true(qvtd_flush_pasid(f->v, did, pasid));
    return pml4;
}

static void unbind(Fix *f, uint8_t devfn, uint32_t pasid, uint16_t did)
{
    qvtd_clear_pasid_entry(f->v, devfn, pasid);
    g_assert_true(qvtd_flush_pasid(f->v, did, pasid));
}

static unsigned count_objects(Fix *f, const char *type)
{
    g_autofree char *reply = qsim_cmd(f->sock, "objects");
    g_auto(GStrv) lines = g_strsplit(reply, "\n", -1);
    unsigned n = 0;

    g_assert_true(qsim_ok(reply));
    for (unsigned i = 0; lines[i]; i++) {
        char t[32];

        if (sscanf(lines[i], "%*u %31s", t) == 1 && !strcmp(t, type)) {
            n++;
        }
    }
    return n;
}

static void fault(Fix *f, const char *bdf, const char *pasid, uint64_t addr,
                  const char *perm, unsigned grpid, bool last)
{
    g_autofree char *r = qsim_cmd(f->sock, "fault %s %s 0x%" PRIx64
                                  " %s %u %d", bdf, pasid, addr, perm, grpid,
                                  last);

    g_assert_true(qsim_ok(r));
}

static unsigned drain(Fix *f, QVTDPageReq *out, unsigned n)
{
    unsigned got;

    g_assert_true(qvtd_prq_wait(f->v, n, TIMEOUT_MS));
    got = qvtd_prq_drain(f->v, out, n);
    g_assert_cmpuint(got, ==, n);
    for (unsigned i = 0; i < got; i++) {
        g_assert_true(out[i].reserved_ok);
    }
    return got;
}

static void check_req(const QVTDPageReq *r, uint16_t rid, uint32_t pasid,
                      uint64_t addr, bool rd, bool wr, bool lpig,
                      uint16_t prgi)
{
    g_assert_cmphex(r->rid, ==, rid);
    g_assert_true(r->pp);
    g_assert_cmpuint(r->pasid, ==, pasid);
    g_assert_cmphex(r->addr, ==, addr);
    g_assert_cmpint(r->rdr, ==, rd);
    g_assert_cmpint(r->wrr, ==, wr);
    g_assert_cmpint(r->lpig, ==, lpig);
    g_assert_cmpuint(r->prgi, ==, prgi);
    g_assert_false(r->exr);
    g_assert_false(r->pmr);
}

/* ---- tests ---- */

static void test_bind_two_pasids(void)
{
    Fix f = { 0 };

    fix_start(&f, false, 0);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    bind_fs(&f, DEVFN_A, 2, 2);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 2);
    /* One FAULTQ for the whole vIOMMU */
    g_assert_cmpuint(count_objects(&f, "fault"), ==, 1);
    /* Changing an entry rebinds (replace), removing one unbinds */
    bind_fs(&f, DEVFN_A, 2, 2);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 2);
    unbind(&f, DEVFN_A, 1, 1);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    fix_stop(&f);
}

static void test_single_page(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 5, 1);
    fault(&f, BDF_A, "5", 0x7f0000401000ULL, "w", 17, true);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 5, 0x7f0000401000ULL, false, true, true, 17);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PRS), ==, 0);
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 0);

    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_true(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_cmpuint(resp[0].cookie, !=, 0);
    g_assert_cmpint(resp[0].pasid, ==, 5);
    g_assert_cmpuint(resp[0].grpid, ==, 17);
    g_assert_cmpstr(resp[0].bdf, ==, BDF_A);

    /* Answering again is a stray response: nothing reaches the host */
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 1);
    fix_stop(&f);
}

static void test_multi_page_group(void)
{
    Fix f = { 0 };
    QVTDPageReq r[3];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 9, 3);
    fault(&f, BDF_A, "9", 0x10000, "r", 4, false);
    fault(&f, BDF_A, "9", 0x11000, "rw", 4, false);
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);  /* partial: not yet */
    fault(&f, BDF_A, "9", 0x12000, "r", 4, true);
    drain(&f, r, 3);
    check_req(&r[0], DEVFN_A, 9, 0x10000, true, false, false, 4);
    check_req(&r[1], DEVFN_A, 9, 0x11000, true, true, false, 4);
    check_req(&r[2], DEVFN_A, 9, 0x12000, true, false, true, 4);
    /* One interrupt: PPR stayed set while the group was written */
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);
    g_assert_true(qvtd_respond(f.v, &r[2], QVTD_RC_INVALID));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_cmpuint(resp[0].grpid, ==, 4);
    fix_stop(&f);
}

static void test_priv_exec(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];

    g_autofree char *bad = NULL;
    QSimResponse resp[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 3, 1);
    /*
     * Linux 7.2's PRQ thread answers privileged and exec+read requests
     * INVALID itself: they never reach the guest.
     */
    bad = qsim_cmd(f.sock, "fault %s 3 0x5000 rxp 2 1", BDF_A);
    g_assert_false(qsim_ok(bad));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_true(resp[0].automatic);
    /* exec with write does, with Execute Requested set */
    fault(&f, BDF_A, "3", 0x6000, "wx", 3, true);
    drain(&f, r, 1);
    g_assert_true(r[0].exr);
    g_assert_false(r[0].pmr);
    g_assert_true(r[0].wrr);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));
    fix_stop(&f);
}

static void test_two_devices(void)
{
    Fix f = { 0 };
    QVTDPageReq r[4];
    QSimResponse resp[8];
    unsigned seen_b = 0;

    fix_start(&f, true, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    bind_fs(&f, DEVFN_A, 2, 2);
    bind_fs(&f, DEVFN_B, 1, 3);
    g_assert_cmpuint(count_objects(&f, "fault"), ==, 1);
    fault(&f, BDF_A, "1", 0x1000, "r", 1, true);
    fault(&f, BDF_A, "2", 0x2000, "r", 1, true);
    fault(&f, BDF_B, "1", 0x3000, "w", 1, true);
    drain(&f, r, 3);
    check_req(&r[0], DEVFN_A, 1, 0x1000, true, false, true, 1);
    check_req(&r[1], DEVFN_A, 2, 0x2000, true, false, true, 1);
    check_req(&r[2], DEVFN_B, 1, 0x3000, false, true, true, 1);

    /* Device B answering A's group index on A's PASID: stray */
    qvtd_page_group_response(f.v, DEVFN_B, true, 2, 1, QVTD_RC_SUCCESS);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 0);

    for (unsigned i = 0; i < 3; i++) {
        g_assert_true(qvtd_respond(f.v, &r[i], QVTD_RC_SUCCESS));
    }
    g_assert_true(qsim_wait_responses(f.sock, 3, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 8), ==, 3);
    for (unsigned i = 0; i < 3; i++) {
        g_assert_true(resp[i].success);
        g_assert_false(resp[i].automatic);
        seen_b += !strcmp(resp[i].bdf, BDF_B);
    }
    g_assert_cmpuint(seen_b, ==, 1);
    fix_stop(&f);
}

/*
 * A 128-entry PRQ holds 127 requests.  Three more single-page groups:
 * the first sets PRO, all three are answered Success by the unit itself,
 * and no second interrupt fires.  Then the guest drains and answers.
 */
static void test_overflow(void)
{
    Fix f = { 0 };
    g_autofree QVTDPageReq *r = g_new0(QVTDPageReq, 130);
    g_autofree QSimResponse *resp = g_new0(QSimResponse, 200);
    unsigned n, user = 0, success = 0;

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    for (unsigned i = 0; i < 130; i++) {
        fault(&f, BDF_A, "1", 0x100000 + i * 0x1000ULL, "r", i % 512, true);
    }
    g_assert_true(qvtd_prq_wait(f.v, 127, TIMEOUT_MS));
    g_assert_true(qsim_wait_responses(f.sock, 3, TIMEOUT_MS));
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PRS), ==,
                    QVTD_PRS_PPR | QVTD_PRS_PRO);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);
    n = qsim_responses(f.sock, resp, 200);
    g_assert_cmpuint(n, ==, 3);
    for (unsigned i = 0; i < n; i++) {
        g_assert_true(resp[i].success);
        /* grpids 127, 128, 129 were the ones dropped */
        g_assert_cmpuint(resp[i].grpid, ==, 127 + i);
    }

    n = qvtd_prq_drain(f.v, r, 130);
    g_assert_cmpuint(n, ==, 127);
    /* Linux clears PRO once the queue is empty */
    qvtd_writel(f.v, QVTD_PRS, QVTD_PRS_PRO);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PRS), ==, 0);
    for (unsigned i = 0; i < n; i++) {
        g_assert_true(r[i].reserved_ok);
        g_assert_cmpuint(r[i].prgi, ==, i);
        qvtd_page_group_response(f.v, r[i].rid, r[i].pp, r[i].pasid,
                                 r[i].prgi, QVTD_RC_SUCCESS);
        if (i % 16 == 15) {
            g_assert_true(qvtd_wait(f.v));
        }
    }
    g_assert_true(qvtd_wait(f.v));
    g_assert_true(qsim_wait_responses(f.sock, 130, TIMEOUT_MS));
    n = qsim_responses(f.sock, resp, 200);
    g_assert_cmpuint(n, ==, 130);
    for (unsigned i = 0; i < n; i++) {
        success += resp[i].success;
        user += !resp[i].automatic;
    }
    g_assert_cmpuint(success, ==, 130);
    g_assert_cmpuint(user, ==, 130);

    /* Room again: a new request is queued and interrupts */
    fault(&f, BDF_A, "1", 0x900000, "r", 200, true);
    g_assert_true(qvtd_prq_wait(f.v, 1, TIMEOUT_MS));
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 2);
    fix_stop(&f);
}

/* Removing the PASID entry: the kernel answers INVALID, we never do. */
static void test_pasid_removal(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 7, 1);
    fault(&f, BDF_A, "7", 0x4000, "r", 9, true);
    drain(&f, r, 1);
    unbind(&f, DEVFN_A, 7, 1);
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_true(resp[0].automatic);
    /* The guest's late answer is stray now */
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 1);
    /* Faults on an unbound PASID have no domain: refused by the host */
    {
        g_autofree char *rep = qsim_cmd(f.sock, "fault " BDF_A
                                        " 7 0x4000 r 10 1");
        g_assert_false(qsim_ok(rep));
    }
    fix_stop(&f);
}

static void test_reset_outstanding(void)
{
    Fix f = { 0 };
    QVTDPageReq r[2];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    bind_fs(&f, DEVFN_A, 2, 2);
    fault(&f, BDF_A, "1", 0x4000, "r", 1, true);
    fault(&f, BDF_A, "2", 0x5000, "r", 2, true);
    drain(&f, r, 2);
    qtest_qmp_assert_success(f.qts, "{'execute': 'system_reset'}");
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 2);
    for (unsigned i = 0; i < 2; i++) {
        g_assert_false(resp[i].success);
        g_assert_true(resp[i].automatic);
    }
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    fix_stop(&f);
}

/* Reprogramming the PRQ: the unit answers what the guest can't see. */
static void test_prq_reprogram(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    fault(&f, BDF_A, "1", 0x4000, "r", 1, true);
    drain(&f, r, 1);
    qvtd_init_prq(f.v, 0, PRQ_VEC);
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 1);
    fix_stop(&f);
}

/* Host read hiccups lose nothing. */
static void test_read_errors(void)
{
    static const char *const kinds[] = { "eagain", "eintr", "short" };
    Fix f = { 0 };
    QVTDPageReq r[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++) {
        g_autofree char *rep = qsim_cmd(f.sock, "inject read fault %s %u",
                                        kinds[k],
                                        !strcmp(kinds[k], "short") ? 40 : 3);

        g_assert_true(qsim_ok(rep));
        /* a two-record group: a 40-byte read cannot hold it */
        fault(&f, BDF_A, "1", 0x1000 * (k + 1), "r", k, false);
        fault(&f, BDF_A, "1", 0x1000 * (k + 10), "r", k, true);
        drain(&f, r, 2);
        g_assert_cmpuint(r[1].prgi, ==, k);
        g_assert_true(r[1].lpig);
        g_assert_true(qvtd_respond(f.v, &r[1], QVTD_RC_SUCCESS));
    }
    g_assert_true(qsim_wait_responses(f.sock, 3, TIMEOUT_MS));
    fix_stop(&f);
}

/* FAULTQ and HWPT allocation failures: reported, the guest goes on. */
static void test_ioctl_failures(void)
{
    Fix f = { 0 };
    g_autofree char *r1 = NULL;

    fix_start(&f, false, 0);
    r1 = qsim_cmd(f.sock, "inject ioctl IOMMU_HWPT_ALLOC 1 ENOMEM");
    g_assert_true(qsim_ok(r1));
    bind_fs(&f, DEVFN_A, 1, 1);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    /* The next invalidation of that PASID binds it */
    g_assert_true(qvtd_flush_pasid(f.v, 1, 1));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);

    qtest_qmp_assert_success(f.qts, "{'execute': 'query-status'}");
    fix_stop(&f);
}

static void test_faultq_alloc_failure(void)
{
    Fix f = { 0 };
    g_autofree char *r1 = NULL, *r2 = NULL;

    fix_start(&f, false, 0);
    r1 = qsim_cmd(f.sock, "inject ioctl IOMMU_FAULT_QUEUE_ALLOC 1 ENOSPC");
    g_assert_true(qsim_ok(r1));
    bind_fs(&f, DEVFN_A, 4, 1);
    /* Bound, without a FAULTQ: DMA works, page requests do not */
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    g_assert_cmpuint(count_objects(&f, "fault"), ==, 0);
    r2 = qsim_cmd(f.sock, "fault " BDF_A " 4 0x1000 r 1 1");
    g_assert_false(qsim_ok(r2));
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);
    fix_stop(&f);
}

/* A DMA faults, the guest maps the page and answers, the DMA completes. */
static void test_dma(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    uint64_t pml4, page, iova = 0x40000000ULL;
    g_autofree char *d1 = NULL, *d2 = NULL;
    uint64_t id;

    fix_start(&f, false, 0);
    pml4 = bind_fs(&f, DEVFN_A, 6, 1);
    page = qvtd_alloc(f.v, 1);
    d1 = qsim_cmd(f.sock, "dma " BDF_A " 6 0x%" PRIx64 " w", iova);
    g_test_message("dma: %s", d1);
    g_assert_true(qsim_ok(d1));
    g_assert_nonnull(strstr(d1, "faulted"));
    g_assert_cmpint(sscanf(strstr(d1, "OK"), "OK id=%" SCNu64, &id), ==, 1);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 6, iova, false, true, true, r[0].prgi);
    qvtd_fs_map(f.v, pml4, iova, page,
                QVTD_PTE_RW | QVTD_PTE_US);
    qvtd_piotlb_inv(f.v, QVTD_PIOTLB_G_PAGE, 1, 6, iova, 0, false);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    d2 = qsim_cmd(f.sock, "dma-status %" PRIu64, id);
    g_test_message("dma-status: %s", d2);
    g_assert_nonnull(strstr(d2, "done"));
    {
        g_autofree char *gpa = g_strdup_printf("gpa=0x%" PRIx64, page);

        g_assert_nonnull(strstr(d2, gpa));
    }
    fix_stop(&f);
}

/*
 * Unplug with a group outstanding: the kernel answers it; the other
 * device goes on; plugging the device back binds from the tables.
 */
static void test_unplug(void)
{
    Fix f = { 0 };
    QVTDPageReq r[2];
    QSimResponse resp[4];

    fix_start(&f, true, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    bind_fs(&f, DEVFN_B, 1, 2);
    fault(&f, BDF_A, "1", 0x1000, "r", 1, true);
    fault(&f, BDF_B, "1", 0x2000, "r", 2, true);
    drain(&f, r, 2);
    qtest_qmp_assert_success(f.qts, "{'execute': 'device_del', "
                             "'arguments': {'id': 'dev-a'}}");
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_cmpstr(resp[0].bdf, ==, BDF_A);
    g_assert_false(resp[0].success);
    g_assert_true(resp[0].automatic);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);

    /* A's late answer is stray, B's goes through */
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qvtd_respond(f.v, &r[1], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 2);
    g_assert_cmpstr(resp[1].bdf, ==, BDF_B);
    g_assert_true(resp[1].success);
    g_assert_false(resp[1].automatic);

    /* Hot-plug A again: its PASID 1 entry is still in the guest tables */
    qtest_qmp_assert_success(f.qts, "{'execute': 'device_add', "
                             "'arguments': {'driver': 'vfio-pci', "
                             "'id': 'dev-a', 'host': '" BDF_A "', "
                             "'iommufd': 'iommufd0', 'addr': '3.0'}}");
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 2);
    fault(&f, BDF_A, "1", 0x3000, "r", 3, true);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 1, 0x3000, true, false, true, 3);
    fix_stop(&f);
}

/* Requests without PASID use the RID_PASID (0) entry; PP=0 both ways. */
static bool wait_fsts(Fix *f, uint32_t bits)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_MS * 1000LL;

    while ((qvtd_readl(f->v, QVTD_FSTS) & bits) != bits) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

/*
 * Context entry PRE=0 (spec 7.4.1 step 1, fault table: SCT.8, reason
 * 0x47): the page request is not queued, a non-recoverable fault is
 * recorded (FRCD, FSTS.PPF, fault event), and an LPIG=1 request is
 * answered Invalid Request.  A second one while the record is full sets
 * PFO; clearing F clears PPF; with FPD=1 nothing is recorded.
 */
static void test_pre_off(void)
{
    const uint64_t frcd_lo = 0x220, frcd_hi = 0x228;
    const uint64_t rid = DEVFN_A;   /* bus 0 */
    uint64_t ce;
    Fix f = { 0 };
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    qvtd_set_context(f.v, DEVFN_A, 0, false);
    qvtd_cc_global(f.v);
    g_assert_true(qvtd_wait(f.v));
    bind_fs(&f, DEVFN_A, 3, 1);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, FAULT_VEC), ==, 0);

    fault(&f, BDF_A, "3", 0x7f0000405000ULL, "w", 9, true);
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_true(wait_fsts(&f, 1u << 1));                  /* PPF */
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);
    g_assert_cmphex(qvtd_readq(f.v, frcd_lo), ==, 0x7f0000405000ULL);
    /* F, PV=3, FR=0x47, PP, {T1,T2}=01 (page request), SID */
    g_assert_cmphex(qvtd_readq(f.v, frcd_hi), ==,
                    1ULL << 63 | 3ULL << 40 | 0x47ULL << 32 | 1ULL << 31 |
                    1ULL << 28 | rid);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_FSTS) & 0xff00, ==, 0);    /* FRI */
    g_assert_cmpuint(qtest_get_irq_count(f.qts, FAULT_VEC), ==, 1);

    /* The only record is full: overflow, no new event */
    fault(&f, BDF_A, "3", 0x7f0000406000ULL, "r", 10, true);
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));
    g_assert_true(wait_fsts(&f, 1u << 0));                  /* PFO */
    g_assert_cmphex(qvtd_readq(f.v, frcd_lo), ==, 0x7f0000405000ULL);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, FAULT_VEC), ==, 1);

    /* Software clears F (RW1C) and PFO: FSTS is clean again */
    qvtd_writel(f.v, frcd_hi + 4, 1u << 31);
    qvtd_writel(f.v, QVTD_FSTS, 1u << 0);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_FSTS), ==, 0);
    g_assert_cmphex(qvtd_readq(f.v, frcd_hi) >> 63, ==, 0);

    /* FPD=1: the (qualified) fault is not recorded, still answered */
    ce = qtest_readq(f.qts, f.v->ctx[0] + DEVFN_A * 32);
    qtest_writeq(f.qts, f.v->ctx[0] + DEVFN_A * 32, ce | 1ULL << 1);
    fault(&f, BDF_A, "3", 0x7f0000407000ULL, "r", 11, true);
    g_assert_true(qsim_wait_responses(f.sock, 3, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 3);
    g_assert_false(resp[2].success);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_FSTS), ==, 0);
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);
    fix_stop(&f);
}

/*
 * max-bound-pasids: one PASID-cache invalidation over entries without
 * number (here a directory whose 64 entries all name one table of 64
 * present entries: 4096 PASIDs) binds no more than the limit; the first
 * PASID refused is recorded as an unusable PASID entry (reason 0x5b),
 * later ones overflow the record; room made by an unbind is used by the
 * next invalidation.
 */
static void test_bound_limit(void)
{
    const uint64_t frcd_hi = 0x228;
    Fix f = { 0 };
    uint64_t pe[8], dir, pdire;

    fix_env(&f, sim_conf);
    f.qts = fix_spawn(&f, ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                      "caching-mode=on,max-bound-pasids=4", "");
    fix_guest(&f, 0);
    qvtd_pasid_entry_fs(pe, 1, qvtd_fs_new(f.v), 0);
    qvtd_set_pasid_entries(f.v, DEVFN_A, 1, 63, pe, 1);
    dir = f.v->pasid_dir[DEVFN_A];
    pdire = qtest_readq(f.qts, dir);
    for (unsigned i = 1; i < 64; i++) {
        qtest_writeq(f.qts, dir + i * 8, pdire);
    }
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 4);
    /* PASIDs 1-4 bound; 5 refused: F, PV=5, FR=0x5b, PP, SID */
    g_assert_true(wait_fsts(&f, 1u << 1));
    g_assert_cmphex(qvtd_readq(f.v, frcd_hi), ==,
                    1ULL << 63 | 5ULL << 40 | 0x5bULL << 32 | 1ULL << 31 |
                    DEVFN_A);
    /* Again: still 4, and the full record overflows */
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 4);
    g_assert_true(wait_fsts(&f, 1u << 0));
    /* Unbinding PASID 2 makes room for PASID 5 */
    unbind(&f, DEVFN_A, 2, 3);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 3);
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 4);
    fault(&f, BDF_A, "5", 0x1000, "r", 1, true);
    g_assert_true(qvtd_prq_wait(f.v, 1, TIMEOUT_MS));
    fix_stop(&f);
}

/*
 * The default limit (4096): the attack in small, a directory
 * whose entries all name one full PASID table — 65 entries, 4160
 * present PASIDs — binds 4096 and records PASID 4097 as refused.
 */
static void test_bound_limit_default(void)
{
    Fix f = { 0 };
    uint64_t pe[8], dir, pdire;

    fix_start(&f, false, 0);
    qvtd_pasid_entry_fs(pe, 1, qvtd_fs_new(f.v), 0);
    qvtd_set_pasid_entries(f.v, DEVFN_A, 0, 64, pe, 1);
    dir = f.v->pasid_dir[DEVFN_A];
    pdire = qtest_readq(f.qts, dir);
    for (unsigned i = 1; i < 65; i++) {
        qtest_writeq(f.qts, dir + i * 8, pdire);
    }
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 4096);
    g_assert_true(wait_fsts(&f, 1u << 1));
    g_assert_cmphex((qvtd_readq(f.v, 0x228) >> 40) & 0xfffff, ==, 4096);
    fix_stop(&f);
}

static void test_rid_no_pasid(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 0, 1);
    fault(&f, BDF_A, "-", 0x6000, "r", 8, true);
    drain(&f, r, 1);
    g_assert_false(r[0].pp);
    g_assert_cmpuint(r[0].pasid, ==, 0);
    g_assert_cmphex(r[0].rid, ==, DEVFN_A);
    g_assert_cmphex(r[0].addr, ==, 0x6000);
    g_assert_cmpuint(r[0].prgi, ==, 8);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_cmpint(resp[0].pasid, ==, -1);
    g_assert_true(resp[0].success);
    fix_stop(&f);
}

/*
 * The FAULTQ fd dies: torn down (in a BH), the guest goes on, and the
 * next binding with page requests gets a new FAULTQ.
 */
static void test_faultq_hangup(void)
{
    Fix f = { 0 };
    g_autofree char *r1 = NULL;
    QVTDPageReq r[1];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    r1 = qsim_cmd(f.sock, "inject close fault");
    g_assert_true(qsim_ok(r1));
    fault(&f, BDF_A, "1", 0x1000, "r", 1, true);
    /* a few main-loop rounds: the read fails, the teardown BH runs */
    for (int i = 0; i < 20; i++) {
        qtest_qmp_assert_success(f.qts, "{'execute': 'query-status'}");
        g_usleep(1000);
    }
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);
    /* Rebinding PASID 1 (changed entry) uses a fresh FAULTQ */
    bind_fs(&f, DEVFN_A, 1, 1);
    fault(&f, BDF_A, "1", 0x2000, "r", 2, true);
    drain(&f, r, 1);
    g_assert_cmpuint(r[0].prgi, ==, 2);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    fix_stop(&f);
}

/*
 * The guest aims the page-request event MSI at the unit's own GCMD (data
 * 0: translation off).  The MSI is sent from the FAULTQ handler; it must
 * not re-enter the unit (which would unbind and free the PASID entry the
 * handler is still using): the write is refused, translation stays on,
 * the group stays outstanding and the guest's answer reaches the host.
 */
static void test_reenter_peaddr(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    qvtd_writel(f.v, QVTD_PEDATA, 0);
    qvtd_writel(f.v, QVTD_PEUADDR, 0);
    qvtd_writel(f.v, QVTD_PEADDR, QVTD_BASE + QVTD_GCMD);
    fault(&f, BDF_A, "1", 0x1000, "r", 3, true);
    drain(&f, r, 1);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_GSTS) & QVTD_GCMD_TE, ==,
                    QVTD_GCMD_TE);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    g_assert_cmpuint(qsim_responses(f.sock, NULL, 0), ==, 0);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_true(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_cmpuint(resp[0].grpid, ==, 3);
    fix_stop(&f);
}

/*
 * The guest puts its Page Request Queue on the unit's register page: the
 * descriptor write from the FAULTQ handler would land on GCMD (qw3 = 0).
 * Refused: the request is not queued and is answered Invalid at once, and
 * the unit is unchanged.
 */
static void test_reenter_pqa(void)
{
    Fix f = { 0 };
    QSimResponse resp[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    qvtd_writeq(f.v, QVTD_PQH, 0);
    qvtd_writeq(f.v, QVTD_PQT, 0);
    qvtd_writeq(f.v, QVTD_PQA, QVTD_BASE);
    fault(&f, BDF_A, "1", 0x1000, "r", 4, true);
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_false(resp[0].success);
    g_assert_false(resp[0].automatic);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_GSTS) & QVTD_GCMD_TE, ==,
                    QVTD_GCMD_TE);
    g_assert_cmphex(qvtd_readq(f.v, QVTD_PQT), ==, 0);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    fix_stop(&f);
}

/*
 * An inv_wait descriptor whose status write (data 0) the guest aimed at
 * GCMD.  The invalidation queue is worked through in a bottom half: the
 * write must not re-enter the unit from there (it would turn translation
 * off, unbinding everything, in the middle of the queue).
 */
static void test_reenter_inv_wait(void)
{
    Fix f = { 0 };
    QVTDPageReq r[1];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    /* Past the first slice (8 directory walks): the rest runs in the BH */
    for (unsigned i = 0; i < 12; i++) {
        qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    }
    qvtd_queue(f.v, 0x5 | (1ULL << 5), QVTD_BASE + QVTD_GCMD);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmphex(qvtd_readl(f.v, QVTD_GSTS) & QVTD_GCMD_TE, ==,
                    QVTD_GCMD_TE);
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1);
    fault(&f, BDF_A, "1", 0x1000, "r", 2, true);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 1, 0x1000, true, false, true, 2);
    fix_stop(&f);
}

/*
 * Two iommufd backends number their devices independently (both from 1):
 * the second backend's device is refused at plug time, with a message
 * naming both, and the first device goes on working.
 */
static void test_second_backend(void)
{
    Fix f = { 0 };
    g_autoptr(JsonObject) rsp = NULL;
    const char *desc;
    QVTDPageReq r[1];

    fix_env(&f, sim_conf);
    f.qts = fix_spawn(&f, ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                      "caching-mode=on",
                      "-object iommufd,id=iommufd1");
    fix_guest(&f, 0);
    rsp = qtest_qmp(f.qts, "{'execute': 'device_add', 'arguments': "
                    "{'driver': 'vfio-pci', 'host': '" BDF_B "', "
                    "'iommufd': 'iommufd1', 'addr': '4.0', 'id': 'dev-b'}}");
    g_assert_true(json_object_has_member(rsp, "error"));
    desc = json_object_get_string_member(
               json_object_get_object_member(rsp, "error"), "desc");
    g_test_message("%s", desc);
    g_assert_nonnull(strstr(desc, "must use the same iommufd object"));
    g_assert_nonnull(strstr(desc, "iommufd1"));
    g_assert_nonnull(strstr(desc, "iommufd0"));
    bind_fs(&f, DEVFN_A, 1, 1);
    fault(&f, BDF_A, "1", 0x1000, "r", 1, true);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 1, 0x1000, true, false, true, 1);
    fix_stop(&f);
}

/*
 * A page-request group larger than the FAULTQ read buffer (256 records
 * at first).  Linux 6.11-7.1 (and the simulator by default) read 0 when
 * the next group does not fit, 7.2 fails with EINVAL; both must grow the
 * buffer (up to the device's PRI capacity) and deliver the group whole,
 * never spin.  7.2 is played by injecting one EINVAL per too-small read.
 */
typedef struct BigGroup {
    unsigned records;
    unsigned einval;            /* 0: the 6.11-7.1 answer (0 bytes) */
} BigGroup;

static const char sim_conf_big_pri[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF_A "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "pri-capacity=1024\n"
    "ats=true\n";

static void test_big_group(const void *opaque)
{
    const BigGroup *bg = opaque;
    Fix f = { 0 };
    g_autofree QVTDPageReq *r = g_new0(QVTDPageReq, bg->records);
    QSimResponse resp[2];

    fix_env(&f, sim_conf_big_pri);
    f.qts = fix_spawn(&f, ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                      "caching-mode=on", "");
    fix_guest(&f, 3);           /* 1024 entries: the whole group fits */
    bind_fs(&f, DEVFN_A, 1, 1);
    for (unsigned i = 0; i + 1 < bg->records; i++) {
        fault(&f, BDF_A, "1", 0x100000 + i * 0x1000ULL, "r", 7, false);
    }
    if (bg->einval) {
        g_autofree char *rep = qsim_cmd(f.sock, "inject read fault errno "
                                        "EINVAL %u", bg->einval);

        g_assert_true(qsim_ok(rep));
    }
    fault(&f, BDF_A, "1", 0x100000 + (bg->records - 1) * 0x1000ULL, "r", 7,
          true);
    drain(&f, r, bg->records);
    for (unsigned i = 0; i < bg->records; i++) {
        check_req(&r[i], DEVFN_A, 1, 0x100000 + i * 0x1000ULL, true, false,
                  i + 1 == bg->records, 7);
    }
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);
    g_assert_true(qvtd_respond(f.v, &r[bg->records - 1], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_true(resp[0].success);
    g_assert_cmpuint(resp[0].grpid, ==, 7);
    fix_stop(&f);
}

/* CPU time (user + system) of @pid so far, in clock ticks. */
static unsigned long cpu_ticks(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    unsigned long utime, stime;
    const char *p;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    p = strrchr(text, ')');     /* the command name may hold spaces */
    g_assert_nonnull(p);
    g_assert_cmpint(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                           "%*u %lu %lu", &utime, &stime), ==, 2);
    return utime + stime;
}

/*
 * A group larger than the device's PRI capacity (the bound of the read
 * buffer) never fits.  The queue is given up (reported once) instead of
 * spinning on a readable fd; the guest goes on, and the next binding of
 * the PASID gets a new FAULTQ (and the kernel answers the stuck group).
 */
static void test_group_past_capacity(void)
{
    static const char conf[] =
        "[iommu]\ntype=intel-vtd\nnesting=true\n"
        "[device " BDF_A "]\npasid-width=20\npri=true\n"
        "pri-capacity=256\nats=true\n";
    Fix f = { 0 };
    QVTDPageReq r[1];
    QSimResponse resp[2];
    unsigned long before;

    fix_env(&f, conf);
    f.qts = fix_spawn(&f, ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                      "caching-mode=on", "");
    fix_guest(&f, 3);
    bind_fs(&f, DEVFN_A, 1, 1);
    for (unsigned i = 0; i < 299; i++) {
        fault(&f, BDF_A, "1", 0x100000 + i * 0x1000ULL, "r", 5, false);
    }
    fault(&f, BDF_A, "1", 0x500000, "r", 5, true);
    qtest_qmp_assert_success(f.qts, "{'execute': 'query-status'}");
    before = cpu_ticks(qtest_pid(f.qts));
    g_usleep(500 * 1000);
    qtest_qmp_assert_success(f.qts, "{'execute': 'query-status'}");
    /* A spinning handler would burn about 50 ticks (100 Hz) here. */
    g_assert_cmpuint(cpu_ticks(qtest_pid(f.qts)) - before, <, 25);
    g_assert_cmpuint(qvtd_prq_pending(f.v), ==, 0);
    /* The binding is replaced: the stuck group is answered by the kernel */
    bind_fs(&f, DEVFN_A, 1, 1);
    g_assert_true(qsim_wait_responses(f.sock, 1, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 2), ==, 1);
    g_assert_true(resp[0].automatic);
    g_assert_cmpuint(resp[0].grpid, ==, 5);
    /* ... and page requests flow again through a new FAULTQ */
    fault(&f, BDF_A, "1", 0x2000, "r", 6, true);
    drain(&f, r, 1);
    check_req(&r[0], DEVFN_A, 1, 0x2000, true, false, true, 6);
    fix_stop(&f);
}

static const BigGroup big_groups[] = {
    { 257, 0 }, { 1000, 0 }, { 257, 1 }, { 1000, 2 },
};

typedef struct PlugRefusal {
    const char *conf;
    const char *props;
    const char *message;
} PlugRefusal;

static const PlugRefusal plug_refusals[] = {
    { "[iommu]\ntype=intel-vtd\nnesting=false\n"
      "[device " BDF_A "]\npasid-width=20\npri=true\nats=true\n",
      /* vfio-pci's nesting-parent allocation is refused by the host. */
      ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,caching-mode=on",
      "the vIOMMU needs nested translation, which the host IOMMU refused" },
    { "[iommu]\ntype=intel-vtd\n"
      "[device " BDF_A "]\npasid-width=8\npri=true\nats=true\n",
      ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20,caching-mode=on",
      "pasid-bits=20 is wider than the host's 8 bits" },
    { "[iommu]\ntype=intel-vtd\n"
      "[device " BDF_A "]\npasid-width=20\n",
      ",x-scalable-mode=on,caching-mode=on", "need fsts=on" },
    { "[iommu]\ntype=arm-smmuv3\n"
      "[device " BDF_A "]\npasid-width=20\n",
      ",x-scalable-mode=on,x-flts=on,caching-mode=on", "not Intel VT-d" },
    /*
     * Without caching mode a Linux guest does not invalidate after making
     * a PASID entry present, so its bindings would never reach the host:
     * refused as upstream does, with upstream's message.
     */
    { "[iommu]\ntype=intel-vtd\n"
      "[device " BDF_A "]\npasid-width=20\npri=true\nats=true\n",
      ",x-scalable-mode=on,x-flts=on,svm=on,pasid=20",
      "Device assignment is not allowed without enabling caching-mode=on "
      "for Intel IOMMU." },
    { "[iommu]\ntype=intel-vtd\n"
      "[device " BDF_A "]\npasid-width=20\npri=true\nats=true\n",
      ",scalable-mode=on,fsts=on,svm=on,pasid-bits=20,caching-mode=off",
      "Device assignment is not allowed without enabling caching-mode=on "
      "for Intel IOMMU." },
};

/* Hot-plug without caching mode: the QMP error, and the VM goes on. */
static void test_hotplug_no_caching_mode(void)
{
    Fix f = { 0 };
    g_autofree char *args = NULL;
    g_autoptr(JsonObject) r = NULL;
    JsonObject *err;

    fix_env(&f, sim_conf);
    args = g_strdup_printf("-M q35 -m 256M -nodefaults -display none "
                           "-object iommufd,id=iommufd0 -device intel-iommu,"
                           "x-scalable-mode=on,x-flts=on,svm=on,pasid=20");
    f.qts = qtest_init_with_env(args, (const char *const *)f.envp);
    r = qtest_qmp(f.qts, "{'execute': 'device_add', 'arguments': "
                  "{'driver': 'vfio-pci', 'host': '" BDF_A "', "
                  "'iommufd': 'iommufd0', 'addr': '3.0', 'id': 'dev-a'}}");
    err = json_object_get_object_member(r, "error");
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(json_object_get_string_member(err, "desc"),
                            "Device assignment is not allowed without "
                            "enabling caching-mode=on for Intel IOMMU."));
    qtest_qmp_assert_success(f.qts, "{'execute': 'query-status'}");
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    fix_stop(&f);
}

/* Plugging a passthrough device that cannot be accelerated fails. */
static void test_plug_refusal(const void *opaque)
{
    const PlugRefusal *p = opaque;
    Fix f = { 0 };
    g_autofree char *args = NULL, *out = NULL, *err = NULL;
    int status;

    fix_env(&f, p->conf);
    args = g_strdup_printf("-M q35 -nodefaults -display none "
                           "-object iommufd,id=iommufd0 "
                           "-device intel-iommu%s "
                           "-device vfio-pci,host=" BDF_A ",iommufd=iommufd0",
                           p->props);
    g_assert_true(qtest_run_binary_full(args, (const char *const *)f.envp,
                                        &status, &out, &err));
    g_test_message("status %d: %s", status, err);
    g_assert_cmpint(status, ==, 1);
    g_assert_nonnull(strstr(err, p->message));
    g_assert_nonnull(strstr(err, "-device vfio-pci"));
    fix_stop(&f);
}

typedef struct HostInv {
    uint32_t hwpt;
    uint64_t addr, npages;
    uint32_t flags;
} HostInv;

/* The simulator's log of IOMMU_HWPT_INVALIDATE entries (VT-d S1 only). */
static unsigned host_invalidations(Fix *f, HostInv *out, unsigned max)
{
    g_autofree char *reply = qsim_cmd(f->sock, "invalidations");
    g_auto(GStrv) lines = g_strsplit(reply, "\n", -1);
    unsigned n = 0;

    g_assert_true(qsim_ok(reply));
    for (unsigned i = 0; lines[i]; i++) {
        char hex[64];
        uint8_t b[24];
        HostInv h = { 0 };

        if (sscanf(lines[i], "hwpt=%u type=0 %48s", &h.hwpt, hex) != 2 ||
            strlen(hex) != 48) {
            continue;
        }
        for (unsigned j = 0; j < 24; j++) {
            unsigned v;

            sscanf(hex + 2 * j, "%2x", &v);
            b[j] = v;
        }
        memcpy(&h.addr, b, 8);
        memcpy(&h.npages, b + 8, 8);
        memcpy(&h.flags, b + 16, 4);
        if (n < max) {
            out[n] = h;
        }
        n++;
    }
    return n;
}

/* PASID-based IOTLB invalidations reach the nested HWPT of that PASID. */
static void test_piotlb(void)
{
    Fix f = { 0 };
    HostInv h[16];
    unsigned n0, n;

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    bind_fs(&f, DEVFN_A, 2, 2);
    n0 = host_invalidations(&f, NULL, 0);

    /* page-selective: 2^2 pages at an unaligned address, leaf only */
    qvtd_piotlb_inv(f.v, QVTD_PIOTLB_G_PAGE, 2, 2, 0x12345000, 2, true);
    g_assert_true(qvtd_wait(f.v));
    n = host_invalidations(&f, h, 16);
    g_assert_cmpuint(n, ==, n0 + 1);
    g_assert_cmphex(h[n - 1].addr, ==, 0x12344000);
    g_assert_cmpuint(h[n - 1].npages, ==, 4);
    g_assert_cmpuint(h[n - 1].flags, ==, 1);

    /* PASID-selective: everything of PASID 1 */
    qvtd_piotlb_inv(f.v, QVTD_PIOTLB_G_PASID, 1, 1, 0, 0, false);
    g_assert_true(qvtd_wait(f.v));
    n = host_invalidations(&f, h, 16);
    g_assert_cmpuint(n, ==, n0 + 2);
    g_assert_cmphex(h[n - 1].addr, ==, 0);
    g_assert_cmphex(h[n - 1].npages, ==, UINT64_MAX);
    g_assert_cmpuint(h[n - 1].flags, ==, 0);
    g_assert_cmpuint(h[n - 1].hwpt, !=, h[n - 2].hwpt);

    /* wrong DID for PASID 1: nothing to flush */
    qvtd_piotlb_inv(f.v, QVTD_PIOTLB_G_PASID, 7, 1, 0, 0, false);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(host_invalidations(&f, NULL, 0), ==, n0 + 2);

    /* global IOTLB: every first-stage HWPT */
    qvtd_iotlb_global(f.v);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(host_invalidations(&f, NULL, 0), ==, n0 + 4);
    fix_stop(&f);
}

/* PECTL.IM holds the event in IP; unmasking delivers it once. */
static void test_prq_event_masked(void)
{
    Fix f = { 0 };
    QVTDPageReq r[2];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    qvtd_writel(f.v, QVTD_PECTL, QVTD_CTL_IM);
    fault(&f, BDF_A, "1", 0x1000, "r", 1, true);
    g_assert_true(qvtd_prq_wait(f.v, 1, TIMEOUT_MS));
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PECTL), ==,
                    QVTD_CTL_IM | QVTD_CTL_IP);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 0);
    qvtd_writel(f.v, QVTD_PECTL, 0);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PECTL), ==, 0);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);

    /* Masked again; clearing PPR with IP set clears IP: no MSI later */
    drain(&f, r, 1);
    qvtd_writel(f.v, QVTD_PECTL, QVTD_CTL_IM);
    fault(&f, BDF_A, "1", 0x2000, "r", 2, true);
    g_assert_true(qvtd_prq_wait(f.v, 1, TIMEOUT_MS));
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PECTL), ==,
                    QVTD_CTL_IM | QVTD_CTL_IP);
    qvtd_writel(f.v, QVTD_PRS, QVTD_PRS_PPR);
    g_assert_cmphex(qvtd_readl(f.v, QVTD_PECTL), ==, QVTD_CTL_IM);
    qvtd_writel(f.v, QVTD_PECTL, 0);
    g_assert_cmpuint(qtest_get_irq_count(f.qts, PRQ_VEC), ==, 1);
    fix_stop(&f);
}

/*
 * A device reusing a group index before the answer: both are kept,
 * answered oldest first, each exactly once.
 */
static void test_duplicate_group_index(void)
{
    Fix f = { 0 };
    QVTDPageReq r[2];
    QSimResponse resp[4];

    fix_start(&f, false, 0);
    bind_fs(&f, DEVFN_A, 1, 1);
    fault(&f, BDF_A, "1", 0x1000, "r", 6, true);
    fault(&f, BDF_A, "1", 0x2000, "r", 6, true);
    drain(&f, r, 2);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qvtd_respond(f.v, &r[1], QVTD_RC_INVALID));
    g_assert_true(qvtd_respond(f.v, &r[1], QVTD_RC_INVALID));
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));
    g_assert_cmpuint(qsim_responses(f.sock, resp, 4), ==, 2);
    g_assert_true(resp[0].success);
    g_assert_false(resp[1].success);
    g_assert_cmpuint(resp[0].cookie, !=, resp[1].cookie);
    fix_stop(&f);
}

/* Domain-selective and global PASID-cache invalidations: scope. */
static void test_pc_granularity(void)
{
    Fix f = { 0 };
    uint64_t pe[8];

    fix_start(&f, false, 0);
    for (uint32_t p = 1; p <= 3; p++) {
        qvtd_pasid_entry_fs(pe, p == 3 ? 6 : 5, qvtd_fs_new(f.v), 0);
        qvtd_set_pasid_entry(f.v, DEVFN_A, p, pe);
    }
    qvtd_pc_inv(f.v, QVTD_PC_G_DOMAIN, 5, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 2);
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 3);

    /* PASID 2 (DID 5) removed: a DID 6 invalidation does not see it */
    qvtd_clear_pasid_entry(f.v, DEVFN_A, 2);
    qvtd_pc_inv(f.v, QVTD_PC_G_DOMAIN, 6, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 3);
    /* nor a PASID-selective one naming the wrong domain */
    qvtd_pc_inv(f.v, QVTD_PC_G_PASID, 6, 2);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 3);
    qvtd_pc_inv(f.v, QVTD_PC_G_DOMAIN, 5, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 2);

    /* Context entry gone: a global invalidation unbinds everything */
    qtest_memset(f.qts, f.v->ctx[0] + DEVFN_A * 32, 0, 32);
    qvtd_cc_global(f.v);
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    fix_stop(&f);
}

/*
 * Open fds of the binary.  Exact right after a simulator command: qsim_cmd()
 * returns once the simulator has closed its end of the control connection.
 */
static unsigned count_fds(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *d = g_dir_open(path, 0, NULL);
    unsigned n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d)) {
        n++;
    }
    g_dir_close(d);
    return n;
}

/*
 * Many PASIDs, one FAULTQ: going from 1 to 1024 bindings with page
 * requests opens no fd, and faults on any of them are routed.
 */
static void test_many_pasids(void)
{
    Fix f = { 0 };
    QVTDPageReq r[2];
    uint64_t pe[8];
    unsigned fds;

    fix_start(&f, false, 0);
    /* The first binding with page requests opens the FAULTQ */
    bind_fs(&f, DEVFN_A, 1, 1);
    g_assert_cmpuint(count_objects(&f, "fault"), ==, 1);
    fds = count_fds(qtest_pid(f.qts));
    qvtd_pasid_entry_fs(pe, 0, qvtd_fs_new(f.v), 0);
    qvtd_set_pasid_entries(f.v, DEVFN_A, 2, 1023, pe, 0);
    qvtd_pc_inv(f.v, QVTD_PC_G_GLOBAL, 0, 0);
    g_assert_true(qvtd_wait(f.v));
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 1024);
    g_assert_cmpuint(count_objects(&f, "fault"), ==, 1);
    g_assert_cmpuint(count_fds(qtest_pid(f.qts)), ==, fds);

    fault(&f, BDF_A, "1024", 0x1000, "r", 1, true);
    fault(&f, BDF_A, "7", 0x2000, "w", 2, true);
    drain(&f, r, 2);
    check_req(&r[0], DEVFN_A, 1024, 0x1000, true, false, true, 1);
    check_req(&r[1], DEVFN_A, 7, 0x2000, false, true, true, 2);
    g_assert_true(qvtd_respond(f.v, &r[0], QVTD_RC_SUCCESS));
    g_assert_true(qvtd_respond(f.v, &r[1], QVTD_RC_SUCCESS));
    g_assert_true(qsim_wait_responses(f.sock, 2, TIMEOUT_MS));

    /* A reset unbinds them all */
    qtest_qmp_assert_success(f.qts, "{'execute': 'system_reset'}");
    g_assert_cmpuint(count_objects(&f, "hwpt_nested"), ==, 0);
    fix_stop(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!*sim_lib()) {
        g_test_skip("no iommufd simulator");
        return g_test_run();
    }
    g_test_add_func("/intel-iommu-prq/bind-two-pasids", test_bind_two_pasids);
    g_test_add_func("/intel-iommu-prq/single-page", test_single_page);
    g_test_add_func("/intel-iommu-prq/multi-page", test_multi_page_group);
    g_test_add_func("/intel-iommu-prq/priv-exec", test_priv_exec);
    g_test_add_func("/intel-iommu-prq/two-devices", test_two_devices);
    g_test_add_func("/intel-iommu-prq/overflow", test_overflow);
    g_test_add_func("/intel-iommu-prq/pasid-removal", test_pasid_removal);
    g_test_add_func("/intel-iommu-prq/reset", test_reset_outstanding);
    g_test_add_func("/intel-iommu-prq/prq-reprogram", test_prq_reprogram);
    g_test_add_func("/intel-iommu-prq/read-errors", test_read_errors);
    g_test_add_func("/intel-iommu-prq/hwpt-alloc-failure", test_ioctl_failures);
    g_test_add_func("/intel-iommu-prq/faultq-alloc-failure",
                    test_faultq_alloc_failure);
    g_test_add_func("/intel-iommu-prq/dma", test_dma);
    g_test_add_func("/intel-iommu-prq/unplug", test_unplug);
    g_test_add_func("/intel-iommu-prq/piotlb", test_piotlb);
    g_test_add_func("/intel-iommu-prq/many-pasids", test_many_pasids);
    g_test_add_func("/intel-iommu-prq/pc-granularity", test_pc_granularity);
    g_test_add_func("/intel-iommu-prq/event-masked", test_prq_event_masked);
    g_test_add_func("/intel-iommu-prq/duplicate-group-index",
                    test_duplicate_group_index);
    for (unsigned i = 0; i < G_N_ELEMENTS(plug_refusals); i++) {
        g_autofree char *name =
            g_strdup_printf("/intel-iommu-prq/plug-refusal/%u", i);

        g_test_add_data_func(name, &plug_refusals[i], test_plug_refusal);
    }
    g_test_add_func("/intel-iommu-prq/faultq-hangup", test_faultq_hangup);
    g_test_add_func("/intel-iommu-prq/rid-no-pasid", test_rid_no_pasid);
    g_test_add_func("/intel-iommu-prq/pre-off", test_pre_off);
    g_test_add_func("/intel-iommu-prq/bound-limit", test_bound_limit);
    g_test_add_func("/intel-iommu-prq/bound-limit-default",
                    test_bound_limit_default);
    g_test_add_func("/intel-iommu-prq/hotplug-no-caching-mode",
                    test_hotplug_no_caching_mode);
    g_test_add_func("/intel-iommu-prq/reenter-peaddr", test_reenter_peaddr);
    g_test_add_func("/intel-iommu-prq/reenter-pqa", test_reenter_pqa);
    g_test_add_func("/intel-iommu-prq/reenter-inv-wait",
                    test_reenter_inv_wait);
    g_test_add_func("/intel-iommu-prq/second-backend", test_second_backend);
    for (unsigned i = 0; i < G_N_ELEMENTS(big_groups); i++) {
        g_autofree char *name = g_strdup_printf(
            "/intel-iommu-prq/big-group/%u-%s", big_groups[i].records,
            big_groups[i].einval ? "einval" : "zero");

        g_test_add_data_func(name, &big_groups[i], test_big_group);
    }
    g_test_add_func("/intel-iommu-prq/big-group/past-capacity",
                    test_group_past_capacity);
    return g_test_run();
}
