/* check_ledger_storage.c — the bonded ledger in LMDB: norms and their immutability, export by
 * norm, two-phase declarations (post, void), reversal, period locks, scrap bounds, transfer
 * matching, period totals, and bzl_storage_verify_balances, including a balance tampered with
 * raw LMDB. The fixture is storage_fixture.h, shared with check_storage.c.
 *
 * Each test runs in a forked child with a fresh environment in its own mkdtemp directory under
 * one root per test case; the root is created and removed in the parent, so a failed test
 * leaves nothing behind either.
 */
#include "bzl/calendar.h"
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers (the shared fixture is in storage_fixture.h) ------------------------------ */

static bzl_norm
make_norm(uint32_t material, const char *version, int64_t net_e9, int64_t tangible_e9)
{
    bzl_norm n;
    memset(&n, 0, sizeof n);
    strcpy(n.book_no, BOOK);
    n.product = 1;
    n.material = material;
    strcpy(n.version, version);
    n.net_e9 = net_e9;
    n.tangible_e9 = tangible_e9;
    n.share_e9 = 1000000000;
    n.valid_from = bzl_date_from_civil(1990, 1, 1);
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    return n;
}

static bzl_status
set_norm(const bzl_norm *n)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, n, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r.status;
}

/* The norm of product 1 version v1 in BOOK (seed): material 1 net 0.95 at 5% tangible loss
 * (单耗 1), material 2 net 2 (单耗 2). */
static void
seed_norms(void)
{
    bzl_norm n1 = make_norm(1, "v1", 950000000, 5000000000);
    bzl_norm n2 = make_norm(2, "v1", 2000000000, 0);
    ck_assert_int_eq(set_norm(&n1), BZL_OK);
    ck_assert_int_eq(set_norm(&n2), BZL_OK);
}

/* A one-line declaration. */
static void
make_decl(bzl_declaration *d, bzl_decl_line *line, const char *id, bzl_kind kind, bzl_direction dir,
          const char *mode, uint32_t item, int64_t qty_e5)
{
    memset(d, 0, sizeof *d);
    memset(line, 0, sizeof *line);
    snprintf(d->id, sizeof d->id, "%s", id);
    strcpy(d->enterprise, ENT);
    strcpy(d->book_no, BOOK);
    d->kind = (uint8_t)kind;
    d->direction = (uint8_t)dir;
    strcpy(d->trade_mode, mode);
    d->date = DAYS_2026_03_15;
    d->line_count = 1;
    d->lines = line;
    line->item_no = item;
    line->qty_e5 = qty_e5;
    line->value_e5 = E5(10);
    strcpy(line->unit, "035");
    strcpy(line->currency, "502");
    ck_assert_int_eq(bzl_decl_check_fields(d, BZL_DECL_LINES_DEFAULT, NULL), BZL_OK);
}

static bzl_status
submit(const bzl_declaration *d, bzl_submit_result *r)
{
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, d, &actor, r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r->status;
}

/* Imports 10000 of material 1 and 5000 of material 2. */
static void
seed_stock(void)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    make_decl(&d, &l, "IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 1, E5(10000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    make_decl(&d, &l, "IMP-2", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(5000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
}

static bzl_status
act(const char *what, const char *id, bzl_action_result *r)
{
    bzl_txn *t = write_txn();
    bzl_status st = BZL_OK;
    if (strcmp(what, "post") == 0) {
        st = bzl_storage_post(t, ENT, id, &actor, r);
    } else if (strcmp(what, "void") == 0) {
        st = bzl_storage_void(t, ENT, id, false, "", &actor, r);
    } else {
        st = bzl_storage_reverse(t, ENT, id, "wrong quantity", &actor, r);
    }
    ck_assert_int_eq(st, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r->status;
}

static void
verify_ok(void)
{
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_verify_balances(t, &rep);
    bzl_txn_abort(t);
    ck_assert_msg(st == BZL_OK, "verify: %s %s", bzl_status_name(st), rep.message);
    ck_assert(!rep.mismatch);
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* An export of 1000 by v1 consumes 1000 of material 1 (with 50 of scrap allowance) and 2000 of
 * material 2, writes the March period totals, freezes v1, and verify_balances agrees. */
START_TEST(export_consumes_by_norm_and_freezes_the_version)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(1000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(9000));
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).qty_e5, E5(3000));
    ck_assert_int_eq(balance_of(BZL_KIND_PRODUCT, 1).qty_e5, 0);
    int64_t q = 0;
    int64_t v = 0;
    bzl_scrap_row rows[4];
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_total_get(t, BOOK, BZL_KIND_MATERIAL, 1, 202603,
                                           BZL_CATEGORY_CONSUMPTION, &q, &v),
                     BZL_OK);
    ck_assert_int_eq(q, E5(1000));
    ck_assert_int_eq(
        bzl_storage_total_get(t, BOOK, BZL_KIND_PRODUCT, 1, 202603, BZL_FLOW_PROD_EXPORT, &q, &v),
        BZL_OK);
    ck_assert_int_eq(q, E5(1000));
    ck_assert_int_eq(bzl_storage_scrap_list(t, BOOK, 0, 0, rows, 4, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(rows[0].scrap.generated_e5, E5(50));
    /* Paging on after the only material, or after any possible item number, finds nothing. */
    ck_assert_int_eq(bzl_storage_scrap_list(t, BOOK, 0, 1, rows, 4, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(bzl_storage_scrap_list(t, BOOK, 0, UINT32_MAX, rows, 4, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    bzl_txn_abort(t);
    bzl_norm changed = make_norm(1, "v1", 960000000, 5000000000);
    ck_assert_int_eq(set_norm(&changed), BZL_STATE_CONFLICT);
    bzl_norm v2 = make_norm(1, "v2", 960000000, 5000000000);
    ck_assert_int_eq(set_norm(&v2), BZL_OK);
    verify_ok();
}
END_TEST

/* An export with no norm in force is NORM_MISSING and writes nothing. */
START_TEST(export_without_norm_is_refused_and_writes_nothing)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    seed();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(1));
    ck_assert_int_eq(submit(&d, &r), BZL_NORM_MISSING);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10000));
}
END_TEST

/* A pending import reserves pending in; post moves it to posted (replaying on a second post);
 * a pending outflow voided gives its reservation back; voiding a posted one is a conflict. */
START_TEST(pending_is_posted_or_voided)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_stock();
    make_decl(&d, &l, "P-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(1000));
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).pending_in_e5, E5(1000));
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).qty_e5, E5(5000));
    ck_assert_int_eq(act("post", "P-1", &a), BZL_OK);
    ck_assert_uint_eq(a.state, BZL_DECL_POSTED);
    uint64_t post_seq = a.seq;
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).pending_in_e5, 0);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).qty_e5, E5(6000));
    ck_assert_int_eq(act("post", "P-1", &a), BZL_OK);
    ck_assert(a.replayed);
    ck_assert_uint_eq(a.seq, post_seq);
    ck_assert_int_eq(act("void", "P-1", &a), BZL_STATE_CONFLICT);
    make_decl(&d, &l, "P-2", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(400));
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_out_e5, E5(400));
    ck_assert_int_eq(act("void", "P-2", &a), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_out_e5, 0);
    ck_assert_int_eq(act("post", "P-2", &a), BZL_STATE_CONFLICT);
    verify_ok();
}
END_TEST

