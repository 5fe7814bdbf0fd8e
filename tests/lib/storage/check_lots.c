/* check_lots.c — proves the lot projection (storage_lots.h, next-wave.md E.4): after 1,000
 * random receipts, outflows and reversals on two materials, Σ lot remaining equals the book
 * balance of every item under FIFO, SPECIFIC (half the outflows naming random lots, each named
 * lot losing exactly what was named) and AVERAGE, and verify agrees; FIFO takes the oldest
 * receipt date first, AVERAGE takes every lot pro rata, SPECIFIC exactly the lots a declaration
 * names (a pending one when posted) and FIFO for an outflow naming none; a named lot that does
 * not exist, is of another item, or holds too little is refused naming the line and the lot,
 * and changes nothing; a reversed receipt takes back its own lot; the method changes only at
 * a verification boundary; and verify detects a lot row changed, or deleted, on disk. The fixture
 * is storage_fixture.h (book BOOK, an H book with materials 1 and 2).
 */
#include "bzl/calendar.h"
#include "bzl/list_fields.h"
#include "bzl/storage.h"
#include "bzl/storage_lots.h"
#include "bzl/storage_tax.h"
#include "storage_fixture.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 1000u
#define LOTS_CAP 4096u

static unsigned decl_no;

/* One-line declaration of material `item` on BOOK: 5015 in (a receipt) or out (a re-export),
 * naming lots[n] (SPECIFIC), pending or not; the result in *out when not NULL. */
static bzl_status
submit_lots(bzl_direction dir, uint32_t item, int64_t qty_e5, int32_t date, const bzl_lot_ref *lots,
            uint32_t n, bool pending, char *id_out, bzl_submit_result *out)
{
    bzl_declaration d;
    bzl_decl_line line;
    memset(&d, 0, sizeof d);
    memset(&line, 0, sizeof line);
    snprintf(d.id, sizeof d.id, "L%u", ++decl_no);
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, BOOK);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = (uint8_t)dir;
    strcpy(d.trade_mode, "5015");
    d.date = date;
    d.pending = pending;
    d.line_count = 1;
    d.lines = &line;
    d.lot_count = n;
    d.lots = lots;
    line.item_no = item;
    line.qty_e5 = qty_e5;
    line.value_e5 = dir == BZL_DIR_IN ? qty_e5 / 50 : 0; /* 2 a unit, in USD (502) */
    strcpy(line.unit, "035");
    strcpy(line.currency, "502");
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    if (id_out != NULL) {
        strcpy(id_out, d.id);
    }
    if (out != NULL) {
        *out = r;
    }
    return r.status;
}

/* The same, with a value of its own, naming no lot. */
static bzl_status
submit(bzl_direction dir, uint32_t item, int64_t qty_e5, int64_t value_e5, int32_t date,
       char *id_out)
{
    bzl_declaration d;
    bzl_decl_line line;
    memset(&d, 0, sizeof d);
    memset(&line, 0, sizeof line);
    snprintf(d.id, sizeof d.id, "L%u", ++decl_no);
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, BOOK);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = (uint8_t)dir;
    strcpy(d.trade_mode, "5015");
    d.date = date;
    d.line_count = 1;
    d.lines = &line;
    line.item_no = item;
    line.qty_e5 = qty_e5;
    line.value_e5 = value_e5;
    strcpy(line.unit, "035");
    strcpy(line.currency, "502");
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    if (id_out != NULL) {
        strcpy(id_out, d.id);
    }
    return r.status;
}

/* A reference to line 1 of receipt `id`, taking qty, from line 1 of the outflow. */
static bzl_lot_ref
ref_of(const char *id, int64_t qty_e5)
{
    bzl_lot_ref r;
    memset(&r, 0, sizeof r);
    r.line = 1;
    r.receipt_line = 1;
    r.qty_e5 = qty_e5;
    snprintf(r.receipt, sizeof r.receipt, "%s", id);
    return r;
}

static bzl_status
reverse(const char *id)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_reverse(t, ENT, id, "test", &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r.status;
}

static bzl_action_result
set_method(uint8_t method)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_lot_method_set(t, BOOK, method, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    return r;
}

static void
close_through(int32_t through)
{
    bzl_action_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_period_close(t, BOOK, through, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(r.status, BZL_OK);
}

/* The open lots of one material of BOOK. */
static size_t
lots_of(uint32_t item, bzl_lot *out)
{
    size_t n = 0;
    bool more = false;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(
        bzl_storage_lot_list(t, BOOK, BZL_KIND_MATERIAL, item, out, LOTS_CAP, &n, &more), BZL_OK);
    bzl_txn_abort(t);
    ck_assert(!more);
    return n;
}

/* Σ lot remaining = balance, item by item, and no lot outside (0, received]. */
static void
assert_lots_match_balances(const char *when)
{
    bzl_lot *lots = calloc(LOTS_CAP, sizeof *lots);
    ck_assert_ptr_nonnull(lots);
    for (uint32_t item = 1; item <= 2; item++) {
        size_t n = lots_of(item, lots);
        int64_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            ck_assert_msg(lots[i].remaining_e5 > 0 && lots[i].remaining_e5 <= lots[i].qty_e5,
                          "%s: lot %llu of item %u holds %lld of %lld", when,
                          (unsigned long long)lots[i].seq, item, (long long)lots[i].remaining_e5,
                          (long long)lots[i].qty_e5);
            sum += lots[i].remaining_e5;
        }
        bzl_balance b = balance_of(BZL_KIND_MATERIAL, item);
        ck_assert_msg(sum == b.qty_e5, "%s: item %u lots %lld, balance %lld", when, item,
                      (long long)sum, (long long)b.qty_e5);
    }
    free(lots);
}

