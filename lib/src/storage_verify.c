/* storage_verify.c — proving the journal: the hash chain, balances recomputed from the journal,
 * and the audit listing of who did what.
 *
 * Everything here only reads. The chain layout (which bytes the hash covers) is in the journal
 * table at the top of storage.c; bzl__journal_hash is the single definition of it.
 */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static_assert(BZL_JOURNAL_HASH_BYTES == JOURNAL_HASH_BYTES, "public and internal hash sizes");

static void
seq_key(uint8_t key[8], uint64_t seq)
{
    bzl_wr w = {.p = key, .cap = 8};
    wr_be(&w, seq, 8);
}

static uint64_t
seq_of_key(const MDB_val *k)
{
    bzl_rd r = {.p = k->mv_data, .len = k->mv_size};
    uint64_t seq = rd_be(&r, 8);
    return rd_done(&r) ? seq : 0;
}

/* ---- the hash chain -------------------------------------------------------------------------- */

static bzl_status
tampered(bzl_chain_report *out, uint64_t seq, const char *fmt, ...) BZL_PRINTF(3, 4);

static bzl_status
tampered(bzl_chain_report *out, uint64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
    out->first_bad_seq = seq;
    return BZL_TAMPERED;
}

/* Checks one entry against the running chain; advances prev to its hash when it verifies. */
static bzl_status
chain_step(const MDB_val *k, const MDB_val *v, uint64_t expect, uint8_t prev[JOURNAL_HASH_BYTES],
           bzl_chain_report *out)
{
    uint64_t seq = seq_of_key(k);
    if (seq != expect) {
        if (seq > expect) {
            return tampered(out, expect, "entry %" PRIu64 " is missing (the next is %" PRIu64 ")",
                            expect, seq);
        }
        return tampered(out, expect, "a journal key of %zu bytes sits where entry %" PRIu64
                        " belongs", k->mv_size, expect);
    }
    if (v->mv_size < JOURNAL_HEADER_BYTES) {
        return tampered(out, seq, "entry %" PRIu64 " is %zu bytes, shorter than its header", seq,
                        v->mv_size);
    }
    const uint8_t *e = v->mv_data;
    bzl_rd r = {.p = e, .len = v->mv_size, .off = JOURNAL_HEADER_BYTES - 4u};
    uint32_t payload_len = rd_u32(&r);
    if (payload_len != v->mv_size - JOURNAL_HEADER_BYTES) {
        return tampered(out, seq, "entry %" PRIu64 " says its payload is %" PRIu32
                        " bytes but holds %zu", seq, payload_len, v->mv_size - JOURNAL_HEADER_BYTES);
    }
    uint8_t hash[JOURNAL_HASH_BYTES];
    bzl__journal_hash(prev, e, v->mv_size, hash);
    if (memcmp(hash, e + JOURNAL_HASH_OFFSET, JOURNAL_HASH_BYTES) != 0) {
        return tampered(out, seq, "entry %" PRIu64 " does not match its hash: it was altered, "
                        "or an entry before it was", seq);
    }
    memcpy(prev, hash, JOURNAL_HASH_BYTES);
    return BZL_OK;
}

bzl_status
bzl_storage_verify_chain(bzl_txn *t, bzl_chain_report *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    uint64_t head_seq = 0;
    uint8_t head_hash[JOURNAL_HASH_BYTES];
    bzl_status st = bzl__journal_head_get(t, &head_seq, head_hash);
    if (st == BZL_CORRUPT) {
        return tampered(out, 1, "the journal head is missing or malformed in meta");
    }
    if (st != BZL_OK) {
        return st;
    }
    out->head_seq = head_seq;
    memcpy(out->head_hash, head_hash, sizeof head_hash);
    uint8_t prev[JOURNAL_HASH_BYTES] = {0};
    uint64_t expect = 1;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_JOURNAL], &cur);
    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    /* Bounded by the journal's size: one step per stored entry. */
    while (rc == MDB_SUCCESS && st == BZL_OK) {
        st = chain_step(&k, &v, expect, prev, out);
        if (st == BZL_OK) {
            expect++;
            out->entries++;
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
    }
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    MDB_val nk = {.mv_size = strlen("journal_next"), .mv_data = "journal_next"};
    MDB_val nv;
    rc = mdb_get(t->txn, t->s->dbi[DB_META], &nk, &nv);
    bzl_rd r = {.p = rc == MDB_SUCCESS ? nv.mv_data : NULL, .len = rc == MDB_SUCCESS ? 8 : 0};
    uint64_t next = rc == MDB_SUCCESS && nv.mv_size == 8 ? rd_u64(&r) : 0;
    if (next != expect) {
        /* Entries at the end were deleted (or journal_next was moved). */
        return tampered(out, expect, "entry %" PRIu64 " is missing: the journal ends at %" PRIu64
                        " but %" PRIu64 " entries were written", expect, expect - 1,
                        next == 0 ? 0 : next - 1);
    }
    if (head_seq != expect - 1 || memcmp(head_hash, prev, sizeof prev) != 0) {
        return tampered(out, expect - 1 == 0 ? 1 : expect - 1,
                        "the head in meta (entry %" PRIu64 ") does not match the journal's last "
                        "entry %" PRIu64, head_seq, expect - 1);
    }
    return BZL_OK;
}

