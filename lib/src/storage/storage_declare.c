/* storage_declare.c — a new declaration: flow, items, norms, effects, journal, derived rows.
 *
 * Storage gathers the inputs (book, items, the norms in force, balances), the pure rules in
 * flows.c and norms.c decide, and every refusal is decided by reading before the first write
 * (decide), so a refused declaration leaves nothing behind. record() then writes, reusing the
 * rows decide() read: the balances, scrap allowances, period totals and history rows the
 * effects change, the journal entry holding the declaration and the effects it applied, its
 * state record, the transfer index and the trade values.
 */
#include "storage_internal.h"

#include <inttypes.h>
#include <stdlib.h>

/* What a declaration needs gathered before the rules run. Its arrays live in the storage's
 * scratch buffers (one per array, see scratch_array), so a declaration allocates nothing once
 * the buffers have grown to the largest declaration seen; gather_release hands back the norms
 * array, which bzl__norms_resolve may have moved while growing it. */
typedef struct gather {
    bzl_book book;
    bzl_flow flow;
    bzl_norm *norms; /* every line's rows, one after another */
    uint32_t norm_count;
    uint32_t norm_cap;
    uint32_t *norm_at; /* line i's first row in norms */
    bzl_line_norms *line_norms;
    bzl_effect_list posted;  /* posted form */
    bzl_effect_list applied; /* what this entry applies */
    bzl__effect_rows *seen;  /* the rows each applied effect meets, read by decide() */
    bzl__tv_row *tv_seen;    /* each line's trade-value row as decide() found it would be */
    bzl__lot_take *takes;    /* the lots the declaration names, resolved (heap; NULL: none) */
    uint32_t take_count;
} gather;

enum { SCR_NORM_AT, SCR_LINE_NORMS, SCR_NORMS, SCR_POSTED, SCR_APPLIED, SCR_SEEN, SCR_TV };
static_assert(SCR_TV + 1 == BZL__DECL_SCRATCH_COUNT, "one scratch buffer per gather array");

/* A zeroed array of n elements of `size` bytes in scratch buffer `which`, grown (doubling) when
 * too small; NULL when memory is short. n is bounded by the declaration's lines and norms. */
static void *
scratch_array(bzl_txn *t, unsigned which, size_t n, size_t size)
{
    BZL_ASSERT(t->write);
    bzl__scratch *s = &t->s->decl_scratch[which];
    size_t bytes = (n == 0 ? 1 : n) * size;
    if (bytes > s->cap) {
        size_t cap = bytes > 2 * s->cap ? bytes : 2 * s->cap;
        void *grown = realloc(s->buf, cap);
        if (grown == NULL) {
            return NULL;
        }
        s->buf = grown;
        s->cap = cap;
    }
    memset(s->buf, 0, bytes);
    return s->buf;
}

static void
gather_release(bzl_txn *t, gather *g)
{
    bzl__scratch *s = &t->s->decl_scratch[SCR_NORMS];
    if (g->norms != NULL) {
        s->buf = g->norms;
        s->cap = (size_t)g->norm_cap * sizeof *g->norms;
    }
    free(g->takes);
    g->takes = NULL;
}

static bzl_status
refuse(bzl_submit_result *result, bzl_status st)
{
    result->status = st;
    return BZL_OK;
}