static void
assert_verifies(void)
{
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    bzl_status st = bzl_storage_verify_balances(t, &rep);
    bzl_txn_abort(t);
    ck_assert_msg(st == BZL_OK, "verify: %s", rep.message);
}

/* The receipt ids by the entry that posted them, for naming their lots. */
typedef struct walk_ids {
    char id[STEPS][BZL_DECL_ID_BYTES_MAX + 1];
    uint64_t seq[STEPS];
    unsigned n;
} walk_ids;

static const char *
receipt_of_seq(const walk_ids *w, uint64_t seq)
{
    for (unsigned i = 0; i < w->n; i++) {
        if (w->seq[i] == seq) {
            return w->id[i];
        }
    }
    return NULL;
}

/* A SPECIFIC outflow of qty naming random open receipt lots of the item (lots opened by a
 * reversal name no receipt and are left to the FIFO rest): picks lots in a random order and
 * takes a random part of each until qty is covered, or until the nameable lots run out (the
 * line's quantity is then what they cover). Asserts each named lot lost exactly what was
 * named. */
static void
specific_outflow(const walk_ids *w, uint32_t item, int64_t qty, int32_t date, walk_ids *out_ids)
{
    bzl_lot *lots = calloc(LOTS_CAP, sizeof *lots);
    bzl_lot_ref *refs = calloc(BZL_DECL_LOTS_MAX, sizeof *refs);
    int64_t *before = calloc(BZL_DECL_LOTS_MAX, sizeof *before);
    ck_assert(lots != NULL && refs != NULL && before != NULL);
    size_t n = lots_of(item, lots);
    for (size_t i = n; i > 1; i--) { /* shuffle */
        size_t j = (size_t)rand() % i;
        bzl_lot tmp = lots[i - 1];
        lots[i - 1] = lots[j];
        lots[j] = tmp;
    }
    uint32_t n_refs = 0;
    int64_t covered = 0;
    for (size_t i = 0; i < n && covered < qty && n_refs < 16; i++) {
        const char *id = receipt_of_seq(w, lots[i].seq);
        if (id == NULL) {
            continue;
        }
        int64_t want = qty - covered;
        int64_t take =
            1 + (int64_t)((uint64_t)rand() * (uint64_t)rand() % (uint64_t)lots[i].remaining_e5);
        take = take < want ? take : want;
        before[n_refs] = lots[i].remaining_e5;
        refs[n_refs++] = ref_of(id, take);
        covered += take;
    }
    if (n_refs > 0) {
        bzl_submit_result r;
        char *id = out_ids->id[out_ids->n];
        ck_assert_int_eq(submit_lots(BZL_DIR_OUT, item, covered, date, refs, n_refs, false, id, &r),
                         BZL_OK);
        out_ids->seq[out_ids->n++] = r.seq;
        size_t m = lots_of(item, lots);
        for (uint32_t k = 0; k < n_refs; k++) {
            int64_t now = 0;
            for (size_t i = 0; i < m; i++) {
                const char *lid = receipt_of_seq(w, lots[i].seq);
                now = lid != NULL && strcmp(lid, refs[k].receipt) == 0 ? lots[i].remaining_e5 : now;
            }
            ck_assert_msg(now == before[k] - refs[k].qty_e5,
                          "lot %s held %lld, was named for %lld, holds %lld", refs[k].receipt,
                          (long long)before[k], (long long)refs[k].qty_e5, (long long)now);
        }
    }
    free(lots);
    free(refs);
    free(before);
}

/* 1,000 random steps: receipts (60 %) of 1..500 units on a random day of 2026, outflows (30 %)
 * of up to the item's balance — under SPECIFIC, half of them naming random lots — and
 * reversals (10 %) of a random earlier declaration, which the ledger may refuse (a receipt
 * whose goods went out, one reversed already). */
