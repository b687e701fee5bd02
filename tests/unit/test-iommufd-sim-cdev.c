/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulator as a VMM written against the real kernel sees it: the
 * character-device identity of /dev/iommu and the VFIO cdevs through every
 * stat variant (upstream QEMU's open_cdev() checks it), /dev/char/MAJ:MIN,
 * and VFIO_DEVICE_SET_IRQS on the ERR and REQ interrupts as vfio-pci
 * validates it (vfio_set_irqs_validate_and_prepare(),
 * vfio_pci_set_irqs_ioctl(), vfio_pci_set_ctx_trigger_single()).
 *
 * Links libiommufd-sim directly, like test-iommufd-sim.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd-sim.h"

#define BDF "0000:02:00.0"
#define VFIO_NODE "/dev/vfio/devices/vfio0"

static const char cfg[] = "[iommu]\n"
                          "type=intel-vtd\n"
                          "nesting=true\n"
                          "[device " BDF "]\n"
                          "pasid-width=20\n";

static char *cfg_file;

static void setup(void)
{
    int fd;

    if (!cfg_file) {
        fd = g_file_open_tmp("iommufd-sim-cdev-XXXXXX.conf", &cfg_file, NULL);
        g_assert_cmpint(fd, >=, 0);
        close(fd);
    }
    g_assert_true(g_file_set_contents(cfg_file, cfg, -1, NULL));
    g_setenv("IOMMUFD_SIM_CONFIG", cfg_file, TRUE);
    g_unsetenv("IOMMUFD_SIM_SOCKET");
    g_assert_cmpint(sim_reinit_for_test(), ==, 0);
}

/* What QEMU reads before opening: sysfs vfio-dev/vfio0/dev, "MAJ:MIN\n" */
static dev_t sysfs_devt(void)
{
    g_autofree char *text = NULL;
    unsigned int maj, min;

    g_assert_true(g_file_get_contents(
        "/sys/bus/pci/devices/" BDF "/vfio-dev/vfio0/dev", &text, NULL, NULL));
    g_assert_cmpint(sscanf(text, "%u:%u", &maj, &min), ==, 2);
    return makedev(maj, min);
}

static void check_chr(mode_t mode, dev_t rdev, dev_t want)
{
    g_assert_true(S_ISCHR(mode));
    g_assert_cmphex(rdev, ==, want);
}

static void test_fstat_variants(void)
{
    struct stat st;
    struct statx stx;
    dev_t devt;
    int fd, iommufd, other;

    setup();
    devt = sysfs_devt();
    fd = open(VFIO_NODE, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);

    memset(&st, 0, sizeof(st));
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    check_chr(st.st_mode, st.st_rdev, devt);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    memset(&st, 0, sizeof(st));
    g_assert_cmpint(fstatat(fd, "", &st, AT_EMPTY_PATH), ==, 0);
    check_chr(st.st_mode, st.st_rdev, devt);

    memset(&stx, 0, sizeof(stx));
    g_assert_cmpint(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx), ==,
                    0);
    check_chr(stx.stx_mode, makedev(stx.stx_rdev_major, stx.stx_rdev_minor),
              devt);

    /* by path: the node itself and udev's /dev/char link */
    memset(&st, 0, sizeof(st));
    g_assert_cmpint(stat(VFIO_NODE, &st), ==, 0);
    check_chr(st.st_mode, st.st_rdev, devt);
    memset(&stx, 0, sizeof(stx));
    g_assert_cmpint(statx(AT_FDCWD, VFIO_NODE, 0, STATX_BASIC_STATS, &stx), ==,
                    0);
    check_chr(stx.stx_mode, makedev(stx.stx_rdev_major, stx.stx_rdev_minor),
              devt);

    /* /dev/iommu: misc major 10, mode 0660 (iommufd_misc_dev) */
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    g_assert_cmpint(iommufd, >=, 0);
    g_assert_cmpint(fstat(iommufd, &st), ==, 0);
    g_assert_true(S_ISCHR(st.st_mode));
    g_assert_cmpuint(major(st.st_rdev), ==, 10);
    g_assert_cmpint(st.st_mode & 0777, ==, 0660);

    /* real fds are untouched, eventfds included (ours are eventfds) */
    other = eventfd(0, EFD_CLOEXEC);
    g_assert_cmpint(fstat(other, &st), ==, 0);
    g_assert_false(S_ISCHR(st.st_mode));
    close(other);
    memset(&st, 0, sizeof(st));
    g_assert_cmpint(stat(cfg_file, &st), ==, 0);
    g_assert_true(S_ISREG(st.st_mode));
    close(iommufd);
    close(fd);
}

