/*
 * Fuzz target: what arm-smmuv3 accel=on does with the bytes its vEVENTQ
 * fd returns.
 *
 * The machine of fuzz-smmuv3-stream (virt + arm-smmuv3,accel=on +
 * vfio-pci on the linked simulator).  Each input starts from a probed
 * guest (stream table, command and event queues enabled, a stage-1 STE
 * for the device, so that the vEVENTQ exists), with an event queue of
 * 2^1..2^8 entries chosen by the first byte, then runs operations, one
 * opcode byte each:
 *
 *   raw bytes for the next reads of the vEVENTQ fd (sim_inject_raw_read():
 *   any length, records split anywhere); records built field by field
 *   (header flags with or without LOST_EVENTS, sequences running, jumping
 *   back or wrapping, payload with the vSID, the physical SID or anything)
 *   and injected the same way; real host events; short-read, EAGAIN and
 *   EINTR injections; main-loop pumps; the guest consuming its queue.
 *
 * What must hold afterwards: CR0ACK still acknowledges the enables, the
 * event queue's PROD is a valid pointer for its size, a CMD_SYNC still
 * completes, and the reset frees the vEVENTQ and the stage-1 HWPT.
 */
#include "qemu/osdep.h"
#include <linux/iommufd.h>
#include "iommufd-sim.h"
#include "fuzz.h"
#include "fuzz-inproc-common.h"

#define FUZZ_MAX_INPUT      8192
#define MAX_RAW             4096
#define CR0_ON              (QSMMU_CR0_CMDQEN | QSMMU_CR0_EVENTQEN | \
                             QSMMU_CR0_SMMUEN)

static QTestState *qts;

enum {
    OP_RAW, OP_RECORDS, OP_VEVENT, OP_PUMP, OP_POP, OP_INJECT, OP_NR
};

/* A vEVENTQ record of the arm-smmuv3 type: header + 32 bytes. */
typedef struct QEMU_PACKED FuzzVevent {
    struct iommufd_vevent_header hdr;
    uint64_t evt[4];
} FuzzVevent;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    qts = fuzz_smmu_machine();
    return 0;
}

/* 1..16 records (or LOST headers) as one raw injection. */
static void op_records(FuzzIn *in, uint32_t *seq)
{
    uint8_t buf[16 * sizeof(FuzzVevent)];
    uint8_t sel = fuzz_u8(in);
    unsigned n = 1 + (sel & 15);
    size_t len = 0;

    if (sel & 0x10) {
        *seq = fuzz_u32(in);
    }
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = fuzz_u8(in);
        FuzzVevent r = { { 0 } };
        uint64_t sid;

        /* one field per statement: the bytes are read in this order */
        r.hdr.flags = b & 0x80 ? fuzz_u32(in) :
                      b & 1 ? IOMMU_VEVENTQ_FLAG_LOST_EVENTS : 0;
        r.hdr.sequence = b & 0x40 ? fuzz_u32(in) : *seq;
        sid = b & 0x20 ? fuzz_u32(in) : b & 2 ? FUZZ_PSID : FUZZ_SMMU_VSID;

        *seq = (r.hdr.sequence + 1 + (b & 0x10 ? fuzz_u8(in) : 0)) &
               INT32_MAX;
        if (r.hdr.flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS) {
            /* header only, as the kernel sends it */
            memcpy(buf + len, &r.hdr, sizeof(r.hdr));
            len += sizeof(r.hdr);
            continue;
        }
        r.evt[0] = cpu_to_le64(fuzz_u8(in) | sid << 32);
        r.evt[1] = cpu_to_le64(fuzz_u64(in));
        r.evt[2] = cpu_to_le64(fuzz_u64(in));
        r.evt[3] = cpu_to_le64(b & 8 ? fuzz_u64(in) : 0);
        memcpy(buf + len, &r, sizeof(r));
        len += sizeof(r);
    }
    sim_inject_raw_read(SIM_QUEUE_VEVENTQ, buf, len);
}

