/*
 * The two virtual interrupts every VFIO PCIe function has besides its
 * own: ERR, signalled by the host's AER handling when the device reports
 * an error, and REQ, signalled when the host wants the device back (its
 * driver is being unbound).  Each is an eventfd registered with
 * VFIO_DEVICE_SET_IRQS (ACTION_TRIGGER, DATA_EVENTFD) when the device
 * reports the index (VFIO_DEVICE_GET_IRQ_INFO count >= 1), as QEMU does.
 *
 * ERR stops the machine: the device's state is unknown and nothing here
 * recovers it, so management is told (STOP, query-status
 * "internal-error") rather than letting the guest run on with it.
 * REQ asks the guest to release the device, as device_del would: in a
 * hot-plug slot that is the attention button, and the device goes once
 * the guest powers the slot off; elsewhere it goes at once.
 *
 * Neither is needed to use the device: a host that refuses them is
 * reported once and the device realizes without them.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "system/qdev-monitor.h"
#include "system/runstate.h"
#include "vfio-iommufd.h"
#include "trace.h"
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

static const char *const irq_names[VFIO_PCI_NUM_IRQS] = {
    [VFIO_PCI_ERR_IRQ_INDEX] = "ERR",
    [VFIO_PCI_REQ_IRQ_INDEX] = "REQ",
};

static int vfio_irq_ioctl(int fd, unsigned long cmd, void *arg)
{
    int ret;

    do {
        ret = ioctl(fd, cmd, arg);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : 0;
}

/* Point @index's trigger at @efd, or (-1) at nothing. */
static int vfio_irq_set_trigger(VFIOPCIDevice *vdev, unsigned index,
                                int32_t efd)
{
    /*
     * The header and its one eventfd in a buffer of their own: a struct
     * ending in a flexible array cannot be embedded in another (clang's
     * -Wgnu-variable-sized-type-not-at-end).
     */
    union {
        struct vfio_irq_set hdr;
        uint8_t bytes[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
    } set = {
        .hdr = {
            .argsz = sizeof(set),
            .flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
            .index = index,
            .start = 0,
            .count = 1,
        },
    };
    int ret;

    memcpy(set.bytes + sizeof(struct vfio_irq_set), &efd, sizeof(efd));
    ret = vfio_irq_ioctl(vdev->fd, VFIO_DEVICE_SET_IRQS, &set);

    trace_vfio_irq_set_trigger(vdev->name, irq_names[index], efd, ret);
    return ret;
}

/*
 * Empty the eventfd: true if the host signalled it.  A failure other
 * than "nothing there" means the fd is unusable: the handler is removed
 * (a readable fd that cannot be read would spin the main loop) and the
 * failure reported once.
 */
static bool vfio_irq_consume(VFIOPCIDevice *vdev, unsigned index)
{
    VFIOIrq *irq = &vdev->irqs[index];
    uint64_t count;
    ssize_t n;

    do {
        n = read(irq->efd, &count, sizeof(count));
    } while (n < 0 && errno == EINTR);
    if (n == sizeof(count)) {
        trace_vfio_irq_signalled(vdev->name, irq_names[index], count);
        return true;
    }
    if (n < 0 && errno == EAGAIN) {
        return false;
    }
    trace_vfio_irq_read_failed(vdev->name, irq_names[index], n,
                               n < 0 ? errno : 0);
    qemu_set_fd_handler(irq->efd, NULL, NULL, NULL);
    if (!irq->read_failed) {
        irq->read_failed = true;
        error_report("vfio %s: reading the %s interrupt's eventfd failed "
                     "(%s): no longer listening to it", vdev->name,
                     irq_names[index], n < 0 ? g_strerror(errno) :
                     "short read");
    }
    return false;
}

static void vfio_err_handler(void *opaque)
{
    VFIOPCIDevice *vdev = opaque;

    if (!vfio_irq_consume(vdev, VFIO_PCI_ERR_IRQ_INDEX)) {
        return;
    }
    /* The host repeats it while the error lasts: say it once. */
    if (!vdev->err_reported) {
        vdev->err_reported = true;
        error_report("vfio %s: the host reported an unrecoverable error "
                     "(AER) on the device: stopping the machine", vdev->name);
    }
    vm_stop(RUN_STATE_INTERNAL_ERROR);
}

/*
 * Outside the device's own handlers: an unplug may free the device
 * before it returns, and the fd handler's guard lives in the device.
 */
static void vfio_req_bh(void *opaque)
{
    VFIOPCIDevice *vdev = opaque;
    DeviceState *dev = DEVICE(vdev);
    Error *err = NULL;

    if (dev->pending_deleted_event) {
        /* Asked already: the host repeats REQ until the guest lets go. */
        trace_vfio_req_pending(vdev->name);
        return;
    }
    trace_vfio_req_unplug(vdev->name);
    if (!qdev_unplug(dev, &err)) {
        if (!vdev->req_refused) {
            vdev->req_refused = true;
            error_prepend(&err, "vfio %s: the host asks for the device "
                          "back, but it cannot be unplugged: ", vdev->name);
            error_report_err(err);
        } else {
            error_free(err);
        }
    }
    /* @vdev may be gone now */
}

static void vfio_req_handler(void *opaque)
{
    VFIOPCIDevice *vdev = opaque;

    if (vfio_irq_consume(vdev, VFIO_PCI_REQ_IRQ_INDEX)) {
        qemu_bh_schedule(vdev->req_bh);
    }
}

static IOHandler *const irq_handlers[VFIO_PCI_NUM_IRQS] = {
    [VFIO_PCI_ERR_IRQ_INDEX] = vfio_err_handler,
    [VFIO_PCI_REQ_IRQ_INDEX] = vfio_req_handler,
};

/* The device's count of @index; 0 when the host does not say. */
static uint32_t vfio_irq_count(VFIOPCIDevice *vdev, unsigned index)
{
    struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };
    int ret = vfio_irq_ioctl(vdev->fd, VFIO_DEVICE_GET_IRQ_INFO, &info);

    trace_vfio_irq_info(vdev->name, irq_names[index], info.count, ret);
    /* An older kernel, or a function without the index: not an error. */
    return ret ? 0 : info.count;
}

