/* check_tax.c — proves the domestic-sale tax arithmetic against figures worked by hand in each
 * test (inputs, every intermediate, the result): customs value conversion, duty, excise and VAT
 * with one half-up rounding to the fen each (a half-fen case included), 缓税利息 over a window
 * (first and last day, both day counts, total vs per tax), the scrap and product-basis
 * exemptions, the 2020-04-15…2020-12-31 window edges, the small-amount rule, a product taxed
 * on three materials by 折料 through the ledger's norm arithmetic, both bases of the zone's
 * selective duty, the rate history and its look-up, and the refusals; and where a declaration's
 * duty_basis and tax_date belong (bzl_tax_decl_check). */
#include "bzl/calendar.h"
#include "bzl/flows.h"
#include "bzl/tax.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Money at scale 5 from fen: F(12345) = 123.45. Percent at scale 9 from hundredths: P(1300) =
 * 13 %. */
#define F(fen) ((int64_t)(fen)*1000)
#define P(hundredths) ((int64_t)(hundredths)*10000000)
#define E5(x) ((int64_t)(x)*100000)
#define E9(x) ((int64_t)(x)*1000000000)

static int32_t
day(int y, unsigned m, unsigned d)
{
    return bzl_date_from_civil(y, m, d);
}

/* USD 1000.12345 at 7.1234 CNY per USD = 7124.279383730 CNY → 7124.28 (one rounding). */
START_TEST(convert_rounds_once_to_the_fen)
{
    int64_t cv = 0;
    ck_assert_int_eq(bzl_tax_convert(100012345, 7123400000, &cv), BZL_OK);
    ck_assert_int_eq(cv, F(712428));
    /* 0.00499 CNY → 0.00; 0.005 → 0.01 (half away from zero). */
    ck_assert_int_eq(bzl_tax_convert(499, E9(1), &cv), BZL_OK);
    ck_assert_int_eq(cv, 0);
    ck_assert_int_eq(bzl_tax_convert(500, E9(1), &cv), BZL_OK);
    ck_assert_int_eq(cv, F(1));
    ck_assert_int_eq(bzl_tax_convert(INT64_MAX, INT64_MAX, &cv), BZL_OVERFLOW);
}
END_TEST

/* Half-fen: CV 12.50 at duty 5 % = 0.625 → 0.63 (half-up; banker's rounding would give 0.62).
 * VAT 13 % on 12.50 + 0.63 = 13.13 → 1.7069 → 1.71. No excise. */
START_TEST(duty_half_fen_rounds_up_and_vat_takes_the_rounded_duty)
{
    bzl_tax_rates r = {P(500), P(1300), 0};
    bzl_tax_amounts t;
    ck_assert_int_eq(bzl_tax_on_value(F(1250), 0, &r, true, &t), BZL_OK);
    ck_assert_int_eq(t.duty_e5, F(63));
    ck_assert_int_eq(t.excise_e5, 0);
    ck_assert_int_eq(t.vat_e5, F(171));
}
END_TEST

/* CV 10000.00, duty 10 % → 1000.00; excise 10 %: (10000 + 1000) / 0.9 × 0.1 = 1222.2222… →
 * 1222.22; VAT 13 % on 11000 + 1222.22 = 12222.22 → 1588.8886 → 1588.89. */
START_TEST(excise_divides_its_base_by_one_minus_the_rate)
{
    bzl_tax_rates r = {P(1000), P(1300), P(1000)};
    bzl_tax_amounts t;
    ck_assert_int_eq(bzl_tax_on_value(F(1000000), 0, &r, true, &t), BZL_OK);
    ck_assert_int_eq(t.duty_e5, F(100000));
    ck_assert_int_eq(t.excise_e5, F(122222));
    ck_assert_int_eq(t.vat_e5, F(158889));
}
END_TEST

