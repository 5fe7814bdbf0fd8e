/* storage_repair.c — bonded repair books: the repair accounts' movements, work orders, and
 * what a declaration on a repair book does to them (next-wave.md §C; rules in repair.c).
 *
 * repair — key: book_no[12] | kind u8 | item u32 BE | origin u8 | move u8 (19 bytes); value
 *   8 bytes: qty_e5 i64, the running total of one movement (bzl_repair_move; 13 = units under
 *   open work orders) of one (kind, item, origin). Materials are kept under origin 0; goods
 *   and parts under the origin of the goods. A row is written when first moved and never
 *   deleted. Derived from the journal (declarations on repair books, entry types 18 and 19):
 *   bzl_storage_verify_balances recomputes it (storage_verify_derived.c).
 *
 * workorder — key: book_no[12] | no u32 BE (16 bytes); value: item u32 | origin u8 | state u8
 *   | opened i32 | completed i32 (0 while open) | open_seq u64 | done_seq u64 (0 while open) |
 *   n_materials u16 | n_parts u16 | (item u32 | qty_e5 i64) × (n_materials + n_parts). All
 *   little-endian.
 *
 * Journal payloads (format.h):
 *   18 work order open      book_no[12] | no u32 | item u32 | origin u8 | date i32
 *   19 work order complete  book_no[12] | no u32 | item u32 | origin u8 | state u8 | date i32 |
 *                           n_materials u16 | n_parts u16 | (item u32 | qty_e5 i64) × n
 */
#include "storage_internal.h"

#include <stdlib.h>

#define WO_KEY_BYTES (BZL_BOOK_NO_LEN + 4u)
#define WO_VALUE_FIXED (4u + 1u + 1u + 4u + 4u + 8u + 8u + 2u + 2u)
#define WO_VALUE_BYTES_MAX (WO_VALUE_FIXED + 2u * BZL_WO_LINES_MAX * WO_LINE_BYTES)
/* One unit of goods under a work order. */
#define UNIT_E5 100000

static_assert(REPAIR_MOVE_IN_WORK == BZL_RM_COUNT, "the work-in-progress row follows the moves");
static_assert(WO_OPEN_ENTRY_BYTES == 25u, "work order open entry as documented");
static_assert(WO_DONE_ENTRY_FIXED == 30u, "work order completion entry as documented");

void
bzl__repair_key(uint8_t key[REPAIR_KEY_BYTES], const char *book_no, uint8_t kind, uint32_t item_no,
                uint8_t origin, uint8_t move)
{
    bzl_wr w = {.p = key, .cap = REPAIR_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_u8(&w, kind);
    wr_be(&w, item_no, 4);
    wr_u8(&w, origin);
    wr_u8(&w, move);
}

/* One movement's running total; 0 when never moved. */
static bzl_status
move_get(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item_no, uint8_t origin,
         uint8_t move, int64_t *out)
{
    uint8_t key[REPAIR_KEY_BYTES];
    bzl__repair_key(key, book_no, kind, item_no, origin, move);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_REPAIR], &k, &v);
    if (rc == MDB_NOTFOUND) {
        *out = 0;
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    *out = rd_i64(&r);
    return rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

static bzl_status
move_add(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item_no, uint8_t origin,
         uint8_t move, int64_t delta_e5)
{
    BZL_ASSERT(move >= 1 && move <= REPAIR_MOVE_IN_WORK);
    int64_t now = 0;
    bzl_status st = move_get(t, book_no, kind, item_no, origin, move, &now);
    int64_t sum = 0;
    if (st == BZL_OK && __builtin_add_overflow(now, delta_e5, &sum)) {
        st = BZL_OVERFLOW;
    }
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[REPAIR_KEY_BYTES];
    uint8_t val[8];
    bzl__repair_key(key, book_no, kind, item_no, origin, move);
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_i64(&w, sum);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_REPAIR], &k, &v, 0));
}

