/*
 * -machine none: no RAM, no buses, no devices.
 *
 * libvirt probes an emulator's capabilities with "-machine none" and
 * then asks QMP about every other machine; as in QEMU, this machine only
 * exists so that the process can start without building anything.
 */
#include "qemu/osdep.h"
#include "hw/boards.h"

static void null_machine_class_init(ObjectClass *klass, const void *data)
{
    MachineClass *mc = MACHINE_CLASS(klass);

    mc->name = "none";
    mc->desc = "empty machine";
    mc->default_ram_size = 0;
}

static const TypeInfo null_machine_types[] = {
    {
        .name = MACHINE_TYPE_NAME("none"),
        .parent = TYPE_MACHINE,
        .instance_size = sizeof(MachineState),
        .class_init = null_machine_class_init,
    },
};

DEFINE_TYPES(null_machine_types)
