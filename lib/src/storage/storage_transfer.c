/* storage_transfer.c — deep-processing transfers (next-wave.md §D): the pair check an export
 * naming its import meets before it is accepted (D.2), delivery records kept apart from
 * declarations (D.1), and the report of deliveries against declarations aged first in first
 * out (D.2 rule 5). Rules in lib/src/core/transfer.c.
 *
 * delivery — key: book_no[12] | counterpart[12] padded | kind u8 | item u32 BE | date i32 BE
 *   (offset by 2^31, so dates sort) | seq u64 BE (33 bytes); value 9 bytes: qty_e5 i64 |
 *   is_return u8. One row per delivery record (journal entry 20), written once. A book's
 *   deliveries of a product to a counterpart (kind product: the sending side) or receipts of a
 *   material from it (kind material: the receiving side) are contiguous, oldest first.
 *
 * Journal payload (format.h): 20 delivery  book_no[12] | counterpart[12] | kind u8 | item u32 |
 *   date i32 | qty_e5 i64 | is_return u8 (42 bytes).
 */
#include "storage_internal.h"

#include "bzl/transfer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define DELIVERY_KEY_BYTES (2u * BZL_BOOK_NO_LEN + 1u + 4u + 4u + 8u)
#define DELIVERY_VALUE_BYTES 9u
static_assert(DELIVERY_ENTRY_BYTES == 42u, "delivery entry as documented");

/* ---- the pair an export names (D.2) ---------------------------------------------------------- */

/* The HS code of every line's item into hs[i] (kind of the declaration, its book); a line whose
 * item is missing gets "". */
static bzl_status
line_hs(bzl_txn *t, const bzl_declaration *d, char (*hs)[BZL_HS_LEN + 1], const char **ptr)
{
    for (uint32_t i = 0; i < d->line_count; i++) {
        bzl_item it;
        bzl_status st =
            bzl_storage_item_get(t, d->book_no, (bzl_kind)d->kind, d->lines[i].item_no, &it);
        if (st != BZL_OK && st != BZL_NOT_FOUND) {
            return st;
        }
        snprintf(hs[i], BZL_HS_LEN + 1, "%s", st == BZL_OK ? it.hs : "");
        ptr[i] = hs[i];
    }
    return BZL_OK;
}

/* has[i]: product line i has norm rows in force on the declaration's date. */
static bzl_status
line_norms(bzl_txn *t, const bzl_declaration *d, bool *has)
{
    bzl_norm *rows = NULL;
    uint32_t cap = 0;
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && i < d->line_count; i++) {
        uint32_t n = 0;
        st = bzl__norms_resolve(t, d->book_no, d->lines[i].item_no, d->lines[i].bom_version,
                                d->date, &rows, &n, &cap);
        has[i] = n > 0;
    }
    free(rows);
    return st;
}

/* The import's half; *known false when the counterpart book is not in this ledger. */
static bzl_status
import_half(bzl_txn *t, const bzl_declaration *ex, bzl_declaration *im, bzl_flow *flow,
            uint8_t *state, bool *known, bzl_submit_result *result)
{
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, ex->related_book, &book);
    *known = st == BZL_OK;
    if (st == BZL_NOT_FOUND) {
        return BZL_OK; /* another zone's book: its own customs pairs it (docs/LEDGER.md) */
    }
    bzl__decl_state ds;
    st = st == BZL_OK ? bzl__decl_state_get(t, book.enterprise, ex->related_id, &ds) : st;
    if (st == BZL_NOT_FOUND) {
        result->status = bzl_fault_set(&result->fault, BZL_TRANSFER_MISMATCH, 0, "related_id",
                                       "book %s has no import %s: the receiving side's import "
                                       "is filed first [D.1, D.2]",
                                       ex->related_book, ex->related_id);
        return BZL_OK;
    }
    st = st == BZL_OK ? bzl__decl_read_seq(t, ds.seq, im) : st;
    if (st != BZL_OK) {
        return st;
    }
    *state = ds.state;
    if (bzl_flow_lookup((bzl_kind)im->kind, (bzl_direction)im->direction, im->trade_mode,
                        im->book_no[0], book.verify_mode, im->related_book[0] != '\0', flow,
                        NULL) != BZL_OK) {
        *flow = BZL_FLOW_NONE;
    }
    return BZL_OK;
}

