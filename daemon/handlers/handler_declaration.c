/* handler_declaration.c — declarations: submit and batch submit (conversion: wire.c). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* ---- the write job -------------------------------------------------------------------------- */

typedef struct submit_work {
    uint32_t count;
    bool batch;  /* reply as a BatchResult */
    bool atomic; /* all or nothing (SubmitBatch.atomic): one refusal and none commits */
    bzl_actor actor;
    bzld_principal principal; /* re-checked on the writer thread (access.h bzld_access_book) */
    bzl_declaration *decls;
    bool *valid; /* passed conversion; the others already carry their refusal */
    bzl_submit_result *results;
    bzl_decl_line *lines;
    bzl_lot_ref *lots; /* the lots the lines name (SPECIFIC lots) */
    uint8_t *list_bytes; /* the declarations' 核注清单 fields (list_fields.h), one after another */
    size_t list_cap;
} submit_work;

/* The work and its arrays are one allocation (submit_work_new). */
static void
submit_work_free(submit_work *w)
{
    free(w);
}

/* Applies every valid declaration of w into txn; *refused counts the refusals. Returns
 * BZL_OK, or the status that aborts the writer's whole transaction. */
static bzl_status
submit_apply_each(submit_work *w, bzl_txn *txn, uint32_t *refused)
{
    for (uint32_t i = 0; i < w->count; i++) {
        if (!w->valid[i]) {
            continue;
        }
        /* The owner may have changed since the access check (an OpenBook in this very group
         * commit): checked again where it cannot change. */
        bzl_fault fault = {0};
        bzl_status st = bzld_access_decl(&w->principal, txn, w->decls[i].enterprise,
                                         w->decls[i].book_no, &fault);
        if (st == BZL_NOT_FOUND) {
            w->results[i].status = st;
            w->results[i].fault = fault;
            *refused += 1;
            continue;
        }
        st = st == BZL_OK ? bzl_storage_submit(txn, &w->decls[i], &w->actor, &w->results[i]) : st;
        if (st != BZL_OK) {
            /* The result is meaningless then: the declaration is refused with st alone, or
             * the batch aborts. */
            memset(&w->results[i], 0, sizeof w->results[i]);
        }
        st = bzld_apply_outcome(st, &w->results[i].status, &w->results[i].fault);
        if (st != BZL_OK) {
            return st;
        }
        *refused += w->results[i].status != BZL_OK;
    }
    return BZL_OK;
}

/* Marks every declaration of an atomic batch that was not refused itself as not committed,
 * naming the first refusal (its 1-based place in the batch), so each result says why. */
static void
atomic_abort_results(submit_work *w)
{
    uint32_t first = 0;
    for (uint32_t i = 0; i < w->count && first == 0; i++) {
        first = w->results[i].status != BZL_OK ? i + 1 : 0;
    }
    BZL_ASSERT(first > 0);
    for (uint32_t i = 0; i < w->count; i++) {
        if (w->results[i].status != BZL_OK) {
            continue;
        }
        memset(&w->results[i], 0, sizeof w->results[i]);
        w->results[i].status = BZL_ABORTED;
        snprintf(w->results[i].fault.message, sizeof w->results[i].fault.message,
                 "not committed: the batch is all-or-nothing and its declaration %u was refused",
                 first);
    }
}

/* An atomic batch runs in a transaction nested in the writer's: its declarations see one
 * another (a later one may draw on an earlier one's inflow), and one refusal aborts the
 * nested transaction, leaving the other clients' writes in the group commit untouched. */
static bzl_status
submit_apply(bzld_job *job, bzl_txn *txn)
{
    submit_work *w = bzld_slot_of_job(job)->work;
    uint32_t refused = 0;
    bzl_txn *child = NULL;
    bzl_status st = BZL_OK;
    if (!w->atomic) {
        return submit_apply_each(w, txn, &refused);
    }
    st = bzl_txn_begin(bzl_txn_storage(txn), txn, true, &child);
    if (st != BZL_OK) {
        return st;
    }
    st = submit_apply_each(w, child, &refused);
    if (st == BZL_OK && refused == 0) {
        return bzl_txn_commit(child);
    }
    bzl_txn_abort(child);
    if (st == BZL_OK) {
        atomic_abort_results(w);
    }
    return st;
}

