/*
 * Shared pieces of the in-process vIOMMU fuzz targets (see
 * fuzz-inproc-common.h).
 */
#include "qemu/osdep.h"
#include "hw/qdev-core.h"
#include "iommufd-sim.h"
#include "qtest-inproc.h"
#include "qapi/error.h"
#include "system/qdev-monitor.h"
#include "fuzz-inproc-common.h"

bool fuzz_two_backends;
static char *sim_dir;
static struct sim_stats base_stats;
/* grpids of host requests sent without LAST_PAGE since the last reset */
static bool partial[FUZZ_GRPID_MAX + 1];
static bool partial_any;

uint8_t fuzz_u8(FuzzIn *in)
{
    return fuzz_in_done(in) ? 0 : in->p[in->pos++];
}

/* Little-endian; each byte read in its own statement (operand order). */
uint16_t fuzz_u16(FuzzIn *in)
{
    uint16_t lo = fuzz_u8(in);

    return lo | (uint16_t)fuzz_u8(in) << 8;
}

uint32_t fuzz_u32(FuzzIn *in)
{
    uint32_t lo = fuzz_u16(in);

    return lo | (uint32_t)fuzz_u16(in) << 16;
}

uint64_t fuzz_u64(FuzzIn *in)
{
    uint64_t lo = fuzz_u32(in);

    return lo | (uint64_t)fuzz_u32(in) << 32;
}

size_t fuzz_bytes(FuzzIn *in, void *buf, size_t max)
{
    size_t n = fuzz_in_done(in) ? 0 : MIN(max, in->len - in->pos);

    memcpy(buf, in->p + in->pos, n);
    memset((uint8_t *)buf + n, 0, max - n);
    in->pos += n;
    return n;
}

static void sim_cleanup(void)
{
    g_autofree char *path = NULL;

    if (sim_dir) {
        path = g_build_filename(sim_dir, "sim.conf", NULL);
        unlink(path);
        rmdir(sim_dir);
        g_clear_pointer(&sim_dir, g_free);
    }
}

void fuzz_sim_start(const char *iommu_type)
{
    g_autofree char *path = NULL;
    g_autofree char *text = g_strdup_printf(
        "[iommu]\ntype=%s\nnesting=true\n"
        "[device %s]\nvendor-id=0x8086\ndevice-id=0x1234\n"
        "pasid-width=20\npri=true\npri-capacity=65536\nats=true\n"
        "stream-id=0x%x\n", iommu_type, FUZZ_BDF, FUZZ_PSID);

    if (fuzz_two_backends) {
        g_autofree char *one = text;

        text = g_strdup_printf(
            "%s[device %s]\npasid-width=20\npri=true\nats=true\n"
            "stream-id=0x%x\n[device %s]\npasid-width=20\npri=true\n"
            "ats=true\nstream-id=0x%x\n", one, FUZZ_BDF2, FUZZ_PSID2,
            FUZZ_BDF3, FUZZ_PSID3);
    }

    sim_dir = g_dir_make_tmp("viommu-fuzz-XXXXXX", NULL);
    if (!sim_dir) {
        fprintf(stderr, "fuzz: no temporary directory\n");
        abort();
    }
    atexit(sim_cleanup);
    path = g_build_filename(sim_dir, "sim.conf", NULL);
    if (!g_file_set_contents(path, text, -1, NULL)) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
        abort();
    }
    g_setenv("IOMMUFD_SIM_CONFIG", path, TRUE);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    if (sim_reinit_for_test() < 0 || !sim_is_active()) {
        fprintf(stderr, "fuzz: the simulator did not start\n");
        abort();
    }
}

static QTestState *machine(const char *iommu_type, char **argv, int argc)
{
    QTestState *qts;

    fuzz_sim_start(iommu_type);
    qts = qtest_inproc_init(argc, argv);
    fuzz_pump();
    sim_get_stats(&base_stats);
    return qts;
}

QTestState *fuzz_vtd_machine(void)
{
    static char *argv[] = {
        (char *)"viommu-system", (char *)"-M", (char *)"q35",
        (char *)"-accel", (char *)"qtest", (char *)"-nodefaults",
        (char *)"-object", (char *)"iommufd,id=iommufd0",
        (char *)"-device",
        (char *)"intel-iommu,x-scalable-mode=on,x-flts=on,svm=on,pasid=20,"
                "caching-mode=on",
        (char *)"-device",
        (char *)"vfio-pci,host=" FUZZ_BDF ",iommufd=iommufd0,addr=3.0",
        /* two-backend configuration only: */
        (char *)"-object", (char *)"iommufd,id=iommufd1",
        (char *)"-device",
        (char *)"vfio-pci,host=" FUZZ_BDF2 ",iommufd=iommufd0,addr=4.0",
        NULL
    };

    return machine("intel-vtd", argv,
                   G_N_ELEMENTS(argv) - 1 - (fuzz_two_backends ? 0 : 4));
}

