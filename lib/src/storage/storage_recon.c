/* storage_recon.c — storage of stocktakes, exchange rates, trade totals, closing balances, and
 * the period-total sums verification reads. Byte tables: format.h. */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <stdlib.h>

/* Journal payloads of the writes here (format.h's journal table). */
static_assert((uint64_t)STOCK_ENTRY_HEADER_BYTES +
                      (uint64_t)STOCK_ENTRY_LINE_BYTES * BZL_DECL_LINES_CEILING <
                  UINT32_MAX - JOURNAL_HEADER_BYTES,
              "the largest stocktake entry fits payload_len");

/* bzl__cursor_seek to the last key before key[len]: LMDB has no "less than" seek, so seek to the
 * first key at or past it and step back, or take the last key when there is none. */
static int
cursor_last_before(bzl_txn *t, unsigned db, const uint8_t *key, size_t len, MDB_cursor **cur,
                   MDB_val *k, MDB_val *v)
{
    int rc = bzl__cursor_seek(t, db, key, len, MDB_SET_RANGE, cur, k, v);
    if (*cur == NULL) {
        return rc;
    }
    return rc == MDB_SUCCESS ? mdb_cursor_get(*cur, k, v, MDB_PREV)
                             : mdb_cursor_get(*cur, k, v, MDB_LAST);
}

uint64_t
bzl_txn_journal_reads(const bzl_txn *t)
{
    return t->journal_reads;
}

/* ---- period totals -------------------------------------------------------------------------- */

bzl_status
bzl_storage_totals_sum(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
                       uint32_t from_month, uint32_t to_month, int64_t out_e5[256])
{
    BZL_ASSERT(from_month <= to_month);
    uint8_t key[TOTAL_KEY_BYTES];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    bzl__item_key(wr_take(&kw, ITEM_KEY_BYTES), book_no, (uint8_t)kind, item_no);
    wr_be(&kw, from_month, 4);
    wr_u8(&kw, 0);
    bzl__walk w;
    bzl__walk_begin(t, DB_TOTAL, key, sizeof key, ITEM_KEY_BYTES, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != TOTAL_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = ITEM_KEY_BYTES};
        uint32_t month = (uint32_t)rd_be(&kr, 4);
        uint8_t category = rd_u8(&kr);
        if (month > to_month) {
            break;
        }
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        int64_t q = rd_i64(&r);
        (void)rd_i64(&r);
        st = rd_done(&r) ? bzl_dec_add(out_e5[category], q, &out_e5[category]) : BZL_CORRUPT;
    }
    return bzl__walk_end(&w, st);
}

/* ---- stocktakes ------------------------------------------------------------------------------ */

static void
stock_key(uint8_t key[STOCK_KEY_BYTES], const char *book_no, int32_t date, uint32_t item)
{
    bzl_wr w = {.p = key, .cap = STOCK_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, (uint32_t)date, 4);
    wr_be(&w, item, 4);
}

bzl_status
bzl__stock_count_add(bzl_count_row **rows, size_t *n, size_t *cap, uint32_t item, int field,
                     int64_t qty)
{
    size_t i = 0;
    while (i < *n && (*rows)[i].item_no < item) {
        i++;
    }
    if (i == *n || (*rows)[i].item_no != item) {
        if (*n == *cap) {
            size_t nc = *cap == 0 ? 16 : *cap * 2;
            bzl_count_row *g = realloc(*rows, nc * sizeof *g);
            if (g == NULL) {
                return BZL_NO_MEMORY;
            }
            *rows = g;
            *cap = nc;
        }
        memmove(&(*rows)[i + 1], &(*rows)[i], (*n - i) * sizeof **rows);
        memset(&(*rows)[i], 0, sizeof **rows);
        (*rows)[i].item_no = item;
        (*n)++;
    }
    int64_t *f = field == 0   ? &(*rows)[i].direct_e5
                 : field == 1 ? &(*rows)[i].converted_e5
                              : &(*rows)[i].scrap_e5;
    return bzl_dec_add(*f, qty, f);
}