/* Every movement of (kind, item, origin). */
static bzl_status
totals_get(bzl_txn *t, const char *book_no, uint8_t kind, uint32_t item_no, uint8_t origin,
           bzl_repair_totals *out)
{
    memset(out, 0, sizeof *out);
    bzl_status st = BZL_OK;
    for (uint8_t m = 1; st == BZL_OK && m < BZL_RM_COUNT; m++) {
        st = move_get(t, book_no, kind, item_no, origin, m, &out->moves_e5[m]);
    }
    return st;
}

/* ---- declarations on a repair book ------------------------------------------------------- */

/* The (kind, origin) a line's accounts are kept under: materials' own (origin 0) unless the
 * flow moves parts, which are kept by the origin of the goods they came from. */
static uint8_t
account_origin(const bzl_declaration *d, bzl_flow flow)
{
    bool parts = flow == BZL_FLOW_SCRAP_REEXPORT || flow == BZL_FLOW_SCRAP_DESTROY ||
                 flow == BZL_FLOW_REPAIR_GATE;
    if (d->kind == BZL_KIND_MATERIAL && !parts) {
        return BZL_ORIGIN_NONE;
    }
    return d->origin;
}

/* The step line i makes; a refusal in result. */
static bzl_status
line_step(bzl_txn *t, const bzl_declaration *d, bzl_flow flow, uint32_t i, bzl_repair_step *step,
          bzl_submit_result *result)
{
    const bzl_decl_line *l = &d->lines[i];
    uint8_t origin = account_origin(d, flow);
    uint8_t other = origin == BZL_ORIGIN_ABROAD    ? BZL_ORIGIN_OUTSIDE
                    : origin == BZL_ORIGIN_OUTSIDE ? BZL_ORIGIN_ABROAD
                                                   : BZL_ORIGIN_NONE;
    bzl_repair_totals mine;
    bzl_repair_totals theirs;
    memset(&theirs, 0, sizeof theirs);
    bzl_status st = totals_get(t, d->book_no, d->kind, l->item_no, origin, &mine);
    if (st == BZL_OK && other != BZL_ORIGIN_NONE) {
        st = totals_get(t, d->book_no, d->kind, l->item_no, other, &theirs);
    }
    if (st != BZL_OK) {
        return st;
    }
    result->status = bzl_repair_line(flow, d->origin, l->qty_e5, &mine, &theirs, i + 1, l->item_no,
                                     step, &result->fault);
    return BZL_OK;
}

bzl_status
bzl__repair_decide(bzl_txn *t, const bzl_declaration *d, bzl_flow flow, bzl_submit_result *result)
{
    BZL_ASSERT(t != NULL && d != NULL && result != NULL);
    BZL_ASSERT(result->status == BZL_OK);
    if (d->pending) {
        result->status = bzl_fault_set(&result->fault, BZL_FLOW_NOT_ALLOWED, 0, "pending",
                                       "a declaration on a repair book is posted at once, so "
                                       "that its repair accounts move with it");
        return BZL_OK;
    }
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && result->status == BZL_OK && i < d->line_count; i++) {
        bzl_repair_step step;
        st = line_step(t, d, flow, i, &step, result);
    }
    return st;
}

bzl_status
bzl__repair_apply(bzl_txn *t, const bzl_declaration *d, bzl_flow flow)
{
    BZL_ASSERT(t != NULL && d != NULL);
    BZL_ASSERT(!d->pending);
    bzl_status st = BZL_OK;
    uint8_t origin = account_origin(d, flow);
    for (uint32_t i = 0; st == BZL_OK && i < d->line_count; i++) {
        bzl_repair_step step;
        bzl_submit_result check = {0};
        st = line_step(t, d, flow, i, &step, &check);
        if (st == BZL_OK && check.status != BZL_OK) {
            st = BZL_INTERNAL; /* decide() passed in this very transaction */
        }
        uint32_t item = d->lines[i].item_no;
        if (st == BZL_OK && step.first_e5 != 0) {
            st = move_add(t, d->book_no, d->kind, item, origin, (uint8_t)step.move, step.first_e5);
        }
        if (st == BZL_OK && step.second != 0) {
            st = move_add(t, d->book_no, d->kind, item, origin, (uint8_t)step.second,
                          step.second_e5);
        }
    }
    return st;
}

