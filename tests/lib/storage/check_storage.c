/* check_storage.c — the LMDB store: open and schema, master data, submission with
 * idempotency, balances and paging, and fault injection (a forged schema, corrupt rows, a map
 * too small for the work).
 *
 * Each test runs in a forked child with a fresh environment in its own mkdtemp directory under
 * one root per test case; the root is created and removed in the parent, so a failed test
 * leaves nothing behind either.
 */
#include "bzl/calendar.h"
#include "bzl/list_fields.h"
#include "bzl/storage.h"
#include "bzl/storage_lots.h"
#include "storage_fixture.h"

#include <check.h>
#include <limits.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers (the shared fixture is in storage_fixture.h) ------------------------------ */

/* A one-line material declaration of qty_e5 on `item`. */
static void
make_decl(bzl_declaration *d, bzl_decl_line *line, const char *id, bzl_direction dir, uint32_t item,
          int64_t qty_e5)
{
    memset(d, 0, sizeof *d);
    memset(line, 0, sizeof *line);
    snprintf(d->id, sizeof d->id, "%s", id);
    strcpy(d->enterprise, ENT);
    strcpy(d->book_no, BOOK);
    d->kind = BZL_KIND_MATERIAL;
    d->direction = (uint8_t)dir;
    strcpy(d->trade_mode, dir == BZL_DIR_IN ? "5034" : "5015");
    d->date = DAYS_2026_03_15;
    d->line_count = 1;
    d->lines = line;
    line->item_no = item;
    line->qty_e5 = qty_e5;
    line->value_e5 = E5(2);
    strcpy(line->unit, "035");
    strcpy(line->currency, "502");
    ck_assert_int_eq(bzl_decl_check_fields(d, BZL_DECL_LINES_DEFAULT, NULL), BZL_OK);
}

/* Submits d alone in a batch and commits; the submission's own status is returned. */
static bzl_status
submit_one(const bzl_declaration *d, bzl_submit_result *r)
{
    bzl_txn *t = write_txn();
    bzl_status st = bzl_storage_submit(t, d, &actor, r);
    if (st != BZL_OK) {
        bzl_txn_abort(t);
        return st;
    }
    return bzl_txn_commit(t);
}

/* ---- open ---------------------------------------------------------------------------------- */

/* Records and the journal survive close and reopen. */
START_TEST(storage_reopen_keeps_data)
{
    seed();
    bzl_storage_close(store);
    open_with(0, 0);
    bzl_enterprise e;
    bzl_item it;
    bzl_book b;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_enterprise_get(t, ENT, &e), BZL_OK);
    ck_assert_str_eq(e.uscc, "91310000717866186P");
    ck_assert_str_eq(e.name, "宁波保税区精密电子有限公司");
    ck_assert_str_eq(e.area, "core bonded zone");
    ck_assert_int_eq(bzl_storage_book_get(t, BOOK, &b), BZL_OK);
    ck_assert_str_eq(b.enterprise, ENT);
    ck_assert_uint_eq(b.period_days, 365);
    ck_assert_int_eq(bzl_storage_item_get(t, BOOK, BZL_KIND_PRODUCT, 1, &it), BZL_OK);
    ck_assert_uint_eq(it.biz_mode, BZL_BIZ_ODM);
    ck_assert_str_eq(it.name, "晶圆 1");
    ck_assert_str_eq(it.hs, "8542319000");
    bzl_txn_abort(t);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES);
}
END_TEST

/* A database stamped with schema version 7 is refused with the reason spelled out. */
START_TEST(storage_refuses_an_unknown_schema_version)
{
    const uint8_t seven[4] = {7, 0, 0, 0};
    forge("meta", "schema", 6, seven, sizeof seven);
    bzl_storage_options opts = {.dir = db_dir};
    char why[256] = "";
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_SCHEMA_MISMATCH);
    char want[80];
    snprintf(want, sizeof want, "database schema version 7, this build reads %u",
             BZL_SCHEMA_VERSION);
    ck_assert_str_eq(why, want);
    ck_assert_ptr_null(store);
    /* Refusing rewrote nothing: the second attempt is refused the same way. */
    ck_assert_int_eq(bzl_storage_open(&opts, &store, NULL, 0), BZL_SCHEMA_MISMATCH);
}
END_TEST

/* A schema record of the wrong size is corruption, not a version. */
START_TEST(storage_refuses_a_malformed_schema_record)
{
    const uint8_t two[2] = {1, 0};
    forge("meta", "schema", 6, two, sizeof two);
    bzl_storage_options opts = {.dir = db_dir};
    ck_assert_int_eq(bzl_storage_open(&opts, &store, NULL, 0), BZL_CORRUPT);
    ck_assert_ptr_null(store);
}
END_TEST

/* A directory that does not exist is an I/O error that names the directory. */
START_TEST(storage_open_reports_a_missing_directory)
{
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof missing, "%s/nope", db_dir);
    bzl_storage_options opts = {.dir = missing};
    bzl_storage *s = NULL;
    char why[PATH_MAX + 128] = "";
    ck_assert_int_eq(bzl_storage_open(&opts, &s, why, sizeof why), BZL_IO_ERROR);
    ck_assert_ptr_nonnull(strstr(why, missing));
    ck_assert_ptr_null(s);
}
END_TEST

/* ---- master data --------------------------------------------------------------------------- */

START_TEST(enterprise_add_twice_is_already_exists)
{
    bzl_enterprise e;
    bzl_fault f;
    make_enterprise(&e, ENT);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, &f), BZL_OK);
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, &f), BZL_ALREADY_EXISTS);
    ck_assert_str_eq(f.field, "code");
    ck_assert_str_eq(f.message, "enterprise 330261A004 is already registered");
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_uint_eq(journal_entries(), 1);
}
END_TEST

START_TEST(book_add_needs_its_enterprise)
{
    bzl_book b;
    bzl_fault f;
    make_book(&b, BOOK, "330261A009");
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, &f), BZL_NOT_FOUND);
    ck_assert_str_eq(f.field, "enterprise");
    ck_assert_str_eq(f.message, "enterprise 330261A009 is not registered");
    bzl_txn_abort(t);
    seed();
    make_book(&b, BOOK, ENT);
    t = write_txn();
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, &f), BZL_ALREADY_EXISTS);
    ck_assert_str_eq(f.field, "book");
    bzl_txn_abort(t);
}
END_TEST

START_TEST(item_add_needs_its_book)
{
    bzl_item it;
    bzl_fault f;
    seed();
    make_item(&it, "H72012400002", BZL_KIND_MATERIAL, 1);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, &f), BZL_NOT_FOUND);
    ck_assert_str_eq(f.field, "book");
    ck_assert_str_eq(f.message, "book H72012400002 does not exist");
    make_item(&it, BOOK, BZL_KIND_MATERIAL, 2);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, &f), BZL_ALREADY_EXISTS);
    ck_assert_str_eq(f.message, "item 2 is already in book H72012400001 as a material");
    /* Product 2 is a different key from material 2. */
    make_item(&it, BOOK, BZL_KIND_PRODUCT, 2);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, &f), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}
END_TEST

/* Lookups of keys that cannot exist (wrong length, unknown kind) are NOT_FOUND, not crashes. */
START_TEST(lookups_of_impossible_keys_are_not_found)
{
    bzl_enterprise e;
    bzl_book b;
    bzl_item it;
    bzl_balance bal;
    seed();
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_enterprise_get(t, "330261A00", &e), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_enterprise_get(t, "330261A0044", &e), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_book_get(t, "", &b), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_item_get(t, BOOK, (bzl_kind)0, 1, &it), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_item_get(t, BOOK, BZL_KIND_MATERIAL, 3, &it), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_balance_get(t, BOOK, BZL_KIND_MATERIAL, 3, &bal), BZL_NOT_FOUND);
    ck_assert_int_eq(bzl_storage_balance_get(t, "H7201240000", BZL_KIND_MATERIAL, 1, &bal),
                     BZL_NOT_FOUND);
    bzl_txn_abort(t);
}
END_TEST

