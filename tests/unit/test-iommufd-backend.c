/*
 * The iommufd backend helpers against the simulator, through real ioctl()
 * calls: each helper's success path, and each error path reported with a
 * message naming the operation.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/iommufd.h"
#include "system/host_iommu_device.h"
#include "qemu/option.h"
#include "iommufd-sim.h"
#include <dirent.h>
#include <glib/gstdio.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

#define BDF "0000:02:00.0"

static const char vtd_config[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "vendor-id=0x8086\n"
    "device-id=0x1234\n"
    "pasid-width=20\n"
    "pri=true\n"
    "ats=true\n";

static const char smmu_config[] =
    "[iommu]\n"
    "type=arm-smmuv3\n"
    "nesting=true\n"
    "[device " BDF "]\n"
    "vendor-id=0x13b5\n"
    "device-id=0x0001\n"
    "pasid-width=16\n"
    "pri=true\n"
    "stream-id=0x200\n";

typedef struct Fixture {
    char *dir;
    IOMMUFDBackend *be;
    int devfd;
    uint32_t devid;
} Fixture;

static void sim_start(Fixture *f, const char *config)
{
    g_autofree char *path = NULL;

    f->dir = g_dir_make_tmp("iommufd-backend-XXXXXX", NULL);
    path = g_build_filename(f->dir, "sim.conf", NULL);
    g_assert_true(g_file_set_contents(path, config, -1, NULL));
    g_setenv("IOMMUFD_SIM_CONFIG", path, TRUE);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    g_assert_cmpint(sim_reinit_for_test(), ==, 0);
    g_assert_true(sim_is_active());
}

/* Open the device's cdev the way vfio-pci does and bind it. */
static void bind_device(Fixture *f)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
    DIR *dir = opendir("/sys/bus/pci/devices/" BDF "/vfio-dev");
    struct dirent *ent;
    g_autofree char *cdev = NULL;

    g_assert_nonnull(dir);
    while ((ent = readdir(dir))) {
        if (g_str_has_prefix(ent->d_name, "vfio")) {
            cdev = g_strdup_printf("/dev/vfio/devices/%s", ent->d_name);
        }
    }
    closedir(dir);
    g_assert_nonnull(cdev);
    f->devfd = open(cdev, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(f->devfd, >=, 0);
    bind.iommufd = f->be->fd;
    g_assert_cmpint(ioctl(f->devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind), ==, 0);
    f->devid = bind.out_devid;
}

static void fixture_setup(Fixture *f, const char *config)
{
    sim_start(f, config);
    f->be = IOMMUFD_BACKEND(object_new(TYPE_IOMMUFD_BACKEND));
    g_assert_true(iommufd_backend_connect(f->be, &error_abort));
    g_assert_cmpint(f->be->fd, >=, 0);
    bind_device(f);
}

static void fixture_teardown(Fixture *f)
{
    if (f->devfd >= 0) {
        close(f->devfd);
    }
    iommufd_backend_disconnect(f->be);
    g_assert_cmpint(f->be->fd, ==, -1);
    object_unref(f->be);
    /* Everything the helpers created was destroyed by the test. */
    g_assert_cmpuint(sim_live_objects(), ==, 0);
    g_unsetenv("IOMMUFD_SIM_CONFIG");
    sim_reinit_for_test();
    {
        g_autofree char *conf = g_build_filename(f->dir, "sim.conf", NULL);

        g_unlink(conf);
    }
    g_rmdir(f->dir);
    g_free(f->dir);
}

/* Fail the next call of @ioctl_name; @call must report @fragment. */
#define ASSERT_FAILS_NAMED(ioctl_name, err, call, fragment) do {            \
        Error *local_err = NULL;                                            \
        Error **errp = &local_err;                                          \
        g_assert_cmpint(sim_inject_ioctl_failure(ioctl_name, 1, err), ==, 0); \
        g_assert_false(call);                                               \
        g_assert_nonnull(local_err);                                        \
        g_assert_nonnull(strstr(error_get_pretty(local_err), fragment));    \
        g_assert_nonnull(strstr(error_get_pretty(local_err),                \
                                g_strerror(err)));                          \
        error_free(local_err);                                              \
    } while (0)

