/* harness.h — what the access, hostile-input and flood tests share: a real bzld on a temporary
 * directory started with a test configuration, the seed ledger, and request builders.
 * Header-only (static inline) so that each test stays one file; never used by bzld. */
#ifndef BZL_TEST_HARNESS_H
#define BZL_TEST_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bzl/client.h"
#include "bzld_proc.h"

#define ENT_A "6201230001"
#define ENT_B "6201230002"
#define BOOK_A "H72012400001"
#define BOOK_B "H72012400002"

typedef struct harness {
    char dir[256];
    char data[300];
    char sock[300];
    char conf[300];
    pid_t pid;
} harness;

static int harness_failures;

static inline void h_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Records a failed expectation and says which; the test exits 1 at the end. */
static inline void
h_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    harness_failures++;
}

static inline void
h_die(const char *what)
{
    fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
    exit(1);
}

static inline void
h_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Makes the directory tree and writes the configuration text (which may use %s for the
 * run directory once). The socket lives in DIR/run, which bzld creates itself. */
static inline void
harness_init(harness *h, const char *config_text)
{
    snprintf(h->dir, sizeof h->dir, "/tmp/bzl-harness-XXXXXX");
    if (mkdtemp(h->dir) == NULL) {
        h_die("mkdtemp");
    }
    chmod(h->dir, 0711); /* other uids may traverse to the socket directory, not list it */
    snprintf(h->data, sizeof h->data, "%s/data", h->dir);
    snprintf(h->sock, sizeof h->sock, "%s/run/bzld.sock", h->dir);
    snprintf(h->conf, sizeof h->conf, "%s/bzld.conf", h->dir);
    FILE *f = fopen(h->conf, "w");
    if (f == NULL) {
        h_die("config");
    }
    fputs(config_text, f);
    fclose(f);
    h->pid = -1;
}

static inline void
harness_start(harness *h, const char *bzld_path)
{
    char log[320];
    snprintf(log, sizeof log, "%s/bzld.stderr", h->dir);
    const char *const args[] = {"--config", h->conf, "--data", h->data, "--socket", h->sock, NULL};
    h->pid = bzld_proc_spawn(bzld_path, args, log);
    if (h->pid < 0) {
        h_die("fork");
    }
    char why[128] = "";
    if (bzld_proc_wait(h->pid, h->sock, why, sizeof why) != 0) {
        fprintf(stderr, "harness: %s (see %s)\n", why, log);
        exit(1);
    }
}

/* True when bzld is still running. */
static inline bool
harness_alive(const harness *h)
{
    int status;
    return h->pid > 0 && waitpid(h->pid, &status, WNOHANG) == 0;
}

/* SIGTERM; true when bzld exited 0. Removes the directory. */
static inline bool
harness_stop(harness *h)
{
    bool clean = false;
    if (h->pid > 0) {
        int status = 0;
        kill(h->pid, SIGTERM);
        if (waitpid(h->pid, &status, 0) == h->pid) {
            clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
        h->pid = -1;
    }
    if (clean && getenv("BZL_KEEP_TEST_DIR") == NULL) {
        char cmd[320];
        snprintf(cmd, sizeof cmd, "rm -rf %s", h->dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "harness: could not remove %s\n", h->dir);
        }
    }
    return clean;
}

/* CLOCK_MONOTONIC in nanoseconds, for latencies. */
static inline uint64_t
h_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* qsort's comparison of uint64_t, for medians and percentiles. */
static inline int
h_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* In a forked child of a root test: becomes uid (and gid uid), with the socket's group
 * socket_gid as its one supplementary group; exits 100 when it cannot. */
