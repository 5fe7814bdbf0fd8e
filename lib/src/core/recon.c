/* recon.c — periods and the verification (核销) equation: pure arithmetic over summed totals. */
#include "bzl/recon.h"

#include "bzl/codes.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"

#include <stdio.h>
#include <string.h>

/* ---- months and periods ------------------------------------------------------------------- */

uint32_t
bzl_month_next(uint32_t yyyymm)
{
    BZL_ASSERT(yyyymm % 100 >= 1 && yyyymm % 100 <= 12);
    return yyyymm % 100 == 12 ? (yyyymm / 100 + 1) * 100 + 1 : yyyymm + 1;
}

uint32_t
bzl_month_prev(uint32_t yyyymm)
{
    BZL_ASSERT(yyyymm % 100 >= 1 && yyyymm % 100 <= 12);
    return yyyymm % 100 == 1 ? (yyyymm / 100 - 1) * 100 + 12 : yyyymm - 1;
}

int32_t
bzl_month_first_day(uint32_t yyyymm)
{
    return bzl_date_from_civil((int)(yyyymm / 100), yyyymm % 100, 1);
}

int32_t
bzl_month_last_day(uint32_t yyyymm)
{
    return bzl_month_first_day(bzl_month_next(yyyymm)) - 1;
}

static bool
digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static unsigned
num(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    return v;
}

static bool
year_ok(unsigned y)
{
    return y >= BZL_DATE_MIN_YEAR && y <= BZL_DATE_MAX_YEAR;
}

/* "YYYY", "YYYY-MM", "YYYY-Qn" into first and last month; false when malformed. */
static bool
parse_months(const char *s, size_t len, uint32_t *first, uint32_t *last)
{
    if (len < 4 || !digits(s, 4) || !year_ok(num(s, 4))) {
        return false;
    }
    unsigned y = num(s, 4);
    if (len == 4) {
        *first = y * 100 + 1;
        *last = y * 100 + 12;
        return true;
    }
    if (len == 7 && s[4] == '-' && digits(s + 5, 2)) {
        unsigned m = num(s + 5, 2);
        *first = *last = y * 100 + m;
        return m >= 1 && m <= 12;
    }
    if (len == 7 && s[4] == '-' && s[5] == 'Q' && s[6] >= '1' && s[6] <= '4') {
        unsigned q = (unsigned)(s[6] - '0');
        *first = y * 100 + (q - 1) * 3 + 1;
        *last = *first + 2;
        return true;
    }
    return false;
}

static bzl_status
period_fault(bzl_fault *fault, bzl_status st, const char *s, size_t len, const char *why)
{
    return bzl_fault_set(fault, st, 0, "period",
                         "period \"%.*s\" %s; use YYYY-MM, YYYY-Qn, YYYY or DATE..DATE (inclusive)",
                         (int)(len > 40 ? 40 : len), s, why);
}

bzl_status
bzl_period_parse(const char *s, size_t len, bzl_period *out, bzl_fault *fault)
{
    BZL_ASSERT(s != NULL && out != NULL);
    bzl_period p = {0};
    const char *dots = len >= 2 ? memmem(s, len, "..", 2) : NULL;
    if (dots != NULL) {
        size_t a = (size_t)(dots - s);
        if (bzl_date_parse(s, a, &p.from) != BZL_OK ||
            bzl_date_parse(dots + 2, len - a - 2, &p.to) != BZL_OK) {
            return period_fault(fault, BZL_INVALID_DATE, s, len,
                                "holds a date that is not "
                                "YYYY-MM-DD on the calendar");
        }
        if (p.to < p.from) {
            return period_fault(fault, BZL_INVALID_ARGUMENT, s, len, "ends before it starts");
        }
        p.first_month = bzl_month_of(p.from);
        p.last_month = bzl_month_of(p.to);
    } else if (parse_months(s, len, &p.first_month, &p.last_month)) {
        p.from = bzl_month_first_day(p.first_month);
        p.to = bzl_month_last_day(p.last_month);
    } else {
        return period_fault(fault, BZL_INVALID_ARGUMENT, s, len, "is not a period");
    }
    unsigned months = (p.last_month / 100 - p.first_month / 100) * 12u + p.last_month % 100 -
                      p.first_month % 100 + 1u;
    if (months > BZL_PERIOD_MONTHS_MAX) {
        return period_fault(fault, BZL_INVALID_ARGUMENT, s, len, "spans more than 120 months");
    }
    p.whole_months =
        p.from == bzl_month_first_day(p.first_month) && p.to == bzl_month_last_day(p.last_month);
    *out = p;
    return BZL_OK;
}

bzl_status
bzl_period_require_months(const bzl_period *p, bzl_fault *fault)
{
    if (p->whole_months) {
        return BZL_OK;
    }
    char text[BZL_PERIOD_TEXT_BYTES];
    bzl_period_format(p, text, sizeof text);
    return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "period",
                         "period %s is not whole months: verification and reports sum the "
                         "monthly period totals, so a DATE..DATE period must run from a month's "
                         "first day to a month's last day (or use YYYY-MM, YYYY-Qn, YYYY)",
                         text);
}