/* Enterprises list in code order, strictly after the cursor, cap at a time. */
START_TEST(enterprise_list_pages_in_code_order)
{
    static const char *const codes[] = {"330261A007", "330261A004", "330261A005"};
    bzl_enterprise e;
    bzl_enterprise out[2];
    size_t n = 0;
    bool more = false;
    bzl_txn *t = write_txn();
    for (size_t i = 0; i < 3; i++) {
        make_enterprise(&e, codes[i]);
        ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, NULL), BZL_OK);
    }
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_enterprise_list(t, "", out, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(more);
    ck_assert_str_eq(out[0].code, "330261A004");
    ck_assert_str_eq(out[1].code, "330261A005");
    ck_assert_int_eq(bzl_storage_enterprise_list(t, out[1].code, out, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(!more);
    ck_assert_str_eq(out[0].code, "330261A007");
    ck_assert_int_eq(bzl_storage_enterprise_list(t, "330261A0", out, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 2); /* a prefix is before every code it starts */
    ck_assert_int_eq(bzl_storage_enterprise_list(t, "ZZZZZZZZZZZZZ", out, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert(!more);
    bzl_txn_abort(t);
}
END_TEST

/* ---- submit -------------------------------------------------------------------------------- */

/* An import of 1000.5 is accepted as the sixth journal entry and shows in the balance. */
START_TEST(submit_import_moves_the_balance)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    seed();
    make_decl(&d, &line, "IN-1", BZL_DIR_IN, 1, 100050000);
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_uint_eq(r.seq, SEED_ENTRIES + 1);
    bzl_balance b = balance_of(BZL_KIND_MATERIAL, 1);
    ck_assert_int_eq(b.qty_e5, 100050000);
    ck_assert_int_eq(b.value_e5, E5(2));
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + 1);
}
END_TEST

/* The same declaration again returns the first sequence, flagged as a replay, and writes
 * nothing: the journal and the balance are as before. */
START_TEST(submit_replay_returns_the_original_sequence_and_writes_nothing)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    seed();
    make_decl(&d, &line, "IN-1", BZL_DIR_IN, 1, E5(10));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    uint64_t seq = r.seq;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(r.replayed);
    ck_assert_uint_eq(r.seq, seq);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + 1);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10));
    /* Bytes after a string's NUL are not content: a copy with garbage there still replays. */
    bzl_declaration copy = d;
    bzl_decl_line copy_line = line;
    copy.lines = &copy_line;
    memset(copy.id + 5, 'Z', sizeof copy.id - 5);
    copy.id[4] = '\0';
    copy_line.usd_e5 = 99; /* has_usd is false */
    ck_assert_int_eq(submit_one(&copy, &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_uint_eq(r.seq, seq);
}
END_TEST

/* The same id with another quantity is ID_REUSED, naming the original sequence; nothing moves.
 * Another enterprise may use the same id for its own declaration. */
START_TEST(submit_same_id_other_content_is_id_reused)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    seed();
    make_decl(&d, &line, "IN-1", BZL_DIR_IN, 1, E5(10));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    line.qty_e5 = E5(11);
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);
    ck_assert(!r.replayed);
    ck_assert_str_eq(r.fault.field, "id");
    ck_assert_str_eq(r.fault.message,
                     "declaration id IN-1 was already used for other content at sequence 6");
    line.qty_e5 = E5(10);
    d.pending = true; /* a header field differs */
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(10));
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + 1);

    bzl_enterprise e;
    bzl_book b;
    bzl_item it;
    bzl_txn *t = write_txn();
    make_enterprise(&e, "330261A005");
    make_book(&b, "H72012400002", "330261A005");
    make_item(&it, "H72012400002", BZL_KIND_MATERIAL, 1);
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    d.pending = false;
    strcpy(d.enterprise, "330261A005");
    strcpy(d.book_no, "H72012400002");
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(!r.replayed);
}
END_TEST

/* A declaration refused at its second line leaves the first line's balance, the journal and
 * the id untouched: the corrected declaration under the same id is then accepted. */
START_TEST(submit_refusal_leaves_balance_journal_and_id_unchanged)
{
    bzl_declaration d;
    bzl_decl_line lines[2];
    bzl_submit_result r;
    seed();
    make_decl(&d, &lines[0], "IN-2", BZL_DIR_IN, 1, E5(10));
    lines[1] = lines[0];
    lines[1].item_no = 9;
    d.line_count = 2;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_NOT_FOUND);
    ck_assert_uint_eq(r.fault.line, 2);
    ck_assert_uint_eq(r.fault.item_no, 9);
    ck_assert_str_eq(r.fault.message, "line 2: item 9 is not in book H72012400001 as a material");
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, 0);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES);
    lines[1].item_no = 2;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_uint_eq(r.seq, SEED_ENTRIES + 1);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 2).qty_e5, E5(10));
}
END_TEST

/* Within one batch, later declarations see earlier ones: import 100, export 60, then an
 * export of 50 meets 40 available. A refusal mid-batch does not spoil the rest. */
START_TEST(submit_two_declarations_in_one_batch_see_each_other)
{
    bzl_declaration in, out1, out2;
    bzl_decl_line l_in, l_out1, l_out2;
    bzl_submit_result r;
    seed();
    make_decl(&in, &l_in, "B-IN", BZL_DIR_IN, 1, E5(100));
    make_decl(&out1, &l_out1, "B-OUT-1", BZL_DIR_OUT, 1, E5(60));
    make_decl(&out2, &l_out2, "B-OUT-2", BZL_DIR_OUT, 1, E5(50));
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &in, &actor, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_uint_eq(r.seq, SEED_ENTRIES + 1);
    ck_assert_int_eq(bzl_storage_submit(t, &out1, &actor, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_uint_eq(r.seq, SEED_ENTRIES + 2);
    ck_assert_int_eq(bzl_storage_submit(t, &out2, &actor, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(r.fault.available_e5, E5(40));
    ck_assert_int_eq(bzl_storage_submit(t, &in, &actor, &r), BZL_OK);
    ck_assert(r.replayed); /* the batch already holds it */
    ck_assert_uint_eq(r.seq, SEED_ENTRIES + 1);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(40));
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + 2);
}
END_TEST

/* 20000.5 imported, 30000 asked: refused with item 1 and 20000.5 available. */
START_TEST(submit_outflow_beyond_balance_names_item_and_available)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    seed();
    make_decl(&d, &line, "IN-3", BZL_DIR_IN, 1, 2000050000);
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    make_decl(&d, &line, "OUT-3", BZL_DIR_OUT, 1, E5(30000));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(r.fault.item_no, 1);
    ck_assert_int_eq(r.fault.available_e5, 2000050000);
    ck_assert_str_eq(r.fault.message,
                     "line 1: item 1 has 20000.5 available, the outflow asks for 30000");
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, 2000050000);
}
END_TEST

/* Unknown book, another enterprise's book, a suspended book and a wrong unit are refusals. */
START_TEST(submit_refuses_unknown_foreign_and_suspended_books)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_enterprise e;
    bzl_book b;
    seed();
    bzl_txn *t = write_txn();
    make_enterprise(&e, "330261A005");
    make_book(&b, "H72012400002", "330261A005");
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    make_book(&b, "H72012400003", ENT);
    b.status = BZL_BOOK_SUSPENDED;
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    uint64_t entries = journal_entries();

    make_decl(&d, &line, "X-1", BZL_DIR_IN, 1, E5(1));
    strcpy(d.book_no, "H72012400009");
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_NOT_FOUND);
    ck_assert_str_eq(r.fault.field, "book");
    strcpy(d.book_no, "H72012400002");
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_WRONG_BOOK);
    strcpy(d.book_no, "H72012400003");
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_BOOK_NOT_OPEN);
    strcpy(d.book_no, BOOK);
    strcpy(line.unit, "036");
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(r.fault.field, "unit");
    ck_assert_uint_eq(journal_entries(), entries);
}
END_TEST