/* The rows of one item's history, in a read transaction of their own. */
static bzl_status
history_of(uint32_t item, int32_t from, int32_t to, uint64_t after, bzl_history_row *out,
           size_t cap, size_t *n, bool *more)
{
    bzl_txn *t = read_txn();
    bzl_status st =
        bzl_storage_history(t, BOOK, BZL_KIND_MATERIAL, item, from, to, after, out, cap, n, more);
    bzl_txn_abort(t);
    return st;
}

/* History lists one item's movements oldest first, each with the balance after it counted from
 * the item's first row, whatever page or date window is asked for; movements of other items
 * and entries that move nothing of this item are absent. Pages follow on from after_seq. */
START_TEST(history_pages_one_items_movements_with_running_balances)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    int32_t april = DAYS_2026_03_15 + 17;
    seed();
    seed_stock(); /* IMP-1: material 1 +10000 (March) */
    make_decl(&d, &l, "OUT-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(300));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    uint64_t out1 = r.seq;
    make_decl(&d, &l, "OTHER", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(1));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    make_decl(&d, &l, "IMP-3", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 1, E5(700));
    d.date = april + 3;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    uint64_t imp3 = r.seq;
    make_decl(&d, &l, "P-4", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 1, E5(700));
    d.date = april + 3;
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    uint64_t p4 = r.seq;
    ck_assert_int_eq(act("void", "P-4", &a), BZL_OK); /* releases the reservation */
    uint64_t void4 = a.seq;
    ck_assert_int_eq(act("reverse", "IMP-3", &a), BZL_OK); /* dated as IMP-3 */
    uint64_t rev3 = a.seq;
    make_decl(&d, &l, "OUT-5", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(1000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK); /* March again: the period is open */
    uint64_t out5 = r.seq;
    /* Seven rows of material 1, oldest first; OTHER (material 2) is not among them. */
    const uint64_t seq[7] = {SEED_ENTRIES + 1, out1, imp3, p4, void4, rev3, out5};
    const int64_t qty[7] = {E5(10000), -E5(300), E5(700), 0, 0, -E5(700), -E5(1000)};
    const int64_t pin[7] = {0, 0, 0, E5(700), -E5(700), 0, 0};
    const int64_t run[7] = {E5(10000), E5(9700), E5(10400), E5(10400),
                            E5(10400), E5(9700), E5(8700)};
    bzl_history_row rows[8];
    size_t n = 0;
    bool more = true;
    ck_assert_int_eq(history_of(1, INT32_MIN, INT32_MAX, 0, rows, 8, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 7);
    ck_assert(!more);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_uint_eq(rows[i].seq, seq[i]);
        ck_assert_int_eq(rows[i].qty_e5, qty[i]);
        ck_assert_int_eq(rows[i].pending_in_e5, pin[i]);
        ck_assert_int_eq(rows[i].running_e5, run[i]);
    }
    ck_assert_str_eq(rows[0].id, "IMP-1");
    ck_assert_str_eq(rows[4].id, "P-4");
    ck_assert_uint_eq(rows[5].entry_type, 7); /* reverse */
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, run[6]);
    /* Pages of two follow on from the last seq shown and keep the running balance. */
    bzl_history_row page[2];
    uint64_t after = 0;
    for (size_t at = 0; at < 7; at += 2) {
        ck_assert_int_eq(history_of(1, INT32_MIN, INT32_MAX, after, page, 2, &n, &more), BZL_OK);
        ck_assert_uint_eq(n, at + 2 <= 7 ? 2 : 1);
        ck_assert(more == (at + 2 < 7));
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_eq(page[i].seq, seq[at + i]);
            ck_assert_int_eq(page[i].running_e5, run[at + i]);
        }
        after = page[n - 1].seq;
    }
    /* A date window keeps the running balance counted from the item's first row. */
    ck_assert_int_eq(history_of(1, april, INT32_MAX, 0, rows, 8, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_uint_eq(rows[i].seq, seq[2 + i]);
        ck_assert_int_eq(rows[i].running_e5, run[2 + i]);
    }
    ck_assert_int_eq(history_of(1, INT32_MIN, april - 1, out1, rows, 8, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(rows[0].seq, out5);
    ck_assert_int_eq(rows[0].running_e5, E5(8700));
    /* A material the book does not have is NOT_FOUND. */
    ck_assert_int_eq(history_of(3, INT32_MIN, INT32_MAX, 0, rows, 8, &n, &more), BZL_NOT_FOUND);
    verify_ok();
}
END_TEST

/* A history row removed from the middle of an item's chain is damage, named CORRUPT, not a
 * shorter history with wrong running balances. */
START_TEST(history_with_a_broken_chain_is_corrupt)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    seed();
    seed_stock();
    make_decl(&d, &l, "OUT-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(300));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    bzl_history_row rows[4];
    size_t n = 0;
    bool more = false;
    ck_assert_int_eq(history_of(1, INT32_MIN, INT32_MAX, 0, rows, 4, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 2);
    uint8_t key[13] = {0}; /* seq | kind | item, big-endian: IMP-1's row of material 1 */
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(rows[0].seq >> (8 * (7 - i)));
    }
    key[8] = BZL_KIND_MATERIAL;
    key[12] = 1;
    forge("history", key, sizeof key, NULL, 0);
    open_with(0, 0);
    ck_assert_int_eq(history_of(1, INT32_MIN, INT32_MAX, 0, rows, 4, &n, &more), BZL_CORRUPT);
    ck_assert_int_eq(history_of(2, INT32_MIN, INT32_MAX, 0, rows, 4, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 1); /* material 2's chain is untouched */
}
END_TEST

/* bzl verify walks every item's history chain: a history row altered (_i 0), removed (1) or
 * added outside any chain (2) is reported, naming the item, though the balances and the
 * journal are untouched. */
START_TEST(verify_finds_a_tampered_history_row)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    seed();
    seed_stock();
    make_decl(&d, &l, "OUT-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(300));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    verify_ok();
    uint64_t seq = r.seq; /* OUT-1's row of material 1: the newest of its chain */
    uint8_t key[13] = {0};
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(seq >> (8 * (7 - i)));
    }
    key[8] = BZL_KIND_MATERIAL;
    key[12] = 1;
    /* prev_seq | type | flow | date | qty | pending in | pending out | id_len | id */
    uint8_t val[8 + 1 + 1 + 4 + 24 + 1 + 5] = {0};
    uint64_t prev = SEED_ENTRIES + 1; /* IMP-1 */
    for (int i = 0; i < 8; i++) {
        val[i] = (uint8_t)(prev >> (8 * i));
    }
    val[8] = 4; /* declaration */
    int64_t qty = -E5(299);
    for (int i = 0; i < 8; i++) {
        val[14 + i] = (uint8_t)((uint64_t)qty >> (8 * i));
    }
    val[38] = 5;
    memcpy(val + 39, "OUT-1", 5);
    if (_i == 0) {
        forge("history", key, sizeof key, val, sizeof val);
    } else if (_i == 1) {
        forge("history", key, sizeof key, NULL, 0);
    } else {
        key[7] ^= 0x40; /* an entry that never touched the item */
        forge("history", key, sizeof key, val, sizeof val);
    }
    open_with(0, 0);
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &rep), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert(rep.mismatch);
    if (_i == 0) {
        ck_assert_str_eq(rep.field, "history_qty");
        ck_assert_int_eq(rep.stored_e5, E5(10000) - E5(299));
        ck_assert_int_eq(rep.recomputed_e5, E5(9700));
        ck_assert_uint_eq(rep.item_no, 1);
    } else if (_i == 1) {
        ck_assert_str_eq(rep.field, "history");
        ck_assert_uint_eq(rep.item_no, 1);
        ck_assert_ptr_nonnull(strstr(rep.message, "chain breaks at the row of entry"));
    } else {
        ck_assert_str_eq(rep.field, "history");
        ck_assert_ptr_nonnull(strstr(rep.message, "chains reach"));
    }
}
END_TEST

/* A reversal negates the posted effects exactly, a second reversal is STATE_CONFLICT, and a
 * reversal that would take back what has moved on is INSUFFICIENT_BALANCE. */
START_TEST(reversal_negates_once)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_stock();
    make_decl(&d, &l, "OUT-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 1, E5(300));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(act("reverse", "OUT-1", &a), BZL_OK);
    ck_assert_uint_eq(a.state, BZL_DECL_REVERSED);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10000));
    ck_assert_int_eq(act("reverse", "OUT-1", &a), BZL_STATE_CONFLICT);
    make_decl(&d, &l, "OUT-2", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0664", 2, E5(5000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(act("reverse", "IMP-2", &a), BZL_INSUFFICIENT_BALANCE);
    verify_ok();
}
END_TEST

