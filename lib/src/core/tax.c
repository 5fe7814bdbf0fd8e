/* tax.c — domestic-sale (内销) tax arithmetic: one rounding to the fen per figure (tax.h). */
#include "bzl/tax.h"

#include "bzl/calendar.h"
#include "bzl/decimal.h"
#include "bzl/flows.h"

#include <string.h>

/* 10^14: a product of a scale-5 amount and a scale-9 percentage, divided by this, is in fen
 * (amount × pct / 100 × 100 fen). */
#define FEN_DIVISOR_PCT ((bzl_i128)100000000000000LL)
/* 100 % at scale 9. */
#define PCT_100_E9 ((int64_t)100000000000LL)

/* *out_e5 = round_half_up(n / d) fen, written at scale 5. */
static bzl_status
fen_quotient(bzl_i128 n, bzl_i128 d, int64_t *out_e5)
{
    assert(d > 0);
    bzl_i128 fen = bzl_div_half_up(n, d);
    if (fen > INT64_MAX / BZL_TAX_FEN_E5 || fen < -(INT64_MAX / BZL_TAX_FEN_E5)) {
        return BZL_OVERFLOW;
    }
    *out_e5 = (int64_t)fen * BZL_TAX_FEN_E5;
    return BZL_OK;
}

static bzl_status
add3(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t ab = 0;
    bzl_status st = bzl_dec_add(a, b, &ab);
    if (st == BZL_OK) {
        st = bzl_dec_add(ab, c, out);
    }
    return st;
}

bzl_status
bzl_tax_rates_check(const bzl_tax_rates *r, bzl_fault *fault)
{
    assert(r != NULL);
    if (r->duty_e9 < 0 || r->duty_e9 > 10 * PCT_100_E9) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "duty",
                             "the duty rate must be 0 to 1000 percent");
    }
    if (r->vat_e9 < 0 || r->vat_e9 > PCT_100_E9) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "vat",
                             "the VAT rate must be 0 to 100 percent");
    }
    if (r->excise_e9 < 0 || r->excise_e9 >= PCT_100_E9) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "excise",
                             "the excise rate must be at least 0 and below 100 percent (its base "
                             "divides by 1 - rate)");
    }
    return BZL_OK;
}

bzl_status
bzl_tax_convert(int64_t value_e5, int64_t cny_e9, int64_t *cny_e5)
{
    assert(cny_e5 != NULL);
    /* value × 10^5 × rate × 10^9 = CNY × 10^14; fen = that / 10^12. */
    return fen_quotient((bzl_i128)value_e5 * cny_e9, (bzl_i128)1000000000000LL, cny_e5);
}

bzl_status
bzl_tax_average_value(int64_t qty_e5, int64_t total_value_e5, int64_t total_qty_e5,
                      int64_t *value_e5)
{
    assert(value_e5 != NULL);
    if (total_qty_e5 <= 0) {
        return BZL_INVALID_ARGUMENT;
    }
    return bzl_dec_quotient((bzl_i128)qty_e5 * total_value_e5, total_qty_e5, value_e5);
}

bzl_status
bzl_tax_on_value(int64_t cv_e5, int64_t extra_base_e5, const bzl_tax_rates *r, bool with_duty,
                 bzl_tax_amounts *out)
{
    assert(r != NULL && out != NULL);
    assert(r->excise_e9 >= 0 && r->excise_e9 < PCT_100_E9);
    bzl_tax_amounts t = {0, 0, 0};
    bzl_status st = BZL_OK;
    if (with_duty) {
        st = fen_quotient((bzl_i128)cv_e5 * r->duty_e9, FEN_DIVISOR_PCT, &t.duty_e5);
    }
    int64_t base = 0;
    if (st == BZL_OK) {
        st = add3(cv_e5, extra_base_e5, t.duty_e5, &base);
    }
    if (st == BZL_OK && r->excise_e9 > 0) {
        /* base × t / (1 − t) = base × pct / (100 − pct); fen = that × 100 / 10^5. */
        st = fen_quotient((bzl_i128)base * r->excise_e9,
                          (bzl_i128)(PCT_100_E9 - r->excise_e9) * BZL_TAX_FEN_E5, &t.excise_e5);
    }
    if (st == BZL_OK) {
        st = bzl_dec_add(base, t.excise_e5, &base);
    }
    if (st == BZL_OK) {
        st = fen_quotient((bzl_i128)base * r->vat_e9, FEN_DIVISOR_PCT, &t.vat_e5);
    }
    if (st == BZL_OK) {
        *out = t;
    }
    return st;
}

/* ---- 缓税利息 ------------------------------------------------------------------------------ */