/* ---- work orders ---------------------------------------------------------------------------- */

static void
wo_key(uint8_t key[WO_KEY_BYTES], const char *book_no, uint32_t no)
{
    bzl_wr w = {.p = key, .cap = WO_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, no, 4);
}

static bzl_status
wo_decode(const MDB_val *k, const MDB_val *v, bzl_workorder *out)
{
    if (k->mv_size != WO_KEY_BYTES) {
        return BZL_CORRUPT;
    }
    memset(out, 0, sizeof *out);
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->no = (uint32_t)rd_be(&kr, 4);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    out->item_no = rd_u32(&r);
    out->origin = rd_u8(&r);
    out->state = rd_u8(&r);
    out->opened = rd_i32(&r);
    out->completed = rd_i32(&r);
    out->open_seq = rd_u64(&r);
    out->done_seq = rd_u64(&r);
    out->n_materials = rd_u16(&r);
    out->n_parts = rd_u16(&r);
    if (out->n_materials > BZL_WO_LINES_MAX || out->n_parts > BZL_WO_LINES_MAX) {
        return BZL_CORRUPT;
    }
    for (uint32_t i = 0; i < out->n_materials + out->n_parts; i++) {
        out->lines[i].item_no = rd_u32(&r);
        out->lines[i].qty_e5 = rd_i64(&r);
    }
    if (!rd_done(&kr) || !rd_done(&r) || bzl_wo_state_name(out->state) == NULL ||
        (out->origin != BZL_ORIGIN_ABROAD && out->origin != BZL_ORIGIN_OUTSIDE)) {
        return BZL_CORRUPT;
    }
    return BZL_OK;
}

static bzl_status
wo_put(bzl_txn *t, const bzl_workorder *wo)
{
    BZL_ASSERT(wo->n_materials <= BZL_WO_LINES_MAX && wo->n_parts <= BZL_WO_LINES_MAX);
    uint8_t key[WO_KEY_BYTES];
    uint8_t val[WO_VALUE_BYTES_MAX];
    wo_key(key, wo->book_no, wo->no);
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_u32(&w, wo->item_no);
    wr_u8(&w, wo->origin);
    wr_u8(&w, wo->state);
    wr_i32(&w, wo->opened);
    wr_i32(&w, wo->completed);
    wr_u64(&w, wo->open_seq);
    wr_u64(&w, wo->done_seq);
    wr_u16(&w, (uint16_t)wo->n_materials);
    wr_u16(&w, (uint16_t)wo->n_parts);
    for (uint32_t i = 0; i < wo->n_materials + wo->n_parts; i++) {
        wr_u32(&w, wo->lines[i].item_no);
        wr_i64(&w, wo->lines[i].qty_e5);
    }
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(val, w.len);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_WORKORDER], &k, &v, 0));
}

bzl_status
bzl_storage_workorder_get(bzl_txn *t, const char *book_no, uint32_t no, bzl_workorder *out)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL);
    if (strnlen(book_no, BZL_BOOK_NO_LEN + 1) != BZL_BOOK_NO_LEN) {
        return BZL_NOT_FOUND;
    }
    uint8_t key[WO_KEY_BYTES];
    wo_key(key, book_no, no);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    bzl_status st = bzl__mdb_status(mdb_get(t->txn, t->s->dbi[DB_WORKORDER], &k, &v));
    return st != BZL_OK ? st : wo_decode(&k, &v, out);
}

