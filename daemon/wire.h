/* wire.h — protobuf ↔ domain conversion for bzld: every field check a request gets before
 * anything is read, and the domain records turned back into protobuf messages.
 *
 * Pure: no slots, no loop, no storage calls, no allocation (callers hand in every buffer), so
 * the handlers, the request table's validate() (requests.c), the fuzz target
 * (tests/fuzz/fuzz_request.c) and the in-process unit tests (tests/daemon/unit/) all run this
 * very code. It includes storage.h for record types only (stocktake lines, rates, trade rows).
 *
 * Parsers return BZL_OK with their output written, or the status of the first bad field with
 * fault naming it (field, line for a declaration or stocktake line) in words a client can act
 * on. A *_to_pb function fills a message whose strings point into the domain record or into
 * text buffers the caller owns: both must outlive the packing of the reply.
 */
#ifndef BZLD_WIRE_H
#define BZLD_WIRE_H

#include "bzl.pb-c.h"
#include "bzl/calendar.h"
#include "bzl/codes.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"
#include "bzl/norms.h"
#include "bzl/storage.h"

/* ---- fields ---------------------------------------------------------------------------------- */

/* Copies a client string into dst[dst_cap] after bzl_text_check. Returns BZL_OK or
 * BZL_INVALID_ARGUMENT with fault naming `field`. */
BZL_NODISCARD bzl_status bzld_copy_text(const char *src, size_t min_bytes, size_t max_bytes,
                                        char *dst, size_t dst_cap, const char *field,
                                        bzl_fault *fault);

/* Copies a customs code field into dst[dst_cap] after `check`. Empty is allowed only when
 * optional (dst becomes ""). Faults name `field`, and line when it is not 0 ("line 3: hs ..."):
 * BZL_INVALID_ARGUMENT when a required code is empty, BZL_INVALID_CODE when it does not check. */
BZL_NODISCARD bzl_status bzld_copy_code(const char *src, bool optional,
                                        bzl_status (*check)(const char *, size_t), char *dst,
                                        size_t dst_cap, uint32_t line, const char *field,
                                        bzl_fault *fault);

/* bzl_code_check_book in the shape bzld_copy_code's check takes. */
bzl_status bzld_check_book_no(const char *s, size_t len);

/* Copies a book number into out after its check; BZL_INVALID_CODE ("book number ... is not
 * valid", field "book") otherwise. */
BZL_NODISCARD bzl_status bzld_parse_book(const char *text, char out[BZL_BOOK_NO_LEN + 1],
                                         bzl_fault *fault);

/* A kind that is material or product; BZL_INVALID_ARGUMENT (field "kind") otherwise. */
BZL_NODISCARD bzl_status bzld_wire_kind(Bzl__V1__Kind kind, bzl_kind *out, bzl_fault *fault);

/* A date YYYY-MM-DD, or fallback when text is empty and optional; BZL_INVALID_DATE naming
 * `field` otherwise. */
BZL_NODISCARD bzl_status bzld_wire_date(const char *text, bool optional, int32_t fallback,
                                        const char *field, int32_t *out, bzl_fault *fault);

/* A period of whole months (YYYY-MM, YYYY-Qn, YYYY or DATE..DATE), or the fault. */
BZL_NODISCARD bzl_status bzld_parse_period(const char *text, bzl_period *p, bzl_fault *fault);

/* A month YYYY-MM as YYYYMM; BZL_INVALID_ARGUMENT (field "month") otherwise. */
BZL_NODISCARD bzl_status bzld_wire_month(const char *text, uint32_t *month, bzl_fault *fault);

/* A non-negative plain decimal at `scale` places naming `field` in its fault. */
BZL_NODISCARD bzl_status bzld_wire_decimal(const char *text, unsigned scale, const char *field,
                                           int64_t *out, bzl_fault *fault);

/* Fills a protobuf Fault from a domain fault; field points into fault, the available quantity
 * is formatted into available_buf[available_cap] (at least BZL_DEC_TEXT_BYTES). */
void bzld_fault_to_pb(const bzl_fault *fault, Bzl__V1__Fault *out, char *available_buf,
                      size_t available_cap);

/* ---- paging ---------------------------------------------------------------------------------- */

/* A page token is opaque to clients (bzl.proto's Paging). To the daemon it is the listing's
 * letter, ':' and the position the next page starts after: a number, or for the listings
 * keyed by code the last code. The letter makes a token of one listing fail in another. */
