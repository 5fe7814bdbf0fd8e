/* norms.c — unit consumption, consumption per line and the balance effects of a declaration.
 *
 * Pure functions (norms.h). The effect rules per flow and verify mode are the table in
 * docs/LEDGER.md; reference/customs-domain.md §1.2 (单耗), §1.5 (flows) and §1.6 (the book
 * equation whose terms the period totals collect) are the customs side of it.
 */
#include "bzl/norms.h"

#include "bzl/decimal.h"

#include <string.h>

#define E9 1000000000LL
#define PERCENT_E9 (100 * E9)

/* ---- norms --------------------------------------------------------------------------------- */

bzl_status
bzl_norm_unit_consumption(int64_t net_e9, int64_t tangible_e9, int64_t intangible_e9,
                          int64_t *ucns_e9)
{
    BZL_ASSERT(ucns_e9 != NULL);
    if (net_e9 <= 0 || tangible_e9 < 0 || intangible_e9 < 0 || tangible_e9 >= PERCENT_E9 ||
        intangible_e9 >= PERCENT_E9 || tangible_e9 + intangible_e9 >= PERCENT_E9) {
        return BZL_INVALID_ARGUMENT;
    }
    /* net / (1 − loss/100) = net / ((100 − loss) / 100): the denominator is exact when the
     * integer 100e9 − loss_e9 is read at scale 11, so the only rounding is the final one. */
    return bzl_dec_div(net_e9, BZL_SCALE_RATE, PERCENT_E9 - (tangible_e9 + intangible_e9), 11u,
                       BZL_SCALE_RATE, ucns_e9);
}

static bzl_status
norm_rate_field(int64_t v, int64_t max_exclusive, const char *field, bzl_fault *fault)
{
    if (v < 0 || v >= max_exclusive) {
        char text[BZL_DEC_TEXT_BYTES];
        bzl_dec_format(v, BZL_SCALE_RATE, text, sizeof text);
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, field,
                             "%s %s is outside 0 to below 100 percent", field, text);
    }
    return BZL_OK;
}

bzl_status
bzl_norm_check(bzl_norm *n, bzl_fault *fault)
{
    BZL_ASSERT(n != NULL);
    char text[BZL_DEC_TEXT_BYTES];
    bzl_status st = bzl_code_check_book(n->book_no, strnlen(n->book_no, sizeof n->book_no), NULL);
    if (st != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "book", "book number \"%s\" is not valid",
                             n->book_no);
    }
    if (n->product == 0 || n->product > BZL_ITEM_NO_MAX || n->material == 0 ||
        n->material > BZL_ITEM_NO_MAX) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "item",
                             "product %u and material %u must be item numbers 1..%u",
                             (unsigned)n->product, (unsigned)n->material, BZL_ITEM_NO_MAX);
    }
    st = bzl_text_check(n->version, strnlen(n->version, sizeof n->version), 1,
                        BZL_BOM_VERSION_BYTES_MAX, "version", fault);
    if (st == BZL_OK && n->net_e9 <= 0) {
        bzl_dec_format(n->net_e9, BZL_SCALE_RATE, text, sizeof text);
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "net",
                           "net consumption %s must be greater than zero", text);
    }
    if (st == BZL_OK) {
        st = norm_rate_field(n->tangible_e9, PERCENT_E9, "tangible_loss", fault);
    }
    if (st == BZL_OK) {
        st = norm_rate_field(n->intangible_e9, PERCENT_E9, "intangible_loss", fault);
    }
    if (st == BZL_OK && n->tangible_e9 + n->intangible_e9 >= PERCENT_E9) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "tangible_loss",
                           "tangible plus intangible loss must stay below 100 percent");
    }
    if (st == BZL_OK && (n->share_e9 <= 0 || n->share_e9 > E9)) {
        bzl_dec_format(n->share_e9, BZL_SCALE_RATE, text, sizeof text);
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "bonded_share",
                           "bonded share %s is outside (0, 1]", text);
    }
    if (st == BZL_OK) {
        st = bzl_norm_unit_consumption(n->net_e9, n->tangible_e9, n->intangible_e9, &n->ucns_e9);
        if (st != BZL_OK) {
            st = bzl_fault_set(fault, st, 0, "net", "the unit consumption is out of range");
        }
    }
    return st;
}

/* round(p × rate / 10^20) for p = qty_e5 × u_e9 >= 0 (scale 14) and a percent rate_e9: the
 * loss at scale 5 (14 + 9 − 5 = 18 places, and / 100 for percent: 10^20). p × rate can need
 * 165 bits, so p is split at the divisor, p = a·10^20 + b: a·rate is whole and the only
 * rounding is of b·rate / 10^20 (a < 2^61, b < 2^67, rate < 2^37: both products fit). */
