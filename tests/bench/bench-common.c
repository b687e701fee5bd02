/*
 * Benchmark helpers (see bench-common.h).
 *
 * Allocations are counted by wrapping malloc/calloc/realloc in this
 * executable (glib allocates through them), and read()/write() calls by
 * wrapping those; both forward to the next definition, which is the
 * simulator's when it is linked in, then libc's.  A thread-local depth
 * tells whether the simulated host is running, so that its allocations
 * are counted apart from the VMM's.
 */
#include "bench-common.h"
#include <glib/gstdio.h>
#include <dlfcn.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_VALGRIND_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_TOGGLE_COLLECT do { } while (0)
#define CALLGRIND_ZERO_STATS do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(s) do { (void)(s); } while (0)
#endif

static BenchCounters counters;
static __thread unsigned host_depth;
static __thread int64_t host_t0;
static GArray *results;         /* of BenchResult */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static inline void count_alloc(void)
{
    __atomic_add_fetch(host_depth ? &counters.host_allocs : &counters.allocs,
                       1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
    count_alloc();
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    count_alloc();
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    count_alloc();
    return __libc_realloc(p, size);
}

static void host_enter(bool timed);
static void host_leave(void);

/* ---- callgrind: count the VMM's instructions only ---- */

static int cg_state = -1;       /* -1 unknown, 0 off, 1 active */
static bool cg_collecting;      /* the state callgrind is toggled to */
static unsigned cg_dumps;       /* dumps written so far: file suffixes */
static __thread bool host_was_collecting;

bool bench_callgrind_active(void)
{
    if (cg_state < 0) {
        cg_state = RUNNING_ON_VALGRIND && getenv("BENCH_CALLGRIND_OUT");
    }
    return cg_state;
}

static inline void cg_collect(bool on)
{
    if (on != cg_collecting && bench_callgrind_active()) {
        CALLGRIND_TOGGLE_COLLECT;
        cg_collecting = on;
    }
}

bool bench_vmm_enter(void)
{
    bool was = cg_collecting;

    cg_collect(true);
    return was;
}

void bench_vmm_leave(bool was)
{
    cg_collect(was);
}

/*
 * Read the summary of dump @n: Ir, and I1mr + D1mr + D1mw when the cache
 * was simulated.  False if the file is not there or not readable.
 */
static bool cg_read_dump(unsigned n, double *ir, double *l1)
{
    g_autofree char *path = g_strdup_printf("%s.%u",
                                            getenv("BENCH_CALLGRIND_OUT"), n);
    g_autofree char *text = NULL;
    g_auto(GStrv) events = NULL;
    g_auto(GStrv) lines = NULL;
    const char *totals = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "events: ")) {
            g_strfreev(events);
            events = g_strsplit(*l + 8, " ", -1);
        } else if (g_str_has_prefix(*l, "summary: ")) {
            /*
             * What the period cost.  Not "totals:", the sum of the cost
             * lines: after a zero, calls still open at that moment are
             * charged again there (up to 10% more, varying by case).
             */
            totals = *l + 9;
        }
    }
    if (!events || !totals) {
        return false;
    }
    {
        g_auto(GStrv) v = g_strsplit(totals, " ", -1);

        *ir = *l1 = 0;
        for (unsigned i = 0; events[i] && v[i]; i++) {
            double x = g_ascii_strtod(v[i], NULL);

            if (!strcmp(events[i], "Ir")) {
                *ir = x;
            } else if (!strcmp(events[i], "I1mr") ||
                       !strcmp(events[i], "D1mr") ||
                       !strcmp(events[i], "D1mw")) {
                *l1 += x;
            }
        }
    }
    if (!getenv("BENCH_CALLGRIND_KEEP")) {
        g_unlink(path);     /* kept for callgrind_annotate when asked */
    }
    return true;
}

