/*
 * The command line, as QEMU's: parse every option first, then build the
 * machine in QEMU's order (trace, machine and RAM, -object, -device,
 * machine done, qtest/QMP servers).  Any error prints one message
 * "viommu-system: -opt arg: reason" and exits with status 1.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "qemu/cutils.h"
#include "qemu/trace-control.h"
#include "qemu/main-loop.h"
#include "qom/object.h"
#include "hw/boards.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "system/memory.h"
#include "system/qdev-monitor.h"
#include "system/qtest.h"
#include "system/qmp.h"
#include "system/system.h"
#include "system/runstate.h"
#include <signal.h>
#include "trace.h"

typedef enum {
    ARG_NONE,
    ARG_REQUIRED,
    ARG_IGNORED,        /* takes an argument, which has no effect here */
} ArgKind;

typedef struct QEMUOption {
    const char *name;
    ArgKind arg;
} QEMUOption;

static const QEMUOption qemu_options[] = {
    { "machine", ARG_REQUIRED }, { "M", ARG_REQUIRED },
    { "m", ARG_REQUIRED },
    { "object", ARG_REQUIRED },
    { "device", ARG_REQUIRED },
    { "global", ARG_REQUIRED },
    { "qtest", ARG_REQUIRED },
    { "qtest-log", ARG_REQUIRED },
    { "qmp", ARG_REQUIRED },
    { "chardev", ARG_REQUIRED },
    { "mon", ARG_REQUIRED },
    { "accel", ARG_REQUIRED },
    { "display", ARG_REQUIRED },
    { "trace", ARG_REQUIRED },
    { "D", ARG_REQUIRED },
    { "pidfile", ARG_REQUIRED },
    { "nodefaults", ARG_NONE },
    { "nographic", ARG_NONE },
    { "no-user-config", ARG_NONE },
    { "no-shutdown", ARG_NONE },
    { "daemonize", ARG_NONE },
    { "S", ARG_NONE },
    { "version", ARG_NONE },
    { "help", ARG_NONE }, { "h", ARG_NONE },
    /*
     * Accepted and ignored: they configure vCPUs, firmware, clocks,
     * audio, logging or a seccomp sandbox, none of which this runtime
     * has (docs/devel/libvirt.md lists them).  libvirt writes them for
     * every domain.
     */
    { "name", ARG_IGNORED }, { "uuid", ARG_IGNORED },
    { "cpu", ARG_IGNORED }, { "smp", ARG_IGNORED },
    { "overcommit", ARG_IGNORED }, { "rtc", ARG_IGNORED },
    { "boot", ARG_IGNORED }, { "audiodev", ARG_IGNORED },
    { "watchdog-action", ARG_IGNORED }, { "sandbox", ARG_IGNORED },
    { "msg", ARG_IGNORED }, { "run-with", ARG_IGNORED },
};

/* One option occurrence, kept for the build phase and for messages. */
typedef struct CmdOpt {
    const char *name;           /* canonical: "machine" for -M */
    const char *optname;        /* as typed, for messages: "-M" */
    const char *arg;
} CmdOpt;

static GArray *cmd_opts;        /* of CmdOpt, in command-line order */

static const QEMUOption *find_option(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(qemu_options); i++) {
        if (!strcmp(qemu_options[i].name, name)) {
            return &qemu_options[i];
        }
    }
    return NULL;
}

static G_NORETURN void fail_at(const CmdOpt *o, Error *err)
{
    if (o) {
        loc_set_option(o->optname, o->arg ? o->arg : "");
    }
    error_report_err(err);
    exit(1);
}

