/*
 * Unit tests: trace event registry, pattern matching and enabling
 * (util/trace-control.c), and the code scripts/tracetool.py generates
 * (from tests/unit/trace-events-test, built into this program).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/trace-control.h"
#include "trace-unit_test.h"
#include <glib/gstdio.h>
#include <sys/wait.h>

/* A hand-written group, registered as a generated one would be. */
static uint16_t dstate[7];
static TraceEvent ev_alpha = { "tpat_alpha", &dstate[0] };
static TraceEvent ev_alpha2 = { "tpat_alpha2", &dstate[1] };
static TraceEvent ev_alpha_beta = { "tpat_alpha_beta", &dstate[2] };
static TraceEvent ev_beta = { "tpat_beta", &dstate[3] };
static TraceEvent ev_gamma_x = { "tpat_gamma_x", &dstate[4] };
static TraceEvent ev_gamma_y = { "tpat_gamma_y", &dstate[5] };
static TraceEvent ev_other = { "tpatother", &dstate[6] };
static TraceEvent *test_group[] = {
    &ev_alpha, &ev_alpha2, &ev_alpha_beta, &ev_beta,
    &ev_gamma_x, &ev_gamma_y, &ev_other, NULL,
};
#define N_TEST_EVENTS 7

/* States of the test group as a string of '0'/'1', in table order. */
static char *states(void)
{
    GString *s = g_string_new(NULL);

    for (int i = 0; test_group[i]; i++) {
        g_string_append_c(s, trace_event_get_state(test_group[i]) ? '1' : '0');
    }
    return g_string_free(s, FALSE);
}

#define assert_states(expect) do {              \
        g_autofree char *s_ = states();         \
        g_assert_cmpstr(s_, ==, (expect));      \
    } while (0)

static void reset_states(void)
{
    trace_enable_events("-*");
    assert_states("0000000");
}

static void test_pattern_match(void)
{
    g_assert_true(trace_pattern_match("*", "anything"));
    g_assert_true(trace_pattern_match("*", ""));
    g_assert_true(trace_pattern_match("abc", "abc"));
    g_assert_false(trace_pattern_match("abc", "abcd"));
    g_assert_false(trace_pattern_match("abc", "ab"));
    g_assert_true(trace_pattern_match("ab*", "ab"));
    g_assert_true(trace_pattern_match("ab*", "abcdef"));
    g_assert_false(trace_pattern_match("ab*", "xab"));
    g_assert_true(trace_pattern_match("*_fault", "vtd_fault"));
    g_assert_false(trace_pattern_match("*_fault", "vtd_fault_x"));
    g_assert_true(trace_pattern_match("a?c", "abc"));
    g_assert_false(trace_pattern_match("a?c", "ac"));
    g_assert_false(trace_pattern_match("a?c", "abbc"));
    g_assert_true(trace_pattern_match("a*b*c", "a_x_b_y_c"));
    g_assert_false(trace_pattern_match("", "a"));
    g_assert_true(trace_pattern_match("", ""));
}

static void test_registry(void)
{
    g_assert_true(trace_event_find("tpat_alpha") == &ev_alpha);
    g_assert_true(trace_event_find("tpat_gamma_y") == &ev_gamma_y);
    g_assert_null(trace_event_find("tpat_nosuch"));
    g_assert_null(trace_event_find("tpat_*"));

    /* The groups of the tree register themselves at start-up. */
    g_assert_nonnull(trace_event_find("qemu_set_fd_handler"));
    /* So does the group generated for this test. */
    g_assert_nonnull(trace_event_find("unit_ev_int"));
    g_assert_nonnull(trace_event_find("unit_ev_disabled_prop"));

    trace_event_set_state(&ev_beta, true);
    g_assert_true(trace_event_get_state(&ev_beta));
    g_assert_cmpuint(dstate[3], !=, 0);
    trace_event_set_state(&ev_beta, false);
    g_assert_false(trace_event_get_state(&ev_beta));
    g_assert_cmpuint(dstate[3], ==, 0);
}

static void count_cb(TraceEvent *ev, void *opaque)
{
    if (g_str_has_prefix(ev->name, "tpat")) {
        (*(int *)opaque)++;
    }
}

static void test_foreach(void)
{
    int n = 0;

    trace_event_foreach(count_cb, &n);
    g_assert_cmpint(n, ==, N_TEST_EVENTS);
}

