/*
 * QMP commands libvirt sends around a start, answered for a runtime
 * without vCPUs, block devices, chardev frontends or migration:
 *
 *   query-kvm, query-cpus-fast, query-hotpluggable-cpus: no vCPUs.
 *   query-iothreads, query-named-block-nodes, query-block, query-jobs:
 *     none.
 *   query-chardev: the monitor sockets.
 *   query-migrate-capabilities, migrate-set-capabilities: only "events"
 *     (MIGRATION events, which never come: there is no migration),
 *     which libvirt always turns on; any other capability is refused
 *     with a message that says migration is not supported.
 *   set-action: the actions QEMU takes by default are accepted; the
 *     others need a guest that can shut down, reboot or panic.
 *   (query-pci is hw/pci/pci-qmp.c, x-query-viommu hw/vfio/vfio-qmp.c:
 *   they look at layers above this one.)
 *   qom-list, qom-get, qom-list-get: the QOM tree, read-only.
 *   object-add, object-del: what -object creates.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "system/qdev-monitor.h"
#include "system/qmp.h"
#include "system/system.h"

static JsonNode *qmp_query_kvm(JsonObject *args, Error **errp)
{
    JsonObject *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_boolean_member(ret, "enabled", false);
    json_object_set_boolean_member(ret, "present", false);
    return qmp_node_take_object(ret);
}

/* Commands whose answer here is always an empty list. */
static JsonNode *qmp_empty_list(JsonObject *args, Error **errp)
{
    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    return qmp_node_take_array(json_array_new());
}

static JsonNode *qmp_query_named_block_nodes(JsonObject *args, Error **errp)
{
    JsonNode *flat = json_object_get_member(args, "flat");
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "flat")) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return NULL;
        }
    }
    if (flat && (!JSON_NODE_HOLDS_VALUE(flat) ||
                 json_node_get_value_type(flat) != G_TYPE_BOOLEAN)) {
        error_setg(errp, "Invalid parameter type for 'flat', "
                   "expected: boolean");
        return NULL;
    }
    return qmp_node_take_array(json_array_new());
}

static JsonNode *qmp_query_chardev(JsonObject *args, Error **errp)
{
    JsonArray *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    /*
     * The monitor is the only chardev, and it has no frontend a
     * management layer could connect a guest console to.
     */
    ret = json_array_new();
    return qmp_node_take_array(ret);
}

static bool migration_events;

static JsonNode *qmp_query_migrate_capabilities(JsonObject *args,
                                                Error **errp)
{
    JsonArray *ret;
    JsonObject *o;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_array_new();
    o = json_object_new();
    json_object_set_string_member(o, "capability", "events");
    json_object_set_boolean_member(o, "state", migration_events);
    json_array_add_object_element(ret, o);
    return qmp_node_take_array(ret);
}

static JsonNode *qmp_migrate_set_capabilities(JsonObject *args, Error **errp)
{
    bool events = migration_events;

    JsonNode *caps = json_object_get_member(args, "capabilities");
    g_autoptr(GList) members = json_object_get_members(args);
    JsonArray *list;

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "capabilities")) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return NULL;
        }
    }
    if (!caps || !JSON_NODE_HOLDS_ARRAY(caps)) {
        error_setg(errp, "Parameter 'capabilities' is missing or not an "
                   "array");
        return NULL;
    }
    list = json_node_get_array(caps);
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonNode *e = json_array_get_element(list, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) :
                        NULL;
        JsonNode *cap = o ? json_object_get_member(o, "capability") : NULL;
        JsonNode *state = o ? json_object_get_member(o, "state") : NULL;
        const char *name;

        if (!cap || !JSON_NODE_HOLDS_VALUE(cap) ||
            json_node_get_value_type(cap) != G_TYPE_STRING) {
            error_setg(errp, "Capability entry needs 'capability' and a "
                       "boolean 'state'");
            return NULL;
        }
        name = json_node_get_string(cap);
        if (!state || !JSON_NODE_HOLDS_VALUE(state) ||
            json_node_get_value_type(state) != G_TYPE_BOOLEAN) {
            error_setg(errp, "Capability entry needs 'capability' and a "
                       "boolean 'state'");
            return NULL;
        }
        if (!strcmp(name, "events")) {
            events = json_node_get_boolean(state);
            continue;
        }
        /* Turning a capability off is what not migrating means anyway. */
        if (!json_node_get_boolean(state)) {
            continue;
        }
        error_setg(errp, "Migration capability '%s' is not available: "
                   "viommu-system does not support migration", name);
        return NULL;
    }
    migration_events = events;
    return qmp_return_empty();
}

