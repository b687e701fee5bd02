/*
 * Benchmark helpers (see bench-common.h).
 *
 * Allocations are counted by wrapping malloc/calloc/realloc in this
 * executable (glib allocates through them), and read()/write() calls by
 * wrapping those; both forward to the next definition, which is the
 * simulator's when it is linked in, then libc's.
 */
#include "bench-common.h"
#include <dlfcn.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static BenchCounters counters;
static GArray *results;         /* of BenchResult */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

void *malloc(size_t size)
{
    __atomic_add_fetch(&counters.allocs, 1, __ATOMIC_RELAXED);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    __atomic_add_fetch(&counters.allocs, 1, __ATOMIC_RELAXED);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    __atomic_add_fetch(&counters.allocs, 1, __ATOMIC_RELAXED);
    return __libc_realloc(p, size);
}

ssize_t read(int fd, void *buf, size_t count)
{
    static ssize_t (*next_read)(int, void *, size_t);

    if (!next_read) {
        next_read = dlsym(RTLD_NEXT, "read");
    }
    __atomic_add_fetch(&counters.reads, 1, __ATOMIC_RELAXED);
    return next_read(fd, buf, count);
}

ssize_t write(int fd, const void *buf, size_t count)
{
    static ssize_t (*next_write)(int, const void *, size_t);

    if (!next_write) {
        next_write = dlsym(RTLD_NEXT, "write");
    }
    __atomic_add_fetch(&counters.writes, 1, __ATOMIC_RELAXED);
    return next_write(fd, buf, count);
}

void bench_counters_get(BenchCounters *c)
{
    c->allocs = __atomic_load_n(&counters.allocs, __ATOMIC_RELAXED);
    c->reads = __atomic_load_n(&counters.reads, __ATOMIC_RELAXED);
    c->writes = __atomic_load_n(&counters.writes, __ATOMIC_RELAXED);
}

int64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

typedef struct Run {
    double ns_per_item;
    BenchCounters delta;
} Run;

static int run_cmp(const void *a, const void *b)
{
    double x = ((const Run *)a)->ns_per_item, y = ((const Run *)b)->ns_per_item;

    return x < y ? -1 : x > y;
}

void bench_measure(BenchResult *res, unsigned runs, uint64_t items,
                   void (*fn)(void *opaque, uint64_t items), void *opaque)
{
    g_autofree Run *r = g_new0(Run, runs);
    const Run *median;

    fn(opaque, items);          /* warm-up: pools and tables reach size */
    for (unsigned i = 0; i < runs; i++) {
        BenchCounters before, after;
        int64_t t0, t1;

        bench_counters_get(&before);
        t0 = bench_now_ns();
        fn(opaque, items);
        t1 = bench_now_ns();
        bench_counters_get(&after);
        r[i].ns_per_item = (double)(t1 - t0) / items;
        r[i].delta.allocs = after.allocs - before.allocs;
        r[i].delta.reads = after.reads - before.reads;
        r[i].delta.writes = after.writes - before.writes;
    }
    qsort(r, runs, sizeof(*r), run_cmp);
    median = &r[runs / 2];
    res->ns_per_item = median->ns_per_item;
    res->items_per_sec = 1e9 / median->ns_per_item;
    res->allocs_per_item = (double)median->delta.allocs / items;
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
    g_array_append_val(results, copy);
}

BenchResult *bench_report_find(const char *name, const char *param)
{
    for (guint i = 0; results && i < results->len; i++) {
        BenchResult *r = &g_array_index(results, BenchResult, i);

        if (!strcmp(r->name, name) && !strcmp(r->param, param)) {
            return r;
        }
    }
    return NULL;
}

void bench_report_print(FILE *out, const char *title)
{
    fprintf(out, "\n%s\n", title);
    fprintf(out, "%-22s %-24s %12s %14s %8s %8s %8s %8s\n", "benchmark",
            "case", "ns/item", "items/s", "reads", "writes", "allocs",
            "ratio");
    for (guint i = 0; results && i < results->len; i++) {
        BenchResult *r = &g_array_index(results, BenchResult, i);
        g_autofree char *ratio = r->ratio > 0 ?
            g_strdup_printf("%.2fx", r->ratio) : g_strdup("-");

        fprintf(out, "%-22s %-24s %12.1f %14.0f %8.3f %8.3f %8.3f %8s\n",
                r->name, r->param, r->ns_per_item, r->items_per_sec,
                r->reads_per_item, r->writes_per_item, r->allocs_per_item,
                ratio);
    }
}

bool bench_report_write_json(const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        return false;
    }
    fprintf(f, "[\n");
    for (guint i = 0; results && i < results->len; i++) {
        BenchResult *r = &g_array_index(results, BenchResult, i);

        fprintf(f, "  {\"name\": \"%s\", \"case\": \"%s\", \"ns_per_item\": %.1f, "
                "\"items_per_sec\": %.0f, \"reads_per_item\": %.4f, "
                "\"writes_per_item\": %.4f, \"allocs_per_item\": %.4f, "
                "\"ratio\": %.3f}%s\n", r->name, r->param, r->ns_per_item,
                r->items_per_sec, r->reads_per_item, r->writes_per_item,
                r->allocs_per_item, r->ratio, i + 1 < results->len ? "," : "");
    }
    fprintf(f, "]\n");
    return fclose(f) == 0;
}
