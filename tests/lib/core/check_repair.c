/* check_repair.c — the pure rules of a bonded repair book (repair.h; next-wave.md §C): which
 * flows a repair book and a general book take, what a line does to the accounts of its origin
 * (returns repaired first, wrong origin refused), work-order lines (no more parts than were
 * replaced), the C.3 equations, and FIFO disposal ageing against the disposal period. Every
 * expected figure is worked out by hand in the comment beside it. */
#include "bzl/repair.h"

#include "bzl/calendar.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 100000 /* 1.00000 */

static bzl_repair_totals
totals(int64_t received, int64_t repaired, int64_t unrepairable, int64_t ret_rep, int64_t ret_unrep)
{
    bzl_repair_totals t;
    memset(&t, 0, sizeof t);
    t.moves_e5[BZL_RM_RECEIVED] = received * UNIT;
    t.moves_e5[BZL_RM_REPAIRED] = repaired * UNIT;
    t.moves_e5[BZL_RM_UNREPAIRABLE] = unrepairable * UNIT;
    t.moves_e5[BZL_RM_RETURNED_REPAIRED] = ret_rep * UNIT;
    t.moves_e5[BZL_RM_RETURNED_UNREPAIRABLE] = ret_unrep * UNIT;
    return t;
}

START_TEST(accounts_follow_the_c3_equations)
{
    /* received 5, repaired 2, unrepairable 1, returned 1 repaired and 1 unrepairable:
     * awaiting 5 - 2 - 1 = 2; repaired 2 - 1 = 1; unrepairable 1 - 1 = 0. */
    bzl_repair_totals t = totals(5, 2, 1, 1, 1);
    ck_assert_int_eq(bzl_repair_awaiting(&t), 2 * UNIT);
    ck_assert_int_eq(bzl_repair_repaired(&t), 1 * UNIT);
    ck_assert_int_eq(bzl_repair_unrepairable(&t), 0);
    /* materials 10 in, 2.5 consumed, 1 out: 6.5; parts 3 generated, 1 re-exported, 0.5
     * destroyed, 1 gated: 0.5. */
    t.moves_e5[BZL_RM_MAT_RECEIVED] = 10 * UNIT;
    t.moves_e5[BZL_RM_MAT_CONSUMED] = 250000;
    t.moves_e5[BZL_RM_MAT_OUT] = 1 * UNIT;
    t.moves_e5[BZL_RM_PARTS_GENERATED] = 3 * UNIT;
    t.moves_e5[BZL_RM_PARTS_REEXPORTED] = 1 * UNIT;
    t.moves_e5[BZL_RM_PARTS_DESTROYED] = 50000;
    t.moves_e5[BZL_RM_PARTS_GATED] = 1 * UNIT;
    ck_assert_int_eq(bzl_repair_materials(&t), 650000);
    ck_assert_int_eq(bzl_repair_parts(&t), 50000);
}
END_TEST

START_TEST(repair_flows_only_on_repair_books_and_with_an_origin)
{
    bzl_fault f;
    /* A general book: 1371 and the gate registration are refused, origin too. */
    ck_assert_int_eq(
        bzl_repair_flow_check(BZL_USAGE_GENERAL, BZL_FLOW_REPAIR_RECEIVE, "1371", 0, &f),
        BZL_FLOW_NOT_ALLOWED);
    ck_assert_ptr_nonnull(strstr(f.message, "repair books"));
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_GENERAL, BZL_FLOW_MAT_IMPORT, "1371", 0, &f),
                     BZL_FLOW_NOT_ALLOWED);
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_GENERAL, BZL_FLOW_MAT_IMPORT, "5015",
                                           BZL_ORIGIN_ABROAD, &f),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "origin");
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_GENERAL, BZL_FLOW_MAT_IMPORT, "5015", 0, &f),
                     BZL_OK);
    /* A repair book: origin required; its own flows allowed. */
    ck_assert_int_eq(
        bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_REPAIR_RECEIVE, "1371", 0, &f),
        BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_REPAIR_RECEIVE, "1371",
                                           BZL_ORIGIN_OUTSIDE, &f),
                     BZL_OK);
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_SCRAP_DESTROY, "0400",
                                           BZL_ORIGIN_OUTSIDE, &f),
                     BZL_OK);
}
END_TEST

