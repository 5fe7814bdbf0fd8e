/* ledger.c — the pure rules of the bonded ledger: names, text and record checks, flow effects.
 *
 * Nothing here touches a database, a clock or the heap; every function is a function of its
 * arguments, so the rules are testable on their own (tests/lib/core/check_ledger.c).
 */
#include "bzl/ledger.h"
#include "bzl/calendar.h"

#include "bzl/decimal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- names --------------------------------------------------------------------------------- */

static const char *const kind_names[] = {
    [BZL_KIND_MATERIAL] = "material",
    [BZL_KIND_PRODUCT] = "product",
};
static const char *const direction_names[] = {
    [BZL_DIR_IN] = "in",
    [BZL_DIR_OUT] = "out",
};
static const char *const origin_names[] = {
    [BZL_ORIGIN_NONE] = "", [BZL_ORIGIN_ABROAD] = "abroad", [BZL_ORIGIN_OUTSIDE] = "outside"};
static const char *const biz_mode_names[] = {
    [BZL_BIZ_NONE] = "",
    [BZL_BIZ_OEM] = "OEM",
    [BZL_BIZ_ODM] = "ODM",
    [BZL_BIZ_OBM] = "OBM",
};
static const char *const verify_mode_names[] = {
    [BZL_VERIFY_UNIT] = "unit",
    [BZL_VERIFY_WORK_ORDER] = "work-order",
    [BZL_VERIFY_CONSUMPTION] = "consumption",
};

/* The name at `value`, or "unknown" for a hole or a value past the table. */
static const char *
name_of(const char *const *table, size_t count, unsigned value)
{
    if (value >= count || table[value] == NULL) {
        return "unknown";
    }
    return table[value];
}

/* The index whose name is exactly s; false when none is (holes never match). */
static bool
parse_of(const char *const *table, size_t count, const char *s, unsigned *out)
{
    BZL_ASSERT(s != NULL);
    for (size_t i = 0; i < count; i++) {
        if (table[i] != NULL && strcmp(table[i], s) == 0) {
            *out = (unsigned)i;
            return true;
        }
    }
    return false;
}

const char *
bzl_kind_name(bzl_kind kind)
{
    return name_of(kind_names, BZL_ARRAY_LEN(kind_names), (unsigned)kind);
}

bool
bzl_kind_parse(const char *s, bzl_kind *out)
{
    unsigned v = 0;
    if (!parse_of(kind_names, BZL_ARRAY_LEN(kind_names), s, &v)) {
        return false;
    }
    *out = (bzl_kind)v;
    return true;
}

const char *
bzl_direction_name(bzl_direction dir)
{
    return name_of(direction_names, BZL_ARRAY_LEN(direction_names), (unsigned)dir);
}

bool
bzl_direction_parse(const char *s, bzl_direction *out)
{
    unsigned v = 0;
    if (!parse_of(direction_names, BZL_ARRAY_LEN(direction_names), s, &v)) {
        return false;
    }
    *out = (bzl_direction)v;
    return true;
}

const char *
bzl_origin_name(bzl_origin origin)
{
    return name_of(origin_names, BZL_ARRAY_LEN(origin_names), (unsigned)origin);
}

bool
bzl_origin_parse(const char *s, bzl_origin *out)
{
    unsigned v = 0;
    if (!parse_of(origin_names, BZL_ARRAY_LEN(origin_names), s, &v)) {
        return false;
    }
    *out = (bzl_origin)v;
    return true;
}

const char *
bzl_biz_mode_name(bzl_biz_mode mode)
{
    return name_of(biz_mode_names, BZL_ARRAY_LEN(biz_mode_names), (unsigned)mode);
}

/* "" is the absent mode, as the table says; "none" is accepted too so that a person on the
 * command line can say it out loud. */
bool
bzl_biz_mode_parse(const char *s, bzl_biz_mode *out)
{
    unsigned v = 0;
    if (parse_of(biz_mode_names, BZL_ARRAY_LEN(biz_mode_names), s, &v)) {
        *out = (bzl_biz_mode)v;
        return true;
    }
    if (strcmp(s, "none") == 0) {
        *out = BZL_BIZ_NONE;
        return true;
    }
    return false;
}

