/* decl_json.c — reads declaration files (JSON, or CSV through decl_csv.c) strictly into
 * protobuf Declarations. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "bzl/calendar.h"
#include "bzl/codes.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"
#include "cli.h"

/* The file layout mirrors bzl.proto's Declaration and DeclarationLine with the same names.
 * Every field is checked here by the daemon's own rules (lib: codes.h, decimal.h,
 * calendar.h), so a file with any error sends nothing and each error names its place; the
 * daemon checks them again and alone knows the rest (items, balances, books). Decimals must be
 * JSON strings: a JSON number may pass through binary floating point in some ERP's exporter. */

typedef enum field_type {
    FT_TEXT,      /* a string, stored as char *, checked by spec->check when it has one */
    FT_DECIMAL,   /* a string holding a decimal, stored as char * */
    FT_DATE,      /* a string YYYY-MM-DD, stored as char * */
    FT_BOOL,      /* true or false, stored as protobuf_c_boolean */
    FT_ITEM,      /* an integer 1..BZL_ITEM_NO_MAX, stored as uint32_t */
    FT_KIND,      /* "material" | "product" */
    FT_DIRECTION, /* "in" | "out" */
    FT_MODE,      /* "OEM" | "ODM" | "OBM" */
    FT_LINES,     /* the array of line objects, handled by lines_fill */
    FT_LOTS,      /* a line's array of lot objects, handled by lots_fill */
} field_type;

/* A code's rule: the lib's check, the width its digits are padded to (0: not a number a
 * spreadsheet may strip), and what it is, for the message. */
typedef struct code_rule {
    bzl_status (*check)(const char *s, size_t len);
    size_t width;
    const char *what;
} code_rule;

typedef struct field_spec {
    const char *name;
    field_type type;
    bool required;
    size_t offset;         /* of the member in Bzl__V1__Declaration or Bzl__V1__DeclarationLine */
    const code_rule *code; /* FT_TEXT only: NULL for free text */
    size_t bytes_max;      /* FT_TEXT without a code: its longest (0: no bound here) */
} field_spec;

static bzl_status
check_book(const char *s, size_t len)
{
    return len == BZL_BOOK_NO_LEN ? bzl_code_check_book(s, len, NULL) : BZL_INVALID_CODE;
}

static const code_rule rule_enterprise = {bzl_code_check_enterprise, 0,
                                          "an enterprise code of 10 digits or capitals"};
static const code_rule rule_book = {check_book, 0,
                                    "a book number of 12 digits or capitals opening with B, C, "
                                    "E, H or T"};
static const code_rule rule_trade_mode = {bzl_code_check_trade_mode, BZL_TRADE_MODE_LEN,
                                          "a trade mode of 4 digits (e.g. 5015)"};
static const code_rule rule_unit = {bzl_code_check_unit, BZL_UNIT_LEN,
                                    "a customs unit code (e.g. 035 kilogram, 007 piece)"};
static const code_rule rule_currency = {bzl_code_check_currency, BZL_CURRENCY_LEN,
                                        "a customs currency code (e.g. 502 USD, 142 CNY)"};
static const code_rule rule_country = {bzl_code_check_country, BZL_COUNTRY_LEN,
                                       "a customs country code of 3 digits (e.g. 142 China)"};

