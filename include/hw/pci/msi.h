/*
 * MSI (capability ID 0x05): up to 32 vectors, 32- or 64-bit address,
 * optional per-vector masking.  A message is a 32-bit write of the
 * message data (low bits replaced by the vector number for multi-message
 * MSI) to the message address, made through the device's DMA address space
 * with its requester ID.  Masked vectors set their pending bit and fire
 * when unmasked.
 */
#ifndef HW_PCI_MSI_H
#define HW_PCI_MSI_H

#include "hw/pci/pci.h"

/*
 * Add the MSI capability at @offset (0: anywhere).  @nr_vectors is rounded
 * up to a power of two (1..32).  Returns the capability offset, or a
 * negative errno with @errp set.
 */
int msi_init(PCIDevice *dev, uint8_t offset, unsigned int nr_vectors,
             bool msi64bit, bool msi_per_vector_mask, Error **errp);
void msi_uninit(PCIDevice *dev);
/* Clear enable, vector count, masks and pending bits (device reset). */
void msi_reset(PCIDevice *dev);
bool msi_present(const PCIDevice *dev);
bool msi_enabled(const PCIDevice *dev);
/* Vectors the guest enabled (MME), 0 when MSI is disabled. */
unsigned int msi_nr_vectors_allocated(const PCIDevice *dev);
bool msi_is_masked(const PCIDevice *dev, unsigned int vector);
MSIMessage msi_get_message(PCIDevice *dev, unsigned int vector);
/*
 * Send @vector: dropped (traced) if MSI is off, bus mastering is off or
 * the vector is beyond those enabled; held pending while masked.
 */
void msi_notify(PCIDevice *dev, unsigned int vector);
/* The raw message write, for callers that build their own message. */
void msi_send_message(PCIDevice *dev, MSIMessage msg);
/*
 * Side effects of a config write in the MSI capability (called by
 * pci_default_write_config after the masks are applied).
 */
void msi_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len);

#endif
