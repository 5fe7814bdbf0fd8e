/* report_walk.c — the reports' walks: every book's trade values (and, for the product ratio,
 * the norms and import prices; for upgrades, the mode events) gathered into groups for the pure
 * rules of report.h (query.h). Storage reads only; the daemon formats the answer. */
#include "bzl/query.h"

#include "bzl/decimal.h"
#include "bzl/norms.h"
#include "bzl/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef bzl_report_group group;

/* One product export row (E flow) of the book being visited. */
typedef struct pv_export {
    uint32_t item_no;
    uint32_t month;
    int64_t qty_e5;
} pv_export;

/* One material of the book being visited: its imports (I flows) in the period, and what the
 * product being folded consumed of it by norm. */
typedef struct pv_material {
    uint32_t item_no;
    int64_t qty_e5;
    int64_t usd_e5;
    int64_t consumed_e5;
} pv_material;

/* The walk's state: the query's inputs, the groups it fills, and the book being visited. */
typedef struct report {
    bzl_report_kind kind;
    bzl_report_by by;
    bool by_quarter;
    bool by_year;
    bool exclude_transfers;
    bzl_txn *txn;
    bzl_period p;
    bzl_period p2; /* upgrades: the later period */
    /* the book being visited */
    char book_no[BZL_BOOK_NO_LEN + 1];
    bzl_enterprise ent;
    bzl_i128 book_e_mode[BZL_MODES]; /* a book's sums over its rows: 128 bits, see add */
    bzl_i128 book_i;
    group *groups; /* owned until handed to the query */
    size_t n_groups;
    size_t cap_groups;
    bzl_report_event *events; /* upgrades; owned until handed to the query */
    size_t n_events;
    size_t cap_events;
    /* by product: the book's export rows and materials (owned; emptied after each book), a
     * norm buffer, and the products whose consumed materials had no import price */
    pv_export *pv_exports;
    size_t n_pv_exports;
    size_t cap_pv_exports;
    pv_material *pv_mats;
    size_t n_pv_mats;
    size_t cap_pv_mats;
    bzl_norm *pv_norms; /* BZL_REPORT_NORM_MATERIALS_MAX of them */
    uint32_t pv_unpriced;
    char pv_unpriced_text[200];
    bzl_fault fault;
} report;

/* A new zeroed event; NULL when out of room (the events are bounded like the groups). */
static bzl_report_event *
event_add(report *r)
{
    if (r->n_events == r->cap_events) {
        size_t nc = r->cap_events == 0 ? 64 : r->cap_events * 2;
        bzl_report_event *g =
            nc <= BZL_REPORT_GROUPS_MAX ? realloc(r->events, nc * sizeof *g) : NULL;
        if (g == NULL) {
            return NULL;
        }
        r->events = g;
        r->cap_events = nc;
    }
    bzl_report_event *x = &r->events[r->n_events++];
    memset(x, 0, sizeof *x);
    return x;
}

