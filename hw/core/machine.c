/*
 * The abstract machine type: RAM size, dumpdtb, and machine look-up.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/qdev-properties.h"

MachineState *current_machine;

static const Property machine_props[] = {
    DEFINE_PROP_STRING("dumpdtb", MachineState, dumpdtb),
    DEFINE_PROP_END_OF_LIST(),
};

static void machine_class_init(ObjectClass *oc, const void *data)
{
    object_class_add_props(oc, machine_props);
}

MachineClass *machine_find_class(const char *name)
{
    GSList *list = object_class_get_list_sorted(TYPE_MACHINE, false);
    MachineClass *found = NULL;

    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        if (!strcmp(mc->name, name) ||
            (mc->alias && !strcmp(mc->alias, name))) {
            found = mc;
            break;
        }
    }
    g_slist_free(list);
    return found;
}

static const TypeInfo machine_types[] = {
    {
        .name = TYPE_MACHINE,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(MachineState),
        .class_size = sizeof(MachineClass),
        .class_init = machine_class_init,
        .abstract = true,
    },
};

DEFINE_TYPES(machine_types)
