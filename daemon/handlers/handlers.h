/* handlers.h — the request handlers, one file per proto range; requests.c is their only caller.
 *
 * Each takes the slot of a request whose row (requests.h) allowed it: a read replies before it
 * returns, a write queues its job and replies from the job's reply callback. Handlers use
 * dispatch.h (slots, writes, reads), reply.h (responses) and wire.h (conversion), never the
 * socket layer: who asked comes from bzld_actor_of_slot and bzld_principal_of_slot.
 */
#ifndef BZLD_HANDLERS_H
#define BZLD_HANDLERS_H

#include "bzld.h"

/* Every handler opens with this: the slot is the dispatcher's, and its request is the kind the
 * handler serves (requests.c routed it by this very case), so the body pointer is set. */
#define BZLD_HANDLER_BEGIN(slot, body)                                                             \
    do {                                                                                           \
        BZL_ASSERT((slot) != NULL && (slot)->req != NULL);                                         \
        BZL_ASSERT((slot)->req->body_case == BZL__V1__REQUEST__BODY_##body);                       \
    } while (0)

/* handler_master.c: enterprises, books, items */
void bzld_handle_register_enterprise(bzld_slot *slot);
void bzld_handle_get_enterprise(bzld_slot *slot);
void bzld_handle_list_enterprises(bzld_slot *slot);
void bzld_handle_open_book(bzld_slot *slot);
void bzld_handle_get_book(bzld_slot *slot);
void bzld_handle_add_item(bzld_slot *slot);
void bzld_handle_get_item(bzld_slot *slot);
void bzld_handle_list_books(bzld_slot *slot);
void bzld_handle_list_items(bzld_slot *slot);

/* handler_declaration.c */
void bzld_handle_submit(bzld_slot *slot);
void bzld_handle_submit_batch(bzld_slot *slot);

/* handler_query.c */
void bzld_handle_balances(bzld_slot *slot);
void bzld_handle_stats(bzld_slot *slot);

/* handler_audit.c */
void bzld_handle_verify(bzld_slot *slot);
void bzld_handle_audit(bzld_slot *slot);

/* handler_journal.c */
void bzld_handle_journal(bzld_slot *slot);

/* handler_checkpoint.c */
void bzld_handle_checkpoint(bzld_slot *slot);

/* handler_ledger.c: the bonded ledger's writes and its norm, history and scrap reads */
void bzld_handle_set_norm(bzld_slot *slot);
void bzld_handle_list_norms(bzld_slot *slot);
void bzld_handle_set_item_mode(bzld_slot *slot);
void bzld_handle_post(bzld_slot *slot);
void bzld_handle_void(bzld_slot *slot);
void bzld_handle_reject(bzld_slot *slot);
void bzld_handle_reverse(bzld_slot *slot);
void bzld_handle_close_period(bzld_slot *slot);
void bzld_handle_history(bzld_slot *slot);
void bzld_handle_scrap(bzld_slot *slot);

/* handler_ledger_read.c */
void bzld_handle_get_declaration(bzld_slot *slot);
void bzld_handle_unmatched_transfers(bzld_slot *slot);
void bzld_handle_list_declarations(bzld_slot *slot);

/* handler_recon.c: verification */
void bzld_handle_stocktake(bzld_slot *slot);
void bzld_handle_reconcile(bzld_slot *slot);
void bzld_handle_set_rate(bzld_slot *slot);
void bzld_handle_list_rates(bzld_slot *slot);
void bzld_handle_record_trade(bzld_slot *slot);

/* handler_report.c */
void bzld_handle_report(bzld_slot *slot);

/* handler_tax.c: domestic-sale tax (docs/TAX.md) */
void bzld_handle_set_tariff(bzld_slot *slot);
void bzld_handle_list_tariffs(bzld_slot *slot);
void bzld_handle_set_interest_rate(bzld_slot *slot);
void bzld_handle_list_interest_rates(bzld_slot *slot);
void bzld_handle_tax_show(bzld_slot *slot);
void bzld_handle_tax_compare(bzld_slot *slot);
void bzld_handle_tax_quote(bzld_slot *slot);
void bzld_handle_tax_report(bzld_slot *slot);
void bzld_handle_set_lot_method(bzld_slot *slot);
void bzld_handle_list_lots(bzld_slot *slot);

/* handler_list.c: 核注清单 (INV101) changes */
void bzld_handle_replace_declaration(bzld_slot *slot);

/* handler_ops.c */
void bzld_handle_backup(bzld_slot *slot);

/* handler_transfer.c: deep-processing transfer deliveries and their report */
void bzld_handle_record_delivery(bzld_slot *slot);
void bzld_handle_transfers_report(bzld_slot *slot);

/* handler_repair.c: bonded repair books */
void bzld_handle_open_workorder(bzld_slot *slot);
void bzld_handle_complete_workorder(bzld_slot *slot);
void bzld_handle_list_workorders(bzld_slot *slot);
void bzld_handle_repair_overdue(bzld_slot *slot);
/* For reconcile of one book: when book_no is a repair book, fills t (initialised here) with its
 * repair accounts and the equations of next-wave.md §C.3 and returns true, with *st BZL_OK or a
 * failure described in fault (t is then to be freed by the caller with bzld_table_deinit);
 * false (t untouched) when it is not a repair book or does not exist. */
struct bzld_table;
bool bzld_repair_reconcile(bzl_txn *txn, const char *book_no, struct bzld_table *t, bzl_status *st,
                           bzl_fault *fault);

/* handler_receipt.c: customs receipts (docs/INV101.md "Receipts") */
void bzld_handle_apply_receipt(bzld_slot *slot);
void bzld_handle_receipt_diff(bzld_slot *slot);

#endif
