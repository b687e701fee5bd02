/*
 * Fuzz target: the VT-d guest stream against an accelerated intel-iommu.
 *
 * q35 + intel-iommu (scalable mode, first stage, svm, 20-bit PASIDs) +
 * vfio-pci on the linked iommufd simulator, built once.  Each input is a
 * stream of operations, one opcode byte each followed by its operands:
 *
 *   register writes and reads of 4 or 8 bytes (named registers or raw
 *   offsets), guest-memory writes into the 2 MiB table window (raw, or
 *   relative to the driver's root/context/PASID/IQ/PRQ structures),
 *   invalidation descriptors (built by the qtests' driver, or raw),
 *   "macros" that program a sane baseline quickly (root table, IQ, PRQ,
 *   context entry with PRE; a PASID bound with a PASID-cache
 *   invalidation; PRQ drained and answered), host page requests
 *   (sim_trigger_fault with fuzzed PASID/address/permissions/group/last),
 *   failures of the FAULTQ fd (read/write errors, hang-up), main-loop
 *   pumps, and a system reset; an address register (PQA, PEADDR, IQA,
 *   FEADDR, IEADDR, an inv_wait status address) aimed at the unit's own
 *   registers, which every write the unit makes from its MMIO handler,
 *   FAULTQ handler or bottom halves must meet refused (re-entrancy).
 *
 * Built with FUZZ_TWO_BACKENDS (fuzz-vtd-stream-2be): two devices on one
 * backend (binds and host requests pick either), and a second backend
 * whose device must be refused at plug.
 *
 * Between inputs the machine is reset and the window cleared; the reset
 * must leave no nested HWPT on the host and every host fault group
 * answered once (fuzz_machine_reset() aborts otherwise).
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "iommufd-sim.h"
#include "fuzz.h"
#include "fuzz-inproc-common.h"

#define FUZZ_MAX_INPUT      4096
#define MAX_BOUND           8

typedef struct VtdFuzz {
    QVTD *v;
    uint32_t bound[MAX_BOUND];      /* PASIDs the input bound */
    unsigned nbound;
} VtdFuzz;

static QTestState *qts;

static const uint16_t vtd_regs[] = {
    QVTD_VER, QVTD_CAP, QVTD_ECAP, QVTD_GCMD, QVTD_GSTS, QVTD_RTADDR,
    0x028 /* CCMD */, QVTD_FSTS, QVTD_FECTL, QVTD_FEDATA, QVTD_FEADDR,
    QVTD_FEUADDR, QVTD_IQH, QVTD_IQT, QVTD_IQA, QVTD_ICS, QVTD_IECTL,
    QVTD_IEDATA, QVTD_IEADDR, QVTD_IEUADDR, QVTD_IQERCD, QVTD_PQH, QVTD_PQT,
    QVTD_PQA, QVTD_PRS, QVTD_PECTL, QVTD_PEDATA, QVTD_PEADDR, QVTD_PEUADDR,
    0x0f0 /* IVA */, 0x0f8 /* IOTLB */, 0x220 /* FRCD */, 0x228,
};

/* Opcodes (the byte modulo OP_NR) */
enum {
    OP_WRITEL, OP_WRITEQ, OP_READ, OP_MEM_RAW, OP_MEM_REL, OP_BASELINE,
    OP_BIND, OP_UNBIND, OP_DESC, OP_DESC_RAW, OP_KICK, OP_RESPOND,
    OP_FAULT, OP_FAULT_BURST, OP_PUMP, OP_GCMD, OP_RESET, OP_HOST_ERROR,
    OP_SELF_ADDR, OP_PLUG_OTHER, OP_NR
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
#ifdef FUZZ_TWO_BACKENDS
    fuzz_two_backends = true;
#endif
    qts = fuzz_vtd_machine();
    return 0;
}

static uint64_t reg_offset(FuzzIn *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0xe0) {
        return vtd_regs[sel % G_N_ELEMENTS(vtd_regs)];
    }
    /* raw: anywhere in the 4 KiB page, 4-byte aligned */
    return fuzz_u16(in) & 0xffc;
}

