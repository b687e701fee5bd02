/*
 * PCI buses and devices: address assignment, emulated configuration space,
 * BAR mapping, the standard capability list, INTx, IOMMU hook-up.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci_bridge.h"
#include "trace.h"

/*
 * BARs sit below RAM and the fixed devices: a BAR the guest programs over
 * them is shadowed, as it is behind QEMU's PCI hole.
 */
#define PCI_BAR_PRIORITY (-1)

static const char *pci_dev_name(PCIDevice *d)
{
    return object_get_typename(OBJECT(d));
}

uint16_t pci_requester_id(PCIDevice *dev)
{
    return PCI_BUILD_BDF(pci_dev_bus_num(dev), dev->devfn);
}

uint16_t pci_get_bdf(PCIDevice *dev)
{
    return PCI_BUILD_BDF(pci_dev_bus_num(dev), dev->devfn);
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* ------------------------------------------------------------------ */
/* The "addr" property: "SLOT[.FN]" in hex, or unset                   */

static bool parse_hex(const char *s, const char **end, unsigned long *out)
{
    char *e;

    if (!g_ascii_isxdigit(*s)) {
        return false;
    }
    errno = 0;
    *out = strtoul(s, &e, 16);
    if (errno || e == s) {
        return false;
    }
    *end = e;
    return true;
}

static bool set_pci_devfn(Object *obj, const Property *prop, const char *value,
                          Error **errp)
{
    int32_t *ptr = (int32_t *)((char *)obj + prop->offset);
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);
    unsigned long slot, fn = 0;
    const char *p = value;

    if (dev && dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", prop->name,
                   dev->id ? dev->id : "<anon>", object_get_typename(obj));
        return false;
    }
    if (!strcmp(value, "-1")) {
        *ptr = PCI_DEVFN_AUTO;
        return true;
    }
    if (!parse_hex(p, &p, &slot)) {
        goto bad;
    }
    if (*p == '.') {
        p++;
        if (!parse_hex(p, &p, &fn)) {
            goto bad;
        }
    }
    if (*p || slot >= PCI_SLOT_MAX || fn >= PCI_FUNC_MAX) {
        goto bad;
    }
    *ptr = PCI_DEVFN(slot, fn);
    return true;

bad:
    error_setg(errp, "Property '%s.%s' doesn't take value '%s'",
               object_get_typename(obj), prop->name, value);
    return false;
}