/* Weighted average: 100 units of imports 1000 units for 3333.33 → 333.333 (scale 5, exact). */
START_TEST(average_value_is_exact_at_five_places_and_refuses_no_imports)
{
    int64_t v = 0;
    ck_assert_int_eq(bzl_tax_average_value(E5(100), 333333000, E5(1000), &v), BZL_OK);
    ck_assert_int_eq(v, 33333300);
    /* 1 of 3 units worth 1.00 → 0.333333… → 0.33333 */
    ck_assert_int_eq(bzl_tax_average_value(E5(1), E5(1), E5(3), &v), BZL_OK);
    ck_assert_int_eq(v, 33333);
    ck_assert_int_eq(bzl_tax_average_value(E5(1), E5(1), 0, &v), BZL_INVALID_ARGUMENT);
}
END_TEST

/* Tax 10000.00 from 2023-01-01 to 2023-07-01 at 0.35 %: end − start = 181 days → 10000 × 181 ×
 * 0.0035 / 360 = 17.5972… → 17.60; both ends = 182 days → 17.6944… → 17.69. */
START_TEST(interest_is_tax_days_rate_over_360_rounded_to_the_fen)
{
    int32_t days = 0;
    int64_t i = 0;
    ck_assert_int_eq(
        bzl_tax_interest_days(day(2023, 1, 1), day(2023, 7, 1), BZL_DAYS_END_MINUS_START, &days),
        BZL_OK);
    ck_assert_int_eq(days, 181);
    ck_assert_int_eq(bzl_tax_interest(F(1000000), days, P(35), &i), BZL_OK);
    ck_assert_int_eq(i, F(1760));
    ck_assert_int_eq(
        bzl_tax_interest_days(day(2023, 1, 1), day(2023, 7, 1), BZL_DAYS_INCLUSIVE, &days), BZL_OK);
    ck_assert_int_eq(days, 182);
    ck_assert_int_eq(bzl_tax_interest(F(1000000), days, P(35), &i), BZL_OK);
    ck_assert_int_eq(i, F(1769));
}
END_TEST

/* A sale on the first day of the window (end = start) bears 0 days under end − start and 1 day
 * inclusive (10000 × 1 × 0.0035 / 360 = 0.0972… → 0.10); a sale on its last day, one day
 * before the start, is refused. */
START_TEST(interest_on_the_first_day_and_before_the_window)
{
    int32_t days = -1;
    int64_t i = -1;
    int32_t start = day(2024, 3, 1);
    ck_assert_int_eq(bzl_tax_interest_days(start, start, BZL_DAYS_END_MINUS_START, &days), BZL_OK);
    ck_assert_int_eq(days, 0);
    ck_assert_int_eq(bzl_tax_interest(F(1000000), days, P(35), &i), BZL_OK);
    ck_assert_int_eq(i, 0);
    ck_assert_int_eq(bzl_tax_interest_days(start, start, BZL_DAYS_INCLUSIVE, &days), BZL_OK);
    ck_assert_int_eq(days, 1);
    ck_assert_int_eq(bzl_tax_interest(F(1000000), days, P(35), &i), BZL_OK);
    ck_assert_int_eq(i, F(10));
    days = 7;
    ck_assert_int_eq(bzl_tax_interest_days(start, start - 1, BZL_DAYS_END_MINUS_START, &days),
                     BZL_INVALID_DATE);
    ck_assert_int_eq(days, 7);
}
END_TEST

static bzl_tax_rules
rules(void)
{
    bzl_tax_rules r;
    bzl_tax_rules_default(&r);
    return r;
}

/* One material line, CV 10000.00 at duty 0 % and VAT 13 %: tax 1300.00. */
static bzl_tax_sale
one_line_sale(bzl_tax_part *part, int32_t start, int32_t end)
{
    memset(part, 0, sizeof *part);
    part->kind = BZL_KIND_MATERIAL;
    part->item_no = 1;
    part->qty_e5 = E5(10);
    part->cv_e5 = F(1000000);
    part->rates.vat_e9 = P(1300);
    bzl_tax_sale s;
    memset(&s, 0, sizeof s);
    s.basis = BZL_BASIS_ORDINARY;
    s.parts = part;
    s.part_count = 1;
    s.interest_start = start;
    s.interest_end = end;
    s.interest_rate_e9 = P(35);
    return s;
}