static void parse_command_line(int argc, char **argv)
{
    cmd_opts = g_array_new(FALSE, TRUE, sizeof(CmdOpt));

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name;
        const QEMUOption *opt;
        CmdOpt o = { 0 };

        if (a[0] != '-') {
            error_report("%s: invalid option", a);
            exit(1);
        }
        name = a + 1 + (a[1] == '-');     /* accept --opt as QEMU does */
        opt = find_option(name);
        if (!opt) {
            error_report("%s: invalid option", a);
            exit(1);
        }
        o.name = !strcmp(name, "M") ? "machine" :
                 !strcmp(name, "h") ? "help" : opt->name;
        o.optname = a;
        if (opt->arg != ARG_NONE) {
            if (i + 1 >= argc) {
                error_report("%s: requires an argument", a);
                exit(1);
            }
            o.arg = argv[++i];
        }
        g_array_append_val(cmd_opts, o);
    }
}

static const CmdOpt *last_opt(const char *name)
{
    for (guint i = cmd_opts->len; i > 0; i--) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i - 1);

        if (!strcmp(o->name, name)) {
            return o;
        }
    }
    return NULL;
}

static void print_help(void)
{
    printf("usage: %s [options]\n\n"
           "-machine TYPE[,prop=value,...]   select the machine "
           "(q35 = pc-q35-11.1,\n"
           "                                 virt = virt-11.1, none)\n"
           "-m SIZE                          guest RAM size "
           "(suffixes K, M, G)\n"
           "-object TYPE,id=ID[,prop=value]  create a backend object\n"
           "-device TYPE[,prop=value,...]    add a device ('-device help')\n"
           "-global DRIVER.PROP=VALUE        default property value "
           "for -device\n"
           "-qtest unix:PATH[,server=on]     qtest protocol socket\n"
           "-qtest-log FILE|none             log the qtest protocol\n"
           "-qmp unix:PATH[,server=on,wait=off]  QMP socket\n"
           "-chardev socket,id=ID,path=PATH|fd=N[,server=on,wait=off]\n"
           "-mon chardev=ID,mode=control     QMP on a chardev\n"
           "-accel qtest|tcg                 accelerator "
           "(no vCPUs run either way)\n"
           "-trace [enable=]PATTERN|events=FILE|file=FILE\n"
           "-D FILE                          log file for trace output\n"
           "-S                               start in the prelaunch state "
           "(QMP cont)\n"
           "-daemonize, -pidfile FILE        as QEMU\n"
           "-display none, -nodefaults, -nographic, -no-user-config, "
           "-no-shutdown\n"
           "-name, -uuid, -cpu, -smp, -overcommit, -rtc, -boot, -audiodev,\n"
           "-watchdog-action, -sandbox, -msg, -run-with: accepted, ignored\n"
           "-version                         print the version and exit\n",
           error_get_progname());
}

static void print_machines(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_MACHINE, false);

    printf("Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;
        g_autofree char *versioned = machine_versioned_name(mc);

        if (!machine_in_target(mc)) {
            continue;
        }
        if (versioned) {
            printf("%-20s %s (alias of %s)\n", mc->name,
                   mc->desc ? mc->desc : "", versioned);
            printf("%-20s %s\n", versioned, mc->desc ? mc->desc : "");
        } else {
            printf("%-20s %s\n", mc->name, mc->desc ? mc->desc : "");
        }
    }
    g_slist_free(list);
}

static void print_objects(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_OBJECT, false);

    printf("List of user creatable objects:\n");
    for (GSList *l = list; l; l = l->next) {
        ObjectClass *oc = l->data;

        if (oc->user_creatable) {
            printf("  %s\n", object_class_get_name(oc));
        }
    }
    g_slist_free(list);
}

/* "-device help" and "-device TYPE,help" print and exit 0. */
static bool is_help_option(const char *s)
{
    return s && (!strcmp(s, "help") || !strcmp(s, "?"));
}

