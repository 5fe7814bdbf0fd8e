/* storage_values.c — a balance's value per currency (schema 5): the value and split databases
 * (format.h), written beside the balances by every entry that changes a posted value, read by
 * the balance listing, checked by verification and derived by the 4 → 5 upgrade.
 *
 * A balance's value_e5 adds what its lines declared, each in its own currency, so on its own it
 * is a sum of unlike amounts. The value rows keep it apart: a line's value lands in the line's
 * currency; consumption at average cost takes from every currency the item holds in proportion
 * to it (the last cent of rounding from the largest holding, so the parts sum exactly to the
 * value the entry journaled); a reversal lands exactly the negation of what its posting did,
 * read back from the posting's split row. */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static bzl_status
parts_add(bzl__parts *p, uint8_t kind, uint32_t item_no, const char *currency, int64_t value_e5)
{
    if (p->count == p->cap) {
        uint32_t cap = p->cap == 0 ? 16u : p->cap * 2u;
        bzl_value_part *grown = realloc(p->items, cap * sizeof *grown);
        if (grown == NULL) {
            return BZL_NO_MEMORY;
        }
        p->items = grown;
        p->cap = cap;
    }
    bzl_value_part *x = &p->items[p->count++];
    x->kind = kind;
    x->item_no = item_no;
    snprintf(x->currency, sizeof x->currency, "%s", currency);
    x->value_e5 = value_e5;
    return BZL_OK;
}

static void
value_key(uint8_t key[VALUE_KEY_BYTES], const char *book_no, uint8_t kind, uint32_t item_no,
          const char *currency)
{
    bzl_wr w = {.p = key, .cap = VALUE_KEY_BYTES};
    bzl__item_key(wr_take(&w, ITEM_KEY_BYTES), book_no, kind, item_no);
    wr_fixed(&w, currency, BZL_CURRENCY_LEN);
}

/* Adds delta to the item's value in currency; a row that reaches 0 goes. */
static bzl_status
value_add(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item_no, const char *currency,
          int64_t delta)
{
    uint8_t key[VALUE_KEY_BYTES];
    value_key(key, book_no, kind, item_no, currency);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int64_t now = 0;
    int rc = mdb_get(t->txn, t->s->dbi[DB_VALUE], &k, &v);
    if (rc == MDB_SUCCESS) {
        bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
        now = rd_i64(&r);
        if (!rd_done(&r)) {
            return BZL_CORRUPT;
        }
    } else if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    bzl_status st = bzl_dec_add(now, delta, &now);
    if (st != BZL_OK) {
        return st;
    }
    if (now == 0) {
        rc = mdb_del(t->txn, t->s->dbi[DB_VALUE], &k, NULL);
        return rc == MDB_NOTFOUND ? BZL_OK : bzl__mdb_status(rc);
    }
    uint8_t buf[8];
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_i64(&w, now);
    v = bzl__mval(buf, sizeof buf);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_VALUE], &k, &v, 0));
}

/* Reads one value row at the walk's position into x (currency and value). */
static bzl_status
value_row_read(const MDB_val *k, const MDB_val *v, bzl_currency_value *x)
{
    if (k->mv_size != VALUE_KEY_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size, .off = ITEM_KEY_BYTES};
    rd_text(&kr, x->currency, sizeof x->currency, BZL_CURRENCY_LEN, false);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    x->value_e5 = rd_i64(&r);
    return rd_done(&kr) && rd_done(&r) && x->value_e5 != 0 ? BZL_OK : BZL_CORRUPT;
}

bzl_status
bzl_storage_balance_values(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
                           bzl_currency_value *out, size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && count != NULL && more != NULL);
    uint8_t key[ITEM_KEY_BYTES];
    bzl__item_key(key, book_no, (uint8_t)kind, item_no);
    *count = 0;
    *more = false;
    bzl__walk w;
    bzl__walk_begin(t, DB_VALUE, key, sizeof key, sizeof key, &w);
    bzl_status st = BZL_OK;
    size_t n = 0;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap) {
            *more = true;
            break;
        }
        st = value_row_read(&w.k, &w.v, &out[n]);
        n += st == BZL_OK;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
    }
    return st;
}

