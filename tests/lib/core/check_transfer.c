/* check_transfer.c — the pure rules of deep-processing transfers (transfer.h; next-wave.md §D):
 * the pair an export names, field by field, and the FIFO ageing of delivery records against
 * declarations with the 90-day limit. Expected figures are worked out by hand beside them. */
#include "bzl/transfer.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define UNIT 100000

/* An export of product 1 (qty) on H72012400011 naming IMP1 of H72012400012, and the import. */
typedef struct pair {
    bzl_declaration ex;
    bzl_declaration im;
    bzl_decl_line ex_line;
    bzl_decl_line im_line;
    const char *ex_hs[1];
    const char *im_hs[1];
    bool has_norm[1];
    bzl_transfer_half e;
    bzl_transfer_half i;
} pair;

static void
pair_init(pair *p, int64_t ex_qty, int64_t im_qty)
{
    memset(p, 0, sizeof *p);
    strcpy(p->ex.id, "X1");
    strcpy(p->ex.book_no, "H72012400011");
    strcpy(p->ex.trade_mode, "0654");
    strcpy(p->ex.related_book, "H72012400012");
    strcpy(p->ex.related_id, "IMP1");
    p->ex.line_count = 1;
    p->ex.lines = &p->ex_line;
    p->ex_line.item_no = 1;
    p->ex_line.qty_e5 = ex_qty;
    strcpy(p->ex_line.unit, "007");
    strcpy(p->im.id, "IMP1");
    strcpy(p->im.book_no, "H72012400012");
    strcpy(p->im.trade_mode, "0654");
    strcpy(p->im.related_book, "H72012400011");
    p->im.line_count = 1;
    p->im.lines = &p->im_line;
    p->im_line.item_no = 4;
    p->im_line.qty_e5 = im_qty;
    strcpy(p->im_line.unit, "007");
    p->ex_hs[0] = "8542319000";
    p->im_hs[0] = "8542319000";
    p->has_norm[0] = true;
    p->e = (bzl_transfer_half){
        .d = &p->ex, .flow = BZL_FLOW_PROD_TRANSFER_OUT, .hs = p->ex_hs, .has_norm = p->has_norm};
    p->i = (bzl_transfer_half){
        .d = &p->im, .flow = BZL_FLOW_MAT_TRANSFER_IN, .state = 1, .hs = p->im_hs};
}

START_TEST(a_matching_pair_passes)
{
    pair p;
    bzl_fault f;
    pair_init(&p, 150 * UNIT, 150 * UNIT);
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_OK);
    /* An import that names no counterpart yet pairs too (it is filed first). */
    p.im.related_book[0] = '\0';
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_OK);
}
END_TEST

START_TEST(each_difference_names_its_field)
{
    pair p;
    bzl_fault f;
    pair_init(&p, 140 * UNIT, 150 * UNIT);
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "qty");
    ck_assert_uint_eq(f.line, 1);
    ck_assert_uint_eq(f.item_no, 1);
    ck_assert_ptr_nonnull(strstr(f.message, "quantity 140 differs from the import's 150"));

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    strcpy(p.ex.trade_mode, "0255");
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "trade_mode");

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    p.im_hs[0] = "8541100000";
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "hs");

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    strcpy(p.im_line.unit, "035");
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "unit");

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    p.has_norm[0] = false;
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "bom_version");

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    strcpy(p.im.related_book, "H72012400099");
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "related_book");

    pair_init(&p, 150 * UNIT, 150 * UNIT);
    p.im.line_count = 2; /* counts differ: lines are not compared */
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "lines");
}
END_TEST

START_TEST(the_import_must_be_a_posted_transfer_import)
{
    pair p;
    bzl_fault f;
    pair_init(&p, 150 * UNIT, 150 * UNIT);
    p.i.state = 2; /* pending */
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_ptr_nonnull(strstr(f.message, "not approved"));
    pair_init(&p, 150 * UNIT, 150 * UNIT);
    p.i.flow = BZL_FLOW_MAT_IMPORT;
    ck_assert_int_eq(bzl_transfer_pair_check(&p.e, &p.i, &f), BZL_TRANSFER_MISMATCH);
    ck_assert_str_eq(f.field, "related_id");
}
END_TEST

