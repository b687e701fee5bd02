/*
 * A second pass over JSON text that json-glib accepted, for the two
 * things QEMU's parser refuses and json-glib does not: duplicate member
 * names and numbers that overflow a double.
 *
 * The text is already known to be well-formed, so this only tracks the
 * nesting (one set of member names per open object) and decodes strings
 * that are member names.  Work and memory are linear in the input.
 */
#include "qemu/osdep.h"
#include <math.h>
#include "qemu/json-check.h"

typedef struct JsonLevel {
    bool object;
    bool want_key;              /* object: the next string is a name */
    GHashTable *names;          /* object: names seen, NULL until the first */
} JsonLevel;

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

static bool read_hex4(const char *p, const char *end, gunichar *out)
{
    gunichar v = 0;

    if (end - p < 4) {
        return false;
    }
    for (int i = 0; i < 4; i++) {
        int d = hexval(p[i]);

        if (d < 0) {
            return false;
        }
        v = (v << 4) | d;
    }
    *out = v;
    return true;
}

/*
 * Decode the string starting after the opening quote at *@pp; leave *@pp
 * after the closing quote.  Member names compare by their decoded value,
 * as in QEMU ("a" and "\u0061" are the same name).
 */
static char *json_decode_string(const char **pp, const char *end)
{
    GString *s = g_string_new(NULL);
    const char *p = *pp;

    while (p < end && *p != '"') {
        gunichar u;

        if (*p != '\\') {
            g_string_append_c(s, *p++);
            continue;
        }
        if (++p >= end) {
            break;
        }
        switch (*p) {
        case 'b': g_string_append_c(s, '\b'); p++; break;
        case 'f': g_string_append_c(s, '\f'); p++; break;
        case 'n': g_string_append_c(s, '\n'); p++; break;
        case 'r': g_string_append_c(s, '\r'); p++; break;
        case 't': g_string_append_c(s, '\t'); p++; break;
        case 'u':
            if (!read_hex4(p + 1, end, &u)) {
                g_string_append_c(s, *p++);
                break;
            }
            p += 5;
            if (u >= 0xd800 && u < 0xdc00 && end - p >= 6 && p[0] == '\\' &&
                p[1] == 'u') {
                gunichar lo;

                if (read_hex4(p + 2, end, &lo) && lo >= 0xdc00 &&
                    lo < 0xe000) {
                    u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            g_string_append_unichar(s, u);
            break;
        default:
            g_string_append_c(s, *p++);     /* \" \\ \/ */
            break;
        }
    }
    *pp = p < end ? p + 1 : p;
    return g_string_free(s, FALSE);
}

static void json_level_clear(gpointer data)
{
    JsonLevel *l = data;

    if (l->names) {
        g_hash_table_destroy(l->names);
    }
}

char *qemu_json_check(const char *text, size_t len)
{
    g_autoptr(GArray) stack = g_array_new(FALSE, TRUE, sizeof(JsonLevel));
    const char *p = text, *end = text + len;
    char *err = NULL;

    g_array_set_clear_func(stack, json_level_clear);
    while (p < end && !err) {
        JsonLevel *top = stack->len ?
                         &g_array_index(stack, JsonLevel, stack->len - 1) :
                         NULL;
        char c = *p;

        switch (c) {
        case '{':
        case '[': {
            JsonLevel l = { .object = c == '{', .want_key = c == '{' };

            g_array_append_val(stack, l);
            p++;
            break;
        }
        case '}':
        case ']':
            if (stack->len) {
                g_array_set_size(stack, stack->len - 1);
            }
            p++;
            break;
        case ',':
            if (top && top->object) {
                top->want_key = true;
            }
            p++;
            break;
        case ':':
            if (top) {
                top->want_key = false;
            }
            p++;
            break;
        case '"': {
            g_autofree char *str = NULL;

            p++;
            if (!top || !top->object || !top->want_key) {
                /* A value: skip it without decoding. */
                while (p < end && *p != '"') {
                    p += *p == '\\' ? 2 : 1;
                }
                p = MIN(p + 1, end);
                break;
            }
            str = json_decode_string(&p, end);
            if (!top->names) {
                top->names = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                   g_free, NULL);
            }
            if (g_hash_table_contains(top->names, str)) {
                err = g_strdup_printf("duplicate key '%s'", str);
                break;
            }
            g_hash_table_add(top->names, g_steal_pointer(&str));
            break;
        }
        default:
            if (c == '-' || g_ascii_isdigit(c)) {
                const char *start = p;
                g_autofree char *num = NULL;

                while (p < end && (g_ascii_isdigit(*p) ||
                                   strchr("+-.eE", *p))) {
                    p++;
                }
                num = g_strndup(start, p - start);
                if (!isfinite(g_ascii_strtod(num, NULL))) {
                    err = g_strdup_printf("number '%s' is out of range",
                                          num);
                }
                break;
            }
            p++;                /* whitespace, true, false, null */
            break;
        }
    }
    return err;
}
