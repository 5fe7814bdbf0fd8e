/* storage_history.c — reading the ledger back: an item's history with running balances, one
 * declaration with its state and journal entries, and transfers whose halves do not match. */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

bzl_status
bzl__history_step(bzl_txn *t, uint64_t seq, uint8_t kind, uint32_t item_no, bzl_history_row *row,
                  uint64_t *prev)
{
    uint8_t key[HISTORY_KEY_BYTES];
    bzl__history_key(key, seq, kind, item_no);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_HISTORY], &k, &v);
    if (rc != MDB_SUCCESS) {
        return rc == MDB_NOTFOUND ? BZL_CORRUPT : bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    memset(row, 0, sizeof *row);
    row->seq = seq;
    *prev = rd_u64(&r);
    row->entry_type = rd_u8(&r);
    row->flow = rd_u8(&r);
    row->date = rd_i32(&r);
    row->qty_e5 = rd_i64(&r);
    row->pending_in_e5 = rd_i64(&r);
    row->pending_out_e5 = rd_i64(&r);
    size_t id_len = rd_u8(&r);
    r.bad |= id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, row->id, sizeof row->id, r.bad ? 0 : id_len, false);
    return rd_done(&r) && *prev < seq ? BZL_OK : BZL_CORRUPT;
}

static bool
history_wanted(const bzl_history_row *row, int32_t from, int32_t to, uint64_t after_seq)
{
    return row->seq > after_seq && row->date >= from && row->date <= to;
}

static void
rows_reverse(bzl_history_row *rows, size_t n)
{
    for (size_t i = 0; i + 1 < n - i; i++) {
        bzl_history_row tmp = rows[i];
        rows[i] = rows[n - 1 - i];
        rows[n - 1 - i] = tmp;
    }
}

/* The item's chain runs newest to oldest, and a page lists the oldest wanted rows first with
 * the running balance counted from the item's first row. So the chain is walked once, with no
 * memory beyond out: out is a ring holding the last `cap` wanted rows met (the oldest), each
 * with the sum of the rows newer than it; at the end that sum over all rows is the item's
 * total, the balance after a row is the total less the rows newer than it, and reversing the
 * ring's two runs puts the rows oldest first. */
bzl_status
bzl_storage_history(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no, int32_t from,
                    int32_t to, uint64_t after_seq, bzl_history_row *out, size_t cap, size_t *count,
                    bool *more)
{
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    bzl_item item;
    bzl_status st = bzl_storage_item_get(t, book_no, kind, item_no, &item);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[ITEM_KEY_BYTES];
    bzl_balance bal;
    uint64_t head = 0;
    bzl__item_key(key, book_no, (uint8_t)kind, item_no);
    st = bzl__balance_row_read(t, key, &bal, &head);
    int64_t newer = 0; /* the quantities of the rows met so far: those newer than the next */
    size_t wanted = 0;
    bzl_history_row row;
    for (uint64_t seq = head; st == BZL_OK && seq != 0;) {
        st = bzl__history_step(t, seq, (uint8_t)kind, item_no, &row, &seq);
        if (st == BZL_OK && history_wanted(&row, from, to, after_seq)) {
            row.running_e5 = newer;
            out[wanted++ % cap] = row;
        }
        if (st == BZL_OK && bzl_dec_add(newer, row.qty_e5, &newer) != BZL_OK) {
            st = BZL_CORRUPT;
        }
    }
    size_t n = wanted < cap ? wanted : cap;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        if (bzl_dec_sub(newer, out[i].running_e5, &out[i].running_e5) != BZL_OK) {
            st = BZL_CORRUPT;
        }
    }
    if (st == BZL_OK) {
        /* Met newest first: out[k..n) then out[0..k) in that order, k the next slot. */
        size_t k = wanted % cap;
        rows_reverse(out, k < n ? k : n);
        rows_reverse(out + k, k < n ? n - k : 0);
        *count = n;
        if (more != NULL) {
            *more = wanted > cap;
        }
    }
    return st;
}

/* ---- one declaration ------------------------------------------------------------------------- */

