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

static int
verify_print(const cli *c, const Bzl__V1__Response *resp)
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
        int rc = cli_emit(c, NULL, doc, ok);
        json_decref(doc);
        return rc;
    }
    if (r->ok) {
        printf("OK: %llu journal entries, head %llu %s; %llu balances recomputed from %llu "
               "declarations agree\n",
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

int
cli_verify(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    int rc = cli_no_arg(c, cmd, argc, argv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
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
        rc = verify_print(c, resp);
        if (rc == CLI_EXIT_OK && !resp->verify->ok) {
            rc = CLI_EXIT_REFUSED; /* broken: exit 1 */
        }
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

/* ---- audit -------------------------------------------------------------------------------- */

static const cli_column audit_cols[] = {
    {"SEQ", true}, {"TIME", false},   {"UID", true},   {"ROLE", false},
    {"PID", true}, {"REQUEST", true}, {"TYPE", false}, {"SUMMARY", false},
};

/* "2026-03-01T08:00:00.123Z" */
static void
time_text(int64_t ms, char *buf, size_t cap)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03dZ", (int)(ms % 1000));
}

static void
audit_row(const cli *c, cli_table *t, json_t *arr, const Bzl__V1__AuditEntry *e, bool *ok)
{
    char when[40];
    time_text(e->time_ms, when, sizeof when);
    if (c->json) {
        json_t *o = json_object();
        cli_json_put(o, "seq", cli_json_u64(e->seq), ok);
        cli_json_put(o, "time", cli_json_str(when), ok);
        cli_json_put(o, "time_ms", json_integer(e->time_ms), ok);
        cli_json_put(o, "uid", json_integer(e->uid), ok);
        cli_json_put(o, "gid", json_integer(e->gid), ok);
        cli_json_put(o, "role", cli_json_str(cli_role_name(e->role)), ok);
        cli_json_put(o, "pid", json_integer(e->pid), ok);
        cli_json_put(o, "request_id", cli_json_u64(e->request_id), ok);
        cli_json_put(o, "type", cli_json_str(cli_entry_type_name(e->type)), ok);
        cli_json_put(o, "summary", cli_json_str(e->summary), ok);
        cli_json_push(arr, o, ok);
        return;
    }
    cli_table_addf(t, "%llu", (unsigned long long)e->seq);
    cli_table_add(t, when);
    cli_table_addf(t, "%u", e->uid);
    cli_table_add(t, cli_role_name(e->role));
    cli_table_addf(t, "%d", e->pid);
    cli_table_addf(t, "%llu", (unsigned long long)e->request_id);
    cli_table_add(t, cli_entry_type_name(e->type));
    cli_table_add(t, e->summary);
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

static int
audit_options(cli *c, const cli_cmd *cmd, int argc, char **argv, Bzl__V1__AuditQuery *q)
{
    enum { OPT_SINCE = 's', OPT_UNTIL = 'u', OPT_UID = 'i' };
    static const struct option opts[] = {{"since", required_argument, NULL, OPT_SINCE},
                                         {"until", required_argument, NULL, OPT_UNTIL},
                                         {"uid", required_argument, NULL, OPT_UID},
                                         CLI_COMMON_OPTIONS};
    int stop = CLI_EXIT_OK;
    int opt;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        bool is_seq = false;
        uint64_t seq = 0;
        int64_t ms = 0;
        if ((opt == OPT_SINCE || opt == OPT_UNTIL) && !bound_parse(optarg, &is_seq, &seq, &ms)) {
            return cli_usage_error(cmd, "'%s' is neither a date YYYY-MM-DD nor a sequence", optarg);
        }
        if (opt == OPT_SINCE && is_seq) {
            q->from_seq = seq;
        } else if (opt == OPT_SINCE) {
            q->since_ms = ms;
        } else if (opt == OPT_UNTIL && is_seq) {
            q->until_seq = seq;
        } else if (opt == OPT_UNTIL) {
            q->until_ms = ms + 86400000; /* through the end of that day */
        } else if (opt == OPT_UID) {
            if (!cli_parse_u32(optarg, 0, UINT32_MAX, &q->uid)) {
                return cli_usage_error(cmd, "--uid must be a number, not '%s'", optarg);
            }
            q->by_uid = true;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    if (optind < argc) {
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_GO_ON;
}

int
cli_audit(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__AuditQuery q = BZL__V1__AUDIT_QUERY__INIT;
    int rc = audit_options(c, cmd, argc, argv, &q);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    cli_table t;
    cli_table_init(&t, audit_cols, BZL_ARRAY_LEN(audit_cols));
    json_t *arr = c->json ? json_array() : NULL;
    bool ok = true;
    rc = CLI_EXIT_OK;
    cli_pager pg;
    cli_pager_init(&pg, "audit pages");
    while (rc == CLI_EXIT_OK && pg.more) {
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_AUDIT;
        req.audit = &q;
        q.page_token = pg.token;
        Bzl__V1__Response *resp = NULL;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_AUDIT, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        for (size_t i = 0; i < resp->audit->n_entries; i++) {
            audit_row(c, &t, arr, resp->audit->entries[i], &ok);
        }
        rc = cli_pager_next(&pg, resp->audit->next_page_token);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    if (rc == CLI_EXIT_OK) {
        rc = cli_emit(c, &t, arr, ok);
    }
    json_decref(arr);
    cli_table_deinit(&t);
    return rc;
}
