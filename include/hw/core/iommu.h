/*
 * What a vIOMMU asks of the passthrough devices behind it.
 */
#ifndef HW_CORE_IOMMU_H
#define HW_CORE_IOMMU_H

enum {
    /* Give the device a nesting-parent HWPT (stage 2) for nested tables. */
    VIOMMU_FLAG_WANT_NESTING_PARENT = 1ULL << 0,
    /* The vIOMMU exposes PASIDs: the parent must allow PASID attaches. */
    VIOMMU_FLAG_PASID_SUPPORTED = 1ULL << 1,
};

#endif
