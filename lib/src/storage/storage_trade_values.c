/* storage_trade_values.c — the values per (book, month, flow, mode, product, currency) that
 * the reports read: kept by every posted declaration, post and reversal. Byte tables: format.h.
 */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <stdlib.h>

bzl_status
bzl__line_mode(bzl_txn *t, const bzl_declaration *d, const bzl_decl_line *l, uint8_t *mode)
{
    *mode = BZL_BIZ_NONE;
    if (d->kind != BZL_KIND_PRODUCT) {
        return BZL_OK;
    }
    if (l->biz_mode != BZL_BIZ_NONE) {
        *mode = l->biz_mode;
        return BZL_OK;
    }
    bzl_mode_event events[64];
    size_t n = 0;
    bzl_status st =
        bzl_storage_item_modes(t, d->book_no, l->item_no, events, BZL_ARRAY_LEN(events), &n);
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        if (events[i].from <= d->date) {
            *mode = events[i].mode;
        }
    }
    if (st == BZL_OK && *mode == BZL_BIZ_NONE) {
        bzl_item item;
        st = bzl_storage_item_get(t, d->book_no, BZL_KIND_PRODUCT, l->item_no, &item);
        *mode = st == BZL_OK ? item.biz_mode : BZL_BIZ_NONE;
    }
    return st == BZL_NOT_FOUND ? BZL_OK : st;
}

static bzl_status
tv_sum(bzl_txn *t, const uint8_t key[TV_KEY_BYTES], int64_t q, int64_t val, int64_t usd,
       int64_t cur[3])
{
    MDB_val k = bzl__mval(key, TV_KEY_BYTES);
    MDB_val v;
    cur[0] = cur[1] = cur[2] = 0;
    int rc = mdb_get(t->txn, t->s->dbi[DB_TRADE_VALUE], &k, &v);
    if (rc == MDB_SUCCESS) {
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        for (int i = 0; i < 3; i++) {
            cur[i] = rd_i64(&r);
        }
        if (!rd_done(&r)) {
            return BZL_CORRUPT;
        }
    } else if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    bzl_status st = bzl_dec_add(cur[0], q, &cur[0]);
    st = st == BZL_OK ? bzl_dec_add(cur[1], val, &cur[1]) : st;
    return st == BZL_OK ? bzl_dec_add(cur[2], usd, &cur[2]) : st;
}

static bzl_status
tv_write(bzl_txn *t, const bzl__tv_row *row)
{
    uint8_t buf[TV_VALUE_BYTES];
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    for (int i = 0; i < 3; i++) {
        wr_i64(&w, row->sums[i]);
    }
    MDB_val k = bzl__mval(row->key, TV_KEY_BYTES);
    MDB_val nv = bzl__mval(buf, sizeof buf);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_TRADE_VALUE], &k, &nv, 0));
}

/* The trade-value row of line l: book | month | flow | kind | item | mode | currency. */
static bzl_status
tv_key(bzl_txn *t, const bzl_declaration *d, const bzl_decl_line *l, uint8_t flow,
       uint8_t key[TV_KEY_BYTES])
{
    uint8_t mode = 0;
    bzl_status st = bzl__line_mode(t, d, l, &mode);
    bzl_wr w = {.p = key, .cap = TV_KEY_BYTES};
    wr_fixed(&w, d->book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, bzl_month_of(d->date), 4);
    wr_u8(&w, flow);
    wr_u8(&w, d->kind);
    wr_be(&w, l->item_no, 4);
    wr_u8(&w, mode);
    wr_fixed(&w, l->currency, BZL_CURRENCY_LEN);
    return st;
}

/* Line i's row as the line would leave it; BZL_OVERFLOW when a sum would overflow. */
static bzl_status
tv_line(bzl_txn *t, const bzl_declaration *d, uint32_t i, uint8_t flow, int sign, bzl__tv_row *row)
{
    const bzl_decl_line *l = &d->lines[i];
    bzl_status st = tv_key(t, d, l, flow, row->key);
    if (st == BZL_OK) {
        st = tv_sum(t, row->key, sign * l->qty_e5, l->has_usd ? 0 : sign * l->value_e5,
                    l->has_usd ? sign * l->usd_e5 : 0, row->sums);
    }
    return st;
}

