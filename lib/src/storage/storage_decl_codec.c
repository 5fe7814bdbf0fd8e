/* storage_decl_codec.c — the declaration's journal payload: its canonical encoding and its
 * decoding (the table in format.h). Canonical: the same bzl_declaration fields always encode to
 * the same bytes, which is how a retry is recognised (storage_submit.c).
 */
#include "storage_internal.h"

#include <stdlib.h>

#include "bzl/list_fields.h"

static_assert(ATTR_RECORD_HEADER_BYTES == BZL_LIST_RECORD_HEADER_BYTES,
              "list fields are ATTRS records");

static_assert(BZL_DECL_ID_BYTES_MAX <= UINT8_MAX, "id length fits its u8");
static_assert(sizeof(bzl_decl_line) % _Alignof(bzl_lot_ref) == 0,
              "lots placed after the lines are aligned");
static_assert(DECL_FIXED_BYTES + 2u * BZL_DECL_ID_BYTES_MAX +
                      (uint64_t)BZL_DECL_LINES_CEILING * DECL_LINE_BYTES + 4u +
                      BZL_DECL_ATTRS_BYTES_MAX <=
                  UINT32_MAX - JOURNAL_HEADER_BYTES,
              "the largest declaration fits the journal's u32 payload length");

/* ---- attributes (the ATTRS section in format.h) ------------------------------------------- */

/* One attribute record; written to w when w is not NULL. Returns its bytes. */
static size_t
attr_put(bzl_wr *w, uint32_t line, uint8_t tag, const void *value, uint16_t len)
{
    BZL_ASSERT(len > 0);
    if (w != NULL) {
        wr_u32(w, line);
        wr_u8(w, tag);
        wr_u16(w, len);
        wr_bytes(w, value, len);
    }
    return ATTR_RECORD_HEADER_BYTES + len;
}

static_assert(2u + BZL_DECL_LOTS_MAX * (ATTR_LOT_REF_BYTES + BZL_DECL_ID_BYTES_MAX) <= UINT16_MAX,
              "every lot a declaration names fits one line's ATTR_LOTS record");

/* The ATTR_LOTS record of line `line` (lots[from..to), all of that line): written to w when w
 * is not NULL. Returns its bytes. */
static size_t
lots_put(bzl_wr *w, uint32_t line, const bzl_lot_ref *lots, uint32_t from, uint32_t to)
{
    size_t len = 2;
    for (uint32_t i = from; i < to; i++) {
        len += ATTR_LOT_REF_BYTES + strnlen(lots[i].receipt, sizeof lots[i].receipt);
    }
    BZL_ASSERT(len <= UINT16_MAX);
    if (w != NULL) {
        wr_u32(w, line);
        wr_u8(w, ATTR_LOTS);
        wr_u16(w, (uint16_t)len);
        wr_u16(w, (uint16_t)(to - from));
        for (uint32_t i = from; i < to; i++) {
            size_t id_len = strnlen(lots[i].receipt, sizeof lots[i].receipt);
            wr_u32(w, lots[i].receipt_line);
            wr_i64(w, lots[i].qty_e5);
            wr_u8(w, (uint8_t)id_len);
            wr_bytes(w, lots[i].receipt, id_len);
        }
    }
    return ATTR_RECORD_HEADER_BYTES + len;
}

/* Every attribute of d that is not at its default, in (line, tag) order, then the list fields'
 * run (format.h): written to w when w is not NULL. Returns their bytes either way, 0 when d has
 * none. A new attribute is one attr_put here, in its place in that order, and one case in
 * attr_decode. */
