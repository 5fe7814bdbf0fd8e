/* check_recon.c — proves the period syntax, the verification (核销) equation category by
 * category, the difference rate and tolerance flag, the USD cross rate, the value-added ratio
 * and its edge cases (I = 0, negative), product-level imports (the materials a product's norm
 * consumed, at their average import unit value), the mode mix, dominant modes and the transition
 * matrix. Every expected figure is worked out by hand in the test's comment. */
#include "bzl/recon.h"
#include "bzl/report.h"

#include "bzl/codes.h"
#include "bzl/norms.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define E5(x) ((int64_t)(x)*100000)
#define E4(x) ((int64_t)(x)*10000)

static bzl_period
period(const char *s)
{
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse(s, strlen(s), &p, &f), BZL_OK);
    return p;
}

/* 2026-Q2 is April..June: 2026-04-01..2026-06-30, months 202604..202606, whole. */
START_TEST(period_forms_parse_to_inclusive_days_and_months)
{
    bzl_period p = period("2026-Q2");
    ck_assert_int_eq(p.from, bzl_date_from_civil(2026, 4, 1));
    ck_assert_int_eq(p.to, bzl_date_from_civil(2026, 6, 30));
    ck_assert_uint_eq(p.first_month, 202604u);
    ck_assert_uint_eq(p.last_month, 202606u);
    ck_assert(p.whole_months);
    p = period("2026");
    ck_assert_uint_eq(p.first_month, 202601u);
    ck_assert_uint_eq(p.last_month, 202612u);
    p = period("2024-02"); /* a leap February ends on the 29th */
    ck_assert_int_eq(p.to, bzl_date_from_civil(2024, 2, 29));
    p = period("2026-01-01..2026-03-31");
    ck_assert(p.whole_months);
    ck_assert_uint_eq(p.last_month, 202603u);
    p = period("2026-01-05..2026-02-10");
    ck_assert(!p.whole_months);
    bzl_fault f;
    ck_assert_int_eq(bzl_period_require_months(&p, &f), BZL_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(f.message, "not whole months"));
}
END_TEST

START_TEST(period_parse_refuses_malformed_text)
{
    static const char *const bad[] = {"",
                                      "2026-13",
                                      "2026-Q5",
                                      "2026-Q0",
                                      "26",
                                      "2026-1",
                                      "2026-02-30..2026-03-01",
                                      "2026-03-01..2026-02-01",
                                      "2026-01..2026-02",
                                      "1989",
                                      "2026-01-01..",
                                      "2000..2026"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        bzl_period p;
        bzl_fault f;
        ck_assert_msg(bzl_period_parse(bad[i], strlen(bad[i]), &p, &f) != BZL_OK, "%s", bad[i]);
        ck_assert_str_eq(f.field, "period");
    }
}
END_TEST

/* One material, every category non-zero:
 *   opening 1000; in: import 500, transfer in 200, leftover in 50, zone in 30, return in 20,
 *   low value 10 (= 810); out: re-export 40, domestic sale 60, leftover out 25, destroy 5,
 *   return out 15, zone out 35 (= 180); consumption 700; adjust up 12, down 7; scrap sale 9
 *   (moves nothing).
 *   book = 1000 + 810 − 180 − 700 + 12 − 7 = 935. Counted 930: difference −5,
 *   rate −5 / 935 × 100 = −0.534759…% → −0.5348. Tolerance 0.5% → shortage.
 *   Loss totals tangible 14 and intangible 10.5 (inside consumption) are shown as given. */
