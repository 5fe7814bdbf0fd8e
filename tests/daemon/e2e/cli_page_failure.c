/* cli_page_failure.c — proves that a bzl listing which follows the daemon's pages prints
 * nothing when a later page fails, rather than the pages it got as if they were the whole
 * listing: `reconcile --all` (table and --json) and `history` (the shared cli_page path); and
 * that a daemon whose next_page_token repeats the one just sent is refused rather than asked
 * for ever.
 *
 * A real bzld never fails the second page of a listing on purpose, so this test plays the
 * daemon: it listens on a Unix socket, answers the first request of each bzl run with one row
 * and a next_page_token, and the second with INTERNAL — or, for the repeating daemon, with
 * the first page again, token and all. bzl must exit non-zero, print nothing on standard
 * output, and name the failure on standard error.
 *   usage: cli_page_failure BZL
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bzl.pb-c.h"

static int failures;
static int passed;
/* Whether the fake daemon answers every request with the first page (the same token). */
static bool repeat_token;
/* Requests a repeating run may send before the fake daemon gives up on the CLI noticing. */
#define REPEAT_REQUESTS_MAX 8

static void
check(int ok, const char *what)
{
    if (ok) {
        passed++;
    } else {
        failures++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

static int
read_full(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got <= 0) {
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static int
write_full(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t put = write(fd, p, n);
        if (put <= 0) {
            return -1;
        }
        p += put;
        n -= (size_t)put;
    }
    return 0;
}

/* One framed request (4-byte big-endian length, then the message); NULL at end of stream. */
static Bzl__V1__Request *
read_request(int fd)
{
    uint8_t head[4];
    if (read_full(fd, head, sizeof head) != 0) {
        return NULL;
    }
    size_t len = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
    if (len > (1u << 20)) {
        return NULL;
    }
    uint8_t *buf = malloc(len == 0 ? 1 : len);
    Bzl__V1__Request *req = NULL;
    if (buf != NULL && read_full(fd, buf, len) == 0) {
        req = bzl__v1__request__unpack(NULL, len, buf);
    }
    free(buf);
    return req;
}

static void
send_response(int fd, const Bzl__V1__Response *resp)
{
    size_t len = bzl__v1__response__get_packed_size(resp);
    uint8_t *buf = malloc(4 + len);
    if (buf == NULL) {
        return;
    }
    buf[0] = (uint8_t)(len >> 24);
    buf[1] = (uint8_t)(len >> 16);
    buf[2] = (uint8_t)(len >> 8);
    buf[3] = (uint8_t)len;
    bzl__v1__response__pack(resp, buf + 4);
    (void)write_full(fd, buf, 4 + len);
    free(buf);
}

/* The first page of whichever listing req asks for: one row, and a token for more. */
static void
answer_first_page(int fd, const Bzl__V1__Request *req)
{
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.id = req->id;
    resp.status = BZL__V1__STATUS__STATUS_OK;
    resp.message = "";
    Bzl__V1__Table table = BZL__V1__TABLE__INIT;
    Bzl__V1__TableRow row = BZL__V1__TABLE_ROW__INIT;
    Bzl__V1__TableRow *rows[1] = {&row};
    char *columns[2] = {"book", "item"};
    char *cells[2] = {"H72012400001", "1"};
    Bzl__V1__History history = BZL__V1__HISTORY__INIT;
    Bzl__V1__HistoryLine line = BZL__V1__HISTORY_LINE__INIT;
    Bzl__V1__HistoryLine *lines[1] = {&line};
    if (req->body_case == BZL__V1__REQUEST__BODY_HISTORY) {
        line.seq = 7;
        line.date = "2026-03-01";
        line.id = "FIRST-PAGE-ROW";
        line.flow = "material import";
        line.entry = BZL__V1__ENTRY_TYPE__ENTRY_TYPE_DECLARATION;
        line.qty = "1";
        line.pending_in = "0";
        line.pending_out = "0";
        line.balance = "1";
        history.n_lines = 1;
        history.lines = lines;
        history.next_page_token = "h:7";
        resp.result_case = BZL__V1__RESPONSE__RESULT_HISTORY;
        resp.history = &history;
    } else {
        row.n_cells = 2;
        row.cells = cells;
        table.n_columns = 2;
        table.columns = columns;
        table.n_rows = 1;
        table.rows = rows;
        table.next_page_token = "r:H72012400001";
        resp.result_case = BZL__V1__RESPONSE__RESULT_TABLE;
        resp.table = &table;
    }
    send_response(fd, &resp);
}

/* Serves one bzl run on connection fd: the first page, then INTERNAL for every later one (or,
 * with repeat_token, the first page again, up to REPEAT_REQUESTS_MAX requests). */
static void
serve(int fd)
{
    Bzl__V1__Request *req;
    for (int n = 0; (req = read_request(fd)) != NULL; n++) {
        if (n == 0 || (repeat_token && n < REPEAT_REQUESTS_MAX)) {
            answer_first_page(fd, req);
        } else {
            Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
            resp.id = req->id;
            resp.status = BZL__V1__STATUS__STATUS_INTERNAL;
            resp.message = repeat_token ? "the CLI kept asking for a repeated page"
                                        : "injected failure of a later page";
            send_response(fd, &resp);
        }
        bzl__v1__request__free_unpacked(req, NULL);
    }
    close(fd);
}

/* Runs bzl with args against the fake daemon; its exit status, stdout and stderr. */
static int
run_bzl(const char *bzl, const char *sock, int listener, char *const args[], char *out,
        size_t out_cap, char *err, size_t err_cap)
{
    char out_path[] = "/tmp/bzl-page-failure-out.XXXXXX";
    char err_path[] = "/tmp/bzl-page-failure-err.XXXXXX";
    int out_fd = mkstemp(out_path);
    int err_fd = mkstemp(err_path);
    if (out_fd < 0 || err_fd < 0) {
        perror("mkstemp");
        exit(2);
    }
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[16] = {(char *)bzl, "--socket", (char *)sock};
        int n = 3;
        for (int i = 0; args[i] != NULL && n < 15; i++) {
            argv[n++] = args[i];
        }
        argv[n] = NULL;
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        execv(bzl, argv);
        _exit(127);
    }
    int conn = accept(listener, NULL, NULL);
    if (conn >= 0) {
        serve(conn);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ssize_t n = pread(out_fd, out, out_cap - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    n = pread(err_fd, err, err_cap - 1, 0);
    err[n > 0 ? n : 0] = '\0';
    close(out_fd);
    close(err_fd);
    unlink(out_path);
    unlink(err_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: cli_page_failure BZL\n");
        return 2;
    }
    char dir[] = "/tmp/bzl-page-failure.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s/fake.sock", dir);
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(listener, 4) != 0) {
        perror("fake daemon socket");
        return 2;
    }
    struct {
        const char *name;
        bool repeat;     /* the fake daemon repeats its token instead of failing page 2 */
        const char *err; /* what standard error must hold */
        char *args[12];
    } cases[] = {
        {"reconcile --all (table)",
         false,
         "injected failure of a later page",
         {"reconcile", "--all", "--period", "2025", NULL}},
        {"reconcile --all (--json)",
         false,
         "injected failure of a later page",
         {"--json", "reconcile", "--all", "--period", "2025", NULL}},
        {"history (table)",
         false,
         "injected failure of a later page",
         {"history", "--book", "H72012400001", "--kind", "material", "--item", "1", NULL}},
        {"history (--json)",
         false,
         "injected failure of a later page",
         {"--json", "history", "--book", "H72012400001", "--kind", "material", "--item", "1",
          NULL}},
        {"reconcile --all, repeated token",
         true,
         "bzl: MALFORMED: the daemon's reconcile pages do not advance",
         {"reconcile", "--all", "--period", "2025", NULL}},
        {"history, repeated token",
         true,
         "bzl: MALFORMED: the daemon's pages do not advance",
         {"history", "--book", "H72012400001", "--kind", "material", "--item", "1", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4096];
        char err[4096];
        repeat_token = cases[i].repeat;
        int rc = run_bzl(argv[1], addr.sun_path, listener, cases[i].args, out, sizeof out, err,
                         sizeof err);
        char what[160];
        snprintf(what, sizeof what, "%s: exits non-zero (got %d)", cases[i].name, rc);
        check(rc != 0 && rc != 127, what);
        if (cases[i].repeat) {
            snprintf(what, sizeof what, "%s: exits 3, a garbled reply (got %d)", cases[i].name, rc);
            check(rc == 3, what);
        }
        snprintf(what, sizeof what, "%s: prints nothing on stdout (got \"%.60s\")", cases[i].name,
                 out);
        check(out[0] == '\0', what);
        snprintf(what, sizeof what, "%s: names the failure on stderr (got \"%.80s\")",
                 cases[i].name, err);
        check(strstr(err, cases[i].err) != NULL, what);
    }
    close(listener);
    unlink(addr.sun_path);
    rmdir(dir);
    printf("cli_page_failure: %d passed, %d failed\n", passed, failures);
    return failures == 0 ? 0 : 1;
}
