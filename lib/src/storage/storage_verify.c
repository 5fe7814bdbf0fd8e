/* storage_verify.c — recomputes balances and scrap allowances from the journal's effects, and
 * the rate and trade rows from their entries (types 13, 14), and compares both with the stored
 * rows (bzl_storage_verify_balances); the values per currency are checked by storage_values.c,
 * the period totals, trade values, stocktakes and closings by storage_verify_derived.c, all fed
 * by the one journal pass here. */
#include "storage_internal.h"

#include "bzl/codes.h"
#include "bzl/decimal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- a keyed table (bzl__keyed, storage_internal.h) -------------------------------------- */

static uint64_t
fnv1a(const uint8_t *key, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ key[i]) * 1099511628211ull;
    }
    return h;
}

void *
bzl__keyed_at(const bzl__keyed *t, size_t i)
{
    return t->used[i] ? t->recs + i * t->rec_bytes : NULL;
}

void *
bzl__keyed_find(bzl__keyed *t, const uint8_t *key, bool insert)
{
    if (t->cap == 0) {
        BZL_ASSERT(!insert);
        return NULL;
    }
    size_t mask = t->cap - 1;
    for (size_t i = fnv1a(key, t->key_bytes) & mask, probe = 0; probe < t->cap;
         probe++, i = (i + 1) & mask) {
        uint8_t *rec = t->recs + i * t->rec_bytes;
        if (!t->used[i]) {
            if (!insert) {
                return NULL;
            }
            t->used[i] = true;
            memset(rec, 0, t->rec_bytes);
            memcpy(rec, key, t->key_bytes);
            t->count++;
            return rec;
        }
        if (memcmp(rec, key, t->key_bytes) == 0) {
            return rec;
        }
    }
    BZL_ASSERT(!"a table is never full");
    return NULL;
}

void
bzl__keyed_free(bzl__keyed *t)
{
    free(t->recs);
    free(t->used);
    t->recs = NULL;
    t->used = NULL;
}

bzl_status
bzl__keyed_grow(bzl__keyed *t)
{
    if (t->count * 2 < t->cap) {
        return BZL_OK;
    }
    bzl__keyed next = *t;
    next.cap = t->cap == 0 ? t->first_cap : t->cap * 2;
    next.count = 0;
    next.recs = calloc(next.cap, t->rec_bytes);
    next.used = calloc(next.cap, sizeof *next.used);
    if (next.recs == NULL || next.used == NULL) {
        bzl__keyed_free(&next);
        return BZL_NO_MEMORY;
    }
    for (size_t i = 0; i < t->cap; i++) {
        const uint8_t *rec = bzl__keyed_at(t, i);
        if (rec != NULL) {
            memcpy(bzl__keyed_find(&next, rec, true), rec, t->rec_bytes);
        }
    }
    bzl__keyed_free(t);
    *t = next;
    return BZL_OK;
}

/* One recomputed (book, kind, item); its key opens the record. */
typedef struct sum {
    uint8_t key[ITEM_KEY_BYTES];
    bzl_balance bal;
    bzl_scrap scrap;
} sum;

/* ---- rate and trade rows: types ------------------------------------------------------------ */

/* Layouts from format.h's byte tables (rate and trade rows; entries 13, 14). */
#define MARK_KEY_BYTES MONTH_KEY_BYTES

/* What the last journal entry of one rate or trade (month, currency) says. type and key
 * together, contiguous, are the record's table key. */
typedef struct mark {
    uint8_t type;                /* JOURNAL_RATE or _TRADE */
    uint8_t key[MARK_KEY_BYTES]; /* month BE | currency */
    bool stored;                 /* a stored row was compared with it */
    int64_t a;                   /* cny_e9; exports_e5 */
    int64_t b;                   /* 0; imports_e5 */
} mark;

static_assert(offsetof(mark, key) == 1, "a mark's type and key are one contiguous table key");
#define MARK_TABLE_KEY_BYTES (1u + MARK_KEY_BYTES)

static sum *
sums_find(bzl__keyed *s, const uint8_t *key, bool insert)
{
    return bzl__keyed_find(s, key, insert);
}

