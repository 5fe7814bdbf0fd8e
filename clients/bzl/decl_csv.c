/* decl_csv.c — CSV declaration files, as ERP exports write them: a header row naming the
 * fields, then one row per declaration line with the declaration's columns repeated. The rows
 * become the JSON document decl_json.c checks and submits, so both formats mean the same;
 * what only a row can say (its line and column) is checked here, where that is known. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Columns in a row: the 22 fields with room for an exporter's extra columns to be named. */
#define CSV_COLUMNS_MAX 64u

/* What a cell becomes in the JSON document: text (which decl_json.c checks by the field's rule,
 * naming this row's line), or the JSON number or boolean the JSON format writes there. */
typedef enum col_type { C_TEXT, C_ITEM, C_BOOL, C_LOTS } col_type;

typedef struct col_spec {
    const char *name;
    bool line_level; /* a line's field; otherwise the declaration's, repeated on its rows */
    bool required;
    col_type type;
} col_spec;

/* The JSON field names (README, decl_json.c), in the order they are documented. A new field
 * is one row here, one in decl_json.c's tables, and its Chinese names in col_aliases. */
static const col_spec specs[] = {
    {"id", false, true, C_TEXT},
    {"enterprise", false, true, C_TEXT},
    {"book", false, true, C_TEXT},
    {"kind", false, true, C_TEXT},
    {"direction", false, true, C_TEXT},
    {"trade_mode", false, true, C_TEXT},
    {"date", false, true, C_TEXT},
    {"pending", false, false, C_BOOL},
    {"related_book", false, false, C_TEXT},
    {"related_id", false, false, C_TEXT},
    {"origin", false, false, C_TEXT},
    {"duty_basis", false, false, C_TEXT},
    {"tax_date", false, false, C_TEXT},
    {"item", true, true, C_ITEM},
    {"qty", true, true, C_TEXT},
    {"unit", true, true, C_TEXT},
    {"value", true, true, C_TEXT},
    {"currency", true, true, C_TEXT},
    {"usd", true, false, C_TEXT},
    {"bom_version", true, false, C_TEXT},
    {"mode", true, false, C_TEXT},
    {"country", true, false, C_TEXT},
    /* SPECIFIC lots: RECEIPT:LINE:QTY, several separated by ';' (docs/TAX.md) */
    {"lots", true, false, C_LOTS},
};

/* The Chinese column names a header may use for a field, as the customs declaration forms and
 * the ERP exports built on them name the columns (docs/FILES.md lists them; bzl(1) too). A
 * header cell matches a field's own name in any case, or one of these exactly. */
typedef struct col_alias {
    const char *alias;
    const char *field;
} col_alias;

static const col_alias col_aliases[] = {
    {"编号", "id"},
    {"清单编号", "id"},
    {"企业编码", "enterprise"},
    {"经营单位编码", "enterprise"},
    {"账册号", "book"},
    {"账册编号", "book"},
    {"料件成品标志", "kind"},
    {"类型", "kind"},
    {"进出口标志", "direction"},
    {"进出标志", "direction"},
    {"监管方式", "trade_mode"},
    {"申报日期", "date"},
    {"日期", "date"},
    {"待审", "pending"},
    {"关联账册号", "related_book"},
    {"关联编号", "related_id"},
    {"关联清单编号", "related_id"},
    {"料号", "item"},
    {"备案序号", "item"},
    {"项号", "item"},
    {"数量", "qty"},
    {"申报数量", "qty"},
    {"单位", "unit"},
    {"计量单位", "unit"},
    {"申报单位", "unit"},
    {"金额", "value"},
    {"总价", "value"},
    {"申报总价", "value"},
    {"币制", "currency"},
    {"美元金额", "usd"},
    {"单耗版本号", "bom_version"},
    {"业务模式", "mode"},
    {"国别", "country"},
    {"原产国", "country"},
    {"原产国(地区)", "country"},
    {"最终目的国", "country"},
    {"征税方式", "duty_basis"},
    {"选择性征税", "duty_basis"},
    {"缴款书日期", "tax_date"},
    {"税款缴款书日期", "tax_date"},
    {"批次", "lots"},
    /* stocktake files (cmd_recon.c) */
    {"盘点数量", "qty"},
};
#define SPECS_COUNT (sizeof specs / sizeof specs[0])
static_assert(SPECS_COUNT <= CSV_COLUMNS_MAX, "every field fits a row");
/* Where the two fields that name a declaration sit in specs: an id is unique only within its
 * enterprise, so the pair is the declaration's key, here as in the daemon. */
enum { SPEC_ID = 0, SPEC_ENTERPRISE = 1 };

