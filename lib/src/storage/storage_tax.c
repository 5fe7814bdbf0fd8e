/* storage_tax.c — the tariff and 缓税利息-rate tables and the domestic-sale assessments: their
 * rows, journal entries 15-17 and their proof (format.h documents the bytes; docs/TAX.md the
 * rules).
 *
 * Every row is `seq u64 | the payload of entry seq`, the last entry of its key, so that verify
 * proves a row by reading that entry and comparing bytes, and the audit trail and the stream
 * decode one layout. The arithmetic is lib/src/core/tax.c's.
 */
#include "storage_internal.h"

#include "bzl/decimal.h"
#include "bzl/flows.h"
#include "bzl/storage_tax.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define CNY_CODE "142"
#define USD_CODE "502"
#define ONE_E9 1000000000LL

static_assert(TARIFF_ENTRY_BYTES == 64u, "tariff entry as documented");
static_assert(INTEREST_ENTRY_BYTES == 22u, "interest entry as documented");

/* The tables of entry type 15's first byte, and the assessment's, as verify keys them. */
enum { TABLE_TARIFF = 1, TABLE_INTEREST = 2, TABLE_ASSESSMENT = 3 };
static_assert(ASSESS_PART_BYTES == 102u, "assessment part as documented");

/* ---- rows: seq | payload -------------------------------------------------------------------- */

/* Puts key → (seq | payload) into db. */
static bzl_status
row_put(bzl_txn *t, unsigned db, const uint8_t *key, size_t key_len, uint64_t seq,
        const uint8_t *payload, size_t len)
{
    MDB_val k = bzl__mval(key, key_len);
    MDB_val v = {.mv_size = 8u + len, .mv_data = NULL};
    int rc = mdb_put(t->txn, t->s->dbi[db], &k, &v, MDB_RESERVE);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_wr w = {.p = v.mv_data, .cap = v.mv_size};
    wr_u64(&w, seq);
    wr_bytes(&w, payload, len);
    return BZL_OK;
}

/* Journals `type` with payload[len], then stores it as key's row, in a child transaction of
 * batch so that neither lands without the other. */