/* The audit trail reads each customs action as a sentence naming the declaration, its
 * enterprise and book, and the reason typed; period closes, norms and mode events alike. A
 * reason longer than the line is cut at a character boundary, never inside one. */
START_TEST(audit_lines_name_actions_records_and_reasons)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "P-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(1000));
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(act("post", "P-1", &a), BZL_OK);
    make_decl(&d, &l, "P-22", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(10));
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    char long_reason[400] = "";
    for (size_t i = 0; i + 3 < sizeof long_reason; i += 3) {
        memcpy(long_reason + i, "错", 3); /* 3 bytes each: a cut lands inside one unless trimmed */
    }
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_void(t, ENT, "P-22", true, long_reason, &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_storage_reverse(t, ENT, "IMP-1", "录入错误", &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, DAYS_2026_03_15 - 30, &actor, &a), BZL_OK);
    ck_assert_int_eq(
        bzl_storage_item_mode_set(t, BOOK, 1, BZL_BIZ_ODM, DAYS_2026_03_15, &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);

    bzl_audit_row rows[32];
    size_t n = 0;
    uint64_t next = 0;
    bool more = false;
    bzl_audit_filter f = {0};
    t = read_txn();
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, rows, 32, &n, &next, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!more);
    char want[5][128];
    snprintf(want[0], sizeof want[0], "norm %s product 1 material 1 version v1", BOOK);
    snprintf(want[1], sizeof want[1], "post P-1 of %s book %s", ENT, BOOK);
    snprintf(want[2], sizeof want[2], "reverse IMP-1 of %s book %s: 录入错误", ENT, BOOK);
    snprintf(want[3], sizeof want[3], "period close %s through 2026-02-13", BOOK);
    snprintf(want[4], sizeof want[4], "item mode %s product 1: ODM from 2026-03-15", BOOK);
    for (size_t w = 0; w < BZL_ARRAY_LEN(want); w++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            found = strcmp(rows[i].summary, want[w]) == 0;
        }
        ck_assert_msg(found, "no audit line \"%s\"", want[w]);
    }
    const char *rejected = NULL;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(strstr(rows[i].summary, "payload bytes") == NULL, "opaque line: %s",
                      rows[i].summary);
        rejected =
            strncmp(rows[i].summary, "reject P-22 of ", 15) == 0 ? rows[i].summary : rejected;
    }
    char head[128];
    snprintf(head, sizeof head, "reject P-22 of %s book %s: ", ENT, BOOK);
    ck_assert_ptr_nonnull(rejected);
    ck_assert_int_eq(strncmp(rejected, head, strlen(head)), 0);
    size_t len = strlen(rejected);
    ck_assert_uint_ge(len, BZL_AUDIT_SUMMARY_BYTES - 3); /* cut short of the line's end … */
    ck_assert_uint_eq((len - strlen(head)) % 3, 0);      /* … after a whole character */
}
END_TEST

