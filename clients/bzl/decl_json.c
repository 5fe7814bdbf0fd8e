/* decl_json.c — reads declaration files (JSON, or CSV through decl_csv.c) strictly into
 * protobuf Declarations. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

/* The file layout mirrors bzl.proto's Declaration and DeclarationLine with the same names.
 * The client checks only the shape: which fields exist, their JSON types, and the words
 * kind, direction and mode take. Codes, dates and decimals go to the daemon as strings and it
 * names the field at fault, so the rules live in one place. Decimals must be JSON strings:
 * a JSON number may pass through binary floating point in some ERP's exporter or ours. */

typedef enum field_type {
    FT_TEXT,      /* a string, stored as char * */
    FT_DECIMAL,   /* a string holding a decimal, stored as char * */
    FT_BOOL,      /* true or false, stored as protobuf_c_boolean */
    FT_ITEM,      /* an integer 1..BZL_ITEM_NO_MAX, stored as uint32_t */
    FT_KIND,      /* "material" | "product" */
    FT_DIRECTION, /* "in" | "out" */
    FT_MODE,      /* "OEM" | "ODM" | "OBM" */
    FT_LINES,     /* the array of line objects, handled by lines_fill */
} field_type;

typedef struct field_spec {
    const char *name;
    field_type type;
    bool required;
    size_t offset; /* of the member in Bzl__V1__Declaration or Bzl__V1__DeclarationLine */
} field_spec;

