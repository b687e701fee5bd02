/*
 * QMP commands a management layer asks before it starts a machine
 * (libvirt's capability probe): the target, machines, QOM types and
 * their properties, CPU models, command-line options.  Every answer is
 * computed from the registered types and machines, so a new device or
 * property shows up without an edit here.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "system/qmp.h"
#include "system/system.h"

/* Optional string / bool arguments, refusing unknown members. */
static bool get_args(JsonObject *args, const char *const *known,
                     Error **errp)
{
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        bool ok = false;

        for (int i = 0; known[i]; i++) {
            ok |= !strcmp(known[i], l->data);
        }
        if (!ok) {
            error_setg(errp, "Parameter '%s' is unexpected",
                       (const char *)l->data);
            return false;
        }
    }
    return true;
}

static const char *opt_string(JsonObject *args, const char *name,
                              Error **errp)
{
    JsonNode *n = json_object_get_member(args, name);

    if (!n) {
        return NULL;
    }
    if (!JSON_NODE_HOLDS_VALUE(n) ||
        json_node_get_value_type(n) != G_TYPE_STRING) {
        error_setg(errp, "Invalid parameter type for '%s', expected: string",
                   name);
        return NULL;
    }
    return json_node_get_string(n);
}

static JsonNode *qmp_query_target(JsonObject *args, Error **errp)
{
    JsonObject *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_object_new();
    json_object_set_string_member(ret, "arch", qemu_target_arch());
    return qmp_node_take_object(ret);
}

static JsonObject *machine_info(MachineClass *mc, const char *name,
                                const char *alias)
{
    JsonObject *m = json_object_new();

    json_object_set_string_member(m, "name", name);
    if (alias) {
        json_object_set_string_member(m, "alias", alias);
    }
    json_object_set_boolean_member(m, "is-default", false);
    /* No vCPUs: libvirt still needs a maximum of at least one. */
    json_object_set_int_member(m, "cpu-max", 1);
    json_object_set_boolean_member(m, "hotpluggable-cpus", false);
    json_object_set_boolean_member(m, "numa-mem-supported", false);
    json_object_set_boolean_member(m, "deprecated", false);
    json_object_set_boolean_member(m, "acpi", false);
    if (mc->default_ram_size) {
        /* Sized from -object memory-backend-ram,id=ID (system/vl.c). */
        json_object_set_string_member(m, "default-ram-id", "pc.ram");
    }
    return m;
}

static JsonNode *qmp_query_machines(JsonObject *args, Error **errp)
{
    static const char *const known[] = { "compat-props", NULL };
    GSList *list;
    JsonArray *ret;

    if (!get_args(args, known, errp)) {
        return NULL;
    }
    ret = json_array_new();
    list = object_class_get_list_sorted(TYPE_MACHINE, false);
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        g_autofree char *versioned = machine_versioned_name(mc);

        if (!machine_in_target(mc)) {
            continue;
        }
        json_array_add_object_element(ret, versioned ?
                                      machine_info(mc, versioned, mc->name) :
                                      machine_info(mc, mc->name, NULL));
    }
    g_slist_free(list);
    return qmp_node_take_array(ret);
}

static JsonNode *qmp_qom_list_types(JsonObject *args, Error **errp)
{
    static const char *const known[] = { "implements", "abstract", NULL };
    const char *implements;
    JsonNode *abstract_n;
    bool abstract = false;
    Error *err = NULL;
    GSList *list;
    JsonArray *ret;

    if (!get_args(args, known, errp)) {
        return NULL;
    }
    implements = opt_string(args, "implements", &err);
    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    abstract_n = json_object_get_member(args, "abstract");
    if (abstract_n) {
        if (!JSON_NODE_HOLDS_VALUE(abstract_n) ||
            json_node_get_value_type(abstract_n) != G_TYPE_BOOLEAN) {
            error_setg(errp, "Invalid parameter type for 'abstract', "
                       "expected: boolean");
            return NULL;
        }
        abstract = json_node_get_boolean(abstract_n);
    }
    ret = json_array_new();
    if (implements && !object_class_by_name(implements)) {
        return qmp_node_take_array(ret);
    }
    list = object_class_get_list_sorted(implements ? implements : TYPE_OBJECT,
                                        abstract);
    for (GSList *l = list; l; l = l->next) {
        ObjectClass *oc = l->data;
        ObjectClass *parent = object_class_get_parent(oc);
        JsonObject *t = json_object_new();

        json_object_set_string_member(t, "name", object_class_get_name(oc));
        if (object_class_is_abstract(oc)) {
            json_object_set_boolean_member(t, "abstract", true);
        }
        if (parent) {
            json_object_set_string_member(t, "parent",
                                          object_class_get_name(parent));
        }
        json_array_add_object_element(ret, t);
    }
    g_slist_free(list);
    return qmp_node_take_array(ret);
}

