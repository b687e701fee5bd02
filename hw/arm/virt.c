/*
 * The arm "virt" machine: RAM at 0x40000000, the generic PCIe host (ECAM
 * at 0x3F000000, bus pcie.0), a GIC interrupt sink, and a device tree in
 * QEMU's shape.  See include/hw/arm/virt.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie_host.h"
#include "hw/arm/virt.h"
#include "trace.h"
#include <libfdt.h>

typedef struct VirtFdtHookEntry {
    VirtFdtHook fn;
    void *opaque;
} VirtFdtHookEntry;

/* ------------------------------------------------------------------ */
/* GIC: an interrupt sink that records and traces 256 SPI levels       */

OBJECT_DECLARE_SIMPLE_TYPE(VirtGICState, VIRT_GIC)

struct VirtGICState {
    DeviceState parent_obj;
    uint32_t level[VIRT_GIC_NUM_SPIS / 32];
};

static void virt_gic_set_irq(void *opaque, int n, int level)
{
    VirtGICState *s = opaque;

    if (n < 0 || n >= VIRT_GIC_NUM_SPIS) {
        return;
    }
    trace_virt_gic_set_irq(n, level);
    if (level) {
        s->level[n / 32] |= 1u << (n % 32);
    } else {
        s->level[n / 32] &= ~(1u << (n % 32));
    }
}

static void virt_gic_instance_init(Object *obj)
{
    qdev_init_gpio_in(DEVICE(obj), virt_gic_set_irq, VIRT_GIC_NUM_SPIS);
}

static void virt_gic_reset(DeviceState *dev)
{
    VirtGICState *s = VIRT_GIC(dev);

    memset(s->level, 0, sizeof(s->level));
}

static void virt_gic_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);

    dc->desc = "GICv3 (SPI interrupt sink)";
    dc->user_creatable = false;
    dc->reset = virt_gic_reset;
}

/* ------------------------------------------------------------------ */
/* Helpers for the machine and for devices that add nodes             */

VirtMachineState *virt_machine(void)
{
    if (!current_machine ||
        !object_dynamic_cast(OBJECT(current_machine), TYPE_VIRT_MACHINE)) {
        return NULL;
    }
    return VIRT_MACHINE(current_machine);
}

qemu_irq virt_get_spi(VirtMachineState *vms, int spi)
{
    if (!vms->gic || spi < 0 || spi >= VIRT_GIC_NUM_SPIS) {
        return NULL;
    }
    return qdev_get_gpio_in(vms->gic, spi);
}

uint32_t virt_fdt_alloc_phandle(VirtMachineState *vms)
{
    return vms->next_phandle++;
}

void virt_add_fdt_hook(VirtMachineState *vms, VirtFdtHook fn, void *opaque)
{
    VirtFdtHookEntry e = { fn, opaque };

    if (!vms->fdt_hooks) {
        vms->fdt_hooks = g_array_new(FALSE, FALSE, sizeof(VirtFdtHookEntry));
    }
    g_array_append_val(vms->fdt_hooks, e);
}

int virt_fdt_pcie_node_offset(VirtMachineState *vms)
{
    void *fdt = MACHINE(vms)->fdt;

    return fdt ? fdt_path_offset(fdt, vms->pcie_node) : -FDT_ERR_NOTFOUND;
}

static bool fdt_check(int ret, const char *what, Error **errp)
{
    if (ret < 0) {
        error_setg(errp, "virt: device tree: %s: %s", what, fdt_strerror(ret));
        return false;
    }
    return true;
}

