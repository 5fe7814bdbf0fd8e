/* check_access.c — proves the rights matrix against a real bzld: for every role (customs,
 * reconciler, admin by config, an enterprise by uid, an enterprise by group, an unmapped
 * peer) and every request kind, allowed or denied as README "Who may do what" says;
 * another enterprise's enterprise, book, items, balances and declarations answer NOT_FOUND
 * with the very message a missing record gets, and nothing changes in the ledger.
 *
 * Runs as root: each request is sent by a forked child that switched to another uid and gid
 * (setresgid/setresuid, the socket's group as supplementary group). Not root: exit 77 (skip).
 * Void and stocktake requests do not exist yet (issue 3); their rows join the table then. */
#include <grp.h>

#include "harness.h"

#define SOCK_GID 4242u
#define UID_CUSTOMS 3001u
#define UID_RECON 3002u
#define UID_ADMIN 3003u
#define UID_ENT_A 3011u
#define UID_ENT_B_BY_GROUP 3098u
#define GID_ENT_B 3500u
#define UID_NONE 3099u

static const char config_text[] = "# check_access: one principal per role\n"
                                  "[daemon]\n"
                                  "socket_group = 4242\n"
                                  "[limits]\n"
                                  "idle_timeout_ms = 10000\n"
                                  "[access]\n"
                                  "customs = uid:3001\n"
                                  "reconciler = uid:3002\n"
                                  "admin = uid:3003\n"
                                  "enterprise.6201230001 = uid:3011\n"
                                  "enterprise.6201230002 = gid:3500\n";

static harness h;

typedef struct who {
    const char *name;
    uint32_t uid;
    uint32_t gid;
} who;

/* Sends req as (uid, gid) from a child; returns the status (-1 transport) and the message. */
static int
as_principal(const who *w, Bzl__Request *req, char *msg, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0) {
        h_die("pipe");
    }
    pid_t pid = fork();
    if (pid < 0) {
        h_die("fork");
    }
    if (pid == 0) {
        close(fds[0]);
        gid_t groups[1] = {SOCK_GID};
        if (setgroups(1, groups) != 0 || setresgid(w->gid, w->gid, w->gid) != 0 ||
            setresuid(w->uid, w->uid, w->uid) != 0) {
            _exit(100);
        }
        char text[600];
        int st = h_status(&h, req, text, sizeof text);
        dprintf(fds[1], "%d\t%s", st, text);
        _exit(0);
    }
    close(fds[1]);
    char buf[700] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0) {
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        h_fail("%s: the child could not switch credentials (status %d)", w->name, status);
        return -2;
    }
    char *tab = strchr(buf, '\t');
    snprintf(msg, cap, "%s", tab != NULL ? tab + 1 : "");
    return atoi(buf);
}

/* ---- the request kinds ------------------------------------------------------------------- */

typedef enum kind {
    K_REGISTER,
    K_GET_ENT_OWN,
    K_GET_ENT_OTHER,
    K_LIST,
    K_OPEN_BOOK,
    K_GET_BOOK_OWN,
    K_GET_BOOK_OTHER,
    K_ADD_ITEM,
    K_GET_ITEM_OWN,
    K_GET_ITEM_OTHER,
    K_SUBMIT_OWN,
    K_SUBMIT_OTHER_BOOK,
    K_SUBMIT_OTHER,
    K_BATCH_OWN,
    K_BATCH_OTHER,
    K_BAL_OWN,
    K_BAL_OTHER,
    K_STATS,
    K_VERIFY,
    K_AUDIT,
    K_UNKNOWN,
    K_COUNT
} kind;

static const char *const kind_names[K_COUNT] = {
    "register_enterprise", "get_enterprise own", "get_enterprise other", "list_enterprises",
    "open_book",           "get_book own",       "get_book other",       "add_item",
    "get_item own",        "get_item other",     "submit own",           "submit to other's book",
    "submit for other",    "batch own",          "batch for other",      "balances own",
    "balances other",      "stats",              "verify",               "audit",
    "empty body"};

/* Everything one request needs, alive while it is sent. */
typedef struct req_buf {
    char code[16], book[16], id[32];
    Bzl__Enterprise e;
    Bzl__RegisterEnterprise re;
    Bzl__GetEnterprise ge;
    Bzl__ListEnterprises le;
    Bzl__Book b;
    Bzl__OpenBook ob;
    Bzl__GetBook gb;
    Bzl__Item it;
    Bzl__AddItem ai;
    Bzl__GetItem gi;
    Bzl__QueryBalances qb;
    Bzl__GetStats gs;
    Bzl__VerifyLedger vl;
    Bzl__AuditQuery aq;
    decl_msg d;
    Bzl__Request req;
} req_buf;

static unsigned serial;

