/*
 * qtest: a test drives the machine over a socket with QEMU's text protocol
 * (system/qtest.c).  Implemented by system/qtest.c.
 */
#ifndef SYSTEM_QTEST_H
#define SYSTEM_QTEST_H

#include "qapi/error.h"

/*
 * True once -qtest or -accel qtest was given.  While enabled, the
 * virtual clock only moves on clock_step / clock_set.
 */
bool qtest_enabled(void);
void qtest_set_enabled(bool enabled);

/*
 * Start the server on @spec ("unix:PATH[,server=on][,wait=off]"; without
 * server=on the binary connects to PATH, as QEMU's chardev does).
 * @logfile: NULL, "none", or a path to log the protocol to.
 * When the client goes away, the binary shuts down.
 */
bool qtest_server_init(const char *spec, const char *logfile, Error **errp);

#endif
