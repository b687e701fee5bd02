/*
 * A minimal SMMUv3 guest driver over libqtest (see qos-smmuv3.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "qos-smmuv3.h"

#define QSMMU_CMD_SIZE  16
#define QSMMU_EVT_SIZE  32
#define QSMMU_STE_SIZE  64
#define QSMMU_CD_SIZE   64

void qsmmu_init(QSMMUv3 *s, QTestState *qts, uint64_t ram, uint64_t ram_size)
{
    memset(s, 0, sizeof(*s));
    s->qts = qts;
    s->base = QSMMU_BASE;
    s->alloc_next = ram;
    s->alloc_end = ram + ram_size;
}

void qsmmu_cleanup(QSMMUv3 *s)
{
    g_free(s->l2_tables);
    s->l2_tables = NULL;
}

uint64_t qsmmu_alloc(QSMMUv3 *s, uint64_t size, uint64_t align)
{
    uint64_t addr = (s->alloc_next + align - 1) & ~(align - 1);

    g_assert_cmphex(addr + size, <=, s->alloc_end);
    s->alloc_next = addr + size;
    qtest_memset(s->qts, addr, 0, size);
    return addr;
}

uint32_t qsmmu_readl(QSMMUv3 *s, uint32_t off)
{
    return qtest_readl(s->qts, s->base + off);
}

void qsmmu_writel(QSMMUv3 *s, uint32_t off, uint32_t val)
{
    qtest_writel(s->qts, s->base + off, val);
}

uint64_t qsmmu_readq(QSMMUv3 *s, uint32_t off)
{
    return qtest_readq(s->qts, s->base + off);
}

void qsmmu_writeq(QSMMUv3 *s, uint32_t off, uint64_t val)
{
    qtest_writeq(s->qts, s->base + off, val);
}

bool qsmmu_write_cr0(QSMMUv3 *s, uint32_t cr0)
{
    qsmmu_writel(s, QSMMU_CR0, cr0);
    /* A driver polls CR0ACK; the model acknowledges at once. */
    for (int i = 0; i < 100; i++) {
        if (qsmmu_readl(s, QSMMU_CR0ACK) == cr0) {
            return true;
        }
    }
    return false;
}

void qsmmu_setup_strtab_linear(QSMMUv3 *s, unsigned sid_bits)
{
    uint64_t size = (uint64_t)QSMMU_STE_SIZE << sid_bits;

    s->sid_bits = sid_bits;
    s->two_level = false;
    s->strtab = qsmmu_alloc(s, size, size);
    qsmmu_writeq(s, QSMMU_STRTAB_BASE, s->strtab);
    qsmmu_writel(s, QSMMU_STRTAB_BASE_CFG, sid_bits);
}

void qsmmu_setup_strtab_2lvl(QSMMUv3 *s, unsigned sid_bits, unsigned split)
{
    uint64_t l1_size = 8ULL << (sid_bits - split);

    s->sid_bits = sid_bits;
    s->two_level = true;
    s->split = split;
    s->strtab = qsmmu_alloc(s, l1_size, MAX(l1_size, 64));
    g_free(s->l2_tables);
    s->l2_tables = g_new0(uint64_t, 1u << (sid_bits - split));
    qsmmu_writeq(s, QSMMU_STRTAB_BASE, s->strtab);
    qsmmu_writel(s, QSMMU_STRTAB_BASE_CFG,
                 1u << 16 | split << 6 | sid_bits);
}

void qsmmu_setup_cmdq(QSMMUv3 *s, unsigned log2size)
{
    uint64_t size = (uint64_t)QSMMU_CMD_SIZE << log2size;

    s->cmdq_log2 = log2size;
    s->cmdq = qsmmu_alloc(s, size, MAX(size, 32));
    s->cmdq_prod = 0;
    qsmmu_writeq(s, QSMMU_CMDQ_BASE, s->cmdq | log2size);
    qsmmu_writel(s, QSMMU_CMDQ_PROD, 0);
    qsmmu_writel(s, QSMMU_CMDQ_CONS, 0);
}

void qsmmu_setup_evtq(QSMMUv3 *s, unsigned log2size, uint64_t base)
{
    uint64_t size = (uint64_t)QSMMU_EVT_SIZE << log2size;

    s->evtq_log2 = log2size;
    s->evtq = base ? base : qsmmu_alloc(s, size, MAX(size, 32));
    s->evtq_cons = 0;
    qsmmu_writeq(s, QSMMU_EVENTQ_BASE, s->evtq | log2size);
    qsmmu_writel(s, QSMMU_EVENTQ_PROD, 0);
    qsmmu_writel(s, QSMMU_EVENTQ_CONS, 0);
}

