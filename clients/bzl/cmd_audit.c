/* cmd_audit.c — bzl verify (prove the journal) and bzl audit (who did what). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---- verify ------------------------------------------------------------------------------- */

static void
hex_of(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < cap; i++) {
        out[o++] = digits[p[i] >> 4];
        out[o++] = digits[p[i] & 15];
    }
    out[o] = '\0';
}

/* checkpoints: the JSON verdicts of bzl verify --checkpoint (NULL without it); taken. */
static int
verify_print(const cli *c, const Bzl__V1__Response *resp, json_t *checkpoints)
{
    const Bzl__V1__VerifyReport *r = resp->verify;
    char hash[2 * 64 + 1]; /* hex of the head hash (32 bytes today) */
    hex_of(r->head_hash.data, r->head_hash.len, hash, sizeof hash);
    char status[24];
    if (c->json) {
        bool ok = true;
        json_t *doc = json_object();
        cli_json_put(doc, "ok", json_boolean(r->ok), &ok);
        cli_json_put(doc, "status",
                     cli_json_str(cli_status_name(resp->status, status, sizeof status)), &ok);
        cli_json_put(doc, "entries", cli_json_u64(r->entries), &ok);
        cli_json_put(doc, "head_seq", cli_json_u64(r->head_seq), &ok);
        cli_json_put(doc, "head_hash", cli_json_str(hash), &ok);
        cli_json_put(doc, "first_bad_seq",
                     r->first_bad_seq ? cli_json_u64(r->first_bad_seq) : json_null(), &ok);
        cli_json_put(doc, "chain_problem", cli_json_str(r->chain_problem), &ok);
        cli_json_put(doc, "items", cli_json_u64(r->items), &ok);
        cli_json_put(doc, "declarations", cli_json_u64(r->declarations), &ok);
        cli_json_put(doc, "balance_problem", cli_json_str(r->balance_problem), &ok);
        if (checkpoints != NULL) {
            cli_json_put(doc, "checkpoints", checkpoints, &ok);
        }
        int rc = cli_emit(c, NULL, doc, ok);
        json_decref(doc);
        return rc;
    }
    if (r->ok) {
        /* The reply's `declarations` counts the journal entries whose effects were summed
         * (declarations, posts, voids, reversals ...), so it is said as what it is. */
        printf("OK: %llu journal entries, head %llu %s; %llu balances recomputed from the "
               "effects of %llu journal entries agree\n",
               (unsigned long long)r->entries, (unsigned long long)r->head_seq, hash,
               (unsigned long long)r->items, (unsigned long long)r->declarations);
    } else if (r->first_bad_seq != 0) {
        printf("BROKEN at sequence %llu: %s\n", (unsigned long long)r->first_bad_seq,
               r->chain_problem);
    } else {
        printf("BROKEN: %s\n", resp->message);
    }
    return CLI_EXIT_OK;
}

/* The more serious of two exit statuses (cli.h's order). */
static int
exit_worst(int a, int b)
{
    static const int order[] = {CLI_EXIT_TRANSPORT, CLI_EXIT_USAGE, CLI_EXIT_BAD_FILE,
                                CLI_EXIT_REFUSED};
    for (size_t i = 0; i < BZL_ARRAY_LEN(order); i++) {
        if (a == order[i] || b == order[i]) {
            return order[i];
        }
    }
    return CLI_EXIT_OK;
}

/* Appends a checkpoint file; false when the list is full. */
static bool
file_add(char **files, size_t *count, char *path)
{
    if (*count == CLI_CHECKPOINT_FILES_MAX) {
        return false;
    }
    files[(*count)++] = path;
    return true;
}

