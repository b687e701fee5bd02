/*
 * Strict number parsing for properties and protocols: the whole string
 * must be consumed, ranges are checked, errors are reported by return
 * value (0, or -EINVAL / -ERANGE) without touching *result.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

/* Base 0 (decimal, 0x hex, 0 octal); negative input is -EINVAL. */
int qemu_strtou64(const char *nptr, uint64_t *result);
int qemu_strtoi64(const char *nptr, int64_t *result);
/*
 * A size: a number with an optional suffix B, K/k, M, G, T, P, E (binary
 * multiples), fractions allowed with a suffix ("1.5G").  -ERANGE on overflow.
 */
int qemu_strtosz(const char *nptr, uint64_t *result);
/* "on"/"off"/"yes"/"no"/"true"/"false"; false on anything else. */
bool qemu_parse_bool(const char *str, bool *result);
/*
 * QEMU's rule for user-chosen ids (-device id=, -object id=, device_add):
 * an ASCII letter, then letters, digits, '-', '.' and '_'.  Ids end up in
 * QOM paths and QMP replies, so '/' and friends are refused.
 */
bool id_wellformed(const char *id);

#endif
