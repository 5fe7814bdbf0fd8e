/* decimal.c — int64 fixed-point decimals: strict parse, exact format, checked arithmetic. */
#include "bzl/decimal.h"

#include <string.h>

/* Rounding policy (DESIGN.md §3, decimal.h)
 * -----------------------------------------
 * Every rounding here is half-up in the customs sense: half away from zero. 2.345 -> 2.35 and
 * -2.345 -> -2.35 at two places; 2.344999 -> 2.34. Customs computes on non-negative values
 * with Math.round, which is the same rule there; reversals carry negative values and must
 * round to the exact negation of the forward entry, hence the symmetric rule.
 *
 * Products and quotients are formed exactly in 128-bit integers and rounded once, at the
 * scale the caller names; nothing is rounded twice. A result that does not fit an int64 is
 * BZL_OVERFLOW and *out is left untouched; no function here ever wraps.
 *
 * The callers round the effective unit consumption to 9 places, a line's consumption to 5
 * and printed percentages to 4, each by naming that scale here.
 */

#define I128_MAX ((bzl_i128)(((bzl_u128)1 << 127) - 1u))

/* 10^38 is the largest power of ten an bzl_i128 holds; the code needs at most 10^36
 * (a product at scale 18 + 18 rounded to scale 0). */
#define POW10_I128_MAX 38u

static_assert(BZL_SCALE_MAX <= 18u, "10^scale must fit a uint64_t");
static_assert(BZL_DEC_INT_DIGITS_QTY + BZL_SCALE_QTY == 18u,
              "parsed quantities stay below 10^18 so nine of them sum inside an int64");
static_assert(BZL_DEC_INT_DIGITS_RATE + BZL_SCALE_RATE == 18u,
              "parsed rates stay below 10^18 so nine of them sum inside an int64");
static_assert(BZL_DEC_TEXT_BYTES >= 1u + 19u + 1u + 1u + 1u,
              "sign, 19 digits, a point, a leading 0 and the NUL must fit");

/* ---- helpers ------------------------------------------------------------------------- */

static bzl_i128
pow10_i128(unsigned n)
{
    BZL_ASSERT(n <= POW10_I128_MAX);
    bzl_i128 p = 1;
    for (unsigned i = 0; i < n; i++) { /* bounded by POW10_I128_MAX */
        p *= 10;
    }
    return p;
}

static uint64_t
pow10_u64(unsigned n)
{
    BZL_ASSERT(n <= 19u);
    uint64_t p = 1;
    for (unsigned i = 0; i < n; i++) { /* bounded by 19 */
        p *= 10u;
    }
    return p;
}

static bzl_i128
abs_i128(bzl_i128 v)
{
    /* Callers never pass the bzl_i128 minimum: every operand here is below 2^127 in magnitude. */
    return v < 0 ? -v : v;
}

bzl_i128
bzl_div_half_up(bzl_i128 n, bzl_i128 d)
{
    BZL_ASSERT(d != 0);
    bzl_i128 q = n / d; /* truncates toward zero */
    bzl_i128 r = n % d; /* carries the sign of n */
    if (2 * abs_i128(r) >= abs_i128(d)) {
        q += ((n < 0) != (d < 0)) ? -1 : 1;
    }
    return q;
}

bzl_status
bzl_dec_quotient(bzl_i128 n, bzl_i128 d, int64_t *out)
{
    if (d == 0) {
        return BZL_INVALID_ARGUMENT;
    }
    bzl_i128 q = bzl_div_half_up(n, d);
    if (q > INT64_MAX || q < -INT64_MAX) {
        return BZL_OVERFLOW;
    }
    *out = (int64_t)q;
    return BZL_OK;
}

bzl_status
bzl_percent_e4(int64_t num, int64_t den, int64_t *out)
{
    /* One percentage rule: bzl_percent_e4_wide's, narrowed as bzl_dec_quotient narrows. */
    bzl_i128 wide = 0;
    bzl_status st = bzl_percent_e4_wide(num, den, &wide);
    if (st == BZL_OK && (wide > INT64_MAX || wide < -INT64_MAX)) {
        st = BZL_OVERFLOW;
    }
    if (st == BZL_OK) {
        *out = (int64_t)wide;
    }
    return st;
}

