/* dispatch.c — routes decoded requests by the request table, and completes write jobs. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "log.h"
#include "reply.h"
#include "requests.h"
#include "writer.h"

bzld *
bzld_of_slot(const bzld_slot *slot)
{
    return slot->conn->d;
}

bool
bzld_dispatch_is_write(const Bzl__V1__Request *req)
{
    return bzld_request_of(req->body_case)->write;
}

void
bzld_dispatch_start(bzld_slot *slot)
{
    BZL_ASSERT(slot->state == BZLD_SLOT_NEW);
    BZL_ASSERT(slot->req != NULL);
    const bzld_request *row = bzld_request_of(slot->req->body_case);
    /* Request logs name the principal (the peer uid until access control maps it to a role)
     * and the client's request id. */
    bzld_log(BZLD_LOG_DEBUG, "conn %llu principal uid:%u pid %d request %llu: %s",
             (unsigned long long)slot->conn->conn_id, slot->conn->uid, slot->conn->pid,
             (unsigned long long)slot->request_id, row->name);
    if (!bzld_access_allow(slot, row)) {
        return; /* replied: PERMISSION_DENIED, or NOT_FOUND for another enterprise's record */
    }
    row->handle(slot);
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

/* The writer's completion of every job: the handler replies, the connection takes the slot
 * back (its reply leaves with the others of this wake-up, bzld_conns_pump_pending). */
static void
slot_job_done(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    BZL_ASSERT(slot->state == BZLD_SLOT_RUNNING);
    job->reply(job, batch_status);
    BZL_ASSERT(slot->state == BZLD_SLOT_DONE); /* every reply callback replies */
    bzld_conn_slot_done(slot);
}

bzl_status
bzld_slot_push_write(bzld_slot *slot, void *work, uint32_t decls,
                     bzl_status (*apply)(bzld_job *, bzl_txn *),
                     void (*reply)(bzld_job *, bzl_status))
{
    BZL_ASSERT(apply != NULL && reply != NULL);
    bzld *d = bzld_of_slot(slot);
    slot->work = work;
    slot->job.apply = apply;
    slot->job.done = slot_job_done;
    slot->job.reply = reply;
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

/* ---- what handlers ask of a slot --------------------------------------------------------- */

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

uint64_t
bzld_conn_id_of_slot(const bzld_slot *slot)
{
    return slot->conn->conn_id;
}

const bzld_principal *
bzld_principal_of_slot(const bzld_slot *slot)
{
    return &slot->conn->principal;
}

bzl_status
bzld_read_begin(bzld *d, bzl_txn **out)
{
    return bzl_txn_begin(d->store, NULL, false, out);
}
