/* check_access_rules.c — proves the rights decision (daemon/access.c bzld_access_decide) over
 * the request table, in-process: an unmapped peer is refused every kind; a role outside a row's
 * roles is refused it; an enterprise principal is let through to its own records, answered as
 * missing for another enterprise's and let through for a missing one (its handler answers), and
 * a malformed request about another's record goes to the handler as one about a missing record
 * would, so the answer never depends on who owns it. Books' owners come from a fixed map, not
 * a store. Also the principal's resolution from credentials. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "requests.h"

#define ENT_A "6201230001"
#define ENT_B "6201230002"
#define BOOK_A "H72012400001"
#define BOOK_B "H72012400002"
#define BOOK_MISSING "H72012499998"

static bool
owner_of(void *arg, const char *book_no, char owner[BZL_ENTERPRISE_CODE_LEN + 1])
{
    int *calls = arg;
    (*calls)++;
    if (strcmp(book_no, BOOK_A) == 0 || strcmp(book_no, BOOK_B) == 0) {
        snprintf(owner, BZL_ENTERPRISE_CODE_LEN + 1, "%s",
                 strcmp(book_no, BOOK_A) == 0 ? ENT_A : ENT_B);
        return true;
    }
    return false;
}

static bzld_principal
principal(uint8_t role)
{
    bzld_principal p;
    memset(&p, 0, sizeof p);
    p.role = role;
    if (role == BZLD_ROLE_ENTERPRISE) {
        p.n_enterprises = 1;
        snprintf(p.enterprises[0], sizeof p.enterprises[0], "%s", ENT_A);
    }
    return p;
}

/* A request of each scoped kind naming enterprise ent and book book. */
typedef struct req_buf {
    Bzl__V1__GetEnterprise ge;
    Bzl__V1__GetBook gb;
    Bzl__V1__GetItem gi;
    Bzl__V1__ListItems li;
    Bzl__V1__QueryBalances qb;
    Bzl__V1__ListNorms ln;
    Bzl__V1__DeclarationRef ref;
    Bzl__V1__QueryHistory qh;
    Bzl__V1__GetDeclaration gd;
    Bzl__V1__QueryScrap qs;
    Bzl__V1__StocktakeLine sl;
    Bzl__V1__StocktakeLine *sls[1];
    Bzl__V1__SubmitStocktake st;
    Bzl__V1__OpenWorkOrder ow;
    Bzl__V1__CompleteWorkOrder cw;
    Bzl__V1__ListWorkOrders lw;
    Bzl__V1__RecordDelivery rd;
    Bzl__V1__TaxQuery tq;
    Bzl__V1__SetLotMethod slm;
    Bzl__V1__ListLots ll;
    Bzl__V1__Request req;
} req_buf;