static void
random_walk(uint8_t method, unsigned rand_seed)
{
    seed();
    if (method != BZL_LOTS_FIFO) {
        bzl_action_result r = set_method(method);
        ck_assert_int_eq(r.status, BZL_OK); /* no lot moved yet: a boundary */
    }
    srand(rand_seed);
    static char ids[STEPS][BZL_DECL_ID_BYTES_MAX + 1];
    unsigned n_ids = 0;
    static walk_ids receipts;
    static walk_ids named; /* the SPECIFIC outflows that named lots */
    receipts.n = 0;
    named.n = 0;
    int32_t jan1 = bzl_date_from_civil(2026, 1, 1);
    for (unsigned step = 0; step < STEPS; step++) {
        uint32_t item = 1 + (uint32_t)(rand() % 2);
        int r = rand() % 10;
        int32_t date = jan1 + rand() % 365;
        if (r < 6) {
            int64_t qty = E5(1 + rand() % 500) + rand() % 100000;
            bzl_submit_result res;
            ck_assert_int_eq(
                submit_lots(BZL_DIR_IN, item, qty, date, NULL, 0, false, ids[n_ids], &res), BZL_OK);
            strcpy(receipts.id[receipts.n], ids[n_ids]);
            receipts.seq[receipts.n++] = res.seq;
            n_ids++;
        } else if (r < 9) {
            bzl_balance b = balance_of(BZL_KIND_MATERIAL, item);
            if (b.qty_e5 <= 0) {
                continue;
            }
            int64_t qty = 1 + (int64_t)((uint64_t)rand() * (uint64_t)rand() % (uint64_t)b.qty_e5);
            if (method == BZL_LOTS_SPECIFIC && rand() % 2 == 0) {
                specific_outflow(&receipts, item, qty, date, &named);
                continue;
            }
            ck_assert_int_eq(submit(BZL_DIR_OUT, item, qty, 0, date, ids[n_ids]), BZL_OK);
            n_ids++;
        } else if (n_ids > 0) {
            (void)reverse(ids[rand() % n_ids]);
        }
        if (step % 100 == 99) {
            assert_lots_match_balances("mid-walk");
        }
    }
    assert_lots_match_balances("after 1,000 steps");
    assert_verifies();
    if (method == BZL_LOTS_SPECIFIC) {
        ck_assert_uint_gt(named.n, 50); /* the walk did name lots, many times */
    }
}

START_TEST(fifo_lots_sum_to_the_balance_after_1000_random_steps)
{
    random_walk(BZL_LOTS_FIFO, 18);
}
END_TEST

START_TEST(specific_lots_sum_to_the_balance_after_1000_random_steps)
{
    random_walk(BZL_LOTS_SPECIFIC, 19);
}
END_TEST

START_TEST(average_lots_sum_to_the_balance_after_1000_random_steps)
{
    random_walk(BZL_LOTS_AVERAGE, 20);
}
END_TEST

/* FIFO is by receipt date, not by journal order: receipts of 100 dated 03-10, then 100 dated
 * 03-01 (journaled later); an outflow of 150 empties the 03-01 lot and leaves 50 of the 03-10
 * one. */
START_TEST(fifo_takes_the_oldest_receipt_date_first)
{
    seed();
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1 + 9, NULL), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(120), mar1, NULL), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, E5(150), 0, mar1 + 20, NULL), BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 1);
    ck_assert_int_eq(lots[0].date, mar1 + 9);
    ck_assert_int_eq(lots[0].remaining_e5, E5(50));
    ck_assert_int_eq(lots[0].qty_e5, E5(100));
    ck_assert_int_eq(lots[0].value_e5, E5(100));
}
END_TEST

/* AVERAGE takes pro rata: lots of 100 and 300, an outflow of 100 takes 25 and 75 (100 × 100 /
 * 400 and 300 × 100 / 400), leaving 75 and 225; a third of a unit more (0.33333) takes
 * floor(75 × 0.33333 / 300) = 0.08333 and floor(225 × 0.33333 / 300) = 0.24999, and the 0.00001
 * rounding leaves from the oldest lot: 74.91666 and 224.75001. */
START_TEST(average_takes_every_lot_pro_rata)
{
    seed();
    ck_assert_int_eq(set_method(BZL_LOTS_AVERAGE).status, BZL_OK);
    int32_t day1 = bzl_date_from_civil(2026, 3, 1);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), day1, NULL), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(300), E5(600), day1 + 1, NULL), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, E5(100), 0, day1 + 2, NULL), BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 2);
    ck_assert_int_eq(lots[0].remaining_e5, E5(75));
    ck_assert_int_eq(lots[1].remaining_e5, E5(225));
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, 33333, 0, day1 + 3, NULL), BZL_OK);
    ck_assert_uint_eq(lots_of(1, lots), 2);
    ck_assert_int_eq(lots[0].remaining_e5, 7491666);
    ck_assert_int_eq(lots[1].remaining_e5, 22475001);
    assert_verifies();
}
END_TEST

/* SPECIFIC takes exactly the named lots: receipts A 100 (03-01), B 100 (03-05), C 100 (03-10)
 * of material 1; an outflow of 120 naming C for 80 and B for 40 leaves A 100 (untouched
 * although oldest), B 60, C 20. An outflow of 30 naming nothing then goes FIFO: A 70. */