static bzl_status
loss_of(bzl_i128 p, int64_t rate_e9, int64_t *loss_e5)
{
    BZL_ASSERT(p >= 0);
    BZL_ASSERT(rate_e9 >= 0 && rate_e9 < PERCENT_E9);
    const bzl_i128 d = (bzl_i128)100000000000000000LL * 1000; /* 10^20 */
    bzl_i128 a = p / d;
    bzl_i128 b = p % d;
    bzl_i128 loss = a * rate_e9 + bzl_div_half_up(b * rate_e9, d);
    if (loss > INT64_MAX) {
        return BZL_OVERFLOW;
    }
    *loss_e5 = (int64_t)loss;
    return BZL_OK;
}

/* u = round9(ucns × share), the bonded unit consumption a line consumes by. */
static bzl_status
effective_unit(const bzl_norm *n, int64_t *u_e9)
{
    return bzl_dec_mul(n->ucns_e9, BZL_SCALE_RATE, n->share_e9, BZL_SCALE_RATE, BZL_SCALE_RATE,
                       u_e9);
}

bzl_status
bzl_norm_loss(const bzl_norm *n, int64_t qty_e5, int64_t rate_e9, int64_t *loss_e5)
{
    BZL_ASSERT(n != NULL && loss_e5 != NULL);
    BZL_ASSERT(qty_e5 >= 0);
    int64_t u_e9 = 0;
    bzl_status st = effective_unit(n, &u_e9);
    /* |qty × u| < 2^126: exact in an bzl_i128. */
    return st == BZL_OK ? loss_of((bzl_i128)qty_e5 * u_e9, rate_e9, loss_e5) : st;
}

/* What qty_e5 (>= 0) of product consumes by n: the consumption and the tangible and intangible
 * losses inside it, from one effective unit and one exact product. */
typedef struct consumption {
    int64_t total_e5;
    int64_t tangible_e5;
    int64_t intangible_e5;
} consumption;

static bzl_status
consume(const bzl_norm *n, int64_t qty_e5, consumption *out)
{
    BZL_ASSERT(n != NULL);
    BZL_ASSERT(qty_e5 >= 0);
    int64_t u_e9 = 0;
    consumption c = {0};
    bzl_status st = effective_unit(n, &u_e9);
    bzl_i128 p = (bzl_i128)qty_e5 * u_e9; /* |qty × u| < 2^126: exact */
    if (st == BZL_OK) {
        st = bzl_dec_mul(qty_e5, BZL_SCALE_QTY, u_e9, BZL_SCALE_RATE, BZL_SCALE_QTY, &c.total_e5);
    }
    st = st == BZL_OK ? loss_of(p, n->tangible_e9, &c.tangible_e5) : st;
    st = st == BZL_OK ? loss_of(p, n->intangible_e9, &c.intangible_e5) : st;
    if (st == BZL_OK) {
        *out = c;
    }
    return st;
}

bzl_status
bzl_norm_consume(const bzl_norm *n, int64_t qty_e5, int64_t *consumption_e5, int64_t *tangible_e5)
{
    consumption c;
    bzl_status st = consume(n, qty_e5, &c);
    if (st == BZL_OK) {
        *consumption_e5 = c.total_e5;
        *tangible_e5 = c.tangible_e5;
    }
    return st;
}

/* ---- effect lists -------------------------------------------------------------------------- */

static bzl_status
add_i64(int64_t *acc, int64_t v)
{
    return bzl_dec_add(*acc, v, acc);
}

bzl_status
bzl_effects_add(bzl_effect_list *list, const bzl_effect *delta)
{
    BZL_ASSERT(list != NULL);
    BZL_ASSERT(list->count <= list->cap);
    bzl_effect *e = NULL;
    for (uint32_t i = 0; i < list->count && e == NULL; i++) { /* bounded by cap */
        if (list->items[i].kind == delta->kind && list->items[i].item_no == delta->item_no &&
            list->items[i].category == delta->category) {
            e = &list->items[i];
        }
    }
    if (e == NULL) {
        if (list->count == list->cap) {
            return BZL_LIMIT_EXCEEDED;
        }
        list->items[list->count++] = *delta;
        return BZL_OK;
    }
    e->flags |= delta->flags;
    bzl_status st = add_i64(&e->qty_e5, delta->qty_e5);
    st = st == BZL_OK ? add_i64(&e->value_e5, delta->value_e5) : st;
    st = st == BZL_OK ? add_i64(&e->pending_in_e5, delta->pending_in_e5) : st;
    st = st == BZL_OK ? add_i64(&e->pending_out_e5, delta->pending_out_e5) : st;
    st = st == BZL_OK ? add_i64(&e->scrap_gen_e5, delta->scrap_gen_e5) : st;
    st = st == BZL_OK ? add_i64(&e->scrap_used_e5, delta->scrap_used_e5) : st;
    st = st == BZL_OK ? add_i64(&e->total_e5, delta->total_e5) : st;
    st = st == BZL_OK ? add_i64(&e->total_value_e5, delta->total_value_e5) : st;
    return st;
}

