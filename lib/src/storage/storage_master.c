/* storage_master.c — master data and balances: enterprises, books, items (each stored and
 * journaled whole), and the balance rows read and listed by item. Byte layouts are in the
 * tables in format.h. */
#include "storage_internal.h"

#include "bzl/limits.h"

#include <stdlib.h>
#include <string.h>

static_assert(BZL_NAME_BYTES_MAX <= UINT16_MAX, "name length fits its u16");
static_assert(BZL_AREA_BYTES_MAX <= UINT8_MAX, "area length fits its u8");

/* Stores a master record (key | value in rec) and journals the whole of it. */
static bzl_status
record_add(bzl_txn *t, unsigned db, uint8_t type, const uint8_t *rec, size_t key_len,
           size_t rec_len, const bzl_actor *actor)
{
    BZL_ASSERT(t->write);
    BZL_ASSERT(key_len < rec_len);
    MDB_val k = bzl__mval(rec, key_len);
    MDB_val v = bzl__mval(rec + key_len, rec_len - key_len);
    int rc = mdb_put(t->txn, t->s->dbi[db], &k, &v, MDB_NOOVERWRITE);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    uint8_t *payload = NULL;
    uint64_t seq = 0;
    bzl_status st = bzl__journal_reserve(t, type, actor, rec_len, &payload, &seq);
    if (st == BZL_OK) {
        memcpy(payload, rec, rec_len);
        st = bzl__journal_seal(t, seq);
    }
    return st;
}

/* mdb_get of key in db; BZL_NOT_FOUND when absent. */
static bzl_status
raw_get(bzl_txn *t, unsigned db, const void *key, size_t key_len, MDB_val *v)
{
    MDB_val k = bzl__mval(key, key_len);
    return bzl__mdb_status(mdb_get(t->txn, t->s->dbi[db], &k, v));
}

/* ---- enterprise ---------------------------------------------------------------------------- */

static size_t
enterprise_encode(const bzl_enterprise *e, uint8_t *buf, size_t cap)
{
    bzl_wr w = {.p = buf, .cap = cap};
    size_t name_len = strlen(e->name);
    size_t area_len = strlen(e->area);
    wr_bytes(&w, e->code, BZL_ENTERPRISE_CODE_LEN);
    wr_bytes(&w, e->uscc, BZL_USCC_LEN);
    wr_u16(&w, (uint16_t)name_len);
    wr_bytes(&w, e->name, name_len);
    wr_u8(&w, (uint8_t)area_len);
    wr_bytes(&w, e->area, area_len);
    return w.len;
}

static bzl_status
enterprise_decode(const MDB_val *k, const MDB_val *v, bzl_enterprise *out)
{
    bzl_enterprise e;
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, e.code, sizeof e.code, BZL_ENTERPRISE_CODE_LEN, false);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    rd_text(&r, e.uscc, sizeof e.uscc, BZL_USCC_LEN, false);
    size_t name_len = rd_u16(&r);
    r.bad |= name_len == 0 || name_len > BZL_NAME_BYTES_MAX;
    rd_text(&r, e.name, sizeof e.name, r.bad ? 0 : name_len, false);
    size_t area_len = rd_u8(&r);
    r.bad |= area_len > BZL_AREA_BYTES_MAX;
    rd_text(&r, e.area, sizeof e.area, r.bad ? 0 : area_len, false);
    if (!rd_done(&kr) || !rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *out = e;
    return BZL_OK;
}

bzl_status
bzl_storage_enterprise_add(bzl_txn *t, const bzl_enterprise *e, const bzl_actor *actor,
                           bzl_fault *fault)
{
    BZL_ASSERT(actor != NULL);
    BZL_ASSERT(bzl_enterprise_check(e, NULL) == BZL_OK);
    uint8_t rec[ENTERPRISE_RECORD_BYTES_MAX];
    size_t len = enterprise_encode(e, rec, sizeof rec);
    bzl_status st =
        record_add(t, DB_ENTERPRISE, JOURNAL_ENTERPRISE, rec, BZL_ENTERPRISE_CODE_LEN, len, actor);
    if (st == BZL_ALREADY_EXISTS) {
        bzl_fault_set(fault, st, 0, "code", "enterprise %s is already registered", e->code);
    }
    return st;
}

