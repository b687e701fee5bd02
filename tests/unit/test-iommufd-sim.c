/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conformance tests for the iommufd simulator.
 *
 * This program links libiommufd-sim directly, so its own open()/ioctl()/
 * read()/write()/close() go through the interposer exactly like the VMM's
 * would.  Each test writes a config, re-initialises the simulator, talks to
 * /dev/iommu and /dev/vfio/devices/vfioN with the kernel's uAPI, and ends by
 * checking that closing everything left no live object behind.
 *
 * Expected behaviour is the kernel's (drivers/iommu/iommufd/, drivers/vfio/)
 * and the scenarios of tools/testing/selftests/iommu/iommufd.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd-sim.h"
#include "selftest-abi.h"

#define BDF0 "0000:02:00.0"
#define BDF1 "0000:03:00.0"
#define REC_SIZE sizeof(struct iommu_hwpt_pgfault)

static const char vtd_cfg[] = "[iommu]\n"
                              "type=intel-vtd\n"
                              "nesting=true\n"
                              "[device " BDF0 "]\n"
                              "vendor-id=0x8086\n"
                              "device-id=0x1234\n"
                              "pasid-width=20          # max_pasid_log2\n"
                              "pasid-exec=true\n"
                              "pri=true\n"
                              "pri-capacity=64\n"
                              "ats=true\n"
                              "[device " BDF1 "]\n"
                              "vendor-id=0x15b3\n"
                              "device-id=0x101e\n";

static const char smmu_cfg[] = "[iommu]\n"
                               "type=arm-smmuv3\n"
                               "idr5=0x75\n"
                               "[device " BDF0 "]\n"
                               "stream-id=0x200\n"
                               "pasid-width=16\n"
                               "pri=true\n";

static char *cfg_file;

static void sim_setup(const char *text)
{
    g_autoptr(GError) err = NULL;
    int fd;

    if (!cfg_file) {
        fd = g_file_open_tmp("iommufd-sim-test-XXXXXX.conf", &cfg_file, &err);
        g_assert_no_error(err);
        close(fd);
    }
    g_assert_true(g_file_set_contents(cfg_file, text, -1, &err));
    g_setenv("IOMMUFD_SIM_CONFIG", cfg_file, TRUE);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    g_assert_cmpint(sim_reinit_for_test(), ==, 0);
}

static int xioctl(int fd, unsigned long req, void *arg)
{
    return ioctl(fd, req, arg) ? -errno : 0;
}

/* The VMM's way in: sysfs vfio-dev directory, then the cdev node */
static int open_vfio(const char *bdf)
{
    g_autofree char *dir =
        g_strdup_printf("/sys/bus/pci/devices/%s/vfio-dev", bdf);
    g_autofree char *node = NULL;
    struct dirent *de;
    DIR *d = opendir(dir);
    int fd;

    g_assert_nonnull(d);
    while ((de = readdir(d))) {
        if (g_str_has_prefix(de->d_name, "vfio")) {
            node = g_strdup_printf("/dev/vfio/devices/%s", de->d_name);
        }
    }
    closedir(d);
    g_assert_nonnull(node);
    fd = open(node, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

static int bind_dev(int vfio, int iommufd, uint32_t argsz, uint32_t *devid)
{
    struct vfio_device_bind_iommufd bind = {
        .argsz = argsz,
        .iommufd = iommufd,
    };
    int rc = xioctl(vfio, VFIO_DEVICE_BIND_IOMMUFD, &bind);

    /* written either way: gcc -O3 follows the failure path into uses */
    if (devid) {
        *devid = rc ? 0 : bind.out_devid;
    }
    return rc;
}

static uint32_t ioas_alloc(int fd)
{
    struct iommu_ioas_alloc a = {.size = sizeof(a)};

    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOC, &a), ==, 0);
    g_assert_cmpuint(a.out_ioas_id, !=, 0);
    return a.out_ioas_id;
}

static int attach(int vfio, uint32_t pt, int64_t pasid, uint32_t *out)
{
    struct vfio_device_attach_iommufd_pt at = {
        .argsz = sizeof(at),
        .pt_id = pt,
    };
    int rc;

    if (pasid != SIM_NO_PASID) {
        at.flags = VFIO_DEVICE_ATTACH_PASID;
        at.pasid = pasid;
    }
    rc = xioctl(vfio, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
    if (out) {
        *out = rc ? 0 : at.pt_id;
    }
    return rc;
}

static int detach(int vfio, int64_t pasid)
{
    struct vfio_device_detach_iommufd_pt de = {.argsz = sizeof(de)};

    if (pasid != SIM_NO_PASID) {
        de.flags = VFIO_DEVICE_DETACH_PASID;
        de.pasid = pasid;
    }
    return xioctl(vfio, VFIO_DEVICE_DETACH_IOMMUFD_PT, &de);
}

static int hwpt_alloc(int fd, uint32_t flags, uint32_t dev, uint32_t pt,
                      uint32_t type, void *data, uint32_t len,
                      uint32_t fault_id, uint32_t *out)
{
    struct iommu_hwpt_alloc a = {
        .size = sizeof(a),
        .flags = flags,
        .dev_id = dev,
        .pt_id = pt,
        .data_type = type,
        .data_len = len,
        .data_uptr = (uintptr_t)data,
        .fault_id = fault_id,
    };
    int rc = xioctl(fd, IOMMU_HWPT_ALLOC, &a);

    /* written either way: gcc -O3 follows the failure path into uses */
    if (out) {
        *out = rc ? 0 : a.out_hwpt_id;
    }
    return rc;
}

static int destroy(int fd, uint32_t id)
{
    struct iommu_destroy d = {.size = sizeof(d), .id = id};

    return xioctl(fd, IOMMU_DESTROY, &d);
}

static int fault_alloc(int fd, uint32_t *id)
{
    struct iommu_fault_alloc a = {.size = sizeof(a)};

    g_assert_cmpint(xioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &a), ==, 0);
    g_assert_cmpuint(a.out_fault_id, !=, 0);
    g_assert_cmpuint(a.out_fault_fd, !=, 0);
    *id = a.out_fault_id;
    return a.out_fault_fd;
}

static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    g_assert_cmpint(poll(&p, 1, 0), >=, 0);
    return p.revents & POLLIN;
}

static int respond(int ffd, uint32_t cookie, uint32_t code)
{
    struct iommu_hwpt_page_response r = {.cookie = cookie, .code = code};
    ssize_t n = write(ffd, &r, sizeof(r));

    return n < 0 ? -errno : (int)n;
}

static struct iommu_hwpt_vtd_s1 vtd_s1(uint64_t pgtbl)
{
    return (struct iommu_hwpt_vtd_s1){
        .pgtbl_addr = pgtbl,
        .addr_width = 48,
    };
}

/* An iommufd with BDF0 bound, one IOAS, the RID attached to it */
struct env {
    int iommufd, vfio;
    uint32_t devid, ioas, parent;
};

static void env_open(struct env *e, bool nest_parent)
{
    e->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(e->iommufd, >=, 0);
    e->vfio = open_vfio(BDF0);
    g_assert_cmpint(bind_dev(e->vfio, e->iommufd, 16, &e->devid), ==, 0);
    e->ioas = ioas_alloc(e->iommufd);
    g_assert_cmpint(attach(e->vfio, e->ioas, SIM_NO_PASID, NULL), ==, 0);
    e->parent = 0;
    if (nest_parent) {
        g_assert_cmpint(hwpt_alloc(e->iommufd, IOMMU_HWPT_ALLOC_NEST_PARENT,
                                   e->devid, e->ioas, 0, NULL, 0, 0,
                                   &e->parent),
                        ==, 0);
    }
}

static void env_close(struct env *e)
{
    g_assert_cmpint(close(e->vfio), ==, 0);
    g_assert_cmpint(close(e->iommufd), ==, 0);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

/* ---------------------------------------------------------------- */

static void test_inert(void)
{
    g_unsetenv("IOMMUFD_SIM_CONFIG");
    g_assert_cmpint(sim_reinit_for_test(), ==, -ENODEV);
    g_assert_false(sim_is_active());
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0, 1, 0, true), ==,
                    -ENODEV);
    /* a bad config leaves it inert too */
    sim_setup(vtd_cfg);
    g_assert_true(
        g_file_set_contents(cfg_file, "[iommu]\ntype=amd\n", -1, NULL));
    g_assert_cmpint(sim_reinit_for_test(), ==, -ENODEV);
}

static void test_sysfs(void)
{
    g_autofree char *vendor = NULL;
    g_autofree char *device = NULL;
    struct stat st;

    sim_setup(vtd_cfg);
    g_assert_true(g_file_get_contents("/sys/bus/pci/devices/" BDF1 "/vendor",
                                      &vendor, NULL, NULL));
    g_assert_cmpstr(vendor, ==, "0x15b3\n");
    g_assert_true(g_file_get_contents("/sys/bus/pci/devices/" BDF0 "/device",
                                      &device, NULL, NULL));
    g_assert_cmpstr(device, ==, "0x1234\n");
    g_assert_cmpint(access("/dev/iommu", F_OK), ==, 0);
    g_assert_cmpint(access("/dev/vfio/devices/vfio1", F_OK), ==, 0);
    g_assert_cmpint(stat("/sys/bus/pci/devices/" BDF0 "/vfio-dev/vfio0", &st),
                    ==, 0);
    g_assert_true(S_ISDIR(st.st_mode));
    /* not simulated: untouched */
    g_assert_cmpint(access("/sys/bus/pci/devices/0000:7f:1f.7/vendor", F_OK),
                    ==, -1);
    g_assert_cmpint(open("/dev/vfio/devices/vfio9", O_RDWR), ==, -1);
}

static void test_bind(void)
{
    struct vfio_device_bind_iommufd bind;
    struct vfio_device_info info = {.argsz = sizeof(info)};
    uint64_t big[4] = {0};
    uint32_t devid = 0, devid1 = 0;
    int iommufd, vfio, vfio_b, vfio1;

    sim_setup(vtd_cfg);
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(iommufd, >=, 0);
    vfio = open_vfio(BDF0);

    /* nothing but BIND before binding */
    g_assert_cmpint(xioctl(vfio, VFIO_DEVICE_GET_INFO, &info), ==, -EINVAL);
    g_assert_cmpint(bind_dev(vfio, iommufd, 12, NULL), ==, -EINVAL);
    g_assert_cmpint(bind_dev(vfio, vfio, 16, NULL), ==, -EBADFD);
    g_assert_cmpint(bind_dev(vfio, 1000, 16, NULL), ==, -EBADF);
    bind = (struct vfio_device_bind_iommufd){
        .argsz = 24,
        .flags = VFIO_DEVICE_BIND_FLAG_TOKEN,
        .iommufd = iommufd,
    };
    g_assert_cmpint(xioctl(vfio, VFIO_DEVICE_BIND_IOMMUFD, &bind), ==, -EINVAL);
    /* a longer struct must be zero past what we know */
    memcpy(big,
           &(struct vfio_device_bind_iommufd){.argsz = 32, .iommufd = iommufd},
           24);
    big[3] = 1;
    g_assert_cmpint(xioctl(vfio, VFIO_DEVICE_BIND_IOMMUFD, big), ==, -E2BIG);

    /* 16-byte (6.6) layout */
    g_assert_cmpint(bind_dev(vfio, iommufd, 16, &devid), ==, 0);
    g_assert_cmpuint(devid, ==, 1);
    g_assert_cmpint(bind_dev(vfio, iommufd, 16, NULL), ==, -EINVAL);
    /* the cdev is single-open for binding */
    vfio_b = open_vfio(BDF0);
    g_assert_cmpint(bind_dev(vfio_b, iommufd, 16, NULL), ==, -EINVAL);
    close(vfio_b);

    /* 24-byte layout, second device */
    vfio1 = open_vfio(BDF1);
    g_assert_cmpint(bind_dev(vfio1, iommufd, 24, &devid1), ==, 0);
    g_assert_cmpuint(devid1, ==, 2);

    g_assert_cmpint(xioctl(vfio, VFIO_DEVICE_GET_INFO, &info), ==, 0);
    g_assert_true(info.flags & VFIO_DEVICE_FLAGS_PCI);
    g_assert_cmpuint(info.num_regions, ==, VFIO_PCI_NUM_REGIONS);
    g_assert_cmpuint(info.num_irqs, ==, VFIO_PCI_NUM_IRQS);
    info.argsz = 8;
    g_assert_cmpint(xioctl(vfio, VFIO_DEVICE_GET_INFO, &info), ==, -EINVAL);

    /* closing /dev/iommu first: the bound devices keep it alive */
    close(iommufd);
    g_assert_cmpuint(sim_live_objects(), ==, 2);
    close(vfio);
    close(vfio1);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

static void test_ioas(void)
{
    struct iommu_ioas_map map;
    struct iommu_ioas_unmap unmap;
    struct iommu_iova_range range;
    struct iommu_ioas_iova_ranges ranges = {.size = sizeof(ranges)};
    struct {
        struct iommu_ioas_alloc a;
        uint32_t extra;
    } longer;
    struct iommu_ioas_alloc a = {.size = 8};
    static char buf[4 * 4096];
    int fd;
    uint32_t ioas;

    sim_setup(vtd_cfg);
    fd = open("/dev/iommu", O_RDWR);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOC, &a), ==, -EINVAL);
    memset(&longer, 0, sizeof(longer));
    longer.a.size = sizeof(longer);
    longer.extra = 1;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOC, &longer), ==, -E2BIG);
    longer.extra = 0;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOC, &longer), ==, 0);
    a = (struct iommu_ioas_alloc){.size = sizeof(a), .flags = 1};
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOC, &a), ==, -EOPNOTSUPP);
    g_assert_cmpint(xioctl(fd, 0x3b70, &a), ==, -ENOTTY);
    ioas = longer.a.out_ioas_id;
    g_assert_cmpuint(ioas, ==, 1);

    map = (struct iommu_ioas_map){
        .size = sizeof(map),
        .ioas_id = ioas,
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE,
        .user_va = (uintptr_t)buf,
        .length = 8192,
        .iova = 0x100000,
    };
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    map.iova = 0x101000;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, -EEXIST);
    map.iova = 0x102000;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    /* no domain yet: the IOAS's alignment is 1 (io_pagetable.c) */
    map.iova = 0x200001;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    unmap = (struct iommu_ioas_unmap){
        .size = sizeof(unmap),
        .ioas_id = ioas,
        .iova = 0x200001,
        .length = 8192,
    };
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap), ==, 0);
    /* allocated from PAGE_SIZE up, keeping the address's page offset */
    map.flags = IOMMU_IOAS_MAP_READABLE;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    g_assert_cmphex(map.iova, >=, 4096);
    g_assert_cmphex(map.iova % 4096, ==, (uintptr_t)buf % 4096);
    map.ioas_id = 99;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, -ENOENT);

    /* areas go whole: a range cutting one is refused */
    unmap = (struct iommu_ioas_unmap){
        .size = sizeof(unmap),
        .ioas_id = ioas,
        .iova = 0x100000,
        .length = 4096,
    };
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap), ==, -ENOENT);
    unmap.length = 0x4000;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap), ==, 0);
    g_assert_cmphex(unmap.length, ==, 0x4000);
    unmap.iova = 0;
    unmap.length = UINT64_MAX;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap), ==, 0);
    g_assert_cmphex(unmap.length, ==, 8192);
    unmap.length = UINT64_MAX;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_UNMAP, &unmap), ==, 0);
    g_assert_cmphex(unmap.length, ==, 0);

    ranges.ioas_id = ioas;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &ranges), ==, -EMSGSIZE);
    g_assert_cmpuint(ranges.num_iovas, ==, 1);
    ranges.allowed_iovas = (uintptr_t)&range;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &ranges), ==, 0);
    g_assert_cmphex(range.start, ==, 0);
    g_assert_cmphex(range.last, ==, UINT64_MAX);
    g_assert_cmpuint(ranges.out_iova_alignment, ==, 1);
    /* a VT-d domain on it: its aperture (MGAW) and 4 KiB pages */
    {
        int vfio = open_vfio(BDF0);
        uint32_t devid;

        g_assert_cmpint(bind_dev(vfio, fd, 16, &devid), ==, 0);
        g_assert_cmpint(attach(vfio, ioas, SIM_NO_PASID, NULL), ==, 0);
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_IOVA_RANGES, &ranges), ==, 0);
        g_assert_cmphex(range.last, ==, (1ull << 48) - 1);
        g_assert_cmpuint(ranges.out_iova_alignment, ==, 4096);
        map.ioas_id = ioas;
        map.flags = IOMMU_IOAS_MAP_FIXED_IOVA;
        map.iova = 0x200800;
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, -EINVAL);
        /* beyond the aperture: reserved */
        map.iova = 1ull << 48;
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, -EINVAL);
        close(vfio);
    }

    /* unknown and double destroy */
    g_assert_cmpint(destroy(fd, 77), ==, -ENOENT);
    g_assert_cmpint(destroy(fd, ioas), ==, 0);
    g_assert_cmpint(destroy(fd, ioas), ==, -ENOENT);
    close(fd);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

