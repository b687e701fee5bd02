/*
 * MSI-X (capability ID 0x11): a table of 16-byte entries {address lo,
 * address hi, data, vector control} and a pending bit array, both in
 * MMIO regions inside BARs of the device.  Entries reset masked.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include "hw/pci/pci.h"

/*
 * Add the capability at @cap_pos (0: anywhere) for @nentries vectors
 * (1..2048), with the table at @table_offset in @table_bar (BAR number
 * @table_bar_nr) and the PBA at @pba_offset in @pba_bar (@pba_bar_nr).
 * The bar regions must be containers the caller registers as those BARs
 * (pci_register_bar); the table and PBA are added to them as subregions.
 * Offsets must be 8-byte aligned (table: 4 KiB recommended) and fit.
 * Returns the capability offset, or a negative errno with @errp set.
 */
int msix_init(PCIDevice *dev, unsigned short nentries,
              MemoryRegion *table_bar, uint8_t table_bar_nr,
              unsigned table_offset, MemoryRegion *pba_bar,
              uint8_t pba_bar_nr, unsigned pba_offset, uint8_t cap_pos,
              Error **errp);
/* Table at 0 and PBA behind it in a BAR of their own (registered here). */
int msix_init_exclusive_bar(PCIDevice *dev, unsigned short nentries,
                            uint8_t bar_nr, Error **errp);
void msix_uninit(PCIDevice *dev, MemoryRegion *table_bar,
                 MemoryRegion *pba_bar);
void msix_uninit_exclusive_bar(PCIDevice *dev);

bool msix_present(const PCIDevice *dev);
bool msix_enabled(const PCIDevice *dev);
/* Entry mask bit or function mask. */
bool msix_is_masked(const PCIDevice *dev, unsigned int vector);
bool msix_is_pending(const PCIDevice *dev, unsigned int vector);
unsigned int msix_nr_vectors(const PCIDevice *dev);
MSIMessage msix_get_message(PCIDevice *dev, unsigned int vector);
/*
 * Send @vector: dropped (traced) if MSI-X is off, bus mastering is off or
 * the vector is out of range; held pending while masked.
 */
void msix_notify(PCIDevice *dev, unsigned int vector);
/* Mask every entry, clear pending bits, enable and function mask. */
void msix_reset(PCIDevice *dev);
/* Side effects of a config write in the MSI-X capability. */
void msix_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len);

/* QEMU compatibility: vectors need no reservation here. */
static inline int msix_vector_use(PCIDevice *dev, unsigned int vector)
{
    return vector < dev->msix_entries_nr ? 0 : -EINVAL;
}
static inline void msix_vector_unuse(PCIDevice *dev, unsigned int vector)
{
    (void)dev;
    (void)vector;
}

#endif
