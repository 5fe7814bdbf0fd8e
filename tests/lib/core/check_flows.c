/* check_flows.c — the flow table: which (kind, direction, trade mode, book letter, verify mode)
 * is which customs flow (reference §1.5, §2.2), what is refused, and the trade-mode names. */
#include "bzl/flows.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static bzl_flow
flow_of(bzl_kind kind, bzl_direction dir, const char *mode, char letter, uint8_t verify,
        bool related)
{
    bzl_flow f = BZL_FLOW_NONE;
    bzl_fault fault;
    ck_assert_int_eq(bzl_flow_lookup(kind, dir, mode, letter, verify, related, &f, &fault), BZL_OK);
    return f;
}

static bzl_status
refusal_of(bzl_kind kind, bzl_direction dir, const char *mode, char letter, uint8_t verify,
           bzl_fault *fault)
{
    bzl_flow f = BZL_FLOW_NONE;
    return bzl_flow_lookup(kind, dir, mode, letter, verify, false, &f, fault);
}

#define M BZL_KIND_MATERIAL
#define P BZL_KIND_PRODUCT
#define IN BZL_DIR_IN
#define OUT BZL_DIR_OUT
#define U BZL_VERIFY_UNIT

/* Every material flow of the catalogue maps from its trade modes. */
START_TEST(material_flows_follow_the_catalogue)
{
    ck_assert_int_eq(flow_of(M, IN, "0214", 'B', U, false), BZL_FLOW_MAT_IMPORT);
    ck_assert_int_eq(flow_of(M, IN, "0615", 'C', U, false), BZL_FLOW_MAT_IMPORT);
    ck_assert_int_eq(flow_of(M, IN, "5015", 'H', U, false), BZL_FLOW_MAT_IMPORT);
    ck_assert_int_eq(flow_of(M, IN, "0654", 'H', U, false), BZL_FLOW_MAT_TRANSFER_IN);
    ck_assert_int_eq(flow_of(M, IN, "0657", 'E', U, false), BZL_FLOW_MAT_LEFTOVER_IN);
    ck_assert_int_eq(flow_of(M, IN, "5015", 'H', U, true), BZL_FLOW_MAT_ZONE_TRANSFER_IN);
    ck_assert_int_eq(flow_of(M, OUT, "0664", 'H', U, false), BZL_FLOW_MAT_REEXPORT);
    ck_assert_int_eq(flow_of(M, OUT, "0265", 'B', U, false), BZL_FLOW_MAT_REEXPORT);
    ck_assert_int_eq(flow_of(M, OUT, "0644", 'C', U, false), BZL_FLOW_MAT_DOMESTIC_SALE);
    ck_assert_int_eq(flow_of(M, OUT, "5000", 'H', U, false), BZL_FLOW_MAT_DOMESTIC_SALE);
    ck_assert_int_eq(flow_of(M, OUT, "0657", 'C', U, false), BZL_FLOW_MAT_LEFTOVER_OUT);
    ck_assert_int_eq(flow_of(M, OUT, "0200", 'H', U, false), BZL_FLOW_MAT_DESTROY);
    ck_assert_int_eq(flow_of(M, OUT, "0700", 'H', U, false), BZL_FLOW_MAT_RETURN_OUT);
    ck_assert_int_eq(flow_of(M, IN, "0300", 'B', U, false), BZL_FLOW_MAT_RETURN_IN);
    ck_assert_int_eq(flow_of(M, IN, "0815", 'E', U, false), BZL_FLOW_MAT_LOW_VALUE);
}
END_TEST

/* Product and scrap flows, and the reports that need a book mode. */
START_TEST(product_scrap_and_report_flows_follow_the_catalogue)
{
    ck_assert_int_eq(flow_of(P, OUT, "0615", 'C', U, false), BZL_FLOW_PROD_EXPORT);
    ck_assert_int_eq(flow_of(P, OUT, "5100", 'H', U, false), BZL_FLOW_PROD_EXPORT);
    ck_assert_int_eq(flow_of(P, OUT, "0255", 'B', U, false), BZL_FLOW_PROD_TRANSFER_OUT);
    ck_assert_int_eq(flow_of(P, OUT, "5014", 'H', U, true), BZL_FLOW_PROD_ZONE_TRANSFER_OUT);
    ck_assert_int_eq(flow_of(P, OUT, "0644", 'E', U, false), BZL_FLOW_PROD_DOMESTIC_SALE);
    ck_assert_int_eq(flow_of(P, IN, "4600", 'H', U, false), BZL_FLOW_PROD_RETURN_IN);
    ck_assert_int_eq(flow_of(P, OUT, "4400", 'B', U, false), BZL_FLOW_PROD_RETURN_OUT);
    ck_assert_int_eq(flow_of(P, OUT, "0200", 'C', U, false), BZL_FLOW_PROD_DESTROY);
    ck_assert_int_eq(flow_of(M, OUT, "0844", 'C', U, false), BZL_FLOW_SCRAP_SALE);
    ck_assert_int_eq(flow_of(M, OUT, "5200", 'H', U, false), BZL_FLOW_SCRAP_SALE);
    ck_assert_int_eq(flow_of(M, OUT, "0865", 'B', U, false), BZL_FLOW_SCRAP_REEXPORT);
    ck_assert_int_eq(flow_of(M, OUT, "0400", 'E', U, false), BZL_FLOW_SCRAP_DESTROY);
    ck_assert_int_eq(flow_of(P, IN, "0010", 'H', BZL_VERIFY_WORK_ORDER, false),
                     BZL_FLOW_PRODUCTION_REPORT);
    ck_assert_int_eq(flow_of(M, OUT, "0020", 'E', BZL_VERIFY_CONSUMPTION, false),
                     BZL_FLOW_CONSUMPTION_REPORT);
    ck_assert_int_eq(flow_of(M, IN, "0030", 'T', U, false), BZL_FLOW_ADJUST_UP);
    ck_assert_int_eq(flow_of(M, OUT, "0040", 'H', U, false), BZL_FLOW_ADJUST_DOWN);
}
END_TEST