static void test_hw_info_vtd(void)
{
    struct iommu_hw_info info = {.size = sizeof(info)};
    struct {
        struct iommu_hw_info_vtd vtd;
        uint8_t tail[8];
    } data;
    struct env e;

    sim_setup(vtd_cfg);
    env_open(&e, false);
    /* probe with no buffer */
    info.dev_id = e.devid;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    g_assert_cmpuint(info.data_len, ==, sizeof(struct iommu_hw_info_vtd));
    g_assert_cmpuint(info.out_data_type, ==, IOMMU_HW_INFO_TYPE_INTEL_VTD);
    g_assert_cmpuint(info.out_max_pasid_log2, ==, 20);
    g_assert_true(info.out_capabilities & IOMMU_HW_CAP_PCI_PASID_EXEC);
    g_assert_false(info.out_capabilities & IOMMU_HW_CAP_PCI_PASID_PRIV);

    /* larger buffer: tail zero-filled */
    memset(&data, 0xff, sizeof(data));
    info.data_len = sizeof(data);
    info.data_uptr = (uintptr_t)&data;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    g_assert_true(data.vtd.ecap_reg & (1ull << 26)); /* NEST */
    g_assert_true(data.vtd.ecap_reg & (1ull << 40)); /* PASID */
    g_assert_true(data.vtd.cap_reg & (1ull << 56));  /* FS1GP */
    g_assert_cmpuint(data.vtd.flags, ==, 0);
    for (size_t i = 0; i < sizeof(data.tail); i++) {
        g_assert_cmpuint(data.tail[i], ==, 0);
    }

    /* 6.6 callers (32 bytes) are fine; reserved bytes are not */
    info.size = 32;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    info.size = 24;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, -EINVAL);
    info.size = sizeof(info);
    info.__reserved[1] = 1;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==,
                    -EOPNOTSUPP);
    info.__reserved[1] = 0;
    info.flags = IOMMU_HW_INFO_FLAG_INPUT_TYPE;
    info.in_data_type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==,
                    -EOPNOTSUPP);
    info.flags = 0;
    info.dev_id = 1234;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, -ENOENT);
    env_close(&e);
}

static void test_hw_info_smmu(void)
{
    struct iommu_hw_info info = {.size = sizeof(info)};
    struct iommu_hw_info_arm_smmuv3 data;
    struct env e;

    sim_setup(smmu_cfg);
    env_open(&e, false);
    info.dev_id = e.devid;
    info.data_len = sizeof(data);
    info.data_uptr = (uintptr_t)&data;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    g_assert_cmpuint(info.out_data_type, ==, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    g_assert_cmpuint(info.data_len, ==, sizeof(data));
    g_assert_cmpuint(info.out_max_pasid_log2, ==, 16);
    g_assert_cmphex(data.idr[5], ==, 0x75);
    g_assert_cmphex(data.idr[0] & 3, ==, 3); /* S1P | S2P */
    g_assert_cmphex(data.aidr, ==, 2);
    env_close(&e);
}

static void test_hwpt_alloc(void)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    uint32_t plain = 0, nested = 0, fault_id = 0, iopf = 0, id = 0;
    struct env e;
    int ffd;

    sim_setup(vtd_cfg);
    env_open(&e, true);
    g_assert_cmpint(
        hwpt_alloc(e.iommufd, 0, e.devid, e.ioas, 0, NULL, 0, 0, &plain), ==,
        0);
    /* nested on a parent that isn't NEST_PARENT */
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, plain,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               NULL),
                    ==, -EINVAL);
    /* data type the hardware doesn't speak */
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, e.parent,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &s1, 16, 0, NULL),
                    ==, -EOPNOTSUPP);
    /* data type without data, data without type */
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, e.parent,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, 0, 0, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(
        hwpt_alloc(e.iommufd, 0, e.devid, e.ioas, 0, &s1, 8, 0, NULL), ==,
        -EINVAL);
    /* unknown pt_id is EINVAL, unknown dev_id ENOENT */
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, 555, 0, NULL, 0, 0, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, 555, e.ioas, 0, NULL, 0, 0, NULL),
                    ==, -ENOENT);
    /* bad first-stage description */
    s1.addr_width = 39;
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, e.parent,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               NULL),
                    ==, -EINVAL);
    s1.addr_width = 48;

    ffd = fault_alloc(e.iommufd, &fault_id);
    /* selftest iommufd_ioas: bad fault ids and flags */
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_FAULT_ID_VALID, e.devid,
                               e.parent, IOMMU_HWPT_DATA_VTD_S1, &s1,
                               sizeof(s1), 0xffffffff, NULL),
                    ==, -ENOENT);
    g_assert_cmpint(hwpt_alloc(e.iommufd,
                               IOMMU_HWPT_FAULT_ID_VALID | (1u << 31), e.devid,
                               e.parent, IOMMU_HWPT_DATA_VTD_S1, &s1,
                               sizeof(s1), fault_id, NULL),
                    ==, -EOPNOTSUPP);
    g_assert_cmpint(
        hwpt_alloc(e.iommufd,
                   IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_NEST_PARENT,
                   e.devid, e.ioas, 0, NULL, 0, fault_id, NULL),
        ==, -EOPNOTSUPP);
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_FAULT_ID_VALID, e.devid,
                               e.parent, IOMMU_HWPT_DATA_VTD_S1, &s1,
                               sizeof(s1), fault_id, &iopf),
                    ==, 0);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, e.parent,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               &nested),
                    ==, 0);
    /* no vIOMMU type exists for VT-d */
    {
        struct iommu_viommu_alloc v = {
            .size = sizeof(v),
            .type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
            .dev_id = e.devid,
            .hwpt_id = e.parent,
        };
        g_assert_cmpint(xioctl(e.iommufd, IOMMU_VIOMMU_ALLOC, &v), ==,
                        -EOPNOTSUPP);
    }

    /* references: the busy ones refuse, leaves go first */
    g_assert_cmpint(attach(e.vfio, iopf, SIM_NO_PASID, &id), ==, 0);
    g_assert_cmpuint(id, ==, iopf);
    g_assert_cmpint(destroy(e.iommufd, iopf), ==, -EBUSY);
    g_assert_cmpint(destroy(e.iommufd, e.parent), ==, -EBUSY);
    g_assert_cmpint(destroy(e.iommufd, e.ioas), ==, -EBUSY);
    g_assert_cmpint(destroy(e.iommufd, fault_id), ==, -EBUSY);
    g_assert_cmpint(destroy(e.iommufd, e.devid), ==, -EBUSY);
    g_assert_cmpint(attach(e.vfio, e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, iopf), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, fault_id), ==, -EBUSY); /* fd open */
    close(ffd);
    g_assert_cmpint(destroy(e.iommufd, fault_id), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, nested), ==, 0);
    /* ids are reused lowest-first */
    g_assert_cmpint(
        hwpt_alloc(e.iommufd, 0, e.devid, e.ioas, 0, NULL, 0, 0, &id), ==, 0);
    g_assert_cmpuint(id, ==, MIN(MIN(nested, iopf), fault_id));
    env_close(&e);
}

static void test_attach_pasid(void)
{
    uint32_t plain = 0, pasid_hwpt = 0, auto_id = 0, id = 0;
    struct env e;

    sim_setup(vtd_cfg);
    env_open(&e, false);
    g_assert_cmpint(
        hwpt_alloc(e.iommufd, 0, e.devid, e.ioas, 0, NULL, 0, 0, &plain), ==,
        0);
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_ALLOC_PASID, e.devid,
                               e.ioas, 0, NULL, 0, 0, &pasid_hwpt),
                    ==, 0);
    /* IOAS attach reports the auto domain */
    g_assert_cmpint(attach(e.vfio, e.ioas, SIM_NO_PASID, &auto_id), ==, 0);
    g_assert_cmpuint(auto_id, !=, e.ioas);
    /*
     * 7.2 allocates the auto domain without ALLOC_PASID: with the RID
     * on an IOAS no PASID may attach (iommufd_hwpt_pasid_compat())
     */
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 5, &id), ==, -EINVAL);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, SIM_NO_PASID, NULL), ==, 0);
    /* ... and a PASID can't attach to an IOAS either */
    g_assert_cmpint(attach(e.vfio, e.ioas, 5, NULL), ==, -EINVAL);
    g_assert_cmpint(destroy(e.iommufd, auto_id), ==, -ENOENT);
    /* a PASID needs an ALLOC_PASID domain */
    g_assert_cmpint(attach(e.vfio, plain, 5, NULL), ==, -EINVAL);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 5, &id), ==, 0);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 5, &id), ==, 0);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 1u << 20, NULL), ==, -EINVAL);
    /* with a PASID attached, the RID must stay PASID-capable */
    g_assert_cmpint(attach(e.vfio, plain, SIM_NO_PASID, NULL), ==, -EINVAL);
    g_assert_cmpint(destroy(e.iommufd, pasid_hwpt), ==, -EBUSY);
    g_assert_cmpint(detach(e.vfio, 5), ==, 0);
    g_assert_cmpint(detach(e.vfio, 6), ==, 0); /* not attached: no-op */
    g_assert_cmpint(attach(e.vfio, plain, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(detach(e.vfio, SIM_NO_PASID), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, plain), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, pasid_hwpt), ==, 0);
    env_close(&e);

    /* a device without a PASID capability */
    e.iommufd = open("/dev/iommu", O_RDWR);
    e.vfio = open_vfio(BDF1);
    g_assert_cmpint(bind_dev(e.vfio, e.iommufd, 16, NULL), ==, 0);
    e.ioas = ioas_alloc(e.iommufd);
    g_assert_cmpint(attach(e.vfio, e.ioas, 1, NULL), ==, -EOPNOTSUPP);
    env_close(&e);
}

/* FAULT queue with one nested, fault-capable HWPT on the RID */
struct fenv {
    struct env e;
    int ffd;
    uint32_t fault_id, hwpt;
};

static void fenv_open(struct fenv *f, uint32_t flags)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);

    sim_setup(vtd_cfg);
    env_open(&f->e, true);
    f->ffd = fault_alloc(f->e.iommufd, &f->fault_id);
    g_assert_cmpint(hwpt_alloc(f->e.iommufd, IOMMU_HWPT_FAULT_ID_VALID | flags,
                               f->e.devid, f->e.parent, IOMMU_HWPT_DATA_VTD_S1,
                               &s1, sizeof(s1), f->fault_id, &f->hwpt),
                    ==, 0);
    g_assert_cmpint(attach(f->e.vfio, f->hwpt, SIM_NO_PASID, NULL), ==, 0);
}

static void fenv_close(struct fenv *f)
{
    close(f->ffd);
    env_close(&f->e);
}

