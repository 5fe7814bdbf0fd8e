/* handler_master.c — enterprises, books and items: register, open, add, get, list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"
#include "writer.h"

/* ---- writes ---------------------------------------------------------------------------------- */

typedef enum { MASTER_ENTERPRISE, MASTER_BOOK, MASTER_ITEM } master_type;

typedef struct master_work {
    master_type type;
    bzl_enterprise enterprise;
    bzl_book book;
    bzl_item item;
    bzl_actor actor;
    bzl_status result;
    bzl_fault fault;
} master_work;

static bzl_status
master_apply(bzld_job *job, bzl_txn *txn)
{
    master_work *w = bzld_slot_of_job(job)->work;
    memset(&w->fault, 0, sizeof w->fault);
    switch (w->type) {
    case MASTER_ENTERPRISE:
        w->result = bzl_storage_enterprise_add(txn, &w->enterprise, &w->actor, &w->fault);
        break;
    case MASTER_BOOK:
        w->result = bzl_storage_book_add(txn, &w->book, &w->actor, &w->fault);
        break;
    case MASTER_ITEM:
        w->result = bzl_storage_item_add(txn, &w->item, &w->actor, &w->fault);
        break;
    }
    return bzl_status_aborts_batch(w->result) ? w->result : BZL_OK;
}

/* The date book_no's periods are closed through, as YYYY-MM-DD, or "" when none is. */
static bzl_status
book_closed_text(bzl_txn *txn, const char *book_no, char out[16])
{
    bool closed = false;
    int32_t through = 0;
    bzl_status st = bzl_storage_period_get(txn, book_no, &closed, &through);
    out[0] = '\0';
    if (st == BZL_OK && closed) {
        bzl_date_format(through, out, 16);
    }
    return st;
}

/* Replies with the one record of `type` (the other two pointers are not read): the echo of a
 * write and the answer of a get share it. */
static void
reply_record(bzld_slot *slot, master_type type, const bzl_enterprise *e, const bzl_book *b,
             const bzl_item *item, const char *closed_through)
{
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    Bzl__V1__Enterprise epb;
    Bzl__V1__Book bpb;
    Bzl__V1__Item ipb;
    if (type == MASTER_ENTERPRISE) {
        bzld_enterprise_to_pb(e, &epb);
        resp.result_case = BZL__V1__RESPONSE__RESULT_ENTERPRISE;
        resp.enterprise = &epb;
    } else if (type == MASTER_BOOK) {
        bzld_book_to_pb(b, &bpb);
        bpb.closed_through = (char *)closed_through;
        resp.result_case = BZL__V1__RESPONSE__RESULT_BOOK;
        resp.book = &bpb;
    } else {
        bzld_item_to_pb(item, &ipb);
        resp.result_case = BZL__V1__RESPONSE__RESULT_ITEM;
        resp.item = &ipb;
    }
    bzld_slot_reply(slot, &resp);
}

static void
master_reply(bzld_job *job, bzl_status batch_status)
{
    bzld_slot *slot = bzld_slot_of_job(job);
    master_work *w = slot->work;
    slot->work = NULL;
    if (!bzld_reply_job_failure(slot, batch_status, w->result, &w->fault)) {
        reply_record(slot, w->type, &w->enterprise, &w->book, &w->item, "");
    }
    free(w);
}

/* Queues the write once its conversion (status st, w->fault) succeeded; otherwise replies with
 * the conversion's fault. Either way w is no longer the caller's. */
static void
master_start(bzld_slot *slot, master_work *w, bzl_status st)
{
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &w->fault);
        free(w);
        return;
    }
    bzld_actor_of_slot(slot, &w->actor);
    if (bzld_slot_push_write(slot, w, 0, master_apply, master_reply) != BZL_OK) {
        free(w);
    }
}

static master_work *
master_work_new(bzld_slot *slot, master_type type)
{
    master_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory");
        return NULL;
    }
    w->type = type;
    return w;
}

