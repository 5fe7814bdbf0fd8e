/* codes.h — customs identifiers and code tables: format checks and check characters.
 *
 * Every check takes a byte string with its length (it need not be NUL-terminated, and an
 * embedded NUL is simply an invalid character) and returns BZL_OK or a specific status. The
 * tables are compiled-in data with their sources named in codes.c; see
 * reference/customs-domain.md §2. This module never allocates.
 */
#ifndef BZL_CODES_H
#define BZL_CODES_H

#include "bzl/base.h"
/* Dates are codes on the wire too (YYYY-MM-DD); their calendar is calendar.h. */
#include "bzl/calendar.h"

#define BZL_ENTERPRISE_CODE_LEN 10u /* 海关编码, e.g. 330261A004 */
#define BZL_USCC_LEN 18u            /* 统一社会信用代码, GB 32100-2015 */
#define BZL_BOOK_NO_LEN 12u         /* 备案号: letter + 11, e.g. H72012400001 */
#define BZL_HS_LEN 10u              /* 商品编码: 8-digit tariff + 2-digit statistical suffix */
#define BZL_UNIT_LEN 3u             /* 计量单位, numeric, e.g. 035 千克 */
#define BZL_CURRENCY_LEN 3u         /* 币制, numeric customs code, e.g. 502 USD */
/* The currency statistics are kept in (customs §2.5: 502 = USD). */
#define BZL_CURRENCY_USD "502"
#define BZL_COUNTRY_LEN 3u    /* 国别, numeric customs code, e.g. 142 China */
#define BZL_TRADE_MODE_LEN 4u /* 监管方式, e.g. 5015 */

/* Enterprise customs code: exactly 10 characters of [0-9A-Z]. BZL_INVALID_CODE otherwise. */
BZL_NODISCARD bzl_status bzl_code_check_enterprise(const char *s, size_t len);

/* USCC: 18 characters from the GB 32100 alphabet (digits and upper-case letters without
 * I, O, S, V, Z) whose last character is the check character computed from the first 17
 * with weights 3^i mod 31. BZL_INVALID_CODE otherwise. */
BZL_NODISCARD bzl_status bzl_code_check_uscc(const char *s, size_t len);

/* Book number: 12 characters of [0-9A-Z] whose first is B, C, E, H or T (§2.2). On BZL_OK
 * writes the first letter to *type_out when type_out is not NULL. */
BZL_NODISCARD bzl_status bzl_code_check_book(const char *s, size_t len, char *type_out);

/* HS code: exactly 10 ASCII digits. */
BZL_NODISCARD bzl_status bzl_code_check_hs(const char *s, size_t len);

/* Unit of measure: a 3-digit code present in the customs unit table (§2.4). */
BZL_NODISCARD bzl_status bzl_code_check_unit(const char *s, size_t len);
/* The Chinese name of a valid unit code ("千克" for "035"), or NULL when not in the table. */
const char *bzl_code_unit_name(const char *s, size_t len);

/* Currency: a 3-digit customs currency code present in the table (§2.5). */
BZL_NODISCARD bzl_status bzl_code_check_currency(const char *s, size_t len);
/* The ISO 4217 code for a customs currency code ("USD" for "502"), or NULL. */
const char *bzl_code_currency_iso(const char *s, size_t len);

/* Country: exactly 3 ASCII digits (the customs numeric country code). */
BZL_NODISCARD bzl_status bzl_code_check_country(const char *s, size_t len);

/* Trade mode (监管方式): exactly 4 ASCII digits. Which modes a book type and flow allow is the
 * ledger's business. */
BZL_NODISCARD bzl_status bzl_code_check_trade_mode(const char *s, size_t len);

#endif
