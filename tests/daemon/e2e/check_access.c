/* check_access.c — proves the rights matrix against a real bzld: every request kind of the
 * Request oneof, sent by every principal (admin, customs, reconciler, enterprise A by uid,
 * enterprise B by group, an unmapped peer), gets exactly the status README "Who may do what"
 * and access.c's table promise, and changes exactly what it should: a refused request changes
 * nothing (journal, balances, stocktakes, rates, general trade), an accepted write adds the
 * journal entries and balance movements written in its row, an accepted read changes nothing.
 * Another enterprise's enterprise, book, item, balances, norms, history, scrap, declaration,
 * void or stocktake answers NOT_FOUND with the very words a missing record gets, also when
 * another field of the request is malformed.
 *
 * The matrix is a table, one row per request kind and target (own, another enterprise's, a
 * missing record). It walks the daemon's own request table (daemon/requests.h): a kind of that
 * table (hence of the Request oneof, which the build holds it to) without a matrix row fails the
 * test, so the next kind added must bring its rights with it; and each kind's matrix must agree
 * with its row's roles, so the table and the promise cannot drift apart.
 *
 * Runs as root: each request is sent by a forked child that switched to another uid and gid
 * (setresgid/setresuid, the socket's group as supplementary group). Not root: exit 77 (skip). */
#include <grp.h>
#include <stddef.h>

#include "harness.h"
#include "requests.h"

#define SOCK_GID 4242u
#define UID_CUSTOMS 3001u
#define UID_RECON 3002u
#define UID_ADMIN 3003u
#define UID_ENT_A 3011u
#define UID_ENT_B_BY_GROUP 3098u
#define GID_ENT_B 3500u
#define UID_NONE 3099u

#define MISSING_ENT "6201239998"
#define MISSING_BOOK "H72012499998"

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

/* Statuses (base.h), written out here rather than taken from the code under test. */
enum { OK = 0, INV = 1, NF = 2, PD = 4, DATE = 20, UNS = 23, WB = 26, FNA = 31 };

/* The columns of a row's expectations. */
typedef enum role { R_ADMIN, R_CUSTOMS, R_RECON, R_ENT, R_NONE, ROLE_COUNT } role;

static const char *const role_names[ROLE_COUNT] = {"admin", "customs", "reconciler", "enterprise",
                                                   "none"};

typedef struct principal {
    const char *name;
    uint32_t uid, gid;
    role role;
    const char *own_ent, *own_book, *oth_ent, *oth_book;
} principal;

/* Staff see A as "own" and B as "other"; each enterprise sees itself as own. */
static const principal principals[] = {
    {"customs uid 3001", UID_CUSTOMS, 3001, R_CUSTOMS, ENT_A, BOOK_A, ENT_B, BOOK_B},
    {"reconciler uid 3002", UID_RECON, 3002, R_RECON, ENT_A, BOOK_A, ENT_B, BOOK_B},
    {"admin uid 3003", UID_ADMIN, 3003, R_ADMIN, ENT_A, BOOK_A, ENT_B, BOOK_B},
    {"enterprise A uid 3011", UID_ENT_A, 3011, R_ENT, ENT_A, BOOK_A, ENT_B, BOOK_B},
    {"enterprise B by gid 3500", UID_ENT_B_BY_GROUP, GID_ENT_B, R_ENT, ENT_B, BOOK_B, ENT_A,
     BOOK_A},
    {"unmapped uid 3099", UID_NONE, 3099, R_NONE, ENT_A, BOOK_A, ENT_B, BOOK_B},
};

/* ---- sending as another uid ------------------------------------------------------------------ */

/* The status of req's reply (for a one-declaration batch, the declaration's own status), or
 * -1 on a transport failure, with the message. In the child: never returns. */
static void
child_send(const principal *p, Bzl__V1__Request *req, int out_fd)
{
    gid_t groups[1] = {SOCK_GID};
    if (setgroups(1, groups) != 0 || setresgid(p->gid, p->gid, p->gid) != 0 ||
        setresuid(p->uid, p->uid, p->uid) != 0) {
        _exit(100);
    }
    alarm(30); /* a reply that never comes fails the row instead of hanging the test */
    int st = -1;
    const char *msg = "transport failure";
    bzl_client *c = NULL;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) == BZL_OK) {
        resp = h_call(c, req);
    }
    if (resp != NULL) {
        st = (int)resp->status;
        msg = resp->message;
        if (st == OK && resp->result_case == BZL__V1__RESPONSE__RESULT_BATCH &&
            resp->batch->n_results == 1) {
            st = (int)resp->batch->results[0]->status;
            msg = resp->batch->results[0]->message;
        }
    }
    dprintf(out_fd, "%d\t%s", st, msg);
    _exit(0);
}

static int
as_principal(const principal *p, Bzl__V1__Request *req, char *msg, size_t cap)
{
    int fds[2];
    if (pipe(fds) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        h_die("fork");
    }
    if (pid == 0) {
        close(fds[0]);
        child_send(p, req, fds[1]);
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
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        h_fail("%s: no reply within 30 s", p->name);
        return -2;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        h_fail("%s: the child could not switch credentials (status %d)", p->name, status);
        return -2;
    }
    char *tab = strchr(buf, '\t');
    snprintf(msg, cap, "%s", tab != NULL ? tab + 1 : "");
    return atoi(buf);
}

/* ---- the ledger's state, read as root (admin) ------------------------------------------------ */

/* Item 1 of books A and B, the journal's length, and the packed replies of the reads that show
 * what the journal does not: stocktakes (reconcile), rates, general trade (the share report). */
typedef struct ledger_state {
    uint64_t entries;
    long long qty[2], pin[2], pout[2];
    uint8_t print[1 << 16];
    size_t print_len;
} ledger_state;

static void
print_reply(bzl_client *c, Bzl__V1__Request *req, ledger_state *s)
{
    Bzl__V1__Response *resp = h_call(c, req);
    if (resp == NULL) {
        h_die("reading the ledger's state");
    }
    resp->id = 0;
    size_t n = bzl__v1__response__get_packed_size(resp);
    if (n <= sizeof s->print - s->print_len) {
        bzl__v1__response__pack(resp, s->print + s->print_len);
        s->print_len += n;
    } else {
        h_fail("the state's fingerprint outgrew its buffer");
    }
    bzl__v1__response__free_unpacked(resp, NULL);
}

static void
state_prints(bzl_client *c, ledger_state *s)
{
    const char *books[2] = {BOOK_A, BOOK_B};
    for (int i = 0; i < 2; i++) {
        Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
        q.book = (char *)books[i];
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
        req.balances = &q;
        print_reply(c, &req, s);
        Bzl__V1__Reconcile rc = BZL__V1__RECONCILE__INIT;
        rc.book = (char *)books[i];
        rc.period = "2026";
        req.body_case = BZL__V1__REQUEST__BODY_RECONCILE;
        req.reconcile = &rc;
        print_reply(c, &req, s);
    }
    Bzl__V1__ListRates lr = BZL__V1__LIST_RATES__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_RATES;
    req.list_rates = &lr;
    print_reply(c, &req, s);
    Bzl__V1__Report rep = BZL__V1__REPORT__INIT;
    rep.kind = BZL__V1__REPORT_KIND__REPORT_KIND_SHARE;
    rep.period = "2026";
    req.body_case = BZL__V1__REQUEST__BODY_REPORT;
    req.report = &rep;
    print_reply(c, &req, s);
}

static void
state_read(ledger_state *s)
{
    memset(s, 0, offsetof(ledger_state, print));
    s->print_len = 0;
    const char *books[2] = {BOOK_A, BOOK_B};
    for (int i = 0; i < 2; i++) {
        char text[128];
        h_balance(&h, books[i], text, sizeof text);
        if (sscanf(text, "%lld/%lld/%lld", &s->qty[i], &s->pin[i], &s->pout[i]) != 3) {
            h_fail("balance of %s unreadable: %s", books[i], text);
        }
    }
    s->entries = h_journal_entries(&h);
    bzl_client *c = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
        h_die("connect as root");
    }
    state_prints(c, s);
    bzl_client_close(c);
}

static bool
state_same(const ledger_state *a, const ledger_state *b)
{
    return a->entries == b->entries && memcmp(a->qty, b->qty, sizeof a->qty) == 0 &&
           memcmp(a->pin, b->pin, sizeof a->pin) == 0 &&
           memcmp(a->pout, b->pout, sizeof a->pout) == 0 && a->print_len == b->print_len &&
           memcmp(a->print, b->print, a->print_len) == 0;
}

