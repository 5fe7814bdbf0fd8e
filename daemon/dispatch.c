/* dispatch.c — routes decoded requests to handlers and packs their responses. */
#include "dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/decimal.h"
#include "log.h"
#include "writer.h"

/* The wire Status enum mirrors lib's status map number for number (STYLE.md §3). */
#define BZLD_PIN_STATUS(name, num, text)                                                           \
    static_assert((int)BZL__STATUS__STATUS_##name == (int)BZL_##name,                              \
                  "proto Status " #name " must equal bzl_status");
BZL_STATUS_MAP(BZLD_PIN_STATUS)
#undef BZLD_PIN_STATUS

static_assert((int)BZL__KIND__KIND_MATERIAL == (int)BZL_KIND_MATERIAL, "kind numbers match");
static_assert((int)BZL__KIND__KIND_PRODUCT == (int)BZL_KIND_PRODUCT, "kind numbers match");
static_assert((int)BZL__DIRECTION__DIRECTION_IN == (int)BZL_DIR_IN, "direction numbers match");
static_assert((int)BZL__DIRECTION__DIRECTION_OUT == (int)BZL_DIR_OUT, "direction numbers match");
static_assert((int)BZL__BIZ_MODE__BIZ_MODE_OBM == (int)BZL_BIZ_OBM, "mode numbers match");
static_assert((int)BZL__VERIFY_MODE__VERIFY_MODE_CONSUMPTION == (int)BZL_VERIFY_CONSUMPTION,
              "verify mode numbers match");
static_assert((int)BZL__BOOK_STATUS__BOOK_STATUS_CLOSED == (int)BZL_BOOK_CLOSED,
              "book status numbers match");

bzld *
bzld_of_slot(const bzld_slot *slot)
{
    return slot->conn->d;
}

bool
bzld_dispatch_is_write(const Bzl__Request *req)
{
    switch (req->body_case) {
    case BZL__REQUEST__BODY_REGISTER_ENTERPRISE:
    case BZL__REQUEST__BODY_OPEN_BOOK:
    case BZL__REQUEST__BODY_ADD_ITEM:
    case BZL__REQUEST__BODY_SUBMIT:
    case BZL__REQUEST__BODY_SUBMIT_BATCH:
    case BZL__REQUEST__BODY_SET_NORM:
    case BZL__REQUEST__BODY_SET_ITEM_MODE:
    case BZL__REQUEST__BODY_POST_DECLARATION:
    case BZL__REQUEST__BODY_VOID_DECLARATION:
    case BZL__REQUEST__BODY_REJECT_DECLARATION:
    case BZL__REQUEST__BODY_REVERSE_DECLARATION:
    case BZL__REQUEST__BODY_CLOSE_PERIOD:
    case BZL__REQUEST__BODY_STOCKTAKE:
    case BZL__REQUEST__BODY_SET_RATE:
    case BZL__REQUEST__BODY_RECORD_TRADE:
        return true;
    default:
        return false;
    }
}

/* The request's body name ("submit_batch") for request logs. */
static const char *
body_name(const Bzl__Request *req)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&bzl__request__descriptor, req->body_case);
    return f != NULL ? f->name : "unknown";
}

