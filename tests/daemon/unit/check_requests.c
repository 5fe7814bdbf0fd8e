/* check_requests.c — proves the request table (daemon/requests.c) in-process: every field of
 * the Request oneof has exactly one row and every row a field; the write kinds are exactly the
 * ones that change the ledger, and dispatch routes them to the writer; each row grants the
 * roles and scope README "Who may do what" and tests/daemon/check_access.c expect (written
 * out here, not read from the code under test); scoped rows have their key and not-found words,
 * and those words are the ones a missing record gets. No socket, no daemon. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "requests.h"

#define A BZLD_ROLE_BIT(BZLD_ROLE_ADMIN)
#define C BZLD_ROLE_BIT(BZLD_ROLE_CUSTOMS)
#define R BZLD_ROLE_BIT(BZLD_ROLE_RECONCILER)
#define E BZLD_ROLE_BIT(BZLD_ROLE_ENTERPRISE)
#define BK BZLD_ROLE_BIT(BZLD_ROLE_BACKUP)
#define STAFF (A | C | R)

/* The rights matrix by kind: name, write, roles, scope. */
typedef struct expect {
    int body;
    const char *name;
    bool write;
    uint32_t roles;
    bzld_scope scope;
} expect;

#define B(x) BZL__V1__REQUEST__BODY_##x
static const expect expected[] = {
    {B(REGISTER_ENTERPRISE), "register_enterprise", true, A, BZLD_SCOPE_NONE},
    {B(GET_ENTERPRISE), "get_enterprise", false, STAFF | E, BZLD_SCOPE_CODE},
    {B(LIST_ENTERPRISES), "list_enterprises", false, STAFF | E, BZLD_SCOPE_HANDLER},
    {B(OPEN_BOOK), "open_book", true, A, BZLD_SCOPE_NONE},
    {B(GET_BOOK), "get_book", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(ADD_ITEM), "add_item", true, A, BZLD_SCOPE_NONE},
    {B(GET_ITEM), "get_item", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(SUBMIT), "submit", true, E | A, BZLD_SCOPE_HANDLER},
    {B(SUBMIT_BATCH), "submit_batch", true, E | A, BZLD_SCOPE_HANDLER},
    {B(BALANCES), "balances", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(STATS), "stats", false, STAFF, BZLD_SCOPE_NONE},
    {B(LIST_BOOKS), "list_books", false, STAFF | E, BZLD_SCOPE_HANDLER},
    {B(LIST_ITEMS), "list_items", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(LIST_DECLARATIONS), "list_declarations", false, STAFF | E, BZLD_SCOPE_HANDLER},
    {B(VERIFY), "verify", false, STAFF, BZLD_SCOPE_NONE},
    {B(AUDIT), "audit", false, STAFF, BZLD_SCOPE_NONE},
    {B(JOURNAL), "journal", false, STAFF, BZLD_SCOPE_NONE},
    {B(CHECKPOINT), "checkpoint", false, STAFF, BZLD_SCOPE_NONE},
    {B(SET_NORM), "set_norm", true, A, BZLD_SCOPE_NONE},
    {B(LIST_NORMS), "list_norms", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(SET_ITEM_MODE), "set_item_mode", true, A, BZLD_SCOPE_NONE},
    {B(POST_DECLARATION), "post", true, C | A, BZLD_SCOPE_NONE},
    {B(VOID_DECLARATION), "void", true, E | A, BZLD_SCOPE_CODE},
    {B(REVERSE_DECLARATION), "reverse", true, C | A, BZLD_SCOPE_NONE},
    {B(CLOSE_PERIOD), "close_period", true, C | A, BZLD_SCOPE_NONE},
    {B(HISTORY), "history", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(GET_DECLARATION), "get_declaration", false, STAFF | E, BZLD_SCOPE_CODE},
    {B(UNMATCHED_TRANSFERS), "unmatched_transfers", false, STAFF, BZLD_SCOPE_NONE},
    {B(SCRAP), "scrap", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(REJECT_DECLARATION), "reject", true, C | A, BZLD_SCOPE_NONE},
    {B(BACKUP), "backup", false, A | BK, BZLD_SCOPE_NONE}, /* the backup role: this alone */
    {B(STOCKTAKE), "stocktake", true, E | C | A, BZLD_SCOPE_BOOK},
    {B(RECONCILE), "reconcile", false, STAFF, BZLD_SCOPE_NONE},
    {B(SET_RATE), "set_rate", true, C | A, BZLD_SCOPE_NONE},
    {B(LIST_RATES), "list_rates", false, STAFF, BZLD_SCOPE_NONE},
    {B(RECORD_TRADE), "record_trade", true, C | A, BZLD_SCOPE_NONE},
    {B(REPORT), "report", false, STAFF, BZLD_SCOPE_NONE},
    /* bonded repair (issue 19): an enterprise's own repair book, customs reads overdue parts */
    {B(OPEN_WORKORDER), "open_workorder", true, E | A, BZLD_SCOPE_BOOK},
    {B(COMPLETE_WORKORDER), "complete_workorder", true, E | A, BZLD_SCOPE_BOOK},
    {B(LIST_WORKORDERS), "list_workorders", false, STAFF | E, BZLD_SCOPE_BOOK},
    {B(REPAIR_OVERDUE), "repair_overdue", false, STAFF, BZLD_SCOPE_NONE},
    /* transfer deliveries: each side records its own register; the report is staff work */
    {B(RECORD_DELIVERY), "record_delivery", true, E | A, BZLD_SCOPE_BOOK},
    {B(TRANSFERS_REPORT), "transfers_report", false, STAFF, BZLD_SCOPE_NONE},
    {B(SET_TARIFF), "set_tariff", true, C | A, BZLD_SCOPE_NONE},
    {B(LIST_TARIFFS), "list_tariffs", false, STAFF, BZLD_SCOPE_NONE},
    {B(SET_INTEREST_RATE), "set_interest_rate", true, C | A, BZLD_SCOPE_NONE},
    {B(LIST_INTEREST_RATES), "list_interest_rates", false, STAFF, BZLD_SCOPE_NONE},
    {B(TAX_SHOW), "tax_show", false, STAFF | E, BZLD_SCOPE_CODE},
    {B(TAX_COMPARE), "tax_compare", false, STAFF | E, BZLD_SCOPE_CODE},
    {B(TAX_REPORT), "tax_report", false, STAFF, BZLD_SCOPE_NONE},
    {B(SET_LOT_METHOD), "set_lot_method", true, E | C | A, BZLD_SCOPE_BOOK},
    {B(LIST_LOTS), "list_lots", false, STAFF | E, BZLD_SCOPE_BOOK},
    /* an unsent declaration quoted: the handler scopes it like a submission (its enterprise
     * and book) */
    {B(TAX_QUOTE), "tax_quote", false, STAFF | E, BZLD_SCOPE_HANDLER},
    {B(REPLACE_DECLARATION), "replace_declaration", true, E | A, BZLD_SCOPE_HANDLER},
    /* customs receipts: customs' own word on a list; the INV211 differences are staff work */
    {B(APPLY_RECEIPT), "apply_receipt", true, C | A, BZLD_SCOPE_NONE},
    {B(RECEIPT_DIFF), "receipt_diff", false, STAFF, BZLD_SCOPE_NONE},
};