static char *print_pci_devfn(Object *obj, const Property *prop)
{
    int32_t devfn = *(int32_t *)((char *)obj + prop->offset);

    if (devfn < 0) {
        return g_strdup("<unset>");
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static void default_pci_devfn(Object *obj, const Property *prop)
{
    if (prop->set_default) {
        *(int32_t *)((char *)obj + prop->offset) = prop->defval.i;
    }
}

const PropertyInfo qdev_prop_pci_devfn = {
    .type = "int32",
    .description = "Slot and optional function number, example: 06.0 or 06",
    .set = set_pci_devfn,
    .print = print_pci_devfn,
    .set_default = default_pci_devfn,
};

/* ------------------------------------------------------------------ */
/* Bus                                                                 */

static bool pci_slot_free(PCIBus *bus, int slot)
{
    for (int fn = 0; fn < PCI_FUNC_MAX; fn++) {
        if (bus->devices[PCI_DEVFN(slot, fn)]) {
            return false;
        }
    }
    return true;
}

/*
 * Below a PCIe root or downstream port the link has one device: device
 * number 0 (without ARI, which is not modelled).
 */
static int pci_bus_nr_slots(PCIBus *bus)
{
    PCIDevice *br = bus->parent_dev;
    uint8_t type = br ? pcie_cap_get_type(br) : 0;

    if (br && (type == PCI_EXP_TYPE_ROOT_PORT ||
               type == PCI_EXP_TYPE_DOWNSTREAM)) {
        return 1;
    }
    return PCI_SLOT_MAX;
}

/* Pick or check @d's devfn on @bus.  Idempotent once assigned. */
static bool pci_bus_assign_devfn(PCIBus *bus, PCIDevice *d, Error **errp)
{
    int nr_slots = pci_bus_nr_slots(bus);
    PCIDevice *other;

    if (d->devfn >= 0 && d->devfn < PCI_DEVFN_MAX &&
        PCI_SLOT(d->devfn) >= nr_slots) {
        error_setg(errp, "PCI: slot %d is not valid for %s, parent device "
                   "only allows plugging into slot 0.", PCI_SLOT(d->devfn),
                   pci_dev_name(d));
        return false;
    }
    if (d->devfn < 0) {
        for (int slot = 0; slot < nr_slots; slot++) {
            if (pci_slot_free(bus, slot)) {
                d->devfn = PCI_DEVFN(slot, 0);
                return true;
            }
        }
        error_setg(errp, "PCI: no slot/function available for %s, "
                   "all in use or reserved", pci_dev_name(d));
        return false;
    }
    if (d->devfn >= PCI_DEVFN_MAX) {
        error_setg(errp, "PCI: invalid devfn %d for %s", d->devfn,
                   pci_dev_name(d));
        return false;
    }
    other = bus->devices[d->devfn];
    if (other && other != d) {
        error_setg(errp, "PCI: slot %d function %d not available for %s, "
                   "in use by %s", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                   pci_dev_name(d), pci_dev_name(other));
        return false;
    }
    return true;
}

static bool pci_bus_check_address(BusState *qbus, DeviceState *qdev,
                                  Error **errp)
{
    PCIDevice *d = (PCIDevice *)object_dynamic_cast(OBJECT(qdev),
                                                    TYPE_PCI_DEVICE);

    if (!d) {
        error_setg(errp, "Device '%s' is not a PCI device",
                   object_get_typename(OBJECT(qdev)));
        return false;
    }
    return pci_bus_assign_devfn(PCI_BUS(qbus), d, errp);
}

/* device_del: the bridge above a secondary bus decides (hot-plug slot). */
static int pci_bus_unplug_request(BusState *qbus, DeviceState *qdev,
                                  Error **errp)
{
    PCIBus *bus = PCI_BUS(qbus);
    PCIDevice *br = bus->parent_dev;
    PCIDeviceClass *bc = br ? PCI_DEVICE_GET_CLASS(br) : NULL;
    PCIDevice *d = (PCIDevice *)object_dynamic_cast(OBJECT(qdev),
                                                    TYPE_PCI_DEVICE);

    if (!d || !bc || !bc->child_unplug_request) {
        return 0;
    }
    return bc->child_unplug_request(br, d, errp);
}

static void pci_bus_class_init(ObjectClass *klass, const void *data)
{
    BusClass *bc = OBJECT_CLASS_CHECK(BusClass, klass, TYPE_BUS);

    bc->check_address = pci_bus_check_address;
    bc->unplug_request = pci_bus_unplug_request;
}

void pci_bus_irqs(PCIBus *bus, const qemu_irq irqs[PCI_NUM_PINS])
{
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        bus->intx[i] = irqs[i];
    }
}

/*
 * A Type 1 configuration request for @bus_num reaches the secondary bus
 * of the bridge whose [secondary, subordinate] range holds it: a Type 0
 * request there if it is the secondary bus, else passed on downstream.
 * A bridge the guest has not numbered (secondary 0) forwards nothing.
 * The walk follows the device tree, which has no cycles, whatever
 * numbers the guest wrote.
 */
PCIBus *pci_find_bus_nr(PCIBus *bus, int bus_num)
{
    if (!bus) {
        return NULL;
    }
    if (bus->powered_off) {
        return NULL;
    }
    if (pci_bus_num(bus) == bus_num && (pci_bus_is_root(bus) || bus_num)) {
        return bus;
    }
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];
        PCIBus *sec;
        int first, last;

        if (!d || !pci_is_bridge(d)) {
            continue;
        }
        sec = pci_bridge_secondary_bus(d);
        first = d->config[PCI_SECONDARY_BUS];
        last = d->config[PCI_SUBORDINATE_BUS];
        if (sec && first && first <= bus_num && bus_num <= last) {
            return pci_find_bus_nr(sec, bus_num);
        }
    }
    return NULL;
}

bool pci_bus_is_addressable(const PCIBus *bus)
{
    /* Bounded by the depth of the device tree. */
    for (; bus && bus->parent_dev; bus = bus->parent_dev->bus) {
        const PCIDevice *br = bus->parent_dev;
        const PCIBus *up = br->bus;
        int sec, sub;

        if (!br->config || !up || bus->powered_off) {
            return false;
        }
        sec = br->config[PCI_SECONDARY_BUS];
        sub = br->config[PCI_SUBORDINATE_BUS];
        if (!sec || sub < sec) {
            return false;
        }
        /* Behind another bridge: inside that bridge's range, below it. */
        if (up->parent_dev && up->parent_dev->config &&
            (sec <= pci_bus_num(up) ||
             sec > up->parent_dev->config[PCI_SUBORDINATE_BUS])) {
            return false;
        }
    }
    return bus != NULL;
}

PCIDevice *pci_find_device(PCIBus *bus, int bus_num, uint8_t devfn)
{
    PCIBus *b = pci_find_bus_nr(bus, bus_num);

    return b ? b->devices[devfn] : NULL;
}

void pci_for_each_device(PCIBus *bus, int bus_num,
                         void (*fn)(PCIBus *bus, PCIDevice *dev, void *opaque),
                         void *opaque)
{
    PCIBus *b = pci_find_bus_nr(bus, bus_num);

    for (int devfn = 0; b && devfn < PCI_DEVFN_MAX; devfn++) {
        if (b->devices[devfn]) {
            fn(b, b->devices[devfn], opaque);
        }
    }
}