bzl_status
bzl_storage_workorder_list(bzl_txn *t, const char *book_no, uint32_t after_no, bzl_workorder *out,
                           size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL);
    BZL_ASSERT(cap > 0);
    uint8_t key[WO_KEY_BYTES];
    wo_key(key, book_no, after_no);
    bzl__walk w;
    bzl__walk_begin_after(t, DB_WORKORDER, key, sizeof key, BZL_BOOK_NO_LEN, &w);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* at most cap + 1 steps */
        if (n == cap) {
            further = true;
            break;
        }
        st = wo_decode(&w.k, &w.v, &out[n]);
        n++;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
        *more = further;
    }
    return st;
}

/* The number the next work order of book_no takes: one past its last. */
static bzl_status
wo_next_no(bzl_txn *t, const char *book_no, uint32_t *no)
{
    uint8_t key[WO_KEY_BYTES];
    wo_key(key, book_no, UINT32_MAX);
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    int rc = bzl__cursor_seek(t, DB_WORKORDER, key, sizeof key, MDB_SET_RANGE, &cur, &k, &v);
    if (cur == NULL) {
        return bzl__mdb_status(rc);
    }
    /* SET_RANGE lands after the book's last key (or at the end): the previous one is it. */
    rc = rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_LAST)
                            : mdb_cursor_get(cur, &k, &v, MDB_PREV);
    *no = 1;
    if (rc == MDB_SUCCESS && k.mv_size == WO_KEY_BYTES &&
        memcmp(k.mv_data, book_no, BZL_BOOK_NO_LEN) == 0) {
        bzl_rd r = {.p = (const uint8_t *)k.mv_data + BZL_BOOK_NO_LEN, .len = 4};
        *no = (uint32_t)rd_be(&r, 4) + 1u;
    }
    return bzl__cursor_end(cur, rc, BZL_OK);
}

/* The repair book of a work-order action, open and with date outside its closed periods; a
 * refusal in out. */
static bzl_status
wo_book(bzl_txn *t, const char *book_no, int32_t date, bzl_action_result *out)
{
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_missing(&out->fault, "book", "book", book_no);
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    if (book.usage != BZL_USAGE_REPAIR) {
        out->status = bzl_fault_set(&out->fault, BZL_FLOW_NOT_ALLOWED, 0, "book",
                                    "book %s is not a repair book: work orders are for repair "
                                    "books (book open --usage repair)",
                                    book_no);
        return BZL_OK;
    }
    if (book.status != BZL_BOOK_OPEN) {
        out->status = bzl_fault_set(&out->fault, BZL_BOOK_NOT_OPEN, 0, "book",
                                    "book %s is not open", book_no);
        return BZL_OK;
    }
    int32_t through = INT32_MIN;
    st = bzl__period_closed_through(t, book_no, &through);
    if (st == BZL_OK && date <= through) {
        char day[16];
        bzl_date_format(date, day, sizeof day);
        out->status = bzl_fault_set(&out->fault, BZL_PERIOD_CLOSED, 0, "date",
                                    "date %s falls in a closed period of book %s", day, book_no);
    }
    return st;
}

/* Journals the opening of wo (entry 18). */
static bzl_status
journal_open(bzl_txn *t, const bzl_workorder *wo, const bzl_actor *actor, uint64_t *seq)
{
    uint8_t *p = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_WO_OPEN, actor, WO_OPEN_ENTRY_BYTES, &p, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = p, .cap = WO_OPEN_ENTRY_BYTES};
    wr_fixed(&w, wo->book_no, BZL_BOOK_NO_LEN);
    wr_u32(&w, wo->no);
    wr_u32(&w, wo->item_no);
    wr_u8(&w, wo->origin);
    wr_i32(&w, wo->opened);
    BZL_ASSERT(w.len == w.cap);
    return bzl__journal_seal(t, *seq);
}

