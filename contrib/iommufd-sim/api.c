/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Global state, logs, failure injection and the public C API
 * (iommufd-sim.h).  Public functions take the lock; everything they call
 * expects it held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim-internal.h"

struct sim_state sim;

void sim_state_init(void)
{
    const char *cfg = getenv("IOMMUFD_SIM_CONFIG");
    const char *sock = getenv("IOMMUFD_SIM_SOCKET");

    memset(&sim, 0, sizeof(sim));
    if (!cfg || !*cfg) {
        return; /* inert: every call passes through */
    }
    if (sim_config_load(cfg, &sim.cfg)) {
        g_printerr("iommufd-sim: configuration rejected, staying inert\n");
        return;
    }
    sim.files = g_hash_table_new(NULL, NULL);
    sim.responses = g_array_new(FALSE, FALSE, sizeof(struct sim_response));
    sim.invals = g_array_new(FALSE, FALSE, sizeof(struct sim_inval_log));
    sim.dmas = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    sim.next_dma_id = 1;
    sim.inject_ioctls =
        g_array_new(FALSE, FALSE, sizeof(struct sim_inject_ioctl));
    sim.faults = g_ptr_array_new();
    sim.veventqs = g_ptr_array_new();
    sim.mmaps = g_hash_table_new(NULL, NULL);
    sim.active = true;
    /*
     * EADDRINUSE: a live simulator already serves it -- typically our
     * parent, when LD_PRELOAD was inherited by a helper process.
     */
    if (sock && *sock) {
        int rc = sim_control_start(sock);

        if (rc && rc != -EADDRINUSE) {
            g_printerr("iommufd-sim: no control socket at %s: %s\n", sock,
                       g_strerror(-rc));
        }
    }
}

/*
 * Forget every simulated fd without closing it: the program still owns
 * those numbers and will close them itself (then as plain eventfds).
 */
static void release_files(void)
{
    g_autoptr(GList) files = g_hash_table_get_values(sim.files);

    /* VFIO fds first: unbinding needs the contexts they pin */
    for (GList *l = files; l; l = l->next) {
        struct sim_file *f = l->data;

        if (f->kind != SIM_FILE_VFIO) {
            continue;
        }
        g_hash_table_remove(sim.files, GINT_TO_POINTER(f->fd));
        sim_vfio_release(f->vfio);
        g_free(f);
        l->data = NULL; /* freed: the loop below skips it */
    }
    for (GList *l = files; l; l = l->next) {
        struct sim_file *f = l->data;

        if (!f) {
            continue;
        }
        g_hash_table_remove(sim.files, GINT_TO_POINTER(f->fd));
        if (f->kind == SIM_FILE_IOMMUFD) {
            sim_ictx_put(f->ictx);
        } else if (f->kind == SIM_FILE_FAULT) {
            sim_fault_fd_closed(f->fault);
        } else {
            sim_veventq_fd_closed(f->veventq);
        }
        g_free(f);
    }
}

void sim_state_reset(void)
{
    if (!sim.active) {
        return;
    }
    release_files();
    g_hash_table_unref(sim.files);
    sim_dma_free_all();
    g_hash_table_unref(sim.dmas);
    g_array_unref(sim.responses);
    g_array_unref(sim.invals);
    g_array_unref(sim.inject_ioctls);
    for (int i = 0; i < 2; i++) {
        if (sim.inject_raw[i]) {
            g_byte_array_unref(sim.inject_raw[i]);
        }
    }
    g_ptr_array_unref(sim.faults);
    g_ptr_array_unref(sim.veventqs);
    g_hash_table_unref(sim.mmaps);
    sim_config_free(&sim.cfg);
    memset(&sim, 0, sizeof(sim));
}

/*
 * $IOMMUFD_SIM_EXIT_REPORT names a file that receives, when the program
 * ends, "live N" and one "TYPE N" line per object type still alive, then
 * "after-close N": what is left once every fd the program still holds is
 * closed, as the kernel closes them at exit.  How a test that only sees
 * the process from outside checks for leaks.
 */
