/* check_ledger.c — the pure ledger rules: names, text, record checks, declaration checks and
 * the effect of a line on a balance. Every expected number is worked out by hand in the
 * comment next to it; quantities are at scale 5 (1 = 100000).
 */
#include "bzl/ledger.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E5(whole) ((int64_t)(whole)*100000)

static const char VALID_USCC[] = "91310000717866186P";
/* 1990-01-01 and 2099-12-31 as days since 1970-01-01, counted by hand: 20 years with 5 leap
 * days = 7305; 130 years with 32 leap days (1972..2096) = 47482, less one for the 31st. */
#define DAYS_1990_01_01 7305
#define DAYS_2099_12_31 47481
#define DAYS_2026_03_15 20527

static void
fill_enterprise(bzl_enterprise *e)
{
    memset(e, 0, sizeof *e);
    strcpy(e->code, "330261A004");
    strcpy(e->uscc, VALID_USCC);
    strcpy(e->name, "宁波保税区精密电子有限公司");
    strcpy(e->area, "core bonded zone");
}

static void
fill_book(bzl_book *b)
{
    memset(b, 0, sizeof *b);
    strcpy(b->book_no, "H72012400001");
    strcpy(b->enterprise, "330261A004");
    b->verify_mode = BZL_VERIFY_UNIT;
    b->status = BZL_BOOK_OPEN;
    b->period_days = 365;
}

static void
fill_item(bzl_item *it, uint32_t item_no)
{
    memset(it, 0, sizeof *it);
    strcpy(it->book_no, "H72012400001");
    it->kind = BZL_KIND_MATERIAL;
    it->item_no = item_no;
    strcpy(it->hs, "8542319000");
    strcpy(it->unit, "035");
    strcpy(it->name, "集成电路晶圆");
}

static void
fill_line(bzl_decl_line *l, uint32_t item_no, int64_t qty_e5)
{
    memset(l, 0, sizeof *l);
    l->item_no = item_no;
    l->qty_e5 = qty_e5;
    l->value_e5 = E5(2500);
    strcpy(l->unit, "035");
    strcpy(l->currency, "502");
    strcpy(l->country, "142");
}

static void
fill_decl(bzl_declaration *d, bzl_decl_line *lines, uint32_t count)
{
    memset(d, 0, sizeof *d);
    strcpy(d->id, "ERP-2026-000123");
    strcpy(d->enterprise, "330261A004");
    strcpy(d->book_no, "H72012400001");
    d->kind = BZL_KIND_MATERIAL;
    d->direction = BZL_DIR_IN;
    strcpy(d->trade_mode, "5015");
    d->date = DAYS_2026_03_15;
    d->line_count = count;
    d->lines = lines;
    for (uint32_t i = 0; i < count; i++) {
        fill_line(&lines[i], i + 1, E5(10));
    }
}

/* ---- names --------------------------------------------------------------------------------- */

/* Each table maps both ways, and parsing is exact: no case folding, no unknown words. */
START_TEST(ledger_names_round_trip_and_parse_exactly)
{
    bzl_kind k;
    bzl_direction dir;
    bzl_biz_mode m;
    bzl_verify_mode v;
    ck_assert_str_eq(bzl_kind_name(BZL_KIND_PRODUCT), "product");
    ck_assert(bzl_kind_parse("material", &k) && k == BZL_KIND_MATERIAL);
    ck_assert(!bzl_kind_parse("Material", &k));
    ck_assert(!bzl_kind_parse("", &k));
    ck_assert_str_eq(bzl_direction_name(BZL_DIR_OUT), "out");
    ck_assert(bzl_direction_parse("in", &dir) && dir == BZL_DIR_IN);
    ck_assert(!bzl_direction_parse("inn", &dir));
    ck_assert_str_eq(bzl_biz_mode_name(BZL_BIZ_ODM), "ODM");
    ck_assert_str_eq(bzl_biz_mode_name(BZL_BIZ_NONE), "");
    ck_assert(bzl_biz_mode_parse("OBM", &m) && m == BZL_BIZ_OBM);
    ck_assert(bzl_biz_mode_parse("", &m) && m == BZL_BIZ_NONE);
    m = BZL_BIZ_OEM;
    ck_assert(bzl_biz_mode_parse("none", &m) && m == BZL_BIZ_NONE);
    ck_assert(!bzl_biz_mode_parse("oem", &m));
    ck_assert_str_eq(bzl_verify_mode_name(BZL_VERIFY_WORK_ORDER), "work-order");
    ck_assert(bzl_verify_mode_parse("consumption", &v) && v == BZL_VERIFY_CONSUMPTION);
    ck_assert(!bzl_verify_mode_parse("work_order", &v));
    ck_assert_str_eq(bzl_kind_name((bzl_kind)0), "unknown");
    ck_assert_str_eq(bzl_verify_mode_name((bzl_verify_mode)9), "unknown");
}
END_TEST

