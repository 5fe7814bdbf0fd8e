/* repair_walk.c — disposal ageing of a repair book's old parts: the work orders' part lots,
 * first in first out against what was disposed of, past or near the zone's disposal period
 * (query.h; next-wave.md §C.4). Reads storage only, never the journal. */
#include "bzl/query.h"

#include <stdlib.h>
#include <string.h>

/* One lot before ageing. */
typedef struct lot {
    uint32_t item_no;
    uint8_t origin;
    int32_t date;
    uint32_t workorder;
    int64_t qty_e5;
    int64_t remaining_e5;
} lot;

static int
lot_cmp(const void *a, const void *b)
{
    const lot *x = a;
    const lot *y = b;
    if (x->item_no != y->item_no) {
        return x->item_no < y->item_no ? -1 : 1;
    }
    if (x->origin != y->origin) {
        return x->origin < y->origin ? -1 : 1;
    }
    if (x->date != y->date) {
        return x->date < y->date ? -1 : 1;
    }
    return x->workorder < y->workorder ? -1 : x->workorder > y->workorder;
}

/* Every part lot of the book's completed work orders into lots (at most BZL_REPAIR_LOTS_MAX). */
static bzl_status
gather_lots(bzl_txn *t, const char *book_no, lot *lots, size_t *n)
{
    enum { PAGE = 64 };
    bzl_workorder *page = calloc(PAGE, sizeof *page);
    if (page == NULL) {
        return BZL_NO_MEMORY;
    }
    uint32_t after = 0;
    bool more = true;
    bzl_status st = BZL_OK;
    *n = 0;
    while (st == BZL_OK && more) { /* pages of the book's work orders */
        size_t got = 0;
        st = bzl_storage_workorder_list(t, book_no, after, page, PAGE, &got, &more);
        for (size_t i = 0; st == BZL_OK && i < got; i++) {
            const bzl_workorder *wo = &page[i];
            after = wo->no;
            for (uint32_t j = 0; st == BZL_OK && j < wo->n_parts; j++) {
                if (*n == BZL_REPAIR_LOTS_MAX) {
                    st = BZL_LIMIT_EXCEEDED;
                    break;
                }
                const bzl_wo_line *l = &wo->lines[wo->n_materials + j];
                lots[(*n)++] = (lot){.item_no = l->item_no,
                                     .origin = wo->origin,
                                     .date = wo->completed,
                                     .workorder = wo->no,
                                     .qty_e5 = l->qty_e5};
            }
        }
        more = more && got > 0;
    }
    free(page);
    return st;
}

/* What of (item, origin)'s parts was disposed of, from the repair accounts. */
static int64_t
disposed_of(const bzl_repair_row *rows, size_t n_rows, uint32_t item_no, uint8_t origin)
{
    for (size_t i = 0; i < n_rows; i++) {
        const bzl_repair_row *r = &rows[i];
        if (r->kind == BZL_KIND_MATERIAL && r->item_no == item_no && r->origin == origin) {
            const int64_t *m = r->totals.moves_e5;
            return m[BZL_RM_PARTS_REEXPORTED] + m[BZL_RM_PARTS_DESTROYED] + m[BZL_RM_PARTS_GATED];
        }
    }
    return 0;
}

