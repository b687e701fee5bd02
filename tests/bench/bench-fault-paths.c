/*
 * Fault-path benchmarks.  Prints a table and writes JSON; never fails on
 * timing (see docs/devel/benchmarks.md).
 *
 *   bench-fault-paths [--json FILE] [--rounds N] [--runs N] [--items N]
 *                     [--quick] [--check]
 *   bench-fault-paths --case SPEC [--results FILE] [--runs N] ...
 *
 * The floor (the simulator alone, bench-floor.c) runs in this process.
 * Every model case needs a machine of its own, and qemu_init() builds one
 * per process, so each runs in a child: this program re-executes itself
 * (/proc/self/exe) with --case SPEC --results FILE, waits for it and
 * reads its results back from FILE.  A child is a fresh process (no
 * simulator, glib or allocator state left by the floor or by another
 * case), and "--case SPEC" alone runs one case in the foreground, which
 * is what a profiler wants:
 *
 *   perf record -g ./bench-fault-paths --case vtd-roundtrip
 *
 * SPEC: vtd-roundtrip, vtd-pasids=N, vtd-groups=N, vtd-held=N,
 * smmuv3-veventq.
 *
 * --check (the bench-smoke test): after writing the JSON, read it back
 * and fail unless every case is there with non-zero, finite figures.  It
 * never looks at how fast anything was.
 */
#include "bench-common.h"
#include "bench-cases.h"
#include "bench-floor.h"
#include "qtest-inproc.h"
#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

static const unsigned batches[] = { 1, 16, 64, 256 };
static const unsigned pasids_full[] = { 1, 64, 4096, 65536 };
static const unsigned pasids_quick[] = { 1, 64, 512 };
static const unsigned groups_full[] = { 1, 64, 512, 4096 };
static const unsigned groups_quick[] = { 1, 64, 512 };

static unsigned rounds = 3;
static bool callgrind;          /* --callgrind: children under callgrind */
static BenchOpts opts = {
    .runs = 7,
    .items = 1 << 14,
    .bind_limit_s = 60,
};

void bench_fail(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

static void run_floor_faultq(void)
{
    bench_sim_start("intel-vtd", BENCH_BDF);
    bench_floor_faultq_setup(BENCH_BDF, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = (char *)"floor-faultq", .param = param };

        bench_floor_batch = batches[i];
        bench_measure(&r, opts.runs, opts.items, bench_floor_faultq_run, NULL);
        bench_report_add(&r);
    }
    bench_floor_faultq_teardown();
    bench_sim_stop();
}

static void run_floor_veventq(void)
{
    bench_sim_start("arm-smmuv3", BENCH_BDF);
    bench_floor_veventq_setup(BENCH_BDF, 1024);
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = (char *)"floor-veventq", .param = param };
        BenchResult u = {
            .name = (char *)"upstream-veventq", .param = param,
        };

        bench_floor_batch = batches[i];
        bench_measure(&r, opts.runs, opts.items, bench_floor_veventq_run,
                      NULL);
        bench_report_add(&r);
        /* upstream's handler: the same events, one read() per record */
        bench_measure(&u, opts.runs, opts.items,
                      bench_floor_veventq_1rec_run, NULL);
        bench_report_add(&u);
    }
    bench_floor_veventq_teardown();
    bench_sim_stop();
}

/* The physical limit beside the floors: the same bytes through a pipe. */
static void run_pipe(void)
{
    bench_pipe_setup();
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = (char *)"pipe-read", .param = param };
        BenchResult w = { .name = (char *)"pipe-rw", .param = param };

        bench_floor_batch = batches[i];
        bench_measure(&r, opts.runs, opts.items, bench_pipe_read_run, NULL);
        bench_report_add(&r);
        bench_measure(&w, opts.runs, opts.items, bench_pipe_rw_run, NULL);
        bench_report_add(&w);
    }
    bench_pipe_teardown();
}

/*
 * PRQ host side over N PASIDs at batch 64, our design against upstream's
 * (bench-floor.h), and with @held groups left outstanding.
 */
