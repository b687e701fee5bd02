/*
 * The machine's run state (include/system/runstate.h).
 */
#include "qemu/osdep.h"
#include "system/runstate.h"
#include "system/qmp.h"
#include "trace.h"

static RunState current_state = RUN_STATE_RUNNING;

RunState runstate_get(void)
{
    return current_state;
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

const char *runstate_name(RunState state)
{
    switch (state) {
    case RUN_STATE_RUNNING:
        return "running";
    case RUN_STATE_INTERNAL_ERROR:
        return "internal-error";
    }
    return "unknown";
}

void vm_stop(RunState state)
{
    bool was_running = runstate_is_running();

    trace_vm_stop(runstate_name(current_state), runstate_name(state));
    if (!was_running) {
        return;
    }
    current_state = state;
    /* QEMU's STOP carries no data: query-status says why. */
    qapi_event_send("STOP", NULL);
}
