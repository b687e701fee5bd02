/*
 * The iommufd backend object and its ioctl helpers
 * (see include/system/iommufd.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "system/iommufd.h"
#include "qemu/named-fds.h"
#include "hw/qdev-properties.h"
#include "trace.h"
#include <sys/ioctl.h>

static void iommufd_backend_init(Object *obj)
{
    IOMMUFDBackend *be = IOMMUFD_BACKEND(obj);

    be->fd = -1;
    be->owned = true;
}

static void iommufd_backend_finalize(Object *obj)
{
    IOMMUFDBackend *be = IOMMUFD_BACKEND(obj);

    if ((be->owned || be->fd_taken) && be->fd >= 0) {
        close(be->fd);
    }
    be->fd = -1;
}

/*
 * "fd=N" or "fd=NAME": use an fd the management layer opened for us,
 * inherited (a number) or passed to getfd (a name; then ours to close).
 */
static void iommufd_backend_complete(Object *obj, Error **errp)
{
    IOMMUFDBackend *be = IOMMUFD_BACKEND(obj);
    bool taken;
    int fd;

    if (!be->fd_str) {
        return;
    }
    fd = monitor_fd_param(be->fd_str, &taken, errp);
    if (fd < 0) {
        return;
    }
    be->fd = fd;
    be->owned = false;
    be->fd_taken = taken;
    trace_iommufd_backend_set_fd(be->fd);
}

static bool iommufd_backend_can_be_deleted(Object *obj)
{
    return IOMMUFD_BACKEND(obj)->users == 0;
}

bool iommufd_backend_connect(IOMMUFDBackend *be, Error **errp)
{
    if (be->owned && !be->users) {
        int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

        if (fd < 0) {
            error_setg_errno(errp, errno, "Could not open '/dev/iommu'");
            return false;
        }
        be->fd = fd;
    }
    be->users++;
    trace_iommufd_backend_connect(be->fd, be->owned, be->users);
    return true;
}

void iommufd_backend_disconnect(IOMMUFDBackend *be)
{
    if (!be->users) {
        return;
    }
    be->users--;
    if (!be->users && be->owned) {
        close(be->fd);
        be->fd = -1;
    }
    trace_iommufd_backend_disconnect(be->fd, be->users);
}

/* ioctl() that retries EINTR, so callers see only real failures. */
static int iommufd_ioctl(IOMMUFDBackend *be, unsigned long cmd, void *arg)
{
    int ret;

    do {
        ret = ioctl(be->fd, cmd, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : 0;
}

bool iommufd_backend_alloc_ioas(IOMMUFDBackend *be, uint32_t *ioas_id,
                                Error **errp)
{
    struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
    int ret = iommufd_ioctl(be, IOMMU_IOAS_ALLOC, &alloc);

    trace_iommufd_backend_alloc_ioas(be->fd, alloc.out_ioas_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_ALLOC failed");
        return false;
    }
    *ioas_id = alloc.out_ioas_id;
    return true;
}

bool iommufd_backend_free_id(IOMMUFDBackend *be, uint32_t id, Error **errp)
{
    struct iommu_destroy des = { .size = sizeof(des), .id = id };
    int ret = iommufd_ioctl(be, IOMMU_DESTROY, &des);

    trace_iommufd_backend_free_id(be->fd, id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_DESTROY of id %u failed", id);
        return false;
    }
    return true;
}

bool iommufd_backend_map_dma(IOMMUFDBackend *be, uint32_t ioas_id, hwaddr iova,
                             uint64_t size, void *vaddr, bool readonly,
                             Error **errp)
{
    struct iommu_ioas_map map = {
        .size = sizeof(map),
        .flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
        .ioas_id = ioas_id,
        .user_va = (uintptr_t)vaddr,
        .iova = iova,
        .length = size,
    };
    int ret;

    if (!readonly) {
        map.flags |= IOMMU_IOAS_MAP_WRITEABLE;
    }
    ret = iommufd_ioctl(be, IOMMU_IOAS_MAP, &map);
    trace_iommufd_backend_map_dma(be->fd, ioas_id, iova, size, vaddr, readonly,
                                  ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_MAP of [0x%" HWADDR_PRIx
                         ", +0x%" PRIx64 ") into IOAS %u failed", iova, size,
                         ioas_id);
        return false;
    }
    return true;
}

bool iommufd_backend_unmap_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                               hwaddr iova, uint64_t size, Error **errp)
{
    struct iommu_ioas_unmap unmap = {
        .size = sizeof(unmap),
        .ioas_id = ioas_id,
        .iova = iova,
        .length = size,
    };
    int ret = iommufd_ioctl(be, IOMMU_IOAS_UNMAP, &unmap);

    /* Nothing mapped there is what the caller wanted anyway. */
    if (ret == -ENOENT) {
        ret = 0;
    }
    trace_iommufd_backend_unmap_dma(be->fd, ioas_id, iova, size, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_IOAS_UNMAP of [0x%" HWADDR_PRIx
                         ", +0x%" PRIx64 ") from IOAS %u failed", iova, size,
                         ioas_id);
        return false;
    }
    return true;
}

bool iommufd_backend_get_device_info(IOMMUFDBackend *be, uint32_t devid,
                                     uint32_t *type, void *data, uint32_t len,
                                     uint64_t *caps, uint8_t *max_pasid_log2,
                                     Error **errp)
{
    struct iommu_hw_info info = {
        .size = sizeof(info),
        .dev_id = devid,
        .data_len = len,
        .data_uptr = (uintptr_t)data,
    };
    int ret = iommufd_ioctl(be, IOMMU_GET_HW_INFO, &info);

    trace_iommufd_backend_get_device_info(be->fd, devid, info.out_data_type,
                                          info.out_capabilities,
                                          info.out_max_pasid_log2, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_GET_HW_INFO for device %u failed",
                         devid);
        return false;
    }
    *type = info.out_data_type;
    if (caps) {
        *caps = info.out_capabilities;
    }
    if (max_pasid_log2) {
        *max_pasid_log2 = info.out_max_pasid_log2;
    }
    return true;
}

