/* check_bzld.c — end-to-end: real bzld processes on a temporary directory, driven through the
 * client library, proving durability across restarts, idempotency, refusals that name the
 * item and quantity, request ordering, framing errors, the pid-file guard and batching under
 * 200 concurrent clients. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bzl/client.h"
#include "bzld_proc.h"

#define ENTERPRISE "6201230001"
#define USCC "91620100MA71AB1C2F"
#define BOOK "H72012400001"

static char dir[256];
static char sock[300];
static pid_t daemon_pid = -1;

/* ---- daemon control ---------------------------------------------------------------------- */

static pid_t
spawn_daemon(void)
{
    char log[320];
    snprintf(log, sizeof log, "%s/bzld.stderr", dir);
    const char *const args[] = {"--data", dir, "--socket", sock, NULL};
    pid_t pid = bzld_proc_spawn(BZLD_PATH, args, log);
    ck_assert_int_ge(pid, 0);
    return pid;
}

/* Waits until the daemon accepts, or fails the test after 20 s. */
static void
wait_ready(pid_t pid)
{
    char why[128] = "";
    ck_assert_msg(bzld_proc_wait(pid, sock, why, sizeof why) == 0, "%s", why);
}

static void
start_daemon(void)
{
    daemon_pid = spawn_daemon();
    wait_ready(daemon_pid);
}

/* SIGTERM must drain and exit 0. */
static void
stop_daemon(void)
{
    ck_assert_int_eq(kill(daemon_pid, SIGTERM), 0);
    int status = 0;
    ck_assert_int_eq(waitpid(daemon_pid, &status, 0), daemon_pid);
    ck_assert_msg(WIFEXITED(status), "bzld did not exit normally");
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    daemon_pid = -1;
}

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bzld-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof sock, "%s/bzld.sock", dir);
    start_daemon();
}