/* Set a property made of 32-bit cells. */
static int fdt_setprop_cells(void *fdt, int node, const char *name,
                             const uint32_t *cells, int n)
{
    g_autofree fdt32_t *be = g_new(fdt32_t, n);

    for (int i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    return fdt_setprop(fdt, node, name, be, n * sizeof(fdt32_t));
}

bool virt_fdt_set_pcie_iommu_map(VirtMachineState *vms, uint32_t iommu_phandle,
                                 Error **errp)
{
    void *fdt = MACHINE(vms)->fdt;
    const uint32_t map[] = { 0x0, iommu_phandle, 0x0, 0x10000 };
    int node = virt_fdt_pcie_node_offset(vms);

    if (!fdt_check(node, "PCIe node", errp)) {
        return false;
    }
    return fdt_check(fdt_setprop_cells(fdt, node, "iommu-map", map,
                                       ARRAY_SIZE(map)), "iommu-map", errp);
}

/* ------------------------------------------------------------------ */
/* Device tree                                                         */

static bool virt_fdt_add_memory(VirtMachineState *vms, void *fdt, Error **errp)
{
    MachineState *ms = MACHINE(vms);
    g_autofree char *name = g_strdup_printf("memory@%" PRIx64,
                                            (uint64_t)VIRT_MEM_BASE);
    const uint32_t reg[] = {
        VIRT_MEM_BASE >> 32, (uint32_t)VIRT_MEM_BASE,
        ms->ram_size >> 32, (uint32_t)ms->ram_size,
    };
    int node = fdt_add_subnode(fdt, 0, name);

    return fdt_check(node, name, errp) &&
           fdt_check(fdt_setprop_string(fdt, node, "device_type", "memory"),
                     "memory device_type", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "reg", reg, ARRAY_SIZE(reg)),
                     "memory reg", errp);
}

static bool virt_fdt_add_gic(VirtMachineState *vms, void *fdt, Error **errp)
{
    const uint32_t reg[] = {
        VIRT_GIC_DIST_BASE >> 32, (uint32_t)VIRT_GIC_DIST_BASE,
        VIRT_GIC_DIST_SIZE >> 32, (uint32_t)VIRT_GIC_DIST_SIZE,
        VIRT_GIC_REDIST_BASE >> 32, (uint32_t)VIRT_GIC_REDIST_BASE,
        VIRT_GIC_REDIST_SIZE >> 32, (uint32_t)VIRT_GIC_REDIST_SIZE,
    };
    int node = fdt_add_subnode(fdt, 0, vms->gic_node + 1);

    vms->gic_phandle = virt_fdt_alloc_phandle(vms);
    return fdt_check(node, vms->gic_node, errp) &&
           fdt_check(fdt_setprop_string(fdt, node, "compatible", "arm,gic-v3"),
                     "gic compatible", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#interrupt-cells", 3),
                     "gic #interrupt-cells", errp) &&
           fdt_check(fdt_setprop_empty(fdt, node, "interrupt-controller"),
                     "gic interrupt-controller", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#address-cells", 2),
                     "gic #address-cells", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#size-cells", 2),
                     "gic #size-cells", errp) &&
           fdt_check(fdt_setprop_empty(fdt, node, "ranges"),
                     "gic ranges", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "reg", reg, ARRAY_SIZE(reg)),
                     "gic reg", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#redistributor-regions", 1),
                     "gic #redistributor-regions", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "phandle", vms->gic_phandle),
                     "gic phandle", errp) &&
           fdt_check(fdt_setprop_u32(fdt, 0, "interrupt-parent",
                                     vms->gic_phandle),
                     "interrupt-parent", errp);
}

