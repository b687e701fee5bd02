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

#endif
