/* storage_ledger.c — the lifecycle of declarations (post, void, reject, reverse), the journal
 * payloads' effects sections, and period locks. Byte layouts: format.h. */
#include "storage_internal.h"

#include "bzl/storage_tax.h"

#include "bzl/calendar.h"
#include "bzl/decimal.h"

#include <inttypes.h>
#include <stdlib.h>

static const char *const decl_state_names[] = {
    [BZL_DECL_POSTED] = "posted",     [BZL_DECL_PENDING] = "pending",
    [BZL_DECL_VOIDED] = "voided",     [BZL_DECL_REJECTED] = "rejected",
    [BZL_DECL_REVERSED] = "reversed", [BZL_DECL_DRAFT] = "draft",
};

const char *
bzl_decl_state_name(unsigned state)
{
    if (state >= BZL_ARRAY_LEN(decl_state_names) || decl_state_names[state] == NULL) {
        return "unknown";
    }
    return decl_state_names[state];
}

/* ---- journal payloads ----------------------------------------------------------------------- */

static void
rd_skip(bzl_rd *r, size_t n)
{
    if (r->bad || r->off > r->len || n > r->len - r->off) {
        r->bad = true;
        return;
    }
    r->off += n;
}

/* Skips ref_seq(s) | enterprise | id_len | id [| reason_len u16 | reason]. */
static void
skip_action_header(bzl_rd *r, unsigned refs, bool reason)
{
    rd_skip(r, refs * 8u + BZL_ENTERPRISE_CODE_LEN);
    rd_skip(r, rd_u8(r));
    if (reason) {
        rd_skip(r, rd_u16(r));
    }
}

bzl_status
bzl__journal_effects_get(bzl_txn *t, uint64_t seq, bzl__entry *e, size_t *at)
{
    bool has = false;
    bzl_status st = bzl__journal_get(t, seq, e);
    if (st == BZL_OK) {
        st = bzl__entry_effects_at(e, at, &has);
    }
    if (st != BZL_OK || !has) {
        return st == BZL_NOT_FOUND || !has ? BZL_CORRUPT : st;
    }
    return BZL_OK;
}

bzl_status
bzl__entry_effects_at(const bzl__entry *e, size_t *at, bool *has)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    *has = true;
    if (e->type == JOURNAL_DECLARATION) {
        bzl_declaration d;
        size_t used = 0;
        bzl_status st = bzl__decl_decode(e->payload, e->payload_len, &d, NULL, 0, &used);
        if (st != BZL_OK) {
            return st;
        }
        r.off = used;
    } else if (e->type == JOURNAL_POST) {
        skip_action_header(&r, 1, false);
    } else if (e->type == JOURNAL_VOID || e->type == JOURNAL_REJECT) {
        skip_action_header(&r, 1, true);
    } else if (e->type == JOURNAL_REVERSE) {
        skip_action_header(&r, 2, true);
    } else {
        *has = false;
        return BZL_OK;
    }
    if (r.bad) {
        return BZL_CORRUPT;
    }
    *at = r.off;
    return BZL_OK;
}

bzl_status
bzl__effects_read(bzl_rd *r, char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *month,
                  bzl_effect_list *list)
{
    uint32_t count = 0;
    bzl__effects_header(r, book_no, month, &count);
    memset(list, 0, sizeof *list);
    if (r->bad) {
        return BZL_CORRUPT;
    }
    list->items = calloc(count == 0 ? 1 : count, sizeof *list->items);
    if (list->items == NULL) {
        return BZL_NO_MEMORY;
    }
    list->cap = count;
    for (uint32_t i = 0; i < count && !r->bad; i++) {
        bzl__effect_read(r, &list->items[list->count++]);
    }
    return r->bad ? BZL_CORRUPT : BZL_OK;
}

/* ---- declaration actions ----------------------------------------------------------------------
 */

/* What an action on a declaration starts from. */
typedef struct action {
    bzl__decl_state ds;
    bzl_declaration d; /* header only (no lines) */
    bzl_book book;
    bzl_flow flow;
    bzl_effect_list list; /* the effects the action applies */
} action;

