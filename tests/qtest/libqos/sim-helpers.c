/*
 * Helpers for qtests under the iommufd simulator (see sim-helpers.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib/gstdio.h>

#include "sim-helpers.h"
#include "qos-sim.h"

const char *simh_lib(void)
{
    const char *lib = g_getenv("IOMMUFD_SIM_LIB");

    return lib && *lib ? lib : NULL;
}

void simh_env_init(SimEnv *e, const char *conf)
{
    const char *lib = simh_lib();

    g_assert_nonnull(lib);
    memset(e, 0, sizeof(*e));
    e->dir = g_dir_make_tmp("sim-XXXXXX", NULL);
    g_assert_nonnull(e->dir);
    e->conf = g_build_filename(e->dir, "sim.conf", NULL);
    e->sock = g_build_filename(e->dir, "sim.sock", NULL);
    e->report = g_build_filename(e->dir, "exit-report", NULL);
    e->errlog = g_build_filename(e->dir, "stderr", NULL);
    g_assert_true(g_file_set_contents(e->conf, conf, -1, NULL));
    e->envp[0] = g_strdup_printf("LD_PRELOAD=%s", lib);
    e->envp[1] = g_strdup_printf("IOMMUFD_SIM_CONFIG=%s", e->conf);
    e->envp[2] = g_strdup_printf("IOMMUFD_SIM_SOCKET=%s", e->sock);
    e->envp[3] = g_strdup_printf("IOMMUFD_SIM_EXIT_REPORT=%s", e->report);
}

void simh_env_cleanup(SimEnv *e)
{
    g_unlink(e->conf);
    g_unlink(e->sock);
    g_unlink(e->report);
    g_unlink(e->errlog);
    g_rmdir(e->dir);
    for (int i = 0; e->envp[i]; i++) {
        g_free(e->envp[i]);
    }
    g_free(e->dir);
    g_free(e->conf);
    g_free(e->sock);
    g_free(e->report);
    g_free(e->errlog);
    memset(e, 0, sizeof(*e));
}

/*
 * libqtest aborts when the binary does not start, and says why on stderr,
 * which is in the file then: put it back and show the file before dying.
 */
static int simh_saved_stderr = -1;
static const char *simh_spawn_errlog;

