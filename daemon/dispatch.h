/* dispatch.h — from a decoded Request to its handler, and the handlers' toolkit for slots.
 *
 * The router looks the request's row up in the request table (requests.h), checks rights over
 * it (access.h) and runs the row's handler on the loop thread. A read handler replies
 * (reply.h) before it returns. A write handler converts and checks the request (wire.h), then
 * hands a job to the writer with bzld_slot_push_write; dispatch.c completes the job: it calls
 * the handler's reply callback on the loop thread after the batch committed or failed, then
 * hands the DONE slot back to the connection. Handlers never touch the socket layer.
 */
#ifndef BZLD_DISPATCH_H
#define BZLD_DISPATCH_H

#include "bzld.h"

/* True for requests that change the ledger (their row's write flag): they go through the
 * writer, and a read after them on the same connection waits for them. */
bool bzld_dispatch_is_write(const Bzl__V1__Request *req);

/* Runs the slot's request: on return the slot is DONE (replied) or RUNNING (in the writer or
 * on the thread pool). */
void bzld_dispatch_start(bzld_slot *slot);

/* Hands a write to the writer. apply runs on the writer thread inside the batch transaction
 * (bzld_job); reply runs on the loop thread after the batch ended (batch_status BZL_OK when it
 * committed) and must reply (reply.h) and release work. On BZL_OK the slot is RUNNING;
 * otherwise (BUSY, SHUTTING_DOWN) the slot has been replied to with that status, neither
 * callback will run, and the caller frees its work. */
bzl_status bzld_slot_push_write(bzld_slot *slot, void *work, uint32_t decls,
                                bzl_status (*apply)(bzld_job *, bzl_txn *),
                                void (*reply)(bzld_job *, bzl_status));

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

/* The principal of the slot's connection (access.h), for handlers that scope themselves. */
const bzld_principal *bzld_principal_of_slot(const bzld_slot *slot);

/* A read transaction for a read handler; BZL_OK or a storage status. */
bzl_status bzld_read_begin(bzld *d, bzl_txn **out);

/* The daemon of a slot. */
bzld *bzld_of_slot(const bzld_slot *slot);
/* The number of the connection the slot's request came on, for the access layer's log lines
 * (handlers log the actor instead and never see the connection). */
uint64_t bzld_conn_id_of_slot(const bzld_slot *slot);

#endif
