/* handler_repair.c — bonded repair books over the wire (next-wave.md §C): work orders (open and
 * complete are writes; list and show are reads), parts past their disposal period, and the
 * repair accounts of §C.3 that `reconcile` answers for a repair book. Every answer is a Table
 * (reply.h); the rules live in lib (repair.c, storage_repair.c, repair_walk.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/decimal.h"
#include "bzl/query.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

static const char *const wo_cols[] = {"book",   "workorder", "item",      "origin", "state",
                                      "opened", "completed", "materials", "parts"};

/* "ITEM=QTY ITEM=QTY" of n lines, into buf. */
static void
lines_text(const bzl_wo_line *l, uint32_t n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < n && used < cap; i++) { /* n <= BZL_WO_LINES_MAX */
        char qty[BZL_DEC_TEXT_BYTES];
        bzl_dec_format(l[i].qty_e5, BZL_SCALE_QTY, qty, sizeof qty);
        int k = snprintf(buf + used, cap - used, "%s%u=%s", i == 0 ? "" : " ",
                         (unsigned)l[i].item_no, qty);
        used += k > 0 ? (size_t)k : 0;
    }
}

static void
wo_row(bzld_table *t, const bzl_workorder *wo)
{
    char opened[16];
    char done[16] = "";
    bzl_date_format(wo->opened, opened, sizeof opened);
    if (wo->state != BZL_WO_OPEN) {
        bzl_date_format(wo->completed, done, sizeof done);
    }
    /* 64 lines of "999999999=" and a 20-digit quantity each. */
    char text[BZL_WO_LINES_MAX * 48u];
    bzld_table_add(t, "%s", wo->book_no);
    bzld_table_add(t, "%u", (unsigned)wo->no);
    bzld_table_add(t, "%u", (unsigned)wo->item_no);
    bzld_table_add(t, "%s", bzl_origin_word(wo->origin));
    bzld_table_add(t, "%s", bzl_wo_state_name(wo->state));
    bzld_table_add(t, "%s", opened);
    bzld_table_add(t, "%s", done);
    lines_text(wo->lines, wo->n_materials, text, sizeof text);
    bzld_table_add(t, "%s", text);
    lines_text(wo->lines + wo->n_materials, wo->n_parts, text, sizeof text);
    bzld_table_add(t, "%s", text);
}

/* ---- writes: open and complete ------------------------------------------------------------- */

typedef struct repair_work {
    bool complete;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t no;
    uint32_t item_no;
    uint8_t origin;
    uint8_t state;
    int32_t date;
    bzl_wo_line materials[BZL_WO_LINES_MAX];
    bzl_wo_line parts[BZL_WO_LINES_MAX];
    uint32_t n_materials;
    uint32_t n_parts;
    bzl_actor actor;
    bzld_principal principal; /* re-checked on the writer thread */
    bzl_action_result result;
} repair_work;

static bzl_status
repair_apply(bzld_job *job, bzl_txn *txn)
{
    repair_work *w = bzld_slot_of_job(job)->work;
    memset(&w->result, 0, sizeof w->result);
    bzl_status st = bzld_access_book(&w->principal, txn, w->book_no, &w->result.fault);
    if (st == BZL_NOT_FOUND) {
        w->result.status = st;
        return BZL_OK;
    }
    if (st == BZL_OK && w->complete) {
        st = bzl_storage_workorder_complete(txn, w->book_no, w->no, w->state, w->date, w->materials,
                                            w->n_materials, w->parts, w->n_parts, &w->actor,
                                            &w->result);
    } else if (st == BZL_OK) {
        st = bzl_storage_workorder_open(txn, w->book_no, w->item_no, w->origin, w->date, &w->actor,
                                        &w->result, &w->no);
    }
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

/* Replies with the work order as it stands after the write. */
static void
repair_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    repair_work *w = slot->work;
    slot->work = NULL;
    if (bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault)) {
        free(w);
        return;
    }
    bzl_workorder *wo = calloc(1, sizeof *wo);
    bzl_txn *txn = NULL;
    bzl_status st = wo != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_workorder_get(txn, w->book_no, w->no, wo);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading work order %u back failed: %s", (unsigned)w->no,
                               bzl_status_text(st));
    } else {
        bzld_table t;
        bzld_table_init(&t, wo_cols, BZL_ARRAY_LEN(wo_cols));
        wo_row(&t, wo);
        bzld_table_note(&t, "journal entry %llu", (unsigned long long)w->result.seq);
        bzld_table_reply(slot, &t, "", 0, 0);
    }
    free(wo);
    free(w);
}

