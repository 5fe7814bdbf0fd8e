/* storage_verify_repair.c — verify's recomputation of the repair accounts (storage_repair.c's
 * repair table) from the journal: the books' usage as their entries left it, every declaration
 * posted on a repair book (by the same rules, bzl_repair_line, over the totals recomputed so
 * far), and every work-order entry (18 open, 19 complete). Then the stored table is walked once
 * and compared with what the journal gives, both ways (storage_verify_derived.c's pattern). */
#include "storage_internal.h"

#include "bzl/decimal.h"

#include <stdio.h>
#include <stdlib.h>

#define UNIT_E5 100000

typedef struct move_rec {
    uint8_t key[REPAIR_KEY_BYTES];
    bool stored;
    int64_t qty_e5;
} move_rec;

typedef struct usage_rec {
    uint8_t key[BZL_BOOK_NO_LEN];
    uint8_t usage;
    uint8_t verify_mode;
} usage_rec;

/* A delivery row (storage_transfer.c's delivery table) as its entry 20 gives it. */
#define DLV_KEY_BYTES (2u * BZL_BOOK_NO_LEN + 1u + 4u + 4u + 8u)
typedef struct delivery_rec {
    uint8_t key[DLV_KEY_BYTES];
    bool stored;
    int64_t qty_e5;
    uint8_t is_return;
} delivery_rec;

/* A work order as its entries 18 and 19 leave it (storage_repair.c's workorder table); the
 * completion's lines are kept as a hash of their bytes. */
#define WO_REC_KEY_BYTES (BZL_BOOK_NO_LEN + 4u)
typedef struct wo_rec {
    uint8_t key[WO_REC_KEY_BYTES];
    bool stored;
    uint32_t item;
    uint8_t origin;
    uint8_t state;
    int32_t opened;
    int32_t completed;
    uint64_t open_seq;
    uint64_t done_seq;
    uint16_t n_materials;
    uint16_t n_parts;
    uint64_t lines_hash;
} wo_rec;

struct bzl__repair_derived {
    bzl__keyed moves;
    bzl__keyed books;
    bzl__keyed deliveries;
    bzl__keyed workorders;
};

/* FNV-1a over the lines' bytes, as stored and as journaled (the same layout). */
static uint64_t
lines_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ull;
    }
    return h;
}

bzl_status
bzl__repair_derived_create(bzl__repair_derived **out)
{
    bzl__repair_derived *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return BZL_NO_MEMORY;
    }
    r->moves = (bzl__keyed){
        .rec_bytes = sizeof(move_rec), .key_bytes = REPAIR_KEY_BYTES, .first_cap = 256};
    r->books =
        (bzl__keyed){.rec_bytes = sizeof(usage_rec), .key_bytes = BZL_BOOK_NO_LEN, .first_cap = 64};
    r->deliveries = (bzl__keyed){
        .rec_bytes = sizeof(delivery_rec), .key_bytes = DLV_KEY_BYTES, .first_cap = 64};
    r->workorders =
        (bzl__keyed){.rec_bytes = sizeof(wo_rec), .key_bytes = WO_REC_KEY_BYTES, .first_cap = 64};
    *out = r;
    return BZL_OK;
}

void
bzl__repair_derived_destroy(bzl__repair_derived *r)
{
    if (r != NULL) {
        bzl__keyed_free(&r->moves);
        bzl__keyed_free(&r->books);
        bzl__keyed_free(&r->deliveries);
        bzl__keyed_free(&r->workorders);
        free(r);
    }
}

static bzl_status
move_add(bzl__repair_derived *r, const char *book_no, uint8_t kind, uint32_t item, uint8_t origin,
         uint8_t move, int64_t delta)
{
    uint8_t key[REPAIR_KEY_BYTES];
    bzl__repair_key(key, book_no, kind, item, origin, move);
    if (bzl__keyed_grow(&r->moves) != BZL_OK) {
        return BZL_NO_MEMORY;
    }
    move_rec *x = bzl__keyed_find(&r->moves, key, true);
    x->qty_e5 = (int64_t)((uint64_t)x->qty_e5 + (uint64_t)delta); /* a damaged sum won't match */
    return BZL_OK;
}

