/*
 * A VT-d guest driver over libqtest (see qos-intel-iommu.h).
 *
 * Table layouts follow the VT-d specification, chapter 9 (scalable-mode
 * root, context, PASID directory and PASID table entries) and 6.5.2
 * (invalidation descriptors); the PRQ handler follows the sequence of the
 * spec's section 7.5 (clear PPR, read PQT, process, write PQH).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qos-intel-iommu.h"

#define PAGE                    4096ULL

QVTD *qvtd_new(QTestState *qts, uint64_t alloc_base, uint64_t alloc_size)
{
    QVTD *v = g_new0(QVTD, 1);

    v->qts = qts;
    v->base = QVTD_BASE;
    v->next = alloc_base;
    v->end = alloc_base + alloc_size;
    v->pasid_tables = g_hash_table_new(NULL, NULL);
    return v;
}

void qvtd_free(QVTD *v)
{
    if (v) {
        g_hash_table_unref(v->pasid_tables);
        g_free(v);
    }
}

uint32_t qvtd_readl(QVTD *v, uint64_t off)
{
    return qtest_readl(v->qts, v->base + off);
}

uint64_t qvtd_readq(QVTD *v, uint64_t off)
{
    return qtest_readq(v->qts, v->base + off);
}

void qvtd_writel(QVTD *v, uint64_t off, uint32_t val)
{
    qtest_writel(v->qts, v->base + off, val);
}

void qvtd_writeq(QVTD *v, uint64_t off, uint64_t val)
{
    qtest_writeq(v->qts, v->base + off, val);
}

uint64_t qvtd_alloc(QVTD *v, unsigned pages)
{
    uint64_t a = v->next;

    g_assert_cmpuint(a + pages * PAGE, <=, v->end);
    v->next += pages * PAGE;
    qtest_memset(v->qts, a, 0, pages * PAGE);
    return a;
}

bool qvtd_gcmd(QVTD *v, uint32_t bit, bool on)
{
    uint32_t cmd = qvtd_readl(v, QVTD_GSTS) & QVTD_GSTS_ONE_SHOT_MASK;

    cmd = on ? cmd | bit : cmd & ~bit;
    qvtd_writel(v, QVTD_GCMD, cmd);
    for (int i = 0; i < 100; i++) {
        /* SRTP's status bit is RTPS: set once the pointer is latched */
        bool set = qvtd_readl(v, QVTD_GSTS) & bit;

        if (set == on) {
            return true;
        }
    }
    return false;
}

void qvtd_init_root(QVTD *v)
{
    v->root = qvtd_alloc(v, 1);
    qvtd_writeq(v, QVTD_RTADDR, v->root | (1ULL << 10));
    g_assert_true(qvtd_gcmd(v, QVTD_GCMD_SRTP, true));
}

void qvtd_init_qi(QVTD *v, unsigned qs)
{
    v->iq = qvtd_alloc(v, 1U << qs);
    v->iq_entries = 1U << (qs + 7);
    v->iq_tail = 0;
    v->status = qvtd_alloc(v, 1);
    qvtd_writeq(v, QVTD_IQT, 0);
    qvtd_writeq(v, QVTD_IQA, v->iq | (1ULL << 11) | qs);
    g_assert_true(qvtd_gcmd(v, QVTD_GCMD_QIE, true));
}

void qvtd_set_fault_msi(QVTD *v, uint8_t vector)
{
    qvtd_writel(v, QVTD_FEDATA, vector);
    qvtd_writel(v, QVTD_FEADDR, (uint32_t)QVTD_MSI_BASE);
    qvtd_writel(v, QVTD_FEUADDR, 0);
    qvtd_writel(v, QVTD_FECTL, 0);
}

void qvtd_set_inv_msi(QVTD *v, uint8_t vector)
{
    qvtd_writel(v, QVTD_IEDATA, vector);
    qvtd_writel(v, QVTD_IEADDR, (uint32_t)QVTD_MSI_BASE);
    qvtd_writel(v, QVTD_IEUADDR, 0);
    qvtd_writel(v, QVTD_IECTL, 0);
}

