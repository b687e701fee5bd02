/*
 * The simulator floor (see bench-floor.h): a minimal consumer of the
 * FAULTQ and vEVENTQ fds that does what a VMM must do at the least —
 * read whole records in batches, answer page groups — so that the model
 * benchmarks can be read as a ratio to it.
 */
#include "bench-common.h"
#include "bench-floor.h"
#include "iommufd-sim.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#define MAX_BATCH 256

unsigned bench_floor_batch = 1;

static char *sim_dir;
static int iommufd = -1, devfd = -1, eventfd_q = -1;
static uint32_t devid, ioas_id, parent_id, queue_id, child_id, vdev_id;
static uint32_t ste_hwpt_id;
static uint32_t floor_pasid;
static const char *floor_bdf;
static struct iommu_hwpt_pgfault fault_buf[MAX_BATCH];
static struct iommu_hwpt_page_response resp_buf[MAX_BATCH];
static uint8_t vevent_buf[MAX_BATCH * 40];

static void die(const char *what)
{
    fprintf(stderr, "bench: %s: %s\n", what, g_strerror(errno));
    exit(1);
}

static void xioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
    if (ioctl(fd, cmd, arg) < 0) {
        die(what);
    }
}

void bench_sim_start(const char *iommu_type, const char *bdf)
{
    g_autofree char *path = NULL;
    g_autofree char *text = g_strdup_printf(
        "[iommu]\ntype=%s\nnesting=true\n"
        "[device %s]\nvendor-id=0x8086\ndevice-id=0x1234\n"
        "pasid-width=20\npri=true\npri-capacity=65536\nats=true\n"
        "stream-id=0x100\n", iommu_type, bdf);

    sim_dir = g_dir_make_tmp("viommu-bench-XXXXXX", NULL);
    path = g_build_filename(sim_dir, "sim.conf", NULL);
    if (!g_file_set_contents(path, text, -1, NULL)) {
        die("writing the simulator config");
    }
    g_setenv("IOMMUFD_SIM_CONFIG", path, TRUE);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    if (sim_reinit_for_test() < 0 || !sim_is_active()) {
        fprintf(stderr, "bench: the simulator did not start\n");
        exit(1);
    }
}

void bench_sim_stop(void)
{
    g_autofree char *path = g_build_filename(sim_dir, "sim.conf", NULL);

    g_unsetenv("IOMMUFD_SIM_CONFIG");
    sim_reinit_for_test();
    g_unlink(path);
    g_rmdir(sim_dir);
    g_clear_pointer(&sim_dir, g_free);
}

static void open_and_bind(const char *bdf)
{
    g_autofree char *dir_path =
        g_strdup_printf("/sys/bus/pci/devices/%s/vfio-dev", bdf);
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
    struct iommu_hwpt_alloc parent = {
        .size = sizeof(parent),
        .flags = IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_PASID,
    };
    g_autofree char *cdev = NULL;
    DIR *dir = opendir(dir_path);
    struct dirent *ent;

    if (!dir) {
        die(dir_path);
    }
    while ((ent = readdir(dir))) {
        if (g_str_has_prefix(ent->d_name, "vfio")) {
            cdev = g_strdup_printf("/dev/vfio/devices/%s", ent->d_name);
        }
    }
    closedir(dir);
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    devfd = cdev ? open(cdev, O_RDWR | O_CLOEXEC) : -1;
    if (iommufd < 0 || devfd < 0) {
        die("open");
    }
    bind.iommufd = iommufd;
    xioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind, "bind");
    devid = bind.out_devid;
    xioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas, "IOAS_ALLOC");
    ioas_id = ioas.out_ioas_id;
    parent.dev_id = devid;
    parent.pt_id = ioas_id;
    xioctl(iommufd, IOMMU_HWPT_ALLOC, &parent, "HWPT_ALLOC parent");
    parent_id = parent.out_hwpt_id;
    floor_bdf = bdf;
}