START_TEST(verification_equation_sums_every_category_with_its_sign)
{
    bzl_recon_input in;
    memset(&in, 0, sizeof in);
    in.item_no = 7;
    in.opening_e5 = E5(1000);
    in.totals_e5[BZL_FLOW_MAT_IMPORT] = E5(500);
    in.totals_e5[BZL_FLOW_MAT_TRANSFER_IN] = E5(200);
    in.totals_e5[BZL_FLOW_MAT_LEFTOVER_IN] = E5(50);
    in.totals_e5[BZL_FLOW_MAT_ZONE_TRANSFER_IN] = E5(30);
    in.totals_e5[BZL_FLOW_MAT_RETURN_IN] = E5(20);
    in.totals_e5[BZL_FLOW_MAT_LOW_VALUE] = E5(10);
    in.totals_e5[BZL_FLOW_MAT_REEXPORT] = E5(40);
    in.totals_e5[BZL_FLOW_MAT_DOMESTIC_SALE] = E5(60);
    in.totals_e5[BZL_FLOW_MAT_LEFTOVER_OUT] = E5(25);
    in.totals_e5[BZL_FLOW_MAT_DESTROY] = E5(5);
    in.totals_e5[BZL_FLOW_MAT_RETURN_OUT] = E5(15);
    in.totals_e5[BZL_FLOW_MAT_ZONE_TRANSFER_OUT] = E5(35);
    in.totals_e5[BZL_CATEGORY_CONSUMPTION] = E5(700);
    in.totals_e5[BZL_FLOW_ADJUST_UP] = E5(12);
    in.totals_e5[BZL_FLOW_ADJUST_DOWN] = E5(7);
    in.totals_e5[BZL_FLOW_SCRAP_SALE] = E5(9);
    in.counted = true;
    in.counted_e5 = E5(930);
    /* The losses inside consumption are totals of their own, shown as summed, and move
     * nothing: the book above does not change with them. */
    in.totals_e5[BZL_CATEGORY_TANGIBLE_LOSS] = E5(14);
    in.totals_e5[BZL_CATEGORY_INTANGIBLE_LOSS] = 1050000;
    bzl_recon_line l;
    ck_assert_int_eq(bzl_recon_compute(&in, 5000 /* 0.5000 % */, &l), BZL_OK);
    ck_assert_int_eq(l.inflow_e5, E5(810));
    ck_assert_int_eq(l.outflow_e5, E5(180));
    ck_assert_int_eq(l.consumption_e5, E5(700));
    ck_assert_int_eq(l.adjust_up_e5, E5(12));
    ck_assert_int_eq(l.adjust_down_e5, E5(7));
    ck_assert_int_eq(l.scrap_e5, E5(9));
    ck_assert_int_eq(l.book_e5, E5(935));
    ck_assert_int_eq(l.difference_e5, E5(-5));
    ck_assert(l.has_rate);
    ck_assert_int_eq(l.rate_e4, -5348);
    ck_assert_uint_eq(l.flag, BZL_RECON_SHORTAGE);
    ck_assert_int_eq(l.tangible_e5, E5(14));
    ck_assert_int_eq(l.intangible_e5, 1050000);
}
END_TEST

/* Each category alone from opening 100 moves the book by exactly its sign × 10. */
START_TEST(each_category_moves_the_book_by_its_sign)
{
    for (unsigned c = 1; c < BZL_RECON_CATEGORIES; c++) {
        bzl_recon_input in;
        memset(&in, 0, sizeof in);
        in.opening_e5 = E5(100);
        in.totals_e5[c] = E5(10);
        bzl_recon_line l;
        ck_assert_int_eq(bzl_recon_compute(&in, 0, &l), BZL_OK);
        ck_assert_int_eq(l.book_e5, E5(100) + bzl_recon_category_sign(c) * E5(10));
        ck_assert_uint_eq(l.flag, BZL_RECON_UNCOUNTED);
    }
    ck_assert_int_eq(bzl_recon_category_sign(BZL_FLOW_MAT_IMPORT), 1);
    ck_assert_int_eq(bzl_recon_category_sign(BZL_CATEGORY_CONSUMPTION), -1);
    ck_assert_int_eq(bzl_recon_category_sign(BZL_FLOW_SCRAP_DESTROY), 0);
    ck_assert_int_eq(bzl_recon_category_sign(BZL_FLOW_PROD_EXPORT), 0);
}
END_TEST

/* book 200, counted 201: +1 / 200 = +0.5000 %: within a 0.5 % tolerance (not beyond), a surplus
 * beyond 0.4999 %. Book 0 with counted 3: no rate ("n/a"), flagged as surplus; book 0 counted 0
 * is within. A rate that rounds half-up: 1 / 3 × 100 = 33.33333… → 33.3333; 2/3 → 66.6667. */