void
bzl_tax_rules_default(bzl_tax_rules *out)
{
    assert(out != NULL);
    memset(out, 0, sizeof *out);
    out->day_count = BZL_DAYS_END_MINUS_START;
    out->interest_on = BZL_INTEREST_ON_TOTAL;
    out->small_exempt = false;
    out->small_limit_e5 = 50 * 100000LL;
    out->exempt_from = bzl_date_from_civil(2020, 4, 15);
    out->exempt_through = bzl_date_from_civil(2020, 12, 31);
}

bzl_status
bzl_tax_interest_days(int32_t start, int32_t end, uint8_t day_count, int32_t *days)
{
    assert(days != NULL);
    assert(day_count == BZL_DAYS_END_MINUS_START || day_count == BZL_DAYS_INCLUSIVE);
    if (end < start) {
        return BZL_INVALID_DATE;
    }
    *days = end - start + (day_count == BZL_DAYS_INCLUSIVE ? 1 : 0);
    return BZL_OK;
}

bzl_status
bzl_tax_interest(int64_t tax_e5, int32_t days, int64_t rate_e9, int64_t *interest_e5)
{
    assert(days >= 0 && rate_e9 >= 0 && interest_e5 != NULL);
    /* tax × 10^5 × days × pct × 10^9 = 10^14 × tax × days × pct; the interest in fen is
     * tax × days × pct / 100 / 360 × 100 = that / (10^14 × 360). |tax_e5| < 2^63, days < 2^16
     * (the calendar's range) and pct_e9 <= 10^11 (checked when set) keep it below 2^117. */
    bzl_i128 n = (bzl_i128)tax_e5 * days * rate_e9;
    return fen_quotient(n, FEN_DIVISOR_PCT * 360, interest_e5);
}

/* PBOC demand-deposit rates (活期存款利率), the 缓税利息 rate since G2009-13. Days since
 * 1970-01-01 are written out because a constant table cannot call the calendar; check_tax
 * proves each against bzl_date_from_civil. Sources: reference/next-wave.md B.4 [G2009-13, JCT]
 * for the levels and months; the days are the PBOC adjustment dates. The first row is the
 * one-year lending rate that applied before G2009-13 (5.31 % from 2008-12-23). */
static const bzl_interest_rate builtin_rates[] = {
    {14236, 5310000000}, /* 2008-12-23 5.31 % 一年期贷款基准利率 (before G2009-13) */
    {14309, 360000000},  /* 2009-03-06 0.36 % G2009-13: 活期存款利率 */
    {15014, 400000000},  /* 2011-02-09 0.40 % */
    {15070, 500000000},  /* 2011-04-06 0.50 % */
    {15499, 400000000},  /* 2012-06-08 0.40 % */
    {15527, 350000000},  /* 2012-07-06 0.35 % */
};

const bzl_interest_rate *
bzl_tax_builtin_rates(uint32_t *count)
{
    assert(count != NULL);
    *count = (uint32_t)(sizeof builtin_rates / sizeof builtin_rates[0]);
    return builtin_rates;
}

bzl_status
bzl_tax_rate_on(const bzl_interest_rate *rows, uint32_t count, int32_t date, int64_t *rate_e9)
{
    assert(count == 0 || rows != NULL);
    assert(rate_e9 != NULL);
    bzl_status st = BZL_NOT_FOUND;
    for (uint32_t i = 0; i < count && rows[i].from <= date; i++) {
        assert(i == 0 || rows[i - 1].from < rows[i].from);
        *rate_e9 = rows[i].rate_e9;
        st = BZL_OK;
    }
    return st;
}

/* ---- one assessment ------------------------------------------------------------------------ */

static const char *const basis_names[] = {"", "ordinary", "product", "material", "scrap"};

const char *
bzl_tax_basis_name(uint8_t basis)
{
    return basis >= 1 && basis <= 4 ? basis_names[basis] : "unknown";
}

bool
bzl_tax_basis_parse(const char *s, uint8_t *out)
{
    for (uint8_t b = 1; b <= 4; b++) {
        if (strcmp(s, basis_names[b]) == 0) {
            *out = b;
            return true;
        }
    }
    return false;
}

const char *
bzl_tax_exempt_name(uint8_t why)
{
    static const char *const names[] = {"", "basis", "window", "small"};
    return why <= 3 ? names[why] : "unknown";
}

static bzl_status
sum_amounts(bzl_tax_amounts *acc, const bzl_tax_amounts *t)
{
    bzl_status st = bzl_dec_add(acc->duty_e5, t->duty_e5, &acc->duty_e5);
    if (st == BZL_OK) {
        st = bzl_dec_add(acc->excise_e5, t->excise_e5, &acc->excise_e5);
    }
    if (st == BZL_OK) {
        st = bzl_dec_add(acc->vat_e5, t->vat_e5, &acc->vat_e5);
    }
    return st;
}