PCIBus *pci_device_root_bus(const PCIDevice *dev)
{
    PCIBus *bus = dev->bus;

    while (bus && bus->parent_dev && bus->parent_dev->bus) {
        bus = bus->parent_dev->bus;
    }
    return bus;
}

PCIBus *pci_find_primary_bus(void)
{
    BusState *b = qbus_find("pcie.0");

    if (!b || !object_dynamic_cast(OBJECT(b), TYPE_PCI_BUS)) {
        return NULL;
    }
    return PCI_BUS(b);
}

/* ------------------------------------------------------------------ */
/* IOMMU                                                               */

void pci_setup_iommu(PCIBus *bus, const PCIIOMMUOps *ops, void *opaque)
{
    bus->iommu_ops = ops;
    bus->iommu_opaque = opaque;
}

/*
 * The bus whose vIOMMU translates for devices on @bus: the nearest one
 * up the tree with IOMMU ops (the root bus, in practice).  The ops are
 * still called with the device's own bus and devfn: a PCIe root port
 * forwards requests with the requester ID unchanged (no aliasing, unlike
 * a conventional PCI bridge), and the vIOMMU derives that ID from the bus
 * whenever it needs it.
 */
static PCIBus *pci_iommu_bus(PCIBus *bus)
{
    while (bus && !bus->iommu_ops && bus->parent_dev) {
        bus = bus->parent_dev->bus;
    }
    return bus && bus->iommu_ops ? bus : NULL;
}

AddressSpace *pci_bus_iommu_address_space(PCIBus *bus, int devfn)
{
    PCIBus *ib = pci_iommu_bus(bus);

    get_system_memory();        /* makes sure address_space_memory is set */
    if (ib && ib->iommu_ops->get_address_space) {
        AddressSpace *as = ib->iommu_ops->get_address_space(bus,
                                                            ib->iommu_opaque,
                                                            devfn);
        if (as) {
            return as;
        }
    }
    return &address_space_memory;
}

AddressSpace *pci_device_iommu_address_space(PCIDevice *dev)
{
    return pci_bus_iommu_address_space(dev->bus, dev->devfn);
}

bool pci_device_set_iommu_device(PCIDevice *dev, HostIOMMUDevice *hiod,
                                 Error **errp)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (ib && ib->iommu_ops->set_iommu_device) {
        return ib->iommu_ops->set_iommu_device(dev->bus, ib->iommu_opaque,
                                               dev->devfn, hiod, errp);
    }
    return true;
}

void pci_device_unset_iommu_device(PCIDevice *dev)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (ib && ib->iommu_ops->unset_iommu_device) {
        ib->iommu_ops->unset_iommu_device(dev->bus, ib->iommu_opaque,
                                          dev->devfn);
    }
}

uint64_t pci_device_get_viommu_flags(PCIDevice *dev)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (ib && ib->iommu_ops->get_viommu_flags) {
        return ib->iommu_ops->get_viommu_flags(ib->iommu_opaque);
    }
    return 0;
}

int pci_pri_request_page(PCIDevice *dev, uint32_t pasid, bool priv_req,
                         bool exec_req, hwaddr addr, bool lpig, uint16_t prgi,
                         bool is_read, bool is_write)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (!pci_bus_master_enabled(dev) || !pcie_pri_enabled(dev) ||
        (pasid != PCI_NO_PASID && !pcie_pasid_enabled(dev))) {
        trace_pci_pri_refused(pci_dev_name(dev), pasid, addr);
        return -EPERM;
    }
    if (!ib || !ib->iommu_ops->pri_request_page) {
        return -ENODEV;
    }
    return ib->iommu_ops->pri_request_page(dev->bus, ib->iommu_opaque,
                                           dev->devfn, pasid, priv_req,
                                           exec_req, addr, lpig, prgi,
                                           is_read, is_write);
}

int pci_pri_register_notifier(PCIDevice *dev, uint32_t pasid,
                              IOMMUPRINotifier *notifier)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (!ib || !ib->iommu_ops->pri_register_notifier) {
        return -ENODEV;
    }
    return ib->iommu_ops->pri_register_notifier(dev->bus, ib->iommu_opaque,
                                                dev->devfn, pasid, notifier);
}

void pci_pri_unregister_notifier(PCIDevice *dev, uint32_t pasid)
{
    PCIBus *ib = pci_iommu_bus(dev->bus);

    if (ib && ib->iommu_ops->pri_unregister_notifier) {
        ib->iommu_ops->pri_unregister_notifier(dev->bus, ib->iommu_opaque,
                                               dev->devfn, pasid);
    }
}

bool pci_bus_master_enabled(const PCIDevice *dev)
{
    /* Bounded by the depth of the device tree. */
    for (const PCIDevice *d = dev; d; d = d->bus ? d->bus->parent_dev : NULL) {
        if (!d->config || (d->bus && d->bus->powered_off) ||
            !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
            return false;
        }
    }
    return true;
}