/* ---- text ---------------------------------------------------------------------------------- */

/* Chinese, the empty optional field and a field of exactly the maximum all pass. */
START_TEST(text_check_accepts_utf8_within_bounds)
{
    const char *zh = "上海综合保税区"; /* 7 characters × 3 bytes */
    bzl_fault f;
    ck_assert_int_eq(bzl_text_check(zh, strlen(zh), 1, 21, "name", &f), BZL_OK);
    ck_assert_int_eq(bzl_text_check("", 0, 0, 8, "area", &f), BZL_OK);
    ck_assert_int_eq(bzl_text_check(NULL, 0, 0, 8, "area", &f), BZL_OK);
    ck_assert_int_eq(bzl_text_check("abcdefgh", 8, 1, 8, "id", &f), BZL_OK);
}
END_TEST

/* The boundary code points on both sides of every forbidden range are accepted. */
START_TEST(text_check_accepts_edge_code_points)
{
    static const char *const ok[] = {
        "~",                /* U+007E, last before DEL */
        "\xC2\xA0",         /* U+00A0, first after C1 */
        "\xDF\xBF",         /* U+07FF, last 2-byte */
        "\xE0\xA0\x80",     /* U+0800, first 3-byte */
        "\xED\x9F\xBF",     /* U+D7FF, before the surrogates */
        "\xEE\x80\x80",     /* U+E000, after them */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xF0\x90\x80\x80", /* U+10000, first 4-byte */
        "\xF4\x8F\xBF\xBF", /* U+10FFFF, the last code point */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(bzl_text_check(ok[i], strlen(ok[i]), 1, 16, "name", NULL) == BZL_OK,
                      "sample %zu", i);
    }
}
END_TEST

