/* receipt.h — customs receipts for a 核注清单 as files from the customs client's in-box
 * (next-wave.md A.2; docs/INV101.md "Receipts"): the data centre's import receipt
 * (CommonResponeMessage), INV201 (HdeApprResult + BondInvtBsc), INV202 (InvApprResult) and
 * INV211 (BondInvtBsc + BwsDt), read into what bzld's ApplyReceipt takes.
 *
 * Parsing is inv101_xml_parse's (inv101.h): a DOCTYPE is refused unread, libxml2 never touches
 * the network, expands no entity and keeps its depth limits. Never talks to bzld.
 */
#ifndef BZL_INV_RECEIPT_H
#define BZL_INV_RECEIPT_H

#include "inv101.h"

/* One value of the receipt, as the file has it (trimmed of surrounding white space). */
typedef struct inv_receipt_field {
    uint8_t group; /* 0 the list's head, 1 a list line (BondInvtDtl), 2 a book line (BwsDt) */
    uint32_t line; /* groups 1 and 2: the element's gdsSeqno; 0 for the head */
    char *name;    /* owned */
    char *value;   /* owned, never empty: empty elements are not kept */
} inv_receipt_field;

typedef struct inv_receipt {
    uint8_t message;    /* bzl_receipt_message: 1 import receipt, 2 INV201, 3 INV202, 4 INV211 */
    const char *code;   /* DealFlag or manageResult (points into fields); "" for INV211 */
    const char *id;     /* BondInvtBsc/etpsInnerInvtNo, or CommonResponeMessage/EtpsPreentNo;
                         * "" when the receipt has none */
    const char *seq_no; /* SeqNo / invtPreentNo / etpsPreentNo / invPreentNo; "" when none */
    const char *enterprise; /* BondInvtBsc/bizopEtpsno; "" when none */
    inv_receipt_field *fields;
    uint32_t field_count;
    uint32_t book_lines; /* BwsDt elements */
} inv_receipt;

/* Reads one receipt file's bytes. BZL_OK with *r filled (inv_receipt_deinit releases it);
 * BZL_MALFORMED with each problem in out, naming the XML line and the element path
 * ("INV201/HdeApprResult/manageResult"): not XML, a DOCTYPE, a root that is no receipt, a
 * missing code or list number, a value longer than bzld takes; BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status inv_receipt_read(const char *bytes, size_t len, const char *name,
                                          inv_receipt *r, inv101_problems *out);

void inv_receipt_deinit(inv_receipt *r);

#endif
