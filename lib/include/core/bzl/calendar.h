/* calendar.h — dates, months and periods: the calendar every figure of the ledger is dated by.
 *
 * A date is days since 1970-01-01 in the proleptic Gregorian calendar; a month is yyyymm (the
 * period-total month); a period is inclusive days with the months they touch. Pure: no clock,
 * no time zone (customs dates are calendar dates), no heap.
 */
#ifndef BZL_CALENDAR_H
#define BZL_CALENDAR_H

#include "bzl/base.h"

struct bzl_fault; /* ledger.h */

#define BZL_DATE_LEN 10u /* YYYY-MM-DD */

/* Dates are days since 1970-01-01 in the proleptic Gregorian calendar. Accepted range:
 * 1990-01-01 .. 2099-12-31, which covers every book the zone can hold. */
#define BZL_DATE_MIN_YEAR 1990
#define BZL_DATE_MAX_YEAR 2099

/* Parses exactly "YYYY-MM-DD" (a real calendar date in range). BZL_INVALID_DATE otherwise
 * ("2026-02-30", "2026-13-01", "2026-1-5", trailing text). */
BZL_NODISCARD bzl_status bzl_date_parse(const char *s, size_t len, int32_t *days_out);
/* Writes "YYYY-MM-DD" and a NUL into buf (cap >= 11). */
void bzl_date_format(int32_t days, char *buf, size_t cap);
/* Days since 1970-01-01 for a civil date (no range check; the caller validated it). */
int32_t bzl_date_from_civil(int year, unsigned month, unsigned day);
/* yyyymm of a date (days since 1970-01-01), the period-total month. */
uint32_t bzl_month_of(int32_t days);

/* Months one period may span: ten years of monthly totals bounds a verification's reads per
 * item (the longest 核销周期 customs sets is a few years). */
#define BZL_PERIOD_MONTHS_MAX 120u
/* Bytes of a period's text ("2026-01-01..2026-12-31", a NUL, slack). */
#define BZL_PERIOD_TEXT_BYTES 40u

/* A period: inclusive days and the calendar months they touch. */
typedef struct bzl_period {
    int32_t from;         /* first day, days since 1970-01-01 */
    int32_t to;           /* last day, inclusive */
    uint32_t first_month; /* yyyymm of from */
    uint32_t last_month;  /* yyyymm of to */
    bool whole_months;    /* from is a month's first day and to a month's last */
} bzl_period;

/* Parses "YYYY-MM", "YYYY-Qn" (n 1..4), "YYYY", or "DATE..DATE" (inclusive, from <= to).
 * BZL_OK and *out; BZL_INVALID_ARGUMENT (malformed, reversed, longer than
 * BZL_PERIOD_MONTHS_MAX months) or BZL_INVALID_DATE (a date that is not a calendar date), with
 * fault naming field "period". */
BZL_NODISCARD bzl_status bzl_period_parse(const char *s, size_t len, bzl_period *out,
                                          struct bzl_fault *fault);
/* BZL_OK when p covers whole months; otherwise BZL_INVALID_ARGUMENT with a fault saying that
 * verification and reports sum monthly totals and which forms are accepted. */
BZL_NODISCARD bzl_status bzl_period_require_months(const bzl_period *p, struct bzl_fault *fault);
/* Writes the period as "YYYY-MM-DD..YYYY-MM-DD" (cap >= BZL_PERIOD_TEXT_BYTES). */
void bzl_period_format(const bzl_period *p, char *buf, size_t cap);

/* The month after / before yyyymm. */
uint32_t bzl_month_next(uint32_t yyyymm);
uint32_t bzl_month_prev(uint32_t yyyymm);
/* First and last day (days since 1970) of month yyyymm. */
int32_t bzl_month_first_day(uint32_t yyyymm);
int32_t bzl_month_last_day(uint32_t yyyymm);

#endif
