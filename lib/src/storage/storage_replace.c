/* storage_replace.c — a change of a declaration before it posts (核注清单 变更申请, or a draft
 * declared): the old version is voided, the new one journaled under the same id, and a change
 * entry (type 21, format.h) links the two, all in one nested transaction.
 *
 * Keeping the old version as a voided declaration entry, rather than rewriting anything, means
 * every reader of the journal (verification, history, the stream) sees ordinary entries: the
 * old version's reservation and its release, then the new version's reservation. The id's
 * state record points at the newest version; the change entry says which entries it replaced.
 */
#include "storage_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Journals the change: enterprise | id_len | id | old_seq | void_seq | new_seq | reason. */
static bzl_status
journal_change(bzl_txn *t, const bzl_declaration *d, uint64_t old_seq, uint64_t void_seq,
               uint64_t new_seq, const char *reason, const bzl_actor *actor, uint64_t *seq)
{
    size_t id_len = strnlen(d->id, sizeof d->id);
    size_t reason_len = strnlen(reason, BZL_TEXT_BYTES_MAX);
    size_t len = BZL_ENTERPRISE_CODE_LEN + 1u + id_len + 3u * 8u + 2u + reason_len;
    uint8_t *payload = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_CHANGE, actor, len, &payload, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = payload, .cap = len};
    wr_fixed(&w, d->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, d->id, id_len);
    wr_u64(&w, old_seq);
    wr_u64(&w, void_seq);
    wr_u64(&w, new_seq);
    wr_u16(&w, (uint16_t)reason_len);
    wr_bytes(&w, reason, reason_len);
    BZL_ASSERT(w.len == len);
    return bzl__journal_seal(t, *seq);
}

/* True when d encodes exactly as the declaration entry seq holds (a replayed change). */
static bzl_status
same_as_stored(bzl_txn *t, const bzl_declaration *d, uint64_t seq, bool *same)
{
    bzl__entry e;
    bzl_status st = bzl__journal_get(t, seq, &e);
    if (st != BZL_OK || e.type != JOURNAL_DECLARATION) {
        return st == BZL_OK || st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    size_t len = bzl__decl_encoded_size(d);
    *same = false;
    if (len <= e.payload_len) {
        uint8_t *mine = malloc(len);
        if (mine == NULL) {
            return BZL_NO_MEMORY;
        }
        bzl__decl_encode(d, mine, len);
        *same = memcmp(mine, e.payload, len) == 0;
        free(mine);
    }
    return BZL_OK;
}

/* Whether the id's current version may be changed; a refusal lands in result. */
static bzl_status
changeable(bzl_txn *t, const bzl_declaration *d, bzl__decl_state *ds, bzl_submit_result *result)
{
    bzl_status st = bzl__decl_state_get(t, d->enterprise, d->id, ds);
    if (st == BZL_NOT_FOUND) {
        result->status =
            bzl_fault_set(&result->fault, BZL_NOT_FOUND, 0, "id",
                          "enterprise %s has no declaration %s to change", d->enterprise, d->id);
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    if (ds->state == BZL_DECL_POSTED) {
        result->status = bzl_fault_set(
            &result->fault, BZL_STATE_CONFLICT, 0, "id",
            "declaration %s is posted and cannot be changed; a posted declaration is corrected "
            "by reversal (bzl reverse) and a new declaration",
            d->id);
    } else if (ds->state != BZL_DECL_PENDING && ds->state != BZL_DECL_DRAFT) {
        result->status = bzl_fault_set(&result->fault, BZL_STATE_CONFLICT, 0, "id",
                                       "declaration %s is %s; only a pending or draft "
                                       "declaration can be changed",
                                       d->id, bzl_decl_state_name(ds->state));
    }
    return BZL_OK;
}

bzl_status
bzl_storage_replace(bzl_txn *batch, const bzl_declaration *d, const char *reason,
                    const bzl_actor *actor, bzl_submit_result *result)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(d != NULL && reason != NULL && actor != NULL);
    BZL_ASSERT(d->line_count >= 1 && d->line_count <= BZL_DECL_LINES_CEILING);
    memset(result, 0, sizeof *result);
    /* A missing book is answered as a submission answers it (the same words for whoever
     * asks, access.c). */
    bzl_book book;
    bzl_status st = bzl_storage_book_get(batch, d->book_no, &book);
    if (st == BZL_NOT_FOUND) {
        result->status = bzl_fault_missing(&result->fault, "book", "book", d->book_no);
        return BZL_OK;
    }
    bzl__decl_state ds;
    st = st == BZL_OK ? changeable(batch, d, &ds, result) : st;
    if (st != BZL_OK || result->status != BZL_OK) {
        return st;
    }
    bool same = false;
    st = same_as_stored(batch, d, ds.seq, &same);
    if (st != BZL_OK || same) {
        result->replayed = same;
        result->seq = same ? ds.seq : 0;
        return st;
    }
    /* The old version voided, the new one declared, the link: all or nothing. */
    bzl_txn *child = NULL;
    st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st != BZL_OK) {
        return st;
    }
    char why[BZL_TEXT_BYTES_MAX + 1];
    snprintf(why, sizeof why, "changed: replaced by a new version (%.*s)",
             (int)(BZL_TEXT_BYTES_MAX - 40), reason);
    bzl_action_result vr;
    st = bzl_storage_void(child, d->enterprise, d->id, false, why, actor, &vr);
    if (st == BZL_OK && vr.status != BZL_OK) {
        result->status = vr.status;
        result->fault = vr.fault;
    }
    if (st == BZL_OK && result->status == BZL_OK) {
        st = bzl__submit_new(child, d, actor, result);
    }
    uint64_t link = 0;
    if (st == BZL_OK && result->status == BZL_OK) {
        st = journal_change(child, d, ds.seq, vr.seq, result->seq, reason, actor, &link);
    }
    if (st != BZL_OK || result->status != BZL_OK) {
        bzl_txn_abort(child);
        result->seq = 0;
        return st;
    }
    return bzl_txn_commit(child);
}