static bool
only_other(void *arg, const char *enterprise)
{
    return strcmp(arg, enterprise) == 0;
}

/* The queue lists declarations oldest-submitted first with their state now; filters by state,
 * book, dates and trade mode; pages on with the cursor across a page boundary without loss or
 * repeat; and a visible() that refuses the enterprise leaves nothing, as if it did not exist. */
START_TEST(declaration_queue_lists_filters_and_pages)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock(); /* IMP-1, IMP-2: posted */
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "Q-%d", i);
        make_decl(&d, &l, id, BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(1));
        d.pending = true;
        d.date = DAYS_2026_03_15 + i;
        ck_assert_int_eq(submit(&d, &r), BZL_OK);
    }
    ck_assert_int_eq(act("post", "Q-1", &a), BZL_OK);
    ck_assert_int_eq(act("void", "Q-3", &a), BZL_OK);

    bzl_decl_row rows[8];
    size_t n = 0;
    uint64_t next = 0;
    bool more = false;
    bzl_decl_filter f = {.from = INT32_MIN, .to = INT32_MAX, .state = BZL_DECL_PENDING};
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(!more);
    ck_assert_str_eq(rows[0].id, "Q-0"); /* oldest first */
    ck_assert_str_eq(rows[1].id, "Q-2");
    ck_assert_str_eq(rows[2].id, "Q-4");
    ck_assert_uint_eq(rows[0].state, BZL_DECL_PENDING);
    ck_assert_str_eq(rows[0].book_no, BOOK);
    ck_assert_str_eq(rows[0].trade_mode, "5015");
    ck_assert_uint_eq(rows[0].line_count, 1);
    ck_assert_int_eq(rows[0].date, DAYS_2026_03_15);
    ck_assert_uint_eq(rows[0].flow, BZL_FLOW_MAT_IMPORT);

    /* Every state, two rows a page: seven declarations over four pages, none lost. */
    f.state = 0;
    const char *const all[] = {"IMP-1", "IMP-2", "Q-0", "Q-1", "Q-2", "Q-3", "Q-4"};
    size_t seen = 0;
    f.after_seq = 0;
    for (int page = 0; page < 10; page++) {
        ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 2, &n, &next, &more), BZL_OK);
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_lt(seen, BZL_ARRAY_LEN(all));
            ck_assert_str_eq(rows[i].id, all[seen++]);
        }
        if (!more) {
            break;
        }
        ck_assert_uint_gt(next, f.after_seq);
        f.after_seq = next;
    }
    ck_assert_uint_eq(seen, BZL_ARRAY_LEN(all));

    /* Declared dates, trade mode and state together. */
    f = (bzl_decl_filter){.from = DAYS_2026_03_15 + 1, .to = DAYS_2026_03_15 + 3};
    ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(rows[0].id, "Q-1");
    ck_assert_uint_eq(rows[0].state, BZL_DECL_POSTED);
    ck_assert_uint_eq(rows[2].state, BZL_DECL_VOIDED);
    f.state = BZL_DECL_VOIDED;
    strcpy(f.trade_mode, "0664");
    ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);

    /* Another enterprise's queue: empty, not refused. */
    f = (bzl_decl_filter){.from = INT32_MIN,
                          .to = INT32_MAX,
                          .visible = only_other,
                          .visible_arg = (void *)"6201239999"};
    ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert(!more);
    strcpy(f.book_no, "H72012499999");
    f.visible = NULL;
    ck_assert_int_eq(bzl_storage_decl_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    bzl_txn_abort(t);
}
END_TEST