START_TEST(specific_takes_exactly_the_named_lots)
{
    seed();
    ck_assert_int_eq(set_method(BZL_LOTS_SPECIFIC).status, BZL_OK);
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    char a[BZL_DECL_ID_BYTES_MAX + 1];
    char b[BZL_DECL_ID_BYTES_MAX + 1];
    char c[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1, a), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(110), mar1 + 4, b), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(120), mar1 + 9, c), BZL_OK);
    bzl_lot_ref refs[2] = {ref_of(c, E5(80)), ref_of(b, E5(40))};
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(120), mar1 + 20, refs, 2, false, NULL, NULL),
                     BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 3);
    ck_assert_int_eq(lots[0].date, mar1);
    ck_assert_int_eq(lots[0].remaining_e5, E5(100));
    ck_assert_int_eq(lots[1].remaining_e5, E5(60));
    ck_assert_int_eq(lots[2].remaining_e5, E5(20));
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, E5(30), 0, mar1 + 21, NULL), BZL_OK);
    ck_assert_uint_eq(lots_of(1, lots), 3);
    ck_assert_int_eq(lots[0].remaining_e5, E5(70));
    ck_assert_int_eq(lots[1].remaining_e5, E5(60));
    ck_assert_int_eq(lots[2].remaining_e5, E5(20));
    assert_lots_match_balances("after the named outflow");
    assert_verifies();
}
END_TEST

/* Every bad lot reference is refused naming the field lots, the line and the lot, and changes
 * nothing: a receipt that does not exist (NOT_FOUND, the one not-found message), a pending
 * receipt (NOT_FOUND: no lot yet), a receipt of material 2 named for material 1 and an outflow
 * named as a receipt (LOT_MISMATCH), a lot holding 100 named for 101 (LOT_MISMATCH, available
 * 100), lots adding up to less than the line (INVALID_ARGUMENT), lots on an inflow
 * (INVALID_ARGUMENT), and any named lot on a FIFO book (STATE_CONFLICT). */
START_TEST(specific_bad_lots_are_refused_naming_line_and_lot)
{
    seed();
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    char a[BZL_DECL_ID_BYTES_MAX + 1];
    char m2[BZL_DECL_ID_BYTES_MAX + 1];
    char out[BZL_DECL_ID_BYTES_MAX + 1];
    char pend[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1, a), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 2, E5(100), E5(100), mar1, m2), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, E5(1), 0, mar1 + 1, out), BZL_OK);
    ck_assert_int_eq(submit_lots(BZL_DIR_IN, 1, E5(5), mar1 + 1, NULL, 0, true, pend, NULL),
                     BZL_OK);
    /* On a FIFO book, naming a lot is a conflict with the method. */
    bzl_lot_ref r = ref_of(a, E5(10));
    bzl_submit_result res;
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_STATE_CONFLICT);
    ck_assert_str_eq(res.fault.field, "lots");
    ck_assert_ptr_nonnull(strstr(res.fault.message, "FIFO"));
    close_through(mar1 + 1);
    ck_assert_int_eq(set_method(BZL_LOTS_SPECIFIC).status, BZL_OK);

    r = ref_of("NO-SUCH", E5(10));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_NOT_FOUND);
    ck_assert_str_eq(res.fault.field, "lots");
    ck_assert_uint_eq(res.fault.line, 1);
    ck_assert_str_eq(res.fault.message, "lot NO-SUCH line 1 does not exist");
    r = ref_of(a, E5(10));
    r.receipt_line = 2; /* the receipt has one line */
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(res.fault.message, " line 2 does not exist"));
    r = ref_of(pend, E5(5));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(5), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(res.fault.message, "pending"));

    r = ref_of(m2, E5(10));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_LOT_MISMATCH);
    ck_assert_str_eq(res.fault.field, "lots");
    ck_assert_uint_eq(res.fault.line, 1);
    ck_assert_ptr_nonnull(strstr(res.fault.message, m2));
    ck_assert_ptr_nonnull(strstr(res.fault.message, "material 2"));
    r = ref_of(out, E5(1));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(1), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_LOT_MISMATCH);
    ck_assert_ptr_nonnull(strstr(res.fault.message, "an outflow"));

    /* Lot a holds 99 after the outflow of 1; another receipt of 50 lets the balance (149) cover
     * the line, so only the lot is short. */
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(50), E5(50), mar1 + 2, NULL), BZL_OK);
    r = ref_of(a, E5(100));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(100), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_LOT_MISMATCH);
    ck_assert_int_eq(res.fault.available_e5, E5(99));
    ck_assert_uint_eq(res.fault.item_no, 1);
    ck_assert_ptr_nonnull(strstr(res.fault.message, "holds 99, less than the 100"));

    r = ref_of(a, E5(10));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(11), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(res.fault.field, "lots");
    ck_assert_ptr_nonnull(strstr(res.fault.message, "hold 10 but the line takes 11"));
    ck_assert_int_eq(submit_lots(BZL_DIR_IN, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(res.fault.message, "only an outflow"));

    /* Nothing moved: lot a still holds 99, the later receipt 50, material 2 its 100. */
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 2);
    ck_assert_int_eq(lots[0].remaining_e5, E5(99));
    ck_assert_int_eq(lots[1].remaining_e5, E5(50));
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(149));
    ck_assert_uint_eq(lots_of(2, lots), 1);
    ck_assert_int_eq(lots[0].remaining_e5, E5(100));
    assert_verifies();
}
END_TEST

