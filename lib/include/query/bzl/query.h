/* query.h — verification (核销) walks: storage reads fed to the pure rules of recon.h.
 *
 * The query layer sits on storage and core: it reads period totals, carried closings and
 * stocktakes through storage.h and computes with recon.h; it never includes lmdb.h and never
 * reads the journal. Its one write is the period close with the carry-forward that belongs to
 * it (bzl_query_period_close), so that the two land together or not at all.
 */
#ifndef BZL_QUERY_H
#define BZL_QUERY_H

#include "bzl/recon.h"
#include "bzl/storage.h"

/* What a book's verification found overall. */
typedef struct bzl_recon_summary {
    uint32_t materials; /* lines written */
    uint32_t beyond;    /* shortage or surplus beyond tolerance */
    uint32_t uncounted; /* materials no stocktake counted */
    uint32_t negative;  /* materials whose book balance is below zero */
    bool has_stocktake;
    int32_t stocktake_date;    /* the latest stocktake dated in the period */
    int64_t abs_difference_e5; /* Σ |difference| */
} bzl_recon_summary;

/* Verifies book_no over p (whole months: bzl_period_require_months) for every material, in item
 * order, into out[0..cap) (BZL_LIMIT_EXCEEDED when the book has more materials). Reads the
 * closing balance carried forward before p (bzl_storage_closing_latest) and the period totals
 * since it and the latest stocktake dated in p; never the journal. Statuses:
 * BZL_OK, BZL_NOT_FOUND (book), BZL_INVALID_ARGUMENT (not whole months), BZL_OVERFLOW, storage
 * statuses. */
BZL_NODISCARD bzl_status bzl_recon_book(bzl_txn *t, const char *book_no, const bzl_period *p,
                                        int64_t tolerance_e4, bzl_recon_line *out, size_t cap,
                                        size_t *count, bzl_recon_summary *sum);

/* The opening balance (期初) of a material at the start of month: the latest closing carried
 * forward before it plus the period totals of the months between, or the totals of every
 * earlier month when nothing was carried. */
BZL_NODISCARD bzl_status bzl_recon_opening(bzl_txn *t, const char *book_no, uint32_t item_no,
                                           uint32_t month, int64_t *opening_e5);

/* After a period close through `through`: when through is a month's last day, stores every
 * material's book balance at the end of that month as the closing carried forward
 * (bzl_storage_closing_put), which the next period opens with. A close in mid-month freezes the
 * dates but carries nothing (verification works on whole months). Write transaction. */
BZL_NODISCARD bzl_status bzl_recon_carry_forward(bzl_txn *t, const char *book_no, int32_t through);

/* Closes book_no's periods through `through` (bzl_storage_period_close) and, in the same nested
 * transaction, carries the closing balances forward (bzl_recon_carry_forward), so a close is
 * never stored without its carry-forward. A refusal of either lands in *out and writes nothing:
 * those of the close, and BZL_OVERFLOW when a closing balance leaves the representable range
 * (fault naming the book). Replaying a close carries nothing again. Statuses: storage statuses
 * of batch (a refusal is BZL_OK with out->status set). */
BZL_NODISCARD bzl_status bzl_query_period_close(bzl_txn *batch, const char *book_no,
                                                int32_t through, const bzl_actor *actor,
                                                bzl_action_result *out);

#endif
