/* handler_checkpoint.c — `checkpoint`: the journal's head signed with the daemon's Ed25519 key
 * (docs/DURABILITY.md "Checkpoints"), a read.
 *
 * The head comes from one read transaction: meta's head (sequence and hash) and, as a cross
 * check, the hash stored in that very entry; when the two disagree the journal is damaged and
 * nothing is signed. Signing takes tens of microseconds, so it runs inline on the loop; so does
 * making the key file (a write and two fsyncs, once) when bzld started without its directory.
 */
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "bzl/checkpoint.h"
#include "checkpoint_key.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"

static_assert(BZL_CHECKPOINT_SIG_BYTES == crypto_sign_BYTES, "Ed25519 signatures");
static_assert(BZL_CHECKPOINT_KEY_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public keys");
static_assert(BZL_CHECKPOINT_HASH_BYTES == BZL_JOURNAL_HASH_BYTES, "the chain's hashes");

/* The visitor of a read that wants only the page's head: it takes nothing. */
static bzl_status
take_none_cb(void *ctx, const bzl_journal_record *rec, bool *taken)
{
    (void)ctx;
    (void)rec;
    *taken = false;
    return BZL_OK;
}

/* The head (seq, hash) in one transaction, its hash checked against the entry's own. */
static bzl_status
head_read(bzld *d, uint64_t *seq, uint8_t hash[BZL_JOURNAL_HASH_BYTES])
{
    bzl_txn *txn = NULL;
    bzl_journal_page head;
    bzl_journal_page at;
    bzl_status st = bzld_read_begin(d, &txn);
    if (st != BZL_OK) {
        return st;
    }
    st = bzl_storage_journal_read(txn, 0, 1, &head, NULL, take_none_cb);
    if (st == BZL_OK) {
        st = bzl_storage_journal_read(txn, head.head_seq, 1, &at, NULL, take_none_cb);
    }
    bzl_txn_abort(txn);
    if (st == BZL_OK &&
        (!at.after_found || memcmp(at.after_hash, head.head_hash, sizeof head.head_hash) != 0)) {
        st = BZL_TAMPERED;
    }
    if (st == BZL_OK) {
        *seq = head.head_seq;
        memcpy(hash, head.head_hash, BZL_JOURNAL_HASH_BYTES);
    }
    return st;
}

void
bzld_handle_checkpoint(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, CHECKPOINT);
    bzld *d = bzld_of_slot(slot);
    uint64_t seq = 0;
    uint8_t hash[BZL_JOURNAL_HASH_BYTES];
    char why[512] = "";
    /* A default key whose directory did not exist at start is made now, once. */
    bzl_status st =
        d->checkpoint_key_loaded ? BZL_OK : bzld_checkpoint_key_load(d, false, why, sizeof why);
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "%s", why);
        return;
    }
    st = head_read(d, &seq, hash);
    if (st == BZL_TAMPERED) {
        bzld_slot_reply_status(slot, st,
                               "the journal's head in meta does not match its last entry; "
                               "run bzl verify (nothing was signed)");
        return;
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "cannot read the journal's head: %s", bzl_status_text(st));
        return;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t time_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    uint8_t msg[BZL_CHECKPOINT_MESSAGE_BYTES];
    uint8_t sig[crypto_sign_BYTES];
    bzl_checkpoint_message(seq, hash, time_ms, msg);
    int rc = crypto_sign_detached(sig, NULL, msg, sizeof msg, d->checkpoint_sk);
    BZL_ASSERT(rc == 0); /* Ed25519 signing cannot fail on a loaded key */
    Bzl__V1__Checkpoint cp = BZL__V1__CHECKPOINT__INIT;
    cp.seq = seq;
    cp.hash.data = hash;
    cp.hash.len = sizeof hash;
    cp.time_ms = time_ms;
    /* The secret key's second half is the public key (libsodium's layout). */
    cp.public_key.data = d->checkpoint_sk + crypto_sign_SEEDBYTES;
    cp.public_key.len = crypto_sign_PUBLICKEYBYTES;
    cp.signature.data = sig;
    cp.signature.len = sizeof sig;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_CHECKPOINT;
    resp.checkpoint = &cp;
    bzld_slot_reply(slot, &resp);
}
