/* check_race.c — the owner of a book is checked where it cannot change (red-team finding 4 of
 * issue 13). Enterprise A sends a stocktake, and a declaration, for a book number that does not
 * exist yet while admin, at the same moment, opens that book for enterprise B: the access
 * check passes (no book, no owner), and without a second check on the writer thread A's
 * stocktake was stored on B's book and the declaration was refused with WRONG_BOOK naming B.
 * Run RACES times with a fresh book each: A's write is never accepted on B's book and no
 * answer ever names B. Needs root to act as A's uid (skipped otherwise). */
#include <grp.h>
#include <sys/wait.h>

#include "harness.h"

#define RACES 300
#define SOCK_GID 4242u
#define UID_ENT_A 3011u

static harness h;

static const char config_text[] = "[daemon]\n"
                                  "socket_group = 4242\n"
                                  "[access]\n"
                                  "enterprise.6201230001 = uid:3011\n";

/* As enterprise A: waits for the go byte, sends a stocktake (no lines) or a one-line
 * declaration for `book`, and writes "STATUS MESSAGE" to out. Runs in a child. */
static void
enterprise_a(const char *book, bool stocktake, int go, int out)
{
    gid_t groups[1] = {SOCK_GID};
    if (setgroups(1, groups) != 0 || setresgid(SOCK_GID, SOCK_GID, SOCK_GID) != 0 ||
        setresuid(UID_ENT_A, UID_ENT_A, UID_ENT_A) != 0) {
        _exit(100);
    }
    bzl_client *c = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
        _exit(101);
    }
    Bzl__V1__SubmitStocktake st = BZL__V1__SUBMIT_STOCKTAKE__INIT;
    st.book = (char *)book;
    st.date = "2026-03-31";
    decl_msg m;
    h_decl(&m, "RACE-1", ENT_A, book, "1", false);
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    if (stocktake) {
        req.body_case = BZL__V1__REQUEST__BODY_STOCKTAKE;
        req.stocktake = &st;
    }
    char byte;
    if (read(go, &byte, 1) != 1) {
        _exit(102);
    }
    Bzl__V1__Response *resp = h_call(c, stocktake ? &req : &m.req);
    if (resp == NULL) {
        _exit(103);
    }
    const char *msg = resp->message;
    if (!stocktake && resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT) {
        msg = resp->submit->message;
        dprintf(out, "%d %s", (int)resp->submit->status, msg);
    } else {
        dprintf(out, "%d %s", (int)resp->status, msg);
    }
    _exit(0);
}

/* One race on `book`; returns false (after h_fail) when A's write landed on B's book or an
 * answer named B. */
static bool
race(unsigned i, bool stocktake)
{
    char book[16];
    snprintf(book, sizeof book, "H7201249%04u", i);
    int go[2], out[2];
    if (pipe(go) != 0 || pipe(out) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        h_die("fork");
    }
    if (pid == 0) {
        close(go[1]);
        close(out[0]);
        enterprise_a(book, stocktake, go[0], out[1]);
    }
    close(go[0]);
    close(out[1]);
    bzl_client *c = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
        h_die("connect as admin");
    }
    Bzl__V1__Book b = BZL__V1__BOOK__INIT;
    b.book = book;
    b.enterprise = ENT_B;
    Bzl__V1__OpenBook ob = BZL__V1__OPEN_BOOK__INIT;
    ob.book = &b;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &ob;
    if (write(go[1], "g", 1) != 1) {
        h_die("write go");
    }
    Bzl__V1__Response *resp = h_call(c, &req);
    int open_status = resp != NULL ? (int)resp->status : -1;
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    bzl_client_close(c);
    char answer[512] = "";
    size_t got = 0;
    for (ssize_t n = 1; n > 0 && got<sizeof answer - 1; got += n> 0 ? (size_t)n : 0) {
        n = read(out[0], answer + got, sizeof answer - 1 - got);
    }
    answer[got] = '\0';
    close(go[1]);
    close(out[0]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (open_status != BZL__V1__STATUS__STATUS_OK || !WIFEXITED(wstatus) ||
        WEXITSTATUS(wstatus) != 0) {
        h_fail("race %u: open_book %d, enterprise A's child exit %d", i, open_status,
               WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
        return false;
    }
    int st = atoi(answer);
    if (st == BZL__V1__STATUS__STATUS_OK) {
        h_fail("race %u: enterprise A's %s was accepted on enterprise B's book %s", i,
               stocktake ? "stocktake" : "declaration", book);
        return false;
    }
    if (strstr(answer, ENT_B) != NULL) {
        h_fail("race %u: enterprise A was told about enterprise B: %s", i, answer);
        return false;
    }
    return true;
}

int
main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: check_race must run as root to act as an enterprise's uid; skipped\n");
        return 77;
    }
    harness_init(&h, config_text);
    harness_start(&h, BZLD_PATH);
    harness_seed(&h);
    unsigned lost = 0;
    for (unsigned i = 0; i < RACES; i++) {
        lost += !race(i, i % 2 == 0);
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM");
    }
    printf("check_race: %u races (stocktakes and declarations), %u lost, %d failures\n", RACES,
           lost, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