void
bzld_handle_register_enterprise(bzld_slot *slot)
{
    master_work *w = master_work_new(slot, MASTER_ENTERPRISE);
    if (w == NULL) {
        return;
    }
    bzl_status st =
        bzld_wire_enterprise(slot->req->register_enterprise->enterprise, &w->enterprise, &w->fault);
    master_start(slot, w, st);
}

void
bzld_handle_open_book(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, OPEN_BOOK);
    master_work *w = master_work_new(slot, MASTER_BOOK);
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_book(slot->req->open_book->book, &w->book, &w->fault);
    uint32_t cycle = bzld_of_slot(slot)->cfg.repair_cycle_days;
    if (st == BZL_OK && w->book.usage == BZL_USAGE_REPAIR && w->book.period_days > cycle) {
        /* 核销周期 of a zone repair book: at most 2 years [next-wave.md §C.4], or the zone's
         * repair_cycle_days (bzld.conf(5)). */
        st = bzl_fault_set(&w->fault, BZL_INVALID_ARGUMENT, 0, "period_days",
                           "a repair book's verification period is at most %u days (%u asked)",
                           (unsigned)cycle, (unsigned)w->book.period_days);
    }
    master_start(slot, w, st);
}

void
bzld_handle_add_item(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, ADD_ITEM);
    master_work *w = master_work_new(slot, MASTER_ITEM);
    if (w == NULL) {
        return;
    }
    bzl_status st = bzld_wire_item(slot->req->add_item->item, &w->item, &w->fault);
    master_start(slot, w, st);
}

/* ---- reads ----------------------------------------------------------------------------------- */

/* Reads one record in a read transaction of its own: the enterprise `code`, the book `code`, or
 * item (kind, item_no) of book `code`; replies with it, or with NOT_FOUND or the storage failure
 * naming what was looked for. */
static void
reply_lookup(bzld_slot *slot, master_type type, const char *code, bzl_kind kind, uint32_t item_no)
{
    static const char *const what[] = {"enterprise", "book", "item"};
    bzl_enterprise e;
    bzl_book b;
    bzl_item item;
    char closed[16] = "";
    bzl_txn *txn = NULL;
    bzl_status st = bzld_read_begin(bzld_of_slot(slot), &txn);
    if (st == BZL_OK) {
        if (type == MASTER_ENTERPRISE) {
            st = bzl_storage_enterprise_get(txn, code, &e);
        } else if (type == MASTER_BOOK) {
            st = bzl_storage_book_get(txn, code, &b);
            st = st == BZL_OK ? book_closed_text(txn, code, closed) : st;
        } else {
            st = bzl_storage_item_get(txn, code, kind, item_no, &item);
        }
        bzl_txn_abort(txn);
    }
    if (st == BZL_OK) {
        reply_record(slot, type, &e, &b, &item, closed);
        return;
    }
    char key[64];
    if (type == MASTER_ITEM) {
        snprintf(key, sizeof key, "%s %s %u", code, bzl_kind_name(kind), item_no);
    } else {
        snprintf(key, sizeof key, "%s", code);
    }
    if (st == BZL_NOT_FOUND) {
        bzl_fault fault = {0};
        (void)bzl_fault_missing(&fault, what[type], what[type], key);
        bzld_slot_reply_status(slot, st, "%s", fault.message);
    } else {
        bzld_slot_reply_status(slot, st, "reading %s %s failed: %s", what[type], key,
                               bzl_status_text(st));
    }
}

void
bzld_handle_get_enterprise(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, GET_ENTERPRISE);
    const char *code = slot->req->get_enterprise->code;
    bzl_fault fault = {0};
    bzl_enterprise e;
    bzl_status st = bzld_copy_code(code, false, bzl_code_check_enterprise, e.code, sizeof e.code, 0,
                                   "code", &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    reply_lookup(slot, MASTER_ENTERPRISE, code, BZL_KIND_MATERIAL, 0);
}

/* An enterprise principal's page: its own enterprises after `after`, in code order, read one by
 * one, so that neither a page nor its token ever names another enterprise and a page of
 * someone else's codes never comes back empty. Codes not registered are skipped. */
