/* handler_ledger_read.c — one declaration with its state and journal entries, and the
 * transfers whose two halves do not match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/decimal.h"
#include "bzl/storage_receipt.h"
#include "bzl/tax.h"
#include "dispatch.h"
#include "handlers.h"
#include "reply.h"
#include "wire.h"

typedef char dec_text[BZL_DEC_TEXT_BYTES];

/* Effects shown per declaration: a product line on a unit book brings its BOM's materials. */
#define SHOW_EFFECTS_MAX 4096u

typedef struct line_text {
    dec_text qty, value, usd;
} line_text;

typedef struct lot_text {
    dec_text qty;
} lot_text;

typedef struct effect_text {
    dec_text qty, value, pin, pout, gen, used, total;
} effect_text;

/* Everything a declaration reply points into; freed together. */
typedef struct show {
    bzl_decl_info info;
    bzl_decl_line *lines;
    bzl_effect *effects;
    Bzl__V1__DeclarationLine *pb_lines;
    Bzl__V1__DeclarationLine **line_ptrs;
    line_text *line_txt;
    Bzl__V1__Effect *pb_effects;
    Bzl__V1__Effect **effect_ptrs;
    effect_text *effect_txt;
    bzl_lot_ref *lots; /* the lots the lines name, and their messages */
    Bzl__V1__LotRef *pb_lots;
    Bzl__V1__LotRef **lot_ptrs;
    lot_text *lot_txt;
    char date[16];
    char tax_date[16];
    bzld_list_pb list; /* the 核注清单 fields, pointing into the read transaction's entry */
} show;

static void
show_free(show *s)
{
    free(s->lines);
    free(s->effects);
    free(s->pb_lines);
    free(s->line_ptrs);
    free(s->line_txt);
    free(s->pb_effects);
    free(s->effect_ptrs);
    free(s->effect_txt);
    free(s->lots);
    free(s->pb_lots);
    free(s->lot_ptrs);
    free(s->lot_txt);
    bzld_list_pb_free(&s->list);
}

static bool
show_alloc(show *s)
{
    s->lines = calloc(BZL_DECL_LINES_CEILING, sizeof *s->lines);
    s->effects = calloc(SHOW_EFFECTS_MAX, sizeof *s->effects);
    s->pb_lines = calloc(BZL_DECL_LINES_CEILING, sizeof *s->pb_lines);
    s->line_ptrs = calloc(BZL_DECL_LINES_CEILING, sizeof *s->line_ptrs);
    s->line_txt = calloc(BZL_DECL_LINES_CEILING, sizeof *s->line_txt);
    s->pb_effects = calloc(SHOW_EFFECTS_MAX, sizeof *s->pb_effects);
    s->effect_ptrs = calloc(SHOW_EFFECTS_MAX, sizeof *s->effect_ptrs);
    s->effect_txt = calloc(SHOW_EFFECTS_MAX, sizeof *s->effect_txt);
    s->lots = calloc(BZL_DECL_LOTS_MAX, sizeof *s->lots);
    s->pb_lots = calloc(BZL_DECL_LOTS_MAX, sizeof *s->pb_lots);
    s->lot_ptrs = calloc(BZL_DECL_LOTS_MAX, sizeof *s->lot_ptrs);
    s->lot_txt = calloc(BZL_DECL_LOTS_MAX, sizeof *s->lot_txt);
    return s->lines && s->effects && s->pb_lines && s->line_ptrs && s->line_txt && s->pb_effects &&
           s->effect_ptrs && s->effect_txt && s->lots && s->pb_lots && s->lot_ptrs && s->lot_txt;
}