/* Adds one entry's applied effects. Entries that carry none (master data, period close,
 * norms, modes, and the stocktake, rate and trade entries 12-14, which move no balance) add
 * nothing; the hash chain proves them, and marks_add_entry checks the rows 12-14 wrote.
 * Wrapping arithmetic: a sum that overflowed will simply not match, which is what a damaged
 * journal should do. */
static bzl_status
sums_add_entry(bzl__keyed *s, const bzl__entry *e)
{
    size_t at = 0;
    bool has = false;
    bzl_status st = bzl__entry_effects_at(e, &at, &has);
    if (st != BZL_OK || !has) {
        return st;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    uint32_t count = 0;
    bzl__effects_header(&r, book, &month, &count);
    for (uint32_t i = 0; i < count && !r.bad; i++) {
        bzl_effect eff;
        bzl__effect_read(&r, &eff);
        st = bzl__keyed_grow(s);
        if (st != BZL_OK) {
            return st;
        }
        uint8_t key[ITEM_KEY_BYTES];
        bzl__item_key(key, book, eff.kind, eff.item_no);
        sum *x = sums_find(s, key, true);
        x->bal.qty_e5 = (int64_t)((uint64_t)x->bal.qty_e5 + (uint64_t)eff.qty_e5);
        x->bal.value_e5 = (int64_t)((uint64_t)x->bal.value_e5 + (uint64_t)eff.value_e5);
        x->bal.pending_in_e5 =
            (int64_t)((uint64_t)x->bal.pending_in_e5 + (uint64_t)eff.pending_in_e5);
        x->bal.pending_out_e5 =
            (int64_t)((uint64_t)x->bal.pending_out_e5 + (uint64_t)eff.pending_out_e5);
        x->scrap.generated_e5 =
            (int64_t)((uint64_t)x->scrap.generated_e5 + (uint64_t)eff.scrap_gen_e5);
        x->scrap.used_e5 = (int64_t)((uint64_t)x->scrap.used_e5 + (uint64_t)eff.scrap_used_e5);
    }
    return r.bad ? BZL_CORRUPT : BZL_OK;
}

static bzl_status marks_add_entry(bzl__keyed *m, const bzl__entry *e);

/* The one journal pass: effects into s, the last rate and trade entries into m, and every
 * entry into the derived tables' recomputation d. */
static bzl_status
sums_from_journal(bzl_txn *t, bzl__keyed *s, bzl__keyed *m, bzl__derived *d, bzl__tax_marks *x,
                  uint64_t *entries, uint64_t *receipts)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_JOURNAL, NULL, 0, 0, &w);
    t->journal_reads += w.cur != NULL;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        MDB_val v = w.v;
        bzl__entry e;
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        uint64_t seq = rd_be(&kr, 8);
        st = rd_done(&kr) ? bzl__entry_decode(&v, &e) : BZL_CORRUPT; /* no second lookup */
        if (st == BZL_OK) {
            st = sums_add_entry(s, &e);
        }
        if (st == BZL_OK) {
            st = marks_add_entry(m, &e);
        }
        if (st == BZL_OK) {
            st = bzl__derived_add(d, t, seq, &e);
        }
        if (st == BZL_OK) {
            st = bzl__tax_marks_add(x, seq, &e);
        }
        *receipts += st == BZL_OK && e.type == JOURNAL_RECEIPT;
        (*entries)++;
        t->journal_reads++;
    }
    return bzl__walk_end(&w, st);
}

/* Fills the report with a mismatch of `field` at key. */
static bzl_status
mismatch(bzl_verify_report *out, const uint8_t *key, const char *field, int64_t stored,
         int64_t recomputed)
{
    bzl_rd r = {.p = key, .len = ITEM_KEY_BYTES};
    rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->kind = rd_u8(&r);
    out->item_no = (uint32_t)rd_be(&r, 4);
    out->mismatch = true;
    snprintf(out->field, sizeof out->field, "%s", field);
    out->stored_e5 = stored;
    out->recomputed_e5 = recomputed;
    snprintf(out->message, sizeof out->message,
             "book %s %s %u: stored %s %" PRId64 " (e-5) but the journal sums to %" PRId64,
             out->book_no, bzl_kind_name((bzl_kind)out->kind), (unsigned)out->item_no, field,
             stored, recomputed);
    return BZL_TAMPERED;
}

