/* check_recon_storage.c — proves that verification reads period totals, never the journal:
 * 1,000 books × 20 materials loaded in batched write transactions (about 25,000 journal
 * entries), then bzl_recon_book over every book in one read transaction leaves the
 * transaction's journal-read counter at 0 while every book balance equals the hand
 * computation; the same counter does move when bzl_storage_verify_balances walks the journal,
 * so a zero is not an idle counter. Also proves carry-forward: a closing stored for January
 * becomes February's opening even when it differs from the sum of the totals; that verify
 * recomputes the period totals, trade values, stocktake rows and closings from the journal and
 * names one changed on disk; and that an enterprise's stocktake never replaces customs'. */
#include "bzl/query.h"
#include "bzl/storage.h"
#include "storage_fixture.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOKS 1000u
#define MATERIALS 20u
#define BOOKS_PER_TXN 50u

/* Not the fixture's actor: the zone is loaded as this one. */
static const bzl_actor loader = {.uid = 1, .gid = 1, .pid = 1, .role = 1, .time_ms = 1};
static char dir[PATH_MAX];

/* One directory and a store with a 512 MiB map (1 GiB at most) per test, not the fixture's
 * root and db directories. */
static void
setup(void)
{
    fixture_mkdtemp(dir, sizeof dir, NULL, "check_recon_storage");
    bzl_storage_options opts = {.dir = dir, .map_bytes = 512u << 20, .map_bytes_max = 1u << 30};
    char why[256] = "";
    ck_assert_int_eq(bzl_storage_open(&opts, &store, why, sizeof why), BZL_OK);
}

static void
teardown(void)
{
    bzl_storage_close(store);
    fixture_remove_tree(dir);
}

static void
book_no(unsigned i, char out[BZL_BOOK_NO_LEN + 1])
{
    snprintf(out, BZL_BOOK_NO_LEN + 1, "E7201%07u", i);
}

/* Book i: 20 materials; import of 1000 + m of material m on 2026-01-10, domestic sale of m on
 * 2026-01-20: book balance of material m = 1000 + m − m = 1000. */
static void
load_book(bzl_txn *t, unsigned i, bzl_decl_line *lines)
{
    bzl_book b = {.verify_mode = BZL_VERIFY_UNIT, .status = BZL_BOOK_OPEN, .period_days = 365};
    book_no(i, b.book_no);
    strcpy(b.enterprise, ENT);
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &loader, &f), BZL_OK);
    for (uint32_t m = 1; m <= MATERIALS; m++) {
        bzl_item it = {.kind = BZL_KIND_MATERIAL, .item_no = m};
        strcpy(it.book_no, b.book_no);
        strcpy(it.hs, "1206009000");
        strcpy(it.unit, "035");
        strcpy(it.name, "seed");
        ck_assert_int_eq(bzl_storage_item_add(t, &it, &loader, &f), BZL_OK);
    }
    for (int dir_out = 0; dir_out < 2; dir_out++) {
        bzl_declaration d = {.kind = BZL_KIND_MATERIAL,
                             .direction = dir_out ? BZL_DIR_OUT : BZL_DIR_IN,
                             .date = bzl_date_from_civil(2026, 1, dir_out ? 20 : 10),
                             .line_count = MATERIALS,
                             .lines = lines};
        snprintf(d.id, sizeof d.id, "%s-%u", dir_out ? "S" : "I", i);
        strcpy(d.enterprise, ENT);
        strcpy(d.book_no, b.book_no);
        strcpy(d.trade_mode, dir_out ? "0644" : "0615");
        for (uint32_t m = 0; m < MATERIALS; m++) {
            memset(&lines[m], 0, sizeof lines[m]);
            lines[m].item_no = m + 1;
            lines[m].qty_e5 = dir_out ? E5(m + 1) : E5(1000 + m + 1);
            lines[m].value_e5 = lines[m].qty_e5;
            strcpy(lines[m].unit, "035");
            strcpy(lines[m].currency, "502");
        }
        bzl_submit_result r;
        ck_assert_int_eq(bzl_storage_submit(t, &d, &loader, &r), BZL_OK);
        ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    }
}