/* clang-format off */
#define DECL_FIELD(name, type, required, code, bytes_max)                                          \
    { #name, type, required, offsetof(Bzl__V1__Declaration, name), code, bytes_max }
#define LINE_FIELD(name, type, required, code, bytes_max)                                          \
    { #name, type, required, offsetof(Bzl__V1__DeclarationLine, name), code, bytes_max }
/* clang-format on */

/* One row per field: a new field (issues 18 and 19 add some) is one row here and one in
 * decl_csv.c's specs, with its Chinese column names in decl_csv.c's col_aliases. */
static const field_spec decl_fields[] = {
    DECL_FIELD(id, FT_TEXT, true, NULL, BZL_DECL_ID_BYTES_MAX),
    DECL_FIELD(enterprise, FT_TEXT, true, &rule_enterprise, 0),
    DECL_FIELD(book, FT_TEXT, true, &rule_book, 0),
    DECL_FIELD(kind, FT_KIND, true, NULL, 0),
    DECL_FIELD(direction, FT_DIRECTION, true, NULL, 0),
    DECL_FIELD(trade_mode, FT_TEXT, true, &rule_trade_mode, 0),
    DECL_FIELD(date, FT_DATE, true, NULL, 0),
    DECL_FIELD(pending, FT_BOOL, false, NULL, 0),
    DECL_FIELD(related_book, FT_TEXT, false, &rule_book, 0),
    DECL_FIELD(related_id, FT_TEXT, false, NULL, BZL_DECL_ID_BYTES_MAX),
    /* repair books: abroad | outside (the daemon checks the word and where it belongs) */
    DECL_FIELD(origin, FT_TEXT, false, NULL, 16),
    /* domestic sales: material | product (docs/TAX.md), and the tax notice's date */
    DECL_FIELD(duty_basis, FT_TEXT, false, NULL, 16),
    DECL_FIELD(tax_date, FT_DATE, false, NULL, 0),
    DECL_FIELD(lines, FT_LINES, true, NULL, 0),
};

static const field_spec line_fields[] = {
    LINE_FIELD(item, FT_ITEM, true, NULL, 0),
    LINE_FIELD(qty, FT_DECIMAL, true, NULL, 0),
    LINE_FIELD(unit, FT_TEXT, true, &rule_unit, 0),
    LINE_FIELD(value, FT_DECIMAL, true, NULL, 0),
    LINE_FIELD(currency, FT_TEXT, true, &rule_currency, 0),
    LINE_FIELD(usd, FT_DECIMAL, false, NULL, 0),
    LINE_FIELD(bom_version, FT_TEXT, false, NULL, BZL_BOM_VERSION_BYTES_MAX),
    LINE_FIELD(mode, FT_MODE, false, NULL, 0),
    LINE_FIELD(country, FT_TEXT, false, &rule_country, 0),
    /* SPECIFIC lots: [{"receipt": ID, "line": N, "qty": "Q"}, …] (docs/TAX.md) */
    LINE_FIELD(lots, FT_LOTS, false, NULL, 0),
};

#define LOT_FIELD(name, type, required, code, bytes_max)                                           \
    {                                                                                              \
#name, type, required, offsetof(Bzl__V1__LotRef, name), code, bytes_max                    \
    }
static const field_spec lot_fields[] = {
    LOT_FIELD(receipt, FT_TEXT, true, NULL, BZL_DECL_ID_BYTES_MAX),
    LOT_FIELD(line, FT_ITEM, true, NULL, 0),
    LOT_FIELD(qty, FT_DECIMAL, true, NULL, 0),
};

/* Where the parser is, for messages: a CSV row's line, or the JSON path. */
typedef struct parse_ctx {
    decl_errors *e;
    const decl_file *f;
    size_t decl_ix;   /* 0-based */
    uint32_t line_no; /* 1-based; 0 in the declaration header */
    size_t lot_no;    /* 1-based within the line's lots; 0 outside them */
    bool in_decl;     /* decl_ix is meaningful */
    const char *id;   /* borrowed from the document: the declaration's id, NULL until known */
} parse_ctx;

BZL_PRINTF(3, 4)
static void
parse_error(parse_ctx *p, const char *field, const char *fmt, ...)
{
    char reason[400];
    char path[128] = "";
    char lot_field[48];
    size_t file_line = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (p->lot_no > 0) {
        /* A lot's own field: lots[i].qty, in the JSON path and the CSV column alike. */
        snprintf(lot_field, sizeof lot_field, "lots[%zu]%s%s", p->lot_no - 1,
                 field != NULL ? "." : "", field != NULL ? field : "");
        field = lot_field;
    }
    if (p->in_decl) {
        decl_file_where(p->f, p->decl_ix, p->line_no, field != NULL ? field : "", &file_line, path,
                        sizeof path);
    }
    /* A JSON path counts declarations; the id is what the clerk knows them by. */
    if (path[0] != '\0' && p->id != NULL) {
        decl_error(p->e, 0, path, field, "%s (declaration %.64s)", reason, p->id);
    } else {
        decl_error(p->e, file_line, path[0] != '\0' ? path : NULL, field, "%s", reason);
    }
}

/* "a number", "an array"...: what the file holds where something else was due. */
static const char *
json_type_text(const json_t *v)
{
    const char *text = "null";
    if (json_is_object(v)) {
        text = "an object";
    } else if (json_is_array(v)) {
        text = "an array";
    } else if (json_is_string(v)) {
        text = "a string";
    } else if (json_is_integer(v)) {
        text = "a number";
    } else if (json_is_real(v)) {
        text = "a real number";
    } else if (json_is_boolean(v)) {
        text = "a boolean";
    }
    return text;
}

/* ---- fields ------------------------------------------------------------------------------ */

/* Stores one of the enumerated words; the error names the words allowed. */
static void
word_store(parse_ctx *p, const field_spec *spec, const json_t *v, void *slot)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    bool ok = false;
    const char *allowed = "";
    if (spec->type == FT_KIND) {
        allowed = "\"material\" or \"product\"";
        ok = s != NULL && cli_kind_parse(s, slot);
    } else if (spec->type == FT_DIRECTION) {
        allowed = "\"in\" or \"out\"";
        ok = s != NULL && cli_direction_parse(s, slot);
    } else if (spec->type == FT_MODE) {
        allowed = "\"OEM\", \"ODM\" or \"OBM\"";
        ok = s != NULL && cli_mode_parse(s, slot);
    }
    if (!ok && s != NULL) {
        parse_error(p, spec->name, "must be %s, not \"%.40s\"", allowed, s);
    } else if (!ok) {
        parse_error(p, spec->name, "must be %s, not %s", allowed, json_type_text(v));
    }
}

/* Checks a string field by its rule; says why not. The rules are the daemon's (lib). */
static void
text_check(parse_ctx *p, const field_spec *spec, const char *s)
{
    size_t len = strlen(s);
    int64_t e5 = 0;
    int32_t days = 0;
    char padded[16];
    if (spec->type == FT_DECIMAL) {
        bzl_status st = bzl_dec_parse(s, len, BZL_SCALE_QTY, false, &e5);
        if (st != BZL_OK) {
            parse_error(p, spec->name, "\"%.40s\" %s", s,
                        st == BZL_DECIMAL_SYNTAX ? "is not a plain decimal (digits and one point; "
                                                   "no sign, exponent, comma or space)"
                                                 : "is out of range (at most 13 integer digits "
                                                   "and 5 decimals)");
        }
    } else if (spec->type == FT_DATE && bzl_date_parse(s, len, &days) != BZL_OK) {
        parse_error(p, spec->name, "\"%.40s\" is not a calendar date YYYY-MM-DD", s);
    } else if (spec->code != NULL && (len > 0 || spec->required) &&
               spec->code->check(s, len) != BZL_OK) {
        if (spec->code->width > 0 &&
            decl_zero_hint(s, spec->code->width, spec->code->check, padded, sizeof padded)) {
            parse_error(p, spec->name,
                        "\"%.40s\" is not %s; did you mean %s? (spreadsheets drop leading "
                        "zeros; format the column as text)",
                        s, spec->code->what, padded);
        } else {
            parse_error(p, spec->name, "\"%.40s\" is not %s", s, spec->code->what);
        }
    } else if (spec->bytes_max > 0 && len > spec->bytes_max) {
        parse_error(p, spec->name, "is %zu bytes long; at most %zu", len, spec->bytes_max);
    } else if (spec->type == FT_TEXT && spec->required && len == 0) {
        parse_error(p, spec->name, "is empty");
    }
}

/* Checks v against spec and stores it into the message at spec->offset. Strings are
 * borrowed from the document, which outlives the messages (decl_file). */
static void
field_store(parse_ctx *p, const field_spec *spec, const json_t *v, void *msg)
{
    void *slot = (char *)msg + spec->offset;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    bool textual = spec->type == FT_TEXT || spec->type == FT_DECIMAL || spec->type == FT_DATE;
    if (textual && json_is_string(v)) {
        /* protobuf-c declares strings char * but only reads them when packing. */
        *(char **)slot = (char *)json_string_value(v);
        text_check(p, spec, json_string_value(v));
    } else if (spec->type == FT_DECIMAL) {
        parse_error(p, spec->name,
                    "must be a string such as \"20000.5\", not %s: decimals are written as "
                    "strings to stay exact",
                    json_type_text(v));
    } else if (textual && spec->code != NULL && spec->code->width > 0 && json_is_integer(v)) {
        parse_error(p, spec->name,
                    "must be a string such as \"%0*d\", not a number: a number loses the code's "
                    "leading zeros",
                    (int)spec->code->width, 7);
    } else if (textual) {
        parse_error(p, spec->name, "must be a string, not %s", json_type_text(v));
    } else if (spec->type == FT_BOOL && json_is_boolean(v)) {
        *(protobuf_c_boolean *)slot = json_is_true(v);
    } else if (spec->type == FT_BOOL) {
        parse_error(p, spec->name, "must be true or false, not %s", json_type_text(v));
    } else if (spec->type == FT_ITEM && json_is_integer(v) && n >= 1 && n <= BZL_ITEM_NO_MAX) {
        *(uint32_t *)slot = (uint32_t)n;
    } else if (spec->type == FT_ITEM && json_is_integer(v)) {
        parse_error(p, spec->name, "must be from 1 to %u, not %" JSON_INTEGER_FORMAT,
                    BZL_ITEM_NO_MAX, n);
    } else if (spec->type == FT_ITEM) {
        parse_error(p, spec->name, "must be a whole number from 1 to %u, not %s", BZL_ITEM_NO_MAX,
                    json_type_text(v));
    } else if (spec->type == FT_LINES && !json_is_array(v)) {
        parse_error(p, spec->name, "must be an array of line objects, not %s", json_type_text(v));
    } else if (spec->type == FT_LOTS && !json_is_array(v)) {
        parse_error(p, spec->name,
                    "must be an array of lot objects {\"receipt\", \"line\", \"qty\"}, not %s",
                    json_type_text(v));
    } else if (spec->type != FT_LINES && spec->type != FT_LOTS) {
        word_store(p, spec, v, slot);
    }
}

static const field_spec *
spec_find(const field_spec *specs, size_t n_specs, const char *name)
{
    const field_spec *found = NULL;
    for (size_t i = 0; i < n_specs && found == NULL; i++) {
        if (strcmp(specs[i].name, name) == 0) {
            found = &specs[i];
        }
    }
    return found;
}

/* Stores every member of obj into msg: unknown and missing fields are errors. */
static void
fields_fill(parse_ctx *p, json_t *obj, const field_spec *specs, size_t n_specs, void *msg)
{
    for (void *it = json_object_iter(obj); it != NULL; it = json_object_iter_next(obj, it)) {
        const char *key = json_object_iter_key(it);
        json_t *v = json_object_iter_value(it);
        const field_spec *spec = spec_find(specs, n_specs, key);
        if (spec == NULL) {
            parse_error(p, key, "unknown field");
        } else {
            field_store(p, spec, v, msg);
        }
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (specs[i].required && json_object_get(obj, specs[i].name) == NULL) {
            parse_error(p, specs[i].name, "missing");
        }
    }
}

/* ---- declarations ------------------------------------------------------------------------ */

/* The i-th declaration object of the document: the root itself when it is one object. */
static json_t *
decl_at(json_t *root, size_t i)
{
    return json_is_array(root) ? json_array_get(root, i) : root;
}

/* The lines array of a declaration object, or NULL when it has none or it is not an array. */
static json_t *
lines_of(json_t *decl)
{
    json_t *lines = json_is_object(decl) ? json_object_get(decl, "lines") : NULL;
    return json_is_array(lines) ? lines : NULL;
}

/* The lots array of a line object, or NULL when it has none or it is not an array. */
static json_t *
lots_of(json_t *line)
{
    json_t *lots = json_is_object(line) ? json_object_get(line, "lots") : NULL;
    return json_is_array(lots) ? lots : NULL;
}

/* Fills line l's lots from its "lots" array into the slots given; returns how many it used. */
static size_t
lots_fill(parse_ctx *p, json_t *arr, Bzl__V1__DeclarationLine *l, Bzl__V1__LotRef *lots,
          Bzl__V1__LotRef **ptrs)
{
    static const Bzl__V1__LotRef lot_init = BZL__V1__LOT_REF__INIT;
    size_t n = arr != NULL ? json_array_size(arr) : 0;
    l->n_lots = n;
    l->lots = n > 0 ? ptrs : NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *lot = json_array_get(arr, i);
        lots[i] = lot_init;
        ptrs[i] = &lots[i];
        p->lot_no = i + 1;
        if (!json_is_object(lot)) {
            parse_error(p, NULL, "a lot must be an object {\"receipt\", \"line\", \"qty\"}, not %s",
                        json_type_text(lot));
        } else {
            fields_fill(p, lot, lot_fields, BZL_ARRAY_LEN(lot_fields), &lots[i]);
        }
    }
    p->lot_no = 0;
    return n;
}

