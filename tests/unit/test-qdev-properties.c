/*
 * Unit tests: typed device properties (hw/core/qdev-properties.c) and the
 * object model pieces they use (qom/object.c): defaults, parsing of every
 * property type, errors naming the property, aliases, links to -object
 * instances, and the realize barrier.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qom/object.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"

/* -object types: a backend, and another type a link must refuse. */

#define TYPE_TEST_BACKEND "test-backend"
#define TYPE_TEST_OTHER "test-other"

typedef struct TestBackend {
    Object parent_obj;
    uint64_t size;
    bool fail;
} TestBackend;

static GString *finalize_log;

static void test_backend_finalize(Object *obj)
{
    if (finalize_log) {
        g_string_append_printf(finalize_log, "%s;",
                               obj->name ? obj->name : "?");
    }
}

static void test_backend_complete(Object *obj, Error **errp)
{
    TestBackend *be = (TestBackend *)obj;

    if (be->fail) {
        error_setg(errp, "backend refused to start");
    }
}

static const Property test_backend_props[] = {
    DEFINE_PROP_SIZE("size", TestBackend, size, 4096),
    DEFINE_PROP_BOOL("fail", TestBackend, fail, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_backend_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
    oc->complete = test_backend_complete;
    object_class_add_props(oc, test_backend_props);
}

static void test_other_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
}

/* The device under test: one property of every kind. */

#define TYPE_TEST_DEV "test-dev"
#define TYPE_TEST_DEV_CHILD "test-dev-child"

typedef struct TestDev {
    DeviceState parent_obj;
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    uint8_t bits;
    uint16_t r16;
    uint32_t r32;
    uint64_t r64;
    uint64_t size;
    char *name;
    OnOffAuto mode;
    int level;
    TestBackend *backend;
    int realize_calls;
} TestDev;

static const char *const level_names[] = { "low", "mid", "high", NULL };

static const Property test_dev_props[] = {
    DEFINE_PROP_BOOL("flag", TestDev, flag, true),
    DEFINE_PROP_UINT8("u8", TestDev, u8, 7),
    DEFINE_PROP_UINT16("u16", TestDev, u16, 0),
    DEFINE_PROP_UINT32("u32", TestDev, u32, 0),
    DEFINE_PROP_UINT64("u64", TestDev, u64, 0),
    DEFINE_PROP_INT32("i32", TestDev, i32, -5),
    DEFINE_PROP_UINT8_RANGE("bits", TestDev, bits, 4, 1, 20),
    DEFINE_PROP_UINT16_RANGE("r16", TestDev, r16, 100, 10, 1000),
    DEFINE_PROP_UINT32_RANGE("r32", TestDev, r32, 16, 16, 4096),
    DEFINE_PROP_UINT64_RANGE("r64", TestDev, r64, 0x1000, 0x1000,
                             0xffffffffffULL),
    DEFINE_PROP_SIZE("size", TestDev, size, 64 * 1024),
    DEFINE_PROP_STRING("name", TestDev, name),
    DEFINE_PROP_ON_OFF_AUTO("mode", TestDev, mode, ON_OFF_AUTO_AUTO),
    DEFINE_PROP_ENUM("level", TestDev, level, 1, level_names),
    DEFINE_PROP_LINK("backend", TestDev, backend, TYPE_TEST_BACKEND,
                     TestBackend *),
    DEFINE_PROP_ALIAS("old-bits", "bits"),
    DEFINE_PROP_ALIAS("older-bits", "old-bits"),
    DEFINE_PROP_ALIAS("dangling", "no-such-target"),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_dev_realize(DeviceState *dev, Error **errp)
{
    TestDev *td = (TestDev *)dev;

    td->realize_calls++;
    if (td->name && !strcmp(td->name, "fail")) {
        error_setg(errp, "cannot realize with name 'fail'");
    }
}

static void test_dev_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->realize = test_dev_realize;
    device_class_set_props(dc, test_dev_props);
}

/* A subclass overriding a default and adding a property. */
typedef struct TestDevChild {
    TestDev parent_obj;
    uint32_t extra;
} TestDevChild;

