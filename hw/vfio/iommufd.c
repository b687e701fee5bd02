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

/*
 * Devices on one iommufd share the IOAS that holds guest RAM and the
 * nesting parents allocated on it, as QEMU's iommufd container does: a
 * vIOMMU sits on one parent for all of its devices, so that parent must
 * outlive any one of them.  Both are reference-counted by the devices
 * using them.
 */
typedef struct VFIONestParent {
    uint32_t hwpt_id;
    uint32_t flags;
    unsigned users;
} VFIONestParent;

typedef struct VFIOIOASpace {
    IOMMUFDBackend *be;
    uint32_t ioas_id;
    unsigned users;
    GPtrArray *parents;         /* VFIONestParent * */
} VFIOIOASpace;

static GPtrArray *ioa_spaces;   /* VFIOIOASpace *, one per backend */

typedef struct MapArgs {
    VFIOIOASpace *space;
    Error **errp;
    bool ok;
} MapArgs;

static void vfio_map_ram(MemoryRegion *mr, hwaddr gpa, void *opaque)
{
    MapArgs *args = opaque;

    if (args->ok) {
        args->ok = iommufd_backend_map_dma(args->space->be,
                                           args->space->ioas_id, gpa, mr->size,
                                           mr->ram_ptr, false, args->errp);
    }
}

static void vfio_ioa_space_put(VFIOIOASpace *space)
{
    if (--space->users) {
        return;
    }
    /* Destroying the IOAS drops every mapping made into it. */
    iommufd_backend_free_id(space->be, space->ioas_id, NULL);
    g_ptr_array_remove(ioa_spaces, space);
    g_ptr_array_free(space->parents, TRUE);
    g_free(space);
}