typedef struct csv_ctx {
    decl_errors *e;
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
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    decl_error(x->e, line, NULL, column, "%s", reason);
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

const char *
decl_csv_column(const char *header, const char *const *names, size_t n_names)
{
    const char *field = NULL;
    /* Excel pads a header now and then; a space is never part of a field's name. */
    size_t len = strlen(header);
    while (len > 0 && (header[len - 1] == ' ' || header[len - 1] == '\t')) {
        len--;
    }
    while (len > 0 && (*header == ' ' || *header == '\t')) {
        header++;
        len--;
    }
    for (size_t i = 0; i < BZL_ARRAY_LEN(col_aliases) && field == NULL; i++) {
        if (strlen(col_aliases[i].alias) == len && memcmp(col_aliases[i].alias, header, len) == 0) {
            field = col_aliases[i].field;
        }
    }
    for (size_t i = 0; i < n_names; i++) {
        bool named = field != NULL
                         ? strcmp(field, names[i]) == 0
                         : strlen(names[i]) == len && strncasecmp(names[i], header, len) == 0;
        if (named) {
            return names[i];
        }
    }
    return NULL;
}

static int
spec_index(const char *name)
{
    static const char *names[SPECS_COUNT];
    if (names[0] == NULL) {
        for (size_t i = 0; i < SPECS_COUNT; i++) {
            names[i] = specs[i].name;
        }
    }
    const char *field = decl_csv_column(name, names, SPECS_COUNT);
    for (size_t i = 0; field != NULL && i < SPECS_COUNT; i++) {
        if (strcmp(specs[i].name, field) == 0) {
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
                      "unknown column (the header names the fields, in any case or by their "
                      "Chinese names: id/编号, enterprise, book, …, item/料号, qty/数量, "
                      "unit/单位, …; see bzl(1))");
        } else if (x->col_of[s] >= 0) {
            csv_error(x, line, x->fields[c], "names field %s, which another column names too",
                      specs[s].name);
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

/* Why the non-empty text v is not a valid value of its column, or NULL. Only the cells that
 * become JSON numbers or booleans are checked here; the rest go as text to decl_json.c, which
 * checks every field by the daemon's rules and names this row's line. */
static const char *
cell_problem(col_type type, const char *v)
{
    size_t len = strlen(v);
    switch (type) {
    case C_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? NULL : "must be true or false";
    case C_ITEM:
        if (len > 9 || strspn(v, "0123456789") != len || strtoul(v, NULL, 10) == 0) {
            return "must be a whole number from 1 to 999999999";
        }
        return NULL;
    case C_TEXT:
    case C_LOTS:
        return NULL;
    }
    return "has a type this build does not know";
}

/* A lots cell, RECEIPT:LINE:QTY[;RECEIPT:LINE:QTY…], as the JSON format's array of lot objects
 * (the receipt id may hold ':' itself: the last two separate). NULL after saying why. The
 * receipt and the quantity go on as text, which decl_json.c checks naming this row's line. */
static json_t *
lots_json(csv_ctx *x, size_t line, const char *v)
{
    json_t *arr = json_array();
    const char *p = v;
    size_t n = 0;
    while (arr != NULL && *p != '\0') {
        const char *end = strchr(p, ';');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        char one[160];
        n++;
        bool ok = len > 0 && len < sizeof one;
        char *qty = NULL;
        char *num = NULL;
        if (ok) {
            memcpy(one, p, len);
            one[len] = '\0';
            qty = strrchr(one, ':');
            if (qty != NULL) {
                *qty++ = '\0';
                num = strrchr(one, ':');
            }
            if (num != NULL) {
                *num++ = '\0';
            }
            ok = num != NULL && one[0] != '\0' && *qty != '\0' && cell_problem(C_ITEM, num) == NULL;
        }
        json_t *lot = NULL;
        if (ok) {
            json_t *id = json_string(one);
            json_t *q = json_string(qty);
            lot = id != NULL && q != NULL ? json_pack("{s:o,s:I,s:o}", "receipt", id, "line",
                                                      (json_int_t)strtoul(num, NULL, 10), "qty", q)
                                          : NULL;
            if (lot == NULL) {
                json_decref(id);
                json_decref(q);
            }
        }
        if (lot == NULL) {
            csv_error(x, line, "lots",
                      "lot %zu \"%.*s\" is not RECEIPT:LINE:QTY (the receipt declaration's "
                      "id, its line number, the quantity taken; several separated by ';')",
                      n, (int)(len < 60 ? len : 60), p);
            json_decref(arr);
            return NULL;
        }
        json_array_append_new(arr, lot);
        p += len + (end != NULL);
    }
    return arr;
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
    } else if (why == NULL && sp->type == C_LOTS) {
        j = lots_json(x, line, v);
        if (j == NULL) {
            *bad = true;
            return NULL;
        }
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
    json_t *obj;  /* borrowed from the root array */
    json_t *rows; /* borrowed from the rows document: the file lines of its rows */
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
decl_start(csv_ctx *x, size_t line, json_t *root, json_t *rows, json_t *ids, csv_decl *d, bool *bad)
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
    d->rows = json_array();
    json_array_append_new(rows, d->rows);
    d->first_line = line;
    for (size_t i = 0; i < SPECS_COUNT; i++) {
        d->first[i] = specs[i].line_level ? NULL : strdup(cell(x, i));
    }
    if (id[0] != '\0') {
        seen_add(ids, enterprise, id, line);
    }
}

static void
row_add(csv_ctx *x, size_t line, json_t *root, json_t *rows, json_t *ids, csv_decl *d)
{
    bool bad = false;
    if (decl_same(x, d)) {
        repeat_check(x, line, d, &bad);
    } else {
        decl_start(x, line, root, rows, ids, d, &bad);
    }
    json_t *obj = json_object();
    level_fill(x, line, true, obj, &bad);
    if (d->obj != NULL && !bad) {
        json_array_append(json_object_get(d->obj, "lines"), obj);
        json_array_append_new(d->rows, json_integer((json_int_t)line));
    }
    json_decref(obj);
}

/* ---- the file ---------------------------------------------------------------------------- */

/* Reads the header and every row of the text in x into root and rows. BZL_OK, BZL_MALFORMED
 * (said), BZL_NO_MEMORY. */
static bzl_status
rows_read(csv_ctx *x, json_t *root, json_t *rows)
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
    while (rc > 0 && x->e->count <= CLI_FILE_ERRORS_MAX) {
        rc = record_read(x, &line);
        if (rc > 0) {
            row_add(x, line, root, rows, ids, &d);
        }
    }
    csv_decl_reset(&d);
    json_decref(ids);
    if (rc == -2) {
        return BZL_NO_MEMORY;
    }
    return x->e->count > 0 || rc < 0 ? BZL_MALFORMED : BZL_OK;
}

bzl_status
decl_csv_read(decl_errors *e, const char *text, size_t len, json_t **root, json_t **rows)
{
    csv_ctx x = {.e = e, .line = 1, .p = text, .end = text + len};
    json_t *doc = json_array();
    json_t *where = json_array();
    bzl_status st = doc == NULL || where == NULL ? BZL_NO_MEMORY : rows_read(&x, doc, where);
    if (st == BZL_OK) {
        *root = doc;
        *rows = where;
        doc = NULL;
        where = NULL;
    }
    json_decref(doc);
    json_decref(where);
    free(x.buf);
    return st;
}

/* ---- any table (stocktakes) ------------------------------------------------------------ */

bzl_status
decl_csv_records(decl_errors *e, const char *text, size_t len, const char *const *names,
                 size_t n_names, json_t **out)
{
    csv_ctx x = {.e = e, .line = 1, .p = text, .end = text + len};
    const char *col_field[CSV_COLUMNS_MAX] = {0};
    size_t line = 1;
    json_t *arr = json_array();
    bzl_status st = BZL_NO_MEMORY;
    int rc = arr == NULL ? -2 : record_read(&x, &line);
    if (rc == 0) {
        csv_error(&x, 1, NULL, "empty: a CSV file opens with a header row");
    }
    for (size_t c = 0; rc > 0 && c < x.n_fields; c++) {
        col_field[c] = decl_csv_column(x.fields[c], names, n_names);
        if (col_field[c] == NULL) {
            csv_error(&x, line, x.fields[c], "unknown column");
        }
    }
    while (rc > 0 && x.e->count == 0) {
        rc = record_read(&x, &line);
        json_t *obj = rc > 0 ? json_object() : NULL;
        for (size_t c = 0; obj != NULL && c < x.n_fields; c++) {
            if (col_field[c] != NULL && x.fields[c][0] != '\0') {
                json_object_set_new(obj, col_field[c], json_string(x.fields[c]));
            }
        }
        if (obj != NULL) {
            json_object_set_new(obj, "_line", json_integer((json_int_t)line));
            json_array_append_new(arr, obj);
        }
    }
    if (rc != -2) {
        st = x.e->count > 0 || rc < 0 ? BZL_MALFORMED : BZL_OK;
    }
    if (st == BZL_OK) {
        *out = arr;
        arr = NULL;
    }
    json_decref(arr);
    free(x.buf);
    return st;
}