static bool virt_fdt_add_pcie(VirtMachineState *vms, void *fdt, Error **errp)
{
    PCIExpressHost *h = vms->pcie_host;
    const uint32_t reg[] = {
        h->ecam_base >> 32, (uint32_t)h->ecam_base,
        h->ecam_size >> 32, (uint32_t)h->ecam_size,
    };
    /* 32-bit non-prefetchable memory, identity-mapped */
    const uint32_t ranges[] = {
        0x02000000, h->mmio_base >> 32, (uint32_t)h->mmio_base,
        h->mmio_base >> 32, (uint32_t)h->mmio_base,
        h->mmio_size >> 32, (uint32_t)h->mmio_size,
    };
    const uint32_t bus_range[] = { 0, pcie_host_nr_buses(h) - 1 };
    const uint32_t map_mask[] = { PCI_DEVFN(3, 0) << 8, 0, 0, 0x7 };
    /* slot (0..3) x pin (INTA..INTD): 4 child + 1 phandle + 2 + 3 cells */
    uint32_t map[PCI_NUM_PINS * PCI_NUM_PINS * 10];
    int n = 0;
    int node = fdt_add_subnode(fdt, 0, vms->pcie_node + 1);

    for (int slot = 0; slot < PCI_NUM_PINS; slot++) {
        for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
            map[n++] = PCI_DEVFN(slot, 0) << 8;
            map[n++] = 0;
            map[n++] = 0;
            map[n++] = pin + 1;
            map[n++] = vms->gic_phandle;
            map[n++] = 0;
            map[n++] = 0;
            map[n++] = GIC_FDT_IRQ_TYPE_SPI;
            map[n++] = VIRT_PCIE_IRQ + (pin + slot) % PCI_NUM_PINS;
            map[n++] = GIC_FDT_IRQ_FLAGS_LEVEL_HI;
        }
    }

    return fdt_check(node, vms->pcie_node, errp) &&
           fdt_check(fdt_setprop_string(fdt, node, "compatible",
                                        "pci-host-ecam-generic"),
                     "pcie compatible", errp) &&
           fdt_check(fdt_setprop_string(fdt, node, "device_type", "pci"),
                     "pcie device_type", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#address-cells", 3),
                     "pcie #address-cells", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#size-cells", 2),
                     "pcie #size-cells", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "linux,pci-domain", 0),
                     "pcie linux,pci-domain", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "bus-range", bus_range,
                                       ARRAY_SIZE(bus_range)),
                     "pcie bus-range", errp) &&
           fdt_check(fdt_setprop_empty(fdt, node, "dma-coherent"),
                     "pcie dma-coherent", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "reg", reg, ARRAY_SIZE(reg)),
                     "pcie reg", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "ranges", ranges,
                                       ARRAY_SIZE(ranges)),
                     "pcie ranges", errp) &&
           fdt_check(fdt_setprop_u32(fdt, node, "#interrupt-cells", 1),
                     "pcie #interrupt-cells", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "interrupt-map", map, n),
                     "pcie interrupt-map", errp) &&
           fdt_check(fdt_setprop_cells(fdt, node, "interrupt-map-mask",
                                       map_mask, ARRAY_SIZE(map_mask)),
                     "pcie interrupt-map-mask", errp);
}

static bool virt_fdt_create(VirtMachineState *vms, Error **errp)
{
    MachineState *ms = MACHINE(vms);
    void *fdt = g_malloc0(VIRT_FDT_MAX_SIZE);

    ms->fdt = fdt;
    ms->fdt_size = VIRT_FDT_MAX_SIZE;
    if (!fdt_check(fdt_create_empty_tree(fdt, VIRT_FDT_MAX_SIZE),
                   "create", errp)) {
        return false;
    }
    return fdt_check(fdt_setprop_string(fdt, 0, "compatible",
                                        "linux,dummy-virt"),
                     "compatible", errp) &&
           fdt_check(fdt_setprop_u32(fdt, 0, "#address-cells", 2),
                     "#address-cells", errp) &&
           fdt_check(fdt_setprop_u32(fdt, 0, "#size-cells", 2),
                     "#size-cells", errp) &&
           fdt_check(fdt_add_subnode(fdt, 0, "chosen"), "chosen", errp) &&
           virt_fdt_add_memory(vms, fdt, errp) &&
           virt_fdt_add_gic(vms, fdt, errp) &&
           virt_fdt_add_pcie(vms, fdt, errp);
}

/* ------------------------------------------------------------------ */
/* Machine                                                             */

