/*
 * Run state, as QMP reports it: "prelaunch" when started with -S,
 * "running", "paused" after "stop".
 *
 * There are no vCPUs to stop: the state is what the management layer
 * set.  Devices keep serving the host (fault queues, event queues) in
 * every state, as QEMU's device models do while its vCPUs are stopped.
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
};

void runstate_set(RunState state)
{
    trace_runstate_set(runstate_names[current_state], runstate_names[state]);
    current_state = state;
}

RunState runstate_get(void)
{
    return current_state;
}

const char *runstate_name(void)
{
    return runstate_names[current_state];
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

void vm_start(void)
{
    if (current_state != RUN_STATE_RUNNING) {
        runstate_set(RUN_STATE_RUNNING);
        qapi_event_send("RESUME", NULL);
    }
}

void vm_stop(void)
{
    if (current_state == RUN_STATE_RUNNING) {
        runstate_set(RUN_STATE_PAUSED);
        qapi_event_send("STOP", NULL);
    }
}