/* ---- building the requests ------------------------------------------------------------------- */

/* Whose record a row names. */
typedef enum target {
    T_OWN,          /* the principal's own enterprise and book */
    T_OTHER,        /* the other enterprise and its book */
    T_OWN_IN_OTHER, /* the own enterprise in the other's book (a submit) */
    T_MISSING,      /* the own enterprise, a book and a declaration id that do not exist */
} target;

/* Everything one request needs, alive while it is sent. */
typedef struct req_buf {
    unsigned serial;
    target on;
    const char *ent, *book;
    char id[32];
    char code[16], new_book[16], out[320], date[16], version[16], figure[16];
    char missing[256]; /* the words a missing record gets, for rows that may answer NOT_FOUND */
    Bzl__V1__Enterprise e;
    Bzl__V1__RegisterEnterprise re;
    Bzl__V1__GetEnterprise ge;
    Bzl__V1__ListEnterprises le;
    Bzl__V1__Book b;
    Bzl__V1__OpenBook ob;
    Bzl__V1__GetBook gb;
    Bzl__V1__Item it;
    Bzl__V1__AddItem ai;
    Bzl__V1__GetItem gi;
    Bzl__V1__ListBooks lb;
    Bzl__V1__ListItems li;
    Bzl__V1__ListDeclarations ld;
    Bzl__V1__QueryBalances qb;
    Bzl__V1__GetStats gs;
    Bzl__V1__VerifyLedger vl;
    Bzl__V1__AuditQuery aq;
    Bzl__V1__JournalRead jr;
    Bzl__V1__TakeCheckpoint tc;
    Bzl__V1__Norm norm;
    Bzl__V1__SetNorm sn;
    Bzl__V1__ListNorms ln;
    Bzl__V1__SetItemMode sm;
    Bzl__V1__DeclarationRef ref;
    Bzl__V1__ReplaceDeclaration rpl;
    Bzl__V1__ClosePeriod cp;
    Bzl__V1__QueryHistory qh;
    Bzl__V1__GetDeclaration gd;
    Bzl__V1__ListUnmatchedTransfers ut;
    Bzl__V1__QueryScrap qs;
    Bzl__V1__Backup bk;
    Bzl__V1__StocktakeLine sl;
    Bzl__V1__StocktakeLine *sls[1];
    Bzl__V1__SubmitStocktake st;
    Bzl__V1__OpenWorkOrder ow;
    Bzl__V1__CompleteWorkOrder cw;
    Bzl__V1__ListWorkOrders lw;
    Bzl__V1__RepairOverdue ro;
    Bzl__V1__RecordDelivery rd;
    Bzl__V1__TransfersReport tr;
    Bzl__V1__Reconcile rc;
    Bzl__V1__SetRate sr;
    Bzl__V1__ListRates lr;
    Bzl__V1__RecordTrade rt;
    Bzl__V1__Report rp;
    Bzl__V1__SetTariff stf;
    Bzl__V1__ListTariffs ltf;
    Bzl__V1__SetInterestRate sir;
    Bzl__V1__ListInterestRates lir;
    Bzl__V1__TaxQuery tq;
    Bzl__V1__TaxReport trp;
    Bzl__V1__SetLotMethod slm;
    Bzl__V1__ListLots ll;
    Bzl__V1__TaxQuote tqt;
    Bzl__V1__ApplyReceipt ar;
    Bzl__V1__ReceiptDiff rdf;
    char seq_no[24];
    decl_msg d;
    Bzl__V1__Request req;
} req_buf;

/* The date `days` after 2020-01-01, as YYYY-MM-DD. */
static void
day_text(unsigned days, char *out, size_t cap)
{
    struct tm t = {.tm_year = 120, .tm_mon = 0, .tm_mday = 1 + (int)days};
    time_t when = timegm(&t);
    struct tm norm;
    gmtime_r(&when, &norm);
    strftime(out, cap, "%Y-%m-%d", &norm);
}

/* The declaration each enterprise's seed import was accepted under (harness_seed). */
static const char *
seed_id(const char *ent)
{
    return strcmp(ent, ENT_A) == 0 ? "SEED-A" : "SEED-B";
}

static void
b_register(req_buf *r)
{
    snprintf(r->code, sizeof r->code, "62012397%02u", r->serial % 100);
    bzl__v1__enterprise__init(&r->e);
    r->e.code = r->code;
    r->e.uscc = "91620100MA71AB1C2F";
    r->e.name = "New Co.";
    bzl__v1__register_enterprise__init(&r->re);
    r->re.enterprise = &r->e;
    r->req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    r->req.register_enterprise = &r->re;
}

static void
b_get_enterprise(req_buf *r)
{
    const char *code = r->on == T_MISSING ? MISSING_ENT : r->ent;
    bzl__v1__get_enterprise__init(&r->ge);
    r->ge.code = (char *)code;
    r->req.body_case = BZL__V1__REQUEST__BODY_GET_ENTERPRISE;
    r->req.get_enterprise = &r->ge;
    snprintf(r->missing, sizeof r->missing, "enterprise %s does not exist", code);
}

static void
b_list_enterprises(req_buf *r)
{
    bzl__v1__list_enterprises__init(&r->le);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_ENTERPRISES;
    r->req.list_enterprises = &r->le;
}

static void
b_open_book(req_buf *r)
{
    snprintf(r->new_book, sizeof r->new_book, "H720124%05u", 100 + r->serial);
    bzl__v1__book__init(&r->b);
    r->b.book = r->new_book;
    r->b.enterprise = (char *)r->ent;
    bzl__v1__open_book__init(&r->ob);
    r->ob.book = &r->b;
    r->req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    r->req.open_book = &r->ob;
}

