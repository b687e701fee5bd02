/*
 * HostIOMMUDevice (see include/system/host_iommu_device.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "system/host_iommu_device.h"
#include "trace.h"

bool host_iommu_device_iommufd_realize(HostIOMMUDevice *hiod,
                                       IOMMUFDBackend *be, uint32_t devid,
                                       Error **errp)
{
    HostIOMMUDeviceCaps *caps = &hiod->caps;

    hiod->iommufd = be;
    hiod->devid = devid;
    if (!iommufd_backend_get_device_info(be, devid, &caps->type,
                                         &caps->vendor, sizeof(caps->vendor),
                                         &caps->hw_caps, &caps->max_pasid_log2,
                                         errp)) {
        return false;
    }
    trace_host_iommu_device_realize(hiod->name, devid, caps->type,
                                    caps->max_pasid_log2);
    return true;
}

bool host_iommu_device_attach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                   uint32_t hwpt_id, Error **errp)
{
    HostIOMMUDeviceClass *hiodc = HOST_IOMMU_DEVICE_GET_CLASS(hiod);

    if (!hiodc->attach_hwpt(hiod, pasid, hwpt_id, errp)) {
        return false;
    }
    if (pasid == IOMMU_NO_PASID) {
        hiod->hwpt_id = hwpt_id;
    }
    return true;
}

bool host_iommu_device_detach_hwpt(HostIOMMUDevice *hiod, uint32_t pasid,
                                   Error **errp)
{
    return HOST_IOMMU_DEVICE_GET_CLASS(hiod)->detach_hwpt(hiod, pasid, errp);
}

static void host_iommu_device_finalize(Object *obj)
{
    g_free(HOST_IOMMU_DEVICE(obj)->name);
}

static const TypeInfo host_iommu_device_types[] = {
    {
        .name = TYPE_HOST_IOMMU_DEVICE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(HostIOMMUDevice),
        .class_size = sizeof(HostIOMMUDeviceClass),
        .instance_finalize = host_iommu_device_finalize,
        .abstract = true,
    }, {
        .name = TYPE_HOST_IOMMU_DEVICE_IOMMUFD,
        .parent = TYPE_HOST_IOMMU_DEVICE,
        .abstract = true,
    },
};

DEFINE_TYPES(host_iommu_device_types)
