/* handler_query.c — balance queries and daemon statistics (reads on the loop thread). */
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "requests.h"
#include "wire.h"
#include "writer.h"

/* Decimal texts of one balance row, alive until the reply is packed. */
typedef struct balance_text {
    char qty[BZL_DEC_TEXT_BYTES];
    char value[BZL_DEC_TEXT_BYTES];
    char pending_in[BZL_DEC_TEXT_BYTES];
    char pending_out[BZL_DEC_TEXT_BYTES];
    char available[BZL_DEC_TEXT_BYTES];
} balance_text;

/* The values per currency of a page of balance rows: row i's are vals[first[i]] onwards,
 * first[i + 1] - first[i] of them (first has count + 1 entries). */
typedef struct balance_values {
    bzl_currency_value *vals;
    size_t *first;
    size_t n;
    size_t cap;
} balance_values;

static void
balance_values_free(balance_values *bv)
{
    free(bv->vals);
    free(bv->first);
}

/* Room for at least `room` more values. */
static bzl_status
balance_values_grow(balance_values *bv, size_t room)
{
    if (bv->cap - bv->n >= room) {
        return BZL_OK;
    }
    size_t cap = bv->cap * 2 > bv->n + room ? bv->cap * 2 : bv->n + room;
    bzl_currency_value *grown = realloc(bv->vals, cap * sizeof *grown);
    if (grown == NULL) {
        return BZL_NO_MEMORY;
    }
    bv->vals = grown;
    bv->cap = cap;
    return BZL_OK;
}

/* Reads the values per currency of every row, in the transaction the rows came from. */
static bzl_status
balance_values_read(bzl_txn *txn, const char *book_no, const bzl_balance_row *rows, size_t count,
                    balance_values *bv)
{
    bv->first = calloc(count + 1, sizeof *bv->first);
    bzl_status st = bv->first != NULL ? BZL_OK : BZL_NO_MEMORY;
    for (size_t i = 0; st == BZL_OK && i < count; i++) {
        bv->first[i] = bv->n;
        /* Most items hold one currency; one that holds more than there is room for is read
         * again with twice the room. */
        bool more = true;
        for (size_t room = 4; st == BZL_OK && more; room *= 2) {
            size_t got = 0;
            st = balance_values_grow(bv, room);
            st = st == BZL_OK ? bzl_storage_balance_values(txn, book_no, (bzl_kind)rows[i].kind,
                                                           rows[i].item_no, bv->vals + bv->n, room,
                                                           &got, &more)
                              : st;
            bv->n += st == BZL_OK && !more ? got : 0;
        }
    }
    if (st == BZL_OK) {
        bv->first[count] = bv->n;
    }
    return st;
}

/* The reply's CurrencyValue messages for bv, with their decimal texts. */
typedef struct values_pb {
    Bzl__V1__CurrencyValue *msgs;
    Bzl__V1__CurrencyValue **ptrs;
    char (*text)[BZL_DEC_TEXT_BYTES];
} values_pb;

static void
balance_to_pb(const char *book_no, const bzl_balance_row *row, balance_text *text,
              Bzl__V1__Balance *out)
{
    bzl__v1__balance__init(out);
    out->book = (char *)book_no;
    out->kind = (Bzl__V1__Kind)row->kind;
    out->item = row->item_no;
    bzl_dec_format(row->balance.qty_e5, BZL_SCALE_QTY, text->qty, sizeof text->qty);
    bzl_dec_format(row->balance.value_e5, BZL_SCALE_QTY, text->value, sizeof text->value);
    bzl_dec_format(row->balance.pending_in_e5, BZL_SCALE_QTY, text->pending_in,
                   sizeof text->pending_in);
    bzl_dec_format(row->balance.pending_out_e5, BZL_SCALE_QTY, text->pending_out,
                   sizeof text->pending_out);
    bzl_dec_format(bzl_balance_available(&row->balance), BZL_SCALE_QTY, text->available,
                   sizeof text->available);
    out->qty = text->qty;
    out->value = text->value;
    out->pending_in = text->pending_in;
    out->pending_out = text->pending_out;
    out->available = text->available;
}