static group *
group_get(report *r, const char *key, const char *sub)
{
    for (size_t i = r->n_groups; i-- > 0;) {
        if (strcmp(r->groups[i].key, key) == 0 && strcmp(r->groups[i].sub, sub) == 0) {
            return &r->groups[i];
        }
    }
    if (r->n_groups == r->cap_groups) {
        size_t nc = r->cap_groups == 0 ? 64 : r->cap_groups * 2;
        group *g = nc <= BZL_REPORT_GROUPS_MAX ? realloc(r->groups, nc * sizeof *g) : NULL;
        if (g == NULL) {
            return NULL;
        }
        r->groups = g;
        r->cap_groups = nc;
    }
    group *g = &r->groups[r->n_groups++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    snprintf(g->sub, sizeof g->sub, "%s", sub);
    return g;
}

static int
group_cmp(const void *a, const void *b)
{
    const group *x = a;
    const group *y = b;
    int c = strcmp(x->key, y->key);
    return c != 0 ? c : strcmp(x->sub, y->sub);
}

/* acc += v for the report's sums. Every addend is an int64 figure and a report reads at most
 * 2^36 rows (journal-sized), so |acc| stays below 2^100: 128 bits cannot overflow, and the
 * percentages of such sums (× 10^6) still fit. */
static void
add(bzl_i128 *acc, bzl_i128 v)
{
    const bzl_i128 limit = (bzl_i128)1 << 100;
    *acc += v;
    BZL_ASSERT(*acc<limit && * acc> - limit);
}

/* The row's value in USD: its own USD values plus the rest converted by the month's rates. */
static bzl_status
row_usd(report *r, const bzl_trade_value *v, int64_t *usd_e5)
{
    int64_t conv = 0;
    bzl_status st = BZL_OK;
    if (v->value_e5 != 0 && strcmp(v->currency, BZL_CURRENCY_USD) == 0) {
        conv = v->value_e5;
    } else if (v->value_e5 != 0) {
        int64_t cur = 0;
        int64_t usd = 0;
        const char *missing = v->currency;
        st = bzl_storage_rate_get(r->txn, v->month, v->currency, &cur);
        if (st == BZL_OK) {
            missing = BZL_CURRENCY_USD;
            st = bzl_storage_rate_get(r->txn, v->month, BZL_CURRENCY_USD, &usd);
        }
        if (st == BZL_OK) {
            st = bzl_usd_convert(v->value_e5, cur, usd, &conv);
        }
        if (st == BZL_RATE_MISSING) {
            const char *iso = bzl_code_currency_iso(missing, BZL_CURRENCY_LEN);
            return bzl_fault_set(&r->fault, st, 0, "rate",
                                 "no exchange rate for currency %s (%s) in %04u-%02u: bzl rates "
                                 "set --month %04u-%02u --currency %s --cny RATE",
                                 missing, iso != NULL ? iso : "?", v->month / 100, v->month % 100,
                                 v->month / 100, v->month % 100, missing);
        }
    }
    return st == BZL_OK ? bzl_dec_add(conv, v->usd_e5, usd_e5) : st;
}

/* The bucket a month (YYYYMM) falls in, as the report prints it: 2025, 2025-Q2 or 2025-04. */
static void
month_key(uint32_t month, bool quarter, bool year, char *buf, size_t cap)
{
    if (year) {
        snprintf(buf, cap, "%04u", month / 100);
    } else if (quarter) {
        snprintf(buf, cap, "%04u-Q%u", month / 100, (month % 100 + 2) / 3);
    } else {
        snprintf(buf, cap, "%04u-%02u", month / 100, month % 100);
    }
}

/* ---- value-added ratio by product ----
 *
 * The ledger keeps consumption per material, not per product (period totals category 64 and
 * the trade values are by material item), so a product's imports I are derived, not read:
 *
 *   I(product) = Σ over materials m of consumed(product, m) × import_usd(m) / import_qty(m)
 *   consumed(product, m) = Σ over the product's E rows of round5(qty × u(m)),
 *                          u = round9(单耗 × bonded share) (bzl_norm_consume, as the ledger)
 *
 * E rows are the product's trade-value rows of E flows in the period (product exports, and
 * deep-processing transfers out unless --exclude-transfers); the import price of m is the
 * USD value over the quantity of its I-flow rows in the period (material imports, and
 * deep-processing transfers in unless excluded) of the same book. Trade values are kept per
 * month, so a row's norm is the version in force on its month's last day: a line that named
 * another bom_version, or a version that took effect mid-month, is not seen, and per-row
 * rounding may differ from the ledger's per-line consumption in the fifth decimal. A material
 * with no import in the period has no price and adds 0 (the note names the products whose I
 * is understated so); a product with no norm in force has I = 0, so its ratio is "n/a".
 * Valued once per (product, material), 5 decimals half-up (bzl_consumed_value); ratios at 4. */

static void *
pv_grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) {
        return p;
    }
    size_t nc = *cap == 0 ? 64 : *cap * 2;
    void *g = nc <= BZL_REPORT_PRODUCT_ROWS_MAX ? realloc(p, nc * size) : NULL;
    if (g != NULL) {
        *cap = nc;
    }
    return g;
}