static void
build(req_buf *b, Bzl__V1__Request__BodyCase body, const char *ent, const char *book)
{
    memset(b, 0, sizeof *b);
    bzl__v1__request__init(&b->req);
    b->req.body_case = body;
    char *e = (char *)ent, *k = (char *)book;
    switch (body) {
    case BZL__V1__REQUEST__BODY_GET_ENTERPRISE:
        bzl__v1__get_enterprise__init(&b->ge);
        b->ge.code = e;
        b->req.get_enterprise = &b->ge;
        break;
    case BZL__V1__REQUEST__BODY_GET_BOOK:
        bzl__v1__get_book__init(&b->gb);
        b->gb.book = k;
        b->req.get_book = &b->gb;
        break;
    case BZL__V1__REQUEST__BODY_GET_ITEM:
        bzl__v1__get_item__init(&b->gi);
        b->gi.book = k;
        b->gi.kind = BZL__V1__KIND__KIND_MATERIAL;
        b->gi.item = 1;
        b->req.get_item = &b->gi;
        break;
    case BZL__V1__REQUEST__BODY_LIST_ITEMS:
        bzl__v1__list_items__init(&b->li);
        b->li.book = k;
        b->req.list_items = &b->li;
        break;
    case BZL__V1__REQUEST__BODY_BALANCES:
        bzl__v1__query_balances__init(&b->qb);
        b->qb.book = k;
        b->req.balances = &b->qb;
        break;
    case BZL__V1__REQUEST__BODY_LIST_NORMS:
        bzl__v1__list_norms__init(&b->ln);
        b->ln.book = k;
        b->req.list_norms = &b->ln;
        break;
    case BZL__V1__REQUEST__BODY_VOID_DECLARATION:
        bzl__v1__declaration_ref__init(&b->ref);
        b->ref.enterprise = e;
        b->ref.id = "D-1";
        b->req.void_declaration = &b->ref;
        break;
    case BZL__V1__REQUEST__BODY_HISTORY:
        bzl__v1__query_history__init(&b->qh);
        b->qh.book = k;
        b->qh.kind = BZL__V1__KIND__KIND_MATERIAL;
        b->qh.item = 1;
        b->req.history = &b->qh;
        break;
    case BZL__V1__REQUEST__BODY_GET_DECLARATION:
        bzl__v1__get_declaration__init(&b->gd);
        b->gd.enterprise = e;
        b->gd.id = "D-1";
        b->req.get_declaration = &b->gd;
        break;
    case BZL__V1__REQUEST__BODY_SCRAP:
        bzl__v1__query_scrap__init(&b->qs);
        b->qs.book = k;
        b->req.scrap = &b->qs;
        break;
    case BZL__V1__REQUEST__BODY_OPEN_WORKORDER:
        bzl__v1__open_work_order__init(&b->ow);
        b->ow.book = k;
        b->ow.item = 1;
        b->ow.origin = "abroad";
        b->ow.date = "2026-03-31";
        b->req.open_workorder = &b->ow;
        break;
    case BZL__V1__REQUEST__BODY_COMPLETE_WORKORDER:
        bzl__v1__complete_work_order__init(&b->cw);
        b->cw.book = k;
        b->cw.workorder = 1;
        b->cw.date = "2026-03-31";
        b->req.complete_workorder = &b->cw;
        break;
    case BZL__V1__REQUEST__BODY_RECORD_DELIVERY:
        bzl__v1__record_delivery__init(&b->rd);
        b->rd.book = k;
        b->rd.counterpart_book = "H72012400055";
        b->rd.kind = BZL__V1__KIND__KIND_PRODUCT;
        b->rd.item = 1;
        b->rd.qty = "1";
        b->rd.date = "2026-03-31";
        b->req.record_delivery = &b->rd;
        break;
    case BZL__V1__REQUEST__BODY_LIST_WORKORDERS:
        bzl__v1__list_work_orders__init(&b->lw);
        b->lw.book = k;
        b->req.list_workorders = &b->lw;
        break;
    case BZL__V1__REQUEST__BODY_STOCKTAKE:
        bzl__v1__stocktake_line__init(&b->sl);
        b->sl.kind = BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL;
        b->sl.item = 1;
        b->sl.qty = "1";
        b->sls[0] = &b->sl;
        bzl__v1__submit_stocktake__init(&b->st);
        b->st.book = k;
        b->st.date = "2026-03-31";
        b->st.n_lines = 1;
        b->st.lines = b->sls;
        b->req.stocktake = &b->st;
        break;
    case BZL__V1__REQUEST__BODY_TAX_SHOW:
    case BZL__V1__REQUEST__BODY_TAX_COMPARE:
        bzl__v1__tax_query__init(&b->tq);
        b->tq.enterprise = e;
        b->tq.id = "D-1";
        b->req.tax_show = &b->tq; /* one oneof: tax_compare is the same pointer */
        break;
    case BZL__V1__REQUEST__BODY_SET_LOT_METHOD:
        bzl__v1__set_lot_method__init(&b->slm);
        b->slm.book = k;
        b->slm.method = "AVERAGE";
        b->req.set_lot_method = &b->slm;
        break;
    case BZL__V1__REQUEST__BODY_LIST_LOTS:
        bzl__v1__list_lots__init(&b->ll);
        b->ll.book = k;
        b->req.list_lots = &b->ll;
        break;
    default:
        break; /* unscoped kinds: the body is never read by the decision */
    }
}

static const bzld_request_limits lim = {.decl_lines_max = 10};