void
bzld_dispatch_start(bzld_slot *slot)
{
    BZL_ASSERT(slot->state == BZLD_SLOT_NEW);
    BZL_ASSERT(slot->req != NULL);
    const Bzl__Request *req = slot->req;
    /* Request logs name the principal (the peer uid until access control maps it to a role)
     * and the client's request id. */
    bzld_log(BZLD_LOG_DEBUG, "conn %llu principal uid:%u pid %d request %llu: %s",
             (unsigned long long)slot->conn->conn_id, slot->conn->uid, slot->conn->pid,
             (unsigned long long)slot->request_id, body_name(req));
    if (!bzld_access_allow(slot)) {
        return; /* replied: PERMISSION_DENIED, or NOT_FOUND for another enterprise's record */
    }
    switch (req->body_case) {
    case BZL__REQUEST__BODY_REGISTER_ENTERPRISE:
        bzld_handle_register_enterprise(slot);
        break;
    case BZL__REQUEST__BODY_GET_ENTERPRISE:
        bzld_handle_get_enterprise(slot);
        break;
    case BZL__REQUEST__BODY_LIST_ENTERPRISES:
        bzld_handle_list_enterprises(slot);
        break;
    case BZL__REQUEST__BODY_OPEN_BOOK:
        bzld_handle_open_book(slot);
        break;
    case BZL__REQUEST__BODY_GET_BOOK:
        bzld_handle_get_book(slot);
        break;
    case BZL__REQUEST__BODY_ADD_ITEM:
        bzld_handle_add_item(slot);
        break;
    case BZL__REQUEST__BODY_GET_ITEM:
        bzld_handle_get_item(slot);
        break;
    case BZL__REQUEST__BODY_SUBMIT:
        bzld_handle_submit(slot);
        break;
    case BZL__REQUEST__BODY_SUBMIT_BATCH:
        bzld_handle_submit_batch(slot);
        break;
    case BZL__REQUEST__BODY_BALANCES:
        bzld_handle_balances(slot);
        break;
    case BZL__REQUEST__BODY_STATS:
        bzld_handle_stats(slot);
        break;
    case BZL__REQUEST__BODY_VERIFY:
        bzld_handle_verify(slot);
        break;
    case BZL__REQUEST__BODY_AUDIT:
        bzld_handle_audit(slot);
        break;
    case BZL__REQUEST__BODY_SET_NORM:
        bzld_handle_set_norm(slot);
        break;
    case BZL__REQUEST__BODY_LIST_NORMS:
        bzld_handle_list_norms(slot);
        break;
    case BZL__REQUEST__BODY_SET_ITEM_MODE:
        bzld_handle_set_item_mode(slot);
        break;
    case BZL__REQUEST__BODY_POST_DECLARATION:
        bzld_handle_post(slot);
        break;
    case BZL__REQUEST__BODY_VOID_DECLARATION:
        bzld_handle_void(slot);
        break;
    case BZL__REQUEST__BODY_REJECT_DECLARATION:
        bzld_handle_reject(slot);
        break;
    case BZL__REQUEST__BODY_REVERSE_DECLARATION:
        bzld_handle_reverse(slot);
        break;
    case BZL__REQUEST__BODY_CLOSE_PERIOD:
        bzld_handle_close_period(slot);
        break;
    case BZL__REQUEST__BODY_HISTORY:
        bzld_handle_history(slot);
        break;
    case BZL__REQUEST__BODY_GET_DECLARATION:
        bzld_handle_get_declaration(slot);
        break;
    case BZL__REQUEST__BODY_UNMATCHED_TRANSFERS:
        bzld_handle_unmatched_transfers(slot);
        break;
    case BZL__REQUEST__BODY_SCRAP:
        bzld_handle_scrap(slot);
        break;
    case BZL__REQUEST__BODY_BACKUP:
        bzld_handle_backup(slot);
        break;
    case BZL__REQUEST__BODY_STOCKTAKE:
        bzld_handle_stocktake(slot);
        break;
    case BZL__REQUEST__BODY_RECONCILE:
        bzld_handle_reconcile(slot);
        break;
    case BZL__REQUEST__BODY_SET_RATE:
        bzld_handle_set_rate(slot);
        break;
    case BZL__REQUEST__BODY_LIST_RATES:
        bzld_handle_list_rates(slot);
        break;
    case BZL__REQUEST__BODY_RECORD_TRADE:
        bzld_handle_record_trade(slot);
        break;
    case BZL__REQUEST__BODY_REPORT:
        bzld_handle_report(slot);
        break;
    default:
        bzld_slot_reply_status(slot, BZL_UNSUPPORTED,
                               "request carries no body this daemon knows (field %d)",
                               (int)req->body_case);
        break;
    }
}

/* ---- replies -------------------------------------------------------------------------- */

