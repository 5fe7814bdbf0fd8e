/* tax.h — the arithmetic of a domestic sale (内销): customs value, duty, excise, import VAT and
 * deferred-duty interest (缓税利息), on either basis of the zone's selective duty (选择性征收关税).
 *
 * The rules and their sources are in docs/TAX.md (reference/next-wave.md §B). Every figure is
 * CNY held at scale 5 (_e5) but rounded to the fen (0.01) half-up, once per figure, from the
 * exact product or quotient (reference §0.1 "完税价格, each tax, 缓税利息"). Tax rates are
 * percentages at scale 9 (_e9: "13" is 13 %, 13000000000). Pure: no storage, no clock, no heap;
 * the interest-rate history built in (B.4) is constant data.
 */
#ifndef BZL_TAX_H
#define BZL_TAX_H

#include "bzl/ledger.h"
#include "bzl/norms.h"

/* e5 units in one fen: a figure rounded to the fen is a multiple of this. */
#define BZL_TAX_FEN_E5 1000

/* Tax rates of one HS code in force on a date (a tariff row): percent, scale 9. */
typedef struct bzl_tax_rates {
    int64_t duty_e9;   /* 关税, ad valorem, 0 .. 1000 % */
    int64_t vat_e9;    /* 进口环节增值税, 0 .. 100 % */
    int64_t excise_e9; /* 消费税, ad valorem, 0 .. < 100 % (its base divides by 1 − t) */
} bzl_tax_rates;

/* Checks rates a client set: duty 0..1000 %, VAT 0..100 %, excise 0..99.999999999 %.
 * BZL_INVALID_ARGUMENT naming "duty", "vat" or "excise". */
BZL_NODISCARD bzl_status bzl_tax_rates_check(const bzl_tax_rates *r, bzl_fault *fault);

/* round_fen(value_e5 × cny_e9): a value in its currency (scale 5) converted at a 计征汇率 (CNY per
 * unit, scale 9). BZL_OVERFLOW. (B.3 CV) */
BZL_NODISCARD bzl_status bzl_tax_convert(int64_t value_e5, int64_t cny_e9, int64_t *cny_e5);

/* round5(qty × total_value / total_qty): the value of qty_e5 at a weighted-average unit value
 * (L211 Art. 4 ¶2: the same item's imports over the verification cycle), in the currency of
 * total_value. BZL_INVALID_ARGUMENT when total_qty_e5 <= 0; BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_tax_average_value(int64_t qty_e5, int64_t total_value_e5,
                                               int64_t total_qty_e5, int64_t *value_e5);

/* The three taxes on one customs value at one set of rates (B.3):
 *   duty   = round_fen(CV × t_duty)
 *   excise = round_fen((CV + duty) × t_excise / (1 − t_excise))
 *   VAT    = round_fen((CV + duty + excise) × t_vat)
 * extra_base_e5 is added to the excise and VAT base besides CV and this duty (the material-basis
 * duty of a zone product, B.5); 0 otherwise. BZL_OVERFLOW. */
typedef struct bzl_tax_amounts {
    int64_t duty_e5;
    int64_t excise_e5;
    int64_t vat_e5;
} bzl_tax_amounts;
BZL_NODISCARD bzl_status bzl_tax_on_value(int64_t cv_e5, int64_t extra_base_e5,
                                          const bzl_tax_rates *r, bool with_duty,
                                          bzl_tax_amounts *out);

/* ---- 缓税利息 ------------------------------------------------------------------------------ */

typedef enum bzl_tax_day_count {
    BZL_DAYS_END_MINUS_START = 1, /* end − start: the start day counts, the end day does not */
    BZL_DAYS_INCLUSIVE = 2,       /* end − start + 1: both ends count */
} bzl_tax_day_count;

typedef enum bzl_tax_interest_on {
    BZL_INTEREST_ON_TOTAL = 1,   /* one rounding over the sum of the taxes that bear interest */
    BZL_INTEREST_ON_PER_TAX = 2, /* rounded per tax kind, then summed */
} bzl_tax_interest_on;

/* The configurable rules (docs/TAX.md, bzld.conf(5)); bzl_tax_rules_default gives the
 * reference's defaults. */
typedef struct bzl_tax_rules {
    uint8_t day_count;      /* bzl_tax_day_count; default end − start (B.4, open Q3) */
    uint8_t interest_on;    /* bzl_tax_interest_on; default total (B.4, open Q9) */
    bool small_exempt;      /* zero a tax kind (and the interest) ≤ small_limit_e5 per
                               declaration; default off (B.3 last note, open Q4/Q9) */
    int64_t small_limit_e5; /* default RMB 50 (关税条例, M) */
    int32_t exempt_from;    /* interest exemption window on the end date, inclusive; */
    int32_t exempt_through; /* default 2020-04-15 … 2020-12-31 (XH2020; extension open Q7) */
    /* A SPECIFIC book's outflow line that names no lot: taken FIFO (false, the default: lots
     * never hold up the customs ledger), or refused (true) (E.4 (3), C; docs/TAX.md). */
    bool specific_unnamed_refused;
} bzl_tax_rules;

void bzl_tax_rules_default(bzl_tax_rules *out);

/* Days of interest from start to end under the day count. BZL_INVALID_DATE when end < start. */
BZL_NODISCARD bzl_status bzl_tax_interest_days(int32_t start, int32_t end, uint8_t day_count,
                                               int32_t *days);

/* round_fen(tax × days × rate / 100 / 360) (G2009-13: 应征税额 × 计息期限 × 缓税利息率 / 360;
 * rate_e9 is the annual percentage). BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_tax_interest(int64_t tax_e5, int32_t days, int64_t rate_e9,
                                          int64_t *interest_e5);

/* One row of the 缓税利息 rate history: the annual rate in force from a date. */
typedef struct bzl_interest_rate {
    int32_t from;    /* days since 1970-01-01 */
    int64_t rate_e9; /* annual percent */
} bzl_interest_rate;