/* Loads the state, the declaration header and its book. A refusal lands in out. */
static bzl_status
action_load(bzl_txn *t, const char *enterprise, const char *id, action *a, bzl_action_result *out)
{
    bzl_status st = bzl__decl_state_get(t, enterprise, id, &a->ds);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_set(&out->fault, st, 0, "id", "enterprise %s has no declaration %s",
                                    enterprise, id);
        return BZL_OK;
    }
    bzl__entry e;
    if (st == BZL_OK) {
        st = bzl__journal_get(t, a->ds.seq, &e);
    }
    size_t used = 0;
    if (st == BZL_OK) {
        st = e.type == JOURNAL_DECLARATION
                 ? bzl__decl_decode(e.payload, e.payload_len, &a->d, NULL, 0, &used)
                 : BZL_CORRUPT;
    }
    if (st == BZL_OK) {
        st = bzl_storage_book_get(t, a->d.book_no, &a->book);
    }
    if (st != BZL_OK) {
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    bzl_fault ignored;
    a->flow = BZL_FLOW_NONE;
    if (bzl_flow_lookup((bzl_kind)a->d.kind, (bzl_direction)a->d.direction, a->d.trade_mode,
                        a->d.book_no[0], a->book.verify_mode, a->d.related_book[0] != '\0',
                        &a->flow, &ignored) != BZL_OK) {
        a->flow = BZL_FLOW_NONE; /* a flow the table no longer has: shown as none */
    }
    out->state = a->ds.state;
    return BZL_OK;
}

/* Reads the effects section number `which` (0 applied, 1 deferred) of entry seq into list. */
static bzl_status
entry_effects(bzl_txn *t, uint64_t seq, unsigned which, bzl_effect_list *list)
{
    bzl__entry e;
    size_t at = 0;
    bzl_status st = bzl__journal_effects_get(t, seq, &e, &at);
    if (st != BZL_OK) {
        return st;
    }
    bzl_rd r = {.p = e.payload, .len = e.payload_len, .off = at};
    char book[BZL_BOOK_NO_LEN + 1];
    uint32_t month = 0;
    for (unsigned i = 0; i <= which; i++) {
        free(list->items);
        st = bzl__effects_read(&r, book, &month, list);
        if (st != BZL_OK) {
            return st;
        }
    }
    return BZL_OK;
}

static bool
period_refused(bzl_txn *t, const action *a, bzl_action_result *out, bzl_status *st)
{
    int32_t through = INT32_MIN;
    *st = bzl__period_closed_through(t, a->d.book_no, &through);
    if (*st != BZL_OK || a->d.date > through) {
        return false;
    }
    char date[16];
    bzl_date_format(a->d.date, date, sizeof date);
    out->status = bzl_fault_set(&out->fault, BZL_PERIOD_CLOSED, 0, "date",
                                "declaration %s is dated %s, in a closed period of book %s",
                                a->d.id, date, a->d.book_no);
    return true;
}

/* Journals an action: refs | enterprise | id [| reason] | effects. */
static bzl_status
journal_action(bzl_txn *t, uint8_t type, const action *a, uint64_t ref2, const char *reason,
               const bzl_actor *actor, uint64_t *seq)
{
    size_t id_len = strnlen(a->d.id, sizeof a->d.id);
    size_t reason_len = reason != NULL ? strnlen(reason, BZL_TEXT_BYTES_MAX) : 0;
    unsigned refs = type == JOURNAL_REVERSE ? 2u : 1u;
    size_t len = refs * 8u + BZL_ENTERPRISE_CODE_LEN + 1u + id_len +
                 (type == JOURNAL_POST ? 0u : 2u + reason_len) + bzl__effects_size(a->list.count);
    uint8_t *payload = NULL;
    bzl_status st = bzl__journal_reserve(t, type, actor, len, &payload, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = payload, .cap = len};
    wr_u64(&w, a->ds.seq);
    if (refs == 2) {
        wr_u64(&w, ref2);
    }
    wr_fixed(&w, a->d.enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, a->d.id, id_len);
    if (type != JOURNAL_POST) {
        wr_u16(&w, (uint16_t)reason_len);
        wr_bytes(&w, reason, reason_len);
    }
    bzl__effects_encode(&w, a->d.book_no, bzl_month_of(a->d.date), &a->list);
    BZL_ASSERT(w.len == len);
    return bzl__journal_seal(t, *seq);
}

/* The tax side of posting a pending declaration (storage_tax.c), with its lines. */
static bzl_status
tax_posted(bzl_txn *t, const action *a, uint64_t post_seq, const bzl_actor *actor)
{
    if (a->flow != BZL_FLOW_MAT_IMPORT && !bzl_tax_flow_assessed((uint8_t)a->flow)) {
        return BZL_OK;
    }
    bzl_declaration d;
    memset(&d, 0, sizeof d);
    bzl_status st = bzl__decl_read_seq(t, a->ds.seq, &d);
    if (st == BZL_OK) {
        st = bzl__tax_posted(t, a->ds.seq, &d, (uint8_t)a->flow, post_seq, actor);
        free(d.lines);
    }
    return st;
}