/* The last day of the interest window is the assessment date: 2023-01-01 … 2023-12-31 is 364
 * days; 1300.00 × 364 × 0.0035 / 360 = 4.6005… → 4.60. */
START_TEST(ordinary_sale_bears_interest_on_all_its_taxes_to_the_last_day)
{
    bzl_tax_part part;
    bzl_tax_sale s = one_line_sale(&part, day(2023, 1, 1), day(2023, 12, 31));
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.cv_e5, F(1000000));
    ck_assert_int_eq(res.total.vat_e5, F(130000));
    ck_assert_int_eq(res.interest_base_e5, F(130000));
    ck_assert_int_eq(res.interest_days, 364);
    ck_assert_int_eq(res.interest_e5, F(460));
    ck_assert_int_eq(res.interest_exempt, BZL_EXEMPT_NONE);
}
END_TEST

/* 2020-04-15 and 2020-12-31 fall in the exemption window (no interest); 2020-04-14 and
 * 2021-01-01 do not. From 2020-01-01: 2020-04-14 is 104 days: 1300 × 104 × 0.0035 / 360 =
 * 1.3144… → 1.31; 2021-01-01 is 366 days: 4.6258… → 4.63. */
START_TEST(the_2020_exemption_window_covers_exactly_its_two_ends)
{
    bzl_tax_part part;
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    int32_t start = day(2020, 1, 1);
    const struct {
        int32_t end;
        int64_t interest_e5;
        uint8_t exempt;
    } cases[] = {
        {day(2020, 4, 14), F(131), BZL_EXEMPT_NONE},
        {day(2020, 4, 15), 0, BZL_EXEMPT_WINDOW},
        {day(2020, 12, 31), 0, BZL_EXEMPT_WINDOW},
        {day(2021, 1, 1), F(463), BZL_EXEMPT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bzl_tax_sale s = one_line_sale(&part, start, cases[i].end);
        ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
        ck_assert_int_eq(res.interest_e5, cases[i].interest_e5);
        ck_assert_int_eq(res.interest_exempt, cases[i].exempt);
        ck_assert_int_eq(res.total.vat_e5, F(130000)); /* the taxes themselves stay due */
    }
}
END_TEST

/* Scrap (边角料) at its sale value 500.00, duty 5 % → 25.00, VAT 13 % of 525.00 → 68.25, and no
 * interest however long the window. */
START_TEST(scrap_sale_is_taxed_without_interest)
{
    bzl_tax_part part;
    bzl_tax_sale s = one_line_sale(&part, day(2021, 1, 1), day(2024, 1, 1));
    s.basis = BZL_BASIS_SCRAP;
    part.cv_e5 = F(50000);
    part.rates.duty_e9 = P(500);
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.total.duty_e5, F(2500));
    ck_assert_int_eq(res.total.vat_e5, F(6825));
    ck_assert_int_eq(res.interest_e5, 0);
    ck_assert_int_eq(res.interest_base_e5, 0);
    ck_assert_int_eq(res.interest_exempt, BZL_EXEMPT_BASIS);
}
END_TEST

static bzl_norm
norm_row(uint32_t material, int64_t net_e9, int64_t tangible_e9, int64_t share_e9)
{
    bzl_norm n;
    memset(&n, 0, sizeof n);
    strcpy(n.book_no, "E72012400001");
    n.product = 9;
    n.material = material;
    strcpy(n.version, "1");
    n.net_e9 = net_e9;
    n.tangible_e9 = tangible_e9;
    n.share_e9 = share_e9;
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    return n;
}

