/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ABI of the kernel's iommufd selftest mock (IOMMU_TEST_CMD and the
 * "selftest" IOMMU types), restated from the facts of Linux 7.2's
 * drivers/iommu/iommufd/iommufd_test.h so that the simulator can serve
 * tools/testing/selftests/iommu/iommufd.c.  Layouts are pinned by the
 * asserts at the end: the selftest is built against the kernel's header,
 * so any difference would make it talk past us.
 */
#ifndef IOMMUFD_SIM_SELFTEST_ABI_H
#define IOMMUFD_SIM_SELFTEST_ABI_H

#include <stddef.h>
#include <linux/iommufd.h>
#include <linux/types.h>

/* IOMMU_TEST_CMD: one ioctl, the operation in "op" */
enum sim_test_op {
    SIM_TEST_OP_ADD_RESERVED = 1,
    SIM_TEST_OP_MOCK_DOMAIN = 2,
    SIM_TEST_OP_MD_CHECK_MAP = 3,
    SIM_TEST_OP_MD_CHECK_REFS = 4,
    SIM_TEST_OP_CREATE_ACCESS = 5,
    SIM_TEST_OP_DESTROY_ACCESS_PAGES = 6,
    SIM_TEST_OP_ACCESS_PAGES = 7,
    SIM_TEST_OP_ACCESS_RW = 8,
    SIM_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
    SIM_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
    SIM_TEST_OP_ACCESS_REPLACE_IOAS = 11,
    SIM_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
    SIM_TEST_OP_DIRTY = 13,
    SIM_TEST_OP_MD_CHECK_IOTLB = 14,
    SIM_TEST_OP_TRIGGER_IOPF = 15,
    SIM_TEST_OP_DEV_CHECK_CACHE = 16,
    SIM_TEST_OP_TRIGGER_VEVENT = 17,
    SIM_TEST_OP_PASID_ATTACH = 18,
    SIM_TEST_OP_PASID_REPLACE = 19,
    SIM_TEST_OP_PASID_DETACH = 20,
    SIM_TEST_OP_PASID_CHECK_HWPT = 21,
    SIM_TEST_OP_DMABUF_GET = 22,
    SIM_TEST_OP_DMABUF_REVOKE = 23,
};

/* The mock IOMMU's paging domains */
#define SIM_MOCK_APERTURE_START (1ull << 24)
#define SIM_MOCK_APERTURE_LAST ((1ull << 31) - 1)
#define SIM_MOCK_PAGE_SIZE 2048u

/* MOCK_DOMAIN_FLAGS dev_flags */
#define SIM_MOCK_DEV_NO_DIRTY (1u << 0)
#define SIM_MOCK_DEV_PASID (1u << 2)

/* A nested mock domain has 4 IOTLB words, a mock device 4 cache words */
#define SIM_MOCK_IOTLB_NUM 4u
#define SIM_MOCK_DEV_CACHE_NUM 4u
#define SIM_MOCK_IOTLB_DEFAULT 0xbadbeefu
#define SIM_MOCK_DEV_CACHE_DEFAULT 0xbaddadu
#define SIM_MOCK_INVALIDATE_ALL (1u << 0)

/* The PASID whose second attach the mock driver fails with ENOMEM */
#define SIM_MOCK_PASID_FAKE_ERROR 1024u
#define SIM_MOCK_PASID_WIDTH 20u

/* The "selftest" IOMMU type in each uAPI enum */
#define SIM_HW_INFO_TYPE_SELFTEST 0xfeedbeefu
#define SIM_HW_INFO_SELFTEST_REGVAL 0xdeadbeefu
#define SIM_HWPT_DATA_SELFTEST 0xdeadu
#define SIM_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define SIM_VIOMMU_TYPE_SELFTEST 0xdeadbeefu
#define SIM_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeefu
#define SIM_VEVENTQ_TYPE_SELFTEST 0xbeefbeefu
#define SIM_HW_QUEUE_TYPE_SELFTEST 0xdeadbeefu
#define SIM_MOCK_HW_QUEUE_MAX 2u

struct sim_test_hw_info {
    __u32 flags;
    __u32 test_reg; /* SIM_HW_INFO_SELFTEST_REGVAL */
};

/* HWPT_DATA_SELFTEST: the initial IOTLB word (and a page table type) */
struct sim_hwpt_selftest {
    __u32 iotlb;
    __u32 pagetable_type;
};