static const expect *
expected_of(int body)
{
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        if (expected[i].body == body) {
            return &expected[i];
        }
    }
    return NULL;
}

START_TEST(requests_every_oneof_field_has_exactly_one_row)
{
    const ProtobufCMessageDescriptor *md = &bzl__v1__request__descriptor;
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    size_t fields = 0;
    for (unsigned f = 0; f < md->n_fields; f++) {
        const ProtobufCFieldDescriptor *fd = &md->fields[f];
        if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0) {
            continue;
        }
        fields++;
        unsigned matches = 0;
        for (size_t i = 0; i < n; i++) {
            matches += rows[i].body == (Bzl__V1__Request__BodyCase)fd->id;
        }
        ck_assert_msg(matches == 1, "request kind %s (field %u) has %u rows", fd->name, fd->id,
                      matches);
        ck_assert(bzld_request_of((Bzl__V1__Request__BodyCase)fd->id)->handle != NULL);
    }
    ck_assert_uint_eq(fields, n);
    char why[256] = "";
    ck_assert_msg(bzld_requests_check(why, sizeof why), "%s", why);
}
END_TEST

START_TEST(requests_unknown_body_is_admin_only_and_reads)
{
    const bzld_request *r = bzld_request_of(BZL__V1__REQUEST__BODY__NOT_SET);
    ck_assert_str_eq(r->name, "unknown");
    ck_assert_uint_eq(r->roles, A);
    ck_assert(!r->write);
    ck_assert(r->handle != NULL);
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    ck_assert(!bzld_dispatch_is_write(&req));
}
END_TEST

START_TEST(requests_write_kinds_match_the_writer)
{
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    for (size_t i = 0; i < n; i++) {
        const expect *e = expected_of(rows[i].body);
        ck_assert_msg(e != NULL, "row %s is not in this test's matrix", rows[i].name);
        ck_assert_msg(rows[i].write == e->write, "%s: write %d", rows[i].name, rows[i].write);
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = rows[i].body;
        ck_assert_msg(bzld_dispatch_is_write(&req) == e->write, "%s: dispatch disagrees",
                      rows[i].name);
    }
}
END_TEST