static bzl_status
journal_row(bzl_txn *batch, uint8_t type, unsigned db, const uint8_t *key, size_t key_len,
            const uint8_t *payload, size_t len, const bzl_actor *actor, uint64_t *seq)
{
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t *dst = NULL;
    st = bzl__journal_reserve(child, type, actor, len, &dst, seq);
    if (st == BZL_OK) {
        memcpy(dst, payload, len);
        st = bzl__journal_seal(child, *seq);
    }
    if (st == BZL_OK) {
        st = row_put(child, db, key, key_len, *seq, payload, len);
    }
    if (st != BZL_OK) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

/* ---- tariffs -------------------------------------------------------------------------------- */

static void
tariff_key(uint8_t key[TARIFF_KEY_BYTES], const char *hs, int32_t from)
{
    bzl_wr w = {.p = key, .cap = TARIFF_KEY_BYTES};
    wr_fixed(&w, hs, BZL_HS_LEN);
    wr_be(&w, (uint32_t)from, 4);
}

/* Decodes a tariff payload (entry 15): the row it sets. */
static bool
tariff_decode(const uint8_t *p, size_t len, bzl_tariff_row *out, bool *had, bzl_tax_rates *prev)
{
    bzl_rd r = {.p = p, .len = len};
    r.bad |= rd_u8(&r) != TABLE_TARIFF;
    rd_text(&r, out->hs, sizeof out->hs, BZL_HS_LEN, false);
    out->from = rd_i32(&r);
    out->rates.duty_e9 = rd_i64(&r);
    out->rates.vat_e9 = rd_i64(&r);
    out->rates.excise_e9 = rd_i64(&r);
    *had = rd_u8(&r) != 0;
    prev->duty_e9 = rd_i64(&r);
    prev->vat_e9 = rd_i64(&r);
    prev->excise_e9 = rd_i64(&r);
    return rd_done(&r) && bzl_tax_rates_check(&out->rates, NULL) == BZL_OK;
}

/* A stored tariff row: BZL_CORRUPT unless it decodes and names its own key. */
static bzl_status
tariff_row_read(const MDB_val *k, const MDB_val *v, bzl_tariff_row *out)
{
    if (k->mv_size != TARIFF_KEY_BYTES || v->mv_size != 8u + TARIFF_ENTRY_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_rd r = {.p = v->mv_data, .len = 8};
    out->seq = rd_u64(&r);
    bool had = false;
    bzl_tax_rates prev;
    if (!tariff_decode((const uint8_t *)v->mv_data + 8, TARIFF_ENTRY_BYTES, out, &had, &prev)) {
        return BZL_CORRUPT;
    }
    uint8_t key[TARIFF_KEY_BYTES];
    tariff_key(key, out->hs, out->from);
    return memcmp(key, k->mv_data, sizeof key) == 0 ? BZL_OK : BZL_CORRUPT;
}

bzl_status
bzl_storage_tariff_set(bzl_txn *batch, const bzl_tariff_row *row, const bzl_actor *actor,
                       bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(bzl_tax_rates_check(&row->rates, NULL) == BZL_OK);
    memset(out, 0, sizeof *out);
    uint8_t key[TARIFF_KEY_BYTES];
    tariff_key(key, row->hs, row->from);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(batch->txn, batch->s->dbi[DB_TARIFF], &k, &v);
    bzl_tariff_row old;
    memset(&old, 0, sizeof old);
    bool had = rc == MDB_SUCCESS;
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    if (had) {
        bzl_status st = tariff_row_read(&k, &v, &old);
        if (st != BZL_OK) {
            return st;
        }
        if (memcmp(&old.rates, &row->rates, sizeof old.rates) == 0) {
            out->replayed = true; /* no write, no journal entry */
            out->seq = old.seq;
            return BZL_OK;
        }
    }
    uint8_t p[TARIFF_ENTRY_BYTES];
    bzl_wr w = {.p = p, .cap = sizeof p};
    wr_u8(&w, TABLE_TARIFF);
    wr_fixed(&w, row->hs, BZL_HS_LEN);
    wr_i32(&w, row->from);
    wr_i64(&w, row->rates.duty_e9);
    wr_i64(&w, row->rates.vat_e9);
    wr_i64(&w, row->rates.excise_e9);
    wr_u8(&w, had ? 1 : 0);
    wr_i64(&w, old.rates.duty_e9);
    wr_i64(&w, old.rates.vat_e9);
    wr_i64(&w, old.rates.excise_e9);
    BZL_ASSERT(w.len == sizeof p);
    return journal_row(batch, JOURNAL_TAX_TABLE, DB_TARIFF, key, sizeof key, p, sizeof p, actor,
                       &out->seq);
}

bzl_status
bzl_storage_tariff_get(bzl_txn *t, const char *hs, int32_t date, bzl_tariff_row *out)
{
    uint8_t key[TARIFF_KEY_BYTES];
    tariff_key(key, hs, 0);
    bzl__walk w;
    bzl__walk_begin(t, DB_TARIFF, key, sizeof key, BZL_HS_LEN, &w);
    bzl_status st = BZL_NOT_FOUND;
    while (bzl__walk_next(&w)) {
        bzl_tariff_row row;
        bzl_status rst = tariff_row_read(&w.k, &w.v, &row);
        if (rst != BZL_OK) {
            st = rst;
            break;
        }
        if (row.from > date) {
            break;
        }
        *out = row;
        st = BZL_OK;
    }
    return bzl__walk_end(&w, st);
}

bzl_status
bzl_storage_tariff_list(bzl_txn *t, const char *hs, size_t skip, bzl_tariff_row *out, size_t cap,
                        size_t *count, bool *more)
{
    uint8_t key[TARIFF_KEY_BYTES];
    tariff_key(key, hs, 0);
    size_t prefix = hs[0] != '\0' ? BZL_HS_LEN : 0;
    bzl__walk w;
    bzl__walk_begin(t, DB_TARIFF, key, prefix > 0 ? sizeof key : 0, prefix, &w);
    size_t n = 0;
    size_t seen = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (seen++ < skip) {
            continue;
        }
        if (n == cap) {
            further = true;
            break;
        }
        st = tariff_row_read(&w.k, &w.v, &out[n]);
        n++;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
        *more = further;
    }
    return st;
}

/* ---- the 缓税利息 rate ---------------------------------------------------------------------- */

static void
interest_key(uint8_t key[INTEREST_KEY_BYTES], int32_t from)
{
    bzl_wr w = {.p = key, .cap = INTEREST_KEY_BYTES};
    wr_be(&w, (uint32_t)from, 4);
}

static bool
interest_decode(const uint8_t *p, size_t len, int32_t *from, int64_t *rate, bool *had,
                int64_t *prev)
{
    bzl_rd r = {.p = p, .len = len};
    r.bad |= rd_u8(&r) != TABLE_INTEREST;
    *from = rd_i32(&r);
    *rate = rd_i64(&r);
    *had = rd_u8(&r) != 0;
    *prev = rd_i64(&r);
    return rd_done(&r) && *rate > 0;
}

static bzl_status
interest_row_read(const MDB_val *k, const MDB_val *v, bzl_interest_row *out)
{
    if (k->mv_size != INTEREST_KEY_BYTES || v->mv_size != 8u + INTEREST_ENTRY_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_rd r = {.p = v->mv_data, .len = 8};
    memset(out, 0, sizeof *out);
    out->seq = rd_u64(&r);
    bool had = false;
    int64_t prev = 0;
    if (!interest_decode((const uint8_t *)v->mv_data + 8, INTEREST_ENTRY_BYTES, &out->from,
                         &out->rate_e9, &had, &prev)) {
        return BZL_CORRUPT;
    }
    uint8_t key[INTEREST_KEY_BYTES];
    interest_key(key, out->from);
    return memcmp(key, k->mv_data, sizeof key) == 0 ? BZL_OK : BZL_CORRUPT;
}

bzl_status
bzl_storage_interest_set(bzl_txn *batch, int32_t from, int64_t rate_e9, const bzl_actor *actor,
                         bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(rate_e9 > 0);
    memset(out, 0, sizeof *out);
    uint8_t key[INTEREST_KEY_BYTES];
    interest_key(key, from);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(batch->txn, batch->s->dbi[DB_INTEREST], &k, &v);
    bzl_interest_row old;
    memset(&old, 0, sizeof old);
    bool had = rc == MDB_SUCCESS;
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    if (had) {
        bzl_status st = interest_row_read(&k, &v, &old);
        if (st != BZL_OK) {
            return st;
        }
        if (old.rate_e9 == rate_e9) {
            out->replayed = true;
            out->seq = old.seq;
            return BZL_OK;
        }
    }
    uint8_t p[INTEREST_ENTRY_BYTES];
    bzl_wr w = {.p = p, .cap = sizeof p};
    wr_u8(&w, TABLE_INTEREST);
    wr_i32(&w, from);
    wr_i64(&w, rate_e9);
    wr_u8(&w, had ? 1 : 0);
    wr_i64(&w, old.rate_e9);
    BZL_ASSERT(w.len == sizeof p);
    return journal_row(batch, JOURNAL_TAX_TABLE, DB_INTEREST, key, sizeof key, p, sizeof p, actor,
                       &out->seq);
}

bzl_status
bzl_storage_interest_list(bzl_txn *t, bzl_interest_row *out, size_t cap, size_t *count, bool *more)
{
    uint32_t nb = 0;
    const bzl_interest_rate *builtin = bzl_tax_builtin_rates(&nb);
    size_t n = 0;
    uint32_t bi = 0;
    bool further = false;
    bzl__walk w;
    bzl__walk_begin(t, DB_INTEREST, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    bool have = false;
    bzl_interest_row set;
    /* Merge by date: the built-in rows before each set row, a set row hiding the built-in row
     * of its own date. */
    for (;;) {
        if (!have && st == BZL_OK && bzl__walk_next(&w)) {
            st = interest_row_read(&w.k, &w.v, &set);
            have = st == BZL_OK;
        }
        if (st != BZL_OK || (!have && bi == nb)) {
            break;
        }
        bzl_interest_row row;
        memset(&row, 0, sizeof row);
        if (have && (bi == nb || set.from <= builtin[bi].from)) {
            row = set;
            if (bi < nb && set.from == builtin[bi].from) {
                row.replaces_builtin = true;
                bi++;
            }
            have = false;
        } else {
            row.from = builtin[bi].from;
            row.rate_e9 = builtin[bi].rate_e9;
            bi++;
        }
        if (n == cap) {
            further = true;
            break;
        }
        out[n++] = row;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
        *more = further;
    }
    return st;
}

bzl_status
bzl_storage_interest_get(bzl_txn *t, int32_t date, bzl_interest_row *out)
{
    bzl_interest_row *rows = calloc(BZL_TAX_RATE_ROWS_MAX, sizeof *rows);
    if (rows == NULL) {
        return BZL_NO_MEMORY;
    }
    size_t n = 0;
    bool more = false;
    bzl_status st = bzl_storage_interest_list(t, rows, BZL_TAX_RATE_ROWS_MAX, &n, &more);
    if (st == BZL_OK) {
        st = BZL_NOT_FOUND;
        for (size_t i = 0; i < n && rows[i].from <= date; i++) {
            *out = rows[i];
            st = BZL_OK;
        }
    }
    free(rows);
    return st;
}

void
bzl_storage_tax_rules_set(bzl_storage *s, const bzl_tax_rules *rules)
{
    BZL_ASSERT(s != NULL && rules != NULL);
    BZL_ASSERT(rules->day_count == BZL_DAYS_END_MINUS_START ||
               rules->day_count == BZL_DAYS_INCLUSIVE);
    s->tax_rules = *rules;
}

/* ---- assessments: computing ----------------------------------------------------------------- */

bool
bzl_tax_flow_assessed(uint8_t flow)
{
    return flow == BZL_FLOW_MAT_DOMESTIC_SALE || flow == BZL_FLOW_PROD_DOMESTIC_SALE ||
           flow == BZL_FLOW_SCRAP_SALE;
}

void
bzl_assessment_free(bzl_assessment *a)
{
    if (a != NULL) {
        free(a->parts);
        free(a->goods);
        a->parts = NULL;
        a->goods = NULL;
        a->part_count = 0;
        a->goods_count = 0;
    }
}

/* Records what the assessment lacks: its figures stay unknown. Returns BZL_OK (not a storage
 * failure) so callers go on to journal it. */
static bzl_status lacking(bzl_assessment *a, bzl_status why, const char *fmt, ...) BZL_PRINTF(3, 4);
static bzl_status
lacking(bzl_assessment *a, bzl_status why, const char *fmt, ...)
{
    if (a->status == BZL_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->message, sizeof a->message, fmt, ap);
        va_end(ap);
        bzl_text_sanitize(a->message);
        a->status = why;
    }
    return BZL_OK;
}

/* The 计征汇率 of currency in the assessment's month. */
static bzl_status
rate_of(bzl_txn *t, bzl_assessment *a, const char *currency, int64_t *cny_e9)
{
    uint32_t month = bzl_month_of(a->date);
    bzl_status st = bzl_storage_rate_get(t, month, currency, cny_e9);
    if (st == BZL_RATE_MISSING) {
        return lacking(a, st, "no exchange rate of currency %s for %04u-%02u", currency,
                       (unsigned)(month / 100), (unsigned)(month % 100));
    }
    return st;
}

/* A part whose customs value is the line's own value (scrap at its sale value, goods as
 * presented): round_fen(value × rate). */
static bzl_status
value_line(bzl_txn *t, bzl_assessment *a, const bzl_decl_line *l, bzl_assessment_part *p)
{
    int64_t rate = 0;
    bzl_status st = rate_of(t, a, l->currency, &rate);
    if (st != BZL_OK || a->status != BZL_OK) {
        return st;
    }
    p->value_e5 = l->value_e5;
    memcpy(p->currency, l->currency, sizeof p->currency);
    p->cny_e9 = rate;
    if (bzl_tax_convert(l->value_e5, rate, &p->part.cv_e5) != BZL_OK) {
        return lacking(a, BZL_OVERFLOW, "line item %u: its value is beyond range in CNY",
                       (unsigned)l->item_no);
    }
    return BZL_OK;
}

/* Sums the book's posted imports (flow 1) of material `item` over months [from, to] from the
 * trade values, in CNY at the assessment month's rates: lines without a USD value at their
 * currency's rate, lines with one at the USD rate. */
static bzl_status
imports_of(bzl_txn *t, bzl_assessment *a, uint32_t item, uint32_t from, uint32_t to,
           int64_t *qty_e5, int64_t *cny_e5)
{
    uint8_t key[BZL_BOOK_NO_LEN + 4];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_fixed(&kw, a->book_no, BZL_BOOK_NO_LEN);
    wr_be(&kw, from, 4);
    bzl__walk w;
    bzl__walk_begin(t, DB_TRADE_VALUE, key, sizeof key, BZL_BOOK_NO_LEN, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && a->status == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN};
        uint32_t month = (uint32_t)rd_be(&kr, 4);
        uint8_t flow = rd_u8(&kr);
        uint8_t kind = rd_u8(&kr);
        uint32_t it = (uint32_t)rd_be(&kr, 4);
        (void)rd_u8(&kr);
        char cur[BZL_CURRENCY_LEN + 1];
        rd_text(&kr, cur, sizeof cur, BZL_CURRENCY_LEN, false);
        bzl_rd vr = {.p = w.v.mv_data, .len = w.v.mv_size};
        int64_t q = rd_i64(&vr);
        int64_t value = rd_i64(&vr);
        int64_t usd = rd_i64(&vr);
        if (!rd_done(&kr) || !rd_done(&vr)) {
            st = BZL_CORRUPT;
            break;
        }
        if (month > to) {
            break;
        }
        if (flow != BZL_FLOW_MAT_IMPORT || kind != BZL_KIND_MATERIAL || it != item) {
            continue;
        }
        int64_t rate = 0;
        int64_t c = 0;
        if (value != 0) {
            st = rate_of(t, a, cur, &rate);
            if (st == BZL_OK && a->status == BZL_OK) {
                st = bzl_dec_mul(value, BZL_SCALE_QTY, rate, BZL_SCALE_RATE, BZL_SCALE_QTY, &c);
                st = st == BZL_OK ? bzl_dec_add(*cny_e5, c, cny_e5) : st;
            }
        }
        if (usd != 0 && st == BZL_OK && a->status == BZL_OK) {
            st = rate_of(t, a, USD_CODE, &rate);
            if (st == BZL_OK && a->status == BZL_OK) {
                st = bzl_dec_mul(usd, BZL_SCALE_QTY, rate, BZL_SCALE_RATE, BZL_SCALE_QTY, &c);
                st = st == BZL_OK ? bzl_dec_add(*cny_e5, c, cny_e5) : st;
            }
        }
        st = st == BZL_OK ? bzl_dec_add(*qty_e5, q, qty_e5) : st;
        if (st == BZL_OVERFLOW) {
            st = lacking(a, BZL_OVERFLOW, "material %u: its imports sum beyond range",
                         (unsigned)item);
        }
    }
    return bzl__walk_end(&w, st);
}

/* The customs value of a material part: its quantity at the weighted average of the same
 * item's imports over the current verification cycle (L211 Art. 4 ¶2), else over every month
 * (Art. 4 ¶3: objectively quantifiable imports). */
static bzl_status
value_material(bzl_txn *t, bzl_assessment *a, uint32_t cycle_from, bzl_assessment_part *p)
{
    uint32_t to = bzl_month_of(a->date);
    int64_t qty = 0;
    int64_t cny = 0;
    bzl_status st = imports_of(t, a, p->part.item_no, cycle_from, to, &qty, &cny);
    if (st == BZL_OK && a->status == BZL_OK && qty <= 0 && cycle_from > 0) {
        cny = 0;
        st = imports_of(t, a, p->part.item_no, 0, to, &qty, &cny);
    }
    if (st != BZL_OK || a->status != BZL_OK) {
        return st;
    }
    if (qty <= 0) {
        return lacking(a, BZL_NOT_FOUND,
                       "material %u has no posted import to value it by (L211 Art. 4)",
                       (unsigned)p->part.item_no);
    }
    memcpy(p->currency, CNY_CODE, sizeof p->currency);
    p->cny_e9 = ONE_E9;
    st = bzl_tax_average_value(p->part.qty_e5, cny, qty, &p->value_e5);
    st = st == BZL_OK ? bzl_tax_convert(p->value_e5, ONE_E9, &p->part.cv_e5) : st;
    if (st != BZL_OK) {
        return lacking(a, BZL_OVERFLOW, "material %u: its value is beyond range",
                       (unsigned)p->part.item_no);
    }
    return BZL_OK;
}

/* The CNY value of one declaration line at the assessment month's rates, scale 5 unrounded
 * beyond it: its value at its currency's rate, or its USD value at the USD rate when it has
 * one (the trade values' rule, imports_of). */
static bzl_status
line_cny(bzl_txn *t, bzl_assessment *a, const bzl_decl_line *l, int64_t *cny_e5)
{
    int64_t rate = 0;
    bzl_status st = rate_of(t, a, l->has_usd ? USD_CODE : l->currency, &rate);
    if (st != BZL_OK || a->status != BZL_OK) {
        return st;
    }
    st = bzl_dec_mul(l->has_usd ? l->usd_e5 : l->value_e5, BZL_SCALE_QTY, rate, BZL_SCALE_RATE,
                     BZL_SCALE_QTY, cny_e5);
    return st == BZL_OK ? BZL_OK
                        : lacking(a, BZL_OVERFLOW, "item %u: its value is beyond range in CNY",
                                  (unsigned)l->item_no);
}

/* The customs value of a material sold as such whose line names its lots: the identified
 * batches' own import value (L211 Art. 4 ¶1; E.4 (4a)). Per named lot, round5(taken × CNY of the
 * receipt line / the receipt line's quantity), summed; then rounded to the fen. *named false
 * (nothing set) when the material's line names no lot. */
static bzl_status
value_by_lots(bzl_txn *t, bzl_assessment *a, const bzl_declaration *d, bzl_assessment_part *p,
              bool *named)
{
    *named = false;
    uint32_t line = 0;
    for (uint32_t i = 0; i < d->line_count && line == 0; i++) {
        line = d->lines[i].item_no == p->part.item_no ? i + 1 : 0;
    }
    int64_t sum = 0;
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && a->status == BZL_OK && i < d->lot_count; i++) {
        const bzl_lot_ref *r = &d->lots[i];
        if (r->line != line || line == 0) {
            continue;
        }
        *named = true;
        bzl__decl_state ds;
        bzl_declaration rd;
        bzl_decl_line rl;
        bool found = false;
        st = bzl__lot_receipt_line(t, d->enterprise, r, &ds, &rd, &rl, &found);
        if (st != BZL_OK) {
            break;
        }
        if (!found || rl.qty_e5 <= 0) {
            st = lacking(a, BZL_NOT_FOUND, "line %u names lot %s line %u, which is not a receipt",
                         (unsigned)line, r->receipt, (unsigned)r->receipt_line);
            break;
        }
        int64_t cny = 0;
        int64_t part = 0;
        st = line_cny(t, a, &rl, &cny);
        if (st != BZL_OK || a->status != BZL_OK) {
            break;
        }
        if (bzl_tax_average_value(r->qty_e5, cny, rl.qty_e5, &part) != BZL_OK ||
            bzl_dec_add(sum, part, &sum) != BZL_OK) {
            st = lacking(a, BZL_OVERFLOW, "material %u: its lots' value is beyond range",
                         (unsigned)p->part.item_no);
        }
    }
    if (st != BZL_OK || a->status != BZL_OK || !*named) {
        return st;
    }
    memcpy(p->currency, CNY_CODE, sizeof p->currency);
    p->cny_e9 = ONE_E9;
    p->value_e5 = sum;
    if (bzl_tax_convert(sum, ONE_E9, &p->part.cv_e5) != BZL_OK) {
        return lacking(a, BZL_OVERFLOW, "material %u: its value is beyond range",
                       (unsigned)p->part.item_no);
    }
    return BZL_OK;
}