struct sim_hwpt_invalidate_selftest {
    __u32 flags;
    __u32 iotlb_id;
};

/* VIOMMU_ALLOC data: in_data echoed to out_data and to an mmap()able page */
struct sim_viommu_selftest {
    __u32 in_data;
    __u32 out_data;
    __aligned_u64 out_mmap_offset;
    __aligned_u64 out_mmap_length;
};

struct sim_viommu_invalidate_selftest {
    __u32 flags;
    __u32 vdev_id;
    __u32 cache_id;
};

/* The vEVENT payload of VEVENTQ_TYPE_SELFTEST */
struct sim_viommu_event_selftest {
    __u32 virt_id;
};

struct sim_test_cmd {
    __u32 size;
    __u32 op; /* enum sim_test_op */
    __u32 id;
    __u32 __reserved;
    union {
        struct {
            __aligned_u64 start, length;
        } add_reserved;
        struct {
            __u32 out_stdev_id, out_hwpt_id, out_idev_id;
            __u32 dev_flags; /* MOCK_DOMAIN_FLAGS only */
        } mock_domain;
        struct {
            __u32 pt_id;
        } mock_domain_replace;
        struct {
            __aligned_u64 iova, length, uptr;
        } check_map;
        struct {
            __aligned_u64 length, uptr;
            __u32 refs;
        } check_refs;
        struct {
            __u32 out_access_fd, flags;
        } create_access;
        struct {
            __u32 limit;
        } memory_limit;
        struct {
            __u32 flags;
            __aligned_u64 iova, length, page_size, uptr;
            __aligned_u64 out_nr_dirty;
        } dirty;
        struct {
            __u32 id, iotlb;
        } check_iotlb;
        struct {
            __u32 dev_id, pasid, grpid, perm;
            __u64 addr;
        } trigger_iopf;
        struct {
            __u32 id, cache;
        } check_dev_cache;
        struct {
            __u32 dev_id;
        } trigger_vevent;
        struct {
            __u32 pasid, pt_id; /* id: the stdev */
        } pasid_attach;
        struct {
            __u32 pasid, hwpt_id; /* id: the stdev */
        } pasid_check;
    };
    __u32 last;
};

#define SIM_IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

_Static_assert(sizeof(struct sim_test_cmd) == 72, "iommu_test_cmd size");
_Static_assert(offsetof(struct sim_test_cmd, add_reserved) == 16,
               "iommu_test_cmd union");
_Static_assert(offsetof(struct sim_test_cmd, last) == 64,
               "iommu_test_cmd.last");
_Static_assert(offsetof(struct sim_test_cmd, dirty.iova) == 24,
               "iommu_test_cmd.dirty.iova");
_Static_assert(offsetof(struct sim_test_cmd, check_refs.refs) == 32,
               "iommu_test_cmd.check_refs.refs");
_Static_assert(offsetof(struct sim_test_cmd, trigger_iopf.addr) == 32,
               "iommu_test_cmd.trigger_iopf.addr");
_Static_assert(offsetof(struct sim_test_cmd, mock_domain.dev_flags) == 28,
               "iommu_test_cmd.mock_domain_flags.dev_flags");
_Static_assert(SIM_IOMMU_TEST_CMD == 0x3ba0, "IOMMU_TEST_CMD number");
_Static_assert(sizeof(struct sim_test_hw_info) == 8, "iommu_test_hw_info");
_Static_assert(sizeof(struct sim_hwpt_selftest) == 8, "iommu_hwpt_selftest");
_Static_assert(sizeof(struct sim_hwpt_invalidate_selftest) == 8,
               "iommu_hwpt_invalidate_selftest");
_Static_assert(sizeof(struct sim_viommu_selftest) == 24,
               "iommu_viommu_selftest");
_Static_assert(offsetof(struct sim_viommu_selftest, out_mmap_offset) == 8,
               "iommu_viommu_selftest.out_mmap_offset");
_Static_assert(sizeof(struct sim_viommu_invalidate_selftest) == 12,
               "iommu_viommu_invalidate_selftest");
_Static_assert(sizeof(struct sim_viommu_event_selftest) == 4,
               "iommu_viommu_event_selftest");

#endif /* IOMMUFD_SIM_SELFTEST_ABI_H */
