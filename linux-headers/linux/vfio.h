/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * VFIO user ABI, device-cdev subset (/dev/vfio/devices/vfioN), written for
 * this project from the facts of the Linux uAPI (kernel 6.15+ layout, with
 * the VF-token extension of VFIO_DEVICE_BIND_IOMMUFD).
 *
 * Only what the project drives is declared: bind/attach/detach to iommufd,
 * device/region/irq info and reset.  No container or group API: this project
 * uses iommufd exclusively.
 *
 * The guard is the kernel's own, so that this copy always shadows the older
 * system header (Debian 12 ships a 6.1 vfio.h without the cdev ioctls).
 */
#ifndef _UAPIVFIO_H
#define _UAPIVFIO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VFIO_API_VERSION 0

/*
 * All VFIO ioctls are _IO(VFIO_TYPE, VFIO_BASE + n): the size comes from the
 * leading argsz field, not from the ioctl number.
 */
#define VFIO_TYPE (';')
#define VFIO_BASE 100

#define VFIO_GET_API_VERSION _IO(VFIO_TYPE, VFIO_BASE + 0)
#define VFIO_CHECK_EXTENSION _IO(VFIO_TYPE, VFIO_BASE + 1)

/* VFIO_DEVICE_GET_INFO */
struct vfio_device_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_FLAGS_RESET (1 << 0)
#define VFIO_DEVICE_FLAGS_PCI (1 << 1)
#define VFIO_DEVICE_FLAGS_PLATFORM (1 << 2)
#define VFIO_DEVICE_FLAGS_AMBA (1 << 3)
#define VFIO_DEVICE_FLAGS_CCW (1 << 4)
#define VFIO_DEVICE_FLAGS_AP (1 << 5)
#define VFIO_DEVICE_FLAGS_FSL_MC (1 << 6)
#define VFIO_DEVICE_FLAGS_CAPS (1 << 7)
#define VFIO_DEVICE_FLAGS_CDX (1 << 8)
	__u32 num_regions;
	__u32 num_irqs;
	__u32 cap_offset;
	__u32 pad;		/* 24 bytes, as the kernel's */
};
#define VFIO_DEVICE_GET_INFO _IO(VFIO_TYPE, VFIO_BASE + 7)

/* Chained capability header used by the *_INFO ioctls when CAPS is set */
struct vfio_info_cap_header {
	__u16 id;
	__u16 version;
	__u32 next;
};

/* VFIO_DEVICE_GET_REGION_INFO */
struct vfio_region_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_REGION_INFO_FLAG_READ (1 << 0)
#define VFIO_REGION_INFO_FLAG_WRITE (1 << 1)
#define VFIO_REGION_INFO_FLAG_MMAP (1 << 2)
#define VFIO_REGION_INFO_FLAG_CAPS (1 << 3)
	__u32 index;
	__u32 cap_offset;
	__aligned_u64 size;
	__aligned_u64 offset;
};
#define VFIO_DEVICE_GET_REGION_INFO _IO(VFIO_TYPE, VFIO_BASE + 8)

/* VFIO_DEVICE_GET_IRQ_INFO */
struct vfio_irq_info {
	__u32 argsz;
	__u32 flags;
#define VFIO_IRQ_INFO_EVENTFD (1 << 0)
#define VFIO_IRQ_INFO_MASKABLE (1 << 1)
#define VFIO_IRQ_INFO_AUTOMASKED (1 << 2)
#define VFIO_IRQ_INFO_NORESIZE (1 << 3)
	__u32 index;
	__u32 count;
};
#define VFIO_DEVICE_GET_IRQ_INFO _IO(VFIO_TYPE, VFIO_BASE + 9)

/* VFIO_DEVICE_SET_IRQS */
struct vfio_irq_set {
	__u32 argsz;
	__u32 flags;
#define VFIO_IRQ_SET_DATA_NONE (1 << 0)
#define VFIO_IRQ_SET_DATA_BOOL (1 << 1)
#define VFIO_IRQ_SET_DATA_EVENTFD (1 << 2)
#define VFIO_IRQ_SET_ACTION_MASK (1 << 3)
#define VFIO_IRQ_SET_ACTION_UNMASK (1 << 4)
#define VFIO_IRQ_SET_ACTION_TRIGGER (1 << 5)
	__u32 index;
	__u32 start;
	__u32 count;
	__u8 data[];
};
#define VFIO_DEVICE_SET_IRQS _IO(VFIO_TYPE, VFIO_BASE + 10)

#define VFIO_IRQ_SET_DATA_TYPE_MASK \
	(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_DATA_BOOL | \
	 VFIO_IRQ_SET_DATA_EVENTFD)
#define VFIO_IRQ_SET_ACTION_TYPE_MASK \
	(VFIO_IRQ_SET_ACTION_MASK | VFIO_IRQ_SET_ACTION_UNMASK | \
	 VFIO_IRQ_SET_ACTION_TRIGGER)

/* VFIO_DEVICE_RESET: no argument */
#define VFIO_DEVICE_RESET _IO(VFIO_TYPE, VFIO_BASE + 11)

/* vfio-pci fixed region and irq indexes */
enum {
	VFIO_PCI_BAR0_REGION_INDEX,
	VFIO_PCI_BAR1_REGION_INDEX,
	VFIO_PCI_BAR2_REGION_INDEX,
	VFIO_PCI_BAR3_REGION_INDEX,
	VFIO_PCI_BAR4_REGION_INDEX,
	VFIO_PCI_BAR5_REGION_INDEX,
	VFIO_PCI_ROM_REGION_INDEX,
	VFIO_PCI_CONFIG_REGION_INDEX,
	VFIO_PCI_VGA_REGION_INDEX,
	VFIO_PCI_NUM_REGIONS = 9,
};

