/*
 * libqos PCI: the guest side of PCI configuration through ECAM, as a
 * guest's PCI core does it (bus/devfn/register), including numbering a
 * PCI-to-PCI bridge and walking capability lists.
 */
#ifndef QOS_PCI_H
#define QOS_PCI_H

#include <stdint.h>
#include "libqtest.h"

#define QPCI_Q35_ECAM           0xb0000000ULL
#define QPCI_VIRT_ECAM          0x3f000000ULL

typedef struct QPCIHost {
    QTestState *qts;
    uint64_t ecam;              /* bus 0 of the ECAM window */
} QPCIHost;

#define QPCI_DEVFN(slot, fn)    ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define QPCI_RID(bus, devfn) \
    ((uint16_t)(((bus) & 0xff) << 8 | ((devfn) & 0xff)))

uint64_t qpci_ecam_addr(const QPCIHost *h, int bus, int devfn, int reg);
uint8_t qpci_cfg_readb(const QPCIHost *h, int bus, int devfn, int reg);
uint16_t qpci_cfg_readw(const QPCIHost *h, int bus, int devfn, int reg);
uint32_t qpci_cfg_readl(const QPCIHost *h, int bus, int devfn, int reg);
void qpci_cfg_writeb(const QPCIHost *h, int bus, int devfn, int reg,
                     uint8_t v);
void qpci_cfg_writew(const QPCIHost *h, int bus, int devfn, int reg,
                     uint16_t v);
void qpci_cfg_writel(const QPCIHost *h, int bus, int devfn, int reg,
                     uint32_t v);

/* Is there a function at bus/devfn (vendor ID not all ones)? */
bool qpci_present(const QPCIHost *h, int bus, int devfn);
/* Offset of standard capability @id, 0 if absent (bounded walk). */
uint8_t qpci_find_cap(const QPCIHost *h, int bus, int devfn, uint8_t id);
/* Offset of extended capability @id, 0 if absent (bounded walk). */
uint16_t qpci_find_ext_cap(const QPCIHost *h, int bus, int devfn,
                           uint16_t id);

/*
 * Number the bridge at @bus/@devfn as a guest's PCI core does: primary
 * @bus, secondary @sec, subordinate @sub (one 32-bit write, as Linux).
 */
void qpci_bridge_set_buses(const QPCIHost *h, int bus, int devfn, int sec,
                           int sub);

/*
 * The hot-plug slot of the PCIe port at @bus/@devfn, as Linux's pciehp
 * drives it: the PCI Express capability's offset (asserted present),
 * Slot Status, and power with its indicator (on: power indicator on;
 * off: indicator off and the Power Controller Control bit set).
 */
uint8_t qpci_exp_cap(const QPCIHost *h, int bus, int devfn);
uint16_t qpci_slot_status(const QPCIHost *h, int bus, int devfn);
void qpci_slot_power(const QPCIHost *h, int bus, int devfn, bool on);

#endif
