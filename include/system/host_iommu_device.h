/*
 * HostIOMMUDevice: what a vIOMMU needs to know about a passthrough
 * device's host IOMMU, and how to attach page tables to it.
 *
 * The passthrough driver (vfio-pci) creates one per device and hands it
 * to the vIOMMU that owns the device's guest address space; the vIOMMU
 * reads the capabilities to decide whether it can accelerate the device
 * and later attaches nested HWPTs through it, per PASID.
 */
#ifndef SYSTEM_HOST_IOMMU_DEVICE_H
#define SYSTEM_HOST_IOMMU_DEVICE_H

#include "qom/object.h"
#include "system/iommufd.h"

#define TYPE_HOST_IOMMU_DEVICE "host-iommu-device"
#define TYPE_HOST_IOMMU_DEVICE_IOMMUFD TYPE_HOST_IOMMU_DEVICE "-iommufd"

typedef struct HostIOMMUDeviceCaps {
    uint32_t type;              /* enum iommu_hw_info_type */
    uint64_t hw_caps;           /* enum iommufd_hw_capabilities */
    uint8_t max_pasid_log2;     /* 0: no PASID support */
    union {
        struct iommu_hw_info_vtd vtd;
        struct iommu_hw_info_arm_smmuv3 smmuv3;
    } vendor;
} HostIOMMUDeviceCaps;

typedef struct HostIOMMUDevice HostIOMMUDevice;

typedef struct HostIOMMUDeviceClass {
    ObjectClass parent_class;
    /*
     * Attach @hwpt_id to the device, on @pasid (IOMMU_NO_PASID: the RID).
     * Replaces what was attached there before.
     */
    bool (*attach_hwpt)(HostIOMMUDevice *hiod, uint32_t pasid,
                        uint32_t hwpt_id, Error **errp);
    /* Back to the default domain (RID) / nothing (other PASIDs). */
    bool (*detach_hwpt)(HostIOMMUDevice *hiod, uint32_t pasid, Error **errp);
} HostIOMMUDeviceClass;

struct HostIOMMUDevice {
    Object parent_obj;
    char *name;                 /* the device's id, for messages */
    void *agent;                /* the passthrough device (VFIOPCIDevice) */
    HostIOMMUDeviceCaps caps;
    IOMMUFDBackend *iommufd;
    uint32_t devid;             /* iommufd device id */
    uint32_t ioas_id;           /* guest RAM mappings */
    uint32_t hwpt_id;           /* currently attached to the RID */
    uint32_t nest_parent_id;    /* nesting-parent HWPT, 0 if none */
};

#define HOST_IOMMU_DEVICE(obj) \
    OBJECT_CHECK(HostIOMMUDevice, (obj), TYPE_HOST_IOMMU_DEVICE)
#define HOST_IOMMU_DEVICE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(HostIOMMUDeviceClass, (obj), TYPE_HOST_IOMMU_DEVICE)

/*
 * Read the capabilities with IOMMU_GET_HW_INFO (fills hiod->caps).
 */
bool host_iommu_device_iommufd_realize(HostIOMMUDevice *hiod,
                                       IOMMUFDBackend *be, uint32_t devid,
                                       Error **errp);

bool host_iommu_device_attach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                   uint32_t hwpt_id, Error **errp);
bool host_iommu_device_detach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                   Error **errp);

#endif