bzl_status
bzl_storage_enterprise_get(bzl_txn *t, const char *code, bzl_enterprise *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(code != NULL);
    if (strnlen(code, BZL_ENTERPRISE_CODE_LEN + 1) != BZL_ENTERPRISE_CODE_LEN) {
        return BZL_NOT_FOUND;
    }
    MDB_val k = bzl__mval(code, BZL_ENTERPRISE_CODE_LEN);
    MDB_val v;
    bzl_status st = raw_get(t, DB_ENTERPRISE, k.mv_data, k.mv_size, &v);
    return st != BZL_OK ? st : enterprise_decode(&k, &v, out);
}

bzl_status
bzl_storage_enterprise_list(bzl_txn *t, const char *after, bzl_enterprise *out, size_t cap,
                            size_t *count, bool *more)
{
    BZL_ASSERT(after != NULL);
    BZL_ASSERT(cap > 0);
    BZL_ASSERT(cap <= BZL_LIST_ROWS_MAX);
    /* Every key is exactly code-long, so comparing with `after` cut to that length and
     * skipping an equal key yields exactly the keys after it. */
    bzl__walk w;
    bzl__walk_begin_after(t, DB_ENTERPRISE, after, strnlen(after, BZL_ENTERPRISE_CODE_LEN), 0, &w);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap) {
            further = true;
            break;
        }
        st = enterprise_decode(&w.k, &w.v, &out[n]);
        n++;
    }
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}

/* ---- book ---------------------------------------------------------------------------------- */

static size_t
book_encode(const bzl_book *b, uint8_t *buf, size_t cap)
{
    bzl_wr w = {.p = buf, .cap = cap};
    wr_bytes(&w, b->book_no, BZL_BOOK_NO_LEN);
    wr_bytes(&w, b->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, b->verify_mode);
    wr_u8(&w, b->status);
    wr_u32(&w, b->period_days);
    if (b->usage != 0) {
        wr_u8(&w, b->usage); /* only then: every other book keeps its 16 bytes */
    }
    BZL_ASSERT(w.len == BOOK_RECORD_BYTES + (b->usage != 0 ? 1u : 0u));
    return w.len;
}

static bzl_status
book_decode(const void *key, const MDB_val *v, bzl_book *out)
{
    bzl_book b;
    memcpy(b.book_no, key, BZL_BOOK_NO_LEN);
    b.book_no[BZL_BOOK_NO_LEN] = '\0';
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    rd_text(&r, b.enterprise, sizeof b.enterprise, BZL_ENTERPRISE_CODE_LEN, false);
    b.verify_mode = rd_u8(&r);
    b.status = rd_u8(&r);
    b.period_days = rd_u32(&r);
    b.usage = v->mv_size == BOOK_VALUE_BYTES + 1u ? rd_u8(&r) : 0;
    if (!rd_done(&r) || (v->mv_size > BOOK_VALUE_BYTES && b.usage != 3) ||
        b.verify_mode < BZL_VERIFY_UNIT || b.verify_mode > BZL_VERIFY_CONSUMPTION ||
        b.status < BZL_BOOK_OPEN || b.status > BZL_BOOK_CLOSED) {
        return BZL_CORRUPT;
    }
    *out = b;
    return BZL_OK;
}