/* The effect of a line on its own item (material or product). */
static bzl_effect
direct_effect(const bzl_declaration *d, uint32_t i, bzl_flow flow, uint8_t verify_mode)
{
    const bzl_decl_line *l = &d->lines[i];
    bzl_effect e = {.kind = d->kind,
                    .item_no = l->item_no,
                    .category = (uint8_t)flow,
                    .line = i + 1,
                    .total_e5 = l->qty_e5,
                    .total_value_e5 = l->value_e5};
    int sign = d->direction == BZL_DIR_IN ? 1 : -1;
    if (bzl_flow_is_scrap(flow)) {
        e.scrap_used_e5 = l->qty_e5; /* the loss is already inside consumption */
    } else if (d->kind == BZL_KIND_MATERIAL || bzl_flow_stocks_product(flow, verify_mode)) {
        e.qty_e5 = sign * l->qty_e5;
        e.value_e5 = sign * l->value_e5;
    }
    if (flow == BZL_FLOW_CONSUMPTION_REPORT) {
        e.category = BZL_CATEGORY_CONSUMPTION;
    }
    return e;
}

/* The effects of `row` consuming (sign +1) or giving back (−1) by qty_e5 of product: the
 * consumption with the tangible-loss allowance it generates (whose period total storage keeps
 * beside it), and the intangible loss inside it as an effect of its own (none when zero). */
static bzl_status
consume_row(const bzl_norm *row, int64_t qty_e5, int sign, uint32_t line, bzl_effect_list *out)
{
    consumption c = {0};
    bzl_status st = consume(row, qty_e5, &c);
    bzl_effect e = {.kind = BZL_KIND_MATERIAL,
                    .item_no = row->material,
                    .category = BZL_CATEGORY_CONSUMPTION,
                    .flags = BZL_EFFECT_AVG_VALUE,
                    .line = line,
                    .qty_e5 = -sign * c.total_e5,
                    .scrap_gen_e5 = sign * c.tangible_e5,
                    .total_e5 = sign * c.total_e5};
    st = st == BZL_OK ? bzl_effects_add(out, &e) : st;
    if (st == BZL_OK && c.intangible_e5 != 0) {
        bzl_effect loss = {.kind = BZL_KIND_MATERIAL,
                           .item_no = row->material,
                           .category = BZL_CATEGORY_INTANGIBLE_LOSS,
                           .line = line,
                           .total_e5 = sign * c.intangible_e5};
        st = bzl_effects_add(out, &loss);
    }
    return st;
}

/* Adds the materials line i consumes (sign +1) or gives back (−1) by its norm rows. */
static bzl_status
consume_line(const bzl_declaration *d, uint32_t i, int sign, const bzl_line_norms *norms,
             bzl_effect_list *out, bzl_fault *fault)
{
    const bzl_decl_line *l = &d->lines[i];
    if (norms == NULL || norms->count == 0) {
        bzl_fault_set(fault, BZL_NORM_MISSING, i + 1, "bom_version",
                      "line %u: no consumption norm%s%s is in force for product %u on %s",
                      (unsigned)(i + 1), l->bom_version[0] != '\0' ? " version " : "",
                      l->bom_version, (unsigned)l->item_no, d->book_no);
        if (fault != NULL) {
            fault->item_no = l->item_no;
        }
        return BZL_NORM_MISSING;
    }
    BZL_ASSERT(norms->count <= BZL_BOM_MATERIALS_MAX);
    for (uint32_t k = 0; k < norms->count; k++) {
        bzl_status st = consume_row(&norms->rows[k], l->qty_e5, sign, i + 1, out);
        if (st != BZL_OK) {
            return bzl_fault_set(fault, st, i + 1, "qty",
                                 "line %u: consumption of material %u by product %u: %s",
                                 (unsigned)(i + 1), (unsigned)norms->rows[k].material,
                                 (unsigned)l->item_no, bzl_status_text(st));
        }
    }
    return BZL_OK;
}