bzl_status
bzl__trade_values_check(bzl_txn *t, const bzl_declaration *d, uint8_t flow, int sign,
                        bzl__tv_row *seen, bzl_status *refusal, bzl_fault *fault)
{
    BZL_ASSERT(sign == 1 || sign == -1);
    *refusal = BZL_OK;
    /* A declaration names each item once (DUPLICATE_LINE), so its lines meet distinct rows. */
    for (uint32_t i = 0; i < d->line_count; i++) {
        bzl__tv_row row;
        bzl_status st = tv_line(t, d, i, flow, sign, &row);
        if (st == BZL_OVERFLOW) {
            *refusal = bzl_fault_set(fault, st, i + 1, "value",
                                     "line %u: the month's trade value of item %u would leave the "
                                     "representable range",
                                     (unsigned)(i + 1), (unsigned)d->lines[i].item_no);
            return BZL_OK;
        }
        if (st != BZL_OK) {
            return st;
        }
        if (seen != NULL) {
            seen[i] = row;
        }
    }
    return BZL_OK;
}

bzl_status
bzl__trade_values_apply(bzl_txn *t, const bzl_declaration *d, uint8_t flow, int sign,
                        const bzl__tv_row *seen)
{
    BZL_ASSERT(sign == 1 || sign == -1);
    BZL_ASSERT(d->lines != NULL || d->line_count == 0);
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && i < d->line_count; i++) {
        bzl__tv_row row;
        if (seen != NULL) {
            row = seen[i];
        } else {
            st = tv_line(t, d, i, flow, sign, &row);
        }
        if (st == BZL_OK) {
            st = tv_write(t, &row);
        }
    }
    return st;
}

bzl_status
bzl__trade_values_apply_seq(bzl_txn *t, uint64_t decl_seq, uint8_t flow, int sign)
{
    bzl_declaration d;
    bzl_status st = bzl__decl_read_seq(t, decl_seq, &d);
    if (st != BZL_OK) {
        return st;
    }
    st = bzl__trade_values_apply(t, &d, flow, sign, NULL);
    free(d.lines);
    return st;
}

bzl_status
bzl_storage_trade_values(bzl_txn *t, const char *book_no, uint32_t from_month, uint32_t to_month,
                         void *ctx, bzl_status (*visit_cb)(void *ctx, const bzl_trade_value *v))
{
    uint8_t key[BZL_BOOK_NO_LEN + 4u];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_fixed(&kw, book_no, BZL_BOOK_NO_LEN);
    wr_be(&kw, from_month, 4);
    bzl__walk w;
    bzl__walk_begin(t, DB_TRADE_VALUE, key, sizeof key, BZL_BOOK_NO_LEN, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != TV_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_trade_value tv;
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        rd_text(&kr, tv.book_no, sizeof tv.book_no, BZL_BOOK_NO_LEN, true);
        tv.month = (uint32_t)rd_be(&kr, 4);
        tv.flow = rd_u8(&kr);
        tv.kind = rd_u8(&kr);
        tv.item_no = (uint32_t)rd_be(&kr, 4);
        tv.mode = rd_u8(&kr);
        rd_text(&kr, tv.currency, sizeof tv.currency, BZL_CURRENCY_LEN, true);
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        tv.qty_e5 = rd_i64(&r);
        tv.value_e5 = rd_i64(&r);
        tv.usd_e5 = rd_i64(&r);
        if (tv.month > to_month) {
            break;
        }
        st = rd_done(&r) && !kr.bad ? visit_cb(ctx, &tv) : BZL_CORRUPT;
    }
    return bzl__walk_end(&w, st);
}
