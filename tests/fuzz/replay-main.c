/*
 * Standalone driver for the fuzz targets: runs LLVMFuzzerTestOneInput()
 * once on every file named on the command line, or found (not
 * recursively, in name order, dot files skipped) in a directory named
 * there.  Linked with each target in every build, so that the seed
 * corpora and the crash regressions run as ordinary tests with gcc, and
 * under ASan/UBSan in the sanitizer build.
 *
 *   fuzz-foo-replay [-v] FILE|DIR...
 *
 * Exits 0 once every input ran; a crash shows as the target's own failure
 * (abort, sanitizer report).  -v names each input before running it.
 */
#include "qemu/osdep.h"
#include "fuzz.h"

/* Optional in the targets, as in libFuzzer. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static bool verbose;

static bool replay_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *contents = NULL;
    g_autofree uint8_t *data = NULL;
    gsize len;

    if (!g_file_get_contents(path, &contents, &len, &err)) {
        fprintf(stderr, "replay: %s\n", err->message);
        return false;
    }
    if (verbose) {
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, (size_t)len);
    }
    /* An exact-size copy, so that ASan sees reads past the end. */
    data = g_malloc(MAX(len, 1));
    memcpy(data, contents, len);
    LLVMFuzzerTestOneInput(data, len);
    return true;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Returns the number of inputs run, or -1 on an error. */
static int replay_dir(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(path, 0, &err);
    const char *name;
    int count = 0;

    if (!dir) {
        fprintf(stderr, "replay: %s\n", err->message);
        return -1;
    }
    while ((name = g_dir_read_name(dir))) {
        if (name[0] != '.') {
            g_ptr_array_add(names, g_build_filename(path, name, NULL));
        }
    }
    g_dir_close(dir);
    g_ptr_array_sort(names, compare_names);

    for (guint i = 0; i < names->len; i++) {
        const char *file = g_ptr_array_index(names, i);

        if (g_file_test(file, G_FILE_TEST_IS_DIR)) {
            continue;
        }
        if (!replay_file(file)) {
            return -1;
        }
        count++;
    }
    return count;
}

int main(int argc, char **argv)
{
    int total = 0;
    int first = 1;

    if (argc > 1 && !strcmp(argv[1], "-v")) {
        verbose = true;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize) {
        LLVMFuzzerInitialize(&argc, &argv);
    }
    for (int i = first; i < argc; i++) {
        int n;

        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            n = replay_dir(argv[i]);
        } else {
            n = replay_file(argv[i]) ? 1 : -1;
        }
        if (n < 0) {
            return 1;
        }
        total += n;
    }
    printf("replay: %d inputs ran\n", total);
    return 0;
}