/* Fills d's lines from the declaration's "lines" array into the slots given, and their lots
 * into the lot slots from *lot_next on (advanced). */
static void
lines_fill(parse_ctx *p, json_t *arr, Bzl__V1__Declaration *d, Bzl__V1__DeclarationLine *lines,
           Bzl__V1__DeclarationLine **ptrs, decl_file *f, size_t *lot_next)
{
    static const Bzl__V1__DeclarationLine line_init = BZL__V1__DECLARATION_LINE__INIT;
    if (arr == NULL) {
        goto done; /* missing or wrong type: fields_fill said so */
    }
    if (json_array_size(arr) == 0) {
        parse_error(p, "lines", "is empty: a declaration has at least one line");
        goto done;
    }
    d->n_lines = json_array_size(arr);
    d->lines = ptrs;
    for (size_t i = 0; i < d->n_lines && p->e->count <= CLI_FILE_ERRORS_MAX; i++) {
        json_t *line = json_array_get(arr, i);
        p->line_no = (uint32_t)(i + 1);
        lines[i] = line_init;
        ptrs[i] = &lines[i];
        if (!json_is_object(line)) {
            parse_error(p, NULL, "a line must be an object, not %s", json_type_text(line));
        } else {
            fields_fill(p, line, line_fields, BZL_ARRAY_LEN(line_fields), &lines[i]);
            *lot_next += lots_fill(p, lots_of(line), &lines[i], f->lots + *lot_next,
                                   f->lot_ptrs + *lot_next);
        }
    }
    p->line_no = 0;
done:
    return;
}

