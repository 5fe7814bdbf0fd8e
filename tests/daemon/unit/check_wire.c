/* check_wire.c — proves daemon/wire.c in-process: a declaration, an enterprise, a book, an item
 * and a norm convert from protobuf to the domain and back with every field kept; bad input is
 * refused with the status a client can act on and the fault naming the field (and the line of a
 * declaration or stocktake line), before anything is read. No socket, no storage. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

typedef struct decl_pb {
    Bzl__DeclarationLine line;
    Bzl__DeclarationLine *lines[2];
    Bzl__Declaration decl;
} decl_pb;

static void
decl_fill(decl_pb *m)
{
    bzl__declaration_line__init(&m->line);
    m->line.item = 7;
    m->line.qty = "12.5";
    m->line.unit = "035";
    m->line.value = "100.00";
    m->line.currency = "502";
    m->line.usd = "14.1";
    m->lines[0] = &m->line;
    m->lines[1] = &m->line;
    bzl__declaration__init(&m->decl);
    m->decl.id = "D-1";
    m->decl.enterprise = "6201230001";
    m->decl.book = "H72012400001";
    m->decl.kind = BZL__KIND__KIND_MATERIAL;
    m->decl.direction = BZL__DIRECTION__DIRECTION_IN;
    m->decl.trade_mode = "5015";
    m->decl.date = "2026-03-01";
    m->decl.n_lines = 1;
    m->decl.lines = m->lines;
}

START_TEST(wire_declaration_converts_every_field)
{
    decl_pb m;
    decl_fill(&m);
    bzl_declaration d;
    bzl_decl_line lines[4];
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 4, &d, lines, &fault), BZL_OK);
    ck_assert_str_eq(d.id, "D-1");
    ck_assert_str_eq(d.enterprise, "6201230001");
    ck_assert_str_eq(d.book_no, "H72012400001");
    ck_assert_str_eq(d.trade_mode, "5015");
    ck_assert_int_eq(d.kind, BZL_KIND_MATERIAL);
    ck_assert_int_eq(d.direction, BZL_DIR_IN);
    ck_assert_uint_eq(d.line_count, 1);
    ck_assert_ptr_eq(d.lines, lines);
    ck_assert_uint_eq(lines[0].item_no, 7);
    ck_assert_int_eq(lines[0].qty_e5, 1250000);    /* 12.5 at scale 5 */
    ck_assert_int_eq(lines[0].value_e5, 10000000); /* 100.00 */
    ck_assert(lines[0].has_usd);
    ck_assert_int_eq(lines[0].usd_e5, 1410000);
    ck_assert_str_eq(lines[0].unit, "035");
    ck_assert_str_eq(lines[0].currency, "502");
}
END_TEST

START_TEST(wire_declaration_names_line_and_field_of_a_bad_quantity)
{
    decl_pb m;
    decl_fill(&m);
    Bzl__DeclarationLine bad = m.line;
    bad.qty = "1e3";
    m.lines[1] = &bad;
    m.decl.n_lines = 2;
    bzl_declaration d;
    bzl_decl_line lines[4];
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 4, &d, lines, &fault), BZL_DECIMAL_SYNTAX);
    ck_assert_str_eq(fault.field, "qty");
    ck_assert_uint_eq(fault.line, 2);
    ck_assert_ptr_nonnull(strstr(fault.message, "line 2: qty \"1e3\""));
}
END_TEST

START_TEST(wire_declaration_refuses_missing_too_long_and_bad_date)
{
    bzl_declaration d;
    bzl_decl_line lines[1];
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_declaration(NULL, 1, &d, lines, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "declaration");
    decl_pb m;
    decl_fill(&m);
    m.decl.n_lines = 2;
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, &fault), BZL_LIMIT_EXCEEDED);
    ck_assert_str_eq(fault.field, "lines");
    decl_fill(&m);
    m.decl.date = "2026-02-30";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, &fault), BZL_INVALID_DATE);
    ck_assert_str_eq(fault.field, "date");
    decl_fill(&m);
    m.decl.book = "H72012";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, &fault), BZL_INVALID_CODE);
    ck_assert_str_eq(fault.field, "book");
    ck_assert_str_eq(fault.message, "book \"H72012\" is not valid");
}
END_TEST

