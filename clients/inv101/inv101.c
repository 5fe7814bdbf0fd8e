/* inv101.c — reading, checking and writing the 保税核注清单 message (INV101) with libxml2.
 *
 * The fields are inv101_fields.c's tables; the cross-field rules of next-wave.md A.5 are in
 * inv101_check. Where the reference marks a rule C (ours) the comment says so.
 */
#include "inv101_fields.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/calendar.h"
#include "bzl/decimal.h"

/* ---- problems ------------------------------------------------------------------------------- */

void
inv101_problem_add(inv101_problems *out, uint32_t xml_line, const char *path, const char *fmt, ...)
{
    if (out->count == INV101_ERRORS_MAX) {
        out->dropped++;
        return;
    }
    inv101_problem *p = &out->items[out->count++];
    p->xml_line = xml_line;
    snprintf(p->path, sizeof p->path, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof p->message, fmt, ap);
    va_end(ap);
}

/* The path of field f of a record: "InvtHeadType/DclcusTypecd", "InvtListType[3]/DclQty". */
static void
path_of(char *buf, size_t cap, inv101_group g, uint32_t line_no, const char *tag)
{
    if (g == INV101_LINE) {
        snprintf(buf, cap, "%s[%u]/%s", inv101_tables[g].element, (unsigned)line_no, tag);
    } else {
        snprintf(buf, cap, "%s/%s", inv101_tables[g].element, tag);
    }
}

/* ---- reading ------------------------------------------------------------------------------ */

static void
record_free(inv101_record *r, size_t count)
{
    if (r->values != NULL) {
        for (size_t i = 0; i < count; i++) {
            free(r->values[i]);
        }
        free(r->values);
    }
    free(r->xml_lines);
    r->values = NULL;
    r->xml_lines = NULL;
}

void
inv101_doc_deinit(inv101_doc *doc)
{
    record_free(&doc->envelope, inv101_tables[INV101_ENVELOPE].count);
    record_free(&doc->message, inv101_tables[INV101_MESSAGE].count);
    record_free(&doc->head, inv101_tables[INV101_HEAD].count);
    for (uint32_t i = 0; doc->lines != NULL && i < doc->line_count; i++) {
        record_free(&doc->lines[i], inv101_tables[INV101_LINE].count);
    }
    free(doc->lines);
    memset(doc, 0, sizeof *doc);
}

static bool
record_init(inv101_record *r, inv101_group g)
{
    r->values = calloc(inv101_tables[g].count, sizeof *r->values);
    r->xml_lines = calloc(inv101_tables[g].count, sizeof *r->xml_lines);
    r->xml_line = 0;
    return r->values != NULL && r->xml_lines != NULL;
}

static bool
is_named(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static uint32_t
line_of(const xmlNode *n)
{
    long l = xmlGetLineNo(n);
    return l > 0 && l < (long)UINT32_MAX ? (uint32_t)l : 0;
}

/* The element's text with the white space around it trimmed; NULL for an empty element.
 * *nested is set when it has child elements (a field never does). */
static char *
text_of(xmlNode *n, bool *nested, bool *oom)
{
    *nested = false;
    for (xmlNode *c = n->children; c != NULL; c = c->next) {
        *nested |= c->type == XML_ELEMENT_NODE;
    }
    xmlChar *raw = xmlNodeGetContent(n);
    if (raw == NULL) {
        return NULL;
    }
    const char *s = (const char *)raw;
    size_t len = strlen(s);
    while (len > 0 &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r')) {
        len--;
    }
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        len--;
    }
    char *out = NULL;
    if (len > 0) {
        out = malloc(len + 1);
        if (out == NULL) {
            *oom = true;
        } else {
            memcpy(out, s, len);
            out[len] = '\0';
        }
    }
    xmlFree(raw);
    return out;
}

/* Reads the field elements under parent into r. Other element names are problems, except the
 * ones in skip (the group's own sub-elements, read by the caller). */
