/* storage_lots.c — lots (next-wave.md E.4): the enterprise's projection under the customs
 * ledger. Every posted effect that raises an item's quantity opens a lot; every one that lowers
 * it consumes lots by the book's method (FIFO by receipt date, AVERAGE pro rata); so at every
 * commit Σ lot remaining = the item's posted quantity, which verify proves together with each
 * lot against the entry that opened it. Lots never change a customs quantity and never set the
 * official interest start (E.4 (2), (4d)). format.h documents the bytes.
 */
#include "storage_internal.h"

#include "bzl/storage_lots.h"

#include "bzl/decimal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define META_LOTS_FROM "lots_from"

static_assert(LOT_KEY_BYTES == ITEM_KEY_BYTES + 4u + 8u, "a lot key: item key, date, entry");
static_assert(LOT_VALUE_BYTES == 3u * 8u, "lot value as documented");

const char *
bzl_lot_method_name(uint8_t m)
{
    return m == BZL_LOTS_FIFO       ? "FIFO"
           : m == BZL_LOTS_SPECIFIC ? "SPECIFIC"
           : m == BZL_LOTS_AVERAGE  ? "AVERAGE"
                                    : "unknown";
}

bool
bzl_lot_method_parse(const char *s, uint8_t *out)
{
    for (uint8_t m = BZL_LOTS_FIFO; m <= BZL_LOTS_AVERAGE; m++) {
        if (strcmp(s, bzl_lot_method_name(m)) == 0) {
            *out = m;
            return true;
        }
    }
    return false;
}

/* ---- rows ------------------------------------------------------------------------------------ */

/* The deficit row of an item sorts after its lots: date and entry all ones. */
#define DEFICIT_DATE 0xFFFFFFFFu
#define DEFICIT_SEQ UINT64_MAX

static void
lot_key(uint8_t key[LOT_KEY_BYTES], const char *book_no, uint8_t kind, uint32_t item, uint32_t date,
        uint64_t seq)
{
    bzl__item_key(key, book_no, kind, item);
    bzl_wr w = {.p = key + ITEM_KEY_BYTES, .cap = 12};
    wr_be(&w, date, 4);
    wr_be(&w, seq, 8);
}

static void
lot_key_of(uint8_t key[LOT_KEY_BYTES], const bzl_lot *l)
{
    lot_key(key, l->book_no, l->kind, l->item_no, l->deficit ? DEFICIT_DATE : (uint32_t)l->date,
            l->deficit ? DEFICIT_SEQ : l->seq);
}

static bzl_status
lot_decode(const MDB_val *k, const MDB_val *v, bzl_lot *out)
{
    if (k->mv_size != LOT_KEY_BYTES || v->mv_size != LOT_VALUE_BYTES) {
        return BZL_CORRUPT;
    }
    memset(out, 0, sizeof *out);
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->kind = rd_u8(&kr);
    out->item_no = (uint32_t)rd_be(&kr, 4);
    uint32_t date = (uint32_t)rd_be(&kr, 4);
    out->seq = rd_be(&kr, 8);
    out->deficit = date == DEFICIT_DATE;
    out->date = out->deficit ? 0 : (int32_t)date;
    out->seq = out->deficit ? 0 : out->seq;
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    out->qty_e5 = rd_i64(&r);
    out->remaining_e5 = rd_i64(&r);
    out->value_e5 = rd_i64(&r);
    bool shape = out->deficit ? out->qty_e5 == 0 && out->remaining_e5 < 0 : out->remaining_e5 != 0;
    return rd_done(&kr) && rd_done(&r) && shape ? BZL_OK : BZL_CORRUPT;
}

/* Writes the lot, or deletes it once nothing remains (a consumed lot is history the journal
 * holds; open lots alone are walked by every consumption). */
static bzl_status
lot_put(bzl_txn *t, const bzl_lot *l)
{
    uint8_t key[LOT_KEY_BYTES];
    lot_key_of(key, l);
    MDB_val k = bzl__mval(key, sizeof key);
    if (l->remaining_e5 == 0) {
        int rc = mdb_del(t->txn, t->s->dbi[DB_LOT], &k, NULL);
        return rc == MDB_NOTFOUND ? BZL_OK : bzl__mdb_status(rc);
    }
    uint8_t val[LOT_VALUE_BYTES];
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i64(&w, l->qty_e5);
    wr_i64(&w, l->remaining_e5);
    wr_i64(&w, l->value_e5);
    MDB_val v = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_LOT], &k, &v, 0));
}