bzl_status
bzl_storage_workorder_open(bzl_txn *batch, const char *book_no, uint32_t item_no, uint8_t origin,
                           int32_t date, const bzl_actor *actor, bzl_action_result *out,
                           uint32_t *no)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(actor != NULL && out != NULL && no != NULL);
    memset(out, 0, sizeof *out);
    if (origin != BZL_ORIGIN_ABROAD && origin != BZL_ORIGIN_OUTSIDE) {
        out->status = bzl_fault_set(&out->fault, BZL_INVALID_ARGUMENT, 0, "origin",
                                    "a work order needs origin abroad or outside");
        return BZL_OK;
    }
    bzl_status st = wo_book(batch, book_no, date, out);
    if (st != BZL_OK || out->status != BZL_OK) {
        return st;
    }
    bzl_item item;
    st = bzl_storage_item_get(batch, book_no, BZL_KIND_PRODUCT, item_no, &item);
    if (st == BZL_NOT_FOUND) {
        out->status =
            bzl_fault_set(&out->fault, BZL_NOT_FOUND, 0, "item",
                          "item %u is not in book %s as a product", (unsigned)item_no, book_no);
        return BZL_OK;
    }
    bzl_repair_totals t;
    int64_t in_work = 0;
    st = st == BZL_OK ? totals_get(batch, book_no, BZL_KIND_PRODUCT, item_no, origin, &t) : st;
    st = st == BZL_OK ? move_get(batch, book_no, BZL_KIND_PRODUCT, item_no, origin,
                                 REPAIR_MOVE_IN_WORK, &in_work)
                      : st;
    if (st != BZL_OK) {
        return st;
    }
    int64_t free_e5 = bzl_repair_awaiting(&t) - in_work;
    if (free_e5 < UNIT_E5) {
        out->status = bzl_fault_set(&out->fault, BZL_INSUFFICIENT_BALANCE, 0, "item",
                                    "no unit of item %u %s is awaiting repair without a work order "
                                    "(every work order repairs one unit received for repair)",
                                    (unsigned)item_no, bzl_origin_phrase(origin));
        out->fault.item_no = item_no;
        out->fault.available_e5 = free_e5 > 0 ? free_e5 : 0;
        return BZL_OK;
    }
    bzl_workorder wo;
    memset(&wo, 0, sizeof wo);
    memcpy(wo.book_no, book_no, BZL_BOOK_NO_LEN);
    wo.item_no = item_no;
    wo.origin = origin;
    wo.state = BZL_WO_OPEN;
    wo.opened = date;
    st = wo_next_no(batch, book_no, &wo.no);
    if (st == BZL_OK) {
        st = journal_open(batch, &wo, actor, &wo.open_seq);
    }
    if (st == BZL_OK) {
        st = wo_put(batch, &wo);
    }
    if (st == BZL_OK) {
        st = move_add(batch, book_no, BZL_KIND_PRODUCT, item_no, origin, REPAIR_MOVE_IN_WORK,
                      UNIT_E5);
    }
    if (st == BZL_OK) {
        out->seq = wo.open_seq;
        *no = wo.no;
    }
    return st;
}

/* Every material and part item exists as a material of the book, and every material is on hand
 * in the quantity used; a refusal in out. */
static bzl_status
wo_check_items(bzl_txn *t, const char *book_no, const bzl_wo_line *mats, uint32_t n_mats,
               const bzl_wo_line *parts, uint32_t n_parts, bzl_action_result *out)
{
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && out->status == BZL_OK && i < n_mats + n_parts; i++) {
        bool part = i >= n_mats;
        const bzl_wo_line *l = part ? &parts[i - n_mats] : &mats[i];
        const char *field = part ? "parts" : "materials";
        uint32_t line = part ? i - n_mats + 1 : i + 1;
        bzl_item item;
        st = bzl_storage_item_get(t, book_no, BZL_KIND_MATERIAL, l->item_no, &item);
        if (st == BZL_NOT_FOUND) {
            out->status = bzl_fault_set(&out->fault, BZL_NOT_FOUND, line, field,
                                        "%s line %u: item %u is not in book %s as a material",
                                        field, (unsigned)line, (unsigned)l->item_no, book_no);
            out->fault.item_no = l->item_no;
            return BZL_OK;
        }
        bzl_repair_totals tot;
        st = st == BZL_OK && !part
                 ? totals_get(t, book_no, BZL_KIND_MATERIAL, l->item_no, BZL_ORIGIN_NONE, &tot)
                 : st;
        if (st == BZL_OK && !part && bzl_repair_materials(&tot) < l->qty_e5) {
            out->status = bzl_fault_set(&out->fault, BZL_INSUFFICIENT_BALANCE, line, field,
                                        "materials line %u: repair material %u on hand is less "
                                        "than the quantity used",
                                        (unsigned)line, (unsigned)l->item_no);
            out->fault.item_no = l->item_no;
            out->fault.available_e5 = bzl_repair_materials(&tot);
        }
    }
    return st;
}