/* The book's material item_no, added with no imports when new; NULL when out of room. */
static pv_material *
pv_material_get(report *r, uint32_t item_no)
{
    for (size_t i = 0; i < r->n_pv_mats; i++) {
        if (r->pv_mats[i].item_no == item_no) {
            return &r->pv_mats[i];
        }
    }
    pv_material *g = pv_grow(r->pv_mats, &r->cap_pv_mats, r->n_pv_mats, sizeof *g);
    if (g == NULL) {
        return NULL;
    }
    r->pv_mats = g;
    pv_material *m = &r->pv_mats[r->n_pv_mats++];
    memset(m, 0, sizeof *m);
    m->item_no = item_no;
    return m;
}

/* Keeps a product E row's quantity, or adds a material I row to its import price. */
static bzl_status
pv_capture(report *r, const bzl_trade_value *v, bool e, int64_t usd)
{
    if (e && v->kind == BZL_KIND_PRODUCT) {
        pv_export *g = pv_grow(r->pv_exports, &r->cap_pv_exports, r->n_pv_exports, sizeof *g);
        if (g == NULL) {
            return BZL_NO_MEMORY;
        }
        r->pv_exports = g;
        r->pv_exports[r->n_pv_exports++] =
            (pv_export){.item_no = v->item_no, .month = v->month, .qty_e5 = v->qty_e5};
        return BZL_OK;
    }
    if (e || v->kind != BZL_KIND_MATERIAL) {
        return BZL_OK;
    }
    pv_material *m = pv_material_get(r, v->item_no);
    if (m == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_status st = bzl_dec_add(m->qty_e5, v->qty_e5, &m->qty_e5);
    return st == BZL_OK ? bzl_dec_add(m->usd_e5, usd, &m->usd_e5) : st;
}

/* Adds what one E row of the product consumed, by the norm in force at its month's end. */
static bzl_status
pv_consume_row(report *r, const pv_export *x)
{
    if (x->qty_e5 < 0) {
        return BZL_CORRUPT; /* posted rows net of reversals never go below zero */
    }
    size_t n = 0;
    bzl_status st =
        bzl_storage_norms_in_force(r->txn, r->book_no, x->item_no, bzl_month_last_day(x->month),
                                   r->pv_norms, BZL_REPORT_NORM_MATERIALS_MAX, &n);
    for (size_t k = 0; st == BZL_OK && k < n; k++) {
        int64_t c = 0;
        int64_t tangible = 0;
        pv_material *m = pv_material_get(r, r->pv_norms[k].material);
        st =
            m != NULL ? bzl_norm_consume(&r->pv_norms[k], x->qty_e5, &c, &tangible) : BZL_NO_MEMORY;
        st = st == BZL_OK ? bzl_dec_add(m->consumed_e5, c, &m->consumed_e5) : st;
    }
    return st;
}

/* Notes a product whose consumed material had no import price in the period. */
static void
pv_unpriced(report *r, uint32_t product, uint32_t material)
{
    size_t len = strlen(r->pv_unpriced_text);
    if (r->pv_unpriced++ < 4) {
        snprintf(r->pv_unpriced_text + len, sizeof r->pv_unpriced_text - len,
                 "%s%s/%u (material %u)", len > 0 ? ", " : "", r->book_no, (unsigned)product,
                 (unsigned)material);
    }
}

/* I of one product of the book: its E rows' consumption valued at the import prices. */
static bzl_status
pv_product(report *r, uint32_t item_no)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; i < r->n_pv_mats; i++) {
        r->pv_mats[i].consumed_e5 = 0;
    }
    for (size_t i = 0; st == BZL_OK && i < r->n_pv_exports; i++) {
        st = r->pv_exports[i].item_no == item_no ? pv_consume_row(r, &r->pv_exports[i]) : st;
    }
    bzl_i128 i_e5 = 0;
    for (size_t i = 0; st == BZL_OK && i < r->n_pv_mats; i++) {
        const pv_material *m = &r->pv_mats[i];
        int64_t value = 0;
        if (m->consumed_e5 == 0) {
            continue;
        }
        st = bzl_consumed_value(m->consumed_e5, m->usd_e5, m->qty_e5, &value);
        if (st == BZL_INVALID_ARGUMENT) {
            pv_unpriced(r, item_no, m->item_no);
            st = BZL_OK;
            value = 0;
        }
        add(&i_e5, st == BZL_OK ? value : 0);
    }
    char key[64];
    snprintf(key, sizeof key, "%s/%u", r->book_no, (unsigned)item_no);
    group *g = st == BZL_OK ? group_get(r, key, "") : NULL;
    if (st == BZL_OK && g == NULL) {
        st = BZL_NO_MEMORY;
    }
    if (st == BZL_OK) {
        add(&g->i_e5, i_e5);
    }
    return st;
}