static void
result_to_pb(const submit_work *w, uint32_t i, Bzl__V1__SubmitResult *out, Bzl__V1__Fault *fault,
             char *available, size_t available_cap)
{
    const bzl_submit_result *r = &w->results[i];
    bzl__v1__submit_result__init(out);
    out->status = (Bzl__V1__Status)r->status;
    out->seq = r->seq;
    out->replayed = r->replayed;
    out->id = (char *)w->decls[i].id;
    if (r->status != BZL_OK) {
        out->message = (char *)r->fault.message;
        bzld_fault_to_pb(&r->fault, fault, available, available_cap);
        out->fault = fault;
    }
}

static void
reply_single(bzld_slot *slot, submit_work *w)
{
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    Bzl__V1__SubmitResult result;
    Bzl__V1__Fault fault;
    char available[BZL_DEC_TEXT_BYTES];
    result_to_pb(w, 0, &result, &fault, available, sizeof available);
    resp.status = result.status;
    resp.message = result.message;
    resp.fault = result.fault;
    resp.result_case = BZL__V1__RESPONSE__RESULT_SUBMIT;
    resp.submit = &result;
    bzld_slot_reply(slot, &resp);
}

/* One result of a batch reply: its message, fault and available-quantity text. */
typedef struct batch_cell {
    Bzl__V1__SubmitResult result;
    Bzl__V1__Fault fault;
    char available[BZL_DEC_TEXT_BYTES];
} batch_cell;

static void
reply_batch(bzld_slot *slot, submit_work *w)
{
    batch_cell *cells = calloc(w->count, sizeof *cells);
    Bzl__V1__SubmitResult **ptrs = calloc(w->count, sizeof *ptrs);
    if (cells == NULL || ptrs == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the batch reply");
        goto done;
    }
    for (uint32_t i = 0; i < w->count; i++) {
        result_to_pb(w, i, &cells[i].result, &cells[i].fault, cells[i].available,
                     sizeof cells[i].available);
        ptrs[i] = &cells[i].result;
    }
    Bzl__V1__BatchResult batch = BZL__V1__BATCH_RESULT__INIT;
    batch.n_results = w->count;
    batch.results = ptrs;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_BATCH;
    resp.batch = &batch;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(cells);
}

static void
submit_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    submit_work *w = slot->work;
    slot->work = NULL;
    for (uint32_t i = 0; batch_status != BZL_OK && i < w->count; i++) {
        if (w->valid[i]) {
            /* Nothing of the batch was committed: every declaration in it failed alike. */
            memset(&w->results[i], 0, sizeof w->results[i]);
            w->results[i].status = batch_status;
            snprintf(w->results[i].fault.message, sizeof w->results[i].fault.message,
                     "the ledger could not commit: %s", bzl_status_text(batch_status));
        }
    }
    if (w->batch) {
        reply_batch(slot, w);
    } else {
        reply_single(slot, w);
    }
    submit_work_free(w);
}

/* Rounds n up to a multiple of the strictest alignment, so the next array starts aligned. */
static size_t
aligned(size_t n)
{
    const size_t a = _Alignof(max_align_t);
    return (n + a - 1) / a * a;
}

/* Allocates the work for `count` declarations holding `lines_total` lines, naming
 * `lots_total` lots and carrying `list_bytes` of 核注清单 fields: the struct and its six arrays
 * in one zeroed block, one allocation per request. All three are bounded by the frame size, so
 * the sum cannot overflow. */
static submit_work *
submit_work_new(uint32_t count, size_t lines_total, size_t lots_total, size_t list_bytes)
{
    size_t at_decls = aligned(sizeof(submit_work));
    size_t at_valid = at_decls + aligned(count * sizeof(bzl_declaration));
    size_t at_results = at_valid + aligned(count * sizeof(bool));
    size_t at_lines = at_results + aligned(count * sizeof(bzl_submit_result));
    size_t at_lots =
        at_lines + aligned((lines_total == 0 ? 1 : lines_total) * sizeof(bzl_decl_line));
    size_t at_list = at_lots + aligned((lots_total == 0 ? 1 : lots_total) * sizeof(bzl_lot_ref));
    size_t total = at_list + list_bytes;
    uint8_t *block = calloc(1, total);
    if (block == NULL) {
        return NULL;
    }
    submit_work *w = (submit_work *)block;
    w->count = count;
    w->decls = (bzl_declaration *)(block + at_decls);
    w->valid = (bool *)(block + at_valid);
    w->results = (bzl_submit_result *)(block + at_results);
    w->lines = (bzl_decl_line *)(block + at_lines);
    w->lots = (bzl_lot_ref *)(block + at_lots);
    w->list_bytes = block + at_list;
    w->list_cap = list_bytes;
    return w;
}