const char *
bzl_verify_mode_name(bzl_verify_mode mode)
{
    return name_of(verify_mode_names, BZL_ARRAY_LEN(verify_mode_names), (unsigned)mode);
}

bool
bzl_verify_mode_parse(const char *s, bzl_verify_mode *out)
{
    unsigned v = 0;
    if (!parse_of(verify_mode_names, BZL_ARRAY_LEN(verify_mode_names), s, &v)) {
        return false;
    }
    *out = (bzl_verify_mode)v;
    return true;
}

/* ---- faults -------------------------------------------------------------------------------- */

bzl_status
bzl_fault_set(bzl_fault *fault, bzl_status status, uint32_t line, const char *field,
              const char *fmt, ...)
{
    BZL_ASSERT(fmt != NULL);
    if (fault == NULL) {
        return status;
    }
    memset(fault, 0, sizeof *fault);
    fault->line = line;
    snprintf(fault->field, sizeof fault->field, "%s", field != NULL ? field : "");
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(fault->message, sizeof fault->message, fmt, ap);
    va_end(ap);
    /* A message quotes client text cut to a byte count, and may itself be cut: it goes back
     * on the wire, where strings must be UTF-8. */
    (void)bzl_text_sanitize(fault->message);
    return status;
}

bzl_status
bzl_fault_missing(bzl_fault *fault, const char *field, const char *what, const char *key)
{
    BZL_ASSERT(what != NULL);
    if (key == NULL) {
        return bzl_fault_set(fault, BZL_NOT_FOUND, 0, field, "%s does not exist", what);
    }
    return bzl_fault_set(fault, BZL_NOT_FOUND, 0, field, "%s %s does not exist", what, key);
}

/* ---- text ---------------------------------------------------------------------------------- */

typedef enum text_flaw {
    TEXT_FINE,
    TEXT_BAD_UTF8,
    TEXT_CONTROL,
} text_flaw;

/* Length of the well-formed UTF-8 sequence at s[0..avail), or 0 when it is malformed:
 * a stray continuation byte, a truncated sequence, an overlong form, a surrogate (U+D800..
 * U+DFFF) or a code point past U+10FFFF (Unicode 15 table 3-7). */
static size_t
utf8_seq_len(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t n = b < 0x80u                  ? 1
               : b >= 0xC2u && b <= 0xDFu ? 2
               : b >= 0xE0u && b <= 0xEFu ? 3
               : b >= 0xF0u && b <= 0xF4u ? 4
                                          : 0;
    if (n == 0 || n > avail) {
        return 0;
    }
    uint32_t v = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0u) != 0x80u) {
            return 0;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    static const uint32_t min_for_len[5] = {0, 0, 0x80u, 0x800u, 0x10000u};
    if (v < min_for_len[n] || v > 0x10FFFFu || (v >= 0xD800u && v <= 0xDFFFu)) {
        return 0;
    }
    *cp = v;
    return n;
}

size_t
bzl_utf8_seq_len(const char *s, size_t avail)
{
    uint32_t cp = 0;
    return avail == 0 ? 0 : utf8_seq_len((const unsigned char *)s, avail, &cp);
}

size_t
bzl_text_sanitize(char *s)
{
    BZL_ASSERT(s != NULL);
    size_t len = strlen(s);
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = utf8_seq_len((const unsigned char *)s + i, len - i, &cp);
        if (n == 0) {
            i++; /* not part of a character: dropped */
            continue;
        }
        bool control = cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu);
        if (control) {
            s[out++] = '?';
        } else {
            memmove(s + out, s + i, n);
            out += n;
        }
        i += n;
    }
    s[out] = '\0';
    return out;
}

/* Scans s for the first flaw; *at is its byte offset. Control characters are the C0 set,
 * DEL and the C1 set (Unicode general category Cc). */
