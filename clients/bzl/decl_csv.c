/* decl_csv.c — CSV declaration files, as ERP exports write them: a header row naming the
 * fields, then one row per declaration line with the declaration's columns repeated. The rows
 * become the JSON document decl_json.c checks and submits, so both formats mean the same;
 * what only a row can say (its line and column) is checked here, where that is known. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bzl/calendar.h"
#include "bzl/codes.h"
#include "bzl/decimal.h"
#include "cli.h"

/* A declaration file is read whole: 64 MiB is several hundred thousand lines, far past a
 * month-end export, and bounds what a wrong file can make the CLI allocate. */
#define CSV_FILE_BYTES_MAX (64u << 20)
/* Columns in a row: the 19 fields with room for an exporter's extra columns to be named. */
#define CSV_COLUMNS_MAX 64u

typedef enum col_type { C_TEXT, C_DECIMAL, C_DATE, C_ITEM, C_BOOL, C_KIND, C_DIR, C_MODE } col_type;

typedef struct col_spec {
    const char *name;
    bool line_level; /* a line's field; otherwise the declaration's, repeated on its rows */
    bool required;
    col_type type;
} col_spec;

/* The JSON field names (README, decl_json.c), in the order they are documented. */
static const col_spec specs[] = {
    {"id", false, true, C_TEXT},
    {"enterprise", false, true, C_TEXT},
    {"book", false, true, C_TEXT},
    {"kind", false, true, C_KIND},
    {"direction", false, true, C_DIR},
    {"trade_mode", false, true, C_TEXT},
    {"date", false, true, C_DATE},
    {"pending", false, false, C_BOOL},
    {"related_book", false, false, C_TEXT},
    {"related_id", false, false, C_TEXT},
    {"origin", false, false, C_TEXT},
    {"item", true, true, C_ITEM},
    {"qty", true, true, C_DECIMAL},
    {"unit", true, true, C_TEXT},
    {"value", true, true, C_DECIMAL},
    {"currency", true, true, C_TEXT},
    {"usd", true, false, C_DECIMAL},
    {"bom_version", true, false, C_TEXT},
    {"mode", true, false, C_MODE},
    {"country", true, false, C_TEXT},
};
#define SPECS_COUNT (sizeof specs / sizeof specs[0])
static_assert(SPECS_COUNT <= CSV_COLUMNS_MAX, "every field fits a row");
/* Where the two fields that name a declaration sit in specs: an id is unique only within its
 * enterprise, so the pair is the declaration's key, here as in the daemon. */
enum { SPEC_ID = 0, SPEC_ENTERPRISE = 1 };

typedef struct csv_ctx {
    const char *label;
    unsigned errors;
    const char *p, *end; /* what is left of the file */
    size_t line;         /* physical line of p, 1-based */
    char *fields[CSV_COLUMNS_MAX];
    size_t n_fields;
    char *buf; /* the current record's fields, NUL-separated */
    size_t buf_len, buf_cap;
    int col_of[SPECS_COUNT]; /* the column holding each spec, -1 when absent */
} csv_ctx;

