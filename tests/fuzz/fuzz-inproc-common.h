/*
 * Shared pieces of the fuzz targets that build an accelerated vIOMMU
 * machine in-process with the iommufd simulator linked in
 * (fuzz-vtd-stream, fuzz-smmuv3-stream, fuzz-host-faultq,
 * fuzz-host-veventq).
 *
 * The guest side is the qtests' libqos drivers (qos-intel-iommu.c,
 * qos-smmuv3.c) over tests/bench/qtest-inproc.c: their register and
 * memory accesses are direct calls into the models' MMIO and guest RAM.
 * Each target builds one machine (qemu_init() is one-shot) in
 * LLVMFuzzerInitialize() and resets it between inputs with
 * fuzz_machine_reset().
 */
#ifndef TESTS_FUZZ_FUZZ_INPROC_COMMON_H
#define TESTS_FUZZ_FUZZ_INPROC_COMMON_H

#include "iommufd-sim.h"
#include "libqtest.h"
#include "libqos/qos-intel-iommu.h"
#include "libqos/qos-smmuv3.h"

/* The simulated passthrough device, on both machines. */
#define FUZZ_BDF                "0000:02:00.0"
#define FUZZ_PSID               0x100   /* its physical StreamID */

/*
 * The two-backend configuration (fuzz_two_backends, set by the *-2be
 * targets before they build the machine): a second device on the same
 * backend (FUZZ_BDF2), and a second iommufd object whose device
 * (FUZZ_BDF3) the models must refuse at plug (fuzz_plug_second_backend).
 */
#define FUZZ_BDF2               "0000:03:00.0"
#define FUZZ_BDF3               "0000:04:00.0"
#define FUZZ_PSID2              0x180
#define FUZZ_PSID3              0x200
#define FUZZ_VTD_DEVFN2         0x20    /* q35: 4.0 */
#define FUZZ_SMMU_VSID2         0x10    /* virt: 2.0 */
extern bool fuzz_two_backends;

/* q35: vfio-pci at 3.0; tables and queues in a 2 MiB window of RAM */
#define FUZZ_VTD_DEVFN          0x18
#define FUZZ_VTD_WIN            0x1000000ULL
/* virt: vfio-pci at 1.0 (vSID 8) */
#define FUZZ_SMMU_VSID          0x8
#define FUZZ_SMMU_WIN           0x41000000ULL
#define FUZZ_WIN_SIZE           0x200000ULL

/* Bytes of one input, consumed front to back; 0 once exhausted. */
typedef struct FuzzIn {
    const uint8_t *p;
    size_t len;
    size_t pos;
} FuzzIn;

static inline bool fuzz_in_done(const FuzzIn *in)
{
    return in->pos >= in->len;
}

uint8_t fuzz_u8(FuzzIn *in);
uint16_t fuzz_u16(FuzzIn *in);
uint32_t fuzz_u32(FuzzIn *in);
uint64_t fuzz_u64(FuzzIn *in);
/* Up to @max bytes into @buf (zero-padded to @max); returns how many. */
size_t fuzz_bytes(FuzzIn *in, void *buf, size_t max);

/* Simulator configured for @iommu_type ("intel-vtd" or "arm-smmuv3"). */
void fuzz_sim_start(const char *iommu_type);

/* The machines: simulator, qemu_init(), and an initial reset. */
QTestState *fuzz_vtd_machine(void);
QTestState *fuzz_smmu_machine(void);

/*
 * Between inputs: system reset (the models answer or forget their
 * outstanding groups and free their host queues), host requests left
 * without a last one completed (then dropped by the host, nothing being
 * bound), raw queue bytes dropped, the main loop run, and the RAM window
 * at @win cleared.  Then the invariants every reset must restore are
 * checked (abort() if not): no nested HWPT or vEVENTQ beyond what the
 * machine has after its first reset, and every fault group the host
 * queued answered exactly once.
 */
void fuzz_machine_reset(uint64_t win);

/*
 * Note a host request without LAST_PAGE (for fuzz_machine_reset()); the
 * targets keep group indexes in 0..FUZZ_GRPID_MAX (PRGI is 9 bits: one
 * bit more reaches the model's masking).
 */
#define FUZZ_GRPID_MAX          0x3ff
void fuzz_note_partial(uint32_t grpid);

/* Run fd handlers, BHs and timers until nothing is ready. */
void fuzz_pump(void);

/*
 * One host-side queue failure of @kind, armed from the next input byte:
 * read errors (EIO, EBADF, ENOMEM, ...), FAULT write errors, EAGAIN/EINTR,
 * a short read, rarely a hang-up.  fuzz_machine_reset() cancels what is
 * still armed; a queue the model gave up is replaced by it.
 */
void fuzz_host_error(FuzzIn *in, enum sim_queue_kind kind);

/*
 * Plug FUZZ_BDF3 on the second backend, as device_add would: the model
 * must refuse it (abort() if it accepts).  Two-backend machines only.
 */
void fuzz_plug_second_backend(void);

/* VT-d baseline, as Linux programs it; false if the model refused. */
bool fuzz_vtd_baseline(QVTD *v, unsigned qs, unsigned pqs, unsigned pdts,
                       bool pre);
/* Bind @pasid of the device to a fresh first-stage table. */
bool fuzz_vtd_bind(QVTD *v, uint32_t pasid, uint64_t qw2_flags);
/* The same for the device at @devfn. */
bool fuzz_vtd_bind_dev(QVTD *v, uint8_t devfn, uint32_t pasid,
                       uint64_t qw2_flags);
/* Free guest pages left in the driver's window. */
uint64_t fuzz_vtd_room(const QVTD *v);

/* SMMUv3 probe + a stage-1 STE for the device; false if refused. */
bool fuzz_smmu_baseline(QSMMUv3 *s, bool two_level, unsigned evtq_log2);
bool fuzz_smmu_install_s1(QSMMUv3 *s, uint16_t asid);
uint64_t fuzz_smmu_room(const QSMMUv3 *s);

#endif
