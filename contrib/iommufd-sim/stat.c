/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Character-device identity of /dev/iommu and the VFIO cdevs.
 *
 * A VMM written against the real kernel checks what it opened: upstream
 * QEMU's open_cdev() (util/chardev_open.c) fstat()s the fd of
 * /dev/vfio/devices/vfioN and wants S_ISCHR with st_rdev equal to the
 * MAJ:MIN it read from sysfs vfio-dev/vfioN/dev, then retries through
 * udev's /dev/char/MAJ:MIN.  Our nodes are regular files in the sysfs-like
 * tree and our fds are eventfds, so every stat variant that can name them
 * is corrected here: fstat/fstat64, fstatat/fstatat64 (newfstatat) on a
 * path or with AT_EMPTY_PATH, statx (path or AT_EMPTY_PATH) and
 * stat/lstat of the device paths, /dev/char/MAJ:MIN included.
 *
 * Device numbers, as the kernel hands them out:
 *  - VFIO cdevs: a dynamic char major ("vfio-dev", vfio_cdev_init() ->
 *    alloc_chrdev_region()), minor = device index; we use major 511, the
 *    value the tree's vfio-dev/vfioN/dev files hold (config.c).  Mode 0600:
 *    vfio_device_set_name()/device_add() create the node through devtmpfs
 *    with no devnode mode, i.e. the default 0600.
 *  - /dev/iommu: a misc device (major 10, MISC_DYNAMIC_MINOR, mode 0660 in
 *    iommufd_misc_dev); we fix the dynamic minor at SIM_IOMMU_MINOR.
 */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sim-internal.h"

#define SIM_VFIO_CDEV_MAJOR 511
#define SIM_MISC_MAJOR 10
#define SIM_IOMMU_MINOR 123
#define DEV_CHAR "/dev/char/"

static int (*real_fstat)(int, struct stat *);
static int (*real_fstat64)(int, struct stat64 *);
static int (*real_fstatat64)(int, const char *, struct stat64 *, int);
static pthread_once_t stat_once = PTHREAD_ONCE_INIT;

static void resolve_stat(void)
{
    /* fstat is a real symbol only from glibc 2.33 on; fall back to fstatat */
    real_fstat = dlsym(RTLD_NEXT, "fstat");
    real_fstat64 = dlsym(RTLD_NEXT, "fstat64");
    real_fstatat64 = sim_need_sym("fstatat64");
}

struct chrdev_id {
    mode_t perm;
    unsigned int major, minor;
};

static void id_of_vfio(const struct sim_pdev *pdev, struct chrdev_id *id)
{
    id->perm = 0600;
    id->major = SIM_VFIO_CDEV_MAJOR;
    id->minor = pdev->vfio_index;
}

static void id_of_iommu(struct chrdev_id *id)
{
    id->perm = 0660;
    id->major = SIM_MISC_MAJOR;
    id->minor = SIM_IOMMU_MINOR;
}

/* Lock held.  Is @fd one of our device fds (not a queue fd)? */
static bool fd_chrdev(int fd, struct chrdev_id *id)
{
    struct sim_file *f = sim_file_lookup(fd);

    if (!f) {
        return false;
    }
    if (f->kind == SIM_FILE_IOMMUFD) {
        id_of_iommu(id);
        return true;
    }
    if (f->kind == SIM_FILE_VFIO) {
        id_of_vfio(f->vfio->pdev, id);
        return true;
    }
    /* fault and vEVENTQ fds are anon inodes in the kernel too */
    return false;
}

/* Lock held.  Does @path name one of our device nodes? */
static bool path_chrdev(const char *path, struct chrdev_id *id)
{
    char buf[PATH_MAX];
    struct sim_pdev *pdev = NULL;

    switch (sim_path_resolve(path, buf, sizeof(buf), &pdev)) {
    case SIM_PATH_IOMMUFD:
        id_of_iommu(id);
        return true;
    case SIM_PATH_VFIO:
        id_of_vfio(pdev, id);
        return true;
    default:
        return false;
    }
}