bzl_status
bzl_dec_narrow(bzl_i128 v, int64_t *out)
{
    if (v > (bzl_i128)INT64_MAX || v < (bzl_i128)INT64_MIN) {
        return BZL_OVERFLOW;
    }
    *out = (int64_t)v;
    return BZL_OK;
}

/* Moves v from scale `from` to scale `to` (rounding half-up when shrinking) and narrows it to
 * an int64. |v| must be at most 2^126 so that the rounding step cannot overflow. */
static bzl_status
rescale_i128(bzl_i128 v, unsigned from, unsigned to, int64_t *out)
{
    if (to < from) {
        return bzl_dec_narrow(bzl_div_half_up(v, pow10_i128(from - to)), out);
    }
    bzl_i128 f = pow10_i128(to - from);
    if (abs_i128(v) > I128_MAX / f) {
        return BZL_OVERFLOW; /* far beyond any int64 */
    }
    return bzl_dec_narrow(v * f, out);
}

/* ---- parse --------------------------------------------------------------------------- */

static bool
is_digit(char c)
{
    /* Plain ASCII only: isdigit() depends on the locale and UTF-8 digits are bytes >= 0x80. */
    return c >= '0' && c <= '9';
}

/* The shape of a text that matched the grammar: where its digit runs are. */
typedef struct dec_shape {
    bool negative;
    size_t int_at, int_digits;
    size_t frac_at, frac_digits;
} dec_shape;

/* Matches ["-"] ("0" | [1-9][0-9]*) ["." [0-9]+] and rejects negative zero. */
static bzl_status
match_grammar(const char *text, size_t len, dec_shape *shape)
{
    size_t i = 0;
    shape->negative = len > 0 && text[0] == '-';
    i += shape->negative ? 1u : 0u;
    shape->int_at = i;
    while (i < len && is_digit(text[i])) { /* bounded by len */
        i++;
    }
    shape->int_digits = i - shape->int_at;
    if (shape->int_digits == 0 || (shape->int_digits > 1 && text[shape->int_at] == '0')) {
        return BZL_DECIMAL_SYNTAX; /* empty, bare point, sign alone, or a leading zero */
    }
    shape->frac_at = i;
    shape->frac_digits = 0;
    if (i < len && text[i] == '.') {
        shape->frac_at = ++i;
        while (i < len && is_digit(text[i])) { /* bounded by len */
            i++;
        }
        shape->frac_digits = i - shape->frac_at;
        if (shape->frac_digits == 0) {
            return BZL_DECIMAL_SYNTAX; /* "5." */
        }
    }
    if (i != len) {
        return BZL_DECIMAL_SYNTAX; /* exponent, separator, blank, non-ASCII digit, NUL, ... */
    }
    if (shape->negative) {
        bool all_zero = text[shape->int_at] == '0';
        for (size_t k = 0; all_zero && k < shape->frac_digits; k++) { /* bounded by len */
            all_zero = text[shape->frac_at + k] == '0';
        }
        if (all_zero) {
            return BZL_DECIMAL_SYNTAX; /* "-0", "-0.00" */
        }
    }
    return BZL_OK;
}

static uint64_t
digits_value(const char *p, size_t n)
{
    BZL_ASSERT(n <= 18u);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) { /* at most 18 digits */
        v = v * 10u + (uint64_t)(p[i] - '0');
    }
    return v;
}

bzl_status
bzl_dec_parse(const char *text, size_t len, unsigned scale, bool allow_negative, int64_t *out)
{
    BZL_ASSERT(text != NULL || len == 0);
    BZL_ASSERT(scale == BZL_SCALE_QTY || scale == BZL_SCALE_RATE);
    BZL_ASSERT(out != NULL);

    dec_shape shape;
    bzl_status st = match_grammar(text, len, &shape);
    if (st != BZL_OK) {
        return st;
    }
    size_t int_max = scale == BZL_SCALE_QTY ? BZL_DEC_INT_DIGITS_QTY : BZL_DEC_INT_DIGITS_RATE;
    if (shape.int_digits > int_max || shape.frac_digits > scale) {
        return BZL_DECIMAL_RANGE;
    }
    if (shape.negative && !allow_negative) {
        return BZL_DECIMAL_RANGE;
    }
    /* int_digits + scale <= 18, so the magnitude is below 10^18 and every step fits. */
    uint64_t whole = digits_value(text + shape.int_at, shape.int_digits);
    uint64_t frac = digits_value(text + shape.frac_at, shape.frac_digits);
    uint64_t mag = whole * pow10_u64(scale) + frac * pow10_u64(scale - (unsigned)shape.frac_digits);
    BZL_ASSERT(mag < pow10_u64(18));
    *out = shape.negative ? -(int64_t)mag : (int64_t)mag;
    return BZL_OK;
}