static bool
record_read(xmlNode *parent, inv101_group g, uint32_t line_no, inv101_record *r,
            const char *const *skip, inv101_problems *out)
{
    bool oom = false;
    char path[96];
    r->xml_line = line_of(parent);
    for (xmlNode *c = parent->children; c != NULL && !oom; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        bool skipped = false;
        for (size_t k = 0; skip != NULL && skip[k] != NULL; k++) {
            skipped |= is_named(c, skip[k]);
        }
        if (skipped) {
            continue;
        }
        const char *tag = (const char *)c->name;
        path_of(path, sizeof path, g, line_no, tag);
        int i = inv101_field_find(g, tag);
        if (i < 0) {
            inv101_problem_add(out, line_of(c), path, "%s is not a field of %s", tag,
                               inv101_tables[g].element);
            continue;
        }
        bool nested = false;
        char *v = text_of(c, &nested, &oom);
        if (nested) {
            inv101_problem_add(out, line_of(c), path, "%s holds elements; a field holds text only",
                               tag);
        } else if (r->values[i] != NULL) {
            inv101_problem_add(out, line_of(c), path, "%s appears twice", tag);
        }
        if (nested || r->values[i] != NULL) {
            free(v);
            continue;
        }
        r->values[i] = v;
        r->xml_lines[i] = line_of(c);
    }
    return !oom;
}

static xmlNode *
child_named(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next) {
        if (is_named(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* libxml2 would print its own errors on stderr; the parser context keeps the last one, which
 * is reported instead. */
static void
silent(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

/* Package's structure into doc. */
static bzl_status
package_read(xmlNode *package, inv101_doc *doc, inv101_problems *out)
{
    uint32_t before = out->count + out->dropped;
    xmlNode *env = child_named(package, "EnvelopInfo");
    xmlNode *data = child_named(package, "DataInfo");
    xmlNode *bd = child_named(data, "BussinessData");
    if (bd == NULL && child_named(data, "BusinessData") != NULL) {
        inv101_problem_add(out, line_of(child_named(data, "BusinessData")), "DataInfo/BusinessData",
                           "the message spells it BussinessData (sic), and so must the file");
        return BZL_MALFORMED;
    }
    xmlNode *msg = child_named(bd, "InvtMessage");
    xmlNode *head = child_named(msg, "InvtHeadType");
    if (head == NULL) {
        inv101_problem_add(
            out, line_of(package), "Package",
            "no Package/DataInfo/BussinessData/InvtMessage/InvtHeadType: not an INV101 "
            "核注清单");
        return BZL_MALFORMED;
    }
    if (!record_init(&doc->envelope, INV101_ENVELOPE) ||
        !record_init(&doc->message, INV101_MESSAGE) || !record_init(&doc->head, INV101_HEAD)) {
        return BZL_NO_MEMORY;
    }
    if (env != NULL && !record_read(env, INV101_ENVELOPE, 0, &doc->envelope, NULL, out)) {
        return BZL_NO_MEMORY;
    }
    /* DelcareFlag sits in BussinessData beside InvtMessage; SysId and OperCusRegCode inside. */
    static const char *const bd_skip[] = {"InvtMessage", NULL};
    static const char *const msg_skip[] = {"InvtHeadType", "InvtListType", NULL};
    inv101_record bd_rec;
    if (!record_init(&bd_rec, INV101_MESSAGE)) {
        return BZL_NO_MEMORY;
    }
    bool ok = record_read(bd, INV101_MESSAGE, 0, &bd_rec, bd_skip, out) &&
              record_read(msg, INV101_MESSAGE, 0, &doc->message, msg_skip, out);
    doc->message.values[MSG_DELCARE_FLAG] = bd_rec.values[MSG_DELCARE_FLAG];
    bd_rec.values[MSG_DELCARE_FLAG] = NULL;
    for (size_t i = 1; i < inv101_tables[INV101_MESSAGE].count; i++) {
        if (bd_rec.values[i] != NULL) {
            inv101_problem_add(out, line_of(bd), "BussinessData", "%s belongs in InvtMessage",
                               inv101_tables[INV101_MESSAGE].fields[i].tag);
        }
    }
    record_free(&bd_rec, inv101_tables[INV101_MESSAGE].count);
    if (!ok || !record_read(head, INV101_HEAD, 0, &doc->head, NULL, out)) {
        return BZL_NO_MEMORY;
    }
    uint32_t n = 0;
    for (xmlNode *c = msg->children; c != NULL; c = c->next) {
        n += is_named(c, "InvtListType");
    }
    if (n > INV101_LINES_MAX) {
        inv101_problem_add(out, line_of(msg), "InvtMessage",
                           "%u InvtListType lines; a list holds at most %u", (unsigned)n,
                           (unsigned)INV101_LINES_MAX);
        return BZL_MALFORMED;
    }
    doc->lines = calloc(n > 0 ? n : 1, sizeof *doc->lines);
    if (doc->lines == NULL) {
        return BZL_NO_MEMORY;
    }
    for (xmlNode *c = msg->children; c != NULL; c = c->next) {
        if (!is_named(c, "InvtListType")) {
            continue;
        }
        inv101_record *r = &doc->lines[doc->line_count];
        if (!record_init(r, INV101_LINE)) {
            return BZL_NO_MEMORY;
        }
        doc->line_count++;
        if (!record_read(c, INV101_LINE, doc->line_count, r, NULL, out)) {
            return BZL_NO_MEMORY;
        }
    }
    if (n == 0) {
        inv101_problem_add(out, line_of(msg), "InvtMessage", "the list has no InvtListType line");
    }
    return out->count + out->dropped == before ? BZL_OK : BZL_MALFORMED;
}

bzl_status
inv101_xml_parse(const char *bytes, size_t len, const char *name, const char *what,
                 struct _xmlDoc **xdoc_out, inv101_problems *out)
{
    BZL_ASSERT(bytes != NULL || len == 0);
    BZL_ASSERT(what != NULL && xdoc_out != NULL && out != NULL);
    *xdoc_out = NULL;
    /* No DTD, so no entity can be declared, let alone expanded (billion laughs, external
     * entities): refused before libxml2 sees the bytes. */
    static const char doctype[] = "<!DOCTYPE";
    for (size_t i = 0; i + sizeof doctype - 1 <= len; i++) {
        if (memcmp(bytes + i, doctype, sizeof doctype - 1) == 0) {
            inv101_problem_add(out, 0, "",
                               "the file declares a DOCTYPE; %s has none, and bzl reads no DTD or "
                               "entity",
                               what);
            return BZL_MALFORMED;
        }
    }
    if (len > (size_t)INT32_MAX) {
        inv101_problem_add(out, 0, "", "the file is larger than 2 GiB");
        return BZL_MALFORMED;
    }
    xmlSetStructuredErrorFunc(NULL, silent);
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        return BZL_NO_MEMORY;
    }
    /* NONET: never fetch anything; no NOENT, DTDLOAD or HUGE: entities stay unexpanded and
     * libxml2's depth and size limits hold (256 levels of nesting). */
    xmlDocPtr xdoc = xmlCtxtReadMemory(ctxt, bytes, (int)len, name, NULL, XML_PARSE_NONET);
    if (xdoc == NULL) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
        char msg[200] = "not well-formed XML";
        if (e != NULL && e->message != NULL) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t n = strlen(msg);
            while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
                msg[--n] = '\0';
            }
        }
        inv101_problem_add(out, e != NULL && e->line > 0 ? (uint32_t)e->line : 0, "",
                           "not well-formed XML: %s", msg);
        xmlFreeParserCtxt(ctxt);
        return BZL_MALFORMED;
    }
    xmlFreeParserCtxt(ctxt);
    *xdoc_out = xdoc;
    return BZL_OK;
}