static VFIOIOASpace *vfio_ioa_space_get(IOMMUFDBackend *be, Error **errp)
{
    VFIOIOASpace *space;
    MapArgs args = { .errp = errp, .ok = true };

    for (guint i = 0; ioa_spaces && i < ioa_spaces->len; i++) {
        space = g_ptr_array_index(ioa_spaces, i);
        if (space->be == be) {
            space->users++;
            return space;
        }
    }
    space = g_new0(VFIOIOASpace, 1);
    space->be = be;
    space->users = 1;
    space->parents = g_ptr_array_new_with_free_func(g_free);
    if (!ioa_spaces) {
        ioa_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(ioa_spaces, space);
    if (!iommufd_backend_alloc_ioas(be, &space->ioas_id, errp)) {
        space->ioas_id = 0;
        goto fail;
    }
    args.space = space;
    memory_foreach_ram(&address_space_memory, vfio_map_ram, &args);
    if (!args.ok) {
        goto fail;
    }
    return space;

fail:
    if (!space->ioas_id) {
        g_ptr_array_remove(ioa_spaces, space);
        g_ptr_array_free(space->parents, TRUE);
        g_free(space);
        return NULL;
    }
    vfio_ioa_space_put(space);
    return NULL;
}

/*
 * Attach @vdev to a nesting parent with @flags: an existing one if the
 * host accepts the device on it (same IOMMU instance), else a new one.
 */
static VFIONestParent *vfio_nest_parent_attach(VFIOPCIDevice *vdev,
                                               VFIOIOASpace *space,
                                               uint32_t flags, Error **errp)
{
    VFIONestParent *parent;
    uint32_t hwpt_id;

    for (guint i = 0; i < space->parents->len; i++) {
        parent = g_ptr_array_index(space->parents, i);
        if (parent->flags == flags &&
            vfio_attach_pt(vdev, IOMMU_NO_PASID, parent->hwpt_id, NULL)) {
            parent->users++;
            return parent;
        }
    }
    if (!iommufd_backend_alloc_hwpt(space->be, vdev->devid, space->ioas_id,
                                    flags, IOMMU_HWPT_DATA_NONE, 0, NULL, 0,
                                    &hwpt_id, errp)) {
        return NULL;
    }
    if (!vfio_attach_pt(vdev, IOMMU_NO_PASID, hwpt_id, errp)) {
        iommufd_backend_free_id(space->be, hwpt_id, NULL);
        return NULL;
    }
    parent = g_new0(VFIONestParent, 1);
    parent->hwpt_id = hwpt_id;
    parent->flags = flags;
    parent->users = 1;
    g_ptr_array_add(space->parents, parent);
    return parent;
}

static void vfio_nest_parent_put(VFIOIOASpace *space, uint32_t hwpt_id)
{
    for (guint i = 0; i < space->parents->len; i++) {
        VFIONestParent *parent = g_ptr_array_index(space->parents, i);

        if (parent->hwpt_id == hwpt_id) {
            if (!--parent->users) {
                iommufd_backend_free_id(space->be, hwpt_id, NULL);
                g_ptr_array_remove_index(space->parents, i);
            }
            return;
        }
    }
}

/*
 * The device's default translation: guest RAM at its guest-physical
 * addresses, in the backend's shared IOAS; with a vIOMMU that nests,
 * through a nesting parent HWPT on it, which the vIOMMU uses as stage 2.
 */
bool vfio_iommufd_attach_default(VFIOPCIDevice *vdev, uint64_t viommu_flags,
                                 Error **errp)
{
    HostIOMMUDevice *hiod = vdev->hiod;
    VFIOIOASpace *space = vfio_ioa_space_get(vdev->iommufd, errp);

    if (!space) {
        return false;
    }
    vdev->ioas_id = space->ioas_id;
    vdev->default_pt_id = space->ioas_id;
    if (viommu_flags & VIOMMU_FLAG_WANT_NESTING_PARENT) {
        uint32_t flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
        VFIONestParent *parent;

        if ((viommu_flags & VIOMMU_FLAG_PASID_SUPPORTED) &&
            hiod->caps.max_pasid_log2) {
            flags |= IOMMU_HWPT_ALLOC_PASID;
        }
        parent = vfio_nest_parent_attach(vdev, space, flags, errp);
        if (!parent) {
            /* Say why we asked: the failure alone reads like a host bug. */
            error_prepend(errp, "the vIOMMU needs nested translation, which "
                          "the host IOMMU refused: ");
            goto put_space;
        }
        vdev->nest_parent_id = parent->hwpt_id;
        vdev->default_pt_id = parent->hwpt_id;
    } else if (!vfio_attach_pt(vdev, IOMMU_NO_PASID, space->ioas_id, errp)) {
        goto put_space;
    }
    vdev->attached = true;
    hiod->ioas_id = vdev->ioas_id;
    hiod->nest_parent_id = vdev->nest_parent_id;
    hiod->hwpt_id = vdev->default_pt_id;
    return true;

put_space:
    vfio_ioa_space_put(space);
    vdev->ioas_id = 0;
    return false;
}

static VFIOIOASpace *vfio_ioa_space_find(IOMMUFDBackend *be)
{
    for (guint i = 0; ioa_spaces && i < ioa_spaces->len; i++) {
        VFIOIOASpace *space = g_ptr_array_index(ioa_spaces, i);

        if (space->be == be) {
            return space;
        }
    }
    return NULL;
}

void vfio_iommufd_detach_default(VFIOPCIDevice *vdev)
{
    VFIOIOASpace *space = vfio_ioa_space_find(vdev->iommufd);

    if (!vdev->attached || !space) {
        return;
    }
    vfio_detach_pt(vdev, IOMMU_NO_PASID, NULL);
    vdev->attached = false;
    if (vdev->nest_parent_id) {
        vfio_nest_parent_put(space, vdev->nest_parent_id);
        vdev->nest_parent_id = 0;
    }
    vfio_ioa_space_put(space);
    vdev->ioas_id = 0;
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
