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
    Bzl__V1__DeclarationLine line;
    Bzl__V1__DeclarationLine *lines[2];
    Bzl__V1__Declaration decl;
} decl_pb;

static void
decl_fill(decl_pb *m)
{
    bzl__v1__declaration_line__init(&m->line);
    m->line.item = 7;
    m->line.qty = "12.5";
    m->line.unit = "035";
    m->line.value = "100.00";
    m->line.currency = "502";
    m->line.usd = "14.1";
    m->lines[0] = &m->line;
    m->lines[1] = &m->line;
    bzl__v1__declaration__init(&m->decl);
    m->decl.id = "D-1";
    m->decl.enterprise = "6201230001";
    m->decl.book = "H72012400001";
    m->decl.kind = BZL__V1__KIND__KIND_MATERIAL;
    m->decl.direction = BZL__V1__DIRECTION__DIRECTION_IN;
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
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 4, &d, lines, NULL, &fault), BZL_OK);
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
    Bzl__V1__DeclarationLine bad = m.line;
    bad.qty = "1e3";
    m.lines[1] = &bad;
    m.decl.n_lines = 2;
    bzl_declaration d;
    bzl_decl_line lines[4];
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 4, &d, lines, NULL, &fault),
                     BZL_DECIMAL_SYNTAX);
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
    ck_assert_int_eq(bzld_wire_declaration(NULL, 1, &d, lines, NULL, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "declaration");
    decl_pb m;
    decl_fill(&m);
    m.decl.n_lines = 2;
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault),
                     BZL_LIMIT_EXCEEDED);
    ck_assert_str_eq(fault.field, "lines");
    decl_fill(&m);
    m.decl.date = "2026-02-30";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault), BZL_INVALID_DATE);
    ck_assert_str_eq(fault.field, "date");
    decl_fill(&m);
    m.decl.book = "H72012";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault), BZL_INVALID_CODE);
    ck_assert_str_eq(fault.field, "book");
    ck_assert_str_eq(fault.message, "book \"H72012\" is not valid");
    /* origin: "" is none, the two names map to their values, anything else is named. */
    decl_fill(&m);
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault), BZL_OK);
    ck_assert_uint_eq(d.origin, BZL_ORIGIN_NONE);
    m.decl.origin = "outside";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault), BZL_OK);
    ck_assert_uint_eq(d.origin, BZL_ORIGIN_OUTSIDE);
    m.decl.origin = "Abroad";
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "origin");
    ck_assert_str_eq(fault.message, "origin \"Abroad\" is neither abroad nor outside");
}
END_TEST

/* The 核注清单 fields: pairs in any order become records in tag order (header first), the
 * byte bound covers them, a list read back gives the same pairs; an unknown name, a name at
 * the wrong place, a name twice or a control character is refused naming element and line. */
