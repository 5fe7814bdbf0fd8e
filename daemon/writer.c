/* writer.c — the batching writer thread: one LMDB write transaction and one commit per batch. */
#include "writer.h"

#include <stdlib.h>

#include "log.h"

struct bzld_writer {
    uv_loop_t *loop;
    bzl_storage *store;
    uv_async_t async; /* writer → loop: completions are waiting */
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t cv;
    /* Under mu. */
    bzld_job *queue_head, *queue_tail;
    uint32_t queued;
    bzld_job *done_head, *done_tail;
    bool stop;
    bzld_writer_stats stats;
    /* Loop thread only. */
    uint32_t queue_max;
    uint32_t in_flight;
    void (*drained_cb)(void *arg);
    void *drained_arg;
    bool thread_started;
};

/* ---- writer thread ---------------------------------------------------------------------- */

/* Takes jobs off the queue until the batch holds BZL_WRITER_BATCH_DECLS_MAX declarations; a
 * single job bigger than that still goes alone. Caller holds mu. */
static bzld_job *
take_batch(bzld_writer *w, uint32_t *decls_out)
{
    bzld_job *batch = w->queue_head;
    bzld_job *last = NULL;
    uint32_t decls = 0;
    for (bzld_job *j = w->queue_head; j != NULL; j = j->next) {
        if (last != NULL && decls + j->decls > BZL_WRITER_BATCH_DECLS_MAX) {
            break;
        }
        decls += j->decls;
        last = j;
        w->queued--;
    }
    BZL_ASSERT(last != NULL);
    w->queue_head = last->next;
    if (w->queue_head == NULL) {
        w->queue_tail = NULL;
    }
    last->next = NULL;
    *decls_out = decls;
    return batch;
}

/* Applies every job in one transaction and commits. On a full map: abort, grow, replay. */
static bzl_status
apply_batch(bzld_writer *w, bzld_job *batch)
{
    for (;;) {
        bzl_txn *txn = NULL;
        bzl_status st = bzl_txn_begin(w->store, NULL, true, &txn);
        for (bzld_job *j = batch; st == BZL_OK && j != NULL; j = j->next) {
            st = j->apply(j, txn);
        }
        if (st == BZL_OK) {
            st = bzl_txn_commit(txn);
        } else if (txn != NULL) {
            bzl_txn_abort(txn);
        }
        if (st != BZL_STORAGE_FULL) {
            return st;
        }
        bzl_status grown = bzl_storage_grow(w->store);
        if (grown != BZL_OK) {
            bzld_log(BZLD_LOG_ERR, "ledger map is at its configured maximum; writes refused");
            return BZL_STORAGE_FULL;
        }
        uv_mutex_lock(&w->mu);
        w->stats.map_grows++;
        uv_mutex_unlock(&w->mu);
        bzld_log(BZLD_LOG_NOTICE, "ledger map grown; replaying the batch");
    }
}

/* The power-of-two bucket of v among buckets (the last one takes everything above). */
static unsigned
hist_bucket(uint64_t v, unsigned buckets)
{
    unsigned b = 0;
    while (v > 1 && b + 1 < buckets) {
        v >>= 1;
        b++;
    }
    return b;
}

static void
writer_main(void *arg)
{
    bzld_writer *w = arg;
    for (;;) {
        uv_mutex_lock(&w->mu);
        while (w->queue_head == NULL && !w->stop) {
            uv_cond_wait(&w->cv, &w->mu);
        }
        if (w->queue_head == NULL) {
            uv_mutex_unlock(&w->mu);
            break;
        }
        uint32_t decls = 0;
        bzld_job *batch = take_batch(w, &decls);
        uv_mutex_unlock(&w->mu);

        uint64_t t0 = uv_hrtime();
        bzl_status st = apply_batch(w, batch);
        uint64_t us = (uv_hrtime() - t0) / 1000;
        if (st != BZL_OK) {
            bzld_log(BZLD_LOG_ERR, "write batch of %u declarations failed: %s", decls,
                     bzl_status_name(st));
        }
        bzld_job *last = batch;
        uint64_t jobs = 0;
        for (bzld_job *j = batch; j != NULL; j = j->next) {
            j->batch_status = st;
            last = j;
            jobs++;
        }
        uv_mutex_lock(&w->mu);
        if (w->done_tail != NULL) {
            w->done_tail->next = batch;
        } else {
            w->done_head = batch;
        }
        w->done_tail = last;
        if (st == BZL_OK) {
            w->stats.commits++;
            w->stats.declarations += decls;
            w->stats.commit_us_total += us;
            w->stats.decls_per_commit_hist[hist_bucket(
                decls, BZL_ARRAY_LEN(w->stats.decls_per_commit_hist))]++;
            w->stats.commit_us_hist[hist_bucket(us, BZL_ARRAY_LEN(w->stats.commit_us_hist))]++;
            if (us > w->stats.commit_us_max) {
                w->stats.commit_us_max = us;
            }
        }
        w->stats.jobs += jobs;
        uv_mutex_unlock(&w->mu);
        uv_async_send(&w->async);
    }
}