/* QOM's type name for a property, as QEMU's introspection spells it. */
static const char *prop_type_name(const Property *p, char **to_free)
{
    const char *t = p->info->type;

    if (!strcmp(t, "link") && p->link_type) {
        *to_free = g_strdup_printf("link<%s>", p->link_type);
        return *to_free;
    }
    return t;
}

static JsonArray *class_properties(ObjectClass *oc)
{
    JsonArray *ret = json_array_new();

    for (guint i = 0; i < oc->props->len; i++) {
        const Property *p = g_ptr_array_index(oc->props, i);
        g_autofree char *type = NULL;
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "name", p->name);
        json_object_set_string_member(o, "type", prop_type_name(p, &type));
        json_array_add_object_element(ret, o);
    }
    return ret;
}

static ObjectClass *typename_arg(JsonObject *args, const char *want,
                                 Error **errp)
{
    static const char *const known[] = { "typename", NULL };
    const char *name;
    ObjectClass *oc;
    Error *err = NULL;

    if (!get_args(args, known, errp)) {
        return NULL;
    }
    name = opt_string(args, "typename", &err);
    if (err || !name) {
        if (!err) {
            error_setg(&err, "Parameter 'typename' is missing");
        }
        error_propagate(errp, err);
        return NULL;
    }
    oc = object_class_by_name(name);
    if (!oc && g_str_has_suffix(name, "-machine")) {
        /* QEMU's class of a versioned machine: "virt-11.1-machine". */
        g_autofree char *mname = g_strndup(name,
                                           strlen(name) - strlen("-machine"));
        MachineClass *mc = qemu_find_machine(mname);

        oc = mc ? OBJECT_CLASS(mc) : NULL;
    }
    /* DeviceNotFound lets a prober tell "no such type" from a failure. */
    if (!oc || (want && !object_class_dynamic_cast(oc, want))) {
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND,
                  want ? "Device '%s' not found" : "Class '%s' not found",
                  name);
        return NULL;
    }
    if (want && object_class_is_abstract(oc)) {
        error_setg(errp, "Parameter 'typename' expects a non-abstract "
                   "device type");
        return NULL;
    }
    return oc;
}

static JsonNode *qmp_device_list_properties(JsonObject *args, Error **errp)
{
    ObjectClass *oc = typename_arg(args, TYPE_DEVICE, errp);

    return oc ? qmp_node_take_array(class_properties(oc)) : NULL;
}

