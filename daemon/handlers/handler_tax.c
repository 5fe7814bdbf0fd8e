/* handler_tax.c — domestic-sale tax over the wire (docs/TAX.md): the tariff and 缓税利息-rate
 * tables (writes and lists), a declaration's assessment, both bases of the zone's selective
 * duty side by side, and the tax report. Every answer is a Table of exact decimal strings; the
 * arithmetic is lib's (bzl/tax.h, bzl/storage_tax.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "bzl/decimal.h"
#include "bzl/storage_lots.h"
#include "bzl/storage_tax.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* ---- writes: tariffs and the interest rate ------------------------------------------------- */

typedef struct tax_work {
    bool tariff; /* else the interest rate, or the lot method when book_no is set */
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t method;
    bzld_principal principal; /* re-checked on the writer thread (bzld_access_book) */
    bzl_tariff_row row;
    int32_t from;
    int64_t rate_e9;
    bzl_actor actor;
    bzl_action_result result;
} tax_work;

static bzl_status
tax_apply(bzld_job *job, bzl_txn *txn)
{
    tax_work *w = bzld_slot_of_job(job)->work;
    bzl_status st = BZL_OK;
    if (w->book_no[0] != '\0') {
        /* The owner may have changed since the access check: checked where it cannot. */
        memset(&w->result, 0, sizeof w->result);
        st = bzld_access_book(&w->principal, txn, w->book_no, &w->result.fault);
        if (st == BZL_NOT_FOUND) {
            w->result.status = st;
            st = BZL_OK;
        } else if (st == BZL_OK) {
            st = bzl_storage_lot_method_set(txn, w->book_no, w->method, &w->actor, &w->result);
        }
    } else if (w->tariff) {
        st = bzl_storage_tariff_set(txn, &w->row, &w->actor, &w->result);
    } else {
        st = bzl_storage_interest_set(txn, w->from, w->rate_e9, &w->actor, &w->result);
    }
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static const char *const ack_cols[] = {"done"};

static void
tax_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    tax_work *w = slot->work;
    slot->work = NULL;
    if (!bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault)) {
        bzld_table t;
        bzld_table_init(&t, ack_cols, 1);
        bzld_table_add(&t, "%s", w->result.replayed ? "unchanged" : "recorded");
        bzld_table_reply(slot, &t, "", 0, 0);
    }
    free(w);
}

static void
tax_start(bzld_slot *slot, tax_work *w, bzl_status st, const bzl_fault *fault)
{
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, fault);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *bzld_principal_of_slot(slot);
    if (bzld_slot_push_write(slot, w, 1, tax_apply, tax_reply) != BZL_OK) {
        free(w);
    }
}

/* A percentage at 9 places: text, or dflt_e9 when text is empty and has_dflt. */
static bzl_status
wire_pct(const char *text, bool has_dflt, int64_t dflt_e9, const char *field, int64_t *out,
         bzl_fault *fault)
{
    if (text[0] == '\0' && has_dflt) {
        *out = dflt_e9;
        return BZL_OK;
    }
    return bzld_wire_decimal(text, BZL_SCALE_RATE, field, out, fault);
}

void
bzld_handle_set_tariff(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_TARIFF);
    const Bzl__V1__SetTariff *req = slot->req->set_tariff;
    tax_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    w->tariff = true;
    bzl_status st = BZL_OK;
    size_t hs_len = strlen(req->hs);
    if (bzl_code_check_hs(req->hs, hs_len) != BZL_OK) {
        st = bzl_fault_set(&fault, BZL_INVALID_CODE, 0, "hs",
                           "hs \"%.20s\" is not a 10-digit HS code", req->hs);
    } else {
        memcpy(w->row.hs, req->hs, hs_len + 1);
    }
    st = st == BZL_OK ? bzld_wire_date(req->from, false, 0, "from", &w->row.from, &fault) : st;
    st = st == BZL_OK ? wire_pct(req->duty, false, 0, "duty", &w->row.rates.duty_e9, &fault) : st;
    st = st == BZL_OK ? wire_pct(req->vat, true, 13000000000LL, "vat", &w->row.rates.vat_e9, &fault)
                      : st;
    st = st == BZL_OK ? wire_pct(req->excise, true, 0, "excise", &w->row.rates.excise_e9, &fault)
                      : st;
    st = st == BZL_OK ? bzl_tax_rates_check(&w->row.rates, &fault) : st;
    tax_start(slot, w, st, &fault);
}

void
bzld_handle_set_interest_rate(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_INTEREST_RATE);
    const Bzl__V1__SetInterestRate *req = slot->req->set_interest_rate;
    tax_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    bzl_status st = bzld_wire_date(req->from, false, 0, "from", &w->from, &fault);
    st = st == BZL_OK ? wire_pct(req->rate, false, 0, "rate", &w->rate_e9, &fault) : st;
    if (st == BZL_OK && (w->rate_e9 <= 0 || w->rate_e9 > 100000000000LL)) {
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "rate",
                           "the 缓税利息 rate must be above 0 and at most 100 percent");
    }
    tax_start(slot, w, st, &fault);
}

/* ---- lists -------------------------------------------------------------------------------- */

static const char *const tariff_cols[] = {"hs",      "from",       "duty_pct",
                                          "vat_pct", "excise_pct", "entry"};

