/*
 * Fuzz target: the SMMUv3 guest stream against arm-smmuv3 accel=on.
 *
 * virt + arm-smmuv3,accel=on + vfio-pci on the linked iommufd simulator,
 * built once.  Each input is a stream of operations, one opcode byte each
 * followed by its operands:
 *
 *   register writes and reads of 4 or 8 bytes (named registers of both
 *   pages, or raw offsets), guest-memory writes into the 2 MiB table
 *   window (raw, or relative to the stream table, command queue, event
 *   queue and the newest CD/table page), commands (opcode from the list
 *   with fuzzed operands, or raw) with or without CMD_SYNC, "macros" (the
 *   Linux probe: stream table, queues, CR0 enables; a stage-1 STE for the
 *   device with CFGI_STE + CMD_SYNC; event queue consumption), host
 *   events (sim_trigger_vevent with fuzzed records), failures of the
 *   vEVENTQ fd (read errors, hang-up), main-loop pumps, and a system
 *   reset.
 *
 * Between inputs the machine is reset and the window cleared; the reset
 * must free the vEVENTQ and every nested HWPT but the abort and bypass
 * ones (fuzz_machine_reset() aborts otherwise).
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "iommufd-sim.h"
#include "fuzz.h"
#include "fuzz-inproc-common.h"

#define FUZZ_MAX_INPUT      4096

static QTestState *qts;

static const uint32_t smmu_regs[] = {
    QSMMU_IDR0, QSMMU_IDR1, QSMMU_IDR3, QSMMU_IDR5, QSMMU_IIDR, QSMMU_AIDR,
    QSMMU_CR0, QSMMU_CR0ACK, QSMMU_CR1, QSMMU_CR2, 0x40 /* STATUSR */,
    QSMMU_GBPA, QSMMU_IRQ_CTRL, QSMMU_IRQ_CTRLACK, QSMMU_GERROR,
    QSMMU_GERRORN, QSMMU_GERROR_IRQ_CFG0, QSMMU_GERROR_IRQ_CFG0 + 4,
    0x70, 0x74, QSMMU_STRTAB_BASE, QSMMU_STRTAB_BASE + 4,
    QSMMU_STRTAB_BASE_CFG, QSMMU_CMDQ_BASE, QSMMU_CMDQ_BASE + 4,
    QSMMU_CMDQ_PROD, QSMMU_CMDQ_CONS, QSMMU_EVENTQ_BASE,
    QSMMU_EVENTQ_BASE + 4, 0xa8, 0xac, QSMMU_EVENTQ_PROD, QSMMU_EVENTQ_CONS,
    QSMMU_EVENTQ_IRQ_CFG0, QSMMU_EVENTQ_IRQ_CFG1, 0xbc, 0xfd0, 0xffc,
};

static const uint8_t smmu_cmds[] = {
    0x01, 0x02, QSMMU_CMD_CFGI_STE, QSMMU_CMD_CFGI_STE_RANGE,
    QSMMU_CMD_CFGI_CD, QSMMU_CMD_CFGI_CD_ALL, QSMMU_CMD_TLBI_NH_ALL,
    QSMMU_CMD_TLBI_NH_ASID, QSMMU_CMD_TLBI_NH_VA, 0x13, 0x18, 0x1a, 0x20,
    0x21, 0x22, 0x23, 0x28, 0x2a, QSMMU_CMD_TLBI_NSNH_ALL, 0x40,
    QSMMU_CMD_PRI_RESP, 0x44, QSMMU_CMD_SYNC,
};

enum {
    OP_WRITEL, OP_WRITEQ, OP_READ, OP_MEM_RAW, OP_MEM_REL, OP_PROBE,
    OP_STE_S1, OP_STE_OTHER, OP_CMD, OP_CMD_RAW, OP_SYNC, OP_EVTQ_POP,
    OP_VEVENT, OP_VEVENT_BURST, OP_PUMP, OP_RESET, OP_HOST_ERROR,
    OP_SELF_ADDR, OP_PLUG_OTHER, OP_NR
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
#ifdef FUZZ_TWO_BACKENDS
    fuzz_two_backends = true;
#endif
    qts = fuzz_smmu_machine();
    return 0;
}

static uint32_t reg_offset(FuzzIn *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0xe0) {
        return smmu_regs[sel % G_N_ELEMENTS(smmu_regs)];
    }
    /* raw: page 0 or page 1, 4-byte aligned */
    return fuzz_u32(in) & 0x1fffc;
}

