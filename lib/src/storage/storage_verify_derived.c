/* storage_verify_derived.c — verify's recomputation of the derived tables the reports read
 * (format.h): period totals, trade values, stocktake rows and closings. The one journal pass
 * of bzl_storage_verify_balances feeds every entry here in sequence order, with the master data
 * the derivations depend on as it stood at that entry (books' verification modes, items'
 * business modes and mode events, norms, the materials a book held); then each stored table is
 * walked once and compared with what the journal gives, both ways. Memory grows with the keys
 * (items, norms, and the rows of the tables), never with the entries. */
#include "storage_internal.h"

#include "bzl/calendar.h"
#include "bzl/decimal.h"
#include "bzl/flows.h"
#include "bzl/norms.h"
#include "bzl/recon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- records ------------------------------------------------------------------------------- */

/* A period-total row (format.h total). legacy: the row holds an intangible-loss total the 3 → 4
 * upgrade derived from the norms for an entry that journaled none, so it is not recomputed. */
typedef struct total_rec {
    uint8_t key[TOTAL_KEY_BYTES];
    bool legacy;
    bool stored;
    int64_t qty_e5;
    int64_t value_e5;
} total_rec;

/* A trade-value row (format.h trade_value): qty, value, usd. */
typedef struct tv_rec {
    uint8_t key[TV_KEY_BYTES];
    bool stored;
    int64_t sums[3];
} tv_rec;

/* A book as its entries left it: the verification mode flows depend on, and the number of
 * material items registered so far (the rows a stocktake or a close writes). */
typedef struct book_rec {
    uint8_t key[BZL_BOOK_NO_LEN];
    uint8_t verify_mode;
    uint32_t materials;
} book_rec;

typedef struct mode_event {
    int32_t from;
    uint8_t mode;
} mode_event;

/* An item: registered, its registered business mode, and (products) its mode events in the
 * order of their keys (from as u32 big-endian), as bzl_storage_item_modes lists them. */
typedef struct item_rec {
    uint8_t key[ITEM_KEY_BYTES];
    bool registered;
    uint8_t biz_mode;
    mode_event *events; /* owned */
    uint32_t n_events;
    uint32_t cap_events;
} item_rec;

/* The norm rows of one (book, product) in key order: version (zero-padded), then material. */
typedef struct norm_set {
    uint8_t key[NORM_PREFIX_BYTES];
    bzl_norm *rows; /* owned */
    uint32_t n;
    uint32_t cap;
} norm_set;

/* The last stocktake entry of (table, book, date) and the rows it derived: table 0 is
 * stocktake (customs, and every count before META_STOCK_BY_FROM), 1 stocktake_enterprise. */
#define STOCK_MARK_KEY_BYTES (1u + BZL_BOOK_NO_LEN + 4u)
typedef struct stock_rec {
    uint8_t key[STOCK_MARK_KEY_BYTES];
    uint32_t materials; /* rows it wrote: the book's materials at the entry */
    uint32_t seen;      /* stored rows met */
    bool count_scrap;
    bzl_count_row *rows; /* owned: the counted items, item order; the others count 0 */
    size_t n;
    size_t cap;
} stock_rec;

/* A period close through a month's last day: book | month BE, and the materials it carried. */
#define CLOSE_KEY_BYTES (BZL_BOOK_NO_LEN + 4u)
typedef struct close_rec {
    uint8_t key[CLOSE_KEY_BYTES];
    uint32_t materials;
    uint32_t seen;
} close_rec;

struct bzl__derived {
    bzl__keyed totals;
    bzl__keyed tvs;
    bzl__keyed books;
    bzl__keyed items;
    bzl__keyed norms;
    bzl__keyed stocks;
    bzl__keyed closes;
    uint64_t schema4_from;  /* entries before it journaled no intangible loss (0: none) */
    uint64_t stock_by_from; /* entries from it keep an enterprise's count apart */
    bzl_decl_line *lines;   /* BZL_DECL_LINES_CEILING, for decoding declarations */
    bzl_norm *resolved;     /* a product's norm rows in force, grown */
    uint32_t resolved_cap;
    bzl__repair_derived *repair; /* the repair accounts (storage_verify_repair.c) */
};

bzl_status
bzl__derived_create(bzl_txn *t, bzl__derived **out)
{
    bzl__derived *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return BZL_NO_MEMORY;
    }
    d->totals = (bzl__keyed){
        .rec_bytes = sizeof(total_rec), .key_bytes = TOTAL_KEY_BYTES, .first_cap = 1024};
    d->tvs =
        (bzl__keyed){.rec_bytes = sizeof(tv_rec), .key_bytes = TV_KEY_BYTES, .first_cap = 1024};
    d->books =
        (bzl__keyed){.rec_bytes = sizeof(book_rec), .key_bytes = BZL_BOOK_NO_LEN, .first_cap = 64};
    d->items =
        (bzl__keyed){.rec_bytes = sizeof(item_rec), .key_bytes = ITEM_KEY_BYTES, .first_cap = 1024};
    d->norms = (bzl__keyed){
        .rec_bytes = sizeof(norm_set), .key_bytes = NORM_PREFIX_BYTES, .first_cap = 64};
    d->stocks = (bzl__keyed){
        .rec_bytes = sizeof(stock_rec), .key_bytes = STOCK_MARK_KEY_BYTES, .first_cap = 64};
    d->closes =
        (bzl__keyed){.rec_bytes = sizeof(close_rec), .key_bytes = CLOSE_KEY_BYTES, .first_cap = 64};
    d->lines = malloc(BZL_DECL_LINES_CEILING * sizeof *d->lines);
    bzl_status st = d->lines != NULL ? BZL_OK : BZL_NO_MEMORY;
    st = st == BZL_OK ? bzl__repair_derived_create(&d->repair) : st;
    st = st == BZL_OK ? bzl__meta_u64_get(t, META_SCHEMA4_FROM, &d->schema4_from) : st;
    st = st == BZL_NOT_FOUND ? BZL_OK : st;
    d->stock_by_from = UINT64_MAX; /* never marked: every count went to the one table */
    st = st == BZL_OK ? bzl__meta_u64_get(t, META_STOCK_BY_FROM, &d->stock_by_from) : st;
    st = st == BZL_NOT_FOUND ? BZL_OK : st;
    if (st != BZL_OK) {
        bzl__derived_destroy(d);
        return st;
    }
    *out = d;
    return BZL_OK;
}

