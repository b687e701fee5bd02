/*
 * query-qmp-schema and query-events, generated from what the commands,
 * types and events registered with system/qmp.c say about themselves.
 *
 * The output follows QEMU's introspection format (SchemaInfo): one entry
 * per command, event, object type, enum, array and builtin, each naming
 * the types it uses.  Type names are ours and readable (QEMU hides its
 * names behind numbers; clients must not depend on them either way).
 * Every command's arguments become an object type "NAME-arg".  A type
 * is emitted once, however many entries use it; an unknown type name in
 * a registration is reported as "any" rather than dangling.
 */
#include "qemu/osdep.h"
#include "system/qmp.h"

typedef enum {
    SCHEMA_OBJECT,
    SCHEMA_ENUM,
    SCHEMA_EVENT,
    SCHEMA_FEATURES,            /* of a command: "a,b" */
} SchemaKind;

typedef struct SchemaEntry {
    SchemaKind kind;
    const char *name;
    const char *spec;           /* members or values */
} SchemaEntry;

static GPtrArray *schema_entries;   /* of SchemaEntry, registration order */

static const struct {
    const char *name;
    const char *json_type;
} schema_builtins[] = {
    { "str", "string" }, { "int", "int" }, { "bool", "boolean" },
    { "number", "number" }, { "size", "int" }, { "any", "value" },
    { "null", "null" },
};

static void schema_add(SchemaKind kind, const char *name, const char *spec)
{
    SchemaEntry *e = g_new0(SchemaEntry, 1);

    if (!schema_entries) {
        schema_entries = g_ptr_array_new_with_free_func(g_free);
    }
    e->kind = kind;
    e->name = name;
    e->spec = spec;
    g_ptr_array_add(schema_entries, e);
}

void qmp_schema_add_type(const char *name, const char *members)
{
    schema_add(SCHEMA_OBJECT, name, members);
}

void qmp_schema_add_enum(const char *name, const char *values)
{
    schema_add(SCHEMA_ENUM, name, values);
}

void qmp_schema_add_event(const char *name, const char *members)
{
    schema_add(SCHEMA_EVENT, name, members);
}

void qmp_schema_add_command_features(const char *name, const char *features)
{
    schema_add(SCHEMA_FEATURES, name, features);
}

static const SchemaEntry *schema_find(SchemaKind kind, const char *name)
{
    for (guint i = 0; schema_entries && i < schema_entries->len; i++) {
        const SchemaEntry *e = g_ptr_array_index(schema_entries, i);

        if (e->kind == kind && !strcmp(e->name, name)) {
            return e;
        }
    }
    return NULL;
}

typedef struct SchemaGen {
    JsonArray *out;
    GHashTable *emitted;        /* type names already in @out */
} SchemaGen;

static const char *schema_type(SchemaGen *g, const char *type);

static void schema_emit_object(SchemaGen *g, const char *name,
                               const char *members)
{
    JsonObject *o = json_object_new();
    JsonArray *list = json_array_new();
    g_auto(GStrv) parts = g_strsplit(members ? members : "", ",", -1);

    /* Claim the name first: members may refer back to this type. */
    g_hash_table_add(g->emitted, g_strdup(name));
    for (int i = 0; parts[i]; i++) {
        char *m = g_strstrip(parts[i]);
        bool optional = m[0] == '?';
        char *colon;
        JsonObject *mo;

        if (!*m) {
            continue;
        }
        m += optional;
        colon = strchr(m, ':');
        mo = json_object_new();
        if (colon) {
            *colon = '\0';
        }
        json_object_set_string_member(mo, "name", m);
        json_object_set_string_member(
            mo, "type", schema_type(g, colon ? colon + 1 : "any"));
        if (optional) {
            json_object_set_null_member(mo, "default");
        }
        json_array_add_object_element(list, mo);
    }
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "meta-type", "object");
    json_object_set_array_member(o, "members", list);
    json_array_add_object_element(g->out, o);
}

static void schema_emit_enum(SchemaGen *g, const char *name,
                             const char *values)
{
    JsonObject *o = json_object_new();
    JsonArray *vals = json_array_new();
    JsonArray *members = json_array_new();
    g_auto(GStrv) parts = g_strsplit(values, ",", -1);

    g_hash_table_add(g->emitted, g_strdup(name));
    for (int i = 0; parts[i]; i++) {
        JsonObject *m = json_object_new();

        json_array_add_string_element(vals, parts[i]);
        json_object_set_string_member(m, "name", parts[i]);
        json_array_add_object_element(members, m);
    }
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "meta-type", "enum");
    json_object_set_array_member(o, "values", vals);
    json_object_set_array_member(o, "members", members);
    json_array_add_object_element(g->out, o);
}