/* A pending outflow naming a lot reserves the quantity but moves no lot; its post takes the
 * named lot. When the named lot was consumed meanwhile, the post is not refused (lots never
 * hold up the customs ledger): what the lot no longer holds goes FIFO. Receipts A 50 (03-01),
 * B 50 (03-02); pending X names B for 30; an outflow names B for 40; posting X takes B's last
 * 10 and 20 from A, leaving A 30 and nothing of B. */
START_TEST(specific_pending_outflow_takes_its_lots_when_posted)
{
    seed();
    ck_assert_int_eq(set_method(BZL_LOTS_SPECIFIC).status, BZL_OK);
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    char a[BZL_DECL_ID_BYTES_MAX + 1];
    char b[BZL_DECL_ID_BYTES_MAX + 1];
    char x[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(50), E5(50), mar1, a), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(50), E5(50), mar1 + 1, b), BZL_OK);
    bzl_lot_ref r = ref_of(b, E5(30));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(30), mar1 + 2, &r, 1, true, x, NULL), BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 2);
    ck_assert_int_eq(lots[1].remaining_e5, E5(50)); /* pending: no lot moved */
    r = ref_of(b, E5(40));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(40), mar1 + 3, &r, 1, false, NULL, NULL),
                     BZL_OK);
    bzl_action_result pr;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, x, &actor, &pr), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(pr.status, BZL_OK);
    ck_assert_uint_eq(lots_of(1, lots), 1);
    ck_assert_int_eq(lots[0].date, mar1);
    ck_assert_int_eq(lots[0].remaining_e5, E5(30));
    assert_lots_match_balances("after the post");
    assert_verifies();
}
END_TEST

/* bzld.conf [tax] lots_specific_unnamed = refuse: on a SPECIFIC book an outflow line naming no
 * lot is refused (INVALID_ARGUMENT, field lots, its line) and moves nothing; one naming its lot
 * is accepted; on a FIFO book nothing changes. Under the default (fifo) the same unnamed outflow
 * is accepted, as specific_takes_exactly_the_named_lots shows. */
START_TEST(specific_unnamed_outflow_refused_when_configured)
{
    seed();
    bzl_tax_rules rules;
    bzl_tax_rules_default(&rules);
    ck_assert(!rules.specific_unnamed_refused);
    rules.specific_unnamed_refused = true;
    bzl_storage_tax_rules_set(store, &rules);
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    char a[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1, a), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_OUT, 1, E5(10), 0, mar1 + 1, NULL), BZL_OK); /* FIFO book */
    close_through(mar1 + 1);
    ck_assert_int_eq(set_method(BZL_LOTS_SPECIFIC).status, BZL_OK);
    bzl_submit_result res;
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, NULL, 0, false, NULL, &res),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(res.fault.field, "lots");
    ck_assert_uint_eq(res.fault.line, 1);
    ck_assert_ptr_nonnull(strstr(res.fault.message, "lots_specific_unnamed"));
    bzl_lot_ref r = ref_of(a, E5(10));
    ck_assert_int_eq(submit_lots(BZL_DIR_OUT, 1, E5(10), mar1 + 2, &r, 1, false, NULL, &res),
                     BZL_OK);
    ck_assert_int_eq(balance_of(BZL_KIND_MATERIAL, 1).qty_e5, E5(80));
    assert_lots_match_balances("after the refusal and the named outflow");
}
END_TEST

/* A line that names its lots and carries 核注清单 fields keeps both: the lots' record (tag 34,
 * on line 1) and the list fields' run (tags 64-159, after every other record: format.h) are
 * encoded together, the pending outflow's post takes exactly the named lot (which needs the
 * lots decoded from the stored declaration), and the list fields read back byte for byte. */