/* One item (kind given) or the same item number under both kinds (kind 0). */
static bzl_status
balances_of_item(bzl_txn *txn, const char *book_no, uint8_t kind, uint32_t item_no,
                 bzl_balance_row *rows, size_t *count)
{
    *count = 0;
    for (uint8_t k = BZL_KIND_MATERIAL; k <= BZL_KIND_PRODUCT; k++) {
        if (kind != 0 && kind != k) {
            continue;
        }
        bzl_balance_row *row = &rows[*count];
        bzl_status st = bzl_storage_balance_get(txn, book_no, (bzl_kind)k, item_no, &row->balance);
        if (st == BZL_NOT_FOUND) {
            continue;
        }
        if (st != BZL_OK) {
            return st;
        }
        row->kind = k;
        row->item_no = item_no;
        (*count)++;
    }
    if (*count == 0) {
        /* Say which: the book, or the item in it. */
        bzl_book book;
        bzl_status st = bzl_storage_book_get(txn, book_no, &book);
        return st == BZL_OK ? BZL_NOT_FOUND : st;
    }
    return BZL_OK;
}

static void
reply_balances(bzld_slot *slot, const char *book_no, const bzl_balance_row *rows, size_t count,
               const balance_values *bv, bool more)
{
    Bzl__V1__Balance *pb = calloc(count + 1, sizeof *pb);
    Bzl__V1__Balance **ptrs = calloc(count + 1, sizeof *ptrs);
    balance_text *text = calloc(count + 1, sizeof *text);
    values_pb vp = {.msgs = calloc(bv->n + 1, sizeof *vp.msgs),
                    .ptrs = calloc(bv->n + 1, sizeof *vp.ptrs),
                    .text = calloc(bv->n + 1, sizeof *vp.text)};
    if (pb == NULL || ptrs == NULL || text == NULL || vp.msgs == NULL || vp.ptrs == NULL ||
        vp.text == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the balance reply");
        goto done;
    }
    for (size_t j = 0; j < bv->n; j++) {
        bzl__v1__currency_value__init(&vp.msgs[j]);
        bzl_dec_format(bv->vals[j].value_e5, BZL_SCALE_QTY, vp.text[j], sizeof vp.text[j]);
        vp.msgs[j].currency = bv->vals[j].currency;
        vp.msgs[j].value = vp.text[j];
        vp.ptrs[j] = &vp.msgs[j];
    }
    for (size_t i = 0; i < count; i++) {
        balance_to_pb(book_no, &rows[i], &text[i], &pb[i]);
        pb[i].n_values = bv->first[i + 1] - bv->first[i];
        pb[i].values = vp.ptrs + bv->first[i];
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(
        BZLD_LIST_BALANCES, more && count > 0,
        count > 0 ? bzld_item_position(rows[count - 1].kind, rows[count - 1].item_no) : 0, token);
    Bzl__V1__BalanceList list = BZL__V1__BALANCE_LIST__INIT;
    list.n_balances = count;
    list.balances = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_BALANCES;
    resp.balances = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(vp.text);
    free(vp.ptrs);
    free(vp.msgs);
    free(text);
    free(ptrs);
    free(pb);
}

void
bzld_handle_balances(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, BALANCES);
    const Bzl__V1__QueryBalances *req = slot->req->balances;
    bzl_fault fault = {0};
    uint64_t after = 0;
    bzl_status st = bzld_wire_balances(req, &after, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    /* A point read (one item: its material and product rows) is the hot path under load: it
     * must not allocate and clear a whole page of rows (160 KiB at the default limit). */
    bzl_balance_row point[2];
    bzl_balance_row *rows = req->item != 0 ? point : malloc(cap * sizeof *rows);
    size_t count = 0;
    bool more = false;
    balance_values bv = {0};
    bzl_txn *txn = NULL;
    st = rows != NULL ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        if (req->item != 0) {
            st = balances_of_item(txn, req->book, (uint8_t)req->kind, req->item, rows, &count);
        } else {
            st =
                bzl_storage_balance_list(txn, req->book, (uint8_t)req->kind, (uint8_t)(after >> 32),
                                         (uint32_t)after, rows, cap, &count, &more);
        }
        st = st == BZL_OK ? balance_values_read(txn, req->book, rows, count, &bv) : st;
        bzl_txn_abort(txn);
    }
    if (st == BZL_NOT_FOUND && req->item != 0 && count == 0) {
        bzld_slot_reply_status(slot, st, "item %u is not in book %s", req->item, req->book);
    } else if (st == BZL_NOT_FOUND) {
        (void)bzl_fault_missing(&fault, "book", "book", req->book);
        bzld_slot_reply_status(slot, st, "%s", fault.message);
    } else if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading balances failed: %s", bzl_status_text(st));
    } else {
        reply_balances(slot, req->book, rows, count, &bv, more);
    }
    balance_values_free(&bv);
    if (rows != point) {
        free(rows);
    }
}