void
bzl__derived_destroy(bzl__derived *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->items.cap; i++) {
        item_rec *it = bzl__keyed_at(&d->items, i);
        free(it != NULL ? it->events : NULL);
    }
    for (size_t i = 0; i < d->norms.cap; i++) {
        norm_set *ns = bzl__keyed_at(&d->norms, i);
        free(ns != NULL ? ns->rows : NULL);
    }
    for (size_t i = 0; i < d->stocks.cap; i++) {
        stock_rec *sr = bzl__keyed_at(&d->stocks, i);
        free(sr != NULL ? sr->rows : NULL);
    }
    bzl__keyed *tables[] = {&d->totals, &d->tvs,    &d->books, &d->items,
                            &d->norms,  &d->stocks, &d->closes};
    for (size_t i = 0; i < BZL_ARRAY_LEN(tables); i++) {
        bzl__keyed_free(tables[i]);
    }
    bzl__repair_derived_destroy(d->repair);
    free(d->lines);
    free(d->resolved);
    free(d);
}

/* The record of key in t, inserted when absent; NULL when memory ran out. */
static void *
upsert(bzl__keyed *t, const uint8_t *key)
{
    return bzl__keyed_grow(t) == BZL_OK ? bzl__keyed_find(t, key, true) : NULL;
}