/* 100 units of product 9 by 折料 on three materials:
 *   M1 净耗 2, no loss, share 1 → 单耗 2 → 200 units
 *   M2 净耗 0.95, 有形 5 %     → 单耗 0.95 / 0.95 = 1 → 100 units
 *   M3 净耗 0.5, share 0.8     → u = 0.4 → 40 units
 * valued at their cycle's weighted average import value in USD, at 7.1 CNY per USD:
 *   M1 300 units imported for 450.00 → 200 × 1.5 = 300.00 USD → 2130.00 CNY;
 *      duty 5 % = 106.50; VAT 13 % of 2236.50 = 290.745 → 290.75 (half-fen)
 *   M2 1000 units for 3333.33 → 100 × 3.33333 = 333.333 USD → 2366.6643 → 2366.66;
 *      duty 8 % = 189.3328 → 189.33; VAT 13 % of 2555.99 = 332.2787 → 332.28
 *   M3 500 units for 1250.00 → 40 × 2.5 = 100.00 USD → 710.00; duty 0; VAT 92.30
 *   CV 5206.66, duty 295.83, VAT 715.33, tax 1011.16
 * interest 2023-01-01 … 2023-07-01 (181 days) at 0.35 %: 1011.16 × 181 × 0.0035 / 360 =
 *   1.77936… → 1.78 on the total; per tax: duty 0.52058… → 0.52, VAT 1.25878… → 1.26, 1.78. */
START_TEST(product_is_taxed_on_three_materials_by_its_norms)
{
    bzl_norm rows[3] = {norm_row(1, E9(2), 0, E9(1)), norm_row(2, 950000000, E9(5), E9(1)),
                        norm_row(3, 500000000, 0, 800000000)};
    int64_t qty[3] = {0, 0, 0};
    ck_assert_int_eq(bzl_tax_materials_of(rows, 3, E5(100), qty), BZL_OK);
    ck_assert_int_eq(qty[0], E5(200));
    ck_assert_int_eq(qty[1], E5(100));
    ck_assert_int_eq(qty[2], E5(40));

    const int64_t imported_value[3] = {E5(450), 333333000, E5(1250)};
    const int64_t imported_qty[3] = {E5(300), E5(1000), E5(500)};
    const bzl_tax_rates rates[3] = {{P(500), P(1300), 0}, {P(800), P(1300), 0}, {0, P(1300), 0}};
    const int64_t want_cv[3] = {F(213000), F(236666), F(71000)};
    bzl_tax_part parts[3];
    memset(parts, 0, sizeof parts);
    for (int i = 0; i < 3; i++) {
        int64_t usd = 0;
        ck_assert_int_eq(bzl_tax_average_value(qty[i], imported_value[i], imported_qty[i], &usd),
                         BZL_OK);
        parts[i].kind = BZL_KIND_MATERIAL;
        parts[i].item_no = (uint32_t)i + 1;
        parts[i].qty_e5 = qty[i];
        ck_assert_int_eq(bzl_tax_convert(usd, 7100000000, &parts[i].cv_e5), BZL_OK);
        ck_assert_int_eq(parts[i].cv_e5, want_cv[i]);
        parts[i].rates = rates[i];
    }
    bzl_tax_sale s;
    memset(&s, 0, sizeof s);
    s.basis = BZL_BASIS_ORDINARY;
    s.parts = parts;
    s.part_count = 3;
    s.interest_start = day(2023, 1, 1);
    s.interest_end = day(2023, 7, 1);
    s.interest_rate_e9 = P(35);
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(parts[0].tax.duty_e5, F(10650));
    ck_assert_int_eq(parts[0].tax.vat_e5, F(29075));
    ck_assert_int_eq(parts[1].tax.duty_e5, F(18933));
    ck_assert_int_eq(parts[1].tax.vat_e5, F(33228));
    ck_assert_int_eq(parts[2].tax.duty_e5, 0);
    ck_assert_int_eq(parts[2].tax.vat_e5, F(9230));
    ck_assert_int_eq(res.cv_e5, F(520666));
    ck_assert_int_eq(res.total.duty_e5, F(29583));
    ck_assert_int_eq(res.total.vat_e5, F(71533));
    ck_assert_int_eq(res.interest_base_e5, F(101116));
    ck_assert_int_eq(res.interest_days, 181);
    ck_assert_int_eq(res.interest_e5, F(178));
    r.interest_on = BZL_INTEREST_ON_PER_TAX;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.interest_e5, F(178));
}
END_TEST