static void handle_device_help(const CmdOpt *o, QemuOpts *opts)
{
    const char *driver = qemu_opt_get(opts, "driver");
    Error *err = NULL;
    g_autofree char *text = NULL;

    if (is_help_option(driver)) {
        text = qdev_device_list_text();
    } else if (qemu_opt_get(opts, "help")) {
        text = qdev_device_help_text(driver, &err);
        if (!text) {
            fail_at(o, err);
        }
    } else {
        return;
    }
    fputs(text, stdout);
    exit(0);
}

static void handle_object_help(const CmdOpt *o, QemuOpts *opts)
{
    const char *type = qemu_opt_get(opts, "qom-type");

    if (is_help_option(type)) {
        print_objects();
        exit(0);
    }
    if (qemu_opt_get(opts, "help")) {
        ObjectClass *oc = object_class_by_name(type ? type : "");
        GPtrArray *props;

        if (!oc || !oc->user_creatable) {
            Error *err = NULL;

            error_setg(&err, "invalid object type: %s", type ? type : "");
            fail_at(o, err);
        }
        props = oc->props;
        printf("%s options:\n", type);
        for (guint i = 0; i < props->len; i++) {
            const Property *p = g_ptr_array_index(props, i);

            printf("  %-24s<%s>\n", p->name, p->info->type);
        }
        exit(0);
    }
}

static void collect_event_name(TraceEvent *ev, void *opaque)
{
    g_ptr_array_add(opaque, (gpointer)ev->name);
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_trace_events(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    trace_event_foreach(collect_event_name, names);
    g_ptr_array_sort(names, compare_names);
    for (guint i = 0; i < names->len; i++) {
        printf("%s\n", (const char *)g_ptr_array_index(names, i));
    }
}

/* "help" anywhere in -device/-object/-machine prints and exits 0. */
static void process_help_request(const CmdOpt *o)
{
    g_autoptr(QemuOpts) opts = NULL;
    const char *key = !strcmp(o->name, "device") ? "driver" :
                      !strcmp(o->name, "object") ? "qom-type" : "type";

    if (o->arg[0] == '{') {
        return;
    }
    opts = qemu_opts_parse(o->arg, key, NULL);
    if (!opts) {
        return;     /* reported when the option is processed */
    }
    if (!strcmp(o->name, "device")) {
        handle_device_help(o, opts);
    } else if (!strcmp(o->name, "object")) {
        handle_object_help(o, opts);
    } else if (is_help_option(qemu_opt_get(opts, "type"))) {
        print_machines();
        exit(0);
    }
}

/*
 * qtest drives the machine from a test; tcg is accepted because libvirt
 * always writes "-accel tcg" for <domain type='qemu'>: nothing here
 * executes guest code, so there is nothing to accelerate.
 */
static bool check_accel(const char *accel, Error **errp)
{
    g_auto(GStrv) list = g_strsplit(accel ? accel : "", ":", -1);

    /* "kvm:tcg": the first one available, as QEMU picks. */
    for (int i = 0; list[i]; i++) {
        if (!strcmp(list[i], "qtest")) {
            qtest_set_enabled(true);
            return true;
        }
        if (!strcmp(list[i], "tcg")) {
            return true;
        }
    }
    error_setg(errp, "invalid accelerator %s (this runtime runs no vCPUs: "
               "use tcg or qtest, <domain type='qemu'> in libvirt)",
               accel ? accel : "");
    return false;
}

/* Early options: those that only print, and tracing. */
static void process_early_options(void)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        Error *err = NULL;

        if (!strcmp(o->name, "version")) {
            printf("viommu-system version " QEMU_VERSION "\n");
            exit(0);
        } else if (!strcmp(o->name, "help")) {
            print_help();
            exit(0);
        } else if (!strcmp(o->name, "trace")) {
            if (is_help_option(o->arg)) {
                print_trace_events();
                exit(0);
            }
            if (!trace_opt_parse(o->arg, &err)) {
                fail_at(o, err);
            }
        } else if (!strcmp(o->name, "D")) {
            if (!qemu_set_log_filename(o->arg, &err)) {
                fail_at(o, err);
            }
        } else if (!strcmp(o->name, "display")) {
            if (strcmp(o->arg, "none") && strncmp(o->arg, "none,", 5)) {
                error_setg(&err, "Display '%s' is not available", o->arg);
                fail_at(o, err);
            }
        } else if (!strcmp(o->name, "device") || !strcmp(o->name, "object") ||
                   !strcmp(o->name, "machine")) {
            process_help_request(o);
        } else if (!strcmp(o->name, "accel")) {
            g_autoptr(QemuOpts) opts = qemu_opts_parse(o->arg, "accel", &err);
            const char *accel = opts ? qemu_opt_get(opts, "accel") : NULL;

            if (!opts) {
                fail_at(o, err);
            }
            if (!check_accel(accel, &err)) {
                fail_at(o, err);
            }
        }
    }
}