START_TEST(wire_list_fields_sort_check_and_read_back)
{
    decl_pb m;
    decl_fill(&m);
    Bzl__V1__ListField h1 = BZL__V1__LIST_FIELD__INIT;
    Bzl__V1__ListField h2 = BZL__V1__LIST_FIELD__INIT;
    Bzl__V1__ListField l1 = BZL__V1__LIST_FIELD__INIT;
    h1.name = "Rmk"; /* tag 116 */
    h1.value = "备注";
    h2.name = "InvtType"; /* tag 68 */
    h2.value = "0";
    l1.name = "GdsNm"; /* tag 69 on a line */
    l1.value = "机芯";
    Bzl__V1__ListField *head[] = {&h1, &h2};
    Bzl__V1__ListField *line[] = {&l1};
    m.decl.list_fields = head;
    m.decl.n_list_fields = 2;
    m.line.list_fields = line;
    m.line.n_list_fields = 1;
    bzl_declaration d;
    bzl_decl_line lines[1];
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_declaration(&m.decl, 1, &d, lines, NULL, &fault), BZL_OK);
    size_t cap = bzld_wire_list_bytes(&m.decl, 1);
    ck_assert_uint_eq(cap, (7 + 6) + (7 + 1) + (7 + 6)); /* "备注" and "机芯" are 6 bytes */
    uint8_t buf[64];
    ck_assert_int_eq(bzld_wire_list_fields(&m.decl, buf, cap, &d, &fault), BZL_OK);
    ck_assert_uint_eq(d.list_fields_len, cap);
    ck_assert_uint_eq(buf[4], 68);      /* InvtType first: tag order */
    ck_assert_uint_eq(buf[4 + 8], 116); /* then Rmk */
    ck_assert_uint_eq(buf[21], 1);      /* then line 1's record */
    ck_assert_uint_eq(buf[21 + 4], 69);

    /* Read back onto fresh messages: the same pairs, in tag order. */
    Bzl__V1__Declaration out = BZL__V1__DECLARATION__INIT;
    Bzl__V1__DeclarationLine out_line = BZL__V1__DECLARATION_LINE__INIT;
    Bzl__V1__DeclarationLine *out_lines[] = {&out_line};
    bzld_list_pb lp;
    ck_assert_int_eq(bzld_list_fields_to_pb(&d, &out, out_lines, &lp), BZL_OK);
    ck_assert_uint_eq(out.n_list_fields, 2);
    ck_assert_str_eq(out.list_fields[0]->name, "InvtType");
    ck_assert_str_eq(out.list_fields[1]->value, "备注");
    ck_assert_uint_eq(out_line.n_list_fields, 1);
    ck_assert_str_eq(out_line.list_fields[0]->value, "机芯");
    bzld_list_pb_free(&lp);

    l1.name = "BizopEtpsNm"; /* a header field on a line */
    ck_assert_int_eq(bzld_wire_list_fields(&m.decl, buf, sizeof buf, &d, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "BizopEtpsNm");
    ck_assert_uint_eq(fault.line, 1);
    ck_assert_str_eq(fault.message, "BizopEtpsNm is not a 核注清单 field bzl keeps on the line");
    l1.name = "GdsNm";
    h2.name = "Rmk"; /* given twice */
    ck_assert_int_eq(bzld_wire_list_fields(&m.decl, buf, sizeof buf, &d, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.message, "Rmk is given twice on the header");
    h2.name = "PutrecNo"; /* a core field is not a list field */
    ck_assert_int_eq(bzld_wire_list_fields(&m.decl, buf, sizeof buf, &d, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "PutrecNo");
    ck_assert_uint_eq(fault.line, 0);
    h2.name = "InvtType";
    h1.value = "two\nlines";
    ck_assert_int_eq(bzld_wire_list_fields(&m.decl, buf, sizeof buf, &d, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "Rmk");
}
END_TEST

START_TEST(wire_master_records_round_trip)
{
    Bzl__V1__Enterprise epb = BZL__V1__ENTERPRISE__INIT;
    epb.code = "6201230001";
    epb.uscc = "91310000717866186P";
    epb.name = "Fuzz Co.";
    epb.area = "core zone";
    bzl_enterprise e;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzld_wire_enterprise(&epb, &e, &fault), BZL_OK);
    Bzl__V1__Enterprise back;
    bzld_enterprise_to_pb(&e, &back);
    ck_assert_str_eq(back.code, epb.code);
    ck_assert_str_eq(back.uscc, epb.uscc);
    ck_assert_str_eq(back.name, epb.name);
    ck_assert_str_eq(back.area, epb.area);

    Bzl__V1__Book bpb = BZL__V1__BOOK__INIT;
    bpb.book = "H72012400001";
    bpb.enterprise = "6201230001";
    bzl_book b;
    ck_assert_int_eq(bzld_wire_book(&bpb, &b, &fault), BZL_OK);
    ck_assert_int_eq(b.verify_mode, BZL_VERIFY_UNIT); /* the defaults */
    ck_assert_uint_eq(b.period_days, 365);
    Bzl__V1__Book bback;
    bzld_book_to_pb(&b, &bback);
    ck_assert_str_eq(bback.book, bpb.book);
    ck_assert_int_eq(bback.status, BZL__V1__BOOK_STATUS__BOOK_STATUS_OPEN);
    bpb.period_days = 3661;
    ck_assert_int_eq(bzld_wire_book(&bpb, &b, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "period_days");

    Bzl__V1__Item ipb = BZL__V1__ITEM__INIT;
    ipb.book = "H72012400001";
    ipb.kind = BZL__V1__KIND__KIND_PRODUCT;
    ipb.item = 3;
    ipb.hs = "1206009000";
    ipb.unit = "035";
    ipb.name = "seed";
    bzl_item item;
    ck_assert_int_eq(bzld_wire_item(&ipb, &item, &fault), BZL_OK);
    Bzl__V1__Item iback;
    bzld_item_to_pb(&item, &iback);
    ck_assert_int_eq(iback.kind, BZL__V1__KIND__KIND_PRODUCT);
    ck_assert_uint_eq(iback.item, 3);
    ck_assert_str_eq(iback.hs, "1206009000");
    ipb.kind = (Bzl__V1__Kind)7;
    ck_assert_int_eq(bzld_wire_item(&ipb, &item, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "kind");
    ck_assert_int_eq(bzld_wire_enterprise(NULL, &e, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "enterprise");
}
END_TEST

START_TEST(wire_norm_round_trips_through_its_texts)
{
    Bzl__V1__Norm pb = BZL__V1__NORM__INIT;
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
    Bzl__V1__Norm back;
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
    Bzl__V1__StocktakeLine good = BZL__V1__STOCKTAKE_LINE__INIT;
    good.kind = BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL;
    good.item = 1;
    good.qty = "3";
    Bzl__V1__StocktakeLine bad = good;
    bad.kind = (Bzl__V1__StocktakeKind)9; /* no such kind */
    Bzl__V1__StocktakeLine *lines[] = {&good, &bad};
    Bzl__V1__SubmitStocktake st = BZL__V1__SUBMIT_STOCKTAKE__INIT;
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
    Bzl__V1__DeclarationRef pb = BZL__V1__DECLARATION_REF__INIT;
    pb.enterprise = "6201230001";
    pb.id = "D-1";
    ck_assert_int_eq(bzld_wire_decl_ref(&pb, 0, &ref, &fault), BZL_OK); /* void: no reason */
    ck_assert_str_eq(ref.id, "D-1");
    ck_assert_int_eq(bzld_wire_decl_ref(&pb, 1, &ref, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "reason"); /* reverse and reject need one */
    ck_assert_int_eq(bzld_wire_decl_ref(NULL, 0, &ref, &fault), BZL_INVALID_CODE);
    ck_assert_str_eq(fault.field, "enterprise");

    Bzl__V1__QueryHistory qh = BZL__V1__QUERY_HISTORY__INIT;
    qh.book = "H72012400001";
    qh.kind = BZL__V1__KIND__KIND_MATERIAL;
    char book[BZL_BOOK_NO_LEN + 1];
    int32_t from = 0, to = 0;
    uint64_t after_seq = 1;
    ck_assert_int_eq(bzld_wire_history(&qh, book, &from, &to, &after_seq, &fault), BZL_OK);
    ck_assert_uint_eq(after_seq, 0);   /* no token: from the first entry */
    ck_assert_int_eq(from, INT32_MIN); /* open ends */
    ck_assert_int_eq(to, INT32_MAX);
    qh.to = "2026-13-01";
    ck_assert_int_eq(bzld_wire_history(&qh, book, &from, &to, &after_seq, &fault),
                     BZL_INVALID_DATE);
    ck_assert_str_eq(fault.field, "to");

    Bzl__V1__SetRate sr = BZL__V1__SET_RATE__INIT;
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

    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    qb.book = "H72012400001";
    qb.kind = (Bzl__V1__Kind)3;
    uint64_t after = 0;
    ck_assert_int_eq(bzld_wire_balances(&qb, &after, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "kind");
}
END_TEST

/* A page token is what the same listing wrote: the positions round-trip, and a token of
 * another listing, a non-canonical or overflowing number, or a code that does not check is
 * refused naming page_token — never read as some other position. */
START_TEST(wire_page_tokens_round_trip_and_refuse_forgeries)
{
    bzl_fault fault = {0};
    char token[BZLD_PAGE_TOKEN_BYTES];
    uint64_t pos = 7;
    ck_assert_int_eq(bzld_page_token_number("", BZLD_LIST_HISTORY, 100, &pos, &fault), BZL_OK);
    ck_assert_uint_eq(pos, 0);
    bzld_page_token_put_number(BZLD_LIST_HISTORY, true, UINT64_MAX, token);
    ck_assert_int_eq(bzld_page_token_number(token, BZLD_LIST_HISTORY, UINT64_MAX, &pos, &fault),
                     BZL_OK);
    ck_assert_uint_eq(pos, UINT64_MAX);
    bzld_page_token_put_number(BZLD_LIST_HISTORY, false, 42, token);
    ck_assert_str_eq(token, ""); /* the last page */

    const char *const forged[] = {
        "a:5", "h:", "h:05", "h:-1", "h:5x", "h5", ":5", "h:101", "h:99999999999999999999"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(forged); i++) {
        memset(&fault, 0, sizeof fault);
        ck_assert_int_eq(bzld_page_token_number(forged[i], BZLD_LIST_HISTORY, 100, &pos, &fault),
                         BZL_INVALID_ARGUMENT);
        ck_assert_str_eq(fault.field, "page_token");
    }
    ck_assert_int_eq(bzld_page_token_number("h:100", BZLD_LIST_HISTORY, 100, &pos, &fault), BZL_OK);
    ck_assert_uint_eq(pos, 100);
    ck_assert_int_eq(bzld_page_token_number("h:0", BZLD_LIST_HISTORY, 100, &pos, &fault), BZL_OK);

    char book[BZL_BOOK_NO_LEN + 1];
    bzld_page_token_put_code(BZLD_LIST_BOOKS, true, "H72012400001", token);
    ck_assert_int_eq(
        bzld_page_token_code(token, BZLD_LIST_BOOKS, bzld_check_book_no, book, sizeof book, &fault),
        BZL_OK);
    ck_assert_str_eq(book, "H72012400001");
    const char *const bad_codes[] = {"e:H72012400001", "r:", "r:H7201240000", "r:H720124000011",
                                     "r:../../etc"};
    for (size_t i = 0; i < BZL_ARRAY_LEN(bad_codes); i++) {
        memset(&fault, 0, sizeof fault);
        ck_assert_int_eq(bzld_page_token_code(bad_codes[i], BZLD_LIST_BOOKS, bzld_check_book_no,
                                              book, sizeof book, &fault),
                         BZL_INVALID_ARGUMENT);
        ck_assert_str_eq(fault.field, "page_token");
    }

    /* The listings that parse their token in wire.c refuse it alike. */
    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    qb.book = "H72012400001";
    qb.page_token = "b:4294967296"; /* (material, 0): the position before item 1 */
    ck_assert_int_eq(bzld_wire_balances(&qb, &pos, &fault), BZL_OK);
    ck_assert_uint_eq(pos, bzld_item_position(BZL_KIND_MATERIAL, 0));
    qb.page_token = "b:99999999999";
    ck_assert_int_eq(bzld_wire_balances(&qb, &pos, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "page_token");
    Bzl__V1__QueryScrap qs = BZL__V1__QUERY_SCRAP__INIT;
    qs.book = "H72012400001";
    qs.page_token = "h:3";
    uint32_t after_item = 0;
    ck_assert_int_eq(bzld_wire_scrap(&qs, book, &after_item, &fault), BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "page_token");
    ck_assert_uint_eq(bzld_page_rows(0, 16, 64), 16);
    ck_assert_uint_eq(bzld_page_rows(1000, 16, 64), 64);
    ck_assert_uint_eq(bzld_page_rows(3, 16, 64), 3);
}
END_TEST

START_TEST(wire_fault_to_pb_keeps_line_field_item_and_available)
{
    bzl_fault fault = {0};
    (void)bzl_fault_set(&fault, BZL_INSUFFICIENT_BALANCE, 3, "qty", "line 3: short");
    fault.item_no = 9;
    fault.available_e5 = 150000;
    Bzl__V1__Fault pb;
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
    tcase_add_test(tc, wire_list_fields_sort_check_and_read_back);
    tcase_add_test(tc, wire_master_records_round_trip);
    tcase_add_test(tc, wire_norm_round_trips_through_its_texts);
    tcase_add_test(tc, wire_stocktake_check_names_the_bad_line);
    tcase_add_test(tc, wire_ledger_requests_name_their_bad_field);
    tcase_add_test(tc, wire_page_tokens_round_trip_and_refuse_forgeries);
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