static void
totals_of(bzl__repair_derived *r, const char *book_no, uint8_t kind, uint32_t item, uint8_t origin,
          bzl_repair_totals *out)
{
    memset(out, 0, sizeof *out);
    for (uint8_t m = 1; m < BZL_RM_COUNT; m++) {
        uint8_t key[REPAIR_KEY_BYTES];
        bzl__repair_key(key, book_no, kind, item, origin, m);
        const move_rec *x = bzl__keyed_find(&r->moves, key, false);
        out->moves_e5[m] = x != NULL ? x->qty_e5 : 0;
    }
}

/* 2 book: book_no | enterprise | verify_mode | status | period_days [| usage]. */
static bzl_status
on_book(bzl__repair_derived *r, const bzl__entry *e)
{
    if (e->payload_len < BOOK_RECORD_BYTES) {
        return BZL_CORRUPT;
    }
    if (bzl__keyed_grow(&r->books) != BZL_OK) {
        return BZL_NO_MEMORY;
    }
    usage_rec *b = bzl__keyed_find(&r->books, e->payload, true);
    b->verify_mode = e->payload[BZL_BOOK_NO_LEN + BZL_ENTERPRISE_CODE_LEN];
    b->usage = e->payload_len > BOOK_RECORD_BYTES ? e->payload[BOOK_RECORD_BYTES] : 0;
    return BZL_OK;
}

/* 4 declaration on a repair book, posted at once (a repair book takes no pending one and
 * reverses none): its lines by bzl_repair_line, as storage_repair.c applied them. */
static bzl_status
on_declaration(bzl__repair_derived *r, const bzl__entry *e, bzl_decl_line *lines)
{
    bzl_declaration d;
    size_t used = 0;
    bzl_status st =
        bzl__decl_decode(e->payload, e->payload_len, &d, lines, BZL_DECL_LINES_CEILING, &used);
    if (st != BZL_OK) {
        return st;
    }
    d.lines = lines;
    const usage_rec *b = bzl__keyed_find(&r->books, (const uint8_t *)d.book_no, false);
    bzl_flow flow = BZL_FLOW_NONE;
    if (b == NULL || b->usage != BZL_USAGE_REPAIR || d.pending ||
        bzl_flow_lookup((bzl_kind)d.kind, (bzl_direction)d.direction, d.trade_mode, d.book_no[0],
                        b->verify_mode, d.related_book[0] != '\0', &flow, NULL) != BZL_OK) {
        return BZL_OK;
    }
    bool parts = flow == BZL_FLOW_SCRAP_REEXPORT || flow == BZL_FLOW_SCRAP_DESTROY ||
                 flow == BZL_FLOW_REPAIR_GATE;
    uint8_t origin = d.kind == BZL_KIND_MATERIAL && !parts ? BZL_ORIGIN_NONE : d.origin;
    uint8_t other = origin == BZL_ORIGIN_ABROAD    ? BZL_ORIGIN_OUTSIDE
                    : origin == BZL_ORIGIN_OUTSIDE ? BZL_ORIGIN_ABROAD
                                                   : BZL_ORIGIN_NONE;
    for (uint32_t i = 0; st == BZL_OK && i < d.line_count; i++) {
        bzl_repair_totals mine;
        bzl_repair_totals theirs;
        totals_of(r, d.book_no, d.kind, lines[i].item_no, origin, &mine);
        memset(&theirs, 0, sizeof theirs);
        if (other != BZL_ORIGIN_NONE) {
            totals_of(r, d.book_no, d.kind, lines[i].item_no, other, &theirs);
        }
        bzl_repair_step step;
        if (lines[i].qty_e5 <= 0 ||
            bzl_repair_line(flow, d.origin, lines[i].qty_e5, &mine, &theirs, i + 1,
                            lines[i].item_no, &step, NULL) != BZL_OK) {
            continue; /* the rules refuse it now: the stored rows will not match */
        }
        st = move_add(r, d.book_no, d.kind, lines[i].item_no, origin, (uint8_t)step.move,
                      step.first_e5);
        if (st == BZL_OK && step.second != 0) {
            st = move_add(r, d.book_no, d.kind, lines[i].item_no, origin, (uint8_t)step.second,
                          step.second_e5);
        }
    }
    return st;
}