static void run_prq_design(const char *what, unsigned n, unsigned npasids,
                           unsigned held)
{
    for (int upstream = 0; upstream < 2; upstream++) {
        g_autofree char *param = g_strdup_printf("%s=%u", what, n);
        BenchResult r = {
            .name = (char *)(upstream ? "upstream-prq" : "floor-prq"),
            .param = param,
        };

        bench_sim_start("intel-vtd", BENCH_BDF);
        if (!bench_floor_prq_setup(BENCH_BDF, npasids, upstream)) {
            printf("bench: %s %s skipped: %u fds are not allowed here\n",
                   r.name, param, npasids + 64);
            bench_sim_stop();
            continue;
        }
        if (held) {
            bench_floor_prq_hold(held);
        }
        bench_floor_batch = 64;
        bench_measure(&r, opts.runs, opts.items, bench_floor_prq_run, NULL);
        bench_report_add(&r);
        bench_floor_prq_teardown();
        bench_sim_stop();
    }
}

/* In the child: one case, results into the report. */
static void run_case(const char *spec)
{
    static const QTestInprocHooks vmm_hooks = {
        .enter = bench_vmm_enter, .leave = bench_vmm_leave,
    };
    g_autofree char *what = NULL;
    const char *eq = strchr(spec, '=');
    uint32_t n = 0;

    qtest_inproc_set_hooks(&vmm_hooks);
    if (!strcmp(spec, "smmuv3-veventq")) {
        bench_smmuv3_run(&opts);
        return;
    }
    if (!g_str_has_prefix(spec, "vtd-")) {
        bench_fail("unknown case %s", spec);
    }
    what = g_strndup(spec + 4, eq ? (size_t)(eq - spec - 4) : strlen(spec));
    if (eq) {
        n = strtoul(eq + 1, NULL, 0);
        if (!n) {
            bench_fail("bad count in %s", spec);
        }
    }
    bench_vtd_run(&opts, what, n);
}

/* In the parent: run @spec in a child and merge its results. */
static void spawn_case(const char *argv0, const char *spec)
{
    g_autofree char *dir = g_dir_make_tmp("viommu-bench-case-XXXXXX", NULL);
    g_autofree char *results = g_build_filename(dir, "results.json", NULL);
    g_autofree char *cg_out = g_build_filename(dir, "callgrind.out", NULL);
    g_autofree char *cg_file = g_strdup_printf("--callgrind-out-file=%s",
                                               cg_out);
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *runs = g_strdup_printf("%u", opts.runs);
    g_autofree char *items = g_strdup_printf("%" PRIu64, opts.items);
    g_autofree char *limit = g_strdup_printf("%u", opts.bind_limit_s);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_auto(GStrv) envp = g_get_environ();
    g_autoptr(GError) err = NULL;
    int64_t t0 = bench_now_ns();
    int status;

    if (callgrind) {
        /*
         * Only the model's work is collected (bench_vmm_enter()); the
         * cache simulation gives the L1 misses.
         */
        g_ptr_array_add(argv, (char *)"valgrind");
        g_ptr_array_add(argv, (char *)"-q");
        g_ptr_array_add(argv, (char *)"--tool=callgrind");
        g_ptr_array_add(argv, (char *)"--collect-atstart=no");
        g_ptr_array_add(argv, (char *)"--cache-sim=yes");
        g_ptr_array_add(argv, cg_file);
        envp = g_environ_setenv(envp, "BENCH_CALLGRIND_OUT", cg_out, TRUE);
    }
    g_ptr_array_add(argv, self ? self : (char *)"/proc/self/exe");
    g_ptr_array_add(argv, (char *)"--case");
    g_ptr_array_add(argv, (char *)spec);
    g_ptr_array_add(argv, (char *)"--results");
    g_ptr_array_add(argv, results);
    g_ptr_array_add(argv, (char *)"--runs");
    g_ptr_array_add(argv, runs);
    g_ptr_array_add(argv, (char *)"--items");
    g_ptr_array_add(argv, items);
    g_ptr_array_add(argv, (char *)"--bind-limit");
    g_ptr_array_add(argv, limit);
    g_ptr_array_add(argv, NULL);

    fflush(stdout);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, envp,
                      G_SPAWN_CHILD_INHERITS_STDIN | G_SPAWN_SEARCH_PATH,
                      NULL, NULL, NULL, NULL, &status, &err)) {
        bench_fail("cannot run %s for %s: %s", argv0, spec, err->message);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        bench_fail("case %s failed (wait status 0x%x)", spec, status);
    }
    if (!bench_report_load_json(results, &err)) {
        bench_fail("case %s: %s", spec, err->message);
    }
    printf("bench: %-18s done in %.1f s\n", spec,
           (bench_now_ns() - t0) / 1e9);
    g_unlink(results);
    g_unlink(cg_out);
    g_rmdir(dir);
}

