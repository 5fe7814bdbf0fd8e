/* report.h — the zone's reports as pure arithmetic: USD conversion, the value-added ratio,
 * the OEM/ODM/OBM mix, dominant modes and the transition matrix, the processing-trade share.
 *
 * Inputs are figures storage summed (trade values per month, currency and mode; rates); this
 * module never touches storage, a clock or the heap. Rounding: half-up (away from zero), once,
 * at the printed scale: USD amounts to 5 decimals, ratios and shares to 4 (DESIGN.md §3).
 */
#ifndef BZL_REPORT_H
#define BZL_REPORT_H

#include "bzl/base.h"
#include "bzl/ledger.h"

/* Which flows the value-added ratio counts (README "Value-added ratio", customs-domain.md §3.1):
 * E is product exports, and deep-processing transfers out unless transfers are excluded; I is
 * material imports, and deep-processing transfers in unless excluded. flow is a bzl_flow. */
bool bzl_report_flow_is_e(unsigned flow, bool exclude_transfers);
bool bzl_report_flow_is_i(unsigned flow, bool exclude_transfers);

/* usd = value × cny_per_unit(currency) / cny_per_unit(USD), 5 decimals half-up: the customs
 * cross rate through CNY. Rates are CNY per unit at 9 decimals and must be positive.
 * BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_usd_convert(int64_t value_e5, int64_t cur_cny_e9, int64_t usd_cny_e9,
                                         int64_t *usd_e5);

/* The value-added ratio of exports E and imports I (USD, 5 decimals):
 *   var_i = (E − I) / I × 100  (加工贸易增值率), undefined ("n/a") when I = 0;
 *   var_e = (E − I) / E × 100  (net exports over exports), undefined when E = 0.
 * 4 decimals half-up; negative ratios are legitimate. */
typedef struct bzl_var {
    bzl_i128 e_e5; /* sums over books: 128 bits, so no enterprise's figures can overflow them */
    bzl_i128 i_e5;
    bool has_var_i;
    bzl_i128 var_i_e4;
    bool has_var_e;
    bzl_i128 var_e_e4;
} bzl_var;
/* |e_e5| and |i_e5| below 2^99 (sums of at most 2^36 int64 figures). */
BZL_NODISCARD bzl_status bzl_var_compute(bzl_i128 e_e5, bzl_i128 i_e5, bzl_var *out);

/* Product-level imports I (README "Value-added ratio"): the value of a material a product's
 * norm consumed for its exports, at the material's average import unit value over the period:
 *   usd = round5(consumed × import_usd / import_qty), half-up, one rounding of the exact
 *   product. consumed and import_qty are quantities (5 decimals) of the material, import_usd
 * its imports' USD value. BZL_INVALID_ARGUMENT when import_qty is not positive (the material
 * has no import price in the period); BZL_OVERFLOW. *usd_e5 written only on BZL_OK. */
BZL_NODISCARD bzl_status bzl_consumed_value(int64_t consumed_e5, int64_t import_usd_e5,
                                            int64_t import_qty_e5, int64_t *usd_e5);

/* Business modes indexed 0 none, 1 OEM, 2 ODM, 3 OBM. */
#define BZL_MODES 4u

/* Shares of export value by mode: share[m] = value[m] / Σ value × 100, 4 decimals; all false
 * when the total is 0. BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_mode_shares(const bzl_i128 value_e5[BZL_MODES],
                                         int64_t share_e4[BZL_MODES], bool *has_shares);

/* The dominant mode: the one with the largest export value; a tie goes to the higher mode (the
 * more upgraded); BZL_BIZ_NONE when every value is 0. */
uint8_t bzl_mode_dominant(const bzl_i128 value_e5[BZL_MODES]);

/* +1 when `to` is a higher mode than `from` (an upgrade), −1 a downgrade, 0 the same or when
 * either is none. */
int bzl_mode_change(uint8_t from, uint8_t to);

/* The zone transition matrix: m[from][to] += 1 for each entity's dominant modes. */
void bzl_transition_add(uint32_t m[BZL_MODES][BZL_MODES], uint8_t from, uint8_t to);

/* The processing-trade share of the zone's trade: bonded / (bonded + general) × 100, 4
 * decimals; *has false when both are 0. */
BZL_NODISCARD bzl_status bzl_trade_share(bzl_i128 bonded_e5, bzl_i128 general_e5,
                                         bzl_i128 *share_e4, bool *has);

#endif