typedef enum bzld_listing {
    BZLD_LIST_ENTERPRISES = 'e',  /* last enterprise code */
    BZLD_LIST_BALANCES = 'b',     /* bzld_item_position of the last row */
    BZLD_LIST_NORMS = 'n',        /* rows already listed */
    BZLD_LIST_HISTORY = 'h',      /* last journal sequence */
    BZLD_LIST_TRANSFERS = 't',    /* rows already listed */
    BZLD_LIST_SCRAP = 's',        /* last material */
    BZLD_LIST_BOOKS = 'r',        /* last book (reconcile of every book) */
    BZLD_LIST_RATES = 'x',        /* rows already listed */
    BZLD_LIST_AUDIT = 'a',        /* last journal sequence examined */
    BZLD_LIST_DECLARATIONS = 'd', /* last journal sequence examined */
    BZLD_LIST_BOOK_RECORDS = 'k', /* last book listed (book list) */
    BZLD_LIST_ITEMS = 'i',        /* bzld_item_position of the last row */
    BZLD_LIST_JOURNAL = 'j',      /* last journal sequence sent (journal stream) */
    BZLD_LIST_WORKORDERS = 'w',   /* last work order listed */
    BZLD_LIST_TARIFFS = 'g',      /* rows already listed */
    BZLD_LIST_RECEIPT_DIFF = 'c', /* INV211 book lines already compared */
} bzld_listing;

/* Room for any token the daemon writes, NUL included. */
#define BZLD_PAGE_TOKEN_BYTES 32u

/* The rows a page holds: page_size, or dflt when it is 0, at most max. */
size_t bzld_page_rows(uint32_t page_size, size_t dflt, size_t max);

/* A numeric token of `listing`: 0 for "", else its position, which must be at most max.
 * BZL_INVALID_ARGUMENT naming page_token otherwise. */
BZL_NODISCARD bzl_status bzld_page_token_number(const char *token, bzld_listing listing,
                                                uint64_t max, uint64_t *pos, bzl_fault *fault);

/* A code token of `listing`: "" for "", else a code that passes check and fits out[cap].
 * BZL_INVALID_ARGUMENT naming page_token otherwise. */
BZL_NODISCARD bzl_status bzld_page_token_code(const char *token, bzld_listing listing,
                                              bzl_status (*check)(const char *, size_t), char *out,
                                              size_t cap, bzl_fault *fault);

/* Writes the token of a numeric or code position into out; "" when more is false. */
void bzld_page_token_put_number(bzld_listing listing, bool more, uint64_t pos,
                                char out[BZLD_PAGE_TOKEN_BYTES]);
void bzld_page_token_put_code(bzld_listing listing, bool more, const char *code,
                              char out[BZLD_PAGE_TOKEN_BYTES]);

/* ---- master records -------------------------------------------------------------------------- */

BZL_NODISCARD bzl_status bzld_wire_enterprise(const Bzl__V1__Enterprise *pb, bzl_enterprise *e,
                                              bzl_fault *fault);
/* A book as opened: verify mode defaults to unit, the period to 365 days (at most 3660). */
BZL_NODISCARD bzl_status bzld_wire_book(const Bzl__V1__Book *pb, bzl_book *b, bzl_fault *fault);
BZL_NODISCARD bzl_status bzld_wire_item(const Bzl__V1__Item *pb, bzl_item *item, bzl_fault *fault);

/* The checks of a GetItem before it reads: the book number, then the kind. */
BZL_NODISCARD bzl_status bzld_wire_get_item(const Bzl__V1__GetItem *req, bzl_kind *kind,
                                            bzl_fault *fault);

/* Strings of out point into the record. */
void bzld_enterprise_to_pb(const bzl_enterprise *e, Bzl__V1__Enterprise *out);
void bzld_book_to_pb(const bzl_book *b, Bzl__V1__Book *out);
void bzld_item_to_pb(const bzl_item *item, Bzl__V1__Item *out);

/* ---- declarations ---------------------------------------------------------------------------- */

/* Converts and checks one declaration (bzl_decl_check_fields included); lines[] has room for
 * min(pb->n_lines, lines_max) lines and d->lines points at it on success, lots[] for
 * min(bzld_wire_lot_count(pb), BZL_DECL_LOTS_MAX) lots the lines name (d->lots). A NULL pb is
 * BZL_INVALID_ARGUMENT ("the declaration is missing"); more than lines_max lines, or more than
 * BZL_DECL_LOTS_MAX lots, is BZL_LIMIT_EXCEEDED. */
BZL_NODISCARD bzl_status bzld_wire_declaration(const Bzl__V1__Declaration *pb, uint32_t lines_max,
                                               bzl_declaration *d, bzl_decl_line *lines,
                                               bzl_lot_ref *lots, bzl_fault *fault);
/* The lots pb's lines name, all together (0 for a NULL pb). */
size_t bzld_wire_lot_count(const Bzl__V1__Declaration *pb);

/* The bytes the 核注清单 fields of pb take as list-field records (list_fields.h): what
 * bzld_wire_list_fields needs in buf. 0 when pb is NULL or has more than lines_max lines. */
