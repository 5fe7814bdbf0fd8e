/* recon_walk.c — verification of a book over storage reads, and the period close with its
 * carry-forward (query.h). */
#include "bzl/query.h"

#include "bzl/decimal.h"

#include <stdlib.h>
#include <string.h>

/* Σ sign × total over months [from, to] of a material. */
static bzl_status
net_movement(bzl_txn *t, const char *book_no, uint32_t item, uint32_t from, uint32_t to,
             int64_t *net_e5)
{
    int64_t sums[256] = {0};
    bzl_status st = bzl_storage_totals_sum(t, book_no, BZL_KIND_MATERIAL, item, from, to, sums);
    bzl_i128 net = 0;
    for (unsigned c = 0; st == BZL_OK && c < BZL_RECON_CATEGORIES; c++) {
        net += bzl_recon_category_sign(c) * (bzl_i128)sums[c];
    }
    if (st == BZL_OK && (net > INT64_MAX || net < -INT64_MAX)) {
        st = BZL_OVERFLOW;
    }
    if (st == BZL_OK) {
        *net_e5 = (int64_t)net;
    }
    return st;
}

bzl_status
bzl_recon_opening(bzl_txn *t, const char *book_no, uint32_t item_no, uint32_t month,
                  int64_t *opening_e5)
{
    uint32_t carried_month = 0;
    int64_t carried = 0;
    bzl_status st =
        bzl_storage_closing_latest(t, book_no, item_no, month, &carried_month, &carried);
    uint32_t from = BZL_DATE_MIN_YEAR * 100u + 1u;
    if (st == BZL_OK) {
        from = bzl_month_next(carried_month);
    } else if (st == BZL_NOT_FOUND) {
        carried = 0;
        st = BZL_OK;
    }
    int64_t net = 0;
    if (st == BZL_OK && from < month) {
        st = net_movement(t, book_no, item_no, from, bzl_month_prev(month), &net);
    }
    if (st == BZL_OK) {
        st = bzl_dec_add(carried, net, opening_e5);
    }
    return st;
}

static bzl_status
recon_material(bzl_txn *t, const char *book_no, const bzl_period *p, int64_t tol_e4,
               const bzl_count_row *count, uint32_t item, bzl_recon_line *out)
{
    bzl_recon_input in;
    memset(&in, 0, sizeof in);
    in.item_no = item;
    int64_t sums[256] = {0};
    bzl_status st = bzl_recon_opening(t, book_no, item, p->first_month, &in.opening_e5);
    if (st == BZL_OK) {
        st = bzl_storage_totals_sum(t, book_no, BZL_KIND_MATERIAL, item, p->first_month,
                                    p->last_month, sums);
    }
    memcpy(in.totals_e5, sums, sizeof in.totals_e5);
    if (count != NULL) {
        in.counted = true;
        in.counted_e5 = count->counted_e5;
    }
    return st == BZL_OK ? bzl_recon_compute(&in, tol_e4, out) : st;
}

/* The book's material item numbers (heap; free it). */
static bzl_status
book_materials(bzl_txn *t, const char *book_no, uint32_t **out, size_t *n)
{
    bzl_balance_row page[256];
    size_t cap = 0;
    bool more = true;
    uint32_t after = 0;
    bzl_status st = BZL_OK;
    *out = NULL;
    *n = 0;
    while (st == BZL_OK && more) {
        size_t got = 0;
        st = bzl_storage_balance_list(t, book_no, BZL_KIND_MATERIAL, after == 0 ? 0 : 1, after,
                                      page, BZL_ARRAY_LEN(page), &got, &more);
        if (st == BZL_OK && *n + got > cap) {
            uint32_t *g = realloc(*out, (cap + got + 64) * sizeof *g);
            st = g != NULL ? BZL_OK : BZL_NO_MEMORY;
            *out = g != NULL ? g : *out;
            cap = g != NULL ? cap + got + 64 : cap;
        }
        for (size_t i = 0; st == BZL_OK && i < got; i++) {
            (*out)[(*n)++] = page[i].item_no;
            after = page[i].item_no;
        }
        more = more && got > 0;
    }
    return st;
}