int
cli_verify(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    enum { OPT_CHECKPOINT = 'c', OPT_PUBLIC_KEY = 'k' };
    static const struct option opts[] = {{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
                                         {"public-key", required_argument, NULL, OPT_PUBLIC_KEY},
                                         CLI_COMMON_OPTIONS};
    const char *key = NULL;
    char *files[CLI_CHECKPOINT_FILES_MAX];
    size_t nfiles = 0;
    bool too_many = false;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_PUBLIC_KEY) {
            key = optarg;
        } else if (opt == OPT_CHECKPOINT) {
            too_many |= !file_add(files, &nfiles, optarg);
        }
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    /* --checkpoint FILE...: the files after the options are checkpoints too. */
    if (optind < argc && nfiles == 0) {
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    for (int i = optind; i < argc; i++) {
        too_many |= !file_add(files, &nfiles, argv[i]);
    }
    if (too_many) {
        return cli_usage_error(cmd, "give at most %u checkpoint files at once",
                               CLI_CHECKPOINT_FILES_MAX);
    }
    if (key != NULL && nfiles == 0) {
        return cli_usage_error(cmd, "--public-key goes with --checkpoint FILE");
    }
    int rc = CLI_EXIT_OK;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__VerifyLedger body = BZL__V1__VERIFY_LEDGER__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_VERIFY;
    req.verify = &body;
    Bzl__V1__Response *resp = NULL;
    rc = cli_exchange(c, &req, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (resp->result_case != BZL__V1__RESPONSE__RESULT_VERIFY) {
        cli_print_refusal(resp->status, resp->message);
        rc = resp->status == BZL__V1__STATUS__STATUS_OK ? CLI_EXIT_TRANSPORT : CLI_EXIT_REFUSED;
    } else {
        /* People read the verdict on the chain first; JSON carries the checkpoints inside. */
        json_t *verdicts = c->json && nfiles > 0 ? json_array() : NULL;
        int cp_rc = CLI_EXIT_OK;
        rc = c->json ? CLI_EXIT_OK : verify_print(c, resp, NULL);
        if (nfiles > 0 && rc == CLI_EXIT_OK) {
            cp_rc = cli_checkpoints_verify(c, files, nfiles, key, verdicts);
        }
        if (c->json) {
            rc = verify_print(c, resp, verdicts);
        } else {
            json_decref(verdicts);
        }
        if (rc == CLI_EXIT_OK && !resp->verify->ok) {
            rc = CLI_EXIT_REFUSED; /* broken: exit 1 */
        }
        rc = exit_worst(rc, cp_rc);
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

/* ---- audit -------------------------------------------------------------------------------- */

static const cli_column audit_cols[] = {
    {"SEQ", true}, {"TIME", false},   {"UID", true},   {"ROLE", false},
    {"PID", true}, {"REQUEST", true}, {"TYPE", false}, {"SUMMARY", false},
};

void
cli_time_text(int64_t ms, char *buf, size_t cap)
{
    BZL_ASSERT(cap >= 32);
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&s, &tm) == NULL) {
        snprintf(buf, cap, "?");
        return;
    }
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

/* One entry: {"seq", "time", "time_ms", "uid", "gid", "role", "pid", "request_id", "type",
 * "summary"} in JSON; time_ms and gid are JSON's only. */
static void
audit_row(cli_page *p, const Bzl__V1__AuditEntry *e)
{
    char when[40];
    cli_time_text(e->time_ms, when, sizeof when);
    bool json = p->c->json;
    cli_page_row_begin(p);
    cli_page_u64(p, "seq", e->seq);
    cli_page_text(p, "time", when);
    if (json) {
        cli_json_put(p->row, "time_ms", json_integer(e->time_ms), &p->ok);
    }
    cli_page_u32(p, "uid", e->uid);
    if (json) {
        cli_json_put(p->row, "gid", json_integer(e->gid), &p->ok);
    }
    cli_page_text(p, "role", cli_role_name(e->role));
    if (json) {
        cli_json_put(p->row, "pid", json_integer(e->pid), &p->ok);
    } else {
        cli_table_addf(&p->t, "%d", (int)e->pid);
    }
    cli_page_u64(p, "request_id", e->request_id);
    cli_page_text(p, "type", cli_entry_type_name(e->type));
    cli_page_text(p, "summary", e->summary);
    cli_page_row_end(p);
}

static const char *
audit_page(cli_page *p, const Bzl__V1__Response *resp)
{
    for (size_t i = 0; i < resp->audit->n_entries; i++) {
        audit_row(p, resp->audit->entries[i]);
    }
    return resp->audit->next_page_token;
}

/* DATE (YYYY-MM-DD, UTC midnight) into ms, or a sequence number; false for neither. */
static bool
bound_parse(const char *s, bool *is_seq, uint64_t *seq, int64_t *ms)
{
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
        time_t t = timegm(&tm);
        if (m < 1 || m > 12 || d < 1 || d > 31 || t == (time_t)-1) {
            return false;
        }
        *is_seq = false;
        *ms = (int64_t)t * 1000;
        return true;
    }
    uint32_t n = 0;
    if (!cli_parse_u32(s, 1, UINT32_MAX, &n)) {
        return false;
    }
    *is_seq = true;
    *seq = n;
    return true;
}

/* Stores --since or --until (a date or a sequence) into q. */
static bool
audit_bound(Bzl__V1__AuditQuery *q, bool since, const char *text)
{
    bool is_seq = false;
    uint64_t seq = 0;
    int64_t ms = 0;
    if (!bound_parse(text, &is_seq, &seq, &ms)) {
        return false;
    }
    if (since && is_seq) {
        q->from_seq = seq;
    } else if (since) {
        q->since_ms = ms;
    } else if (is_seq) {
        q->until_seq = seq;
    } else {
        q->until_ms = ms + 86400000; /* through the end of that day */
    }
    return true;
}

/* Reads audit's options into q (its strings borrowed from argv). Returns CLI_GO_ON or the
 * exit status to stop with. */
static int
audit_options(cli *c, const cli_cmd *cmd, int argc, char **argv, Bzl__V1__AuditQuery *q, bool *csv)
{
    char *since = "", *until = "", *uid = "", *action = "";
    const cli_ledger_opt specs[] = {
        {"since", &since, false},  {"until", &until, false},
        {"uid", &uid, false},      {"enterprise", &q->enterprise, false},
        {"book", &q->book, false}, {"action", &action, false},
    };
    const cli_ledger_flag flags[] = {{"csv", csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    const char *const bounds[] = {since, until};
    for (size_t i = 0; i < BZL_ARRAY_LEN(bounds); i++) {
        if (bounds[i][0] != '\0' && !audit_bound(q, i == 0, bounds[i])) {
            return cli_usage_error(cmd, "'%s' is neither a date YYYY-MM-DD nor a sequence",
                                   bounds[i]);
        }
    }
    if (uid[0] != '\0') {
        if (!cli_parse_u32(uid, 0, UINT32_MAX, &q->uid)) {
            return cli_usage_error(cmd, "--uid must be a number, not '%s'", uid);
        }
        q->by_uid = true;
    }
    if (action[0] != '\0' && !cli_entry_type_parse(action, &q->action)) {
        return cli_usage_error(cmd,
                               "--action must be an entry type (enterprise, book, item, "
                               "declaration, post, void, reverse, period_close, norm, "
                               "item_mode, reject, stocktake, rate, trade, tax_table, "
                               "assessment, lot_method), not '%s'",
                               action);
    }
    return CLI_GO_ON;
}

int
cli_audit(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__AuditQuery q = BZL__V1__AUDIT_QUERY__INIT;
    bool csv = false;
    int rc = audit_options(c, cmd, argc, argv, &q, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_AUDIT;
    req.audit = &q;
    return cli_read_pages(c, &req, &q.page_token, BZL__V1__RESPONSE__RESULT_AUDIT, audit_cols,
                          BZL_ARRAY_LEN(audit_cols), audit_page, csv);
}
