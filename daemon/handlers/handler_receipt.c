/* handler_receipt.c — customs receipts over the wire (docs/INV101.md "Receipts"): applying one
 * receipt to a list (a write) and the INV211 reconciliation (a read). The machine and what is
 * stored are storage_receipt.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "bzl/storage_receipt.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* ---- apply --------------------------------------------------------------------------------- */

typedef struct receipt_work {
    bzl_receipt r;
    bzl_actor actor;
    bzl_receipt_field *fields; /* strings point into arena */
    char *arena;
    bzl_receipt_result result;
} receipt_work;

static void
receipt_work_free(receipt_work *w)
{
    if (w != NULL) {
        free(w->fields);
        free(w->arena);
        free(w);
    }
}

/* An element name: letters, digits and underscores, as the messages spell them. */
static bool
name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > BZL_RECEIPT_NAME_BYTES_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

/* The request into w->r, every field checked and copied. */
static bzl_status
receipt_from_wire(const Bzl__V1__ApplyReceipt *pb, receipt_work *w, bzl_fault *fault)
{
    bzl_receipt *r = &w->r;
    /* The enterprise may be left out only when the SeqNo names the list (an INV202). */
    bool bare = pb->enterprise[0] == '\0' && pb->seq_no[0] != '\0';
    if (!bare && (strlen(pb->enterprise) != BZL_ENTERPRISE_CODE_LEN ||
                  bzl_code_check_enterprise(pb->enterprise, strlen(pb->enterprise)) != BZL_OK)) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "enterprise",
                             "enterprise code \"%.20s\" is not valid", pb->enterprise);
    }
    memcpy(r->enterprise, pb->enterprise, BZL_ENTERPRISE_CODE_LEN + 1);
    bzl_status st =
        bzld_copy_text(pb->id, 0, BZL_DECL_ID_BYTES_MAX, r->id, sizeof r->id, "id", fault);
    st = st == BZL_OK ? bzld_copy_text(pb->seq_no, 0, BZL_RECEIPT_SEQ_NO_BYTES_MAX, r->seq_no,
                                       sizeof r->seq_no, "seq_no", fault)
                      : st;
    st = st == BZL_OK ? bzld_copy_text(pb->code, 0, BZL_RECEIPT_CODE_BYTES_MAX, r->code,
                                       sizeof r->code, "code", fault)
                      : st;
    if (st != BZL_OK) {
        return st;
    }
    if (r->id[0] == '\0' && r->seq_no[0] == '\0') {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "id",
                             "a receipt names its list by id (EtpsInnerInvtNo) or seq_no (SeqNo)");
    }
    if (pb->message < BZL__V1__RECEIPT_MESSAGE__RECEIPT_MESSAGE_IMPORT ||
        pb->message > BZL__V1__RECEIPT_MESSAGE__RECEIPT_MESSAGE_INV211) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "message",
                             "message %d is not IMPORT, INV201, INV202 or INV211",
                             (int)pb->message);
    }
    r->message = (uint8_t)pb->message;
    if (pb->n_fields > BZL_RECEIPT_FIELDS_MAX) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "fields",
                             "%zu back-filled values; a receipt carries at most %u", pb->n_fields,
                             (unsigned)BZL_RECEIPT_FIELDS_MAX);
    }
    size_t bytes = 1;
    for (size_t i = 0; i < pb->n_fields; i++) {
        const Bzl__V1__ReceiptField *f = pb->fields[i];
        if (f->group > 2) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, (uint32_t)i + 1, "fields",
                                 "value %zu: group %u is not 0 (list), 1 (list line) or 2 (book "
                                 "line)",
                                 i + 1, (unsigned)f->group);
        }
        if (!name_ok(f->name)) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, (uint32_t)i + 1, "fields",
                                 "value %zu: name \"%.40s\" is not an element name (1 to %u "
                                 "letters, digits or _)",
                                 i + 1, f->name, (unsigned)BZL_RECEIPT_NAME_BYTES_MAX);
        }
        char what[96];
        snprintf(what, sizeof what, "fields[%zu] %s", i + 1, f->name);
        st =
            bzl_text_check(f->value, strlen(f->value), 0, BZL_RECEIPT_VALUE_BYTES_MAX, what, fault);
        if (st != BZL_OK) {
            return st;
        }
        bytes += strlen(f->name) + strlen(f->value) + 2u;
    }
    w->fields = calloc(pb->n_fields == 0 ? 1 : pb->n_fields, sizeof *w->fields);
    w->arena = malloc(bytes);
    if (w->fields == NULL || w->arena == NULL) {
        return bzl_fault_set(fault, BZL_NO_MEMORY, 0, "", "out of memory");
    }
    char *at = w->arena;
    for (size_t i = 0; i < pb->n_fields; i++) {
        const Bzl__V1__ReceiptField *f = pb->fields[i];
        size_t n = strlen(f->name) + 1;
        size_t v = strlen(f->value) + 1;
        memcpy(at, f->name, n);
        w->fields[i].name = at;
        at += n;
        memcpy(at, f->value, v);
        w->fields[i].value = at;
        at += v;
        w->fields[i].group = (uint8_t)f->group;
        w->fields[i].line = f->line;
    }
    r->field_count = (uint32_t)pb->n_fields;
    r->fields = w->fields;
    return BZL_OK;
}

