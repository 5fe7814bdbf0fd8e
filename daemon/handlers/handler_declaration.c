/* handler_declaration.c — declarations: wire → domain conversion, submit and batch submit. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "dispatch.h"

/* ---- conversion ----------------------------------------------------------------------------- */

/* Parses a decimal field; the fault names line and field and quotes the text. */
static bzl_status
decl_decimal(const char *text, bool optional, bool *present, uint32_t line, const char *field,
             int64_t *out, bzl_fault *fault)
{
    size_t len = strlen(text);
    if (present != NULL) {
        *present = len > 0;
    }
    if (len == 0 && optional) {
        *out = 0;
        return BZL_OK;
    }
    bzl_status st = bzl_dec_parse(text, len, BZL_SCALE_QTY, false, out);
    if (st == BZL_OK) {
        return BZL_OK;
    }
    const char *why = st == BZL_DECIMAL_SYNTAX
                          ? "is not a plain decimal (digits, one point, no exponent or separators)"
                          : "is out of range (at most 13 integer digits, 5 decimals, not negative)";
    return bzl_fault_set(fault, st, line, field, "line %u: %s \"%.40s\" %s", line, field, text,
                         why);
}

static bzl_status
line_from_pb(const Bzl__DeclarationLine *pb, uint32_t line, bzl_decl_line *out, bzl_fault *fault)
{
    memset(out, 0, sizeof *out);
    out->item_no = pb->item;
    bzl_status st = decl_decimal(pb->qty, false, NULL, line, "qty", &out->qty_e5, fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->unit, false, bzl_code_check_unit, out->unit, sizeof out->unit, line,
                            "unit", fault);
    }
    if (st == BZL_OK) {
        st = decl_decimal(pb->value, false, NULL, line, "value", &out->value_e5, fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->currency, false, bzl_code_check_currency, out->currency,
                            sizeof out->currency, line, "currency", fault);
    }
    if (st == BZL_OK) {
        st = decl_decimal(pb->usd, true, &out->has_usd, line, "usd", &out->usd_e5, fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->country, true, bzl_code_check_country, out->country,
                            sizeof out->country, line, "country", fault);
    }
    if (st == BZL_OK && strlen(pb->bom_version) > BZL_BOM_VERSION_BYTES_MAX) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "bom_version",
                           "line %u: bom_version is longer than %u bytes", line,
                           BZL_BOM_VERSION_BYTES_MAX);
    }
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->bom_version, 0, BZL_BOM_VERSION_BYTES_MAX, out->bom_version,
                            sizeof out->bom_version, "bom_version", fault);
    }
    if (st == BZL_OK &&
        (pb->mode < BZL__BIZ_MODE__BIZ_MODE_NONE || pb->mode > BZL__BIZ_MODE__BIZ_MODE_OBM)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "mode",
                           "line %u: mode %d is not OEM, ODM or OBM", line, (int)pb->mode);
    }
    out->biz_mode = (uint8_t)pb->mode;
    if (st != BZL_OK && fault->line == 0) {
        fault->line = line;
    }
    return st;
}

static bzl_status
header_from_pb(const Bzl__Declaration *pb, bzl_declaration *d, bzl_fault *fault)
{
    bzl_status st =
        bzld_copy_text(pb->id, 1, BZL_DECL_ID_BYTES_MAX, d->id, sizeof d->id, "id", fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->enterprise, false, bzl_code_check_enterprise, d->enterprise,
                            sizeof d->enterprise, 0, "enterprise", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->book, false, bzld_check_book_no, d->book_no, sizeof d->book_no, 0,
                            "book", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->trade_mode, false, bzl_code_check_trade_mode, d->trade_mode,
                            sizeof d->trade_mode, 0, "trade_mode", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->related_book, true, bzld_check_book_no, d->related_book,
                            sizeof d->related_book, 0, "related_book", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->related_id, 0, BZL_DECL_ID_BYTES_MAX, d->related_id,
                            sizeof d->related_id, "related_id", fault);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (pb->kind != BZL__KIND__KIND_MATERIAL && pb->kind != BZL__KIND__KIND_PRODUCT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                             "kind %d is neither material nor product", (int)pb->kind);
    }
    if (pb->direction != BZL__DIRECTION__DIRECTION_IN &&
        pb->direction != BZL__DIRECTION__DIRECTION_OUT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "direction",
                             "direction %d is neither in nor out", (int)pb->direction);
    }
    if (bzl_date_parse(pb->date, strlen(pb->date), &d->date) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_DATE, 0, "date",
                             "date \"%.20s\" is not a calendar date YYYY-MM-DD between %d and %d",
                             pb->date, BZL_DATE_MIN_YEAR, BZL_DATE_MAX_YEAR);
    }
    d->kind = (uint8_t)pb->kind;
    d->direction = (uint8_t)pb->direction;
    d->pending = pb->pending;
    return BZL_OK;
}

