/*
 * MSI-X capability, vector table and pending bit array.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "trace.h"

static const char *msix_dev_name(const PCIDevice *dev)
{
    return object_get_typename(OBJECT(dev));
}

static uint16_t msix_flags(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_present(const PCIDevice *dev)
{
    return dev->msix_cap != 0;
}

bool msix_enabled(const PCIDevice *dev)
{
    return msix_present(dev) && (msix_flags(dev) & PCI_MSIX_FLAGS_ENABLE);
}

unsigned int msix_nr_vectors(const PCIDevice *dev)
{
    return dev->msix_entries_nr;
}

static uint8_t *msix_entry(const PCIDevice *dev, unsigned int vector)
{
    return dev->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_entry_masked(const PCIDevice *dev, unsigned int vector)
{
    return pci_get_long(msix_entry(dev, vector) + PCI_MSIX_ENTRY_VECTOR_CTRL) &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(const PCIDevice *dev, unsigned int vector)
{
    if (!msix_present(dev) || vector >= dev->msix_entries_nr) {
        return true;
    }
    return dev->msix_function_masked || msix_entry_masked(dev, vector);
}

bool msix_is_pending(const PCIDevice *dev, unsigned int vector)
{
    if (!msix_present(dev) || vector >= dev->msix_entries_nr) {
        return false;
    }
    return dev->msix_pba[vector / 8] & (1u << (vector % 8));
}

static void msix_set_pending(PCIDevice *dev, unsigned int vector, bool on)
{
    if (on) {
        dev->msix_pba[vector / 8] |= 1u << (vector % 8);
    } else {
        dev->msix_pba[vector / 8] &= ~(1u << (vector % 8));
    }
}

MSIMessage msix_get_message(PCIDevice *dev, unsigned int vector)
{
    MSIMessage msg = { 0 };
    uint8_t *e;

    if (!msix_present(dev) || vector >= dev->msix_entries_nr) {
        return msg;
    }
    e = msix_entry(dev, vector);
    msg.address = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR);
    msg.data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
    return msg;
}

void msix_notify(PCIDevice *dev, unsigned int vector)
{
    if (!msix_present(dev) || vector >= dev->msix_entries_nr) {
        trace_pci_msix_dropped(msix_dev_name(dev), vector, "no such vector");
        return;
    }
    if (!msix_enabled(dev)) {
        trace_pci_msix_dropped(msix_dev_name(dev), vector, "MSI-X disabled");
        return;
    }
    if (msix_is_masked(dev, vector)) {
        msix_set_pending(dev, vector, true);
        trace_pci_msix_pending(msix_dev_name(dev), vector);
        return;
    }
    msi_send_message(dev, msix_get_message(dev, vector));
}

/* Deliver @vector if it was pending and is no longer masked. */
static void msix_handle_unmask(PCIDevice *dev, unsigned int vector)
{
    if (!msix_enabled(dev) || msix_is_masked(dev, vector) ||
        !msix_is_pending(dev, vector)) {
        return;
    }
    msix_set_pending(dev, vector, false);
    msi_send_message(dev, msix_get_message(dev, vector));
}

static void msix_update_function_masked(PCIDevice *dev)
{
    uint16_t flags = msix_flags(dev);

    dev->msix_function_masked = !(flags & PCI_MSIX_FLAGS_ENABLE) ||
                                (flags & PCI_MSIX_FLAGS_MASKALL);
}

void msix_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len)
{
    bool was_masked;

    if (!msix_present(dev)) {
        return;
    }
    was_masked = dev->msix_function_masked;
    msix_update_function_masked(dev);
    trace_pci_msix_write_config(msix_dev_name(dev), msix_flags(dev));
    if (was_masked && !dev->msix_function_masked) {
        for (unsigned int v = 0; v < dev->msix_entries_nr; v++) {
            msix_handle_unmask(dev, v);
        }
    }
}

