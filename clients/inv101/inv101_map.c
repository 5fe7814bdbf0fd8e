/* inv101_map.c — a 核注清单 as a bzl declaration and back (inv101_map.h). */
#include "inv101_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inv101_fields.h"

/* The elements the ledger's core fields take, by the daemon's field name (its faults name
 * these), on the header and on a line. */
typedef struct core_field {
    const char *core;    /* the daemon's field name */
    const char *element; /* the INV101 element */
} core_field;

static const core_field head_core[] = {
    {"id", "EtpsInnerInvtNo"},     {"enterprise", "BizopEtpsno"}, {"book", "PutrecNo"},
    {"kind", "MtpckEndprdMarkcd"}, {"direction", "ImpexpMarkcd"}, {"trade_mode", "SupvModecd"},
    {"date", "InvtDclTime"},
};
static const core_field line_core[] = {
    {"item", "PutrecSeqno"},   {"qty", "DclQty"},
    {"unit", "DclUnitcd"},     {"value", "DclTotalAmt"},
    {"currency", "DclCurrcd"}, {"usd", "UsdStatTotalAmt"},
    {"country", "Natcd"},      {"bom_version", "UcnsVerno"},
};

static const char *
core_element(const core_field *t, size_t n, const char *core)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].core, core) == 0) {
            return t[i].element;
        }
    }
    return NULL;
}

static bool
is_core(const core_field *t, size_t n, const char *element)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].element, element) == 0) {
            return true;
        }
    }
    return false;
}

static const char *
value_of(const inv101_record *r, inv101_group g, const char *tag)
{
    int i = inv101_field_find(g, tag);
    BZL_ASSERT(i >= 0);
    return r->values[i];
}

static char *
or_empty(const char *s)
{
    return (char *)(s != NULL ? s : "");
}

/* ---- to a declaration ----------------------------------------------------------------------- */

void
inv101_decl_deinit(inv101_decl *d)
{
    free(d->lines);
    free(d->line_ptrs);
    free(d->fields);
    free(d->field_ptrs);
    memset(d, 0, sizeof *d);
}

/* The ListFields of one record: every present field that is not a core one. skip_core is the
 * place's core table. Returns how many were added at out->fields[*at...]. */
static size_t
fields_of(const inv101_record *r, inv101_group g, const core_field *core, size_t n_core,
          inv101_decl *out, size_t *at)
{
    size_t added = 0;
    for (size_t i = 0; i < inv101_tables[g].count; i++) {
        const char *tag = inv101_tables[g].fields[i].tag;
        if (r->values[i] == NULL || is_core(core, n_core, tag)) {
            continue;
        }
        Bzl__V1__ListField *f = &out->fields[*at];
        bzl__v1__list_field__init(f);
        f->name = (char *)tag;
        f->value = r->values[i];
        out->field_ptrs[*at] = f;
        (*at)++;
        added++;
    }
    return added;
}

static bool
item_of(const char *v, uint32_t *out)
{
    uint64_t n = 0;
    for (const char *c = v; c != NULL && *c != '\0'; c++) {
        n = n * 10 + (uint64_t)(*c - '0');
        if (*c < '0' || *c > '9' || n > UINT32_MAX) {
            return false;
        }
    }
    *out = (uint32_t)n;
    return v != NULL && v[0] != '\0';
}

