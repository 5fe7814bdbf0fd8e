/* receipt.c — customs receipt files read with libxml2 (receipt.h). Element names and nesting
 * follow next-wave.md A.2 [S: GXB receipt test files]: the import receipt is a bare
 * CommonResponeMessage; INV201, INV202 and INV211 come as Package/DataInfo/BussinessData/INVnnn
 * (with or without the xmldsig Signature around Package), camelCase inside. */
#include "receipt.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/receipt.h"

static bool
is_named(const xmlNode *n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent != NULL ? parent->children : NULL; c != NULL; c = c->next) {
        if (is_named(c, name)) {
            return c;
        }
    }
    return NULL;
}

static uint32_t
line_of(const xmlNode *n)
{
    long l = n != NULL ? xmlGetLineNo(n) : 0;
    return l > 0 && l < (long)UINT32_MAX ? (uint32_t)l : 0;
}

/* An element name bzld keeps: letters, digits, underscores, 1..BZL_RECEIPT_NAME_BYTES_MAX. */
static bool
name_ok(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return false;
        }
    }
    return n > 0 && n <= BZL_RECEIPT_NAME_BYTES_MAX;
}

/* The element's text trimmed; NULL for an empty one (and *oom on allocation failure). */
static char *
trimmed(xmlNode *n, bool *oom)
{
    xmlChar *raw = xmlNodeGetContent(n);
    if (raw == NULL) {
        return NULL;
    }
    const char *s = (const char *)raw;
    size_t len = strlen(s);
    while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL) {
        len--;
    }
    while (len > 0 && strchr(" \t\r\n", *s) != NULL) {
        s++;
        len--;
    }
    char *out = NULL;
    if (len > 0) {
        out = malloc(len + 1);
        *oom |= out == NULL;
        if (out != NULL) {
            memcpy(out, s, len);
            out[len] = '\0';
        }
    }
    xmlFree(raw);
    return out;
}

typedef struct reader {
    inv_receipt *r;
    inv101_problems *out;
    uint32_t cap;
    bool oom;
} reader;

static bool
push(reader *rd, uint8_t group, uint32_t line, const char *name, char *value)
{
    inv_receipt *r = rd->r;
    if (r->field_count == BZL_RECEIPT_FIELDS_MAX) {
        free(value);
        return false;
    }
    if (r->field_count == rd->cap) {
        uint32_t cap = rd->cap == 0 ? 64 : rd->cap * 2;
        inv_receipt_field *grown = realloc(r->fields, cap * sizeof *grown);
        if (grown == NULL) {
            free(value);
            rd->oom = true;
            return false;
        }
        r->fields = grown;
        rd->cap = cap;
    }
    char *n = strdup(name);
    if (n == NULL) {
        free(value);
        rd->oom = true;
        return false;
    }
    r->fields[r->field_count++] = (inv_receipt_field){group, line, n, value};
    return true;
}

/* The value of a field already read (group 0, or of one group-line), or NULL. */
static const char *
value_of(const inv_receipt *r, uint8_t group, uint32_t line, const char *name, uint32_t from)
{
    for (uint32_t i = from; i < r->field_count; i++) {
        if (r->fields[i].group == group && r->fields[i].line == line &&
            strcmp(r->fields[i].name, name) == 0) {
            return r->fields[i].value;
        }
    }
    return NULL;
}

/* Reads the leaf elements of el (path names it in problems) as fields of group; for groups 1
 * and 2 the line number is the element's gdsSeqno, which must be there. */
