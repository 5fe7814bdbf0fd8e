/* handler_journal.c — `journal`: the journal as a resumable stream, every entry after a
 * sequence with its chain hashes and content, for bzl-ship and `bzl journal` (docs/WAREHOUSE.md).
 *
 * A page is read inline on the loop thread in one read transaction, like audit: it is bounded
 * in entries and in encoded bytes. When nothing follows after_seq and the client asked to wait,
 * the slot stays RUNNING and a timer looks again every BZL_JOURNAL_POLL_MS until an entry is
 * committed or wait_ms passes: a bounded poll rather than a wake-up from the writer, so the
 * writer's path is unchanged and a commit is seen within BZL_JOURNAL_POLL_MS (50 ms).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/tax.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"

/* A page's protobuf tree lives in chunks allocated as it grows and freed together after the
 * reply is packed: one malloc per 64 KiB instead of one per string. */
#define PAGE_CHUNK_BYTES (64u * 1024u)

typedef struct page_chunk {
    struct page_chunk *next;
    size_t used;
    size_t cap;
    max_align_t data[]; /* cap bytes */
} page_chunk;

typedef struct page_build {
    page_chunk *chunks;  /* newest first */
    size_t budget_bytes; /* encoded bytes a page may take */
    size_t used_bytes;
    Bzl__V1__JournalRecord **recs;
    size_t count;
    bzl_status status; /* sticky: the first allocation failure */
} page_build;

/* Zeroed memory for the page's tree, aligned for any type; NULL (and status NO_MEMORY) when
 * out of memory. */
