/* handler_report.c — the reports over the wire: value-added ratio by enterprise, product,
 * mode, area and zone, the business-mode mix and its upgrades, and the processing-trade share.
 * Every answer is a Table of exact decimal strings (reply.h); the arithmetic lives in lib
 * (report.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "bzl/recon.h"
#include "bzl/report.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"

/* ---- reports ----------------------------------------------------------------------------------
 */

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

typedef struct group {
    char key[64];
    char sub[64];
    int64_t e_e5;
    int64_t i_e5;
    int64_t mode_e5[BZL_MODES];
    int64_t mode2_e5[BZL_MODES]; /* upgrades: the later period */
} group;

typedef struct report {
    const Bzl__Report *req;
    bzl_txn *txn;
    bzl_period p;
    bzl_period p2; /* upgrades: the later period */
    bool exclude_transfers;
    /* the book being visited */
    char book_no[BZL_BOOK_NO_LEN + 1];
    bzl_enterprise ent;
    int64_t book_e_mode[BZL_MODES];
    int64_t book_i;
    group *groups; /* owned */
    size_t n_groups;
    size_t cap_groups;
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

static void
month_key(uint32_t month, bool quarter, char *buf, size_t cap)
{
    if (quarter) {
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
    int64_t i_e5 = 0;
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
        st = st == BZL_OK ? bzl_dec_add(i_e5, value, &i_e5) : st;
    }
    char key[64];
    snprintf(key, sizeof key, "%s/%u", r->book_no, (unsigned)item_no);
    group *g = st == BZL_OK ? group_get(r, key, "") : NULL;
    if (st == BZL_OK && g == NULL) {
        st = BZL_NO_MEMORY;
    }
    return st == BZL_OK ? bzl_dec_add(g->i_e5, i_e5, &g->i_e5) : st;
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
    if (st == BZL_OK && strcmp(r->req->kind, "var") == 0 && strcmp(r->req->by, "product") == 0) {
        st = pv_capture(r, v, e, usd);
    }
    if (st != BZL_OK) {
        return st;
    }
    const char *kind = r->req->kind;
    char key[64];
    group *g = NULL;
    if (strcmp(kind, "modes") == 0 || strcmp(kind, "share") == 0) {
        month_key(v->month, strcmp(r->req->granularity, "month") != 0 && kind[0] == 'm', key,
                  sizeof key);
        g = group_get(r, key, kind[0] == 'm' ? r->ent.code : "");
        group *z = kind[0] == 'm' ? group_get(r, key, "ZONE") : NULL;
        if (g == NULL || (kind[0] == 'm' && z == NULL)) {
            return BZL_NO_MEMORY;
        }
        if (z != NULL && e) {
            st =
                bzl_dec_add(z->mode_e5[v->mode % BZL_MODES], usd, &z->mode_e5[v->mode % BZL_MODES]);
        }
    } else if (strcmp(r->req->by, "product") == 0 && e) {
        snprintf(key, sizeof key, "%s/%u", r->book_no, (unsigned)v->item_no);
        g = group_get(r, key, "");
        if (g == NULL) {
            return BZL_NO_MEMORY;
        }
    }
    if (st == BZL_OK && g != NULL) {
        st = e ? bzl_dec_add(g->e_e5, usd, &g->e_e5) : bzl_dec_add(g->i_e5, usd, &g->i_e5);
        if (st == BZL_OK && e) {
            st =
                bzl_dec_add(g->mode_e5[v->mode % BZL_MODES], usd, &g->mode_e5[v->mode % BZL_MODES]);
        }
    }
    if (st == BZL_OK && e) {
        st = bzl_dec_add(r->book_e_mode[v->mode % BZL_MODES], usd,
                         &r->book_e_mode[v->mode % BZL_MODES]);
    } else if (st == BZL_OK) {
        st = bzl_dec_add(r->book_i, usd, &r->book_i);
    }
    return st;
}

static bzl_status
group_add(report *r, const char *key, int64_t e, int64_t i)
{
    group *g = group_get(r, key, "");
    if (g == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_status st = bzl_dec_add(g->e_e5, e, &g->e_e5);
    return st == BZL_OK ? bzl_dec_add(g->i_e5, i, &g->i_e5) : st;
}

/* After a book's rows: folds its E and I into the var groups (not product, done per row). */
static bzl_status
var_fold_book(report *r)
{
    int64_t e = 0;
    bzl_status st = BZL_OK;
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        st = bzl_dec_add(e, r->book_e_mode[m], &e);
    }
    const char *by = r->req->by[0] != '\0' ? r->req->by : "zone";
    if (st != BZL_OK) {
        return st;
    }
    if (strcmp(by, "product") == 0) {
        return pv_fold_book(r);
    }
    if (strcmp(by, "mode") != 0) {
        const char *key = strcmp(by, "enterprise") == 0 ? r->ent.code
                          : strcmp(by, "area") == 0     ? (r->ent.area[0] ? r->ent.area : "-")
                                                        : "zone";
        return group_add(r, key, e, r->book_i);
    }
    /* by mode: the book's imports are attributed to modes in proportion to its exports */
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        int64_t share_i = 0;
        if (e != 0) {
            st = bzl_dec_mul(r->book_i, BZL_SCALE_QTY, r->book_e_mode[m], BZL_SCALE_QTY,
                             BZL_SCALE_QTY, &share_i);
            st = st == BZL_OK ? bzl_dec_div(share_i, BZL_SCALE_QTY, e, BZL_SCALE_QTY, BZL_SCALE_QTY,
                                            &share_i)
                              : st;
        } else if (m == BZL_BIZ_NONE) {
            share_i = r->book_i;
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

static const char *const var_cols[] = {"group", "exports_usd", "imports_usd", "var_pct",
                                       "net_export_pct"};

static bzl_status
report_var(report *r, bzld_table *t)
{
    bzl_status st = report_books(r, r->p.first_month, r->p.last_month, var_fold_book);
    bzld_table_init(t, var_cols, BZL_ARRAY_LEN(var_cols));
    for (size_t i = 0; st == BZL_OK && i < r->n_groups; i++) {
        bzl_var v;
        st = bzl_var_compute(r->groups[i].e_e5, r->groups[i].i_e5, &v);
        bzld_table_add(t, "%s", r->groups[i].key);
        bzld_table_dec(t, v.e_e5, BZL_SCALE_QTY, 2, true);
        bzld_table_dec(t, v.i_e5, BZL_SCALE_QTY, 2, true);
        bzld_table_dec(t, v.var_i_e4, 4, 4, v.has_var_i);
        bzld_table_dec(t, v.var_e_e4, 4, 4, v.has_var_e);
    }
    bzld_table_note(t,
                    "E = product exports%s; I = material imports%s; in USD at the month's customs "
                    "rates (cross rate through CNY) unless a line carries its own USD value",
                    r->exclude_transfers ? "" : " + deep-processing transfers out",
                    r->exclude_transfers ? "" : " + deep-processing transfers in");
    bzld_table_note(t, "var_pct = (E - I) / I x 100; net_export_pct = (E - I) / E x 100; 4 places "
                       "half-up; n/a when the divisor is 0");
    if (strcmp(r->req->by, "mode") == 0) {
        bzld_table_note(t, "by mode: a book's imports are attributed to modes in proportion to its "
                           "exports by mode");
    }
    if (strcmp(r->req->by, "product") == 0) {
        bzld_table_note(
            t, "by product: I = the materials its norm consumed for its E rows (round5(qty "
               "x u), u = round9(unit consumption x bonded share), the version in force at "
               "the month's end) at each material's average import unit value in the "
               "period (I-flow USD / I-flow quantity of the book); n/a when I = 0");
    }
    if (r->pv_unpriced > 0) {
        bzld_table_note(t,
                        "by product: %u product/material pairs consumed a material with no import "
                        "in the period, valued at 0 (I understated): %s%s",
                        (unsigned)r->pv_unpriced, r->pv_unpriced_text,
                        r->pv_unpriced > 4 ? ", ..." : "");
    }
    return st;
}

static const char *const mode_cols[] = {"bucket",   "enterprise", "oem_usd", "odm_usd", "obm_usd",
                                        "none_usd", "oem_pct",    "odm_pct", "obm_pct", "none_pct"};

static bzl_status
report_modes(report *r, bzld_table *t)
{
    bzl_status st = report_books(r, r->p.first_month, r->p.last_month, NULL);
    qsort(r->groups, r->n_groups, sizeof *r->groups, group_cmp);
    bzld_table_init(t, mode_cols, BZL_ARRAY_LEN(mode_cols));
    static const unsigned order[] = {BZL_BIZ_OEM, BZL_BIZ_ODM, BZL_BIZ_OBM, BZL_BIZ_NONE};
    for (size_t i = 0; st == BZL_OK && i < r->n_groups; i++) {
        const group *g = &r->groups[i];
        int64_t share[BZL_MODES];
        bool has = false;
        st = bzl_mode_shares(g->mode_e5, share, &has);
        bzld_table_add(t, "%s", g->key);
        bzld_table_add(t, "%s", g->sub);
        for (size_t k = 0; k < 4; k++) {
            bzld_table_dec(t, g->mode_e5[order[k]], BZL_SCALE_QTY, 2, true);
        }
        for (size_t k = 0; k < 4; k++) {
            bzld_table_dec(t, share[order[k]], 4, 4, has);
        }
    }
    bzld_table_note(t,
                    "export value (product exports%s) in USD by the product's business mode in "
                    "force on the declaration date (or the line's override); ZONE rows sum every "
                    "enterprise",
                    r->exclude_transfers ? "" : " + deep-processing transfers out");
    return st;
}

static const char *const share_cols[] = {"month", "bonded_usd", "general_usd", "share_pct"};

static bzl_status
general_usd(report *r, const bzl_trade_row *row, int64_t *usd_e5)
{
    bzl_trade_value v = {.month = row->month};
    memcpy(v.currency, row->currency, sizeof v.currency);
    bzl_status st = bzl_dec_add(row->exports_e5, row->imports_e5, &v.value_e5);
    return st == BZL_OK ? row_usd(r, &v, usd_e5) : st;
}

static bzl_status
report_share(report *r, bzld_table *t)
{
    bzl_status st = report_books(r, r->p.first_month, r->p.last_month, NULL);
    bzl_trade_row rows[256];
    size_t n = 0;
    bool more = false;
    st = st == BZL_OK ? bzl_storage_trade_list(r->txn, r->p.first_month, r->p.last_month, rows,
                                               BZL_ARRAY_LEN(rows), &n, &more)
                      : st;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        char key[16];
        int64_t usd = 0;
        month_key(rows[i].month, false, key, sizeof key);
        group *g = group_get(r, key, "");
        st = g != NULL ? general_usd(r, &rows[i], &usd) : BZL_NO_MEMORY;
        st = st == BZL_OK ? bzl_dec_add(g->mode2_e5[0], usd, &g->mode2_e5[0]) : st;
    }
    qsort(r->groups, r->n_groups, sizeof *r->groups, group_cmp);
    bzld_table_init(t, share_cols, BZL_ARRAY_LEN(share_cols));
    int64_t tb = 0;
    int64_t tg = 0;
    for (size_t i = 0; st == BZL_OK && i <= r->n_groups; i++) {
        int64_t bonded = tb;
        int64_t general = tg;
        if (i < r->n_groups) {
            st = bzl_dec_add(r->groups[i].e_e5, r->groups[i].i_e5, &bonded);
            general = r->groups[i].mode2_e5[0];
            st = st == BZL_OK ? bzl_dec_add(tb, bonded, &tb) : st;
            st = st == BZL_OK ? bzl_dec_add(tg, general, &tg) : st;
        }
        int64_t share = 0;
        bool has = false;
        st = st == BZL_OK ? bzl_trade_share(bonded, general, &share, &has) : st;
        bzld_table_add(t, "%s", i < r->n_groups ? r->groups[i].key : "total");
        bzld_table_dec(t, bonded, BZL_SCALE_QTY, 2, true);
        bzld_table_dec(t, general, BZL_SCALE_QTY, 2, true);
        bzld_table_dec(t, share, 4, 4, has);
    }
    bzld_table_note(t,
                    "share = bonded processing trade (E + I) / (bonded + general trade) x 100; the "
                    "zone plan targets at least 30%%");
    return st;
}

/* ---- upgrades ---- */

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
        int64_t *a = u->phase == 1 ? gs[i]->mode_e5 : gs[i]->mode2_e5;
        st = bzl_dec_add(a[v->mode % BZL_MODES], usd, &a[v->mode % BZL_MODES]);
    }
    return st;
}

