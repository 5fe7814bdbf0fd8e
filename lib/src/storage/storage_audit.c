/* storage_audit.c — proving the journal: the hash chain, and the audit listing of who did what
 * (balances recomputed from the journal's effects are storage_verify.c's).
 *
 * Everything here only reads. The chain layout (which bytes the hash covers) is in the journal
 * table in format.h; bzl__journal_hash is the single definition of it.
 */
#include "storage_internal.h"

#include "bzl/calendar.h"
#include "bzl/decimal.h"

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

static bzl_status tampered(bzl_chain_report *out, uint64_t seq, const char *fmt, ...)
    BZL_PRINTF(3, 4);

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
        return tampered(out, expect,
                        "a journal key of %zu bytes sits where entry %" PRIu64 " belongs",
                        k->mv_size, expect);
    }
    if (v->mv_size < JOURNAL_HEADER_BYTES) {
        return tampered(out, seq, "entry %" PRIu64 " is %zu bytes, shorter than its header", seq,
                        v->mv_size);
    }
    const uint8_t *e = v->mv_data;
    bzl_rd r = {.p = e, .len = v->mv_size, .off = JOURNAL_HEADER_BYTES - 4u};
    uint32_t payload_len = rd_u32(&r);
    if (payload_len != v->mv_size - JOURNAL_HEADER_BYTES) {
        return tampered(out, seq,
                        "entry %" PRIu64 " says its payload is %" PRIu32 " bytes but holds %zu",
                        seq, payload_len, v->mv_size - JOURNAL_HEADER_BYTES);
    }
    uint8_t hash[JOURNAL_HASH_BYTES];
    bzl__journal_hash(prev, e, v->mv_size, hash);
    if (memcmp(hash, e + JOURNAL_HASH_OFFSET, JOURNAL_HASH_BYTES) != 0) {
        return tampered(out, seq,
                        "entry %" PRIu64 " does not match its hash: it was altered, "
                        "or an entry before it was",
                        seq);
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
    bzl__walk w;
    bzl__walk_begin(t, DB_JOURNAL, NULL, 0, 0, &w);
    t->journal_reads += w.cur != NULL;
    /* Bounded by the journal's size: one step per stored entry. */
    while (st == BZL_OK && bzl__walk_next(&w)) {
        st = chain_step(&w.k, &w.v, expect, prev, out);
        if (st == BZL_OK) {
            expect++;
            out->entries++;
            t->journal_reads++;
        }
    }
    st = bzl__walk_end(&w, st);
    if (st != BZL_OK) {
        return st;
    }
    MDB_val nk = {.mv_size = strlen("journal_next"), .mv_data = "journal_next"};
    MDB_val nv;
    int rc = mdb_get(t->txn, t->s->dbi[DB_META], &nk, &nv);
    bzl_rd r = {.p = rc == MDB_SUCCESS ? nv.mv_data : NULL, .len = rc == MDB_SUCCESS ? 8 : 0};
    uint64_t next = rc == MDB_SUCCESS && nv.mv_size == 8 ? rd_u64(&r) : 0;
    if (next != expect) {
        /* Entries at the end were deleted (or journal_next was moved). */
        return tampered(out, expect,
                        "entry %" PRIu64 " is missing: the journal ends at %" PRIu64 " but %" PRIu64
                        " entries were written",
                        expect, expect - 1, next == 0 ? 0 : next - 1);
    }
    if (head_seq != expect - 1 || memcmp(head_hash, prev, sizeof prev) != 0) {
        return tampered(out, expect - 1 == 0 ? 1 : expect - 1,
                        "the head in meta (entry %" PRIu64 ") does not match the journal's last "
                        "entry %" PRIu64,
                        head_seq, expect - 1);
    }
    return BZL_OK;
}

/* ---- audit listing --------------------------------------------------------------------- */