bzl_status
bzl__transfer_pair_decide(bzl_txn *t, const bzl_declaration *d, bzl_submit_result *result)
{
    BZL_ASSERT(t != NULL && d != NULL && result != NULL);
    BZL_ASSERT(d->related_book[0] != '\0');
    bzl_declaration im;
    memset(&im, 0, sizeof im);
    bzl_flow im_flow = BZL_FLOW_NONE;
    uint8_t im_state = 0;
    bool known = false;
    bzl_status st = import_half(t, d, &im, &im_flow, &im_state, &known, result);
    if (st != BZL_OK || !known || result->status != BZL_OK) {
        free(im.lines);
        return st;
    }
    uint32_t n = d->line_count > im.line_count ? d->line_count : im.line_count;
    char(*hs)[BZL_HS_LEN + 1] = calloc(2u * n, sizeof *hs);
    const char **ptrs = calloc(2u * n, sizeof *ptrs);
    bool *has = calloc(n, sizeof *has);
    st = hs != NULL && ptrs != NULL && has != NULL ? BZL_OK : BZL_NO_MEMORY;
    st = st == BZL_OK ? line_hs(t, d, hs, ptrs) : st;
    st = st == BZL_OK ? line_hs(t, &im, hs + n, ptrs + n) : st;
    st = st == BZL_OK ? line_norms(t, d, has) : st;
    if (st == BZL_OK) {
        bzl_transfer_half ex = {
            .d = d, .flow = BZL_FLOW_PROD_TRANSFER_OUT, .state = 0, .hs = ptrs, .has_norm = has};
        bzl_transfer_half ih = {
            .d = &im, .flow = im_flow, .state = im_state, .hs = ptrs + n, .has_norm = NULL};
        result->status = bzl_transfer_pair_check(&ex, &ih, &result->fault);
    }
    free(has);
    free(ptrs);
    free(hs);
    free(im.lines);
    return st;
}

/* ---- delivery records ------------------------------------------------------------------------ */

static void
delivery_key(uint8_t key[DELIVERY_KEY_BYTES], const bzl_delivery *dv, uint64_t seq)
{
    bzl_wr w = {.p = key, .cap = DELIVERY_KEY_BYTES};
    wr_fixed(&w, dv->book_no, BZL_BOOK_NO_LEN);
    wr_fixed(&w, dv->counterpart, BZL_BOOK_NO_LEN);
    wr_u8(&w, dv->kind);
    wr_be(&w, dv->item_no, 4);
    wr_be(&w, (uint32_t)dv->date ^ 0x80000000u, 4);
    wr_be(&w, seq, 8);
}

static bool
delivery_decode(const MDB_val *k, const MDB_val *v, bzl_delivery *out)
{
    if (k->mv_size != DELIVERY_KEY_BYTES || v->mv_size != DELIVERY_VALUE_BYTES) {
        return false;
    }
    memset(out, 0, sizeof *out);
    bzl_rd r = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&r, out->book_no, sizeof out->book_no, BZL_BOOK_NO_LEN, false);
    rd_text(&r, out->counterpart, sizeof out->counterpart, BZL_BOOK_NO_LEN, true);
    out->kind = rd_u8(&r);
    out->item_no = (uint32_t)rd_be(&r, 4);
    out->date = (int32_t)((uint32_t)rd_be(&r, 4) ^ 0x80000000u);
    out->seq = rd_be(&r, 8);
    bzl_rd vr = {.p = v->mv_data, .len = v->mv_size};
    out->qty_e5 = rd_i64(&vr);
    uint8_t ret = rd_u8(&vr);
    out->is_return = ret == 1;
    return rd_done(&r) && rd_done(&vr) && ret <= 1 && out->qty_e5 > 0 &&
           (out->kind == BZL_KIND_MATERIAL || out->kind == BZL_KIND_PRODUCT);
}