void
bzl_period_format(const bzl_period *p, char *buf, size_t cap)
{
    BZL_ASSERT(cap >= BZL_PERIOD_TEXT_BYTES);
    char a[16];
    char b[16];
    bzl_date_format(p->from, a, sizeof a);
    bzl_date_format(p->to, b, sizeof b);
    snprintf(buf, cap, "%s..%s", a, b);
}

/* ---- the verification equation ------------------------------------------------------------ */

int
bzl_recon_category_sign(unsigned category)
{
    switch (category) {
    case BZL_FLOW_MAT_IMPORT:
    case BZL_FLOW_MAT_TRANSFER_IN:
    case BZL_FLOW_MAT_LEFTOVER_IN:
    case BZL_FLOW_MAT_ZONE_TRANSFER_IN:
    case BZL_FLOW_MAT_RETURN_IN:
    case BZL_FLOW_MAT_LOW_VALUE:
    case BZL_FLOW_ADJUST_UP:
        return 1;
    case BZL_FLOW_MAT_REEXPORT:
    case BZL_FLOW_MAT_DOMESTIC_SALE:
    case BZL_FLOW_MAT_LEFTOVER_OUT:
    case BZL_FLOW_MAT_DESTROY:
    case BZL_FLOW_MAT_RETURN_OUT:
    case BZL_FLOW_MAT_ZONE_TRANSFER_OUT:
    case BZL_FLOW_ADJUST_DOWN:
    case BZL_CATEGORY_CONSUMPTION:
        return -1;
    default:
        return 0;
    }
}

/* Adds the period's categories into line: inflows, outflows, consumption, adjustments. */
static bzl_status
sum_categories(const bzl_recon_input *in, bzl_recon_line *l)
{
    bzl_i128 book = in->opening_e5;
    for (unsigned c = 1; c < BZL_RECON_CATEGORIES; c++) {
        int64_t v = in->totals_e5[c];
        int sign = bzl_recon_category_sign(c);
        book += sign * (bzl_i128)v;
        if (c == BZL_CATEGORY_CONSUMPTION) {
            l->consumption_e5 = v;
        } else if (c == BZL_CATEGORY_TANGIBLE_LOSS) {
            l->tangible_e5 = v;
        } else if (c == BZL_CATEGORY_INTANGIBLE_LOSS) {
            l->intangible_e5 = v;
        } else if (c == BZL_FLOW_ADJUST_UP) {
            l->adjust_up_e5 = v;
        } else if (c == BZL_FLOW_ADJUST_DOWN) {
            l->adjust_down_e5 = v;
        } else if (bzl_flow_is_scrap((bzl_flow)c)) {
            l->scrap_e5 += v;
        } else if (sign > 0) {
            l->inflow_e5 += v;
        } else if (sign < 0) {
            l->outflow_e5 += v;
        }
    }
    if (book > INT64_MAX || book < -INT64_MAX) {
        return BZL_OVERFLOW;
    }
    l->book_e5 = (int64_t)book;
    return BZL_OK;
}

bzl_status
bzl_recon_compute(const bzl_recon_input *in, int64_t tolerance_e4, bzl_recon_line *out)
{
    BZL_ASSERT(in != NULL && out != NULL);
    BZL_ASSERT(tolerance_e4 >= 0);
    bzl_recon_line l;
    memset(&l, 0, sizeof l);
    l.item_no = in->item_no;
    l.opening_e5 = in->opening_e5;
    memcpy(l.totals_e5, in->totals_e5, sizeof l.totals_e5);
    bzl_status st = sum_categories(in, &l);
    l.counted = in->counted;
    l.flag = BZL_RECON_UNCOUNTED;
    if (st == BZL_OK && in->counted) {
        l.counted_e5 = in->counted_e5;
        st = bzl_dec_sub(in->counted_e5, l.book_e5, &l.difference_e5);
    }
    if (st == BZL_OK && in->counted) {
        bzl_status rs = bzl_percent_e4(l.difference_e5, l.book_e5, &l.rate_e4);
        l.has_rate = rs == BZL_OK;
        st = rs == BZL_INVALID_ARGUMENT ? BZL_OK : rs;
        bool beyond = l.has_rate ? (l.rate_e4 > tolerance_e4 || l.rate_e4 < -tolerance_e4)
                                 : l.difference_e5 != 0;
        l.flag = !beyond               ? BZL_RECON_WITHIN
                 : l.difference_e5 < 0 ? BZL_RECON_SHORTAGE
                                       : BZL_RECON_SURPLUS;
    }
    if (l.book_e5 < 0) {
        l.flag = BZL_RECON_NEGATIVE_BOOK;
    }
    if (st == BZL_OK) {
        *out = l;
    }
    return st;
}

const char *
bzl_recon_flag_name(uint8_t flag)
{
    static const char *const names[] = {"within", "shortage", "surplus", "uncounted",
                                        "negative_book"};
    return flag < BZL_ARRAY_LEN(names) ? names[flag] : "unknown";
}
