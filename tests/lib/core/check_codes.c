/* check_codes.c — customs identifiers, the unit and currency tables, and civil dates.
 *
 * The tables are checked against reference/customs-domain.md §2.4 and §2.5 copied into this
 * file as text, so a typo in codes.c's data cannot hide behind the same typo in a test.
 */
#include "bzl/calendar.h"
#include "bzl/codes.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------- */

typedef bzl_status (*check_fn)(const char *, size_t);

/* Runs check on each NUL-terminated text and expects `want` for all of them. */
static void
expect_all(check_fn check, const char *what, const char *const *texts, size_t n, bzl_status want)
{
    for (size_t i = 0; i < n; i++) {
        bzl_status st = check(texts[i], strlen(texts[i]));
        ck_assert_msg(st == want, "%s \"%s\": got %s, want %s", what, texts[i], bzl_status_name(st),
                      bzl_status_name(want));
    }
}

static bzl_status
check_book_no_type(const char *s, size_t len)
{
    return bzl_code_check_book(s, len, NULL);
}

/* ---- enterprise code ----------------------------------------------------------------- */

START_TEST(codes_enterprise_accepts_ten_upper_alnum)
{
    /* Proves a 10-character [0-9A-Z] code is accepted and only len bytes are read. */
    static const char *const good[] = {"330261A004", "0000000000", "ZZZZZZZZZZ", "1234567890"};
    expect_all(bzl_code_check_enterprise, "enterprise", good, BZL_ARRAY_LEN(good), BZL_OK);
    ck_assert_int_eq(bzl_code_check_enterprise("330261A004XYZ", 10), BZL_OK);
}
END_TEST

START_TEST(codes_enterprise_rejects_wrong_length_case_and_characters)
{
    /* Proves 9 or 11 characters, lower case, punctuation, blanks, non-ASCII and an embedded
     * NUL are all INVALID_CODE. */
    static const char *const bad[] = {
        "",           "330261A00",  "330261A0045", "330261a004", "330261A00-",
        " 330261A00", "330261A00 ", "330261Ａ004", "330261_004",
    };
    expect_all(bzl_code_check_enterprise, "enterprise", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_enterprise("330261\0"
                                               "004",
                                               10),
                     BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_enterprise(NULL, 0), BZL_INVALID_CODE);
}
END_TEST

/* ---- USCC ---------------------------------------------------------------------------- */

START_TEST(codes_uscc_accepts_known_valid_codes)
{
    /* Proves the GB 32100 check character for two real codes. Values: digits 0-9, then
     * A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30;
     * weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
     *   91620100MA71AB1C2F: 9+3+54+54+0+26+0+0+420+290+175+13+80+264+10+360+56 = 1814;
     *     1814 mod 31 = 16 (31×58 = 1798); (31-16) mod 31 = 15 = F.
     *   91350100M000100Y43: 9+3+27+135+0+26+0+0+420+0+0+0+8+0+0+900+112 = 1640;
     *     1640 mod 31 = 28 (31×52 = 1612); (31-28) mod 31 = 3 = '3'. */
    static const char *const good[] = {"91620100MA71AB1C2F", "91350100M000100Y43"};
    expect_all(bzl_code_check_uscc, "uscc", good, BZL_ARRAY_LEN(good), BZL_OK);
    ck_assert_int_eq(bzl_code_check_uscc("91620100MA71AB1C2F-trailing", 18), BZL_OK);
}
END_TEST

START_TEST(codes_uscc_rejects_every_wrong_check_character)
{
    /* Proves that replacing the 18th character of a valid code with any other byte (all 255
     * other values, alphabet letters included) makes it invalid. */
    const char *valid[] = {"91620100MA71AB1C2F", "91350100M000100Y43"};
    for (size_t k = 0; k < BZL_ARRAY_LEN(valid); k++) {
        char code[BZL_USCC_LEN];
        memcpy(code, valid[k], BZL_USCC_LEN);
        for (int c = 0; c < 256; c++) {
            if ((char)c == valid[k][17]) {
                continue;
            }
            code[17] = (char)c;
            ck_assert_msg(bzl_code_check_uscc(code, BZL_USCC_LEN) == BZL_INVALID_CODE,
                          "%s with last byte 0x%02x was accepted", valid[k], (unsigned)c);
        }
    }
}
END_TEST

