/*
 * PCIe root port with a hot-plug slot ("pcie-root-port").
 *
 * The hot-plug model is the one a Linux pciehp driver expects (PCIe Base
 * 4.0, 6.7 "PCI Express Hot-Plug Support"):
 *   device_add into the slot   Presence Detect State set, Presence Detect
 *                              Changed signalled, and Attention Button
 *                              Pressed if the slot has no power (Data Link
 *                              Layer State Changed once it has);
 *   device_del                 Attention Button Pressed signalled; the
 *                              device stays until the guest releases the
 *                              slot (power and power indicator off), then
 *                              it is removed and DEVICE_DELETED emitted;
 *   the guest releases a slot  its devices are removed, device_del or
 *                              not (a guest's eject, as in QEMU);
 *   SLTCTL writes              Command Completed signalled.
 * Events interrupt through MSI-X vector 0 when MSI-X is on, else INTx
 * (level), if SLTCTL.HPIE and the event's enable bit are set.  A slot
 * without power hides its device: configuration requests see nothing
 * and the device's own requests are dropped.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie_port.h"
#include "trace.h"

#define RP_SLTSTA_EVENTS    (PCI_EXP_SLTSTA_ABP | PCI_EXP_SLTSTA_PFD | \
                             PCI_EXP_SLTSTA_MRLSC | PCI_EXP_SLTSTA_PDC | \
                             PCI_EXP_SLTSTA_CC | PCI_EXP_SLTSTA_DLLSC)

/* Realized root ports, for the (chassis, slot) uniqueness check. */
static GSList *rp_ports;

static const char *rp_name(PCIERootPort *rp)
{
    DeviceState *dev = DEVICE(rp);

    return dev->id ? dev->id : object_get_typename(OBJECT(rp));
}

static uint8_t *rp_exp(PCIERootPort *rp)
{
    PCIDevice *d = PCI_DEVICE(rp);

    return d->config + d->exp.exp_cap;
}

static PCIBus *rp_sec_bus(PCIERootPort *rp)
{
    return PCI_BRIDGE(rp)->sec_bus;
}

static bool rp_populated(PCIERootPort *rp)
{
    PCIBus *bus = rp_sec_bus(rp);

    for (int devfn = 0; bus && devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn]) {
            return true;
        }
    }
    return false;
}

static bool rp_power_on(PCIERootPort *rp)
{
    return !(pci_get_word(rp_exp(rp) + PCI_EXP_SLTCTL) & PCI_EXP_SLTCTL_PCC);
}

/*
 * "The guest let go of the slot": power off and power indicator off, the
 * state a driver leaves behind after removing what was in it.  QEMU's
 * condition for taking the devices out.
 */
static bool rp_released(uint16_t sltctl)
{
    return (sltctl & PCI_EXP_SLTCTL_PCC) &&
           (sltctl & PCI_EXP_SLTCTL_PIC) == PCI_EXP_SLTCTL_PWR_IND_OFF;
}

/* ------------------------------------------------------------------ */
/* Slot events                                                         */

static bool rp_event_pending(PCIERootPort *rp)
{
    uint16_t ctl = pci_get_word(rp_exp(rp) + PCI_EXP_SLTCTL);
    uint16_t sta = pci_get_word(rp_exp(rp) + PCI_EXP_SLTSTA);
    uint16_t on = 0;

    if (!(ctl & PCI_EXP_SLTCTL_HPIE)) {
        return false;
    }
    on |= (ctl & PCI_EXP_SLTCTL_ABPE) ? PCI_EXP_SLTSTA_ABP : 0;
    on |= (ctl & PCI_EXP_SLTCTL_PFDE) ? PCI_EXP_SLTSTA_PFD : 0;
    on |= (ctl & PCI_EXP_SLTCTL_MRLSCE) ? PCI_EXP_SLTSTA_MRLSC : 0;
    on |= (ctl & PCI_EXP_SLTCTL_PDCE) ? PCI_EXP_SLTSTA_PDC : 0;
    on |= (ctl & PCI_EXP_SLTCTL_CCIE) ? PCI_EXP_SLTSTA_CC : 0;
    on |= (ctl & PCI_EXP_SLTCTL_DLLSCE) ? PCI_EXP_SLTSTA_DLLSC : 0;
    return sta & on;
}

/*
 * Re-evaluate the event line: an MSI-X message on each rising edge, or
 * the INTx level.
 */
static void rp_update_irq(PCIERootPort *rp)
{
    PCIDevice *d = PCI_DEVICE(rp);
    bool level = rp_event_pending(rp);

    if (msix_enabled(d)) {
        pci_set_irq(d, 0);
        if (level && !rp->irq_asserted) {
            trace_pcie_rp_notify(rp_name(rp), "msix");
            msix_notify(d, 0);
        }
    } else {
        if (level != rp->irq_asserted) {
            trace_pcie_rp_notify(rp_name(rp), level ? "intx 1" : "intx 0");
        }
        pci_set_irq(d, level);
    }
    rp->irq_asserted = level;
}

