/* storage_desk.c — the officer's work queue: declarations in the order they were submitted
 * (the journal's), filtered by state, enterprise, book, date, trade mode and age. Byte
 * layouts: format.h. */
#include "storage_internal.h"

#include <string.h>

/* The flow of d in its book (BZL_FLOW_NONE when the book or the trade mode no longer tells). */
static uint8_t
decl_flow(bzl_txn *t, const bzl_declaration *d)
{
    bzl_book book;
    bzl_fault ignored;
    bzl_flow flow = BZL_FLOW_NONE;
    if (bzl_storage_book_get(t, d->book_no, &book) != BZL_OK ||
        bzl_flow_lookup((bzl_kind)d->kind, (bzl_direction)d->direction, d->trade_mode,
                        d->book_no[0], book.verify_mode, d->related_book[0] != '\0', &flow,
                        &ignored) != BZL_OK) {
        flow = BZL_FLOW_NONE;
    }
    return (uint8_t)flow;
}

/* Whether the declaration d, journaled at time_ms, passes f's header filters. */
static bool
decl_matches(const bzl_decl_filter *f, const bzl_declaration *d, int64_t time_ms)
{
    return (f->enterprise[0] == '\0' || strcmp(f->enterprise, d->enterprise) == 0) &&
           (f->book_no[0] == '\0' || strcmp(f->book_no, d->book_no) == 0) &&
           (f->trade_mode[0] == '\0' || strcmp(f->trade_mode, d->trade_mode) == 0) &&
           d->date >= f->from && d->date <= f->to &&
           (f->submitted_before_ms == 0 || time_ms < f->submitted_before_ms);
}

/* Decodes the declaration entry in v into row when it passes f (and the caller's visible());
 * *kept says whether it did. BZL_CORRUPT for an entry that does not decode. */
static bzl_status
decl_row(bzl_txn *t, const bzl_decl_filter *f, uint64_t seq, const MDB_val *v, bzl_decl_row *row,
         bool *kept)
{
    *kept = false;
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    (void)rd_u8(&r); /* the type, checked by the caller */
    int64_t time_ms = rd_i64(&r);
    if (r.bad || v->mv_size < JOURNAL_HEADER_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_declaration d;
    size_t used = 0;
    bzl_status st = bzl__decl_decode((const uint8_t *)v->mv_data + JOURNAL_HEADER_BYTES,
                                     v->mv_size - JOURNAL_HEADER_BYTES, &d, NULL, 0, &used);
    if (st != BZL_OK || !decl_matches(f, &d, time_ms) ||
        (f->visible != NULL && !f->visible(f->visible_arg, d.enterprise))) {
        return st;
    }
    bzl__decl_state ds;
    st = bzl__decl_state_get(t, d.enterprise, d.id, &ds);
    if (st == BZL_OK && ds.seq > seq) {
        return BZL_OK; /* an earlier version, replaced by a change (storage_replace.c) */
    }
    if (st == BZL_NOT_FOUND || (st == BZL_OK && ds.seq != seq)) {
        return BZL_CORRUPT; /* every declaration entry has its state, pointing back at it */
    }
    if (st != BZL_OK || (f->state != 0 && ds.state != f->state)) {
        return st;
    }
    memset(row, 0, sizeof *row);
    row->seq = seq;
    row->time_ms = time_ms;
    memcpy(row->id, d.id, sizeof row->id);
    memcpy(row->enterprise, d.enterprise, sizeof row->enterprise);
    memcpy(row->book_no, d.book_no, sizeof row->book_no);
    memcpy(row->trade_mode, d.trade_mode, sizeof row->trade_mode);
    row->date = d.date;
    row->kind = d.kind;
    row->direction = d.direction;
    row->line_count = d.line_count;
    row->state = ds.state;
    row->flow = decl_flow(t, &d);
    *kept = true;
    return BZL_OK;
}

bzl_status
bzl_storage_decl_list(bzl_txn *t, const bzl_decl_filter *f, bzl_decl_row *out, size_t cap,
                      size_t *count, uint64_t *next_after, bool *more)
{
    BZL_ASSERT(t != NULL && f != NULL && out != NULL);
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    uint8_t start[8];
    size_t n = 0;
    uint64_t last = f->after_seq;
    bool further = false;
    bzl_status st = BZL_OK;
    bzl__walk w;
    bzl__journal_walk_after(t, f->after_seq, start, &w);
    /* Bounded per call: at most BZL_AUDIT_SCAN_MAX entries examined, then the caller pages on
     * from the last one, so a filter that matches rarely still answers promptly. */
    for (uint32_t scanned = 0; st == BZL_OK && bzl__walk_next(&w); scanned++) {
        if (n == cap || scanned == BZL_AUDIT_SCAN_MAX) {
            further = true;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        uint64_t seq = rd_be(&kr, 8);
        if (!rd_done(&kr) || w.v.mv_size == 0) {
            st = BZL_CORRUPT;
            break;
        }
        t->journal_reads++;
        bool kept = false;
        if (((const uint8_t *)w.v.mv_data)[0] == JOURNAL_DECLARATION) {
            st = decl_row(t, f, seq, &w.v, &out[n], &kept);
        }
        n += kept;
        last = seq;
    }
    st = bzl__list_end(w.cur, w.rc, st, n, further, count, more);
    if (st == BZL_OK) {
        *next_after = last;
    }
    return st;
}
