/* handler_list.c — 核注清单 (INV101) changes (proto range 130-134): a pending or draft
 * declaration replaced by a new version (bzl_storage_replace). Conversion: wire.c and
 * wire_list.c, as for a submission. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* The write job: one declaration, its lines and list-field bytes after it in one block. */
typedef struct replace_work {
    bzl_actor actor;
    bzld_principal principal; /* re-checked on the writer thread (bzld_access_decl) */
    bzl_declaration decl;
    char reason[BZL_TEXT_BYTES_MAX + 1];
    bzl_submit_result result;
    bzl_decl_line *lines;
    uint8_t *list_bytes;
} replace_work;

static bzl_status
replace_apply(bzld_job *job, bzl_txn *txn)
{
    replace_work *w = bzld_slot_of_job(job)->work;
    bzl_fault fault = {0};
    bzl_status st =
        bzld_access_decl(&w->principal, txn, w->decl.enterprise, w->decl.book_no, &fault);
    if (st == BZL_NOT_FOUND) {
        w->result.status = st;
        w->result.fault = fault;
        return BZL_OK;
    }
    st = st == BZL_OK ? bzl_storage_replace(txn, &w->decl, w->reason, &w->actor, &w->result) : st;
    if (st != BZL_OK) {
        memset(&w->result, 0, sizeof w->result);
    }
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static void
replace_reply_now(bzld_slot *slot, replace_work *w)
{
    const bzl_submit_result *r = &w->result;
    Bzl__V1__SubmitResult result = BZL__V1__SUBMIT_RESULT__INIT;
    Bzl__V1__Fault fault;
    char available[BZL_DEC_TEXT_BYTES];
    result.status = (Bzl__V1__Status)r->status;
    result.seq = r->seq;
    result.replayed = r->replayed;
    result.id = w->decl.id;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    if (r->status != BZL_OK) {
        result.message = (char *)r->fault.message;
        bzld_fault_to_pb(&r->fault, &fault, available, sizeof available);
        result.fault = &fault;
        resp.message = result.message;
        resp.fault = result.fault;
    }
    resp.status = result.status;
    resp.result_case = BZL__V1__RESPONSE__RESULT_SUBMIT;
    resp.submit = &result;
    bzld_slot_reply(slot, &resp);
}

static void
replace_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    replace_work *w = slot->work;
    slot->work = NULL;
    if (batch_status != BZL_OK) {
        memset(&w->result, 0, sizeof w->result);
        w->result.status = batch_status;
        snprintf(w->result.fault.message, sizeof w->result.fault.message,
                 "the ledger could not commit: %s", bzl_status_text(batch_status));
    }
    replace_reply_now(slot, w);
    free(w);
}

void
bzld_handle_replace_declaration(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, REPLACE_DECLARATION);
    const Bzl__V1__ReplaceDeclaration *req = slot->req->replace_declaration;
    bzld *d = bzld_of_slot(slot);
    uint32_t lines_max = d->cfg.decl_lines_max;
    size_t n = req->declaration != NULL && req->declaration->n_lines <= lines_max
                   ? req->declaration->n_lines
                   : 0;
    size_t lots = bzld_wire_lot_count(req->declaration);
    lots = lots > BZL_DECL_LOTS_MAX ? 0 : lots; /* refused by bzld_wire_declaration */
    size_t list = bzld_wire_list_bytes(req->declaration, lines_max);
    /* Bounded by the frame that carried them. The lots follow the lines aligned (wire.h). */
    replace_work *w = calloc(1, sizeof *w + (n > 0 ? n : 1) * sizeof(bzl_decl_line) +
                                    (lots > 0 ? lots : 1) * sizeof(bzl_lot_ref) + list);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory for the declaration");
        return;
    }
    w->lines = (bzl_decl_line *)(w + 1);
    bzl_lot_ref *lot_refs = (bzl_lot_ref *)(w->lines + (n > 0 ? n : 1));
    w->list_bytes = (uint8_t *)(lot_refs + (lots > 0 ? lots : 1));
    bzl_submit_result *r = &w->result;
    r->status =
        bzld_wire_declaration(req->declaration, lines_max, &w->decl, w->lines, lot_refs, &r->fault);
    if (r->status == BZL_OK) {
        r->status =
            bzld_wire_list_fields(req->declaration, w->list_bytes, list, &w->decl, &r->fault);
    }
    if (r->status == BZL_OK) {
        r->status = bzld_copy_text(req->reason, 1, BZL_TEXT_BYTES_MAX, w->reason, sizeof w->reason,
                                   "reason", &r->fault);
    }
    if (r->status != BZL_OK) {
        replace_reply_now(slot, w);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *bzld_principal_of_slot(slot);
    if (bzld_slot_push_write(slot, w, 1, replace_apply, replace_reply) != BZL_OK) {
        free(w);
    }
}
