/* storage_lots.h — lots (next-wave.md E.4): the enterprise's own evidence under the customs
 * ledger, part of the storage module (bzl/storage.h).
 *
 * Every posted effect that raises an item's quantity opens a lot (the entry that received it,
 * its date, quantity and value); every one that lowers it consumes the item's open lots by the
 * book's method: FIFO (default; by receipt date, then entry), AVERAGE (pro rata, so the average
 * unit value stays the moving average) or SPECIFIC (the lots a declaration names; until a
 * declaration can name them, FIFO). A reversal of a receipt takes back that receipt's lot first;
 * a reversal of an outflow opens a lot of its own. So at every commit, for every item,
 * Σ lot remaining = the posted quantity, which `verify` proves. Lots never change a customs
 * quantity and never set the official 缓税利息 start (E.4 (2), (4d)). A fully consumed lot is
 * deleted: the listing shows the open lots; the journal keeps the history.
 */
#ifndef BZL_STORAGE_LOTS_H
#define BZL_STORAGE_LOTS_H

#include "bzl/storage.h"

typedef enum bzl_lot_method {
    BZL_LOTS_FIFO = 1,
    BZL_LOTS_SPECIFIC = 2,
    BZL_LOTS_AVERAGE = 3,
} bzl_lot_method;

/* "FIFO", "SPECIFIC", "AVERAGE"; parse the same words. */
const char *bzl_lot_method_name(uint8_t method);
bool bzl_lot_method_parse(const char *s, uint8_t *out);

/* One open lot. */
typedef struct bzl_lot {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;
    uint32_t item_no;
    uint64_t seq;         /* the entry that received it; 0 for an opening lot or the deficit */
    int32_t date;         /* receipt date (the declaration's); 0 for an opening lot */
    int64_t qty_e5;       /* received; 0 for the deficit row (outflows no lot covered) */
    int64_t remaining_e5; /* > 0, or < 0 for the deficit row */
    int64_t value_e5;     /* the value received, in the declaration's currency */
    bool deficit;         /* the item's deficit row: seq and date 0, qty 0, remaining < 0 */
} bzl_lot;

/* A book's open lots in (kind, item, entry) order: every item when kind is 0, one kind's when
 * item is 0, else one item's; at most cap, *more when others follow. */
BZL_NODISCARD bzl_status bzl_storage_lot_list(bzl_txn *t, const char *book_no, uint8_t kind,
                                              uint32_t item, bzl_lot *out, size_t cap,
                                              size_t *count, bool *more);

/* Calls cb for every open lot of a book in the same order and selection as bzl_storage_lot_list,
 * however many there are; cb borrows the lot for the call, and a status other than BZL_OK from
 * it stops the walk and is returned. */
typedef bzl_status (*bzl_lot_cb)(void *ctx, const bzl_lot *lot);
BZL_NODISCARD bzl_status bzl_storage_lot_walk(bzl_txn *t, const char *book_no, uint8_t kind,
                                              uint32_t item, bzl_lot_cb cb, void *ctx);

/* Where a lot came from (E.4 (1)), read from the entry that opened it, so it cannot drift from
 * the journal: the receipt line (declaration id and line: what a SPECIFIC outflow names), its
 * currency, USD value and origin. */
typedef struct bzl_lot_source {
    char receipt[BZL_DECL_ID_BYTES_MAX + 1]; /* "" for an opening lot or the deficit row */
    uint32_t line;                           /* 1-based; 0 with no receipt */
    bool reversal; /* opened by the reversal of outflow `receipt` (E.4 (5)): not nameable */
    char currency[BZL_CURRENCY_LEN + 1];
    bool has_usd;
    int64_t usd_e5;                    /* the receipt line's USD value, when it has one */
    char country[BZL_COUNTRY_LEN + 1]; /* origin; "" when the line names none */
} bzl_lot_source;
BZL_NODISCARD bzl_status bzl_storage_lot_source(bzl_txn *t, const bzl_lot *lot,
                                                bzl_lot_source *out);

/* The book's consumption method (FIFO when never set). */
BZL_NODISCARD bzl_status bzl_storage_lot_method_get(bzl_txn *t, const char *book_no,
                                                    uint8_t *method);
/* Sets it and journals it (entry type 17), only at a verification boundary: when the book's
 * latest period close came after its last lot movement, else out->status STATE_CONFLICT naming
 * the field method; a missing book is out->status NOT_FOUND. The same method again replays. */
BZL_NODISCARD bzl_status bzl_storage_lot_method_set(bzl_txn *batch, const char *book_no,
                                                    uint8_t method, const bzl_actor *actor,
                                                    bzl_action_result *out);

#endif