static const Property test_dev_child_props[] = {
    DEFINE_PROP_UINT8("u8", TestDev, u8, 99),
    DEFINE_PROP_UINT32("extra", TestDevChild, extra, 5),
    DEFINE_PROP_END_OF_LIST(),
};

static void test_dev_child_class_init(ObjectClass *oc, const void *data)
{
    device_class_set_props(DEVICE_CLASS(oc), test_dev_child_props);
}

static const TypeInfo test_types[] = {
    {
        .name = TYPE_TEST_BACKEND,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(TestBackend),
        .instance_finalize = test_backend_finalize,
        .class_init = test_backend_class_init,
    }, {
        .name = TYPE_TEST_OTHER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_init = test_other_class_init,
    }, {
        .name = TYPE_TEST_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .class_init = test_dev_class_init,
    }, {
        .name = TYPE_TEST_DEV_CHILD,
        .parent = TYPE_TEST_DEV,
        .instance_size = sizeof(TestDevChild),
        .class_init = test_dev_child_class_init,
    },
};

DEFINE_TYPES(test_types)

/* Helpers */

static TestDev *new_dev(void)
{
    return (TestDev *)qdev_new(TYPE_TEST_DEV);
}

static void free_dev(TestDev *td)
{
    DeviceState *dev = DEVICE(td);

    if (dev->realized) {
        qdev_unplug_and_free(dev);
    }
    object_unref(td);
}

static void set_ok(TestDev *td, const char *name, const char *value)
{
    Error *err = NULL;
    bool ok = qdev_prop_parse(DEVICE(td), name, value, &err);

    if (err) {
        g_test_message("%s=%s: %s", name, value, error_get_pretty(err));
    }
    g_assert_null(err);
    g_assert_true(ok);
}

/* Setting @name=@value fails with exactly @msg; the printed value stays. */
static void set_fail(TestDev *td, const char *name, const char *value,
                     const char *msg)
{
    Error *err = NULL;
    g_autofree char *before = object_property_print(OBJECT(td), name);
    g_autofree char *after = NULL;
    bool ok = qdev_prop_parse(DEVICE(td), name, value, &err);

    g_test_message("%s=%s", name, value);
    g_assert_false(ok);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    after = object_property_print(OBJECT(td), name);
    g_assert_cmpstr(before, ==, after);
}

static void assert_print(TestDev *td, const char *name, const char *expect)
{
    g_autofree char *s = object_property_print(OBJECT(td), name);

    g_assert_cmpstr(s, ==, expect);
}

static Object *add_object(const char *type, const char *id, const char *props)
{
    g_autoptr(QemuOpts) opts =
        props ? qemu_opts_parse(props, NULL, &error_abort) : NULL;

    return user_creatable_add_type(type, id, opts ? opts->opts : NULL,
                                   &error_abort);
}

/* Tests */

static void test_defaults(void)
{
    TestDev *td = new_dev();

    g_assert_true(td->flag);
    g_assert_cmpuint(td->u8, ==, 7);
    g_assert_cmpuint(td->u16, ==, 0);
    g_assert_cmpint(td->i32, ==, -5);
    g_assert_cmpuint(td->bits, ==, 4);
    g_assert_cmpuint(td->r16, ==, 100);
    g_assert_cmpuint(td->r32, ==, 16);
    g_assert_cmphex(td->r64, ==, 0x1000);
    g_assert_cmpuint(td->size, ==, 65536);
    g_assert_null(td->name);
    g_assert_cmpint(td->mode, ==, ON_OFF_AUTO_AUTO);
    g_assert_cmpint(td->level, ==, 1);
    g_assert_null(td->backend);
    g_assert_false(DEVICE(td)->realized);

    assert_print(td, "flag", "on");
    assert_print(td, "u8", "7");
    assert_print(td, "i32", "-5");
    assert_print(td, "size", "65536");
    assert_print(td, "name", "");
    assert_print(td, "mode", "auto");
    assert_print(td, "level", "mid");
    assert_print(td, "backend", "");
    assert_print(td, "old-bits", "4");
    g_assert_null(object_property_print(OBJECT(td), "nosuch"));
    free_dev(td);
}

