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
#include <sys/ioctl.h>
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
