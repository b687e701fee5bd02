/*
 * vfio-pci: a host PCI device passed through with the VFIO cdev bound to
 * an iommufd backend.
 *
 * Realize runs the steps in order and undoes the ones done so far when a
 * later one fails, so a half-set-up device never stays behind; every
 * failure names the device and the step.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/named-fds.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pcie.h"
#include "vfio-iommufd.h"
#include "trace.h"
#include <dirent.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

/* "0000:02:00.0" or "02:00.0" (domain 0 implied), as QEMU's host=. */
static char *vfio_parse_host(const char *host, Error **errp)
{
    unsigned dom = 0, bus, slot, fn;
    char c;

    if (sscanf(host, "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &c) != 4) {
        dom = 0;
        if (sscanf(host, "%x:%x.%x%c", &bus, &slot, &fn, &c) != 3) {
            error_setg(errp, "Invalid host device address '%s' "
                       "(expected [DDDD:]BB:DD.F)", host);
            return NULL;
        }
    }
    if (dom > 0xffff || bus > 0xff || slot > 0x1f || fn > 7) {
        error_setg(errp, "Invalid host device address '%s'", host);
        return NULL;
    }
    return g_strdup_printf("/sys/bus/pci/devices/%04x:%02x:%02x.%x",
                           dom, bus, slot, fn);
}

/* The cdev is named by the single entry of SYSFS/vfio-dev/ ("vfioN"). */
static int vfio_open_cdev(const char *sysfsdev, Error **errp)
{
    g_autofree char *dir_path = g_strdup_printf("%s/vfio-dev", sysfsdev);
    g_autofree char *cdev = NULL;
    DIR *dir = opendir(dir_path);
    struct dirent *ent;
    int fd;

    if (!dir) {
        error_setg_errno(errp, errno, "cannot open %s (is the device bound "
                         "to vfio-pci, with the VFIO cdev?)", dir_path);
        return -1;
    }
    while ((ent = readdir(dir))) {
        if (g_str_has_prefix(ent->d_name, "vfio")) {
            cdev = g_strdup_printf("/dev/vfio/devices/%s", ent->d_name);
            break;
        }
    }
    closedir(dir);
    if (!cdev) {
        error_setg(errp, "no VFIO cdev found in %s", dir_path);
        return -1;
    }
    fd = open(cdev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", cdev);
    }
    return fd;
}

static bool vfio_open_device(VFIOPCIDevice *vdev, Error **errp)
{
    int given = !!vdev->host + !!vdev->sysfsdev + !!vdev->fd_str;
    g_autofree char *sysfsdev = NULL;

    if (given != 1) {
        error_setg(errp, "exactly one of host=, sysfsdev= or fd= is required");
        return false;
    }
    if (vdev->fd_str) {
        /*
         * A getfd name is ours to close.  A number (inherited) becomes
         * ours once it binds as a VFIO cdev: before that it may be any
         * fd of this process (its RAM, an event notifier, a monitor
         * socket), which a failed device_add must not close.
         */
        bool taken;
        int fd = monitor_fd_param(vdev->fd_str, &taken, errp);

        if (fd < 0) {
            return false;
        }
        vdev->fd = fd;
        vdev->fd_owned = taken;
        vdev->name = g_strdup_printf("fd%d", fd);
        return true;
    }
    if (vdev->host) {
        sysfsdev = vfio_parse_host(vdev->host, errp);
        if (!sysfsdev) {
            return false;
        }
    } else {
        sysfsdev = g_strdup(vdev->sysfsdev);
    }
    vdev->name = g_path_get_basename(sysfsdev);
    vdev->fd = vfio_open_cdev(sysfsdev, errp);
    vdev->fd_owned = true;
    return vdev->fd >= 0;
}

static bool vfio_get_config_region(VFIOPCIDevice *vdev, Error **errp)
{
    struct vfio_device_info info = { .argsz = sizeof(info) };
    struct vfio_region_info reg = {
        .argsz = sizeof(reg),
        .index = VFIO_PCI_CONFIG_REGION_INDEX,
    };

    if (ioctl(vdev->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
        error_setg_errno(errp, errno, "VFIO_DEVICE_GET_INFO failed");
        return false;
    }
    if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
        info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX) {
        error_setg(errp, "not a PCI device (flags 0x%x, %u regions)",
                   info.flags, info.num_regions);
        return false;
    }
    if (ioctl(vdev->fd, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0) {
        error_setg_errno(errp, errno, "VFIO_DEVICE_GET_REGION_INFO (config) "
                         "failed");
        return false;
    }
    vdev->config_offset = reg.offset;
    vdev->config_size = MIN(reg.size, PCIE_CONFIG_SPACE_SIZE);
    return true;
}

static bool vfio_pread_config(VFIOPCIDevice *vdev, uint32_t addr, void *buf,
                              uint32_t len)
{
    ssize_t n;

    do {
        n = pread(vdev->fd, buf, len, vdev->config_offset + addr);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)len;
}

/*
 * The guest sees the host's config space, capabilities included (PASID,
 * PRI and ATS are what a vIOMMU guest driver looks for), but not the
 * host's BAR addresses: no BAR is exposed.
 */
static bool vfio_load_config(VFIOPCIDevice *vdev, Error **errp)
{
    PCIDevice *pdev = &vdev->parent_obj;
    g_autofree uint8_t *host = g_malloc0(vdev->config_size);

    if (!vfio_pread_config(vdev, 0, host, vdev->config_size)) {
        error_setg_errno(errp, errno, "reading config space failed");
        return false;
    }
    memcpy(pdev->config, host, MIN(vdev->config_size, pdev->config_size));
    memset(pdev->config + PCI_BASE_ADDRESS_0, 0,
           PCI_ROM_ADDRESS + 4 - PCI_BASE_ADDRESS_0);
    pci_set_word(pdev->config + PCI_COMMAND, 0);
    return true;
}

static uint32_t vfio_pci_read_config(PCIDevice *pdev, uint32_t addr, int len)
{
    return pci_default_read_config(pdev, addr, len);
}

/*
 * Capability writes (PASID/PRI/ATS enables) go to the host device, and the
 * emulated copy is refreshed from what the host kept: the host applies
 * its own write masks.
 */
static void vfio_pci_write_config(PCIDevice *pdev, uint32_t addr, uint32_t val,
                                  int len)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);
    ssize_t n;

    if (addr < PCI_CONFIG_HEADER_SIZE) {
        pci_default_write_config(pdev, addr, val, len);
        return;
    }
    do {
        n = pwrite(vdev->fd, &val, len, vdev->config_offset + addr);
    } while (n < 0 && errno == EINTR);
    if (n != len || !vfio_pread_config(vdev, addr, pdev->config + addr, len)) {
        trace_vfio_config_write_failed(vdev->name, addr, len, errno);
        error_report_once("vfio %s: config write at 0x%x failed: %s",
                          vdev->name, addr, g_strerror(errno));
    }
}

