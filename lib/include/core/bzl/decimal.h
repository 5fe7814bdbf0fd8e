/* decimal.h — exact fixed-point decimals: strict parsing, formatting, checked arithmetic.
 *
 * A decimal is an int64_t holding the value times 10^scale. Quantities and amounts use
 * scale 5 (the customs (19,5) columns; names end in _e5); unit consumption, loss rates and
 * shares use scale 9 (names end in _e9). Binary floating point never appears.
 *
 * Rounding policy (DESIGN.md §3): every rounding is half-up, meaning half away from zero
 * (Math.round in the customs client for the non-negative values customs computes, and the
 * symmetric rule for the negative values of reversals). Products and quotients are formed in
 * 128-bit integers and rounded once, at the scale the caller names. Overflow of the int64
 * result is BZL_OVERFLOW, never a wrap.
 *
 * This module never allocates and has no state.
 */
#ifndef BZL_DECIMAL_H
#define BZL_DECIMAL_H

#include "bzl/base.h"

#define BZL_SCALE_QTY 5u  /* quantities and money amounts */
#define BZL_SCALE_RATE 9u /* unit consumption, loss rates (percent), bonded share */
#define BZL_SCALE_MAX 18u /* largest scale any function accepts */

/* Integer digits accepted by bzl_dec_parse at each scale. 13 + 5 and 9 + 9 digits keep every
 * parsed magnitude below 10^18, so the sum of nine parsed values still fits an int64. */
#define BZL_DEC_INT_DIGITS_QTY 13u
#define BZL_DEC_INT_DIGITS_RATE 9u

/* Bytes a formatted decimal needs, NUL included: sign, 19 digits, point, NUL, and slack. */
#define BZL_DEC_TEXT_BYTES 24u

/* Parses text[0..len) as a decimal at scale (BZL_SCALE_QTY or BZL_SCALE_RATE).
 *
 * Grammar, strictly: ["-"] ("0" | [1-9][0-9]*) ["." [0-9]+]. No "+", no exponent, no blanks,
 * no thousands separators, no leading zeros ("007"), no bare point (".5", "5."), no non-ASCII
 * digits, no negative zero ("-0", "-0.00"). The text need not be NUL-terminated.
 *
 * Returns BZL_OK and writes *out; BZL_DECIMAL_SYNTAX when the grammar is broken (including an
 * empty string); BZL_DECIMAL_RANGE when there are more fraction digits than scale, more
 * integer digits than BZL_DEC_INT_DIGITS_QTY/RATE for the scale, or a minus sign while
 * allow_negative is false. *out is untouched on error. */
BZL_NODISCARD bzl_status bzl_dec_parse(const char *text, size_t len, unsigned scale,
                                       bool allow_negative, int64_t *out);

/* Formats value (at scale) into buf: the shortest exact text, no trailing fraction zeros and
 * no point for whole numbers ("20000.5", "-3", "0"). cap must be >= BZL_DEC_TEXT_BYTES.
 * Returns the length written, NUL excluded. */
size_t bzl_dec_format(int64_t value, unsigned scale, char *buf, size_t cap);

/* Formats with exactly `places` fraction digits (places <= scale, half-up rounding applied
 * first when places < scale): "12.3400" for reports that print 4 decimals. */
size_t bzl_dec_format_fixed(int64_t value, unsigned scale, unsigned places, char *buf, size_t cap);

/* *out = v when it fits an int64; BZL_OVERFLOW otherwise (a 128-bit intermediate made a
 * figure again). */
BZL_NODISCARD bzl_status bzl_dec_narrow(bzl_i128 v, int64_t *out);

/* Room for any bzl_i128 decimal: 39 digits, a sign, a point and the NUL. */
#define BZL_DEC_WIDE_TEXT_BYTES 48u

/* bzl_dec_format_fixed for a 128-bit value (the report engine's cross-book sums), and with
 * places 0 the shortest exact text as bzl_dec_format writes it. cap >= BZL_DEC_WIDE_TEXT_BYTES. */
size_t bzl_dec_format_wide(bzl_i128 value, unsigned scale, unsigned places, char *buf, size_t cap);

/* num / den × 100 at 4 decimals, half-up, for 128-bit sums: BZL_INVALID_ARGUMENT when den is
 * 0. |num| must stay below 2^100 (sums of at most 2^36 int64 figures), so num × 10^6 fits. */
BZL_NODISCARD bzl_status bzl_percent_e4_wide(bzl_i128 num, bzl_i128 den, bzl_i128 *out);

/* *out = a + b, or BZL_OVERFLOW. Same scale on both sides is the caller's duty. */
BZL_NODISCARD bzl_status bzl_dec_add(int64_t a, int64_t b, int64_t *out);
/* *out = a - b, or BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_dec_sub(int64_t a, int64_t b, int64_t *out);

/* The one rounding rule (DESIGN.md §3): n / d rounded half away from zero. d is not 0; |n| and
 * 2|d| must fit a bzl_i128 (every caller's operands are products of two int64 at most). */
bzl_i128 bzl_div_half_up(bzl_i128 n, bzl_i128 d);

/* *out = bzl_div_half_up(n, d) as an int64 figure: BZL_INVALID_ARGUMENT when d is 0,
 * BZL_OVERFLOW outside ±INT64_MAX (a quotient's negation stays representable). */
BZL_NODISCARD bzl_status bzl_dec_quotient(bzl_i128 n, bzl_i128 d, int64_t *out);

/* num / den × 100 at 4 decimals, half-up: a percentage as printed (rates, ratios, shares).
 * num and den share one scale. BZL_INVALID_ARGUMENT when den is 0 (the caller prints "n/a");
 * BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_percent_e4(int64_t num, int64_t den, int64_t *out);

/* *out = round_half_up(a × b) at out_scale, where a is at a_scale and b at b_scale.
 * Returns BZL_OVERFLOW when the result does not fit an int64. */
BZL_NODISCARD bzl_status bzl_dec_mul(int64_t a, unsigned a_scale, int64_t b, unsigned b_scale,
                                     unsigned out_scale, int64_t *out);

/* *out = round_half_up(a ÷ b) at out_scale. BZL_INVALID_ARGUMENT when b is zero,
 * BZL_OVERFLOW when the result does not fit an int64. */
BZL_NODISCARD bzl_status bzl_dec_div(int64_t a, unsigned a_scale, int64_t b, unsigned b_scale,
                                     unsigned out_scale, int64_t *out);

/* *out = value moved from scale `from` to scale `to`, rounding half-up when to < from.
 * BZL_OVERFLOW when growing the scale overflows. */
BZL_NODISCARD bzl_status bzl_dec_rescale(int64_t value, unsigned from, unsigned to, int64_t *out);

#endif
