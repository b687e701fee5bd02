/*
 * The VFIO cdev side of iommufd: bind a device to the backend, give it an
 * IOAS holding guest RAM (and a nesting parent when the vIOMMU wants one),
 * and attach/detach page tables per PASID for the vIOMMU.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "vfio-iommufd.h"
#include "hw/core/iommu.h"
#include "trace.h"
#include <sys/ioctl.h>
#include <linux/vfio.h>

static int vfio_ioctl(int fd, unsigned long cmd, void *arg)
{
    int ret;

    do {
        ret = ioctl(fd, cmd, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : 0;
}

bool vfio_iommufd_bind(VFIOPCIDevice *vdev, Error **errp)
{
    struct vfio_device_bind_iommufd bind = {
        .argsz = sizeof(bind),
        .iommufd = vdev->iommufd->fd,
    };
    int ret = vfio_ioctl(vdev->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind);

    trace_vfio_iommufd_bind(vdev->name, vdev->iommufd->fd, bind.out_devid, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_DEVICE_BIND_IOMMUFD failed");
        return false;
    }
    vdev->devid = bind.out_devid;
    return true;
}

static bool vfio_attach_pt(VFIOPCIDevice *vdev, uint32_t pasid, uint32_t pt_id,
                           Error **errp)
{
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach),
        .pt_id = pt_id,
    };
    int ret;

    if (pasid != IOMMU_NO_PASID) {
        attach.flags = VFIO_DEVICE_ATTACH_PASID;
        attach.pasid = pasid;
    }
    ret = vfio_ioctl(vdev->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
    trace_vfio_iommufd_attach(vdev->name, pasid, pt_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_DEVICE_ATTACH_IOMMUFD_PT "
                         "(pasid %u, pt %u) failed", pasid, pt_id);
        return false;
    }
    return true;
}

static bool vfio_detach_pt(VFIOPCIDevice *vdev, uint32_t pasid, Error **errp)
{
    struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };
    int ret;

    if (pasid != IOMMU_NO_PASID) {
        detach.flags = VFIO_DEVICE_DETACH_PASID;
        detach.pasid = pasid;
    }
    ret = vfio_ioctl(vdev->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach);
    trace_vfio_iommufd_detach(vdev->name, pasid, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_DEVICE_DETACH_IOMMUFD_PT (pasid %u) "
                         "failed", pasid);
        return false;
    }
    return true;
}

typedef struct MapArgs {
    VFIOPCIDevice *vdev;
    Error **errp;
    bool ok;
} MapArgs;

static void vfio_map_ram(MemoryRegion *mr, hwaddr gpa, void *opaque)
{
    MapArgs *args = opaque;

    if (args->ok) {
        args->ok = iommufd_backend_map_dma(args->vdev->iommufd,
                                           args->vdev->ioas_id, gpa, mr->size,
                                           mr->ram_ptr, false, args->errp);
    }
}

/*
 * The device's default translation: guest RAM at its guest-physical
 * addresses, in an IOAS; with a vIOMMU that nests, through a nesting
 * parent HWPT on it, which the vIOMMU later uses as stage 2.
 */
bool vfio_iommufd_attach_default(VFIOPCIDevice *vdev, uint64_t viommu_flags,
                                 Error **errp)
{
    HostIOMMUDevice *hiod = vdev->hiod;
    MapArgs args = { .vdev = vdev, .errp = errp, .ok = true };

    if (!iommufd_backend_alloc_ioas(vdev->iommufd, &vdev->ioas_id, errp)) {
        return false;
    }
    memory_foreach_ram(&address_space_memory, vfio_map_ram, &args);
    if (!args.ok) {
        goto free_ioas;
    }
    vdev->default_pt_id = vdev->ioas_id;
    if (viommu_flags & VIOMMU_FLAG_WANT_NESTING_PARENT) {
        uint32_t flags = IOMMU_HWPT_ALLOC_NEST_PARENT;

        if ((viommu_flags & VIOMMU_FLAG_PASID_SUPPORTED) &&
            hiod->caps.max_pasid_log2) {
            flags |= IOMMU_HWPT_ALLOC_PASID;
        }
        if (!iommufd_backend_alloc_hwpt(vdev->iommufd, vdev->devid,
                                        vdev->ioas_id, flags,
                                        IOMMU_HWPT_DATA_NONE, 0, NULL, 0,
                                        &vdev->nest_parent_id, errp)) {
            goto free_ioas;
        }
        vdev->default_pt_id = vdev->nest_parent_id;
    }
    if (!vfio_attach_pt(vdev, IOMMU_NO_PASID, vdev->default_pt_id, errp)) {
        goto free_parent;
    }
    vdev->attached = true;
    hiod->ioas_id = vdev->ioas_id;
    hiod->nest_parent_id = vdev->nest_parent_id;
    hiod->hwpt_id = vdev->default_pt_id;
    return true;

free_parent:
    if (vdev->nest_parent_id) {
        iommufd_backend_free_id(vdev->iommufd, vdev->nest_parent_id, NULL);
        vdev->nest_parent_id = 0;
    }
free_ioas:
    /* Destroying the IOAS drops every mapping made into it. */
    iommufd_backend_free_id(vdev->iommufd, vdev->ioas_id, NULL);
    vdev->ioas_id = 0;
    return false;
}

void vfio_iommufd_detach_default(VFIOPCIDevice *vdev)
{
    if (vdev->attached) {
        vfio_detach_pt(vdev, IOMMU_NO_PASID, NULL);
        vdev->attached = false;
    }
    if (vdev->nest_parent_id) {
        iommufd_backend_free_id(vdev->iommufd, vdev->nest_parent_id, NULL);
        vdev->nest_parent_id = 0;
    }
    if (vdev->ioas_id) {
        iommufd_backend_free_id(vdev->iommufd, vdev->ioas_id, NULL);
        vdev->ioas_id = 0;
    }
}

static bool hiod_vfio_attach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                  uint32_t hwpt_id, Error **errp)
{
    return vfio_attach_pt(hiod->agent, pasid, hwpt_id, errp);
}

/* The RID goes back to the default translation; a PASID to nothing. */
static bool hiod_vfio_detach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                  Error **errp)
{
    VFIOPCIDevice *vdev = hiod->agent;

    if (pasid == IOMMU_NO_PASID) {
        if (!vfio_attach_pt(vdev, pasid, vdev->default_pt_id, errp)) {
            return false;
        }
        hiod->hwpt_id = vdev->default_pt_id;
        return true;
    }
    return vfio_detach_pt(vdev, pasid, errp);
}

static void hiod_vfio_class_init(ObjectClass *oc, const void *data)
{
    HostIOMMUDeviceClass *hiodc = (HostIOMMUDeviceClass *)oc;

    hiodc->attach_hwpt = hiod_vfio_attach_hwpt;
    hiodc->detach_hwpt = hiod_vfio_detach_hwpt;
}

static const TypeInfo hiod_vfio_types[] = {
    {
        .name = TYPE_HOST_IOMMU_DEVICE_IOMMUFD_VFIO,
        .parent = TYPE_HOST_IOMMU_DEVICE_IOMMUFD,
        .class_init = hiod_vfio_class_init,
    },
};

DEFINE_TYPES(hiod_vfio_types)
