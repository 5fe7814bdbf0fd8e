/* handler_ledger.c — the bonded ledger's requests: norms, business-mode events, post, void,
 * reject, reverse, period close (writes), and norms, history and scrap allowances (reads; one
 * declaration and the unmatched transfers are handler_ledger_read.c's). */
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

typedef char dec_text[BZL_DEC_TEXT_BYTES];

/* ---- writes ------------------------------------------------------------------------------- */

typedef enum { LW_NORM, LW_MODE, LW_POST, LW_VOID, LW_REJECT, LW_REVERSE, LW_PERIOD } ledger_op;

typedef struct ledger_work {
    ledger_op op;
    bzl_actor actor;
    bzl_norm norm;
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char reason[BZL_TEXT_BYTES_MAX + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t item_no;
    uint8_t mode;
    int32_t date;
    bzl_action_result result;
    bzl_mode_event events[64];
    size_t event_count;
} ledger_work;

static bzl_status
ledger_apply(bzld_job *job, bzl_txn *txn)
{
    ledger_work *w = bzld_slot_of_job(job)->work;
    bzl_status st = BZL_OK;
    switch (w->op) {
    case LW_NORM:
        st = bzl_storage_norm_set(txn, &w->norm, &w->actor, &w->result);
        break;
    case LW_MODE:
        st = bzl_storage_item_mode_set(txn, w->book_no, w->item_no, w->mode, w->date, &w->actor,
                                       &w->result);
        if (st == BZL_OK && w->result.status == BZL_OK) {
            st = bzl_storage_item_modes(txn, w->book_no, w->item_no, w->events,
                                        BZL_ARRAY_LEN(w->events), &w->event_count);
        }
        break;
    case LW_POST:
        st = bzl_storage_post(txn, w->enterprise, w->id, &w->actor, &w->result);
        break;
    case LW_VOID:
    case LW_REJECT:
        st = bzl_storage_void(txn, w->enterprise, w->id, w->op == LW_REJECT, w->reason, &w->actor,
                              &w->result);
        break;
    case LW_REVERSE:
        st = bzl_storage_reverse(txn, w->enterprise, w->id, w->reason, &w->actor, &w->result);
        break;
    case LW_PERIOD:
        /* With verification's carry-forward: closing balances open the next period. */
        st = bzl_query_period_close(txn, w->book_no, w->date, &w->actor, &w->result);
        break;
    }
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static void
ledger_reply_ok(bzld_slot *slot, ledger_work *w)
{
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    Bzl__V1__ActionResult ar = BZL__V1__ACTION_RESULT__INIT;
    Bzl__V1__Norm norm;
    bzld_norm_text txt;
    Bzl__V1__ModeEvent events[BZL_ARRAY_LEN(w->events)];
    Bzl__V1__ModeEvent *event_ptrs[BZL_ARRAY_LEN(w->events)];
    char dates[BZL_ARRAY_LEN(w->events)][16];
    ar.seq = w->result.seq;
    ar.replayed = w->result.replayed;
    ar.state = (char *)(w->result.state != 0 ? bzl_decl_state_name(w->result.state) : "");
    if (w->op == LW_NORM) {
        bzld_norm_to_pb(&w->norm, &norm, &txt);
        ar.norm = &norm;
    }
    for (size_t i = 0; i < w->event_count; i++) {
        bzl__v1__mode_event__init(&events[i]);
        bzl_date_format(w->events[i].from, dates[i], sizeof dates[i]);
        events[i].from = dates[i];
        events[i].mode = (Bzl__V1__BizMode)w->events[i].mode;
        event_ptrs[i] = &events[i];
    }
    ar.n_mode_events = w->event_count;
    ar.mode_events = event_ptrs;
    resp.result_case = BZL__V1__RESPONSE__RESULT_ACTION;
    resp.action = &ar;
    bzld_slot_reply(slot, &resp);
}

static void
ledger_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    ledger_work *w = slot->work;
    slot->work = NULL;
    if (!bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault)) {
        ledger_reply_ok(slot, w);
    }
    free(w);
}

/* Queues w, or replies with its conversion fault. */
static void
ledger_start(bzld_slot *slot, ledger_work *w, bzl_status st, const bzl_fault *fault)
{
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, fault);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    if (bzld_slot_push_write(slot, w, 1, ledger_apply, ledger_reply) != BZL_OK) {
        free(w);
    }
}

static ledger_work *
ledger_work_new(bzld_slot *slot, ledger_op op)
{
    ledger_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return NULL;
    }
    w->op = op;
    return w;
}

void
bzld_handle_set_norm(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_NORM);
    ledger_work *w = ledger_work_new(slot, LW_NORM);
    bzl_fault fault = {0};
    if (w != NULL) {
        bzl_status st = bzld_wire_norm(slot->req->set_norm->norm, &w->norm, &fault);
        ledger_start(slot, w, st, &fault);
    }
}

