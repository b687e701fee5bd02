/*
 * The object model (see include/qom/object.h).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qapi/error.h"
#include "qom/object.h"
#include "qom/property.h"
#include "qemu/option.h"

struct TypeImpl {
    const char *name;
    const char *parent_name;
    struct TypeImpl *parent;
    size_t instance_size;
    size_t class_size;
    bool abstract;
    const char *description;
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    void (*class_init)(ObjectClass *klass, const void *data);
    const void *class_data;
    ObjectClass *class;
};

static GHashTable *type_table;     /* name -> TypeImpl */
static GPtrArray *user_objects;    /* -object instances, in creation order */
static Object *root_object;

static GHashTable *get_type_table(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

void type_register_static(const TypeInfo *info)
{
    struct TypeImpl *ti = g_new0(struct TypeImpl, 1);

    ti->name = info->name;
    ti->parent_name = info->parent;
    ti->instance_size = info->instance_size;
    ti->class_size = info->class_size;
    ti->abstract = info->abstract;
    ti->description = info->description;
    ti->instance_init = info->instance_init;
    ti->instance_finalize = info->instance_finalize;
    ti->class_init = info->class_init;
    ti->class_data = info->class_data;
    g_assert(!g_hash_table_contains(get_type_table(), ti->name));
    g_hash_table_insert(get_type_table(), (gpointer)ti->name, ti);
}

void type_register_static_array(const TypeInfo *infos, int nr_infos)
{
    for (int i = 0; i < nr_infos; i++) {
        type_register_static(&infos[i]);
    }
}

static Type type_get_by_name(const char *name)
{
    return name ? g_hash_table_lookup(get_type_table(), name) : NULL;
}

static Type type_get_parent(Type ti)
{
    if (!ti->parent && ti->parent_name) {
        ti->parent = type_get_by_name(ti->parent_name);
        g_assert(ti->parent);
    }
    return ti->parent;
}

static size_t type_class_size(Type ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->class_size) {
            return ti->class_size;
        }
    }
    return sizeof(ObjectClass);
}

static size_t type_instance_size(Type ti)
{
    for (; ti; ti = type_get_parent(ti)) {
        if (ti->instance_size) {
            return ti->instance_size;
        }
    }
    return sizeof(Object);
}

/* Build the class lazily: parent first, copied, then refined. */
static void type_initialize(Type ti)
{
    Type parent;

    if (ti->class) {
        return;
    }
    ti->class_size = type_class_size(ti);
    ti->instance_size = type_instance_size(ti);
    ti->class = g_malloc0(ti->class_size);

    parent = type_get_parent(ti);
    if (parent) {
        type_initialize(parent);
        g_assert(parent->class_size <= ti->class_size);
        memcpy(ti->class, parent->class, parent->class_size);
        ti->class->props = g_ptr_array_copy(parent->class->props, NULL, NULL);
    } else {
        ti->class->props = g_ptr_array_new();
    }
    ti->class->type = ti;
    if (ti->class_init) {
        ti->class_init(ti->class, ti->class_data);
    }
}

ObjectClass *object_class_by_name(const char *typename)
{
    Type ti = type_get_by_name(typename);

    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->class;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->name;
}

const char *object_class_get_description(ObjectClass *klass)
{
    return klass->type->description;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    Type parent = type_get_parent(klass->type);

    if (!parent) {
        return NULL;
    }
    type_initialize(parent);
    return parent->class;
}

static bool type_is_ancestor(Type type, Type target)
{
    for (; type; type = type_get_parent(type)) {
        if (type == target) {
            return true;
        }
    }
    return false;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    Type target = type_get_by_name(typename);

    if (!klass || !target) {
        return NULL;
    }
    return type_is_ancestor(klass->type, target) ? klass : NULL;
}