enum {
	VFIO_PCI_INTX_IRQ_INDEX,
	VFIO_PCI_MSI_IRQ_INDEX,
	VFIO_PCI_MSIX_IRQ_INDEX,
	VFIO_PCI_ERR_IRQ_INDEX,
	VFIO_PCI_REQ_IRQ_INDEX,
	VFIO_PCI_NUM_IRQS
};

/*
 * VFIO_DEVICE_BIND_IOMMUFD: first ioctl on a fresh cdev fd.  argsz 16 is the
 * 6.6 layout; 24 adds token_uuid_ptr, used only with the TOKEN flag (SR-IOV
 * VF token as a 16-byte UUID).  out_devid is the iommufd device object id.
 */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_BIND_FLAG_TOKEN (1 << 0)
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT: attach (or replace) the RID, or with the
 * PASID flag one PASID, to an IOAS or HWPT.  pt_id returns the HWPT actually
 * attached (the auto domain when an IOAS was given).
 */
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_ATTACH_PASID (1 << 0)
	__u32 pt_id;
	__u32 pasid;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

/* VFIO_DEVICE_DETACH_IOMMUFD_PT: back to blocking DMA for the RID or PASID */
struct vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
#define VFIO_DEVICE_DETACH_PASID (1 << 0)
	__u32 pasid;
};
#define VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

#ifndef __cplusplus
#include <stddef.h>

#define VFIO_ABI_SIZE(type, sz) \
	_Static_assert(sizeof(struct type) == (sz), #type " size")
#define VFIO_ABI_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

VFIO_ABI_SIZE(vfio_device_info, 24);
VFIO_ABI_OFF(vfio_device_info, pad, 20);
VFIO_ABI_OFF(vfio_device_info, flags, 4);
VFIO_ABI_OFF(vfio_device_info, num_regions, 8);
VFIO_ABI_OFF(vfio_device_info, num_irqs, 12);
VFIO_ABI_OFF(vfio_device_info, cap_offset, 16);

VFIO_ABI_SIZE(vfio_info_cap_header, 8);
VFIO_ABI_OFF(vfio_info_cap_header, version, 2);
VFIO_ABI_OFF(vfio_info_cap_header, next, 4);

VFIO_ABI_SIZE(vfio_region_info, 32);
VFIO_ABI_OFF(vfio_region_info, flags, 4);
VFIO_ABI_OFF(vfio_region_info, index, 8);
VFIO_ABI_OFF(vfio_region_info, cap_offset, 12);
VFIO_ABI_OFF(vfio_region_info, size, 16);
VFIO_ABI_OFF(vfio_region_info, offset, 24);

VFIO_ABI_SIZE(vfio_irq_info, 16);
VFIO_ABI_OFF(vfio_irq_info, index, 8);
VFIO_ABI_OFF(vfio_irq_info, count, 12);

VFIO_ABI_SIZE(vfio_irq_set, 20);
VFIO_ABI_OFF(vfio_irq_set, index, 8);
VFIO_ABI_OFF(vfio_irq_set, start, 12);
VFIO_ABI_OFF(vfio_irq_set, count, 16);
VFIO_ABI_OFF(vfio_irq_set, data, 20);

VFIO_ABI_SIZE(vfio_device_bind_iommufd, 24);
VFIO_ABI_OFF(vfio_device_bind_iommufd, flags, 4);
VFIO_ABI_OFF(vfio_device_bind_iommufd, iommufd, 8);
VFIO_ABI_OFF(vfio_device_bind_iommufd, out_devid, 12);
VFIO_ABI_OFF(vfio_device_bind_iommufd, token_uuid_ptr, 16);

VFIO_ABI_SIZE(vfio_device_attach_iommufd_pt, 16);
VFIO_ABI_OFF(vfio_device_attach_iommufd_pt, flags, 4);
VFIO_ABI_OFF(vfio_device_attach_iommufd_pt, pt_id, 8);
VFIO_ABI_OFF(vfio_device_attach_iommufd_pt, pasid, 12);

VFIO_ABI_SIZE(vfio_device_detach_iommufd_pt, 12);
VFIO_ABI_OFF(vfio_device_detach_iommufd_pt, flags, 4);
VFIO_ABI_OFF(vfio_device_detach_iommufd_pt, pasid, 8);

_Static_assert(VFIO_DEVICE_GET_INFO == 0x3B6B, "VFIO_DEVICE_GET_INFO");
_Static_assert(VFIO_DEVICE_GET_REGION_INFO == 0x3B6C, "GET_REGION_INFO");
_Static_assert(VFIO_DEVICE_BIND_IOMMUFD == 0x3B76, "BIND_IOMMUFD");
_Static_assert(VFIO_DEVICE_ATTACH_IOMMUFD_PT == 0x3B77, "ATTACH_IOMMUFD_PT");
_Static_assert(VFIO_DEVICE_DETACH_IOMMUFD_PT == 0x3B78, "DETACH_IOMMUFD_PT");

#undef VFIO_ABI_SIZE
#undef VFIO_ABI_OFF
#endif /* !__cplusplus */

#endif /* _UAPIVFIO_H */
