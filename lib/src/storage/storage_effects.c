/* storage_effects.c — effects in the journal and in the derived tables: balances, scrap
 * allowances, period totals, history rows; declaration state records. Byte layouts are in the
 * tables in format.h. */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <stdlib.h>

/* ---- journal entries ---------------------------------------------------------------------- */

bzl_status
bzl__journal_get(bzl_txn *t, uint64_t seq, bzl__entry *out)
{
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    t->journal_reads++;
    int rc = mdb_get(t->txn, t->s->dbi[DB_JOURNAL], &k, &v);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    return bzl__entry_decode(&v, out);
}

bzl_status
bzl__entry_decode(const MDB_val *value, bzl__entry *out)
{
    const MDB_val v = *value;
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    out->type = rd_u8(&r);
    out->actor.time_ms = rd_i64(&r);
    out->actor.uid = rd_u32(&r);
    out->actor.gid = rd_u32(&r);
    out->actor.pid = rd_i32(&r);
    out->actor.role = rd_u8(&r);
    out->actor.request_id = rd_u64(&r);
    r.off += JOURNAL_HASH_BYTES; /* the chain is storage_audit.c's business */
    uint32_t payload_len = rd_u32(&r);
    if (r.bad || payload_len != v.mv_size - JOURNAL_HEADER_BYTES) {
        return BZL_CORRUPT;
    }
    out->payload = (const uint8_t *)v.mv_data + JOURNAL_HEADER_BYTES;
    out->payload_len = payload_len;
    return BZL_OK;
}

/* ---- declaration state -------------------------------------------------------------------- */

size_t
bzl__idem_key(uint8_t key[IDEM_KEY_BYTES_MAX], const char *enterprise, const char *id)
{
    bzl_wr w = {.p = key, .cap = IDEM_KEY_BYTES_MAX};
    size_t id_len = strnlen(id, BZL_DECL_ID_BYTES_MAX);
    wr_fixed(&w, enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_bytes(&w, id, id_len);
    return w.len;
}

bzl_status
bzl__decl_state_get(bzl_txn *t, const char *enterprise, const char *id, bzl__decl_state *out)
{
    uint8_t key[IDEM_KEY_BYTES_MAX];
    MDB_val k = bzl__mval(key, bzl__idem_key(key, enterprise, id));
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_IDEM], &k, &v);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    bzl__decl_state s;
    s.seq = rd_u64(&r);
    s.state = rd_u8(&r);
    s.posted_seq = rd_u64(&r);
    s.closed_seq = rd_u64(&r);
    if (!rd_done(&r) || s.seq == 0 || s.state < BZL_DECL_POSTED || s.state > BZL_DECL_DRAFT) {
        return BZL_CORRUPT;
    }
    *out = s;
    return BZL_OK;
}

bzl_status
bzl__decl_state_put(bzl_txn *t, const char *enterprise, const char *id, const bzl__decl_state *s)
{
    BZL_ASSERT(s->seq != 0);
    BZL_ASSERT(s->state >= BZL_DECL_POSTED && s->state <= BZL_DECL_DRAFT);
    uint8_t key[IDEM_KEY_BYTES_MAX];
    uint8_t value[DECL_STATE_BYTES];
    bzl_wr w = {.p = value, .cap = sizeof value};
    wr_u64(&w, s->seq);
    wr_u8(&w, s->state);
    wr_u64(&w, s->posted_seq);
    wr_u64(&w, s->closed_seq);
    MDB_val k = bzl__mval(key, bzl__idem_key(key, enterprise, id));
    MDB_val v = bzl__mval(value, sizeof value);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_IDEM], &k, &v, 0));
}

/* ---- effects codec ------------------------------------------------------------------------ */

size_t
bzl__effects_size(uint32_t count)
{
    return EFFECTS_HEADER_BYTES + (size_t)count * EFFECT_BYTES;
}

void
bzl__effects_encode(bzl_wr *w, const char *book_no, uint32_t month, const bzl_effect_list *list)
{
    wr_fixed(w, book_no, BZL_BOOK_NO_LEN);
    wr_u32(w, month);
    wr_u32(w, list->count);
    for (uint32_t i = 0; i < list->count; i++) {
        const bzl_effect *e = &list->items[i];
        BZL_ASSERT((e->flags & BZL_EFFECT_AVG_VALUE) == 0 || e->pending_out_e5 == 0);
        wr_u8(w, e->kind);
        wr_u32(w, e->item_no);
        wr_u8(w, e->category);
        wr_u8(w, e->flags);
        wr_i64(w, e->qty_e5);
        wr_i64(w, e->value_e5);
        wr_i64(w, e->pending_in_e5);
        wr_i64(w, e->pending_out_e5);
        wr_i64(w, e->scrap_gen_e5);
        wr_i64(w, e->scrap_used_e5);
        wr_i64(w, e->total_e5);
        wr_i64(w, e->total_value_e5);
    }
}