/* One lot by its key: BZL_NOT_FOUND when it is not open. */
static bzl_status
lot_get(bzl_txn *t, const uint8_t key[LOT_KEY_BYTES], bzl_lot *out)
{
    MDB_val k = bzl__mval(key, LOT_KEY_BYTES);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_LOT], &k, &v);
    return rc == MDB_SUCCESS ? lot_decode(&k, &v, out) : bzl__mdb_status(rc);
}

/* The open lots of one item in FIFO order (the key order: receipt date, then entry), without
 * its deficit row, into a heap array: every lot, or only the oldest until they hold `enough`.
 * Stopping there keeps an outflow's cost to the lots it takes, however many are open. */
static bzl_status
lots_of_item(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item, int64_t enough,
             bzl_lot **out, uint32_t *n)
{
    uint8_t key[LOT_KEY_BYTES];
    lot_key(key, book_no, kind, item, 0, 0);
    bzl__walk w;
    bzl__walk_begin(t, DB_LOT, key, sizeof key, ITEM_KEY_BYTES, &w);
    bzl_lot *lots = NULL;
    uint32_t count = 0;
    uint32_t cap = 0;
    int64_t held = 0;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && held < enough && bzl__walk_next(&w)) {
        if (count == cap) {
            uint32_t ncap = cap == 0 ? 16 : cap * 2;
            bzl_lot *grown = realloc(lots, ncap * sizeof *grown);
            if (grown == NULL) {
                st = BZL_NO_MEMORY;
                break;
            }
            lots = grown;
            cap = ncap;
        }
        st = lot_decode(&w.k, &w.v, &lots[count]);
        if (st == BZL_OK && !lots[count].deficit) {
            held += lots[count].remaining_e5 > 0 ? lots[count].remaining_e5 : 0;
            count++;
        }
    }
    st = bzl__walk_end(&w, st);
    if (st != BZL_OK) {
        free(lots);
        return st;
    }
    *out = lots;
    *n = count;
    return BZL_OK;
}

/* ---- the method --------------------------------------------------------------------------------
 */

/* The book's method and the entry of a lot movement: the first since the book's latest period
 * close when there was one, else an earlier one (FIFO and 0 when it has no row). Only whether it
 * comes after that close matters (bzl_storage_lot_method_set), so a movement rewrites the row
 * only when the stored one does not already (lots_move): not on every line of every receipt. */
static bzl_status
method_get(bzl_txn *t, const char *book_no, uint8_t *method, uint64_t *last_move)
{
    MDB_val k = bzl__mval(book_no, BZL_BOOK_NO_LEN);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_LOT_METHOD], &k, &v);
    *method = BZL_LOTS_FIFO;
    *last_move = 0;
    if (rc == MDB_NOTFOUND) {
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    *method = rd_u8(&r);
    *last_move = rd_u64(&r);
    return rd_done(&r) && *method >= BZL_LOTS_FIFO && *method <= BZL_LOTS_AVERAGE ? BZL_OK
                                                                                  : BZL_CORRUPT;
}

/* The entry of the book's latest period close (0 when it never closed one). */
static bzl_status
close_seq_get(bzl_txn *t, const char *book_no, uint64_t *close_seq)
{
    MDB_val pk = bzl__mval(book_no, BZL_BOOK_NO_LEN);
    MDB_val pv;
    int rc = mdb_get(t->txn, t->s->dbi[DB_PERIOD], &pk, &pv);
    *close_seq = 0;
    if (rc == MDB_NOTFOUND) {
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = pv.mv_data, .len = pv.mv_size};
    (void)rd_i32(&r);
    *close_seq = rd_u64(&r);
    return rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

static bzl_status
method_put(bzl_txn *t, const char *book_no, uint8_t method, uint64_t last_move)
{
    uint8_t val[LOT_METHOD_VALUE_BYTES];
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_u8(&w, method);
    wr_u64(&w, last_move);
    MDB_val k = bzl__mval(book_no, BZL_BOOK_NO_LEN);
    MDB_val v = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_LOT_METHOD], &k, &v, 0));
}

bzl_status
bzl_storage_lot_method_get(bzl_txn *t, const char *book_no, uint8_t *method)
{
    uint64_t last = 0;
    return method_get(t, book_no, method, &last);
}