void
bzld_handle_list_tariffs(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_TARIFFS);
    const Bzl__V1__ListTariffs *req = slot->req->list_tariffs;
    bzl_fault fault = {0};
    uint64_t skip = 0;
    bzl_status st = BZL_OK;
    if (req->hs[0] != '\0' && bzl_code_check_hs(req->hs, strlen(req->hs)) != BZL_OK) {
        st = bzl_fault_set(&fault, BZL_INVALID_CODE, 0, "hs",
                           "hs \"%.20s\" is not a 10-digit HS code", req->hs);
    }
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_TARIFFS, UINT32_MAX, &skip, &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_tariff_row *rows = calloc(cap, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_tariff_list(txn, req->hs, (size_t)skip, rows, cap, &n, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        bzld_slot_reply_status(slot, st, "reading tariffs failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, tariff_cols, BZL_ARRAY_LEN(tariff_cols));
    for (size_t i = 0; i < n; i++) {
        char day[16];
        bzl_date_format(rows[i].from, day, sizeof day);
        bzld_table_add(&t, "%s", rows[i].hs);
        bzld_table_add(&t, "%s", day);
        bzld_table_dec(&t, rows[i].rates.duty_e9, BZL_SCALE_RATE, 0, true);
        bzld_table_dec(&t, rows[i].rates.vat_e9, BZL_SCALE_RATE, 0, true);
        bzld_table_dec(&t, rows[i].rates.excise_e9, BZL_SCALE_RATE, 0, true);
        bzld_table_add(&t, "%llu", (unsigned long long)rows[i].seq);
    }
    free(rows);
    bzld_table_note(&t, "a row is in force from its date until the next row of its code");
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_TARIFFS, more, skip + n, token);
    bzld_table_reply(slot, &t, token, 0, 0);
}

static const char *const interest_cols[] = {"from", "rate_pct", "source"};

void
bzld_handle_list_interest_rates(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_INTEREST_RATES);
    bzl_interest_row *rows = calloc(BZL_TAX_RATE_ROWS_MAX, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    bzl_status st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_interest_list(txn, rows, BZL_TAX_RATE_ROWS_MAX, &n, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        bzld_slot_reply_status(slot, st, "reading the interest rates failed: %s",
                               bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, interest_cols, BZL_ARRAY_LEN(interest_cols));
    for (size_t i = 0; i < n; i++) {
        char day[16];
        bzl_date_format(rows[i].from, day, sizeof day);
        bzld_table_add(&t, "%s", day);
        bzld_table_dec(&t, rows[i].rate_e9, BZL_SCALE_RATE, 0, true);
        if (rows[i].seq == 0) {
            bzld_table_add(&t, "built-in");
        } else {
            bzld_table_add(&t, "entry %llu%s", (unsigned long long)rows[i].seq,
                           rows[i].replaces_builtin ? " (replaces built-in)" : "");
        }
    }
    free(rows);
    bzld_table_note(&t,
                    "built-in: the PBOC demand-deposit rate history of docs/TAX.md (海关总署公告"
                    "2009年第13号); the rate in force on the assessment date applies to the "
                    "whole interest period");
    if (more) {
        bzld_table_note(&t, "the history is longer than %u rows: later rows are not shown",
                        BZL_TAX_RATE_ROWS_MAX);
    }
    bzld_table_reply(slot, &t, "", 0, 0);
}

/* ---- a declaration's assessment ---------------------------------------------------------- */

static const char *const show_cols[] = {
    "section",  "kind",          "item",     "hs",           "qty",        "value",  "currency",
    "cny_rate", "customs_value", "duty_pct", "duty",         "excise_pct", "excise", "vat_pct",
    "vat",      "interest_base", "days",     "interest_pct", "interest",   "payable"};

static void
money(bzld_table *t, int64_t e5)
{
    bzld_table_dec(t, e5, BZL_SCALE_QTY, 2, true);
}

static void
part_row(bzld_table *t, const char *section, const bzl_assessment_part *p)
{
    bzld_table_add(t, "%s", section);
    bzld_table_add(t, "%s", bzl_kind_name((bzl_kind)p->part.kind));
    bzld_table_add(t, "%u", (unsigned)p->part.item_no);
    bzld_table_add(t, "%s", p->hs);
    bzld_table_dec(t, p->part.qty_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, p->value_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_add(t, "%s", p->currency);
    bzld_table_dec(t, p->cny_e9, BZL_SCALE_RATE, 0, true);
    money(t, p->part.cv_e5);
    bzld_table_dec(t, p->part.rates.duty_e9, BZL_SCALE_RATE, 0, true);
    money(t, p->part.tax.duty_e5);
    bzld_table_dec(t, p->part.rates.excise_e9, BZL_SCALE_RATE, 0, true);
    money(t, p->part.tax.excise_e5);
    bzld_table_dec(t, p->part.rates.vat_e9, BZL_SCALE_RATE, 0, true);
    money(t, p->part.tax.vat_e5);
    for (int i = 0; i < 5; i++) {
        bzld_table_add(t, "%s", "");
    }
}

static int64_t
tax_total(const bzl_tax_result *r)
{
    return r->total.duty_e5 + r->total.excise_e5 + r->total.vat_e5;
}

/* The assessment as a table: its parts, then the total with the interest; notes say the rest. */
static void
assessment_table(bzld_table *t, const bzl_assessment *a)
{
    bzld_table_init(t, show_cols, BZL_ARRAY_LEN(show_cols));
    for (uint32_t i = 0; i < a->part_count; i++) {
        part_row(t, a->basis == BZL_BASIS_MATERIAL ? "material" : "line", &a->parts[i]);
    }
    for (uint32_t i = 0; i < a->goods_count; i++) {
        part_row(t, "goods", &a->goods[i]);
    }
    const bzl_tax_result *r = &a->result;
    bool known = a->status == BZL_OK;
    bzld_table_add(t, "%s", "total");
    for (int i = 0; i < 7; i++) {
        bzld_table_add(t, "%s", "");
    }
    bzld_table_dec(t, r->cv_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_add(t, "%s", "");
    bzld_table_dec(t, r->total.duty_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_add(t, "%s", "");
    bzld_table_dec(t, r->total.excise_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_add(t, "%s", "");
    bzld_table_dec(t, r->total.vat_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->interest_base_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_add(t, "%d", (int)r->interest_days);
    bzld_table_dec(t, r->interest_rate_e9, BZL_SCALE_RATE, 0, known);
    bzld_table_dec(t, r->interest_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, tax_total(r) + r->interest_e5, BZL_SCALE_QTY, 2, known);
    char day[16];
    char start[16];
    bzl_date_format(a->date, day, sizeof day);
    bzl_date_format(a->interest_start, start, sizeof start);
    bzld_table_note(t, "declaration %s of %s in book %s: %s, %s basis, %s", a->id, a->enterprise,
                    a->book_no, bzl_flow_name((bzl_flow)a->flow), bzl_tax_basis_name(a->basis),
                    a->state == BZL_ASSESS_REVERSED ? "REVERSED (the sale was reversed: nothing "
                                                      "is due)"
                                                    : "assessed");
    if (!known) {
        bzld_table_note(t, "incomplete: %s (%s); no figure is assessed", a->message,
                        bzl_status_name(a->status));
        return;
    }
    if (r->interest_exempt == BZL_EXEMPT_BASIS) {
        bzld_table_note(t, "assessment date %s; no 缓税利息 on this basis", day);
    } else {
        bzld_table_note(t,
                        "assessment date %s; 缓税利息 from %s: %d days at the rate in force on %s, "
                        "on %s%s",
                        day, start, (int)r->interest_days, day,
                        a->basis == BZL_BASIS_MATERIAL ? "the duty only" : "duty, excise and VAT",
                        r->interest_exempt == BZL_EXEMPT_WINDOW
                            ? "; exempt: the date is in the 2020 exemption window"
                        : r->interest_exempt == BZL_EXEMPT_SMALL ? "; exempt: at most the small "
                                                                   "amount"
                                                                 : "");
    }
    if (r->small_exempted) {
        bzld_table_note(t, "a tax kind at or below the small amount was exempted");
    }
    bzld_table_note(t, "customs value per L211 Art. 4: materials at the weighted average of the "
                       "item's imports over the current verification cycle, at the month's rate; "
                       "goods and scrap at their declared value");
}

void
bzld_handle_tax_show(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, TAX_SHOW);
    const Bzl__V1__TaxQuery *req = slot->req->tax_show;
    bzl_txn *txn = NULL;
    bzl_assessment a;
    memset(&a, 0, sizeof a);
    bzl_status st = bzld_read_begin(bzld_of_slot(slot), &txn);
    if (st == BZL_OK) {
        st = bzl_storage_assessment_get(txn, req->enterprise, req->id, &a);
        bzl_txn_abort(txn);
    }
    if (st == BZL_NOT_FOUND) {
        bzld_slot_reply_status(slot, st,
                               "enterprise %.20s has no assessed domestic sale %.64s (only posted "
                               "domestic sales are assessed)",
                               req->enterprise, req->id);
        return;
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the assessment failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    assessment_table(&t, &a);
    bzl_assessment_free(&a);
    bzld_table_reply(slot, &t, "", 0, 0);
}

/* ---- both bases -------------------------------------------------------------------------- */

static const char *const compare_cols[] = {"basis",    "chosen",  "customs_value", "duty_value",
                                           "duty",     "excise",  "vat",           "tax",
                                           "interest", "payable", "status"};

static void
compare_row(bzld_table *t, const bzl_assessment *a, bool chosen)
{
    const bzl_tax_result *r = &a->result;
    bool known = a->status == BZL_OK;
    bzld_table_add(t, "%s", bzl_tax_basis_name(a->basis));
    bzld_table_add(t, "%s", chosen ? "yes" : "");
    bzld_table_dec(t, r->cv_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->duty_cv_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->total.duty_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->total.excise_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->total.vat_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, tax_total(r), BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, r->interest_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_dec(t, tax_total(r) + r->interest_e5, BZL_SCALE_QTY, 2, known);
    bzld_table_add(t, "%s", known ? "ok" : a->message);
}

/* Every basis declaration d (a domestic sale, flow) could be assessed on, into all[*n]: a
 * product on every basis — ordinary (outside a zone, by default), material and product —
 * anything else on its one basis. Storage statuses only. */
static bzl_status
compare_compute(bzl_txn *txn, const bzl_declaration *d, uint8_t flow, bzl_assessment all[3],
                uint32_t *n)
{
    bool product = flow == BZL_FLOW_PROD_DOMESTIC_SALE;
    bool zone = d->book_no[0] == 'H';
    uint8_t bases[3] = {0, 0, 0};
    uint32_t want = 1;
    if (product) {
        want = 0;
        if (!zone) {
            bases[want++] = BZL_BASIS_ORDINARY;
        }
        bases[want++] = BZL_BASIS_MATERIAL;
        bases[want++] = BZL_BASIS_PRODUCT;
    }
    bzl_status st = BZL_OK;
    *n = 0;
    for (uint32_t i = 0; st == BZL_OK && i < want; i++) {
        st = bzl_storage_tax_compute(txn, d, flow, bases[i], NULL, &all[i]);
        *n += st == BZL_OK;
    }
    return st;
}

/* The compare table of all[n], d's chosen basis marked. */
static void
compare_reply(bzld_slot *slot, const bzl_declaration *d, uint8_t flow, const bzl_assessment *all,
              uint32_t n, const char *when)
{
    bool product = flow == BZL_FLOW_PROD_DOMESTIC_SALE;
    bool zone = d->book_no[0] == 'H';
    bzld_table t;
    bzld_table_init(&t, compare_cols, BZL_ARRAY_LEN(compare_cols));
    uint8_t chosen = d->duty_basis != 0 ? d->duty_basis
                     : zone             ? BZL_BASIS_PRODUCT
                                        : BZL_BASIS_ORDINARY;
    for (uint32_t i = 0; i < n; i++) {
        compare_row(&t, &all[i], !product || all[i].basis == chosen);
    }
    bzld_table_note(&t, "%s",
                    product ? "选择性征收关税 (B.5): material = duty on the embodied materials, "
                              "VAT and excise on the goods plus that duty, interest on the "
                              "duty; product = everything on the goods as presented, no "
                              "interest; ordinary (outside a zone) = every tax on the "
                              "materials consumed (折料), interest on all of it"
                            : "only a product sale has a choice of basis");
    bzld_table_note(&t, "%s", when);
    bzld_table_reply(slot, &t, "", 0, 0);
}

void
bzld_handle_tax_compare(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, TAX_COMPARE);
    const Bzl__V1__TaxQuery *req = slot->req->tax_compare;
    bzl_decl_info *info = calloc(1, sizeof *info);
    bzl_decl_line *lines = calloc(BZL_DECL_LINES_CEILING, sizeof *lines);
    bzl_effect effect;
    bzl_assessment all[3];
    memset(all, 0, sizeof all);
    bzl_txn *txn = NULL;
    bzl_status st =
        info != NULL && lines != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    uint32_t n = 0;
    if (st == BZL_OK) {
        st = bzl_storage_declaration_get(txn, req->enterprise, req->id, info, lines, &effect, 1);
    }
    if (st == BZL_OK && !bzl_tax_flow_assessed(info->flow)) {
        st = BZL_INVALID_ARGUMENT;
    }
    if (st == BZL_OK) {
        st = compare_compute(txn, &info->decl, info->flow, all, &n);
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st == BZL_NOT_FOUND) {
        bzld_slot_reply_status(slot, st, "enterprise %.20s has no declaration %.64s",
                               req->enterprise, req->id);
    } else if (st == BZL_INVALID_ARGUMENT) {
        bzld_slot_reply_status(slot, st, "declaration %.64s is %s, not a domestic sale", req->id,
                               bzl_flow_name((bzl_flow)info->flow));
    } else if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "computing the assessment failed: %s",
                               bzl_status_text(st));
    } else {
        compare_reply(slot, &info->decl, info->flow, all, n,
                      "computed now from the tables as they stand, at the declaration's dates; "
                      "tax show gives what was assessed when it was posted");
    }
    for (uint32_t i = 0; i < 3; i++) {
        bzl_assessment_free(&all[i]);
    }
    free(lines);
    free(info);
}

void
bzld_handle_tax_quote(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, TAX_QUOTE);
    const Bzl__V1__TaxQuote *req = slot->req->tax_quote;
    bzld *d = bzld_of_slot(slot);
    bzl_declaration decl;
    bzl_decl_line *lines = calloc(d->cfg.decl_lines_max, sizeof *lines);
    bzl_lot_ref *lots = calloc(BZL_DECL_LOTS_MAX, sizeof *lots);
    bzl_assessment all[3];
    memset(all, 0, sizeof all);
    bzl_fault fault = {0};
    bzl_status refusal = BZL_OK;
    bzl_status st = lines != NULL && lots != NULL ? BZL_OK : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        /* Converted and checked as a submission is: the same refusals, naming the same fields. */
        refusal = bzld_wire_declaration(req->declaration, d->cfg.decl_lines_max, &decl, lines, lots,
                                        &fault);
    }
    bzl_txn *txn = NULL;
    if (st == BZL_OK && refusal == BZL_OK) {
        st = bzld_read_begin(d, &txn);
    }
    bzl_book book;
    bzl_flow flow = BZL_FLOW_NONE;
    uint32_t n = 0;
    if (st == BZL_OK && refusal == BZL_OK) {
        /* Another enterprise's book reads as a missing one, as for a submission. */
        refusal = bzld_access_decl(bzld_principal_of_slot(slot), txn, decl.enterprise, decl.book_no,
                                   &fault);
    }
    if (st == BZL_OK && refusal == BZL_OK) {
        st = bzl_storage_book_get(txn, decl.book_no, &book);
        if (st == BZL_NOT_FOUND) {
            refusal = bzl_fault_missing(&fault, "book", "book", decl.book_no);
            st = BZL_OK;
        }
    }
    if (st == BZL_OK && refusal == BZL_OK) {
        refusal = bzl_decl_check_book(&decl, &book, &fault);
    }
    if (st == BZL_OK && refusal == BZL_OK) {
        refusal = bzl_flow_lookup((bzl_kind)decl.kind, (bzl_direction)decl.direction,
                                  decl.trade_mode, decl.book_no[0], book.verify_mode,
                                  decl.related_book[0] != '\0', &flow, &fault);
    }
    if (st == BZL_OK && refusal == BZL_OK && !bzl_tax_flow_assessed((uint8_t)flow)) {
        refusal = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "trade_mode",
                                "declaration %.64s is a %s, not a domestic sale: nothing to "
                                "quote",
                                decl.id, bzl_flow_name(flow));
    }
    if (st == BZL_OK && refusal == BZL_OK) {
        refusal = bzl_tax_decl_check(&decl, (uint8_t)flow, &fault);
    }
    if (st == BZL_OK && refusal == BZL_OK) {
        st = compare_compute(txn, &decl, (uint8_t)flow, all, &n);
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "computing the quote failed: %s", bzl_status_text(st));
    } else if (refusal != BZL_OK) {
        bzld_slot_reply_fault(slot, refusal, &fault);
    } else {
        compare_reply(slot, &decl, (uint8_t)flow, all, n,
                      "a quote of a declaration not sent: computed now from the tables as they "
                      "stand, at its dates; nothing was stored");
    }
    for (uint32_t i = 0; i < 3; i++) {
        bzl_assessment_free(&all[i]);
    }
    free(lots);
    free(lines);
}

/* ---- the tax report ------------------------------------------------------------------------ */

typedef enum { BY_ENTERPRISE, BY_ITEM, BY_MONTH } report_by;

typedef struct group {
    char key[64];
    uint8_t basis;
    uint64_t count;
    bzl_i128 cv, duty, excise, vat, interest;
} group;

typedef struct report {
    report_by by;
    group *groups;
    size_t n;
    size_t cap;
    uint64_t incomplete;
    uint64_t reversed;
    bzl_status status;
} report;

static group *
group_of(report *r, const char *key, uint8_t basis)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->groups[i].basis == basis && strcmp(r->groups[i].key, key) == 0) {
            return &r->groups[i];
        }
    }
    if (r->n == BZL_REPORT_GROUPS_MAX) {
        return NULL;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap == 0 ? 64 : r->cap * 2;
        group *g = realloc(r->groups, cap * sizeof *g);
        if (g == NULL) {
            return NULL;
        }
        r->groups = g;
        r->cap = cap;
    }
    group *g = &r->groups[r->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->key, sizeof g->key, "%s", key);
    g->basis = basis;
    return g;
}