/* The lots a pending declaration names, resolved for its post (heap: free *takes). A lot
 * consumed meanwhile is left out: a post is not refused for the enterprise's lots. */
static bzl_status
post_takes(bzl_txn *t, const action *a, bzl__lot_take **takes, uint32_t *count)
{
    *takes = NULL;
    *count = 0;
    bzl_declaration d;
    bzl_status st = bzl__decl_read_seq(t, a->ds.seq, &d);
    if (st != BZL_OK) {
        return st;
    }
    *takes = malloc(d.lot_count * sizeof **takes + 1);
    bzl_status refusal = BZL_OK;
    st = *takes != NULL ? bzl__lots_resolve(t, &d, false, *takes, count, &refusal, NULL)
                        : BZL_NO_MEMORY;
    free(d.lines);
    return st;
}

/* Applies a->list, journals the action and records the new state. */
static bzl_status
action_commit(bzl_txn *t, uint8_t type, action *a, uint64_t ref2, const char *reason,
              const bzl_actor *actor, bzl_action_result *out)
{
    bool bounded = a->book.verify_mode != BZL_VERIFY_CONSUMPTION;
    bzl__history_note note = {.type = type,
                              .flow = (uint8_t)a->flow,
                              .date = a->d.date,
                              .id = a->d.id,
                              .reversed_seq = type == JOURNAL_REVERSE ? a->ds.posted_seq : 0};
    bzl__lot_take *takes = NULL;
    bzl_status st = BZL_OK;
    if (type == JOURNAL_POST && a->d.lot_count > 0) {
        st = post_takes(t, a, &takes, &note.take_count);
        note.takes = takes;
    }
    st = st == BZL_OK ? bzl__journal_next(t, &note.seq) : st;
    if (st == BZL_OK) {
        st = bzl__effects_apply(t, a->d.book_no, bzl_month_of(a->d.date), bounded, &a->list, NULL,
                                &note, &out->status, &out->fault);
    }
    free(takes); /* the lots moved with the effects */
    if (st != BZL_OK || out->status != BZL_OK) {
        return st;
    }
    st = journal_action(t, type, a, ref2, reason, actor, &out->seq);
    if (st != BZL_OK) {
        return st;
    }
    if (out->seq != note.seq) {
        return BZL_INTERNAL; /* the history rows already name note.seq */
    }
    if (type == JOURNAL_POST || type == JOURNAL_REVERSE) {
        st = bzl__values_apply_seq(t, out->seq, a->d.book_no, &a->list, a->ds.seq,
                                   type == JOURNAL_REVERSE ? a->ds.posted_seq : 0);
        if (st != BZL_OK) {
            return st == BZL_OVERFLOW ? BZL_INTERNAL : st;
        }
    }
    if (type == JOURNAL_POST) {
        a->ds.state = BZL_DECL_POSTED;
        a->ds.posted_seq = out->seq;
    } else {
        a->ds.state = type == JOURNAL_VOID     ? BZL_DECL_VOIDED
                      : type == JOURNAL_REJECT ? BZL_DECL_REJECTED
                                               : BZL_DECL_REVERSED;
        a->ds.closed_seq = out->seq;
    }
    out->state = a->ds.state;
    if (type == JOURNAL_POST || type == JOURNAL_REVERSE) {
        /* Values per currency and mode for the reports (storage_recon.c). */
        st = bzl__trade_values_apply_seq(t, a->ds.seq, (uint8_t)a->flow,
                                         type == JOURNAL_POST ? 1 : -1);
        if (st != BZL_OK) {
            return st;
        }
    }
    if (type == JOURNAL_POST) {
        st = tax_posted(t, a, out->seq, actor);
    } else if (type == JOURNAL_REVERSE) {
        st = bzl__tax_reversed(t, a->ds.seq, out->seq, actor);
    }
    if (st != BZL_OK) {
        return st;
    }
    return bzl__decl_state_put(t, a->d.enterprise, a->d.id, &a->ds);
}

static bzl_status
conflict(bzl_action_result *out, const action *a, const char *wanted)
{
    out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "id",
                                "declaration %s is %s; only a %s declaration can be %s", a->d.id,
                                bzl_decl_state_name(a->ds.state),
                                strcmp(wanted, "reversed") == 0 ? "posted" : "pending", wanted);
    return BZL_OK;
}