/*
 * The checked casts (OBJECT_CHECK() and friends) name their target with
 * a string literal, which lives as long as the program: remember the
 * last few that held for @klass by pointer, so a hot path's DEVICE(s)
 * costs a few compares rather than a string hash.  Only these callers
 * may use the cache: a name from the heap could be freed and its address
 * reused for another name.
 */
static ObjectClass *class_cast_checked(ObjectClass *klass,
                                       const char *typename)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(klass->cast_cache); i++) {
        if (klass->cast_cache[i] == typename) {
            return klass;
        }
    }
    if (!object_class_dynamic_cast(klass, typename)) {
        return NULL;
    }
    klass->cast_cache[klass->cast_cache_next++ %
                      G_N_ELEMENTS(klass->cast_cache)] = typename;
    return klass;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line)
{
    if (klass && !class_cast_checked(klass, typename)) {
        fprintf(stderr, "%s:%d: class '%s' is not a '%s'\n", file, line,
                object_class_get_name(klass), typename);
        abort();
    }
    return klass;
}

typedef struct ListArgs {
    Type target;
    bool include_abstract;
    GSList *list;
} ListArgs;

static void class_list_one(gpointer key, gpointer value, gpointer opaque)
{
    ListArgs *args = opaque;
    Type ti = value;

    if ((!ti->abstract || args->include_abstract) &&
        type_is_ancestor(ti, args->target)) {
        type_initialize(ti);
        args->list = g_slist_prepend(args->list, ti->class);
    }
}