bzl_status
bzl__stock_counted(bzl_count_row *rows, size_t n, bool count_scrap)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        bzl_count_row *r = &rows[i];
        st = bzl_dec_add(r->direct_e5, r->converted_e5, &r->counted_e5);
        if (st == BZL_OK && count_scrap) {
            st = bzl_dec_add(r->counted_e5, r->scrap_e5, &r->counted_e5);
        }
        r->count_scrap = count_scrap;
    }
    return st;
}

/* Converts one product / WIP line to its materials by the norm in force on date. */
static bzl_status
stock_convert(bzl_txn *t, const char *book_no, int32_t date, const bzl_stocktake_line *l,
              uint32_t index, bzl_count_row **rows, size_t *n, size_t *cap, bzl_action_result *out)
{
    bzl_norm *norms = NULL;
    uint32_t count = 0;
    uint32_t ncap = 0;
    bzl_status st =
        bzl__norms_resolve(t, book_no, l->item_no, l->bom_version, date, &norms, &count, &ncap);
    if (st == BZL_OK && count == 0) {
        out->status = bzl_fault_set(&out->fault, BZL_NORM_MISSING, index + 1, "bom_version",
                                    "line %u: no consumption norm%s%s is in force for product %u "
                                    "of %s on the stocktake date",
                                    (unsigned)(index + 1), l->bom_version[0] ? " version " : "",
                                    l->bom_version, (unsigned)l->item_no, book_no);
    }
    for (uint32_t k = 0; st == BZL_OK && out->status == BZL_OK && k < count; k++) {
        int64_t c = 0;
        int64_t tangible = 0;
        st = bzl_norm_consume(&norms[k], l->qty_e5, &c, &tangible);
        if (st == BZL_OK) {
            st = bzl__stock_count_add(rows, n, cap, norms[k].material, 1, c);
        }
    }
    free(norms);
    return st;
}

/* Checks the line's item and folds it into rows. A refusal lands in out. */
static bzl_status
stock_line(bzl_txn *t, const char *book_no, int32_t date, const bzl_stocktake_line *l,
           uint32_t index, bzl_count_row **rows, size_t *n, size_t *cap, bzl_action_result *out)
{
    if (l->kind < BZL_STOCK_MATERIAL || l->kind > BZL_STOCK_SCRAP || l->qty_e5 < 0) {
        out->status = bzl_fault_set(&out->fault, BZL_INVALID_ARGUMENT, index + 1, "kind",
                                    "line %u: kind must be material, product, wip or scrap and "
                                    "qty not negative",
                                    (unsigned)(index + 1));
        return BZL_OK;
    }
    bool material = l->kind == BZL_STOCK_MATERIAL || l->kind == BZL_STOCK_SCRAP;
    bzl_item item;
    bzl_status st = bzl_storage_item_get(
        t, book_no, material ? BZL_KIND_MATERIAL : BZL_KIND_PRODUCT, l->item_no, &item);
    if (st == BZL_NOT_FOUND) {
        out->status =
            bzl_fault_set(&out->fault, BZL_NOT_FOUND, index + 1, "item",
                          "line %u: %s %u is not in book %s", (unsigned)(index + 1),
                          material ? "material" : "product", (unsigned)l->item_no, book_no);
        out->fault.item_no = l->item_no;
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    if (material) {
        return bzl__stock_count_add(rows, n, cap, l->item_no, l->kind == BZL_STOCK_SCRAP ? 2 : 0,
                                    l->qty_e5);
    }
    return stock_convert(t, book_no, date, l, index, rows, n, cap, out);
}

/* Deletes book_no's stocktake rows of date. After each delete the cursor seeks the date's first
 * row again rather than asking for the current one: deleting the table's last row leaves an
 * LMDB cursor unpositioned, so MDB_GET_CURRENT fails with EINVAL (→ BZL_INTERNAL) when these
 * rows were the whole table, while a fresh MDB_SET_RANGE simply reports MDB_NOTFOUND. */
static bzl_status
stock_clear(bzl_txn *t, unsigned db, const char *book_no, int32_t date)
{
    uint8_t key[STOCK_KEY_BYTES];
    stock_key(key, book_no, date, 0);
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    int rc = bzl__cursor_seek(t, db, key, sizeof key, MDB_SET_RANGE, &cur, &k, &v);
    /* Hand-written, not bzl__walk: it deletes under the cursor and seeks again (above). */
    while (rc == MDB_SUCCESS && k.mv_size == STOCK_KEY_BYTES &&
           memcmp(k.mv_data, key, STOCK_KEY_BYTES - 4u) == 0) {
        rc = mdb_cursor_del(cur, 0);
        if (rc == MDB_SUCCESS) {
            k = bzl__mval(key, sizeof key);
            rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        }
    }
    return bzl__cursor_end(cur, rc, BZL_OK);
}

/* The book exists and date is past its closed periods, as for a declaration: a count inside a
 * closed period would change figures already reported. A refusal lands in out. */
static bzl_status
stock_check_book(bzl_txn *t, const char *book_no, int32_t date, bzl_action_result *out)
{
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_missing(&out->fault, "book", "book", book_no);
        return BZL_OK;
    }
    int32_t through = INT32_MIN;
    if (st == BZL_OK) {
        st = bzl__period_closed_through(t, book_no, &through);
    }
    if (st != BZL_OK || date > through) {
        return st;
    }
    char day[16];
    char closed[16];
    bzl_date_format(date, day, sizeof day);
    bzl_date_format(through, closed, sizeof closed);
    out->status = bzl_fault_set(&out->fault, BZL_PERIOD_CLOSED, 0, "date",
                                "stocktake date %s falls in a closed period of book %s "
                                "(closed through %s)",
                                day, book_no, closed);
    return BZL_OK;
}