/* True when list consumes by norm (a consumption effect with a total) but carries no
 * intangible-loss effect: the shape of an entry journaled before schema 4. */
static bool
lacks_losses(const bzl_effect_list *list)
{
    bool consumes = false;
    for (uint32_t i = 0; i < list->count; i++) {
        const bzl_effect *e = &list->items[i];
        if (e->category == BZL_CATEGORY_INTANGIBLE_LOSS) {
            return false;
        }
        consumes |= e->category == BZL_CATEGORY_CONSUMPTION && e->total_e5 != 0;
    }
    return consumes;
}

/* Posting (sign +1) or reversing (−1) what entry `from` journaled before schema 4 moves the
 * intangible-loss total as the upgrade derived it (bzl__legacy_losses): the effects are
 * appended to a->list, so the action's own entry carries them. */
static bzl_status
legacy_losses_add(bzl_txn *t, action *a, uint64_t from, int sign)
{
    if (!lacks_losses(&a->list)) {
        return BZL_OK; /* the usual case, decided without a read */
    }
    uint64_t schema4_from = 0;
    bzl_status st = bzl__meta_u64_get(t, META_SCHEMA4_FROM, &schema4_from);
    if (st == BZL_NOT_FOUND || (st == BZL_OK && from >= schema4_from)) {
        return BZL_OK;
    }
    bzl_effect_list losses = {0};
    bool by_norm = false;
    bool matched = false;
    st = st == BZL_OK
             ? bzl__legacy_losses(t, a->ds.seq, sign, &a->list, &losses, &by_norm, &matched)
             : st;
    if (st == BZL_OK && losses.count > 0) {
        bzl_effect *grown = realloc(a->list.items, (a->list.count + losses.count) * sizeof *grown);
        st = grown != NULL ? BZL_OK : BZL_NO_MEMORY;
        if (grown != NULL) {
            memcpy(grown + a->list.count, losses.items, losses.count * sizeof *grown);
            a->list.items = grown;
            a->list.count += losses.count;
            a->list.cap = a->list.count;
        }
    }
    free(losses.items);
    return st;
}

typedef enum { ACT_POST, ACT_VOID, ACT_REJECT, ACT_REVERSE } act_kind;

/* Decides and builds the action's effects in a; a refusal or replay lands in out. */
static bzl_status
action_plan(bzl_txn *t, act_kind kind, action *a, bzl_action_result *out, bool *go)
{
    *go = false;
    uint8_t done_state = kind == ACT_POST     ? BZL_DECL_POSTED
                         : kind == ACT_VOID   ? BZL_DECL_VOIDED
                         : kind == ACT_REJECT ? BZL_DECL_REJECTED
                                              : 0;
    if (done_state != 0 && a->ds.state == done_state) {
        out->replayed = true;
        out->seq = kind == ACT_POST ? a->ds.posted_seq : a->ds.closed_seq;
        return BZL_OK;
    }
    static const char *const verbs[] = {"posted", "voided", "rejected", "reversed"};
    uint8_t need = kind == ACT_REVERSE ? BZL_DECL_POSTED : BZL_DECL_PENDING;
    /* A draft is voided like a pending declaration; its empty deferred section releases
     * nothing. It is never posted, rejected or reversed. */
    bool draft_void = kind == ACT_VOID && a->ds.state == BZL_DECL_DRAFT;
    if (a->ds.state != need && !draft_void) {
        return conflict(out, a, verbs[kind]);
    }
    if (kind == ACT_REVERSE && a->book.usage == BZL_USAGE_REPAIR) {
        /* Its repair accounts moved with it, and work orders may have used what it brought:
         * a repair book corrects by a new declaration instead (docs/LEDGER.md). */
        out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "id",
                                    "declaration %s is on repair book %s, whose declarations "
                                    "are not reversed; correct it with a new declaration",
                                    a->d.id, a->d.book_no);
        return BZL_OK;
    }
    bzl_status st = BZL_OK;
    if (kind != ACT_VOID && kind != ACT_REJECT && period_refused(t, a, out, &st)) {
        return st;
    }
    if (st != BZL_OK) {
        return st;
    }
    uint64_t from = kind == ACT_REVERSE ? a->ds.posted_seq : a->ds.seq;
    st = entry_effects(t, from, kind == ACT_REVERSE ? 0u : 1u, &a->list);
    for (uint32_t i = 0; st == BZL_OK && i < a->list.count; i++) {
        bzl_effect e = a->list.items[i];
        if (kind == ACT_POST) {
            bzl_effect_post(&a->list.items[i], &e);
        } else if (kind == ACT_REVERSE) {
            bzl_effect_negate(&a->list.items[i], &e);
        } else {
            bzl_effect_release(&a->list.items[i], &e);
        }
        a->list.items[i] = e;
    }
    if (st == BZL_OK && (kind == ACT_POST || kind == ACT_REVERSE)) {
        st = legacy_losses_add(t, a, from, kind == ACT_POST ? 1 : -1);
    }
    *go = st == BZL_OK;
    return st;
}

