/* check_recon_storage.c — proves that verification reads period totals, never the journal:
 * 1,000 books × 20 materials loaded in batched write transactions (about 25,000 journal
 * entries), then bzl_recon_book over every book in one read transaction leaves the
 * transaction's journal-read counter at 0 while every book balance equals the hand
 * computation; the same counter does move when bzl_storage_verify_balances walks the journal,
 * so a zero is not an idle counter. Also proves carry-forward: a closing stored for January
 * becomes February's opening even when it differs from the sum of the totals. */
#include "bzl/query.h"
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOKS 1000u
#define MATERIALS 20u
#define BOOKS_PER_TXN 50u

/* Not the fixture's actor: the zone is loaded as this one. */
static const bzl_actor loader = {.uid = 1, .gid = 1, .pid = 1, .role = 1, .time_ms = 1};
static char dir[PATH_MAX];

/* One directory and a store with a 512 MiB map (1 GiB at most) per test, not the fixture's
 * root and db directories. */
static void
setup(void)
{
    fixture_mkdtemp(dir, sizeof dir, NULL, "check_recon_storage");
    bzl_storage_options opts = {.dir = dir, .map_bytes = 512u << 20, .map_bytes_max = 1u << 30};
    char why[256] = "";
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_OK);
}

static void
teardown(void)
{
    bzl_storage_close(store);
    fixture_remove_tree(dir);
}

static void
book_no(unsigned i, char out[BZL_BOOK_NO_LEN + 1])
{
    snprintf(out, BZL_BOOK_NO_LEN + 1, "E7201%07u", i);
}

/* Book i: 20 materials; import of 1000 + m of material m on 2026-01-10, domestic sale of m on
 * 2026-01-20: book balance of material m = 1000 + m − m = 1000. */
static void
load_book(bzl_txn *t, unsigned i, bzl_decl_line *lines)
{
    bzl_book b = {.verify_mode = BZL_VERIFY_UNIT, .status = BZL_BOOK_OPEN, .period_days = 365};
    book_no(i, b.book_no);
    strcpy(b.enterprise, ENT);
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &loader, &f), BZL_OK);
    for (uint32_t m = 1; m <= MATERIALS; m++) {
        bzl_item it = {.kind = BZL_KIND_MATERIAL, .item_no = m};
        strcpy(it.book_no, b.book_no);
        strcpy(it.hs, "1206009000");
        strcpy(it.unit, "035");
        strcpy(it.name, "seed");
        ck_assert_int_eq(bzl_storage_item_add(t, &it, &loader, &f), BZL_OK);
    }
    for (int dir_out = 0; dir_out < 2; dir_out++) {
        bzl_declaration d = {.kind = BZL_KIND_MATERIAL,
                             .direction = dir_out ? BZL_DIR_OUT : BZL_DIR_IN,
                             .date = bzl_date_from_civil(2026, 1, dir_out ? 20 : 10),
                             .line_count = MATERIALS,
                             .lines = lines};
        snprintf(d.id, sizeof d.id, "%s-%u", dir_out ? "S" : "I", i);
        strcpy(d.enterprise, ENT);
        strcpy(d.book_no, b.book_no);
        strcpy(d.trade_mode, dir_out ? "0644" : "0615");
        for (uint32_t m = 0; m < MATERIALS; m++) {
            memset(&lines[m], 0, sizeof lines[m]);
            lines[m].item_no = m + 1;
            lines[m].qty_e5 = dir_out ? E5(m + 1) : E5(1000 + m + 1);
            lines[m].value_e5 = lines[m].qty_e5;
            strcpy(lines[m].unit, "035");
            strcpy(lines[m].currency, "502");
        }
        bzl_submit_result r;
        ck_assert_int_eq(bzl_storage_submit(t, &d, &loader, &r), BZL_OK);
        ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    }
}

static void
load_zone(void)
{
    bzl_decl_line lines[MATERIALS];
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
    bzl_enterprise e = {.code = "330261A004", .uscc = "91310000717866186P", .name = "Zone Co."};
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &loader, &f), BZL_OK);
    for (unsigned i = 1; i <= BOOKS; i++) {
        load_book(t, i, lines);
        if (i % BOOKS_PER_TXN == 0) {
            ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
            t = NULL;
            if (i < BOOKS) {
                ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
            }
        }
    }
}