/* The (kind, status) pairs seen so far, into rows/ptrs of cap entries; returns the count. */
static size_t
request_counts(const bzld *d, Bzl__V1__RequestCount *rows, Bzl__V1__RequestCount **ptrs, size_t cap)
{
    size_t n = 0;
    for (uint32_t k = 0; k < BZLD_STATS_KINDS; k++) {
        for (uint32_t s = 0; s < BZLD_STATS_STATUSES && n < cap; s++) {
            if (d->stats.by_kind[k][s] == 0) {
                continue;
            }
            bzl__v1__request_count__init(&rows[n]);
            rows[n].kind = k;
            rows[n].status = (Bzl__V1__Status)s;
            rows[n].count = d->stats.by_kind[k][s];
            rows[n].name = k == 0 ? "undecodable"
                                  : (char *)bzld_request_of((Bzl__V1__Request__BodyCase)k)->name;
            ptrs[n] = &rows[n];
            n++;
        }
    }
    return n;
}

/* Pairs reported at most: every kind with a handful of statuses each. */
#define STATS_REQUEST_COUNTS_MAX 512u

void
bzld_handle_stats(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, STATS);
    bzld *d = bzld_of_slot(slot);
    bzld_writer_stats ws;
    memset(&ws, 0, sizeof ws);
    if (d->writer != NULL) { /* NULL once a shutdown has stopped it */
        bzld_writer_stats_get(d->writer, &ws);
    }
    bzl_storage_stats ss = {0};
    bzl_txn *txn = NULL;
    if (bzld_read_begin(d, &txn) == BZL_OK) {
        if (bzl_storage_stats_get(txn, &ss) != BZL_OK) {
            memset(&ss, 0, sizeof ss);
        }
        bzl_txn_abort(txn);
    }
    Bzl__V1__Stats stats = BZL__V1__STATS__INIT;
    stats.requests = d->stats.requests;
    stats.commits = ws.commits;
    stats.declarations = ws.declarations;
    stats.connections = d->conn_count - d->refusing;
    stats.journal_entries = ss.journal_entries;
    stats.map_bytes = ss.map_bytes;
    stats.map_used_bytes = ss.map_used_bytes;
    stats.queue_depth = ws.queue_depth;
    stats.busy_refusals = d->stats.busy_refusals;
    stats.n_decls_per_commit_hist = BZL_ARRAY_LEN(ws.decls_per_commit_hist);
    stats.decls_per_commit_hist = ws.decls_per_commit_hist;
    stats.commit_us_total = ws.commit_us_total;
    stats.n_commit_us_hist = BZL_ARRAY_LEN(ws.commit_us_hist);
    stats.commit_us_hist = ws.commit_us_hist;
    stats.commit_us_max = ws.commit_us_max;
    stats.queue_depth_max = ws.queue_depth_max;
    stats.connections_accepted = d->stats.connections_accepted;
    stats.connections_refused = d->stats.connections_refused;
    stats.uptime_ms = uv_now(d->loop) - d->stats.start_ms;
    stats.reply_writes = d->stats.reply_writes;
    stats.replies = d->stats.replies;
    Bzl__V1__RequestCount *rows = calloc(STATS_REQUEST_COUNTS_MAX, sizeof *rows);
    Bzl__V1__RequestCount **ptrs = calloc(STATS_REQUEST_COUNTS_MAX, sizeof *ptrs);
    if (rows != NULL && ptrs != NULL) {
        stats.n_requests_by_kind = request_counts(d, rows, ptrs, STATS_REQUEST_COUNTS_MAX);
        stats.requests_by_kind = ptrs;
    }
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_STATS;
    resp.stats = &stats;
    bzld_slot_reply(slot, &resp);
    free(ptrs);
    free(rows);
}