void qvtd_init_prq(QVTD *v, unsigned pqs, uint8_t vector)
{
    v->prq = qvtd_alloc(v, 1U << pqs);
    v->prq_entries = 1U << (pqs + 7);
    qvtd_writeq(v, QVTD_PQH, 0);
    qvtd_writeq(v, QVTD_PQT, 0);
    qvtd_writeq(v, QVTD_PQA, v->prq | pqs);
    qvtd_writel(v, QVTD_PEDATA, vector);
    qvtd_writel(v, QVTD_PEADDR, (uint32_t)QVTD_MSI_BASE);
    qvtd_writel(v, QVTD_PEUADDR, 0);
    qvtd_writel(v, QVTD_PECTL, 0);
}

bool qvtd_enable(QVTD *v)
{
    return qvtd_gcmd(v, QVTD_GCMD_TE, true);
}

/* ---- tables ---- */

static void qvtd_write_qws(QVTD *v, uint64_t gpa, const uint64_t *qw,
                           unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        qtest_writeq(v->qts, gpa + 8 * i, qw[i]);
    }
}

/* Root entry of @bus: 16 bytes, lower then upper context table. */
static uint64_t qvtd_root_entry(QVTD *v, uint8_t bus, bool upper)
{
    return v->root + 16 * bus + 8 * upper;
}

void qvtd_set_bus(QVTD *v, uint8_t bus)
{
    for (int upper = 0; upper < 2; upper++) {
        qtest_writeq(v->qts, qvtd_root_entry(v, v->bus, upper), 0);
    }
    v->bus = bus;
    for (int upper = 0; upper < 2; upper++) {
        if (v->ctx[upper]) {
            qtest_writeq(v->qts, qvtd_root_entry(v, bus, upper),
                         v->ctx[upper] | 1);
        }
    }
}

void qvtd_set_context(QVTD *v, uint8_t devfn, unsigned pdts, bool pre)
{
    bool upper = devfn >= 0x80;
    uint64_t ce[4] = { 0 };

    if (!v->ctx[upper]) {
        v->ctx[upper] = qvtd_alloc(v, 1);
        qtest_writeq(v->qts, qvtd_root_entry(v, v->bus, upper),
                     v->ctx[upper] | 1);
    }
    if (!v->pasid_dir[devfn] || v->pdts[devfn] != pdts) {
        /* 2^(pdts+7) 8-byte entries */
        v->pasid_dir[devfn] = qvtd_alloc(v, MAX(1U, (1U << (pdts + 7)) / 512));
        v->pdts[devfn] = pdts;
    }
    /* P, DTE (device TLB, needed for page requests), PASIDE, PRE */
    ce[0] = v->pasid_dir[devfn] | ((uint64_t)pdts << 9) | (1ULL << 3) |
            (1ULL << 2) | 1;
    if (pre) {
        ce[0] |= 1ULL << 4;
    }
    qvtd_write_qws(v, v->ctx[upper] + (devfn & 0x7f) * 32, ce, 4);
}

static uint64_t qvtd_pasid_slot(QVTD *v, uint8_t devfn, uint32_t pasid,
                                bool create)
{
    uint32_t dir = pasid >> 6;
    gpointer key = GUINT_TO_POINTER((devfn << 16) | dir);
    uint64_t table = (uintptr_t)g_hash_table_lookup(v->pasid_tables, key);

    g_assert_true(v->pasid_dir[devfn]);
    g_assert_cmpuint(dir, <, 1U << (v->pdts[devfn] + 7));
    if (!table) {
        if (!create) {
            return 0;
        }
        table = qvtd_alloc(v, 1);
        g_hash_table_insert(v->pasid_tables, key,
                            (gpointer)(uintptr_t)table);
        qtest_writeq(v->qts, v->pasid_dir[devfn] + 8 * dir, table | 1);
    }
    return table + (pasid & 63) * 64;
}

