/*
 * Start-up and shutdown of the system emulator (system/vl.c).
 */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#define QEMU_VERSION "0.1.0"

/*
 * The QEMU interface level this runtime follows: what query-version and
 * the greeting report as "qemu" (our own version goes in "package"), and
 * the newest versioned machine type (pc-q35-11.1, virt-11.1).
 */
#define QEMU_COMPAT_MAJOR 11
#define QEMU_COMPAT_MINOR 1
#define QEMU_COMPAT_MICRO 0
#define QEMU_PACKAGE "viommu-system " QEMU_VERSION

typedef struct MachineClass MachineClass;

/* system/target.c: the target from argv[0], machine names. */
void qemu_target_init(const char *argv0);
/* "x86_64" or "aarch64", as query-target reports it. */
const char *qemu_target_arch(void);
bool machine_in_target(MachineClass *mc);
/* "pc-q35-11.1" for q35; NULL for machines without versions. */
char *machine_versioned_name(MachineClass *mc);
/*
 * QEMU machine properties the command line accepts for @mc beyond its
 * class properties (system/vl.c), with their QOM type names.
 */
void machine_foreach_compat_prop(MachineClass *mc,
                                 void (*fn)(const char *name,
                                            const char *type, void *opaque),
                                 void *opaque);
/* By name, alias or versioned name, among this target's machines. */
MachineClass *qemu_find_machine(const char *name);

/* Parse the command line and build the machine; exits on any error. */
void qemu_init(int argc, char **argv);
/* Tear down devices and objects in reverse order of creation. */
void qemu_cleanup(void);

#endif
