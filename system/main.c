/*
 * viommu-system: entry point.
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "system/system.h"

int main(int argc, char **argv)
{
    qemu_init(argc, argv);
    qemu_main_loop();
    qemu_cleanup();
    return 0;
}
