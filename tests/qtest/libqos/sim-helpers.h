/*
 * Helpers for qtests that run viommu-system under the iommufd simulator
 * (contrib/iommufd-sim, docs/devel/iommufd-sim.rst): a private directory
 * with the configuration, control socket, exit report and a file that
 * catches the binary's stderr; a control-socket client; parsers for the
 * "stats", "objects" and "responses" replies.
 *
 * The names start with simh_; the socket client underneath is the one
 * the guest drivers in libqos/ use too (qos-sim.h, qsim_cmd()).
 */
#ifndef SIM_HELPERS_H
#define SIM_HELPERS_H

#include "libqtest.h"

typedef struct SimEnv {
    char *dir;
    char *conf;                 /* IOMMUFD_SIM_CONFIG */
    char *sock;                 /* IOMMUFD_SIM_SOCKET */
    char *report;               /* IOMMUFD_SIM_EXIT_REPORT */
    char *errlog;               /* the binary's stderr */
    char *envp[5];
} SimEnv;

/* Path of libiommufd-sim.so: $IOMMUFD_SIM_LIB, or NULL if unset/empty. */
const char *simh_lib(void);

/* A fresh temporary directory holding @conf as the configuration. */
void simh_env_init(SimEnv *e, const char *conf);
/* Remove the directory and free everything. */
void simh_env_cleanup(SimEnv *e);

/*
 * qtest_init_with_env() with the simulator preloaded, and the binary's
 * stderr (inherited from us: libqtest does not redirect it) going to
 * e->errlog instead.  Our own stderr is restored before returning.
 */
QTestState *simh_spawn(SimEnv *e, const char *args);

/* The binary's stderr so far (caller frees). */
char *simh_stderr(SimEnv *e);
/* Lines of @text containing @needle. */
unsigned simh_count_lines(const char *text, const char *needle);
/* Wait (real time) until the binary's stderr has a line with @needle. */
bool simh_wait_stderr(SimEnv *e, const char *needle, unsigned timeout_ms);

/*
 * qtest_quit(), then the simulator's exit report: the number of objects
 * still alive when the binary exited ("live N"), or -1 without a report.
 */
int simh_quit(SimEnv *e, QTestState *qts);

/* ---- control socket ---- */

/* One command; the whole reply (data lines + OK/ERR line), g_free it. */
char *simh_cmd(SimEnv *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* True if the reply's last line starts with "OK". */
bool simh_ok(const char *reply);
/* simh_cmd() that must succeed. */
void simh_cmd_ok(SimEnv *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Value of "key=N" in the "stats" reply. */
uint64_t simh_stat(SimEnv *e, const char *key);
/* Live objects of @type ("fault", "hwpt_nested", ...) in "objects". */
unsigned simh_objects(SimEnv *e, const char *type);
/* All live objects (the count of the "objects" reply). */
unsigned simh_live_objects(SimEnv *e);
/* Wait (real time) until stat @key reaches @n. */
bool simh_wait_stat(SimEnv *e, const char *key, uint64_t n,
                    unsigned timeout_ms);

typedef struct SimhResponse {
    uint32_t cookie;
    bool success;
    char bdf[16];
    int64_t pasid;              /* -1: none */
    uint32_t grpid;
    bool automatic;             /* answered by the simulated kernel */
} SimhResponse;

/* Parse "responses": returns the count, fills up to @max. */
unsigned simh_responses(SimEnv *e, SimhResponse *out, unsigned max);
/* Wait (real time) until at least @n answers are logged. */
bool simh_wait_responses(SimEnv *e, unsigned n, unsigned timeout_ms);

#endif
