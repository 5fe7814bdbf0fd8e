/* storage_submit.c — applying one declaration: idempotency, balances and the journal entry.
 *
 * The declaration's journal payload (table at the top of storage.c) is canonical: the same
 * bzl_declaration fields always encode to the same bytes, so a retry is recognised by comparing
 * its encoding with the stored payload, and anything else under the same id is ID_REUSED.
 */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* Payload bytes outside the id, the related id and the lines. */
#define DECL_FIXED_BYTES                                                                           \
    (1u + BZL_ENTERPRISE_CODE_LEN + BZL_BOOK_NO_LEN + 1u + 1u + BZL_TRADE_MODE_LEN + 4u + 1u +     \
     BZL_BOOK_NO_LEN + 1u + 4u)
#define DECL_LINE_BYTES                                                                            \
    (4u + 8u + 8u + 1u + 8u + 1u + BZL_UNIT_LEN + BZL_CURRENCY_LEN + BZL_COUNTRY_LEN +             \
     BZL_BOM_VERSION_BYTES_MAX)

static_assert(DECL_FIXED_BYTES == 51u, "declaration header layout as documented");
static_assert(DECL_LINE_BYTES == 47u, "declaration line layout as documented");
static_assert(BZL_DECL_ID_BYTES_MAX <= UINT8_MAX, "id length fits its u8");
static_assert(DECL_FIXED_BYTES + 2u * BZL_DECL_ID_BYTES_MAX +
                      (uint64_t)BZL_DECL_LINES_CEILING * DECL_LINE_BYTES <=
                  UINT32_MAX - JOURNAL_HEADER_BYTES,
              "the largest declaration fits the journal's u32 payload length");

static size_t
decl_encoded_size(const bzl_declaration *d)
{
    return DECL_FIXED_BYTES + strnlen(d->id, sizeof d->id) +
           strnlen(d->related_id, sizeof d->related_id) + (size_t)d->line_count * DECL_LINE_BYTES;
}

static void
decl_line_encode(bzl_wr *w, const bzl_decl_line *l)
{
    wr_u32(w, l->item_no);
    wr_i64(w, l->qty_e5);
    wr_i64(w, l->value_e5);
    wr_u8(w, l->has_usd ? 1 : 0);
    wr_i64(w, l->has_usd ? l->usd_e5 : 0);
    wr_u8(w, l->biz_mode);
    wr_fixed(w, l->unit, BZL_UNIT_LEN);
    wr_fixed(w, l->currency, BZL_CURRENCY_LEN);
    wr_fixed(w, l->country, BZL_COUNTRY_LEN);
    wr_fixed(w, l->bom_version, BZL_BOM_VERSION_BYTES_MAX);
}

/* Writes exactly decl_encoded_size(d) bytes into buf. */
static void
decl_encode(const bzl_declaration *d, uint8_t *buf, size_t cap)
{
    bzl_wr w = {.p = buf, .cap = cap};
    size_t id_len = strnlen(d->id, sizeof d->id);
    size_t related_len = strnlen(d->related_id, sizeof d->related_id);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, d->id, id_len);
    wr_fixed(&w, d->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_fixed(&w, d->book_no, BZL_BOOK_NO_LEN);
    wr_u8(&w, d->kind);
    wr_u8(&w, d->direction);
    wr_fixed(&w, d->trade_mode, BZL_TRADE_MODE_LEN);
    wr_i32(&w, d->date);
    wr_u8(&w, d->pending ? 1 : 0);
    wr_fixed(&w, d->related_book, BZL_BOOK_NO_LEN);
    wr_u8(&w, (uint8_t)related_len);
    wr_bytes(&w, d->related_id, related_len);
    wr_u32(&w, d->line_count);
    for (uint32_t i = 0; i < d->line_count; i++) {
        decl_line_encode(&w, &d->lines[i]);
    }
    BZL_ASSERT(w.len == cap);
}

