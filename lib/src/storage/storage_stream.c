/* storage_stream.c — the journal as a stream: every entry after a sequence, with its chain
 * hashes and its content decoded, for a warehouse that ships the journal (docs/WAREHOUSE.md).
 *
 * Only reads. Memory is bounded by the largest entry, never by the journal: the lines, modes
 * and effects of the entry being visited live in buffers grown to that entry and reused.
 */
#include "storage_internal.h"

#include "bzl/flows.h"

#include <stdlib.h>

/* Buffers reused from entry to entry within one call. */
typedef struct stream {
    bzl_txn *t;
    bzl_decl_line *lines;
    uint8_t *modes;
    uint32_t lines_cap;
    uint32_t modes_cap;
    bzl_effect *effects;
    uint32_t effects_cap;
    bzl__parts values;
} stream;

static bzl_status
grow(void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap) {
        return BZL_OK;
    }
    void *p = realloc(*buf, (size_t)need * size);
    if (p == NULL) {
        return BZL_NO_MEMORY;
    }
    *buf = p;
    *cap = need;
    return BZL_OK;
}

/* The effects section at r, into the stream's buffer. The count is checked against the bytes
 * that remain before anything is allocated. */
static bzl_status
effects_read(stream *s, bzl_rd *r, bzl_journal_record *rec)
{
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t count = 0;
    bzl__effects_header(r, book, &rec->month, &count);
    if (r->bad || (size_t)count * EFFECT_BYTES > r->len - r->off) {
        return BZL_CORRUPT;
    }
    bzl_status st = grow((void **)&s->effects, &s->effects_cap, count, sizeof *s->effects);
    for (uint32_t i = 0; st == BZL_OK && i < count; i++) {
        bzl__effect_read(r, &s->effects[i]);
    }
    if (st == BZL_OK && r->bad) {
        st = BZL_CORRUPT;
    }
    if (st == BZL_OK) {
        rec->effects = s->effects;
        rec->effect_count = count;
    }
    bool moved_value = false;
    for (uint32_t i = 0; st == BZL_OK && i < count; i++) {
        moved_value |= s->effects[i].value_e5 != 0;
    }
    if (moved_value) {
        /* Only an entry that moved a posted value has a split row: the lookup is skipped for
         * the rest (pending declarations, quantity-only effects). */
        s->values.count = 0;
        st = bzl__values_split_read(s->t, rec->seq, book, &s->values);
        rec->values = s->values.items;
        rec->value_count = s->values.count;
    }
    return st;
}

static bzl_status
content_declaration(stream *s, const bzl__entry *e, bzl_journal_record *rec)
{
    bzl_declaration head;
    size_t used = 0;
    bzl_status st = bzl__decl_decode(e->payload, e->payload_len, &head, NULL, 0, &used);
    if (st == BZL_OK) {
        /* line_count was checked against BZL_DECL_LINES_CEILING and the payload's bytes */
        st = grow((void **)&s->lines, &s->lines_cap, head.line_count, sizeof *s->lines);
    }
    if (st == BZL_OK) {
        st = grow((void **)&s->modes, &s->modes_cap, head.line_count, sizeof *s->modes);
    }
    if (st == BZL_OK) {
        st =
            bzl__decl_decode(e->payload, e->payload_len, &rec->decl, s->lines, s->lines_cap, &used);
    }
    for (uint32_t i = 0; st == BZL_OK && i < rec->decl.line_count; i++) {
        st = bzl__line_mode(s->t, &rec->decl, &s->lines[i], &s->modes[i]);
    }
    if (st != BZL_OK) {
        return st;
    }
    rec->line_modes = s->modes;
    bzl_book book;
    bzl_fault ignored;
    bzl_flow flow = BZL_FLOW_NONE;
    if (bzl_storage_book_get(s->t, rec->decl.book_no, &book) != BZL_OK ||
        bzl_flow_lookup((bzl_kind)rec->decl.kind, (bzl_direction)rec->decl.direction,
                        rec->decl.trade_mode, rec->decl.book_no[0], book.verify_mode,
                        rec->decl.related_book[0] != '\0', &flow, &ignored) != BZL_OK) {
        flow = BZL_FLOW_NONE;
    }
    rec->flow = (uint8_t)flow;
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = used};
    return effects_read(s, &r, rec);
}