static void test_subclass_props(void)
{
    TestDevChild *c = (TestDevChild *)qdev_new(TYPE_TEST_DEV_CHILD);
    TestDev *td = &c->parent_obj;
    Error *err = NULL;

    /* The subclass default wins; inherited ones still apply. */
    g_assert_cmpuint(td->u8, ==, 99);
    g_assert_cmpuint(c->extra, ==, 5);
    g_assert_true(td->flag);
    g_assert_cmpuint(td->bits, ==, 4);
    set_ok(td, "extra", "6");
    g_assert_cmpuint(c->extra, ==, 6);
    set_ok(td, "old-bits", "3");
    g_assert_cmpuint(td->bits, ==, 3);

    /* The parent class does not see the subclass property. */
    {
        TestDev *plain = new_dev();

        g_assert_false(qdev_prop_parse(DEVICE(plain), "extra", "1", &err));
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Property 'test-dev.extra' not found");
        error_free(err);
        free_dev(plain);
    }
    free_dev(td);
}

static void test_bool(void)
{
    TestDev *td = new_dev();
    static const struct {
        const char *s;
        bool v;
    } good[] = {
        { "off", false }, { "on", true }, { "false", false }, { "true", true },
        { "no", false }, { "yes", true },
    };

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        set_ok(td, "flag", good[i].s);
        g_assert_cmpint(td->flag, ==, good[i].v);
        assert_print(td, "flag", good[i].v ? "on" : "off");
    }
    set_fail(td, "flag", "junk", "Parameter 'flag' expects 'on' or 'off'");
    set_fail(td, "flag", "", "Parameter 'flag' expects 'on' or 'off'");
    set_fail(td, "flag", "1", "Parameter 'flag' expects 'on' or 'off'");
    set_fail(td, "flag", "onn", "Parameter 'flag' expects 'on' or 'off'");
    g_assert_true(td->flag);
    free_dev(td);
}

static void test_uint_limits(void)
{
    TestDev *td = new_dev();

    /* uint8 */
    set_ok(td, "u8", "0");
    g_assert_cmpuint(td->u8, ==, 0);
    set_ok(td, "u8", "255");
    g_assert_cmpuint(td->u8, ==, 255);
    set_ok(td, "u8", "0x7f");
    g_assert_cmpuint(td->u8, ==, 0x7f);
    set_fail(td, "u8", "256",
             "Parameter 'u8' expects a value in range [0, 255]");
    set_fail(td, "u8", "0x100",
             "Parameter 'u8' expects a value in range [0, 255]");
    set_fail(td, "u8", "-1", "Parameter 'u8' expects an unsigned integer");
    set_fail(td, "u8", "abc", "Parameter 'u8' expects an unsigned integer");
    set_fail(td, "u8", "", "Parameter 'u8' expects an unsigned integer");
    set_fail(td, "u8", "1.5", "Parameter 'u8' expects an unsigned integer");
    set_fail(td, "u8", "12 ", "Parameter 'u8' expects an unsigned integer");
    set_fail(td, "u8", "4K", "Parameter 'u8' expects an unsigned integer");
    g_assert_cmpuint(td->u8, ==, 0x7f);

    /* Neighbouring fields are not clobbered by narrow stores. */
    td->u16 = 0;
    set_ok(td, "u8", "0xff");
    g_assert_cmpuint(td->u16, ==, 0);

    /* uint16 */
    set_ok(td, "u16", "65535");
    g_assert_cmpuint(td->u16, ==, 65535);
    set_ok(td, "u16", "0xabcd");
    g_assert_cmpuint(td->u16, ==, 0xabcd);
    set_fail(td, "u16", "65536",
             "Parameter 'u16' expects a value in range [0, 65535]");
    set_fail(td, "u16", "-5", "Parameter 'u16' expects an unsigned integer");

    /* uint32 */
    set_ok(td, "u32", "4294967295");
    g_assert_cmpuint(td->u32, ==, UINT32_MAX);
    set_ok(td, "u32", "0xdeadbeef");
    g_assert_cmphex(td->u32, ==, 0xdeadbeef);
    set_ok(td, "u32", "010");
    g_assert_cmpuint(td->u32, ==, 8);
    set_fail(td, "u32", "4294967296",
             "Parameter 'u32' expects a value in range [0, 4294967295]");

    /* uint64 */
    set_ok(td, "u64", "18446744073709551615");
    g_assert_cmpuint(td->u64, ==, UINT64_MAX);
    assert_print(td, "u64", "18446744073709551615");
    set_ok(td, "u64", "0xfee00000");
    g_assert_cmphex(td->u64, ==, 0xfee00000);
    set_fail(
        td, "u64", "18446744073709551616",
        "Parameter 'u64' expects a value in range [0, 18446744073709551615]");
    set_fail(td, "u64", "-1", "Parameter 'u64' expects an unsigned integer");
    set_fail(td, "u64", "0x", "Parameter 'u64' expects an unsigned integer");
    free_dev(td);
}