/* The currencies item holds now, with their values (heap: free *rows). */
static bzl_status
holdings(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item_no, bzl_currency_value **rows,
         size_t *count)
{
    *rows = NULL;
    *count = 0;
    size_t cap = 0;
    uint8_t key[ITEM_KEY_BYTES];
    bzl__item_key(key, book_no, kind, item_no);
    bzl__walk w;
    bzl__walk_begin(t, DB_VALUE, key, sizeof key, sizeof key, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (*count == cap) {
            cap = cap == 0 ? 4u : cap * 2u;
            bzl_currency_value *grown = realloc(*rows, cap * sizeof *grown);
            if (grown == NULL) {
                st = BZL_NO_MEMORY;
                break;
            }
            *rows = grown;
        }
        st = value_row_read(&w.k, &w.v, &(*rows)[*count]);
        *count += st == BZL_OK;
    }
    return bzl__walk_end(&w, st);
}

/* Takes value_e5 (the entry's value at average cost, already resolved against the balance)
 * from the item's currencies in proportion to each holding: part c = value × held_c / Σ held,
 * rounded half away from zero, and what rounding leaves over goes to the largest holding, so the
 * parts sum to value_e5 exactly. Holdings that sum to 0 give nothing to take from: value_e5 must
 * then be 0 (the balance's value is that sum), else the rows disagree with the balance. */
static bzl_status
split_average(bzl_txn *t, const char *book_no, const bzl_effect *e, bzl__parts *out)
{
    bzl_currency_value *held = NULL;
    size_t n = 0;
    bzl_status st = holdings(t, book_no, e->kind, e->item_no, &held, &n);
    bzl_i128 total = 0;
    size_t largest = 0;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        total += held[i].value_e5;
        int64_t a = held[i].value_e5 < 0 ? -held[i].value_e5 : held[i].value_e5;
        int64_t b = held[largest].value_e5 < 0 ? -held[largest].value_e5 : held[largest].value_e5;
        largest = a > b ? i : largest;
    }
    if (st == BZL_OK && total == 0) {
        st = e->value_e5 == 0 ? BZL_OK : BZL_CORRUPT;
        n = 0;
    }
    bzl_i128 rest = e->value_e5;
    int64_t *take = st == BZL_OK && n > 0 ? calloc(n, sizeof *take) : NULL;
    if (st == BZL_OK && n > 0 && take == NULL) {
        st = BZL_NO_MEMORY;
    }
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        /* |value| <= |total| (an outflow takes at most what is held), so each part fits. */
        take[i] = (int64_t)bzl_div_half_up((bzl_i128)e->value_e5 * held[i].value_e5, total);
        rest -= take[i];
    }
    if (st == BZL_OK && n > 0) {
        bzl_i128 last = take[largest] + rest;
        st = last >= INT64_MIN && last <= INT64_MAX ? BZL_OK : BZL_OVERFLOW;
        take[largest] = (int64_t)last;
    }
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        if (take[i] != 0) {
            st = parts_add(out, e->kind, e->item_no, held[i].currency, take[i]);
        }
    }
    free(take);
    free(held);
    return st;
}

/* The currency of the line of d that carries item_no; NULL when none does. hint is the line the
 * effect names (1-based; 0 when it was read back from the journal). */
static const char *
line_currency(const bzl_declaration *d, uint32_t item_no, uint32_t hint)
{
    if (hint >= 1 && hint <= d->line_count && d->lines[hint - 1].item_no == item_no) {
        return d->lines[hint - 1].currency;
    }
    for (uint32_t i = 0; i < d->line_count; i++) {
        if (d->lines[i].item_no == item_no) {
            return d->lines[i].currency; /* an item is on one line at most */
        }
    }
    return NULL;
}

bzl_status
bzl__values_split_read(bzl_txn *t, uint64_t seq, char book_no[BZL_BOOK_NO_LEN + 1], bzl__parts *out)
{
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_SPLIT], &k, &v);
    if (rc == MDB_NOTFOUND) {
        book_no[0] = '\0';
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    rd_text(&r, book_no, BZL_BOOK_NO_LEN + 1, BZL_BOOK_NO_LEN, false);
    uint16_t count = rd_u16(&r);
    if (r.bad || (size_t)count * SPLIT_PART_BYTES != r.len - r.off) {
        return BZL_CORRUPT;
    }
    bzl_status st = BZL_OK;
    for (uint16_t i = 0; st == BZL_OK && i < count; i++) {
        uint8_t kind = rd_u8(&r);
        uint32_t item_no = rd_u32(&r);
        char currency[BZL_CURRENCY_LEN + 1];
        rd_text(&r, currency, sizeof currency, BZL_CURRENCY_LEN, false);
        int64_t value = rd_i64(&r);
        st = r.bad || value == 0 ? BZL_CORRUPT : parts_add(out, kind, item_no, currency, value);
    }
    return st;
}

