/* work.c — bzl-bench's workload: names, setup, and the closed- and open-loop workers. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bzl/codes.h"

bench_run bench_g;

/* Every declaration is a material import under 5015 (进料对口) of one unit worth one USD:
 * always accepted, so the run measures the ledger path, not refusals. */
#define BENCH_TRADE_MODE "5015"
#define BENCH_DATE "2026-03-01"
#define BENCH_UNIT "035"
#define BENCH_CURRENCY "502"
#define BENCH_HS "8542319000"

/* A run's declaration ids start with this, so a second run does not replay the first. */
static char run_prefix[24];

uint64_t
bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
rng_next(uint64_t *s)
{
    /* xorshift64*: fast, good enough to spread items and choose reads. */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 2685821657736338717ull;
}

static double
rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / (double)(1ull << 53);
}

/* ---- names ------------------------------------------------------------------------------ */

/* prefix then n as width zero-padded decimal digits (n < 10^width) and a NUL. */
static void
code_with_number(char *out, const char *prefix, uint32_t n, unsigned width)
{
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    for (unsigned i = 0; i < width; i++) {
        out[p + width - 1u - i] = (char)('0' + n % 10u);
        n /= 10u;
    }
    out[p + width] = '\0';
}

void
bench_enterprise_code(uint32_t e, char out[11])
{
    code_with_number(out, "BZB", e + 1, 7);
}

void
bench_book_no(uint32_t e, char out[13])
{
    code_with_number(out, "HBZB", e + 1, 8);
}

/* A USCC that passes the GB 32100 check: 17 characters, then the check character. */
static void
bench_uscc(uint32_t e, char out[19])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const unsigned weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                         29, 25, 13, 8,  24, 10, 30, 28};
    code_with_number(out, "911100000", e + 1, 8);
    unsigned sum = 0;
    for (int i = 0; i < 17; i++) {
        sum += (unsigned)(strchr(alphabet, out[i]) - alphabet) * weights[i];
    }
    out[17] = alphabet[(31u - sum % 31u) % 31u];
    out[18] = '\0';
}

/* ---- requests ----------------------------------------------------------------------------- */

/* The protobuf structures of one declaration, reused for every request a worker sends:
 * the client packs a request before bzl_client_send returns. */
typedef struct decl_buf {
    Bzl__V1__Declaration decl;
    Bzl__V1__DeclarationLine *line_store;
    Bzl__V1__DeclarationLine **lines;
    char id[64];
    char enterprise[11];
    char book[13];
} decl_buf;

static int
decl_buf_init(decl_buf *b, uint32_t lines)
{
    b->line_store = calloc(lines, sizeof *b->line_store);
    b->lines = calloc(lines, sizeof *b->lines);
    if (b->line_store == NULL || b->lines == NULL) {
        return -1;
    }
    bzl__v1__declaration__init(&b->decl);
    b->decl.id = b->id;
    b->decl.enterprise = b->enterprise;
    b->decl.book = b->book;
    b->decl.kind = BZL__V1__KIND__KIND_MATERIAL;
    b->decl.direction = BZL__V1__DIRECTION__DIRECTION_IN;
    b->decl.trade_mode = BENCH_TRADE_MODE;
    b->decl.date = BENCH_DATE;
    b->decl.n_lines = lines;
    b->decl.lines = b->lines;
    for (uint32_t i = 0; i < lines; i++) {
        Bzl__V1__DeclarationLine *l = &b->line_store[i];
        bzl__v1__declaration_line__init(l);
        l->qty = "1";
        l->unit = BENCH_UNIT;
        l->value = "1";
        l->currency = BENCH_CURRENCY;
        b->lines[i] = l;
    }
    return 0;
}

static void
decl_buf_deinit(decl_buf *b)
{
    free(b->line_store);
    free(b->lines);
}

/* Fills b as declaration number seq of connection conn_index, with worker w's generator: a
 * random book, lines on distinct items. The id names the connection, unique within the run. */
