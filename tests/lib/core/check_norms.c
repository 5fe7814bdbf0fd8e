/* check_norms.c — unit consumption, consumption and tangible-loss rounding, effects per flow,
 * the pending/post/release/negate transforms, and the balance and scrap bounds. */
#include "bzl/calendar.h"
#include "bzl/norms.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define E5(x) ((int64_t)(x)*100000)
#define E9(x) ((int64_t)(x)*1000000000)

static bzl_norm
norm(int64_t net_e9, int64_t t_e9, int64_t i_e9, int64_t share_e9)
{
    bzl_norm n;
    memset(&n, 0, sizeof n);
    strcpy(n.book_no, "H72012400001");
    n.product = 1;
    n.material = 1;
    strcpy(n.version, "v1");
    n.net_e9 = net_e9;
    n.tangible_e9 = t_e9;
    n.intangible_e9 = i_e9;
    n.share_e9 = share_e9;
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    return n;
}

/* 净耗 0.95 with 5% loss → 0.95 / 0.95 = 1.000000000; 净耗 2.5 with 3% + 1% → 2.5 / 0.96 =
 * 2.6041666666… → 2.604166667 (half-up at the 9th place). */
START_TEST(unit_consumption_is_net_over_one_minus_loss_at_nine_places)
{
    int64_t u = 0;
    ck_assert_int_eq(bzl_norm_unit_consumption(950000000, E9(5), 0, &u), BZL_OK);
    ck_assert_int_eq(u, 1000000000);
    ck_assert_int_eq(bzl_norm_unit_consumption(2500000000, E9(3), E9(1), &u), BZL_OK);
    ck_assert_int_eq(u, 2604166667);
    bzl_norm n = norm(2500000000, E9(3), E9(1), E9(1));
    ck_assert_int_eq(n.ucns_e9, 2604166667);
}
END_TEST

/* Loss rates of 100% or more, negative rates, a zero net, a share outside (0, 1] are refused
 * naming the field. */
