/* wire.c — protobuf ↔ domain conversion: pure field checks and message building (wire.h). */
#include "wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bzl/tax.h"

static_assert((int)BZL__V1__KIND__KIND_MATERIAL == (int)BZL_KIND_MATERIAL, "kind numbers match");
static_assert((int)BZL__V1__KIND__KIND_PRODUCT == (int)BZL_KIND_PRODUCT, "kind numbers match");
static_assert((int)BZL__V1__DIRECTION__DIRECTION_IN == (int)BZL_DIR_IN, "direction numbers match");
static_assert((int)BZL__V1__DIRECTION__DIRECTION_OUT == (int)BZL_DIR_OUT,
              "direction numbers match");
static_assert((int)BZL__V1__BIZ_MODE__BIZ_MODE_OBM == (int)BZL_BIZ_OBM, "mode numbers match");
static_assert((int)BZL__V1__VERIFY_MODE__VERIFY_MODE_CONSUMPTION == (int)BZL_VERIFY_CONSUMPTION,
              "verify mode numbers match");
static_assert((int)BZL__V1__DECLARATION_STATE__DECLARATION_STATE_REVERSED ==
                      (int)BZL_DECL_REVERSED &&
                  (int)BZL__V1__DECLARATION_STATE__DECLARATION_STATE_POSTED == (int)BZL_DECL_POSTED,
              "declaration state numbers match");
static_assert((int)BZL__V1__DECLARATION_STATE__DECLARATION_STATE_DRAFT == (int)BZL_DECL_DRAFT,
              "declaration state numbers match");
static_assert((int)BZL__V1__BOOK_STATUS__BOOK_STATUS_CLOSED == (int)BZL_BOOK_CLOSED,
              "book status numbers match");

/* ---- fields ---------------------------------------------------------------------------------- */

bzl_status
bzld_copy_text(const char *src, size_t min_bytes, size_t max_bytes, char *dst, size_t dst_cap,
               const char *field, bzl_fault *fault)
{
    BZL_ASSERT(src != NULL);
    BZL_ASSERT(max_bytes < dst_cap);
    size_t len = strlen(src);
    bzl_status st = bzl_text_check(src, len, min_bytes, max_bytes, field, fault);
    if (st != BZL_OK) {
        return st;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return BZL_OK;
}

bzl_status
bzld_copy_code(const char *src, bool optional, bzl_status (*check)(const char *, size_t), char *dst,
               size_t dst_cap, uint32_t line, const char *field, bzl_fault *fault)
{
    BZL_ASSERT(src != NULL);
    BZL_ASSERT(dst_cap > 0);
    size_t len = strlen(src);
    if (len == 0) {
        dst[0] = '\0';
        if (optional) {
            return BZL_OK;
        }
        if (line != 0) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, field,
                                 "line %u: %s is required", line, field);
        }
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, field, "%s is required", field);
    }
    if (len >= dst_cap || check(src, len) != BZL_OK) {
        if (line != 0) {
            return bzl_fault_set(fault, BZL_INVALID_CODE, line, field,
                                 "line %u: %s \"%.40s\" is not valid", line, field, src);
        }
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, field, "%s \"%.40s\" is not valid", field,
                             src);
    }
    memcpy(dst, src, len + 1);
    return BZL_OK;
}

bzl_status
bzld_check_book_no(const char *s, size_t len)
{
    return bzl_code_check_book(s, len, NULL);
}

bzl_status
bzld_parse_book(const char *text, char out[BZL_BOOK_NO_LEN + 1], bzl_fault *fault)
{
    size_t len = strlen(text);
    if (len != BZL_BOOK_NO_LEN || bzl_code_check_book(text, len, NULL) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "book",
                             "book number \"%.40s\" is not valid", text);
    }
    memcpy(out, text, len + 1);
    return BZL_OK;
}

bzl_status
bzld_wire_kind(Bzl__V1__Kind kind, bzl_kind *out, bzl_fault *fault)
{
    if (kind != BZL__V1__KIND__KIND_MATERIAL && kind != BZL__V1__KIND__KIND_PRODUCT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                             "kind %d is neither material nor product", (int)kind);
    }
    *out = (bzl_kind)kind;
    return BZL_OK;
}

bzl_status
bzld_wire_date(const char *text, bool optional, int32_t fallback, const char *field, int32_t *out,
               bzl_fault *fault)
{
    size_t len = strlen(text);
    if (len == 0 && optional) {
        *out = fallback;
        return BZL_OK;
    }
    if (bzl_date_parse(text, len, out) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_DATE, 0, field,
                             "%s \"%.20s\" is not a calendar date YYYY-MM-DD between %d and %d",
                             field, text, BZL_DATE_MIN_YEAR, BZL_DATE_MAX_YEAR);
    }
    return BZL_OK;
}

bzl_status
bzld_parse_period(const char *text, bzl_period *p, bzl_fault *fault)
{
    bzl_status st = bzl_period_parse(text, strlen(text), p, fault);
    return st == BZL_OK ? bzl_period_require_months(p, fault) : st;
}

