/* storage_upgrade.c — converting a database written by an earlier schema version in place
 * (bzld --upgrade).
 *
 * Each step runs in write transactions of at most UPGRADE_ROWS_PER_TXN rows (one transaction
 * for a whole ledger could dirty more pages than LMDB allows), and every transaction leaves a
 * state the next run resumes from. The schema version is raised only by the last transaction,
 * so an upgrade interrupted by a crash or a full disk is finished by running it again, and
 * until then bzld refuses the database as the old version it still says it is.
 *
 * 2 → 3 (format.h's tables give both layouts):
 *   1. balance values grow from 32 to 40 bytes, the history head 0. A 40-byte value is one
 *      already converted.
 *   2. history rows move from item | seq keys (25 bytes) to seq | kind | item keys (13 bytes),
 *      each value gaining the seq of the item's previous row in front; the item's balance row
 *      takes the newest seq as its head. A v2 key begins with a book number (a printable
 *      character) and a v3 key with the top byte of a sequence below 2^56 (0), so the rows
 *      still to move are always those from the first key at or after 0x01, and they come item
 *      by item in sequence order: the balance head is each row's predecessor.
 *   3. the schema version becomes 3.
 *
 * 3 → 4 (verification's loss columns are period totals, flows.h BZL_CATEGORY_*_LOSS):
 *   1. every journal entry that applied consumption (a declaration posted at once, a post, a
 *      reversal), in sequence order, adds to the totals of its month: the tangible-loss
 *      allowance its consumption effects generated (exact: the entry journaled it), and the
 *      intangible loss its declaration's lines carry at the norms in the norm table — counted
 *      only for a material whose consumption those norms give exactly as the entry journaled
 *      it; otherwise the entry is reported as unmatched and its intangible loss counts as 0.
 *      meta "schema4_from" holds the next sequence to look at, written with each step's
 *      totals, so a resumed run neither skips nor repeats an entry; once done it is the first
 *      entry written under schema 4, which is how posting or reversing an older entry knows
 *      to re-derive its intangible loss the same way (storage_ledger.c).
 *   2. the schema version becomes 4.
 *
 * 4 → 5 (a balance's value per currency, storage_values.c):
 *   1. every journal entry that changed a posted value (a declaration posted at once, a post, a
 *      reversal), in sequence order, lands its value deltas per currency exactly as the live
 *      path does (bzl__values_apply): a line's value in its currency, consumption at average
 *      cost in proportion to the currencies held just before the entry, a reversal as the
 *      negation of its posting's split. meta "schema5_from" holds the next sequence to look
 *      at, written with each step's rows, so a resumed run neither skips nor repeats an entry.
 *   2. the schema version becomes 5.
 */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define UPGRADE_ROWS_PER_TXN 20000u
#define V2_BALANCE_BYTES 32u
#define V2_HISTORY_KEY_BYTES (ITEM_KEY_BYTES + 8u)
#define V2_HISTORY_VALUE_BYTES_MIN (1u + 1u + 4u + 24u + 1u)

/* Commits t when st is BZL_OK, else aborts it; returns the outcome. */
static bzl_status
txn_end(bzl_txn *t, bzl_status st)
{
    if (st != BZL_OK) {
        bzl_txn_abort(t);
        return st;
    }
    return bzl_txn_commit(t);
}

/* Where the balance step stands: the last key it converted (none yet when !started). */
typedef struct widen_ctx {
    uint8_t after[ITEM_KEY_BYTES];
    bool started;
} widen_ctx;