static void
teardown(void)
{
    if (daemon_pid > 0) {
        kill(daemon_pid, SIGKILL);
        waitpid(daemon_pid, NULL, 0);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* ---- requests ------------------------------------------------------------------------------ */

static bzl_client *
connect_or_fail(void)
{
    bzl_client *c = NULL;
    char why[200] = "";
    ck_assert_msg(bzl_client_connect(sock, &c, why, sizeof why) == BZL_OK, "%s", why);
    return c;
}

/* Sends req and returns the response (caller frees). */
static Bzl__V1__Response *
call(bzl_client *c, Bzl__V1__Request *req)
{
    Bzl__V1__Response *resp = NULL;
    ck_assert_int_eq(bzl_client_call(c, req, &resp), BZL_OK);
    return resp;
}

static Bzl__V1__Status
call_status(bzl_client *c, Bzl__V1__Request *req)
{
    Bzl__V1__Response *resp = call(c, req);
    Bzl__V1__Status st = resp->status;
    bzl__v1__response__free_unpacked(resp, NULL);
    return st;
}

static void
setup_book(bzl_client *c)
{
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    e.code = ENTERPRISE;
    e.uscc = USCC;
    e.name = "Lanzhou Sunflower Oil Co.";
    e.area = "core bonded zone";
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    re.enterprise = &e;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &re;
    ck_assert_int_eq(call_status(c, &req), BZL__V1__STATUS__STATUS_OK);

    Bzl__V1__Book b = BZL__V1__BOOK__INIT;
    b.book = BOOK;
    b.enterprise = ENTERPRISE;
    Bzl__V1__OpenBook ob = BZL__V1__OPEN_BOOK__INIT;
    ob.book = &b;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &ob;
    ck_assert_int_eq(call_status(c, &req), BZL__V1__STATUS__STATUS_OK);

    Bzl__V1__Item item = BZL__V1__ITEM__INIT;
    item.book = BOOK;
    item.kind = BZL__V1__KIND__KIND_MATERIAL;
    item.item = 1;
    item.hs = "1206009000";
    item.name = "sunflower seed";
    item.unit = "035";
    Bzl__V1__AddItem ai = BZL__V1__ADD_ITEM__INIT;
    ai.item = &item;
    req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    req.add_item = &ai;
    ck_assert_int_eq(call_status(c, &req), BZL__V1__STATUS__STATUS_OK);
}

/* A one-line declaration of material item 1; the strings are borrowed. */
typedef struct decl_buf {
    Bzl__V1__DeclarationLine line;
    Bzl__V1__DeclarationLine *lines[1];
    Bzl__V1__Declaration decl;
    Bzl__V1__SubmitDeclaration submit;
    Bzl__V1__Request req;
} decl_buf;

static void
decl_init(decl_buf *b, const char *id, Bzl__V1__Direction dir_, const char *trade_mode,
          const char *qty)
{
    bzl__v1__declaration_line__init(&b->line);
    b->line.item = 1;
    b->line.qty = (char *)qty;
    b->line.unit = "035";
    b->line.value = "50000.00";
    b->line.currency = "502";
    b->lines[0] = &b->line;
    bzl__v1__declaration__init(&b->decl);
    b->decl.id = (char *)id;
    b->decl.enterprise = ENTERPRISE;
    b->decl.book = BOOK;
    b->decl.kind = BZL__V1__KIND__KIND_MATERIAL;
    b->decl.direction = dir_;
    b->decl.trade_mode = (char *)trade_mode;
    b->decl.date = "2026-03-01";
    b->decl.n_lines = 1;
    b->decl.lines = b->lines;
    bzl__v1__submit_declaration__init(&b->submit);
    b->submit.declaration = &b->decl;
    bzl__v1__request__init(&b->req);
    b->req.body_case = BZL__V1__REQUEST__BODY_SUBMIT;
    b->req.submit = &b->submit;
}

/* The quantity of material item 1, as the daemon formats it, into out. */
static void
balance_qty(bzl_client *c, char *out, size_t cap)
{
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    q.book = BOOK;
    q.kind = BZL__V1__KIND__KIND_MATERIAL;
    q.item = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = &q;
    Bzl__V1__Response *resp = call(c, &req);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_BALANCES);
    ck_assert_uint_eq(resp->balances->n_balances, 1);
    snprintf(out, cap, "%s", resp->balances->balances[0]->qty);
    bzl__v1__response__free_unpacked(resp, NULL);
}

static Bzl__V1__Stats
stats_of(bzl_client *c)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    Bzl__V1__Response *resp = call(c, &req);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_STATS);
    Bzl__V1__Stats s = *resp->stats;
    s.decls_per_commit_hist = NULL;
    s.n_decls_per_commit_hist = 0;
    bzl__v1__response__free_unpacked(resp, NULL);
    return s;
}

/* ---- tests ------------------------------------------------------------------------------------
 */

START_TEST(bzld_balance_survives_restart_and_retries_do_not_post_twice)
{
    /* Proves the acceptance path of the walking skeleton: an import of 20000.5 kg is durable
     * across a SIGTERM restart (exit 0), a retry returns the same sequence without posting
     * again, and an outflow over the balance is refused naming item 1 and 20000.5. */
    bzl_client *c = connect_or_fail();
    setup_book(c);
    decl_buf in;
    decl_init(&in, "ACME-2026-0001", BZL__V1__DIRECTION__DIRECTION_IN, "5015", "20000.5");
    Bzl__V1__Response *resp = call(c, &in.req);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_SUBMIT);
    uint64_t seq = resp->submit->seq;
    ck_assert_uint_gt(seq, 0);
    ck_assert(!resp->submit->replayed);
    bzl__v1__response__free_unpacked(resp, NULL);
    char qty[64];
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "20000.5");
    bzl_client_close(c);

    stop_daemon();
    start_daemon();

    c = connect_or_fail();
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "20000.5");
    resp = call(c, &in.req);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_uint_eq(resp->submit->seq, seq);
    ck_assert(resp->submit->replayed);
    bzl__v1__response__free_unpacked(resp, NULL);
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "20000.5");

    decl_buf out;
    decl_init(&out, "ACME-2026-0002", BZL__V1__DIRECTION__DIRECTION_OUT, "0664", "30000");
    resp = call(c, &out.req);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_INSUFFICIENT_BALANCE);
    ck_assert_ptr_nonnull(resp->fault);
    ck_assert_uint_eq(resp->fault->item, 1);
    ck_assert_str_eq(resp->fault->available, "20000.5");
    ck_assert_ptr_nonnull(strstr(resp->message, "20000.5"));
    bzl__v1__response__free_unpacked(resp, NULL);
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "20000.5");
    bzl_client_close(c);
    stop_daemon();
}
END_TEST