bzl_status
bzl_ledger_effects(const bzl_declaration *d, bzl_flow flow, uint8_t verify_mode,
                   const bzl_line_norms *norms, bzl_effect_list *out, bzl_fault *fault)
{
    BZL_ASSERT(d != NULL);
    BZL_ASSERT(out != NULL);
    int sign = d->kind == BZL_KIND_PRODUCT ? bzl_flow_consumption_sign(flow, verify_mode) : 0;
    for (uint32_t i = 0; i < d->line_count; i++) {
        bzl_effect e = direct_effect(d, i, flow, verify_mode);
        bzl_status st = bzl_effects_add(out, &e);
        if (st != BZL_OK) {
            return bzl_fault_set(fault, st, i + 1, "lines", "line %u: %s", (unsigned)(i + 1),
                                 bzl_status_text(st));
        }
        if (sign != 0) {
            st = consume_line(d, i, sign, norms != NULL ? &norms[i] : NULL, out, fault);
            if (st != BZL_OK) {
                return st;
            }
        }
    }
    return BZL_OK;
}

/* ---- effect transforms --------------------------------------------------------------------- */

static bzl_effect
effect_key(const bzl_effect *e)
{
    bzl_effect out = {
        .kind = e->kind, .item_no = e->item_no, .category = e->category, .line = e->line};
    return out;
}

void
bzl_effect_pending(const bzl_effect *posted, bzl_effect *out)
{
    *out = effect_key(posted);
    out->pending_in_e5 = posted->qty_e5 > 0 ? posted->qty_e5 : 0;
    out->pending_out_e5 = posted->qty_e5 < 0 ? -posted->qty_e5 : 0;
}

void
bzl_effect_release(const bzl_effect *posted, bzl_effect *out)
{
    bzl_effect_pending(posted, out);
    out->pending_in_e5 = -out->pending_in_e5;
    out->pending_out_e5 = -out->pending_out_e5;
}

void
bzl_effect_post(const bzl_effect *posted, bzl_effect *out)
{
    bzl_effect release;
    bzl_effect_release(posted, &release);
    *out = *posted;
    out->pending_in_e5 = release.pending_in_e5;
    out->pending_out_e5 = release.pending_out_e5;
}

void
bzl_effect_negate(const bzl_effect *applied, bzl_effect *out)
{
    *out = effect_key(applied);
    out->qty_e5 = -applied->qty_e5;
    out->value_e5 = -applied->value_e5;
    out->scrap_gen_e5 = -applied->scrap_gen_e5;
    out->scrap_used_e5 = -applied->scrap_used_e5;
    out->total_e5 = -applied->total_e5;
    out->total_value_e5 = -applied->total_value_e5;
}

bool
bzl_effect_is_zero(const bzl_effect *e)
{
    return e->qty_e5 == 0 && e->value_e5 == 0 && e->pending_in_e5 == 0 && e->pending_out_e5 == 0 &&
           e->scrap_gen_e5 == 0 && e->scrap_used_e5 == 0 && e->total_e5 == 0 &&
           e->total_value_e5 == 0;
}

/* ---- applying ------------------------------------------------------------------------------- */

/* The value that moves with |dq| of the item at its average cost, signed like dq. */
static int64_t
average_value(const bzl_balance *bal, int64_t dq)
{
    if (bal->qty_e5 <= 0 || dq == 0) {
        return 0;
    }
    int64_t taken = dq < 0 ? -dq : dq;
    bzl_i128 v = bzl_div_half_up((bzl_i128)bal->value_e5 * taken, bal->qty_e5);
    return dq < 0 ? -(int64_t)v : (int64_t)v;
}

static bzl_status
refuse_balance(const bzl_effect *e, int64_t available, bzl_fault *fault)
{
    char have[BZL_DEC_TEXT_BYTES];
    char want[BZL_DEC_TEXT_BYTES];
    int64_t asked = e->pending_out_e5 > 0 ? e->pending_out_e5 : -e->qty_e5;
    bzl_dec_format(available, BZL_SCALE_QTY, have, sizeof have);
    bzl_dec_format(asked, BZL_SCALE_QTY, want, sizeof want);
    if (e->category == BZL_CATEGORY_CONSUMPTION && e->line != 0) {
        bzl_fault_set(fault, BZL_INSUFFICIENT_BALANCE, e->line, "qty",
                      "line %u: material %u has %s available, the declaration consumes %s",
                      (unsigned)e->line, (unsigned)e->item_no, have, want);
    } else if (e->line != 0) {
        bzl_fault_set(fault, BZL_INSUFFICIENT_BALANCE, e->line, "qty",
                      "line %u: item %u has %s available, the outflow asks for %s",
                      (unsigned)e->line, (unsigned)e->item_no, have, want);
    } else {
        bzl_fault_set(fault, BZL_INSUFFICIENT_BALANCE, 0, "qty",
                      "%s %u has %s available, the correction takes %s",
                      bzl_kind_name((bzl_kind)e->kind), (unsigned)e->item_no, have, want);
    }
    if (fault != NULL) {
        fault->available_e5 = available;
        fault->item_no = e->item_no;
    }
    return BZL_INSUFFICIENT_BALANCE;
}

