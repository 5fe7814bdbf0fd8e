/* inv101_map.h — a 核注清单 (INV101) as a bzl declaration and back (docs/INV101.md, "Where bzl
 * keeps each field"; next-wave.md A.7).
 *
 * The ledger's core fields take the list's own: EtpsInnerInvtNo the declaration id (the
 * idempotency key), BizopEtpsno the enterprise, PutrecNo the book, MtpckEndprdMarkcd the kind,
 * ImpexpMarkcd the direction, SupvModecd the trade mode, InvtDclTime the date; on a line
 * PutrecSeqno the item, DclQty the quantity, DclUnitcd the unit, DclTotalAmt the value,
 * DclCurrcd the currency, UsdStatTotalAmt the USD value, Natcd the country, UcnsVerno the BOM
 * version. Every other field present travels as a ListField (name, text) and is kept as the
 * list had it. A declared list (DelcareFlag 1) is submitted pending: customs' deduction
 * (预核扣, 核扣) decides when it posts.
 *
 * Never: talks to bzld; checks the message's rules (inv101_check does, before).
 */
#ifndef BZL_INV101_MAP_H
#define BZL_INV101_MAP_H

#include "bzl.pb-c.h"
#include "inv101.h"

/* A declaration message built from a document: its strings are borrowed from the document
 * (which must outlive it) or from this struct; the arrays are owned. */
typedef struct inv101_decl {
    Bzl__V1__Declaration decl;
    Bzl__V1__DeclarationLine *lines;
    Bzl__V1__DeclarationLine **line_ptrs;
    Bzl__V1__ListField *fields; /* every ListField, the header's then each line's */
    Bzl__V1__ListField **field_ptrs;
    char date[11]; /* YYYY-MM-DD */
} inv101_decl;

/* doc (read and checked) as a declaration. BZL_OK; BZL_INVALID_ARGUMENT with a problem in out
 * when a value the ledger needs does not fit it (a PutrecSeqno past 4294967295); BZL_NO_MEMORY.
 * Release with inv101_decl_deinit either way. */
BZL_NODISCARD bzl_status inv101_to_decl(const inv101_doc *doc, inv101_decl *out,
                                        inv101_problems *problems);
void inv101_decl_deinit(inv101_decl *d);

/* Where a daemon's fault (its line, 0 for the header, and field: a core field name such as
 * "qty" or a list field's element name) is in doc: the element's path
 * ("InvtListType[3]/DclQty", "InvtHeadType/PutrecNo", "InvtListType[2]" when the field is
 * not one of the element's) and its XML line (0 when unknown). */
void inv101_fault_where(const inv101_doc *doc, uint32_t line, const char *field, uint32_t *xml_line,
                        char *path, size_t path_cap);

/* A declaration as an INV101 document (no envelope but message_type; UTF-8 values copied).
 * The inverse of inv101_to_decl: for a declaration it made, inv101_write of the result holds
 * the same fields with the same values (decimals as the ledger writes them: equal in value).
 * BZL_NO_MEMORY; BZL_INVALID_ARGUMENT when the declaration lacks what a list must have (it
 * was not submitted from a list: no list fields). */
BZL_NODISCARD bzl_status inv101_from_decl(const Bzl__V1__Declaration *d, inv101_doc *doc);

#endif