static int64_t
wrap_add(int64_t a, int64_t b)
{
    /* A sum that overflowed will simply not match, which is what a damaged journal should do. */
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- master data as of each entry ----------------------------------------------------------- */

/* 2 book: book_no | enterprise[10] | verify_mode | … */
static bzl_status
on_book(bzl__derived *d, const bzl__entry *e)
{
    if (e->payload_len < BZL_BOOK_NO_LEN + BOOK_VALUE_BYTES) {
        return BZL_CORRUPT;
    }
    book_rec *b = upsert(&d->books, e->payload);
    if (b == NULL) {
        return BZL_NO_MEMORY;
    }
    b->verify_mode = e->payload[BZL_BOOK_NO_LEN + BZL_ENTERPRISE_CODE_LEN];
    return BZL_OK;
}

/* 3 item: the item key | hs[10] | unit[3] | biz_mode | … A material's first registration adds
 * one to its book's materials. */
static bzl_status
on_item(bzl__derived *d, const bzl__entry *e)
{
    if (e->payload_len < ITEM_KEY_BYTES + BZL_HS_LEN + BZL_UNIT_LEN + 1u) {
        return BZL_CORRUPT;
    }
    item_rec *it = upsert(&d->items, e->payload);
    if (it == NULL) {
        return BZL_NO_MEMORY;
    }
    bool first = !it->registered;
    it->registered = true;
    it->biz_mode = e->payload[ITEM_KEY_BYTES + BZL_HS_LEN + BZL_UNIT_LEN];
    if (first && e->payload[BZL_BOOK_NO_LEN] == BZL_KIND_MATERIAL) {
        book_rec *b = upsert(&d->books, e->payload);
        if (b == NULL) {
            return BZL_NO_MEMORY;
        }
        b->materials++;
    }
    return BZL_OK;
}

/* 10 item mode: the item key | from u32 BE | mode. Kept in key order; a key again replaces. */
static bzl_status
on_mode(bzl__derived *d, const bzl__entry *e)
{
    if (e->payload_len != MODE_KEY_BYTES + 1u) {
        return BZL_CORRUPT;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = ITEM_KEY_BYTES};
    uint32_t from = (uint32_t)rd_be(&r, 4);
    uint8_t mode = rd_u8(&r);
    item_rec *it = upsert(&d->items, e->payload);
    if (it == NULL) {
        return BZL_NO_MEMORY;
    }
    uint32_t i = 0;
    while (i < it->n_events && (uint32_t)it->events[i].from < from) {
        i++;
    }
    if (i < it->n_events && (uint32_t)it->events[i].from == from) {
        it->events[i].mode = mode;
        return BZL_OK;
    }
    if (it->n_events == it->cap_events) {
        uint32_t cap = it->cap_events == 0 ? 4u : it->cap_events * 2u;
        mode_event *g = realloc(it->events, cap * sizeof *g);
        if (g == NULL) {
            return BZL_NO_MEMORY;
        }
        it->events = g;
        it->cap_events = cap;
    }
    memmove(&it->events[i + 1], &it->events[i], (it->n_events - i) * sizeof *it->events);
    it->events[i] = (mode_event){.from = (int32_t)from, .mode = mode};
    it->n_events++;
    return BZL_OK;
}

/* The bytes after (book, product) of a norm's key: version zero-padded, material BE. */
static void
norm_order(const bzl_norm *n, uint8_t out[BZL_BOM_VERSION_BYTES_MAX + 4u])
{
    bzl_wr w = {.p = out, .cap = BZL_BOM_VERSION_BYTES_MAX + 4u};
    wr_fixed(&w, n->version, BZL_BOM_VERSION_BYTES_MAX);
    wr_be(&w, n->material, 4);
}

/* 9 norm: the norm key | the norm value; set into its (book, product) in key order. */
static bzl_status
on_norm(bzl__derived *d, const bzl__entry *e)
{
    bzl_norm n;
    if (e->payload_len != NORM_KEY_BYTES + NORM_VALUE_BYTES ||
        bzl__norm_decode_bytes(e->payload, e->payload + NORM_KEY_BYTES, &n) != BZL_OK) {
        return BZL_CORRUPT;
    }
    norm_set *ns = upsert(&d->norms, e->payload);
    if (ns == NULL) {
        return BZL_NO_MEMORY;
    }
    uint8_t want[BZL_BOM_VERSION_BYTES_MAX + 4u];
    uint8_t have[BZL_BOM_VERSION_BYTES_MAX + 4u];
    norm_order(&n, want);
    uint32_t i = 0;
    int cmp = 1;
    for (; i < ns->n; i++) {
        norm_order(&ns->rows[i], have);
        cmp = memcmp(have, want, sizeof want);
        if (cmp >= 0) {
            break;
        }
    }
    if (i < ns->n && cmp == 0) {
        ns->rows[i] = n;
        return BZL_OK;
    }
    if (ns->n == ns->cap) {
        uint32_t cap = ns->cap == 0 ? 8u : ns->cap * 2u;
        bzl_norm *g = realloc(ns->rows, cap * sizeof *g);
        if (g == NULL) {
            return BZL_NO_MEMORY;
        }
        ns->rows = g;
        ns->cap = cap;
    }
    memmove(&ns->rows[i + 1], &ns->rows[i], (ns->n - i) * sizeof *ns->rows);
    ns->rows[i] = n;
    ns->n++;
    return BZL_OK;
}

/* ---- period totals --------------------------------------------------------------------------- */

static bzl_status
total_add(bzl__derived *d, const char *book, const bzl_effect *e, uint32_t month, uint8_t category,
          int64_t qty_e5, int64_t value_e5, bool legacy)
{
    uint8_t key[TOTAL_KEY_BYTES];
    bzl_wr w = {.p = key, .cap = sizeof key};
    bzl__item_key(wr_take(&w, ITEM_KEY_BYTES), book, e->kind, e->item_no);
    wr_be(&w, month, 4);
    wr_u8(&w, category);
    total_rec *x = upsert(&d->totals, key);
    if (x == NULL) {
        return BZL_NO_MEMORY;
    }
    x->qty_e5 = wrap_add(x->qty_e5, qty_e5);
    x->value_e5 = wrap_add(x->value_e5, value_e5);
    x->legacy |= legacy;
    return BZL_OK;
}

/* An entry's applied effects move the totals as effect_store wrote them (storage_effects.c):
 * each effect's own category, and consumption's tangible loss by the allowance it generated.
 * A consuming entry journaled before schema 4 got its intangible loss from the upgrade, by the
 * norms rather than the journal: its rows are marked legacy. */
static bzl_status
totals_add_entry(bzl__derived *d, uint64_t seq, const bzl__entry *e)
{
    size_t at = 0;
    bool has = false;
    bzl_status st = bzl__entry_effects_at(e, &at, &has);
    if (st != BZL_OK || !has) {
        return st;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    uint32_t count = 0;
    bzl__effects_header(&r, book, &month, &count);
    bool legacy = seq < d->schema4_from && e->type != JOURNAL_VOID && e->type != JOURNAL_REJECT;
    for (uint32_t i = 0; st == BZL_OK && i < count && !r.bad; i++) {
        bzl_effect x;
        bzl__effect_read(&r, &x);
        if (x.total_e5 != 0 || x.total_value_e5 != 0) {
            st = total_add(d, book, &x, month, x.category, x.total_e5, x.total_value_e5, false);
        }
        bool consumption = x.category == BZL_CATEGORY_CONSUMPTION;
        if (st == BZL_OK && consumption && x.scrap_gen_e5 != 0) {
            st =
                total_add(d, book, &x, month, BZL_CATEGORY_TANGIBLE_LOSS, x.scrap_gen_e5, 0, false);
        }
        if (st == BZL_OK && legacy && consumption && x.kind == BZL_KIND_MATERIAL &&
            x.total_e5 != 0) {
            st = total_add(d, book, &x, month, BZL_CATEGORY_INTANGIBLE_LOSS, 0, 0, true);
        }
    }
    return r.bad ? BZL_CORRUPT : st;
}

/* ---- trade values ---------------------------------------------------------------------------- */

/* A line's business mode as bzl__line_mode (storage_trade_values.c) found it when the entry was
 * written: the override, else the last of the product's first 64 mode events dated on or
 * before the declaration, else its registered mode. */
static uint8_t
tv_mode(bzl__derived *d, const bzl_declaration *decl, const bzl_decl_line *l)
{
    if (decl->kind != BZL_KIND_PRODUCT) {
        return BZL_BIZ_NONE;
    }
    if (l->biz_mode != BZL_BIZ_NONE) {
        return l->biz_mode;
    }
    uint8_t key[ITEM_KEY_BYTES];
    bzl__item_key(key, decl->book_no, BZL_KIND_PRODUCT, l->item_no);
    const item_rec *it = bzl__keyed_find(&d->items, key, false);
    uint8_t mode = BZL_BIZ_NONE;
    for (uint32_t i = 0; it != NULL && i < it->n_events && i < 64u; i++) {
        if (it->events[i].from <= decl->date) {
            mode = it->events[i].mode;
        }
    }
    if (mode == BZL_BIZ_NONE && it != NULL && it->registered) {
        mode = it->biz_mode;
    }
    return mode;
}

/* The declaration an entry puts into the trade values and its sign: the entry itself (posted at
 * once), or the one a post (+1) or a reversal (−1) names. *decl false for a pending one. */
static bzl_status
tv_declaration(bzl__derived *d, bzl_txn *t, const bzl__entry *e, bzl_declaration *decl, int *sign,
               bool *counts)
{
    const uint8_t *p = e->payload;
    size_t len = e->payload_len;
    *sign = e->type == JOURNAL_REVERSE ? -1 : 1;
    if (e->type != JOURNAL_DECLARATION) {
        bzl_rd r = {.p = e->payload, .len = e->payload_len};
        uint64_t ref = rd_u64(&r);
        bzl__entry decl_entry;
        bzl_status st = r.bad ? BZL_CORRUPT : bzl__journal_get(t, ref, &decl_entry);
        if (st != BZL_OK || decl_entry.type != JOURNAL_DECLARATION) {
            return st == BZL_OK || st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
        }
        p = decl_entry.payload;
        len = decl_entry.payload_len;
    }
    size_t used = 0;
    bzl_status st = bzl__decl_decode(p, len, decl, d->lines, BZL_DECL_LINES_CEILING, &used);
    decl->lines = d->lines;
    *counts = st == BZL_OK && !(e->type == JOURNAL_DECLARATION && decl->pending);
    return st;
}

/* A declaration posted at once, a post or a reversal moves its lines' trade values at the flow
 * and modes in force at that entry (bzl__trade_values_apply). */
static bzl_status
tv_add_entry(bzl__derived *d, bzl_txn *t, const bzl__entry *e)
{
    bzl_declaration decl;
    int sign = 1;
    bool counts = false;
    bzl_status st = tv_declaration(d, t, e, &decl, &sign, &counts);
    if (st != BZL_OK || !counts) {
        return st;
    }
    const book_rec *b = bzl__keyed_find(&d->books, (const uint8_t *)decl.book_no, false);
    bzl_flow flow = BZL_FLOW_NONE;
    if (bzl_flow_lookup((bzl_kind)decl.kind, (bzl_direction)decl.direction, decl.trade_mode,
                        decl.book_no[0], b != NULL ? b->verify_mode : 0,
                        decl.related_book[0] != '\0', &flow, NULL) != BZL_OK) {
        flow = BZL_FLOW_NONE; /* as a post or reversal does with a flow the table lost */
    }
    for (uint32_t i = 0; i < decl.line_count; i++) {
        const bzl_decl_line *l = &decl.lines[i];
        uint8_t key[TV_KEY_BYTES];
        bzl_wr w = {.p = key, .cap = sizeof key};
        wr_fixed(&w, decl.book_no, BZL_BOOK_NO_LEN);
        wr_be(&w, bzl_month_of(decl.date), 4);
        wr_u8(&w, (uint8_t)flow);
        wr_u8(&w, decl.kind);
        wr_be(&w, l->item_no, 4);
        wr_u8(&w, tv_mode(d, &decl, l));
        wr_fixed(&w, l->currency, BZL_CURRENCY_LEN);
        tv_rec *x = upsert(&d->tvs, key);
        if (x == NULL) {
            return BZL_NO_MEMORY;
        }
        x->sums[0] = wrap_add(x->sums[0], sign * l->qty_e5);
        x->sums[1] = wrap_add(x->sums[1], l->has_usd ? 0 : sign * l->value_e5);
        x->sums[2] = wrap_add(x->sums[2], l->has_usd ? sign * l->usd_e5 : 0);
    }
    return BZL_OK;
}

/* ---- stocktakes and closes ------------------------------------------------------------------- */

/* Converts one product or WIP line by the norms of its product as they stand now (at the
 * entry), as stock_convert did when it was written. */
static bzl_status
stock_convert_now(bzl__derived *d, const char *book, int32_t date, const bzl_stocktake_line *l,
                  bzl_count_row **rows, size_t *n, size_t *cap)
{
    uint8_t key[NORM_PREFIX_BYTES];
    bzl_wr w = {.p = key, .cap = sizeof key};
    wr_fixed(&w, book, BZL_BOOK_NO_LEN);
    wr_be(&w, l->item_no, 4);
    const norm_set *ns = bzl__keyed_find(&d->norms, key, false);
    uint32_t count = 0;
    bzl_status st =
        bzl__norms_resolve_rows(ns != NULL ? ns->rows : NULL, ns != NULL ? ns->n : 0,
                                l->bom_version, date, &d->resolved, &count, &d->resolved_cap);
    for (uint32_t k = 0; st == BZL_OK && k < count; k++) {
        int64_t c = 0;
        int64_t tangible = 0;
        st = bzl_norm_consume(&d->resolved[k], l->qty_e5, &c, &tangible);
        st = st == BZL_OK ? bzl__stock_count_add(rows, n, cap, d->resolved[k].material, 1, c) : st;
    }
    return st;
}

/* The rows a stocktake entry derives (storage_recon.c's payload and arithmetic). */
static bzl_status
stock_derive(bzl__derived *d, const bzl__entry *e, char book[BZL_BOOK_NO_LEN + 1], int32_t *date,
             bool *count_scrap, bzl_count_row **rows, size_t *n, size_t *cap)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    rd_text(&r, book, BZL_BOOK_NO_LEN + 1, BZL_BOOK_NO_LEN, false);
    *date = rd_i32(&r);
    *count_scrap = rd_u8(&r) != 0;
    uint32_t lines = rd_u32(&r);
    if (r.bad || (uint64_t)e->payload_len !=
                     STOCK_ENTRY_HEADER_BYTES + (uint64_t)lines * STOCK_ENTRY_LINE_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && i < lines; i++) {
        bzl_stocktake_line l;
        l.kind = rd_u8(&r);
        l.item_no = rd_u32(&r);
        l.qty_e5 = rd_i64(&r);
        rd_text(&r, l.bom_version, sizeof l.bom_version, BZL_BOM_VERSION_BYTES_MAX, true);
        if (l.kind == BZL_STOCK_MATERIAL || l.kind == BZL_STOCK_SCRAP) {
            st = bzl__stock_count_add(rows, n, cap, l.item_no, l.kind == BZL_STOCK_SCRAP ? 2 : 0,
                                      l.qty_e5);
        } else {
            st = stock_convert_now(d, book, *date, &l, rows, n, cap);
        }
    }
    st = st == BZL_OK ? bzl__stock_counted(*rows, *n, *count_scrap) : st;
    /* The write refused what would overflow; an entry that does is not one it wrote. */
    return r.bad || st == BZL_OVERFLOW ? BZL_CORRUPT : st;
}

/* 12 stocktake: its rows replace those of the same (table, book, date). */
static bzl_status
on_stocktake(bzl__derived *d, uint64_t seq, const bzl__entry *e)
{
    char book[BZL_BOOK_NO_LEN + 1];
    int32_t date = 0;
    bool count_scrap = false;
    bzl_count_row *rows = NULL;
    size_t n = 0;
    size_t cap = 0;
    bzl_status st = stock_derive(d, e, book, &date, &count_scrap, &rows, &n, &cap);
    uint8_t key[STOCK_MARK_KEY_BYTES];
    bzl_wr w = {.p = key, .cap = sizeof key};
    wr_u8(&w, seq >= d->stock_by_from && e->actor.role == BZL_ROLE_ENTERPRISE ? 1 : 0);
    wr_fixed(&w, book, BZL_BOOK_NO_LEN);
    wr_be(&w, (uint32_t)date, 4);
    stock_rec *x = st == BZL_OK ? upsert(&d->stocks, key) : NULL;
    st = st == BZL_OK && x == NULL ? BZL_NO_MEMORY : st;
    if (st != BZL_OK) {
        free(rows);
        return st;
    }
    const book_rec *b = bzl__keyed_find(&d->books, (const uint8_t *)book, false);
    free(x->rows);
    x->rows = rows;
    x->n = n;
    x->cap = cap;
    x->count_scrap = count_scrap;
    x->materials = b != NULL ? b->materials : 0;
    return BZL_OK;
}

/* 8 period close: book | through i32. Through a month's last day it carried every material
 * registered by then forward (bzl_recon_carry_forward). */
static bzl_status
on_close(bzl__derived *d, const bzl__entry *e)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = BZL_BOOK_NO_LEN};
    int32_t through = rd_i32(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    uint32_t month = bzl_month_of(through);
    if (through != bzl_month_last_day(month)) {
        return BZL_OK;
    }
    uint8_t key[CLOSE_KEY_BYTES];
    memcpy(key, e->payload, BZL_BOOK_NO_LEN);
    bzl_wr w = {.p = key + BZL_BOOK_NO_LEN, .cap = 4};
    wr_be(&w, month, 4);
    close_rec *x = upsert(&d->closes, key);
    if (x == NULL) {
        return BZL_NO_MEMORY;
    }
    const book_rec *b = bzl__keyed_find(&d->books, e->payload, false);
    x->materials = b != NULL ? b->materials : 0;
    return BZL_OK;
}

