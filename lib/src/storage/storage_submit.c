/* storage_submit.c — applying one declaration: idempotency, balances and the journal entry.
 *
 * The declaration's journal payload (table in format.h) is canonical: the same
 * bzl_declaration fields always encode to the same bytes, so a retry is recognised by comparing
 * its encoding with the stored payload, and anything else under the same id is ID_REUSED.
 */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* Payload bytes outside the id, the related id and the lines. */

static bzl_status
journal_declaration_peek(bzl_txn *t, uint64_t seq, const uint8_t **payload, size_t *len)
{
    bzl__entry e;
    bzl_status st = bzl__journal_get(t, seq, &e);
    if (st == BZL_NOT_FOUND || (st == BZL_OK && e.type != JOURNAL_DECLARATION)) {
        return BZL_CORRUPT;
    }
    if (st != BZL_OK) {
        return st;
    }
    *payload = e.payload;
    *len = e.payload_len;
    return BZL_OK;
}

/* d's id is taken: the same content is a replay of journal entry seq, other content is
 * refused with BZL_ID_REUSED. Writes nothing. The encoding is self-delimiting (its lengths
 * and line count are inside it), so equal leading bytes mean an equal declaration. */
static bzl_status
replay_check(bzl_txn *batch, const bzl_declaration *d, bzl_submit_result *result)
{
    bzl__decl_state ds;
    bzl_status st = bzl__decl_state_get(batch, d->enterprise, d->id, &ds);
    if (st != BZL_OK) {
        return st == BZL_NOT_FOUND ? BZL_INTERNAL : st;
    }
    const uint8_t *stored = NULL;
    size_t stored_len = 0;
    st = journal_declaration_peek(batch, ds.seq, &stored, &stored_len);
    if (st != BZL_OK) {
        return st;
    }
    size_t len = bzl__decl_encoded_size(d);
    bool same = false;
    if (len <= stored_len) {
        uint8_t *mine = malloc(len);
        if (mine == NULL) {
            return BZL_NO_MEMORY;
        }
        bzl__decl_encode(d, mine, len);
        same = memcmp(mine, stored, len) == 0;
        free(mine);
    }
    if (!same) {
        result->status = bzl_fault_set(
            &result->fault, BZL_ID_REUSED, 0, "id",
            "declaration id %s was already used for other content at sequence %" PRIu64, d->id,
            ds.seq);
        return BZL_OK;
    }
    result->replayed = true;
    result->seq = ds.seq;
    return BZL_OK;
}

bzl_status
bzl_storage_submit(bzl_txn *batch, const bzl_declaration *d, const bzl_actor *actor,
                   bzl_submit_result *result)
{
    BZL_ASSERT(batch != NULL);
    BZL_ASSERT(batch->write);
    BZL_ASSERT(actor != NULL);
    BZL_ASSERT(result != NULL);
    /* The caller ran bzl_decl_check_fields; repeating it here would double the hot path. */
    BZL_ASSERT(d->line_count >= 1);
    BZL_ASSERT(d->line_count <= BZL_DECL_LINES_CEILING);
    memset(result, 0, sizeof *result);
    result->status = BZL_OK;
    bzl__decl_state ds;
    bzl_status st = bzl__decl_state_get(batch, d->enterprise, d->id, &ds);
    if (st == BZL_OK) {
        return replay_check(batch, d, result);
    }
    if (st != BZL_NOT_FOUND) {
        return st;
    }
    return bzl__submit_new(batch, d, actor, result);
}