static bzl_status
decl_to_pb(show *s, Bzl__V1__Declaration *out)
{
    const bzl_declaration *d = &s->info.decl;
    bzl__v1__declaration__init(out);
    out->id = (char *)d->id;
    out->enterprise = (char *)d->enterprise;
    out->book = (char *)d->book_no;
    out->kind = (Bzl__V1__Kind)d->kind;
    out->direction = (Bzl__V1__Direction)d->direction;
    out->trade_mode = (char *)d->trade_mode;
    bzl_date_format(d->date, s->date, sizeof s->date);
    out->date = s->date;
    out->pending = d->pending;
    out->draft = d->draft;
    out->related_book = (char *)d->related_book;
    out->related_id = (char *)d->related_id;
    out->origin = (char *)bzl_origin_name((bzl_origin)d->origin);
    out->duty_basis = d->duty_basis != 0 ? (char *)bzl_tax_basis_name(d->duty_basis) : (char *)"";
    s->tax_date[0] = '\0';
    if (d->tax_date != 0) {
        bzl_date_format(d->tax_date, s->tax_date, sizeof s->tax_date);
    }
    out->tax_date = s->tax_date;
    for (uint32_t i = 0; i < d->line_count; i++) {
        const bzl_decl_line *l = &d->lines[i];
        Bzl__V1__DeclarationLine *pl = &s->pb_lines[i];
        line_text *t = &s->line_txt[i];
        bzl__v1__declaration_line__init(pl);
        pl->item = l->item_no;
        bzl_dec_format(l->qty_e5, BZL_SCALE_QTY, t->qty, sizeof t->qty);
        bzl_dec_format(l->value_e5, BZL_SCALE_QTY, t->value, sizeof t->value);
        t->usd[0] = '\0';
        if (l->has_usd) {
            bzl_dec_format(l->usd_e5, BZL_SCALE_QTY, t->usd, sizeof t->usd);
        }
        pl->qty = t->qty;
        pl->value = t->value;
        pl->usd = t->usd;
        pl->unit = (char *)l->unit;
        pl->currency = (char *)l->currency;
        pl->country = (char *)l->country;
        pl->bom_version = (char *)l->bom_version;
        pl->mode = (Bzl__V1__BizMode)l->biz_mode;
        s->line_ptrs[i] = pl;
    }
    /* The lots each line names (in line order, so each line's are contiguous). */
    for (uint32_t k = 0; d->lots != NULL && k < d->lot_count; k++) {
        const bzl_lot_ref *r = &d->lots[k];
        Bzl__V1__LotRef *pr = &s->pb_lots[k];
        bzl__v1__lot_ref__init(pr);
        pr->receipt = (char *)r->receipt;
        pr->line = r->receipt_line;
        bzl_dec_format(r->qty_e5, BZL_SCALE_QTY, s->lot_txt[k].qty, sizeof s->lot_txt[k].qty);
        pr->qty = s->lot_txt[k].qty;
        s->lot_ptrs[k] = pr;
        Bzl__V1__DeclarationLine *pl = &s->pb_lines[r->line - 1];
        if (pl->n_lots == 0) {
            pl->lots = &s->lot_ptrs[k];
        }
        pl->n_lots++;
    }
    out->n_lines = d->line_count;
    out->lines = s->line_ptrs;
    return bzld_list_fields_to_pb(d, out, s->line_ptrs, &s->list);
}

static void
effect_to_pb(const bzl_effect *e, Bzl__V1__Effect *out, effect_text *t)
{
    bzl__v1__effect__init(out);
    out->kind = (Bzl__V1__Kind)e->kind;
    out->item = e->item_no;
    out->category = (char *)bzl_category_name(e->category);
    bzl_dec_format(e->qty_e5, BZL_SCALE_QTY, t->qty, sizeof t->qty);
    bzl_dec_format(e->value_e5, BZL_SCALE_QTY, t->value, sizeof t->value);
    bzl_dec_format(e->pending_in_e5, BZL_SCALE_QTY, t->pin, sizeof t->pin);
    bzl_dec_format(e->pending_out_e5, BZL_SCALE_QTY, t->pout, sizeof t->pout);
    bzl_dec_format(e->scrap_gen_e5, BZL_SCALE_QTY, t->gen, sizeof t->gen);
    bzl_dec_format(e->scrap_used_e5, BZL_SCALE_QTY, t->used, sizeof t->used);
    bzl_dec_format(e->total_e5, BZL_SCALE_QTY, t->total, sizeof t->total);
    out->qty = t->qty;
    out->value = t->value;
    out->pending_in = t->pin;
    out->pending_out = t->pout;
    out->scrap_generated = t->gen;
    out->scrap_used = t->used;
    out->total = t->total;
}