static uint64_t parse_ram_size(MachineClass *mc)
{
    const CmdOpt *o = last_opt("m");
    g_autoptr(QemuOpts) opts = NULL;
    const char *size;
    uint64_t sz;
    Error *err = NULL;

    if (!o) {
        return mc->default_ram_size;
    }
    opts = qemu_opts_parse(o->arg, "size", &err);
    if (!opts) {
        fail_at(o, err);
    }
    size = qemu_opt_get(opts, "size");
    if (!size || qemu_strtosz(size, &sz) < 0) {
        error_setg(&err, "invalid RAM size %s", size ? size : "");
        fail_at(o, err);
    }
    /* A plain number is in MiB, as in QEMU. */
    if (g_ascii_isdigit(size[strlen(size) - 1]) &&
        strncmp(size, "0x", 2) && strncmp(size, "0X", 2)) {
        sz <<= 20;
    }
    if (sz == 0 || sz > (64ULL << 30) || sz & 0xfff) {
        error_setg(&err, "invalid RAM size %s", size);
        fail_at(o, err);
    }
    return sz;
}

/*
 * -machine properties that QEMU's machines have and ours do not, as
 * libvirt writes them.  Those naming a device we do not model accept
 * only "off"; the others configure things that do not exist without
 * vCPUs or firmware and are accepted with any value.
 */
static const struct {
    const char *name;
    const char *type;           /* QOM type name, for qom-list-properties */
    const char *machine;        /* NULL: every machine */
    bool off_only;
} machine_compat_props[] = {
    { "usb", "bool", NULL, true }, { "graphics", "bool", NULL, true },
    { "vmport", "OnOffAuto", "q35", true }, { "hpet", "bool", "q35", true },
    { "i8042", "bool", "q35", true }, { "sata", "bool", "q35", true },
    { "pcspk", "bool", "q35", true }, { "smm", "OnOffAuto", "q35", false },
    { "nvdimm", "bool", NULL, true },
    { "its", "bool", "virt", false },
    { "virtualization", "bool", "virt", true },
    { "secure", "bool", "virt", true }, { "mte", "bool", "virt", true },
    { "ras", "bool", "virt", false }, { "gic-version", "str", "virt", false },
    { "iommu", "str", "virt", false },
    { "accel", "str", NULL, false }, { "kernel_irqchip", "str", NULL, false },
    { "kernel-irqchip", "str", NULL, false },
    { "dump-guest-core", "bool", NULL, false },
    { "mem-merge", "bool", NULL, false },
    { "suppress-vmdesc", "bool", NULL, false },
    { "acpi", "OnOffAuto", NULL, false },
    { "memory-backend", "link<memory-backend>", NULL, false },
};

void machine_foreach_compat_prop(MachineClass *mc,
                                 void (*fn)(const char *name,
                                            const char *type, void *opaque),
                                 void *opaque)
{
    for (size_t i = 0; i < ARRAY_SIZE(machine_compat_props); i++) {
        const char *m = machine_compat_props[i].machine;

        if (!m || !strcmp(m, mc->name)) {
            fn(machine_compat_props[i].name, machine_compat_props[i].type,
               opaque);
        }
    }
}