START_TEST(bzld_id_reused_for_other_content_is_refused)
{
    /* Proves idempotency keys are bound to content: the same id with another quantity is
     * ID_REUSED and posts nothing. */
    bzl_client *c = connect_or_fail();
    setup_book(c);
    decl_buf a, b;
    decl_init(&a, "ACME-1", BZL__V1__DIRECTION__DIRECTION_IN, "5015", "100");
    decl_init(&b, "ACME-1", BZL__V1__DIRECTION__DIRECTION_IN, "5015", "101");
    ck_assert_int_eq(call_status(c, &a.req), BZL__V1__STATUS__STATUS_OK);
    ck_assert_int_eq(call_status(c, &b.req), BZL__V1__STATUS__STATUS_ID_REUSED);
    char qty[64];
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "100");
    bzl_client_close(c);
}
END_TEST

START_TEST(bzld_bad_decimal_names_line_and_field)
{
    /* Proves a malformed quantity is refused before the writer with DECIMAL_SYNTAX, naming
     * line 1 and the qty field, and that nothing is posted. */
    bzl_client *c = connect_or_fail();
    setup_book(c);
    decl_buf a;
    decl_init(&a, "ACME-9", BZL__V1__DIRECTION__DIRECTION_IN, "5015", "1e5");
    Bzl__V1__Response *resp = call(c, &a.req);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_DECIMAL_SYNTAX);
    ck_assert_ptr_nonnull(resp->fault);
    ck_assert_uint_eq(resp->fault->line, 1);
    ck_assert_str_eq(resp->fault->field, "qty");
    bzl__v1__response__free_unpacked(resp, NULL);
    char qty[64];
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "0");
    bzl_client_close(c);
}
END_TEST