static void destroy(uint32_t id)
{
    struct iommu_destroy d = { .size = sizeof(d), .id = id };

    if (id) {
        xioctl(iommufd, IOMMU_DESTROY, &d, "DESTROY");
    }
}

static void close_all(void)
{
    destroy(parent_id);
    destroy(ioas_id);
    close(devfd);
    close(iommufd);
    parent_id = ioas_id = 0;
    devfd = iommufd = -1;
}

void bench_floor_faultq_setup(const char *bdf, uint32_t pasid)
{
    struct iommu_fault_alloc fault = { .size = sizeof(fault) };
    struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x100000, .addr_width = 48 };
    struct iommu_hwpt_alloc nested = {
        .size = sizeof(nested),
        .flags = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID,
        .data_type = IOMMU_HWPT_DATA_VTD_S1,
        .data_len = sizeof(s1),
        .data_uptr = (uintptr_t)&s1,
    };
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .flags = VFIO_DEVICE_ATTACH_PASID,
        .pasid = pasid,
    };

    open_and_bind(bdf);
    xioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault, "FAULT_QUEUE_ALLOC");
    queue_id = fault.out_fault_id;
    eventfd_q = fault.out_fault_fd;
    fcntl(eventfd_q, F_SETFL, fcntl(eventfd_q, F_GETFL) | O_NONBLOCK);
    nested.dev_id = devid;
    nested.pt_id = parent_id;
    nested.fault_id = queue_id;
    xioctl(iommufd, IOMMU_HWPT_ALLOC, &nested, "HWPT_ALLOC nested");
    child_id = nested.out_hwpt_id;
    attach.pt_id = child_id;
    xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach, "ATTACH pasid");
    floor_pasid = pasid;
}

void bench_floor_faultq_run(void *opaque, uint64_t items)
{
    unsigned batch = MIN(bench_floor_batch, MAX_BATCH);

    for (uint64_t done = 0; done < items; done += batch) {
        ssize_t n;
        unsigned got;

        for (unsigned i = 0; i < batch; i++) {
            int rc = BENCH_HOST(sim_trigger_fault(floor_bdf, floor_pasid,
                                                  0x1000 * (i + 1),
                                                  SIM_ACCESS_READ, i, true));

            if (rc < 0) {
                errno = -rc;
                die("sim_trigger_fault");
            }
        }
        n = read(eventfd_q, fault_buf, batch * sizeof(fault_buf[0]));
        if (n < 0) {
            die("FAULTQ read");
        }
        got = n / sizeof(fault_buf[0]);
        if (got != batch) {
            fprintf(stderr, "bench: floor read %u page requests of %u\n",
                    got, batch);
            exit(1);
        }
        for (unsigned i = 0; i < got; i++) {
            resp_buf[i].cookie = fault_buf[i].cookie;
            resp_buf[i].code = IOMMUFD_PAGE_RESP_SUCCESS;
        }
        if (got && write(eventfd_q, resp_buf, got * sizeof(resp_buf[0])) < 0) {
            die("FAULTQ write");
        }
    }
}

void bench_floor_faultq_teardown(void)
{
    struct vfio_device_detach_iommufd_pt detach = {
        .argsz = sizeof(detach),
        .flags = VFIO_DEVICE_DETACH_PASID,
        .pasid = floor_pasid,
    };

    xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach, "DETACH");
    destroy(child_id);
    close(eventfd_q);
    destroy(queue_id);
    child_id = queue_id = 0;
    eventfd_q = -1;
    close_all();
}

