/*
 * arm-smmuv3: the SMMUv3 programming interface as a guest driver sees it
 * (Arm IHI0070): ID and control registers, the stream table, the command
 * queue with its errors and CMD_SYNC, the event queue with the spec's
 * overflow rule, wired interrupts and MSIs, and the device tree node.
 *
 * Guest mistakes never stop the model: they become GERROR bits,
 * CMDQ_CONS.ERR codes or EVENTQ_PROD.OVFLG, and are traced.
 *
 * Passthrough devices with accel=on are handled in smmuv3-accel.c; this
 * file calls it at the moments the guest changes something the host
 * must know about.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/qdev-properties.h"
#include "hw/arm/virt.h"
#include "hw/core/iommu.h"
#include "hw/pci/pci_bridge.h"
#include "smmuv3-accel.h"
#include "trace.h"
#include <libfdt.h>

/* ------------------------------------------------------------------ */
/* ID registers                                                        */

static bool smmuv3_stage_has_s1(const SMMUv3State *s)
{
    return strcmp(s->stage, "2") != 0;
}

static bool smmuv3_stage_has_s2(const SMMUv3State *s)
{
    return strcmp(s->stage, "1") != 0;
}

/*
 * IDRs from the properties.  With accel=on the values the host must
 * honour were checked against the host's IDRs when the first device was
 * attached (smmuv3-accel.c), and 'auto' properties were resolved then.
 */
static void smmuv3_init_idrs(SMMUv3State *s)
{
    uint32_t idr0 = 0;

    if (smmuv3_stage_has_s1(s)) {
        idr0 |= IDR0_S1P;
    }
    if (smmuv3_stage_has_s2(s)) {
        idr0 |= IDR0_S2P | IDR0_VMID16;
    }
    idr0 |= IDR0_TTF_AA64 << IDR0_TTF_SHIFT;
    idr0 |= IDR0_COHACC | IDR0_ASID16 | IDR0_MSI;
    idr0 |= IDR0_TTENDIAN_LE << IDR0_TTENDIAN_SHIFT;
    /* No stalls: faults terminate, so CMD_RESUME/STALL_TERM are illegal. */
    idr0 |= IDR0_STALL_TERMINATE << IDR0_STALL_MODEL_SHIFT;
    idr0 |= IDR0_TERM_MODEL;
    idr0 |= IDR0_STLEVEL_2LVL << IDR0_STLEVEL_SHIFT;
    if (s->ats_enabled) {
        idr0 |= IDR0_ATS;
    }
    s->idr[0] = idr0;
    s->idr[1] = SMMU_SIDSIZE << IDR1_SIDSIZE_SHIFT |
                (uint32_t)s->ssidsize << IDR1_SSIDSIZE_SHIFT |
                SMMU_EVENTQS << IDR1_EVENTQS_SHIFT |
                SMMU_CMDQS << IDR1_CMDQS_SHIFT;
    s->idr[2] = 0;
    s->idr[3] = IDR3_HAD | 2u << IDR3_BBML_SHIFT;
    if (s->ril_enabled) {
        s->idr[3] |= IDR3_RIL;
    }
    s->idr[4] = 0;
    s->idr[5] = (s->oas == 48 ? IDR5_OAS_48 : IDR5_OAS_44) |
                IDR5_GRAN4K | IDR5_GRAN16K | IDR5_GRAN64K;
    s->aidr = SMMU_AIDR;
}

static void smmuv3_reset_regs(SMMUv3State *s)
{
    memset(s->cr, 0, sizeof(s->cr));
    s->cr0ack = 0;
    s->statusr = 0;
    s->gbpa = GBPA_RESET_VAL;
    s->irq_ctrl = 0;
    s->gerror = 0;
    s->gerrorn = 0;
    s->gerror_irq_cfg0 = 0;
    s->gerror_irq_cfg1 = 0;
    s->gerror_irq_cfg2 = 0;
    s->strtab_base = 0;
    s->strtab_base_cfg = 0;
    /* As QEMU: queue sizes read back as the implemented maximum. */
    s->cmdq = (SMMUQueue) { .base = SMMU_CMDQS, .log2size = SMMU_CMDQS };
    s->eventq = (SMMUQueue) { .base = SMMU_EVENTQS, .log2size = SMMU_EVENTQS };
    s->eventq_irq_cfg0 = 0;
    s->eventq_irq_cfg1 = 0;
    s->eventq_irq_cfg2 = 0;
}

/* ------------------------------------------------------------------ */
/* Interrupts and global errors                                        */

static void smmuv3_trigger_gerror(SMMUv3State *s, uint32_t mask);

/*
 * Signal interrupt @line: an MSI (a 32-bit write of @data) when the
 * guest programmed an address, else a pulse on the wired line (edge
 * semantics: there is nothing to clear).  A failed MSI write sets
 * @abt_err in GERROR.
 */
static void smmuv3_signal_irq(SMMUv3State *s, int line, uint64_t cfg0,
                              uint32_t data, uint32_t abt_err)
{
    hwaddr addr = cfg0 & IRQ_CFG0_ADDR_MASK;
    MemTxResult r;

    if (!addr) {
        trace_smmuv3_irq_wired(line);
        if (s->irq[line]) {
            qemu_irq_pulse(s->irq[line]);
        }
        return;
    }
    address_space_stl_le(&address_space_memory, addr, data,
                         MEMTXATTRS_UNSPECIFIED, &r);
    trace_smmuv3_irq_msi(line, addr, data, r);
    if (r != MEMTX_OK && abt_err) {
        smmuv3_trigger_gerror(s, abt_err);
    }
}

/*
 * Activate the errors of @mask that are not active yet (an active error
 * is not logged again: GERROR[x] toggles only when GERROR[x] ==
 * GERRORN[x]), and raise the GERROR interrupt if one became active.
 */
static void smmuv3_trigger_gerror(SMMUv3State *s, uint32_t mask)
{
    uint32_t active = s->gerror ^ s->gerrorn;
    uint32_t new_errs = mask & ~active & GERROR_MASK;

    if (!new_errs) {
        return;
    }
    s->gerror ^= new_errs;
    trace_smmuv3_gerror(new_errs, s->gerror, s->gerrorn);
    /* MSI_GERROR_ABT_ERR itself never raises the GERROR interrupt. */
    if ((new_errs & ~GERROR_MSI_GERROR_ABT_ERR) &&
        (s->irq_ctrl & IRQ_CTRL_GERROR_IRQEN)) {
        smmuv3_signal_irq(s, SMMU_IRQ_GERROR, s->gerror_irq_cfg0,
                          s->gerror_irq_cfg1, GERROR_MSI_GERROR_ABT_ERR);
    }
}

static bool smmuv3_gerror_active(const SMMUv3State *s, uint32_t bit)
{
    return (s->gerror ^ s->gerrorn) & bit;
}

/* ------------------------------------------------------------------ */
/* Event queue                                                         */

static const char *smmuv3_event_drop_reason(SMMUv3State *s)
{
    if (!(s->cr[0] & CR0_EVENTQEN)) {
        return "EVENTQEN=0";
    }
    if (smmuv3_gerror_active(s, GERROR_EVENTQ_ABT_ERR)) {
        return "EVENTQ_ABT_ERR active";
    }
    return NULL;
}