/* Builds request k as seen by an enterprise owning (own_ent, own_book) facing the other. */
static void
build(req_buf *r, kind k, const char *own_ent, const char *own_book, const char *oth_ent,
      const char *oth_book)
{
    memset(r, 0, sizeof *r);
    serial++;
    snprintf(r->code, sizeof r->code, "62012399%02u", serial % 100);
    snprintf(r->book, sizeof r->book, "H720124%05u", 100 + serial);
    snprintf(r->id, sizeof r->id, "ACC-%u", serial);
    Bzl__Request *q = &r->req;
    bzl__request__init(q);
    switch (k) {
    case K_REGISTER:
        bzl__enterprise__init(&r->e);
        r->e.code = r->code;
        r->e.uscc = "91620100MA71AB1C2F";
        r->e.name = "New Co.";
        bzl__register_enterprise__init(&r->re);
        r->re.enterprise = &r->e;
        q->body_case = BZL__REQUEST__BODY_REGISTER_ENTERPRISE;
        q->register_enterprise = &r->re;
        break;
    case K_GET_ENT_OWN:
    case K_GET_ENT_OTHER:
        bzl__get_enterprise__init(&r->ge);
        r->ge.code = (char *)(k == K_GET_ENT_OWN ? own_ent : oth_ent);
        q->body_case = BZL__REQUEST__BODY_GET_ENTERPRISE;
        q->get_enterprise = &r->ge;
        break;
    case K_LIST:
        bzl__list_enterprises__init(&r->le);
        q->body_case = BZL__REQUEST__BODY_LIST_ENTERPRISES;
        q->list_enterprises = &r->le;
        break;
    case K_OPEN_BOOK:
        bzl__book__init(&r->b);
        r->b.book_no = r->book;
        r->b.enterprise = (char *)own_ent;
        bzl__open_book__init(&r->ob);
        r->ob.book = &r->b;
        q->body_case = BZL__REQUEST__BODY_OPEN_BOOK;
        q->open_book = &r->ob;
        break;
    case K_GET_BOOK_OWN:
    case K_GET_BOOK_OTHER:
        bzl__get_book__init(&r->gb);
        r->gb.book_no = (char *)(k == K_GET_BOOK_OWN ? own_book : oth_book);
        q->body_case = BZL__REQUEST__BODY_GET_BOOK;
        q->get_book = &r->gb;
        break;
    case K_ADD_ITEM:
        bzl__item__init(&r->it);
        r->it.book_no = (char *)own_book;
        r->it.kind = BZL__KIND__KIND_MATERIAL;
        r->it.item_no = 100 + serial;
        r->it.hs = "1206009000";
        r->it.name = "seed";
        r->it.unit = "035";
        bzl__add_item__init(&r->ai);
        r->ai.item = &r->it;
        q->body_case = BZL__REQUEST__BODY_ADD_ITEM;
        q->add_item = &r->ai;
        break;
    case K_GET_ITEM_OWN:
    case K_GET_ITEM_OTHER:
        bzl__get_item__init(&r->gi);
        r->gi.book_no = (char *)(k == K_GET_ITEM_OWN ? own_book : oth_book);
        r->gi.kind = BZL__KIND__KIND_MATERIAL;
        r->gi.item_no = 1;
        q->body_case = BZL__REQUEST__BODY_GET_ITEM;
        q->get_item = &r->gi;
        break;
    case K_SUBMIT_OWN:
    case K_BATCH_OWN:
        h_decl(&r->d, r->id, own_ent, own_book, "1", k == K_BATCH_OWN);
        *q = r->d.req;
        break;
    case K_SUBMIT_OTHER_BOOK:
        h_decl(&r->d, r->id, own_ent, oth_book, "1", false);
        *q = r->d.req;
        break;
    case K_SUBMIT_OTHER:
    case K_BATCH_OTHER:
        h_decl(&r->d, r->id, oth_ent, oth_book, "1", k == K_BATCH_OTHER);
        *q = r->d.req;
        break;
    case K_BAL_OWN:
    case K_BAL_OTHER:
        bzl__query_balances__init(&r->qb);
        r->qb.book = (char *)(k == K_BAL_OWN ? own_book : oth_book);
        q->body_case = BZL__REQUEST__BODY_BALANCES;
        q->balances = &r->qb;
        break;
    case K_STATS:
        bzl__get_stats__init(&r->gs);
        q->body_case = BZL__REQUEST__BODY_STATS;
        q->stats = &r->gs;
        break;
    case K_VERIFY:
        bzl__verify_ledger__init(&r->vl);
        q->body_case = BZL__REQUEST__BODY_VERIFY;
        q->verify = &r->vl;
        break;
    case K_AUDIT:
        bzl__audit_query__init(&r->aq);
        r->aq.limit = 10;
        q->body_case = BZL__REQUEST__BODY_AUDIT;
        q->audit = &r->aq;
        break;
    case K_UNKNOWN:
    case K_COUNT:
        break; /* no body: what a newer client's unknown request decodes to */
    }
}