/* post, void, reject, reverse: ref_seq [| posting_seq] | enterprise | id [| reason] | EFFECTS. */
static bzl_status
content_action(stream *s, const bzl__entry *e, bzl_journal_record *rec)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    rec->ref_seq = rd_u64(&r);
    if (e->type == JOURNAL_REVERSE) {
        rec->posting_seq = rd_u64(&r);
    }
    char ent[BZL_ENTERPRISE_CODE_LEN + 1];
    rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    size_t id_len = rd_u8(&r);
    r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, rec->id, sizeof rec->id, r.bad ? 0 : id_len, false);
    if (e->type != JOURNAL_POST) {
        size_t reason_len = rd_u16(&r);
        r.bad |= reason_len > BZL_TEXT_BYTES_MAX;
        rd_text(&r, rec->reason, sizeof rec->reason, r.bad ? 0 : reason_len, false);
    }
    return r.bad ? BZL_CORRUPT : effects_read(s, &r, rec);
}

/* rate and trade: month u32 BE | currency[3] | two i64 (format.h). */
static bzl_status
content_month_row(const bzl__entry *e, bzl_journal_record *rec)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    rec->month = (uint32_t)rd_be(&r, 4);
    rd_text(&r, rec->currency, sizeof rec->currency, BZL_CURRENCY_LEN, true);
    rec->amount_a = rd_i64(&r);
    rec->amount_b = rd_i64(&r);
    return rd_done(&r) ? BZL_OK : BZL_CORRUPT;
}

/* item mode: book_no | kind | item u32 BE | from i32 BE | mode (the item_mode key, the mode). */
static bzl_status
content_item_mode(const bzl__entry *e, bzl_journal_record *rec)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    rd_text(&r, rec->item.book_no, sizeof rec->item.book_no, BZL_BOOK_NO_LEN, false);
    rec->item.kind = rd_u8(&r);
    rec->item.item_no = (uint32_t)rd_be(&r, 4);
    rec->date = (int32_t)(uint32_t)rd_be(&r, 4);
    rec->item.biz_mode = rd_u8(&r);
    rec->has_date = true;
    return rd_done(&r) && rec->item.biz_mode <= BZL_BIZ_OBM ? BZL_OK : BZL_CORRUPT;
}

/* period close and stocktake open with book_no | date i32. */
static bzl_status
content_book_date(const bzl__entry *e, bzl_journal_record *rec)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = BZL_BOOK_NO_LEN};
    rec->date = rd_i32(&r);
    rec->has_date = true;
    return r.bad ? BZL_CORRUPT : BZL_OK;
}

static bzl_status
content_decode(stream *s, const bzl__entry *e, bzl_journal_record *rec)
{
    MDB_val k;
    MDB_val v;
    switch (e->type) {
    case JOURNAL_ENTERPRISE:
        if (e->payload_len < BZL_ENTERPRISE_CODE_LEN) {
            return BZL_CORRUPT;
        }
        k = bzl__mval(e->payload, BZL_ENTERPRISE_CODE_LEN);
        v = bzl__mval(e->payload + BZL_ENTERPRISE_CODE_LEN,
                      e->payload_len - BZL_ENTERPRISE_CODE_LEN);
        return bzl__enterprise_decode(&k, &v, &rec->ent);
    case JOURNAL_ITEM:
        if (e->payload_len < ITEM_KEY_BYTES) {
            return BZL_CORRUPT;
        }
        k = bzl__mval(e->payload, ITEM_KEY_BYTES);
        v = bzl__mval(e->payload + ITEM_KEY_BYTES, e->payload_len - ITEM_KEY_BYTES);
        return bzl__item_decode(&k, &v, &rec->item);
    case JOURNAL_DECLARATION:
        return content_declaration(s, e, rec);
    case JOURNAL_POST:
    case JOURNAL_VOID:
    case JOURNAL_REVERSE:
    case JOURNAL_REJECT:
        return content_action(s, e, rec);
    case JOURNAL_RATE:
    case JOURNAL_TRADE:
        return content_month_row(e, rec);
    case JOURNAL_ITEM_MODE:
        return content_item_mode(e, rec);
    case JOURNAL_PERIOD_CLOSE:
    case JOURNAL_STOCKTAKE:
        return content_book_date(e, rec);
    default:
        /* book, norm and later types: the summary, enterprise and book tell them. */
        return BZL_OK;
    }
}

