/* check_losses.c — proves that verification's loss columns are each consuming line's own
 * norm's losses, summed (issue 11, defect 1), that a pending declaration meets the scrap
 * allowance its posting would (defect 2), that consumption and losses are exact up to the
 * largest quantity an int64 holds (defect 4), and that a book balance below zero is flagged
 * as an exception of its own. Every expected figure is worked by hand in the comment above it.
 *
 * Storage tests on the shared fixture (tests/lib/storage_fixture.h): a fresh store per forked
 * test, enterprise ENT with book BOOK (an H book verified by unit consumption) holding
 * materials 1, 2 and product 1; the tests add product 2 where they need it.
 */
#include "bzl/norms.h"
#include "bzl/query.h"
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define E9(whole) ((int64_t)(whole)*1000000000)

/* ---- helpers ------------------------------------------------------------------------------ */

static int32_t
day(unsigned m, unsigned d)
{
    return bzl_date_from_civil(2026, m, d);
}

/* A norm row of BOOK: net, rates in percent (9 places), bonded share 1. */
static bzl_norm
make_norm(uint32_t product, uint32_t material, const char *version, int32_t from, int64_t net_e9,
          int64_t tangible_e9, int64_t intangible_e9)
{
    bzl_norm n;
    memset(&n, 0, sizeof n);
    strcpy(n.book_no, BOOK);
    n.product = product;
    n.material = material;
    snprintf(n.version, sizeof n.version, "%s", version);
    n.valid_from = from;
    n.net_e9 = net_e9;
    n.tangible_e9 = tangible_e9;
    n.intangible_e9 = intangible_e9;
    n.share_e9 = E9(1);
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    return n;
}

static void
set_norm(bzl_norm n)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, &n, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
}

static void
add_product(uint32_t item_no)
{
    bzl_item it;
    make_item(&it, BOOK, BZL_KIND_PRODUCT, item_no);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

/* Submits a one-line declaration; returns its status (the fault's message in *why). */
static bzl_status
declare(const char *id, bzl_kind kind, bzl_direction dir, const char *mode, int32_t date,
        uint32_t item, int64_t qty_e5, const char *version, bool pending)
{
    bzl_declaration d;
    bzl_decl_line l;
    memset(&d, 0, sizeof d);
    memset(&l, 0, sizeof l);
    snprintf(d.id, sizeof d.id, "%s", id);
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, BOOK);
    d.kind = (uint8_t)kind;
    d.direction = (uint8_t)dir;
    strcpy(d.trade_mode, mode);
    d.date = date;
    d.pending = pending;
    d.line_count = 1;
    d.lines = &l;
    l.item_no = item;
    l.qty_e5 = qty_e5;
    l.value_e5 = E5(10);
    strcpy(l.unit, "035");
    strcpy(l.currency, "502");
    snprintf(l.bom_version, sizeof l.bom_version, "%s", version);
    ck_assert_int_eq(bzl_decl_check_fields(&d, BZL_DECL_LINES_DEFAULT, NULL), BZL_OK);
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r.status;
}

static void
declare_ok(const char *id, bzl_kind kind, bzl_direction dir, const char *mode, int32_t date,
           uint32_t item, int64_t qty_e5, const char *version)
{
    ck_assert_msg(declare(id, kind, dir, mode, date, item, qty_e5, version, false) == BZL_OK,
                  "declaration %s refused", id);
}

static void
reverse(const char *id)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_reverse(t, ENT, id, "keyed twice", &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
}

/* BOOK's verification over `period` into lines[0..2) (materials 1 and 2). */
static void
reconcile(const char *period, bzl_recon_line lines[2], bzl_recon_summary *sum)
{
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse(period, strlen(period), &p, &f), BZL_OK);
    bzl_txn *t = read_txn();
    size_t n = 0;
    ck_assert_int_eq(bzl_recon_book(t, BOOK, &p, 5000, lines, 2, &n, sum), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 2);
}

static bzl_scrap
allowance_of(uint32_t material)
{
    bzl_scrap_row rows[4];
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_scrap_list(t, BOOK, material, 0, rows, 4, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 1);
    return rows[0].scrap;
}

/* ---- defect 1: each line's own norm ---------------------------------------------------------- */

