/* transfer.c — deep-processing transfer pairs and delivery ageing (transfer.h; next-wave.md §D). */
#include "bzl/transfer.h"

#include "bzl/decimal.h"

#include <string.h>

/* The header fields of the pair: which half names which, states, trade modes. */
static bzl_status
pair_header(const bzl_transfer_half *ex, const bzl_transfer_half *im, bzl_fault *fault)
{
    const bzl_declaration *e = ex->d;
    const bzl_declaration *i = im->d;
    if (im->flow != BZL_FLOW_MAT_TRANSFER_IN || strcmp(i->book_no, e->related_book) != 0) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "related_id",
                             "declaration %s of book %s is not a deep-processing transfer import "
                             "(material in, 0255/0654) on the book named",
                             i->id, i->book_no);
    }
    if (im->state != 1) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "related_id",
                             "import %s of book %s is not approved (posted): the import is filed "
                             "and approved before the export names it [D.2 rule 4]",
                             i->id, i->book_no);
    }
    if (strcmp(i->trade_mode, e->trade_mode) != 0) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "trade_mode",
                             "trade mode %s differs from the import's %s [D.2 rule 2]",
                             e->trade_mode, i->trade_mode);
    }
    if (i->related_book[0] != '\0' && strcmp(i->related_book, e->book_no) != 0) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "related_book",
                             "the import names book %s as its counterpart, not %s [D.2 rule 1]",
                             i->related_book, e->book_no);
    }
    if (i->related_id[0] != '\0' && strcmp(i->related_id, e->id) != 0) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "related_id",
                             "the import names declaration %s as its counterpart, not %s",
                             i->related_id, e->id);
    }
    if (i->line_count != e->line_count) {
        return bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, 0, "lines",
                             "%u lines here, %u in the import (lines pair by order) [D.2 rule 3]",
                             (unsigned)e->line_count, (unsigned)i->line_count);
    }
    return BZL_OK;
}

bzl_status
bzl_transfer_pair_check(const bzl_transfer_half *ex, const bzl_transfer_half *im, bzl_fault *fault)
{
    BZL_ASSERT(ex != NULL && im != NULL && ex->d != NULL && im->d != NULL);
    BZL_ASSERT(ex->flow == BZL_FLOW_PROD_TRANSFER_OUT);
    bzl_status st = pair_header(ex, im, fault);
    for (uint32_t n = 0; st == BZL_OK && n < ex->d->line_count; n++) {
        const bzl_decl_line *a = &ex->d->lines[n];
        const bzl_decl_line *b = &im->d->lines[n];
        uint32_t line = n + 1;
        char qa[BZL_DEC_TEXT_BYTES];
        char qb[BZL_DEC_TEXT_BYTES];
        if (strcmp(ex->hs[n], im->hs[n]) != 0) {
            st = bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, line, "hs",
                               "line %u: HS code %s differs from the import's %s [D.2 rule 3]",
                               (unsigned)line, ex->hs[n], im->hs[n]);
        } else if (strcmp(a->unit, b->unit) != 0) {
            st = bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, line, "unit",
                               "line %u: unit %s differs from the import's %s [D.2 rule 3]",
                               (unsigned)line, a->unit, b->unit);
        } else if (a->qty_e5 != b->qty_e5) {
            bzl_dec_format(a->qty_e5, BZL_SCALE_QTY, qa, sizeof qa);
            bzl_dec_format(b->qty_e5, BZL_SCALE_QTY, qb, sizeof qb);
            st = bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, line, "qty",
                               "line %u: quantity %s differs from the import's %s [D.2 rule 3]",
                               (unsigned)line, qa, qb);
        } else if (!ex->has_norm[n]) {
            st = bzl_fault_set(fault, BZL_TRANSFER_MISMATCH, line, "bom_version",
                               "line %u: product %u has no norm version in force: a transferred "
                               "product's 单耗 is declared before the transfer [D.3]",
                               (unsigned)line, (unsigned)a->item_no);
        }
        if (st != BZL_OK && fault != NULL) {
            fault->item_no = a->item_no;
        }
    }
    return st;
}

/* ---- delivery ageing ---------------------------------------------------------------------- */

void
bzl_transfer_age_lots(bzl_delivery_lot *lots, size_t n, int64_t declared_e5, int32_t as_of,
                      uint32_t limit_days, bzl_transfer_age *out)
{
    BZL_ASSERT(n == 0 || lots != NULL);
    BZL_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    out->declared_e5 = declared_e5;
    /* Returns take back from the latest deliveries on or before them. */
    for (size_t i = 0; i < n && lots[i].date <= as_of; i++) {
        BZL_ASSERT(i == 0 || lots[i - 1].date <= lots[i].date);
        if (!lots[i].is_return) {
            out->delivered_e5 += lots[i].qty_e5;
            continue;
        }
        int64_t back = lots[i].qty_e5;
        out->delivered_e5 -= back;
        for (size_t j = i; j-- > 0 && back > 0;) {
            if (lots[j].is_return) {
                continue;
            }
            int64_t take = back < lots[j].qty_e5 ? back : lots[j].qty_e5;
            lots[j].qty_e5 -= take;
            back -= take;
        }
        lots[i].qty_e5 = 0;
    }
    /* The declared quantity covers the deliveries oldest first. */
    int64_t cover = declared_e5;
    for (size_t i = 0; i < n && lots[i].date <= as_of; i++) {
        if (lots[i].is_return || lots[i].qty_e5 == 0) {
            continue;
        }
        int64_t take = cover < lots[i].qty_e5 ? cover : lots[i].qty_e5;
        int64_t open = lots[i].qty_e5 - take;
        cover -= take;
        if (open > 0 && out->oldest_undeclared == 0) {
            out->oldest_undeclared = lots[i].date;
        }
        if (open > 0 && (int64_t)as_of - lots[i].date > (int64_t)limit_days) {
            out->lots_over++;
            out->over_e5 += open;
        }
    }
    int64_t diff = out->delivered_e5 - declared_e5;
    out->delivered_not_declared_e5 = diff > 0 ? diff : 0;
    out->declared_not_delivered_e5 = diff < 0 ? -diff : 0;
}