/* A pending outflow reserves stock in the stored balance, and a posted one then meets it. */
START_TEST(submit_pending_outflow_reserves_stored_balance)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    seed();
    make_decl(&d, &line, "IN-4", BZL_DIR_IN, 2, E5(100));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    make_decl(&d, &line, "OUT-4P", BZL_DIR_OUT, 2, E5(70));
    d.pending = true;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    bzl_balance b = balance_of(BZL_KIND_MATERIAL, 2);
    ck_assert_int_eq(b.qty_e5, E5(100));
    ck_assert_int_eq(b.pending_out_e5, E5(70));
    make_decl(&d, &line, "OUT-4", BZL_DIR_OUT, 2, E5(31));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_INSUFFICIENT_BALANCE);
    ck_assert_int_eq(r.fault.available_e5, E5(30));
}
END_TEST

/* ---- balances ------------------------------------------------------------------------------ */

/* Items list in (kind, item) order with zeros for items without movement, cap rows a page,
 * paging on from the last row seen; a kind filter keeps to that kind. */
START_TEST(balance_list_pages_in_kind_and_item_order)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_item it;
    bzl_balance_row rows[3];
    size_t n = 0;
    bool more = false;
    seed(); /* material 1, 2; product 1 */
    bzl_txn *t = write_txn();
    make_item(&it, BOOK, BZL_KIND_MATERIAL, 5);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    make_item(&it, BOOK, BZL_KIND_MATERIAL, 300);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    make_decl(&d, &line, "IN-5", BZL_DIR_IN, 300, E5(7));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);

    t = read_txn();
    ck_assert_int_eq(bzl_storage_balance_list(t, BOOK, 0, 0, 0, rows, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(more);
    ck_assert_uint_eq(rows[0].kind, BZL_KIND_MATERIAL);
    ck_assert_uint_eq(rows[0].item_no, 1);
    ck_assert_uint_eq(rows[1].item_no, 2);
    ck_assert_int_eq(rows[1].balance.qty_e5, 0);
    ck_assert_int_eq(bzl_storage_balance_list(t, BOOK, 0, 1, 2, rows, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert(more);
    ck_assert_uint_eq(rows[0].item_no, 5);
    ck_assert_uint_eq(rows[1].item_no, 300); /* big-endian keys: 300 after 5 */
    ck_assert_int_eq(rows[1].balance.qty_e5, E5(7));
    ck_assert_int_eq(bzl_storage_balance_list(t, BOOK, 0, 1, 300, rows, 2, &n, &more), BZL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(!more);
    ck_assert_uint_eq(rows[0].kind, BZL_KIND_PRODUCT);
    ck_assert_uint_eq(rows[0].item_no, 1);
    ck_assert_int_eq(bzl_storage_balance_list(t, BOOK, BZL_KIND_MATERIAL, 0, 0, rows, 3, &n, &more),
                     BZL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(more);
    ck_assert_int_eq(bzl_storage_balance_list(t, BOOK, BZL_KIND_PRODUCT, 0, 0, rows, 3, &n, &more),
                     BZL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert(!more);
    ck_assert_int_eq(bzl_storage_balance_list(t, "H72012400009", 0, 0, 0, rows, 3, &n, &more),
                     BZL_NOT_FOUND);
    bzl_txn_abort(t);
}
END_TEST

/* ---- fault injection ----------------------------------------------------------------------- */

/* A balance row of 31 bytes is CORRUPT on read, and a submission touching it fails the batch
 * with CORRUPT rather than refusing the declaration. */
START_TEST(corrupt_balance_row_is_reported_not_trusted)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_balance b;
    uint8_t key[17];
    uint8_t junk[31] = {0};
    seed();
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    key[13] = 0;
    key[14] = 0;
    key[15] = 0;
    key[16] = 1;
    forge("balance", key, sizeof key, junk, sizeof junk);
    open_with(0, 0);
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_balance_get(t, BOOK, BZL_KIND_MATERIAL, 1, &b), BZL_CORRUPT);
    bzl_txn_abort(t);
    make_decl(&d, &line, "IN-6", BZL_DIR_IN, 1, E5(1));
    ck_assert_int_eq(submit_one(&d, &r), BZL_CORRUPT);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES);
}
END_TEST

/* A book row with an unknown status byte is CORRUPT, never a book. */
START_TEST(corrupt_book_row_is_reported_not_trusted)
{
    bzl_book b;
    uint8_t row[16];
    seed();
    memcpy(row, ENT, 10);
    row[10] = BZL_VERIFY_UNIT;
    row[11] = 9; /* no such status */
    memset(row + 12, 0, 4);
    forge("book", BOOK, 12, row, sizeof row);
    open_with(0, 0);
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_book_get(t, BOOK, &b), BZL_CORRUPT);
    bzl_txn_abort(t);
}
END_TEST

/* A map this small holds the seed and some dozens of declarations. (64 KiB is 16 pages: LMDB's
 * two meta pages, a root per database and the copy-on-write pages of one nested declaration
 * leave no room for even one.) */
#define TINY_MAP_BYTES (128u << 10)

/* An idempotency record naming a journal entry that does not exist is CORRUPT when a retry
 * consults it: the store is damaged, and the declaration is neither replayed nor refused. */
START_TEST(dangling_idempotency_record_is_corrupt)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    uint8_t key[10 + 4];
    const uint8_t seq[8] = {0xE7, 0x03}; /* 999 */
    seed();
    memcpy(key, ENT, 10);
    memcpy(key + 10, "ID-9", 4);
    forge("idem", key, sizeof key, seq, sizeof seq);
    open_with(0, 0);
    make_decl(&d, &line, "ID-9", BZL_DIR_IN, 1, E5(1));
    ck_assert_int_eq(submit_one(&d, &r), BZL_CORRUPT);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES);
}
END_TEST

/* Fills the map with one-line imports until it is full, from submit or from commit. Returns
 * how many were committed. */
static unsigned
fill_the_map(void)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    char id[48];
    unsigned accepted = 0;
    bzl_status st = BZL_OK;
    for (unsigned i = 0; i < 10000 && st == BZL_OK; i++) {
        snprintf(id, sizeof id, "FILL-%05u-with-a-long-tail-to-use-space", i);
        make_decl(&d, &line, id, BZL_DIR_IN, 1, E5(1));
        st = submit_one(&d, &r);
        if (st == BZL_OK) {
            ck_assert_int_eq(r.status, BZL_OK);
            accepted++;
        }
    }
    ck_assert_int_eq(st, BZL_STORAGE_FULL);
    return accepted;
}

/* A tiny map fills: STORAGE_FULL from submit or commit; what was committed before stays
 * readable, and with the ceiling reached, growing is STORAGE_FULL too. */
START_TEST(tiny_map_fills_and_stays_readable)
{
    bzl_storage_close(store);
    open_with(TINY_MAP_BYTES, TINY_MAP_BYTES);
    seed();
    unsigned accepted = fill_the_map();
    ck_assert_uint_gt(accepted, 0);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(accepted));
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + accepted);
    ck_assert_int_eq(bzl_storage_grow(store), BZL_STORAGE_FULL);
    bzl_storage_close(store);
    open_with(TINY_MAP_BYTES, TINY_MAP_BYTES);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(accepted));
}
END_TEST

/* After STORAGE_FULL the writer's recipe works: abort, grow, replay the same declaration. */
START_TEST(map_full_then_grow_then_replay_succeeds)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_storage_close(store);
    open_with(TINY_MAP_BYTES, 1 << 20);
    seed();
    bzl_status st = BZL_OK;
    unsigned i = 0;
    char id[48];
    for (; i < 10000 && st == BZL_OK; i++) {
        snprintf(id, sizeof id, "GROW-%05u-with-a-long-tail-to-use-space", i);
        make_decl(&d, &line, id, BZL_DIR_IN, 1, E5(1));
        st = submit_one(&d, &r);
    }
    ck_assert_int_eq(st, BZL_STORAGE_FULL);
    ck_assert_int_eq(bzl_storage_grow(store), BZL_OK);
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK); /* d is the declaration that did not fit */
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + i);
}
END_TEST