static inline void
h_become(uid_t uid, gid_t socket_gid)
{
    gid_t groups[1] = {socket_gid};
    if (setgroups(1, groups) != 0 || setresgid(uid, uid, uid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        _exit(100);
    }
}

/* ---- requests ------------------------------------------------------------------------------ */

/* Sends req on c; returns the response (caller frees) or NULL on a transport failure. */
static inline Bzl__V1__Response *
h_call(bzl_client *c, Bzl__V1__Request *req)
{
    Bzl__V1__Response *resp = NULL;
    return bzl_client_call(c, req, &resp) == BZL_OK ? resp : NULL;
}

/* One request on a fresh connection: the status, or -1 on a transport failure. The message is
 * copied into msg when given. */
static inline int
h_status(const harness *h, Bzl__V1__Request *req, char *msg, size_t cap)
{
    bzl_client *c = NULL;
    if (bzl_client_connect(h->sock, &c, NULL, 0) != BZL_OK) {
        return -1;
    }
    Bzl__V1__Response *resp = h_call(c, req);
    int st = resp != NULL ? (int)resp->status : -1;
    if (msg != NULL) {
        snprintf(msg, cap, "%s", resp != NULL ? resp->message : "");
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
    return st;
}

typedef struct decl_msg {
    Bzl__V1__DeclarationLine line;
    Bzl__V1__DeclarationLine *lines[1];
    Bzl__V1__Declaration decl;
    Bzl__V1__Declaration *decls[1];
    Bzl__V1__SubmitDeclaration submit;
    Bzl__V1__SubmitBatch batch;
    Bzl__V1__Request req;
} decl_msg;

/* A one-line material import of item 1; strings are borrowed. batch: as a SubmitBatch. */
static inline void
h_decl(decl_msg *m, const char *id, const char *ent, const char *book, const char *qty, bool batch)
{
    bzl__v1__declaration_line__init(&m->line);
    m->line.item = 1;
    m->line.qty = (char *)qty;
    m->line.unit = "035";
    m->line.value = "100.00";
    m->line.currency = "502";
    m->lines[0] = &m->line;
    bzl__v1__declaration__init(&m->decl);
    m->decl.id = (char *)id;
    m->decl.enterprise = (char *)ent;
    m->decl.book = (char *)book;
    m->decl.kind = BZL__V1__KIND__KIND_MATERIAL;
    m->decl.direction = BZL__V1__DIRECTION__DIRECTION_IN;
    m->decl.trade_mode = "5015";
    m->decl.date = "2026-03-01";
    m->decl.n_lines = 1;
    m->decl.lines = m->lines;
    m->decls[0] = &m->decl;
    bzl__v1__request__init(&m->req);
    if (batch) {
        bzl__v1__submit_batch__init(&m->batch);
        m->batch.n_declarations = 1;
        m->batch.declarations = m->decls;
        m->req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
        m->req.submit_batch = &m->batch;
    } else {
        bzl__v1__submit_declaration__init(&m->submit);
        m->submit.declaration = &m->decl;
        m->req.body_case = BZL__V1__REQUEST__BODY_SUBMIT;
        m->req.submit = &m->submit;
    }
}

static inline int
h_add_enterprise(const harness *h, const char *code, const char *uscc)
{
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    e.code = (char *)code;
    e.uscc = (char *)uscc;
    e.name = "Zone Test Co.";
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    re.enterprise = &e;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &re;
    return h_status(h, &req, NULL, 0);
}

static inline int
h_open_book(const harness *h, const char *book, const char *ent)
{
    Bzl__V1__Book b = BZL__V1__BOOK__INIT;
    b.book = (char *)book;
    b.enterprise = (char *)ent;
    Bzl__V1__OpenBook ob = BZL__V1__OPEN_BOOK__INIT;
    ob.book = &b;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &ob;
    return h_status(h, &req, NULL, 0);
}

static inline int
h_add_item(const harness *h, const char *book, uint32_t no)
{
    Bzl__V1__Item it = BZL__V1__ITEM__INIT;
    it.book = (char *)book;
    it.kind = BZL__V1__KIND__KIND_MATERIAL;
    it.item = no;
    it.hs = "1206009000";
    it.name = "sunflower seed";
    it.unit = "035";
    Bzl__V1__AddItem ai = BZL__V1__ADD_ITEM__INIT;
    ai.item = &it;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    req.add_item = &ai;
    return h_status(h, &req, NULL, 0);
}

/* Enterprises A and B, books A and B with material item 1, and an import of 100 into each.
 * Run as an admin (the test runs as root, admin by default). */
static inline void
harness_seed(const harness *h)
{
    int st = h_add_enterprise(h, ENT_A, "91620100MA71AB1C2F");
    st = st != 0 ? st : h_add_enterprise(h, ENT_B, "91620100MA72CD3E4K");
    st = st != 0 ? st : h_open_book(h, BOOK_A, ENT_A);
    st = st != 0 ? st : h_open_book(h, BOOK_B, ENT_B);
    st = st != 0 ? st : h_add_item(h, BOOK_A, 1);
    st = st != 0 ? st : h_add_item(h, BOOK_B, 1);
    decl_msg m;
    h_decl(&m, "SEED-A", ENT_A, BOOK_A, "100", false);
    st = st != 0 ? st : h_status(h, &m.req, NULL, 0);
    h_decl(&m, "SEED-B", ENT_B, BOOK_B, "100", false);
    st = st != 0 ? st : h_status(h, &m.req, NULL, 0);
    if (st != 0) {
        fprintf(stderr, "harness: seeding the ledger failed with status %d\n", st);
        exit(1);
    }
}

/* "qty/pending_in/pending_out" of material item 1 of book, or "?" when unreadable. */
static inline void
h_balance(const harness *h, const char *book, char *out, size_t cap)
{
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    q.book = (char *)book;
    q.kind = BZL__V1__KIND__KIND_MATERIAL;
    q.item = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = &q;
    snprintf(out, cap, "?");
    bzl_client *c = NULL;
    if (bzl_client_connect(h->sock, &c, NULL, 0) != BZL_OK) {
        return;
    }
    Bzl__V1__Response *resp = h_call(c, &req);
    if (resp != NULL && resp->status == 0 &&
        resp->result_case == BZL__V1__RESPONSE__RESULT_BALANCES &&
        resp->balances->n_balances == 1) {
        const Bzl__V1__Balance *b = resp->balances->balances[0];
        snprintf(out, cap, "%s/%s/%s", b->qty, b->pending_in, b->pending_out);
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
}

/* The journal's entry count, from stats (admin), or UINT64_MAX. */
static inline uint64_t
h_journal_entries(const harness *h)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    uint64_t n = UINT64_MAX;
    bzl_client *c = NULL;
    if (bzl_client_connect(h->sock, &c, NULL, 0) != BZL_OK) {
        return n;
    }
    Bzl__V1__Response *resp = h_call(c, &req);
    if (resp != NULL && resp->result_case == BZL__V1__RESPONSE__RESULT_STATS) {
        n = resp->stats->journal_entries;
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
    return n;
}

#endif