/* Converts and checks one declaration; lines[] has room for pb->n_lines. */
static bzl_status
decl_from_pb(const Bzl__Declaration *pb, uint32_t lines_max, bzl_declaration *d,
             bzl_decl_line *lines, bzl_fault *fault)
{
    memset(d, 0, sizeof *d);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "declaration",
                             "the declaration is missing");
    }
    bzl_status st = header_from_pb(pb, d, fault);
    if (st != BZL_OK) {
        return st;
    }
    if (pb->n_lines > lines_max) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lines",
                             "the declaration has %zu lines; the limit is %u", pb->n_lines,
                             lines_max);
    }
    for (size_t i = 0; i < pb->n_lines; i++) {
        st = line_from_pb(pb->lines[i], (uint32_t)i + 1, &lines[i], fault);
        if (st != BZL_OK) {
            return st;
        }
    }
    d->line_count = (uint32_t)pb->n_lines;
    d->lines = lines;
    return bzl_decl_check_fields(d, lines_max, fault);
}

/* ---- the write job -----------------------------------------------------------------------------
 */

typedef struct submit_work {
    uint32_t count;
    bool batch; /* reply as a BatchResult */
    bzl_actor actor;
    bzl_declaration *decls;
    bool *valid; /* passed conversion; the others already carry their refusal */
    bzl_submit_result *results;
    bzl_decl_line *lines;
} submit_work;

/* The work and its arrays are one allocation (submit_work_new). */
static void
submit_work_free(submit_work *w)
{
    free(w);
}

