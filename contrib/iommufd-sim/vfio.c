/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated VFIO device cdev (/dev/vfio/devices/vfioN).
 *
 * Behaviour of drivers/vfio/device_cdev.c, vfio_main.c and
 * vfio/pci/vfio_pci_core.c: a fresh fd accepts only BIND_IOMMUFD, every
 * other ioctl and read/write is EINVAL until bound; argsz below the first
 * released layout is EINVAL; unknown flags are EINVAL (not EOPNOTSUPP as in
 * iommufd); a cdev device can be bound by one fd at a time; closing the fd
 * unbinds (detaching the RID and every PASID).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>

#include "sim-internal.h"

#define offsetofend(t, f) (offsetof(t, f) + sizeof(((t *)0)->f))

/* Fetch a VFIO struct: argsz first, then up to what we know of it */
static int vfio_fetch(void *dst, size_t ksize, size_t minsz, uint64_t arg)
{
    uint32_t argsz;
    int rc;

    rc = sim_copy_from_user(&argsz, arg, sizeof(argsz));
    if (rc) {
        return rc;
    }
    if (argsz < minsz) {
        return -EINVAL;
    }
    memset(dst, 0, ksize);
    return sim_copy_from_user(dst, arg, MIN(argsz, ksize));
}

static int bind_ctx(int fd, struct sim_ictx **ictx)
{
    struct sim_file *f = sim_file_lookup(fd);

    /* an iommufd another process opened and handed over (host.c) */
    if (!f) {
        f = sim_handoff_adopt(fd);
    }
    if (!f) {
        return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EBADFD;
    }
    if (f->kind != SIM_FILE_IOMMUFD) {
        return -EBADFD;
    }
    *ictx = f->ictx;
    return 0;
}

static int vfio_bind(struct sim_vfio_file *vf, uint64_t arg)
{
    const size_t minsz =
        offsetofend(struct vfio_device_bind_iommufd, out_devid);
    struct vfio_device_bind_iommufd bind;
    struct sim_ictx *ictx;
    struct sim_idev *idev;
    uint32_t argsz;
    int rc;

    rc = sim_copy_from_user(&argsz, arg, sizeof(argsz));
    if (rc) {
        return rc;
    }
    if (argsz < minsz) {
        return -EINVAL;
    }
    /* 16-byte (6.6) and 24-byte (token) layouts are both fine */
    rc = sim_copy_struct_from_user(&bind, sizeof(bind), arg, argsz);
    if (rc) {
        return rc;
    }
    if ((bind.flags & ~VFIO_DEVICE_BIND_FLAG_TOKEN) || bind.iommufd < 0) {
        return -EINVAL;
    }
    if ((bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) && argsz < sizeof(bind)) {
        return -EINVAL;
    }
    rc = bind_ctx(bind.iommufd, &ictx);
    if (rc) {
        return rc;
    }
    /* bound on this fd, or (single-open cdev) through another one */
    if (vf->idev || vf->pdev->idev) {
        return -EINVAL;
    }
    /* simulated functions are not SR-IOV VFs: no token is expected */
    if (bind.flags & VFIO_DEVICE_BIND_FLAG_TOKEN) {
        return -EINVAL;
    }

    idev = sim_idev_bind(ictx, vf->pdev, true);
    rc = sim_copy_to_user(
        arg + offsetof(struct vfio_device_bind_iommufd, out_devid),
        &idev->obj.id, sizeof(uint32_t));
    if (rc) {
        sim_idev_unbind(idev);
        return rc;
    }
    vf->idev = idev;
    vf->pdev->bound_file = vf;
    return 0;
}

static int pasid_key(struct sim_vfio_file *vf, uint32_t pasid, uint32_t *key)
{
    if (!vf->pdev->pasid_width || !sim_iommu_has_pasid()) {
        return -EOPNOTSUPP;
    }
    if (pasid >= (1u << vf->pdev->pasid_width)) {
        return -EINVAL;
    }
    *key = pasid;
    return 0;
}