bzl_status
bzld_wire_month(const char *text, uint32_t *month, bzl_fault *fault)
{
    bzl_period p;
    size_t len = strlen(text);
    if (len != 7 || bzl_period_parse(text, len, &p, fault) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "month",
                             "month \"%.20s\" is not YYYY-MM", text);
    }
    *month = p.first_month;
    return BZL_OK;
}

bzl_status
bzld_wire_decimal(const char *text, unsigned scale, const char *field, int64_t *out,
                  bzl_fault *fault)
{
    bzl_status st = bzl_dec_parse(text, strlen(text), scale, false, out);
    if (st != BZL_OK) {
        return bzl_fault_set(fault, st, 0, field,
                             "%s \"%.40s\" is not a plain non-negative decimal with at most %u "
                             "places",
                             field, text, scale);
    }
    return BZL_OK;
}

/* A rate at 9 places, or fallback when text is empty and optional. */
static bzl_status
wire_rate(const char *text, bool optional, int64_t fallback, const char *field, int64_t *out,
          bzl_fault *fault)
{
    size_t len = strlen(text);
    if (len == 0 && optional) {
        *out = fallback;
        return BZL_OK;
    }
    bzl_status st = bzl_dec_parse(text, len, BZL_SCALE_RATE, false, out);
    if (st != BZL_OK) {
        return bzl_fault_set(fault, st, 0, field,
                             "%s \"%.40s\" is not a plain non-negative decimal with at most 9 "
                             "places",
                             field, text);
    }
    return BZL_OK;
}

static bzl_status
wire_currency(const char *text, char out[BZL_CURRENCY_LEN + 1], bzl_fault *fault)
{
    size_t len = strlen(text);
    if (len != BZL_CURRENCY_LEN || bzl_code_check_currency(text, len) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "currency",
                             "currency \"%.20s\" is not a customs currency code (e.g. 502 USD)",
                             text);
    }
    memcpy(out, text, len + 1);
    return BZL_OK;
}

void
bzld_fault_to_pb(const bzl_fault *fault, Bzl__V1__Fault *out, char *available_buf,
                 size_t available_cap)
{
    BZL_ASSERT(fault != NULL);
    BZL_ASSERT(available_cap >= BZL_DEC_TEXT_BYTES);
    bzl__v1__fault__init(out);
    out->line = fault->line;
    out->field = (char *)fault->field;
    out->item = fault->item_no;
    bzl_dec_format(fault->available_e5, BZL_SCALE_QTY, available_buf, available_cap);
    out->available = available_buf;
}

/* ---- paging ---------------------------------------------------------------------------------- */

size_t
bzld_page_rows(uint32_t page_size, size_t dflt, size_t max)
{
    BZL_ASSERT(dflt > 0 && dflt <= max);
    return page_size == 0 ? dflt : page_size > max ? max : page_size;
}

/* The position text of a token of `listing`, or NULL when the token is not one. */
static const char *
token_body(const char *token, bzld_listing listing)
{
    return token[0] == (char)listing && token[1] == ':' ? token + 2 : NULL;
}

static bzl_status
token_refused(const char *token, bzl_fault *fault)
{
    return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "page_token",
                         "page_token \"%.40s\" was not given by this listing", token);
}

bzl_status
bzld_page_token_number(const char *token, bzld_listing listing, uint64_t max, uint64_t *pos,
                       bzl_fault *fault)
{
    *pos = 0;
    if (token[0] == '\0') {
        return BZL_OK;
    }
    const char *body = token_body(token, listing);
    uint64_t v = 0;
    /* Canonical decimal only: one token per position. */
    bool ok =
        body != NULL && body[0] >= '0' && body[0] <= '9' && (body[0] != '0' || body[1] == '\0');
    for (const char *c = body; ok && *c != '\0'; c++) {
        ok = *c >= '0' && *c <= '9' && v <= (max - (uint64_t)(*c - '0')) / 10;
        v = ok ? v * 10 + (uint64_t)(*c - '0') : v;
    }
    if (!ok) {
        return token_refused(token, fault);
    }
    *pos = v;
    return BZL_OK;
}

bzl_status
bzld_page_token_code(const char *token, bzld_listing listing,
                     bzl_status (*check)(const char *, size_t), char *out, size_t cap,
                     bzl_fault *fault)
{
    BZL_ASSERT(cap > 0);
    out[0] = '\0';
    if (token[0] == '\0') {
        return BZL_OK;
    }
    const char *body = token_body(token, listing);
    size_t len = body != NULL ? strlen(body) : 0;
    if (len == 0 || len >= cap || check(body, len) != BZL_OK) {
        return token_refused(token, fault);
    }
    memcpy(out, body, len + 1);
    return BZL_OK;
}

void
bzld_page_token_put_number(bzld_listing listing, bool more, uint64_t pos,
                           char out[BZLD_PAGE_TOKEN_BYTES])
{
    out[0] = '\0';
    if (more) {
        snprintf(out, BZLD_PAGE_TOKEN_BYTES, "%c:%" PRIu64, (char)listing, pos);
    }
}