static bzl_status
split_write(bzl_txn *t, uint64_t seq, const char *book_no, const bzl__parts *p)
{
    if (p->count == 0) {
        return BZL_OK;
    }
    if (p->count > UINT16_MAX) {
        return BZL_LIMIT_EXCEEDED; /* more items than a declaration's line ceiling can reach */
    }
    size_t len = SPLIT_HEADER_BYTES + (size_t)p->count * SPLIT_PART_BYTES;
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = {.mv_size = len, .mv_data = NULL};
    int rc = mdb_put(t->txn, t->s->dbi[DB_SPLIT], &k, &v, MDB_RESERVE | MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
        return BZL_INTERNAL; /* an entry's split is written once */
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_wr w = {.p = v.mv_data, .cap = len};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_u16(&w, (uint16_t)p->count);
    for (uint32_t i = 0; i < p->count; i++) {
        const bzl_value_part *x = &p->items[i];
        wr_u8(&w, x->kind);
        wr_u32(&w, x->item_no);
        wr_fixed(&w, x->currency, BZL_CURRENCY_LEN);
        wr_i64(&w, x->value_e5);
    }
    BZL_ASSERT(w.len == len);
    return BZL_OK;
}

/* Σ of the parts of (kind, item). */
static int64_t
parts_sum(const bzl__parts *p, uint8_t kind, uint32_t item_no)
{
    uint64_t sum = 0; /* wrapping: a damaged row simply fails to match */
    for (uint32_t i = 0; i < p->count; i++) {
        if (p->items[i].kind == kind && p->items[i].item_no == item_no) {
            sum += (uint64_t)p->items[i].value_e5;
        }
    }
    return (int64_t)sum;
}

/* True when every effect's value equals what the parts give its item, and every part's item
 * has an effect. */
static bool
parts_match(const bzl__parts *p, const bzl_effect_list *applied)
{
    uint64_t effects = 0;
    for (uint32_t i = 0; i < applied->count; i++) {
        const bzl_effect *e = &applied->items[i];
        if (e->value_e5 != 0 && parts_sum(p, e->kind, e->item_no) != e->value_e5) {
            return false;
        }
        effects += (uint64_t)e->value_e5;
    }
    uint64_t all = 0;
    for (uint32_t i = 0; i < p->count; i++) {
        all += (uint64_t)p->items[i].value_e5;
    }
    return all == effects;
}

bzl_status
bzl__values_apply(bzl_txn *t, uint64_t seq, const char *book_no, const bzl_effect_list *applied,
                  const bzl_declaration *d, uint64_t negates)
{
    BZL_ASSERT(t->write);
    bool any = false;
    for (uint32_t i = 0; i < applied->count; i++) {
        any |= applied->items[i].value_e5 != 0;
    }
    if (!any) {
        return BZL_OK;
    }
    bzl__parts p = {0};
    bzl_status st = BZL_OK;
    if (negates != 0) {
        char posted_book[BZL_BOOK_NO_LEN + 1];
        st = bzl__values_split_read(t, negates, posted_book, &p);
        for (uint32_t i = 0; st == BZL_OK && i < p.count; i++) {
            p.items[i].value_e5 = -p.items[i].value_e5; /* a posted part is never INT64_MIN */
        }
        if (st == BZL_OK && (strcmp(posted_book, book_no) != 0 || !parts_match(&p, applied))) {
            st = BZL_CORRUPT;
        }
    } else {
        BZL_ASSERT(d != NULL);
        for (uint32_t i = 0; st == BZL_OK && i < applied->count; i++) {
            const bzl_effect *e = &applied->items[i];
            if (e->value_e5 == 0) {
                continue;
            }
            if (e->kind != d->kind) {
                st = split_average(t, book_no, e, &p); /* a product line's consumption */
                continue;
            }
            const char *currency = line_currency(d, e->item_no, e->line);
            st = currency != NULL ? parts_add(&p, e->kind, e->item_no, currency, e->value_e5)
                                  : BZL_CORRUPT;
        }
    }
    for (uint32_t i = 0; st == BZL_OK && i < p.count; i++) {
        const bzl_value_part *x = &p.items[i];
        st = value_add(t, book_no, x->kind, x->item_no, x->currency, x->value_e5);
    }
    st = st == BZL_OK ? split_write(t, seq, book_no, &p) : st;
    free(p.items);
    return st;
}

bzl_status
bzl__values_apply_seq(bzl_txn *t, uint64_t seq, const char *book_no, const bzl_effect_list *applied,
                      uint64_t decl_seq, uint64_t negates)
{
    if (negates != 0) {
        return bzl__values_apply(t, seq, book_no, applied, NULL, negates);
    }
    bzl_declaration d;
    bzl_status st = bzl__decl_read_seq(t, decl_seq, &d);
    if (st != BZL_OK) {
        return st;
    }
    st = bzl__values_apply(t, seq, book_no, applied, &d, 0);
    free(d.lines);
    return st;
}

/* ---- verification -----------------------------------------------------------------------------
 */

/* One (item, currency) as the split rows sum it. */
typedef struct vsum {
    uint8_t key[VALUE_KEY_BYTES];
    int64_t value_e5;
    bool stored;
} vsum;

static int
vsum_cmp(const void *a, const void *b)
{
    return memcmp(((const vsum *)a)->key, ((const vsum *)b)->key, VALUE_KEY_BYTES);
}

static bzl_status
values_fail(bzl_verify_report *out, const uint8_t *key, const char *field, int64_t stored,
            int64_t recomputed, const char *how)
{
    bzl_rd r = {.p = key, .len = VALUE_KEY_BYTES};
    rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->kind = rd_u8(&r);
    out->item_no = (uint32_t)rd_be(&r, 4);
    char currency[BZL_CURRENCY_LEN + 1];
    rd_text(&r, currency, sizeof currency, BZL_CURRENCY_LEN, false);
    out->mismatch = true;
    snprintf(out->field, sizeof out->field, "%s", field);
    out->stored_e5 = stored;
    out->recomputed_e5 = recomputed;
    if (currency[0] == '-') { /* the item as a whole */
        snprintf(out->message, sizeof out->message,
                 "book %s %s %u: stored %s %" PRId64 " (e-5) but %s %" PRId64, out->book_no,
                 bzl_kind_name((bzl_kind)out->kind), (unsigned)out->item_no, field, stored, how,
                 recomputed);
    } else {
        snprintf(out->message, sizeof out->message,
                 "book %s %s %u, currency %s: stored %s %" PRId64 " (e-5) but %s %" PRId64,
                 out->book_no, bzl_kind_name((bzl_kind)out->kind), (unsigned)out->item_no, currency,
                 field, stored, how, recomputed);
    }
    return BZL_TAMPERED;
}

/* Every split row against its journal entry (its parts sum, per item, to the entry's value
 * deltas), then their sums per (item, currency), sorted, into *sums. */
static bzl_status
splits_sum(bzl_txn *t, vsum **sums, size_t *count, bzl_verify_report *out)
{
    size_t cap = 0;
    bzl__walk w;
    bzl__walk_begin(t, DB_SPLIT, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        uint64_t seq = rd_be(&kr, 8);
        bzl__parts p = {0};
        char book[BZL_BOOK_NO_LEN + 1];
        bzl__entry e;
        size_t at = 0;
        bzl_effect_list applied = {0};
        st = rd_done(&kr) ? bzl__values_split_read(t, seq, book, &p) : BZL_CORRUPT;
        st = st == BZL_OK ? bzl__journal_effects_get(t, seq, &e, &at) : st;
        if (st == BZL_OK) {
            bzl_rd r = {.p = e.payload, .len = e.payload_len, .off = at};
            char entry_book[BZL_BOOK_NO_LEN + 1];
            uint32_t month = 0;
            st = bzl__effects_read(&r, entry_book, &month, &applied);
            if (st == BZL_OK && (strcmp(entry_book, book) != 0 || !parts_match(&p, &applied))) {
                out->mismatch = true;
                snprintf(out->book_no, sizeof out->book_no, "%s", entry_book);
                snprintf(out->field, sizeof out->field, "value_split");
                snprintf(out->message, sizeof out->message,
                         "the value split of entry %" PRIu64 " does not sum to the value the "
                         "entry journaled",
                         seq);
                st = BZL_TAMPERED;
            }
        }
        free(applied.items);
        for (uint32_t i = 0; st == BZL_OK && i < p.count; i++) {
            if (*count == cap) {
                cap = cap == 0 ? 256u : cap * 2u;
                vsum *grown = realloc(*sums, cap * sizeof *grown);
                if (grown == NULL) {
                    st = BZL_NO_MEMORY;
                    break;
                }
                *sums = grown;
            }
            vsum *x = &(*sums)[(*count)++];
            value_key(x->key, book, p.items[i].kind, p.items[i].item_no, p.items[i].currency);
            x->value_e5 = p.items[i].value_e5;
            x->stored = false;
        }
        free(p.items);
    }
    st = bzl__walk_end(&w, st);
    if (st != BZL_OK || *count == 0) {
        return st;
    }
    qsort(*sums, *count, sizeof **sums, vsum_cmp);
    size_t n = 0;
    for (size_t i = 0; i < *count; i++) {
        if (n > 0 && memcmp((*sums)[n - 1].key, (*sums)[i].key, VALUE_KEY_BYTES) == 0) {
            (*sums)[n - 1].value_e5 =
                (int64_t)((uint64_t)(*sums)[n - 1].value_e5 + (uint64_t)(*sums)[i].value_e5);
        } else {
            (*sums)[n++] = (*sums)[i];
        }
    }
    *count = n;
    return BZL_OK;
}

/* The stored value rows against the split sums, both ways. */
static bzl_status
values_compare(bzl_txn *t, vsum *sums, size_t count, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_VALUE, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_currency_value row;
        st = value_row_read(&w.k, &w.v, &row);
        if (st != BZL_OK) {
            break;
        }
        vsum probe;
        memcpy(probe.key, w.k.mv_data, VALUE_KEY_BYTES);
        vsum *x = count > 0 ? bsearch(&probe, sums, count, sizeof *sums, vsum_cmp) : NULL;
        if (x == NULL || x->value_e5 != row.value_e5) {
            st = values_fail(out, w.k.mv_data, "currency_value", row.value_e5,
                             x != NULL ? x->value_e5 : 0, "the entries' splits sum to");
        } else {
            x->stored = true;
        }
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && i < count; i++) {
        if (!sums[i].stored && sums[i].value_e5 != 0) {
            st = values_fail(out, sums[i].key, "currency_value", 0, sums[i].value_e5,
                             "the entries' splits sum to");
        }
    }
    return st;
}