MemTxResult pci_dma_rw(PCIDevice *dev, dma_addr_t addr, void *buf,
                       dma_addr_t len, bool is_write)
{
    if (!pci_bus_master_enabled(dev)) {
        trace_pci_dma_blocked(pci_dev_name(dev), pci_requester_id(dev), addr,
                              len, is_write);
        if (!is_write) {
            memset(buf, 0xff, len);
        }
        return MEMTX_DECODE_ERROR;
    }
    return address_space_rw(pci_device_iommu_address_space(dev), addr,
                            pci_requester_attrs(dev), buf, len, is_write);
}

/* ------------------------------------------------------------------ */
/* INTx                                                                */

static bool pci_intx_disabled(PCIDevice *d)
{
    return pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
}

static int pci_intx_line(PCIDevice *d)
{
    int pin = pci_get_byte(d->config + PCI_INTERRUPT_PIN);

    if (pin < 1 || pin > PCI_NUM_PINS) {
        return -1;
    }
    return (pin - 1 + PCI_SLOT(d->devfn)) % PCI_NUM_PINS;
}

/*
 * Tell the bus that the level @d drives changed by @delta (+1/-1).  A
 * bridge passes its secondary bus's INTx lines up as its own pins, with
 * the same swizzle by its slot (PCI-to-PCI Bridge Architecture 9.1), up
 * to the root bus where the lines meet the interrupt controller.
 */
static void pci_intx_change(PCIDevice *d, int delta)
{
    PCIBus *bus = d->bus;
    int line = pci_intx_line(d);

    if (!bus || line < 0) {
        return;
    }
    while (bus->parent_dev && bus->parent_dev->bus) {
        line = (line + PCI_SLOT(bus->parent_dev->devfn)) % PCI_NUM_PINS;
        bus = bus->parent_dev->bus;
    }
    bus->intx_count[line] += delta;
    trace_pci_intx(pci_dev_name(d), line, bus->intx_count[line] != 0);
    qemu_set_irq(bus->intx[line], bus->intx_count[line] != 0);
}

void pci_set_irq(PCIDevice *d, int level)
{
    bool old_eff, new_eff;

    level = !!level;
    if (d->irq_state == level) {
        return;
    }
    if (pci_intx_line(d) < 0) {
        trace_pci_intx_no_pin(pci_dev_name(d));
        return;
    }
    old_eff = d->irq_state && !pci_intx_disabled(d);
    d->irq_state = level;
    if (level) {
        pci_word_test_and_set_mask(d->config + PCI_STATUS,
                                   PCI_STATUS_INTERRUPT);
    } else {
        pci_word_test_and_clear_mask(d->config + PCI_STATUS,
                                     PCI_STATUS_INTERRUPT);
    }
    new_eff = d->irq_state && !pci_intx_disabled(d);
    if (old_eff != new_eff) {
        pci_intx_change(d, new_eff ? 1 : -1);
    }
}

/* ------------------------------------------------------------------ */
/* BARs                                                                */

static int pci_bar_offset(int region_num)
{
    return PCI_BASE_ADDRESS_0 + region_num * 4;
}

void pci_register_bar(PCIDevice *dev, int region_num, uint8_t type,
                      MemoryRegion *memory)
{
    PCIIORegion *r;
    uint64_t size = memory_region_size(memory);
    uint64_t wmask;
    int off;
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (type & PCI_BASE_ADDRESS_MEM_TYPE_64);

    /* Programming errors in the device model, never guest input. */
    g_assert(region_num >= 0 && region_num < PCI_ROM_SLOT);
    g_assert(!is64 || region_num < PCI_ROM_SLOT - 1);
    g_assert(size && !(size & (size - 1)));
    g_assert(size >= ((type & PCI_BASE_ADDRESS_SPACE_IO) ? 4 : 16));
    g_assert(is64 || size <= (1ULL << 31));

    r = &dev->io_regions[region_num];
    r->addr = PCI_BAR_UNMAPPED;
    r->size = size;
    r->type = type;
    r->memory = memory;

    off = pci_bar_offset(region_num);
    wmask = ~(size - 1);
    /* Low type bits are read-only (masks widened to 64 bits). */
    wmask &= (type & PCI_BASE_ADDRESS_SPACE_IO) ? ~(uint64_t)0x3 :
                                                   ~(uint64_t)0xf;
    pci_set_long(dev->config + off, type);
    pci_set_long(dev->wmask + off, (uint32_t)wmask);
    pci_set_long(dev->cmask + off, 0xffffffff);
    if (is64) {
        pci_set_long(dev->config + off + 4, 0);
        pci_set_long(dev->wmask + off + 4, (uint32_t)(wmask >> 32));
        pci_set_long(dev->cmask + off + 4, 0xffffffff);
    }
}