/* Writes the derived rows, every material of the book included (0 when not counted). */
static bzl_status
stock_write(bzl_txn *t, unsigned db, const char *book_no, int32_t date, bool count_scrap,
            bzl_count_row **rows, size_t *n, size_t *cap)
{
    bzl_balance_row page[256];
    size_t got = 0;
    bool more = true;
    uint32_t after = 0;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && more) {
        st = bzl_storage_balance_list(t, book_no, BZL_KIND_MATERIAL, after == 0 ? 0 : 1, after,
                                      page, BZL_ARRAY_LEN(page), &got, &more);
        for (size_t i = 0; st == BZL_OK && i < got; i++) {
            st = bzl__stock_count_add(rows, n, cap, page[i].item_no, 0, 0);
            after = page[i].item_no;
        }
        more = more && got > 0;
    }
    if (st == BZL_OK) {
        st = bzl__stock_counted(*rows, *n, count_scrap);
    }
    for (size_t i = 0; st == BZL_OK && i < *n; i++) {
        const bzl_count_row *r = &(*rows)[i];
        uint8_t key[STOCK_KEY_BYTES];
        uint8_t val[STOCK_VALUE_BYTES];
        stock_key(key, book_no, date, r->item_no);
        bzl_wr w = {.p = val, .cap = sizeof val};
        wr_i64(&w, r->counted_e5);
        wr_i64(&w, r->direct_e5);
        wr_i64(&w, r->converted_e5);
        wr_i64(&w, r->scrap_e5);
        wr_u8(&w, count_scrap ? 1 : 0);
        MDB_val k = bzl__mval(key, sizeof key);
        MDB_val v = bzl__mval(val, sizeof val);
        if (st == BZL_OK) {
            st = bzl__mdb_status(mdb_put(t->txn, t->s->dbi[db], &k, &v, 0));
        }
    }
    return st;
}