static void test_fault_basic(void)
{
    struct iommu_hwpt_pgfault rec[2];
    struct fenv f;
    ssize_t n;

    fenv_open(&f, 0);
    g_assert_false(readable(f.ffd));
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 0); /* empty */

    g_assert_cmpint(
        sim_trigger_fault(BDF0, SIM_NO_PASID, 0xdeadb000,
                          IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE, 2,
                          true),
        ==, 0);
    g_assert_true(readable(f.ffd));
    /* record-size multiples only */
    g_assert_cmpint(read(f.ffd, rec, 50), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(pread(f.ffd, rec, REC_SIZE, 40), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    n = read(f.ffd, rec, sizeof(rec));
    g_assert_cmpint(n, ==, REC_SIZE);
    g_assert_false(readable(f.ffd));
    g_assert_cmpuint(rec[0].flags, ==, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
    g_assert_cmpuint(rec[0].dev_id, ==, f.e.devid);
    g_assert_cmpuint(rec[0].grpid, ==, 2);
    g_assert_cmpuint(rec[0].perm, ==, 3);
    g_assert_cmphex(rec[0].addr, ==, 0xdeadb000);
    g_assert_cmpuint(rec[0].length, ==, 0);
    g_assert_cmpuint(rec[0].cookie, ==, 1);

    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, 8);
    /* answered once only */
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, -EINVAL);
    g_assert_cmpint(respond(f.ffd, 4242, IOMMUFD_PAGE_RESP_INVALID), ==,
                    -EINVAL);
    /* cookies are reused lowest-first */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 3, true);
    g_assert_cmpint(read(f.ffd, rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmpuint(rec[0].cookie, ==, 1);
    g_assert_cmpint(respond(f.ffd, 1, 2), ==, -EINVAL); /* bad code */
    g_assert_cmpint(respond(f.ffd, 1, IOMMUFD_PAGE_RESP_INVALID), ==, 8);
    {
        struct sim_response r[4];

        g_assert_cmpuint(sim_get_responses(r, 4), ==, 2);
        g_assert_cmpuint(r[0].code, ==, IOMMUFD_PAGE_RESP_SUCCESS);
        g_assert_cmpuint(r[1].code, ==, IOMMUFD_PAGE_RESP_INVALID);
        g_assert_false(r[1].automatic);
        g_assert_cmpuint(r[1].grpid, ==, 3);
        g_assert_cmpstr(r[1].bdf, ==, BDF0);
    }
    fenv_close(&f);
}

static void test_fault_groups(void)
{
    struct iommu_hwpt_pgfault rec[4];
    struct iommu_hwpt_page_response resp[3];
    struct fenv f;

    fenv_open(&f, 0);
    /* a 3-request group, interleaved with another group's request */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 7, false);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x9000, 1, 8, false);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 7, false);
    g_assert_false(readable(f.ffd)); /* partial groups stay parked */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x3000, 2, 7, true);
    g_assert_true(readable(f.ffd));

    /* the group doesn't fit: nothing is read, nothing is consumed */
    g_assert_cmpint(read(f.ffd, rec, 2 * REC_SIZE), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_true(readable(f.ffd));
    g_assert_cmpint(read(f.ffd, rec, 4 * REC_SIZE), ==, 3 * REC_SIZE);
    g_assert_cmphex(rec[0].addr, ==, 0x1000);
    g_assert_cmphex(rec[1].addr, ==, 0x2000);
    g_assert_cmphex(rec[2].addr, ==, 0x3000);
    g_assert_cmpuint(rec[0].flags, ==, 0);
    g_assert_cmpuint(rec[1].flags, ==, 0);
    g_assert_cmpuint(rec[2].flags, ==, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
    g_assert_cmpuint(rec[0].cookie, ==, rec[2].cookie);
    g_assert_cmpuint(rec[1].cookie, ==, rec[2].cookie);

    /* complete grpid 8, and a third group; read both at once */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0xa000, 1, 8, true);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0xb000, 1, 9, true);
    g_assert_cmpint(read(f.ffd, rec, 3 * REC_SIZE), ==, 3 * REC_SIZE);
    g_assert_cmpuint(rec[0].grpid, ==, 8);
    g_assert_cmpuint(rec[1].grpid, ==, 8);
    g_assert_cmpuint(rec[2].grpid, ==, 9);
    g_assert_cmpuint(rec[0].cookie, ==, rec[1].cookie);
    g_assert_cmpuint(rec[0].cookie, !=, rec[2].cookie);

    /* responses stop at the first bad one; earlier ones count */
    g_assert_cmpint(write(f.ffd, resp, 7), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    resp[0] = (struct iommu_hwpt_page_response){rec[0].cookie, 0};
    resp[1] = (struct iommu_hwpt_page_response){999, 0};
    resp[2] = (struct iommu_hwpt_page_response){rec[2].cookie, 0};
    g_assert_cmpint(write(f.ffd, resp, sizeof(resp)), ==, 8);
    g_assert_cmpint(write(f.ffd, &resp[1], 16), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(write(f.ffd, &resp[2], 8), ==, 8);
    fenv_close(&f);
}

static void test_fault_auto_response(void)
{
    struct iommu_hwpt_pgfault rec;
    struct sim_response r[8];
    struct sim_stats st;
    struct fenv f;
    size_t n;

    fenv_open(&f, 0);
    /* one read-but-unanswered, one unread */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 2, true);
    g_assert_true(readable(f.ffd));

    /* replace: the old attachment's groups are answered INVALID */
    g_assert_cmpint(attach(f.e.vfio, f.e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_false(readable(f.ffd));
    n = sim_get_responses(r, 8);
    g_assert_cmpuint(n, ==, 2);
    for (size_t i = 0; i < n; i++) {
        g_assert_true(r[i].automatic);
        g_assert_cmpuint(r[i].code, ==, IOMMUFD_PAGE_RESP_INVALID);
    }
    /* ... and can no longer be answered by the VMM */
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, -EINVAL);

    /* without a fault-capable domain, nothing is queued */
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0x3000, 1, 3, true),
                    ==, -EOPNOTSUPP);

    /* detach flushes too */
    g_assert_cmpint(attach(f.e.vfio, f.hwpt, SIM_NO_PASID, NULL), ==, 0);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x4000, 1, 4, true);
    g_assert_cmpint(detach(f.e.vfio, SIM_NO_PASID), ==, 0);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, 0);

    /* closing the fd alone keeps pending groups; unbind flushes them */
    g_assert_cmpint(attach(f.e.vfio, f.hwpt, SIM_NO_PASID, NULL), ==, 0);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x5000, 1, 5, true);
    close(f.ffd);
    sim_get_stats(&st);
    g_assert_cmpuint(st.fault_groups_auto, ==, 3);
    close(f.e.vfio);
    sim_get_stats(&st);
    g_assert_cmpuint(st.fault_groups_auto, ==, 4);
    g_assert_cmpuint(st.fault_groups_dropped, ==, 1);
    close(f.e.iommufd);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

static void test_fault_pasid(void)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    struct iommu_hwpt_pgfault rec;
    uint32_t pasid_hwpt = 0;
    struct fenv f;

    fenv_open(&f, IOMMU_HWPT_ALLOC_PASID);
    g_assert_cmpint(
        hwpt_alloc(f.e.iommufd,
                   IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID,
                   f.e.devid, f.e.parent, IOMMU_HWPT_DATA_VTD_S1, &s1,
                   sizeof(s1), f.fault_id, &pasid_hwpt),
        ==, 0);
    g_assert_cmpint(attach(f.e.vfio, pasid_hwpt, 0x1, NULL), ==, 0);
    sim_trigger_fault(BDF0, 0x1, 0xdeadbeaf, 3, 2, true);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    /* VT-d adds IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID, copied out raw */
    g_assert_cmpuint(rec.flags, ==,
                     IOMMU_PGFAULT_FLAGS_PASID_VALID |
                         IOMMU_PGFAULT_FLAGS_LAST_PAGE | (1u << 2));
    g_assert_cmpuint(rec.pasid, ==, 1);
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, 8);
    /* an unattached PASID has no handler on VT-d */
    g_assert_cmpint(sim_trigger_fault(BDF0, 0x2, 0x1000, 1, 2, true), ==,
                    -EOPNOTSUPP);
    /* PASID detach answers that PASID's groups only */
    sim_trigger_fault(BDF0, 0x1, 0x1000, 1, 3, true);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 4, true);
    g_assert_cmpint(detach(f.e.vfio, 0x1), ==, 0);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmpuint(rec.grpid, ==, 4);
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, 8);
    g_assert_cmpint(destroy(f.e.iommufd, pasid_hwpt), ==, 0);
    fenv_close(&f);
}

/* ---- vEVENTQ (SMMUv3) ---- */

struct venv {
    struct env e;
    uint32_t viommu, vdev, nested;
    int qfd;
    uint32_t qid;
};

static int veventq_alloc(int fd, uint32_t viommu, uint32_t type, uint32_t depth,
                         uint32_t *id, int *qfd)
{
    struct iommu_veventq_alloc a = {
        .size = sizeof(a),
        .viommu_id = viommu,
        .type = type,
        .veventq_depth = depth,
    };
    int rc = xioctl(fd, IOMMU_VEVENTQ_ALLOC, &a);

    *id = rc ? 0 : a.out_veventq_id;
    *qfd = rc ? -1 : (int)a.out_veventq_fd;
    return rc;
}

static void venv_open(struct venv *v, uint32_t depth)
{
    struct iommu_viommu_alloc va = {.size = sizeof(va)};
    struct iommu_vdevice_alloc vd = {.size = sizeof(vd)};
    /* V=1, Config=S1 translate */
    struct iommu_hwpt_arm_smmuv3 ste = {.ste = {0x1 | (5 << 1), 0}};
    uint32_t plain = 0;

    sim_setup(smmu_cfg);
    env_open(&v->e, true);
    va.dev_id = v->e.devid;
    va.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    g_assert_cmpint(hwpt_alloc(v->e.iommufd, 0, v->e.devid, v->e.ioas, 0, NULL,
                               0, 0, &plain),
                    ==, 0);
    va.hwpt_id = plain;
    g_assert_cmpint(xioctl(v->e.iommufd, IOMMU_VIOMMU_ALLOC, &va), ==, -EINVAL);
    g_assert_cmpint(destroy(v->e.iommufd, plain), ==, 0);
    va.hwpt_id = v->e.parent;
    va.type = 0;
    g_assert_cmpint(xioctl(v->e.iommufd, IOMMU_VIOMMU_ALLOC, &va), ==,
                    -EOPNOTSUPP);
    va.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    g_assert_cmpint(xioctl(v->e.iommufd, IOMMU_VIOMMU_ALLOC, &va), ==, 0);
    v->viommu = va.out_viommu_id;

    g_assert_cmpint(hwpt_alloc(v->e.iommufd, 0, v->e.devid, v->viommu,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &ste, sizeof(ste), 0,
                               &v->nested),
                    ==, 0);
    /* nesting on SMMUv3 goes only through a vIOMMU */
    g_assert_cmpint(hwpt_alloc(v->e.iommufd, 0, v->e.devid, v->e.parent,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &ste, sizeof(ste), 0,
                               NULL),
                    ==, -EOPNOTSUPP);
    /* no vDEVICE yet: the nested attach is refused */
    g_assert_cmpint(attach(v->e.vfio, v->nested, SIM_NO_PASID, NULL), ==,
                    -ENOENT);
    vd.viommu_id = v->viommu;
    vd.dev_id = v->e.devid;
    vd.virt_id = 0x99;
    g_assert_cmpint(xioctl(v->e.iommufd, IOMMU_VDEVICE_ALLOC, &vd), ==, 0);
    v->vdev = vd.out_vdevice_id;
    g_assert_cmpint(xioctl(v->e.iommufd, IOMMU_VDEVICE_ALLOC, &vd), ==,
                    -EEXIST);
    g_assert_cmpint(attach(v->e.vfio, v->nested, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(veventq_alloc(v->e.iommufd, v->viommu,
                                  IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, depth, &v->qid,
                                  &v->qfd),
                    ==, 0);
}

static void venv_close(struct venv *v)
{
    g_assert_cmpint(destroy(v->e.iommufd, v->qid), ==, -EBUSY);
    close(v->qfd);
    g_assert_cmpint(destroy(v->e.iommufd, v->viommu), ==, -EBUSY);
    g_assert_cmpint(destroy(v->e.iommufd, v->qid), ==, 0);
    g_assert_cmpint(attach(v->e.vfio, v->e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(destroy(v->e.iommufd, v->nested), ==, 0);
    g_assert_cmpint(destroy(v->e.iommufd, v->vdev), ==, 0);
    g_assert_cmpint(destroy(v->e.iommufd, v->viommu), ==, 0);
    env_close(&v->e);
}

static void event_record(uint64_t evt[4], uint8_t id)
{
    evt[0] = GUINT64_TO_LE(id | (0x200ull << 32)); /* host SID 0x200 */
    evt[1] = 0;
    evt[2] = GUINT64_TO_LE(0xabcd000ull);
    evt[3] = 0;
}

static void test_veventq(void)
{
    struct {
        struct iommufd_vevent_header hdr;
        uint64_t evt[4];
    } __attribute__((packed)) recs[3];
    uint8_t buf[200];
    uint64_t evt[4];
    struct venv v;
    uint32_t id;
    int fd2;

    venv_open(&v, 2);
    g_assert_cmpint(veventq_alloc(v.e.iommufd, v.viommu,
                                  IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 2, &id, &fd2),
                    ==, -EEXIST);
    g_assert_cmpint(veventq_alloc(v.e.iommufd, v.viommu, 7, 0, &id, &fd2), ==,
                    -EINVAL);
    g_assert_cmpint(veventq_alloc(v.e.iommufd, v.viommu, 0, 2, &id, &fd2), ==,
                    -EOPNOTSUPP);
    g_assert_cmpint(veventq_alloc(v.e.iommufd, 4444, 7, 2, &id, &fd2), ==,
                    -ENOENT);

    g_assert_false(readable(v.qfd));
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 0);
    event_record(evt, 0x10);
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    g_assert_true(readable(v.qfd));
    /* a record never splits (7.2: EINVAL when the first one can't fit) */
    g_assert_cmpint(read(v.qfd, buf, 39), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, 40);
    g_assert_false(readable(v.qfd));
    g_assert_cmpuint(recs[0].hdr.flags, ==, 0);
    g_assert_cmpuint(recs[0].hdr.sequence, ==, 0);
    /* StreamID rewritten to the vSID, the rest passed through */
    g_assert_cmphex(GUINT64_FROM_LE(recs[0].evt[0]), ==,
                    0x10 | (0x99ull << 32));
    g_assert_cmphex(GUINT64_FROM_LE(recs[0].evt[2]), ==, 0xabcd000);

    /* depth 2, three events: two records then one LOST header */
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    }
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, 40 + 40 + 8);
    g_assert_cmpuint(recs[0].hdr.sequence, ==, 1);
    g_assert_cmpuint(recs[1].hdr.sequence, ==, 2);
    g_assert_cmpuint(recs[2].hdr.flags, ==, IOMMU_VEVENTQ_FLAG_LOST_EVENTS);
    g_assert_cmpuint(recs[2].hdr.sequence, ==, 3);
    /* resync: the next event follows the lost one's sequence */
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, 40);
    g_assert_cmpuint(recs[0].hdr.flags, ==, 0);
    g_assert_cmpuint(recs[0].hdr.sequence, ==, 4);

    /* a pending LOST marker is replaced by a later event: a gap remains */
    for (int i = 0; i < 4; i++) {
        sim_trigger_vevent(BDF0, evt, sizeof(evt)); /* 5,6 + lost 7,8 */
    }
    g_assert_cmpint(read(v.qfd, recs, 40), ==, 40); /* seq 5 */
    sim_trigger_vevent(BDF0, evt, sizeof(evt));     /* seq 9 */
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, 80);
    g_assert_cmpuint(recs[0].hdr.sequence, ==, 6);
    g_assert_cmpuint(recs[1].hdr.sequence, ==, 9);
    g_assert_cmpuint(recs[1].hdr.flags, ==, 0);
    {
        struct sim_stats st;

        sim_get_stats(&st);
        g_assert_cmpuint(st.vevents_lost, ==, 3);
    }
    /* no write op */
    g_assert_cmpint(write(v.qfd, buf, 8), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    venv_close(&v);
}

static void test_viommu_invalidate(void)
{
    struct iommu_viommu_arm_smmuv3_invalidate cmds[3] = {
        {.cmd = {GUINT64_TO_LE(0x12), 0}},                   /* NH_VA */
        {.cmd = {GUINT64_TO_LE(0x40 | (0x99ull << 32)), 0}}, /* ATC_INV */
        {.cmd = {GUINT64_TO_LE(0x40 | (0x55ull << 32)), 0}}, /* bad vSID */
    };
    struct iommu_hwpt_invalidate inv = {
        .size = sizeof(inv),
        .data_uptr = (uintptr_t)cmds,
        .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        .entry_len = sizeof(cmds[0]),
        .entry_num = 3,
    };
    struct venv v;

    venv_open(&v, 4);
    inv.hwpt_id = v.viommu;
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, -EIO);
    g_assert_cmpuint(inv.entry_num, ==, 2);
    inv.entry_num = 1;
    cmds[0].cmd[0] = GUINT64_TO_LE(0x46); /* CMD_SYNC */
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, -EIO);
    g_assert_cmpuint(inv.entry_num, ==, 0);
    /* the nested domain itself is invalidated via its vIOMMU */
    inv.hwpt_id = v.nested;
    inv.entry_num = 0;
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EOPNOTSUPP);
    venv_close(&v);
}