/* ---- the matrix ------------------------------------------------------------------------ */

enum { OK = 0, NF = 2, PD = 4, WB = 26, UNS = 23 };

/* Expected status of kind k for role: staff columns first, then an enterprise. */
static int
expected(const char *role, kind k)
{
    bool admin = strcmp(role, "admin") == 0;
    bool staff = admin || strcmp(role, "customs") == 0 || strcmp(role, "reconciler") == 0;
    bool ent = strcmp(role, "enterprise") == 0;
    if (strcmp(role, "none") == 0) {
        return PD;
    }
    switch (k) {
    case K_REGISTER:
    case K_OPEN_BOOK:
    case K_ADD_ITEM:
        return admin ? OK : PD;
    case K_GET_ENT_OWN:
    case K_GET_BOOK_OWN:
    case K_GET_ITEM_OWN:
    case K_BAL_OWN:
    case K_LIST:
        return OK;
    case K_GET_ENT_OTHER:
    case K_GET_BOOK_OTHER:
    case K_GET_ITEM_OTHER:
    case K_BAL_OTHER:
        return staff ? OK : NF;
    case K_SUBMIT_OWN:
    case K_BATCH_OWN:
        return admin || ent ? OK : PD;
    case K_SUBMIT_OTHER_BOOK:
        /* admin may submit anywhere: storage refuses the foreign book as WRONG_BOOK. */
        return admin ? WB : ent ? NF : PD;
    case K_SUBMIT_OTHER:
        return admin ? OK : ent ? NF : PD;
    case K_BATCH_OTHER:
        /* A batch answers per declaration: the request itself is OK for an enterprise and
         * the declaration's own status is NOT_FOUND (checked separately). */
        return admin || ent ? OK : PD;
    case K_STATS:
    case K_VERIFY:
    case K_AUDIT:
        return staff ? OK : PD;
    case K_UNKNOWN:
        return admin ? UNS : PD;
    case K_COUNT:
        break;
    }
    return -99;
}

typedef struct principal_case {
    who w;
    const char *role;
    const char *own_ent, *own_book, *oth_ent, *oth_book;
} principal_case;

static const principal_case principals[] = {
    {{"customs uid 3001", UID_CUSTOMS, 3001}, "customs", ENT_A, BOOK_A, ENT_B, BOOK_B},
    {{"reconciler uid 3002", UID_RECON, 3002}, "reconciler", ENT_A, BOOK_A, ENT_B, BOOK_B},
    {{"admin uid 3003", UID_ADMIN, 3003}, "admin", ENT_A, BOOK_A, ENT_B, BOOK_B},
    {{"enterprise A uid 3011", UID_ENT_A, 3011}, "enterprise", ENT_A, BOOK_A, ENT_B, BOOK_B},
    {{"enterprise B by gid 3500", UID_ENT_B_BY_GROUP, GID_ENT_B}, "enterprise", ENT_B, BOOK_B,
     ENT_A, BOOK_A},
    {{"unmapped uid 3099", UID_NONE, 3099}, "none", ENT_A, BOOK_A, ENT_B, BOOK_B},
};

/* The message a truly missing record gets, for comparison with a foreign one. */
static void
missing_message(kind k, const char *book, const char *ent, char *out, size_t cap)
{
    switch (k) {
    case K_GET_ENT_OTHER:
        snprintf(out, cap, "enterprise %s does not exist", ent);
        break;
    case K_GET_BOOK_OTHER:
    case K_BAL_OTHER:
    case K_SUBMIT_OTHER_BOOK:
        snprintf(out, cap, "book %s does not exist", book);
        break;
    case K_GET_ITEM_OTHER:
        snprintf(out, cap, "item %s material 1 does not exist", book);
        break;
    default:
        out[0] = '\0';
    }
}

static unsigned checked;

static void
run_matrix(void)
{
    for (size_t p = 0; p < BZL_ARRAY_LEN(principals); p++) {
        const principal_case *pc = &principals[p];
        for (int k = 0; k < K_COUNT; k++) {
            req_buf r;
            build(&r, (kind)k, pc->own_ent, pc->own_book, pc->oth_ent, pc->oth_book);
            char msg[600];
            int got = as_principal(&pc->w, &r.req, msg, sizeof msg);
            int want = expected(pc->role, (kind)k);
            checked++;
            if (got != want) {
                h_fail("%s: %s: status %d, expected %d (%s)", pc->w.name, kind_names[k], got,
                       want, msg);
                continue;
            }
            char missing[200];
            missing_message((kind)k, pc->oth_book, pc->oth_ent, missing, sizeof missing);
            if (got == NF && missing[0] != '\0' && strcmp(msg, missing) != 0) {
                h_fail("%s: %s: NOT_FOUND says \"%s\", a missing record says \"%s\"", pc->w.name,
                       kind_names[k], msg, missing);
            }
        }
        printf("ok: %-26s %d request kinds as expected\n", pc->w.name, K_COUNT);
    }
}