/* Journals the stocktake as submitted: reserve, fill, seal (format.h's stocktake payload). */
static bzl_status
stock_journal(bzl_txn *t, const char *book_no, int32_t date, const bzl_stocktake_line *lines,
              uint32_t count, bool count_scrap, const bzl_actor *actor)
{
    size_t len = STOCK_ENTRY_HEADER_BYTES + (size_t)count * STOCK_ENTRY_LINE_BYTES;
    uint8_t *payload = NULL;
    uint64_t seq = 0;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_STOCKTAKE, actor, len, &payload, &seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = payload, .cap = len};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_i32(&w, date);
    wr_u8(&w, count_scrap ? 1 : 0);
    wr_u32(&w, count);
    for (uint32_t i = 0; i < count; i++) {
        wr_u8(&w, lines[i].kind);
        wr_u32(&w, lines[i].item_no);
        wr_i64(&w, lines[i].qty_e5);
        wr_fixed(&w, lines[i].bom_version, BZL_BOM_VERSION_BYTES_MAX);
    }
    BZL_ASSERT(w.len == len);
    return bzl__journal_seal(t, seq);
}

bzl_status
bzl_storage_stocktake_put(bzl_txn *batch, const char *book_no, int32_t date,
                          const bzl_stocktake_line *lines, uint32_t count, bool count_scrap,
                          const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(lines != NULL || count == 0);
    BZL_ASSERT(count <= BZL_DECL_LINES_CEILING);
    BZL_ASSERT(actor != NULL);
    memset(out, 0, sizeof *out);
    bzl_txn *child = NULL;
    bzl_count_row *rows = NULL;
    size_t n = 0;
    size_t cap = 0;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = stock_check_book(child, book_no, date, out); /* before anything is written */
    }
    for (uint32_t i = 0; st == BZL_OK && out->status == BZL_OK && i < count; i++) {
        st = stock_line(child, book_no, date, &lines[i], i, &rows, &n, &cap, out);
    }
    /* An enterprise's count goes to a table of its own: it never replaces a customs count. */
    unsigned db = actor->role == BZL_ROLE_ENTERPRISE ? DB_STOCKTAKE_ENT : DB_STOCKTAKE;
    if (st == BZL_OK && out->status == BZL_OK) {
        st = stock_clear(child, db, book_no, date);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = stock_write(child, db, book_no, date, count_scrap, &rows, &n, &cap);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = stock_journal(child, book_no, date, lines, count, count_scrap, actor);
    }
    free(rows);
    if (child == NULL) {
        return st;
    }
    if (st != BZL_OK || out->status != BZL_OK) {
        bzl_txn_abort(child);
        return st == BZL_OVERFLOW || st == BZL_NO_MEMORY ? (out->status = st, BZL_OK) : st;
    }
    return bzl_txn_commit(child);
}

const char *
bzl_counted_by_name(bzl_counted_by by)
{
    return by == BZL_COUNTED_CUSTOMS ? "customs" : by == BZL_COUNTED_ENTERPRISE ? "enterprise" : "";
}

/* The latest date in [from, to] with rows of book_no in db (a stocktake table), or INT32_MIN. */
static bzl_status
stock_latest(bzl_txn *t, unsigned db, const char *book_no, int32_t from, int32_t to, int32_t *found)
{
    uint8_t key[STOCK_KEY_BYTES];
    stock_key(key, book_no, to + 1, 0); /* seek past `to`, step back */
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    int rc = cursor_last_before(t, db, key, sizeof key, &cur, &k, &v);
    if (cur == NULL) {
        return bzl__mdb_status(rc);
    }
    *found = INT32_MIN;
    if (rc == MDB_SUCCESS && k.mv_size == STOCK_KEY_BYTES &&
        memcmp(k.mv_data, key, BZL_BOOK_NO_LEN) == 0) {
        bzl_rd kr = {.p = k.mv_data, .len = k.mv_size, .off = BZL_BOOK_NO_LEN};
        *found = (int32_t)rd_be(&kr, 4);
    }
    mdb_cursor_close(cur);
    *found = *found < from ? INT32_MIN : *found;
    return rc == MDB_SUCCESS || rc == MDB_NOTFOUND ? BZL_OK : bzl__mdb_status(rc);
}