/* Step 1: up to UPGRADE_ROWS_PER_TXN balance rows after ctx->after; *rows counts conversions. */
static bzl_status
widen_balances_some(bzl_txn *t, void *arg, uint64_t *rows, bool *done)
{
    widen_ctx *ctx = arg;
    widen_ctx at = *ctx; /* advanced only if the transaction commits */
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_BALANCE], &cur);
    /* Hand-written, not bzl__walk: it writes to the database it walks, so it seeks every row. */
    for (uint32_t n = 0; rc == MDB_SUCCESS && st == BZL_OK && n < UPGRADE_ROWS_PER_TXN; n++) {
        /* Seek afresh each time: the put below may move the rows under the cursor. */
        k = bzl__mval(at.after, ITEM_KEY_BYTES);
        rc = mdb_cursor_get(cur, &k, &v, at.started ? MDB_SET_RANGE : MDB_FIRST);
        if (rc == MDB_SUCCESS && at.started && k.mv_size == ITEM_KEY_BYTES &&
            memcmp(k.mv_data, at.after, ITEM_KEY_BYTES) == 0) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
        if (rc != MDB_SUCCESS) {
            break;
        }
        if (k.mv_size != ITEM_KEY_BYTES ||
            (v.mv_size != V2_BALANCE_BYTES && v.mv_size != V2_BALANCE_BYTES + 8u)) {
            st = BZL_CORRUPT;
            break;
        }
        memcpy(at.after, k.mv_data, ITEM_KEY_BYTES);
        at.started = true;
        if (v.mv_size == V2_BALANCE_BYTES) {
            uint8_t wide[V2_BALANCE_BYTES + 8u] = {0};
            memcpy(wide, v.mv_data, V2_BALANCE_BYTES);
            MDB_val nk = bzl__mval(at.after, ITEM_KEY_BYTES);
            MDB_val nv = bzl__mval(wide, sizeof wide);
            rc = mdb_put(t->txn, t->s->dbi[DB_BALANCE], &nk, &nv, 0);
            *rows += rc == MDB_SUCCESS;
        }
    }
    *done = rc == MDB_NOTFOUND;
    st = bzl__cursor_end(cur, rc, st);
    if (st == BZL_OK) {
        *ctx = at;
    }
    return st;
}

/* Moves one v2 history row (key k, value v) to its v3 key and links it into its item's chain. */
static bzl_status
move_row(bzl_txn *t, const MDB_val *k, const MDB_val *v)
{
    uint8_t old_key[V2_HISTORY_KEY_BYTES];
    uint8_t value[HISTORY_VALUE_BYTES_MAX];
    if (k->mv_size != V2_HISTORY_KEY_BYTES || v->mv_size < V2_HISTORY_VALUE_BYTES_MIN ||
        v->mv_size > sizeof value - 8u) {
        return BZL_CORRUPT;
    }
    memcpy(old_key, k->mv_data, sizeof old_key);
    memcpy(value + 8, v->mv_data, v->mv_size);
    size_t value_len = 8u + v->mv_size;
    bzl_rd kr = {.p = old_key, .len = sizeof old_key, .off = BZL_BOOK_NO_LEN};
    uint8_t kind = rd_u8(&kr);
    uint32_t item_no = (uint32_t)rd_be(&kr, 4);
    uint64_t seq = rd_be(&kr, 8);
    if (seq == 0 || seq >> 56 != 0) {
        return BZL_CORRUPT;
    }
    bzl_balance bal;
    uint64_t prev = 0;
    bzl_status st = bzl__balance_row_read(t, old_key, &bal, &prev);
    if (st != BZL_OK) {
        return st;
    }
    if (prev >= seq) {
        return BZL_CORRUPT; /* an item's v2 rows come in sequence order */
    }
    bzl_wr w = {.p = value, .cap = 8};
    wr_u64(&w, prev);
    uint8_t new_key[HISTORY_KEY_BYTES];
    bzl__history_key(new_key, seq, kind, item_no);
    MDB_val nk = bzl__mval(new_key, sizeof new_key);
    MDB_val nv = bzl__mval(value, value_len);
    int rc = mdb_put(t->txn, t->s->dbi[DB_HISTORY], &nk, &nv, MDB_NOOVERWRITE);
    if (rc == MDB_SUCCESS) {
        MDB_val ok = bzl__mval(old_key, sizeof old_key);
        rc = mdb_del(t->txn, t->s->dbi[DB_HISTORY], &ok, NULL);
    }
    if (rc != MDB_SUCCESS) {
        return rc == MDB_KEYEXIST ? BZL_CORRUPT : bzl__mdb_status(rc);
    }
    return bzl__balance_write(t, old_key, &bal, seq);
}