static const char *const upgrade_cols[] = {"section", "entity", "from_mode",
                                           "to_mode", "date",   "change"};

static const char *
mode_word(unsigned m)
{
    return m == BZL_BIZ_NONE ? "none" : bzl_biz_mode_name((bzl_biz_mode)m);
}

/* Mode events of every product dated within [from, to]. */
static bzl_status
upgrade_events(report *r, bzld_table *t, int32_t from, int32_t to)
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
            char day[16];
            bzl_date_format(ev[k].from, day, sizeof day);
            int ch = bzl_mode_change(prev, ev[k].mode);
            bzld_table_add(t, "event");
            bzld_table_add(t, "%s", g->key);
            bzld_table_add(t, "%s", mode_word(prev));
            bzld_table_add(t, "%s", mode_word(ev[k].mode));
            bzld_table_add(t, "%s", day);
            bzld_table_add(t, "%s", ch > 0 ? "upgrade" : ch < 0 ? "downgrade" : "same");
        }
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

/* One row per product, enterprise and the zone: dominant mode in each period and the change;
 * enterprises go into the transition matrix. */
static void
upgrade_dominant_rows(report *r, bzld_table *t, uint32_t matrix[BZL_MODES][BZL_MODES])
{
    for (size_t i = 0; i < r->n_groups; i++) {
        const group *g = &r->groups[i];
        uint8_t a = bzl_mode_dominant(g->mode_e5);
        uint8_t b = bzl_mode_dominant(g->mode2_e5);
        int ch = bzl_mode_change(a, b);
        bzld_table_add(t, "%s", g->sub);
        bzld_table_add(t, "%s", g->key);
        bzld_table_add(t, "%s", mode_word(a));
        bzld_table_add(t, "%s", mode_word(b));
        bzld_table_add(t, "%s", "");
        bzld_table_add(t, "%s", ch > 0 ? "upgrade" : ch < 0 ? "downgrade" : "same");
        if (strcmp(g->sub, "enterprise") == 0) {
            bzl_transition_add(matrix, a, b);
        }
    }
}

