/* handler_audit.c — `verify` (hash chain and balances) and `audit` (who did what), both reads.
 *
 * Verify walks the whole journal inline on the loop thread in one read transaction: it is a
 * rare, operator-initiated request, and running it inline keeps replies in request order
 * trivially. A ledger large enough for that to stall other clients noticeably should move it
 * to a uv_work with its own read transaction (MDB_NOTLS allows it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"

static_assert((int)BZL__V1__ROLE__ROLE_ADMIN == BZLD_ROLE_ADMIN &&
                  (int)BZL__V1__ROLE__ROLE_CUSTOMS == BZLD_ROLE_CUSTOMS &&
                  (int)BZL__V1__ROLE__ROLE_RECONCILER == BZLD_ROLE_RECONCILER &&
                  (int)BZL__V1__ROLE__ROLE_ENTERPRISE == BZLD_ROLE_ENTERPRISE &&
                  (int)BZL__V1__ROLE__ROLE_BACKUP == BZLD_ROLE_BACKUP,
              "the wire Role numbers are access.h's");

void
bzld_handle_verify(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, VERIFY);
    bzl_txn *txn = NULL;
    bzl_chain_report chain;
    bzl_verify_report bal;
    memset(&chain, 0, sizeof chain);
    memset(&bal, 0, sizeof bal);
    bzl_status st = bzld_read_begin(bzld_of_slot(slot), &txn);
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "cannot read the ledger: %s", bzl_status_text(st));
        return;
    }
    bzl_status chain_st = bzl_storage_verify_chain(txn, &chain);
    bzl_status bal_st = bzl_storage_verify_balances(txn, &bal);
    bzl_txn_abort(txn);
    Bzl__V1__VerifyReport rep = BZL__V1__VERIFY_REPORT__INIT;
    rep.entries = chain.entries;
    rep.head_seq = chain.head_seq;
    rep.head_hash.data = chain.head_hash;
    rep.head_hash.len = sizeof chain.head_hash;
    rep.first_bad_seq = chain.first_bad_seq;
    rep.chain_problem = chain.why;
    rep.items = bal.balances;
    rep.declarations = bal.entries;
    rep.balance_problem = bal.message;
    rep.ok = chain_st == BZL_OK && bal_st == BZL_OK;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_VERIFY;
    resp.verify = &rep;
    char message[600];
    if (chain_st != BZL_OK && chain_st != BZL_TAMPERED) {
        resp.status = (Bzl__V1__Status)chain_st;
        snprintf(message, sizeof message, "walking the journal failed: %s",
                 bzl_status_text(chain_st));
    } else if (chain_st == BZL_TAMPERED) {
        resp.status = BZL__V1__STATUS__STATUS_TAMPERED;
        snprintf(message, sizeof message, "journal entry %llu: %s",
                 (unsigned long long)chain.first_bad_seq, chain.why);
    } else if (bal_st != BZL_OK) {
        /* A forged balance is TAMPERED; a journal that no longer replays is CORRUPT. */
        resp.status = (Bzl__V1__Status)bal_st;
        snprintf(message, sizeof message, "%s",
                 bal.message[0] ? bal.message : bzl_status_text(bal_st));
    } else {
        snprintf(message, sizeof message,
                 "%llu entries, %llu balances, %llu rate, trade, period-total, trade-value, "
                 "stocktake and closing rows verify",
                 (unsigned long long)chain.entries, (unsigned long long)bal.balances,
                 (unsigned long long)bal.rows);
    }
    resp.message = message;
    bzld_slot_reply(slot, &resp);
}

void
bzld_handle_audit(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, AUDIT);
    const Bzl__V1__AuditQuery *q = slot->req->audit;
    size_t cap = bzld_page_rows(q->page_size, BZL_AUDIT_PAGE_ROWS, BZL_AUDIT_PAGE_ROWS);
    bzl_fault fault = {0};
    uint64_t cursor = 0;
    bzl_status st =
        bzld_page_token_number(q->page_token, BZLD_LIST_AUDIT, UINT64_MAX, &cursor, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    /* The page starts after the token's entry, and never before from_seq. */
    uint64_t from = q->from_seq > 0 ? q->from_seq - 1 : 0;
    bzl_audit_filter f = {.after_seq = cursor > from ? cursor : from,
                          .type = (uint8_t)q->action,
                          .until_seq = q->until_seq,
                          .since_ms = q->since_ms,
                          .until_ms = q->until_ms,
                          .by_uid = q->by_uid,
                          .uid = q->uid};
    if (st == BZL_OK && (q->action < 0 || q->action > UINT8_MAX)) {
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "action",
                           "action %d is not an entry type", (int)q->action);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(q->enterprise, true, bzl_code_check_enterprise, f.enterprise,
                            sizeof f.enterprise, 0, "enterprise", &fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(q->book, true, bzld_check_book_no, f.book_no, sizeof f.book_no, 0,
                            "book", &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzl_audit_row *rows = calloc(cap, sizeof *rows);
    Bzl__V1__AuditEntry *pb = calloc(cap, sizeof *pb);
    Bzl__V1__AuditEntry **ptrs = calloc(cap, sizeof *ptrs);
    size_t count = 0;
    uint64_t next_after = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_audit_list(txn, &f, rows, cap, &count, &next_after, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing the journal failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        bzl__v1__audit_entry__init(&pb[i]);
        pb[i].seq = rows[i].seq;
        pb[i].type = (Bzl__V1__EntryType)rows[i].type;
        pb[i].time_ms = rows[i].time_ms;
        pb[i].uid = rows[i].uid;
        pb[i].gid = rows[i].gid;
        pb[i].pid = rows[i].pid;
        pb[i].role = (Bzl__V1__Role)rows[i].role;
        pb[i].request_id = rows[i].request_id;
        pb[i].summary = rows[i].summary;
        ptrs[i] = &pb[i];
    }
    Bzl__V1__AuditList list = BZL__V1__AUDIT_LIST__INIT;
    list.n_entries = count;
    list.entries = ptrs;
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_AUDIT, more, next_after, token);
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_AUDIT;
    resp.audit = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(pb);
    free(rows);
}