/*
 * What the stat call named: the fd itself (fstat, AT_EMPTY_PATH with "")
 * or a path.  Relative paths never name our nodes (sim.c only redirects
 * absolute ones).
 */
static bool lookup(int fd, const char *path, int flags, struct chrdev_id *id)
{
    bool ours = false;

    if (!sim_enter()) {
        return false;
    }
    if (!path || ((flags & AT_EMPTY_PATH) && !*path)) {
        ours = fd_chrdev(fd, id);
    } else if (path[0] == '/') {
        ours = path_chrdev(path, id);
    }
    sim_unlock();
    return ours;
}

int sim_stat_fixup(int fd, const char *path, int flags, int rc, mode_t *mode,
                   dev_t *rdev)
{
    struct chrdev_id id;

    if (rc || !lookup(fd, path, flags, &id)) {
        return rc;
    }
    *mode = S_IFCHR | id.perm;
    *rdev = makedev(id.major, id.minor);
    return rc;
}

int sim_statx_fixup(int fd, const char *path, int flags, int rc,
                    struct statx *stx)
{
    struct chrdev_id id;

    if (rc || !lookup(fd, path, flags, &id)) {
        return rc;
    }
    stx->stx_mode = S_IFCHR | id.perm;
    stx->stx_rdev_major = id.major;
    stx->stx_rdev_minor = id.minor;
    stx->stx_mask |= STATX_TYPE | STATX_MODE;
    stx->stx_size = 0;
    return rc;
}

int fstat(int fd, struct stat *st)
{
    int rc;

    pthread_once(&stat_once, resolve_stat);
    if (real_fstat) {
        rc = real_fstat(fd, st);
    } else {
        rc = real_fstatat64(fd, "", (struct stat64 *)st, AT_EMPTY_PATH);
    }
    return sim_stat_fixup(fd, NULL, 0, rc, &st->st_mode, &st->st_rdev);
}

int fstat64(int fd, struct stat64 *st)
{
    int rc;

    pthread_once(&stat_once, resolve_stat);
    if (real_fstat64) {
        rc = real_fstat64(fd, st);
    } else {
        rc = real_fstatat64(fd, "", st, AT_EMPTY_PATH);
    }
    return sim_stat_fixup(fd, NULL, 0, rc, &st->st_mode, &st->st_rdev);
}

/*
 * /dev/char/MAJ:MIN: udev's symlinks to the nodes.  Resolve to the node
 * they point at (the kernel's char_dev lookup: kobj_lookup() by devt), so
 * that open() gives a device fd and stat() the node's identity.
 */
enum sim_path_kind sim_devchar_resolve(const char *path, char *out, size_t len,
                                       struct sim_pdev **pdevp)
{
    unsigned int maj, min;
    struct sim_pdev *pdev;
    char end;

    if (strncmp(path, DEV_CHAR, strlen(DEV_CHAR)) ||
        sscanf(path + strlen(DEV_CHAR), "%u:%u%c", &maj, &min, &end) != 2) {
        return SIM_PATH_REAL;
    }
    if (maj == SIM_MISC_MAJOR && min == SIM_IOMMU_MINOR) {
        snprintf(out, len, "%s/dev/iommu", sim.cfg.root);
        return SIM_PATH_IOMMUFD;
    }
    if (maj != SIM_VFIO_CDEV_MAJOR) {
        return SIM_PATH_REAL;
    }
    pdev = sim_pdev_by_vfio_index(min);
    if (!pdev) {
        return SIM_PATH_REAL;
    }
    if (pdevp) {
        *pdevp = pdev;
    }
    snprintf(out, len, "%s/dev/vfio/devices/vfio%u", sim.cfg.root, min);
    return SIM_PATH_VFIO;
}