void
bzld_page_token_put_code(bzld_listing listing, bool more, const char *code,
                         char out[BZLD_PAGE_TOKEN_BYTES])
{
    BZL_ASSERT(strlen(code) + 3 <= BZLD_PAGE_TOKEN_BYTES);
    out[0] = '\0';
    if (more) {
        snprintf(out, BZLD_PAGE_TOKEN_BYTES, "%c:%s", (char)listing, code);
    }
}

/* ---- master records -------------------------------------------------------------------------- */

bzl_status
bzld_wire_enterprise(const Bzl__V1__Enterprise *pb, bzl_enterprise *e, bzl_fault *fault)
{
    memset(e, 0, sizeof *e);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "enterprise",
                             "the enterprise record is missing");
    }
    bzl_status st = bzld_copy_code(pb->code, false, bzl_code_check_enterprise, e->code,
                                   sizeof e->code, 0, "code", fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->uscc, false, bzl_code_check_uscc, e->uscc, sizeof e->uscc, 0,
                            "uscc", fault);
    }
    if (st == BZL_OK) {
        st =
            bzld_copy_text(pb->name, 1, BZL_NAME_BYTES_MAX, e->name, sizeof e->name, "name", fault);
    }
    if (st == BZL_OK) {
        st =
            bzld_copy_text(pb->area, 0, BZL_AREA_BYTES_MAX, e->area, sizeof e->area, "area", fault);
    }
    return st == BZL_OK ? bzl_enterprise_check(e, fault) : st;
}

bzl_status
bzld_wire_book(const Bzl__V1__Book *pb, bzl_book *b, bzl_fault *fault)
{
    memset(b, 0, sizeof *b);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "book", "the book record is missing");
    }
    bzl_status st = bzld_copy_code(pb->book, false, bzld_check_book_no, b->book_no,
                                   sizeof b->book_no, 0, "book", fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->enterprise, false, bzl_code_check_enterprise, b->enterprise,
                            sizeof b->enterprise, 0, "enterprise", fault);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (pb->usage != BZL__V1__BOOK_USAGE__BOOK_USAGE_GENERAL &&
        pb->usage != BZL__V1__BOOK_USAGE__BOOK_USAGE_REPAIR) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "usage",
                             "usage %d is not general or repair", (int)pb->usage);
    }
    b->usage = (uint8_t)pb->usage;
    /* A repair book is verified by work order (next-wave.md §C.2): the default for it. */
    int dflt = b->usage == BZL_USAGE_REPAIR ? BZL_VERIFY_WORK_ORDER : BZL_VERIFY_UNIT;
    int mode = pb->verify_mode == 0 ? dflt : (int)pb->verify_mode;
    if (mode < BZL_VERIFY_UNIT || mode > BZL_VERIFY_CONSUMPTION) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "verify_mode",
                             "verify_mode %d is not unit, work-order or consumption", mode);
    }
    b->verify_mode = (uint8_t)mode;
    b->status = BZL_BOOK_OPEN;
    b->period_days = bzl_book_period_days(pb->period_days); /* bzl_book_check bounds it */
    return bzl_book_check(b, fault);
}

bzl_status
bzld_wire_item(const Bzl__V1__Item *pb, bzl_item *item, bzl_fault *fault)
{
    memset(item, 0, sizeof *item);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "item", "the item record is missing");
    }
    bzl_kind kind = BZL_KIND_MATERIAL;
    bzl_status st = bzld_copy_code(pb->book, false, bzld_check_book_no, item->book_no,
                                   sizeof item->book_no, 0, "book", fault);
    if (st == BZL_OK) {
        st = bzld_wire_kind(pb->kind, &kind, fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->hs, false, bzl_code_check_hs, item->hs, sizeof item->hs, 0, "hs",
                            fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->unit, false, bzl_code_check_unit, item->unit, sizeof item->unit, 0,
                            "unit", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->name, 1, BZL_NAME_BYTES_MAX, item->name, sizeof item->name, "name",
                            fault);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (pb->mode < BZL__V1__BIZ_MODE__BIZ_MODE_NONE || pb->mode > BZL__V1__BIZ_MODE__BIZ_MODE_OBM) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "mode",
                             "mode %d is not OEM, ODM or OBM", (int)pb->mode);
    }
    item->kind = (uint8_t)kind;
    item->item_no = pb->item;
    item->biz_mode = (uint8_t)pb->mode;
    return bzl_item_check(item, fault);
}

bzl_status
bzld_wire_get_item(const Bzl__V1__GetItem *req, bzl_kind *kind, bzl_fault *fault)
{
    char book_no[BZL_BOOK_NO_LEN + 1];
    bzl_status st = bzld_copy_code(req->book, false, bzld_check_book_no, book_no, sizeof book_no, 0,
                                   "book", fault);
    return st == BZL_OK ? bzld_wire_kind(req->kind, kind, fault) : st;
}

void
bzld_enterprise_to_pb(const bzl_enterprise *e, Bzl__V1__Enterprise *out)
{
    bzl__v1__enterprise__init(out);
    out->code = (char *)e->code;
    out->uscc = (char *)e->uscc;
    out->name = (char *)e->name;
    out->area = (char *)e->area;
}

