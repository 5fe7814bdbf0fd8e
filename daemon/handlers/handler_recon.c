/* handler_recon.c — verification over the wire: stocktakes, rates and general trade
 * (writes); reconcile and the rate list (reads). Every answer is a Table of exact decimal
 * strings (reply.h); the arithmetic lives in lib (recon.c). The reports are handler_report.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "bzl/query.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* ---- writes: stocktakes, rates, general trade ------------------------------------------------ */

typedef enum { RW_STOCKTAKE, RW_RATE, RW_TRADE } recon_op;

typedef struct recon_work {
    recon_op op;
    char book_no[BZL_BOOK_NO_LEN + 1];
    int32_t date;
    bool count_scrap;
    bzl_stocktake_line *lines; /* owned */
    uint32_t n_lines;
    bzl_rate_row rate;
    bzl_trade_row trade;
    bzl_actor actor;          /* who asked: journaled with the write */
    bzld_principal principal; /* re-checked on the writer thread (access.h bzld_access_book) */
    bzl_action_result result;
} recon_work;

static bzl_status
recon_apply(bzld_job *job, bzl_txn *txn)
{
    recon_work *w = bzld_slot_of_job(job)->work;
    bzl_status st = BZL_INTERNAL;
    switch (w->op) {
    case RW_STOCKTAKE:
        /* The owner may have changed since the access check (an OpenBook for another
         * enterprise in this very group commit): checked again where it cannot change. */
        memset(&w->result, 0, sizeof w->result);
        st = bzld_access_book(&w->principal, txn, w->book_no, &w->result.fault);
        if (st == BZL_NOT_FOUND) {
            w->result.status = st;
            st = BZL_OK;
            break;
        }
        st = st == BZL_OK
                 ? bzl_storage_stocktake_put(txn, w->book_no, w->date, w->lines, w->n_lines,
                                             w->count_scrap, &w->actor, &w->result)
                 : st;
        break;
    case RW_RATE:
        st = bzl_storage_rate_set(txn, &w->rate, &w->actor, &w->result);
        break;
    case RW_TRADE:
        st = bzl_storage_trade_record(txn, &w->trade, &w->actor, &w->result);
        break;
    }
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static const char *const stock_cols[] = {"book",   "date",      "item",  "counted",
                                         "direct", "converted", "scrap", "scrap_counts"};
static const char *const ack_cols[] = {"done"};

/* The derived counts of the stocktake just stored. */
static void
stocktake_reply(bzld_slot *slot, const recon_work *w)
{
    bzl_txn *txn = NULL;
    bzl_count_row *rows = calloc(BZL_RECON_MATERIALS_MAX, sizeof *rows);
    size_t n = 0;
    int32_t date = 0;
    bzl_counted_by mine =
        w->actor.role == BZL_ROLE_ENTERPRISE ? BZL_COUNTED_ENTERPRISE : BZL_COUNTED_CUSTOMS;
    bzl_counted_by by = mine;
    bzl_counted_by official = BZL_COUNTED_ANY;
    int32_t official_date = 0;
    size_t official_n = 0;
    bzl_status st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_stocktake_get(txn, w->book_no, w->date, w->date, mine, &date, &by, rows,
                                       BZL_RECON_MATERIALS_MAX, &n);
    }
    if (st == BZL_OK && mine == BZL_COUNTED_ENTERPRISE) {
        /* Only to say so in the note: the rows read here are the enterprise's, read above. */
        bzl_count_row probe;
        bzl_status cst =
            bzl_storage_stocktake_get(txn, w->book_no, w->date, w->date, BZL_COUNTED_ANY,
                                      &official_date, &official, &probe, 1, &official_n);
        st = cst == BZL_NOT_FOUND ? BZL_OK : cst;
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the stocktake back failed: %s",
                               bzl_status_text(st));
        free(rows);
        return;
    }
    bzld_table t;
    bzld_table_init(&t, stock_cols, BZL_ARRAY_LEN(stock_cols));
    char day[16];
    bzl_date_format(date, day, sizeof day);
    for (size_t i = 0; i < n; i++) {
        bzld_table_add(&t, "%s", w->book_no);
        bzld_table_add(&t, "%s", day);
        bzld_table_add(&t, "%u", (unsigned)rows[i].item_no);
        bzld_table_dec(&t, rows[i].counted_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, rows[i].direct_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, rows[i].converted_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, rows[i].scrap_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_add(&t, "%s", rows[i].count_scrap ? "yes" : "no");
    }
    bzld_table_note(&t,
                    "products and work in progress are converted to materials by the norm in force "
                    "on the stocktake date (unit consumption, losses included)");
    if (mine == BZL_COUNTED_ENTERPRISE) {
        bzld_table_note(&t, "%s",
                        official == BZL_COUNTED_CUSTOMS
                            ? "counted by enterprise: kept beside the customs count of this date, "
                              "which verification uses"
                            : "counted by enterprise: verification uses it until customs counts "
                              "in the period");
    }
    free(rows);
    bzld_table_reply(slot, &t, "", 0, 0);
}