BZL_PRINTF(4, 5)
static void
csv_error(csv_ctx *x, size_t line, const char *column, const char *fmt, ...)
{
    x->errors++;
    if (x->errors > CLI_FILE_ERRORS_MAX) {
        if (x->errors == CLI_FILE_ERRORS_MAX + 1) {
            fprintf(stderr, "%s: too many errors; the rest of the file was not checked\n",
                    x->label);
        }
        return;
    }
    fprintf(stderr, "%s:%zu: ", x->label, line);
    if (column != NULL) {
        fprintf(stderr, "column \"%s\": ", column);
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- records ----------------------------------------------------------------------------- */

static bool
buf_put(csv_ctx *x, char ch)
{
    if (x->buf_len == x->buf_cap) {
        size_t cap = x->buf_cap == 0 ? 256 : x->buf_cap * 2;
        char *b = realloc(x->buf, cap);
        if (b == NULL) {
            return false;
        }
        x->buf = b;
        x->buf_cap = cap;
    }
    x->buf[x->buf_len++] = ch;
    return true;
}

/* Reads one field (RFC 4180: quoted with "" for a quote, or bare) up to its separator.
 * Returns 1 more fields follow, 0 the record ended, -1 an error was said, -2 no memory. */
static int
field_read(csv_ctx *x, size_t rec_line)
{
    bool quoted = x->p < x->end && *x->p == '"';
    x->p += quoted;
    for (;;) {
        if (x->p == x->end) {
            if (quoted) {
                csv_error(x, rec_line, NULL, "a quoted field is not closed before the end");
                return -1;
            }
            return buf_put(x, '\0') ? 0 : -2;
        }
        char ch = *x->p++;
        if (quoted && ch == '"' && x->p < x->end && *x->p == '"') {
            x->p++;
        } else if (quoted && ch == '"') {
            quoted = false;
            if (x->p < x->end && *x->p != ',' && *x->p != '\n' && *x->p != '\r') {
                csv_error(x, x->line, NULL, "text after a closing quote");
                return -1;
            }
            continue;
        } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
            if (ch == '\r' && x->p < x->end && *x->p == '\n') {
                x->p++;
            }
            x->line += ch != ',';
            return buf_put(x, '\0') ? (ch == ',' ? 1 : 0) : -2;
        } else if (!quoted && ch == '"') {
            csv_error(x, x->line, NULL, "a quote inside an unquoted field");
            return -1;
        }
        x->line += ch == '\n';
        if (!buf_put(x, ch)) {
            return -2;
        }
    }
}

/* Reads the next record into x->fields. Returns 1 a record, 0 the end, -1 an error was said
 * (the caller stops), -2 no memory. *rec_line is the line it starts on. Blank lines are
 * skipped. */
static int
record_read(csv_ctx *x, size_t *rec_line)
{
    while (x->p < x->end && (*x->p == '\n' || *x->p == '\r')) {
        x->line += *x->p == '\n';
        x->p++;
    }
    if (x->p == x->end) {
        return 0;
    }
    *rec_line = x->line;
    x->buf_len = 0;
    size_t starts[CSV_COLUMNS_MAX];
    size_t n = 0;
    int more = 1;
    while (more == 1) {
        if (n == CSV_COLUMNS_MAX) {
            csv_error(x, *rec_line, NULL, "more than %u columns", CSV_COLUMNS_MAX);
            return -1;
        }
        starts[n++] = x->buf_len;
        more = field_read(x, *rec_line);
        if (more < 0) {
            return more;
        }
    }
    for (size_t i = 0; i < n; i++) {
        x->fields[i] = x->buf + starts[i];
    }
    x->n_fields = n;
    return 1;
}

/* ---- the header -------------------------------------------------------------------------- */

static int
spec_index(const char *name)
{
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        if (strcmp(specs[i].name, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

/* Maps the header's columns to fields: unknown, repeated and missing columns are errors. */
static void
header_map(csv_ctx *x, size_t line)
{
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        x->col_of[i] = -1;
    }
    for (size_t c = 0; c < x->n_fields; c++) {
        int s = spec_index(x->fields[c]);
        if (s < 0) {
            csv_error(x, line, x->fields[c],
                      "unknown column (the header names the fields: id, "
                      "enterprise, book, …, item, qty, unit, …)");
        } else if (x->col_of[s] >= 0) {
            csv_error(x, line, x->fields[c], "named twice in the header");
        } else {
            x->col_of[s] = (int)c;
        }
    }
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        if (specs[i].required && x->col_of[i] < 0) {
            csv_error(x, line, specs[i].name, "missing from the header");
        }
    }
}

/* ---- rows -------------------------------------------------------------------------------- */

/* The cell of field i on this row ("" when the column is absent or the row is short). */
static const char *
cell(const csv_ctx *x, size_t i)
{
    int c = x->col_of[i];
    return c >= 0 && (size_t)c < x->n_fields ? x->fields[c] : "";
}

/* Why the non-empty text v is not a valid value of its column, or NULL. Decimals and dates
 * are checked with the daemon's own rules (lib), so a row is refused here with its line. */
static const char *
cell_problem(col_type type, const char *v)
{
    size_t len = strlen(v);
    int64_t e5 = 0;
    int32_t days = 0;
    Bzl__V1__Kind kind;
    Bzl__V1__Direction dir;
    Bzl__V1__BizMode mode;
    switch (type) {
    case C_DECIMAL:
        return bzl_dec_parse(v, len, BZL_SCALE_QTY, false, &e5) == BZL_OK
                   ? NULL
                   : "is not a plain decimal (at most 13 digits, a point and 5 decimals; no sign, "
                     "exponent or separators)";
    case C_DATE:
        return bzl_date_parse(v, len, &days) == BZL_OK ? NULL : "is not a date YYYY-MM-DD";
    case C_KIND:
        return cli_kind_parse(v, &kind) ? NULL : "must be material or product";
    case C_DIR:
        return cli_direction_parse(v, &dir) ? NULL : "must be in or out";
    case C_MODE:
        return cli_mode_parse(v, &mode) ? NULL : "must be OEM, ODM or OBM";
    case C_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? NULL : "must be true or false";
    case C_ITEM:
        if (len > 9 || strspn(v, "0123456789") != len || strtoul(v, NULL, 10) == 0) {
            return "must be a whole number from 1 to 999999999";
        }
        return NULL;
    case C_TEXT:
        return NULL;
    }
    return "has a type this build does not know";
}

/* The JSON value of field i on this row: NULL when it is empty and optional, or after an error
 * was said (then *bad is set). */
static json_t *
cell_json(csv_ctx *x, size_t line, size_t i, bool *bad)
{
    const col_spec *sp = &specs[i];
    const char *v = cell(x, i);
    if (v[0] == '\0') {
        if (sp->required) {
            csv_error(x, line, sp->name, "is empty");
            *bad = true;
        }
        return NULL;
    }
    const char *why = cell_problem(sp->type, v);
    json_t *j = NULL;
    if (why == NULL && sp->type == C_ITEM) {
        j = json_integer((json_int_t)strtoul(v, NULL, 10));
    } else if (why == NULL && sp->type == C_BOOL) {
        j = json_boolean(strcmp(v, "true") == 0);
    } else if (why == NULL) {
        j = json_string(v); /* NULL for invalid UTF-8 */
        why = j == NULL ? "is not valid UTF-8" : NULL;
    }
    if (why != NULL) {
        csv_error(x, line, sp->name, "\"%.40s\" %s", v, why);
        *bad = true;
    }
    return j;
}

/* Sets the fields of one level (the declaration's or a line's) from the row into obj. */
static void
level_fill(csv_ctx *x, size_t line, bool line_level, json_t *obj, bool *bad)
{
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        if (specs[i].line_level != line_level) {
            continue;
        }
        json_t *j = cell_json(x, line, i, bad);
        if (j != NULL) {
            json_object_set_new(obj, specs[i].name, j);
        }
    }
}

/* The declaration being assembled: its object and its first row's declaration cells, which
 * every further row of it must repeat. */
typedef struct csv_decl {
    json_t *obj; /* borrowed from the root array */
    size_t first_line;
    char *first[SPECS_COUNT]; /* owned copies */
} csv_decl;

static void
csv_decl_reset(csv_decl *d)
{
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        free(d->first[i]);
    }
    memset(d, 0, sizeof *d);
}