/* enterprise | id, the idempotency key; returns its length. */
static size_t
idem_key(uint8_t key[IDEM_KEY_BYTES_MAX], const bzl_declaration *d)
{
    bzl_wr w = {.p = key, .cap = IDEM_KEY_BYTES_MAX};
    size_t id_len = strnlen(d->id, sizeof d->id);
    wr_fixed(&w, d->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_bytes(&w, d->id, id_len);
    return w.len;
}

/* The payload of journal entry seq, which must be a declaration: a borrowed view valid until
 * the next write in t. A missing or malformed entry is BZL_CORRUPT, because the idempotency
 * record that named it says it exists. */
static bzl_status
journal_declaration_peek(bzl_txn *t, uint64_t seq, const uint8_t **payload, size_t *len)
{
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, seq, 8);
    MDB_val k = {.mv_size = sizeof key, .mv_data = key};
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_JOURNAL], &k, &v);
    if (rc != MDB_SUCCESS) {
        return rc == MDB_NOTFOUND ? BZL_CORRUPT : bzl__mdb_status(rc);
    }
    if (v.mv_size < JOURNAL_HEADER_BYTES) {
        return BZL_CORRUPT;
    }
    /* The type opens the header and payload_len closes it; the actor in between is not
     * needed to compare content. */
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    uint8_t type = rd_u8(&r);
    r.off = JOURNAL_HEADER_BYTES - 4u;
    uint32_t payload_len = rd_u32(&r);
    if (r.bad || type != JOURNAL_DECLARATION || payload_len != v.mv_size - JOURNAL_HEADER_BYTES) {
        return BZL_CORRUPT;
    }
    *payload = (const uint8_t *)v.mv_data + JOURNAL_HEADER_BYTES;
    *len = payload_len;
    return BZL_OK;
}

/* d's id is taken: the same content is a replay of journal entry seq, other content is
 * refused with BZL_ID_REUSED. Writes nothing. */