/* ---- balances recomputed from the journal ------------------------------------------------ */

/* An open-addressing table from item key to recomputed balance; grows by doubling. */
typedef struct bal_entry {
    uint8_t key[ITEM_KEY_BYTES];
    bool used;
    bzl_balance bal;
} bal_entry;

typedef struct bal_table {
    bal_entry *rows;
    size_t cap; /* a power of two */
    size_t used;
} bal_table;

static size_t
key_hash(const uint8_t *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < ITEM_KEY_BYTES; i++) {
        h = (h ^ key[i]) * 1099511628211ull;
    }
    return (size_t)h;
}

static bal_entry *
bal_find(bal_table *tb, const uint8_t *key)
{
    size_t i = key_hash(key) & (tb->cap - 1);
    while (tb->rows[i].used && memcmp(tb->rows[i].key, key, ITEM_KEY_BYTES) != 0) {
        i = (i + 1) & (tb->cap - 1);
    }
    return &tb->rows[i];
}

static bool
bal_grow(bal_table *tb)
{
    size_t cap = tb->cap == 0 ? 1024 : tb->cap * 2;
    bal_table next = {.rows = calloc(cap, sizeof *next.rows), .cap = cap, .used = 0};
    if (next.rows == NULL) {
        return false;
    }
    for (size_t i = 0; i < tb->cap; i++) {
        if (tb->rows[i].used) {
            *bal_find(&next, tb->rows[i].key) = tb->rows[i];
            next.used++;
        }
    }
    free(tb->rows);
    *tb = next;
    return true;
}

/* The recomputed balance of key, created at zero; NULL when out of memory. */
static bzl_balance *
bal_slot(bal_table *tb, const uint8_t *key)
{
    if ((tb->used + 1) * 2 > tb->cap && !bal_grow(tb)) {
        return NULL;
    }
    bal_entry *e = bal_find(tb, key);
    if (!e->used) {
        e->used = true;
        memcpy(e->key, key, ITEM_KEY_BYTES);
        memset(&e->bal, 0, sizeof e->bal);
        tb->used++;
    }
    return &e->bal;
}

/* Decodes a declaration payload (layout at the top of storage.c) into d, lines[] holding up
 * to BZL_DECL_LINES_CEILING lines. False when it is malformed. */
static bool
decl_decode(const uint8_t *p, size_t len, bzl_declaration *d, bzl_decl_line *lines)
{
    memset(d, 0, sizeof *d);
    bzl_rd r = {.p = p, .len = len};
    size_t id_len = rd_u8(&r);
    r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, d->id, sizeof d->id, r.bad ? 0 : id_len, false);
    rd_text(&r, d->enterprise, sizeof d->enterprise, BZL_ENTERPRISE_CODE_LEN, true);
    rd_text(&r, d->book_no, sizeof d->book_no, BZL_BOOK_NO_LEN, true);
    d->kind = rd_u8(&r);
    d->direction = rd_u8(&r);
    rd_text(&r, d->trade_mode, sizeof d->trade_mode, BZL_TRADE_MODE_LEN, true);
    d->date = rd_i32(&r);
    d->pending = rd_u8(&r) != 0;
    rd_text(&r, d->related_book, sizeof d->related_book, BZL_BOOK_NO_LEN, true);
    size_t rel_len = rd_u8(&r);
    r.bad |= rel_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, d->related_id, sizeof d->related_id, r.bad ? 0 : rel_len, false);
    d->line_count = rd_u32(&r);
    r.bad |= d->line_count == 0 || d->line_count > BZL_DECL_LINES_CEILING;
    for (uint32_t i = 0; !r.bad && i < d->line_count; i++) {
        bzl_decl_line *l = &lines[i];
        memset(l, 0, sizeof *l);
        l->item_no = rd_u32(&r);
        l->qty_e5 = rd_i64(&r);
        l->value_e5 = rd_i64(&r);
        l->has_usd = rd_u8(&r) != 0;
        l->usd_e5 = rd_i64(&r);
        l->biz_mode = rd_u8(&r);
        rd_text(&r, l->unit, sizeof l->unit, BZL_UNIT_LEN, true);
        rd_text(&r, l->currency, sizeof l->currency, BZL_CURRENCY_LEN, true);
        rd_text(&r, l->country, sizeof l->country, BZL_COUNTRY_LEN, true);
        rd_text(&r, l->bom_version, sizeof l->bom_version, BZL_BOM_VERSION_BYTES_MAX, true);
    }
    d->lines = lines;
    return rd_done(&r) && (d->kind == BZL_KIND_MATERIAL || d->kind == BZL_KIND_PRODUCT) &&
           (d->direction == BZL_DIR_IN || d->direction == BZL_DIR_OUT);
}