static void
section(reader *rd, xmlNode *el, const char *path, uint8_t group)
{
    uint32_t first = rd->r->field_count;
    uint32_t line = 0;
    if (group != 0) {
        xmlNode *g = child(el, "gdsSeqno");
        bool oom = false;
        char *v = g != NULL ? trimmed(g, &oom) : NULL;
        rd->oom |= oom;
        char *end = NULL;
        unsigned long n = v != NULL ? strtoul(v, &end, 10) : 0;
        if (v == NULL || *end != '\0' || n == 0 || n > BZL_ITEM_NO_MAX || v[0] == '-' ||
            v[0] == '+') {
            inv101_problem_add(rd->out, line_of(g != NULL ? g : el), path,
                               "gdsSeqno %s%s%s is not a line or book item number (1 to %u)",
                               v != NULL ? "'" : "", v != NULL ? v : "is missing and",
                               v != NULL ? "'" : "", (unsigned)BZL_ITEM_NO_MAX);
            free(v);
            return;
        }
        free(v);
        line = (uint32_t)n;
    }
    for (xmlNode *c = el->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        char at[96];
        snprintf(at, sizeof at, "%s/%s", path, (const char *)c->name);
        bool nested = false;
        for (xmlNode *k = c->children; k != NULL; k = k->next) {
            nested |= k->type == XML_ELEMENT_NODE;
        }
        if (nested) {
            inv101_problem_add(rd->out, line_of(c), at, "a value element holds elements");
            continue;
        }
        if (!name_ok((const char *)c->name)) {
            inv101_problem_add(rd->out, line_of(c), at,
                               "the element name is not 1 to %u letters, digits or underscores",
                               (unsigned)BZL_RECEIPT_NAME_BYTES_MAX);
            continue;
        }
        char *v = trimmed(c, &rd->oom);
        if (v == NULL) {
            continue; /* empty elements are not kept */
        }
        if (strlen(v) > BZL_RECEIPT_VALUE_BYTES_MAX) {
            inv101_problem_add(rd->out, line_of(c), at,
                               "the value is %zu bytes; bzld keeps at most %u", strlen(v),
                               (unsigned)BZL_RECEIPT_VALUE_BYTES_MAX);
            free(v);
            continue;
        }
        if (value_of(rd->r, group, line, (const char *)c->name, first) != NULL) {
            inv101_problem_add(rd->out, line_of(c), at, "the element appears twice");
            free(v);
            continue;
        }
        if (!push(rd, group, line, (const char *)c->name, v) && !rd->oom) {
            inv101_problem_add(rd->out, line_of(c), at, "the receipt carries more than %u values",
                               (unsigned)BZL_RECEIPT_FIELDS_MAX);
            return;
        }
    }
}

/* The one required value name in group 0 (after section read it): a problem when missing. */
static const char *
required(reader *rd, xmlNode *el, const char *path, const char *name, size_t max)
{
    const char *v = value_of(rd->r, 0, 0, name, 0);
    xmlNode *c = child(el, name);
    if (v == NULL) {
        inv101_problem_add(rd->out, line_of(c != NULL ? c : el), path, "%s %s", name,
                           c != NULL ? "is empty" : "is missing");
        return "";
    }
    if (strlen(v) > max) {
        char at[96];
        snprintf(at, sizeof at, "%s/%s", path, name);
        inv101_problem_add(rd->out, line_of(c), at, "'%.40s' is longer than %zu bytes", v, max);
        return "";
    }
    return v;
}

static const char *
optional(const inv_receipt *r, const char *name)
{
    const char *v = value_of(r, 0, 0, name, 0);
    return v != NULL ? v : "";
}

static void
read_import(reader *rd, xmlNode *root)
{
    inv_receipt *r = rd->r;
    r->message = BZL_RM_IMPORT;
    section(rd, root, "CommonResponeMessage", 0);
    r->code = required(rd, root, "CommonResponeMessage", "DealFlag", BZL_RECEIPT_CODE_BYTES_MAX);
    /* A failed import may come without a SeqNo; the list is then named by EtpsPreentNo. */
    r->seq_no = optional(r, "SeqNo");
    r->id = optional(r, "EtpsPreentNo");
    if (r->seq_no[0] == '\0' && r->id[0] == '\0') {
        inv101_problem_add(rd->out, line_of(root), "CommonResponeMessage",
                           "neither SeqNo nor EtpsPreentNo names the list");
    }
}

/* BondInvtBsc (INV201, INV211): the list's own number, SeqNo and enterprise. */
static void
read_bsc(reader *rd, xmlNode *bsc, const char *path, bool needed)
{
    inv_receipt *r = rd->r;
    if (bsc == NULL) {
        if (needed) {
            inv101_problem_add(rd->out, 0, path, "BondInvtBsc is missing");
        }
        return;
    }
    section(rd, bsc, path, 0);
    r->id = optional(r, "etpsInnerInvtNo");
    if (r->seq_no[0] == '\0') {
        r->seq_no = optional(r, "invtPreentNo");
    }
    r->enterprise = optional(r, "bizopEtpsno");
}