START_TEST(ageing_takes_returns_from_the_latest_and_declarations_from_the_oldest)
{
    /* 100 on day 10, 100 on day 41, 100 on day 69, 30 returned on day 74: 270 delivered; the
     * return leaves 70 of day 69. 150 declared covers day 10's 100 and 50 of day 41's. As of day
     * 130: day 41's 50 is 89 days old, day 69's 70 is 61: nothing over 90. As of day 132: 91 —
     * 50 over. */
    bzl_delivery_lot lots[] = {{10, 100 * UNIT, false},
                               {41, 100 * UNIT, false},
                               {69, 100 * UNIT, false},
                               {74, 30 * UNIT, true}};
    bzl_delivery_lot copy[4];
    bzl_transfer_age a;
    memcpy(copy, lots, sizeof lots);
    bzl_transfer_age_lots(copy, 4, 150 * UNIT, 130, 90, &a);
    ck_assert_int_eq(a.delivered_e5, 270 * UNIT);
    ck_assert_int_eq(a.delivered_not_declared_e5, 120 * UNIT);
    ck_assert_int_eq(a.declared_not_delivered_e5, 0);
    ck_assert_int_eq(a.oldest_undeclared, 41);
    ck_assert_uint_eq(a.lots_over, 0);
    memcpy(copy, lots, sizeof lots);
    bzl_transfer_age_lots(copy, 4, 150 * UNIT, 132, 90, &a);
    ck_assert_uint_eq(a.lots_over, 1);
    ck_assert_int_eq(a.over_e5, 50 * UNIT);
    /* 400 declared against 270 delivered: 130 declared not delivered, nothing undeclared. */
    memcpy(copy, lots, sizeof lots);
    bzl_transfer_age_lots(copy, 4, 400 * UNIT, 132, 90, &a);
    ck_assert_int_eq(a.declared_not_delivered_e5, 130 * UNIT);
    ck_assert_int_eq(a.delivered_not_declared_e5, 0);
    ck_assert_int_eq(a.oldest_undeclared, 0);
    /* As of day 50: only the first two lots count (200), the return not yet. */
    memcpy(copy, lots, sizeof lots);
    bzl_transfer_age_lots(copy, 4, 0, 50, 90, &a);
    ck_assert_int_eq(a.delivered_e5, 200 * UNIT);
    ck_assert_int_eq(a.oldest_undeclared, 10);
    /* No lots at all. */
    bzl_transfer_age_lots(NULL, 0, 5 * UNIT, 50, 90, &a);
    ck_assert_int_eq(a.declared_not_delivered_e5, 5 * UNIT);
}
END_TEST

START_TEST(a_return_larger_than_the_last_batch_reaches_earlier_ones)
{
    /* 100 on day 1, 20 on day 2, 50 returned on day 3: day 2's 20 and 30 of day 1's go back,
     * 70 of day 1 remain; nothing declared: oldest undeclared is day 1. */
    bzl_delivery_lot lots[] = {{1, 100 * UNIT, false}, {2, 20 * UNIT, false}, {3, 50 * UNIT, true}};
    bzl_transfer_age a;
    bzl_transfer_age_lots(lots, 3, 0, 10, 90, &a);
    ck_assert_int_eq(a.delivered_e5, 70 * UNIT);
    ck_assert_int_eq(lots[0].qty_e5, 70 * UNIT);
    ck_assert_int_eq(lots[1].qty_e5, 0);
    ck_assert_int_eq(a.oldest_undeclared, 1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("transfer");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, a_matching_pair_passes);
    tcase_add_test(tc, each_difference_names_its_field);
    tcase_add_test(tc, the_import_must_be_a_posted_transfer_import);
    tcase_add_test(tc, ageing_takes_returns_from_the_latest_and_declarations_from_the_oldest);
    tcase_add_test(tc, a_return_larger_than_the_last_batch_reaches_earlier_ones);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
