/*
 * Fuzz target: the command-line and property parsers.
 *
 * The input is cut into lines; each line is an option string as -device,
 * -object or -machine take it ("TYPE,key=value,..." or a JSON object).
 * Every line goes through:
 *   - qemu_strtou64/qemu_strtoi64/qemu_strtosz/qemu_parse_bool (the line
 *     itself and every value parsed out of it);
 *   - qemu_opts_parse() without an implied key, whose result must print
 *     back into a string that parses to the same list;
 *   - qemu_opts_parse_maybe_json() with "driver" as the implied key, whose
 *     options are then set, with object_property_parse(), on a fresh
 *     device of a type defined here with one property of every kind
 *     (bool, unsigned with and without ranges, int32 with a range, size,
 *     string, OnOffAuto, enum, link, aliases);  or, when the line has a
 *     qom-type, given to user_creatable_add_type() for this file's own
 *     -object types.
 *
 * What must hold: no crash, no leak, every failure comes with an Error
 * and every success without one, and a property value that was accepted
 * prints as text that is accepted again and prints the same.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qom/object.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "system/qdev-monitor.h"
#include "fuzz.h"

#define FUZZ_MAX_INPUT      4096
#define FUZZ_MAX_LINES      64

/* ------------------------------------------------------------------ */
/* -object types: a link target, and a type that a link must refuse    */

#define TYPE_FUZZ_BACKEND   "fuzz-backend"
#define TYPE_FUZZ_OTHER     "fuzz-other"

typedef struct FuzzBackend {
    Object parent_obj;
    uint64_t size;
    uint32_t queues;
    char *label;
    bool fail;
} FuzzBackend;

static void fuzz_backend_complete(Object *obj, Error **errp)
{
    FuzzBackend *be = (FuzzBackend *)obj;

    if (be->fail) {
        error_setg(errp, "backend '%s' refused to start",
                   be->label ? be->label : "");
    }
}

static const Property fuzz_backend_props[] = {
    DEFINE_PROP_SIZE("size", FuzzBackend, size, 4096),
    DEFINE_PROP_UINT32_RANGE("queues", FuzzBackend, queues, 1, 1, 64),
    DEFINE_PROP_STRING("label", FuzzBackend, label),
    DEFINE_PROP_BOOL("fail", FuzzBackend, fail, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void fuzz_backend_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
    oc->complete = fuzz_backend_complete;
    object_class_add_props(oc, fuzz_backend_props);
}

static void fuzz_other_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
}

/* ------------------------------------------------------------------ */
/* The device: one property of every kind                              */

#define TYPE_FUZZ_PROPS_DEV "fuzz-props-dev"

typedef struct FuzzPropsDev {
    DeviceState parent_obj;
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t u8_range;
    uint16_t u16_range;
    uint32_t u32_range;
    uint64_t u64_range;
    int32_t i32;
    int32_t i32_range;
    uint64_t size;
    char *str;
    OnOffAuto on_off_auto;
    int mode;
    Object *backend;
} FuzzPropsDev;

static const char *const fuzz_mode_names[] = {
    "legacy", "scalable", "passthrough", NULL,
};

static const Property fuzz_props_dev_props[] = {
    DEFINE_PROP_BOOL("flag", FuzzPropsDev, flag, false),
    DEFINE_PROP_UINT8("u8", FuzzPropsDev, u8, 0),
    DEFINE_PROP_UINT16("u16", FuzzPropsDev, u16, 0xffff),
    DEFINE_PROP_UINT32("u32", FuzzPropsDev, u32, 7),
    DEFINE_PROP_UINT64("u64", FuzzPropsDev, u64, UINT64_MAX),
    DEFINE_PROP_UINT8_RANGE("u8-range", FuzzPropsDev, u8_range, 0, 0, 20),
    DEFINE_PROP_UINT16_RANGE("u16-range", FuzzPropsDev, u16_range, 1, 1,
                             4096),
    DEFINE_PROP_UINT32_RANGE("u32-range", FuzzPropsDev, u32_range, 1 << 20,
                             4096, 0xfffff000),
    DEFINE_PROP_UINT64_RANGE("u64-range", FuzzPropsDev, u64_range, 48, 39,
                             57),
    DEFINE_PROP_INT32("i32", FuzzPropsDev, i32, -1),
    /* No macro for a ranged int32: the range is stored as two's complement. */
    DEFINE_PROP("i32-range", FuzzPropsDev, i32_range, qdev_prop_int32,
                int32_t, .set_default = true, .defval.i = 0,
                .min = (uint64_t)-100, .max = 100),
    DEFINE_PROP_SIZE("size", FuzzPropsDev, size, 1 << 20),
    DEFINE_PROP_STRING("str", FuzzPropsDev, str),
    DEFINE_PROP_ON_OFF_AUTO("on-off-auto", FuzzPropsDev, on_off_auto,
                            ON_OFF_AUTO_AUTO),
    DEFINE_PROP_ENUM("mode", FuzzPropsDev, mode, 1, fuzz_mode_names),
    DEFINE_PROP_LINK("backend", FuzzPropsDev, backend, TYPE_FUZZ_BACKEND,
                     Object *),
    DEFINE_PROP_ALIAS("x-u8", "u8"),
    DEFINE_PROP_ALIAS("x-x-u8", "x-u8"),            /* alias of an alias */
    DEFINE_PROP_ALIAS("dangling", "no-such-property"),
    DEFINE_PROP_END_OF_LIST(),
};

