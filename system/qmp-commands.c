/*
 * Core QMP commands: query-version, query-status, cont, stop, quit,
 * system_reset.
 * (qmp_capabilities and query-commands live in system/qmp.c, as they
 * need the server's state.)
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/qdev-core.h"
#include "system/qmp.h"
#include "system/runstate.h"
#include "system/system.h"

static JsonNode *qmp_query_version(JsonObject *args, Error **errp)
{
    JsonObject *ret, *qemu;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    /*
     * "qemu" is the QEMU interface level we follow (libvirt checks it
     * against its minimum); "package" says what this really is.
     */
    qemu = json_object_new();
    json_object_set_int_member(qemu, "major", QEMU_COMPAT_MAJOR);
    json_object_set_int_member(qemu, "minor", QEMU_COMPAT_MINOR);
    json_object_set_int_member(qemu, "micro", QEMU_COMPAT_MICRO);
    ret = json_object_new();
    json_object_set_object_member(ret, "qemu", qemu);
    json_object_set_string_member(ret, "package", QEMU_PACKAGE);
    return qmp_node_take_object(ret);
}

static JsonNode *qmp_query_status(JsonObject *args, Error **errp)
{
    JsonObject *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_boolean_member(ret, "running", runstate_is_running());
    json_object_set_string_member(ret, "status",
                                  runstate_name(runstate_get()));
    return qmp_node_take_object(ret);
}

static JsonNode *qmp_cont(JsonObject *args, Error **errp)
{
    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    if (!vm_start(errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

static JsonNode *qmp_stop(JsonObject *args, Error **errp)
{
    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    vm_stop(RUN_STATE_PAUSED);
    return qmp_return_empty();
}

/* Event data shared by SHUTDOWN and RESET. */
static JsonObject *host_request_event_data(const char *reason)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest", false);
    json_object_set_string_member(data, "reason", reason);
    return data;
}

/*
 * As in QEMU, the command's return reaches the client before the event
 * it causes: the event is sent from a bottom half, after the reply.
 */
static void quit_bh(void *opaque)
{
    QEMUBH **bh = opaque;

    qemu_bh_delete(*bh);
    g_free(bh);
    qapi_event_send("SHUTDOWN", host_request_event_data("host-qmp-quit"));
    qemu_system_shutdown_request();
}

static void reset_event_bh(void *opaque)
{
    QEMUBH **bh = opaque;

    qemu_bh_delete(*bh);
    g_free(bh);
    qapi_event_send("RESET",
                    host_request_event_data("host-qmp-system-reset"));
}

/* Run @fn once from the main loop (it deletes its own BH). */
static void schedule_oneshot(QEMUBHFunc *fn)
{
    QEMUBH **bh = g_new(QEMUBH *, 1);

    *bh = qemu_bh_new(fn, bh);
    qemu_bh_schedule(*bh);
}

static JsonNode *qmp_quit(JsonObject *args, Error **errp)
{
    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    schedule_oneshot(quit_bh);
    return qmp_return_empty();
}

static JsonNode *qmp_system_reset(JsonObject *args, Error **errp)
{
    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    /*
     * Reset now rather than from the main loop: when the reply arrives,
     * the machine is already in its reset state.
     */
    qemu_system_reset();
    runstate_reset();
    schedule_oneshot(reset_event_bh);
    return qmp_return_empty();
}

static void __attribute__((constructor)) qmp_register_system_commands(void)
{
    qmp_schema_add_type("VersionTriple", "major:int,minor:int,micro:int");
    qmp_schema_add_type("VersionInfo", "qemu:VersionTriple,package:str");
    qmp_schema_add_enum("RunState",
                        "prelaunch,running,paused,shutdown,internal-error");
    qmp_schema_add_type("StatusInfo", "running:bool,status:RunState");
    qmp_register_command_schema("query-version", qmp_query_version, NULL,
                                "VersionInfo");
    qmp_register_command_schema("query-status", qmp_query_status, NULL,
                                "StatusInfo");
    qmp_register_command_schema("quit", qmp_quit, NULL, NULL);
    qmp_register_command_schema("system_reset", qmp_system_reset, NULL, NULL);
    qmp_register_command_schema("cont", qmp_cont, NULL, NULL);
    qmp_register_command_schema("stop", qmp_stop, NULL, NULL);
}