/* After a book's rows: every exported product's I; then the book's rows are let go. */
static bzl_status
pv_fold_book(report *r)
{
    bzl_status st = BZL_OK;
    if (r->pv_norms == NULL && r->n_pv_exports > 0) {
        r->pv_norms = calloc(BZL_REPORT_NORM_MATERIALS_MAX, sizeof *r->pv_norms);
        st = r->pv_norms != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    for (size_t i = 0; st == BZL_OK && i < r->n_pv_exports; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = r->pv_exports[j].item_no == r->pv_exports[i].item_no;
        }
        st = seen ? st : pv_product(r, r->pv_exports[i].item_no);
    }
    r->n_pv_exports = 0;
    r->n_pv_mats = 0;
    return st;
}

/* var, share, modes: per trade-value row. */
static bzl_status
report_visit_cb(void *ctx, const bzl_trade_value *v)
{
    report *r = ctx;
    bool e = bzl_report_flow_is_e(v->flow, r->exclude_transfers);
    bool i = bzl_report_flow_is_i(v->flow, r->exclude_transfers);
    if (!e && !i) {
        return BZL_OK;
    }
    int64_t usd = 0;
    bzl_status st = row_usd(r, v, &usd);
    if (st == BZL_OK && r->kind == BZL_REPORT_VAR && r->by == BZL_REPORT_BY_PRODUCT) {
        st = pv_capture(r, v, e, usd);
    }
    if (st != BZL_OK) {
        return st;
    }
    bool modes = r->kind == BZL_REPORT_MODES;
    char key[64];
    group *g = NULL;
    if (modes || r->kind == BZL_REPORT_SHARE) {
        month_key(v->month, r->by_quarter, r->by_year, key, sizeof key);
        g = group_get(r, key, modes ? r->ent.code : "");
        group *z = modes ? group_get(r, key, "ZONE") : NULL;
        if (g == NULL || (modes && z == NULL)) {
            return BZL_NO_MEMORY;
        }
        if (z != NULL && e) {
            add(&z->mode_e5[v->mode % BZL_MODES], usd);
        }
    } else if (r->by == BZL_REPORT_BY_PRODUCT && e) {
        snprintf(key, sizeof key, "%s/%u", r->book_no, (unsigned)v->item_no);
        g = group_get(r, key, "");
        if (g == NULL) {
            return BZL_NO_MEMORY;
        }
    }
    if (st == BZL_OK && g != NULL) {
        add(e ? &g->e_e5 : &g->i_e5, usd);
        if (e) {
            add(&g->mode_e5[v->mode % BZL_MODES], usd);
        }
    }
    if (st == BZL_OK) {
        add(e ? &r->book_e_mode[v->mode % BZL_MODES] : &r->book_i, usd);
    }
    return st;
}

