/* recon.c — periods and the verification (核销) equation: pure arithmetic over summed totals. */
#include "bzl/recon.h"

#include "bzl/codes.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"

#include <stdio.h>
#include <string.h>

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
