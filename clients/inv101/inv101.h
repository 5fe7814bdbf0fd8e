/* inv101.h — the 保税核注清单 message (INV101) as the customs client exchanges it: read from XML,
 * checked against the message's own rules, written back (docs/INV101.md).
 *
 * A document is kept as the text of each element, exactly as the file had it (after XML
 * unescaping and trimming of surrounding white space), so that writing it back gives the same
 * fields and values. Which elements exist, their lengths, code tables and the cross-field rules
 * come from ../shared/reference/next-wave.md §A.2-A.5, whose source keys the field tables in
 * inv101.c carry.
 *
 * Never: talks to bzld, reads a DTD or an external entity, touches the network (libxml2 runs
 * with XML_PARSE_NONET and without entity substitution; a document with a DOCTYPE is refused
 * before it is parsed).
 */
#ifndef BZL_INV101_H
#define BZL_INV101_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bzl/base.h"

/* Lines of one list: the daemon's own ceiling on a declaration's lines. */
#define INV101_LINES_MAX 10000u
/* Problems reported per document before the rest is skipped: enough to fix an ERP's
 * systematic mistake, few enough to read. */
#define INV101_ERRORS_MAX 20u

/* The four groups of fields a document holds, each with its table in inv101.c. */
typedef enum inv101_group {
    INV101_ENVELOPE = 0, /* Package/EnvelopInfo */
    INV101_MESSAGE = 1,  /* BussinessData/DelcareFlag and InvtMessage/SysId, OperCusRegCode */
    INV101_HEAD = 2,     /* InvtMessage/InvtHeadType */
    INV101_LINE = 3,     /* InvtMessage/InvtListType, one per line */
    INV101_GROUPS = 4,
} inv101_group;

/* Fields per group (the size of each group's table). */
size_t inv101_field_count(inv101_group g);
/* The element name of field i of group g ("EtpsInnerInvtNo"), or NULL past the table. */
const char *inv101_field_tag(inv101_group g, size_t i);
/* The index of the field named tag in group g, or -1. */
int inv101_field_find(inv101_group g, const char *tag);

/* One group's values: values[i] is field i's text (owned, NUL-terminated), NULL when the
 * element is absent; xml_lines[i] the line its element was on, xml_line the group element's
 * (0 when not read from XML). */
typedef struct inv101_record {
    char **values;
    uint32_t *xml_lines;
    uint32_t xml_line;
} inv101_record;

typedef struct inv101_doc {
    bool signed_wrapper; /* the file wrapped Package in an xmldsig Signature/Object */
    inv101_record envelope;
    inv101_record message;
    inv101_record head;
    inv101_record *lines; /* line_count of them, in file order */
    uint32_t line_count;
} inv101_doc;

/* A problem in a document: where and why, for people. */
typedef struct inv101_problem {
    uint32_t xml_line; /* 0 when the problem is not tied to one element */
    char path[96];     /* "InvtListType[3]/DclUprcAmt", "InvtHeadType/DclcusTypecd", "" */
    char message[256]; /* a complete sentence */
} inv101_problem;

typedef struct inv101_problems {
    inv101_problem items[INV101_ERRORS_MAX];
    uint32_t count;   /* kept, at most INV101_ERRORS_MAX */
    uint32_t dropped; /* found beyond the cap */
} inv101_problems;

/* Adds a problem at xml_line and path (beyond INV101_ERRORS_MAX it is only counted). */
void inv101_problem_add(inv101_problems *out, uint32_t xml_line, const char *path, const char *fmt,
                        ...) BZL_PRINTF(4, 5);

/* Reads an INV101 document from bytes (a whole file, UTF-8 or as its XML declaration says).
 * name is used in messages only. On BZL_OK *doc is filled (release with inv101_doc_deinit);
 * the structure was understood, which says nothing yet about the rules (inv101_check).
 * BZL_MALFORMED: not XML (truncated, wrong encoding, too deep, a DOCTYPE), not an INV101
 * (wrong root, missing InvtHeadType), an unknown or repeated element, more than
 * INV101_LINES_MAX lines; out names each problem and *doc is left empty. BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status inv101_read(const char *bytes, size_t len, const char *name,
                                     inv101_doc *doc, inv101_problems *out);

/* The one safe way bzl parses a customs XML file (an INV101 here, a receipt in receipt.c): a
 * DOCTYPE anywhere is refused before libxml2 sees the bytes (so no entity is ever declared or
 * expanded), libxml2 runs with XML_PARSE_NONET and its default depth and size limits, and
 * its errors are kept out of stderr. On BZL_OK *xdoc is the document (xmlFreeDoc it);
 * BZL_MALFORMED with the problem in out (what, "an INV101 message", names the kind of file
 * in the DOCTYPE refusal); BZL_NO_MEMORY. */
struct _xmlDoc;
BZL_NODISCARD bzl_status inv101_xml_parse(const char *bytes, size_t len, const char *name,
                                          const char *what, struct _xmlDoc **xdoc,
                                          inv101_problems *out);

/* Checks every field against its length, form and code table and the cross-field rules of
 * next-wave.md A.5 (those that need no ledger: 1-4 and 6-8). Appends each violation to out.
 * Returns true when there was none. */
bool inv101_check(const inv101_doc *doc, inv101_problems *out);

/* Writes doc as an INV101 Package (UTF-8, no signature: the customs client signs) into a
 * malloc'd buffer, fields in the message's order, absent fields omitted. *xml owned by the
 * caller. BZL_NO_MEMORY; BZL_INTERNAL when libxml2's writer fails. */
BZL_NODISCARD bzl_status inv101_write(const inv101_doc *doc, char **xml, size_t *len);

/* Releases what doc owns and zeroes it. Safe on a zeroed doc. */
void inv101_doc_deinit(inv101_doc *doc);

#endif