START_TEST(requests_rows_grant_the_matrix_roles_and_scope)
{
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    ck_assert_uint_eq(n, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < n; i++) {
        const expect *e = expected_of(rows[i].body);
        ck_assert_ptr_nonnull(e);
        ck_assert_str_eq(rows[i].name, e->name);
        ck_assert_msg(rows[i].roles == e->roles, "%s: roles %#x, expected %#x", e->name,
                      rows[i].roles, e->roles);
        ck_assert_msg(rows[i].scope == e->scope, "%s: scope %d, expected %d", e->name,
                      rows[i].scope, e->scope);
    }
}
END_TEST

START_TEST(requests_scoped_rows_have_key_and_missing_and_staff_rows_no_enterprise)
{
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    for (size_t i = 0; i < n; i++) {
        const bzld_request *r = &rows[i];
        if (r->scope == BZLD_SCOPE_CODE || r->scope == BZLD_SCOPE_BOOK) {
            ck_assert_msg(r->key != NULL && r->missing != NULL, "%s", r->name);
        }
        if (r->scope == BZLD_SCOPE_NONE) {
            ck_assert_msg((r->roles & E) == 0, "%s grants enterprises an unscoped kind", r->name);
        }
    }
}
END_TEST

/* The not-found words of each scoped kind, for a record named MISSING: what its handler (or
 * storage) says of a missing one, word for word (tests/daemon/check_access.c compares them
 * against a running daemon). */
START_TEST(requests_missing_words_are_the_not_found_texts)
{
    static char book[] = "H72012499998", ent[] = "6201239998", id[] = "NO-SUCH";
    Bzl__V1__GetEnterprise ge = BZL__V1__GET_ENTERPRISE__INIT;
    ge.code = ent;
    Bzl__V1__GetBook gb = BZL__V1__GET_BOOK__INIT;
    gb.book = book;
    Bzl__V1__GetItem gi = BZL__V1__GET_ITEM__INIT;
    gi.book = book;
    gi.kind = BZL__V1__KIND__KIND_MATERIAL;
    gi.item = 1;
    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    qb.book = book;
    Bzl__V1__DeclarationRef ref = BZL__V1__DECLARATION_REF__INIT;
    ref.enterprise = ent;
    ref.id = id;
    Bzl__V1__GetDeclaration gd = BZL__V1__GET_DECLARATION__INIT;
    gd.enterprise = ent;
    gd.id = id;
    Bzl__V1__SubmitStocktake st = BZL__V1__SUBMIT_STOCKTAKE__INIT;
    st.book = book;
    struct {
        Bzl__V1__Request req;
        const char *want;
    } cases[] = {
        {{.body_case = B(GET_ENTERPRISE), .get_enterprise = &ge},
         "enterprise 6201239998 does not exist"},
        {{.body_case = B(GET_BOOK), .get_book = &gb}, "book H72012499998 does not exist"},
        {{.body_case = B(GET_ITEM), .get_item = &gi},
         "item H72012499998 material 1 does not exist"},
        {{.body_case = B(BALANCES), .balances = &qb}, "book H72012499998 does not exist"},
        {{.body_case = B(LIST_NORMS)}, "the book does not exist"},
        {{.body_case = B(SCRAP)}, "the book does not exist"},
        {{.body_case = B(HISTORY)}, "the item does not exist"},
        {{.body_case = B(VOID_DECLARATION), .void_declaration = &ref},
         "enterprise 6201239998 has no declaration NO-SUCH"},
        {{.body_case = B(GET_DECLARATION), .get_declaration = &gd},
         "enterprise 6201239998 has no declaration NO-SUCH"},
        {{.body_case = B(STOCKTAKE), .stocktake = &st}, "book H72012499998 does not exist"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bzld_request *r = bzld_request_of(cases[i].req.body_case);
        ck_assert(r->missing != NULL);
        bzl_fault fault;
        memset(&fault, 0, sizeof fault);
        r->missing(&cases[i].req, &fault);
        ck_assert_str_eq(fault.message, cases[i].want);
    }
}
END_TEST

static Suite *
requests_suite(void)
{
    Suite *s = suite_create("requests");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, requests_every_oneof_field_has_exactly_one_row);
    tcase_add_test(tc, requests_unknown_body_is_admin_only_and_reads);
    tcase_add_test(tc, requests_write_kinds_match_the_writer);
    tcase_add_test(tc, requests_rows_grant_the_matrix_roles_and_scope);
    tcase_add_test(tc, requests_scoped_rows_have_key_and_missing_and_staff_rows_no_enterprise);
    tcase_add_test(tc, requests_missing_words_are_the_not_found_texts);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(requests_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