static void test_vtd_invalidate(void)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    struct iommu_hwpt_vtd_s1_invalidate ents[3] = {
        {.addr = 0x1000, .npages = 1, .flags = IOMMU_VTD_INV_FLAGS_LEAF},
        {.addr = 0, .npages = UINT64_MAX},
        {.addr = 0x2000, .npages = 1, .flags = 0x2},
    };
    struct iommu_hwpt_invalidate inv = {
        .size = sizeof(inv),
        .data_uptr = (uintptr_t)ents,
        .data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
        .entry_len = sizeof(ents[0]),
        .entry_num = 3,
    };
    g_autofree char *reply = NULL;
    struct env e;
    uint32_t nested = 0;

    sim_setup(vtd_cfg);
    env_open(&e, true);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, e.parent,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               &nested),
                    ==, 0);
    inv.hwpt_id = nested;
    /* an unknown flag: stops at the failing entry's index */
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EOPNOTSUPP);
    g_assert_cmpuint(inv.entry_num, ==, 2);
    inv.entry_num = 1;
    inv.entry_len = 16;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EINVAL);
    g_assert_cmpuint(inv.entry_num, ==, 0);
    /* probe */
    inv.entry_len = sizeof(ents[0]);
    inv.entry_num = 0;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, 0);
    inv.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EINVAL);
    inv.hwpt_id = e.parent;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EINVAL);
    reply = sim_command("invalidations");
    g_assert_true(g_str_has_suffix(reply, "OK 2"));
    g_assert_true(strstr(reply, "hwpt=") != NULL);
    env_close(&e);
}

/* ---- VFIO config space ---- */

static uint32_t cfg_read(int fd, uint64_t base, unsigned int off,
                         unsigned int len)
{
    uint32_t v = 0;

    g_assert_cmpint(pread(fd, &v, len, base + off), ==, len);
    return GUINT32_FROM_LE(v);
}

static void test_config_space(void)
{
    struct vfio_region_info ri = {
        .argsz = sizeof(ri),
        .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };
    unsigned int off, found = 0, pri_off = 0, pasid_off = 0;
    uint16_t v16;
    struct env e;
    uint64_t base;

    sim_setup(vtd_cfg);
    env_open(&e, false);
    g_assert_cmpint(xioctl(e.vfio, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpuint(ri.size, ==, 4096);
    g_assert_cmpuint(ri.flags, ==,
                     VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE);
    base = ri.offset;
    ri.index = 0;
    g_assert_cmpint(xioctl(e.vfio, VFIO_DEVICE_GET_REGION_INFO, &ri), ==, 0);
    g_assert_cmpuint(ri.size, ==, 0);
    ri.index = 9;
    g_assert_cmpint(xioctl(e.vfio, VFIO_DEVICE_GET_REGION_INFO, &ri), ==,
                    -EINVAL);

    g_assert_cmphex(cfg_read(e.vfio, base, 0, 2), ==, 0x8086);
    g_assert_cmphex(cfg_read(e.vfio, base, 2, 2), ==, 0x1234);
    g_assert_cmphex(cfg_read(e.vfio, base, 0x0e, 1), ==, 0);
    g_assert_true(cfg_read(e.vfio, base, 6, 2) & 0x10); /* cap list */
    off = cfg_read(e.vfio, base, 0x34, 1);
    g_assert_cmphex(cfg_read(e.vfio, base, off, 1), ==, 0x10); /* PCIe */

    /* walk the extended capabilities */
    for (off = 0x100; off;) {
        uint32_t hdr = cfg_read(e.vfio, base, off, 4);

        found |= 1u << (hdr & 0x1f);
        if ((hdr & 0xffff) == 0x13) {
            pri_off = off;
        }
        if ((hdr & 0xffff) == 0x1b) {
            pasid_off = off;
        }
        off = hdr >> 20;
    }
    g_assert_cmphex(found, ==, (1u << 0xf) | (1u << 0x13) | (1u << 0x1b));
    g_assert_cmpuint(cfg_read(e.vfio, base, pri_off + 8, 4), ==, 64);
    g_assert_cmpuint((cfg_read(e.vfio, base, pasid_off + 4, 2) >> 8) & 0x1f, ==,
                     20);

    /* command register and PRI control take writes; IDs don't */
    v16 = GUINT16_TO_LE(0x0006);
    g_assert_cmpint(pwrite(e.vfio, &v16, 2, base + 4), ==, 2);
    g_assert_cmphex(cfg_read(e.vfio, base, 4, 2), ==, 0x0006);
    v16 = 0;
    g_assert_cmpint(pwrite(e.vfio, &v16, 2, base), ==, 2);
    g_assert_cmphex(cfg_read(e.vfio, base, 0, 2), ==, 0x8086);
    v16 = GUINT16_TO_LE(1);
    g_assert_cmpint(pwrite(e.vfio, &v16, 2, base + pri_off + 4), ==, 2);
    g_assert_cmphex(cfg_read(e.vfio, base, pri_off + 4, 2), ==, 1);

    /* read()/lseek() at the region offset work too */
    g_assert_cmpint(lseek(e.vfio, base + 2, SEEK_SET), ==, (off_t)(base + 2));
    g_assert_cmpint(read(e.vfio, &v16, 2), ==, 2);
    g_assert_cmphex(GUINT16_FROM_LE(v16), ==, 0x1234);
    g_assert_cmpint(pread(e.vfio, &v16, 2, 0), ==, -1); /* BAR0: none */
    g_assert_cmpint(errno, ==, EINVAL);
    env_close(&e);
}

/* ---- control protocol and failure injection ---- */

static void test_control_parse(void)
{
    static const char *const bad[] = {
        "",
        "bogus",
        "fault",
        "fault " BDF0 " - 0x1000 r 1",
        "fault " BDF0 " zz 0x1000 r 1 1",
        "fault " BDF0 " - 0x1000 q 1 1",
        "fault " BDF0 " - 0x1000 r 1 2",
        "vevent " BDF0 " 1234",
        "dma " BDF0 " - 0x1000",
        "dma-status x",
        "inject ioctl NOPE 1 EINVAL",
        "inject ioctl IOAS_ALLOC 0 EINVAL",
        "inject read fault slow 1",
        "inject close nothing",
        "inject write fault slow 1",
        "inject write veventq eagain 1",
        "inject write fault eagain",
        "inject write fault errno EBOGUS 1",
        "inject write fault errno 0 1",
        "inject read fault errno EIO",
        "inject read fault errno EIO x",
        "inject read nothing errno EIO 1",
    };
    struct env e;

    sim_setup(vtd_cfg);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *r = sim_command(bad[i]);

        g_assert_true(g_str_has_prefix(r, "ERR EINVAL"));
    }
    {
        g_autofree char *r = sim_command("fault 0000:09:00.0 - 0 r 1 1");

        g_assert_true(g_str_has_prefix(r, "ERR ENODEV"));
    }
    env_open(&e, false);
    {
        g_autofree char *r = sim_command("objects");
        g_autofree char *s = sim_command("stats");
        g_autofree char *d = sim_command("devices");
        g_autofree char *p = sim_command("  ping  ");

        /* device, IOAS and the IOAS's auto domain */
        g_assert_true(g_str_has_suffix(r, "OK 3"));
        g_assert_true(strstr(r, "1 device") != NULL);
        g_assert_true(strstr(s, " ioas=1 ") != NULL);
        g_assert_true(strstr(d, BDF0 " vfio0 devid=1") != NULL);
        g_assert_cmpstr(p, ==, "OK pong");
    }
    env_close(&e);
}

static void test_control_socket(void)
{
    g_autofree char *dir = g_dir_make_tmp("iommufd-sim-sock-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ctl", NULL);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    char reply[256] = {0};
    size_t got = 0;
    int fd;

    sim_setup(vtd_cfg);
    g_setenv("IOMMUFD_SIM_SOCKET", path, TRUE);
    g_assert_cmpint(sim_reinit_for_test(), ==, 0);
    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    g_assert_cmpint(write(fd, "ping\nbogus\n", 11), ==, 11);
    while (!strstr(reply, "ERR") && got < sizeof(reply) - 1) {
        ssize_t n = read(fd, reply + got, sizeof(reply) - 1 - got);

        g_assert_cmpint(n, >, 0);
        got += n;
    }
    g_assert_true(g_str_has_prefix(reply, "OK pong\nERR EINVAL"));
    close(fd);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    g_assert_cmpint(sim_reinit_for_test(), ==, 0); /* stops the thread */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_rmdir(dir);
}

static void test_inject(void)
{
    struct iommu_ioas_alloc a = {.size = sizeof(a)};
    struct iommu_hwpt_pgfault rec[2];
    g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;
    struct fenv f;

    fenv_open(&f, 0);
    r1 = sim_command("inject ioctl IOAS_ALLOC 2 ENOMEM");
    g_assert_cmpstr(r1, ==, "OK");
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_IOAS_ALLOC, &a), ==, -ENOMEM);
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_IOAS_ALLOC, &a), ==, -ENOMEM);
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_IOAS_ALLOC, &a), ==, 0);
    g_assert_cmpint(destroy(f.e.iommufd, a.out_ioas_id), ==, 0);
    g_assert_cmpint(sim_inject_ioctl_failure("VFIO_DEVICE_GET_INFO", 1, EIO),
                    ==, 0);
    {
        struct vfio_device_info info = {.argsz = sizeof(info)};

        g_assert_cmpint(xioctl(f.e.vfio, VFIO_DEVICE_GET_INFO, &info), ==,
                        -EIO);
    }

    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 2, true);
    r2 = sim_command("inject read fault eagain 1");
    g_assert_cmpstr(r2, ==, "OK");
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    g_assert_cmpint(sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_EINTR, 1), ==, 0);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
    g_assert_cmpint(errno, ==, EINTR);
    /* a short read still delivers whole groups only */
    g_assert_cmpint(sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_SHORT, 50), ==,
                    0);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);

    r3 = sim_command("inject close fault");
    g_assert_cmpstr(r3, ==, "OK");
    g_assert_true(readable(f.ffd));
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
    fenv_close(&f);
}

/*
 * sim_inject_raw_read(): the next reads return the injected bytes, as
 * many as fit, real records wait behind them, the fd stays readable
 * until they are consumed, and len 0 drops what is pending.
 */
static void test_inject_raw(void)
{
    struct iommu_hwpt_pgfault rec[2];
    uint8_t raw[100], buf[200];
    struct venv v;
    struct fenv f;
    uint64_t evt[4];

    for (unsigned int i = 0; i < sizeof(raw); i++) {
        raw[i] = i ^ 0x5a;
    }
    fenv_open(&f, 0);
    g_assert_cmpint(sim_inject_raw_read(2, raw, 1), ==, -EINVAL);
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_FAULT, NULL, 1), ==, -EINVAL);
    g_assert_cmpint(
        sim_inject_raw_read(SIM_QUEUE_FAULT, raw, SIM_INJECT_RAW_MAX + 1), ==,
        -EINVAL);
    g_assert_false(readable(f.ffd));
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_FAULT, raw, 50), ==, 0);
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_FAULT, raw + 50, 50), ==, 0);
    g_assert_true(readable(f.ffd));
    /* the fd's own count check still comes first */
    g_assert_cmpint(read(f.ffd, rec, 39), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    /* as many bytes as fit, in order, over two reads */
    g_assert_cmpint(read(f.ffd, rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmpmem(rec, REC_SIZE, raw, REC_SIZE);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 100 - REC_SIZE);
    g_assert_cmpmem(rec, 100 - REC_SIZE, raw + REC_SIZE, 100 - REC_SIZE);
    /* then the real group, still queued */
    g_assert_true(readable(f.ffd));
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);
    g_assert_cmpuint(rec[0].addr, ==, 0x1000);
    g_assert_false(readable(f.ffd));
    /* len 0 drops what is pending */
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_FAULT, raw, 10), ==, 0);
    g_assert_true(readable(f.ffd));
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_FAULT, NULL, 0), ==, 0);
    g_assert_false(readable(f.ffd));
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 0);
    fenv_close(&f);

    venv_open(&v, 4);
    event_record(evt, 0x10);
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    g_assert_cmpint(sim_inject_raw_read(SIM_QUEUE_VEVENTQ, raw, 13), ==, 0);
    /* the fd's own check first: 7.2 wants room for one header */
    g_assert_cmpint(read(v.qfd, buf, 5), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    /* a record may be split: the bytes are raw */
    g_assert_cmpint(read(v.qfd, buf, 9), ==, 9);
    g_assert_cmpmem(buf, 9, raw, 9);
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 4);
    g_assert_cmpmem(buf, 4, raw + 9, 4);
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 40);
    g_assert_false(readable(v.qfd));
    venv_close(&v);
}

/*
 * An injected HWPT_INVALIDATE failure writes entry_num back as the
 * kernel does on every path: 0 entries processed, nothing logged.
 */
static void test_inject_invalidate(void)
{
    struct iommu_viommu_arm_smmuv3_invalidate cmds[2] = {
        {.cmd = {GUINT64_TO_LE(0x12), 0}}, /* NH_VA */
        {.cmd = {GUINT64_TO_LE(0x11), 0}}, /* NH_ASID */
    };
    struct iommu_hwpt_invalidate inv = {
        .size = sizeof(inv),
        .data_uptr = (uintptr_t)cmds,
        .data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
        .entry_len = sizeof(cmds[0]),
        .entry_num = 2,
    };
    g_autofree char *r = NULL;
    struct sim_stats st;
    struct venv v;

    venv_open(&v, 4);
    inv.hwpt_id = v.viommu;
    r = sim_command("inject ioctl IOMMU_HWPT_INVALIDATE 1 EIO");
    g_assert_cmpstr(r, ==, "OK");
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, -EIO);
    g_assert_cmpuint(inv.entry_num, ==, 0);
    sim_get_stats(&st);
    g_assert_cmpuint(st.invalidations, ==, 0);
    g_assert_cmpuint(st.ioctls_injected, ==, 1);
    /* a struct too short for the command is left alone (EINVAL first) */
    g_assert_cmpint(sim_inject_ioctl_failure("HWPT_INVALIDATE", 1, EIO), ==, 0);
    inv.size = 8;
    inv.entry_num = 2;
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, -EIO);
    g_assert_cmpuint(inv.entry_num, ==, 2);
    /* the injection is used up: the next batch goes through */
    inv.size = sizeof(inv);
    g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==, 0);
    g_assert_cmpuint(inv.entry_num, ==, 2);
    sim_get_stats(&st);
    g_assert_cmpuint(st.invalidations, ==, 2);
    venv_close(&v);
}