/* @r's base of the same round. */
static BenchResult *base_of(const BenchResult *r, const char *name,
                            const char *param)
{
    return bench_report_find_nth(name, param, bench_report_round_of(r));
}

/*
 * Floor vs pipe, model vs floor at the same batch, upstream's design vs
 * ours, scaling vs the smallest case: each round against its own base
 * (run in the same round, minutes apart at most); the collapse keeps the
 * median of those paired ratios.
 */
static void compute_ratios(void)
{
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);
        const char *bname = NULL, *bparam = r->param;

        if (!strcmp(r->name, "floor-faultq")) {
            bname = "pipe-rw";
        } else if (!strcmp(r->name, "floor-veventq")) {
            bname = "pipe-read";
        } else if (!strcmp(r->name, "upstream-veventq")) {
            bname = "floor-veventq";
        } else if (!strcmp(r->name, "upstream-prq")) {
            bname = "floor-prq";
        } else if (!strcmp(r->name, "floor-prq")) {
            bname = "floor-prq";
            bparam = g_str_has_prefix(r->param, "held") ? "held=1" :
                     "pasids=1";
        } else if (!strcmp(r->name, "prq-roundtrip")) {
            bname = "floor-faultq";
        } else if (!strcmp(r->name, "veventq-drain")) {
            bname = "floor-veventq";
        } else if (!strcmp(r->name, "prq-pasids")) {
            bname = "prq-pasids";
            bparam = "pasids=1";
        } else if (!strcmp(r->name, "prq-groups")) {
            bname = "prq-groups";
            bparam = "groups=1";
        } else if (!strcmp(r->name, "prq-held")) {
            bname = "prq-held";
            bparam = "held=1";
        }
        if (bname) {
            bench_set_ratio(r, base_of(r, bname, bparam));
        }
    }
}

/*
 * The design targets (docs/devel/benchmarks.md), printed against what
 * was measured.  Never asserted: a shared machine decides the time.
 */