START_TEST(norm_check_refuses_impossible_norms)
{
    int64_t u = 0;
    bzl_fault f;
    ck_assert_int_eq(bzl_norm_unit_consumption(E9(1), E9(60), E9(40), &u), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(bzl_norm_unit_consumption(0, 0, 0, &u), BZL_INVALID_ARGUMENT);
    bzl_norm n = norm(E9(1), 0, 0, E9(1));
    n.share_e9 = E9(1) + 1;
    ck_assert_int_eq(bzl_norm_check(&n, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "bonded_share");
    n.share_e9 = E9(1);
    n.tangible_e9 = -1;
    ck_assert_int_eq(bzl_norm_check(&n, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "tangible_loss");
    n.tangible_e9 = 0;
    n.version[0] = '\0';
    ck_assert_int_eq(bzl_norm_check(&n, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "version");
}
END_TEST

/* consumption = round5(qty × u), u = round9(单耗 × share); tangible = round5(qty × u × t/100).
 * 100 × 2.604166667 = 260.4166667 → 260.41667; × 3% = 7.812500001 → 7.8125.
 * share 0.8 of 单耗 0.5: u = 0.4; 500 × 0.4 = 200. 0.00001 × 1.000000000 at 5% loss:
 * consumption 0.00001, tangible 0.0000005 → 0 at 5 places. */
START_TEST(consumption_and_tangible_loss_round_at_five_places)
{
    int64_t c = 0;
    int64_t t = 0;
    bzl_norm v2 = norm(2500000000, E9(3), E9(1), E9(1));
    ck_assert_int_eq(bzl_norm_consume(&v2, E5(100), &c, &t), BZL_OK);
    ck_assert_int_eq(c, 26041667);
    ck_assert_int_eq(t, 781250);
    bzl_norm shared = norm(500000000, 0, 0, 800000000);
    ck_assert_int_eq(bzl_norm_consume(&shared, E5(500), &c, &t), BZL_OK);
    ck_assert_int_eq(c, E5(200));
    ck_assert_int_eq(t, 0);
    bzl_norm v1 = norm(950000000, E9(5), 0, E9(1));
    ck_assert_int_eq(bzl_norm_consume(&v1, 1, &c, &t), BZL_OK);
    ck_assert_int_eq(c, 1);
    ck_assert_int_eq(t, 0); /* 0.0000005 is 0.05 of the 5th place: rounds down to 0 */
}
END_TEST

static bzl_declaration
product_out(bzl_decl_line *line, int64_t qty_e5)
{
    bzl_declaration d;
    memset(&d, 0, sizeof d);
    memset(line, 0, sizeof *line);
    strcpy(d.book_no, "H72012400001");
    d.kind = BZL_KIND_PRODUCT;
    d.direction = BZL_DIR_OUT;
    d.line_count = 1;
    d.lines = line;
    line->item_no = 1;
    line->qty_e5 = qty_e5;
    line->value_e5 = E5(30000);
    return d;
}

/* On a unit book an export moves no product balance (statistics only) and consumes each
 * material of the BOM: 1000 × 1.0 = 1000 at average value, generating 50 of tangible-loss
 * allowance; material 2: 1000 × 2 = 2000. Neither norm has intangible loss, so no intangible
 * effect is added (one with 1 % would add 10: see the next test). */
START_TEST(unit_book_export_consumes_materials_by_norm)
{
    bzl_decl_line line;
    bzl_declaration d = product_out(&line, E5(1000));
    bzl_norm rows[2] = {norm(950000000, E9(5), 0, E9(1)), norm(E9(2), 0, 0, E9(1))};
    rows[1].material = 2;
    bzl_line_norms ln = {.rows = rows, .count = 2};
    bzl_effect items[5];
    bzl_effect_list list = {.items = items, .cap = 5};
    ck_assert_int_eq(
        bzl_ledger_effects(&d, BZL_FLOW_PROD_EXPORT, BZL_VERIFY_UNIT, &ln, &list, NULL), BZL_OK);
    ck_assert_uint_eq(list.count, 3);
    ck_assert_int_eq(items[0].kind, BZL_KIND_PRODUCT);
    ck_assert_int_eq(items[0].qty_e5, 0);
    ck_assert_int_eq(items[0].total_e5, E5(1000));
    ck_assert_int_eq(items[1].qty_e5, -E5(1000));
    ck_assert_int_eq(items[1].scrap_gen_e5, E5(50));
    ck_assert_int_eq(items[1].category, BZL_CATEGORY_CONSUMPTION);
    ck_assert(items[1].flags & BZL_EFFECT_AVG_VALUE);
    ck_assert_int_eq(items[2].qty_e5, -E5(2000));
}
END_TEST

/* The intangible loss inside consumption is an effect of its own that moves no balance, only
 * its period total: 1000 × 单耗 1 (net 0.94, 5 % + 1 %) × 1 % = 10; a product returned in
 * gives it back (−10). */
START_TEST(intangible_loss_is_a_total_of_its_own)
{
    bzl_decl_line line;
    bzl_declaration d = product_out(&line, E5(1000));
    bzl_norm rows[1] = {norm(940000000, E9(5), E9(1), E9(1))};
    bzl_line_norms ln = {.rows = rows, .count = 1};
    bzl_effect items[3];
    bzl_effect_list list = {.items = items, .cap = 3};
    ck_assert_int_eq(
        bzl_ledger_effects(&d, BZL_FLOW_PROD_EXPORT, BZL_VERIFY_UNIT, &ln, &list, NULL), BZL_OK);
    ck_assert_uint_eq(list.count, 3);
    ck_assert_int_eq(items[1].qty_e5, -E5(1000));
    ck_assert_int_eq(items[1].scrap_gen_e5, E5(50));
    ck_assert_int_eq(items[2].category, BZL_CATEGORY_INTANGIBLE_LOSS);
    ck_assert_uint_eq(items[2].item_no, 1);
    ck_assert_int_eq(items[2].total_e5, E5(10));
    ck_assert(items[2].qty_e5 == 0 && items[2].value_e5 == 0 && items[2].scrap_gen_e5 == 0);
    list.count = 0;
    d.direction = BZL_DIR_IN;
    ck_assert_int_eq(
        bzl_ledger_effects(&d, BZL_FLOW_PROD_RETURN_IN, BZL_VERIFY_UNIT, &ln, &list, NULL), BZL_OK);
    ck_assert_int_eq(items[2].total_e5, -E5(10));
    ck_assert_int_eq(items[1].scrap_gen_e5, -E5(50));
}
END_TEST

/* A product line that needs a norm and has none is NORM_MISSING naming the product. */
START_TEST(export_without_norm_is_norm_missing)
{
    bzl_decl_line line;
    bzl_declaration d = product_out(&line, E5(1));
    bzl_line_norms ln = {0};
    bzl_effect items[2];
    bzl_effect_list list = {.items = items, .cap = 2};
    bzl_fault f;
    ck_assert_int_eq(bzl_ledger_effects(&d, BZL_FLOW_PROD_EXPORT, BZL_VERIFY_UNIT, &ln, &list, &f),
                     BZL_NORM_MISSING);
    ck_assert_uint_eq(f.item_no, 1);
}
END_TEST

/* Pending reserves, post releases and applies, release undoes the reservation, negate undoes
 * the posting: the four sum to zero on every balance field. */
START_TEST(pending_post_release_and_negate_balance_out)
{
    bzl_effect posted = {.kind = BZL_KIND_MATERIAL,
                         .item_no = 1,
                         .qty_e5 = -E5(40),
                         .value_e5 = -E5(8),
                         .scrap_gen_e5 = E5(2),
                         .total_e5 = E5(40)};
    bzl_effect pend;
    bzl_effect post;
    bzl_effect neg;
    bzl_effect_pending(&posted, &pend);
    ck_assert_int_eq(pend.pending_out_e5, E5(40));
    ck_assert_int_eq(pend.qty_e5, 0);
    bzl_effect_post(&posted, &post);
    ck_assert_int_eq(post.pending_out_e5, -E5(40));
    ck_assert_int_eq(post.qty_e5, -E5(40));
    bzl_effect_negate(&post, &neg);
    ck_assert_int_eq(pend.pending_out_e5 + post.pending_out_e5 + neg.pending_out_e5, 0);
    ck_assert_int_eq(post.qty_e5 + neg.qty_e5, 0);
    ck_assert_int_eq(post.scrap_gen_e5 + neg.scrap_gen_e5, 0);
    ck_assert_int_eq(post.total_e5 + neg.total_e5, 0);
}
END_TEST

/* A scrap draw up to the allowance is fine; one past it is SCRAP_ALLOWANCE_EXCEEDED naming
 * what remains, and leaves balance and allowance untouched. Unbounded (consumption books) it
 * goes through. */
START_TEST(scrap_draw_is_bounded_by_the_allowance)
{
    bzl_balance bal = {.qty_e5 = E5(100)};
    bzl_scrap s = {.generated_e5 = 5781250, .used_e5 = E5(40)}; /* 57.8125, 40 used */
    bzl_effect within = {.kind = BZL_KIND_MATERIAL, .item_no = 1, .scrap_used_e5 = 1781250};
    bzl_effect beyond = {.kind = BZL_KIND_MATERIAL, .item_no = 1, .scrap_used_e5 = 1781251};
    bzl_fault f;
    bzl_scrap before = s;
    ck_assert_int_eq(bzl_effect_apply(&beyond, &bal, &s, true, &f), BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(f.available_e5, 1781250);
    ck_assert_int_eq(s.used_e5, before.used_e5);
    ck_assert_int_eq(bal.qty_e5, E5(100));
    ck_assert_int_eq(bzl_effect_apply(&within, &bal, &s, true, &f), BZL_OK);
    ck_assert_int_eq(s.used_e5, s.generated_e5);
    ck_assert_int_eq(bzl_effect_apply(&beyond, &bal, &s, false, &f), BZL_OK);
}
END_TEST

/* Taking more than qty − pending out is INSUFFICIENT_BALANCE with the available quantity; an
 * average-value effect is resolved to value × taken / qty. */
START_TEST(apply_bounds_outflows_and_resolves_average_value)
{
    bzl_balance bal = {.qty_e5 = E5(9000), .value_e5 = E5(45000), .pending_out_e5 = E5(1000)};
    bzl_scrap s = {0};
    bzl_fault f;
    bzl_effect big = {.kind = BZL_KIND_MATERIAL, .item_no = 2, .line = 1, .qty_e5 = -E5(8001)};
    ck_assert_int_eq(bzl_effect_apply(&big, &bal, &s, true, &f), BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(f.available_e5, E5(8000));
    ck_assert_str_eq(f.message, "line 1: item 2 has 8000 available, the outflow asks for 8001");
    bzl_effect take = {.kind = BZL_KIND_MATERIAL,
                       .item_no = 2,
                       .qty_e5 = -26041667,
                       .flags = BZL_EFFECT_AVG_VALUE};
    ck_assert_int_eq(bzl_effect_apply(&take, &bal, &s, true, &f), BZL_OK);
    /* 45000 × 260.41667 / 9000 = 1302.08335 */
    ck_assert_int_eq(take.value_e5, -130208335);
    ck_assert_int_eq(take.flags, 0);
    ck_assert_int_eq(bal.value_e5, E5(45000) - 130208335);
}
END_TEST

START_TEST(month_of_a_date_is_yyyymm)
{
    ck_assert_uint_eq(bzl_month_of(bzl_date_from_civil(2026, 3, 31)), 202603u);
    ck_assert_uint_eq(bzl_month_of(bzl_date_from_civil(1990, 1, 1)), 199001u);
}
END_TEST

/* Version texts of one product order numerically when both are digit strings (leading zeros
 * ignored, another spelling of the same number falls back to bytes), bytewise otherwise. */
START_TEST(norm_version_cmp_orders_digit_strings_numerically)
{
    ck_assert_int_gt(bzl_norm_version_cmp("10", "9"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("9", "10"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("00000003", "2"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("2", "00000003"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("00000010", "00000009"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("99999999", "00000001"), 0);
    ck_assert_int_eq(bzl_norm_version_cmp("00000003", "00000003"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("003", "3"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("3", "003"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("1", "0"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("0", "00"), 0);
    /* Not both digit strings: bytes. */
    ck_assert_int_lt(bzl_norm_version_cmp("v10", "v9"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("v9", "v10"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("10", "9a"), 0);
    ck_assert_int_gt(bzl_norm_version_cmp("A", "10"), 0);
    ck_assert_int_lt(bzl_norm_version_cmp("1 0", "9"), 0);
    ck_assert_int_eq(bzl_norm_version_cmp("v1", "v1"), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("norms");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, unit_consumption_is_net_over_one_minus_loss_at_nine_places);
    tcase_add_test(tc, norm_check_refuses_impossible_norms);
    tcase_add_test(tc, consumption_and_tangible_loss_round_at_five_places);
    tcase_add_test(tc, unit_book_export_consumes_materials_by_norm);
    tcase_add_test(tc, intangible_loss_is_a_total_of_its_own);
    tcase_add_test(tc, export_without_norm_is_norm_missing);
    tcase_add_test(tc, pending_post_release_and_negate_balance_out);
    tcase_add_test(tc, scrap_draw_is_bounded_by_the_allowance);
    tcase_add_test(tc, apply_bounds_outflows_and_resolves_average_value);
    tcase_add_test(tc, month_of_a_date_is_yyyymm);
    tcase_add_test(tc, norm_version_cmp_orders_digit_strings_numerically);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
