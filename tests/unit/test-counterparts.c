/*
 * tests/qtest/counterparts.c: how tests find the real counterparts, and
 * how they skip (visibly) when one could not be fetched.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "counterparts.h"

static char *make_dir(void)
{
    g_autoptr(GError) err = NULL;
    char *dir = g_dir_make_tmp("counterparts-XXXXXX", &err);

    g_assert_no_error(err);
    g_setenv("COUNTERPARTS_DIR", dir, TRUE);
    return dir;
}

static void put(const char *dir, const char *file, const char *text)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);

    g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static void test_env_file(void)
{
    g_autofree char *dir = make_dir();
    g_autofree char *reason = NULL;
    g_autoptr(Counterpart) cp = NULL;

    put(dir, "qemu.env", "VERSION=11.1.3+ds-1\n# a comment=no\n"
        "QEMU_X86_64=/x/bin/qemu-system-x86_64\nEMPTY=\nA=b=c\n");
    cp = counterpart_load("qemu", &reason);
    g_assert_nonnull(cp);
    g_assert_null(reason);
    g_assert_cmpstr(counterpart_get(cp, "VERSION"), ==, "11.1.3+ds-1");
    g_assert_cmpstr(counterpart_get(cp, "QEMU_X86_64"), ==,
                    "/x/bin/qemu-system-x86_64");
    g_assert_cmpstr(counterpart_get(cp, "EMPTY"), ==, "");
    g_assert_cmpstr(counterpart_get(cp, "A"), ==, "b=c");
    g_assert_null(counterpart_get(cp, "# a comment"));
    g_assert_null(counterpart_get(cp, "MISSING"));
}

static void test_skip_reason(void)
{
    g_autofree char *dir = make_dir();
    g_autofree char *reason = NULL;

    put(dir, "linux.skip", "Debian archive unreachable (Err:1 sid)\n");
    g_assert_null(counterpart_load("linux", &reason));
    g_assert_cmpstr(reason, ==,
                    "linux: Debian archive unreachable (Err:1 sid)");
    g_clear_pointer(&reason, g_free);
    g_assert_null(counterpart_load("libvirt", &reason));
    g_assert_nonnull(strstr(reason, "scripts/counterparts.sh install libvirt"));
}

/* In a child process: the exit status and output meson reads as skipped. */
static void test_require_exit_77(void)
{
    g_autofree char *dir = make_dir();
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(GError) error = NULL;
    int status;
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    char *args[] = { self, (char *)"--require-child", (char *)dir, NULL };

    g_assert_true(g_spawn_sync(NULL, args, NULL, 0, NULL, NULL, &out, &err,
                               &status, &error));
    g_assert_no_error(error);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 77);
    g_assert_nonnull(strstr(err, "SKIP: qemu:"));

    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);
    args[1] = (char *)"--require-tap-child";
    g_assert_true(g_spawn_sync(NULL, args, NULL, 0, NULL, NULL, &out, &err,
                               &status, &error));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_true(g_str_has_prefix(out, "1..0 # SKIP qemu:"));
}

int main(int argc, char **argv)
{
    if (argc == 3 && g_str_has_prefix(argv[1], "--require")) {
        g_setenv("COUNTERPARTS_DIR", argv[2], TRUE);
        if (g_str_equal(argv[1], "--require-tap-child")) {
            counterpart_require_tap("qemu");
        } else {
            counterpart_require("qemu");
        }
        return 1;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/counterparts/env-file", test_env_file);
    g_test_add_func("/counterparts/skip-reason", test_skip_reason);
    g_test_add_func("/counterparts/require-exit-status", test_require_exit_77);
    return g_test_run();
}
