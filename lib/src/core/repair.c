/* repair.c — the rules of a bonded repair book: which flows it takes, what each line does to
 * its accounts, work-order lines and disposal ageing (repair.h; next-wave.md §C). */
#include "bzl/repair.h"

#include <string.h>

const char *
bzl_usage_name(uint8_t usage)
{
    switch (usage) {
    case BZL_USAGE_GENERAL:
        return "general";
    case BZL_USAGE_REPAIR:
        return "repair";
    default:
        return NULL;
    }
}

bool
bzl_usage_parse(const char *s, uint8_t *out)
{
    BZL_ASSERT(s != NULL && out != NULL);
    if (strcmp(s, "general") == 0) {
        *out = BZL_USAGE_GENERAL;
        return true;
    }
    if (strcmp(s, "repair") == 0) {
        *out = BZL_USAGE_REPAIR;
        return true;
    }
    return false;
}

const char *
bzl_origin_word(uint8_t origin)
{
    switch (origin) {
    case BZL_ORIGIN_ABROAD:
        return "abroad";
    case BZL_ORIGIN_OUTSIDE:
        return "outside";
    default:
        return "";
    }
}

const char *
bzl_origin_phrase(uint8_t origin)
{
    switch (origin) {
    case BZL_ORIGIN_ABROAD:
        return "from abroad";
    case BZL_ORIGIN_OUTSIDE:
        return "from outside the zone";
    default:
        return "of no origin";
    }
}

/* ---- the accounts of §C.3 -------------------------------------------------------------- */

int64_t
bzl_repair_awaiting(const bzl_repair_totals *t)
{
    return t->moves_e5[BZL_RM_RECEIVED] - t->moves_e5[BZL_RM_REPAIRED] -
           t->moves_e5[BZL_RM_UNREPAIRABLE];
}

int64_t
bzl_repair_repaired(const bzl_repair_totals *t)
{
    return t->moves_e5[BZL_RM_REPAIRED] - t->moves_e5[BZL_RM_RETURNED_REPAIRED];
}

int64_t
bzl_repair_unrepairable(const bzl_repair_totals *t)
{
    return t->moves_e5[BZL_RM_UNREPAIRABLE] - t->moves_e5[BZL_RM_RETURNED_UNREPAIRABLE];
}

int64_t
bzl_repair_materials(const bzl_repair_totals *t)
{
    return t->moves_e5[BZL_RM_MAT_RECEIVED] - t->moves_e5[BZL_RM_MAT_CONSUMED] -
           t->moves_e5[BZL_RM_MAT_OUT];
}

int64_t
bzl_repair_parts(const bzl_repair_totals *t)
{
    return t->moves_e5[BZL_RM_PARTS_GENERATED] - t->moves_e5[BZL_RM_PARTS_REEXPORTED] -
           t->moves_e5[BZL_RM_PARTS_DESTROYED] - t->moves_e5[BZL_RM_PARTS_GATED];
}

/* ---- which flows a book takes ---------------------------------------------------------- */

static bool
repair_only_flow(bzl_flow flow)
{
    return flow == BZL_FLOW_REPAIR_GATE || flow == BZL_FLOW_REPAIR_RECEIVE ||
           flow == BZL_FLOW_REPAIR_RETURN;
}

/* Flows a repair book takes besides its own: repair materials in (1371, the zone's material
 * codes) and out (re-export, destruction), and the parts' re-export and destruction. */
static bool
repair_book_flow(bzl_flow flow)
{
    return repair_only_flow(flow) || flow == BZL_FLOW_MAT_IMPORT || flow == BZL_FLOW_MAT_REEXPORT ||
           flow == BZL_FLOW_MAT_DESTROY || flow == BZL_FLOW_SCRAP_REEXPORT ||
           flow == BZL_FLOW_SCRAP_DESTROY;
}

static bool
goods_flow(bzl_flow flow)
{
    return flow == BZL_FLOW_REPAIR_RECEIVE || flow == BZL_FLOW_REPAIR_RETURN;
}