/* "declaration ID of ENTERPRISE in BOOK: material in". */
static void
summary_declaration(const uint8_t *p, size_t n, bzl_audit_row *row)
{
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
    memcpy(row->enterprise, ent, sizeof row->enterprise);
    memcpy(row->book_no, book, sizeof row->book_no);
    snprintf(row->summary, sizeof row->summary, "declaration %s of %s in %s: %s %s", id, ent, book,
             kind == BZL_KIND_PRODUCT ? "product" : "material", dir == BZL_DIR_OUT ? "out" : "in");
}

/* "stocktake H72012400001 2026-06-30, 3 lines" (format.h's stocktake payload). */
static void
summary_stocktake(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    int32_t date = rd_i32(&r);
    uint8_t count_scrap = rd_u8(&r);
    uint32_t lines = rd_u32(&r);
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    char day[16];
    bzl_date_format(date, day, sizeof day);
    snprintf(row->summary, sizeof row->summary, "stocktake %s %s, %" PRIu32 " line%s%s",
             r.bad ? "?" : book, day, lines, lines == 1 ? "" : "s",
             count_scrap ? ", scrap counted" : "");
}

/* "rate 2026-03 502 7.1234 (was 7.1)" and "trade 2026-03 502 exports 1000 imports 500"
 * (format.h's rate and trade payloads). */
static void
summary_month_row(uint8_t type, const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    uint32_t month = (uint32_t)rd_be(&r, 4);
    char cur[BZL_CURRENCY_LEN + 1] = "";
    rd_text(&r, cur, sizeof cur, BZL_CURRENCY_LEN, true);
    int64_t a = rd_i64(&r);
    int64_t b = rd_i64(&r);
    char at[BZL_DEC_TEXT_BYTES];
    char bt[BZL_DEC_TEXT_BYTES];
    if (type == JOURNAL_RATE) {
        bzl_dec_format(a, BZL_SCALE_RATE, at, sizeof at);
        bzl_dec_format(b, BZL_SCALE_RATE, bt, sizeof bt);
        snprintf(row->summary, sizeof row->summary, "rate %04u-%02u %s %s%s%s%s", month / 100,
                 month % 100, cur, at, b != 0 ? " (was " : "", b != 0 ? bt : "", b != 0 ? ")" : "");
    } else {
        bzl_dec_format(a, BZL_SCALE_QTY, at, sizeof at);
        bzl_dec_format(b, BZL_SCALE_QTY, bt, sizeof bt);
        snprintf(row->summary, sizeof row->summary, "trade %04u-%02u %s exports %s imports %s",
                 month / 100, month % 100, cur, at, bt);
    }
}

/* "post ID of ENTERPRISE book BOOK" and, with the reason typed, "void …", "reject …" and
 * "reverse ID of ENTERPRISE book BOOK: 录入错误" (format.h's types 5, 6, 7, 11; the book is the
 * effects section's). */
static void
summary_action(uint8_t type, const uint8_t *p, size_t n, bzl_audit_row *row)
{
    static const char *const verbs[] = {[JOURNAL_POST] = "post",
                                        [JOURNAL_VOID] = "void",
                                        [JOURNAL_REVERSE] = "reverse",
                                        [JOURNAL_REJECT] = "reject"};
    bzl_rd r = {.p = p, .len = n};
    (void)rd_u64(&r); /* the declaration's entry */
    if (type == JOURNAL_REVERSE) {
        (void)rd_u64(&r); /* the posting it negates */
    }
    char ent[BZL_ENTERPRISE_CODE_LEN + 1] = "";
    rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    size_t id_len = rd_u8(&r);
    char id[BZL_DECL_ID_BYTES_MAX + 1] = "";
    rd_text(&r, id, sizeof id, id_len <= BZL_DECL_ID_BYTES_MAX ? id_len : 0, false);
    char reason[BZL_TEXT_BYTES_MAX + 1] = "";
    if (type != JOURNAL_POST) {
        size_t reason_len = rd_u16(&r);
        rd_text(&r, reason, sizeof reason, reason_len <= BZL_TEXT_BYTES_MAX ? reason_len : 0,
                false);
    }
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    if (!r.bad) {
        memcpy(row->enterprise, ent, sizeof row->enterprise);
        memcpy(row->book_no, book, sizeof row->book_no);
    }
    int head = snprintf(row->summary, sizeof row->summary, "%s %s of %s book %s%s", verbs[type],
                        r.bad ? "?" : id, ent, r.bad ? "?" : book, reason[0] != '\0' ? ": " : "");
    /* The reason fills what room is left, cut after a whole character. */
    size_t used = head < 0                             ? 0
                  : (size_t)head < sizeof row->summary ? (size_t)head
                                                       : sizeof row->summary - 1;
    size_t room = sizeof row->summary - 1 - used;
    size_t take = strlen(reason) < room ? strlen(reason) : room;
    memcpy(row->summary + used, reason, take);
    row->summary[used + take] = '\0';
    (void)bzl_text_sanitize(row->summary); /* the cut reason ends on a whole character */
}

