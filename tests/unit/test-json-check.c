/*
 * qemu_json_check(): the duplicate-member and number-range rules QEMU's
 * JSON parser has and json-glib lacks, and id_wellformed().
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/json-check.h"

static void expect(const char *text, const char *fragment)
{
    g_autofree char *err = qemu_json_check(text, strlen(text));

    if (!fragment) {
        if (err) {
            g_test_message("'%s': %s", text, err);
        }
        g_assert_null(err);
        return;
    }
    g_assert_nonnull(err);
    if (!strstr(err, fragment)) {
        g_test_message("'%s': %s", text, err);
    }
    g_assert_nonnull(strstr(err, fragment));
}

static void test_duplicates(void)
{
    expect("{\"a\": 1, \"b\": 2}", NULL);
    expect("{\"a\": 1, \"a\": 2}", "duplicate key 'a'");
    /* Compared unescaped, including surrogate pairs */
    expect("{\"a\": 1, \"\\u0061\": 2}", "duplicate key 'a'");
    expect("{\"\\ud83d\\ude00\": 1, \"\\uD83D\\uDE00\": 2}", "duplicate key");
    expect("{\"a\\nb\": 1, \"a\\u000ab\": 2}", "duplicate key");
    expect("{\"a\\\"\": 1, \"a\\u0022\": 2}", "duplicate key");
    /* Per object: siblings and nesting levels are separate */
    expect("{\"a\": {\"a\": {\"a\": 1}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}",
           NULL);
    expect("{\"a\": [{\"x\": 1, \"x\": 1}]}", "duplicate key 'x'");
    expect("[{\"k\": 1}, {\"k\": 2}, {\"k\": 3, \"k\": 4}]", "'k'");
    /* A name inside a string value is not a member */
    expect("{\"a\": \"a\", \"b\": \"\\\"a\\\": 1\"}", NULL);
    expect("{\"a\": \"x\", \"c\": {\"a\": \"y\"}, \"b\": \"a\"}", NULL);
}

static void test_numbers(void)
{
    expect("{\"id\": 1e308, \"x\": -1.5e-300, \"y\": 0}", NULL);
    expect("{\"id\": 1e999999}", "out of range");
    expect("{\"id\": -1e309}", "out of range");
    expect("[1, 2, 1E400]", "out of range");
    expect("12345678901234567890123", NULL);     /* big, but finite */
    /* Digits in names and strings are not numbers */
    expect("{\"1e999\": \"1e999\"}", NULL);
}

static void test_ids(void)
{
    static const char *const good[] = { "a", "dev0", "a-1.b_2", "Z9" };
    static const char *const bad[] = { "", "0a", "_a", "-a", ".a", "a/b",
                                       "a b", "a,b", "a\xc3\xa9", "a:b" };

    for (unsigned i = 0; i < G_N_ELEMENTS(good); i++) {
        g_assert_true(id_wellformed(good[i]));
    }
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(id_wellformed(bad[i]));
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json-check/duplicates", test_duplicates);
    g_test_add_func("/json-check/numbers", test_numbers);
    g_test_add_func("/json-check/ids", test_ids);
    return g_test_run();
}