static bzl_status
refuse_scrap(const bzl_effect *e, const bzl_scrap *s, bzl_fault *fault)
{
    char have[BZL_DEC_TEXT_BYTES];
    char want[BZL_DEC_TEXT_BYTES];
    bzl_dec_format(s->generated_e5 - s->used_e5, BZL_SCALE_QTY, have, sizeof have);
    bzl_dec_format(e->scrap_used_e5 > 0 ? e->scrap_used_e5 : -e->scrap_gen_e5, BZL_SCALE_QTY, want,
                   sizeof want);
    bzl_fault_set(fault, BZL_SCRAP_ALLOWANCE_EXCEEDED, e->line, "qty",
                  "material %u has a scrap allowance of %s remaining, the declaration needs %s",
                  (unsigned)e->item_no, have, want);
    if (fault != NULL) {
        fault->available_e5 = s->generated_e5 - s->used_e5;
        fault->item_no = e->item_no;
    }
    return BZL_SCRAP_ALLOWANCE_EXCEEDED;
}

bzl_status
bzl_effect_apply(bzl_effect *e, bzl_balance *bal, bzl_scrap *scrap, bool scrap_bounded,
                 bzl_fault *fault)
{
    BZL_ASSERT(e != NULL && bal != NULL && scrap != NULL);
    bzl_balance next = *bal;
    bzl_scrap s = *scrap;
    bzl_effect resolved = *e;
    if (resolved.flags & BZL_EFFECT_AVG_VALUE) {
        resolved.value_e5 = average_value(bal, resolved.qty_e5);
        resolved.flags &= (uint8_t)~BZL_EFFECT_AVG_VALUE;
    }
    bzl_status st = add_i64(&next.qty_e5, resolved.qty_e5);
    st = st == BZL_OK ? add_i64(&next.value_e5, resolved.value_e5) : st;
    st = st == BZL_OK ? add_i64(&next.pending_in_e5, resolved.pending_in_e5) : st;
    st = st == BZL_OK ? add_i64(&next.pending_out_e5, resolved.pending_out_e5) : st;
    st = st == BZL_OK ? add_i64(&s.generated_e5, resolved.scrap_gen_e5) : st;
    st = st == BZL_OK ? add_i64(&s.used_e5, resolved.scrap_used_e5) : st;
    if (st != BZL_OK) {
        return bzl_fault_set(fault, st, resolved.line, "qty",
                             "the balance of %s %u would leave the representable range",
                             bzl_kind_name((bzl_kind)e->kind), (unsigned)e->item_no);
    }
    bool takes = resolved.qty_e5 < 0 || resolved.pending_out_e5 > 0;
    if (takes && (bzl_balance_available(&next) < 0 || next.qty_e5 < 0)) {
        return refuse_balance(&resolved, bzl_balance_available(bal), fault);
    }
    bool draws = resolved.scrap_used_e5 > 0 || resolved.scrap_gen_e5 < 0;
    if (scrap_bounded && draws && s.used_e5 > s.generated_e5) {
        return refuse_scrap(&resolved, scrap, fault);
    }
    *bal = next;
    *scrap = s;
    *e = resolved;
    return BZL_OK;
}

/* ---- version order ------------------------------------------------------------------------- */

/* True when s is a non-empty string of ASCII digits. */
static bool
all_digits(const char *s)
{
    size_t i = 0;
    while (s[i] >= '0' && s[i] <= '9') { /* bounded by the NUL */
        i++;
    }
    return i > 0 && s[i] == '\0';
}

int
bzl_norm_version_cmp(const char *a, const char *b)
{
    BZL_ASSERT(a != NULL && b != NULL);
    int bytes = strcmp(a, b);
    if (!all_digits(a) || !all_digits(b)) {
        return bytes;
    }
    /* Without leading zeros the longer number is the greater; at equal length the bytes of
     * digits order as the numbers do. */
    a += strspn(a, "0");
    b += strspn(b, "0");
    size_t a_len = strlen(a);
    size_t b_len = strlen(b);
    if (a_len != b_len) {
        return a_len > b_len ? 1 : -1;
    }
    int numeric = strcmp(a, b);
    return numeric != 0 ? numeric : bytes;
}
