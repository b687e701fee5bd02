/*
 * libqos PCI: ECAM configuration accesses and bridge numbering.
 */
#include "qos-pci.h"

#define PCI_VENDOR_ID           0x00
#define PCI_STATUS              0x06
#define  PCI_STATUS_CAP_LIST    0x10
#define PCI_PRIMARY_BUS         0x18
#define PCI_CAPABILITY_LIST     0x34

uint64_t qpci_ecam_addr(const QPCIHost *h, int bus, int devfn, int reg)
{
    return h->ecam + ((uint64_t)(bus & 0xff) << 20) +
           ((uint64_t)(devfn & 0xff) << 12) + (reg & 0xfff);
}

uint8_t qpci_cfg_readb(const QPCIHost *h, int bus, int devfn, int reg)
{
    return qtest_readb(h->qts, qpci_ecam_addr(h, bus, devfn, reg));
}

uint16_t qpci_cfg_readw(const QPCIHost *h, int bus, int devfn, int reg)
{
    return qtest_readw(h->qts, qpci_ecam_addr(h, bus, devfn, reg));
}

uint32_t qpci_cfg_readl(const QPCIHost *h, int bus, int devfn, int reg)
{
    return qtest_readl(h->qts, qpci_ecam_addr(h, bus, devfn, reg));
}

void qpci_cfg_writeb(const QPCIHost *h, int bus, int devfn, int reg,
                     uint8_t v)
{
    qtest_writeb(h->qts, qpci_ecam_addr(h, bus, devfn, reg), v);
}

void qpci_cfg_writew(const QPCIHost *h, int bus, int devfn, int reg,
                     uint16_t v)
{
    qtest_writew(h->qts, qpci_ecam_addr(h, bus, devfn, reg), v);
}

void qpci_cfg_writel(const QPCIHost *h, int bus, int devfn, int reg,
                     uint32_t v)
{
    qtest_writel(h->qts, qpci_ecam_addr(h, bus, devfn, reg), v);
}

bool qpci_present(const QPCIHost *h, int bus, int devfn)
{
    return qpci_cfg_readw(h, bus, devfn, PCI_VENDOR_ID) != 0xffff;
}

uint8_t qpci_find_cap(const QPCIHost *h, int bus, int devfn, uint8_t id)
{
    uint8_t off;

    if (!(qpci_cfg_readw(h, bus, devfn, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    off = qpci_cfg_readb(h, bus, devfn, PCI_CAPABILITY_LIST) & ~3;
    for (int n = 0; n < 48 && off >= 0x40; n++) {
        if (qpci_cfg_readb(h, bus, devfn, off) == id) {
            return off;
        }
        off = qpci_cfg_readb(h, bus, devfn, off + 1) & ~3;
    }
    return 0;
}

uint16_t qpci_find_ext_cap(const QPCIHost *h, int bus, int devfn,
                           uint16_t id)
{
    uint16_t off = 0x100;

    for (int n = 0; n < (0x1000 - 0x100) / 4 && off >= 0x100; n++) {
        uint32_t hdr = qpci_cfg_readl(h, bus, devfn, off);

        if (hdr == 0xffffffff) {
            return 0;
        }
        if ((hdr & 0xffff) == id) {
            return off;
        }
        off = (hdr >> 20) & 0xffc;
    }
    return 0;
}

void qpci_bridge_set_buses(const QPCIHost *h, int bus, int devfn, int sec,
                           int sub)
{
    uint32_t v = qpci_cfg_readl(h, bus, devfn, PCI_PRIMARY_BUS);

    v = (v & 0xff000000u) | (uint32_t)(sub & 0xff) << 16 |
        (uint32_t)(sec & 0xff) << 8 | (uint32_t)(bus & 0xff);
    qpci_cfg_writel(h, bus, devfn, PCI_PRIMARY_BUS, v);
}

/* PCI Express capability: Slot Control and Slot Status (PCIe r6 7.5.3). */
#define QPCI_CAP_ID_EXP         0x10
#define QPCI_EXP_SLTCTL         0x18
#define QPCI_EXP_SLTSTA         0x1a
#define QPCI_SLTCTL_PIC_MASK    0x0300  /* power indicator control */
#define QPCI_SLTCTL_PIC_ON      0x0100
#define QPCI_SLTCTL_PIC_OFF     0x0300
#define QPCI_SLTCTL_PCC         0x0400  /* power controller: 1 = off */

uint8_t qpci_exp_cap(const QPCIHost *h, int bus, int devfn)
{
    uint8_t pos = qpci_find_cap(h, bus, devfn, QPCI_CAP_ID_EXP);

    g_assert_cmpuint(pos, !=, 0);
    return pos;
}

uint16_t qpci_slot_status(const QPCIHost *h, int bus, int devfn)
{
    return qpci_cfg_readw(h, bus, devfn,
                          qpci_exp_cap(h, bus, devfn) + QPCI_EXP_SLTSTA);
}

void qpci_slot_power(const QPCIHost *h, int bus, int devfn, bool on)
{
    int reg = qpci_exp_cap(h, bus, devfn) + QPCI_EXP_SLTCTL;
    uint16_t ctl = qpci_cfg_readw(h, bus, devfn, reg);

    ctl &= ~(QPCI_SLTCTL_PCC | QPCI_SLTCTL_PIC_MASK);
    ctl |= on ? QPCI_SLTCTL_PIC_ON : QPCI_SLTCTL_PIC_OFF | QPCI_SLTCTL_PCC;
    qpci_cfg_writew(h, bus, devfn, reg, ctl);
}