static void add_compat_prop(const char *name, const char *type, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_qom_list_properties(JsonObject *args, Error **errp)
{
    ObjectClass *oc = typename_arg(args, NULL, errp);
    JsonArray *props;

    if (!oc) {
        return NULL;
    }
    props = class_properties(oc);
    /* A machine also takes the QEMU properties -machine accepts. */
    if (object_class_dynamic_cast(oc, TYPE_MACHINE) &&
        !object_class_is_abstract(oc)) {
        machine_foreach_compat_prop(MACHINE_CLASS(oc), add_compat_prop, props);
    }
    return qmp_node_take_array(props);
}

/*
 * CPU models: there are no vCPUs, but libvirt wants a model to name on
 * -cpu (which is accepted and ignored).
 */
static JsonNode *qmp_query_cpu_definitions(JsonObject *args, Error **errp)
{
    static const char *const x86[] = { "qemu64", "max", NULL };
    static const char *const arm[] = { "cortex-a57", "max", NULL };
    const char *const *models = strcmp(qemu_target_arch(), "aarch64") ?
                                x86 : arm;
    JsonArray *ret;

    if (!qmp_check_no_args(args, errp)) {
        return NULL;
    }
    ret = json_array_new();
    for (int i = 0; models[i]; i++) {
        JsonObject *c = json_object_new();
        g_autofree char *type = g_strdup_printf("%s-%s-cpu", models[i],
                                                qemu_target_arch());

        json_object_set_string_member(c, "name", models[i]);
        json_object_set_string_member(c, "typename", type);
        json_object_set_array_member(c, "unavailable-features",
                                     json_array_new());
        json_object_set_boolean_member(c, "static", false);
        json_object_set_boolean_member(c, "migration-safe", true);
        json_object_set_boolean_member(c, "deprecated", false);
        json_array_add_object_element(ret, c);
    }
    return qmp_node_take_array(ret);
}

/*
 * The options that take key=value arguments, with the keys this runtime
 * gives a meaning to.  (QEMU lists the options it parses with QemuOpts;
 * libvirt looks up a few of them by name.)
 */
static const struct {
    const char *option;
    const char *params;
} cmdline_options[] = {
    { "machine", "type:string,memory-backend:string,dumpdtb:string,"
                 "usb:boolean,dump-guest-core:boolean,acpi:string" },
    { "accel", "accel:string" },
    { "chardev", "backend:string,id:string,path:string,fd:string,"
                 "server:boolean,wait:boolean" },
    { "mon", "chardev:string,mode:string,id:string" },
    { "qmp", "" },
    { "sandbox", "enable:boolean" },
    { "overcommit", "mem-lock:boolean,cpu-pm:boolean" },
    { "msg", "timestamp:boolean" },
    { "name", "guest:string,debug-threads:boolean" },
    { "boot", "strict:boolean" },
    { "rtc", "base:string,clock:string,driftfix:string" },
    { "smp", "cpus:number" },
    { "trace", "enable:string,events:string,file:string" },
};

static JsonNode *qmp_query_command_line_options(JsonObject *args,
                                                Error **errp)
{
    static const char *const known[] = { "option", NULL };
    const char *want;
    Error *err = NULL;
    JsonArray *ret;

    if (!get_args(args, known, errp)) {
        return NULL;
    }
    want = opt_string(args, "option", &err);
    if (err) {
        error_propagate(errp, err);
        return NULL;
    }
    ret = json_array_new();
    for (size_t i = 0; i < ARRAY_SIZE(cmdline_options); i++) {
        g_auto(GStrv) params = g_strsplit(cmdline_options[i].params, ",", -1);
        JsonObject *o;
        JsonArray *list;

        if (want && strcmp(want, cmdline_options[i].option)) {
            continue;
        }
        o = json_object_new();
        list = json_array_new();
        for (int j = 0; params[j]; j++) {
            char *colon = strchr(params[j], ':');
            JsonObject *p;

            if (!colon) {
                continue;
            }
            *colon = '\0';
            p = json_object_new();
            json_object_set_string_member(p, "name", params[j]);
            json_object_set_string_member(p, "type", colon + 1);
            json_array_add_object_element(list, p);
        }
        json_object_set_string_member(o, "option", cmdline_options[i].option);
        json_object_set_array_member(o, "parameters", list);
        json_array_add_object_element(ret, o);
    }
    if (want && !json_array_get_length(ret)) {
        json_array_unref(ret);
        error_setg(errp, "Invalid parameter 'option'");
        return NULL;
    }
    return qmp_node_take_array(ret);
}

static void __attribute__((constructor)) qmp_register_introspect_commands(void)
{
    qmp_schema_add_type("TargetInfo", "arch:str");
    qmp_schema_add_type("MachineInfo",
                        "name:str,?alias:str,is-default:bool,cpu-max:int,"
                        "hotpluggable-cpus:bool,numa-mem-supported:bool,"
                        "deprecated:bool,acpi:bool,?default-ram-id:str");
    qmp_schema_add_type("ObjectTypeInfo", "name:str,?abstract:bool,"
                        "?parent:str");
    qmp_schema_add_type("ObjectPropertyInfo", "name:str,type:str,"
                        "?description:str,?default-value:any");
    qmp_schema_add_type("CpuDefinitionInfo",
                        "name:str,typename:str,unavailable-features:[str],"
                        "static:bool,migration-safe:bool,deprecated:bool");
    qmp_schema_add_type("CommandLineParameterInfo", "name:str,type:str");
    qmp_schema_add_type("CommandLineOptionInfo",
                        "option:str,parameters:[CommandLineParameterInfo]");
    qmp_register_command_schema("query-target", qmp_query_target, NULL,
                                "TargetInfo");
    qmp_register_command_schema("query-machines", qmp_query_machines,
                                "?compat-props:bool", "[MachineInfo]");
    qmp_register_command_schema("qom-list-types", qmp_qom_list_types,
                                "?implements:str,?abstract:bool",
                                "[ObjectTypeInfo]");
    qmp_register_command_schema("device-list-properties",
                                qmp_device_list_properties, "typename:str",
                                "[ObjectPropertyInfo]");
    qmp_register_command_schema("qom-list-properties",
                                qmp_qom_list_properties, "typename:str",
                                "[ObjectPropertyInfo]");
    qmp_register_command_schema("query-cpu-definitions",
                                qmp_query_cpu_definitions, NULL,
                                "[CpuDefinitionInfo]");
    qmp_register_command_schema("query-command-line-options",
                                qmp_query_command_line_options,
                                "?option:str", "[CommandLineOptionInfo]");
}