static void
recon_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    recon_work *w = slot->work;
    slot->work = NULL;
    bool failed = bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault);
    if (!failed && w->op == RW_STOCKTAKE) {
        stocktake_reply(slot, w);
    } else if (!failed) {
        bzld_table t;
        bzld_table_init(&t, ack_cols, 1);
        bzld_table_add(&t, "%s", w->result.replayed ? "unchanged" : "recorded");
        bzld_table_reply(slot, &t, "", 0, 0);
    }
    free(w->lines);
    free(w);
}

static void
recon_start(bzld_slot *slot, recon_work *w, bzl_status st, const bzl_fault *fault)
{
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, fault);
        free(w->lines);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *bzld_principal_of_slot(slot);
    if (bzld_slot_push_write(slot, w, 1, recon_apply, recon_reply) != BZL_OK) {
        free(w->lines);
        free(w);
    }
}

/* A zeroed work record for op, or NULL after replying that memory ran out. */
static recon_work *
recon_work_new(bzld_slot *slot, recon_op op)
{
    recon_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return NULL;
    }
    w->op = op;
    return w;
}

/* A stocktake's checks (wire.h, as the request table's validate makes them); on BZL_OK w holds
 * the lines. */
static bzl_status
stocktake_parse(const bzld *d, const Bzl__V1__SubmitStocktake *req, recon_work *w, bzl_fault *fault)
{
    w->op = RW_STOCKTAKE;
    w->count_scrap = req->count_scrap;
    bzl_status st =
        bzld_wire_stocktake_head(req, d->cfg.decl_lines_max, w->book_no, &w->date, fault);
    if (st == BZL_OK && req->n_lines > 0) {
        w->lines = calloc(req->n_lines, sizeof *w->lines);
        st = w->lines != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    for (size_t i = 0; st == BZL_OK && i < req->n_lines; i++) {
        st = bzld_wire_stocktake_line(req->lines[i], (uint32_t)i, &w->lines[i], fault);
    }
    w->n_lines = (uint32_t)req->n_lines;
    return st;
}

void
bzld_handle_stocktake(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, STOCKTAKE);
    recon_work *w = recon_work_new(slot, RW_STOCKTAKE);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    bzl_status st = stocktake_parse(bzld_of_slot(slot), slot->req->stocktake, w, &fault);
    recon_start(slot, w, st, &fault);
}

void
bzld_handle_set_rate(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_RATE);
    const Bzl__V1__SetRate *req = slot->req->set_rate;
    recon_work *w = recon_work_new(slot, RW_RATE);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_rate(req, &w->rate, &fault);
    recon_start(slot, w, st, &fault);
}

void
bzld_handle_record_trade(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, RECORD_TRADE);
    const Bzl__V1__RecordTrade *req = slot->req->record_trade;
    recon_work *w = recon_work_new(slot, RW_TRADE);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_trade(req, &w->trade, &fault);
    recon_start(slot, w, st, &fault);
}