static void
load_zone(void)
{
    bzl_decl_line lines[MATERIALS];
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
    bzl_enterprise e = {.code = "330261A004", .uscc = "91310000717866186P", .name = "Zone Co."};
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &loader, &f), BZL_OK);
    for (unsigned i = 1; i <= BOOKS; i++) {
        load_book(t, i, lines);
        if (i % BOOKS_PER_TXN == 0) {
            ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
            t = NULL;
            if (i < BOOKS) {
                ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
            }
        }
    }
}

START_TEST(reconcile_of_1000_books_by_20_materials_reads_no_journal_record)
{
    load_zone();
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, false, &t), BZL_OK);
    bzl_storage_stats stats;
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    ck_assert_uint_ge(stats.journal_entries, BOOKS * (MATERIALS + 3));
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse("2026-01", 7, &p, &f), BZL_OK);
    bzl_recon_line lines[MATERIALS];
    for (unsigned i = 1; i <= BOOKS; i++) {
        char bk[BZL_BOOK_NO_LEN + 1];
        book_no(i, bk);
        size_t n = 0;
        bzl_recon_summary sum;
        ck_assert_int_eq(bzl_recon_book(t, bk, &p, 5000, lines, MATERIALS, &n, &sum), BZL_OK);
        ck_assert_uint_eq(n, MATERIALS);
        for (size_t m = 0; m < n; m++) {
            ck_assert_int_eq(lines[m].book_e5, E5(1000));
            ck_assert_int_eq(lines[m].totals_e5[BZL_FLOW_MAT_DOMESTIC_SALE], E5(m + 1));
        }
    }
    ck_assert_uint_eq(bzl_txn_journal_reads(t), 0);
    /* The counter is live: walking the journal moves it. */
    bzl_verify_report vr;
    ck_assert_int_eq(bzl_storage_verify_balances(t, &vr), BZL_OK);
    ck_assert_uint_ge(bzl_txn_journal_reads(t), stats.journal_entries);
    bzl_txn_abort(t);
}
END_TEST

/* January: import 1000 + m, sale m → closing 1000 per material. Storing a closing of 990 for
 * material 1 (as a period close would have carried) makes February open at 990, not at the
 * 1000 the totals sum to: the opening is the carried figure. */
START_TEST(february_opens_with_the_carried_closing)
{
    bzl_decl_line lines[MATERIALS];
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
    bzl_enterprise e = {.code = "330261A004", .uscc = "91310000717866186P", .name = "Zone Co."};
    bzl_fault f;
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &loader, &f), BZL_OK);
    load_book(t, 1, lines);
    char bk[BZL_BOOK_NO_LEN + 1];
    book_no(1, bk);
    ck_assert_int_eq(bzl_recon_carry_forward(t, bk, bzl_date_from_civil(2026, 1, 31)), BZL_OK);
    int64_t open = 0;
    ck_assert_int_eq(bzl_recon_opening(t, bk, 2, 202602, &open), BZL_OK);
    ck_assert_int_eq(open, E5(1000));
    ck_assert_int_eq(bzl_storage_closing_put(t, bk, 1, 202601, E5(990)), BZL_OK);
    ck_assert_int_eq(bzl_recon_opening(t, bk, 1, 202602, &open), BZL_OK);
    ck_assert_int_eq(open, E5(990));
    ck_assert_int_eq(bzl_recon_opening(t, bk, 1, 202601, &open), BZL_OK);
    ck_assert_int_eq(open, 0);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}
END_TEST

/* ---- stocktakes --------------------------------------------------------------------------- */

/* Stores BOOK's stocktake of date in its own batch: material 1 counted m1, material 2 m2.
 * Returns the call's status; the refusal, if any, lands in *r. */