void bench_floor_veventq_setup(const char *bdf, uint32_t depth)
{
    struct iommu_viommu_alloc viommu = {
        .size = sizeof(viommu),
        .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
    };
    struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev), .virt_id = 0x8 };
    struct iommu_veventq_alloc veventq = {
        .size = sizeof(veventq),
        .type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
        .veventq_depth = depth,
    };
    /* STE: V, Config = bypass (what the model attaches while bypassing) */
    struct iommu_hwpt_arm_smmuv3 ste = { .ste = { 0x9, 0 } };
    struct iommu_hwpt_alloc nested = {
        .size = sizeof(nested),
        .data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
        .data_len = sizeof(ste),
        .data_uptr = (uintptr_t)&ste,
    };
    struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };

    open_and_bind(bdf);
    viommu.dev_id = devid;
    viommu.hwpt_id = parent_id;
    xioctl(iommufd, IOMMU_VIOMMU_ALLOC, &viommu, "VIOMMU_ALLOC");
    child_id = viommu.out_viommu_id;
    vdev.viommu_id = child_id;
    vdev.dev_id = devid;
    xioctl(iommufd, IOMMU_VDEVICE_ALLOC, &vdev, "VDEVICE_ALLOC");
    vdev_id = vdev.out_vdevice_id;
    /*
     * The host reports events only for a device attached to a HWPT of
     * that vIOMMU (the kernel: a nested domain on it).
     */
    nested.dev_id = devid;
    nested.pt_id = child_id;
    xioctl(iommufd, IOMMU_HWPT_ALLOC, &nested, "HWPT_ALLOC nested (STE)");
    ste_hwpt_id = nested.out_hwpt_id;
    attach.pt_id = ste_hwpt_id;
    xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach, "ATTACH");
    veventq.viommu_id = child_id;
    xioctl(iommufd, IOMMU_VEVENTQ_ALLOC, &veventq, "VEVENTQ_ALLOC");
    queue_id = veventq.out_veventq_id;
    eventfd_q = veventq.out_veventq_fd;
    fcntl(eventfd_q, F_SETFL, fcntl(eventfd_q, F_GETFL) | O_NONBLOCK);
}

void bench_floor_veventq_run(void *opaque, uint64_t items)
{
    unsigned batch = MIN(bench_floor_batch, MAX_BATCH);
    /* F_TRANSLATION from the physical StreamID, as the model's case */
    uint64_t record[4] = { 0x10 | 0x100ULL << 32, 1ULL << 35, 0, 0 };

    for (uint64_t done = 0; done < items; done += batch) {
        ssize_t n;

        for (unsigned i = 0; i < batch; i++) {
            int rc = BENCH_HOST(sim_trigger_vevent(floor_bdf, record,
                                                   sizeof(record)));

            if (rc < 0) {
                errno = -rc;
                die("sim_trigger_vevent");
            }
        }
        n = read(eventfd_q, vevent_buf, batch * 40);
        if (n < 0) {
            die("vEVENTQ read");
        }
        if (n != batch * 40) {
            fprintf(stderr, "bench: floor read %zd bytes of vEVENTs, %u "
                    "expected\n", n, batch * 40);
            exit(1);
        }
    }
}

void bench_floor_veventq_teardown(void)
{
    struct vfio_device_detach_iommufd_pt detach = {
        .argsz = sizeof(detach),
    };

    close(eventfd_q);
    destroy(queue_id);
    xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach, "DETACH");
    destroy(ste_hwpt_id);
    ste_hwpt_id = 0;
    destroy(vdev_id);
    destroy(child_id);
    queue_id = vdev_id = child_id = 0;
    eventfd_q = -1;
    close_all();
}

/* ---- the physical limit: the same bytes through a pipe ---- */

static int pipe_fd[2] = { -1, -1 }, pipe_back[2] = { -1, -1 };
static uint8_t pipe_buf[MAX_BATCH * 40];

void bench_pipe_setup(void)
{
    if (pipe(pipe_fd) < 0 || pipe(pipe_back) < 0) {
        die("pipe");
    }
}

/*
 * One batch: the "host" writes B 40-byte records (as trigger time), the
 * reader takes them with one read(); with @answer, it writes B 8-byte
 * answers back with one write(), which the "host" drains.  What is left
 * besides the trigger time is the least any design can pay for the same
 * bytes: a system call and a kernel copy each way.
 */
