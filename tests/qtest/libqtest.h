/*
 * libqtest: drive viommu-system from a test program, over the qtest
 * protocol (memory, clock, interrupts) and QMP (JSON commands, events).
 *
 * The API mirrors QEMU's tests/qtest/libqtest.h where it can.  Any
 * protocol failure (a FAIL reply, the binary dying, a timeout) aborts
 * the test with a message, so callers need not check return values.
 *
 * QMP formats: qtest_qmp() and friends format with printf semantics
 * (%s is inserted as is, so write "\"%s\"" for a JSON string), then turn
 * 'single-quoted' strings into JSON "double-quoted" ones, so that QEMU's
 * "{'execute': 'query-status'}" style works.  Replies and events are
 * json-glib objects the caller releases with json_object_unref() (or
 * g_autoptr(JsonObject)).
 *
 * Environment: QTEST_QEMU_BINARY (the binary; the build's default is
 * compiled in), QTEST_LOG=1 (log both protocols to stderr),
 * QTEST_TRACE=PATTERN (add -trace PATTERN), QTEST_TIMEOUT=SECONDS (scale
 * start-up and reply timeouts, e.g. under a sanitizer).
 */
#ifndef LIBQTEST_H
#define LIBQTEST_H

#include <inttypes.h>            /* PRIx64 & co. for the tests */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QTestState QTestState;

/* Highest interrupt line number + 1 that the IRQ helpers track. */
#define QTEST_MAX_IRQ 1024

/* ---- Start and stop ---- */

/*
 * Start the binary with @extra_args (may be NULL) inserted in its command
 * line, connect both sockets and negotiate QMP capabilities.
 */
QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Same, with "NAME=VALUE" strings added to the binary's environment. */
QTestState *qtest_init_with_env(const char *extra_args,
                                const char *const *envp_extra);
/*
 * Same, with another binary than $QTEST_QEMU_BINARY: e.g. upstream QEMU
 * (tests/cross-vmm drives both VMMs with the same scenario).
 */
QTestState *qtest_init_binary_with_env(const char *binary,
                                       const char *extra_args,
                                       const char *const *envp_extra);
/* Same as qtest_init() but leaves the QMP greeting unread and unanswered. */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);

/*
 * Close the sockets (the binary then exits), wait for the process (killing
 * it after a timeout) and free @s.  Fails the test if the binary did not
 * exit with the expected status (0 unless qtest_set_expected_status()).
 */
void qtest_quit(QTestState *s);
void qtest_set_expected_status(QTestState *s, int status);
/*
 * Wait up to @timeout_ms for the binary to exit on its own (e.g. after
 * QMP "quit"); true if it did, with its waitpid() status in *@wstatus.
 */
bool qtest_wait_exit(QTestState *s, unsigned timeout_ms, int *wstatus);
pid_t qtest_pid(QTestState *s);

/* ---- Memory (one device access each for the sized forms) ---- */

uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t value);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t value);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t value);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t value);

/* Bulk transfers: hex ("read"/"write") or base64 ("b64read"/"b64write"). */
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);

/* Always false: the binary's devices are little-endian. */
bool qtest_big_endian(QTestState *s);

/* ---- Virtual clock (only moves when the test says so) ---- */

/* Advance by @step ns; returns the new time. */
int64_t qtest_clock_step(QTestState *s, int64_t step);
/* Advance to the next timer deadline (or not at all if none). */
int64_t qtest_clock_step_next(QTestState *s);
/* Advance to @val ns, which must not be in the past. */
int64_t qtest_clock_set(QTestState *s, int64_t val);

/* ---- Interrupts ---- */

/*
 * Intercept the input lines of the device at QOM path @qom_path (a
 * partial path such as "msi" or "gic" is fine).  On q35, line N of "msi"
 * is MSI vector N, pulsed on each MSI write; on virt, line N of "gic" is
 * SPI N.
 */
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
/* Current level of line @num (syncs with the binary first). */
bool qtest_get_irq(QTestState *s, int num);
/* Number of raises of line @num seen so far (syncs first). */
unsigned qtest_get_irq_count(QTestState *s, int num);
/*
 * Wait up to @timeout_ms (real time) until line @num has been raised at
 * least @count times in total; true if it has.
 */
bool qtest_wait_irq_count(QTestState *s, int num, unsigned count,
                          unsigned timeout_ms);
/* Drive input line @num of @qom_path to @level ("set_irq_in"). */
void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int num, int level);

/* ---- Raw qtest protocol (for protocol tests) ---- */

/*
 * Send the formatted bytes as they are: no newline is added, so a test
 * can split a command or send several at once.
 */
void qtest_sendf_raw(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/*
 * Send each string of the NULL-terminated @pieces as it is, in a write of
 * its own, and wait until the binary has read it before sending the next:
 * the binary gets a command in exactly these pieces, one read each.
 */
void qtest_send_pieces(QTestState *s, const char *const *pieces);
/*
 * The next reply line without its newline (caller frees); "IRQ ..." lines
 * before it are consumed and recorded.
 */
char *qtest_recv_line(QTestState *s);

/* ---- QMP ---- */

/* Send a command and return its reply ({"return": ...} or {"error": ...}). */
JsonObject *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
JsonObject *qtest_vqmp(QTestState *s, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);
/* Send without waiting for the reply. */
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Send exactly these bytes (no quote conversion, no newline added). */
void qtest_qmp_send_raw(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* As qtest_send_pieces(), on the QMP socket. */
void qtest_qmp_send_pieces(QTestState *s, const char *const *pieces);
/* Next reply; events received meanwhile are queued for the eventwaits. */
JsonObject *qtest_qmp_receive(QTestState *s);
/* Next message of any kind (greeting, reply or event). */
JsonObject *qtest_qmp_receive_dict(QTestState *s);
/* Fail the test unless the command succeeds. */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Same, returning a copy of the "return" value (json_node_unref()). */
JsonNode *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Wait (queue first, then the socket) for event @event. */
void qtest_qmp_eventwait(QTestState *s, const char *event);
JsonObject *qtest_qmp_eventwait_ref(QTestState *s, const char *event);
/* Take event @event from the queue if already received, else NULL. */
JsonObject *qtest_qmp_event_ref(QTestState *s, const char *event);

/* Compact JSON text of @obj, for messages (caller frees). */
char *qtest_json_to_string(JsonObject *obj);

/* ---- Running the binary without the protocols ---- */

/* Path of the binary under test. */
const char *qtest_binary_path(void);
/*
 * Run "BINARY @args" (split with shell quoting rules) and wait for it (killing
 * it after a timeout).  *@exit_status gets the exit code (128 + signal number
 * if it was killed); *@stderr_out, if not NULL, its whole stderr.  False if it
 * could not be started or did not finish in time.
 */
bool qtest_run_binary(const char *args, int *exit_status, char **stderr_out);
bool qtest_run_binary_full(const char *args, const char *const *envp_extra,
                           int *exit_status, char **stdout_out,
                           char **stderr_out);

#endif