static bzl_status
stocktake_of(int32_t date, int64_t m1, int64_t m2, bzl_action_result *r)
{
    bzl_stocktake_line lines[2] = {
        {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = m1},
        {.kind = BZL_STOCK_MATERIAL, .item_no = 2, .qty_e5 = m2},
    };
    bzl_txn *t = write_txn();
    bzl_status st = bzl_storage_stocktake_put(t, BOOK, date, lines, 2, false, &actor, r);
    if (st == BZL_OK && r->status == BZL_OK) {
        st = bzl_txn_commit(t);
    } else {
        bzl_txn_abort(t);
    }
    return st;
}

/* Asserts BOOK's latest stocktake on or before date is dated `want_date` and counts m1 of
 * material 1 and m2 of material 2. */
static void
assert_counts(int32_t date, int32_t want_date, int64_t m1, int64_t m2)
{
    bzl_count_row rows[4];
    size_t n = 0;
    int32_t found = 0;
    bzl_counted_by by = BZL_COUNTED_ANY;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stocktake_get(t, BOOK, INT32_MIN + 1, date, BZL_COUNTED_ANY,
                                               &found, &by, rows, 4, &n),
                     BZL_OK);
    bzl_txn_abort(t);
    ck_assert_int_eq(found, want_date);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(rows[0].item_no, 1);
    ck_assert_int_eq(rows[0].counted_e5, m1);
    ck_assert_uint_eq(rows[1].item_no, 2);
    ck_assert_int_eq(rows[1].counted_e5, m2);
}

static uint64_t
journal_length(void)
{
    bzl_storage_stats stats;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    return stats.journal_entries;
}

/* A new stocktake of the same book and date replaces the old one even when the old one is the
 * only stocktake in the ledger (its rows are the whole stocktake table, so clearing them
 * empties the table): changed counts replace the old counts, and the same content again is
 * accepted too; each accepted submission is one journal entry. */