/* Deliveries minus returns of (book, counterpart, kind, item) dated on or before `on`. */
static bzl_status
delivered_net(bzl_txn *t, const bzl_delivery *dv, int32_t on, int64_t *net)
{
    uint8_t key[DELIVERY_KEY_BYTES];
    bzl_delivery probe = *dv;
    probe.date = INT32_MIN;
    delivery_key(key, &probe, 0);
    const size_t prefix = 2u * BZL_BOOK_NO_LEN + 1u + 4u;
    bzl__walk w;
    bzl__walk_begin(t, DB_DELIVERY, key, sizeof key, prefix, &w);
    bzl_status st = BZL_OK;
    *net = 0;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* the item's records, oldest first */
        bzl_delivery x;
        if (!delivery_decode(&w.k, &w.v, &x)) {
            st = BZL_CORRUPT;
        } else if (x.date <= on) {
            *net += x.is_return ? -x.qty_e5 : x.qty_e5;
        }
    }
    return bzl__walk_end(&w, st);
}

/* The refusals of a delivery record; reads only. */
static bzl_status
delivery_decide(bzl_txn *t, const bzl_delivery *dv, bzl_action_result *out)
{
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, dv->book_no, &book);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_missing(&out->fault, "book", "book", dv->book_no);
        return BZL_OK;
    }
    bzl_item it;
    st = st == BZL_OK ? bzl_storage_item_get(t, dv->book_no, (bzl_kind)dv->kind, dv->item_no, &it)
                      : st;
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_set(&out->fault, BZL_NOT_FOUND, 0, "item",
                                    "item %u is not in book %s as a %s", (unsigned)dv->item_no,
                                    dv->book_no, bzl_kind_name((bzl_kind)dv->kind));
        return BZL_OK;
    }
    int32_t through = INT32_MIN;
    st = st == BZL_OK ? bzl__period_closed_through(t, dv->book_no, &through) : st;
    if (st == BZL_OK && dv->date <= through) {
        out->status = bzl_fault_set(&out->fault, BZL_PERIOD_CLOSED, 0, "date",
                                    "the date falls in a closed period of book %s", dv->book_no);
        return BZL_OK;
    }
    int64_t net = 0;
    st = st == BZL_OK && dv->is_return ? delivered_net(t, dv, dv->date, &net) : st;
    if (st == BZL_OK && dv->is_return && net < dv->qty_e5) {
        out->status = bzl_fault_set(&out->fault, BZL_INSUFFICIENT_BALANCE, 0, "qty",
                                    "a return of more of item %u than was delivered to or from "
                                    "%s by its date",
                                    (unsigned)dv->item_no, dv->counterpart);
        out->fault.item_no = dv->item_no;
        out->fault.available_e5 = net > 0 ? net : 0;
    }
    return st;
}

bzl_status
bzl_storage_delivery_record(bzl_txn *batch, const bzl_delivery *dv, const bzl_actor *actor,
                            bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(dv != NULL && dv->qty_e5 > 0 && actor != NULL && out != NULL);
    BZL_ASSERT(dv->kind == BZL_KIND_MATERIAL || dv->kind == BZL_KIND_PRODUCT);
    memset(out, 0, sizeof *out);
    bzl_status st = delivery_decide(batch, dv, out);
    if (st != BZL_OK || out->status != BZL_OK) {
        return st;
    }
    uint8_t *p = NULL;
    st = bzl__journal_reserve(batch, JOURNAL_DELIVERY, actor, DELIVERY_ENTRY_BYTES, &p, &out->seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = p, .cap = DELIVERY_ENTRY_BYTES};
    wr_fixed(&w, dv->book_no, BZL_BOOK_NO_LEN);
    wr_fixed(&w, dv->counterpart, BZL_BOOK_NO_LEN);
    wr_u8(&w, dv->kind);
    wr_u32(&w, dv->item_no);
    wr_i32(&w, dv->date);
    wr_i64(&w, dv->qty_e5);
    wr_u8(&w, dv->is_return ? 1 : 0);
    BZL_ASSERT(w.len == w.cap);
    st = bzl__journal_seal(batch, out->seq);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[DELIVERY_KEY_BYTES];
    uint8_t val[DELIVERY_VALUE_BYTES];
    delivery_key(key, dv, out->seq);
    bzl_wr vw = {.p = val, .cap = sizeof val};
    wr_i64(&vw, dv->qty_e5);
    wr_u8(&vw, dv->is_return ? 1 : 0);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(val, sizeof val);
    return bzl__mdb_status(mdb_put(batch->txn, batch->s->dbi[DB_DELIVERY], &k, &v, 0));
}

/* ---- the report: deliveries against declarations (D.2 rule 5) -------------------------------- */

#define GROUP_KEY_BYTES (2u * BZL_BOOK_NO_LEN + 1u + 4u)