START_TEST(difference_rate_rounds_half_up_and_flags_beyond_tolerance)
{
    bzl_recon_input in;
    memset(&in, 0, sizeof in);
    in.opening_e5 = E5(200);
    in.counted = true;
    in.counted_e5 = E5(201);
    bzl_recon_line l;
    ck_assert_int_eq(bzl_recon_compute(&in, 5000, &l), BZL_OK);
    ck_assert_int_eq(l.rate_e4, 5000);
    ck_assert_uint_eq(l.flag, BZL_RECON_WITHIN);
    ck_assert_int_eq(bzl_recon_compute(&in, 4999, &l), BZL_OK);
    ck_assert_uint_eq(l.flag, BZL_RECON_SURPLUS);
    in.opening_e5 = 0;
    in.counted_e5 = E5(3);
    ck_assert_int_eq(bzl_recon_compute(&in, 5000, &l), BZL_OK);
    ck_assert(!l.has_rate);
    ck_assert_uint_eq(l.flag, BZL_RECON_SURPLUS);
    in.counted_e5 = 0;
    ck_assert_int_eq(bzl_recon_compute(&in, 5000, &l), BZL_OK);
    ck_assert_uint_eq(l.flag, BZL_RECON_WITHIN);
    int64_t r = 0;
    ck_assert_int_eq(bzl_percent_e4(1, 3, &r), BZL_OK);
    ck_assert_int_eq(r, 333333);
    ck_assert_int_eq(bzl_percent_e4(2, 3, &r), BZL_OK);
    ck_assert_int_eq(r, 666667);
    ck_assert_int_eq(bzl_percent_e4(-2, 3, &r), BZL_OK);
    ck_assert_int_eq(r, -666667);
    ck_assert_int_eq(bzl_percent_e4(1, 0, &r), BZL_INVALID_ARGUMENT);
}
END_TEST

/* EUR at 7.8 CNY and USD at 7.2 CNY: 1000 EUR = 1000 × 7.8 / 7.2 = 1083.333333… → 1083.33333
 * USD (5 places). 10 JPY at 0.048 and USD 7.1: 10 × 0.048 / 7.1 = 0.0676056… → 0.06761.
 * 1 CNY at USD 7 = 0.142857142… → 0.14286. */
START_TEST(usd_conversion_crosses_through_cny_half_up)
{
    int64_t usd = 0;
    ck_assert_int_eq(bzl_usd_convert(E5(1000), 7800000000, 7200000000, &usd), BZL_OK);
    ck_assert_int_eq(usd, 108333333);
    ck_assert_int_eq(bzl_usd_convert(E5(10), 48000000, 7100000000, &usd), BZL_OK);
    ck_assert_int_eq(usd, 6761);
    ck_assert_int_eq(bzl_usd_convert(E5(1), 1000000000, 7000000000, &usd), BZL_OK);
    ck_assert_int_eq(usd, 14286);
    ck_assert_int_eq(bzl_usd_convert(E5(-1), 1000000000, 7000000000, &usd), BZL_OK);
    ck_assert_int_eq(usd, -14286);
}
END_TEST

/* E 150, I 100: (150 − 100) / 100 = 50.0000 %, (150 − 100) / 150 = 33.3333 %.
 * E 80, I 100: −20.0000 % and −25.0000 % (negative is legitimate).
 * I = 0: var_i n/a, var_e (E − 0)/E = 100 %. E = I = 0: both n/a. */
START_TEST(value_added_ratio_and_its_edge_cases)
{
    bzl_var v;
    ck_assert_int_eq(bzl_var_compute(E5(150), E5(100), &v), BZL_OK);
    ck_assert(v.has_var_i && v.has_var_e);
    ck_assert_int_eq(v.var_i_e4, E4(50));
    ck_assert_int_eq(v.var_e_e4, 333333);
    ck_assert_int_eq(bzl_var_compute(E5(80), E5(100), &v), BZL_OK);
    ck_assert_int_eq(v.var_i_e4, E4(-20));
    ck_assert_int_eq(v.var_e_e4, E4(-25));
    ck_assert_int_eq(bzl_var_compute(E5(80), 0, &v), BZL_OK);
    ck_assert(!v.has_var_i);
    ck_assert(v.has_var_e);
    ck_assert_int_eq(v.var_e_e4, E4(100));
    ck_assert_int_eq(bzl_var_compute(0, 0, &v), BZL_OK);
    ck_assert(!v.has_var_i && !v.has_var_e);
    /* Sums past int64 (two books at six tenths of the largest figure each): still exact. */
    ck_assert_int_eq(bzl_var_compute((bzl_i128)INT64_MAX * 2, INT64_MAX, &v), BZL_OK);
    ck_assert(v.has_var_i && v.var_i_e4 == E4(100));
    ck_assert(v.has_var_e && v.var_e_e4 == E4(50));
}
END_TEST