/* "period close H72012400001 through 2026-03-31". */
static void
summary_period_close(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    char day[16];
    bzl_date_format(rd_i32(&r), day, sizeof day);
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    snprintf(row->summary, sizeof row->summary, "period close %s through %s", r.bad ? "?" : book,
             r.bad ? "?" : day);
}

/* "norm H72012400001 product 1 material 2 version V1" (the norm key). */
static void
summary_norm(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    uint32_t product = (uint32_t)rd_be(&r, 4);
    char version[BZL_BOM_VERSION_BYTES_MAX + 1] = "";
    rd_text(&r, version, sizeof version, BZL_BOM_VERSION_BYTES_MAX, true);
    uint32_t material = (uint32_t)rd_be(&r, 4);
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    snprintf(row->summary, sizeof row->summary,
             "norm %s product %" PRIu32 " material %" PRIu32 " version %s", r.bad ? "?" : book,
             product, material, version);
}

/* "item mode H72012400001 product 1: ODM from 2025-04-01" (the item_mode key, then the mode). */
static void
summary_item_mode(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    static const char *const modes[] = {"none", "OEM", "ODM", "OBM"};
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    (void)rd_u8(&r); /* the kind: always product */
    uint32_t item = (uint32_t)rd_be(&r, 4);
    int32_t from = (int32_t)(uint32_t)rd_be(&r, 4);
    uint8_t mode = rd_u8(&r);
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    char day[16];
    bzl_date_format(from, day, sizeof day);
    snprintf(row->summary, sizeof row->summary, "item mode %s product %" PRIu32 ": %s from %s",
             r.bad ? "?" : book, item, mode < BZL_ARRAY_LEN(modes) ? modes[mode] : "?", day);
}

/* "work order 3 opened on H72012400009 for product 1 from abroad, 2026-01-10" and "work order 3
 * of H72012400009 completed repaired 2026-01-12: 2 material lines, 1 part line" (entries 18 and
 * 19, storage_repair.c). */
static void
summary_workorder(uint8_t type, const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    uint32_t no = rd_u32(&r);
    uint32_t item = rd_u32(&r);
    uint8_t origin = rd_u8(&r);
    uint8_t state = type == JOURNAL_WO_COMPLETE ? rd_u8(&r) : 0;
    char day[16];
    bzl_date_format(rd_i32(&r), day, sizeof day);
    unsigned mats = type == JOURNAL_WO_COMPLETE ? rd_u16(&r) : 0;
    unsigned parts = type == JOURNAL_WO_COMPLETE ? rd_u16(&r) : 0;
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    if (type == JOURNAL_WO_OPEN) {
        snprintf(row->summary, sizeof row->summary,
                 "work order %" PRIu32 " opened on %s for product %" PRIu32 " %s, %s", no,
                 r.bad ? "?" : book, item, bzl_origin_phrase(origin), day);
        return;
    }
    const char *how = bzl_wo_state_name(state);
    snprintf(row->summary, sizeof row->summary,
             "work order %" PRIu32 " of %s completed %s %s: %u material line%s, %u part line%s", no,
             r.bad ? "?" : book, how != NULL ? how : "?", day, mats, mats == 1 ? "" : "s", parts,
             parts == 1 ? "" : "s");
}