bool qsmmu_probe(QSMMUv3 *s, unsigned sid_bits, bool two_level,
                 unsigned evtq_log2)
{
    if (two_level) {
        qsmmu_setup_strtab_2lvl(s, sid_bits, 8);
    } else {
        qsmmu_setup_strtab_linear(s, sid_bits);
    }
    qsmmu_setup_cmdq(s, 8);
    qsmmu_setup_evtq(s, evtq_log2, 0);
    if (!qsmmu_write_cr0(s, QSMMU_CR0_CMDQEN)) {
        return false;
    }
    /* CMD_CFGI_ALL, then a sync, as Linux does before enabling. */
    qsmmu_cmd(s, QSMMU_CMD_CFGI_STE_RANGE, 31);
    if (!qsmmu_sync(s, 0, 0)) {
        return false;
    }
    if (!qsmmu_write_cr0(s, QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN)) {
        return false;
    }
    qsmmu_writel(s, QSMMU_IRQ_CTRL, QSMMU_IRQ_GERROR | QSMMU_IRQ_EVTQ);
    return qsmmu_write_cr0(s, QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN |
                              QSMMU_CR0_SMMUEN);
}

static uint64_t qsmmu_ste_addr(QSMMUv3 *s, uint32_t sid)
{
    uint32_t l1, l2;

    if (!s->two_level) {
        return s->strtab + (uint64_t)sid * QSMMU_STE_SIZE;
    }
    l1 = sid >> s->split;
    l2 = sid & ((1u << s->split) - 1);
    if (!s->l2_tables[l1]) {
        uint64_t size = (uint64_t)QSMMU_STE_SIZE << s->split;

        s->l2_tables[l1] = qsmmu_alloc(s, size, size);
        /* Span = split + 1: 2^split STEs */
        qtest_writeq(s->qts, s->strtab + 8ULL * l1,
                     s->l2_tables[l1] | (s->split + 1));
    }
    return s->l2_tables[l1] + (uint64_t)l2 * QSMMU_STE_SIZE;
}

void qsmmu_write_ste(QSMMUv3 *s, uint32_t sid, const uint64_t ste[8])
{
    uint64_t addr = qsmmu_ste_addr(s, sid);

    /* Word 0 (with V) last, as a driver does. */
    for (int i = 7; i >= 0; i--) {
        qtest_writeq(s->qts, addr + 8 * i, ste[i]);
    }
}

void qsmmu_make_ste(uint64_t ste[8], uint64_t word0)
{
    memset(ste, 0, 8 * sizeof(uint64_t));
    ste[0] = word0;
}

void qsmmu_make_ste_s1(QSMMUv3 *s, uint64_t ste[8], uint16_t asid,
                       uint64_t ttb0)
{
    uint64_t cd = qsmmu_alloc(s, QSMMU_CD_SIZE, 64);

    /* CD: T0SZ 16, TG0 4K, EPD1, V, IPS 48-bit, AA64, R, A, ASID; TTB0 */
    qtest_writeq(s->qts, cd + 8, ttb0 & 0x000ffffffffffff0ULL);
    qtest_writeq(s->qts, cd, 16 | 1ULL << 30 | 1ULL << 31 | 5ULL << 32 |
                 1ULL << 41 | 1ULL << 45 | 1ULL << 46 | (uint64_t)asid << 48);
    qsmmu_make_ste(ste, QSMMU_STE_V | QSMMU_STE_CFG_S1 | cd);
    ste[1] = 1ULL << 0;         /* S1DSS: bypass for no-SSID traffic */
}

uint32_t qsmmu_cmdq_cons(QSMMUv3 *s)
{
    return qsmmu_readl(s, QSMMU_CMDQ_CONS);
}

/*
 * The SMMU consumes commands asynchronously (IHI0070 3.5.2), as the
 * model does from a bottom half: a driver polls CONS, as Linux's
 * arm_smmu_cmdq_poll_until_sync() does, within a bound.  Each poll is a
 * register read, after which the VMM's main loop (or the in-process
 * shim) has run a slice, so a CONS that has not moved for
 * QSMMU_POLL_STALL polls means consumption stopped (queue disabled or
 * stuck); QSMMU_POLL_TIMEOUT_US bounds the whole wait like Linux's
 * ARM_SMMU_POLL_TIMEOUT_US, generously for sanitizer builds.
 */
#define QSMMU_POLL_STALL        1000
#define QSMMU_POLL_TIMEOUT_US   (20 * G_USEC_PER_SEC)

static bool qsmmu_cmdq_error_active(QSMMUv3 *s)
{
    return (qsmmu_readl(s, QSMMU_GERROR) ^ qsmmu_readl(s, QSMMU_GERRORN)) &
           QSMMU_GERROR_CMDQ_ERR;
}