static void test_dev_char(void)
{
    g_autofree char *path = NULL;
    struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind)};
    struct stat st;
    dev_t devt;
    int fd, iommufd;

    setup();
    devt = sysfs_devt();
    path = g_strdup_printf("/dev/char/%u:%u", major(devt), minor(devt));
    g_assert_cmpint(stat(path, &st), ==, 0);
    check_chr(st.st_mode, st.st_rdev, devt);
    fd = open(path, O_RDWR | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    check_chr(st.st_mode, st.st_rdev, devt);
    /* a device fd: it binds */
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    bind.iommufd = iommufd;
    g_assert_cmpint(ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind), ==, 0);
    close(fd);
    close(iommufd);
    /* an unknown minor is not ours */
    g_free(path);
    path = g_strdup_printf("/dev/char/%u:%u", major(devt), minor(devt) + 7);
    g_assert_cmpint(open(path, O_RDWR), ==, -1);
}

/* The header and one eventfd (no struct after a flexible array: clang). */
union irq_set1 {
    struct vfio_irq_set hdr;
    uint8_t bytes[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
};

static int set_irqs(int dev, uint32_t argsz, uint32_t flags, uint32_t index,
                    uint32_t start, uint32_t count, int32_t fd)
{
    union irq_set1 s = {
        .hdr = {.argsz = argsz,
                .flags = flags,
                .index = index,
                .start = start,
                .count = count},
    };

    memcpy(s.bytes + sizeof(struct vfio_irq_set), &fd, sizeof(fd));
    return ioctl(dev, VFIO_DEVICE_SET_IRQS, &s) ? -errno : 0;
}

static uint64_t efd_count(int efd)
{
    uint64_t v = 0;

    if (read(efd, &v, sizeof(v)) != sizeof(v)) {
        return 0;
    }
    return v;
}

static void test_set_irqs(void)
{
    const uint32_t trig_efd =
        VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_EVENTFD;
    const uint32_t sz = sizeof(union irq_set1);
    struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind)};
    int dev, iommufd, efd, notefd;
    char *reply;

    setup();
    dev = open(VFIO_NODE, O_RDWR | O_CLOEXEC);
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    notefd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* not bound yet: every ioctl but BIND is EINVAL */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd), ==,
        -EINVAL);
    bind.iommufd = iommufd;
    g_assert_cmpint(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind), ==, 0);

    /* what QEMU's vfio-pci does at realize: ERR and REQ eventfds */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd), ==, 0);
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, efd), ==, 0);
    /* DATA_BOOL / DATA_NONE loopback signals the registered eventfd */
    g_assert_cmpint(
        set_irqs(dev, sz, VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_NONE,
                 VFIO_PCI_REQ_IRQ_INDEX, 0, 1, 0),
        ==, 0);
    g_assert_cmpuint(efd_count(efd), ==, 1);
    /* the host asks for the device back: the REQ eventfd fires */
    reply = sim_command("vfio-irq " BDF " req");
    g_assert_cmpstr(reply, ==, "OK delivered=1");
    free(reply);
    g_assert_cmpuint(efd_count(efd), ==, 1);

    /* validation: vfio_set_irqs_validate_and_prepare() */
    g_assert_cmpint(
        set_irqs(dev, 8, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd), ==,
        -EINVAL); /* argsz */
    g_assert_cmpint(set_irqs(dev, sz, trig_efd, VFIO_PCI_NUM_IRQS, 0, 1, efd),
                    ==, -EINVAL); /* index */
    g_assert_cmpint(set_irqs(dev, sz, trig_efd | (1u << 6),
                             VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd),
                    ==, -EINVAL); /* unknown flag */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 2, efd), ==,
        -EINVAL); /* past count */
    g_assert_cmpint(
        set_irqs(dev, sz - 4, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd), ==,
        -EINVAL); /* no data */
    g_assert_cmpint(set_irqs(dev, sz,
                             VFIO_IRQ_SET_ACTION_TRIGGER |
                                 VFIO_IRQ_SET_DATA_EVENTFD |
                                 VFIO_IRQ_SET_DATA_BOOL,
                             VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd),
                    ==, -EINVAL); /* two data types */
    /* no INTx pin, no MSI/MSI-X capability: zero interrupts there */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, efd), ==,
        -EINVAL);
    /* ERR/REQ know only TRIGGER: vfio_pci_set_irqs_ioctl() -> ENOTTY */
    g_assert_cmpint(
        set_irqs(dev, sz, VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_DATA_EVENTFD,
                 VFIO_PCI_ERR_IRQ_INDEX, 0, 1, efd),
        ==, -ENOTTY);
    /* eventfd_ctx_fdget(): EBADF, then EINVAL for a non-eventfd */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, 9999), ==,
        -EBADF);
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, notefd), ==,
        -EINVAL);
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, iommufd), ==,
        -EINVAL);
    /* an EVENTFD trigger needs count 1 */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_ERR_IRQ_INDEX, 0, 0, efd), ==,
        -EINVAL);

    /* fd -1 tears down; DATA_NONE with nothing registered is EINVAL */
    g_assert_cmpint(
        set_irqs(dev, sz, trig_efd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, -1), ==, 0);
    g_assert_cmpint(
        set_irqs(dev, sz, VFIO_IRQ_SET_ACTION_TRIGGER | VFIO_IRQ_SET_DATA_NONE,
                 VFIO_PCI_REQ_IRQ_INDEX, 0, 1, 0),
        ==, -EINVAL);
    g_assert_cmpuint(efd_count(efd), ==, 0);
    /* nothing registered on REQ any more: the kernel only logs it */
    reply = sim_command("vfio-irq " BDF " req");
    g_assert_cmpstr(reply, ==, "OK delivered=0");
    free(reply);
    reply = sim_command("vfio-irq 0000:09:00.0 err");
    g_assert_true(g_str_has_prefix(reply, "ERR ENODEV"));
    free(reply);

    close(notefd);
    close(efd);
    close(dev);
    close(iommufd);
}

/*
 * Process exit with fds still open, as upstream QEMU exits: the release
 * of a VFIO file must not be read back afterwards (release_files() used
 * to test the kind of the entries it had just freed; ASan catches it).
 */
static void test_release_open(void)
{
    struct vfio_device_bind_iommufd bind = {.argsz = sizeof(bind)};
    int dev, iommufd;

    setup();
    iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
    dev = open(VFIO_NODE, O_RDWR | O_CLOEXEC);
    bind.iommufd = iommufd;
    g_assert_cmpint(ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD, &bind), ==, 0);
    /* drops every simulated fd, VFIO first */
    setup();
    /* the numbers are plain eventfds now */
    g_assert_cmpint(close(dev), ==, 0);
    g_assert_cmpint(close(iommufd), ==, 0);
}

int main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iommufd-sim/cdev/fstat", test_fstat_variants);
    g_test_add_func("/iommufd-sim/cdev/dev-char", test_dev_char);
    g_test_add_func("/iommufd-sim/cdev/set-irqs", test_set_irqs);
    g_test_add_func("/iommufd-sim/cdev/release-open", test_release_open);
    rc = g_test_run();
    if (cfg_file) {
        g_unlink(cfg_file);
        g_free(cfg_file);
    }
    return rc;
}