ssize_t read(int fd, void *buf, size_t count)
{
    static ssize_t (*next_read)(int, void *, size_t);
    ssize_t ret;

    if (!next_read) {
        next_read = dlsym(RTLD_NEXT, "read");
    }
    __atomic_add_fetch(&counters.reads, 1, __ATOMIC_RELAXED);
    host_enter(false);
    ret = next_read(fd, buf, count);
    host_leave();
    return ret;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    static ssize_t (*next_write)(int, const void *, size_t);
    ssize_t ret;

    if (!next_write) {
        next_write = dlsym(RTLD_NEXT, "write");
    }
    __atomic_add_fetch(&counters.writes, 1, __ATOMIC_RELAXED);
    host_enter(false);
    ret = next_write(fd, buf, count);
    host_leave();
    return ret;
}

static __thread bool host_timed;

/* Entering the simulated host; @timed: count it as trigger time. */
static void host_enter(bool timed)
{
    if (!host_depth++) {
        host_was_collecting = cg_collecting;
        cg_collect(false);
        host_timed = timed;
        if (timed) {
            host_t0 = bench_now_ns();
        }
    }
}

static void host_leave(void)
{
    if (!--host_depth) {
        if (host_timed) {
            counters.trigger_ns += bench_now_ns() - host_t0;
        }
        cg_collect(host_was_collecting);
    }
}

void bench_host_enter(void)
{
    host_enter(true);
}

void bench_host_leave(void)
{
    host_leave();
}

void bench_counters_get(BenchCounters *c)
{
    c->allocs = __atomic_load_n(&counters.allocs, __ATOMIC_RELAXED);
    c->host_allocs = __atomic_load_n(&counters.host_allocs, __ATOMIC_RELAXED);
    c->reads = __atomic_load_n(&counters.reads, __ATOMIC_RELAXED);
    c->writes = __atomic_load_n(&counters.writes, __ATOMIC_RELAXED);
    c->trigger_ns = counters.trigger_ns;
}

int64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t bench_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct Run {
    double ns_per_item;
    double cpu_ns_per_item;
    double trigger_ns_per_item;
    BenchCounters delta;
} Run;

static int run_cmp(const void *a, const void *b)
{
    double x = ((const Run *)a)->ns_per_item, y = ((const Run *)b)->ns_per_item;

    return x < y ? -1 : x > y;
}

/* Open fds of this process: constant in the number of PASIDs, or not. */
static unsigned count_fds(void)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    unsigned n = 0;

    if (!d) {
        return 0;
    }
    while (g_dir_read_name(d)) {
        n++;
    }
    g_dir_close(d);
    return n - 1;               /* not the one reading the directory */
}

void bench_measure(BenchResult *res, unsigned runs, uint64_t items,
                   void (*fn)(void *opaque, uint64_t items), void *opaque)
{
    g_autofree Run *r = g_new0(Run, runs);
    const Run *median;

    fn(opaque, items);          /* warm-up: pools and tables reach size */
    if (bench_callgrind_active()) {
        CALLGRIND_ZERO_STATS;
    }
    for (unsigned i = 0; i < runs; i++) {
        BenchCounters before, after;
        int64_t t0, t1, c0, c1;

        bench_counters_get(&before);
        c0 = bench_cpu_ns();
        t0 = bench_now_ns();
        fn(opaque, items);
        t1 = bench_now_ns();
        c1 = bench_cpu_ns();
        bench_counters_get(&after);
        r[i].ns_per_item = (double)(t1 - t0) / items;
        r[i].cpu_ns_per_item = (double)(c1 - c0) / items;
        r[i].trigger_ns_per_item =
            (double)(after.trigger_ns - before.trigger_ns) / items;
        r[i].delta.allocs = after.allocs - before.allocs;
        r[i].delta.host_allocs = after.host_allocs - before.host_allocs;
        r[i].delta.reads = after.reads - before.reads;
        r[i].delta.writes = after.writes - before.writes;
    }
    if (bench_callgrind_active()) {
        g_autofree char *label = g_strdup_printf("bench %s %s", res->name,
                                                 res->param);
        double ir, l1;

        CALLGRIND_DUMP_STATS_AT(label);
        if (cg_read_dump(++cg_dumps, &ir, &l1)) {
            res->instr_per_item = ir / ((double)items * runs);
            res->l1_miss_per_item = l1 / ((double)items * runs);
        }
    }
    res->fds = count_fds();
    qsort(r, runs, sizeof(*r), run_cmp);
    median = &r[runs / 2];
    res->ns_per_item = median->ns_per_item;
    res->cpu_ns_per_item = median->cpu_ns_per_item;
    res->trigger_ns_per_item = median->trigger_ns_per_item;
    res->items_per_sec = 1e9 / median->ns_per_item;
    res->allocs_per_item = (double)median->delta.allocs / items;
    res->host_allocs_per_item = (double)median->delta.host_allocs / items;
    res->reads_per_item = (double)median->delta.reads / items;
    res->writes_per_item = (double)median->delta.writes / items;
}

