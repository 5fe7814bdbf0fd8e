/* reply.h — packing responses into a slot: a status, a fault, a result message, or the reply
 * table the verification and report handlers answer with (rows of exact decimal strings under
 * named columns, with notes).
 *
 * A reply is packed once per slot, framed (length prefix) into the slot's inline buffer when
 * it fits and a malloc'd one otherwise; the slot is then DONE and its decoded request
 * released. Putting replies on the wire, in request order, is conn.c's business: a read's
 * reply is picked up when its handler returns, a write's when dispatch.c completes the job.
 * Every reply is counted by request kind and status (bzld_stats) and a refusal is logged.
 *
 * Loop thread only.
 */
#ifndef BZLD_REPLY_H
#define BZLD_REPLY_H

#include "bzld.h"

/* Packs resp (its id and, when unset, status are filled from the slot) as the slot's reply
 * and marks the slot DONE. The Request is released. A reply over the frame cap is replaced
 * by LIMIT_EXCEEDED. resp and what it points to are borrowed until return. */
void bzld_slot_reply(bzld_slot *slot, Bzl__V1__Response *resp);

/* Replies with a status and a message (printf-style); no result body. */
void bzld_slot_reply_status(bzld_slot *slot, bzl_status status, const char *fmt, ...)
    BZL_PRINTF(3, 4);

/* Replies with a status and the fault's message, line, field and item. */
void bzld_slot_reply_fault(bzld_slot *slot, bzl_status status, const bzl_fault *fault);

/* For a write job's reply callback: replies with its failure, the batch's own ("the ledger
 * could not commit: ...") before the job's result with its fault, and returns true; returns
 * false and replies nothing when both are BZL_OK, leaving the success reply to the caller. */
bool bzld_reply_job_failure(bzld_slot *slot, bzl_status batch_status, bzl_status result,
                            const bzl_fault *fault);

/* ---- the reply table --------------------------------------------------------------------------
 *
 * Cells are added row by row, left to right; errors are sticky (failed) and answered as
 * NO_MEMORY by bzld_table_reply. */
typedef struct bzld_table {
    const char *const *cols; /* borrowed until the reply */
    size_t n_cols;
    char **cells; /* owned, row-major */
    size_t n_cells;
    size_t cap;
    char *notes[8];
    size_t n_notes;
    bool failed;
} bzld_table;

void bzld_table_init(bzld_table *t, const char *const *cols, size_t n_cols);
void bzld_table_add(bzld_table *t, const char *fmt, ...) BZL_PRINTF(2, 3);
void bzld_table_note(bzld_table *t, const char *fmt, ...) BZL_PRINTF(2, 3);
/* A decimal at scale with fixed places ("n/a" when !has). */
void bzld_table_dec(bzld_table *t, int64_t v, unsigned scale, unsigned places, bool has);
/* bzld_table_dec for the reports' 128-bit sums. */
void bzld_table_dec_wide(bzld_table *t, bzl_i128 v, unsigned scale, unsigned places, bool has);
void bzld_table_deinit(bzld_table *t);
/* Replies with the table (and frees it); next_page_token is "" on a listing's last page and
 * for a table that is not a listing. */
void bzld_table_reply(bzld_slot *slot, bzld_table *t, const char *next_page_token,
                      uint64_t journal_reads, uint32_t beyond);

#endif
