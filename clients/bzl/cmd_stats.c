/* cmd_stats.c — bzl stats: the daemon's counters, as a table, a JSON object or Prometheus text. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

/* The counters are read through the generated descriptor rather than named one by one, so a
 * counter added to (or retired from) bzl.proto shows up here without a change. */

static const cli_column stats_cols[] = {
    {"COUNTER", false},
    {"VALUE", true},
};

/* A scalar counter of m (uint64 or uint32), or false for a field of another shape. */
static bool
counter_get(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd, size_t i, uint64_t *out)
{
    const char *base = (const char *)m + fd->offset;
    bool ok = true;
    if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
        base = *(const char *const *)base; /* the array; i < its count, checked by caller */
    }
    if (fd->type == PROTOBUF_C_TYPE_UINT64) {
        *out = ((const uint64_t *)base)[i];
    } else if (fd->type == PROTOBUF_C_TYPE_UINT32) {
        *out = ((const uint32_t *)base)[i];
    } else {
        ok = false;
    }
    return ok;
}

/* Elements of a repeated field. */
static size_t
repeated_count(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
    return *(const size_t *)((const char *)m + fd->quantifier_offset);
}

/* A histogram field ("..._hist"): bucket i counts [2^i, 2^(i+1)), shown only when not
 * empty, labelled with its range. */
static void
hist_rows(cli_table *t, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
    size_t n = repeated_count(m, fd);
    size_t stem = strlen(fd->name) - (strlen(fd->name) >= 5 ? 5 : 0);
    for (size_t i = 0; i < n && i < 63; i++) {
        uint64_t v = 0;
        if (counter_get(m, fd, i, &v) && v > 0) {
            if (i == 0) {
                cli_table_addf(t, "%.*s[1]", (int)stem, fd->name);
            } else {
                cli_table_addf(t, "%.*s[%llu-%llu]", (int)stem, fd->name, 1ull << i,
                               (1ull << (i + 1)) - 1);
            }
            cli_table_addf(t, "%llu", (unsigned long long)v);
        }
    }
}

/* ---- requests by kind and status --------------------------------------------------------- */

/* The kind's name as the daemon's request table gives it ("submit", "post"), the same word its
 * logs, audit trail and access rules use; for a daemon that sends none, the Request body
 * field's name, "undecodable" for 0, or NULL. */
static const char *
kind_name(const Bzl__V1__RequestCount *rc)
{
    if (rc->name[0] != '\0') {
        return rc->name;
    }
    if (rc->kind == 0) {
        return "undecodable";
    }
    const ProtobufCFieldDescriptor *fd =
        protobuf_c_message_descriptor_get_field(&bzl__v1__request__descriptor, rc->kind);
    return fd != NULL ? fd->name : NULL;
}

/* "OK", "NOT_FOUND" … from the wire enum, or NULL for a number this client does not know. */
static const char *
status_name(int status)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&bzl__v1__status__descriptor, status);
    return v != NULL ? v->name + strlen("STATUS_") : NULL;
}

static void
request_rows(cli_table *t, const Bzl__V1__Stats *st)
{
    for (size_t i = 0; i < st->n_requests_by_kind; i++) {
        const Bzl__V1__RequestCount *rc = st->requests_by_kind[i];
        const char *k = kind_name(rc);
        const char *s = status_name(rc->status);
        char kbuf[24], sbuf[24];
        if (k == NULL) {
            snprintf(kbuf, sizeof kbuf, "kind %" PRIu32, rc->kind);
            k = kbuf;
        }
        if (s == NULL) {
            snprintf(sbuf, sizeof sbuf, "status %d", (int)rc->status);
            s = sbuf;
        }
        cli_table_addf(t, "requests[%s %s]", k, s);
        cli_table_addf(t, "%llu", (unsigned long long)rc->count);
    }
}

static json_t *
request_json(const Bzl__V1__Stats *st, bool *ok)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < st->n_requests_by_kind; i++) {
        const Bzl__V1__RequestCount *rc = st->requests_by_kind[i];
        const char *k = kind_name(rc);
        const char *s = status_name(rc->status);
        json_t *o = json_object();
        cli_json_put(o, "kind", k ? cli_json_str(k) : cli_json_u64(rc->kind), ok);
        cli_json_put(o, "status", s ? cli_json_str(s) : cli_json_u64((uint64_t)rc->status), ok);
        cli_json_put(o, "count", cli_json_u64(rc->count), ok);
        cli_json_push(arr, o, ok);
    }
    return arr;
}

/* ---- Prometheus text exposition (format 0.0.4) --------------------------------------------- */

static void
prom_counter(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
    fprintf(f, "# HELP bzl_%s %s\n# TYPE bzl_%s %s\nbzl_%s %" PRIu64 "\n", name, help, name, type,
            name, v);
}

/* A power-of-two histogram (bucket i counts [2^i, 2^(i+1)) units) as a cumulative Prometheus
 * histogram: le is each bucket's upper bound times scale. */
static void
prom_hist(FILE *f, const char *name, const char *help, const uint64_t *b, size_t n, double scale,
          double sum)
{
    fprintf(f, "# HELP bzl_%s %s\n# TYPE bzl_%s histogram\n", name, help, name);
    uint64_t cum = 0;
    for (size_t i = 0; i < n && i < 63; i++) {
        cum += b[i];
        /* integers: [2^i, 2^(i+1)) is <= 2^(i+1) - 1 */
        fprintf(f, "bzl_%s_bucket{le=\"%g\"} %" PRIu64 "\n", name,
                (double)((1ull << (i + 1)) - 1) * scale, cum);
    }
    fprintf(f, "bzl_%s_bucket{le=\"+Inf\"} %" PRIu64 "\nbzl_%s_sum %g\nbzl_%s_count %" PRIu64 "\n",
            name, cum, name, sum, name, cum);
}