/* Total vs per tax can differ by a fen (open question Q9): duty 100 % on CV 70.00 = 70.00, VAT
 * 50 % on 70.00 + 70.00 = 70.00; 50 days at 0.35 %: on the total 140 × 50 × 0.0035 / 360 =
 * 0.068055… → 0.07; per tax 70 × 50 × 0.0035 / 360 = 0.034027… → 0.03, twice → 0.06. */
START_TEST(interest_per_tax_can_lose_a_fen_against_the_total)
{
    bzl_tax_part parts[2];
    memset(parts, 0, sizeof parts);
    parts[0].cv_e5 = F(7000);
    parts[0].rates.duty_e9 = P(10000); /* 100 % duty on 70.00 → 70.00 */
    bzl_tax_sale s;
    memset(&s, 0, sizeof s);
    s.basis = BZL_BASIS_ORDINARY;
    s.parts = parts;
    s.part_count = 1;
    s.interest_start = day(2023, 1, 1);
    s.interest_end = day(2023, 1, 1) + 50;
    s.interest_rate_e9 = P(35);
    parts[0].rates.vat_e9 = P(5000); /* 50 % VAT on 70.00 + 70.00 → 70.00 */
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.total.duty_e5, F(7000));
    ck_assert_int_eq(res.total.vat_e5, F(7000));
    ck_assert_int_eq(res.interest_e5, F(7));
    r.interest_on = BZL_INTEREST_ON_PER_TAX;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.interest_e5, F(6));
}
END_TEST

/* A zone product, goods as presented CV 10000.00 (product duty 10 %, VAT 13 %), embodying M1
 * CV 3000.00 (duty 5 %) and M2 CV 2000.00 (duty 8 %):
 *   material basis: duty 150.00 + 160.00 = 310.00; VAT 13 % of 10000 + 310 = 1340.30; interest
 *     on the duty only, 181 days at 0.35 %: 310 × 181 × 0.0035 / 360 = 0.5455… → 0.55;
 *   product basis: duty 1000.00; VAT 13 % of 11000 = 1430.00; no interest. */
START_TEST(selective_duty_bases_differ_as_worked)
{
    bzl_tax_part parts[2];
    memset(parts, 0, sizeof parts);
    parts[0].cv_e5 = F(300000);
    parts[0].rates = (bzl_tax_rates){P(500), P(1300), 0};
    parts[1].cv_e5 = F(200000);
    parts[1].rates = (bzl_tax_rates){P(800), P(1300), 0};
    bzl_tax_sale s;
    memset(&s, 0, sizeof s);
    s.basis = BZL_BASIS_MATERIAL;
    s.parts = parts;
    s.part_count = 2;
    bzl_tax_part goods;
    memset(&goods, 0, sizeof goods);
    goods.kind = BZL_KIND_PRODUCT;
    goods.cv_e5 = F(1000000);
    goods.rates = (bzl_tax_rates){P(1000), P(1300), 0};
    s.goods = &goods;
    s.goods_count = 1;
    s.interest_start = day(2023, 1, 1);
    s.interest_end = day(2023, 7, 1);
    s.interest_rate_e9 = P(35);
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(parts[0].tax.duty_e5, F(15000));
    ck_assert_int_eq(parts[0].tax.vat_e5, 0);
    ck_assert_int_eq(parts[1].tax.duty_e5, F(16000));
    ck_assert_int_eq(goods.tax.duty_e5, 0);
    ck_assert_int_eq(goods.tax.vat_e5, F(134030));
    ck_assert_int_eq(res.total.duty_e5, F(31000));
    ck_assert_int_eq(res.total.vat_e5, F(134030));
    ck_assert_int_eq(res.interest_base_e5, F(31000));
    ck_assert_int_eq(res.interest_e5, F(55));

    s.basis = BZL_BASIS_PRODUCT;
    s.part_count = 0;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.total.duty_e5, F(100000));
    ck_assert_int_eq(res.total.vat_e5, F(143000));
    ck_assert_int_eq(res.interest_e5, 0);
    ck_assert_int_eq(res.interest_exempt, BZL_EXEMPT_BASIS);
}
END_TEST