static bzl_status
receipt_apply(bzld_job *job, bzl_txn *txn)
{
    receipt_work *w = bzld_slot_of_job(job)->work;
    bzl_status st = bzl_storage_receipt_apply(txn, &w->r, &w->actor, &w->result);
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static void
receipt_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    receipt_work *w = slot->work;
    slot->work = NULL;
    if (!bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault)) {
        Bzl__V1__ReceiptResult rr = BZL__V1__RECEIPT_RESULT__INIT;
        rr.enterprise = w->result.enterprise;
        rr.id = w->result.id;
        rr.previous = (char *)bzl_customs_state_name(w->result.previous);
        rr.state = (char *)bzl_customs_state_name(w->result.state);
        rr.ledger_state = (char *)bzl_decl_state_name(w->result.ledger_state);
        rr.replayed = w->result.replayed;
        rr.seq = w->result.seq;
        rr.ledger_seq = w->result.ledger_seq;
        Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
        resp.result_case = BZL__V1__RESPONSE__RESULT_RECEIPT;
        resp.receipt = &rr;
        bzld_slot_reply(slot, &resp);
    }
    receipt_work_free(w);
}

void
bzld_handle_apply_receipt(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, APPLY_RECEIPT);
    receipt_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    bzl_status st = receipt_from_wire(slot->req->apply_receipt, w, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        receipt_work_free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    if (bzld_slot_push_write(slot, w, 1, receipt_apply, receipt_reply) != BZL_OK) {
        receipt_work_free(w);
    }
}

/* ---- diff ---------------------------------------------------------------------------------- */

typedef char dec_text[BZL_DEC_TEXT_BYTES];

void
bzld_handle_receipt_diff(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, RECEIPT_DIFF);
    const Bzl__V1__ReceiptDiff *req = slot->req->receipt_diff;
    bzl_fault fault = {0};
    char book[BZL_BOOK_NO_LEN + 1] = "";
    uint64_t skip = 0;
    bzl_status st = req->book[0] != '\0' ? bzld_parse_book(req->book, book, &fault) : BZL_OK;
    st = st == BZL_OK ? bzld_page_token_number(req->page_token, BZLD_LIST_RECEIPT_DIFF, UINT32_MAX,
                                               &skip, &fault)
                      : st;
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_receipt_diff_row *rows = calloc(cap, sizeof *rows);
    Bzl__V1__ReceiptDiffRow *pb = calloc(cap, sizeof *pb);
    Bzl__V1__ReceiptDiffRow **ptrs = calloc(cap, sizeof *ptrs);
    dec_text(*txt)[3] = calloc(cap, sizeof *txt);
    size_t count = 0;
    uint32_t compared = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs && txt ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_receipt_diff(txn, book, bzld_of_slot(slot)->cfg.receipt_diff_figure,
                                      (uint32_t)skip, rows, cap, &count, &compared, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the receipts failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const bzl_receipt_diff_row *r = &rows[i];
        bzl__v1__receipt_diff_row__init(&pb[i]);
        pb[i].book = rows[i].book_no;
        pb[i].kind = (Bzl__V1__Kind)r->kind;
        pb[i].item = r->item_no;
        bzl_dec_format(r->bzl_e5, BZL_SCALE_QTY, txt[i][1], sizeof txt[i][1]);
        pb[i].bzl_qty = txt[i][1];
        if (r->readable) {
            bzl_dec_format(r->customs_e5, BZL_SCALE_QTY, txt[i][0], sizeof txt[i][0]);
            bzl_dec_format(r->customs_e5 - r->bzl_e5, BZL_SCALE_QTY, txt[i][2], sizeof txt[i][2]);
        }
        pb[i].customs_qty = txt[i][0];
        pb[i].difference = txt[i][2];
        pb[i].enterprise = rows[i].enterprise;
        pb[i].id = rows[i].id;
        pb[i].seq = r->seq;
        pb[i].note = rows[i].note;
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_RECEIPT_DIFF, more, skip + compared, token);
    Bzl__V1__ReceiptDiffList list = BZL__V1__RECEIPT_DIFF_LIST__INIT;
    list.n_rows = count;
    list.rows = ptrs;
    list.next_page_token = token;
    list.compared = compared;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_RECEIPT_DIFF;
    resp.receipt_diff = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
    free(rows);
}
