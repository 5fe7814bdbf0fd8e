/* ledger.h — the domain records and the pure rules of the bonded ledger.
 *
 * The records here are what storage keeps and what the daemon translates to and from the
 * wire; they never embed protobuf types. The rules are pure functions of their arguments
 * (no database, no clock, no allocation): given a declaration, its book, its items and
 * their balances, they decide whether it is acceptable and what it changes.
 *
 * Strings are fixed arrays, NUL-terminated, validated on the way in (see
 * bzl_decl_check_fields and friends), so a record can be copied by value.
 */
#ifndef BZL_LEDGER_H
#define BZL_LEDGER_H

#include "bzl/base.h"
#include "bzl/codes.h"
#include "bzl/limits.h"

typedef enum bzl_kind {
    BZL_KIND_MATERIAL = 1, /* 料件 */
    BZL_KIND_PRODUCT = 2,  /* 成品 */
} bzl_kind;

typedef enum bzl_direction {
    BZL_DIR_IN = 1,
    BZL_DIR_OUT = 2,
} bzl_direction;

/* Where a repair book's goods come from or go back to (保税维修, next-wave.md C.2): a
 * declaration attribute, BZL_ORIGIN_NONE on every other book. */
typedef enum bzl_origin {
    BZL_ORIGIN_NONE = 0,
    BZL_ORIGIN_ABROAD = 1,  /* 境外 */
    BZL_ORIGIN_OUTSIDE = 2, /* 境内区外 */
} bzl_origin;

typedef enum bzl_biz_mode {
    BZL_BIZ_NONE = 0,
    BZL_BIZ_OEM = 1,
    BZL_BIZ_ODM = 2,
    BZL_BIZ_OBM = 3,
} bzl_biz_mode;

typedef enum bzl_verify_mode {
    BZL_VERIFY_UNIT = 1,        /* 单耗: materials consumed when products leave */
    BZL_VERIFY_WORK_ORDER = 2,  /* 工单: production reports move materials into product stock */
    BZL_VERIFY_CONSUMPTION = 3, /* 耗料: explicit consumption reports */
} bzl_verify_mode;

typedef enum bzl_book_status {
    BZL_BOOK_OPEN = 1,
    BZL_BOOK_SUSPENDED = 2,
    BZL_BOOK_CLOSED = 3,
} bzl_book_status;

/* "material", "product", "in", … and back. Parse returns false for anything else. */
const char *bzl_kind_name(bzl_kind kind);
bool bzl_kind_parse(const char *s, bzl_kind *out);
const char *bzl_direction_name(bzl_direction dir);
bool bzl_direction_parse(const char *s, bzl_direction *out);
const char *bzl_origin_name(bzl_origin origin);        /* "" for BZL_ORIGIN_NONE */
bool bzl_origin_parse(const char *s, bzl_origin *out); /* "" parses as BZL_ORIGIN_NONE */
const char *bzl_biz_mode_name(bzl_biz_mode mode);
bool bzl_biz_mode_parse(const char *s, bzl_biz_mode *out);
const char *bzl_verify_mode_name(bzl_verify_mode mode);
bool bzl_verify_mode_parse(const char *s, bzl_verify_mode *out);

typedef struct bzl_enterprise {
    char code[BZL_ENTERPRISE_CODE_LEN + 1];
    char uscc[BZL_USCC_LEN + 1];
    char name[BZL_NAME_BYTES_MAX + 1];
    char area[BZL_AREA_BYTES_MAX + 1];
} bzl_enterprise;

typedef struct bzl_book {
    char book_no[BZL_BOOK_NO_LEN + 1];
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    uint8_t verify_mode; /* bzl_verify_mode */
    uint8_t status;      /* bzl_book_status */
    uint32_t period_days;
    uint8_t usage; /* 账册用途: 0 general, 3 repair (BZL_USAGE_*, repair.h) */
} bzl_book;

typedef struct bzl_item {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind; /* bzl_kind */
    uint32_t item_no;
    char hs[BZL_HS_LEN + 1];
    char unit[BZL_UNIT_LEN + 1];
    uint8_t biz_mode; /* bzl_biz_mode; products only */
    char name[BZL_NAME_BYTES_MAX + 1];
} bzl_item;