START_TEST(domestic_sales_and_foreign_flows_are_refused_on_a_repair_book)
{
    bzl_fault f;
    /* Never sold domestically [G2023-105]: parts (scrap sale), materials, products. */
    const bzl_flow sales[] = {BZL_FLOW_SCRAP_SALE, BZL_FLOW_MAT_DOMESTIC_SALE,
                              BZL_FLOW_PROD_DOMESTIC_SALE};
    for (size_t i = 0; i < sizeof sales / sizeof sales[0]; i++) {
        ck_assert_int_eq(
            bzl_repair_flow_check(BZL_USAGE_REPAIR, sales[i], "0844", BZL_ORIGIN_ABROAD, &f),
            BZL_FLOW_NOT_ALLOWED);
        ck_assert_ptr_nonnull(strstr(f.message, "never sold domestically"));
    }
    /* Processing flows are not a repair book's. */
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_PROD_EXPORT, "5015",
                                           BZL_ORIGIN_ABROAD, &f),
                     BZL_FLOW_NOT_ALLOWED);
    /* Parts from outside goods are not re-exported; parts from abroad are not gated. */
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_SCRAP_REEXPORT, "0864",
                                           BZL_ORIGIN_OUTSIDE, &f),
                     BZL_WRONG_ORIGIN);
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_REPAIR_GATE, "0050",
                                           BZL_ORIGIN_ABROAD, &f),
                     BZL_WRONG_ORIGIN);
    ck_assert_int_eq(bzl_repair_flow_check(BZL_USAGE_REPAIR, BZL_FLOW_REPAIR_GATE, "0050",
                                           BZL_ORIGIN_OUTSIDE, &f),
                     BZL_OK);
}
END_TEST

START_TEST(a_return_takes_repaired_units_first_then_unrepairable)
{
    /* Repaired on hand 1, unrepairable on hand 2: a return of 2 takes 1 + 1. */
    bzl_repair_totals mine = totals(3, 1, 2, 0, 0);
    bzl_repair_totals other = totals(0, 0, 0, 0, 0);
    bzl_repair_step s;
    bzl_fault f;
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_REPAIR_RETURN, BZL_ORIGIN_ABROAD, 2 * UNIT, &mine,
                                     &other, 1, 7, &s, &f),
                     BZL_OK);
    ck_assert_int_eq(s.move, BZL_RM_RETURNED_REPAIRED);
    ck_assert_int_eq(s.first_e5, 1 * UNIT);
    ck_assert_int_eq(s.second, BZL_RM_RETURNED_UNREPAIRABLE);
    ck_assert_int_eq(s.second_e5, 1 * UNIT);
    /* A return of 1 takes the repaired one only. */
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_REPAIR_RETURN, BZL_ORIGIN_ABROAD, 1 * UNIT, &mine,
                                     &other, 1, 7, &s, &f),
                     BZL_OK);
    ck_assert_int_eq(s.first_e5, 1 * UNIT);
    ck_assert_int_eq(s.second, 0);
}
END_TEST

START_TEST(a_return_to_the_wrong_origin_is_refused)
{
    /* This origin holds 1 completed unit, the other 3: a return of 2 here is the wrong
     * origin (the other could send it), a return of 4 here is short everywhere. */
    bzl_repair_totals mine = totals(1, 1, 0, 0, 0);
    bzl_repair_totals other = totals(3, 2, 1, 0, 0);
    bzl_repair_step s;
    bzl_fault f;
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_REPAIR_RETURN, BZL_ORIGIN_OUTSIDE, 2 * UNIT, &mine,
                                     &other, 3, 7, &s, &f),
                     BZL_WRONG_ORIGIN);
    ck_assert_uint_eq(f.line, 3);
    ck_assert_uint_eq(f.item_no, 7);
    ck_assert_int_eq(f.available_e5, 1 * UNIT);
    ck_assert_ptr_nonnull(strstr(f.message, "came from abroad"));
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_REPAIR_RETURN, BZL_ORIGIN_OUTSIDE, 4 * UNIT, &mine,
                                     &other, 3, 7, &s, &f),
                     BZL_INSUFFICIENT_BALANCE);
    /* Units still awaiting repair are not returnable: received 2, none completed. */
    bzl_repair_totals waiting = totals(2, 0, 0, 0, 0);
    bzl_repair_totals none = totals(0, 0, 0, 0, 0);
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_REPAIR_RETURN, BZL_ORIGIN_ABROAD, 1 * UNIT, &waiting,
                                     &none, 1, 7, &s, &f),
                     BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(f.available_e5, 0);
}
END_TEST

