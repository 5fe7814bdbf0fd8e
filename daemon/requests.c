/* requests.c — the request table (requests.h): one row per request kind.
 *
 * HOW TO ADD A REQUEST KIND
 *
 * 1. The proto field in the Request oneof (proto/bzl.proto), below BZLD_STATS_KINDS.
 * 2. One row in BZLD_REQUESTS below, in body-field order:
 *
 *      X(<BODY_CASE>, .name = "<name>", .handle = bzld_handle_<name>, .write = <bool>,
 *        .roles = <R_* bits>, .scope = BZLD_SCOPE_<...>, .validate = ..., .key = ...,
 *        .missing = ...)
 *
 *    Omitted fields are zero: a read, SCOPE_NONE, no validate, no key. Only staff roles may be
 *    granted a SCOPE_NONE row. A SCOPE_CODE or SCOPE_BOOK row needs key() and missing(); when
 *    its handler refuses some requests before reading (a bad date, a bad line), validate()
 *    must make those very checks, through wire.h, so they answer alike whoever owns the
 *    record.
 * 3. The handler, declared in handlers/handlers.h, in the handlers/ file of its proto range.
 *
 * The build fails until the row exists (the switch in bzld_request_of); tests/daemon/unit/
 * check_requests.c and tests/daemon/e2e/check_access.c then ask for the new kind's expectations.
 */
#include "requests.h"

#include <stdio.h>
#include <string.h>

#include "handlers/handlers.h"
#include "reply.h"
#include "wire.h"

#define R_ADMIN BZLD_ROLE_BIT(BZLD_ROLE_ADMIN)
#define R_CUSTOMS BZLD_ROLE_BIT(BZLD_ROLE_CUSTOMS)
#define R_RECON BZLD_ROLE_BIT(BZLD_ROLE_RECONCILER)
#define R_ENT BZLD_ROLE_BIT(BZLD_ROLE_ENTERPRISE)
#define R_BACKUP BZLD_ROLE_BIT(BZLD_ROLE_BACKUP)
#define R_STAFF (R_ADMIN | R_CUSTOMS | R_RECON)
#define R_READERS (R_STAFF | R_ENT)

/* ---- keys, checks and not-found faults of the scoped kinds ---------------------------------- */

static const char *
key_get_enterprise(const Bzl__V1__Request *req)
{
    return req->get_enterprise->code;
}

static void
missing_enterprise(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "code", "enterprise", req->get_enterprise->code);
}

static bzl_status
check_get_book(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    return bzld_copy_code(req->get_book->book, false, bzld_check_book_no, book_no, sizeof book_no,
                          0, "book", fault);
}

static const char *
key_get_book(const Bzl__V1__Request *req)
{
    return req->get_book->book;
}

static void
missing_book(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->get_book->book);
}

static bzl_status
check_get_item(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    bzl_kind kind = BZL_KIND_MATERIAL;
    return bzld_wire_get_item(req->get_item, &kind, fault);
}

static const char *
key_get_item(const Bzl__V1__Request *req)
{
    return req->get_item->book;
}

static void
missing_item(const Bzl__V1__Request *req, bzl_fault *fault)
{
    const Bzl__V1__GetItem *g = req->get_item;
    char key[64];
    snprintf(key, sizeof key, "%s %s %u", g->book, bzl_kind_name((bzl_kind)g->kind), g->item);
    (void)bzl_fault_missing(fault, "item", "item", key);
}

static bzl_status
check_balances(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    uint64_t after = 0;
    return bzld_wire_balances(req->balances, &after, fault);
}

static const char *
key_balances(const Bzl__V1__Request *req)
{
    return req->balances->book;
}

static void
missing_balances(const Bzl__V1__Request *req, bzl_fault *fault)
{
    const Bzl__V1__QueryBalances *q = req->balances;
    if (q->item != 0) {
        (void)bzl_fault_set(fault, BZL_NOT_FOUND, 0, "item", "item %u is not in book %s", q->item,
                            q->book);
    } else {
        (void)bzl_fault_missing(fault, "book", "book", q->book);
    }
}

/* The bonded ledger's reads word a missing book or item without naming it (handler_ledger.c). */
static void
missing_the_book(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)req;
    (void)bzl_fault_missing(fault, "book", "the book", NULL);
}

static void
missing_the_item(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)req;
    (void)bzl_fault_missing(fault, "item", "the item", NULL);
}