static text_flaw
text_scan(const char *s, size_t len, size_t *at)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_seq_len(u + i, len - i, &cp);
        if (n == 0) {
            *at = i;
            return TEXT_BAD_UTF8;
        }
        if (cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu)) {
            *at = i;
            return TEXT_CONTROL;
        }
        i += n;
    }
    return TEXT_FINE;
}

/* bzl_text_check with the fault's line, for text fields that sit on a declaration line. */
static bzl_status
text_check_at(const char *s, size_t len, size_t min_bytes, size_t max_bytes, uint32_t line,
              const char *field, bzl_fault *fault)
{
    BZL_ASSERT(s != NULL || len == 0);
    BZL_ASSERT(min_bytes <= max_bytes);
    char where[24] = "";
    if (line > 0) {
        snprintf(where, sizeof where, "line %u: ", (unsigned)line);
    }
    size_t at = 0;
    if (len == 0 && min_bytes > 0) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field, "%s%s must not be empty",
                             where, field);
    }
    if (len < min_bytes) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                             "%s%s is %zu bytes long, fewer than the %zu required", where, field,
                             len, min_bytes);
    }
    if (len > max_bytes) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                             "%s%s is %zu bytes long, more than the %zu allowed", where, field, len,
                             max_bytes);
    }
    switch (text_scan(s, len, &at)) {
    case TEXT_BAD_UTF8:
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                             "%s%s is not valid UTF-8 at byte %zu", where, field, at);
    case TEXT_CONTROL:
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                             "%s%s contains a control character at byte %zu", where, field, at);
    case TEXT_FINE:
        break;
    }
    return BZL_OK;
}

bzl_status
bzl_text_check(const char *s, size_t len, size_t min_bytes, size_t max_bytes, const char *field,
               bzl_fault *fault)
{
    BZL_ASSERT(field != NULL);
    return text_check_at(s, len, min_bytes, max_bytes, 0, field, fault);
}

/* The length of a fixed-array string; the array's size when no NUL ends it, which every length
 * check then refuses. */
#define FIELD_LEN(arr) strnlen((arr), sizeof(arr))

/* Copies s into buf for a message, replacing anything but printable ASCII with '?' so that a
 * rejected code never carries bad bytes into a reply. Long input is cut with "...". */
static const char *
quote_code(char *buf, size_t cap, const char *s, size_t len)
{
    BZL_ASSERT(cap >= 8);
    size_t keep = len < cap - 4 ? len : cap - 4;
    for (size_t i = 0; i < keep; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[i] = c >= 0x20u && c < 0x7Fu ? (char)c : '?';
    }
    strcpy(buf + keep, keep < len ? "..." : "");
    return buf;
}

typedef bzl_status (*code_check_fn)(const char *s, size_t len);

/* Runs a codes.h validator over a fixed-array field and words the refusal. */
static bzl_status
code_check_at(code_check_fn check, const char *s, size_t cap, uint32_t line, const char *field,
              const char *what, bzl_fault *fault)
{
    size_t len = strnlen(s, cap);
    bzl_status st = check(s, len);
    if (st == BZL_OK) {
        return BZL_OK;
    }
    char q[32];
    char where[24] = "";
    if (line > 0) {
        snprintf(where, sizeof where, "line %u: ", (unsigned)line);
    }
    return bzl_fault_set(fault, st, line, field, "%s%s \"%s\" is not valid", where, what,
                         quote_code(q, sizeof q, s, len));
}

static bzl_status
book_code_check(const char *s, size_t len)
{
    return bzl_code_check_book(s, len, NULL);
}

/* ---- master records ------------------------------------------------------------------------ */

bzl_status
bzl_enterprise_check(const bzl_enterprise *e, bzl_fault *fault)
{
    BZL_ASSERT(e != NULL);
    bzl_status st = code_check_at(bzl_code_check_enterprise, e->code, sizeof e->code, 0, "code",
                                  "enterprise code", fault);
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_uscc, e->uscc, sizeof e->uscc, 0, "uscc",
                           "unified social credit code", fault);
    }
    if (st == BZL_OK) {
        st = bzl_text_check(e->name, FIELD_LEN(e->name), 1, BZL_NAME_BYTES_MAX, "name", fault);
    }
    if (st == BZL_OK) {
        st = bzl_text_check(e->area, FIELD_LEN(e->area), 0, BZL_AREA_BYTES_MAX, "area", fault);
    }
    return st;
}