bzl_status
bzl_storage_lot_method_set(bzl_txn *batch, const char *book_no, uint8_t method,
                           const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(method >= BZL_LOTS_FIFO && method <= BZL_LOTS_AVERAGE);
    memset(out, 0, sizeof *out);
    bzl_book book;
    bzl_status st = bzl_storage_book_get(batch, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_missing(&out->fault, "book", "book", book_no);
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    uint8_t old = 0;
    uint64_t last_move = 0;
    st = method_get(batch, book_no, &old, &last_move);
    if (st != BZL_OK) {
        return st;
    }
    if (old == method) {
        out->replayed = true;
        return BZL_OK;
    }
    /* Only at a verification boundary (E.4 (3)): no lot moved after the book's latest period
     * close. */
    uint64_t close_seq = 0;
    st = close_seq_get(batch, book_no, &close_seq);
    if (st != BZL_OK) {
        return st;
    }
    if (last_move != 0 && close_seq < last_move) {
        out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "method",
                                    "book %s moved lots (entry %" PRIu64 ") after its last period "
                                    "close; the method changes only at a verification boundary: "
                                    "close the period first",
                                    book_no, last_move);
        return BZL_OK;
    }
    bzl_txn *child = NULL;
    st = bzl_txn_begin(batch->s, batch, true, &child);
    uint8_t *p = NULL;
    if (st == BZL_OK) {
        st = bzl__journal_reserve(child, JOURNAL_LOT_METHOD, actor, LOT_METHOD_ENTRY_BYTES, &p,
                                  &out->seq);
    }
    if (st == BZL_OK) {
        bzl_wr w = {.p = p, .cap = LOT_METHOD_ENTRY_BYTES};
        wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
        wr_u8(&w, method);
        wr_u8(&w, old);
        st = bzl__journal_seal(child, out->seq);
    }
    if (st == BZL_OK) {
        st = method_put(child, book_no, method, last_move);
    }
    if (st != BZL_OK) {
        if (child != NULL) {
            bzl_txn_abort(child);
        }
        return st;
    }
    return bzl_txn_commit(child);
}

/* ---- moving lots ---------------------------------------------------------------------------- */

/* Takes up to *need from lot l (not below 0), writing it. */
static bzl_status
take(bzl_txn *t, bzl_lot *l, int64_t *need)
{
    int64_t q = l->remaining_e5 < *need ? l->remaining_e5 : *need;
    if (q <= 0) {
        return BZL_OK;
    }
    l->remaining_e5 -= q;
    *need -= q;
    return lot_put(t, l);
}

/* Consumes need (> 0) of an item: the lot `first` names first (a reversed receipt, E.4 (5):
 * its date and entry), on a SPECIFIC book the lots the declaration names for the item, then by
 * the method (SPECIFIC's rest FIFO). What no lot holds goes to the item's deficit row (negative
 * remaining), so that Σ remaining still equals the balance. */
static bzl_status
consume(bzl_txn *t, const char *book_no, const bzl_effect *e, uint8_t method, int32_t first_date,
        uint64_t first, const bzl__history_note *note)
{
    int64_t need = -e->qty_e5;
    bzl_status st = BZL_OK;
    BZL_ASSERT(note->take_count == 0 || note->takes != NULL);
    for (uint32_t i = 0; method == BZL_LOTS_SPECIFIC && st == BZL_OK && i < note->take_count; i++) {
        const bzl__lot_take *k = &note->takes[i];
        if (k->kind != e->kind || k->item_no != e->item_no) {
            continue;
        }
        uint8_t key[LOT_KEY_BYTES];
        lot_key(key, book_no, k->kind, k->item_no, (uint32_t)k->date, k->seq);
        bzl_lot named;
        st = lot_get(t, key, &named);
        if (st == BZL_OK) {
            int64_t want = k->qty_e5 < need ? k->qty_e5 : need;
            int64_t left = want;
            st = take(t, &named, &left);
            need -= want - left;
        } else if (st == BZL_NOT_FOUND) {
            st = BZL_OK; /* a post's lot consumed meanwhile: the rest goes by the method */
        }
    }
    if (st == BZL_OK && first != 0) {
        uint8_t key[LOT_KEY_BYTES];
        lot_key(key, book_no, e->kind, e->item_no, (uint32_t)first_date, first);
        bzl_lot own;
        st = lot_get(t, key, &own);
        st = st == BZL_OK ? take(t, &own, &need) : st == BZL_NOT_FOUND ? BZL_OK : st;
    }
    bzl_lot *lots = NULL;
    uint32_t n = 0;
    bool average = method == BZL_LOTS_AVERAGE;
    if (st == BZL_OK && need > 0) {
        st = lots_of_item(t, book_no, e->kind, e->item_no, average ? INT64_MAX : need, &lots, &n);
    }
    if (st != BZL_OK) {
        return st;
    }
    int64_t open = 0;
    for (uint32_t i = 0; i < n; i++) {
        open += lots[i].remaining_e5 > 0 ? lots[i].remaining_e5 : 0;
    }
    if (average && need > 0 && open > 0) {
        /* Pro rata: each open lot gives floor(remaining × want / open), so the item's average
         * value per unit stays what it was; the few e-5 that rounding leaves go FIFO below. */
        int64_t want = need < open ? need : open;
        int64_t given = 0;
        for (uint32_t i = 0; st == BZL_OK && i < n; i++) {
            if (lots[i].remaining_e5 <= 0) {
                continue;
            }
            int64_t share = (int64_t)((bzl_i128)lots[i].remaining_e5 * want / open);
            int64_t left = share;
            st = take(t, &lots[i], &left);
            given += share - left;
        }
        need -= given;
    }
    for (uint32_t i = 0; st == BZL_OK && need > 0 && i < n; i++) {
        st = take(t, &lots[i], &need);
    }
    free(lots);
    if (st == BZL_OK && need > 0) {
        uint8_t key[LOT_KEY_BYTES];
        lot_key(key, book_no, e->kind, e->item_no, DEFICIT_DATE, DEFICIT_SEQ);
        bzl_lot deficit;
        st = lot_get(t, key, &deficit);
        if (st == BZL_NOT_FOUND) {
            memset(&deficit, 0, sizeof deficit);
            memcpy(deficit.book_no, book_no, sizeof deficit.book_no);
            deficit.kind = e->kind;
            deficit.item_no = e->item_no;
            deficit.deficit = true;
            st = BZL_OK;
        }
        deficit.remaining_e5 -= need;
        st = st == BZL_OK ? lot_put(t, &deficit) : st;
    }
    return st;
}

