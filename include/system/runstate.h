/*
 * Run state (system/runstate.c): what query-status reports.
 */
#ifndef SYSTEM_RUNSTATE_H
#define SYSTEM_RUNSTATE_H

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
} RunState;

void runstate_set(RunState state);
RunState runstate_get(void);
const char *runstate_name(void);
bool runstate_is_running(void);
/* "cont" and "stop": change state and send RESUME / STOP. */
void vm_start(void);
void vm_stop(void);

#endif