/* ---- reads: reconcile, rates -------------------------------------------------------------- */

/* The material categories shown per column, in the 报核 order of reference §1.6. */
static const uint8_t recon_categories[] = {
    BZL_FLOW_MAT_IMPORT,           BZL_FLOW_MAT_TRANSFER_IN,   BZL_FLOW_MAT_LEFTOVER_IN,
    BZL_FLOW_MAT_ZONE_TRANSFER_IN, BZL_FLOW_MAT_RETURN_IN,     BZL_FLOW_MAT_LOW_VALUE,
    BZL_FLOW_MAT_REEXPORT,         BZL_FLOW_MAT_DOMESTIC_SALE, BZL_FLOW_MAT_LEFTOVER_OUT,
    BZL_FLOW_MAT_DESTROY,          BZL_FLOW_MAT_RETURN_OUT,    BZL_FLOW_MAT_ZONE_TRANSFER_OUT,
};
static const char *const recon_cols[] = {"book",
                                         "item",
                                         "opening",
                                         "import",
                                         "transfer_in",
                                         "leftover_in",
                                         "zone_transfer_in",
                                         "return_in",
                                         "low_value",
                                         "reexport",
                                         "domestic_sale",
                                         "leftover_out",
                                         "destroy",
                                         "return_out",
                                         "zone_transfer_out",
                                         "consumption",
                                         "tangible_loss",
                                         "intangible_loss",
                                         "adjust_up",
                                         "adjust_down",
                                         "scrap_disposed",
                                         "book_balance",
                                         "counted",
                                         "difference",
                                         "difference_rate",
                                         "flag",
                                         "name",
                                         "unit",
                                         "in",
                                         "out",
                                         "counted_by"};
/* The columns above end with what the CLI's 120-column view shows beside the figures: the
 * item's name and unit code as recorded, the two sums of the categories (RECON_NOTE_IN_OUT),
 * and who counted the stocktake the counted column comes from (RECON_NOTE_COUNTED_BY).
 * They come after flag so that every earlier column keeps its place (`bzl reconcile --wide`
 * prints exactly the first 26, as before they existed). */
static_assert(BZL_ARRAY_LEN(recon_cols) == 3u + BZL_ARRAY_LEN(recon_categories) + 11u + 5u,
              "26 columns up to flag, then name, unit, in, out and counted_by");
static_assert(BZL_ROLE_ENTERPRISE == (unsigned)BZLD_ROLE_ENTERPRISE,
              "storage keeps an enterprise's stocktake apart by the daemon's role number");

/* The note defining in, out and consumption. The CLI leaves it out under --wide, whose table
 * has no in or out column, by this prefix: keep them together. */
#define RECON_NOTE_IN_OUT                                                                          \
    "in = import + transfer_in + leftover_in + zone_transfer_in + return_in + low_value; "         \
    "out = reexport + domestic_sale + leftover_out + destroy + return_out + zone_transfer_out; "   \
    "consumption = what product lines consumed by their norms, or consumption reports, "           \
    "tangible and intangible losses included; "                                                    \
    "adjust_up, adjust_down and scrap_disposed are in none of them"

/* Says whose count the counted column is. */
#define RECON_NOTE_COUNTED_BY                                                                      \
    "counted_by: whose stocktake gives counted - customs when customs counted in the period, "     \
    "else the enterprise's count, never one over the other"