static void
decl_buf_fill(decl_buf *b, bench_worker *w, uint32_t conn_index, uint64_t seq)
{
    const bench_opts *o = w->o;
    uint32_t e = (uint32_t)(rng_next(&w->rng) % o->enterprises);
    uint32_t first = (uint32_t)(rng_next(&w->rng) % o->items);
    bench_enterprise_code(e, b->enterprise);
    bench_book_no(e, b->book);
    snprintf(b->id, sizeof b->id, "%s-%" PRIu32 "-%" PRIu64, run_prefix, conn_index, seq);
    for (uint32_t i = 0; i < b->decl.n_lines; i++) {
        b->line_store[i].item = (first + i) % o->items + 1;
    }
}

/* ---- setup ---------------------------------------------------------------------------- */

/* Sends reqs pipelined and checks the answers; ALREADY_EXISTS is fine (a second setup). */
static int
setup_call(bzl_client *c, Bzl__V1__Request *req, const char *what)
{
    Bzl__V1__Response *resp = NULL;
    bzl_status st = bzl_client_call(c, req, &resp);
    if (st != BZL_OK) {
        fprintf(stderr, "bzl-bench: setup %s: %s: %s\n", what, bzl_status_name(st),
                bzl_client_error(c));
        return 1;
    }
    int rc = 0;
    if (resp->status != BZL__V1__STATUS__STATUS_OK &&
        resp->status != BZL__V1__STATUS__STATUS_ALREADY_EXISTS) {
        fprintf(stderr, "bzl-bench: setup %s: %s\n", what, resp->message);
        rc = 1;
    } else if (resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT &&
               resp->submit->status != BZL__V1__STATUS__STATUS_OK) {
        fprintf(stderr, "bzl-bench: setup %s: %s\n", what, resp->submit->message);
        rc = 1;
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

static int
setup_enterprise(bzl_client *c, const bench_opts *o, uint32_t e)
{
    char code[11], uscc[19], book_no[13], name[40];
    bench_enterprise_code(e, code);
    bench_uscc(e, uscc);
    bench_book_no(e, book_no);
    snprintf(name, sizeof name, "bench enterprise %" PRIu32, e + 1);
    Bzl__V1__Enterprise ent = BZL__V1__ENTERPRISE__INIT;
    ent.code = code;
    ent.uscc = uscc;
    ent.name = name;
    ent.area = "core bonded zone";
    Bzl__V1__RegisterEnterprise reg = BZL__V1__REGISTER_ENTERPRISE__INIT;
    reg.enterprise = &ent;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &reg;
    if (setup_call(c, &req, "enterprise") != 0) {
        return 1;
    }
    Bzl__V1__Book book = BZL__V1__BOOK__INIT;
    book.book = book_no;
    book.enterprise = code;
    Bzl__V1__OpenBook open = BZL__V1__OPEN_BOOK__INIT;
    open.book = &book;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &open;
    if (setup_call(c, &req, "book") != 0) {
        return 1;
    }
    for (uint32_t i = 1; i <= o->items; i++) {
        char item_name[32];
        snprintf(item_name, sizeof item_name, "bench material %" PRIu32, i);
        Bzl__V1__Item item = BZL__V1__ITEM__INIT;
        item.book = book_no;
        item.kind = BZL__V1__KIND__KIND_MATERIAL;
        item.item = i;
        item.hs = BENCH_HS;
        item.name = item_name;
        item.unit = BENCH_UNIT;
        Bzl__V1__AddItem add = BZL__V1__ADD_ITEM__INIT;
        add.item = &item;
        req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
        req.add_item = &add;
        if (setup_call(c, &req, "item") != 0) {
            return 1;
        }
    }
    return 0;
}

/* One declaration per book touching every item, so each item has a balance row to read. The
 * id is fixed, so a second setup replays it instead of posting again. */
static int
setup_seed(bzl_client *c, const bench_opts *o, uint32_t e)
{
    decl_buf b;
    if (decl_buf_init(&b, o->items) != 0) {
        return 1;
    }
    bench_enterprise_code(e, b.enterprise);
    bench_book_no(e, b.book);
    snprintf(b.id, sizeof b.id, "BENCH-SEED-%s", b.book);
    for (uint32_t i = 0; i < o->items; i++) {
        b.line_store[i].item = i + 1;
    }
    Bzl__V1__SubmitDeclaration sub = BZL__V1__SUBMIT_DECLARATION__INIT;
    sub.declaration = &b.decl;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT;
    req.submit = &sub;
    int rc = setup_call(c, &req, "seed declaration");
    decl_buf_deinit(&b);
    return rc;
}

int
bench_setup(const bench_opts *o)
{
    bzl_client *c = NULL;
    char why[256];
    if (bzl_client_connect(o->socket_path, &c, why, sizeof why) != BZL_OK) {
        fprintf(stderr, "bzl-bench: %s\n", why);
        return 1;
    }
    int rc = 0;
    for (uint32_t e = 0; e < o->enterprises && rc == 0; e++) {
        rc = setup_enterprise(c, o, e);
        if (rc == 0) {
            rc = setup_seed(c, o, e);
        }
    }
    bzl_client_close(c);
    return rc;
}

/* ---- the worker: state -------------------------------------------------------------------- */

/* One request in flight: its id (responses come back in request order on a connection, so the
 * next response must carry the oldest one's id), when it was sent (closed loop) or due (open
 * loop), and what it was. */
typedef struct inflight {
    uint64_t id;
    uint64_t t0_ns;
    uint32_t decls;
    bool read;
} inflight;

/* One connection of a worker. Its requests in flight form a ring of K slots, oldest at head. */
typedef struct conn {
    bzl_client *c;  /* owned; NULL once closed after a failure */
    inflight *ring; /* o->inflight slots, borrowed from worker_ctx.ring_store */
    uint32_t index; /* over all the run's connections: names its declaration ids */
    uint32_t head;
    uint32_t count;  /* requests in flight, at most o->inflight */
    uint64_t seq;    /* declarations sent on this connection */
    uint64_t due_ns; /* open loop: when its next request is due */
    bool sending;    /* false once its window ended, the --decls budget ran out or it failed */
} conn;

/* What one worker thread drives: its share of the connections and the poll set over them. */
typedef struct worker_ctx {
    bench_worker *w;
    conn *conns;          /* w->conn_count, owned */
    inflight *ring_store; /* w->conn_count * o->inflight, owned */
    struct pollfd *pfds;  /* w->conn_count, owned; rebuilt before every poll */
    uint32_t *pfd_conn;   /* pfds[j] watches conns[pfd_conn[j]]; owned */
    decl_buf *bufs;       /* one per declaration of a batch, reused by every connection */
    Bzl__V1__Declaration **batch_ptrs;
    char book[13];
} worker_ctx;

/* Counts an error and keeps the first one's text: what, then ": ", then the detail. */
static void
worker_error(bench_worker *w, const char *what, const char *detail)
{
    w->errors++;
    if (w->first_error[0] != '\0') {
        return;
    }
    size_t cap = sizeof w->first_error - 1u;
    size_t n = strlen(what);
    n = n < cap ? n : cap;
    memcpy(w->first_error, what, n);
    size_t d = strlen(detail);
    if (n + 2u + d > cap) {
        d = cap > n + 2u ? cap - n - 2u : 0;
    }
    if (n + 2u <= cap) {
        memcpy(w->first_error + n, ": ", 2);
        memcpy(w->first_error + n + 2u, detail, d);
        n += 2u + d;
    }
    w->first_error[n] = '\0';
}

/* A transport failure or a response out of order: the connection's framing can no longer be
 * trusted, so it is closed and what it had in flight is dropped. The worker's other
 * connections go on, as the other threads did when there was one thread per connection. */
static void
conn_fail(worker_ctx *x, conn *k, const char *what, const char *detail)
{
    BZL_ASSERT(k->c != NULL);
    worker_error(x->w, what, detail); /* copies detail, which may be borrowed from k->c */
    x->w->failed = true;
    bzl_client_close(k->c);
    k->c = NULL;
    k->count = 0;
    k->sending = false;
}

/* Whether requests may still be sent at now: inside the run and not stopped. */
static bool
run_sending(uint64_t now)
{
    return now < bench_g.window_end_ns && !atomic_load(&bench_g.stop);
}

/* ---- the worker: requests and responses --------------------------------------------------- */

/* Fills req as a point balance read of a random item; q and x->book back it until sent. */
static void
request_read(worker_ctx *x, Bzl__V1__Request *req, Bzl__V1__QueryBalances *q)
{
    const bench_opts *o = x->w->o;
    uint32_t e = (uint32_t)(rng_next(&x->w->rng) % o->enterprises);
    bench_book_no(e, x->book);
    q->book = x->book;
    q->kind = BZL__V1__KIND__KIND_MATERIAL;
    q->item = (uint32_t)(rng_next(&x->w->rng) % o->items) + 1;
    req->body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req->balances = q;
}

/* Declarations for the next write: --batch, fewer when the --decls budget is nearly spent, 0
 * once it is spent. The budget is shared by every thread. */
static uint32_t
decls_take(const bench_opts *o)
{
    if (o->total_decls == 0) {
        return o->batch;
    }
    uint64_t left = atomic_load(&bench_g.decls_budget);
    uint32_t decls;
    do {
        if (left == 0) {
            return 0;
        }
        decls = left < o->batch ? (uint32_t)left : o->batch;
    } while (!atomic_compare_exchange_weak(&bench_g.decls_budget, &left, left - decls));
    return decls;
}

/* Fills req with decls declarations of connection k: Submit with --batch 1, else SubmitBatch.
 * sub, batch and x->bufs back it until sent. */
static void
request_write(worker_ctx *x, conn *k, uint32_t decls, Bzl__V1__Request *req,
              Bzl__V1__SubmitDeclaration *sub, Bzl__V1__SubmitBatch *batch)
{
    BZL_ASSERT(decls >= 1);
    BZL_ASSERT(decls <= x->w->o->batch);
    for (uint32_t i = 0; i < decls; i++) {
        decl_buf_fill(&x->bufs[i], x->w, k->index, k->seq++);
        x->batch_ptrs[i] = &x->bufs[i].decl;
    }
    if (x->w->o->batch == 1) {
        sub->declaration = &x->bufs[0].decl;
        req->body_case = BZL__V1__REQUEST__BODY_SUBMIT;
        req->submit = sub;
    } else {
        batch->n_declarations = decls;
        batch->declarations = x->batch_ptrs;
        req->body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
        req->submit_batch = batch;
    }
}

/* Sends connection k's next request; t0 is its send (closed loop) or due (open loop) time. The
 * client writes the whole frame before returning (a blocking write, which a request of a few
 * hundred bytes completes at once). Returns false when nothing was sent: the --decls budget is
 * spent, or the connection failed and is closed. */
static bool
conn_send(worker_ctx *x, conn *k, uint64_t t0_ns)
{
    bench_worker *w = x->w;
    const bench_opts *o = w->o;
    BZL_ASSERT(k->c != NULL);
    BZL_ASSERT(k->count < o->inflight);
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__SubmitDeclaration sub = BZL__V1__SUBMIT_DECLARATION__INIT;
    Bzl__V1__SubmitBatch batch = BZL__V1__SUBMIT_BATCH__INIT;
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    bool read = o->reads > 0 && rng_unit(&w->rng) < o->reads;
    uint32_t decls = 0;
    if (read) {
        request_read(x, &req, &q);
    } else {
        decls = decls_take(o);
        if (decls == 0) {
            return false;
        }
        request_write(x, k, decls, &req, &sub, &batch);
    }
    if (bzl_client_send(k->c, &req) != BZL_OK) {
        conn_fail(x, k, "send", bzl_client_error(k->c));
        return false;
    }
    w->decls_sent += decls;
    k->ring[(k->head + k->count) % o->inflight] =
        (inflight){.id = req.id, .t0_ns = t0_ns, .decls = decls, .read = read};
    k->count++;
    return true;
}

/* Counts the declarations a reply accepted; any refusal is an error. */
static uint32_t
reply_accepted(bench_worker *w, const Bzl__V1__Response *resp)
{
    if (resp->status != BZL__V1__STATUS__STATUS_OK) {
        worker_error(w, "daemon", resp->message);
        return 0;
    }
    uint32_t ok = 0;
    if (resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT) {
        const Bzl__V1__SubmitResult *r = resp->submit;
        if (r->status == BZL__V1__STATUS__STATUS_OK && !r->replayed) {
            ok = 1;
        } else {
            worker_error(w, "declaration refused", r->message);
        }
    } else if (resp->result_case == BZL__V1__RESPONSE__RESULT_BATCH) {
        for (size_t i = 0; i < resp->batch->n_results; i++) {
            const Bzl__V1__SubmitResult *r = resp->batch->results[i];
            if (r->status == BZL__V1__STATUS__STATUS_OK && !r->replayed) {
                ok++;
            } else {
                worker_error(w, "declaration refused", r->message);
            }
        }
    }
    return ok;
}

/* Records the response to request f, received at now: counted only inside the window. */
static void
reply_record(bench_worker *w, const inflight *f, const Bzl__V1__Response *resp, uint64_t now)
{
    bool in_window = now >= bench_g.window_start_ns && now < bench_g.window_end_ns;
    if (f->read) {
        if (resp->status != BZL__V1__STATUS__STATUS_OK) {
            worker_error(w, "read", resp->message);
        } else if (in_window) {
            w->reads_ok++;
            bench_hist_add(&w->read_lat, now - f->t0_ns);
        }
        return;
    }
    uint32_t ok = reply_accepted(w, resp);
    if (in_window && ok > 0) {
        w->writes_ok++;
        w->decls_ok += ok;
        bench_hist_add(&w->write_lat, now - f->t0_ns);
    }
}

/* Receives connection k's next response, checks that it answers the oldest request in flight,
 * and records it. Returns false when the connection failed and is closed. */
static bool
conn_recv(worker_ctx *x, conn *k)
{
    BZL_ASSERT(k->c != NULL);
    BZL_ASSERT(k->count > 0);
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_recv(k->c, &resp) != BZL_OK) {
        conn_fail(x, k, "recv", bzl_client_error(k->c));
        return false;
    }
    uint64_t now = bench_now_ns();
    inflight f = k->ring[k->head];
    if (resp->id != f.id) {
        char detail[96];
        snprintf(detail, sizeof detail,
                 "response id %" PRIu64 " on connection %" PRIu32
                 ", oldest request in flight %" PRIu64,
                 resp->id, k->index, f.id);
        bzl__v1__response__free_unpacked(resp, NULL);
        conn_fail(x, k, "response out of order", detail);
        return false;
    }
    k->head = (k->head + 1) % x->w->o->inflight;
    k->count--;
    reply_record(x->w, &f, resp, now);
    bzl__v1__response__free_unpacked(resp, NULL);
    return true;
}

/* Closed loop: tops connection k up to K in flight while the run lasts. At most K sends. */
static void
conn_refill(worker_ctx *x, conn *k)
{
    while (k->sending && k->count < x->w->o->inflight) {
        uint64_t now = bench_now_ns();
        if (!run_sending(now) || !conn_send(x, k, now)) {
            k->sending = false;
        }
    }
}

/* Takes the responses connection k has: one recv (the socket was readable, or bytes wait in
 * the client's buffer), then more while bytes stay buffered. Bounded by the client's 64 KiB
 * read buffer: every pass consumes one response from it. A buffered partial frame makes the
 * next recv wait for its rest, which the daemon has already written or is writing. In the
 * closed loop each response releases the next request at once, as with a thread per
 * connection. */
static void
conn_drain(worker_ctx *x, conn *k, bool closed)
{
    do {
        if (!conn_recv(x, k)) {
            return;
        }
        if (closed) {
            conn_refill(x, k);
        }
    } while (k->c != NULL && k->count > 0 && bzl_client_buffered(k->c));
}

/* ---- the worker: the poll loop ------------------------------------------------------------ */

/* Fills the poll set with the connections that have requests in flight. Returns how many, and
 * *ready when one of them already holds response bytes, which poll would not report. */
static uint32_t
worker_watch(worker_ctx *x, bool *ready)
{
    uint32_t n = 0;
    *ready = false;
    for (uint32_t i = 0; i < x->w->conn_count; i++) {
        const conn *k = &x->conns[i];
        if (k->count == 0) {
            continue;
        }
        BZL_ASSERT(k->c != NULL);
        *ready = *ready || bzl_client_buffered(k->c);
        x->pfds[n] = (struct pollfd){.fd = bzl_client_fd(k->c), .events = POLLIN};
        x->pfd_conn[n] = i;
        n++;
    }
    return n;
}

/* Waits up to timeout_ns for the n connections worker_watch chose (with n 0 it only sleeps),
 * then drains each one with a response. A poll failure other than a signal (ENOMEM) fails
 * them all: the worker could no longer tell which has data. */
static void
worker_wait(worker_ctx *x, uint32_t n, uint64_t timeout_ns, bool closed)
{
    BZL_ASSERT(n <= x->w->conn_count);
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                          .tv_nsec = (long)(timeout_ns % 1000000000u)};
    int rc = ppoll(x->pfds, n, &ts, NULL);
    if (rc < 0 && errno != EINTR) {
        char buf[128];
        const char *why = strerror_r(errno, buf, sizeof buf); /* glibc's: returns the text */
        for (uint32_t j = 0; j < n; j++) {
            conn_fail(x, &x->conns[x->pfd_conn[j]], "poll", why);
        }
        return;
    }
    for (uint32_t j = 0; j < n; j++) {
        conn *k = &x->conns[x->pfd_conn[j]];
        bool has =
            k->c != NULL && ((rc > 0 && x->pfds[j].revents != 0) || bzl_client_buffered(k->c));
        if (has) {
            conn_drain(x, k, closed);
        }
    }
}

