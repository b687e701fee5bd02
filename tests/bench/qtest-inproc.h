/*
 * In-process stand-in for libqtest (see qtest-inproc.c).
 */
#ifndef QTEST_INPROC_H
#define QTEST_INPROC_H

#include "libqtest.h"

/* Build the machine in this process, as the binary would from @argv. */
QTestState *qtest_inproc_init(int argc, char **argv);
/* Run the main loop until nothing is ready (fd handlers, BHs, timers). */
void qtest_inproc_pump(void);

/*
 * Called around the model's work (the main loop, trapped MMIO) and not
 * around the guest's own: how the benchmark counts the VMM's instructions
 * apart.  @enter returns a token that @leave gets back.  NULL: none.
 */
typedef struct QTestInprocHooks {
    bool (*enter)(void);
    void (*leave)(bool token);
} QTestInprocHooks;
void qtest_inproc_set_hooks(const QTestInprocHooks *hooks);

#endif