static void pipe_run(uint64_t items, bool answer)
{
    unsigned batch = MIN(bench_floor_batch, MAX_BATCH);
    size_t len = batch * 40;

    for (uint64_t done = 0; done < items; done += batch) {
        ssize_t n = BENCH_HOST(write(pipe_fd[1], pipe_buf, len));

        if (n != (ssize_t)len || read(pipe_fd[0], pipe_buf, len) != n) {
            die("pipe read");
        }
        if (answer) {
            if (write(pipe_back[1], pipe_buf, batch * 8) !=
                (ssize_t)(batch * 8) ||
                BENCH_HOST(read(pipe_back[0], pipe_buf, batch * 8)) !=
                (ssize_t)(batch * 8)) {
                die("pipe write");
            }
        }
    }
}

void bench_pipe_read_run(void *opaque, uint64_t items)
{
    pipe_run(items, false);
}

void bench_pipe_rw_run(void *opaque, uint64_t items)
{
    pipe_run(items, true);
}

void bench_pipe_teardown(void)
{
    for (int i = 0; i < 2; i++) {
        close(pipe_fd[i]);
        close(pipe_back[i]);
        pipe_fd[i] = pipe_back[i] = -1;
    }
}

/* ---- upstream's vEVENTQ handler: one record per read() ---- */

void bench_floor_veventq_1rec_run(void *opaque, uint64_t items)
{
    unsigned batch = MIN(bench_floor_batch, MAX_BATCH);
    uint64_t record[4] = { 0x10 | 0x100ULL << 32, 1ULL << 35, 0, 0 };

    for (uint64_t done = 0; done < items; done += batch) {
        for (unsigned i = 0; i < batch; i++) {
            int rc = BENCH_HOST(sim_trigger_vevent(floor_bdf, record,
                                                   sizeof(record)));

            if (rc < 0) {
                errno = -rc;
                die("sim_trigger_vevent");
            }
        }
        for (unsigned i = 0; i < batch; i++) {
            if (read(eventfd_q, vevent_buf, 40) != 40) {
                die("vEVENTQ read of one record");
            }
        }
    }
}

/*
 * ---- PRQ designs over N PASIDs ----
 *
 * "ours": one FAULTQ for every PASID (each PASID's nested HWPT names the
 * same fault_id), one read() of the batch, answers by cookie, one
 * write().  "upstream" (the upstream PRQ series): one FAULTQ, hence one
 * fd, per PASID; every fd polled; a heap record per group kept on a list
 * that each answer scans; one write() per answer, to that PASID's fd.
 */
typedef struct UpGroup {
    int fd;
    uint32_t pasid, prgi, cookie;
} UpGroup;

static unsigned prq_npasids;
static bool prq_upstream;
static int *prq_fds;
static uint32_t *prq_fault_ids, *prq_hwpt_ids;
static struct pollfd *prq_pfds;
static GList *up_groups;        /* of UpGroup, oldest first */
static uint64_t prq_seq;

static uint32_t prq_attach(uint32_t pasid, uint32_t fault_id)
{
    struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x100000, .addr_width = 48 };
    struct iommu_hwpt_alloc nested = {
        .size = sizeof(nested),
        .flags = IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID,
        .data_type = IOMMU_HWPT_DATA_VTD_S1,
        .data_len = sizeof(s1),
        .data_uptr = (uintptr_t)&s1,
        .dev_id = devid,
        .pt_id = parent_id,
        .fault_id = fault_id,
    };
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .flags = VFIO_DEVICE_ATTACH_PASID,
        .pasid = pasid,
    };

    xioctl(iommufd, IOMMU_HWPT_ALLOC, &nested, "HWPT_ALLOC nested");
    attach.pt_id = nested.out_hwpt_id;
    xioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach, "ATTACH pasid");
    return nested.out_hwpt_id;
}