static void
recon_row(bzld_table *t, const char *book_no, const bzl_recon_line *l, const bzl_item *item,
          bzl_counted_by by)
{
    bzld_table_add(t, "%s", book_no);
    bzld_table_add(t, "%u", (unsigned)l->item_no);
    bzld_table_dec(t, l->opening_e5, BZL_SCALE_QTY, 0, true);
    for (size_t i = 0; i < BZL_ARRAY_LEN(recon_categories); i++) {
        bzld_table_dec(t, l->totals_e5[recon_categories[i]], BZL_SCALE_QTY, 0, true);
    }
    bzld_table_dec(t, l->consumption_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->tangible_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->intangible_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->adjust_up_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->adjust_down_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->scrap_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->book_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->counted_e5, BZL_SCALE_QTY, 0, l->counted);
    bzld_table_dec(t, l->difference_e5, BZL_SCALE_QTY, 0, l->counted);
    bzld_table_dec(t, l->rate_e4, 4, 4, l->has_rate);
    bzld_table_add(t, "%s", bzl_recon_flag_name(l->flag));
    bzld_table_add(t, "%s", item->name);
    bzld_table_add(t, "%s", item->unit);
    bzld_table_dec(t, l->inflow_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, l->outflow_e5, BZL_SCALE_QTY, 0, true);
    bzld_table_add(t, "%s", l->counted ? bzl_counted_by_name(by) : "");
}

/* Verifies one book into t; *beyond counts materials beyond tolerance. */
static bzl_status
recon_one(bzl_txn *txn, const char *book_no, const bzl_period *p, int64_t tol_e4,
          bzl_recon_line *lines, bzld_table *t, uint32_t *beyond, bzl_fault *fault)
{
    size_t n = 0;
    bzl_recon_summary sum;
    bzl_status st =
        bzl_recon_book(txn, book_no, p, tol_e4, lines, BZL_RECON_MATERIALS_MAX, &n, &sum);
    if (st == BZL_NOT_FOUND) {
        return bzl_fault_missing(fault, "book", "book", book_no);
    }
    if (st != BZL_OK) {
        return bzl_fault_set(fault, st, 0, "book", "verifying book %s failed: %s", book_no,
                             bzl_status_text(st));
    }
    for (size_t i = 0; i < n; i++) {
        bzl_item item;
        st = bzl_storage_item_get(txn, book_no, BZL_KIND_MATERIAL, lines[i].item_no, &item);
        if (st != BZL_OK) {
            /* The walk just listed the item in this transaction: missing now is corruption. */
            st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
            return bzl_fault_set(fault, st, 0, "book", "reading material %u of book %s failed: %s",
                                 (unsigned)lines[i].item_no, book_no, bzl_status_text(st));
        }
        recon_row(t, book_no, &lines[i], &item, sum.counted_by);
    }
    *beyond += sum.beyond;
    return BZL_OK;
}

/* The books of this answer: the one named, or the page of every book after `after`. */
static bzl_status
reconcile_books(bzl_txn *txn, const Bzl__V1__Reconcile *req, const char *book_no, const char *after,
                char (*books)[BZL_BOOK_NO_LEN + 1], size_t *n_books, bool *more)
{
    *more = false;
    if (book_no[0] != '\0') {
        memcpy(books[0], book_no, BZL_BOOK_NO_LEN + 1);
        *n_books = 1;
        return BZL_OK;
    }
    size_t cap =
        bzld_page_rows(req->page_size, BZL_RECON_PAGE_BOOKS_DEFAULT, BZL_RECON_PAGE_BOOKS_MAX);
    return bzl_storage_book_list(txn, after, books, cap, n_books, more);
}

/* Notes the period, tolerance and equation, and replies with the table. */
static void
reconcile_reply(bzld_slot *slot, bzld_table *t, const bzl_period *p, int64_t tol, bool more,
                const char *last_book, uint64_t reads, uint32_t beyond)
{
    char ptext[BZL_PERIOD_TEXT_BYTES];
    bzl_period_format(p, ptext, sizeof ptext);
    char tol_text[BZL_DEC_TEXT_BYTES];
    bzl_dec_format(tol, 4, tol_text, sizeof tol_text);
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_code(BZLD_LIST_BOOKS, more && last_book[0] != '\0', last_book, token);
    bzld_table_note(t, "period %s; tolerance %s%% of the book balance", ptext, tol_text);
    bzld_table_note(t, "book_balance = opening + inflows - outflows - consumption + adjust_up - "
                       "adjust_down; difference = counted - book_balance; rate = difference / "
                       "book_balance x 100 (4 places, half-up)");
    bzld_table_note(t, "%s", RECON_NOTE_IN_OUT);
    bzld_table_note(t, "%s", RECON_NOTE_COUNTED_BY);
    bzld_table_reply(slot, t, token, reads, beyond);
}

