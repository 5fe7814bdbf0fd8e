/* output.c — aligned tables for people and JSON documents for scripts. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- UTF-8 ------------------------------------------------------------------------------- */

size_t
cli_utf8_decode(const unsigned char *s, uint32_t *cp)
{
    size_t len = 0;
    uint32_t min = 0;
    uint32_t v = 0;
    if (s[0] < 0x80) {
        len = 1;
        v = s[0];
    } else if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        v = s[0] & 0x1Fu;
        min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        v = s[0] & 0x0Fu;
        min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        v = s[0] & 0x07u;
        min = 0x10000;
    }
    /* A NUL terminator fails the continuation test, so we never read past the string. */
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            len = 0;
            break;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (len > 1 && (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))) {
        len = 0;
    }
    *cp = v;
    return len;
}

size_t
cli_cp_width(uint32_t cp)
{
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    size_t width = (cp >= 0x0300 && cp <= 0x036F) ? 0 : 1;
    for (size_t i = 0; i < BZL_ARRAY_LEN(wide); i++) {
        if (cp >= wide[i][0] && cp <= wide[i][1]) {
            width = 2;
        }
    }
    return width;
}

size_t
cli_display_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0;
    while (*p != '\0') {
        uint32_t cp;
        size_t len = cli_utf8_decode(p, &cp);
        width += len > 0 ? cli_cp_width(cp) : 1;
        p += len > 0 ? len : 1;
    }
    return width;
}

/* A copy of s (owned; NULL when out of memory) where each byte that is not part of valid
 * UTF-8 becomes `bad`, and, when no_controls, each control character becomes '?' so that
 * text from the daemon cannot break a table or drive the terminal. */
static char *
utf8_sanitize(const char *s, const char *bad, bool no_controls)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad_len = strlen(bad);
    char *copy = malloc(strlen(s) * (bad_len > 1 ? bad_len : 1) + 1);
    size_t n = 0;
    if (copy == NULL) {
        goto fail;
    }
    while (*p != '\0') {
        uint32_t cp;
        size_t len = cli_utf8_decode(p, &cp);
        if (len == 0) {
            memcpy(copy + n, bad, bad_len);
            n += bad_len;
            len = 1;
        } else if (no_controls && (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))) {
            copy[n++] = '?';
        } else {
            memcpy(copy + n, p, len);
            n += len;
        }
        p += len;
    }
    copy[n] = '\0';
fail:
    return copy;
}

/* ---- tables ------------------------------------------------------------------------------ */

void
cli_table_init(cli_table *t, const cli_column *cols, size_t n_cols)
{
    BZL_ASSERT(n_cols > 0);
    *t = (cli_table){.cols = cols, .n_cols = n_cols};
}

void
cli_table_add(cli_table *t, const char *text)
{
    char *cell = NULL;
    bool ok = false;
    if (t->failed) {
        goto fail;
    }
    if (t->n_cells == t->cap_cells) {
        size_t cap = t->cap_cells == 0 ? 64 : t->cap_cells * 2;
        char **cells = realloc(t->cells, cap * sizeof *cells);
        if (cells == NULL) {
            goto fail;
        }
        t->cells = cells;
        t->cap_cells = cap;
    }
    cell = utf8_sanitize(text != NULL ? text : "", "?", true);
    if (cell == NULL) {
        goto fail;
    }
    t->cells[t->n_cells++] = cell;
    ok = true;
fail:
    t->failed = t->failed || !ok;
}

void
cli_table_addf(cli_table *t, const char *fmt, ...)
{
    char small[128];
    char *text = small;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0) {
        t->failed = true;
        goto done;
    }
    if ((size_t)len >= sizeof small) {
        text = malloc((size_t)len + 1);
        if (text == NULL) {
            t->failed = true;
            goto done;
        }
        va_start(ap, fmt);
        vsnprintf(text, (size_t)len + 1, fmt, ap);
        va_end(ap);
    }
    cli_table_add(t, text);
done:
    if (text != small) {
        free(text);
    }
}

/* Prints one row. Padding is held back until more text follows it, so that lines carry no
 * trailing blanks (they only get in the way of grep and diff). */
static void
row_print(char *const *cells, const cli_column *cols, const size_t *widths, size_t n_cols)
{
    size_t pending = 0;
    for (size_t i = 0; i < n_cols; i++) {
        size_t pad = widths[i] - cli_display_width(cells[i]);
        pending += cols[i].right ? pad : 0;
        if (cells[i][0] != '\0') {
            printf("%*s%s", (int)pending, "", cells[i]);
            pending = 0;
        }
        pending += (cols[i].right ? 0 : pad) + 2;
    }
    fputc('\n', stdout);
}

bzl_status
cli_table_print(const cli_table *t)
{
    bzl_status st = BZL_NO_MEMORY;
    size_t *widths = NULL;
    char **headers = NULL;
    if (t->failed || t->n_cells % t->n_cols != 0) {
        goto fail;
    }
    widths = calloc(t->n_cols, sizeof *widths);
    headers = calloc(t->n_cols, sizeof *headers);
    if (widths == NULL || headers == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        widths[i] = cli_display_width(t->cols[i].header);
    }
    for (size_t i = 0; i < t->n_cells; i++) {
        size_t w = cli_display_width(t->cells[i]);
        widths[i % t->n_cols] = w > widths[i % t->n_cols] ? w : widths[i % t->n_cols];
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        headers[i] = (char *)t->cols[i].header; /* row_print only reads */
    }
    row_print(headers, t->cols, widths, t->n_cols);
    for (size_t i = 0; i < t->n_cells; i += t->n_cols) {
        row_print(t->cells + i, t->cols, widths, t->n_cols);
    }
    st = BZL_OK;
fail:
    free(headers);
    free(widths);
    return st;
}