static void run_op(QSMMUv3 *s, FuzzIn *in, uint32_t *seq)
{
    uint8_t op = fuzz_u8(in);

    switch (op % OP_NR) {
    case OP_RAW: {
        uint8_t buf[MAX_RAW];
        size_t n = fuzz_bytes(in, buf, 1 + fuzz_u16(in) % MAX_RAW);

        sim_inject_raw_read(SIM_QUEUE_VEVENTQ, buf, n);
        break;
    }
    case OP_RECORDS:
        op_records(in, seq);
        break;
    case OP_VEVENT: {
        uint8_t b = fuzz_u8(in);
        uint64_t rec[4] = { 0 };

        rec[0] = fuzz_u8(in) | (uint64_t)FUZZ_PSID << 32;
        rec[2] = fuzz_u64(in);

        for (unsigned i = 0; i <= b % 64; i++) {
            sim_trigger_vevent(FUZZ_BDF, rec, sizeof(rec));
        }
        break;
    }
    case OP_PUMP:
        fuzz_pump();
        break;
    case OP_POP: {
        unsigned n = 1 + fuzz_u8(in) % 64;
        uint64_t evt[4];

        fuzz_pump();
        while (n-- && qsmmu_evtq_pop(s, evt)) {
            /* consumed */
        }
        break;
    }
    case OP_INJECT: {
        uint8_t b = fuzz_u8(in);

        if (b & 1) {
            sim_inject_read(SIM_QUEUE_VEVENTQ, SIM_READ_SHORT, fuzz_u16(in));
        } else {
            sim_inject_read(SIM_QUEUE_VEVENTQ, b & 2 ? SIM_READ_EAGAIN :
                            SIM_READ_EINTR, 1 + (b >> 2) % 4);
        }
        break;
    }
    }
}

static void check_guest(QSMMUv3 *s)
{
    uint32_t ptr_mask = (2u << s->evtq_log2) - 1;
    uint32_t prod = qsmmu_readl(s, QSMMU_EVENTQ_PROD);

    if (qsmmu_readl(s, QSMMU_CR0ACK) != CR0_ON) {
        fprintf(stderr, "fuzz: CR0ACK 0x%x\n", qsmmu_readl(s, QSMMU_CR0ACK));
        abort();
    }
    if (prod & ~(ptr_mask | QSMMU_Q_OVF)) {
        fprintf(stderr, "fuzz: EVENTQ_PROD 0x%x for a queue of 2^%u\n", prod,
                s->evtq_log2);
        abort();
    }
    if (!qsmmu_sync(s, 0, 0)) {
        fprintf(stderr, "fuzz: CMD_SYNC no longer completes (CONS 0x%x)\n",
                qsmmu_cmdq_cons(s));
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzIn in = { .p = data, .len = size };
    uint32_t seq = 0;
    QSMMUv3 s;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    qsmmu_init(&s, qts, FUZZ_SMMU_WIN, FUZZ_WIN_SIZE);
    if (!fuzz_smmu_baseline(&s, false, 1 + fuzz_u8(&in) % 8) ||
        !fuzz_smmu_install_s1(&s, 1)) {
        fprintf(stderr, "fuzz: SMMUv3 probe refused\n");
        abort();
    }
    while (!fuzz_in_done(&in)) {
        run_op(&s, &in, &seq);
    }
    fuzz_pump();
    sim_inject_raw_read(SIM_QUEUE_VEVENTQ, NULL, 0);
    sim_inject_read(SIM_QUEUE_VEVENTQ, SIM_READ_EAGAIN, 0);
    sim_inject_read(SIM_QUEUE_VEVENTQ, SIM_READ_EINTR, 0);
    sim_inject_read(SIM_QUEUE_VEVENTQ, SIM_READ_SHORT, UINT_MAX);
    fuzz_pump();
    check_guest(&s);
    qsmmu_cleanup(&s);
    fuzz_machine_reset(FUZZ_SMMU_WIN);
    return 0;
}
