/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VFIO_DEVICE_SET_IRQS on a simulated vfio-pci function.
 *
 * The simulated functions have no INTx pin and no MSI/MSI-X capability,
 * so only the two virtual interrupts every PCIe function has exist: ERR
 * (AER error notification) and REQ (the host asks for the device back).
 * Validation follows vfio_set_irqs_validate_and_prepare() (vfio_main.c),
 * the per-index dispatch vfio_pci_set_irqs_ioctl() and the single-context
 * trigger vfio_pci_set_ctx_trigger_single() (vfio_pci_intrs.c).  The
 * kernel keeps a reference on the eventfd context; we keep a dup of the
 * fd, dropped on close as vfio_pci_core_disable() drops the contexts.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim-internal.h"

#define offsetofend(t, f) (offsetof(t, f) + sizeof(((t *)0)->f))

struct sim_vfio_irqs {
    int trigger[VFIO_PCI_NUM_IRQS]; /* dup of the eventfd, or -1 */
    uint64_t signalled[VFIO_PCI_NUM_IRQS];
};

/* vfio_pci_get_irq_count(): what this function has of each index */
static unsigned int irq_count(unsigned int index)
{
    return index == VFIO_PCI_ERR_IRQ_INDEX || index == VFIO_PCI_REQ_IRQ_INDEX;
}

static struct sim_vfio_irqs *irqs_of(struct sim_vfio_file *vf)
{
    if (!vf->irqs) {
        vf->irqs = g_new0(struct sim_vfio_irqs, 1);
        for (int i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
            vf->irqs->trigger[i] = -1;
        }
    }
    return vf->irqs;
}

/* eventfd_ctx_fdget(): EBADF for no file, EINVAL for a non-eventfd one */
static int eventfd_get(int fd)
{
    char link[64], target[64];
    ssize_t n;

    if (sim_file_lookup(fd)) {
        return -EINVAL; /* our device/queue fds are not eventfds */
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = sim_libc.readlink(link, target, sizeof(target) - 1);
    if (n < 0) {
        return -EBADF;
    }
    target[n] = '\0';
    if (strcmp(target, "anon_inode:[eventfd]")) {
        return -EINVAL;
    }
    fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    return fd < 0 ? -errno : fd;
}

static void trigger_put(struct sim_vfio_irqs *irqs, unsigned int index)
{
    if (irqs->trigger[index] >= 0) {
        sim_libc.close(irqs->trigger[index]);
    }
    irqs->trigger[index] = -1;
}

static void trigger_signal(struct sim_vfio_irqs *irqs, unsigned int index)
{
    uint64_t one = 1;

    if (irqs->trigger[index] < 0) {
        return;
    }
    /* a full eventfd counter just stays full, as eventfd_signal() */
    if (sim_libc.write(irqs->trigger[index], &one, sizeof(one)) ==
        sizeof(one)) {
        irqs->signalled[index]++;
    }
}

/* vfio_pci_set_ctx_trigger_single() */
static int set_trigger(struct sim_vfio_irqs *irqs, unsigned int index,
                       uint32_t count, uint32_t flags, const void *data)
{
    int32_t fd;
    int newfd;

    if (flags & VFIO_IRQ_SET_DATA_NONE) {
        /* loopback test, or (count 0) tear-down */
        if (irqs->trigger[index] >= 0) {
            if (count) {
                trigger_signal(irqs, index);
            } else {
                trigger_put(irqs, index);
            }
            return 0;
        }
    } else if (flags & VFIO_IRQ_SET_DATA_BOOL) {
        if (!count) {
            return -EINVAL;
        }
        if (*(const uint8_t *)data) {
            trigger_signal(irqs, index);
        }
        return 0;
    } else if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
        if (!count) {
            return -EINVAL;
        }
        memcpy(&fd, data, sizeof(fd));
        if (fd == -1) {
            trigger_put(irqs, index);
        } else if (fd >= 0) {
            newfd = eventfd_get(fd);
            if (newfd < 0) {
                return newfd;
            }
            trigger_put(irqs, index);
            irqs->trigger[index] = newfd;
        }
        return 0;
    }
    return -EINVAL;
}

