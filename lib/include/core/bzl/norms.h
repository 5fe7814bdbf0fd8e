/* norms.h — consumption norms (单耗/BOM), consumption per line, and the balance effects of a
 * declaration: the pure arithmetic of the bonded ledger.
 *
 * Rounding (DESIGN.md §3, reference §0.2): unit consumption 单耗 = 净耗 / (1 − (有形 + 无形)/100)
 * rounded half-up to 9 decimals; the effective unit u = round9(单耗 × bonded share); a line's
 * consumption = round5(qty × u); the tangible and intangible loss it carries =
 * round5(qty × u × rate / 100), one rounding over the exact product (the product of three
 * factors can exceed 128 bits, so it is divided in two exact parts: norms.c). Every line is
 * rounded on its own, at its own norm: the period's losses are the sums of these.
 * Nothing here touches storage, a clock or the heap.
 */
#ifndef BZL_NORMS_H
#define BZL_NORMS_H

#include "bzl/flows.h"
#include "bzl/ledger.h"

/* Materials in one BOM version of one product: a product rarely has more than a few dozen;
 * 1,000 bounds the work one product line can cause. */
#define BZL_BOM_MATERIALS_MAX 1000u

typedef struct bzl_norm {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t product;
    uint32_t material;
    char version[BZL_BOM_VERSION_BYTES_MAX + 1]; /* 1..8 bytes */
    int32_t valid_from;                          /* in force for declarations on or after */
    int64_t net_e9;                              /* 净耗 per unit of product, > 0 */
    int64_t tangible_e9;                         /* 有形损耗率, percent, >= 0 */
    int64_t intangible_e9;                       /* 无形损耗率, percent, >= 0 */
    int64_t share_e9;                            /* 保税料件比例, (0, 1] */
    int64_t ucns_e9;                             /* 单耗, computed by bzl_norm_check */
    bool used;                                   /* a declaration consumed by it: immutable */
} bzl_norm;

/* 单耗 = round9(net / (1 − (tangible + intangible) / 100)). BZL_INVALID_ARGUMENT when the loss
 * rates reach 100 % or are negative or net is not positive; BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_norm_unit_consumption(int64_t net_e9, int64_t tangible_e9,
                                                   int64_t intangible_e9, int64_t *ucns_e9);

/* Checks a norm's fields (book, items, version text, rates, share) and computes ucns_e9.
 * BZL_INVALID_ARGUMENT / BZL_INVALID_CODE with fault naming the field and the value. */
BZL_NODISCARD bzl_status bzl_norm_check(bzl_norm *n, bzl_fault *fault);

/* For qty_e5 (>= 0) of product: the material consumed round5(qty × u) and the tangible loss it
 * generates round5(qty × u × tangible / 100), u = round9(ucns × share). BZL_OVERFLOW only when
 * a 5-decimal result itself is outside int64. */
BZL_NODISCARD bzl_status bzl_norm_consume(const bzl_norm *n, int64_t qty_e5,
                                          int64_t *consumption_e5, int64_t *tangible_e5);
/* The loss at rate_e9 (percent; the norm's tangible or intangible rate) that qty_e5 (>= 0) of
 * product carries: round5(qty × u × rate / 100), exact for any int64 quantity and 9-decimal
 * factors. BZL_OVERFLOW only when the result is outside int64. */
BZL_NODISCARD bzl_status bzl_norm_loss(const bzl_norm *n, int64_t qty_e5, int64_t rate_e9,
                                       int64_t *loss_e5);
/* Orders two version texts of one product (NUL-terminated, borrowed for the call), as the
 * choice between versions in force from the same date needs it: numerically when both are
 * non-empty digit strings, leading zeros ignored (customs numbers versions 00000003, so "10"
 * follows "9" and "00000003" follows "2"), bytewise (strcmp) otherwise. Equal numbers in other
 * spellings ("003", "3") fall back to bytes, so only identical texts compare equal. Negative,
 * 0 or positive like strcmp. Mixing digit strings with other texts need not be transitive
 * ("9" < "10" < "1a" < "9"); among digit strings only, or other texts only, it is a total
 * order. */
int bzl_norm_version_cmp(const char *a, const char *b);

/* ---- effects ------------------------------------------------------------------------------- */