bzl_status
bzl_book_check(const bzl_book *b, bzl_fault *fault)
{
    BZL_ASSERT(b != NULL);
    bzl_status st = code_check_at(book_code_check, b->book_no, sizeof b->book_no, 0, "book",
                                  "book number", fault);
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_enterprise, b->enterprise, sizeof b->enterprise, 0,
                           "enterprise", "enterprise code", fault);
    }
    if (st == BZL_OK &&
        (b->verify_mode < BZL_VERIFY_UNIT || b->verify_mode > BZL_VERIFY_CONSUMPTION)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "verify_mode",
                           "verification mode %u is not unit, work-order or consumption",
                           (unsigned)b->verify_mode);
    }
    if (st == BZL_OK && (b->status < BZL_BOOK_OPEN || b->status > BZL_BOOK_CLOSED)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "status",
                           "book status %u is not open, suspended or closed", (unsigned)b->status);
    }
    if (st == BZL_OK && b->period_days == 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "period_days",
                           "period_days must be at least 1");
    }
    if (st == BZL_OK && b->period_days > BZL_BOOK_PERIOD_DAYS_MAX) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "period_days",
                           "period_days %u is over the maximum of %u", (unsigned)b->period_days,
                           BZL_BOOK_PERIOD_DAYS_MAX);
    }
    if (st == BZL_OK && b->usage != 0 && b->usage != 3) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "usage",
                           "book usage %u is not general or repair", (unsigned)b->usage);
    }
    /* A zone repair book is an H-book verified by work order (next-wave.md §C.2). */
    if (st == BZL_OK && b->usage == 3 && b->book_no[0] != 'H') {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "usage",
                           "a repair book is a zone H-book; %s is not", b->book_no);
    }
    if (st == BZL_OK && b->usage == 3 && b->verify_mode != BZL_VERIFY_WORK_ORDER) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "verify_mode",
                           "a repair book is verified by work order (工单), not %s",
                           bzl_verify_mode_name((bzl_verify_mode)b->verify_mode));
    }
    return st;
}

uint32_t
bzl_book_period_days(uint32_t days)
{
    return days == 0 ? BZL_BOOK_PERIOD_DAYS_DEFAULT : days;
}

static bool
kind_valid(unsigned kind)
{
    return kind == BZL_KIND_MATERIAL || kind == BZL_KIND_PRODUCT;
}

bzl_status
bzl_item_check(const bzl_item *item, bzl_fault *fault)
{
    BZL_ASSERT(item != NULL);
    bzl_status st = code_check_at(book_code_check, item->book_no, sizeof item->book_no, 0, "book",
                                  "book number", fault);
    if (st == BZL_OK && !kind_valid(item->kind)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                           "item kind %u is neither material nor product", (unsigned)item->kind);
    }
    if (st == BZL_OK && (item->item_no == 0 || item->item_no > BZL_ITEM_NO_MAX)) {
        st =
            bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "item", "item number %u is outside 1..%u",
                          (unsigned)item->item_no, BZL_ITEM_NO_MAX);
    }
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_hs, item->hs, sizeof item->hs, 0, "hs", "HS code", fault);
    }
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_unit, item->unit, sizeof item->unit, 0, "unit",
                           "unit code", fault);
    }
    if (st == BZL_OK && item->biz_mode > BZL_BIZ_OBM) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "mode",
                           "business mode %u is not OEM, ODM or OBM", (unsigned)item->biz_mode);
    }
    if (st == BZL_OK && item->kind == BZL_KIND_MATERIAL && item->biz_mode != BZL_BIZ_NONE) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "mode",
                           "a material item has no business mode; only products carry one");
    }
    if (st == BZL_OK) {
        st =
            bzl_text_check(item->name, FIELD_LEN(item->name), 1, BZL_NAME_BYTES_MAX, "name", fault);
    }
    return st;
}