static bzl_status
group_add(report *r, const char *key, bzl_i128 e, bzl_i128 i)
{
    group *g = group_get(r, key, "");
    if (g == NULL) {
        return BZL_NO_MEMORY;
    }
    add(&g->e_e5, e);
    add(&g->i_e5, i);
    return BZL_OK;
}

/* After a book's rows: folds its E and I into the var groups (not product, done per row). */
static bzl_status
var_fold_book(report *r)
{
    bzl_i128 e = 0;
    bzl_status st = BZL_OK;
    for (unsigned m = 0; m < BZL_MODES; m++) {
        add(&e, r->book_e_mode[m]);
    }
    if (r->by == BZL_REPORT_BY_PRODUCT) {
        return pv_fold_book(r);
    }
    if (r->by != BZL_REPORT_BY_MODE) {
        const char *key = r->by == BZL_REPORT_BY_ENTERPRISE ? r->ent.code
                          : r->by == BZL_REPORT_BY_AREA     ? (r->ent.area[0] ? r->ent.area : "-")
                                                            : "zone";
        return group_add(r, key, e, r->book_i);
    }
    /* by mode: the book's imports are attributed to modes in proportion to its exports */
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        int64_t share_i = 0;
        int64_t book_i = 0;
        int64_t e_m = 0;
        int64_t e_all = 0;
        /* A book's own sums fit int64 but for a poisoned book; then this one grouping
         * cannot attribute its imports and says OVERFLOW (the other reports still answer). */
        st = bzl_dec_narrow(r->book_i, &book_i);
        st = st == BZL_OK ? bzl_dec_narrow(r->book_e_mode[m], &e_m) : st;
        st = st == BZL_OK ? bzl_dec_narrow(e, &e_all) : st;
        if (st == BZL_OK && e != 0) {
            st = bzl_dec_mul(book_i, BZL_SCALE_QTY, e_m, BZL_SCALE_QTY, BZL_SCALE_QTY, &share_i);
            st = st == BZL_OK ? bzl_dec_div(share_i, BZL_SCALE_QTY, e_all, BZL_SCALE_QTY,
                                            BZL_SCALE_QTY, &share_i)
                              : st;
        } else if (st == BZL_OK && m == BZL_BIZ_NONE) {
            share_i = book_i;
        }
        const char *name = m == BZL_BIZ_NONE ? "none" : bzl_biz_mode_name((bzl_biz_mode)m);
        if (st == BZL_OK && (r->book_e_mode[m] != 0 || share_i != 0)) {
            st = group_add(r, name, r->book_e_mode[m], share_i);
        }
    }
    return st;
}

/* Visits every book in book-number order, with r->book_no and r->ent set to it. */
static bzl_status
each_book(report *r, bzl_status (*visit)(report *r, void *ctx), void *ctx)
{
    char books[64][BZL_BOOK_NO_LEN + 1];
    char after[BZL_BOOK_NO_LEN + 1] = "";
    bool more = true;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && more) {
        size_t n = 0;
        st = bzl_storage_book_list(r->txn, after, books, BZL_ARRAY_LEN(books), &n, &more);
        for (size_t b = 0; st == BZL_OK && b < n; b++) {
            bzl_book book;
            memcpy(r->book_no, books[b], sizeof r->book_no);
            memcpy(after, books[b], sizeof after);
            st = bzl_storage_book_get(r->txn, r->book_no, &book);
            st = st == BZL_OK ? bzl_storage_enterprise_get(r->txn, book.enterprise, &r->ent) : st;
            st = st == BZL_OK ? visit(r, ctx) : st;
        }
        more = more && n > 0;
    }
    return st;
}

/* What report_books does with each book: its trade values in [from, to], then fold. */
typedef struct books_pass {
    uint32_t from, to;
    bzl_status (*fold)(report *r);
} books_pass;

static bzl_status
book_values(report *r, void *ctx)
{
    const books_pass *pass = ctx;
    memset(r->book_e_mode, 0, sizeof r->book_e_mode);
    r->book_i = 0;
    bzl_status st =
        bzl_storage_trade_values(r->txn, r->book_no, pass->from, pass->to, r, report_visit_cb);
    return st == BZL_OK && pass->fold != NULL ? pass->fold(r) : st;
}