bzl_status
inv101_read(const char *bytes, size_t len, const char *name, inv101_doc *doc, inv101_problems *out)
{
    BZL_ASSERT(bytes != NULL || len == 0);
    BZL_ASSERT(doc != NULL && out != NULL);
    memset(doc, 0, sizeof *doc);
    xmlDocPtr xdoc = NULL;
    bzl_status parsed = inv101_xml_parse(bytes, len, name, "an INV101 message", &xdoc, out);
    if (parsed != BZL_OK) {
        return parsed;
    }
    xmlNode *root = xmlDocGetRootElement(xdoc);
    xmlNode *package = NULL;
    if (root != NULL && is_named(root, "Package")) {
        package = root;
    } else if (root != NULL && is_named(root, "Signature")) {
        doc->signed_wrapper = true;
        package = child_named(child_named(root, "Object"), "Package");
    }
    bzl_status st = BZL_MALFORMED;
    if (package == NULL) {
        inv101_problem_add(out, root != NULL ? line_of(root) : 0, "",
                           "the root element is %s; an INV101 file's is Package, or an xmldsig "
                           "Signature whose Object holds it",
                           root != NULL ? (const char *)root->name : "missing");
    } else {
        st = package_read(package, doc, out);
    }
    xmlFreeDoc(xdoc);
    if (st != BZL_OK) {
        inv101_doc_deinit(doc);
    }
    return st;
}