/* March 2026 on BOOK. Norms (share 1):
 *   P1 v1 from 1990: M1 net 0.85, 10 % tangible, 5 % intangible → 单耗 0.85 / 0.85 = 1
 *   P2 v1 from 1990: M1 net 1.6, 15 %, 5 % → 1.6 / 0.8 = 2; M2 net 1.9, 5 %, 0 → 1.9 / 0.95 = 2
 *   P1 v2 from 03-16: M1 net 0.7, 20 %, 10 % → 0.7 / 0.7 = 1 (a version change in the period)
 *   P1 v3 from 03-28: M1 net 0.5, 30 %, 20 % → 1, set last and never used
 * Declarations (consumption, tangible, intangible of M1 = qty × 单耗 × rate):
 *   03-10 export P1 100 (v1):            100,  10,   5
 *   03-12 export P2 50 (v1):             100,  15,   5;  M2: 100, 5, 0
 *   03-20 export P1 200 (v2):            200,  40,  20
 *   03-21 export P1 50 (v2), reversed:    50,  10,   5, then −50, −10, −5
 *   03-22 return in P1 30 under v1:      −30,  −3, −1.5
 *   03-26 pending export P2 10:          not posted, so in no total
 * M1: consumption 370, tangible 62, intangible 28.5; book 10000 − 370 = 9630.
 * M2: consumption 100, tangible 5, intangible 0; book 4900.
 * The old code took one norm's rates for all of M1 (v3's, latest in force at the period's
 * end): 370 × 30 % = 111 and 370 × 20 % = 74. */
START_TEST(loss_columns_sum_each_lines_own_norm)
{
    add_product(2);
    set_norm(make_norm(1, 1, "v1", bzl_date_from_civil(1990, 1, 1), 850000000, E9(10), E9(5)));
    set_norm(make_norm(2, 1, "v1", bzl_date_from_civil(1990, 1, 1), 1600000000, E9(15), E9(5)));
    set_norm(make_norm(2, 2, "v1", bzl_date_from_civil(1990, 1, 1), 1900000000, E9(5), 0));
    set_norm(make_norm(1, 1, "v2", day(3, 16), 700000000, E9(20), E9(10)));
    declare_ok("IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", day(3, 1), 1, E5(10000), "");
    declare_ok("IMP-2", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", day(3, 1), 2, E5(5000), "");
    declare_ok("EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 10), 1, E5(100), "");
    declare_ok("EXP-2", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 12), 2, E5(50), "");
    declare_ok("EXP-3", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 20), 1, E5(200), "");
    declare_ok("EXP-4", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 21), 1, E5(50), "");
    reverse("EXP-4");
    declare_ok("RET-1", BZL_KIND_PRODUCT, BZL_DIR_IN, "4600", day(3, 22), 1, E5(30), "v1");
    ck_assert_int_eq(
        declare("PEND-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 26), 2, E5(10), "", true),
        BZL_OK);
    set_norm(make_norm(1, 1, "v3", day(3, 28), 500000000, E9(30), E9(20)));

    bzl_recon_line l[2];
    bzl_recon_summary sum;
    reconcile("2026-03", l, &sum);
    ck_assert_uint_eq(l[0].item_no, 1);
    ck_assert_int_eq(l[0].consumption_e5, E5(370));
    ck_assert_int_eq(l[0].tangible_e5, E5(62));
    ck_assert_int_eq(l[0].intangible_e5, 2850000);
    ck_assert_int_eq(l[0].book_e5, E5(9630));
    ck_assert_uint_eq(l[1].item_no, 2);
    ck_assert_int_eq(l[1].consumption_e5, E5(100));
    ck_assert_int_eq(l[1].tangible_e5, E5(5));
    ck_assert_int_eq(l[1].intangible_e5, 0);
    ck_assert_int_eq(l[1].book_e5, E5(4900));
    /* The tangible loss is the allowance the period's consumption generated. */
    ck_assert_int_eq(allowance_of(1).generated_e5, l[0].tangible_e5);
    ck_assert_int_eq(allowance_of(2).generated_e5, l[1].tangible_e5);
    /* Posting the pending export adds its own norm's losses: P2 10 → M1 20, 3, 1; M2 20, 1. */
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, "PEND-1", &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    reconcile("2026-03", l, &sum);
    ck_assert_int_eq(l[0].consumption_e5, E5(390));
    ck_assert_int_eq(l[0].tangible_e5, E5(65));
    ck_assert_int_eq(l[0].intangible_e5, 2950000);
    ck_assert_int_eq(l[1].tangible_e5, E5(6));
    /* A period without consumption shows none. */
    reconcile("2026-04", l, &sum);
    ck_assert_int_eq(l[0].tangible_e5, 0);
    ck_assert_int_eq(l[0].intangible_e5, 0);
}
END_TEST