/* Product-level I, the figures of tests/daemon/e2e/recon_scenario.sh's March book. Product 1's
 * norm: material 1 单耗 2 (net 1.8, 10 % tangible loss), material 2 单耗 0.25, bonded share 1.
 * Its E rows: export 120 (2000 USD) and deep-processing transfer out 30 (450 USD): E = 2450.
 *   consumed m1 = round5(120 × 2) + round5(30 × 2)       = 240 + 60   = 300
 *   consumed m2 = round5(120 × 0.25) + round5(30 × 0.25) = 30 + 7.5   = 37.5
 * Imports in the period (I flows): m1 1000 for 3000 USD + 500 for 2200 USD = 1500 for 5200;
 * m2 200 for 1000 USD + transfer in 100 for 800 USD = 300 for 1800.
 *   I = 300 × 5200 / 1500 + 37.5 × 1800 / 300 = 1040 + 225 = 1265
 *   var_i = (2450 − 1265) / 1265 × 100 = 93.675889… → 93.6759
 *   var_e = (2450 − 1265) / 2450 × 100 = 48.367346… → 48.3673
 * Rounding: 1 unit at 5200 / 1500 = 3.4666… → 3.46667 (half-up), −1 unit → −3.46667; 0.00001
 * at 1/3 = 0.0000033… → 0. No import in the period (qty 0) has no price: INVALID_ARGUMENT. */
START_TEST(product_imports_value_norm_consumption_at_average_import_price)
{
    bzl_norm m1 = {.ucns_e9 = 2000000000, .share_e9 = 1000000000, .tangible_e9 = 10000000000};
    bzl_norm m2 = {.ucns_e9 = 250000000, .share_e9 = 1000000000};
    int64_t c1 = 0;
    int64_t c2 = 0;
    int64_t c = 0;
    int64_t t = 0;
    static const int64_t rows[] = {E5(120), E5(30)};
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(bzl_norm_consume(&m1, rows[i], &c, &t), BZL_OK);
        c1 += c;
        ck_assert_int_eq(bzl_norm_consume(&m2, rows[i], &c, &t), BZL_OK);
        c2 += c;
    }
    ck_assert_int_eq(c1, E5(300));
    ck_assert_int_eq(c2, 3750000);
    int64_t v1 = 0;
    int64_t v2 = 0;
    ck_assert_int_eq(bzl_consumed_value(c1, E5(5200), E5(1500), &v1), BZL_OK);
    ck_assert_int_eq(v1, E5(1040));
    ck_assert_int_eq(bzl_consumed_value(c2, E5(1800), E5(300), &v2), BZL_OK);
    ck_assert_int_eq(v2, E5(225));
    bzl_var v;
    ck_assert_int_eq(bzl_var_compute(E5(2450), v1 + v2, &v), BZL_OK);
    ck_assert(v.has_var_i && v.has_var_e);
    ck_assert_int_eq(v.var_i_e4, 936759);
    ck_assert_int_eq(v.var_e_e4, 483673);
    ck_assert_int_eq(bzl_consumed_value(E5(1), E5(5200), E5(1500), &v1), BZL_OK);
    ck_assert_int_eq(v1, 346667);
    ck_assert_int_eq(bzl_consumed_value(E5(-1), E5(5200), E5(1500), &v1), BZL_OK);
    ck_assert_int_eq(v1, -346667);
    ck_assert_int_eq(bzl_consumed_value(1, E5(1), E5(3), &v1), BZL_OK);
    ck_assert_int_eq(v1, 0);
    v1 = 42;
    ck_assert_int_eq(bzl_consumed_value(E5(10), E5(100), 0, &v1), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(v1, 42);
    ck_assert_int_eq(bzl_consumed_value(INT64_MAX, INT64_MAX, 1, &v1), BZL_OVERFLOW);
}
END_TEST

/* OEM 300, ODM 100, OBM 100 of 500: 60.0000 %, 20.0000 %, 20.0000 %; dominant OEM. A tie ODM
 * 100 = OBM 100 goes to OBM (the higher). The matrix of three enterprises OEM→OBM, OEM→OEM,
 * ODM→OEM has m[1][3] = 1, m[1][1] = 1, m[2][1] = 1: one upgrade, one downgrade. Share of
 * processing trade 30 bonded of 30 + 70 = 30.0000 %. */
/* E is product exports (and transfers out), I material imports (and transfers in); excluding
 * transfers drops both transfer flows; nothing else counts, a domestic sale included. */