/* 18 open: book | no | item | origin | date; 19 complete: … | state | date | counts | lines. */
/* The work order record entry e (18 or 19, sequence seq) leaves. */
static bzl_status
wo_record(bzl__repair_derived *r, uint64_t seq, const bzl__entry *e, uint32_t no, uint8_t state,
          int32_t date, uint16_t n_mats, uint16_t n_parts, const uint8_t *lines, size_t len)
{
    uint8_t key[WO_REC_KEY_BYTES];
    memcpy(key, e->payload, BZL_BOOK_NO_LEN);
    bzl_wr w = {.p = key + BZL_BOOK_NO_LEN, .cap = 4};
    wr_be(&w, no, 4);
    if (bzl__keyed_grow(&r->workorders) != BZL_OK) {
        return BZL_NO_MEMORY;
    }
    wo_rec *x = bzl__keyed_find(&r->workorders, key, true);
    bzl_rd rd = {.p = e->payload, .len = e->payload_len, .off = BZL_BOOK_NO_LEN + 4u};
    x->item = rd_u32(&rd);
    x->origin = rd_u8(&rd);
    x->state = state;
    if (e->type == JOURNAL_WO_OPEN) {
        x->opened = date;
        x->open_seq = seq;
        return BZL_OK;
    }
    x->completed = date;
    x->done_seq = seq;
    x->n_materials = n_mats;
    x->n_parts = n_parts;
    x->lines_hash = lines_hash(lines, len);
    return BZL_OK;
}

static bzl_status
on_workorder(bzl__repair_derived *r, uint64_t seq, const bzl__entry *e)
{
    bzl_rd rd = {.p = e->payload, .len = e->payload_len};
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&rd, book, sizeof book, BZL_BOOK_NO_LEN, false);
    uint32_t no = rd_u32(&rd);
    uint32_t item = rd_u32(&rd);
    uint8_t origin = rd_u8(&rd);
    if (e->type == JOURNAL_WO_OPEN) {
        int32_t opened = rd_i32(&rd);
        bzl_status st = !rd_done(&rd) ? BZL_CORRUPT
                                      : move_add(r, book, BZL_KIND_PRODUCT, item, origin,
                                                 REPAIR_MOVE_IN_WORK, UNIT_E5);
        return st == BZL_OK ? wo_record(r, seq, e, no, BZL_WO_OPEN, opened, 0, 0, NULL, 0) : st;
    }
    uint8_t state = rd_u8(&rd);
    int32_t completed = rd_i32(&rd);
    uint32_t n_mats = rd_u16(&rd);
    uint32_t n_parts = rd_u16(&rd);
    if (rd.bad || (size_t)(n_mats + n_parts) * WO_LINE_BYTES != rd.len - rd.off ||
        (state != BZL_WO_REPAIRED && state != BZL_WO_UNREPAIRABLE)) {
        return BZL_CORRUPT;
    }
    bzl_status st = wo_record(r, seq, e, no, state, completed, (uint16_t)n_mats, (uint16_t)n_parts,
                              rd.p + rd.off, rd.len - rd.off);
    uint8_t done = state == BZL_WO_REPAIRED ? BZL_RM_REPAIRED : BZL_RM_UNREPAIRABLE;
    st = st == BZL_OK ? move_add(r, book, BZL_KIND_PRODUCT, item, origin, done, UNIT_E5) : st;
    st = st == BZL_OK
             ? move_add(r, book, BZL_KIND_PRODUCT, item, origin, REPAIR_MOVE_IN_WORK, -UNIT_E5)
             : st;
    for (uint32_t i = 0; st == BZL_OK && i < n_mats + n_parts; i++) {
        uint32_t line_item = rd_u32(&rd);
        int64_t qty = rd_i64(&rd);
        st = i < n_mats ? move_add(r, book, BZL_KIND_MATERIAL, line_item, BZL_ORIGIN_NONE,
                                   BZL_RM_MAT_CONSUMED, qty)
                        : move_add(r, book, BZL_KIND_MATERIAL, line_item, origin,
                                   BZL_RM_PARTS_GENERATED, qty);
    }
    return st;
}

/* 20 delivery: book | counterpart | kind | item | date | qty | is_return; keyed as the
 * delivery table keys it, by the entry's sequence. */