void
bzld_book_to_pb(const bzl_book *b, Bzl__V1__Book *out)
{
    bzl__v1__book__init(out);
    out->book = (char *)b->book_no;
    out->enterprise = (char *)b->enterprise;
    out->verify_mode = (Bzl__V1__VerifyMode)b->verify_mode;
    out->status = (Bzl__V1__BookStatus)b->status;
    out->period_days = b->period_days;
    out->usage = (Bzl__V1__BookUsage)b->usage;
}

void
bzld_item_to_pb(const bzl_item *item, Bzl__V1__Item *out)
{
    bzl__v1__item__init(out);
    out->book = (char *)item->book_no;
    out->kind = (Bzl__V1__Kind)item->kind;
    out->item = item->item_no;
    out->hs = (char *)item->hs;
    out->name = (char *)item->name;
    out->unit = (char *)item->unit;
    out->mode = (Bzl__V1__BizMode)item->biz_mode;
}

/* ---- declarations ---------------------------------------------------------------------------- */

/* Parses a decimal field; the fault names line and field and quotes the text. */
static bzl_status
decl_decimal(const char *text, bool optional, bool *present, uint32_t line, const char *field,
             int64_t *out, bzl_fault *fault)
{
    size_t len = strlen(text);
    if (present != NULL) {
        *present = len > 0;
    }
    if (len == 0 && optional) {
        *out = 0;
        return BZL_OK;
    }
    bzl_status st = bzl_dec_parse(text, len, BZL_SCALE_QTY, false, out);
    if (st == BZL_OK) {
        return BZL_OK;
    }
    const char *why = st == BZL_DECIMAL_SYNTAX
                          ? "is not a plain decimal (digits, one point, no exponent or separators)"
                          : "is out of range (at most 13 integer digits, 5 decimals, not negative)";
    return bzl_fault_set(fault, st, line, field, "line %u: %s \"%.40s\" %s", line, field, text,
                         why);
}

static bzl_status
line_from_pb(const Bzl__V1__DeclarationLine *pb, uint32_t line, bzl_decl_line *out,
             bzl_fault *fault)
{
    memset(out, 0, sizeof *out);
    out->item_no = pb->item;
    bzl_status st = decl_decimal(pb->qty, false, NULL, line, "qty", &out->qty_e5, fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->unit, false, bzl_code_check_unit, out->unit, sizeof out->unit, line,
                            "unit", fault);
    }
    if (st == BZL_OK) {
        st = decl_decimal(pb->value, false, NULL, line, "value", &out->value_e5, fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->currency, false, bzl_code_check_currency, out->currency,
                            sizeof out->currency, line, "currency", fault);
    }
    if (st == BZL_OK) {
        st = decl_decimal(pb->usd, true, &out->has_usd, line, "usd", &out->usd_e5, fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->country, true, bzl_code_check_country, out->country,
                            sizeof out->country, line, "country", fault);
    }
    if (st == BZL_OK && strlen(pb->bom_version) > BZL_BOM_VERSION_BYTES_MAX) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "bom_version",
                           "line %u: bom_version is longer than %u bytes", line,
                           BZL_BOM_VERSION_BYTES_MAX);
    }
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->bom_version, 0, BZL_BOM_VERSION_BYTES_MAX, out->bom_version,
                            sizeof out->bom_version, "bom_version", fault);
    }
    if (st == BZL_OK && (pb->mode < BZL__V1__BIZ_MODE__BIZ_MODE_NONE ||
                         pb->mode > BZL__V1__BIZ_MODE__BIZ_MODE_OBM)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, line, "mode",
                           "line %u: mode %d is not OEM, ODM or OBM", line, (int)pb->mode);
    }
    out->biz_mode = (uint8_t)pb->mode;
    if (st != BZL_OK && fault->line == 0) {
        fault->line = line;
    }
    return st;
}

/* The lots line `line` names, appended at lots[*n] (room checked by the caller). */
static bzl_status
lots_from_pb(const Bzl__V1__DeclarationLine *pb, uint32_t line, bzl_lot_ref *lots, uint32_t *n,
             bzl_fault *fault)
{
    bzl_status st = BZL_OK;
    for (size_t i = 0; st == BZL_OK && i < pb->n_lots; i++) {
        const Bzl__V1__LotRef *r = pb->lots[i];
        bzl_lot_ref *out = &lots[*n];
        memset(out, 0, sizeof *out);
        out->line = line;
        out->receipt_line = r->line;
        st = bzld_copy_text(r->receipt, 1, BZL_DECL_ID_BYTES_MAX, out->receipt, sizeof out->receipt,
                            "lots", fault);
        if (st == BZL_OK) {
            st = decl_decimal(r->qty, false, NULL, line, "lots", &out->qty_e5, fault);
        }
        if (st != BZL_OK) {
            fault->line = line;
        }
        *n += st == BZL_OK;
    }
    return st;
}

size_t
bzld_wire_lot_count(const Bzl__V1__Declaration *pb)
{
    size_t n = 0;
    for (size_t i = 0; pb != NULL && i < pb->n_lines; i++) {
        n += pb->lines[i] != NULL ? pb->lines[i]->n_lots : 0;
    }
    return n;
}