static void
repair_start(bzld_slot *slot, repair_work *w, bzl_status st, const bzl_fault *fault)
{
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, fault);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *bzld_principal_of_slot(slot);
    if (bzld_slot_push_write(slot, w, 1, repair_apply, repair_reply) != BZL_OK) {
        free(w);
    }
}

void
bzld_handle_open_workorder(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, OPEN_WORKORDER);
    repair_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    bzl_status st = bzld_wire_open_workorder(slot->req->open_workorder, w->book_no, &w->item_no,
                                             &w->origin, &w->date, &fault);
    repair_start(slot, w, st, &fault);
}

void
bzld_handle_complete_workorder(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, COMPLETE_WORKORDER);
    repair_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    w->complete = true;
    bzl_fault fault = {0};
    bzl_status st = bzld_wire_complete_workorder(slot->req->complete_workorder, w->book_no, &w->no,
                                                 &w->state, &w->date, w->materials, &w->n_materials,
                                                 w->parts, &w->n_parts, &fault);
    repair_start(slot, w, st, &fault);
}

/* ---- reads: the work-order list, one work order -----------------------------------------------
 */

/* The book's usage, or a refusal naming it: a missing book answers like every missing book. */
static bzl_status
repair_book(bzl_txn *txn, const char *book_no, bzl_fault *fault)
{
    bzl_book book;
    bzl_status st = bzl_storage_book_get(txn, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        return bzl_fault_missing(fault, "book", "book", book_no);
    }
    if (st == BZL_OK && book.usage != BZL_USAGE_REPAIR) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "book", "book %s is not a repair book",
                             book_no);
    }
    return st == BZL_OK ? BZL_OK : bzl_fault_set(fault, st, 0, "book", "%s", bzl_status_text(st));
}

void
bzld_handle_list_workorders(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_WORKORDERS);
    const Bzl__V1__ListWorkOrders *req = slot->req->list_workorders;
    bzl_fault fault = {0};
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint64_t after = 0;
    bzl_status st = bzld_parse_book(req->book, book_no, &fault);
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_WORKORDERS, UINT32_MAX, &after,
                                    &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, 100, 100);
    bzl_workorder *rows = calloc(cap, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = repair_book(txn, book_no, &fault);
    }
    if (st == BZL_OK && req->workorder != 0) {
        st = bzl_storage_workorder_get(txn, book_no, req->workorder, &rows[0]);
        n = st == BZL_OK ? 1 : 0;
        if (st == BZL_NOT_FOUND) {
            st = bzl_fault_set(&fault, BZL_NOT_FOUND, 0, "workorder",
                               "book %s has no work order %u", book_no, (unsigned)req->workorder);
        }
    } else if (st == BZL_OK) {
        st = bzl_storage_workorder_list(txn, book_no, (uint32_t)after, rows, cap, &n, &more);
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        if (fault.message[0] == '\0') {
            bzl_fault_set(&fault, st, 0, "", "reading work orders failed: %s", bzl_status_text(st));
        }
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzld_table t;
    bzld_table_init(&t, wo_cols, BZL_ARRAY_LEN(wo_cols));
    for (size_t i = 0; i < n; i++) {
        wo_row(&t, &rows[i]);
    }
    bzld_table_note(&t, "materials: repair materials the work order used (ITEM=QTY); parts: the "
                        "old or broken parts it took out, kept by the origin of the goods");
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_WORKORDERS, more, n > 0 ? rows[n - 1].no : after, token);
    free(rows);
    bzld_table_reply(slot, &t, token, 0, 0);
}

/* ---- reads: overdue parts ------------------------------------------------------------------- */

/* Today in the daemon's local calendar, as `close_period` takes it. */
static int32_t
today_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL) {
        return (int32_t)(now / 86400);
    }
    return bzl_date_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

