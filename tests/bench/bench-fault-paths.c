/*
 * Fault-path benchmarks.  Prints a table and writes JSON; never fails on
 * timing.
 *
 *   bench-fault-paths [--json FILE] [--runs N] [--quick]
 *
 * Floor: the simulator producing and consuming the records through the
 * same fds with no model (bench-floor.c), at batch sizes 1, 16, 64, 256.
 * Model cases register themselves in bench_cases[] below.
 */
#include "bench-common.h"
#include "bench-floor.h"
#include <stdlib.h>
#include <string.h>

#define BDF "0000:02:00.0"

static const unsigned batches[] = { 1, 16, 64, 256 };

static unsigned runs = 7;
static uint64_t items = 1 << 14;

static void run_floor_faultq(void)
{
    bench_sim_start("intel-vtd", BDF);
    bench_floor_faultq_setup(BDF, 1);
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = "floor-faultq", .param = param };

        bench_floor_batch = batches[i];
        bench_measure(&r, runs, items, bench_floor_faultq_run, NULL);
        bench_report_add(&r);
    }
    bench_floor_faultq_teardown();
    bench_sim_stop();
}

static void run_floor_veventq(void)
{
    bench_sim_start("arm-smmuv3", BDF);
    bench_floor_veventq_setup(BDF, 1024);
    for (size_t i = 0; i < G_N_ELEMENTS(batches); i++) {
        g_autofree char *param = g_strdup_printf("batch=%u", batches[i]);
        BenchResult r = { .name = "floor-veventq", .param = param };

        bench_floor_batch = batches[i];
        bench_measure(&r, runs, items, bench_floor_veventq_run, NULL);
        bench_report_add(&r);
    }
    bench_floor_veventq_teardown();
    bench_sim_stop();
}

int main(int argc, char **argv)
{
    const char *json = NULL;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json = argv[++i];
        } else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            runs = MAX(atoi(argv[++i]), 1);
        } else if (!strcmp(argv[i], "--quick")) {
            runs = 3;
            items = 1 << 10;
        } else {
            fprintf(stderr, "usage: %s [--json FILE] [--runs N] [--quick]\n",
                    argv[0]);
            return 2;
        }
    }

    run_floor_faultq();
    run_floor_veventq();

    bench_report_print(stdout, "Fault paths (median ns per fault / event; "
                       "reads, writes, allocs per item)");
    if (json && !bench_report_write_json(json)) {
        fprintf(stderr, "bench: cannot write %s\n", json);
        return 1;
    }
    return 0;
}
