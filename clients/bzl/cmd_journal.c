/* cmd_journal.c — bzl journal: the journal as a stream, one entry a line (JSON lines with
 * --json), resumable from any sequence and, with --follow, waiting for new entries. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* How long one request of --follow waits for a new entry; the daemon caps it too. */
#define JOURNAL_FOLLOW_WAIT_MS 25000u

/* ---- a protobuf message as JSON --------------------------------------------------------------
 * Generic over the descriptor, so every field the journal record gains later prints without a
 * change here. Like proto3's JSON mapping, fields at their default are left out; unlike it,
 * bytes are lower-case hex (hashes) and 64-bit integers are JSON numbers. Enum values print as
 * their words: ENTRY_TYPE_DECLARATION of EntryType as "declaration". */

static json_t *message_json(const ProtobufCMessage *m, bool *ok);

static json_t *
enum_json(const ProtobufCEnumDescriptor *ed, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(ed, value);
    if (v == NULL) {
        return json_integer(value);
    }
    /* The value's name less the enum's name in upper snake case: "ENTRY_TYPE_" of EntryType. */
    char prefix[64];
    size_t n = 0;
    for (const char *p = ed->short_name; *p != '\0' && n + 3 < sizeof prefix; p++) {
        if (isupper((unsigned char)*p) && p != ed->short_name) {
            prefix[n++] = '_';
        }
        prefix[n++] = (char)toupper((unsigned char)*p);
    }
    prefix[n++] = '_';
    prefix[n] = '\0';
    const char *name = strncmp(v->name, prefix, n) == 0 ? v->name + n : v->name;
    char word[64];
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < sizeof word; i++) {
        word[i] = (char)tolower((unsigned char)name[i]);
    }
    word[i] = '\0';
    return json_string(word);
}

static json_t *
bytes_json(const ProtobufCBinaryData *b)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(2 * b->len + 1);
    if (hex == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < b->len; i++) {
        hex[2 * i] = digits[b->data[i] >> 4];
        hex[2 * i + 1] = digits[b->data[i] & 15];
    }
    hex[2 * b->len] = '\0';
    json_t *j = json_string(hex);
    free(hex);
    return j;
}

/* One value of field f at p; NULL with *skip when it is the default (singular fields only). */
static json_t *
value_json(const ProtobufCFieldDescriptor *f, const void *p, bool singular, bool *skip, bool *ok)
{
    *skip = false;
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT32:
        *skip = singular && *(const uint32_t *)p == 0;
        return *skip ? NULL : json_integer(*(const uint32_t *)p);
    case PROTOBUF_C_TYPE_INT32:
        *skip = singular && *(const int32_t *)p == 0;
        return *skip ? NULL : json_integer(*(const int32_t *)p);
    case PROTOBUF_C_TYPE_UINT64:
        *skip = singular && *(const uint64_t *)p == 0;
        return *skip ? NULL : cli_json_u64(*(const uint64_t *)p);
    case PROTOBUF_C_TYPE_INT64:
        *skip = singular && *(const int64_t *)p == 0;
        return *skip ? NULL : json_integer(*(const int64_t *)p);
    case PROTOBUF_C_TYPE_BOOL:
        *skip = singular && !*(const protobuf_c_boolean *)p;
        return *skip ? NULL : json_boolean(*(const protobuf_c_boolean *)p);
    case PROTOBUF_C_TYPE_ENUM:
        *skip = singular && *(const int *)p == 0;
        return *skip ? NULL : enum_json(f->descriptor, *(const int *)p);
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)p;
        *skip = singular && (s == NULL || s[0] == '\0');
        return *skip ? NULL : cli_json_str(s != NULL ? s : "");
    }
    case PROTOBUF_C_TYPE_BYTES:
        *skip = singular && ((const ProtobufCBinaryData *)p)->len == 0;
        return *skip ? NULL : bytes_json(p);
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
        *skip = m == NULL;
        return *skip ? NULL : message_json(m, ok);
    }
    default:
        /* The bzl contract uses none of the other scalar types. */
        *skip = true;
        return NULL;
    }
}

static size_t
field_size(const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_INT64:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    default:
        return 4;
    }
}