/* The stored hash of entry seq: zeros before entry 1; *found false when there is no entry. */
static bzl_status
hash_of(bzl_txn *t, uint64_t seq, uint8_t out[JOURNAL_HASH_BYTES], bool *found)
{
    memset(out, 0, JOURNAL_HASH_BYTES);
    *found = seq == 0;
    if (seq == 0) {
        return BZL_OK;
    }
    uint8_t key[8];
    bzl_wr w = {.p = key, .cap = sizeof key};
    wr_be(&w, seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    t->journal_reads++;
    int rc = mdb_get(t->txn, t->s->dbi[DB_JOURNAL], &k, &v);
    if (rc == MDB_NOTFOUND) {
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    if (v.mv_size < JOURNAL_HEADER_BYTES) {
        return BZL_CORRUPT;
    }
    memcpy(out, (const uint8_t *)v.mv_data + JOURNAL_HASH_OFFSET, JOURNAL_HASH_BYTES);
    *found = true;
    return BZL_OK;
}

static bzl_status
record_fill(stream *s, const MDB_val *k, const MDB_val *v, bzl_journal_record *rec)
{
    memset(rec, 0, sizeof *rec);
    bzl_status st = bzl__audit_row_decode(k, v, &rec->audit) ? BZL_OK : BZL_CORRUPT;
    bzl__entry e;
    if (st == BZL_OK) {
        st = bzl__entry_decode(v, &e);
    }
    if (st != BZL_OK) {
        return st;
    }
    rec->seq = rec->audit.seq;
    rec->type = e.type;
    rec->actor = e.actor;
    memcpy(rec->hash, (const uint8_t *)v->mv_data + JOURNAL_HASH_OFFSET, JOURNAL_HASH_BYTES);
    return content_decode(s, &e, rec);
}

bzl_status
bzl_storage_journal_read(bzl_txn *t, uint64_t after_seq, size_t cap, bzl_journal_page *page,
                         void *ctx, bzl_journal_visit_cb visit_cb)
{
    BZL_ASSERT(t != NULL && page != NULL && visit_cb != NULL);
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    memset(page, 0, sizeof *page);
    uint8_t prev[JOURNAL_HASH_BYTES];
    bzl_status st = bzl__journal_head_get(t, &page->head_seq, page->head_hash);
    if (st == BZL_OK) {
        st = hash_of(t, after_seq, prev, &page->after_found);
    }
    if (st != BZL_OK) {
        return st;
    }
    memcpy(page->after_hash, prev, sizeof prev);
    page->last_seq = after_seq;
    bzl_journal_record *rec = malloc(sizeof *rec);
    stream s = {.t = t};
    if (rec == NULL) {
        return BZL_NO_MEMORY;
    }
    uint8_t start[8];
    size_t n = 0;
    bzl__walk w;
    bzl__journal_walk_after(t, after_seq, start, &w);
    /* Bounded by cap entries (and by the visitor, which may stop earlier). */
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (n == cap) {
            page->more = true;
            break;
        }
        t->journal_reads++;
        st = record_fill(&s, &w.k, &w.v, rec);
        if (st == BZL_OK && rec->seq != page->last_seq + 1) {
            st = BZL_CORRUPT; /* a gap: verify names it; the stream never skips one */
        }
        bool taken = true;
        if (st == BZL_OK) {
            memcpy(rec->prev_hash, prev, sizeof prev);
            st = visit_cb(ctx, rec, &taken);
        }
        if (st == BZL_OK && !taken) {
            page->more = true;
            break;
        }
        if (st == BZL_OK) {
            memcpy(prev, rec->hash, sizeof prev);
            page->last_seq = rec->seq;
            n++;
        }
    }
    st = bzl__walk_end(&w, st);
    free(s.effects);
    free(s.values.items);
    free(s.modes);
    free(s.lines);
    free(rec);
    page->count = n;
    return st;
}