static void rp_slot_event(PCIERootPort *rp, uint16_t events)
{
    uint8_t *exp = rp_exp(rp);

    pci_word_test_and_set_mask(exp + PCI_EXP_SLTSTA, events);
    trace_pcie_rp_slot_event(rp_name(rp), events,
                             pci_get_word(exp + PCI_EXP_SLTSTA));
    rp_update_irq(rp);
}

/*
 * Presence and link follow the slot: Presence Detect State while a device
 * sits in it, Data Link Layer Link Active while it also has power.  A
 * change of either is an event.
 */
static void rp_update_presence(PCIERootPort *rp, bool signal)
{
    uint8_t *exp = rp_exp(rp);
    bool present = rp_populated(rp);
    bool link = present && rp_power_on(rp);
    bool was_present = pci_get_word(exp + PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_PDS;
    bool had_link = pci_get_word(exp + PCI_EXP_LNKSTA) & PCI_EXP_LNKSTA_DLLLA;
    uint16_t events = 0;

    if (present) {
        pci_word_test_and_set_mask(exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
    } else {
        pci_word_test_and_clear_mask(exp + PCI_EXP_SLTSTA, PCI_EXP_SLTSTA_PDS);
    }
    if (link) {
        pci_word_test_and_set_mask(exp + PCI_EXP_LNKSTA, PCI_EXP_LNKSTA_DLLLA);
    } else {
        pci_word_test_and_clear_mask(exp + PCI_EXP_LNKSTA,
                                     PCI_EXP_LNKSTA_DLLLA);
    }
    if (rp_sec_bus(rp)->powered_off != !rp_power_on(rp)) {
        rp_sec_bus(rp)->powered_off = !rp_power_on(rp);
        pci_bridge_update_mappings(rp_sec_bus(rp));
    }
    if (!signal) {
        return;
    }
    events |= present != was_present ? PCI_EXP_SLTSTA_PDC : 0;
    events |= link != had_link ? PCI_EXP_SLTSTA_DLLSC : 0;
    if (events) {
        rp_slot_event(rp, events);
    }
}

/* ------------------------------------------------------------------ */
/* Devices in the slot                                                 */

static bool rp_child_pre_plug(PCIDevice *bridge, PCIDevice *child, bool hot,
                              Error **errp)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(bridge);

    if (hot && !rp->hotplug) {
        error_setg(errp, "Hot-plug failed: unsupported by the port device "
                   "'%s' (hotplug=off)", rp_name(rp));
        return false;
    }
    return true;
}

static void rp_child_plugged(PCIDevice *bridge, PCIDevice *child, bool hot)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(bridge);

    trace_pcie_rp_plug(rp_name(rp), object_get_typename(OBJECT(child)), hot);
    /*
     * Into a slot without power, the user also presses the button, as
     * QEMU does: Linux enables ABPE rather than PDCE on slots with a
     * button, and powers the slot on when it is pressed.
     */
    if (hot && !rp_power_on(rp)) {
        rp_slot_event(rp, PCI_EXP_SLTSTA_ABP);
    }
    rp_update_presence(rp, hot);
}

static void rp_child_unplugged(PCIDevice *bridge, PCIDevice *child)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(bridge);

    trace_pcie_rp_unplug(rp_name(rp), object_get_typename(OBJECT(child)));
    /* The slot reports the device gone only while hot-plug is live. */
    rp_update_presence(rp, qdev_hotplug);
}

static int rp_child_unplug_request(PCIDevice *bridge, PCIDevice *child,
                                   Error **errp)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(bridge);

    if (!rp->hotplug) {
        error_setg(errp, "Hot-unplug failed: unsupported by the port device "
                   "'%s' (hotplug=off)", rp_name(rp));
        return -ENOTSUP;
    }
    /* A released slot has no driver using the device: remove now. */
    if (rp_released(pci_get_word(rp_exp(rp) + PCI_EXP_SLTCTL))) {
        trace_pcie_rp_unplug_request(rp_name(rp), "slot released");
        return 0;
    }
    trace_pcie_rp_unplug_request(rp_name(rp), "attention button");
    rp_slot_event(rp, PCI_EXP_SLTSTA_ABP);
    return 1;
}

/*
 * Take devices out of the slot, with DEVICE_DELETED: all of them when the
 * guest released the slot (asked by device_del or not: a guest's eject,
 * as in QEMU), else those device_del waits for.
 */