START_TEST(reconcile_of_1000_books_by_20_materials_reads_no_journal_record)
{
    load_zone();
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, false, &t), BZL_OK);
    bzl_storage_stats stats;
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    ck_assert_uint_ge(stats.journal_entries, BOOKS * (MATERIALS + 3));
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse("2026-01", 7, &p, &f), BZL_OK);
    bzl_recon_line lines[MATERIALS];
    for (unsigned i = 1; i <= BOOKS; i++) {
        char bk[BZL_BOOK_NO_LEN + 1];
        book_no(i, bk);
        size_t n = 0;
        bzl_recon_summary sum;
        ck_assert_int_eq(bzl_recon_book(t, bk, &p, 5000, lines, MATERIALS, &n, &sum), BZL_OK);
        ck_assert_uint_eq(n, MATERIALS);
        for (size_t m = 0; m < n; m++) {
            ck_assert_int_eq(lines[m].book_e5, E5(1000));
            ck_assert_int_eq(lines[m].totals_e5[BZL_FLOW_MAT_DOMESTIC_SALE], E5(m + 1));
        }
    }
    ck_assert_uint_eq(bzl_txn_journal_reads(t), 0);
    /* The counter is live: walking the journal moves it. */
    bzl_verify_report vr;
    ck_assert_int_eq(bzl_storage_verify_balances(t, &vr), BZL_OK);
    ck_assert_uint_ge(bzl_txn_journal_reads(t), stats.journal_entries);
    bzl_txn_abort(t);
}
END_TEST

/* January: import 1000 + m, sale m → closing 1000 per material. Storing a closing of 990 for
 * material 1 (as a period close would have carried) makes February open at 990, not at the
 * 1000 the totals sum to: the opening is the carried figure. */
START_TEST(february_opens_with_the_carried_closing)
{
    bzl_decl_line lines[MATERIALS];
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
    bzl_enterprise e = {.code = "330261A004", .uscc = "91310000717866186P", .name = "Zone Co."};
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &loader, &f), BZL_OK);
    load_book(t, 1, lines);
    char bk[BZL_BOOK_NO_LEN + 1];
    book_no(1, bk);
    ck_assert_int_eq(bzl_recon_carry_forward(t, bk, bzl_date_from_civil(2026, 1, 31)), BZL_OK);
    int64_t open = 0;
    ck_assert_int_eq(bzl_recon_opening(t, bk, 2, 202602, &open), BZL_OK);
    ck_assert_int_eq(open, E5(1000));
    ck_assert_int_eq(bzl_storage_closing_put(t, bk, 1, 202601, E5(990)), BZL_OK);
    ck_assert_int_eq(bzl_recon_opening(t, bk, 1, 202602, &open), BZL_OK);
    ck_assert_int_eq(open, E5(990));
    ck_assert_int_eq(bzl_recon_opening(t, bk, 1, 202601, &open), BZL_OK);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}
END_TEST

/* ---- stocktakes --------------------------------------------------------------------------- */

/* Stores BOOK's stocktake of date in its own batch: material 1 counted m1, material 2 m2.
 * Returns the call's status; the refusal, if any, lands in *r. */
static bzl_status
stocktake_of(int32_t date, int64_t m1, int64_t m2, bzl_action_result *r)
{
    bzl_stocktake_line lines[2] = {
        {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = m1},
        {.kind = BZL_STOCK_MATERIAL, .item_no = 2, .qty_e5 = m2},
    };
    bzl_txn *t = write_txn();
    bzl_status st = bzl_storage_stocktake_put(t, BOOK, date, lines, 2, false, &actor, r);
    if (st == BZL_OK && r->status == BZL_OK) {
        st = bzl_txn_commit(t);
    } else {
        bzl_txn_abort(t);
    }
    return st;
}

/* Asserts BOOK's latest stocktake on or before date is dated `want_date` and counts m1 of
 * material 1 and m2 of material 2. */
