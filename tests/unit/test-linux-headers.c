/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vendored uAPI headers: the _Static_asserts inside them already pin
 * every size and offset at compile time; this checks the values a program
 * sees at run time and that they coexist with the system's <linux/iommu.h>
 * (which still carries the old, removed fault uAPI).
 */
#include <stddef.h>

#include <glib.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

static void test_iommufd_numbers(void)
{
    g_assert_cmphex(IOMMUFD_TYPE, ==, 0x3b);
    g_assert_cmphex(IOMMU_DESTROY, ==, 0x3b80);
    g_assert_cmphex(IOMMU_IOAS_ALLOC, ==, 0x3b81);
    g_assert_cmphex(IOMMU_IOAS_IOVA_RANGES, ==, 0x3b84);
    g_assert_cmphex(IOMMU_IOAS_MAP, ==, 0x3b85);
    g_assert_cmphex(IOMMU_IOAS_UNMAP, ==, 0x3b86);
    g_assert_cmphex(IOMMU_HWPT_ALLOC, ==, 0x3b89);
    g_assert_cmphex(IOMMU_GET_HW_INFO, ==, 0x3b8a);
    g_assert_cmphex(IOMMU_HWPT_INVALIDATE, ==, 0x3b8d);
    g_assert_cmphex(IOMMU_FAULT_QUEUE_ALLOC, ==, 0x3b8e);
    g_assert_cmphex(IOMMU_VIOMMU_ALLOC, ==, 0x3b90);
    g_assert_cmphex(IOMMU_VDEVICE_ALLOC, ==, 0x3b91);
    g_assert_cmphex(IOMMU_VEVENTQ_ALLOC, ==, 0x3b93);
}

static void test_iommufd_enums(void)
{
    g_assert_cmpint(IOMMU_HWPT_ALLOC_NEST_PARENT, ==, 1);
    g_assert_cmpint(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, ==, 2);
    g_assert_cmpint(IOMMU_HWPT_FAULT_ID_VALID, ==, 4);
    g_assert_cmpint(IOMMU_HWPT_ALLOC_PASID, ==, 8);
    g_assert_cmpint(IOMMU_HWPT_DATA_VTD_S1, ==, 1);
    g_assert_cmpint(IOMMU_HWPT_DATA_ARM_SMMUV3, ==, 2);
    g_assert_cmpint(IOMMU_HW_INFO_TYPE_INTEL_VTD, ==, 1);
    g_assert_cmpint(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, ==, 2);
    g_assert_cmpint(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, ==, 0);
    g_assert_cmpint(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, ==, 1);
    g_assert_cmpint(IOMMU_PGFAULT_FLAGS_PASID_VALID, ==, 1);
    g_assert_cmpint(IOMMU_PGFAULT_FLAGS_LAST_PAGE, ==, 2);
    g_assert_cmpint(IOMMU_PGFAULT_PERM_PRIV, ==, 8);
    g_assert_cmpint(IOMMUFD_PAGE_RESP_INVALID, ==, 1);
    g_assert_cmpint(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, ==, 1);
    g_assert_cmpint(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, ==, 1);
    g_assert_cmpuint(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, ==, 1);
    g_assert_cmpint(IOMMU_VTD_INV_FLAGS_LEAF, ==, 1);
    g_assert_cmpint(IOMMU_HW_CAP_PCI_PASID_PRIV, ==, 4);
}

static void test_iommufd_sizes(void)
{
    g_assert_cmpuint(sizeof(struct iommu_hwpt_pgfault), ==, 40);
    g_assert_cmpuint(sizeof(struct iommu_hwpt_page_response), ==, 8);
    g_assert_cmpuint(sizeof(struct iommufd_vevent_header), ==, 8);
    g_assert_cmpuint(sizeof(struct iommu_vevent_arm_smmuv3), ==, 32);
    g_assert_cmpuint(sizeof(struct iommu_hw_info), ==, 40);
    g_assert_cmpuint(sizeof(struct iommu_hwpt_alloc), ==, 48);
    g_assert_cmpuint(offsetof(struct iommu_hwpt_alloc, fault_id), ==, 40);
    g_assert_cmpuint(offsetof(struct iommu_hw_info, out_max_pasid_log2), ==,
                     28);
    g_assert_cmpuint(offsetof(struct iommu_hwpt_pgfault, cookie), ==, 36);
}

static void test_vfio(void)
{
    g_assert_cmpint(VFIO_TYPE, ==, ';');
    g_assert_cmpint(VFIO_BASE, ==, 100);
    g_assert_cmphex(VFIO_DEVICE_GET_INFO, ==, 0x3b6b);
    g_assert_cmphex(VFIO_DEVICE_GET_REGION_INFO, ==, 0x3b6c);
    g_assert_cmphex(VFIO_DEVICE_BIND_IOMMUFD, ==, 0x3b76);
    g_assert_cmphex(VFIO_DEVICE_ATTACH_IOMMUFD_PT, ==, 0x3b77);
    g_assert_cmphex(VFIO_DEVICE_DETACH_IOMMUFD_PT, ==, 0x3b78);
    g_assert_cmpint(VFIO_PCI_CONFIG_REGION_INDEX, ==, 7);
    g_assert_cmpint(VFIO_PCI_NUM_REGIONS, ==, 9);
    g_assert_cmpint(VFIO_PCI_NUM_IRQS, ==, 5);
    g_assert_cmpint(VFIO_DEVICE_FLAGS_PCI, ==, 2);
    g_assert_cmpint(VFIO_DEVICE_FLAGS_CAPS, ==, 0x80);
    g_assert_cmpint(VFIO_REGION_INFO_FLAG_WRITE, ==, 2);
    g_assert_cmpint(VFIO_DEVICE_ATTACH_PASID, ==, 1);
    g_assert_cmpint(VFIO_DEVICE_BIND_FLAG_TOKEN, ==, 1);
    /* old (6.6) bind layout is the new one minus token_uuid_ptr */
    g_assert_cmpuint(offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr),
                     ==, 16);
    g_assert_cmpuint(sizeof(struct vfio_device_bind_iommufd), ==, 24);
    g_assert_cmpuint(sizeof(struct vfio_device_attach_iommufd_pt), ==, 16);
    g_assert_cmpuint(sizeof(struct vfio_device_detach_iommufd_pt), ==, 12);
    g_assert_cmpuint(sizeof(struct vfio_region_info), ==, 32);
    g_assert_cmpuint(sizeof(struct vfio_device_info), ==, 24);
    g_assert_cmpuint(offsetof(struct vfio_device_info, pad), ==, 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/linux-headers/iommufd/numbers", test_iommufd_numbers);
    g_test_add_func("/linux-headers/iommufd/enums", test_iommufd_enums);
    g_test_add_func("/linux-headers/iommufd/sizes", test_iommufd_sizes);
    g_test_add_func("/linux-headers/vfio", test_vfio);
    return g_test_run();
}