/* ---- checking ------------------------------------------------------------------------------- */

/* Characters of a UTF-8 string, or SIZE_MAX when it is not UTF-8 (libxml2 hands us UTF-8). */
static size_t
chars_of(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != 0; p++) {
        n += (*p & 0xC0u) != 0x80u;
    }
    return n;
}

static bool
all_digits(const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

static bool
in_codes(const char *codes, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = codes; *p != '\0';) {
        size_t w = strcspn(p, " ");
        if (w == n && memcmp(p, v, n) == 0) {
            return true;
        }
        p += w;
        p += *p == ' ';
    }
    return false;
}

static bool
date8_ok(const char *v)
{
    if (strlen(v) != 8 || !all_digits(v)) {
        return false;
    }
    char iso[11];
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
    int32_t days = 0;
    return bzl_date_parse(iso, 10, &days) == BZL_OK;
}

/* One field's own form. */
static void
field_check(const field *f, const char *v, uint32_t xml_line, const char *path,
            inv101_problems *out)
{
    size_t chars = chars_of(v);
    if (f->exact != 0 && f->form != F_DATE8 && chars != f->exact) {
        inv101_problem_add(out, xml_line, path,
                           "%s (%s) \"%.40s\" has %zu characters; it must have %u", f->tag,
                           f->label, v, chars, (unsigned)f->exact);
        return;
    }
    if (chars > f->max) {
        inv101_problem_add(out, xml_line, path,
                           "%s (%s) has %zu characters; at most %u are allowed", f->tag, f->label,
                           chars, (unsigned)f->max);
        return;
    }
    switch ((form)f->form) {
    case F_TEXT:
        return;
    case F_DIGITS:
        if (!all_digits(v)) {
            inv101_problem_add(out, xml_line, path, "%s (%s) \"%.40s\" must be digits only", f->tag,
                               f->label, v);
        }
        return;
    case F_CODES:
        if (!in_codes(f->codes, v)) {
            inv101_problem_add(out, xml_line, path, "%s (%s) \"%.20s\" is not one of %s", f->tag,
                               f->label, v, f->codes);
        }
        return;
    case F_DATE8:
        if (!date8_ok(v)) {
            inv101_problem_add(out, xml_line, path,
                               "%s (%s) \"%.20s\" is not a calendar date written yyyyMMdd", f->tag,
                               f->label, v);
        }
        return;
    case F_DECIMAL: {
        const char *dot = strchr(v, '.');
        size_t places = dot != NULL ? strlen(dot + 1) : 0;
        int64_t e5 = 0;
        bool digits = strspn(v, "0123456789.") == strlen(v) && v[0] != '.' &&
                      (dot == NULL || (places > 0 && strchr(dot + 1, '.') == NULL));
        if (!digits) {
            inv101_problem_add(out, xml_line, path, "%s (%s) \"%.40s\" is not a decimal number",
                               f->tag, f->label, v);
        } else if (places > f->places) {
            inv101_problem_add(out, xml_line, path,
                               "%s (%s) \"%.40s\" has %zu decimals; at most %u", f->tag, f->label,
                               v, places, (unsigned)f->places);
        } else if (f->positive &&
                   (bzl_dec_parse(v, strlen(v), BZL_SCALE_QTY, false, &e5) != BZL_OK || e5 <= 0)) {
            inv101_problem_add(out, xml_line, path, "%s (%s) \"%.40s\" must be greater than 0",
                               f->tag, f->label, v);
        }
        return;
    }
    }
}

static uint32_t at_line(const inv101_record *r, int i);

/* Every field of one record: required ones present, each in its form. */
static void
record_check(const inv101_record *r, inv101_group g, uint32_t line_no, inv101_problems *out)
{
    char path[96];
    for (size_t i = 0; i < inv101_tables[g].count; i++) {
        const field *f = &inv101_tables[g].fields[i];
        path_of(path, sizeof path, g, line_no, f->tag);
        if (r->values[i] == NULL) {
            if (f->required) {
                inv101_problem_add(out, r->xml_line, path, "%s (%s) is required", f->tag, f->label);
            }
            continue;
        }
        field_check(f, r->values[i], at_line(r, (int)i), path, out);
    }
}