/* Reads entry seq's type, actor, reason and applied effects into info's next entry. */
static bzl_status
entry_add(bzl_txn *t, uint64_t seq, bzl_decl_info *info, bzl_effect *effects, uint32_t cap,
          uint32_t *used)
{
    BZL_ASSERT(info->entry_count < BZL_DECL_ENTRIES_MAX);
    bzl__entry e;
    size_t at = 0;
    bzl_status st = bzl__journal_effects_get(t, seq, &e, &at);
    if (st != BZL_OK) {
        return st;
    }
    bzl_decl_entry *de = &info->entries[info->entry_count++];
    memset(de, 0, sizeof *de);
    de->seq = seq;
    de->type = e.type;
    de->actor = e.actor;
    de->effects_at = *used;
    if (e.type == JOURNAL_VOID || e.type == JOURNAL_REJECT || e.type == JOURNAL_REVERSE) {
        /* The reason is the text just before the effects section; its u16 length before it. */
        bzl_rd r = {.p = e.payload, .len = e.payload_len};
        r.off = (e.type == JOURNAL_REVERSE ? 16u : 8u) + BZL_ENTERPRISE_CODE_LEN;
        size_t id_len = rd_u8(&r);
        r.off += id_len;
        size_t reason_len = rd_u16(&r);
        r.bad |= reason_len > BZL_TEXT_BYTES_MAX;
        rd_text(&r, de->reason, sizeof de->reason, r.bad ? 0 : reason_len, false);
        if (r.bad) {
            return BZL_CORRUPT;
        }
    }
    bzl_rd r = {.p = e.payload, .len = e.payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    uint32_t count = 0;
    bzl__effects_header(&r, book, &month, &count);
    for (uint32_t i = 0; i < count && !r.bad; i++) {
        bzl_effect eff;
        bzl__effect_read(&r, &eff);
        if (*used < cap) {
            effects[(*used)++] = eff;
            de->effects++;
        }
    }
    return r.bad ? BZL_CORRUPT : BZL_OK;
}

bzl_status
bzl_storage_declaration_lots(bzl_txn *t, const char *enterprise, const char *id, bzl_lot_ref *out,
                             uint32_t cap, uint32_t *count)
{
    BZL_ASSERT(out != NULL && count != NULL);
    *count = 0;
    if (strlen(enterprise) != BZL_ENTERPRISE_CODE_LEN || strlen(id) == 0 ||
        strlen(id) > BZL_DECL_ID_BYTES_MAX) {
        return BZL_NOT_FOUND;
    }
    bzl__decl_state ds;
    bzl_status st = bzl__decl_state_get(t, enterprise, id, &ds);
    bzl_declaration d;
    st = st == BZL_OK ? bzl__decl_read_seq(t, ds.seq, &d) : st;
    if (st != BZL_OK) {
        return st;
    }
    for (uint32_t i = 0; i < d.lot_count && i < cap; i++) {
        out[i] = d.lots[i];
    }
    *count = d.lot_count < cap ? d.lot_count : cap;
    free(d.lines);
    return BZL_OK;
}

bzl_status
bzl_storage_declaration_get(bzl_txn *t, const char *enterprise, const char *id, bzl_decl_info *out,
                            bzl_decl_line *lines, bzl_effect *effects, uint32_t effects_cap)
{
    BZL_ASSERT(out != NULL && lines != NULL);
    memset(out, 0, sizeof *out);
    if (strlen(enterprise) != BZL_ENTERPRISE_CODE_LEN || strlen(id) == 0 ||
        strlen(id) > BZL_DECL_ID_BYTES_MAX) {
        return BZL_NOT_FOUND;
    }
    bzl__decl_state ds;
    bzl__entry e;
    size_t used_bytes = 0;
    bzl_status st = bzl__decl_state_get(t, enterprise, id, &ds);
    if (st == BZL_OK) {
        st = bzl__journal_get(t, ds.seq, &e);
        st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    if (st == BZL_OK) {
        st = bzl__decl_decode(e.payload, e.payload_len, &out->decl, lines, BZL_DECL_LINES_CEILING,
                              &used_bytes);
    }
    if (st != BZL_OK) {
        return st;
    }
    out->state = ds.state;
    bzl_book book;
    bzl_fault ignored;
    bzl_flow flow = BZL_FLOW_NONE;
    if (bzl_storage_book_get(t, out->decl.book_no, &book) == BZL_OK) {
        if (bzl_flow_lookup((bzl_kind)out->decl.kind, (bzl_direction)out->decl.direction,
                            out->decl.trade_mode, out->decl.book_no[0], book.verify_mode,
                            out->decl.related_book[0] != '\0', &flow, &ignored) != BZL_OK) {
            flow = BZL_FLOW_NONE;
        }
    }
    out->flow = (uint8_t)flow;
    uint32_t used = 0;
    uint64_t seqs[BZL_DECL_ENTRIES_MAX] = {ds.seq, ds.posted_seq != ds.seq ? ds.posted_seq : 0,
                                           ds.closed_seq};
    for (size_t i = 0; st == BZL_OK && i < BZL_DECL_ENTRIES_MAX; i++) {
        if (seqs[i] != 0) {
            st = entry_add(t, seqs[i], out, effects, effects_cap, &used);
        }
    }
    return st;
}

/* ---- transfers --------------------------------------------------------------------------------
 */

typedef struct transfer_rec {
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    uint8_t flow;
    char related_book[BZL_BOOK_NO_LEN + 1];
    char related_id[BZL_DECL_ID_BYTES_MAX + 1];
} transfer_rec;

static bzl_status
transfer_decode(const MDB_val *k, const MDB_val *v, transfer_rec *out)
{
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    size_t id_len = k->mv_size > BZL_BOOK_NO_LEN ? k->mv_size - BZL_BOOK_NO_LEN : 0;
    kr.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&kr, out->id, sizeof out->id, kr.bad ? 0 : id_len, false);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    rd_text(&r, out->enterprise, sizeof out->enterprise, BZL_ENTERPRISE_CODE_LEN, false);
    out->flow = rd_u8(&r);
    rd_text(&r, out->related_book, sizeof out->related_book, BZL_BOOK_NO_LEN, true);
    size_t rel_len = rd_u8(&r);
    r.bad |= rel_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, out->related_id, sizeof out->related_id, r.bad ? 0 : rel_len, false);
    return rd_done(&kr) && rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

static bool
live(uint8_t state)
{
    return state == BZL_DECL_POSTED || state == BZL_DECL_PENDING;
}

/* Room for the lines of both halves of a pair, grown to the largest pair met and reused for
 * the rest of the listing: owned by the listing, freed at its end. */
typedef struct pair_lines {
    bzl_decl_line *lines; /* cap for this half, then cap for the counterpart */
    uint32_t cap;
} pair_lines;

/* The declaration whose journal entry is seq: a borrowed view of its payload (valid while t
 * does not write) and its header with the line count, lines not read. */
static bzl_status
half_peek(bzl_txn *t, uint64_t seq, const uint8_t **payload, size_t *len, bzl_declaration *d)
{
    bzl__entry e;
    size_t used = 0;
    bzl_status st = bzl__journal_get(t, seq, &e);
    if (st == BZL_NOT_FOUND || (st == BZL_OK && e.type != JOURNAL_DECLARATION)) {
        return BZL_CORRUPT; /* the declaration's state record names this entry */
    }
    if (st == BZL_OK) {
        st = bzl__decl_decode(e.payload, e.payload_len, d, NULL, 0, &used);
        *payload = e.payload;
        *len = e.payload_len;
    }
    return st;
}

/* Compares the lines of the declarations of journal entries seq and other_seq in order, the
 * n-th of one against the n-th of the other, quantities as declared: the first difference
 * goes to row (both line counts, or the first line whose quantities differ) and why; nothing
 * is written when the lines match. */
static bzl_status
lines_why(bzl_txn *t, uint64_t seq, uint64_t other_seq, pair_lines *pl, bzl_transfer_row *row)
{
    bzl_declaration d[2];
    const uint8_t *payload[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    size_t used = 0;
    bzl_status st = half_peek(t, seq, &payload[0], &len[0], &d[0]);
    if (st == BZL_OK) {
        st = half_peek(t, other_seq, &payload[1], &len[1], &d[1]);
    }
    if (st != BZL_OK) {
        return st;
    }
    uint32_t n = d[0].line_count;
    if (n != d[1].line_count) {
        row->line_count = n;
        row->counterpart_line_count = d[1].line_count;
        snprintf(row->why, sizeof row->why,
                 "line count: %" PRIu32 " here, %" PRIu32 " in the counterpart", n,
                 d[1].line_count);
        return BZL_OK;
    }
    /* bzl__decl_decode refused any other count as CORRUPT. */
    BZL_ASSERT(n >= 1);
    BZL_ASSERT(n <= BZL_DECL_LINES_CEILING);
    if (n > pl->cap) {
        bzl_decl_line *grown = realloc(pl->lines, 2u * (size_t)n * sizeof *grown);
        if (grown == NULL) {
            return BZL_NO_MEMORY;
        }
        pl->lines = grown;
        pl->cap = n;
    }
    const bzl_decl_line *mine = pl->lines;
    const bzl_decl_line *theirs = pl->lines + n;
    st = bzl__decl_decode(payload[0], len[0], &d[0], pl->lines, n, &used);
    if (st == BZL_OK) {
        st = bzl__decl_decode(payload[1], len[1], &d[1], pl->lines + n, n, &used);
    }
    uint32_t i = 0;
    while (st == BZL_OK && i < n && mine[i].qty_e5 == theirs[i].qty_e5) {
        i++;
    }
    if (st == BZL_OK && i < n) {
        char q[2][BZL_DEC_TEXT_BYTES];
        bzl_dec_format(mine[i].qty_e5, BZL_SCALE_QTY, q[0], sizeof q[0]);
        bzl_dec_format(theirs[i].qty_e5, BZL_SCALE_QTY, q[1], sizeof q[1]);
        row->line_count = n;
        row->counterpart_line_count = n;
        row->line = i + 1;
        row->qty_e5 = mine[i].qty_e5;
        row->counterpart_qty_e5 = theirs[i].qty_e5;
        snprintf(row->why, sizeof row->why,
                 "line %" PRIu32 " quantity: %s here, %s in the counterpart", i + 1, q[0], q[1]);
    }
    return st;
}

/* Why rec's transfer is unmatched, into row's state, why ("" when it matches) and, for a
 * difference in the lines, row's line fields. */
static bzl_status
transfer_why(bzl_txn *t, const transfer_rec *rec, pair_lines *pl, bzl_transfer_row *row)
{
    bzl__decl_state own;
    bzl_status st = bzl__decl_state_get(t, rec->enterprise, rec->id, &own);
    if (st != BZL_OK) {
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    row->state = own.state;
    row->why[0] = '\0';
    if (!live(own.state)) {
        return BZL_OK; /* a voided or reversed half is no longer a transfer */
    }
    uint8_t key[BZL_BOOK_NO_LEN + BZL_DECL_ID_BYTES_MAX];
    size_t rel_len = strlen(rec->related_id);
    memcpy(key, rec->related_book, BZL_BOOK_NO_LEN);
    memcpy(key + BZL_BOOK_NO_LEN, rec->related_id, rel_len);
    MDB_val k = bzl__mval(key, BZL_BOOK_NO_LEN + rel_len);
    MDB_val v;
    int rc = rel_len == 0 ? MDB_NOTFOUND : mdb_get(t->txn, t->s->dbi[DB_TRANSFER], &k, &v);
    if (rc == MDB_NOTFOUND) {
        snprintf(row->why, sizeof row->why, "no counterpart declaration");
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    transfer_rec other;
    bzl__decl_state os;
    st = transfer_decode(&k, &v, &other);
    if (st == BZL_OK) {
        st = bzl__decl_state_get(t, other.enterprise, other.id, &os);
    }
    if (st != BZL_OK) {
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    if (strcmp(other.related_book, rec->book_no) != 0 || strcmp(other.related_id, rec->id) != 0) {
        snprintf(row->why, sizeof row->why, "the counterpart names another declaration");
    } else if (!live(os.state)) {
        snprintf(row->why, sizeof row->why, "the counterpart is %s", bzl_decl_state_name(os.state));
    } else {
        st = lines_why(t, own.seq, os.seq, pl, row);
    }
    return st;
}

bzl_status
bzl_storage_transfers_unmatched(bzl_txn *t, const char *enterprise, size_t skip,
                                bzl_transfer_row *out, size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    pair_lines pl = {.lines = NULL, .cap = 0};
    bzl__walk w;
    bzl__walk_begin(t, DB_TRANSFER, NULL, 0, 0, &w);
    while (st == BZL_OK && bzl__walk_next(&w)) {
        transfer_rec rec;
        bzl_transfer_row row;
        memset(&row, 0, sizeof row);
        st = transfer_decode(&w.k, &w.v, &rec);
        /* Another enterprise's half is passed over before its lines are read. */
        bool mine =
            st == BZL_OK && (enterprise[0] == '\0' || strcmp(enterprise, rec.enterprise) == 0);
        if (mine) {
            st = transfer_why(t, &rec, &pl, &row);
        }
        bool wanted = mine && st == BZL_OK && row.why[0] != '\0';
        if (wanted && skip > 0) {
            skip--;
        } else if (wanted && n == cap) {
            further = true;
            break;
        } else if (wanted) {
            memcpy(row.enterprise, rec.enterprise, sizeof row.enterprise);
            memcpy(row.book_no, rec.book_no, sizeof row.book_no);
            memcpy(row.id, rec.id, sizeof row.id);
            memcpy(row.related_book, rec.related_book, sizeof row.related_book);
            memcpy(row.related_id, rec.related_id, sizeof row.related_id);
            row.flow = rec.flow;
            out[n++] = row;
        }
    }
    free(pl.lines);
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}