static uint64_t rel_address(QSMMUv3 *s, FuzzIn *in)
{
    uint8_t sel = fuzz_u8(in);
    uint16_t off = fuzz_u16(in) & 0x3ff8;
    uint64_t base;

    switch (sel % 5) {
    case 0:
        base = s->strtab;
        break;
    case 1:
        base = s->cmdq;
        break;
    case 2:
        base = s->evtq;
        break;
    case 3:
        /* the STE of the device in a linear table */
        base = s->strtab && !s->two_level ?
               s->strtab + FUZZ_SMMU_VSID * 64 : s->strtab;
        break;
    default:
        base = s->alloc_next > FUZZ_SMMU_WIN + 4096 ?
               s->alloc_next - 4096 : 0;
        break;
    }
    if (base < FUZZ_SMMU_WIN ||
        base + off + 8 > FUZZ_SMMU_WIN + FUZZ_WIN_SIZE) {
        base = FUZZ_SMMU_WIN;
    }
    return base + off;
}

/* A host event: F_TRANSLATION-like by default, every field fuzzable. */
static void op_vevent(FuzzIn *in, unsigned count)
{
    uint8_t sel = fuzz_u8(in);
    uint64_t rec[4];
    size_t len = sizeof(rec);

    if (sel & 1) {
        rec[0] = fuzz_u8(in) | (uint64_t)FUZZ_PSID << 32;
        rec[1] = (uint64_t)(fuzz_u8(in) & 0xf) << 32;
        rec[2] = fuzz_u64(in);
        rec[3] = 0;
    } else {
        fuzz_bytes(in, rec, sizeof(rec));
        if (sel & 2) {
            len = fuzz_u8(in) % 48;
        }
    }
    for (unsigned i = 0; i < count; i++) {
        sim_trigger_vevent(fuzz_two_backends && (sel & 0x10) ? FUZZ_BDF2 :
                           FUZZ_BDF, rec, len);
        rec[2] += 4096;
    }
}

/*
 * Aim one of the SMMU's address registers at its own registers: the
 * event queue or command queue base, the stream table, an MSI address
 * (EVENTQ_IRQ_CFG0, GERROR_IRQ_CFG0) or a CMD_SYNC completion MSI.
 */
static void op_self_addr(QSMMUv3 *s, FuzzIn *in)
{
    uint8_t which = fuzz_u8(in);
    uint64_t target = QSMMU_BASE + (smmu_regs[fuzz_u8(in) %
                                              G_N_ELEMENTS(smmu_regs)] &
                                    ~7u);
    uint32_t data = fuzz_u32(in);

    switch (which % 6) {
    case 0:
        qsmmu_writeq(s, QSMMU_EVENTQ_BASE, (target & ~0x1fULL) | (data & 3));
        break;
    case 1:
        qsmmu_writeq(s, QSMMU_CMDQ_BASE, (target & ~0x1fULL) | (data & 3));
        break;
    case 2:
        qsmmu_writeq(s, QSMMU_STRTAB_BASE, target & ~0x3fULL);
        break;
    case 3:
        qsmmu_writel(s, QSMMU_IRQ_CTRL, 0);
        qsmmu_writeq(s, QSMMU_EVENTQ_IRQ_CFG0, target & ~3ULL);
        qsmmu_writel(s, QSMMU_EVENTQ_IRQ_CFG1, data);
        qsmmu_writel(s, QSMMU_IRQ_CTRL, 5);
        break;
    case 4:
        qsmmu_writel(s, QSMMU_IRQ_CTRL, 0);
        qsmmu_writeq(s, QSMMU_GERROR_IRQ_CFG0, target & ~3ULL);
        qsmmu_writel(s, QSMMU_GERROR_IRQ_CFG0 + 8, data);
        qsmmu_writel(s, QSMMU_IRQ_CTRL, 5);
        break;
    default:
        /* CMD_SYNC, CS=SIG_IRQ, MSIData, MSIAddress on our registers */
        if (s->cmdq) {
            qsmmu_cmd(s, QSMMU_CMD_SYNC | 1ULL << 12 | (uint64_t)data << 32,
                      target & ~3ULL);
        }
        break;
    }
}