/* Book, period lock and flow. A refusal is put in result. */
static bzl_status
check_header(bzl_txn *t, const bzl_declaration *d, gather *g, bzl_submit_result *result)
{
    BZL_ASSERT(t != NULL && d != NULL && g != NULL);
    BZL_ASSERT(result->status == BZL_OK);
    bzl_status st = bzl_storage_book_get(t, d->book_no, &g->book);
    if (st == BZL_NOT_FOUND) {
        return refuse(result, bzl_fault_missing(&result->fault, "book", "book", d->book_no));
    }
    if (st != BZL_OK) {
        return st;
    }
    result->status = bzl_decl_check_book(d, &g->book, &result->fault);
    if (result->status != BZL_OK) {
        return BZL_OK;
    }
    int32_t through = INT32_MIN;
    st = bzl__period_closed_through(t, d->book_no, &through);
    if (st != BZL_OK) {
        return st;
    }
    if (d->date <= through) {
        char date[16];
        char closed[16];
        bzl_date_format(d->date, date, sizeof date);
        bzl_date_format(through, closed, sizeof closed);
        return refuse(result, bzl_fault_set(&result->fault, BZL_PERIOD_CLOSED, 0, "date",
                                            "date %s falls in a closed period of book %s "
                                            "(closed through %s)",
                                            date, d->book_no, closed));
    }
    result->status = bzl_flow_lookup((bzl_kind)d->kind, (bzl_direction)d->direction, d->trade_mode,
                                     d->book_no[0], g->book.verify_mode, d->related_book[0] != '\0',
                                     &g->flow, &result->fault);
    if (result->status == BZL_OK) {
        /* Repair flows only on repair books, and a repair book's own rules (repair.h). */
        result->status =
            bzl_repair_flow_check(g->book.usage, g->flow, d->trade_mode, d->origin, &result->fault);
    }
    if (result->status == BZL_OK) {
        /* duty_basis and tax_date only where they mean something (docs/TAX.md). */
        result->status = bzl_tax_decl_check(d, (uint8_t)g->flow, &result->fault);
    }
    return BZL_OK;
}

/* Whether the scrap allowance bounds this book's scrap dispositions: not on a consumption book
 * (no norm generates it), nor on a repair book, whose parts are bounded by its repair accounts
 * instead (storage_repair.c). */
static bool
scrap_bounded(const bzl_book *book)
{
    return book->verify_mode != BZL_VERIFY_CONSUMPTION && book->usage != BZL_USAGE_REPAIR;
}

/* Every line's item exists in the declaration's kind and has the line's unit. */
static bzl_status
check_items(bzl_txn *t, const bzl_declaration *d, bzl_submit_result *result)
{
    BZL_ASSERT(d->line_count > 0 && d->lines != NULL); /* bzl_decl_check_fields passed */
    for (uint32_t i = 0; i < d->line_count; i++) {
        const bzl_decl_line *l = &d->lines[i];
        bzl_item item;
        bzl_status st = bzl_storage_item_get(t, d->book_no, (bzl_kind)d->kind, l->item_no, &item);
        if (st == BZL_NOT_FOUND) {
            result->fault.item_no = l->item_no;
            bzl_fault_set(&result->fault, st, i + 1, "item",
                          "line %u: item %u is not in book %s as a %s", (unsigned)(i + 1),
                          (unsigned)l->item_no, d->book_no, bzl_kind_name((bzl_kind)d->kind));
            result->fault.item_no = l->item_no;
            return refuse(result, st);
        }
        if (st != BZL_OK) {
            return st;
        }
        if (strcmp(l->unit, item.unit) != 0) {
            bzl_fault_set(&result->fault, BZL_INVALID_ARGUMENT, i + 1, "unit",
                          "line %u: unit %s is not item %u's declared unit %s", (unsigned)(i + 1),
                          l->unit, (unsigned)l->item_no, item.unit);
            result->fault.item_no = l->item_no;
            return refuse(result, BZL_INVALID_ARGUMENT);
        }
    }
    return BZL_OK;
}

/* The norm rows of every product line that consumes; a line with none is left empty and the
 * rules refuse it with BZL_NORM_MISSING. */