START_TEST(stocktake_replaces_the_only_stocktake_in_the_ledger)
{
    seed();
    int32_t day = bzl_date_from_civil(2026, 6, 30);
    bzl_action_result r;
    ck_assert_int_eq(stocktake_of(day, E5(10), E5(5), &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    assert_counts(day, day, E5(10), E5(5));
    uint64_t entries = journal_length();
    ck_assert_int_eq(stocktake_of(day, E5(7), E5(3), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    assert_counts(day, day, E5(7), E5(3));
    ck_assert_uint_eq(journal_length(), entries + 1);
    ck_assert_int_eq(stocktake_of(day, E5(7), E5(3), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    assert_counts(day, day, E5(7), E5(3));
    ck_assert_uint_eq(journal_length(), entries + 2);
}
END_TEST

/* A stocktake dated on or before the date BOOK is closed through is refused with
 * BZL_PERIOD_CLOSED, naming the book, the date and the closed-through date, and writes
 * nothing: the earlier stocktake's rows and the journal length are unchanged. One dated the
 * day after the closed-through date is accepted. */
START_TEST(stocktake_dated_inside_a_closed_period_is_refused)
{
    seed();
    int32_t through = bzl_date_from_civil(2026, 3, 31);
    int32_t earlier = bzl_date_from_civil(2026, 3, 20);
    bzl_action_result r;
    ck_assert_int_eq(stocktake_of(earlier, E5(10), E5(5), &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, through, &actor, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    uint64_t entries = journal_length();
    const int32_t refused[] = {bzl_date_from_civil(2026, 1, 5), through, earlier};
    for (size_t i = 0; i < BZL_ARRAY_LEN(refused); i++) {
        char date[16];
        bzl_date_format(refused[i], date, sizeof date);
        ck_assert_int_eq(stocktake_of(refused[i], E5(99), E5(99), &r), BZL_OK);
        ck_assert_msg(r.status == BZL_PERIOD_CLOSED, "%s: status %d", date, (int)r.status);
        ck_assert_str_eq(r.fault.field, "date");
        ck_assert_ptr_nonnull(strstr(r.fault.message, BOOK));
        ck_assert_ptr_nonnull(strstr(r.fault.message, date));
        ck_assert_ptr_nonnull(strstr(r.fault.message, "2026-03-31"));
        ck_assert_uint_eq(journal_length(), entries);
        assert_counts(through, earlier, E5(10), E5(5));
    }
    ck_assert_int_eq(stocktake_of(through + 1, E5(8), E5(4), &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_uint_eq(journal_length(), entries + 1);
    assert_counts(through + 1, through + 1, E5(8), E5(4));
    assert_counts(through, earlier, E5(10), E5(5));
}
END_TEST

/* ---- verify recomputes the derived tables; counts kept apart (issue 13) ------------------- */

static const bzl_actor customs = {
    .uid = 2001, .gid = 2001, .pid = 51, .role = 2, .request_id = 9, .time_ms = 1773600000000};
static const bzl_actor firm = {.uid = 3001,
                               .gid = 3001,
                               .pid = 61,
                               .role = BZL_ROLE_ENTERPRISE,
                               .request_id = 10,
                               .time_ms = 1773700000000};

/* A one-line 5015 declaration of BOOK dated `date`, value 10 USD. */
static void
submit_on(const char *id, bzl_kind kind, bzl_direction way, uint32_t item, int64_t qty_e5,
          int32_t date)
{
    bzl_decl_line l = {.item_no = item, .qty_e5 = qty_e5, .value_e5 = E5(10)};
    strcpy(l.unit, "035");
    strcpy(l.currency, "502");
    bzl_declaration d = {.kind = (uint8_t)kind,
                         .direction = (uint8_t)way,
                         .date = date,
                         .line_count = 1,
                         .lines = &l};
    strcpy(d.id, id);
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, BOOK);
    strcpy(d.trade_mode, "5015");
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &customs, &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

/* The same, dated 2026-03-15. */
static void
submit_line(const char *id, bzl_kind kind, bzl_direction way, uint32_t item, int64_t qty_e5)
{
    submit_on(id, kind, way, item, qty_e5, DAYS_2026_03_15);
}

static void
norm_of(uint32_t material, int64_t net_e9, int64_t tangible_e9)
{
    bzl_norm n = {.product = 1, .material = material, .net_e9 = net_e9};
    strcpy(n.book_no, BOOK);
    strcpy(n.version, "v1");
    n.tangible_e9 = tangible_e9;
    n.share_e9 = 1000000000;
    n.valid_from = bzl_date_from_civil(2000, 1, 1);
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, &n, &customs, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

/* A stocktake of BOOK on date by `who`: material 1 counted m1, and p1 of product 1. */
static void
count_as(const bzl_actor *who, int32_t date, int64_t m1, int64_t p1)
{
    bzl_stocktake_line lines[2] = {
        {.kind = BZL_STOCK_MATERIAL, .item_no = 1, .qty_e5 = m1},
        {.kind = BZL_STOCK_PRODUCT, .item_no = 1, .qty_e5 = p1},
    };
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_stocktake_put(t, BOOK, date, lines, 2, false, who, &r), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

#define APRIL_10 (DAYS_2026_03_15 + 26)

/* BOOK (seed: materials 1 and 2, product 1 registered ODM) with product 1's norm v1: material
 * 1 net 0.95 at 5 % tangible loss (单耗 1), material 2 net 2 (单耗 2). On 2026-03-15 imports of
 * 10000 of material 1 and 5000 of material 2, and an export of 1000 of product 1, which
 * consumes 1000 × 1 = 1000 of material 1 and 1000 × 2 = 2000 of material 2 (all at 10 USD a
 * line). The close through 2026-03-31 carries 10000 − 1000 = 9000 and 5000 − 2000 = 3000.
 * Customs counts on 2026-04-10: 8000 of material 1 and 100 of product 1, which converts to
 * 100 × 1 = 100 of material 1 and 100 × 2 = 200 of material 2: counted 8100 and 200. */
static void
seed_derived(void)
{
    seed();
    norm_of(1, 950000000, 5000000000);
    norm_of(2, 2000000000, 0);
    submit_line("IMP-1", BZL_KIND_MATERIAL, BZL_DIR_IN, 1, E5(10000));
    submit_line("IMP-2", BZL_KIND_MATERIAL, BZL_DIR_IN, 2, E5(5000));
    submit_line("EXP-1", BZL_KIND_PRODUCT, BZL_DIR_OUT, 1, E5(1000));
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(
        bzl_query_period_close(t, BOOK, bzl_date_from_civil(2026, 3, 31), &customs, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    count_as(&customs, APRIL_10, E5(8000), E5(100));
}

static bzl_status
verify(bzl_verify_report *rep)
{
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_verify_balances(t, rep);
    bzl_txn_abort(t);
    return st;
}

static void
put_le64(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
    }
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * (3 - i)));
    }
}

/* Opens the forged ledger again and asserts verify names table, field, stored and recomputed. */
static bzl_verify_report
verify_names(const char *table, const char *field, int64_t stored, int64_t recomputed)
{
    open_with(0, 0);
    bzl_verify_report rep;
    ck_assert_int_eq(verify(&rep), BZL_TAMPERED);
    ck_assert(rep.mismatch);
    ck_assert_str_eq(rep.table, table);
    ck_assert_str_eq(rep.field, field);
    ck_assert_int_eq(rep.stored_e5, stored);
    ck_assert_int_eq(rep.recomputed_e5, recomputed);
    ck_assert_ptr_nonnull(strstr(rep.message, rep.key));
    return rep;
}

/* The clean ledger verifies, every derived row compared: 7 period totals (material 1: import,
 * consumption, tangible loss; material 2: import, consumption; product 1: export; … at least
 * those), 3 trade values, 2 stocktake rows and 2 closings. */
START_TEST(verify_recomputes_every_derived_table_of_a_clean_ledger)
{
    seed_derived();
    bzl_verify_report rep;
    ck_assert_int_eq(verify(&rep), BZL_OK);
    ck_assert(!rep.mismatch);
    ck_assert_uint_ge(rep.rows, 6 + 3 + 2 + 2);
}
END_TEST

/* A stocktake count changed on disk (material 1's 8100 made 9999: a shortage of 900 against
 * the book's 9000 would read as a surplus) is named: table, key, field, both figures. */
START_TEST(verify_names_a_forged_stocktake_count)
{
    seed_derived();
    uint8_t key[20];
    memcpy(key, BOOK, 12);
    put_be32(key + 12, (uint32_t)APRIL_10);
    put_be32(key + 16, 1);
    uint8_t val[33] = {0};
    put_le64(val, E5(9999));     /* counted */
    put_le64(val + 8, E5(8000)); /* direct */
    put_le64(val + 16, E5(100)); /* converted */
    forge("stocktake", key, sizeof key, val, sizeof val);
    bzl_verify_report rep = verify_names("stocktake", "counted", E5(9999), E5(8100));
    ck_assert_str_eq(rep.key, "H72012400001 2026-04-10 material 1 (customs count)");
}
END_TEST

/* A period total changed on disk (material 1's March consumption 1000 made 999) is named. */
START_TEST(verify_names_a_forged_period_total)
{
    seed_derived();
    int64_t q = 0;
    int64_t v = 0;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_total_get(t, BOOK, BZL_KIND_MATERIAL, 1, 202603,
                                           BZL_CATEGORY_CONSUMPTION, &q, &v),
                     BZL_OK);
    bzl_txn_abort(t);
    ck_assert_int_eq(q, E5(1000));
    uint8_t key[22];
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    put_be32(key + 13, 1);
    put_be32(key + 17, 202603);
    key[21] = BZL_CATEGORY_CONSUMPTION;
    uint8_t val[16];
    put_le64(val, E5(999));
    put_le64(val + 8, v); /* the value as stored: only the quantity is forged */
    forge("total", key, sizeof key, val, sizeof val);
    bzl_verify_report rep = verify_names("total", "qty", E5(999), E5(1000));
    ck_assert_str_eq(rep.key, "H72012400001 material 1 2026-03 consumption");
}
END_TEST

/* A closing changed on disk (material 1's 9000 carried into April made 9500) is named. */
START_TEST(verify_names_a_forged_closing)
{
    seed_derived();
    uint8_t key[20];
    memcpy(key, BOOK, 12);
    put_be32(key + 12, 1);
    put_be32(key + 16, 202603);
    uint8_t val[8];
    put_le64(val, E5(9500));
    forge("closing", key, sizeof key, val, sizeof val);
    bzl_verify_report rep = verify_names("closing", "book_balance", E5(9500), E5(9000));
    ck_assert_str_eq(rep.key, "H72012400001 material 1 2026-03");
}
END_TEST

/* A deleted closing is named too: the close carried two materials, one row is left. */
START_TEST(verify_names_a_deleted_closing)
{
    seed_derived();
    uint8_t key[20];
    memcpy(key, BOOK, 12);
    put_be32(key + 12, 2);
    put_be32(key + 16, 202603);
    forge("closing", key, sizeof key, NULL, 0);
    verify_names("closing", "rows", 1, 2);
}
END_TEST

/* A trade value changed on disk (the export's 1000 of product 1, ODM, USD, made 2000) is
 * named. */
START_TEST(verify_names_a_forged_trade_value)
{
    seed_derived();
    uint8_t key[26];
    memcpy(key, BOOK, 12);
    put_be32(key + 12, 202603);
    key[16] = BZL_FLOW_PROD_EXPORT;
    key[17] = BZL_KIND_PRODUCT;
    put_be32(key + 18, 1);
    key[22] = BZL_BIZ_ODM;
    memcpy(key + 23, "502", 3);
    uint8_t val[24] = {0};
    put_le64(val, E5(2000));
    put_le64(val + 8, E5(10));
    forge("trade_value", key, sizeof key, val, sizeof val);
    bzl_verify_report rep = verify_names("trade_value", "qty", E5(2000), E5(1000));
    ck_assert_ptr_nonnull(strstr(rep.key, "H72012400001 2026-03"));
    ck_assert_ptr_nonnull(strstr(rep.key, "product 1 mode ODM currency 502"));
}
END_TEST

/* April as reconciled: material 1's line and the summary's stocktake. */
static bzl_recon_line
april_material_1(bzl_recon_summary *sum)
{
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse("2026-04", 7, &p, &f), BZL_OK);
    bzl_recon_line lines[2];
    size_t n = 0;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_recon_book(t, BOOK, &p, 5000, lines, 2, &n, sum), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(n, 2);
    return lines[0];
}

/* An enterprise's count of the same date never replaces customs': it is stored apart (its
 * 9000 + 0 read back as the enterprise's), customs' rows stay (8000 + 100 = 8100), the
 * verification figure is unchanged (opening 9000 carried, counted 8100, difference −900,
 * counted by customs), and verify recomputes both counts from their entries. */
START_TEST(enterprise_count_over_a_customs_count_is_kept_aside)
{
    seed_derived();
    bzl_recon_summary before_sum;
    bzl_recon_line before = april_material_1(&before_sum);
    ck_assert_int_eq(before.opening_e5, E5(9000));
    ck_assert_int_eq(before.counted_e5, E5(8100));
    ck_assert_int_eq(before.difference_e5, -E5(900));
    ck_assert_int_eq(before_sum.counted_by, BZL_COUNTED_CUSTOMS);
    count_as(&firm, APRIL_10, E5(9000), 0);
    bzl_recon_summary after_sum;
    bzl_recon_line after = april_material_1(&after_sum);
    ck_assert_int_eq(after.counted_e5, E5(8100));
    ck_assert_int_eq(after.difference_e5, -E5(900));
    ck_assert_int_eq(after.rate_e4, before.rate_e4);
    ck_assert_int_eq(after_sum.counted_by, BZL_COUNTED_CUSTOMS);
    ck_assert_int_eq(after_sum.stocktake_date, APRIL_10);
    bzl_count_row rows[4];
    size_t n = 0;
    int32_t date = 0;
    bzl_counted_by by = BZL_COUNTED_ANY;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stocktake_get(t, BOOK, APRIL_10, APRIL_10, BZL_COUNTED_ENTERPRISE,
                                               &date, &by, rows, 4, &n),
                     BZL_OK);
    ck_assert_int_eq(by, BZL_COUNTED_ENTERPRISE);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(rows[0].counted_e5, E5(9000));
    ck_assert_int_eq(rows[1].counted_e5, 0);
    ck_assert_int_eq(bzl_storage_stocktake_get(t, BOOK, APRIL_10, APRIL_10, BZL_COUNTED_CUSTOMS,
                                               &date, &by, rows, 4, &n),
                     BZL_OK);
    ck_assert_int_eq(rows[0].counted_e5, E5(8100));
    ck_assert_int_eq(rows[1].counted_e5, E5(200));
    bzl_txn_abort(t);
    bzl_verify_report rep;
    ck_assert_int_eq(verify(&rep), BZL_OK);
}
END_TEST

/* Without a customs count in the period the enterprise's is used, and labelled as such: May's
 * only count is the enterprise's 8500 + 0 of material 1. */
START_TEST(enterprise_count_alone_is_used_and_labelled)
{
    seed_derived();
    int32_t may_5 = APRIL_10 + 25;
    count_as(&firm, may_5, E5(8500), 0);
    bzl_period p;
    bzl_fault f;
    ck_assert_int_eq(bzl_period_parse("2026-05", 7, &p, &f), BZL_OK);
    bzl_recon_line lines[2];
    size_t n = 0;
    bzl_recon_summary sum;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_recon_book(t, BOOK, &p, 5000, lines, 2, &n, &sum), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(sum.has_stocktake);
    ck_assert_int_eq(sum.stocktake_date, may_5);
    ck_assert_int_eq(sum.counted_by, BZL_COUNTED_ENTERPRISE);
    ck_assert_str_eq(bzl_counted_by_name(sum.counted_by), "enterprise");
    ck_assert(lines[0].counted);
    ck_assert_int_eq(lines[0].counted_e5, E5(8500));
    /* Customs' count of May then takes over: 8400 + 0. */
    count_as(&customs, may_5, E5(8400), 0);
    t = read_txn();
    ck_assert_int_eq(bzl_recon_book(t, BOOK, &p, 5000, lines, 2, &n, &sum), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_int_eq(sum.counted_by, BZL_COUNTED_CUSTOMS);
    ck_assert_int_eq(lines[0].counted_e5, E5(8400));
    bzl_verify_report rep;
    ck_assert_int_eq(verify(&rep), BZL_OK);
}
END_TEST

/* An enterprise's count moved into customs' table on disk (its rows put where customs' were)
 * is named: the entry that wrote them was the enterprise's. */
START_TEST(verify_names_an_enterprise_count_passed_off_as_customs)
{
    seed_derived();
    int32_t may_5 = APRIL_10 + 25;
    count_as(&firm, may_5, E5(8500), 0);
    uint8_t key[20];
    memcpy(key, BOOK, 12);
    put_be32(key + 12, (uint32_t)may_5);
    put_be32(key + 16, 1);
    uint8_t val[33] = {0};
    put_le64(val, E5(8500));
    put_le64(val + 8, E5(8500));
    forge("stocktake_enterprise", key, sizeof key, NULL, 0);
    open_with(0, 0);
    forge("stocktake", key, sizeof key, val, sizeof val);
    open_with(0, 0);
    bzl_verify_report rep;
    ck_assert_int_eq(verify(&rep), BZL_TAMPERED);
    ck_assert_str_eq(rep.table, "stocktake");
    ck_assert_ptr_nonnull(strstr(rep.message, "2026-05-05 (customs count)"));
    ck_assert_ptr_nonnull(strstr(rep.message, "no journal entry"));
}
END_TEST

/* Master data that changes after an entry does not make verify cry wolf: it recomputes each
 * entry with the business modes and norms of its own time. Here an export of 500 of product 1
 * on 2026-04-15 is keyed ODM (product 1's registered mode); then product 1 becomes OBM from
 * 2026-03-01, and a new norm version v2 of product 1 (material 1 only, net 3) is set in force
 * from 2026-01-01 — after customs' April count converted 100 of product 1 by v1. Today's rules
 * would key the export OBM and convert the count by v2 (300 of material 1, none of material
 * 2); the ledger verifies. Reversing the export then takes its trade value back at the mode
 * in force when it is reversed (OBM, as bzl__trade_values_apply_seq does), and the effects it
 * journaled at v1: that verifies too. */
START_TEST(verify_recomputes_with_the_master_data_of_each_entry)
{
    seed_derived();
    submit_on("EXP-2", BZL_KIND_PRODUCT, BZL_DIR_OUT, 1, E5(500), APRIL_10 + 5);
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_item_mode_set(t, BOOK, 1, BZL_BIZ_OBM,
                                               bzl_date_from_civil(2026, 3, 1), &customs, &r),
                     BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    bzl_norm n = {.product = 1, .material = 1, .net_e9 = 3000000000, .share_e9 = 1000000000};
    strcpy(n.book_no, BOOK);
    strcpy(n.version, "v2");
    n.valid_from = bzl_date_from_civil(2026, 1, 1);
    ck_assert_int_eq(bzl_norm_check(&n, NULL), BZL_OK);
    t = write_txn();
    ck_assert_int_eq(bzl_storage_norm_set(t, &n, &customs, &r), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    bzl_verify_report rep;
    ck_assert_msg(verify(&rep) == BZL_OK, "%s", rep.message);
    t = write_txn();
    ck_assert_int_eq(bzl_storage_reverse(t, ENT, "EXP-2", "wrong product", &customs, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s", r.fault.message);
    ck_assert_msg(verify(&rep) == BZL_OK, "%s", rep.message);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("recon_storage");
    TCase *tc = tcase_create("zone");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, reconcile_of_1000_books_by_20_materials_reads_no_journal_record);
    tcase_add_test(tc, february_opens_with_the_carried_closing);
    suite_add_tcase(s, tc);
    TCase *stock = tcase_create("stocktake");
    tcase_add_checked_fixture(stock, setup, teardown);
    tcase_add_test(stock, stocktake_replaces_the_only_stocktake_in_the_ledger);
    tcase_add_test(stock, stocktake_dated_inside_a_closed_period_is_refused);
    suite_add_tcase(s, stock);
    TCase *derived = tcase_create("derived");
    tcase_add_unchecked_fixture(derived, root_setup, root_teardown);
    tcase_add_checked_fixture(derived, db_setup, db_teardown);
    tcase_set_timeout(derived, 60);
    tcase_add_test(derived, verify_recomputes_every_derived_table_of_a_clean_ledger);
    tcase_add_test(derived, verify_names_a_forged_stocktake_count);
    tcase_add_test(derived, verify_names_a_forged_period_total);
    tcase_add_test(derived, verify_names_a_forged_closing);
    tcase_add_test(derived, verify_names_a_deleted_closing);
    tcase_add_test(derived, verify_names_a_forged_trade_value);
    tcase_add_test(derived, enterprise_count_over_a_customs_count_is_kept_aside);
    tcase_add_test(derived, enterprise_count_alone_is_used_and_labelled);
    tcase_add_test(derived, verify_names_an_enterprise_count_passed_off_as_customs);
    tcase_add_test(derived, verify_recomputes_with_the_master_data_of_each_entry);
    suite_add_tcase(s, derived);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
