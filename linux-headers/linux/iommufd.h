/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommufd user ABI (/dev/iommu), written for this project from the facts of
 * the Linux uAPI (kernel 6.15+ layout, plus the 6.17 additions that do not
 * change any size the project relies on).
 *
 * Every command is _IO(IOMMUFD_TYPE, nr) with no size or direction bits; each
 * argument struct begins with "__u32 size" so that the kernel can accept old
 * (shorter) and new (longer) callers.  Sizes and offsets are pinned by the
 * _Static_asserts at the end of this file because the simulator, the VMM and
 * the kernel must agree on them byte for byte.
 *
 * The guard is the kernel's own so that a copy of the system header cannot be
 * pulled in a second time behind our back.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define IOMMUFD_TYPE (';')

enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/* IOMMU_DESTROY: drop any object by id */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};
#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/* IOMMU_IOAS_ALLOC: new, empty I/O address space */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/* IOMMU_IOAS_IOVA_RANGES: the IOVA windows a mapping may use */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/* IOMMU_IOAS_MAP: map user memory into an IOAS */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/* IOMMU_IOAS_UNMAP: remove whole areas; iova 0 + length U64_MAX means all */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/* IOMMU_HWPT_ALLOC */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/* Guest first-stage table description for a VT-d nested HWPT */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/* First two little-endian dwords of the guest's SMMUv3 STE */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};
#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/* IOMMU_GET_HW_INFO */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/* Raw VT-d Capability and Extended Capability registers */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/* Raw SMMUv3 IDR0..IDR5, IIDR and AIDR */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
	IOMMU_HW_INFO_TYPE_AMD = 4,
};

enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
	/* the function can't use ATS behind this IOMMU (7.2) */
	IOMMU_HW_CAP_PCI_ATS_NOT_SUPPORTED = 1 << 3,
};

enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};
#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/* IOMMU_HWPT_INVALIDATE */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/* One raw 128-bit SMMUv3 command queue entry */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
};

struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};
#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/* Page fault records read from a FAULT queue fd */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = 1 << 0,
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = 1 << 1,
};

enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = 1 << 0,
	IOMMU_PGFAULT_PERM_WRITE = 1 << 1,
	IOMMU_PGFAULT_PERM_EXEC = 1 << 2,
	IOMMU_PGFAULT_PERM_PRIV = 1 << 3,
};

struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/* Responses written to a FAULT queue fd, one per group */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/* IOMMU_FAULT_QUEUE_ALLOC */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};
#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/* IOMMU_VIOMMU_ALLOC */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};
#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/* IOMMU_VDEVICE_ALLOC: virt_id is the guest's vSID / vRID for the device */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};
#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

/* vEVENTQ: 8-byte header immediately followed by the type's payload */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = 1U << 0,
};

struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/* Raw 256-bit SMMUv3 event record, StreamID replaced by the vSID */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};
#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/* IOMMU_IOAS_ALLOW_IOVAS: only these ranges may be allocated from */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;	/* struct iommu_iova_range[] */
};
#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/* IOMMU_IOAS_MAP_FILE: like MAP, from [start, start + length) of a memfd */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;			/* enum iommufd_ioas_map_flags */
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/* IOMMU_IOAS_COPY: map the pages behind src_iova again in another IOAS */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;			/* enum iommufd_ioas_map_flags */
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};
#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

/* IOMMU_OPTION: read or set a per-context or per-IOAS knob */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,	/* context: 0 user, 1 process */
	IOMMU_OPTION_HUGE_PAGES = 1,	/* IOAS: 0 off, 1 on (default) */
};

enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;		/* 0 for context options */
	__aligned_u64 val64;
};
#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/* IOMMU_VFIO_IOAS: the IOAS the VFIO type1 compatibility layer uses */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};
#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/* Dirty tracking on a paging HWPT allocated with DIRTY_TRACKING */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};
#define IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/* One bit per page_size page of [iova, iova + length) into data */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};
#define IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/* IOMMU_IOAS_CHANGE_PROCESS: move file-less pinnings to the caller's mm */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};
#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/* IOMMU_HW_QUEUE_ALLOC: a guest queue the hardware reads directly */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;	/* guest PA of the queue */
	__aligned_u64 length;
};
#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