/* Journals the completion of wo (entry 19). */
static bzl_status
journal_done(bzl_txn *t, const bzl_workorder *wo, const bzl_actor *actor, uint64_t *seq)
{
    uint32_t n = wo->n_materials + wo->n_parts;
    size_t len = WO_DONE_ENTRY_FIXED + (size_t)n * WO_LINE_BYTES;
    uint8_t *p = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_WO_COMPLETE, actor, len, &p, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = p, .cap = len};
    wr_fixed(&w, wo->book_no, BZL_BOOK_NO_LEN);
    wr_u32(&w, wo->no);
    wr_u32(&w, wo->item_no);
    wr_u8(&w, wo->origin);
    wr_u8(&w, wo->state);
    wr_i32(&w, wo->completed);
    wr_u16(&w, (uint16_t)wo->n_materials);
    wr_u16(&w, (uint16_t)wo->n_parts);
    for (uint32_t i = 0; i < n; i++) {
        wr_u32(&w, wo->lines[i].item_no);
        wr_i64(&w, wo->lines[i].qty_e5);
    }
    BZL_ASSERT(w.len == w.cap);
    return bzl__journal_seal(t, *seq);
}

/* The movements a completion makes (after it was decided). */
static bzl_status
wo_moves(bzl_txn *t, const bzl_workorder *wo)
{
    uint8_t done = wo->state == BZL_WO_REPAIRED ? BZL_RM_REPAIRED : BZL_RM_UNREPAIRABLE;
    bzl_status st =
        move_add(t, wo->book_no, BZL_KIND_PRODUCT, wo->item_no, wo->origin, done, UNIT_E5);
    if (st == BZL_OK) {
        st = move_add(t, wo->book_no, BZL_KIND_PRODUCT, wo->item_no, wo->origin,
                      REPAIR_MOVE_IN_WORK, -UNIT_E5);
    }
    for (uint32_t i = 0; st == BZL_OK && i < wo->n_materials; i++) {
        st = move_add(t, wo->book_no, BZL_KIND_MATERIAL, wo->lines[i].item_no, BZL_ORIGIN_NONE,
                      BZL_RM_MAT_CONSUMED, wo->lines[i].qty_e5);
    }
    for (uint32_t i = 0; st == BZL_OK && i < wo->n_parts; i++) {
        const bzl_wo_line *l = &wo->lines[wo->n_materials + i];
        st = move_add(t, wo->book_no, BZL_KIND_MATERIAL, l->item_no, wo->origin,
                      BZL_RM_PARTS_GENERATED, l->qty_e5);
    }
    return st;
}

/* The open work order `no`, or a refusal in out. */
static bzl_status
wo_open_one(bzl_txn *t, const char *book_no, uint32_t no, int32_t date, bzl_workorder *wo,
            bzl_action_result *out)
{
    bzl_status st = bzl_storage_workorder_get(t, book_no, no, wo);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_set(&out->fault, BZL_NOT_FOUND, 0, "workorder",
                                    "book %s has no work order %u: a completion needs an open "
                                    "work order",
                                    book_no, (unsigned)no);
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    char day[16];
    if (wo->state != BZL_WO_OPEN) {
        bzl_date_format(wo->completed, day, sizeof day);
        out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "workorder",
                                    "work order %u of book %s is not open: it was completed as "
                                    "%s on %s",
                                    (unsigned)no, book_no, bzl_wo_state_name(wo->state), day);
    } else if (date < wo->opened) {
        bzl_date_format(wo->opened, day, sizeof day);
        out->status = bzl_fault_set(&out->fault, BZL_INVALID_DATE, 0, "date",
                                    "work order %u was opened on %s, after the completion date",
                                    (unsigned)no, day);
    }
    return BZL_OK;
}