static void target(const char *what, bool measured, bool holds,
                   const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void target(const char *what, bool measured, bool holds,
                   const char *fmt, ...)
{
    g_autofree char *fig = NULL;
    va_list ap;

    va_start(ap, fmt);
    fig = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    printf("  %-52s %-34s %s\n", what, fig,
           !measured ? "(not measured)" : holds ? "holds" : "MISSED");
}

/* "L1 misses per item Z vs A", or how to get them. */
static const char *l1_pair(const BenchResult *z, const BenchResult *a)
{
    static char buf[64];

    if (z->l1_miss_per_item <= 0 || a->l1_miss_per_item <= 0) {
        return "L1 misses: run with --callgrind";
    }
    snprintf(buf, sizeof(buf), "L1 misses/item %.2f vs %.2f",
             z->l1_miss_per_item, a->l1_miss_per_item);
    return buf;
}

static void print_targets(void)
{
    static const char *const b16[] = { "batch=16", "batch=64", "batch=256" };
    double vev_rate = INFINITY, vev_ratio = 0, vtd_rate = INFINITY;
    double vtd_ratio = 0, vev_wall = INFINITY, vtd_wall = INFINITY;
    bool vev = false, vtd = false;
    BenchResult *r, *a, *z;

    printf("\nTargets (rates on one core: 1e9 / CPU ns per item, wall "
           "clock beside; ratios on CPU time%s; never asserted):\n",
           callgrind ? " -- time figures meaningless under --callgrind, "
           "scaling ratios in instructions" : "");
    for (size_t i = 0; i < G_N_ELEMENTS(b16); i++) {
        if ((r = bench_report_find("veventq-drain", b16[i]))) {
            vev = true;
            vev_rate = MIN(vev_rate, 1e9 / r->cpu_ns_per_item);
            vev_wall = MIN(vev_wall, r->items_per_sec);
            vev_ratio = MAX(vev_ratio, r->ratio);
        }
        if ((r = bench_report_find("prq-roundtrip", b16[i]))) {
            vtd = true;
            vtd_rate = MIN(vtd_rate, 1e9 / r->cpu_ns_per_item);
            vtd_wall = MIN(vtd_wall, r->items_per_sec);
            vtd_ratio = MAX(vtd_ratio, r->ratio);
        }
    }
    /* under callgrind the models' times are valgrind's, not theirs */
    vev &= !callgrind;
    vtd &= !callgrind;
    target("vEVENTQ drain >= 2 M events/s at batch >= 16", vev,
           vev_rate >= 2e6, "slowest %.2f M/s (wall %.2f)", vev_rate / 1e6,
           vev_wall / 1e6);
    target("vEVENTQ drain <= 1.5x the floor at batch >= 16", vev,
           vev_ratio <= 1.5, "worst %.2fx", vev_ratio);
    target("VT-d round trip >= 1 M faults/s at batch >= 16", vtd,
           vtd_rate >= 1e6, "slowest %.2f M/s (wall %.2f)", vtd_rate / 1e6,
           vtd_wall / 1e6);
    target("VT-d round trip <= 1.5x the floor at batch >= 16", vtd,
           vtd_ratio <= 1.5, "worst %.2fx", vtd_ratio);
    r = bench_report_find("prq-roundtrip", "batch=64");
    target("VT-d model instructions per fault at batch 64 <= 500",
           r && r->instr_per_item > 0, r && r->instr_per_item <= 500,
           "%.0f", r ? r->instr_per_item : 0);
    r = bench_report_find("veventq-drain", "batch=64");
    target("vEVENTQ model instructions per event at batch 64 <= 400",
           r && r->instr_per_item > 0, r && r->instr_per_item <= 400,
           "%.0f", r ? r->instr_per_item : 0);
    a = bench_report_find("prq-pasids", "pasids=1");
    z = NULL;
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *x = bench_report_nth(i);

        if (!strcmp(x->name, "prq-pasids")) {
            z = x;      /* the last one added: the largest */
        }
    }
    if (a && z) {
        g_autofree char *what = g_strdup_printf(
            "%s vs 1 PASIDs <= 1.1x (paired rounds)", z->param + 7);

        target(what, true, z->ratio <= 1.1, "%.2fx, %s", z->ratio,
               l1_pair(z, a));
    }
    a = bench_report_find("prq-held", "held=1");
    z = NULL;
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *x = bench_report_nth(i);

        if (!strcmp(x->name, "prq-held")) {
            z = x;
        }
    }
    if (a && z) {
        g_autofree char *what = g_strdup_printf(
            "%s vs 1 outstanding groups <= 1.1x", z->param + 5);

        target(what, true, z->ratio <= 1.1, "%.2fx, %s", z->ratio,
               l1_pair(z, a));
    }
}