/* ---- loop thread -------------------------------------------------------------------------- */

/* uv_async_send coalesces, so each wake-up drains every completion waiting. */
static void
writer_async_cb(uv_async_t *handle)
{
    bzld_writer *w = handle->data;
    uv_mutex_lock(&w->mu);
    bzld_job *j = w->done_head;
    w->done_head = w->done_tail = NULL;
    uv_mutex_unlock(&w->mu);
    while (j != NULL) {
        bzld_job *next = j->next;
        j->next = NULL;
        BZL_ASSERT(w->in_flight > 0);
        w->in_flight--;
        j->done(j, j->batch_status);
        j = next;
    }
    if (w->drained_cb != NULL) {
        w->drained_cb(w->drained_arg);
    }
}

void
bzld_writer_set_drained_cb(bzld_writer *w, void (*cb)(void *arg), void *arg)
{
    w->drained_cb = cb;
    w->drained_arg = arg;
}

bzl_status
bzld_writer_start(uv_loop_t *loop, bzl_storage *store, uint32_t queue_max, bzld_writer **out)
{
    BZL_ASSERT(queue_max > 0);
    bzld_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        return BZL_NO_MEMORY;
    }
    w->loop = loop;
    w->store = store;
    w->queue_max = queue_max;
    if (uv_mutex_init(&w->mu) != 0) {
        free(w);
        return BZL_IO_ERROR;
    }
    if (uv_cond_init(&w->cv) != 0) {
        goto fail_mutex;
    }
    if (uv_async_init(loop, &w->async, writer_async_cb) != 0) {
        goto fail_cond;
    }
    w->async.data = w;
    if (uv_thread_create(&w->thread, writer_main, w) != 0) {
        /* The async is initialised: it must be closed through the loop. */
        w->thread_started = false;
        uv_close((uv_handle_t *)&w->async, NULL);
        uv_run(loop, UV_RUN_NOWAIT);
        goto fail_cond;
    }
    w->thread_started = true;
    *out = w;
    return BZL_OK;
fail_cond:
    uv_cond_destroy(&w->cv);
fail_mutex:
    uv_mutex_destroy(&w->mu);
    free(w);
    return BZL_IO_ERROR;
}

bzl_status
bzld_writer_push(bzld_writer *w, bzld_job *job)
{
    BZL_ASSERT(job->apply != NULL && job->done != NULL);
    uv_mutex_lock(&w->mu);
    if (w->stop) {
        uv_mutex_unlock(&w->mu);
        return BZL_SHUTTING_DOWN;
    }
    if (w->queued >= w->queue_max) {
        uv_mutex_unlock(&w->mu);
        return BZL_BUSY;
    }
    job->next = NULL;
    if (w->queue_tail != NULL) {
        w->queue_tail->next = job;
    } else {
        w->queue_head = job;
    }
    w->queue_tail = job;
    w->queued++;
    w->stats.queue_depth = w->queued;
    if (w->queued > w->stats.queue_depth_max) {
        w->stats.queue_depth_max = w->queued;
    }
    uv_cond_signal(&w->cv);
    uv_mutex_unlock(&w->mu);
    w->in_flight++;
    return BZL_OK;
}

uint32_t
bzld_writer_in_flight(const bzld_writer *w)
{
    return w->in_flight;
}

void
bzld_writer_stats_get(bzld_writer *w, bzld_writer_stats *out)
{
    uv_mutex_lock(&w->mu);
    *out = w->stats;
    out->queue_depth = w->queued;
    uv_mutex_unlock(&w->mu);
}

static void
writer_close_cb(uv_handle_t *handle)
{
    bzld_writer *w = handle->data;
    uv_cond_destroy(&w->cv);
    uv_mutex_destroy(&w->mu);
    free(w);
}

void
bzld_writer_stop(bzld_writer *w)
{
    uv_mutex_lock(&w->mu);
    w->stop = true;
    uv_cond_signal(&w->cv);
    uv_mutex_unlock(&w->mu);
    if (w->thread_started) {
        uv_thread_join(&w->thread);
    }
    /* The thread is gone: deliver what it finished last, then release the async. */
    writer_async_cb(&w->async);
    BZL_ASSERT(w->in_flight == 0);
    uv_close((uv_handle_t *)&w->async, writer_close_cb);
}