static size_t
attrs_encode(bzl_wr *w, const bzl_declaration *d)
{
    size_t n = 0;
    if (d->origin != BZL_ORIGIN_NONE) {
        n += attr_put(w, 0, ATTR_ORIGIN, &d->origin, 1);
    }
    if (d->duty_basis != 0) {
        n += attr_put(w, 0, ATTR_DUTY_BASIS, &d->duty_basis, 1);
    }
    if (d->tax_date != 0) {
        uint8_t le[4];
        bzl_wr dw = {.p = le, .cap = sizeof le};
        wr_i32(&dw, d->tax_date);
        n += attr_put(w, 0, ATTR_TAX_DATE, le, sizeof le);
    }
    BZL_ASSERT(d->lot_count == 0 || d->lots != NULL); /* a declaration read back is not encoded */
    for (uint32_t i = 0; i < d->lot_count;) {
        uint32_t j = i;
        while (j < d->lot_count && d->lots[j].line == d->lots[i].line) {
            j++;
        }
        n += lots_put(w, d->lots[i].line, d->lots, i, j);
        i = j;
    }
    /* The list fields come last, after every other record, the header's and the lines' (the
     * lots): the run is already in format.h's record layout and its own (line, tag) order. */
    if (d->list_fields_len > 0) {
        if (w != NULL) {
            wr_bytes(w, d->list_fields, d->list_fields_len);
        }
        n += d->list_fields_len;
    }
    return n;
}

/* Where the lots of a decoded declaration go: refs[cap] (NULL: counted and checked only). */
typedef struct lots_sink {
    bzl_lot_ref *refs;
    uint32_t cap;
} lots_sink;

/* An ATTR_LOTS value of line `line` into d's count and the sink. */
static bool
lots_decode(uint32_t line, const uint8_t *v, size_t len, bzl_declaration *d, lots_sink *sink)
{
    bzl_rd r = {.p = v, .len = len};
    uint32_t n = rd_u16(&r);
    r.bad |= n == 0 || d->lot_count + n > BZL_DECL_LOTS_MAX;
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        bzl_lot_ref ref;
        memset(&ref, 0, sizeof ref);
        ref.line = line;
        ref.receipt_line = rd_u32(&r);
        ref.qty_e5 = rd_i64(&r);
        size_t id_len = rd_u8(&r);
        r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX || ref.receipt_line == 0 ||
                 ref.qty_e5 <= 0;
        rd_text(&r, ref.receipt, sizeof ref.receipt, r.bad ? 0 : id_len, false);
        if (!r.bad && sink != NULL && sink->refs != NULL) {
            r.bad |= d->lot_count >= sink->cap;
            if (!r.bad) {
                sink->refs[d->lot_count] = ref;
            }
        }
        d->lot_count += r.bad ? 0 : 1;
    }
    return rd_done(&r);
}

/* One record's value into d (line 0) or line l (lines 1..n). False for an unknown tag, a tag
 * on the wrong scope, or a value out of its range: written by a newer bzl, or damaged. */
static bool
attr_decode(uint32_t line, uint8_t tag, const uint8_t *v, size_t len, bzl_declaration *d,
            bzl_decl_line *l, lots_sink *sink)
{
    (void)l;
    if (line != 0 && tag == ATTR_LOTS) {
        return lots_decode(line, v, len, d, sink);
    }
    if (line == 0) {
        switch (tag) {
        case ATTR_ORIGIN:
            d->origin = v[0];
            return len == 1 && (v[0] == BZL_ORIGIN_ABROAD || v[0] == BZL_ORIGIN_OUTSIDE);
        case ATTR_DUTY_BASIS:
            d->duty_basis = v[0];
            return len == 1 && (v[0] == BZL_BASIS_PRODUCT || v[0] == BZL_BASIS_MATERIAL);
        case ATTR_TAX_DATE: {
            bzl_rd dr = {.p = v, .len = len};
            d->tax_date = rd_i32(&dr);
            return rd_done(&dr) && d->tax_date != 0;
        }
        default:
            return false;
        }
    }
    return false;
}

/* The ATTRS section after the lines. lines may be NULL (the caller skips lines); line
 * attributes are then checked and dropped. */
