/*
 * qtest server robustness: malformed lines get "FAIL ..." and the server
 * keeps serving; input split across writes or batched in one write works.
 */
#include <string.h>
#include "libqtest.h"

/* Send @line, expect a reply starting with @prefix, then check liveness. */
static void expect_reply(QTestState *s, const char *line, const char *prefix)
{
    g_autofree char *reply = NULL;

    qtest_sendf_raw(s, "%s", line);
    reply = qtest_recv_line(s);
    if (!g_str_has_prefix(reply, prefix)) {
        g_test_message("sent '%s', got '%s', expected '%s...'", line, reply,
                       prefix);
        g_assert_not_reached();
    }
}

static void expect_alive(QTestState *s)
{
    expect_reply(s, "endianness\n", "OK little");
}

static void expect_fail(QTestState *s, const char *line, const char *prefix)
{
    expect_reply(s, line, prefix ? prefix : "FAIL");
    expect_alive(s);
}

static void test_unknown_and_empty(void)
{
    QTestState *s = qtest_init("-M q35");

    expect_fail(s, "frobnicate 1 2\n", "FAIL Unknown command 'frobnicate'");
    expect_fail(s, "\n", "FAIL");
    expect_fail(s, "   \t \n", "FAIL");
    expect_fail(s, "READL 0\n", "FAIL Unknown command");
    qtest_quit(s);
}

static void test_argument_count(void)
{
    QTestState *s = qtest_init("-M q35");
    static const char *const lines[] = {
        "readl\n", "readq 0 0\n", "writel 0x0\n", "writeb 0 1 2\n",
        "read 0\n", "write 0 4\n", "b64read\n", "b64write 0 4\n",
        "memset 0 4\n", "clock_set\n", "clock_step 1 2\n",
        "irq_intercept_in\n", "set_irq_in msi x 1\n", "endianness x\n",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        expect_fail(s, lines[i], "FAIL");
    }
    qtest_quit(s);
}

static void test_bad_numbers(void)
{
    QTestState *s = qtest_init("-M q35");
    static const char *const lines[] = {
        "readl xyz\n", "readl 0x\n", "readl -1\n", "readl 12abc\n",
        "readq 0x10000000000000000\n", "writel 0 zz\n",
        /* values that do not fit the access width */
        "writeb 0 0x100\n", "writew 0 0x10000\n", "writel 0 0x100000000\n",
        /* accesses that wrap around the address space */
        "readq 0xfffffffffffffffc\n", "read 0xffffffffffffff00 0x200\n",
        "memset 0 4 0x100\n", "clock_step -5\n", "clock_step abc\n",
        "clock_set x\n",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        expect_fail(s, lines[i], "FAIL");
    }
    qtest_quit(s);
}

static void test_bad_data(void)
{
    QTestState *s = qtest_init("-M q35");

    expect_fail(s, "write 0 4 1234\n", "FAIL");            /* no 0x */
    expect_fail(s, "write 0 4 0x12zz\n", "FAIL");
    expect_fail(s, "write 0 4 0x123\n", "FAIL");           /* odd digits */
    expect_fail(s, "write 0 2 0x112233\n", "FAIL");        /* too long */
    expect_fail(s, "b64write 0 4 !!!!\n", "FAIL");
    expect_fail(s, "b64write 0 4 QUJD=\n", "FAIL");         /* bad length */
    expect_fail(s, "b64write 0 4 Q=JD\n", "FAIL");          /* '=' inside */

    /* Short hex data is zero-filled, as in QEMU. */
    expect_reply(s, "write 0x100 4 0xaabb\n", "OK");
    expect_reply(s, "readl 0x100\n", "OK 0x0000bbaa");
    /* b64write writes min(SIZE, decoded length). */
    expect_reply(s, "writel 0x200 0xffffffff\n", "OK");
    expect_reply(s, "b64write 0x200 2 QUJD\n", "OK");
    expect_reply(s, "readl 0x200\n", "OK 0xffff4241");
    qtest_quit(s);
}