/* The rows of book_no's stocktake of date in db, in item order (at most cap). */
static bzl_status
stock_rows(bzl_txn *t, unsigned db, const char *book_no, int32_t date, bzl_count_row *out,
           size_t cap, size_t *count)
{
    uint8_t key[STOCK_KEY_BYTES];
    stock_key(key, book_no, date, 0); /* the walk's prefix is book | date */
    bzl__walk w;
    bzl__walk_begin(t, db, key, sizeof key, STOCK_KEY_BYTES - 4u, &w);
    bzl_status st = BZL_OK;
    size_t n = 0;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap || w.k.mv_size != STOCK_KEY_BYTES) {
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN + 4u};
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        out[n].item_no = (uint32_t)rd_be(&kr, 4);
        out[n].counted_e5 = rd_i64(&r);
        out[n].direct_e5 = rd_i64(&r);
        out[n].converted_e5 = rd_i64(&r);
        out[n].scrap_e5 = rd_i64(&r);
        out[n].count_scrap = rd_u8(&r) != 0;
        st = rd_done(&r) ? BZL_OK : BZL_CORRUPT;
        n++;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
    }
    return st;
}

bzl_status
bzl_storage_stocktake_get(bzl_txn *t, const char *book_no, int32_t from, int32_t to,
                          bzl_counted_by which, int32_t *date, bzl_counted_by *by,
                          bzl_count_row *out, size_t cap, size_t *count)
{
    BZL_ASSERT(from <= to);
    BZL_ASSERT(which <= BZL_COUNTED_ENTERPRISE);
    int32_t found = INT32_MIN;
    bzl_counted_by who = which == BZL_COUNTED_ENTERPRISE ? which : BZL_COUNTED_CUSTOMS;
    bzl_status st = stock_latest(t, who == BZL_COUNTED_CUSTOMS ? DB_STOCKTAKE : DB_STOCKTAKE_ENT,
                                 book_no, from, to, &found);
    if (st == BZL_OK && found == INT32_MIN && which == BZL_COUNTED_ANY) {
        who = BZL_COUNTED_ENTERPRISE; /* no customs count: the enterprise's, labelled as such */
        st = stock_latest(t, DB_STOCKTAKE_ENT, book_no, from, to, &found);
    }
    if (st == BZL_OK && found == INT32_MIN) {
        return BZL_NOT_FOUND;
    }
    if (st == BZL_OK) {
        st = stock_rows(t, who == BZL_COUNTED_CUSTOMS ? DB_STOCKTAKE : DB_STOCKTAKE_ENT, book_no,
                        found, out, cap, count);
    }
    if (st == BZL_OK) {
        *date = found;
        *by = who;
    }
    return st;
}

/* ---- rates and general trade ---------------------------------------------------------------- */

static void
month_cur_key(uint8_t key[MONTH_KEY_BYTES], uint32_t month, const char *currency)
{
    bzl_wr w = {.p = key, .cap = MONTH_KEY_BYTES};
    wr_be(&w, month, 4);
    wr_fixed(&w, currency, BZL_CURRENCY_LEN);
}

bzl_status
bzl_storage_rate_get(bzl_txn *t, uint32_t month, const char *currency, int64_t *cny_e9)
{
    if (strcmp(currency, "142") == 0) { /* CNY */
        *cny_e9 = 1000000000;
        return BZL_OK;
    }
    uint8_t key[MONTH_KEY_BYTES];
    month_cur_key(key, month, currency);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_RATE], &k, &v);
    if (rc == MDB_NOTFOUND) {
        return BZL_RATE_MISSING;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    int64_t rate = rd_i64(&r);
    if (!rd_done(&r) || rate <= 0) {
        return BZL_CORRUPT;
    }
    *cny_e9 = rate;
    return BZL_OK;
}

/* Journals a (month | currency)-keyed write: the key, then two i64 (format.h's rate and
 * trade payloads). */
static bzl_status
month_journal(bzl_txn *t, uint8_t type, const uint8_t key[MONTH_KEY_BYTES], int64_t a, int64_t b,
              const bzl_actor *actor)
{
    uint8_t *payload = NULL;
    uint64_t seq = 0;
    bzl_status st = bzl__journal_reserve(t, type, actor, MONTH_ENTRY_BYTES, &payload, &seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = payload, .cap = MONTH_ENTRY_BYTES};
    wr_bytes(&w, key, MONTH_KEY_BYTES);
    wr_i64(&w, a);
    wr_i64(&w, b);
    return bzl__journal_seal(t, seq);
}