static void rp_remove_devices(PCIERootPort *rp, bool all)
{
    PCIBus *bus = rp_sec_bus(rp);

    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        PCIDevice *d = bus->devices[devfn];

        if (d && (all || DEVICE(d)->pending_deleted_event)) {
            qdev_unplug_complete(DEVICE(d));
        }
    }
}

/* ------------------------------------------------------------------ */
/* Config space                                                        */

static void rp_write_config(PCIDevice *d, uint32_t addr, uint32_t val,
                            int len)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(d);
    uint32_t sltctl_off = d->exp.exp_cap + PCI_EXP_SLTCTL;
    uint32_t sltsta_off = d->exp.exp_cap + PCI_EXP_SLTSTA;
    uint16_t old_ctl = pci_get_word(d->config + sltctl_off);
    bool ctl_written = addr < sltctl_off + 2 && sltctl_off < addr + len;
    bool sta_written = addr < sltsta_off + 2 && sltsta_off < addr + len;
    bool msix_written = d->msix_cap &&
                        addr < d->msix_cap + PCI_MSIX_SIZEOF &&
                        d->msix_cap < addr + len;
    uint16_t ctl;

    pci_bridge_write_config(d, addr, val, len);
    if (!ctl_written) {
        if (sta_written || msix_written) {
            rp_update_irq(rp);      /* events cleared, or MSI-X toggled */
        }
        return;
    }
    ctl = pci_get_word(d->config + sltctl_off);
    trace_pcie_rp_sltctl(rp_name(rp), old_ctl, ctl);
    /*
     * Only on the edge: a guest may rewrite a released slot's control.
     * The devices go from a bottom half, never inside this write: it may
     * be another device's DMA or MSI (an IOMMU's event record or status
     * write the guest aimed here), issued while that device walks the
     * very devices the removal would free.  The powered-off bus already
     * hides them from the guest.
     */
    if (!rp_released(old_ctl) && rp_released(ctl)) {
        trace_pcie_rp_released(rp_name(rp));
        rp->unplug_all = true;
        qemu_bh_schedule(rp->unplug_bh);
    }
    if ((old_ctl ^ ctl) & PCI_EXP_SLTCTL_PCC) {
        rp_update_presence(rp, true);
    }
    /* Each write of the register is a command, completed at once. */
    rp_slot_event(rp, PCI_EXP_SLTSTA_CC);
}

static void rp_slot_init(PCIERootPort *rp)
{
    PCIDevice *d = PCI_DEVICE(rp);
    uint8_t pos = d->exp.exp_cap;
    uint32_t cap = ((uint32_t)rp->slot << PCI_EXP_SLTCAP_PSN_SHIFT) &
                   PCI_EXP_SLTCAP_PSN;

    pci_word_test_and_set_mask(d->config + pos + PCI_EXP_FLAGS,
                               PCI_EXP_FLAGS_SLOT);
    pci_long_test_and_set_mask(d->config + pos + PCI_EXP_LNKCAP,
                               PCI_EXP_LNKCAP_DLLLARC);
    if (rp->hotplug) {
        cap |= PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_PCP |
               PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP | PCI_EXP_SLTCAP_HPC;
        pci_set_word(d->wmask + pos + PCI_EXP_SLTCTL,
                     PCI_EXP_SLTCTL_ABPE | PCI_EXP_SLTCTL_PFDE |
                     PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_CCIE |
                     PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_AIC |
                     PCI_EXP_SLTCTL_PIC | PCI_EXP_SLTCTL_PCC |
                     PCI_EXP_SLTCTL_DLLSCE);
        pci_set_word(d->w1cmask + pos + PCI_EXP_SLTSTA, RP_SLTSTA_EVENTS);
    }
    pci_set_long(d->config + pos + PCI_EXP_SLTCAP, cap);
}

/*
 * Slot after reset, as QEMU leaves it: a populated slot has power, an
 * empty one not; indicators off (the guest's driver sets them); no event
 * pending.
 */
static void rp_slot_reset(PCIERootPort *rp)
{
    uint8_t *exp = rp_exp(rp);
    uint16_t ctl = 0;   /* no indicators, no power controller: always on */

    if (rp->hotplug) {
        ctl = PCI_EXP_SLTCTL_ATTN_IND_OFF | PCI_EXP_SLTCTL_PWR_IND_OFF;
        ctl |= rp_populated(rp) ? 0 : PCI_EXP_SLTCTL_PCC;
    }
    pci_set_word(exp + PCI_EXP_SLTCTL, ctl);
    pci_word_test_and_clear_mask(exp + PCI_EXP_SLTSTA, RP_SLTSTA_EVENTS);
    rp_update_presence(rp, false);
    rp->irq_asserted = false;
    pci_set_irq(PCI_DEVICE(rp), 0);
}