void
bzl__effects_header(bzl_rd *r, char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *month, uint32_t *count)
{
    rd_text(r, book_no, BZL_BOOK_NO_LEN + 1, BZL_BOOK_NO_LEN, false);
    *month = rd_u32(r);
    *count = rd_u32(r);
    /* A count the remaining bytes cannot hold is damage, not a reason to loop for long. */
    if (!r->bad && (size_t)*count * EFFECT_BYTES > r->len - r->off) {
        r->bad = true;
        *count = 0;
    }
}

void
bzl__effect_read(bzl_rd *r, bzl_effect *e)
{
    memset(e, 0, sizeof *e);
    e->kind = rd_u8(r);
    e->item_no = rd_u32(r);
    e->category = rd_u8(r);
    e->flags = rd_u8(r);
    e->qty_e5 = rd_i64(r);
    e->value_e5 = rd_i64(r);
    e->pending_in_e5 = rd_i64(r);
    e->pending_out_e5 = rd_i64(r);
    e->scrap_gen_e5 = rd_i64(r);
    e->scrap_used_e5 = rd_i64(r);
    e->total_e5 = rd_i64(r);
    e->total_value_e5 = rd_i64(r);
    if (e->kind != BZL_KIND_MATERIAL && e->kind != BZL_KIND_PRODUCT) {
        r->bad = true;
    }
}

/* ---- derived tables ----------------------------------------------------------------------- */

bzl_status
bzl__scrap_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], bzl_scrap *out)
{
    MDB_val k = bzl__mval(key, ITEM_KEY_BYTES);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_SCRAP], &k, &v);
    if (rc == MDB_NOTFOUND) {
        memset(out, 0, sizeof *out);
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

static bzl_status
scrap_write(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES], const bzl_scrap *s)
{
    uint8_t buf[SCRAP_VALUE_BYTES];
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_i64(&w, s->generated_e5);
    wr_i64(&w, s->used_e5);
    MDB_val k = bzl__mval(key, ITEM_KEY_BYTES);
    MDB_val v = bzl__mval(buf, sizeof buf);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_SCRAP], &k, &v, 0));
}

static void
total_key(uint8_t key[TOTAL_KEY_BYTES], const char *book_no, uint8_t kind, uint32_t item_no,
          uint32_t month, uint8_t category)
{
    bzl_wr w = {.p = key, .cap = TOTAL_KEY_BYTES};
    bzl__item_key(wr_take(&w, ITEM_KEY_BYTES), book_no, kind, item_no);
    wr_be(&w, month, 4);
    wr_u8(&w, category);
}

bzl_status
bzl_storage_total_get(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
                      uint32_t month, unsigned category, int64_t *qty_e5, int64_t *value_e5)
{
    BZL_ASSERT(category <= UINT8_MAX);
    uint8_t key[TOTAL_KEY_BYTES];
    total_key(key, book_no, (uint8_t)kind, item_no, month, (uint8_t)category);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_TOTAL], &k, &v);
    if (rc == MDB_NOTFOUND) {
        *qty_e5 = 0;
        *value_e5 = 0;
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    int64_t q = rd_i64(&r);
    int64_t val = rd_i64(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *qty_e5 = q;
    *value_e5 = val;
    return BZL_OK;
}

static bzl_status
total_write(bzl_txn *t, const char *book_no, uint32_t month, const bzl_effect *e, uint8_t category,
            int64_t q, int64_t v)
{
    uint8_t key[TOTAL_KEY_BYTES];
    uint8_t buf[16];
    total_key(key, book_no, e->kind, e->item_no, month, category);
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_i64(&w, q);
    wr_i64(&w, v);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val val = bzl__mval(buf, sizeof buf);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_TOTAL], &k, &val, 0));
}

bzl_status
bzl__total_add(bzl_txn *t, const char *book_no, const bzl_effect *e, uint32_t month,
               uint8_t category, int64_t qty_e5)
{
    BZL_ASSERT(t->write);
    int64_t q = 0;
    int64_t v = 0;
    bzl_status st =
        bzl_storage_total_get(t, book_no, (bzl_kind)e->kind, e->item_no, month, category, &q, &v);
    st = st == BZL_OK ? bzl_dec_add(q, qty_e5, &q) : st;
    return st == BZL_OK ? total_write(t, book_no, month, e, category, q, v) : st;
}