static VtdFuzz *vf_new(void)
{
    VtdFuzz *f = g_new0(VtdFuzz, 1);

    f->v = qvtd_new(qts, FUZZ_VTD_WIN, FUZZ_WIN_SIZE);
    return f;
}

static void vf_free(VtdFuzz *f)
{
    qvtd_free(f->v);
    g_free(f);
}

static uint32_t pick_pasid(VtdFuzz *f, FuzzIn *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0x80 && f->nbound) {
        return f->bound[sel % f->nbound];
    }
    if (sel < 0xc0) {
        return sel & 0x3f;
    }
    return fuzz_u32(in) & 0xfffff;
}

/* A guest address near one of the driver's structures, or in the window. */
static uint64_t rel_address(VtdFuzz *f, FuzzIn *in)
{
    QVTD *v = f->v;
    uint8_t sel = fuzz_u8(in);
    uint16_t off = fuzz_u16(in) & 0xff8;
    uint64_t base;

    switch (sel % 7) {
    case 0:
        base = v->root;
        break;
    case 1:
        base = v->ctx[0];
        break;
    case 2:
        base = v->pasid_dir[FUZZ_VTD_DEVFN];
        break;
    case 3:
        base = v->iq ? v->iq + v->iq_tail * 32ULL : 0;
        break;
    case 4:
        base = v->prq;
        break;
    case 5:
        base = v->status;
        break;
    default:
        base = v->next ? v->next - 4096 : 0;     /* the newest page */
        break;
    }
    if (base < FUZZ_VTD_WIN || base + off + 8 > FUZZ_VTD_WIN + FUZZ_WIN_SIZE) {
        base = FUZZ_VTD_WIN;
    }
    return base + off;
}

static void op_descriptor(VtdFuzz *f, FuzzIn *in)
{
    QVTD *v = f->v;
    uint8_t kind = fuzz_u8(in);
    uint16_t did = fuzz_u16(in);
    uint32_t pasid = pick_pasid(f, in);

    switch (kind % 7) {
    case 0:
        qvtd_pc_inv(v, fuzz_u8(in) & 3, did, pasid);
        break;
    case 1: {
        unsigned g = fuzz_u8(in) & 3;
        uint64_t addr = fuzz_u64(in);
        uint8_t b = fuzz_u8(in);

        qvtd_piotlb_inv(v, g, did, pasid, addr, b % 64, b & 0x80);
        break;
    }
    case 2:
        qvtd_cc_global(v);
        break;
    case 3:
        qvtd_iotlb_global(v);
        break;
    case 4: {
        uint8_t b = fuzz_u8(in);
        uint16_t rid = fuzz_u16(in);

        qvtd_page_group_response(v, rid, b & 1, pasid, fuzz_u16(in), b >> 4);
        break;
    }
    case 5:
        qvtd_wait(v);
        return;
    default:
        qvtd_flush_pasid(v, did, pasid);
        return;
    }
    if (kind & 0x80) {
        qvtd_kick(v);
    }
}

/* Linux's PRQ handler: drain, answer each request with a fuzzed code. */
static void op_respond(VtdFuzz *f, FuzzIn *in)
{
    QVTDPageReq reqs[16];
    unsigned n = qvtd_prq_drain(f->v, reqs, 1 + fuzz_u8(in) % 16);

    for (unsigned i = 0; i < n; i++) {
        uint8_t rc = fuzz_u8(in);

        qvtd_page_group_response(f->v, reqs[i].rid, reqs[i].pp,
                                 reqs[i].pasid, reqs[i].prgi,
                                 rc < 0xc0 ? QVTD_RC_SUCCESS :
                                 rc < 0xf0 ? QVTD_RC_INVALID : rc & 0xf);
    }
    qvtd_wait(f->v);
}