/* Poll until @done(cons) holds; false on an error, a stall or timeout. */
static bool qsmmu_cmdq_poll(QSMMUv3 *s, bool (*done)(QSMMUv3 *, uint32_t))
{
    uint32_t ptr_mask = (2u << s->cmdq_log2) - 1;
    int64_t deadline = g_get_monotonic_time() + QSMMU_POLL_TIMEOUT_US;
    uint32_t last = qsmmu_cmdq_cons(s) & ptr_mask;
    unsigned stalled = 0;

    for (;;) {
        uint32_t cons = qsmmu_cmdq_cons(s) & ptr_mask;

        if (done(s, cons)) {
            return true;
        }
        if (cons != last) {
            last = cons;
            stalled = 0;
            continue;
        }
        /* Stopped by an error, or disabled: nothing will move CONS. */
        if (qsmmu_cmdq_error_active(s) ||
            !(qsmmu_readl(s, QSMMU_CR0ACK) & QSMMU_CR0_CMDQEN) ||
            ++stalled >= QSMMU_POLL_STALL ||
            g_get_monotonic_time() > deadline) {
            return false;
        }
    }
}

static bool qsmmu_cmdq_drained(QSMMUv3 *s, uint32_t cons)
{
    return cons == s->cmdq_prod;
}

static bool qsmmu_cmdq_has_space(QSMMUv3 *s, uint32_t cons)
{
    /* Full: same index, different wrap bit. */
    return (cons ^ s->cmdq_prod) != (1u << s->cmdq_log2);
}

bool qsmmu_cmdq_wait(QSMMUv3 *s)
{
    return qsmmu_cmdq_poll(s, qsmmu_cmdq_drained);
}

void qsmmu_cmd(QSMMUv3 *s, uint64_t w0, uint64_t w1)
{
    uint32_t mask = (1u << s->cmdq_log2) - 1;
    uint64_t addr;

    /*
     * A full queue: wait for room as a driver does.  If none comes (an
     * error the caller provoked), overwrite anyway: the caller's checks
     * of CONS and GERROR then say what happened.
     */
    qsmmu_cmdq_poll(s, qsmmu_cmdq_has_space);
    addr = s->cmdq + (uint64_t)(s->cmdq_prod & mask) * QSMMU_CMD_SIZE;
    qtest_writeq(s->qts, addr, w0);
    qtest_writeq(s->qts, addr + 8, w1);
    s->cmdq_prod = (s->cmdq_prod + 1) & ((2u << s->cmdq_log2) - 1);
    qsmmu_writel(s, QSMMU_CMDQ_PROD, s->cmdq_prod);
}

bool qsmmu_sync(QSMMUv3 *s, uint64_t w0_extra, uint64_t w1)
{
    qsmmu_cmd(s, QSMMU_CMD_SYNC | w0_extra, w1);
    /*
     * Complete once consumed: the sync is consumed only after every
     * earlier command was, and an error stops consumption before it.
     */
    return qsmmu_cmdq_wait(s);
}

void qsmmu_cfgi_ste(QSMMUv3 *s, uint32_t sid)
{
    qsmmu_cmd(s, QSMMU_CMD_CFGI_STE | (uint64_t)sid << 32, 1);
}

unsigned qsmmu_evtq_pending(QSMMUv3 *s)
{
    uint32_t ptr_mask = (2u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD) & ptr_mask;

    return (prod - (s->evtq_cons & ptr_mask)) & ptr_mask;
}

bool qsmmu_evtq_pop(QSMMUv3 *s, uint64_t evt[4])
{
    uint32_t ptr_mask = (2u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD);
    uint32_t idx = s->evtq_cons & ((1u << s->evtq_log2) - 1);

    if ((prod & ptr_mask) == (s->evtq_cons & ptr_mask)) {
        return false;
    }
    qtest_memread(s->qts, s->evtq + (uint64_t)idx * QSMMU_EVT_SIZE, evt,
                  QSMMU_EVT_SIZE);
    for (int i = 0; i < 4; i++) {
        evt[i] = GUINT64_FROM_LE(evt[i]);
    }
    s->evtq_cons = ((s->evtq_cons + 1) & ptr_mask) | (prod & QSMMU_Q_OVF);
    qsmmu_writel(s, QSMMU_EVENTQ_CONS, s->evtq_cons);
    return true;
}

/* ---- simulator control ---- */

uint64_t qsim_stat(const char *sock, const char *key)
{
    g_autofree char *reply = qsim_cmd(sock, "stats");
    g_autofree char *pat = g_strdup_printf(" %s=", key);
    const char *p = strstr(reply, pat);

    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen(pat), NULL, 10);
}

unsigned qsim_live_objects(const char *sock)
{
    g_autofree char *reply = qsim_cmd(sock, "objects");
    const char *ok = strstr(reply, "OK ");

    g_assert_nonnull(ok);
    return strtoul(ok + 3, NULL, 10);
}

bool qsim_vevent(const char *sock, const char *bdf, const uint64_t evt[4])
{
    GString *hex = g_string_new(NULL);
    g_autofree char *reply = NULL;

    for (int i = 0; i < 4; i++) {
        uint64_t le = GUINT64_TO_LE(evt[i]);
        const uint8_t *b = (const uint8_t *)&le;

        for (int j = 0; j < 8; j++) {
            g_string_append_printf(hex, "%02x", b[j]);
        }
    }
    reply = qsim_cmd(sock, "vevent %s %s", bdf, hex->str);
    g_string_free(hex, TRUE);
    return g_str_has_prefix(reply, "OK");
}