/* Taxes the parts (duty only on the MATERIAL basis) and the goods; sums into out. */
static bzl_status
tax_parts(bzl_tax_sale *sale, bzl_tax_result *out)
{
    bool material = sale->basis == BZL_BASIS_MATERIAL;
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && i < sale->part_count; i++) {
        bzl_tax_part *p = &sale->parts[i];
        if (material) {
            bzl_tax_rates duty_only = {p->rates.duty_e9, 0, 0};
            st = bzl_tax_on_value(p->cv_e5, 0, &duty_only, true, &p->tax);
        } else {
            st = bzl_tax_on_value(p->cv_e5, 0, &p->rates, true, &p->tax);
        }
        if (st == BZL_OK) {
            st = sum_amounts(&out->total, &p->tax);
        }
        if (st == BZL_OK) {
            st = bzl_dec_add(out->duty_cv_e5, p->cv_e5, &out->duty_cv_e5);
        }
    }
    out->cv_e5 = material ? 0 : out->duty_cv_e5;
    for (uint32_t g = 0; st == BZL_OK && g < sale->goods_count; g++) {
        /* PRODUCT: everything on the goods. MATERIAL: excise and VAT on the goods plus the duty
         * of the materials they embody (B.5, QDC2021). */
        int64_t embodied_duty = 0;
        for (uint32_t i = 0; st == BZL_OK && material && i < sale->part_count; i++) {
            if (sale->parts[i].goods_index == g) {
                st = bzl_dec_add(embodied_duty, sale->parts[i].tax.duty_e5, &embodied_duty);
            }
        }
        bzl_tax_part *goods = &sale->goods[g];
        if (st == BZL_OK) {
            st = bzl_tax_on_value(goods->cv_e5, embodied_duty, &goods->rates, !material,
                                  &goods->tax);
        }
        if (st == BZL_OK) {
            st = sum_amounts(&out->total, &goods->tax);
        }
        if (st == BZL_OK) {
            st = bzl_dec_add(out->cv_e5, goods->cv_e5, &out->cv_e5);
        }
        if (st == BZL_OK && !material) {
            st = bzl_dec_add(out->duty_cv_e5, goods->cv_e5, &out->duty_cv_e5);
        }
    }
    return st;
}

/* Zeroes each tax kind whose declaration total is within the small-amount limit, in the parts
 * too, so the parts still sum to the total. */
static void
small_exempt(bzl_tax_sale *sale, const bzl_tax_rules *rules, bzl_tax_result *out)
{
    int64_t lim = rules->small_limit_e5;
    bool duty = out->total.duty_e5 > 0 && out->total.duty_e5 <= lim;
    bool excise = out->total.excise_e5 > 0 && out->total.excise_e5 <= lim;
    bool vat = out->total.vat_e5 > 0 && out->total.vat_e5 <= lim;
    for (uint32_t i = 0; i < sale->part_count + sale->goods_count; i++) {
        bzl_tax_part *p =
            i < sale->part_count ? &sale->parts[i] : &sale->goods[i - sale->part_count];
        p->tax.duty_e5 = duty ? 0 : p->tax.duty_e5;
        p->tax.excise_e5 = excise ? 0 : p->tax.excise_e5;
        p->tax.vat_e5 = vat ? 0 : p->tax.vat_e5;
    }
    out->total.duty_e5 = duty ? 0 : out->total.duty_e5;
    out->total.excise_e5 = excise ? 0 : out->total.excise_e5;
    out->total.vat_e5 = vat ? 0 : out->total.vat_e5;
    out->small_exempted = duty || excise || vat;
}

static bzl_status
interest_of(const bzl_tax_sale *sale, const bzl_tax_rules *rules, bzl_tax_result *out,
            bzl_fault *fault)
{
    bool duty_only = sale->basis == BZL_BASIS_MATERIAL;
    const bzl_tax_amounts *t = &out->total;
    bzl_status st =
        duty_only ? BZL_OK : add3(t->duty_e5, t->excise_e5, t->vat_e5, &out->interest_base_e5);
    if (duty_only) {
        out->interest_base_e5 = t->duty_e5;
    }
    if (sale->basis == BZL_BASIS_PRODUCT || sale->basis == BZL_BASIS_SCRAP) {
        out->interest_base_e5 = 0;
        out->interest_exempt = BZL_EXEMPT_BASIS;
        return st;
    }
    if (st == BZL_OK) {
        st = bzl_tax_interest_days(sale->interest_start, sale->interest_end, rules->day_count,
                                   &out->interest_days);
        if (st != BZL_OK) {
            return bzl_fault_set(fault, st, 0, "interest_start",
                                 "the interest start date is after the assessment date");
        }
    }
    out->interest_rate_e9 = sale->interest_rate_e9;
    if (sale->interest_end >= rules->exempt_from && sale->interest_end <= rules->exempt_through) {
        out->interest_exempt = BZL_EXEMPT_WINDOW;
        return st;
    }
    if (st == BZL_OK && (duty_only || rules->interest_on == BZL_INTEREST_ON_TOTAL)) {
        st = bzl_tax_interest(out->interest_base_e5, out->interest_days, sale->interest_rate_e9,
                              &out->interest_e5);
    } else if (st == BZL_OK) {
        int64_t d = 0;
        int64_t e = 0;
        int64_t v = 0;
        int32_t days = out->interest_days;
        int64_t rate = sale->interest_rate_e9;
        st = bzl_tax_interest(t->duty_e5, days, rate, &d);
        st = st == BZL_OK ? bzl_tax_interest(t->excise_e5, days, rate, &e) : st;
        st = st == BZL_OK ? bzl_tax_interest(t->vat_e5, days, rate, &v) : st;
        st = st == BZL_OK ? add3(d, e, v, &out->interest_e5) : st;
    }
    if (st == BZL_OK && rules->small_exempt && out->interest_e5 > 0 &&
        out->interest_e5 <= rules->small_limit_e5) {
        out->interest_e5 = 0;
        out->interest_exempt = BZL_EXEMPT_SMALL;
    }
    return st;
}