static void *
page_alloc(page_build *b, size_t bytes)
{
    size_t need = (bytes + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    page_chunk *c = b->chunks;
    if (b->status != BZL_OK) {
        return NULL;
    }
    if (c == NULL || c->cap - c->used < need) {
        size_t cap = need > PAGE_CHUNK_BYTES ? need : PAGE_CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (c == NULL) {
            b->status = BZL_NO_MEMORY;
            return NULL;
        }
        c->next = b->chunks;
        c->used = 0;
        c->cap = cap;
        b->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += need;
    memset(p, 0, bytes);
    return p;
}

static void
page_free(page_build *b)
{
    for (page_chunk *c = b->chunks, *next = NULL; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    b->chunks = NULL;
}

static char *
page_strdup(page_build *b, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = page_alloc(b, n);
    if (p != NULL) {
        memcpy(p, s, n);
    }
    return p != NULL ? p : (char *)"";
}

static char *
page_dec(page_build *b, int64_t v, unsigned scale)
{
    char text[BZL_DEC_TEXT_BYTES];
    bzl_dec_format(v, scale, text, sizeof text);
    return page_strdup(b, text);
}

static char *
page_date(page_build *b, int32_t days)
{
    char text[16];
    bzl_date_format(days, text, sizeof text);
    return page_strdup(b, text);
}

static char *
page_month(page_build *b, uint32_t yyyymm)
{
    char text[16];
    snprintf(text, sizeof text, "%04u-%02u", (unsigned)(yyyymm / 100 % 10000),
             (unsigned)(yyyymm % 100));
    return page_strdup(b, text);
}

static Bzl__V1__Declaration *
decl_to_pb(page_build *b, const bzl_journal_record *r)
{
    const bzl_declaration *d = &r->decl;
    Bzl__V1__Declaration *pd = page_alloc(b, sizeof *pd);
    Bzl__V1__DeclarationLine **lines = page_alloc(b, (d->line_count + 1) * sizeof *lines);
    Bzl__V1__BizMode *modes = page_alloc(b, (d->line_count + 1) * sizeof *modes);
    if (pd == NULL || lines == NULL || modes == NULL) {
        return NULL;
    }
    bzl__v1__declaration__init(pd);
    pd->id = page_strdup(b, d->id);
    pd->enterprise = page_strdup(b, d->enterprise);
    pd->book = page_strdup(b, d->book_no);
    pd->kind = (Bzl__V1__Kind)d->kind;
    pd->direction = (Bzl__V1__Direction)d->direction;
    pd->trade_mode = page_strdup(b, d->trade_mode);
    pd->date = page_date(b, d->date);
    pd->pending = d->pending;
    pd->draft = d->draft;
    pd->related_book = page_strdup(b, d->related_book);
    pd->related_id = page_strdup(b, d->related_id);
    pd->origin = (char *)bzl_origin_name((bzl_origin)d->origin);
    pd->duty_basis = d->duty_basis != 0 ? (char *)bzl_tax_basis_name(d->duty_basis) : (char *)"";
    pd->tax_date = d->tax_date != 0 ? page_date(b, d->tax_date) : (char *)"";
    for (uint32_t i = 0; i < d->line_count && b->status == BZL_OK; i++) {
        const bzl_decl_line *l = &d->lines[i];
        Bzl__V1__DeclarationLine *pl = page_alloc(b, sizeof *pl);
        if (pl == NULL) {
            return NULL;
        }
        bzl__v1__declaration_line__init(pl);
        pl->item = l->item_no;
        pl->qty = page_dec(b, l->qty_e5, BZL_SCALE_QTY);
        pl->unit = page_strdup(b, l->unit);
        pl->value = page_dec(b, l->value_e5, BZL_SCALE_QTY);
        pl->currency = page_strdup(b, l->currency);
        pl->usd = l->has_usd ? page_dec(b, l->usd_e5, BZL_SCALE_QTY) : (char *)"";
        pl->bom_version = page_strdup(b, l->bom_version);
        pl->mode = (Bzl__V1__BizMode)l->biz_mode;
        pl->country = page_strdup(b, l->country);
        lines[i] = pl;
        modes[i] = (Bzl__V1__BizMode)r->line_modes[i];
    }
    pd->n_lines = d->line_count;
    pd->lines = lines;
    return pd;
}

static bool
effects_to_pb(page_build *b, const bzl_journal_record *r, Bzl__V1__JournalRecord *pr)
{
    Bzl__V1__Effect **effs = page_alloc(b, (r->effect_count + 1) * sizeof *effs);
    for (uint32_t i = 0; effs != NULL && i < r->effect_count; i++) {
        const bzl_effect *e = &r->effects[i];
        Bzl__V1__Effect *pe = page_alloc(b, sizeof *pe);
        if (pe == NULL) {
            return false;
        }
        bzl__v1__effect__init(pe);
        pe->kind = (Bzl__V1__Kind)e->kind;
        pe->item = e->item_no;
        pe->category = (char *)bzl_category_name(e->category);
        pe->qty = page_dec(b, e->qty_e5, BZL_SCALE_QTY);
        pe->value = page_dec(b, e->value_e5, BZL_SCALE_QTY);
        pe->pending_in = page_dec(b, e->pending_in_e5, BZL_SCALE_QTY);
        pe->pending_out = page_dec(b, e->pending_out_e5, BZL_SCALE_QTY);
        pe->scrap_generated = page_dec(b, e->scrap_gen_e5, BZL_SCALE_QTY);
        pe->scrap_used = page_dec(b, e->scrap_used_e5, BZL_SCALE_QTY);
        pe->total = page_dec(b, e->total_e5, BZL_SCALE_QTY);
        effs[i] = pe;
    }
    pr->n_effects = r->effect_count;
    pr->effects = effs;
    Bzl__V1__ValuePart **parts = page_alloc(b, (r->value_count + 1) * sizeof *parts);
    for (uint32_t i = 0; parts != NULL && i < r->value_count; i++) {
        const bzl_value_part *v = &r->values[i];
        Bzl__V1__ValuePart *pv = page_alloc(b, sizeof *pv);
        if (pv == NULL) {
            return false;
        }
        bzl__v1__value_part__init(pv);
        pv->kind = (Bzl__V1__Kind)v->kind;
        pv->item = v->item_no;
        pv->currency = page_strdup(b, v->currency);
        pv->value = page_dec(b, v->value_e5, BZL_SCALE_QTY);
        parts[i] = pv;
    }
    pr->n_values = parts != NULL ? r->value_count : 0;
    pr->values = parts;
    return effs != NULL && parts != NULL;
}

/* The type-specific content (bzl_journal_record's comments say which fields each type sets). */
static void
content_to_pb(page_build *b, const bzl_journal_record *r, Bzl__V1__JournalRecord *pr)
{
    if (r->type == 4) {
        pr->declaration = decl_to_pb(b, r);
        pr->flow = r->flow != BZL_FLOW_NONE ? (char *)bzl_flow_name((bzl_flow)r->flow) : "";
        pr->n_line_modes = pr->declaration != NULL ? r->decl.line_count : 0;
        if (pr->declaration != NULL) {
            pr->line_modes = page_alloc(b, (r->decl.line_count + 1) * sizeof *pr->line_modes);
            for (uint32_t i = 0; pr->line_modes != NULL && i < r->decl.line_count; i++) {
                pr->line_modes[i] = (Bzl__V1__BizMode)r->line_modes[i];
            }
            pr->n_line_modes = pr->line_modes != NULL ? r->decl.line_count : 0;
        }
    }
    if (r->type == 4 || r->type == 5 || r->type == 6 || r->type == 7 || r->type == 11) {
        pr->ref_seq = r->ref_seq;
        pr->posting_seq = r->posting_seq;
        pr->id = page_strdup(b, r->id);
        pr->reason = page_strdup(b, r->reason);
        pr->month = page_month(b, r->month);
        (void)effects_to_pb(b, r, pr);
    } else if (r->type == 13 || r->type == 14) {
        pr->month = page_month(b, r->month);
        pr->currency = page_strdup(b, r->currency);
        pr->cny = r->type == 13 ? page_dec(b, r->amount_a, BZL_SCALE_RATE) : (char *)"";
        pr->exports = r->type == 14 ? page_dec(b, r->amount_a, BZL_SCALE_QTY) : (char *)"";
        pr->imports = r->type == 14 ? page_dec(b, r->amount_b, BZL_SCALE_QTY) : (char *)"";
    } else if (r->type == 1) {
        Bzl__V1__Enterprise *pe = page_alloc(b, sizeof *pe);
        if (pe != NULL) {
            bzl__v1__enterprise__init(pe);
            pe->code = page_strdup(b, r->ent.code);
            pe->uscc = page_strdup(b, r->ent.uscc);
            pe->name = page_strdup(b, r->ent.name);
            pe->area = page_strdup(b, r->ent.area);
        }
        pr->enterprise_record = pe;
    } else if (r->type == 3 || r->type == 10) {
        Bzl__V1__Item *pi = page_alloc(b, sizeof *pi);
        if (pi != NULL) {
            bzl__v1__item__init(pi);
            pi->book = page_strdup(b, r->item.book_no);
            pi->kind = (Bzl__V1__Kind)r->item.kind;
            pi->item = r->item.item_no;
            pi->hs = page_strdup(b, r->item.hs);
            pi->name = page_strdup(b, r->item.name);
            pi->unit = page_strdup(b, r->item.unit);
            pi->mode = (Bzl__V1__BizMode)r->item.biz_mode;
        }
        pr->item = pi;
    }
    if (r->has_date) {
        pr->date = page_date(b, r->date);
    }
}

static bzl_status
page_visit_cb(void *ctx, const bzl_journal_record *r, bool *taken)
{
    page_build *b = ctx;
    Bzl__V1__JournalRecord *pr = page_alloc(b, sizeof *pr);
    uint8_t *hashes = page_alloc(b, 2 * BZL_JOURNAL_HASH_BYTES);
    if (pr == NULL || hashes == NULL) {
        return b->status;
    }
    bzl__v1__journal_record__init(pr);
    pr->seq = r->seq;
    memcpy(hashes, r->hash, BZL_JOURNAL_HASH_BYTES);
    memcpy(hashes + BZL_JOURNAL_HASH_BYTES, r->prev_hash, BZL_JOURNAL_HASH_BYTES);
    pr->hash.data = hashes;
    pr->hash.len = BZL_JOURNAL_HASH_BYTES;
    pr->prev_hash.data = hashes + BZL_JOURNAL_HASH_BYTES;
    pr->prev_hash.len = BZL_JOURNAL_HASH_BYTES;
    pr->time_ms = r->actor.time_ms;
    pr->type = (Bzl__V1__EntryType)r->type;
    pr->uid = r->actor.uid;
    pr->role = (Bzl__V1__Role)r->actor.role;
    pr->request_id = r->actor.request_id;
    pr->enterprise = page_strdup(b, r->audit.enterprise);
    pr->book = page_strdup(b, r->audit.book_no);
    pr->summary = page_strdup(b, r->audit.summary);
    content_to_pb(b, r, pr);
    if (b->status != BZL_OK) {
        return b->status;
    }
    /* Each record costs its bytes plus a tag and a length prefix of at most 6 bytes. */
    size_t bytes = bzl__v1__journal_record__get_packed_size(pr) + 6u;
    if (b->count > 0 && b->used_bytes + bytes > b->budget_bytes) {
        *taken = false; /* the next page starts with it */
        return BZL_OK;
    }
    b->used_bytes += bytes;
    b->recs[b->count++] = pr;
    return BZL_OK;
}

/* Reads one page after after_seq and replies with it. */
static void
journal_reply(bzld_slot *slot, uint64_t after_seq, size_t cap)
{
    bzld *d = bzld_of_slot(slot);
    Bzl__V1__JournalRecord **recs = calloc(cap, sizeof *recs);
    bzl_txn *txn = NULL;
    bzl_journal_page page;
    memset(&page, 0, sizeof page);
    bzl_status st = recs != NULL ? BZL_OK : BZL_NO_MEMORY;
    page_build b = {.budget_bytes = d->cfg.frame_bytes_max / 2, .recs = recs, .status = BZL_OK};
    if (st == BZL_OK) {
        st = bzld_read_begin(d, &txn);
    }
    if (st == BZL_OK) {
        st = bzl_storage_journal_read(txn, after_seq, cap, &page, &b, page_visit_cb);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the journal after entry %llu failed: %s",
                               (unsigned long long)after_seq, bzl_status_text(st));
        goto done;
    }
    Bzl__V1__JournalPage list = BZL__V1__JOURNAL_PAGE__INIT;
    list.n_entries = b.count;
    list.entries = recs;
    list.head_seq = page.head_seq;
    list.after_hash.data = page.after_hash;
    list.after_hash.len = page.after_found ? sizeof page.after_hash : 0;
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_JOURNAL, page.more, page.last_seq, token);
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_JOURNAL;
    resp.journal = &list;
    if (!page.after_found) {
        /* The zone has fewer entries than the reader holds: a zone restored from an older
         * backup, or the wrong zone. The page is empty and says where the journal ends. */
        resp.status = BZL__V1__STATUS__STATUS_NOT_FOUND;
        char message[160];
        snprintf(message, sizeof message,
                 "the journal has no entry %llu: it ends at entry %llu (after_seq)",
                 (unsigned long long)after_seq, (unsigned long long)page.head_seq);
        resp.message = message;
        bzld_slot_reply(slot, &resp);
        goto done;
    }
    bzld_slot_reply(slot, &resp);
done:
    page_free(&b);
    free(recs);
}

/* A journal request waiting for an entry after after_seq: lives from its timer's start until
 * the timer's close callback. */
typedef struct journal_wait {
    uv_timer_t timer;
    bzld_slot *slot;
    uint64_t after_seq;
    size_t cap;
    uint64_t deadline_ms; /* uv_now at which it answers with whatever there is */
} journal_wait;

static void
journal_wait_close_cb(uv_handle_t *handle)
{
    free(handle->data);
}

/* The journal's last sequence, or 0 when it cannot be read (the page read then says why). */
static uint64_t
journal_head(bzld *d)
{
    bzl_txn *txn = NULL;
    bzl_storage_stats stats;
    memset(&stats, 0, sizeof stats);
    if (bzld_read_begin(d, &txn) != BZL_OK) {
        return UINT64_MAX;
    }
    bzl_status st = bzl_storage_stats_get(txn, &stats);
    bzl_txn_abort(txn);
    return st == BZL_OK ? stats.journal_entries : UINT64_MAX;
}

static void
journal_wait_cb(uv_timer_t *timer)
{
    journal_wait *w = timer->data;
    bzld *d = bzld_of_slot(w->slot);
    bool due = d->stopping || uv_now(d->loop) >= w->deadline_ms || journal_head(d) > w->after_seq;
    if (!due) {
        return;
    }
    uv_timer_stop(timer);
    bzld_slot *slot = w->slot;
    journal_reply(slot, w->after_seq, w->cap);
    slot->work = NULL;
    uv_close((uv_handle_t *)timer, journal_wait_close_cb);
    bzld_slot_async_done(slot);
}

void
bzld_handle_journal(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, JOURNAL);
    const Bzl__V1__JournalRead *q = slot->req->journal;
    size_t cap = bzld_page_rows(q->page_size, BZL_JOURNAL_PAGE_ROWS, BZL_LIST_ROWS_MAX);
    bzl_fault fault = {0};
    uint64_t cursor = 0;
    bzl_status st =
        bzld_page_token_number(q->page_token, BZLD_LIST_JOURNAL, UINT64_MAX, &cursor, &fault);
    if (st == BZL_OK && q->page_token[0] != '\0' && cursor < q->after_seq) {
        st = bzl_fault_set(&fault, BZL_INVALID_ARGUMENT, 0, "page_token",
                           "page_token starts before after_seq %llu: pass the token with the "
                           "after_seq it came with",
                           (unsigned long long)q->after_seq);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    uint64_t after = q->page_token[0] != '\0' ? cursor : q->after_seq;
    bzld *d = bzld_of_slot(slot);
    uint32_t wait_ms = q->wait_ms < BZL_JOURNAL_WAIT_MS_MAX ? q->wait_ms : BZL_JOURNAL_WAIT_MS_MAX;
    if (wait_ms == 0 || d->stopping || journal_head(d) != after) {
        /* Something to send, nothing to wait for, or a journal shorter than after (the page
         * read answers NOT_FOUND at once). */
        journal_reply(slot, after, cap);
        return;
    }
    journal_wait *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory for a journal wait");
        return;
    }
    w->slot = slot;
    w->after_seq = after;
    w->cap = cap;
    w->deadline_ms = uv_now(d->loop) + wait_ms;
    int rc = uv_timer_init(d->loop, &w->timer);
    BZL_ASSERT(rc == 0);
    w->timer.data = w;
    rc = uv_timer_start(&w->timer, journal_wait_cb, BZL_JOURNAL_POLL_MS, BZL_JOURNAL_POLL_MS);
    BZL_ASSERT(rc == 0);
    slot->work = w;
    bzld_slot_async_begin(slot);
}