bzl_status
bzl__lots_move(bzl_txn *t, const char *book_no, const bzl_effect *e, const bzl__history_note *note)
{
    BZL_ASSERT(t->write && note != NULL);
    if (e->qty_e5 == 0) {
        return BZL_OK;
    }
    uint8_t method = 0;
    uint64_t last = 0;
    bzl_status st = method_get(t, book_no, &method, &last);
    if (st == BZL_OK && e->qty_e5 > 0) {
        /* A receipt (or an outflow reversed: a synthetic lot of the reversal, E.4 (5)). The
         * item's deficit, if any, is made good first. */
        int64_t qty = e->qty_e5;
        uint8_t key[LOT_KEY_BYTES];
        lot_key(key, book_no, e->kind, e->item_no, DEFICIT_DATE, DEFICIT_SEQ);
        bzl_lot deficit;
        st = lot_get(t, key, &deficit);
        if (st == BZL_OK) {
            int64_t q = -deficit.remaining_e5 < qty ? -deficit.remaining_e5 : qty;
            deficit.remaining_e5 += q;
            qty -= q;
            st = lot_put(t, &deficit);
        } else if (st == BZL_NOT_FOUND) {
            st = BZL_OK;
        }
        bzl_lot l = {.kind = e->kind,
                     .item_no = e->item_no,
                     .seq = note->seq,
                     .date = note->date,
                     .qty_e5 = e->qty_e5,
                     .remaining_e5 = qty,
                     .value_e5 = e->value_e5};
        memcpy(l.book_no, book_no, sizeof l.book_no);
        if (st == BZL_OK) {
            st = lot_put(t, &l);
        }
    } else if (st == BZL_OK) {
        st = consume(t, book_no, e, method, note->date,
                     note->type == JOURNAL_REVERSE ? note->reversed_seq : 0, note);
    }
    uint64_t close_seq = 0;
    if (st == BZL_OK && last != 0) {
        st = close_seq_get(t, book_no, &close_seq);
    }
    if (st == BZL_OK && (last == 0 || last <= close_seq)) {
        st = method_put(t, book_no, method, note->seq); /* the first movement since the close */
    }
    return st;
}

/* ---- SPECIFIC: the lots a declaration names ------------------------------------------------ */

/* The refusal of reference r. */
static bzl_status ref_refuse(bzl_status *refusal, bzl_fault *fault, bzl_status st,
                             const bzl_lot_ref *r, const char *fmt, ...) BZL_PRINTF(5, 6);
static bzl_status
ref_refuse(bzl_status *refusal, bzl_fault *fault, bzl_status st, const bzl_lot_ref *r,
           const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    *refusal = bzl_fault_set(fault, st, r->line, "lots", "line %u: the lot %.64s line %u %s",
                             (unsigned)r->line, r->receipt, (unsigned)r->receipt_line, why);
    return BZL_OK;
}