/* Growth doubles, the last step lands exactly on the ceiling, and the ceiling is final. */
START_TEST(grow_doubles_until_the_ceiling)
{
    bzl_storage_stats stats;
    bzl_storage_close(store);
    open_with(1 << 20, 3 << 20);
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(stats.map_bytes, 1 << 20);
    ck_assert_uint_gt(stats.map_used_bytes, 0);
    ck_assert_uint_le(stats.map_used_bytes, stats.map_bytes);
    ck_assert_int_eq(bzl_storage_grow(store), BZL_OK);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(stats.map_bytes, 2 << 20);
    ck_assert_int_eq(bzl_storage_grow(store), BZL_OK);
    ck_assert_int_eq(bzl_storage_grow(store), BZL_STORAGE_FULL);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(stats.map_bytes, 3 << 20);
    ck_assert_uint_eq(stats.journal_entries, 0);
}
END_TEST

/* ---- declaration attributes ------------------------------------------------------------------ */

static void tamper(uint64_t seq, bool delete_it, size_t flip_offset);

/* The declaration (enterprise ENT, id) as stored: BZL_OK with out filled, or its status. */
static bzl_status
declaration_read(const char *id, bzl_decl_info *out)
{
    bzl_decl_line *lines = malloc(BZL_DECL_LINES_CEILING * sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_declaration_get(t, ENT, id, out, lines, NULL, 0);
    bzl_txn_abort(t);
    free(lines);
    out->decl.lines = NULL;
    return st;
}

/* Attributes are part of a declaration's content: they read back as submitted, a retry with
 * the same ones replays, a retry with other attributes (or none) is ID_REUSED, and a
 * declaration without attributes reads back without them. Origin belongs on a repair book,
 * which posts at once (repair.h), so pending and origin never meet in a stored declaration. */
START_TEST(declaration_attributes_round_trip_and_are_content)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_decl_info info;
    seed();
    seed_repair_book();
    make_decl(&d, &line, "A-1", BZL_DIR_IN, 1, E5(10));
    strcpy(d.book_no, RBOOK);
    strcpy(d.trade_mode, "1371");
    d.origin = BZL_ORIGIN_ABROAD;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    uint64_t seq = r.seq;
    ck_assert_int_eq(declaration_read("A-1", &info), BZL_OK);
    ck_assert_uint_eq(info.decl.origin, BZL_ORIGIN_ABROAD);
    ck_assert(!info.decl.pending);
    ck_assert_uint_eq(info.decl.line_count, 1);

    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_uint_eq(r.seq, seq);
    d.origin = BZL_ORIGIN_OUTSIDE;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);
    d.origin = BZL_ORIGIN_NONE;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + 3 + 1); /* + the repair book */

    make_decl(&d, &line, "A-2", BZL_DIR_IN, 1, E5(10));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(declaration_read("A-2", &info), BZL_OK);
    ck_assert_uint_eq(info.decl.origin, BZL_ORIGIN_NONE);
    ck_assert(!info.decl.pending);
}
END_TEST

/* A damaged attribute record (its tag, or its value out of range) reads as CORRUPT, never as
 * a declaration without the attribute. Offsets: the journal header is 66 bytes; the payload
 * (format.h) holds 1 + 3 ("A-1") + 10 + 12 + 1 + 1 + 4 + 4 + 1 + 12 + 1 + 4 + 47 = 101 bytes
 * before ATTRS, then attrs_len (4) and the record: line (4), tag at 109, len (2) at 110, value
 * at 112. Flipping bit 0 turns tag 1 into 0 and origin 1 (abroad) into 0. */
START_TEST(declaration_attribute_damage_is_corrupt)
{
    const size_t offsets[] = {66 + 109, 66 + 112};
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_decl_info info;
    seed();
    seed_repair_book();
    make_decl(&d, &line, "A-1", BZL_DIR_IN, 1, E5(10));
    strcpy(d.book_no, RBOOK); /* same widths: the offsets above hold */
    strcpy(d.trade_mode, "1371");
    d.origin = BZL_ORIGIN_ABROAD;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(declaration_read("A-1", &info), BZL_OK);
    tamper(r.seq, false, offsets[_i]);
    ck_assert_int_eq(declaration_read("A-1", &info), BZL_CORRUPT);
}
END_TEST

/* The list fields of declaration (ENT, id) copied into buf (a stored declaration's are a view
 * of its journal entry, valid in the read transaction only); *len their bytes. */
static bzl_status
list_fields_read(const char *id, uint8_t *buf, size_t cap, size_t *len)
{
    bzl_decl_info info;
    bzl_decl_line *lines = malloc(BZL_DECL_LINES_CEILING * sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_declaration_get(t, ENT, id, &info, lines, NULL, 0);
    *len = st == BZL_OK ? info.decl.list_fields_len : 0;
    ck_assert_uint_le(*len, cap);
    if (*len > 0) {
        memcpy(buf, info.decl.list_fields, *len);
    }
    bzl_txn_abort(t);
    free(lines);
    return st;
}

/* The 核注清单 fields of a test declaration: InvtType "0" and BizopEtpsNm on the header, GdsNm
 * on line 1, as bzl_list_field_put writes them (list_fields.h), in (line, tag) order. */
static size_t
list_fields_of(uint8_t *buf, size_t cap, const char *name_on_line)
{
    size_t used = 0;
    bzl_fault fault = {0};
    const char *nm = "杭州综保区表业有限公司";
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 0,
                                        bzl_list_field_by_name(BZL_LIST_HEAD, "InvtType"), "0", 1,
                                        &fault),
                     BZL_OK);
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 0,
                                        bzl_list_field_by_name(BZL_LIST_HEAD, "BizopEtpsNm"), nm,
                                        strlen(nm), &fault),
                     BZL_OK);
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 1,
                                        bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm"),
                                        name_on_line, strlen(name_on_line), &fault),
                     BZL_OK);
    return used;
}

/* The 核注清单 fields are content like any attribute: they read back byte for byte, a retry
 * with the same replays, one with another value (or without them) is ID_REUSED. */
START_TEST(declaration_list_fields_round_trip_and_are_content)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_decl_info info;
    uint8_t buf[256];
    uint8_t other[256];
    seed();
    make_decl(&d, &line, "L-1", BZL_DIR_IN, 1, E5(10));
    size_t len = list_fields_of(buf, sizeof buf, "手表机芯");
    /* 7 + 1, 7 + 33 (11 characters of 3 bytes), 7 + 12. */
    ck_assert_uint_eq(len, 8 + 40 + 19);
    d.list_fields = buf;
    d.list_fields_len = (uint32_t)len;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    uint64_t seq = r.seq;
    uint8_t back[256];
    size_t back_len = 0;
    ck_assert_int_eq(list_fields_read("L-1", back, sizeof back, &back_len), BZL_OK);
    ck_assert_uint_eq(back_len, len);
    ck_assert_mem_eq(back, buf, len);

    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_uint_eq(r.seq, seq);
    size_t other_len = list_fields_of(other, sizeof other, "手表机芯X");
    d.list_fields = other;
    d.list_fields_len = (uint32_t)other_len;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);
    d.list_fields = NULL;
    d.list_fields_len = 0;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_ID_REUSED);

    make_decl(&d, &line, "L-2", BZL_DIR_IN, 1, E5(10));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(list_fields_read("L-2", back, sizeof back, &back_len), BZL_OK);
    ck_assert_uint_eq(back_len, 0);
    ck_assert_int_eq(declaration_read("L-2", &info), BZL_OK);
    ck_assert_ptr_null(info.decl.list_fields);
}
END_TEST

/* A damaged list-field record reads as CORRUPT. Offsets as in the test above: the first
 * record (InvtType, tag 68) has its tag at 109 and its length at 110. Flipping bit 0 makes the
 * tag 69, which a header never uses (EtpsInnerInvtNo is the id), or the length 0. */