/* ---- format -------------------------------------------------------------------------- */

/* Writes the decimal digits of v at buf[pos..); returns the new position. */
static size_t
put_uint(char *buf, size_t pos, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do { /* at most 20 digits for a uint64_t */
        tmp[n++] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v != 0);
    while (n > 0) {
        buf[pos++] = tmp[--n];
    }
    return pos;
}

/* Writes exactly `width` digits of v, zero-padded on the left. */
static size_t
put_padded(char *buf, size_t pos, uint64_t v, unsigned width)
{
    for (unsigned i = width; i > 0; i--) { /* bounded by width <= BZL_SCALE_MAX */
        buf[pos + i - 1] = (char)('0' + (v % 10u));
        v /= 10u;
    }
    return pos + width;
}

static uint64_t
magnitude(int64_t value)
{
    /* Negating INT64_MIN is undefined; go through uint64_t where it is 2^63. */
    return value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
}

/* Writes [-]int[.frac] where frac has exactly `places` digits; no sign for a zero magnitude. */
static size_t
put_fixed(char *buf, bool negative, uint64_t mag, unsigned places)
{
    uint64_t unit = pow10_u64(places);
    size_t pos = 0;
    if (negative && mag != 0) {
        buf[pos++] = '-';
    }
    pos = put_uint(buf, pos, mag / unit);
    if (places > 0) {
        buf[pos++] = '.';
        pos = put_padded(buf, pos, mag % unit, places);
    }
    buf[pos] = '\0';
    return pos;
}

size_t
bzl_dec_format(int64_t value, unsigned scale, char *buf, size_t cap)
{
    BZL_ASSERT(scale <= BZL_SCALE_MAX);
    BZL_ASSERT(buf != NULL);
    BZL_ASSERT(cap >= BZL_DEC_TEXT_BYTES);

    uint64_t mag = magnitude(value);
    unsigned places = scale;
    while (places > 0 && mag % 10u == 0) { /* bounded by scale: drop trailing zeros */
        mag /= 10u;
        places--;
    }
    size_t len = put_fixed(buf, value < 0, mag, places);
    BZL_ASSERT(len < BZL_DEC_TEXT_BYTES);
    return len;
}

size_t
bzl_dec_format_fixed(int64_t value, unsigned scale, unsigned places, char *buf, size_t cap)
{
    BZL_ASSERT(scale <= BZL_SCALE_MAX);
    BZL_ASSERT(places <= scale);
    BZL_ASSERT(buf != NULL);
    BZL_ASSERT(cap >= BZL_DEC_TEXT_BYTES);

    uint64_t mag = magnitude(value);
    uint64_t drop = pow10_u64(scale - places);
    /* Half-up on the magnitude is half away from zero on the value. mag <= 2^63 and
     * drop / 2 <= 5 * 10^17, so the sum stays below 2^64. A value that rounds to zero prints
     * without a sign ("0.00", not "-0.00"): negative zero is not a decimal bzl accepts. */
    mag = mag / drop + ((mag % drop) * 2u >= drop ? 1u : 0u);
    size_t len = put_fixed(buf, value < 0, mag, places);
    BZL_ASSERT(len < BZL_DEC_TEXT_BYTES);
    return len;
}