bzl_status
bzl__lot_receipt_line(bzl_txn *t, const char *enterprise, const bzl_lot_ref *r, bzl__decl_state *ds,
                      bzl_declaration *rd, bzl_decl_line *line, bool *found)
{
    *found = false;
    bzl_status st = bzl__decl_state_get(t, enterprise, r->receipt, ds);
    if (st == BZL_NOT_FOUND) {
        return BZL_OK;
    }
    bzl__entry e;
    size_t used = 0;
    st = st == BZL_OK ? bzl__journal_get(t, ds->seq, &e) : st;
    st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    if (st == BZL_OK) {
        st = e.type == JOURNAL_DECLARATION
                 ? bzl__decl_decode(e.payload, e.payload_len, rd, NULL, 0, &used)
                 : BZL_CORRUPT;
    }
    if (st != BZL_OK || r->receipt_line > rd->line_count) {
        return st;
    }
    /* Lines are fixed-size and follow the header (format.h): read just the one named. */
    bzl_decl_line *lines = calloc(rd->line_count, sizeof *lines);
    if (lines == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_declaration full;
    st = bzl__decl_decode(e.payload, e.payload_len, &full, lines, rd->line_count, &used);
    if (st == BZL_OK) {
        *line = lines[r->receipt_line - 1];
        *found = true;
    }
    free(lines);
    return st;
}

bzl_status
bzl__lots_resolve(bzl_txn *t, const bzl_declaration *d, bool refuse, bzl__lot_take *takes,
                  uint32_t *count, bzl_status *refusal, bzl_fault *fault)
{
    BZL_ASSERT(d->lot_count == 0 || d->lots != NULL);
    *count = 0;
    *refusal = BZL_OK;
    uint8_t method = 0;
    uint64_t last = 0;
    bool unnamed_refused =
        refuse && t->s->tax_rules.specific_unnamed_refused && d->direction == BZL_DIR_OUT;
    bzl_status st =
        d->lot_count > 0 || unnamed_refused ? method_get(t, d->book_no, &method, &last) : BZL_OK;
    if (st == BZL_OK && unnamed_refused && method == BZL_LOTS_SPECIFIC) {
        /* bzld.conf [tax] lots_specific_unnamed = refuse: every outflow line names its lots. */
        uint32_t k = 0;
        for (uint32_t line = 1; line <= d->line_count; line++) {
            bool named = k < d->lot_count && d->lots[k].line == line;
            while (k < d->lot_count && d->lots[k].line == line) {
                k++;
            }
            if (!named) {
                *refusal = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "lots",
                                         "line %u names no lot, but book %s consumes lots "
                                         "SPECIFIC and bzld.conf [tax] lots_specific_unnamed is "
                                         "refuse: name the lots it takes",
                                         (unsigned)line, d->book_no);
                return BZL_OK;
            }
        }
    }
    if (st == BZL_OK && refuse && d->lot_count > 0 && method != BZL_LOTS_SPECIFIC) {
        *refusal =
            bzl_fault_set(fault, BZL_STATE_CONFLICT, d->lots[0].line, "lots",
                          "line %u names lots, but book %s consumes lots %s: only a "
                          "SPECIFIC book takes the lots a declaration names "
                          "(bzl lots-method)",
                          (unsigned)d->lots[0].line, d->book_no, bzl_lot_method_name(method));
        return BZL_OK;
    }
    for (uint32_t i = 0; st == BZL_OK && *refusal == BZL_OK && i < d->lot_count; i++) {
        const bzl_lot_ref *r = &d->lots[i];
        const bzl_decl_line *l = &d->lines[r->line - 1];
        bzl__decl_state ds;
        bzl_declaration rd;
        bzl_decl_line rl;
        memset(&rl, 0, sizeof rl);
        bool found = false;
        st = bzl__lot_receipt_line(t, d->enterprise, r, &ds, &rd, &rl, &found);
        uint32_t item = rl.item_no;
        if (st != BZL_OK || (!refuse && (!found || ds.state != BZL_DECL_POSTED))) {
            continue;
        }
        if (!found) {
            char key[BZL_DECL_ID_BYTES_MAX + 24];
            snprintf(key, sizeof key, "%s line %u", r->receipt, (unsigned)r->receipt_line);
            *refusal = bzl_fault_missing(fault, "lots", "lot", key);
            if (fault != NULL) {
                fault->line = r->line;
            }
            break;
        }
        if (ds.state != BZL_DECL_POSTED) {
            (void)ref_refuse(refusal, fault, BZL_NOT_FOUND, r,
                             "is not open: declaration %.64s is %s, not posted", r->receipt,
                             bzl_decl_state_name(ds.state));
            break;
        }
        if (strcmp(rd.book_no, d->book_no) != 0 || rd.kind != d->kind ||
            rd.direction != BZL_DIR_IN || item != l->item_no) {
            if (!refuse) {
                continue;
            }
            (void)ref_refuse(refusal, fault, BZL_LOT_MISMATCH, r,
                             "is %s %u received %s book %s, not %s %u of book %s",
                             bzl_kind_name((bzl_kind)rd.kind), (unsigned)item,
                             rd.direction == BZL_DIR_IN ? "into" : "(an outflow) from", rd.book_no,
                             bzl_kind_name((bzl_kind)d->kind), (unsigned)l->item_no, d->book_no);
            if (fault != NULL) {
                fault->item_no = l->item_no;
            }
            break;
        }
        bzl__lot_take *k = &takes[*count];
        k->kind = d->kind;
        k->item_no = l->item_no;
        k->date = rd.date;
        k->seq = ds.posted_seq;
        k->qty_e5 = r->qty_e5;
        uint8_t key[LOT_KEY_BYTES];
        lot_key(key, d->book_no, k->kind, k->item_no, (uint32_t)k->date, k->seq);
        bzl_lot lot;
        st = lot_get(t, key, &lot);
        int64_t remaining = st == BZL_OK ? lot.remaining_e5 : 0;
        st = st == BZL_NOT_FOUND ? BZL_OK : st;
        if (st == BZL_OK && remaining < r->qty_e5 && refuse) {
            char have[BZL_DEC_TEXT_BYTES];
            char want[BZL_DEC_TEXT_BYTES];
            bzl_dec_format(remaining, BZL_SCALE_QTY, have, sizeof have);
            bzl_dec_format(r->qty_e5, BZL_SCALE_QTY, want, sizeof want);
            (void)ref_refuse(refusal, fault, BZL_LOT_MISMATCH, r,
                             "of %s %u holds %s, less than the %s the line takes from it",
                             bzl_kind_name((bzl_kind)d->kind), (unsigned)l->item_no, have, want);
            if (fault != NULL) {
                fault->item_no = l->item_no;
                fault->available_e5 = remaining;
            }
            break;
        }
        *count += st == BZL_OK && remaining > 0;
    }
    return st;
}

