/* cmd_stats.c — bzl stats: the daemon's counters, as a two-column table or a JSON object. */
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
}

static json_t *
stats_json(const ProtobufCMessage *m, bool *ok)
{
    json_t *obj = json_object();
    for (unsigned f = 0; f < m->descriptor->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &m->descriptor->fields[f];
        uint64_t v = 0;
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
    return obj;
}

int
cli_stats(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    Bzl__Request req = BZL__REQUEST__INIT;
    Bzl__GetStats body = BZL__GET_STATS__INIT;
    Bzl__Response *resp = NULL;
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    int rc = CLI_EXIT_OK;
    int opt;
    cli_table_init(&t, stats_cols, BZL_ARRAY_LEN(stats_cols));
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &rc)) >= 0) {
        /* no options of its own */
    }
    if (opt == CLI_OPTS_STOP) {
        goto done;
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    req.body_case = BZL__REQUEST__BODY_STATS;
    req.stats = &body;
    rc = cli_call(c, &req, BZL__RESPONSE__RESULT_STATS, &resp);
    if (rc != CLI_EXIT_OK) {
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
        bzl__response__free_unpacked(resp, NULL);
    }
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}
