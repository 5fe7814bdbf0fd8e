/* handler_report.c — the reports over the wire: value-added ratio by enterprise, product,
 * mode, area and zone, the business-mode mix and its upgrades, and the processing-trade share.
 * The walks are lib's (query.h bzl_query_report) and the arithmetic report.c's; this file parses
 * the request and lays the groups out as a Table of exact decimal strings (reply.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "bzl/query.h"
#include "bzl/report.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"

typedef bzl_report_group group;

/* A figure printed with 2 places, rounded half-up once, still at scale 5. Every printed total
 * is the sum of its printed rows rounded this way (issue 15: a total computed from the exact
 * rows disagreed with the rows it totals by a cent). */
static bzl_i128
cents_e5(bzl_i128 e5)
{
    return bzl_div_half_up(e5, 1000) * 1000;
}

static const char *const var_cols[] = {"group", "exports_usd", "imports_usd", "var_pct",
                                       "net_export_pct"};

static bzl_status
report_var(const bzl_report_query *q, bzld_table *t)
{
    bzl_status st = BZL_OK;
    bzld_table_init(t, var_cols, BZL_ARRAY_LEN(var_cols));
    for (size_t i = 0; st == BZL_OK && i < q->n_groups; i++) {
        bzl_var v;
        st = bzl_var_compute(q->groups[i].e_e5, q->groups[i].i_e5, &v);
        bzld_table_add(t, "%s", q->groups[i].key);
        bzld_table_dec_wide(t, v.e_e5, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(t, v.i_e5, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(t, v.var_i_e4, 4, 4, v.has_var_i);
        bzld_table_dec_wide(t, v.var_e_e4, 4, 4, v.has_var_e);
    }
    bzld_table_note(t,
                    "E = product exports%s; I = material imports%s; in USD at the month's customs "
                    "rates (cross rate through CNY) unless a line carries its own USD value",
                    q->exclude_transfers ? "" : " + deep-processing transfers out",
                    q->exclude_transfers ? "" : " + deep-processing transfers in");
    bzld_table_note(t, "var_pct = (E - I) / I x 100; net_export_pct = (E - I) / E x 100; 4 places "
                       "half-up; n/a when the divisor is 0");
    bzld_table_note(t, "each figure is the period's exact sum rounded to cents once; reports that "
                       "round per month (share, modes by month) may differ from it by cents");
    if (q->by == BZL_REPORT_BY_MODE) {
        bzld_table_note(t, "by mode: a book's imports are attributed to modes in proportion to its "
                           "exports by mode");
    }
    if (q->by == BZL_REPORT_BY_PRODUCT) {
        bzld_table_note(
            t, "by product: I = the materials its norm consumed for its E rows (round5(qty "
               "x u), u = round9(unit consumption x bonded share), the version in force at "
               "the month's end) at each material's average import unit value in the "
               "period (I-flow USD / I-flow quantity of the book); n/a when I = 0");
    }
    if (q->unpriced > 0) {
        bzld_table_note(t,
                        "by product: %u product/material pairs consumed a material with no import "
                        "in the period, valued at 0 (I understated): %s%s",
                        (unsigned)q->unpriced, q->unpriced_text, q->unpriced > 4 ? ", ..." : "");
    }
    return st;
}

static const char *const mode_cols[] = {"bucket",   "enterprise", "oem_usd", "odm_usd", "obm_usd",
                                        "none_usd", "oem_pct",    "odm_pct", "obm_pct", "none_pct"};

/* A ZONE row is the sum of the enterprise rows printed above it in its bucket, each rounded to
 * cents as printed, so the rows add up to it exactly; its shares are of those sums. */
static bzl_status
report_modes(const bzl_report_query *q, bzld_table *t)
{
    bzl_status st = BZL_OK;
    bzld_table_init(t, mode_cols, BZL_ARRAY_LEN(mode_cols));
    static const unsigned order[] = {BZL_BIZ_OEM, BZL_BIZ_ODM, BZL_BIZ_OBM, BZL_BIZ_NONE};
    bzl_i128 bucket_sum[BZL_MODES] = {0};
    for (size_t i = 0; st == BZL_OK && i < q->n_groups; i++) {
        const group *g = &q->groups[i];
        bool zone = strcmp(g->sub, "ZONE") == 0;
        bzl_i128 shown[BZL_MODES];
        for (size_t m = 0; m < BZL_MODES; m++) {
            shown[m] = zone ? bucket_sum[m] : cents_e5(g->mode_e5[m]);
            bucket_sum[m] = zone ? 0 : bucket_sum[m] + shown[m];
        }
        int64_t share[BZL_MODES];
        bool has = false;
        st = bzl_mode_shares(shown, share, &has);
        bzld_table_add(t, "%s", g->key);
        bzld_table_add(t, "%s", g->sub);
        for (size_t k = 0; k < 4; k++) {
            bzld_table_dec_wide(t, shown[order[k]], BZL_SCALE_QTY, 2, true);
        }
        for (size_t k = 0; k < 4; k++) {
            bzld_table_dec(t, share[order[k]], 4, 4, has);
        }
    }
    bzld_table_note(t,
                    "export value (product exports%s) in USD by the product's business mode in "
                    "force on the declaration date (or the line's override); ZONE rows sum every "
                    "enterprise's row as printed (each rounded to cents once)",
                    q->exclude_transfers ? "" : " + deep-processing transfers out");
    return st;
}

static const char *const share_cols[] = {"month", "bonded_usd", "general_usd", "share_pct"};

static bzl_status
report_share(const bzl_report_query *q, bzld_table *t)
{
    bzl_status st = BZL_OK;
    bzld_table_init(t, share_cols, BZL_ARRAY_LEN(share_cols));
    bzl_i128 tb = 0; /* 128-bit sums of 128-bit groups: still far below 2^100 */
    bzl_i128 tg = 0;
    for (size_t i = 0; st == BZL_OK && i <= q->n_groups; i++) {
        bzl_i128 bonded = tb;
        bzl_i128 general = tg;
        if (i < q->n_groups) {
            bonded = cents_e5(q->groups[i].e_e5 + q->groups[i].i_e5);
            general = cents_e5(q->groups[i].mode2_e5[0]);
            tb += bonded;
            tg += general;
        }
        bzl_i128 share = 0;
        bool has = false;
        st = bzl_trade_share(bonded, general, &share, &has);
        bzld_table_add(t, "%s", i < q->n_groups ? q->groups[i].key : "total");
        bzld_table_dec_wide(t, bonded, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(t, general, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(t, share, 4, 4, has);
    }
    bzld_table_note(t,
                    "share = bonded processing trade (E + I) / (bonded + general trade) x 100; the "
                    "zone plan targets at least 30%%");
    bzld_table_note(t, "each month's figures are rounded to cents once and the total adds the "
                       "months as printed; the share is of the figures shown");
    return st;
}

static const char *const upgrade_cols[] = {"section", "entity", "from_mode",
                                           "to_mode", "date",   "change"};

static const char *
mode_word(unsigned m)
{
    return m == BZL_BIZ_NONE ? "none" : bzl_biz_mode_name((bzl_biz_mode)m);
}

/* The change from mode a to mode b: a first appearance (no mode before) is "new" and a last
 * one (no mode after) "ended", not "same" as the mode ranking alone would say. */
static const char *
change_word(unsigned a, unsigned b)
{
    int ch = bzl_mode_change((uint8_t)a, (uint8_t)b);
    if (a == BZL_BIZ_NONE && b != BZL_BIZ_NONE) {
        return "new";
    }
    if (a != BZL_BIZ_NONE && b == BZL_BIZ_NONE) {
        return "ended";
    }
    return ch > 0 ? "upgrade" : ch < 0 ? "downgrade" : "same";
}

/* One row per product, enterprise and the zone: dominant mode in each period and the change;
 * enterprises go into the transition matrix. */
static void
upgrade_dominant_rows(const bzl_report_query *q, bzld_table *t,
                      uint32_t matrix[BZL_MODES][BZL_MODES])
{
    for (size_t i = 0; i < q->n_groups; i++) {
        const group *g = &q->groups[i];
        uint8_t a = bzl_mode_dominant(g->mode_e5);
        uint8_t b = bzl_mode_dominant(g->mode2_e5);
        bzld_table_add(t, "%s", g->sub);
        bzld_table_add(t, "%s", g->key);
        bzld_table_add(t, "%s", mode_word(a));
        bzld_table_add(t, "%s", mode_word(b));
        bzld_table_add(t, "%s", "");
        bzld_table_add(t, "%s", change_word(a, b));
        if (strcmp(g->sub, "enterprise") == 0) {
            bzl_transition_add(matrix, a, b);
        }
    }
}

/* The products' mode changes dated within the two periods' span. */
static void
upgrade_event_rows(const bzl_report_query *q, bzld_table *t)
{
    for (size_t i = 0; i < q->n_events; i++) {
        const bzl_report_event *x = &q->events[i];
        char day[16];
        bzl_date_format(x->date, day, sizeof day);
        bzld_table_add(t, "event");
        bzld_table_add(t, "%s", x->product);
        bzld_table_add(t, "%s", mode_word(x->from_mode));
        bzld_table_add(t, "%s", mode_word(x->to_mode));
        bzld_table_add(t, "%s", day);
        bzld_table_add(t, "%s", change_word(x->from_mode, x->to_mode));
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
report_upgrades(const bzl_report_query *q, bzld_table *t)
{
    bzld_table_init(t, upgrade_cols, BZL_ARRAY_LEN(upgrade_cols));
    uint32_t matrix[BZL_MODES][BZL_MODES] = {{0}};
    upgrade_dominant_rows(q, t, matrix);
    upgrade_event_rows(q, t);
    upgrade_matrix_rows(t, matrix);
    bzld_table_note(
        t, "dominant mode = the mode with the largest export value (USD) in the period, a "
           "tie going to the higher mode; the matrix counts enterprises by dominant mode "
           "(rows: from, columns: to); events are the products' mode changes dated between "
           "the periods' start and end; new = no mode in the first period, ended = none in "
           "the second");
    return BZL_OK;
}

/* ---- the report request ---- */

/* Parses the periods (one, or from and to for upgrades), the grouping, the kind and the
 * granularity into q. The wire enums are tables rather than casts: lib's numbering is its own. */
static bzl_status
report_parse(const Bzl__V1__Report *req, bzl_report_query *q)
{
    static const bzl_report_kind kinds[] = {
        [BZL__V1__REPORT_KIND__REPORT_KIND_VAR] = BZL_REPORT_VAR,
        [BZL__V1__REPORT_KIND__REPORT_KIND_MODES] = BZL_REPORT_MODES,
        [BZL__V1__REPORT_KIND__REPORT_KIND_UPGRADES] = BZL_REPORT_UPGRADES,
        [BZL__V1__REPORT_KIND__REPORT_KIND_SHARE] = BZL_REPORT_SHARE};
    static const bzl_report_by bys[] = {
        [BZL__V1__REPORT_BY__REPORT_BY_UNSPECIFIED] = BZL_REPORT_BY_ZONE,
        [BZL__V1__REPORT_BY__REPORT_BY_ENTERPRISE] = BZL_REPORT_BY_ENTERPRISE,
        [BZL__V1__REPORT_BY__REPORT_BY_PRODUCT] = BZL_REPORT_BY_PRODUCT,
        [BZL__V1__REPORT_BY__REPORT_BY_MODE] = BZL_REPORT_BY_MODE,
        [BZL__V1__REPORT_BY__REPORT_BY_AREA] = BZL_REPORT_BY_AREA,
        [BZL__V1__REPORT_BY__REPORT_BY_ZONE] = BZL_REPORT_BY_ZONE};
    bool kind_ok = req->kind > 0 && (size_t)req->kind < BZL_ARRAY_LEN(kinds);
    q->kind = kind_ok ? kinds[req->kind] : 0;
    bool by_ok = req->by >= 0 && (size_t)req->by < BZL_ARRAY_LEN(bys);
    q->by = by_ok ? bys[req->by] : BZL_REPORT_BY_ZONE;
    bool gran_ok = req->granularity >= BZL__V1__GRANULARITY__GRANULARITY_UNSPECIFIED &&
                   req->granularity <= BZL__V1__GRANULARITY__GRANULARITY_YEAR;
    /* Unspecified: modes by quarter, share by month (what each always printed). */
    bool unspecified = req->granularity == BZL__V1__GRANULARITY__GRANULARITY_UNSPECIFIED;
    q->by_year = req->granularity == BZL__V1__GRANULARITY__GRANULARITY_YEAR;
    q->by_quarter = req->granularity == BZL__V1__GRANULARITY__GRANULARITY_QUARTER ||
                    (unspecified && q->kind == BZL_REPORT_MODES);
    q->exclude_transfers = req->exclude_transfers;
    if (!kind_ok) {
        return bzl_fault_set(&q->fault, BZL_INVALID_ARGUMENT, 0, "kind",
                             "report kind %d is not var, modes, upgrades or share", (int)req->kind);
    }
    if (!by_ok) {
        return bzl_fault_set(&q->fault, BZL_INVALID_ARGUMENT, 0, "by",
                             "by %d is not enterprise, product, mode, area or zone", (int)req->by);
    }
    if (!gran_ok) {
        return bzl_fault_set(&q->fault, BZL_INVALID_ARGUMENT, 0, "granularity",
                             "granularity %d is not month, quarter or year", (int)req->granularity);
    }
    bool upgrades = q->kind == BZL_REPORT_UPGRADES;
    bzl_status st = bzld_parse_period(upgrades ? req->from : req->period, &q->p, &q->fault);
    if (st == BZL_OK && upgrades) {
        st = bzld_parse_period(req->to, &q->p2, &q->fault);
    }
    if (st == BZL_OK && upgrades && q->p2.first_month < q->p.first_month) {
        st = bzl_fault_set(&q->fault, BZL_INVALID_ARGUMENT, 0, "from",
                           "the period from (%.20s) starts after the period to (%.20s)", req->from,
                           req->to);
    }
    return st;
}

/* Lays the report out into t. */
static bzl_status
report_table(const bzl_report_query *q, bzld_table *t)
{
    switch (q->kind) {
    case BZL_REPORT_VAR:
        return report_var(q, t);
    case BZL_REPORT_MODES:
        return report_modes(q, t);
    case BZL_REPORT_SHARE:
        return report_share(q, t);
    case BZL_REPORT_UPGRADES:
        return report_upgrades(q, t);
    }
    return BZL_INVALID_ARGUMENT;
}

void
bzld_handle_report(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, REPORT);
    const Bzl__V1__Report *req = slot->req->report;
    bzl_report_query q;
    memset(&q, 0, sizeof q);
    bzl_txn *txn = NULL;
    bzl_status st = report_parse(req, &q);
    st = st == BZL_OK ? bzld_read_begin(bzld_of_slot(slot), &txn) : st;
    st = st == BZL_OK ? bzl_query_report(txn, &q) : st;
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    bzld_table t;
    bzld_table_init(&t, var_cols, 1);
    st = st == BZL_OK ? report_table(&q, &t) : st;
    bzl_report_query_free(&q);
    if (st != BZL_OK) {
        bzld_table_deinit(&t);
        if (q.fault.message[0] == '\0') {
            bzl_fault_set(&q.fault, st, 0, "", "the report failed: %s", bzl_status_text(st));
        }
        bzld_slot_reply_fault(slot, st, &q.fault);
        return;
    }
    bzld_table_reply(slot, &t, "", 0, 0);
}
