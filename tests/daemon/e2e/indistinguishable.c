/* indistinguishable.c — proves issue 13's finding 5 closed: to an enterprise, another
 * enterprise's book is indistinguishable from a book that does not exist, in the answer and in
 * its timing. As enterprise A (uid 3011), for each request kind that names a book — get_book,
 * balances, list_items, list_norms, history, scrap, submit, stocktake — it sends the same
 * request for enterprise B's book (foreign) and for a book no one opened (missing), interleaved,
 * ROUNDS times each on one connection, and checks:
 *   - the two answers are byte for byte the same status and message once the book number is
 *     replaced by a placeholder (so neither the wording nor a field tells them apart);
 *   - the medians of the two latency distributions differ by no more than the noise: the
 *     difference between the medians of the missing book's first and second halves, times three,
 *     with a floor of 15 µs (the red team's separations were 18-33 µs on a release build).
 * Before the fix, missing books were answered 0.1-4 ms later than foreign ones. The timing is
 * the product's: it judges the bzld named by the first argument, else by BZL_TIMING_BZLD
 * (deploy/test.sh names its RelWithDebInfo build), else the one built beside it — under the
 * sanitizers a submit's two refusals differ by about 20 µs of instrumentation that the
 * optimised build does not have (0-2 µs there). Runs as root; otherwise exit 77. */
#include "harness.h"

#define SOCK_GID 4242u
#define UID_ENT_A 3011u
#define ROUNDS 600
#define BOOK_MISSING "H72012409999"

static harness h;

static const char config_text[] = "# indistinguishable: enterprise A has a uid of its own\n"
                                  "[daemon]\n"
                                  "socket_group = 4242\n"
                                  "[access]\n"
                                  "enterprise.6201230001 = uid:3011\n";

typedef enum kind {
    K_GET_BOOK,
    K_BALANCES,
    K_LIST_ITEMS,
    K_LIST_NORMS,
    K_HISTORY,
    K_SCRAP,
    K_SUBMIT,
    K_STOCKTAKE,
    K_COUNT
} kind;

static const char *const kind_names[K_COUNT] = {
    "get_book", "balances", "list_items", "list_norms", "history", "scrap", "submit", "stocktake",
};

/* One request of kind k naming book, sent on c; the answer's status and its message with the
 * book number replaced by "BOOK" in out; the round trip in ns (UINT64_MAX on failure). */
static uint64_t
probe(bzl_client *c, kind k, const char *book, char *out, size_t cap)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__GetBook gb = BZL__V1__GET_BOOK__INIT;
    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    Bzl__V1__ListItems li = BZL__V1__LIST_ITEMS__INIT;
    Bzl__V1__ListNorms ln = BZL__V1__LIST_NORMS__INIT;
    Bzl__V1__QueryHistory qh = BZL__V1__QUERY_HISTORY__INIT;
    Bzl__V1__QueryScrap qs = BZL__V1__QUERY_SCRAP__INIT;
    Bzl__V1__SubmitStocktake st = BZL__V1__SUBMIT_STOCKTAKE__INIT;
    Bzl__V1__StocktakeLine sl = BZL__V1__STOCKTAKE_LINE__INIT;
    Bzl__V1__StocktakeLine *sls[1] = {&sl};
    decl_msg m;
    static unsigned serial;
    char id[32];
    switch (k) {
    case K_GET_BOOK:
        gb.book = (char *)book;
        req.body_case = BZL__V1__REQUEST__BODY_GET_BOOK;
        req.get_book = &gb;
        break;
    case K_BALANCES:
        qb.book = (char *)book;
        req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
        req.balances = &qb;
        break;
    case K_LIST_ITEMS:
        li.book = (char *)book;
        req.body_case = BZL__V1__REQUEST__BODY_LIST_ITEMS;
        req.list_items = &li;
        break;
    case K_LIST_NORMS:
        ln.book = (char *)book;
        req.body_case = BZL__V1__REQUEST__BODY_LIST_NORMS;
        req.list_norms = &ln;
        break;
    case K_HISTORY:
        qh.book = (char *)book;
        qh.kind = BZL__V1__KIND__KIND_MATERIAL;
        qh.item = 1;
        req.body_case = BZL__V1__REQUEST__BODY_HISTORY;
        req.history = &qh;
        break;
    case K_SCRAP:
        qs.book = (char *)book;
        req.body_case = BZL__V1__REQUEST__BODY_SCRAP;
        req.scrap = &qs;
        break;
    case K_SUBMIT:
        snprintf(id, sizeof id, "PROBE-%u", ++serial);
        h_decl(&m, id, ENT_A, book, "1", false);
        req = m.req;
        break;
    case K_STOCKTAKE:
        sl.kind = BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL;
        sl.item = 1;
        sl.qty = "1";
        st.book = (char *)book;
        st.date = "2026-03-31";
        st.n_lines = 1;
        st.lines = sls;
        req.body_case = BZL__V1__REQUEST__BODY_STOCKTAKE;
        req.stocktake = &st;
        break;
    default:
        h_die("kind");
    }
    uint64_t t0 = h_now_ns();
    Bzl__V1__Response *resp = h_call(c, &req);
    uint64_t t = h_now_ns() - t0;
    if (resp == NULL) {
        snprintf(out, cap, "transport failure");
        return UINT64_MAX;
    }
    /* The answer as a client sees it: status, message, and for a submit the per-declaration
     * fault, with the book number out of the way. */
    char text[800];
    const char *fault = resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT && resp->submit
                            ? resp->submit->message
                            : "";
    snprintf(text, sizeof text, "%d|%s|%s|%d", (int)resp->status, resp->message, fault,
             (int)resp->result_case);
    for (char *p = strstr(text, book); p != NULL; p = strstr(p, book)) {
        memcpy(p, "BOOK________", 12);
    }
    snprintf(out, cap, "%s", text);
    bzl__v1__response__free_unpacked(resp, NULL);
    return t;
}

