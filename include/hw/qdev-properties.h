/*
 * Typed properties declared as tables in the class (QEMU's qdev style):
 *
 *   static const Property vtd_properties[] = {
 *       DEFINE_PROP_BOOL("x-flts", IntelIOMMUState, flts, false),
 *       DEFINE_PROP_UINT8_RANGE("pasid-bits", IntelIOMMUState, pasid,
 *                               0, 0, 20),
 *       DEFINE_PROP_ALIAS("pasid", "pasid-bits"),
 *       DEFINE_PROP_END_OF_LIST(),
 *   };
 *   device_class_set_props(dc, vtd_properties);
 *
 * Each property knows how to parse a string into the field at @offset,
 * print the field, and store its default.  Values out of range or of the
 * wrong form are refused with an error naming the property.
 */
#ifndef HW_QDEV_PROPERTIES_H
#define HW_QDEV_PROPERTIES_H

#include "qom/property.h"

/*
 * Compile-time check that a field has the property's C type: 0, or a
 * negative bit-field width when the types differ.  (Subtracting null
 * pointers of the two types, as QEMU does, trips clang's
 * -Wnull-pointer-subtraction.)
 */
#define type_check(t1, t2) \
    (sizeof(struct { int : __builtin_types_compatible_p(t1, t2) ? 1 : -1; }) \
     * 0)

/* Property and PropertyInfo: include/qom/property.h. */

typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
} OnOffAuto;

extern const PropertyInfo qdev_prop_bool;
extern const PropertyInfo qdev_prop_uint8;
extern const PropertyInfo qdev_prop_uint16;
extern const PropertyInfo qdev_prop_uint32;
extern const PropertyInfo qdev_prop_uint64;
extern const PropertyInfo qdev_prop_int32;
extern const PropertyInfo qdev_prop_size;
extern const PropertyInfo qdev_prop_string;
extern const PropertyInfo qdev_prop_on_off_auto;
extern const PropertyInfo qdev_prop_enum;
extern const PropertyInfo qdev_prop_link;
extern const PropertyInfo qdev_prop_alias;

#define DEFINE_PROP(_name, _state, _field, _prop, _type, ...) {          \
        .name = (_name),                                                \
        .info = &(_prop),                                               \
        .offset = offsetof(_state, _field)                              \
            + type_check(_type, typeof_field(_state, _field)),          \
        __VA_ARGS__                                                     \
    }

#define DEFINE_PROP_BOOL(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_bool, bool, \
                .set_default = true, .defval.u = (bool)(_d))
#define DEFINE_PROP_UINT8(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint8, uint8_t, \
                .set_default = true, .defval.u = (_d))
#define DEFINE_PROP_UINT16(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint16, uint16_t, \
                .set_default = true, .defval.u = (_d))
#define DEFINE_PROP_UINT32(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint32, uint32_t, \
                .set_default = true, .defval.u = (_d))
#define DEFINE_PROP_UINT64(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint64, uint64_t, \
                .set_default = true, .defval.u = (_d))
#define DEFINE_PROP_INT32(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_int32, int32_t, \
                .set_default = true, .defval.i = (_d))
/* Integer properties with an inclusive range [_min, _max]. */
#define DEFINE_PROP_UINT8_RANGE(_n, _s, _f, _d, _min, _max) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint8, uint8_t, \
                .set_default = true, .defval.u = (_d), \
                .min = (_min), .max = (_max))
#define DEFINE_PROP_UINT16_RANGE(_n, _s, _f, _d, _min, _max) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint16, uint16_t, \
                .set_default = true, .defval.u = (_d), \
                .min = (_min), .max = (_max))
#define DEFINE_PROP_UINT32_RANGE(_n, _s, _f, _d, _min, _max) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint32, uint32_t, \
                .set_default = true, .defval.u = (_d), \
                .min = (_min), .max = (_max))
#define DEFINE_PROP_UINT64_RANGE(_n, _s, _f, _d, _min, _max) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_uint64, uint64_t, \
                .set_default = true, .defval.u = (_d), \
                .min = (_min), .max = (_max))
#define DEFINE_PROP_SIZE(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_size, uint64_t, \
                .set_default = true, .defval.u = (_d))
#define DEFINE_PROP_STRING(_n, _s, _f) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_string, char *)
#define DEFINE_PROP_ON_OFF_AUTO(_n, _s, _f, _d) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_on_off_auto, OnOffAuto, \
                .set_default = true, .defval.i = (_d))
/* An int field holding an index into @_names (NULL-terminated strings). */
#define DEFINE_PROP_ENUM(_n, _s, _f, _d, _names) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_enum, int, \
                .set_default = true, .defval.i = (_d), .enum_names = (_names))
/* The id of an object under /objects, which must be of type @_type. */
#define DEFINE_PROP_LINK(_n, _s, _f, _type, _ptr_type) \
    DEFINE_PROP(_n, _s, _f, qdev_prop_link, _ptr_type, .link_type = (_type))
/* Another name for property @_target (e.g. an older spelling). */
#define DEFINE_PROP_ALIAS(_n, _target) \
    { .name = (_n), .info = &qdev_prop_alias, .alias_target = (_target) }
#define DEFINE_PROP_END_OF_LIST() { .name = NULL }

/* Property value parsers shared with the command line and QMP. */
bool qdev_prop_parse_uint(const Property *prop, const char *value,
                          uint64_t type_max, uint64_t *result, Error **errp);

#endif