START_TEST(named_lots_and_list_fields_travel_together)
{
    seed();
    ck_assert_int_eq(set_method(BZL_LOTS_SPECIFIC).status, BZL_OK);
    int32_t mar1 = bzl_date_from_civil(2026, 3, 1);
    char a[BZL_DECL_ID_BYTES_MAX + 1];
    char b[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1, a), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), mar1 + 1, b), BZL_OK);
    uint8_t fields[128];
    size_t used = 0;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzl_list_field_put(fields, sizeof fields, &used, 0,
                                        bzl_list_field_by_name(BZL_LIST_HEAD, "InvtType"), "0", 1,
                                        &fault),
                     BZL_OK);
    ck_assert_int_eq(bzl_list_field_put(fields, sizeof fields, &used, 1,
                                        bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm"), "机芯",
                                        strlen("机芯"), &fault),
                     BZL_OK);
    bzl_lot_ref r = ref_of(b, E5(30)); /* the newer lot: FIFO would take a */
    bzl_declaration d;
    bzl_decl_line line;
    memset(&d, 0, sizeof d);
    memset(&line, 0, sizeof line);
    strcpy(d.id, "LF-1");
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, BOOK);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = BZL_DIR_OUT;
    strcpy(d.trade_mode, "5015");
    d.date = mar1 + 2;
    d.pending = true;
    d.line_count = 1;
    d.lines = &line;
    d.lot_count = 1;
    d.lots = &r;
    d.list_fields = fields;
    d.list_fields_len = (uint32_t)used;
    line.item_no = 1;
    line.qty_e5 = E5(30);
    strcpy(line.unit, "035");
    strcpy(line.currency, "502");
    bzl_submit_result sr;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &sr), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(sr.status, BZL_OK);
    bzl_action_result pr;
    t = write_txn();
    ck_assert_int_eq(bzl_storage_post(t, ENT, "LF-1", &actor, &pr), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_int_eq(pr.status, BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 2);
    ck_assert_int_eq(lots[0].remaining_e5, E5(100)); /* a untouched */
    ck_assert_int_eq(lots[1].remaining_e5, E5(70));  /* b gave the 30 */
    bzl_decl_info info;
    bzl_decl_line *back = malloc(BZL_DECL_LINES_CEILING * sizeof *back);
    ck_assert_ptr_nonnull(back);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_declaration_get(t, ENT, "LF-1", &info, back, NULL, 0), BZL_OK);
    ck_assert_uint_eq(info.decl.lot_count, 1);
    ck_assert_uint_eq(info.decl.list_fields_len, used);
    ck_assert_mem_eq(info.decl.list_fields, fields, used);
    bzl_txn_abort(t);
    free(back);
    assert_lots_match_balances("after the post");
    assert_verifies();
}
END_TEST

/* A declaration of material 1 on book_no in USD (502): a receipt or an outflow of qty for
 * value on date under trade mode tm, naming lots[n]. The result's status. */
#define EBOOK "E72012400011"
static bzl_status
submit_on(const char *book_no, const char *id, const char *tm, bzl_direction dir, int64_t qty_e5,
          int64_t value_e5, int32_t date, const bzl_lot_ref *lots, uint32_t n)
{
    bzl_declaration d;
    bzl_decl_line line;
    memset(&d, 0, sizeof d);
    memset(&line, 0, sizeof line);
    strcpy(d.id, id);
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, book_no);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = (uint8_t)dir;
    strcpy(d.trade_mode, tm);
    d.date = date;
    d.line_count = 1;
    d.lines = &line;
    d.lot_count = n;
    d.lots = lots;
    line.item_no = 1;
    line.qty_e5 = qty_e5;
    line.value_e5 = value_e5;
    strcpy(line.unit, "035");
    strcpy(line.currency, "502");
    bzl_submit_result r;
    bzl_txn *t = write_txn();
    ck_assert_int_eq(bzl_storage_submit(t, &d, &actor, &r), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    ck_assert_msg(r.status == BZL_OK, "%s: %s", id, r.fault.message);
    return r.status;
}

/* A domestic sale of a material that names its lots is valued at those lots' own import value
 * (L211 Art. 4 ¶1, the batch identified; E.4 (4a)), not at the cycle's weighted average; and
 * the lots set neither the customs quantity nor the 缓税利息 start (E.4 (4d)). E-book EBOOK,
 * SPECIFIC, material 1 (HS 8542319000: duty 6.5 %, VAT 13 %), USD at 7.1 in March 2026:
 *   R1 2026-01-05 100 kg for USD 100, R2 2026-01-10 100 kg for 150, R3 2026-01-20 30 kg for 100.
 *   S  2026-03-10 sells 40 kg at home (0644), naming R2 for 30 and R3 for 10:
 *     R2: CNY 150 × 7.1 = 1065.00000; 30 of 100 kg: round5(30 × 1065 / 100) = 319.50000
 *     R3: CNY 100 × 7.1 =  710.00000; 10 of 30 kg:  round5(10 × 710 / 30)   = 236.66667
 *     value 556.16667 → CV 556.17
 *     duty 556.17 × 6.5 % = 36.15105 → 36.15; VAT (556.17 + 36.15) × 13 % = 77.0016 → 77.00
 *     interest from the book's first import 2026-01-05 (never verified), not from a lot's date,
 *     to 2026-03-10: 26 + 28 + 10 = 64 days; (36.15 + 77.00) × 64 × 0.35 % / 360 = 0.0704 → 0.07
 *   The same sale naming no lot: the weighted average of every import (never verified),
 *     (100 + 150 + 100) × 7.1 / 230 kg, 40 kg: round5(40 × 2485 / 230) = 432.17391 → 432.17.
 *   The balance after the sale is 230 − 40 = 190, whatever the lots. */
