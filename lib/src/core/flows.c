/* flows.c — the flow table: (kind, direction, trade mode, book letter) → flow, as data.
 *
 * Rows follow reference/customs-domain.md §1.5 (flow catalogue) and §2.2 (which book letters a
 * trade mode allows: B 来料加工手册, C 进料加工手册, E 电子账册, H 特殊监管区域账册, T 物流账册).
 * Where §2.2 is silent for a zone (H) book the zone column of §1.5 decides; rows so derived are
 * marked [M] like their source. docs/LEDGER.md prints the table.
 */
#include "bzl/flows.h"

#include <string.h>

typedef struct flow_row {
    char mode[5];
    uint8_t kind;
    uint8_t dir;
    const char *letters;
    uint8_t flow;
} flow_row;

#define M BZL_KIND_MATERIAL
#define P BZL_KIND_PRODUCT
#define I BZL_DIR_IN
#define O BZL_DIR_OUT

/* clang-format off */
static const flow_row flow_table[] = {
    /* materials in */
    {"0214", M, I, "BE",    BZL_FLOW_MAT_IMPORT},
    {"0615", M, I, "CE",    BZL_FLOW_MAT_IMPORT},
    {"0715", M, I, "CE",    BZL_FLOW_MAT_IMPORT},
    {"5014", M, I, "H",     BZL_FLOW_MAT_IMPORT},
    {"5015", M, I, "H",     BZL_FLOW_MAT_IMPORT},
    {"5000", M, I, "HT",    BZL_FLOW_MAT_IMPORT},
    {"5034", M, I, "HT",    BZL_FLOW_MAT_IMPORT},
    {"0255", M, I, "BEH",   BZL_FLOW_MAT_TRANSFER_IN},
    {"0654", M, I, "CEH",   BZL_FLOW_MAT_TRANSFER_IN},
    {"0258", M, I, "BE",    BZL_FLOW_MAT_LEFTOVER_IN},
    {"0657", M, I, "CE",    BZL_FLOW_MAT_LEFTOVER_IN},
    {"0300", M, I, "BEH",   BZL_FLOW_MAT_RETURN_IN},
    {"0700", M, I, "CEH",   BZL_FLOW_MAT_RETURN_IN},
    {"0815", M, I, "BCEH",  BZL_FLOW_MAT_LOW_VALUE},
    {"0030", M, I, "BCEHT", BZL_FLOW_ADJUST_UP},
    /* materials out */
    {"0265", M, O, "BEH",   BZL_FLOW_MAT_REEXPORT},
    {"0664", M, O, "CEH",   BZL_FLOW_MAT_REEXPORT},
    {"5014", M, O, "H",     BZL_FLOW_MAT_REEXPORT},
    {"5015", M, O, "H",     BZL_FLOW_MAT_REEXPORT},
    {"0245", M, O, "BE",    BZL_FLOW_MAT_DOMESTIC_SALE},
    {"0644", M, O, "CE",    BZL_FLOW_MAT_DOMESTIC_SALE},
    {"5000", M, O, "HT",    BZL_FLOW_MAT_DOMESTIC_SALE},
    {"0258", M, O, "BE",    BZL_FLOW_MAT_LEFTOVER_OUT},
    {"0657", M, O, "CE",    BZL_FLOW_MAT_LEFTOVER_OUT},
    {"0200", M, O, "BCEH",  BZL_FLOW_MAT_DESTROY},
    {"0300", M, O, "BEH",   BZL_FLOW_MAT_RETURN_OUT},
    {"0700", M, O, "CEH",   BZL_FLOW_MAT_RETURN_OUT},
    {"0844", M, O, "CEH",   BZL_FLOW_SCRAP_SALE},
    {"0845", M, O, "BEH",   BZL_FLOW_SCRAP_SALE},
    {"5200", M, O, "H",     BZL_FLOW_SCRAP_SALE},
    {"0864", M, O, "CEH",   BZL_FLOW_SCRAP_REEXPORT},
    {"0865", M, O, "BEH",   BZL_FLOW_SCRAP_REEXPORT},
    {"0400", M, O, "BCEH",  BZL_FLOW_SCRAP_DESTROY},
    {"0020", M, O, "BCEHT", BZL_FLOW_CONSUMPTION_REPORT},
    {"0040", M, O, "BCEHT", BZL_FLOW_ADJUST_DOWN},
    /* bonded repair (next-wave.md §C; repair books only: repair.h) */
    {"1371", M, I, "H",     BZL_FLOW_MAT_IMPORT},
    {"0050", M, O, "H",     BZL_FLOW_REPAIR_GATE},
    {"1371", P, I, "H",     BZL_FLOW_REPAIR_RECEIVE},
    {"1371", P, O, "H",     BZL_FLOW_REPAIR_RETURN},
    /* products out */
    {"0214", P, O, "BE",    BZL_FLOW_PROD_EXPORT},
    {"0615", P, O, "CE",    BZL_FLOW_PROD_EXPORT},
    {"5014", P, O, "H",     BZL_FLOW_PROD_EXPORT},
    {"5015", P, O, "H",     BZL_FLOW_PROD_EXPORT},
    {"5100", P, O, "H",     BZL_FLOW_PROD_EXPORT},
    {"0255", P, O, "BEH",   BZL_FLOW_PROD_TRANSFER_OUT},
    {"0654", P, O, "CEH",   BZL_FLOW_PROD_TRANSFER_OUT},
    {"0245", P, O, "BE",    BZL_FLOW_PROD_DOMESTIC_SALE},
    {"0644", P, O, "CE",    BZL_FLOW_PROD_DOMESTIC_SALE},
    {"0444", P, O, "H",     BZL_FLOW_PROD_DOMESTIC_SALE},
    {"0445", P, O, "H",     BZL_FLOW_PROD_DOMESTIC_SALE},
    {"4400", P, O, "BEH",   BZL_FLOW_PROD_RETURN_OUT},
    {"4600", P, O, "CEH",   BZL_FLOW_PROD_RETURN_OUT},
    {"0200", P, O, "BCEH",  BZL_FLOW_PROD_DESTROY},
    /* products in */
    {"4400", P, I, "BEH",   BZL_FLOW_PROD_RETURN_IN},
    {"4600", P, I, "CEH",   BZL_FLOW_PROD_RETURN_IN},
    {"0010", P, I, "BCEH",  BZL_FLOW_PRODUCTION_REPORT},
};
/* clang-format on */
#undef M
#undef P
#undef I
#undef O