/* FAULT queue write(): the next K writes fail, without side effects. */
static void test_inject_write(void)
{
    struct iommu_hwpt_page_response resp = {
        .code = IOMMUFD_PAGE_RESP_SUCCESS,
    };
    struct iommu_hwpt_pgfault rec[1];
    g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
    struct sim_response log[2];
    struct fenv f;

    fenv_open(&f, 0);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);

    r1 = sim_command("inject write fault eagain 2");
    g_assert_cmpstr(r1, ==, "OK");
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, -EAGAIN);
    resp.cookie = rec[0].cookie;
    /* the VFS refuses pwrite() on a nonseekable fd before any write op */
    g_assert_cmpint(pwrite(f.ffd, &resp, sizeof(resp), 0), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(write(f.ffd, &resp, sizeof(resp)), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    r2 = sim_command("inject write fault eintr 1");
    g_assert_cmpstr(r2, ==, "OK");
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, -EINTR);
    r3 = sim_command("inject write fault errno EIO 1");
    g_assert_cmpstr(r3, ==, "OK");
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, -EIO);
    /* nothing was consumed: the group is still waiting for its answer */
    g_assert_cmpuint(sim_get_responses(log, 2), ==, 0);
    /* numeric errno, and a count of 0 cancels */
    r4 = sim_command("inject write fault errno 9 5");
    g_assert_cmpstr(r4, ==, "OK");
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, -EBADF);
    g_assert_cmpint(sim_inject_write(SIM_QUEUE_FAULT, EBADF, 0), ==, 0);
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS),
                    ==, 8);
    g_assert_cmpuint(sim_get_responses(log, 2), ==, 1);
    g_assert_cmpuint(log[0].code, ==, IOMMUFD_PAGE_RESP_SUCCESS);
    g_assert_false(log[0].automatic);
    {
        struct sim_stats st;

        sim_get_stats(&st);
        g_assert_cmpuint(st.writes_injected, ==, 5);
    }
    /* the C API: the same; a vEVENTQ has no write to fail */
    g_assert_cmpint(sim_inject_write(SIM_QUEUE_FAULT, ENOMEM, 1), ==, 0);
    g_assert_cmpint(respond(f.ffd, 4242, IOMMUFD_PAGE_RESP_SUCCESS), ==,
                    -ENOMEM);
    g_assert_cmpint(respond(f.ffd, 4242, IOMMUFD_PAGE_RESP_SUCCESS), ==,
                    -EINVAL);
    g_assert_cmpint(sim_inject_write(SIM_QUEUE_VEVENTQ, EIO, 1), ==, -EINVAL);
    g_assert_cmpint(sim_inject_write(SIM_QUEUE_FAULT, 0, 1), ==, -EINVAL);
    fenv_close(&f);
}

/* read() errno injection on both queue kinds, without side effects. */
static void test_inject_read_errno(void)
{
    struct {
        struct iommufd_vevent_header hdr;
        uint64_t evt[4];
    } __attribute__((packed)) recs[2];
    struct iommu_hwpt_pgfault rec[2];
    g_autofree char *r1 = NULL, *r2 = NULL;
    uint64_t evt[4];
    struct fenv f;
    struct venv v;

    fenv_open(&f, 0);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    r1 = sim_command("inject read fault errno EIO 2");
    g_assert_cmpstr(r1, ==, "OK");
    for (int i = 0; i < 2; i++) {
        g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
        g_assert_cmpint(errno, ==, EIO);
        g_assert_true(readable(f.ffd));
    }
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);
    g_assert_cmpuint(rec[0].grpid, ==, 1);
    /* EAGAIN first, then the errno, then a short read */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 2, true);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x3000, 1, 3, true);
    g_assert_cmpint(sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_SHORT, 40), ==,
                    0);
    g_assert_cmpint(sim_inject_read_errno(SIM_QUEUE_FAULT, ENOMEM, 1), ==, 0);
    g_assert_cmpint(sim_inject_read(SIM_QUEUE_FAULT, SIM_READ_EAGAIN, 1), ==,
                    0);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, -1);
    g_assert_cmpint(errno, ==, ENOMEM);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, REC_SIZE);
    /* a count of 0 cancels; a bad errno is refused */
    g_assert_cmpint(sim_inject_read_errno(SIM_QUEUE_FAULT, EIO, 3), ==, 0);
    g_assert_cmpint(sim_inject_read_errno(SIM_QUEUE_FAULT, EIO, 0), ==, 0);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 0);
    g_assert_cmpint(sim_inject_read_errno(SIM_QUEUE_FAULT, 0, 1), ==, -EINVAL);
    fenv_close(&f);

    venv_open(&v, 4);
    event_record(evt, 0x10);
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    r2 = sim_command("inject read veventq errno EBADF 1");
    g_assert_cmpstr(r2, ==, "OK");
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
    g_assert_cmpint(sim_inject_read_errno(SIM_QUEUE_VEVENTQ, 5, 1), ==, 0);
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, -1);
    g_assert_cmpint(errno, ==, EIO);
    /* the record was kept */
    g_assert_cmpint(read(v.qfd, recs, sizeof(recs)), ==, 40);
    g_assert_cmpuint(recs[0].hdr.sequence, ==, 0);
    {
        g_autofree char *st = sim_command("stats");

        g_assert_nonnull(strstr(st, " reads_injected=2 "));
    }
    venv_close(&v);
}

/* ---- simulated DMA through a guest first-stage table ---- */

#define GRAM_SIZE (64 * 1024)
#define PTE_P 1ull
#define PTE_RW 2ull
#define PTE_US 4ull
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)

static void test_dma(void)
{
    uint64_t *gram = g_aligned_alloc0(GRAM_SIZE, 1, 4096);
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                 IOMMU_IOAS_MAP_WRITEABLE,
        .user_va = (uintptr_t)gram,
        .length = GRAM_SIZE,
        .iova = 0,
    };
    /* PML4 @0x1000, PDPT @0x2000, PD @0x3000, PT @0x4000, data @0x8000 */
    const uint64_t iova = 0x400123; /* PML4 0, PDPT 0, PD 2, PT 0 */
    struct iommu_hwpt_pgfault rec;
    struct sim_dma_info d;
    g_autofree char *reply = NULL;
    struct fenv f;

    fenv_open(&f, 0);
    map.ioas_id = f.e.ioas;
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_IOAS_MAP, &map), ==, 0);
    gram[0x1000 / 8] = 0x2000 | PTE_P | PTE_RW | PTE_US;
    gram[0x2000 / 8] = 0x3000 | PTE_P | PTE_RW | PTE_US;
    gram[0x3000 / 8 + 2] = 0x4000 | PTE_P | PTE_RW | PTE_US;

    /* PTE not present: a page request, the DMA waits */
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, iova, SIM_ACCESS_WRITE, &d), ==,
                    0);
    g_assert_cmpint(d.state, ==, SIM_DMA_FAULTED);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmphex(rec.addr, ==, 0x400000);
    g_assert_cmpuint(rec.perm, ==, IOMMU_PGFAULT_PERM_WRITE);
    g_assert_cmpuint(rec.flags, ==, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
    g_assert_true(gram[0x1000 / 8] & PTE_A); /* walked levels */

    /* the "guest" maps the page, then answers SUCCESS: DMA retried */
    gram[0x4000 / 8] = 0x8000 | PTE_P | PTE_US; /* read-only */
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, 8);
    g_assert_cmpint(sim_dma_status(d.id, &d), ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_FAULTED); /* write on R/O */
    g_assert_cmpuint(d.retries, ==, 1);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    gram[0x4000 / 8] |= PTE_RW;
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, 8);
    g_assert_cmpint(sim_dma_status(d.id, &d), ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_DONE);
    g_assert_cmphex(d.gpa, ==, 0x8123);
    g_assert_true(d.hva == (uint8_t *)gram + 0x8123);
    g_assert_true(gram[0x4000 / 8] & PTE_D);

    /* through the control protocol; INVALID aborts */
    reply = sim_command("dma " BDF0 " - 0x600000 r");
    g_assert_true(g_str_has_prefix(reply, "OK id=2 state=faulted"));
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmpint(respond(f.ffd, rec.cookie, 1), ==, 8);
    g_clear_pointer(&reply, g_free);
    reply = sim_command("dma-status 2");
    g_assert_true(g_str_has_prefix(reply, "OK id=2 state=aborted"));

    /* a user DMA through a supervisor-only mapping faults */
    gram[0x3000 / 8 + 3] = 0x4000 | PTE_P | PTE_RW;
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, 0x600000, SIM_ACCESS_READ, &d),
                    ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_FAULTED);
    /* ... and pending DMA is aborted when its attachment goes */
    g_assert_cmpint(attach(f.e.vfio, f.e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(sim_dma_status(d.id, &d), ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_ABORTED);
    /* identity through the auto domain */
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, 0x8000, SIM_ACCESS_READ, &d),
                    ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_DONE);
    g_assert_true(d.hva == (uint8_t *)gram + 0x8000);
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, GRAM_SIZE, SIM_ACCESS_READ, &d),
                    ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_ERROR); /* stage-2 miss */
    fenv_close(&f);
    g_aligned_free(gram);
}

/* A simulated DMA write dirties the nest parent it goes through */
static void test_dma_dirty(void)
{
    uint64_t *gram = g_aligned_alloc0(GRAM_SIZE, 1, 4096);
    struct iommu_hw_info info = {.size = sizeof(info)};
    struct iommu_hw_info_vtd vtd;
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                 IOMMU_IOAS_MAP_WRITEABLE,
        .user_va = (uintptr_t)gram,
        .length = GRAM_SIZE,
        .iova = 0,
    };
    struct iommu_hwpt_set_dirty_tracking st = {
        .size = sizeof(st),
        .flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
    };
    uint64_t bits = 0;
    struct iommu_hwpt_get_dirty_bitmap gd = {
        .size = sizeof(gd),
        .length = GRAM_SIZE,
        .page_size = 4096,
        .data = (uintptr_t)&bits,
    };
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    g_autofree char *cfg = NULL;
    uint32_t parent, nested;
    struct sim_dma_info d;
    struct env e;

    /* the default VT-d registers, plus second-stage A/D (SSADS) */
    sim_setup(vtd_cfg);
    env_open(&e, false);
    info.dev_id = e.devid;
    info.data_len = sizeof(vtd);
    info.data_uptr = (uintptr_t)&vtd;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    env_close(&e);
    cfg = g_strdup_printf("[iommu]\ntype=intel-vtd\nnesting=true\n"
                          "ecap_reg=0x%llx\n%s",
                          (unsigned long long)(vtd.ecap_reg | (1ull << 45)),
                          strstr(vtd_cfg, "[device"));
    sim_setup(cfg);
    env_open(&e, false);
    map.ioas_id = e.ioas;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_IOAS_MAP, &map), ==, 0);
    g_assert_cmpint(hwpt_alloc(e.iommufd,
                               IOMMU_HWPT_ALLOC_NEST_PARENT |
                                   IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
                               e.devid, e.ioas, 0, NULL, 0, 0, &parent),
                    ==, 0);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, parent,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               &nested),
                    ==, 0);
    g_assert_cmpint(attach(e.vfio, nested, SIM_NO_PASID, NULL), ==, 0);
    st.hwpt_id = parent;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_SET_DIRTY_TRACKING, &st), ==,
                    0);
    /* first stage: IOVA 0x400000 -> GPA 0x8000 */
    gram[0x1000 / 8] = 0x2000 | PTE_P | PTE_RW | PTE_US;
    gram[0x2000 / 8] = 0x3000 | PTE_P | PTE_RW | PTE_US;
    gram[0x3000 / 8 + 2] = 0x4000 | PTE_P | PTE_RW | PTE_US;
    gram[0x4000 / 8] = 0x8000 | PTE_P | PTE_RW | PTE_US;
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, 0x400010, SIM_ACCESS_READ, &d),
                    ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_DONE);
    gd.hwpt_id = parent;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, 0);
    g_assert_cmphex(bits, ==, 0); /* a read dirties nothing */
    g_assert_cmpint(sim_dma(BDF0, SIM_NO_PASID, 0x400010, SIM_ACCESS_WRITE, &d),
                    ==, 0);
    g_assert_cmpint(d.state, ==, SIM_DMA_DONE);
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, 0);
    g_assert_cmphex(bits, ==, 1ull << 8); /* GPA page 0x8000 */
    g_assert_cmpint(attach(e.vfio, e.ioas, SIM_NO_PASID, NULL), ==, 0);
    env_close(&e);
    g_aligned_free(gram);
}

/* ---------------- Linux 7.2 fidelity (one case per deviation) ---------- */

/* 2: SMMUv3 denies every PCI page request; none reaches a FAULT queue */
static void test_k72_smmu_pri(void)
{
    struct iommu_hwpt_arm_smmuv3 ste = {.ste = {0x1 | (5 << 1), 0}};
    struct sim_response r[2];
    struct sim_stats st;
    uint32_t fault_id, iopf = 0;
    struct venv v;
    int ffd;

    venv_open(&v, 4);
    ffd = fault_alloc(v.e.iommufd, &fault_id);
    g_assert_cmpint(hwpt_alloc(v.e.iommufd, IOMMU_HWPT_FAULT_ID_VALID,
                               v.e.devid, v.viommu, IOMMU_HWPT_DATA_ARM_SMMUV3,
                               &ste, sizeof(ste), fault_id, &iopf),
                    ==, 0);
    /* the attach itself succeeds (IOPF is a no-op for PCI masters) */
    g_assert_cmpint(attach(v.e.vfio, iopf, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000,
                                      IOMMU_PGFAULT_PERM_READ, 1, true),
                    ==, -EOPNOTSUPP);
    g_assert_false(readable(ffd));
    g_assert_cmpuint(sim_get_responses(r, 2), ==, 1);
    g_assert_true(r[0].automatic);
    g_assert_cmpuint(r[0].code, ==, IOMMUFD_PAGE_RESP_INVALID);
    sim_get_stats(&st);
    g_assert_cmpuint(st.fault_groups, ==, 0);
    g_assert_cmpint(attach(v.e.vfio, v.nested, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(destroy(v.e.iommufd, iopf), ==, 0);
    close(ffd);
    venv_close(&v);
}

/* 3: VT-d refuses a fault-capable domain on a function without PRI */
static void test_k72_iopf_needs_pri(void)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    uint32_t devid = 0, parent = 0, fault_id = 0, iopf = 0;
    struct env e;
    int ffd;

    sim_setup(vtd_cfg);
    e.iommufd = open("/dev/iommu", O_RDWR);
    e.vfio = open_vfio(BDF1);
    g_assert_cmpint(bind_dev(e.vfio, e.iommufd, 16, &devid), ==, 0);
    e.ioas = ioas_alloc(e.iommufd);
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_ALLOC_NEST_PARENT, devid,
                               e.ioas, 0, NULL, 0, 0, &parent),
                    ==, 0);
    ffd = fault_alloc(e.iommufd, &fault_id);
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_FAULT_ID_VALID, devid,
                               parent, IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
                               fault_id, &iopf),
                    ==, 0);
    g_assert_cmpint(attach(e.vfio, iopf, SIM_NO_PASID, NULL), ==, -ENODEV);
    /* and such a function never raises a page request */
    g_assert_cmpint(sim_trigger_fault(BDF1, SIM_NO_PASID, 0x1000, 1, 1, true),
                    ==, -EOPNOTSUPP);
    close(ffd);
    env_close(&e);
}

