/*
 * Fuzz target: what intel-iommu does with the bytes its FAULTQ fd returns.
 *
 * The machine of fuzz-vtd-stream (q35 + intel-iommu accel + vfio-pci on
 * the linked simulator).  Each input starts from a sane guest (root
 * table, IQ, PRQ, context entry with PRE, PASIDs 1-4 bound, so that the
 * FAULTQ exists and records can be routed), then runs operations, one
 * opcode byte each:
 *
 *   raw bytes for the next reads of the FAULTQ fd (sim_inject_raw_read():
 *   any length, partial records included); records built field by field
 *   (flags, dev_id, PASID, group, permissions, address, length, cookie)
 *   and injected the same way; real host page requests; short-read,
 *   EAGAIN and EINTR injections; main-loop pumps; the guest's PRQ handler
 *   answering what reached its queue.
 *
 * What must hold afterwards: the PRQ tail the model wrote is inside the
 * queue and aligned, an inv_wait still completes (host records never
 * break the invalidation queue), and after the reset every fault group
 * the host queued has been answered once and no nested HWPT is left.
 */
#include "qemu/osdep.h"
#include <linux/iommufd.h>
#include "iommufd-sim.h"
#include "fuzz.h"
#include "fuzz-inproc-common.h"

#define FUZZ_MAX_INPUT      8192
#define NPASIDS             4
#define MAX_RAW             2048

static QTestState *qts;

enum {
    OP_RAW, OP_RECORDS, OP_FAULT, OP_PUMP, OP_RESPOND, OP_INJECT, OP_NR
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    qts = fuzz_vtd_machine();
    return 0;
}

static uint32_t pick_pasid(FuzzIn *in)
{
    uint8_t sel = fuzz_u8(in);

    if (sel < 0xc0) {
        return 1 + sel % (NPASIDS + 1);     /* one past the bound ones */
    }
    return sel & 1 ? fuzz_u32(in) : fuzz_u32(in) & 0xfffff;
}

/* 1..8 records built from fuzzed fields, as one raw injection. */
static void op_records(FuzzIn *in)
{
    struct iommu_hwpt_pgfault rec[8];
    uint8_t sel = fuzz_u8(in);
    unsigned n = 1 + (sel & 7);
    uint32_t cookie = fuzz_u8(in);

    for (unsigned i = 0; i < n; i++) {
        uint8_t b = fuzz_u8(in);

        memset(&rec[i], 0, sizeof(rec[i]));
        rec[i].flags = b & 0x80 ? fuzz_u32(in) : b & 3;
        rec[i].dev_id = b & 0x40 ? fuzz_u32(in) : (b >> 2) & 3;
        rec[i].pasid = pick_pasid(in);
        rec[i].grpid = b & 0x20 ? fuzz_u32(in) : fuzz_u16(in) & 0x1ff;
        rec[i].perm = fuzz_u8(in);
        rec[i].addr = fuzz_u64(in);
        rec[i].length = sel & 0x80 ? fuzz_u32(in) : 4096;
        /* a group's records share a cookie; sometimes the next one */
        rec[i].cookie = sel & 0x40 ? fuzz_u32(in) : cookie;
        if (rec[i].flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) {
            cookie++;
        }
    }
    sim_inject_raw_read(SIM_QUEUE_FAULT, rec, n * sizeof(rec[0]));
}

static void op_respond(QVTD *v, FuzzIn *in)
{
    QVTDPageReq reqs[16];
    unsigned n = qvtd_prq_drain(v, reqs, 1 + fuzz_u8(in) % 16);

    for (unsigned i = 0; i < n; i++) {
        uint8_t rc = fuzz_u8(in);

        qvtd_page_group_response(v, reqs[i].rid, reqs[i].pp, reqs[i].pasid,
                                 reqs[i].prgi, rc < 0xc0 ? QVTD_RC_SUCCESS :
                                 rc < 0xf0 ? QVTD_RC_INVALID : QVTD_RC_FAILURE);
    }
    if (!qvtd_wait(v)) {
        fprintf(stderr, "fuzz: the invalidation queue stopped on page group "
                "responses the guest built from its PRQ\n");
        abort();
    }
}

static void run_op(QVTD *v, FuzzIn *in)
{
    uint8_t op = fuzz_u8(in);

    switch (op % OP_NR) {
    case OP_RAW: {
        uint8_t buf[MAX_RAW];
        size_t n = fuzz_bytes(in, buf, 1 + fuzz_u16(in) % MAX_RAW);

        sim_inject_raw_read(SIM_QUEUE_FAULT, buf, n);
        break;
    }
    case OP_RECORDS:
        op_records(in);
        break;
    case OP_FAULT: {
        uint8_t b = fuzz_u8(in);
        uint32_t grpid = fuzz_u16(in) & 0x1ff;
        bool last = !(b & 0x80);

        if (!last) {
            fuzz_note_partial(grpid);
        }
        sim_trigger_fault(FUZZ_BDF, b & 0x40 ? SIM_NO_PASID :
                          1 + b % (NPASIDS + 1), fuzz_u64(in), b & 3, grpid,
                          last);
        break;
    }
    case OP_PUMP:
        fuzz_pump();
        break;
    case OP_RESPOND:
        fuzz_pump();
        op_respond(v, in);
        break;
    case OP_INJECT: {
        uint8_t b = fuzz_u8(in);

        if (b & 1) {
            sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_SHORT, fuzz_u16(in));
        } else {
            sim_inject_read(SIM_QUEUE_FAULT, b & 2 ? SIM_READ_EAGAIN :
                            SIM_READ_EINTR, 1 + (b >> 2) % 4);
        }
        break;
    }
    }
}

static void check_guest(QVTD *v)
{
    uint64_t size = v->prq_entries * 32ULL;
    uint64_t pqt = qvtd_readq(v, QVTD_PQT);

    if (pqt % 32 || pqt >= size) {
        fprintf(stderr, "fuzz: PQT 0x%" PRIx64 " outside a PRQ of 0x%" PRIx64
                " bytes\n", pqt, size);
        abort();
    }
    if (!qvtd_wait(v)) {
        fprintf(stderr, "fuzz: inv_wait no longer completes (FSTS 0x%x)\n",
                qvtd_readl(v, QVTD_FSTS));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzIn in = { .p = data, .len = size };
    QVTD *v;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    v = qvtd_new(qts, FUZZ_VTD_WIN, FUZZ_WIN_SIZE);
    if (!fuzz_vtd_baseline(v, 1, 0, 0, true)) {
        fprintf(stderr, "fuzz: VT-d baseline refused\n");
        abort();
    }
    for (uint32_t p = 1; p <= NPASIDS; p++) {
        if (!fuzz_vtd_bind(v, p, 0)) {
            fprintf(stderr, "fuzz: binding PASID %u failed\n", p);
            abort();
        }
    }
    while (!fuzz_in_done(&in)) {
        run_op(v, &in);
    }
    /* Whatever is left of the raw bytes, then the guest must still work. */
    fuzz_pump();
    sim_inject_raw_read(SIM_QUEUE_FAULT, NULL, 0);
    sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_EAGAIN, 0);
    sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_EINTR, 0);
    sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_SHORT, UINT_MAX);
    fuzz_pump();
    check_guest(v);
    qvtd_free(v);
    fuzz_machine_reset(FUZZ_VTD_WIN);
    return 0;
}