/* Per (book, kind, item). available = qty - pending_out. */
typedef struct bzl_balance {
    int64_t qty_e5;         /* posted quantity */
    int64_t value_e5;       /* posted value, declaration currency summed as declared */
    int64_t pending_in_e5;  /* reserved by pending inflows */
    int64_t pending_out_e5; /* reserved by pending outflows */
} bzl_balance;

#define BZL_BOM_VERSION_BYTES_MAX 8u /* ucnsVerno NVARCHAR(8) */

typedef struct bzl_decl_line {
    uint32_t item_no;
    int64_t qty_e5;
    int64_t value_e5;
    int64_t usd_e5; /* USD statistical value; meaningful only when has_usd */
    bool has_usd;
    uint8_t biz_mode; /* override, BZL_BIZ_NONE when absent */
    char unit[BZL_UNIT_LEN + 1];
    char currency[BZL_CURRENCY_LEN + 1];
    char country[BZL_COUNTRY_LEN + 1]; /* "" when absent */
    char bom_version[BZL_BOM_VERSION_BYTES_MAX + 1];
} bzl_decl_line;

/* A lot an outflow line names (SPECIFIC lots, docs/TAX.md "Lots"): the receipt line that opened
 * it — the receiving declaration's id (of the same enterprise) and its 1-based line — and the
 * quantity the line takes from it. */
typedef struct bzl_lot_ref {
    uint32_t line;         /* the 1-based line of this declaration that takes from it */
    uint32_t receipt_line; /* the 1-based line of the receipt */
    int64_t qty_e5;        /* > 0 */
    char receipt[BZL_DECL_ID_BYTES_MAX + 1];
} bzl_lot_ref;

typedef struct bzl_declaration {
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;      /* bzl_kind */
    uint8_t direction; /* bzl_direction */
    char trade_mode[BZL_TRADE_MODE_LEN + 1];
    int32_t date; /* days since 1970-01-01 */
    bool pending;
    /* A draft (暂存, INV101 DelcareFlag 0): checked like any declaration, stored, but applying
     * nothing to any balance until a declared version replaces it; always pending too. */
    bool draft;
    char related_book[BZL_BOOK_NO_LEN + 1]; /* "" when absent */
    char related_id[BZL_DECL_ID_BYTES_MAX + 1];
    uint32_t line_count;
    bzl_decl_line *lines; /* borrowed: owned by whoever built the declaration */
    /* Attributes: optional fields kept in the stored declaration's ATTRS section (format.h),
     * each zero when absent, so a declaration without them encodes as it always did. */
    uint8_t origin; /* bzl_origin */
    /* Domestic sales (docs/TAX.md): the zone's selective duty basis the enterprise chose
     * (bzl_tax_basis: 2 product, 3 material; 0 for the book's default), and the date customs
     * issued the tax notice (缴款书), the assessment date (0: the declaration's date). */
    uint8_t duty_basis;
    int32_t tax_date;
    /* SPECIFIC lots: the lots outflow lines name, in line order (at most BZL_DECL_LOTS_MAX; the
     * quantities one line names add up to its quantity). lots is borrowed, like lines; a
     * declaration read back without its lots has lot_count set and lots NULL. */
    uint32_t lot_count;
    const bzl_lot_ref *lots;
    /* The 核注清单's own fields (list_fields.h): a run of records in (line, tag) order, borrowed
     * (the request's buffer, or the journal entry read); NULL and 0 when there are none. */
    const uint8_t *list_fields;
    uint32_t list_fields_len;
} bzl_declaration;

/* Where a rejection points: the 1-based line (0 for the header), the field, the item and,
 * for BZL_INSUFFICIENT_BALANCE, the quantity that was available. message is a complete
 * English sentence naming all of that, for people. */
typedef struct bzl_fault {
    uint32_t line;
    uint32_t item_no;
    int64_t available_e5;
    char field[32];
    char message[256];
} bzl_fault;

/* Fills fault (when not NULL) with a formatted message. Returns status, for tail calls. */
bzl_status bzl_fault_set(bzl_fault *fault, bzl_status status, uint32_t line, const char *field,
                         const char *fmt, ...) BZL_PRINTF(5, 6);

/* The one not-found fault: BZL_NOT_FOUND in `field` with the message "<what> <key> does not
 * exist" ("book H72012400001 does not exist"), or "<what> does not exist" when key is NULL
 * ("the book does not exist"). Every record another enterprise owns is answered
 * with exactly this fault, so it cannot be told from a missing one: build it only here. Returns
 * BZL_NOT_FOUND, for tail calls. */