static void
prometheus_print(FILE *f, const Bzl__V1__Stats *st)
{
    fprintf(f, "# HELP bzl_requests_total Requests answered, by kind and status.\n"
               "# TYPE bzl_requests_total counter\n");
    for (size_t i = 0; i < st->n_requests_by_kind; i++) {
        const Bzl__V1__RequestCount *rc = st->requests_by_kind[i];
        const char *k = kind_name(rc);
        const char *s = status_name(rc->status);
        char kbuf[16], sbuf[16];
        snprintf(kbuf, sizeof kbuf, "%" PRIu32, rc->kind);
        snprintf(sbuf, sizeof sbuf, "%d", (int)rc->status);
        fprintf(f, "bzl_requests_total{kind=\"%s\",status=\"%s\"} %" PRIu64 "\n", k ? k : kbuf,
                s ? s : sbuf, rc->count);
    }
    prom_counter(f, "commits_total", "counter", "Write transactions committed.", st->commits);
    prom_counter(f, "declarations_total", "counter", "Declarations applied in commits.",
                 st->declarations);
    prom_hist(f, "declarations_per_commit", "Declarations per committed transaction.",
              st->decls_per_commit_hist, st->n_decls_per_commit_hist, 1.0,
              (double)st->declarations);
    prom_hist(f, "commit_seconds", "Time to apply and commit one batch (fsync included).",
              st->commit_us_hist, st->n_commit_us_hist, 1e-6, (double)st->commit_us_total / 1e6);
    fprintf(f,
            "# HELP bzl_commit_seconds_max Longest commit since start.\n"
            "# TYPE bzl_commit_seconds_max gauge\nbzl_commit_seconds_max %g\n",
            (double)st->commit_us_max / 1e6);
    prom_counter(f, "queue_depth", "gauge", "Write jobs waiting for the writer.", st->queue_depth);
    prom_counter(f, "queue_depth_max", "gauge", "Most write jobs ever waiting.",
                 st->queue_depth_max);
    prom_counter(f, "busy_refusals_total", "counter", "Writes refused BUSY (queue full).",
                 st->busy_refusals);
    prom_counter(f, "connections", "gauge", "Connections open.", st->connections);
    prom_counter(f, "connections_accepted_total", "counter", "Connections accepted.",
                 st->connections_accepted);
    prom_counter(f, "connections_refused_total", "counter", "Connections refused over a cap.",
                 st->connections_refused);
    prom_counter(f, "replies_total", "counter", "Replies sent.", st->replies);
    prom_counter(f, "reply_writes_total", "counter", "Socket writes carrying replies.",
                 st->reply_writes);
    prom_counter(f, "journal_entries", "gauge", "Entries in the journal.", st->journal_entries);
    prom_counter(f, "map_bytes", "gauge", "Size of the LMDB map.", st->map_bytes);
    prom_counter(f, "map_used_bytes", "gauge", "Bytes of the map in use.", st->map_used_bytes);
    prom_counter(f, "uptime_seconds", "gauge", "Seconds since the daemon started.",
                 st->uptime_ms / 1000u);
}

static void
stats_table(cli_table *t, const ProtobufCMessage *m)
{
    for (unsigned f = 0; f < m->descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &m->descriptor->fields[f];
        uint64_t v = 0;
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            hist_rows(t, m, fd);
        } else if (counter_get(m, fd, 0, &v)) {
            cli_table_add(t, fd->name);
            cli_table_addf(t, "%llu", (unsigned long long)v);
        }
    }
    request_rows(t, (const Bzl__V1__Stats *)m);
}

static json_t *
stats_json(const ProtobufCMessage *m, bool *ok)
{
    json_t *obj = json_object();
    for (unsigned f = 0; f < m->descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &m->descriptor->fields[f];
        uint64_t v = 0;
        if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
            continue; /* requests_by_kind, below */
        }
        if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
            json_t *arr = json_array();
            for (size_t i = 0; i < repeated_count(m, fd); i++) {
                cli_json_push(arr, counter_get(m, fd, i, &v) ? cli_json_u64(v) : NULL, ok);
            }
            cli_json_put(obj, fd->name, arr, ok);
        } else if (counter_get(m, fd, 0, &v)) {
            cli_json_put(obj, fd->name, cli_json_u64(v), ok);
        }
    }
    cli_json_put(obj, "requests_by_kind", request_json((const Bzl__V1__Stats *)m, ok), ok);
    return obj;
}

int
cli_stats(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    static const struct option opts[] = {{"prometheus", no_argument, NULL, 'p'},
                                         CLI_COMMON_OPTIONS};
    bool prometheus = false;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__GetStats body = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Response *resp = NULL;
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    int rc = CLI_EXIT_OK;
    int opt;
    cli_table_init(&t, stats_cols, BZL_ARRAY_LEN(stats_cols));
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &rc)) >= 0) {
        prometheus = prometheus || opt == 'p';
    }
    if (opt == CLI_OPTS_STOP) {
        goto done;
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &body;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_STATS, &resp);
    if (rc != CLI_EXIT_OK) {
        goto done;
    }
    if (prometheus) {
        prometheus_print(stdout, resp->stats);
        rc = fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_TRANSPORT;
        goto done;
    }
    if (c->json) {
        doc = stats_json(&resp->stats->base, &ok);
    } else {
        stats_table(&t, &resp->stats->base);
    }
    rc = cli_emit(c, &t, doc, ok);
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}