bzl_status
bzl__derived_add(bzl__derived *d, bzl_txn *t, uint64_t seq, const bzl__entry *e)
{
    BZL_ASSERT(d != NULL && e != NULL);
    bzl_status rst = bzl__repair_derived_add(d->repair, seq, e, d->lines);
    if (rst != BZL_OK) {
        return rst;
    }
    switch (e->type) {
    case JOURNAL_BOOK:
        return on_book(d, e);
    case JOURNAL_ITEM:
        return on_item(d, e);
    case JOURNAL_ITEM_MODE:
        return on_mode(d, e);
    case JOURNAL_NORM:
        return on_norm(d, e);
    case JOURNAL_PERIOD_CLOSE:
        return on_close(d, e);
    case JOURNAL_STOCKTAKE:
        return on_stocktake(d, seq, e);
    case JOURNAL_DECLARATION:
    case JOURNAL_POST:
    case JOURNAL_REVERSE: {
        bzl_status st = totals_add_entry(d, seq, e);
        return st == BZL_OK ? tv_add_entry(d, t, e) : st;
    }
    case JOURNAL_VOID:
    case JOURNAL_REJECT:
        return totals_add_entry(d, seq, e);
    default:
        return BZL_OK;
    }
}

/* ---- comparison ------------------------------------------------------------------------------ */