void qvtd_set_pasid_entry(QVTD *v, uint8_t devfn, uint32_t pasid,
                          const uint64_t pe[8])
{
    qvtd_write_qws(v, qvtd_pasid_slot(v, devfn, pasid, true), pe, 8);
}

void qvtd_set_pasid_entries(QVTD *v, uint8_t devfn, uint32_t first,
                            uint32_t n, const uint64_t pe[8],
                            uint16_t did_base)
{
    uint64_t buf[64 * 8];

    while (n) {
        uint32_t in_table = MIN(n, 64 - (first & 63));
        uint64_t slot = qvtd_pasid_slot(v, devfn, first, true);

        for (uint32_t i = 0; i < in_table; i++) {
            memcpy(&buf[i * 8], pe, 64);
            buf[i * 8 + 1] = (pe[1] & ~0xffffULL) |
                             (uint16_t)(did_base + first + i);
        }
        qtest_memwrite(v->qts, slot, buf, in_table * 64);
        first += in_table;
        n -= in_table;
    }
}

void qvtd_clear_pasid_entry(QVTD *v, uint8_t devfn, uint32_t pasid)
{
    uint64_t slot = qvtd_pasid_slot(v, devfn, pasid, false);

    if (slot) {
        qtest_memset(v->qts, slot, 0, 64);
    }
}

void qvtd_pasid_entry_fs(uint64_t pe[8], uint16_t did, uint64_t fsptptr,
                         uint64_t qw2_flags)
{
    memset(pe, 0, 8 * sizeof(pe[0]));
    pe[0] = 1 | ((uint64_t)QVTD_PGTT_FST << 6);
    pe[1] = did;
    pe[2] = (fsptptr & ~0xfffULL) | qw2_flags;
}

void qvtd_pasid_entry_pt(uint64_t pe[8], uint16_t did)
{
    memset(pe, 0, 8 * sizeof(pe[0]));
    pe[0] = 1 | ((uint64_t)QVTD_PGTT_PT << 6);
    pe[1] = did;
}

/* ---- invalidation queue ---- */

void qvtd_queue4(QVTD *v, const uint64_t d[4])
{
    qvtd_write_qws(v, v->iq + v->iq_tail * 32ULL, d, 4);
    v->iq_tail = (v->iq_tail + 1) % v->iq_entries;
}

void qvtd_queue(QVTD *v, uint64_t qw0, uint64_t qw1)
{
    uint64_t d[4] = { qw0, qw1, 0, 0 };

    qvtd_queue4(v, d);
}

void qvtd_kick(QVTD *v)
{
    qvtd_writeq(v, QVTD_IQT, (uint64_t)v->iq_tail << 5);
}