/* Closed loop: keep K in flight on every connection; each reply releases the next request.
 * Ends when the window is over and every connection has its answers. */
static void
worker_closed(worker_ctx *x)
{
    for (uint32_t i = 0; i < x->w->conn_count; i++) {
        conn_refill(x, &x->conns[i]);
    }
    bool ready = false;
    uint32_t n;
    while ((n = worker_watch(x, &ready)) > 0) {
        worker_wait(x, n, ready ? 0 : BENCH_POLL_IDLE_NS, true);
    }
}

/* Open loop: sends every request that has fallen due on each connection, and returns when the
 * next one falls due (UINT64_MAX when no connection sends any more). A due request finding K
 * in flight is counted as not sent. Each catch-up loop is bounded by the time elapsed divided
 * by the interval. */
static uint64_t
open_send_due(worker_ctx *x, uint64_t interval_ns, uint64_t now)
{
    bench_worker *w = x->w;
    uint64_t next = UINT64_MAX;
    for (uint32_t i = 0; i < w->conn_count; i++) {
        conn *k = &x->conns[i];
        k->sending = k->sending && run_sending(now);
        while (k->sending && now >= k->due_ns) {
            bool in_window = k->due_ns >= bench_g.window_start_ns;
            w->offered += in_window;
            if (k->count < w->o->inflight) {
                k->sending = conn_send(x, k, k->due_ns);
            } else {
                w->not_sent += in_window;
            }
            k->due_ns += interval_ns;
        }
        if (k->sending && k->due_ns < next) {
            next = k->due_ns;
        }
    }
    return next;
}

