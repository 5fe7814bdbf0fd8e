/* storage_verify.c — recomputes balances and scrap allowances from the journal's effects and
 * compares them with the stored rows (bzl_storage_verify_balances). */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* One recomputed (book, kind, item). */
typedef struct sum {
    uint8_t key[ITEM_KEY_BYTES];
    bool used_slot;
    bzl_balance bal;
    bzl_scrap scrap;
} sum;

/* Open addressing over item keys, doubled when half full. */
typedef struct sums {
    sum *slots;
    size_t cap; /* a power of two */
    size_t count;
} sums;

static uint64_t
key_hash(const uint8_t *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < ITEM_KEY_BYTES; i++) {
        h = (h ^ key[i]) * 1099511628211ull;
    }
    return h;
}

static sum *
sums_find(sums *s, const uint8_t *key, bool insert)
{
    size_t mask = s->cap - 1;
    for (size_t i = key_hash(key) & mask, probe = 0; probe < s->cap; probe++, i = (i + 1) & mask) {
        sum *slot = &s->slots[i];
        if (!slot->used_slot) {
            if (!insert) {
                return NULL;
            }
            slot->used_slot = true;
            memcpy(slot->key, key, ITEM_KEY_BYTES);
            s->count++;
            return slot;
        }
        if (memcmp(slot->key, key, ITEM_KEY_BYTES) == 0) {
            return slot;
        }
    }
    BZL_ASSERT(!"the sums table is never full");
    return NULL;
}

static bzl_status
sums_grow(sums *s)
{
    if (s->count * 2 < s->cap) {
        return BZL_OK;
    }
    sums next = {.cap = s->cap == 0 ? 1024 : s->cap * 2};
    next.slots = calloc(next.cap, sizeof *next.slots);
    if (next.slots == NULL) {
        return BZL_NO_MEMORY;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].used_slot) {
            *sums_find(&next, s->slots[i].key, true) = s->slots[i];
        }
    }
    free(s->slots);
    *s = next;
    return BZL_OK;
}

/* Adds one entry's applied effects. Entries that carry none (master data, period close,
 * norms, modes, and the stocktake, rate and trade entries 12-14, which move no balance) add
 * nothing; the hash chain is what proves them. Wrapping arithmetic: a sum that overflowed will
 * simply not match, which is what a damaged journal should do. */
static bzl_status
sums_add_entry(sums *s, const bzl__entry *e)
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
        st = sums_grow(s);
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

static bzl_status
sums_from_journal(bzl_txn *t, sums *s, uint64_t *entries)
{
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_JOURNAL], &cur);
    if (rc == MDB_SUCCESS) {
        t->journal_reads++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    while (rc == MDB_SUCCESS && st == BZL_OK) {
        bzl_rd kr = {.p = k.mv_data, .len = k.mv_size};
        bzl__entry e;
        st = bzl__journal_get(t, rd_be(&kr, 8), &e);
        if (st == BZL_OK) {
            st = sums_add_entry(s, &e);
        }
        (*entries)++;
        t->journal_reads++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    return bzl__cursor_end(cur, rc, st);
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

static bzl_status
stored_scrap(bzl_txn *t, const uint8_t *key, bzl_scrap *out)
{
    MDB_val k = {.mv_size = ITEM_KEY_BYTES, .mv_data = (void *)key};
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_SCRAP], &k, &v);
    memset(out, 0, sizeof *out);
    if (rc == MDB_NOTFOUND) {
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    out->generated_e5 = rd_i64(&r);
    out->used_e5 = rd_i64(&r);
    return rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

/* Compares every row stored in db (balance or scrap) with the sums. */
static bzl_status
compare_stored(bzl_txn *t, unsigned db, sums *s, bzl_verify_report *out)
{
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], &cur);
    if (rc == MDB_SUCCESS) {
        t->journal_reads++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    while (rc == MDB_SUCCESS && st == BZL_OK) {
        bzl_balance sb;
        bzl_scrap ss;
        static const sum zero;
        st = k.mv_size == ITEM_KEY_BYTES ? bzl__balance_read(t, k.mv_data, &sb) : BZL_CORRUPT;
        if (st == BZL_OK) {
            st = stored_scrap(t, k.mv_data, &ss);
        }
        const sum *x = s->cap > 0 ? sums_find(s, k.mv_data, false) : NULL;
        if (x == NULL) {
            x = &zero;
        }
        if (st == BZL_OK) {
            st = compare(out, k.mv_data, &sb, &ss, &x->bal, &x->scrap);
        }
        t->journal_reads++;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    return bzl__cursor_end(cur, rc, st);
}

/* Every recomputed item must match what is stored (absent rows are zeros). */
static bzl_status
compare_sums(bzl_txn *t, sums *s, bzl_verify_report *out)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < s->cap; i++) {
        const sum *x = &s->slots[i];
        if (!x->used_slot) {
            continue;
        }
        bzl_balance sb;
        bzl_scrap ss;
        st = bzl__balance_read(t, x->key, &sb);
        if (st == BZL_OK) {
            st = stored_scrap(t, x->key, &ss);
        }
        if (st == BZL_OK) {
            st = compare(out, x->key, &sb, &ss, &x->bal, &x->scrap);
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
    sums s = {0};
    bzl_status st = sums_from_journal(t, &s, &out->entries);
    if (st == BZL_OK) {
        st = compare_sums(t, &s, out);
    }
    if (st == BZL_OK) {
        st = compare_stored(t, DB_BALANCE, &s, out);
    }
    if (st == BZL_OK) {
        st = compare_stored(t, DB_SCRAP, &s, out);
    }
    free(s.slots);
    return st;
}