/* The zone transition matrix, one row per (from, to) of OEM, ODM, OBM. */
static void
upgrade_matrix_rows(bzld_table *t, uint32_t matrix[BZL_MODES][BZL_MODES])
{
    for (unsigned a = 1; a < BZL_MODES; a++) {
        for (unsigned b = 1; b < BZL_MODES; b++) {
            bzld_table_add(t, "matrix");
            bzld_table_add(t, "enterprises");
            bzld_table_add(t, "%s", mode_word(a));
            bzld_table_add(t, "%s", mode_word(b));
            bzld_table_add(t, "%s", "");
            bzld_table_add(t, "%u", (unsigned)matrix[a][b]);
        }
    }
}

static bzl_status
report_upgrades(report *r, bzld_table *t)
{
    bzl_status st = upgrade_collect(r);
    bzld_table_init(t, upgrade_cols, BZL_ARRAY_LEN(upgrade_cols));
    uint32_t matrix[BZL_MODES][BZL_MODES] = {{0}};
    if (st == BZL_OK) {
        upgrade_dominant_rows(r, t, matrix);
    }
    st = st == BZL_OK ? upgrade_events(r, t, r->p.from, r->p2.to) : st;
    if (st == BZL_OK) {
        upgrade_matrix_rows(t, matrix);
    }
    bzld_table_note(
        t, "dominant mode = the mode with the largest export value (USD) in the period, a "
           "tie going to the higher mode; the matrix counts enterprises by dominant mode "
           "(rows: from, columns: to); events are the products' mode changes dated between "
           "the periods' start and end");
    return st;
}