static void test_uint_ranges(void)
{
    TestDev *td = new_dev();

    set_ok(td, "bits", "1");
    g_assert_cmpuint(td->bits, ==, 1);
    set_ok(td, "bits", "20");
    g_assert_cmpuint(td->bits, ==, 20);
    set_ok(td, "bits", "0x10");
    g_assert_cmpuint(td->bits, ==, 16);
    set_fail(td, "bits", "0",
             "Parameter 'bits' expects a value in range [1, 20]");
    set_fail(td, "bits", "21",
             "Parameter 'bits' expects a value in range [1, 20]");
    set_fail(td, "bits", "256",
             "Parameter 'bits' expects a value in range [1, 20]");
    set_fail(td, "bits", "-1", "Parameter 'bits' expects an unsigned integer");
    g_assert_cmpuint(td->bits, ==, 16);

    set_ok(td, "r16", "10");
    set_ok(td, "r16", "1000");
    g_assert_cmpuint(td->r16, ==, 1000);
    set_fail(td, "r16", "9",
             "Parameter 'r16' expects a value in range [10, 1000]");
    set_fail(td, "r16", "1001",
             "Parameter 'r16' expects a value in range [10, 1000]");

    set_ok(td, "r32", "4096");
    g_assert_cmpuint(td->r32, ==, 4096);
    set_fail(td, "r32", "15",
             "Parameter 'r32' expects a value in range [16, 4096]");
    set_fail(td, "r32", "4097",
             "Parameter 'r32' expects a value in range [16, 4096]");

    set_ok(td, "r64", "0xffffffffff");
    g_assert_cmphex(td->r64, ==, 0xffffffffffULL);
    set_fail(td, "r64", "0x10000000000",
             "Parameter 'r64' expects a value in range [4096, 1099511627775]");
    set_fail(td, "r64", "4095",
             "Parameter 'r64' expects a value in range [4096, 1099511627775]");
    /* Overflow reports the property's range too. */
    set_fail(td, "r64", "99999999999999999999",
             "Parameter 'r64' expects a value in range [4096, 1099511627775]");
    free_dev(td);
}

static void test_int32(void)
{
    TestDev *td = new_dev();

    set_ok(td, "i32", "-2147483648");
    g_assert_cmpint(td->i32, ==, INT32_MIN);
    set_ok(td, "i32", "2147483647");
    g_assert_cmpint(td->i32, ==, INT32_MAX);
    set_ok(td, "i32", "-0x10");
    g_assert_cmpint(td->i32, ==, -16);
    assert_print(td, "i32", "-16");
    set_fail(
        td, "i32", "2147483648",
        "Parameter 'i32' expects a value in range [-2147483648, 2147483647]");
    set_fail(
        td, "i32", "-2147483649",
        "Parameter 'i32' expects a value in range [-2147483648, 2147483647]");
    set_fail(td, "i32", "x", "Parameter 'i32' expects an integer");
    set_fail(td, "i32", "", "Parameter 'i32' expects an integer");
    set_fail(td, "i32", "99999999999999999999",
             "Parameter 'i32' expects an integer");
    free_dev(td);
}