static int prq_fault_alloc(uint32_t *id)
{
    struct iommu_fault_alloc fault = { .size = sizeof(fault) };

    xioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault, "FAULT_QUEUE_ALLOC");
    fcntl(fault.out_fault_fd, F_SETFL,
          fcntl(fault.out_fault_fd, F_GETFL) | O_NONBLOCK);
    *id = fault.out_fault_id;
    return fault.out_fault_fd;
}

bool bench_floor_prq_setup(const char *bdf, unsigned npasids, bool upstream)
{
    struct rlimit rl;
    unsigned nq = upstream ? npasids : 1;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && nq + 64 > rl.rlim_cur) {
        rl.rlim_cur = MIN(rl.rlim_max, (rlim_t)nq + 64);
        setrlimit(RLIMIT_NOFILE, &rl);
        if (nq + 64 > rl.rlim_cur) {
            return false;       /* that many fds are not allowed here */
        }
    }
    open_and_bind(bdf);
    prq_npasids = npasids;
    prq_upstream = upstream;
    prq_seq = 0;
    prq_fds = g_new(int, nq);
    prq_fault_ids = g_new(uint32_t, nq);
    prq_hwpt_ids = g_new(uint32_t, npasids);
    prq_pfds = g_new0(struct pollfd, nq);
    for (unsigned i = 0; i < nq; i++) {
        prq_fds[i] = prq_fault_alloc(&prq_fault_ids[i]);
        prq_pfds[i] = (struct pollfd) { .fd = prq_fds[i], .events = POLLIN };
    }
    for (unsigned p = 0; p < npasids; p++) {
        prq_hwpt_ids[p] = prq_attach(p + 1, prq_fault_ids[upstream ? p : 0]);
    }
    return true;
}

static void prq_trigger(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t seq = prq_seq++;
        uint32_t pasid = 1 + seq % prq_npasids;
        uint32_t prgi = (seq / prq_npasids) & 0x1ff;
        int rc = BENCH_HOST(sim_trigger_fault(floor_bdf, pasid,
                                              0x1000 * (prgi + 1),
                                              SIM_ACCESS_READ, prgi, true));

        if (rc < 0) {
            errno = -rc;
            die("sim_trigger_fault");
        }
    }
}

/* Upstream: poll every fd, read the ready ones, a record per group. */
static unsigned up_collect(void)
{
    unsigned nq = prq_npasids, got = 0;

    if (poll(prq_pfds, nq, 0) < 0) {
        die("poll");
    }
    for (unsigned q = 0; q < nq; q++) {
        ssize_t n;

        if (!(prq_pfds[q].revents & POLLIN)) {
            continue;
        }
        n = read(prq_fds[q], fault_buf, sizeof(fault_buf));
        for (ssize_t i = 0; i < n / (ssize_t)sizeof(fault_buf[0]); i++) {
            UpGroup *g = g_new0(UpGroup, 1);

            g->fd = prq_fds[q];
            g->pasid = fault_buf[i].pasid;
            g->prgi = fault_buf[i].grpid;
            g->cookie = fault_buf[i].cookie;
            up_groups = g_list_append(up_groups, g);
            got++;
        }
    }
    return got;
}

/* Upstream: the guest's answer names (PASID, PRGI): find it, answer it. */
static void up_answer(uint32_t pasid, uint32_t prgi)
{
    struct iommu_hwpt_page_response resp = {
        .code = IOMMUFD_PAGE_RESP_SUCCESS,
    };
    GList *l;

    for (l = up_groups; l; l = l->next) {
        UpGroup *g = l->data;

        if (g->pasid == pasid && g->prgi == prgi) {
            resp.cookie = g->cookie;
            if (write(g->fd, &resp, sizeof(resp)) != sizeof(resp)) {
                die("FAULTQ write");
            }
            up_groups = g_list_delete_link(up_groups, l);
            g_free(g);
            return;
        }
    }
    fprintf(stderr, "bench: no outstanding group for PASID %u PRGI %u\n",
            pasid, prgi);
    exit(1);
}