pcibus_t pci_get_bar_addr(PCIDevice *dev, int region_num)
{
    if (region_num < 0 || region_num >= PCI_NUM_REGIONS) {
        return PCI_BAR_UNMAPPED;
    }
    return dev->io_regions[region_num].addr;
}

/*
 * Does every bridge above @d pass memory requests for [@first, @last]
 * down to it: memory decode on, the range inside its memory or its
 * prefetchable window (PCI-to-PCI Bridge Architecture 4.3, 4.4), the
 * slot powered?  A BAR only partly inside a window is not mapped.
 */
static bool pci_bridges_forward(const PCIDevice *d, pcibus_t first,
                                pcibus_t last)
{
    /* Bounded by the depth of the device tree. */
    for (const PCIBus *bus = d->bus; bus && bus->parent_dev;
         bus = bus->parent_dev->bus) {
        const PCIDevice *br = bus->parent_dev;
        pcibus_t base, limit;

        if (bus->powered_off || !br->config ||
            !(pci_get_word(br->config + PCI_COMMAND) & PCI_COMMAND_MEMORY)) {
            return false;
        }
        base = (pcibus_t)(pci_get_word(br->config + PCI_MEMORY_BASE) &
                          PCI_MEMORY_RANGE_MASK) << 16;
        limit = ((pcibus_t)(pci_get_word(br->config + PCI_MEMORY_LIMIT) &
                            PCI_MEMORY_RANGE_MASK) << 16) | 0xfffff;
        if (first >= base && last <= limit) {
            continue;
        }
        base = (pcibus_t)(pci_get_word(br->config + PCI_PREF_MEMORY_BASE) &
                          PCI_PREF_RANGE_MASK) << 16 |
               (pcibus_t)pci_get_long(br->config + PCI_PREF_BASE_UPPER32) << 32;
        limit = ((pcibus_t)(pci_get_word(br->config + PCI_PREF_MEMORY_LIMIT) &
                            PCI_PREF_RANGE_MASK) << 16) | 0xfffff |
                (pcibus_t)pci_get_long(br->config +
                                       PCI_PREF_LIMIT_UPPER32) << 32;
        if (first >= base && last <= limit) {
            continue;
        }
        return false;
    }
    return true;
}

/* Where BAR @i should be mapped now, or PCI_BAR_UNMAPPED. */
static pcibus_t pci_bar_address(PCIDevice *d, int i)
{
    PCIIORegion *r = &d->io_regions[i];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    int off = pci_bar_offset(i);
    pcibus_t new_addr, last_addr;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        return PCI_BAR_UNMAPPED;    /* no port I/O space in this runtime */
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        new_addr = pci_get_quad(d->config + off);
    } else {
        new_addr = pci_get_long(d->config + off);
    }
    new_addr &= ~(r->size - 1);
    last_addr = new_addr + r->size - 1;
    /* 0, the all-ones sizing pattern and wrapping ranges are not decoded. */
    if (!new_addr || last_addr <= new_addr || last_addr == PCI_BAR_UNMAPPED) {
        return PCI_BAR_UNMAPPED;
    }
    if (!(r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) && last_addr >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    if (!pci_bridges_forward(d, new_addr, last_addr)) {
        return PCI_BAR_UNMAPPED;
    }
    return new_addr;
}

void pci_update_mappings(PCIDevice *d)
{
    MemoryRegion *sysmem = get_system_memory();

    for (int i = 0; i < PCI_ROM_SLOT; i++) {
        PCIIORegion *r = &d->io_regions[i];
        pcibus_t new_addr;

        if (!r->size) {
            continue;
        }
        new_addr = pci_bar_address(d, i);
        if (new_addr == r->addr) {
            continue;
        }
        if (r->addr != PCI_BAR_UNMAPPED) {
            trace_pci_update_mappings_del(pci_dev_name(d), pci_requester_id(d),
                                          i, r->addr, r->size);
            memory_region_del_subregion(sysmem, r->memory);
        }
        r->addr = new_addr;
        if (r->addr != PCI_BAR_UNMAPPED) {
            trace_pci_update_mappings_add(pci_dev_name(d), pci_requester_id(d),
                                          i, r->addr, r->size);
            memory_region_add_subregion_overlap(sysmem, r->addr, r->memory,
                                                PCI_BAR_PRIORITY);
        }
    }
}