QTestState *fuzz_smmu_machine(void)
{
    static char *argv[] = {
        (char *)"viommu-system", (char *)"-M", (char *)"virt",
        (char *)"-accel", (char *)"qtest", (char *)"-nodefaults",
        (char *)"-object", (char *)"iommufd,id=iommufd0",
        (char *)"-device",
        (char *)"arm-smmuv3,primary-bus=pcie.0,id=smmuv3.0,accel=on",
        (char *)"-device",
        (char *)"vfio-pci,host=" FUZZ_BDF ",iommufd=iommufd0,id=dev0,addr=1.0",
        /* two-backend configuration only: */
        (char *)"-object", (char *)"iommufd,id=iommufd1",
        (char *)"-device",
        (char *)"vfio-pci,host=" FUZZ_BDF2 ",iommufd=iommufd0,id=dev1,addr=2.0",
        NULL
    };

    return machine("arm-smmuv3", argv,
                   G_N_ELEMENTS(argv) - 1 - (fuzz_two_backends ? 0 : 4));
}

void fuzz_plug_second_backend(void)
{
    static const char *const opts =
        "vfio-pci,host=" FUZZ_BDF3 ",iommufd=iommufd1,id=dev-other,addr=5.0";
    Error *err = NULL;
    QemuOpts *o;
    DeviceState *dev;

    if (!fuzz_two_backends) {
        return;
    }
    o = qemu_opts_parse_maybe_json(opts, "driver", &error_abort);
    dev = qdev_device_add(o, &err);
    qemu_opts_free(o);
    if (dev) {
        fprintf(stderr, "fuzz: a device of a second iommufd backend was "
                "accepted\n");
        abort();
    }
    error_free(err);
}

void fuzz_pump(void)
{
    qtest_inproc_pump();
}

void fuzz_note_partial(uint32_t grpid)
{
    partial[grpid & FUZZ_GRPID_MAX] = true;
    partial_any = true;
}

static void check_after_reset(void)
{
    struct sim_stats st;

    sim_get_stats(&st);
    if (st.live[SIM_OBJ_HWPT_NESTED] != base_stats.live[SIM_OBJ_HWPT_NESTED] ||
        st.live[SIM_OBJ_VEVENTQ] != base_stats.live[SIM_OBJ_VEVENTQ]) {
        fprintf(stderr, "fuzz: after reset %u nested HWPTs and %u vEVENTQs "
                "live, %u and %u after the first reset\n",
                st.live[SIM_OBJ_HWPT_NESTED], st.live[SIM_OBJ_VEVENTQ],
                base_stats.live[SIM_OBJ_HWPT_NESTED],
                base_stats.live[SIM_OBJ_VEVENTQ]);
        abort();
    }
    if (st.fault_groups != st.fault_groups_answered + st.fault_groups_auto) {
        fprintf(stderr, "fuzz: after reset %" PRIu64 " fault groups queued, "
                "%" PRIu64 " answered by the VMM, %" PRIu64 " by the host\n",
                st.fault_groups, st.fault_groups_answered,
                st.fault_groups_auto);
        abort();
    }
}

/*
 * FUZZ_INPROC_STATS=1 in the environment: what each input made the host
 * do, to check that seeds reach the states they are meant to.
 */
static void print_stats(void)
{
    static struct sim_stats last;
    struct sim_stats st;

    if (!getenv("FUZZ_INPROC_STATS")) {
        return;
    }
    sim_get_stats(&st);
    fprintf(stderr, "fuzz: groups %" PRIu64 " read %" PRIu64 " answered %"
            PRIu64 " dropped %" PRIu64 "; vevents %" PRIu64 " read %" PRIu64
            " lost %" PRIu64 "; nested HWPTs %u; reads injected %" PRIu64
            "\n", st.fault_groups - last.fault_groups,
            st.fault_groups_read - last.fault_groups_read,
            st.fault_groups_answered - last.fault_groups_answered,
            st.fault_groups_dropped - last.fault_groups_dropped,
            st.vevents - last.vevents, st.vevents_read - last.vevents_read,
            st.vevents_lost - last.vevents_lost,
            st.live[SIM_OBJ_HWPT_NESTED],
            st.reads_injected - last.reads_injected);
    last = st;
}

void fuzz_machine_reset(uint64_t win)
{
    print_stats();
    for (enum sim_queue_kind k = SIM_QUEUE_FAULT; k <= SIM_QUEUE_VEVENTQ;
         k++) {
        sim_inject_raw_read(k, NULL, 0);
        sim_inject_read(k, SIM_READ_EAGAIN, 0);
        sim_inject_read(k, SIM_READ_EINTR, 0);
        sim_inject_read_errno(k, 0, 0);
        /* a pending short read, made harmless */
        sim_inject_read(k, SIM_READ_SHORT, UINT_MAX);
    }
    sim_inject_write(SIM_QUEUE_FAULT, 0, 0);
    fuzz_pump();
    qemu_system_reset();
    if (partial_any) {
        /* Complete the parked requests: nothing is bound, they drop. */
        for (unsigned g = 0; g <= FUZZ_GRPID_MAX; g++) {
            if (partial[g]) {
                sim_trigger_fault(FUZZ_BDF, SIM_NO_PASID, 0, SIM_ACCESS_READ,
                                  g, true);
            }
        }
        memset(partial, 0, sizeof(partial));
        partial_any = false;
    }
    fuzz_pump();
    qtest_memset(NULL, win, 0, FUZZ_WIN_SIZE);
    check_after_reset();
}