void
bzld_slot_reply(bzld_slot *slot, Bzl__Response *resp)
{
    BZL_ASSERT(slot->state != BZLD_SLOT_DONE);
    BZL_ASSERT(slot->reply == NULL);
    bzld *d = bzld_of_slot(slot);
    resp->id = slot->request_id;
    uint32_t kind = slot->kind < BZLD_STATS_KINDS ? slot->kind : 0;
    uint32_t status = (uint32_t)resp->status < BZLD_STATS_STATUSES ? (uint32_t)resp->status : 0;
    d->stats.by_kind[kind][status]++;
    d->stats.replies++;
    size_t len = bzl__response__get_packed_size(resp);
    uint8_t header[4];
    if (bzl_frame_header_encode(len, d->cfg.frame_bytes_max, header) != BZL_OK) {
        /* Lists are bounded so this cannot happen with the defaults; say so rather than
         * send a frame the client would refuse. */
        Bzl__Response small = BZL__RESPONSE__INIT;
        small.id = slot->request_id;
        small.status = BZL__STATUS__STATUS_LIMIT_EXCEEDED;
        small.message = "the reply exceeds the frame cap; ask for fewer rows";
        bzld_slot_reply(slot, &small);
        return;
    }
    /* Small replies (a submit result, a point read) live in the slot: no allocation. */
    uint8_t *buf = BZL_FRAME_HEADER_BYTES + len <= sizeof slot->reply_inline
                       ? slot->reply_inline
                       : malloc(BZL_FRAME_HEADER_BYTES + len);
    BZL_ASSERT(buf != NULL); /* out of memory on a reply: nothing sensible is left to do */
    memcpy(buf, header, sizeof header);
    size_t packed = bzl__response__pack(resp, buf + BZL_FRAME_HEADER_BYTES);
    BZL_ASSERT(packed == len);
    if (resp->status != BZL__STATUS__STATUS_OK) {
        bzld_log(BZLD_LOG_INFO, "conn %llu principal uid:%u request %llu: %s: %s",
                 (unsigned long long)slot->conn->conn_id, slot->conn->uid,
                 (unsigned long long)slot->request_id, bzl_status_name((bzl_status)resp->status),
                 resp->message != NULL ? resp->message : "");
    }
    slot->reply = buf;
    slot->reply_len = BZL_FRAME_HEADER_BYTES + len;
    slot->state = BZLD_SLOT_DONE;
    bzld_slot_release_request(slot);
}

void
bzld_slot_reply_status(bzld_slot *slot, bzl_status status, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    Bzl__Response resp = BZL__RESPONSE__INIT;
    resp.status = (Bzl__Status)status;
    resp.message = message;
    bzld_slot_reply(slot, &resp);
}

void
bzld_fault_to_pb(const bzl_fault *fault, Bzl__Fault *out, char *available_buf, size_t available_cap)
{
    BZL_ASSERT(available_cap >= BZL_DEC_TEXT_BYTES);
    bzl__fault__init(out);
    out->line = fault->line;
    out->field = (char *)fault->field;
    out->item = fault->item_no;
    bzl_dec_format(fault->available_e5, BZL_SCALE_QTY, available_buf, available_cap);
    out->available = available_buf;
}

void
bzld_slot_reply_fault(bzld_slot *slot, bzl_status status, const bzl_fault *fault)
{
    Bzl__Response resp = BZL__RESPONSE__INIT;
    Bzl__Fault pb_fault;
    char available[BZL_DEC_TEXT_BYTES];
    bzld_fault_to_pb(fault, &pb_fault, available, sizeof available);
    resp.status = (Bzl__Status)status;
    resp.message = (char *)fault->message;
    resp.fault = &pb_fault;
    bzld_slot_reply(slot, &resp);
}

/* ---- writes ----------------------------------------------------------------------------- */

void
bzld_slot_async_begin(bzld_slot *slot)
{
    BZL_ASSERT(slot->state == BZLD_SLOT_NEW);
    slot->state = BZLD_SLOT_RUNNING; /* conn_pump counts it in conn->running */
}

void
bzld_slot_async_done(bzld_slot *slot)
{
    BZL_ASSERT(slot->state == BZLD_SLOT_DONE);
    bzld *d = bzld_of_slot(slot);
    bzld_conn_slot_done(slot);
    /* bzld_conn_slot_done only queues the connection for the writer's drained callback; a
     * completion from the thread pool (a backup) is not followed by one, so its reply would
     * wait for the next write to commit. Pump now. */
    bzld_conns_pump_pending(d);
}

