/*
 * Fuzz target: the qtest protocol server (system/qtest.c).
 *
 * A q35 machine with a pci-test-dev on the root bus and another behind a
 * pcie-root-port is built once, in-process, the way
 * the binary builds it from its command line.  Each input is protocol
 * text ("readl 0x1000\nwrite 0xb0008010 4 0x...\n") fed through
 * qtest_inject_input(), which runs the socket's line assembler and
 * command dispatcher and hands back the replies.  The input is written in
 * pieces of varying sizes (derived from its length, so a replay cuts it
 * the same way) so that lines split across reads and several lines in
 * one read both happen.  The machine is not reset between inputs: the
 * commands reach guest RAM, the PCIe config space and the devices' MMIO,
 * and what one input leaves there the next one sees.
 *
 * What must hold: no crash, no leak, every reply line is "OK...",
 * "FAIL..." or "IRQ ...", and the server still answers afterwards.
 *
 * One input is at most 4 KiB and one transfer at most 1 KiB, so that an
 * input can neither allocate much nor take long.
 */
#include "qemu/osdep.h"
#include "system/qtest.h"
#include "system/system.h"
#include "fuzz.h"

#define FUZZ_MAX_INPUT      4096
#define FUZZ_MAX_XFER       1024
#define FUZZ_MAX_PIECE      128

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char *args[] = {
        (char *)"viommu-system", (char *)"-M", (char *)"q35",
        (char *)"-accel", (char *)"qtest", (char *)"-nodefaults",
        (char *)"-device", (char *)"pci-test-dev,id=testdev0",
        /* Bus numbers, routing and the hot-plug slot get fuzzed too. */
        (char *)"-device", (char *)"pcie-root-port,id=rp1,chassis=1,slot=1",
        (char *)"-device", (char *)"pci-test-dev,id=testdev1,bus=rp1",
        NULL,
    };

    /* Without -qtest or -qmp no socket is opened. */
    qemu_init(ARRAY_SIZE(args) - 1, args);
    qtest_inject_set_max_transfer(FUZZ_MAX_XFER);
    return 0;
}

/* Every reply line starts with OK, FAIL or IRQ and ends with '\n'. */
static void check_replies(const GString *out)
{
    const char *p = out->str;
    const char *end = out->str + out->len;

    while (p < end) {
        const char *nl = memchr(p, '\n', end - p);

        if (!nl || !(g_str_has_prefix(p, "OK") || g_str_has_prefix(p, "FAIL") ||
                     g_str_has_prefix(p, "IRQ "))) {
            fprintf(stderr, "bad reply: '%.*s'\n",
                    (int)(nl ? nl - p : end - p), p);
            abort();
        }
        p = nl + 1;
    }
}

/* A small deterministic generator for the piece sizes. */
static uint32_t next_piece(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return 1 + *state % FUZZ_MAX_PIECE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GString) out = g_string_new(NULL);
    uint32_t state = 0x9e3779b9u ^ size;
    size_t pos = 0;

    if (size > FUZZ_MAX_INPUT) {
        return -1;
    }
    while (pos < size) {
        /* One input in four goes in one piece. */
        size_t n = size % 4 ? next_piece(&state) : size;

        n = MIN(n, size - pos);

        qtest_inject_input((const char *)data + pos, n, out);
        check_replies(out);
        g_string_truncate(out, 0);
        pos += n;
    }

    /* Forget a partial last line; the server must still answer. */
    qtest_inject_reset();
    qtest_inject_input("endianness\n", strlen("endianness\n"), out);
    if (strcmp(out->str, "OK little\n")) {
        fprintf(stderr, "server no longer answers: '%s'\n", out->str);
        abort();
    }
    return 0;
}