/* Material basis over two product lines: each line's VAT takes the duty of its own materials.
 *   line 0: goods CV 1000.00, VAT 13 %, embodies M1 CV 1000.00 at duty 5 % = 50.00
 *           → VAT (1000 + 50) × 13 % = 136.50
 *   line 1: goods CV 2000.00, VAT 9 %, embodies M2 CV 1000.00 at duty 8 % = 80.00
 *           → VAT (2000 + 80) × 9 % = 187.20
 *   duty 130.00 on materials worth 2000.00; VAT 323.70 on goods worth 3000.00.
 * A material naming a line that does not exist is refused. */
START_TEST(material_basis_attributes_each_material_duty_to_its_own_line)
{
    bzl_tax_part parts[2];
    memset(parts, 0, sizeof parts);
    parts[0].cv_e5 = F(100000);
    parts[0].rates.duty_e9 = P(500);
    parts[0].goods_index = 0;
    parts[1].cv_e5 = F(100000);
    parts[1].rates.duty_e9 = P(800);
    parts[1].goods_index = 1;
    bzl_tax_part goods[2];
    memset(goods, 0, sizeof goods);
    goods[0].cv_e5 = F(100000);
    goods[0].rates = (bzl_tax_rates){P(1000), P(1300), 0};
    goods[1].cv_e5 = F(200000);
    goods[1].rates = (bzl_tax_rates){P(1000), P(900), 0};
    bzl_tax_sale s;
    memset(&s, 0, sizeof s);
    s.basis = BZL_BASIS_MATERIAL;
    s.parts = parts;
    s.part_count = 2;
    s.goods = goods;
    s.goods_count = 2;
    s.interest_start = day(2023, 1, 1);
    s.interest_end = day(2023, 1, 1);
    s.interest_rate_e9 = P(35);
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(goods[0].tax.vat_e5, F(13650));
    ck_assert_int_eq(goods[1].tax.vat_e5, F(18720));
    ck_assert_int_eq(res.total.duty_e5, F(13000));
    ck_assert_int_eq(res.total.vat_e5, F(32370));
    ck_assert_int_eq(res.duty_cv_e5, F(200000));
    ck_assert_int_eq(res.cv_e5, F(300000));
    parts[1].goods_index = 2;
    bzl_fault f;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "duty_basis");
}
END_TEST

/* Small-amount rule on: CV 600.00 at duty 5 % = 30.00 (≤ 50: zeroed, in the part too); VAT 13 %
 * of 630.00 = 81.90 stays; interest on 81.90 for 181 days = 0.144… → 0.14 ≤ 50: zeroed. Off
 * (the default) nothing is zeroed: interest on 111.90 = 0.1969… → 0.20. */
