/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a management layer (libvirt) does on the host before the VMM
 * runs, and the fds it hands over.
 *
 * sysfs: for each simulated function the kernel would show, besides
 * what config.c writes, the config space file, the "driver" link to
 * vfio-pci, the "iommu_group" link, and /sys/kernel/iommu_groups/N/
 * devices/<BDF> (one function per group, N = its VFIO cdev index).
 * libvirt's "VFIO PCI device assignment is not supported by the host"
 * check only asks that /sys/kernel/iommu_groups/ is not empty.
 *
 * Handing fds over: libvirt opens /dev/iommu and /dev/vfio/devices/vfioN
 * in its own process (also simulated there) and passes them to the VMM
 * by inheritance or SCM_RIGHTS.  The receiving simulator has never seen
 * those fds.  Every placeholder fd is an eventfd, so the opening process
 * stores a tag in its counter (kind and cdev index, never read by
 * anyone else), and the receiving process reads it back through
 * /proc/self/fdinfo the first time an iommufd/VFIO ioctl meets an fd it
 * does not know, and adopts the fd as a fresh open of the same node.
 * State set on the fd before the hand-over (IOMMU_OPTION) stays with the
 * process that set it, as it would not for a real fd; libvirt sets only
 * the accounting mode, which changes nothing the VMM can observe here.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>

#include "sim-internal.h"

#define HANDOFF_MAGIC 0x51d0000000000000ull
#define HANDOFF_MASK 0xffff000000000000ull
#define HANDOFF_VFIO (1ull << 32)

static bool put(const char *dir, const char *name, const void *data, gssize len)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    return g_file_set_contents(path, data, len, NULL);
}

static bool link_to(const char *dir, const char *name, const char *target)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);

    unlink(path);
    return symlink(target, path) == 0;
}

static bool build_one(const char *root, struct sim_pdev *p)
{
    g_autofree char *dir =
        g_build_filename(root, "bus/pci/devices", p->bdf, NULL);
    g_autofree char *drv =
        g_build_filename(root, "bus/pci/drivers/vfio-pci", NULL);
    g_autofree char *group = g_strdup_printf("%u", p->vfio_index);
    g_autofree char *gdir =
        g_build_filename(root, "kernel/iommu_groups", group, "devices", NULL);
    g_autofree char *to_group =
        g_strdup_printf("../../../../kernel/iommu_groups/%s", group);
    g_autofree char *to_dev =
        g_strdup_printf("../../../../bus/pci/devices/%s", p->bdf);
    g_autofree char *drv_to_dev = g_strdup_printf("../../devices/%s", p->bdf);

    if (g_mkdir_with_parents(dir, 0755) || g_mkdir_with_parents(drv, 0755) ||
        g_mkdir_with_parents(gdir, 0755)) {
        return false;
    }
    return put(dir, "config", p->cfg, SIM_CFG_SIZE) &&
           put(dir, "numa_node", "-1\n", -1) &&
           put(dir, "driver_override", "(null)\n", -1) &&
           link_to(dir, "driver", "../../drivers/vfio-pci") &&
           link_to(drv, p->bdf, drv_to_dev) &&
           link_to(dir, "iommu_group", to_group) &&
           link_to(gdir, p->bdf, to_dev);
}

bool sim_host_build_tree(const char *root, GPtrArray *pdevs)
{
    g_autofree char *vfio = g_build_filename(root, "dev/vfio", NULL);

    if (g_mkdir_with_parents(vfio, 0755) || !put(vfio, "vfio", "", 0)) {
        return false;
    }
    for (unsigned int i = 0; i < pdevs->len; i++) {
        if (!build_one(root, g_ptr_array_index(pdevs, i))) {
            return false;
        }
    }
    return true;
}

void sim_handoff_tag(int fd, bool vfio, unsigned int vfio_index)
{
    uint64_t tag = HANDOFF_MAGIC | (vfio ? HANDOFF_VFIO : 0) | vfio_index;

    /* A failure only means this fd cannot be handed to another process. */
    if (sim_libc.write(fd, &tag, sizeof(tag)) != sizeof(tag)) {
        return;
    }
}