static bool
moves_quantity(const bzl_effect *e)
{
    return e->qty_e5 != 0 || e->pending_in_e5 != 0 || e->pending_out_e5 != 0;
}

/* True for consumption that generates (or gives back) tangible-loss allowance: its period
 * total in BZL_CATEGORY_TANGIBLE_LOSS moves with it, by exactly the allowance. Derived here
 * rather than carried as an effect of its own, so entries journaled before schema 4, whose
 * consumption effects carry the allowance the same way, total it alike when a pending one is
 * posted or one is reversed. */
static bool
generates_loss(const bzl_effect *e)
{
    return e->category == BZL_CATEGORY_CONSUMPTION && e->scrap_gen_e5 != 0;
}

/* The history row of effect e in the entry `note` describes, linked to the item's previous row. */
static bzl_status
history_write(bzl_txn *t, const bzl__history_note *note, const bzl_effect *e, uint64_t prev)
{
    if (prev >= note->seq) {
        return BZL_INTERNAL; /* the chain runs newest to oldest */
    }
    size_t id_len = strnlen(note->id, BZL_DECL_ID_BYTES_MAX);
    uint8_t key[HISTORY_KEY_BYTES];
    uint8_t buf[HISTORY_VALUE_BYTES_MAX];
    bzl__history_key(key, note->seq, e->kind, e->item_no);
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_u64(&w, prev);
    wr_u8(&w, note->type);
    wr_u8(&w, note->flow);
    wr_i32(&w, note->date);
    wr_i64(&w, e->qty_e5);
    wr_i64(&w, e->pending_in_e5);
    wr_i64(&w, e->pending_out_e5);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, note->id, id_len);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(buf, w.len);
    int rc = mdb_put(t->txn, t->s->dbi[DB_HISTORY], &k, &v, MDB_NOOVERWRITE);
    return rc == MDB_KEYEXIST ? BZL_INTERNAL : bzl__mdb_status(rc);
}

/* The rows effect e meets: its balance (with the history head), allowance and period total. */
static bzl_status
rows_read(bzl_txn *t, const char *book_no, uint32_t month, const bzl_effect *e,
          bzl__effect_rows *rows)
{
    uint8_t key[ITEM_KEY_BYTES];
    bzl__item_key(key, book_no, e->kind, e->item_no);
    bzl_status st = bzl__balance_row_read(t, key, &rows->bal, &rows->history_head);
    /* An effect that moves no allowance neither checks nor writes it (bzl_effect_apply). */
    memset(&rows->scrap, 0, sizeof rows->scrap);
    if (st == BZL_OK && (e->scrap_gen_e5 != 0 || e->scrap_used_e5 != 0)) {
        st = bzl__scrap_read(t, key, &rows->scrap);
    }
    rows->total_qty_e5 = 0;
    rows->total_value_e5 = 0;
    if (st == BZL_OK && (e->total_e5 != 0 || e->total_value_e5 != 0)) {
        st = bzl_storage_total_get(t, book_no, (bzl_kind)e->kind, e->item_no, month, e->category,
                                   &rows->total_qty_e5, &rows->total_value_e5);
    }
    rows->tangible_e5 = 0;
    if (st == BZL_OK && generates_loss(e)) {
        int64_t unused = 0;
        st = bzl_storage_total_get(t, book_no, (bzl_kind)e->kind, e->item_no, month,
                                   BZL_CATEGORY_TANGIBLE_LOSS, &rows->tangible_e5, &unused);
    }
    return st;
}

/* What applying e to rows would refuse, and the rows it would leave (e resolved in place).
 * Pure: both the check and the write run it. */
static bzl_status
effect_decide(bzl_effect *e, bzl__effect_rows *rows, bool scrap_bounded, bzl_fault *fault)
{
    bzl_status refusal = bzl_effect_apply(e, &rows->bal, &rows->scrap, scrap_bounded, fault);
    if (refusal != BZL_OK) {
        return refusal;
    }
    if (bzl_dec_add(rows->total_qty_e5, e->total_e5, &rows->total_qty_e5) != BZL_OK ||
        bzl_dec_add(rows->total_value_e5, e->total_value_e5, &rows->total_value_e5) != BZL_OK ||
        (generates_loss(e) &&
         bzl_dec_add(rows->tangible_e5, e->scrap_gen_e5, &rows->tangible_e5) != BZL_OK)) {
        return bzl_fault_set(fault, BZL_OVERFLOW, e->line, "qty",
                             "a period total of item %u would leave the representable range",
                             (unsigned)e->item_no);
    }
    return BZL_OK;
}