/* The customs side of the list (docs/INV101.md "Receipts") into info; false when out of
 * memory. *fields is the caller's to free. */
static bool
customs_to_pb(const bzl_receipt_info *ri, Bzl__V1__DeclarationInfo *info,
              Bzl__V1__ReceiptField **fields, Bzl__V1__ReceiptField ***ptrs)
{
    info->customs_state = (char *)bzl_customs_state_name(ri->state);
    info->receipt_count = ri->receipt_count;
    *fields = calloc(ri->field_count == 0 ? 1 : ri->field_count, sizeof **fields);
    *ptrs = calloc(ri->field_count == 0 ? 1 : ri->field_count, sizeof **ptrs);
    if (*fields == NULL || *ptrs == NULL) {
        return false;
    }
    for (uint32_t i = 0; i < ri->field_count; i++) {
        Bzl__V1__ReceiptField *f = &(*fields)[i];
        bzl__v1__receipt_field__init(f);
        f->group = ri->fields[i].group;
        f->line = ri->fields[i].line;
        f->name = (char *)ri->fields[i].name;
        f->value = (char *)ri->fields[i].value;
        (*ptrs)[i] = f;
    }
    info->n_back_fills = ri->field_count;
    info->back_fills = *ptrs;
    return true;
}

static void
show_reply(bzld_slot *slot, show *s, const bzl_receipt_info *ri)
{
    Bzl__V1__Declaration decl;
    Bzl__V1__JournalEntry entries[BZL_DECL_ENTRIES_MAX];
    Bzl__V1__JournalEntry *entry_ptrs[BZL_DECL_ENTRIES_MAX];
    bzl_status st = decl_to_pb(s, &decl);
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the declaration's list fields failed: %s",
                               bzl_status_text(st));
        return;
    }
    for (uint32_t i = 0; i < s->info.entry_count; i++) {
        const bzl_decl_entry *de = &s->info.entries[i];
        bzl__v1__journal_entry__init(&entries[i]);
        entries[i].seq = de->seq;
        entries[i].type = (Bzl__V1__EntryType)de->type;
        entries[i].reason = (char *)de->reason;
        entries[i].uid = de->actor.uid;
        entries[i].role = (Bzl__V1__Role)de->actor.role;
        entries[i].time_ms = de->actor.time_ms;
        for (uint32_t k = de->effects_at; k < de->effects_at + de->effects; k++) {
            effect_to_pb(&s->effects[k], &s->pb_effects[k], &s->effect_txt[k]);
            s->effect_ptrs[k] = &s->pb_effects[k];
        }
        entries[i].n_effects = de->effects;
        entries[i].effects = &s->effect_ptrs[de->effects_at];
        entry_ptrs[i] = &entries[i];
    }
    Bzl__V1__DeclarationInfo info = BZL__V1__DECLARATION_INFO__INIT;
    info.declaration = &decl;
    info.state = (char *)bzl_decl_state_name(s->info.state);
    info.flow = (char *)bzl_flow_name((bzl_flow)s->info.flow);
    info.n_entries = s->info.entry_count;
    info.entries = entry_ptrs;
    Bzl__V1__ReceiptField *fields = NULL;
    Bzl__V1__ReceiptField **field_ptrs = NULL;
    if (!customs_to_pb(ri, &info, &fields, &field_ptrs)) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the declaration");
    } else {
        Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
        resp.result_case = BZL__V1__RESPONSE__RESULT_DECLARATION;
        resp.declaration = &info;
        bzld_slot_reply(slot, &resp);
    }
    free(field_ptrs);
    free(fields);
}