/* A stocktake dated inside a closed period is refused as a refusal (PERIOD_CLOSED in the
 * result, never a failed batch), writes nothing, and one after the close is accepted. */
START_TEST(stocktake_in_a_closed_period_is_refused)
{
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock();
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, DAYS_2026_03_15, &actor, &a), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    uint64_t before = journal_entries();
    bzl_stocktake_line line = {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = E5(1)};
    t = write_txn();
    ck_assert_int_eq(
        bzl_storage_stocktake_put(t, BOOK, DAYS_2026_03_15, &line, 1, false, &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_PERIOD_CLOSED);
    ck_assert_str_eq(a.fault.field, "date");
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_uint_eq(journal_entries(), before);
    t = write_txn();
    ck_assert_int_eq(
        bzl_storage_stocktake_put(t, BOOK, DAYS_2026_03_15 + 1, &line, 1, false, &actor, &a),
        BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_uint_eq(journal_entries(), before + 1);
}
END_TEST

/* Closing through a date refuses declarations and reversals dated on or before it, never
 * reopens, and replays the same close. */
START_TEST(closed_period_refuses_declarations_and_reversals)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_stock();
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, DAYS_2026_03_15, &actor, &a), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    make_decl(&d, &l, "LATE-1", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 1, E5(1));
    ck_assert_int_eq(submit(&d, &r), BZL_PERIOD_CLOSED);
    ck_assert_int_eq(act("reverse", "IMP-1", &a), BZL_PERIOD_CLOSED);
    d.date = DAYS_2026_03_15 + 1;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, DAYS_2026_03_15 - 1, &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_STATE_CONFLICT);
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, DAYS_2026_03_15, &actor, &a), BZL_OK);
    ck_assert(a.replayed);
    bzl_txn_abort(t);
}
END_TEST

/* Scrap dispositions draw the allowance, not the balance; beyond it they are refused. */
START_TEST(scrap_sale_is_bounded_and_leaves_the_balance)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(1000));
    ck_assert_int_eq(submit(&d, &r), BZL_OK); /* allowance 50 */
    make_decl(&d, &l, "SCR-1", BZL_KIND_MATERIAL, BZL_DIR_OUT, "5200", 1, E5(30));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(9000));
    make_decl(&d, &l, "SCR-2", BZL_KIND_MATERIAL, BZL_DIR_OUT, "0400", 1, E5(21));
    ck_assert_int_eq(submit(&d, &r), BZL_SCRAP_ALLOWANCE_EXCEEDED);
    ck_assert_int_eq(r.fault.available_e5, E5(20));
    verify_ok();
}
END_TEST

/* Two transfer halves naming each other are matched; a half whose counterpart is missing or
 * reversed is listed. */
START_TEST(transfer_halves_are_matched)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    bzl_transfer_row rows[4];
    size_t n = 0;
    bool more = false;
    seed();
    seed_stock();
    /* Same book here keeps the fixture small: an in-zone transfer out and in on the H-book. */
    make_decl(&d, &l, "ZT-OUT", BZL_KIND_MATERIAL, BZL_DIR_OUT, "5015", 1, E5(5));
    strcpy(d.related_book, BOOK);
    strcpy(d.related_id, "ZT-IN");
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    make_decl(&d, &l, "ZT-IN", BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", 2, E5(5));
    strcpy(d.related_book, BOOK);
    strcpy(d.related_id, "ZT-OUT");
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_transfers_unmatched(t, "", 0, rows, 4, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(act("reverse", "ZT-IN", &a), BZL_OK);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_transfers_unmatched(t, ENT, 0, rows, 4, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(rows[0].id, "ZT-OUT");
    ck_assert_str_eq(rows[0].why, "the counterpart is reversed");
}
END_TEST

/* A balance row changed behind the ledger's back (raw LMDB) is reported by verify_balances with
 * its book, kind, item, field and both numbers. */
START_TEST(verify_balances_reports_a_tampered_balance)
{
    seed();
    seed_stock();
    verify_ok();
    uint8_t key[17];
    uint8_t val[40] = {0}; /* the four amounts and the history head */
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    key[13] = key[14] = key[15] = 0;
    key[16] = 2;
    int64_t forged = E5(5001);
    for (int i = 0; i < 8; i++) {
        val[i] = (uint8_t)((uint64_t)forged >> (8 * i));
    }
    /* value 10 = 1000000 e-5 = 0x0F4240, as the import declared it */
    val[8] = 0x40;
    val[9] = 0x42;
    val[10] = 0x0F;
    forge("balance", key, sizeof key, val, sizeof val);
    open_with(0, 0);
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &rep), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert(rep.mismatch);
    ck_assert_str_eq(rep.book_no, BOOK);
    ck_assert_uint_eq(rep.kind, BZL_KIND_MATERIAL);
    ck_assert_uint_eq(rep.item_no, 2);
    ck_assert_str_eq(rep.field, "qty");
    ck_assert_int_eq(rep.stored_e5, E5(5001));
    ck_assert_int_eq(rep.recomputed_e5, E5(5000));
}
END_TEST

/* ---- values per currency ----------------------------------------------------------------- */

/* Imports `qty` units of material `item` worth `value_e5` in `currency`. */
static void
import_in(const char *id, uint32_t item, int64_t qty_e5, int64_t value_e5, const char *currency)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    make_decl(&d, &l, id, BZL_KIND_MATERIAL, BZL_DIR_IN, "5015", item, qty_e5);
    l.value_e5 = value_e5;
    strcpy(l.currency, currency);
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
}

