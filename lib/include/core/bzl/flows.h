/* flows.h — the customs flow catalogue: which movement a declaration is, as data.
 *
 * A declaration's flow follows from (kind, direction, trade mode, book letter) by a table kept
 * as data in lib/src/core/flows.c (reference/customs-domain.md §1.5 flows, §2.1 trade modes, §2.2
 * book letter × trade mode). A few flows also depend on the book's verification mode (production
 * reports only on work-order books, consumption reports only on consumption books) and on
 * whether the declaration names a counterpart (区内流转, in-zone transfer, uses the zone codes
 * 5014/5015 with related_book set). Pure: no I/O, no allocation.
 */
#ifndef BZL_FLOWS_H
#define BZL_FLOWS_H

#include "bzl/ledger.h"

/* Stable numbers: they are stored in journal effects and period-total keys. Append only. */
typedef enum bzl_flow {
    BZL_FLOW_NONE = 0,
    BZL_FLOW_MAT_IMPORT = 1,           /* 料件进口 0214/0615/0715, zone 5014/5015/5000/5034 */
    BZL_FLOW_MAT_TRANSFER_IN = 2,      /* 深加工结转 in 0255/0654 */
    BZL_FLOW_MAT_LEFTOVER_IN = 3,      /* 余料结转 in 0258/0657 */
    BZL_FLOW_MAT_ZONE_TRANSFER_IN = 4, /* 区内流转 in: 5014/5015 with a counterpart */
    BZL_FLOW_MAT_REEXPORT = 5,         /* 料件复出 0265/0664, zone 5014/5015 */
    BZL_FLOW_MAT_DOMESTIC_SALE = 6,    /* 料件内销 0245/0644, zone second-line exit 5000 */
    BZL_FLOW_MAT_LEFTOVER_OUT = 7,     /* 余料结转 out 0258/0657 */
    BZL_FLOW_MAT_DESTROY = 8,          /* 料件销毁 0200 */
    BZL_FLOW_MAT_RETURN_OUT = 9,       /* 料件退换 out 0300/0700 */
    BZL_FLOW_MAT_RETURN_IN = 10,       /* 料件退换 in 0300/0700 */
    BZL_FLOW_MAT_LOW_VALUE = 11,       /* 低值辅料 0815 */
    BZL_FLOW_PROD_EXPORT = 12,         /* 成品出口 0214/0615, zone 5014/5015/5100 */
    BZL_FLOW_PROD_TRANSFER_OUT = 13,   /* 深加工结转 out 0255/0654 */
    BZL_FLOW_PROD_ZONE_TRANSFER_OUT = 14, /* 区内流转 out: 5014/5015 with a counterpart */
    BZL_FLOW_PROD_DOMESTIC_SALE = 15,     /* 成品内销 0245/0644, zone 0444/0445 */
    BZL_FLOW_PROD_RETURN_IN = 16,         /* 成品退换 in 4400/4600 */
    BZL_FLOW_PROD_RETURN_OUT = 17,        /* 成品退换 out 4400/4600 */
    BZL_FLOW_PROD_DESTROY = 18,           /* 成品(残次品)销毁 0200 */
    BZL_FLOW_SCRAP_SALE = 19,         /* 边角料内销 0844/0845, zone 5200 区内边角调出 */
    BZL_FLOW_SCRAP_REEXPORT = 20,     /* 边角料复出 0864/0865 */
    BZL_FLOW_SCRAP_DESTROY = 21,      /* 边角料销毁 0400 */
    BZL_FLOW_PRODUCTION_REPORT = 22,  /* 生产报告 (work-order books), bzl code 0010 */
    BZL_FLOW_CONSUMPTION_REPORT = 23, /* 耗料报告 (consumption books), bzl code 0020 */
    BZL_FLOW_ADJUST_UP = 24,          /* 核增, bzl code 0030 */
    BZL_FLOW_ADJUST_DOWN = 25,        /* 核减, bzl code 0040 */
    BZL_FLOW_MAT_ZONE_TRANSFER_OUT =
        26,                    /* 区内流转 out of materials: 5014/5015 with a counterpart */
    BZL_FLOW_REPAIR_GATE = 27, /* 卡口登记 of repair parts to outside the zone, bzl code 0050 */
    BZL_FLOW_REPAIR_RECEIVE = 28, /* 保税维修 goods to repair in, 1371 (repair books) */
    BZL_FLOW_REPAIR_RETURN = 29,  /* 保税维修 goods back to their origin, 1371 (repair books) */
    BZL_FLOW_COUNT
} bzl_flow;

/* Period-total category of material consumption derived from norms (单耗 × quantity) or
 * reported (耗料). Every other category number is the flow number itself. */
#define BZL_CATEGORY_CONSUMPTION 64u
/* The parts of norm consumption the consuming line's own norm attributes to tangible loss
 * (有形损耗, which is also the 边角料 allowance it generates) and to intangible loss (无形损耗):
 * round5(qty × u × rate / 100) per norm row of each line (norms.h). Verification shows their
 * period totals as the loss columns, so each export counts at its own norm's rates
 * (reference/customs-domain.md §1.5). Schema 4; a schema-3 ledger gains them on upgrade. */
#define BZL_CATEGORY_TANGIBLE_LOSS 65u
#define BZL_CATEGORY_INTANGIBLE_LOSS 66u

/* bzl's own pseudo trade modes for movements customs has no 监管方式 for. 00xx is unassigned in
 * §2.1, so they cannot collide with a real code. */
#define BZL_TM_PRODUCTION_REPORT "0010"
#define BZL_TM_CONSUMPTION_REPORT "0020"
#define BZL_TM_ADJUST_UP "0030"
#define BZL_TM_ADJUST_DOWN "0040"

/* The flow of a declaration. book_letter is the first character of the book number (B, C, E,
 * H, T); verify_mode the book's bzl_verify_mode; related is true when the declaration names a
 * counterpart book. BZL_OK and *out, or BZL_FLOW_NOT_ALLOWED with fault naming the trade mode,
 * its name, the kind, direction and book letter. */
BZL_NODISCARD bzl_status bzl_flow_lookup(bzl_kind kind, bzl_direction dir, const char *trade_mode,
                                         char book_letter, uint8_t verify_mode, bool related,
                                         bzl_flow *out, bzl_fault *fault);

/* "material import", "product export", … ; "unknown" outside the enum. */
const char *bzl_flow_name(bzl_flow flow);
/* The period-total category name: a flow name, "consumption", "tangible loss" or
 * "intangible loss". */
const char *bzl_category_name(unsigned category);

/* How a product line of this flow moves materials on a book of verify_mode: +1 consumes by
 * norm, -1 gives back by norm (a product returned in on a unit book), 0 none. */
int bzl_flow_consumption_sign(bzl_flow flow, uint8_t verify_mode);
/* True for the scrap dispositions (sale, re-export, destruction): they draw the tangible-loss
 * allowance and leave the material balance alone. */
bool bzl_flow_is_scrap(bzl_flow flow);
/* True when a product line moves the product balance (work-order books stock products). */
bool bzl_flow_stocks_product(bzl_flow flow, uint8_t verify_mode);
/* True for transfers that link two declarations (deep-processing, leftover, in-zone). */
bool bzl_flow_is_transfer(bzl_flow flow);

/* The Chinese short name of a 监管方式 code (§2.1), or NULL for a code not in the table. */
const char *bzl_trade_mode_name(const char *code);
/* Rows in the trade-mode table, for tests. */
size_t bzl_trade_mode_count(void);

#endif