static uint64_t
median(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, h_cmp_u64);
    return v[n / 2];
}

/* As enterprise A: every kind, foreign and missing interleaved. Prints one line per kind and
 * writes the number of failed checks to fd. */
static void
as_enterprise(int fd)
{
    h_become(UID_ENT_A, SOCK_GID);
    bzl_client *c = NULL;
    if (bzl_client_connect(h.sock, &c, NULL, 0) != BZL_OK) {
        _exit(101);
    }
    static uint64_t foreign[ROUNDS], missing[ROUNDS], first[ROUNDS / 2], second[ROUNDS / 2];
    int failures = 0;
    for (kind k = 0; k < K_COUNT; k++) {
        char a[800], b[800], a0[800] = "", b0[800] = "";
        for (int i = 0; i < 20; i++) { /* warm both paths */
            (void)probe(c, k, BOOK_B, a, sizeof a);
            (void)probe(c, k, BOOK_MISSING, b, sizeof b);
        }
        bool same = true;
        for (int i = 0; i < ROUNDS; i++) {
            /* Alternate which goes first, so neither rides the other's warm caches. */
            bool fore = i % 2 == 0;
            uint64_t t1 = probe(c, k, fore ? BOOK_B : BOOK_MISSING, fore ? a : b, sizeof a);
            uint64_t t2 = probe(c, k, fore ? BOOK_MISSING : BOOK_B, fore ? b : a, sizeof b);
            foreign[i] = fore ? t1 : t2;
            missing[i] = fore ? t2 : t1;
            if (i == 0) {
                snprintf(a0, sizeof a0, "%s", a);
                snprintf(b0, sizeof b0, "%s", b);
            }
            same = same && strcmp(a, b) == 0 && strcmp(a, a0) == 0 && strcmp(b, b0) == 0;
        }
        memcpy(first, missing, sizeof first);
        memcpy(second, missing + ROUNDS / 2, sizeof second);
        uint64_t noise_a = median(first, ROUNDS / 2);
        uint64_t noise_b = median(second, ROUNDS / 2);
        uint64_t noise = noise_a > noise_b ? noise_a - noise_b : noise_b - noise_a;
        uint64_t mf = median(foreign, ROUNDS);
        uint64_t mm = median(missing, ROUNDS);
        uint64_t diff = mf > mm ? mf - mm : mm - mf;
        uint64_t allowed = 3 * noise > 15000 ? 3 * noise : 15000;
        printf("%-10s foreign %7.1f µs, missing %7.1f µs, |Δ| %6.1f µs, noise %6.1f µs: %s\n",
               kind_names[k], mf / 1000.0, mm / 1000.0, diff / 1000.0, noise / 1000.0, a0);
        if (!same) {
            printf("FAIL: %s: foreign answered \"%s\", missing \"%s\"\n", kind_names[k], a, b);
            failures++;
        }
        if (diff > allowed) {
            printf("FAIL: %s: the medians differ by %.1f µs, beyond the noise allowance %.1f µs\n",
                   kind_names[k], diff / 1000.0, allowed / 1000.0);
            failures++;
        }
    }
    bzl_client_close(c);
    fflush(stdout);
    dprintf(fd, "%d\n", failures);
    _exit(0);
}

int
main(int argc, char **argv)
{
    if (geteuid() != 0) {
        printf("SKIP: indistinguishable must run as root to switch uids; skipped\n");
        return 77;
    }
    harness_init(&h, config_text);
    const char *timed = getenv("BZL_TIMING_BZLD");
    harness_start(&h, argc > 1 ? argv[1] : timed != NULL && timed[0] != '\0' ? timed : BZLD_PATH);
    harness_seed(&h);
    int p[2];
    if (pipe(p) != 0) {
        h_die("pipe");
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        h_die("fork");
    }
    if (child == 0) {
        close(p[0]);
        as_enterprise(p[1]);
    }
    close(p[1]);
    char buf[32] = "";
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    close(p[0]);
    int status = 0;
    waitpid(child, &status, 0);
    int failures = -1;
    if (sscanf(buf, "%d", &failures) != 1) {
        h_fail("the enterprise's child ended without a verdict (wait status %d)", status);
    } else {
        harness_failures += failures;
    }
    if (!harness_stop(&h)) {
        h_fail("bzld did not exit 0 on SIGTERM (directory %s kept)", h.dir);
    }
    printf("indistinguishable: %d failures\n", harness_failures);
    return harness_failures == 0 ? 0 : 1;
}