static void fuzz_props_dev_class_init(ObjectClass *oc, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "fuzz target: one property of every kind";
    device_class_set_props(dc, fuzz_props_dev_props);
}

static const TypeInfo fuzz_cmdline_types[] = {
    {
        .name = TYPE_FUZZ_BACKEND,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(FuzzBackend),
        .class_init = fuzz_backend_class_init,
    }, {
        .name = TYPE_FUZZ_OTHER,
        .parent = TYPE_OBJECT,
        .class_init = fuzz_other_class_init,
    }, {
        .name = TYPE_FUZZ_PROPS_DEV,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(FuzzPropsDev),
        .class_init = fuzz_props_dev_class_init,
    },
};

DEFINE_TYPES(fuzz_cmdline_types)

/* ------------------------------------------------------------------ */
/* Checks                                                              */

/* A failure must come with an Error, a success without one. */
static void check_result(bool ok, Error *err, const char *what)
{
    if (ok == !err) {
        return;
    }
    fprintf(stderr, "%s: %s with%s an error%s%s\n", what,
            ok ? "succeeded" : "failed", ok ? "" : "out",
            err ? ": " : "", err ? error_get_pretty(err) : "");
    abort();
}

/* Numbers and booleans: they must not crash and must agree. */
static void fuzz_numbers(const char *str)
{
    uint64_t u = 0, sz = 0;
    int64_t i = 0;
    bool b = false;
    int ret_u = qemu_strtou64(str, &u);
    int ret_sz = qemu_strtosz(str, &sz);

    qemu_strtoi64(str, &i);
    qemu_parse_bool(str, &b);

    /* A plain decimal number is the same number of bytes as a size. */
    if (str[0] >= '1' && str[0] <= '9' &&
        strspn(str, "0123456789") == strlen(str)) {
        g_assert_cmpint(ret_u, ==, ret_sz);
        if (ret_u == 0) {
            g_assert_cmpuint(u, ==, sz);
        }
    }
}

static void append_escaped(GString *s, const char *str)
{
    for (const char *p = str; *p; p++) {
        if (*p == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *p);
    }
}

/* Print @opts as an option string again: "name=value,...", ',' doubled. */
static char *opts_to_string(const QemuOpts *opts)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *o = &g_array_index(opts->opts, QemuOpt, i);

        if (i) {
            g_string_append_c(s, ',');
        }
        append_escaped(s, o->name);
        g_string_append_c(s, '=');
        append_escaped(s, o->value);
    }
    return g_string_free(s, FALSE);
}

static bool opts_equal(const QemuOpts *a, const QemuOpts *b)
{
    if (a->opts->len != b->opts->len) {
        return false;
    }
    for (guint i = 0; i < a->opts->len; i++) {
        const QemuOpt *x = &g_array_index(a->opts, QemuOpt, i);
        const QemuOpt *y = &g_array_index(b->opts, QemuOpt, i);

        if (strcmp(x->name, y->name) || strcmp(x->value, y->value)) {
            return false;
        }
    }
    return true;
}

/* qemu_opts_parse() without an implied key, and back. */
static void fuzz_opts_round_trip(const char *line)
{
    g_autoptr(QemuOpts) opts = NULL;
    g_autoptr(QemuOpts) again = NULL;
    g_autofree char *text = NULL;
    Error *err = NULL;

    opts = qemu_opts_parse(line, NULL, &err);
    check_result(opts, err, "qemu_opts_parse");
    error_free(err);
    if (!opts) {
        return;
    }
    text = opts_to_string(opts);
    again = qemu_opts_parse(text, NULL, &error_abort);
    if (!opts_equal(opts, again)) {
        fprintf(stderr, "'%s' parsed, printed as '%s', parsed differently\n",
                line, text);
        abort();
    }
}