void bench_report_add(const BenchResult *res)
{
    BenchResult copy = *res;

    if (!results) {
        results = g_array_new(FALSE, TRUE, sizeof(BenchResult));
    }
    copy.name = g_strdup(res->name);
    copy.param = g_strdup(res->param);
    copy.ratio_to = g_strdup(res->ratio_to);
    g_array_append_val(results, copy);
}

unsigned bench_report_count(void)
{
    return results ? results->len : 0;
}

BenchResult *bench_report_nth(unsigned i)
{
    return i < bench_report_count() ?
           &g_array_index(results, BenchResult, i) : NULL;
}

BenchResult *bench_report_find(const char *name, const char *param)
{
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);

        if (!strcmp(r->name, name) && !strcmp(r->param, param)) {
            return r;
        }
    }
    return NULL;
}

BenchResult *bench_report_find_nth(const char *name, const char *param,
                                   unsigned k)
{
    BenchResult *last = NULL;

    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);

        if (!strcmp(r->name, name) && !strcmp(r->param, param)) {
            last = r;
            if (!k--) {
                return r;
            }
        }
    }
    return last;
}

unsigned bench_report_round_of(const BenchResult *res)
{
    unsigned k = 0;

    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);

        if (r == res) {
            return k;
        }
        if (!strcmp(r->name, res->name) && !strcmp(r->param, res->param)) {
            k++;
        }
    }
    return k;
}

static int ratio_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int cpu_cmp(const void *a, const void *b)
{
    double x = (*(BenchResult *const *)a)->cpu_ns_per_item;
    double y = (*(BenchResult *const *)b)->cpu_ns_per_item;

    return x < y ? -1 : x > y;
}

void bench_report_collapse_rounds(void)
{
    GArray *old = results;
    g_autoptr(GPtrArray) same = g_ptr_array_new();
    g_autofree bool *done = NULL;

    if (!old) {
        return;
    }
    results = NULL;
    done = g_new0(bool, old->len);
    for (guint i = 0; i < old->len; i++) {
        BenchResult *r = &g_array_index(old, BenchResult, i);

        if (done[i]) {
            continue;
        }
        g_ptr_array_set_size(same, 0);
        for (guint j = i; j < old->len; j++) {
            BenchResult *o = &g_array_index(old, BenchResult, j);

            if (!done[j] && !strcmp(o->name, r->name) &&
                !strcmp(o->param, r->param)) {
                g_ptr_array_add(same, o);
                done[j] = true;
            }
        }
        qsort(same->pdata, same->len, sizeof(gpointer), cpu_cmp);
        {
            /*
             * The ratio kept is the median of the rounds' own ratios,
             * each taken against its base of the same round.
             */
            BenchResult keep = *(BenchResult *)g_ptr_array_index(
                same, same->len / 2);
            g_autofree double *ratios = g_new(double, same->len);
            unsigned n = 0;

            for (guint j = 0; j < same->len; j++) {
                BenchResult *o = g_ptr_array_index(same, j);

                if (o->ratio > 0 && keep.ratio_to &&
                    !g_strcmp0(o->ratio_to, keep.ratio_to)) {
                    ratios[n++] = o->ratio;
                }
            }
            if (n) {
                qsort(ratios, n, sizeof(double), ratio_cmp);
                keep.ratio = ratios[n / 2];
            }
            bench_report_add(&keep);
        }
    }
    for (guint i = 0; i < old->len; i++) {
        BenchResult *r = &g_array_index(old, BenchResult, i);

        g_free(r->name);
        g_free(r->param);
        g_free(r->ratio_to);
    }
    g_array_unref(old);
}

