/*
 * PCI-to-PCI bridges: Type 1 header and secondary bus.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_bridge.h"
#include "trace.h"

PCIBus *pci_bridge_secondary_bus(PCIDevice *d)
{
    if (!pci_is_bridge(d)) {
        return NULL;
    }
    return PCI_BRIDGE(d)->sec_bus;
}

/* "pcie.N" for the first N >= 1 no bus uses yet (QEMU's automatic names). */
static char *pci_bridge_bus_name(PCIDevice *d)
{
    DeviceState *dev = DEVICE(d);

    if (dev->id && dev->id[0]) {
        return g_strdup(dev->id);
    }
    for (unsigned n = 1;; n++) {
        g_autofree char *name = g_strdup_printf("pcie.%u", n);

        if (!qbus_find(name)) {
            return g_steal_pointer(&name);
        }
    }
}

void pci_bridge_init(PCIDevice *d, const char *bus_type)
{
    PCIBridge *br = PCI_BRIDGE(d);
    g_autofree char *name = pci_bridge_bus_name(d);
    uint8_t *c = d->config;

    c[PCI_HEADER_TYPE] = (c[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MULTI_FUNCTION) |
                         PCI_HEADER_TYPE_BRIDGE;
    /* 0x10..0x3f mean other things in a Type 1 header: start from zero. */
    memset(c + PCI_BASE_ADDRESS_2, 0, PCI_CAPABILITY_LIST - PCI_BASE_ADDRESS_2);
    memset(d->wmask + PCI_BASE_ADDRESS_2, 0,
           PCI_CAPABILITY_LIST - PCI_BASE_ADDRESS_2);
    memset(c + PCI_ROM_ADDRESS1, 0, 4);

    /* Bus numbers and the secondary latency timer. */
    memset(d->wmask + PCI_PRIMARY_BUS, 0xff, 4);
    /* 16-bit I/O window (no port I/O here, but the registers exist). */
    d->wmask[PCI_IO_BASE] = PCI_IO_RANGE_MASK;
    d->wmask[PCI_IO_LIMIT] = PCI_IO_RANGE_MASK;
    pci_set_word(d->w1cmask + PCI_SEC_STATUS, PCI_STATUS_W1C_MASK);
    pci_set_word(d->wmask + PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK);
    pci_set_word(d->wmask + PCI_MEMORY_LIMIT, PCI_MEMORY_RANGE_MASK);
    /* 64-bit prefetchable window. */
    pci_set_word(c + PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_TYPE_64);
    pci_set_word(c + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
    pci_set_word(d->wmask + PCI_PREF_MEMORY_BASE, PCI_PREF_RANGE_MASK);
    pci_set_word(d->wmask + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_MASK);
    pci_set_long(d->wmask + PCI_PREF_BASE_UPPER32, 0xffffffff);
    pci_set_long(d->wmask + PCI_PREF_LIMIT_UPPER32, 0xffffffff);
    pci_set_word(d->wmask + PCI_BRIDGE_CONTROL,
                 PCI_BRIDGE_CTL_PARITY | PCI_BRIDGE_CTL_SERR |
                 PCI_BRIDGE_CTL_ISA | PCI_BRIDGE_CTL_VGA |
                 PCI_BRIDGE_CTL_MASTER_ABORT | PCI_BRIDGE_CTL_BUS_RESET);
    pci_bridge_reset(d);

    br->sec_bus = PCI_BUS(qbus_new(bus_type, DEVICE(d), name));
    br->sec_bus->parent_dev = d;
}

/* Reset every device below @bus (Secondary Bus Reset); bounded by the tree. */
static void pci_bridge_reset_bus(PCIBus *bus)
{
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];
        DeviceClass *dc;
        PCIBus *sec;

        if (!d) {
            continue;
        }
        dc = DEVICE_GET_CLASS(d);
        if (dc->reset) {
            dc->reset(DEVICE(d));
        }
        sec = pci_bridge_secondary_bus(d);
        if (sec) {
            pci_bridge_reset_bus(sec);
        }
    }
}

static bool ranges_touch(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

void pci_bridge_update_mappings(PCIBus *bus)
{
    for (int devfn = 0; bus && devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];

        if (d) {
            pci_update_mappings(d);
            pci_bridge_update_mappings(pci_bridge_secondary_bus(d));
        }
    }
}

void pci_bridge_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                             int len)
{
    uint16_t old_bctl = pci_get_word(d->config + PCI_BRIDGE_CONTROL);
    uint16_t bctl;

    pci_default_write_config(d, addr, val, len);
    /* Windows or memory decode: what is visible below changes. */
    if (ranges_touch(addr, len, PCI_COMMAND, 2) ||
        ranges_touch(addr, len, PCI_MEMORY_BASE,
                     PCI_PREF_LIMIT_UPPER32 + 4 - PCI_MEMORY_BASE)) {
        pci_bridge_update_mappings(PCI_BRIDGE(d)->sec_bus);
    }
    if (ranges_touch(addr, len, PCI_PRIMARY_BUS, 3)) {
        /* Every RID below changes with these; nothing caches them. */
        trace_pci_bridge_bus_numbers(object_get_typename(OBJECT(d)),
                                     pci_get_bdf(d),
                                     d->config[PCI_PRIMARY_BUS],
                                     d->config[PCI_SECONDARY_BUS],
                                     d->config[PCI_SUBORDINATE_BUS]);
    }
    bctl = pci_get_word(d->config + PCI_BRIDGE_CONTROL);
    if (!(old_bctl & PCI_BRIDGE_CTL_BUS_RESET) &&
        (bctl & PCI_BRIDGE_CTL_BUS_RESET)) {
        trace_pci_bridge_secondary_reset(object_get_typename(OBJECT(d)),
                                         pci_get_bdf(d));
        pci_bridge_reset_bus(PCI_BRIDGE(d)->sec_bus);
    }
}

void pci_bridge_reset(PCIDevice *d)
{
    uint8_t *c = d->config;

    c[PCI_PRIMARY_BUS] = 0;
    c[PCI_SECONDARY_BUS] = 0;
    c[PCI_SUBORDINATE_BUS] = 0;
    c[PCI_SEC_LATENCY_TIMER] = 0;
    /* Windows closed: base above limit. */
    c[PCI_IO_BASE] = 0xf0;
    c[PCI_IO_LIMIT] = 0;
    pci_set_word(c + PCI_SEC_STATUS, 0);
    pci_set_word(c + PCI_MEMORY_BASE, PCI_MEMORY_RANGE_MASK);
    pci_set_word(c + PCI_MEMORY_LIMIT, 0);
    pci_set_word(c + PCI_PREF_MEMORY_BASE,
                 PCI_PREF_RANGE_MASK | PCI_PREF_RANGE_TYPE_64);
    pci_set_word(c + PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
    pci_set_long(c + PCI_PREF_BASE_UPPER32, 0);
    pci_set_long(c + PCI_PREF_LIMIT_UPPER32, 0);
    pci_set_word(c + PCI_BRIDGE_CONTROL, 0);
}

static const TypeInfo pci_bridge_types[] = {
    {
        .name = TYPE_PCI_BRIDGE,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIBridge),
        .abstract = true,
    },
};

DEFINE_TYPES(pci_bridge_types)
