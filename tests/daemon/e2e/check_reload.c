/* check_reload.c — proves SIGHUP re-reads bzld's [access] section and re-resolves the principal
 * of every open connection: a uid that is unmapped is refused at connect (PERMISSION_DENIED,
 * then the connection is closed: issue 13, finding 6); once the file maps it, a new connection
 * is a reconciler (stats and verify allowed, submit still refused as a reconciler's), keeps
 * that role when a broken file is written and SIGHUP sent again (the daemon logs an error
 * naming file and line, and keeps the old table for new connections too), and loses it on the
 * same connection when a later file drops the rule.
 *
 * Runs as root: the peer is a forked child that switched to uid 3050 and holds one connection
 * open, sending what the parent tells it to. Not root: exit 77 (skip). */
#include <grp.h>

#include "harness.h"

#define SOCK_GID 4242u
#define UID_X 3050u

enum { OK = 0, PD = 4 };

static harness h;

static const char head[] = "# check_reload: uid 3050's role changes under SIGHUP\n"
                           "[daemon]\n"
                           "socket_group = 4242\n"
                           "[limits]\n"
                           "idle_timeout_ms = 60000\n"
                           "[access]\n"
                           "customs = uid:3001\n";

/* Line 8 of the file, after the 7 lines of head. */
#define ACCESS_LINE 8
static const char maps_x[] = "reconciler = uid:3050\n";
static const char broken[] = "reconciler = uid:3050x\n";

/* Replaces the configuration whole (a reload never sees half a file). */
static void
write_config(const char *extra)
{
    char tmp[320];
    snprintf(tmp, sizeof tmp, "%s.new", h.conf);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        h_die("config");
    }
    fputs(head, f);
    fputs(extra, f);
    if (fclose(f) != 0 || rename(tmp, h.conf) != 0) {
        h_die("config rename");
    }
}

static off_t
log_size(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/bzld.stderr", h.dir);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Waits up to 10 s for a log line after offset `from` that contains needle; copies it out. */
static bool
wait_log(off_t from, const char *needle, char *line, size_t cap)
{
    char path[320];
    snprintf(path, sizeof path, "%s/bzld.stderr", h.dir);
    for (int i = 0; i < 200; i++) {
        FILE *f = fopen(path, "r");
        char buf[1200];
        bool found = false;
        if (f != NULL && fseeko(f, from, SEEK_SET) == 0) {
            while (!found && fgets(buf, sizeof buf, f) != NULL) {
                found = strstr(buf, needle) != NULL;
            }
        }
        if (f != NULL) {
            fclose(f);
        }
        if (found) {
            buf[strcspn(buf, "\n")] = '\0';
            snprintf(line, cap, "%s", buf);
            return true;
        }
        h_sleep_ms(50);
    }
    return false;
}

/* SIGHUP, then the log line that says how the reload went (either way). */
static bool
reload(char *line, size_t cap)
{
    off_t from = log_size();
    if (kill(h.pid, SIGHUP) != 0) {
        h_die("kill SIGHUP");
    }
    return wait_log(from, "SIGHUP: ", line, cap);
}

/* ---- the peer: one connection, requests on command ------------------------------------------ */

typedef struct peer {
    pid_t pid;
    int cmd_fd;  /* parent → child: one letter per request */
    FILE *reply; /* child → parent: "status\tmessage\n" per request */
} peer;

static void
peer_request(bzl_client *c, char what, FILE *out)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__VerifyLedger vl = BZL__V1__VERIFY_LEDGER__INIT;
    decl_msg m;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    if (what == 's') {
        req.body_case = BZL__V1__REQUEST__BODY_STATS;
        req.stats = &gs;
    } else if (what == 'v') {
        req.body_case = BZL__V1__REQUEST__BODY_VERIFY;
        req.verify = &vl;
    } else {
        h_decl(&m, "RELOAD-1", ENT_A, BOOK_A, "1", false);
        req = m.req;
    }
    Bzl__V1__Response *resp = h_call(c, &req);
    fprintf(out, "%d\t%s\n", resp != NULL ? (int)resp->status : -1,
            resp != NULL ? resp->message : "transport failure");
    fflush(out);
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
}

static void
peer_main(int cmd_fd, int reply_fd)
{
    gid_t groups[1] = {SOCK_GID};
    if (setgroups(1, groups) != 0 || setresgid(UID_X, UID_X, UID_X) != 0 ||
        setresuid(UID_X, UID_X, UID_X) != 0) {
        _exit(100);
    }
    bzl_client *c = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
        _exit(101);
    }
    FILE *out = fdopen(reply_fd, "w");
    char what;
    while (read(cmd_fd, &what, 1) == 1 && what != 'q') {
        peer_request(c, what, out);
    }
    bzl_client_close(c);
    _exit(0);
}