static void
attrs_decode(bzl_rd *r, bzl_declaration *d, bzl_decl_line *lines, lots_sink *sink)
{
    uint32_t len = rd_u32(r);
    r->bad |= len == 0 || r->off > r->len || len > r->len - r->off;
    size_t end = r->off + (r->bad ? 0 : len);
    uint64_t last = 0;
    while (!r->bad && r->off < end) {
        uint32_t line = rd_u32(r);
        uint8_t tag = rd_u8(r);
        size_t vlen = rd_u16(r);
        uint64_t order = (uint64_t)line << 8 | tag;
        /* The list fields' run keeps its own order (checked below), after all the others. */
        r->bad |= order <= last && last != 0 && tag < BZL_LIST_TAG_FIRST;
        r->bad |= (line == 0 && tag == 0) || line > d->line_count || vlen == 0 || r->off > end ||
                  vlen > end - r->off;
        if (r->bad) {
            return;
        }
        if (tag >= BZL_LIST_TAG_FIRST) {
            /* The list fields run to the end of the section (list_fields.h). */
            size_t start = r->off - ATTR_RECORD_HEADER_BYTES;
            r->bad |= end - start > UINT32_MAX ||
                      bzl_list_fields_check(r->p + start, end - start, d->line_count) != BZL_OK;
            if (!r->bad) {
                d->list_fields = r->p + start;
                d->list_fields_len = (uint32_t)(end - start);
                r->off = end;
            }
            return;
        }
        bzl_decl_line scratch;
        bzl_decl_line *l = line == 0 ? NULL : lines != NULL ? &lines[line - 1] : &scratch;
        r->bad |= !attr_decode(line, tag, r->p + r->off, vlen, d, l, sink);
        r->off += vlen;
        last = order;
    }
    r->bad |= r->off != end;
}

/* ---- encoding ----------------------------------------------------------------------------- */

size_t
bzl__decl_encoded_size(const bzl_declaration *d)
{
    size_t attrs = attrs_encode(NULL, d);
    BZL_ASSERT(attrs <= BZL_DECL_ATTRS_BYTES_MAX); /* the frame that carried them bounds them */
    return DECL_FIXED_BYTES + strnlen(d->id, sizeof d->id) +
           strnlen(d->related_id, sizeof d->related_id) + (size_t)d->line_count * DECL_LINE_BYTES +
           (attrs > 0 ? 4u + attrs : 0);
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

/* Writes exactly bzl__decl_encoded_size(d) bytes into buf. */
void
bzl__decl_encode(const bzl_declaration *d, uint8_t *buf, size_t cap)
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
    size_t attrs = attrs_encode(NULL, d);
    BZL_ASSERT(!d->draft || d->pending);
    wr_u8(&w, (uint8_t)((d->pending ? DECL_FLAG_PENDING : 0) | (attrs > 0 ? DECL_FLAG_ATTRS : 0) |
                        (d->draft ? DECL_FLAG_DRAFT : 0)));
    wr_fixed(&w, d->related_book, BZL_BOOK_NO_LEN);
    wr_u8(&w, (uint8_t)related_len);
    wr_bytes(&w, d->related_id, related_len);
    wr_u32(&w, d->line_count);
    for (uint32_t i = 0; i < d->line_count; i++) {
        decl_line_encode(&w, &d->lines[i]);
    }
    if (attrs > 0) {
        BZL_ASSERT(attrs <= UINT32_MAX);
        wr_u32(&w, (uint32_t)attrs);
        size_t before = w.len;
        attrs_encode(&w, d);
        BZL_ASSERT(w.len - before == attrs);
    }
    BZL_ASSERT(w.len == cap);
}

/* The declaration payload of journal entry seq: a borrowed view valid until the next write in
 * t. A missing or malformed entry is BZL_CORRUPT, because the idempotency record that named it
 * says it exists. The payload runs on past the declaration with its effects sections. */

/* ---- decoding ----------------------------------------------------------------------------- */

static void
decl_line_decode(bzl_rd *r, bzl_decl_line *l)
{
    memset(l, 0, sizeof *l);
    l->item_no = rd_u32(r);
    l->qty_e5 = rd_i64(r);
    l->value_e5 = rd_i64(r);
    l->has_usd = rd_u8(r) != 0;
    l->usd_e5 = rd_i64(r);
    l->biz_mode = rd_u8(r);
    rd_text(r, l->unit, sizeof l->unit, BZL_UNIT_LEN, true);
    rd_text(r, l->currency, sizeof l->currency, BZL_CURRENCY_LEN, true);
    rd_text(r, l->country, sizeof l->country, BZL_COUNTRY_LEN, true);
    rd_text(r, l->bom_version, sizeof l->bom_version, BZL_BOM_VERSION_BYTES_MAX, true);
}