static void
assert_counts(int32_t date, int32_t want_date, int64_t m1, int64_t m2)
{
    bzl_count_row rows[4];
    size_t n = 0;
    int32_t found = 0;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stocktake_get(t, BOOK, INT32_MIN + 1, date, &found, rows, 4, &n),
                     BZL_OK);
    bzl_txn_abort(t);
    ck_assert_int_eq(found, want_date);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[0].item_no, 1);
    ck_assert_int_eq(rows[0].counted_e5, m1);
    ck_assert_uint_eq(rows[1].item_no, 2);
    ck_assert_int_eq(rows[1].counted_e5, m2);
}

static uint64_t
journal_length(void)
{
    bzl_storage_stats stats;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    return stats.journal_entries;
}

/* A new stocktake of the same book and date replaces the old one even when the old one is the
 * only stocktake in the ledger (its rows are the whole stocktake table, so clearing them
 * empties the table): changed counts replace the old counts, and the same content again is
 * accepted too; each accepted submission is one journal entry. */
START_TEST(stocktake_replaces_the_only_stocktake_in_the_ledger)
{
    seed();
    int32_t day = bzl_date_from_civil(2026, 6, 30);
    bzl_action_result r;
    ck_assert_int_eq(stocktake_of(day, E5(10), E5(5), &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    assert_counts(day, day, E5(10), E5(5));
    uint64_t entries = journal_length();
    ck_assert_int_eq(stocktake_of(day, E5(7), E5(3), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    assert_counts(day, day, E5(7), E5(3));
    ck_assert_uint_eq(journal_length(), entries + 1);
    ck_assert_int_eq(stocktake_of(day, E5(7), E5(3), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    assert_counts(day, day, E5(7), E5(3));
    ck_assert_uint_eq(journal_length(), entries + 2);
}
END_TEST

/* A stocktake dated on or before the date BOOK is closed through is refused with
 * BZL_PERIOD_CLOSED, naming the book, the date and the closed-through date, and writes
 * nothing: the earlier stocktake's rows and the journal length are unchanged. One dated the
 * day after the closed-through date is accepted. */
START_TEST(stocktake_dated_inside_a_closed_period_is_refused)
{
    seed();
    int32_t through = bzl_date_from_civil(2026, 3, 31);
    int32_t earlier = bzl_date_from_civil(2026, 3, 20);
    bzl_action_result r;
    ck_assert_int_eq(stocktake_of(earlier, E5(10), E5(5), &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, through, &actor, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    uint64_t entries = journal_length();
    const int32_t refused[] = {bzl_date_from_civil(2026, 1, 5), through, earlier};
    for (size_t i = 0; i < BZL_ARRAY_LEN(refused); i++) {
        char date[16];
        bzl_date_format(refused[i], date, sizeof date);
        ck_assert_int_eq(stocktake_of(refused[i], E5(99), E5(99), &r), BZL_OK);
        ck_assert_msg(r.status == BZL_PERIOD_CLOSED, "%s: status %d", date, (int)r.status);
        ck_assert_str_eq(r.fault.field, "date");
        ck_assert_ptr_nonnull(strstr(r.fault.message, BOOK));
        ck_assert_ptr_nonnull(strstr(r.fault.message, date));
        ck_assert_ptr_nonnull(strstr(r.fault.message, "2026-03-31"));
        ck_assert_uint_eq(journal_length(), entries);
        assert_counts(through, earlier, E5(10), E5(5));
    }
    ck_assert_int_eq(stocktake_of(through + 1, E5(8), E5(4), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_uint_eq(journal_length(), entries + 1);
    assert_counts(through + 1, through + 1, E5(8), E5(4));
    assert_counts(through, earlier, E5(10), E5(5));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("recon_storage");
    TCase *tc = tcase_create("zone");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, reconcile_of_1000_books_by_20_materials_reads_no_journal_record);
    tcase_add_test(tc, february_opens_with_the_carried_closing);
    suite_add_tcase(s, tc);
    TCase *stock = tcase_create("stocktake");
    tcase_add_checked_fixture(stock, setup, teardown);
    tcase_add_test(stock, stocktake_replaces_the_only_stocktake_in_the_ledger);
    tcase_add_test(stock, stocktake_dated_inside_a_closed_period_is_refused);
    suite_add_tcase(s, stock);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