static void test_huge_sizes(void)
{
    QTestState *s = qtest_init("-M q35");

    expect_fail(s, "read 0 0x10000000\n", "FAIL");
    expect_fail(s, "b64read 0 0xffffffffffffffff\n", "FAIL");
    expect_fail(s, "memset 0 0x40000000 0\n", "FAIL");
    expect_fail(s, "write 0 0x2000000 0x00\n", "FAIL");
    expect_fail(s, "b64write 0 0x2000000 AAAA\n", "FAIL");
    /* Zero-sized transfers are fine. */
    expect_reply(s, "read 0 0\n", "OK 0x");
    expect_reply(s, "memset 0 0 0\n", "OK");
    qtest_quit(s);
}

static void test_line_too_long(void)
{
    QTestState *s = qtest_init("-M q35");
    size_t len = 33u << 20;
    g_autofree char *junk = g_malloc(len + 1);

    memset(junk, 'x', len);
    junk[len] = '\0';
    qtest_sendf_raw(s, "%s", junk);
    qtest_sendf_raw(s, "still junk\n");
    expect_fail(s, "", "FAIL line too long");
    qtest_quit(s);
}

static void test_clock_rules(void)
{
    QTestState *s = qtest_init("-M q35");
    int64_t t = qtest_clock_step(s, 100);

    expect_fail(s, "clock_set 0\n", "FAIL");
    g_assert_cmpint(qtest_clock_set(s, t), ==, t);      /* "now" is fine */
    qtest_quit(s);
}

static void test_irq_commands(void)
{
    QTestState *s = qtest_init("-M q35");

    expect_fail(s, "irq_intercept_in /no/such/device\n",
                "FAIL Unknown device");
    expect_fail(s, "irq_intercept_out nosuchdevice\n", "FAIL Unknown device");
    expect_fail(s, "set_irq_in nosuchdevice unnamed-gpio-in 0 1\n",
                "FAIL Unknown device");
    /* /machine is an object but not a device. */
    expect_fail(s, "irq_intercept_in /machine\n", "FAIL Unknown device");
    expect_reply(s, "irq_intercept_in msi\n", "OK");
    /* Same device again is fine; its line numbers are bounded. */
    expect_reply(s, "irq_intercept_in /machine/msi\n", "OK");
    expect_fail(s, "set_irq_in msi unnamed-gpio-in 100000 1\n", "FAIL");
    expect_fail(s, "set_irq_in msi other-gpio 1 1\n", "FAIL");
    qtest_quit(s);
}

static void test_split_and_batched(void)
{
    QTestState *s = qtest_init("-M q35");
    g_autofree char *r1 = NULL;
    g_autofree char *r2 = NULL;
    g_autofree char *r3 = NULL;

    qtest_writel(s, 0x1000, 0x11223344);
    /* One command in pieces, each read by the binary on its own. */
    qtest_send_pieces(s, (const char *[]) { "rea", "dl 0x10", "00\n", NULL });
    r1 = qtest_recv_line(s);
    g_assert_cmpstr(r1, ==, "OK 0x11223344");
    /* Several commands in one write, one with CRLF. */
    qtest_sendf_raw(s, "readb 0x1000\r\nbogus\nreadw 0x1002\n");
    g_free(r1);
    r1 = qtest_recv_line(s);
    r2 = qtest_recv_line(s);
    r3 = qtest_recv_line(s);
    g_assert_cmpstr(r1, ==, "OK 0x44");
    g_assert_true(g_str_has_prefix(r2, "FAIL"));
    g_assert_cmpstr(r3, ==, "OK 0x1122");
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest-protocol/unknown-and-empty",
                    test_unknown_and_empty);
    g_test_add_func("/qtest-protocol/argument-count", test_argument_count);
    g_test_add_func("/qtest-protocol/bad-numbers", test_bad_numbers);
    g_test_add_func("/qtest-protocol/bad-data", test_bad_data);
    g_test_add_func("/qtest-protocol/huge-sizes", test_huge_sizes);
    g_test_add_func("/qtest-protocol/line-too-long", test_line_too_long);
    g_test_add_func("/qtest-protocol/clock-rules", test_clock_rules);
    g_test_add_func("/qtest-protocol/irq-commands", test_irq_commands);
    g_test_add_func("/qtest-protocol/split-and-batched",
                    test_split_and_batched);
    return g_test_run();
}