/*
 * The attachment an ATTACH/DETACH_IOMMUFD_PT names: the RID, or with
 * @pasid_flag a PASID (checked as vfio_df_ioctl_attach_pt() and
 * vfio_df_ioctl_detach_pt() do: unknown flags and a short argsz with the
 * PASID flag are EINVAL).
 */
static int vfio_pt_key(struct sim_vfio_file *vf, uint32_t flags,
                       uint32_t pasid_flag, uint32_t argsz, size_t full_size,
                       uint32_t pasid, uint32_t *key)
{
    *key = SIM_KEY_RID;
    if (flags & ~pasid_flag) {
        return -EINVAL;
    }
    if (!(flags & pasid_flag)) {
        return 0;
    }
    if (argsz < full_size) {
        return -EINVAL;
    }
    return pasid_key(vf, pasid, key);
}

static int vfio_attach(struct sim_vfio_file *vf, uint64_t arg)
{
    struct vfio_device_attach_iommufd_pt at;
    bool by_pasid;
    uint32_t key;
    int rc;

    rc = vfio_fetch(&at, sizeof(at),
                    offsetofend(struct vfio_device_attach_iommufd_pt, pt_id),
                    arg);
    if (rc) {
        return rc;
    }
    rc = vfio_pt_key(vf, at.flags, VFIO_DEVICE_ATTACH_PASID, at.argsz,
                     sizeof(at), at.pasid, &key);
    if (rc) {
        return rc;
    }
    by_pasid = at.flags & VFIO_DEVICE_ATTACH_PASID;
    /*
     * PASID 0 is IOMMU_NO_PASID: vfio tracks it as a PASID of its own,
     * iommufd as the RID, which is busy if attached already
     */
    if (by_pasid && key == SIM_KEY_RID && !vf->pasid0 &&
        sim_idev_domain(vf->idev, SIM_KEY_RID)) {
        return -EBUSY;
    }
    rc = sim_idev_attach(vf->idev, key, &at.pt_id);
    if (rc) {
        return rc;
    }
    rc = sim_copy_to_user(
        arg + offsetof(struct vfio_device_attach_iommufd_pt, pt_id), &at.pt_id,
        sizeof(at.pt_id));
    if (rc) {
        sim_idev_detach(vf->idev, key);
        return rc;
    }
    if (by_pasid && key == SIM_KEY_RID) {
        vf->pasid0 = true;
    }
    return 0;
}

static int vfio_detach(struct sim_vfio_file *vf, uint64_t arg)
{
    struct vfio_device_detach_iommufd_pt de;
    uint32_t key;
    int rc;

    rc = vfio_fetch(&de, sizeof(de),
                    offsetofend(struct vfio_device_detach_iommufd_pt, flags),
                    arg);
    if (rc) {
        return rc;
    }
    rc = vfio_pt_key(vf, de.flags, VFIO_DEVICE_DETACH_PASID, de.argsz,
                     sizeof(de), de.pasid, &key);
    if (rc) {
        return rc;
    }
    if ((de.flags & VFIO_DEVICE_DETACH_PASID) && key == SIM_KEY_RID) {
        /* PASID 0 not attached through the PASID flag: a no-op */
        if (!vf->pasid0) {
            return 0;
        }
        vf->pasid0 = false;
    }
    sim_idev_detach(vf->idev, key);
    return 0;
}

static int vfio_get_info(uint64_t arg)
{
    struct vfio_device_info info;
    int rc;

    rc = vfio_fetch(&info, sizeof(info),
                    offsetofend(struct vfio_device_info, num_irqs), arg);
    if (rc) {
        return rc;
    }
    info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
    info.num_regions = VFIO_PCI_NUM_REGIONS;
    info.num_irqs = VFIO_PCI_NUM_IRQS;
    info.cap_offset = 0;
    return sim_copy_to_user(arg, &info, MIN(info.argsz, sizeof(info)));
}