/* Asserts material `item`'s values per currency: n pairs of (currency, value_e5), in order. */
static void
values_are(uint32_t item, size_t n, const char *const *currencies, const int64_t *values)
{
    bzl_currency_value got[8];
    size_t count = 0;
    bool more = true;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(
        bzl_storage_balance_values(t, BOOK, BZL_KIND_MATERIAL, item, got, 8, &count, &more),
        BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!more);
    ck_assert_uint_eq(count, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(got[i].currency, currencies[i]);
        ck_assert_int_eq(got[i].value_e5, values[i]);
    }
}

/* Values stay in the currency they were declared in, and consumption at average cost takes
 * from each in proportion, the rounding's remainder from the largest holding. By hand:
 *   material 2: 100000 units each at 1 CNY (142), 1 EUR (300), 1 USD (502): qty 300000, 3.
 *   EXP-1, product 1 × 1 (单耗 2): takes 2 units, value round(3 × 2 / 300000) = 0.00002;
 *   each part round(0.00002 × 1 / 3) = 0.00001, 0.00003 in all, so the largest holding (the
 *   first of three equal ones, 142) gives 0.00001 less: 142 0, 300 0.00001, 502 0.00001,
 *   leaving 1, 0.99999, 0.99999 (2.99998 = 3 − 0.00002, the balance's value).
 *   material 1: 10000 at 10 USD; EXP-1 takes 1 (单耗 1): 10 × 1 / 10000 = 0.001 → 9.999 USD.
 * The reversal gives back exactly what was taken, and verify_balances agrees throughout. */
START_TEST(values_are_kept_per_currency)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    import_in("IMP-1", 1, E5(10000), E5(10), "502");
    import_in("IMP-C", 2, E5(100000), E5(1), "142");
    import_in("IMP-E", 2, E5(100000), E5(1), "300");
    import_in("IMP-U", 2, E5(100000), E5(1), "502");
    static const char *const three[] = {"142", "300", "502"};
    static const char *const usd[] = {"502"};
    values_are(2, 3, three, (const int64_t[]){E5(1), E5(1), E5(1)});
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).value_e5, E5(3));
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(1));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    values_are(2, 3, three, (const int64_t[]){E5(1), 99999, 99999});
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).value_e5, 299998);
    values_are(1, 1, usd, (const int64_t[]){999900});
    verify_ok();
    ck_assert_int_eq(act("reverse", "EXP-1", &a), BZL_OK);
    values_are(2, 3, three, (const int64_t[]){E5(1), E5(1), E5(1)});
    values_are(1, 1, usd, (const int64_t[]){E5(10)});
    verify_ok();
}
END_TEST

/* A value row changed behind the ledger's back, or one entry's split, is found by verify. */
START_TEST(verify_balances_reports_a_tampered_currency_value)
{
    seed();
    import_in("IMP-C", 2, E5(100), E5(7), "142");
    import_in("IMP-U", 2, E5(100), E5(1), "502");
    verify_ok();
    uint8_t key[20];
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    key[13] = key[14] = key[15] = 0;
    key[16] = 2;
    memcpy(key + 17, "502", 3);
    uint8_t val[8] = {0};
    int64_t forged = E5(2); /* 1 USD declared */
    for (int i = 0; i < 8; i++) {
        val[i] = (uint8_t)((uint64_t)forged >> (8 * i));
    }
    forge("value", key, sizeof key, val, sizeof val);
    open_with(0, 0);
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &rep), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert_str_eq(rep.field, "currency_value");
    ck_assert_uint_eq(rep.item_no, 2);
    ck_assert_int_eq(rep.stored_e5, E5(2));
    ck_assert_int_eq(rep.recomputed_e5, E5(1));
    ck_assert_ptr_nonnull(strstr(rep.message, "currency 502"));
}
END_TEST

/* ---- norm versions: immutable once used, in force by date, ordered numerically ------------- */