START_TEST(declaration_list_field_damage_is_corrupt)
{
    const size_t offsets[] = {66 + 109, 66 + 110};
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_decl_info info;
    uint8_t buf[256];
    seed();
    make_decl(&d, &line, "A-1", BZL_DIR_IN, 1, E5(10));
    size_t len = list_fields_of(buf, sizeof buf, "机芯");
    d.list_fields = buf;
    d.list_fields_len = (uint32_t)len;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(declaration_read("A-1", &info), BZL_OK);
    tamper(r.seq, false, offsets[_i]);
    ck_assert_int_eq(declaration_read("A-1", &info), BZL_CORRUPT);
}
END_TEST

/* Replaces d's declaration (d's id) in a batch of its own and commits; the result's status. */
static bzl_status
replace_one(const bzl_declaration *d, const char *reason, bzl_submit_result *r)
{
    bzl_txn *t = write_txn();
    bzl_status st = bzl_storage_replace(t, d, reason, &actor, r);
    if (st != BZL_OK) {
        bzl_txn_abort(t);
        return st;
    }
    return bzl_txn_commit(t);
}

static void
balances_verify(void)
{
    bzl_verify_report br;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!br.mismatch);
}

/* A draft is stored but reserves nothing: pending in and out stay 0; it cannot be posted;
 * voiding it releases nothing; declared (a replacement), it reserves as any pending one; the
 * balances recompute from the journal. */