/* The eventfd counter of @fd, from the kernel's fdinfo. */
static bool read_tag(int fd, uint64_t *tag)
{
    char path[64], buf[512];
    const char *line;
    ssize_t n;
    int pfd;

    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    pfd = sim_libc.openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (pfd < 0) {
        return false;
    }
    n = sim_libc.read(pfd, buf, sizeof(buf) - 1);
    sim_libc.close(pfd);
    if (n <= 0) {
        return false;
    }
    buf[n] = '\0';
    line = strstr(buf, "eventfd-count:");
    return line && sscanf(line, "eventfd-count: %" SCNx64, tag) == 1;
}

struct sim_file *sim_handoff_adopt(int fd)
{
    struct sim_vfio_file *vf;
    struct sim_pdev *pdev;
    uint64_t tag;

    if (fd < 0 || !read_tag(fd, &tag) ||
        (tag & HANDOFF_MASK) != HANDOFF_MAGIC) {
        return NULL;
    }
    if (!(tag & HANDOFF_VFIO)) {
        sim_file_add(fd, SIM_FILE_IOMMUFD, sim_ictx_new());
        return sim_file_lookup(fd);
    }
    pdev = sim_pdev_by_vfio_index((uint32_t)tag);
    if (!pdev) {
        return NULL;
    }
    vf = g_new0(struct sim_vfio_file, 1);
    vf->pdev = pdev;
    sim_file_add(fd, SIM_FILE_VFIO, vf);
    return sim_file_lookup(fd);
}

/*
 * realpath() and canonicalize_file_name() of a simulated sysfs path:
 * libvirt resolves a device's "driver" link with them.  glibc resolves
 * links internally, past our readlink(), so redirect the path, resolve
 * it in our tree and give back the path the kernel's sysfs would have.
 */
static char *(*real_realpath)(const char *, char *);

static bool tree_to_host(const char *in, char *out, size_t len)
{
    static const struct {
        const char *tree;
        const char *host;
    } maps[] = {
        {"/bus/", "/sys/bus/"},
        {"/kernel/", "/sys/kernel/"},
        {"/dev/", "/dev/"},
    };
    size_t rlen;
    const char *rest;

    sim_lock();
    rlen = sim.cfg.root ? strlen(sim.cfg.root) : 0;
    if (!rlen || strncmp(in, sim.cfg.root, rlen)) {
        sim_unlock();
        return false;
    }
    sim_unlock();
    rest = in + rlen;
    for (size_t i = 0; i < G_N_ELEMENTS(maps); i++) {
        size_t n = strlen(maps[i].tree);

        if (!strncmp(rest, maps[i].tree, n)) {
            return snprintf(out, len, "%s%s", maps[i].host, rest + n) <
                   (int)len;
        }
    }
    return false;
}

char *realpath(const char *path, char *resolved)
{
    char buf[PATH_MAX], tree[PATH_MAX], host[PATH_MAX];
    const char *p;

    if (!real_realpath) {
        real_realpath = dlsym(RTLD_NEXT, "realpath");
    }
    p = path ? sim_redirect(path, buf) : path;
    if (p == path) {
        return real_realpath(path, resolved);
    }
    if (!real_realpath(p, tree)) {
        return NULL;
    }
    if (!tree_to_host(tree, host, sizeof(host))) {
        g_strlcpy(host, tree, sizeof(host));
    }
    if (resolved) {
        g_strlcpy(resolved, host, PATH_MAX);
        return resolved;
    }
    return strdup(host);
}

char *canonicalize_file_name(const char *path)
{
    return realpath(path, NULL);
}

char *__realpath_chk(const char *path, char *resolved, size_t len);
char *__realpath_chk(const char *path, char *resolved, size_t len)
{
    if (resolved && len < PATH_MAX) {
        abort(); /* glibc's own answer to a too-small buffer */
    }
    return realpath(path, resolved);
}
