/*
 * Strict number parsing (see include/qemu/cutils.h).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include <math.h>

int qemu_strtou64(const char *nptr, uint64_t *result)
{
    char *end;
    uint64_t v;

    if (!nptr || !*nptr || g_ascii_isspace(*nptr) || *nptr == '-' ||
        *nptr == '+') {
        return -EINVAL;
    }
    errno = 0;
    v = g_ascii_strtoull(nptr, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (errno || end == nptr || *end) {
        return -EINVAL;
    }
    *result = v;
    return 0;
}

int qemu_strtoi64(const char *nptr, int64_t *result)
{
    char *end;
    int64_t v;

    if (!nptr || !*nptr || g_ascii_isspace(*nptr)) {
        return -EINVAL;
    }
    errno = 0;
    v = g_ascii_strtoll(nptr, &end, 0);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (errno || end == nptr || *end) {
        return -EINVAL;
    }
    *result = v;
    return 0;
}

static int suffix_shift(char c)
{
    switch (g_ascii_toupper(c)) {
    case 'B': return 0;
    case 'K': return 10;
    case 'M': return 20;
    case 'G': return 30;
    case 'T': return 40;
    case 'P': return 50;
    case 'E': return 60;
    default: return -1;
    }
}

int qemu_strtosz(const char *nptr, uint64_t *result)
{
    const char *p = nptr;
    uint64_t whole;
    double frac = 0;
    char *end;
    int shift = 0;

    if (!nptr || !g_ascii_isdigit(*nptr)) {
        return -EINVAL;
    }
    /* Hex sizes take no suffix, as in QEMU. */
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        return qemu_strtou64(nptr, result);
    }
    errno = 0;
    whole = g_ascii_strtoull(p, &end, 10);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    p = end;
    if (*p == '.') {
        /* Digits only: strtod would also take exponents and "inf". */
        const char *digits = p + 1;
        g_autofree char *text = NULL;

        while (g_ascii_isdigit(*digits)) {
            digits++;
        }
        if (digits == p + 1) {
            return -EINVAL;
        }
        text = g_strndup(p, digits - p);
        frac = g_ascii_strtod(text, NULL);
        p = digits;
    }
    if (*p) {
        shift = suffix_shift(*p);
        if (shift < 0 || p[1] || (frac != 0 && shift == 0)) {
            return -EINVAL;     /* no fractions of a byte either */
        }
    } else if (frac != 0) {
        return -EINVAL;     /* "1.5" without a unit is ambiguous */
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return -ERANGE;
    }
    whole <<= shift;
    if (frac != 0) {
        double extra = ldexp(frac, shift);

        if (extra >= (double)(UINT64_MAX - whole)) {
            return -ERANGE;
        }
        whole += (uint64_t)extra;
    }
    *result = whole;
    return 0;
}

bool qemu_parse_bool(const char *str, bool *result)
{
    static const char *const yes[] = { "on", "yes", "true", NULL };
    static const char *const no[] = { "off", "no", "false", NULL };

    for (int i = 0; yes[i]; i++) {
        if (!strcmp(str, yes[i])) {
            *result = true;
            return true;
        }
        if (!strcmp(str, no[i])) {
            *result = false;
            return true;
        }
    }
    return false;
}

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}
