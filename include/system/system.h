/*
 * Start-up and shutdown of the system emulator (system/vl.c).
 */
#ifndef SYSTEM_SYSTEM_H
#define SYSTEM_SYSTEM_H

#define QEMU_VERSION "0.1.0"

/* Parse the command line and build the machine; exits on any error. */
void qemu_init(int argc, char **argv);
/* Tear down devices and objects in reverse order of creation. */
void qemu_cleanup(void);

#endif