/* Adds item item_no of kind to BOOK. */
static void
add_item(bzl_kind kind, uint32_t item_no)
{
    bzl_item it;
    make_item(&it, BOOK, kind, item_no);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

/* bzl_storage_norm_set in a transaction of its own, with the whole outcome. */
static bzl_status
set_norm_result(const bzl_norm *n, bzl_action_result *r)
{
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, n, &actor, r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r->status;
}

/* The number of norm rows of product 1 version `version`. */
static size_t
rows_of_version(const char *version)
{
    bzl_norm rows[8];
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_norm_list(t, BOOK, 1, 0, rows, 8, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        found += strcmp(rows[i].version, version) == 0;
    }
    return found;
}

/* A pending export (never posted) uses v1 as a whole: adding material 3 to v1 afterwards is
 * STATE_CONFLICT naming the version and the declaration (enterprise and id), writes nothing,
 * and the same material in a new version is accepted. */
START_TEST(norm_version_immutable_once_used_refuses_added_material)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock();
    add_item(BZL_KIND_MATERIAL, 3);
    make_decl(&d, &l, "EXP-PEND", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    d.pending = true;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    bzl_norm added = make_norm(3, "v1", 500000000, 0);
    ck_assert_int_eq(set_norm_result(&added, &a), BZL_STATE_CONFLICT);
    ck_assert_str_eq(a.fault.field, "version");
    ck_assert_msg(strstr(a.fault.message, "v1") != NULL, "%s", a.fault.message);
    ck_assert_msg(strstr(a.fault.message, "EXP-PEND") != NULL, "%s", a.fault.message);
    ck_assert_msg(strstr(a.fault.message, ENT) != NULL, "%s", a.fault.message);
    ck_assert_msg(strstr(a.fault.message, "material 3") != NULL, "%s", a.fault.message);
    ck_assert_uint_eq(rows_of_version("v1"), 2);
    bzl_norm fresh = make_norm(3, "v2", 500000000, 0);
    ck_assert_int_eq(set_norm_result(&fresh, &a), BZL_OK);
    ck_assert(!a.replayed);
    verify_ok();
}
END_TEST

/* Once an export used v1, changing any of its lines (a rate, or only the from-date) is
 * STATE_CONFLICT naming the version and the declaration, and leaves the line as it was. */
START_TEST(norm_version_immutable_once_used_refuses_changed_line)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    bzl_norm changed = make_norm(2, "v1", 2100000000, 0);
    ck_assert_int_eq(set_norm_result(&changed, &a), BZL_STATE_CONFLICT);
    ck_assert_str_eq(a.fault.field, "version");
    ck_assert_msg(strstr(a.fault.message, "v1") != NULL, "%s", a.fault.message);
    ck_assert_msg(strstr(a.fault.message, "EXP-1") != NULL, "%s", a.fault.message);
    ck_assert_msg(strstr(a.fault.message, ENT) != NULL, "%s", a.fault.message);
    bzl_norm moved = make_norm(1, "v1", 950000000, 5000000000);
    moved.valid_from += 1;
    ck_assert_int_eq(set_norm_result(&moved, &a), BZL_STATE_CONFLICT);
    bzl_norm rows[2];
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_norm_list(t, BOOK, 1, 0, rows, 2, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(rows[0].valid_from, bzl_date_from_civil(1990, 1, 1));
    ck_assert_int_eq(rows[1].net_e9, 2000000000);
    ck_assert(rows[0].used && rows[1].used);
}
END_TEST

/* Setting a line of a used version again with identical values is a replay: accepted,
 * replayed, no journal entry written. */
START_TEST(norm_version_immutable_once_used_accepts_identical_replay)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    bzl_storage_stats before;
    bzl_storage_stats after;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &before), BZL_OK);
    bzl_txn_abort(t);
    bzl_norm same = make_norm(1, "v1", 950000000, 5000000000);
    ck_assert_int_eq(set_norm_result(&same, &a), BZL_OK);
    ck_assert(a.replayed);
    same = make_norm(2, "v1", 2000000000, 0);
    ck_assert_int_eq(set_norm_result(&same, &a), BZL_OK);
    ck_assert(a.replayed);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &after), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(after.journal_entries, before.journal_entries);
}
END_TEST

/* A line naming a version whose valid_from is after the declaration's date is NORM_MISSING
 * naming the line, the version and the product, and moves nothing, also as the second line
 * after one whose version is in force; dated on that from-date the same line is accepted. */
START_TEST(explicit_version_not_yet_in_force_is_norm_missing)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_decl_line two[2];
    bzl_submit_result r;
    seed();
    seed_norms();
    seed_stock();
    bzl_norm later = make_norm(1, "v2", 950000000, 0);
    later.valid_from = DAYS_2026_03_15 + 17; /* 2026-04-01 */
    ck_assert_int_eq(set_norm(&later), BZL_OK);
    make_decl(&d, &l, "EXP-EARLY", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    strcpy(l.bom_version, "v2");
    ck_assert_int_eq(submit(&d, &r), BZL_NORM_MISSING);
    ck_assert_uint_eq(r.fault.line, 1);
    ck_assert_msg(strstr(r.fault.message, "version v2") != NULL, "%s", r.fault.message);
    ck_assert_msg(strstr(r.fault.message, "product 1") != NULL, "%s", r.fault.message);
    ck_assert_msg(strstr(r.fault.message, "from 2026-04-01") != NULL, "%s", r.fault.message);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10000));
    two[0] = l;
    two[1] = l;
    strcpy(two[0].bom_version, "v1");
    d.lines = two;
    d.line_count = 2;
    ck_assert_int_eq(submit(&d, &r), BZL_NORM_MISSING);
    ck_assert_uint_eq(r.fault.line, 2);
    ck_assert_msg(strstr(r.fault.message, "from 2026-04-01") != NULL, "%s", r.fault.message);
    ck_assert_msg(strstr(r.fault.message, "version v2") != NULL, "%s", r.fault.message);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10000));
    /* v1, in force since 1990, may still be named on that date. */
    d.lines = &l;
    d.line_count = 1;
    strcpy(l.bom_version, "v1");
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    make_decl(&d, &l, "EXP-ON-TIME", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    strcpy(l.bom_version, "v2");
    d.date = later.valid_from;
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    verify_ok();
}
END_TEST

/* The key of product 1 version v1's first-user record in the norm database (storage_norms.c):
 * 0x00 | book | product u32 BE | version padded to 8. */
