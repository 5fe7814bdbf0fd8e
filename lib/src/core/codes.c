/* codes.c — customs identifier checks, the unit and currency tables, and civil dates. */
#include "bzl/codes.h"

#include <string.h>

/* ---- character classes --------------------------------------------------------------- */

/* ASCII only: these are locale-free on purpose, and a byte >= 0x80 or a NUL is just an
 * invalid character. */
static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool
is_upper_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z');
}

static bool
all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) { /* bounded by len */
        if (!is_digit(s[i])) {
            return false;
        }
    }
    return true;
}

static bool
all_upper_alnum(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) { /* bounded by len */
        if (!is_upper_alnum(s[i])) {
            return false;
        }
    }
    return true;
}

/* Exactly `want` ASCII digits. */
static bzl_status
check_digits(const char *s, size_t len, size_t want)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != want || !all_digits(s, len)) {
        return BZL_INVALID_CODE;
    }
    return BZL_OK;
}

/* ---- enterprise, USCC, book, HS, country, trade mode --------------------------------- */

bzl_status
bzl_code_check_enterprise(const char *s, size_t len)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != BZL_ENTERPRISE_CODE_LEN || !all_upper_alnum(s, len)) {
        return BZL_INVALID_CODE;
    }
    return BZL_OK;
}

/* GB 32100-2015 (统一社会信用代码): 31 characters, the digits and the upper-case letters
 * without I, O, S, V and Z; a character's value is its index here. The check character
 * (18th) is C18 = (31 - (Σ Ci × Wi) mod 31) mod 31 over the first 17, with Wi = 3^i mod 31. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const unsigned uscc_weights[BZL_USCC_LEN - 1u] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                                         29, 25, 13, 8,  24, 10, 30, 28};
static_assert(sizeof(uscc_alphabet) - 1u == 31u, "GB 32100 uses 31 characters");

/* The value of c in the USCC alphabet, or -1. memchr keeps the NUL terminator out. */
static int
uscc_value(char c)
{
    const char *p = memchr(uscc_alphabet, c, sizeof(uscc_alphabet) - 1u);
    return p == NULL ? -1 : (int)(p - uscc_alphabet);
}

bzl_status
bzl_code_check_uscc(const char *s, size_t len)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != BZL_USCC_LEN) {
        return BZL_INVALID_CODE;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < BZL_USCC_LEN - 1u; i++) { /* 17 characters */
        int v = uscc_value(s[i]);
        if (v < 0) {
            return BZL_INVALID_CODE;
        }
        sum += (unsigned)v * uscc_weights[i];
    }
    unsigned check = (31u - sum % 31u) % 31u;
    BZL_ASSERT(check < 31u);
    if (s[BZL_USCC_LEN - 1u] != uscc_alphabet[check]) {
        return BZL_INVALID_CODE;
    }
    return BZL_OK;
}

bzl_status
bzl_code_check_book(const char *s, size_t len, char *type_out)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != BZL_BOOK_NO_LEN || !all_upper_alnum(s, len)) {
        return BZL_INVALID_CODE;
    }
    /* reference/customs-domain.md §2.2: B 来料加工手册, C 进料加工手册, E 加工贸易电子账册,
     * H 海关特殊监管区域电子账册, T 保税物流账册. D, Z and Y are other documents. */
    if (memchr("BCEHT", s[0], 5) == NULL) {
        return BZL_INVALID_CODE;
    }
    if (type_out != NULL) {
        *type_out = s[0];
    }
    return BZL_OK;
}

bzl_status
bzl_code_check_hs(const char *s, size_t len)
{
    return check_digits(s, len, BZL_HS_LEN);
}

bzl_status
bzl_code_check_country(const char *s, size_t len)
{
    return check_digits(s, len, BZL_COUNTRY_LEN);
}

bzl_status
bzl_code_check_trade_mode(const char *s, size_t len)
{
    return check_digits(s, len, BZL_TRADE_MODE_LEN);
}