size_t
bzl_dec_format_wide(bzl_i128 value, unsigned scale, unsigned places, char *buf, size_t cap)
{
    BZL_ASSERT(scale <= BZL_SCALE_MAX && (places == 0 || places <= scale));
    BZL_ASSERT(buf != NULL && cap >= BZL_DEC_WIDE_TEXT_BYTES);
    bzl_u128 mag = value < 0 ? (bzl_u128)0 - (bzl_u128)value : (bzl_u128)value;
    unsigned shown = scale;
    if (places > 0) {
        bzl_u128 drop = pow10_u64(scale - places);
        mag = mag / drop + ((mag % drop) * 2u >= drop ? 1u : 0u); /* half away from zero */
        shown = places;
    } else {
        while (shown > 0 && mag % 10u == 0) { /* bounded by scale: drop trailing zeros */
            mag /= 10u;
            shown--;
        }
    }
    char digits[BZL_DEC_WIDE_TEXT_BYTES];
    size_t n = 0;
    do { /* bounded: at most 39 digits, then the fraction's leading zeros */
        digits[n++] = (char)('0' + (unsigned)(mag % 10u));
        mag /= 10u;
    } while (mag != 0 || n <= shown);
    size_t len = 0;
    if (value < 0 && !(n == shown + 1 && strspn(digits, "0") == n)) {
        buf[len++] = '-'; /* never "-0.00" */
    }
    for (size_t i = n; i > 0; i--) {
        buf[len++] = digits[i - 1];
        if (i - 1 == shown && shown > 0) {
            buf[len++] = '.';
        }
    }
    buf[len] = '\0';
    BZL_ASSERT(len < BZL_DEC_WIDE_TEXT_BYTES);
    return len;
}

bzl_status
bzl_percent_e4_wide(bzl_i128 num, bzl_i128 den, bzl_i128 *out)
{
    const bzl_i128 limit = (bzl_i128)1 << 100;
    BZL_ASSERT(num < limit && num > -limit);
    if (den == 0) {
        return BZL_INVALID_ARGUMENT;
    }
    *out = bzl_div_half_up(num * 1000000, den);
    return BZL_OK;
}

/* ---- arithmetic ---------------------------------------------------------------------- */

bzl_status
bzl_dec_add(int64_t a, int64_t b, int64_t *out)
{
    BZL_ASSERT(out != NULL);
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) {
        return BZL_OVERFLOW;
    }
    *out = a + b;
    return BZL_OK;
}

bzl_status
bzl_dec_sub(int64_t a, int64_t b, int64_t *out)
{
    BZL_ASSERT(out != NULL);
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b)) {
        return BZL_OVERFLOW;
    }
    *out = a - b;
    return BZL_OK;
}

bzl_status
bzl_dec_mul(int64_t a, unsigned a_scale, int64_t b, unsigned b_scale, unsigned out_scale,
            int64_t *out)
{
    BZL_ASSERT(a_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(b_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(out_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(out != NULL);

    /* |a × b| <= 2^126: exact in an bzl_i128, at scale a_scale + b_scale <= 36. */
    bzl_i128 product = (bzl_i128)a * (bzl_i128)b;
    return rescale_i128(product, a_scale + b_scale, out_scale, out);
}

bzl_status
bzl_dec_div(int64_t a, unsigned a_scale, int64_t b, unsigned b_scale, unsigned out_scale,
            int64_t *out)
{
    BZL_ASSERT(a_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(b_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(out_scale <= BZL_SCALE_MAX);
    BZL_ASSERT(out != NULL);
    if (b == 0) {
        return BZL_INVALID_ARGUMENT;
    }
    /* (a / 10^as) / (b / 10^bs) at scale os is a × 10^(bs + os - as) / b. A positive exponent
     * scales the numerator, a negative one the denominator (by at most 10^18, so
     * |denominator| < 2^123). */
    int shift = (int)b_scale + (int)out_scale - (int)a_scale;
    bzl_i128 num = a;
    bzl_i128 den = b;
    if (shift < 0) {
        den *= pow10_i128((unsigned)-shift);
    } else {
        bzl_i128 f = pow10_i128((unsigned)shift);
        if (abs_i128(num) > I128_MAX / f) {
            /* |num × f| > 2^127 - 1 and |b| <= 2^63, so the quotient exceeds 2^63 + 1. */
            return BZL_OVERFLOW;
        }
        num *= f;
    }
    return bzl_dec_narrow(bzl_div_half_up(num, den), out);
}

bzl_status
bzl_dec_rescale(int64_t value, unsigned from, unsigned to, int64_t *out)
{
    BZL_ASSERT(from <= BZL_SCALE_MAX);
    BZL_ASSERT(to <= BZL_SCALE_MAX);
    BZL_ASSERT(out != NULL);
    return rescale_i128(value, from, to, out);
}