START_TEST(parts_disposals_draw_their_origins_parts)
{
    bzl_repair_totals mine;
    bzl_repair_totals other;
    memset(&mine, 0, sizeof mine);
    memset(&other, 0, sizeof other);
    mine.moves_e5[BZL_RM_PARTS_GENERATED] = 2 * UNIT;
    other.moves_e5[BZL_RM_PARTS_GENERATED] = 5 * UNIT;
    bzl_repair_step s;
    bzl_fault f;
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_SCRAP_DESTROY, BZL_ORIGIN_ABROAD, 2 * UNIT, &mine,
                                     &other, 1, 4, &s, &f),
                     BZL_OK);
    ck_assert_int_eq(s.move, BZL_RM_PARTS_DESTROYED);
    ck_assert_int_eq(s.first_e5, 2 * UNIT);
    /* 3 would need the other origin's parts. */
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_SCRAP_DESTROY, BZL_ORIGIN_ABROAD, 3 * UNIT, &mine,
                                     &other, 1, 4, &s, &f),
                     BZL_WRONG_ORIGIN);
    /* Materials are one pool (no origin to be wrong about): 1 in, 2 out is short. */
    bzl_repair_totals mats;
    memset(&mats, 0, sizeof mats);
    mats.moves_e5[BZL_RM_MAT_RECEIVED] = 1 * UNIT;
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_MAT_REEXPORT, BZL_ORIGIN_ABROAD, 2 * UNIT, &mats,
                                     &other, 1, 4, &s, &f),
                     BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(bzl_repair_line(BZL_FLOW_MAT_IMPORT, BZL_ORIGIN_ABROAD, 2 * UNIT, &mats,
                                     &other, 1, 4, &s, &f),
                     BZL_OK);
    ck_assert_int_eq(s.move, BZL_RM_MAT_RECEIVED);
}
END_TEST