static void op_fault(VtdFuzz *f, FuzzIn *in, unsigned count)
{
    uint8_t sel = fuzz_u8(in);
    int64_t pasid = sel & 1 ? SIM_NO_PASID : pick_pasid(f, in);
    uint64_t addr = fuzz_u64(in);
    uint32_t perm = fuzz_u8(in) & 0xf;
    uint32_t grpid = fuzz_u16(in) & FUZZ_GRPID_MAX;

    for (unsigned i = 0; i < count; i++) {
        bool last = i == count - 1 ? !(sel & 2) : (sel & 4);

        if (!last) {
            fuzz_note_partial(grpid);
        }
        sim_trigger_fault(fuzz_two_backends && (sel & 0x10) ? FUZZ_BDF2 :
                          FUZZ_BDF, pasid, addr + i * 4096ULL, perm, grpid,
                          last);
        if (sel & 8) {
            grpid = (grpid + 1) & FUZZ_GRPID_MAX;
        }
    }
}

/*
 * Aim one of the unit's address registers at its own register page: a
 * queue base, an MSI address or an inv_wait status address.
 */
static void op_self_addr(VtdFuzz *f, FuzzIn *in)
{
    static const uint16_t addr_regs[] = {
        QVTD_PQA, QVTD_PEADDR, QVTD_IQA, QVTD_FEADDR, QVTD_IEADDR, 0,
    };
    QVTD *v = f->v;
    uint16_t reg = addr_regs[fuzz_u8(in) % G_N_ELEMENTS(addr_regs)];
    uint64_t target = QVTD_BASE + vtd_regs[fuzz_u8(in) %
                                            G_N_ELEMENTS(vtd_regs)];
    uint32_t data = fuzz_u32(in);

    switch (reg) {
    case QVTD_PQA:
        qvtd_writeq(v, QVTD_PQH, 0);
        qvtd_writeq(v, QVTD_PQT, target & 0xfe0);
        qvtd_writeq(v, QVTD_PQA, target & ~0xfffULL);
        break;
    case QVTD_IQA:
        qvtd_writeq(v, QVTD_IQA, (target & ~0xfffULL) | (data & 0x807));
        break;
    case 0:
        /* inv_wait, status write (SW) of @data to @target, IF from data */
        if (v->iq) {
            qvtd_queue(v, 0x5 | 1u << 5 | (data & 1u << 4) |
                          (uint64_t)data << 32, target & ~3ULL);
            qvtd_kick(v);
        }
        break;
    default:
        /* the event's data register is 4 bytes after the address one */
        qvtd_writel(v, reg - 4, data);
        qvtd_writel(v, reg + 4, 0);
        qvtd_writel(v, reg, target);
        break;
    }
}