static bzl_status
compare(bzl_verify_report *out, const uint8_t *key, const bzl_balance *sb, const bzl_scrap *ss,
        const bzl_balance *cb, const bzl_scrap *cs)
{
    out->balances++;
    if (sb->qty_e5 != cb->qty_e5) {
        return mismatch(out, key, "qty", sb->qty_e5, cb->qty_e5);
    }
    if (sb->value_e5 != cb->value_e5) {
        return mismatch(out, key, "value", sb->value_e5, cb->value_e5);
    }
    if (sb->pending_in_e5 != cb->pending_in_e5) {
        return mismatch(out, key, "pending_in", sb->pending_in_e5, cb->pending_in_e5);
    }
    if (sb->pending_out_e5 != cb->pending_out_e5) {
        return mismatch(out, key, "pending_out", sb->pending_out_e5, cb->pending_out_e5);
    }
    if (ss->generated_e5 != cs->generated_e5) {
        return mismatch(out, key, "scrap_generated", ss->generated_e5, cs->generated_e5);
    }
    if (ss->used_e5 != cs->used_e5) {
        return mismatch(out, key, "scrap_used", ss->used_e5, cs->used_e5);
    }
    return BZL_OK;
}

/* Compares every row stored in db (balance or scrap) with the sums. */
static bzl_status
compare_stored(bzl_txn *t, unsigned db, bzl__keyed *s, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, db, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        MDB_val k = w.k;
        bzl_balance sb;
        bzl_scrap ss;
        static const sum zero;
        st = k.mv_size == ITEM_KEY_BYTES ? bzl__balance_read(t, k.mv_data, &sb) : BZL_CORRUPT;
        if (st == BZL_OK) {
            st = bzl__scrap_read(t, k.mv_data, &ss);
        }
        const sum *x = sums_find(s, k.mv_data, false);
        if (x == NULL) {
            x = &zero;
        }
        if (st == BZL_OK) {
            st = compare(out, k.mv_data, &sb, &ss, &x->bal, &x->scrap);
        }
    }
    return bzl__walk_end(&w, st);
}

/* Walks the history chain of the item at key from head, summing its rows' quantities and
 * counting them into *rows. BZL_CORRUPT with *broken_at the entry whose row is
 * missing or does not link back to an earlier one; BZL_OVERFLOW when a sum leaves the range.
 * The quantities go into *total's qty and pending fields. */
static bzl_status
chain_walk(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], uint64_t head, bzl_balance *total,
           uint64_t *rows, uint64_t *broken_at)
{
    bzl_rd kr = {.p = key, .len = ITEM_KEY_BYTES, .off = BZL_BOOK_NO_LEN};
    uint8_t kind = rd_u8(&kr);
    uint32_t item_no = (uint32_t)rd_be(&kr, 4);
    memset(total, 0, sizeof *total);
    bzl_status st = BZL_OK;
    for (uint64_t seq = head; st == BZL_OK && seq != 0; (*rows)++) {
        bzl_history_row row;
        *broken_at = seq;
        st = bzl__history_step(t, seq, kind, item_no, &row, &seq);
        st = st == BZL_OK ? bzl_dec_add(total->qty_e5, row.qty_e5, &total->qty_e5) : st;
        st = st == BZL_OK
                 ? bzl_dec_add(total->pending_in_e5, row.pending_in_e5, &total->pending_in_e5)
                 : st;
        st = st == BZL_OK
                 ? bzl_dec_add(total->pending_out_e5, row.pending_out_e5, &total->pending_out_e5)
                 : st;
    }
    return st;
}

/* Checks the item at key (its balance row, already proven against the journal by
 * compare_stored) against its history chain. */