bzl_status
bzl_repair_flow_check(uint8_t usage, bzl_flow flow, const char *trade_mode, uint8_t origin,
                      bzl_fault *fault)
{
    BZL_ASSERT(trade_mode != NULL);
    if (usage != BZL_USAGE_REPAIR) {
        if (repair_only_flow(flow) || strcmp(trade_mode, BZL_TM_REPAIR) == 0) {
            return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                                 "trade mode %s is for repair books (book usage repair) only",
                                 trade_mode);
        }
        if (origin != BZL_ORIGIN_NONE) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "origin",
                                 "origin is only for declarations on a repair book");
        }
        return BZL_OK;
    }
    if (flow == BZL_FLOW_SCRAP_SALE || flow == BZL_FLOW_MAT_DOMESTIC_SALE ||
        flow == BZL_FLOW_PROD_DOMESTIC_SALE) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                             "trade mode %s is a domestic sale: repair parts, scrap and goods on a "
                             "repair book are never sold domestically; re-export (0864/0865), "
                             "destroy (0400) or gate-register (0050) them [G2023-105]",
                             trade_mode);
    }
    if (!repair_book_flow(flow)) {
        return bzl_fault_set(fault, BZL_FLOW_NOT_ALLOWED, 0, "trade_mode",
                             "a repair book takes no %s (trade mode %s)", bzl_flow_name(flow),
                             trade_mode);
    }
    if (origin != BZL_ORIGIN_ABROAD && origin != BZL_ORIGIN_OUTSIDE) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "origin",
                             "a declaration on a repair book needs origin abroad or outside");
    }
    if (flow == BZL_FLOW_SCRAP_REEXPORT && origin != BZL_ORIGIN_ABROAD) {
        return bzl_fault_set(fault, BZL_WRONG_ORIGIN, 0, "origin",
                             "parts from goods that came from outside the zone are not "
                             "re-exported (%s): gate-register them to outside the zone (0050) or "
                             "destroy them (0400) [G2023-105]",
                             trade_mode);
    }
    if (flow == BZL_FLOW_REPAIR_GATE && origin != BZL_ORIGIN_OUTSIDE) {
        return bzl_fault_set(fault, BZL_WRONG_ORIGIN, 0, "origin",
                             "only parts from goods that came from outside the zone may be "
                             "gate-registered to outside it; parts from abroad are re-exported "
                             "(0864/0865) or destroyed (0400) [G2023-105]");
    }
    return BZL_OK;
}

/* ---- what a line does ------------------------------------------------------------------- */

/* The account a flow draws on (on hand in `t`), and the movement it makes. */
static int64_t
account_of(bzl_flow flow, const bzl_repair_totals *t, bzl_repair_move *move)
{
    switch (flow) {
    case BZL_FLOW_REPAIR_RETURN:
        *move = BZL_RM_RETURNED_REPAIRED;
        return bzl_repair_repaired(t) + bzl_repair_unrepairable(t);
    case BZL_FLOW_MAT_REEXPORT:
    case BZL_FLOW_MAT_DESTROY:
        *move = BZL_RM_MAT_OUT;
        return bzl_repair_materials(t);
    case BZL_FLOW_SCRAP_REEXPORT:
        *move = BZL_RM_PARTS_REEXPORTED;
        return bzl_repair_parts(t);
    case BZL_FLOW_SCRAP_DESTROY:
        *move = BZL_RM_PARTS_DESTROYED;
        return bzl_repair_parts(t);
    case BZL_FLOW_REPAIR_GATE:
        *move = BZL_RM_PARTS_GATED;
        return bzl_repair_parts(t);
    default:
        BZL_ASSERT(false && "not an outflow of a repair book");
        return 0;
    }
}

static const char *
account_name(bzl_flow flow)
{
    if (flow == BZL_FLOW_REPAIR_RETURN) {
        return "repaired or unrepairable goods";
    }
    if (flow == BZL_FLOW_MAT_REEXPORT || flow == BZL_FLOW_MAT_DESTROY) {
        return "repair materials";
    }
    return "old and broken parts";
}

bzl_status
bzl_repair_line(bzl_flow flow, uint8_t origin, int64_t qty_e5, const bzl_repair_totals *mine,
                const bzl_repair_totals *other, uint32_t line, uint32_t item, bzl_repair_step *out,
                bzl_fault *fault)
{
    BZL_ASSERT(mine != NULL && other != NULL && out != NULL);
    BZL_ASSERT(qty_e5 > 0);
    memset(out, 0, sizeof *out);
    if (flow == BZL_FLOW_REPAIR_RECEIVE) {
        out->move = BZL_RM_RECEIVED;
        out->first_e5 = qty_e5;
        return BZL_OK;
    }
    if (flow == BZL_FLOW_MAT_IMPORT) {
        out->move = BZL_RM_MAT_RECEIVED;
        out->first_e5 = qty_e5;
        return BZL_OK;
    }
    bzl_repair_move move = 0;
    int64_t have = account_of(flow, mine, &move);
    if (have < qty_e5) {
        bzl_repair_move ignored = 0;
        bool goods = goods_flow(flow) || flow == BZL_FLOW_SCRAP_REEXPORT ||
                     flow == BZL_FLOW_SCRAP_DESTROY || flow == BZL_FLOW_REPAIR_GATE;
        if (goods && account_of(flow, other, &ignored) >= qty_e5) {
            uint8_t there = origin == BZL_ORIGIN_ABROAD ? BZL_ORIGIN_OUTSIDE : BZL_ORIGIN_ABROAD;
            bzl_status st = bzl_fault_set(
                fault, BZL_WRONG_ORIGIN, line, "origin",
                "line %u: item %u has too few %s %s for the line; those on hand came %s, and "
                "goods and their parts go back where they came from [2015年第59号, G2023-105]",
                (unsigned)line, (unsigned)item, account_name(flow), bzl_origin_phrase(origin),
                bzl_origin_phrase(there));
            if (fault != NULL) {
                fault->item_no = item;
                fault->available_e5 = have;
            }
            return st;
        }
        bzl_status st = bzl_fault_set(fault, BZL_INSUFFICIENT_BALANCE, line, "qty",
                                      "line %u: item %u has fewer %s %s on hand than the line's "
                                      "quantity",
                                      (unsigned)line, (unsigned)item, account_name(flow),
                                      bzl_origin_phrase(origin));
        if (fault != NULL) {
            fault->item_no = item;
            fault->available_e5 = have;
        }
        return st;
    }
    out->move = move;
    out->first_e5 = qty_e5;
    if (flow == BZL_FLOW_REPAIR_RETURN) {
        int64_t repaired = bzl_repair_repaired(mine);
        if (repaired < qty_e5) {
            out->first_e5 = repaired;
            out->second = BZL_RM_RETURNED_UNREPAIRABLE;
            out->second_e5 = qty_e5 - repaired;
        }
    }
    return BZL_OK;
}