/* 4: VT-d's PRQ thread answers bad requests itself, drops Stop Markers */
static void test_k72_vtd_prq_filter(void)
{
    const uint32_t r = IOMMU_PGFAULT_PERM_READ;
    const uint32_t w = IOMMU_PGFAULT_PERM_WRITE;
    const uint32_t x = IOMMU_PGFAULT_PERM_EXEC, p = IOMMU_PGFAULT_PERM_PRIV;
    struct iommu_hwpt_pgfault rec;
    struct sim_response log[8];
    struct fenv f;

    fenv_open(&f, 0);
    g_assert_cmpint(
        sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, r | p, 1, true), ==,
        -EOPNOTSUPP);
    g_assert_cmpint(
        sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, w | p, 2, true), ==,
        -EOPNOTSUPP);
    g_assert_cmpint(
        sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, r | x, 3, true), ==,
        -EOPNOTSUPP);
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0x0000800000000000ull,
                                      r, 4, true),
                    ==, -EOPNOTSUPP);
    /* a bad request that doesn't end its group gets no answer */
    g_assert_cmpint(
        sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, r | x, 5, false), ==,
        -EOPNOTSUPP);
    /* Stop Marker: last, neither read nor write: dropped silently */
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 0, 6, true),
                    ==, -EOPNOTSUPP);
    g_assert_false(readable(f.ffd));
    g_assert_cmpuint(sim_get_responses(log, 8), ==, 4);
    for (int i = 0; i < 4; i++) {
        g_assert_true(log[i].automatic);
        g_assert_cmpuint(log[i].code, ==, IOMMUFD_PAGE_RESP_INVALID);
        g_assert_cmpuint(log[i].grpid, ==, i + 1);
    }
    /* exec with write, and a canonical high address, are fine */
    g_assert_cmpint(sim_trigger_fault(BDF0, SIM_NO_PASID, 0xffff800000000000ull,
                                      x | w, 7, true),
                    ==, 0);
    g_assert_cmpint(read(f.ffd, &rec, REC_SIZE), ==, REC_SIZE);
    g_assert_cmpuint(rec.perm, ==, x | w);
    g_assert_cmpuint(rec.flags, ==, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
    g_assert_cmpint(respond(f.ffd, rec.cookie, 0), ==, 8);
    fenv_close(&f);
}

static const char vtd_cfg_71[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF0 "]\n"
    "pasid-width=20\n"
    "pri=true\n"
    "ats=true\n"
    "[sim]\n"
    "kernel=7.1   # before 7.2 a too-small read returns 0\n";

/* 5: read sizes by kernel version */
static void test_k72_read_size(void)
{
    struct iommu_hwpt_pgfault rec[2];
    uint8_t buf[64];
    uint64_t evt[4];
    struct fenv f;
    struct venv v;

    /* default: 7.2 */
    fenv_open(&f, 0);
    g_assert_cmpint(read(f.ffd, rec, 0), ==, 0); /* empty queue */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, false);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 1, true);
    g_assert_cmpint(read(f.ffd, rec, REC_SIZE), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(read(f.ffd, rec, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(read(f.ffd, rec, 2 * REC_SIZE), ==, 2 * REC_SIZE);
    g_assert_cmpint(respond(f.ffd, rec[0].cookie, 0), ==, 8);
    fenv_close(&f);

    venv_open(&v, 4);
    g_assert_cmpint(read(v.qfd, buf, 7), ==, -1); /* even empty */
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(read(v.qfd, buf, 8), ==, 0);
    event_record(evt, 0x10);
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    g_assert_cmpint(read(v.qfd, buf, 16), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(read(v.qfd, buf, 40), ==, 40);
    venv_close(&v);

    /* kernel=7.1 in the file: 0 instead */
    sim_setup(vtd_cfg_71);
    env_open(&f.e, true);
    {
        struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);

        f.ffd = fault_alloc(f.e.iommufd, &f.fault_id);
        g_assert_cmpint(hwpt_alloc(f.e.iommufd, IOMMU_HWPT_FAULT_ID_VALID,
                                   f.e.devid, f.e.parent,
                                   IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
                                   f.fault_id, &f.hwpt),
                        ==, 0);
        g_assert_cmpint(attach(f.e.vfio, f.hwpt, SIM_NO_PASID, NULL), ==, 0);
    }
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, false);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 1, true);
    g_assert_cmpint(read(f.ffd, rec, REC_SIZE), ==, 0);
    g_assert_true(readable(f.ffd));
    fenv_close(&f);

    /* $IOMMUFD_SIM_KERNEL overrides the file (a second test run) */
    g_setenv("IOMMUFD_SIM_KERNEL", "6.11", TRUE);
    venv_open(&v, 4);
    g_assert_cmpint(read(v.qfd, buf, 7), ==, 0);
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    g_assert_cmpint(read(v.qfd, buf, 16), ==, 0);
    g_assert_cmpint(read(v.qfd, buf, 40), ==, 40);
    venv_close(&v);

    /* not a version, or one without FAULT queues: the config is refused */
    g_setenv("IOMMUFD_SIM_KERNEL", "6.10", TRUE);
    g_assert_cmpint(sim_reinit_for_test(), ==, -ENODEV);
    g_assert_false(sim_is_active());
    g_setenv("IOMMUFD_SIM_KERNEL", "seven", TRUE);
    g_assert_cmpint(sim_reinit_for_test(), ==, -ENODEV);
    g_assert_false(sim_is_active());
    g_unsetenv("IOMMUFD_SIM_KERNEL");
}

/* 6: which SMMUv3 events become vEVENTs */
static void test_k72_smmu_events(void)
{
    struct iommu_vdevice_alloc vd = {.size = sizeof(vd)};
    uint8_t buf[128];
    uint64_t evt[4];
    struct venv v;

    venv_open(&v, 8);
    event_record(evt, 0x01); /* F_UUT: not one the driver handles */
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, -EPERM);
    event_record(evt, 0x03); /* F_STE_FETCH */
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, -EPERM);
    event_record(evt, 0x10);
    evt[1] = GUINT64_TO_LE(1ull << 31); /* Stall: an IOPF instead */
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, -EPERM);
    evt[1] = GUINT64_TO_LE(1ull << 39); /* S2: the host's own */
    g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, -EPERM);
    g_assert_false(readable(v.qfd));
    for (uint8_t id = 0x04; id <= 0x13; id++) {
        bool known = id == 0x04 || id == 0x06 || id == 0x08 || id == 0x0a ||
                     (id >= 0x10 && id <= 0x13);

        event_record(evt, id);
        g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==,
                        known ? 0 : -EPERM);
    }
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 3 * 40);
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 3 * 40);
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 2 * 40);

    /*
     * A vDEVICE created after the attach doesn't make a vmaster: an
     * abort vSTE attached without one, then a vDEVICE.
     */
    g_assert_cmpint(attach(v.e.vfio, v.e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(destroy(v.e.iommufd, v.vdev), ==, 0);
    {
        struct iommu_hwpt_arm_smmuv3 abrt = {.ste = {0x1, 0}};
        uint32_t abort_id = 0;

        g_assert_cmpint(hwpt_alloc(v.e.iommufd, 0, v.e.devid, v.viommu,
                                   IOMMU_HWPT_DATA_ARM_SMMUV3, &abrt,
                                   sizeof(abrt), 0, &abort_id),
                        ==, 0);
        g_assert_cmpint(attach(v.e.vfio, abort_id, SIM_NO_PASID, NULL), ==, 0);
        vd.viommu_id = v.viommu;
        vd.dev_id = v.e.devid;
        vd.virt_id = 0x99;
        g_assert_cmpint(xioctl(v.e.iommufd, IOMMU_VDEVICE_ALLOC, &vd), ==, 0);
        v.vdev = vd.out_vdevice_id;
        event_record(evt, 0x10);
        g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==,
                        -ENOENT);
        /* re-attached with the vDEVICE present: forwarded */
        g_assert_cmpint(attach(v.e.vfio, v.nested, SIM_NO_PASID, NULL), ==, 0);
        g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
        g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 40);
        g_assert_cmpint(destroy(v.e.iommufd, abort_id), ==, 0);
    }
    venv_close(&v);
}

/* 7: VFIO's PASID 0 is not the RID's attachment */
static void test_k72_vfio_pasid0(void)
{
    uint32_t pasid_hwpt = 0, id = 0;
    struct env e;

    sim_setup(vtd_cfg);
    env_open(&e, false);
    g_assert_cmpint(hwpt_alloc(e.iommufd, IOMMU_HWPT_ALLOC_PASID, e.devid,
                               e.ioas, 0, NULL, 0, 0, &pasid_hwpt),
                    ==, 0);
    /* the RID is attached: a PASID-flag detach of 0 is a no-op ... */
    g_assert_cmpint(detach(e.vfio, 0), ==, 0);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 5, NULL), ==, -EINVAL);
    /* ... and a PASID-flag attach of 0 finds the RID busy */
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 0, NULL), ==, -EBUSY);
    g_assert_cmpint(detach(e.vfio, SIM_NO_PASID), ==, 0);
    /* with the RID free it attaches the RID, and detaches it again */
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 0, &id), ==, 0);
    g_assert_cmpuint(id, ==, pasid_hwpt);
    g_assert_cmpint(attach(e.vfio, pasid_hwpt, 5, NULL), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, pasid_hwpt), ==, -EBUSY);
    g_assert_cmpint(detach(e.vfio, 5), ==, 0);
    g_assert_cmpint(detach(e.vfio, 0), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, pasid_hwpt), ==, 0);
    env_close(&e);
}

/* 8: what 7.2 accepts that the simulator used to refuse */
static void test_k72_smmu_lenient(void)
{
    struct iommu_viommu_alloc va = {.size = sizeof(va)};
    uint64_t drvdata[2] = {0};
    /* S1Fmt = 2 (64K L2), S1ContextPtr at 2^46, Config = S1 */
    struct iommu_hwpt_arm_smmuv3 ste = {
        .ste = {0x1 | (5 << 1) | (2 << 4) | (1ull << 46), 0},
    };
    struct iommu_hwpt_arm_smmuv3 byp = {.ste = {0x1 | (4 << 1), 0}};
    struct iommu_hwpt_arm_smmuv3 abrt = {.ste = {0x1, 0}};
    struct iommu_hwpt_arm_smmuv3 bad = {
        /* bit 52: not one a guest controls */
        .ste = {0x1 | (5 << 1) | (1ull << 52), 0},
    };
    uint32_t s1 = 0, bypass = 0, abort_id = 0;
    struct env e;

    sim_setup(smmu_cfg);
    env_open(&e, true);
    va.dev_id = e.devid;
    va.hwpt_id = e.parent;
    va.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    va.__reserved = 0xdead;        /* not checked */
    va.data_len = sizeof(drvdata); /* ignored for SMMUv3 */
    va.data_uptr = (uintptr_t)drvdata;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_VIOMMU_ALLOC, &va), ==, 0);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, va.out_viommu_id,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &ste, sizeof(ste), 0,
                               &s1),
                    ==, 0);
    /* bits 52..58 stay outside STRTAB_STE_0_NESTING_ALLOWED */
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, va.out_viommu_id,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &bad, sizeof(bad), 0,
                               NULL),
                    ==, -EIO);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, va.out_viommu_id,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &byp, sizeof(byp), 0,
                               &bypass),
                    ==, 0);
    g_assert_cmpint(hwpt_alloc(e.iommufd, 0, e.devid, va.out_viommu_id,
                               IOMMU_HWPT_DATA_ARM_SMMUV3, &abrt, sizeof(abrt),
                               0, &abort_id),
                    ==, 0);
    /* abort and bypass attach without a vDEVICE; translation doesn't */
    g_assert_cmpint(attach(e.vfio, s1, SIM_NO_PASID, NULL), ==, -ENOENT);
    g_assert_cmpint(attach(e.vfio, abort_id, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(attach(e.vfio, bypass, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(attach(e.vfio, e.ioas, SIM_NO_PASID, NULL), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, s1), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, bypass), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, abort_id), ==, 0);
    g_assert_cmpint(destroy(e.iommufd, va.out_viommu_id), ==, 0);
    env_close(&e);
}

/* 9: the small ones */
static void test_k72_minor(void)
{
    struct iommu_hwpt_vtd_s1 s1 = vtd_s1(0x1000);
    struct iommu_hwpt_vtd_s1_invalidate ent = {
        .addr = 0x1000,
        .npages = 1,
    };
    struct iommu_hwpt_invalidate inv = {
        .size = sizeof(inv),
        .data_uptr = (uintptr_t)&ent,
        .data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
        .entry_len = sizeof(ent),
        .entry_num = 1,
    };
    struct iommu_hwpt_pgfault rec[2];
    struct iommu_hwpt_page_response resp;
    struct iovec iov[2];
    struct sim_response log[4];
    struct fenv f;

    fenv_open(&f, 0);
    /* a paging domain takes no data: EOPNOTSUPP */
    g_assert_cmpint(hwpt_alloc(f.e.iommufd, 0, f.e.devid, f.e.ioas,
                               IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), 0,
                               NULL),
                    ==, -EOPNOTSUPP);
    /* nonseekable: pread at 0 and lseek are ESPIPE */
    g_assert_cmpint(pread(f.ffd, rec, REC_SIZE, 0), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(lseek(f.ffd, 0, SEEK_SET), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    g_assert_cmpint(lseek(f.e.iommufd, 0, SEEK_CUR), ==, -1);
    g_assert_cmpint(errno, ==, ESPIPE);
    /* readv/writev reach the queue, one iovec at a time */
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, 1, true);
    sim_trigger_fault(BDF0, SIM_NO_PASID, 0x2000, 1, 2, true);
    iov[0] = (struct iovec){&rec[0], REC_SIZE};
    iov[1] = (struct iovec){&rec[1], REC_SIZE};
    g_assert_cmpint(readv(f.ffd, iov, 2), ==, 2 * REC_SIZE);
    g_assert_cmpuint(rec[1].grpid, ==, 2);
    resp = (struct iommu_hwpt_page_response){rec[0].cookie, 0};
    iov[0] = (struct iovec){&resp, sizeof(resp)};
    g_assert_cmpint(writev(f.ffd, iov, 1), ==, 8);
    g_assert_cmpint(respond(f.ffd, rec[1].cookie, 0), ==, 8);
    /* HWPT_INVALIDATE bounds */
    inv.hwpt_id = f.hwpt;
    inv.entry_len = 4097;
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EINVAL);
    inv.entry_len = sizeof(ent);
    inv.entry_num = (1u << 19) + 1;
    g_assert_cmpint(xioctl(f.e.iommufd, IOMMU_HWPT_INVALIDATE, &inv), ==,
                    -EINVAL);
    g_assert_cmpuint(inv.entry_num, ==, 0);
    /* a partial request with no handler is answered at once */
    sim_reset_stats();
    g_assert_cmpint(sim_trigger_fault(BDF0, 9, 0x1000, 1, 3, false), ==,
                    -EOPNOTSUPP);
    g_assert_cmpuint(sim_get_responses(log, 4), ==, 1);
    g_assert_true(log[0].automatic);
    g_assert_cmpuint(log[0].grpid, ==, 3);
    g_assert_cmpint(log[0].pasid, ==, 9);
    fenv_close(&f);
}