void
bzld_handle_set_item_mode(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SET_ITEM_MODE);
    const Bzl__V1__SetItemMode *req = slot->req->set_item_mode;
    ledger_work *w = ledger_work_new(slot, LW_MODE);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_item_mode(req, w->book_no, &w->date, &w->mode, &fault);
    w->item_no = req->item;
    ledger_start(slot, w, st, &fault);
}

/* post, void, reject, reverse: enterprise, id and (for reject and reverse) a reason. */
static void
declaration_action(bzld_slot *slot, const Bzl__V1__DeclarationRef *ref, ledger_op op)
{
    ledger_work *w = ledger_work_new(slot, op);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    size_t reason_min = op == LW_REVERSE || op == LW_REJECT ? 1 : 0;
    bzld_decl_ref parsed;
    bzl_status st = bzld_wire_decl_ref(ref, reason_min, &parsed, &fault);
    memcpy(w->enterprise, parsed.enterprise, sizeof w->enterprise);
    memcpy(w->id, parsed.id, sizeof w->id);
    memcpy(w->reason, parsed.reason, sizeof w->reason);
    ledger_start(slot, w, st, &fault);
}

void
bzld_handle_post(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, POST_DECLARATION);
    declaration_action(slot, slot->req->post_declaration, LW_POST);
}

void
bzld_handle_void(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, VOID_DECLARATION);
    declaration_action(slot, slot->req->void_declaration, LW_VOID);
}

void
bzld_handle_reject(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, REJECT_DECLARATION);
    declaration_action(slot, slot->req->reject_declaration, LW_REJECT);
}

void
bzld_handle_reverse(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, REVERSE_DECLARATION);
    declaration_action(slot, slot->req->reverse_declaration, LW_REVERSE);
}

/* Today in the daemon's local calendar (the zone's: a period closes at the end of its day). */
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

void
bzld_handle_close_period(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, CLOSE_PERIOD);
    const Bzl__V1__ClosePeriod *req = slot->req->close_period;
    ledger_work *w = ledger_work_new(slot, LW_PERIOD);
    bzl_fault fault = {0};
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_close_period(req, w->book_no, &w->date, &fault);
    int32_t today = today_local();
    if (st == BZL_OK && w->date > today && !req->force) {
        /* Closing is for good: a typo such as 2099 would freeze the book. */
        char through[16];
        char now[16];
        bzl_date_format(w->date, through, sizeof through);
        bzl_date_format(today, now, sizeof now);
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "through",
                           "through %s is after today (%s); a closed period never reopens: "
                           "pass force to close one that has not ended",
                           through, now);
    }
    ledger_start(slot, w, st, &fault);
}

/* ---- reads -------------------------------------------------------------------------------- */

/* A read of the book or the item (what) failed; the reads here word a missing one without
 * naming it ("the book does not exist"), as requests.c's not-found faults for them do. */
static void
reply_read_failure(bzld_slot *slot, bzl_status st, const char *what)
{
    if (st == BZL_NOT_FOUND) {
        bzl_fault fault = {0};
        char the[16];
        snprintf(the, sizeof the, "the %s", what);
        (void)bzl_fault_missing(&fault, what, the, NULL);
        bzld_slot_reply_status(slot, st, "%s", fault.message);
    } else {
        bzld_slot_reply_status(slot, st, "reading the %s failed: %s", what, bzl_status_text(st));
    }
}

void
bzld_handle_list_norms(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_NORMS);
    const Bzl__V1__ListNorms *req = slot->req->list_norms;
    bzl_fault fault = {0};
    uint32_t skip = 0;
    bzl_status st = bzld_wire_list_norms(req, &skip, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_norm *rows = calloc(cap, sizeof *rows);
    Bzl__V1__Norm *pb = calloc(cap, sizeof *pb);
    Bzl__V1__Norm **ptrs = calloc(cap, sizeof *ptrs);
    bzld_norm_text *txt = calloc(cap, sizeof *txt);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs && txt ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_norm_list(txn, req->book, req->product, skip, rows, cap, &count, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        reply_read_failure(slot, st, "book");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        bzld_norm_to_pb(&rows[i], &pb[i], &txt[i]);
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_NORMS, more, (uint64_t)skip + count, token);
    Bzl__V1__NormList list = BZL__V1__NORM_LIST__INIT;
    list.n_norms = count;
    list.norms = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_NORMS;
    resp.norms = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
    free(rows);
}

typedef struct history_text {
    char date[16];
    dec_text qty, pin, pout, bal;
} history_text;