/*
 * A full queue drops the record and, unless an overflow is already
 * outstanding (OVFLG != OVACKFLG), toggles EVENTQ_PROD.OVFLG.  The queue
 * stays usable: once the guest consumes, later records are written.
 */
static void smmuv3_eventq_overflow(SMMUv3State *s, const SMMUEvent *evt)
{
    SMMUQueue *q = &s->eventq;
    bool outstanding = (q->prod ^ q->cons) & Q_OVERFLOW_FLAG;

    if (!outstanding) {
        q->prod ^= Q_OVERFLOW_FLAG;
    }
    trace_smmuv3_eventq_overflow(EVT_TYPE(evt), EVT_SID(evt), q->prod, q->cons,
                                 !outstanding);
}

static void smmuv3_write_eventq(SMMUv3State *s, const SMMUEvent *evt)
{
    SMMUQueue *q = &s->eventq;
    const char *reason = smmuv3_event_drop_reason(s);
    uint64_t rec[4];
    bool was_empty;
    hwaddr addr;
    MemTxResult r;

    if (reason) {
        trace_smmuv3_eventq_drop(EVT_TYPE(evt), EVT_SID(evt), reason);
        return;
    }
    if (smmu_q_full(q)) {
        smmuv3_eventq_overflow(s, evt);
        return;
    }
    for (int i = 0; i < 4; i++) {
        rec[i] = cpu_to_le64(evt->word[i]);
    }
    addr = smmu_q_entry_addr(q, smmu_q_idx(q->prod, q->log2size),
                             sizeof(SMMUEvent));
    r = dma_memory_write(&address_space_memory, addr, rec, sizeof(rec),
                         MEMTXATTRS_UNSPECIFIED);
    if (r != MEMTX_OK) {
        trace_smmuv3_eventq_abort(addr, r);
        smmuv3_trigger_gerror(s, GERROR_EVENTQ_ABT_ERR);
        return;
    }
    was_empty = smmu_q_empty(q);
    /* PROD covers the entry only now that its data is in memory. */
    q->prod = smmu_q_inc(q->prod, q->log2size);
    trace_smmuv3_eventq_write(EVT_TYPE(evt), EVT_SID(evt), addr, q->prod,
                              q->cons);
    /* The interrupt is for the empty -> non-empty transition only. */
    if (was_empty && (s->irq_ctrl & IRQ_CTRL_EVENTQ_IRQEN)) {
        smmuv3_signal_irq(s, SMMU_IRQ_EVTQ, s->eventq_irq_cfg0,
                          s->eventq_irq_cfg1, GERROR_MSI_EVENTQ_ABT_ERR);
    }
}

/*
 * The one way into the guest Event Queue, for records the model makes
 * (configuration errors) and for the host's vEVENTQ records alike.  All
 * callers run on the main loop thread, so records are written one at a
 * time in arrival order.  Every caller runs with the unit's re-entrancy
 * guard engaged (MMIO, the vEVENTQ handler, the guarded accel entry
 * points): a record or MSI the guest aimed at our own registers is
 * refused by the memory core, so no record is written inside another.
 */
void smmuv3_propagate_event(SMMUv3State *s, const SMMUEvent *evt)
{
    trace_smmuv3_propagate_event(EVT_TYPE(evt), EVT_SID(evt), evt->word[0],
                                 evt->word[1], evt->word[2], evt->word[3]);
    smmuv3_write_eventq(s, evt);
}

/* ------------------------------------------------------------------ */
/* Stream table                                                        */

static unsigned smmuv3_strtab_log2size(const SMMUv3State *s)
{
    return MIN(STRTAB_CFG_LOG2SIZE(s->strtab_base_cfg), SMMU_SIDSIZE);
}

