/*
 * Typed properties (see include/hw/qdev-properties.h).  Every setter
 * refuses bad input with a message naming the property and the value, in
 * QEMU's wording, and leaves the field untouched.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-core.h"

static void *prop_ptr(Object *obj, const Property *prop)
{
    return (char *)obj + prop->offset;
}

/* A realized device's properties are fixed, as in QEMU. */
static bool prop_check_settable(Object *obj, const Property *prop, Error **errp)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(obj, TYPE_DEVICE);

    if (dev && dev->realized) {
        error_setg(errp, "Attempt to set property '%s' on device '%s' "
                   "(type '%s') after it was realized", prop->name,
                   dev->id ? dev->id : "<anon>", object_get_typename(obj));
        return false;
    }
    return true;
}

/* bool */

static bool set_bool(Object *obj, const Property *prop, const char *value,
                     Error **errp)
{
    bool v;

    if (!prop_check_settable(obj, prop, errp)) {
        return false;
    }
    if (!qemu_parse_bool(value, &v)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", prop->name);
        return false;
    }
    *(bool *)prop_ptr(obj, prop) = v;
    return true;
}

static char *print_bool(Object *obj, const Property *prop)
{
    return g_strdup(*(bool *)prop_ptr(obj, prop) ? "on" : "off");
}

static void default_bool(Object *obj, const Property *prop)
{
    if (prop->set_default) {
        *(bool *)prop_ptr(obj, prop) = prop->defval.u;
    }
}

static char *print_default_bool(const Property *prop)
{
    return prop->set_default ? g_strdup(prop->defval.u ? "true" : "false")
                             : NULL;
}

const PropertyInfo qdev_prop_bool = {
    .type = "bool",
    .description = "on/off",
    .set = set_bool,
    .print = print_bool,
    .set_default = default_bool,
    .print_default = print_default_bool,
};

/* unsigned integers */

static uint64_t uint_type_max(const PropertyInfo *info)
{
    if (info == &qdev_prop_uint8) {
        return UINT8_MAX;
    }
    if (info == &qdev_prop_uint16) {
        return UINT16_MAX;
    }
    if (info == &qdev_prop_uint32) {
        return UINT32_MAX;
    }
    return UINT64_MAX;
}

static unsigned uint_size(const PropertyInfo *info)
{
    if (info == &qdev_prop_uint8) {
        return 1;
    }
    if (info == &qdev_prop_uint16) {
        return 2;
    }
    if (info == &qdev_prop_uint32) {
        return 4;
    }
    return 8;
}

bool qdev_prop_parse_uint(const Property *prop, const char *value,
                          uint64_t type_max, uint64_t *result, Error **errp)
{
    uint64_t min = prop->min;
    uint64_t max = prop->max ? prop->max : type_max;
    uint64_t v;
    int ret;

    if (prop->info == &qdev_prop_size) {
        ret = qemu_strtosz(value, &v);
    } else {
        ret = qemu_strtou64(value, &v);
    }
    if (ret == -ERANGE) {
        error_setg(errp, "Parameter '%s' expects a value in range [%" PRIu64
                   ", %" PRIu64 "]", prop->name, min, max);
        return false;
    }
    if (ret < 0) {
        error_setg(errp, "Parameter '%s' expects %s", prop->name,
                   prop->info == &qdev_prop_size ?
                   "a non-negative number below 2^64\n"
                   "Optional suffix k, M, G, T, P or E means kilo-, mega-, "
                   "giga-, tera-, peta-\nand exabytes, respectively." :
                   "an unsigned integer");
        return false;
    }
    if (v < min || v > max) {
        error_setg(errp, "Parameter '%s' expects a value in range [%" PRIu64
                   ", %" PRIu64 "]", prop->name, min, max);
        return false;
    }
    *result = v;
    return true;
}

static bool set_uint(Object *obj, const Property *prop, const char *value,
                     Error **errp)
{
    uint64_t v;

    if (!prop_check_settable(obj, prop, errp) ||
        !qdev_prop_parse_uint(prop, value, uint_type_max(prop->info), &v,
                              errp)) {
        return false;
    }
    stn_le_p(prop_ptr(obj, prop), uint_size(prop->info), v);
    return true;
}

static char *print_uint(Object *obj, const Property *prop)
{
    return g_strdup_printf(
        "%" PRIu64, ldn_le_p(prop_ptr(obj, prop), uint_size(prop->info)));
}

static void default_uint(Object *obj, const Property *prop)
{
    if (prop->set_default) {
        stn_le_p(prop_ptr(obj, prop), uint_size(prop->info), prop->defval.u);
    }
}

static char *print_default_uint(const Property *prop)
{
    return prop->set_default ? g_strdup_printf("%" PRIu64, prop->defval.u)
                             : NULL;
}

#define UINT_PROPERTY_INFO(_type, _desc) {  \
        .type = _type,                      \
        .description = _desc,               \
        .set = set_uint,                    \
        .print = print_uint,                \
        .set_default = default_uint,        \
        .print_default = print_default_uint, \
    }

const PropertyInfo qdev_prop_uint8 = UINT_PROPERTY_INFO("uint8", NULL);
const PropertyInfo qdev_prop_uint16 = UINT_PROPERTY_INFO("uint16", NULL);
const PropertyInfo qdev_prop_uint32 = UINT_PROPERTY_INFO("uint32", NULL);
const PropertyInfo qdev_prop_uint64 = UINT_PROPERTY_INFO("uint64", NULL);
const PropertyInfo qdev_prop_size = UINT_PROPERTY_INFO("size", NULL);

/* int32 */