bzl_status
bzl_recon_book(bzl_txn *t, const char *book_no, const bzl_period *p, int64_t tolerance_e4,
               bzl_recon_line *out, size_t cap, size_t *count, bzl_recon_summary *sum)
{
    BZL_ASSERT(t != NULL && p != NULL);
    BZL_ASSERT(out != NULL || cap == 0);
    if (!p->whole_months) {
        return BZL_INVALID_ARGUMENT;
    }
    bzl_recon_summary s = {0};
    uint32_t *items = NULL;
    size_t n_items = 0;
    bzl_count_row *counts = NULL;
    size_t n_counts = 0;
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    st = st == BZL_OK ? book_materials(t, book_no, &items, &n_items) : st;
    st = st == BZL_OK && n_items > cap ? BZL_LIMIT_EXCEEDED : st;
    if (st == BZL_OK) {
        counts = calloc(n_items + 1, sizeof *counts);
        st = counts != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    if (st == BZL_OK) {
        /* The customs count when there is one in the period, else the enterprise's. */
        st = bzl_storage_stocktake_get(t, book_no, p->from, p->to, BZL_COUNTED_ANY,
                                       &s.stocktake_date, &s.counted_by, counts, n_items + 1,
                                       &n_counts);
        s.has_stocktake = st == BZL_OK;
        st = st == BZL_NOT_FOUND ? BZL_OK : st;
    }
    size_t k = 0;
    for (size_t i = 0; st == BZL_OK && i < n_items; i++) {
        while (k < n_counts && counts[k].item_no < items[i]) {
            k++;
        }
        const bzl_count_row *c = k < n_counts && counts[k].item_no == items[i] ? &counts[k] : NULL;
        st = recon_material(t, book_no, p, tolerance_e4, c, items[i], &out[i]);
        if (st == BZL_OK) {
            s.beyond += out[i].flag == BZL_RECON_SHORTAGE || out[i].flag == BZL_RECON_SURPLUS;
            s.uncounted += out[i].flag == BZL_RECON_UNCOUNTED;
            s.negative += out[i].flag == BZL_RECON_NEGATIVE_BOOK;
            int64_t d = out[i].difference_e5;
            st = bzl_dec_add(s.abs_difference_e5, d < 0 ? -d : d, &s.abs_difference_e5);
        }
    }
    s.materials = (uint32_t)n_items;
    free(items);
    free(counts);
    if (st == BZL_OK) {
        *count = n_items;
        *sum = s;
    }
    return st;
}

bzl_status
bzl_recon_carry_forward(bzl_txn *t, const char *book_no, int32_t through)
{
    uint32_t month = bzl_month_of(through);
    if (through != bzl_month_last_day(month)) {
        return BZL_OK; /* mid-month: frozen, nothing carried */
    }
    uint32_t *items = NULL;
    size_t n = 0;
    bzl_status st = book_materials(t, book_no, &items, &n);
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        int64_t closing = 0;
        st = bzl_recon_opening(t, book_no, items[i], bzl_month_next(month), &closing);
        if (st == BZL_OK) {
            st = bzl_storage_closing_put(t, book_no, items[i], month, closing);
        }
    }
    free(items);
    return st;
}

bzl_status
bzl_query_period_close(bzl_txn *batch, const char *book_no, int32_t through, const bzl_actor *actor,
                       bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && out != NULL);
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(bzl_txn_storage(batch), batch, true, &child);
    if (st != BZL_OK) {
        return st;
    }
    st = bzl_storage_period_close(child, book_no, through, actor, out);
    if (st == BZL_OK && out->status == BZL_OK && !out->replayed) {
        st = bzl_recon_carry_forward(child, book_no, through);
        if (st == BZL_OVERFLOW) {
            out->status = bzl_fault_set(&out->fault, st, 0, "through",
                                        "closing book %s: a material's closing balance leaves "
                                        "the representable range",
                                        book_no);
            st = BZL_OK;
        }
    }
    if (st != BZL_OK || out->status != BZL_OK) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}
