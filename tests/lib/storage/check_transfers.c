/* check_transfers.c — bzl_storage_transfers_unmatched comparing the two halves' lines: matched
 * in order (the n-th line of one half against the n-th of the other), quantities compared as
 * declared, a different line count a difference too. Halves that differ elsewhere (missing,
 * another declaration named, voided or reversed) are check_ledger_storage.c's. The fixture is
 * storage_fixture.h, shared with the other storage tests.
 *
 * Each test runs in a forked child with a fresh environment in its own mkdtemp directory under
 * one root per test case; the root is created and removed in the parent.
 */
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------- */

#define LINES_MAX 3u

/* One half of an in-zone transfer on BOOK (out or in, mode 5015) naming `related` in BOOK (a
 * plain declaration when related is NULL), with n lines, the i-th of material i + 1
 * carrying qty_e5[i]. The same book on both sides keeps the fixture small. */
static void
make_half(bzl_declaration *d, bzl_decl_line lines[LINES_MAX], const char *id, bzl_direction dir,
          const char *related, const int64_t *qty_e5, uint32_t n)
{
    ck_assert_uint_le(n, LINES_MAX);
    memset(d, 0, sizeof *d);
    memset(lines, 0, LINES_MAX * sizeof *lines);
    snprintf(d->id, sizeof d->id, "%s", id);
    strcpy(d->enterprise, ENT);
    strcpy(d->book_no, BOOK);
    d->kind = BZL_KIND_MATERIAL;
    d->direction = (uint8_t)dir;
    strcpy(d->trade_mode, "5015");
    d->date = DAYS_2026_03_15;
    if (related != NULL) {
        strcpy(d->related_book, BOOK);
        snprintf(d->related_id, sizeof d->related_id, "%s", related);
    }
    d->line_count = n;
    d->lines = lines;
    for (uint32_t i = 0; i < n; i++) {
        lines[i].item_no = 1 + i;
        lines[i].qty_e5 = qty_e5[i];
        lines[i].value_e5 = E5(10);
        strcpy(lines[i].unit, "035");
        strcpy(lines[i].currency, "502");
    }
    ck_assert_int_eq(bzl_decl_check_fields(d, BZL_DECL_LINES_DEFAULT, NULL), BZL_OK);
}

static void
submit_ok(const bzl_declaration *d)
{
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s: %s", d->id, r.fault.message);
}

/* The book seeded with materials 1 to 3 and 10000 of each, then the out half ZT-OUT
 * with out_qty[0..n_out) and the in half ZT-IN with in_qty[0..n_in), naming each other. */
static void
submit_pair(const int64_t *out_qty, uint32_t n_out, const int64_t *in_qty, uint32_t n_in)
{
    bzl_declaration d;
    bzl_decl_line lines[LINES_MAX];
    bzl_item item;
    const int64_t stock[] = {E5(10000), E5(10000), E5(10000)};
    seed();
    make_item(&item, BOOK, BZL_KIND_MATERIAL, 3);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_item_add(t, &item, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    make_half(&d, lines, "IMP-1", BZL_DIR_IN, NULL, stock, 3);
    submit_ok(&d);
    make_half(&d, lines, "ZT-OUT", BZL_DIR_OUT, "ZT-IN", out_qty, n_out);
    submit_ok(&d);
    make_half(&d, lines, "ZT-IN", BZL_DIR_IN, "ZT-OUT", in_qty, n_in);
    submit_ok(&d);
}

static size_t
unmatched(bzl_transfer_row *rows, size_t cap)
{
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_transfers_unmatched(t, "", 0, rows, cap, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!more);
    return n;
}

/* The row of declaration id among rows[0..n); fails the test when there is none. */
static const bzl_transfer_row *
row_of(const bzl_transfer_row *rows, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].id, id) == 0) {
            return &rows[i];
        }
    }
    ck_abort_msg("no row for %s among %zu", id, n);
    return NULL;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Two halves naming each other with the same quantities line by line are matched: nothing is
 * listed, the quantity comparison adding no false difference. */
START_TEST(transfer_halves_with_equal_lines_are_not_listed)
{
    const int64_t qty[] = {E5(5), 750000, E5(9)};
    bzl_transfer_row rows[4];
    submit_pair(qty, 3, qty, 3);
    ck_assert_uint_eq(unmatched(rows, 4), 0);
}
END_TEST

/* Halves whose 2nd and 3rd lines carry other quantities are both listed, each naming the first
 * differing line, 2, with its own quantity and the counterpart's, in the numbers and in why. */
START_TEST(transfer_half_whose_second_line_quantity_differs_is_listed_with_both_quantities)
{
    const int64_t out_qty[] = {E5(5), E5(7), E5(9)};
    const int64_t in_qty[] = {E5(5), 650000, E5(8)};
    bzl_transfer_row rows[4];
    submit_pair(out_qty, 3, in_qty, 3);
    size_t n = unmatched(rows, 4);
    ck_assert_uint_eq(n, 2);
    const bzl_transfer_row *out = row_of(rows, n, "ZT-OUT");
    ck_assert_uint_eq(out->line, 2);
    ck_assert_int_eq(out->qty_e5, E5(7));
    ck_assert_int_eq(out->counterpart_qty_e5, 650000);
    ck_assert_uint_eq(out->line_count, 3);
    ck_assert_uint_eq(out->counterpart_line_count, 3);
    ck_assert_str_eq(out->why, "line 2 quantity: 7 here, 6.5 in the counterpart");
    ck_assert_str_eq(out->related_id, "ZT-IN");
    const bzl_transfer_row *in = row_of(rows, n, "ZT-IN");
    ck_assert_uint_eq(in->line, 2);
    ck_assert_int_eq(in->qty_e5, 650000);
    ck_assert_int_eq(in->counterpart_qty_e5, E5(7));
    ck_assert_str_eq(in->why, "line 2 quantity: 6.5 here, 7 in the counterpart");
}
END_TEST

/* Halves with 2 and 1 lines are both listed saying both line counts, even though the line they
 * share carries the same quantity; no line is named. */
START_TEST(transfer_halves_with_different_line_counts_are_listed_with_both_counts)
{
    const int64_t out_qty[] = {E5(5), E5(7)};
    const int64_t in_qty[] = {E5(5)};
    bzl_transfer_row rows[4];
    submit_pair(out_qty, 2, in_qty, 1);
    size_t n = unmatched(rows, 4);
    ck_assert_uint_eq(n, 2);
    const bzl_transfer_row *out = row_of(rows, n, "ZT-OUT");
    ck_assert_uint_eq(out->line_count, 2);
    ck_assert_uint_eq(out->counterpart_line_count, 1);
    ck_assert_uint_eq(out->line, 0);
    ck_assert_str_eq(out->why, "line count: 2 here, 1 in the counterpart");
    const bzl_transfer_row *in = row_of(rows, n, "ZT-IN");
    ck_assert_uint_eq(in->line_count, 1);
    ck_assert_uint_eq(in->counterpart_line_count, 2);
    ck_assert_str_eq(in->why, "line count: 1 here, 2 in the counterpart");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("transfers");
    TCase *tc = tcase_create("transfers");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, transfer_halves_with_equal_lines_are_not_listed);
    tcase_add_test(tc,
                   transfer_half_whose_second_line_quantity_differs_is_listed_with_both_quantities);
    tcase_add_test(tc, transfer_halves_with_different_line_counts_are_listed_with_both_counts);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
