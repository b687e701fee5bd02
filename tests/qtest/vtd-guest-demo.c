/*
 * The main job: a scripted VT-d guest against the iommufd simulator.
 *
 *   vtd-guest-demo SIM_LIB SIM_CONFIG SIM_SOCKET
 *
 * Starts viommu-system (LD_PRELOADing the simulator) with an fsts=on,
 * svm=on intel-iommu and one passthrough device, then behaves like the
 * guest's intel-iommu driver: builds scalable-mode tables, binds two
 * PASIDs to first-stage tables, takes the page requests the host's
 * faults turn into from its PRQ, maps the pages, answers, and prints what
 * crossed each way.  Exit status 0 only if everything matched.
 * scripts/main-job.sh writes the simulator config and runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libqtest.h"
#include "libqos/qos-intel-iommu.h"

#define BDF             "0000:02:00.0"
#define DEVFN           0x18
#define PRQ_VEC         0x50

static int failures;

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (!(cond)) {                                          \
            failures++;                                         \
            printf("  FAILED: " __VA_ARGS__);                   \
            printf("\n");                                       \
        }                                                       \
    } while (0)

static void fault(const char *sock, uint32_t pasid, uint64_t addr,
                  const char *perm, unsigned grpid, bool last)
{
    g_autofree char *r = qsim_cmd(sock, "fault " BDF " %u 0x%" PRIx64
                                  " %s %u %d", pasid, addr, perm, grpid, last);

    printf("  host  -> fault  %s pasid %u addr 0x%" PRIx64 " %s grp %u%s\n",
           BDF, pasid, addr, perm, grpid, last ? " (last)" : "");
    CHECK(qsim_ok(r), "simulator refused the fault: %s", r);
}

static void print_req(const QVTDPageReq *r)
{
    printf("  guest <- PRQ    rid %02x:%02x.%x pasid %u addr 0x%" PRIx64
           " %s%s%s prgi %u%s\n", r->rid >> 8, (r->rid >> 3) & 0x1f,
           r->rid & 7, r->pasid, r->addr, r->rdr ? "R" : "", r->wrr ? "W" : "",
           r->pmr ? "P" : "", r->prgi, r->lpig ? " LPIG" : "");
}

static unsigned take(QVTD *v, QVTDPageReq *r, unsigned n)
{
    unsigned got;

    CHECK(qvtd_prq_wait(v, n, 5000), "%u page requests did not arrive", n);
    got = qvtd_prq_drain(v, r, n);
    for (unsigned i = 0; i < got; i++) {
        print_req(&r[i]);
        CHECK(r[i].reserved_ok, "descriptor %u has reserved bits set", i);
        CHECK(r[i].rid == DEVFN && r[i].pp, "descriptor %u: wrong RID/PP", i);
    }
    return got;
}

static void respond(QVTD *v, const QVTDPageReq *r, unsigned rc)
{
    printf("  guest -> answer rid %02x:%02x.%x pasid %u prgi %u %s\n",
           r->rid >> 8, (r->rid >> 3) & 0x1f, r->rid & 7, r->pasid, r->prgi,
           rc == QVTD_RC_SUCCESS ? "Success" : "Invalid Request");
    CHECK(qvtd_respond(v, r, rc), "invalidation queue error");
}

int main(int argc, char **argv)
{
    const char *lib, *conf, *sock;
    g_autofree char *e0 = NULL, *e1 = NULL, *e2 = NULL;
    const char *envp[4];
    QSimResponse resp[16];
    QVTDPageReq r[8];
    QTestState *qts;
    QVTD *v;
    uint64_t pml4[3], page;
    unsigned n, ok_answers = 0;
    g_autofree char *d1 = NULL, *d2 = NULL;

    if (argc != 4) {
        fprintf(stderr, "usage: %s SIM_LIB SIM_CONFIG SIM_SOCKET\n", argv[0]);
        return 2;
    }
    lib = argv[1];
    conf = argv[2];
    sock = argv[3];
    envp[0] = e0 = g_strdup_printf("LD_PRELOAD=%s", lib);
    envp[1] = e1 = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", conf);
    envp[2] = e2 = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", sock);
    envp[3] = NULL;

    printf("== VT-d guest demo: intel-iommu x-flts=on svm=on pasid=20 "
           "caching-mode=on, vfio-pci %s at 00:03.0 ==\n", BDF);
    qts = qtest_init_with_env("-M q35 -m 256M -nodefaults -display none "
                              "-object iommufd,id=iommufd0 "
                              "-device intel-iommu,x-scalable-mode=on,"
                              "x-flts=on,svm=on,pasid=20,caching-mode=on "
                              "-device vfio-pci,host=" BDF ",iommufd=iommufd0,"
                              "addr=3.0", envp);
    v = qvtd_new(qts, 0x1000000, 0x1000000);
    qtest_irq_intercept_in(qts, "msi");

    printf("-- guest driver: root table, 256-bit IQ, PRQ, context entry\n");
    qvtd_init_qi(v, 1);
    qvtd_init_prq(v, 0, PRQ_VEC);
    qvtd_init_root(v);
    qvtd_set_context(v, DEVFN, 0, true);
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    CHECK(qvtd_wait(v), "setup invalidations failed");
    CHECK(qvtd_enable(v), "translation did not enable");

    printf("-- bind PASID 1 and PASID 2 to first-stage tables\n");
    for (uint32_t p = 1; p <= 2; p++) {
        uint64_t pe[8];

        pml4[p] = qvtd_fs_new(v);
        qvtd_pasid_entry_fs(pe, p, pml4[p], 0);
        qvtd_set_pasid_entry(v, DEVFN, p, pe);
        CHECK(qvtd_flush_pasid(v, p, p), "PASID %u flush failed", p);
        printf("  PASID %u: DID %u, FSPTPTR 0x%" PRIx64 "\n", p, p, pml4[p]);
    }

    printf("-- host faults: one page on PASID 1, a two-page group on "
           "PASID 2\n");
    fault(sock, 1, 0x7f0000001000ULL, "r", 3, true);
    fault(sock, 2, 0x7f0000100000ULL, "w", 5, false);
    fault(sock, 2, 0x7f0000101000ULL, "w", 5, true);
    n = take(v, r, 3);
    CHECK(n == 3, "expected 3 page requests, got %u", n);
    CHECK(qtest_get_irq_count(qts, PRQ_VEC) >= 1, "no page request MSI");

    printf("-- guest maps the pages and answers\n");
    for (unsigned i = 0; i < n; i++) {
        page = qvtd_alloc(v, 1);
        qvtd_fs_map(v, pml4[r[i].pasid], r[i].addr, page,
                    QVTD_PTE_RW | QVTD_PTE_US);
        qvtd_piotlb_inv(v, QVTD_PIOTLB_G_PAGE, r[i].pasid, r[i].pasid,
                        r[i].addr, 0, false);
        if (r[i].lpig) {
            respond(v, &r[i], QVTD_RC_SUCCESS);
        }
    }

    printf("-- a device DMA on PASID 1 to an unmapped page\n");
    d1 = qsim_cmd(sock, "dma " BDF " 1 0x40000000 w");
    printf("  host  -> dma    %s", d1);
    n = take(v, r, 1);
    if (n == 1) {
        page = qvtd_alloc(v, 1);
        qvtd_fs_map(v, pml4[1], r[0].addr, page, QVTD_PTE_RW | QVTD_PTE_US);
        qvtd_piotlb_inv(v, QVTD_PIOTLB_G_PAGE, 1, 1, r[0].addr, 0, false);
        respond(v, &r[0], QVTD_RC_SUCCESS);
        qsim_wait_responses(sock, 3, 5000);
        d2 = qsim_cmd(sock, "dma-status 1");
        printf("  host  <- dma    %s", d2);
        CHECK(strstr(d2, "state=done"), "the DMA did not complete");
    }

    printf("-- what the host received\n");
    CHECK(qsim_wait_responses(sock, 3, 5000), "answers missing");
    n = qsim_responses(sock, resp, G_N_ELEMENTS(resp));
    for (unsigned i = 0; i < n && i < G_N_ELEMENTS(resp); i++) {
        printf("  host  <- answer cookie %u %s %s pasid %" PRId64
               " grp %u (%s)\n", resp[i].cookie,
               resp[i].success ? "SUCCESS" : "INVALID", resp[i].bdf,
               resp[i].pasid, resp[i].grpid,
               resp[i].automatic ? "kernel" : "guest");
        ok_answers += resp[i].success && !resp[i].automatic;
    }
    CHECK(n == 3 && ok_answers == 3, "expected 3 SUCCESS answers from the "
          "guest, got %u answers", n);

    printf("== report: host->guest 4 page requests (3 groups); "
           "guest->host %u answers; DMA %s; %s ==\n", n,
           d2 && strstr(d2, "state=done") ? "completed" : "NOT completed",
           failures ? "FAILED" : "OK");
    qvtd_free(v);
    qtest_quit(qts);
    return failures ? 1 : 0;
}