static int smmuv3_ste_addr_2lvl(SMMUv3State *s, uint32_t sid, hwaddr *addr,
                                hwaddr *fetch_addr)
{
    unsigned log2size = smmuv3_strtab_log2size(s);
    unsigned split = MIN(STRTAB_CFG_SPLIT(s->strtab_base_cfg), log2size);
    unsigned l1_shift = MAX(3 + (int)log2size - (int)split, 6);
    hwaddr l1_base = s->strtab_base & STRTAB_BASE_ADDR_MASK &
                     ~MAKE_64BIT_MASK(0, l1_shift);
    hwaddr l1_addr = l1_base + (hwaddr)(sid >> split) * STE_L1_DESC_SIZE;
    uint32_t l2_idx = sid & ((1u << split) - 1);
    uint64_t desc;
    unsigned span;

    if (ldq_le_dma(&address_space_memory, l1_addr, &desc,
                   MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        *fetch_addr = l1_addr;
        return SMMU_EVT_F_STE_FETCH;
    }
    span = STE_L1_SPAN(desc);
    /* Span 0: no level-2 table; Span N covers 2^(N-1) STEs. */
    if (!span || span > 12 || l2_idx >= (1u << (span - 1))) {
        trace_smmuv3_ste_l1_invalid(sid, l1_addr, desc);
        return SMMU_EVT_C_BAD_STREAMID;
    }
    *addr = STE_L1_L2PTR(desc) + (hwaddr)l2_idx * STE_SIZE;
    return 0;
}

int smmuv3_read_ste(SMMUv3State *s, uint32_t sid, uint64_t ste[STE_DWORDS],
                    hwaddr *fetch_addr)
{
    unsigned log2size = smmuv3_strtab_log2size(s);
    hwaddr addr;
    int ret;

    if (sid >> log2size) {
        return SMMU_EVT_C_BAD_STREAMID;
    }
    if (STRTAB_CFG_FMT(s->strtab_base_cfg) == STRTAB_CFG_FMT_2LVL) {
        ret = smmuv3_ste_addr_2lvl(s, sid, &addr, fetch_addr);
        if (ret) {
            return ret;
        }
    } else {
        /* The table is aligned to its size (at least 64 bytes). */
        addr = (s->strtab_base & STRTAB_BASE_ADDR_MASK &
                ~MAKE_64BIT_MASK(0, log2size + 6)) + (hwaddr)sid * STE_SIZE;
    }
    if (dma_memory_read(&address_space_memory, addr, ste, STE_SIZE,
                        MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
        *fetch_addr = addr;
        return SMMU_EVT_F_STE_FETCH;
    }
    for (int i = 0; i < STE_DWORDS; i++) {
        ste[i] = le64_to_cpu(ste[i]);
    }
    trace_smmuv3_read_ste(sid, addr, ste[0], ste[1]);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Command queue                                                       */

static const char *smmuv3_cmd_name(unsigned op)
{
    switch (op) {
    case SMMU_CMD_PREFETCH_CONFIG: return "PREFETCH_CONFIG";
    case SMMU_CMD_PREFETCH_ADDR: return "PREFETCH_ADDR";
    case SMMU_CMD_CFGI_STE: return "CFGI_STE";
    case SMMU_CMD_CFGI_STE_RANGE: return "CFGI_STE_RANGE";
    case SMMU_CMD_CFGI_CD: return "CFGI_CD";
    case SMMU_CMD_CFGI_CD_ALL: return "CFGI_CD_ALL";
    case SMMU_CMD_TLBI_NH_ALL: return "TLBI_NH_ALL";
    case SMMU_CMD_TLBI_NH_ASID: return "TLBI_NH_ASID";
    case SMMU_CMD_TLBI_NH_VA: return "TLBI_NH_VA";
    case SMMU_CMD_TLBI_NH_VAA: return "TLBI_NH_VAA";
    case SMMU_CMD_TLBI_S12_VMALL: return "TLBI_S12_VMALL";
    case SMMU_CMD_TLBI_S2_IPA: return "TLBI_S2_IPA";
    case SMMU_CMD_TLBI_NSNH_ALL: return "TLBI_NSNH_ALL";
    case SMMU_CMD_ATC_INV: return "ATC_INV";
    case SMMU_CMD_PRI_RESP: return "PRI_RESP";
    case SMMU_CMD_RESUME: return "RESUME";
    case SMMU_CMD_STALL_TERM: return "STALL_TERM";
    case SMMU_CMD_SYNC: return "CMD_SYNC";
    default: return "unknown";
    }
}

/*
 * Kinds of host operation a command can fail in; each is reported once,
 * so that the first failure does not hide later ones of another kind.
 */
typedef enum SMMUCmdHostOp {
    SMMU_HOST_OP_SYNC,          /* CMD_SYNC: flushing the invalidations */
    SMMU_HOST_OP_CFGI,          /* CFGI_*: STE install, CD invalidation */
    SMMU_HOST_OP_TLBI,          /* TLBI_*: TLB invalidation */
    SMMU_HOST_OP_ATC,           /* ATC_INV */
    SMMU_HOST_OP_OTHER,
    SMMU_HOST_OP__MAX,
} SMMUCmdHostOp;

static SMMUCmdHostOp smmuv3_cmd_host_op(unsigned op)
{
    switch (op) {
    case SMMU_CMD_SYNC:
        return SMMU_HOST_OP_SYNC;
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
        return SMMU_HOST_OP_CFGI;
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_TLBI_S12_VMALL:
    case SMMU_CMD_TLBI_S2_IPA:
    case SMMU_CMD_TLBI_NSNH_ALL:
        return SMMU_HOST_OP_TLBI;
    case SMMU_CMD_ATC_INV:
        return SMMU_HOST_OP_ATC;
    default:
        return SMMU_HOST_OP_OTHER;
    }
}

/*
 * Host failures while executing a command: ILL to the guest, traced
 * every time, reported once per kind of operation (bounded: at most
 * SMMU_HOST_OP__MAX reports per run, like error_report_once).
 */
static SMMUCmdError smmuv3_cmd_host_error(Error *err, unsigned op)
{
    static const char *const kind_name[SMMU_HOST_OP__MAX] = {
        [SMMU_HOST_OP_SYNC] = "sync",
        [SMMU_HOST_OP_CFGI] = "configuration invalidation",
        [SMMU_HOST_OP_TLBI] = "TLB invalidation",
        [SMMU_HOST_OP_ATC] = "ATC invalidation",
        [SMMU_HOST_OP_OTHER] = "other",
    };
    static bool reported[SMMU_HOST_OP__MAX];
    SMMUCmdHostOp kind = smmuv3_cmd_host_op(op);

    if (err) {
        trace_smmuv3_cmd_host_error(smmuv3_cmd_name(op), kind_name[kind],
                                    error_get_pretty(err));
        if (!reported[kind]) {
            reported[kind] = true;
            error_report("arm-smmuv3: %s: %s", smmuv3_cmd_name(op),
                         error_get_pretty(err));
        }
        error_free(err);
    }
    return SMMU_CERROR_ILL;
}

/*
 * With IDR1.SSIDSIZE=0 S1CDMax is IGNORED (substreams do not exist) and
 * with it S1DSS and S1Fmt: a host SMMU with substreams must see a
 * single-CD STE, or it would terminate the device's non-substream DMA
 * (S1CDMax>0, S1DSS=00) that the guest's SMMU lets through.
 */
void smmuv3_ste_nested_words(const SMMUv3State *s, uint32_t sid,
                             const uint64_t *ste, uint64_t *ste0,
                             uint64_t *ste1)
{
    *ste0 = ste[0] & STE0_NESTED_MASK;
    *ste1 = ste[1] & STE1_NESTED_MASK;
    if (!s->ssidsize) {
        *ste0 &= ~(STE0_S1FMT_MASK | STE0_S1CDMAX_MASK);
        *ste1 &= ~STE1_S1DSS_MASK;
    }
    trace_smmuv3_ste_nested(sid, ste[0], ste[1], *ste0, *ste1);
}

static SMMUCmdError smmuv3_cmd_sync(SMMUv3State *s, const SMMUCmd *cmd)
{
    unsigned cs = CMD_SYNC_CS(cmd);
    Error *err = NULL;
    hwaddr addr;

    if (cs == 3) {
        return SMMU_CERROR_ILL;
    }
    /* Everything before the sync must be complete: flush to the host. */
    if (!smmuv3_accel_flush_invalidations(s, &err)) {
        return smmuv3_cmd_host_error(err, SMMU_CMD_SYNC);
    }
    trace_smmuv3_cmdq_sync(cs, CMD_SYNC_MSIADDR(cmd), CMD_SYNC_MSIDATA(cmd));
    if (cs != CMD_SYNC_CS_IRQ) {
        return SMMU_CERROR_NONE;
    }
    /*
     * SIG_IRQ (IHI0070 4.7.3): an MSI when MSIAddress is non-zero, and the
     * wired CMD_SYNC interrupt in every case: this SMMU has that line, and
     * a driver that wired it must not depend on what MSIAddress holds.
     */
    addr = CMD_SYNC_MSIADDR(cmd);
    if (addr) {
        MemTxResult r;

        address_space_stl_le(&address_space_memory, addr,
                             CMD_SYNC_MSIDATA(cmd), MEMTXATTRS_UNSPECIFIED, &r);
        if (r != MEMTX_OK) {
            smmuv3_trigger_gerror(s, GERROR_MSI_CMDQ_ABT_ERR);
        }
    }
    trace_smmuv3_irq_wired(SMMU_IRQ_CMD_SYNC);
    if (s->irq[SMMU_IRQ_CMD_SYNC]) {
        qemu_irq_pulse(s->irq[SMMU_IRQ_CMD_SYNC]);
    }
    return SMMU_CERROR_NONE;
}

static SMMUCmdError smmuv3_cmd_cfgi_ste(SMMUv3State *s, const SMMUCmd *cmd)
{
    uint32_t sid = CMD_SID(cmd);
    uint32_t first = sid, last = sid;
    Error *err = NULL;

    if (CMD_OPCODE(cmd) == SMMU_CMD_CFGI_STE_RANGE) {
        unsigned range = CMD_STE_RANGE(cmd);

        if (range == 31) {
            /* CMD_CFGI_ALL */
            first = 0;
            last = UINT32_MAX;
        } else {
            uint32_t span = (uint32_t)((1ULL << (range + 1)) - 1);

            first = sid & ~span;
            last = first + span;
        }
    }
    /* Invalidations queued before this command apply to the old config. */
    if (!smmuv3_accel_flush_invalidations(s, &err) ||
        !smmuv3_accel_install_ste_range(s, first, last, &err)) {
        return smmuv3_cmd_host_error(err, CMD_OPCODE(cmd));
    }
    return SMMU_CERROR_NONE;
}

static SMMUCmdError smmuv3_cmd_forward(SMMUv3State *s, const SMMUCmd *cmd)
{
    Error *err = NULL;

    if (!smmuv3_accel_queue_invalidation(s, cmd, &err)) {
        return smmuv3_cmd_host_error(err, CMD_OPCODE(cmd));
    }
    return SMMU_CERROR_NONE;
}

/* Execute one command; CERROR_ILL for what this SMMU does not implement. */
static SMMUCmdError smmuv3_cmd_exec(SMMUv3State *s, const SMMUCmd *cmd)
{
    unsigned op = CMD_OPCODE(cmd);

    switch (op) {
    case SMMU_CMD_PREFETCH_CONFIG:
    case SMMU_CMD_PREFETCH_ADDR:
        return SMMU_CERROR_NONE;        /* nothing is cached ahead */
    case SMMU_CMD_SYNC:
        return smmuv3_cmd_sync(s, cmd);
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
        return smmuv3_cmd_cfgi_ste(s, cmd);
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
        if (!(s->idr[0] & IDR0_S1P)) {
            return SMMU_CERROR_ILL;
        }
        return smmuv3_cmd_forward(s, cmd);
    case SMMU_CMD_TLBI_NSNH_ALL:
        return smmuv3_cmd_forward(s, cmd);
    case SMMU_CMD_TLBI_S12_VMALL:
    case SMMU_CMD_TLBI_S2_IPA:
        /* Stage 2 is emulation-only: there is nothing cached to drop. */
        return (s->idr[0] & IDR0_S2P) ? SMMU_CERROR_NONE : SMMU_CERROR_ILL;
    case SMMU_CMD_ATC_INV:
        if (!(s->idr[0] & IDR0_ATS)) {
            return SMMU_CERROR_ILL;
        }
        return smmuv3_cmd_forward(s, cmd);
    case SMMU_CMD_PRI_RESP:         /* IDR0.PRI == 0 */
    case SMMU_CMD_RESUME:           /* STALL_MODEL == terminate only */
    case SMMU_CMD_STALL_TERM:
    default:                        /* EL2/EL3 TLBIs: IDR0.HYP == 0, NS only */
        return SMMU_CERROR_ILL;
    }
}

static void smmuv3_cmdq_error(SMMUv3State *s, const SMMUCmd *cmd,
                              SMMUCmdError err)
{
    SMMUQueue *q = &s->cmdq;

    q->cons = (q->cons & ~CMDQ_CONS_ERR_MASK) |
              ((uint32_t)err << CMDQ_CONS_ERR_SHIFT);
    trace_smmuv3_cmdq_error(cmd ? smmuv3_cmd_name(CMD_OPCODE(cmd)) : "fetch",
                            err, q->cons);
    smmuv3_trigger_gerror(s, GERROR_CMDQ_ERR);
}

/*
 * Command-queue slices: a command costs 1, one that makes the host work
 * (a vSTE install, configuration or TLB invalidations forwarded to the
 * host, the flush a CMD_SYNC implies) costs SMMU_CMDQ_COST_HOST with
 * accel=on; a slice stops once SMMU_CMDQ_SLICE_BUDGET is spent.  One
 * CMDQ_PROD write may hand over 2^19 commands: the rest waits for the
 * next run of the bottom half, after the main loop has served QMP,
 * qtest and host fds.
 */
#define SMMU_CMDQ_SLICE_BUDGET  256
#define SMMU_CMDQ_COST_HOST     16

static unsigned smmuv3_cmd_cost(const SMMUv3State *s, const SMMUCmd *cmd)
{
    if (!s->accel_state) {
        return 1;
    }
    switch (CMD_OPCODE(cmd)) {
    case SMMU_CMD_SYNC:
    case SMMU_CMD_CFGI_STE:
    case SMMU_CMD_CFGI_STE_RANGE:
    case SMMU_CMD_CFGI_CD:
    case SMMU_CMD_CFGI_CD_ALL:
    case SMMU_CMD_TLBI_NH_ALL:
    case SMMU_CMD_TLBI_NH_ASID:
    case SMMU_CMD_TLBI_NH_VA:
    case SMMU_CMD_TLBI_NH_VAA:
    case SMMU_CMD_TLBI_NSNH_ALL:
    case SMMU_CMD_ATC_INV:
        return SMMU_CMDQ_COST_HOST;
    default:
        return 1;
    }
}

static bool smmuv3_cmdq_runnable(SMMUv3State *s)
{
    return (s->cr[0] & CR0_CMDQEN) && !smmu_q_empty(&s->cmdq) &&
           !smmuv3_gerror_active(s, GERROR_CMDQ_ERR);
}

/*
 * One slice: commands from CONS towards PROD until the budget is spent
 * or one is bad.  CONS advances after each command, as the hardware's
 * does (IHI0070 3.5.2: consumption is asynchronous; a driver polls CONS
 * or waits for a CMD_SYNC's completion, which is signalled only once
 * every earlier command was consumed, since this loop is in order).
 * A bad command stops consumption with CONS on it, CMDQ_CONS.ERR saying
 * why and GERROR.CMDQ_ERR active; consumption resumes once the guest
 * acknowledges with GERRORN (after fixing the command or moving
 * PROD/CONS while the queue is disabled).
 *
 * A guarded bottom half: the re-entrancy guard is engaged, so a CMD_SYNC
 * MSI aimed at our own registers is refused, not recursed.
 */
static void smmuv3_cmdq_bh(void *opaque)
{
    SMMUv3State *s = opaque;
    SMMUQueue *q = &s->cmdq;
    Error *err = NULL;
    unsigned cost = 0, n = 0;

    while (smmuv3_cmdq_runnable(s) && cost < SMMU_CMDQ_SLICE_BUDGET) {
        hwaddr addr = smmu_q_entry_addr(q, smmu_q_idx(q->cons, q->log2size),
                                        sizeof(SMMUCmd));
        SMMUCmd cmd;
        SMMUCmdError cerr;

        trace_smmuv3_cmdq_consume(q->prod, q->cons);
        if (dma_memory_read(&address_space_memory, addr, &cmd, sizeof(cmd),
                            MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
            smmuv3_cmdq_error(s, NULL, SMMU_CERROR_ABT);
            break;
        }
        cmd.word[0] = le64_to_cpu(cmd.word[0]);
        cmd.word[1] = le64_to_cpu(cmd.word[1]);
        trace_smmuv3_cmdq_opcode(smmuv3_cmd_name(CMD_OPCODE(&cmd)),
                                 CMD_OPCODE(&cmd), cmd.word[0], cmd.word[1]);
        cost += smmuv3_cmd_cost(s, &cmd);
        cerr = smmuv3_cmd_exec(s, &cmd);
        if (cerr != SMMU_CERROR_NONE) {
            smmuv3_cmdq_error(s, &cmd, cerr);
            break;
        }
        q->cons = smmu_q_inc(q->cons, q->log2size);
        n++;
    }
    trace_smmuv3_cmdq_slice(n, q->prod, q->cons);
    if (smmuv3_cmdq_runnable(s)) {
        /* The batch of invalidations carries on in the next slice. */
        qemu_bh_schedule(s->cmdq_bh);
        return;
    }
    /*
     * Consumption stopped (drained, disabled or an error).  The guest
     * may not end a batch with CMD_SYNC (it polls CONS instead): do not
     * leave its invalidations waiting.
     */
    if (!smmuv3_accel_flush_invalidations(s, &err)) {
        error_report_once("arm-smmuv3: invalidation: %s",
                          error_get_pretty(err));
        error_free(err);
    }
}

/* PROD, CR0 or GERRORN changed: consume from the bottom half. */
static void smmuv3_cmdq_consume(SMMUv3State *s)
{
    if (smmuv3_cmdq_runnable(s)) {
        qemu_bh_schedule(s->cmdq_bh);
    }
}

/* ------------------------------------------------------------------ */
/* Register access                                                     */

static void smmuv3_write_cr0(SMMUv3State *s, uint32_t val)
{
    uint32_t old = s->cr[0];

    s->cr[0] = val & CR0_IMPLEMENTED;
    /* Updates take effect at once: CR0ACK follows immediately. */
    s->cr0ack = s->cr[0];
    trace_smmuv3_write_cr0(old, s->cr[0]);
    if ((old ^ s->cr[0]) & CR0_SMMUEN) {
        smmuv3_accel_reinstall_all(s);
    }
    /* The moment the guest turns its event queue on (see smmuv3-accel.c). */
    if (~old & s->cr[0] & CR0_EVENTQEN) {
        smmuv3_accel_cr0_changed(s);
    }
    smmuv3_cmdq_consume(s);
}

static void smmuv3_write_gbpa(SMMUv3State *s, uint32_t val)
{
    /* Without UPDATE the write is ignored (SMMUv3.2 behaviour). */
    if (!(val & GBPA_UPDATE)) {
        return;
    }
    /* The update is synchronous: UPDATE reads back as 0 (done). */
    s->gbpa = val & GBPA_WRITABLE;
    trace_smmuv3_write_gbpa(s->gbpa);
    if (!smmuv3_enabled(s)) {
        smmuv3_accel_reinstall_all(s);
    }
}

static void smmuv3_write_gerrorn(SMMUv3State *s, uint32_t val)
{
    uint32_t active = s->gerror ^ s->gerrorn;
    uint32_t toggled = (s->gerrorn ^ val) & GERROR_MASK;

    /* Toggling an inactive error is CONSTRAINED UNPREDICTABLE: accept. */
    s->gerrorn = val & GERROR_MASK;
    trace_smmuv3_write_gerrorn(toggled & active, s->gerrorn);
    smmuv3_cmdq_consume(s);
}

static bool smmuv3_queue_enabled(SMMUv3State *s, uint32_t en)
{
    return (s->cr[0] & en) || (s->cr0ack & en);
}

static void smmuv3_write_queue_base(SMMUv3State *s, SMMUQueue *q,
                                    uint32_t en, uint64_t val,
                                    unsigned max_log2)
{
    /* The base may only change while its queue is disabled. */
    if (smmuv3_queue_enabled(s, en)) {
        trace_smmuv3_guest_error("queue base written while enabled");
        return;
    }
    q->base = val & Q_BASE_MASK;
    q->log2size = MIN(Q_BASE_LOG2SIZE(q->base), max_log2);
}

/* IRQ_CFG0..2 may only change while their interrupt is disabled. */
static bool smmuv3_irq_cfg_locked(SMMUv3State *s, uint32_t irqen)
{
    if (s->irq_ctrl & irqen) {
        trace_smmuv3_guest_error("IRQ_CFG written while its IRQ is enabled");
        return true;
    }
    return false;
}

static uint64_t smmuv3_deposit(uint64_t reg, hwaddr off, unsigned size,
                               uint64_t val)
{
    if (size == 8) {
        return val;
    }
    return deposit64(reg, (off & 4) * 8, 32, val);
}

/* 64-bit registers, written whole or by 32-bit halves. */
static bool smmuv3_write64(SMMUv3State *s, hwaddr off, uint64_t val,
                           unsigned size)
{
    hwaddr reg = off & ~7ULL;

    switch (reg) {
    case A_GERROR_IRQ_CFG0:
        if (smmuv3_irq_cfg_locked(s, IRQ_CTRL_GERROR_IRQEN)) {
            return true;
        }
        s->gerror_irq_cfg0 = smmuv3_deposit(s->gerror_irq_cfg0, off, size,
                                            val) & IRQ_CFG0_ADDR_MASK;
        return true;
    case A_STRTAB_BASE:
        if (smmuv3_enabled(s)) {
            trace_smmuv3_guest_error("STRTAB_BASE written while SMMUEN=1");
            return true;
        }
        s->strtab_base = smmuv3_deposit(s->strtab_base, off, size, val) &
                         STRTAB_BASE_MASK;
        return true;
    case A_CMDQ_BASE:
        smmuv3_write_queue_base(s, &s->cmdq, CR0_CMDQEN,
                                smmuv3_deposit(s->cmdq.base, off, size, val),
                                SMMU_CMDQS);
        return true;
    case A_EVENTQ_BASE:
        smmuv3_write_queue_base(s, &s->eventq, CR0_EVENTQEN,
                                smmuv3_deposit(s->eventq.base, off, size, val),
                                SMMU_EVENTQS);
        return true;
    case A_EVENTQ_IRQ_CFG0:
        if (smmuv3_irq_cfg_locked(s, IRQ_CTRL_EVENTQ_IRQEN)) {
            return true;
        }
        s->eventq_irq_cfg0 = smmuv3_deposit(s->eventq_irq_cfg0, off, size,
                                            val) & IRQ_CFG0_ADDR_MASK;
        return true;
    default:
        return false;
    }
}

static void smmuv3_write32(SMMUv3State *s, hwaddr off, uint32_t val)
{
    switch (off) {
    case A_CR0:
        smmuv3_write_cr0(s, val);
        break;
    case A_CR1:
        s->cr[1] = val & 0xfff;
        break;
    case A_CR2:
        s->cr[2] = val & 0x7;
        break;
    case A_GBPA:
        smmuv3_write_gbpa(s, val);
        break;
    case A_IRQ_CTRL:
        s->irq_ctrl = val & IRQ_CTRL_IMPLEMENTED;
        break;
    case A_GERRORN:
        smmuv3_write_gerrorn(s, val);
        break;
    case A_GERROR_IRQ_CFG1:
        if (!smmuv3_irq_cfg_locked(s, IRQ_CTRL_GERROR_IRQEN)) {
            s->gerror_irq_cfg1 = val;
        }
        break;
    case A_GERROR_IRQ_CFG2:
        if (!smmuv3_irq_cfg_locked(s, IRQ_CTRL_GERROR_IRQEN)) {
            s->gerror_irq_cfg2 = val & 0x3f;
        }
        break;
    case A_STRTAB_BASE_CFG:
        if (smmuv3_enabled(s)) {
            trace_smmuv3_guest_error("STRTAB_BASE_CFG written while SMMUEN=1");
            break;
        }
        s->strtab_base_cfg = val & STRTAB_CFG_MASK;
        break;
    case A_CMDQ_PROD:
        s->cmdq.prod = val & 0xfffff;
        smmuv3_cmdq_consume(s);
        break;
    case A_CMDQ_CONS:
        /* Software sets CONS only to initialise a disabled queue. */
        if (smmuv3_queue_enabled(s, CR0_CMDQEN)) {
            trace_smmuv3_guest_error("CMDQ_CONS written while enabled");
            break;
        }
        s->cmdq.cons = val & (CMDQ_CONS_ERR_MASK | 0xfffff);
        break;
    case A_EVENTQ_PROD:
        if (smmuv3_queue_enabled(s, CR0_EVENTQEN)) {
            trace_smmuv3_guest_error("EVENTQ_PROD written while enabled");
            break;
        }
        s->eventq.prod = val & (Q_OVERFLOW_FLAG | 0xfffff);
        break;
    case A_EVENTQ_CONS:
        s->eventq.cons = val & (Q_OVERFLOW_FLAG | 0xfffff);
        trace_smmuv3_eventq_cons(s->eventq.prod, s->eventq.cons);
        break;
    case A_EVENTQ_IRQ_CFG1:
        if (!smmuv3_irq_cfg_locked(s, IRQ_CTRL_EVENTQ_IRQEN)) {
            s->eventq_irq_cfg1 = val;
        }
        break;
    case A_EVENTQ_IRQ_CFG2:
        if (!smmuv3_irq_cfg_locked(s, IRQ_CTRL_EVENTQ_IRQEN)) {
            s->eventq_irq_cfg2 = val & 0x3f;
        }
        break;
    default:
        /* ID registers, ACKs, GERROR, PRIQ and Secure: RO or RAZ/WI */
        trace_smmuv3_unhandled_write(off, val);
        break;
    }
}

static void smmuv3_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                              unsigned size)
{
    SMMUv3State *s = opaque;
    hwaddr off = addr & ~(hwaddr)SMMU_PAGE1_OFFSET;

    trace_smmuv3_write_mmio(addr, val, size);
    if (smmuv3_write64(s, off, val, size)) {
        return;
    }
    if (size == 8) {
        /* A 64-bit access to a pair of 32-bit registers: both halves. */
        smmuv3_write32(s, off, (uint32_t)val);
        smmuv3_write32(s, off + 4, val >> 32);
        return;
    }
    smmuv3_write32(s, off, val);
}

static bool smmuv3_read64(SMMUv3State *s, hwaddr off, unsigned size,
                          uint64_t *val)
{
    uint64_t reg;

    switch (off & ~7ULL) {
    case A_GERROR_IRQ_CFG0:
        reg = s->gerror_irq_cfg0;
        break;
    case A_STRTAB_BASE:
        reg = s->strtab_base;
        break;
    case A_CMDQ_BASE:
        reg = s->cmdq.base;
        break;
    case A_EVENTQ_BASE:
        reg = s->eventq.base;
        break;
    case A_EVENTQ_IRQ_CFG0:
        reg = s->eventq_irq_cfg0;
        break;
    default:
        return false;
    }
    *val = size == 8 ? reg : extract64(reg, (off & 4) * 8, 32);
    return true;
}

/* CoreLink MMU-600-like identification registers, as QEMU reports. */
static const uint8_t smmuv3_ids[] = {
    0x04, 0, 0, 0, 0x84, 0xB4, 0xF0, 0x10, 0x0D, 0xF0, 0x05, 0xB1
};

static uint32_t smmuv3_read32(SMMUv3State *s, hwaddr off)
{
    switch (off) {
    case A_IDR0 ... A_IDR5:
        return s->idr[(off - A_IDR0) / 4];
    case A_IIDR:
        return s->iidr;
    case A_AIDR:
        return s->aidr;
    case A_CR0:
        return s->cr[0];
    case A_CR0ACK:
        return s->cr0ack;
    case A_CR1:
        return s->cr[1];
    case A_CR2:
        return s->cr[2];
    case A_STATUSR:
        return s->statusr;
    case A_GBPA:
        return s->gbpa;
    case A_IRQ_CTRL:
    case A_IRQ_CTRLACK:
        return s->irq_ctrl;
    case A_GERROR:
        return s->gerror;
    case A_GERRORN:
        return s->gerrorn;
    case A_GERROR_IRQ_CFG1:
        return s->gerror_irq_cfg1;
    case A_GERROR_IRQ_CFG2:
        return s->gerror_irq_cfg2;
    case A_STRTAB_BASE_CFG:
        return s->strtab_base_cfg;
    case A_CMDQ_PROD:
        return s->cmdq.prod;
    case A_CMDQ_CONS:
        return s->cmdq.cons;
    case A_EVENTQ_PROD:
        return s->eventq.prod;
    case A_EVENTQ_CONS:
        return s->eventq.cons;
    case A_EVENTQ_IRQ_CFG1:
        return s->eventq_irq_cfg1;
    case A_EVENTQ_IRQ_CFG2:
        return s->eventq_irq_cfg2;
    case A_IDREGS ... A_IDREGS + 0x2c:
        if (off & 3) {
            return 0;
        }
        return smmuv3_ids[(off - A_IDREGS) / 4];
    default:
        return 0;                   /* RAZ */
    }
}

static uint64_t smmuv3_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    SMMUv3State *s = opaque;
    hwaddr off = addr & ~(hwaddr)SMMU_PAGE1_OFFSET;
    uint64_t val;

    if (!smmuv3_read64(s, off, size, &val)) {
        val = smmuv3_read32(s, off);
        if (size == 8) {
            val |= (uint64_t)smmuv3_read32(s, off + 4) << 32;
        }
    }
    trace_smmuv3_read_mmio(addr, val, size);
    return val;
}

static const MemoryRegionOps smmuv3_mmio_ops = {
    .read = smmuv3_mmio_read,
    .write = smmuv3_mmio_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 8 },
};

/* ------------------------------------------------------------------ */
/* PCI IOMMU hooks                                                     */

static bool smmuv3_set_iommu_device(PCIBus *bus, void *opaque, int devfn,
                                    HostIOMMUDevice *hiod, Error **errp)
{
    SMMUv3State *s = opaque;

    if (!s->accel) {
        error_setg(errp, "arm-smmuv3: passthrough devices need accel=on "
                   "(the emulated SMMUv3 does not shadow their mappings)");
        return false;
    }
    if (!smmuv3_accel_set_iommu_device(s, bus, devfn, hiod, errp)) {
        return false;
    }
    /* 'auto' properties may have been resolved by the first device. */
    smmuv3_init_idrs(s);
    return true;
}

static void smmuv3_unset_iommu_device(PCIBus *bus, void *opaque, int devfn)
{
    smmuv3_accel_unset_iommu_device(opaque, bus, devfn);
}

static uint64_t smmuv3_get_viommu_flags(void *opaque)
{
    SMMUv3State *s = opaque;
    uint64_t flags = 0;

    if (s->accel) {
        flags |= VIOMMU_FLAG_WANT_NESTING_PARENT;
        if (s->ssidsize) {
            flags |= VIOMMU_FLAG_PASID_SUPPORTED;
        }
    }
    return flags;
}

static const PCIIOMMUOps smmuv3_iommu_ops = {
    .set_iommu_device = smmuv3_set_iommu_device,
    .unset_iommu_device = smmuv3_unset_iommu_device,
    .get_viommu_flags = smmuv3_get_viommu_flags,
};

/* ------------------------------------------------------------------ */
/* Device tree                                                         */

static bool smmuv3_fdt_check(int ret, const char *what, Error **errp)
{
    if (ret < 0) {
        error_setg(errp, "arm-smmuv3: device tree: %s: %s", what,
                   fdt_strerror(ret));
        return false;
    }
    return true;
}

/*
 * The node Linux's arm-smmu-v3 driver probes (bindings/iommu/
 * arm,smmu-v3.yaml), and the PCIe host's iommu-map through it.  Runs in
 * machine done, when every node offset is final.
 */
static bool smmuv3_fdt_hook(VirtMachineState *vms, void *fdt, void *opaque,
                            Error **errp)
{
    SMMUv3State *s = opaque;
    g_autofree char *name = g_strdup_printf("/smmuv3@%" PRIx64,
                                            (uint64_t)s->base);
    static const char names[] = "eventq\0priq\0cmdq-sync\0gerror";
    fdt32_t reg[4] = {
        cpu_to_fdt32(s->base >> 32), cpu_to_fdt32((uint32_t)s->base),
        cpu_to_fdt32(VIRT_SMMU_SIZE >> 32), cpu_to_fdt32(VIRT_SMMU_SIZE),
    };
    fdt32_t irqs[SMMU_NUM_IRQ * 3];
    int node;

    for (int i = 0; i < SMMU_NUM_IRQ; i++) {
        irqs[i * 3] = cpu_to_fdt32(GIC_FDT_IRQ_TYPE_SPI);
        irqs[i * 3 + 1] = cpu_to_fdt32(VIRT_SMMU_IRQ + i);
        irqs[i * 3 + 2] = cpu_to_fdt32(GIC_FDT_IRQ_FLAGS_EDGE_LO_HI);
    }
    s->fdt_phandle = virt_fdt_alloc_phandle(vms);
    node = fdt_add_subnode(fdt, 0, name + 1);
    return smmuv3_fdt_check(node, name, errp) &&
           smmuv3_fdt_check(fdt_setprop_string(fdt, node, "compatible",
                                               "arm,smmu-v3"),
                            "compatible", errp) &&
           smmuv3_fdt_check(fdt_setprop(fdt, node, "reg", reg, sizeof(reg)),
                            "reg", errp) &&
           smmuv3_fdt_check(fdt_setprop(fdt, node, "interrupts", irqs,
                                        sizeof(irqs)), "interrupts", errp) &&
           smmuv3_fdt_check(fdt_setprop(fdt, node, "interrupt-names", names,
                                        sizeof(names)),
                            "interrupt-names", errp) &&
           smmuv3_fdt_check(fdt_setprop_empty(fdt, node, "dma-coherent"),
                            "dma-coherent", errp) &&
           smmuv3_fdt_check(fdt_setprop_u32(fdt, node, "#iommu-cells", 1),
                            "#iommu-cells", errp) &&
           smmuv3_fdt_check(fdt_setprop_u32(fdt, node, "phandle",
                                            s->fdt_phandle),
                            "phandle", errp) &&
           virt_fdt_set_pcie_iommu_map(vms, s->fdt_phandle, errp);
}

/* ------------------------------------------------------------------ */
/* Properties, realize, reset                                          */

static const char *smmuv3_on_off_auto_str(OnOffAuto v)
{
    return v == ON_OFF_AUTO_ON ? "on" : v == ON_OFF_AUTO_OFF ? "off" : "auto";
}

/*
 * oas and ssidsize take a number or, as upstream's, "auto": the host
 * SMMUv3's value, known once the first passthrough device arrives
 * (smmuv3-accel.c).  A uint8 property with SMMUV3_PROP_AUTO for "auto".
 */
static bool smmuv3_set_uint8_auto(Object *obj, const Property *prop,
                                  const char *value, Error **errp)
{
    uint64_t max = prop->max ? prop->max : UINT8_MAX - 1;
    uint64_t v;

    if (!strcmp(value, "auto")) {
        *(uint8_t *)((char *)obj + prop->offset) = SMMUV3_PROP_AUTO;
        return true;
    }
    if (qemu_strtou64(value, &v) < 0 || v > max) {
        error_setg(errp, "Parameter '%s' expects 0..%" PRIu64 " or auto",
                   prop->name, max);
        return false;
    }
    *(uint8_t *)((char *)obj + prop->offset) = v;
    return true;
}

static char *smmuv3_print_uint8_auto(Object *obj, const Property *prop)
{
    uint8_t v = *(uint8_t *)((char *)obj + prop->offset);

    return v == SMMUV3_PROP_AUTO ? g_strdup("auto") : g_strdup_printf("%u", v);
}

static void smmuv3_default_uint8_auto(Object *obj, const Property *prop)
{
    *(uint8_t *)((char *)obj + prop->offset) = prop->defval.u;
}

static const PropertyInfo smmuv3_prop_uint8_auto = {
    .type = "uint8",
    .description = "a number or \"auto\" (the host SMMUv3's value)",
    .set = smmuv3_set_uint8_auto,
    .print = smmuv3_print_uint8_auto,
    .set_default = smmuv3_default_uint8_auto,
};

/* Resolve what "auto" can mean before any host device is known. */
static bool smmuv3_prepare_auto(SMMUv3State *s, Error **errp)
{
    /*
     * CMDQV (Tegra241 command-queue virtualization) is not modelled and
     * the simulated host reports none (GET_HW_INFO for it fails), so
     * "auto" resolves to off and "on" is refused, as upstream refuses it
     * on a host without one.
     */
    if (!s->smmu_per_bus) {
        error_setg(errp, "smmu_per_bus=off is not supported: each arm-smmuv3 "
                   "here translates for its primary-bus and what is below "
                   "it");
        return false;
    }
    if (s->cmdqv == ON_OFF_AUTO_ON) {
        error_setg(errp, "cmdqv=on: the host SMMUv3 has no CMDQV and this "
                   "model does not implement it; use cmdqv=off or auto "
                   "(libvirt: cmdqv='off')");
        return false;
    }
    if ((s->oas == SMMUV3_PROP_AUTO || s->ssidsize == SMMUV3_PROP_AUTO) &&
        !s->accel) {
        error_setg(errp, "%s=auto requires accel=on (auto means the host "
                   "SMMUv3's value)",
                   s->oas == SMMUV3_PROP_AUTO ? "oas" : "ssidsize");
        return false;
    }
    s->oas_auto = s->oas == SMMUV3_PROP_AUTO;
    if (s->oas_auto) {
        s->oas = 44;
    }
    s->ssidsize_auto = s->ssidsize == SMMUV3_PROP_AUTO;
    if (s->ssidsize_auto) {
        s->ssidsize = 0;
    }
    return true;
}

/* Combinations QEMU refuses, with the same reasons. */
static bool smmuv3_validate_props(SMMUv3State *s, Error **errp)
{
    if (!smmuv3_prepare_auto(s, errp)) {
        return false;
    }
    if (!s->stage) {
        s->stage = g_strdup("1");       /* QEMU's default */
    }
    if (strcmp(s->stage, "1") && strcmp(s->stage, "2") &&
        strcmp(s->stage, "nested")) {
        error_setg(errp, "invalid stage '%s' (1, 2 or nested)",
                   s->stage);
        return false;
    }
    if (s->oas != 44 && s->oas != 48) {
        error_setg(errp, "oas=%u is not supported (44 or 48)",
                   s->oas);
        return false;
    }
    if (s->accel) {
        if (strcmp(s->stage, "1")) {
            error_setg(errp, "accel=on supports only stage=1 "
                       "(stage 2 belongs to the host)");
            return false;
        }
        return true;
    }
    if (s->ril != ON_OFF_AUTO_ON) {
        error_setg(errp, "ril=%s requires accel=on",
                   smmuv3_on_off_auto_str(s->ril));
        return false;
    }
    if (s->ats != ON_OFF_AUTO_OFF) {
        error_setg(errp, "ats=%s requires accel=on",
                   smmuv3_on_off_auto_str(s->ats));
        return false;
    }
    if (s->oas != 44) {
        error_setg(errp, "oas=%u requires accel=on", s->oas);
        return false;
    }
    if (s->ssidsize) {
        error_setg(errp, "ssidsize=%u requires accel=on",
                   s->ssidsize);
        return false;
    }
    if (s->msi_gpa) {
        error_setg(errp, "msi-gpa requires accel=on");
        return false;
    }
    return true;
}

/* A passthrough device on @bus or behind one of its root ports? */
static bool smmuv3_bus_has_passthrough(PCIBus *bus)
{
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];
        PCIBus *sec;

        if (!d) {
            continue;
        }
        if (object_dynamic_cast(OBJECT(d), "vfio-pci")) {
            return true;
        }
        sec = pci_bridge_secondary_bus(d);
        if (sec && smmuv3_bus_has_passthrough(sec)) {
            return true;
        }
    }
    return false;
}