static bzl_status
on_delivery(bzl__repair_derived *r, uint64_t seq, const bzl__entry *e)
{
    bzl_rd rd = {.p = e->payload, .len = e->payload_len};
    const uint8_t *books = rd_take(&rd, 2u * BZL_BOOK_NO_LEN);
    uint8_t kind = rd_u8(&rd);
    uint32_t item = rd_u32(&rd);
    int32_t date = rd_i32(&rd);
    int64_t qty = rd_i64(&rd);
    uint8_t ret = rd_u8(&rd);
    if (!rd_done(&rd)) {
        return BZL_CORRUPT;
    }
    uint8_t key[DLV_KEY_BYTES];
    bzl_wr w = {.p = key, .cap = sizeof key};
    wr_bytes(&w, books, 2u * BZL_BOOK_NO_LEN);
    wr_u8(&w, kind);
    wr_be(&w, item, 4);
    wr_be(&w, (uint32_t)date ^ 0x80000000u, 4);
    wr_be(&w, seq, 8);
    if (bzl__keyed_grow(&r->deliveries) != BZL_OK) {
        return BZL_NO_MEMORY;
    }
    delivery_rec *x = bzl__keyed_find(&r->deliveries, key, true);
    x->qty_e5 = qty;
    x->is_return = ret;
    return BZL_OK;
}

bzl_status
bzl__repair_derived_add(bzl__repair_derived *r, uint64_t seq, const bzl__entry *e,
                        bzl_decl_line *lines)
{
    BZL_ASSERT(r != NULL && e != NULL && lines != NULL);
    switch (e->type) {
    case JOURNAL_BOOK:
        return on_book(r, e);
    case JOURNAL_DECLARATION:
        return on_declaration(r, e, lines);
    case JOURNAL_WO_OPEN:
    case JOURNAL_WO_COMPLETE:
        return on_workorder(r, seq, e);
    case JOURNAL_DELIVERY:
        return on_delivery(r, seq, e);
    default:
        return BZL_OK;
    }
}

/* "H72012400001 material 1 abroad move 9" for a key. */
static void
key_text(const uint8_t *key, char *buf, size_t cap)
{
    bzl_rd r = {.p = key, .len = REPAIR_KEY_BYTES};
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, false);
    uint8_t kind = rd_u8(&r);
    uint32_t item = (uint32_t)rd_be(&r, 4);
    uint8_t origin = rd_u8(&r);
    uint8_t move = rd_u8(&r);
    snprintf(buf, cap, "%s %s %u %s move %u", book, bzl_kind_name((bzl_kind)kind), (unsigned)item,
             origin == 0 ? "-" : bzl_origin_word(origin), (unsigned)move);
}

static bzl_status
differs(bzl_verify_report *out, const uint8_t *key, const int64_t *stored, const int64_t *re)
{
    char text[96];
    key_text(key, text, sizeof text);
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "repair");
    snprintf(out->key, sizeof out->key, "%s", text);
    snprintf(out->field, sizeof out->field, "qty");
    snprintf(out->book_no, sizeof out->book_no, "%.*s", (int)BZL_BOOK_NO_LEN, (const char *)key);
    out->stored_e5 = stored != NULL ? *stored : 0;
    out->recomputed_e5 = re != NULL ? *re : 0;
    char st[BZL_DEC_TEXT_BYTES] = "no row";
    char rt[BZL_DEC_TEXT_BYTES] = "no entry";
    if (stored != NULL) {
        bzl_dec_format(*stored, BZL_SCALE_QTY, st, sizeof st);
    }
    if (re != NULL) {
        bzl_dec_format(*re, BZL_SCALE_QTY, rt, sizeof rt);
    }
    snprintf(out->message, sizeof out->message,
             "repair %s: qty stored %s but recomputed from the journal %s", text, st, rt);
    return BZL_TAMPERED;
}