/* Open loop: requests are due on a fixed schedule per connection whether or not earlier ones
 * returned; latency counts from the due time, so a stalled daemon cannot hide its queueing.
 * The worker sleeps in poll until the earliest due time or a response. */
static void
worker_open(worker_ctx *x)
{
    bench_worker *w = x->w;
    const bench_opts *o = w->o;
    uint64_t interval_ns = (uint64_t)(1e9 * (double)o->connections / o->rate);
    interval_ns = interval_ns > 0 ? interval_ns : 1u;
    uint64_t start = bench_now_ns();
    for (uint32_t i = 0; i < w->conn_count; i++) {
        x->conns[i].due_ns = start + (uint64_t)(rng_unit(&w->rng) * (double)interval_ns);
    }
    for (;;) {
        uint64_t now = bench_now_ns();
        uint64_t next = open_send_due(x, interval_ns, now);
        bool ready = false;
        uint32_t n = worker_watch(x, &ready);
        if (n == 0 && next == UINT64_MAX) {
            return;
        }
        uint64_t timeout_ns = next > now ? next - now : 0;
        timeout_ns = timeout_ns < BENCH_POLL_IDLE_NS ? timeout_ns : BENCH_POLL_IDLE_NS;
        worker_wait(x, n, ready ? 0 : timeout_ns, false);
    }
}