START_TEST(work_order_parts_are_at_most_the_replaced_materials)
{
    bzl_fault f;
    bzl_wo_line mats[] = {{1, 2 * UNIT}, {2, 50000}};
    bzl_wo_line ok_parts[] = {{1, 2 * UNIT}, {2, 50000}};
    ck_assert_int_eq(bzl_wo_lines_check(mats, 2, ok_parts, 2, 64, &f), BZL_OK);
    /* 2.00001 of item 1 is more than the 2 used. */
    bzl_wo_line over[] = {{1, 200001}};
    ck_assert_int_eq(bzl_wo_lines_check(mats, 2, over, 1, 64, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "parts");
    ck_assert_uint_eq(f.item_no, 1);
    ck_assert_int_eq(f.available_e5, 2 * UNIT);
    /* A part of an item not used at all. */
    bzl_wo_line stray[] = {{3, 1 * UNIT}};
    ck_assert_int_eq(bzl_wo_lines_check(mats, 2, stray, 1, 64, &f), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(f.available_e5, 0);
    /* Duplicates, zero quantities, item 0, too many lines. */
    bzl_wo_line dup[] = {{1, UNIT}, {1, UNIT}};
    ck_assert_int_eq(bzl_wo_lines_check(dup, 2, NULL, 0, 64, &f), BZL_DUPLICATE_LINE);
    ck_assert_uint_eq(f.line, 2);
    bzl_wo_line zero[] = {{1, 0}};
    ck_assert_int_eq(bzl_wo_lines_check(zero, 1, NULL, 0, 64, &f), BZL_INVALID_ARGUMENT);
    bzl_wo_line nought[] = {{0, UNIT}};
    ck_assert_int_eq(bzl_wo_lines_check(nought, 1, NULL, 0, 64, &f), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(bzl_wo_lines_check(mats, 2, NULL, 0, 1, &f), BZL_LIMIT_EXCEEDED);
    ck_assert_str_eq(f.field, "materials");
    /* No lines at all: a diagnosis that used nothing. */
    ck_assert_int_eq(bzl_wo_lines_check(NULL, 0, NULL, 0, 64, &f), BZL_OK);
}
END_TEST

START_TEST(fifo_takes_disposals_from_the_oldest_lots)
{
    /* Lots 2, 3, 1 (oldest first), 4 disposed: 0, 1, 1 remain. */
    int32_t dates[] = {10, 20, 30};
    int64_t qty[] = {2 * UNIT, 3 * UNIT, 1 * UNIT};
    int64_t rem[3];
    bzl_repair_fifo(dates, qty, 3, 4 * UNIT, rem);
    ck_assert_int_eq(rem[0], 0);
    ck_assert_int_eq(rem[1], 1 * UNIT);
    ck_assert_int_eq(rem[2], 1 * UNIT);
    /* Nothing disposed: all remain; more disposed than generated: none remain. */
    bzl_repair_fifo(dates, qty, 3, 0, rem);
    ck_assert_int_eq(rem[1], 3 * UNIT);
    bzl_repair_fifo(dates, qty, 3, 9 * UNIT, rem);
    ck_assert_int_eq(rem[0] + rem[1] + rem[2], 0);
}
END_TEST

START_TEST(due_state_counts_the_disposal_period_in_days)
{
    /* Generated 2026-01-12, 60 days: due 2026-03-13; warned from 10 days before. */
    int32_t gen = bzl_date_from_civil(2026, 1, 12);
    int32_t due = 0;
    ck_assert_int_eq(bzl_repair_due_state(gen, 60, 10, bzl_date_from_civil(2026, 3, 2), &due), 0);
    ck_assert_int_eq(due, bzl_date_from_civil(2026, 3, 13));
    ck_assert_int_eq(bzl_repair_due_state(gen, 60, 10, bzl_date_from_civil(2026, 3, 3), &due), 1);
    ck_assert_int_eq(bzl_repair_due_state(gen, 60, 10, bzl_date_from_civil(2026, 3, 13), &due), 1);
    ck_assert_int_eq(bzl_repair_due_state(gen, 60, 10, bzl_date_from_civil(2026, 3, 14), &due), 2);
    ck_assert_int_eq(bzl_repair_due_state(gen, 60, 0, bzl_date_from_civil(2026, 3, 12), &due), 0);
}
END_TEST

START_TEST(usage_and_state_words)
{
    uint8_t u = 9;
    ck_assert(bzl_usage_parse("repair", &u));
    ck_assert_uint_eq(u, BZL_USAGE_REPAIR);
    ck_assert(bzl_usage_parse("general", &u));
    ck_assert_uint_eq(u, BZL_USAGE_GENERAL);
    ck_assert(!bzl_usage_parse("Repair", &u));
    ck_assert_ptr_null(bzl_usage_name(2));
    ck_assert_str_eq(bzl_wo_state_name(BZL_WO_UNREPAIRABLE), "unrepairable");
    ck_assert_ptr_null(bzl_wo_state_name(0));
    ck_assert_str_eq(bzl_origin_word(BZL_ORIGIN_OUTSIDE), "outside");
    ck_assert_str_eq(bzl_origin_word(BZL_ORIGIN_NONE), "");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("repair");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, accounts_follow_the_c3_equations);
    tcase_add_test(tc, repair_flows_only_on_repair_books_and_with_an_origin);
    tcase_add_test(tc, domestic_sales_and_foreign_flows_are_refused_on_a_repair_book);
    tcase_add_test(tc, a_return_takes_repaired_units_first_then_unrepairable);
    tcase_add_test(tc, a_return_to_the_wrong_origin_is_refused);
    tcase_add_test(tc, parts_disposals_draw_their_origins_parts);
    tcase_add_test(tc, work_order_parts_are_at_most_the_replaced_materials);
    tcase_add_test(tc, fifo_takes_disposals_from_the_oldest_lots);
    tcase_add_test(tc, due_state_counts_the_disposal_period_in_days);
    tcase_add_test(tc, usage_and_state_words);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
