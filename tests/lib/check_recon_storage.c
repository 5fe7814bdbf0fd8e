/* check_recon_storage.c — proves that verification reads period totals, never the journal:
 * 1,000 books × 20 materials loaded in batched write transactions (about 25,000 journal
 * entries), then bzl_recon_book over every book in one read transaction leaves the
 * transaction's journal-read counter at 0 while every book balance equals the hand
 * computation; the same counter does move when bzl_storage_verify_balances walks the journal,
 * so a zero is not an idle counter. Also proves carry-forward: a closing stored for January
 * becomes February's opening even when it differs from the sum of the totals. */
#include "bzl/recon.h"
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
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