static void
history_reply(bzld_slot *slot, const bzl_history_row *rows, size_t count, bool more)
{
    Bzl__V1__HistoryLine *pb = calloc(count == 0 ? 1 : count, sizeof *pb);
    Bzl__V1__HistoryLine **ptrs = calloc(count == 0 ? 1 : count, sizeof *ptrs);
    history_text *txt = calloc(count == 0 ? 1 : count, sizeof *txt);
    if (pb == NULL || ptrs == NULL || txt == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the history");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const bzl_history_row *r = &rows[i];
        bzl__v1__history_line__init(&pb[i]);
        pb[i].seq = r->seq;
        bzl_date_format(r->date, txt[i].date, sizeof txt[i].date);
        bzl_dec_format(r->qty_e5, BZL_SCALE_QTY, txt[i].qty, sizeof txt[i].qty);
        bzl_dec_format(r->pending_in_e5, BZL_SCALE_QTY, txt[i].pin, sizeof txt[i].pin);
        bzl_dec_format(r->pending_out_e5, BZL_SCALE_QTY, txt[i].pout, sizeof txt[i].pout);
        bzl_dec_format(r->running_e5, BZL_SCALE_QTY, txt[i].bal, sizeof txt[i].bal);
        pb[i].date = txt[i].date;
        pb[i].id = (char *)r->id;
        pb[i].flow = (char *)bzl_flow_name((bzl_flow)r->flow);
        pb[i].entry = (Bzl__V1__EntryType)r->entry_type;
        pb[i].qty = txt[i].qty;
        pb[i].pending_in = txt[i].pin;
        pb[i].pending_out = txt[i].pout;
        pb[i].balance = txt[i].bal;
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_HISTORY, more && count > 0,
                               count > 0 ? rows[count - 1].seq : 0, token);
    Bzl__V1__History h = BZL__V1__HISTORY__INIT;
    h.n_lines = count;
    h.lines = ptrs;
    h.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_HISTORY;
    resp.history = &h;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
}

void
bzld_handle_history(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, HISTORY);
    const Bzl__V1__QueryHistory *req = slot->req->history;
    bzl_fault fault = {0};
    char book[BZL_BOOK_NO_LEN + 1];
    int32_t from = 0;
    int32_t to = 0;
    uint64_t after_seq = 0;
    bzl_status st = bzld_wire_history(req, book, &from, &to, &after_seq, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_history_row *rows = calloc(cap, sizeof *rows);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_history(txn, book, (bzl_kind)req->kind, req->item, from, to, after_seq,
                                 rows, cap, &count, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        reply_read_failure(slot, st, "item");
    } else {
        history_reply(slot, rows, count, more);
    }
    free(rows);
}

void
bzld_handle_scrap(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SCRAP);
    const Bzl__V1__QueryScrap *req = slot->req->scrap;
    bzl_fault fault = {0};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t after_item = 0;
    bzl_status st = bzld_wire_scrap(req, book, &after_item, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_scrap_row *rows = calloc(cap, sizeof *rows);
    Bzl__V1__ScrapRow *pb = calloc(cap, sizeof *pb);
    Bzl__V1__ScrapRow **ptrs = calloc(cap, sizeof *ptrs);
    dec_text(*txt)[3] = calloc(cap, sizeof *txt);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs && txt ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_scrap_list(txn, book, req->item, after_item, rows, cap, &count, &more);
    }
    /* One material asked for and no row: an item that does not exist is NOT_FOUND, not an
     * empty table; one that exists has simply generated no allowance yet. */
    bool item_missing = false;
    if (st == BZL_OK && req->item != 0 && count == 0) {
        bzl_item it;
        bzl_status got = bzl_storage_item_get(txn, book, BZL_KIND_MATERIAL, req->item, &it);
        item_missing = got == BZL_NOT_FOUND;
        st = got == BZL_NOT_FOUND ? BZL_OK : got;
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    if (st == BZL_OK && item_missing) {
        reply_read_failure(slot, BZL_NOT_FOUND, "item");
        goto done;
    }
    if (st != BZL_OK) {
        reply_read_failure(slot, st, "book");
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const bzl_scrap *s = &rows[i].scrap;
        bzl__v1__scrap_row__init(&pb[i]);
        pb[i].item = rows[i].item_no;
        bzl_dec_format(s->generated_e5, BZL_SCALE_QTY, txt[i][0], sizeof txt[i][0]);
        bzl_dec_format(s->used_e5, BZL_SCALE_QTY, txt[i][1], sizeof txt[i][1]);
        bzl_dec_format(s->generated_e5 - s->used_e5, BZL_SCALE_QTY, txt[i][2], sizeof txt[i][2]);
        pb[i].generated = txt[i][0];
        pb[i].used = txt[i][1];
        pb[i].remaining = txt[i][2];
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_SCRAP, more && count > 0,
                               count > 0 ? rows[count - 1].item_no : 0, token);
    Bzl__V1__ScrapList list = BZL__V1__SCRAP_LIST__INIT;
    list.n_rows = count;
    list.rows = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_SCRAP;
    resp.scrap = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
    free(rows);
}