bzl_status
bzl_tax_assess(bzl_tax_sale *sale, const bzl_tax_rules *rules, bzl_tax_result *out,
               bzl_fault *fault)
{
    assert(sale != NULL && rules != NULL && out != NULL);
    assert(sale->part_count == 0 || sale->parts != NULL);
    assert(sale->goods_count == 0 || sale->goods != NULL);
    bool needs_goods = sale->basis == BZL_BASIS_PRODUCT || sale->basis == BZL_BASIS_MATERIAL;
    bool needs_parts = sale->basis != BZL_BASIS_PRODUCT;
    if (sale->basis < BZL_BASIS_ORDINARY || sale->basis > BZL_BASIS_SCRAP) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "duty_basis",
                             "the tax basis %u is not ordinary, product, material or scrap",
                             (unsigned)sale->basis);
    }
    bool material_of_goods = true;
    for (uint32_t i = 0; sale->basis == BZL_BASIS_MATERIAL && i < sale->part_count; i++) {
        material_of_goods = material_of_goods && sale->parts[i].goods_index < sale->goods_count;
    }
    if (needs_goods != (sale->goods_count > 0) || (needs_parts && sale->part_count == 0) ||
        !material_of_goods) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "duty_basis", "the %s basis needs %s",
                             bzl_tax_basis_name(sale->basis),
                             needs_goods ? "the goods as presented and their materials"
                                         : "at least one taxed line and no goods");
    }
    bzl_tax_result r;
    memset(&r, 0, sizeof r);
    bzl_status st = tax_parts(sale, &r);
    if (st == BZL_OK && rules->small_exempt) {
        small_exempt(sale, rules, &r);
    }
    if (st == BZL_OK) {
        st = interest_of(sale, rules, &r, fault);
    }
    if (st == BZL_OVERFLOW) {
        return bzl_fault_set(fault, st, 0, "value", "a tax figure is beyond the int64 range");
    }
    if (st == BZL_OK) {
        *out = r;
    }
    return st;
}

bzl_status
bzl_tax_decl_check(const bzl_declaration *d, uint8_t flow, bzl_fault *fault)
{
    assert(d != NULL);
    bool sale = flow == BZL_FLOW_MAT_DOMESTIC_SALE || flow == BZL_FLOW_PROD_DOMESTIC_SALE ||
                flow == BZL_FLOW_SCRAP_SALE;
    if (d->duty_basis != 0 && flow != BZL_FLOW_PROD_DOMESTIC_SALE) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "duty_basis",
                             "duty_basis %s: only a product sold at home (0245, 0644, 0444, "
                             "0445) chooses the basis of its duty (选择性征收关税, B.5); this "
                             "declaration is a %s",
                             bzl_tax_basis_name(d->duty_basis), bzl_flow_name((bzl_flow)flow));
    }
    if (d->tax_date != 0 && !sale) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "tax_date",
                             "tax_date: only a domestic sale has a tax notice; this declaration "
                             "is a %s",
                             bzl_flow_name((bzl_flow)flow));
    }
    if (d->tax_date != 0 && d->tax_date < d->date) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "tax_date",
                             "tax_date: the tax notice cannot precede the declaration's date");
    }
    return BZL_OK;
}

bzl_status
bzl_tax_materials_of(const bzl_norm *rows, uint32_t count, int64_t qty_e5, int64_t *out_qty_e5)
{
    assert(count == 0 || (rows != NULL && out_qty_e5 != NULL));
    for (uint32_t i = 0; i < count; i++) {
        int64_t tangible = 0;
        bzl_status st = bzl_norm_consume(&rows[i], qty_e5, &out_qty_e5[i], &tangible);
        if (st != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}