static void simh_spawn_abort(int sig)
{
    char buf[4096];
    ssize_t n;
    int fd;

    if (simh_saved_stderr >= 0) {
        dup2(simh_saved_stderr, STDERR_FILENO);
        fd = open(simh_spawn_errlog, O_RDONLY);
        while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0) {
            if (write(STDERR_FILENO, buf, n) != n) {
                break;
            }
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

QTestState *simh_spawn(SimEnv *e, const char *args)
{
    struct sigaction sa = { .sa_handler = simh_spawn_abort }, old;
    QTestState *qts;
    int fd;

    fd = open(e->errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    fflush(stderr);
    simh_saved_stderr = dup(STDERR_FILENO);
    g_assert_cmpint(simh_saved_stderr, >=, 0);
    simh_spawn_errlog = e->errlog;
    sigaction(SIGABRT, &sa, &old);
    /* dup2() clears FD_CLOEXEC on the copy: the child inherits it. */
    g_assert_cmpint(dup2(fd, STDERR_FILENO), ==, STDERR_FILENO);
    close(fd);
    qts = qtest_init_with_env(args, (const char *const *)e->envp);
    fflush(stderr);
    dup2(simh_saved_stderr, STDERR_FILENO);
    sigaction(SIGABRT, &old, NULL);
    close(simh_saved_stderr);
    simh_saved_stderr = -1;
    return qts;
}

char *simh_stderr(SimEnv *e)
{
    char *text = NULL;

    if (!g_file_get_contents(e->errlog, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

unsigned simh_count_lines(const char *text, const char *needle)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    unsigned n = 0;

    for (unsigned i = 0; lines[i]; i++) {
        n += strstr(lines[i], needle) != NULL;
    }
    return n;
}

bool simh_wait_stderr(SimEnv *e, const char *needle, unsigned timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

    for (;;) {
        g_autofree char *text = simh_stderr(e);

        if (simh_count_lines(text, needle)) {
            return true;
        }
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
}

int simh_quit(SimEnv *e, QTestState *qts)
{
    g_autofree char *report = NULL;
    unsigned live;

    g_unlink(e->report);
    qtest_quit(qts);
    if (!g_file_get_contents(e->report, &report, NULL, NULL) ||
        sscanf(report, "live %u", &live) != 1) {
        return -1;
    }
    if (live) {
        g_test_message("simulator exit report:\n%s", report);
    }
    return live;
}

/* ---- control socket ---- */

/* The one control-socket client, libqos/qos-sim.h */
static char *simh_vcmd(SimEnv *e, const char *fmt, va_list ap)
{
    return qsim_vcmd(e->sock, fmt, ap);
}

char *simh_cmd(SimEnv *e, const char *fmt, ...)
{
    va_list ap;
    char *reply;

    va_start(ap, fmt);
    reply = simh_vcmd(e, fmt, ap);
    va_end(ap);
    return reply;
}

bool simh_ok(const char *reply)
{
    return qsim_ok(reply);
}

void simh_cmd_ok(SimEnv *e, const char *fmt, ...)
{
    g_autofree char *reply = NULL;
    va_list ap;

    va_start(ap, fmt);
    reply = simh_vcmd(e, fmt, ap);
    va_end(ap);
    if (!simh_ok(reply)) {
        g_test_message("simulator refused a command: %s", reply);
    }
    g_assert_true(simh_ok(reply));
}

uint64_t simh_stat(SimEnv *e, const char *key)
{
    g_autofree char *reply = simh_cmd(e, "stats");
    g_autofree char *pat = g_strdup_printf(" %s=", key);
    const char *p = strstr(reply, pat);

    g_assert_nonnull(p);
    return g_ascii_strtoull(p + strlen(pat), NULL, 10);
}

unsigned simh_objects(SimEnv *e, const char *type)
{
    g_autofree char *reply = simh_cmd(e, "objects");
    g_auto(GStrv) lines = g_strsplit(reply, "\n", -1);
    unsigned n = 0;

    g_assert_true(simh_ok(reply));
    for (unsigned i = 0; lines[i]; i++) {
        char t[32];

        if (sscanf(lines[i], "%*u %31s", t) == 1 && !strcmp(t, type)) {
            n++;
        }
    }
    return n;
}

unsigned simh_live_objects(SimEnv *e)
{
    g_autofree char *reply = simh_cmd(e, "objects");
    const char *ok = strstr(reply, "OK ");

    g_assert_nonnull(ok);
    return strtoul(ok + 3, NULL, 10);
}

bool simh_wait_stat(SimEnv *e, const char *key, uint64_t n,
                    unsigned timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (simh_stat(e, key) < n) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}

unsigned simh_responses(SimEnv *e, SimhResponse *out, unsigned max)
{
    g_autofree char *reply = simh_cmd(e, "responses");
    g_auto(GStrv) lines = g_strsplit(reply, "\n", -1);
    unsigned n = 0;

    g_assert_true(simh_ok(reply));
    for (unsigned i = 0; lines[i]; i++) {
        SimhResponse r = { 0 };
        char code[16], pasid[16], who[8];

        if (sscanf(lines[i], "%u %15s %15s %15s %u %7s", &r.cookie, code,
                   r.bdf, pasid, &r.grpid, who) != 6) {
            continue;
        }
        r.success = !strcmp(code, "SUCCESS");
        r.pasid = !strcmp(pasid, "-") ? -1 : g_ascii_strtoll(pasid, NULL, 0);
        r.automatic = !strcmp(who, "auto");
        if (out && n < max) {
            out[n] = r;
        }
        n++;
    }
    return n;
}

bool simh_wait_responses(SimEnv *e, unsigned n, unsigned timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (simh_responses(e, NULL, 0) < n) {
        if (g_get_monotonic_time() > end) {
            return false;
        }
        g_usleep(1000);
    }
    return true;
}