/* Fills the report with the first differing record; has_* false for a missing row or entry. */
static bzl_status
differs(bzl_verify_report *out, const char *table, const char *key, const char *field,
        const int64_t *stored, const int64_t *recomputed)
{
    BZL_ASSERT(stored != NULL || recomputed != NULL);
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "%s", table);
    snprintf(out->key, sizeof out->key, "%s", key);
    snprintf(out->field, sizeof out->field, "%s", field);
    snprintf(out->book_no, sizeof out->book_no, "%.*s", (int)BZL_BOOK_NO_LEN, key);
    out->stored_e5 = stored != NULL ? *stored : 0;
    out->recomputed_e5 = recomputed != NULL ? *recomputed : 0;
    char st[BZL_DEC_TEXT_BYTES] = "no row";
    char re[BZL_DEC_TEXT_BYTES] = "no entry";
    if (stored != NULL) {
        bzl_dec_format(*stored, BZL_SCALE_QTY, st, sizeof st);
    }
    if (recomputed != NULL) {
        bzl_dec_format(*recomputed, BZL_SCALE_QTY, re, sizeof re);
    }
    snprintf(out->message, sizeof out->message,
             "%s %s: %s stored %s but recomputed from the journal %s", table, key, field, st, re);
    return BZL_TAMPERED;
}

