/* handler_transfer.c — deep-processing transfers over the wire (next-wave.md §D): delivery
 * records (a write) and the transfers report (a read, a Table). The pair check an export meets
 * is the declaration's own (storage_transfer.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/decimal.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

typedef struct delivery_work {
    bzl_delivery dv;
    bzl_actor actor;
    bzld_principal principal; /* re-checked on the writer thread */
    bzl_action_result result;
} delivery_work;

static bzl_status
delivery_apply(bzld_job *job, bzl_txn *txn)
{
    delivery_work *w = bzld_slot_of_job(job)->work;
    memset(&w->result, 0, sizeof w->result);
    bzl_status st = bzld_access_book(&w->principal, txn, w->dv.book_no, &w->result.fault);
    if (st == BZL_NOT_FOUND) {
        w->result.status = st;
        return BZL_OK;
    }
    st = st == BZL_OK ? bzl_storage_delivery_record(txn, &w->dv, &w->actor, &w->result) : st;
    return bzld_apply_outcome(st, &w->result.status, &w->result.fault);
}

static const char *const delivery_cols[] = {"book", "counterpart", "kind",   "item",
                                            "qty",  "date",        "return", "seq"};

static void
delivery_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    delivery_work *w = slot->work;
    slot->work = NULL;
    if (!bzld_reply_job_failure(slot, batch_status, w->result.status, &w->result.fault)) {
        char day[16];
        bzl_date_format(w->dv.date, day, sizeof day);
        bzld_table t;
        bzld_table_init(&t, delivery_cols, BZL_ARRAY_LEN(delivery_cols));
        bzld_table_add(&t, "%s", w->dv.book_no);
        bzld_table_add(&t, "%s", w->dv.counterpart);
        bzld_table_add(&t, "%s", bzl_kind_name((bzl_kind)w->dv.kind));
        bzld_table_add(&t, "%u", (unsigned)w->dv.item_no);
        bzld_table_dec(&t, w->dv.qty_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_add(&t, "%s", day);
        bzld_table_add(&t, "%s", w->dv.is_return ? "yes" : "no");
        bzld_table_add(&t, "%llu", (unsigned long long)w->result.seq);
        bzld_table_reply(slot, &t, "", 0, 0);
    }
    free(w);
}

void
bzld_handle_record_delivery(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, RECORD_DELIVERY);
    delivery_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return;
    }
    bzl_fault fault = {0};
    bzl_status st = bzld_wire_delivery(slot->req->record_delivery, &w->dv, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    w->principal = *bzld_principal_of_slot(slot);
    if (bzld_slot_push_write(slot, w, 1, delivery_apply, delivery_reply) != BZL_OK) {
        free(w);
    }
}

/* Today in the daemon's local calendar. */
static int32_t
today_local(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL) {
        return (int32_t)(now / 86400);
    }
    return bzl_date_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

static const char *const report_cols[] = {"book",
                                          "counterpart",
                                          "kind",
                                          "item",
                                          "delivered",
                                          "declared",
                                          "delivered_not_declared",
                                          "declared_not_delivered",
                                          "oldest_undeclared",
                                          "age_days",
                                          "over_limit",
                                          "flag"};

void
bzld_handle_transfers_report(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, TRANSFERS_REPORT);
    const Bzl__V1__TransfersReport *req = slot->req->transfers_report;
    uint32_t limit = bzld_of_slot(slot)->cfg.transfer_declare_days;
    bzl_fault fault = {0};
    char cp[BZL_BOOK_NO_LEN + 1] = "";
    int32_t as_of = 0;
    bzl_status st =
        req->counterpart[0] != '\0' ? bzld_parse_book(req->counterpart, cp, &fault) : BZL_OK;
    if (st == BZL_OK) {
        st = bzld_wire_date(req->as_of, true, today_local(), "as_of", &as_of, &fault);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = BZL_LIST_ROWS_MAX;
    bzl_transfer_report_row *rows = calloc(cap, sizeof *rows);
    bzl_txn *txn = NULL;
    size_t n = 0;
    bool more = false;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_transfer_report(txn, cp, as_of, limit, rows, cap, &n, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        free(rows);
        bzld_slot_reply_status(slot, st, "the transfers report failed: %s", bzl_status_text(st));
        return;
    }
    bzld_table t;
    bzld_table_init(&t, report_cols, BZL_ARRAY_LEN(report_cols));
    for (size_t i = 0; i < n; i++) {
        const bzl_transfer_report_row *r = &rows[i];
        char day[16] = "";
        if (r->age.oldest_undeclared != 0) {
            bzl_date_format(r->age.oldest_undeclared, day, sizeof day);
        }
        bzld_table_add(&t, "%s", r->book_no);
        bzld_table_add(&t, "%s", r->counterpart);
        bzld_table_add(&t, "%s", bzl_kind_name((bzl_kind)r->kind));
        bzld_table_add(&t, "%u", (unsigned)r->item_no);
        bzld_table_dec(&t, r->age.delivered_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, r->age.declared_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, r->age.delivered_not_declared_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_dec(&t, r->age.declared_not_delivered_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_add(&t, "%s", day);
        if (r->age.oldest_undeclared != 0) {
            bzld_table_add(&t, "%d", (int)(as_of - r->age.oldest_undeclared));
        } else {
            bzld_table_add(&t, "%s", "");
        }
        bzld_table_dec(&t, r->age.over_e5, BZL_SCALE_QTY, 0, true);
        bzld_table_add(&t, "%s", r->age.lots_over > 0 ? "over limit" : "");
    }
    char day[16];
    bzl_date_format(as_of, day, sizeof day);
    bzld_table_note(&t,
                    "as of %s; kind product: the sending side's deliveries against its transfer "
                    "exports, kind material: the receiving side's receipts against its imports, "
                    "both naming the counterpart book (posted declarations only)",
                    day);
    bzld_table_note(&t,
                    "delivered = deliveries - returns (a return takes back the latest deliveries); "
                    "declared quantities cover the deliveries oldest first; a delivery still "
                    "undeclared %u days after it is over limit (transfer_declare_days) [D.1, "
                    "D.2 rule 5]",
                    (unsigned)limit);
    if (more) {
        bzld_table_note(&t, "more rows than one answer holds: name a counterpart");
    }
    free(rows);
    bzld_table_reply(slot, &t, "", 0, 0);
}
