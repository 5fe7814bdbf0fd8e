/* copybuf.c — rows in PostgreSQL's COPY text format, built in one growing buffer per table. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship.h"

static bool
reserve(copybuf *b, size_t more)
{
    if (!b->ok) {
        return false;
    }
    if (b->cap - b->len >= more) {
        return true;
    }
    size_t cap = b->cap == 0 ? 65536 : b->cap;
    while (cap - b->len < more) {
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        b->ok = false;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void
copybuf_reset(copybuf *b)
{
    b->len = 0;
    b->ok = true;
}

void
copybuf_free(copybuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void
copybuf_text(copybuf *b, const char *s, bool null_if_empty)
{
    if (s == NULL || (null_if_empty && s[0] == '\0')) {
        if (reserve(b, 3)) {
            memcpy(b->p + b->len, "\\N\t", 3);
            b->len += 3;
        }
        return;
    }
    size_t n = strlen(s);
    if (!reserve(b, 2 * n + 1)) {
        return;
    }
    /* COPY text: backslash, tab, newline and carriage return are escaped. */
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        const char *esc = c == '\\'   ? "\\\\"
                          : c == '\t' ? "\\t"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                                      : NULL;
        if (esc != NULL) {
            b->p[b->len++] = esc[0];
            b->p[b->len++] = esc[1];
        } else {
            b->p[b->len++] = c;
        }
    }
    b->p[b->len++] = '\t';
}

void
copybuf_printf(copybuf *b, const char *fmt, ...)
{
    char field[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(field, sizeof field, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof field) {
        b->ok = false; /* only numbers and dates come here: a longer one is a bug */
        return;
    }
    copybuf_text(b, field, false);
}

void
copybuf_bytea(copybuf *b, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (!reserve(b, 2 * n + 4)) {
        return;
    }
    /* bytea's hex input \x…, its backslash escaped for COPY. */
    b->p[b->len++] = '\\';
    b->p[b->len++] = '\\';
    b->p[b->len++] = 'x';
    for (size_t i = 0; i < n; i++) {
        b->p[b->len++] = digits[p[i] >> 4];
        b->p[b->len++] = digits[p[i] & 15];
    }
    b->p[b->len++] = '\t';
}

void
copybuf_end_row(copybuf *b)
{
    if (b->ok && b->len > 0 && b->p[b->len - 1] == '\t') {
        b->p[b->len - 1] = '\n';
    }
}