static bzl_status
gather_norms(bzl_txn *t, const bzl_declaration *d, gather *g)
{
    BZL_ASSERT(g->norm_count == 0);
    g->norm_at = scratch_array(t, SCR_NORM_AT, d->line_count, sizeof *g->norm_at);
    g->line_norms = scratch_array(t, SCR_LINE_NORMS, d->line_count, sizeof *g->line_norms);
    if (g->norm_at == NULL || g->line_norms == NULL) {
        return BZL_NO_MEMORY;
    }
    /* bzl__norms_resolve appends to this array and grows it; gather_release keeps it. */
    const bzl__scratch *kept = &t->s->decl_scratch[SCR_NORMS];
    g->norms = kept->buf;
    g->norm_cap = (uint32_t)(kept->cap / sizeof *g->norms);
    bool consumes =
        d->kind == BZL_KIND_PRODUCT && bzl_flow_consumption_sign(g->flow, g->book.verify_mode) != 0;
    for (uint32_t i = 0; consumes && i < d->line_count; i++) {
        uint32_t before = g->norm_count;
        g->norm_at[i] = before;
        bzl_status st =
            bzl__norms_resolve(t, d->book_no, d->lines[i].item_no, d->lines[i].bom_version, d->date,
                               &g->norms, &g->norm_count, &g->norm_cap);
        if (st != BZL_OK) {
            return st;
        }
        g->line_norms[i].count = g->norm_count - before;
    }
    /* Pointers only now: the array may have moved while it grew. */
    for (uint32_t i = 0; i < d->line_count; i++) {
        g->line_norms[i].rows = g->line_norms[i].count > 0 ? &g->norms[g->norm_at[i]] : NULL;
    }
    return BZL_OK;
}

/* Refuses line i, which names a version and found no rows, when that version is in force only
 * from after the declaration's date, naming that date. An unknown version is left to the rules,
 * which refuse it as NORM_MISSING too. */
static bzl_status
refuse_not_in_force(bzl_txn *t, const bzl_declaration *d, uint32_t i, bzl_submit_result *result)
{
    const bzl_decl_line *l = &d->lines[i];
    int32_t from = 0;
    bool found = false;
    bzl_status st =
        bzl__norm_version_from(t, d->book_no, l->item_no, l->bom_version, &from, &found);
    if (st != BZL_OK || !found || from <= d->date) {
        return st;
    }
    char since[16];
    char on[16];
    bzl_date_format(from, since, sizeof since);
    bzl_date_format(d->date, on, sizeof on);
    bzl_fault_set(&result->fault, BZL_NORM_MISSING, i + 1, "bom_version",
                  "line %u: norm version %s of product %u is in force from %s, after the "
                  "declaration's date %s",
                  (unsigned)(i + 1), l->bom_version, (unsigned)l->item_no, since, on);
    result->fault.item_no = l->item_no;
    return refuse(result, BZL_NORM_MISSING);
}

/* Every consuming line that names a version and found no rows (gather_norms) is checked by
 * refuse_not_in_force. */
static bzl_status
check_versions_in_force(bzl_txn *t, const bzl_declaration *d, const gather *g,
                        bzl_submit_result *result)
{
    bool consumes =
        d->kind == BZL_KIND_PRODUCT && bzl_flow_consumption_sign(g->flow, g->book.verify_mode) != 0;
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; consumes && st == BZL_OK && result->status == BZL_OK && i < d->line_count;
         i++) {
        if (g->line_norms[i].count == 0 && d->lines[i].bom_version[0] != '\0') {
            st = refuse_not_in_force(t, d, i, result);
        }
    }
    return st;
}

/* The posted-form effects, and what this entry applies (a pending one only reserves). */
static bzl_status
compute_effects(bzl_txn *t, const bzl_declaration *d, gather *g, bzl_submit_result *result)
{
    BZL_ASSERT(g->flow != BZL_FLOW_NONE); /* check_header found it */
    /* One effect per line's own item, and per norm row its consumption and intangible loss. */
    uint32_t cap = d->line_count + 2u * g->norm_count;
    g->posted.items = scratch_array(t, SCR_POSTED, cap, sizeof *g->posted.items);
    g->applied.items = scratch_array(t, SCR_APPLIED, cap, sizeof *g->applied.items);
    if (g->posted.items == NULL || g->applied.items == NULL) {
        return BZL_NO_MEMORY;
    }
    g->posted.cap = g->applied.cap = cap;
    result->status = bzl_ledger_effects(d, g->flow, g->book.verify_mode, g->line_norms, &g->posted,
                                        &result->fault);
    if (result->status != BZL_OK) {
        return BZL_OK;
    }
    for (uint32_t i = 0; i < g->posted.count; i++) {
        bzl_effect e = g->posted.items[i];
        if (d->pending) {
            bzl_effect_pending(&g->posted.items[i], &e);
        }
        if (!bzl_effect_is_zero(&e)) {
            g->applied.items[g->applied.count++] = e;
        }
    }
    return BZL_OK;
}