START_TEST(bzld_pipelined_read_sees_the_write_before_it)
{
    /* Proves per-connection order: a balance query sent right behind a submit, without
     * waiting, reads the submit's effect, and responses arrive in request order. */
    bzl_client *c = connect_or_fail();
    setup_book(c);
    decl_buf a;
    decl_init(&a, "ACME-P1", BZL__V1__DIRECTION__DIRECTION_IN, "5015", "7.25");
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    q.book = BOOK;
    q.kind = BZL__V1__KIND__KIND_MATERIAL;
    q.item = 1;
    Bzl__V1__Request read = BZL__V1__REQUEST__INIT;
    read.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    read.balances = &q;
    ck_assert_int_eq(bzl_client_send(c, &a.req), BZL_OK);
    uint64_t write_id = a.req.id;
    ck_assert_int_eq(bzl_client_send(c, &read), BZL_OK);
    Bzl__V1__Response *r1 = NULL, *r2 = NULL;
    ck_assert_int_eq(bzl_client_recv(c, &r1), BZL_OK);
    ck_assert_int_eq(bzl_client_recv(c, &r2), BZL_OK);
    ck_assert_uint_eq(r1->id, write_id);
    ck_assert_uint_eq(r2->id, read.id);
    ck_assert_int_eq(r1->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_str_eq(r2->balances->balances[0]->qty, "7.25");
    bzl__v1__response__free_unpacked(r1, NULL);
    bzl__v1__response__free_unpacked(r2, NULL);
    bzl_client_close(c);
}
END_TEST

/* A raw connection for bytes the client library would never send. */
static int
raw_connect(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    ck_assert_uint_lt(strlen(sock), sizeof sa.sun_path);
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads one response frame from fd; NULL on EOF. */
static Bzl__V1__Response *
raw_read_response(int fd)
{
    uint8_t hdr[4];
    size_t have = 0;
    while (have < 4) {
        ssize_t n = read(fd, hdr + have, 4 - have);
        if (n <= 0) {
            return NULL;
        }
        have += (size_t)n;
    }
    uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
    uint8_t *body = malloc(len);
    ck_assert_ptr_nonnull(body);
    for (have = 0; have < len;) {
        ssize_t n = read(fd, body + have, len - have);
        ck_assert_int_gt(n, 0);
        have += (size_t)n;
    }
    Bzl__V1__Response *resp = bzl__v1__response__unpack(NULL, len, body);
    free(body);
    return resp;
}

START_TEST(bzld_garbage_frame_gets_malformed_and_connection_goes_on)
{
    /* Proves a well-framed body that is not a Request gets MALFORMED with id 0 and that the
     * same connection then serves a valid request. */
    int fd = raw_connect();
    const uint8_t garbage[] = {0, 0, 0, 3, 0xff, 0xff, 0xff};
    ck_assert_int_eq(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
    Bzl__V1__Response *resp = raw_read_response(fd);
    ck_assert_ptr_nonnull(resp);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_MALFORMED);
    ck_assert_uint_eq(resp->id, 0);
    bzl__v1__response__free_unpacked(resp, NULL);
    /* A stats request, packed by hand: field 1 (id) = 5, field 20 (stats) empty. */
    const uint8_t stats[] = {0, 0, 0, 5, 0x08, 0x05, 0xa2, 0x01, 0x00};
    ck_assert_int_eq(write(fd, stats, sizeof stats), (ssize_t)sizeof stats);
    resp = raw_read_response(fd);
    ck_assert_ptr_nonnull(resp);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_uint_eq(resp->id, 5);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_STATS);
    bzl__v1__response__free_unpacked(resp, NULL);
    close(fd);
}
END_TEST

START_TEST(bzld_oversized_frame_is_refused_and_closed)
{
    /* Proves a header announcing more than the 1 MiB cap gets FRAME_TOO_LARGE and the
     * connection is closed, while the daemon keeps serving new connections. */
    int fd = raw_connect();
    const uint8_t huge[] = {0x00, 0x10, 0x00, 0x01}; /* 1 MiB + 1 */
    ck_assert_int_eq(write(fd, huge, sizeof huge), 4);
    Bzl__V1__Response *resp = raw_read_response(fd);
    ck_assert_ptr_nonnull(resp);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_FRAME_TOO_LARGE);
    bzl__v1__response__free_unpacked(resp, NULL);
    ck_assert_ptr_null(raw_read_response(fd)); /* then EOF */
    close(fd);
    const uint8_t empty[] = {0, 0, 0, 0};
    fd = raw_connect();
    ck_assert_int_eq(write(fd, empty, sizeof empty), 4);
    resp = raw_read_response(fd);
    ck_assert_ptr_nonnull(resp);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_FRAME_EMPTY);
    bzl__v1__response__free_unpacked(resp, NULL);
    close(fd);
    bzl_client *c = connect_or_fail();
    Bzl__V1__Stats s = stats_of(c);
    ck_assert_uint_ge(s.requests, 1);
    bzl_client_close(c);
}
END_TEST