size_t bzld_wire_list_bytes(const Bzl__V1__Declaration *pb, uint32_t lines_max);
/* The 核注清单 fields of pb (header and lines) into buf as list-field records, and d's run
 * pointing at them (NULL when none); d was converted from pb by bzld_wire_declaration. A name
 * the table does not keep at its place, one given twice, an empty or over-long value, bad
 * UTF-8 or a control character: BZL_INVALID_ARGUMENT with fault naming the element and the
 * line. */
BZL_NODISCARD bzl_status bzld_wire_list_fields(const Bzl__V1__Declaration *pb, uint8_t *buf,
                                               size_t cap, bzl_declaration *d, bzl_fault *fault);

/* What a reply's ListField pairs point into; owned, released by bzld_list_pb_free. */
typedef struct bzld_list_pb {
    Bzl__V1__ListField *pairs;
    Bzl__V1__ListField **ptrs;
    char *text;
} bzld_list_pb;
/* d's 核注清单 fields onto out and its lines (lines[i] is line i + 1's message, already
 * initialised). BZL_CORRUPT for a malformed run, BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status bzld_list_fields_to_pb(const bzl_declaration *d, Bzl__V1__Declaration *out,
                                                Bzl__V1__DeclarationLine *const *lines,
                                                bzld_list_pb *lp);
void bzld_list_pb_free(bzld_list_pb *lp);

/* ---- the bonded ledger ----------------------------------------------------------------------- */

BZL_NODISCARD bzl_status bzld_wire_norm(const Bzl__V1__Norm *pb, bzl_norm *n, bzl_fault *fault);

/* The decimal texts a Norm message points into. */
typedef struct bzld_norm_text {
    char net[BZL_DEC_TEXT_BYTES], tangible[BZL_DEC_TEXT_BYTES], intangible[BZL_DEC_TEXT_BYTES];
    char share[BZL_DEC_TEXT_BYTES], ucns[BZL_DEC_TEXT_BYTES];
    char from[16];
} bzld_norm_text;

void bzld_norm_to_pb(const bzl_norm *n, Bzl__V1__Norm *out, bzld_norm_text *txt);

/* A declaration named for post, void, reject or reverse: enterprise, id and a reason of at
 * least reason_min bytes (1 for reject and reverse). Buffers as in bzl_declaration. */
typedef struct bzld_decl_ref {
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char reason[BZL_TEXT_BYTES_MAX + 1];
} bzld_decl_ref;

BZL_NODISCARD bzl_status bzld_wire_decl_ref(const Bzl__V1__DeclarationRef *pb, size_t reason_min,
                                            bzld_decl_ref *out, bzl_fault *fault);

/* SetItemMode: book, from date, and a mode of OEM, ODM or OBM. */
BZL_NODISCARD bzl_status bzld_wire_item_mode(const Bzl__V1__SetItemMode *req,
                                             char book_no[BZL_BOOK_NO_LEN + 1], int32_t *from,
                                             uint8_t *mode, bzl_fault *fault);

/* ClosePeriod: book and through date. */
BZL_NODISCARD bzl_status bzld_wire_close_period(const Bzl__V1__ClosePeriod *req,
                                                char book_no[BZL_BOOK_NO_LEN + 1], int32_t *through,
                                                bzl_fault *fault);

/* QueryHistory: book, from and to dates (open ends INT32_MIN / INT32_MAX), the kind and the
 * page token (the journal sequence the page continues after). */
BZL_NODISCARD bzl_status bzld_wire_history(const Bzl__V1__QueryHistory *req,
                                           char book_no[BZL_BOOK_NO_LEN + 1], int32_t *from,
                                           int32_t *to, uint64_t *after_seq, bzl_fault *fault);

/* QueryScrap: the book and the page token (the material the page continues after). */
BZL_NODISCARD bzl_status bzld_wire_scrap(const Bzl__V1__QueryScrap *req,
                                         char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *after_item,
                                         bzl_fault *fault);

/* ListNorms: the page token (the norms the earlier pages held). */
BZL_NODISCARD bzl_status bzld_wire_list_norms(const Bzl__V1__ListNorms *req, uint32_t *skip,
                                              bzl_fault *fault);

/* QueryBalances: the book number, the kind (0 for either) and the page token: the position
 * after which the page starts, (kind, item) as bzld_item_position packs it. */
BZL_NODISCARD bzl_status bzld_wire_balances(const Bzl__V1__QueryBalances *req, uint64_t *after,
                                            bzl_fault *fault);

/* The balance and item listings' position of a (kind, item) row: kind in the high 32 bits. */
static inline uint64_t
bzld_item_position(uint8_t kind, uint32_t item)
{
    return (uint64_t)kind << 32 | item;
}