static bool set_int32(Object *obj, const Property *prop, const char *value,
                      Error **errp)
{
    int64_t min = prop->min || prop->max ? (int64_t)prop->min : INT32_MIN;
    int64_t max = prop->max ? (int64_t)prop->max : INT32_MAX;
    int64_t v;

    if (!prop_check_settable(obj, prop, errp)) {
        return false;
    }
    if (qemu_strtoi64(value, &v) < 0) {
        error_setg(errp, "Parameter '%s' expects an integer", prop->name);
        return false;
    }
    if (v < min || v > max) {
        error_setg(errp, "Parameter '%s' expects a value in range [%" PRId64
                   ", %" PRId64 "]", prop->name, min, max);
        return false;
    }
    *(int32_t *)prop_ptr(obj, prop) = v;
    return true;
}

static char *print_int32(Object *obj, const Property *prop)
{
    return g_strdup_printf("%" PRId32, *(int32_t *)prop_ptr(obj, prop));
}

static void default_int32(Object *obj, const Property *prop)
{
    if (prop->set_default) {
        *(int32_t *)prop_ptr(obj, prop) = prop->defval.i;
    }
}

static char *print_default_int(const Property *prop)
{
    return prop->set_default ? g_strdup_printf("%" PRId64, prop->defval.i)
                             : NULL;
}

const PropertyInfo qdev_prop_int32 = {
    .type = "int32",
    .set = set_int32,
    .print = print_int32,
    .set_default = default_int32,
    .print_default = print_default_int,
};

/* string */

static bool set_string(Object *obj, const Property *prop, const char *value,
                       Error **errp)
{
    char **ptr = prop_ptr(obj, prop);

    if (!prop_check_settable(obj, prop, errp)) {
        return false;
    }
    g_free(*ptr);
    *ptr = g_strdup(value);
    return true;
}

static char *print_string(Object *obj, const Property *prop)
{
    char *s = *(char **)prop_ptr(obj, prop);

    return g_strdup(s ? s : "");
}

static void release_string(Object *obj, const Property *prop)
{
    g_clear_pointer((char **)prop_ptr(obj, prop), g_free);
}

const PropertyInfo qdev_prop_string = {
    .type = "str",
    .set = set_string,
    .print = print_string,
    .release = release_string,
};

/* enum and OnOffAuto */

static const char *const on_off_auto_names[] = { "auto", "on", "off", NULL };

static const char *const *enum_names(const Property *prop)
{
    return prop->info == &qdev_prop_on_off_auto ? on_off_auto_names
                                                : prop->enum_names;
}

static bool set_enum(Object *obj, const Property *prop, const char *value,
                     Error **errp)
{
    const char *const *names = enum_names(prop);
    g_autofree char *choices = NULL;

    if (!prop_check_settable(obj, prop, errp)) {
        return false;
    }
    for (int i = 0; names[i]; i++) {
        if (!strcmp(names[i], value)) {
            *(int *)prop_ptr(obj, prop) = i;
            return true;
        }
    }
    choices = g_strjoinv("', '", (char **)names);
    error_setg(errp, "Parameter '%s' does not accept value '%s' "
               "(expected one of '%s')", prop->name, value, choices);
    return false;
}

static char *print_enum(Object *obj, const Property *prop)
{
    return g_strdup(enum_names(prop)[*(int *)prop_ptr(obj, prop)]);
}

static void default_enum(Object *obj, const Property *prop)
{
    if (prop->set_default) {
        *(int *)prop_ptr(obj, prop) = prop->defval.i;
    }
}

static char *print_default_enum(const Property *prop)
{
    return prop->set_default ? g_strdup_printf("\"%s\"",
                                               enum_names(prop)[prop->defval.i])
                             : NULL;
}

const PropertyInfo qdev_prop_on_off_auto = {
    .type = "OnOffAuto",
    .description = "on/off/auto",
    .set = set_enum,
    .print = print_enum,
    .set_default = default_enum,
    .print_default = print_default_enum,
};

const PropertyInfo qdev_prop_enum = {
    .type = "enum",
    .set = set_enum,
    .print = print_enum,
    .set_default = default_enum,
    .print_default = print_default_enum,
};

/* link to an -object by id */

static bool set_link(Object *obj, const Property *prop, const char *value,
                     Error **errp)
{
    Object **ptr = prop_ptr(obj, prop);
    Object *target;

    if (!prop_check_settable(obj, prop, errp)) {
        return false;
    }
    target = object_resolve_path_component(object_get_objects_root(), value);
    if (!target) {
        error_setg(errp, "Property '%s.%s' can't find value '%s'",
                   object_get_typename(obj), prop->name, value);
        return false;
    }
    if (!object_dynamic_cast(target, prop->link_type)) {
        error_setg(errp, "Property '%s.%s' expects an object of type '%s', "
                   "but '%s' is a '%s'", object_get_typename(obj), prop->name,
                   prop->link_type, value, object_get_typename(target));
        return false;
    }
    object_unref(*ptr);
    *ptr = object_ref(target);
    return true;
}

static char *print_link(Object *obj, const Property *prop)
{
    Object *target = *(Object **)prop_ptr(obj, prop);

    return g_strdup(target && target->name ? target->name : "");
}

static void release_link(Object *obj, const Property *prop)
{
    Object **ptr = prop_ptr(obj, prop);

    object_unref(*ptr);
    *ptr = NULL;
}

const PropertyInfo qdev_prop_link = {
    .type = "link",
    .set = set_link,
    .print = print_link,
    .release = release_link,
};

/* alias: resolved by object_property_parse(); never called directly */
const PropertyInfo qdev_prop_alias = {
    .type = "alias",
};