/* Journals d with the applied effects (and, when pending, the posted form that a post will
 * apply); returns the entry's sequence. */
static bzl_status
journal_declaration(bzl_txn *t, const bzl_declaration *d, const gather *g, uint32_t month,
                    const bzl_actor *actor, uint64_t *seq)
{
    BZL_ASSERT(month == bzl_month_of(d->date));
    BZL_ASSERT(g->applied.count <= g->applied.cap);
    static const bzl_effect_list none = {0};
    /* A draft defers nothing: voiding it releases nothing, and it is never posted. */
    const bzl_effect_list *deferred = d->pending && !d->draft ? &g->posted : &none;
    size_t decl_len = bzl__decl_encoded_size(d);
    size_t len =
        decl_len + bzl__effects_size(g->applied.count) + bzl__effects_size(deferred->count);
    uint8_t *payload = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_DECLARATION, actor, len, &payload, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl__decl_encode(d, payload, decl_len);
    bzl_wr w = {.p = payload + decl_len, .cap = len - decl_len};
    bzl__effects_encode(&w, d->book_no, month, &g->applied);
    bzl__effects_encode(&w, d->book_no, month, deferred);
    BZL_ASSERT(w.len == w.cap);
    return bzl__journal_seal(t, *seq);
}

/* The transfer index row: book | id → enterprise, flow, related book and id. */
static bzl_status
transfer_put(bzl_txn *t, const bzl_declaration *d, bzl_flow flow)
{
    BZL_ASSERT(bzl_flow_is_transfer(flow));
    BZL_ASSERT(d->related_book[0] != '\0');
    uint8_t key[BZL_BOOK_NO_LEN + BZL_DECL_ID_BYTES_MAX];
    uint8_t value[BZL_ENTERPRISE_CODE_LEN + 1u + BZL_BOOK_NO_LEN + 1u + BZL_DECL_ID_BYTES_MAX];
    size_t id_len = strnlen(d->id, sizeof d->id);
    size_t rel_len = strnlen(d->related_id, sizeof d->related_id);
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_fixed(&kw, d->book_no, BZL_BOOK_NO_LEN);
    wr_bytes(&kw, d->id, id_len);
    bzl_wr w = {.p = value, .cap = sizeof value};
    wr_fixed(&w, d->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)flow);
    wr_fixed(&w, d->related_book, BZL_BOOK_NO_LEN);
    wr_u8(&w, (uint8_t)rel_len);
    wr_bytes(&w, d->related_id, rel_len);
    MDB_val k = {.mv_size = kw.len, .mv_data = key};
    MDB_val v = {.mv_size = w.len, .mv_data = value};
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_TRANSFER], &k, &v, 0));
}

/* Everything after the effects and their history rows: journal entry `expected`, state,
 * transfer index, norm marks. */
static bzl_status
record_accepted(bzl_txn *t, const bzl_declaration *d, const gather *g, uint32_t month,
                const bzl_actor *actor, uint64_t expected, uint64_t *seq)
{
    BZL_ASSERT(expected > 0);
    bzl_status st = journal_declaration(t, d, g, month, actor, seq);
    if (st != BZL_OK) {
        return st;
    }
    if (*seq != expected) {
        return BZL_INTERNAL; /* the history rows already name `expected` */
    }
    bzl__decl_state ds = {.seq = *seq,
                          .state = d->draft     ? BZL_DECL_DRAFT
                                   : d->pending ? BZL_DECL_PENDING
                                                : BZL_DECL_POSTED,
                          .posted_seq = d->pending ? 0 : *seq};
    st = bzl__decl_state_put(t, d->enterprise, d->id, &ds);
    if (st == BZL_OK && bzl_flow_is_transfer(g->flow) && d->related_book[0] != '\0') {
        st = transfer_put(t, d, g->flow);
    }
    for (uint32_t i = 0; st == BZL_OK && i < g->norm_count; i++) {
        st = bzl__norm_mark_used(t, &g->norms[i], d, *seq);
    }
    return st;
}