/* ---- the report request ---- */

/* Parses the periods (one, or from and to for upgrades) and checks --by. */
static bzl_status
report_parse(const Bzl__Report *req, report *r)
{
    bool upgrades = strcmp(req->kind, "upgrades") == 0;
    bzl_status st = bzld_parse_period(upgrades ? req->from : req->period, &r->p, &r->fault);
    if (st == BZL_OK && upgrades) {
        st = bzld_parse_period(req->to, &r->p2, &r->fault);
    }
    static const char *const bys[] = {"", "enterprise", "product", "mode", "area", "zone"};
    bool by_ok = false;
    for (size_t i = 0; i < BZL_ARRAY_LEN(bys); i++) {
        by_ok = by_ok || strcmp(req->by, bys[i]) == 0;
    }
    if (st == BZL_OK && !by_ok) {
        st =
            bzl_fault_set(&r->fault, BZL_INVALID_ARGUMENT, 0, "by",
                          "--by \"%.20s\" is not enterprise, product, mode, area or zone", req->by);
    }
    return st;
}

/* Computes the report req->kind names into t. */
static bzl_status
report_run(report *r, bzld_table *t)
{
    const char *kind = r->req->kind;
    if (strcmp(kind, "var") == 0) {
        return report_var(r, t);
    }
    if (strcmp(kind, "modes") == 0) {
        return report_modes(r, t);
    }
    if (strcmp(kind, "share") == 0) {
        return report_share(r, t);
    }
    if (strcmp(kind, "upgrades") == 0) {
        return report_upgrades(r, t);
    }
    return bzl_fault_set(&r->fault, BZL_INVALID_ARGUMENT, 0, "kind",
                         "report \"%.20s\" is not var, modes, upgrades or share", kind);
}

