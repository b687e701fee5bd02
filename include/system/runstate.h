/*
 * The machine's run state, as QMP query-status reports it.
 *
 * There are no vCPUs here, so the state is what management sees (the
 * STOP/RESUME events, query-status), not paused CPUs: "prelaunch" when
 * started with -S, "running", "paused" after "stop", "shutdown" on the
 * way out, and "internal-error" when a device finds the machine unusable
 * (a host AER error on a passthrough device) and stops it so that
 * management notices and decides, as QEMU does.  Devices keep serving
 * the host (fault queues, event queues) in every state, as QEMU's device
 * models do while its vCPUs are stopped.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

#include "qapi/error.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,   /* stopped by an unrecoverable error */
} RunState;

void runstate_set(RunState state);
RunState runstate_get(void);
bool runstate_is_running(void);
/* QMP's name of @state ("running", "internal-error", ...). */
const char *runstate_name(RunState state);

/*
 * "cont": RUNNING, sending RESUME.  As in QEMU, a machine stopped by an
 * error or shut down needs system_reset first (false with @errp).
 */
bool vm_start(Error **errp);

/*
 * Stop the machine, entering @state (PAUSED for "stop", INTERNAL_ERROR
 * for a device): sends STOP if it was running.  Stopping a stopped
 * machine only records an error state, and sends nothing.
 */
void vm_stop(RunState state);

/* system_reset: a machine that was not running is now "prelaunch". */
void runstate_reset(void);

#endif