/* --check: the JSON is valid and every figure is there and sane. */
static bool check_json(const char *path, unsigned expect)
{
    static const char *const needed[] = {
        "floor-faultq", "floor-veventq", "prq-roundtrip", "prq-pasids",
        "prq-groups", "prq-held", "pasid-bind", "veventq-drain",
        "pipe-read", "pipe-rw", "upstream-veventq", "floor-prq",
        "upstream-prq", "cmdq-cfgi-ste",
    };
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) err = NULL;
    JsonArray *arr;
    bool ok = true;

    if (!json_parser_load_from_file(p, path, &err)) {
        fprintf(stderr, "check: %s: %s\n", path, err->message);
        return false;
    }
    if (!JSON_NODE_HOLDS_ARRAY(json_parser_get_root(p))) {
        fprintf(stderr, "check: %s is not an array\n", path);
        return false;
    }
    arr = json_node_get_array(json_parser_get_root(p));
    if (json_array_get_length(arr) != expect) {
        fprintf(stderr, "check: %u results in %s, %u expected\n",
                json_array_get_length(arr), path, expect);
        ok = false;
    }
    for (size_t k = 0; k < G_N_ELEMENTS(needed); k++) {
        bool seen = false;

        for (guint i = 0; i < json_array_get_length(arr); i++) {
            JsonObject *o = json_array_get_object_element(arr, i);
            const char *name = json_object_get_string_member_with_default(
                o, "name", "");
            double ns = json_object_get_double_member_with_default(
                o, "ns_per_item", 0);
            double cpu = json_object_get_double_member_with_default(
                o, "cpu_ns_per_item", 0);
            double ips = json_object_get_double_member_with_default(
                o, "items_per_sec", 0);
            double reads = json_object_get_double_member_with_default(
                o, "reads_per_item", -1);
            double allocs = json_object_get_double_member_with_default(
                o, "allocs_per_item", -1);

            if (strcmp(name, needed[k])) {
                continue;
            }
            seen = true;
            if (!(isfinite(ns) && ns > 0 && isfinite(ips) && ips > 0 &&
                  isfinite(cpu) && cpu > 0 &&
                  allocs >= 0 &&
                  (!strcmp(name, "pasid-bind") ||
                   !strcmp(name, "cmdq-cfgi-ste") || reads > 0))) {
                fprintf(stderr, "check: %s %s: implausible figures\n", name,
                        json_object_get_string_member_with_default(
                            o, "case", "?"));
                ok = false;
            }
        }
        if (!seen) {
            fprintf(stderr, "check: no %s result\n", needed[k]);
            ok = false;
        }
    }
    return ok;
}

static void run_round(const char *argv0, const unsigned *pasids,
                      size_t npasids, const unsigned *groups, size_t ngroups);

