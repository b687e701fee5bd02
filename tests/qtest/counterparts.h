/*
 * Real counterparts (upstream QEMU, the kernel's iommufd selftest,
 * libvirt) for tests of suite 'counterparts'.
 *
 * scripts/counterparts.sh fetches them from Debian's archive into
 * $COUNTERPARTS_DIR (meson passes BUILDDIR/counterparts) and leaves, per
 * counterpart NAME, either NAME.env (KEY=VALUE lines) or NAME.skip (why it
 * is missing).  A test that needs one calls counterpart_require(): when the
 * counterpart is missing, the test prints "SKIP: <reason>" and exits 77,
 * which meson reports as skipped, so an unreachable archive never turns CI
 * red and never passes silently.
 */
#ifndef TESTS_COUNTERPARTS_H
#define TESTS_COUNTERPARTS_H

#include <glib.h>

typedef struct Counterpart Counterpart;

/*
 * Load NAME.env from $COUNTERPARTS_DIR.  Returns NULL with *reason set
 * (caller frees) when the counterpart is not installed.
 */
Counterpart *counterpart_load(const char *name, char **reason);

/* As counterpart_load(), but exits 77 with "SKIP: ..." when it is missing. */
Counterpart *counterpart_require(const char *name);

/* The same for TAP tests: prints "1..0 # SKIP ..." and exits 0. */
Counterpart *counterpart_require_tap(const char *name);

/* The value of KEY, or NULL; owned by @cp. */
const char *counterpart_get(const Counterpart *cp, const char *key);

void counterpart_free(Counterpart *cp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Counterpart, counterpart_free)

#endif