/* The value delta is taken at the item's average cost when applied (consumption by norm). */
#define BZL_EFFECT_AVG_VALUE 1u

/* What one journal entry does to one (book, kind, item): the exact deltas. */
typedef struct bzl_effect {
    uint8_t kind;
    uint32_t item_no;
    uint8_t category; /* period-total category: a bzl_flow or a BZL_CATEGORY_* */
    uint8_t flags;
    uint32_t line; /* 1-based declaration line that first contributed (messages only) */
    int64_t qty_e5;
    int64_t value_e5;
    int64_t pending_in_e5;
    int64_t pending_out_e5;
    int64_t scrap_gen_e5;  /* tangible-loss allowance generated */
    int64_t scrap_used_e5; /* allowance drawn by scrap dispositions */
    int64_t total_e5;      /* period total quantity in `category` */
    int64_t total_value_e5;
} bzl_effect;

/* A caller-owned array of effects, at most one per (kind, item, category). A line consuming by
 * norm adds up to two per material: the consumption (category consumption: the balance, its
 * value, and the tangible-loss allowance it generates, whose period total in category tangible
 * loss storage keeps from scrap_gen_e5) and the intangible loss (category intangible loss: a
 * period total only, no balance). */
typedef struct bzl_effect_list {
    bzl_effect *items;
    uint32_t count;
    uint32_t cap;
} bzl_effect_list;

/* The norm rows a declaration line consumes by (its product's chosen version); count 0 when
 * the line consumes nothing. */
typedef struct bzl_line_norms {
    const bzl_norm *rows;
    uint32_t count;
} bzl_line_norms;

/* Adds delta into the list's effect for (delta->kind, delta->item_no, delta->category),
 * appending one when there is none. BZL_LIMIT_EXCEEDED when the list is full; BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_effects_add(bzl_effect_list *list, const bzl_effect *delta);

/* The effects the declaration has once posted ("posted form"): per line, by flow and by the
 * book's verify mode (docs/LEDGER.md has the table). norms[i] are line i's norm rows (used only
 * when bzl_flow_consumption_sign is not 0; a line without rows is BZL_NORM_MISSING naming the
 * product). Statuses: BZL_NORM_MISSING, BZL_LIMIT_EXCEEDED, BZL_OVERFLOW, with fault. */
BZL_NODISCARD bzl_status bzl_ledger_effects(const bzl_declaration *d, bzl_flow flow,
                                            uint8_t verify_mode, const bzl_line_norms *norms,
                                            bzl_effect_list *out, bzl_fault *fault);

/* The reservation a pending declaration makes for a posted-form effect: inflows to pending in,
 * outflows to pending out, nothing else. */
void bzl_effect_pending(const bzl_effect *posted, bzl_effect *out);
/* Releases that reservation (void, reject) — the negation of bzl_effect_pending. */
void bzl_effect_release(const bzl_effect *posted, bzl_effect *out);
/* Posts a pending declaration: the posted form plus the release, in one effect. */
void bzl_effect_post(const bzl_effect *posted, bzl_effect *out);
/* The exact negation of an applied posting effect (reversal): pending deltas are not carried. */
void bzl_effect_negate(const bzl_effect *applied, bzl_effect *out);
/* True when the effect changes nothing. */
bool bzl_effect_is_zero(const bzl_effect *e);

/* Scrap (边角料) allowance per material item. */
typedef struct bzl_scrap {
    int64_t generated_e5;
    int64_t used_e5;
} bzl_scrap;

/* Applies e to the item's balance and allowance, in place and only on success. An effect that
 * takes (qty down or pending out up) may not leave available (qty − pending out) negative:
 * BZL_INSUFFICIENT_BALANCE naming the item and the available quantity. A scrap draw (or a
 * generated allowance taken back) may not leave used above generated when scrap_bounded:
 * BZL_SCRAP_ALLOWANCE_EXCEEDED naming the remaining allowance. An effect flagged
 * BZL_EFFECT_AVG_VALUE gets its value delta resolved at the average cost (value × taken / qty,
 * half-up) and the flag cleared, so e afterwards holds exactly what was applied. BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl_effect_apply(bzl_effect *e, bzl_balance *bal, bzl_scrap *scrap,
                                          bool scrap_bounded, bzl_fault *fault);

#endif