static gint class_cmp_name(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list_sorted(const char *implements_type,
                                     bool include_abstract)
{
    ListArgs args = {
        .target = type_get_by_name(implements_type),
        .include_abstract = include_abstract,
    };

    if (!args.target) {
        return NULL;
    }
    g_hash_table_foreach(get_type_table(), class_list_one, &args);
    return g_slist_sort(args.list, class_cmp_name);
}

static void object_init_with_type(Object *obj, Type ti)
{
    Type parent = type_get_parent(ti);

    if (parent) {
        object_init_with_type(obj, parent);
    }
    if (ti->instance_init) {
        ti->instance_init(obj);
    }
}

Object *object_new(const char *typename)
{
    Type ti = type_get_by_name(typename);
    Object *obj;

    g_assert(ti);
    type_initialize(ti);
    g_assert(!ti->abstract);
    obj = g_malloc0(ti->instance_size);
    obj->class = ti->class;
    obj->ref = 1;
    object_set_props_default(obj);
    object_init_with_type(obj, ti);
    return obj;
}

ObjectClass *object_get_class(Object *obj)
{
    return obj->class;
}

const char *object_get_typename(Object *obj)
{
    return obj->class->type->name;
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    if (obj && object_class_dynamic_cast(obj->class, typename)) {
        return obj;
    }
    return NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line)
{
    if (obj && !class_cast_checked(obj->class, typename)) {
        fprintf(stderr, "%s:%d: object of type '%s' is not a '%s'\n", file,
                line, object_get_typename(obj), typename);
        abort();
    }
    return obj;
}

Object *object_ref(void *o)
{
    Object *obj = o;

    if (obj) {
        obj->ref++;
    }
    return obj;
}

static void object_release_props(Object *obj)
{
    GPtrArray *props = obj->class->props;

    for (guint i = 0; i < props->len; i++) {
        const Property *prop = g_ptr_array_index(props, i);

        if (prop->info->release) {
            prop->info->release(obj, prop);
        }
    }
}

static void object_finalize(Object *obj)
{
    for (Type ti = obj->class->type; ti; ti = type_get_parent(ti)) {
        if (ti->instance_finalize) {
            ti->instance_finalize(obj);
        }
    }
    object_release_props(obj);
    if (obj->children) {
        g_hash_table_destroy(obj->children);
    }
    g_free(obj->name);
    g_free(obj);
}

void object_unref(void *o)
{
    Object *obj = o;

    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (--obj->ref == 0) {
        object_finalize(obj);
    }
}

/* The tree */

Object *object_get_root(void)
{
    if (!root_object) {
        root_object = object_new("container");
        root_object->name = g_strdup("");
    }
    return root_object;
}

Object *object_get_objects_root(void)
{
    Object *root = object_get_root();
    Object *objects = object_resolve_path_component(root, "objects");

    if (!objects) {
        objects = object_new("container");
        object_property_add_child(root, "objects", objects);
        object_unref(objects);
    }
    return objects;
}

void object_property_add_child(Object *parent, const char *name, Object *child)
{
    g_assert(!child->parent);
    if (!parent->children) {
        parent->children = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_assert(!g_hash_table_contains(parent->children, name));
    g_free(child->name);
    child->name = g_strdup(name);
    child->parent = parent;
    g_hash_table_insert(parent->children, child->name, object_ref(child));
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;

    if (!parent) {
        return;
    }
    g_hash_table_remove(parent->children, obj->name);
    obj->parent = NULL;
    object_unref(obj);
}

Object *object_resolve_path_component(Object *parent, const char *name)
{
    if (!parent->children) {
        return NULL;
    }
    return g_hash_table_lookup(parent->children, name);
}

static Object *resolve_absolute(Object *base, char **parts)
{
    Object *obj = base;

    for (; *parts; parts++) {
        if (!**parts) {
            continue;
        }
        obj = object_resolve_path_component(obj, *parts);
        if (!obj) {
            return NULL;
        }
    }
    return obj;
}

/* A partial path matches below any object; it must match only once. */
static void resolve_partial(Object *obj, char **parts, const char *typename,
                            Object **found, bool *ambiguous)
{
    GHashTableIter iter;
    gpointer value;
    Object *hit = resolve_absolute(obj, parts);

    if (hit && (!typename || object_dynamic_cast(hit, typename))) {
        if (*found && *found != hit) {
            *ambiguous = true;
        }
        *found = hit;
    }
    if (!obj->children) {
        return;
    }
    g_hash_table_iter_init(&iter, obj->children);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        resolve_partial(value, parts, typename, found, ambiguous);
    }
}

Object *object_resolve_path_type(const char *path, const char *typename,
                                 bool *ambiguousp)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    Object *found = NULL;
    bool ambiguous = false;

    if (path[0] == '/') {
        found = resolve_absolute(object_get_root(), parts);
        if (found && typename && !object_dynamic_cast(found, typename)) {
            found = NULL;
        }
    } else if (path[0]) {
        resolve_partial(object_get_root(), parts, typename, &found, &ambiguous);
    }
    if (ambiguousp) {
        *ambiguousp = ambiguous;
    }
    return ambiguous ? NULL : found;
}

Object *object_resolve_path(const char *path, bool *ambiguous)
{
    return object_resolve_path_type(path, NULL, ambiguous);
}

char *object_get_canonical_path(Object *obj)
{
    GString *path = g_string_new(NULL);

    if (obj == object_get_root()) {
        g_string_free(path, TRUE);
        return g_strdup("/");
    }
    for (; obj && obj->parent; obj = obj->parent) {
        g_string_prepend(path, obj->name);
        g_string_prepend_c(path, '/');
    }
    if (!obj || obj != object_get_root()) {
        g_string_free(path, TRUE);
        return NULL;
    }
    return g_string_free(path, FALSE);
}

int object_child_foreach(Object *obj, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    g_autoptr(GList) names = NULL;
    int ret = 0;

    if (!obj->children) {
        return 0;
    }
    names = g_list_sort(g_hash_table_get_keys(obj->children),
                        (GCompareFunc)strcmp);
    for (GList *l = names; l && !ret; l = l->next) {
        Object *child = g_hash_table_lookup(obj->children, l->data);

        if (child) {
            ret = fn(child, opaque);
        }
    }
    return ret;
}

/* Properties */

void object_class_add_props(ObjectClass *klass, const Property *props)
{
    for (const Property *p = props; p->name; p++) {
        g_ptr_array_add(klass->props, (gpointer)p);
    }
}

