/*
 * Unit test of the in-process qtest client the fuzz targets use
 * (qtest_inject_input() and friends in system/qtest.c): replies come
 * back in the caller's GString, lines may be split across calls, the
 * transfer bound and the line bound follow qtest_inject_set_max_transfer(),
 * and interrupt lines show up as "IRQ" lines.
 */
#include "qemu/osdep.h"
#include "system/qtest.h"
#include "system/system.h"

/* Run @in as one write and return the replies (caller frees). */
static char *inject(const char *in)
{
    GString *out = g_string_new(NULL);

    qtest_inject_input(in, strlen(in), out);
    return g_string_free(out, FALSE);
}

static void test_replies(void)
{
    g_autofree char *r1 = inject("endianness\n");
    g_autofree char *r2 = inject("writel 0x1000 0x11223344\nreadl 0x1000\n"
                                 "readw 0x1002\nbogus\n");

    g_assert_cmpstr(r1, ==, "OK little\n");
    g_assert_cmpstr(r2, ==, "OK\nOK 0x11223344\nOK 0x1122\n"
                    "FAIL Unknown command 'bogus'\n");
}

static void test_split_lines(void)
{
    g_autofree char *r1 = inject("rea");
    g_autofree char *r2 = inject("dl 0x10");
    g_autofree char *r3 = inject("00\r\nreadb 0x1000\nread");
    g_autofree char *r4 = NULL;

    g_assert_cmpstr(r1, ==, "");
    g_assert_cmpstr(r2, ==, "");
    g_assert_cmpstr(r3, ==, "OK 0x11223344\nOK 0x44\n");
    /* A reset forgets the partial "read". */
    qtest_inject_reset();
    r4 = inject("endianness\n");
    g_assert_cmpstr(r4, ==, "OK little\n");
}

static void test_limits(void)
{
    g_autofree char *r1 = NULL;
    g_autofree char *r2 = NULL;
    g_autofree char *r3 = NULL;
    g_autofree char *junk = g_strnfill(300, 'x');

    qtest_inject_set_max_transfer(16);
    r1 = inject("read 0x1000 17\nread 0x1000 2\n");
    g_assert_cmpstr(r1, ==, "FAIL size 0x11 too large (max 0x10)\n"
                    "OK 0x4433\n");
    /* Longest line: 2 * 16 + 256 bytes; the rest of a longer one is dropped. */
    r2 = inject(junk);
    g_assert_cmpstr(r2, ==, "FAIL line too long\n");
    r3 = inject("still junk\nendianness\n");
    g_assert_cmpstr(r3, ==, "OK little\n");
    qtest_inject_set_max_transfer(UINT64_MAX);
}

static void test_irq_lines(void)
{
    g_autofree char *r1 = inject("irq_intercept_in msi\n");
    g_autofree char *r2 = inject("writel 0xfee00000 0x31\n");

    g_assert_cmpstr(r1, ==, "OK\n");
    /* An MSI is a pulse on the vector's line of the MSI window. */
    g_assert_cmpstr(r2, ==, "IRQ raise 49\nIRQ lower 49\nOK\n");
}

int main(int argc, char **argv)
{
    static char *args[] = {
        (char *)"viommu-system", (char *)"-M", (char *)"q35",
        (char *)"-accel", (char *)"qtest", (char *)"-nodefaults", NULL,
    };

    g_test_init(&argc, &argv, NULL);
    qemu_init(ARRAY_SIZE(args) - 1, args);
    g_test_add_func("/qtest-inject/replies", test_replies);
    g_test_add_func("/qtest-inject/split-lines", test_split_lines);
    g_test_add_func("/qtest-inject/limits", test_limits);
    g_test_add_func("/qtest-inject/irq-lines", test_irq_lines);
    return g_test_run();
}