/* ---- declarations -------------------------------------------------------------------------- */

/* Slots of the duplicate-item hash set, on the stack (64 KiB): a power of two that keeps the
 * set at most two-thirds full at the line ceiling, where linear probing with a multiplicative
 * hash still averages a handful of probes. This is what lets the check allocate nothing and
 * stay linear in the number of lines. */
#define DUP_SLOTS 16384u
static_assert(BZL_DECL_LINES_CEILING * 3u <= DUP_SLOTS * 2u, "duplicate set at most 2/3 full");
static_assert((DUP_SLOTS & (DUP_SLOTS - 1)) == 0, "duplicate set size is a power of two");

static bzl_status
decl_check_header(const bzl_declaration *d, bzl_fault *fault)
{
    bzl_status st =
        text_check_at(d->id, FIELD_LEN(d->id), 1, BZL_DECL_ID_BYTES_MAX, 0, "id", fault);
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_enterprise, d->enterprise, sizeof d->enterprise, 0,
                           "enterprise", "enterprise code", fault);
    }
    if (st == BZL_OK) {
        st = code_check_at(book_code_check, d->book_no, sizeof d->book_no, 0, "book", "book number",
                           fault);
    }
    if (st == BZL_OK && !kind_valid(d->kind)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                           "kind %u is neither material nor product", (unsigned)d->kind);
    }
    if (st == BZL_OK && d->direction != BZL_DIR_IN && d->direction != BZL_DIR_OUT) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "direction",
                           "direction %u is neither in nor out", (unsigned)d->direction);
    }
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_trade_mode, d->trade_mode, sizeof d->trade_mode, 0,
                           "trade_mode", "trade mode", fault);
    }
    if (st == BZL_OK && (d->date < bzl_date_from_civil(BZL_DATE_MIN_YEAR, 1, 1) ||
                         d->date > bzl_date_from_civil(BZL_DATE_MAX_YEAR, 12, 31))) {
        st = bzl_fault_set(fault, BZL_INVALID_DATE, 0, "date",
                           "the declaration date is outside %d-01-01..%d-12-31", BZL_DATE_MIN_YEAR,
                           BZL_DATE_MAX_YEAR);
    }
    if (st == BZL_OK && d->related_book[0] != '\0') {
        st = code_check_at(book_code_check, d->related_book, sizeof d->related_book, 0,
                           "related_book", "related book number", fault);
    }
    if (st == BZL_OK) {
        st = text_check_at(d->related_id, FIELD_LEN(d->related_id), 0, BZL_DECL_ID_BYTES_MAX, 0,
                           "related_id", fault);
    }
    return st;
}

/* Checks one line's own fields; `line` is 1-based. */
static bzl_status
decl_check_line(const bzl_decl_line *l, uint32_t line, bzl_fault *fault)
{
    bzl_status st = BZL_OK;
    unsigned item = (unsigned)l->item_no;
    if (l->item_no == 0 || l->item_no > BZL_ITEM_NO_MAX) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "item",
                           "line %u: item number %u is outside 1..%u", (unsigned)line, item,
                           BZL_ITEM_NO_MAX);
    } else if (l->qty_e5 <= 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "qty",
                           "line %u: quantity must be greater than zero (item %u)", (unsigned)line,
                           item);
    } else if (l->value_e5 < 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "value",
                           "line %u: value must not be negative (item %u)", (unsigned)line, item);
    } else if (l->has_usd && l->usd_e5 < 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "usd",
                           "line %u: USD value must not be negative (item %u)", (unsigned)line,
                           item);
    } else if (l->biz_mode > BZL_BIZ_OBM) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "mode",
                           "line %u: business mode %u is not OEM, ODM or OBM (item %u)",
                           (unsigned)line, (unsigned)l->biz_mode, item);
    }
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_unit, l->unit, sizeof l->unit, line, "unit", "unit code",
                           fault);
    }
    if (st == BZL_OK) {
        st = code_check_at(bzl_code_check_currency, l->currency, sizeof l->currency, line,
                           "currency", "currency code", fault);
    }
    if (st == BZL_OK && l->country[0] != '\0') {
        st = code_check_at(bzl_code_check_country, l->country, sizeof l->country, line, "country",
                           "country code", fault);
    }
    if (st == BZL_OK) {
        st = text_check_at(l->bom_version, FIELD_LEN(l->bom_version), 0, BZL_BOM_VERSION_BYTES_MAX,
                           line, "bom_version", fault);
    }
    if (st != BZL_OK && fault != NULL) {
        fault->item_no = l->item_no;
    }
    return st;
}