/* Puts key → val into db and journals it, both in a transaction nested in batch, so a failure
 * of either leaves neither. */
static bzl_status
month_put_journaled(bzl_txn *batch, unsigned db, const uint8_t key[MONTH_KEY_BYTES],
                    const uint8_t *val, size_t val_len, uint8_t type, int64_t a, int64_t b,
                    const bzl_actor *actor)
{
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st != BZL_OK) {
        return st;
    }
    MDB_val k = bzl__mval(key, MONTH_KEY_BYTES);
    MDB_val v = bzl__mval(val, val_len);
    st = bzl__mdb_status(mdb_put(child->txn, child->s->dbi[db], &k, &v, 0));
    if (st == BZL_OK) {
        st = month_journal(child, type, key, a, b, actor);
    }
    if (st != BZL_OK) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

bzl_status
bzl_storage_rate_set(bzl_txn *batch, const bzl_rate_row *rate, const bzl_actor *actor,
                     bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(rate->cny_e9 > 0);
    BZL_ASSERT(actor != NULL);
    memset(out, 0, sizeof *out);
    int64_t old = 0;
    bzl_status st = bzl_storage_rate_get(batch, rate->month, rate->currency, &old);
    if (st == BZL_OK && old == rate->cny_e9) {
        out->replayed = true; /* no write, no journal entry */
        return BZL_OK;
    }
    if (st == BZL_RATE_MISSING) {
        old = 0;
    } else if (st != BZL_OK) {
        return st;
    }
    uint8_t key[MONTH_KEY_BYTES];
    uint8_t val[8];
    month_cur_key(key, rate->month, rate->currency);
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i64(&w, rate->cny_e9);
    return month_put_journaled(batch, DB_RATE, key, val, sizeof val, JOURNAL_RATE, rate->cny_e9,
                               old, actor);
}

/* Walks rows of a (month | currency)-keyed database from `from` month on. */
static bzl_status
month_rows(bzl_txn *t, int db, uint32_t from, uint32_t to, size_t skip, void *out, size_t cap,
           size_t *count, bool *more)
{
    uint8_t key[MONTH_KEY_BYTES];
    month_cur_key(key, from, "");
    bzl__walk w;
    bzl__walk_begin(t, (unsigned)db, key, sizeof key, 0, &w);
    size_t n = 0;
    size_t seen = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        uint32_t month = (uint32_t)rd_be(&kr, 4);
        char cur_code[BZL_CURRENCY_LEN + 1];
        rd_text(&kr, cur_code, sizeof cur_code, BZL_CURRENCY_LEN, true);
        if (month > to) {
            break;
        }
        if (seen++ >= skip) {
            if (n == cap) {
                further = true;
                break;
            }
            bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
            if (db == DB_RATE) {
                bzl_rate_row *o = &((bzl_rate_row *)out)[n];
                o->month = month;
                memcpy(o->currency, cur_code, sizeof cur_code);
                o->cny_e9 = rd_i64(&r);
            } else {
                bzl_trade_row *o = &((bzl_trade_row *)out)[n];
                o->month = month;
                memcpy(o->currency, cur_code, sizeof cur_code);
                o->exports_e5 = rd_i64(&r);
                o->imports_e5 = rd_i64(&r);
            }
            st = rd_done(&r) && !kr.bad ? BZL_OK : BZL_CORRUPT;
            n++;
        }
    }
    /* A cursor failure mid-walk is an error, not a short list. */
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}

bzl_status
bzl_storage_rate_list(bzl_txn *t, uint32_t month, size_t skip, bzl_rate_row *out, size_t cap,
                      size_t *count, bool *more)
{
    return month_rows(t, DB_RATE, month, month == 0 ? UINT32_MAX : month, skip, out, cap, count,
                      more);
}