bool qvtd_wait(QVTD *v)
{
    uint32_t seq = ++v->wait_seq;

    /* inv_wait: SW=1, status data = seq */
    gint64 end;

    qvtd_queue(v, 0x5 | (1ULL << 5) | ((uint64_t)seq << 32), v->status);
    qvtd_kick(v);
    /*
     * As Linux's qi_submit_sync(): poll the status.  The unit works
     * through its queue in slices from the main loop, so a long queue
     * completes over several round trips.
     */
    end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    for (;;) {
        bool idle;

        if (qvtd_readl(v, QVTD_FSTS) & QVTD_FSTS_IQE) {
            return false;
        }
        /* Fetched up to our tail, or stopped: the status is final. */
        idle = qvtd_readq(v, QVTD_IQH) == (uint64_t)v->iq_tail << 5 ||
               !(qvtd_readl(v, QVTD_GSTS) & (1U << 26));
        if (qtest_readl(v->qts, v->status) == seq) {
            return true;
        }
        if (idle || g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(50);
    }
}

void qvtd_pc_inv(QVTD *v, unsigned g, uint16_t did, uint32_t pasid)
{
    qvtd_queue(v, 0x7 | ((uint64_t)g << 4) | ((uint64_t)did << 16) |
               ((uint64_t)pasid << 32), 0);
}

void qvtd_piotlb_inv(QVTD *v, unsigned g, uint16_t did, uint32_t pasid,
                     uint64_t addr, unsigned am, bool ih)
{
    qvtd_queue(v, 0x6 | ((uint64_t)g << 4) | ((uint64_t)did << 16) |
               ((uint64_t)pasid << 32),
               (addr & ~0xfffULL) | ((uint64_t)ih << 6) | am);
}

void qvtd_cc_global(QVTD *v)
{
    qvtd_queue(v, 0x1 | (1ULL << 4), 0);
}

void qvtd_iotlb_global(QVTD *v)
{
    qvtd_queue(v, 0x2 | (1ULL << 4), 0);
}

void qvtd_page_group_response(QVTD *v, uint16_t rid, bool pp, uint32_t pasid,
                              uint16_t prgi, unsigned rc)
{
    /* Linux also sets the (now ignored) LPIG bit 66 */
    qvtd_queue(v, 0x9 | ((uint64_t)pp << 4) | ((uint64_t)(rc & 0xf) << 12) |
               ((uint64_t)rid << 16) | ((uint64_t)(pp ? pasid : 0) << 32),
               ((uint64_t)(prgi & 0x1ff) << 3) | (1ULL << 2));
}

bool qvtd_flush_pasid(QVTD *v, uint16_t did, uint32_t pasid)
{
    qvtd_pc_inv(v, QVTD_PC_G_PASID, did, pasid);
    qvtd_piotlb_inv(v, QVTD_PIOTLB_G_PASID, did, pasid, 0, 0, false);
    return qvtd_wait(v);
}

bool qvtd_respond(QVTD *v, const QVTDPageReq *req, unsigned rc)
{
    qvtd_page_group_response(v, req->rid, req->pp, req->pasid, req->prgi, rc);
    return qvtd_wait(v);
}

/* ---- page request queue ---- */

unsigned qvtd_prq_pending(QVTD *v)
{
    uint64_t size = v->prq_entries * 32ULL;
    uint64_t h = qvtd_readq(v, QVTD_PQH);
    uint64_t t = qvtd_readq(v, QVTD_PQT);

    return ((t + size - h) % size) / 32;
}

bool qvtd_prq_wait(QVTD *v, unsigned n, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    do {
        if (qvtd_prq_pending(v) >= n) {
            return true;
        }
        g_usleep(2000);
    } while (g_get_monotonic_time() < deadline);
    return qvtd_prq_pending(v) >= n;
}

void qvtd_prq_decode(const uint64_t raw[4], QVTDPageReq *r)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->raw, raw, sizeof(r->raw));
    r->pp = raw[0] & (1ULL << 8);
    r->rid = raw[0] >> 16;
    r->pasid = (raw[0] >> 32) & 0xfffff;
    r->exr = raw[0] & (1ULL << 52);
    r->pmr = raw[0] & (1ULL << 53);
    r->rdr = raw[1] & 1;
    r->wrr = raw[1] & 2;
    r->lpig = raw[1] & 4;
    r->prgi = (raw[1] >> 3) & 0x1ff;
    r->addr = raw[1] & ~0xfffULL;
    /*
     * Type 1; bits 15:9 and 63:54 reserved; bits 255:128 RsvdZ; without
     * PP, PASID/EXR/PMR carry nothing.
     */
    r->reserved_ok = (raw[0] & 0xff) == 1 && !(raw[0] & 0xfe00ULL) &&
                     !(raw[0] & 0xffc0000000000000ULL) && !raw[2] && !raw[3] &&
                     (r->pp || !(raw[0] & 0x003fffff00000000ULL));
}