START_TEST(a_sale_naming_lots_is_valued_at_their_import_value)
{
    seed();
    bzl_book b;
    bzl_item it;
    bzl_txn *t = write_txn();
    make_book(&b, EBOOK, ENT);
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    make_item(&it, EBOOK, BZL_KIND_MATERIAL, 1);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    bzl_action_result ar;
    ck_assert_int_eq(bzl_storage_lot_method_set(t, EBOOK, BZL_LOTS_SPECIFIC, &actor, &ar), BZL_OK);
    ck_assert_int_eq(ar.status, BZL_OK);
    bzl_rate_row rate = {.month = 202603, .currency = "502", .cny_e9 = 7100000000LL};
    ck_assert_int_eq(bzl_storage_rate_set(t, &rate, &actor, &ar), BZL_OK);
    bzl_tariff_row tariff;
    memset(&tariff, 0, sizeof tariff);
    strcpy(tariff.hs, "8542319000");
    tariff.from = bzl_date_from_civil(2026, 1, 1);
    tariff.rates.duty_e9 = 6500000000LL;
    tariff.rates.vat_e9 = 13000000000LL;
    ck_assert_int_eq(bzl_storage_tariff_set(t, &tariff, &actor, &ar), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
    submit_on(EBOOK, "R1", "0615", BZL_DIR_IN, E5(100), E5(100), bzl_date_from_civil(2026, 1, 5),
              NULL, 0);
    submit_on(EBOOK, "R2", "0615", BZL_DIR_IN, E5(100), E5(150), bzl_date_from_civil(2026, 1, 10),
              NULL, 0);
    submit_on(EBOOK, "R3", "0615", BZL_DIR_IN, E5(30), E5(100), bzl_date_from_civil(2026, 1, 20),
              NULL, 0);
    bzl_lot_ref refs[2] = {ref_of("R2", E5(30)), ref_of("R3", E5(10))};
    submit_on(EBOOK, "S", "0644", BZL_DIR_OUT, E5(40), E5(600), bzl_date_from_civil(2026, 3, 10),
              refs, 2);

    bzl_assessment a;
    t = read_txn();
    ck_assert_int_eq(bzl_storage_assessment_get(t, ENT, "S", &a), BZL_OK);
    ck_assert_msg(a.status == BZL_OK, "%s", a.message);
    ck_assert_uint_eq(a.basis, BZL_BASIS_ORDINARY);
    ck_assert_uint_eq(a.part_count, 1);
    ck_assert_int_eq(a.parts[0].value_e5, 55616667);
    ck_assert_int_eq(a.parts[0].part.cv_e5, 55617000);
    ck_assert_int_eq(a.result.cv_e5, 55617000);
    ck_assert_int_eq(a.result.total.duty_e5, 3615000);
    ck_assert_int_eq(a.result.total.vat_e5, 7700000);
    ck_assert_int_eq(a.interest_start, bzl_date_from_civil(2026, 1, 5));
    ck_assert_int_eq(a.result.interest_days, 64);
    ck_assert_int_eq(a.result.interest_e5, 7000);
    bzl_assessment_free(&a);

    /* The same declaration naming no lot: the weighted average. */
    bzl_declaration d;
    bzl_decl_line line;
    memset(&d, 0, sizeof d);
    memset(&line, 0, sizeof line);
    strcpy(d.id, "S-UNNAMED");
    strcpy(d.enterprise, ENT);
    strcpy(d.book_no, EBOOK);
    d.kind = BZL_KIND_MATERIAL;
    d.direction = BZL_DIR_OUT;
    strcpy(d.trade_mode, "0644");
    d.date = bzl_date_from_civil(2026, 3, 10);
    d.line_count = 1;
    d.lines = &line;
    line.item_no = 1;
    line.qty_e5 = E5(40);
    line.value_e5 = E5(600);
    strcpy(line.unit, "035");
    strcpy(line.currency, "502");
    ck_assert_int_eq(bzl_storage_tax_compute(t, &d, BZL_FLOW_MAT_DOMESTIC_SALE, 0, NULL, &a),
                     BZL_OK);
    ck_assert_msg(a.status == BZL_OK, "%s", a.message);
    ck_assert_int_eq(a.parts[0].value_e5, 43217391);
    ck_assert_int_eq(a.parts[0].part.cv_e5, 43217000);
    bzl_assessment_free(&a);
    bzl_balance bal;
    ck_assert_int_eq(bzl_storage_balance_get(t, EBOOK, BZL_KIND_MATERIAL, 1, &bal), BZL_OK);
    ck_assert_int_eq(bal.qty_e5, E5(190));
    bzl_txn_abort(t);
    assert_verifies();
}
END_TEST

/* Reversing a receipt takes back its own lot first (E.4 (5)), not the oldest one. */
START_TEST(reversed_receipt_takes_back_its_own_lot)
{
    seed();
    int32_t day1 = bzl_date_from_civil(2026, 3, 1);
    char second[BZL_DECL_ID_BYTES_MAX + 1];
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(100), E5(100), day1, NULL), BZL_OK);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(40), E5(80), day1 + 1, second), BZL_OK);
    ck_assert_int_eq(reverse(second), BZL_OK);
    bzl_lot lots[4];
    ck_assert_uint_eq(lots_of(1, lots), 1);
    ck_assert_int_eq(lots[0].date, day1);
    ck_assert_int_eq(lots[0].remaining_e5, E5(100));
    assert_verifies();
}
END_TEST

