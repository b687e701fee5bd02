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

/*
 * In-process client, for fuzzers and tests (tests/fuzz): the bytes
 * @buf[0..@len) go through the same line assembler and command dispatcher
 * as the socket's input, and every reply line (and "IRQ raise/lower" line
 * raised meanwhile) is appended to @out (not NULL).  A partial last line is
 * kept for the next call; qtest_inject_reset() drops it.  Independent of any
 * -qtest socket client.  IRQ lines raised between calls are dropped.
 */
void qtest_inject_input(const char *buf, size_t len, GString *out);
void qtest_inject_reset(void);
/*
 * Lower the per-command transfer bound of the in-process client (at most
 * the socket's 16 MiB), e.g. so that one fuzz input stays fast and small.
 * The longest line accepted follows it (two hex digits a byte).
 */
void qtest_inject_set_max_transfer(uint64_t max);

#endif
