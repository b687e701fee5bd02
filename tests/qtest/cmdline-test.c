/*
 * Command-line errors: each bad command line makes the binary print one
 * QEMU-style line "viommu-system: ..." on stderr and exit with status 1;
 * -version and -device help print on stdout and exit 0.
 */
#include <string.h>
#include "libqtest.h"

typedef struct BadCmdline {
    const char *path;           /* test case name */
    const char *args;
    const char *fragment;       /* expected somewhere in the message */
} BadCmdline;

static const BadCmdline bad_cmdlines[] = {
    { "unknown-option", "-M q35 -foo", "-foo: invalid option" },
    { "not-an-option", "-M q35 stray", "stray: invalid option" },
    { "missing-argument", "-M", "-M: requires an argument" },
    { "unknown-machine", "-machine nosuch", "unsupported machine type" },
    { "no-machine", "-m 1G", "No machine specified" },
    { "unknown-device", "-M q35 -device nosuchdev",
      "'nosuchdev' is not a valid device model name" },
    { "unknown-object", "-M q35 -object nosuchtype,id=o1",
      "invalid object type: nosuchtype" },
    { "unknown-property", "-M q35 -object iommufd,id=o1,bogus=1",
      "bogus" },
    { "bad-ram-size", "-M q35 -m 0x", "invalid RAM size" },
    { "bad-accel", "-M q35 -accel kvm", "invalid accelerator" },
    { "bad-qtest-socket", "-M q35 -qtest unix:/nonexistent/dir/qtest.sock",
      "Failed to connect" },
    { "bad-qmp-spec", "-M q35 -qmp tcp:localhost:4444",
      "only unix:PATH sockets are supported" },
    { "bad-qmp-option", "-M q35 -qmp unix:/tmp/x.sock,bogus=on",
      "unsupported socket option 'bogus=on'" },
    /* QEMU's JSON rules: no repeated member (the last would win) */
    { "json-duplicate-key",
      "-M q35 -device '{\"driver\":\"pci-test-dev\",\"id\":\"d1\","
      "\"driver\":\"intel-iommu\"}'", "duplicate key 'driver'" },
    { "json-number-range",
      "-M q35 -device '{\"driver\":\"pci-test-dev\",\"addr\":1e999}'",
      "out of range" },
    /* QEMU's identifier rules for ids */
    { "device-id-slash", "-M q35 -device pci-test-dev,id=a/b/../c",
      "Parameter 'id' expects an identifier" },
    { "device-id-digit", "-M q35 -device pci-test-dev,id=0a",
      "Parameter 'id' expects an identifier" },
    { "object-id-slash", "-M q35 -object iommufd,id=x/y",
      "Parameter 'id' expects an identifier" },
};

static void test_bad_cmdline(gconstpointer data)
{
    const BadCmdline *t = data;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary(t->args, &status, &err));
    g_test_message("args '%s': status %d, stderr '%s'", t->args, status, err);
    g_assert_cmpint(status, ==, 1);
    /* Exactly one line... */
    g_assert_true(g_str_has_suffix(err, "\n"));
    g_assert_null(memchr(err, '\n', strlen(err) - 1));
    /* ...in QEMU's form, saying what is wrong. */
    g_assert_true(g_str_has_prefix(err, "viommu-system: "));
    g_assert_nonnull(strstr(err, t->fragment));
}

static void test_version(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary_full("-version", NULL, &status, &out,
                                        &err));
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_assert_true(g_str_has_prefix(out, "viommu-system version "));
    g_assert_nonnull(strstr(out, "0.1.0"));
}

static void test_device_help(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary_full("-device help", NULL, &status, &out,
                                        &err));
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(err, ==, "");
    /* The user-creatable devices, one line each. */
    g_assert_nonnull(strstr(out, "name \"vfio-pci\", bus PCI"));
    g_assert_nonnull(strstr(out, "name \"intel-iommu\""));
    g_assert_nonnull(strstr(out, "name \"arm-smmuv3\""));
}

/* -device TYPE,help: properties with types, defaults and aliases. */
static void test_device_type_help(void)
{
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status;

    g_assert_true(qtest_run_binary_full("-device intel-iommu,help", NULL,
                                        &status, &out, &err));
    g_assert_cmpint(status, ==, 0);
    g_assert_true(g_str_has_prefix(out, "intel-iommu options:\n"));
    g_assert_nonnull(strstr(out, "  aw-bits=<uint8>        - (default: 48)\n"));
    g_assert_nonnull(
        strstr(out, "  x-flts=<bool>          - alias of 'fsts'\n"));
    g_assert_nonnull(
        strstr(out, "  pasid=<uint8>          - alias of 'pasid-bits'\n"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);

    g_assert_true(qtest_run_binary_full("-device vfio-pci,help", NULL,
                                        &status, &out, &err));
    g_assert_cmpint(status, ==, 0);
    g_assert_nonnull(strstr(out, "  iommufd=<link>\n"));
    g_assert_nonnull(strstr(out, "  host=<str>\n"));
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&err, g_free);

    g_assert_true(qtest_run_binary_full("-device nosuch,help", NULL,
                                        &status, &out, &err));
    g_assert_cmpint(status, ==, 1);
    g_assert_cmpstr(err, ==, "viommu-system: -device nosuch,help: 'nosuch' "
                    "is not a valid device model name\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cmdlines); i++) {
        g_autofree char *path = g_strdup_printf("/cmdline/error/%s",
                                                bad_cmdlines[i].path);

        g_test_add_data_func(path, &bad_cmdlines[i], test_bad_cmdline);
    }
    g_test_add_func("/cmdline/version", test_version);
    g_test_add_func("/cmdline/device-help", test_device_help);
    g_test_add_func("/cmdline/device-type-help", test_device_type_help);
    return g_test_run();
}