static bzl_status
compare_chain(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], uint64_t *rows, bzl_verify_report *out)
{
    bzl_balance bal;
    bzl_balance chain;
    uint64_t head = 0;
    uint64_t broken_at = 0;
    bzl_status st = bzl__balance_row_read(t, key, &bal, &head);
    if (st != BZL_OK) {
        return st;
    }
    st = chain_walk(t, key, head, &chain, rows, &broken_at);
    if (st == BZL_CORRUPT) {
        st = mismatch(out, key, "history", 0, 0); /* names the item; the message says how */
        snprintf(out->message, sizeof out->message,
                 "book %s %s %u: its history chain breaks at the row of entry %" PRIu64,
                 out->book_no, bzl_kind_name((bzl_kind)out->kind), (unsigned)out->item_no,
                 broken_at);
    } else if (st == BZL_OVERFLOW) {
        st = BZL_CORRUPT; /* no ledger holds such sums */
    } else if (st == BZL_OK && chain.qty_e5 != bal.qty_e5) {
        st = mismatch(out, key, "history_qty", chain.qty_e5, bal.qty_e5);
    } else if (st == BZL_OK && chain.pending_in_e5 != bal.pending_in_e5) {
        st = mismatch(out, key, "history_pending_in", chain.pending_in_e5, bal.pending_in_e5);
    } else if (st == BZL_OK && chain.pending_out_e5 != bal.pending_out_e5) {
        st = mismatch(out, key, "history_pending_out", chain.pending_out_e5, bal.pending_out_e5);
    }
    return st;
}

/* Each item's history chain (from its balance row's head) must reach its first row intact and
 * sum to the balance the journal gave, and the chains together must hold every history row:
 * so a history row altered, removed or added is found, not only when that item is listed. */
static bzl_status
compare_history(bzl_txn *t, bzl_verify_report *out)
{
    bzl_status st = BZL_OK;
    uint64_t chained = 0;
    bzl__walk w;
    bzl__walk_begin(t, DB_BALANCE, NULL, 0, 0, &w);
    while (st == BZL_OK && bzl__walk_next(&w)) {
        st = w.k.mv_size == ITEM_KEY_BYTES ? compare_chain(t, w.k.mv_data, &chained, out)
                                           : BZL_CORRUPT;
    }
    st = bzl__walk_end(&w, st);
    MDB_stat hs;
    int rc = st == BZL_OK ? mdb_stat(t->txn, t->s->dbi[DB_HISTORY], &hs) : MDB_SUCCESS;
    if (st == BZL_OK && rc != MDB_SUCCESS) {
        st = bzl__mdb_status(rc);
    }
    if (st == BZL_OK && hs.ms_entries != chained) {
        out->mismatch = true;
        snprintf(out->field, sizeof out->field, "history");
        snprintf(out->message, sizeof out->message,
                 "the history holds %zu rows but the items' chains reach %" PRIu64,
                 (size_t)hs.ms_entries, chained);
        st = BZL_TAMPERED;
    }
    return st;
}

/* Every recomputed item must match what is stored (absent rows are zeros). */
static bzl_status
compare_sums(bzl_txn *t, bzl__keyed *s, bzl_verify_report *out)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < s->cap; i++) {
        const sum *x = bzl__keyed_at(s, i);
        if (x == NULL) {
            continue;
        }
        bzl_balance sb;
        bzl_scrap ss;
        st = bzl__balance_read(t, x->key, &sb);
        if (st == BZL_OK) {
            st = bzl__scrap_read(t, x->key, &ss);
        }
        if (st == BZL_OK) {
            st = compare(out, x->key, &sb, &ss, &x->bal, &x->scrap);
        }
    }
    return st;
}

/* ---- rate and trade rows: the journal side ------------------------------------------------- */

static mark *
marks_find(bzl__keyed *m, uint8_t type, const uint8_t *key, bool insert)
{
    BZL_ASSERT(type != 0);
    uint8_t full[MARK_TABLE_KEY_BYTES];
    full[0] = type;
    memcpy(full + 1, key, MARK_KEY_BYTES);
    return bzl__keyed_find(m, full, insert);
}

