/* main.c — bzl-bench: options, the run's timeline, the daemon's counters and the report. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const char usage_text[] =
    "usage: bzl-bench --socket PATH [--setup] --connections N [--threads T] --inflight K\n"
    "                 --lines L --duration SECONDS [--reads FRACTION] [--rate PER_SECOND] "
    "[--json]\n"
    "                 [--warmup SECONDS] [--enterprises E] [--items I] [--batch D]\n"
    "                 [--decls TOTAL] [--label NAME]\n"
    "       bzl-bench --socket PATH --idle N --duration SECONDS\n"
    "\n"
    "A load generator for bzld over the client library.\n"
    "\n"
    "  --socket PATH      the daemon's socket (default $BZL_SOCKET, else ./bzl-data/bzld.sock)\n"
    "  --setup            first register E enterprises (one H-book each) with I material items\n"
    "                     and seed one balance per item; safe to repeat\n"
    "  --connections N    connections (default 16)\n"
    "  --threads T        threads driving them with poll(), each owning a contiguous share of\n"
    "                     the connections (default min(N, 2); more than N counts as N)\n"
    "  --inflight K       requests in flight per connection (closed loop; default 1)\n"
    "  --lines L          lines per declaration, on distinct items (default 1; at most I)\n"
    "  --batch D          declarations per request: 1 sends Submit, more send SubmitBatch\n"
    "  --reads FRACTION   share of requests that are point balance reads (default 0)\n"
    "  --rate R           open loop: R requests/s over all connections, K in flight at most;\n"
    "                     reports offered vs accepted, latency counted from the due time\n"
    "  --duration S       measured seconds (default 10)\n"
    "  --warmup S         seconds before the measurement, not counted (default 1)\n"
    "  --enterprises E    enterprises/books to spread over (default 16)\n"
    "  --items I          material items per book (default 100)\n"
    "  --decls TOTAL      stop after sending TOTAL declarations (loading; no time limit)\n"
    "  --idle N           hold N idle connections open for --duration seconds, then exit\n"
    "  --label NAME       a name carried into the JSON object\n"
    "  --json             print one JSON object after the human summary (on its own line)\n"
    "  --version          print bzl-bench's version and exit\n"
    "\n"
    "Exit status: 0 when every request succeeded, 1 when any failed, 2 usage, 3 no daemon.\n";

static int
usage_error(const char *what)
{
    fprintf(stderr, "bzl-bench: %s; try 'bzl-bench --help'\n", what);
    return 2;
}

static bool
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool
parse_double(const char *s, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        return false;
    }
    *out = v;
    return true;
}

static int
parse_args(int argc, char **argv, bench_opts *o)
{
    static const struct option options[] = {
        {"socket", required_argument, NULL, 's'},
        {"setup", no_argument, NULL, 'S'},
        {"connections", required_argument, NULL, 'c'},
        {"inflight", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"lines", required_argument, NULL, 'l'},
        {"batch", required_argument, NULL, 'b'},
        {"reads", required_argument, NULL, 'r'},
        {"rate", required_argument, NULL, 'R'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"enterprises", required_argument, NULL, 'e'},
        {"items", required_argument, NULL, 'i'},
        {"decls", required_argument, NULL, 'D'},
        {"idle", required_argument, NULL, 'I'},
        {"label", required_argument, NULL, 'L'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    uint32_t decls_m = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        bool ok = true;
        switch (opt) {
        case 's':
            o->socket_path = optarg;
            break;
        case 'S':
            o->setup = true;
            break;
        case 'c':
            ok = parse_u32(optarg, 1, BENCH_CONNECTIONS_MAX, &o->connections);
            break;
        case 't':
            ok = parse_u32(optarg, 1, BENCH_THREADS_MAX, &o->threads);
            break;
        case 'k':
            ok = parse_u32(optarg, 1, BENCH_INFLIGHT_MAX, &o->inflight);
            break;
        case 'l':
            ok = parse_u32(optarg, 1, BENCH_ITEMS_MAX, &o->lines);
            break;
        case 'b':
            ok = parse_u32(optarg, 1, BENCH_BATCH_MAX, &o->batch);
            break;
        case 'r':
            ok = parse_double(optarg, 0, 1, &o->reads);
            break;
        case 'R':
            ok = parse_double(optarg, 0, 1e9, &o->rate);
            break;
        case 'd':
            ok = parse_double(optarg, 0.1, 86400, &o->duration_s);
            break;
        case 'w':
            ok = parse_double(optarg, 0, 3600, &o->warmup_s);
            break;
        case 'e':
            ok = parse_u32(optarg, 1, BENCH_ENTERPRISES_MAX, &o->enterprises);
            break;
        case 'i':
            ok = parse_u32(optarg, 1, BENCH_ITEMS_MAX, &o->items);
            break;
        case 'D':
            ok = parse_u32(optarg, 1, UINT32_MAX, &decls_m);
            o->total_decls = decls_m;
            break;
        case 'I':
            ok = parse_u32(optarg, 1, BENCH_IDLE_MAX, &o->idle);
            break;
        case 'L':
            o->label = optarg;
            break;
        case 'j':
            o->json = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case 'V':
            printf("bzl-bench %s\n", BZL_VERSION);
            exit(0);
        default:
            return usage_error("unknown option");
        }
        if (!ok) {
            return usage_error("an option value is out of range");
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument");
    }
    if (o->lines > o->items) {
        return usage_error("--lines cannot exceed --items (lines use distinct items)");
    }
    /* Resolved here so the report and the JSON name the threads that actually ran. */
    if (o->threads == 0) {
        o->threads = BENCH_THREADS_DEFAULT;
    }
    if (o->threads > o->connections) {
        o->threads = o->connections;
    }
    return 0;
}