static void
first_user_key(uint8_t key[25])
{
    memset(key, 0, 25);
    memcpy(key + 1, BOOK, 12);
    key[16] = 1;
    memcpy(key + 17, "v1", 2);
}

/* A version used before first-user records existed (used rows, no record: deleted here) stays
 * immutable; the refusal then names no declaration. */
START_TEST(norm_version_used_without_a_first_user_record_stays_immutable)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    uint8_t key[25];
    seed();
    seed_norms();
    seed_stock();
    add_item(BZL_KIND_MATERIAL, 3);
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    first_user_key(key);
    forge("norm", key, sizeof key, NULL, 0);
    open_with(0, 0);
    bzl_norm added = make_norm(3, "v1", 500000000, 0);
    ck_assert_int_eq(set_norm_result(&added, &a), BZL_STATE_CONFLICT);
    ck_assert_msg(strstr(a.fault.message, "used by a declaration") != NULL, "%s", a.fault.message);
    bzl_norm changed = make_norm(2, "v1", 2100000000, 0);
    ck_assert_int_eq(set_norm_result(&changed, &a), BZL_STATE_CONFLICT);
    ck_assert_uint_eq(rows_of_version("v1"), 2);
}
END_TEST

/* A malformed first-user record is CORRUPT when a change to its version reads it. */
START_TEST(norm_version_first_user_record_malformed_is_corrupt)
{
    bzl_declaration d;
    bzl_decl_line l;
    bzl_submit_result r;
    bzl_action_result a;
    uint8_t key[25];
    static const uint8_t garbage[3] = {1, 2, 3};
    seed();
    seed_norms();
    seed_stock();
    make_decl(&d, &l, "EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, "5015", 1, E5(10));
    ck_assert_int_eq(submit(&d, &r), BZL_OK);
    first_user_key(key);
    forge("norm", key, sizeof key, garbage, sizeof garbage);
    open_with(0, 0);
    bzl_norm changed = make_norm(2, "v1", 2100000000, 0);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, &changed, &actor, &a), BZL_CORRUPT);
    bzl_txn_abort(t);
}
END_TEST

/* The version of `product` in force on 2026-03-15. */
static void
version_in_force(uint32_t product, char out[BZL_BOM_VERSION_BYTES_MAX + 1])
{
    bzl_norm rows[4];
    size_t n = 0;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_norms_in_force(t, BOOK, product, DAYS_2026_03_15, rows, 4, &n),
                     BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 1);
    memcpy(out, rows[0].version, BZL_BOM_VERSION_BYTES_MAX + 1);
}

/* Of two versions in force from the same date the numerically greater wins when both are
 * digit strings (10 over 9; 00000003 over 2, leading zeros ignored); otherwise the bytewise
 * greater (v9 over v10). */
START_TEST(equal_dates_pick_numerically_greater_version)
{
    static const char *const pairs[3][2] = {{"9", "10"}, {"2", "00000003"}, {"v10", "v9"}};
    static const char *const winners[3] = {"10", "00000003", "v9"};
    seed();
    add_item(BZL_KIND_PRODUCT, 2);
    add_item(BZL_KIND_PRODUCT, 3);
    for (uint32_t p = 0; p < 3; p++) {
        for (uint32_t k = 0; k < 2; k++) {
            bzl_norm n = make_norm(1, pairs[p][k], 950000000, 0);
            n.product = p + 1;
            ck_assert_int_eq(set_norm(&n), BZL_OK);
        }
    }
    for (uint32_t p = 0; p < 3; p++) {
        char version[BZL_BOM_VERSION_BYTES_MAX + 1];
        version_in_force(p + 1, version);
        ck_assert_str_eq(version, winners[p]);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("ledger_storage");
    TCase *tc = tcase_create("ledger");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, export_consumes_by_norm_and_freezes_the_version);
    tcase_add_test(tc, values_are_kept_per_currency);
    tcase_add_test(tc, verify_balances_reports_a_tampered_currency_value);
    tcase_add_test(tc, export_without_norm_is_refused_and_writes_nothing);
    tcase_add_test(tc, pending_is_posted_or_voided);
    tcase_add_test(tc, history_pages_one_items_movements_with_running_balances);
    tcase_add_test(tc, history_with_a_broken_chain_is_corrupt);
    tcase_add_loop_test(tc, verify_finds_a_tampered_history_row, 0, 3);
    tcase_add_test(tc, reversal_negates_once);
    tcase_add_test(tc, closed_period_refuses_declarations_and_reversals);
    tcase_add_test(tc, audit_lines_name_actions_records_and_reasons);
    tcase_add_test(tc, declaration_queue_lists_filters_and_pages);
    tcase_add_test(tc, stocktake_in_a_closed_period_is_refused);
    tcase_add_test(tc, scrap_sale_is_bounded_and_leaves_the_balance);
    tcase_add_test(tc, transfer_halves_are_matched);
    tcase_add_test(tc, verify_balances_reports_a_tampered_balance);
    tcase_add_test(tc, norm_version_immutable_once_used_refuses_added_material);
    tcase_add_test(tc, norm_version_immutable_once_used_refuses_changed_line);
    tcase_add_test(tc, norm_version_immutable_once_used_accepts_identical_replay);
    tcase_add_test(tc, norm_version_used_without_a_first_user_record_stays_immutable);
    tcase_add_test(tc, norm_version_first_user_record_malformed_is_corrupt);
    tcase_add_test(tc, explicit_version_not_yet_in_force_is_norm_missing);
    tcase_add_test(tc, equal_dates_pick_numerically_greater_version);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