/* Visits every book's trade values in [from, to]; fold runs after each book. */
static bzl_status
report_books(report *r, uint32_t from, uint32_t to, bzl_status (*fold)(report *r))
{
    books_pass pass = {.from = from, .to = to, .fold = fold};
    return each_book(r, book_values, &pass);
}

static bzl_status
general_usd(report *r, const bzl_trade_row *row, int64_t *usd_e5)
{
    bzl_trade_value v = {.month = row->month};
    memcpy(v.currency, row->currency, sizeof v.currency);
    bzl_status st = bzl_dec_add(row->exports_e5, row->imports_e5, &v.value_e5);
    return st == BZL_OK ? row_usd(r, &v, usd_e5) : st;
}

typedef struct upgrade_ctx {
    report *r;
    int phase; /* 1 the earlier period, 2 the later */
} upgrade_ctx;

static bzl_status
upgrade_visit_cb(void *ctx, const bzl_trade_value *v)
{
    upgrade_ctx *u = ctx;
    report *r = u->r;
    if (!bzl_report_flow_is_e(v->flow, r->exclude_transfers)) {
        return BZL_OK;
    }
    int64_t usd = 0;
    bzl_status st = row_usd(r, v, &usd);
    char key[64];
    snprintf(key, sizeof key, "%s/%u", v->book_no, (unsigned)v->item_no);
    group *p = st == BZL_OK ? group_get(r, key, "product") : NULL;
    group *e = p != NULL ? group_get(r, r->ent.code, "enterprise") : NULL;
    group *z = e != NULL ? group_get(r, "ZONE", "zone") : NULL;
    if (st == BZL_OK && z == NULL) {
        return BZL_NO_MEMORY;
    }
    group *gs[] = {p, e, z};
    for (size_t i = 0; st == BZL_OK && i < 3; i++) {
        bzl_i128 *a = u->phase == 1 ? gs[i]->mode_e5 : gs[i]->mode2_e5;
        add(&a[v->mode % BZL_MODES], usd);
    }
    return st;
}

/* One book's export values in both periods: phase 1 the earlier, 2 the later. */
static bzl_status
upgrade_book(report *r, void *ctx)
{
    upgrade_ctx *u = ctx;
    u->phase = 1;
    bzl_status st = bzl_storage_trade_values(r->txn, r->book_no, r->p.first_month, r->p.last_month,
                                             u, upgrade_visit_cb);
    u->phase = 2;
    return st == BZL_OK ? bzl_storage_trade_values(r->txn, r->book_no, r->p2.first_month,
                                                   r->p2.last_month, u, upgrade_visit_cb)
                        : st;
}

/* Visits every book's export values in both periods. */
static bzl_status
upgrade_collect(report *r)
{
    upgrade_ctx u = {.r = r, .phase = 1};
    return each_book(r, upgrade_book, &u);
}

/* Mode events of every product dated within [from, to]. */
static bzl_status
upgrade_events(report *r, int32_t from, int32_t to)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < r->n_groups; i++) {
        const group *g = &r->groups[i];
        if (strcmp(g->sub, "product") != 0) {
            continue;
        }
        char book_no[BZL_BOOK_NO_LEN + 1];
        unsigned item = 0;
        memcpy(book_no, g->key, BZL_BOOK_NO_LEN);
        book_no[BZL_BOOK_NO_LEN] = '\0';
        item = (unsigned)strtoul(g->key + BZL_BOOK_NO_LEN + 1, NULL, 10);
        bzl_mode_event ev[64];
        size_t n = 0;
        st = bzl_storage_item_modes(r->txn, book_no, item, ev, BZL_ARRAY_LEN(ev), &n);
        bzl_item it;
        bzl_status ist =
            st == BZL_OK ? bzl_storage_item_get(r->txn, book_no, BZL_KIND_PRODUCT, item, &it) : st;
        uint8_t prev = ist == BZL_OK ? it.biz_mode : BZL_BIZ_NONE; /* as registered */
        for (size_t k = 0; st == BZL_OK && k < n; prev = ev[k].mode, k++) {
            if (ev[k].from < from || ev[k].from > to) {
                continue;
            }
            bzl_report_event *x = event_add(r);
            if (x == NULL) {
                st = BZL_NO_MEMORY;
                break;
            }
            snprintf(x->product, sizeof x->product, "%s", g->key);
            x->from_mode = prev;
            x->to_mode = ev[k].mode;
            x->date = ev[k].from;
        }
    }
    return st;
}