static bzl_status
corrupt(bzl_balance_report *out, uint64_t seq, const char *what)
{
    snprintf(out->why, sizeof out->why, "journal entry %" PRIu64 ": %s", seq, what);
    return BZL_CORRUPT;
}

/* Applies one declaration entry's lines to the recomputed balances. */
static bzl_status
replay_declaration(bzl_txn *t, uint64_t seq, const uint8_t *payload, size_t len, bal_table *tb,
                   bzl_decl_line *lines, bzl_balance_report *out)
{
    bzl_declaration d;
    if (!decl_decode(payload, len, &d, lines)) {
        return corrupt(out, seq, "the declaration payload does not decode");
    }
    for (uint32_t i = 0; i < d.line_count; i++) {
        bzl_item item;
        bzl_status st = bzl_storage_item_get(t, d.book_no, (bzl_kind)d.kind, d.lines[i].item_no,
                                             &item);
        if (st == BZL_NOT_FOUND) {
            return corrupt(out, seq, "a line names an item that does not exist");
        }
        if (st != BZL_OK) {
            return st;
        }
        uint8_t key[ITEM_KEY_BYTES];
        bzl__item_key(key, d.book_no, d.kind, d.lines[i].item_no);
        bzl_balance *bal = bal_slot(tb, key);
        if (bal == NULL) {
            return BZL_NO_MEMORY;
        }
        if (bzl_ledger_apply_line(&d, i, &item, bal, NULL) != BZL_OK) {
            return corrupt(out, seq, "a line no longer applies to the recomputed balance");
        }
    }
    out->declarations++;
    return BZL_OK;
}