/* A batch for another enterprise is answered per declaration with NOT_FOUND, and an
 * enterprise's listing shows only its own enterprise. */
static void
run_details(void)
{
    const who *ent_a = &principals[3].w;
    req_buf r;
    build(&r, K_BATCH_OTHER, ENT_A, BOOK_A, ENT_B, BOOK_B);
    int fds_status;
    char msg[600];
    /* Send from the enterprise and read the per-declaration status back through a child. */
    int pfd[2];
    if (pipe(pfd) != 0) {
        h_die("pipe");
    }
    pid_t pid = fork();
    if (pid == 0) {
        gid_t groups[1] = {SOCK_GID};
        if (setgroups(1, groups) != 0 || setresgid(3011, 3011, 3011) != 0 ||
            setresuid(ent_a->uid, ent_a->uid, ent_a->uid) != 0) {
            _exit(100);
        }
        bzl_client *c = NULL;
        int per = -1, listed = -1;
        if (bzl_client_connect(h.sock, &c, NULL, 0) == BZL_OK) {
            Bzl__Response *resp = h_call(c, &r.req);
            if (resp != NULL && resp->result_case == BZL__RESPONSE__RESULT_BATCH &&
                resp->batch->n_results == 1) {
                per = resp->batch->results[0]->status;
            }
            if (resp != NULL) {
                bzl__response__free_unpacked(resp, NULL);
            }
            req_buf l;
            build(&l, K_LIST, ENT_A, BOOK_A, ENT_B, BOOK_B);
            resp = h_call(c, &l.req);
            if (resp != NULL && resp->result_case == BZL__RESPONSE__RESULT_ENTERPRISES) {
                listed = (int)resp->enterprises->n_enterprises;
                if (listed == 1 && strcmp(resp->enterprises->enterprises[0]->code, ENT_A) != 0) {
                    listed = -2;
                }
            }
            if (resp != NULL) {
                bzl__response__free_unpacked(resp, NULL);
            }
            bzl_client_close(c);
        }
        dprintf(pfd[1], "%d %d", per, listed);
        _exit(0);
    }
    close(pfd[1]);
    ssize_t n = read(pfd[0], msg, sizeof msg - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(pfd[0]);
    waitpid(pid, &fds_status, 0);
    int per = -1, listed = -1;
    if (sscanf(msg, "%d %d", &per, &listed) != 2 || per != NF || listed != 1) {
        h_fail("enterprise A: batch for B gave declaration status %d (want 2), listing showed "
               "%d enterprises (want only its own)", per, listed);
    } else {
        printf("ok: a batch for another enterprise is NOT_FOUND per declaration; the listing "
               "shows only its own enterprise\n");
    }
    checked += 2;
}

int
main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: check_access must run as root to switch uids (setresuid); skipped\n");
        return 77;
    }
    harness_init(&h, config_text);
    harness_start(&h, BZLD_PATH);
    harness_seed(&h);
    char bal_a[128], bal_b[128], after_a[128], after_b[128];
    h_balance(&h, BOOK_A, bal_a, sizeof bal_a);
    h_balance(&h, BOOK_B, bal_b, sizeof bal_b);
    run_matrix();
    run_details();
    /* Only allowed submissions moved anything, each by 1: into book A enterprise A's own
     * submit and batch and admin's own submit and batch; into book B admin's submit and batch
     * "for the other" and enterprise B's own submit and batch. Every refused one (customs,
     * reconciler, unmapped, an enterprise for the other's book) changed nothing. */
    h_balance(&h, BOOK_A, after_a, sizeof after_a);
    h_balance(&h, BOOK_B, after_b, sizeof after_b);
    const char *want_a = "104/0/0"; /* 100 seeded + admin 2 + enterprise A 2 */
    const char *want_b = "104/0/0"; /* 100 seeded + admin for-other 2 + enterprise B 2 */
    if (strcmp(after_a, want_a) != 0 || strcmp(after_b, want_b) != 0) {
        h_fail("balances after the matrix: A %s (want %s, was %s), B %s (want %s, was %s)",
               after_a, want_a, bal_a, after_b, want_b, bal_b);
    } else {
        printf("ok: balances changed only by allowed submissions (A %s, B %s)\n", after_a,
               after_b);
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    printf("%u checks, %d failures\n", checked, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