/* The PBOC demand-deposit history of reference B.4, built in (docs/TAX.md names the sources);
 * rows in date order, *count set. Stored rows (bzl interest set) add to it and, on the same
 * from date, replace a row. */
const bzl_interest_rate *bzl_tax_builtin_rates(uint32_t *count);

/* The rate in force on date among rows sorted by from (the newest row with from <= date):
 * BZL_OK and *rate_e9, or BZL_NOT_FOUND when every row starts after date. */
BZL_NODISCARD bzl_status bzl_tax_rate_on(const bzl_interest_rate *rows, uint32_t count,
                                         int32_t date, int64_t *rate_e9);

/* ---- one assessment ------------------------------------------------------------------------ */

typedef enum bzl_tax_basis {
    BZL_BASIS_ORDINARY = 1, /* processing trade: every part taxed on its own value, interest on the
                               taxes (B.3, B.4); products by the materials they consumed (折料) */
    BZL_BASIS_PRODUCT = 2,  /* zone, 报验状态: the goods as presented; no interest (B.5 (a)) */
    BZL_BASIS_MATERIAL = 3, /* zone, 对应进口料件: duty on the embodied materials, excise and VAT on
                               the goods as presented plus that duty; interest on the duty
                               (B.5 (b)) */
    BZL_BASIS_SCRAP = 4, /* 边角料: its sale value, no interest (B.2, B.4 exemptions) */
} bzl_tax_basis;

/* "ordinary", "product", "material", "scrap"; parse the same. */
const char *bzl_tax_basis_name(uint8_t basis);
bool bzl_tax_basis_parse(const char *s, uint8_t *out);

/* One taxed part of a sale: a material the goods embody (its own HS rates and value), or the
 * goods as presented. */
typedef struct bzl_tax_part {
    uint8_t kind; /* bzl_kind */
    uint32_t item_no;
    int64_t qty_e5;
    int64_t cv_e5; /* customs value, CNY, rounded to the fen */
    bzl_tax_rates rates;
    uint32_t goods_index; /* MATERIAL basis: the goods (index into goods[]) it is embodied in */
    bzl_tax_amounts tax;  /* out */
} bzl_tax_part;

typedef struct bzl_tax_sale {
    uint8_t basis; /* bzl_tax_basis */
    /* materials (ORDINARY products, MATERIAL basis: the embodied materials; ORDINARY materials,
     * SCRAP: the lines themselves) */
    bzl_tax_part *parts;
    uint32_t part_count;
    /* the goods as presented, one per declaration line (PRODUCT and MATERIAL bases; none
     * otherwise) */
    bzl_tax_part *goods;
    uint32_t goods_count;
    int32_t interest_start; /* the book's last verification through-date, or its first import */
    int32_t interest_end;   /* the assessment date */
    int64_t interest_rate_e9;
} bzl_tax_sale;

typedef struct bzl_tax_result {
    int64_t cv_e5;      /* Σ customs values of what VAT is levied on (parts, or the goods) */
    int64_t duty_cv_e5; /* Σ customs values of what duty is levied on (the materials on the
                           MATERIAL basis; cv_e5 otherwise) */
    bzl_tax_amounts total;
    int64_t interest_base_e5; /* the taxes that bear interest */
    int32_t interest_days;
    int64_t interest_rate_e9;
    int64_t interest_e5;
    uint8_t interest_exempt; /* why no interest: bzl_tax_interest_exempt */
    bool small_exempted;     /* a kind was zeroed by the small-amount rule */
} bzl_tax_result;

typedef enum bzl_tax_interest_exempt {
    BZL_EXEMPT_NONE = 0,
    BZL_EXEMPT_BASIS = 1,  /* product basis (报验状态) or scrap: no interest by rule */
    BZL_EXEMPT_WINDOW = 2, /* end date in the exemption window (2020) */
    BZL_EXEMPT_SMALL = 3,  /* interest ≤ the small-amount limit */
} bzl_tax_interest_exempt;

/* "", "basis", "window", "small". */
const char *bzl_tax_exempt_name(uint8_t why);

/* Assesses a sale whose parts carry their customs values and rates: fills each part's tax and
 * *out. BZL_INVALID_ARGUMENT (a basis without the goods it needs, no parts where parts are
 * needed), BZL_INVALID_DATE (end before start), BZL_OVERFLOW, with fault. */
BZL_NODISCARD bzl_status bzl_tax_assess(bzl_tax_sale *sale, const bzl_tax_rules *rules,
                                        bzl_tax_result *out, bzl_fault *fault);

/* Where a declaration's tax attributes belong (docs/TAX.md): duty_basis only on a product
 * domestic sale (flow BZL_FLOW_PROD_DOMESTIC_SALE: the choice of B.5 is a product's), tax_date
 * only on a domestic sale (bzl_tax_flow_assessed's flows 6, 15, 19: the tax notice's date).
 * BZL_INVALID_ARGUMENT naming the field otherwise. */
BZL_NODISCARD bzl_status bzl_tax_decl_check(const bzl_declaration *d, uint8_t flow,
                                            bzl_fault *fault);

/* 折料: the quantity of each material qty_e5 of product consumed by its norm rows, by the
 * ledger's own arithmetic (bzl_norm_consume: round5(qty × round9(单耗 × 保税比例))). out[i] is
 * the material of rows[i]. BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_tax_materials_of(const bzl_norm *rows, uint32_t count, int64_t qty_e5,
                                              int64_t *out_qty_e5);

#endif