START_TEST(codes_uscc_check_wraps_zero_sum_to_0_and_one_to_y)
{
    /* Proves the outer "mod 31": a zero sum gives check value (31-0) mod 31 = 0 -> '0', not an
     * out-of-range 31; a sum of 1 (a single leading '1', weight 1) gives 30 -> 'Y'. */
    static const char *const good[] = {"000000000000000000", "10000000000000000Y"};
    expect_all(bzl_code_check_uscc, "uscc", good, BZL_ARRAY_LEN(good), BZL_OK);
    static const char *const bad[] = {"10000000000000000Z", "00000000000000000Y"};
    expect_all(bzl_code_check_uscc, "uscc", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
}
END_TEST

START_TEST(codes_uscc_rejects_letters_outside_the_alphabet_and_bad_lengths)
{
    /* Proves I, O, S, V, Z, lower case, 17 or 19 characters and an embedded NUL are
     * INVALID_CODE. The I/O/S/V/Z cases sit in the body where a careless alphabet (A=10 ..
     * Z=35) would still compute some check character. */
    static const char *const bad[] = {
        "",
        "91620100MA71AB1C2",   /* 17 */
        "91620100MA71AB1C2F0", /* 19 */
        "91620100ma71ab1c2f",  /* lower case */
        "91620100IA71AB1C2F",
        "91620100OA71AB1C2F",
        "91620100SA71AB1C2F",
        "91620100VA71AB1C2F",
        "91620100ZA71AB1C2F",
        "9162010 MA71AB1C2F",
    };
    expect_all(bzl_code_check_uscc, "uscc", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_uscc("91620100\0A71AB1C2F", 18), BZL_INVALID_CODE);
}
END_TEST

/* ---- book number --------------------------------------------------------------------- */

START_TEST(codes_book_accepts_b_c_e_h_t_and_reports_the_type)
{
    /* Proves the five book letters of §2.2 are accepted and the letter is written out. */
    static const char *const good[] = {"H72012400001", "T3111W000076", "T5165W000469",
                                       "B12345678901", "C22012400001", "E33012400001"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(good); i++) {
        char type = '?';
        ck_assert_int_eq(bzl_code_check_book(good[i], strlen(good[i]), &type), BZL_OK);
        ck_assert_int_eq(type, good[i][0]);
    }
    ck_assert_int_eq(bzl_code_check_book("H72012400001", 12, NULL), BZL_OK);
    ck_assert_int_eq(bzl_code_check_book("H72012400001999", 12, NULL), BZL_OK);
}
END_TEST

START_TEST(codes_book_rejects_other_letters_lengths_and_case)
{
    /* Proves D (equipment), Z and Y (other documents), a digit first, lower case, 11 or 13
     * characters and punctuation are INVALID_CODE, and *type_out is left alone on error. */
    static const char *const bad[] = {
        "",
        "D12345678901",
        "Z12345678901",
        "Y12345678901",
        "A12345678901",
        "112345678901",
        "h72012400001",
        "H7201240000",
        "H720124000011",
        "H7201240000-",
        "H72012400 01",
        "H72012400o01",
    };
    expect_all(check_book_no_type, "book", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    char type = '?';
    ck_assert_int_eq(bzl_code_check_book("D12345678901", 12, &type), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_book("\0"
                                         "72012400001",
                                         12, &type),
                     BZL_INVALID_CODE);
    ck_assert_int_eq(type, '?');
}
END_TEST

/* ---- HS, country, trade mode --------------------------------------------------------- */

START_TEST(codes_hs_is_exactly_ten_ascii_digits)
{
    /* Proves 10 digits pass; 8 (tariff only), 13 (with the CIQ code), letters, dots and
     * full-width digits fail. */
    static const char *const good[] = {"9405310000", "8528521200", "0000000000"};
    expect_all(bzl_code_check_hs, "hs", good, BZL_ARRAY_LEN(good), BZL_OK);
    static const char *const bad[] = {"",           "94053100",   "9405310000101",
                                      "94053100O0", "9405.31000", "９４０５３１００００",
                                      "940531000 ", "-940531000"};
    expect_all(bzl_code_check_hs, "hs", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_hs("94053100\0"
                                       "0",
                                       10),
                     BZL_INVALID_CODE);
}
END_TEST

START_TEST(codes_country_is_exactly_three_ascii_digits)
{
    /* Proves 3 digits pass and alpha codes, 2 or 4 digits fail. */
    static const char *const good[] = {"142", "502", "116", "000"};
    expect_all(bzl_code_check_country, "country", good, BZL_ARRAY_LEN(good), BZL_OK);
    static const char *const bad[] = {"", "14", "1420", "CHN", "14A", " 142"};
    expect_all(bzl_code_check_country, "country", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_country("14\0", 3), BZL_INVALID_CODE);
}
END_TEST

START_TEST(codes_trade_mode_is_exactly_four_ascii_digits)
{
    /* Proves 4 digits pass and the 3-digit legacy spelling ("615") is rejected: §2.1 says to
     * normalise to 4 characters before checking. */
    static const char *const good[] = {"5015", "0615", "0214", "5000", "9900"};
    expect_all(bzl_code_check_trade_mode, "trade mode", good, BZL_ARRAY_LEN(good), BZL_OK);
    static const char *const bad[] = {"", "615", "50150", "50A5", "5015 ", "５０１５"};
    expect_all(bzl_code_check_trade_mode, "trade mode", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_trade_mode("501\0", 4), BZL_INVALID_CODE);
}
END_TEST

/* ---- units --------------------------------------------------------------------------- */

/* reference/customs-domain.md §2.4, copied verbatim
 * ([S: id:42249992211 BASE_UNIT in tablespace LF_FTZ_PLAT]). */
static const char reference_units[] =
    "001 台   002 座   003 辆   004 艘   005 架   006 套   007 个   008 只   009 头   010 张\n"
    "011 件   012 支   013 枝   014 根   015 条   016 把   017 块   018 卷   019 副   020 片\n"
    "021 组   022 份   023 幅   025 双   026 对   027 棵   028 株   029 井   030 米   031 盘\n"
    "032 平方米 033 立方米 034 筒 035 千克 036 克   037 盆   038 万个 039 具   040 百副 041 百支\n"
    "042 百把 043 百个 044 百片 045 刀   046 疋   047 公担 048 扇   049 百枝 050 千只 051 千块\n"
    "052 千盒 053 千枝 054 千个 055 亿支 056 亿个 057 万套 058 千张 059 万张 060 千伏安 061 千瓦\n"
    "062 千瓦时 063 千升 067 英尺 070 吨   071 长吨 072 短吨 073 司马担 074 司马斤 075 斤   076 "
    "磅\n"
    "077 担   078 英担 079 短担 080 两   081 市担 083 盎司 084 克拉 085 市尺 086 码   088 英寸\n"
    "089 寸   095 升   096 毫升 097 英加仑 098 美加仑 099 立方英尺 101 立方尺 110 平方码 111 "
    "平方英尺\n"
    "112 平方尺 115 英制马力 116 公制马力 118 令 120 箱 121 批 122 罐 123 桶 124 扎 125 包\n"
    "126 箩   127 打   128 筐   129 罗   130 匹   131 册   132 本   133 发   134 枚   135 捆\n"
    "136 袋   139 粒   140 盒   141 合   142 瓶   143 千支 144 万双 145 万粒 146 千粒 147 千米\n"
    "148 千英尺 149 百万贝可 163 部\n";

static void
expect_unit(const char *code, const char *name)
{
    ck_assert_int_eq(bzl_code_check_unit(code, strlen(code)), BZL_OK);
    const char *got = bzl_code_unit_name(code, strlen(code));
    ck_assert_msg(got != NULL && strcmp(got, name) == 0, "unit %s: got %s, want %s", code,
                  got != NULL ? got : "NULL", name);
}

START_TEST(codes_unit_122_is_guan_not_box)
{
    /* Proves the pitfall §2.4 names: public code maps 122 to 盒, but 122 is 罐 and 盒 is 140. */
    expect_unit("122", "罐");
    expect_unit("140", "盒");
}
END_TEST

START_TEST(codes_unit_common_codes_have_their_reference_names)
{
    /* Proves the codes a zone uses daily and the other wrong mappings §2.4 warns about:
     * 035 千克, 007 个, 070 吨 (not 036), 036 克, 001 台 (not 018), 006 套, 095 升 (not 037). */
    expect_unit("035", "千克");
    expect_unit("007", "个");
    expect_unit("070", "吨");
    expect_unit("036", "克");
    expect_unit("001", "台");
    expect_unit("018", "卷");
    expect_unit("006", "套");
    expect_unit("095", "升");
    expect_unit("037", "盆");
    expect_unit("163", "部");
}
END_TEST

START_TEST(codes_unit_rejects_unassigned_codes)
{
    /* Proves the gaps of §2.4 and codes outside 001..163 are INVALID_CODE with no name:
     * 000, 024, 064, 108 (the "套" of a wrong mapping), 150, 162, 164, 999. */
    static const char *const bad[] = {"000", "024", "064", "065", "066", "068", "069", "082", "087",
                                      "090", "094", "100", "102", "108", "109", "113", "114", "117",
                                      "119", "137", "138", "150", "162", "164", "999"};
    expect_all(bzl_code_check_unit, "unit", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        ck_assert_ptr_null(bzl_code_unit_name(bad[i], 3));
    }
}
END_TEST

START_TEST(codes_unit_rejects_malformed_codes)
{
    /* Proves the unit code is exactly 3 ASCII digits: "35", "0035", "35 ", "kg" and an
     * embedded NUL fail, and only len bytes are read ("0350" cut to 3 is 035). */
    static const char *const bad[] = {"", "35", "0035", "35 ", " 35", "kg", "03a", "千克"};
    expect_all(bzl_code_check_unit, "unit", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_unit("03\0", 3), BZL_INVALID_CODE);
    ck_assert_ptr_null(bzl_code_unit_name("03\0", 3));
    ck_assert_ptr_null(bzl_code_unit_name(NULL, 0));
    ck_assert_int_eq(bzl_code_check_unit("0350", 3), BZL_OK);
}
END_TEST

START_TEST(codes_unit_table_matches_the_reference_exactly)
{
    /* Proves every (code, name) pair of the reference list is in the table, and that exactly
     * those 122 codes of 000..999 are accepted: nothing missing, nothing extra. */
    const char *p = reference_units;
    size_t pairs = 0;
    char code[4], name[32];
    int used = 0;
    while (sscanf(p, " %3s %31s%n", code, name, &used) == 2) { /* bounded by the text */
        expect_unit(code, name);
        pairs++;
        p += used;
    }
    ck_assert_uint_eq(pairs, 122);

    size_t accepted = 0;
    for (unsigned n = 0; n < 1000u; n++) {
        char c[4];
        snprintf(c, sizeof(c), "%03u", n);
        if (bzl_code_check_unit(c, 3) == BZL_OK) {
            accepted++;
            ck_assert_msg(strstr(reference_units, c) != NULL, "unit %s is not in §2.4", c);
        }
    }
    ck_assert_uint_eq(accepted, 122);
}
END_TEST

/* ---- currencies ---------------------------------------------------------------------- */

/* reference/customs-domain.md §2.5 without the obsolete pre-euro rows
 * ([S: id:14487711945 `currency` table (code, name, ISO)]). */
static const struct {
    const char *code, *iso;
} reference_currencies[] = {
    {"110", "HKD"}, {"113", "IRR"}, {"116", "JPY"}, {"118", "KWD"}, {"121", "MOP"}, {"122", "MYR"},
    {"127", "PKR"}, {"129", "PHP"}, {"132", "SGD"}, {"136", "THB"}, {"142", "CNY"}, {"143", "TWD"},
    {"201", "DZD"}, {"300", "EUR"}, {"302", "DKK"}, {"303", "GBP"}, {"326", "NOK"}, {"330", "SEK"},
    {"331", "CHF"}, {"332", "RUB"}, {"501", "CAD"}, {"502", "USD"}, {"601", "AUD"}, {"609", "NZD"},
};

START_TEST(codes_currency_maps_customs_codes_to_iso)
{
    /* Proves every current currency of §2.5 is accepted with its ISO 4217 code (502 USD,
     * 142 CNY, 300 EUR, ...), and that exactly those 24 codes of 000..999 are accepted. */
    for (size_t i = 0; i < BZL_ARRAY_LEN(reference_currencies); i++) {
        const char *code = reference_currencies[i].code;
        ck_assert_int_eq(bzl_code_check_currency(code, 3), BZL_OK);
        const char *iso = bzl_code_currency_iso(code, 3);
        ck_assert_msg(iso != NULL && strcmp(iso, reference_currencies[i].iso) == 0,
                      "currency %s: got %s, want %s", code, iso != NULL ? iso : "NULL",
                      reference_currencies[i].iso);
    }
    size_t accepted = 0;
    for (unsigned n = 0; n < 1000u; n++) {
        char c[4];
        snprintf(c, sizeof(c), "%03u", n);
        accepted += bzl_code_check_currency(c, 3) == BZL_OK ? 1u : 0u;
    }
    ck_assert_uint_eq(accepted, 24);
}
END_TEST

START_TEST(codes_currency_rejects_obsolete_alpha_and_unknown_codes)
{
    /* Proves the pre-euro codes (301 BEF, 304 DEM, 305 FRF, 307 ITL, 309 NLG, 312 ESP,
     * 315 ATS, 318 FIM), the unverified 133, ISO alpha codes and malformed text are rejected
     * with no ISO mapping. */
    static const char *const bad[] = {"301", "304", "305", "307",  "309", "312",
                                      "315", "318", "133", "000",  "999", "USD",
                                      "CNY", "",    "50",  "5020", "50 "};
    expect_all(bzl_code_check_currency, "currency", bad, BZL_ARRAY_LEN(bad), BZL_INVALID_CODE);
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        ck_assert_ptr_null(bzl_code_currency_iso(bad[i], strlen(bad[i])));
    }
    ck_assert_int_eq(bzl_code_check_currency("50\0", 3), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_code_check_currency("5020", 3), BZL_OK); /* only 3 bytes are read */
}
END_TEST

/* ---- dates --------------------------------------------------------------------------- */

static void
expect_date(const char *text, int32_t days)
{
    int32_t got = -12345;
    ck_assert_msg(bzl_date_parse(text, strlen(text), &got) == BZL_OK, "date %s rejected", text);
    ck_assert_msg(got == days, "date %s: got %d, want %d", text, (int)got, (int)days);
    char buf[BZL_DATE_LEN + 1u];
    bzl_date_format(days, buf, sizeof(buf));
    ck_assert_str_eq(buf, text);
}

START_TEST(codes_date_known_days_since_epoch)
{
    /* Proves day numbers against hand counts:
     *   1990-01-01: 20 years after 1970 with 5 leap days (72 76 80 84 88) = 7300 + 5 = 7305.
     *   2000-01-01: 30 years with 7 leap days (.. 92 96) = 10950 + 7 = 10957.
     *   2024-01-01: 10957 + 24×365 + 6 (00 04 08 12 16 20) = 10957 + 8766 = 19723.
     *   2024-02-29: 19723 + 31 + 28 = 19782.       2024-03-01: 19783.
     *   2026-03-01: 19723 + 366 + 365 + 31 + 28 = 20513.
     *   2099-12-31: 2100-01-01 is 10957 + 36500 + 25 leap days (2000..2096) = 47482; minus 1. */
    expect_date("1990-01-01", 7305);
    expect_date("2000-01-01", 10957);
    expect_date("2024-01-01", 19723);
    expect_date("2024-02-29", 19782);
    expect_date("2024-03-01", 19783);
    expect_date("2026-03-01", 20513);
    expect_date("2099-12-31", 47481);
    ck_assert_int_eq(bzl_date_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(bzl_date_from_civil(1969, 12, 31), -1);
}
END_TEST

START_TEST(codes_date_follows_gregorian_leap_rules)
{
    /* Proves leap years: 2024 and 2000 (divisible by 400) have 29 February, 2025 does not,
     * and 2100 (divisible by 100, not 400) has 28 February then 1 March next day. */
    expect_date("2000-02-29", 11016); /* 10957 + 31 + 28 */
    int32_t out = 0;
    ck_assert_int_eq(bzl_date_parse("2025-02-29", 10, &out), BZL_INVALID_DATE);
    ck_assert_int_eq(bzl_date_parse("2024-02-30", 10, &out), BZL_INVALID_DATE);
    ck_assert_int_eq(bzl_date_from_civil(2100, 3, 1) - bzl_date_from_civil(2100, 2, 28), 1);
    ck_assert_int_eq(bzl_date_from_civil(2000, 3, 1) - bzl_date_from_civil(2000, 2, 28), 2);
}
END_TEST

START_TEST(codes_date_rejects_impossible_dates)
{
    /* Proves day and month bounds: 30 February, month 13 and 00, day 00 and 32, 31 April. */
    static const char *const bad[] = {"2026-02-30", "2026-13-01", "2026-00-10",
                                      "2026-01-00", "2026-01-32", "2025-02-29",
                                      "2026-04-31", "2026-06-31", "2026-99-99"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        int32_t out = -12345;
        ck_assert_msg(bzl_date_parse(bad[i], 10, &out) == BZL_INVALID_DATE, "%s accepted", bad[i]);
        ck_assert_int_eq(out, -12345);
    }
}
END_TEST

START_TEST(codes_date_rejects_loose_spellings_and_trailing_text)
{
    /* Proves only exactly "YYYY-MM-DD" parses: no short fields, other separators, blanks,
     * signs, trailing time or an embedded NUL. */
    static const char *const bad[] = {
        "",           "2026-1-05",   "2026-01-5",   "26-01-05",      "2026/01/05",
        "20260105",   "2026-01-05 ", " 2026-01-05", "2026-01-05T00", "2026-01-05Z",
        "+026-01-05", "2026-01-0a",  "2026-0１-05", "2026--01-05",   "2026-01--5",
    };
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        int32_t out = -12345;
        ck_assert_msg(bzl_date_parse(bad[i], strlen(bad[i]), &out) == BZL_INVALID_DATE,
                      "\"%s\" accepted", bad[i]);
        ck_assert_int_eq(out, -12345);
    }
    int32_t out = -12345;
    ck_assert_int_eq(bzl_date_parse("2026-01-0\0", 10, &out), BZL_INVALID_DATE);
    ck_assert_int_eq(bzl_date_parse(NULL, 0, &out), BZL_INVALID_DATE);
    ck_assert_int_eq(bzl_date_parse("2026-01-05 trailing", 10, &out), BZL_OK);
    ck_assert_int_eq(out, 20458); /* 2026-01-01 = 19723 + 366 + 365 = 20454; + 4 */
}
END_TEST

START_TEST(codes_date_rejects_years_outside_1990_to_2099)
{
    /* Proves the accepted range is 1990-01-01 .. 2099-12-31 inclusive and no further. */
    static const char *const bad[] = {"1989-12-31", "2100-01-01", "1970-01-01", "0000-01-01",
                                      "9999-12-31"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad); i++) {
        int32_t out = -12345;
        ck_assert_msg(bzl_date_parse(bad[i], 10, &out) == BZL_INVALID_DATE, "%s accepted", bad[i]);
    }
    expect_date("1990-01-01", 7305);
    expect_date("2099-12-31", 47481);
}
END_TEST

