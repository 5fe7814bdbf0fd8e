/* lots.c — the lots a declaration names (SPECIFIC lots, next-wave.md E.4 (3); docs/TAX.md
 * "Lots"), checked on their own: the shape of the references. Whether each names an open lot of
 * the line's item is the storage's question (storage_lots.c). Pure.
 */
#include "bzl/decimal.h"
#include "bzl/ledger.h"

#include <string.h>

/* The fault of reference r (1-based index), naming its line. */
static bzl_status
lot_fault(bzl_fault *fault, bzl_status st, const bzl_lot_ref *r, const char *what)
{
    return bzl_fault_set(fault, st, r->line, "lots", "line %u: the lot %.64s line %u %s",
                         (unsigned)r->line, r->receipt, (unsigned)r->receipt_line, what);
}

bzl_status
bzl_decl_check_lots(const bzl_declaration *d, bzl_fault *fault)
{
    BZL_ASSERT(d != NULL);
    if (d->lot_count == 0) {
        return BZL_OK;
    }
    BZL_ASSERT(d->lots != NULL && d->lines != NULL);
    if (d->lot_count > BZL_DECL_LOTS_MAX) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lots",
                             "the declaration names %u lots, more than the %u allowed",
                             (unsigned)d->lot_count, BZL_DECL_LOTS_MAX);
    }
    if (d->direction != BZL_DIR_OUT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, d->lots[0].line, "lots",
                             "line %u names lots, but only an outflow takes from lots",
                             (unsigned)d->lots[0].line);
    }
    uint32_t i = 0;
    while (i < d->lot_count) {
        const bzl_lot_ref *first = &d->lots[i];
        if (first->line == 0 || first->line > d->line_count ||
            (i > 0 && first->line <= d->lots[i - 1].line)) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, first->line, "lots",
                                 "lot reference %u names line %u: lots go with an existing line, "
                                 "in line order",
                                 (unsigned)(i + 1), (unsigned)first->line);
        }
        int64_t sum = 0;
        uint32_t j = i;
        for (; j < d->lot_count && d->lots[j].line == first->line; j++) {
            const bzl_lot_ref *r = &d->lots[j];
            size_t len = strnlen(r->receipt, sizeof r->receipt);
            bzl_status st =
                bzl_text_check(r->receipt, len, 1, BZL_DECL_ID_BYTES_MAX, "lots", fault);
            if (st != BZL_OK) {
                if (fault != NULL) {
                    fault->line = r->line;
                }
                return st;
            }
            if (r->receipt_line == 0) {
                return lot_fault(fault, BZL_INVALID_ARGUMENT, r, "has no receipt line (from 1)");
            }
            if (r->qty_e5 <= 0) {
                return lot_fault(fault, BZL_INVALID_ARGUMENT, r, "needs a quantity above 0");
            }
            for (uint32_t k = i; k < j; k++) {
                if (d->lots[k].receipt_line == r->receipt_line &&
                    strcmp(d->lots[k].receipt, r->receipt) == 0) {
                    return lot_fault(fault, BZL_INVALID_ARGUMENT, r, "is named twice");
                }
            }
            if (bzl_dec_add(sum, r->qty_e5, &sum) != BZL_OK) {
                return lot_fault(fault, BZL_OVERFLOW, r, "takes a quantity beyond range");
            }
        }
        const bzl_decl_line *l = &d->lines[first->line - 1];
        if (sum != l->qty_e5) {
            char named[BZL_DEC_TEXT_BYTES];
            char qty[BZL_DEC_TEXT_BYTES];
            bzl_dec_format(sum, BZL_SCALE_QTY, named, sizeof named);
            bzl_dec_format(l->qty_e5, BZL_SCALE_QTY, qty, sizeof qty);
            bzl_status st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, first->line, "lots",
                                          "line %u: its lots hold %s but the line takes %s; "
                                          "the lots a line names add up to its quantity",
                                          (unsigned)first->line, named, qty);
            if (fault != NULL) {
                fault->item_no = l->item_no;
            }
            return st;
        }
        i = j;
    }
    return BZL_OK;
}