/* Malformed UTF-8 is refused with the field and the byte offset of the first bad sequence. */
START_TEST(text_check_rejects_malformed_utf8)
{
    static const struct {
        const char *s;
        size_t at;
    } bad[] = {
        {"\x80", 0},                 /* stray continuation */
        {"ab\xBF", 2},               /* stray continuation later on */
        {"\xC0\xAF", 0},             /* overlong '/' */
        {"\xC1\xBF", 0},             /* overlong U+007F */
        {"\xE0\x80\xAF", 0},         /* overlong 3-byte */
        {"\xE0\x9F\xBF", 0},         /* overlong U+07FF */
        {"\xF0\x8F\xBF\xBF", 0},     /* overlong U+FFFF */
        {"\xED\xA0\x80", 0},         /* U+D800, a surrogate */
        {"\xED\xBF\xBF", 0},         /* U+DFFF */
        {"\xF4\x90\x80\x80", 0},     /* U+110000 */
        {"\xF5\x80\x80\x80", 0},     /* lead byte past F4 */
        {"\xFF", 0},                 /* never valid */
        {"x\xE4\xB8", 1},            /* truncated at the end */
        {"\xC3\x28", 0},             /* continuation missing */
        {"\xE4\xB8\xAD\xE6\x96", 3}, /* 中 then a cut 文 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bzl_fault f;
        char want[64];
        snprintf(want, sizeof want, "name is not valid UTF-8 at byte %zu", bad[i].at);
        ck_assert_msg(bzl_text_check(bad[i].s, strlen(bad[i].s), 0, 16, "name", &f) ==
                          BZL_INVALID_ARGUMENT,
                      "sample %zu", i);
        ck_assert_str_eq(f.field, "name");
        ck_assert_uint_eq(f.line, 0);
        ck_assert_str_eq(f.message, want);
    }
}
END_TEST

/* C0 controls (newline, tab, ESC, an embedded NUL), DEL and C1 controls are refused. */
START_TEST(text_check_rejects_control_characters)
{
    static const struct {
        const char *s;
        size_t len;
    } bad[] = {
        {"a\nb", 3}, {"\t", 1},       {"\x1B[0m", 4},  {"ab\0cd", 5},
        {"\x7F", 1}, {"\xC2\x85", 2}, {"\xC2\x9F", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bzl_fault f;
        ck_assert_msg(bzl_text_check(bad[i].s, bad[i].len, 0, 16, "name", &f) ==
                          BZL_INVALID_ARGUMENT,
                      "sample %zu", i);
        ck_assert_ptr_nonnull(strstr(f.message, "control character"));
    }
}
END_TEST

/* A required field may not be empty, and no field may be longer than its maximum. */
START_TEST(text_check_enforces_length_bounds)
{
    bzl_fault f;
    ck_assert_int_eq(bzl_text_check("", 0, 1, 8, "id", &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.message, "id must not be empty");
    ck_assert_int_eq(bzl_text_check("abcdefghi", 9, 1, 8, "id", &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.message, "id is 9 bytes long, more than the 8 allowed");
    /* Bytes, not characters: 3 Chinese characters are 9 bytes. */
    ck_assert_int_eq(bzl_text_check("中文字", 9, 1, 8, "id", &f), BZL_INVALID_ARGUMENT);
    ck_assert_int_eq(bzl_text_check("ab", 2, 3, 8, "id", &f), BZL_INVALID_ARGUMENT);
}
END_TEST

/* A message cut at the buffer's end never ends in half a character, and a NULL fault is a
 * no-op that still returns the status. */
START_TEST(fault_set_truncates_on_a_character_boundary)
{
    char long_text[400];
    memset(long_text, 'a', 254);
    strcpy(long_text + 254, "中中中"); /* 中 starts at byte 254 and would need 254..256 */
    bzl_fault f;
    ck_assert_int_eq(bzl_fault_set(&f, BZL_INTERNAL, 2, "x", "%s", long_text), BZL_INTERNAL);
    ck_assert_uint_eq(strlen(f.message), 254);
    ck_assert_int_eq(bzl_text_check(f.message, strlen(f.message), 0, 255, "m", NULL), BZL_OK);
    ck_assert_uint_eq(f.line, 2);
    ck_assert_int_eq(bzl_fault_set(NULL, BZL_BUSY, 0, NULL, "ignored"), BZL_BUSY);
}
END_TEST

/* ---- master records ------------------------------------------------------------------------ */

/* A good enterprise passes; each broken field is named, with the status its check gives. */
START_TEST(enterprise_check_names_the_bad_field)
{
    bzl_enterprise e;
    bzl_fault f;
    fill_enterprise(&e);
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_OK);
    strcpy(e.code, "330261a004");
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "code");
    ck_assert_str_eq(f.message, "enterprise code \"330261a004\" is not valid");
    fill_enterprise(&e);
    e.uscc[17] = 'Q'; /* the check character is P */
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "uscc");
    fill_enterprise(&e);
    e.name[0] = '\0';
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "name");
    fill_enterprise(&e);
    memset(e.area, 'x', BZL_AREA_BYTES_MAX + 1);
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "area");
}
END_TEST