/* Fills every declaration of f from its document; the arrays are allocated to size. */
static void
decls_fill(parse_ctx *p, decl_file *f)
{
    static const Bzl__V1__Declaration decl_init = BZL__V1__DECLARATION__INIT;
    size_t line_next = 0;
    size_t lot_next = 0;
    for (size_t i = 0; i < f->n_decls && p->e->count <= CLI_FILE_ERRORS_MAX; i++) {
        json_t *obj = decl_at(f->root, i);
        json_t *lines = lines_of(obj);
        Bzl__V1__Declaration *d = &f->decls[i];
        unsigned errors_before = p->e->count;
        *d = decl_init;
        f->decl_ptrs[i] = d;
        json_t *id = json_is_object(obj) ? json_object_get(obj, "id") : NULL;
        p->decl_ix = i;
        p->line_no = 0;
        p->in_decl = true;
        p->id = json_is_string(id) ? json_string_value(id) : NULL;
        if (!json_is_object(obj)) {
            parse_error(p, NULL, "a declaration must be an object, not %s", json_type_text(obj));
            continue;
        }
        fields_fill(p, obj, decl_fields, BZL_ARRAY_LEN(decl_fields), d);
        lines_fill(p, lines, d, f->lines + line_next, f->line_ptrs + line_next, f, &lot_next);
        line_next += lines != NULL ? json_array_size(lines) : 0;
        f->decl_bytes[i] =
            p->e->count == errors_before ? bzl__v1__declaration__get_packed_size(d) : 0;
        /* One declaration is atomic and cannot be split across requests. */
        if (f->decl_bytes[i] + CLI_DECL_PREFIX_BYTES > CLI_BATCH_BYTES_MAX) {
            parse_error(p, NULL,
                        "encodes to %zu bytes, more than one request carries (%u); split it",
                        f->decl_bytes[i], CLI_BATCH_BYTES_MAX);
        }
    }
}