/* Adds qty of material `item` to the part of (item, goods_index), appending one. */
static bzl_status
add_material(bzl_assessment *a, uint32_t item, uint32_t goods_index, int64_t qty)
{
    for (uint32_t i = 0; i < a->part_count; i++) {
        bzl_assessment_part *p = &a->parts[i];
        if (p->part.item_no == item && p->part.goods_index == goods_index) {
            if (bzl_dec_add(p->part.qty_e5, qty, &p->part.qty_e5) != BZL_OK) {
                return lacking(a, BZL_OVERFLOW, "material %u: quantity beyond range",
                               (unsigned)item);
            }
            return BZL_OK;
        }
    }
    if (a->part_count == BZL_TAX_PARTS_MAX) {
        return lacking(a, BZL_LIMIT_EXCEEDED, "the sale embodies more than %u material parts",
                       BZL_TAX_PARTS_MAX);
    }
    bzl_assessment_part *p = &a->parts[a->part_count++];
    memset(p, 0, sizeof *p);
    p->part.kind = BZL_KIND_MATERIAL;
    p->part.item_no = item;
    p->part.goods_index = goods_index;
    p->part.qty_e5 = qty;
    return BZL_OK;
}

/* 折料: the materials line l of a product consumed by the norm the ledger used. */
static bzl_status
materials_of_line(bzl_txn *t, bzl_assessment *a, const bzl_declaration *d, const bzl_decl_line *l,
                  uint32_t goods_index)
{
    bzl_norm *rows = NULL;
    uint32_t count = 0;
    uint32_t cap = 0;
    bzl_status st =
        bzl__norms_resolve(t, d->book_no, l->item_no, l->bom_version, d->date, &rows, &count, &cap);
    if (st == BZL_OK && count == 0) {
        st = lacking(a, BZL_NORM_MISSING,
                     "product %u has no norm in force on the declaration's date",
                     (unsigned)l->item_no);
    }
    for (uint32_t i = 0; st == BZL_OK && a->status == BZL_OK && i < count; i++) {
        int64_t qty = 0;
        if (bzl_tax_materials_of(&rows[i], 1, l->qty_e5, &qty) != BZL_OK) {
            st = lacking(a, BZL_OVERFLOW, "product %u: consumption beyond range",
                         (unsigned)l->item_no);
        } else {
            st = add_material(a, rows[i].material, goods_index, qty);
        }
    }
    free(rows);
    return st;
}