/* "delivery H72012400001 product 1 to H72012400002: 100 on 2026-01-10" or "return … from …"
 * (entry 20, storage_transfer.c). */
static void
summary_delivery(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    char cp[BZL_BOOK_NO_LEN + 1] = "";
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    rd_text(&r, cp, sizeof cp, BZL_BOOK_NO_LEN, true);
    uint8_t kind = rd_u8(&r);
    uint32_t item = rd_u32(&r);
    char day[16];
    bzl_date_format(rd_i32(&r), day, sizeof day);
    char qty[BZL_DEC_TEXT_BYTES];
    bzl_dec_format(rd_i64(&r), BZL_SCALE_QTY, qty, sizeof qty);
    bool ret = rd_u8(&r) == 1;
    memcpy(row->book_no, r.bad ? "" : book, r.bad ? 1 : sizeof row->book_no);
    snprintf(row->summary, sizeof row->summary, "%s %s %s %" PRIu32 " %s %s: %s on %s",
             ret ? "return" : "delivery", r.bad ? "?" : book,
             kind == BZL_KIND_PRODUCT ? "product" : "material", item,
             kind == BZL_KIND_PRODUCT ? "to" : "from", cp, qty, day);
}

/* "change ID of ENTERPRISE: entry 12 replaced by 14 (void 13): 变更申请 ChgTmsCnt 1". */
static void
summary_change(const uint8_t *p, size_t n, bzl_audit_row *row)
{
    bzl_rd r = {.p = p, .len = n};
    char ent[BZL_ENTERPRISE_CODE_LEN + 1] = "";
    rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    size_t id_len = rd_u8(&r);
    char id[BZL_DECL_ID_BYTES_MAX + 1] = "";
    rd_text(&r, id, sizeof id, id_len <= BZL_DECL_ID_BYTES_MAX ? id_len : 0, false);
    uint64_t old_seq = rd_u64(&r);
    uint64_t void_seq = rd_u64(&r);
    uint64_t new_seq = rd_u64(&r);
    size_t reason_len = rd_u16(&r);
    char reason[BZL_TEXT_BYTES_MAX + 1] = "";
    rd_text(&r, reason, sizeof reason, reason_len <= BZL_TEXT_BYTES_MAX ? reason_len : 0, false);
    if (!r.bad) {
        memcpy(row->enterprise, ent, sizeof row->enterprise);
    }
    snprintf(row->summary, sizeof row->summary,
             "change %s of %s: entry %" PRIu64 " replaced by %" PRIu64 " (void %" PRIu64 "): %.80s",
             r.bad ? "?" : id, r.bad ? "?" : ent, old_seq, new_seq, void_seq, r.bad ? "" : reason);
}