/* An accepted value prints as text that is accepted and prints the same. */
static void check_property_round_trip(Object *obj, const char *name)
{
    g_autofree char *printed = object_property_print(obj, name);
    g_autofree char *again = NULL;
    Error *err = NULL;
    bool ok;

    if (!printed) {
        fprintf(stderr, "property '%s' was set but does not print\n", name);
        abort();
    }
    ok = object_property_parse(obj, name, printed, &err);
    if (!ok) {
        fprintf(stderr, "property '%s' printed as '%s', which it refuses: %s\n",
                name, printed, error_get_pretty(err));
        abort();
    }
    again = object_property_print(obj, name);
    if (strcmp(printed, again)) {
        fprintf(stderr, "property '%s' printed as '%s', then as '%s'\n",
                name, printed, again);
        abort();
    }
}

/* Every property of @obj prints (defaults and whatever was set). */
static void print_all_properties(Object *obj)
{
    GPtrArray *props = object_get_class(obj)->props;

    for (guint i = 0; i < props->len; i++) {
        const Property *prop = g_ptr_array_index(props, i);

        g_free(object_property_print(obj, prop->name));
        if (prop->info->print_default) {
            g_free(prop->info->print_default(prop));
        }
    }
}

/* ------------------------------------------------------------------ */
/* One input                                                           */

typedef struct FuzzInput {
    Object *dev;
    GPtrArray *object_ids;      /* -object instances created: delete them */
} FuzzInput;

/* "qom-type=fuzz-backend,id=be0,size=1M": this file's types only. */
static void fuzz_object_add(FuzzInput *in, QemuOpts *opts)
{
    g_autofree char *type = qemu_opt_take(opts, "qom-type");
    g_autofree char *id = qemu_opt_take(opts, "id");
    Error *err = NULL;
    Object *obj;

    /* Other types reach the host (iommufd opens devices, takes fds). */
    if (!g_str_has_prefix(type, "fuzz-")) {
        return;
    }
    obj = user_creatable_add_type(type, id, opts->opts, &err);
    check_result(obj, err, "user_creatable_add_type");
    error_free(err);
    if (obj) {
        g_ptr_array_add(in->object_ids, g_strdup(id));
    }
}

static void fuzz_line(FuzzInput *in, const char *line)
{
    g_autoptr(QemuOpts) opts = NULL;
    Error *err = NULL;

    fuzz_numbers(line);
    fuzz_opts_round_trip(line);

    opts = qemu_opts_parse_maybe_json(line, "driver", &err);
    check_result(opts, err, "qemu_opts_parse_maybe_json");
    error_free(err);
    if (!opts) {
        return;
    }
    if (qemu_opt_get(opts, "qom-type")) {
        fuzz_object_add(in, opts);
        return;
    }
    g_free(qemu_opt_take(opts, "driver"));
    g_free(qemu_opt_take(opts, "id"));
    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *o = &g_array_index(opts->opts, QemuOpt, i);
        bool ok;

        fuzz_numbers(o->value);
        err = NULL;
        ok = object_property_parse(in->dev, o->name, o->value, &err);
        check_result(ok, err, "object_property_parse");
        error_free(err);
        if (ok) {
            check_property_round_trip(in->dev, o->name);
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g_autoptr(QemuOpts) opts = qemu_opts_new();

    /* Link targets that outlive the inputs: one right, one wrong type. */
    qemu_opt_set(opts, "size", "64K");
    user_creatable_add_type(TYPE_FUZZ_BACKEND, "be0", opts->opts,
                            &error_abort);
    user_creatable_add_type(TYPE_FUZZ_OTHER, "other0", NULL, &error_abort);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    FuzzInput in;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    /* Up to the first NUL, as from argv. */
    text = g_strndup((const char *)data, size);
    lines = g_strsplit(text, "\n", FUZZ_MAX_LINES);

    in.dev = object_new(TYPE_FUZZ_PROPS_DEV);
    in.object_ids = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; lines[i]; i++) {
        fuzz_line(&in, lines[i]);
    }
    print_all_properties(in.dev);
    object_unref(in.dev);

    for (guint i = 0; i < in.object_ids->len; i++) {
        user_creatable_del(g_ptr_array_index(in.object_ids, i),
                           &error_abort);
    }
    g_ptr_array_free(in.object_ids, TRUE);
    return 0;
}