START_TEST(bzld_second_instance_is_refused_and_stale_socket_replaced)
{
    /* Proves the pid-file guard: a second bzld on the same socket exits non-zero while the
     * first keeps serving; after the first is killed with SIGKILL (leaving its socket file
     * behind) a new one replaces the stale socket and serves the same ledger. */
    pid_t second = spawn_daemon();
    int status = 0;
    ck_assert_int_eq(waitpid(second, &status, 0), second);
    ck_assert(WIFEXITED(status));
    ck_assert_int_ne(WEXITSTATUS(status), 0);
    bzl_client *c = connect_or_fail();
    setup_book(c);
    bzl_client_close(c);

    kill(daemon_pid, SIGKILL);
    waitpid(daemon_pid, NULL, 0);
    ck_assert_int_eq(access(sock, F_OK), 0); /* the stale socket is still there */
    start_daemon();
    c = connect_or_fail();
    char qty[64];
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "0");
    bzl_client_close(c);
    stop_daemon();
}
END_TEST

#define CLIENTS 200
#define DECLS_PER_CLIENT 50

static void *
client_thread(void *arg)
{
    int n = (int)(intptr_t)arg;
    bzl_client *c = NULL;
    if (bzl_client_connect(sock, &c, NULL, 0) != BZL_OK) {
        return (void *)1;
    }
    intptr_t failures = 0;
    for (int i = 0; i < DECLS_PER_CLIENT; i++) {
        char id[64];
        snprintf(id, sizeof id, "LOAD-%03d-%03d", n, i);
        decl_buf b;
        decl_init(&b, id, BZL__V1__DIRECTION__DIRECTION_IN, "5015", "1.5");
        Bzl__V1__Response *resp = NULL;
        if (bzl_client_call(c, &b.req, &resp) != BZL_OK) {
            failures++;
            break;
        }
        failures += resp->status != BZL__V1__STATUS__STATUS_OK;
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
    return (void *)failures;
}

START_TEST(bzld_200_concurrent_clients_are_batched_and_all_counted)
{
    /* Proves group commit under concurrency: 200 clients × 50 declarations of 1.5 kg all get
     * OK replies, the balance is exactly 200 × 50 × 1.5 = 15000, and the writer needed fewer
     * commits than declarations. */
    bzl_client *c = connect_or_fail();
    setup_book(c);
    Bzl__V1__Stats before = stats_of(c);
    pthread_t threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        ck_assert_int_eq(pthread_create(&threads[i], NULL, client_thread, (void *)(intptr_t)i), 0);
    }
    intptr_t failures = 0;
    for (int i = 0; i < CLIENTS; i++) {
        void *rv = NULL;
        pthread_join(threads[i], &rv);
        failures += (intptr_t)rv;
    }
    ck_assert_int_eq(failures, 0);
    char qty[64];
    balance_qty(c, qty, sizeof qty);
    ck_assert_str_eq(qty, "15000");
    Bzl__V1__Stats after = stats_of(c);
    uint64_t decls = after.declarations - before.declarations;
    uint64_t commits = after.commits - before.commits;
    ck_assert_uint_eq(decls, CLIENTS * DECLS_PER_CLIENT);
    ck_assert_uint_lt(commits, decls);
    fprintf(stderr, "check_bzld: %llu declarations in %llu commits\n", (unsigned long long)decls,
            (unsigned long long)commits);
    bzl_client_close(c);
    stop_daemon();
}
END_TEST

static Suite *
bzld_suite(void)
{
    Suite *s = suite_create("bzld");
    TCase *tc = tcase_create("end_to_end");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bzld_balance_survives_restart_and_retries_do_not_post_twice);
    tcase_add_test(tc, bzld_id_reused_for_other_content_is_refused);
    tcase_add_test(tc, bzld_bad_decimal_names_line_and_field);
    tcase_add_test(tc, bzld_pipelined_read_sees_the_write_before_it);
    tcase_add_test(tc, bzld_garbage_frame_gets_malformed_and_connection_goes_on);
    tcase_add_test(tc, bzld_oversized_frame_is_refused_and_closed);
    tcase_add_test(tc, bzld_second_instance_is_refused_and_stale_socket_replaced);
    tcase_add_test(tc, bzld_200_concurrent_clients_are_batched_and_all_counted);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    /* Children spawned by the daemon tests must not inherit a SIGPIPE death. */
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(bzld_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