bzld_slot *
bzld_slot_of_job(bzld_job *job)
{
    return (bzld_slot *)((char *)job - offsetof(bzld_slot, job));
}

bzl_status
bzld_slot_push_write(bzld_slot *slot, void *work, uint32_t decls,
                     bzl_status (*apply)(bzld_job *, bzl_txn *),
                     void (*done)(bzld_job *, bzl_status))
{
    bzld *d = bzld_of_slot(slot);
    slot->work = work;
    slot->job.apply = apply;
    slot->job.done = done;
    slot->job.decls = decls;
    bzl_status st = d->writer_stopped ? BZL_SHUTTING_DOWN : bzld_writer_push(d->writer, &slot->job);
    if (st == BZL_OK) {
        slot->state = BZLD_SLOT_RUNNING;
        return BZL_OK;
    }
    slot->work = NULL;
    if (st == BZL_BUSY) {
        d->stats.busy_refusals++;
        bzld_slot_reply_status(slot, st, "the write queue is full (%u waiting); retry shortly",
                               d->cfg.write_queue_max);
    } else {
        bzld_slot_reply_status(slot, st, "the daemon is shutting down; retry after restart");
    }
    return st;
}

void
bzld_actor_of_slot(const bzld_slot *slot, bzl_actor *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    out->uid = slot->conn->uid;
    out->gid = slot->conn->gid;
    out->pid = slot->conn->pid;
    out->role = slot->conn->principal.role;
    out->request_id = slot->request_id;
    out->time_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bzl_status
bzld_read_begin(bzld *d, bzl_txn **out)
{
    return bzl_txn_begin(d->store, NULL, false, out);
}

bzl_status
bzld_copy_text(const char *src, size_t min_bytes, size_t max_bytes, char *dst, size_t dst_cap,
               const char *field, bzl_fault *fault)
{
    BZL_ASSERT(max_bytes < dst_cap);
    size_t len = strlen(src);
    bzl_status st = bzl_text_check(src, len, min_bytes, max_bytes, field, fault);
    if (st != BZL_OK) {
        return st;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return BZL_OK;
}

/* ---- code fields, shared by the handlers that take them -------------------------------------- */

bzl_status
bzld_copy_code(const char *src, bool optional, bzl_status (*check)(const char *, size_t), char *dst,
               size_t dst_cap, uint32_t line, const char *field, bzl_fault *fault)
{
    size_t len = strlen(src);
    if (len == 0) {
        dst[0] = '\0';
        if (optional) {
            return BZL_OK;
        }
        if (line != 0) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                                 "line %u: %s is required", line, field);
        }
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, field, "%s is required", field);
    }
    if (len >= dst_cap || check(src, len) != BZL_OK) {
        if (line != 0) {
            return bzl_fault_set(fault, BZL_INVALID_CODE, line, field,
                                 "line %u: %s \"%.40s\" is not valid", line, field, src);
        }
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, field, "%s \"%.40s\" is not valid", field,
                             src);
    }
    memcpy(dst, src, len + 1);
    return BZL_OK;
}

bzl_status
bzld_check_book_no(const char *s, size_t len)
{
    return bzl_code_check_book(s, len, NULL);
}

bzl_status
bzld_parse_book(const char *text, char out[BZL_BOOK_NO_LEN + 1], bzl_fault *fault)
{
    size_t len = strlen(text);
    if (len != BZL_BOOK_NO_LEN || bzl_code_check_book(text, len, NULL) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "book",
                             "book number \"%.40s\" is not valid", text);
    }
    memcpy(out, text, len + 1);
    return BZL_OK;
}

bool
bzld_reply_job_failure(bzld_slot *slot, bzl_status batch_status, bzl_status result,
                       const bzl_fault *fault)
{
    if (batch_status != BZL_OK) {
        bzld_slot_reply_status(slot, batch_status, "the ledger could not commit: %s",
                               bzl_status_text(batch_status));
        return true;
    }
    if (result != BZL_OK) {
        bzld_slot_reply_fault(slot, result, fault);
        return true;
    }
    return false;
}