/* Every balance's value against the sum of its item's value rows. */
static bzl_status
balances_compare(bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_BALANCE, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        uint8_t key[VALUE_KEY_BYTES];
        memcpy(key, w.k.mv_data, ITEM_KEY_BYTES);
        memset(key + ITEM_KEY_BYTES, '-', BZL_CURRENCY_LEN);
        bzl_balance bal;
        bzl_rd kr = {.p = key, .len = ITEM_KEY_BYTES};
        char book[BZL_BOOK_NO_LEN + 1];
        rd_text(&kr, book, sizeof book, BZL_BOOK_NO_LEN, false);
        uint8_t kind = rd_u8(&kr);
        uint32_t item_no = (uint32_t)rd_be(&kr, 4);
        bzl_currency_value *held = NULL;
        size_t n = 0;
        st = bzl__balance_read(t, key, &bal);
        st = st == BZL_OK ? holdings(t, book, kind, item_no, &held, &n) : st;
        uint64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            sum += (uint64_t)held[i].value_e5;
        }
        free(held);
        if (st == BZL_OK && (int64_t)sum != bal.value_e5) {
            st = values_fail(out, key, "value", bal.value_e5, (int64_t)sum,
                             "its currencies' values sum to");
        }
    }
    return bzl__walk_end(&w, st);
}

bzl_status
bzl__values_verify(bzl_txn *t, bzl_verify_report *out)
{
    vsum *sums = NULL;
    size_t count = 0;
    bzl_status st = splits_sum(t, &sums, &count, out);
    st = st == BZL_OK ? values_compare(t, sums, count, out) : st;
    st = st == BZL_OK ? balances_compare(t, out) : st;
    free(sums);
    return st;
}