static void run_op(VtdFuzz *f, FuzzIn *in)
{
    QVTD *v = f->v;
    uint8_t op = fuzz_u8(in);

    switch (op % OP_NR) {
    case OP_WRITEL: {
        uint64_t off = reg_offset(in);

        qvtd_writel(v, off, fuzz_u32(in));
        break;
    }
    case OP_WRITEQ: {
        uint64_t off = reg_offset(in) & ~7ULL;

        qvtd_writeq(v, off, fuzz_u64(in));
        break;
    }
    case OP_READ: {
        uint64_t off = reg_offset(in);

        if (op & 0x80) {
            qvtd_readq(v, off & ~7ULL);
        } else {
            qvtd_readl(v, off);
        }
        break;
    }
    case OP_MEM_RAW: {
        uint8_t buf[64];
        uint32_t off = fuzz_u32(in) % (FUZZ_WIN_SIZE - sizeof(buf));
        size_t n = fuzz_bytes(in, buf, 1 + fuzz_u8(in) % sizeof(buf));

        qtest_memwrite(qts, FUZZ_VTD_WIN + off, buf, n);
        break;
    }
    case OP_MEM_REL: {
        uint64_t addr = rel_address(f, in);

        qtest_writeq(qts, addr, fuzz_u64(in));
        break;
    }
    case OP_BASELINE: {
        uint8_t b = fuzz_u8(in);

        fuzz_vtd_baseline(v, b & 1, (b >> 1) & 1, (b >> 2) & 1, !(b & 8));
        break;
    }
    case OP_BIND: {
        uint32_t pasid = pick_pasid(f, in);
        uint8_t flags = fuzz_u8(in);

        /* SRE is refused (no ECAP.SRS), loudly: keep it rare */
        if (fuzz_two_backends && (flags & 0x40)) {
            fuzz_vtd_bind_dev(v, FUZZ_VTD_DEVFN2, pasid, 0);
        } else if (fuzz_vtd_bind(v, pasid,
                          ((flags & 0x81) == 0x81 ? QVTD_PE_SRE : 0) |
                          (flags & 2 ? QVTD_PE_WPE : 0)) &&
            f->nbound < MAX_BOUND) {
            f->bound[f->nbound++] = pasid;
        }
        break;
    }
    case OP_UNBIND:
        if (f->nbound && v->iq) {
            unsigned i = fuzz_u8(in) % f->nbound;
            uint32_t pasid = f->bound[i];

            /* A later baseline may have shrunk the PASID directory. */
            if (v->pasid_dir[FUZZ_VTD_DEVFN] &&
                (pasid >> 6) < (1u << (v->pdts[FUZZ_VTD_DEVFN] + 7))) {
                qvtd_clear_pasid_entry(v, FUZZ_VTD_DEVFN, pasid);
                qvtd_flush_pasid(v, 1 + pasid % 0xfffe, pasid);
            }
            f->bound[i] = f->bound[--f->nbound];
        }
        break;
    case OP_DESC:
        if (v->iq) {
            op_descriptor(f, in);
        }
        break;
    case OP_DESC_RAW:
        if (v->iq) {
            uint64_t d[4] = { 0 };

            d[0] = fuzz_u64(in);
            d[1] = fuzz_u64(in);

            if (op & 0x80) {
                d[2] = fuzz_u64(in);
                d[3] = fuzz_u64(in);
            }
            qvtd_queue4(v, d);
            qvtd_kick(v);
        }
        break;
    case OP_KICK:
        if (v->iq) {
            qvtd_kick(v);
        }
        break;
    case OP_RESPOND:
        if (v->prq) {
            fuzz_pump();
            op_respond(f, in);
        }
        break;
    case OP_FAULT:
        op_fault(f, in, 1);
        break;
    case OP_FAULT_BURST:
        op_fault(f, in, 1 + fuzz_u8(in) % 32);
        break;
    case OP_PUMP:
        fuzz_pump();
        break;
    case OP_GCMD: {
        static const uint32_t bits[] = {
            QVTD_GCMD_TE, QVTD_GCMD_SRTP, QVTD_GCMD_QIE,
        };
        uint8_t b = fuzz_u8(in);

        qvtd_gcmd(v, bits[b % G_N_ELEMENTS(bits)], b & 0x80);
        break;
    }
    case OP_HOST_ERROR:
        fuzz_host_error(in, SIM_QUEUE_FAULT);
        break;
    case OP_SELF_ADDR:
        op_self_addr(f, in);
        break;
    case OP_PLUG_OTHER:
        fuzz_plug_second_backend();
        break;
    case OP_RESET:
        /* A reset in the middle: the driver starts over. */
        if (op & 0x80) {
            qemu_system_reset();
            qvtd_free(f->v);
            f->v = qvtd_new(qts, FUZZ_VTD_WIN, FUZZ_WIN_SIZE);
            f->nbound = 0;
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzIn in = { .p = data, .len = size };
    VtdFuzz *f;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    f = vf_new();
    while (!fuzz_in_done(&in)) {
        run_op(f, &in);
    }
    fuzz_pump();
    /* The unit still answers. */
    qvtd_readl(f->v, QVTD_GSTS);
    vf_free(f);
    fuzz_machine_reset(FUZZ_VTD_WIN);
    return 0;
}