/* Where a problem with field i of r is reported: its element's line, else the record's. */
static uint32_t
at_line(const inv101_record *r, int i)
{
    return r->xml_lines != NULL && r->xml_lines[i] != 0 ? r->xml_lines[i] : r->xml_line;
}

static const char *
head_value(const inv101_doc *doc, int i)
{
    return doc->head.values[i];
}

static bool
is(const char *v, const char *want)
{
    return v != NULL && strcmp(v, want) == 0;
}

/* A.5 rule 2: the 报关 linkage and the parties it needs. */
static void
check_declaration_link(const inv101_doc *doc, inv101_problems *out)
{
    static const int rlt[] = {H_RLT_BIZOP_NO, H_RLT_BIZOP_SCCD,  H_RLT_BIZOP_NM,
                              H_RLT_RCVGD_NO, H_RLT_RVSNGD_SCCD, H_RLT_RCVGD_NM,
                              H_RLT_DCL_NO,   H_RLT_DCL_SCCD,    H_RLT_DCL_NM};
    static const int corr[] = {H_CORR_NO, H_CORR_SCCD, H_CORR_NM};
    const char *flag = head_value(doc, H_DCLCUS_FLAG);
    const char *type = head_value(doc, H_DCLCUS_TYPECD);
    uint32_t at = doc->head.xml_line;
    char path[96];
    if (is(flag, "2") && type != NULL) {
        inv101_problem_add(out, at_line(&doc->head, H_DCLCUS_TYPECD), "InvtHeadType/DclcusTypecd",
                           "DclcusTypecd (报关类型) must be empty when DclcusFlag is 2 (非报关)");
    }
    if (is(flag, "1") && type == NULL) {
        inv101_problem_add(out, at, "InvtHeadType/DclcusTypecd",
                           "DclcusTypecd (报关类型) is required when DclcusFlag is 1 (报关)");
    }
    if (is(flag, "1") && head_value(doc, H_DEC_TYPE) == NULL) {
        inv101_problem_add(out, at, "InvtHeadType/DecType",
                           "DecType (报关单类型) is required when DclcusFlag is 1 (报关)");
    }
    for (size_t i = 0; is(type, "1") && i < BZL_ARRAY_LEN(rlt); i++) {
        if (head_value(doc, rlt[i]) == NULL) {
            path_of(path, sizeof path, INV101_HEAD, 0,
                    inv101_tables[INV101_HEAD].fields[rlt[i]].tag);
            inv101_problem_add(out, at, path,
                               "%s (%s) is required when DclcusTypecd is 1 (关联报关)",
                               inv101_tables[INV101_HEAD].fields[rlt[i]].tag,
                               inv101_tables[INV101_HEAD].fields[rlt[i]].label);
        }
    }
    for (size_t i = 0; is(type, "2") && i < BZL_ARRAY_LEN(corr); i++) {
        if (head_value(doc, corr[i]) == NULL) {
            path_of(path, sizeof path, INV101_HEAD, 0,
                    inv101_tables[INV101_HEAD].fields[corr[i]].tag);
            inv101_problem_add(out, at, path,
                               "%s (%s) is required when DclcusTypecd is 2 (对应报关)",
                               inv101_tables[INV101_HEAD].fields[corr[i]].tag,
                               inv101_tables[INV101_HEAD].fields[corr[i]].label);
        }
    }
}