START_TEST(small_amount_rule_zeroes_each_kind_at_or_below_the_limit_only_when_on)
{
    bzl_tax_part part;
    bzl_tax_sale s = one_line_sale(&part, day(2023, 1, 1), day(2023, 7, 1));
    part.cv_e5 = F(60000);
    part.rates.duty_e9 = P(500);
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.total.duty_e5, F(3000));
    ck_assert_int_eq(res.total.vat_e5, F(8190));
    ck_assert_int_eq(res.interest_e5, F(20));
    ck_assert(!res.small_exempted);
    r.small_exempt = true;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, NULL), BZL_OK);
    ck_assert_int_eq(res.total.duty_e5, 0);
    ck_assert_int_eq(part.tax.duty_e5, 0);
    ck_assert_int_eq(res.total.vat_e5, F(8190));
    ck_assert(res.small_exempted);
    ck_assert_int_eq(res.interest_e5, 0);
    ck_assert_int_eq(res.interest_exempt, BZL_EXEMPT_SMALL);
}
END_TEST

/* A basis without what it needs, an unknown basis, an interest window that ends before it
 * starts are refused naming the field; *out is untouched. */
START_TEST(assess_refuses_incomplete_sales)
{
    bzl_tax_part part;
    bzl_tax_sale s = one_line_sale(&part, day(2023, 1, 2), day(2023, 1, 1));
    bzl_tax_rules r = rules();
    bzl_tax_result res;
    memset(&res, 0x5a, sizeof res);
    bzl_fault f;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, &f), BZL_INVALID_DATE);
    ck_assert_str_eq(f.field, "interest_start");
    ck_assert_int_eq(res.interest_days, 0x5a5a5a5a);
    s.interest_start = s.interest_end;
    s.basis = BZL_BASIS_MATERIAL;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "duty_basis");
    s.basis = 9;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, &f), BZL_INVALID_ARGUMENT);
    s.basis = BZL_BASIS_ORDINARY;
    s.part_count = 0;
    ck_assert_int_eq(bzl_tax_assess(&s, &r, &res, &f), BZL_INVALID_ARGUMENT);
    bzl_tax_rates bad = {0, P(10001), 0};
    ck_assert_int_eq(bzl_tax_rates_check(&bad, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "vat");
    bad = (bzl_tax_rates){0, 0, P(10000)};
    ck_assert_int_eq(bzl_tax_rates_check(&bad, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "excise");
    bad = (bzl_tax_rates){-1, 0, 0};
    ck_assert_int_eq(bzl_tax_rates_check(&bad, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "duty");
}
END_TEST

/* The built-in history is B.4's, on the PBOC dates, and the look-up takes the newest row in
 * force: 0.36 % on 2011-02-08, 0.40 % on 2011-02-09, 0.35 % ever since 2012-07-06; nothing
 * before 2008-12-23. */
START_TEST(builtin_rate_history_and_lookup)
{
    uint32_t n = 0;
    const bzl_interest_rate *rows = bzl_tax_builtin_rates(&n);
    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(rows[0].from, day(2008, 12, 23));
    ck_assert_int_eq(rows[1].from, day(2009, 3, 6));
    ck_assert_int_eq(rows[2].from, day(2011, 2, 9));
    ck_assert_int_eq(rows[3].from, day(2011, 4, 6));
    ck_assert_int_eq(rows[4].from, day(2012, 6, 8));
    ck_assert_int_eq(rows[5].from, day(2012, 7, 6));
    int64_t rate = 0;
    ck_assert_int_eq(bzl_tax_rate_on(rows, n, day(2011, 2, 8), &rate), BZL_OK);
    ck_assert_int_eq(rate, P(36));
    ck_assert_int_eq(bzl_tax_rate_on(rows, n, day(2011, 2, 9), &rate), BZL_OK);
    ck_assert_int_eq(rate, P(40));
    ck_assert_int_eq(bzl_tax_rate_on(rows, n, day(2026, 12, 6), &rate), BZL_OK);
    ck_assert_int_eq(rate, P(35));
    rate = 1;
    ck_assert_int_eq(bzl_tax_rate_on(rows, n, day(2008, 12, 22), &rate), BZL_NOT_FOUND);
    ck_assert_int_eq(rate, 1);
}
END_TEST

START_TEST(basis_names_round_trip)
{
    uint8_t b = 0;
    for (uint8_t i = 1; i <= 4; i++) {
        ck_assert(bzl_tax_basis_parse(bzl_tax_basis_name(i), &b));
        ck_assert_uint_eq(b, i);
    }
    ck_assert(!bzl_tax_basis_parse("Material", &b));
    ck_assert_str_eq(bzl_tax_basis_name(0), "unknown");
}
END_TEST

/* duty_basis belongs to a product sold at home only (flow 15): refused, naming the field, on a
 * material sale, scrap and an import; tax_date to a domestic sale (6, 15, 19) only, and never
 * before the declaration's date. */
START_TEST(tax_attributes_only_where_they_mean_something)
{
    bzl_declaration d;
    bzl_fault f;
    memset(&d, 0, sizeof d);
    d.date = day(2026, 3, 10);
    d.duty_basis = BZL_BASIS_MATERIAL;
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_PROD_DOMESTIC_SALE, &f), BZL_OK);
    const uint8_t not_product[] = {BZL_FLOW_MAT_DOMESTIC_SALE, BZL_FLOW_SCRAP_SALE,
                                   BZL_FLOW_MAT_IMPORT};
    for (size_t i = 0; i < sizeof not_product; i++) {
        ck_assert_int_eq(bzl_tax_decl_check(&d, not_product[i], &f), BZL_INVALID_ARGUMENT);
        ck_assert_str_eq(f.field, "duty_basis");
    }
    d.duty_basis = 0;
    d.tax_date = day(2026, 3, 12);
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_MAT_DOMESTIC_SALE, &f), BZL_OK);
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_SCRAP_SALE, &f), BZL_OK);
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_PROD_DOMESTIC_SALE, &f), BZL_OK);
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_MAT_IMPORT, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "tax_date");
    d.tax_date = day(2026, 3, 9); /* the day before the declaration */
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_MAT_DOMESTIC_SALE, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "tax_date");
    d.tax_date = d.date; /* the same day is fine */
    ck_assert_int_eq(bzl_tax_decl_check(&d, BZL_FLOW_MAT_DOMESTIC_SALE, &f), BZL_OK);
}
END_TEST