static bzl_status
header_from_pb(const Bzl__V1__Declaration *pb, bzl_declaration *d, bzl_fault *fault)
{
    bzl_status st =
        bzld_copy_text(pb->id, 1, BZL_DECL_ID_BYTES_MAX, d->id, sizeof d->id, "id", fault);
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->enterprise, false, bzl_code_check_enterprise, d->enterprise,
                            sizeof d->enterprise, 0, "enterprise", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->book, false, bzld_check_book_no, d->book_no, sizeof d->book_no, 0,
                            "book", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->trade_mode, false, bzl_code_check_trade_mode, d->trade_mode,
                            sizeof d->trade_mode, 0, "trade_mode", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(pb->related_book, true, bzld_check_book_no, d->related_book,
                            sizeof d->related_book, 0, "related_book", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->related_id, 0, BZL_DECL_ID_BYTES_MAX, d->related_id,
                            sizeof d->related_id, "related_id", fault);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (pb->kind != BZL__V1__KIND__KIND_MATERIAL && pb->kind != BZL__V1__KIND__KIND_PRODUCT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                             "kind %d is neither material nor product", (int)pb->kind);
    }
    if (pb->direction != BZL__V1__DIRECTION__DIRECTION_IN &&
        pb->direction != BZL__V1__DIRECTION__DIRECTION_OUT) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "direction",
                             "direction %d is neither in nor out", (int)pb->direction);
    }
    if (bzl_date_parse(pb->date, strlen(pb->date), &d->date) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_DATE, 0, "date",
                             "date \"%.20s\" is not a calendar date YYYY-MM-DD between %d and %d",
                             pb->date, BZL_DATE_MIN_YEAR, BZL_DATE_MAX_YEAR);
    }
    bzl_origin origin = BZL_ORIGIN_NONE;
    if (!bzl_origin_parse(pb->origin, &origin)) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "origin",
                             "origin \"%.20s\" is neither abroad nor outside", pb->origin);
    }
    d->kind = (uint8_t)pb->kind;
    d->direction = (uint8_t)pb->direction;
    d->pending = pb->pending || pb->draft; /* a draft is pending: it never posts as it is */
    d->draft = pb->draft;
    d->origin = (uint8_t)origin;
    d->duty_basis = 0;
    if (pb->duty_basis[0] != '\0') {
        uint8_t basis = 0;
        if (!bzl_tax_basis_parse(pb->duty_basis, &basis) ||
            (basis != BZL_BASIS_MATERIAL && basis != BZL_BASIS_PRODUCT)) {
            return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "duty_basis",
                                 "duty_basis \"%.20s\" is neither material nor product",
                                 pb->duty_basis);
        }
        d->duty_basis = basis;
    }
    d->tax_date = 0;
    if (pb->tax_date[0] != '\0' &&
        bzl_date_parse(pb->tax_date, strlen(pb->tax_date), &d->tax_date) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_DATE, 0, "tax_date",
                             "tax_date \"%.20s\" is not a calendar date YYYY-MM-DD between %d and "
                             "%d",
                             pb->tax_date, BZL_DATE_MIN_YEAR, BZL_DATE_MAX_YEAR);
    }
    return BZL_OK;
}

bzl_status
bzld_wire_declaration(const Bzl__V1__Declaration *pb, uint32_t lines_max, bzl_declaration *d,
                      bzl_decl_line *lines, bzl_lot_ref *lots, bzl_fault *fault)
{
    BZL_ASSERT(d != NULL);
    BZL_ASSERT(lines != NULL || lines_max == 0);
    memset(d, 0, sizeof *d);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "declaration",
                             "the declaration is missing");
    }
    bzl_status st = header_from_pb(pb, d, fault);
    if (st != BZL_OK) {
        return st;
    }
    if (pb->n_lines > lines_max) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lines",
                             "the declaration has %zu lines; the limit is %u", pb->n_lines,
                             lines_max);
    }
    size_t lot_count = bzld_wire_lot_count(pb);
    if (lot_count > BZL_DECL_LOTS_MAX) {
        return bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lots",
                             "the declaration names %zu lots; the limit is %u", lot_count,
                             BZL_DECL_LOTS_MAX);
    }
    BZL_ASSERT(lots != NULL || lot_count == 0);
    uint32_t lots_n = 0;
    for (size_t i = 0; i < pb->n_lines; i++) {
        st = line_from_pb(pb->lines[i], (uint32_t)i + 1, &lines[i], fault);
        if (st == BZL_OK) {
            st = lots_from_pb(pb->lines[i], (uint32_t)i + 1, lots, &lots_n, fault);
        }
        if (st != BZL_OK) {
            return st;
        }
    }
    d->line_count = (uint32_t)pb->n_lines;
    d->lines = lines;
    d->lot_count = lots_n;
    d->lots = lots_n > 0 ? lots : NULL;
    return bzl_decl_check_fields(d, lines_max, fault);
}

/* ---- the bonded ledger ----------------------------------------------------------------------- */