static void pci_unmap_all_bars(PCIDevice *d)
{
    for (int i = 0; i < PCI_ROM_SLOT; i++) {
        PCIIORegion *r = &d->io_regions[i];

        if (r->size && r->addr != PCI_BAR_UNMAPPED) {
            if (r->memory->container == get_system_memory()) {
                memory_region_del_subregion(get_system_memory(), r->memory);
            }
            r->addr = PCI_BAR_UNMAPPED;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Standard capabilities                                               */

static uint8_t pci_find_space(PCIDevice *d, uint8_t size)
{
    for (uint32_t off = PCI_CONFIG_HEADER_SIZE;
         off + size <= PCI_CONFIG_SPACE_SIZE; off += 4) {
        bool free = true;

        for (uint32_t i = 0; i < size; i++) {
            if (d->used[off + i]) {
                free = false;
                break;
            }
        }
        if (free) {
            return off;
        }
    }
    return 0;
}

int pci_add_capability(PCIDevice *dev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, Error **errp)
{
    uint8_t *config;

    if (size < 2) {
        error_setg(errp, "%s: PCI capability 0x%x of %u bytes is too small",
                   pci_dev_name(dev), cap_id, size);
        return -EINVAL;
    }
    if (!offset) {
        offset = pci_find_space(dev, size);
        if (!offset) {
            error_setg(errp, "%s: no space for PCI capability 0x%x "
                       "(%u bytes)", pci_dev_name(dev), cap_id, size);
            return -ENOSPC;
        }
    } else {
        if (offset < PCI_CONFIG_HEADER_SIZE || (offset & 3) ||
            offset + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "%s: PCI capability 0x%x at 0x%x (%u bytes) is "
                       "outside the capability area", pci_dev_name(dev),
                       cap_id, offset, size);
            return -EINVAL;
        }
        for (uint32_t i = offset; i < offset + size; i++) {
            if (dev->used[i]) {
                error_setg(errp, "%s: Attempt to add PCI capability 0x%x at "
                           "offset 0x%x overlaps an existing capability at "
                           "0x%x", pci_dev_name(dev), cap_id, offset, i);
                return -EINVAL;
            }
        }
    }

    config = dev->config + offset;
    config[PCI_CAP_LIST_ID] = cap_id;
    config[PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = offset;
    pci_word_test_and_set_mask(dev->config + PCI_STATUS, PCI_STATUS_CAP_LIST);
    memset(dev->used + offset, 0xff, QEMU_ALIGN_UP(size, 4));
    /* Read-only unless the capability code opens fields up. */
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    memset(dev->cmask + offset, 0xff, size);
    return offset;
}

/* Offset of the list pointer that points at capability @cap_id. */
static uint8_t pci_find_capability_prev(PCIDevice *d, uint8_t cap_id,
                                        uint8_t *prev_p)
{
    uint8_t prev = PCI_CAPABILITY_LIST;
    uint8_t next;

    if (!(pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    /* At most 48 capabilities fit; bound the walk against loops. */
    for (int n = 0; n < 48; n++) {
        next = d->config[prev] & ~3;
        if (next < PCI_CONFIG_HEADER_SIZE) {
            return 0;
        }
        if (d->config[next + PCI_CAP_LIST_ID] == cap_id) {
            if (prev_p) {
                *prev_p = prev;
            }
            return next;
        }
        prev = next + PCI_CAP_LIST_NEXT;
    }
    return 0;
}

uint8_t pci_find_capability(PCIDevice *dev, uint8_t cap_id)
{
    return pci_find_capability_prev(dev, cap_id, NULL);
}

void pci_del_capability(PCIDevice *dev, uint8_t cap_id, uint8_t size)
{
    uint8_t prev = 0;
    uint8_t offset = pci_find_capability_prev(dev, cap_id, &prev);

    if (!offset) {
        return;
    }
    dev->config[prev] = dev->config[offset + PCI_CAP_LIST_NEXT];
    memset(dev->config + offset, 0, size);
    memset(dev->wmask + offset, 0, size);
    memset(dev->w1cmask + offset, 0, size);
    memset(dev->cmask + offset, 0, size);
    memset(dev->used + offset, 0, QEMU_ALIGN_UP(size, 4));
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        pci_word_test_and_clear_mask(dev->config + PCI_STATUS,
                                     PCI_STATUS_CAP_LIST);
    }
}

/* ------------------------------------------------------------------ */
/* Config space                                                        */

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t address, int len)
{
    if (len < 1 || len > 4 || address + len > dev->config_size) {
        return ~0u;
    }
    return (uint32_t)ldn_le_p(dev->config + address, len);
}

void pci_default_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                              int len)
{
    uint16_t old_cmd = pci_get_word(d->config + PCI_COMMAND);
    bool old_intx_eff = d->irq_state && !pci_intx_disabled(d);

    if (len < 1 || len > 4 || addr + len > d->config_size) {
        return;
    }
    for (int i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t wm = d->wmask[a];
        uint8_t w1c = d->w1cmask[a];
        uint8_t v = val >> (8 * i);

        d->config[a] = (d->config[a] & ~wm) | (v & wm);
        d->config[a] &= ~(v & w1c);
    }

    if (ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) &&
        ((old_cmd ^ pci_get_word(d->config + PCI_COMMAND)) &
         PCI_COMMAND_INTX_DISABLE)) {
        bool new_intx_eff = d->irq_state && !pci_intx_disabled(d);

        if (new_intx_eff != old_intx_eff) {
            pci_intx_change(d, new_intx_eff ? 1 : -1);
        }
    }
    if (d->msi_cap && ranges_overlap(addr, len, d->msi_cap, d->msi_cap_size)) {
        msi_write_config(d, addr, val, len);
    }
    if (d->msix_cap &&
        ranges_overlap(addr, len, d->msix_cap, PCI_MSIX_SIZEOF)) {
        msix_write_config(d, addr, val, len);
    }
    if (pci_is_express(d)) {
        pcie_write_config(d, addr, val, len);
    }
}

uint32_t pci_host_config_read(PCIDevice *dev, uint32_t address, int len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);
    uint32_t val;

    if (address >= dev->config_size || address + len > dev->config_size) {
        val = len >= 4 ? ~0u : (1u << (len * 8)) - 1;
    } else {
        val = pc->config_read(dev, address, len);
    }
    trace_pci_cfg_read(pci_dev_name(dev), pci_requester_id(dev), address,
                       len, val);
    return val;
}

