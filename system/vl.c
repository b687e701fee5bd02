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
#include "trace.h"

typedef enum {
    ARG_NONE,
    ARG_REQUIRED,
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
    { "qtest", ARG_REQUIRED },
    { "qtest-log", ARG_REQUIRED },
    { "qmp", ARG_REQUIRED },
    { "chardev", ARG_REQUIRED },
    { "mon", ARG_REQUIRED },
    { "accel", ARG_REQUIRED },
    { "display", ARG_REQUIRED },
    { "trace", ARG_REQUIRED },
    { "D", ARG_REQUIRED },
    { "nodefaults", ARG_NONE },
    { "nographic", ARG_NONE },
    { "S", ARG_NONE },
    { "version", ARG_NONE },
    { "help", ARG_NONE }, { "h", ARG_NONE },
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
        if (opt->arg == ARG_REQUIRED) {
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
           "-machine TYPE[,prop=value,...]   select the machine (q35, virt)\n"
           "-m SIZE                          guest RAM size (suffixes K, M, G)\n"
           "-object TYPE,id=ID[,prop=value]  create a backend object\n"
           "-device TYPE[,prop=value,...]    add a device ('-device help')\n"
           "-qtest unix:PATH[,server=on]     qtest protocol socket\n"
           "-qtest-log FILE|none             log the qtest protocol\n"
           "-qmp unix:PATH[,server=on,wait=off]  QMP socket\n"
           "-chardev socket,id=ID,path=PATH[,server=on,wait=off]\n"
           "-mon chardev=ID,mode=control     QMP on a chardev\n"
           "-accel qtest                     qtest accelerator\n"
           "-trace [enable=]PATTERN|events=FILE|file=FILE\n"
           "-D FILE                          log file for trace output\n"
           "-display none, -nodefaults, -nographic, -S\n"
           "-version                         print the version and exit\n",
           error_get_progname());
}

static void print_machines(void)
{
    GSList *list = object_class_get_list_sorted(TYPE_MACHINE, false);

    printf("Supported machines are:\n");
    for (GSList *l = list; l; l = l->next) {
        MachineClass *mc = l->data;

        printf("%-20s %s\n", mc->name, mc->desc ? mc->desc : "");
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
            if (!accel || strcmp(accel, "qtest")) {
                error_setg(&err, "invalid accelerator %s", accel ? accel : "");
                fail_at(o, err);
            }
            qtest_set_enabled(true);
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

static void create_machine(void)
{
    const CmdOpt *o = last_opt("machine");
    g_autoptr(QemuOpts) opts = NULL;
    g_autofree char *type = NULL;
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
    mc = type ? machine_find_class(type) : NULL;
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

    /* Accepted for compatibility with QEMU command lines; no effect here. */
    g_free(qemu_opt_take(opts, "accel"));
    g_free(qemu_opt_take(opts, "kernel-irqchip"));
    for (guint i = 0; i < opts->opts->len; i++) {
        const QemuOpt *p = &g_array_index(opts->opts, QemuOpt, i);

        if (!object_property_parse(OBJECT(ms), p->name, p->value, &err)) {
            fail_at(o, err);
        }
    }
    ms->ram_size = parse_ram_size(mc);
    ms->ram = g_new0(MemoryRegion, 1);
    if (!memory_region_init_ram(ms->ram, OBJECT(ms), "ram", ms->ram_size, &err)) {
        fail_at(o, err);
    }
    memory_region_add_subregion(get_system_memory(), mc->ram_base, ms->ram);
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
 * the way libvirt and upstream libqtest spell a QMP socket.
 */
static char *chardev_spec(const char *id)
{
    for (guint i = 0; i < cmd_opts->len; i++) {
        const CmdOpt *o = &g_array_index(cmd_opts, CmdOpt, i);
        g_autoptr(QemuOpts) opts = NULL;
        const char *path;
        const char *server;

        if (strcmp(o->name, "chardev")) {
            continue;
        }
        opts = qemu_opts_parse(o->arg, "backend", NULL);
        if (!opts || g_strcmp0(qemu_opt_get(opts, "id"), id)) {
            continue;
        }
        path = qemu_opt_get(opts, "path");
        server = qemu_opt_get(opts, "server");
        if (g_strcmp0(qemu_opt_get(opts, "backend"), "socket") || !path) {
            return NULL;
        }
        return g_strdup_printf("unix:%s%s", path,
                               server && strcmp(server, "off") ?
                               ",server=on,wait=off" : "");
    }
    return NULL;
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
            g_autofree char *spec = NULL;

            if (!opts) {
                fail_at(o, err);
            }
            spec = chardev_spec(qemu_opt_get(opts, "chardev"));
            if (!spec) {
                error_setg(&err, "chardev \"%s\" not found",
                           qemu_opt_get(opts, "chardev"));
                fail_at(o, err);
            }
            if (g_strcmp0(qemu_opt_get(opts, "mode"), "control")) {
                error_setg(&err, "only mode=control is supported");
                fail_at(o, err);
            }
            if (!monitor_qmp_init(spec, &err)) {
                fail_at(o, err);
            }
        }
    }
}

void qemu_init(int argc, char **argv)
{
    Error *err = NULL;
    MachineClass *mc;

    error_set_progname(argv[0]);
    parse_command_line(argc, argv);
    process_early_options();
    if (qtest_enabled() || last_opt("qtest")) {
        qtest_set_enabled(true);
    }

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
    start_servers();
    loc_clear();
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
        if (dev->id || (OBJECT(dev)->parent && OBJECT(dev)->parent->name &&
                        g_str_has_prefix(OBJECT(dev)->parent->name, "peripheral"))) {
            g_ptr_array_add(devs, dev);
        }
    }
    for (guint i = devs->len; i > 0; i--) {
        qdev_unplug_and_free(g_ptr_array_index(devs, i - 1));
    }
    user_creatable_cleanup();
}
