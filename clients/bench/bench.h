/* bench.h — what the files of bzl-bench share; private to clients/bench/.
 *
 * bzl-bench drives bzld through the client library only (clients/include/bzl/client.h): a
 * closed loop (N connections, K requests in flight on each) or an open loop (a target rate
 * spread over the connections, offered versus accepted), a mix of 1..L-line declarations and
 * point balance reads, a warm-up, then a measured window. It prints a human summary and,
 * with --json, one JSON object a script can parse. It never includes daemon code.
 *
 * Threads: T worker threads (--threads, default min(N, 2)) each own a contiguous share of the N
 * connections and drive them with poll(), the way pgbench -j drives its clients: a thread per
 * connection would put 64 client threads on the same two cores as the daemon, and the context
 * switches would stretch every round trip. Each client is used by its owning thread only (the
 * client library is not thread-safe). The main thread owns the options, the daemon's
 * statistics and the report.
 */
#ifndef BZL_BENCH_H
#define BZL_BENCH_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bzl/client.h"

/* ---- bounds --------------------------------------------------------------------------- */

/* Connections. 1,024 is the daemon's default connection cap. */
#define BENCH_CONNECTIONS_MAX 1024u
/* Worker threads: a thread owns at least one connection, so never more than connections. */
#define BENCH_THREADS_MAX BENCH_CONNECTIONS_MAX
/* Worker threads without --threads (capped at the connections): pgbench's -j 2 in the baseline
 * comparison, and one per core of the 2-core machine the acceptance runs on. */
#define BENCH_THREADS_DEFAULT 2u
/* The longest a worker sleeps in poll(): with nothing due it still wakes this often to notice
 * the stop flag. Well under any measured window. */
#define BENCH_POLL_IDLE_NS (100u * 1000u * 1000u)
static_assert(BENCH_THREADS_DEFAULT >= 1u, "a run needs a worker thread");
static_assert(BENCH_THREADS_DEFAULT <= BENCH_THREADS_MAX, "the default is a valid --threads");
/* Requests in flight on one connection: the daemon stops reading beyond its own cap
 * (BZL_CONN_INFLIGHT_MAX), so more would only measure its back-pressure. */
#define BENCH_INFLIGHT_MAX 256u
/* Enterprises (one book each) and items per book the workload spreads over. */
#define BENCH_ENTERPRISES_MAX 10000u
#define BENCH_ITEMS_MAX 1000u
/* Declarations per SubmitBatch with --batch: the daemon's default batch bound. */
#define BENCH_BATCH_MAX 1000u
/* Idle connections held open with --idle. */
#define BENCH_IDLE_MAX 100000u

/* Latency histogram: log-linear, 16 sub-buckets per power of two of nanoseconds (about 6%
 * resolution), up to 2^40 ns (18 minutes). */
#define BENCH_HIST_SUB 16u
#define BENCH_HIST_POWERS 41u
#define BENCH_HIST_BUCKETS (BENCH_HIST_SUB * BENCH_HIST_POWERS)

typedef struct bench_hist {
    uint64_t count;
    uint64_t max_ns;
    uint64_t sum_ns;
    uint64_t buckets[BENCH_HIST_BUCKETS];
} bench_hist;

void bench_hist_add(bench_hist *h, uint64_t ns);
void bench_hist_merge(bench_hist *into, const bench_hist *from);
/* The value below which a fraction q of the samples fall (upper bound of its bucket), 0 when
 * empty. */
uint64_t bench_hist_quantile(const bench_hist *h, double q);

/* ---- options ------------------------------------------------------------------------- */

typedef struct bench_opts {
    const char *socket_path;
    bool setup;
    bool json;
    uint32_t connections;
    uint32_t threads; /* worker threads, 1..connections (main resolves the default) */
    uint32_t inflight;
    uint32_t lines;
    uint32_t batch;       /* declarations per request: 1 = Submit, more = SubmitBatch */
    double reads;         /* share of requests that are point balance reads */
    double rate;          /* open loop: requests per second over all connections; 0 = closed */
    double duration_s;    /* measured window */
    double warmup_s;      /* before the window; its results are not counted */
    uint32_t enterprises; /* one book each */
    uint32_t items;       /* material items per book */
    uint64_t total_decls; /* with --decls: stop after this many declarations (loading) */
    uint32_t idle;        /* --idle N: hold N idle connections open for --duration */
    const char *label;    /* a name for the JSON object */
} bench_opts;

/* ---- one worker thread per share of the connections ------------------------------------- */

typedef struct bench_worker {
    const bench_opts *o;
    uint32_t index;      /* thread number */
    uint32_t conn_first; /* connections [conn_first, conn_first + conn_count) are its own */
    uint32_t conn_count;
    pthread_t thread;
    uint64_t rng;
    /* results, counted only for requests that complete inside the measured window */
    bench_hist write_lat;
    bench_hist read_lat;
    uint64_t writes_ok;
    uint64_t reads_ok;
    uint64_t decls_ok;
    uint64_t errors;
    uint64_t offered;    /* open loop: sends scheduled in the window */
    uint64_t not_sent;   /* open loop: scheduled while K were already in flight */
    uint64_t decls_sent; /* all declarations sent, window or not (for --decls) */
    char first_error[200];
    bool failed; /* a connection failed (transport, or a response out of order) */
} bench_worker;

/* The shared clock of a run: nanoseconds of CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* Shared between main and workers. */
typedef struct bench_run {
    uint64_t window_start_ns;
    uint64_t window_end_ns;
    _Atomic uint64_t decls_budget; /* --decls: declarations still to send */
    atomic_bool stop;
} bench_run;

extern bench_run bench_g;

/* Worker thread body (work.c). */
void *bench_worker_main(void *arg);

/* Registers the enterprises, books and items the workload uses, and seeds one balance per
 * item so point reads find a row. Returns 0 or prints why and returns 1. */
int bench_setup(const bench_opts *o);

/* Chooses this run's declaration-id prefix; once, before the workers start. */
void bench_run_prefix_init(void);

/* Workload names (work.c), shared with setup so they agree. */
void bench_enterprise_code(uint32_t e, char out[11]);
void bench_book_no(uint32_t e, char out[13]);

#endif