/* ---- reading ----------------------------------------------------------------------------------
 */

bzl_status
bzl_storage_lot_list(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item, bzl_lot *out,
                     size_t cap, size_t *count, bool *more)
{
    uint8_t key[LOT_KEY_BYTES];
    lot_key(key, book_no, kind, item, 0, 0);
    size_t prefix = kind == 0 ? BZL_BOOK_NO_LEN : item == 0 ? BZL_BOOK_NO_LEN + 1u : ITEM_KEY_BYTES;
    bzl__walk w;
    bzl__walk_begin(t, DB_LOT, key, prefix == BZL_BOOK_NO_LEN ? BZL_BOOK_NO_LEN : sizeof key,
                    prefix, &w);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap) {
            further = true;
            break;
        }
        st = lot_decode(&w.k, &w.v, &out[n]);
        n += st == BZL_OK;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
        *more = further;
    }
    return st;
}

bzl_status
bzl_storage_lot_walk(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item, bzl_lot_cb cb,
                     void *ctx)
{
    uint8_t key[LOT_KEY_BYTES];
    lot_key(key, book_no, kind, item, 0, 0);
    size_t prefix = kind == 0 ? BZL_BOOK_NO_LEN : item == 0 ? BZL_BOOK_NO_LEN + 1u : ITEM_KEY_BYTES;
    bzl__walk w;
    bzl__walk_begin(t, DB_LOT, key, prefix == BZL_BOOK_NO_LEN ? BZL_BOOK_NO_LEN : sizeof key,
                    prefix, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_lot l;
        st = lot_decode(&w.k, &w.v, &l);
        st = st == BZL_OK ? cb(ctx, &l) : st;
    }
    return bzl__walk_end(&w, st);
}

