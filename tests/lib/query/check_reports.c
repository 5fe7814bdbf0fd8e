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

/* An import of value_e5 USD of material 1 into book_no on 2026-03-15. */
static void
import(const char *book_no, const char *id, int64_t value_e5)
{
    bzl_decl_line l;
    memset(&l, 0, sizeof l);
    l.item_no = 1;
    l.qty_e5 = E5(1);
    l.value_e5 = value_e5;
    strcpy(l.unit, "035");
    strcpy(l.currency, "502");
    bzl_declaration d;
    memset(&d, 0, sizeof d);
    snprintf(d.id, sizeof d.id, "%s", id);
    strcpy(d.enterprise, ENT);
    snprintf(d.book_no, sizeof d.book_no, "%s", book_no);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = BZL_DIR_IN;
    strcpy(d.trade_mode, "5015");
    d.date = DAYS_2026_03_15;
    d.line_count = 1;
    d.lines = &l;
    ck_assert_int_eq(bzl_decl_check_fields(&d, BZL_DECL_LINES_DEFAULT, NULL), BZL_OK);
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
}

/* Red-team finding 7 of issue 13: two books, each holding imports worth six tenths of the
 * largest int64 figure, made every zone-wide sum overflow and every report fail. The sums are
 * exact now, whatever one enterprise declares. */
START_TEST(zone_sums_past_int64_stay_exact)
{
    seed();
    bzl_book b2;
    make_book(&b2, "H72012400002", ENT);
    bzl_item it;
    make_item(&it, "H72012400002", BZL_KIND_MATERIAL, 1);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_book_add(t, &b2, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    const int64_t big = INT64_MAX / 10 * 6; /* 553402322211286.54720 USD */
    import(BOOK, "BIG-1", big);
    import("H72012400002", "BIG-2", big);
    for (bzl_report_kind k = BZL_REPORT_VAR; k <= BZL_REPORT_SHARE; k++) {
        bzl_report_query q;
        memset(&q, 0, sizeof q);
        q.kind = k;
        q.p = year_2026();
        t = read_txn();
        bzl_status st = bzl_query_report(t, &q);
        bzl_txn_abort(t);
        ck_assert_msg(st == BZL_OK, "report %d: %s", (int)k, bzl_status_name(st));
        if (k == BZL_REPORT_VAR) {
            ck_assert_uint_eq(q.n_groups, 1);
            ck_assert(q.groups[0].i_e5 == (bzl_i128)big * 2); /* exact, past INT64_MAX */
            ck_assert(q.groups[0].e_e5 == 0);
        }
        bzl_report_query_free(&q);
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
    tcase_add_test(tc, zone_sums_past_int64_stay_exact);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