static bool vfio_host_iommu_device_init(VFIOPCIDevice *vdev, Error **errp)
{
    HostIOMMUDevice *hiod;

    hiod = HOST_IOMMU_DEVICE(object_new(TYPE_HOST_IOMMU_DEVICE_IOMMUFD_VFIO));
    hiod->name = g_strdup(vdev->name);
    hiod->agent = vdev;
    vdev->hiod = hiod;
    return host_iommu_device_iommufd_realize(hiod, vdev->iommufd, vdev->devid,
                                             errp);
}

static void vfio_pci_cleanup(VFIOPCIDevice *vdev)
{
    /* Before the cdev closes: the triggers are set through it. */
    vfio_irqs_unregister(vdev);
    if (vdev->iommu_device_set) {
        pci_device_unset_iommu_device(&vdev->parent_obj);
        vdev->iommu_device_set = false;
    }
    if (vdev->fd >= 0) {
        vfio_iommufd_detach_default(vdev);
        /* Closing the cdev unbinds it from the iommufd. */
        if (vdev->fd_owned) {
            close(vdev->fd);
        }
        vdev->fd = -1;
    }
    if (vdev->hiod) {
        object_unref(vdev->hiod);
        vdev->hiod = NULL;
    }
    if (vdev->connected) {
        iommufd_backend_disconnect(vdev->iommufd);
        vdev->connected = false;
    }
}