/* The method changes only at a verification boundary: refused once lots moved after the last
 * close (naming the field), allowed after a period close, and the same method again replays. */
START_TEST(method_changes_only_at_a_verification_boundary)
{
    seed();
    int32_t day1 = bzl_date_from_civil(2026, 3, 1);
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(10), E5(10), day1, NULL), BZL_OK);
    bzl_action_result r = set_method(BZL_LOTS_AVERAGE);
    ck_assert_int_eq(r.status, BZL_STATE_CONFLICT);
    ck_assert_str_eq(r.fault.field, "method");
    close_through(bzl_date_from_civil(2026, 3, 31));
    r = set_method(BZL_LOTS_AVERAGE);
    ck_assert_int_eq(r.status, BZL_OK);
    ck_assert(!r.replayed);
    r = set_method(BZL_LOTS_AVERAGE);
    ck_assert(r.replayed);
    uint8_t m = 0;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_lot_method_get(t, BOOK, &m), BZL_OK);
    bzl_txn_abort(t);
    ck_assert_uint_eq(m, BZL_LOTS_AVERAGE);
}
END_TEST

/* The lot key of material 1 in BOOK received on `date` by entry seq (format.h: item key |
 * date u32 BE | seq u64 BE). */
static void
lot_key_of(uint8_t key[29], int32_t date, uint64_t seq)
{
    memcpy(key, BOOK, 12);
    key[12] = BZL_KIND_MATERIAL;
    key[13] = 0;
    key[14] = 0;
    key[15] = 0;
    key[16] = 1;
    for (int i = 0; i < 4; i++) {
        key[17 + i] = (uint8_t)((uint32_t)date >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++) {
        key[21 + i] = (uint8_t)(seq >> (56 - 8 * i));
    }
}

/* A lot row whose remaining quantity was changed on disk, and one deleted, fail verify naming
 * the lot table; the untouched ledger verifies. */
START_TEST(verify_detects_a_changed_or_missing_lot_row)
{
    seed();
    ck_assert_int_eq(submit(BZL_DIR_IN, 1, E5(10), E5(10), DAYS_2026_03_15, NULL), BZL_OK);
    assert_verifies();
    bzl_lot lots[2];
    ck_assert_uint_eq(lots_of(1, lots), 1);
    uint8_t key[29];
    lot_key_of(key, DAYS_2026_03_15, lots[0].seq);
    /* qty | remaining 9 instead of 10 | value, little-endian. */
    uint8_t val[24];
    int64_t fields[3] = {E5(10), E5(9), E5(10)};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < 8; i++) {
            val[8 * f + i] = (uint8_t)((uint64_t)fields[f] >> (8 * i));
        }
    }
    forge("lot", key, sizeof key, val, sizeof val);
    open_with(0, 0);
    bzl_verify_report rep;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &rep), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert_str_eq(rep.table, "lot");
    ck_assert_int_eq(rep.stored_e5, E5(9));
    ck_assert_int_eq(rep.recomputed_e5, E5(10));
    forge("lot", key, sizeof key, NULL, 0);
    open_with(0, 0);
    t = read_txn();
    ck_assert_int_eq(bzl_storage_verify_balances(t, &rep), BZL_TAMPERED);
    bzl_txn_abort(t);
    ck_assert_str_eq(rep.table, "lot");
    ck_assert_int_eq(rep.stored_e5, 0);
}
END_TEST

static Suite *
lots_suite(void)
{
    Suite *s = suite_create("lots");
    TCase *tc = tcase_create("storage");
    tcase_add_unchecked_fixture(tc, root_setup, root_teardown);
    tcase_add_checked_fixture(tc, db_setup, db_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fifo_lots_sum_to_the_balance_after_1000_random_steps);
    tcase_add_test(tc, specific_lots_sum_to_the_balance_after_1000_random_steps);
    tcase_add_test(tc, average_lots_sum_to_the_balance_after_1000_random_steps);
    tcase_add_test(tc, fifo_takes_the_oldest_receipt_date_first);
    tcase_add_test(tc, average_takes_every_lot_pro_rata);
    tcase_add_test(tc, specific_takes_exactly_the_named_lots);
    tcase_add_test(tc, specific_bad_lots_are_refused_naming_line_and_lot);
    tcase_add_test(tc, specific_pending_outflow_takes_its_lots_when_posted);
    tcase_add_test(tc, named_lots_and_list_fields_travel_together);
    tcase_add_test(tc, a_sale_naming_lots_is_valued_at_their_import_value);
    tcase_add_test(tc, specific_unnamed_outflow_refused_when_configured);
    tcase_add_test(tc, reversed_receipt_takes_back_its_own_lot);
    tcase_add_test(tc, method_changes_only_at_a_verification_boundary);
    tcase_add_test(tc, verify_detects_a_changed_or_missing_lot_row);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(lots_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