static bool machine_compat_prop(MachineClass *mc, const char *name,
                                const char *value, Error **errp)
{
    for (size_t i = 0; i < ARRAY_SIZE(machine_compat_props); i++) {
        const char *m = machine_compat_props[i].machine;
        bool on;

        if (strcmp(machine_compat_props[i].name, name) ||
            (m && strcmp(m, mc->name))) {
            continue;
        }
        if (!strcmp(name, "iommu") && strcmp(value, "none")) {
            error_setg(errp, "machine property 'iommu=%s': add the vIOMMU "
                       "with -device arm-smmuv3,primary-bus=pcie.0 (libvirt: "
                       "<iommu model='smmuv3'><driver pciBus='0'/>)", value);
            return false;
        }
        if (!strcmp(name, "gic-version") && strcmp(value, "3") &&
            strcmp(value, "host") && strcmp(value, "max")) {
            error_setg(errp, "machine property 'gic-version=%s': this "
                       "virt machine has a GICv3 (libvirt: "
                       "<gic version='3'/>)", value);
            return false;
        }
        if (!strcmp(name, "accel")) {
            return check_accel(value, errp);
        }
        if (machine_compat_props[i].off_only &&
            (!qemu_parse_bool(value, &on) || on)) {
            error_setg(errp, "machine property '%s=%s': this machine has no "
                       "such device; only '%s=off' is accepted",
                       name, value, name);
            return false;
        }
        return true;
    }
    error_setg(errp, "Property '%s' not found", name);
    return false;
}

/*
 * memory-backend=ID names the -object memory-backend-ram whose "size"
 * is the guest RAM, as in QEMU (where it also supplies the memory).
 */
static bool memory_backend_size(const char *id, uint64_t *size, Error **errp)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        g_autoptr(QemuOpts) opts = NULL;
        const char *sz;

        if (strcmp(o->name, "object")) {
            continue;
        }
        opts = qemu_opts_parse_maybe_json(o->arg, "qom-type", NULL);
        if (!opts || g_strcmp0(qemu_opt_get(opts, "id"), id)) {
            continue;
        }
        if (g_strcmp0(qemu_opt_get(opts, "qom-type"), "memory-backend-ram")) {
            error_setg(errp, "memory-backend '%s' is a %s: only "
                       "memory-backend-ram is supported", id,
                       qemu_opt_get(opts, "qom-type"));
            return false;
        }
        sz = qemu_opt_get(opts, "size");
        if (!sz || qemu_strtosz(sz, size) < 0) {
            error_setg(errp, "memory-backend '%s' has no valid size", id);
            return false;
        }
        return true;
    }
    error_setg(errp, "Memory backend '%s' not found", id);
    return false;
}

