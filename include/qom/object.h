/*
 * A small object model in the shape of QEMU's QOM: named types with single
 * inheritance, a class struct per type (copied from the parent, then
 * adjusted by class_init), typed properties declared as tables, and a tree
 * of named children so that objects have paths ("/machine/peripheral/iommu0",
 * "/objects/iommufd0").
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include "qapi/error.h"

typedef struct TypeImpl *Type;
typedef struct ObjectClass ObjectClass;
typedef struct Object Object;
typedef struct Property Property;

#define TYPE_OBJECT "object"
#define TYPE_USER_CREATABLE "user-creatable"

struct ObjectClass {
    Type type;
    GPtrArray *props;           /* const Property *, own and inherited */
    /* For -object types: called after properties are set. */
    void (*complete)(Object *obj, Error **errp);
    /* -object types: may this object be deleted now? */
    bool (*can_be_deleted)(Object *obj);
    bool user_creatable;
    /*
     * String literals this class was last cast to by a checked cast
     * (object.c: class_cast_checked()), compared by pointer.
     */
    const char *cast_cache[4];
    unsigned cast_cache_next;
};

struct Object {
    ObjectClass *class;
    char *name;                 /* name in the parent's children */
    Object *parent;
    GHashTable *children;       /* name -> Object *, created on demand */
    uint32_t ref;
};

typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t class_size;
    bool abstract;
    const char *description;
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    void (*class_init)(ObjectClass *klass, const void *data);
    const void *class_data;
} TypeInfo;

void type_register_static(const TypeInfo *info);
void type_register_static_array(const TypeInfo *infos, int nr_infos);

/* Run @fn before main(), as QEMU's type_init() does. */
#define type_init(fn) \
    static void __attribute__((constructor)) do_type_init_ ## fn(void) { fn(); }

#define DEFINE_TYPES(type_array)                                          \
    static void do_qemu_init_ ## type_array(void)                         \
    {                                                                     \
        type_register_static_array(type_array, ARRAY_SIZE(type_array));   \
    }                                                                     \
    type_init(do_qemu_init_ ## type_array)

ObjectClass *object_class_by_name(const char *typename);
ObjectClass *object_class_dynamic_cast(ObjectClass *klass,
                                       const char *typename);
const char *object_class_get_name(ObjectClass *klass);
ObjectClass *object_class_get_parent(ObjectClass *klass);
const char *object_class_get_description(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);
/* Non-abstract classes deriving from @implements_type, sorted by name. */
GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract);

/* Casts: abort on a wrong type (a programming error, never guest input). */
Object *object_dynamic_cast(Object *obj, const char *typename);
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__))
#define OBJECT_CLASS_CHECK(class_type, klass, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(klass), \
                                                    (name), __FILE__, __LINE__))
#define OBJECT_GET_CLASS(class_type, obj, name) \
    OBJECT_CLASS_CHECK(class_type, object_get_class(OBJECT(obj)), name)

/*
 * Declare the cast helpers for a type:
 * OBJECT_DECLARE_TYPE(IntelIOMMUState, IntelIOMMUClass, INTEL_IOMMU_DEVICE)
 * gives INTEL_IOMMU_DEVICE(obj), INTEL_IOMMU_DEVICE_CLASS(klass) and
 * INTEL_IOMMU_DEVICE_GET_CLASS(obj); TYPE_INTEL_IOMMU_DEVICE must be defined.
 */
#define OBJECT_DECLARE_TYPE(InstanceType, ClassType, MODULE_OBJ_NAME)      \
    typedef struct InstanceType InstanceType;                              \
    typedef struct ClassType ClassType;                                    \
    G_GNUC_UNUSED static inline InstanceType *MODULE_OBJ_NAME(const void *obj) \
    { return OBJECT_CHECK(InstanceType, obj, TYPE_##MODULE_OBJ_NAME); }    \
    G_GNUC_UNUSED static inline ClassType *                                \
    MODULE_OBJ_NAME##_GET_CLASS(const void *obj)                           \
    { return OBJECT_GET_CLASS(ClassType, obj, TYPE_##MODULE_OBJ_NAME); }   \
    G_GNUC_UNUSED static inline ClassType *                                \
    MODULE_OBJ_NAME##_CLASS(const void *klass)                             \
    { return OBJECT_CLASS_CHECK(ClassType, klass, TYPE_##MODULE_OBJ_NAME); }

#define OBJECT_DECLARE_SIMPLE_TYPE(InstanceType, MODULE_OBJ_NAME)           \
    typedef struct InstanceType InstanceType;                              \
    G_GNUC_UNUSED static inline InstanceType *MODULE_OBJ_NAME(const void *obj) \
    { return OBJECT_CHECK(InstanceType, obj, TYPE_##MODULE_OBJ_NAME); }

Object *object_new(const char *typename);
ObjectClass *object_get_class(Object *obj);
const char *object_get_typename(Object *obj);
Object *object_ref(void *obj);
void object_unref(void *obj);

/* The tree.  Adding a child takes a reference; unparent drops it. */
void object_property_add_child(Object *parent, const char *name, Object *child);
void object_unparent(Object *obj);
Object *object_get_root(void);
Object *object_get_objects_root(void);       /* "/objects" */
Object *object_resolve_path(const char *path, bool *ambiguous);
Object *object_resolve_path_component(Object *parent, const char *name);
Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguous);
/* Canonical path, e.g. "/machine/peripheral/iommu0" (caller frees). */
char *object_get_canonical_path(Object *obj);
/* Calls @fn for each child (in name order); stops on non-zero return. */
int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque);

/*
 * Properties (struct Property: include/qom/property.h; the kinds and the
 * table macros: include/hw/qdev-properties.h).
 */
void object_class_add_props(ObjectClass *klass, const Property *props);
const Property *object_class_find_property(ObjectClass *klass,
                                           const char *name);
bool object_property_parse(Object *obj, const char *name, const char *value,
                           Error **errp);
/* Printed value (caller frees), or NULL if no such property. */
char *object_property_print(Object *obj, const char *name);
void object_set_props_default(Object *obj);

/*
 * -object TYPE,id=ID,...: create, set properties, complete, and add under
 * /objects.  Returns NULL with @errp set on any error.
 */
Object *user_creatable_add_type(const char *type, const char *id,
                                const GArray *props /* of QemuOpt */,
                                Error **errp);
bool user_creatable_del(const char *id, Error **errp);
/* Unparent every object under /objects, last created first (shutdown). */
void user_creatable_cleanup(void);

#endif