/* Step 2: up to UPGRADE_ROWS_PER_TXN of the history rows still in v2 form. */
static bzl_status
move_history_some(bzl_txn *t, void *arg, uint64_t *rows, bool *done)
{
    (void)arg; /* the v2 rows left are where the step stands */
    static const uint8_t first_v2[1] = {0x01};
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    bzl_status st = BZL_OK;
    int rc = mdb_cursor_open(t->txn, t->s->dbi[DB_HISTORY], &cur);
    /* Hand-written, not bzl__walk: each moved row is deleted, so every step seeks the first. */
    for (uint32_t n = 0; rc == MDB_SUCCESS && st == BZL_OK && n < UPGRADE_ROWS_PER_TXN; n++) {
        k = bzl__mval(first_v2, sizeof first_v2);
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc == MDB_SUCCESS) {
            st = move_row(t, &k, &v);
            *rows += st == BZL_OK;
        }
    }
    *done = rc == MDB_NOTFOUND;
    return bzl__cursor_end(cur, rc, st);
}

/* Runs step until it is done, one transaction per call; a full map is grown and the call
 * repeated. *total gains the rows of the transactions that committed. */
static bzl_status
run_step(bzl_storage *s, bzl_status (*step)(bzl_txn *, void *, uint64_t *, bool *), void *ctx,
         uint64_t *total)
{
    bzl_status st = BZL_OK;
    bool done = false;
    while (st == BZL_OK && !done) {
        uint64_t rows = 0;
        bzl_txn *t = NULL;
        st = bzl_txn_begin(s, NULL, true, &t);
        if (st == BZL_OK) {
            st = txn_end(t, step(t, ctx, &rows, &done));
        }
        if (st == BZL_STORAGE_FULL) {
            done = false;
            st = bzl_storage_grow(s);
        } else if (st == BZL_OK) {
            *total += rows;
        }
    }
    return st;
}

static bzl_status
set_version(bzl_txn *t, void *arg, uint64_t *rows, bool *done)
{
    (void)rows;
    *done = true;
    return bzl__schema_put(t, *(const uint32_t *)arg);
}

/* Runs entry() on up to UPGRADE_ROWS_PER_TXN journal entries, from meta's mark `mark` (the next
 * sequence to look at; absent: 1) on, and moves the mark past them in the same transaction, so
 * a resumed run neither skips nor repeats one. The step past a transaction's last entry is
 * taken, so *done is true as soon as the journal is finished, not one empty transaction later. */
static bzl_status
journal_step(bzl_txn *t, const char *mark,
             bzl_status (*entry)(bzl_txn *t, const bzl__entry *e, uint64_t seq, void *arg),
             void *arg, uint64_t *rows, bool *done)
{
    uint64_t next = 1;
    bzl_status st = bzl__meta_u64_get(t, mark, &next);
    st = st == BZL_NOT_FOUND ? BZL_OK : st;
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, next, 8);
    bzl__walk w;
    bzl__walk_begin(t, DB_JOURNAL, key, sizeof key, 0, &w);
    for (uint32_t n = 0; st == BZL_OK && bzl__walk_next(&w); n++) {
        if (n == UPGRADE_ROWS_PER_TXN) {
            break;
        }
        bzl__entry e;
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size};
        uint64_t seq = rd_be(&kr, 8);
        next = seq + 1;
        st = bzl__entry_decode(&w.v, &e);
        st = st == BZL_OK ? entry(t, &e, seq, arg) : st;
        *rows += 1;
    }
    *done = w.rc == MDB_NOTFOUND;
    st = bzl__walk_end(&w, st);
    return st == BZL_OK ? bzl__meta_u64_put(t, mark, next) : st;
}

/* ---- 3 → 4: loss totals --------------------------------------------------------------------- */