/* ---- defect 2: a pending declaration meets its posting's allowance ------------------------- */

/* With no consumption yet, material 1 has no scrap allowance: a scrap re-export (0865) of
 * 0.00001 is refused whether it is posted at once or pending, and the pending one reserves
 * nothing (pending out stays 0). */
START_TEST(pending_scrap_disposal_is_refused_without_allowance)
{
    declare_ok("IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", day(3, 1), 1, E5(100), "");
    ck_assert_int_eq(
        declare("SCR-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0865", day(3, 2), 1, 1, "", false),
        BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(
        declare("SCR-2", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0865", day(3, 2), 1, 1, "", true),
        BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_out_e5, 0);
}
END_TEST

/* A product returned in gives back its consumption and the allowance that consumption
 * generated (P1 10 × 单耗 1 × 10 % = 1): with none generated it is refused pending as posted,
 * so no pre-deduction is accepted that its posting would refuse; once an export generated 10,
 * the pending return is accepted and posts. */
START_TEST(pending_product_return_is_refused_without_allowance)
{
    set_norm(make_norm(1, 1, "v1", bzl_date_from_civil(1990, 1, 1), 900000000, E9(10), 0));
    declare_ok("IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", day(3, 1), 1, E5(1000), "");
    ck_assert_int_eq(
        declare("RET-1", BZL_KIND_PRODUCT, BZL_DIR_IN, "4600", day(3, 2), 1, E5(10), "", true),
        BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(
        declare("RET-2", BZL_KIND_PRODUCT, BZL_DIR_IN, "4600", day(3, 2), 1, E5(10), "", false),
        BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_in_e5, 0);
    declare_ok("EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", day(3, 3), 1, E5(100), "");
    ck_assert_int_eq(
        declare("RET-3", BZL_KIND_PRODUCT, BZL_DIR_IN, "4600", day(3, 4), 1, E5(10), "", true),
        BZL_OK);
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, "RET-3", &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(allowance_of(1).generated_e5, E5(9)); /* 10 − 1 */
}
END_TEST

/* ---- defect 4: exact up to int64 ------------------------------------------------------------ */

/* 2·10^10 of product at 单耗 1 with 10 % tangible and 5 % intangible loss (net 0.85): the
 * exact product qty × u is 2·10^24 at scale 14, past the old 2^80 bound (≈ 1.2·10^24).
 * Consumption 2·10^10, tangible 2·10^9, intangible 10^9. */
START_TEST(consumption_past_two_to_the_eightieth_is_exact)
{
    bzl_norm n = make_norm(1, 1, "v1", 0, 850000000, E9(10), E9(5));
    int64_t c = 0;
    int64_t t = 0;
    int64_t i = 0;
    ck_assert_int_eq(bzl_norm_consume(&n, E5(20000000000), &c, &t), BZL_OK);
    ck_assert_int_eq(c, E5(20000000000));
    ck_assert_int_eq(t, E5(2000000000));
    ck_assert_int_eq(bzl_norm_loss(&n, E5(20000000000), n.intangible_e9, &i), BZL_OK);
    ck_assert_int_eq(i, E5(1000000000));
    /* The reported ceiling: 12089258197 at 单耗 1 (net 1, no loss) was refused. */
    bzl_norm one = make_norm(1, 1, "v1", 0, E9(1), 0, 0);
    ck_assert_int_eq(bzl_norm_consume(&one, E5(12089258197), &c, &t), BZL_OK);
    ck_assert_int_eq(c, E5(12089258197));
    ck_assert_int_eq(t, 0);
}
END_TEST

/* The largest quantity (INT64_MAX at 5 places, 92233720368547.75807) at 单耗 1 with 10 %
 * tangible loss (net 0.9): consumption is the quantity itself, and the loss
 * 9223372036854775807 / 10 = 922337203685477580.7 → 922337203685477581 (half-up). At 单耗
 * 1.000000001 the consumption 9223372046078147843.85… is past INT64_MAX: OVERFLOW, the only
 * way the arithmetic may refuse. */
START_TEST(largest_quantity_times_a_norm_overflows_only_when_the_result_does)
{
    bzl_norm n = make_norm(1, 1, "v1", 0, 900000000, E9(10), 0);
    int64_t c = 0;
    int64_t t = 0;
    ck_assert_int_eq(bzl_norm_consume(&n, INT64_MAX, &c, &t), BZL_OK);
    ck_assert_int_eq(c, INT64_MAX);
    ck_assert_int_eq(t, 922337203685477581);
    bzl_norm over = make_norm(1, 1, "v1", 0, 1000000001, 0, 0);
    ck_assert_int_eq(bzl_norm_consume(&over, INT64_MAX, &c, &t), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_norm_consume(&over, INT64_MAX / 2, &c, &t), BZL_OK);
}
END_TEST

/* A stocktake's WIP line converts through the same arithmetic: 156284758.5654 at 单耗
 * 667.333333333 (net, no loss) is 104294028882.591510… → 104294028882.59151. */
START_TEST(wip_conversion_at_a_large_norm_is_exact)
{
    bzl_norm n = make_norm(1, 1, "v1", 0, 667333333333, 0, 0);
    int64_t c = 0;
    int64_t t = 0;
    ck_assert_int_eq(bzl_norm_consume(&n, 15628475856540, &c, &t), BZL_OK);
    ck_assert_int_eq(c, 10429402888259151);
}
END_TEST

/* ---- a book balance below zero ------------------------------------------------------------ */

/* Material 1 re-exported (0664) 80 on 03-10 against 100 imported on 04-05, submitted after the
 * import: availability is judged on the posted balance, so it is accepted, and March's book
 * is 0 − 80 = −80 — flagged negative_book even though a stocktake counted 0 (a shortage of
 * the impossible kind); April opens at −80 and ends at 20, not flagged. */
START_TEST(book_balance_below_zero_is_flagged_negative_book)
{
    declare_ok("IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", day(4, 5), 1, E5(100), "");
    declare_ok("REX-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", day(3, 10), 1, E5(80), "");
    bzl_stocktake_line count = {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = 0};
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_stocktake_put(t, BOOK, day(3, 31), &count, 1, false, &actor, &r),
                     BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    bzl_recon_line l[2];
    bzl_recon_summary sum;
    reconcile("2026-03", l, &sum);
    ck_assert_int_eq(l[0].book_e5, -E5(80));
    ck_assert_uint_eq(l[0].flag, BZL_RECON_NEGATIVE_BOOK);
    ck_assert_str_eq(bzl_recon_flag_name(l[0].flag), "negative_book");
    ck_assert_uint_eq(sum.negative, 1);
    ck_assert_uint_ne(l[1].flag, BZL_RECON_NEGATIVE_BOOK);
    reconcile("2026-04", l, &sum);
    ck_assert_int_eq(l[0].opening_e5, -E5(80));
    ck_assert_int_eq(l[0].book_e5, E5(20));
    ck_assert_uint_eq(l[0].flag, BZL_RECON_UNCOUNTED);
    ck_assert_uint_eq(sum.negative, 0);
}
END_TEST

static Suite *
losses_suite(void)
{
    Suite *s = suite_create("losses");
    TCase *tc = tcase_create("losses");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_add_checked_fixture(tc, seed, NULL);
    tcase_add_test(tc, loss_columns_sum_each_lines_own_norm);
    tcase_add_test(tc, pending_scrap_disposal_is_refused_without_allowance);
    tcase_add_test(tc, pending_product_return_is_refused_without_allowance);
    tcase_add_test(tc, book_balance_below_zero_is_flagged_negative_book);
    suite_add_tcase(s, tc);
    TCase *pure = tcase_create("arithmetic");
    tcase_add_test(pure, consumption_past_two_to_the_eightieth_is_exact);
    tcase_add_test(pure, largest_quantity_times_a_norm_overflows_only_when_the_result_does);
    tcase_add_test(pure, wip_conversion_at_a_large_norm_is_exact);
    suite_add_tcase(s, pure);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(losses_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
