/*
 * vfio-pci over the iommufd VFIO cdev:
 * -device vfio-pci,host=BDF|sysfsdev=PATH|fd=N,iommufd=ID
 */
#ifndef HW_VFIO_VFIO_PCI_H
#define HW_VFIO_VFIO_PCI_H

#include "hw/pci/pci.h"
#include "system/iommufd.h"
#include "system/host_iommu_device.h"
#include "qemu/main-loop.h"
#include <linux/vfio.h>

#define TYPE_VFIO_PCI "vfio-pci"
#define TYPE_HOST_IOMMU_DEVICE_IOMMUFD_VFIO \
    TYPE_HOST_IOMMU_DEVICE_IOMMUFD "-vfio"

/* A host interrupt of the device relayed through an eventfd. */
typedef struct VFIOIrq {
    int efd;                    /* registered eventfd, or -1 */
    bool read_failed;           /* reported; no longer listened to */
} VFIOIrq;

typedef struct VFIOPCIDevice {
    PCIDevice parent_obj;

    /* Properties */
    char *host;                 /* DDDD:BB:DD.F */
    char *sysfsdev;
    char *fd_str;
    IOMMUFDBackend *iommufd;

    char *name;                 /* BDF or basename, for messages */
    int fd;                     /* the VFIO cdev, -1 when closed */
    bool fd_owned;              /* fd is ours to close */
    uint32_t devid;
    uint32_t ioas_id;           /* 0: none */
    uint32_t nest_parent_id;    /* 0: none */
    uint32_t default_pt_id;     /* what the RID goes back to on detach */
    bool connected;             /* holds a user reference on the backend */
    bool attached;
    bool iommu_device_set;      /* the vIOMMU knows hiod */
    uint64_t config_offset;     /* of the config region in the cdev */
    uint32_t config_size;
    HostIOMMUDevice *hiod;
    /* ERR and REQ (hw/vfio/irqs.c), by VFIO_PCI_*_IRQ_INDEX */
    VFIOIrq irqs[VFIO_PCI_NUM_IRQS];
    QEMUBH *req_bh;             /* unplug request, outside the handler */
    bool err_reported;
    bool req_refused;           /* reported that it cannot be unplugged */
} VFIOPCIDevice;

#define VFIO_PCI(obj) OBJECT_CHECK(VFIOPCIDevice, (obj), TYPE_VFIO_PCI)

#endif
