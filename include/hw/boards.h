/*
 * Machines: -machine q35 | virt.  A machine creates guest RAM, its fixed
 * devices and buses, and tells where optional devices (intel-iommu,
 * arm-smmuv3) sit.
 */
#ifndef HW_BOARDS_H
#define HW_BOARDS_H

#include "qom/object.h"
#include "hw/qdev-core.h"

/*
 * hw/core sits below system/ (docs/devel/layering.md): a machine names
 * its RAM region, which system/vl.c creates, without the memory API.
 */
typedef struct MemoryRegion MemoryRegion;

#define TYPE_MACHINE "machine"
#define MACHINE_TYPE_NAME(machinename) (machinename "-machine")

typedef struct MachineState MachineState;
typedef struct MachineClass MachineClass;

struct MachineClass {
    ObjectClass parent_class;
    const char *name;           /* "q35", "virt" */
    const char *desc;
    const char *alias;
    uint64_t default_ram_size;
    hwaddr ram_base;
    /* Create RAM (already done by the core), buses and fixed devices. */
    void (*init)(MachineState *ms, Error **errp);
    /* Called after -device options are realized (e.g. write the DTB). */
    void (*done)(MachineState *ms, Error **errp);
    void (*reset)(MachineState *ms);
    /* Name of the bus that -device uses by default for its bus type. */
    const char *default_pci_bus;
};

struct MachineState {
    Object parent_obj;
    uint64_t ram_size;
    MemoryRegion *ram;          /* created by system/vl.c, never freed */
    char *dumpdtb;
    void *fdt;                  /* virt: device tree being built */
    int fdt_size;
    /* Wired interrupt controller inputs, if the machine has them. */
    DeviceState *irqchip;
};

#define MACHINE(obj) OBJECT_CHECK(MachineState, (obj), TYPE_MACHINE)
#define MACHINE_GET_CLASS(obj) \
    OBJECT_GET_CLASS(MachineClass, (obj), TYPE_MACHINE)
#define MACHINE_CLASS(klass) \
    OBJECT_CLASS_CHECK(MachineClass, (klass), TYPE_MACHINE)

extern MachineState *current_machine;

/* Find a machine class by name or alias ("q35", "pc-q35", "virt"). */
MachineClass *machine_find_class(const char *name);

#endif