/* The declaration a post (sign +1) or reversal (−1) entry acts on, or the entry itself. */
static bzl_status
entry_declaration(const bzl__entry *e, uint64_t seq, uint64_t *decl_seq, int *sign)
{
    *sign = e->type == JOURNAL_REVERSE ? -1 : 1;
    *decl_seq = seq;
    if (e->type == JOURNAL_DECLARATION) {
        return BZL_OK;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    *decl_seq = rd_u64(&r);
    return r.bad ? BZL_CORRUPT : BZL_OK;
}

/* Adds the intangible loss of the declaration behind entry seq (whose applied effects are
 * `applied`) where today's norms reproduce the journaled consumption (bzl__legacy_losses). */
static bzl_status
intangible_add(bzl_txn *t, const bzl__entry *e, uint64_t seq, const char *book, uint32_t month,
               const bzl_effect_list *applied, bzl_upgrade_report *out)
{
    uint64_t decl_seq = 0;
    int sign = 1;
    bool by_norm = false;
    bool matched = false;
    bzl_effect_list losses = {0};
    bzl_status st = entry_declaration(e, seq, &decl_seq, &sign);
    if (st == BZL_OK) {
        st = bzl__legacy_losses(t, decl_seq, sign, applied, &losses, &by_norm, &matched);
    }
    for (uint32_t i = 0; st == BZL_OK && i < losses.count; i++) {
        st = bzl__total_add(t, book, &losses.items[i], month, BZL_CATEGORY_INTANGIBLE_LOSS,
                            losses.items[i].total_e5);
    }
    out->loss_entries += st == BZL_OK && by_norm;
    out->loss_unmatched += st == BZL_OK && by_norm && !matched;
    free(losses.items);
    return st;
}

/* One entry: the tangible totals from its journaled allowance, then the intangible ones. */
static bzl_status
losses_entry(bzl_txn *t, const bzl__entry *e, uint64_t seq, bzl_upgrade_report *out)
{
    size_t at = 0;
    bool has = false;
    bzl_status st = bzl__entry_effects_at(e, &at, &has);
    if (st != BZL_OK || !has || e->type == JOURNAL_VOID || e->type == JOURNAL_REJECT) {
        return st;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    bzl_effect_list applied;
    st = bzl__effects_read(&r, book, &month, &applied);
    bool consumes = false;
    for (uint32_t i = 0; st == BZL_OK && i < applied.count; i++) {
        const bzl_effect *x = &applied.items[i];
        consumes |= x->category == BZL_CATEGORY_CONSUMPTION && x->total_e5 != 0 &&
                    x->kind == BZL_KIND_MATERIAL;
        if (x->category == BZL_CATEGORY_CONSUMPTION && x->scrap_gen_e5 != 0) {
            st = bzl__total_add(t, book, x, month, BZL_CATEGORY_TANGIBLE_LOSS, x->scrap_gen_e5);
        }
    }
    if (st == BZL_OK && consumes) {
        st = intangible_add(t, e, seq, book, month, &applied, out);
    }
    free(applied.items);
    return st;
}

/* Step 1: the loss totals of up to UPGRADE_ROWS_PER_TXN entries (journal_step). */
static bzl_status
losses_entry_cb(bzl_txn *t, const bzl__entry *e, uint64_t seq, void *arg)
{
    return losses_entry(t, e, seq, arg);
}

static bzl_status
losses_some(bzl_txn *t, void *arg, uint64_t *rows, bool *done)
{
    bzl_upgrade_report *out = arg;
    bzl_upgrade_report at = *out; /* advanced only if the transaction commits */
    bzl_status st = journal_step(t, META_SCHEMA4_FROM, losses_entry_cb, &at, rows, done);
    if (st == BZL_OK) {
        *out = at;
    }
    return st;
}

/* ---- 4 → 5: values per currency --------------------------------------------------------- */

/* One entry's value deltas per currency. */
static bzl_status
values_entry(bzl_txn *t, const bzl__entry *e, uint64_t seq)
{
    size_t at = 0;
    bool has = false;
    bzl_status st = bzl__entry_effects_at(e, &at, &has);
    if (st != BZL_OK || !has || e->type == JOURNAL_VOID || e->type == JOURNAL_REJECT) {
        return st;
    }
    bzl_rd r = {.p = e->payload, .len = e->payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    bzl_effect_list applied;
    st = bzl__effects_read(&r, book, &month, &applied);
    bzl_rd refs = {.p = e->payload, .len = e->payload_len};
    uint64_t decl_seq = e->type == JOURNAL_DECLARATION ? seq : rd_u64(&refs);
    uint64_t negates = e->type == JOURNAL_REVERSE ? rd_u64(&refs) : 0;
    if (st == BZL_OK && (refs.bad || (e->type == JOURNAL_REVERSE && negates == 0))) {
        st = BZL_CORRUPT;
    }
    if (st == BZL_OK) {
        st = bzl__values_apply_seq(t, seq, book, &applied, decl_seq, negates);
    }
    free(applied.items);
    return st;
}

/* Step 1: the values of up to UPGRADE_ROWS_PER_TXN entries (journal_step). */
static bzl_status
values_entry_cb(bzl_txn *t, const bzl__entry *e, uint64_t seq, void *arg)
{
    (void)arg;
    return values_entry(t, e, seq);
}

static bzl_status
values_some(bzl_txn *t, void *arg, uint64_t *rows, bool *done)
{
    (void)arg;
    uint64_t next = 1;
    bzl_status st = bzl__meta_u64_get(t, META_SCHEMA5_FROM, &next);
    if (st == BZL_NOT_FOUND) {
        /* The first step starts from empty tables: a ledger an older build wrote has none, and
         * one forged back from a newer layout must not keep its rows. */
        int rc = mdb_drop(t->txn, t->s->dbi[DB_VALUE], 0);
        rc = rc == MDB_SUCCESS ? mdb_drop(t->txn, t->s->dbi[DB_SPLIT], 0) : rc;
        st = bzl__mdb_status(rc);
    }
    return st == BZL_OK ? journal_step(t, META_SCHEMA5_FROM, values_entry_cb, NULL, rows, done)
                        : st;
}

static bzl_status
upgrade_4_to_5(bzl_storage *s, bzl_upgrade_report *out)
{
    uint32_t five = 5;
    uint64_t none = 0;
    bzl_status st = run_step(s, values_some, NULL, &out->value_entries);
    return st == BZL_OK ? run_step(s, set_version, &five, &none) : st;
}

static bzl_status
upgrade_3_to_4(bzl_storage *s, bzl_upgrade_report *out)
{
    uint32_t four = 4;
    uint64_t none = 0;
    uint64_t entries = 0;
    bzl_status st = run_step(s, losses_some, out, &entries);
    return st == BZL_OK ? run_step(s, set_version, &four, &none) : st;
}

static bzl_status
upgrade_2_to_3(bzl_storage *s, bzl_upgrade_report *out)
{
    widen_ctx widen = {.started = false};
    uint32_t three = 3;
    uint64_t none = 0;
    bzl_status st = run_step(s, widen_balances_some, &widen, &out->balance_rows);
    st = st == BZL_OK ? run_step(s, move_history_some, NULL, &out->history_rows) : st;
    return st == BZL_OK ? run_step(s, set_version, &three, &none) : st;
}

bzl_status
bzl_storage_upgrade(const bzl_storage_options *opts, bzl_upgrade_report *out, char *why,
                    size_t why_cap)
{
    BZL_ASSERT(out != NULL);
    memset(out, 0, sizeof *out);
    bzl_storage *s = NULL;
    bzl_status st = bzl__storage_open(opts, false, &s, why, why_cap);
    if (st != BZL_OK) {
        return st;
    }
    uint32_t version = 0;
    bzl_txn *t = NULL;
    st = bzl_txn_begin(s, NULL, false, &t);
    if (st == BZL_OK) {
        st = bzl__schema_get(t, &version);
        bzl_txn_abort(t);
    }
    if (st == BZL_NOT_FOUND) {
        /* Nothing written yet: the ordinary open initialises it at the current version. */
        bzl_storage_close(s);
        st = bzl_storage_open(opts, &s, why, why_cap);
        version = BZL_SCHEMA_VERSION;
    }
    out->from_version = version;
    if (st == BZL_OK && version != BZL_SCHEMA_VERSION) {
        if (version == 2) {
            st = upgrade_2_to_3(s, out);
            version = st == BZL_OK ? 3 : version;
        }
        if (st == BZL_OK && version == 3) {
            st = upgrade_3_to_4(s, out);
            version = st == BZL_OK ? 4 : version;
        }
        if (st == BZL_OK && version == 4) {
            st = upgrade_4_to_5(s, out);
        } else if (st == BZL_OK) {
            st = BZL_SCHEMA_MISMATCH;
        }
        if (st == BZL_SCHEMA_MISMATCH) {
            bzl__set_why(why, why_cap,
                         "database schema version %" PRIu32 ": this build upgrades %u to %u",
                         version, BZL_SCHEMA_UPGRADES_FROM, BZL_SCHEMA_VERSION);
        } else if (st != BZL_OK) {
            bzl__set_why(why, why_cap,
                         "upgrading from schema version %" PRIu32 " stopped: %s (running it "
                         "again resumes)",
                         version, bzl_status_text(st));
        }
    }
    bzl_storage_close(s);
    return st;
}