static bzl_status
own_enterprises(bzl_txn *txn, const bzld_principal *p, const char *after, bzl_enterprise *rows,
                size_t cap, size_t *count, bool *more)
{
    *count = 0;
    *more = false;
    const char *prev = after;
    for (;;) {
        const char *next = NULL; /* the least own code above prev */
        for (unsigned i = 0; i < p->n_enterprises; i++) {
            const char *c = p->enterprises[i];
            if (strcmp(c, prev) > 0 && (next == NULL || strcmp(c, next) < 0)) {
                next = c;
            }
        }
        if (next == NULL) {
            return BZL_OK;
        }
        bzl_enterprise e;
        bzl_status st = bzl_storage_enterprise_get(txn, next, &e);
        if (st == BZL_OK && *count == cap) {
            *more = true;
            return BZL_OK;
        }
        if (st == BZL_OK) {
            rows[(*count)++] = e;
        }
        if (st != BZL_OK && st != BZL_NOT_FOUND) {
            return st;
        }
        prev = next;
    }
}

void
bzld_handle_list_enterprises(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_ENTERPRISES);
    const Bzl__V1__ListEnterprises *req = slot->req->list_enterprises;
    const bzld_principal *who = bzld_principal_of_slot(slot);
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_fault fault = {0};
    char after[BZL_ENTERPRISE_CODE_LEN + 1];
    bzl_status st = bzld_page_token_code(req->page_token, BZLD_LIST_ENTERPRISES,
                                         bzl_code_check_enterprise, after, sizeof after, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    bzl_enterprise *rows = calloc(cap, sizeof *rows);
    Bzl__V1__Enterprise *pb = calloc(cap, sizeof *pb);
    Bzl__V1__Enterprise **ptrs = calloc(cap, sizeof *ptrs);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = who->role == BZLD_ROLE_ENTERPRISE
                 ? own_enterprises(txn, who, after, rows, cap, &count, &more)
                 : bzl_storage_enterprise_list(txn, after, rows, cap, &count, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing enterprises failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        BZL_ASSERT(bzld_principal_sees(who, rows[i].code));
        bzld_enterprise_to_pb(&rows[i], &pb[i]);
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_code(BZLD_LIST_ENTERPRISES, more && count > 0,
                             count > 0 ? rows[count - 1].code : "", token);
    Bzl__V1__EnterpriseList list = BZL__V1__ENTERPRISE_LIST__INIT;
    list.n_enterprises = count;
    list.enterprises = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_ENTERPRISES;
    resp.enterprises = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(pb);
    free(rows);
}

void
bzld_handle_get_book(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, GET_BOOK);
    const char *book_no = slot->req->get_book->book;
    bzl_fault fault = {0};
    bzl_book b;
    bzl_status st = bzld_copy_code(book_no, false, bzld_check_book_no, b.book_no, sizeof b.book_no,
                                   0, "book", &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    reply_lookup(slot, MASTER_BOOK, book_no, BZL_KIND_MATERIAL, 0);
}

void
bzld_handle_get_item(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, GET_ITEM);
    const Bzl__V1__GetItem *req = slot->req->get_item;
    bzl_fault fault = {0};
    bzl_kind kind = BZL_KIND_MATERIAL;
    bzl_status st = bzld_wire_get_item(req, &kind, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    reply_lookup(slot, MASTER_ITEM, req->book, kind, req->item);
}

/* Whether the principal may see book b and it passes the enterprise filter. */
static bool
book_listed(const bzld_principal *who, const char *enterprise, const bzl_book *b)
{
    return bzld_principal_sees(who, b->enterprise) &&
           (enterprise[0] == '\0' || strcmp(enterprise, b->enterprise) == 0);
}

/* One page of books after `after`: every book is read, those the principal may not see (or
 * the filter drops) are passed over, and the page ends full or at the last book. The token is
 * the last book listed, so it never names a book the caller may not see. */
static bzl_status
books_page(bzl_txn *txn, const bzld_principal *who, const char *enterprise, const char *after,
           bzl_book *rows, char (*closed)[16], size_t cap, size_t *count, bool *more)
{
    char(*numbers)[BZL_BOOK_NO_LEN + 1] = calloc(BZL_LIST_ROWS_MAX, sizeof *numbers);
    char from[BZL_BOOK_NO_LEN + 1];
    snprintf(from, sizeof from, "%s", after);
    bzl_status st = numbers != NULL ? BZL_OK : BZL_NO_MEMORY;
    bool further = true;
    *count = 0;
    *more = false;
    /* Bounded by the number of books: each pass moves `from` past a page of them. */
    while (st == BZL_OK && further && !*more) {
        size_t n = 0;
        st = bzl_storage_book_list(txn, from, numbers, BZL_LIST_ROWS_MAX, &n, &further);
        for (size_t i = 0; st == BZL_OK && i < n && !*more; i++) {
            bzl_book b;
            st = bzl_storage_book_get(txn, numbers[i], &b);
            if (st != BZL_OK || !book_listed(who, enterprise, &b)) {
                continue;
            }
            if (*count == cap) {
                *more = true;
                break;
            }
            st = book_closed_text(txn, b.book_no, closed[*count]);
            rows[(*count)++] = b;
        }
        if (n > 0) {
            memcpy(from, numbers[n - 1], sizeof from);
        }
    }
    free(numbers);
    return st;
}

void
bzld_handle_list_books(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_BOOKS);
    const Bzl__V1__ListBooks *req = slot->req->list_books;
    bzl_fault fault = {0};
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char after[BZL_BOOK_NO_LEN + 1];
    bzl_status st = bzld_wire_list_books(req, enterprise, after, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_book *rows = calloc(cap, sizeof *rows);
    char(*closed)[16] = calloc(cap, sizeof *closed);
    Bzl__V1__Book *pb = calloc(cap, sizeof *pb);
    Bzl__V1__Book **ptrs = calloc(cap, sizeof *ptrs);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && closed && pb && ptrs ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = books_page(txn, bzld_principal_of_slot(slot), enterprise, after, rows, closed, cap,
                        &count, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing books failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        bzld_book_to_pb(&rows[i], &pb[i]);
        pb[i].closed_through = closed[i];
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_code(BZLD_LIST_BOOK_RECORDS, more && count > 0,
                             count > 0 ? rows[count - 1].book_no : "", token);
    Bzl__V1__BookList list = BZL__V1__BOOK_LIST__INIT;
    list.n_books = count;
    list.books = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_BOOKS;
    resp.books = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(pb);
    free(closed);
    free(rows);
}

void
bzld_handle_list_items(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_ITEMS);
    const Bzl__V1__ListItems *req = slot->req->list_items;
    bzl_fault fault = {0};
    char book[BZL_BOOK_NO_LEN + 1];
    uint8_t kind = 0;
    uint64_t after = 0;
    bzl_status st = bzld_wire_list_items(req, book, &kind, &after, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_item *rows = calloc(cap, sizeof *rows);
    Bzl__V1__Item *pb = calloc(cap, sizeof *pb);
    Bzl__V1__Item **ptrs = calloc(cap, sizeof *ptrs);
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_item_list(txn, book, kind, (uint8_t)(after >> 32), (uint32_t)after, rows,
                                   cap, &count, &more);
        bzl_txn_abort(txn);
    }
    if (st == BZL_NOT_FOUND) {
        (void)bzl_fault_missing(&fault, "book", "book", book);
        bzld_slot_reply_status(slot, st, "%s", fault.message);
        goto done;
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing items failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        bzld_item_to_pb(&rows[i], &pb[i]);
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(
        BZLD_LIST_ITEMS, more && count > 0,
        count > 0 ? bzld_item_position(rows[count - 1].kind, rows[count - 1].item_no) : 0, token);
    Bzl__V1__ItemList list = BZL__V1__ITEM_LIST__INIT;
    list.n_items = count;
    list.items = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_ITEMS;
    resp.items = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(ptrs);
    free(pb);
    free(rows);
}
