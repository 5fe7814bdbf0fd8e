/* transfer.h — the pure rules of deep-processing transfers (深加工结转, next-wave.md §D): the pair
 * an export names checked against its import (D.2), and the ageing of delivery records against
 * declarations, first in first out, for the 90-day rule (D.1, D.2 rule 5). No I/O.
 */
#ifndef BZL_TRANSFER_H
#define BZL_TRANSFER_H

#include "bzl/flows.h"
#include "bzl/ledger.h"

/* Each batch of a transfer is declared within 90 days after its delivery [DPT, M]: the default of
 * [zone] transfer_declare_days (bzld.conf(5)). */
#define BZL_TRANSFER_DECLARE_DAYS_DEFAULT 90u

/* One half's facts the pair check compares. */
typedef struct bzl_transfer_half {
    const bzl_declaration *d; /* with its lines */
    bzl_flow flow;
    uint8_t state;         /* bzl_decl_state (storage.h): 1 posted, 2 pending, … */
    const char *const *hs; /* hs[i]: the HS code of line i's item (10 digits) */
    const bool *has_norm;  /* export only: has_norm[i], line i's product has a norm in force */
} bzl_transfer_half;

/* Checks that export `ex` (a product transfer out naming related_book/related_id) pairs with
 * import `im` (next-wave.md D.2): the import is a material transfer in, approved (posted)
 * before the export (D.2 rule 4), on the book the export names, naming the export's book
 * (rule 1); both have the same trade mode (rule 2); line by line (by order, rule 3) the HS
 * codes are equal, the units and quantities are equal (bzl keeps one unit per item: a
 * different unit is a difference, not a conversion), and the export's product has a norm
 * version in force (D.3). BZL_OK, or BZL_TRANSFER_MISMATCH with fault naming the field that
 * differs ("related_id", "trade_mode", "related_book", "hs", "unit", "qty", "lines",
 * "bom_version") and, for a line, its number and item. */
BZL_NODISCARD bzl_status bzl_transfer_pair_check(const bzl_transfer_half *ex,
                                                 const bzl_transfer_half *im, bzl_fault *fault);

/* One delivery record (a return when is_return), as the ageing takes them. */
typedef struct bzl_delivery_lot {
    int32_t date;
    int64_t qty_e5; /* > 0 */
    bool is_return;
} bzl_delivery_lot;

/* What the ageing of one (book, counterpart, item) gives. */
typedef struct bzl_transfer_age {
    int64_t delivered_e5;              /* deliveries − returns */
    int64_t declared_e5;               /* declared, as given */
    int64_t delivered_not_declared_e5; /* 已交货未结转: max(0, delivered − declared) */
    int64_t declared_not_delivered_e5; /* 已结转未交货: max(0, declared − delivered) */
    int32_t oldest_undeclared;         /* date of the oldest lot not wholly declared; 0 if none */
    uint32_t lots_over;                /* undeclared lots older than the limit on as_of */
    int64_t over_e5;                   /* their undeclared quantity */
} bzl_transfer_age;

/* Ages lots[0..n) (in date order, returns among them) against declared_e5 on as_of: a return
 * takes back from the latest deliveries dated on or before it [C: the goods returned are the
 * last delivered]; the declared quantity then covers the remaining deliveries oldest first
 * (FIFO, D.2 rule 5); an undeclared remainder older than limit_days on as_of is over the
 * limit. Lots dated after as_of are not counted. lots is modified (returns applied). */
void bzl_transfer_age_lots(bzl_delivery_lot *lots, size_t n, int64_t declared_e5, int32_t as_of,
                           uint32_t limit_days, bzl_transfer_age *out);

#endif