static const char *const overdue_cols[] = {"book", "item",    "origin", "workorder", "generated",
                                           "qty",  "on_hand", "due",    "status"};

void
bzld_handle_repair_overdue(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, REPAIR_OVERDUE);
    const Bzl__V1__RepairOverdue *req = slot->req->repair_overdue;
    const bzld_config *cfg = &bzld_of_slot(slot)->cfg;
    bzl_fault fault = {0};
    char book_no[BZL_BOOK_NO_LEN + 1] = "";
    int32_t as_of = 0;
    bzl_status st = req->book[0] != '\0' ? bzld_parse_book(req->book, book_no, &fault) : BZL_OK;
    if (st == BZL_OK) {
        st = bzld_wire_date(req->as_of, true, today_local(), "as_of", &as_of, &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = BZL_LIST_ROWS_MAX;
    bzl_overdue_row *rows = calloc(cap, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK && book_no[0] != '\0') {
        st = repair_book(txn, book_no, &fault);
    }
    if (st == BZL_OK) {
        st = bzl_query_repair_overdue(txn, book_no, as_of, cfg->repair_disposal_days,
                                      cfg->repair_warn_days, rows, cap, &n, &more);
        if (st != BZL_OK) {
            bzl_fault_set(&fault, st, 0, "book", "ageing repair parts failed: %s",
                          bzl_status_text(st));
        }
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzld_table t;
    bzld_table_init(&t, overdue_cols, BZL_ARRAY_LEN(overdue_cols));
    for (size_t i = 0; i < n; i++) {
        const bzl_overdue_row *r = &rows[i];
        char gen[16];
        char due[16];
        bzl_date_format(r->generated, gen, sizeof gen);
        bzl_date_format(r->due, due, sizeof due);
        bzld_table_add(&t, "%s", r->book_no);
        bzld_table_add(&t, "%u", (unsigned)r->item_no);
        bzld_table_add(&t, "%s", bzl_origin_word(r->origin));
        bzld_table_add(&t, "%u", (unsigned)r->workorder);
        bzld_table_add(&t, "%s", gen);
        bzld_table_dec(&t, r->qty_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, r->remaining_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_add(&t, "%s", due);
        bzld_table_add(&t, "%s", r->state == 2 ? "past due" : "due soon");
    }
    char day[16];
    bzl_date_format(as_of, day, sizeof day);
    bzld_table_note(&t,
                    "as of %s; disposal period %u days (repair_disposal_days), listed from %u "
                    "days before its end (repair_warn_days) [next-wave.md C.4, M2020-16]",
                    day, (unsigned)cfg->repair_disposal_days, (unsigned)cfg->repair_warn_days);
    bzld_table_note(&t, "on_hand: what of the lot is left after disposals (re-export, destruction, "
                        "gate registration), taken from the oldest lots first");
    if (more) {
        bzld_table_note(&t, "more lots than one answer holds: name a book");
    }
    free(rows);
    bzld_table_reply(slot, &t, "", 0, 0);
}

/* ---- reconcile of a repair book: the equations of §C.3 -----------------------------------------
 */

static const char *const acct_cols[] = {"book", "kind", "item",    "origin", "account",
                                        "in",   "out",  "on_hand", "holds",  "check"};

/* One account row. */
static void
acct_row(bzld_table *t, const char *book_no, const bzl_repair_row *r, const char *account,
         int64_t in, int64_t out, int64_t on_hand, bool holds, const char *check)
{
    bzld_table_add(t, "%s", book_no);
    bzld_table_add(t, "%s", bzl_kind_name((bzl_kind)r->kind));
    bzld_table_add(t, "%u", (unsigned)r->item_no);
    bzld_table_add(t, "%s", r->origin == 0 ? "" : bzl_origin_word(r->origin));
    bzld_table_add(t, "%s", account);
    bzld_table_dec(t, in, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, out, BZL_SCALE_QTY, 0, true);
    bzld_table_dec(t, on_hand, BZL_SCALE_QTY, 0, true);
    bzld_table_add(t, "%s", holds ? "yes" : "NO");
    bzld_table_add(t, "%s", check);
}

/* The goods accounts of one (product, origin). */
static uint32_t
goods_rows(bzld_table *t, const char *book_no, const bzl_repair_row *r)
{
    const int64_t *m = r->totals.moves_e5;
    int64_t awaiting = bzl_repair_awaiting(&r->totals);
    int64_t repaired = bzl_repair_repaired(&r->totals);
    int64_t unrep = bzl_repair_unrepairable(&r->totals);
    bool a_ok = awaiting >= 0 && r->in_work_e5 >= 0 && r->in_work_e5 <= awaiting;
    char check[96];
    snprintf(check, sizeof check,
             "received - repaired - unrepairable; %lld.%05lld under work "
             "orders",
             (long long)(r->in_work_e5 / 100000), (long long)(r->in_work_e5 % 100000));
    acct_row(t, book_no, r, "awaiting repair", m[BZL_RM_RECEIVED],
             m[BZL_RM_REPAIRED] + m[BZL_RM_UNREPAIRABLE], awaiting, a_ok, check);
    acct_row(t, book_no, r, "repaired", m[BZL_RM_REPAIRED], m[BZL_RM_RETURNED_REPAIRED], repaired,
             repaired >= 0, "completed repaired - returned to origin");
    acct_row(t, book_no, r, "unrepairable", m[BZL_RM_UNREPAIRABLE], m[BZL_RM_RETURNED_UNREPAIRABLE],
             unrep, unrep >= 0, "completed unrepairable - returned to origin");
    return (a_ok ? 0u : 1u) + (repaired >= 0 ? 0u : 1u) + (unrep >= 0 ? 0u : 1u);
}

/* The consumed quantity of material item among rows (origin none). */
static int64_t
consumed_of(const bzl_repair_row *rows, size_t n, uint32_t item)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].kind == BZL_KIND_MATERIAL && rows[i].origin == BZL_ORIGIN_NONE &&
            rows[i].item_no == item) {
            return rows[i].totals.moves_e5[BZL_RM_MAT_CONSUMED];
        }
    }
    return 0;
}