/* NVIDIA Tegra241 CMDQV, an SMMUv3 extension */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/* VIOMMU_ALLOC driver data: where to mmap the VINTF page0 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/* vEVENTQ payload: one error bit per logical vCMDQ */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/*
 * ABI pins.  A mismatch here means a VMM built against this header would
 * talk past the kernel, so fail the build instead.
 */
#ifndef __cplusplus
#include <stddef.h>

#define IOMMUFD_ABI_SIZE(type, sz) \
	_Static_assert(sizeof(struct type) == (sz), #type " size")
#define IOMMUFD_ABI_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

IOMMUFD_ABI_SIZE(iommu_ioas_allow_iovas, 24);
IOMMUFD_ABI_OFF(iommu_ioas_allow_iovas, allowed_iovas, 16);
IOMMUFD_ABI_SIZE(iommu_ioas_map_file, 40);
IOMMUFD_ABI_OFF(iommu_ioas_map_file, fd, 12);
IOMMUFD_ABI_OFF(iommu_ioas_map_file, iova, 32);
IOMMUFD_ABI_SIZE(iommu_ioas_copy, 40);
IOMMUFD_ABI_OFF(iommu_ioas_copy, length, 16);
IOMMUFD_ABI_OFF(iommu_ioas_copy, src_iova, 32);
IOMMUFD_ABI_SIZE(iommu_option, 24);
IOMMUFD_ABI_OFF(iommu_option, op, 8);
IOMMUFD_ABI_OFF(iommu_option, object_id, 12);
IOMMUFD_ABI_OFF(iommu_option, val64, 16);
IOMMUFD_ABI_SIZE(iommu_vfio_ioas, 12);
IOMMUFD_ABI_SIZE(iommu_hwpt_set_dirty_tracking, 16);
IOMMUFD_ABI_SIZE(iommu_hwpt_get_dirty_bitmap, 48);
IOMMUFD_ABI_OFF(iommu_hwpt_get_dirty_bitmap, page_size, 32);
IOMMUFD_ABI_OFF(iommu_hwpt_get_dirty_bitmap, data, 40);
IOMMUFD_ABI_SIZE(iommu_ioas_change_process, 8);
IOMMUFD_ABI_SIZE(iommu_hw_queue_alloc, 40);
IOMMUFD_ABI_OFF(iommu_hw_queue_alloc, out_hw_queue_id, 20);
IOMMUFD_ABI_OFF(iommu_hw_queue_alloc, nesting_parent_iova, 24);
IOMMUFD_ABI_SIZE(iommu_hw_info_tegra241_cmdqv, 8);
IOMMUFD_ABI_OFF(iommu_hw_info_tegra241_cmdqv, log2vsids, 6);
IOMMUFD_ABI_SIZE(iommu_viommu_tegra241_cmdqv, 16);
IOMMUFD_ABI_SIZE(iommu_vevent_tegra241_cmdqv, 16);
_Static_assert(IOMMU_HW_QUEUE_ALLOC == 0x3b94, "HW_QUEUE_ALLOC number");
_Static_assert(IOMMU_IOAS_CHANGE_PROCESS == 0x3b92, "CHANGE_PROCESS number");
IOMMUFD_ABI_SIZE(iommu_destroy, 8);
IOMMUFD_ABI_OFF(iommu_destroy, id, 4);

IOMMUFD_ABI_SIZE(iommu_ioas_alloc, 12);
IOMMUFD_ABI_OFF(iommu_ioas_alloc, flags, 4);
IOMMUFD_ABI_OFF(iommu_ioas_alloc, out_ioas_id, 8);

IOMMUFD_ABI_SIZE(iommu_iova_range, 16);
IOMMUFD_ABI_OFF(iommu_iova_range, last, 8);
IOMMUFD_ABI_SIZE(iommu_ioas_iova_ranges, 32);
IOMMUFD_ABI_OFF(iommu_ioas_iova_ranges, ioas_id, 4);
IOMMUFD_ABI_OFF(iommu_ioas_iova_ranges, num_iovas, 8);
IOMMUFD_ABI_OFF(iommu_ioas_iova_ranges, __reserved, 12);
IOMMUFD_ABI_OFF(iommu_ioas_iova_ranges, allowed_iovas, 16);
IOMMUFD_ABI_OFF(iommu_ioas_iova_ranges, out_iova_alignment, 24);

IOMMUFD_ABI_SIZE(iommu_ioas_map, 40);
IOMMUFD_ABI_OFF(iommu_ioas_map, flags, 4);
IOMMUFD_ABI_OFF(iommu_ioas_map, ioas_id, 8);
IOMMUFD_ABI_OFF(iommu_ioas_map, __reserved, 12);
IOMMUFD_ABI_OFF(iommu_ioas_map, user_va, 16);
IOMMUFD_ABI_OFF(iommu_ioas_map, length, 24);
IOMMUFD_ABI_OFF(iommu_ioas_map, iova, 32);

IOMMUFD_ABI_SIZE(iommu_ioas_unmap, 24);
IOMMUFD_ABI_OFF(iommu_ioas_unmap, ioas_id, 4);
IOMMUFD_ABI_OFF(iommu_ioas_unmap, iova, 8);
IOMMUFD_ABI_OFF(iommu_ioas_unmap, length, 16);

IOMMUFD_ABI_SIZE(iommu_hwpt_vtd_s1, 24);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1, pgtbl_addr, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1, addr_width, 16);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1, __reserved, 20);
IOMMUFD_ABI_SIZE(iommu_hwpt_arm_smmuv3, 16);