/* True when this row names the current declaration: the same enterprise and id. */
static bool
decl_same(const csv_ctx *x, const csv_decl *d)
{
    return d->obj != NULL && d->first[SPEC_ID] != NULL && d->first[SPEC_ENTERPRISE] != NULL &&
           strcmp(cell(x, SPEC_ID), d->first[SPEC_ID]) == 0 &&
           strcmp(cell(x, SPEC_ENTERPRISE), d->first[SPEC_ENTERPRISE]) == 0;
}

/* The declarations begun so far are kept as ids[enterprise][id] = first line, since another
 * enterprise may use the same id. The line where (enterprise, id) began, or 0. */
static json_int_t
seen_line(json_t *ids, const char *enterprise, const char *id)
{
    return json_integer_value(json_object_get(json_object_get(ids, enterprise), id));
}

static void
seen_add(json_t *ids, const char *enterprise, const char *id, size_t line)
{
    json_t *of = json_object_get(ids, enterprise);
    /* Either set is refused (and its value released) for text that is not UTF-8, which
     * cell_json has already said; the file is then refused anyway. */
    if (of == NULL) {
        of = json_object();
        if (json_object_set_new(ids, enterprise, of) != 0) {
            return;
        }
    }
    (void)json_object_set_new(of, id, json_integer((json_int_t)line));
}

/* A further row of the current declaration must repeat its declaration columns exactly. */
static void
repeat_check(csv_ctx *x, size_t line, const csv_decl *d, bool *bad)
{
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        if (!specs[i].line_level && d->first[i] != NULL && strcmp(cell(x, i), d->first[i]) != 0) {
            csv_error(x, line, specs[i].name,
                      "is \"%.40s\" here but \"%.40s\" on line %zu, the first row of declaration "
                      "%.64s",
                      cell(x, i), d->first[i], d->first_line, d->first[SPEC_ID]);
            *bad = true;
        }
    }
}

