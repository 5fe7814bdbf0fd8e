/* calendar.c — dates, months and periods (calendar.h). */
#include "bzl/calendar.h"

#include "bzl/ledger.h"

#include <stdio.h>
#include <string.h>

/* ---- dates --------------------------------------------------------------------------- */

/* days_from_civil and civil_from_days are Howard Hinnant's algorithms, "chrono-Compatible
 * Low-Level Date Algorithms", http://howardhinnant.github.io/date_algorithms.html (public
 * domain). They count the proleptic Gregorian calendar in 400-year eras of 146097 days, with
 * years starting on 1 March so that the leap day falls last; 719468 is the day number of
 * 1970-01-01 counted from 0000-03-01. */
int32_t
bzl_date_from_civil(int year, unsigned month, unsigned day)
{
    BZL_ASSERT(month >= 1u && month <= 12u);
    BZL_ASSERT(day >= 1u && day <= 31u);
    int64_t y = (int64_t)year - (month <= 2u ? 1 : 0);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                /* [0, 399] */
    unsigned mp = month > 2u ? month - 3u : month + 9u;      /* March = 0 */
    unsigned doy = (153u * mp + 2u) / 5u + day - 1u;         /* [0, 365] */
    unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy; /* [0, 146096] */
    int64_t days = era * 146097 + (int64_t)doe - 719468;
    BZL_ASSERT(days >= INT32_MIN && days <= INT32_MAX);
    return (int32_t)days;
}

typedef struct civil {
    int year;
    unsigned month, day;
} civil;

static civil
civil_from_days(int32_t days)
{
    int64_t z = (int64_t)days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);                              /* [0, 146096] */
    unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u; /* [0, 399] */
    unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);                /* [0, 365] */
    unsigned mp = (5u * doy + 2u) / 153u;                                     /* [0, 11] */
    civil c;
    c.day = doy - (153u * mp + 2u) / 5u + 1u;
    c.month = mp < 10u ? mp + 3u : mp - 9u;
    /* |days| < 2^31 keeps the year within ±5.9 million, well inside an int. */
    c.year = (int)((int64_t)yoe + era * 400 + (c.month <= 2u ? 1 : 0));
    return c;
}

static bool
is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned
days_in_month(int year, unsigned month)
{
    static const unsigned lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    BZL_ASSERT(month >= 1u && month <= 12u);
    return month == 2u && is_leap(year) ? 29u : lengths[month - 1u];
}

/* True when s[0..n) are all ASCII digits. */
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

/* The value of n ASCII digits (n <= 4). */
static unsigned
num(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    return v;
}

bzl_status
bzl_date_parse(const char *s, size_t len, int32_t *days_out)
{
    BZL_ASSERT(s != NULL || len == 0);
    BZL_ASSERT(days_out != NULL);
    if (len != BZL_DATE_LEN || s[4] != '-' || s[7] != '-') {
        return BZL_INVALID_DATE;
    }
    if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2)) {
        return BZL_INVALID_DATE;
    }
    int year = (int)num(s, 4);
    unsigned month = num(s + 5, 2);
    unsigned day = num(s + 8, 2);
    if (year < BZL_DATE_MIN_YEAR || year > BZL_DATE_MAX_YEAR || month < 1u || month > 12u) {
        return BZL_INVALID_DATE;
    }
    if (day < 1u || day > days_in_month(year, month)) {
        return BZL_INVALID_DATE;
    }
    *days_out = bzl_date_from_civil(year, month, day);
    return BZL_OK;
}

uint32_t
bzl_month_of(int32_t days)
{
    civil c = civil_from_days(days);
    BZL_ASSERT(c.year >= 0 && c.year <= 9999); /* what a yyyymm u32 key can order */
    return (uint32_t)c.year * 100u + c.month;
}

void
bzl_date_format(int32_t days, char *buf, size_t cap)
{
    BZL_ASSERT(buf != NULL);
    BZL_ASSERT(cap >= BZL_DATE_LEN + 1u);
    civil c = civil_from_days(days);
    /* Four year digits is what "YYYY-MM-DD" can say; parsed dates are 1990..2099. */
    BZL_ASSERT(c.year >= 0 && c.year <= 9999);
    unsigned y = (unsigned)c.year;
    char *p = buf;
    *p++ = (char)('0' + y / 1000u);
    *p++ = (char)('0' + y / 100u % 10u);
    *p++ = (char)('0' + y / 10u % 10u);
    *p++ = (char)('0' + y % 10u);
    *p++ = '-';
    *p++ = (char)('0' + c.month / 10u);
    *p++ = (char)('0' + c.month % 10u);
    *p++ = '-';
    *p++ = (char)('0' + c.day / 10u);
    *p++ = (char)('0' + c.day % 10u);
    *p = '\0';
}

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
period_fault(struct bzl_fault *fault, bzl_status st, const char *s, size_t len, const char *why)
{
    return bzl_fault_set(fault, st, 0, "period",
                         "period \"%.*s\" %s; use YYYY-MM, YYYY-Qn, YYYY or DATE..DATE (inclusive)",
                         (int)(len > 40 ? 40 : len), s, why);
}

bzl_status
bzl_period_parse(const char *s, size_t len, bzl_period *out, struct bzl_fault *fault)
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
bzl_period_require_months(const bzl_period *p, struct bzl_fault *fault)
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