/* A.5 rules 3, 4 and 8 on the header. */
static void
check_head_rules(const inv101_doc *doc, inv101_problems *out)
{
    uint32_t at = doc->head.xml_line;
    const char *dcl_type = head_value(doc, H_DCL_TYPECD);
    if ((is(dcl_type, "2") || is(dcl_type, "3")) && head_value(doc, H_SEQ_NO) == NULL) {
        inv101_problem_add(
            out, at, "InvtHeadType/SeqNo",
            "SeqNo (预录入统一编号) is required to change or delete a list (DclTypecd %s)",
            dcl_type);
    }
    if (is(dcl_type, "2") &&
        (head_value(doc, H_CHG_TMS_CNT) == NULL || is(head_value(doc, H_CHG_TMS_CNT), "0"))) {
        inv101_problem_add(
            out, at, "InvtHeadType/ChgTmsCnt",
            "ChgTmsCnt (变更次数) must count this change (1 or more) when DclTypecd is 2");
    }
    const char *list_type = head_value(doc, H_LIST_TYPE);
    if (list_type != NULL && head_value(doc, H_RLT_PUTREC_NO) == NULL) {
        inv101_problem_add(out, at, "InvtHeadType/RltPutrecNo",
                           "RltPutrecNo (关联备案编号) is required for a transfer (ListType %s)",
                           list_type);
    }
    /* D.2: the sending (export) side names the receiving side's import list. */
    if (list_type != NULL && is(head_value(doc, H_IMPEXP_MARKCD), "E") &&
        head_value(doc, H_RLT_INVT_NO) == NULL) {
        inv101_problem_add(
            out, at, "InvtHeadType/RltInvtNo",
            "RltInvtNo (关联清单编号) must name the receiving side's import list on the "
            "export side of a transfer (ListType %s)",
            list_type);
    }
    const char *no = head_value(doc, H_BOND_INVT_NO);
    const char *ie = head_value(doc, H_IMPEXP_MARKCD);
    if (no != NULL && strlen(no) == 18) {
        bool shape = no[0] == 'Q' && no[1] == 'D' && strspn(no + 2, "0123456789") == 6 &&
                     (no[8] == 'I' || no[8] == 'E') && strspn(no + 9, "0123456789") == 9;
        at = at_line(&doc->head, H_BOND_INVT_NO);
        if (!shape) {
            inv101_problem_add(
                out, at, "InvtHeadType/BondInvtNo",
                "BondInvtNo (清单编号) \"%s\" is not QD + 4-digit customs + 2-digit year "
                "+ I or E + 9 digits",
                no);
        } else if (ie != NULL && (ie[0] != no[8] || ie[1] != '\0')) {
            inv101_problem_add(out, at, "InvtHeadType/BondInvtNo",
                               "BondInvtNo (清单编号) \"%s\" is an %c list but ImpexpMarkcd is %s",
                               no, no[8], ie);
        }
    }
}

/* A.5 rules 6 and 7 on one line, and the line numbering of A.4. */
static void
check_line_rules(const inv101_record *r, uint32_t line_no, inv101_problems *out)
{
    char path[96];
    bool unit = r->values[L_SECD_LAWF_UNITCD] != NULL;
    bool qty = r->values[L_SECD_LAWF_QTY] != NULL;
    if (unit != qty) {
        path_of(path, sizeof path, INV101_LINE, line_no, unit ? "SecdLawfQty" : "SecdLawfUnitcd");
        inv101_problem_add(
            out, at_line(r, unit ? L_SECD_LAWF_UNITCD : L_SECD_LAWF_QTY), path,
            "SecdLawfUnitcd and SecdLawfQty (第二法定单位与数量) go together: %s without %s",
            unit ? "a unit" : "a quantity", unit ? "a quantity" : "a unit");
    }
    const char *gds = r->values[L_GDS_SEQNO];
    char want[24];
    snprintf(want, sizeof want, "%u", (unsigned)line_no);
    if (gds != NULL && all_digits(gds) && strcmp(gds, want) != 0) {
        path_of(path, sizeof path, INV101_LINE, line_no, "GdsSeqno");
        inv101_problem_add(
            out, at_line(r, L_GDS_SEQNO), path,
            "GdsSeqno (商品序号) is %s; the lines of a list are numbered 1 to n in order, "
            "so this one is %s",
            gds, want);
    }
    int64_t qty_e5 = 0;
    int64_t price_e5 = 0;
    int64_t total_e5 = 0;
    const char *q = r->values[L_DCL_QTY];
    const char *p = r->values[L_DCL_UPRC_AMT];
    const char *t = r->values[L_DCL_TOTAL_AMT];
    if (q == NULL || p == NULL || t == NULL ||
        bzl_dec_parse(q, strlen(q), BZL_SCALE_QTY, false, &qty_e5) != BZL_OK ||
        bzl_dec_parse(p, strlen(p), BZL_SCALE_QTY, false, &price_e5) != BZL_OK ||
        bzl_dec_parse(t, strlen(t), BZL_SCALE_QTY, false, &total_e5) != BZL_OK) {
        return; /* each field's own problem is already listed */
    }
    /* qty × price in e-10 against the total in e-10; 0.01 is 10^8 of e-10. */
    bzl_i128 diff = (bzl_i128)qty_e5 * price_e5 - (bzl_i128)total_e5 * 100000;
    if (diff > 100000000 || diff < -100000000) {
        path_of(path, sizeof path, INV101_LINE, line_no, "DclTotalAmt");
        inv101_problem_add(
            out, at_line(r, L_DCL_TOTAL_AMT), path,
            "DclTotalAmt (企业申报总价) %s differs from DclQty × DclUprcAmt (%s × %s) by "
            "more than 0.01",
            t, q, p);
    }
}