/* Ages one book's lots and appends the overdue or nearly due ones to out. */
static bzl_status
age_book(bzl_txn *t, const char *book_no, int32_t as_of, uint32_t days, uint32_t warn_days,
         lot *lots, bzl_repair_row *rows, bzl_overdue_row *out, size_t cap, size_t *count,
         bool *more)
{
    size_t n = 0;
    size_t n_rows = 0;
    bool rows_more = false;
    bzl_status st = gather_lots(t, book_no, lots, &n);
    if (st == BZL_OK) {
        st = bzl_storage_repair_rows(t, book_no, rows, BZL_REPAIR_ROWS_MAX, &n_rows, &rows_more);
    }
    if (st == BZL_OK && rows_more) {
        st = BZL_LIMIT_EXCEEDED;
    }
    if (st != BZL_OK) {
        return st;
    }
    qsort(lots, n, sizeof *lots, lot_cmp);
    for (size_t g = 0; g < n;) { /* one (item, origin) group at a time */
        size_t end = g;
        while (end < n && lots[end].item_no == lots[g].item_no &&
               lots[end].origin == lots[g].origin) {
            end++;
        }
        int64_t left = disposed_of(rows, n_rows, lots[g].item_no, lots[g].origin);
        for (size_t i = g; i < end; i++) { /* FIFO, as bzl_repair_fifo */
            int64_t take = left < lots[i].qty_e5 ? left : lots[i].qty_e5;
            lots[i].remaining_e5 = lots[i].qty_e5 - take;
            left -= take;
        }
        g = end;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t due = 0;
        int state = bzl_repair_due_state(lots[i].date, days, warn_days, as_of, &due);
        if (lots[i].remaining_e5 <= 0 || state == 0) {
            continue;
        }
        if (*count == cap) {
            *more = true;
            break;
        }
        bzl_overdue_row *o = &out[(*count)++];
        memset(o, 0, sizeof *o);
        memcpy(o->book_no, book_no, BZL_BOOK_NO_LEN);
        o->item_no = lots[i].item_no;
        o->origin = lots[i].origin;
        o->workorder = lots[i].workorder;
        o->generated = lots[i].date;
        o->qty_e5 = lots[i].qty_e5;
        o->remaining_e5 = lots[i].remaining_e5;
        o->due = due;
        o->state = state;
    }
    return BZL_OK;
}

/* The book named, or every repair book, one page of book numbers at a time. */
static bzl_status
overdue_books(bzl_txn *t, const char *book_no, int32_t as_of, uint32_t days, uint32_t warn_days,
              lot *lots, bzl_repair_row *rows, bzl_overdue_row *out, size_t cap, size_t *count,
              bool *more)
{
    bzl_book book;
    if (book_no[0] != '\0') {
        bzl_status st = bzl_storage_book_get(t, book_no, &book);
        if (st == BZL_OK && book.usage != BZL_USAGE_REPAIR) {
            st = BZL_FLOW_NOT_ALLOWED;
        }
        return st == BZL_OK
                   ? age_book(t, book_no, as_of, days, warn_days, lots, rows, out, cap, count, more)
                   : st;
    }
    enum { PAGE = 64 };
    char books[PAGE][BZL_BOOK_NO_LEN + 1];
    char after[BZL_BOOK_NO_LEN + 1] = "";
    bool again = true;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && again && !*more) { /* every book, a page at a time */
        size_t got = 0;
        st = bzl_storage_book_list(t, after, books, PAGE, &got, &again);
        for (size_t i = 0; st == BZL_OK && i < got && !*more; i++) {
            memcpy(after, books[i], sizeof after);
            st = bzl_storage_book_get(t, books[i], &book);
            if (st == BZL_OK && book.usage == BZL_USAGE_REPAIR) {
                st = age_book(t, books[i], as_of, days, warn_days, lots, rows, out, cap, count,
                              more);
            }
        }
        again = again && got > 0;
    }
    return st;
}

bzl_status
bzl_query_repair_overdue(bzl_txn *t, const char *book_no, int32_t as_of, uint32_t days,
                         uint32_t warn_days, bzl_overdue_row *out, size_t cap, size_t *count,
                         bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL);
    BZL_ASSERT(cap > 0 && days > 0);
    *count = 0;
    *more = false;
    lot *lots = calloc(BZL_REPAIR_LOTS_MAX, sizeof *lots);
    bzl_repair_row *rows = calloc(BZL_REPAIR_ROWS_MAX, sizeof *rows);
    bzl_status st = lots != NULL && rows != NULL ? overdue_books(t, book_no, as_of, days, warn_days,
                                                                 lots, rows, out, cap, count, more)
                                                 : BZL_NO_MEMORY;
    free(rows);
    free(lots);
    return st;
}