void pci_host_config_write(PCIDevice *dev, uint32_t address, uint32_t val,
                           int len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);

    trace_pci_cfg_write(pci_dev_name(dev), pci_requester_id(dev), address,
                        len, val);
    if (address >= dev->config_size || address + len > dev->config_size) {
        return;
    }
    pc->config_write(dev, address, val, len);
}

/* ------------------------------------------------------------------ */
/* Reset                                                               */

void pci_device_reset(PCIDevice *dev)
{
    if (!dev->config) {
        return;     /* not realized */
    }
    pci_set_irq(dev, 0);
    pci_word_test_and_clear_mask(dev->config + PCI_COMMAND,
                                 pci_get_word(dev->wmask + PCI_COMMAND) |
                                 pci_get_word(dev->w1cmask + PCI_COMMAND));
    pci_word_test_and_clear_mask(dev->config + PCI_STATUS,
                                 pci_get_word(dev->wmask + PCI_STATUS) |
                                 pci_get_word(dev->w1cmask + PCI_STATUS));
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    dev->config[PCI_LATENCY_TIMER] = 0;
    dev->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_ROM_SLOT; i++) {
        PCIIORegion *r = &dev->io_regions[i];
        int off = pci_bar_offset(i);

        if (!r->size) {
            continue;
        }
        pci_set_long(dev->config + off, r->type);
        if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) &&
            (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            pci_set_long(dev->config + off + 4, 0);
        }
    }
    pci_update_mappings(dev);
    if (dev->msi_cap) {
        msi_reset(dev);
    }
    if (dev->msix_cap) {
        msix_reset(dev);
    }
    if (pci_is_express(dev)) {
        pcie_cap_reset(dev);
    }
}

static void pci_qdev_reset(DeviceState *qdev)
{
    PCIDevice *dev = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(dev);

    pci_device_reset(dev);
    if (pc->reset) {
        pc->reset(dev);
    }
}

/* ------------------------------------------------------------------ */
/* Realize / unrealize                                                 */

static void pci_config_alloc(PCIDevice *d)
{
    d->config = g_malloc0(d->config_size);
    d->cmask = g_malloc0(d->config_size);
    d->wmask = g_malloc0(d->config_size);
    d->w1cmask = g_malloc0(d->config_size);
    d->used = g_malloc0(d->config_size);
}

static void pci_config_free(PCIDevice *d)
{
    g_clear_pointer(&d->config, g_free);
    g_clear_pointer(&d->cmask, g_free);
    g_clear_pointer(&d->wmask, g_free);
    g_clear_pointer(&d->w1cmask, g_free);
    g_clear_pointer(&d->used, g_free);
}