/* The material and parts accounts of one row; bal is the item's general balance. */
static uint32_t
material_rows(bzld_table *t, const char *book_no, const bzl_repair_row *rows, size_t n,
              const bzl_repair_row *r, int64_t posted_e5)
{
    const int64_t *m = r->totals.moves_e5;
    if (r->origin == BZL_ORIGIN_NONE) {
        int64_t on_hand = bzl_repair_materials(&r->totals);
        /* The general balance moves with declarations only; work orders consume here. */
        bool ok = on_hand >= 0 && on_hand == posted_e5 - m[BZL_RM_MAT_CONSUMED];
        acct_row(t, book_no, r, "repair materials", m[BZL_RM_MAT_RECEIVED],
                 m[BZL_RM_MAT_CONSUMED] + m[BZL_RM_MAT_OUT], on_hand, ok,
                 "received - consumed by work orders - sent out = book balance - consumed");
        return ok ? 0u : 1u;
    }
    int64_t on_hand = bzl_repair_parts(&r->totals);
    bool gate_ok = r->origin == BZL_ORIGIN_OUTSIDE ? m[BZL_RM_PARTS_REEXPORTED] == 0
                                                   : m[BZL_RM_PARTS_GATED] == 0;
    bool ok = on_hand >= 0 && gate_ok;
    (void)rows;
    (void)n;
    acct_row(t, book_no, r, "old parts", m[BZL_RM_PARTS_GENERATED],
             m[BZL_RM_PARTS_REEXPORTED] + m[BZL_RM_PARTS_DESTROYED] + m[BZL_RM_PARTS_GATED],
             on_hand, ok,
             r->origin == BZL_ORIGIN_ABROAD
                 ? "generated - re-exported - destroyed; none gate-registered; none sold"
                 : "generated - gate-registered - destroyed; none re-exported; none sold");
    return ok ? 0u : 1u;
}

