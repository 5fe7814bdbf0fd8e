/* report.c — USD conversion, value-added ratio, mode mix and transitions: pure arithmetic. */
#include "bzl/report.h"

#include "bzl/decimal.h"
#include "bzl/flows.h"
#include "bzl/recon.h"

bool
bzl_report_flow_is_e(unsigned flow, bool exclude_transfers)
{
    return flow == BZL_FLOW_PROD_EXPORT ||
           (!exclude_transfers && flow == BZL_FLOW_PROD_TRANSFER_OUT);
}

bool
bzl_report_flow_is_i(unsigned flow, bool exclude_transfers)
{
    return flow == BZL_FLOW_MAT_IMPORT || (!exclude_transfers && flow == BZL_FLOW_MAT_TRANSFER_IN);
}

bzl_status
bzl_usd_convert(int64_t value_e5, int64_t cur_cny_e9, int64_t usd_cny_e9, int64_t *usd_e5)
{
    BZL_ASSERT(cur_cny_e9 > 0);
    BZL_ASSERT(usd_cny_e9 > 0);
    return bzl_dec_quotient((bzl_i128)value_e5 * cur_cny_e9, usd_cny_e9, usd_e5);
}

bzl_status
bzl_consumed_value(int64_t consumed_e5, int64_t import_usd_e5, int64_t import_qty_e5,
                   int64_t *usd_e5)
{
    if (import_qty_e5 <= 0) {
        return BZL_INVALID_ARGUMENT;
    }
    if (consumed_e5 == INT64_MIN || import_usd_e5 == INT64_MIN) {
        return BZL_OVERFLOW;
    }
    /* |consumed × usd| < 2^126: the product and the rounding's doubling fit a bzl_i128. */
    return bzl_dec_quotient((bzl_i128)consumed_e5 * import_usd_e5, import_qty_e5, usd_e5);
}

bzl_status
bzl_var_compute(bzl_i128 e_e5, bzl_i128 i_e5, bzl_var *out)
{
    bzl_var v = {.e_e5 = e_e5, .i_e5 = i_e5};
    bzl_i128 diff = e_e5 - i_e5; /* below 2^100: no overflow */
    v.has_var_i = bzl_percent_e4_wide(diff, i_e5, &v.var_i_e4) == BZL_OK;
    v.has_var_e = bzl_percent_e4_wide(diff, e_e5, &v.var_e_e4) == BZL_OK;
    *out = v;
    return BZL_OK;
}

bzl_status
bzl_mode_shares(const bzl_i128 value_e5[BZL_MODES], int64_t share_e4[BZL_MODES], bool *has_shares)
{
    bzl_i128 total = 0;
    for (unsigned m = 0; m < BZL_MODES; m++) {
        total += value_e5[m];
    }
    *has_shares = total != 0;
    bzl_status st = BZL_OK;
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        bzl_i128 share = 0;
        st = *has_shares ? bzl_percent_e4_wide(value_e5[m], total, &share) : BZL_OK;
        /* A share of a total of export values: within ±100 % unless values of both signs
         * meet, and never past int64 at 4 places for figures below 2^100. */
        st = st == BZL_OK && (share > INT64_MAX || share < -INT64_MAX) ? BZL_OVERFLOW : st;
        share_e4[m] = st == BZL_OK ? (int64_t)share : 0;
    }
    return st;
}

uint8_t
bzl_mode_dominant(const bzl_i128 value_e5[BZL_MODES])
{
    uint8_t best = BZL_BIZ_NONE;
    bzl_i128 best_v = 0;
    for (unsigned m = 0; m < BZL_MODES; m++) {
        if (value_e5[m] > 0 && value_e5[m] >= best_v) {
            best = (uint8_t)m;
            best_v = value_e5[m];
        }
    }
    return best;
}

int
bzl_mode_change(uint8_t from, uint8_t to)
{
    if (from == BZL_BIZ_NONE || to == BZL_BIZ_NONE || from == to) {
        return 0;
    }
    return to > from ? 1 : -1;
}

void
bzl_transition_add(uint32_t m[BZL_MODES][BZL_MODES], uint8_t from, uint8_t to)
{
    BZL_ASSERT(from < BZL_MODES);
    BZL_ASSERT(to < BZL_MODES);
    m[from][to]++;
}

bzl_status
bzl_trade_share(bzl_i128 bonded_e5, bzl_i128 general_e5, bzl_i128 *share_e4, bool *has)
{
    *has = bzl_percent_e4_wide(bonded_e5, bonded_e5 + general_e5, share_e4) == BZL_OK;
    return BZL_OK;
}