static void create_machine(void)
{
    const CmdOpt *o = last_opt("machine");
    g_autoptr(QemuOpts) opts = NULL;
    g_autofree char *type = NULL;
    g_autofree char *backend = NULL;
    MachineClass *mc;
    MachineState *ms;
    Error *err = NULL;

    if (!o) {
        error_report("No machine specified, and there is no default");
        exit(1);
    }
    opts = qemu_opts_parse(o->arg, "type", &err);
    if (!opts) {
        fail_at(o, err);
    }
    type = qemu_opt_take(opts, "type");
    if (is_help_option(type)) {
        print_machines();
        exit(0);
    }
    mc = type ? qemu_find_machine(type) : NULL;
    if (!mc) {
        error_setg(&err, "unsupported machine type: \"%s\" "
                   "(use -machine help to list supported machines)",
                   type ? type : "");
        fail_at(o, err);
    }
    ms = MACHINE(object_new(object_class_get_name(OBJECT_CLASS(mc))));
    object_property_add_child(object_get_root(), "machine", OBJECT(ms));
    object_unref(ms);
    current_machine = ms;

    backend = qemu_opt_take(opts, "memory-backend");
    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *p = &g_array_index(opts->opts, QemuOpt, i);

        if (object_class_find_property(OBJECT_CLASS(mc), p->name)) {
            if (!object_property_parse(OBJECT(ms), p->name, p->value, &err)) {
                fail_at(o, err);
            }
        } else if (!machine_compat_prop(mc, p->name, p->value, &err)) {
            fail_at(o, err);
        }
    }
    ms->ram_size = parse_ram_size(mc);
    if (backend) {
        uint64_t size;

        if (!memory_backend_size(backend, &size, &err)) {
            fail_at(o, err);
        }
        if (last_opt("m") && size != ms->ram_size) {
            error_setg(&err, "-m (0x%" PRIx64 ") and memory-backend '%s' "
                       "(0x%" PRIx64 ") disagree", ms->ram_size, backend, size);
            fail_at(o, err);
        }
        if (size == 0 || size > (64ULL << 30) || size & 0xfff) {
            error_setg(&err, "memory-backend '%s': invalid RAM size 0x%"
                       PRIx64, backend, size);
            fail_at(o, err);
        }
        ms->ram_size = size;
    }
    /* -machine none has no RAM. */
    if (ms->ram_size) {
        ms->ram = g_new0(MemoryRegion, 1);
        if (!memory_region_init_ram(ms->ram, OBJECT(ms), "ram", ms->ram_size,
                                    &err)) {
            fail_at(o, err);
        }
        memory_region_add_subregion(get_system_memory(), mc->ram_base,
                                    ms->ram);
    }
    if (mc->init) {
        mc->init(ms, &err);
        if (err) {
            fail_at(o, err);
        }
    }
    trace_machine_init(mc->name, ms->ram_size);
}

static void create_objects(void)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        g_autoptr(QemuOpts) opts = NULL;
        g_autofree char *type = NULL;
        g_autofree char *id = NULL;
        Error *err = NULL;

        if (strcmp(o->name, "object")) {
            continue;
        }
        opts = qemu_opts_parse_maybe_json(o->arg, "qom-type", &err);
        if (!opts) {
            fail_at(o, err);
        }
        handle_object_help(o, opts);
        type = qemu_opt_take(opts, "qom-type");
        id = qemu_opt_take(opts, "id");
        if (!user_creatable_add_type(type ? type : "", id, opts->opts, &err)) {
            fail_at(o, err);
        }
    }
}

static void create_devices(void)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        Error *err = NULL;

        /* As in QEMU, -global applies wherever it stands on the line. */
        if (!strcmp(o->name, "global") && !qdev_global_add(o->arg, &err)) {
            fail_at(o, err);
        }
    }
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        g_autoptr(QemuOpts) opts = NULL;
        Error *err = NULL;

        if (strcmp(o->name, "device")) {
            continue;
        }
        opts = qemu_opts_parse_maybe_json(o->arg, "driver", &err);
        if (!opts) {
            fail_at(o, err);
        }
        handle_device_help(o, opts);
        if (!qdev_device_add(opts, &err)) {
            fail_at(o, err);
        }
    }
}

/*
 * -chardev socket,id=X,path=P[,server=on,wait=off] with -mon chardev=X:
 * the way upstream libqtest spells a QMP socket.  libvirt creates the
 * listening socket itself and passes it: -chardev socket,id=X,fd=N,
 * server=on,wait=off.  Returns false with @errp set if X is not a usable
 * socket chardev.
 */