static void test_size(void)
{
    TestDev *td = new_dev();
    static const struct {
        const char *s;
        uint64_t v;
    } good[] = {
        { "0", 0 }, { "512", 512 }, { "4K", 4096 }, { "4k", 4096 },
        { "1M", 1 << 20 }, { "2G", 2ULL << 30 }, { "1T", 1ULL << 40 },
        { "1.5G", 3ULL << 29 }, { "0x1000", 0x1000 },
        { "18446744073709551615", UINT64_MAX },
    };
    static const char size_msg[] =
        "Parameter 'size' expects a non-negative number below 2^64\n"
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, "
        "peta-\nand exabytes, respectively.";
    static const char range_msg[] =
        "Parameter 'size' expects a value in range [0, 18446744073709551615]";

    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        set_ok(td, "size", good[i].s);
        g_assert_cmpuint(td->size, ==, good[i].v);
    }
    set_ok(td, "size", "64K");
    assert_print(td, "size", "65536");
    set_fail(td, "size", "16E", range_msg);
    set_fail(td, "size", "18446744073709551616", range_msg);
    set_fail(td, "size", "-1", size_msg);
    set_fail(td, "size", "1X", size_msg);
    set_fail(td, "size", "1.5", size_msg);
    set_fail(td, "size", "K", size_msg);
    set_fail(td, "size", "", size_msg);
    g_assert_cmpuint(td->size, ==, 65536);
    free_dev(td);
}

static void test_string(void)
{
    TestDev *td = new_dev();

    set_ok(td, "name", "hello");
    g_assert_cmpstr(td->name, ==, "hello");
    set_ok(td, "name", "with,comma and spaces");
    g_assert_cmpstr(td->name, ==, "with,comma and spaces");
    assert_print(td, "name", "with,comma and spaces");
    set_ok(td, "name", "");
    g_assert_cmpstr(td->name, ==, "");
    free_dev(td);       /* releases the string */
}

static void test_on_off_auto(void)
{
    TestDev *td = new_dev();
    static const char msg[] =
        "Parameter 'mode' does not accept value 'maybe' "
        "(expected one of 'auto', 'on', 'off')";

    set_ok(td, "mode", "on");
    g_assert_cmpint(td->mode, ==, ON_OFF_AUTO_ON);
    set_ok(td, "mode", "off");
    g_assert_cmpint(td->mode, ==, ON_OFF_AUTO_OFF);
    assert_print(td, "mode", "off");
    set_ok(td, "mode", "auto");
    g_assert_cmpint(td->mode, ==, ON_OFF_AUTO_AUTO);
    set_fail(td, "mode", "maybe", msg);
    set_fail(td, "mode", "ON",
             "Parameter 'mode' does not accept value 'ON' "
             "(expected one of 'auto', 'on', 'off')");
    set_fail(td, "mode", "",
             "Parameter 'mode' does not accept value '' "
             "(expected one of 'auto', 'on', 'off')");
    free_dev(td);
}

static void test_enum(void)
{
    TestDev *td = new_dev();

    set_ok(td, "level", "high");
    g_assert_cmpint(td->level, ==, 2);
    set_ok(td, "level", "low");
    g_assert_cmpint(td->level, ==, 0);
    assert_print(td, "level", "low");
    set_fail(td, "level", "HIGH",
             "Parameter 'level' does not accept value 'HIGH' "
             "(expected one of 'low', 'mid', 'high')");
    set_fail(td, "level", "1",
             "Parameter 'level' does not accept value '1' "
             "(expected one of 'low', 'mid', 'high')");
    free_dev(td);
}