static G_GNUC_NORETURN void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s [--json FILE] [--rounds N] [--runs N] [--items N] "
            "[--quick] [--check]\n"
            "       %s --case SPEC [--results FILE] [--runs N] [--items N]\n"
            "SPEC: vtd-roundtrip, vtd-pasids=N, vtd-groups=N, vtd-held=N, "
            "smmuv3-veventq\n", argv0, argv0);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *json = NULL, *spec = NULL, *results = NULL;
    const unsigned *pasids = pasids_full, *groups = groups_full;
    size_t npasids = G_N_ELEMENTS(pasids_full);
    size_t ngroups = G_N_ELEMENTS(groups_full);
    bool check = false, runs_set = false, items_set = false;
    bool rounds_set = false;
    int64_t t0 = bench_now_ns();

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(arg, "--quick")) {
            opts.quick = true;
            opts.runs = 3;
            opts.items = 1 << 10;
            opts.bind_limit_s = 10;
            rounds = 1;
        } else if (!strcmp(arg, "--check")) {
            check = true;
        } else if (!strcmp(arg, "--callgrind")) {
            callgrind = true;
        } else if (!val) {
            usage(argv[0]);
        } else if (!strcmp(arg, "--json")) {
            json = argv[++i];
        } else if (!strcmp(arg, "--case")) {
            spec = argv[++i];
        } else if (!strcmp(arg, "--results")) {
            results = argv[++i];
        } else if (!strcmp(arg, "--runs")) {
            opts.runs = MAX(atoi(val), 1);
            runs_set = true;
            i++;
        } else if (!strcmp(arg, "--items")) {
            opts.items = MAX(g_ascii_strtoull(val, NULL, 0), 1);
            items_set = true;
            i++;
        } else if (!strcmp(arg, "--rounds")) {
            rounds = MAX(atoi(val), 1);
            rounds_set = true;
            i++;
        } else if (!strcmp(arg, "--bind-limit")) {
            opts.bind_limit_s = MAX(atoi(val), 1);
            i++;
        } else {
            usage(argv[0]);
        }
    }

    if (callgrind) {
        /* Instruction counts do not vary: one run of fewer items will do. */
        opts.runs = runs_set ? opts.runs : 1;
        opts.items = items_set ? opts.items : 4096;
        rounds = rounds_set ? rounds : 1;
    }
    if (spec) {
        /* A child (or a profiling run): one case, one machine. */
        run_case(spec);
        if (results) {
            if (!bench_report_write_json(results)) {
                bench_fail("cannot write %s", results);
            }
        } else {
            bench_report_print(stdout, spec);
        }
        fflush(stdout);
        /* No qemu_cleanup(): the simulated host goes with the process. */
        _exit(0);
    }

    if (opts.quick) {
        pasids = pasids_quick;
        npasids = G_N_ELEMENTS(pasids_quick);
        groups = groups_quick;
        ngroups = G_N_ELEMENTS(groups_quick);
    }
    for (unsigned round = 0; round < rounds; round++) {
        run_round(argv[0], pasids, npasids, groups, ngroups);
    }
    compute_ratios();
    bench_report_collapse_rounds();

    bench_report_print(stdout, "Fault paths: median ns per item (fault or "
                       "event); read()/write() calls, VMM and host heap "
                       "allocations per item");
    printf("(%u rounds of %u runs of %" PRIu64 " items per case; each "
           "figure is the median run of the median round; ratios on CPU "
           "time; %s build%s; %.1f s in all)\n", rounds, opts.runs,
           opts.items, BENCH_BUILDTYPE,
           callgrind ? ", models under callgrind: their times are not "
           "comparable" : "", (bench_now_ns() - t0) / 1e9);
    if (strcmp(BENCH_BUILDTYPE, "release")) {
        printf("bench: note: not a release build; the recorded figures are "
               "from meson setup -Dbuildtype=release\n");
    }
    print_targets();
    if (json && !bench_report_write_json(json)) {
        fprintf(stderr, "bench: cannot write %s\n", json);
        return 1;
    }
    if (check) {
        if (!json) {
            fprintf(stderr, "bench: --check needs --json FILE\n");
            return 2;
        }
        if (!check_json(json, bench_report_count())) {
            return 1;
        }
        printf("check: %s holds %u sane results\n", json,
               bench_report_count());
    }
    return 0;
}

/*
 * One round: the floors, then every model case in a child.  Rounds
 * spread each case over the whole run, so that a slow spell of the
 * machine does not land on one case only.
 */
static void run_round(const char *argv0, const unsigned *pasids,
                      size_t npasids, const unsigned *groups, size_t ngroups)
{
    run_pipe();
    run_floor_faultq();
    run_floor_veventq();
    for (size_t i = 0; i < npasids; i++) {
        run_prq_design("pasids", pasids[i], pasids[i], 0);
    }
    run_prq_design("held", 1, 64, 1);
    run_prq_design("held", groups[ngroups - 1], 64, groups[ngroups - 1]);
    spawn_case(argv0, "vtd-roundtrip");
    for (size_t i = 0; i < npasids; i++) {
        g_autofree char *s = g_strdup_printf("vtd-pasids=%u", pasids[i]);

        spawn_case(argv0, s);
    }
    for (size_t i = 0; i < ngroups; i++) {
        g_autofree char *s = g_strdup_printf("vtd-groups=%u", groups[i]);

        spawn_case(argv0, s);
    }
    for (size_t i = 0; i < ngroups; i++) {
        g_autofree char *s = g_strdup_printf("vtd-held=%u", groups[i]);

        spawn_case(argv0, s);
    }
    spawn_case(argv0, "smmuv3-veventq");
}