bzl_status
bzl_storage_book_add(bzl_txn *t, const bzl_book *b, const bzl_actor *actor, bzl_fault *fault)
{
    BZL_ASSERT(actor != NULL);
    BZL_ASSERT(bzl_book_check(b, NULL) == BZL_OK);
    MDB_val v;
    bzl_status st = raw_get(t, DB_ENTERPRISE, b->enterprise, BZL_ENTERPRISE_CODE_LEN, &v);
    if (st == BZL_NOT_FOUND) {
        return bzl_fault_set(fault, st, 0, "enterprise", "enterprise %s is not registered",
                             b->enterprise);
    }
    if (st != BZL_OK) {
        return st;
    }
    uint8_t rec[BOOK_RECORD_BYTES + 1u];
    size_t len = book_encode(b, rec, sizeof rec);
    st = record_add(t, DB_BOOK, JOURNAL_BOOK, rec, BZL_BOOK_NO_LEN, len, actor);
    if (st == BZL_ALREADY_EXISTS) {
        bzl_fault_set(fault, st, 0, "book", "book %s already exists", b->book_no);
    }
    return st;
}

bzl_status
bzl_storage_book_get(bzl_txn *t, const char *book_no, bzl_book *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(book_no != NULL);
    if (strnlen(book_no, BZL_BOOK_NO_LEN + 1) != BZL_BOOK_NO_LEN) {
        return BZL_NOT_FOUND;
    }
    MDB_val v;
    bzl_status st = raw_get(t, DB_BOOK, book_no, BZL_BOOK_NO_LEN, &v);
    return st != BZL_OK ? st : book_decode(book_no, &v, out);
}

/* ---- item ---------------------------------------------------------------------------------- */

void
bzl__item_key(uint8_t key[ITEM_KEY_BYTES], const char *book_no, uint8_t kind, uint32_t item_no)
{
    bzl_wr w = {.p = key, .cap = ITEM_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_u8(&w, kind);
    wr_be(&w, item_no, 4);
}

void
bzl__history_key(uint8_t key[HISTORY_KEY_BYTES], uint64_t seq, uint8_t kind, uint32_t item_no)
{
    bzl_wr w = {.p = key, .cap = HISTORY_KEY_BYTES};
    wr_be(&w, seq, 8);
    wr_u8(&w, kind);
    wr_be(&w, item_no, 4);
}

static size_t
item_encode(const bzl_item *item, uint8_t *buf, size_t cap)
{
    bzl_wr w = {.p = buf, .cap = cap};
    size_t name_len = strlen(item->name);
    bzl__item_key(wr_take(&w, ITEM_KEY_BYTES), item->book_no, item->kind, item->item_no);
    wr_bytes(&w, item->hs, BZL_HS_LEN);
    wr_bytes(&w, item->unit, BZL_UNIT_LEN);
    wr_u8(&w, item->biz_mode);
    wr_u16(&w, (uint16_t)name_len);
    wr_bytes(&w, item->name, name_len);
    return w.len;
}

static bzl_status
item_decode(const MDB_val *k, const MDB_val *v, bzl_item *out)
{
    bzl_item it;
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, it.book_no, sizeof it.book_no, BZL_BOOK_NO_LEN, false);
    it.kind = rd_u8(&kr);
    it.item_no = (uint32_t)rd_be(&kr, 4);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    rd_text(&r, it.hs, sizeof it.hs, BZL_HS_LEN, false);
    rd_text(&r, it.unit, sizeof it.unit, BZL_UNIT_LEN, false);
    it.biz_mode = rd_u8(&r);
    size_t name_len = rd_u16(&r);
    r.bad |= name_len == 0 || name_len > BZL_NAME_BYTES_MAX;
    rd_text(&r, it.name, sizeof it.name, r.bad ? 0 : name_len, false);
    if (!rd_done(&kr) || !rd_done(&r) ||
        (it.kind != BZL_KIND_MATERIAL && it.kind != BZL_KIND_PRODUCT) || it.item_no == 0 ||
        it.biz_mode > BZL_BIZ_OBM) {
        return BZL_CORRUPT;
    }
    *out = it;
    return BZL_OK;
}