bool
inv101_check(const inv101_doc *doc, inv101_problems *out)
{
    BZL_ASSERT(doc->head.values != NULL);
    uint32_t before = out->count + out->dropped;
    if (doc->envelope.xml_line != 0) { /* EnvelopInfo is optional; when there, it is whole */
        record_check(&doc->envelope, INV101_ENVELOPE, 0, out);
    }
    record_check(&doc->message, INV101_MESSAGE, 0, out);
    record_check(&doc->head, INV101_HEAD, 0, out);
    check_declaration_link(doc, out);
    check_head_rules(doc, out);
    for (uint32_t i = 0; i < doc->line_count; i++) {
        record_check(&doc->lines[i], INV101_LINE, i + 1, out);
        check_line_rules(&doc->lines[i], i + 1, out);
    }
    return out->count + out->dropped == before;
}

/* ---- writing -------------------------------------------------------------------------------- */

static bool
record_write(xmlTextWriterPtr w, const char *element, const inv101_record *r, inv101_group g,
             size_t from, size_t to)
{
    bool ok = element == NULL || xmlTextWriterStartElement(w, BAD_CAST element) >= 0;
    for (size_t i = from; ok && i < to; i++) {
        if (r->values[i] != NULL) {
            ok = xmlTextWriterWriteElement(w, BAD_CAST inv101_tables[g].fields[i].tag,
                                           BAD_CAST r->values[i]) >= 0;
        }
    }
    return ok && (element == NULL || xmlTextWriterEndElement(w) >= 0);
}

bzl_status
inv101_write(const inv101_doc *doc, char **xml, size_t *len)
{
    BZL_ASSERT(doc->head.values != NULL && doc->message.values != NULL);
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return BZL_NO_MEMORY;
    }
    size_t msg_fields = inv101_tables[INV101_MESSAGE].count;
    bool ok = xmlTextWriterSetIndent(w, 1) >= 0 &&
              xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0 &&
              xmlTextWriterStartElement(w, BAD_CAST "Package") >= 0 &&
              (doc->envelope.values == NULL ||
               record_write(w, "EnvelopInfo", &doc->envelope, INV101_ENVELOPE, 0,
                            inv101_tables[INV101_ENVELOPE].count)) &&
              xmlTextWriterStartElement(w, BAD_CAST "DataInfo") >= 0 &&
              xmlTextWriterStartElement(w, BAD_CAST "BussinessData") >= 0 &&
              record_write(w, NULL, &doc->message, INV101_MESSAGE, 0, 1) &&
              xmlTextWriterStartElement(w, BAD_CAST "InvtMessage") >= 0 &&
              record_write(w, NULL, &doc->message, INV101_MESSAGE, 1, msg_fields) &&
              record_write(w, "InvtHeadType", &doc->head, INV101_HEAD, 0,
                           inv101_tables[INV101_HEAD].count);
    for (uint32_t i = 0; ok && i < doc->line_count; i++) {
        ok = record_write(w, "InvtListType", &doc->lines[i], INV101_LINE, 0,
                          inv101_tables[INV101_LINE].count);
    }
    ok = ok && xmlTextWriterEndDocument(w) >= 0; /* closes every open element */
    xmlFreeTextWriter(w);
    bzl_status st = ok ? BZL_OK : BZL_INTERNAL;
    if (st == BZL_OK) {
        size_t n = (size_t)xmlBufferLength(buf);
        *xml = malloc(n + 1);
        if (*xml == NULL) {
            st = BZL_NO_MEMORY;
        } else {
            memcpy(*xml, xmlBufferContent(buf), n);
            (*xml)[n] = '\0';
            *len = n;
        }
    }
    xmlBufferFree(buf);
    return st;
}