static Suite *
tax_suite(void)
{
    Suite *s = suite_create("tax");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, convert_rounds_once_to_the_fen);
    tcase_add_test(tc, duty_half_fen_rounds_up_and_vat_takes_the_rounded_duty);
    tcase_add_test(tc, excise_divides_its_base_by_one_minus_the_rate);
    tcase_add_test(tc, average_value_is_exact_at_five_places_and_refuses_no_imports);
    tcase_add_test(tc, interest_is_tax_days_rate_over_360_rounded_to_the_fen);
    tcase_add_test(tc, interest_on_the_first_day_and_before_the_window);
    tcase_add_test(tc, ordinary_sale_bears_interest_on_all_its_taxes_to_the_last_day);
    tcase_add_test(tc, the_2020_exemption_window_covers_exactly_its_two_ends);
    tcase_add_test(tc, scrap_sale_is_taxed_without_interest);
    tcase_add_test(tc, product_is_taxed_on_three_materials_by_its_norms);
    tcase_add_test(tc, interest_per_tax_can_lose_a_fen_against_the_total);
    tcase_add_test(tc, selective_duty_bases_differ_as_worked);
    tcase_add_test(tc, material_basis_attributes_each_material_duty_to_its_own_line);
    tcase_add_test(tc, small_amount_rule_zeroes_each_kind_at_or_below_the_limit_only_when_on);
    tcase_add_test(tc, assess_refuses_incomplete_sales);
    tcase_add_test(tc, builtin_rate_history_and_lookup);
    tcase_add_test(tc, basis_names_round_trip);
    tcase_add_test(tc, tax_attributes_only_where_they_mean_something);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(tax_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
