/*
 * Real counterparts for tests: read what scripts/counterparts.sh left.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counterparts.h"

struct Counterpart {
    GHashTable *vars;
};

static char *counterparts_dir(void)
{
    const char *dir = g_getenv("COUNTERPARTS_DIR");

    return g_strdup(dir && *dir ? dir : "build/counterparts");
}

Counterpart *counterpart_load(const char *name, char **reason)
{
    g_autofree char *dir = counterparts_dir();
    g_autofree char *env_path = g_strdup_printf("%s/%s.env", dir, name);
    g_autofree char *skip_path = g_strdup_printf("%s/%s.skip", dir, name);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    Counterpart *cp;

    if (!g_file_get_contents(env_path, &text, NULL, NULL)) {
        g_autofree char *why = NULL;

        if (g_file_get_contents(skip_path, &why, NULL, NULL)) {
            *reason = g_strdup_printf("%s: %s", name, g_strstrip(why));
        } else {
            *reason = g_strdup_printf("%s: not installed in %s "
                                      "(scripts/counterparts.sh install %s)",
                                      name, dir, name);
        }
        return NULL;
    }

    cp = g_new0(Counterpart, 1);
    cp->vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        const char *eq = strchr(*l, '=');

        if (!eq || *l[0] == '#') {
            continue;
        }
        g_hash_table_replace(cp->vars, g_strndup(*l, eq - *l),
                             g_strdup(eq + 1));
    }
    return cp;
}

static Counterpart *require(const char *name, bool tap)
{
    g_autofree char *reason = NULL;
    Counterpart *cp = counterpart_load(name, &reason);

    if (!cp) {
        fprintf(stderr, "SKIP: %s\n", reason);
        if (tap) {
            /* meson's TAP reader takes an empty plan with SKIP as skipped. */
            printf("1..0 # SKIP %s\n", reason);
            fflush(stdout);
            exit(0);
        }
        exit(77);
    }
    return cp;
}

Counterpart *counterpart_require(const char *name)
{
    return require(name, false);
}

Counterpart *counterpart_require_tap(const char *name)
{
    return require(name, true);
}

const char *counterpart_get(const Counterpart *cp, const char *key)
{
    return g_hash_table_lookup(cp->vars, key);
}

void counterpart_free(Counterpart *cp)
{
    if (cp) {
        g_hash_table_destroy(cp->vars);
        g_free(cp);
    }
}