/* Starts a new declaration from this row. */
static void
decl_start(csv_ctx *x, size_t line, json_t *root, json_t *ids, csv_decl *d, bool *bad)
{
    const char *id = cell(x, SPEC_ID);
    const char *enterprise = cell(x, SPEC_ENTERPRISE);
    json_int_t began = seen_line(ids, enterprise, id);
    if (began > 0) {
        csv_error(x, line, "id",
                  "declaration %.64s of enterprise %.64s appears again; its rows must be together "
                  "(it began on line %" JSON_INTEGER_FORMAT ")",
                  id, enterprise, began);
        *bad = true;
        return;
    }
    csv_decl_reset(d);
    json_t *obj = json_object();
    level_fill(x, line, false, obj, bad);
    json_object_set_new(obj, "lines", json_array());
    json_array_append_new(root, obj);
    d->obj = obj;
    d->first_line = line;
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        d->first[i] = specs[i].line_level ? NULL : strdup(cell(x, i));
    }
    if (id[0] != '\0') {
        seen_add(ids, enterprise, id, line);
    }
}

static void
row_add(csv_ctx *x, size_t line, json_t *root, json_t *ids, csv_decl *d)
{
    bool bad = false;
    if (decl_same(x, d)) {
        repeat_check(x, line, d, &bad);
    } else {
        decl_start(x, line, root, ids, d, &bad);
    }
    json_t *obj = json_object();
    level_fill(x, line, true, obj, &bad);
    if (d->obj != NULL && !bad) {
        json_array_append(json_object_get(d->obj, "lines"), obj);
    }
    json_decref(obj);
}

/* ---- the file ---------------------------------------------------------------------------- */

/* Reads the whole file (path "-": standard input) into *buf, at most CSV_FILE_BYTES_MAX. */
static bzl_status
file_slurp(const char *path, const char *label, char **buf, size_t *len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    bzl_status st = BZL_MALFORMED;
    size_t cap = 1u << 16, n = 0;
    char *b = NULL;
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open: %s\n", label, strerror(errno));
        goto done;
    }
    for (;;) {
        if (n == cap || b == NULL) {
            cap = b == NULL ? cap : cap * 2;
            char *nb = realloc(b, cap);
            if (nb == NULL) {
                st = BZL_NO_MEMORY;
                goto done;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, fp);
        n += got;
        if (n > CSV_FILE_BYTES_MAX) {
            fprintf(stderr, "%s: larger than %u MiB; split it\n", label, CSV_FILE_BYTES_MAX >> 20);
            goto done;
        }
        if (got == 0) {
            break;
        }
    }
    if (ferror(fp)) {
        fprintf(stderr, "%s: cannot read: %s\n", label, strerror(errno));
        goto done;
    }
    *buf = b;
    *len = n;
    b = NULL;
    st = BZL_OK;
done:
    free(b);
    if (fp != NULL && !is_stdin) {
        fclose(fp);
    }
    return st;
}

/* Reads the header and every row of the text in x into root. BZL_OK, BZL_MALFORMED (said),
 * BZL_NO_MEMORY. */
static bzl_status
rows_read(csv_ctx *x, json_t *root)
{
    size_t line = 1;
    int rc = record_read(x, &line);
    if (rc == 0) {
        csv_error(x, 1, NULL, "empty: a CSV declaration file opens with a header row");
        return BZL_MALFORMED;
    }
    BZL_ASSERT(strcmp(specs[SPEC_ID].name, "id") == 0);
    BZL_ASSERT(strcmp(specs[SPEC_ENTERPRISE].name, "enterprise") == 0);
    if (rc > 0) {
        header_map(x, line);
    }
    json_t *ids = json_object();
    csv_decl d = {0};
    while (rc > 0 && x->errors <= CLI_FILE_ERRORS_MAX) {
        rc = record_read(x, &line);
        if (rc > 0) {
            row_add(x, line, root, ids, &d);
        }
    }
    csv_decl_reset(&d);
    json_decref(ids);
    if (rc == -2) {
        return BZL_NO_MEMORY;
    }
    return x->errors > 0 || rc < 0 ? BZL_MALFORMED : BZL_OK;
}

bzl_status
decl_csv_read(const char *path, const char *label, json_t **root)
{
    csv_ctx x = {.label = label, .line = 1};
    char *text = NULL;
    size_t len = 0;
    bzl_status st = file_slurp(path, label, &text, &len);
    if (st != BZL_OK) {
        return st;
    }
    x.p = text;
    x.end = text + len;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        x.p += 3; /* a UTF-8 byte-order mark, as spreadsheet programs write */
    }
    json_t *doc = json_array();
    st = doc == NULL ? BZL_NO_MEMORY : rows_read(&x, doc);
    if (st == BZL_OK) {
        *root = doc;
        doc = NULL;
    }
    json_decref(doc);
    free(x.buf);
    free(text);
    return st;
}