/* The parts of every line by the basis (tax.h's bzl_tax_basis). */
static bzl_status
gather_parts(bzl_txn *t, bzl_assessment *a, const bzl_declaration *d)
{
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && a->status == BZL_OK && i < d->line_count; i++) {
        const bzl_decl_line *l = &d->lines[i];
        if (a->basis == BZL_BASIS_SCRAP) {
            if (a->part_count == BZL_TAX_PARTS_MAX) {
                return lacking(a, BZL_LIMIT_EXCEEDED, "more than %u lines", BZL_TAX_PARTS_MAX);
            }
            bzl_assessment_part *p = &a->parts[a->part_count++];
            memset(p, 0, sizeof *p);
            p->part.kind = d->kind;
            p->part.item_no = l->item_no;
            p->part.qty_e5 = l->qty_e5;
            st = value_line(t, a, l, p);
        } else if (a->basis == BZL_BASIS_ORDINARY) {
            st = d->kind == BZL_KIND_MATERIAL ? add_material(a, l->item_no, 0, l->qty_e5)
                                              : materials_of_line(t, a, d, l, 0);
        } else {
            if (a->goods_count == BZL_TAX_PARTS_MAX) {
                return lacking(a, BZL_LIMIT_EXCEEDED, "more than %u lines", BZL_TAX_PARTS_MAX);
            }
            bzl_assessment_part *g = &a->goods[a->goods_count++];
            memset(g, 0, sizeof *g);
            g->part.kind = d->kind;
            g->part.item_no = l->item_no;
            g->part.qty_e5 = l->qty_e5;
            st = value_line(t, a, l, g);
            if (st == BZL_OK && a->basis == BZL_BASIS_MATERIAL) {
                st = materials_of_line(t, a, d, l, a->goods_count - 1);
            }
        }
    }
    return st;
}

/* HS and tariff of one part on the assessment date. */
static bzl_status
rates_of(bzl_txn *t, bzl_assessment *a, bzl_assessment_part *p)
{
    bzl_item item;
    bzl_status st =
        bzl_storage_item_get(t, a->book_no, (bzl_kind)p->part.kind, p->part.item_no, &item);
    if (st == BZL_NOT_FOUND) {
        return lacking(a, BZL_NOT_FOUND, "%s %u is not an item of book %s",
                       bzl_kind_name((bzl_kind)p->part.kind), (unsigned)p->part.item_no,
                       a->book_no);
    }
    if (st != BZL_OK) {
        return st;
    }
    memcpy(p->hs, item.hs, sizeof p->hs);
    bzl_tariff_row row;
    st = bzl_storage_tariff_get(t, item.hs, a->date, &row);
    if (st == BZL_NOT_FOUND) {
        char day[16];
        bzl_date_format(a->date, day, sizeof day);
        return lacking(a, BZL_NOT_FOUND, "no tariff of HS %s is in force on %s (bzl tariff set)",
                       item.hs, day);
    }
    if (st == BZL_OK) {
        p->part.rates = row.rates;
    }
    return st;
}

/* The interest window's start (B.4 电子账册): the through-date of the book's latest period
 * close, else its first import; and the rate in force on the end date. */
static bzl_status
interest_terms(bzl_txn *t, bzl_assessment *a, uint32_t *cycle_from, int64_t *rate_e9)
{
    bool closed = false;
    int32_t through = 0;
    bzl_status st = bzl_storage_period_get(t, a->book_no, &closed, &through);
    *cycle_from = closed ? bzl_month_of(through + 1) : 0;
    if (st != BZL_OK) {
        return st;
    }
    if (a->basis == BZL_BASIS_PRODUCT || a->basis == BZL_BASIS_SCRAP) {
        return BZL_OK; /* no interest */
    }
    if (closed) {
        a->interest_start = through;
    } else {
        uint8_t key[BZL_BOOK_NO_LEN];
        bzl_wr kw = {.p = key, .cap = sizeof key};
        wr_fixed(&kw, a->book_no, BZL_BOOK_NO_LEN);
        MDB_val k = bzl__mval(key, sizeof key);
        MDB_val v;
        int rc = mdb_get(t->txn, t->s->dbi[DB_TAX_FIRST], &k, &v);
        if (rc == MDB_NOTFOUND) {
            return lacking(a, BZL_NOT_READY,
                           "book %s was never verified and has no posted import to start "
                           "interest from",
                           a->book_no);
        }
        if (rc != MDB_SUCCESS) {
            return bzl__mdb_status(rc);
        }
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        a->interest_start = rd_i32(&r);
        (void)rd_u64(&r);
        if (!rd_done(&r)) {
            return BZL_CORRUPT;
        }
    }
    bzl_interest_row row;
    st = bzl_storage_interest_get(t, a->date, &row);
    if (st == BZL_NOT_FOUND) {
        return lacking(a, BZL_NOT_FOUND, "no 缓税利息 rate is in force on the assessment date");
    }
    *rate_e9 = row.rate_e9;
    return st;
}

