/*
 * Unit tests: option strings (util/qemu-option.c) and strict number
 * parsing (util/cutils.c).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/cutils.h"

/* Parse @str and return the options, failing the test on error. */
static QemuOpts *parse_ok(const char *str, const char *implied_key)
{
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(str, implied_key, &err);

    if (err) {
        g_test_message("parsing '%s': %s", str, error_get_pretty(err));
    }
    g_assert_null(err);
    g_assert_nonnull(opts);
    return opts;
}

/* Parse @str, expect failure with message @msg. */
static void parse_fail(const char *str, const char *implied_key,
                       const char *msg)
{
    Error *err = NULL;
    QemuOpts *opts = qemu_opts_parse(str, implied_key, &err);

    g_assert_null(opts);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static const QemuOpt *opt_at(QemuOpts *opts, guint i)
{
    g_assert_cmpuint(i, <, opts->opts->len);
    return &g_array_index(opts->opts, QemuOpt, i);
}

static void test_opts_basic(void)
{
    g_autoptr(QemuOpts) opts = parse_ok("a=1,b=x,,y", NULL);

    g_assert_cmpuint(opts->opts->len, ==, 2);
    g_assert_cmpstr(opt_at(opts, 0)->name, ==, "a");
    g_assert_cmpstr(opt_at(opts, 0)->value, ==, "1");
    g_assert_cmpstr(opt_at(opts, 1)->name, ==, "b");
    g_assert_cmpstr(opt_at(opts, 1)->value, ==, "x,y");
    g_assert_cmpstr(qemu_opt_get(opts, "b"), ==, "x,y");
    g_assert_null(qemu_opt_get(opts, "c"));
}

static void test_opts_escapes(void)
{
    g_autoptr(QemuOpts) o1 = parse_ok("path=/tmp/a,,b,,,,c", NULL);
    g_autoptr(QemuOpts) o2 = parse_ok("a=x,,", NULL);
    g_autoptr(QemuOpts) o3 = parse_ok("k,,ey=v", NULL);
    g_autoptr(QemuOpts) o4 = parse_ok("a=b=c", NULL);
    g_autoptr(QemuOpts) o5 = parse_ok("a=", NULL);

    g_assert_cmpstr(qemu_opt_get(o1, "path"), ==, "/tmp/a,b,,c");
    g_assert_cmpuint(o1->opts->len, ==, 1);
    /* An escaped comma at the very end is part of the value. */
    g_assert_cmpstr(qemu_opt_get(o2, "a"), ==, "x,");
    g_assert_cmpuint(o2->opts->len, ==, 1);
    /* Escapes work in names too. */
    g_assert_cmpstr(qemu_opt_get(o3, "k,ey"), ==, "v");
    g_autoptr(QemuOpts) o6 = parse_ok("a=1,,,b=2", NULL);

    /* ",,," is an escaped comma followed by a separator. */
    g_assert_cmpuint(o6->opts->len, ==, 2);
    g_assert_cmpstr(qemu_opt_get(o6, "a"), ==, "1,");
    g_assert_cmpstr(qemu_opt_get(o6, "b"), ==, "2");
    /* Only the first '=' separates name and value. */
    g_assert_cmpstr(qemu_opt_get(o4, "a"), ==, "b=c");
    /* An empty value is a value. */
    g_assert_cmpstr(qemu_opt_get(o5, "a"), ==, "");
}

static void test_opts_implied_key(void)
{
    g_autoptr(QemuOpts) o1 = parse_ok("intel-iommu,id=iommu0,x-flts=on",
                                      "driver");
    g_autoptr(QemuOpts) o2 = parse_ok("driver=foo,id=x", "driver");
    g_autoptr(QemuOpts) o3 = parse_ok("a,,b,c=1", "driver");

    g_assert_cmpuint(o1->opts->len, ==, 3);
    g_assert_cmpstr(opt_at(o1, 0)->name, ==, "driver");
    g_assert_cmpstr(opt_at(o1, 0)->value, ==, "intel-iommu");
    g_assert_cmpstr(qemu_opt_get(o1, "id"), ==, "iommu0");
    g_assert_cmpstr(qemu_opt_get(o1, "x-flts"), ==, "on");

    /* An explicit key=value first element is not the implied value. */
    g_assert_cmpuint(o2->opts->len, ==, 2);
    g_assert_cmpstr(qemu_opt_get(o2, "driver"), ==, "foo");

    /* The implied value may contain escaped commas. */
    g_assert_cmpstr(qemu_opt_get(o3, "driver"), ==, "a,b");
    g_assert_cmpstr(qemu_opt_get(o3, "c"), ==, "1");
}

static void test_opts_flag(void)
{
    /* Without an implied key, a bare element is a flag: name=on. */
    g_autoptr(QemuOpts) o1 = parse_ok("server,wait=off", NULL);
    /* With an implied key, only the first element is the implied value. */
    g_autoptr(QemuOpts) o2 = parse_ok("socket,server,id=x", "backend");

    g_assert_cmpstr(qemu_opt_get(o1, "server"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(o1, "wait"), ==, "off");
    g_assert_cmpstr(qemu_opt_get(o2, "backend"), ==, "socket");
    g_assert_cmpstr(qemu_opt_get(o2, "server"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(o2, "id"), ==, "x");
}

static void test_opts_errors(void)
{
    /*
     * Empty element at the start, at the end (",," in the middle is an
     * escaped comma, never an empty element).
     */
    parse_fail(",a=1", NULL, "Invalid parameter ''");
    parse_fail("a=1,", NULL, "Invalid parameter ''");
    parse_fail("a=1,", "driver", "Invalid parameter ''");
    parse_fail(",", NULL, "Invalid parameter ''");
    /* Empty name with a value. */
    parse_fail("=1", NULL, "Invalid parameter ''");
    parse_fail("a=1,=2", "driver", "Invalid parameter ''");
}

static void test_opts_empty_string(void)
{
    g_autoptr(QemuOpts) opts = parse_ok("", NULL);

    g_assert_cmpuint(opts->opts->len, ==, 0);
}

static void test_opts_get_take(void)
{
    g_autoptr(QemuOpts) opts = parse_ok("a=1,b=2,a=3", NULL);
    g_autofree char *a = NULL;
    g_autofree char *none = NULL;

    /* The last occurrence wins. */
    g_assert_cmpstr(qemu_opt_get(opts, "a"), ==, "3");
    a = qemu_opt_take(opts, "a");
    g_assert_cmpstr(a, ==, "3");
    g_assert_null(qemu_opt_get(opts, "a"));
    g_assert_cmpuint(opts->opts->len, ==, 1);
    g_assert_cmpstr(opt_at(opts, 0)->name, ==, "b");

    none = qemu_opt_take(opts, "nosuch");
    g_assert_null(none);
    g_assert_cmpuint(opts->opts->len, ==, 1);

    qemu_opt_set(opts, "c", "x,y");
    g_assert_cmpstr(qemu_opt_get(opts, "c"), ==, "x,y");
    g_assert_cmpuint(opts->opts->len, ==, 2);
}

/* cutils */

static void check_u64(const char *s, int ret, uint64_t expect)
{
    uint64_t v = 0xdeadbeef;
    int r = qemu_strtou64(s, &v);

    if (r != ret) {
        g_test_message("qemu_strtou64(\"%s\") = %d, expected %d", s, r, ret);
    }
    g_assert_cmpint(r, ==, ret);
    /* On error *result is untouched. */
    g_assert_cmpuint(v, ==, ret == 0 ? expect : 0xdeadbeef);
}

static void test_strtou64(void)
{
    check_u64("0", 0, 0);
    check_u64("42", 0, 42);
    check_u64("0x10", 0, 16);
    check_u64("0XfF", 0, 255);
    check_u64("010", 0, 8);         /* base 0: leading 0 is octal */
    check_u64("18446744073709551615", 0, UINT64_MAX);
    check_u64("0xffffffffffffffff", 0, UINT64_MAX);
    check_u64("18446744073709551616", -ERANGE, 0);
    check_u64("0x10000000000000000", -ERANGE, 0);
    check_u64("-1", -EINVAL, 0);
    check_u64("-0", -EINVAL, 0);
    check_u64("+1", -EINVAL, 0);
    check_u64("", -EINVAL, 0);
    check_u64(" 1", -EINVAL, 0);
    check_u64("1 ", -EINVAL, 0);
    check_u64("1a", -EINVAL, 0);
    check_u64("0x", -EINVAL, 0);
    check_u64("abc", -EINVAL, 0);
    check_u64("09", -EINVAL, 0);    /* not octal */
    check_u64("1.0", -EINVAL, 0);
    check_u64(NULL, -EINVAL, 0);
}

static void check_i64(const char *s, int ret, int64_t expect)
{
    int64_t v = 0x1234;
    int r = qemu_strtoi64(s, &v);

    g_assert_cmpint(r, ==, ret);
    g_assert_cmpint(v, ==, ret == 0 ? expect : 0x1234);
}

static void test_strtoi64(void)
{
    check_i64("-1", 0, -1);
    check_i64("+7", 0, 7);
    check_i64("-0x10", 0, -16);
    check_i64("9223372036854775807", 0, INT64_MAX);
    check_i64("-9223372036854775808", 0, INT64_MIN);
    check_i64("9223372036854775808", -ERANGE, 0);
    check_i64("-9223372036854775809", -ERANGE, 0);
    check_i64("", -EINVAL, 0);
    check_i64(" -1", -EINVAL, 0);
    check_i64("-", -EINVAL, 0);
    check_i64("12x", -EINVAL, 0);
}

static void check_sz(const char *s, int ret, uint64_t expect)
{
    uint64_t v = 0xdeadbeef;
    int r = qemu_strtosz(s, &v);

    if (r != ret) {
        g_test_message("qemu_strtosz(\"%s\") = %d, expected %d", s, r, ret);
    }
    g_assert_cmpint(r, ==, ret);
    g_assert_cmpuint(v, ==, ret == 0 ? expect : 0xdeadbeef);
}

static void test_strtosz(void)
{
    check_sz("0", 0, 0);
    check_sz("12345", 0, 12345);
    check_sz("512B", 0, 512);
    check_sz("1K", 0, 1024);
    check_sz("1k", 0, 1024);
    check_sz("4M", 0, 4 << 20);
    check_sz("2G", 0, 2ULL << 30);
    check_sz("1T", 0, 1ULL << 40);
    check_sz("1P", 0, 1ULL << 50);
    check_sz("15E", 0, 15ULL << 60);
    check_sz("1.5G", 0, 3ULL << 29);
    check_sz("0.5K", 0, 512);
    check_sz("1.25M", 0, 5ULL << 18);
    check_sz("0x1000", 0, 4096);
    check_sz("18446744073709551615", 0, UINT64_MAX);

    /* Overflow. */
    check_sz("16E", -ERANGE, 0);
    check_sz("16777216T", -ERANGE, 0);
    check_sz("18446744073709551616", -ERANGE, 0);
    check_sz("15.99999999999999999E", -ERANGE, 0);  /* rounds to 16E */

    /* Junk. */
    check_sz("", -EINVAL, 0);
    check_sz("K", -EINVAL, 0);
    check_sz("-1", -EINVAL, 0);
    check_sz("-1K", -EINVAL, 0);
    check_sz(" 1K", -EINVAL, 0);
    check_sz("1K ", -EINVAL, 0);
    check_sz("1KB", -EINVAL, 0);
    check_sz("1X", -EINVAL, 0);
    check_sz("1.5", -EINVAL, 0);      /* fraction needs a unit */
    check_sz("1.G", -EINVAL, 0);
    check_sz(".5G", -EINVAL, 0);
    check_sz("0x10K", -EINVAL, 0);    /* hex takes no suffix */
    check_sz("1.0x5G", -EINVAL, 0);
}

/*
 * The fraction is decimal digits only and needs a scale above one byte,
 * as in QEMU's do_strtosz(): no exponents, no fractional bytes.
 */
static void test_strtosz_fraction_strict(void)
{
    check_sz("1.5e1G", -EINVAL, 0);   /* not 6G, not 15G */
    check_sz("1.5E1K", -EINVAL, 0);
    check_sz("1.5e-1M", -EINVAL, 0);
    check_sz("1.5B", -EINVAL, 0);     /* would silently be 1 */
    check_sz("1.25K", 0, 1280);
    check_sz(NULL, -EINVAL, 0);
}

static void test_parse_bool(void)
{
    static const struct {
        const char *s;
        bool ok, value;
    } cases[] = {
        { "on", true, true }, { "yes", true, true }, { "true", true, true },
        { "off", true, false }, { "no", true, false }, { "false", true, false },
        { "", false }, { "1", false }, { "0", false }, { "onn", false },
        { "of", false }, { "junk", false }, { "y", false },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool v = !cases[i].value;   /* poison: must change only on success */
        bool before = v;
        bool ok = qemu_parse_bool(cases[i].s, &v);

        g_test_message("qemu_parse_bool(\"%s\")", cases[i].s);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmpint(v, ==, cases[i].value);
        } else {
            g_assert_cmpint(v, ==, before);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/option/basic", test_opts_basic);
    g_test_add_func("/option/escapes", test_opts_escapes);
    g_test_add_func("/option/implied-key", test_opts_implied_key);
    g_test_add_func("/option/flag", test_opts_flag);
    g_test_add_func("/option/errors", test_opts_errors);
    g_test_add_func("/option/empty-string", test_opts_empty_string);
    g_test_add_func("/option/get-take", test_opts_get_take);
    g_test_add_func("/cutils/strtou64", test_strtou64);
    g_test_add_func("/cutils/strtoi64", test_strtoi64);
    g_test_add_func("/cutils/strtosz", test_strtosz);
    g_test_add_func("/cutils/strtosz-fraction-strict",
                    test_strtosz_fraction_strict);
    g_test_add_func("/cutils/parse-bool", test_parse_bool);
    return g_test_run();
}
