/* dispatch.h — from a decoded Request to a handler, and from results to a packed Response.
 *
 * Handlers run on the loop thread. A read handler replies before it returns. A write
 * handler converts and checks the request, then hands a job to the writer with
 * bzld_slot_push_write; the job's done() replies. Either way the slot ends DONE with its
 * reply packed, and conn.c puts replies on the wire in request order.
 */
#ifndef BZLD_DISPATCH_H
#define BZLD_DISPATCH_H

#include "bzld.h"

/* True for requests that change the ledger (they go through the writer). */
bool bzld_dispatch_is_write(const Bzl__Request *req);

/* Runs the slot's request: on return the slot is DONE (replied) or RUNNING (in the writer). */
void bzld_dispatch_start(bzld_slot *slot);

/* Packs resp (its id and, when unset, status are filled from the slot) as the slot's reply
 * and marks the slot DONE. The Request is released. */
void bzld_slot_reply(bzld_slot *slot, Bzl__Response *resp);

/* Replies with a status and a message (printf-style); no result body. */
void bzld_slot_reply_status(bzld_slot *slot, bzl_status status, const char *fmt, ...)
    BZL_PRINTF(3, 4);

/* Replies with a status and the fault's message, line, field and item. */
void bzld_slot_reply_fault(bzld_slot *slot, bzl_status status, const bzl_fault *fault);

/* Fills a protobuf Fault from a domain fault; text buffers are borrowed from the caller. */
void bzld_fault_to_pb(const bzl_fault *fault, Bzl__Fault *out, char *available_buf,
                      size_t available_cap);

/* Hands a write to the writer. On BZL_OK the slot is RUNNING and done() will reply; otherwise
 * (BUSY, SHUTTING_DOWN) the slot has been replied to with that status and the caller frees
 * its work. */
bzl_status bzld_slot_push_write(bzld_slot *slot, void *work, uint32_t decls,
                                bzl_status (*apply)(bzld_job *, bzl_txn *),
                                void (*done)(bzld_job *, bzl_status));

/* For work that runs off the loop but not in the writer (a backup on the thread pool): marks
 * the slot RUNNING, so later reads on its connection wait for it and the connection outlives
 * it. The work must later reply (bzld_slot_reply*) and then call bzld_slot_async_done on the
 * loop thread. */
void bzld_slot_async_begin(bzld_slot *slot);
void bzld_slot_async_done(bzld_slot *slot);

/* The slot that owns a job (jobs are embedded in slots). */
bzld_slot *bzld_slot_of_job(bzld_job *job);

/* Who is asking, for the journal. */
void bzld_actor_of_slot(const bzld_slot *slot, bzl_actor *out);

/* A read transaction for a read handler; BZL_OK or a storage status. */
bzl_status bzld_read_begin(bzld *d, bzl_txn **out);

/* The daemon of a slot. */
bzld *bzld_of_slot(const bzld_slot *slot);

/* Copies a client string into a fixed field after checking it (text rules of ledger.h).
 * Returns BZL_OK or BZL_INVALID_ARGUMENT with fault naming `field`. */
bzl_status bzld_copy_text(const char *src, size_t min_bytes, size_t max_bytes, char *dst,
                          size_t dst_cap, const char *field, bzl_fault *fault);

/* Copies a customs code field into dst[dst_cap] after `check`. Empty is allowed only when
 * optional (dst becomes ""). Faults name `field`, and line when it is not 0 ("line 3: hs ..."):
 * BZL_INVALID_ARGUMENT when a required code is empty, BZL_INVALID_CODE when it does not check. */
bzl_status bzld_copy_code(const char *src, bool optional, bzl_status (*check)(const char *, size_t),
                          char *dst, size_t dst_cap, uint32_t line, const char *field,
                          bzl_fault *fault);

/* bzl_code_check_book in the shape bzld_copy_code's check takes. */
bzl_status bzld_check_book_no(const char *s, size_t len);

/* Copies a book number into out after its check; BZL_INVALID_CODE ("book number ... is not
 * valid", field "book") otherwise. */
bzl_status bzld_parse_book(const char *text, char out[BZL_BOOK_NO_LEN + 1], bzl_fault *fault);

/* For a write job's done callback: replies with its failure, the batch's own ("the ledger could
 * not commit: ...") before the job's result with its fault, and returns true; returns false and
 * replies nothing when both are BZL_OK, leaving the success reply to the caller. */
bool bzld_reply_job_failure(bzld_slot *slot, bzl_status batch_status, bzl_status result,
                            const bzl_fault *fault);

/* handler_master.c */
void bzld_handle_register_enterprise(bzld_slot *slot);
void bzld_handle_get_enterprise(bzld_slot *slot);
void bzld_handle_list_enterprises(bzld_slot *slot);
void bzld_handle_open_book(bzld_slot *slot);
void bzld_handle_get_book(bzld_slot *slot);
void bzld_handle_add_item(bzld_slot *slot);
void bzld_handle_get_item(bzld_slot *slot);

/* handler_declaration.c */
void bzld_handle_submit(bzld_slot *slot);
void bzld_handle_submit_batch(bzld_slot *slot);

/* handler_ledger.c */
void bzld_handle_set_norm(bzld_slot *slot);
void bzld_handle_list_norms(bzld_slot *slot);
void bzld_handle_set_item_mode(bzld_slot *slot);
void bzld_handle_post(bzld_slot *slot);
void bzld_handle_void(bzld_slot *slot);
void bzld_handle_reject(bzld_slot *slot);
void bzld_handle_reverse(bzld_slot *slot);
void bzld_handle_close_period(bzld_slot *slot);
void bzld_handle_history(bzld_slot *slot);
void bzld_handle_scrap(bzld_slot *slot);
/* True when bzld_handle_history refuses req before reading anything (a malformed book, date
 * or kind). access.c then lets the handler answer, so that a malformed request about another
 * enterprise's book is answered exactly as one about a missing book. */
bool bzld_history_malformed(const Bzl__QueryHistory *req);

/* handler_ledger_read.c */
void bzld_handle_get_declaration(bzld_slot *slot);
void bzld_handle_unmatched_transfers(bzld_slot *slot);

/* handler_query.c */
void bzld_handle_balances(bzld_slot *slot);
void bzld_handle_stats(bzld_slot *slot);

/* handler_audit.c */
void bzld_handle_verify(bzld_slot *slot);

/* handler_recon.c: verification and reports */
void bzld_handle_stocktake(bzld_slot *slot);
/* True when bzld_handle_stocktake refuses req before reading anything (book, date, line count,
 * a line); for access.c, as bzld_history_malformed. Allocates and frees the parsed lines. */
bool bzld_stocktake_malformed(const bzld *d, const Bzl__SubmitStocktake *req);
void bzld_handle_reconcile(bzld_slot *slot);
void bzld_handle_set_rate(bzld_slot *slot);
void bzld_handle_list_rates(bzld_slot *slot);
void bzld_handle_record_trade(bzld_slot *slot);
void bzld_handle_report(bzld_slot *slot);
void bzld_handle_audit(bzld_slot *slot);
/* handler_ops.c */
void bzld_handle_backup(bzld_slot *slot);

#endif