START_TEST(codes_date_format_and_parse_round_trip_every_day_in_range)
{
    /* Proves format then parse is the identity for all 40,177 days from 1990-01-01 (7305) to
     * 2099-12-31 (47481), and that consecutive days are consecutive numbers. */
    for (int32_t d = 7305; d <= 47481; d++) {
        char buf[BZL_DATE_LEN + 1u];
        bzl_date_format(d, buf, sizeof(buf));
        ck_assert_uint_eq(strlen(buf), BZL_DATE_LEN);
        int32_t back = -1;
        ck_assert_msg(bzl_date_parse(buf, BZL_DATE_LEN, &back) == BZL_OK, "%s rejected", buf);
        ck_assert_msg(back == d, "%d printed as %s parsed as %d", (int)d, buf, (int)back);
    }
}
END_TEST

START_TEST(codes_date_format_prints_dates_outside_the_parse_range)
{
    /* Proves format is defined for any four-digit year: day 0 is 1970-01-01, day -1 is
     * 1969-12-31 (the range check belongs to parse). */
    char buf[BZL_DATE_LEN + 1u];
    bzl_date_format(0, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1970-01-01");
    bzl_date_format(-1, buf, sizeof(buf));
    ck_assert_str_eq(buf, "1969-12-31");
}
END_TEST

START_TEST(codes_date_format_aborts_on_a_small_buffer)
{
    /* Proves a buffer without room for the NUL is a programmer error that aborts. */
    char buf[BZL_DATE_LEN];
    bzl_date_format(20513, buf, sizeof(buf));
}
END_TEST

/* ---- runner -------------------------------------------------------------------------- */

static Suite *
codes_suite(void)
{
    Suite *s = suite_create("codes");
    TCase *ids = tcase_create("identifiers");
    tcase_add_test(ids, codes_enterprise_accepts_ten_upper_alnum);
    tcase_add_test(ids, codes_enterprise_rejects_wrong_length_case_and_characters);
    tcase_add_test(ids, codes_uscc_accepts_known_valid_codes);
    tcase_add_test(ids, codes_uscc_rejects_every_wrong_check_character);
    tcase_add_test(ids, codes_uscc_check_wraps_zero_sum_to_0_and_one_to_y);
    tcase_add_test(ids, codes_uscc_rejects_letters_outside_the_alphabet_and_bad_lengths);
    tcase_add_test(ids, codes_book_accepts_b_c_e_h_t_and_reports_the_type);
    tcase_add_test(ids, codes_book_rejects_other_letters_lengths_and_case);
    tcase_add_test(ids, codes_hs_is_exactly_ten_ascii_digits);
    tcase_add_test(ids, codes_country_is_exactly_three_ascii_digits);
    tcase_add_test(ids, codes_trade_mode_is_exactly_four_ascii_digits);
    suite_add_tcase(s, ids);

    TCase *tables = tcase_create("tables");
    tcase_add_test(tables, codes_unit_122_is_guan_not_box);
    tcase_add_test(tables, codes_unit_common_codes_have_their_reference_names);
    tcase_add_test(tables, codes_unit_rejects_unassigned_codes);
    tcase_add_test(tables, codes_unit_rejects_malformed_codes);
    tcase_add_test(tables, codes_unit_table_matches_the_reference_exactly);
    tcase_add_test(tables, codes_currency_maps_customs_codes_to_iso);
    tcase_add_test(tables, codes_currency_rejects_obsolete_alpha_and_unknown_codes);
    suite_add_tcase(s, tables);

    TCase *dates = tcase_create("dates");
    tcase_add_test(dates, codes_date_known_days_since_epoch);
    tcase_add_test(dates, codes_date_follows_gregorian_leap_rules);
    tcase_add_test(dates, codes_date_rejects_impossible_dates);
    tcase_add_test(dates, codes_date_rejects_loose_spellings_and_trailing_text);
    tcase_add_test(dates, codes_date_rejects_years_outside_1990_to_2099);
    tcase_add_test(dates, codes_date_format_and_parse_round_trip_every_day_in_range);
    tcase_add_test(dates, codes_date_format_prints_dates_outside_the_parse_range);
    tcase_add_test_raise_signal(dates, codes_date_format_aborts_on_a_small_buffer, SIGABRT);
    suite_add_tcase(s, dates);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(codes_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
