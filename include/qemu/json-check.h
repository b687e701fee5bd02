/*
 * What json-glib lets through but QEMU's JSON parser refuses.
 *
 * json-glib keeps the last of duplicate members of an object and turns a
 * number too large for a double into infinity; QEMU rejects the first
 * ("duplicate key") and a QMP server must never echo the second back
 * (inf is not JSON).  Run on text json-glib has already accepted.
 */
#ifndef QEMU_JSON_CHECK_H
#define QEMU_JSON_CHECK_H

#include <glib.h>

/*
 * Check @text (@len bytes of syntactically valid JSON) for a duplicate
 * member name in any object (names compared after unescaping) and for a
 * number that is not finite as a double.  Returns NULL when it is fine,
 * else a message the caller owns ("duplicate key 'x'").
 */
char *qemu_json_check(const char *text, size_t len);

#endif