static PCIBus *smmuv3_find_primary_bus(SMMUv3State *s, Error **errp)
{
    BusState *bus;
    PCIBus *pbus;

    if (!s->primary_bus_name) {
        error_setg(errp, "'primary-bus' is required "
                   "(e.g. primary-bus=pcie.0)");
        return NULL;
    }
    bus = qbus_find(s->primary_bus_name);
    if (!bus || !object_dynamic_cast(OBJECT(bus), TYPE_PCI_BUS)) {
        error_setg(errp, "primary-bus '%s' is not a PCI bus",
                   s->primary_bus_name);
        return NULL;
    }
    pbus = PCI_BUS(bus);
    if (pbus->iommu_ops) {
        error_setg(errp, "bus '%s' already has an IOMMU",
                   s->primary_bus_name);
        return NULL;
    }
    /* A device already realized there would have missed the vIOMMU. */
    if (smmuv3_bus_has_passthrough(pbus)) {
        error_setg(errp, "must be created before the "
                   "passthrough devices of bus '%s'", s->primary_bus_name);
        return NULL;
    }
    return pbus;
}

static void smmuv3_realize(DeviceState *dev, Error **errp)
{
    SMMUv3State *s = ARM_SMMUV3(dev);
    VirtMachineState *vms = virt_machine();

    if (!vms) {
        error_setg(errp, "only the virt machine has an SMMUv3");
        return;
    }
    if (vms->fdt_finalized) {
        error_setg(errp, "cannot be added after machine start");
        return;
    }
    if (!smmuv3_validate_props(s, errp)) {
        return;
    }
    s->primary_bus = smmuv3_find_primary_bus(s, errp);
    if (!s->primary_bus) {
        return;
    }
    s->ril_enabled = s->ril != ON_OFF_AUTO_OFF;
    s->ats_enabled = s->ats == ON_OFF_AUTO_ON;
    s->auto_resolved = s->ril != ON_OFF_AUTO_AUTO &&
                       s->ats != ON_OFF_AUTO_AUTO && !s->oas_auto &&
                       !s->ssidsize_auto;
    s->base = VIRT_SMMU_BASE;
    for (int i = 0; i < SMMU_NUM_IRQ; i++) {
        s->irq[i] = virt_get_spi(vms, VIRT_SMMU_IRQ + i);
    }
    smmuv3_init_idrs(s);
    smmuv3_reset_regs(s);
    s->cmdq_bh = qemu_bh_new_guarded(smmuv3_cmdq_bh, s,
                                     &DEVICE(s)->engaged_in_io);

    memory_region_init_io(&s->iomem, OBJECT(s), &smmuv3_mmio_ops, s,
                          "smmuv3", VIRT_SMMU_SIZE);
    memory_region_add_subregion(get_system_memory(), s->base, &s->iomem);
    if (s->accel) {
        smmuv3_accel_init(s);
    }
    pci_setup_iommu(s->primary_bus, &smmuv3_iommu_ops, s);
    /* Last: nothing can fail after the hook holds a pointer to us. */
    virt_add_fdt_hook(vms, smmuv3_fdt_hook, s);
    trace_smmuv3_realize(s->primary_bus_name, s->accel);
}