bzl_status
bzl_storage_lot_source(bzl_txn *t, const bzl_lot *lot, bzl_lot_source *out)
{
    memset(out, 0, sizeof *out);
    if (lot->seq == 0 || lot->deficit) {
        return BZL_OK;
    }
    bzl__entry e;
    bzl_status st = bzl__journal_get(t, lot->seq, &e);
    st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    if (st != BZL_OK) {
        return st;
    }
    uint64_t decl_seq = 0;
    if (e.type == JOURNAL_DECLARATION) {
        decl_seq = lot->seq;
    } else if (e.type == JOURNAL_POST || e.type == JOURNAL_REVERSE) {
        bzl_rd r = {.p = e.payload, .len = e.payload_len};
        decl_seq = rd_u64(&r); /* post and reverse open with the declaration's entry */
        out->reversal = e.type == JOURNAL_REVERSE;
        if (r.bad) {
            return BZL_CORRUPT;
        }
    } else {
        return BZL_OK; /* an entry of another kind opened it: no receipt line to show */
    }
    bzl_declaration d;
    st = bzl__decl_read_seq(t, decl_seq, &d);
    if (st != BZL_OK) {
        return st;
    }
    if (out->reversal) {
        /* The outflow reversed, whether its line or its norm took the item. */
        memcpy(out->receipt, d.id, sizeof out->receipt);
    }
    for (uint32_t i = 0; i < d.line_count && d.kind == lot->kind; i++) {
        const bzl_decl_line *l = &d.lines[i];
        if (l->item_no == lot->item_no) {
            memcpy(out->receipt, d.id, sizeof out->receipt);
            out->line = i + 1;
            memcpy(out->currency, l->currency, sizeof out->currency);
            out->has_usd = l->has_usd;
            out->usd_e5 = l->usd_e5;
            memcpy(out->country, l->country, sizeof out->country);
            break;
        }
    }
    free(d.lines);
    return BZL_OK;
}

/* ---- opening an older ledger --------------------------------------------------------------- */

bzl_status
bzl__lots_open(bzl_txn *t, char *why, size_t why_cap)
{
    BZL_ASSERT(t->write);
    uint64_t from = 0;
    bzl_status st = bzl__meta_u64_get(t, META_LOTS_FROM, &from);
    if (st != BZL_NOT_FOUND) {
        return st;
    }
    uint64_t next = 0;
    st = bzl__journal_next(t, &next);
    /* A ledger written before lots: one opening lot (entry 0) per item holding a quantity, its
     * balance and value, so Σ lots = balance from the first commit on. */
    bzl__walk w;
    bzl__walk_begin(t, DB_BALANCE, NULL, 0, 0, &w);
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        uint8_t key[ITEM_KEY_BYTES];
        memcpy(key, w.k.mv_data, sizeof key);
        bzl_balance bal;
        st = bzl__balance_read(t, key, &bal);
        if (st != BZL_OK || bal.qty_e5 == 0) {
            continue;
        }
        bzl_lot l = {.seq = 0,
                     .date = 0,
                     .qty_e5 = bal.qty_e5,
                     .remaining_e5 = bal.qty_e5,
                     .value_e5 = bal.value_e5};
        bzl_rd r = {.p = key, .len = sizeof key};
        rd_text(&r, l.book_no, sizeof l.book_no, BZL_BOOK_NO_LEN, false);
        l.kind = rd_u8(&r);
        l.item_no = (uint32_t)rd_be(&r, 4);
        st = lot_put(t, &l);
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        st = bzl__meta_u64_put(t, META_LOTS_FROM, next);
    }
    if (st != BZL_OK) {
        bzl__set_why(why, why_cap, "cannot open the lots of an older ledger: %s",
                     bzl_status_text(st));
    }
    return st;
}

/* ---- verification -----------------------------------------------------------------------------
 */

static bzl_status
lot_mismatch(bzl_verify_report *out, const bzl_lot *l, const char *what)
{
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "lot");
    snprintf(out->field, sizeof out->field, "lot");
    memcpy(out->book_no, l->book_no, sizeof out->book_no);
    out->kind = l->kind;
    out->item_no = l->item_no;
    snprintf(out->key, sizeof out->key, "%s %s %u entry %" PRIu64, l->book_no,
             bzl_kind_name((bzl_kind)l->kind), (unsigned)l->item_no, l->seq);
    snprintf(out->message, sizeof out->message,
             "lot of book %s %s %u opened by entry %" PRIu64 ": %s", l->book_no,
             bzl_kind_name((bzl_kind)l->kind), (unsigned)l->item_no, l->seq, what);
    return BZL_TAMPERED;
}

/* The lot against the entry that opened it: its effect on the item raised the quantity by
 * exactly the lot's quantity and value (a deficit lot: the entry lowered it). */