static bzld_access_verdict
decide(uint8_t role, const bzld_request *row, const char *ent, const char *book)
{
    req_buf b;
    build(&b, row->body, ent, book);
    bzld_principal p = principal(role);
    int calls = 0;
    return bzld_access_decide(&p, row, &b.req, &lim, owner_of, &calls);
}

START_TEST(access_unmapped_peer_is_refused_every_kind)
{
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(decide(BZLD_ROLE_NONE, &rows[i], ENT_A, BOOK_A), BZLD_ACCESS_UNMAPPED);
    }
}
END_TEST

START_TEST(access_a_role_outside_the_row_is_denied_and_inside_allowed_for_staff)
{
    static const uint8_t staff[] = {BZLD_ROLE_ADMIN, BZLD_ROLE_CUSTOMS, BZLD_ROLE_RECONCILER};
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof staff; k++) {
            bool granted = (rows[i].roles & BZLD_ROLE_BIT(staff[k])) != 0;
            /* Staff see every enterprise: scope never stops them. */
            ck_assert_int_eq(decide(staff[k], &rows[i], ENT_B, BOOK_B),
                             granted ? BZLD_ACCESS_ALLOW : BZLD_ACCESS_DENIED);
        }
    }
    ck_assert_int_eq(
        decide(BZLD_ROLE_CUSTOMS, bzld_request_of(BZL__V1__REQUEST__BODY__NOT_SET), ENT_A, BOOK_A),
        BZLD_ACCESS_DENIED);
    ck_assert_int_eq(
        decide(BZLD_ROLE_ADMIN, bzld_request_of(BZL__V1__REQUEST__BODY__NOT_SET), ENT_A, BOOK_A),
        BZLD_ACCESS_ALLOW);
}
END_TEST

START_TEST(access_an_enterprise_sees_its_own_records_and_not_anothers)
{
    size_t n = 0;
    const bzld_request *rows = bzld_requests(&n);
    unsigned scoped = 0;
    for (size_t i = 0; i < n; i++) {
        const bzld_request *r = &rows[i];
        if ((r->roles & BZLD_ROLE_BIT(BZLD_ROLE_ENTERPRISE)) == 0) {
            ck_assert_int_eq(decide(BZLD_ROLE_ENTERPRISE, r, ENT_A, BOOK_A), BZLD_ACCESS_DENIED);
            continue;
        }
        ck_assert_msg(decide(BZLD_ROLE_ENTERPRISE, r, ENT_A, BOOK_A) == BZLD_ACCESS_ALLOW, "%s own",
                      r->name);
        if (r->scope == BZLD_SCOPE_CODE || r->scope == BZLD_SCOPE_BOOK) {
            scoped++;
            ck_assert_msg(decide(BZLD_ROLE_ENTERPRISE, r, ENT_B, BOOK_B) == BZLD_ACCESS_FOREIGN,
                          "%s other", r->name);
        } else {
            /* SCOPE_HANDLER: the handler filters (a listing) or refuses per declaration. */
            ck_assert_int_eq(decide(BZLD_ROLE_ENTERPRISE, r, ENT_B, BOOK_B), BZLD_ACCESS_ALLOW);
        }
        if (r->scope == BZLD_SCOPE_BOOK) {
            /* A missing book is answered as another's is, on the same path (finding 5). */
            ck_assert_int_eq(decide(BZLD_ROLE_ENTERPRISE, r, ENT_A, BOOK_MISSING),
                             BZLD_ACCESS_FOREIGN);
        }
    }
    /* the eleven kinds check_access's matrix names as scoped, the three work-order kinds,
     * record_delivery, tax show and compare, set_lot_method and list_lots */
    ck_assert_uint_eq(scoped, 19);
}
END_TEST