bzl_status
inv101_to_decl(const inv101_doc *doc, inv101_decl *out, inv101_problems *problems)
{
    memset(out, 0, sizeof *out);
    size_t total = inv101_tables[INV101_HEAD].count + inv101_tables[INV101_MESSAGE].count +
                   (size_t)doc->line_count * inv101_tables[INV101_LINE].count;
    uint32_t n = doc->line_count;
    out->lines = calloc(n > 0 ? n : 1, sizeof *out->lines);
    out->line_ptrs = calloc(n > 0 ? n : 1, sizeof *out->line_ptrs);
    out->fields = calloc(total, sizeof *out->fields);
    out->field_ptrs = calloc(total, sizeof *out->field_ptrs);
    if (!out->lines || !out->line_ptrs || !out->fields || !out->field_ptrs) {
        return BZL_NO_MEMORY;
    }
    Bzl__V1__Declaration *d = &out->decl;
    const inv101_record *h = &doc->head;
    bzl__v1__declaration__init(d);
    d->id = or_empty(value_of(h, INV101_HEAD, "EtpsInnerInvtNo"));
    d->enterprise = or_empty(value_of(h, INV101_HEAD, "BizopEtpsno"));
    d->book = or_empty(value_of(h, INV101_HEAD, "PutrecNo"));
    const char *ep = value_of(h, INV101_HEAD, "MtpckEndprdMarkcd");
    const char *ie = value_of(h, INV101_HEAD, "ImpexpMarkcd");
    d->kind = ep != NULL && strcmp(ep, "E") == 0 ? BZL__V1__KIND__KIND_PRODUCT
                                                 : BZL__V1__KIND__KIND_MATERIAL;
    d->direction = ie != NULL && strcmp(ie, "E") == 0 ? BZL__V1__DIRECTION__DIRECTION_OUT
                                                      : BZL__V1__DIRECTION__DIRECTION_IN;
    d->trade_mode = or_empty(value_of(h, INV101_HEAD, "SupvModecd"));
    const char *day = or_empty(value_of(h, INV101_HEAD, "InvtDclTime"));
    snprintf(out->date, sizeof out->date, "%.4s-%.2s-%.2s", day, strlen(day) >= 4 ? day + 4 : "",
             strlen(day) >= 6 ? day + 6 : "");
    d->date = out->date;
    d->pending = true;
    const char *flag = value_of(&doc->message, INV101_MESSAGE, "DelcareFlag");
    d->draft = flag != NULL && strcmp(flag, "0") == 0; /* 暂存: stored, applying nothing */
    size_t at = 0;
    d->list_fields = out->field_ptrs;
    d->n_list_fields = fields_of(&doc->message, INV101_MESSAGE, NULL, 0, out, &at);
    d->n_list_fields += fields_of(h, INV101_HEAD, head_core, BZL_ARRAY_LEN(head_core), out, &at);
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; i < n; i++) {
        const inv101_record *r = &doc->lines[i];
        Bzl__V1__DeclarationLine *l = &out->lines[i];
        bzl__v1__declaration_line__init(l);
        const char *item = value_of(r, INV101_LINE, "PutrecSeqno");
        if (!item_of(item, &l->item)) {
            char path[96];
            snprintf(path, sizeof path, "InvtListType[%u]/PutrecSeqno", (unsigned)i + 1);
            inv101_problem *p =
                problems->count < INV101_ERRORS_MAX ? &problems->items[problems->count++] : NULL;
            if (p != NULL) {
                p->xml_line = r->xml_line;
                snprintf(p->path, sizeof p->path, "%s", path);
                snprintf(p->message, sizeof p->message,
                         "PutrecSeqno (备案序号) \"%.20s\" is not a book item number (1 to "
                         "4294967295)",
                         or_empty(item));
            }
            st = BZL_INVALID_ARGUMENT;
        }
        l->qty = or_empty(value_of(r, INV101_LINE, "DclQty"));
        l->unit = or_empty(value_of(r, INV101_LINE, "DclUnitcd"));
        l->value = or_empty(value_of(r, INV101_LINE, "DclTotalAmt"));
        l->currency = or_empty(value_of(r, INV101_LINE, "DclCurrcd"));
        l->usd = or_empty(value_of(r, INV101_LINE, "UsdStatTotalAmt"));
        l->country = or_empty(value_of(r, INV101_LINE, "Natcd"));
        l->bom_version = or_empty(value_of(r, INV101_LINE, "UcnsVerno"));
        l->list_fields = &out->field_ptrs[at];
        l->n_list_fields = fields_of(r, INV101_LINE, line_core, BZL_ARRAY_LEN(line_core), out, &at);
        out->line_ptrs[i] = l;
    }
    d->n_lines = n;
    d->lines = out->line_ptrs;
    return st;
}

/* ---- faults back to elements ---------------------------------------------------------------- */

void
inv101_fault_where(const inv101_doc *doc, uint32_t line, const char *name, uint32_t *xml_line,
                   char *path, size_t path_cap)
{
    BZL_ASSERT(path_cap > 0);
    bool on_line = line >= 1 && line <= doc->line_count;
    const inv101_record *r = on_line ? &doc->lines[line - 1] : &doc->head;
    inv101_group g = on_line ? INV101_LINE : INV101_HEAD;
    const char *element = on_line ? core_element(line_core, BZL_ARRAY_LEN(line_core), name)
                                  : core_element(head_core, BZL_ARRAY_LEN(head_core), name);
    if (element == NULL && inv101_field_find(g, name) >= 0) {
        element = name; /* a list field: the daemon names it by its element */
    }
    if (element == NULL && !on_line && inv101_field_find(INV101_MESSAGE, name) >= 0) {
        int i = inv101_field_find(INV101_MESSAGE, name);
        *xml_line =
            doc->message.xml_lines[i] != 0 ? doc->message.xml_lines[i] : doc->message.xml_line;
        snprintf(path, path_cap, "InvtMessage/%s", name);
        return;
    }
    char where[32];
    if (on_line) {
        snprintf(where, sizeof where, "InvtListType[%u]", (unsigned)line);
    } else {
        snprintf(where, sizeof where, "InvtHeadType");
    }
    *xml_line = r->xml_line;
    if (element == NULL) {
        snprintf(path, path_cap, "%s", where);
        return;
    }
    int i = inv101_field_find(g, element);
    if (i >= 0 && r->xml_lines[i] != 0) {
        *xml_line = r->xml_lines[i];
    }
    snprintf(path, path_cap, "%s/%s", where, element);
}

