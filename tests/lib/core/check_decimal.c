/* check_decimal.c — the decimal module: strict parsing, exact formatting, checked arithmetic.
 *
 * Every expected value below is worked out by hand in a comment next to it; none is produced
 * by the code under test. Values are written as their scaled integers (e5 = times 10^5,
 * e9 = times 10^9).
 */
#include "bzl/decimal.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A value parse never writes: seeing it after an error proves *out was left untouched. */
#define SENTINEL INT64_C(-777)

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct parse_case {
    const char *text;
    unsigned scale;
    bool allow_negative;
    bzl_status want;
    int64_t value; /* when want is BZL_OK */
} parse_case;

static void
expect_parse(const parse_case *c)
{
    int64_t out = SENTINEL;
    bzl_status st = bzl_dec_parse(c->text, strlen(c->text), c->scale, c->allow_negative, &out);
    ck_assert_msg(st == c->want, "parse \"%s\" at scale %u: got %s, want %s", c->text, c->scale,
                  bzl_status_name(st), bzl_status_name(c->want));
    int64_t want_out = c->want == BZL_OK ? c->value : SENTINEL;
    ck_assert_msg(out == want_out, "parse \"%s\" at scale %u: got %lld, want %lld", c->text,
                  c->scale, (long long)out, (long long)want_out);
}

static void
expect_parse_all(const parse_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        expect_parse(&cases[i]);
    }
}

static void
expect_format(int64_t value, unsigned scale, const char *want)
{
    char buf[BZL_DEC_TEXT_BYTES];
    memset(buf, 'x', sizeof(buf));
    size_t n = bzl_dec_format(value, scale, buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, want) == 0, "format %lld at scale %u: got \"%s\", want \"%s\"",
                  (long long)value, scale, buf, want);
    ck_assert_uint_eq(n, strlen(want));
}

static void
expect_fixed(int64_t value, unsigned scale, unsigned places, const char *want)
{
    char buf[BZL_DEC_TEXT_BYTES];
    memset(buf, 'x', sizeof(buf));
    size_t n = bzl_dec_format_fixed(value, scale, places, buf, sizeof(buf));
    ck_assert_msg(strcmp(buf, want) == 0,
                  "format_fixed %lld at scale %u, %u places: got \"%s\", want \"%s\"",
                  (long long)value, scale, places, buf, want);
    ck_assert_uint_eq(n, strlen(want));
}

typedef struct arith_case {
    int64_t a;
    unsigned a_scale;
    int64_t b;
    unsigned b_scale;
    unsigned out_scale;
    bzl_status want;
    int64_t value; /* when want is BZL_OK */
} arith_case;

typedef bzl_status (*arith_fn)(int64_t, unsigned, int64_t, unsigned, unsigned, int64_t *);

static void
expect_arith(arith_fn fn, const char *what, const arith_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const arith_case *c = &cases[i];
        int64_t out = SENTINEL;
        bzl_status st = fn(c->a, c->a_scale, c->b, c->b_scale, c->out_scale, &out);
        ck_assert_msg(st == c->want, "%s case %zu: got %s, want %s", what, i, bzl_status_name(st),
                      bzl_status_name(c->want));
        int64_t want_out = c->want == BZL_OK ? c->value : SENTINEL;
        ck_assert_msg(out == want_out, "%s case %zu: got %lld, want %lld", what, i, (long long)out,
                      (long long)want_out);
    }
}

/* ---- parse: accepted forms ----------------------------------------------------------- */