/* Runs lib's arithmetic over the gathered parts (copied out and back). */
static bzl_status
assess(bzl_assessment *a, int64_t rate_e9, const bzl_tax_rules *rules)
{
    bzl_tax_part *parts = calloc(a->part_count + 1, sizeof *parts);
    bzl_tax_part *goods = calloc(a->goods_count + 1, sizeof *goods);
    if (parts == NULL || goods == NULL) {
        free(parts);
        free(goods);
        return BZL_NO_MEMORY;
    }
    for (uint32_t i = 0; i < a->part_count; i++) {
        parts[i] = a->parts[i].part;
    }
    for (uint32_t i = 0; i < a->goods_count; i++) {
        goods[i] = a->goods[i].part;
    }
    bzl_tax_sale sale = {.basis = a->basis,
                         .parts = parts,
                         .part_count = a->part_count,
                         .goods = goods,
                         .goods_count = a->goods_count,
                         .interest_start = a->interest_start,
                         .interest_end = a->date,
                         .interest_rate_e9 = rate_e9};
    bzl_fault fault;
    memset(&fault, 0, sizeof fault);
    bzl_status st = bzl_tax_assess(&sale, rules, &a->result, &fault);
    if (st != BZL_OK) {
        (void)lacking(a, st, "%s", fault.message);
    }
    for (uint32_t i = 0; st == BZL_OK && i < a->part_count; i++) {
        a->parts[i].part = parts[i];
    }
    for (uint32_t i = 0; st == BZL_OK && i < a->goods_count; i++) {
        a->goods[i].part = goods[i];
    }
    free(parts);
    free(goods);
    return BZL_OK;
}

/* The basis a sale is assessed on: scrap for scrap; for a product, the basis asked for, else
 * the one the declaration names (选择性征收关税, B.5: a zone's choice, honoured on any book so an
 * enterprise can weigh it, docs/TAX.md), else the book's default: the goods as presented in a
 * zone (H) book (B.2), ordinary (折料, B.3) elsewhere. A material sold as such is taxed as
 * presented in a zone and ordinarily elsewhere. */
static uint8_t
basis_of(const bzl_declaration *d, uint8_t flow, uint8_t asked)
{
    bool zone = d->book_no[0] == 'H';
    if (flow == BZL_FLOW_SCRAP_SALE) {
        return BZL_BASIS_SCRAP;
    }
    if (flow != BZL_FLOW_PROD_DOMESTIC_SALE) {
        return zone ? BZL_BASIS_PRODUCT : BZL_BASIS_ORDINARY;
    }
    if (asked != 0) {
        return asked;
    }
    if (d->duty_basis != 0) {
        return d->duty_basis;
    }
    return zone ? BZL_BASIS_PRODUCT : BZL_BASIS_ORDINARY;
}