static void run_op(QSMMUv3 *s, FuzzIn *in)
{
    uint8_t op = fuzz_u8(in);

    switch (op % OP_NR) {
    case OP_WRITEL: {
        uint32_t off = reg_offset(in);

        qsmmu_writel(s, off, fuzz_u32(in));
        break;
    }
    case OP_WRITEQ: {
        uint32_t off = reg_offset(in) & ~7u;

        qsmmu_writeq(s, off, fuzz_u64(in));
        break;
    }
    case OP_READ: {
        uint32_t off = reg_offset(in);

        if (op & 0x80) {
            qsmmu_readq(s, off & ~7u);
        } else {
            qsmmu_readl(s, off);
        }
        break;
    }
    case OP_MEM_RAW: {
        uint8_t buf[64];
        uint32_t off = fuzz_u32(in) % (FUZZ_WIN_SIZE - sizeof(buf));
        size_t n = fuzz_bytes(in, buf, 1 + fuzz_u8(in) % sizeof(buf));

        qtest_memwrite(qts, FUZZ_SMMU_WIN + off, buf, n);
        break;
    }
    case OP_MEM_REL: {
        uint64_t addr = rel_address(s, in);

        qtest_writeq(qts, addr, fuzz_u64(in));
        break;
    }
    case OP_PROBE: {
        uint8_t b = fuzz_u8(in);

        fuzz_smmu_baseline(s, b & 1, 1 + (b >> 1) % 8);
        break;
    }
    case OP_STE_S1:
        fuzz_smmu_install_s1(s, fuzz_u16(in));
        break;
    case OP_STE_OTHER:
        /* abort, bypass or anything: word 0 fuzzed, V kept sometimes */
        if (s->strtab && s->cmdq && fuzz_smmu_room(s) >= 0x10000) {
            uint64_t ste[8];
            uint8_t b = fuzz_u8(in);

            qsmmu_make_ste(ste, b & 1 ? fuzz_u64(in) :
                           QSMMU_STE_V | ((uint64_t)(b >> 1) & 7) << 1);
            ste[1] = fuzz_u64(in);
            qsmmu_write_ste(s, FUZZ_SMMU_VSID, ste);
            qsmmu_cfgi_ste(s, FUZZ_SMMU_VSID);
            qsmmu_sync(s, 0, 0);
        }
        break;
    case OP_CMD:
        if (s->cmdq) {
            uint8_t opc = smmu_cmds[fuzz_u8(in) % G_N_ELEMENTS(smmu_cmds)];
            uint8_t b = fuzz_u8(in);
            uint64_t w0 = opc | (b & 1 ? (uint64_t)FUZZ_SMMU_VSID << 32 :
                                 fuzz_u64(in) & ~0xffULL);

            qsmmu_cmd(s, w0, fuzz_u64(in));
            if (b & 2) {
                qsmmu_sync(s, 0, 0);
            }
        }
        break;
    case OP_CMD_RAW:
        if (s->cmdq) {
            uint64_t w0 = fuzz_u64(in);

            qsmmu_cmd(s, w0, fuzz_u64(in));
        }
        break;
    case OP_SYNC:
        if (s->cmdq) {
            uint8_t b = fuzz_u8(in);

            qsmmu_sync(s, b & 1 ? QSMMU_SYNC_CS_IRQ : 0,
                       b & 2 ? fuzz_u64(in) : 0);
        }
        break;
    case OP_EVTQ_POP:
        if (s->evtq) {
            unsigned n = 1 + fuzz_u8(in) % 16;
            uint64_t evt[4];

            fuzz_pump();
            while (n-- && qsmmu_evtq_pop(s, evt)) {
                /* consumed */
            }
        }
        break;
    case OP_VEVENT:
        op_vevent(in, 1);
        break;
    case OP_VEVENT_BURST:
        op_vevent(in, 1 + fuzz_u8(in) % 64);
        break;
    case OP_PUMP:
        fuzz_pump();
        break;
    case OP_HOST_ERROR:
        fuzz_host_error(in, SIM_QUEUE_VEVENTQ);
        break;
    case OP_SELF_ADDR:
        op_self_addr(s, in);
        break;
    case OP_PLUG_OTHER:
        fuzz_plug_second_backend();
        break;
    case OP_RESET:
        if (op & 0x80) {
            qemu_system_reset();
            qsmmu_cleanup(s);
            qsmmu_init(s, qts, FUZZ_SMMU_WIN, FUZZ_WIN_SIZE);
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzIn in = { .p = data, .len = size };
    QSMMUv3 s;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    qsmmu_init(&s, qts, FUZZ_SMMU_WIN, FUZZ_WIN_SIZE);
    while (!fuzz_in_done(&in)) {
        run_op(&s, &in);
    }
    fuzz_pump();
    /* The unit still answers. */
    qsmmu_readl(&s, QSMMU_CR0ACK);
    qsmmu_cleanup(&s);
    fuzz_machine_reset(FUZZ_SMMU_WIN);
    return 0;
}