/* Every product's goods on hand across origins equal its general balance. */
static uint32_t
goods_total_rows(bzld_table *t, bzl_txn *txn, const char *book_no, const bzl_repair_row *rows,
                 size_t n, bzl_status *st)
{
    uint32_t bad = 0;
    for (size_t i = 0; *st == BZL_OK && i < n; i++) {
        const bzl_repair_row *r = &rows[i];
        if (r->kind != BZL_KIND_PRODUCT ||
            (i > 0 && rows[i - 1].kind == r->kind && rows[i - 1].item_no == r->item_no)) {
            continue; /* once per product, at its first origin */
        }
        int64_t sum = 0;
        for (size_t j = i; j < n && rows[j].kind == r->kind && rows[j].item_no == r->item_no; j++) {
            sum += bzl_repair_awaiting(&rows[j].totals) + bzl_repair_repaired(&rows[j].totals) +
                   bzl_repair_unrepairable(&rows[j].totals);
        }
        bzl_balance bal;
        *st = bzl_storage_balance_get(txn, book_no, BZL_KIND_PRODUCT, r->item_no, &bal);
        if (*st == BZL_NOT_FOUND) {
            memset(&bal, 0, sizeof bal);
            *st = BZL_OK;
        }
        bzl_repair_row all = {.kind = r->kind, .item_no = r->item_no};
        bool ok = bal.qty_e5 == sum;
        bad += ok ? 0u : 1u;
        acct_row(t, book_no, &all, "goods in the zone", 0, 0, sum, ok,
                 "awaiting + repaired + unrepairable of both origins = book balance");
    }
    return bad;
}

bool
bzld_repair_reconcile(bzl_txn *txn, const char *book_no, bzld_table *t, bzl_status *st,
                      bzl_fault *fault)
{
    bzl_book book;
    *st = bzl_storage_book_get(txn, book_no, &book);
    if (*st != BZL_OK || book.usage != BZL_USAGE_REPAIR) {
        *st = *st == BZL_NOT_FOUND ? BZL_OK : *st; /* the general reconcile answers it */
        return false;
    }
    bzl_repair_row *rows = calloc(BZL_REPAIR_ROWS_MAX, sizeof *rows);
    size_t n = 0;
    bool more = false;
    *st = rows != NULL ? bzl_storage_repair_rows(txn, book_no, rows, BZL_REPAIR_ROWS_MAX, &n, &more)
                       : BZL_NO_MEMORY;
    if (*st == BZL_OK && more) {
        *st = BZL_LIMIT_EXCEEDED;
    }
    uint32_t bad = 0;
    bzld_table_init(t, acct_cols, BZL_ARRAY_LEN(acct_cols));
    for (size_t i = 0; *st == BZL_OK && i < n; i++) {
        const bzl_repair_row *r = &rows[i];
        if (r->kind == BZL_KIND_PRODUCT) {
            bad += goods_rows(t, book_no, r);
            continue;
        }
        bzl_balance bal = {0};
        if (r->origin == BZL_ORIGIN_NONE) {
            *st = bzl_storage_balance_get(txn, book_no, BZL_KIND_MATERIAL, r->item_no, &bal);
            *st = *st == BZL_NOT_FOUND ? BZL_OK : *st;
        }
        if (*st == BZL_OK) {
            bad += material_rows(t, book_no, rows, n, r, bal.qty_e5);
        }
        if (*st == BZL_OK && r->origin != BZL_ORIGIN_NONE &&
            r->totals.moves_e5[BZL_RM_PARTS_GENERATED] > consumed_of(rows, n, r->item_no)) {
            bad++; /* more parts than were replaced: bzl_wo_lines_check refuses it */
        }
    }
    if (*st == BZL_OK) {
        bad += goods_total_rows(t, txn, book_no, rows, n, st);
    }
    free(rows);
    if (*st != BZL_OK) {
        bzl_fault_set(fault, *st, 0, "book", "reading the repair accounts of %s failed: %s",
                      book_no, bzl_status_text(*st));
        return true;
    }
    bzld_table_note(t,
                    "repair book %s: the accounts of next-wave.md C.2 per item and origin, "
                    "and the equations of C.3 (holds: yes when the account's equation holds)",
                    book_no);
    bzld_table_note(t, "domestic sale of old parts, repair scrap or goods: refused on a repair "
                       "book, so 0 [G2023-105]; every work order holds exactly one unit awaiting "
                       "repair; a return goes back to the goods' origin [2015年第59号]");
    bzld_table_note(t, "%u account%s not holding", (unsigned)bad, bad == 1 ? "" : "s");
    return true;
}