START_TEST(wire_master_records_round_trip)
{
    Bzl__Enterprise epb = BZL__ENTERPRISE__INIT;
    epb.code = "6201230001";
    epb.uscc = "91310000717866186P";
    epb.name = "Fuzz Co.";
    epb.area = "core zone";
    bzl_enterprise e;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_enterprise(&epb, &e, &fault), BZL_OK);
    Bzl__Enterprise back;
    bzld_enterprise_to_pb(&e, &back);
    ck_assert_str_eq(back.code, epb.code);
    ck_assert_str_eq(back.uscc, epb.uscc);
    ck_assert_str_eq(back.name, epb.name);
    ck_assert_str_eq(back.area, epb.area);

    Bzl__Book bpb = BZL__BOOK__INIT;
    bpb.book_no = "H72012400001";
    bpb.enterprise = "6201230001";
    bzl_book b;
    ck_assert_int_eq(bzld_wire_book(&bpb, &b, &fault), BZL_OK);
    ck_assert_int_eq(b.verify_mode, BZL_VERIFY_UNIT); /* the defaults */
    ck_assert_uint_eq(b.period_days, 365);
    Bzl__Book bback;
    bzld_book_to_pb(&b, &bback);
    ck_assert_str_eq(bback.book_no, bpb.book_no);
    ck_assert_int_eq(bback.status, BZL__BOOK_STATUS__BOOK_STATUS_OPEN);
    bpb.period_days = 3661;
    ck_assert_int_eq(bzld_wire_book(&bpb, &b, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "period_days");

    Bzl__Item ipb = BZL__ITEM__INIT;
    ipb.book_no = "H72012400001";
    ipb.kind = BZL__KIND__KIND_PRODUCT;
    ipb.item_no = 3;
    ipb.hs = "1206009000";
    ipb.unit = "035";
    ipb.name = "seed";
    bzl_item item;
    ck_assert_int_eq(bzld_wire_item(&ipb, &item, &fault), BZL_OK);
    Bzl__Item iback;
    bzld_item_to_pb(&item, &iback);
    ck_assert_int_eq(iback.kind, BZL__KIND__KIND_PRODUCT);
    ck_assert_uint_eq(iback.item_no, 3);
    ck_assert_str_eq(iback.hs, "1206009000");
    ipb.kind = (Bzl__Kind)7;
    ck_assert_int_eq(bzld_wire_item(&ipb, &item, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "kind");
    ck_assert_int_eq(bzld_wire_enterprise(NULL, &e, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "enterprise");
}
END_TEST

START_TEST(wire_norm_round_trips_through_its_texts)
{
    Bzl__Norm pb = BZL__NORM__INIT;
    pb.book = "H72012400001";
    pb.product = 2;
    pb.material = 1;
    pb.version = "V1";
    pb.net = "1.5";
    pb.tangible_loss = "2";
    pb.intangible_loss = "0.25";
    bzl_norm n;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_norm(&pb, &n, &fault), BZL_OK);
    ck_assert_int_eq(n.share_e9, 1000000000); /* bonded_share defaults to 1 */
    Bzl__Norm back;
    bzld_norm_text txt;
    bzld_norm_to_pb(&n, &back, &txt);
    ck_assert_str_eq(back.net, "1.5");
    ck_assert_str_eq(back.tangible_loss, "2");
    ck_assert_str_eq(back.intangible_loss, "0.25");
    ck_assert_str_eq(back.bonded_share, "1");
    bzl_norm again;
    ck_assert_int_eq(bzld_wire_norm(&back, &again, &fault), BZL_OK);
    ck_assert_int_eq(again.net_e9, n.net_e9);
    ck_assert_int_eq(again.valid_from, n.valid_from);
    pb.net = "-1";
    ck_assert_int_ne(bzld_wire_norm(&pb, &n, &fault), BZL_OK);
    ck_assert_str_eq(fault.field, "net");
}
END_TEST

START_TEST(wire_stocktake_check_names_the_bad_line)
{
    Bzl__StocktakeLine good = BZL__STOCKTAKE_LINE__INIT;
    good.kind = "material";
    good.item = 1;
    good.qty = "3";
    Bzl__StocktakeLine bad = good;
    bad.kind = "gold";
    Bzl__StocktakeLine *lines[] = {&good, &bad};
    Bzl__SubmitStocktake st = BZL__SUBMIT_STOCKTAKE__INIT;
    st.book = "H72012400001";
    st.date = "2026-03-31";
    st.n_lines = 1;
    st.lines = lines;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_stocktake_check(&st, 10, &fault), BZL_OK);
    st.n_lines = 2;
    ck_assert_int_eq(bzld_wire_stocktake_check(&st, 10, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "kind");
    ck_assert_uint_eq(fault.line, 2);
    ck_assert_int_eq(bzld_wire_stocktake_check(&st, 1, &fault), BZL_LIMIT_EXCEEDED);
    ck_assert_str_eq(fault.field, "lines");
    st.date = "2026-02-30";
    ck_assert_int_eq(bzld_wire_stocktake_check(&st, 10, &fault), BZL_INVALID_DATE);
    ck_assert_str_eq(fault.field, "date");
}
END_TEST

START_TEST(wire_ledger_requests_name_their_bad_field)
{
    bzl_fault fault = {0};
    bzld_decl_ref ref;
    Bzl__DeclarationRef pb = BZL__DECLARATION_REF__INIT;
    pb.enterprise = "6201230001";
    pb.id = "D-1";
    ck_assert_int_eq(bzld_wire_decl_ref(&pb, 0, &ref, &fault), BZL_OK); /* void: no reason */
    ck_assert_str_eq(ref.id, "D-1");
    ck_assert_int_eq(bzld_wire_decl_ref(&pb, 1, &ref, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "reason"); /* reverse and reject need one */
    ck_assert_int_eq(bzld_wire_decl_ref(NULL, 0, &ref, &fault), BZL_INVALID_CODE);
    ck_assert_str_eq(fault.field, "enterprise");

    Bzl__QueryHistory qh = BZL__QUERY_HISTORY__INIT;
    qh.book = "H72012400001";
    qh.kind = BZL__KIND__KIND_MATERIAL;
    char book[BZL_BOOK_NO_LEN + 1];
    int32_t from = 0, to = 0;
    ck_assert_int_eq(bzld_wire_history(&qh, book, &from, &to, &fault), BZL_OK);
    ck_assert_int_eq(from, INT32_MIN); /* open ends */
    ck_assert_int_eq(to, INT32_MAX);
    qh.to = "2026-13-01";
    ck_assert_int_eq(bzld_wire_history(&qh, book, &from, &to, &fault), BZL_INVALID_DATE);
    ck_assert_str_eq(fault.field, "to");

    Bzl__SetRate sr = BZL__SET_RATE__INIT;
    sr.month = "2030-01";
    sr.currency = "502";
    sr.cny = "0";
    bzl_rate_row rate;
    ck_assert_int_eq(bzld_wire_rate(&sr, &rate, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "cny");
    sr.cny = "7.1";
    ck_assert_int_eq(bzld_wire_rate(&sr, &rate, &fault), BZL_OK);
    ck_assert_uint_eq(rate.month, 203001);
    sr.currency = "USD";
    ck_assert_int_eq(bzld_wire_rate(&sr, &rate, &fault), BZL_INVALID_CODE);
    ck_assert_str_eq(fault.field, "currency");

    Bzl__QueryBalances qb = BZL__QUERY_BALANCES__INIT;
    qb.book = "H72012400001";
    qb.kind = (Bzl__Kind)3;
    ck_assert_int_eq(bzld_wire_balances(&qb, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "kind");
}
END_TEST

START_TEST(wire_fault_to_pb_keeps_line_field_item_and_available)
{
    bzl_fault fault = {0};
    (void)bzl_fault_set(&fault, BZL_INSUFFICIENT_BALANCE, 3, "qty", "line 3: short");
    fault.item_no = 9;
    fault.available_e5 = 150000;
    Bzl__Fault pb;
    char available[BZL_DEC_TEXT_BYTES];
    bzld_fault_to_pb(&fault, &pb, available, sizeof available);
    ck_assert_uint_eq(pb.line, 3);
    ck_assert_str_eq(pb.field, "qty");
    ck_assert_uint_eq(pb.item, 9);
    ck_assert_str_eq(pb.available, "1.5");
}
END_TEST

static Suite *
wire_suite(void)
{
    Suite *s = suite_create("wire");
    TCase *tc = tcase_create("conversion");
    tcase_add_test(tc, wire_declaration_converts_every_field);
    tcase_add_test(tc, wire_declaration_names_line_and_field_of_a_bad_quantity);
    tcase_add_test(tc, wire_declaration_refuses_missing_too_long_and_bad_date);
    tcase_add_test(tc, wire_master_records_round_trip);
    tcase_add_test(tc, wire_norm_round_trips_through_its_texts);
    tcase_add_test(tc, wire_stocktake_check_names_the_bad_line);
    tcase_add_test(tc, wire_ledger_requests_name_their_bad_field);
    tcase_add_test(tc, wire_fault_to_pb_keeps_line_field_item_and_available);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(wire_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