START_TEST(value_added_ratio_counts_exports_and_imports_and_transfers_unless_excluded)
{
    ck_assert(bzl_report_flow_is_e(BZL_FLOW_PROD_EXPORT, false));
    ck_assert(bzl_report_flow_is_e(BZL_FLOW_PROD_EXPORT, true));
    ck_assert(bzl_report_flow_is_e(BZL_FLOW_PROD_TRANSFER_OUT, false));
    ck_assert(!bzl_report_flow_is_e(BZL_FLOW_PROD_TRANSFER_OUT, true));
    ck_assert(!bzl_report_flow_is_e(BZL_FLOW_PROD_DOMESTIC_SALE, false));
    ck_assert(!bzl_report_flow_is_e(BZL_FLOW_MAT_IMPORT, false));
    ck_assert(bzl_report_flow_is_i(BZL_FLOW_MAT_IMPORT, true));
    ck_assert(bzl_report_flow_is_i(BZL_FLOW_MAT_TRANSFER_IN, false));
    ck_assert(!bzl_report_flow_is_i(BZL_FLOW_MAT_TRANSFER_IN, true));
    ck_assert(!bzl_report_flow_is_i(BZL_FLOW_MAT_LOW_VALUE, false));
    ck_assert(!bzl_report_flow_is_i(BZL_FLOW_PROD_EXPORT, false));
}
END_TEST

START_TEST(mode_mix_dominant_modes_and_transition_matrix)
{
    bzl_i128 v[BZL_MODES] = {0, E5(300), E5(100), E5(100)};
    int64_t share[BZL_MODES];
    bool has = false;
    ck_assert_int_eq(bzl_mode_shares(v, share, &has), BZL_OK);
    ck_assert(has);
    ck_assert_int_eq(share[1], E4(60));
    ck_assert_int_eq(share[2], E4(20));
    ck_assert_int_eq(share[3], E4(20));
    ck_assert_uint_eq(bzl_mode_dominant(v), BZL_BIZ_OEM);
    bzl_i128 tie[BZL_MODES] = {0, 0, E5(100), E5(100)};
    ck_assert_uint_eq(bzl_mode_dominant(tie), BZL_BIZ_OBM);
    bzl_i128 none[BZL_MODES] = {0};
    ck_assert_uint_eq(bzl_mode_dominant(none), BZL_BIZ_NONE);
    ck_assert_int_eq(bzl_mode_shares(none, share, &has), BZL_OK);
    ck_assert(!has);
    uint32_t m[BZL_MODES][BZL_MODES] = {{0}};
    bzl_transition_add(m, BZL_BIZ_OEM, BZL_BIZ_OBM);
    bzl_transition_add(m, BZL_BIZ_OEM, BZL_BIZ_OEM);
    bzl_transition_add(m, BZL_BIZ_ODM, BZL_BIZ_OEM);
    ck_assert_uint_eq(m[1][3], 1);
    ck_assert_uint_eq(m[1][1], 1);
    ck_assert_uint_eq(m[2][1], 1);
    ck_assert_int_eq(bzl_mode_change(BZL_BIZ_OEM, BZL_BIZ_OBM), 1);
    ck_assert_int_eq(bzl_mode_change(BZL_BIZ_ODM, BZL_BIZ_OEM), -1);
    ck_assert_int_eq(bzl_mode_change(BZL_BIZ_OEM, BZL_BIZ_OEM), 0);
    bzl_i128 s = 0;
    ck_assert_int_eq(bzl_trade_share(E5(30), E5(70), &s, &has), BZL_OK);
    ck_assert(has);
    ck_assert(s == E4(30));
    ck_assert_int_eq(bzl_trade_share(0, 0, &s, &has), BZL_OK);
    ck_assert(!has); /* no trade at all: n/a, not a refusal */
    /* Past int64: values a single enterprise can pile up across books stay exact. */
    bzl_i128 big[BZL_MODES] = {0, (bzl_i128)INT64_MAX * 3, (bzl_i128)INT64_MAX, 0};
    ck_assert_int_eq(bzl_mode_shares(big, share, &has), BZL_OK);
    ck_assert_int_eq(share[1], E4(75));
    ck_assert_int_eq(share[2], E4(25));
    ck_assert_uint_eq(bzl_mode_dominant(big), BZL_BIZ_OEM);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("recon");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, period_forms_parse_to_inclusive_days_and_months);
    tcase_add_test(tc, period_parse_refuses_malformed_text);
    tcase_add_test(tc, verification_equation_sums_every_category_with_its_sign);
    tcase_add_test(tc, each_category_moves_the_book_by_its_sign);
    tcase_add_test(tc, difference_rate_rounds_half_up_and_flags_beyond_tolerance);
    tcase_add_test(tc, usd_conversion_crosses_through_cny_half_up);
    tcase_add_test(tc, value_added_ratio_and_its_edge_cases);
    tcase_add_test(tc, product_imports_value_norm_consumption_at_average_import_price);
    tcase_add_test(tc, mode_mix_dominant_modes_and_transition_matrix);
    tcase_add_test(tc, value_added_ratio_counts_exports_and_imports_and_transfers_unless_excluded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