static void
b_get_book(req_buf *r)
{
    bzl__v1__get_book__init(&r->gb);
    r->gb.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_GET_BOOK;
    r->req.get_book = &r->gb;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_add_item(req_buf *r)
{
    bzl__v1__item__init(&r->it);
    r->it.book = (char *)r->book;
    r->it.kind = BZL__V1__KIND__KIND_MATERIAL;
    r->it.item = 100 + r->serial;
    r->it.hs = "1206009000";
    r->it.name = "seed";
    r->it.unit = "035";
    bzl__v1__add_item__init(&r->ai);
    r->ai.item = &r->it;
    r->req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    r->req.add_item = &r->ai;
}

static void
b_get_item(req_buf *r)
{
    bzl__v1__get_item__init(&r->gi);
    r->gi.book = (char *)r->book;
    r->gi.kind = BZL__V1__KIND__KIND_MATERIAL;
    r->gi.item = 1;
    r->req.body_case = BZL__V1__REQUEST__BODY_GET_ITEM;
    r->req.get_item = &r->gi;
    snprintf(r->missing, sizeof r->missing, "item %s material 1 does not exist", r->book);
}

static void
declaration(req_buf *r, bool batch)
{
    snprintf(r->id, sizeof r->id, "ACC-%u", r->serial);
    h_decl(&r->d, r->id, r->ent, r->book, "1", batch);
    r->req = r->d.req;
    /* An enterprise naming an enterprise outside its scope is told it is not registered; one
     * naming its own enterprise in another's book, that the book does not exist (access.c
     * bzld_access_decl, storage's words for a missing book). */
    if (r->on == T_OTHER) {
        snprintf(r->missing, sizeof r->missing, "enterprise %s is not registered", r->ent);
    } else {
        snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
    }
}

static void
b_submit(req_buf *r)
{
    declaration(r, false);
}

static void
b_batch(req_buf *r)
{
    declaration(r, true);
}

static void
b_balances(req_buf *r)
{
    bzl__v1__query_balances__init(&r->qb);
    r->qb.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    r->req.balances = &r->qb;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_stats(req_buf *r)
{
    bzl__v1__get_stats__init(&r->gs);
    r->req.body_case = BZL__V1__REQUEST__BODY_STATS;
    r->req.stats = &r->gs;
}

static void
b_verify(req_buf *r)
{
    bzl__v1__verify_ledger__init(&r->vl);
    r->req.body_case = BZL__V1__REQUEST__BODY_VERIFY;
    r->req.verify = &r->vl;
}

static void
b_audit(req_buf *r)
{
    bzl__v1__audit_query__init(&r->aq);
    r->aq.page_size = 10;
    r->req.body_case = BZL__V1__REQUEST__BODY_AUDIT;
    r->req.audit = &r->aq;
}

static void
b_journal(req_buf *r)
{
    bzl__v1__journal_read__init(&r->jr);
    r->jr.page_size = 10;
    r->req.body_case = BZL__V1__REQUEST__BODY_JOURNAL;
    r->req.journal = &r->jr;
}

static void
b_checkpoint(req_buf *r)
{
    bzl__v1__take_checkpoint__init(&r->tc);
    r->req.body_case = BZL__V1__REQUEST__BODY_CHECKPOINT;
    r->req.checkpoint = &r->tc;
}

static void
b_set_norm(req_buf *r)
{
    snprintf(r->version, sizeof r->version, "V%u", r->serial);
    bzl__v1__norm__init(&r->norm);
    r->norm.book = (char *)r->book;
    r->norm.product = 2;
    r->norm.material = 1;
    r->norm.version = r->version;
    r->norm.net = "1.5";
    r->norm.tangible_loss = "2";
    r->norm.intangible_loss = "0";
    bzl__v1__set_norm__init(&r->sn);
    r->sn.norm = &r->norm;
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_NORM;
    r->req.set_norm = &r->sn;
}

static void
b_list_norms(req_buf *r)
{
    bzl__v1__list_norms__init(&r->ln);
    r->ln.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_NORMS;
    r->req.list_norms = &r->ln;
    snprintf(r->missing, sizeof r->missing, "the book does not exist");
}

static void
b_set_item_mode(req_buf *r)
{
    day_text(2600 + r->serial, r->date, sizeof r->date);
    bzl__v1__set_item_mode__init(&r->sm);
    r->sm.book = (char *)r->book;
    r->sm.item = 2;
    r->sm.mode = BZL__V1__BIZ_MODE__BIZ_MODE_ODM;
    r->sm.from = r->date;
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_ITEM_MODE;
    r->req.set_item_mode = &r->sm;
}

/* post, void, reject, reverse name a declaration by (enterprise, id). */
static void
decl_ref(req_buf *r)
{
    if (r->on == T_MISSING) {
        snprintf(r->id, sizeof r->id, "NO-SUCH-%u", r->serial);
    }
    bzl__v1__declaration_ref__init(&r->ref);
    r->ref.enterprise = (char *)r->ent;
    r->ref.id = r->id;
    r->ref.reason = "access test";
    snprintf(r->missing, sizeof r->missing, "enterprise %s has no declaration %s", r->ent, r->id);
}

static void
b_post(req_buf *r)
{
    decl_ref(r);
    r->req.body_case = BZL__V1__REQUEST__BODY_POST_DECLARATION;
    r->req.post_declaration = &r->ref;
}

static void
b_void(req_buf *r)
{
    decl_ref(r);
    r->req.body_case = BZL__V1__REQUEST__BODY_VOID_DECLARATION;
    r->req.void_declaration = &r->ref;
}

static void
b_reject(req_buf *r)
{
    decl_ref(r);
    r->req.body_case = BZL__V1__REQUEST__BODY_REJECT_DECLARATION;
    r->req.reject_declaration = &r->ref;
}

static void
b_reverse(req_buf *r)
{
    decl_ref(r);
    r->req.body_case = BZL__V1__REQUEST__BODY_REVERSE_DECLARATION;
    r->req.reverse_declaration = &r->ref;
}

/* Closes through an early date that grows with the serial: never reopening, never reaching
 * the declarations of 2026. */
static void
b_close_period(req_buf *r)
{
    day_text(r->serial, r->date, sizeof r->date);
    bzl__v1__close_period__init(&r->cp);
    r->cp.book = (char *)r->book;
    r->cp.through = r->date;
    r->req.body_case = BZL__V1__REQUEST__BODY_CLOSE_PERIOD;
    r->req.close_period = &r->cp;
}

static void
b_history(req_buf *r)
{
    bzl__v1__query_history__init(&r->qh);
    r->qh.book = (char *)r->book;
    r->qh.kind = BZL__V1__KIND__KIND_MATERIAL;
    r->qh.item = 1;
    r->req.body_case = BZL__V1__REQUEST__BODY_HISTORY;
    r->req.history = &r->qh;
    snprintf(r->missing, sizeof r->missing, "the item does not exist");
}

static void
b_history_bad_date(req_buf *r)
{
    b_history(r);
    r->qh.from = "2026-02-30";
}

static void
b_get_declaration(req_buf *r)
{
    snprintf(r->id, sizeof r->id, "%s", r->on == T_MISSING ? "NO-SUCH" : seed_id(r->ent));
    bzl__v1__get_declaration__init(&r->gd);
    r->gd.enterprise = (char *)r->ent;
    r->gd.id = r->id;
    r->req.body_case = BZL__V1__REQUEST__BODY_GET_DECLARATION;
    r->req.get_declaration = &r->gd;
    snprintf(r->missing, sizeof r->missing, "enterprise %s has no declaration %s", r->ent, r->id);
}

static void
b_unmatched(req_buf *r)
{
    bzl__v1__list_unmatched_transfers__init(&r->ut);
    r->req.body_case = BZL__V1__REQUEST__BODY_UNMATCHED_TRANSFERS;
    r->req.unmatched_transfers = &r->ut;
}

static void
b_list_books(req_buf *r)
{
    bzl__v1__list_books__init(&r->lb);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_BOOKS;
    r->req.list_books = &r->lb;
}

static void
b_list_items(req_buf *r)
{
    bzl__v1__list_items__init(&r->li);
    r->li.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_ITEMS;
    r->req.list_items = &r->li;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_list_declarations(req_buf *r)
{
    bzl__v1__list_declarations__init(&r->ld);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_DECLARATIONS;
    r->req.list_declarations = &r->ld;
}

static void
b_scrap(req_buf *r)
{
    bzl__v1__query_scrap__init(&r->qs);
    r->qs.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_SCRAP;
    r->req.scrap = &r->qs;
    snprintf(r->missing, sizeof r->missing, "the book does not exist");
}

static void
b_backup(req_buf *r)
{
    snprintf(r->out, sizeof r->out, "%s/backup-%u", h.dir, r->serial);
    bzl__v1__backup__init(&r->bk);
    r->bk.out = r->out;
    r->req.body_case = BZL__V1__REQUEST__BODY_BACKUP;
    r->req.backup = &r->bk;
}

static void
b_stocktake(req_buf *r)
{
    bzl__v1__stocktake_line__init(&r->sl);
    r->sl.kind = BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL;
    r->sl.item = 1;
    snprintf(r->figure, sizeof r->figure, "%u", r->serial); /* each count differs */
    r->sl.qty = r->figure;
    r->sls[0] = &r->sl;
    bzl__v1__submit_stocktake__init(&r->st);
    r->st.book = (char *)r->book;
    r->st.date = "2026-03-31";
    r->st.n_lines = 1;
    r->st.lines = r->sls;
    r->req.body_case = BZL__V1__REQUEST__BODY_STOCKTAKE;
    r->req.stocktake = &r->st;
    /* Storage's words for a stocktake of a missing book (storage_recon.c). */
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_stocktake_bad_date(req_buf *r)
{
    b_stocktake(r);
    r->st.date = "2026-02-30";
}

static void
b_stocktake_bad_line(req_buf *r)
{
    b_stocktake(r);
    r->sl.kind = (Bzl__V1__StocktakeKind)9; /* no such kind */
}

static void
b_reconcile(req_buf *r)
{
    bzl__v1__reconcile__init(&r->rc);
    r->rc.book = (char *)r->book;
    r->rc.period = "2026";
    r->req.body_case = BZL__V1__REQUEST__BODY_RECONCILE;
    r->req.reconcile = &r->rc;
}

static void
b_set_rate(req_buf *r)
{
    bzl__v1__set_rate__init(&r->sr);
    r->sr.month = "2030-01";
    r->sr.currency = "116";
    snprintf(r->figure, sizeof r->figure, "0.%04u", r->serial); /* each rate differs */
    r->sr.cny = r->figure;
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_RATE;
    r->req.set_rate = &r->sr;
}

static void
b_list_rates(req_buf *r)
{
    bzl__v1__list_rates__init(&r->lr);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_RATES;
    r->req.list_rates = &r->lr;
}

static void
b_record_trade(req_buf *r)
{
    bzl__v1__record_trade__init(&r->rt);
    r->rt.month = "2026-03";
    r->rt.currency = "502";
    snprintf(r->figure, sizeof r->figure, "%u", r->serial); /* each figure differs */
    r->rt.exports = r->figure;
    r->rt.imports = "5";
    r->req.body_case = BZL__V1__REQUEST__BODY_RECORD_TRADE;
    r->req.record_trade = &r->rt;
}

static void
b_report(req_buf *r)
{
    bzl__v1__report__init(&r->rp);
    r->rp.kind = BZL__V1__REPORT_KIND__REPORT_KIND_VAR;
    r->rp.period = "2026";
    r->req.body_case = BZL__V1__REQUEST__BODY_REPORT;
    r->req.report = &r->rp;
}

/* Work orders on the matrix's books, which are general books: an allowed one is refused by the
 * ledger as FLOW_NOT_ALLOWED ("not a repair book"), a foreign or missing one as NOT_FOUND. */
static void
b_open_workorder(req_buf *r)
{
    bzl__v1__open_work_order__init(&r->ow);
    r->ow.book = (char *)r->book;
    r->ow.item = 1;
    r->ow.origin = "abroad";
    r->ow.date = "2026-03-31";
    r->req.body_case = BZL__V1__REQUEST__BODY_OPEN_WORKORDER;
    r->req.open_workorder = &r->ow;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_complete_workorder(req_buf *r)
{
    bzl__v1__complete_work_order__init(&r->cw);
    r->cw.book = (char *)r->book;
    r->cw.workorder = 1;
    r->cw.date = "2026-03-31";
    r->req.body_case = BZL__V1__REQUEST__BODY_COMPLETE_WORKORDER;
    r->req.complete_workorder = &r->cw;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_list_workorders(req_buf *r)
{
    bzl__v1__list_work_orders__init(&r->lw);
    r->lw.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_WORKORDERS;
    r->req.list_workorders = &r->lw;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_repair_overdue(req_buf *r)
{
    bzl__v1__repair_overdue__init(&r->ro);
    r->req.body_case = BZL__V1__REQUEST__BODY_REPAIR_OVERDUE;
    r->req.repair_overdue = &r->ro;
}

/* A receipt of material 1 of the named book from a counterpart book that need not exist here. */
static void
b_record_delivery(req_buf *r)
{
    bzl__v1__record_delivery__init(&r->rd);
    r->rd.book = (char *)r->book;
    r->rd.counterpart_book = "H72012400055";
    r->rd.kind = BZL__V1__KIND__KIND_MATERIAL;
    r->rd.item = 1;
    r->rd.qty = "1";
    r->rd.date = "2026-03-31";
    r->req.body_case = BZL__V1__REQUEST__BODY_RECORD_DELIVERY;
    r->req.record_delivery = &r->rd;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_transfers_report(req_buf *r)
{
    bzl__v1__transfers_report__init(&r->tr);
    r->req.body_case = BZL__V1__REQUEST__BODY_TRANSFERS_REPORT;
    r->req.transfers_report = &r->tr;
}

/* A new version (quantity 2) of the row's declaration: as a submission, so the words for a
 * missing book or a foreign enterprise are the submission's. */
static void
b_replace(req_buf *r)
{
    declaration(r, false);
    r->d.line.qty = "2";
    r->d.decl.pending = true;
    bzl__v1__replace_declaration__init(&r->rpl);
    r->rpl.declaration = &r->d.decl;
    r->rpl.reason = "INV101 变更申请";
    r->req.body_case = BZL__V1__REQUEST__BODY_REPLACE_DECLARATION;
    r->req.replace_declaration = &r->rpl;
}

static void
b_empty(req_buf *r)
{
    (void)r; /* no body: what a newer client's unknown request decodes to */
}

/* ---- preparing what a row acts on, as root --------------------------------------------------- */

static void
prepare_decl(req_buf *r, bool pending)
{
    snprintf(r->id, sizeof r->id, "ACC-%u", r->serial);
    decl_msg m;
    h_decl(&m, r->id, r->ent, r->book, "1", false);
    m.decl.pending = pending;
    int st = h_status(&h, &m.req, NULL, 0);
    if (st != OK) {
        h_fail("preparing declaration %s %s in %s: status %d", r->ent, r->id, r->book, st);
    }
}

static void
p_pending(req_buf *r)
{
    prepare_decl(r, true);
}

static void
p_posted(req_buf *r)
{
    prepare_decl(r, false);
}

/* ---- domestic-sale tax and lots (110-119) ------------------------------------------------ */

static void
b_set_tariff(req_buf *r)
{
    bzl__v1__set_tariff__init(&r->stf);
    r->stf.hs = "3901100000";
    r->stf.from = "2030-01-01";
    snprintf(r->figure, sizeof r->figure, "0.%04u", r->serial); /* each row differs */
    r->stf.duty = r->figure;
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_TARIFF;
    r->req.set_tariff = &r->stf;
}

static void
b_list_tariffs(req_buf *r)
{
    bzl__v1__list_tariffs__init(&r->ltf);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_TARIFFS;
    r->req.list_tariffs = &r->ltf;
}

static void
b_set_interest(req_buf *r)
{
    bzl__v1__set_interest_rate__init(&r->sir);
    r->sir.from = "2030-01-01";
    snprintf(r->figure, sizeof r->figure, "0.%04u", r->serial); /* each rate differs */
    r->sir.rate = r->figure;
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_INTEREST_RATE;
    r->req.set_interest_rate = &r->sir;
}

static void
b_list_interest(req_buf *r)
{
    bzl__v1__list_interest_rates__init(&r->lir);
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_INTEREST_RATES;
    r->req.list_interest_rates = &r->lir;
}

/* The seeded declaration is an import: it has no assessment, so even its owner hears
 * NOT_FOUND, in the words another's or a missing one gets. */
static void
b_tax_show(req_buf *r)
{
    snprintf(r->id, sizeof r->id, "%s", r->on == T_MISSING ? "NO-SUCH" : seed_id(r->ent));
    bzl__v1__tax_query__init(&r->tq);
    r->tq.enterprise = (char *)r->ent;
    r->tq.id = r->id;
    r->req.body_case = BZL__V1__REQUEST__BODY_TAX_SHOW;
    r->req.tax_show = &r->tq;
    snprintf(r->missing, sizeof r->missing,
             "enterprise %s has no assessed domestic sale %s (only posted domestic sales are "
             "assessed)",
             r->ent, r->id);
}

/* An import is no domestic sale: INVALID_ARGUMENT to whoever may see it. */
static void
b_tax_compare(req_buf *r)
{
    snprintf(r->id, sizeof r->id, "%s", r->on == T_MISSING ? "NO-SUCH" : seed_id(r->ent));
    bzl__v1__tax_query__init(&r->tq);
    r->tq.enterprise = (char *)r->ent;
    r->tq.id = r->id;
    r->req.body_case = BZL__V1__REQUEST__BODY_TAX_COMPARE;
    r->req.tax_compare = &r->tq;
    snprintf(r->missing, sizeof r->missing, "enterprise %s has no declaration %s", r->ent, r->id);
}

static void
b_tax_report(req_buf *r)
{
    bzl__v1__tax_report__init(&r->trp);
    r->trp.period = "2026";
    r->req.body_case = BZL__V1__REQUEST__BODY_TAX_REPORT;
    r->req.tax_report = &r->trp;
}

/* FIFO is every book's method already: an accepted request replays and writes nothing. */
static void
b_set_lot_method(req_buf *r)
{
    bzl__v1__set_lot_method__init(&r->slm);
    r->slm.book = (char *)r->book;
    r->slm.method = "FIFO";
    r->req.body_case = BZL__V1__REQUEST__BODY_SET_LOT_METHOD;
    r->req.set_lot_method = &r->slm;
    snprintf(r->missing, sizeof r->missing, "book %s does not exist", r->book);
}

static void
b_list_lots(req_buf *r)
{
    bzl__v1__list_lots__init(&r->ll);
    r->ll.book = (char *)r->book;
    r->req.body_case = BZL__V1__REQUEST__BODY_LIST_LOTS;
    r->req.list_lots = &r->ll;
    snprintf(r->missing, sizeof r->missing, "the book does not exist");
}

/* The submission's declaration, quoted: an import is no domestic sale (INVALID_ARGUMENT) for
 * whoever may see the book; scoped like a submission (another's enterprise is not registered,
 * a missing book does not exist). */
static void
b_tax_quote(req_buf *r)
{
    declaration(r, false);
    bzl__v1__tax_quote__init(&r->tqt);
    r->tqt.declaration = &r->d.decl;
    bzl__v1__request__init(&r->req);
    r->req.body_case = BZL__V1__REQUEST__BODY_TAX_QUOTE;
    r->req.tax_quote = &r->tqt;
}

/* ---- customs receipts (135-139) ---------------------------------------------------------- */

/* An import receipt (DealFlag 0) for the declaration: one journal entry, no movement. A missing
 * list is NOT_FOUND in storage's words. */
static void
b_apply_receipt(req_buf *r)
{
    if (r->on == T_MISSING) {
        snprintf(r->id, sizeof r->id, "NO-SUCH-%u", r->serial);
    }
    bzl__v1__apply_receipt__init(&r->ar);
    snprintf(r->seq_no, sizeof r->seq_no, "2026%014u", r->serial);
    r->ar.enterprise = (char *)r->ent;
    r->ar.id = r->id;
    r->ar.seq_no = r->seq_no;
    r->ar.message = BZL__V1__RECEIPT_MESSAGE__RECEIPT_MESSAGE_IMPORT;
    r->ar.code = "0";
    r->req.body_case = BZL__V1__REQUEST__BODY_APPLY_RECEIPT;
    r->req.apply_receipt = &r->ar;
    snprintf(r->missing, sizeof r->missing, "list %s does not exist", r->id);
}

static void
b_receipt_diff(req_buf *r)
{
    bzl__v1__receipt_diff__init(&r->rdf);
    r->req.body_case = BZL__V1__REQUEST__BODY_RECEIPT_DIFF;
    r->req.receipt_diff = &r->rdf;
}

/* ---- the matrix ------------------------------------------------------------------------------ */

typedef struct row {
    int body; /* Bzl__V1__Request__BodyCase; 0 for a request without a body */
    const char *name;
    target on;
    void (*prepare)(req_buf *r); /* as root, before: creates the declaration acted on */
    void (*build)(req_buf *r);
    int want[ROLE_COUNT]; /* admin, customs, reconciler, enterprise, unmapped */
    bool writes;          /* an accepted one changes the ledger */
    int entries;          /* journal entries an accepted one adds (stocktakes, rates and
                           * general trade are journaled like declarations) */
    int dqty, dpin;       /* and its movement of item 1 in the named book */
} row;

#define B(x) BZL__V1__REQUEST__BODY_##x

/* clang-format off */
static const row rows[] = {
    /*                                                                               admin customs recon ent none */
    {B(REGISTER_ENTERPRISE), "register_enterprise",        T_OWN,     NULL, b_register,          {OK,  PD,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(GET_ENTERPRISE),  "get_enterprise own",             T_OWN,     NULL, b_get_enterprise,    {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(GET_ENTERPRISE),  "get_enterprise other",           T_OTHER,   NULL, b_get_enterprise,    {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(GET_ENTERPRISE),  "get_enterprise missing",         T_MISSING, NULL, b_get_enterprise,    {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_ENTERPRISES), "list_enterprises",              T_OWN,     NULL, b_list_enterprises,  {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(OPEN_BOOK),       "open_book",                      T_OWN,     NULL, b_open_book,         {OK,  PD,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(GET_BOOK),        "get_book own",                   T_OWN,     NULL, b_get_book,          {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(GET_BOOK),        "get_book other",                 T_OTHER,   NULL, b_get_book,          {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(GET_BOOK),        "get_book missing",               T_MISSING, NULL, b_get_book,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(ADD_ITEM),        "add_item",                       T_OWN,     NULL, b_add_item,          {OK,  PD,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(GET_ITEM),        "get_item own",                   T_OWN,     NULL, b_get_item,          {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(GET_ITEM),        "get_item other",                 T_OTHER,   NULL, b_get_item,          {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(GET_ITEM),        "get_item missing",               T_MISSING, NULL, b_get_item,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(SUBMIT),          "submit own",                     T_OWN,     NULL, b_submit,            {OK,  PD,  PD,  OK,  PD}, true, 1, 1, 0},
    /* admin may submit anywhere: storage refuses the foreign book as WRONG_BOOK. */
    {B(SUBMIT),          "submit into the other's book",   T_OWN_IN_OTHER, NULL, b_submit,       {WB,  PD,  PD,  NF,  PD}, true, 1, 1, 0},
    {B(SUBMIT),          "submit for the other",           T_OTHER,   NULL, b_submit,            {OK,  PD,  PD,  NF,  PD}, true, 1, 1, 0},
    {B(SUBMIT),          "submit into a missing book",     T_MISSING, NULL, b_submit,            {NF,  PD,  PD,  NF,  PD}, true, 1, 0, 0},
    /* A batch answers per declaration; the matrix reads the declaration's status. */
    {B(SUBMIT_BATCH),    "batch own",                      T_OWN,     NULL, b_batch,             {OK,  PD,  PD,  OK,  PD}, true, 1, 1, 0},
    {B(SUBMIT_BATCH),    "batch for the other",            T_OTHER,   NULL, b_batch,             {OK,  PD,  PD,  NF,  PD}, true, 1, 1, 0},
    {B(BALANCES),        "balances own",                   T_OWN,     NULL, b_balances,          {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(BALANCES),        "balances other",                 T_OTHER,   NULL, b_balances,          {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(BALANCES),        "balances missing",               T_MISSING, NULL, b_balances,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(STATS),           "stats",                          T_OWN,     NULL, b_stats,             {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(LIST_BOOKS),      "list_books",                     T_OWN,     NULL, b_list_books,        {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(LIST_ITEMS),      "list_items own",                 T_OWN,     NULL, b_list_items,        {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(LIST_ITEMS),      "list_items other",               T_OTHER,   NULL, b_list_items,        {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_ITEMS),      "list_items missing",             T_MISSING, NULL, b_list_items,        {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_DECLARATIONS), "list_declarations",            T_OWN,     NULL, b_list_declarations, {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(VERIFY),          "verify",                         T_OWN,     NULL, b_verify,            {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(AUDIT),           "audit",                          T_OWN,     NULL, b_audit,             {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(JOURNAL),         "journal",                        T_OWN,     NULL, b_journal,           {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(CHECKPOINT),      "checkpoint",                     T_OWN,     NULL, b_checkpoint,        {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SET_NORM),        "set_norm",                       T_OWN,     NULL, b_set_norm,          {OK,  PD,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(LIST_NORMS),      "list_norms own",                 T_OWN,     NULL, b_list_norms,        {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(LIST_NORMS),      "list_norms other",               T_OTHER,   NULL, b_list_norms,        {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_NORMS),      "list_norms missing",             T_MISSING, NULL, b_list_norms,        {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(SET_ITEM_MODE),   "set_item_mode",                  T_OWN,     NULL, b_set_item_mode,     {OK,  PD,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(POST_DECLARATION), "post a pending declaration",    T_OWN,     p_pending, b_post,         {OK,  OK,  PD,  PD,  PD}, true, 1, 1, -1},
    {B(VOID_DECLARATION), "void own pending",              T_OWN,     p_pending, b_void,         {OK,  PD,  PD,  OK,  PD}, true, 1, 0, -1},
    {B(VOID_DECLARATION), "void the other's pending",      T_OTHER,   p_pending, b_void,         {OK,  PD,  PD,  NF,  PD}, true, 1, 0, -1},
    {B(VOID_DECLARATION), "void a missing declaration",    T_MISSING, NULL, b_void,              {NF,  PD,  PD,  NF,  PD}, true, 1, 0, 0},
    /* A change voids the old version (pending 1) and declares the new (pending 2), then links
     * them: three entries, pending in +1. */
    {B(REPLACE_DECLARATION), "replace own pending",        T_OWN,     p_pending, b_replace,      {OK,  PD,  PD,  OK,  PD}, true, 3, 0, 1},
    {B(REPLACE_DECLARATION), "replace the other's pending", T_OTHER,  p_pending, b_replace,      {OK,  PD,  PD,  NF,  PD}, true, 3, 0, 1},
    {B(REPLACE_DECLARATION), "replace in a missing book",  T_MISSING, NULL, b_replace,           {NF,  PD,  PD,  NF,  PD}, true, 3, 0, 0},
    {B(REVERSE_DECLARATION), "reverse a posted declaration", T_OWN,   p_posted, b_reverse,       {OK,  OK,  PD,  PD,  PD}, true, 1, -1, 0},
    {B(CLOSE_PERIOD),    "close_period",                   T_OWN,     NULL, b_close_period,      {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(HISTORY),         "history own",                    T_OWN,     NULL, b_history,           {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(HISTORY),         "history other",                  T_OTHER,   NULL, b_history,           {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(HISTORY),         "history missing",                T_MISSING, NULL, b_history,           {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    /* A malformed field answers as it would for a missing book: existence never shows. */
    {B(HISTORY),         "history other, bad date",        T_OTHER,   NULL, b_history_bad_date,  {DATE, DATE, DATE, DATE, PD}, false, 0, 0, 0},
    {B(HISTORY),         "history missing, bad date",      T_MISSING, NULL, b_history_bad_date,  {DATE, DATE, DATE, DATE, PD}, false, 0, 0, 0},
    {B(GET_DECLARATION), "get_declaration own",            T_OWN,     NULL, b_get_declaration,   {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(GET_DECLARATION), "get_declaration other",          T_OTHER,   NULL, b_get_declaration,   {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(GET_DECLARATION), "get_declaration missing",        T_MISSING, NULL, b_get_declaration,   {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(UNMATCHED_TRANSFERS), "unmatched_transfers",        T_OWN,     NULL, b_unmatched,         {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SCRAP),           "scrap own",                      T_OWN,     NULL, b_scrap,             {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(SCRAP),           "scrap other",                    T_OTHER,   NULL, b_scrap,             {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(SCRAP),           "scrap missing",                  T_MISSING, NULL, b_scrap,             {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(REJECT_DECLARATION), "reject a pending declaration", T_OWN,    p_pending, b_reject,       {OK,  OK,  PD,  PD,  PD}, true, 1, 0, -1},
    {B(BACKUP),          "backup",                         T_OWN,     NULL, b_backup,            {OK,  PD,  PD,  PD,  PD}, false, 0, 0, 0},
    {B(STOCKTAKE),       "stocktake own",                  T_OWN,     NULL, b_stocktake,         {OK,  OK,  PD,  OK,  PD}, true, 1, 0, 0},
    {B(STOCKTAKE),       "stocktake other",                T_OTHER,   NULL, b_stocktake,         {OK,  OK,  PD,  NF,  PD}, true, 1, 0, 0},
    {B(STOCKTAKE),       "stocktake missing",              T_MISSING, NULL, b_stocktake,         {NF,  NF,  PD,  NF,  PD}, true, 0, 0, 0},
    {B(STOCKTAKE),       "stocktake other, bad date",      T_OTHER,   NULL, b_stocktake_bad_date, {DATE, DATE, PD, DATE, PD}, true, 0, 0, 0},
    {B(STOCKTAKE),       "stocktake missing, bad date",    T_MISSING, NULL, b_stocktake_bad_date, {DATE, DATE, PD, DATE, PD}, true, 0, 0, 0},
    {B(STOCKTAKE),       "stocktake other, bad line",      T_OTHER,   NULL, b_stocktake_bad_line, {INV, INV, PD,  INV, PD}, true, 0, 0, 0},
    {B(STOCKTAKE),       "stocktake missing, bad line",    T_MISSING, NULL, b_stocktake_bad_line, {INV, INV, PD,  INV, PD}, true, 0, 0, 0},
    {B(RECONCILE),       "reconcile",                      T_OWN,     NULL, b_reconcile,         {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SET_RATE),        "set_rate",                       T_OWN,     NULL, b_set_rate,          {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(LIST_RATES),      "list_rates",                     T_OWN,     NULL, b_list_rates,        {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(RECORD_TRADE),    "record_trade",                   T_OWN,     NULL, b_record_trade,      {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(REPORT),          "report",                         T_OWN,     NULL, b_report,            {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(OPEN_WORKORDER),  "open_workorder own",             T_OWN,     NULL, b_open_workorder,    {FNA, PD,  PD,  FNA, PD}, true, 1, 0, 0},
    {B(OPEN_WORKORDER),  "open_workorder other",           T_OTHER,   NULL, b_open_workorder,    {FNA, PD,  PD,  NF,  PD}, true, 1, 0, 0},
    {B(OPEN_WORKORDER),  "open_workorder missing",         T_MISSING, NULL, b_open_workorder,    {NF,  PD,  PD,  NF,  PD}, true, 1, 0, 0},
    {B(COMPLETE_WORKORDER), "complete_workorder own",      T_OWN,     NULL, b_complete_workorder, {FNA, PD, PD,  FNA, PD}, true, 1, 0, 0},
    {B(COMPLETE_WORKORDER), "complete_workorder other",    T_OTHER,   NULL, b_complete_workorder, {FNA, PD, PD,  NF,  PD}, true, 1, 0, 0},
    {B(LIST_WORKORDERS), "list_workorders own",            T_OWN,     NULL, b_list_workorders,   {FNA, FNA, FNA, FNA, PD}, false, 0, 0, 0},
    {B(LIST_WORKORDERS), "list_workorders other",          T_OTHER,   NULL, b_list_workorders,   {FNA, FNA, FNA, NF,  PD}, false, 0, 0, 0},
    {B(LIST_WORKORDERS), "list_workorders missing",        T_MISSING, NULL, b_list_workorders,   {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(REPAIR_OVERDUE),  "repair_overdue",                 T_OWN,     NULL, b_repair_overdue,    {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(RECORD_DELIVERY), "record_delivery own",            T_OWN,     NULL, b_record_delivery,   {OK,  PD,  PD,  OK,  PD}, true, 1, 0, 0},
    {B(RECORD_DELIVERY), "record_delivery other",          T_OTHER,   NULL, b_record_delivery,   {OK,  PD,  PD,  NF,  PD}, true, 1, 0, 0},
    {B(RECORD_DELIVERY), "record_delivery missing",        T_MISSING, NULL, b_record_delivery,   {NF,  PD,  PD,  NF,  PD}, true, 1, 0, 0},
    {B(TRANSFERS_REPORT), "transfers_report",              T_OWN,     NULL, b_transfers_report,  {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SET_TARIFF),      "set_tariff",                     T_OWN,     NULL, b_set_tariff,        {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(LIST_TARIFFS),    "list_tariffs",                   T_OWN,     NULL, b_list_tariffs,      {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SET_INTEREST_RATE), "set_interest_rate",            T_OWN,     NULL, b_set_interest,      {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(LIST_INTEREST_RATES), "list_interest_rates",        T_OWN,     NULL, b_list_interest,     {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(TAX_SHOW),        "tax_show own",                   T_OWN,     NULL, b_tax_show,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_SHOW),        "tax_show other",                 T_OTHER,   NULL, b_tax_show,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_SHOW),        "tax_show missing",               T_MISSING, NULL, b_tax_show,          {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_COMPARE),     "tax_compare own",                T_OWN,     NULL, b_tax_compare,       {INV, INV, INV, INV, PD}, false, 0, 0, 0},
    {B(TAX_COMPARE),     "tax_compare other",              T_OTHER,   NULL, b_tax_compare,       {INV, INV, INV, NF,  PD}, false, 0, 0, 0},
    {B(TAX_COMPARE),     "tax_compare missing",            T_MISSING, NULL, b_tax_compare,       {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_REPORT),      "tax_report",                     T_OWN,     NULL, b_tax_report,        {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {B(SET_LOT_METHOD),  "set_lot_method own",             T_OWN,     NULL, b_set_lot_method,    {OK,  OK,  PD,  OK,  PD}, false, 0, 0, 0},
    {B(SET_LOT_METHOD),  "set_lot_method other",           T_OTHER,   NULL, b_set_lot_method,    {OK,  OK,  PD,  NF,  PD}, false, 0, 0, 0},
    {B(SET_LOT_METHOD),  "set_lot_method missing",         T_MISSING, NULL, b_set_lot_method,    {NF,  NF,  PD,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_LOTS),       "list_lots own",                  T_OWN,     NULL, b_list_lots,         {OK,  OK,  OK,  OK,  PD}, false, 0, 0, 0},
    {B(LIST_LOTS),       "list_lots other",                T_OTHER,   NULL, b_list_lots,         {OK,  OK,  OK,  NF,  PD}, false, 0, 0, 0},
    {B(LIST_LOTS),       "list_lots missing",              T_MISSING, NULL, b_list_lots,         {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_QUOTE),       "tax_quote own",                  T_OWN,     NULL, b_tax_quote,         {INV, INV, INV, INV, PD}, false, 0, 0, 0},
    {B(TAX_QUOTE),       "tax_quote in the other's book",  T_OWN_IN_OTHER, NULL, b_tax_quote,    {WB,  WB,  WB,  NF,  PD}, false, 0, 0, 0},
    {B(TAX_QUOTE),       "tax_quote for the other",        T_OTHER,   NULL, b_tax_quote,         {INV, INV, INV, NF,  PD}, false, 0, 0, 0},
    {B(TAX_QUOTE),       "tax_quote in a missing book",    T_MISSING, NULL, b_tax_quote,         {NF,  NF,  NF,  NF,  PD}, false, 0, 0, 0},
    /* customs receipts: customs (and admin) apply them; the differences are staff reading */
    {B(APPLY_RECEIPT),   "apply_receipt to a pending list", T_OWN,    p_pending, b_apply_receipt, {OK,  OK,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(APPLY_RECEIPT),   "apply_receipt to a missing list", T_MISSING, NULL, b_apply_receipt,   {NF,  NF,  PD,  PD,  PD}, true, 1, 0, 0},
    {B(RECEIPT_DIFF),    "receipt_diff",                   T_OWN,     NULL, b_receipt_diff,      {OK,  OK,  OK,  PD,  PD}, false, 0, 0, 0},
    {0,                  "empty body",                     T_OWN,     NULL, b_empty,             {UNS, PD,  PD,  PD,  PD}, false, 0, 0, 0},
};
/* clang-format on */

static unsigned serial;
static unsigned checked;

static void
resolve(req_buf *r, const row *rw, const principal *p)
{
    memset(r, 0, sizeof *r);
    r->serial = ++serial;
    r->on = rw->on;
    switch (rw->on) {
    case T_OWN:
        r->ent = p->own_ent;
        r->book = p->own_book;
        break;
    case T_OTHER:
        r->ent = p->oth_ent;
        r->book = p->oth_book;
        break;
    case T_OWN_IN_OTHER:
        r->ent = p->own_ent;
        r->book = p->oth_book;
        break;
    case T_MISSING:
        r->ent = p->own_ent;
        r->book = MISSING_BOOK;
        break;
    }
    bzl__v1__request__init(&r->req);
}

/* A refusal by role names the role; an unmapped peer is told it is unmapped. */
static void
check_denial(const principal *p, const row *rw, const char *msg)
{
    char want[200];
    if (p->role == R_NONE) {
        snprintf(want, sizeof want, "uid %u is not mapped to a principal", p->uid);
    } else {
        snprintf(want, sizeof want, "the %s role may not send ", role_names[p->role]);
    }
    if (strncmp(msg, want, strlen(want)) != 0) {
        h_fail("%s: %s: PERMISSION_DENIED says \"%s\", not \"%s…\"", p->name, rw->name, msg, want);
    }
}

static int
book_index(const char *book)
{
    return strcmp(book, BOOK_A) == 0 ? 0 : strcmp(book, BOOK_B) == 0 ? 1 : -1;
}

/* What an accepted write must have done: its entries, its movement in the named book, nothing
 * in the other. What anything else must have done: nothing at all. */
static void
check_effect(const principal *p, const row *rw, const req_buf *r, int got, const ledger_state *a,
             const ledger_state *b)
{
    if (got != OK || !rw->writes) {
        if (!state_same(a, b)) {
            h_fail("%s: %s (status %d) changed the ledger: entries %llu -> %llu, A %lld/%lld -> "
                   "%lld/%lld, B %lld/%lld -> %lld/%lld, stocktakes, rates or trade %s",
                   p->name, rw->name, got, (unsigned long long)a->entries,
                   (unsigned long long)b->entries, a->qty[0], a->pin[0], b->qty[0], b->pin[0],
                   a->qty[1], a->pin[1], b->qty[1], b->pin[1],
                   a->print_len == b->print_len && memcmp(a->print, b->print, a->print_len) == 0
                       ? "unchanged"
                       : "CHANGED");
        }
        return;
    }
    int at = book_index(r->book);
    long long want_qty[2] = {a->qty[0], a->qty[1]};
    long long want_pin[2] = {a->pin[0], a->pin[1]};
    if (at >= 0) {
        want_qty[at] += rw->dqty;
        want_pin[at] += rw->dpin;
    }
    /* A write the journal does not record (stocktake, rate, general trade) must show in the
     * fingerprint: otherwise "nothing changed" above would prove nothing about it. */
    bool print_same = a->print_len == b->print_len && memcmp(a->print, b->print, a->print_len) == 0;
    if (rw->entries == 0 && print_same) {
        h_fail("%s: %s was accepted but the stocktakes, rates and trade read the same", p->name,
               rw->name);
    }
    if (b->entries != a->entries + (uint64_t)rw->entries || b->qty[0] != want_qty[0] ||
        b->qty[1] != want_qty[1] || b->pin[0] != want_pin[0] || b->pin[1] != want_pin[1] ||
        memcmp(a->pout, b->pout, sizeof a->pout) != 0) {
        h_fail("%s: %s: entries %llu -> %llu (want +%d), A %lld/%lld -> %lld/%lld (want "
               "%lld/%lld), B %lld/%lld -> %lld/%lld (want %lld/%lld)",
               p->name, rw->name, (unsigned long long)a->entries, (unsigned long long)b->entries,
               rw->entries, a->qty[0], a->pin[0], b->qty[0], b->pin[0], want_qty[0], want_pin[0],
               a->qty[1], a->pin[1], b->qty[1], b->pin[1], want_qty[1], want_pin[1]);
    }
}

static void
run_row(const principal *p, const row *rw)
{
    static ledger_state before, after;
    req_buf r;
    resolve(&r, rw, p);
    if (rw->prepare != NULL) {
        rw->prepare(&r);
    }
    rw->build(&r);
    if ((int)r.req.body_case != rw->body) {
        h_fail("%s: the row builds body %d, not %d", rw->name, (int)r.req.body_case, rw->body);
    }
    state_read(&before);
    char msg[600];
    int got = as_principal(p, &r.req, msg, sizeof msg);
    state_read(&after);
    int want = rw->want[p->role];
    checked++;
    if (got != want) {
        h_fail("%s: %s: status %d, expected %d (%s)", p->name, rw->name, got, want, msg);
    } else if (got == NF && strcmp(msg, r.missing) != 0) {
        h_fail("%s: %s: NOT_FOUND says \"%s\", a missing record says \"%s\"", p->name, rw->name,
               msg, r.missing);
    } else if (got == PD) {
        check_denial(p, rw, msg);
    }
    check_effect(p, rw, &r, got, &before, &after);
}

static void
run_matrix(void)
{
    for (size_t i = 0; i < BZL_ARRAY_LEN(principals); i++) {
        int failures = harness_failures;
        for (size_t k = 0; k < BZL_ARRAY_LEN(rows); k++) {
            run_row(&principals[i], &rows[k]);
        }
        printf("%s: %-26s %zu rows\n", harness_failures == failures ? "ok" : "FAILED",
               principals[i].name, BZL_ARRAY_LEN(rows));
    }
}

/* The role bit of the daemon's table for a matrix column. */
static uint32_t
column_bit(role r)
{
    static const uint8_t roles[ROLE_COUNT] = {BZLD_ROLE_ADMIN, BZLD_ROLE_CUSTOMS,
                                              BZLD_ROLE_RECONCILER, BZLD_ROLE_ENTERPRISE,
                                              BZLD_ROLE_NONE};
    return BZLD_ROLE_BIT(roles[r]);
}

/* A matrix row's columns agree with the table row's roles: PERMISSION_DENIED exactly for the
 * roles outside it (the unmapped column is always denied). */
static void
check_row_roles(const bzld_request *t, const row *rw)
{
    for (int r = 0; r < R_NONE; r++) {
        bool granted = (t->roles & column_bit((role)r)) != 0;
        if (granted == (rw->want[r] == PD)) {
            h_fail("%s: the matrix expects %d of %s, the request table %s it", rw->name,
                   rw->want[r], role_names[r], granted ? "grants" : "denies");
        }
    }
}

/* Every row of the daemon's request table has at least one matrix row, and every matrix row's
 * roles are its table row's: a request kind added without its rights fails here, by name. The
 * table itself covers the Request oneof (bzld_requests_check, and the build). */
static void
check_coverage(void)
{
    int failures = harness_failures;
    char why[256] = "";
    if (!bzld_requests_check(why, sizeof why)) {
        h_fail("the request table does not match the Request oneof: %s", why);
    }
    size_t kinds = 0;
    const bzld_request *table = bzld_requests(&kinds);
    for (size_t i = 0; i < kinds; i++) {
        bool covered = false;
        for (size_t k = 0; k < BZL_ARRAY_LEN(rows); k++) {
            if (rows[k].body == (int)table[i].body) {
                covered = true;
                check_row_roles(&table[i], &rows[k]);
            }
        }
        if (!covered) {
            h_fail("request kind %s (field %d) has no row in the rights matrix", table[i].name,
                   (int)table[i].body);
        }
    }
    /* The matrix names no kind the table does not have; the empty body gets the table's
     * unknown row (admin only). */
    for (size_t k = 0; k < BZL_ARRAY_LEN(rows); k++) {
        const bzld_request *t = bzld_request_of((Bzl__V1__Request__BodyCase)rows[k].body);
        if (t->body != (Bzl__V1__Request__BodyCase)rows[k].body) {
            h_fail("matrix row %s names field %d, which has no row in the request table",
                   rows[k].name, rows[k].body);
        } else if (rows[k].body == 0) {
            check_row_roles(t, &rows[k]);
        }
    }
    /* id is the one field outside the body oneof. */
    const ProtobufCMessageDescriptor *md = &bzl__v1__request__descriptor;
    unsigned oneof = 0;
    for (unsigned f = 0; f < md->n_fields; f++) {
        oneof += (md->fields[f].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
    }
    if (oneof != md->n_fields - 1 || oneof != kinds) {
        h_fail("the Request has %u fields, %u in its body oneof, the table %zu rows", md->n_fields,
               oneof, kinds);
    }
    if (harness_failures == failures) {
        printf("ok: %zu request kinds of the request table, each with rows (%zu rows)\n", kinds,
               BZL_ARRAY_LEN(rows));
    }
    checked++;
}

/* An enterprise's listing shows its own enterprise only, page by page: no page and no page
 * token names another enterprise (a token is opaque, not secret). */
static void
check_listing(void)
{
    const principal *ent_a = &principals[3];
    int pfd[2];
    if (pipe(pfd) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        gid_t groups[1] = {SOCK_GID};
        if (setgroups(1, groups) != 0 || setresgid(ent_a->gid, ent_a->gid, ent_a->gid) != 0 ||
            setresuid(ent_a->uid, ent_a->uid, ent_a->uid) != 0) {
            _exit(100);
        }
        /* One row a page, so that a page boundary falls where another enterprise's code
         * would be: every page and every token goes to the pipe. */
        Bzl__V1__ListEnterprises le = BZL__V1__LIST_ENTERPRISES__INIT;
        le.page_size = 1;
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_LIST_ENTERPRISES;
        req.list_enterprises = &le;
        bzl_client *c = NULL;
        char token[64] = "";
        if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
            _exit(0);
        }
        for (int page = 0; page < 8; page++) {
            le.page_token = token;
            Bzl__V1__Response *resp = h_call(c, &req);
            if (resp == NULL || resp->result_case != BZL__V1__RESPONSE__RESULT_ENTERPRISES) {
                break;
            }
            for (size_t i = 0; i < resp->enterprises->n_enterprises; i++) {
                dprintf(pfd[1], "%s ", resp->enterprises->enterprises[i]->code);
            }
            snprintf(token, sizeof token, "%s", resp->enterprises->next_page_token);
            if (token[0] == '\0') {
                break;
            }
            dprintf(pfd[1], "[%s] ", token);
        }
        _exit(0);
    }
    close(pfd[1]);
    char listed[256] = "";
    size_t got = 0; /* the child writes a page at a time: read to the end */
    for (ssize_t n = 1; n > 0 && got<sizeof listed - 1; got += n> 0 ? (size_t)n : 0) {
        n = read(pfd[0], listed + got, sizeof listed - 1 - got);
    }
    listed[got] = '\0';
    close(pfd[0]);
    waitpid(pid, NULL, 0);
    if (strcmp(listed, ENT_A " ") != 0) {
        h_fail("enterprise A's paged listing shows \"%s\", want only its own %s", listed, ENT_A);
    } else {
        printf("ok: an enterprise's listing, a row a page, shows and names only its own\n");
    }
    checked++;
}

/* What ListEnterprises answers a peer with these credentials: the codes listed, or
 * "status N" for a refusal, into out. */
static void
list_as(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, char *out, size_t cap)
{
    int pfd[2];
    if (pipe(pfd) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        h_die("fork");
    }
    if (pid == 0) {
        close(pfd[0]);
        if (setgroups(n_groups, groups) != 0 || setresgid(gid, gid, gid) != 0 ||
            setresuid(uid, uid, uid) != 0) {
            _exit(100);
        }
        alarm(30);
        Bzl__V1__ListEnterprises le = BZL__V1__LIST_ENTERPRISES__INIT;
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_LIST_ENTERPRISES;
        req.list_enterprises = &le;
        bzl_client *c = NULL;
        Bzl__V1__Response *resp = NULL;
        if (bzl_client_connect(h.sock, &c, NULL, 0) == BZL_OK) {
            resp = h_call(c, &req);
        }
        if (resp != NULL && resp->result_case == BZL__V1__RESPONSE__RESULT_ENTERPRISES) {
            for (size_t i = 0; i < resp->enterprises->n_enterprises; i++) {
                dprintf(pfd[1], "%s ", resp->enterprises->enterprises[i]->code);
            }
        } else if (resp != NULL) {
            dprintf(pfd[1], "status %d", (int)resp->status);
        }
        _exit(0);
    }
    close(pfd[1]);
    ssize_t n = read(pfd[0], out, cap - 1);
    out[n > 0 ? n : 0] = '\0';
    close(pfd[0]);
    waitpid(pid, NULL, 0);
}

/* A group rule matches a supplementary group, not only the primary gid: a user whose primary
 * group is its own (Debian's user private groups) and who is a member of enterprise B's group
 * acts for B; without that membership the same uid is refused. */
static void
check_supplementary_group(void)
{
    const uid_t uid = 3097;
    const gid_t member[2] = {SOCK_GID, GID_ENT_B};
    const gid_t outsider[1] = {SOCK_GID};
    char listed[256];
    list_as(uid, uid, member, 2, listed, sizeof listed);
    if (strcmp(listed, ENT_B " ") != 0) {
        h_fail("uid 3097 in group %u lists \"%s\", want only %s", GID_ENT_B, listed, ENT_B);
    } else {
        printf("ok: a supplementary group's rule gives its member the group's enterprise\n");
    }
    checked++;
    list_as(uid, uid, outsider, 1, listed, sizeof listed);
    char want[32];
    snprintf(want, sizeof want, "status %d", PD);
    if (strcmp(listed, want) != 0) {
        h_fail("uid 3097 outside group %u gets \"%s\", want \"%s\"", GID_ENT_B, listed, want);
    } else {
        printf("ok: the same uid without the group is refused\n");
    }
    checked++;
}

/* A product item 2 in each book, for norms and business modes. */
static void
add_products(void)
{
    const char *books[2] = {BOOK_A, BOOK_B};
    for (int i = 0; i < 2; i++) {
        Bzl__V1__Item it = BZL__V1__ITEM__INIT;
        it.book = (char *)books[i];
        it.kind = BZL__V1__KIND__KIND_PRODUCT;
        it.item = 2;
        it.hs = "1512110000";
        it.name = "sunflower oil";
        it.unit = "035";
        it.mode = BZL__V1__BIZ_MODE__BIZ_MODE_OEM;
        Bzl__V1__AddItem ai = BZL__V1__ADD_ITEM__INIT;
        ai.item = &it;
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
        req.add_item = &ai;
        char msg[300];
        if (h_status(&h, &req, msg, sizeof msg) != OK) {
            fprintf(stderr, "check_access: adding product 2 to %s failed: %s\n", books[i], msg);
            exit(1);
        }
    }
}

int
main(void)
{
    if (geteuid() != 0) {
        printf("SKIP: check_access must run as root to switch uids (setresuid); skipped\n");
        return 77;
    }
    static_assert(BZL_ARRAY_LEN(role_names) == ROLE_COUNT, "a name per role");
    check_coverage();
    harness_init(&h, config_text);
    harness_start(&h, BZLD_PATH);
    harness_seed(&h);
    add_products();
    run_matrix();
    check_listing();
    check_supplementary_group();
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    printf("%zu rows x %zu principals: %u checks, %d failures\n", BZL_ARRAY_LEN(rows),
           BZL_ARRAY_LEN(principals), checked, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