/* clang-format off */
#define DECL_FIELD(name, type, required)                                                           \
    { #name, type, required, offsetof(Bzl__V1__Declaration, name) }
#define LINE_FIELD(name, type, required)                                                           \
    { #name, type, required, offsetof(Bzl__V1__DeclarationLine, name) }
/* clang-format on */

static const field_spec decl_fields[] = {
    DECL_FIELD(id, FT_TEXT, true),
    DECL_FIELD(enterprise, FT_TEXT, true),
    DECL_FIELD(book, FT_TEXT, true),
    DECL_FIELD(kind, FT_KIND, true),
    DECL_FIELD(direction, FT_DIRECTION, true),
    DECL_FIELD(trade_mode, FT_TEXT, true),
    DECL_FIELD(date, FT_TEXT, true),
    DECL_FIELD(pending, FT_BOOL, false),
    DECL_FIELD(related_book, FT_TEXT, false),
    DECL_FIELD(related_id, FT_TEXT, false),
    DECL_FIELD(duty_basis, FT_TEXT, false),
    DECL_FIELD(tax_date, FT_TEXT, false),
    DECL_FIELD(lines, FT_LINES, true),
};

static const field_spec line_fields[] = {
    LINE_FIELD(item, FT_ITEM, true),         LINE_FIELD(qty, FT_DECIMAL, true),
    LINE_FIELD(unit, FT_TEXT, true),         LINE_FIELD(value, FT_DECIMAL, true),
    LINE_FIELD(currency, FT_TEXT, true),     LINE_FIELD(usd, FT_DECIMAL, false),
    LINE_FIELD(bom_version, FT_TEXT, false), LINE_FIELD(mode, FT_MODE, false),
    LINE_FIELD(country, FT_TEXT, false),
};

/* Where the parser is, for messages: "decl.json: declaration 2 (id ACME-2): line 3: ...". */
typedef struct parse_ctx {
    const char *label;
    size_t decl_no;  /* 1-based; 0 before the first declaration */
    const char *id;  /* borrowed from the document; NULL until known */
    size_t line_no;  /* 1-based; 0 in the declaration header */
    unsigned errors; /* found so far; only the first CLI_FILE_ERRORS_MAX are printed */
} parse_ctx;

BZL_PRINTF(2, 3)
static void
parse_error(parse_ctx *p, const char *fmt, ...)
{
    va_list ap;
    p->errors++;
    if (p->errors > CLI_FILE_ERRORS_MAX) {
        /* Said once, on the first error past the bound; the callers stop soon after. */
        if (p->errors == CLI_FILE_ERRORS_MAX + 1) {
            fprintf(stderr, "%s: too many errors; the rest of the file was not checked\n",
                    p->label);
        }
        goto done;
    }
    fprintf(stderr, "%s", p->label);
    if (p->decl_no > 0) {
        fprintf(stderr, ": declaration %zu", p->decl_no);
    }
    if (p->decl_no > 0 && p->id != NULL) {
        fprintf(stderr, " (id %s)", p->id);
    }
    if (p->line_no > 0) {
        fprintf(stderr, ": line %zu", p->line_no);
    }
    fputs(": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
done:
    return;
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
        parse_error(p, "field \"%s\" must be %s, not \"%s\"", spec->name, allowed, s);
    } else if (!ok) {
        parse_error(p, "field \"%s\" must be %s, not %s", spec->name, allowed, json_type_text(v));
    }
}

/* Checks v against spec and stores it into the message at spec->offset. Strings are
 * borrowed from the document, which outlives the messages (decl_file). */
static void
field_store(parse_ctx *p, const field_spec *spec, const json_t *v, void *msg)
{
    void *slot = (char *)msg + spec->offset;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    if ((spec->type == FT_TEXT || spec->type == FT_DECIMAL) && json_is_string(v)) {
        /* protobuf-c declares strings char * but only reads them when packing. */
        *(char **)slot = (char *)json_string_value(v);
    } else if (spec->type == FT_TEXT) {
        parse_error(p, "field \"%s\" must be a string, not %s", spec->name, json_type_text(v));
    } else if (spec->type == FT_DECIMAL) {
        parse_error(p,
                    "field \"%s\" must be a string such as \"20000.5\", not %s: decimals are "
                    "written as strings to stay exact",
                    spec->name, json_type_text(v));
    } else if (spec->type == FT_BOOL && json_is_boolean(v)) {
        *(protobuf_c_boolean *)slot = json_is_true(v);
    } else if (spec->type == FT_BOOL) {
        parse_error(p, "field \"%s\" must be true or false, not %s", spec->name, json_type_text(v));
    } else if (spec->type == FT_ITEM && json_is_integer(v) && n >= 1 && n <= BZL_ITEM_NO_MAX) {
        *(uint32_t *)slot = (uint32_t)n;
    } else if (spec->type == FT_ITEM && json_is_integer(v)) {
        parse_error(p, "field \"%s\" must be from 1 to %u, not %" JSON_INTEGER_FORMAT, spec->name,
                    BZL_ITEM_NO_MAX, n);
    } else if (spec->type == FT_ITEM) {
        parse_error(p, "field \"%s\" must be a whole number from 1 to %u, not %s", spec->name,
                    BZL_ITEM_NO_MAX, json_type_text(v));
    } else if (spec->type == FT_LINES && !json_is_array(v)) {
        parse_error(p, "field \"%s\" must be an array of line objects, not %s", spec->name,
                    json_type_text(v));
    } else if (spec->type != FT_LINES) {
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
            parse_error(p, "unknown field \"%s\"", key);
        } else {
            field_store(p, spec, v, msg);
        }
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (specs[i].required && json_object_get(obj, specs[i].name) == NULL) {
            parse_error(p, "missing field \"%s\"", specs[i].name);
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

/* Fills d's lines from the declaration's "lines" array into the slots given. */
static void
lines_fill(parse_ctx *p, json_t *arr, Bzl__V1__Declaration *d, Bzl__V1__DeclarationLine *lines,
           Bzl__V1__DeclarationLine **ptrs)
{
    static const Bzl__V1__DeclarationLine line_init = BZL__V1__DECLARATION_LINE__INIT;
    if (arr == NULL) {
        goto done; /* missing or wrong type: fields_fill said so */
    }
    if (json_array_size(arr) == 0) {
        parse_error(p, "field \"lines\" is empty: a declaration has at least one line");
        goto done;
    }
    d->n_lines = json_array_size(arr);
    d->lines = ptrs;
    for (size_t i = 0; i < d->n_lines && p->errors <= CLI_FILE_ERRORS_MAX; i++) {
        json_t *line = json_array_get(arr, i);
        p->line_no = i + 1;
        lines[i] = line_init;
        ptrs[i] = &lines[i];
        if (!json_is_object(line)) {
            parse_error(p, "a line must be an object, not %s", json_type_text(line));
        } else {
            fields_fill(p, line, line_fields, BZL_ARRAY_LEN(line_fields), &lines[i]);
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
    for (size_t i = 0; i < f->n_decls && p->errors <= CLI_FILE_ERRORS_MAX; i++) {
        json_t *obj = decl_at(f->root, i);
        json_t *lines = lines_of(obj);
        json_t *id = json_is_object(obj) ? json_object_get(obj, "id") : NULL;
        Bzl__V1__Declaration *d = &f->decls[i];
        unsigned errors_before = p->errors;
        *d = decl_init;
        f->decl_ptrs[i] = d;
        p->decl_no = i + 1;
        p->id = json_is_string(id) ? json_string_value(id) : NULL;
        if (!json_is_object(obj)) {
            parse_error(p, "a declaration must be an object, not %s", json_type_text(obj));
            continue;
        }
        fields_fill(p, obj, decl_fields, BZL_ARRAY_LEN(decl_fields), d);
        lines_fill(p, lines, d, f->lines + line_next, f->line_ptrs + line_next);
        line_next += lines != NULL ? json_array_size(lines) : 0;
        f->decl_bytes[i] =
            p->errors == errors_before ? bzl__v1__declaration__get_packed_size(d) : 0;
        /* One declaration is atomic and cannot be split across requests. */
        if (f->decl_bytes[i] + CLI_DECL_PREFIX_BYTES > CLI_BATCH_BYTES_MAX) {
            parse_error(p, "encodes to %zu bytes, more than one request carries (%u); split it",
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
        parse_error(p, "expected a declaration object or an array of them, not %s",
                    json_type_text(f->root));
        goto fail;
    }
    f->n_decls = json_is_array(f->root) ? json_array_size(f->root) : 1;
    for (size_t i = 0; i < f->n_decls; i++) {
        json_t *lines = lines_of(decl_at(f->root, i));
        n_lines += lines != NULL ? json_array_size(lines) : 0;
    }
    st = BZL_NO_MEMORY;
    /* calloc(0) may return NULL: ask for one element at least so NULL means no memory. */
    f->decls = calloc(f->n_decls + 1, sizeof *f->decls);
    f->decl_ptrs = calloc(f->n_decls + 1, sizeof *f->decl_ptrs);
    f->decl_bytes = calloc(f->n_decls + 1, sizeof *f->decl_bytes);
    f->lines = calloc(n_lines + 1, sizeof *f->lines);
    f->line_ptrs = calloc(n_lines + 1, sizeof *f->line_ptrs);
    if (f->decls == NULL || f->decl_ptrs == NULL || f->decl_bytes == NULL || f->lines == NULL ||
        f->line_ptrs == NULL) {
        fprintf(stderr, "%s: out of memory for %zu declarations\n", f->label, f->n_decls);
        goto fail;
    }
    st = BZL_OK;
fail:
    return st;
}

/* ---- files ------------------------------------------------------------------------------- */

/* Parses the file as JSON, refusing duplicate keys. NULL after printing why. */
static json_t *
json_read(const char *path, const char *label)
{
    json_error_t err;
    json_t *root = NULL;
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    struct stat sb;
    if (fp == NULL) {
        fprintf(stderr, "%s: cannot open: %s\n", label, strerror(errno));
        goto fail;
    }
    /* fopen opens a directory and the parser would then blame the "JSON" in it. */
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: cannot read: %s\n", label, strerror(EISDIR));
        goto fail;
    }
    root = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL && err.line >= 1) {
        fprintf(stderr, "%s:%d:%d: %s\n", label, err.line, err.column, err.text);
    } else if (root == NULL) {
        fprintf(stderr, "%s: %s\n", label, err.text);
    }
fail:
    if (fp != NULL && !is_stdin) {
        fclose(fp);
    }
    return root;
}

/* True when path names a CSV file: by its ending, or for standard input by its first
 * character (JSON opens with '{' or '['). */
static bool
is_csv(const char *path)
{
    size_t n = strlen(path);
    if (strcmp(path, "-") != 0) {
        return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
    }
    int ch;
    do {
        ch = getc(stdin);
    } while (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n');
    if (ch != EOF) {
        ungetc(ch, stdin);
    }
    return ch != '{' && ch != '[' && ch != EOF;
}

bzl_status
decl_file_load(const char *path, decl_file *f)
{
    decl_file tmp = {.label = strcmp(path, "-") == 0 ? "<stdin>" : path};
    parse_ctx p = {.label = tmp.label};
    bzl_status st = BZL_MALFORMED;
    if (is_csv(path)) {
        st = decl_csv_read(path, tmp.label, &tmp.root);
        if (st != BZL_OK) {
            goto fail;
        }
    } else {
        tmp.root = json_read(path, tmp.label);
        if (tmp.root == NULL) {
            goto fail;
        }
    }
    st = decls_alloc(&p, &tmp);
    if (st != BZL_OK) {
        goto fail;
    }
    decls_fill(&p, &tmp);
    if (p.errors > 0) {
        st = BZL_MALFORMED;
        goto fail;
    }
    if (tmp.n_decls == 0) {
        fprintf(stderr, "%s: holds no declarations\n", tmp.label);
    }
    *f = tmp;
    tmp = (decl_file){0};
fail:
    decl_file_deinit(&tmp);
    return st;
}

void
decl_file_deinit(decl_file *f)
{
    free(f->line_ptrs);
    free(f->lines);
    free(f->decl_bytes);
    free(f->decl_ptrs);
    free(f->decls);
    json_decref(f->root);
    *f = (decl_file){0};
}