static void smmuv3_unrealize(DeviceState *dev)
{
    SMMUv3State *s = ARM_SMMUV3(dev);

    if (s->primary_bus && s->primary_bus->iommu_opaque == s) {
        pci_setup_iommu(s->primary_bus, NULL, NULL);
    }
    qemu_bh_delete(s->cmdq_bh);
    s->cmdq_bh = NULL;
    smmuv3_accel_finalize(s);
    /* Unmaps the registers and frees the region's name. */
    memory_region_finalize(&s->iomem);
}

static void smmuv3_reset(DeviceState *dev)
{
    SMMUv3State *s = ARM_SMMUV3(dev);

    trace_smmuv3_reset();
    qemu_bh_cancel(s->cmdq_bh);
    smmuv3_reset_regs(s);
    smmuv3_accel_reset(s);
}

static const Property smmuv3_properties[] = {
    DEFINE_PROP_STRING("primary-bus", SMMUv3State, primary_bus_name),
    DEFINE_PROP_STRING("stage", SMMUv3State, stage),
    DEFINE_PROP_BOOL("accel", SMMUv3State, accel, false),
    DEFINE_PROP_ON_OFF_AUTO("ril", SMMUv3State, ril, ON_OFF_AUTO_ON),
    DEFINE_PROP_ON_OFF_AUTO("ats", SMMUv3State, ats, ON_OFF_AUTO_OFF),
    DEFINE_PROP("oas", SMMUv3State, oas, smmuv3_prop_uint8_auto, uint8_t,
                .set_default = true, .defval.u = 44),
    DEFINE_PROP("ssidsize", SMMUv3State, ssidsize, smmuv3_prop_uint8_auto,
                uint8_t, .set_default = true, .defval.u = 0, .max = 20),
    DEFINE_PROP_ON_OFF_AUTO("cmdqv", SMMUv3State, cmdqv, ON_OFF_AUTO_OFF),
    DEFINE_PROP_BOOL("smmu_per_bus", SMMUv3State, smmu_per_bus, true),
    DEFINE_PROP_UINT64("msi-gpa", SMMUv3State, msi_gpa, 0),
    DEFINE_PROP_END_OF_LIST(),
};

static void smmuv3_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->desc = "Arm SMMUv3 (with accel=on: iommufd vIOMMU)";
    dc->user_creatable = true;
    dc->hotpluggable = false;
    dc->realize = smmuv3_realize;
    dc->unrealize = smmuv3_unrealize;
    dc->reset = smmuv3_reset;
    device_class_set_props(dc, smmuv3_properties);
}

static const TypeInfo smmuv3_types[] = {
    {
        .name = TYPE_ARM_SMMUV3,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(SMMUv3State),
        .class_init = smmuv3_class_init,
    },
};

DEFINE_TYPES(smmuv3_types)
