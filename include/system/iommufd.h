/*
 * The iommufd backend: "-object iommufd,id=ID[,fd=N]".
 *
 * One helper per kernel operation.  Each issues the real ioctl on the
 * backend's fd (the kernel's /dev/iommu, or the simulator's when it is
 * preloaded), traces its arguments and result, and reports failure with
 * an error naming the operation.  Nothing here knows about guests.
 */
#ifndef SYSTEM_IOMMUFD_H
#define SYSTEM_IOMMUFD_H

#include "qom/object.h"
#include <linux/iommufd.h>

#define TYPE_IOMMUFD_BACKEND "iommufd"

typedef struct IOMMUFDBackend {
    Object parent_obj;
    int fd;                     /* -1 until the first user connects */
    bool owned;                 /* we opened /dev/iommu ourselves */
    bool fd_taken;              /* fd= named a getfd fd: ours to close */
    uint32_t users;
    char *fd_str;               /* "fd" property: a passed-in fd number */
} IOMMUFDBackend;

#define IOMMUFD_BACKEND(obj) \
    OBJECT_CHECK(IOMMUFDBackend, (obj), TYPE_IOMMUFD_BACKEND)

/* The "no PASID" value: attach to the device's RID (VT-d RID_PASID). */
#define IOMMU_NO_PASID 0

bool iommufd_backend_connect(IOMMUFDBackend *be, Error **errp);
void iommufd_backend_disconnect(IOMMUFDBackend *be);

bool iommufd_backend_alloc_ioas(IOMMUFDBackend *be, uint32_t *ioas_id,
                                Error **errp);
bool iommufd_backend_free_id(IOMMUFDBackend *be, uint32_t id, Error **errp);
bool iommufd_backend_map_dma(IOMMUFDBackend *be, uint32_t ioas_id, hwaddr iova,
                             uint64_t size, void *vaddr, bool readonly,
                             Error **errp);
bool iommufd_backend_unmap_dma(IOMMUFDBackend *be, uint32_t ioas_id,
                               hwaddr iova, uint64_t size, Error **errp);

/*
 * IOMMU_GET_HW_INFO for @devid: the vendor data (up to @len bytes into
 * @data), its @type, the capability bits and the PASID width.
 */
bool iommufd_backend_get_device_info(IOMMUFDBackend *be, uint32_t devid,
                                     uint32_t *type, void *data, uint32_t len,
                                     uint64_t *caps, uint8_t *max_pasid_log2,
                                     Error **errp);

/*
 * IOMMU_HWPT_ALLOC.  @fault_id is passed (with IOMMU_HWPT_FAULT_ID_VALID,
 * which the caller sets in @flags) so that recoverable faults on the new
 * HWPT are queued on that FAULTQ.
 */
bool iommufd_backend_alloc_hwpt(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t pt_id, uint32_t flags,
                                uint32_t data_type, uint32_t data_len,
                                void *data_ptr, uint32_t fault_id,
                                uint32_t *out_hwpt, Error **errp);

/*
 * IOMMU_HWPT_INVALIDATE on a HWPT or vIOMMU @id with *@entry_num entries
 * of @entry_len bytes at @data.  On return *@entry_num holds how many the
 * kernel consumed, also on failure.
 */
bool iommufd_backend_invalidate_cache(IOMMUFDBackend *be, uint32_t id,
                                      uint32_t data_type, uint32_t entry_len,
                                      uint32_t *entry_num, void *data,
                                      Error **errp);

/* IOMMU_FAULT_QUEUE_ALLOC; the returned fd is O_NONBLOCK | O_CLOEXEC. */
bool iommufd_backend_alloc_faultq(IOMMUFDBackend *be, uint32_t *out_fault_id,
                                  int *out_fault_fd, Error **errp);

bool iommufd_backend_alloc_viommu(IOMMUFDBackend *be, uint32_t dev_id,
                                  uint32_t viommu_type, uint32_t hwpt_id,
                                  uint32_t *out_viommu_id, Error **errp);
bool iommufd_backend_alloc_vdev(IOMMUFDBackend *be, uint32_t dev_id,
                                uint32_t viommu_id, uint64_t virt_id,
                                uint32_t *out_vdev_id, Error **errp);

/* IOMMU_VEVENTQ_ALLOC; the returned fd is O_NONBLOCK | O_CLOEXEC. */
bool iommufd_backend_alloc_veventq(IOMMUFDBackend *be, uint32_t viommu_id,
                                   uint32_t type, uint32_t depth,
                                   uint32_t *out_veventq_id,
                                   int *out_veventq_fd, Error **errp);

#endif