static void
group_add(group *g, int64_t cv, const bzl_tax_amounts *t, int64_t interest)
{
    g->cv += cv;
    g->duty += t->duty_e5;
    g->excise += t->excise_e5;
    g->vat += t->vat_e5;
    g->interest += interest;
}

static bzl_status
report_visit(void *ctx, const bzl_assessment *a)
{
    report *r = ctx;
    if (a->state == BZL_ASSESS_REVERSED) {
        r->reversed++;
        return BZL_OK;
    }
    if (a->status != BZL_OK) {
        r->incomplete++;
        return BZL_OK;
    }
    char key[64];
    if (r->by == BY_ITEM) {
        /* Each taxed part under its own item; the interest, which belongs to the sale, in a row
         * of its own so that the rows still sum to the assessments. */
        for (uint32_t i = 0; i < a->part_count + a->goods_count; i++) {
            const bzl_assessment_part *p =
                i < a->part_count ? &a->parts[i] : &a->goods[i - a->part_count];
            snprintf(key, sizeof key, "%s %s %u", a->book_no, bzl_kind_name((bzl_kind)p->part.kind),
                     (unsigned)p->part.item_no);
            group *g = group_of(r, key, a->basis);
            if (g == NULL) {
                return BZL_LIMIT_EXCEEDED;
            }
            bool counts_cv = a->basis != BZL_BASIS_MATERIAL || i >= a->part_count;
            group_add(g, counts_cv ? p->part.cv_e5 : 0, &p->part.tax, 0);
            g->count++;
        }
        group *g = group_of(r, "(interest of the sales)", a->basis);
        if (g == NULL) {
            return BZL_LIMIT_EXCEEDED;
        }
        bzl_tax_amounts none = {0, 0, 0};
        group_add(g, 0, &none, a->result.interest_e5);
        g->count++;
        return BZL_OK;
    }
    if (r->by == BY_MONTH) {
        uint32_t m = bzl_month_of(a->date);
        snprintf(key, sizeof key, "%04u-%02u", (unsigned)(m / 100), (unsigned)(m % 100));
    } else {
        snprintf(key, sizeof key, "%s", a->enterprise);
    }
    group *g = group_of(r, key, a->basis);
    if (g == NULL) {
        return BZL_LIMIT_EXCEEDED;
    }
    group_add(g, a->result.cv_e5, &a->result.total, a->result.interest_e5);
    g->count++;
    return BZL_OK;
}

