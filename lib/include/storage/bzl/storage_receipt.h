/* storage_receipt.h — customs receipts applied to lists (docs/INV101.md "Receipts"), part of
 * the storage module (bzl/storage.h).
 *
 * A receipt moves a declaration through next-wave.md A.6's machine (bzl/receipt.h): it is
 * journaled (entry 22) and kept, with customs' back-filled values exactly as sent, in the
 * receipt table; a receipt that deducts a pending declaration posts it (entry 5, as `post`
 * does), one that returns it rejects it (entry 11), in the same transaction. The declaration
 * itself, an immutable journal entry, never changes: the back-fills live beside it.
 */
#ifndef BZL_STORAGE_RECEIPT_H
#define BZL_STORAGE_RECEIPT_H

#include "bzl/receipt.h"
#include "bzl/storage.h"

/* One value customs sent (borrowed strings). */
typedef struct bzl_receipt_field {
    uint8_t group; /* 0 the list's head, 1 a list line, 2 a book line (BwsDt) */
    uint32_t line; /* group 1: the line's gdsSeqno; group 2: the book item; 0 for the head */
    const char *name;
    const char *value;
} bzl_receipt_field;

/* One receipt as the daemon takes it (borrowed fields). */
typedef struct bzl_receipt {
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];            /* "" when seq_no names the list */
    char seq_no[BZL_RECEIPT_SEQ_NO_BYTES_MAX + 1]; /* "" when the receipt has none */
    uint8_t message;                               /* bzl_receipt_message */
    char code[BZL_RECEIPT_CODE_BYTES_MAX + 1];
    uint32_t field_count; /* <= BZL_RECEIPT_FIELDS_MAX */
    const bzl_receipt_field *fields;
} bzl_receipt;

typedef struct bzl_receipt_result {
    bzl_status status; /* BZL_OK, or why it was refused (fault) */
    bzl_fault fault;
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1]; /* the list found: its enterprise */
    char id[BZL_DECL_ID_BYTES_MAX + 1];           /* … and id */
    uint8_t previous;                             /* bzl_customs_state before */
    uint8_t state;                                /* … and after */
    uint8_t ledger_state;                         /* bzl_decl_state after */
    bool replayed;                                /* the same content was applied before */
    uint64_t seq;                                 /* entry 22 (the earlier one when replayed) */
    uint64_t ledger_seq; /* the post or reject entry written; 0 when none */
} bzl_receipt_result;

/* Applies r in a transaction nested in `batch`, so a refusal leaves nothing behind. Returns
 * BZL_OK when the batch may go on, the outcome in *out: applied, replayed, or refused with
 * NOT_FOUND naming the list (another enterprise's list answers exactly as a missing one),
 * STATE_CONFLICT naming the list's state and the one the receipt leads to, INVALID_CODE,
 * INVALID_ARGUMENT (a SeqNo that already names another list), LIMIT_EXCEEDED (the list's
 * receipts or back-fills), or the post's own refusal (PERIOD_CLOSED …). */
BZL_NODISCARD bzl_status bzl_storage_receipt_apply(bzl_txn *batch, const bzl_receipt *r,
                                                   const bzl_actor *actor, bzl_receipt_result *out);

/* A list's customs side: its state, receipts applied and back-fills (the latest value of each
 * (group, line, name), groups 0 and 1, in that order). fields point into *blob (malloc'd, the
 * caller frees it; NULL when there is none). A list no receipt reached: SUBMITTED, nothing. */
typedef struct bzl_receipt_info {
    uint8_t state;
    uint32_t receipt_count;
    uint32_t field_count;
    bzl_receipt_field *fields; /* malloc'd with blob, freed by bzl_receipt_info_free */
    uint8_t *blob;
} bzl_receipt_info;
BZL_NODISCARD bzl_status bzl_storage_receipt_info(bzl_txn *t, const char *enterprise,
                                                  const char *id, bzl_receipt_info *out);
void bzl_receipt_info_free(bzl_receipt_info *info);

/* Which figure of an INV211 book line (BwsDt) stands for customs' quantity on the book line
 * (bzld.conf [receipts] diff_figure; our reading, C, of next-wave.md A.2's field list). */
typedef enum bzl_receipt_figure {
    BZL_RECEIPT_FIGURE_IN_QTY = 0, /* inQty; actlIncQty − actlRedcQty when it has none */
    BZL_RECEIPT_FIGURE_ACTL = 1,   /* actlIncQty − actlRedcQty; inQty when it has none */
} bzl_receipt_figure;

/* One book line the latest INV211 sent that disagrees with bzl's posted balance. */
typedef struct bzl_receipt_diff_row {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;
    uint32_t item_no;
    bool readable;      /* actlIncQty and actlRedcQty were decimals */
    int64_t customs_e5; /* inQty, or actlIncQty − actlRedcQty (storage_receipt.c) */
    int64_t bzl_e5;     /* posted quantity */
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    uint64_t seq;
    char note[128];
} bzl_receipt_diff_row;

/* The book lines (of book_no, or every book when "") after `skip` compared lines, in (book,
 * kind, item) order, customs' figure taken by `figure` (bzl_receipt_figure): at most cap
 * disagreements in out; *compared counts the lines examined (matching ones too), *more whether
 * lines remain. */
BZL_NODISCARD bzl_status bzl_storage_receipt_diff(bzl_txn *t, const char *book_no, uint8_t figure,
                                                  uint32_t skip, bzl_receipt_diff_row *out,
                                                  size_t cap, size_t *count, uint32_t *compared,
                                                  bool *more);

#endif