static bzl_status
replay_journal(bzl_txn *t, bal_table *tb, bzl_decl_line *lines, bzl_balance_report *out)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_JOURNAL], &cur);
    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    while (rc == MDB_SUCCESS && st == BZL_OK) {
        uint64_t seq = seq_of_key(&k);
        const uint8_t *e = v.mv_data;
        if (v.mv_size < JOURNAL_HEADER_BYTES) {
            st = corrupt(out, seq, "shorter than its header");
            break;
        }
        if (e[0] == JOURNAL_DECLARATION) {
            st = replay_declaration(t, seq, e + JOURNAL_HEADER_BYTES,
                                    v.mv_size - JOURNAL_HEADER_BYTES, tb, lines, out);
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    if (st == BZL_OK && rc != MDB_NOTFOUND) {
        st = bzl__mdb_status(rc);
    }
    return st;
}

/* Compares every stored item's balance (zeros when none is stored) with the recomputed one. */
static bzl_status
compare_balances(bzl_txn *t, bal_table *tb, bzl_balance_report *out)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_ITEM], &cur);
    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    while (rc == MDB_SUCCESS && st == BZL_OK) {
        if (k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_balance stored;
        st = bzl__balance_read(t, k.mv_data, &stored);
        if (st != BZL_OK) {
            break;
        }
        bzl_balance zero = {0};
        const bzl_balance *re = &zero;
        if (tb->cap > 0) {
            bal_entry *e = bal_find(tb, k.mv_data);
            re = e->used ? &e->bal : &zero;
        }
        out->items++;
        if (memcmp(&stored, re, sizeof stored) != 0) {
            bzl_rd kr = {.p = k.mv_data, .len = k.mv_size};
            rd_text(&kr, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
            out->kind = rd_u8(&kr);
            out->item_no = (uint32_t)rd_be(&kr, 4);
            out->stored = stored;
            out->recomputed = *re;
            out->mismatch = true;
            snprintf(out->why, sizeof out->why,
                     "book %s %s item %" PRIu32 ": the stored balance differs from the journal",
                     out->book_no, out->kind == BZL_KIND_PRODUCT ? "product" : "material",
                     out->item_no);
            st = BZL_TAMPERED;
            break;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    if (st == BZL_OK && rc != MDB_NOTFOUND) {
        st = bzl__mdb_status(rc);
    }
    return st;
}

bzl_status
bzl_storage_check_balances(bzl_txn *t, bzl_balance_report *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    bal_table tb = {0};
    bzl_decl_line *lines = calloc(BZL_DECL_LINES_CEILING, sizeof *lines);
    bzl_status st = lines != NULL ? BZL_OK : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = replay_journal(t, &tb, lines, out);
    }
    if (st == BZL_OK) {
        st = compare_balances(t, &tb, out);
    }
    free(tb.rows);
    free(lines);
    return st;
}

/* ---- audit listing --------------------------------------------------------------------- */

static void
audit_summary(const uint8_t *e, size_t len, char *buf, size_t cap)
{
    const uint8_t *p = e + JOURNAL_HEADER_BYTES;
    size_t n = len - JOURNAL_HEADER_BYTES;
    switch (e[0]) {
    case JOURNAL_ENTERPRISE:
        snprintf(buf, cap, "enterprise %.10s registered", n >= 10 ? (const char *)p : "?");
        break;
    case JOURNAL_BOOK:
        snprintf(buf, cap, "book %.12s opened for %.10s", n >= 22 ? (const char *)p : "?",
                 n >= 22 ? (const char *)p + 12 : "?");
        break;
    case JOURNAL_ITEM: {
        bzl_rd r = {.p = p, .len = n, .off = BZL_BOOK_NO_LEN};
        uint8_t kind = rd_u8(&r);
        uint32_t item = (uint32_t)rd_be(&r, 4);
        snprintf(buf, cap, "item %.12s %s %" PRIu32 " added", n >= 17 ? (const char *)p : "?",
                 kind == BZL_KIND_PRODUCT ? "product" : "material", item);
        break;
    }
    case JOURNAL_DECLARATION: {
        bzl_rd r = {.p = p, .len = n};
        size_t id_len = rd_u8(&r);
        char id[BZL_DECL_ID_BYTES_MAX + 1] = "";
        char ent[BZL_ENTERPRISE_CODE_LEN + 1] = "";
        char book[BZL_BOOK_NO_LEN + 1] = "";
        rd_text(&r, id, sizeof id, id_len <= BZL_DECL_ID_BYTES_MAX ? id_len : 0, false);
        rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
        rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
        uint8_t kind = rd_u8(&r);
        uint8_t dir = rd_u8(&r);
        snprintf(buf, cap, "declaration %s of %s in %s: %s %s", id, ent, book,
                 kind == BZL_KIND_PRODUCT ? "product" : "material", dir == BZL_DIR_OUT ? "out" : "in");
        break;
    }
    default:
        snprintf(buf, cap, "entry type %u, %zu payload bytes", (unsigned)e[0], n);
        break;
    }
}

static bool
audit_match(const bzl_audit_filter *f, const bzl_audit_row *row)
{
    return (f->since_ms == 0 || row->time_ms >= f->since_ms) &&
           (f->until_ms == 0 || row->time_ms < f->until_ms) && (!f->by_uid || row->uid == f->uid);
}

static bool
audit_decode(const MDB_val *k, const MDB_val *v, bzl_audit_row *row)
{
    if (v->mv_size < JOURNAL_HEADER_BYTES) {
        return false;
    }
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    row->seq = seq_of_key(k);
    row->type = rd_u8(&r);
    row->time_ms = rd_i64(&r);
    row->uid = rd_u32(&r);
    row->gid = rd_u32(&r);
    row->pid = rd_i32(&r);
    row->role = rd_u8(&r);
    row->request_id = rd_u64(&r);
    audit_summary(v->mv_data, v->mv_size, row->summary, sizeof row->summary);
    return !r.bad;
}

bzl_status
bzl_storage_audit_list(bzl_txn *t, const bzl_audit_filter *f, bzl_audit_row *out, size_t cap,
                       size_t *count, uint64_t *next_after, bool *more)
{
    BZL_ASSERT(f != NULL);
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    uint8_t start[8];
    seq_key(start, f->after_seq == UINT64_MAX ? f->after_seq : f->after_seq + 1);
    MDB_cursor *cur = NULL;
    MDB_val k = {.mv_size = sizeof start, .mv_data = start};
    MDB_val v;
    size_t n = 0;
    uint64_t last = f->after_seq;
    bool further = false;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_JOURNAL], &cur);
    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    }
    for (uint32_t scanned = 0; rc == MDB_SUCCESS; scanned++) {
        uint64_t seq = seq_of_key(&k);
        if (f->until_seq != 0 && seq > f->until_seq) {
            break;
        }
        if (n == cap || scanned == BZL_AUDIT_SCAN_MAX) {
            further = true;
            break;
        }
        if (!audit_decode(&k, &v, &out[n])) {
            st = BZL_CORRUPT;
            break;
        }
        n += audit_match(f, &out[n]);
        last = seq;
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    if (st == BZL_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        st = bzl__mdb_status(rc);
    }
    if (st == BZL_OK) {
        *count = n;
        *next_after = last;
        *more = further;
    }
    return st;
}
