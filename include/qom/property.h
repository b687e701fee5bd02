/*
 * What the object model knows of a property: its name, where its field
 * sits in the instance, and the PropertyInfo that parses, prints, sets the
 * default of and releases it.  qom/object.c stores, finds and calls them;
 * the property kinds (bool, uint8, string, link...) and the table macros
 * that declare them are hw/core's, in include/hw/qdev-properties.h.
 */
#ifndef QOM_PROPERTY_H
#define QOM_PROPERTY_H

#include "qom/object.h"

typedef struct PropertyInfo {
    const char *type;           /* shown by "-device TYPE,help" */
    const char *description;
    bool (*set)(Object *obj, const Property *prop, const char *value,
                Error **errp);
    char *(*print)(Object *obj, const Property *prop);
    void (*set_default)(Object *obj, const Property *prop);
    /* Default value as text for help, or NULL if none worth printing. */
    char *(*print_default)(const Property *prop);
    void (*release)(Object *obj, const Property *prop);
} PropertyInfo;

struct Property {
    const char *name;
    const PropertyInfo *info;
    ptrdiff_t offset;
    union {
        int64_t i;
        uint64_t u;
        const char *s;
    } defval;
    bool set_default;
    uint64_t min, max;          /* integer range; max == 0: whole type */
    const char *alias_target;   /* alias: name of the real property */
    const char *link_type;      /* link: type the named object must have */
    const char *const *enum_names; /* enum: NULL-terminated value names */
    const char *description;
};

#endif