typedef struct trade_mode_row {
    char code[5];
    const char *name;
} trade_mode_row;

static const trade_mode_row trade_modes[] = {
#include "trade_modes.inc"
};

static const char *const flow_names[BZL_FLOW_COUNT] = {
    [BZL_FLOW_NONE] = "none",
    [BZL_FLOW_MAT_IMPORT] = "material import",
    [BZL_FLOW_MAT_TRANSFER_IN] = "material transfer in",
    [BZL_FLOW_MAT_LEFTOVER_IN] = "leftover transfer in",
    [BZL_FLOW_MAT_ZONE_TRANSFER_IN] = "in-zone transfer in",
    [BZL_FLOW_MAT_REEXPORT] = "material re-export",
    [BZL_FLOW_MAT_DOMESTIC_SALE] = "material domestic sale",
    [BZL_FLOW_MAT_LEFTOVER_OUT] = "leftover transfer out",
    [BZL_FLOW_MAT_DESTROY] = "material destruction",
    [BZL_FLOW_MAT_RETURN_OUT] = "material return out",
    [BZL_FLOW_MAT_RETURN_IN] = "material return in",
    [BZL_FLOW_MAT_LOW_VALUE] = "low-value auxiliary",
    [BZL_FLOW_PROD_EXPORT] = "product export",
    [BZL_FLOW_PROD_TRANSFER_OUT] = "product transfer out",
    [BZL_FLOW_PROD_ZONE_TRANSFER_OUT] = "in-zone product transfer out",
    [BZL_FLOW_PROD_DOMESTIC_SALE] = "product domestic sale",
    [BZL_FLOW_PROD_RETURN_IN] = "product return in",
    [BZL_FLOW_PROD_RETURN_OUT] = "product return out",
    [BZL_FLOW_PROD_DESTROY] = "product destruction",
    [BZL_FLOW_SCRAP_SALE] = "scrap sale",
    [BZL_FLOW_SCRAP_REEXPORT] = "scrap re-export",
    [BZL_FLOW_SCRAP_DESTROY] = "scrap destruction",
    [BZL_FLOW_PRODUCTION_REPORT] = "production report",
    [BZL_FLOW_CONSUMPTION_REPORT] = "consumption report",
    [BZL_FLOW_ADJUST_UP] = "adjustment up",
    [BZL_FLOW_ADJUST_DOWN] = "adjustment down",
    [BZL_FLOW_MAT_ZONE_TRANSFER_OUT] = "in-zone material transfer out",
    [BZL_FLOW_REPAIR_GATE] = "repair parts gate registration",
    [BZL_FLOW_REPAIR_RECEIVE] = "repair goods in",
    [BZL_FLOW_REPAIR_RETURN] = "repair goods return",
};

const char *
bzl_flow_name(bzl_flow flow)
{
    if ((unsigned)flow >= BZL_FLOW_COUNT || flow_names[flow] == NULL) {
        return "unknown";
    }
    return flow_names[flow];
}

const char *
bzl_category_name(unsigned category)
{
    switch (category) {
    case BZL_CATEGORY_CONSUMPTION:
        return "consumption";
    case BZL_CATEGORY_TANGIBLE_LOSS:
        return "tangible loss";
    case BZL_CATEGORY_INTANGIBLE_LOSS:
        return "intangible loss";
    default:
        return bzl_flow_name((bzl_flow)category);
    }
}

const char *
bzl_trade_mode_name(const char *code)
{
    BZL_ASSERT(code != NULL);
    for (size_t i = 0; i < BZL_ARRAY_LEN(trade_modes); i++) { /* 70 rows */
        if (strcmp(trade_modes[i].code, code) == 0) {
            return trade_modes[i].name;
        }
    }
    return NULL;
}