/*
 * set-action: what happens on guest reboot, shutdown, panic or watchdog
 * expiry.  Without vCPUs none of these can happen; accept the values
 * QEMU's command takes so that libvirt's <on_reboot> etc. go through.
 */
static JsonNode *qmp_set_action(JsonObject *args, Error **errp)
{
    static const struct {
        const char *name;
        const char *values;
    } actions[] = {
        { "reboot", ",reset,shutdown," },
        { "shutdown", ",poweroff,pause," },
        { "panic", ",pause,shutdown,exit-failure,none," },
        { "watchdog", ",reset,shutdown,poweroff,pause,debug,none,"
                      "inject-nmi," },
    };
    JsonObjectIter iter;
    const char *name;
    JsonNode *node;

    json_object_iter_init(&iter, args);
    while (json_object_iter_next(&iter, &name, &node)) {
        g_autofree char *key = NULL;
        size_t i;

        for (i = 0; i < ARRAY_SIZE(actions); i++) {
            if (!strcmp(actions[i].name, name)) {
                break;
            }
        }
        if (i == ARRAY_SIZE(actions)) {
            error_setg(errp, "Parameter '%s' is unexpected", name);
            return NULL;
        }
        if (!JSON_NODE_HOLDS_VALUE(node) ||
            json_node_get_value_type(node) != G_TYPE_STRING) {
            error_setg(errp, "Invalid parameter type for '%s', expected: "
                       "string", name);
            return NULL;
        }
        key = g_strdup_printf(",%s,", json_node_get_string(node));
        /* A comma in the value would match a run of several names. */
        if (strchr(json_node_get_string(node), ',') ||
            !strstr(actions[i].values, key)) {
            error_setg(errp, "Parameter '%s' does not accept value '%s'",
                       name, json_node_get_string(node));
            return NULL;
        }
    }
    return qmp_return_empty();
}

/* ---- QOM ---- */

static Object *path_arg(JsonObject *args, const char *const *known,
                        Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);
    JsonNode *n = json_object_get_member(args, "path");
    bool ambiguous = false;
    Object *obj;

    for (GList *l = members; l; l = l->next) {
        bool ok = false;

        for (int i = 0; known[i]; i++) {
            ok |= !strcmp(known[i], l->data);
        }
        if (!ok) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return NULL;
        }
    }
    if (!n || !JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        error_setg(errp, "Parameter 'path' is missing or not a string");
        return NULL;
    }
    obj = object_resolve_path(json_node_get_string(n), &ambiguous);
    if (!obj) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  ambiguous ? "Path '%s' is ambiguous" :
                  "Device '%s' not found", json_node_get_string(n));
    }
    return obj;
}

static int add_child_info(Object *child, void *opaque)
{
    JsonObject *o = json_object_new();
    g_autofree char *type = g_strdup_printf("child<%s>",
                                            object_get_typename(child));

    json_object_set_string_member(o, "name", child->name);
    json_object_set_string_member(o, "type", type);
    json_array_add_object_element(opaque, o);
    return 0;
}

static JsonArray *object_property_list(Object *obj)
{
    JsonArray *ret = json_array_new();
    GPtrArray *props = object_get_class(obj)->props;
    JsonObject *t = json_object_new();

    json_object_set_string_member(t, "name", "type");
    json_object_set_string_member(t, "type", "string");
    json_array_add_object_element(ret, t);
    object_child_foreach(obj, add_child_info, ret);
    for (guint i = 0; i < props->len; i++) {
        const Property *p = g_ptr_array_index(props, i);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", p->name);
        json_object_set_string_member(o, "type", p->info->type);
        json_array_add_object_element(ret, o);
    }
    return ret;
}

static JsonNode *qmp_qom_list(JsonObject *args, Error **errp)
{
    static const char *const known[] = { "path", NULL };
    Object *obj = path_arg(args, known, errp);

    return obj ? qmp_node_take_array(object_property_list(obj)) : NULL;
}