/* Applies one effect to its balance, allowance and period total, and appends its history row.
 * seen: the rows as bzl__effects_check read them, or NULL to read them here. */
static bzl_status
effect_store(bzl_txn *t, const char *book_no, uint32_t month, bool scrap_bounded, bzl_effect *e,
             const bzl__effect_rows *seen, const bzl__history_note *note, bzl_status *refusal,
             bzl_fault *fault)
{
    bzl__effect_rows rows;
    bzl_status st = BZL_OK;
    if (seen != NULL) {
        rows = *seen;
    } else {
        st = rows_read(t, book_no, month, e, &rows);
    }
    if (st != BZL_OK) {
        return st;
    }
    uint64_t prev = rows.history_head;
    *refusal = effect_decide(e, &rows, scrap_bounded, fault);
    if (*refusal != BZL_OK) {
        return BZL_OK;
    }
    uint8_t key[ITEM_KEY_BYTES];
    bzl__item_key(key, book_no, e->kind, e->item_no);
    if (moves_quantity(e)) {
        st = history_write(t, note, e, prev);
        rows.history_head = note->seq;
    }
    if (st == BZL_OK && (moves_quantity(e) || e->value_e5 != 0)) {
        st = bzl__balance_write(t, key, &rows.bal, rows.history_head);
    }
    if (st == BZL_OK && (e->scrap_gen_e5 != 0 || e->scrap_used_e5 != 0)) {
        st = scrap_write(t, key, &rows.scrap);
    }
    if (st == BZL_OK && (e->total_e5 != 0 || e->total_value_e5 != 0)) {
        st = total_write(t, book_no, month, e, e->category, rows.total_qty_e5, rows.total_value_e5);
    }
    if (st == BZL_OK && generates_loss(e)) {
        st = total_write(t, book_no, month, e, BZL_CATEGORY_TANGIBLE_LOSS, rows.tangible_e5, 0);
    }
    if (st == BZL_OK && e->qty_e5 != 0) {
        /* The enterprise's lots follow the posted quantity (storage_lots.c). */
        st = bzl__lots_move(t, book_no, e, note);
    }
    return st;
}

bzl_status
bzl__effects_check(bzl_txn *t, const char *book_no, uint32_t month, bool scrap_bounded,
                   const bzl_effect_list *list, bzl__effect_rows *seen, bzl_status *refusal,
                   bzl_fault *fault)
{
    BZL_ASSERT(list->count <= list->cap);
    *refusal = BZL_OK;
    for (uint32_t i = 0; i < list->count; i++) {
        /* A list holds at most one effect per (item, category), and of one item's effects only
         * the consumption one writes its balance, allowance and tangible-loss total, and each
         * writes its own category's total; so no two effects of one list change the same row
         * and each is checked against the rows as stored. */
        bzl__effect_rows rows;
        bzl_status st = rows_read(t, book_no, month, &list->items[i], &rows);
        if (st != BZL_OK) {
            return st;
        }
        if (seen != NULL) {
            seen[i] = rows;
        }
        bzl_effect copy = list->items[i]; /* resolved in place; the write resolves it again */
        *refusal = effect_decide(&copy, &rows, scrap_bounded, fault);
        if (*refusal != BZL_OK) {
            return BZL_OK;
        }
    }
    return BZL_OK;
}

bzl_status
bzl__effects_apply(bzl_txn *t, const char *book_no, uint32_t month, bool scrap_bounded,
                   bzl_effect_list *list, const bzl__effect_rows *seen,
                   const bzl__history_note *note, bzl_status *refusal, bzl_fault *fault)
{
    BZL_ASSERT(t->write);
    BZL_ASSERT(list->count <= list->cap);
    *refusal = BZL_OK;
    for (uint32_t i = 0; i < list->count; i++) {
        bzl_status st = effect_store(t, book_no, month, scrap_bounded, &list->items[i],
                                     seen != NULL ? &seen[i] : NULL, note, refusal, fault);
        if (st != BZL_OK || *refusal != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}

bzl_status
bzl__period_closed_through(bzl_txn *t, const char *book_no, int32_t *out)
{
    MDB_val k = bzl__mval(book_no, BZL_BOOK_NO_LEN);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_PERIOD], &k, &v);
    if (rc == MDB_NOTFOUND) {
        *out = INT32_MIN;
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    int32_t through = rd_i32(&r);
    (void)rd_u64(&r); /* the closing entry's sequence */
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *out = through;
    return BZL_OK;
}