static bzl_status
replay_check(bzl_txn *batch, const bzl_declaration *d, const MDB_val *idem,
             bzl_submit_result *result)
{
    bzl_rd r = {.p = idem->mv_data, .len = idem->mv_size};
    uint64_t seq = rd_u64(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    const uint8_t *stored = NULL;
    size_t stored_len = 0;
    bzl_status st = journal_declaration_peek(batch, seq, &stored, &stored_len);
    if (st != BZL_OK) {
        return st;
    }
    size_t len = decl_encoded_size(d);
    bool same = false;
    if (len == stored_len) {
        uint8_t *mine = malloc(len);
        if (mine == NULL) {
            return BZL_NO_MEMORY;
        }
        decl_encode(d, mine, len);
        same = memcmp(mine, stored, len) == 0;
        free(mine);
    }
    if (!same) {
        result->status = bzl_fault_set(
            &result->fault, BZL_ID_REUSED, 0, "id",
            "declaration id %s was already used for other content at sequence %" PRIu64, d->id,
            seq);
        return BZL_OK;
    }
    result->replayed = true;
    result->seq = seq;
    return BZL_OK;
}

/* Moves every line's balance in t. A refusal lands in result->status with BZL_OK returned;
 * only storage failures are returned. */
static bzl_status
apply_lines(bzl_txn *t, const bzl_declaration *d, bzl_submit_result *result)
{
    BZL_ASSERT(d->line_count <= BZL_DECL_LINES_CEILING);
    for (uint32_t i = 0; i < d->line_count; i++) {
        const bzl_decl_line *l = &d->lines[i];
        bzl_item item;
        bzl_status st = bzl_storage_item_get(t, d->book_no, (bzl_kind)d->kind, l->item_no, &item);
        if (st == BZL_NOT_FOUND) {
            result->status =
                bzl_fault_set(&result->fault, st, i + 1, "item",
                              "line %u: item %u is not in book %s as a %s", (unsigned)(i + 1),
                              (unsigned)l->item_no, d->book_no, bzl_kind_name((bzl_kind)d->kind));
            result->fault.item_no = l->item_no;
            return BZL_OK;
        }
        uint8_t key[ITEM_KEY_BYTES];
        bzl_balance bal;
        bzl__item_key(key, d->book_no, d->kind, l->item_no);
        if (st == BZL_OK) {
            st = bzl__balance_read(t, key, &bal);
        }
        if (st != BZL_OK) {
            return st;
        }
        result->status = bzl_ledger_apply_line(d, i, &item, &bal, &result->fault);
        if (result->status != BZL_OK) {
            return BZL_OK;
        }
        st = bzl__balance_write(t, key, &bal);
        if (st != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}

/* Journals d and records its idempotency key, in t. */
static bzl_status
record_accepted(bzl_txn *t, const bzl_declaration *d, const bzl_actor *actor, uint64_t *seq)
{
    size_t len = decl_encoded_size(d);
    uint8_t *payload = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_DECLARATION, actor, len, &payload, seq);
    if (st != BZL_OK) {
        return st;
    }
    decl_encode(d, payload, len);
    st = bzl__journal_seal(t, *seq);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[IDEM_KEY_BYTES_MAX];
    uint8_t value[8];
    bzl_wr w = {.p = value, .cap = sizeof value};
    wr_u64(&w, *seq);
    MDB_val k = {.mv_size = idem_key(key, d), .mv_data = key};
    MDB_val v = {.mv_size = sizeof value, .mv_data = value};
    int rc = mdb_put(t->txn, t->s->dbi[DB_IDEM], &k, &v, MDB_NOOVERWRITE);
    /* The caller looked the key up in this transaction: finding it now is a broken invariant
     * of the store, not a client error. */
    return rc == MDB_KEYEXIST ? BZL_INTERNAL : bzl__mdb_status(rc);
}

/* Applies a declaration whose id is new, in a transaction nested in batch. */
static bzl_status
apply_new(bzl_txn *batch, const bzl_declaration *d, const bzl_actor *actor,
          bzl_submit_result *result)
{
    bzl_txn *child = NULL;
    bzl_book book;
    uint64_t seq = 0;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st != BZL_OK) {
        goto fail;
    }
    st = bzl_storage_book_get(child, d->book_no, &book);
    if (st == BZL_NOT_FOUND) {
        result->status =
            bzl_fault_set(&result->fault, st, 0, "book", "book %s does not exist", d->book_no);
        st = BZL_OK;
        goto fail;
    }
    if (st != BZL_OK) {
        goto fail;
    }
    result->status = bzl_decl_check_book(d, &book, &result->fault);
    if (result->status != BZL_OK) {
        goto fail;
    }
    st = apply_lines(child, d, result);
    if (st != BZL_OK || result->status != BZL_OK) {
        goto fail;
    }
    st = record_accepted(child, d, actor, &seq);
    if (st != BZL_OK) {
        goto fail;
    }
    st = bzl_txn_commit(child);
    child = NULL;
    if (st != BZL_OK) {
        goto fail;
    }
    result->seq = seq;
    return BZL_OK;
fail:
    /* A refusal (st is BZL_OK, result->status says why) or a storage failure (st). */
    bzl_txn_abort(child);
    return st;
}

bzl_status
bzl_storage_submit(bzl_txn *batch, const bzl_declaration *d, const bzl_actor *actor,
                   bzl_submit_result *result)
{
    BZL_ASSERT(batch != NULL);
    BZL_ASSERT(batch->write);
    BZL_ASSERT(actor != NULL);
    BZL_ASSERT(result != NULL);
    /* The caller ran bzl_decl_check_fields; repeating it here would double the hot path. */
    BZL_ASSERT(d->line_count >= 1);
    BZL_ASSERT(d->line_count <= BZL_DECL_LINES_CEILING);
    memset(result, 0, sizeof *result);
    result->status = BZL_OK;
    uint8_t key[IDEM_KEY_BYTES_MAX];
    MDB_val k = {.mv_size = idem_key(key, d), .mv_data = key};
    MDB_val v;
    int rc = mdb_get(batch->txn, batch->s->dbi[DB_IDEM], &k, &v);
    if (rc == MDB_SUCCESS) {
        return replay_check(batch, d, &v, result);
    }
    if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    return apply_new(batch, d, actor, result);
}