START_TEST(access_a_malformed_request_about_anothers_record_goes_to_the_handler)
{
    req_buf b;
    bzld_principal p = principal(BZLD_ROLE_ENTERPRISE);
    int calls = 0;
    const bzld_request *history = bzld_request_of(BZL__V1__REQUEST__BODY_HISTORY);
    build(&b, history->body, ENT_B, BOOK_B);
    b.qh.from = "2026-02-30";
    ck_assert_int_eq(bzld_access_decide(&p, history, &b.req, &lim, owner_of, &calls),
                     BZLD_ACCESS_ALLOW);
    ck_assert_int_eq(calls, 0); /* decided before any read */
    const bzld_request *stocktake = bzld_request_of(BZL__V1__REQUEST__BODY_STOCKTAKE);
    build(&b, stocktake->body, ENT_B, BOOK_B);
    b.sl.kind = (Bzl__V1__StocktakeKind)9; /* no such kind */
    ck_assert_int_eq(bzld_access_decide(&p, stocktake, &b.req, &lim, owner_of, &calls),
                     BZLD_ACCESS_ALLOW);
    build(&b, stocktake->body, ENT_B, BOOK_B);
    b.st.n_lines = 1;
    const bzld_request_limits none = {.decl_lines_max = 0}; /* over the line limit */
    ck_assert_int_eq(bzld_access_decide(&p, stocktake, &b.req, &none, owner_of, &calls),
                     BZLD_ACCESS_ALLOW);
    ck_assert_int_eq(calls, 0);
    /* Well formed, it is another's: answered as missing, after one read of the owner. */
    ck_assert_int_eq(bzld_access_decide(&p, stocktake, &b.req, &lim, owner_of, &calls),
                     BZLD_ACCESS_FOREIGN);
    ck_assert_int_eq(calls, 1);
    /* A book no one opened takes that very path (finding 5): one read, answered as missing. */
    build(&b, stocktake->body, ENT_A, "H72012409999");
    ck_assert_int_eq(bzld_access_decide(&p, stocktake, &b.req, &lim, owner_of, &calls),
                     BZLD_ACCESS_FOREIGN);
    ck_assert_int_eq(calls, 2);
}
END_TEST

START_TEST(access_resolve_prefers_uid_rules_and_the_most_privileged_staff_role)
{
    bzld_access_table t;
    bzld_access_table_init(&t);
    bzld_access_rule r = {.role = BZLD_ROLE_ENTERPRISE, .by_gid = true, .id = 500};
    snprintf(r.enterprise, sizeof r.enterprise, "%s", ENT_B);
    ck_assert_int_eq(bzld_access_table_add(&t, &r), BZL_OK);
    bzld_access_rule c = {.role = BZLD_ROLE_RECONCILER, .by_gid = false, .id = 42};
    ck_assert_int_eq(bzld_access_table_add(&t, &c), BZL_OK);
    c.role = BZLD_ROLE_CUSTOMS;
    ck_assert_int_eq(bzld_access_table_add(&t, &c), BZL_OK);
    bzld_principal p;
    bzld_access_resolve(&t, 42, 500, NULL, 0, 1000, &p);
    ck_assert_int_eq(p.role, BZLD_ROLE_CUSTOMS); /* uid rules win; customs over reconciler */
    ck_assert_uint_eq(p.n_enterprises, 0);
    bzld_access_resolve(&t, 77, 500, NULL, 0, 1000, &p);
    ck_assert_int_eq(p.role, BZLD_ROLE_ENTERPRISE);
    ck_assert(bzld_principal_sees(&p, ENT_B));
    ck_assert(!bzld_principal_sees(&p, ENT_A));
    bzld_access_resolve(&t, 1000, 1000, NULL, 0, 1000, &p);
    ck_assert_int_eq(p.role, BZLD_ROLE_ADMIN); /* the daemon's own uid, implicitly */
    bzld_access_resolve(&t, 78, 78, NULL, 0, 1000, &p);
    ck_assert_int_eq(p.role, BZLD_ROLE_NONE);
    bzld_access_table_deinit(&t);
}
END_TEST

static Suite *
access_suite(void)
{
    Suite *s = suite_create("access");
    TCase *tc = tcase_create("decisions");
    tcase_add_test(tc, access_unmapped_peer_is_refused_every_kind);
    tcase_add_test(tc, access_a_role_outside_the_row_is_denied_and_inside_allowed_for_staff);
    tcase_add_test(tc, access_an_enterprise_sees_its_own_records_and_not_anothers);
    tcase_add_test(tc, access_a_malformed_request_about_anothers_record_goes_to_the_handler);
    tcase_add_test(tc, access_resolve_prefers_uid_rules_and_the_most_privileged_staff_role);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(access_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
