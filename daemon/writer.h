/* writer.h — the writer thread: drains queued jobs into one LMDB write transaction each time.
 *
 * The loop thread pushes jobs; the writer takes everything queued (up to
 * BZL_WRITER_BATCH_DECLS_MAX declarations), applies it in one write transaction, commits once
 * (one durable commit for the whole batch: LMDB flushes the data pages, then the meta page) and
 * hands the jobs back through a uv_async, whose callback runs each job's done() on the loop. A
 * lone job commits at once: there is no timer.
 *
 * On BZL_STORAGE_FULL the writer aborts the batch, grows the map and replays it; at the
 * configured maximum every job in the batch completes with BZL_STORAGE_FULL.
 */
#ifndef BZLD_WRITER_H
#define BZLD_WRITER_H

#include "bzld.h"

typedef struct bzld_writer_stats {
    uint64_t commits;
    uint64_t declarations;
    uint64_t jobs;
    uint64_t commit_us_total;
    uint64_t queue_depth;
    uint64_t map_grows;
    uint64_t decls_per_commit_hist[16]; /* bucket i: batches of [2^i, 2^(i+1)) declarations */
    uint64_t commit_us_hist[24];        /* bucket i: commits taking [2^i, 2^(i+1)) µs */
    uint64_t commit_us_max;
    uint64_t queue_depth_max;
} bzld_writer_stats;

/* For a write job's apply, after a callee that records refusals in an action result: returns
 * st when it aborts the batch and BZL_OK otherwise. A refusal the callee returned rather than
 * recorded (st not OK, not aborting; its nested transaction is gone) becomes the job's own:
 * *result and fault say so, unless they hold a refusal already. */
static inline bzl_status
bzld_apply_outcome(bzl_status st, bzl_status *result, bzl_fault *fault)
{
    if (st == BZL_OK || bzl_status_aborts_batch(st)) {
        return st;
    }
    if (*result == BZL_OK) {
        *result = bzl_fault_set(fault, st, 0, "", "%s", bzl_status_text(st));
    }
    return BZL_OK;
}

/* Starts the thread and the completion async on loop. Returns BZL_OK and *out (owned),
 * BZL_NO_MEMORY or BZL_IO_ERROR. */
bzl_status bzld_writer_start(uv_loop_t *loop, bzl_storage *store, uint32_t queue_max,
                             bzld_writer **out);

/* Queues job (loop thread). BZL_OK, or BZL_BUSY when queue_max jobs wait already, or
 * BZL_SHUTTING_DOWN after bzld_writer_stop began; job->done is never called then. */
bzl_status bzld_writer_push(bzld_writer *w, bzld_job *job);

/* cb(arg) runs on the loop after each batch of done() calls (once per wake-up), so the
 * daemon can flush replies once rather than per job. */
void bzld_writer_set_drained_cb(bzld_writer *w, void (*cb)(void *arg), void *arg);

/* Jobs pushed whose done() has not run yet. */
uint32_t bzld_writer_in_flight(const bzld_writer *w);

/* Copies the counters (any thread). */
void bzld_writer_stats_get(bzld_writer *w, bzld_writer_stats *out);

/* Stops accepting jobs, lets the thread finish what it holds, joins it and closes the async;
 * done() runs for every job already pushed before w is freed (in the async's close callback).
 * Loop thread; call when bzld_writer_in_flight is 0 for a clean stop. */
void bzld_writer_stop(bzld_writer *w);

#endif