static void
read_package(reader *rd, xmlNode *package)
{
    inv_receipt *r = rd->r;
    xmlNode *bd = child(child(package, "DataInfo"), "BussinessData");
    xmlNode *body = NULL;
    static const char *const kinds[] = {"INV201", "INV202", "INV211"};
    unsigned k = 0;
    for (; k < 3 && body == NULL; k++) {
        body = child(bd, kinds[k]);
    }
    if (body == NULL) {
        inv101_problem_add(
            rd->out, line_of(package), "Package",
            "Package/DataInfo/BussinessData holds no INV201, INV202 or INV211: not a "
            "customs receipt (an INV101 is a list: bzl inv101 check)");
        return;
    }
    const char *kind = kinds[k - 1];
    char path[64];
    if (strcmp(kind, "INV202") == 0) {
        r->message = BZL_RM_INV202;
        xmlNode *res = child(body, "InvApprResult");
        snprintf(path, sizeof path, "INV202/InvApprResult");
        if (res == NULL) {
            inv101_problem_add(rd->out, line_of(body), "INV202", "InvApprResult is missing");
            return;
        }
        section(rd, res, path, 0);
        r->code = required(rd, res, path, "manageResult", BZL_RECEIPT_CODE_BYTES_MAX);
        r->seq_no = required(rd, res, path, "invPreentNo", BZL_RECEIPT_SEQ_NO_BYTES_MAX);
        return;
    }
    if (strcmp(kind, "INV201") == 0) {
        r->message = BZL_RM_INV201;
        xmlNode *res = child(body, "HdeApprResult");
        if (res == NULL) {
            inv101_problem_add(rd->out, line_of(body), "INV201", "HdeApprResult is missing");
            return;
        }
        section(rd, res, "INV201/HdeApprResult", 0);
        r->code =
            required(rd, res, "INV201/HdeApprResult", "manageResult", BZL_RECEIPT_CODE_BYTES_MAX);
        r->seq_no = optional(r, "etpsPreentNo");
        read_bsc(rd, child(body, "BondInvtBsc"), "INV201/BondInvtBsc", false);
        uint32_t n = 0;
        for (xmlNode *c = body->children; c != NULL; c = c->next) {
            if (is_named(c, "BondInvtDtl")) {
                snprintf(path, sizeof path, "INV201/BondInvtDtl[%u]", (unsigned)++n);
                section(rd, c, path, 1);
            }
        }
    } else {
        r->message = BZL_RM_INV211;
        r->code = "";
        read_bsc(rd, child(body, "BondInvtBsc"), "INV211/BondInvtBsc", true);
        uint32_t n = 0;
        for (xmlNode *c = body->children; c != NULL; c = c->next) {
            if (is_named(c, "BwsDt")) {
                snprintf(path, sizeof path, "INV211/BwsDt[%u]", (unsigned)++n);
                section(rd, c, path, 2);
            }
        }
        r->book_lines = n;
    }
    if (r->id[0] == '\0' && r->seq_no[0] == '\0') {
        inv101_problem_add(rd->out, line_of(body), kind,
                           "neither BondInvtBsc/etpsInnerInvtNo nor a SeqNo names the list");
    }
}

/* The list numbers must fit what bzld takes. */
static void
lengths(reader *rd)
{
    inv_receipt *r = rd->r;
    if (strlen(r->id) > BZL_DECL_ID_BYTES_MAX) {
        inv101_problem_add(rd->out, 0, "", "the list number '%.40s…' is longer than %u bytes",
                           r->id, (unsigned)BZL_DECL_ID_BYTES_MAX);
    }
    if (strlen(r->seq_no) > BZL_RECEIPT_SEQ_NO_BYTES_MAX) {
        inv101_problem_add(rd->out, 0, "", "SeqNo '%.40s' is longer than %u characters", r->seq_no,
                           (unsigned)BZL_RECEIPT_SEQ_NO_BYTES_MAX);
    }
}

bzl_status
inv_receipt_read(const char *bytes, size_t len, const char *name, inv_receipt *r,
                 inv101_problems *out)
{
    BZL_ASSERT(r != NULL && out != NULL);
    memset(r, 0, sizeof *r);
    r->code = r->id = r->seq_no = r->enterprise = "";
    xmlDocPtr xdoc = NULL;
    bzl_status st = inv101_xml_parse(bytes, len, name, "a customs receipt", &xdoc, out);
    if (st != BZL_OK) {
        return st;
    }
    uint32_t before = out->count + out->dropped;
    reader rd = {.r = r, .out = out};
    xmlNode *root = xmlDocGetRootElement(xdoc);
    xmlNode *package = NULL;
    if (is_named(root, "Signature")) {
        package = child(child(root, "Object"), "Package");
    } else if (is_named(root, "Package")) {
        package = root;
    }
    if (is_named(root, "CommonResponeMessage")) {
        read_import(&rd, root);
    } else if (package != NULL) {
        read_package(&rd, package);
    } else {
        inv101_problem_add(
            out, line_of(root), "",
            "the root element is %s; a customs receipt's is CommonResponeMessage (the "
            "import receipt) or Package holding INV201, INV202 or INV211",
            root != NULL ? (const char *)root->name : "missing");
    }
    lengths(&rd);
    xmlFreeDoc(xdoc);
    if (rd.oom) {
        inv_receipt_deinit(r);
        return BZL_NO_MEMORY;
    }
    if (out->count + out->dropped != before) {
        inv_receipt_deinit(r);
        return BZL_MALFORMED;
    }
    return BZL_OK;
}

void
inv_receipt_deinit(inv_receipt *r)
{
    for (uint32_t i = 0; r->fields != NULL && i < r->field_count; i++) {
        free(r->fields[i].name);
        free(r->fields[i].value);
    }
    free(r->fields);
    memset(r, 0, sizeof *r);
    r->code = r->id = r->seq_no = r->enterprise = "";
}