const Property *object_class_find_property(ObjectClass *klass, const char *name)
{
    GPtrArray *props = klass->props;

    /* Later (subclass) entries override earlier ones of the same name. */
    for (guint i = props->len; i > 0; i--) {
        const Property *prop = g_ptr_array_index(props, i - 1);

        if (!strcmp(prop->name, name)) {
            return prop;
        }
    }
    return NULL;
}

static const Property *resolve_alias(ObjectClass *klass, const Property *prop)
{
    while (prop && prop->alias_target) {
        prop = object_class_find_property(klass, prop->alias_target);
    }
    return prop;
}

bool object_property_parse(Object *obj, const char *name, const char *value,
                           Error **errp)
{
    const Property *prop = object_class_find_property(obj->class, name);

    prop = resolve_alias(obj->class, prop);
    if (!prop || !prop->info->set) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
        return false;
    }
    return prop->info->set(obj, prop, value, errp);
}

char *object_property_print(Object *obj, const char *name)
{
    const Property *prop = object_class_find_property(obj->class, name);

    prop = resolve_alias(obj->class, prop);
    if (!prop || !prop->info->print) {
        return NULL;
    }
    return prop->info->print(obj, prop);
}

void object_set_props_default(Object *obj)
{
    GPtrArray *props = obj->class->props;

    for (guint i = 0; i < props->len; i++) {
        const Property *prop = g_ptr_array_index(props, i);

        if (prop->info->set_default) {
            prop->info->set_default(obj, prop);
        }
    }
}

/* -object */

Object *user_creatable_add_type(const char *type, const char *id,
                                const GArray *props, Error **errp)
{
    ObjectClass *klass = object_class_by_name(type);
    Object *obj;

    if (!klass || !klass->user_creatable || object_class_is_abstract(klass)) {
        error_setg(errp, "invalid object type: %s", type);
        return NULL;
    }
    if (!id || !id[0]) {
        error_setg(errp, "Parameter 'id' is missing");
        return NULL;
    }
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (object_resolve_path_component(object_get_objects_root(), id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return NULL;
    }
    obj = object_new(type);
    for (guint i = 0; props && i < props->len; i++) {
        const QemuOpt *o = &g_array_index(props, QemuOpt, i);

        if (!object_property_parse(obj, o->name, o->value, errp)) {
            goto fail;
        }
    }
    if (klass->complete) {
        Error *local_err = NULL;

        klass->complete(obj, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            goto fail;
        }
    }
    object_property_add_child(object_get_objects_root(), id, obj);
    object_unref(obj);
    if (!user_objects) {
        user_objects = g_ptr_array_new();
    }
    g_ptr_array_add(user_objects, obj);
    return obj;

fail:
    object_unref(obj);
    return NULL;
}

bool user_creatable_del(const char *id, Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(), id);

    if (!obj) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (obj->class->can_be_deleted && !obj->class->can_be_deleted(obj)) {
        error_setg(errp, "object '%s' is in use, can not be deleted", id);
        return false;
    }
    g_ptr_array_remove(user_objects, obj);
    object_unparent(obj);
    return true;
}

void user_creatable_cleanup(void)
{
    /* Newest first: later objects may use earlier ones. */
    while (user_objects && user_objects->len) {
        Object *obj = g_ptr_array_steal_index(user_objects,
                                              user_objects->len - 1);

        object_unparent(obj);
    }
}

static void object_class_init(ObjectClass *klass, const void *data)
{
}

static const TypeInfo object_types[] = {
    {
        .name = TYPE_OBJECT,
        .instance_size = sizeof(Object),
        .class_size = sizeof(ObjectClass),
        .class_init = object_class_init,
        .abstract = true,
    }, {
        .name = "container",
        .parent = TYPE_OBJECT,
    },
};

DEFINE_TYPES(object_types)