static void vfio_pci_realize(PCIDevice *pdev, Error **errp)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);
    const char *step;

    if (!vdev->iommufd) {
        error_setg(errp, "vfio-pci: iommufd=ID is required (the legacy VFIO "
                   "container is not supported)");
        return;
    }
    if (!vfio_open_device(vdev, errp)) {
        error_prepend(errp, "vfio %s: ", vdev->host ? vdev->host :
                      vdev->sysfsdev ? vdev->sysfsdev : "");
        return;
    }

    step = "connect to iommufd";
    if (!iommufd_backend_connect(vdev->iommufd, errp)) {
        goto fail;
    }
    vdev->connected = true;
    step = "bind";
    if (!vfio_iommufd_bind(vdev, errp)) {
        goto fail;
    }
    vdev->fd_owned = true;
    step = "config space";
    if (!vfio_get_config_region(vdev, errp) || !vfio_load_config(vdev, errp)) {
        goto fail;
    }
    step = "host IOMMU info";
    if (!vfio_host_iommu_device_init(vdev, errp)) {
        goto fail;
    }
    step = "attach";
    if (!vfio_iommufd_attach_default(vdev, pci_device_get_viommu_flags(pdev),
                                     errp)) {
        goto fail;
    }
    step = "vIOMMU";
    if (!pci_device_set_iommu_device(pdev, vdev->hiod, errp)) {
        goto fail;
    }
    vdev->iommu_device_set = true;
    /* Last: nothing after it can fail, and it is not required to. */
    vfio_irqs_register(vdev);
    trace_vfio_pci_realize(vdev->name, vdev->devid, vdev->ioas_id,
                           vdev->nest_parent_id);
    return;

fail:
    error_prepend(errp, "vfio %s: %s: ", vdev->name, step);
    vfio_pci_cleanup(vdev);
}

static void vfio_pci_exit(PCIDevice *pdev)
{
    VFIOPCIDevice *vdev = VFIO_PCI(pdev);

    trace_vfio_pci_exit(vdev->name);
    vfio_pci_cleanup(vdev);
}

static void vfio_pci_instance_init(Object *obj)
{
    VFIO_PCI(obj)->fd = -1;
    vfio_irqs_init(VFIO_PCI(obj));
}

static void vfio_pci_finalize(Object *obj)
{
    g_free(VFIO_PCI(obj)->name);
}

static const Property vfio_pci_props[] = {
    DEFINE_PROP_STRING("host", VFIOPCIDevice, host),
    DEFINE_PROP_STRING("sysfsdev", VFIOPCIDevice, sysfsdev),
    DEFINE_PROP_STRING("fd", VFIOPCIDevice, fd_str),
    DEFINE_PROP_LINK("iommufd", VFIOPCIDevice, iommufd, TYPE_IOMMUFD_BACKEND,
                     IOMMUFDBackend *),
    DEFINE_PROP_END_OF_LIST(),
};

static void vfio_pci_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);

    dc->desc = "VFIO-based PCI device assignment";
    dc->user_creatable = true;
    dc->hotpluggable = true;
    device_class_set_props(dc, vfio_pci_props);
    pc->realize = vfio_pci_realize;
    pc->exit = vfio_pci_exit;
    pc->config_read = vfio_pci_read_config;
    pc->config_write = vfio_pci_write_config;
    pc->is_express = true;
}

static const TypeInfo vfio_pci_types[] = {
    {
        .name = TYPE_VFIO_PCI,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VFIOPCIDevice),
        .instance_init = vfio_pci_instance_init,
        .instance_finalize = vfio_pci_finalize,
        .class_init = vfio_pci_class_init,
    },
};

DEFINE_TYPES(vfio_pci_types)