static void test_enable_patterns(void)
{
    int n;

    reset_states();

    /* Exact name. */
    g_assert_cmpint(trace_enable_events("tpat_beta"), ==, 1);
    assert_states("0001000");

    /* Prefix glob: does not match "tpatother" (no underscore). */
    reset_states();
    g_assert_cmpint(trace_enable_events("tpat_*"), ==, 6);
    assert_states("1111110");

    /* '-' disables. */
    g_assert_cmpint(trace_enable_events("-tpat_alpha*"), ==, 3);
    assert_states("0001110");
    g_assert_cmpint(trace_enable_events("-tpat_gamma_?"), ==, 2);
    assert_states("0001000");

    /* '?' is exactly one character. */
    reset_states();
    g_assert_cmpint(trace_enable_events("tpat_alpha?"), ==, 1);
    assert_states("0100000");

    /* Suffix and infix globs. */
    reset_states();
    g_assert_cmpint(trace_enable_events("tpat_*_x"), ==, 1);
    assert_states("0000100");
    g_assert_cmpint(trace_enable_events("*alpha*beta"), ==, 1);
    assert_states("0010100");

    /* An unknown pattern matches nothing and changes nothing. */
    g_assert_cmpint(trace_enable_events("tpat_nosuch*"), ==, 0);
    g_assert_cmpint(trace_enable_events("-tpat_nosuch"), ==, 0);
    g_assert_cmpint(trace_enable_events("tpat_alph"), ==, 0);
    assert_states("0010100");

    /* '*' matches every event of every group. */
    reset_states();
    n = trace_enable_events("*");
    g_assert_cmpint(n, >, N_TEST_EVENTS);
    assert_states("1111111");
    g_assert_true(
        trace_event_get_state(trace_event_find("qemu_set_fd_handler")));
    g_assert_cmpint(trace_enable_events("-*"), ==, n);
    assert_states("0000000");
    g_assert_false(
        trace_event_get_state(trace_event_find("qemu_set_fd_handler")));
}

static char *write_temp(const char *contents)
{
    GError *gerr = NULL;
    char *path = NULL;
    int fd = g_file_open_tmp("test-trace-XXXXXX", &path, &gerr);

    g_assert_no_error(gerr);
    close(fd);
    g_assert_true(g_file_set_contents(path, contents, -1, &gerr));
    g_assert_no_error(gerr);
    return path;
}

static void test_events_file(void)
{
    g_autofree char *path = write_temp(
        "# a comment line\n"
        "tpat_alpha*\n"
        "\n"
        "   # indented comment\n"
        "  tpat_gamma_y  \n"
        "-tpat_alpha2\n"
        "tpat_nosuch\n"
        "#tpat_beta\n"
        "tpatother");   /* no final newline */
    Error *err = NULL;

    reset_states();
    g_assert_true(trace_init_events_file(path, &err));
    g_assert_null(err);
    assert_states("1010011");
    g_unlink(path);

    /* A missing file is an error naming the file. */
    g_assert_false(trace_init_events_file("/nonexistent/trace-events-list",
                                          &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "'/nonexistent/trace-events-list'"));
    error_free(err);
    assert_states("1010011");
}

