/*
 * hw/vfio internals shared by pci.c, iommufd.c and irqs.c.
 */
#ifndef HW_VFIO_VFIO_IOMMUFD_H
#define HW_VFIO_VFIO_IOMMUFD_H

#include "hw/vfio/vfio-pci.h"

bool vfio_iommufd_bind(VFIOPCIDevice *vdev, Error **errp);
bool vfio_iommufd_attach_default(VFIOPCIDevice *vdev, uint64_t viommu_flags,
                                 Error **errp);
void vfio_iommufd_detach_default(VFIOPCIDevice *vdev);

/* irqs.c: the host's ERR and REQ interrupts */
void vfio_irqs_init(VFIOPCIDevice *vdev);
/* Register what the device has; failures are reported, not fatal. */
void vfio_irqs_register(VFIOPCIDevice *vdev);
void vfio_irqs_unregister(VFIOPCIDevice *vdev);

#endif