void
cli_table_deinit(cli_table *t)
{
    for (size_t i = 0; i < t->n_cells; i++) {
        free(t->cells[i]);
    }
    free(t->cells);
    *t = (cli_table){0};
}

/* ---- JSON -------------------------------------------------------------------------------- */

json_t *
cli_json_str(const char *s)
{
    json_t *str = NULL;
    char *clean = NULL;
    s = s != NULL ? s : "";
    str = json_string(s);
    if (str == NULL) {
        /* Protobuf does not promise valid UTF-8 and jansson refuses anything else; one odd
         * byte in a name must not cost the whole document. */
        clean = utf8_sanitize(s, "\xEF\xBF\xBD", false);
        str = clean != NULL ? json_string(clean) : NULL;
    }
    free(clean);
    return str;
}

static_assert(sizeof(json_int_t) >= sizeof(int64_t), "jansson integers hold every int64");

json_t *
cli_json_u64(uint64_t v)
{
    json_t *num = NULL;
    char digits[24];
    if (v <= (uint64_t)INT64_MAX) {
        num = json_integer((json_int_t)v);
    } else {
        snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
        num = json_string(digits);
    }
    return num;
}

void
cli_json_put(json_t *obj, const char *key, json_t *value, bool *ok)
{
    if (obj == NULL || value == NULL) {
        json_decref(value);
        *ok = false;
    } else if (json_object_set_new(obj, key, value) != 0) {
        *ok = false; /* set_new releases value on failure */
    }
}

void
cli_json_push(json_t *arr, json_t *value, bool *ok)
{
    if (arr == NULL || value == NULL) {
        json_decref(value);
        *ok = false;
    } else if (json_array_append_new(arr, value) != 0) {
        *ok = false;
    }
}

bzl_status
cli_json_print(const json_t *doc)
{
    bzl_status st = BZL_NO_MEMORY;
    /* JSON_ENCODE_ANY: a document may be an array; insertion order is kept (jansson >= 2.8),
     * so keys come out in the order the contract lists them. */
    char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY) : NULL;
    if (text == NULL) {
        goto fail;
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    st = BZL_OK;
fail:
    free(text);
    return st;
}

int
cli_emit(const cli *c, const cli_table *t, const json_t *doc, bool ok)
{
    int rc = CLI_EXIT_OK;
    bzl_status st = BZL_NO_MEMORY;
    if (ok) {
        st = c->json ? cli_json_print(doc) : cli_table_print(t);
    }
    if (st != BZL_OK) {
        fputs("bzl: NO_MEMORY: cannot build the output\n", stderr);
        rc = CLI_EXIT_TRANSPORT;
    }
    return rc;
}

/* ---- pages -------------------------------------------------------------------------------- */

void
cli_page_begin(cli_page *p, const cli *c, const cli_column *cols, size_t n_cols)
{
    p->c = c;
    p->arr = c->json ? json_array() : NULL;
    p->row = NULL;
    p->ok = !c->json || p->arr != NULL;
    cli_table_init(&p->t, cols, n_cols);
}

void
cli_page_row_begin(cli_page *p)
{
    BZL_ASSERT(p->row == NULL);
    if (p->c->json) {
        p->row = json_object();
    }
}

void
cli_page_row_end(cli_page *p)
{
    if (p->c->json) {
        cli_json_push(p->arr, p->row, &p->ok);
        p->row = NULL;
    }
}

void
cli_page_text(cli_page *p, const char *key, const char *text)
{
    if (p->c->json) {
        cli_json_put(p->row, key, cli_json_str(text), &p->ok);
    } else {
        cli_table_add(&p->t, text);
    }
}

void
cli_page_u32(cli_page *p, const char *key, uint32_t v)
{
    if (p->c->json) {
        cli_json_put(p->row, key, json_integer(v), &p->ok);
    } else {
        cli_table_addf(&p->t, "%u", (unsigned)v);
    }
}

void
cli_page_u64(cli_page *p, const char *key, uint64_t v)
{
    if (p->c->json) {
        cli_json_put(p->row, key, cli_json_u64(v), &p->ok);
    } else {
        cli_table_addf(&p->t, "%llu", (unsigned long long)v);
    }
}

void
cli_page_yes_no(cli_page *p, const char *key, bool v)
{
    if (p->c->json) {
        cli_json_put(p->row, key, json_boolean(v), &p->ok);
    } else {
        cli_table_add(&p->t, v ? "yes" : "no");
    }
}

int
cli_page_end(cli_page *p)
{
    BZL_ASSERT(p->row == NULL);
    int rc = cli_emit(p->c, &p->t, p->arr, p->ok);
    cli_page_abort(p);
    return rc;
}

void
cli_page_abort(cli_page *p)
{
    BZL_ASSERT(p->row == NULL);
    json_decref(p->arr);
    p->arr = NULL;
    cli_table_deinit(&p->t);
}