/* ---- work orders ------------------------------------------------------------------------ */

const char *
bzl_wo_state_name(uint8_t state)
{
    switch (state) {
    case BZL_WO_OPEN:
        return "open";
    case BZL_WO_REPAIRED:
        return "repaired";
    case BZL_WO_UNREPAIRABLE:
        return "unrepairable";
    default:
        return NULL;
    }
}

/* One list on its own: bounded, positive, no item twice. */
static bzl_status
wo_list_check(const bzl_wo_line *l, uint32_t n, uint32_t lines_max, const char *field,
              bzl_fault *fault)
{
    if (n > lines_max) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, field,
                             "%s: %u lines exceed the limit of %u", field, (unsigned)n,
                             (unsigned)lines_max);
    }
    for (uint32_t i = 0; i < n; i++) { /* n <= lines_max */
        if (l[i].item_no == 0 || l[i].item_no > BZL_ITEM_NO_MAX) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, i + 1, field,
                                 "%s line %u: item %u is not an item number", field,
                                 (unsigned)(i + 1), (unsigned)l[i].item_no);
        }
        if (l[i].qty_e5 <= 0) {
            bzl_status st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, i + 1, field,
                                          "%s line %u: the quantity of item %u must be above 0",
                                          field, (unsigned)(i + 1), (unsigned)l[i].item_no);
            if (fault != NULL) {
                fault->item_no = l[i].item_no;
            }
            return st;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (l[j].item_no == l[i].item_no) {
                return bzl_fault_set(fault, BZL_DUPLICATE_LINE, i + 1, field,
                                     "%s lines %u and %u name the same item %u", field,
                                     (unsigned)(j + 1), (unsigned)(i + 1), (unsigned)l[i].item_no);
            }
        }
    }
    return BZL_OK;
}

bzl_status
bzl_wo_lines_check(const bzl_wo_line *materials, uint32_t n_materials, const bzl_wo_line *parts,
                   uint32_t n_parts, uint32_t lines_max, bzl_fault *fault)
{
    BZL_ASSERT(n_materials == 0 || materials != NULL);
    BZL_ASSERT(n_parts == 0 || parts != NULL);
    bzl_status st = wo_list_check(materials, n_materials, lines_max, "materials", fault);
    if (st == BZL_OK) {
        st = wo_list_check(parts, n_parts, lines_max, "parts", fault);
    }
    for (uint32_t i = 0; st == BZL_OK && i < n_parts; i++) {
        int64_t used = -1;
        for (uint32_t j = 0; j < n_materials; j++) {
            if (materials[j].item_no == parts[i].item_no) {
                used = materials[j].qty_e5;
            }
        }
        if (used < parts[i].qty_e5) {
            st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, i + 1, "parts",
                               "parts line %u: more old parts of item %u than were replaced (a "
                               "part is generated only where the work order used a new one)",
                               (unsigned)(i + 1), (unsigned)parts[i].item_no);
            if (fault != NULL) {
                fault->item_no = parts[i].item_no;
                fault->available_e5 = used < 0 ? 0 : used;
            }
        }
    }
    return st;
}

/* ---- disposal ageing -------------------------------------------------------------------- */

void
bzl_repair_fifo(const int32_t *dates, const int64_t *qty_e5, size_t n, int64_t disposed_e5,
                int64_t *remaining_e5)
{
    BZL_ASSERT(n == 0 || (dates != NULL && qty_e5 != NULL && remaining_e5 != NULL));
    int64_t left = disposed_e5 > 0 ? disposed_e5 : 0;
    for (size_t i = 0; i < n; i++) {
        BZL_ASSERT(i == 0 || dates[i - 1] <= dates[i]);
        int64_t take = left < qty_e5[i] ? left : qty_e5[i];
        remaining_e5[i] = qty_e5[i] - take;
        left -= take;
    }
}

int
bzl_repair_due_state(int32_t date, uint32_t days, uint32_t warn_days, int32_t as_of, int32_t *due)
{
    BZL_ASSERT(due != NULL);
    int64_t d = (int64_t)date + days;
    *due = d > INT32_MAX ? INT32_MAX : (int32_t)d;
    if ((int64_t)as_of > d) {
        return 2;
    }
    if ((int64_t)as_of + warn_days >= d) {
        return 1;
    }
    return 0;
}