void fuzz_host_error(FuzzIn *in, enum sim_queue_kind kind)
{
    static const int errs[] = { EIO, EBADF, ENOMEM, EINVAL, EAGAIN, EINTR };
    uint8_t b = fuzz_u8(in);
    int err = errs[(b >> 2) % G_N_ELEMENTS(errs)];
    unsigned n = 1 + (b >> 5);

    switch (b & 3) {
    case 0:
        sim_inject_read_errno(kind, err, n);
        break;
    case 1:
        if (kind == SIM_QUEUE_FAULT) {
            sim_inject_write(kind, err, n);
        } else {
            sim_inject_read(kind, SIM_READ_EAGAIN, n);
        }
        break;
    case 2:
        sim_inject_read(kind, SIM_READ_SHORT, fuzz_u16(in));
        break;
    default:
        /* rare: the model replaces the queue, costly for an input */
        if (b == 0xff) {
            sim_inject_close(kind);
        } else {
            sim_inject_read(kind, SIM_READ_EINTR, n);
        }
        break;
    }
}

/* ---- VT-d ---- */

uint64_t fuzz_vtd_room(const QVTD *v)
{
    return (v->end - v->next) / 4096;
}

bool fuzz_vtd_baseline(QVTD *v, unsigned qs, unsigned pqs, unsigned pdts,
                       bool pre)
{
    /* queues, status, root, context, directory */
    if (fuzz_vtd_room(v) < (1u << qs) + (1u << pqs) + 8 + (1u << pdts)) {
        return false;
    }
    /* A driver taking over: queued invalidation off before IQA moves. */
    if (qvtd_readl(v, QVTD_GSTS) & QVTD_GCMD_QIE) {
        qvtd_gcmd(v, QVTD_GCMD_QIE, false);
    }
    qvtd_set_fault_msi(v, 0x51);
    qvtd_set_inv_msi(v, 0x52);
    qvtd_init_qi(v, qs);
    qvtd_init_prq(v, pqs, 0x50);
    qvtd_init_root(v);
    qvtd_set_context(v, FUZZ_VTD_DEVFN, pdts, pre);
    if (fuzz_two_backends) {
        qvtd_set_context(v, FUZZ_VTD_DEVFN2, pdts, pre);
    }
    qvtd_cc_global(v);
    qvtd_pc_inv(v, QVTD_PC_G_GLOBAL, 0, 0);
    qvtd_iotlb_global(v);
    return qvtd_wait(v) && qvtd_enable(v);
}

bool fuzz_vtd_bind_dev(QVTD *v, uint8_t devfn, uint32_t pasid,
                       uint64_t qw2_flags)
{
    uint16_t did = 1 + pasid % 0xfffe;
    uint64_t pe[8];

    if (!v->iq || !v->pasid_dir[devfn] || fuzz_vtd_room(v) < 2 ||
        (pasid >> 6) >= (1u << (v->pdts[devfn] + 7))) {
        return false;
    }
    qvtd_pasid_entry_fs(pe, did, qvtd_fs_new(v), qw2_flags);
    qvtd_set_pasid_entry(v, devfn, pasid, pe);
    return qvtd_flush_pasid(v, did, pasid);
}

bool fuzz_vtd_bind(QVTD *v, uint32_t pasid, uint64_t qw2_flags)
{
    return fuzz_vtd_bind_dev(v, FUZZ_VTD_DEVFN, pasid, qw2_flags);
}

/* ---- SMMUv3 ---- */

uint64_t fuzz_smmu_room(const QSMMUv3 *s)
{
    return s->alloc_end - s->alloc_next;
}

bool fuzz_smmu_baseline(QSMMUv3 *s, bool two_level, unsigned evtq_log2)
{
    /* linear 2^8 STEs, CMDQ of 2^8, EVTQ, alignment slack */
    if (fuzz_smmu_room(s) < 0x10000 + (32u << evtq_log2)) {
        return false;
    }
    return qsmmu_probe(s, 8, two_level, evtq_log2);
}

bool fuzz_smmu_install_s1(QSMMUv3 *s, uint16_t asid)
{
    uint64_t ste[8];

    /* CD, TTB0 and maybe a level-2 stream table */
    if (!s->strtab || !s->cmdq || fuzz_smmu_room(s) < 0x10000) {
        return false;
    }
    qsmmu_make_ste_s1(s, ste, asid, qsmmu_alloc(s, 4096, 4096));
    qsmmu_write_ste(s, FUZZ_SMMU_VSID, ste);
    qsmmu_cfgi_ste(s, FUZZ_SMMU_VSID);
    return qsmmu_sync(s, 0, 0);
}