long sim_vfio_set_irqs(struct sim_vfio_file *vf, uint64_t arg)
{
    const size_t minsz = offsetofend(struct vfio_irq_set, count);
    struct vfio_irq_set hdr;
    uint8_t data[sizeof(int32_t)];
    unsigned int max;
    size_t size = 0;
    int rc;

    rc = sim_copy_from_user(&hdr, arg, minsz);
    if (rc) {
        return rc;
    }
    /* vfio_set_irqs_validate_and_prepare() */
    if (hdr.argsz < minsz || hdr.index >= VFIO_PCI_NUM_IRQS ||
        hdr.count >= UINT32_MAX - hdr.start ||
        (hdr.flags &
         ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))) {
        return -EINVAL;
    }
    max = irq_count(hdr.index);
    if (hdr.start >= max || hdr.start + hdr.count > max) {
        return -EINVAL;
    }
    switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
    case VFIO_IRQ_SET_DATA_NONE:
        break;
    case VFIO_IRQ_SET_DATA_BOOL:
        size = sizeof(uint8_t);
        break;
    case VFIO_IRQ_SET_DATA_EVENTFD:
        size = sizeof(int32_t);
        break;
    default:
        return -EINVAL;
    }
    /* count is at most 1 here (max is 1), so data fits in 4 bytes */
    size *= hdr.count;
    if (size) {
        if (hdr.argsz - minsz < size) {
            return -EINVAL;
        }
        rc = sim_copy_from_user(data, arg + minsz, size);
        if (rc) {
            return rc;
        }
    }

    /*
     * vfio_pci_set_irqs_ioctl(): ERR and REQ take only ACTION_TRIGGER
     * (ERR only on PCIe functions, which ours are); anything else is
     * ENOTTY.  vfio_pci_set_{err,req}_trigger() want start 0, count <= 1.
     */
    if ((hdr.flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) !=
        VFIO_IRQ_SET_ACTION_TRIGGER) {
        return -ENOTTY;
    }
    if (hdr.start != 0 || hdr.count > 1) {
        return -EINVAL;
    }
    return set_trigger(irqs_of(vf), hdr.index, hdr.count, hdr.flags, data);
}

/* vfio_pci_core_disable(): the contexts go with the open device */
void sim_vfio_irqs_release(struct sim_vfio_file *vf)
{
    if (!vf->irqs) {
        return;
    }
    for (int i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
        trigger_put(vf->irqs, i);
    }
    g_free(vf->irqs);
    vf->irqs = NULL;
}

/*
 * Control command "vfio-irq <bdf> err|req": the host side of the two
 * interrupts.  REQ is vfio_pci_core_request() asking the user to release
 * the device (the kernel signals the trigger if one is registered, else
 * it only logs that no request channel exists); ERR is the AER path,
 * vfio_pci_aer_err_detected(), signalling the error trigger.  Replies
 * "OK delivered=1" or "OK delivered=0" (nothing registered, as the
 * kernel then drops it).
 */
char *sim_cmd_vfio_irq(char **argv, int argc)
{
    struct sim_pdev *pdev;
    unsigned int index;
    bool delivered = false;

    if (argc != 3 || (strcmp(argv[2], "err") && strcmp(argv[2], "req"))) {
        return g_strdup("ERR EINVAL usage: vfio-irq <bdf> err|req");
    }
    index = !strcmp(argv[2], "err") ? VFIO_PCI_ERR_IRQ_INDEX
                                    : VFIO_PCI_REQ_IRQ_INDEX;
    sim_lock();
    sim_init_locked();
    pdev = sim.active ? sim_pdev_by_bdf(argv[1]) : NULL;
    if (pdev && pdev->bound_file && pdev->bound_file->irqs &&
        pdev->bound_file->irqs->trigger[index] >= 0) {
        trigger_signal(pdev->bound_file->irqs, index);
        delivered = true;
    }
    sim_unlock();
    if (!pdev) {
        return g_strdup_printf("ERR ENODEV no simulated device %s", argv[1]);
    }
    return g_strdup_printf("OK delivered=%d", delivered);
}