/* §2.2: a trade mode the book letter does not allow is FLOW_NOT_ALLOWED, naming mode and book. */
START_TEST(trade_mode_outside_its_book_letters_is_refused)
{
    bzl_fault f;
    ck_assert_int_eq(refusal_of(M, IN, "0615", 'H', U, &f), BZL_FLOW_NOT_ALLOWED); /* CR15: C,E */
    ck_assert_str_eq(f.field, "trade_mode");
    ck_assert_ptr_nonnull(strstr(f.message, "0615 (进料对口)"));
    ck_assert_ptr_nonnull(strstr(f.message, "H-book"));
    ck_assert_int_eq(refusal_of(M, IN, "0214", 'C', U, &f), BZL_FLOW_NOT_ALLOWED); /* CR08: B,E */
    ck_assert_int_eq(refusal_of(M, IN, "5015", 'E', U, &f), BZL_FLOW_NOT_ALLOWED); /* CR24: H */
    ck_assert_int_eq(refusal_of(M, OUT, "0844", 'B', U, &f), BZL_FLOW_NOT_ALLOWED);
    ck_assert_int_eq(refusal_of(M, IN, "0110", 'H', U, &f), BZL_FLOW_NOT_ALLOWED); /* general */
    ck_assert_int_eq(refusal_of(P, IN, "0615", 'C', U, &f), BZL_FLOW_NOT_ALLOWED); /* no such */
}
END_TEST

/* Production reports need work-order books, consumption reports consumption books. */
START_TEST(reports_need_their_verify_mode)
{
    bzl_fault f;
    ck_assert_int_eq(refusal_of(P, IN, "0010", 'H', U, &f), BZL_FLOW_NOT_ALLOWED);
    ck_assert_ptr_nonnull(strstr(f.message, "work-order"));
    ck_assert_int_eq(refusal_of(M, OUT, "0020", 'H', BZL_VERIFY_WORK_ORDER, &f),
                     BZL_FLOW_NOT_ALLOWED);
}
END_TEST

/* Unit books consume by norm on product outflows and give back on returns in; work-order books
 * only on production reports; consumption books never. */
START_TEST(consumption_sign_follows_the_verify_mode)
{
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PROD_EXPORT, U), 1);
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PROD_DESTROY, U), 1);
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PROD_RETURN_IN, U), -1);
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PROD_EXPORT, BZL_VERIFY_WORK_ORDER), 0);
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PRODUCTION_REPORT, BZL_VERIFY_WORK_ORDER),
                     1);
    ck_assert_int_eq(bzl_flow_consumption_sign(BZL_FLOW_PROD_EXPORT, BZL_VERIFY_CONSUMPTION), 0);
    ck_assert(bzl_flow_is_scrap(BZL_FLOW_SCRAP_REEXPORT));
    ck_assert(!bzl_flow_is_scrap(BZL_FLOW_MAT_DESTROY));
}
END_TEST

/* The trade-mode table names codes in Chinese (§2.1), with the current names of 0200/0400. */
START_TEST(trade_mode_names_come_from_the_table)
{
    ck_assert_str_eq(bzl_trade_mode_name("0615"), "进料对口");
    ck_assert_str_eq(bzl_trade_mode_name("5200"), "区内边角调出");
    ck_assert_str_eq(bzl_trade_mode_name("0200"), "料件销毁");
    ck_assert_str_eq(bzl_trade_mode_name("0400"), "边角料销毁");
    ck_assert_ptr_null(bzl_trade_mode_name("1111"));
    ck_assert_uint_gt(bzl_trade_mode_count(), 60);
    ck_assert_str_eq(bzl_flow_name(BZL_FLOW_SCRAP_SALE), "scrap sale");
    ck_assert_str_eq(bzl_category_name(BZL_CATEGORY_CONSUMPTION), "consumption");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("flows");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, material_flows_follow_the_catalogue);
    tcase_add_test(tc, product_scrap_and_report_flows_follow_the_catalogue);
    tcase_add_test(tc, trade_mode_outside_its_book_letters_is_refused);
    tcase_add_test(tc, reports_need_their_verify_mode);
    tcase_add_test(tc, consumption_sign_follows_the_verify_mode);
    tcase_add_test(tc, trade_mode_names_come_from_the_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