IOMMUFD_ABI_SIZE(iommu_hwpt_alloc, 48);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, flags, 4);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, dev_id, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, pt_id, 12);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, out_hwpt_id, 16);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, __reserved, 20);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, data_type, 24);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, data_len, 28);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, data_uptr, 32);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, fault_id, 40);
IOMMUFD_ABI_OFF(iommu_hwpt_alloc, __reserved2, 44);

IOMMUFD_ABI_SIZE(iommu_hw_info_vtd, 24);
IOMMUFD_ABI_OFF(iommu_hw_info_vtd, cap_reg, 8);
IOMMUFD_ABI_OFF(iommu_hw_info_vtd, ecap_reg, 16);
IOMMUFD_ABI_SIZE(iommu_hw_info_arm_smmuv3, 40);
IOMMUFD_ABI_OFF(iommu_hw_info_arm_smmuv3, idr, 8);
IOMMUFD_ABI_OFF(iommu_hw_info_arm_smmuv3, iidr, 32);
IOMMUFD_ABI_OFF(iommu_hw_info_arm_smmuv3, aidr, 36);

IOMMUFD_ABI_SIZE(iommu_hw_info, 40);
IOMMUFD_ABI_OFF(iommu_hw_info, flags, 4);
IOMMUFD_ABI_OFF(iommu_hw_info, dev_id, 8);
IOMMUFD_ABI_OFF(iommu_hw_info, data_len, 12);
IOMMUFD_ABI_OFF(iommu_hw_info, data_uptr, 16);
IOMMUFD_ABI_OFF(iommu_hw_info, out_data_type, 24);
IOMMUFD_ABI_OFF(iommu_hw_info, in_data_type, 24);
IOMMUFD_ABI_OFF(iommu_hw_info, out_max_pasid_log2, 28);
IOMMUFD_ABI_OFF(iommu_hw_info, __reserved, 29);
IOMMUFD_ABI_OFF(iommu_hw_info, out_capabilities, 32);

IOMMUFD_ABI_SIZE(iommu_hwpt_vtd_s1_invalidate, 24);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1_invalidate, npages, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1_invalidate, flags, 16);
IOMMUFD_ABI_OFF(iommu_hwpt_vtd_s1_invalidate, __reserved, 20);
IOMMUFD_ABI_SIZE(iommu_viommu_arm_smmuv3_invalidate, 16);