/* ---- from a declaration --------------------------------------------------------------------- */

static bool
record_alloc(inv101_record *r, inv101_group g)
{
    r->values = calloc(inv101_tables[g].count, sizeof *r->values);
    r->xml_lines = calloc(inv101_tables[g].count, sizeof *r->xml_lines);
    return r->values != NULL && r->xml_lines != NULL;
}

/* Sets field tag of r to a copy of v (nothing for NULL or ""). */
static bool
put(inv101_record *r, inv101_group g, const char *tag, const char *v)
{
    int i = inv101_field_find(g, tag);
    if (i < 0 || v == NULL || v[0] == '\0') {
        return true;
    }
    free(r->values[i]);
    r->values[i] = strdup(v);
    return r->values[i] != NULL;
}

/* A place's ListFields into r (the message's own into msg when it is not NULL). */
static bool
put_fields(inv101_record *r, inv101_group g, inv101_record *msg, Bzl__V1__ListField *const *f,
           size_t n)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (msg != NULL && inv101_field_find(INV101_MESSAGE, f[i]->name) >= 0) {
            ok = put(msg, INV101_MESSAGE, f[i]->name, f[i]->value);
        } else {
            ok = put(r, g, f[i]->name, f[i]->value);
        }
    }
    return ok;
}

static bool
head_from(const Bzl__V1__Declaration *d, inv101_doc *doc)
{
    char day[9] = "";
    if (strlen(d->date) == 10) {
        snprintf(day, sizeof day, "%.4s%.2s%.2s", d->date, d->date + 5, d->date + 8);
    }
    inv101_record *h = &doc->head;
    return put(h, INV101_HEAD, "EtpsInnerInvtNo", d->id) &&
           put(h, INV101_HEAD, "BizopEtpsno", d->enterprise) &&
           put(h, INV101_HEAD, "PutrecNo", d->book) &&
           put(h, INV101_HEAD, "MtpckEndprdMarkcd",
               d->kind == BZL__V1__KIND__KIND_PRODUCT ? "E" : "I") &&
           put(h, INV101_HEAD, "ImpexpMarkcd",
               d->direction == BZL__V1__DIRECTION__DIRECTION_OUT ? "E" : "I") &&
           put(h, INV101_HEAD, "SupvModecd", d->trade_mode) &&
           put(h, INV101_HEAD, "InvtDclTime", day) &&
           put_fields(h, INV101_HEAD, &doc->message, d->list_fields, d->n_list_fields);
}

static bool
line_from(const Bzl__V1__DeclarationLine *l, inv101_record *r)
{
    char item[16];
    snprintf(item, sizeof item, "%u", (unsigned)l->item);
    return put(r, INV101_LINE, "PutrecSeqno", item) && put(r, INV101_LINE, "DclQty", l->qty) &&
           put(r, INV101_LINE, "DclUnitcd", l->unit) &&
           put(r, INV101_LINE, "DclTotalAmt", l->value) &&
           put(r, INV101_LINE, "DclCurrcd", l->currency) &&
           put(r, INV101_LINE, "UsdStatTotalAmt", l->usd) &&
           put(r, INV101_LINE, "Natcd", l->country) &&
           put(r, INV101_LINE, "UcnsVerno", l->bom_version) &&
           put_fields(r, INV101_LINE, NULL, l->list_fields, l->n_list_fields);
}

bzl_status
inv101_from_decl(const Bzl__V1__Declaration *d, inv101_doc *doc)
{
    memset(doc, 0, sizeof *doc);
    if (d->n_lines > INV101_LINES_MAX) {
        return BZL_INVALID_ARGUMENT;
    }
    bool ok = record_alloc(&doc->envelope, INV101_ENVELOPE) &&
              record_alloc(&doc->message, INV101_MESSAGE) &&
              record_alloc(&doc->head, INV101_HEAD) &&
              (doc->lines = calloc(d->n_lines > 0 ? d->n_lines : 1, sizeof *doc->lines)) != NULL;
    ok = ok && put(&doc->envelope, INV101_ENVELOPE, "version", "1.0") &&
         put(&doc->envelope, INV101_ENVELOPE, "message_type", "INV101") &&
         put(&doc->message, INV101_MESSAGE, "DelcareFlag", "1") && head_from(d, doc);
    for (size_t i = 0; ok && i < d->n_lines; i++) {
        ok = record_alloc(&doc->lines[i], INV101_LINE);
        doc->line_count++; /* released whole or in part by inv101_doc_deinit */
        ok = ok && line_from(d->lines[i], &doc->lines[i]);
    }
    if (!ok) {
        inv101_doc_deinit(doc);
        return BZL_NO_MEMORY;
    }
    return BZL_OK;
}