START_TEST(draft_reserves_nothing_until_declared)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_action_result a;
    bzl_decl_info info;
    seed();
    make_decl(&d, &line, "DR-1", BZL_DIR_IN, 1, E5(10));
    d.pending = true;
    d.draft = true;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_in_e5, 0);
    ck_assert_int_eq(declaration_read("DR-1", &info), BZL_OK);
    ck_assert_uint_eq(info.state, BZL_DECL_DRAFT);
    ck_assert(info.decl.draft && info.decl.pending);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, "DR-1", &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_STATE_CONFLICT);
    bzl_txn_abort(t);
    /* A draft is not refused for the balance it would need (item 1 has none): it reserves
     * nothing yet; its declared version will meet that rule. */
    bzl_declaration out;
    bzl_decl_line out_line;
    make_decl(&out, &out_line, "DR-OUT", BZL_DIR_OUT, 1, E5(10));
    out.pending = true;
    out.draft = true;
    ck_assert_int_eq(submit_one(&out, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_out_e5, 0);

    d.draft = false; /* declared: 10 pending in */
    ck_assert_int_eq(replace_one(&d, "the draft declared", &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_in_e5, E5(10));
    ck_assert_int_eq(declaration_read("DR-1", &info), BZL_OK);
    ck_assert_uint_eq(info.state, BZL_DECL_PENDING);
    ck_assert(!info.decl.draft);

    t = write_txn();
    ck_assert_int_eq(bzl_storage_void(t, ENT, "DR-OUT", false, "", &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_out_e5, 0);
    balances_verify();
}
END_TEST

/* A change before posting: the old reservation released, the new one made, three entries (void,
 * declaration, change); the same content replays; after posting, STATE_CONFLICT naming the
 * reversal; a new version the rules refuse writes nothing and leaves the old one. */
START_TEST(replace_changes_a_pending_declaration_only)
{
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_action_result a;
    bzl_decl_info info;
    seed();
    make_decl(&d, &line, "CH-1", BZL_DIR_IN, 1, E5(10));
    d.pending = true;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    uint64_t before = journal_entries();
    line.qty_e5 = E5(7);
    ck_assert_int_eq(replace_one(&d, "ChgTmsCnt 1", &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_uint_eq(journal_entries(), before + 3);
    ck_assert_uint_eq(r.seq, before + 2); /* void, then the new declaration, then the link */
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_in_e5, E5(7));
    ck_assert_int_eq(declaration_read("CH-1", &info), BZL_OK);
    ck_assert_uint_eq(info.state, BZL_DECL_PENDING);

    ck_assert_int_eq(replace_one(&d, "ChgTmsCnt 1 again", &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_uint_eq(r.seq, before + 2);
    ck_assert_uint_eq(journal_entries(), before + 3);

    /* A new version the rules refuse (an outflow of 1000; nothing is posted) writes nothing. */
    bzl_declaration bad = d;
    bzl_decl_line bad_line = line;
    bad.lines = &bad_line;
    bad.direction = BZL_DIR_OUT;
    strcpy(bad.trade_mode, "5015");
    bad_line.qty_e5 = E5(1000);
    ck_assert_int_eq(replace_one(&bad, "an outflow", &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_INSUFFICIENT_BALANCE);
    ck_assert_uint_eq(journal_entries(), before + 3);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).pending_in_e5, E5(7));

    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, "CH-1", &actor, &a), BZL_OK);
    ck_assert_int_eq(a.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(7));
    line.qty_e5 = E5(5);
    ck_assert_int_eq(replace_one(&d, "ChgTmsCnt 2", &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_STATE_CONFLICT);
    ck_assert_ptr_nonnull(strstr(r.fault.message, "bzl reverse"));

    make_decl(&d, &line, "CH-NONE", BZL_DIR_IN, 1, E5(1));
    ck_assert_int_eq(replace_one(&d, "no such list", &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_NOT_FOUND);
    balances_verify();
}
END_TEST

/* A damaged lots record (SPECIFIC lots, tag 34 on a line) reads as CORRUPT, never as a line
 * naming other lots or none. An outflow "O-1" names lot "R-1" line 1 for 10: 101 bytes before
 * ATTRS as above, attrs_len (4), then line u32 (105), tag at 109, len u16 (110), the value at
 * 112: count u16 (112), receipt_line u32 at 114, qty i64 (118), id_len at 126, id (127). Flipping
 * bit 0 turns tag 34 into 35 (unknown), the count 1 into 0, the receipt line 1 into 0, and the
 * id's length 3 into 2 (the record no longer ends where its length says). Undamaged, the lots
 * read back. */
START_TEST(declaration_lots_damage_is_corrupt)
{
    const size_t offsets[] = {66 + 109, 66 + 112, 66 + 114, 66 + 126};
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    bzl_decl_info info;
    seed();
    bzl_action_result ar;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_lot_method_set(t, BOOK, BZL_LOTS_SPECIFIC, &actor, &ar), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(ar.status, BZL_OK);
    make_decl(&d, &line, "R-1", BZL_DIR_IN, 1, E5(10));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    make_decl(&d, &line, "O-1", BZL_DIR_OUT, 1, E5(10));
    bzl_lot_ref ref = {.line = 1, .receipt_line = 1, .qty_e5 = E5(10), .receipt = "R-1"};
    d.lot_count = 1;
    d.lots = &ref;
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_int_eq(declaration_read("O-1", &info), BZL_OK);
    ck_assert_uint_eq(info.decl.lot_count, 1);
    tamper(r.seq, false, offsets[_i]);
    ck_assert_int_eq(declaration_read("O-1", &info), BZL_CORRUPT);
}
END_TEST

/* ---- verification ---------------------------------------------------------------------------- */

/* Seeds master data and two declarations: 7 entries, a balance on material 1. */
static void
seed_with_declarations(void)
{
    seed();
    bzl_declaration d;
    bzl_decl_line line;
    bzl_submit_result r;
    make_decl(&d, &line, "V-1", BZL_DIR_IN, 1, E5(100));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    make_decl(&d, &line, "V-2", BZL_DIR_OUT, 1, E5(30));
    ck_assert_int_eq(submit_one(&d, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
}

static bzl_status
verify_chain(bzl_chain_report *rep)
{
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_verify_chain(t, rep);
    bzl_txn_abort(t);
    return st;
}

/* Opens the environment behind the store's back and hands the journal value of seq to edit,
 * or deletes it; the store is left closed and reopened after. */
static void
tamper(uint64_t seq, bool delete_it, size_t flip_offset)
{
    bzl_storage_close(store);
    store = NULL;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    uint8_t key[8];
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(seq >> (8 * (7 - i)));
    }
    MDB_val k = {.mv_size = 8, .mv_data = key};
    MDB_val v;
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
    ck_assert_int_eq(mdb_env_open(env, db_dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, "journal", 0, &dbi), 0);
    if (delete_it) {
        ck_assert_int_eq(mdb_del(txn, dbi, &k, NULL), 0);
    } else {
        ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), 0);
        uint8_t *copy = malloc(v.mv_size);
        memcpy(copy, v.mv_data, v.mv_size);
        ck_assert_uint_lt(flip_offset, v.mv_size);
        copy[flip_offset] ^= 0x01;
        MDB_val nv = {.mv_size = v.mv_size, .mv_data = copy};
        ck_assert_int_eq(mdb_put(txn, dbi, &k, &nv, 0), 0);
        free(copy);
    }
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    open_with(0, 0);
}

/* A clean journal verifies, with every entry walked and the head naming the last one. */
START_TEST(verify_chain_passes_on_a_clean_journal)
{
    seed_with_declarations();
    bzl_chain_report rep;
    ck_assert_int_eq(verify_chain(&rep), BZL_OK);
    ck_assert_uint_eq(rep.entries, SEED_ENTRIES + 2);
    ck_assert_uint_eq(rep.head_seq, SEED_ENTRIES + 2);
    ck_assert_uint_eq(rep.first_bad_seq, 0);
    bzl_verify_report br;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(br.entries, SEED_ENTRIES + 2);
    ck_assert(!br.mismatch);
}
END_TEST

/* One flipped byte in any part of an entry (header, hash or payload) names that entry. */
START_TEST(verify_chain_names_an_altered_entry)
{
    seed_with_declarations();
    const size_t offsets[] = {0, 10, 40, 70, 80};
    tamper(3, false, offsets[_i]);
    bzl_chain_report rep;
    ck_assert_int_eq(verify_chain(&rep), BZL_TAMPERED);
    ck_assert_uint_eq(rep.first_bad_seq, 3);
    ck_assert_ptr_nonnull(strstr(rep.why, "entry 3"));
}
END_TEST

/* A deleted entry in the middle or at the end is named by its sequence. */
START_TEST(verify_chain_names_a_deleted_entry)
{
    seed_with_declarations();
    uint64_t seq = _i == 0 ? 4 : SEED_ENTRIES + 2;
    tamper(seq, true, 0);
    bzl_chain_report rep;
    ck_assert_int_eq(verify_chain(&rep), BZL_TAMPERED);
    ck_assert_uint_eq(rep.first_bad_seq, seq);
    ck_assert_ptr_nonnull(strstr(rep.why, "missing"));
}
END_TEST

/* A stored balance that disagrees with the journal is found and named. */
START_TEST(verify_balances_names_a_forged_balance)
{
    seed_with_declarations();
    uint8_t key[17];
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    key[13] = key[14] = key[15] = 0;
    key[16] = 1;
    uint8_t val[40] = {0}; /* the four amounts and the history head */
    val[0] = 1;            /* qty 0.00001 */
    forge("balance", key, sizeof key, val, sizeof val);
    open_with(0, 0);
    bzl_verify_report br;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert(br.mismatch);
    ck_assert_uint_eq(br.item_no, 1);
    ck_assert_str_eq(br.field, "qty");
    ck_assert_int_eq(br.stored_e5, 1);
    ck_assert_int_eq(br.recomputed_e5, E5(70));
}
END_TEST

/* The audit listing shows every entry with its actor, filtered and paged. */
START_TEST(audit_list_pages_and_filters)
{
    seed_with_declarations();
    bzl_audit_row rows[4];
    size_t n = 0;
    uint64_t next = 0;
    bool more = false;
    bzl_audit_filter f = {0};
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, rows, 4, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert(more);
    ck_assert_uint_eq(rows[0].seq, 1);
    ck_assert_uint_eq(rows[0].uid, actor.uid);
    ck_assert_ptr_nonnull(strstr(rows[0].summary, "enterprise"));
    f.after_seq = next;
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, rows, 4, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(!more);
    ck_assert_ptr_nonnull(strstr(rows[2].summary, "declaration V-2"));
    f.after_seq = 0;
    f.by_uid = true;
    f.uid = actor.uid + 1;
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, rows, 4, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, 0);
    bzl_txn_abort(t);
}
END_TEST

/* ---- the recon writes' journal entries (types 12-14) ------------------------------------- */

static const bzl_actor officer = {
    .uid = 2001, .gid = 2001, .pid = 5151, .role = 2, .request_id = 9, .time_ms = 1773600000000};

/* Seeds, then writes in one batch each as `officer`: a stocktake of BOOK on 2026-06-30 with
 * three lines (materials 1 and 2, scrap of 1), the 2026-03 USD rate 7.1234 and general trade
 * of 2026-03 in USD: three entries, SEED_ENTRIES + 1 .. + 3. */
static void
seed_recon_writes(void)
{
    seed();
    bzl_stocktake_line lines[3] = {
        {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = E5(10)},
        {.kind = BZL_STOCK_MATERIAL, .item_no = 2, .qty_e5 = E5(5)},
        {.kind = BZL_STOCK_SCRAP, .item_no = 1, .qty_e5 = E5(1)},
    };
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_stocktake_put(t, BOOK, bzl_date_from_civil(2026, 6, 30), lines, 3,
                                               false, &officer, &r),
                     BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    bzl_rate_row rate = {.month = 202603, .currency = "502", .cny_e9 = 7123400000};
    t = write_txn();
    ck_assert_int_eq(bzl_storage_rate_set(t, &rate, &officer, &r), BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    bzl_trade_row trade = {
        .month = 202603, .currency = "502", .exports_e5 = E5(1000), .imports_e5 = E5(500)};
    t = write_txn();
    ck_assert_int_eq(bzl_storage_trade_record(t, &trade, &officer, &r), BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}
#define RECON_WRITE_ENTRIES 3u

/* A stocktake, a rate and a trade recording are journal entries naming who made them, with a
 * readable summary; the chain over them verifies, and they leave the balance recomputation
 * clean (they carry no effects). */
START_TEST(recon_writes_are_journaled_with_their_actor)
{
    seed_recon_writes();
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + RECON_WRITE_ENTRIES);
    bzl_audit_row rows[8];
    size_t n = 0;
    uint64_t next = 0;
    bool more = false;
    bzl_audit_filter f = {.by_uid = true, .uid = officer.uid};
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, rows, 8, &n, &next, &more), BZL_OK);
    ck_assert_uint_eq(n, RECON_WRITE_ENTRIES);
    static const char *const want[] = {"stocktake H72012400001 2026-06-30, 3 lines",
                                       "rate 2026-03 502 7.1234",
                                       "trade 2026-03 502 exports 1000 imports 500"};
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(rows[i].seq, SEED_ENTRIES + 1 + i);
        ck_assert_uint_eq(rows[i].type, 12 + i);
        ck_assert_uint_eq(rows[i].uid, officer.uid);
        ck_assert_int_eq(rows[i].pid, officer.pid);
        ck_assert_uint_eq(rows[i].role, officer.role);
        ck_assert_uint_eq(rows[i].request_id, officer.request_id);
        ck_assert_int_eq(rows[i].time_ms, officer.time_ms);
        ck_assert_str_eq(rows[i].summary, want[i]);
    }
    bzl_verify_report br;
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_OK);
    ck_assert(!br.mismatch);
    ck_assert_uint_eq(br.entries, SEED_ENTRIES + RECON_WRITE_ENTRIES);
    bzl_txn_abort(t);
    bzl_chain_report rep;
    ck_assert_int_eq(verify_chain(&rep), BZL_OK);
    ck_assert_uint_eq(rep.head_seq, SEED_ENTRIES + RECON_WRITE_ENTRIES);
}
END_TEST

/* Setting the same rate or recording the same trade totals again replays and writes no entry;
 * a changed rate is a new entry that names the value it replaced. */