void bench_set_ratio(BenchResult *res, const BenchResult *base)
{
    g_free(res->ratio_to);
    res->ratio_to = NULL;
    res->ratio = 0;
    if (!base) {
        return;
    }
    if (res->instr_per_item > 0 && base->instr_per_item > 0) {
        /* both counted by callgrind: instructions, which do not vary */
        res->ratio = res->instr_per_item / base->instr_per_item;
    } else if ((res->instr_per_item > 0) != (base->instr_per_item > 0)) {
        return;     /* one ran under callgrind: their times do not compare */
    } else if (base->cpu_ns_per_item > 0 && res->cpu_ns_per_item > 0) {
        /* CPU time: other load on the machine does not count */
        res->ratio = res->cpu_ns_per_item / base->cpu_ns_per_item;
    } else if (base->ns_per_item > 0) {
        res->ratio = res->ns_per_item / base->ns_per_item;
    } else {
        return;
    }
    res->ratio_to = g_strdup_printf("%s %s", base->name, base->param);
}

void bench_report_print(FILE *out, const char *title)
{
    bool cg = false;

    for (unsigned i = 0; i < bench_report_count(); i++) {
        cg |= bench_report_nth(i)->instr_per_item > 0;
    }
    fprintf(out, "\n%s\n", title);
    fprintf(out, "%-18s %-12s %7s %7s %7s %8s %6s %6s %6s %5s %5s",
            "benchmark", "case", "ns", "cpu-ns", "trig-ns", "items/s",
            "reads", "writes", "allocs", "h-all", "fds");
    if (cg) {
        fprintf(out, " %6s %6s", "instr", "L1miss");
    }
    fprintf(out, " %6s  %s\n", "ratio", "ratio to");
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);
        g_autofree char *ratio = r->ratio > 0 ?
            g_strdup_printf("%.2fx", r->ratio) : g_strdup("-");

        fprintf(out, "%-18s %-12s %7.0f %7.0f %7.0f %8.0f %6.3f %6.3f %6.3f "
                "%5.2f %5u", r->name, r->param, r->ns_per_item,
                r->cpu_ns_per_item, r->trigger_ns_per_item, r->items_per_sec,
                r->reads_per_item, r->writes_per_item, r->allocs_per_item,
                r->host_allocs_per_item, r->fds);
        if (cg && r->instr_per_item > 0) {
            fprintf(out, " %6.0f %6.2f", r->instr_per_item,
                    r->l1_miss_per_item);
        } else if (cg) {
            fprintf(out, " %6s %6s", "-", "-");
        }
        fprintf(out, " %6s  %s\n", ratio, r->ratio_to ? r->ratio_to : "");
    }
}