bzl_status bzl_fault_missing(bzl_fault *fault, const char *field, const char *what,
                             const char *key);

/* Makes s safe to hand back to a client in place: drops every byte that is not part of a
 * well-formed UTF-8 sequence (a character cut by a byte-counted "%.40s", a stray continuation
 * byte) and turns control characters into '?'. Returns the new length. */
size_t bzl_text_sanitize(char *s);

/* Length of the well-formed UTF-8 sequence at s[0..avail), or 0 when it is malformed (a stray
 * continuation byte, a truncated sequence, an overlong form, a surrogate, past U+10FFFF). */
size_t bzl_utf8_seq_len(const char *s, size_t avail);

/* Text a client hands us: at most max_bytes bytes, valid UTF-8, no control characters (so
 * no NUL, no newline). min_bytes = 1 for a required field. Returns BZL_OK, or
 * BZL_INVALID_ARGUMENT with fault naming `field`. */
BZL_NODISCARD bzl_status bzl_text_check(const char *s, size_t len, size_t min_bytes,
                                        size_t max_bytes, const char *field, bzl_fault *fault);

/* Field checks of master records before they are stored. BZL_OK, or the status of the first
 * bad field (BZL_INVALID_CODE, BZL_INVALID_ARGUMENT) with fault naming it. A book's
 * period_days must be 1..BZL_BOOK_PERIOD_DAYS_MAX (bzl_book_period_days gives the default for
 * 0 before the check). */
BZL_NODISCARD bzl_status bzl_enterprise_check(const bzl_enterprise *e, bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_book_check(const bzl_book *b, bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_item_check(const bzl_item *item, bzl_fault *fault);
/* The verification period a book is opened with: days, or BZL_BOOK_PERIOD_DAYS_DEFAULT for 0. */
uint32_t bzl_book_period_days(uint32_t days);

/* Checks a declaration on its own: codes, dates, at least one and at most lines_max lines,
 * quantities > 0, values >= 0, no item on two lines; the lots it names (bzl_decl_check_lots).
 * Statuses: BZL_INVALID_ARGUMENT, BZL_INVALID_CODE, BZL_INVALID_DATE, BZL_LIMIT_EXCEEDED,
 * BZL_DUPLICATE_LINE. */
BZL_NODISCARD bzl_status bzl_decl_check_fields(const bzl_declaration *d, uint32_t lines_max,
                                               bzl_fault *fault);

/* The lots a declaration names, on their own: only an outflow names lots, at most
 * BZL_DECL_LOTS_MAX, in line order, each on an existing line, with a receipt id of 1..64 bytes,
 * a receipt line >= 1 and a quantity > 0, no lot twice on one line, and the quantities of a line
 * adding up to its quantity. BZL_INVALID_ARGUMENT (BZL_LIMIT_EXCEEDED for the count) naming the
 * field "lots" and the line. */
BZL_NODISCARD bzl_status bzl_decl_check_lots(const bzl_declaration *d, bzl_fault *fault);

/* Checks a declaration against its book: the book belongs to the declaring enterprise
 * (BZL_WRONG_BOOK) and is open (BZL_BOOK_NOT_OPEN). */
BZL_NODISCARD bzl_status bzl_decl_check_book(const bzl_declaration *d, const bzl_book *book,
                                             bzl_fault *fault);

/* Applies line `index` of d to the balance of its item, in place. An inflow adds to qty (or
 * pending_in when d->pending); an outflow subtracts from qty (or adds to pending_out) and is
 * refused with BZL_INSUFFICIENT_BALANCE, naming the item and the available quantity, when it
 * exceeds qty - pending_out. The line's unit must be the item's (BZL_INVALID_ARGUMENT).
 * BZL_OVERFLOW when a total would leave the int64 range. bal is unchanged on error. */
BZL_NODISCARD bzl_status bzl_ledger_apply_line(const bzl_declaration *d, uint32_t index,
                                               const bzl_item *item, bzl_balance *bal,
                                               bzl_fault *fault);

/* qty - pending_out, the quantity an outflow may still take. */
int64_t bzl_balance_available(const bzl_balance *bal);

#endif
