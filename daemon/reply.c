/* reply.c — response packing and the reply table (reply.h). */
#include "reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "conn.h"
#include "log.h"
#include "wire.h"

/* The wire Status enum mirrors lib's status map number for number (STYLE.md §3). */
#define BZLD_PIN_STATUS(name, num, text)                                                           \
    static_assert((int)BZL__V1__STATUS__STATUS_##name == (int)BZL_##name,                          \
                  "proto Status " #name " must equal bzl_status");
BZL_STATUS_MAP(BZLD_PIN_STATUS)
#undef BZLD_PIN_STATUS

/* ---- replies ------------------------------------------------------------------------------ */

void
bzld_slot_reply(bzld_slot *slot, Bzl__V1__Response *resp)
{
    BZL_ASSERT(slot->state != BZLD_SLOT_DONE);
    BZL_ASSERT(slot->reply == NULL);
    bzld *d = slot->conn->d;
    resp->id = slot->request_id;
    uint32_t kind = slot->kind < BZLD_STATS_KINDS ? slot->kind : 0;
    uint32_t status = (uint32_t)resp->status < BZLD_STATS_STATUSES ? (uint32_t)resp->status : 0;
    d->stats.by_kind[kind][status]++;
    d->stats.replies++;
    size_t len = bzl__v1__response__get_packed_size(resp);
    uint8_t header[4];
    if (bzl_frame_header_encode(len, d->cfg.frame_bytes_max, header) != BZL_OK) {
        /* Lists are bounded so this cannot happen with the defaults; say so rather than
         * send a frame the client would refuse. */
        Bzl__V1__Response small = BZL__V1__RESPONSE__INIT;
        small.id = slot->request_id;
        small.status = BZL__V1__STATUS__STATUS_LIMIT_EXCEEDED;
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
    size_t packed = bzl__v1__response__pack(resp, buf + BZL_FRAME_HEADER_BYTES);
    BZL_ASSERT(packed == len);
    if (resp->status != BZL__V1__STATUS__STATUS_OK) {
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
    (void)bzl_text_sanitize(message); /* client text cut to a byte count: still UTF-8 */
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.status = (Bzl__V1__Status)status;
    resp.message = message;
    bzld_slot_reply(slot, &resp);
}

void
bzld_slot_reply_fault(bzld_slot *slot, bzl_status status, const bzl_fault *fault)
{
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    Bzl__V1__Fault pb_fault;
    char available[BZL_DEC_TEXT_BYTES];
    bzld_fault_to_pb(fault, &pb_fault, available, sizeof available);
    resp.status = (Bzl__V1__Status)status;
    resp.message = (char *)fault->message;
    resp.fault = &pb_fault;
    bzld_slot_reply(slot, &resp);
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

/* ---- the reply table ---------------------------------------------------------------------- */

void
bzld_table_init(bzld_table *t, const char *const *cols, size_t n_cols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->n_cols = n_cols;
}

/* A formatted copy (owned; NULL when out of memory) of at most cap - 1 bytes of text that may
 * quote a client's string cut to a byte count: sanitized, so it is still UTF-8 on the wire. */
static char *text_dup(size_t cap, const char *fmt, va_list ap) BZL_PRINTF(2, 0);

static char *
text_dup(size_t cap, const char *fmt, va_list ap)
{
    char buf[512];
    BZL_ASSERT(cap <= sizeof buf);
    vsnprintf(buf, cap, fmt, ap);
    (void)bzl_text_sanitize(buf);
    return strdup(buf);
}

void
bzld_table_add(bzld_table *t, const char *fmt, ...)
{
    if (t->failed) {
        return;
    }
    if (t->n_cells == t->cap) {
        size_t nc = t->cap == 0 ? 64 : t->cap * 2;
        char **g = realloc(t->cells, nc * sizeof *g);
        if (g == NULL) {
            t->failed = true;
            return;
        }
        t->cells = g;
        t->cap = nc;
    }
    va_list ap;
    va_start(ap, fmt);
    t->cells[t->n_cells] = text_dup(256, fmt, ap); /* a cell: 255 bytes at most */
    va_end(ap);
    t->failed = t->cells[t->n_cells] == NULL;
    t->n_cells += !t->failed;
}

void
bzld_table_note(bzld_table *t, const char *fmt, ...)
{
    if (t->n_notes == BZL_ARRAY_LEN(t->notes)) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    t->notes[t->n_notes] = text_dup(512, fmt, ap);
    va_end(ap);
    t->n_notes += t->notes[t->n_notes] != NULL;
}

/* A decimal at scale with fixed places ("n/a" when !has). */
void
bzld_table_dec(bzld_table *t, int64_t v, unsigned scale, unsigned places, bool has)
{
    char b[BZL_DEC_TEXT_BYTES];
    if (!has) {
        bzld_table_add(t, "n/a");
        return;
    }
    if (places == 0) {
        bzl_dec_format(v, scale, b, sizeof b);
    } else {
        bzl_dec_format_fixed(v, scale, places, b, sizeof b);
    }
    bzld_table_add(t, "%s", b);
}

void
bzld_table_dec_wide(bzld_table *t, bzl_i128 v, unsigned scale, unsigned places, bool has)
{
    char b[BZL_DEC_WIDE_TEXT_BYTES];
    if (!has) {
        bzld_table_add(t, "n/a");
        return;
    }
    bzl_dec_format_wide(v, scale, places, b, sizeof b);
    bzld_table_add(t, "%s", b);
}

void
bzld_table_deinit(bzld_table *t)
{
    for (size_t i = 0; i < t->n_cells; i++) {
        free(t->cells[i]);
    }
    for (size_t i = 0; i < t->n_notes; i++) {
        free(t->notes[i]);
    }
    free(t->cells);
}

/* Replies with the table (and frees it). */
void
bzld_table_reply(bzld_slot *slot, bzld_table *t, const char *next_page_token,
                 uint64_t journal_reads, uint32_t beyond)
{
    BZL_ASSERT(t->n_cols > 0);
    if (t->failed || t->n_cells % t->n_cols != 0) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the table");
        bzld_table_deinit(t);
        return;
    }
    size_t n_rows = t->n_cells / t->n_cols;
    Bzl__V1__TableRow *rows = calloc(n_rows + 1, sizeof *rows);
    Bzl__V1__TableRow **row_ptrs = calloc(n_rows + 1, sizeof *row_ptrs);
    if (rows == NULL || row_ptrs == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the table");
    } else {
        for (size_t r = 0; r < n_rows; r++) {
            bzl__v1__table_row__init(&rows[r]);
            rows[r].n_cells = t->n_cols;
            rows[r].cells = &t->cells[r * t->n_cols];
            row_ptrs[r] = &rows[r];
        }
        Bzl__V1__Table pb = BZL__V1__TABLE__INIT;
        pb.n_columns = t->n_cols;
        pb.columns = (char **)t->cols;
        pb.n_rows = n_rows;
        pb.rows = row_ptrs;
        pb.n_notes = t->n_notes;
        pb.notes = t->notes;
        pb.next_page_token = (char *)next_page_token;
        pb.journal_reads = journal_reads;
        pb.beyond = beyond;
        Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
        resp.result_case = BZL__V1__RESPONSE__RESULT_TABLE;
        resp.table = &pb;
        bzld_slot_reply(slot, &resp);
    }
    free(rows);
    free(row_ptrs);
    bzld_table_deinit(t);
}