static bool start_chardev_monitor(const char *id, Error **errp)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        g_autoptr(QemuOpts) opts = NULL;
        g_autofree char *spec = NULL;
        const char *path, *fd, *server;
        bool is_server = false;

        if (strcmp(o->name, "chardev")) {
            continue;
        }
        opts = qemu_opts_parse(o->arg, "backend", NULL);
        if (!opts || g_strcmp0(qemu_opt_get(opts, "id"), id)) {
            continue;
        }
        path = qemu_opt_get(opts, "path");
        fd = qemu_opt_get(opts, "fd");
        server = qemu_opt_get(opts, "server");
        if (server && !qemu_parse_bool(server, &is_server)) {
            error_setg(errp, "chardev '%s': invalid server=%s", id, server);
            return false;
        }
        if (g_strcmp0(qemu_opt_get(opts, "backend"), "socket") ||
            !!path == !!fd) {
            error_setg(errp, "chardev '%s': only socket chardevs with one "
                       "of path= or fd= can carry a monitor", id);
            return false;
        }
        if (fd) {
            uint64_t n;

            if (qemu_strtou64(fd, &n) < 0 || n > INT_MAX) {
                error_setg(errp, "chardev '%s': invalid fd=%s", id, fd);
                return false;
            }
            return monitor_qmp_init_fd(n, is_server, errp);
        }
        spec = g_strdup_printf("unix:%s%s", path,
                               is_server ? ",server=on,wait=off" : "");
        return monitor_qmp_init(spec, errp);
    }
    error_setg(errp, "chardev \"%s\" not found", id);
    return false;
}

static void start_servers(void)
{
    const CmdOpt *log = last_opt("qtest-log");

    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        Error *err = NULL;

        if (!strcmp(o->name, "qtest")) {
            qtest_set_enabled(true);
            if (!qtest_server_init(o->arg, log ? log->arg : NULL, &err)) {
                fail_at(o, err);
            }
        } else if (!strcmp(o->name, "qmp")) {
            if (!monitor_qmp_init(o->arg, &err)) {
                fail_at(o, err);
            }
        } else if (!strcmp(o->name, "mon")) {
            g_autoptr(QemuOpts) opts = qemu_opts_parse(o->arg, "chardev", &err);

            if (!opts) {
                fail_at(o, err);
            }
            if (g_strcmp0(qemu_opt_get(opts, "mode"), "control")) {
                error_setg(&err, "only mode=control is supported");
                fail_at(o, err);
            }
            if (!start_chardev_monitor(qemu_opt_get(opts, "chardev"), &err)) {
                fail_at(o, err);
            }
        }
    }
}

/*
 * -daemonize: the parent waits until the child has built the machine and
 * opened its sockets, then exits 0 (1 if the child failed), so that
 * whoever started us may connect as soon as we return, as with QEMU.
 */
static int daemon_ready_fd = -1;