static void
audit_summary(const uint8_t *e, size_t len, bzl_audit_row *row)
{
    const uint8_t *p = e + JOURNAL_HEADER_BYTES;
    size_t n = len - JOURNAL_HEADER_BYTES;
    switch (e[0]) {
    case JOURNAL_ENTERPRISE:
        if (n >= BZL_ENTERPRISE_CODE_LEN) {
            memcpy(row->enterprise, p, BZL_ENTERPRISE_CODE_LEN);
        }
        snprintf(row->summary, sizeof row->summary, "enterprise %.10s registered",
                 n >= 10 ? (const char *)p : "?");
        break;
    case JOURNAL_BOOK:
        if (n >= BZL_BOOK_NO_LEN + BZL_ENTERPRISE_CODE_LEN) {
            memcpy(row->book_no, p, BZL_BOOK_NO_LEN);
            memcpy(row->enterprise, p + BZL_BOOK_NO_LEN, BZL_ENTERPRISE_CODE_LEN);
        }
        snprintf(row->summary, sizeof row->summary, "book %.12s opened for %.10s%s",
                 n >= 22 ? (const char *)p : "?", n >= 22 ? (const char *)p + 12 : "?",
                 n == BOOK_RECORD_BYTES + 1u && p[BOOK_RECORD_BYTES] == BZL_USAGE_REPAIR
                     ? " (repair book)"
                     : "");
        break;
    case JOURNAL_ITEM: {
        bzl_rd r = {.p = p, .len = n, .off = BZL_BOOK_NO_LEN};
        uint8_t kind = rd_u8(&r);
        uint32_t item = (uint32_t)rd_be(&r, 4);
        if (n >= BZL_BOOK_NO_LEN) {
            memcpy(row->book_no, p, BZL_BOOK_NO_LEN);
        }
        snprintf(row->summary, sizeof row->summary, "item %.12s %s %" PRIu32 " added",
                 n >= 17 ? (const char *)p : "?", kind == BZL_KIND_PRODUCT ? "product" : "material",
                 item);
        break;
    }
    case JOURNAL_DECLARATION:
        summary_declaration(p, n, row);
        break;
    case JOURNAL_POST:
    case JOURNAL_VOID:
    case JOURNAL_REVERSE:
    case JOURNAL_REJECT:
        summary_action(e[0], p, n, row);
        break;
    case JOURNAL_PERIOD_CLOSE:
        summary_period_close(p, n, row);
        break;
    case JOURNAL_NORM:
        summary_norm(p, n, row);
        break;
    case JOURNAL_ITEM_MODE:
        summary_item_mode(p, n, row);
        break;
    case JOURNAL_STOCKTAKE:
        summary_stocktake(p, n, row);
        break;
    case JOURNAL_RATE:
    case JOURNAL_TRADE:
        summary_month_row(e[0], p, n, row);
        break;
    case JOURNAL_WO_OPEN:
    case JOURNAL_WO_COMPLETE:
        summary_workorder(e[0], p, n, row);
        break;
    case JOURNAL_DELIVERY:
        summary_delivery(p, n, row);
        break;
    case JOURNAL_CHANGE:
        summary_change(p, n, row);
        break;
    case JOURNAL_LOT_METHOD: {
        bzl_rd r = {.p = p, .len = n};
        char book[BZL_BOOK_NO_LEN + 1] = "";
        rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, false);
        uint8_t method = rd_u8(&r);
        uint8_t was = rd_u8(&r);
        static const char *const names[] = {"?", "FIFO", "SPECIFIC", "AVERAGE"};
        if (rd_done(&r)) {
            memcpy(row->book_no, book, sizeof row->book_no);
        }
        snprintf(row->summary, sizeof row->summary, "lot method of book %s: %s (was %s)",
                 rd_done(&r) ? book : "?", names[method <= 3 ? method : 0],
                 names[was <= 3 ? was : 0]);
        break;
    }
    case JOURNAL_RECEIPT: {
        bzl__entry re = {.type = e[0], .payload = p, .payload_len = n};
        if (!bzl__receipt_audit_summary(&re, row->summary, sizeof row->summary, row->enterprise,
                                        row->book_no)) {
            snprintf(row->summary, sizeof row->summary, "receipt entry does not decode");
        }
        break;
    }
    case JOURNAL_TAX_TABLE:
    case JOURNAL_ASSESSMENT: {
        bzl__entry te = {.type = e[0], .payload = p, .payload_len = n};
        if (!bzl__tax_audit_summary(&te, row->summary, sizeof row->summary, row->enterprise,
                                    row->book_no)) {
            snprintf(row->summary, sizeof row->summary, "tax entry type %u does not decode",
                     (unsigned)e[0]);
        }
        break;
    }
    default:
        snprintf(row->summary, sizeof row->summary, "entry type %u, %zu payload bytes",
                 (unsigned)e[0], n);
        break;
    }
}