/* A delivery lot or a declared quantity, under its group's key. */
typedef struct contrib {
    uint8_t key[GROUP_KEY_BYTES];
    bzl_delivery_lot lot; /* declared: date 0, qty, is_return false */
} contrib;

static void
group_key(uint8_t key[GROUP_KEY_BYTES], const char *book, const char *counterpart, uint8_t kind,
          uint32_t item)
{
    bzl_wr w = {.p = key, .cap = GROUP_KEY_BYTES};
    wr_fixed(&w, book, BZL_BOOK_NO_LEN);
    wr_fixed(&w, counterpart, BZL_BOOK_NO_LEN);
    wr_u8(&w, kind);
    wr_be(&w, item, 4);
}

static int
contrib_cmp(const void *a, const void *b)
{
    const contrib *x = a;
    const contrib *y = b;
    int c = memcmp(x->key, y->key, GROUP_KEY_BYTES);
    if (c != 0) {
        return c;
    }
    return x->lot.date < y->lot.date ? -1 : x->lot.date > y->lot.date;
}

/* Appends to *arr (grown, bounded by BZL_TRANSFER_ENTRIES_MAX). */
static bzl_status
push(contrib **arr, size_t *n, size_t *cap, const contrib *c)
{
    if (*n == BZL_TRANSFER_ENTRIES_MAX) {
        return BZL_LIMIT_EXCEEDED;
    }
    if (*n == *cap) {
        size_t grown_cap = *cap == 0 ? 256 : 2 * *cap;
        contrib *grown = realloc(*arr, grown_cap * sizeof *grown);
        if (grown == NULL) {
            return BZL_NO_MEMORY;
        }
        *arr = grown;
        *cap = grown_cap;
    }
    (*arr)[(*n)++] = *c;
    return BZL_OK;
}

/* Every delivery record dated on or before as_of. */
static bzl_status
gather_deliveries(bzl_txn *t, const char *counterpart, int32_t as_of, contrib **lots, size_t *n,
                  size_t *cap)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_DELIVERY, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* bounded by BZL_TRANSFER_ENTRIES_MAX */
        bzl_delivery dv;
        if (!delivery_decode(&w.k, &w.v, &dv)) {
            st = BZL_CORRUPT;
            break;
        }
        if (dv.date > as_of || (counterpart[0] != '\0' && strcmp(counterpart, dv.counterpart))) {
            continue;
        }
        contrib c = {.lot = {.date = dv.date, .qty_e5 = dv.qty_e5, .is_return = dv.is_return}};
        group_key(c.key, dv.book_no, dv.counterpart, dv.kind, dv.item_no);
        st = push(lots, n, cap, &c);
    }
    return bzl__walk_end(&w, st);
}

/* Every posted deep-processing transfer declaration naming a counterpart, dated on or before
 * as_of: its lines' quantities under (book, counterpart, kind, item). Reads the declarations
 * from the journal, as transfers unmatched does. */
static bzl_status
gather_declared(bzl_txn *t, const char *counterpart, int32_t as_of, contrib **decl, size_t *n,
                size_t *cap)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_TRANSFER, NULL, 0, 0, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* every indexed transfer once */
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        char ent[BZL_ENTERPRISE_CODE_LEN + 1];
        char rel[BZL_BOOK_NO_LEN + 1];
        rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, false);
        uint8_t flow = rd_u8(&r);
        rd_text(&r, rel, sizeof rel, BZL_BOOK_NO_LEN, true);
        size_t id_len = w.k.mv_size - BZL_BOOK_NO_LEN;
        if (r.bad || w.k.mv_size <= BZL_BOOK_NO_LEN || id_len > BZL_DECL_ID_BYTES_MAX) {
            st = BZL_CORRUPT;
            break;
        }
        if ((flow != BZL_FLOW_MAT_TRANSFER_IN && flow != BZL_FLOW_PROD_TRANSFER_OUT) ||
            (counterpart[0] != '\0' && strcmp(counterpart, rel) != 0)) {
            continue;
        }
        char id[BZL_DECL_ID_BYTES_MAX + 1];
        memcpy(id, (const uint8_t *)w.k.mv_data + BZL_BOOK_NO_LEN, id_len);
        id[id_len] = '\0';
        bzl__decl_state ds;
        st = bzl__decl_state_get(t, ent, id, &ds);
        if (st != BZL_OK) {
            st = st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
            break;
        }
        if (ds.state != BZL_DECL_POSTED) {
            continue;
        }
        bzl_declaration d;
        memset(&d, 0, sizeof d);
        st = bzl__decl_read_seq(t, ds.seq, &d);
        bool read = st == BZL_OK; /* then d.lines is ours to free */
        for (uint32_t i = 0; st == BZL_OK && d.date <= as_of && i < d.line_count; i++) {
            contrib c = {.lot = {.qty_e5 = d.lines[i].qty_e5}};
            group_key(c.key, d.book_no, d.related_book, d.kind, d.lines[i].item_no);
            st = push(decl, n, cap, &c);
        }
        if (read) {
            free(d.lines);
        }
    }
    return bzl__walk_end(&w, st);
}