/*
 * Removals the port does itself, out of the path that asked for them: all
 * devices after the guest released the slot, those device_del waits for
 * after a reset (which ends the guest that was to answer the button).
 */
static void rp_unplug_bh(void *opaque)
{
    PCIERootPort *rp = opaque;
    bool all = rp->unplug_all;

    rp->unplug_all = false;
    rp_remove_devices(rp, all);
}

static void rp_reset(PCIDevice *d)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(d);
    PCIBus *bus = rp_sec_bus(rp);

    pci_bridge_reset(d);
    rp_slot_reset(rp);
    for (int devfn = 0; devfn < PCI_DEVFN_MAX; devfn++) {
        if (bus->devices[devfn] &&
            DEVICE(bus->devices[devfn])->pending_deleted_event) {
            /* Not from here: the reset still walks the device list. */
            qemu_bh_schedule(rp->unplug_bh);
            break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Device                                                              */

static bool rp_check_unique(PCIERootPort *rp, Error **errp)
{
    for (GSList *l = rp_ports; l; l = l->next) {
        PCIERootPort *o = l->data;

        if (o->chassis == rp->chassis && o->slot == rp->slot) {
            error_setg(errp, "pcie-root-port: chassis %u slot %u is already "
                       "used by '%s'; give each root port its own "
                       "chassis/slot pair", rp->chassis, rp->slot,
                       rp_name(o));
            return false;
        }
    }
    return true;
}

static void rp_realize(PCIDevice *d, Error **errp)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(d);
    int ret;

    if (!pci_is_express(d)) {
        error_setg(errp, "pcie-root-port must sit on a PCI Express bus "
                   "(bus=pcie.0)");
        return;
    }
    if (!pci_bus_is_root(d->bus)) {
        error_setg(errp, "pcie-root-port must sit on a root bus (pcie.0), "
                   "not behind another port");
        return;
    }
    if (!rp_check_unique(rp, errp)) {
        return;
    }
    pci_bridge_init(d, TYPE_PCIE_BUS);
    pci_config_set_interrupt_pin(d->config, 1);
    ret = pcie_cap_init(d, 0, PCI_EXP_TYPE_ROOT_PORT, rp->port, errp);
    if (ret < 0) {
        return;
    }
    rp_slot_init(rp);
    ret = msix_init_exclusive_bar(d, 1, 0, errp);
    if (ret < 0) {
        return;
    }
    /* Its slot events (MSI-X) come from the port: guard them as such. */
    rp->unplug_bh = qemu_bh_new_guarded(rp_unplug_bh, rp,
                                        &DEVICE(rp)->engaged_in_io);
    rp_slot_reset(rp);
    rp_ports = g_slist_prepend(rp_ports, rp);
    trace_pcie_rp_realize(rp_name(rp), rp->chassis, rp->slot, rp->port,
                          rp_sec_bus(rp)->qbus.name);
}

static void rp_exit(PCIDevice *d)
{
    PCIERootPort *rp = PCIE_ROOT_PORT(d);

    rp_ports = g_slist_remove(rp_ports, rp);
    g_clear_pointer(&rp->unplug_bh, qemu_bh_delete);
    msix_uninit_exclusive_bar(d);
}

static const Property rp_props[] = {
    DEFINE_PROP_UINT8("port", PCIERootPort, port, 0),
    DEFINE_PROP_UINT8("chassis", PCIERootPort, chassis, 0),
    DEFINE_PROP_UINT16("slot", PCIERootPort, slot, 0),
    DEFINE_PROP_BOOL("hotplug", PCIERootPort, hotplug, true),
    DEFINE_PROP_END_OF_LIST(),
};

static void rp_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(klass);

    dc->desc = "PCI Express Root Port";
    dc->user_creatable = true;
    /* As in QEMU: a root port is created with the machine, never hot. */
    dc->hotpluggable = false;
    pc->realize = rp_realize;
    pc->exit = rp_exit;
    pc->reset = rp_reset;
    pc->config_write = rp_write_config;
    pc->child_pre_plug = rp_child_pre_plug;
    pc->child_plugged = rp_child_plugged;
    pc->child_unplugged = rp_child_unplugged;
    pc->child_unplug_request = rp_child_unplug_request;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_PCIE_RP;
    pc->revision = 0;
    pc->class_id = PCI_CLASS_BRIDGE_PCI;
    pc->is_express = true;
    device_class_set_props(dc, rp_props);
}

static const TypeInfo pcie_root_port_types[] = {
    {
        .name = TYPE_PCIE_ROOT_PORT,
        .parent = TYPE_PCI_BRIDGE,
        .instance_size = sizeof(PCIERootPort),
        .class_init = rp_class_init,
    },
};

DEFINE_TYPES(pcie_root_port_types)
