/* cmd_checkpoint.c — bzl checkpoint (the signed head) and the checkpoint half of bzl verify:
 * does the journal still extend each checkpoint someone kept (docs/DURABILITY.md)? */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "bzl/checkpoint.h"
#include "cli.h"

/* A checkpoint file is six short lines; a file larger than this is not one. */
#define CHECKPOINT_FILE_BYTES_MAX 4096u

/* Asks the daemon for a signed head and checks the answer is whole and its signature holds
 * under the key it names (a garbled reply is never printed as a checkpoint). */
static int
checkpoint_take(cli *c, bzl_checkpoint *out)
{
    Bzl__V1__TakeCheckpoint body = BZL__V1__TAKE_CHECKPOINT__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_CHECKPOINT;
    req.checkpoint = &body;
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_CHECKPOINT, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const Bzl__V1__Checkpoint *cp = resp->checkpoint;
    uint8_t msg[BZL_CHECKPOINT_MESSAGE_BYTES];
    bool whole = cp->hash.len == BZL_CHECKPOINT_HASH_BYTES &&
                 cp->public_key.len == BZL_CHECKPOINT_KEY_BYTES &&
                 cp->signature.len == BZL_CHECKPOINT_SIG_BYTES;
    if (whole) {
        out->seq = cp->seq;
        out->time_ms = cp->time_ms;
        memcpy(out->hash, cp->hash.data, sizeof out->hash);
        memcpy(out->public_key, cp->public_key.data, sizeof out->public_key);
        memcpy(out->signature, cp->signature.data, sizeof out->signature);
        bzl_checkpoint_message(out->seq, out->hash, out->time_ms, msg);
        whole = crypto_sign_verify_detached(out->signature, msg, sizeof msg, out->public_key) == 0;
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    if (!whole) {
        fprintf(stderr, "bzl: the daemon's checkpoint is malformed or its signature does not "
                        "verify\n");
        return CLI_EXIT_TRANSPORT;
    }
    return CLI_EXIT_OK;
}

int
cli_checkpoint(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    enum { OPT_PUBLIC_KEY = 'k' };
    static const struct option opts[] = {{"public-key", no_argument, NULL, OPT_PUBLIC_KEY},
                                         CLI_COMMON_OPTIONS};
    bool key_only = false;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        key_only |= opt == OPT_PUBLIC_KEY;
    }
    int rc = cli_opts_end(cmd, argc, argv, opt, stop, CLI_GO_ON);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "bzl: libsodium failed to initialise\n");
        return CLI_EXIT_TRANSPORT;
    }
    bzl_checkpoint cp;
    rc = checkpoint_take(c, &cp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    char text[BZL_CHECKPOINT_TEXT_BYTES];
    char key[2 * BZL_CHECKPOINT_KEY_BYTES + 1];
    bzl_hex_format(cp.public_key, sizeof cp.public_key, key, sizeof key);
    if (key_only) {
        printf("%s\n", key);
    } else if (bzl_checkpoint_format(&cp, text, sizeof text) == 0) {
        fprintf(stderr, "bzl: the daemon's checkpoint carries an impossible time (%lld ms)\n",
                (long long)cp.time_ms);
        return CLI_EXIT_TRANSPORT;
    } else if (c->json) {
        bool ok = true;
        char hash[2 * BZL_CHECKPOINT_HASH_BYTES + 1];
        char sig[2 * BZL_CHECKPOINT_SIG_BYTES + 1];
        char when[40];
        bzl_hex_format(cp.hash, sizeof cp.hash, hash, sizeof hash);
        bzl_hex_format(cp.signature, sizeof cp.signature, sig, sizeof sig);
        cli_time_text(cp.time_ms, when, sizeof when);
        json_t *doc = json_object();
        cli_json_put(doc, "seq", cli_json_u64(cp.seq), &ok);
        cli_json_put(doc, "hash", cli_json_str(hash), &ok);
        cli_json_put(doc, "time", cli_json_str(when), &ok);
        cli_json_put(doc, "time_ms", json_integer(cp.time_ms), &ok);
        cli_json_put(doc, "public_key", cli_json_str(key), &ok);
        cli_json_put(doc, "signature", cli_json_str(sig), &ok);
        cli_json_put(doc, "text", cli_json_str(text), &ok);
        rc = cli_emit(c, NULL, doc, ok);
        json_decref(doc);
        return rc;
    } else {
        fputs(text, stdout);
    }
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_TRANSPORT;
}