/* ---- the daemon's counters ---------------------------------------------------------------- */

typedef struct daemon_counters {
    uint64_t commits;
    uint64_t declarations;
    uint64_t journal_entries;
    uint64_t map_used_bytes;
    bool ok;
} daemon_counters;

static daemon_counters
counters_get(const char *socket_path)
{
    daemon_counters d = {0};
    bzl_client *c = NULL;
    char why[256];
    if (bzl_client_connect(socket_path, &c, why, sizeof why) != BZL_OK) {
        return d;
    }
    Bzl__V1__GetStats body = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &body;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, &req, &resp) == BZL_OK) {
        if (resp->result_case == BZL__V1__RESPONSE__RESULT_STATS) {
            d.commits = resp->stats->commits;
            d.declarations = resp->stats->declarations;
            d.journal_entries = resp->stats->journal_entries;
            d.map_used_bytes = resp->stats->map_used_bytes;
            d.ok = true;
        }
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
    return d;
}

/* ---- the run ------------------------------------------------------------------------------ */

static void
sleep_until(uint64_t t_ns)
{
    for (;;) {
        uint64_t now = bench_now_ns();
        if (now >= t_ns || atomic_load(&bench_g.stop)) {
            return;
        }
        uint64_t d = t_ns - now;
        struct timespec ts = {.tv_sec = (time_t)(d / 1000000000u),
                              .tv_nsec = (long)(d % 1000000000u)};
        nanosleep(&ts, NULL);
    }
}

/* Holds o->idle connected, silent clients for the duration, so the daemon's resident memory
 * per idle connection can be measured from outside. */
static int
run_idle(const bench_opts *o)
{
    bzl_client **cs = calloc(o->idle, sizeof *cs);
    if (cs == NULL) {
        return 1;
    }
    uint32_t n = 0;
    char why[256] = "";
    for (; n < o->idle; n++) {
        if (bzl_client_connect(o->socket_path, &cs[n], why, sizeof why) != BZL_OK) {
            break;
        }
    }
    printf("bzl-bench: %u idle connections open%s%s\n", n, n < o->idle ? "; stopped: " : "",
           n < o->idle ? why : "");
    fflush(stdout);
    sleep_until(bench_now_ns() + (uint64_t)(o->duration_s * 1e9));
    for (uint32_t i = 0; i < n; i++) {
        bzl_client_close(cs[i]);
    }
    free(cs);
    return n == o->idle ? 0 : 1;
}