/* One report row from a group's lots and declared quantity. */
static void
report_row(const uint8_t key[GROUP_KEY_BYTES], bzl_delivery_lot *lots, size_t n, int64_t declared,
           int32_t as_of, uint32_t limit_days, bzl_transfer_report_row *row)
{
    memset(row, 0, sizeof *row);
    bzl_rd r = {.p = key, .len = GROUP_KEY_BYTES};
    rd_text(&r, row->book_no, sizeof row->book_no, BZL_BOOK_NO_LEN, true);
    rd_text(&r, row->counterpart, sizeof row->counterpart, BZL_BOOK_NO_LEN, true);
    row->kind = rd_u8(&r);
    row->item_no = (uint32_t)rd_be(&r, 4);
    bzl_transfer_age_lots(lots, n, declared, as_of, limit_days, &row->age);
}

/* Merges the sorted lots and declarations group by group into out. */
static bzl_status
merge_groups(contrib *lots, size_t n_lots, const contrib *decl, size_t n_decl, int32_t as_of,
             uint32_t limit_days, bzl_transfer_report_row *out, size_t cap, size_t *count,
             bool *more)
{
    bzl_delivery_lot *buf = malloc((n_lots == 0 ? 1 : n_lots) * sizeof *buf);
    if (buf == NULL) {
        return BZL_NO_MEMORY;
    }
    size_t i = 0;
    size_t j = 0;
    size_t n = 0;
    while ((i < n_lots || j < n_decl) && !*more) { /* each group once */
        const uint8_t *key =
            i < n_lots && (j == n_decl || memcmp(lots[i].key, decl[j].key, GROUP_KEY_BYTES) <= 0)
                ? lots[i].key
                : decl[j].key;
        uint8_t k[GROUP_KEY_BYTES];
        memcpy(k, key, sizeof k);
        size_t m = 0;
        while (i < n_lots && memcmp(lots[i].key, k, sizeof k) == 0) {
            buf[m++] = lots[i++].lot;
        }
        int64_t declared = 0;
        while (j < n_decl && memcmp(decl[j].key, k, sizeof k) == 0) {
            declared += decl[j++].lot.qty_e5;
        }
        if (n == cap) {
            *more = true;
            break;
        }
        report_row(k, buf, m, declared, as_of, limit_days, &out[n++]);
    }
    free(buf);
    *count = n;
    return BZL_OK;
}

bzl_status
bzl_storage_transfer_report(bzl_txn *t, const char *counterpart, int32_t as_of, uint32_t limit_days,
                            bzl_transfer_report_row *out, size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(t != NULL && counterpart != NULL && out != NULL && cap > 0);
    contrib *lots = NULL;
    contrib *decl = NULL;
    size_t n_lots = 0;
    size_t n_decl = 0;
    size_t cap_lots = 0;
    size_t cap_decl = 0;
    *count = 0;
    *more = false;
    bzl_status st = gather_deliveries(t, counterpart, as_of, &lots, &n_lots, &cap_lots);
    st = st == BZL_OK ? gather_declared(t, counterpart, as_of, &decl, &n_decl, &cap_decl) : st;
    if (st == BZL_OK) {
        /* Deliveries are in key order already (date within item); declarations by key. */
        if (n_decl > 1) {
            qsort(decl, n_decl, sizeof *decl, contrib_cmp);
        }
        st = merge_groups(lots, n_lots, decl, n_decl, as_of, limit_days, out, cap, count, more);
    }
    free(lots);
    free(decl);
    return st;
}