/* Remembers line `index` in the set keyed by its item number; when an earlier line has the
 * same item, returns that line's index + 1 instead (0 means "first sighting"). slots[] holds
 * index + 1, 0 for empty; it has 1 << bits slots. */
static uint32_t
dup_insert(uint32_t *slots, unsigned bits, const bzl_decl_line *lines, uint32_t index)
{
    BZL_ASSERT(bits >= 1 && bits <= 14);
    uint32_t mask = (1u << bits) - 1;
    uint32_t item = lines[index].item_no;
    uint32_t h = (uint32_t)(item * 2654435761u) >> (32 - bits);
    for (uint32_t probe = 0; probe <= mask; probe++) {
        uint32_t *slot = &slots[(h + probe) & mask];
        if (*slot == 0) {
            *slot = index + 1;
            return 0;
        }
        if (lines[*slot - 1].item_no == item) {
            return *slot;
        }
    }
    BZL_ASSERT(!"duplicate set overflowed its bound");
    return 0;
}

/* The set's size for n lines: at most half full, so probes stay short, and only as large as
 * needed — clearing all DUP_SLOTS for a one-line declaration was most of the daemon's work
 * (docs/BENCHMARKS.md). */
static unsigned
dup_bits(uint32_t n)
{
    unsigned bits = 4;
    while ((1u << bits) < 2u * n && bits < 14) {
        bits++;
    }
    return bits;
}

bzl_status
bzl_decl_check_fields(const bzl_declaration *d, uint32_t lines_max, bzl_fault *fault)
{
    BZL_ASSERT(d != NULL);
    BZL_ASSERT(lines_max >= 1 && lines_max <= BZL_DECL_LINES_CEILING);
    bzl_status st = decl_check_header(d, fault);
    if (st != BZL_OK) {
        return st;
    }
    if (d->line_count == 0) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "lines",
                             "a declaration needs at least one line");
    }
    if (d->line_count > lines_max) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lines",
                             "the declaration has %u lines, more than the %u allowed",
                             (unsigned)d->line_count, (unsigned)lines_max);
    }
    BZL_ASSERT(d->lines != NULL);
    uint32_t slots[DUP_SLOTS];
    unsigned bits = dup_bits(d->line_count);
    memset(slots, 0, sizeof slots[0] << bits);
    for (uint32_t i = 0; i < d->line_count; i++) {
        st = decl_check_line(&d->lines[i], i + 1, fault);
        if (st != BZL_OK) {
            return st;
        }
        uint32_t first = dup_insert(slots, bits, d->lines, i);
        if (first != 0) {
            st = bzl_fault_set(fault, BZL_DUPLICATE_LINE, i + 1, "item",
                               "line %u: item %u is also on line %u", (unsigned)(i + 1),
                               (unsigned)d->lines[i].item_no, (unsigned)first);
            if (fault != NULL) {
                fault->item_no = d->lines[i].item_no;
            }
            return st;
        }
    }
    return bzl_decl_check_lots(d, fault);
}

bzl_status
bzl_decl_check_book(const bzl_declaration *d, const bzl_book *book, bzl_fault *fault)
{
    BZL_ASSERT(d != NULL);
    BZL_ASSERT(book != NULL);
    BZL_ASSERT(strcmp(d->book_no, book->book_no) == 0);
    if (strcmp(book->enterprise, d->enterprise) != 0) {
        return bzl_fault_set(fault, BZL_WRONG_BOOK, 0, "book",
                             "book %s belongs to enterprise %s, not to %s", book->book_no,
                             book->enterprise, d->enterprise);
    }
    if (book->status != BZL_BOOK_OPEN) {
        return bzl_fault_set(fault, BZL_BOOK_NOT_OPEN, 0, "book", "book %s is %s", book->book_no,
                             book->status == BZL_BOOK_SUSPENDED ? "suspended" : "closed");
    }
    return BZL_OK;
}