static void
peer_start(peer *p)
{
    int cmd[2], rep[2];
    if (pipe(cmd) != 0 || pipe(rep) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    p->pid = fork();
    if (p->pid < 0) {
        h_die("fork");
    }
    if (p->pid == 0) {
        close(cmd[1]);
        close(rep[0]);
        peer_main(cmd[0], rep[1]);
    }
    close(cmd[0]);
    close(rep[1]);
    p->cmd_fd = cmd[1];
    p->reply = fdopen(rep[0], "r");
}

/* Sends one request on the peer's connection: 's' stats, 'v' verify, 'd' a submit. */
static int
peer_send(peer *p, char what, char *msg, size_t cap)
{
    char line[700] = "";
    if (write(p->cmd_fd, &what, 1) != 1 || fgets(line, sizeof line, p->reply) == NULL) {
        snprintf(msg, cap, "the peer is gone");
        return -2;
    }
    line[strcspn(line, "\n")] = '\0';
    char *tab = strchr(line, '\t');
    snprintf(msg, cap, "%s", tab != NULL ? tab + 1 : "");
    return atoi(line);
}

static void
peer_stop(peer *p)
{
    char q = 'q';
    if (write(p->cmd_fd, &q, 1) != 1) {
        h_fail("the peer was gone before the end");
    }
    close(p->cmd_fd);
    fclose(p->reply);
    int status = 0;
    waitpid(p->pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        h_fail("the peer (uid %u) failed: wait status %d", UID_X, status);
    }
}

/* ---- expectations ---------------------------------------------------------------------------- */

static unsigned checked;

/* The peer's request `what` gets status want and a message starting with prefix. */
static void
expect(peer *p, const char *when, char what, int want, const char *prefix)
{
    char msg[600];
    int got = peer_send(p, what, msg, sizeof msg);
    checked++;
    const char *name = what == 's' ? "stats" : what == 'v' ? "verify" : "submit";
    if (got != want || strncmp(msg, prefix, strlen(prefix)) != 0) {
        h_fail("%s: %s got %d \"%s\", want %d \"%s…\"", when, name, got, msg, want, prefix);
    } else {
        printf("ok: %-44s %s: %d\n", when, name, got);
    }
}

static const char unmapped[] = "uid 3050 is not mapped to a principal";
static const char as_reconciler[] = "the reconciler role may not send submit";

/* A second connection from uid 3050, opened now: stats' status. */
static int
fresh_stats_as_x(void)
{
    peer q;
    peer_start(&q);
    char msg[600];
    int st = peer_send(&q, 's', msg, sizeof msg);
    peer_stop(&q);
    return st;
}

static void
run(void)
{
    char line[1200];
    peer u;
    peer_start(&u);
    expect(&u, "before the reload, unmapped: refused", 's', PD, unmapped);
    expect(&u, "before the reload, unmapped: then closed", 's', -1, "transport failure");
    peer_stop(&u);

    write_config(maps_x);
    if (!reload(line, sizeof line) || strstr(line, "SIGHUP: re-read [access]") == NULL) {
        h_fail("the reload mapping uid 3050 was not logged as done: \"%s\"", line);
    }
    peer p;
    peer_start(&p);
    expect(&p, "after the reload, mapped to reconciler", 's', OK, "");
    expect(&p, "after the reload, mapped to reconciler", 'v', OK, "");
    expect(&p, "after the reload, mapped to reconciler", 'd', PD, as_reconciler);

    write_config(broken);
    char want[400];
    snprintf(want, sizeof want, "<3>SIGHUP: %s:%d: ", h.conf, ACCESS_LINE);
    checked++;
    if (!reload(line, sizeof line) || strncmp(line, want, strlen(want)) != 0 ||
        strstr(line, "access unchanged") == NULL) {
        h_fail("a broken file's reload logged \"%s\", want \"%s…; access unchanged\"", line, want);
    } else {
        printf("ok: a broken file is logged as an error naming file and line\n");
    }
    expect(&p, "same connection, after a broken file", 's', OK, "");
    expect(&p, "same connection, after a broken file", 'd', PD, as_reconciler);
    checked++;
    if (fresh_stats_as_x() != OK) {
        h_fail("after a broken file, a new connection from uid 3050 is no longer a reconciler");
    } else {
        printf("ok: after a broken file, a new connection keeps the old table\n");
    }

    write_config("");
    if (!reload(line, sizeof line) || strstr(line, "SIGHUP: re-read [access]") == NULL) {
        h_fail("the reload dropping uid 3050 was not logged as done: \"%s\"", line);
    }
    expect(&p, "same connection, rule dropped", 's', PD, unmapped);
    peer_stop(&p);
}

int
main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: check_reload must run as root to switch uids (setresuid); skipped\n");
        return 77;
    }
    harness_init(&h, head);
    harness_start(&h, BZLD_PATH);
    harness_seed(&h);
    run();
    if (!harness_alive(&h)) {
        h_fail("bzld died during the reloads");
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    printf("%u checks, %d failures\n", checked, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