static bzl_status
declaration_action(bzl_txn *batch, act_kind kind, const char *enterprise, const char *id,
                   const char *reason, const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(actor != NULL);
    memset(out, 0, sizeof *out);
    action a;
    memset(&a, 0, sizeof a);
    bzl_txn *child = NULL;
    bool go = false;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = action_load(child, enterprise, id, &a, out);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = action_plan(child, kind, &a, out, &go);
    }
    if (st == BZL_OK && out->status == BZL_OK && go) {
        static const uint8_t types[] = {JOURNAL_POST, JOURNAL_VOID, JOURNAL_REJECT,
                                        JOURNAL_REVERSE};
        st = action_commit(child, types[kind], &a, a.ds.posted_seq, reason, actor, out);
    }
    free(a.list.items);
    if (st != BZL_OK || out->status != BZL_OK || !go) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

bzl_status
bzl_storage_post(bzl_txn *batch, const char *enterprise, const char *id, const bzl_actor *actor,
                 bzl_action_result *out)
{
    return declaration_action(batch, ACT_POST, enterprise, id, NULL, actor, out);
}

bzl_status
bzl_storage_void(bzl_txn *batch, const char *enterprise, const char *id, bool reject,
                 const char *reason, const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(reason != NULL);
    return declaration_action(batch, reject ? ACT_REJECT : ACT_VOID, enterprise, id, reason, actor,
                              out);
}

bzl_status
bzl_storage_reverse(bzl_txn *batch, const char *enterprise, const char *id, const char *reason,
                    const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(reason != NULL && reason[0] != '\0');
    return declaration_action(batch, ACT_REVERSE, enterprise, id, reason, actor, out);
}

/* ---- periods ----------------------------------------------------------------------------------
 */

static bzl_status
period_close_in(bzl_txn *t, const char *book_no, int32_t through, const bzl_actor *actor,
                bzl_action_result *out)
{
    bzl_book book;
    int32_t current = INT32_MIN;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_missing(&out->fault, "book", "book", book_no);
        return BZL_OK;
    }
    if (st == BZL_OK) {
        st = bzl__period_closed_through(t, book_no, &current);
    }
    if (st != BZL_OK) {
        return st;
    }
    if (through == current) {
        out->replayed = true;
        return BZL_OK;
    }
    if (through < current) {
        char date[16];
        bzl_date_format(current, date, sizeof date);
        out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "through",
                                    "book %s is closed through %s already; a period is never "
                                    "reopened",
                                    book_no, date);
        return BZL_OK;
    }
    uint8_t *payload = NULL;
    st = bzl__journal_reserve(t, JOURNAL_PERIOD_CLOSE, actor, BZL_BOOK_NO_LEN + 4u, &payload,
                              &out->seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = payload, .cap = BZL_BOOK_NO_LEN + 4u};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_i32(&w, through);
    st = bzl__journal_seal(t, out->seq);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t value[12];
    bzl_wr vw = {.p = value, .cap = sizeof value};
    wr_i32(&vw, through);
    wr_u64(&vw, out->seq);
    MDB_val k = bzl__mval(book_no, BZL_BOOK_NO_LEN);
    MDB_val v = bzl__mval(value, sizeof value);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_PERIOD], &k, &v, 0));
}

bzl_status
bzl_storage_period_close(bzl_txn *batch, const char *book_no, int32_t through,
                         const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(strlen(book_no) == BZL_BOOK_NO_LEN);
    memset(out, 0, sizeof *out);
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = period_close_in(child, book_no, through, actor, out);
    }
    if (st != BZL_OK || out->status != BZL_OK || out->replayed) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

bzl_status
bzl_storage_period_get(bzl_txn *t, const char *book_no, bool *closed, int32_t *through)
{
    int32_t v = INT32_MIN;
    bzl_status st = strlen(book_no) == BZL_BOOK_NO_LEN ? bzl__period_closed_through(t, book_no, &v)
                                                       : BZL_NOT_FOUND;
    if (st == BZL_OK) {
        *closed = v != INT32_MIN;
        *through = v;
    }
    return st;
}