static void write_exit_report(void)
{
    const char *path = getenv("IOMMUFD_SIM_EXIT_REPORT");
    unsigned int total = 0;
    FILE *f;

    if (!path || !sim.active) {
        return;
    }
    f = fopen(path, "w");
    if (!f) {
        return;
    }
    for (int i = 0; i < SIM_OBJ_NR; i++) {
        total += sim.stats.live[i];
    }
    fprintf(f, "live %u\n", total);
    for (int i = 0; i < SIM_OBJ_NR; i++) {
        fprintf(f, "%s %u\n", sim_obj_type_name(i), sim.stats.live[i]);
    }
    /*
     * Then what the kernel does at process exit: close every fd still
     * open (do_exit() -> exit_files()).  Anything alive after that is a
     * reference leak, whether or not the VMM tore down before exiting.
     */
    release_files();
    total = 0;
    for (int i = 0; i < SIM_OBJ_NR; i++) {
        total += sim.stats.live[i];
    }
    fprintf(f, "after-close %u\n", total);
    fclose(f);
}

/* Report leaks, and remove our temporary sysfs tree, when the program ends */
__attribute__((destructor)) static void sim_fini(void)
{
    sim_control_stop();
    sim_lock();
    write_exit_report();
    if (sim.active && sim.cfg.root_owned) {
        sim_config_free(&sim.cfg);
    }
    sim.active = false;
    sim_unlock();
}

/* ---- logs ---- */

/* Bounded logs: drop the older half when full */
static void log_append(GArray *log, unsigned int max, const void *item)
{
    if (log->len >= max) {
        g_array_remove_range(log, 0, max / 2);
    }
    g_array_append_vals(log, item, 1);
}

void sim_log_response(struct sim_fault_group *group, uint32_t code,
                      bool automatic)
{
    const struct iommu_hwpt_pgfault *last = &g_array_index(
        group->recs, struct iommu_hwpt_pgfault, group->recs->len - 1);
    struct sim_response r = {
        .cookie = group->cookie,
        .code = code,
        .pasid = (last->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID)
                     ? (int64_t)last->pasid
                     : SIM_NO_PASID,
        .grpid = last->grpid,
        .automatic = automatic,
    };

    g_strlcpy(r.bdf, group->idev->pdev->bdf, sizeof(r.bdf));
    log_append(sim.responses, SIM_RESPONSE_LOG_MAX, &r);
}

void sim_log_inval(uint32_t hwpt_id, uint32_t data_type, const void *entry,
                   size_t len)
{
    struct sim_inval_log l = {.hwpt_id = hwpt_id, .data_type = data_type};

    memcpy(l.entry, entry, MIN(len, sizeof(l.entry)));
    sim.stats.invalidations++;
    log_append(sim.invals, SIM_INVAL_LOG_MAX, &l);
}

/* ---- failure injection ---- */