bzl_status
bzl_storage_tax_compute(bzl_txn *t, const bzl_declaration *d, uint8_t flow, uint8_t basis,
                        const bzl_tax_rules *rules, bzl_assessment *out)
{
    BZL_ASSERT(t != NULL && d != NULL && out != NULL);
    BZL_ASSERT(d->line_count == 0 || d->lines != NULL);
    memset(out, 0, sizeof *out);
    memcpy(out->enterprise, d->enterprise, sizeof out->enterprise);
    memcpy(out->id, d->id, sizeof out->id);
    memcpy(out->book_no, d->book_no, sizeof out->book_no);
    out->state = BZL_ASSESS_ASSESSED;
    out->flow = flow;
    out->date = d->tax_date != 0 ? d->tax_date : d->date;
    out->basis = basis_of(d, flow, basis);
    if (rules == NULL) {
        rules = &t->s->tax_rules;
    }
    if (!bzl_tax_flow_assessed(flow)) {
        return lacking(out, BZL_INVALID_ARGUMENT, "declaration %s is not a domestic sale", d->id);
    }
    out->parts = calloc(BZL_TAX_PARTS_MAX, sizeof *out->parts);
    out->goods = calloc(d->line_count < BZL_TAX_PARTS_MAX ? d->line_count + 1 : BZL_TAX_PARTS_MAX,
                        sizeof *out->goods);
    if (out->parts == NULL || out->goods == NULL) {
        bzl_assessment_free(out);
        return BZL_NO_MEMORY;
    }
    uint32_t cycle_from = 0;
    int64_t rate_e9 = 0;
    bzl_status st = interest_terms(t, out, &cycle_from, &rate_e9);
    if (st == BZL_OK && out->status == BZL_OK) {
        st = gather_parts(t, out, d);
    }
    /* A material sold as such is valued by the lots its line names (the batch identified,
     * E.4 (4a)), read back with the declaration when d came without them; every other part by
     * the cycle's weighted average (docs/TAX.md). */
    bool by_lots =
        out->basis == BZL_BASIS_ORDINARY && d->kind == BZL_KIND_MATERIAL && d->lot_count > 0;
    bzl_declaration with_lots;
    memset(&with_lots, 0, sizeof with_lots);
    if (st == BZL_OK && by_lots && d->lots == NULL) {
        bzl__decl_state ds;
        st = bzl__decl_state_get(t, d->enterprise, d->id, &ds);
        st = st == BZL_OK ? bzl__decl_read_seq(t, ds.seq, &with_lots) : st;
        st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    const bzl_declaration *dl = with_lots.lines != NULL ? &with_lots : d;
    for (uint32_t i = 0; st == BZL_OK && out->status == BZL_OK && i < out->part_count; i++) {
        bool named = false;
        if (by_lots) {
            st = value_by_lots(t, out, dl, &out->parts[i], &named);
        }
        if (st == BZL_OK && out->basis != BZL_BASIS_SCRAP && !named) {
            st = value_material(t, out, cycle_from, &out->parts[i]);
        }
        st = st == BZL_OK ? rates_of(t, out, &out->parts[i]) : st;
    }
    free(with_lots.lines);
    for (uint32_t i = 0; st == BZL_OK && out->status == BZL_OK && i < out->goods_count; i++) {
        st = rates_of(t, out, &out->goods[i]);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = assess(out, rate_e9, rules);
    }
    if (st != BZL_OK) {
        bzl_assessment_free(out);
        return st;
    }
    if (out->status != BZL_OK) {
        /* No figure is kept when one is unknown: a partial assessment would read as a total. */
        memset(&out->result, 0, sizeof out->result);
        out->part_count = 0;
        out->goods_count = 0;
    }
    return BZL_OK;
}

/* ---- assessments: bytes --------------------------------------------------------------------- */

static size_t
assessment_size(const bzl_assessment *a)
{
    return ASSESS_FIXED_BYTES + strnlen(a->id, sizeof a->id) +
           strnlen(a->message, sizeof a->message - 1) +
           (size_t)(a->part_count + a->goods_count) * ASSESS_PART_BYTES;
}

static void
part_encode(bzl_wr *w, const bzl_assessment_part *p)
{
    wr_u8(w, p->part.kind);
    wr_u32(w, p->part.item_no);
    wr_u32(w, p->part.goods_index);
    wr_fixed(w, p->hs, BZL_HS_LEN);
    wr_i64(w, p->part.qty_e5);
    wr_i64(w, p->value_e5);
    wr_fixed(w, p->currency, BZL_CURRENCY_LEN);
    wr_i64(w, p->cny_e9);
    wr_i64(w, p->part.cv_e5);
    wr_i64(w, p->part.rates.duty_e9);
    wr_i64(w, p->part.rates.vat_e9);
    wr_i64(w, p->part.rates.excise_e9);
    wr_i64(w, p->part.tax.duty_e5);
    wr_i64(w, p->part.tax.excise_e5);
    wr_i64(w, p->part.tax.vat_e5);
}

static void
part_decode(bzl_rd *r, bzl_assessment_part *p)
{
    memset(p, 0, sizeof *p);
    p->part.kind = rd_u8(r);
    p->part.item_no = rd_u32(r);
    p->part.goods_index = rd_u32(r);
    rd_text(r, p->hs, sizeof p->hs, BZL_HS_LEN, true);
    p->part.qty_e5 = rd_i64(r);
    p->value_e5 = rd_i64(r);
    rd_text(r, p->currency, sizeof p->currency, BZL_CURRENCY_LEN, true);
    p->cny_e9 = rd_i64(r);
    p->part.cv_e5 = rd_i64(r);
    p->part.rates.duty_e9 = rd_i64(r);
    p->part.rates.vat_e9 = rd_i64(r);
    p->part.rates.excise_e9 = rd_i64(r);
    p->part.tax.duty_e5 = rd_i64(r);
    p->part.tax.excise_e5 = rd_i64(r);
    p->part.tax.vat_e5 = rd_i64(r);
    r->bad |= p->part.kind != BZL_KIND_MATERIAL && p->part.kind != BZL_KIND_PRODUCT;
}

static void
assessment_encode(const bzl_assessment *a, uint8_t *buf, size_t cap)
{
    bzl_wr w = {.p = buf, .cap = cap};
    size_t id_len = strnlen(a->id, sizeof a->id);
    size_t msg_len = strnlen(a->message, sizeof a->message - 1);
    wr_u64(&w, a->decl_seq);
    wr_fixed(&w, a->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, a->id, id_len);
    wr_fixed(&w, a->book_no, BZL_BOOK_NO_LEN);
    wr_u8(&w, a->state);
    wr_u64(&w, a->ref_seq);
    wr_u8(&w, a->flow);
    wr_i32(&w, a->date);
    wr_u8(&w, a->basis);
    wr_u8(&w, (uint8_t)a->status);
    wr_u8(&w, (uint8_t)msg_len);
    wr_bytes(&w, a->message, msg_len);
    wr_i32(&w, a->interest_start);
    const bzl_tax_result *x = &a->result;
    wr_i64(&w, x->cv_e5);
    wr_i64(&w, x->duty_cv_e5);
    wr_i64(&w, x->total.duty_e5);
    wr_i64(&w, x->total.excise_e5);
    wr_i64(&w, x->total.vat_e5);
    wr_i64(&w, x->interest_base_e5);
    wr_i64(&w, x->interest_e5);
    wr_i32(&w, x->interest_days);
    wr_i64(&w, x->interest_rate_e9);
    wr_u8(&w, x->interest_exempt);
    wr_u8(&w, x->small_exempted ? 1 : 0);
    wr_u32(&w, a->part_count);
    wr_u32(&w, a->goods_count);
    for (uint32_t i = 0; i < a->part_count; i++) {
        part_encode(&w, &a->parts[i]);
    }
    for (uint32_t i = 0; i < a->goods_count; i++) {
        part_encode(&w, &a->goods[i]);
    }
    BZL_ASSERT(w.len == cap);
}

/* Decodes an assessment payload into out (parts allocated: bzl_assessment_free). */
static bzl_status
assessment_decode(const uint8_t *p, size_t len, bzl_assessment *out)
{
    memset(out, 0, sizeof *out);
    bzl_rd r = {.p = p, .len = len};
    out->decl_seq = rd_u64(&r);
    rd_text(&r, out->enterprise, sizeof out->enterprise, BZL_ENTERPRISE_CODE_LEN, false);
    size_t id_len = rd_u8(&r);
    r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, out->id, sizeof out->id, r.bad ? 0 : id_len, false);
    rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->state = rd_u8(&r);
    out->ref_seq = rd_u64(&r);
    out->flow = rd_u8(&r);
    out->date = rd_i32(&r);
    out->basis = rd_u8(&r);
    out->status = (bzl_status)rd_u8(&r);
    size_t msg_len = rd_u8(&r);
    rd_text(&r, out->message, sizeof out->message, msg_len, false);
    out->interest_start = rd_i32(&r);
    bzl_tax_result *x = &out->result;
    x->cv_e5 = rd_i64(&r);
    x->duty_cv_e5 = rd_i64(&r);
    x->total.duty_e5 = rd_i64(&r);
    x->total.excise_e5 = rd_i64(&r);
    x->total.vat_e5 = rd_i64(&r);
    x->interest_base_e5 = rd_i64(&r);
    x->interest_e5 = rd_i64(&r);
    x->interest_days = rd_i32(&r);
    x->interest_rate_e9 = rd_i64(&r);
    x->interest_exempt = rd_u8(&r);
    x->small_exempted = rd_u8(&r) != 0;
    uint32_t np = rd_u32(&r);
    uint32_t ng = rd_u32(&r);
    r.bad |= np > BZL_TAX_PARTS_MAX || ng > BZL_TAX_PARTS_MAX;
    r.bad |= out->state != BZL_ASSESS_ASSESSED && out->state != BZL_ASSESS_REVERSED;
    r.bad |= out->basis < BZL_BASIS_ORDINARY || out->basis > BZL_BASIS_SCRAP;
    r.bad |= !bzl_tax_flow_assessed(out->flow);
    if (r.bad) {
        return BZL_CORRUPT;
    }
    out->parts = calloc(np + 1, sizeof *out->parts);
    out->goods = calloc(ng + 1, sizeof *out->goods);
    if (out->parts == NULL || out->goods == NULL) {
        bzl_assessment_free(out);
        return BZL_NO_MEMORY;
    }
    for (uint32_t i = 0; i < np && !r.bad; i++) {
        part_decode(&r, &out->parts[i]);
    }
    for (uint32_t i = 0; i < ng && !r.bad; i++) {
        part_decode(&r, &out->goods[i]);
    }
    out->part_count = np;
    out->goods_count = ng;
    if (!rd_done(&r)) {
        bzl_assessment_free(out);
        return BZL_CORRUPT;
    }
    return BZL_OK;
}

/* Journals a as entry 17 and stores it as the row of its declaration. */
static bzl_status
assessment_put(bzl_txn *t, const bzl_assessment *a, const bzl_actor *actor)
{
    size_t len = assessment_size(a);
    uint8_t *buf = malloc(len);
    if (buf == NULL) {
        return BZL_NO_MEMORY;
    }
    assessment_encode(a, buf, len);
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, a->decl_seq, 8);
    uint64_t seq = 0;
    bzl_status st =
        journal_row(t, JOURNAL_ASSESSMENT, DB_ASSESSMENT, key, sizeof key, buf, len, actor, &seq);
    free(buf);
    return st;
}

/* The stored row of decl_seq: BZL_NOT_FOUND when none. */
static bzl_status
assessment_row(bzl_txn *t, uint64_t decl_seq, bzl_assessment *out)
{
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, decl_seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_ASSESSMENT], &k, &v);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    if (v.mv_size < 8u) {
        return BZL_CORRUPT;
    }
    bzl_status st = assessment_decode((const uint8_t *)v.mv_data + 8, v.mv_size - 8, out);
    if (st == BZL_OK && out->decl_seq != decl_seq) {
        bzl_assessment_free(out);
        st = BZL_CORRUPT;
    }
    return st;
}