/* "H72012400001 material 1 2026-03" from an item key and a month. */
static void
item_month_text(const uint8_t *item_key, uint32_t month, char *buf, size_t cap)
{
    bzl_rd r = {.p = item_key, .len = ITEM_KEY_BYTES};
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, false);
    uint8_t kind = rd_u8(&r);
    uint32_t item = (uint32_t)rd_be(&r, 4);
    snprintf(buf, cap, "%s %s %u %04u-%02u", book, bzl_kind_name((bzl_kind)kind), (unsigned)item,
             (unsigned)(month / 100), (unsigned)(month % 100));
}

static void
total_text(const uint8_t key[TOTAL_KEY_BYTES], char *buf, size_t cap)
{
    bzl_rd r = {.p = key, .len = TOTAL_KEY_BYTES, .off = ITEM_KEY_BYTES};
    uint32_t month = (uint32_t)rd_be(&r, 4);
    uint8_t category = rd_u8(&r);
    char head[64];
    item_month_text(key, month, head, sizeof head);
    snprintf(buf, cap, "%s %s", head, bzl_category_name(category));
}

/* The period totals: every stored row against the journal's sums, then every sum against the
 * rows (a sum with no row must be zero). */
static bzl_status
compare_totals(bzl__derived *d, bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_TOTAL, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    char text[96];
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        int64_t stored[2];
        stored[0] = rd_i64(&r);
        stored[1] = rd_i64(&r);
        if (w.k.mv_size != TOTAL_KEY_BYTES || !rd_done(&r)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        total_rec *x = bzl__keyed_find(&d->totals, w.k.mv_data, false);
        if (x != NULL && x->legacy) {
            x->stored = true; /* the upgrade's derivation, not the journal's: not recomputed */
            continue;
        }
        int64_t re[2] = {x != NULL ? x->qty_e5 : 0, x != NULL ? x->value_e5 : 0};
        total_text(w.k.mv_data, text, sizeof text);
        if (stored[0] != re[0]) {
            st = differs(out, "total", text, "qty", &stored[0], x != NULL ? &re[0] : NULL);
        } else if (stored[1] != re[1]) {
            st = differs(out, "total", text, "value", &stored[1], x != NULL ? &re[1] : NULL);
        } else if (x != NULL) {
            x->stored = true;
        }
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && i < d->totals.cap; i++) {
        const total_rec *x = bzl__keyed_at(&d->totals, i);
        if (x != NULL && !x->stored && (x->qty_e5 != 0 || x->value_e5 != 0)) {
            total_text(x->key, text, sizeof text);
            st = differs(out, "total", text, x->qty_e5 != 0 ? "qty" : "value", NULL,
                         x->qty_e5 != 0 ? &x->qty_e5 : &x->value_e5);
        }
    }
    return st;
}

static void
tv_text(const uint8_t key[TV_KEY_BYTES], char *buf, size_t cap)
{
    bzl_rd r = {.p = key, .len = TV_KEY_BYTES};
    char book[BZL_BOOK_NO_LEN + 1];
    char currency[BZL_CURRENCY_LEN + 1];
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, false);
    uint32_t month = (uint32_t)rd_be(&r, 4);
    uint8_t flow = rd_u8(&r);
    uint8_t kind = rd_u8(&r);
    uint32_t item = (uint32_t)rd_be(&r, 4);
    uint8_t mode = rd_u8(&r);
    rd_text(&r, currency, sizeof currency, BZL_CURRENCY_LEN, true);
    snprintf(buf, cap, "%s %04u-%02u %s %s %u mode %s currency %s", book, (unsigned)(month / 100),
             (unsigned)(month % 100), bzl_flow_name((bzl_flow)flow), bzl_kind_name((bzl_kind)kind),
             (unsigned)item, mode == BZL_BIZ_NONE ? "none" : bzl_biz_mode_name((bzl_biz_mode)mode),
             currency);
}

static const char *const tv_fields[3] = {"qty", "value", "usd"};

/* The trade values, both ways, as the totals. */
static bzl_status
compare_tvs(bzl__derived *d, bzl_txn *t, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_TRADE_VALUE, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    char text[128];
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        int64_t stored[3];
        for (int f = 0; f < 3; f++) {
            stored[f] = rd_i64(&r);
        }
        if (w.k.mv_size != TV_KEY_BYTES || !rd_done(&r)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        tv_rec *x = bzl__keyed_find(&d->tvs, w.k.mv_data, false);
        for (int f = 0; st == BZL_OK && f < 3; f++) {
            int64_t re = x != NULL ? x->sums[f] : 0;
            if (stored[f] != re) {
                tv_text(w.k.mv_data, text, sizeof text);
                st = differs(out, "trade_value", text, tv_fields[f], &stored[f],
                             x != NULL ? &re : NULL);
            }
        }
        if (st == BZL_OK && x != NULL) {
            x->stored = true;
        }
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && i < d->tvs.cap; i++) {
        const tv_rec *x = bzl__keyed_at(&d->tvs, i);
        for (int f = 0; st == BZL_OK && x != NULL && !x->stored && f < 3; f++) {
            if (x->sums[f] != 0) {
                tv_text(x->key, text, sizeof text);
                st = differs(out, "trade_value", text, tv_fields[f], NULL, &x->sums[f]);
            }
        }
    }
    return st;
}

