/* crash_check.c — the crash harness's verdict: after any number of SIGKILLs, proves from the
 * client's logs and the daemon's answers that nothing acknowledged was lost or counted twice.
 *
 *   crash_check SOCKET LOGDIR
 *
 * It reads LOGDIR/sent.log (every id a client sent or was about to send) and LOGDIR/acked.log
 * ("id seq" for every declaration the daemon acknowledged), then:
 *
 *   1. reads the journal's entry count J0 (stats);
 *   2. resubmits every sent declaration, rebuilt from its id (crash_common.h). Idempotency makes
 *      this a membership test: a declaration already stored comes back "replayed" with its
 *      original sequence and writes nothing; one never stored is accepted now.
 *      - every acknowledged id must come back replayed with exactly its acknowledged seq
 *        (otherwise it was LOST);
 *      - every unacknowledged id must come back OK (replayed or newly accepted);
 *   3. J0 must equal the set-up's 3 entries plus the number of replayed ids: any other entry
 *      is a declaration stored twice or one never sent (DUPLICATED);
 *   4. afterwards the journal must hold 3 + |sent| entries and item 1's balance must equal the
 *      sum of every sent declaration's quantity — the stored balance agrees with the journal.
 *
 * Prints one summary line and exits 0 when every property holds, 1 otherwise.
 */
#include <inttypes.h>

#include "crash_common.h"

#define CHECK_BATCH 500u

typedef struct acked_row {
    char id[CRASH_ID_BYTES];
    uint64_t seq;
} acked_row;

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_acked(const void *a, const void *b)
{
    return strcmp(((const acked_row *)a)->id, ((const acked_row *)b)->id);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Reads every line of path; *lines owns the array and each string. */
static size_t
read_lines(const char *dir, const char *name, char ***lines)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = 0, cap = 0;
    *lines = NULL;
    if (f == NULL) {
        return 0; /* a run killed before any send leaves no log */
    }
    char buf[256];
    while (fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\n")] = '\0';
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            *lines = realloc(*lines, cap * sizeof **lines);
            if (*lines == NULL) {
                abort();
            }
        }
        (*lines)[n++] = strdup(buf);
    }
    fclose(f);
    return n;
}

static int
stats_journal(bzl_client *c, uint64_t *out)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, &req, &resp) != BZL_OK ||
        resp->result_case != BZL__V1__RESPONSE__RESULT_STATS) {
        return -1;
    }
    *out = resp->stats->journal_entries;
    bzl__v1__response__free_unpacked(resp, NULL);
    return 0;
}

static int
balance_qty(bzl_client *c, char *out, size_t cap)
{
    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    qb.book = CRASH_BOOK;
    qb.kind = BZL__V1__KIND__KIND_MATERIAL;
    qb.item = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = &qb;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, &req, &resp) != BZL_OK) {
        return -1;
    }
    int rc = -1;
    if (resp->result_case == BZL__V1__RESPONSE__RESULT_BALANCES &&
        resp->balances->n_balances == 1) {
        snprintf(out, cap, "%s", resp->balances->balances[0]->qty);
        rc = 0;
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

typedef struct verdict {
    size_t sent, acked, replayed, new_now, lost, refused;
} verdict;

/* Resubmits sent[from, from+count) in one batch and classifies each answer. */
static int
resubmit(bzl_client *c, char **sent, size_t count, const acked_row *acked, size_t n_acked,
         verdict *v)
{
    static crash_decl decls[CHECK_BATCH];
    Bzl__V1__Declaration *ptrs[CHECK_BATCH];
    for (size_t i = 0; i < count; i++) {
        crash_decl_init(&decls[i], sent[i]);
        ptrs[i] = &decls[i].decl;
    }
    Bzl__V1__SubmitBatch sb = BZL__V1__SUBMIT_BATCH__INIT;
    sb.n_declarations = count;
    sb.declarations = ptrs;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &sb;
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, &req, &resp) != BZL_OK ||
        resp->result_case != BZL__V1__RESPONSE__RESULT_BATCH || resp->batch->n_results != count) {
        fprintf(stderr, "crash_check: resubmission failed\n");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        const Bzl__V1__SubmitResult *r = resp->batch->results[i];
        acked_row key;
        snprintf(key.id, sizeof key.id, "%s", sent[i]);
        const acked_row *a = bsearch(&key, acked, n_acked, sizeof *acked, cmp_acked);
        if (r->status != BZL__V1__STATUS__STATUS_OK) {
            fprintf(stderr, "crash_check: %s refused on resubmission: %s\n", sent[i], r->message);
            v->refused++;
            continue;
        }
        v->replayed += r->replayed;
        v->new_now += !r->replayed;
        if (a != NULL && (!r->replayed || r->seq != a->seq)) {
            fprintf(stderr, "crash_check: LOST %s: acknowledged seq %" PRIu64 ", now %s seq %llu\n",
                    sent[i], a->seq, r->replayed ? "replayed" : "accepted anew",
                    (unsigned long long)r->seq);
            v->lost++;
        }
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return 0;
}