static int vfio_get_region_info(uint64_t arg)
{
    struct vfio_region_info info;
    int rc;

    rc = vfio_fetch(&info, sizeof(info),
                    offsetofend(struct vfio_region_info, offset), arg);
    if (rc) {
        return rc;
    }
    if (info.index >= VFIO_PCI_NUM_REGIONS) {
        return -EINVAL;
    }
    /* no BARs, ROM or VGA: vfio-pci reports those as size 0 */
    info.offset = SIM_REGION_OFFSET(info.index);
    info.size = 0;
    info.flags = 0;
    info.cap_offset = 0;
    if (info.index == VFIO_PCI_CONFIG_REGION_INDEX) {
        info.size = SIM_CFG_SIZE;
        info.flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    }
    return sim_copy_to_user(arg, &info, sizeof(info));
}

static int vfio_get_irq_info(uint64_t arg)
{
    struct vfio_irq_info info;
    int rc;

    rc = vfio_fetch(&info, sizeof(info),
                    offsetofend(struct vfio_irq_info, count), arg);
    if (rc) {
        return rc;
    }
    if (info.index >= VFIO_PCI_NUM_IRQS) {
        return -EINVAL;
    }
    /* no INTx pin, no MSI/MSI-X capability: only ERR and REQ exist */
    info.flags = VFIO_IRQ_INFO_EVENTFD;
    info.count = info.index == VFIO_PCI_ERR_IRQ_INDEX ||
                 info.index == VFIO_PCI_REQ_IRQ_INDEX;
    if (info.index != VFIO_PCI_MSIX_IRQ_INDEX) {
        info.flags |= VFIO_IRQ_INFO_NORESIZE;
    }
    return sim_copy_to_user(arg, &info, sizeof(info));
}

long sim_vfio_ioctl(struct sim_vfio_file *vf, unsigned long cmd, uint64_t arg)
{
    if (cmd == VFIO_DEVICE_BIND_IOMMUFD) {
        return vfio_bind(vf, arg);
    }
    if (!vf->idev) {
        return -EINVAL;
    }
    switch (cmd) {
    case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
        return vfio_attach(vf, arg);
    case VFIO_DEVICE_DETACH_IOMMUFD_PT:
        return vfio_detach(vf, arg);
    case VFIO_DEVICE_GET_INFO:
        return vfio_get_info(arg);
    case VFIO_DEVICE_GET_REGION_INFO:
        return vfio_get_region_info(arg);
    case VFIO_DEVICE_GET_IRQ_INFO:
        return vfio_get_irq_info(arg);
    case VFIO_DEVICE_SET_IRQS:
        return sim_vfio_set_irqs(vf, arg);
    case VFIO_DEVICE_RESET:
        return 0;
    default:
        return -ENOTTY;
    }
}

/* read/write/pread/pwrite: only the config region is backed */
ssize_t sim_vfio_rw(struct sim_vfio_file *vf, uint64_t buf, size_t count,
                    uint64_t off, bool write)
{
    uint8_t tmp[SIM_CFG_SIZE];
    uint64_t o = off - SIM_REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX);
    ssize_t n;
    int rc;

    if (!vf->idev) {
        return -EINVAL;
    }
    if (off < SIM_REGION_OFFSET(VFIO_PCI_CONFIG_REGION_INDEX) ||
        o >= SIM_CFG_SIZE) {
        return -EINVAL;
    }
    count = MIN(count, SIM_CFG_SIZE - o);
    if (write) {
        rc = sim_copy_from_user(tmp, buf, count);
        if (rc) {
            return rc;
        }
        return sim_pciconf_write(vf->pdev, tmp, count, o);
    }
    n = sim_pciconf_read(vf->pdev, tmp, count, o);
    if (n > 0) {
        rc = sim_copy_to_user(buf, tmp, n);
        if (rc) {
            return rc;
        }
    }
    return n;
}

void sim_vfio_release(struct sim_vfio_file *vf)
{
    sim_vfio_irqs_release(vf);
    if (vf->idev) {
        vf->pdev->bound_file = NULL;
        sim_idev_unbind(vf->idev);
    }
    g_free(vf);
}