/* "H72012400001 2026-06-30 customs count" from a stock mark key. */
static void
stock_text(const uint8_t key[STOCK_MARK_KEY_BYTES], uint32_t item, char *buf, size_t cap)
{
    bzl_rd r = {.p = key, .len = STOCK_MARK_KEY_BYTES};
    uint8_t table = rd_u8(&r);
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, false);
    char day[16];
    bzl_date_format((int32_t)(uint32_t)rd_be(&r, 4), day, sizeof day);
    const char *who = table == 1 ? "enterprise" : "customs";
    if (item == 0) {
        snprintf(buf, cap, "%s %s (%s count)", book, day, who);
    } else {
        snprintf(buf, cap, "%s %s material %u (%s count)", book, day, (unsigned)item, who);
    }
}

/* The row of item in x's derived rows, or NULL (a material the stocktake counted as 0). */
static const bzl_count_row *
stock_row(const stock_rec *x, uint32_t item)
{
    size_t lo = 0;
    size_t hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->rows[mid].item_no < item) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < x->n && x->rows[lo].item_no == item ? &x->rows[lo] : NULL;
}

/* One stored stocktake row against the rows its entry derived. */
static bzl_status
stock_compare_row(stock_rec *x, uint32_t item, const bzl_count_row *stored, bzl_verify_report *out)
{
    static const bzl_count_row zero;
    const bzl_count_row *re = stock_row(x, item);
    re = re != NULL ? re : &zero;
    const int64_t s[5] = {stored->counted_e5, stored->direct_e5, stored->converted_e5,
                          stored->scrap_e5, stored->count_scrap};
    const int64_t j[5] = {re->counted_e5, re->direct_e5, re->converted_e5, re->scrap_e5,
                          x->count_scrap};
    static const char *const fields[5] = {"counted", "direct", "converted", "scrap", "count_scrap"};
    x->seen++;
    for (int f = 0; f < 5; f++) {
        if (s[f] != j[f]) {
            char text[96];
            stock_text(x->key, item, text, sizeof text);
            return differs(out, "stocktake", text, fields[f], &s[f], &j[f]);
        }
    }
    return BZL_OK;
}

/* Names a stocktake whose rows no journal entry wrote, as verify always has. */
static bzl_status
stock_unrecorded(const uint8_t mark[STOCK_MARK_KEY_BYTES], bzl_verify_report *out)
{
    char text[96];
    stock_text(mark, 0, text, sizeof text);
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "stocktake");
    snprintf(out->key, sizeof out->key, "%s", text);
    snprintf(out->field, sizeof out->field, "stocktake");
    bzl_rd r = {.p = mark + 1, .len = STOCK_MARK_KEY_BYTES - 1u};
    rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    out->date = (int32_t)(uint32_t)rd_be(&r, 4);
    snprintf(out->message, sizeof out->message,
             "stocktake book %s: rows are stored but no journal entry records it", text);
    return BZL_TAMPERED;
}

/* Every row of one stocktake table (0 customs, 1 enterprise) against its entry's rows. */
static bzl_status
compare_stock_table(bzl__derived *d, bzl_txn *t, uint8_t table, bzl_verify_report *out)
{
    bzl__walk w;
    bzl__walk_begin(t, table == 0 ? DB_STOCKTAKE : DB_STOCKTAKE_ENT, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN + 4u};
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        bzl_count_row row = {.item_no = (uint32_t)rd_be(&kr, 4)};
        row.counted_e5 = rd_i64(&r);
        row.direct_e5 = rd_i64(&r);
        row.converted_e5 = rd_i64(&r);
        row.scrap_e5 = rd_i64(&r);
        row.count_scrap = rd_u8(&r) != 0;
        if (w.k.mv_size != STOCK_KEY_BYTES || !rd_done(&r)) {
            st = BZL_CORRUPT;
            break;
        }
        out->rows++;
        uint8_t mark[STOCK_MARK_KEY_BYTES];
        mark[0] = table;
        memcpy(mark + 1, w.k.mv_data, STOCK_MARK_KEY_BYTES - 1u);
        stock_rec *x = bzl__keyed_find(&d->stocks, mark, false);
        st = x == NULL ? stock_unrecorded(mark, out) : stock_compare_row(x, row.item_no, &row, out);
    }
    return bzl__walk_end(&w, st);
}

/* Both stocktake tables; then every entry must have left one row per material it counted. */
static bzl_status
compare_stocks(bzl__derived *d, bzl_txn *t, bzl_verify_report *out)
{
    bzl_status st = compare_stock_table(d, t, 0, out);
    st = st == BZL_OK ? compare_stock_table(d, t, 1, out) : st;
    for (size_t i = 0; st == BZL_OK && i < d->stocks.cap; i++) {
        const stock_rec *x = bzl__keyed_at(&d->stocks, i);
        if (x != NULL && x->seen != x->materials) {
            char text[96];
            stock_text(x->key, 0, text, sizeof text);
            int64_t s = x->seen;
            int64_t j = x->materials;
            st = differs(out, "stocktake", text, "rows", &s, &j);
            snprintf(out->message, sizeof out->message,
                     "stocktake %s: %" PRId64
                     " rows stored but the journal's entry counted %" PRId64 " materials",
                     text, s, j);
        }
    }
    return st;
}