static void pci_config_init(PCIDevice *d, PCIDeviceClass *pc)
{
    uint8_t *c = d->config;

    pci_config_set_vendor_id(c, pc->vendor_id);
    pci_config_set_device_id(c, pc->device_id);
    pci_config_set_revision(c, pc->revision);
    pci_config_set_class(c, pc->class_id);
    c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL |
                         (d->multifunction ?
                          PCI_HEADER_TYPE_MULTI_FUNCTION : 0);
    if (pc->subsystem_vendor_id) {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
        pci_set_word(c + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    } else {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID,
                     PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(c + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
    }

    /* Identity is fixed. */
    pci_set_word(d->cmask + PCI_VENDOR_ID, 0xffff);
    pci_set_word(d->cmask + PCI_DEVICE_ID, 0xffff);
    d->cmask[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    d->cmask[PCI_REVISION_ID] = 0xff;
    d->cmask[PCI_CLASS_PROG] = 0xff;
    pci_set_word(d->cmask + PCI_CLASS_DEVICE, 0xffff);
    d->cmask[PCI_HEADER_TYPE] = 0xff;
    d->cmask[PCI_CAPABILITY_LIST] = 0xff;

    /* Writable header fields. */
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
                 PCI_COMMAND_INTX_DISABLE);
    /*
     * As in QEMU, device-specific space after the header is plain
     * read/write storage until a capability claims it.
     */
    memset(d->wmask + PCI_CONFIG_HEADER_SIZE, 0xff,
           PCI_CONFIG_SPACE_SIZE - PCI_CONFIG_HEADER_SIZE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C_MASK);
    /* The header itself is never available to capabilities. */
    memset(d->used, 0xff, PCI_CONFIG_HEADER_SIZE);
}

static void pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    BusState *qbus = qdev->parent_bus;
    Error *local_err = NULL;
    PCIDeviceClass *brc;
    PCIBus *bus;

    if (!qbus || !object_dynamic_cast(OBJECT(qbus), TYPE_PCI_BUS)) {
        error_setg(errp, "%s needs a PCI bus", pci_dev_name(d));
        return;
    }
    bus = PCI_BUS(qbus);
    if (!pci_bus_assign_devfn(bus, d, errp)) {
        return;
    }
    brc = bus->parent_dev ? PCI_DEVICE_GET_CLASS(bus->parent_dev) : NULL;
    if (brc && brc->child_pre_plug &&
        !brc->child_pre_plug(bus->parent_dev, d, qdev_hotplug, errp)) {
        return;
    }

    d->bus = bus;
    d->cap_present = 0;
    if (pc->is_express && object_dynamic_cast(OBJECT(bus), TYPE_PCIE_BUS)) {
        d->cap_present |= QEMU_PCI_CAP_EXPRESS;
    }
    if (d->multifunction) {
        d->cap_present |= QEMU_PCI_CAP_MULTIFUNCTION;
    }
    d->config_size = pci_is_express(d) ? PCIE_CONFIG_SPACE_SIZE :
                                         PCI_CONFIG_SPACE_SIZE;
    pci_config_alloc(d);
    pci_config_init(d, pc);
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        d->io_regions[i].addr = PCI_BAR_UNMAPPED;
    }
    bus->devices[d->devfn] = d;

    if (pc->realize) {
        pc->realize(d, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            pci_unmap_all_bars(d);
            bus->devices[d->devfn] = NULL;
            d->bus = NULL;
            pci_config_free(d);
            return;
        }
    }
    trace_pci_realize(pci_dev_name(d), pci_requester_id(d));
    if (brc && brc->child_plugged) {
        brc->child_plugged(bus->parent_dev, d, qdev_hotplug);
    }
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *d = PCI_DEVICE(qdev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    pci_set_irq(d, 0);
    /* BARs go first: exit may finalize the regions behind them. */
    pci_unmap_all_bars(d);
    if (pc->exit) {
        pc->exit(d);
    }
    if (d->bus && d->devfn >= 0 && d->devfn < PCI_DEVFN_MAX &&
        d->bus->devices[d->devfn] == d) {
        PCIDevice *br = d->bus->parent_dev;
        PCIDeviceClass *brc = br ? PCI_DEVICE_GET_CLASS(br) : NULL;

        d->bus->devices[d->devfn] = NULL;
        if (brc && brc->child_unplugged) {
            brc->child_unplugged(br, d);
        }
    }
    d->bus = NULL;
    pci_config_free(d);
}

PCIDevice *pci_new(int devfn, const char *name)
{
    PCIDevice *d = PCI_DEVICE(qdev_new(name));

    d->devfn = devfn;
    return d;
}

bool pci_realize_and_unref(PCIDevice *dev, PCIBus *bus, Error **errp)
{
    return qdev_realize_and_unref(DEVICE(dev), &bus->qbus, errp);
}

static const Property pci_props[] = {
    DEFINE_PROP_PCI_DEVFN("addr", PCIDevice, devfn, PCI_DEVFN_AUTO),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void pci_device_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    dc->bus_type = TYPE_PCI_BUS;
    dc->realize = pci_qdev_realize;
    dc->unrealize = pci_qdev_unrealize;
    dc->reset = pci_qdev_reset;
    pc->config_read = pci_default_read_config;
    pc->config_write = pci_default_write_config;
    device_class_set_props(dc, pci_props);
}

static void pci_device_instance_init(Object *obj)
{
    PCIDevice *d = PCI_DEVICE(obj);

    d->devfn = PCI_DEVFN_AUTO;
}

static const TypeInfo pci_types[] = {
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .class_size = sizeof(BusClass),
        .class_init = pci_bus_class_init,
    }, {
        .name = TYPE_PCIE_BUS,
        .parent = TYPE_PCI_BUS,
        .instance_size = sizeof(PCIBus),
        .class_size = sizeof(BusClass),
    }, {
        .name = TYPE_PCI_DEVICE,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_size = sizeof(PCIDeviceClass),
        .instance_init = pci_device_instance_init,
        .class_init = pci_device_class_init,
        .abstract = true,
    },
};

DEFINE_TYPES(pci_types)