/* Loads acked.log; every row must name a sent id; sequences must be distinct. */
static acked_row *
load_acked(const char *dir, char **sent, size_t n_sent, size_t *n_out, int *bad)
{
    char **lines = NULL;
    size_t n = read_lines(dir, "acked.log", &lines);
    acked_row *rows = calloc(n ? n : 1, sizeof *rows);
    uint64_t *seqs = calloc(n ? n : 1, sizeof *seqs);
    for (size_t i = 0; i < n; i++) {
        char *sp = strchr(lines[i], ' ');
        if (sp == NULL) {
            fprintf(stderr, "crash_check: bad acked line '%s'\n", lines[i]);
            (*bad)++;
            continue;
        }
        *sp = '\0';
        snprintf(rows[i].id, sizeof rows[i].id, "%s", lines[i]);
        rows[i].seq = strtoull(sp + 1, NULL, 10);
        seqs[i] = rows[i].seq;
        char *key = rows[i].id;
        if (bsearch(&key, sent, n_sent, sizeof *sent, cmp_str) == NULL) {
            fprintf(stderr, "crash_check: acknowledged %s was never logged as sent\n", key);
            (*bad)++;
        }
        free(lines[i]);
    }
    free(lines);
    qsort(rows, n, sizeof *rows, cmp_acked);
    qsort(seqs, n, sizeof *seqs, cmp_u64);
    for (size_t i = 1; i < n; i++) {
        if (seqs[i] == seqs[i - 1] || strcmp(rows[i].id, rows[i - 1].id) == 0) {
            fprintf(stderr, "crash_check: a sequence or id was acknowledged twice\n");
            (*bad)++;
        }
    }
    free(seqs);
    *n_out = n;
    return rows;
}

int
main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crash_check SOCKET LOGDIR\n");
        return 2;
    }
    int bad = 0;
    char **sent = NULL;
    size_t n_sent = read_lines(argv[2], "sent.log", &sent);
    qsort(sent, n_sent, sizeof *sent, cmp_str);
    for (size_t i = 1; i < n_sent; i++) {
        if (strcmp(sent[i], sent[i - 1]) == 0) {
            fprintf(stderr, "crash_check: harness bug: %s sent twice\n", sent[i]);
            bad++;
        }
    }
    size_t n_acked = 0;
    acked_row *acked = load_acked(argv[2], sent, n_sent, &n_acked, &bad);

    bzl_client *c = crash_connect(argv[1], 20000);
    uint64_t j0 = 0, j1 = 0;
    if (c == NULL || crash_setup(c) != 0 || stats_journal(c, &j0) != 0) {
        fprintf(stderr, "crash_check: cannot reach the daemon\n");
        return 1;
    }
    verdict v = {.sent = n_sent, .acked = n_acked};
    int64_t qty_total = 0;
    for (size_t i = 0; i < n_sent; i += CHECK_BATCH) {
        size_t count = n_sent - i < CHECK_BATCH ? n_sent - i : CHECK_BATCH;
        if (resubmit(c, sent + i, count, acked, n_acked, &v) != 0) {
            return 1;
        }
    }
    for (size_t i = 0; i < n_sent; i++) {
        qty_total += crash_qty_of(sent[i]);
    }
    char balance[64] = "", expect[64];
    snprintf(expect, sizeof expect, "%" PRId64, qty_total);
    if (stats_journal(c, &j1) != 0 || balance_qty(c, balance, sizeof balance) != 0) {
        fprintf(stderr, "crash_check: cannot read stats or the balance\n");
        return 1;
    }
    bzl_client_close(c);
    for (size_t i = 0; i < n_sent; i++) {
        free(sent[i]);
    }
    free(sent);
    free(acked);
    long long extra = (long long)j0 - CRASH_MASTER_ENTRIES - (long long)v.replayed;
    bool balance_ok = strcmp(balance, expect) == 0 && j1 == CRASH_MASTER_ENTRIES + n_sent;
    printf("sent %zu acknowledged %zu stored-before %zu (unacknowledged but committed %zu) "
           "resubmitted-new %zu lost %zu duplicated-or-unsent %lld refused %zu balance %s "
           "(expected %s) journal %" PRIu64 "\n",
           v.sent, v.acked, v.replayed, v.replayed - (v.acked - v.lost), v.new_now, v.lost, extra,
           v.refused, balance, expect, j1);
    bool ok = bad == 0 && v.lost == 0 && extra == 0 && v.refused == 0 && balance_ok;
    printf("%s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
