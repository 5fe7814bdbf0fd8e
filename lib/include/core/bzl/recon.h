/* recon.h — verification (核销) of an account book over a period, as pure functions.
 *
 * Everything here is arithmetic over figures storage already summed: the monthly period
 * totals (storage.h bzl_storage_total_get, keyed (book, kind, item, yyyymm, category)), the
 * balance carried forward by a period close, and a stocktake's counted quantity. Nothing here
 * reads the journal, touches storage, a clock or the heap; query.h's walks gather the inputs.
 *
 * The book equation per material item (reference/customs-domain.md §1.6, docs/LEDGER.md):
 *
 *   应剩余 book = opening
 *               + imports + deep-processing transfers in + leftover transfers in
 *               + in-zone transfers in + returns in + low-value auxiliaries
 *               − re-exports − domestic sales − leftover transfers out − destruction
 *               − returns out − in-zone transfers out
 *               − consumption (by norm, or reported)
 *               + adjustments up (核增) − adjustments down (核减)
 *   差异 difference = counted (实际剩余) − book;  < 0 shortage (短少), > 0 surplus (溢余)
 *   差异率 rate = difference / book × 100, 4 decimals half-up; "n/a" when book is 0.
 *
 * Scrap dispositions (边角料 sale, re-export, destruction) are shown but move nothing: the loss
 * is inside consumption already. Tangible and intangible loss quantities (有形/无形损耗数量) are
 * the period totals of the losses inside consumption (BZL_CATEGORY_TANGIBLE_LOSS and
 * _INTANGIBLE_LOSS): each consuming line's round5(qty × u × rate / 100) at the rates of the
 * norm that line consumed by, summed (customs-domain.md §1.5: Σ over exports of each export's
 * own quantity × (单耗 − 净耗)). The tangible loss is so exactly the scrap allowance the period's
 * consumption generated.
 *
 * A material whose book balance is below zero at the period's end (possible when an outflow is
 * dated before the inflow that covered it: availability is judged on the posted balance, not
 * on the date) is flagged negative_book, whatever was counted: an exception of its own.
 *
 * Rounding: half-up (away from zero), once, at the printed scale (DESIGN.md §3).
 */
#ifndef BZL_RECON_H
#define BZL_RECON_H

#include "bzl/base.h"
#include "bzl/calendar.h"
#include "bzl/decimal.h"
#include "bzl/flows.h"

/* Period-total categories a material can carry: flows 1..BZL_FLOW_COUNT-1, consumption and
 * its two losses. */
#define BZL_RECON_CATEGORIES (BZL_CATEGORY_INTANGIBLE_LOSS + 1u)
static_assert(BZL_FLOW_COUNT <= BZL_CATEGORY_CONSUMPTION, "flows below the consumption category");
static_assert(BZL_CATEGORY_TANGIBLE_LOSS == BZL_CATEGORY_CONSUMPTION + 1u &&
                  BZL_CATEGORY_INTANGIBLE_LOSS == BZL_CATEGORY_CONSUMPTION + 2u,
              "the loss categories follow consumption");

/* +1 when a material total of this category adds to the book balance, −1 when it takes, 0 when
 * it moves nothing (scrap dispositions, product categories). */
int bzl_recon_category_sign(unsigned category);

/* What verification of one material starts from. */
typedef struct bzl_recon_input {
    uint32_t item_no;
    int64_t opening_e5;                      /* 期初: carried or summed before the period */
    int64_t totals_e5[BZL_RECON_CATEGORIES]; /* the period's total per category */
    bool counted;                            /* a stocktake counted the item */
    int64_t counted_e5;                      /* 实际剩余, when counted */
} bzl_recon_input;

typedef enum bzl_recon_flag {
    BZL_RECON_WITHIN = 0,       /* |rate| within the tolerance */
    BZL_RECON_SHORTAGE = 1,     /* 短少 beyond tolerance */
    BZL_RECON_SURPLUS = 2,      /* 溢余 beyond tolerance */
    BZL_RECON_UNCOUNTED = 3,    /* no stocktake counted the item */
    BZL_RECON_NEGATIVE_BOOK = 4 /* the book balance is below zero, counted or not */
} bzl_recon_flag;

/* One material's verification. */
typedef struct bzl_recon_line {
    uint32_t item_no;
    int64_t opening_e5;
    int64_t inflow_e5;  /* every inflow category, adjustments up excluded */
    int64_t outflow_e5; /* every outflow category, consumption and adjustments excluded */
    int64_t consumption_e5;
    int64_t tangible_e5;   /* 有形损耗数量: the period's tangible-loss total */
    int64_t intangible_e5; /* 无形损耗数量 */
    int64_t adjust_up_e5;
    int64_t adjust_down_e5;
    int64_t scrap_e5; /* scrap dispositions (informative) */
    int64_t book_e5;  /* 应剩余 */
    bool counted;
    int64_t counted_e5;                      /* 实际剩余 */
    int64_t difference_e5;                   /* counted − book */
    bool has_rate;                           /* false when uncounted or book is 0 */
    int64_t rate_e4;                         /* difference / book × 100, 4 decimals */
    uint8_t flag;                            /* bzl_recon_flag */
    int64_t totals_e5[BZL_RECON_CATEGORIES]; /* copied from the input, for per-category output */
} bzl_recon_line;

/* Verifies one material: the book equation above, the difference, its rate and the flag. A
 * difference is beyond tolerance when |rate| > tolerance_e4 (percent, 4 decimals), or when
 * the book is 0 and the difference is not. BZL_OK and *out; BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_recon_compute(const bzl_recon_input *in, int64_t tolerance_e4,
                                           bzl_recon_line *out);

/* "within", "shortage", "surplus", "uncounted", "negative_book". */
const char *bzl_recon_flag_name(uint8_t flag);

/* Percentages: bzl_percent_e4 (decimal.h), the one rounding rule. */

#endif