/* A refused code with bytes that are not printable ASCII is quoted with '?' in their place. */
START_TEST(enterprise_check_never_echoes_raw_bytes)
{
    bzl_enterprise e;
    bzl_fault f;
    fill_enterprise(&e);
    memcpy(e.code,
           "33\n\xFF"
           "61A004",
           10);
    ck_assert_int_eq(bzl_enterprise_check(&e, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.message, "enterprise code \"33??61A004\" is not valid");
}
END_TEST

/* The one not-found fault: NOT_FOUND in the field, "<what> <key> does not exist", or
 * "<what> does not exist" without a key — the words a foreign record is answered with too. */
START_TEST(fault_missing_words_every_not_found_alike)
{
    bzl_fault f;
    ck_assert_int_eq(bzl_fault_missing(&f, "book", "book", "H72012400001"), BZL_NOT_FOUND);
    ck_assert_str_eq(f.field, "book");
    ck_assert_str_eq(f.message, "book H72012400001 does not exist");
    ck_assert_int_eq(bzl_fault_missing(&f, "item", "the item", NULL), BZL_NOT_FOUND);
    ck_assert_str_eq(f.message, "the item does not exist");
    ck_assert_int_eq(bzl_fault_missing(NULL, "book", "book", "x"), BZL_NOT_FOUND);
}
END_TEST

START_TEST(book_check_names_the_bad_field)
{
    bzl_book b;
    bzl_fault f;
    fill_book(&b);
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_OK);
    b.book_no[0] = 'A'; /* B, C, E, H or T only */
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "book");
    fill_book(&b);
    strcpy(b.enterprise, "3302");
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "enterprise");
    fill_book(&b);
    b.verify_mode = 0;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "verify_mode");
    b.verify_mode = 4;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_ARGUMENT);
    fill_book(&b);
    b.status = 9;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "status");
    /* The verification period: 1 to 3,660 days (ten years); 0 means the default, given before
     * the check. */
    fill_book(&b);
    b.period_days = BZL_BOOK_PERIOD_DAYS_MAX;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_OK);
    b.period_days = BZL_BOOK_PERIOD_DAYS_MAX + 1;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "period_days");
    ck_assert_str_eq(f.message, "period_days 3661 is over the maximum of 3660");
    b.period_days = 0;
    ck_assert_int_eq(bzl_book_check(&b, &f), BZL_INVALID_ARGUMENT);
    ck_assert_uint_eq(bzl_book_period_days(0), 365);
    ck_assert_uint_eq(bzl_book_period_days(30), 30);
}
END_TEST

START_TEST(item_check_names_the_bad_field)
{
    bzl_item it;
    bzl_fault f;
    fill_item(&it, 7);
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_OK);
    strcpy(it.hs, "854231900"); /* 9 digits */
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "hs");
    fill_item(&it, 7);
    strcpy(it.unit, "KG");
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "unit");
    fill_item(&it, 0);
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "item");
    fill_item(&it, BZL_ITEM_NO_MAX + 1);
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
    fill_item(&it, 7);
    strcpy(it.name, "wafer\nline two");
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "name");
    fill_item(&it, 7);
    it.kind = 3;
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "kind");
}
END_TEST

/* A product carries OEM/ODM/OBM; a material carries none. */
START_TEST(item_check_allows_a_business_mode_only_on_products)
{
    bzl_item it;
    bzl_fault f;
    fill_item(&it, 7);
    it.biz_mode = BZL_BIZ_OEM;
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "mode");
    it.kind = BZL_KIND_PRODUCT;
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_OK);
    it.biz_mode = 4;
    ck_assert_int_eq(bzl_item_check(&it, &f), BZL_INVALID_ARGUMENT);
}
END_TEST

/* ---- declaration fields -------------------------------------------------------------------- */

START_TEST(decl_check_fields_accepts_a_valid_declaration)
{
    bzl_decl_line lines[3];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 3);
    lines[1].has_usd = true;
    lines[1].usd_e5 = 0;
    lines[2].country[0] = '\0'; /* optional */
    strcpy(lines[2].bom_version, "V2026");
    strcpy(d.related_book, "E72012400009");
    ck_assert_int_eq(bzl_decl_check_fields(&d, BZL_DECL_LINES_DEFAULT, &f), BZL_OK);
}
END_TEST

/* The header's id is required and bounded; the fault points at the header (line 0). */
START_TEST(decl_check_fields_rejects_a_bad_id)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    d.id[0] = '\0';
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "id");
    ck_assert_uint_eq(f.line, 0);
    ck_assert_str_eq(f.message, "id must not be empty");
    memset(d.id, 'x', sizeof d.id); /* 65 bytes and no NUL at all */
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "id");
    fill_decl(&d, lines, 1);
    memset(d.id, 'x', BZL_DECL_ID_BYTES_MAX); /* exactly 64 passes */
    d.id[BZL_DECL_ID_BYTES_MAX] = '\0';
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_OK);
}
END_TEST