bool bench_report_write_json(const char *path)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autoptr(JsonNode) root = NULL;

    json_builder_begin_array(b);
    for (unsigned i = 0; i < bench_report_count(); i++) {
        BenchResult *r = bench_report_nth(i);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, r->name);
        json_builder_set_member_name(b, "case");
        json_builder_add_string_value(b, r->param);
        json_builder_set_member_name(b, "ns_per_item");
        json_builder_add_double_value(b, r->ns_per_item);
        json_builder_set_member_name(b, "cpu_ns_per_item");
        json_builder_add_double_value(b, r->cpu_ns_per_item);
        json_builder_set_member_name(b, "trigger_ns_per_item");
        json_builder_add_double_value(b, r->trigger_ns_per_item);
        json_builder_set_member_name(b, "items_per_sec");
        json_builder_add_double_value(b, r->items_per_sec);
        json_builder_set_member_name(b, "reads_per_item");
        json_builder_add_double_value(b, r->reads_per_item);
        json_builder_set_member_name(b, "writes_per_item");
        json_builder_add_double_value(b, r->writes_per_item);
        json_builder_set_member_name(b, "allocs_per_item");
        json_builder_add_double_value(b, r->allocs_per_item);
        json_builder_set_member_name(b, "host_allocs_per_item");
        json_builder_add_double_value(b, r->host_allocs_per_item);
        json_builder_set_member_name(b, "fds");
        json_builder_add_int_value(b, r->fds);
        json_builder_set_member_name(b, "instr_per_item");
        json_builder_add_double_value(b, r->instr_per_item);
        json_builder_set_member_name(b, "l1_miss_per_item");
        json_builder_add_double_value(b, r->l1_miss_per_item);
        json_builder_set_member_name(b, "ratio");
        json_builder_add_double_value(b, r->ratio);
        json_builder_set_member_name(b, "ratio_to");
        if (r->ratio_to) {
            json_builder_add_string_value(b, r->ratio_to);
        } else {
            json_builder_add_null_value(b);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    return json_generator_to_file(gen, path, NULL);
}

static double member_double(JsonObject *o, const char *name, bool *ok)
{
    JsonNode *n = json_object_get_member(o, name);

    if (!n || json_node_get_value_type(n) != G_TYPE_DOUBLE) {
        if (n && json_node_get_value_type(n) == G_TYPE_INT64) {
            return json_node_get_int(n);
        }
        *ok = false;
        return 0;
    }
    return json_node_get_double(n);
}

bool bench_report_load_json(const char *path, GError **errp)
{
    g_autoptr(JsonParser) p = json_parser_new();
    JsonArray *arr;

    if (!json_parser_load_from_file(p, path, errp)) {
        return false;
    }
    if (!JSON_NODE_HOLDS_ARRAY(json_parser_get_root(p))) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: not a JSON array", path);
        return false;
    }
    arr = json_node_get_array(json_parser_get_root(p));
    for (guint i = 0; i < json_array_get_length(arr); i++) {
        JsonNode *n = json_array_get_element(arr, i);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ?
                        json_node_get_object(n) : NULL;
        const char *name = o ? json_object_get_string_member_with_default(
                                   o, "name", NULL) : NULL;
        const char *param = o ? json_object_get_string_member_with_default(
                                    o, "case", NULL) : NULL;
        bool ok = name && param;
        BenchResult r = {
            .name = (char *)name,
            .param = (char *)param,
        };

        if (ok) {
            r.ns_per_item = member_double(o, "ns_per_item", &ok);
            r.cpu_ns_per_item = member_double(o, "cpu_ns_per_item", &ok);
            r.trigger_ns_per_item = member_double(o, "trigger_ns_per_item",
                                                  &ok);
            r.items_per_sec = member_double(o, "items_per_sec", &ok);
            r.reads_per_item = member_double(o, "reads_per_item", &ok);
            r.writes_per_item = member_double(o, "writes_per_item", &ok);
            r.allocs_per_item = member_double(o, "allocs_per_item", &ok);
            r.host_allocs_per_item = member_double(o, "host_allocs_per_item",
                                                   &ok);
            /* absent from files of older versions: 0, "not counted" */
            r.instr_per_item = json_object_get_double_member_with_default(
                o, "instr_per_item", 0);
            r.l1_miss_per_item = json_object_get_double_member_with_default(
                o, "l1_miss_per_item", 0);
            r.fds = json_object_get_int_member_with_default(o, "fds", 0);
        }
        if (!ok) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: element %u is not a benchmark result", path, i);
            return false;
        }
        bench_report_add(&r);
    }
    return true;
}