/* Ends the read transaction and frees what the report accumulated. */
static void
report_deinit(report *r)
{
    if (r->txn != NULL) {
        bzl_txn_abort(r->txn);
        r->txn = NULL;
    }
    free(r->groups);
    free(r->pv_exports);
    free(r->pv_mats);
    free(r->pv_norms);
}

void
bzld_handle_report(bzld_slot *slot)
{
    const Bzl__Report *req = slot->req->report;
    report r;
    memset(&r, 0, sizeof r);
    r.req = req;
    r.exclude_transfers = req->exclude_transfers;
    bzl_status st = report_parse(req, &r);
    st = st == BZL_OK ? bzld_read_begin(bzld_of_slot(slot), &r.txn) : st;
    bzld_table t;
    bzld_table_init(&t, var_cols, 1);
    if (st == BZL_OK) {
        st = report_run(&r, &t);
    } else if (r.fault.message[0] == '\0') {
        bzl_fault_set(&r.fault, st, 0, "", "%s", bzl_status_text(st));
    }
    report_deinit(&r);
    if (st != BZL_OK) {
        bzld_table_deinit(&t);
        if (r.fault.message[0] == '\0') {
            bzl_fault_set(&r.fault, st, 0, "", "the report failed: %s", bzl_status_text(st));
        }
        bzld_slot_reply_fault(slot, st, &r.fault);
        return;
    }
    bzld_table_reply(slot, &t, false, "", 0, 0);
}