/* Sizes and allocates f's arrays from the document's shape. BZL_MALFORMED when the root is
 * neither a declaration object nor an array (said on stderr), BZL_NO_MEMORY. */
static bzl_status
decls_alloc(parse_ctx *p, decl_file *f)
{
    bzl_status st = BZL_MALFORMED;
    size_t n_lines = 0;
    if (!json_is_object(f->root) && !json_is_array(f->root)) {
        parse_error(p, NULL, "expected a declaration object or an array of them, not %s",
                    json_type_text(f->root));
        goto fail;
    }
    f->n_decls = json_is_array(f->root) ? json_array_size(f->root) : 1;
    size_t n_lots = 0;
    for (size_t i = 0; i < f->n_decls; i++) {
        json_t *lines = lines_of(decl_at(f->root, i));
        n_lines += lines != NULL ? json_array_size(lines) : 0;
        for (size_t j = 0; lines != NULL && j < json_array_size(lines); j++) {
            json_t *lots = lots_of(json_array_get(lines, j));
            n_lots += lots != NULL ? json_array_size(lots) : 0;
        }
    }
    st = BZL_NO_MEMORY;
    /* calloc(0) may return NULL: ask for one element at least so NULL means no memory. */
    f->decls = calloc(f->n_decls + 1, sizeof *f->decls);
    f->decl_ptrs = calloc(f->n_decls + 1, sizeof *f->decl_ptrs);
    f->decl_bytes = calloc(f->n_decls + 1, sizeof *f->decl_bytes);
    f->lines = calloc(n_lines + 1, sizeof *f->lines);
    f->line_ptrs = calloc(n_lines + 1, sizeof *f->line_ptrs);
    f->lots = calloc(n_lots + 1, sizeof *f->lots);
    f->lot_ptrs = calloc(n_lots + 1, sizeof *f->lot_ptrs);
    if (f->decls == NULL || f->decl_ptrs == NULL || f->decl_bytes == NULL || f->lines == NULL ||
        f->line_ptrs == NULL || f->lots == NULL || f->lot_ptrs == NULL) {
        fprintf(stderr, "bzl: %s: out of memory for %zu declarations\n", f->label, f->n_decls);
        goto fail;
    }
    st = BZL_OK;
fail:
    return st;
}