IOMMUFD_ABI_SIZE(iommu_hwpt_invalidate, 32);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, hwpt_id, 4);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, data_uptr, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, data_type, 16);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, entry_len, 20);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, entry_num, 24);
IOMMUFD_ABI_OFF(iommu_hwpt_invalidate, __reserved, 28);

IOMMUFD_ABI_SIZE(iommu_hwpt_pgfault, 40);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, dev_id, 4);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, pasid, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, grpid, 12);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, perm, 16);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, __reserved, 20);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, addr, 24);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, length, 32);
IOMMUFD_ABI_OFF(iommu_hwpt_pgfault, cookie, 36);

IOMMUFD_ABI_SIZE(iommu_hwpt_page_response, 8);
IOMMUFD_ABI_OFF(iommu_hwpt_page_response, code, 4);

IOMMUFD_ABI_SIZE(iommu_fault_alloc, 16);
IOMMUFD_ABI_OFF(iommu_fault_alloc, flags, 4);
IOMMUFD_ABI_OFF(iommu_fault_alloc, out_fault_id, 8);
IOMMUFD_ABI_OFF(iommu_fault_alloc, out_fault_fd, 12);

IOMMUFD_ABI_SIZE(iommu_viommu_alloc, 40);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, type, 8);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, dev_id, 12);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, hwpt_id, 16);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, out_viommu_id, 20);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, data_len, 24);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, __reserved, 28);
IOMMUFD_ABI_OFF(iommu_viommu_alloc, data_uptr, 32);

IOMMUFD_ABI_SIZE(iommu_vdevice_alloc, 24);
IOMMUFD_ABI_OFF(iommu_vdevice_alloc, viommu_id, 4);
IOMMUFD_ABI_OFF(iommu_vdevice_alloc, dev_id, 8);
IOMMUFD_ABI_OFF(iommu_vdevice_alloc, out_vdevice_id, 12);
IOMMUFD_ABI_OFF(iommu_vdevice_alloc, virt_id, 16);

IOMMUFD_ABI_SIZE(iommufd_vevent_header, 8);
IOMMUFD_ABI_OFF(iommufd_vevent_header, sequence, 4);
IOMMUFD_ABI_SIZE(iommu_vevent_arm_smmuv3, 32);

IOMMUFD_ABI_SIZE(iommu_veventq_alloc, 32);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, flags, 4);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, viommu_id, 8);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, type, 12);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, veventq_depth, 16);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, out_veventq_id, 20);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, out_veventq_fd, 24);
IOMMUFD_ABI_OFF(iommu_veventq_alloc, __reserved, 28);

/* No size or direction bits: the value is just the type byte and nr */
_Static_assert(IOMMU_DESTROY == 0x3B80, "IOMMU_DESTROY");
_Static_assert(IOMMU_IOAS_MAP == 0x3B85, "IOMMU_IOAS_MAP");
_Static_assert(IOMMU_HWPT_ALLOC == 0x3B89, "IOMMU_HWPT_ALLOC");
_Static_assert(IOMMU_GET_HW_INFO == 0x3B8A, "IOMMU_GET_HW_INFO");
_Static_assert(IOMMU_HWPT_INVALIDATE == 0x3B8D, "IOMMU_HWPT_INVALIDATE");
_Static_assert(IOMMU_FAULT_QUEUE_ALLOC == 0x3B8E, "IOMMU_FAULT_QUEUE_ALLOC");
_Static_assert(IOMMU_VIOMMU_ALLOC == 0x3B90, "IOMMU_VIOMMU_ALLOC");
_Static_assert(IOMMU_VDEVICE_ALLOC == 0x3B91, "IOMMU_VDEVICE_ALLOC");
_Static_assert(IOMMU_VEVENTQ_ALLOC == 0x3B93, "IOMMU_VEVENTQ_ALLOC");

#undef IOMMUFD_ABI_SIZE
#undef IOMMUFD_ABI_OFF
#endif /* !__cplusplus */

#endif /* _UAPI_IOMMUFD_H */
