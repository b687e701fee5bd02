/*
 * MSI capability emulation and message delivery.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "trace.h"

static uint16_t msi_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS);
}

static bool msi_is_64(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_64BIT;
}

static bool msi_has_mask(const PCIDevice *dev)
{
    return msi_flags(dev) & PCI_MSI_FLAGS_MASKBIT;
}

static uint8_t msi_data_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_is_64(dev) ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32);
}

static uint8_t msi_mask_off(const PCIDevice *dev)
{
    return dev->msi_cap + (msi_is_64(dev) ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static uint8_t msi_pending_off(const PCIDevice *dev)
{
    return dev->msi_cap +
           (msi_is_64(dev) ? PCI_MSI_PENDING_64 : PCI_MSI_PENDING_32);
}

bool msi_present(const PCIDevice *dev)
{
    return dev->msi_cap != 0;
}

bool msi_enabled(const PCIDevice *dev)
{
    return msi_present(dev) && (msi_flags(dev) & PCI_MSI_FLAGS_ENABLE);
}

unsigned int msi_nr_vectors_allocated(const PCIDevice *dev)
{
    if (!msi_enabled(dev)) {
        return 0;
    }
    return 1u << ((msi_flags(dev) & PCI_MSI_FLAGS_QSIZE) >> 4);
}

int msi_init(PCIDevice *dev, uint8_t offset, unsigned int nr_vectors,
             bool msi64bit, bool msi_per_vector_mask, Error **errp)
{
    unsigned int order = 0;
    uint8_t size;
    uint16_t flags;
    int cap;

    if (nr_vectors == 0 || nr_vectors > PCI_MSI_VECTORS_MAX) {
        error_setg(errp, "%s: MSI supports 1 to %d vectors, not %u",
                   object_get_typename(OBJECT(dev)), PCI_MSI_VECTORS_MAX,
                   nr_vectors);
        return -EINVAL;
    }
    if (dev->msi_cap) {
        error_setg(errp, "%s: MSI capability already present",
                   object_get_typename(OBJECT(dev)));
        return -EBUSY;
    }
    while ((1u << order) < nr_vectors) {
        order++;
    }
    if (msi64bit) {
        size = msi_per_vector_mask ? PCI_MSI_64_MASK_SIZEOF : PCI_MSI_64_SIZEOF;
    } else {
        size = msi_per_vector_mask ? PCI_MSI_32_MASK_SIZEOF : PCI_MSI_32_SIZEOF;
    }
    cap = pci_add_capability(dev, PCI_CAP_ID_MSI, offset, size, errp);
    if (cap < 0) {
        return cap;
    }
    dev->msi_cap = cap;
    dev->msi_cap_size = size;
    dev->cap_present |= QEMU_PCI_CAP_MSI;

    flags = order << 1;
    if (msi64bit) {
        flags |= PCI_MSI_FLAGS_64BIT;
    }
    if (msi_per_vector_mask) {
        flags |= PCI_MSI_FLAGS_MASKBIT;
    }
    pci_set_word(dev->config + cap + PCI_MSI_FLAGS, flags);
    pci_set_word(dev->wmask + cap + PCI_MSI_FLAGS,
                 PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
    pci_set_long(dev->wmask + cap + PCI_MSI_ADDRESS_LO, 0xfffffffc);
    if (msi64bit) {
        pci_set_long(dev->wmask + cap + PCI_MSI_ADDRESS_HI, 0xffffffff);
    }
    pci_set_word(dev->wmask + msi_data_off(dev), 0xffff);
    if (msi_per_vector_mask) {
        pci_set_long(dev->wmask + msi_mask_off(dev),
                     0xffffffffu >> (PCI_MSI_VECTORS_MAX - (1u << order)));
    }
    return cap;
}

void msi_uninit(PCIDevice *dev)
{
    if (!dev->msi_cap) {
        return;
    }
    pci_del_capability(dev, PCI_CAP_ID_MSI, dev->msi_cap_size);
    dev->msi_cap = 0;
    dev->msi_cap_size = 0;
    dev->cap_present &= ~QEMU_PCI_CAP_MSI;
}

void msi_reset(PCIDevice *dev)
{
    uint8_t cap = dev->msi_cap;

    if (!cap) {
        return;
    }
    pci_word_test_and_clear_mask(dev->config + cap + PCI_MSI_FLAGS,
                                 PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
    pci_set_long(dev->config + cap + PCI_MSI_ADDRESS_LO, 0);
    if (msi_is_64(dev)) {
        pci_set_long(dev->config + cap + PCI_MSI_ADDRESS_HI, 0);
    }
    pci_set_word(dev->config + msi_data_off(dev), 0);
    if (msi_has_mask(dev)) {
        pci_set_long(dev->config + msi_mask_off(dev), 0);
        pci_set_long(dev->config + msi_pending_off(dev), 0);
    }
}

bool msi_is_masked(const PCIDevice *dev, unsigned int vector)
{
    if (!msi_present(dev) || !msi_has_mask(dev) ||
        vector >= PCI_MSI_VECTORS_MAX) {
        return false;
    }
    return pci_get_long(dev->config + msi_mask_off(dev)) & (1u << vector);
}

MSIMessage msi_get_message(PCIDevice *dev, unsigned int vector)
{
    MSIMessage msg = { 0 };
    unsigned int nr = msi_nr_vectors_allocated(dev);

    if (!msi_present(dev)) {
        return msg;
    }
    msg.address = pci_get_long(dev->config + dev->msi_cap + PCI_MSI_ADDRESS_LO);
    if (msi_is_64(dev)) {
        msg.address |= (uint64_t)pci_get_long(dev->config + dev->msi_cap +
                                               PCI_MSI_ADDRESS_HI) << 32;
    }
    msg.data = pci_get_word(dev->config + msi_data_off(dev));
    if (nr > 1) {
        msg.data = (msg.data & ~(nr - 1)) | (vector & (nr - 1));
    }
    return msg;
}

void msi_send_message(PCIDevice *dev, MSIMessage msg)
{
    MemTxResult res = MEMTX_OK;

    if (!pci_bus_master_enabled(dev)) {
        trace_pci_msi_blocked(object_get_typename(OBJECT(dev)),
                              pci_requester_id(dev), msg.address, msg.data);
        return;
    }
    address_space_stl_le(pci_device_iommu_address_space(dev), msg.address,
                         msg.data, pci_requester_attrs(dev), &res);
    trace_pci_msi_send(object_get_typename(OBJECT(dev)), pci_requester_id(dev),
                       msg.address, msg.data, res);
}

void msi_notify(PCIDevice *dev, unsigned int vector)
{
    const char *name = object_get_typename(OBJECT(dev));

    if (!msi_enabled(dev)) {
        trace_pci_msi_dropped(name, vector, "MSI disabled");
        return;
    }
    if (vector >= msi_nr_vectors_allocated(dev)) {
        trace_pci_msi_dropped(name, vector, "vector not enabled");
        return;
    }
    if (msi_is_masked(dev, vector)) {
        pci_long_test_and_set_mask(dev->config + msi_pending_off(dev),
                                   1u << vector);
        trace_pci_msi_pending(name, vector);
        return;
    }
    msi_send_message(dev, msi_get_message(dev, vector));
}

void msi_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len)
{
    uint16_t flags;
    unsigned int mme, mmc, nr;

    if (!msi_present(dev)) {
        return;
    }
    flags = msi_flags(dev);
    trace_pci_msi_write_config(object_get_typename(OBJECT(dev)), address, val,
                               len, flags);
    if (!(flags & PCI_MSI_FLAGS_ENABLE)) {
        return;
    }
    /* Software may not enable more vectors than the device is capable of. */
    mme = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
    mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
    if (mme > mmc) {
        flags = (flags & ~PCI_MSI_FLAGS_QSIZE) | (mmc << 4);
        pci_set_word(dev->config + dev->msi_cap + PCI_MSI_FLAGS, flags);
    }
    if (!msi_has_mask(dev)) {
        return;
    }
    /* Deliver what became unmasked while pending. */
    nr = msi_nr_vectors_allocated(dev);
    for (unsigned int v = 0; v < nr; v++) {
        uint32_t pending = pci_get_long(dev->config + msi_pending_off(dev));

        if (!(pending & (1u << v)) || msi_is_masked(dev, v)) {
            continue;
        }
        pci_long_test_and_clear_mask(dev->config + msi_pending_off(dev),
                                     1u << v);
        msi_send_message(dev, msi_get_message(dev, v));
    }
}