static void daemonize_start(void)
{
    int pipefd[2];
    pid_t pid;
    char c;
    ssize_t n;

    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        error_report("-daemonize: pipe: %s", strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        error_report("-daemonize: fork: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        close(pipefd[1]);
        do {
            n = read(pipefd[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        /* EOF: the child failed and has reported why on our stderr. */
        _exit(n == 1 ? 0 : 1);
    }
    close(pipefd[0]);
    daemon_ready_fd = pipefd[1];
    if (setsid() < 0) {
        error_report("-daemonize: setsid: %s", strerror(errno));
        exit(1);
    }
}

static void daemonize_finish(void)
{
    int null_fd;

    if (daemon_ready_fd < 0) {
        return;
    }
    trace_vl_daemonized(getpid());
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        /*
         * stderr too, as QEMU does: whoever started us reads it until
         * EOF (use -D for trace output).
         */
        dup2(null_fd, STDERR_FILENO);
        close(null_fd);
    }
    if (write(daemon_ready_fd, "", 1) != 1) {
        /* The parent is gone: nobody waits for us, carry on. */
    }
    close(daemon_ready_fd);
    daemon_ready_fd = -1;
}

static char *pidfile_path;

static void pidfile_remove(void)
{
    if (pidfile_path) {
        unlink(pidfile_path);
    }
}

static void write_pidfile(const CmdOpt *o)
{
    g_autofree char *text = g_strdup_printf("%d\n", (int)getpid());
    g_autoptr(GError) gerr = NULL;
    Error *err = NULL;

    if (!g_file_set_contents(o->arg, text, -1, &gerr)) {
        error_setg(&err, "cannot create PID file: %s", gerr->message);
        fail_at(o, err);
    }
    pidfile_path = g_strdup(o->arg);
    atexit(pidfile_remove);
}

/*
 * SIGTERM, SIGINT, SIGHUP: shut down cleanly (devices give their host
 * objects back), with a SHUTDOWN event, as QEMU does.  libvirt's
 * "virsh destroy" sends SIGTERM first.
 */
static int signal_pipe[2] = { -1, -1 };

static void termsig_handler(int sig)
{
    unsigned char c = sig;
    int saved = errno;

    if (write(signal_pipe[1], &c, 1) < 0) {
        /* Pipe full: a shutdown is already pending. */
    }
    errno = saved;
}

static void termsig_read(void *opaque)
{
    unsigned char c;
    JsonObject *data;

    if (read(signal_pipe[0], &c, 1) != 1 || qemu_system_shutdown_requested()) {
        return;
    }
    trace_vl_signal_shutdown(c);
    data = json_object_new();
    json_object_set_boolean_member(data, "guest", false);
    json_object_set_string_member(data, "reason", "host-signal");
    qapi_event_send("SHUTDOWN", data);
    runstate_set(RUN_STATE_SHUTDOWN);
    qemu_system_shutdown_request();
}

static void termsig_setup(void)
{
    struct sigaction act = { .sa_handler = termsig_handler };

    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
        error_report("cannot set up signal handling: %s", strerror(errno));
        exit(1);
    }
    qemu_set_fd_handler(signal_pipe[0], termsig_read, NULL, NULL);
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGHUP, &act, NULL);
}

void qemu_init(int argc, char **argv)
{
    Error *err = NULL;
    MachineClass *mc;

    error_set_progname(argv[0]);
    qemu_target_init(argv[0]);
    parse_command_line(argc, argv);
    process_early_options();
    if (qtest_enabled() || last_opt("qtest")) {
        qtest_set_enabled(true);
    }
    if (last_opt("daemonize")) {
        daemonize_start();
    }
    if (last_opt("pidfile")) {
        write_pidfile(last_opt("pidfile"));
    }
    /* -S: wait in "prelaunch" for "cont", as QEMU does. */
    runstate_set(last_opt("S") ? RUN_STATE_PRELAUNCH : RUN_STATE_RUNNING);

    create_machine();
    create_objects();
    create_devices();
    mc = MACHINE_GET_CLASS(current_machine);
    if (mc->done) {
        const CmdOpt *o = last_opt("machine");

        mc->done(current_machine, &err);
        if (err) {
            fail_at(o, err);
        }
    }
    qemu_system_reset();
    qdev_machine_creation_done();
    termsig_setup();
    start_servers();
    loc_clear();
    daemonize_finish();
}

void qemu_cleanup(void)
{
    g_autoptr(GPtrArray) devs = g_ptr_array_new();
    DeviceState *dev;

    /*
     * User devices go first, newest first, so that passthrough devices give
     * their host objects back before the vIOMMU and the backends go.
     */
    for (dev = qdev_first_realized(); dev; dev = qdev_next_realized(dev)) {
        if (dev->id ||
            (OBJECT(dev)->parent && OBJECT(dev)->parent->name &&
             g_str_has_prefix(OBJECT(dev)->parent->name, "peripheral"))) {
            g_ptr_array_add(devs, dev);
        }
    }
    for (guint i = devs->len; i > 0; i--) {
        qdev_unplug_and_free(g_ptr_array_index(devs, i - 1));
    }
    user_creatable_cleanup();
    qdev_globals_cleanup();
}
