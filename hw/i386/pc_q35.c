/*
 * The q35 machine: RAM, the q35 PCIe host (ECAM at 0xB0000000, bus
 * pcie.0, MCH at 00:00.0), an I/O APIC interrupt sink and the MSI
 * interrupt window at 0xFEE00000.  See include/hw/i386/q35.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie_host.h"
#include "hw/i386/q35.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* I/O APIC: an interrupt sink that records and traces its 24 pins     */

OBJECT_DECLARE_SIMPLE_TYPE(IOAPICSinkState, IOAPIC)

struct IOAPICSinkState {
    DeviceState parent_obj;
    uint32_t level;             /* bit N: pin N */
};

static void ioapic_set_irq(void *opaque, int n, int level)
{
    IOAPICSinkState *s = opaque;

    if (n < 0 || n >= Q35_IOAPIC_NUM_PINS) {
        return;
    }
    trace_ioapic_set_irq(n, level);
    if (level) {
        s->level |= 1u << n;
    } else {
        s->level &= ~(1u << n);
    }
}

static void ioapic_instance_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), ioapic_set_irq, Q35_IOAPIC_NUM_PINS);
}

static void ioapic_reset(DeviceState *dev)
{
    IOAPIC(dev)->level = 0;
}

static void ioapic_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->desc = "I/O APIC (interrupt sink)";
    dc->user_creatable = false;
    dc->reset = ioapic_reset;
}

/* ------------------------------------------------------------------ */
/* MSI window: writes to 0xFEExxxxx become interrupts                  */

OBJECT_DECLARE_SIMPLE_TYPE(X86MSIWindowState, X86_MSI_WINDOW)

struct X86MSIWindowState {
    DeviceState parent_obj;
    MemoryRegion mmio;
    bool mapped;
};

static void x86_msi_vector_irq(void *opaque, int n, int level)
{
    /* Nobody consumes the vectors yet; qtest intercepts these inputs. */
    trace_x86_msi_vector_irq(n, level);
}

static uint64_t x86_msi_window_read(void *opaque, hwaddr addr, unsigned size)
{
    trace_x86_msi_window_bad_access(Q35_MSI_ADDR_BASE + addr, size, false);
    return 0;
}

static void x86_msi_window_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    DeviceState *dev = opaque;
    uint64_t msi_addr = Q35_MSI_ADDR_BASE + addr;
    uint32_t data = val;
    int vector;

    if (size != 4) {
        trace_x86_msi_window_bad_access(msi_addr, size, true);
        return;
    }
    vector = data & X86_MSI_DATA_VECTOR_MASK;
    trace_msi_interrupt(msi_addr, data, vector);
    trace_x86_msi_decode((msi_addr >> X86_MSI_ADDR_DEST_ID_SHIFT) &
                         X86_MSI_ADDR_DEST_ID_MASK,
                         (data >> X86_MSI_DATA_DELIVERY_SHIFT) & 7,
                         !!(data & X86_MSI_DATA_TRIGGER_LEVEL),
                         !!(msi_addr & X86_MSI_ADDR_DEST_MODE_LOGICAL),
                         !!(msi_addr & X86_MSI_ADDR_IF_REMAPPABLE));
    qemu_irq_pulse(qdev_get_gpio_in(dev, vector));
}

static const MemoryRegionOps x86_msi_window_ops = {
    .read = x86_msi_window_read,
    .write = x86_msi_window_write,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

static void x86_msi_window_instance_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), x86_msi_vector_irq, Q35_MSI_NUM_VECTORS);
}

static void x86_msi_window_realize(DeviceState *dev, Error **errp)
{
    X86MSIWindowState *s = X86_MSI_WINDOW(dev);

    memory_region_init_io(&s->mmio, OBJECT(dev), &x86_msi_window_ops, dev,
                          "msi-window", Q35_MSI_ADDR_SIZE);
    memory_region_add_subregion_overlap(get_system_memory(), Q35_MSI_ADDR_BASE,
                                        &s->mmio, Q35_MSI_WINDOW_PRIORITY);
    s->mapped = true;
}