static const char smmu_cfg_ssid10[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "idr1=0x290      # SSIDSIZE 10, SIDSIZE 16\n"
    "[device " BDF0 "]\n"
    "stream-id=0x200\n"
    "pasid-width=16\n";

/* 9: out_max_pasid_log2 is the smaller of function and IOMMU */
static void test_k72_max_pasid(void)
{
    struct iommu_hw_info info = {.size = sizeof(info)};
    struct env e;

    sim_setup(smmu_cfg_ssid10);
    env_open(&e, false);
    info.dev_id = e.devid;
    g_assert_cmpint(xioctl(e.iommufd, IOMMU_GET_HW_INFO, &info), ==, 0);
    g_assert_cmpuint(info.out_max_pasid_log2, ==, 10);
    env_close(&e);
}

/* IOAS_CHANGE_PROCESS: 0 with nothing to move, EINVAL for pinned memory */
static void test_k72_change_process(void)
{
    struct iommu_ioas_change_process cp = {.size = sizeof(cp)};
    static uint8_t page[4096] __attribute__((aligned(4096)));
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_READABLE,
        .user_va = (uintptr_t)page,
        .length = sizeof(page),
    };
    int fd;

    sim_setup(vtd_cfg);
    fd = open("/dev/iommu", O_RDWR);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), ==, 0);
    map.ioas_id = ioas_alloc(fd);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), ==, 0);
    /* file-backed mappings can move: still 0 */
    {
        int mfd = memfd_create("sim-test", 0);
        struct iommu_ioas_map_file mf = {
            .size = sizeof(mf),
            .ioas_id = map.ioas_id,
            .fd = mfd,
            .flags = IOMMU_IOAS_MAP_READABLE,
            .length = 8192,
        };

        g_assert_cmpint(mfd, >=, 0);
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP_FILE, &mf), ==,
                        -EINVAL); /* beyond the file's end */
        g_assert_cmpint(ftruncate(mfd, 8192), ==, 0);
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP_FILE, &mf), ==, 0);
        g_assert_cmpuint(mf.iova, !=, 0);
        close(mfd); /* the mapping keeps the pages */
        mf.fd = -1;
        g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP_FILE, &mf), ==, -EBADF);
    }
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), ==, 0);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), ==, -EINVAL);
    cp.__reserved = 1;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cp), ==,
                    -EOPNOTSUPP);
    close(fd);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

/* 10: VFIO_DEVICE_GET_INFO fills the 24-byte struct */
static void test_k72_vfio_info(void)
{
    struct vfio_device_info info;
    struct env e;

    sim_setup(vtd_cfg);
    env_open(&e, false);
    memset(&info, 0xff, sizeof(info));
    info.argsz = sizeof(info);
    g_assert_cmpuint(sizeof(info), ==, 24);
    g_assert_cmpint(xioctl(e.vfio, VFIO_DEVICE_GET_INFO, &info), ==, 0);
    g_assert_cmpuint(info.num_regions, ==, VFIO_PCI_NUM_REGIONS);
    g_assert_cmpuint(info.cap_offset, ==, 0);
    env_close(&e);
}

/* ---- the kernel selftest's mock (IOMMU_TEST_CMD), selftest-mock.c ---- */

static int test_cmd(int fd, struct sim_test_cmd *cmd)
{
    cmd->size = sizeof(*cmd);
    return xioctl(fd, SIM_IOMMU_TEST_CMD, cmd);
}

static void test_selftest_mock(void)
{
    struct sim_test_cmd md = {
        .op = SIM_TEST_OP_MOCK_DOMAIN_FLAGS,
        .mock_domain.dev_flags = SIM_MOCK_DEV_PASID,
    };
    struct sim_test_cmd c = {0};
    struct sim_viommu_selftest vdata = {.in_data = 0xbeef};
    struct sim_hwpt_selftest hdata = {.iotlb = SIM_MOCK_IOTLB_DEFAULT};
    struct iommu_viommu_alloc va = {.size = sizeof(va)};
    struct iommu_vdevice_alloc vd = {.size = sizeof(vd)};
    struct sim_hwpt_invalidate_selftest inv = {.iotlb_id = 2};
    struct iommu_hwpt_invalidate hi = {
        .size = sizeof(hi),
        .data_uptr = (uintptr_t)&inv,
        .data_type = SIM_HWPT_INVALIDATE_DATA_SELFTEST,
        .entry_len = sizeof(inv),
        .entry_num = 1,
    };
    struct {
        struct iommufd_vevent_header hdr;
        struct sim_viommu_event_selftest ev;
    } __attribute__((packed)) rec;
    uint32_t ioas, stdev, idev, parent = 0, nested = 0, qid = 0;
    uint32_t *page;
    int fd, qfd = -1;

    sim_setup("[iommu]\ntype=intel-vtd\n");
    fd = open("/dev/iommu", O_RDWR);
    g_assert_cmpint(fd, >=, 0);
    ioas = ioas_alloc(fd);
    md.id = ioas;
    g_assert_cmpint(test_cmd(fd, &md), ==, 0);
    stdev = md.mock_domain.out_stdev_id;
    idev = md.mock_domain.out_idev_id;
    /* the selftest object comes first, then its device, then the domain */
    g_assert_cmpuint(stdev, <, idev);
    g_assert_cmpuint(idev, <, md.mock_domain.out_hwpt_id);
    md.mock_domain.dev_flags = 1u << 7;
    g_assert_cmpint(test_cmd(fd, &md), ==, -EINVAL);
    /* the device's caches, and the device object is not the user's */
    c = (struct sim_test_cmd){
        .op = SIM_TEST_OP_DEV_CHECK_CACHE,
        .id = idev,
        .check_dev_cache = {3, SIM_MOCK_DEV_CACHE_DEFAULT},
    };
    g_assert_cmpint(test_cmd(fd, &c), ==, 0);
    c.check_dev_cache.cache = 0;
    g_assert_cmpint(test_cmd(fd, &c), ==, -EINVAL);
    g_assert_cmpint(destroy(fd, idev), ==, -EBUSY);

    /* a selftest vIOMMU with data: echoed, and mmap()able */
    g_assert_cmpint(hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0,
                               NULL, 0, 0, &parent),
                    ==, 0);
    va.dev_id = idev;
    va.hwpt_id = parent;
    /* not this device's IOMMU */
    va.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3;
    g_assert_cmpint(xioctl(fd, IOMMU_VIOMMU_ALLOC, &va), ==, -EOPNOTSUPP);
    va.type = SIM_VIOMMU_TYPE_SELFTEST;
    va.data_len = sizeof(vdata);
    va.data_uptr = (uintptr_t)&vdata;
    g_assert_cmpint(xioctl(fd, IOMMU_VIOMMU_ALLOC, &va), ==, 0);
    g_assert_cmphex(vdata.out_data, ==, 0xbeef);
    g_assert_true(mmap(NULL, vdata.out_mmap_length, PROT_READ, MAP_SHARED, fd,
                       vdata.out_mmap_offset + 4096) == MAP_FAILED);
    g_assert_cmpint(errno, ==, ENXIO);
    page = mmap(NULL, vdata.out_mmap_length, PROT_READ, MAP_SHARED, fd,
                vdata.out_mmap_offset);
    g_assert_true(page != MAP_FAILED);
    g_assert_cmphex(*page, ==, 0xbeef);
    g_assert_cmpint(destroy(fd, va.out_viommu_id), ==, -EBUSY);
    munmap(page, vdata.out_mmap_length);

    /* a nested mock domain: IOTLB words, cleared by invalidation */
    g_assert_cmpint(hwpt_alloc(fd, 0, idev, parent, SIM_HWPT_DATA_SELFTEST,
                               &hdata, 3, 0, NULL),
                    ==, -EINVAL);
    g_assert_cmpint(hwpt_alloc(fd, 0, idev, va.out_viommu_id,
                               SIM_HWPT_DATA_SELFTEST, &hdata, sizeof(hdata), 0,
                               &nested),
                    ==, 0);
    hi.hwpt_id = nested;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_INVALIDATE, &hi), ==, 0);
    c = (struct sim_test_cmd){
        .op = SIM_TEST_OP_MD_CHECK_IOTLB, .id = nested, .check_iotlb = {2, 0}};
    g_assert_cmpint(test_cmd(fd, &c), ==, 0);
    c.check_iotlb = (typeof(c.check_iotlb)){1, SIM_MOCK_IOTLB_DEFAULT};
    g_assert_cmpint(test_cmd(fd, &c), ==, 0);

    /* nested attach needs the vDEVICE; then vEVENTs carry its virt_id */
    c = (struct sim_test_cmd){.op = SIM_TEST_OP_MOCK_DOMAIN_REPLACE,
                              .id = stdev,
                              .mock_domain_replace.pt_id = nested};
    g_assert_cmpint(test_cmd(fd, &c), ==, -ENOENT);
    vd.viommu_id = va.out_viommu_id;
    vd.dev_id = idev;
    vd.virt_id = 0x42;
    g_assert_cmpint(xioctl(fd, IOMMU_VDEVICE_ALLOC, &vd), ==, 0);
    g_assert_cmpint(test_cmd(fd, &c), ==, 0);
    g_assert_cmpint(veventq_alloc(fd, va.out_viommu_id,
                                  SIM_VEVENTQ_TYPE_SELFTEST, 4, &qid, &qfd),
                    ==, 0);
    c = (struct sim_test_cmd){.op = SIM_TEST_OP_TRIGGER_VEVENT,
                              .trigger_vevent.dev_id = idev};
    g_assert_cmpint(test_cmd(fd, &c), ==, 0);
    g_assert_cmpint(read(qfd, &rec, sizeof(rec)), ==, sizeof(rec));
    g_assert_cmpuint(rec.ev.virt_id, ==, 0x42);

    /* PASIDs: attach refuses to overwrite, replace needs an attachment */
    c = (struct sim_test_cmd){
        .op = SIM_TEST_OP_PASID_REPLACE,
        .id = stdev,
        .pasid_attach = {7, nested},
    };
    g_assert_cmpint(test_cmd(fd, &c), ==, -EINVAL);
    c.op = SIM_TEST_OP_PASID_ATTACH;
    /* the RID's nested domain isn't PASID-compatible */
    g_assert_cmpint(test_cmd(fd, &c), ==, -EINVAL);

    /* destroying the selftest object unbinds its device */
    close(qfd);
    g_assert_cmpint(destroy(fd, stdev), ==, 0);
    g_assert_cmpint(destroy(fd, vd.out_vdevice_id), ==, -ENOENT);
    g_assert_cmpint(close(fd), ==, 0);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

/* IOMMU_OPTION, IOAS_ALLOW_IOVAS, IOAS_COPY (iova.c, iommufd.c) */
static void test_ioas_space(void)
{
    static uint8_t mem[8 * 4096] __attribute__((aligned(4096)));
    struct iommu_option opt = {
        .size = sizeof(opt),
        .option_id = IOMMU_OPTION_HUGE_PAGES,
        .op = IOMMU_OPTION_OP_GET,
        .val64 = 7,
    };
    struct iommu_iova_range allow[2] = {
        {0x100000, 0x1fffff},
        {0x180000, 0x2fffff},
    };
    struct iommu_ioas_allow_iovas al = {
        .size = sizeof(al),
        .num_iovas = 2,
        .allowed_iovas = (uintptr_t)allow,
    };
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_READABLE,
        .user_va = (uintptr_t)mem,
        .length = 2 * 4096,
    };
    struct iommu_ioas_copy cp = {
        .size = sizeof(cp),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA,
        .length = 4096,
        .dst_iova = 0x5000,
    };
    uint32_t a, b;
    int fd;

    sim_setup(vtd_cfg);
    fd = open("/dev/iommu", O_RDWR);
    a = ioas_alloc(fd);
    b = ioas_alloc(fd);
    /* huge pages on by default; off makes the alignment PAGE_SIZE */
    opt.object_id = a;
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, 0);
    g_assert_cmpuint(opt.val64, ==, 1);
    opt.op = IOMMU_OPTION_OP_SET;
    opt.val64 = 2;
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, -EINVAL);
    opt.val64 = 0;
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, 0);
    map.ioas_id = a;
    map.length = 100;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, -EINVAL);
    opt.object_id = 99;
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, -ENOENT);
    /* RLIMIT_MODE is the context's: no object id */
    opt = (struct iommu_option){
        .size = sizeof(opt),
        .option_id = IOMMU_OPTION_RLIMIT_MODE,
        .op = IOMMU_OPTION_OP_GET,
        .object_id = a,
    };
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, -EOPNOTSUPP);
    opt.object_id = 0;
    opt.val64 = 5;
    g_assert_cmpint(xioctl(fd, IOMMU_OPTION, &opt), ==, 0);
    g_assert_cmpuint(opt.val64, ==, 0);

    /* allowed ranges may not overlap; allocation stays inside them */
    al.ioas_id = a;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &al), ==, -EINVAL);
    allow[1].start = 0x200000;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &al), ==, 0);
    map.length = 2 * 4096;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    g_assert_cmphex(map.iova, >=, 0x100000);
    g_assert_cmphex(map.iova, <=, 0x2fffff - 0x2000 + 1);

    /* copy: the second page of that mapping, into the other IOAS */
    cp.src_ioas_id = a;
    cp.dst_ioas_id = b;
    cp.src_iova = map.iova + 4096;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_COPY, &cp), ==, 0);
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_COPY, &cp), ==, -EEXIST);
    cp.src_iova = map.iova + 0x10000; /* nothing there */
    cp.dst_iova = 0x9000;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_COPY, &cp), ==, -ENOENT);
    close(fd);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

/* HWPT_SET_DIRTY_TRACKING / GET_DIRTY_BITMAP on a mock domain (dirty.c) */
static void test_dirty_tracking(void)
{
    static uint8_t mem[8 * 2048] __attribute__((aligned(4096)));
    struct sim_test_cmd md = {.op = SIM_TEST_OP_MOCK_DOMAIN};
    struct sim_test_cmd dc = {.op = SIM_TEST_OP_DIRTY};
    struct iommu_hwpt_set_dirty_tracking st = {.size = sizeof(st)};
    uint64_t bits, mark = 0x05; /* mock pages 0 and 2 */
    struct iommu_hwpt_get_dirty_bitmap gd = {
        .size = sizeof(gd),
        .iova = SIM_MOCK_APERTURE_START,
        .length = sizeof(mem),
        .page_size = SIM_MOCK_PAGE_SIZE,
        .data = (uintptr_t)&bits,
    };
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
                 IOMMU_IOAS_MAP_WRITEABLE,
        .user_va = (uintptr_t)mem,
        .length = sizeof(mem),
        .iova = SIM_MOCK_APERTURE_START,
    };
    uint32_t ioas, plain = 0, hwpt = 0;
    int fd;

    sim_setup("[iommu]\ntype=intel-vtd\n");
    fd = open("/dev/iommu", O_RDWR);
    ioas = ioas_alloc(fd);
    md.id = ioas;
    g_assert_cmpint(test_cmd(fd, &md), ==, 0);
    map.ioas_id = ioas;
    g_assert_cmpint(xioctl(fd, IOMMU_IOAS_MAP, &map), ==, 0);
    g_assert_cmpint(hwpt_alloc(fd, 0, md.mock_domain.out_idev_id, ioas, 0, NULL,
                               0, 0, &plain),
                    ==, 0);
    g_assert_cmpint(hwpt_alloc(fd, IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
                               md.mock_domain.out_idev_id, ioas, 0, NULL, 0, 0,
                               &hwpt),
                    ==, 0);
    /* a domain without dirty ops can't track */
    st.hwpt_id = plain;
    st.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &st), ==,
                    -EOPNOTSUPP);
    /* reading needs tracking on */
    gd.hwpt_id = hwpt;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, -EINVAL);
    st.hwpt_id = hwpt;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &st), ==, 0);

    dc.id = hwpt;
    dc.dirty.iova = SIM_MOCK_APERTURE_START;
    dc.dirty.length = sizeof(mem);
    dc.dirty.page_size = SIM_MOCK_PAGE_SIZE;
    dc.dirty.uptr = (uintptr_t)&mark;
    g_assert_cmpint(test_cmd(fd, &dc), ==, 0);
    g_assert_cmpuint(dc.dirty.out_nr_dirty, ==, 2);
    /* NO_CLEAR reads twice; a plain read then clears */
    gd.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
    bits = 0;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, 0);
    g_assert_cmphex(bits, ==, 0x05);
    gd.flags = 0;
    bits = 0;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, 0);
    g_assert_cmphex(bits, ==, 0x05);
    bits = 0;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, 0);
    g_assert_cmphex(bits, ==, 0);
    /* page_size and IOVA must line up */
    gd.iova += 1024;
    g_assert_cmpint(xioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &gd), ==, -EINVAL);
    close(fd);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