static bool
audit_match(const bzl_audit_filter *f, const bzl_audit_row *row)
{
    return (f->since_ms == 0 || row->time_ms >= f->since_ms) &&
           (f->until_ms == 0 || row->time_ms < f->until_ms) && (!f->by_uid || row->uid == f->uid) &&
           (f->type == 0 || row->type == f->type) &&
           (f->enterprise[0] == '\0' || strcmp(f->enterprise, row->enterprise) == 0) &&
           (f->book_no[0] == '\0' || strcmp(f->book_no, row->book_no) == 0);
}

/* An entry that names only a book (an item, a norm, a close, a stocktake …) is about the
 * book's owner: fills row->enterprise from the book when the filter asks for one. */
static bzl_status
audit_owner(bzl_txn *t, const bzl_audit_filter *f, bzl_audit_row *row)
{
    if (f->enterprise[0] == '\0' || row->enterprise[0] != '\0' || row->book_no[0] == '\0') {
        return BZL_OK;
    }
    bzl_book b;
    bzl_status st = bzl_storage_book_get(t, row->book_no, &b);
    if (st == BZL_OK) {
        memcpy(row->enterprise, b.enterprise, sizeof row->enterprise);
    }
    return st == BZL_NOT_FOUND ? BZL_OK : st;
}

static bool
audit_decode(const MDB_val *k, const MDB_val *v, bzl_audit_row *row)
{
    if (v->mv_size < JOURNAL_HEADER_BYTES) {
        return false;
    }
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    memset(row, 0, sizeof *row);
    row->seq = seq_of_key(k);
    row->type = rd_u8(&r);
    row->time_ms = rd_i64(&r);
    row->uid = rd_u32(&r);
    row->gid = rd_u32(&r);
    row->pid = rd_i32(&r);
    row->role = rd_u8(&r);
    row->request_id = rd_u64(&r);
    audit_summary(v->mv_data, v->mv_size, row);
    return !r.bad;
}

bool
bzl__audit_row_decode(const MDB_val *k, const MDB_val *v, bzl_audit_row *row)
{
    return audit_decode(k, v, row);
}

void
bzl__journal_walk_after(bzl_txn *t, uint64_t after_seq, uint8_t key[8], bzl__walk *w)
{
    seq_key(key, after_seq == UINT64_MAX ? after_seq : after_seq + 1);
    bzl__walk_begin(t, DB_JOURNAL, key, 8, 0, w);
    t->journal_reads += w->cur != NULL;
}

bzl_status
bzl_storage_audit_list(bzl_txn *t, const bzl_audit_filter *f, bzl_audit_row *out, size_t cap,
                       size_t *count, uint64_t *next_after, bool *more)
{
    BZL_ASSERT(f != NULL);
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    uint8_t start[8];
    size_t n = 0;
    uint64_t last = f->after_seq;
    bool further = false;
    bzl_status st = BZL_OK;
    bzl__walk w;
    bzl__journal_walk_after(t, f->after_seq, start, &w);
    for (uint32_t scanned = 0; bzl__walk_next(&w); scanned++) {
        uint64_t seq = seq_of_key(&w.k);
        if (f->until_seq != 0 && seq > f->until_seq) {
            break;
        }
        if (n == cap || scanned == BZL_AUDIT_SCAN_MAX) {
            further = true;
            break;
        }
        if (!audit_decode(&w.k, &w.v, &out[n])) {
            st = BZL_CORRUPT;
            break;
        }
        st = audit_owner(t, f, &out[n]);
        if (st != BZL_OK) {
            break;
        }
        n += audit_match(f, &out[n]);
        last = seq;
        t->journal_reads++;
    }
    st = bzl__list_end(w.cur, w.rc, st, n, further, count, more);
    if (st == BZL_OK) {
        *next_after = last;
    }
    return st;
}