static void
submit_start(bzld_slot *slot, Bzl__V1__Declaration *const *pbs, size_t count, bool batch,
             bool atomic)
{
    bzld *d = bzld_of_slot(slot);
    size_t lines_total = 0;
    size_t lots_total = 0;
    size_t list_total = 0;
    for (size_t i = 0; i < count; i++) {
        /* Bound each before summing, so the allocation is bounded by count × lines_max. */
        size_t n = pbs[i] == NULL ? 0 : pbs[i]->n_lines;
        lines_total += n > d->cfg.decl_lines_max ? 0 : n;
        size_t lots = bzld_wire_lot_count(pbs[i]);
        lots_total += lots > BZL_DECL_LOTS_MAX ? 0 : lots;
        /* Text the frame carried, so bounded by the frame cap. */
        list_total += bzld_wire_list_bytes(pbs[i], d->cfg.decl_lines_max);
    }
    submit_work *w = submit_work_new((uint32_t)count, lines_total, lots_total, list_total);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory for %zu declarations", count);
        return;
    }
    w->batch = batch;
    w->atomic = atomic;
    bzl_decl_line *lines = w->lines;
    bzl_lot_ref *lots = w->lots;
    uint8_t *list_at = w->list_bytes;
    uint32_t valid = 0;
    /* An enterprise principal submits only for its own enterprises and books: submit_apply
     * checks each declaration's owner once, on the writer thread where it cannot change, and
     * refuses another's exactly as a book that does not exist (access.c). */
    const bzld_principal *p = bzld_principal_of_slot(slot);
    for (size_t i = 0; i < count; i++) {
        bzl_submit_result *r = &w->results[i];
        r->status = bzld_wire_declaration(pbs[i], d->cfg.decl_lines_max, &w->decls[i], lines, lots,
                                          &r->fault);
        if (r->status == BZL_OK) {
            size_t cap = bzld_wire_list_bytes(pbs[i], d->cfg.decl_lines_max);
            r->status = bzld_wire_list_fields(pbs[i], list_at, cap, &w->decls[i], &r->fault);
            list_at += r->status == BZL_OK ? cap : 0;
        }
        w->valid[i] = r->status == BZL_OK;
        valid += w->valid[i];
        lines += w->valid[i] ? w->decls[i].line_count : 0;
        lots += w->valid[i] ? w->decls[i].lot_count : 0;
    }
    if (atomic && valid > 0 && valid < count) {
        /* A declaration refused on conversion already decides an all-or-nothing batch. */
        atomic_abort_results(w);
        valid = 0;
    }
    if (valid == 0) {
        /* Nothing to write: reply at once, still in request order. */
        if (batch) {
            reply_batch(slot, w);
        } else {
            reply_single(slot, w);
        }
        submit_work_free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *p;
    if (bzld_slot_push_write(slot, w, valid, submit_apply, submit_reply) != BZL_OK) {
        submit_work_free(w);
    }
}

void
bzld_handle_submit(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SUBMIT);
    Bzl__V1__Declaration *pb = slot->req->submit->declaration;
    submit_start(slot, &pb, 1, false, false);
}

void
bzld_handle_submit_batch(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, SUBMIT_BATCH);
    const Bzl__V1__SubmitBatch *req = slot->req->submit_batch;
    bzld *d = bzld_of_slot(slot);
    if (req->n_declarations == 0) {
        bzld_slot_reply_status(slot, BZL_INVALID_ARGUMENT, "the batch holds no declarations");
        return;
    }
    if (req->n_declarations > d->cfg.batch_decls_max) {
        bzld_slot_reply_status(slot, BZL_LIMIT_EXCEEDED,
                               "the batch holds %zu declarations; the limit is %u",
                               req->n_declarations, d->cfg.batch_decls_max);
        return;
    }
    submit_start(slot, req->declarations, req->n_declarations, true, req->atomic);
}