void
bzld_handle_get_declaration(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, GET_DECLARATION);
    const Bzl__V1__GetDeclaration *req = slot->req->get_declaration;
    show s;
    memset(&s, 0, sizeof s);
    bzl_receipt_info ri;
    memset(&ri, 0, sizeof ri);
    bzl_txn *txn = NULL;
    bzl_status st = show_alloc(&s) ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_declaration_get(txn, req->enterprise, req->id, &s.info, s.lines, s.effects,
                                         SHOW_EFFECTS_MAX);
        uint32_t n_lots = 0;
        if (st == BZL_OK && s.info.decl.lot_count > 0) {
            st = bzl_storage_declaration_lots(txn, req->enterprise, req->id, s.lots,
                                              BZL_DECL_LOTS_MAX, &n_lots);
            s.info.decl.lots = s.lots;
            s.info.decl.lot_count = n_lots;
        }
        if (st == BZL_OK) {
            st = bzl_storage_receipt_info(txn, req->enterprise, req->id, &ri);
        }
    }
    if (st == BZL_NOT_FOUND) {
        bzld_slot_reply_status(slot, st, "enterprise %.20s has no declaration %.64s",
                               req->enterprise, req->id);
    } else if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "reading the declaration failed: %s", bzl_status_text(st));
    } else {
        show_reply(slot, &s, &ri); /* the list fields are a view of the entry: txn still open */
    }
    if (txn != NULL) {
        bzl_txn_abort(txn);
    }
    bzl_receipt_info_free(&ri);
    show_free(&s);
}

void
bzld_handle_unmatched_transfers(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, UNMATCHED_TRANSFERS);
    const Bzl__V1__ListUnmatchedTransfers *req = slot->req->unmatched_transfers;
    bzl_fault fault = {0};
    uint64_t skip = 0;
    bzl_status st =
        bzld_page_token_number(req->page_token, BZLD_LIST_TRANSFERS, UINT32_MAX, &skip, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_transfer_row *rows = calloc(cap, sizeof *rows);
    Bzl__V1__Transfer *pb = calloc(cap, sizeof *pb);
    Bzl__V1__Transfer **ptrs = calloc(cap, sizeof *ptrs);
    dec_text(*txt)[2] = calloc(cap, sizeof *txt); /* a differing line's two quantities */
    size_t count = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = strlen(req->enterprise) > BZL_ENTERPRISE_CODE_LEN ? BZL_INVALID_ARGUMENT
         : rows && pb && ptrs && txt ? bzld_read_begin(bzld_of_slot(slot), &txn)
                                     : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_transfers_unmatched(txn, req->enterprise, (uint32_t)skip, rows, cap,
                                             &count, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing transfers failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        bzl__v1__transfer__init(&pb[i]);
        pb[i].enterprise = rows[i].enterprise;
        pb[i].book = rows[i].book_no;
        pb[i].id = rows[i].id;
        pb[i].related_book = rows[i].related_book;
        pb[i].related_id = rows[i].related_id;
        pb[i].flow = (char *)bzl_flow_name((bzl_flow)rows[i].flow);
        pb[i].state = (char *)bzl_decl_state_name(rows[i].state);
        pb[i].why = rows[i].why;
        pb[i].line_count = rows[i].line_count;
        pb[i].counterpart_line_count = rows[i].counterpart_line_count;
        if (rows[i].line != 0) {
            bzl_dec_format(rows[i].qty_e5, BZL_SCALE_QTY, txt[i][0], sizeof txt[i][0]);
            bzl_dec_format(rows[i].counterpart_qty_e5, BZL_SCALE_QTY, txt[i][1], sizeof txt[i][1]);
            pb[i].line = rows[i].line;
            pb[i].qty = txt[i][0];
            pb[i].counterpart_qty = txt[i][1];
        }
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_TRANSFERS, more, skip + count, token);
    Bzl__V1__TransferList list = BZL__V1__TRANSFER_LIST__INIT;
    list.n_transfers = count;
    list.transfers = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_TRANSFERS;
    resp.transfers = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
    free(rows);
}