/* ---- flow effects -------------------------------------------------------------------------- */

int64_t
bzl_balance_available(const bzl_balance *bal)
{
    BZL_ASSERT(bal != NULL);
    int64_t available = 0;
    if (bzl_dec_sub(bal->qty_e5, bal->pending_out_e5, &available) != BZL_OK) {
        /* Only a damaged balance gets here; saturate rather than wrap. */
        return bal->pending_out_e5 > 0 ? INT64_MIN : INT64_MAX;
    }
    return available;
}

/* The outflow rule: refuses a quantity beyond what is available, naming both numbers. */
static bzl_status
take_out(const bzl_decl_line *l, uint32_t line, bool pending, bzl_balance *next, bzl_fault *fault)
{
    int64_t available = bzl_balance_available(next);
    if (l->qty_e5 > available) {
        char have[BZL_DEC_TEXT_BYTES];
        char want[BZL_DEC_TEXT_BYTES];
        bzl_dec_format(available, BZL_SCALE_QTY, have, sizeof have);
        bzl_dec_format(l->qty_e5, BZL_SCALE_QTY, want, sizeof want);
        bzl_fault_set(fault, BZL_INSUFFICIENT_BALANCE, line, "qty",
                      "line %u: item %u has %s available, the outflow asks for %s", (unsigned)line,
                      (unsigned)l->item_no, have, want);
        if (fault != NULL) {
            fault->available_e5 = available;
        }
        return BZL_INSUFFICIENT_BALANCE;
    }
    if (pending) {
        return bzl_dec_add(next->pending_out_e5, l->qty_e5, &next->pending_out_e5);
    }
    bzl_status st = bzl_dec_sub(next->qty_e5, l->qty_e5, &next->qty_e5);
    if (st == BZL_OK) {
        st = bzl_dec_sub(next->value_e5, l->value_e5, &next->value_e5);
    }
    return st;
}

static bzl_status
put_in(const bzl_decl_line *l, bool pending, bzl_balance *next)
{
    if (pending) {
        return bzl_dec_add(next->pending_in_e5, l->qty_e5, &next->pending_in_e5);
    }
    bzl_status st = bzl_dec_add(next->qty_e5, l->qty_e5, &next->qty_e5);
    if (st == BZL_OK) {
        st = bzl_dec_add(next->value_e5, l->value_e5, &next->value_e5);
    }
    return st;
}

bzl_status
bzl_ledger_apply_line(const bzl_declaration *d, uint32_t index, const bzl_item *item,
                      bzl_balance *bal, bzl_fault *fault)
{
    BZL_ASSERT(index < d->line_count);
    BZL_ASSERT(bal != NULL);
    const bzl_decl_line *l = &d->lines[index];
    BZL_ASSERT(l->item_no == item->item_no);
    BZL_ASSERT(d->kind == item->kind);
    uint32_t line = index + 1;
    bzl_balance next = *bal;
    bzl_status st = BZL_OK;
    if (strcmp(l->unit, item->unit) != 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "unit",
                           "line %u: unit %s is not item %u's declared unit %s", (unsigned)line,
                           l->unit, (unsigned)l->item_no, item->unit);
    } else if (d->direction == BZL_DIR_IN) {
        st = put_in(l, d->pending, &next);
    } else {
        st = take_out(l, line, d->pending, &next, fault);
    }
    if (st == BZL_OVERFLOW) {
        bzl_fault_set(fault, BZL_OVERFLOW, line, "qty",
                      "line %u: the balance of item %u would leave the representable range",
                      (unsigned)line, (unsigned)l->item_no);
    }
    if (st != BZL_OK && fault != NULL) {
        fault->item_no = l->item_no;
    }
    if (st == BZL_OK) {
        *bal = next;
    }
    return st;
}