bool iommufd_backend_alloc_hwpt(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t pt_id, uint32_t flags,
                                uint32_t data_type, uint32_t data_len,
                                void *data_ptr, uint32_t fault_id,
                                uint32_t *out_hwpt, Error **errp)
{
    struct iommu_hwpt_alloc alloc = {
        .size = sizeof(alloc),
        .flags = flags,
        .dev_id = dev_id,
        .pt_id = pt_id,
        .data_type = data_type,
        .data_len = data_len,
        .data_uptr = (uintptr_t)data_ptr,
        .fault_id = (flags & IOMMU_HWPT_FAULT_ID_VALID) ? fault_id : 0,
    };
    int ret = iommufd_ioctl(be, IOMMU_HWPT_ALLOC, &alloc);

    trace_iommufd_backend_alloc_hwpt(be->fd, dev_id, pt_id, flags, data_type,
                                     data_len, alloc.fault_id,
                                     alloc.out_hwpt_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_HWPT_ALLOC (device %u, parent %u, "
                         "flags 0x%x, data type %u) failed", dev_id, pt_id,
                         flags, data_type);
        return false;
    }
    *out_hwpt = alloc.out_hwpt_id;
    return true;
}

bool iommufd_backend_invalidate_cache(IOMMUFDBackend *be, uint32_t id,
                                      uint32_t data_type, uint32_t entry_len,
                                      uint32_t *entry_num, void *data,
                                      Error **errp)
{
    struct iommu_hwpt_invalidate cache = {
        .size = sizeof(cache),
        .hwpt_id = id,
        .data_type = data_type,
        .entry_len = entry_len,
        .entry_num = *entry_num,
        .data_uptr = (uintptr_t)data,
    };
    uint32_t requested = *entry_num;
    int ret = iommufd_ioctl(be, IOMMU_HWPT_INVALIDATE, &cache);

    *entry_num = cache.entry_num;
    trace_iommufd_backend_invalidate_cache(be->fd, id, data_type, entry_len,
                                           requested, cache.entry_num, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_HWPT_INVALIDATE on id %u failed "
                         "after %u of %u entries", id, cache.entry_num,
                         requested);
        return false;
    }
    if (cache.entry_num != requested) {
        error_setg(errp, "IOMMU_HWPT_INVALIDATE on id %u consumed %u of %u "
                   "entries", id, cache.entry_num, requested);
        return false;
    }
    return true;
}

/* Event queue fds are drained from the main loop: never block on them. */
static bool iommufd_event_fd_setup(int fd, const char *op, Error **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        error_setg_errno(errp, errno, "%s: cannot make fd %d non-blocking",
                         op, fd);
        return false;
    }
    return true;
}