static bzl_status
decl_decode(const uint8_t *p, size_t len, bzl_declaration *d, bzl_decl_line *lines,
            uint32_t line_cap, lots_sink *sink, size_t *used)
{
    bzl_rd r = {.p = p, .len = len};
    memset(d, 0, sizeof *d);
    size_t id_len = rd_u8(&r);
    r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, d->id, sizeof d->id, r.bad ? 0 : id_len, false);
    rd_text(&r, d->enterprise, sizeof d->enterprise, BZL_ENTERPRISE_CODE_LEN, true);
    rd_text(&r, d->book_no, sizeof d->book_no, BZL_BOOK_NO_LEN, true);
    d->kind = rd_u8(&r);
    d->direction = rd_u8(&r);
    rd_text(&r, d->trade_mode, sizeof d->trade_mode, BZL_TRADE_MODE_LEN, true);
    d->date = rd_i32(&r);
    uint8_t flags = rd_u8(&r);
    r.bad |= (flags & ~(DECL_FLAG_PENDING | DECL_FLAG_ATTRS | DECL_FLAG_DRAFT)) != 0;
    d->pending = (flags & DECL_FLAG_PENDING) != 0;
    d->draft = (flags & DECL_FLAG_DRAFT) != 0;
    r.bad |= d->draft && !d->pending;
    rd_text(&r, d->related_book, sizeof d->related_book, BZL_BOOK_NO_LEN, true);
    size_t related_len = rd_u8(&r);
    r.bad |= related_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, d->related_id, sizeof d->related_id, r.bad ? 0 : related_len, false);
    d->line_count = rd_u32(&r);
    r.bad |= d->line_count == 0 || d->line_count > BZL_DECL_LINES_CEILING ||
             (lines != NULL && d->line_count > line_cap);
    if (!r.bad && (size_t)d->line_count * DECL_LINE_BYTES > r.len - r.off) {
        r.bad = true;
    }
    for (uint32_t i = 0; !r.bad && i < d->line_count; i++) {
        bzl_decl_line skip;
        decl_line_decode(&r, lines != NULL ? &lines[i] : &skip);
    }
    if (!r.bad && (flags & DECL_FLAG_ATTRS) != 0) {
        attrs_decode(&r, d, lines, sink);
    }
    if (r.bad) {
        return BZL_CORRUPT;
    }
    d->lines = lines;
    d->lots = sink != NULL && sink->refs != NULL && d->lot_count > 0 ? sink->refs : NULL;
    *used = r.off;
    return BZL_OK;
}

bzl_status
bzl__decl_decode(const uint8_t *p, size_t len, bzl_declaration *d, bzl_decl_line *lines,
                 uint32_t line_cap, size_t *used)
{
    return decl_decode(p, len, d, lines, line_cap, NULL, used);
}

bzl_status
bzl__decl_decode_lots(const uint8_t *p, size_t len, bzl_declaration *d, bzl_decl_line *lines,
                      uint32_t line_cap, bzl_lot_ref *lots, uint32_t lot_cap, size_t *used)
{
    lots_sink sink = {.refs = lots, .cap = lot_cap};
    return decl_decode(p, len, d, lines, line_cap, &sink, used);
}

bzl_status
bzl__decl_read_seq(bzl_txn *t, uint64_t seq, bzl_declaration *d)
{
    bzl__entry e;
    size_t used = 0;
    /* One block: the lines, then the lots (static_asserts keep the lots aligned). */
    bzl_decl_line *lines =
        malloc(BZL_DECL_LINES_CEILING * sizeof *lines + BZL_DECL_LOTS_MAX * sizeof(bzl_lot_ref));
    bzl_lot_ref *lots =
        lines != NULL ? (bzl_lot_ref *)(void *)(lines + BZL_DECL_LINES_CEILING) : NULL;
    bzl_status st = lines != NULL ? bzl__journal_get(t, seq, &e) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = e.type == JOURNAL_DECLARATION
                 ? bzl__decl_decode_lots(e.payload, e.payload_len, d, lines, BZL_DECL_LINES_CEILING,
                                         lots, BZL_DECL_LOTS_MAX, &used)
                 : BZL_CORRUPT;
    }
    if (st != BZL_OK) {
        free(lines);
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    return BZL_OK;
}