bzl_status
bzl_storage_item_add(bzl_txn *t, const bzl_item *item, const bzl_actor *actor, bzl_fault *fault)
{
    BZL_ASSERT(actor != NULL);
    BZL_ASSERT(bzl_item_check(item, NULL) == BZL_OK);
    MDB_val v;
    bzl_status st = raw_get(t, DB_BOOK, item->book_no, BZL_BOOK_NO_LEN, &v);
    if (st == BZL_NOT_FOUND) {
        return bzl_fault_missing(fault, "book", "book", item->book_no);
    }
    if (st != BZL_OK) {
        return st;
    }
    uint8_t rec[ITEM_RECORD_BYTES_MAX];
    size_t len = item_encode(item, rec, sizeof rec);
    st = record_add(t, DB_ITEM, JOURNAL_ITEM, rec, ITEM_KEY_BYTES, len, actor);
    if (st == BZL_ALREADY_EXISTS) {
        bzl_fault_set(fault, st, 0, "item", "item %u is already in book %s as a %s",
                      (unsigned)item->item_no, item->book_no, bzl_kind_name((bzl_kind)item->kind));
    }
    return st;
}

/* Builds the item key from caller input; false when no stored key can match it. */
static bool
item_key_of(uint8_t key[ITEM_KEY_BYTES], const char *book_no, unsigned kind, uint32_t item_no)
{
    BZL_ASSERT(book_no != NULL);
    if (strnlen(book_no, BZL_BOOK_NO_LEN + 1) != BZL_BOOK_NO_LEN || kind > UINT8_MAX) {
        return false;
    }
    bzl__item_key(key, book_no, (uint8_t)kind, item_no);
    return true;
}

bzl_status
bzl_storage_item_get(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
                     bzl_item *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    uint8_t key[ITEM_KEY_BYTES];
    if (!item_key_of(key, book_no, (unsigned)kind, item_no)) {
        return BZL_NOT_FOUND;
    }
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    bzl_status st = raw_get(t, DB_ITEM, key, sizeof key, &v);
    return st != BZL_OK ? st : item_decode(&k, &v, out);
}

bzl_status
bzl_storage_item_list(bzl_txn *t, const char *book_no, uint8_t kind, uint8_t after_kind,
                      uint32_t after_item, bzl_item *out, size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL);
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t start[ITEM_KEY_BYTES];
    uint8_t from_kind = after_kind > kind ? after_kind : kind;
    bool after = after_kind != 0 && after_kind == from_kind;
    bzl__item_key(start, book_no, from_kind == 0 ? BZL_KIND_MATERIAL : from_kind,
                  after ? after_item : 0);
    size_t n = 0;
    bool further = false;
    bzl__walk w;
    if (after) {
        bzl__walk_begin_after(t, DB_ITEM, start, sizeof start, BZL_BOOK_NO_LEN, &w);
    } else {
        bzl__walk_begin(t, DB_ITEM, start, sizeof start, BZL_BOOK_NO_LEN, &w);
    }
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        uint8_t k = ((const uint8_t *)w.k.mv_data)[BZL_BOOK_NO_LEN];
        if (kind != 0 && k != kind) {
            break; /* keys run by kind: past the one asked for */
        }
        if (n == cap) {
            further = true;
            break;
        }
        st = item_decode(&w.k, &w.v, &out[n]);
        n += st == BZL_OK;
    }
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}

/* ---- balances ------------------------------------------------------------------------------ */

