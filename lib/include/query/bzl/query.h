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
#include "bzl/report.h"
#include "bzl/storage.h"

/* What a book's verification found overall. */
typedef struct bzl_recon_summary {
    uint32_t materials; /* lines written */
    uint32_t beyond;    /* shortage or surplus beyond tolerance */
    uint32_t uncounted; /* materials no stocktake counted */
    uint32_t negative;  /* materials whose book balance is below zero */
    bool has_stocktake;
    int32_t stocktake_date;    /* the latest stocktake dated in the period, customs' first */
    bzl_counted_by counted_by; /* who counted it: customs when any customs count is in the
                                * period, else the enterprise (0 without a stocktake) */
    int64_t abs_difference_e5; /* Σ |difference| */
} bzl_recon_summary;

/* Verifies book_no over p (whole months: bzl_period_require_months) for every material, in item
 * order, into out[0..cap) (BZL_LIMIT_EXCEEDED when the book has more materials). Reads the
 * closing balance carried forward before p (bzl_storage_closing_latest) and the period totals
 * since it and the latest customs stocktake dated in p — the latest enterprise stocktake only
 * when customs counted none (sum->counted_by says which); never the journal. Statuses:
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

/* ---- reports ------------------------------------------------------------------------------- */

typedef enum bzl_report_kind {
    BZL_REPORT_VAR = 1,  /* value-added ratio, grouped by `by` */
    BZL_REPORT_MODES,    /* export value by business mode, per month or quarter and enterprise */
    BZL_REPORT_SHARE,    /* processing-trade share of the zone's trade, per month */
    BZL_REPORT_UPGRADES, /* dominant modes in two periods, and the mode events between */
} bzl_report_kind;

typedef enum bzl_report_by {
    BZL_REPORT_BY_ZONE = 0,
    BZL_REPORT_BY_ENTERPRISE,
    BZL_REPORT_BY_PRODUCT,
    BZL_REPORT_BY_MODE,
    BZL_REPORT_BY_AREA,
} bzl_report_by;

/* One group a report sums into. var: key is the enterprise, "book/product", mode, area or
 * "zone", with E and I in USD; modes: key the month or quarter, sub the enterprise or "ZONE",
 * export value per mode; share: key the month, E + I of bonded trade, mode2_e5[0] the general
 * trade; upgrades: key "book/product", an enterprise code or "ZONE", sub "product",
 * "enterprise" or "zone", export value per mode in the earlier (mode_e5) and later (mode2_e5)
 * period. USD at 5 decimals. */
typedef struct bzl_report_group {
    char key[64];
    char sub[64];
    bzl_i128 e_e5; /* sums over books and months: 128 bits, so they cannot overflow */
    bzl_i128 i_e5;
    bzl_i128 mode_e5[BZL_MODES];
    bzl_i128 mode2_e5[BZL_MODES];
} bzl_report_group;

/* A product's business-mode change dated within the upgrades' span. */
typedef struct bzl_report_event {
    char product[64]; /* "book/product" */
    uint8_t from_mode;
    uint8_t to_mode;
    int32_t date;
} bzl_report_event;

/* A report: the inputs, then what bzl_query_report fills (owned by the query; free it with
 * bzl_report_query_free). */
typedef struct bzl_report_query {
    bzl_report_kind kind;
    bzl_report_by by;       /* var */
    bool by_quarter;        /* modes, share: quarters rather than months */
    bool by_year;           /* modes, share: years rather than months (wins over by_quarter) */
    bool exclude_transfers; /* deep-processing transfers count in neither E nor I */
    bzl_period p;           /* the period (upgrades: the earlier one) */
    bzl_period p2;          /* upgrades: the later period */
    bzl_report_group *groups;
    size_t n_groups; /* var and upgrades: in the order met; modes and share: by key */
    bzl_report_event *events;
    size_t n_events;
    uint32_t unpriced;       /* var by product: product/material pairs with no import price */
    char unpriced_text[200]; /* the first four of them */
    bzl_fault fault;         /* the reason, for a refusal (a missing rate names the command) */
} bzl_report_query;

/* Walks every book's trade values (in book order) for q's report and fills q's groups and
 * events; reads only, never the journal. Statuses: BZL_OK; BZL_RATE_MISSING with q->fault
 * naming the currency and month; BZL_NO_MEMORY or BZL_LIMIT_EXCEEDED past the bounds of
 * limits.h; BZL_CORRUPT; storage statuses. What was gathered before a failure is in q too. */
BZL_NODISCARD bzl_status bzl_query_report(bzl_txn *t, bzl_report_query *q);
void bzl_report_query_free(bzl_report_query *q);

/* ---- bonded repair: disposal ageing (repair_walk.c) ------------------------------------------ */

/* One lot of old parts — the parts of one item a work order generated — still on hand, aged
 * against the disposal period: first in first out, the parts disposed of so far (re-exported,
 * destroyed, gate-registered) taken from the oldest lots of the (item, origin) first. */
typedef struct bzl_overdue_row {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t item_no;
    uint8_t origin;
    uint32_t workorder;   /* the work order that generated the lot */
    int32_t generated;    /* its completion date (days) */
    int64_t qty_e5;       /* parts it generated */
    int64_t remaining_e5; /* of those, still on hand after FIFO disposal */
    int32_t due;          /* generated + days */
    int state;            /* 1 due within warn_days, 2 past due (bzl_repair_due_state) */
} bzl_overdue_row;

/* The lots of book_no (every repair book for "") still on hand on as_of that are past their
 * disposal limit or within warn_days of it, in (book, item, origin, date) order: at most cap
 * into out, *more when more were found. Reads only. BZL_NOT_FOUND when book_no names no book;
 * BZL_FLOW_NOT_ALLOWED when it names a book that is not a repair book; BZL_LIMIT_EXCEEDED when
 * a book holds more than BZL_REPAIR_LOTS_MAX lots; BZL_NO_MEMORY; storage statuses. */
BZL_NODISCARD bzl_status bzl_query_repair_overdue(bzl_txn *t, const char *book_no, int32_t as_of,
                                                  uint32_t days, uint32_t warn_days,
                                                  bzl_overdue_row *out, size_t cap, size_t *count,
                                                  bool *more);

#endif