static bzl_status
check_list_norms(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    uint32_t skip = 0;
    return bzld_wire_list_norms(req->list_norms, &skip, fault);
}

static const char *
key_list_norms(const Bzl__V1__Request *req)
{
    return req->list_norms->book;
}

static const char *
key_void(const Bzl__V1__Request *req)
{
    return req->void_declaration->enterprise;
}

/* Storage's words for an unknown (enterprise, id) of a declaration action. */
static void
missing_void(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_set(fault, BZL_NOT_FOUND, 0, "id", "enterprise %s has no declaration %s",
                        req->void_declaration->enterprise, req->void_declaration->id);
}

static bzl_status
check_history(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    int32_t from = 0;
    int32_t to = 0;
    uint64_t after_seq = 0;
    return bzld_wire_history(req->history, book_no, &from, &to, &after_seq, fault);
}

static const char *
key_history(const Bzl__V1__Request *req)
{
    return req->history->book;
}

static const char *
key_get_declaration(const Bzl__V1__Request *req)
{
    return req->get_declaration->enterprise;
}

static void
missing_declaration(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_set(fault, BZL_NOT_FOUND, 0, "id", "enterprise %.20s has no declaration %.64s",
                        req->get_declaration->enterprise, req->get_declaration->id);
}

static bzl_status
check_scrap(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t after_item = 0;
    return bzld_wire_scrap(req->scrap, book_no, &after_item, fault);
}

static const char *
key_scrap(const Bzl__V1__Request *req)
{
    return req->scrap->book;
}

static bzl_status
check_stocktake(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    return bzld_wire_stocktake_check(req->stocktake, lim->decl_lines_max, fault);
}

static const char *
key_stocktake(const Bzl__V1__Request *req)
{
    return req->stocktake->book;
}

/* Storage's words for a stocktake of a missing book (storage_recon.c). */
static void
missing_stocktake(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->stocktake->book);
}

static bzl_status
check_list_items(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind = 0;
    uint64_t after = 0;
    return bzld_wire_list_items(req->list_items, book_no, &kind, &after, fault);
}

static const char *
key_list_items(const Bzl__V1__Request *req)
{
    return req->list_items->book;
}

/* handler_master.c's words for the items of a missing book. */
static void
missing_list_items(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->list_items->book);
}

/* Bonded repair (handler_repair.c): the book's missing fault is storage's and the handler's. */
static bzl_status
check_open_workorder(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t item = 0;
    uint8_t origin = 0;
    int32_t date = 0;
    return bzld_wire_open_workorder(req->open_workorder, book_no, &item, &origin, &date, fault);
}

static const char *
key_open_workorder(const Bzl__V1__Request *req)
{
    return req->open_workorder->book;
}

static void
missing_open_workorder(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->open_workorder->book);
}

static bzl_status
check_complete_workorder(const Bzl__V1__Request *req, const bzld_request_limits *lim,
                         bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t no = 0;
    uint8_t state = 0;
    int32_t date = 0;
    bzl_wo_line mats[BZL_WO_LINES_MAX];
    bzl_wo_line parts[BZL_WO_LINES_MAX];
    uint32_t n_mats = 0;
    uint32_t n_parts = 0;
    return bzld_wire_complete_workorder(req->complete_workorder, book_no, &no, &state, &date, mats,
                                        &n_mats, parts, &n_parts, fault);
}

static const char *
key_complete_workorder(const Bzl__V1__Request *req)
{
    return req->complete_workorder->book;
}

static void
missing_complete_workorder(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->complete_workorder->book);
}

static bzl_status
check_list_workorders(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint64_t after = 0;
    bzl_status st = bzld_parse_book(req->list_workorders->book, book_no, fault);
    return st == BZL_OK ? bzld_page_token_number(req->list_workorders->page_token,
                                                 BZLD_LIST_WORKORDERS, UINT32_MAX, &after, fault)
                        : st;
}

static const char *
key_list_workorders(const Bzl__V1__Request *req)
{
    return req->list_workorders->book;
}

static void
missing_list_workorders(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->list_workorders->book);
}

static bzl_status
check_record_delivery(const Bzl__V1__Request *req, const bzld_request_limits *lim, bzl_fault *fault)
{
    (void)lim;
    bzl_delivery dv;
    return bzld_wire_delivery(req->record_delivery, &dv, fault);
}

static const char *
key_record_delivery(const Bzl__V1__Request *req)
{
    return req->record_delivery->book;
}