static json_t *
message_json(const ProtobufCMessage *m, bool *ok)
{
    const ProtobufCMessageDescriptor *md = m->descriptor;
    json_t *obj = json_object();
    for (unsigned i = 0; obj != NULL && i < md->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &md->fields[i];
        const char *base = (const char *)m + f->offset;
        bool skip = false;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
            if (n == 0) {
                continue;
            }
            const char *items = *(char *const *)base;
            json_t *arr = json_array();
            for (size_t k = 0; arr != NULL && k < n; k++) {
                json_t *v = value_json(f, items + k * field_size(f), false, &skip, ok);
                if (v == NULL || json_array_append_new(arr, v) != 0) {
                    *ok = false;
                }
            }
            cli_json_put(obj, f->name, arr, ok);
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
            *(const uint32_t *)((const char *)m + f->quantifier_offset) != f->id) {
            continue;
        }
        json_t *v = value_json(f, base, true, &skip, ok);
        if (!skip) {
            cli_json_put(obj, f->name, v, ok);
        }
    }
    *ok = *ok && obj != NULL;
    return obj;
}

/* ---- the stream ----------------------------------------------------------------------------- */

static bool
seq_parse(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0') {
        return false;
    }
    *out = v;
    return true;
}

static void
hex8(const ProtobufCBinaryData *b, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    size_t n = b->len < 8 ? b->len : 8;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b->data[i] >> 4];
        out[2 * i + 1] = digits[b->data[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Prints one entry: a JSON line, or "SEQ TIME TYPE HASH… SUMMARY". */
static int
entry_print(const cli *c, const Bzl__V1__JournalRecord *r)
{
    if (c->json) {
        bool ok = true;
        json_t *doc = message_json(&r->base, &ok);
        char *text = ok && doc != NULL ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(doc);
        if (text == NULL) {
            fprintf(stderr, "bzl: cannot build the JSON of journal entry %llu\n",
                    (unsigned long long)r->seq);
            return CLI_EXIT_TRANSPORT;
        }
        int rc = puts(text);
        free(text);
        return rc < 0 ? CLI_EXIT_TRANSPORT : CLI_EXIT_OK;
    }
    char when[40];
    char hash[17];
    cli_time_text(r->time_ms, when, sizeof when);
    hex8(&r->hash, hash);
    int rc = printf("%llu  %s  %-12s  %s…  %s\n", (unsigned long long)r->seq, when,
                    cli_entry_type_name(r->type), hash, r->summary);
    return rc < 0 ? CLI_EXIT_TRANSPORT : CLI_EXIT_OK;
}

/* Asks for the page after *after and prints it; *after moves to its last entry and *done says
 * whether the journal's head was reached. */
static int
journal_step(cli *c, uint64_t *after, uint32_t wait_ms, bool *at_head)
{
    Bzl__V1__JournalRead q = BZL__V1__JOURNAL_READ__INIT;
    q.after_seq = *after;
    q.wait_ms = wait_ms;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_JOURNAL;
    req.journal = &q;
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_JOURNAL, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const Bzl__V1__JournalPage *p = resp->journal;
    for (size_t i = 0; rc == CLI_EXIT_OK && i < p->n_entries; i++) {
        if (p->entries[i]->seq != *after + 1) {
            fprintf(stderr, "bzl: MALFORMED: the daemon sent entry %llu after %llu\n",
                    (unsigned long long)p->entries[i]->seq, (unsigned long long)*after);
            rc = CLI_EXIT_TRANSPORT;
            break;
        }
        rc = entry_print(c, p->entries[i]);
        *after = p->entries[i]->seq;
    }
    *at_head = p->next_page_token[0] == '\0';
    bzl__v1__response__free_unpacked(resp, NULL);
    if (rc == CLI_EXIT_OK && fflush(stdout) != 0) {
        rc = CLI_EXIT_TRANSPORT;
    }
    return rc;
}

int
cli_journal(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    char *since = "0";
    bool follow = false;
    const cli_ledger_opt specs[] = {{"since", &since, false}};
    const cli_ledger_flag flags[] = {{"follow", &follow}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    uint64_t after = 0;
    if (!seq_parse(since, &after)) {
        return cli_usage_error(
            cmd, "--since must be a journal sequence (0 for the start), not '%s'", since);
    }
    /* Bounded by the journal's length without --follow; with it, runs until stopped. */
    for (;;) {
        bool at_head = false;
        rc = journal_step(c, &after, follow ? JOURNAL_FOLLOW_WAIT_MS : 0, &at_head);
        if (rc != CLI_EXIT_OK || (at_head && !follow)) {
            return rc;
        }
    }
}