START_TEST(recon_write_replays_add_no_entry)
{
    seed_recon_writes();
    bzl_rate_row rate = {.month = 202603, .currency = "502", .cny_e9 = 7123400000};
    bzl_trade_row trade = {
        .month = 202603, .currency = "502", .exports_e5 = E5(1000), .imports_e5 = E5(500)};
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_rate_set(t, &rate, &officer, &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_int_eq(bzl_storage_trade_record(t, &trade, &officer, &r), BZL_OK);
    ck_assert(r.replayed);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + RECON_WRITE_ENTRIES);
    rate.cny_e9 = 7200000000;
    t = write_txn();
    ck_assert_int_eq(bzl_storage_rate_set(t, &rate, &actor, &r), BZL_OK);
    ck_assert(!r.replayed);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_uint_eq(journal_entries(), SEED_ENTRIES + RECON_WRITE_ENTRIES + 1);
    bzl_audit_row row;
    size_t n = 0;
    uint64_t next = 0;
    bool more = false;
    bzl_audit_filter f = {.after_seq = SEED_ENTRIES + RECON_WRITE_ENTRIES};
    t = read_txn();
    ck_assert_int_eq(bzl_storage_audit_list(t, &f, &row, 1, &n, &next, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(row.uid, actor.uid);
    ck_assert_str_eq(row.summary, "rate 2026-03 502 7.2 (was 7.1234)");
}
END_TEST

/* One flipped byte in the payload of a stocktake, rate or trade entry names that entry. */
START_TEST(verify_chain_names_an_altered_recon_entry)
{
    seed_recon_writes();
    uint64_t seq = SEED_ENTRIES + 1 + (uint64_t)_i;
    tamper(seq, false, 70); /* the payload's fifth byte: the date, or the currency */
    bzl_chain_report rep;
    ck_assert_int_eq(verify_chain(&rep), BZL_TAMPERED);
    ck_assert_uint_eq(rep.first_bad_seq, seq);
}
END_TEST

/* The stored rate, trade and stocktake rows equal what their last journal entries say: a clean
 * ledger with all three verifies, every row compared. */
START_TEST(verify_rows_pass_on_clean_recon_writes)
{
    seed_recon_writes();
    bzl_rate_row rate = {.month = 202603, .currency = "502", .cny_e9 = 7200000000};
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_rate_set(t, &rate, &officer, &r), BZL_OK); /* replaces 7.1234 */
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    bzl_verify_report br;
    t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!br.mismatch);
    ck_assert_uint_ge(br.rows, 3); /* one rate, one trade, the stocktake's material rows */
}
END_TEST

/* Key month u32 BE | currency[3] of the rate and trade tables. */
static void
month_key(uint8_t key[7], uint32_t month, const char *currency)
{
    for (int i = 0; i < 4; i++) {
        key[i] = (uint8_t)(month >> (8 * (3 - i)));
    }
    memcpy(key + 4, currency, 3);
}

static bzl_verify_report
verify_rows_tampered(void)
{
    open_with(0, 0);
    bzl_verify_report br;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &br), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert(br.mismatch);
    return br;
}

/* A rate row whose value was changed behind the journal's back is named, stored vs journaled. */
START_TEST(verify_rows_name_a_forged_rate)
{
    seed_recon_writes();
    uint8_t key[7];
    month_key(key, 202603, "502");
    int64_t forged = 8000000000;
    uint8_t val[8];
    for (int i = 0; i < 8; i++) {
        val[i] = (uint8_t)((uint64_t)forged >> (8 * i));
    }
    forge("rate", key, sizeof key, val, sizeof val);
    bzl_verify_report br = verify_rows_tampered();
    ck_assert_str_eq(br.field, "rate");
    ck_assert_uint_eq(br.month, 202603);
    ck_assert_str_eq(br.currency, "502");
    ck_assert_int_eq(br.stored_e5, forged);
    ck_assert_int_eq(br.recomputed_e5, 7123400000);
    ck_assert_str_eq(br.message, "rate 2026-03 502: stored 8 but the journal's last rate entry "
                                 "says 7.1234");
}
END_TEST

/* A rate row that no journal entry wrote is named. */
START_TEST(verify_rows_name_a_rate_without_an_entry)
{
    seed_recon_writes();
    uint8_t key[7];
    month_key(key, 202604, "502");
    uint8_t val[8] = {1};
    forge("rate", key, sizeof key, val, sizeof val);
    bzl_verify_report br = verify_rows_tampered();
    ck_assert_uint_eq(br.month, 202604);
    ck_assert_ptr_nonnull(strstr(br.message, "rate 2026-04 502: stored"));
    ck_assert_ptr_nonnull(strstr(br.message, "says no entry"));
}
END_TEST

/* A deleted trade row whose entry remains is named, with what the journal says. */
START_TEST(verify_rows_name_a_deleted_trade_row)
{
    seed_recon_writes();
    uint8_t key[7];
    month_key(key, 202603, "502");
    forge("trade", key, sizeof key, NULL, 0);
    bzl_verify_report br = verify_rows_tampered();
    ck_assert_uint_eq(br.month, 202603);
    ck_assert_str_eq(br.currency, "502");
    ck_assert_str_eq(br.message, "trade 2026-03 502: stored no row but the journal's last trade "
                                 "entry says exports 1000 imports 500");
}
END_TEST

/* A trade row with forged imports names the imports field. */
START_TEST(verify_rows_name_forged_trade_imports)
{
    seed_recon_writes();
    uint8_t key[7];
    month_key(key, 202603, "502");
    uint8_t val[16] = {0};
    int64_t exports = E5(1000);
    for (int i = 0; i < 8; i++) {
        val[i] = (uint8_t)((uint64_t)exports >> (8 * i));
    }
    val[8] = 1; /* imports 0.00001 */
    forge("trade", key, sizeof key, val, sizeof val);
    bzl_verify_report br = verify_rows_tampered();
    ck_assert_str_eq(br.field, "trade_imports");
    ck_assert_int_eq(br.stored_e5, 1);
    ck_assert_int_eq(br.recomputed_e5, E5(500));
}
END_TEST

/* Stocktake rows of a (book, date) no journal entry recorded are named by book and date. */
START_TEST(verify_rows_name_an_extra_stocktake)
{
    seed_recon_writes();
    uint8_t key[20] = {0};
    memcpy(key, BOOK, 12);
    uint32_t date = (uint32_t)bzl_date_from_civil(2026, 7, 31);
    for (int i = 0; i < 4; i++) {
        key[12 + i] = (uint8_t)(date >> (8 * (3 - i)));
    }
    key[19] = 1; /* material 1 */
    uint8_t val[33] = {0};
    forge("stocktake", key, sizeof key, val, sizeof val);
    bzl_verify_report br = verify_rows_tampered();
    ck_assert_str_eq(br.field, "stocktake");
    ck_assert_str_eq(br.book_no, BOOK);
    ck_assert_int_eq(br.date, (int32_t)date);
    ck_assert_ptr_nonnull(strstr(br.message, "stocktake book H72012400001 2026-07-31"));
    ck_assert_ptr_nonnull(strstr(br.message, "no journal entry"));
}
END_TEST

/* ---- upgrade -------------------------------------------------------------------------- */

static void
put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[n - 1 - i] = (uint8_t)(v >> (8 * i));
    }
}

static size_t
material_history(bzl_history_row *rows, size_t cap)
{
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_history(t, BOOK, BZL_KIND_MATERIAL, 1, INT32_MIN, INT32_MAX, 0,
                                         rows, cap, &n, &more),
                     BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!more);
    return n;
}

/* An upgrade from schema 2 stopped part-way (any transaction may be the last to commit) is
 * finished by running it again: here material 2's balance row is still in its 32-byte form,
 * and material 1's newer history row still has its v2 key while its balance row's head points
 * at the older row already moved. The open refuses the ledger and names the command; the
 * upgrade converts exactly those two rows, and the history and balances read back as before. */
