/*
 * hw/vfio internals shared by pci.c and iommufd.c.
 */
#ifndef HW_VFIO_VFIO_IOMMUFD_H
#define HW_VFIO_VFIO_IOMMUFD_H

#include "hw/vfio/vfio-pci.h"

bool vfio_iommufd_bind(VFIOPCIDevice *vdev, Error **errp);
bool vfio_iommufd_attach_default(VFIOPCIDevice *vdev, uint64_t viommu_flags,
                                 Error **errp);
void vfio_iommufd_detach_default(VFIOPCIDevice *vdev);

#endif