static const struct {
    const char *name;
    unsigned long cmd;
} ioctl_names[] = {
    {"IOMMU_DESTROY", IOMMU_DESTROY},
    {"IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC},
    {"IOMMU_IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES},
    {"IOMMU_IOAS_MAP", IOMMU_IOAS_MAP},
    {"IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP},
    {"IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC},
    {"IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO},
    {"IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE},
    {"IOMMU_FAULT_QUEUE_ALLOC", IOMMU_FAULT_QUEUE_ALLOC},
    {"IOMMU_VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC},
    {"IOMMU_VDEVICE_ALLOC", IOMMU_VDEVICE_ALLOC},
    {"IOMMU_VEVENTQ_ALLOC", IOMMU_VEVENTQ_ALLOC},
    {"IOMMU_IOAS_CHANGE_PROCESS", IOMMU_IOAS_CHANGE_PROCESS},
    {"IOMMU_HW_QUEUE_ALLOC", IOMMU_HW_QUEUE_ALLOC},
    {"IOMMU_OPTION", IOMMU_OPTION},
    {"IOMMU_IOAS_ALLOW_IOVAS", IOMMU_IOAS_ALLOW_IOVAS},
    {"IOMMU_IOAS_COPY", IOMMU_IOAS_COPY},
    {"IOMMU_IOAS_MAP_FILE", IOMMU_IOAS_MAP_FILE},
    {"IOMMU_HWPT_SET_DIRTY_TRACKING", IOMMU_HWPT_SET_DIRTY_TRACKING},
    {"IOMMU_HWPT_GET_DIRTY_BITMAP", IOMMU_HWPT_GET_DIRTY_BITMAP},
    {"VFIO_DEVICE_GET_INFO", VFIO_DEVICE_GET_INFO},
    {"VFIO_DEVICE_GET_REGION_INFO", VFIO_DEVICE_GET_REGION_INFO},
    {"VFIO_DEVICE_GET_IRQ_INFO", VFIO_DEVICE_GET_IRQ_INFO},
    {"VFIO_DEVICE_SET_IRQS", VFIO_DEVICE_SET_IRQS},
    {"VFIO_DEVICE_RESET", VFIO_DEVICE_RESET},
    {"VFIO_DEVICE_BIND_IOMMUFD", VFIO_DEVICE_BIND_IOMMUFD},
    {"VFIO_DEVICE_ATTACH_IOMMUFD_PT", VFIO_DEVICE_ATTACH_IOMMUFD_PT},
    {"VFIO_DEVICE_DETACH_IOMMUFD_PT", VFIO_DEVICE_DETACH_IOMMUFD_PT},
};

const char *sim_ioctl_name(unsigned long cmd)
{
    for (size_t i = 0; i < G_N_ELEMENTS(ioctl_names); i++) {
        if (ioctl_names[i].cmd == cmd) {
            return ioctl_names[i].name;
        }
    }
    return NULL;
}

/* "IOMMU_HWPT_ALLOC", "HWPT_ALLOC", "hwpt_alloc" or a number */
bool sim_ioctl_by_name(const char *name, unsigned long *cmd)
{
    char *end;

    for (size_t i = 0; i < G_N_ELEMENTS(ioctl_names); i++) {
        const char *full = ioctl_names[i].name;
        const char *shrt =
            g_str_has_prefix(full, "IOMMU_") ? full + strlen("IOMMU_") : full;

        if (!g_ascii_strcasecmp(name, full) ||
            !g_ascii_strcasecmp(name, shrt)) {
            *cmd = ioctl_names[i].cmd;
            return true;
        }
    }
    *cmd = strtoul(name, &end, 0);
    return end != name && !*end;
}

int sim_inject_ioctl_take(unsigned long cmd)
{
    for (unsigned int i = 0; i < sim.inject_ioctls->len; i++) {
        struct sim_inject_ioctl *in =
            &g_array_index(sim.inject_ioctls, struct sim_inject_ioctl, i);
        int err = in->err;

        if (in->cmd != cmd) {
            continue;
        }
        if (!--in->count) {
            g_array_remove_index(sim.inject_ioctls, i);
        }
        return -err;
    }
    return 0;
}

int sim_inject_read_take(enum sim_queue_kind kind, size_t *count)
{
    struct sim_inject_read_state *st = &sim.inject_read[kind];

    if (st->eagain) {
        st->eagain--;
        sim.stats.reads_injected++;
        return -EAGAIN;
    }
    if (st->eintr) {
        st->eintr--;
        sim.stats.reads_injected++;
        return -EINTR;
    }
    if (st->err_count) {
        st->err_count--;
        sim.stats.reads_injected++;
        return -st->err;
    }
    if (st->short_pending) {
        st->short_pending = false;
        *count = MIN(*count, st->short_bytes);
        /* keep a FAULT read well-formed: whole records only */
        if (kind == SIM_QUEUE_FAULT) {
            *count -= *count % sizeof(struct iommu_hwpt_pgfault);
        }
    }
    return 0;
}

int sim_inject_write_take(enum sim_queue_kind kind)
{
    struct sim_inject_write_state *st = &sim.inject_write[kind];

    if (!st->count) {
        return 0;
    }
    st->count--;
    sim.stats.writes_injected++;
    return -st->err;
}

bool sim_inject_raw_pending(enum sim_queue_kind kind)
{
    return sim.inject_raw[kind] && sim.inject_raw[kind]->len;
}

/*
 * The next read of that queue kind: up to @count of the injected bytes,
 * in place of real records (which stay queued).  Readiness follows.
 */
ssize_t sim_inject_raw_take(enum sim_queue_kind kind, uint64_t buf,
                            size_t count)
{
    GByteArray *raw = sim.inject_raw[kind];
    size_t n = MIN(count, raw->len);
    int rc;

    if (!n) {
        return 0;
    }
    rc = sim_copy_to_user(buf, raw->data, n);
    if (rc) {
        return rc;
    }
    g_byte_array_remove_range(raw, 0, n);
    sim.stats.reads_injected++;
    if (kind == SIM_QUEUE_FAULT) {
        sim_fault_refresh_ready();
    } else {
        sim_veventq_refresh_ready();
    }
    return n;
}

/* ---- public API ---- */

static bool api_enter(void)
{
    sim_lock();
    sim_init_locked();
    if (sim.active) {
        return true;
    }
    sim_unlock();
    return false;
}

const char *sim_sysfs_root(void)
{
    const char *root = NULL;

    if (api_enter()) {
        root = sim.cfg.root;
        sim_unlock();
    }
    return root;
}

int sim_trigger_fault(const char *bdf, int64_t pasid, uint64_t addr,
                      uint32_t perm, uint32_t grpid, bool last)
{
    struct iommu_hwpt_pgfault rec = {0};
    struct sim_pdev *pdev;
    int rc;

    if (!api_enter()) {
        return -ENODEV;
    }
    pdev = sim_pdev_by_bdf(bdf);
    if (!pdev || !pdev->idev) {
        rc = -ENODEV;
        goto out;
    }
    if ((perm & ~0xfu) || pasid >= (1 << 20) || pasid < SIM_NO_PASID) {
        rc = -EINVAL;
        goto out;
    }
    rec.flags = last ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0;
    if (pasid != SIM_NO_PASID) {
        rec.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
        rec.pasid = pasid;
    }
    rec.dev_id = pdev->idev->obj.id;
    rec.grpid = grpid;
    rec.perm = perm;
    rec.addr = addr;
    rc = sim_page_request(pdev->idev, &rec, NULL);
out:
    sim_unlock();
    return rc;
}

/*
 * arm_smmu_handle_event() (7.2): only the eight event IDs it knows are
 * handled at all; a stall event becomes an I/O page fault instead, a
 * stage-2 event stays with the host, and the rest is forwarded only for a
 * device that had a vDEVICE when its nested domain was attached (its
 * "vmaster"), with the StreamID (bits [63:32] of the first dword)
 * replaced by that vSID.
 */
static bool smmu_event_forwarded(uint64_t w0, uint64_t w1)
{
    switch (w0 & 0xff) {
    case 0x04: /* C_BAD_STE */
    case 0x06: /* F_STREAM_DISABLED */
    case 0x08: /* C_BAD_SUBSTREAMID */
    case 0x0a: /* C_BAD_CD */
    case 0x10: /* F_TRANSLATION */
    case 0x11: /* F_ADDR_SIZE */
    case 0x12: /* F_ACCESS */
    case 0x13: /* F_PERMISSION */
        break;
    default:
        return false;
    }
    return !(w1 & (1ull << 31)) && /* Stall */
           !(w1 & (1ull << 39));   /* S2 */
}

static int vevent_for(struct sim_pdev *pdev, const void *record)
{
    struct sim_idev *idev = pdev->idev;
    struct sim_hwpt *hwpt;
    uint64_t evt[4];

    if (!idev) {
        return -ENODEV;
    }
    if (sim.cfg.iommu.type != SIM_IOMMU_SMMUV3) {
        return -EOPNOTSUPP;
    }
    memcpy(evt, record, sizeof(evt));
    if (!smmu_event_forwarded(GUINT64_FROM_LE(evt[0]),
                              GUINT64_FROM_LE(evt[1]))) {
        return -EPERM;
    }
    hwpt = idev->rid_hwpt;
    if (!idev->vmaster || !hwpt || !hwpt->viommu) {
        return -ENOENT;
    }
    evt[0] = GUINT64_TO_LE((GUINT64_FROM_LE(evt[0]) & 0xffffffffull) |
                           ((uint64_t)(uint32_t)idev->vmaster_vsid << 32));
    return sim_veventq_report(hwpt->viommu, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, evt,
                              sizeof(evt));
}

int sim_trigger_vevent(const char *bdf, const void *record, size_t len)
{
    struct sim_pdev *pdev;
    int rc;

    if (len != sizeof(struct iommu_vevent_arm_smmuv3)) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    pdev = sim_pdev_by_bdf(bdf);
    rc = pdev ? vevent_for(pdev, record) : -ENODEV;
    sim_unlock();
    return rc;
}

/*
 * Bursts: the public calls in a loop, so that they keep exactly their
 * semantics.  The device lookup is a string compare of the canonical BDF
 * (sim_pdev_by_bdf()), no parsing, so resolving it per record is cheap.
 */
int sim_trigger_fault_burst(const char *bdf, unsigned int count, int64_t pasid,
                            unsigned int npasids, uint64_t addr, uint32_t perm,
                            uint32_t grpid, unsigned int *done)
{
    unsigned int i;
    int rc = 0;

    if (count > SIM_BURST_MAX || !npasids ||
        (pasid != SIM_NO_PASID && pasid + npasids > (1 << 20))) {
        return -EINVAL;
    }
    for (i = 0; i < count; i++) {
        int64_t p = pasid == SIM_NO_PASID ? pasid : pasid + i % npasids;

        rc = sim_trigger_fault(bdf, p, addr + (uint64_t)(i / npasids) * 4096,
                               perm, (grpid + i / npasids) & 0x1ff, true);
        if (rc) {
            break;
        }
    }
    if (done) {
        *done = i;
    }
    return rc;
}

int sim_trigger_vevent_burst(const char *bdf, const void *record, size_t len,
                             unsigned int count, unsigned int *done)
{
    unsigned int i;
    int rc = 0;

    if (count > SIM_BURST_MAX) {
        return -EINVAL;
    }
    for (i = 0; i < count; i++) {
        rc = sim_trigger_vevent(bdf, record, len);
        if (rc) {
            break;
        }
    }
    if (done) {
        *done = i;
    }
    return rc;
}

int sim_dma(const char *bdf, int64_t pasid, uint64_t iova, uint32_t access,
            struct sim_dma_info *out)
{
    struct sim_pdev *pdev;
    struct sim_dma *dma;
    int rc;

    if (!api_enter()) {
        return -ENODEV;
    }
    pdev = sim_pdev_by_bdf(bdf);
    if (!pdev) {
        rc = -ENODEV;
        goto out;
    }
    if (!access || (access & ~0xfu) || pasid < SIM_NO_PASID ||
        pasid >= (1 << 20)) {
        rc = -EINVAL;
        goto out;
    }
    rc = sim_dma_start(pdev, pasid, iova, access, &dma);
    if (!rc && out) {
        sim_dma_info_fill(dma, out);
    }
out:
    sim_unlock();
    return rc;
}

int sim_dma_status(uint64_t id, struct sim_dma_info *out)
{
    struct sim_dma *dma;
    int rc = 0;

    if (!api_enter()) {
        return -ENODEV;
    }
    dma = g_hash_table_lookup(sim.dmas, &id);
    if (dma) {
        sim_dma_info_fill(dma, out);
    } else {
        rc = -ENOENT;
    }
    sim_unlock();
    return rc;
}

unsigned int sim_live_objects(void)
{
    unsigned int n = 0;

    if (!api_enter()) {
        return 0;
    }
    for (int i = 0; i < SIM_OBJ_NR; i++) {
        n += sim.stats.live[i];
    }
    sim_unlock();
    return n;
}

void sim_get_stats(struct sim_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!api_enter()) {
        return;
    }
    *out = sim.stats;
    sim_unlock();
}

void sim_reset_stats(void)
{
    unsigned int live[SIM_OBJ_NR];

    if (!api_enter()) {
        return;
    }
    /* live counts describe state, not history: keep them */
    memcpy(live, sim.stats.live, sizeof(live));
    memset(&sim.stats, 0, sizeof(sim.stats));
    memcpy(sim.stats.live, live, sizeof(live));
    g_array_set_size(sim.responses, 0);
    g_array_set_size(sim.invals, 0);
    sim_unlock();
}

size_t sim_get_responses(struct sim_response *out, size_t max)
{
    size_t n;

    if (!api_enter()) {
        return 0;
    }
    n = sim.responses->len;
    if (out && n && max) {
        memcpy(out, sim.responses->data,
               MIN(n, max) * sizeof(struct sim_response));
    }
    sim_unlock();
    return n;
}

int sim_inject_ioctl_failure(const char *name, unsigned int count, int err)
{
    struct sim_inject_ioctl in = {.count = count, .err = err};

    if (err <= 0 || !count || !name) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    if (!sim_ioctl_by_name(name, &in.cmd)) {
        sim_unlock();
        return -EINVAL;
    }
    g_array_append_val(sim.inject_ioctls, in);
    sim_unlock();
    return 0;
}

int sim_inject_read(enum sim_queue_kind kind, enum sim_read_inject what,
                    unsigned int n)
{
    struct sim_inject_read_state *st;

    if (kind > SIM_QUEUE_VEVENTQ || what > SIM_READ_SHORT) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    st = &sim.inject_read[kind];
    if (what == SIM_READ_EAGAIN) {
        st->eagain = n;
    } else if (what == SIM_READ_EINTR) {
        st->eintr = n;
    } else {
        st->short_pending = true;
        st->short_bytes = n;
    }
    sim_unlock();
    return 0;
}

/* An errno a read()/write() may return: 1..4095 */
static bool inject_errno_ok(int err)
{
    return err > 0 && err < 4096;
}

int sim_inject_read_errno(enum sim_queue_kind kind, int err, unsigned int n)
{
    struct sim_inject_read_state *st;

    if (kind > SIM_QUEUE_VEVENTQ || (n && !inject_errno_ok(err))) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    st = &sim.inject_read[kind];
    st->err = err;
    st->err_count = n;
    sim_unlock();
    return 0;
}

int sim_inject_write(enum sim_queue_kind kind, int err, unsigned int n)
{
    struct sim_inject_write_state *st;

    /* a vEVENTQ has no write(): nothing to inject into */
    if (kind != SIM_QUEUE_FAULT || (n && !inject_errno_ok(err))) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    st = &sim.inject_write[kind];
    st->err = err;
    st->count = n;
    sim_unlock();
    return 0;
}

int sim_inject_close(enum sim_queue_kind kind)
{
    if (kind > SIM_QUEUE_VEVENTQ) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    if (kind == SIM_QUEUE_FAULT) {
        for (unsigned int i = 0; i < sim.faults->len; i++) {
            sim_fault_hangup(g_ptr_array_index(sim.faults, i));
        }
    } else {
        for (unsigned int i = 0; i < sim.veventqs->len; i++) {
            sim_veventq_hangup(g_ptr_array_index(sim.veventqs, i));
        }
    }
    sim_unlock();
    return 0;
}

int sim_inject_raw_read(enum sim_queue_kind kind, const void *bytes, size_t len)
{
    if (kind > SIM_QUEUE_VEVENTQ || (len && !bytes) ||
        len > SIM_INJECT_RAW_MAX) {
        return -EINVAL;
    }
    if (!api_enter()) {
        return -ENODEV;
    }
    if (!sim.inject_raw[kind]) {
        sim.inject_raw[kind] = g_byte_array_new();
    }
    if (len) {
        g_byte_array_append(sim.inject_raw[kind], bytes, len);
    } else {
        g_byte_array_set_size(sim.inject_raw[kind], 0);
    }
    if (sim.inject_raw[kind]->len > SIM_INJECT_RAW_MAX) {
        /* undo: the total is bounded, not only one call */
        g_byte_array_set_size(sim.inject_raw[kind],
                              sim.inject_raw[kind]->len - len);
        sim_unlock();
        return -ENOSPC;
    }
    if (kind == SIM_QUEUE_FAULT) {
        sim_fault_refresh_ready();
    } else {
        sim_veventq_refresh_ready();
    }
    sim_unlock();
    return 0;
}

char *sim_command(const char *line)
{
    return sim_control_exec(line);
}