/* Decodes a rate or trade entry into key, a and b (see mark). */
static bzl_status
mark_decode(const bzl__entry *e, uint8_t key[MARK_KEY_BYTES], int64_t *a, int64_t *b)
{
    if (e->payload_len != MONTH_ENTRY_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = MONTH_KEY_BYTES};
    memcpy(key, e->payload, MONTH_KEY_BYTES);
    int64_t first = rd_i64(&r);
    int64_t second = rd_i64(&r);
    *a = first;
    *b = e->type == JOURNAL_TRADE ? second : 0; /* a rate's second is the one it replaced */
    return rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

/* Remembers what a rate or trade entry says; a later entry of the same key replaces it, as the
 * later write replaced the row. Other entry types add nothing here. */
static bzl_status
marks_add_entry(bzl__keyed *m, const bzl__entry *e)
{
    if (e->type != JOURNAL_RATE && e->type != JOURNAL_TRADE) {
        return BZL_OK;
    }
    uint8_t key[MARK_KEY_BYTES];
    int64_t a = 0;
    int64_t b = 0;
    bzl_status st = mark_decode(e, key, &a, &b);
    if (st == BZL_OK) {
        st = bzl__keyed_grow(m);
    }
    if (st == BZL_OK) {
        mark *x = marks_find(m, e->type, key, true);
        x->a = a;
        x->b = b;
    }
    return st;
}

/* ---- rate and trade rows: the comparison --------------------------------------------------- */

/* "7.1234" for a rate, "exports 1000 imports 500" for trade totals. */
static void
month_value_text(uint8_t type, int64_t a, int64_t b, char *buf, size_t cap)
{
    char at[BZL_DEC_TEXT_BYTES];
    char bt[BZL_DEC_TEXT_BYTES];
    if (type == JOURNAL_RATE) {
        bzl_dec_format(a, BZL_SCALE_RATE, at, sizeof at);
        snprintf(buf, cap, "%s", at);
    } else {
        bzl_dec_format(a, BZL_SCALE_QTY, at, sizeof at);
        bzl_dec_format(b, BZL_SCALE_QTY, bt, sizeof bt);
        snprintf(buf, cap, "exports %s imports %s", at, bt);
    }
}

/* Fills the report with a rate or trade row that disagrees with the journal: stored (a, b)
 * is NULL for a missing row, j NULL for a row no entry wrote. */
static bzl_status
month_mismatch(bzl_verify_report *out, uint8_t type, const uint8_t *key, const int64_t *stored,
               const mark *j)
{
    BZL_ASSERT(stored != NULL || j != NULL);
    bzl_rd r = {.p = key, .len = MONTH_KEY_BYTES};
    out->month = (uint32_t)rd_be(&r, 4);
    rd_text(&r, out->currency, sizeof out->currency, BZL_CURRENCY_LEN, true);
    const char *table = type == JOURNAL_RATE ? "rate" : "trade";
    bool imports = type == JOURNAL_TRADE && stored != NULL && j != NULL && stored[0] == j->a;
    out->mismatch = true;
    snprintf(out->field, sizeof out->field, "%s",
             type == JOURNAL_RATE ? "rate"
             : imports            ? "trade_imports"
                                  : "trade_exports");
    out->stored_e5 = stored == NULL ? 0 : stored[imports ? 1 : 0];
    out->recomputed_e5 = j == NULL ? 0 : imports ? j->b : j->a;
    char sv[2 * BZL_DEC_TEXT_BYTES + 24] = "no row";
    char jv[2 * BZL_DEC_TEXT_BYTES + 24] = "no entry";
    if (stored != NULL) {
        month_value_text(type, stored[0], stored[1], sv, sizeof sv);
    }
    if (j != NULL) {
        month_value_text(type, j->a, j->b, jv, sizeof jv);
    }
    snprintf(out->message, sizeof out->message,
             "%s %04u-%02u %s: stored %s but the journal's last %s entry says %s", table,
             (unsigned)(out->month / 100), (unsigned)(out->month % 100), out->currency, sv, table,
             jv);
    return BZL_TAMPERED;
}

/* Compares every row of the rate or trade table with the last entry of its key. */
static bzl_status
compare_month_rows(bzl_txn *t, unsigned db, bzl__keyed *m, bzl_verify_report *out)
{
    uint8_t type = db == DB_RATE ? JOURNAL_RATE : JOURNAL_TRADE;
    bzl__walk w;
    bzl__walk_begin(t, db, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        MDB_val k = w.k;
        MDB_val v = w.v;
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        int64_t stored[2] = {0, 0};
        stored[0] = rd_i64(&r);
        if (type == JOURNAL_TRADE) {
            stored[1] = rd_i64(&r);
        }
        uint8_t key[MARK_KEY_BYTES] = {0};
        if (k.mv_size != MONTH_KEY_BYTES || !rd_done(&r)) {
            st = BZL_CORRUPT;
            break;
        }
        memcpy(key, k.mv_data, MONTH_KEY_BYTES);
        out->rows++;
        mark *j = marks_find(m, type, key, false);
        if (j == NULL || j->a != stored[0] || j->b != stored[1]) {
            st = month_mismatch(out, type, key, stored, j);
        } else {
            j->stored = true;
        }
    }
    return bzl__walk_end(&w, st);
}

/* Every entry must have left its row: a rate or trade row per key. */
static bzl_status
compare_marks(const bzl__keyed *m, bzl_verify_report *out)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < m->cap; i++) {
        const mark *j = bzl__keyed_at(m, i);
        if (j != NULL && !j->stored) {
            st = month_mismatch(out, j->type, j->key, NULL, j);
        }
    }
    return st;
}