/* bzl_decl_filter's visible() over the slot's principal. */
static bool
principal_sees(void *arg, const char *enterprise)
{
    return bzld_principal_sees(arg, enterprise);
}

typedef struct decl_summary_text {
    char date[16];
} decl_summary_text;

void
bzld_handle_list_declarations(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, LIST_DECLARATIONS);
    const Bzl__V1__ListDeclarations *req = slot->req->list_declarations;
    bzl_fault fault = {0};
    bzl_decl_filter f;
    bzl_status st = bzld_wire_list_declarations(req, &f, &fault);
    if (st != BZL_OK) {
        bzld_slot_reply_fault(slot, st, &fault);
        return;
    }
    /* An enterprise principal's scope: another enterprise's declarations are not there. */
    const bzld_principal *who = bzld_principal_of_slot(slot);
    f.visible = principal_sees;
    f.visible_arg = (void *)who;
    if (req->older_than_days > 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        f.submitted_before_ms = now_ms - (int64_t)req->older_than_days * 86400000;
    }
    size_t cap = bzld_page_rows(req->page_size, BZL_LIST_ROWS_MAX, BZL_LIST_ROWS_MAX);
    bzl_decl_row *rows = calloc(cap, sizeof *rows);
    Bzl__V1__DeclarationSummary *pb = calloc(cap, sizeof *pb);
    Bzl__V1__DeclarationSummary **ptrs = calloc(cap, sizeof *ptrs);
    decl_summary_text *txt = calloc(cap, sizeof *txt);
    size_t count = 0;
    uint64_t next_after = 0;
    bool more = false;
    bzl_txn *txn = NULL;
    st = rows && pb && ptrs && txt ? bzld_read_begin(bzld_of_slot(slot), &txn) : BZL_NO_MEMORY;
    if (st == BZL_OK) {
        st = bzl_storage_decl_list(txn, &f, rows, cap, &count, &next_after, &more);
        bzl_txn_abort(txn);
    }
    if (st != BZL_OK) {
        bzld_slot_reply_status(slot, st, "listing declarations failed: %s", bzl_status_text(st));
        goto done;
    }
    for (size_t i = 0; i < count; i++) {
        const bzl_decl_row *r = &rows[i];
        bzl__v1__declaration_summary__init(&pb[i]);
        bzl_date_format(r->date, txt[i].date, sizeof txt[i].date);
        pb[i].seq = r->seq;
        pb[i].id = (char *)r->id;
        pb[i].enterprise = (char *)r->enterprise;
        pb[i].book = (char *)r->book_no;
        pb[i].date = txt[i].date;
        pb[i].trade_mode = (char *)r->trade_mode;
        pb[i].flow = r->flow == BZL_FLOW_NONE ? "" : (char *)bzl_flow_name((bzl_flow)r->flow);
        pb[i].kind = (Bzl__V1__Kind)r->kind;
        pb[i].direction = (Bzl__V1__Direction)r->direction;
        pb[i].lines = r->line_count;
        pb[i].state = (Bzl__V1__DeclarationState)r->state;
        pb[i].submitted_ms = r->time_ms;
        ptrs[i] = &pb[i];
    }
    char token[BZLD_PAGE_TOKEN_BYTES];
    bzld_page_token_put_number(BZLD_LIST_DECLARATIONS, more, next_after, token);
    Bzl__V1__DeclarationList list = BZL__V1__DECLARATION_LIST__INIT;
    list.n_declarations = count;
    list.declarations = ptrs;
    list.next_page_token = token;
    Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
    resp.result_case = BZL__V1__RESPONSE__RESULT_DECLARATIONS;
    resp.declarations = &list;
    bzld_slot_reply(slot, &resp);
done:
    free(txt);
    free(ptrs);
    free(pb);
    free(rows);
}