bzl_status
bzl_storage_workorder_complete(bzl_txn *batch, const char *book_no, uint32_t no, uint8_t state,
                               int32_t date, const bzl_wo_line *materials, uint32_t n_materials,
                               const bzl_wo_line *parts, uint32_t n_parts, const bzl_actor *actor,
                               bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(state == BZL_WO_REPAIRED || state == BZL_WO_UNREPAIRABLE);
    BZL_ASSERT(actor != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->status =
        bzl_wo_lines_check(materials, n_materials, parts, n_parts, BZL_WO_LINES_MAX, &out->fault);
    if (out->status != BZL_OK) {
        return BZL_OK;
    }
    bzl_workorder *wo = calloc(1, sizeof *wo);
    if (wo == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_status st = wo_book(batch, book_no, date, out);
    if (st == BZL_OK && out->status == BZL_OK) {
        st = wo_open_one(batch, book_no, no, date, wo, out);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = wo_check_items(batch, book_no, materials, n_materials, parts, n_parts, out);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        wo->state = state;
        wo->completed = date;
        wo->n_materials = n_materials;
        wo->n_parts = n_parts;
        memcpy(wo->lines, materials, n_materials * sizeof *materials);
        memcpy(wo->lines + n_materials, parts, n_parts * sizeof *parts);
        st = journal_done(batch, wo, actor, &wo->done_seq);
        st = st == BZL_OK ? wo_put(batch, wo) : st;
        st = st == BZL_OK ? wo_moves(batch, wo) : st;
        out->seq = wo->done_seq;
    }
    free(wo);
    return st;
}

/* ---- the accounts ------------------------------------------------------------------------------
 */

bzl_status
bzl_storage_repair_rows(bzl_txn *t, const char *book_no, bzl_repair_row *out, size_t cap,
                        size_t *count, bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL);
    BZL_ASSERT(cap > 0);
    uint8_t key[BZL_BOOK_NO_LEN];
    memcpy(key, book_no, BZL_BOOK_NO_LEN);
    bzl__walk w;
    bzl__walk_begin(t, DB_REPAIR, key, sizeof key, sizeof key, &w);
    size_t n = 0;
    bool further = false;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* rows × 13 movements, stops past cap */
        if (w.k.mv_size != REPAIR_KEY_BYTES || w.v.mv_size != 8u) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_rd r = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN};
        uint8_t kind = rd_u8(&r);
        uint32_t item = (uint32_t)rd_be(&r, 4);
        uint8_t origin = rd_u8(&r);
        uint8_t move = rd_u8(&r);
        bzl_rd vr = {.p = w.v.mv_data, .len = 8};
        int64_t qty = rd_i64(&vr);
        if (move == 0 || move > REPAIR_MOVE_IN_WORK || origin >= BZL_REPAIR_ORIGINS) {
            st = BZL_CORRUPT;
            break;
        }
        bool same = n > 0 && out[n - 1].kind == kind && out[n - 1].item_no == item &&
                    out[n - 1].origin == origin;
        if (!same) {
            if (n == cap) {
                further = true;
                break;
            }
            memset(&out[n], 0, sizeof out[n]);
            out[n].kind = kind;
            out[n].item_no = item;
            out[n].origin = origin;
            n++;
        }
        if (move == REPAIR_MOVE_IN_WORK) {
            out[n - 1].in_work_e5 = qty;
        } else {
            out[n - 1].totals.moves_e5[move] = qty;
        }
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK) {
        *count = n;
        *more = further;
    }
    return st;
}