bzl_status
bzld_wire_norm(const Bzl__V1__Norm *pb, bzl_norm *n, bzl_fault *fault)
{
    memset(n, 0, sizeof *n);
    if (pb == NULL) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "norm", "the norm is missing");
    }
    bzl_status st = bzld_parse_book(pb->book, n->book_no, fault);
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->version, 1, BZL_BOM_VERSION_BYTES_MAX, n->version,
                            sizeof n->version, "version", fault);
    }
    if (st == BZL_OK) {
        st = wire_rate(pb->net, false, 0, "net", &n->net_e9, fault);
    }
    if (st == BZL_OK) {
        st = wire_rate(pb->tangible_loss, false, 0, "tangible_loss", &n->tangible_e9, fault);
    }
    if (st == BZL_OK) {
        st = wire_rate(pb->intangible_loss, false, 0, "intangible_loss", &n->intangible_e9, fault);
    }
    if (st == BZL_OK) {
        st = wire_rate(pb->bonded_share, true, 1000000000, "bonded_share", &n->share_e9, fault);
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(pb->valid_from, true, bzl_date_from_civil(BZL_DATE_MIN_YEAR, 1, 1),
                            "valid_from", &n->valid_from, fault);
    }
    n->product = pb->product;
    n->material = pb->material;
    return st == BZL_OK ? bzl_norm_check(n, fault) : st;
}

void
bzld_norm_to_pb(const bzl_norm *n, Bzl__V1__Norm *out, bzld_norm_text *txt)
{
    bzl__v1__norm__init(out);
    out->book = (char *)n->book_no;
    out->product = n->product;
    out->material = n->material;
    out->version = (char *)n->version;
    bzl_dec_format(n->net_e9, BZL_SCALE_RATE, txt->net, sizeof txt->net);
    bzl_dec_format(n->tangible_e9, BZL_SCALE_RATE, txt->tangible, sizeof txt->tangible);
    bzl_dec_format(n->intangible_e9, BZL_SCALE_RATE, txt->intangible, sizeof txt->intangible);
    bzl_dec_format(n->share_e9, BZL_SCALE_RATE, txt->share, sizeof txt->share);
    bzl_dec_format_fixed(n->ucns_e9, BZL_SCALE_RATE, BZL_SCALE_RATE, txt->ucns, sizeof txt->ucns);
    bzl_date_format(n->valid_from, txt->from, sizeof txt->from);
    out->net = txt->net;
    out->tangible_loss = txt->tangible;
    out->intangible_loss = txt->intangible;
    out->bonded_share = txt->share;
    out->unit_consumption = txt->ucns;
    out->valid_from = txt->from;
    out->used = n->used;
}

bzl_status
bzld_wire_decl_ref(const Bzl__V1__DeclarationRef *pb, size_t reason_min, bzld_decl_ref *out,
                   bzl_fault *fault)
{
    memset(out, 0, sizeof *out);
    if (pb == NULL || strlen(pb->enterprise) != BZL_ENTERPRISE_CODE_LEN ||
        bzl_code_check_enterprise(pb->enterprise, strlen(pb->enterprise)) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "enterprise",
                             "enterprise code \"%.20s\" is not valid",
                             pb != NULL ? pb->enterprise : "");
    }
    memcpy(out->enterprise, pb->enterprise, BZL_ENTERPRISE_CODE_LEN + 1);
    bzl_status st =
        bzld_copy_text(pb->id, 1, BZL_DECL_ID_BYTES_MAX, out->id, sizeof out->id, "id", fault);
    if (st == BZL_OK) {
        st = bzld_copy_text(pb->reason, reason_min, BZL_TEXT_BYTES_MAX, out->reason,
                            sizeof out->reason, "reason", fault);
    }
    return st;
}

bzl_status
bzld_wire_item_mode(const Bzl__V1__SetItemMode *req, char book_no[BZL_BOOK_NO_LEN + 1],
                    int32_t *from, uint8_t *mode, bzl_fault *fault)
{
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK) {
        st = bzld_wire_date(req->from, false, 0, "from", from, fault);
    }
    if (st == BZL_OK && (req->mode < BZL__V1__BIZ_MODE__BIZ_MODE_OEM ||
                         req->mode > BZL__V1__BIZ_MODE__BIZ_MODE_OBM)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "mode", "mode %d is not OEM, ODM or OBM",
                           (int)req->mode);
    }
    *mode = (uint8_t)req->mode;
    return st;
}

bzl_status
bzld_wire_close_period(const Bzl__V1__ClosePeriod *req, char book_no[BZL_BOOK_NO_LEN + 1],
                       int32_t *through, bzl_fault *fault)
{
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    return st == BZL_OK ? bzld_wire_date(req->through, false, 0, "through", through, fault) : st;
}

bzl_status
bzld_wire_history(const Bzl__V1__QueryHistory *req, char book_no[BZL_BOOK_NO_LEN + 1],
                  int32_t *from, int32_t *to, uint64_t *after_seq, bzl_fault *fault)
{
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK) {
        st = bzld_wire_date(req->from, true, INT32_MIN, "from", from, fault);
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->to, true, INT32_MAX, "to", to, fault);
    }
    if (st == BZL_OK && *from > *to) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "from",
                           "from %.20s is after to %.20s: an empty range", req->from, req->to);
    }
    if (st == BZL_OK && req->kind != BZL__V1__KIND__KIND_MATERIAL &&
        req->kind != BZL__V1__KIND__KIND_PRODUCT) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                           "kind %d is neither material nor product", (int)req->kind);
    }
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_HISTORY, UINT64_MAX, after_seq,
                                    fault);
    }
    return st;
}