/* ---- the worker: setup and teardown ------------------------------------------------------- */

/* Allocates x's connections, rings, poll set and declaration buffers (x->w set, the rest
 * zero). Returns 0, or -1 with whatever was allocated left for worker_ctx_deinit. */
static int
worker_ctx_init(worker_ctx *x)
{
    const bench_opts *o = x->w->o;
    uint32_t n = x->w->conn_count;
    BZL_ASSERT(n >= 1);
    x->conns = calloc(n, sizeof *x->conns);
    x->ring_store = calloc((size_t)n * o->inflight, sizeof *x->ring_store);
    x->pfds = calloc(n, sizeof *x->pfds);
    x->pfd_conn = calloc(n, sizeof *x->pfd_conn);
    x->bufs = calloc(o->batch, sizeof *x->bufs);
    x->batch_ptrs = calloc(o->batch, sizeof *x->batch_ptrs);
    if (x->conns == NULL || x->ring_store == NULL || x->pfds == NULL || x->pfd_conn == NULL ||
        x->bufs == NULL || x->batch_ptrs == NULL) {
        return -1;
    }
    for (uint32_t i = 0; i < o->batch; i++) {
        if (decl_buf_init(&x->bufs[i], o->lines) != 0) {
            return -1;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        x->conns[i].ring = &x->ring_store[(size_t)i * o->inflight];
        x->conns[i].index = x->w->conn_first + i;
    }
    return 0;
}

/* Connects every connection of the worker; one that cannot connect is counted as an error and
 * left closed, and the others run. Returns how many connected. */
static uint32_t
worker_connect(worker_ctx *x)
{
    uint32_t connected = 0;
    for (uint32_t i = 0; i < x->w->conn_count; i++) {
        conn *k = &x->conns[i];
        char why[256];
        if (bzl_client_connect(x->w->o->socket_path, &k->c, why, sizeof why) != BZL_OK) {
            worker_error(x->w, "connect", why);
            x->w->failed = true;
            continue;
        }
        k->sending = true;
        connected++;
    }
    return connected;
}

/* Closes the connections still open and frees what worker_ctx_init allocated. */
static void
worker_ctx_deinit(worker_ctx *x)
{
    for (uint32_t i = 0; x->conns != NULL && i < x->w->conn_count; i++) {
        bzl_client_close(x->conns[i].c);
    }
    for (uint32_t i = 0; x->bufs != NULL && i < x->w->o->batch; i++) {
        decl_buf_deinit(&x->bufs[i]);
    }
    free(x->batch_ptrs);
    free(x->bufs);
    free(x->pfd_conn);
    free(x->pfds);
    free(x->ring_store);
    free(x->conns);
}

void *
bench_worker_main(void *arg)
{
    bench_worker *w = arg;
    BZL_ASSERT(w->conn_count >= 1);
    BZL_ASSERT(w->conn_first + w->conn_count <= w->o->connections);
    worker_ctx x = {.w = w};
    if (worker_ctx_init(&x) != 0) {
        worker_error(w, "out of memory", "");
        w->failed = true;
    } else if (worker_connect(&x) > 0) {
        if (w->o->rate > 0) {
            worker_open(&x);
        } else {
            worker_closed(&x);
        }
    }
    worker_ctx_deinit(&x);
    return NULL;
}

void
bench_run_prefix_init(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(run_prefix, sizeof run_prefix, "B%llx%x", (unsigned long long)ts.tv_sec,
             (unsigned)(getpid() & 0xffff) ^ (unsigned)(ts.tv_nsec & 0xffff));
}