/* ---- units of measure ---------------------------------------------------------------- */

typedef struct unit_row {
    char code[BZL_UNIT_LEN + 1u];
    const char *name;
} unit_row;

/* 计量单位, the full list of reference/customs-domain.md §2.4, in code order:
 * [S: id:42249992211 BASE_UNIT in tablespace LF_FTZ_PLAT, "基础资料-计量单位代码"].
 * 122 codes from 001 to 163; the gaps (024, 064-066, 068-069, 082, 087, 090-094, 100,
 * 102-109, 113-114, 117, 119, 137-138, 150-162) are unassigned there. Beware the wrong
 * mappings in public code the reference lists: 122 is 罐 (not 盒; 盒 is 140), 070 is 吨,
 * 095 is 升. */
static const unit_row unit_table[] = {
    {"001", "台"},       {"002", "座"},       {"003", "辆"},       {"004", "艘"},
    {"005", "架"},       {"006", "套"},       {"007", "个"},       {"008", "只"},
    {"009", "头"},       {"010", "张"},       {"011", "件"},       {"012", "支"},
    {"013", "枝"},       {"014", "根"},       {"015", "条"},       {"016", "把"},
    {"017", "块"},       {"018", "卷"},       {"019", "副"},       {"020", "片"},
    {"021", "组"},       {"022", "份"},       {"023", "幅"},       {"025", "双"},
    {"026", "对"},       {"027", "棵"},       {"028", "株"},       {"029", "井"},
    {"030", "米"},       {"031", "盘"},       {"032", "平方米"},   {"033", "立方米"},
    {"034", "筒"},       {"035", "千克"},     {"036", "克"},       {"037", "盆"},
    {"038", "万个"},     {"039", "具"},       {"040", "百副"},     {"041", "百支"},
    {"042", "百把"},     {"043", "百个"},     {"044", "百片"},     {"045", "刀"},
    {"046", "疋"},       {"047", "公担"},     {"048", "扇"},       {"049", "百枝"},
    {"050", "千只"},     {"051", "千块"},     {"052", "千盒"},     {"053", "千枝"},
    {"054", "千个"},     {"055", "亿支"},     {"056", "亿个"},     {"057", "万套"},
    {"058", "千张"},     {"059", "万张"},     {"060", "千伏安"},   {"061", "千瓦"},
    {"062", "千瓦时"},   {"063", "千升"},     {"067", "英尺"},     {"070", "吨"},
    {"071", "长吨"},     {"072", "短吨"},     {"073", "司马担"},   {"074", "司马斤"},
    {"075", "斤"},       {"076", "磅"},       {"077", "担"},       {"078", "英担"},
    {"079", "短担"},     {"080", "两"},       {"081", "市担"},     {"083", "盎司"},
    {"084", "克拉"},     {"085", "市尺"},     {"086", "码"},       {"088", "英寸"},
    {"089", "寸"},       {"095", "升"},       {"096", "毫升"},     {"097", "英加仑"},
    {"098", "美加仑"},   {"099", "立方英尺"}, {"101", "立方尺"},   {"110", "平方码"},
    {"111", "平方英尺"}, {"112", "平方尺"},   {"115", "英制马力"}, {"116", "公制马力"},
    {"118", "令"},       {"120", "箱"},       {"121", "批"},       {"122", "罐"},
    {"123", "桶"},       {"124", "扎"},       {"125", "包"},       {"126", "箩"},
    {"127", "打"},       {"128", "筐"},       {"129", "罗"},       {"130", "匹"},
    {"131", "册"},       {"132", "本"},       {"133", "发"},       {"134", "枚"},
    {"135", "捆"},       {"136", "袋"},       {"139", "粒"},       {"140", "盒"},
    {"141", "合"},       {"142", "瓶"},       {"143", "千支"},     {"144", "万双"},
    {"145", "万粒"},     {"146", "千粒"},     {"147", "千米"},     {"148", "千英尺"},
    {"149", "百万贝可"}, {"163", "部"},
};
static_assert(BZL_ARRAY_LEN(unit_table) == 122u, "§2.4 lists 122 unit codes");