START_TEST(decimal_parse_accepts_canonical_quantities)
{
    /* Proves the grammar's accepted forms yield the exact scaled value at scale 5. */
    static const parse_case cases[] = {
        {"0", 5, false, BZL_OK, 0},
        {"0.000", 5, false, BZL_OK, 0},            /* zero with fraction digits is not "-0" */
        {"1", 5, false, BZL_OK, 100000},           /* 1 × 10^5 */
        {"1200.5", 5, false, BZL_OK, 120050000},   /* 1200.50000 */
        {"20000.5", 5, false, BZL_OK, 2000050000}, /* 20000.50000 */
        {"0.00001", 5, false, BZL_OK, 1},          /* the smallest step */
        {"0.07", 5, false, BZL_OK, 7000},          /* 0.07000: a zero after the point is fine */
        {"10.10", 5, false, BZL_OK, 1010000},      /* trailing fraction zeros are allowed */
        {"12345.67891", 5, false, BZL_OK, 1234567891},
        {"-3", 5, true, BZL_OK, -300000},
        {"-0.5", 5, true, BZL_OK, -50000},
        {"-0.00001", 5, true, BZL_OK, -1},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_accepts_rates_at_scale_9)
{
    /* Proves scale 9 places the fraction correctly: 0.95 is 950000000 e9, and so on. */
    static const parse_case cases[] = {
        {"0.95", 9, false, BZL_OK, 950000000},
        {"0.000000001", 9, false, BZL_OK, 1},
        {"1", 9, false, BZL_OK, 1000000000},
        {"2.5", 9, false, BZL_OK, 2500000000},
        {"-1.5", 9, true, BZL_OK, -1500000000},
        {"123456789.123456789", 9, false, BZL_OK, 123456789123456789},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_accepts_max_integer_digits_and_rejects_one_more)
{
    /* Proves the integer-digit bound is exactly 13 at scale 5 and 9 at scale 9: the largest
     * parsable magnitude is 10^18 - 1 scaled, and one more integer digit is DECIMAL_RANGE. */
    static const parse_case cases[] = {
        {"9999999999999.99999", 5, false, BZL_OK, 999999999999999999}, /* 13 + 5 nines */
        {"-9999999999999.99999", 5, true, BZL_OK, -999999999999999999},
        {"1000000000000", 5, false, BZL_OK, 100000000000000000}, /* 13 digits: 10^17 */
        {"10000000000000", 5, false, BZL_DECIMAL_RANGE, 0},      /* 14 digits */
        {"99999999999999", 5, false, BZL_DECIMAL_RANGE, 0},      /* 14 digits */
        {"-10000000000000", 5, true, BZL_DECIMAL_RANGE, 0},
        {"999999999.999999999", 9, false, BZL_OK, 999999999999999999}, /* 9 + 9 nines */
        {"1000000000", 9, false, BZL_DECIMAL_RANGE, 0},                /* 10 digits */
        {"-1000000000", 9, true, BZL_DECIMAL_RANGE, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_reads_only_len_bytes)
{
    /* Proves the text need not be NUL-terminated and bytes past len are never looked at:
     * "12345" cut to 3 bytes is 123, and a bare two-byte array parses as 42. */
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_parse("12345", 3, 5, false, &out), BZL_OK);
    ck_assert_int_eq(out, 12300000); /* 123 × 10^5 */
    ck_assert_int_eq(bzl_dec_parse("1.5X", 3, 5, false, &out), BZL_OK);
    ck_assert_int_eq(out, 150000); /* 1.50000 */
    const char two[2] = {'4', '2'};
    ck_assert_int_eq(bzl_dec_parse(two, sizeof(two), 9, false, &out), BZL_OK);
    ck_assert_int_eq(out, 42000000000);                               /* 42 × 10^9 */
    ck_assert_int_eq(bzl_dec_parse("1.", 1, 5, false, &out), BZL_OK); /* the point is past len */
    ck_assert_int_eq(out, 100000);
}
END_TEST

/* ---- parse: rejected forms ----------------------------------------------------------- */

START_TEST(decimal_parse_rejects_exponent)
{
    /* Proves no exponent form is read as a number, whatever its case or position. */
    static const parse_case cases[] = {
        {"1e5", 5, false, BZL_DECIMAL_SYNTAX, 0},   {"1E5", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1.5e2", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"1e-5", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"1e", 5, false, BZL_DECIMAL_SYNTAX, 0},    {"e5", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_negative_zero)
{
    /* Proves "-0" in any spelling is a syntax error even where negatives are allowed, and that
     * syntax is judged before the sign permission (so it is not DECIMAL_RANGE either). */
    static const parse_case cases[] = {
        {"-0", 5, true, BZL_DECIMAL_SYNTAX, 0},   {"-0.00", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"-0.0", 9, true, BZL_DECIMAL_SYNTAX, 0}, {"-0.00000", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"-0", 5, false, BZL_DECIMAL_SYNTAX, 0},  {"-0.00", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_plus_sign_and_doubled_signs)
{
    /* Proves only a single leading "-" is a sign. */
    static const parse_case cases[] = {
        {"+1", 5, true, BZL_DECIMAL_SYNTAX, 0},  {"--1", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"-", 5, true, BZL_DECIMAL_SYNTAX, 0},   {"1-", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"-+1", 5, true, BZL_DECIMAL_SYNTAX, 0}, {"+0", 5, true, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_thousands_separators)
{
    /* Proves grouping characters of any locale are not skipped. */
    static const parse_case cases[] = {
        {"1,000", 5, false, BZL_DECIMAL_SYNTAX, 0},   {"1 000", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1_000", 5, false, BZL_DECIMAL_SYNTAX, 0},   {"1'000", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1.000,5", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"1,5", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_bare_point)
{
    /* Proves a point needs digits on both sides. */
    static const parse_case cases[] = {
        {".5", 5, false, BZL_DECIMAL_SYNTAX, 0},   {"5.", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {".", 5, false, BZL_DECIMAL_SYNTAX, 0},    {"-.5", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"1..2", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"1.2.3", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_empty_text)
{
    /* Proves an empty string (and a NULL pointer with length 0) is DECIMAL_SYNTAX. */
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_parse("", 0, 5, false, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(bzl_dec_parse(NULL, 0, 9, true, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(bzl_dec_parse("5", 0, 5, false, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(out, SENTINEL);
}
END_TEST

START_TEST(decimal_parse_rejects_blanks)
{
    /* Proves no whitespace is trimmed, before, after or inside. */
    static const parse_case cases[] = {
        {" 1", 5, false, BZL_DECIMAL_SYNTAX, 0},  {"1 ", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"\t1", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"1\n", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"- 1", 5, true, BZL_DECIMAL_SYNTAX, 0},  {"1. 5", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_leading_zeros)
{
    /* Proves the integer part is "0" or starts with 1-9: "007" and "00" are not numbers. */
    static const parse_case cases[] = {
        {"007", 5, false, BZL_DECIMAL_SYNTAX, 0},  {"00", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"01.5", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"-01", 5, true, BZL_DECIMAL_SYNTAX, 0},
        {"00.0", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"0100", 9, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_non_ascii_digits)
{
    /* Proves digits outside ASCII are bytes, not digits: Arabic-Indic "١٢٣" (U+0661..0663,
     * UTF-8 D9 A1 D9 A2 D9 A3), full-width "１２３", and a mix of both kinds. */
    static const parse_case cases[] = {
        {"\xd9\xa1\xd9\xa2\xd9\xa3", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"１２３", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1\xd9\xa2", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1.\xd9\xa2", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"\xc2\xbd", 5, false, BZL_DECIMAL_SYNTAX, 0}, /* ½ */
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_other_junk)
{
    /* Proves words, hex and signs in odd places are syntax errors, and an embedded NUL is an
     * invalid character rather than the end of the text. */
    static const parse_case cases[] = {
        {"abc", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"0x10", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"NaN", 5, false, BZL_DECIMAL_SYNTAX, 0}, {"inf", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"1.5-", 5, true, BZL_DECIMAL_SYNTAX, 0}, {"1.5%", 5, false, BZL_DECIMAL_SYNTAX, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_parse("1\0", 2, 5, false, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(bzl_dec_parse("1\0002", 3, 5, false, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(bzl_dec_parse("1.\0", 3, 5, false, &out), BZL_DECIMAL_SYNTAX);
    ck_assert_int_eq(out, SENTINEL);
}
END_TEST

START_TEST(decimal_parse_rejects_thirty_digits_as_range)
{
    /* Proves a well-formed but huge number is DECIMAL_RANGE (not a wrap, not SYNTAX), whether
     * the digits sit before or after the point. */
    static const parse_case cases[] = {
        {"123456789012345678901234567890", 5, false, BZL_DECIMAL_RANGE, 0},
        {"123456789012345678901234567890", 9, false, BZL_DECIMAL_RANGE, 0},
        {"-123456789012345678901234567890", 5, true, BZL_DECIMAL_RANGE, 0},
        {"0.123456789012345678901234567890", 5, false, BZL_DECIMAL_RANGE, 0},
        {"99999999999999999999", 5, false, BZL_DECIMAL_RANGE, 0}, /* 20 nines > INT64_MAX */
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_too_many_fraction_digits)
{
    /* Proves fraction digits beyond the scale are DECIMAL_RANGE, never silently rounded, even
     * when they are zeros; exactly `scale` digits is fine. */
    static const parse_case cases[] = {
        {"1.123456", 5, false, BZL_DECIMAL_RANGE, 0},
        {"1.000000", 5, false, BZL_DECIMAL_RANGE, 0},
        {"1.12345", 5, false, BZL_OK, 112345}, /* 1.12345 × 10^5 */
        {"0.1234567891", 9, false, BZL_DECIMAL_RANGE, 0},
        {"0.123456789", 9, false, BZL_OK, 123456789},
        {"-1.123456", 5, true, BZL_DECIMAL_RANGE, 0},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_parse_rejects_minus_when_negatives_are_not_allowed)
{
    /* Proves a minus sign is DECIMAL_RANGE when allow_negative is false, but a malformed text
     * with a minus stays DECIMAL_SYNTAX (grammar is judged first). */
    static const parse_case cases[] = {
        {"-5", 5, false, BZL_DECIMAL_RANGE, 0},    {"-0.00001", 5, false, BZL_DECIMAL_RANGE, 0},
        {"-0.95", 9, false, BZL_DECIMAL_RANGE, 0}, {"-1e5", 5, false, BZL_DECIMAL_SYNTAX, 0},
        {"-5", 5, true, BZL_OK, -500000},
    };
    expect_parse_all(cases, BZL_ARRAY_LEN(cases));
}
END_TEST

/* ---- format -------------------------------------------------------------------------- */

START_TEST(decimal_format_writes_shortest_exact_text)
{
    /* Proves trailing fraction zeros and a bare point are dropped and nothing is rounded. */
    expect_format(2000050000, 5, "20000.5");
    expect_format(-300000, 5, "-3");
    expect_format(0, 5, "0");
    expect_format(0, 0, "0");
    expect_format(1, 5, "0.00001");
    expect_format(-1, 5, "-0.00001");
    expect_format(120050000, 5, "1200.5");
    expect_format(1010000, 5, "10.1");
    expect_format(100001, 5, "1.00001");
    expect_format(999999999999999999, 5, "9999999999999.99999");
    expect_format(950000000, 9, "0.95");
    expect_format(2604166667, 9, "2.604166667");
    expect_format(42, 0, "42");
    expect_format(1, 18, "0.000000000000000001");
}
END_TEST

/* The one rounding rule: halves go away from zero whatever the signs (5/2 = 2.5 → 3, −5/2 →
 * −3, 5/−2 → −3), anything below a half goes toward zero (4/3 → 1, −4/3 → −1, 7/4 = 1.75 → 2). */
START_TEST(div_half_up_rounds_halves_away_from_zero)
{
    ck_assert(bzl_div_half_up(5, 2) == 3);
    ck_assert(bzl_div_half_up(-5, 2) == -3);
    ck_assert(bzl_div_half_up(5, -2) == -3);
    ck_assert(bzl_div_half_up(-5, -2) == 3);
    ck_assert(bzl_div_half_up(4, 3) == 1);
    ck_assert(bzl_div_half_up(-4, 3) == -1);
    ck_assert(bzl_div_half_up(7, 4) == 2);
    ck_assert(bzl_div_half_up(0, 9) == 0);
}
END_TEST

/* A quotient is an int64 figure: a zero divisor is INVALID_ARGUMENT, and one beyond ±INT64_MAX
 * (INT64_MIN included, whose negation is not representable) is OVERFLOW. */
START_TEST(dec_quotient_refuses_zero_divisor_and_out_of_range)
{
    int64_t q = 7;
    ck_assert_int_eq(bzl_dec_quotient(1, 0, &q), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(q, 7);
    ck_assert_int_eq(bzl_dec_quotient((bzl_i128)INT64_MAX * 2, 2, &q), BZL_OK);
    ck_assert_int_eq(q, INT64_MAX);
    ck_assert_int_eq(bzl_dec_quotient((bzl_i128)INT64_MAX * 2 + 2, 2, &q), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_quotient((bzl_i128)INT64_MIN, 1, &q), BZL_OVERFLOW);
    /* 1/3 of a percent at 4 places: 33.3333; 2/3: 66.6667; −2/3: −66.6667. */
    ck_assert_int_eq(bzl_percent_e4(2, 3, &q), BZL_OK);
    ck_assert_int_eq(q, 666667);
    ck_assert_int_eq(bzl_percent_e4(-2, 3, &q), BZL_OK);
    ck_assert_int_eq(q, -666667);
}
END_TEST

START_TEST(decimal_format_handles_int64_edges)
{
    /* Proves INT64_MIN (whose magnitude has no int64) and INT64_MAX print exactly at every
     * interesting scale. INT64_MAX = 9223372036854775807, INT64_MIN = -9223372036854775808. */
    expect_format(INT64_MAX, 0, "9223372036854775807");
    expect_format(INT64_MIN, 0, "-9223372036854775808");
    expect_format(INT64_MAX, 5, "92233720368547.75807");
    expect_format(INT64_MIN, 5, "-92233720368547.75808");
    expect_format(INT64_MAX, 18, "9.223372036854775807");
    expect_format(INT64_MIN, 18, "-9.223372036854775808");
    expect_format(INT64_MIN + 1, 9, "-9223372036.854775807");
}
END_TEST

/* The 128-bit format of the reports' cross-book sums: exact past int64, half away from zero
 * when fewer places are shown, the shortest text with places 0, never "-0.00". */
START_TEST(decimal_format_wide_prints_sums_past_int64)
{
    char b[BZL_DEC_WIDE_TEXT_BYTES];
    bzl_dec_format_wide((bzl_i128)INT64_MAX * 2, 5, 2, b, sizeof b);
    ck_assert_str_eq(b, "184467440737095.52"); /* 18446744073709551614 at 5 places */
    bzl_dec_format_wide(-((bzl_i128)INT64_MAX * 2), 5, 5, b, sizeof b);
    ck_assert_str_eq(b, "-184467440737095.51614");
    bzl_dec_format_wide(12345, 5, 2, b, sizeof b);
    ck_assert_str_eq(b, "0.12");
    bzl_dec_format_wide(15000, 5, 1, b, sizeof b);
    ck_assert_str_eq(b, "0.2"); /* 0.15: half up */
    bzl_dec_format_wide(-15000, 5, 1, b, sizeof b);
    ck_assert_str_eq(b, "-0.2"); /* half away from zero */
    bzl_dec_format_wide(-400, 5, 2, b, sizeof b);
    ck_assert_str_eq(b, "0.00");
    bzl_dec_format_wide(-2050000, 5, 0, b, sizeof b);
    ck_assert_str_eq(b, "-20.5");
    bzl_dec_format_wide(0, 4, 4, b, sizeof b);
    ck_assert_str_eq(b, "0.0000");
    bzl_dec_format_wide(INT64_MIN, 0, 0, b, sizeof b);
    ck_assert_str_eq(b, "-9223372036854775808");
    bzl_i128 p = 0;
    ck_assert_int_eq(bzl_percent_e4_wide((bzl_i128)INT64_MAX, (bzl_i128)INT64_MAX * 4, &p), BZL_OK);
    ck_assert(p == 250000); /* 25.0000 % */
    ck_assert_int_eq(bzl_percent_e4_wide(1, 0, &p), BZL_INVALID_ARGUMENT);
}
END_TEST

START_TEST(decimal_format_round_trips_through_parse)
{
    /* Proves parse then format returns the canonical text unchanged, for both scales. */
    static const char *const qty[] = {
        "0",
        "1",
        "-1",
        "0.5",
        "-0.5",
        "1200.5",
        "20000.5",
        "0.00001",
        "-0.00001",
        "123.45678",
        "1000000",
        "10.1",
        "100.01",
        "99999.9",
        "-4500.00005",
        "7",
        "3.14159",
        "9999999999999.99999",
        "-9999999999999.99999",
        "1000000000000",
        "0.1",
        "0.01",
        "0.001",
    };
    static const char *const rate[] = {
        "0.95", "1", "2.604166667", "0.000000001", "999999999.999999999", "-0.5", "12.5",
    };
    for (size_t i = 0; i < BZL_ARRAY_LEN(qty); i++) {
        int64_t v = 0;
        ck_assert_int_eq(bzl_dec_parse(qty[i], strlen(qty[i]), 5, true, &v), BZL_OK);
        expect_format(v, 5, qty[i]);
    }
    for (size_t i = 0; i < BZL_ARRAY_LEN(rate); i++) {
        int64_t v = 0;
        ck_assert_int_eq(bzl_dec_parse(rate[i], strlen(rate[i]), 9, true, &v), BZL_OK);
        expect_format(v, 9, rate[i]);
    }
}
END_TEST

START_TEST(decimal_format_then_parse_is_identity_over_the_parse_range)
{
    /* Proves format(v) parses back to v for 20,000 values spread over the whole parsable range
     * (|v| < 10^18) of both scales; the values come from a fixed linear congruential sequence
     * (Knuth's MMIX constants), so a failure is reproducible. */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        int64_t v = (int64_t)((x >> 1) % 1000000000000000000u);
        v = (x & 1u) != 0 && v != 0 ? -v : v;
        unsigned scale = (i % 2 == 0) ? 5u : 9u;
        char buf[BZL_DEC_TEXT_BYTES];
        size_t n = bzl_dec_format(v, scale, buf, sizeof(buf));
        int64_t back = SENTINEL;
        ck_assert_int_eq(bzl_dec_parse(buf, n, scale, true, &back), BZL_OK);
        ck_assert_msg(back == v, "%lld at scale %u printed as %s", (long long)v, scale, buf);
    }
}
END_TEST

START_TEST(decimal_format_fixed_pads_to_places)
{
    /* Proves exactly `places` fraction digits are printed, zeros included. */
    expect_fixed(1234000, 5, 4, "12.3400"); /* 12.34000 */
    expect_fixed(0, 5, 2, "0.00");
    expect_fixed(500000, 5, 0, "5"); /* no point at zero places */
    expect_fixed(-120050000, 5, 2, "-1200.50");
    expect_fixed(1, 5, 5, "0.00001"); /* places == scale prints everything */
    expect_fixed(960000000, 9, 4, "0.9600");
    expect_fixed(INT64_MIN, 0, 0, "-9223372036854775808");
}
END_TEST

START_TEST(decimal_format_fixed_rounds_half_away_from_zero)
{
    /* Proves rounding at .5 exact goes away from zero on both signs, just below .5 goes toward
     * zero, a carry ripples into the integer part, and a value rounding to zero has no sign. */
    expect_fixed(234500, 5, 2, "2.35");   /* 2.345   -> 2.35 */
    expect_fixed(-234500, 5, 2, "-2.35"); /* -2.345  -> -2.35 */
    expect_fixed(234499, 5, 2, "2.34");   /* 2.34499 -> 2.34 */
    expect_fixed(-234499, 5, 2, "-2.34");
    expect_fixed(50000, 5, 0, "1");        /* 0.5  -> 1 */
    expect_fixed(-50000, 5, 0, "-1");      /* -0.5 -> -1 */
    expect_fixed(49999, 5, 0, "0");        /* 0.49999 -> 0 */
    expect_fixed(-49999, 5, 0, "0");       /* -0.49999 -> 0, never "-0" */
    expect_fixed(-400, 5, 2, "0.00");      /* -0.004 -> 0.00, never "-0.00" */
    expect_fixed(999995, 5, 4, "10.0000"); /* 9.99995 -> 10.0000 */
    expect_fixed(-999995, 5, 4, "-10.0000");
    expect_fixed(604166667, 9, 4, "0.6042"); /* 0.604166667 -> 0.6042 */
    /* 2^63 at scale 1 is 922337203685477580.8, which rounds to ...581 (needs the unsigned
     * magnitude path); INT64_MAX at scale 1 is ...580.7, also ...581. */
    expect_fixed(INT64_MIN, 1, 0, "-922337203685477581");
    expect_fixed(INT64_MAX, 1, 0, "922337203685477581");
    /* -9.223372036854775808: the 18th place is 8, so 17 places round up to ...5481. */
    expect_fixed(INT64_MIN, 18, 17, "-9.22337203685477581");
    expect_fixed(INT64_MAX, 18, 0, "9");
}
END_TEST

/* ---- add and subtract ---------------------------------------------------------------- */

START_TEST(decimal_add_detects_overflow_at_int64_edges)
{
    /* Proves add is exact up to the int64 edges and reports OVERFLOW one step past, on both
     * sides, leaving *out untouched. */
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_add(120050000, 50000, &out), BZL_OK);
    ck_assert_int_eq(out, 120100000); /* 1200.5 + 0.5 = 1201 */
    ck_assert_int_eq(bzl_dec_add(INT64_MAX, 0, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MAX);
    ck_assert_int_eq(bzl_dec_add(INT64_MIN, INT64_MAX, &out), BZL_OK);
    ck_assert_int_eq(out, -1); /* -2^63 + 2^63 - 1 */
    ck_assert_int_eq(bzl_dec_add(INT64_MAX - 1, 1, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MAX);
    ck_assert_int_eq(bzl_dec_add(INT64_MIN + 1, -1, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MIN);
    out = SENTINEL;
    ck_assert_int_eq(bzl_dec_add(INT64_MAX, 1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_add(1, INT64_MAX, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_add(INT64_MIN, -1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_add(INT64_MIN, INT64_MIN, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_add(INT64_MAX, INT64_MAX, &out), BZL_OVERFLOW);
    ck_assert_int_eq(out, SENTINEL);
}
END_TEST

START_TEST(decimal_sub_detects_overflow_at_int64_edges)
{
    /* Proves subtract handles INT64_MIN on either side: 0 - INT64_MIN is 2^63 (overflow), but
     * -1 - INT64_MIN is INT64_MAX. */
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_sub(120050000, 50000, &out), BZL_OK);
    ck_assert_int_eq(out, 120000000); /* 1200.5 - 0.5 = 1200 */
    ck_assert_int_eq(bzl_dec_sub(-1, INT64_MIN, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MAX);
    ck_assert_int_eq(bzl_dec_sub(INT64_MIN, INT64_MIN, &out), BZL_OK);
    ck_assert_int_eq(out, 0);
    ck_assert_int_eq(bzl_dec_sub(0, INT64_MAX, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MIN + 1);
    ck_assert_int_eq(bzl_dec_sub(INT64_MIN + 1, 1, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_MIN);
    out = SENTINEL;
    ck_assert_int_eq(bzl_dec_sub(0, INT64_MIN, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_sub(INT64_MIN, 1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_sub(INT64_MAX, -1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_sub(INT64_MAX, INT64_MIN, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_sub(INT64_MIN, INT64_MAX, &out), BZL_OVERFLOW);
    ck_assert_int_eq(out, SENTINEL);
}
END_TEST

START_TEST(decimal_nine_max_parsed_values_sum_without_overflow)
{
    /* Proves the header's promise: nine values of the largest parsable magnitude sum inside an
     * int64 (9 × (10^18 - 1) = 8999999999999999991 < 9223372036854775807), and the tenth
     * (9999999999999999990) overflows. */
    int64_t max = 0;
    ck_assert_int_eq(bzl_dec_parse("9999999999999.99999", 19, 5, false, &max), BZL_OK);
    int64_t sum = 0;
    for (int i = 0; i < 9; i++) {
        ck_assert_int_eq(bzl_dec_add(sum, max, &sum), BZL_OK);
    }
    ck_assert_int_eq(sum, INT64_C(8999999999999999991));
    ck_assert_int_eq(bzl_dec_add(sum, max, &sum), BZL_OVERFLOW);
    ck_assert_int_eq(sum, INT64_C(8999999999999999991));
}
END_TEST

/* ---- multiply ------------------------------------------------------------------------ */

START_TEST(decimal_mul_rounds_once_half_away_from_zero)
{
    /* Proves products are exact before one half-up rounding at the output scale. */
    static const arith_case cases[] = {
        /* 1200.5 × 0.95 = 1140.475 exactly -> 114047500 e5 */
        {120050000, 5, 950000000, 9, 5, BZL_OK, 114047500},
        /* 3 × 0.333333333 = 0.999999999 -> at 5 places 0.99999|9999 rounds up to 1.00000 */
        {300000, 5, 333333333, 9, 5, BZL_OK, 100000},
        /* 0.00001 × 0.5 = 0.000005 -> exactly half a step: away from zero */
        {1, 5, 50000, 5, 5, BZL_OK, 1},
        {-1, 5, 50000, 5, 5, BZL_OK, -1},
        {1, 5, -50000, 5, 5, BZL_OK, -1},
        {-1, 5, -50000, 5, 5, BZL_OK, 1},
        /* 0.00001 × 0.49999 = 0.0000049999 -> just under half: toward zero */
        {1, 5, 49999, 5, 5, BZL_OK, 0},
        {-1, 5, 49999, 5, 5, BZL_OK, 0},
        /* 2.5 × 4 = 10 at scale 0; 12 × 0.5 at scale 9 = 6 -> 6000000000 */
        {25, 1, 4, 0, 0, BZL_OK, 10},
        {1200000, 5, 500000000, 9, 9, BZL_OK, 6000000000},
        /* growing the scale: 2 × 3 at scale 0 written at scale 5 = 600000 */
        {2, 0, 3, 0, 5, BZL_OK, 600000},
    };
    expect_arith(bzl_dec_mul, "mul", cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_mul_reports_overflow_never_wraps)
{
    /* Proves int64 edges: INT64_MIN × 1 fits, INT64_MIN × -1 (2^63) does not; a 126-bit
     * product rounded down to scale 0 fits; growing the scale can overflow. */
    static const arith_case cases[] = {
        {INT64_MIN, 0, 1, 0, 0, BZL_OK, INT64_MIN},
        {INT64_MAX, 0, -1, 0, 0, BZL_OK, -INT64_MAX},
        {INT64_MIN, 0, -1, 0, 0, BZL_OVERFLOW, 0},
        {INT64_MAX, 0, 2, 0, 0, BZL_OVERFLOW, 0},
        {INT64_MIN, 0, INT64_MIN, 0, 0, BZL_OVERFLOW, 0},
        {INT64_MAX, 5, INT64_MAX, 5, 5, BZL_OVERFLOW, 0},
        /* (2^63 - 1)^2 = 85070591730234615847396907784232501249 at scale 36 = 85.07... -> 85 */
        {INT64_MAX, 18, INT64_MAX, 18, 0, BZL_OK, 85},
        /* 2^126 = 85070591730234615865843651857942052864 at scale 36 -> 85 */
        {INT64_MIN, 18, INT64_MIN, 18, 0, BZL_OK, 85},
        /* 9 × 1 written at scale 18 is 9 × 10^18 (fits); 10 × 1 is 10^19 (does not) */
        {9, 0, 1, 0, 18, BZL_OK, INT64_C(9000000000000000000)},
        {10, 0, 1, 0, 18, BZL_OVERFLOW, 0},
        {-10, 0, 1, 0, 18, BZL_OVERFLOW, 0},
        /* (2^63 - 1)^2 × 10^18 would not even fit 128 bits: caught before it is formed */
        {INT64_MAX, 0, INT64_MAX, 0, 18, BZL_OVERFLOW, 0},
        {INT64_MIN, 0, INT64_MAX, 0, 18, BZL_OVERFLOW, 0},
    };
    expect_arith(bzl_dec_mul, "mul", cases, BZL_ARRAY_LEN(cases));
}
END_TEST

/* ---- divide -------------------------------------------------------------------------- */

START_TEST(decimal_div_computes_loss_rate_denominators)
{
    /* Proves the customs formula consumption = net / (1 - loss%/100) at scale 9, built only
     * from bzl_dec_div and bzl_dec_sub on e9 values:
     *   0.95 / (1 - 5/100):     5/100 = 0.05; 1 - 0.05 = 0.95; 0.95 / 0.95 = 1.000000000.
     *   2.5 / (1 - (3+1)/100):  4/100 = 0.04; 1 - 0.04 = 0.96; 2.5 / 0.96 = 125/48
     *                           = 2.604166666|666... -> half-up at 9 places = 2.604166667. */
    const int64_t one = 1000000000, hundred = 100000000000;
    int64_t share = 0, denom = 0, result = 0;

    ck_assert_int_eq(bzl_dec_div(5000000000, 9, hundred, 9, 9, &share), BZL_OK);
    ck_assert_int_eq(share, 50000000); /* 0.05 */
    ck_assert_int_eq(bzl_dec_sub(one, share, &denom), BZL_OK);
    ck_assert_int_eq(denom, 950000000); /* 0.95 */
    ck_assert_int_eq(bzl_dec_div(950000000, 9, denom, 9, 9, &result), BZL_OK);
    ck_assert_int_eq(result, 1000000000); /* 1.000000000 */

    int64_t loss = 0;
    ck_assert_int_eq(bzl_dec_add(3000000000, 1000000000, &loss), BZL_OK);
    ck_assert_int_eq(bzl_dec_div(loss, 9, hundred, 9, 9, &share), BZL_OK);
    ck_assert_int_eq(share, 40000000); /* 0.04 */
    ck_assert_int_eq(bzl_dec_sub(one, share, &denom), BZL_OK);
    ck_assert_int_eq(denom, 960000000); /* 0.96 */
    ck_assert_int_eq(bzl_dec_div(2500000000, 9, denom, 9, 9, &result), BZL_OK);
    ck_assert_int_eq(result, 2604166667); /* 2.604166667 */
}
END_TEST

START_TEST(decimal_div_rounds_half_away_from_zero_for_every_sign)
{
    /* Proves the quotient rounds half away from zero whichever operand is negative. */
    static const arith_case cases[] = {
        {1, 0, 8, 0, 2, BZL_OK, 13},   /* 1/8 = 0.125 -> 0.13 */
        {-1, 0, 8, 0, 2, BZL_OK, -13}, /* -0.125 -> -0.13 */
        {1, 0, -8, 0, 2, BZL_OK, -13},
        {-1, 0, -8, 0, 2, BZL_OK, 13},
        {1, 0, 3, 0, 2, BZL_OK, 33}, /* 0.333... -> 0.33 */
        {2, 0, 3, 0, 2, BZL_OK, 67}, /* 0.666... -> 0.67 */
        {-2, 0, 3, 0, 2, BZL_OK, -67},
        {1, 0, 3, 0, 18, BZL_OK, INT64_C(333333333333333333)},
        /* 1.5 at scale 18 divided by 1: the denominator is scaled by 10^18 -> 2; -1.5 -> -2 */
        {INT64_C(1500000000000000000), 18, 1, 0, 0, BZL_OK, 2},
        {INT64_C(-1500000000000000000), 18, 1, 0, 0, BZL_OK, -2},
        {INT64_C(1499999999999999999), 18, 1, 0, 0, BZL_OK, 1},
        /* 1200.5 / 2 = 600.25 at scale 5 */
        {120050000, 5, 200000, 5, 5, BZL_OK, 60025000},
    };
    expect_arith(bzl_dec_div, "div", cases, BZL_ARRAY_LEN(cases));
}
END_TEST

START_TEST(decimal_div_rejects_zero_divisor_and_overflow)
{
    /* Proves b = 0 is INVALID_ARGUMENT at any scale, INT64_MIN / -1 is OVERFLOW, and huge
     * scale shifts overflow instead of wrapping the 128-bit numerator. */
    static const arith_case cases[] = {
        {1, 5, 0, 5, 5, BZL_INVALID_ARGUMENT, 0},
        {0, 9, 0, 9, 9, BZL_INVALID_ARGUMENT, 0},
        {INT64_MIN, 0, 0, 18, 0, BZL_INVALID_ARGUMENT, 0},
        {INT64_MIN, 0, -1, 0, 0, BZL_OVERFLOW, 0},
        {INT64_MIN, 0, 1, 0, 0, BZL_OK, INT64_MIN},
        {INT64_MAX, 0, -1, 0, 0, BZL_OK, -INT64_MAX},
        /* 1 / 10^-18 at scale 18 = 10^36 e... = 10^36 > INT64_MAX */
        {1, 0, 1, 18, 18, BZL_OVERFLOW, 0},
        /* INT64_MAX × 10^36 does not even fit 128 bits */
        {INT64_MAX, 0, 1, 18, 18, BZL_OVERFLOW, 0},
        {INT64_MIN, 0, -1, 18, 18, BZL_OVERFLOW, 0},
        /* 9 / 1 at scale 18 = 9 × 10^18 fits; 10 / 1 does not */
        {9, 0, 1, 0, 18, BZL_OK, INT64_C(9000000000000000000)},
        {10, 0, 1, 0, 18, BZL_OVERFLOW, 0},
        {0, 0, 7, 0, 18, BZL_OK, 0},
    };
    expect_arith(bzl_dec_div, "div", cases, BZL_ARRAY_LEN(cases));
}
END_TEST

/* ---- rescale ------------------------------------------------------------------------- */

START_TEST(decimal_rescale_rounds_down_scale_and_checks_up_scale)
{
    /* Proves shrinking the scale rounds half away from zero and growing it reports OVERFLOW
     * instead of wrapping. */
    int64_t out = SENTINEL;
    ck_assert_int_eq(bzl_dec_rescale(123456, 5, 2, &out), BZL_OK);
    ck_assert_int_eq(out, 123); /* 1.23456 -> 1.23 */
    ck_assert_int_eq(bzl_dec_rescale(123500, 5, 2, &out), BZL_OK);
    ck_assert_int_eq(out, 124); /* 1.235 -> 1.24 */
    ck_assert_int_eq(bzl_dec_rescale(-123500, 5, 2, &out), BZL_OK);
    ck_assert_int_eq(out, -124);
    ck_assert_int_eq(bzl_dec_rescale(2604166667, 9, 5, &out), BZL_OK);
    ck_assert_int_eq(out, 260417); /* 2.604166667 -> 2.60417 */
    ck_assert_int_eq(bzl_dec_rescale(1, 5, 9, &out), BZL_OK);
    ck_assert_int_eq(out, 10000); /* 0.00001 = 0.000010000 */
    ck_assert_int_eq(bzl_dec_rescale(77, 5, 5, &out), BZL_OK);
    ck_assert_int_eq(out, 77);
    ck_assert_int_eq(bzl_dec_rescale(INT64_MIN, 18, 0, &out), BZL_OK);
    ck_assert_int_eq(out, -9); /* -9.223... -> -9 */
    ck_assert_int_eq(bzl_dec_rescale(INT64_C(922337203685477580), 0, 1, &out), BZL_OK);
    ck_assert_int_eq(out, INT64_C(9223372036854775800));
    out = SENTINEL;
    ck_assert_int_eq(bzl_dec_rescale(INT64_C(922337203685477581), 0, 1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_rescale(INT64_MAX, 0, 18, &out), BZL_OVERFLOW);
    ck_assert_int_eq(bzl_dec_rescale(INT64_MIN, 0, 1, &out), BZL_OVERFLOW);
    ck_assert_int_eq(out, SENTINEL);
}
END_TEST

/* ---- programmer errors --------------------------------------------------------------- */

START_TEST(decimal_format_aborts_on_a_small_buffer)
{
    /* Proves a buffer below BZL_DEC_TEXT_BYTES is a programmer error that aborts. */
    char buf[BZL_DEC_TEXT_BYTES];
    (void)bzl_dec_format(1, 5, buf, BZL_DEC_TEXT_BYTES - 1u);
}
END_TEST

START_TEST(decimal_format_aborts_on_a_scale_above_max)
{
    /* Proves a scale above BZL_SCALE_MAX is a programmer error that aborts. */
    char buf[BZL_DEC_TEXT_BYTES];
    (void)bzl_dec_format(1, BZL_SCALE_MAX + 1u, buf, sizeof(buf));
}
END_TEST

START_TEST(decimal_format_fixed_aborts_on_more_places_than_scale)
{
    /* Proves places > scale is a programmer error that aborts. */
    char buf[BZL_DEC_TEXT_BYTES];
    (void)bzl_dec_format_fixed(1, 5, 6, buf, sizeof(buf));
}
END_TEST

START_TEST(decimal_parse_aborts_on_an_undocumented_scale)
{
    /* Proves parse accepts only the two documented scales; any other is a programmer error. */
    int64_t out = 0;
    bzl_status st = bzl_dec_parse("1", 1, 7, false, &out);
    ck_abort_msg("parse at scale 7 returned %s instead of aborting", bzl_status_name(st));
}
END_TEST

START_TEST(decimal_mul_aborts_on_a_scale_above_max)
{
    /* Proves an operand scale above BZL_SCALE_MAX aborts rather than computing nonsense. */
    int64_t out = 0;
    bzl_status st = bzl_dec_mul(1, BZL_SCALE_MAX + 1u, 1, 0, 0, &out);
    ck_abort_msg("mul at scale 19 returned %s instead of aborting", bzl_status_name(st));
}
END_TEST

/* ---- runner -------------------------------------------------------------------------- */

static Suite *
decimal_suite(void)
{
    Suite *s = suite_create("decimal");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, decimal_parse_accepts_canonical_quantities);
    tcase_add_test(parse, decimal_parse_accepts_rates_at_scale_9);
    tcase_add_test(parse, decimal_parse_accepts_max_integer_digits_and_rejects_one_more);
    tcase_add_test(parse, decimal_parse_reads_only_len_bytes);
    tcase_add_test(parse, decimal_parse_rejects_exponent);
    tcase_add_test(parse, decimal_parse_rejects_negative_zero);
    tcase_add_test(parse, decimal_parse_rejects_plus_sign_and_doubled_signs);
    tcase_add_test(parse, decimal_parse_rejects_thousands_separators);
    tcase_add_test(parse, decimal_parse_rejects_bare_point);
    tcase_add_test(parse, decimal_parse_rejects_empty_text);
    tcase_add_test(parse, decimal_parse_rejects_blanks);
    tcase_add_test(parse, decimal_parse_rejects_leading_zeros);
    tcase_add_test(parse, decimal_parse_rejects_non_ascii_digits);
    tcase_add_test(parse, decimal_parse_rejects_other_junk);
    tcase_add_test(parse, decimal_parse_rejects_thirty_digits_as_range);
    tcase_add_test(parse, decimal_parse_rejects_too_many_fraction_digits);
    tcase_add_test(parse, decimal_parse_rejects_minus_when_negatives_are_not_allowed);
    suite_add_tcase(s, parse);

    TCase *format = tcase_create("format");
    tcase_add_test(format, decimal_format_writes_shortest_exact_text);
    tcase_add_test(format, decimal_format_handles_int64_edges);
    tcase_add_test(format, decimal_format_wide_prints_sums_past_int64);
    tcase_add_test(format, div_half_up_rounds_halves_away_from_zero);
    tcase_add_test(format, dec_quotient_refuses_zero_divisor_and_out_of_range);
    tcase_add_test(format, decimal_format_round_trips_through_parse);
    tcase_add_test(format, decimal_format_then_parse_is_identity_over_the_parse_range);
    tcase_add_test(format, decimal_format_fixed_pads_to_places);
    tcase_add_test(format, decimal_format_fixed_rounds_half_away_from_zero);
    suite_add_tcase(s, format);

    TCase *arith = tcase_create("arithmetic");
    tcase_add_test(arith, decimal_add_detects_overflow_at_int64_edges);
    tcase_add_test(arith, decimal_sub_detects_overflow_at_int64_edges);
    tcase_add_test(arith, decimal_nine_max_parsed_values_sum_without_overflow);
    tcase_add_test(arith, decimal_mul_rounds_once_half_away_from_zero);
    tcase_add_test(arith, decimal_mul_reports_overflow_never_wraps);
    tcase_add_test(arith, decimal_div_computes_loss_rate_denominators);
    tcase_add_test(arith, decimal_div_rounds_half_away_from_zero_for_every_sign);
    tcase_add_test(arith, decimal_div_rejects_zero_divisor_and_overflow);
    tcase_add_test(arith, decimal_rescale_rounds_down_scale_and_checks_up_scale);
    suite_add_tcase(s, arith);

    TCase *misuse = tcase_create("misuse");
    tcase_add_test_raise_signal(misuse, decimal_format_aborts_on_a_small_buffer, SIGABRT);
    tcase_add_test_raise_signal(misuse, decimal_format_aborts_on_a_scale_above_max, SIGABRT);
    tcase_add_test_raise_signal(misuse, decimal_format_fixed_aborts_on_more_places_than_scale,
                                SIGABRT);
    tcase_add_test_raise_signal(misuse, decimal_parse_aborts_on_an_undocumented_scale, SIGABRT);
    tcase_add_test_raise_signal(misuse, decimal_mul_aborts_on_a_scale_above_max, SIGABRT);
    suite_add_tcase(s, misuse);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(decimal_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
