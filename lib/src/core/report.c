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
bzl_var_compute(int64_t e_e5, int64_t i_e5, bzl_var *out)
{
    bzl_var v = {.e_e5 = e_e5, .i_e5 = i_e5};
    int64_t diff = 0;
    bzl_status st = bzl_dec_sub(e_e5, i_e5, &diff);
    if (st == BZL_OK) {
        st = bzl_percent_e4(diff, i_e5, &v.var_i_e4);
        v.has_var_i = st == BZL_OK;
        st = st == BZL_INVALID_ARGUMENT ? BZL_OK : st;
    }
    if (st == BZL_OK) {
        st = bzl_percent_e4(diff, e_e5, &v.var_e_e4);
        v.has_var_e = st == BZL_OK;
        st = st == BZL_INVALID_ARGUMENT ? BZL_OK : st;
    }
    if (st == BZL_OK) {
        *out = v;
    }
    return st;
}

bzl_status
bzl_mode_shares(const int64_t value_e5[BZL_MODES], int64_t share_e4[BZL_MODES], bool *has_shares)
{
    int64_t total = 0;
    bzl_status st = BZL_OK;
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        st = bzl_dec_add(total, value_e5[m], &total);
    }
    *has_shares = st == BZL_OK && total != 0;
    for (unsigned m = 0; st == BZL_OK && m < BZL_MODES; m++) {
        share_e4[m] = 0;
        if (*has_shares) {
            st = bzl_percent_e4(value_e5[m], total, &share_e4[m]);
        }
    }
    return st;
}

uint8_t
bzl_mode_dominant(const int64_t value_e5[BZL_MODES])
{
    uint8_t best = BZL_BIZ_NONE;
    int64_t best_v = 0;
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
bzl_trade_share(int64_t bonded_e5, int64_t general_e5, int64_t *share_e4, bool *has)
{
    int64_t total = 0;
    bzl_status st = bzl_dec_add(bonded_e5, general_e5, &total);
    *has = false;
    if (st == BZL_OK && total != 0) {
        st = bzl_percent_e4(bonded_e5, total, share_e4);
        *has = st == BZL_OK;
    }
    return st;
}