/* A property's value as JSON, typed by its QOM type. */
static JsonNode *object_property_json(Object *obj, const char *name,
                                      Error **errp)
{
    const Property *p;
    g_autofree char *text = NULL;
    JsonNode *n;
    uint64_t u;
    int64_t i;

    if (!strcmp(name, "type")) {
        n = json_node_new(JSON_NODE_VALUE);
        json_node_set_string(n, object_get_typename(obj));
        return n;
    }
    p = object_class_find_property(object_get_class(obj), name);
    text = p ? object_property_print(obj, name) : NULL;
    if (!text) {
        error_setg(errp, "Property '%s.%s' not found",
                   object_get_typename(obj), name);
        return NULL;
    }
    n = json_node_new(JSON_NODE_VALUE);
    if (!strcmp(p->info->type, "bool")) {
        json_node_set_boolean(n, !strcmp(text, "on") || !strcmp(text, "true"));
    } else if (g_str_has_prefix(p->info->type, "uint") ||
               !strcmp(p->info->type, "size")) {
        /* Integers print in decimal; others (an "addr") stay strings. */
        if (g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, &u, NULL)) {
            json_node_set_int(n, u);
        } else {
            json_node_set_string(n, text);
        }
    } else if (g_str_has_prefix(p->info->type, "int")) {
        if (g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &i,
                                     NULL)) {
            json_node_set_int(n, i);
        } else {
            json_node_set_string(n, text);
        }
    } else {
        json_node_set_string(n, text);
    }
    return n;
}

static JsonNode *qmp_qom_get(JsonObject *args, Error **errp)
{
    static const char *const known[] = { "path", "property", NULL };
    Object *obj = path_arg(args, known, errp);
    JsonNode *prop = json_object_get_member(args, "property");

    if (!obj) {
        return NULL;
    }
    if (!prop || !JSON_NODE_HOLDS_VALUE(prop) ||
        json_node_get_value_type(prop) != G_TYPE_STRING) {
        error_setg(errp, "Parameter 'property' is missing or not a string");
        return NULL;
    }
    return object_property_json(obj, json_node_get_string(prop), errp);
}

/* qom-list-get: for each path, every property with its value. */
static JsonNode *qmp_qom_list_get(JsonObject *args, Error **errp)
{
    JsonNode *paths = json_object_get_member(args, "paths");
    g_autoptr(GList) members = json_object_get_members(args);
    JsonArray *list, *ret;

    if (g_list_length(members) != 1 || !paths ||
        !JSON_NODE_HOLDS_ARRAY(paths)) {
        error_setg(errp, "Parameter 'paths' is missing or not an array");
        return NULL;
    }
    list = json_node_get_array(paths);
    ret = json_array_new();
    for (guint i = 0; i < json_array_get_length(list); i++) {
        JsonNode *pn = json_array_get_element(list, i);
        JsonObject *entry = json_object_new();
        JsonArray *props = json_array_new();
        Object *obj = NULL;

        if (JSON_NODE_HOLDS_VALUE(pn) &&
            json_node_get_value_type(pn) == G_TYPE_STRING) {
            obj = object_resolve_path(json_node_get_string(pn), NULL);
        }
        if (!obj) {
            json_array_unref(props);
            json_object_unref(entry);
            json_array_unref(ret);
            error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                      "Device '%s' not found",
                      JSON_NODE_HOLDS_VALUE(pn) &&
                      json_node_get_value_type(pn) == G_TYPE_STRING ?
                      json_node_get_string(pn) : "?");
            return NULL;
        }
        {
            g_autoptr(JsonArray) names = object_property_list(obj);

            for (guint j = 0; j < json_array_get_length(names); j++) {
                JsonObject *pi = json_array_get_object_element(names, j);
                const char *pname = json_object_get_string_member(pi, "name");
                JsonObject *po;
                JsonNode *v;

                if (g_str_has_prefix(json_object_get_string_member(pi, "type"),
                                     "child<")) {
                    continue;
                }
                v = object_property_json(obj, pname, NULL);
                po = json_object_new();
                json_object_set_string_member(po, "name", pname);
                json_object_set_string_member(
                    po, "type", json_object_get_string_member(pi, "type"));
                if (v) {
                    json_object_set_member(po, "value", v);
                }
                json_array_add_object_element(props, po);
            }
        }
        json_object_set_array_member(entry, "properties", props);
        json_array_add_object_element(ret, entry);
    }
    return qmp_node_take_array(ret);
}