START_TEST(upgrade_finishes_a_partly_converted_ledger)
{
    seed_with_declarations();
    bzl_history_row before[4];
    ck_assert_uint_eq(material_history(before, 4), 2);
    bzl_balance bal = balance_of(BZL_KIND_MATERIAL, 1);
    /* material 1's row of V-2 back in v2 form: key item | seq, value without prev_seq */
    uint8_t item[17];
    memcpy(item, BOOK, 12);
    item[12] = BZL_KIND_MATERIAL;
    put_be(item + 13, 1, 4);
    uint8_t v2_key[25];
    memcpy(v2_key, item, 17);
    put_be(v2_key + 17, before[1].seq, 8);
    uint8_t v2_val[1 + 1 + 4 + 24 + 1 + 64];
    size_t id_len = strlen(before[1].id);
    v2_val[0] = before[1].entry_type;
    v2_val[1] = before[1].flow;
    put_le(v2_val + 2, (uint32_t)before[1].date, 4);
    put_le(v2_val + 6, (uint64_t)before[1].qty_e5, 8);
    put_le(v2_val + 14, (uint64_t)before[1].pending_in_e5, 8);
    put_le(v2_val + 22, (uint64_t)before[1].pending_out_e5, 8);
    v2_val[30] = (uint8_t)id_len;
    memcpy(v2_val + 31, before[1].id, id_len);
    forge("history", v2_key, sizeof v2_key, v2_val, 31 + id_len);
    uint8_t v3_key[13];
    put_be(v3_key, before[1].seq, 8);
    v3_key[8] = BZL_KIND_MATERIAL;
    put_be(v3_key + 9, 1, 4);
    forge("history", v3_key, sizeof v3_key, NULL, 0);
    uint8_t wide[40];
    put_le(wide, (uint64_t)bal.qty_e5, 8);
    put_le(wide + 8, (uint64_t)bal.value_e5, 8);
    put_le(wide + 16, (uint64_t)bal.pending_in_e5, 8);
    put_le(wide + 24, (uint64_t)bal.pending_out_e5, 8);
    put_le(wide + 32, before[0].seq, 8); /* the head: the row moved already */
    forge("balance", item, sizeof item, wide, sizeof wide);
    uint8_t narrow[32] = {0}; /* material 2: no movement, a v2 row of zeros */
    item[16] = 2;
    forge("balance", item, sizeof item, narrow, sizeof narrow);
    const uint8_t two[4] = {2, 0, 0, 0};
    forge("meta", "schema", 6, two, sizeof two);

    bzl_storage_options opts = {.dir = db_dir};
    char why[256] = "";
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_SCHEMA_MISMATCH);
    ck_assert_ptr_nonnull(strstr(why, "run bzld --upgrade"));
    bzl_upgrade_report rep;
    ck_assert_int_eq(bzl_storage_upgrade(&opts, &rep, why, sizeof why), BZL_OK);
    ck_assert_uint_eq(rep.from_version, 2);
    ck_assert_uint_eq(rep.balance_rows, 1);
    ck_assert_uint_eq(rep.history_rows, 1);
    open_with(0, 0);
    bzl_history_row after[4];
    ck_assert_uint_eq(material_history(after, 4), 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_uint_eq(after[i].seq, before[i].seq);
        ck_assert_int_eq(after[i].qty_e5, before[i].qty_e5);
        ck_assert_int_eq(after[i].running_e5, before[i].running_e5);
        ck_assert_str_eq(after[i].id, before[i].id);
        ck_assert_uint_eq(after[i].entry_type, before[i].entry_type);
    }
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, bal.qty_e5);
    bzl_verify_report vr;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &vr), BZL_OK);
    bzl_txn_abort(t);
    /* Nothing is left to do: a second run reports the current version. */
    bzl_storage_close(store);
    store = NULL;
    ck_assert_int_eq(bzl_storage_upgrade(&opts, &rep, why, sizeof why), BZL_OK);
    ck_assert_uint_eq(rep.from_version, BZL_SCHEMA_VERSION);
    ck_assert_uint_eq(rep.history_rows, 0);
}
END_TEST

/* A version the upgrade does not convert is refused with both versions named and left as it
 * was; an empty directory is initialised at the current version. */
START_TEST(upgrade_refuses_a_version_it_does_not_convert)
{
    const uint8_t seven[4] = {7, 0, 0, 0};
    forge("meta", "schema", 6, seven, sizeof seven);
    bzl_storage_options opts = {.dir = db_dir};
    char why[256] = "";
    bzl_upgrade_report rep;
    ck_assert_int_eq(bzl_storage_upgrade(&opts, &rep, why, sizeof why), BZL_SCHEMA_MISMATCH);
    ck_assert_uint_eq(rep.from_version, 7);
    ck_assert_str_eq(why, "database schema version 7: this build upgrades 2 to 5");
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_SCHEMA_MISMATCH);
    ck_assert_ptr_null(strstr(why, "--upgrade"));
    char empty[PATH_MAX];
    fixture_mkdtemp(empty, sizeof empty, db_dir, "empty"); /* removed with db_dir */
    opts.dir = empty;
    ck_assert_int_eq(bzl_storage_upgrade(&opts, &rep, why, sizeof why), BZL_OK);
    ck_assert_uint_eq(rep.from_version, BZL_SCHEMA_VERSION);
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_OK);
    bzl_storage_close(store);
    store = NULL;
}
END_TEST

static Suite *
storage_suite(void)
{
    Suite *s = suite_create("storage");
    struct {
        const char *name;
        const TTest *tests[16];
    } cases[] = {
        {"open",
         {storage_reopen_keeps_data, storage_refuses_an_unknown_schema_version,
          storage_refuses_a_malformed_schema_record, storage_open_reports_a_missing_directory}},
        {"master",
         {enterprise_add_twice_is_already_exists, book_add_needs_its_enterprise,
          item_add_needs_its_book, lookups_of_impossible_keys_are_not_found,
          enterprise_list_pages_in_code_order}},
        {"submit",
         {submit_import_moves_the_balance,
          submit_replay_returns_the_original_sequence_and_writes_nothing,
          submit_same_id_other_content_is_id_reused,
          submit_refusal_leaves_balance_journal_and_id_unchanged,
          submit_two_declarations_in_one_batch_see_each_other,
          submit_outflow_beyond_balance_names_item_and_available,
          submit_refuses_unknown_foreign_and_suspended_books,
          submit_pending_outflow_reserves_stored_balance,
          declaration_attributes_round_trip_and_are_content,
          declaration_list_fields_round_trip_and_are_content, draft_reserves_nothing_until_declared,
          replace_changes_a_pending_declaration_only}},
        {"balance", {balance_list_pages_in_kind_and_item_order}},
        {"faults",
         {corrupt_balance_row_is_reported_not_trusted, corrupt_book_row_is_reported_not_trusted,
          dangling_idempotency_record_is_corrupt, tiny_map_fills_and_stays_readable,
          map_full_then_grow_then_replay_succeeds, grow_doubles_until_the_ceiling}},
        {"verify",
         {verify_chain_passes_on_a_clean_journal, verify_balances_names_a_forged_balance,
          audit_list_pages_and_filters, recon_writes_are_journaled_with_their_actor,
          recon_write_replays_add_no_entry}},
        {"upgrade",
         {upgrade_finishes_a_partly_converted_ledger,
          upgrade_refuses_a_version_it_does_not_convert}},
        {"verify_rows",
         {verify_rows_pass_on_clean_recon_writes, verify_rows_name_a_forged_rate,
          verify_rows_name_a_rate_without_an_entry, verify_rows_name_a_deleted_trade_row,
          verify_rows_name_forged_trade_imports, verify_rows_name_an_extra_stocktake}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        TCase *tc = tcase_create(cases[c].name);
        tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
        tcase_add_checked_fixture(tc, db_setup, db_teardown);
        tcase_set_timeout(tc, 60);
        for (size_t i = 0; i < 16 && cases[c].tests[i] != NULL; i++) {
            tcase_add_test(tc, cases[c].tests[i]);
        }
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("tamper");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_add_loop_test(tc, verify_chain_names_an_altered_entry, 0, 5);
    tcase_add_loop_test(tc, verify_chain_names_a_deleted_entry, 0, 2);
    tcase_add_loop_test(tc, verify_chain_names_an_altered_recon_entry, 0, 3);
    tcase_add_loop_test(tc, declaration_attribute_damage_is_corrupt, 0, 2);
    tcase_add_loop_test(tc, declaration_lots_damage_is_corrupt, 0, 4);
    tcase_add_loop_test(tc, declaration_list_field_damage_is_corrupt, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(storage_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