static void
missing_record_delivery(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->record_delivery->book);
}

static const char *
key_tax_show(const Bzl__V1__Request *req)
{
    return req->tax_show->enterprise;
}

static const char *
key_tax_compare(const Bzl__V1__Request *req)
{
    return req->tax_compare->enterprise;
}

/* handler_tax.c's words for another enterprise's declaration, which must read as a missing one. */
static void
missing_tax_show(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_set(fault, BZL_NOT_FOUND, 0, "id",
                        "enterprise %.20s has no assessed domestic sale %.64s (only posted "
                        "domestic sales are assessed)",
                        req->tax_show->enterprise, req->tax_show->id);
}

static void
missing_tax_compare(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_set(fault, BZL_NOT_FOUND, 0, "id", "enterprise %.20s has no declaration %.64s",
                        req->tax_compare->enterprise, req->tax_compare->id);
}

static const char *
key_set_lot_method(const Bzl__V1__Request *req)
{
    return req->set_lot_method->book;
}

/* Storage's words for a missing book (storage_lots.c), the same for every principal. */
static void
missing_set_lot_method(const Bzl__V1__Request *req, bzl_fault *fault)
{
    (void)bzl_fault_missing(fault, "book", "book", req->set_lot_method->book);
}

static const char *
key_list_lots(const Bzl__V1__Request *req)
{
    return req->list_lots->book;
}

/* ---- the table ------------------------------------------------------------------------------ */

/* Enterprises submit and void their own pending declarations; customs posts, rejects,
 * reverses and closes periods. Admin may do all of it too, so that a one-user installation
 * (the embedded default, the demo) works end to end: admin is the operator's superuser, and
 * the separation of duties the zone needs is between enterprises, customs and reconcilers.
 * Verification: an enterprise submits its own books' stocktakes; customs and admin set rates
 * and record the zone's general trade (figures customs answers for; the reconciler only reads
 * and reports); verification and reports are staff work. Customs receipts are customs' own
 * word on a list (docs/INV101.md): customs applies them, staff read the INV211 differences. */