/* ---- files ------------------------------------------------------------------------------- */

void
decl_file_where(const decl_file *f, size_t decl, uint32_t line, const char *field,
                size_t *file_line, char *path, size_t path_cap)
{
    BZL_ASSERT(path_cap > 0);
    *file_line = 0;
    path[0] = '\0';
    if (f->rows != NULL) {
        json_t *rows = json_array_get(f->rows, decl);
        size_t row = line > 0 ? line - 1 : 0;
        *file_line = (size_t)json_integer_value(json_array_get(rows, row));
        return;
    }
    int n = line > 0 ? snprintf(path, path_cap, "decls[%zu].lines[%u]", decl, line - 1)
                     : snprintf(path, path_cap, "decls[%zu]", decl);
    if (n > 0 && (size_t)n < path_cap && field != NULL && field[0] != '\0') {
        snprintf(path + n, path_cap - (size_t)n, ".%s", field);
    }
}

/* Parses text as JSON, refusing duplicate keys. NULL after saying why. */
static json_t *
json_parse(decl_errors *e, const char *text, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL && err.line >= 1) {
        decl_error(e, (size_t)err.line, NULL, NULL, "column %d: %s", err.column, err.text);
    } else if (root == NULL) {
        decl_error(e, 0, NULL, NULL, "%s", err.text);
    }
    return root;
}

/* True when the file is CSV: by its name's ending, or for standard input by its first
 * character (JSON opens with '{' or '['). */
static bool
is_csv(const char *path, const char *text)
{
    size_t n = strlen(path);
    if (strcmp(path, "-") != 0) {
        return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
    }
    text += strspn(text, " \t\r\n");
    return *text != '{' && *text != '[' && *text != '\0';
}

bzl_status
decl_file_load(const char *path, const char *encoding, decl_errors *e, decl_file *f)
{
    decl_file tmp = {.label = strcmp(path, "-") == 0 ? "<stdin>" : path};
    parse_ctx p = {.e = e, .f = &tmp};
    char *text = NULL;
    size_t len = 0;
    decl_errors_begin(e, tmp.label);
    bzl_status st = decl_text_read(e, path, encoding, &text, &len);
    if (st != BZL_OK) {
        goto fail;
    }
    if (is_csv(path, text)) {
        st = decl_csv_read(e, text, len, &tmp.root, &tmp.rows);
        if (st != BZL_OK) {
            goto fail;
        }
    } else {
        tmp.root = json_parse(e, text, len);
        st = BZL_MALFORMED;
        if (tmp.root == NULL) {
            goto fail;
        }
    }
    st = decls_alloc(&p, &tmp);
    if (st != BZL_OK) {
        goto fail;
    }
    decls_fill(&p, &tmp);
    if (e->count > 0) {
        st = BZL_MALFORMED;
        goto fail;
    }
    if (tmp.n_decls == 0) {
        fprintf(stderr, "%s: holds no declarations\n", tmp.label);
    }
    *f = tmp;
    tmp = (decl_file){0};
fail:
    free(text);
    decl_file_deinit(&tmp);
    return st;
}

void
decl_file_deinit(decl_file *f)
{
    free(f->lot_ptrs);
    free(f->lots);
    free(f->line_ptrs);
    free(f->lines);
    free(f->decl_bytes);
    free(f->decl_ptrs);
    free(f->decls);
    json_decref(f->rows);
    json_decref(f->root);
    *f = (decl_file){0};
}