/* Where the closing walk stands: the material of the last row and the net movement of its
 * months through `month`. */
typedef struct close_walk {
    uint8_t item[BZL_BOOK_NO_LEN + 4u]; /* book | item BE */
    bool started;
    uint32_t month;
    bzl_i128 net;
} close_walk;

/* Adds the material's period totals of the months after cw->month through month (the proven
 * totals: compare_totals ran first), as bzl_recon_opening sums them. */
static bzl_status
close_advance(bzl_txn *t, const char *book, uint32_t item, uint32_t month, close_walk *cw)
{
    uint32_t from = cw->month == 0 ? BZL_DATE_MIN_YEAR * 100u + 1u : bzl_month_next(cw->month);
    if (from <= month) {
        int64_t sums[256] = {0};
        bzl_status st = bzl_storage_totals_sum(t, book, BZL_KIND_MATERIAL, item, from, month, sums);
        if (st != BZL_OK) {
            return st == BZL_OVERFLOW ? BZL_CORRUPT : st;
        }
        for (unsigned c = 0; c < BZL_RECON_CATEGORIES; c++) {
            cw->net += bzl_recon_category_sign(c) * (bzl_i128)sums[c];
        }
    }
    cw->month = month;
    return BZL_OK;
}

/* One closing row (book | item | month → book_e5) against its close and its totals. A closing
 * is the material's book balance at the month's end: every earlier closing plus the months
 * after it is, by induction, the net movement of every month through it, and closed months
 * never move again. */
static bzl_status
compare_closing(bzl__derived *d, bzl_txn *t, const MDB_val *k, const MDB_val *v, close_walk *cw,
                bzl_verify_report *out)
{
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&kr, book, sizeof book, BZL_BOOK_NO_LEN, false);
    uint32_t item = (uint32_t)rd_be(&kr, 4);
    uint32_t month = (uint32_t)rd_be(&kr, 4);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    int64_t stored = rd_i64(&r);
    if (k->mv_size != CLOSING_KEY_BYTES || !rd_done(&r)) {
        return BZL_CORRUPT;
    }
    char text[64];
    snprintf(text, sizeof text, "%s material %u %04u-%02u", book, (unsigned)item,
             (unsigned)(month / 100), (unsigned)(month % 100));
    uint8_t ck[CLOSE_KEY_BYTES];
    memcpy(ck, book, BZL_BOOK_NO_LEN);
    bzl_wr w = {.p = ck + BZL_BOOK_NO_LEN, .cap = 4};
    wr_be(&w, month, 4);
    close_rec *x = bzl__keyed_find(&d->closes, ck, false);
    if (x == NULL) {
        return differs(out, "closing", text, "book_balance", &stored, NULL);
    }
    x->seen++;
    if (!cw->started || memcmp(cw->item, k->mv_data, sizeof cw->item) != 0) {
        *cw = (close_walk){.started = true};
        memcpy(cw->item, k->mv_data, sizeof cw->item);
    }
    bzl_status st = close_advance(t, book, item, month, cw);
    if (st == BZL_OK && (cw->net > INT64_MAX || cw->net < INT64_MIN || cw->net != stored)) {
        int64_t re = cw->net > INT64_MAX || cw->net < INT64_MIN ? 0 : (int64_t)cw->net;
        st = differs(out, "closing", text, "book_balance", &stored, &re);
    }
    return st;
}

/* The closings, then every close through a month's end must have carried each material. */
static bzl_status
compare_closings(bzl__derived *d, bzl_txn *t, bzl_verify_report *out)
{
    close_walk cw = {.started = false};
    bzl__walk w;
    bzl__walk_begin(t, DB_CLOSING, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        out->rows++;
        st = compare_closing(d, t, &w.k, &w.v, &cw, out);
    }
    st = bzl__walk_end(&w, st);
    for (size_t i = 0; st == BZL_OK && i < d->closes.cap; i++) {
        const close_rec *x = bzl__keyed_at(&d->closes, i);
        if (x != NULL && x->seen != x->materials) {
            bzl_rd r = {.p = x->key, .len = CLOSE_KEY_BYTES, .off = BZL_BOOK_NO_LEN};
            uint32_t month = (uint32_t)rd_be(&r, 4);
            char text[48];
            snprintf(text, sizeof text, "%.12s %04u-%02u", (const char *)x->key,
                     (unsigned)(month / 100), (unsigned)(month % 100));
            int64_t s = x->seen;
            int64_t j = x->materials;
            st = differs(out, "closing", text, "rows", &s, &j);
            snprintf(out->message, sizeof out->message,
                     "closing %s: %" PRId64 " rows stored but the journal's close carried %" PRId64
                     " materials",
                     text, s, j);
        }
    }
    return st;
}

bzl_status
bzl__derived_compare(bzl__derived *d, bzl_txn *t, bzl_verify_report *out)
{
    BZL_ASSERT(d != NULL && out != NULL);
    bzl_status st = compare_totals(d, t, out);
    st = st == BZL_OK ? compare_tvs(d, t, out) : st;
    st = st == BZL_OK ? compare_stocks(d, t, out) : st;
    /* Closings are checked against the stored totals, so only after those are proven. */
    st = st == BZL_OK ? compare_closings(d, t, out) : st;
    return st == BZL_OK ? bzl__repair_derived_compare(d->repair, t, out) : st;
}