static void test_alias(void)
{
    TestDev *td = new_dev();
    Error *err = NULL;

    set_ok(td, "old-bits", "9");
    g_assert_cmpuint(td->bits, ==, 9);
    assert_print(td, "old-bits", "9");
    assert_print(td, "bits", "9");
    /* An alias of an alias. */
    set_ok(td, "older-bits", "11");
    g_assert_cmpuint(td->bits, ==, 11);
    /* The target's checks apply, and the message names a property. */
    g_assert_false(qdev_prop_parse(DEVICE(td), "old-bits", "99", &err));
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(error_get_pretty(err), "Parameter '"));
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "bits' expects a value in range [1, 20]"));
    error_free(err);
    err = NULL;
    g_assert_cmpuint(td->bits, ==, 11);

    /* An alias whose target does not exist is not a property. */
    g_assert_false(qdev_prop_parse(DEVICE(td), "dangling", "1", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-dev.dangling' not found");
    error_free(err);
    g_assert_null(object_property_print(OBJECT(td), "dangling"));
    free_dev(td);
}

static void test_unknown_property(void)
{
    TestDev *td = new_dev();
    Error *err = NULL;

    g_assert_false(qdev_prop_parse(DEVICE(td), "nosuch", "1", &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-dev.nosuch' not found");
    error_free(err);
    err = NULL;

    /* Names are case-sensitive. */
    g_assert_false(qdev_prop_parse(DEVICE(td), "FLAG", "on", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Property 'test-dev.FLAG' not found");
    error_free(err);

    /* A NULL errp just fails. */
    g_assert_false(qdev_prop_parse(DEVICE(td), "nosuch", "1", NULL));
    g_assert_false(qdev_prop_parse(DEVICE(td), "u8", "256", NULL));
    g_assert_cmpuint(td->u8, ==, 7);
    free_dev(td);
}

static void test_link(void)
{
    TestDev *td = new_dev();
    Object *be0 = add_object(TYPE_TEST_BACKEND, "be0", "size=1M");
    Object *be1 = add_object(TYPE_TEST_BACKEND, "be1", NULL);
    Object *oth = add_object(TYPE_TEST_OTHER, "oth0", NULL);
    Error *err = NULL;

    g_assert_nonnull(be0);
    g_assert_cmpuint(((TestBackend *)be0)->size, ==, 1 << 20);
    g_assert_cmpuint(((TestBackend *)be1)->size, ==, 4096);
    g_assert_true(object_resolve_path("/objects/be0", NULL) == be0);
    g_assert_cmpuint(be0->ref, ==, 1);      /* held by /objects */

    set_ok(td, "backend", "be0");
    g_assert_true(td->backend == (TestBackend *)be0);
    g_assert_cmpuint(be0->ref, ==, 2);      /* and by the link */
    assert_print(td, "backend", "be0");

    /* Re-pointing drops the old reference. */
    set_ok(td, "backend", "be1");
    g_assert_true(td->backend == (TestBackend *)be1);
    g_assert_cmpuint(be0->ref, ==, 1);
    g_assert_cmpuint(be1->ref, ==, 2);

    set_fail(td, "backend", "oth0",
             "Property 'test-dev.backend' expects an object of type "
             "'test-backend', but 'oth0' is a 'test-other'");
    set_fail(td, "backend", "nope",
             "Property 'test-dev.backend' can't find value 'nope'");
    set_fail(td, "backend", "",
             "Property 'test-dev.backend' can't find value ''");
    g_assert_true(td->backend == (TestBackend *)be1);
    g_assert_cmpuint(oth->ref, ==, 1);

    /* Finalizing the device drops its reference. */
    free_dev(td);
    g_assert_cmpuint(be1->ref, ==, 1);

    g_assert_true(user_creatable_del("be0", &error_abort));
    g_assert_true(user_creatable_del("be1", &error_abort));
    g_assert_true(user_creatable_del("oth0", &error_abort));
    g_assert_null(object_resolve_path("/objects/be0", NULL));
    g_assert_false(user_creatable_del("be0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "object 'be0' not found");
    error_free(err);
}

static void add_object_fail(const char *type, const char *id,
                            const char *props, const char *msg)
{
    g_autoptr(QemuOpts) opts =
        props ? qemu_opts_parse(props, NULL, &error_abort) : NULL;
    Error *err = NULL;

    g_assert_null(user_creatable_add_type(type, id, opts ? opts->opts : NULL,
                                          &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    if (id && *id && strcmp(id, "dup")) {
        /* Nothing left behind under /objects. */
        g_assert_null(object_resolve_path_component(object_get_objects_root(),
                                                    id));
    }
}

static void test_user_creatable_errors(void)
{
    Object *dup = add_object(TYPE_TEST_BACKEND, "dup", NULL);

    add_object_fail("no-such-type", "x1", NULL,
                    "invalid object type: no-such-type");
    add_object_fail(TYPE_TEST_DEV, "x2", NULL, "invalid object type: test-dev");
    add_object_fail(TYPE_OBJECT, "x3", NULL, "invalid object type: object");
    add_object_fail(TYPE_TEST_BACKEND, NULL, NULL, "Parameter 'id' is missing");
    add_object_fail(TYPE_TEST_BACKEND, "", NULL, "Parameter 'id' is missing");
    add_object_fail(TYPE_TEST_BACKEND, "dup", NULL,
                    "attempt to add duplicate property 'dup' to object "
                    "(type 'container')");
    add_object_fail(TYPE_TEST_BACKEND, "x4", "nosuch=1",
                    "Property 'test-backend.nosuch' not found");
    add_object_fail(
        TYPE_TEST_BACKEND, "x5", "size=1Q",
        "Parameter 'size' expects a non-negative number below 2^64\n"
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, "
        "giga-, tera-, peta-\nand exabytes, respectively.");
    add_object_fail(TYPE_TEST_BACKEND, "x6", "fail=on",
                    "backend refused to start");
    g_assert_true(object_resolve_path_component(object_get_objects_root(),
                                                "dup") == dup);
    g_assert_true(user_creatable_del("dup", &error_abort));
}

static void test_set_after_realize(void)
{
    TestDev *td = new_dev();
    Object *be = add_object(TYPE_TEST_BACKEND, "be-r", NULL);
    Error *err = NULL;

    set_ok(td, "u8", "42");
    set_ok(td, "backend", "be-r");
    g_assert_true(qdev_realize(DEVICE(td), NULL, &err));
    g_assert_null(err);
    g_assert_true(DEVICE(td)->realized);
    g_assert_cmpint(td->realize_calls, ==, 1);

    set_fail(td, "u8", "43",
             "Attempt to set property 'u8' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "flag", "off",
             "Attempt to set property 'flag' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "i32", "1",
             "Attempt to set property 'i32' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "size", "1M",
             "Attempt to set property 'size' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "name", "x",
             "Attempt to set property 'name' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "mode", "on",
             "Attempt to set property 'mode' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "level", "low",
             "Attempt to set property 'level' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    set_fail(td, "backend", "be-r",
             "Attempt to set property 'backend' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    /* Through an alias, the message names the real property. */
    set_fail(td, "old-bits", "5",
             "Attempt to set property 'bits' on device '<anon>' "
             "(type 'test-dev') after it was realized");
    g_assert_cmpuint(td->u8, ==, 42);
    g_assert_null(td->name);

    /* With an id, the message names it. */
    DEVICE(td)->id = g_strdup("dev0");
    set_fail(td, "u8", "1",
             "Attempt to set property 'u8' on device 'dev0' "
             "(type 'test-dev') after it was realized");

    /* Unrealized again, it is settable again. */
    qdev_unrealize(DEVICE(td));
    g_assert_false(DEVICE(td)->realized);
    set_ok(td, "u8", "43");
    g_assert_cmpuint(td->u8, ==, 43);

    free_dev(td);
    g_assert_cmpuint(be->ref, ==, 1);
    g_assert_true(user_creatable_del("be-r", &error_abort));
}

static void test_realize_failure(void)
{
    TestDev *td = new_dev();
    Error *err = NULL;

    set_ok(td, "name", "fail");
    g_assert_false(qdev_realize(DEVICE(td), NULL, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "cannot realize with name 'fail'");
    error_free(err);
    g_assert_false(DEVICE(td)->realized);
    /* Still configurable, and realizes once fixed. */
    set_ok(td, "name", "ok");
    g_assert_true(qdev_realize(DEVICE(td), NULL, &error_abort));
    g_assert_cmpint(td->realize_calls, ==, 2);
    free_dev(td);
}

/* qemu_cleanup() relies on this: objects go last created first. */
static void test_objects_cleanup_order(void)
{
    g_assert_null(object_resolve_path_component(object_get_objects_root(),
                                                "be0"));
    finalize_log = g_string_new(NULL);
    add_object(TYPE_TEST_BACKEND, "zz-first", NULL);
    add_object(TYPE_TEST_BACKEND, "mm-second", NULL);
    add_object(TYPE_TEST_BACKEND, "aa-third", NULL);
    user_creatable_cleanup();
    g_assert_cmpstr(finalize_log->str, ==, "aa-third;mm-second;zz-first;");
    g_assert_null(object_resolve_path_component(object_get_objects_root(),
                                                "zz-first"));
    g_string_free(finalize_log, TRUE);
    finalize_log = NULL;
}

/*
 * Checked casts remember the literals that held, per class: a hit must
 * still be right after the cache wraps, and a cast the class does not
 * satisfy must still abort once the cache is full of ones it does.
 */
static void test_checked_cast_cache(void)
{
    TestDevChild *c = (TestDevChild *)qdev_new(TYPE_TEST_DEV_CHILD);
    TestDev *td = new_dev();
    static const char *const targets[] = {
        TYPE_DEVICE, TYPE_TEST_DEV, TYPE_TEST_DEV_CHILD, TYPE_OBJECT,
    };
    g_autofree char *heap_name = g_strdup(TYPE_TEST_DEV_CHILD);

    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < G_N_ELEMENTS(targets); i++) {
            g_assert(OBJECT_CHECK(Object, c, targets[i]) == OBJECT(c));
            g_assert(OBJECT_CLASS_CHECK(ObjectClass, OBJECT(c)->class,
                                        targets[i]) == OBJECT(c)->class);
        }
        g_assert(DEVICE(td) == (DeviceState *)td);
        g_assert(OBJECT_CHECK(Object, td, TYPE_TEST_DEV) == OBJECT(td));
    }
    /* The parent is no child, by literal or by a name from the heap. */
    g_assert_null(object_dynamic_cast(OBJECT(td), heap_name));
    g_assert_null(object_dynamic_cast(OBJECT(td), TYPE_TEST_DEV_CHILD));
    g_assert_nonnull(object_dynamic_cast(OBJECT(c), heap_name));
    if (g_test_subprocess()) {
        OBJECT_CHECK(Object, td, TYPE_TEST_DEV_CHILD);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*object of type 'test-dev' is not a "
                              "'test-dev-child'*");
    free_dev(td);
    object_unref(OBJECT(c));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdev-properties/defaults", test_defaults);
    g_test_add_func("/qdev-properties/subclass", test_subclass_props);
    g_test_add_func("/qdev-properties/bool", test_bool);
    g_test_add_func("/qdev-properties/uint-limits", test_uint_limits);
    g_test_add_func("/qdev-properties/uint-ranges", test_uint_ranges);
    g_test_add_func("/qdev-properties/int32", test_int32);
    g_test_add_func("/qdev-properties/size", test_size);
    g_test_add_func("/qdev-properties/string", test_string);
    g_test_add_func("/qdev-properties/on-off-auto", test_on_off_auto);
    g_test_add_func("/qdev-properties/enum", test_enum);
    g_test_add_func("/qdev-properties/alias", test_alias);
    g_test_add_func("/qdev-properties/unknown", test_unknown_property);
    g_test_add_func("/qdev-properties/link", test_link);
    g_test_add_func("/qdev-properties/user-creatable-errors",
                    test_user_creatable_errors);
    g_test_add_func("/qdev-properties/set-after-realize",
                    test_set_after_realize);
    g_test_add_func("/qdev-properties/realize-failure", test_realize_failure);
    g_test_add_func("/qdev-properties/objects-cleanup-order",
                    test_objects_cleanup_order);
    g_test_add_func("/qdev-properties/checked-cast-cache",
                    test_checked_cast_cache);
    return g_test_run();
}