/* Leave @n groups outstanding, on PASIDs 1.. (never answered). */
void bench_floor_prq_hold(unsigned n)
{
    unsigned held = 0;

    /* prgi 256..511: never those of the measured faults below 256 */
    for (unsigned i = 0; i < n; i++) {
        uint32_t pasid = 1 + i % prq_npasids;
        uint32_t prgi = 256 + (i / prq_npasids) % 256;
        int rc = sim_trigger_fault(floor_bdf, pasid, 0x1000, SIM_ACCESS_READ,
                                   prgi, true);

        if (rc < 0) {
            errno = -rc;
            die("sim_trigger_fault (held)");
        }
        if (i % MAX_BATCH == MAX_BATCH - 1 || i == n - 1) {
            if (prq_upstream) {
                held += up_collect();
            } else {
                ssize_t got;

                while ((got = read(prq_fds[0], fault_buf,
                                   sizeof(fault_buf))) > 0) {
                    held += got / sizeof(fault_buf[0]);
                }
            }
        }
    }
    if (held != n) {
        fprintf(stderr, "bench: %u of %u held groups read\n", held, n);
        exit(1);
    }
    /* measured faults must not reuse a held PRGI: keep them below 256 */
    prq_seq = 0;
}

void bench_floor_prq_run(void *opaque, uint64_t items)
{
    unsigned batch = MIN(bench_floor_batch, MAX_BATCH);

    for (uint64_t done = 0; done < items; done += batch) {
        uint64_t first = prq_seq;
        unsigned got = 0;

        prq_trigger(batch);
        if (prq_upstream) {
            got = up_collect();
            for (unsigned i = 0; i < got; i++) {
                uint64_t seq = first + i;

                up_answer(1 + seq % prq_npasids,
                          (seq / prq_npasids) & 0x1ff);
            }
        } else {
            ssize_t n = read(prq_fds[0], fault_buf, sizeof(fault_buf));

            got = n > 0 ? n / sizeof(fault_buf[0]) : 0;
            for (unsigned i = 0; i < got; i++) {
                resp_buf[i].cookie = fault_buf[i].cookie;
                resp_buf[i].code = IOMMUFD_PAGE_RESP_SUCCESS;
            }
            if (got && write(prq_fds[0], resp_buf,
                             got * sizeof(resp_buf[0])) < 0) {
                die("FAULTQ write");
            }
        }
        if (got != batch) {
            fprintf(stderr, "bench: %u page requests read of %u\n", got,
                    batch);
            exit(1);
        }
        /* PRGIs below 256 (the held ones are above) */
        if (prq_seq / prq_npasids >= 256) {
            prq_seq = 0;
        }
    }
}

unsigned bench_floor_prq_fds(void)
{
    return prq_upstream ? prq_npasids : 1;
}

void bench_floor_prq_teardown(void)
{
    unsigned nq = prq_upstream ? prq_npasids : 1;

    for (unsigned p = 0; p < prq_npasids; p++) {
        struct vfio_device_detach_iommufd_pt detach = {
            .argsz = sizeof(detach),
            .flags = VFIO_DEVICE_DETACH_PASID,
            .pasid = p + 1,
        };

        xioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach, "DETACH");
        destroy(prq_hwpt_ids[p]);
    }
    for (unsigned q = 0; q < nq; q++) {
        close(prq_fds[q]);
        destroy(prq_fault_ids[q]);
    }
    g_list_free_full(up_groups, g_free);
    up_groups = NULL;
    g_clear_pointer(&prq_fds, g_free);
    g_clear_pointer(&prq_fault_ids, g_free);
    g_clear_pointer(&prq_hwpt_ids, g_free);
    g_clear_pointer(&prq_pfds, g_free);
    close_all();
}