unsigned qvtd_prq_drain(QVTD *v, QVTDPageReq *out, unsigned max)
{
    uint64_t size = v->prq_entries * 32ULL;
    uint64_t h, t;
    unsigned n = 0;

    /* Clear PPR before reading PQT so that later requests interrupt. */
    qvtd_writel(v, QVTD_PRS, QVTD_PRS_PPR);
    h = qvtd_readq(v, QVTD_PQH);
    t = qvtd_readq(v, QVTD_PQT);
    while (h != t && n < max) {
        uint64_t raw[4];

        qtest_memread(v->qts, v->prq + h, raw, sizeof(raw));
        qvtd_prq_decode(raw, &out[n++]);
        h = (h + 32) % size;
    }
    qvtd_writeq(v, QVTD_PQH, h);
    return n;
}

/* ---- first-stage tables ---- */

uint64_t qvtd_fs_new(QVTD *v)
{
    return qvtd_alloc(v, 1);
}

void qvtd_fs_map(QVTD *v, uint64_t pml4, uint64_t iova, uint64_t gpa,
                 uint64_t flags)
{
    uint64_t table = pml4;

    for (int level = 4; level > 1; level--) {
        unsigned idx = (iova >> (12 + 9 * (level - 1))) & 0x1ff;
        uint64_t e = qtest_readq(v->qts, table + idx * 8);

        if (!(e & QVTD_PTE_P)) {
            e = qvtd_alloc(v, 1) | QVTD_PTE_P | QVTD_PTE_RW | QVTD_PTE_US;
            qtest_writeq(v->qts, table + idx * 8, e);
        }
        table = e & 0x000ffffffffff000ULL;
    }
    qtest_writeq(v->qts, table + ((iova >> 12) & 0x1ff) * 8,
                 (gpa & ~0xfffULL) | flags | QVTD_PTE_P);
}

/* ---- simulator control ---- */

/* Sum of the simulator's "stats" counters named in @keys. */
static uint64_t qsim_stat_sum(const char *sock, const char *const *keys)
{
    g_autofree char *reply = qsim_cmd(sock, "stats");
    g_auto(GStrv) tok = g_strsplit(reply, " ", -1);
    uint64_t sum = 0;

    g_assert_true(qsim_ok(reply));
    for (unsigned i = 0; tok[i]; i++) {
        for (unsigned k = 0; keys[k]; k++) {
            size_t len = strlen(keys[k]);

            if (!strncmp(tok[i], keys[k], len) && tok[i][len] == '=') {
                sum += g_ascii_strtoull(tok[i] + len + 1, NULL, 10);
            }
        }
    }
    return sum;
}

unsigned qsim_responses(const char *sock, QSimResponse *out, unsigned max)
{
    static const char *const answered[] = {
        "fault_groups_answered", "fault_groups_auto", "fault_groups_dropped",
        NULL
    };
    g_autofree char *reply = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned n = 0;

    /*
     * The simulator's "responses" with an empty log passes NULL to
     * memcpy (fatal under -fsanitize=undefined): ask the counters first.
     */
    if (!qsim_stat_sum(sock, answered)) {
        return 0;
    }
    reply = qsim_cmd(sock, "responses");
    lines = g_strsplit(reply, "\n", -1);

    g_assert_true(qsim_ok(reply));
    for (unsigned i = 0; lines[i]; i++) {
        char code[16], pasid[24], how[8];
        QSimResponse r = { 0 };

        if (sscanf(lines[i], "%u %15s %15s %23s %u %7s", &r.cookie, code,
                   r.bdf, pasid, &r.grpid, how) != 6) {
            continue;
        }
        r.success = !strcmp(code, "SUCCESS");
        r.pasid = !strcmp(pasid, "-") ? -1 : g_ascii_strtoll(pasid, NULL, 10);
        r.automatic = !strcmp(how, "auto");
        if (n < max) {
            out[n] = r;
        }
        n++;
    }
    return n;
}

bool qsim_wait_responses(const char *sock, unsigned n, unsigned timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    do {
        if (qsim_responses(sock, NULL, 0) >= n) {
            return true;
        }
        g_usleep(2000);
    } while (g_get_monotonic_time() < deadline);
    return qsim_responses(sock, NULL, 0) >= n;
}