static const char *const report_cols[] = {"group",  "basis", "assessments", "customs_value", "duty",
                                          "excise", "vat",   "interest",    "payable"};

void
bzld_handle_tax_report(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, TAX_REPORT);
    const Bzl__V1__TaxReport *req = slot->req->tax_report;
    bzl_fault fault = {0};
    bzl_period p;
    report r;
    memset(&r, 0, sizeof r);
    bzl_status st = bzld_parse_period(req->period, &p, &fault);
    if (st == BZL_OK) {
        if (req->by[0] == '\0' || strcmp(req->by, "enterprise") == 0) {
            r.by = BY_ENTERPRISE;
        } else if (strcmp(req->by, "item") == 0) {
            r.by = BY_ITEM;
        } else if (strcmp(req->by, "month") == 0) {
            r.by = BY_MONTH;
        } else {
            st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "by",
                               "by \"%.20s\" is not enterprise, item or month", req->by);
        }
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzl_txn *txn = NULL;
    st = bzld_read_begin(bzld_of_slot(slot), &txn);
    if (st == BZL_OK) {
        st = bzl_storage_assessment_walk(txn, p.from, p.to, report_visit, &r);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(r.groups);
        bzld_slot_reply_status(slot, st, "the tax report failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, report_cols, BZL_ARRAY_LEN(report_cols));
    bzl_i128 total = 0;
    for (size_t i = 0; i < r.n; i++) {
        const group *g = &r.groups[i];
        bzld_table_add(&t, "%s", g->key);
        bzld_table_add(&t, "%s", bzl_tax_basis_name(g->basis));
        bzld_table_add(&t, "%llu", (unsigned long long)g->count);
        bzld_table_dec_wide(&t, g->cv, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(&t, g->duty, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(&t, g->excise, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(&t, g->vat, BZL_SCALE_QTY, 2, true);
        bzld_table_dec_wide(&t, g->interest, BZL_SCALE_QTY, 2, true);
        bzl_i128 payable = g->duty + g->excise + g->vat + g->interest;
        bzld_table_dec_wide(&t, payable, BZL_SCALE_QTY, 2, true);
        total += payable;
    }
    char text[BZL_DEC_WIDE_TEXT_BYTES];
    bzl_dec_format_wide(total, BZL_SCALE_QTY, 2, text, sizeof text);
    char span[BZL_PERIOD_TEXT_BYTES];
    bzl_period_format(&p, span, sizeof span);
    bzld_table_note(&t, "assessments dated %s; payable in all %s CNY, the sum of the rows", span,
                    text);
    bzld_table_note(&t,
                    "%llu reversed assessment%s (nothing due) and %llu incomplete one%s (a rate, "
                    "tariff or value was missing) are not counted",
                    (unsigned long long)r.reversed, r.reversed == 1 ? "" : "s",
                    (unsigned long long)r.incomplete, r.incomplete == 1 ? "" : "s");
    if (r.by == BY_ITEM) {
        bzld_table_note(&t, "material-basis sales: customs value counted on the goods rows only; "
                            "interest belongs to the sale and has its own row");
    }
    free(r.groups);
    bzld_table_reply(slot, &t, "", 0, 0);
}

/* ---- lots (next-wave.md E.4) ----------------------------------------------------------------- */

void
bzld_handle_set_lot_method(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_LOT_METHOD);
    const Bzl__V1__SetLotMethod *req = slot->req->set_lot_method;
    tax_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    bzl_status st = BZL_OK;
    if (bzld_check_book_no(req->book, strlen(req->book)) != BZL_OK) {
        st = bzl_fault_set(&fault, BZL_INVALID_CODE, 0, "book",
                           "book \"%.20s\" is not a book number", req->book);
    } else if (!bzl_lot_method_parse(req->method, &w->method)) {
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "method",
                           "method \"%.20s\" is not FIFO, SPECIFIC or AVERAGE", req->method);
    } else {
        memcpy(w->book_no, req->book, BZL_BOOK_NO_LEN + 1);
    }
    tax_start(slot, w, st, &fault);
}

static const char *const lot_cols[] = {
    "kind",         "item",      "entry", "received",        "age_days",
    "received_qty", "remaining", "value", "remaining_value", "receipt",
    "line",         "currency",  "usd",   "origin"};

/* The default ageing buckets' upper bounds in days (docs/TAX.md): a quarter, half a year, a
 * year; older lots fall in the last bucket. */
static const uint32_t default_buckets[] = {90, 180, 365};

static const char *const ageing_cols[] = {"kind", "item", "bucket", "lots", "remaining"};

/* One item's ageing rows being summed: lots and remaining per bucket (the last two: older than
 * every bound, and the undated opening lots). */
typedef struct ageing {
    bzld_table *t;
    const uint32_t *bounds;
    uint32_t n_bounds;
    int32_t as_of;
    bool have;
    uint8_t kind;
    uint32_t item;
    uint32_t lots[BZL_LOT_BUCKETS_MAX + 2];
    int64_t qty[BZL_LOT_BUCKETS_MAX + 2];
} ageing;

/* Writes the rows of the item summed so far. */
static void
ageing_flush(ageing *a)
{
    for (uint32_t b = 0; a->have && b < a->n_bounds + 2; b++) {
        if (a->lots[b] == 0) {
            continue;
        }
        char label[32];
        if (b == a->n_bounds + 1) {
            snprintf(label, sizeof label, "undated");
        } else if (b == a->n_bounds) {
            snprintf(label, sizeof label, ">%u", (unsigned)a->bounds[b - 1]);
        } else {
            snprintf(label, sizeof label, "%u-%u", b == 0 ? 0u : (unsigned)a->bounds[b - 1] + 1,
                     (unsigned)a->bounds[b]);
        }
        bzld_table_add(a->t, "%s", bzl_kind_name((bzl_kind)a->kind));
        bzld_table_add(a->t, "%u", (unsigned)a->item);
        bzld_table_add(a->t, "%s", label);
        bzld_table_add(a->t, "%u", (unsigned)a->lots[b]);
        bzld_table_dec(a->t, a->qty[b], BZL_SCALE_QTY, 0, true);
    }
    memset(a->lots, 0, sizeof a->lots);
    memset(a->qty, 0, sizeof a->qty);
    a->have = false;
}

static bzl_status
ageing_add(void *ctx, const bzl_lot *l)
{
    ageing *a = ctx;
    if (a->have && (a->kind != l->kind || a->item != l->item_no)) {
        ageing_flush(a);
    }
    a->have = true;
    a->kind = l->kind;
    a->item = l->item_no;
    uint32_t b = a->n_bounds + 1; /* undated: an opening lot, or the deficit row */
    if (l->date != 0 && !l->deficit) {
        int64_t age = (int64_t)a->as_of - l->date;
        for (b = 0; b < a->n_bounds && age > (int64_t)a->bounds[b]; b++) {
        }
    }
    a->lots[b]++;
    return bzl_dec_add(a->qty[b], l->remaining_e5, &a->qty[b]);
}

/* The ageing answer of ListLots (req->ageing): rows per item and bucket over every lot. */
static void
lots_ageing(bzld_slot *slot, const Bzl__V1__ListLots *req, uint8_t kind, int32_t as_of)
{
    uint32_t bounds[BZL_LOT_BUCKETS_MAX];
    uint32_t n = 0;
    bzl_fault fault = {0};
    bzl_status st = BZL_OK;
    if (req->n_buckets > BZL_LOT_BUCKETS_MAX) {
        st = bzl_fault_set(&fault, BZL_LIMIT_EXCEEDED, 0, "buckets",
                           "%zu ageing buckets; at most %u", req->n_buckets, BZL_LOT_BUCKETS_MAX);
    }
    for (size_t i = 0; st == BZL_OK && i < req->n_buckets; i++) {
        if (req->buckets[i] == 0 || req->buckets[i] > BZL_LOT_BUCKET_DAYS_MAX ||
            (i > 0 && req->buckets[i] <= req->buckets[i - 1])) {
            st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "buckets",
                               "ageing bucket bounds are days from 1 to %u, rising: %u after %u",
                               BZL_LOT_BUCKET_DAYS_MAX, (unsigned)req->buckets[i],
                               i > 0 ? (unsigned)req->buckets[i - 1] : 0u);
        }
        bounds[n++] = req->buckets[i];
    }
    for (size_t i = 0; req->n_buckets == 0 && i < BZL_ARRAY_LEN(default_buckets); i++) {
        bounds[n++] = default_buckets[i];
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzld_table t;
    bzld_table_init(&t, ageing_cols, BZL_ARRAY_LEN(ageing_cols));
    ageing *a = calloc(1, sizeof *a);
    bzl_txn *txn = NULL;
    uint8_t method = BZL_LOTS_FIFO;
    st = a != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    bzl_book book;
    st = st == BZL_OK ? bzl_storage_book_get(txn, req->book, &book) : st;
    if (st == BZL_OK) {
        a->t = &t;
        a->bounds = bounds;
        a->n_bounds = n;
        a->as_of = as_of;
        st = bzl_storage_lot_walk(txn, req->book, kind, req->item, ageing_add, a);
        ageing_flush(a);
        st = st == BZL_OK ? bzl_storage_lot_method_get(txn, req->book, &method) : st;
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    free(a);
    if (st == BZL_NOT_FOUND) {
        bzld_table_deinit(&t);
        (void)bzl_fault_missing(&fault, "book", "the book", NULL);
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    if (st != BZL_OK) {
        bzld_table_deinit(&t);
        bzld_slot_reply_status(slot, st, "reading the lots failed: %s", bzl_status_text(st));
        return;
    }
    char day[16];
    bzl_date_format(as_of, day, sizeof day);
    bzld_table_note(&t,
                    "book %s (lots %s): open lots and the quantity they hold by age in days to "
                    "%s; undated: lots opened before lots were kept",
                    req->book, bzl_lot_method_name(method), day);
    bzld_table_reply(slot, &t, "", 0, 0);
}

void
bzld_handle_list_lots(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_LOTS);
    const Bzl__V1__ListLots *req = slot->req->list_lots;
    bzl_fault fault = {0};
    int32_t today = (int32_t)(time(NULL) / 86400);
    int32_t as_of = 0;
    bzl_status st = bzld_check_book_no(req->book, strlen(req->book)) == BZL_OK
                        ? BZL_OK
                        : bzl_fault_set(&fault, BZL_INVALID_CODE, 0, "book",
                                        "book \"%.20s\" is not a book number", req->book);
    st = st == BZL_OK ? bzld_wire_date(req->as_of, true, today, "as_of", &as_of, &fault) : st;
    uint8_t kind = 0;
    if (st == BZL_OK && req->kind != BZL__V1__KIND__KIND_UNSPECIFIED) {
        bzl_kind k = BZL_KIND_MATERIAL;
        st = bzld_wire_kind(req->kind, &k, &fault);
        kind = (uint8_t)k;
    }
    if (st == BZL_OK && req->item != 0 && kind == 0) {
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "kind", "an item needs its kind");
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    if (req->ageing) {
        lots_ageing(slot, req, kind, as_of);
        return;
    }
    bzl_lot *lots = calloc(BZL_LIST_ROWS_MAX, sizeof *lots);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    uint8_t method = BZL_LOTS_FIFO;
    st = lots != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    bzl_book book;
    if (st == BZL_OK) {
        /* A missing book answers as the request table answers an enterprise (finding 5). */
        st = bzl_storage_book_get(txn, req->book, &book);
    }
    if (st == BZL_OK) {
        st = bzl_storage_lot_list(txn, req->book, kind, req->item, lots, BZL_LIST_ROWS_MAX, &n,
                                  &more);
        st = st == BZL_OK ? bzl_storage_lot_method_get(txn, req->book, &method) : st;
    }
    /* Where each came from (E.4 (1)): read from the entry that opened it. */
    bzl_lot_source *src = st == BZL_OK ? calloc(n + 1, sizeof *src) : NULL;
    st = st == BZL_OK && src == NULL ? BZL_NO_MEMORY : st;
    for (size_t i = 0; st == BZL_OK && i < n; i++) {
        st = bzl_storage_lot_source(txn, &lots[i], &src[i]);
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st == BZL_NOT_FOUND) {
        free(lots);
        free(src);
        (void)bzl_fault_missing(&fault, "book", "the book", NULL);
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    if (st != BZL_OK) {
        free(lots);
        free(src);
        bzld_slot_reply_status(slot, st, "reading the lots failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, lot_cols, BZL_ARRAY_LEN(lot_cols));
    for (size_t i = 0; i < n; i++) {
        const bzl_lot *l = &lots[i];
        char day[16] = "";
        if (l->date != 0) {
            bzl_date_format(l->date, day, sizeof day);
        }
        bzld_table_add(&t, "%s", bzl_kind_name((bzl_kind)l->kind));
        bzld_table_add(&t, "%u", (unsigned)l->item_no);
        bzld_table_add(&t, "%llu", (unsigned long long)l->seq);
        bzld_table_add(&t, "%s", day);
        if (l->date != 0) {
            bzld_table_add(&t, "%d", (int)(as_of - l->date));
        } else {
            bzld_table_add(&t, "%s", "");
        }
        bzld_table_dec(&t, l->qty_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, l->remaining_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, l->value_e5, BZL_SCALE_QTY, 0, true);
        int64_t rv = 0;
        bool has = l->qty_e5 > 0 && bzl_dec_quotient((bzl_i128)l->value_e5 * l->remaining_e5,
                                                     l->qty_e5, &rv) == BZL_OK;
        bzld_table_dec(&t, rv, BZL_SCALE_QTY, 0, has);
        const bzl_lot_source *s = &src[i];
        bzld_table_add(&t, "%s%s", s->reversal ? "reversal of " : "", s->receipt);
        if (s->line != 0 && !s->reversal) {
            bzld_table_add(&t, "%u", (unsigned)s->line);
        } else {
            bzld_table_add(&t, "%s", "");
        }
        bzld_table_add(&t, "%s", s->currency);
        bzld_table_dec(&t, s->usd_e5, BZL_SCALE_QTY, 0, s->has_usd);
        bzld_table_add(&t, "%s", s->country);
    }
    free(lots);
    free(src);
    char day[16];
    bzl_date_format(as_of, day, sizeof day);
    bzld_table_note(&t,
                    "book %s consumes its lots %s; ages in days to %s; value in the receiving "
                    "declaration's currency, usd its USD value as received, origin its country; "
                    "a SPECIFIC outflow names a lot by receipt and line; open lots only",
                    req->book, bzl_lot_method_name(method), day);
    bzld_table_note(&t, "lots are the enterprise's evidence under the customs ledger: they never "
                        "change a customs quantity nor the 缓税利息 start (docs/TAX.md)");
    if (more) {
        bzld_table_note(&t, "more than %u lots: name a kind and item", BZL_LIST_ROWS_MAX);
    }
    bzld_table_reply(slot, &t, "", 0, 0);
}