/* share: the general trade of each month, in group mode2_e5[0]. */
static bzl_status
share_general(report *r)
{
    bzl_trade_row rows[256];
    size_t n = 0;
    bool more = false;
    bzl_status st = bzl_storage_trade_list(r->txn, r->p.first_month, r->p.last_month, rows,
                                           BZL_ARRAY_LEN(rows), &n, &more);
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        char key[16];
        int64_t usd = 0;
        month_key(rows[i].month, r->by_quarter, r->by_year, key, sizeof key);
        group *g = group_get(r, key, "");
        st = g != NULL ? general_usd(r, &rows[i], &usd) : BZL_NO_MEMORY;
        if (st == BZL_OK) {
            add(&g->mode2_e5[0], usd);
        }
    }
    return st;
}

/* Orders the groups by key; qsort of no groups would pass it a null array (undefined). */
static void
groups_sort(report *r)
{
    if (r->n_groups > 1) {
        qsort(r->groups, r->n_groups, sizeof *r->groups, group_cmp);
    }
}

static bzl_status
report_gather(report *r)
{
    switch (r->kind) {
    case BZL_REPORT_VAR:
        return report_books(r, r->p.first_month, r->p.last_month, var_fold_book);
    case BZL_REPORT_MODES: {
        bzl_status st = report_books(r, r->p.first_month, r->p.last_month, NULL);
        groups_sort(r);
        return st;
    }
    case BZL_REPORT_SHARE: {
        bzl_status st = report_books(r, r->p.first_month, r->p.last_month, NULL);
        st = st == BZL_OK ? share_general(r) : st;
        groups_sort(r);
        return st;
    }
    case BZL_REPORT_UPGRADES: {
        bzl_status st = upgrade_collect(r);
        return st == BZL_OK ? upgrade_events(r, r->p.from, r->p2.to) : st;
    }
    }
    return BZL_INVALID_ARGUMENT;
}

bzl_status
bzl_query_report(bzl_txn *t, bzl_report_query *q)
{
    BZL_ASSERT(t != NULL && q != NULL);
    BZL_ASSERT(q->kind >= BZL_REPORT_VAR && q->kind <= BZL_REPORT_UPGRADES);
    report r;
    memset(&r, 0, sizeof r);
    r.kind = q->kind;
    r.by = q->by;
    r.by_quarter = q->by_quarter;
    r.by_year = q->by_year;
    r.exclude_transfers = q->exclude_transfers;
    r.txn = t;
    r.p = q->p;
    r.p2 = q->p2;
    bzl_status st = report_gather(&r);
    /* Handed over whatever the walk got to (the caller frees it with the query). */
    q->groups = r.groups;
    q->n_groups = r.n_groups;
    q->events = r.events;
    q->n_events = r.n_events;
    q->unpriced = r.pv_unpriced;
    memcpy(q->unpriced_text, r.pv_unpriced_text, sizeof q->unpriced_text);
    q->fault = r.fault;
    free(r.pv_exports);
    free(r.pv_mats);
    free(r.pv_norms);
    return st;
}

void
bzl_report_query_free(bzl_report_query *q)
{
    free(q->groups);
    free(q->events);
    q->groups = NULL;
    q->events = NULL;
    q->n_groups = 0;
    q->n_events = 0;
}