/* ---- the officer's desk ---------------------------------------------------------------------- */

/* ListDeclarations: every filter but the age (the handler's clock) into f, and the page token
 * into f->after_seq. Empty filters match everything. */
BZL_NODISCARD bzl_status bzld_wire_list_declarations(const Bzl__V1__ListDeclarations *req,
                                                     bzl_decl_filter *f, bzl_fault *fault);

/* ListItems: the book, the kind (0 for both) and the page token's (kind, item). */
BZL_NODISCARD bzl_status bzld_wire_list_items(const Bzl__V1__ListItems *req,
                                              char book_no[BZL_BOOK_NO_LEN + 1], uint8_t *kind,
                                              uint64_t *after, bzl_fault *fault);

/* ListBooks: the enterprise filter ("" for every one) and the book the page continues after. */
BZL_NODISCARD bzl_status bzld_wire_list_books(const Bzl__V1__ListBooks *req,
                                              char enterprise[BZL_ENTERPRISE_CODE_LEN + 1],
                                              char after[BZL_BOOK_NO_LEN + 1], bzl_fault *fault);

/* ---- verification ---------------------------------------------------------------------------- */

/* One stocktake line, the i-th (0-based; faults say line i + 1). */
BZL_NODISCARD bzl_status bzld_wire_stocktake_line(const Bzl__V1__StocktakeLine *pb, uint32_t i,
                                                  bzl_stocktake_line *l, bzl_fault *fault);

/* A stocktake's book, date and line count (at most lines_max); its lines are
 * bzld_wire_stocktake_line's. */
BZL_NODISCARD bzl_status bzld_wire_stocktake_head(const Bzl__V1__SubmitStocktake *req,
                                                  uint32_t lines_max,
                                                  char book_no[BZL_BOOK_NO_LEN + 1], int32_t *date,
                                                  bzl_fault *fault);

/* Every check of a stocktake, its lines included, with nothing kept: for the request table. */
BZL_NODISCARD bzl_status bzld_wire_stocktake_check(const Bzl__V1__SubmitStocktake *req,
                                                   uint32_t lines_max, bzl_fault *fault);

BZL_NODISCARD bzl_status bzld_wire_rate(const Bzl__V1__SetRate *req, bzl_rate_row *rate,
                                        bzl_fault *fault);
BZL_NODISCARD bzl_status bzld_wire_trade(const Bzl__V1__RecordTrade *req, bzl_trade_row *trade,
                                         bzl_fault *fault);

/* Reconcile: the period, the tolerance (percent at 4 places; 0.5 % when not given), the
 * book ("" for every book) and the page token (the book the page continues after). */
BZL_NODISCARD bzl_status bzld_wire_reconcile(const Bzl__V1__Reconcile *req, bzl_period *p,
                                             int64_t *tol_e4, char book_no[BZL_BOOK_NO_LEN + 1],
                                             char after_book[BZL_BOOK_NO_LEN + 1],
                                             bzl_fault *fault);

/* A RecordDelivery into dv: book numbers, kind, item, quantity (> 0), date. */
BZL_NODISCARD bzl_status bzld_wire_delivery(const Bzl__V1__RecordDelivery *req, bzl_delivery *dv,
                                            bzl_fault *fault);

/* ---- bonded repair (wire_repair.c) ---------------------------------------------------------- */

/* "abroad" → BZL_ORIGIN_ABROAD, "outside" → BZL_ORIGIN_OUTSIDE; anything else (and "" when
 * required) is BZL_INVALID_ARGUMENT naming field; "" gives BZL_ORIGIN_NONE when optional. */
BZL_NODISCARD bzl_status bzld_wire_repair_origin(const char *text, bool required, const char *field,
                                                 uint8_t *out, bzl_fault *fault);
/* An OpenWorkOrder's fields: book number, item, origin, date (every check before a read). */
BZL_NODISCARD bzl_status bzld_wire_open_workorder(const Bzl__V1__OpenWorkOrder *req,
                                                  char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *item,
                                                  uint8_t *origin, int32_t *date, bzl_fault *fault);
/* A CompleteWorkOrder's fields, its lines into materials and parts (BZL_WO_LINES_MAX each) and
 * bzl_wo_lines_check. */
BZL_NODISCARD bzl_status bzld_wire_complete_workorder(const Bzl__V1__CompleteWorkOrder *req,
                                                      char book_no[BZL_BOOK_NO_LEN + 1],
                                                      uint32_t *no, uint8_t *state, int32_t *date,
                                                      bzl_wo_line *materials, uint32_t *n_materials,
                                                      bzl_wo_line *parts, uint32_t *n_parts,
                                                      bzl_fault *fault);

#endif
