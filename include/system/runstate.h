/*
 * The machine's run state, as QMP query-status reports it.
 *
 * There are no vCPUs here, so "stopped" is what management sees (the
 * STOP event, query-status), not a paused CPU: a device that finds the
 * machine unusable -- a host AER error on a passthrough device -- stops
 * it so that management notices and decides, as QEMU does.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

typedef enum RunState {
    RUN_STATE_RUNNING,
    RUN_STATE_INTERNAL_ERROR,   /* stopped by an unrecoverable error */
} RunState;

RunState runstate_get(void);
bool runstate_is_running(void);
/* QMP's name of @state ("running", "internal-error"). */
const char *runstate_name(RunState state);

/*
 * Stop the machine, entering @state: emits STOP if it was running.
 * Stopping a stopped machine changes nothing and emits nothing.
 */
void vm_stop(RunState state);

#endif