static bool vfio_irq_register(VFIOPCIDevice *vdev, unsigned index,
                              Error **errp)
{
    VFIOIrq *irq = &vdev->irqs[index];
    int efd, ret;

    if (vfio_irq_count(vdev, index) < 1) {
        return true;
    }
    efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd < 0) {
        error_setg_errno(errp, errno, "eventfd for the %s interrupt",
                         irq_names[index]);
        return false;
    }
    qemu_set_fd_handler_guarded(efd, irq_handlers[index], NULL, vdev,
                                &DEVICE(vdev)->engaged_in_io);
    ret = vfio_irq_set_trigger(vdev, index, efd);
    if (ret) {
        error_setg_errno(errp, -ret, "VFIO_DEVICE_SET_IRQS (%s trigger) "
                         "failed", irq_names[index]);
        qemu_set_fd_handler(efd, NULL, NULL, NULL);
        close(efd);
        return false;
    }
    irq->efd = efd;
    return true;
}

void vfio_irqs_register(VFIOPCIDevice *vdev)
{
    static const char *const consequence[VFIO_PCI_NUM_IRQS] = {
        [VFIO_PCI_ERR_IRQ_INDEX] = "a host AER error will not stop the "
                                   "machine",
        [VFIO_PCI_REQ_IRQ_INDEX] = "a host request for the device will not "
                                   "be relayed to the guest",
    };
    static const unsigned indexes[] = {
        VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX,
    };

    vdev->req_bh = qemu_bh_new(vfio_req_bh, vdev);
    for (unsigned i = 0; i < G_N_ELEMENTS(indexes); i++) {
        Error *err = NULL;

        if (!vfio_irq_register(vdev, indexes[i], &err)) {
            error_prepend(&err, "vfio %s: %s: ", vdev->name,
                          consequence[indexes[i]]);
            warn_report_err(err);
        }
    }
}

void vfio_irqs_unregister(VFIOPCIDevice *vdev)
{
    for (unsigned index = 0; index < VFIO_PCI_NUM_IRQS; index++) {
        VFIOIrq *irq = &vdev->irqs[index];
        int ret;

        if (irq->efd < 0) {
            continue;
        }
        /*
         * Closing the cdev right after drops the trigger anyway: a
         * failure here leaks nothing, so it is traced only.
         */
        ret = vfio_irq_set_trigger(vdev, index, -1);
        if (ret) {
            trace_vfio_irq_unregister_failed(vdev->name, irq_names[index],
                                             ret);
        }
        qemu_set_fd_handler(irq->efd, NULL, NULL, NULL);
        close(irq->efd);
        irq->efd = -1;
    }
    qemu_bh_delete(vdev->req_bh);
    vdev->req_bh = NULL;
}

void vfio_irqs_init(VFIOPCIDevice *vdev)
{
    for (unsigned index = 0; index < VFIO_PCI_NUM_IRQS; index++) {
        vdev->irqs[index].efd = -1;
    }
}
