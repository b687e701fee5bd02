/*
 * The machine's run state (include/system/runstate.h).
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "system/qmp.h"
#include "trace.h"

static RunState current_state = RUN_STATE_RUNNING;

static const char *const runstate_names[] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

const char *runstate_name(RunState state)
{
    if ((unsigned)state >= G_N_ELEMENTS(runstate_names)) {
        return "unknown";
    }
    return runstate_names[state];
}

void runstate_set(RunState state)
{
    trace_runstate_set(runstate_name(current_state), runstate_name(state));
    current_state = state;
}

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

bool vm_start(Error **errp)
{
    switch (current_state) {
    case RUN_STATE_RUNNING:
        return true;
    case RUN_STATE_INTERNAL_ERROR:
    case RUN_STATE_SHUTDOWN:
        /* QEMU's words for the same refusal. */
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    default:
        runstate_set(RUN_STATE_RUNNING);
        qapi_event_send("RESUME", NULL);
        return true;
    }
}

void vm_stop(RunState state)
{
    bool was_running = runstate_is_running();

    trace_vm_stop(runstate_name(current_state), runstate_name(state));
    if (!was_running) {
        /* An error while paused is still an error to reset from. */
        if (state == RUN_STATE_INTERNAL_ERROR) {
            runstate_set(state);
        }
        return;
    }
    runstate_set(state);
    /* QEMU's STOP carries no data: query-status says why. */
    qapi_event_send("STOP", NULL);
}

void runstate_reset(void)
{
    /*
     * As QEMU's main loop after a reset: a machine that was not running
     * (paused, or stopped by an error) is in "prelaunch", from which
     * "cont" starts it.
     */
    if (current_state != RUN_STATE_RUNNING) {
        runstate_set(RUN_STATE_PRELAUNCH);
    }
}