/* Table MMIO: 4-byte accesses (8-byte ones are split by the core). */
static uint64_t msix_table_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;

    if (addr + size > (hwaddr)dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE) {
        return 0;
    }
    return ldn_le_p(dev->msix_table + addr, size);
}

static void msix_table_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    PCIDevice *dev = opaque;
    unsigned int vector = addr / PCI_MSIX_ENTRY_SIZE;
    bool was_masked;

    if (addr + size > (hwaddr)dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE) {
        return;
    }
    was_masked = msix_is_masked(dev, vector);
    stn_le_p(dev->msix_table + addr, size, val);
    trace_pci_msix_table_write(msix_dev_name(dev), vector,
                               (uint32_t)(addr % PCI_MSIX_ENTRY_SIZE),
                               (uint32_t)val);
    if (was_masked) {
        msix_handle_unmask(dev, vector);
    }
}

static const MemoryRegionOps msix_table_ops = {
    .read = msix_table_read,
    .write = msix_table_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static uint64_t msix_pba_read(void *opaque, hwaddr addr, unsigned size)
{
    PCIDevice *dev = opaque;
    size_t pba_size = QEMU_ALIGN_UP(dev->msix_entries_nr, 64) / 8;

    if (addr + size > pba_size) {
        return 0;
    }
    return ldn_le_p(dev->msix_pba + addr, size);
}

static void msix_pba_write(void *opaque, hwaddr addr, uint64_t val,
                           unsigned size)
{
    PCIDevice *dev = opaque;

    /* Read-only for software. */
    trace_pci_msix_pba_write(msix_dev_name(dev), addr, val);
}

static const MemoryRegionOps msix_pba_ops = {
    .read = msix_pba_read,
    .write = msix_pba_write,
    .valid = { .min_access_size = 4, .max_access_size = 8 },
    .impl = { .min_access_size = 4, .max_access_size = 4 },
};

static void msix_mask_all(PCIDevice *dev)
{
    for (unsigned int v = 0; v < dev->msix_entries_nr; v++) {
        pci_set_long(msix_entry(dev, v) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
}

int msix_init(PCIDevice *dev, unsigned short nentries,
              MemoryRegion *table_bar, uint8_t table_bar_nr,
              unsigned table_offset, MemoryRegion *pba_bar,
              uint8_t pba_bar_nr, unsigned pba_offset, uint8_t cap_pos,
              Error **errp)
{
    const char *name = msix_dev_name(dev);
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = QEMU_ALIGN_UP(nentries, 64) / 8;
    int cap;

    if (nentries < 1 || nentries > PCI_MSIX_VECTORS_MAX) {
        error_setg(errp, "%s: MSI-X supports 1 to %d vectors, not %u", name,
                   PCI_MSIX_VECTORS_MAX, nentries);
        return -EINVAL;
    }
    if (dev->msix_cap) {
        error_setg(errp, "%s: MSI-X capability already present", name);
        return -EBUSY;
    }
    if (table_bar_nr >= PCI_ROM_SLOT || pba_bar_nr >= PCI_ROM_SLOT ||
        (table_offset & ~PCI_MSIX_OFFSET_MASK) ||
        (pba_offset & ~PCI_MSIX_OFFSET_MASK) ||
        table_offset + table_size > memory_region_size(table_bar) ||
        pba_offset + pba_size > memory_region_size(pba_bar) ||
        (table_bar == pba_bar &&
         table_offset < pba_offset + pba_size &&
         pba_offset < table_offset + table_size)) {
        error_setg(errp, "%s: bad MSI-X table/PBA placement", name);
        return -EINVAL;
    }
    cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, cap_pos, PCI_MSIX_SIZEOF,
                             errp);
    if (cap < 0) {
        return cap;
    }
    dev->msix_cap = cap;
    dev->msix_entries_nr = nentries;
    dev->msix_table_offset = table_offset;
    dev->msix_pba_offset = pba_offset;
    dev->cap_present |= QEMU_PCI_CAP_MSIX;

    pci_set_word(dev->config + cap + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(dev->config + cap + PCI_MSIX_TABLE,
                 table_offset | table_bar_nr);
    pci_set_long(dev->config + cap + PCI_MSIX_PBA, pba_offset | pba_bar_nr);
    pci_set_word(dev->wmask + cap + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

    dev->msix_table = g_malloc0(table_size);
    dev->msix_pba = g_malloc0(pba_size);
    msix_mask_all(dev);
    msix_update_function_masked(dev);

    memory_region_init_io(&dev->msix_table_mmio, OBJECT(dev), &msix_table_ops,
                          dev, "msix-table", table_size);
    memory_region_add_subregion(table_bar, table_offset, &dev->msix_table_mmio);
    memory_region_init_io(&dev->msix_pba_mmio, OBJECT(dev), &msix_pba_ops,
                          dev, "msix-pba", pba_size);
    memory_region_add_subregion(pba_bar, pba_offset, &dev->msix_pba_mmio);
    dev->msix_table_bar = table_bar;
    dev->msix_pba_bar = pba_bar;
    return cap;
}

int msix_init_exclusive_bar(PCIDevice *dev, unsigned short nentries,
                            uint8_t bar_nr, Error **errp)
{
    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba_size = QEMU_ALIGN_UP(nentries, 64) / 8;
    uint64_t bar_size = 4096;
    int ret;

    /* Table in the lower half, PBA in the upper half. */
    while (table_size > bar_size / 2 || pba_size > bar_size / 2) {
        bar_size *= 2;
    }
    memory_region_init(&dev->msix_exclusive_bar, OBJECT(dev), "msix-bar",
                       bar_size);
    ret = msix_init(dev, nentries, &dev->msix_exclusive_bar, bar_nr, 0,
                    &dev->msix_exclusive_bar, bar_nr, bar_size / 2, 0, errp);
    if (ret < 0) {
        memory_region_finalize(&dev->msix_exclusive_bar);
        return ret;
    }
    pci_register_bar(dev, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &dev->msix_exclusive_bar);
    return ret;
}

void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar)
{
    if (!msix_present(dev)) {
        return;
    }
    pci_del_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_SIZEOF);
    memory_region_del_subregion(table_bar, &dev->msix_table_mmio);
    memory_region_del_subregion(pba_bar, &dev->msix_pba_mmio);
    memory_region_finalize(&dev->msix_table_mmio);
    memory_region_finalize(&dev->msix_pba_mmio);
    g_clear_pointer(&dev->msix_table, g_free);
    g_clear_pointer(&dev->msix_pba, g_free);
    dev->msix_cap = 0;
    dev->msix_entries_nr = 0;
    dev->msix_table_bar = NULL;
    dev->msix_pba_bar = NULL;
    dev->cap_present &= ~QEMU_PCI_CAP_MSIX;
}

void msix_uninit_exclusive_bar(PCIDevice *dev)
{
    if (!msix_present(dev)) {
        return;
    }
    msix_uninit(dev, &dev->msix_exclusive_bar, &dev->msix_exclusive_bar);
    memory_region_finalize(&dev->msix_exclusive_bar);
}

void msix_reset(PCIDevice *dev)
{
    if (!msix_present(dev)) {
        return;
    }
    pci_word_test_and_clear_mask(dev->config + dev->msix_cap + PCI_MSIX_FLAGS,
                                 PCI_MSIX_FLAGS_ENABLE |
                                 PCI_MSIX_FLAGS_MASKALL);
    memset(dev->msix_table, 0,
           (size_t)dev->msix_entries_nr * PCI_MSIX_ENTRY_SIZE);
    memset(dev->msix_pba, 0, QEMU_ALIGN_UP(dev->msix_entries_nr, 64) / 8);
    msix_mask_all(dev);
    msix_update_function_masked(dev);
}