typedef struct totals {
    bench_hist write_lat, read_lat;
    uint64_t writes_ok, reads_ok, decls_ok, errors, offered, not_sent;
    const char *first_error;
    bool failed;
} totals;

static void
totals_add(totals *t, const bench_worker *w)
{
    bench_hist_merge(&t->write_lat, &w->write_lat);
    bench_hist_merge(&t->read_lat, &w->read_lat);
    t->writes_ok += w->writes_ok;
    t->reads_ok += w->reads_ok;
    t->decls_ok += w->decls_ok;
    t->errors += w->errors;
    t->offered += w->offered;
    t->not_sent += w->not_sent;
    t->failed |= w->failed;
    if (t->first_error == NULL && w->first_error[0] != '\0') {
        t->first_error = w->first_error;
    }
}

static void
print_lat(const char *name, const bench_hist *h, bool json)
{
    if (json) {
        printf("\"%s\":{\"count\":%" PRIu64 ",\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,"
               "\"max_us\":%.1f,\"mean_us\":%.1f}",
               name, h->count, bench_hist_quantile(h, 0.5) / 1e3,
               bench_hist_quantile(h, 0.99) / 1e3, bench_hist_quantile(h, 0.999) / 1e3,
               h->max_ns / 1e3, h->count ? (double)h->sum_ns / (double)h->count / 1e3 : 0.0);
        return;
    }
    if (h->count == 0) {
        return;
    }
    printf("  %-6s latency  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  max %8.1f us\n", name,
           bench_hist_quantile(h, 0.5) / 1e3, bench_hist_quantile(h, 0.99) / 1e3,
           bench_hist_quantile(h, 0.999) / 1e3, h->max_ns / 1e3);
}

static void
report(const bench_opts *o, const totals *t, double secs, daemon_counters a, daemon_counters b)
{
    uint64_t commits = b.commits - a.commits;
    uint64_t decls = b.declarations - a.declarations;
    double dpc = commits ? (double)decls / (double)commits : 0;
    double reqs = (double)(t->writes_ok + t->reads_ok);
    printf("bzl-bench %s: %u conn x %u in flight on %u thread(s), %u line(s) x %u decl(s)/req, "
           "reads %.2f%s\n",
           o->label ? o->label : "", o->connections, o->inflight, o->threads, o->lines, o->batch,
           o->reads, o->rate > 0 ? " (open loop)" : "");
    printf("  %.2f s: %.0f req/s, %.0f decl/s, %.0f lines/s, %.0f reads/s, %" PRIu64 " errors\n",
           secs, reqs / secs, t->decls_ok / secs, (double)t->decls_ok * o->lines / secs,
           t->reads_ok / secs, t->errors);
    if (o->rate > 0) {
        printf("  offered %.0f req/s, not sent (K in flight) %" PRIu64 "\n", t->offered / secs,
               t->not_sent);
    }
    printf("  daemon: %" PRIu64 " commits, %.1f declarations/commit, journal %" PRIu64 "\n",
           commits, dpc, b.journal_entries);
    print_lat("write", &t->write_lat, false);
    print_lat("read", &t->read_lat, false);
    if (t->first_error != NULL) {
        printf("  first error: %s\n", t->first_error);
    }
    if (!o->json) {
        return;
    }
    printf("{\"label\":\"%s\",\"connections\":%u,\"threads\":%u,\"inflight\":%u,\"lines\":%u,"
           "\"batch\":%u,"
           "\"reads_fraction\":%.3f,\"rate\":%.0f,\"seconds\":%.3f,\"throughput_rps\":%.1f,"
           "\"decls_per_s\":%.1f,\"lines_per_s\":%.1f,\"reads_per_s\":%.1f,\"writes_per_s\":%.1f,"
           "\"offered_rps\":%.1f,\"not_sent\":%" PRIu64 ",\"errors\":%" PRIu64 ","
           "\"commits\":%" PRIu64 ",\"decls_per_commit\":%.2f,\"journal_entries\":%" PRIu64 ",",
           o->label ? o->label : "", o->connections, o->threads, o->inflight, o->lines, o->batch,
           o->reads, o->rate, secs, reqs / secs, t->decls_ok / secs,
           (double)t->decls_ok * o->lines / secs, t->reads_ok / secs, t->writes_ok / secs,
           t->offered / secs, t->not_sent, t->errors, commits, dpc, b.journal_entries);
    print_lat("write_latency", &t->write_lat, true);
    putchar(',');
    print_lat("read_latency", &t->read_lat, true);
    printf("}\n");
}