static void test_opt_parse(void)
{
    g_autofree char *path = write_temp("tpat_beta\n");
    g_autofree char *arg = g_strdup_printf("events=%s", path);
    Error *err = NULL;

    reset_states();
    /* "-trace PATTERN": the implied key is enable. */
    g_assert_true(trace_opt_parse("tpat_alpha", &err));
    g_assert_null(err);
    assert_states("1000000");
    g_assert_true(trace_opt_parse("enable=tpat_gamma_*", &err));
    assert_states("1000110");
    g_assert_true(trace_opt_parse("-tpat_gamma_x", &err));
    assert_states("1000010");
    g_assert_true(trace_opt_parse(arg, &err));
    g_assert_null(err);
    assert_states("1001010");
    g_unlink(path);

    g_assert_false(trace_opt_parse("bogus=1", &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'bogus'");
    error_free(err);
    err = NULL;

    g_assert_false(trace_opt_parse("events=/nonexistent/x", &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;

    g_assert_false(trace_opt_parse("file=/nonexistent/dir/log", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "/nonexistent/dir/log"));
    error_free(err);
    reset_states();
}

/* Generated code: enabled events print "name args", disabled print nothing. */
static void test_tracetool_output(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-trace-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "trace.log", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *expect = NULL;
    Error *err = NULL;
    int dummy;

    g_assert_nonnull(dir);
    trace_enable_events("-*");
    g_assert_false(trace_event_get_state_unit_ev_int());
    g_assert_cmpint(TRACE_UNIT_EV_INT_ENABLED, ==, 1);

    g_assert_true(qemu_set_log_filename(log, &err));
    g_assert_null(err);

    /* Nothing enabled yet: nothing printed. */
    trace_unit_ev_int(1, 2);

    g_assert_cmpint(trace_enable_events("unit_ev_*"), ==, 7);
    g_assert_true(trace_event_get_state_unit_ev_int());
    g_assert_cmpint(trace_enable_events("-unit_ev_str"), ==, 1);
    g_assert_false(trace_event_get_state_unit_ev_str());

    trace_unit_ev_int(-3, 4000000000u);
    trace_unit_ev_u64(0xfee00000ULL, 4);
    trace_unit_ev_str("skipped", true);         /* disabled */
    trace_unit_ev_ptr(&dummy);
    trace_unit_ev_void();
    trace_unit_ev_noargs();
    trace_unit_ev_disabled_prop(5);
    trace_event_set_state(trace_event_find("unit_ev_str"), true);
    trace_unit_ev_str("dev0", false);
    trace_enable_events("-unit_ev_*");
    trace_unit_ev_int(9, 9);                    /* disabled again */

    /* Back to stderr: closes (and flushes) the file. */
    g_assert_true(qemu_set_log_filename(NULL, &err));

    g_assert_true(g_file_get_contents(log, &contents, NULL, NULL));
    expect = g_strdup_printf(
        "unit_ev_int n -3 u 4000000000\n"
        "unit_ev_u64 addr 0xfee00000 len 4\n"
        "unit_ev_ptr opaque %p\n"
        "unit_ev_void \n"
        "unit_ev_noargs tick\n"
        "unit_ev_disabled_prop x 5\n"
        "unit_ev_str name 'dev0' flag 0\n", (void *)&dummy);
    g_assert_cmpstr(contents, ==, expect);

    g_unlink(log);
    g_rmdir(dir);
}

/* The log file is opened for appending, as -D does. */
static void test_log_file_appends(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-trace-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "trace.log", NULL);
    g_autofree char *contents = NULL;

    g_assert_true(g_file_set_contents(log, "old line\n", -1, NULL));
    g_assert_true(qemu_set_log_filename(log, &error_abort));
    trace_event_set_state(trace_event_find("unit_ev_noargs"), true);
    trace_unit_ev_noargs();
    trace_event_set_state(trace_event_find("unit_ev_noargs"), false);
    g_assert_true(qemu_set_log_filename(NULL, &error_abort));
    g_assert_true(g_file_get_contents(log, &contents, NULL, NULL));
    g_assert_cmpstr(contents, ==, "old line\nunit_ev_noargs tick\n");
    g_unlink(log);
    g_rmdir(dir);
}

/* Run tracetool on @input; returns its exit status, output in *@err_out. */
static int run_tracetool(const char *input, char **err_out)
{
    g_autofree char *dir = g_dir_make_tmp("test-tracetool-XXXXXX", NULL);
    g_autofree char *in = g_build_filename(dir, "trace-events", NULL);
    g_autofree char *h = g_build_filename(dir, "trace-x.h", NULL);
    g_autofree char *c = g_build_filename(dir, "trace-x.c", NULL);
    const char *argv[] = {
        PYTHON, TRACETOOL, "--group", "x", in, h, c, NULL,
    };
    GError *gerr = NULL;
    int status = -1;

    g_assert_true(g_file_set_contents(in, input, -1, NULL));
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT,
                               NULL, NULL, NULL, err_out, &status, &gerr));
    g_assert_no_error(gerr);
    g_unlink(in);
    g_unlink(h);
    g_unlink(c);
    g_rmdir(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_tracetool_rejects(void)
{
    static const struct {
        const char *input;
        const char *message;
    } bad[] = {
        { "not an event\n", "cannot parse" },
        { "ev(int x) \"x %d\"\nev(int y) \"y %d\"\n",
          "duplicate trace event ev" },
        { "ev(int x) \"x %d\\n\"\n", "newline" },
    };
    g_autofree char *ok_err = NULL;

    g_assert_cmpint(run_tracetool("# only a comment\nev(int x) \"x %d\"\n",
                                  &ok_err), ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autofree char *err = NULL;

        g_assert_cmpint(run_tracetool(bad[i].input, &err), !=, 0);
        g_assert_nonnull(strstr(err, bad[i].message));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_event_register_group(test_group);
    g_test_add_func("/trace/pattern-match", test_pattern_match);
    g_test_add_func("/trace/registry", test_registry);
    g_test_add_func("/trace/foreach", test_foreach);
    g_test_add_func("/trace/enable-patterns", test_enable_patterns);
    g_test_add_func("/trace/events-file", test_events_file);
    g_test_add_func("/trace/opt-parse", test_opt_parse);
    g_test_add_func("/trace/tracetool-output", test_tracetool_output);
    g_test_add_func("/trace/log-file-appends", test_log_file_appends);
    g_test_add_func("/trace/tracetool-rejects", test_tracetool_rejects);
    return g_test_run();
}