bool iommufd_backend_alloc_faultq(IOMMUFDBackend *be, uint32_t *out_fault_id,
                                  int *out_fault_fd, Error **errp)
{
    struct iommu_fault_alloc alloc = { .size = sizeof(alloc) };
    int ret = iommufd_ioctl(be, IOMMU_FAULT_QUEUE_ALLOC, &alloc);

    trace_iommufd_backend_alloc_faultq(be->fd, alloc.out_fault_id,
                                       alloc.out_fault_fd, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_FAULT_QUEUE_ALLOC failed");
        return false;
    }
    if (!iommufd_event_fd_setup(alloc.out_fault_fd, "IOMMU_FAULT_QUEUE_ALLOC",
                                errp)) {
        close(alloc.out_fault_fd);
        iommufd_backend_free_id(be, alloc.out_fault_id, NULL);
        return false;
    }
    *out_fault_id = alloc.out_fault_id;
    *out_fault_fd = alloc.out_fault_fd;
    return true;
}

bool iommufd_backend_alloc_viommu(IOMMUFDBackend *be, uint32_t dev_id,
                                  uint32_t viommu_type, uint32_t hwpt_id,
                                  uint32_t *out_viommu_id, Error **errp)
{
    struct iommu_viommu_alloc alloc = {
        .size = sizeof(alloc),
        .type = viommu_type,
        .dev_id = dev_id,
        .hwpt_id = hwpt_id,
    };
    int ret = iommufd_ioctl(be, IOMMU_VIOMMU_ALLOC, &alloc);

    trace_iommufd_backend_alloc_viommu(be->fd, dev_id, viommu_type, hwpt_id,
                                       alloc.out_viommu_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VIOMMU_ALLOC (device %u, type %u, "
                         "parent %u) failed", dev_id, viommu_type, hwpt_id);
        return false;
    }
    *out_viommu_id = alloc.out_viommu_id;
    return true;
}

bool iommufd_backend_alloc_vdev(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t viommu_id, uint64_t virt_id,
                                uint32_t *out_vdev_id, Error **errp)
{
    struct iommu_vdevice_alloc alloc = {
        .size = sizeof(alloc),
        .viommu_id = viommu_id,
        .dev_id = dev_id,
        .virt_id = virt_id,
    };
    int ret = iommufd_ioctl(be, IOMMU_VDEVICE_ALLOC, &alloc);

    trace_iommufd_backend_alloc_vdev(be->fd, dev_id, viommu_id, virt_id,
                                     alloc.out_vdevice_id, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VDEVICE_ALLOC (device %u, vIOMMU "
                         "%u, virt id 0x%" PRIx64 ") failed", dev_id,
                         viommu_id, virt_id);
        return false;
    }
    *out_vdev_id = alloc.out_vdevice_id;
    return true;
}

bool iommufd_backend_alloc_veventq(IOMMUFDBackend *be, uint32_t viommu_id,
                                   uint32_t type, uint32_t depth,
                                   uint32_t *out_veventq_id,
                                   int *out_veventq_fd, Error **errp)
{
    struct iommu_veventq_alloc alloc = {
        .size = sizeof(alloc),
        .viommu_id = viommu_id,
        .type = type,
        .veventq_depth = depth,
    };
    int ret = iommufd_ioctl(be, IOMMU_VEVENTQ_ALLOC, &alloc);

    trace_iommufd_backend_alloc_veventq(be->fd, viommu_id, type, depth,
                                        alloc.out_veventq_id,
                                        alloc.out_veventq_fd, ret);
    if (ret) {
        error_setg_errno(errp, -ret, "IOMMU_VEVENTQ_ALLOC (vIOMMU %u, type %u, "
                         "depth %u) failed", viommu_id, type, depth);
        return false;
    }
    if (!iommufd_event_fd_setup(alloc.out_veventq_fd, "IOMMU_VEVENTQ_ALLOC",
                                errp)) {
        close(alloc.out_veventq_fd);
        iommufd_backend_free_id(be, alloc.out_veventq_id, NULL);
        return false;
    }
    *out_veventq_id = alloc.out_veventq_id;
    *out_veventq_fd = alloc.out_veventq_fd;
    return true;
}

static const Property iommufd_backend_props[] = {
    DEFINE_PROP_STRING("fd", IOMMUFDBackend, fd_str),
    DEFINE_PROP_END_OF_LIST(),
};

static void iommufd_backend_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
    oc->complete = iommufd_backend_complete;
    oc->can_be_deleted = iommufd_backend_can_be_deleted;
    object_class_add_props(oc, iommufd_backend_props);
}

static const TypeInfo iommufd_backend_types[] = {
    {
        .name = TYPE_IOMMUFD_BACKEND,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(IOMMUFDBackend),
        .instance_init = iommufd_backend_init,
        .instance_finalize = iommufd_backend_finalize,
        .class_init = iommufd_backend_class_init,
        .description = "iommufd backend (/dev/iommu)",
    },
};

DEFINE_TYPES(iommufd_backend_types)