/* Every header code is checked and named. */
START_TEST(decl_check_fields_rejects_bad_header_codes)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    strcpy(d.enterprise, "33026");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "enterprise");
    fill_decl(&d, lines, 1);
    strcpy(d.book_no, "X72012400001");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "book");
    fill_decl(&d, lines, 1);
    strcpy(d.trade_mode, "50A5");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "trade_mode");
    fill_decl(&d, lines, 1);
    strcpy(d.related_book, "H7201");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "related_book");
    fill_decl(&d, lines, 1);
    d.kind = 0;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "kind");
    fill_decl(&d, lines, 1);
    d.direction = 3;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "direction");
}
END_TEST

/* The date must fall in 1990-01-01..2099-12-31, both ends included. */
START_TEST(decl_check_fields_bounds_the_date)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    d.date = DAYS_1990_01_01;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_OK);
    d.date = DAYS_2099_12_31;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_OK);
    d.date = DAYS_1990_01_01 - 1;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_DATE);
    ck_assert_str_eq(f.field, "date");
    d.date = DAYS_2099_12_31 + 1;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_DATE);
    d.date = INT32_MIN;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_DATE);
}
END_TEST

/* Zero and negative quantities are refused with the 1-based line and the item. */
START_TEST(decl_check_fields_rejects_zero_and_negative_quantity)
{
    bzl_decl_line lines[3];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 3);
    lines[2].item_no = 7;
    lines[2].qty_e5 = 0;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_uint_eq(f.line, 3);
    ck_assert_uint_eq(f.item_no, 7);
    ck_assert_str_eq(f.field, "qty");
    ck_assert_str_eq(f.message, "line 3: quantity must be greater than zero (item 7)");
    lines[2].qty_e5 = -1;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_uint_eq(f.line, 3);
}
END_TEST

/* Values may be zero but never negative; the USD value only counts when present. */
START_TEST(decl_check_fields_rejects_negative_values)
{
    bzl_decl_line lines[2];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 2);
    lines[0].value_e5 = 0;
    lines[1].usd_e5 = -5; /* ignored: has_usd is false */
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_OK);
    lines[1].has_usd = true;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "usd");
    ck_assert_uint_eq(f.line, 2);
    lines[1].has_usd = false;
    lines[0].value_e5 = -1;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "value");
    ck_assert_uint_eq(f.line, 1);
}
END_TEST

/* Unit, currency and (when present) country must be customs codes; item numbers 1..999999999. */
START_TEST(decl_check_fields_rejects_bad_line_codes)
{
    bzl_decl_line lines[2];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 2);
    strcpy(lines[1].unit, "KGM");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "unit");
    ck_assert_uint_eq(f.line, 2);
    ck_assert_uint_eq(f.item_no, 2);
    ck_assert_str_eq(f.message, "line 2: unit code \"KGM\" is not valid");
    fill_decl(&d, lines, 2);
    strcpy(lines[0].currency, "USD");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "currency");
    fill_decl(&d, lines, 2);
    strcpy(lines[0].country, "14");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "country");
    fill_decl(&d, lines, 2);
    lines[1].item_no = 0;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "item");
    lines[1].item_no = BZL_ITEM_NO_MAX + 1;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    fill_decl(&d, lines, 2);
    strcpy(lines[1].bom_version, "V\tX");
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "bom_version");
    ck_assert_uint_eq(f.line, 2);
}
END_TEST

/* An item on two lines is refused at the second, naming both lines. */
START_TEST(decl_check_fields_rejects_a_duplicate_item)
{
    bzl_decl_line lines[3];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 3);
    lines[0].item_no = 5;
    lines[1].item_no = 7;
    lines[2].item_no = 5;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 10, &f), BZL_DUPLICATE_LINE);
    ck_assert_uint_eq(f.line, 3);
    ck_assert_uint_eq(f.item_no, 5);
    ck_assert_str_eq(f.message, "line 3: item 5 is also on line 1");
}
END_TEST

/* At the line ceiling, distinct items pass and the one duplicate among them is found, also
 * among item numbers chosen to collide in a small hash (multiples of 2^14). */