/* ---- bzl verify --checkpoint ------------------------------------------------------------ */

/* Reads at most max bytes of path into buf (NUL-terminated). False with errno-style text. */
static bool
file_read(const char *path, char *buf, size_t cap, size_t *len, char *why, size_t why_cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(why, why_cap, "cannot read it: %s", strerror(errno));
        return false;
    }
    size_t n = fread(buf, 1, cap - 1, f);
    bool ok = !ferror(f) && feof(f);
    fclose(f);
    if (!ok) {
        snprintf(why, why_cap, "cannot read it, or it is over %zu bytes", cap - 1);
        return false;
    }
    buf[n] = '\0';
    *len = n;
    return true;
}

/* --public-key: 64 hex digits, or a file holding them (a `bzl checkpoint --public-key`). */
static bool
key_arg_parse(const char *arg, uint8_t key[BZL_CHECKPOINT_KEY_BYTES])
{
    if (bzl_hex_parse(arg, strlen(arg), key, BZL_CHECKPOINT_KEY_BYTES)) {
        return true;
    }
    char buf[256];
    size_t len = 0;
    char why[128];
    if (!file_read(arg, buf, sizeof buf, &len, why, sizeof why)) {
        return false;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ')) {
        len--;
    }
    return bzl_hex_parse(buf, len, key, BZL_CHECKPOINT_KEY_BYTES);
}

/* The journal's hash of entry seq and its head, by one journal read: *found false when the
 * journal has no entry seq. */