/* ---- copies to and from the caller ---- */

/* Two pages, the second inaccessible: a buffer may run into it. */
static uint8_t *guard_pages(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert_true(p != MAP_FAILED);
    g_assert_cmpint(mprotect(p + pg, pg, PROT_NONE), ==, 0);
    return p;
}

/*
 * A read() copies its records in one go, but a buffer that runs into a
 * bad address still gets, as from copy_to_user() per group, every whole
 * record before the bad one; the rest stay queued, with the cookies they
 * would have had.  Likewise a write() processes the responses before a
 * bad address.
 */
static void test_copy_bad_address(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *mem = guard_pages();
    uint8_t *edge = mem + pg - REC_SIZE; /* one record, then PROT_NONE */
    struct iommu_hwpt_page_response *resp;
    struct iommu_hwpt_pgfault rec[3];
    struct fenv f;

    fenv_open(&f, 0);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(
            sim_trigger_fault(BDF0, SIM_NO_PASID, 0x1000, 1, i, true), ==, 0);
    }
    /* wholly bad: EFAULT, nothing taken */
    g_assert_cmpint(read(f.ffd, mem + pg, 3 * REC_SIZE), ==, -1);
    g_assert_cmpint(errno, ==, EFAULT);
    g_assert_cmpint(read(f.ffd, edge, 3 * REC_SIZE), ==, REC_SIZE);
    memcpy(rec, edge, REC_SIZE);
    g_assert_cmpuint(rec[0].grpid, ==, 0);
    g_assert_cmpuint(rec[0].cookie, ==, 1);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 2 * REC_SIZE);
    g_assert_cmpuint(rec[0].grpid, ==, 1);
    g_assert_cmpuint(rec[0].cookie, ==, 2);
    g_assert_cmpuint(rec[1].grpid, ==, 2);
    g_assert_cmpuint(rec[1].cookie, ==, 3);
    /* responses: the first two before the bad page are processed */
    resp = (void *)(mem + pg - 2 * sizeof(*resp));
    resp[0] = (struct iommu_hwpt_page_response){.cookie = 1};
    resp[1] = (struct iommu_hwpt_page_response){.cookie = 2};
    g_assert_cmpint(write(f.ffd, resp, 3 * sizeof(*resp)), ==,
                    2 * sizeof(*resp));
    g_assert_cmpint(write(f.ffd, mem + pg, sizeof(*resp)), ==, -1);
    g_assert_cmpint(errno, ==, EFAULT);
    g_assert_cmpint(respond(f.ffd, 3, IOMMUFD_PAGE_RESP_SUCCESS), ==, 8);
    g_assert_cmpint(respond(f.ffd, 1, IOMMUFD_PAGE_RESP_SUCCESS), ==, -EINVAL);
    fenv_close(&f);
    munmap(mem, 2 * pg);
}

static void test_copy_bad_address_veventq(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *mem = guard_pages();
    struct iommufd_vevent_header hdr;
    uint8_t buf[80];
    uint64_t evt[4];
    struct venv v;

    venv_open(&v, 8);
    event_record(evt, 0x10);
    for (int i = 0; i < 3; i++) {
        g_assert_cmpint(sim_trigger_vevent(BDF0, evt, sizeof(evt)), ==, 0);
    }
    g_assert_cmpint(read(v.qfd, mem + pg, 40), ==, -1);
    g_assert_cmpint(errno, ==, EFAULT);
    /* one record fits before the bad page; the header of the next not */
    g_assert_cmpint(read(v.qfd, mem + pg - 44, 120), ==, 40);
    memcpy(&hdr, mem + pg - 44, sizeof(hdr));
    g_assert_cmpuint(hdr.sequence, ==, 0);
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 80);
    memcpy(&hdr, buf, sizeof(hdr));
    g_assert_cmpuint(hdr.sequence, ==, 1);
    memcpy(&hdr, buf + 40, sizeof(hdr));
    g_assert_cmpuint(hdr.sequence, ==, 2);
    venv_close(&v);
    munmap(mem, 2 * pg);
}

/* fault-burst / vevent-burst: N records for one command, in order. */
static void test_control_burst(void)
{
    struct iommu_hwpt_pgfault rec[8];
    uint8_t buf[6 * 40];
    struct venv v;
    struct fenv f;
    char *r;

    fenv_open(&f, 0);
    r = sim_command("fault-burst " BDF0 " 5 - 0x10000 rw 7");
    g_assert_cmpstr(r, ==, "OK n=5");
    g_free(r);
    g_assert_cmpint(read(f.ffd, rec, sizeof(rec)), ==, 5 * REC_SIZE);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpuint(rec[i].grpid, ==, 7 + i);
        g_assert_cmphex(rec[i].addr, ==, 0x10000 + i * 4096);
        g_assert_cmpuint(rec[i].perm, ==, 3);
        g_assert_cmpuint(rec[i].flags, ==, IOMMU_PGFAULT_FLAGS_LAST_PAGE);
        g_assert_cmpint(respond(f.ffd, rec[i].cookie, 0), ==, 8);
    }
    /* a PASID nobody attached stops the burst at once */
    r = sim_command("fault-burst " BDF0 " 3 5 0 r 0");
    g_assert_true(g_str_has_prefix(r, "ERR EOPNOTSUPP"));
    g_assert_nonnull(strstr(r, "after 0"));
    g_free(r);
    r = sim_command("fault-burst " BDF0 " 65537 - 0 r 0");
    g_assert_true(g_str_has_prefix(r, "ERR EINVAL"));
    g_free(r);
    fenv_close(&f);

    venv_open(&v, 4);
    r = sim_command(
        "vevent-burst " BDF0 " 6 "
        "1000000000020000000000000000000000000000000000000000000000000000");
    g_assert_cmpstr(r, ==, "OK n=6");
    g_free(r);
    /* depth 4: four records, then the LOST header */
    g_assert_cmpint(read(v.qfd, buf, sizeof(buf)), ==, 4 * 40 + 8);
    for (int i = 0; i < 4; i++) {
        struct iommufd_vevent_header hdr;

        memcpy(&hdr, buf + i * 40, sizeof(hdr));
        g_assert_cmpuint(hdr.sequence, ==, i);
        g_assert_cmpuint(hdr.flags, ==, 0);
    }
    venv_close(&v);
}

/*
 * What libvirt reads before it assigns a device: the groups directory,
 * the device's driver and group links, its config space, /dev/vfio/vfio.
 */
static void test_host_sysfs(void)
{
    char buf[PATH_MAX];
    g_autofree char *real = NULL;
    g_autofree char *cfg = NULL;
    gsize len;
    ssize_t n;
    DIR *d;
    struct dirent *de;
    int count = 0;

    sim_setup(vtd_cfg);
    d = opendir("/sys/kernel/iommu_groups");
    g_assert_nonnull(d);
    while ((de = readdir(d))) {
        count += de->d_name[0] != '.';
    }
    closedir(d);
    g_assert_cmpint(count, ==, 2);

    n = readlink("/sys/bus/pci/devices/" BDF0 "/iommu_group", buf,
                 sizeof(buf) - 1);
    g_assert_cmpint(n, >, 0);
    buf[n] = 0;
    g_assert_true(g_str_has_suffix(buf, "/kernel/iommu_groups/0"));
    g_assert_cmpint(access("/sys/kernel/iommu_groups/0/devices/" BDF0, F_OK),
                    ==, 0);
    real = realpath("/sys/bus/pci/devices/" BDF0 "/driver", NULL);
    g_assert_cmpstr(real, ==, "/sys/bus/pci/drivers/vfio-pci");
    g_assert_true(g_file_get_contents("/sys/bus/pci/devices/" BDF0 "/config",
                                      &cfg, &len, NULL));
    g_assert_cmpuint(len, ==, 4096);
    g_assert_cmphex(((uint8_t)cfg[0] | (uint8_t)cfg[1] << 8), ==, 0x8086);
    g_assert_cmpint(access("/dev/vfio/vfio", F_OK), ==, 0);
}

/*
 * An fd opened elsewhere (libvirt) and handed over: the simulator has
 * not seen its number.  dup() makes such a number here (dup is not
 * tracked); the first iommufd/VFIO ioctl must adopt it.
 */
static void test_handoff(void)
{
    uint32_t devid = 0;
    int iommufd, vfio, iommufd2, vfio2;

    sim_setup(vtd_cfg);
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    vfio = open_vfio(BDF0);
    iommufd2 = dup(iommufd);
    vfio2 = dup(vfio);
    g_assert_cmpint(iommufd2, >=, 0);
    g_assert_cmpint(vfio2, >=, 0);
    close(iommufd);
    close(vfio);
    /* The iommufd is first met as VFIO_DEVICE_BIND_IOMMUFD's argument. */
    g_assert_cmpint(bind_dev(vfio2, iommufd2,
                             sizeof(struct vfio_device_bind_iommufd), &devid),
                    ==, 0);
    g_assert_cmpuint(devid, !=, 0);
    g_assert_cmpuint(ioas_alloc(iommufd2), !=, 0);
    /* An ordinary fd is not adopted. */
    {
        int p[2];
        struct iommu_ioas_alloc a = {.size = sizeof(a)};

        g_assert_cmpint(pipe(p), ==, 0);
        g_assert_cmpint(xioctl(p[0], IOMMU_IOAS_ALLOC, &a), ==, -ENOTTY);
        close(p[0]);
        close(p[1]);
    }
    close(vfio2);
    close(iommufd2);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
}

int main(int argc, char **argv)
{
    /* the cases pick their kernel behaviour themselves */
    g_unsetenv("IOMMUFD_SIM_KERNEL");
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommufd-sim/inert", test_inert);
    g_test_add_func("/iommufd-sim/sysfs", test_sysfs);
    g_test_add_func("/iommufd-sim/bind", test_bind);
    g_test_add_func("/iommufd-sim/ioas", test_ioas);
    g_test_add_func("/iommufd-sim/host-sysfs", test_host_sysfs);
    g_test_add_func("/iommufd-sim/handoff", test_handoff);
    g_test_add_func("/iommufd-sim/hw-info/vtd", test_hw_info_vtd);
    g_test_add_func("/iommufd-sim/hw-info/smmuv3", test_hw_info_smmu);
    g_test_add_func("/iommufd-sim/hwpt-alloc", test_hwpt_alloc);
    g_test_add_func("/iommufd-sim/attach-pasid", test_attach_pasid);
    g_test_add_func("/iommufd-sim/fault/basic", test_fault_basic);
    g_test_add_func("/iommufd-sim/fault/groups", test_fault_groups);
    g_test_add_func("/iommufd-sim/fault/auto-response",
                    test_fault_auto_response);
    g_test_add_func("/iommufd-sim/fault/pasid", test_fault_pasid);
    g_test_add_func("/iommufd-sim/veventq", test_veventq);
    g_test_add_func("/iommufd-sim/invalidate/viommu", test_viommu_invalidate);
    g_test_add_func("/iommufd-sim/invalidate/vtd", test_vtd_invalidate);
    g_test_add_func("/iommufd-sim/vfio/config-space", test_config_space);
    g_test_add_func("/iommufd-sim/control/parse", test_control_parse);
    g_test_add_func("/iommufd-sim/control/socket", test_control_socket);
    g_test_add_func("/iommufd-sim/inject", test_inject);
    g_test_add_func("/iommufd-sim/inject/invalidate", test_inject_invalidate);
    g_test_add_func("/iommufd-sim/inject/write", test_inject_write);
    g_test_add_func("/iommufd-sim/inject/raw", test_inject_raw);
    g_test_add_func("/iommufd-sim/inject/read-errno", test_inject_read_errno);
    g_test_add_func("/iommufd-sim/dma", test_dma);
    g_test_add_func("/iommufd-sim/dma-dirty", test_dma_dirty);
    g_test_add_func("/iommufd-sim/linux-7.2/smmu-pri", test_k72_smmu_pri);
    g_test_add_func("/iommufd-sim/linux-7.2/iopf-needs-pri",
                    test_k72_iopf_needs_pri);
    g_test_add_func("/iommufd-sim/linux-7.2/vtd-prq-filter",
                    test_k72_vtd_prq_filter);
    g_test_add_func("/iommufd-sim/linux-7.2/read-size", test_k72_read_size);
    g_test_add_func("/iommufd-sim/linux-7.2/smmu-events", test_k72_smmu_events);
    g_test_add_func("/iommufd-sim/linux-7.2/vfio-pasid0", test_k72_vfio_pasid0);
    g_test_add_func("/iommufd-sim/linux-7.2/smmu-lenient",
                    test_k72_smmu_lenient);
    g_test_add_func("/iommufd-sim/linux-7.2/minor", test_k72_minor);
    g_test_add_func("/iommufd-sim/linux-7.2/max-pasid", test_k72_max_pasid);
    g_test_add_func("/iommufd-sim/linux-7.2/change-process",
                    test_k72_change_process);
    g_test_add_func("/iommufd-sim/linux-7.2/vfio-info", test_k72_vfio_info);
    g_test_add_func("/iommufd-sim/selftest-mock", test_selftest_mock);
    g_test_add_func("/iommufd-sim/ioas-space", test_ioas_space);
    g_test_add_func("/iommufd-sim/dirty-tracking", test_dirty_tracking);
    g_test_add_func("/iommufd-sim/control/burst", test_control_burst);
    g_test_add_func("/iommufd-sim/copy/bad-address", test_copy_bad_address);
    g_test_add_func("/iommufd-sim/copy/bad-address-veventq",
                    test_copy_bad_address_veventq);
    rc = g_test_run();
    if (cfg_file) {
        g_unlink(cfg_file);
        g_free(cfg_file);
    }
    return rc;
}