START_TEST(decl_check_fields_finds_duplicates_at_the_ceiling)
{
    uint32_t n = BZL_DECL_LINES_CEILING;
    bzl_decl_line *lines = calloc(n, sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, n);
    for (uint32_t i = 0; i < n; i++) {
        lines[i].item_no = (i + 1) * 16384u % BZL_ITEM_NO_MAX;
    }
    ck_assert_int_eq(bzl_decl_check_fields(&d, n, &f), BZL_OK);
    lines[n - 1].item_no = lines[4].item_no;
    ck_assert_int_eq(bzl_decl_check_fields(&d, n, &f), BZL_DUPLICATE_LINE);
    ck_assert_uint_eq(f.line, n);
    ck_assert_str_eq(f.message, "line 10000: item 81920 is also on line 5");
    free(lines);
}
END_TEST

/* No lines is a malformed declaration; more than lines_max is a limit, not a syntax error. */
START_TEST(decl_check_fields_bounds_the_line_count)
{
    bzl_decl_line lines[3];
    bzl_declaration d;
    bzl_fault f;
    fill_decl(&d, lines, 3);
    ck_assert_int_eq(bzl_decl_check_fields(&d, 3, &f), BZL_OK);
    ck_assert_int_eq(bzl_decl_check_fields(&d, 2, &f), BZL_LIMIT_EXCEEDED);
    ck_assert_str_eq(f.field, "lines");
    ck_assert_str_eq(f.message, "the declaration has 3 lines, more than the 2 allowed");
    d.line_count = 0;
    ck_assert_int_eq(bzl_decl_check_fields(&d, 2, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "lines");
}
END_TEST

/* ---- declaration against its book ---------------------------------------------------------- */

START_TEST(decl_check_book_requires_the_declaring_enterprise_and_an_open_book)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_book b;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_book(&b);
    ck_assert_int_eq(bzl_decl_check_book(&d, &b, &f), BZL_OK);
    strcpy(b.enterprise, "330261A005");
    ck_assert_int_eq(bzl_decl_check_book(&d, &b, &f), BZL_WRONG_BOOK);
    ck_assert_str_eq(f.field, "book");
    ck_assert_str_eq(f.message,
                     "book H72012400001 belongs to enterprise 330261A005, not to 330261A004");
    fill_book(&b);
    b.status = BZL_BOOK_SUSPENDED;
    ck_assert_int_eq(bzl_decl_check_book(&d, &b, &f), BZL_BOOK_NOT_OPEN);
    ck_assert_str_eq(f.message, "book H72012400001 is suspended");
    b.status = BZL_BOOK_CLOSED;
    ck_assert_int_eq(bzl_decl_check_book(&d, &b, &f), BZL_BOOK_NOT_OPEN);
    ck_assert_str_eq(f.message, "book H72012400001 is closed");
}
END_TEST

/* ---- apply_line ---------------------------------------------------------------------------- */

/* Import 1000.5 at value 2500 onto an empty balance: qty 100050000, value 250000000. */
START_TEST(apply_line_import_adds_quantity_and_value)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {0};
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    lines[0].qty_e5 = 100050000;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OK);
    ck_assert_int_eq(bal.qty_e5, 100050000);
    ck_assert_int_eq(bal.value_e5, 250000000);
    ck_assert_int_eq(bal.pending_in_e5, 0);
    ck_assert_int_eq(bal.pending_out_e5, 0);
}
END_TEST

/* 50000.5 less 30000 (value 4000 less 2500) leaves 20000.5 (1500). */
START_TEST(apply_line_outflow_subtracts_quantity_and_value)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = 5000050000, .value_e5 = E5(4000)};
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.direction = BZL_DIR_OUT;
    lines[0].qty_e5 = E5(30000);
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OK);
    ck_assert_int_eq(bal.qty_e5, 2000050000);
    ck_assert_int_eq(bal.value_e5, E5(1500));
    ck_assert_int_eq(bzl_balance_available(&bal), 2000050000);
}
END_TEST

/* 50000.5 posted with 30000 reserved by a pending outflow leaves 20000.5 available; asking for
 * 30000 is refused with item 1 and 20000.5 named, and the balance is untouched. */
