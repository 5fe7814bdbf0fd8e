/* work.c — bzl-bench's workload: names, setup, and the closed- and open-loop workers. */
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
    Bzl__Declaration decl;
    Bzl__DeclarationLine *line_store;
    Bzl__DeclarationLine **lines;
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
    bzl__declaration__init(&b->decl);
    b->decl.id = b->id;
    b->decl.enterprise = b->enterprise;
    b->decl.book = b->book;
    b->decl.kind = BZL__KIND__KIND_MATERIAL;
    b->decl.direction = BZL__DIRECTION__DIRECTION_IN;
    b->decl.trade_mode = BENCH_TRADE_MODE;
    b->decl.date = BENCH_DATE;
    b->decl.n_lines = lines;
    b->decl.lines = b->lines;
    for (uint32_t i = 0; i < lines; i++) {
        Bzl__DeclarationLine *l = &b->line_store[i];
        bzl__declaration_line__init(l);
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
setup_call(bzl_client *c, Bzl__Request *req, const char *what)
{
    Bzl__Response *resp = NULL;
    bzl_status st = bzl_client_call(c, req, &resp);
    if (st != BZL_OK) {
        fprintf(stderr, "bzl-bench: setup %s: %s: %s\n", what, bzl_status_name(st),
                bzl_client_error(c));
        return 1;
    }
    int rc = 0;
    if (resp->status != BZL__STATUS__STATUS_OK &&
        resp->status != BZL__STATUS__STATUS_ALREADY_EXISTS) {
        fprintf(stderr, "bzl-bench: setup %s: %s\n", what, resp->message);
        rc = 1;
    } else if (resp->result_case == BZL__RESPONSE__RESULT_SUBMIT &&
               resp->submit->status != BZL__STATUS__STATUS_OK) {
        fprintf(stderr, "bzl-bench: setup %s: %s\n", what, resp->submit->message);
        rc = 1;
    }
    bzl__response__free_unpacked(resp, NULL);
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
    Bzl__Enterprise ent = BZL__ENTERPRISE__INIT;
    ent.code = code;
    ent.uscc = uscc;
    ent.name = name;
    ent.area = "core bonded zone";
    Bzl__RegisterEnterprise reg = BZL__REGISTER_ENTERPRISE__INIT;
    reg.enterprise = &ent;
    Bzl__Request req = BZL__REQUEST__INIT;
    req.body_case = BZL__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &reg;
    if (setup_call(c, &req, "enterprise") != 0) {
        return 1;
    }
    Bzl__Book book = BZL__BOOK__INIT;
    book.book_no = book_no;
    book.enterprise = code;
    Bzl__OpenBook open = BZL__OPEN_BOOK__INIT;
    open.book = &book;
    req.body_case = BZL__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &open;
    if (setup_call(c, &req, "book") != 0) {
        return 1;
    }
    for (uint32_t i = 1; i <= o->items; i++) {
        char item_name[32];
        snprintf(item_name, sizeof item_name, "bench material %" PRIu32, i);
        Bzl__Item item = BZL__ITEM__INIT;
        item.book_no = book_no;
        item.kind = BZL__KIND__KIND_MATERIAL;
        item.item_no = i;
        item.hs = BENCH_HS;
        item.name = item_name;
        item.unit = BENCH_UNIT;
        Bzl__AddItem add = BZL__ADD_ITEM__INIT;
        add.item = &item;
        req.body_case = BZL__REQUEST__BODY_ADD_ITEM;
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
    Bzl__SubmitDeclaration sub = BZL__SUBMIT_DECLARATION__INIT;
    sub.declaration = &b.decl;
    Bzl__Request req = BZL__REQUEST__INIT;
    req.body_case = BZL__REQUEST__BODY_SUBMIT;
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

/* ---- the worker ------------------------------------------------------------------------- */

/* One request in flight: when it was sent (or, open loop, scheduled) and whether a read. */
typedef struct inflight {
    uint64_t t0_ns;
    uint32_t decls;
    bool read;
} inflight;

typedef struct worker_ctx {
    bench_worker *w;
    bzl_client *c;
    decl_buf *bufs; /* one per declaration of a batch */
    Bzl__Declaration **batch_ptrs;
    inflight ring[BENCH_INFLIGHT_MAX];
    uint32_t head, count;
    uint64_t seq;
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

/* Sends the next request; t0 is its send (closed loop) or scheduled (open loop) time. Returns
 * false when nothing was sent: a transport failure or the --decls budget spent. */
static bool
worker_send(worker_ctx *x, uint64_t t0_ns)
{
    bench_worker *w = x->w;
    const bench_opts *o = w->o;
    Bzl__Request req = BZL__REQUEST__INIT;
    Bzl__SubmitDeclaration sub = BZL__SUBMIT_DECLARATION__INIT;
    Bzl__SubmitBatch batch = BZL__SUBMIT_BATCH__INIT;
    Bzl__QueryBalances q = BZL__QUERY_BALANCES__INIT;
    bool read = o->reads > 0 && rng_unit(&w->rng) < o->reads;
    uint32_t decls = 0;
    if (read) {
        uint32_t e = (uint32_t)(rng_next(&w->rng) % o->enterprises);
        bench_book_no(e, x->book);
        q.book = x->book;
        q.kind = BZL__KIND__KIND_MATERIAL;
        q.item = (uint32_t)(rng_next(&w->rng) % o->items) + 1;
        req.body_case = BZL__REQUEST__BODY_BALANCES;
        req.balances = &q;
    } else {
        decls = o->batch;
        if (o->total_decls > 0) {
            uint64_t left = atomic_load(&bench_g.decls_budget);
            do {
                if (left == 0) {
                    return false;
                }
                decls = left < o->batch ? (uint32_t)left : o->batch;
            } while (!atomic_compare_exchange_weak(&bench_g.decls_budget, &left, left - decls));
        }
        for (uint32_t i = 0; i < decls; i++) {
            decl_buf_fill(&x->bufs[i], w, x->seq++);
            x->batch_ptrs[i] = &x->bufs[i].decl;
        }
        if (o->batch == 1) {
            sub.declaration = &x->bufs[0].decl;
            req.body_case = BZL__REQUEST__BODY_SUBMIT;
            req.submit = &sub;
        } else {
            batch.n_declarations = decls;
            batch.declarations = x->batch_ptrs;
            req.body_case = BZL__REQUEST__BODY_SUBMIT_BATCH;
            req.submit_batch = &batch;
        }
    }
    bzl_status st = bzl_client_send(x->c, &req);
    if (st != BZL_OK) {
        worker_error(w, "send", bzl_client_error(x->c));
        w->failed = true;
        return false;
    }
    w->decls_sent += decls;
    inflight *f = &x->ring[(x->head + x->count) % BENCH_INFLIGHT_MAX];
    f->t0_ns = t0_ns;
    f->read = read;
    f->decls = decls;
    x->count++;
    return true;
}

/* Counts the declarations a reply accepted; any refusal is an error. */
static uint32_t
reply_accepted(bench_worker *w, const Bzl__Response *resp)
{
    if (resp->status != BZL__STATUS__STATUS_OK) {
        worker_error(w, "daemon", resp->message);
        return 0;
    }
    uint32_t ok = 0;
    if (resp->result_case == BZL__RESPONSE__RESULT_SUBMIT) {
        const Bzl__SubmitResult *r = resp->submit;
        if (r->status == BZL__STATUS__STATUS_OK && !r->replayed) {
            ok = 1;
        } else {
            worker_error(w, "declaration refused", r->message);
        }
    } else if (resp->result_case == BZL__RESPONSE__RESULT_BATCH) {
        for (size_t i = 0; i < resp->batch->n_results; i++) {
            const Bzl__SubmitResult *r = resp->batch->results[i];
            if (r->status == BZL__STATUS__STATUS_OK && !r->replayed) {
                ok++;
            } else {
                worker_error(w, "declaration refused", r->message);
            }
        }
    }
    return ok;
}

/* Receives the oldest reply and records it. Returns false on a transport failure. */
static bool
worker_recv(worker_ctx *x)
{
    bench_worker *w = x->w;
    Bzl__Response *resp = NULL;
    bzl_status st = bzl_client_recv(x->c, &resp);
    if (st != BZL_OK) {
        worker_error(w, "recv", bzl_client_error(x->c));
        w->failed = true;
        return false;
    }
    uint64_t now = bench_now_ns();
    inflight f = x->ring[x->head];
    x->head = (x->head + 1) % BENCH_INFLIGHT_MAX;
    x->count--;
    bool in_window = now >= bench_g.window_start_ns && now < bench_g.window_end_ns;
    if (f.read) {
        bool ok = resp->status == BZL__STATUS__STATUS_OK;
        if (!ok) {
            worker_error(w, "read", resp->message);
        } else if (in_window) {
            w->reads_ok++;
            bench_hist_add(&w->read_lat, now - f.t0_ns);
        }
    } else {
        uint32_t ok = reply_accepted(w, resp);
        if (in_window && ok > 0) {
            w->writes_ok++;
            w->decls_ok += ok;
            bench_hist_add(&w->write_lat, now - f.t0_ns);
        }
    }
    bzl__response__free_unpacked(resp, NULL);
    return true;
}

static bool
worker_should_send(const worker_ctx *x, uint64_t now)
{
    return now < bench_g.window_end_ns && !atomic_load(&bench_g.stop) && !x->w->failed;
}

/* Closed loop: keep K in flight; each reply releases the next request. */
static void
worker_closed(worker_ctx *x)
{
    const bench_opts *o = x->w->o;
    bool sending = true;
    while (sending && x->count < o->inflight) {
        sending = worker_send(x, bench_now_ns());
    }
    while (x->count > 0) {
        if (!worker_recv(x)) {
            return;
        }
        uint64_t now = bench_now_ns();
        if (sending && worker_should_send(x, now)) {
            sending = worker_send(x, now);
        }
    }
}

/* Open loop: requests are due on a fixed schedule whether or not earlier ones returned;
 * latency counts from the due time, so a stalled daemon cannot hide its queueing. A due
 * request finding K in flight is counted as not sent. */
static void
worker_open(worker_ctx *x)
{
    bench_worker *w = x->w;
    const bench_opts *o = w->o;
    double per_conn = o->rate / o->connections;
    uint64_t interval_ns = (uint64_t)(1e9 / per_conn);
    uint64_t next = bench_now_ns() + (uint64_t)(rng_unit(&w->rng) * (double)interval_ns);
    for (;;) {
        uint64_t now = bench_now_ns();
        bool sending = worker_should_send(x, now);
        if (!sending && x->count == 0) {
            return;
        }
        while (sending && now >= next) {
            bool in_window = next >= bench_g.window_start_ns;
            w->offered += in_window;
            if (x->count < o->inflight) {
                if (!worker_send(x, next)) {
                    return;
                }
            } else {
                w->not_sent += in_window;
            }
            next += interval_ns;
        }
        int timeout_ms = sending ? (int)((next - now) / 1000000u) : 100;
        if (x->count > 0 && !bzl_client_buffered(x->c)) {
            struct pollfd p = {.fd = bzl_client_fd(x->c), .events = POLLIN};
            if (poll(&p, 1, timeout_ms) <= 0) {
                continue;
            }
        } else if (x->count == 0) {
            struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(next - now)};
            nanosleep(&ts, NULL);
            continue;
        }
        if (!worker_recv(x)) {
            return;
        }
    }
}

void *
bench_worker_main(void *arg)
{
    bench_worker *w = arg;
    const bench_opts *o = w->o;
    worker_ctx *x = calloc(1, sizeof *x);
    char why[256];
    if (x == NULL) {
        worker_error(w, "out of memory", "");
        w->failed = true;
        return NULL;
    }
    x->w = w;
    x->bufs = calloc(o->batch, sizeof *x->bufs);
    x->batch_ptrs = calloc(o->batch, sizeof *x->batch_ptrs);
    bool ok = x->bufs != NULL && x->batch_ptrs != NULL;
    for (uint32_t i = 0; ok && i < o->batch; i++) {
        ok = decl_buf_init(&x->bufs[i], o->lines) == 0;
    }
    if (!ok) {
        worker_error(w, "out of memory", "");
        w->failed = true;
    } else if (bzl_client_connect(o->socket_path, &x->c, why, sizeof why) != BZL_OK) {
        worker_error(w, "connect", why);
        w->failed = true;
    } else {
        if (o->rate > 0) {
            worker_open(x);
        } else {
            worker_closed(x);
        }
        bzl_client_close(x->c);
    }
    for (uint32_t i = 0; x->bufs != NULL && i < o->batch; i++) {
        decl_buf_deinit(&x->bufs[i]);
    }
    free(x->bufs);
    free(x->batch_ptrs);
    free(x);
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