static void virt_init(MachineState *ms, Error **errp)
{
    VirtMachineState *vms = VIRT_MACHINE(ms);
    qemu_irq intx[PCI_NUM_PINS];
    DeviceState *gic;

    vms->next_phandle = VIRT_FDT_PHANDLE_START;
    vms->gic_node = VIRT_FDT_GIC_NODE;
    vms->pcie_node = VIRT_FDT_PCIE_NODE;

    gic = qdev_new(TYPE_VIRT_GIC);
    object_property_add_child(OBJECT(ms), "gic", OBJECT(gic));
    if (!qdev_realize_and_unref(gic, NULL, errp)) {
        object_unparent(OBJECT(gic));
        return;
    }
    vms->gic = gic;
    ms->irqchip = gic;

    vms->pcie_host = pcie_host_create(OBJECT(ms), "pcie", TYPE_GPEX_HOST,
                                      VIRT_PCIE_ECAM_BASE, VIRT_PCIE_ECAM_SIZE,
                                      VIRT_PCIE_MMIO_BASE, VIRT_PCIE_MMIO_SIZE,
                                      errp);
    if (!vms->pcie_host) {
        return;
    }
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        intx[i] = virt_get_spi(vms, VIRT_PCIE_IRQ + i);
    }
    pci_bus_irqs(vms->pcie_host->bus, intx);

    if (!virt_fdt_create(vms, errp)) {
        return;
    }
    trace_virt_init(ms->ram_size);
}

static void virt_done(MachineState *ms, Error **errp)
{
    VirtMachineState *vms = VIRT_MACHINE(ms);

    for (guint i = 0; vms->fdt_hooks && i < vms->fdt_hooks->len; i++) {
        VirtFdtHookEntry *e = &g_array_index(vms->fdt_hooks,
                                             VirtFdtHookEntry, i);

        if (!e->fn(vms, ms->fdt, e->opaque, errp)) {
            return;
        }
    }
    vms->fdt_finalized = true;

    if (ms->dumpdtb) {
        GError *gerr = NULL;

        if (!fdt_check(fdt_pack(ms->fdt), "pack", errp)) {
            return;
        }
        ms->fdt_size = fdt_totalsize(ms->fdt);
        if (!g_file_set_contents(ms->dumpdtb, ms->fdt, ms->fdt_size, &gerr)) {
            error_setg(errp, "Failed to write dtb to '%s'", ms->dumpdtb);
            error_append_hint(errp, "%s\n", gerr->message);
            g_error_free(gerr);
            return;
        }
        trace_virt_dumpdtb(ms->dumpdtb, ms->fdt_size);
        info_report("dtb dumped to %s", ms->dumpdtb);
        exit(0);
    }
}

static void virt_instance_finalize(Object *obj)
{
    VirtMachineState *vms = VIRT_MACHINE(obj);
    MachineState *ms = MACHINE(obj);

    if (vms->fdt_hooks) {
        g_array_free(vms->fdt_hooks, TRUE);
        vms->fdt_hooks = NULL;
    }
    g_clear_pointer(&ms->fdt, g_free);
}

static void virt_machine_class_init(ObjectClass *klass, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(klass);

    mc->name = "virt";
    mc->desc = "QEMU ARM Virtual Machine";
    mc->default_ram_size = VIRT_DEFAULT_RAM_SIZE;
    mc->ram_base = VIRT_MEM_BASE;
    mc->init = virt_init;
    mc->done = virt_done;
    mc->default_pci_bus = PCIE_HOST_ROOT_BUS_NAME;
}

static const TypeInfo virt_types[] = {
    {
        .name = TYPE_VIRT_GIC,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtGICState),
        .instance_init = virt_gic_instance_init,
        .class_init = virt_gic_class_init,
    }, {
        .name = TYPE_VIRT_MACHINE,
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(VirtMachineState),
        .instance_finalize = virt_instance_finalize,
        .class_init = virt_machine_class_init,
    },
};

DEFINE_TYPES(virt_types)