START_TEST(apply_line_outflow_beyond_available_is_refused)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = 5000050000, .value_e5 = E5(9), .pending_out_e5 = E5(30000)};
    bzl_balance before = bal;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.direction = BZL_DIR_OUT;
    lines[0].qty_e5 = E5(30000);
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(f.item_no, 1);
    ck_assert_int_eq(f.available_e5, 2000050000);
    ck_assert_uint_eq(f.line, 1);
    ck_assert_str_eq(f.message, "line 1: item 1 has 20000.5 available, the outflow asks for 30000");
    ck_assert_mem_eq(&bal, &before, sizeof bal);
}
END_TEST

/* Taking exactly what is available is allowed and leaves zero. */
START_TEST(apply_line_outflow_may_take_everything_available)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = E5(100), .pending_out_e5 = E5(60)};
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.direction = BZL_DIR_OUT;
    lines[0].qty_e5 = E5(40);
    lines[0].value_e5 = 0;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, NULL), BZL_OK);
    ck_assert_int_eq(bal.qty_e5, E5(60));
    ck_assert_int_eq(bzl_balance_available(&bal), 0);
}
END_TEST

/* A pending inflow reserves pending_in and posts nothing: qty, value and available stay. */
START_TEST(apply_line_pending_inflow_reserves_without_posting)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = E5(5), .value_e5 = E5(7)};
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.pending = true;
    lines[0].qty_e5 = E5(100);
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, NULL), BZL_OK);
    ck_assert_int_eq(bal.pending_in_e5, E5(100));
    ck_assert_int_eq(bal.qty_e5, E5(5));
    ck_assert_int_eq(bal.value_e5, E5(7));
    ck_assert_int_eq(bzl_balance_available(&bal), E5(5));
}
END_TEST

/* With 100 posted, a pending outflow of 60 reserves it (available 40), a second pending 50 is
 * refused at 40, and pending inflows never count as available. */
START_TEST(apply_line_pending_outflow_reserves_available)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = E5(100), .value_e5 = E5(10), .pending_in_e5 = E5(500)};
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.direction = BZL_DIR_OUT;
    d.pending = true;
    lines[0].qty_e5 = E5(60);
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OK);
    ck_assert_int_eq(bal.pending_out_e5, E5(60));
    ck_assert_int_eq(bal.qty_e5, E5(100));
    ck_assert_int_eq(bal.value_e5, E5(10));
    ck_assert_int_eq(bzl_balance_available(&bal), E5(40));
    lines[0].qty_e5 = E5(50);
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(f.available_e5, E5(40));
    ck_assert_str_eq(f.message, "line 1: item 1 has 40 available, the outflow asks for 50");
    ck_assert_int_eq(bal.pending_out_e5, E5(60));
}
END_TEST

/* Totals at the int64 edge: the overflowing import is refused as OVERFLOW and nothing moves —
 * not even the quantity when only the value overflows. */
START_TEST(apply_line_overflow_at_the_int64_edge_changes_nothing)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = INT64_MAX - 1};
    bzl_balance before = bal;
    bzl_fault f;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    lines[0].qty_e5 = 2;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OVERFLOW);
    ck_assert_uint_eq(f.item_no, 1);
    ck_assert_mem_eq(&bal, &before, sizeof bal);
    lines[0].qty_e5 = 1; /* INT64_MAX exactly fits */
    lines[0].value_e5 = 0;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OK);
    ck_assert_int_eq(bal.qty_e5, INT64_MAX);
    bal = (bzl_balance){.qty_e5 = 0, .value_e5 = INT64_MAX};
    before = bal;
    lines[0].qty_e5 = 1;
    lines[0].value_e5 = 1;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OVERFLOW);
    ck_assert_mem_eq(&bal, &before, sizeof bal);
    bal = (bzl_balance){.pending_in_e5 = INT64_MAX};
    before = bal;
    d.pending = true;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, &f), BZL_OVERFLOW);
    ck_assert_mem_eq(&bal, &before, sizeof bal);
}
END_TEST

/* An outflow whose value would push the value total below INT64_MIN is refused too. */
START_TEST(apply_line_outflow_value_underflow_is_overflow)
{
    bzl_decl_line lines[1];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = E5(10), .value_e5 = INT64_MIN + 1};
    bzl_balance before = bal;
    fill_decl(&d, lines, 1);
    fill_item(&it, 1);
    d.direction = BZL_DIR_OUT;
    lines[0].qty_e5 = E5(1);
    lines[0].value_e5 = 2;
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 0, &it, &bal, NULL), BZL_OVERFLOW);
    ck_assert_mem_eq(&bal, &before, sizeof bal);
}
END_TEST