/* Moves the book's first import earlier when d (an import posted as entry decl_seq) is. */
static bzl_status
first_import(bzl_txn *t, uint64_t decl_seq, const bzl_declaration *d)
{
    uint8_t key[BZL_BOOK_NO_LEN];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_fixed(&kw, d->book_no, BZL_BOOK_NO_LEN);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_TAX_FIRST], &k, &v);
    if (rc == MDB_SUCCESS) {
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        int32_t date = rd_i32(&r);
        (void)rd_u64(&r);
        if (!rd_done(&r)) {
            return BZL_CORRUPT;
        }
        if (date <= d->date) {
            return BZL_OK;
        }
    } else if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    uint8_t val[TAX_FIRST_VALUE_BYTES];
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i32(&w, d->date);
    wr_u64(&w, decl_seq);
    MDB_val nv = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_TAX_FIRST], &k, &nv, 0));
}

bzl_status
bzl__tax_posted(bzl_txn *t, uint64_t decl_seq, const bzl_declaration *d, uint8_t flow,
                uint64_t ref_seq, const bzl_actor *actor)
{
    BZL_ASSERT(t->write && d != NULL);
    if (flow == BZL_FLOW_MAT_IMPORT) {
        return first_import(t, decl_seq, d);
    }
    if (!bzl_tax_flow_assessed(flow)) {
        return BZL_OK;
    }
    bzl_assessment a;
    bzl_status st = bzl_storage_tax_compute(t, d, flow, 0, NULL, &a);
    if (st != BZL_OK) {
        return st;
    }
    a.decl_seq = decl_seq;
    a.ref_seq = ref_seq;
    st = assessment_put(t, &a, actor);
    bzl_assessment_free(&a);
    return st;
}

bzl_status
bzl__tax_reversed(bzl_txn *t, uint64_t decl_seq, uint64_t ref_seq, const bzl_actor *actor)
{
    BZL_ASSERT(t->write);
    bzl_assessment a;
    bzl_status st = assessment_row(t, decl_seq, &a);
    if (st == BZL_NOT_FOUND) {
        return BZL_OK; /* not a domestic sale */
    }
    if (st != BZL_OK) {
        return st;
    }
    a.state = BZL_ASSESS_REVERSED;
    a.ref_seq = ref_seq;
    st = assessment_put(t, &a, actor);
    bzl_assessment_free(&a);
    return st;
}

bzl_status
bzl_storage_assessment_get(bzl_txn *t, const char *enterprise, const char *id, bzl_assessment *out)
{
    bzl__decl_state ds;
    bzl_status st = bzl__decl_state_get(t, enterprise, id, &ds);
    if (st != BZL_OK) {
        return st;
    }
    return assessment_row(t, ds.seq, out);
}

bzl_status
bzl_storage_assessment_walk(bzl_txn *t, int32_t from, int32_t to, bzl_assessment_cb cb, void *ctx)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_ASSESSMENT, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.v.mv_size < 8u || w.k.mv_size != 8u) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_assessment a;
        st = assessment_decode((const uint8_t *)w.v.mv_data + 8, w.v.mv_size - 8, &a);
        if (st == BZL_OK && a.date >= from && a.date <= to) {
            st = cb(ctx, &a);
        }
        bzl_assessment_free(&a); /* safe after a failed decode too: it leaves nothing */
    }
    return bzl__walk_end(&w, st);
}

/* ---- verification ------------------------------------------------------------------------- */

/* A row key of the tax tables: table (the entry type that writes it) | key, zero-padded. */
#define MARK_KEY_BYTES (1u + TARIFF_KEY_BYTES)

typedef struct tax_mark {
    uint8_t key[MARK_KEY_BYTES];
    uint64_t seq; /* the last entry of the key */
    bool stored;  /* a row was compared with it */
} tax_mark;

struct bzl__tax_marks {
    bzl__keyed m;
};

bzl_status
bzl__tax_marks_create(bzl__tax_marks **out)
{
    bzl__tax_marks *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return BZL_NO_MEMORY;
    }
    m->m.rec_bytes = sizeof(tax_mark);
    m->m.key_bytes = MARK_KEY_BYTES;
    m->m.first_cap = 64;
    *out = m;
    return BZL_OK;
}

void
bzl__tax_marks_destroy(bzl__tax_marks *m)
{
    if (m != NULL) {
        bzl__keyed_free(&m->m);
        free(m);
    }
}

/* The table and row key an entry of type 15 or 16 writes, from its payload; false when it does
 * not decode. */
static bool
entry_row_key(const bzl__entry *e, uint8_t key[MARK_KEY_BYTES])
{
    memset(key, 0, MARK_KEY_BYTES);
    bool table = e->type == JOURNAL_TAX_TABLE && e->payload_len > 0;
    key[0] = table ? e->payload[0] : TABLE_ASSESSMENT;
    if (table && key[0] == TABLE_TARIFF) {
        bzl_tariff_row row;
        bool had = false;
        bzl_tax_rates prev;
        if (!tariff_decode(e->payload, e->payload_len, &row, &had, &prev)) {
            return false;
        }
        tariff_key(key + 1, row.hs, row.from);
        return true;
    }
    if (table && key[0] == TABLE_INTEREST) {
        int32_t from = 0;
        int64_t rate = 0;
        int64_t prev = 0;
        bool had = false;
        if (!interest_decode(e->payload, e->payload_len, &from, &rate, &had, &prev)) {
            return false;
        }
        interest_key(key + 1, from);
        return true;
    }
    if (e->type != JOURNAL_ASSESSMENT) {
        return false;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    uint64_t decl_seq = rd_u64(&r);
    bzl_wr w = {.p = key + 1, .cap = 8};
    wr_be(&w, decl_seq, 8);
    return !r.bad;
}

bzl_status
bzl__tax_marks_add(bzl__tax_marks *m, uint64_t seq, const bzl__entry *e)
{
    if (e->type != JOURNAL_TAX_TABLE && e->type != JOURNAL_ASSESSMENT) {
        return BZL_OK;
    }
    uint8_t key[MARK_KEY_BYTES];
    if (!entry_row_key(e, key)) {
        return BZL_CORRUPT;
    }
    bzl_status st = bzl__keyed_grow(&m->m);
    if (st == BZL_OK) {
        tax_mark *x = bzl__keyed_find(&m->m, key, true);
        x->seq = seq;
    }
    return st;
}

static const char *
table_of(uint8_t table)
{
    return table == TABLE_TARIFF ? "tariff" : table == TABLE_INTEREST ? "interest" : "assessment";
}

static bzl_status
tax_mismatch(bzl_verify_report *out, uint8_t type, uint64_t row_seq, uint64_t entry_seq,
             const char *what)
{
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "%s", table_of(type));
    snprintf(out->field, sizeof out->field, "%s", table_of(type));
    snprintf(out->key, sizeof out->key, "entry %" PRIu64, row_seq != 0 ? row_seq : entry_seq);
    snprintf(out->message, sizeof out->message,
             "%s row written by entry %" PRIu64
             ": %s (the journal's last entry of its key is %" PRIu64 ")",
             table_of(type), row_seq, what, entry_seq);
    return BZL_TAMPERED;
}

/* Compares every row of db with the last entry of its key: the row must name that entry and
 * hold exactly its payload. */