static int
journal_at(cli *c, uint64_t seq, bool *found, uint8_t hash[BZL_CHECKPOINT_HASH_BYTES],
           uint64_t *head_seq)
{
    Bzl__V1__JournalRead body = BZL__V1__JOURNAL_READ__INIT;
    body.after_seq = seq;
    body.page_size = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_JOURNAL;
    req.journal = &body;
    Bzl__V1__Response *resp = NULL;
    int rc = cli_exchange(c, &req, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    bool not_found = resp->status == BZL__V1__STATUS__STATUS_NOT_FOUND;
    if (resp->result_case != BZL__V1__RESPONSE__RESULT_JOURNAL ||
        (resp->status != BZL__V1__STATUS__STATUS_OK && !not_found)) {
        cli_print_refusal(resp->status, resp->message);
        rc = resp->status == BZL__V1__STATUS__STATUS_OK ? CLI_EXIT_TRANSPORT : CLI_EXIT_REFUSED;
    } else if (!not_found && resp->journal->after_hash.len != BZL_CHECKPOINT_HASH_BYTES) {
        fprintf(stderr, "bzl: the daemon's journal page carries no hash of entry %llu\n",
                (unsigned long long)seq);
        rc = CLI_EXIT_TRANSPORT;
    } else {
        *found = !not_found;
        *head_seq = resp->journal->head_seq;
        if (*found) {
            memcpy(hash, resp->journal->after_hash.data, BZL_CHECKPOINT_HASH_BYTES);
        }
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

/* One checkpoint against the journal: why is "" when the journal extends it. Returns a
 * transport or refusal status of the journal read, else CLI_EXIT_OK. */
static int
checkpoint_judge(cli *c, const bzl_checkpoint *cp, const uint8_t trusted[BZL_CHECKPOINT_KEY_BYTES],
                 uint64_t *head_seq, char *why, size_t why_cap)
{
    char want[2 * BZL_CHECKPOINT_KEY_BYTES + 1];
    char got[2 * BZL_CHECKPOINT_HASH_BYTES + 1];
    uint8_t msg[BZL_CHECKPOINT_MESSAGE_BYTES];
    why[0] = '\0';
    if (sodium_memcmp(cp->public_key, trusted, BZL_CHECKPOINT_KEY_BYTES) != 0) {
        bzl_hex_format(trusted, BZL_CHECKPOINT_KEY_BYTES, want, sizeof want);
        snprintf(why, why_cap,
                 "bad signature: it names a public key other than the one trusted (%s); give "
                 "the key you kept with --public-key",
                 want);
        return CLI_EXIT_OK;
    }
    bzl_checkpoint_message(cp->seq, cp->hash, cp->time_ms, msg);
    if (crypto_sign_verify_detached(cp->signature, msg, sizeof msg, trusted) != 0) {
        snprintf(why, why_cap,
                 "bad signature: the file was altered after it was signed, or "
                 "the key did not sign it");
        return CLI_EXIT_OK;
    }
    bool found = false;
    uint8_t hash[BZL_CHECKPOINT_HASH_BYTES];
    int rc = journal_at(c, cp->seq, &found, hash, head_seq);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    if (!found) {
        snprintf(why, why_cap,
                 "chain shorter than seq %llu (its head is %llu): a rollback to an older state",
                 (unsigned long long)cp->seq, (unsigned long long)*head_seq);
    } else if (memcmp(hash, cp->hash, sizeof hash) != 0) {
        bzl_hex_format(hash, sizeof hash, got, sizeof got);
        snprintf(why, why_cap,
                 "hash differs at seq %llu: the journal holds %s there; an entry at or before "
                 "it was rewritten",
                 (unsigned long long)cp->seq, got);
    }
    return CLI_EXIT_OK;
}

/* Reports one file's verdict: a line for people, or an object in arr. */
static void
checkpoint_report(const char *path, const bzl_checkpoint *cp, uint64_t head_seq, const char *why,
                  json_t *arr)
{
    if (arr != NULL) {
        bool ok = true;
        json_t *o = json_object();
        cli_json_put(o, "file", cli_json_str(path), &ok);
        cli_json_put(o, "ok", json_boolean(why[0] == '\0'), &ok);
        cli_json_put(o, "seq", cp != NULL ? cli_json_u64(cp->seq) : json_null(), &ok);
        cli_json_put(o, "head_seq", cp != NULL ? cli_json_u64(head_seq) : json_null(), &ok);
        cli_json_put(o, "problem", cli_json_str(why), &ok);
        json_array_append_new(arr, o);
    } else if (why[0] == '\0') {
        char when[40];
        cli_time_text(cp->time_ms, when, sizeof when);
        printf("CHECKPOINT OK %s: seq %llu of %s, extended by head %llu\n", path,
               (unsigned long long)cp->seq, when, (unsigned long long)head_seq);
    } else {
        printf("CHECKPOINT BROKEN %s: %s\n", path, why);
    }
}

int
cli_checkpoints_verify(cli *c, char *const *files, size_t count, const char *key_arg, json_t *arr)
{
    uint8_t trusted[BZL_CHECKPOINT_KEY_BYTES];
    if (sodium_init() < 0) {
        fprintf(stderr, "bzl: libsodium failed to initialise\n");
        return CLI_EXIT_TRANSPORT;
    }
    if (key_arg != NULL && !key_arg_parse(key_arg, trusted)) {
        fprintf(stderr,
                "bzl verify: --public-key '%s' is neither 64 hex digits nor a file "
                "holding them\n",
                key_arg);
        return CLI_EXIT_USAGE;
    }
    if (key_arg == NULL) {
        /* Without a key of one's own, the daemon's current key: a checkpoint signed by
         * another key (a key replaced with the data) fails naming it. */
        bzl_checkpoint now;
        int rc = checkpoint_take(c, &now);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        memcpy(trusted, now.public_key, sizeof trusted);
    }
    int worst = CLI_EXIT_OK;
    for (size_t i = 0; i < count; i++) {
        char text[CHECKPOINT_FILE_BYTES_MAX];
        char why[512];
        size_t len = 0;
        bzl_checkpoint cp;
        uint64_t head_seq = 0;
        if (!file_read(files[i], text, sizeof text, &len, why, sizeof why) ||
            bzl_checkpoint_parse(text, len, &cp, why, sizeof why) != BZL_OK) {
            char msg[600];
            snprintf(msg, sizeof msg, "not a checkpoint file: %s", why);
            checkpoint_report(files[i], NULL, 0, msg, arr);
            worst = worst == CLI_EXIT_TRANSPORT ? worst : CLI_EXIT_BAD_FILE;
            continue;
        }
        int rc = checkpoint_judge(c, &cp, trusted, &head_seq, why, sizeof why);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        checkpoint_report(files[i], &cp, head_seq, why, arr);
        if (why[0] != '\0' && worst == CLI_EXIT_OK) {
            worst = CLI_EXIT_REFUSED;
        }
    }
    return worst;
}