/* True when applying list would take from a scrap allowance. */
static bool
draws_allowance(const bzl_effect_list *list)
{
    for (uint32_t i = 0; i < list->count; i++) {
        if (list->items[i].scrap_used_e5 > 0 || list->items[i].scrap_gen_e5 < 0) {
            return true;
        }
    }
    return false;
}

/* Decides every refusal, reading only: header, items, norms, effects, and what applying them
 * would meet (balances, allowances, period totals, trade values). */
static bzl_status
decide(bzl_txn *t, const bzl_declaration *d, gather *g, bzl_submit_result *result)
{
    BZL_ASSERT(t->write);
    BZL_ASSERT(result->status == BZL_OK);
    uint32_t month = bzl_month_of(d->date);
    bzl_status st = check_header(t, d, g, result);
    if (st == BZL_OK && result->status == BZL_OK) {
        st = check_items(t, d, result);
    }
    if (st == BZL_OK && result->status == BZL_OK) {
        st = gather_norms(t, d, g);
    }
    if (st == BZL_OK && result->status == BZL_OK) {
        st = check_versions_in_force(t, d, g, result);
    }
    if (st == BZL_OK && result->status == BZL_OK) {
        st = compute_effects(t, d, g, result);
    }
    if (st == BZL_OK && result->status == BZL_OK && d->draft) {
        /* A draft is checked like the declaration it will become, and applies nothing. */
        g->applied.count = 0;
        if (g->book.usage == BZL_USAGE_REPAIR) {
            result->status = bzl_fault_set(&result->fault, BZL_INVALID_ARGUMENT, 0, "draft",
                                           "a repair book's declarations post at once; book %s "
                                           "takes no draft",
                                           d->book_no);
        }
    }
    if (st == BZL_OK && result->status == BZL_OK) {
        g->seen = scratch_array(t, SCR_SEEN, g->applied.count, sizeof *g->seen);
        st = g->seen != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    bool bounded = scrap_bounded(&g->book);
    if (st == BZL_OK && result->status == BZL_OK) {
        st = bzl__effects_check(t, d->book_no, month, bounded, &g->applied, g->seen,
                                &result->status, &result->fault);
    }
    if (st == BZL_OK && result->status == BZL_OK && d->pending && !d->draft &&
        draws_allowance(&g->posted)) {
        /* A pending declaration is refused by every rule its posting would meet, so that what
         * it reserves can be posted: its reservation moves no allowance, but the posted form
         * draws it (scrap dispositions, products returned in) and must find it now. The
         * balances its reservation met already, so only a form that draws is read again. */
        st = bzl__effects_check(t, d->book_no, month, bounded, &g->posted, NULL, &result->status,
                                &result->fault);
    }
    if (st == BZL_OK && result->status == BZL_OK && !d->pending) {
        g->tv_seen = scratch_array(t, SCR_TV, d->line_count, sizeof *g->tv_seen);
        st = g->tv_seen != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    if (st == BZL_OK && result->status == BZL_OK && !d->pending) {
        st = bzl__trade_values_check(t, d, (uint8_t)g->flow, 1, g->tv_seen, &result->status,
                                     &result->fault);
    }
    if (st == BZL_OK && result->status == BZL_OK && g->book.usage == BZL_USAGE_REPAIR) {
        st = bzl__repair_decide(t, d, g->flow, result); /* the repair accounts (C.3) */
    }
    if (st == BZL_OK && result->status == BZL_OK && d->lot_count > 0) {
        /* SPECIFIC lots: their shape (the daemon checked it; storage's callers may not have),
         * then every lot a line names is open, of its item, and holds enough. */
        result->status = bzl_decl_check_lots(d, &result->fault);
    }
    if (st == BZL_OK && result->status == BZL_OK &&
        (d->lot_count > 0 ||
         (t->s->tax_rules.specific_unnamed_refused && d->direction == BZL_DIR_OUT))) {
        g->takes = malloc((d->lot_count + 1) * sizeof *g->takes);
        st = g->takes != NULL ? bzl__lots_resolve(t, d, true, g->takes, &g->take_count,
                                                  &result->status, &result->fault)
                              : BZL_NO_MEMORY;
    }
    if (st == BZL_OK && result->status == BZL_OK && g->flow == BZL_FLOW_PROD_TRANSFER_OUT &&
        d->related_book[0] != '\0') {
        st = bzl__transfer_pair_decide(t, d, result); /* the import it names (D.2) */
    }
    return st;
}

/* Writes an accepted declaration: effects with history, journal, state, trade values. decide()
 * passed in this very transaction, so nothing here may refuse: a refusal now is a broken
 * invariant and aborts the batch (BZL_INTERNAL) rather than leave half a declaration. */
static bzl_status
record(bzl_txn *t, const bzl_declaration *d, gather *g, const bzl_actor *actor, uint64_t *seq)
{
    BZL_ASSERT(actor != NULL && seq != NULL);
    BZL_ASSERT(g->seen != NULL || g->applied.count == 0); /* decide() read them */
    uint32_t month = bzl_month_of(d->date);
    bool bounded = scrap_bounded(&g->book);
    bzl_status refusal = BZL_OK;
    bzl_fault fault;
    bzl__history_note note = {.type = JOURNAL_DECLARATION,
                              .flow = (uint8_t)g->flow,
                              .date = d->date,
                              .id = d->id,
                              .takes = g->takes,
                              .take_count = g->take_count};
    bzl_status st = bzl__journal_next(t, &note.seq);
    if (st == BZL_OK) {
        st = bzl__effects_apply(t, d->book_no, month, bounded, &g->applied, g->seen, &note,
                                &refusal, &fault);
    }
    if (st == BZL_OK && refusal != BZL_OK) {
        st = BZL_INTERNAL;
    }
    if (st == BZL_OK) {
        st = bzl__values_apply(t, note.seq, d->book_no, &g->applied, d, 0);
        st = st == BZL_OVERFLOW ? BZL_INTERNAL : st;
    }
    if (st == BZL_OK) {
        st = record_accepted(t, d, g, month, actor, note.seq, seq);
    }
    if (st == BZL_OK && g->book.usage == BZL_USAGE_REPAIR) {
        st = bzl__repair_apply(t, d, g->flow);
        st = st == BZL_OVERFLOW ? BZL_INTERNAL : st;
    }
    if (st == BZL_OK && !d->pending) {
        /* Values per currency and mode for the reports (storage_recon.c). */
        st = bzl__trade_values_apply(t, d, (uint8_t)g->flow, 1, g->tv_seen);
        st = st == BZL_OVERFLOW ? BZL_INTERNAL : st;
    }
    if (st == BZL_OK && !d->pending) {
        /* A domestic sale's assessment, an import's interest start (storage_tax.c). */
        st = bzl__tax_posted(t, *seq, d, (uint8_t)g->flow, *seq, actor);
    }
    return st;
}

/* Every refusal is decided before the first write, so a refused declaration leaves nothing
 * behind without a nested transaction; a storage failure aborts (and the writer replays) the
 * whole batch anyway. A child transaction per declaration made LMDB copy every page the
 * declaration touched that the batch had dirtied already — for a 100-line declaration that
 * copying cost more than the rest of its work (docs/BENCHMARKS.md). */
bzl_status
bzl__submit_new(bzl_txn *batch, const bzl_declaration *d, const bzl_actor *actor,
                bzl_submit_result *result)
{
    BZL_ASSERT(batch != NULL && d != NULL && actor != NULL);
    BZL_ASSERT(result != NULL);
    gather g;
    memset(&g, 0, sizeof g);
    bzl_status st = decide(batch, d, &g, result);
    if (st == BZL_OK && result->status == BZL_OK) {
        st = record(batch, d, &g, actor, &result->seq);
    }
    if (st != BZL_OK || result->status != BZL_OK) {
        result->seq = 0;
    }
    gather_release(batch, &g);
    return st;
}

bzl_status
bzl__decl_effects_recompute(bzl_txn *t, const bzl_declaration *d, bzl_effect_list *out,
                            bzl_status *refusal)
{
    BZL_ASSERT(t->write);
    memset(out, 0, sizeof *out);
    *refusal = BZL_OK;
    gather g;
    memset(&g, 0, sizeof g);
    bzl_status st = bzl_storage_book_get(t, d->book_no, &g.book);
    if (st == BZL_OK) {
        *refusal = bzl_flow_lookup((bzl_kind)d->kind, (bzl_direction)d->direction, d->trade_mode,
                                   d->book_no[0], g.book.verify_mode, d->related_book[0] != '\0',
                                   &g.flow, NULL);
    }
    if (st == BZL_OK && *refusal == BZL_OK) {
        st = gather_norms(t, d, &g);
    }
    if (st == BZL_OK && *refusal == BZL_OK) {
        out->cap = d->line_count + 2u * g.norm_count;
        out->items = calloc(out->cap == 0 ? 1 : out->cap, sizeof *out->items);
        st = out->items != NULL ? BZL_OK : BZL_NO_MEMORY;
    }
    if (st == BZL_OK && *refusal == BZL_OK) {
        *refusal = bzl_ledger_effects(d, g.flow, g.book.verify_mode, g.line_norms, out, NULL);
    }
    gather_release(t, &g);
    return st;
}

/* The consumption total of material `item` among list's effects (0 when none). */
static int64_t
consumed(const bzl_effect_list *list, uint32_t item)
{
    for (uint32_t i = 0; i < list->count; i++) {
        const bzl_effect *e = &list->items[i];
        if (e->kind == BZL_KIND_MATERIAL && e->item_no == item &&
            e->category == BZL_CATEGORY_CONSUMPTION) {
            return e->total_e5;
        }
    }
    return 0;
}

/* Decodes the declaration journaled at seq with its lines (heap: free *lines). */
static bzl_status
decl_at(bzl_txn *t, uint64_t seq, bzl_declaration *d, bzl_decl_line **lines)
{
    bzl__entry e;
    size_t used = 0;
    *lines = NULL;
    bzl_status st = bzl__journal_get(t, seq, &e);
    if (st == BZL_OK && e.type != JOURNAL_DECLARATION) {
        return BZL_CORRUPT;
    }
    st = st == BZL_OK ? bzl__decl_decode(e.payload, e.payload_len, d, NULL, 0, &used) : st;
    if (st != BZL_OK) {
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    *lines = calloc(d->line_count == 0 ? 1 : d->line_count, sizeof **lines);
    if (*lines == NULL) {
        return BZL_NO_MEMORY;
    }
    return bzl__decl_decode(e.payload, e.payload_len, d, *lines, d->line_count, &used);
}

bzl_status
bzl__legacy_losses(bzl_txn *t, uint64_t decl_seq, int sign, const bzl_effect_list *applied,
                   bzl_effect_list *out, bool *by_norm, bool *matched)
{
    BZL_ASSERT(sign == 1 || sign == -1);
    memset(out, 0, sizeof *out);
    *by_norm = false;
    *matched = false;
    bzl_declaration d;
    bzl_decl_line *lines = NULL;
    bzl_status st = decl_at(t, decl_seq, &d, &lines);
    if (st != BZL_OK || d.kind != BZL_KIND_PRODUCT) {
        free(lines); /* a consumption report carries no norm and no loss */
        return st;
    }
    *by_norm = true;
    bzl_effect_list now = {0};
    bzl_status refusal = BZL_OK;
    st = bzl__decl_effects_recompute(t, &d, &now, &refusal);
    bool same = st == BZL_OK && refusal == BZL_OK;
    for (uint32_t i = 0; same && i < now.count; i++) {
        const bzl_effect *x = &now.items[i];
        if (x->category == BZL_CATEGORY_CONSUMPTION && x->kind == BZL_KIND_MATERIAL) {
            same = sign * x->total_e5 == consumed(applied, x->item_no);
        }
    }
    for (uint32_t i = 0; same && i < now.count; i++) {
        if (now.items[i].category == BZL_CATEGORY_INTANGIBLE_LOSS) {
            bzl_effect x = now.items[i];
            x.total_e5 *= sign;
            now.items[out->count++] = x; /* compacted in place: out->count <= i */
        }
    }
    if (same) {
        out->items = now.items;
        out->cap = now.cap;
        now.items = NULL;
    }
    *matched = same;
    free(now.items);
    free(lines);
    return st;
}