void
bzld_handle_reconcile(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, RECONCILE);
    const Bzl__V1__Reconcile *req = slot->req->reconcile;
    bzl_fault fault = {0};
    bzl_period p;
    int64_t tol = 0;
    char book_no[BZL_BOOK_NO_LEN + 1] = "";
    char after[BZL_BOOK_NO_LEN + 1] = "";
    bzl_status st = bzld_wire_reconcile(req, &p, &tol, book_no, after, &fault);
    bzl_recon_line *lines = st == BZL_OK ? calloc(BZL_RECON_MATERIALS_MAX, sizeof *lines) : NULL;
    bzl_txn *txn = NULL;
    if (st == BZL_OK) {
        st = lines != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
        if (st != BZL_OK) {
            bzl_fault_set(&fault, st, 0, "", "%s", bzl_status_text(st));
        }
    }
    bzld_table t;
    if (st == BZL_OK && book_no[0] != '\0' &&
        bzld_repair_reconcile(txn, book_no, &t, &st, &fault)) {
        /* A repair book reconciles its repair accounts (handler_repair.c). */
        bzl_txn_abort(txn);
        free(lines);
        if (st != BZL_OK) {
            bzld_table_deinit(&t);
            bzld_slot_reply_fault(slot, st, &fault);
            return;
        }
        bzld_table_reply(slot, &t, "", 0, 0);
        return;
    }
    bzld_table_init(&t, recon_cols, BZL_ARRAY_LEN(recon_cols));
    uint32_t beyond = 0;
    bool more = false;
    char books[BZL_RECON_PAGE_BOOKS_MAX][BZL_BOOK_NO_LEN + 1];
    size_t n_books = 0;
    if (st == BZL_OK) {
        st = reconcile_books(txn, req, book_no, after, books, &n_books, &more);
    }
    for (size_t i = 0; st == BZL_OK && i < n_books; i++) {
        st = recon_one(txn, books[i], &p, tol, lines, &t, &beyond, &fault);
    }
    uint64_t reads = txn != NULL ? bzl_txn_journal_reads(txn) : 0;
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    free(lines);
    if (st != BZL_OK) {
        bzld_table_deinit(&t);
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    reconcile_reply(slot, &t, &p, tol, more, n_books > 0 ? books[n_books - 1] : "", reads, beyond);
}

static const char *const rate_cols[] = {"month", "currency", "iso", "cny"};

void
bzld_handle_list_rates(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_RATES);
    const Bzl__V1__ListRates *req = slot->req->list_rates;
    bzl_fault fault = {0};
    uint32_t month = 0;
    uint64_t skip = 0;
    bzl_status st = req->month[0] != '\0' ? bzld_wire_month(req->month, &month, &fault) : BZL_OK;
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_RATES, UINT32_MAX, &skip, &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_rate_row *rows = calloc(cap, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_rate_list(txn, month, (uint32_t)skip, rows, cap, &n, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        bzld_slot_reply_status(slot, st, "reading rates failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, rate_cols, BZL_ARRAY_LEN(rate_cols));
    for (size_t i = 0; i < n; i++) {
        bzld_table_add(&t, "%04u-%02u", rows[i].month / 100, rows[i].month % 100);
        bzld_table_add(&t, "%s", rows[i].currency);
        const char *iso = bzl_code_currency_iso(rows[i].currency, BZL_CURRENCY_LEN);
        bzld_table_add(&t, "%s", iso != NULL ? iso : "");
        bzld_table_dec(&t, rows[i].cny_e9, BZL_SCALE_RATE, 0, true);
    }
    free(rows);
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_RATES, more, skip + n, token);
    bzld_table_reply(slot, &t, token, 0, 0);
}