bzl_status
bzl_storage_trade_record(bzl_txn *batch, const bzl_trade_row *row, const bzl_actor *actor,
                         bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(row->exports_e5 >= 0 && row->imports_e5 >= 0);
    BZL_ASSERT(actor != NULL);
    memset(out, 0, sizeof *out);
    uint8_t key[MONTH_KEY_BYTES];
    uint8_t val[16];
    month_cur_key(key, row->month, row->currency);
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i64(&w, row->exports_e5);
    wr_i64(&w, row->imports_e5);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(batch->txn, batch->s->dbi[DB_TRADE], &k, &v);
    if (rc == MDB_SUCCESS && v.mv_size == sizeof val && memcmp(v.mv_data, val, sizeof val) == 0) {
        out->replayed = true; /* the same totals again: no write, no journal entry */
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    return month_put_journaled(batch, DB_TRADE, key, val, sizeof val, JOURNAL_TRADE,
                               row->exports_e5, row->imports_e5, actor);
}

bzl_status
bzl_storage_trade_list(bzl_txn *t, uint32_t from_month, uint32_t to_month, bzl_trade_row *out,
                       size_t cap, size_t *count, bool *more)
{
    return month_rows(t, DB_TRADE, from_month, to_month, 0, out, cap, count, more);
}

/* ---- closing balances ---------------------------------------------------------------------------
 */

static void
closing_key(uint8_t key[CLOSING_KEY_BYTES], const char *book_no, uint32_t item, uint32_t month)
{
    bzl_wr w = {.p = key, .cap = CLOSING_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, item, 4);
    wr_be(&w, month, 4);
}

bzl_status
bzl_storage_closing_put(bzl_txn *t, const char *book_no, uint32_t item_no, uint32_t month,
                        int64_t book_e5)
{
    BZL_ASSERT(t->write);
    uint8_t key[CLOSING_KEY_BYTES];
    uint8_t val[8];
    closing_key(key, book_no, item_no, month);
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i64(&w, book_e5);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_CLOSING], &k, &v, 0));
}

bzl_status
bzl_storage_closing_latest(bzl_txn *t, const char *book_no, uint32_t item_no, uint32_t before_month,
                           uint32_t *month, int64_t *book_e5)
{
    uint8_t key[CLOSING_KEY_BYTES];
    closing_key(key, book_no, item_no, before_month);
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    int rc = cursor_last_before(t, DB_CLOSING, key, sizeof key, &cur, &k, &v);
    if (cur == NULL) {
        return bzl__mdb_status(rc);
    }
    bzl_status st = BZL_NOT_FOUND;
    if (rc == MDB_SUCCESS && k.mv_size == CLOSING_KEY_BYTES &&
        memcmp(k.mv_data, key, CLOSING_KEY_BYTES - 4u) == 0) {
        bzl_rd kr = {.p = k.mv_data, .len = k.mv_size, .off = CLOSING_KEY_BYTES - 4u};
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        *month = (uint32_t)rd_be(&kr, 4);
        *book_e5 = rd_i64(&r);
        st = rd_done(&r) ? BZL_OK : BZL_CORRUPT;
    } else if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        st = bzl__mdb_status(rc);
    }
    mdb_cursor_close(cur);
    return st;
}

bzl_status
bzl_storage_book_list(bzl_txn *t, const char *after, char (*out)[BZL_BOOK_NO_LEN + 1], size_t cap,
                      size_t *count, bool *more)
{
    uint8_t key[BZL_BOOK_NO_LEN];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_fixed(&kw, after, BZL_BOOK_NO_LEN);
    bzl__walk w;
    bzl__walk_begin_after(t, DB_BOOK, key, after[0] == '\0' ? 0 : sizeof key, 0, &w);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap) {
            further = true;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        rd_text(&kr, out[n], BZL_BOOK_NO_LEN + 1, BZL_BOOK_NO_LEN, false);
        st = rd_done(&kr) ? BZL_OK : BZL_CORRUPT;
        n++;
    }
    /* A cursor failure mid-walk is an error, not a short list. */
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}