bzl_status
bzl_storage_verify_balances(bzl_txn *t, bzl_verify_report *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    /* Items start at 1,024 slots; the rate and trade rows are a few per month. */
    bzl__keyed s = {.rec_bytes = sizeof(sum), .key_bytes = ITEM_KEY_BYTES, .first_cap = 1024};
    bzl__keyed m = {.rec_bytes = sizeof(mark), .key_bytes = MARK_TABLE_KEY_BYTES, .first_cap = 64};
    bzl__derived *d = NULL;
    bzl__tax_marks *x = NULL;
    uint64_t receipts = 0; /* entries 22 */
    bzl_status st = bzl__derived_create(t, &d);
    if (st == BZL_OK) {
        st = bzl__tax_marks_create(&x);
    }
    if (st == BZL_OK) {
        st = sums_from_journal(t, &s, &m, d, x, &out->entries, &receipts);
    }
    if (st == BZL_OK) {
        st = compare_sums(t, &s, out);
    }
    if (st == BZL_OK) {
        st = compare_stored(t, DB_BALANCE, &s, out);
    }
    if (st == BZL_OK) {
        st = compare_stored(t, DB_SCRAP, &s, out);
    }
    if (st == BZL_OK) {
        st = compare_history(t, out);
    }
    if (st == BZL_OK) {
        st = bzl__values_verify(t, out);
    }
    if (st == BZL_OK) {
        st = compare_month_rows(t, DB_RATE, &m, out);
    }
    if (st == BZL_OK) {
        st = compare_month_rows(t, DB_TRADE, &m, out);
    }
    if (st == BZL_OK) {
        st = compare_marks(&m, out);
    }
    if (st == BZL_OK) {
        st = bzl__derived_compare(d, t, out);
    }
    if (st == BZL_OK) {
        /* The tax tables: each row is its key's last tax entry (storage_tax.c). */
        st = bzl__tax_marks_compare(x, t, out);
    }
    if (st == BZL_OK) {
        /* Lots: each against its entry, and Σ remaining = every balance (storage_lots.c). */
        st = bzl__lots_verify(t, out);
    }
    if (st == BZL_OK) {
        /* Customs receipts: the receipt table replayed from entries 22 (storage_receipt.c). */
        st = bzl__receipt_verify(t, receipts, out);
    }
    bzl__tax_marks_destroy(x);
    bzl__derived_destroy(d);
    bzl__keyed_free(&m);
    bzl__keyed_free(&s);
    return st;
}