static void x86_msi_window_unrealize(DeviceState *dev)
{
    X86MSIWindowState *s = X86_MSI_WINDOW(dev);

    if (s->mapped) {
        memory_region_del_subregion(get_system_memory(), &s->mmio);
        memory_region_finalize(&s->mmio);
        s->mapped = false;
    }
}

static void x86_msi_window_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->desc = "x86 MSI interrupt window";
    dc->user_creatable = false;
    dc->realize = x86_msi_window_realize;
    dc->unrealize = x86_msi_window_unrealize;
}

/* ------------------------------------------------------------------ */
/* Machine                                                             */

Q35MachineState *q35_machine(void)
{
    if (!current_machine ||
        !object_dynamic_cast(OBJECT(current_machine), TYPE_Q35_MACHINE)) {
        return NULL;
    }
    return Q35_MACHINE(current_machine);
}

static DeviceState *q35_add_sink(MachineState *ms, const char *type,
                                 const char *name, Error **errp)
{
    DeviceState *dev = qdev_new(type);

    object_property_add_child(OBJECT(ms), name, OBJECT(dev));
    if (!qdev_realize_and_unref(dev, NULL, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return dev;
}

static void q35_init(MachineState *ms, Error **errp)
{
    Q35MachineState *q = Q35_MACHINE(ms);
    qemu_irq intx[PCI_NUM_PINS];

    if (ms->ram_size > Q35_RAM_MAX) {
        error_setg(errp, "q35: RAM size 0x%" PRIx64 " is too large: RAM must "
                   "end below the MMCONFIG window at 0x%llx (at most %llu MiB)",
                   ms->ram_size, Q35_PCIEXBAR_BASE, Q35_RAM_MAX >> 20);
        return;
    }

    q->ioapic = q35_add_sink(ms, TYPE_IOAPIC, "ioapic", errp);
    if (!q->ioapic) {
        return;
    }
    ms->irqchip = q->ioapic;
    q->msi = q35_add_sink(ms, TYPE_X86_MSI_WINDOW, "msi", errp);
    if (!q->msi) {
        return;
    }
    q->host = pcie_host_create(OBJECT(ms), "q35", TYPE_Q35_HOST_DEVICE,
                               Q35_PCIEXBAR_BASE, Q35_PCIEXBAR_SIZE,
                               Q35_PCI_MMIO_BASE, Q35_PCI_MMIO_SIZE, errp);
    if (!q->host) {
        return;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        intx[i] = qdev_get_gpio_in(q->ioapic, Q35_PCI_INTX_GSI_BASE + i);
    }
    pci_bus_irqs(q->host->bus, intx);
    trace_q35_init(ms->ram_size);
}

static void q35_done(MachineState *ms, Error **errp)
{
    if (ms->dumpdtb) {
        error_setg(errp, "This machine doesn't have an FDT");
    }
}

static void q35_machine_class_init(ObjectClass *klass, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(klass);

    mc->name = "q35";
    mc->alias = "pc-q35";
    mc->desc = "Standard PC (Q35 + ICH9, 2009)";
    mc->default_ram_size = Q35_DEFAULT_RAM_SIZE;
    mc->ram_base = Q35_RAM_BASE;
    mc->init = q35_init;
    mc->done = q35_done;
    mc->default_pci_bus = PCIE_HOST_ROOT_BUS_NAME;
}

static const TypeInfo q35_types[] = {
    {
        .name = TYPE_IOAPIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(IOAPICSinkState),
        .instance_init = ioapic_instance_init,
        .class_init = ioapic_class_init,
    }, {
        .name = TYPE_X86_MSI_WINDOW,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(X86MSIWindowState),
        .instance_init = x86_msi_window_instance_init,
        .class_init = x86_msi_window_class_init,
    }, {
        /*
         * QEMU's abstract base of its PC machines: management layers
         * list its properties, so q35 derives from it as in QEMU.
         */
        .name = "generic-pc-machine",
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(Q35MachineState),
        .abstract = true,
    }, {
        .name = TYPE_Q35_MACHINE,
        .parent = "generic-pc-machine",
        .instance_size = sizeof(Q35MachineState),
        .class_init = q35_machine_class_init,
    },
};

DEFINE_TYPES(q35_types)