bzl_status
bzld_wire_balances(const Bzl__V1__QueryBalances *req, uint64_t *after, bzl_fault *fault)
{
    if (bzl_code_check_book(req->book, strlen(req->book), NULL) != BZL_OK) {
        return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "book", "book \"%.40s\" is not valid",
                             req->book);
    }
    if (req->kind > BZL__V1__KIND__KIND_PRODUCT || req->kind < 0) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                             "kind must be material, product or unspecified");
    }
    return bzld_page_token_number(req->page_token, BZLD_LIST_BALANCES,
                                  bzld_item_position(BZL_KIND_PRODUCT, BZL_ITEM_NO_MAX), after,
                                  fault);
}

bzl_status
bzld_wire_scrap(const Bzl__V1__QueryScrap *req, char book_no[BZL_BOOK_NO_LEN + 1],
                uint32_t *after_item, bzl_fault *fault)
{
    uint64_t after = 0;
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_SCRAP, BZL_ITEM_NO_MAX, &after,
                                    fault);
    }
    *after_item = (uint32_t)after;
    return st;
}

bzl_status
bzld_wire_list_norms(const Bzl__V1__ListNorms *req, uint32_t *skip, bzl_fault *fault)
{
    uint64_t n = 0;
    bzl_status st = bzld_page_token_number(req->page_token, BZLD_LIST_NORMS, UINT32_MAX, &n, fault);
    *skip = (uint32_t)n;
    return st;
}

/* ---- the officer's desk ---------------------------------------------------------------------- */

bzl_status
bzld_wire_list_declarations(const Bzl__V1__ListDeclarations *req, bzl_decl_filter *f,
                            bzl_fault *fault)
{
    memset(f, 0, sizeof *f);
    bzl_status st = BZL_OK;
    if (req->state < BZL__V1__DECLARATION_STATE__DECLARATION_STATE_UNSPECIFIED ||
        req->state > BZL__V1__DECLARATION_STATE__DECLARATION_STATE_DRAFT) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "state",
                           "state %d is not posted, pending, voided, rejected, reversed or draft",
                           (int)req->state);
    }
    f->state = (uint8_t)req->state;
    if (st == BZL_OK) {
        st = bzld_copy_code(req->enterprise, true, bzl_code_check_enterprise, f->enterprise,
                            sizeof f->enterprise, 0, "enterprise", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(req->book, true, bzld_check_book_no, f->book_no, sizeof f->book_no, 0,
                            "book", fault);
    }
    if (st == BZL_OK) {
        st = bzld_copy_code(req->trade_mode, true, bzl_code_check_trade_mode, f->trade_mode,
                            sizeof f->trade_mode, 0, "trade_mode", fault);
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->from, true, INT32_MIN, "from", &f->from, fault);
    }
    if (st == BZL_OK) {
        st = bzld_wire_date(req->to, true, INT32_MAX, "to", &f->to, fault);
    }
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_DECLARATIONS, UINT64_MAX,
                                    &f->after_seq, fault);
    }
    return st;
}

bzl_status
bzld_wire_list_items(const Bzl__V1__ListItems *req, char book_no[BZL_BOOK_NO_LEN + 1],
                     uint8_t *kind, uint64_t *after, bzl_fault *fault)
{
    *kind = 0;
    *after = 0;
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK &&
        (req->kind < BZL__V1__KIND__KIND_UNSPECIFIED || req->kind > BZL__V1__KIND__KIND_PRODUCT)) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "kind",
                           "kind must be material, product or unspecified");
    }
    *kind = (uint8_t)req->kind;
    if (st == BZL_OK) {
        st = bzld_page_token_number(req->page_token, BZLD_LIST_ITEMS,
                                    bzld_item_position(BZL_KIND_PRODUCT, BZL_ITEM_NO_MAX), after,
                                    fault);
    }
    return st;
}

bzl_status
bzld_wire_list_books(const Bzl__V1__ListBooks *req, char enterprise[BZL_ENTERPRISE_CODE_LEN + 1],
                     char after[BZL_BOOK_NO_LEN + 1], bzl_fault *fault)
{
    after[0] = '\0';
    bzl_status st = bzld_copy_code(req->enterprise, true, bzl_code_check_enterprise, enterprise,
                                   BZL_ENTERPRISE_CODE_LEN + 1, 0, "enterprise", fault);
    if (st == BZL_OK) {
        st = bzld_page_token_code(req->page_token, BZLD_LIST_BOOK_RECORDS, bzld_check_book_no,
                                  after, BZL_BOOK_NO_LEN + 1, fault);
    }
    return st;
}

/* ---- verification ---------------------------------------------------------------------------- */