/* Starts o->threads workers, thread i owning connections [i*N/T, (i+1)*N/T): contiguous shares
 * that differ by at most one. Returns how many started; on a failure the rest are told to stop
 * and the run reports what the started ones did. */
static uint32_t
workers_start(const bench_opts *o, bench_worker *ws, uint64_t t0)
{
    BZL_ASSERT(o->threads >= 1);
    BZL_ASSERT(o->threads <= o->connections);
    uint32_t started = 0;
    for (; started < o->threads; started++) {
        bench_worker *w = &ws[started];
        uint32_t first = (uint32_t)((uint64_t)started * o->connections / o->threads);
        uint32_t end = (uint32_t)((uint64_t)(started + 1u) * o->connections / o->threads);
        w->o = o;
        w->index = started;
        w->conn_first = first;
        w->conn_count = end - first;
        w->rng = 0x9e3779b97f4a7c15ull * (started + 1) ^ t0;
        if (pthread_create(&w->thread, NULL, bench_worker_main, w) != 0) {
            fprintf(stderr, "bzl-bench: cannot start thread %u\n", started);
            atomic_store(&bench_g.stop, true);
            break;
        }
    }
    return started;
}

static int
run_load(const bench_opts *o)
{
    bench_worker *ws = calloc(o->threads, sizeof *ws);
    if (ws == NULL) {
        return 1;
    }
    uint64_t t0 = bench_now_ns();
    /* A load (--decls) counts everything; a timed run only its window after the warm-up. */
    bench_g.window_start_ns = t0 + (o->total_decls > 0 ? 0 : (uint64_t)(o->warmup_s * 1e9));
    bench_g.window_end_ns =
        o->total_decls > 0 ? UINT64_MAX : bench_g.window_start_ns + (uint64_t)(o->duration_s * 1e9);
    atomic_store(&bench_g.decls_budget, o->total_decls);
    uint32_t started = workers_start(o, ws, t0);
    daemon_counters a = {0}, b = {0};
    uint64_t win_start = t0, win_end = 0;
    if (o->total_decls == 0) {
        sleep_until(bench_g.window_start_ns);
        a = counters_get(o->socket_path);
        sleep_until(bench_g.window_end_ns);
        b = counters_get(o->socket_path);
        win_start = bench_g.window_start_ns;
        win_end = bench_g.window_end_ns;
    } else {
        a = counters_get(o->socket_path);
    }
    totals t = {0};
    for (uint32_t i = 0; i < started; i++) {
        pthread_join(ws[i].thread, NULL);
        totals_add(&t, &ws[i]);
    }
    if (o->total_decls > 0) {
        win_end = bench_now_ns();
        win_start = t0;
        b = counters_get(o->socket_path);
    }
    report(o, &t, (double)(win_end - win_start) / 1e9, a, b);
    int rc = t.errors > 0 || t.failed || started < o->threads ? 1 : 0;
    free(ws);
    return rc;
}

int
main(int argc, char **argv)
{
    bench_opts o = {
        .socket_path = bzl_client_default_socket(),
        .connections = 16,
        .inflight = 1,
        .lines = 1,
        .batch = 1,
        .duration_s = 10,
        .warmup_s = 1,
        .enterprises = 16,
        .items = 100,
    };
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    if (o.idle > 0) {
        return run_idle(&o);
    }
    if (o.setup && bench_setup(&o) != 0) {
        return 3;
    }
    bench_run_prefix_init();
    return run_load(&o);
}
