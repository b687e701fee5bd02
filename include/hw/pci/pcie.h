/*
 * PCI Express: the PCI Express capability and the extended capability
 * list that starts at 0x100 (ATS, PRI, PASID, DSN, ...).
 */
#ifndef HW_PCI_PCIE_H
#define HW_PCI_PCIE_H

#include "hw/pci/pci.h"

/*
 * Add the PCI Express capability (version 2) at @offset (0: anywhere) for
 * a device of port type @type (PCI_EXP_TYPE_ENDPOINT, PCI_EXP_TYPE_RC_END,
 * ...), link port number @port, 2.5 GT/s x1 link.  Returns the offset, or
 * a negative errno with @errp set.
 */
int pcie_cap_init(PCIDevice *dev, uint8_t offset, uint8_t type, uint8_t port,
                  Error **errp);
/*
 * Endpoint on the root bus: a root-complex integrated endpoint, as QEMU
 * makes it; elsewhere a plain endpoint.  Returns offset or -errno.
 */
int pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset);
uint8_t pcie_cap_get_type(const PCIDevice *dev);

/*
 * Add extended capability @cap_id, version @cap_ver, @size bytes (header
 * included) at @offset (dword aligned, >= 0x100; 0: first free space after
 * the others), linked at the end of the list.  If the first capability is
 * not at 0x100, a null header (ID 0) there points to it so that the list
 * stays walkable.  Returns the offset, or a negative errno (overlap, out
 * of config space, not an Express device).
 */
int pcie_add_capability(PCIDevice *dev, uint16_t cap_id, uint8_t cap_ver,
                        uint16_t offset, uint16_t size);
/* Unlink extended capability @cap_id and clear its bytes. */
void pcie_del_capability(PCIDevice *dev, uint16_t cap_id, uint16_t size);
/* Offset of extended capability @cap_id, 0 if absent. */
uint16_t pcie_find_capability(PCIDevice *dev, uint16_t cap_id);

/*
 * ATS: invalidate queue depth 0 (= 32), page-aligned requests optional;
 * Control (enable, STU) writable.  Returns offset or -errno.
 */
int pcie_ats_init(PCIDevice *dev, uint16_t offset, bool aligned);
/*
 * PRI: capacity @outstanding_pr_cap; Control, allocation writable, status
 * RF/UPRGI write-1-to-clear.  Returns offset or -errno.
 */
int pcie_pri_init(PCIDevice *dev, uint16_t offset, uint32_t outstanding_pr_cap,
                  bool prg_response_pasid_req);
/*
 * PASID: max width @pasid_width (1..20); Control writable for the
 * supported features.  Returns offset or -errno.
 */
int pcie_pasid_init(PCIDevice *dev, uint16_t offset, uint8_t pasid_width,
                    bool exec_perm, bool priv_mode);
/* Device serial number.  Returns offset or -errno. */
int pcie_dev_ser_num_init(PCIDevice *dev, uint16_t offset, uint64_t ser_num);

bool pcie_ats_enabled(const PCIDevice *dev);
bool pcie_pri_enabled(const PCIDevice *dev);
bool pcie_pasid_enabled(const PCIDevice *dev);
/* Max PASID width advertised, 0 without a PASID capability. */
uint8_t pcie_pasid_width(const PCIDevice *dev);

/*
 * Side effects of config writes in Express capabilities (PRI Stopped);
 * called by pci_default_write_config.
 */
void pcie_write_config(PCIDevice *dev, uint32_t address, uint32_t val, int len);

/* Reset the writable fields of the Express/ATS/PRI/PASID capabilities. */
void pcie_cap_reset(PCIDevice *dev);

#endif