bzl_status
bzld_wire_stocktake_line(const Bzl__V1__StocktakeLine *pb, uint32_t i, bzl_stocktake_line *l,
                         bzl_fault *fault)
{
    /* StocktakeKind numbers are storage's stocktake kinds (storage.h). */
    l->kind = pb->kind >= BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL &&
                      pb->kind <= BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_SCRAP
                  ? (uint8_t)pb->kind
                  : 0;
    l->item_no = pb->item;
    if (l->kind == 0) {
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, i + 1, "kind",
                             "line %u: kind %d is not material, product, wip or scrap",
                             (unsigned)(i + 1), (int)pb->kind);
    }
    bzl_status st = bzl_dec_parse(pb->qty, strlen(pb->qty), BZL_SCALE_QTY, false, &l->qty_e5);
    if (st != BZL_OK) {
        return bzl_fault_set(fault, st, i + 1, "qty",
                             "line %u: qty \"%.40s\" is not a non-negative decimal",
                             (unsigned)(i + 1), pb->qty);
    }
    return bzld_copy_text(pb->bom_version, 0, BZL_BOM_VERSION_BYTES_MAX, l->bom_version,
                          sizeof l->bom_version, "bom_version", fault);
}

bzl_status
bzld_wire_stocktake_head(const Bzl__V1__SubmitStocktake *req, uint32_t lines_max,
                         char book_no[BZL_BOOK_NO_LEN + 1], int32_t *date, bzl_fault *fault)
{
    bzl_status st = bzld_parse_book(req->book, book_no, fault);
    if (st == BZL_OK && bzl_date_parse(req->date, strlen(req->date), date) != BZL_OK) {
        st = bzl_fault_set(fault, BZL_INVALID_DATE, 0, "date",
                           "date \"%.20s\" is not a calendar date YYYY-MM-DD", req->date);
    }
    if (st == BZL_OK && req->n_lines > lines_max) {
        st = bzl_fault_set(fault, BZL_LIMIT_EXCEEDED, 0, "lines",
                           "a stocktake holds at most %u lines", lines_max);
    }
    return st;
}

bzl_status
bzld_wire_stocktake_check(const Bzl__V1__SubmitStocktake *req, uint32_t lines_max, bzl_fault *fault)
{
    char book_no[BZL_BOOK_NO_LEN + 1];
    int32_t date = 0;
    bzl_status st = bzld_wire_stocktake_head(req, lines_max, book_no, &date, fault);
    /* Bounded by lines_max, checked above. */
    for (size_t i = 0; st == BZL_OK && i < req->n_lines; i++) {
        bzl_stocktake_line line;
        st = bzld_wire_stocktake_line(req->lines[i], (uint32_t)i, &line, fault);
    }
    return st;
}

bzl_status
bzld_wire_rate(const Bzl__V1__SetRate *req, bzl_rate_row *rate, bzl_fault *fault)
{
    memset(rate, 0, sizeof *rate);
    bzl_status st = bzld_wire_month(req->month, &rate->month, fault);
    st = st == BZL_OK ? wire_currency(req->currency, rate->currency, fault) : st;
    st = st == BZL_OK ? bzld_wire_decimal(req->cny, BZL_SCALE_RATE, "cny", &rate->cny_e9, fault)
                      : st;
    if (st == BZL_OK && rate->cny_e9 == 0) {
        st = bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "cny", "a rate must be positive");
    }
    return st;
}

bzl_status
bzld_wire_trade(const Bzl__V1__RecordTrade *req, bzl_trade_row *trade, bzl_fault *fault)
{
    memset(trade, 0, sizeof *trade);
    bzl_status st = bzld_wire_month(req->month, &trade->month, fault);
    st = st == BZL_OK ? wire_currency(req->currency, trade->currency, fault) : st;
    st = st == BZL_OK
             ? bzld_wire_decimal(req->exports, BZL_SCALE_QTY, "exports", &trade->exports_e5, fault)
             : st;
    st = st == BZL_OK
             ? bzld_wire_decimal(req->imports, BZL_SCALE_QTY, "imports", &trade->imports_e5, fault)
             : st;
    return st;
}

bzl_status
bzld_wire_reconcile(const Bzl__V1__Reconcile *req, bzl_period *p, int64_t *tol_e4,
                    char book_no[BZL_BOOK_NO_LEN + 1], char after_book[BZL_BOOK_NO_LEN + 1],
                    bzl_fault *fault)
{
    *tol_e4 = 5000; /* 0.5 % */
    book_no[0] = '\0';
    bzl_status st = bzld_parse_period(req->period, p, fault);
    if (st == BZL_OK && req->tolerance[0] != '\0') {
        int64_t t9 = 0;
        st = bzld_wire_decimal(req->tolerance, BZL_SCALE_RATE, "tolerance", &t9, fault);
        *tol_e4 = t9 / 100000; /* percent at 4 places */
    }
    if (st == BZL_OK && req->book[0] != '\0') {
        st = bzld_parse_book(req->book, book_no, fault);
    }
    if (st == BZL_OK) {
        st = bzld_page_token_code(req->page_token, BZLD_LIST_BOOKS, bzld_check_book_no, after_book,
                                  BZL_BOOK_NO_LEN + 1, fault);
    }
    return st;
}
