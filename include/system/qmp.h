/*
 * QMP: JSON commands and events over a unix socket (system/qmp.c).
 * Commands are registered by name; a command gets its "arguments" object
 * (never NULL) and returns the "return" value, or NULL with @errp set.
 */
#ifndef SYSTEM_QMP_H
#define SYSTEM_QMP_H

#include <json-glib/json-glib.h>
#include "qapi/error.h"

typedef JsonNode *(*QmpCommandFunc)(JsonObject *args, Error **errp);

/*
 * Register @fn as command @name (replacing any earlier registration).
 * An Error of class ERROR_CLASS_COMMAND_NOT_FOUND / DEVICE_NOT_FOUND is
 * reported with QMP class "CommandNotFound" / "DeviceNotFound", anything
 * else as "GenericError".
 */
void qmp_register_command(const char *name, QmpCommandFunc fn);

/*
 * The same, with the command's schema, which query-qmp-schema reports
 * (system/qmp-schema.c).  @args lists the members of the arguments,
 * comma-separated, as "name:TYPE", "?name:TYPE" if optional; @ret is the
 * TYPE of the return value.  TYPE is a builtin (str, int, bool, number,
 * size, any, null), a type or enum added with qmp_schema_add_*(), or
 * "[TYPE]" for an array.  NULL @args: no arguments; NULL @ret: {}.
 */
void qmp_register_command_schema(const char *name, QmpCommandFunc fn,
                                 const char *args, const char *ret);
void qmp_foreach_command(void (*fn)(const char *name, const char *args,
                                    const char *ret, void *opaque),
                         void *opaque);
/* Object types ("name:TYPE,?name:TYPE"), enums ("a,b,c") and events. */
void qmp_schema_add_type(const char *name, const char *members);
void qmp_schema_add_enum(const char *name, const char *values);
void qmp_schema_add_event(const char *name, const char *members);
/* Features of command @name, as introspection lists them: "a,b". */
void qmp_schema_add_command_features(const char *name, const char *features);

/*
 * The oldest fd the client running the current command passed with
 * SCM_RIGHTS, now the caller's; -1 if none (system/qmp.c).
 */
int qmp_client_take_fd(void);

/*
 * Start a QMP server on @spec ("unix:PATH[,server=on][,wait=off]"; without
 * server=on it connects to PATH).
 */
bool monitor_qmp_init(const char *spec, Error **errp);
/* QMP on a socket @fd we inherited: listening if @server, else a client. */
bool monitor_qmp_init_fd(int fd, bool server, Error **errp);

/* Broadcast an event to every QMP client; takes ownership of @data. */
void qapi_event_send(const char *event, JsonObject *data);

/*
 * Send what is still queued for the clients (blocking, bounded in time)
 * and close them.  Also run at exit, so calling it is optional.
 */
void monitor_cleanup(void);

/* Helpers for commands. */
JsonNode *qmp_return_empty(void);   /* {} */
/* A node holding @obj / @array, taking the caller's reference. */
JsonNode *qmp_node_take_object(JsonObject *obj);
JsonNode *qmp_node_take_array(JsonArray *array);
/* Refuse any argument: "Parameter 'X' is unexpected". */
bool qmp_check_no_args(JsonObject *args, Error **errp);

/*
 * Unix socket endpoints shared by QMP and qtest.  Parse @spec
 * ("unix:PATH[,server=on|off][,wait=on|off]") and return a non-blocking,
 * close-on-exec fd: with server=on a listening socket (*@listening set,
 * *@wait true unless wait=off), otherwise a socket connected to PATH.
 * *@path, if not NULL, gets PATH (caller frees).
 * Returns -1 with @errp set on failure.
 */
int qemu_socket_spec_open(const char *spec, bool *listening, bool *wait,
                          char **path, Error **errp);
/*
 * Accept a client on @listen_fd; with @block, wait for one.  Returns a
 * non-blocking fd, or -1 (errno EAGAIN when nobody is waiting).
 */
int qemu_socket_accept(int listen_fd, bool block);
/*
 * qemu_socket_accept() failed with @err.  True when the process or the
 * system is short of fds or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM):
 * the connection stays in the backlog and the listener stays readable,
 * so the caller must stop polling it for the pause *@backoff_ms is set
 * to (10 ms, doubling up to 1 s while the shortage lasts; reset it to 0
 * after a successful accept).  Warns once per process.
 */
bool qemu_socket_accept_backoff(int err, unsigned *backoff_ms);

#endif
