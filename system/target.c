/*
 * Which target this process emulates, and machine type names.
 *
 * One binary serves both targets.  libvirt keys emulators by target and
 * asks each binary "query-target", so the build installs links named
 * viommu-system-x86_64 and viommu-system-aarch64; the name the program
 * is started under picks the target (as QEMU's separate binaries do).
 * Under its own name, viommu-system offers every machine and reports the
 * target of the machine it runs.
 *
 * Versioned machine types: QEMU names its machines pc-q35-X.Y and
 * virt-X.Y, with "q35" and "virt" as aliases of the newest.  libvirt
 * turns the alias into the versioned name, and a domain defined earlier
 * keeps the version it was defined with.  The machines here have one
 * behaviour, so every version up to the one whose interface we follow
 * names the same machine.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/boards.h"
#include "system/system.h"

static const struct {
    const char *machine;        /* MachineClass name */
    const char *arch;           /* query-target "arch" */
    const char *versioned;      /* prefix of the versioned names */
} machine_targets[] = {
    { "q35", "x86_64", "pc-q35-" },
    { "virt", "aarch64", "virt-" },
};

static const char *target_arch;     /* NULL: every target */

void qemu_target_init(const char *argv0)
{
    g_autofree char *base = g_path_get_basename(argv0 ? argv0 : "");

    for (size_t i = 0; i < ARRAY_SIZE(machine_targets); i++) {
        g_autofree char *suffix = g_strconcat("-", machine_targets[i].arch,
                                              NULL);

        if (g_str_has_suffix(base, suffix)) {
            target_arch = machine_targets[i].arch;
        }
    }
}

const char *qemu_target_arch(void)
{
    if (target_arch) {
        return target_arch;
    }
    if (current_machine) {
        const char *name = MACHINE_GET_CLASS(current_machine)->name;

        for (size_t i = 0; i < ARRAY_SIZE(machine_targets); i++) {
            if (!strcmp(machine_targets[i].machine, name)) {
                return machine_targets[i].arch;
            }
        }
    }
    return "x86_64";
}

/* NULL: a machine of every target ("none"). */
static const char *machine_arch(MachineClass *mc)
{
    for (size_t i = 0; i < ARRAY_SIZE(machine_targets); i++) {
        if (!strcmp(machine_targets[i].machine, mc->name)) {
            return machine_targets[i].arch;
        }
    }
    return NULL;
}

bool machine_in_target(MachineClass *mc)
{
    const char *arch = machine_arch(mc);

    return !target_arch || !arch || !strcmp(arch, target_arch);
}

char *machine_versioned_name(MachineClass *mc)
{
    for (size_t i = 0; i < ARRAY_SIZE(machine_targets); i++) {
        if (!strcmp(machine_targets[i].machine, mc->name)) {
            return g_strdup_printf("%s%d.%d", machine_targets[i].versioned,
                                   QEMU_COMPAT_MAJOR, QEMU_COMPAT_MINOR);
        }
    }
    return NULL;
}

/* "X.Y" with 1.0 <= X.Y <= the interface level we follow. */
static bool valid_version(const char *v)
{
    const char *dot = strchr(v, '.');
    g_autofree char *major_s = NULL;
    uint64_t major, minor;

    if (!dot) {
        return false;
    }
    major_s = g_strndup(v, dot - v);
    if (qemu_strtou64(major_s, &major) < 0 ||
        qemu_strtou64(dot + 1, &minor) < 0 ||
        !g_ascii_isdigit(*v) || !g_ascii_isdigit(dot[1])) {
        return false;
    }
    return major >= 1 && (major < QEMU_COMPAT_MAJOR ||
                          (major == QEMU_COMPAT_MAJOR &&
                           minor <= QEMU_COMPAT_MINOR));
}

MachineClass *qemu_find_machine(const char *name)
{
    MachineClass *mc = machine_find_class(name);

    for (size_t i = 0; !mc && i < ARRAY_SIZE(machine_targets); i++) {
        const char *prefix = machine_targets[i].versioned;

        if (g_str_has_prefix(name, prefix) &&
            valid_version(name + strlen(prefix))) {
            mc = machine_find_class(machine_targets[i].machine);
        }
    }
    return mc && machine_in_target(mc) ? mc : NULL;
}

/*
 * Accelerator types, as QEMU lists them: management layers learn which
 * -accel values a binary takes from these names (libvirt: "tcg-accel"
 * means <domain type='qemu'> works).  There are no instances.
 */
static const TypeInfo accel_types[] = {
    {
        .name = "accel",
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .abstract = true,
    }, {
        .name = "tcg-accel",
        .parent = "accel",
    }, {
        .name = "qtest-accel",
        .parent = "accel",
    },
};

DEFINE_TYPES(accel_types)