static const unit_row *
unit_find(const char *s, size_t len)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != BZL_UNIT_LEN || !all_digits(s, len)) {
        return NULL;
    }
    for (size_t i = 0; i < BZL_ARRAY_LEN(unit_table); i++) { /* 122 rows */
        if (memcmp(unit_table[i].code, s, BZL_UNIT_LEN) == 0) {
            return &unit_table[i];
        }
    }
    return NULL;
}

bzl_status
bzl_code_check_unit(const char *s, size_t len)
{
    return unit_find(s, len) != NULL ? BZL_OK : BZL_INVALID_CODE;
}

const char *
bzl_code_unit_name(const char *s, size_t len)
{
    const unit_row *row = unit_find(s, len);
    return row != NULL ? row->name : NULL;
}

/* ---- currencies ---------------------------------------------------------------------- */

typedef struct currency_row {
    char code[BZL_CURRENCY_LEN + 1u];
    char iso[4];
    const char *name;
} currency_row;

/* 币制, reference/customs-domain.md §2.5: [S: id:14487711945 `currency` table (code, name,
 * ISO)]. The pre-euro currencies of that table are left out on purpose, so they are rejected:
 * 301 BEF, 304 DEM, 305 FRF, 307 ITL, 309 NLG, 312 ESP, 315 ATS, 318 FIM ceased in 2002 and
 * no open book can be declared in them. Codes the reference marks unverified (133 KRW) are
 * left out until they are checked against the official 币制代码表. */
static const currency_row currency_table[] = {
    {"110", "HKD", "港币"},
    {"113", "IRR", "伊朗里亚尔"},
    {"116", "JPY", "日本元"},
    {"118", "KWD", "科威特第纳尔"},
    {"121", "MOP", "澳门元"},
    {"122", "MYR", "马来西亚林吉特"},
    {"127", "PKR", "巴基斯坦卢比"},
    {"129", "PHP", "菲律宾比索"},
    {"132", "SGD", "新加坡元"},
    {"136", "THB", "泰国铢"},
    {"142", "CNY", "人民币"},
    {"143", "TWD", "台币"},
    {"201", "DZD", "阿尔及利亚第纳尔"},
    {"300", "EUR", "欧元"},
    {"302", "DKK", "丹麦克朗"},
    {"303", "GBP", "英镑"},
    {"326", "NOK", "挪威克朗"},
    {"330", "SEK", "瑞典克朗"},
    {"331", "CHF", "瑞士法郎"},
    {"332", "RUB", "俄罗斯卢布"},
    {"501", "CAD", "加拿大元"},
    {"502", "USD", "美元"},
    {"601", "AUD", "澳大利亚元"},
    {"609", "NZD", "新西兰元"},
};
static_assert(BZL_ARRAY_LEN(currency_table) == 24u, "§2.5 lists 24 current currencies");

static const currency_row *
currency_find(const char *s, size_t len)
{
    BZL_ASSERT(s != NULL || len == 0);
    if (len != BZL_CURRENCY_LEN || !all_digits(s, len)) {
        return NULL;
    }
    for (size_t i = 0; i < BZL_ARRAY_LEN(currency_table); i++) { /* 24 rows */
        if (memcmp(currency_table[i].code, s, BZL_CURRENCY_LEN) == 0) {
            return &currency_table[i];
        }
    }
    return NULL;
}

bzl_status
bzl_code_check_currency(const char *s, size_t len)
{
    return currency_find(s, len) != NULL ? BZL_OK : BZL_INVALID_CODE;
}

const char *
bzl_code_currency_iso(const char *s, size_t len)
{
    const currency_row *row = currency_find(s, len);
    return row != NULL ? row->iso : NULL;
}