/* A line in grams against an item kept in kilograms is refused naming the unit. */
START_TEST(apply_line_refuses_a_unit_other_than_the_items)
{
    bzl_decl_line lines[2];
    bzl_declaration d;
    bzl_item it;
    bzl_balance bal = {.qty_e5 = E5(3)};
    bzl_balance before = bal;
    bzl_fault f;
    fill_decl(&d, lines, 2);
    fill_item(&it, 2);
    strcpy(lines[1].unit, "036");
    ck_assert_int_eq(bzl_ledger_apply_line(&d, 1, &it, &bal, &f), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(f.field, "unit");
    ck_assert_uint_eq(f.line, 2);
    ck_assert_uint_eq(f.item_no, 2);
    ck_assert_str_eq(f.message, "line 2: unit 036 is not item 2's declared unit 035");
    ck_assert_mem_eq(&bal, &before, sizeof bal);
}
END_TEST

static Suite *
ledger_suite(void)
{
    Suite *s = suite_create("ledger");
    TCase *names = tcase_create("names");
    tcase_add_test(names, ledger_names_round_trip_and_parse_exactly);
    suite_add_tcase(s, names);

    TCase *text = tcase_create("text");
    tcase_add_test(text, text_check_accepts_utf8_within_bounds);
    tcase_add_test(text, text_check_accepts_edge_code_points);
    tcase_add_test(text, text_check_rejects_malformed_utf8);
    tcase_add_test(text, text_check_rejects_control_characters);
    tcase_add_test(text, text_check_enforces_length_bounds);
    tcase_add_test(text, fault_set_truncates_on_a_character_boundary);
    suite_add_tcase(s, text);

    TCase *records = tcase_create("records");
    tcase_add_test(records, enterprise_check_names_the_bad_field);
    tcase_add_test(records, enterprise_check_never_echoes_raw_bytes);
    tcase_add_test(records, book_check_names_the_bad_field);
    tcase_add_test(records, fault_missing_words_every_not_found_alike);
    tcase_add_test(records, item_check_names_the_bad_field);
    tcase_add_test(records, item_check_allows_a_business_mode_only_on_products);
    suite_add_tcase(s, records);

    TCase *decl = tcase_create("declaration");
    tcase_add_test(decl, decl_check_fields_accepts_a_valid_declaration);
    tcase_add_test(decl, decl_check_fields_rejects_a_bad_id);
    tcase_add_test(decl, decl_check_fields_rejects_bad_header_codes);
    tcase_add_test(decl, decl_check_fields_bounds_the_date);
    tcase_add_test(decl, decl_check_fields_rejects_zero_and_negative_quantity);
    tcase_add_test(decl, decl_check_fields_rejects_negative_values);
    tcase_add_test(decl, decl_check_fields_rejects_bad_line_codes);
    tcase_add_test(decl, decl_check_fields_rejects_a_duplicate_item);
    tcase_add_test(decl, decl_check_fields_finds_duplicates_at_the_ceiling);
    tcase_add_test(decl, decl_check_fields_bounds_the_line_count);
    tcase_add_test(decl, decl_check_book_requires_the_declaring_enterprise_and_an_open_book);
    suite_add_tcase(s, decl);

    TCase *apply = tcase_create("apply");
    tcase_add_test(apply, apply_line_import_adds_quantity_and_value);
    tcase_add_test(apply, apply_line_outflow_subtracts_quantity_and_value);
    tcase_add_test(apply, apply_line_outflow_beyond_available_is_refused);
    tcase_add_test(apply, apply_line_outflow_may_take_everything_available);
    tcase_add_test(apply, apply_line_pending_inflow_reserves_without_posting);
    tcase_add_test(apply, apply_line_pending_outflow_reserves_available);
    tcase_add_test(apply, apply_line_overflow_at_the_int64_edge_changes_nothing);
    tcase_add_test(apply, apply_line_outflow_value_underflow_is_overflow);
    tcase_add_test(apply, apply_line_refuses_a_unit_other_than_the_items);
    suite_add_tcase(s, apply);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(ledger_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