static bzl_status
submit_apply(bzld_job *job, bzl_txn *txn)
{
    submit_work *w = bzld_slot_of_job(job)->work;
    for (uint32_t i = 0; i < w->count; i++) {
        if (!w->valid[i]) {
            continue;
        }
        bzl_status st = bzl_storage_submit(txn, &w->decls[i], &w->actor, &w->results[i]);
        if (st != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}

static void
result_to_pb(const submit_work *w, uint32_t i, Bzl__SubmitResult *out, Bzl__Fault *fault,
             char *available, size_t available_cap)
{
    const bzl_submit_result *r = &w->results[i];
    bzl__submit_result__init(out);
    out->status = (Bzl__Status)r->status;
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
    Bzl__Response resp = BZL__RESPONSE__INIT;
    Bzl__SubmitResult result;
    Bzl__Fault fault;
    char available[BZL_DEC_TEXT_BYTES];
    result_to_pb(w, 0, &result, &fault, available, sizeof available);
    resp.status = result.status;
    resp.message = result.message;
    resp.fault = result.fault;
    resp.result_case = BZL__RESPONSE__RESULT_SUBMIT;
    resp.submit = &result;
    bzld_slot_reply(slot, &resp);
}

/* One result of a batch reply: its message, fault and available-quantity text. */
typedef struct batch_cell {
    Bzl__SubmitResult result;
    Bzl__Fault fault;
    char available[BZL_DEC_TEXT_BYTES];
} batch_cell;

static void
reply_batch(bzld_slot *slot, submit_work *w)
{
    batch_cell *cells = calloc(w->count, sizeof *cells);
    Bzl__SubmitResult **ptrs = calloc(w->count, sizeof *ptrs);
    if (cells == NULL || ptrs == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the batch reply");
        goto done;
    }
    for (uint32_t i = 0; i < w->count; i++) {
        result_to_pb(w, i, &cells[i].result, &cells[i].fault, cells[i].available,
                     sizeof cells[i].available);
        ptrs[i] = &cells[i].result;
    }
    Bzl__BatchResult batch = BZL__BATCH_RESULT__INIT;
    batch.n_results = w->count;
    batch.results = ptrs;
    Bzl__Response resp = BZL__RESPONSE__INIT;
    resp.result_case = BZL__RESPONSE__RESULT_BATCH;
    resp.batch = &batch;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(cells);
}

static void
submit_done(bzld_job *job, bzl_status batch_status)
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
    bzld_conn_slot_done(slot);
}

/* Rounds n up to a multiple of the strictest alignment, so the next array starts aligned. */
static size_t
aligned(size_t n)
{
    const size_t a = _Alignof(max_align_t);
    return (n + a - 1) / a * a;
}

/* Allocates the work for `count` declarations holding `lines_total` lines: the struct and
 * its four arrays in one zeroed block, one allocation per request. count and lines_total are
 * bounded by the frame size, so the sum cannot overflow. */
static submit_work *
submit_work_new(uint32_t count, size_t lines_total)
{
    size_t at_decls = aligned(sizeof(submit_work));
    size_t at_valid = at_decls + aligned(count * sizeof(bzl_declaration));
    size_t at_results = at_valid + aligned(count * sizeof(bool));
    size_t at_lines = at_results + aligned(count * sizeof(bzl_submit_result));
    size_t total = at_lines + (lines_total == 0 ? 1 : lines_total) * sizeof(bzl_decl_line);
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
    return w;
}

static void
submit_start(bzld_slot *slot, Bzl__Declaration *const *pbs, size_t count, bool batch)
{
    bzld *d = bzld_of_slot(slot);
    size_t lines_total = 0;
    for (size_t i = 0; i < count; i++) {
        /* Bound each before summing, so the allocation is bounded by count × lines_max. */
        size_t n = pbs[i] == NULL ? 0 : pbs[i]->n_lines;
        lines_total += n > d->cfg.decl_lines_max ? 0 : n;
    }
    submit_work *w = submit_work_new((uint32_t)count, lines_total);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory for %zu declarations", count);
        return;
    }
    w->batch = batch;
    bzl_decl_line *lines = w->lines;
    uint32_t valid = 0;
    /* An enterprise principal submits only for its own enterprises and books (access.c):
     * a declaration for another's is refused exactly as for a book that does not exist. */
    const bzld_principal *p = &slot->conn->principal;
    bzl_txn *scope_txn = NULL;
    bzl_status scope_st = p->role == BZLD_ROLE_ENTERPRISE ? bzld_read_begin(d, &scope_txn) : BZL_OK;
    for (size_t i = 0; i < count; i++) {
        bzl_submit_result *r = &w->results[i];
        r->status = decl_from_pb(pbs[i], d->cfg.decl_lines_max, &w->decls[i], lines, &r->fault);
        if (r->status == BZL_OK && p->role == BZLD_ROLE_ENTERPRISE) {
            r->status = scope_st != BZL_OK ? bzl_fault_set(&r->fault, scope_st, 0, "book",
                                                           "cannot read the ledger")
                                           : bzld_access_decl(p, scope_txn, w->decls[i].enterprise,
                                                              w->decls[i].book_no, &r->fault);
        }
        w->valid[i] = r->status == BZL_OK;
        valid += w->valid[i];
        lines += w->valid[i] ? w->decls[i].line_count : 0;
    }
    bzl_txn_abort(scope_txn);
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
    if (bzld_slot_push_write(slot, w, valid, submit_apply, submit_done) != BZL_OK) {
        submit_work_free(w);
    }
}

void
bzld_handle_submit(bzld_slot *slot)
{
    Bzl__Declaration *pb = slot->req->submit->declaration;
    submit_start(slot, &pb, 1, false);
}

void
bzld_handle_submit_batch(bzld_slot *slot)
{
    const Bzl__SubmitBatch *req = slot->req->submit_batch;
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
    submit_start(slot, req->declarations, req->n_declarations, true);
}