/* Make sure @type is in the output; return the name entries use. */
static const char *schema_type(SchemaGen *g, const char *type)
{
    const SchemaEntry *e;
    size_t len = strlen(type);

    if (g_hash_table_contains(g->emitted, type)) {
        return g_hash_table_lookup(g->emitted, type);
    }
    if (len > 2 && type[0] == '[' && type[len - 1] == ']') {
        g_autofree char *elem = g_strndup(type + 1, len - 2);
        const char *ename = schema_type(g, elem);
        JsonObject *o = json_object_new();
        g_autofree char *aname = g_strdup_printf("[%s]", ename);

        if (g_hash_table_contains(g->emitted, aname)) {
            json_object_unref(o);
            return g_hash_table_lookup(g->emitted, aname);
        }
        json_object_set_string_member(o, "name", aname);
        json_object_set_string_member(o, "meta-type", "array");
        json_object_set_string_member(o, "element-type", ename);
        json_array_add_object_element(g->out, o);
        g_hash_table_add(g->emitted, g_strdup(aname));
        return g_hash_table_lookup(g->emitted, aname);
    }
    for (size_t i = 0; i < ARRAY_SIZE(schema_builtins); i++) {
        if (!strcmp(schema_builtins[i].name, type)) {
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "name", type);
            json_object_set_string_member(o, "meta-type", "builtin");
            json_object_set_string_member(o, "json-type",
                                          schema_builtins[i].json_type);
            json_array_add_object_element(g->out, o);
            g_hash_table_add(g->emitted, g_strdup(type));
            return g_hash_table_lookup(g->emitted, type);
        }
    }
    e = schema_find(SCHEMA_OBJECT, type);
    if (e) {
        schema_emit_object(g, e->name, e->spec);
        return e->name;
    }
    e = schema_find(SCHEMA_ENUM, type);
    if (e) {
        schema_emit_enum(g, e->name, e->spec);
        return e->name;
    }
    return schema_type(g, "any");
}

static void schema_emit_command(const char *name, const char *args,
                                const char *ret, void *opaque)
{
    SchemaGen *g = opaque;
    JsonObject *o = json_object_new();
    g_autofree char *arg_type = g_strdup_printf("%s-arg", name);
    const SchemaEntry *feat;

    schema_emit_object(g, arg_type, args);
    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "meta-type", "command");
    json_object_set_string_member(o, "arg-type", arg_type);
    if (ret) {
        json_object_set_string_member(o, "ret-type", schema_type(g, ret));
    } else {
        if (!g_hash_table_contains(g->emitted, "q_empty")) {
            schema_emit_object(g, "q_empty", NULL);
        }
        json_object_set_string_member(o, "ret-type", "q_empty");
    }
    json_object_set_boolean_member(o, "allow-oob", false);
    feat = schema_find(SCHEMA_FEATURES, name);
    if (feat) {
        g_auto(GStrv) list = g_strsplit(feat->spec, ",", -1);
        JsonArray *fa = json_array_new();

        for (int i = 0; list[i]; i++) {
            json_array_add_string_element(fa, list[i]);
        }
        json_object_set_array_member(o, "features", fa);
    }
    json_array_add_object_element(g->out, o);
}

static JsonNode *qmp_query_qmp_schema(JsonObject *args, Error **errp)
{
    SchemaGen g = {
        .out = json_array_new(),
        /* A set: each key is its own value. */
        .emitted = g_hash_table_new_full(g_str_hash, g_str_equal,
                                         g_free, NULL),
    };

    if (!qmp_check_no_args(args, errp)) {
        json_array_unref(g.out);
        g_hash_table_unref(g.emitted);
        return NULL;
    }
    qmp_foreach_command(schema_emit_command, &g);
    for (guint i = 0; schema_entries && i < schema_entries->len; i++) {
        const SchemaEntry *e = g_ptr_array_index(schema_entries, i);
        g_autofree char *arg_type = NULL;
        JsonObject *o;

        if (e->kind == SCHEMA_FEATURES) {
            continue;
        }
        if (e->kind != SCHEMA_EVENT) {
            /* Types nobody uses are still part of the schema. */
            schema_type(&g, e->name);
            continue;
        }
        arg_type = g_strdup_printf("%s-data", e->name);
        schema_emit_object(&g, arg_type, e->spec);
        o = json_object_new();
        json_object_set_string_member(o, "name", e->name);
        json_object_set_string_member(o, "meta-type", "event");
        json_object_set_string_member(o, "arg-type", arg_type);
        json_array_add_object_element(g.out, o);
    }
    g_hash_table_unref(g.emitted);
    return qmp_node_take_array(g.out);
}

static JsonNode *qmp_query_events(JsonObject *args, Error **errp)
{
    JsonArray *list;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    list = json_array_new();
    for (guint i = 0; schema_entries && i < schema_entries->len; i++) {
        const SchemaEntry *e = g_ptr_array_index(schema_entries, i);

        if (e->kind == SCHEMA_EVENT) {
            JsonObject *o = json_object_new();

            json_object_set_string_member(o, "name", e->name);
            json_array_add_object_element(list, o);
        }
    }
    return qmp_node_take_array(list);
}

static void __attribute__((constructor)) qmp_register_schema_commands(void)
{
    qmp_schema_add_type("EventInfo", "name:str");
    qmp_schema_add_type("SchemaInfo", "name:str,meta-type:str");
    qmp_register_command_schema("query-qmp-schema", qmp_query_qmp_schema,
                                NULL, "[SchemaInfo]");
    qmp_register_command_schema("query-events", qmp_query_events,
                                NULL, "[EventInfo]");
    /* Events sent from the core. */
    qmp_schema_add_event("SHUTDOWN", "guest:bool,reason:str");
    qmp_schema_add_event("RESET", "guest:bool,reason:str");
    qmp_schema_add_event("STOP", NULL);
    qmp_schema_add_event("RESUME", NULL);
    qmp_schema_add_event("DEVICE_DELETED", "?device:str,path:str");
}