static bzl_status
compare_rows(bzl__tax_marks *m, bzl_txn *t, unsigned db, uint8_t type, uint8_t table,
             size_t key_len, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, db, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        uint8_t key[MARK_KEY_BYTES];
        memset(key, 0, sizeof key);
        key[0] = table;
        if (w.k.mv_size != key_len || w.v.mv_size < 8u) {
            st = BZL_CORRUPT;
            break;
        }
        memcpy(key + 1, w.k.mv_data, key_len);
        bzl_rd r = {.p = w.v.mv_data, .len = 8};
        uint64_t seq = rd_u64(&r);
        out->rows++;
        tax_mark *x = bzl__keyed_find(&m->m, key, false);
        if (x == NULL) {
            st = tax_mismatch(out, table, seq, 0, "no journal entry wrote it");
            break;
        }
        x->stored = true;
        if (x->seq != seq) {
            st = tax_mismatch(out, table, seq, x->seq, "it names another entry than the last");
            break;
        }
        /* Copy: the journal read below may move the cursor's view. */
        size_t len = w.v.mv_size - 8u;
        uint8_t *row = malloc(len + 1u);
        if (row == NULL) {
            st = BZL_NO_MEMORY;
            break;
        }
        memcpy(row, (const uint8_t *)w.v.mv_data + 8, len);
        bzl__entry e;
        st = bzl__journal_get(t, seq, &e);
        if (st == BZL_OK &&
            (e.type != type || e.payload_len != len || memcmp(e.payload, row, len) != 0)) {
            st = tax_mismatch(out, table, seq, x->seq, "its bytes differ from the entry's");
        } else if (st == BZL_NOT_FOUND) {
            st = tax_mismatch(out, table, seq, x->seq, "the entry it names does not exist");
        }
        free(row);
    }
    return bzl__walk_end(&w, st);
}

/* Every tax_first row names a posted material import of its book dated as the row says. */
static bzl_status
compare_first(bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_TAX_FIRST, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        int32_t date = rd_i32(&r);
        uint64_t seq = rd_u64(&r);
        char book[BZL_BOOK_NO_LEN + 1];
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        rd_text(&kr, book, sizeof book, BZL_BOOK_NO_LEN, false);
        if (!rd_done(&r) || !rd_done(&kr)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        bzl_declaration d;
        memset(&d, 0, sizeof d);
        bzl_status dst = bzl__decl_read_seq(t, seq, &d);
        bool ok = dst == BZL_OK && d.date == date && strcmp(d.book_no, book) == 0 &&
                  d.kind == BZL_KIND_MATERIAL && d.direction == BZL_DIR_IN;
        if (dst == BZL_OK) {
            free(d.lines);
        } else if (dst != BZL_CORRUPT && dst != BZL_NOT_FOUND) {
            st = dst;
            break;
        }
        if (!ok) {
            out->mismatch = true;
            snprintf(out->table, sizeof out->table, "tax_first");
            snprintf(out->field, sizeof out->field, "first_import");
            snprintf(out->key, sizeof out->key, "%s", book);
            snprintf(out->message, sizeof out->message,
                     "tax_first of book %s names entry %" PRIu64
                     ", which is not an import of that book on the row's date",
                     book, seq);
            st = BZL_TAMPERED;
        }
    }
    return bzl__walk_end(&w, st);
}

bzl_status
bzl__tax_marks_compare(bzl__tax_marks *m, bzl_txn *t, bzl_verify_report *out)
{
    bzl_status st =
        compare_rows(m, t, DB_TARIFF, JOURNAL_TAX_TABLE, TABLE_TARIFF, TARIFF_KEY_BYTES, out);
    if (st == BZL_OK) {
        st = compare_rows(m, t, DB_INTEREST, JOURNAL_TAX_TABLE, TABLE_INTEREST, INTEREST_KEY_BYTES,
                          out);
    }
    if (st == BZL_OK) {
        st = compare_rows(m, t, DB_ASSESSMENT, JOURNAL_ASSESSMENT, TABLE_ASSESSMENT, 8u, out);
    }
    for (size_t i = 0; st == BZL_OK && i < m->m.cap; i++) {
        const tax_mark *x = bzl__keyed_at(&m->m, i);
        if (x != NULL && !x->stored) {
            st = tax_mismatch(out, x->key[0], 0, x->seq, "its row is missing");
        }
    }
    if (st == BZL_OK) {
        st = compare_first(t, out);
    }
    return st;
}

/* ---- the audit trail ------------------------------------------------------------------------ */

static void
rate_text(int64_t e9, char *buf, size_t cap)
{
    bzl_dec_format(e9, BZL_SCALE_RATE, buf, cap);
}

bool
bzl__tax_audit_summary(const bzl__entry *e, char *summary, size_t cap, char *enterprise,
                       char *book_no)
{
    char day[16];
    char a[BZL_DEC_TEXT_BYTES];
    char b[BZL_DEC_TEXT_BYTES];
    char c[BZL_DEC_TEXT_BYTES];
    uint8_t table = e->type == JOURNAL_TAX_TABLE && e->payload_len > 0 ? e->payload[0] : 0;
    if (table == TABLE_TARIFF) {
        bzl_tariff_row row;
        bool had = false;
        bzl_tax_rates prev;
        if (!tariff_decode(e->payload, e->payload_len, &row, &had, &prev)) {
            return false;
        }
        bzl_date_format(row.from, day, sizeof day);
        rate_text(row.rates.duty_e9, a, sizeof a);
        rate_text(row.rates.vat_e9, b, sizeof b);
        rate_text(row.rates.excise_e9, c, sizeof c);
        int n = snprintf(summary, cap, "tariff %s from %s: duty %s%% vat %s%% excise %s%%", row.hs,
                         day, a, b, c);
        if (had && n > 0 && (size_t)n < cap) {
            rate_text(prev.duty_e9, a, sizeof a);
            rate_text(prev.vat_e9, b, sizeof b);
            rate_text(prev.excise_e9, c, sizeof c);
            snprintf(summary + n, cap - (size_t)n, " (was %s%% %s%% %s%%)", a, b, c);
        }
        return true;
    }
    if (table == TABLE_INTEREST) {
        int32_t from = 0;
        int64_t rate = 0;
        int64_t prev = 0;
        bool had = false;
        if (!interest_decode(e->payload, e->payload_len, &from, &rate, &had, &prev)) {
            return false;
        }
        bzl_date_format(from, day, sizeof day);
        rate_text(rate, a, sizeof a);
        rate_text(prev, b, sizeof b);
        snprintf(summary, cap, "缓税利息 rate from %s: %s%%%s%s%s", day, a, had ? " (was " : "",
                 had ? b : "", had ? "%)" : "");
        return true;
    }
    if (e->type != JOURNAL_ASSESSMENT) {
        return false;
    }
    bzl_assessment x;
    if (assessment_decode(e->payload, e->payload_len, &x) != BZL_OK) {
        return false;
    }
    memcpy(enterprise, x.enterprise, sizeof x.enterprise);
    memcpy(book_no, x.book_no, sizeof x.book_no);
    int64_t tax = x.result.total.duty_e5 + x.result.total.excise_e5 + x.result.total.vat_e5;
    bzl_dec_format_fixed(tax, BZL_SCALE_QTY, 2, a, sizeof a);
    bzl_dec_format_fixed(x.result.interest_e5, BZL_SCALE_QTY, 2, b, sizeof b);
    if (x.state == BZL_ASSESS_REVERSED) {
        snprintf(summary, cap, "assessment of %s of %s in %s reversed (was tax %s interest %s)",
                 x.id, x.enterprise, x.book_no, a, b);
    } else if (x.status != BZL_OK) {
        snprintf(summary, cap, "assessment of %s of %s in %s (%s basis) incomplete: %s", x.id,
                 x.enterprise, x.book_no, bzl_tax_basis_name(x.basis), x.message);
    } else {
        snprintf(summary, cap, "assessment of %s of %s in %s (%s basis): tax %s interest %s CNY",
                 x.id, x.enterprise, x.book_no, bzl_tax_basis_name(x.basis), a, b);
    }
    bzl_assessment_free(&x);
    return true;
}