/* The delivery table against entries 20, both ways. */
static bzl_status
compare_deliveries(bzl__repair_derived *r, bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_DELIVERY, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    const delivery_rec *bad = NULL;
    int64_t stored = 0;
    bool missing = false;
    while (st == BZL_OK && bad == NULL && !missing && bzl__walk_next(&w)) { /* every row */
        bzl_rd rd = {.p = w.v.mv_data, .len = w.v.mv_size};
        stored = rd_i64(&rd);
        uint8_t ret = rd_u8(&rd);
        if (w.k.mv_size != DLV_KEY_BYTES || !rd_done(&rd)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        delivery_rec *x = bzl__keyed_find(&r->deliveries, w.k.mv_data, false);
        if (x == NULL) {
            missing = true;
        } else if (x->qty_e5 != stored || x->is_return != ret) {
            bad = x;
        } else {
            x->stored = true;
        }
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && bad == NULL && !missing && i < r->deliveries.cap; i++) {
        const delivery_rec *x = bzl__keyed_at(&r->deliveries, i);
        if (x != NULL && !x->stored) {
            bad = x;
            stored = 0;
        }
    }
    if (st == BZL_OK && (bad != NULL || missing)) {
        out->mismatch = true;
        snprintf(out->table, sizeof out->table, "delivery");
        snprintf(out->field, sizeof out->field, "qty");
        out->stored_e5 = stored;
        out->recomputed_e5 = bad != NULL ? bad->qty_e5 : 0;
        snprintf(out->message, sizeof out->message,
                 "delivery: a record %s the journal's delivery entries",
                 missing ? "no journal entry made, beside" : "that differs from");
        st = BZL_TAMPERED;
    }
    return st;
}

/* The workorder table against entries 18 and 19, both ways. */
static bzl_status
compare_workorders(bzl__repair_derived *r, bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_WORKORDER, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    bool bad = false;
    while (st == BZL_OK && !bad && bzl__walk_next(&w)) { /* every stored work order once */
        bzl_rd rd = {.p = w.v.mv_data, .len = w.v.mv_size};
        wo_rec got = {.item = rd_u32(&rd)};
        got.origin = rd_u8(&rd);
        got.state = rd_u8(&rd);
        got.opened = rd_i32(&rd);
        got.completed = rd_i32(&rd);
        got.open_seq = rd_u64(&rd);
        got.done_seq = rd_u64(&rd);
        got.n_materials = rd_u16(&rd);
        got.n_parts = rd_u16(&rd);
        if (rd.bad || w.k.mv_size != WO_REC_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        wo_rec *x = bzl__keyed_find(&r->workorders, w.k.mv_data, false);
        got.lines_hash = lines_hash(rd.p + rd.off, rd.len - rd.off);
        bool lines_ok = x != NULL && (x->state == BZL_WO_OPEN ? rd.off == rd.len
                                                              : got.lines_hash == x->lines_hash);
        bad = x == NULL || !lines_ok || x->item != got.item || x->origin != got.origin ||
              x->state != got.state || x->opened != got.opened || x->completed != got.completed ||
              x->open_seq != got.open_seq || x->done_seq != got.done_seq ||
              x->n_materials != got.n_materials || x->n_parts != got.n_parts;
        if (x != NULL) {
            x->stored = true;
        }
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && !bad && i < r->workorders.cap; i++) {
        const wo_rec *x = bzl__keyed_at(&r->workorders, i);
        bad = x != NULL && !x->stored;
    }
    if (st == BZL_OK && bad) {
        out->mismatch = true;
        snprintf(out->table, sizeof out->table, "workorder");
        snprintf(out->field, sizeof out->field, "record");
        snprintf(out->message, sizeof out->message,
                 "workorder: a stored work order differs from what the journal's work-order "
                 "entries give");
        st = BZL_TAMPERED;
    }
    return st;
}

bzl_status
bzl__repair_derived_compare(bzl__repair_derived *r, bzl_txn *t, bzl_verify_report *out)
{
    BZL_ASSERT(r != NULL && out != NULL);
    bzl__walk w;
    bzl__walk_begin(t, DB_REPAIR, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* every stored row once */
        bzl_rd rd = {.p = w.v.mv_data, .len = w.v.mv_size};
        int64_t stored = rd_i64(&rd);
        if (w.k.mv_size != REPAIR_KEY_BYTES || !rd_done(&rd)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        move_rec *x = bzl__keyed_find(&r->moves, w.k.mv_data, false);
        if (x == NULL || x->qty_e5 != stored) {
            st = differs(out, w.k.mv_data, &stored, x != NULL ? &x->qty_e5 : NULL);
            break;
        }
        x->stored = true;
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && i < r->moves.cap; i++) { /* every recomputed row */
        const move_rec *x = bzl__keyed_at(&r->moves, i);
        if (x != NULL && !x->stored && x->qty_e5 != 0) {
            st = differs(out, x->key, NULL, &x->qty_e5);
        }
    }
    st = st == BZL_OK ? compare_deliveries(r, t, out) : st;
    return st == BZL_OK ? compare_workorders(r, t, out) : st;
}