bzl_status
bzl__balance_row_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], bzl_balance *out,
                      uint64_t *history_head)
{
    MDB_val v;
    bzl_status st = raw_get(t, DB_BALANCE, key, ITEM_KEY_BYTES, &v);
    if (st == BZL_NOT_FOUND) {
        memset(out, 0, sizeof *out);
        *history_head = 0;
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    bzl_balance b;
    b.qty_e5 = rd_i64(&r);
    b.value_e5 = rd_i64(&r);
    b.pending_in_e5 = rd_i64(&r);
    b.pending_out_e5 = rd_i64(&r);
    uint64_t head = rd_u64(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *out = b;
    *history_head = head;
    return BZL_OK;
}

bzl_status
bzl__balance_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], bzl_balance *out)
{
    uint64_t head = 0;
    return bzl__balance_row_read(t, key, out, &head);
}

bzl_status
bzl__balance_write(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], const bzl_balance *bal,
                   uint64_t history_head)
{
    BZL_ASSERT(t->write);
    uint8_t buf[BALANCE_VALUE_BYTES];
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_i64(&w, bal->qty_e5);
    wr_i64(&w, bal->value_e5);
    wr_i64(&w, bal->pending_in_e5);
    wr_i64(&w, bal->pending_out_e5);
    wr_u64(&w, history_head);
    BZL_ASSERT(w.len == BALANCE_VALUE_BYTES);
    MDB_val k = bzl__mval(key, ITEM_KEY_BYTES);
    MDB_val v = bzl__mval(buf, sizeof buf);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_BALANCE], &k, &v, 0));
}

bzl_status
bzl_storage_balance_get(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
                        bzl_balance *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    uint8_t key[ITEM_KEY_BYTES];
    if (!item_key_of(key, book_no, (unsigned)kind, item_no)) {
        return BZL_NOT_FOUND;
    }
    MDB_val v;
    bzl_status st = raw_get(t, DB_ITEM, key, sizeof key, &v);
    return st != BZL_OK ? st : bzl__balance_read(t, key, out);
}

/* One row of balance_list from an item key: false when the key is past the listed range. */
static bool
balance_row_in_range(const MDB_val *k, const char *book_no, uint8_t kind)
{
    const uint8_t *key = k->mv_data;
    return memcmp(key, book_no, BZL_BOOK_NO_LEN) == 0 &&
           (kind == 0 || key[BZL_BOOK_NO_LEN] == kind);
}

bzl_status
bzl_storage_balance_list(bzl_txn *t, const char *book_no, uint8_t kind, uint8_t after_kind,
                         uint32_t after_item, bzl_balance_row *out, size_t cap, size_t *count,
                         bool *more)
{
    BZL_ASSERT(cap > 0);
    BZL_ASSERT(cap <= BZL_LIST_ROWS_MAX);
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st != BZL_OK) {
        return st;
    }
    bool skip_equal = true;
    if (kind != 0 && after_kind < kind) {
        after_kind = kind;
        after_item = 0;
        skip_equal = false;
    }
    uint8_t start[ITEM_KEY_BYTES];
    bzl__item_key(start, book_no, after_kind, after_item);
    /* The range is checked in the loop, not as a walk prefix: the start key's kind may lie past
     * `kind`, and a malformed key is reported before its range is looked at. */
    bzl__walk w;
    if (skip_equal) {
        bzl__walk_begin_after(t, DB_ITEM, start, sizeof start, 0, &w);
    } else {
        bzl__walk_begin(t, DB_ITEM, start, sizeof start, 0, &w);
    }
    size_t n = 0;
    bool further = false;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        if (!balance_row_in_range(&w.k, book_no, kind)) {
            break;
        }
        if (n == cap) {
            further = true;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN};
        out[n].kind = rd_u8(&kr);
        out[n].item_no = (uint32_t)rd_be(&kr, 4);
        st = bzl__balance_read(t, w.k.mv_data, &out[n].balance);
        n++;
    }
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}

bzl_status
bzl__enterprise_decode(const MDB_val *k, const MDB_val *v, bzl_enterprise *out)
{
    return enterprise_decode(k, v, out);
}

bzl_status
bzl__item_decode(const MDB_val *k, const MDB_val *v, bzl_item *out)
{
    return item_decode(k, v, out);
}