static void test_connect_refcount(void)
{
    Fixture f = { .devfd = -1 };
    int fd;

    fixture_setup(&f, vtd_config);
    fd = f.be->fd;
    g_assert_true(iommufd_backend_connect(f.be, &error_abort));
    g_assert_cmpint(f.be->fd, ==, fd);
    g_assert_cmpuint(f.be->users, ==, 2);
    iommufd_backend_disconnect(f.be);
    g_assert_cmpint(f.be->fd, ==, fd);      /* one user left: still open */
    fixture_teardown(&f);
}

static void test_connect_no_iommu(void)
{
    IOMMUFDBackend *be;
    Error *err = NULL;

    if (g_file_test("/dev/iommu", G_FILE_TEST_EXISTS)) {
        g_test_skip("this machine has a real /dev/iommu");
        return;
    }
    g_unsetenv("IOMMUFD_SIM_CONFIG");
    sim_reinit_for_test();
    be = IOMMUFD_BACKEND(object_new(TYPE_IOMMUFD_BACKEND));
    g_assert_false(iommufd_backend_connect(be, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not open '/dev/iommu': No such file or directory");
    g_assert_cmpuint(be->users, ==, 0);
    error_free(err);
    object_unref(be);
}

static void test_ioas_map_unmap(void)
{
    Fixture f = { .devfd = -1 };
    void *ram = g_malloc0(0x4000);
    uint32_t ioas;

    fixture_setup(&f, vtd_config);
    g_assert_true(iommufd_backend_alloc_ioas(f.be, &ioas, &error_abort));
    g_assert_cmpuint(ioas, !=, 0);
    g_assert_true(iommufd_backend_map_dma(f.be, ioas, 0x100000, 0x4000, ram,
                                          false, &error_abort));
    /* Overlapping map is refused by the kernel (EEXIST). */
    ASSERT_FAILS_NAMED("IOMMU_IOAS_MAP", EEXIST,
                       iommufd_backend_map_dma(f.be, ioas, 0x100000, 0x1000,
                                               ram, false, errp),
                       "IOMMU_IOAS_MAP of [0x100000, +0x1000) into IOAS");
    g_assert_true(iommufd_backend_unmap_dma(f.be, ioas, 0x100000, 0x4000,
                                            &error_abort));
    /* Nothing there any more: ENOENT counts as done. */
    g_assert_true(iommufd_backend_unmap_dma(f.be, ioas, 0x100000, 0x4000,
                                            &error_abort));
    ASSERT_FAILS_NAMED("IOMMU_IOAS_ALLOC", ENOMEM,
                       iommufd_backend_alloc_ioas(f.be, &ioas, errp),
                       "IOMMU_IOAS_ALLOC failed");
    ASSERT_FAILS_NAMED("IOMMU_IOAS_UNMAP", EINVAL,
                       iommufd_backend_unmap_dma(f.be, ioas, 0, 0x1000, errp),
                       "IOMMU_IOAS_UNMAP of [0x0, +0x1000)");
    g_assert_true(iommufd_backend_free_id(f.be, ioas, &error_abort));
    fixture_teardown(&f);
    g_free(ram);
}

static void test_free_id_errors(void)
{
    Fixture f = { .devfd = -1 };
    Error *err = NULL;

    fixture_setup(&f, vtd_config);
    g_assert_false(iommufd_backend_free_id(f.be, 0xdead, &err));
    g_assert_nonnull(
        strstr(error_get_pretty(err), "IOMMU_DESTROY of id 57005"));
    g_assert_nonnull(strstr(error_get_pretty(err), g_strerror(ENOENT)));
    error_free(err);
    fixture_teardown(&f);
}

static void test_device_info_vtd(void)
{
    Fixture f = { .devfd = -1 };
    struct iommu_hw_info_vtd vtd = { 0 };
    uint32_t type = 0;
    uint64_t caps = 0;
    uint8_t pasid_log2 = 0;

    fixture_setup(&f, vtd_config);
    g_assert_true(iommufd_backend_get_device_info(f.be, f.devid, &type, &vtd,
                                                  sizeof(vtd), &caps,
                                                  &pasid_log2, &error_abort));
    g_assert_cmpuint(type, ==, IOMMU_HW_INFO_TYPE_INTEL_VTD);
    g_assert_cmpuint(pasid_log2, ==, 20);
    g_assert_cmphex(vtd.ecap_reg, !=, 0);
    ASSERT_FAILS_NAMED("IOMMU_GET_HW_INFO", EOPNOTSUPP,
                       iommufd_backend_get_device_info(f.be, f.devid, &type,
                                                       &vtd, sizeof(vtd), NULL,
                                                       NULL, errp),
                       "IOMMU_GET_HW_INFO for device");
    fixture_teardown(&f);
}

static void test_host_iommu_device(void)
{
    Fixture f = { .devfd = -1 };
    HostIOMMUDevice *hiod;

    fixture_setup(&f, smmu_config);
    hiod =
        HOST_IOMMU_DEVICE(object_new(TYPE_HOST_IOMMU_DEVICE "-iommufd-vfio"));
    hiod->name = g_strdup(BDF);
    g_assert_true(host_iommu_device_iommufd_realize(hiod, f.be, f.devid,
                                                    &error_abort));
    g_assert_cmpuint(hiod->caps.type, ==, IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
    g_assert_cmpuint(hiod->caps.max_pasid_log2, ==, 16);
    g_assert_cmphex(hiod->caps.vendor.smmuv3.idr[0], !=, 0);
    object_unref(hiod);
    fixture_teardown(&f);
}

static void attach(Fixture *f, uint32_t pt, uint32_t pasid, bool with_pasid)
{
    struct vfio_device_attach_iommufd_pt at = {
        .argsz = sizeof(at), .pt_id = pt,
        .flags = with_pasid ? VFIO_DEVICE_ATTACH_PASID : 0, .pasid = pasid,
    };

    g_assert_cmpint(ioctl(f->devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at), ==, 0);
}

static void detach(Fixture *f)
{
    struct vfio_device_detach_iommufd_pt dt = { .argsz = sizeof(dt) };

    g_assert_cmpint(ioctl(f->devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &dt), ==, 0);
}

static void test_hwpt_faultq_invalidate(void)
{
    Fixture f = { .devfd = -1 };
    struct iommu_hwpt_vtd_s1 s1 = { .pgtbl_addr = 0x10000, .addr_width = 48 };
    struct iommu_hwpt_vtd_s1_invalidate inv[2] = {
        { .addr = 0x1000, .npages = 1 },
        { .addr = 0, .npages = UINT64_MAX, .flags = IOMMU_VTD_INV_FLAGS_LEAF },
    };
    uint32_t ioas, parent, nested, fault_id, n;
    int fault_fd;
    Error *err = NULL;

    fixture_setup(&f, vtd_config);
    g_assert_true(iommufd_backend_alloc_ioas(f.be, &ioas, &error_abort));
    g_assert_true(iommufd_backend_alloc_hwpt(f.be, f.devid, ioas,
                                             IOMMU_HWPT_ALLOC_NEST_PARENT,
                                             IOMMU_HWPT_DATA_NONE, 0, NULL, 0,
                                             &parent, &error_abort));
    attach(&f, parent, 0, false);

    g_assert_true(iommufd_backend_alloc_faultq(f.be, &fault_id, &fault_fd,
                                               &error_abort));
    g_assert_cmpint(fcntl(fault_fd, F_GETFL) & O_NONBLOCK, !=, 0);
    g_assert_cmpint(fcntl(fault_fd, F_GETFD) & FD_CLOEXEC, !=, 0);

    /* A fault_id that names no FAULTQ is refused. */
    g_assert_false(iommufd_backend_alloc_hwpt(f.be, f.devid, parent,
                                              IOMMU_HWPT_FAULT_ID_VALID,
                                              IOMMU_HWPT_DATA_VTD_S1,
                                              sizeof(s1), &s1, ioas, &nested,
                                              &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "IOMMU_HWPT_ALLOC (device"));
    g_clear_pointer(&err, error_free);

    g_assert_true(iommufd_backend_alloc_hwpt(f.be, f.devid, parent,
                                             IOMMU_HWPT_FAULT_ID_VALID,
                                             IOMMU_HWPT_DATA_VTD_S1,
                                             sizeof(s1), &s1, fault_id,
                                             &nested, &error_abort));
    /* The FAULTQ is referenced by the HWPT: destroying it is EBUSY. */
    g_assert_false(iommufd_backend_free_id(f.be, fault_id, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), g_strerror(EBUSY)));
    g_clear_pointer(&err, error_free);

    n = 2;
    g_assert_true(iommufd_backend_invalidate_cache(
        f.be, nested, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, sizeof(inv[0]), &n,
        inv, &error_abort));
    g_assert_cmpuint(n, ==, 2);
    n = 2;
    ASSERT_FAILS_NAMED("IOMMU_HWPT_INVALIDATE", EINVAL,
                       iommufd_backend_invalidate_cache(f.be, nested,
                           IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, sizeof(inv[0]),
                           &n, inv, errp),
                       "IOMMU_HWPT_INVALIDATE on id");
    ASSERT_FAILS_NAMED("IOMMU_HWPT_ALLOC", ENOSPC,
                       iommufd_backend_alloc_hwpt(f.be, f.devid, parent, 0,
                                                  IOMMU_HWPT_DATA_VTD_S1,
                                                  sizeof(s1), &s1, 0, &n, errp),
                       "IOMMU_HWPT_ALLOC (device");
    ASSERT_FAILS_NAMED("IOMMU_FAULT_QUEUE_ALLOC", EMFILE,
                       iommufd_backend_alloc_faultq(f.be, &n, &fault_fd, errp),
                       "IOMMU_FAULT_QUEUE_ALLOC failed");

    detach(&f);
    g_assert_true(iommufd_backend_free_id(f.be, nested, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, parent, &error_abort));
    close(fault_fd);
    g_assert_true(iommufd_backend_free_id(f.be, fault_id, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, ioas, &error_abort));
    fixture_teardown(&f);
}

static void test_viommu_vdev_veventq(void)
{
    Fixture f = { .devfd = -1 };
    uint32_t ioas, parent, viommu, vdev, veventq, id;
    int fd, fd2;
    Error *err = NULL;

    fixture_setup(&f, smmu_config);
    g_assert_true(iommufd_backend_alloc_ioas(f.be, &ioas, &error_abort));
    g_assert_true(iommufd_backend_alloc_hwpt(f.be, f.devid, ioas,
                                             IOMMU_HWPT_ALLOC_NEST_PARENT,
                                             IOMMU_HWPT_DATA_NONE, 0, NULL, 0,
                                             &parent, &error_abort));
    g_assert_true(iommufd_backend_alloc_viommu(f.be, f.devid,
                                               IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
                                               parent, &viommu, &error_abort));
    g_assert_true(iommufd_backend_alloc_vdev(f.be, f.devid, viommu, 0x8,
                                             &vdev, &error_abort));
    g_assert_true(iommufd_backend_alloc_veventq(f.be, viommu,
                                                IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                                64, &veventq, &fd,
                                                &error_abort));
    g_assert_cmpint(fcntl(fd, F_GETFL) & O_NONBLOCK, !=, 0);
    /* One vEVENTQ per (vIOMMU, type). */
    g_assert_false(iommufd_backend_alloc_veventq(f.be, viommu,
                                                 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
                                                 64, &id, &fd2, &err));
    g_assert_nonnull(
        strstr(error_get_pretty(err), "IOMMU_VEVENTQ_ALLOC (vIOMMU"));
    g_assert_nonnull(strstr(error_get_pretty(err), g_strerror(EEXIST)));
    g_clear_pointer(&err, error_free);

    ASSERT_FAILS_NAMED("IOMMU_VIOMMU_ALLOC", ENOMEM,
                       iommufd_backend_alloc_viommu(f.be, f.devid,
                           IOMMU_VIOMMU_TYPE_ARM_SMMUV3, parent, &id, errp),
                       "IOMMU_VIOMMU_ALLOC (device");
    ASSERT_FAILS_NAMED("IOMMU_VDEVICE_ALLOC", EEXIST,
                       iommufd_backend_alloc_vdev(f.be, f.devid, viommu, 0x9,
                                                  &id, errp),
                       "IOMMU_VDEVICE_ALLOC (device");

    close(fd);
    g_assert_true(iommufd_backend_free_id(f.be, veventq, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, vdev, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, viommu, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, parent, &error_abort));
    g_assert_true(iommufd_backend_free_id(f.be, ioas, &error_abort));
    fixture_teardown(&f);
}

/* -object iommufd,id=ID,fd=N: the passed fd is used and never closed. */
static void test_passed_fd(void)
{
    Fixture f = { .devfd = -1 };
    g_autoptr(QemuOpts) opts = qemu_opts_new();
    g_autoptr(QemuOpts) bad = qemu_opts_new();
    g_autofree char *fdstr = NULL;
    IOMMUFDBackend *be;
    Error *err = NULL;
    uint32_t ioas;
    int fd;

    sim_start(&f, vtd_config);
    fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    fdstr = g_strdup_printf("%d", fd);
    qemu_opt_set(opts, "fd", fdstr);
    be = IOMMUFD_BACKEND(
        user_creatable_add_type("iommufd", "passed", opts->opts, &error_abort));
    g_assert_false(be->owned);
    g_assert_true(iommufd_backend_connect(be, &error_abort));
    g_assert_cmpint(be->fd, ==, fd);
    g_assert_true(iommufd_backend_alloc_ioas(be, &ioas, &error_abort));
    g_assert_true(iommufd_backend_free_id(be, ioas, &error_abort));
    iommufd_backend_disconnect(be);
    /* Still ours to close: the backend did not close it. */
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    g_assert_true(user_creatable_del("passed", &error_abort));
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    close(fd);

    qemu_opt_set(bad, "fd", "9999");
    g_assert_null(user_creatable_add_type("iommufd", "bad", bad->opts, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "Invalid file descriptor"));
    error_free(err);
    g_assert_cmpuint(sim_live_objects(), ==, 0);
    g_unsetenv("IOMMUFD_SIM_CONFIG");
    sim_reinit_for_test();
    {
        g_autofree char *conf = g_build_filename(f.dir, "sim.conf", NULL);

        g_unlink(conf);
    }
    g_rmdir(f.dir);
    g_free(f.dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommufd-backend/connect/refcount", test_connect_refcount);
    g_test_add_func("/iommufd-backend/connect/no-iommu", test_connect_no_iommu);
    g_test_add_func("/iommufd-backend/ioas", test_ioas_map_unmap);
    g_test_add_func("/iommufd-backend/passed-fd", test_passed_fd);
    g_test_add_func("/iommufd-backend/free-id", test_free_id_errors);
    g_test_add_func("/iommufd-backend/device-info", test_device_info_vtd);
    g_test_add_func("/iommufd-backend/host-iommu-device",
                    test_host_iommu_device);
    g_test_add_func("/iommufd-backend/hwpt-faultq-invalidate",
                    test_hwpt_faultq_invalidate);
    g_test_add_func("/iommufd-backend/viommu-vdev-veventq",
                    test_viommu_vdev_veventq);
    return g_test_run();
}