#define BZLD_REQUESTS(X)                                                                           \
    X(REGISTER_ENTERPRISE, .name = "register_enterprise",                                          \
      .handle = bzld_handle_register_enterprise, .write = true, .roles = R_ADMIN)                  \
    X(GET_ENTERPRISE, .name = "get_enterprise", .handle = bzld_handle_get_enterprise,              \
      .roles = R_READERS, .scope = BZLD_SCOPE_CODE, .key = key_get_enterprise,                     \
      .missing = missing_enterprise)                                                               \
    X(LIST_ENTERPRISES, .name = "list_enterprises", .handle = bzld_handle_list_enterprises,        \
      .roles = R_READERS, .scope = BZLD_SCOPE_HANDLER)                                             \
    X(OPEN_BOOK, .name = "open_book", .handle = bzld_handle_open_book, .write = true,              \
      .roles = R_ADMIN)                                                                            \
    X(GET_BOOK, .name = "get_book", .handle = bzld_handle_get_book, .roles = R_READERS,            \
      .scope = BZLD_SCOPE_BOOK, .validate = check_get_book, .key = key_get_book,                   \
      .missing = missing_book)                                                                     \
    X(ADD_ITEM, .name = "add_item", .handle = bzld_handle_add_item, .write = true,                 \
      .roles = R_ADMIN)                                                                            \
    X(GET_ITEM, .name = "get_item", .handle = bzld_handle_get_item, .roles = R_READERS,            \
      .scope = BZLD_SCOPE_BOOK, .validate = check_get_item, .key = key_get_item,                   \
      .missing = missing_item)                                                                     \
    X(SUBMIT, .name = "submit", .handle = bzld_handle_submit, .write = true,                       \
      .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_HANDLER)                                       \
    X(SUBMIT_BATCH, .name = "submit_batch", .handle = bzld_handle_submit_batch, .write = true,     \
      .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_HANDLER)                                       \
    X(BALANCES, .name = "balances", .handle = bzld_handle_balances, .roles = R_READERS,            \
      .scope = BZLD_SCOPE_BOOK, .validate = check_balances, .key = key_balances,                   \
      .missing = missing_balances)                                                                 \
    X(STATS, .name = "stats", .handle = bzld_handle_stats, .roles = R_STAFF)                       \
    X(LIST_BOOKS, .name = "list_books", .handle = bzld_handle_list_books, .roles = R_READERS,      \
      .scope = BZLD_SCOPE_HANDLER)                                                                 \
    X(LIST_ITEMS, .name = "list_items", .handle = bzld_handle_list_items, .roles = R_READERS,      \
      .scope = BZLD_SCOPE_BOOK, .validate = check_list_items, .key = key_list_items,               \
      .missing = missing_list_items)                                                               \
    X(SET_NORM, .name = "set_norm", .handle = bzld_handle_set_norm, .write = true,                 \
      .roles = R_ADMIN)                                                                            \
    X(LIST_NORMS, .name = "list_norms", .handle = bzld_handle_list_norms, .roles = R_READERS,      \
      .scope = BZLD_SCOPE_BOOK, .validate = check_list_norms, .key = key_list_norms,               \
      .missing = missing_the_book)                                                                 \
    X(SET_ITEM_MODE, .name = "set_item_mode", .handle = bzld_handle_set_item_mode, .write = true,  \
      .roles = R_ADMIN)                                                                            \
    X(POST_DECLARATION, .name = "post", .handle = bzld_handle_post, .write = true,                 \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(VOID_DECLARATION, .name = "void", .handle = bzld_handle_void, .write = true,                 \
      .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_CODE, .key = key_void,                         \
      .missing = missing_void)                                                                     \
    X(REVERSE_DECLARATION, .name = "reverse", .handle = bzld_handle_reverse, .write = true,        \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(CLOSE_PERIOD, .name = "close_period", .handle = bzld_handle_close_period, .write = true,     \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(HISTORY, .name = "history", .handle = bzld_handle_history, .roles = R_READERS,               \
      .scope = BZLD_SCOPE_BOOK, .validate = check_history, .key = key_history,                     \
      .missing = missing_the_item)                                                                 \
    X(GET_DECLARATION, .name = "get_declaration", .handle = bzld_handle_get_declaration,           \
      .roles = R_READERS, .scope = BZLD_SCOPE_CODE, .key = key_get_declaration,                    \
      .missing = missing_declaration)                                                              \
    X(UNMATCHED_TRANSFERS, .name = "unmatched_transfers",                                          \
      .handle = bzld_handle_unmatched_transfers, .roles = R_STAFF)                                 \
    X(SCRAP, .name = "scrap", .handle = bzld_handle_scrap, .roles = R_READERS,                     \
      .scope = BZLD_SCOPE_BOOK, .validate = check_scrap, .key = key_scrap,                         \
      .missing = missing_the_book)                                                                 \
    X(REJECT_DECLARATION, .name = "reject", .handle = bzld_handle_reject, .write = true,           \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(LIST_DECLARATIONS, .name = "list_declarations", .handle = bzld_handle_list_declarations,     \
      .roles = R_READERS, .scope = BZLD_SCOPE_HANDLER)                                             \
    X(STOCKTAKE, .name = "stocktake", .handle = bzld_handle_stocktake, .write = true,              \
      .roles = R_ENT | R_CUSTOMS | R_ADMIN, .scope = BZLD_SCOPE_BOOK, .validate = check_stocktake, \
      .key = key_stocktake, .missing = missing_stocktake)                                          \
    X(RECONCILE, .name = "reconcile", .handle = bzld_handle_reconcile, .roles = R_STAFF)           \
    X(SET_RATE, .name = "set_rate", .handle = bzld_handle_set_rate, .write = true,                 \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(LIST_RATES, .name = "list_rates", .handle = bzld_handle_list_rates, .roles = R_STAFF)        \
    X(RECORD_TRADE, .name = "record_trade", .handle = bzld_handle_record_trade, .write = true,     \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(REPORT, .name = "report", .handle = bzld_handle_report, .roles = R_STAFF)                    \
    X(VERIFY, .name = "verify", .handle = bzld_handle_verify, .roles = R_STAFF)                    \
    X(AUDIT, .name = "audit", .handle = bzld_handle_audit, .roles = R_STAFF)                       \
    X(JOURNAL, .name = "journal", .handle = bzld_handle_journal, .roles = R_STAFF)                 \
    X(CHECKPOINT, .name = "checkpoint", .handle = bzld_handle_checkpoint, .roles = R_STAFF)        \
    X(BACKUP, .name = "backup", .handle = bzld_handle_backup, .roles = R_ADMIN | R_BACKUP)         \
    X(OPEN_WORKORDER, .name = "open_workorder", .handle = bzld_handle_open_workorder,              \
      .write = true, .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_BOOK,                           \
      .validate = check_open_workorder, .key = key_open_workorder,                                 \
      .missing = missing_open_workorder)                                                           \
    X(COMPLETE_WORKORDER, .name = "complete_workorder", .handle = bzld_handle_complete_workorder,  \
      .write = true, .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_BOOK,                           \
      .validate = check_complete_workorder, .key = key_complete_workorder,                         \
      .missing = missing_complete_workorder)                                                       \
    X(LIST_WORKORDERS, .name = "list_workorders", .handle = bzld_handle_list_workorders,           \
      .roles = R_READERS, .scope = BZLD_SCOPE_BOOK, .validate = check_list_workorders,             \
      .key = key_list_workorders, .missing = missing_list_workorders)                              \
    X(REPAIR_OVERDUE, .name = "repair_overdue", .handle = bzld_handle_repair_overdue,              \
      .roles = R_STAFF)                                                                            \
    X(RECORD_DELIVERY, .name = "record_delivery", .handle = bzld_handle_record_delivery,           \
      .write = true, .roles = R_ENT | R_ADMIN, .scope = BZLD_SCOPE_BOOK,                           \
      .validate = check_record_delivery, .key = key_record_delivery,                               \
      .missing = missing_record_delivery)                                                          \
    X(TRANSFERS_REPORT, .name = "transfers_report", .handle = bzld_handle_transfers_report,        \
      .roles = R_STAFF)                                                                            \
    X(SET_TARIFF, .name = "set_tariff", .handle = bzld_handle_set_tariff, .write = true,           \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(LIST_TARIFFS, .name = "list_tariffs", .handle = bzld_handle_list_tariffs, .roles = R_STAFF)  \
    X(SET_INTEREST_RATE, .name = "set_interest_rate", .handle = bzld_handle_set_interest_rate,     \
      .write = true, .roles = R_CUSTOMS | R_ADMIN)                                                 \
    X(LIST_INTEREST_RATES, .name = "list_interest_rates",                                          \
      .handle = bzld_handle_list_interest_rates, .roles = R_STAFF)                                 \
    X(TAX_SHOW, .name = "tax_show", .handle = bzld_handle_tax_show, .roles = R_READERS,            \
      .scope = BZLD_SCOPE_CODE, .key = key_tax_show, .missing = missing_tax_show)                  \
    X(TAX_COMPARE, .name = "tax_compare", .handle = bzld_handle_tax_compare, .roles = R_READERS,   \
      .scope = BZLD_SCOPE_CODE, .key = key_tax_compare, .missing = missing_tax_compare)            \
    X(TAX_REPORT, .name = "tax_report", .handle = bzld_handle_tax_report, .roles = R_STAFF)        \
    X(SET_LOT_METHOD, .name = "set_lot_method", .handle = bzld_handle_set_lot_method,              \
      .write = true, .roles = R_ENT | R_CUSTOMS | R_ADMIN, .scope = BZLD_SCOPE_BOOK,               \
      .key = key_set_lot_method, .missing = missing_set_lot_method)                                \
    X(LIST_LOTS, .name = "list_lots", .handle = bzld_handle_list_lots, .roles = R_READERS,         \
      .scope = BZLD_SCOPE_BOOK, .key = key_list_lots, .missing = missing_the_book)                 \
    X(TAX_QUOTE, .name = "tax_quote", .handle = bzld_handle_tax_quote, .roles = R_READERS,         \
      .scope = BZLD_SCOPE_HANDLER)                                                                 \
    X(REPLACE_DECLARATION, .name = "replace_declaration",                                          \
      .handle = bzld_handle_replace_declaration, .write = true, .roles = R_ENT | R_ADMIN,          \
      .scope = BZLD_SCOPE_HANDLER)                                                                 \
    X(APPLY_RECEIPT, .name = "apply_receipt", .handle = bzld_handle_apply_receipt, .write = true,  \
      .roles = R_CUSTOMS | R_ADMIN)                                                                \
    X(RECEIPT_DIFF, .name = "receipt_diff", .handle = bzld_handle_receipt_diff, .roles = R_STAFF)

#define REQUEST_ROW(kind, ...) {.body = BZL__V1__REQUEST__BODY_##kind, __VA_ARGS__},
static const bzld_request rows[] = {BZLD_REQUESTS(REQUEST_ROW)};
#undef REQUEST_ROW

/* Each row's index in rows[]. */
#define REQUEST_INDEX(kind, ...) REQUEST_##kind,
enum { BZLD_REQUESTS(REQUEST_INDEX) REQUEST_KINDS };
#undef REQUEST_INDEX
static_assert(REQUEST_KINDS == BZL_ARRAY_LEN(rows), "one index per row");

/* Statistics count replies by body field number (bzld.h). */
#define REQUEST_PIN(kind, ...)                                                                     \
    static_assert(BZL__V1__REQUEST__BODY_##kind > 0 &&                                             \
                      (unsigned)BZL__V1__REQUEST__BODY_##kind < BZLD_STATS_KINDS,                  \
                  "request kind " #kind " has a statistics slot");
BZLD_REQUESTS(REQUEST_PIN)
#undef REQUEST_PIN

static void
handle_unknown(bzld_slot *slot)
{
    bzld_slot_reply_status(slot, BZL_UNSUPPORTED,
                           "request carries no body this daemon knows (field %d)",
                           (int)slot->req->body_case);
}

/* A body case without a row: admin only, so a request kind a newer client sends is refused
 * with PERMISSION_DENIED for every other role and answered UNSUPPORTED for admin. */
static const bzld_request unknown_row = {.body = BZL__V1__REQUEST__BODY__NOT_SET,
                                         .name = "unknown",
                                         .handle = handle_unknown,
                                         .roles = R_ADMIN};

const bzld_request *
bzld_request_of(Bzl__V1__Request__BodyCase body)
{
#define REQUEST_CASE(kind, ...)                                                                    \
    case BZL__V1__REQUEST__BODY_##kind:                                                            \
        return &rows[REQUEST_##kind];
    /* No default: a body case of the proto missing from BZLD_REQUESTS fails the build. */
    switch (body) {
        BZLD_REQUESTS(REQUEST_CASE)
    case BZL__V1__REQUEST__BODY__NOT_SET:
    case _BZL__V1__REQUEST__BODY__CASE_IS_INT_SIZE:
        break;
    }
#undef REQUEST_CASE
    return &unknown_row;
}

const bzld_request *
bzld_requests(size_t *count)
{
    *count = BZL_ARRAY_LEN(rows);
    return rows;
}

/* One row's own consistency: what access.c and dispatch.c rely on. */
static bool
row_check(const bzld_request *r, char *why, size_t why_cap)
{
    const char *bad = NULL;
    if (r->name == NULL || r->handle == NULL || r->roles == 0) {
        bad = "has no name, handler or role";
    } else if ((r->scope == BZLD_SCOPE_CODE || r->scope == BZLD_SCOPE_BOOK) &&
               (r->key == NULL || r->missing == NULL)) {
        bad = "is scoped by code or book without key() and missing()";
    } else if (r->scope == BZLD_SCOPE_NONE && (r->roles & R_ENT) != 0) {
        bad = "grants enterprises a request no scope ties to their own records";
    } else if (bzld_request_of(r->body) != r) {
        bad = "is not found by its body case";
    }
    if (bad != NULL) {
        snprintf(why, why_cap, "request row %s (field %d) %s", r->name != NULL ? r->name : "?",
                 (int)r->body, bad);
    }
    return bad == NULL;
}

bool
bzld_requests_check(char *why, size_t why_cap)
{
    BZL_ASSERT(why != NULL && why_cap > 0);
    const ProtobufCMessageDescriptor *md = &bzl__v1__request__descriptor;
    size_t fields = 0;
    for (unsigned f = 0; f < md->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &md->fields[f];
        if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0) {
            continue;
        }
        fields++;
        const bzld_request *r = bzld_request_of((Bzl__V1__Request__BodyCase)fd->id);
        if (r == &unknown_row) {
            snprintf(why, why_cap, "request kind %s (field %u) has no row", fd->name, fd->id);
            return false;
        }
    }
    if (fields != BZL_ARRAY_LEN(rows)) {
        snprintf(why, why_cap, "the Request oneof has %zu fields but the table %zu rows", fields,
                 BZL_ARRAY_LEN(rows));
        return false;
    }
    for (size_t i = 0; i < BZL_ARRAY_LEN(rows); i++) {
        if (!row_check(&rows[i], why, why_cap)) {
            return false;
        }
    }
    return true;
}