static bzl_status
lot_check_entry(bzl_txn *t, const bzl_lot *l, uint64_t lots_from, bzl_verify_report *out)
{
    if (l->deficit) {
        return BZL_OK; /* its shape was checked when decoded; Σ proves its amount */
    }
    if (l->seq == 0) {
        return l->date == 0 ? BZL_OK : lot_mismatch(out, l, "an opening lot carries a date");
    }
    if (l->seq < lots_from) {
        return lot_mismatch(out, l, "it names an entry before lots were kept");
    }
    if (l->remaining_e5 <= 0 || l->remaining_e5 > l->qty_e5) {
        return lot_mismatch(out, l, "its remaining quantity is outside what it received");
    }
    bzl__entry e;
    size_t at = 0;
    bool has = false;
    bzl_status st = bzl__journal_get(t, l->seq, &e);
    if (st == BZL_NOT_FOUND) {
        return lot_mismatch(out, l, "the entry does not exist");
    }
    st = st == BZL_OK ? bzl__entry_effects_at(&e, &at, &has) : st;
    if (st != BZL_OK) {
        return st;
    }
    bzl_rd r = {.p = e.payload, .len = e.payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    uint32_t count = 0;
    if (has) {
        bzl__effects_header(&r, book, &month, &count);
    }
    bool found = false;
    for (uint32_t i = 0; has && i < count && !r.bad && !found; i++) {
        bzl_effect eff;
        bzl__effect_read(&r, &eff);
        if (eff.kind != l->kind || eff.item_no != l->item_no || eff.qty_e5 == 0) {
            continue;
        }
        found =
            strcmp(book, l->book_no) == 0 && eff.qty_e5 == l->qty_e5 && eff.value_e5 == l->value_e5;
    }
    if (r.bad) {
        return BZL_CORRUPT;
    }
    return found ? BZL_OK
                 : lot_mismatch(out, l, "the entry did not receive that quantity and value");
}

bzl_status
bzl__lots_verify(bzl_txn *t, bzl_verify_report *out)
{
    uint64_t lots_from = 1;
    bzl_status st = bzl__meta_u64_get(t, META_LOTS_FROM, &lots_from);
    if (st == BZL_NOT_FOUND) {
        lots_from = 1;
        st = BZL_OK;
    }
    /* Walk lots and balances side by side: both are in item-key order. */
    bzl__walk lw;
    bzl__walk_begin(t, DB_LOT, NULL, 0, 0, &lw);
    bool have_lot = st == BZL_OK && bzl__walk_next(&lw);
    bzl__walk bw;
    bzl__walk_begin(t, DB_BALANCE, NULL, 0, 0, &bw);
    bool have_bal = st == BZL_OK && bzl__walk_next(&bw);
    bzl_lot l;
    while (st == BZL_OK && (have_lot || have_bal)) {
        uint8_t key[ITEM_KEY_BYTES];
        int cmp = !have_lot   ? 1
                  : !have_bal ? -1
                              : memcmp(lw.k.mv_data, bw.k.mv_data, ITEM_KEY_BYTES);
        memcpy(key, cmp <= 0 ? lw.k.mv_data : bw.k.mv_data, ITEM_KEY_BYTES);
        int64_t sum = 0;
        while (st == BZL_OK && have_lot && memcmp(lw.k.mv_data, key, ITEM_KEY_BYTES) == 0) {
            st = lot_decode(&lw.k, &lw.v, &l);
            if (st == BZL_OK) {
                sum += l.remaining_e5; /* l is a copy: the cursor steps on before the entry read */
                out->rows++;
                have_lot = bzl__walk_next(&lw);
                st = lot_check_entry(t, &l, lots_from, out);
            }
        }
        int64_t qty = 0;
        if (st == BZL_OK && have_bal && memcmp(bw.k.mv_data, key, ITEM_KEY_BYTES) == 0) {
            bzl_balance bal;
            st = bzl__balance_read(t, key, &bal);
            qty = bal.qty_e5;
            have_bal = bzl__walk_next(&bw);
        }
        if (st == BZL_OK && sum != qty) {
            bzl_rd r = {.p = key, .len = sizeof key};
            rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
            out->kind = rd_u8(&r);
            out->item_no = (uint32_t)rd_be(&r, 4);
            out->mismatch = true;
            snprintf(out->table, sizeof out->table, "lot");
            snprintf(out->field, sizeof out->field, "lot_remaining");
            out->stored_e5 = sum;
            out->recomputed_e5 = qty;
            snprintf(out->message, sizeof out->message,
                     "book %s %s %u: its lots hold %" PRId64 " (e-5) but the balance is %" PRId64,
                     out->book_no, bzl_kind_name((bzl_kind)out->kind), (unsigned)out->item_no, sum,
                     qty);
            st = BZL_TAMPERED;
        }
    }
    st = bzl__walk_end(&lw, st);
    return bzl__walk_end(&bw, st);
}