static JsonNode *qmp_object_add(JsonObject *args, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_from_json_object(args, errp);
    g_autofree char *type = NULL;
    g_autofree char *id = NULL;

    if (!opts) {
        return NULL;
    }
    type = qemu_opt_take(opts, "qom-type");
    id = qemu_opt_take(opts, "id");
    if (!type || !id) {
        error_setg(errp, "Parameter '%s' is missing", type ? "id" : "qom-type");
        return NULL;
    }
    if (!user_creatable_add_type(type, id, opts->opts, errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

static JsonNode *qmp_object_del(JsonObject *args, Error **errp)
{
    JsonNode *id = json_object_get_member(args, "id");

    if (json_object_get_size(args) != 1 || !id || !JSON_NODE_HOLDS_VALUE(id) ||
        json_node_get_value_type(id) != G_TYPE_STRING) {
        error_setg(errp, "Parameter 'id' is missing or not a string");
        return NULL;
    }
    if (!user_creatable_del(json_node_get_string(id), errp)) {
        return NULL;
    }
    return qmp_return_empty();
}

static void __attribute__((constructor)) qmp_register_misc_commands(void)
{
    qmp_schema_add_type("KvmInfo", "enabled:bool,present:bool");
    qmp_schema_add_type("CpuInfoFast", "cpu-index:int,qom-path:str");
    qmp_schema_add_type("HotpluggableCPU", "type:str,vcpus-count:int");
    qmp_schema_add_type("IOThreadInfo", "id:str,thread-id:int");
    qmp_schema_add_type("BlockDeviceInfo", "node-name:str");
    qmp_schema_add_type("ChardevInfo", "label:str,filename:str,"
                        "frontend-open:bool");
    qmp_schema_add_type("MigrationCapabilityStatus", "capability:str,"
                        "state:bool");
    qmp_schema_add_type("ObjectPropertyValue", "name:str,type:str,?value:any");
    qmp_schema_add_type("ObjectPropertiesValues",
                        "properties:[ObjectPropertyValue]");
    qmp_register_command_schema("query-kvm", qmp_query_kvm, NULL, "KvmInfo");
    qmp_register_command_schema("query-cpus-fast", qmp_empty_list, NULL,
                                "[CpuInfoFast]");
    qmp_register_command_schema("query-hotpluggable-cpus", qmp_empty_list,
                                NULL, "[HotpluggableCPU]");
    qmp_register_command_schema("query-iothreads", qmp_empty_list, NULL,
                                "[IOThreadInfo]");
    qmp_register_command_schema("query-named-block-nodes",
                                qmp_query_named_block_nodes, "?flat:bool",
                                "[BlockDeviceInfo]");
    qmp_schema_add_type("BlockInfo", "device:str,locked:bool,removable:bool");
    qmp_register_command_schema("query-block", qmp_empty_list, NULL,
                                "[BlockInfo]");
    qmp_schema_add_type("JobInfo", "id:str,type:str,status:str");
    qmp_register_command_schema("query-jobs", qmp_empty_list, NULL,
                                "[JobInfo]");
    qmp_register_command_schema("query-chardev", qmp_query_chardev, NULL,
                                "[ChardevInfo]");
    qmp_register_command_schema("query-migrate-capabilities",
                                qmp_query_migrate_capabilities,
                                NULL, "[MigrationCapabilityStatus]");
    qmp_register_command_schema("migrate-set-capabilities",
                                qmp_migrate_set_capabilities,
                                "capabilities:[MigrationCapabilityStatus]",
                                NULL);
    qmp_register_command_schema("set-action", qmp_set_action,
                                "?reboot:str,?shutdown:str,?panic:str,"
                                "?watchdog:str", NULL);
    qmp_register_command_schema("qom-list", qmp_qom_list, "path:str",
                                "[ObjectPropertyInfo]");
    qmp_register_command_schema("qom-get", qmp_qom_get,
                                "path:str,property:str", "any");
    qmp_register_command_schema("qom-list-get", qmp_qom_list_get,
                                "paths:[str]", "[ObjectPropertiesValues]");
    /* object-add takes the object's properties as further members. */
    qmp_register_command_schema("object-add", qmp_object_add,
                                "qom-type:str,id:str", NULL);
    qmp_register_command_schema("object-del", qmp_object_del, "id:str", NULL);
}