size_t
bzl_trade_mode_count(void)
{
    return BZL_ARRAY_LEN(trade_modes);
}

/* The zone codes that double as in-zone transfer codes when a counterpart is named. */
static bool
zone_code(const char *mode)
{
    return strcmp(mode, "5014") == 0 || strcmp(mode, "5015") == 0;
}

/* Refines a table flow by the book's verification mode and by a named counterpart. */
static bzl_flow
refine(bzl_flow flow, const char *mode, char letter, bool related)
{
    if (letter == 'H' && related && zone_code(mode)) {
        if (flow == BZL_FLOW_MAT_IMPORT) {
            return BZL_FLOW_MAT_ZONE_TRANSFER_IN;
        }
        if (flow == BZL_FLOW_PROD_EXPORT) {
            return BZL_FLOW_PROD_ZONE_TRANSFER_OUT;
        }
        if (flow == BZL_FLOW_MAT_REEXPORT) {
            return BZL_FLOW_MAT_ZONE_TRANSFER_OUT;
        }
    }
    return flow;
}

bzl_status
bzl_flow_lookup(bzl_kind kind, bzl_direction dir, const char *trade_mode, char book_letter,
                uint8_t verify_mode, bool related, bzl_flow *out, bzl_fault *fault)
{
    BZL_ASSERT(trade_mode != NULL);
    BZL_ASSERT(out != NULL);
    const flow_row *hit = NULL;
    bool mode_known = false;
    for (size_t i = 0; i < BZL_ARRAY_LEN(flow_table) && hit == NULL; i++) { /* 56 rows */
        const flow_row *r = &flow_table[i];
        if (strcmp(r->mode, trade_mode) != 0 || r->kind != kind || r->dir != dir) {
            continue;
        }
        mode_known = true;
        if (book_letter != '\0' && strchr(r->letters, book_letter) != NULL) {
            hit = r;
        }
    }
    const char *name = bzl_trade_mode_name(trade_mode);
    if (hit == NULL) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                             "trade mode %s (%s) is not allowed for a %s %s on a %c-book%s",
                             trade_mode, name != NULL ? name : "unknown", bzl_kind_name(kind),
                             dir == BZL_DIR_IN ? "inflow" : "outflow", book_letter,
                             mode_known ? "" : " (no flow uses it this way)");
    }
    bzl_flow flow = refine((bzl_flow)hit->flow, trade_mode, book_letter, related);
    if (flow == BZL_FLOW_PRODUCTION_REPORT && verify_mode != BZL_VERIFY_WORK_ORDER) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                             "a production report (%s) needs a work-order book", trade_mode);
    }
    if (flow == BZL_FLOW_CONSUMPTION_REPORT && verify_mode != BZL_VERIFY_CONSUMPTION) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                             "a consumption report (%s) needs a consumption book", trade_mode);
    }
    *out = flow;
    return BZL_OK;
}

static bool
product_outflow_consumes(bzl_flow flow)
{
    return flow == BZL_FLOW_PROD_EXPORT || flow == BZL_FLOW_PROD_TRANSFER_OUT ||
           flow == BZL_FLOW_PROD_ZONE_TRANSFER_OUT || flow == BZL_FLOW_PROD_DOMESTIC_SALE ||
           flow == BZL_FLOW_PROD_RETURN_OUT || flow == BZL_FLOW_PROD_DESTROY;
}

int
bzl_flow_consumption_sign(bzl_flow flow, uint8_t verify_mode)
{
    if (verify_mode == BZL_VERIFY_WORK_ORDER) {
        return flow == BZL_FLOW_PRODUCTION_REPORT ? 1 : 0;
    }
    if (verify_mode != BZL_VERIFY_UNIT) {
        return 0;
    }
    if (product_outflow_consumes(flow)) {
        return 1;
    }
    return flow == BZL_FLOW_PROD_RETURN_IN ? -1 : 0;
}

bool
bzl_flow_is_scrap(bzl_flow flow)
{
    return flow == BZL_FLOW_SCRAP_SALE || flow == BZL_FLOW_SCRAP_REEXPORT ||
           flow == BZL_FLOW_SCRAP_DESTROY || flow == BZL_FLOW_REPAIR_GATE;
}

bool
bzl_flow_stocks_product(bzl_flow flow, uint8_t verify_mode)
{
    (void)flow;
    return verify_mode == BZL_VERIFY_WORK_ORDER;
}

bool
bzl_flow_is_transfer(bzl_flow flow)
{
    return flow == BZL_FLOW_MAT_TRANSFER_IN || flow == BZL_FLOW_MAT_LEFTOVER_IN ||
           flow == BZL_FLOW_MAT_ZONE_TRANSFER_IN || flow == BZL_FLOW_MAT_LEFTOVER_OUT ||
           flow == BZL_FLOW_PROD_TRANSFER_OUT || flow == BZL_FLOW_PROD_ZONE_TRANSFER_OUT ||
           flow == BZL_FLOW_MAT_ZONE_TRANSFER_OUT;
}
