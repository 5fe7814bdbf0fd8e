/* cmd_ledger_read.c — reading the bonded ledger: bom list, history, declaration show,
 * transfers unmatched, scrap. The listings follow the daemon's pages (at most BZL_LIST_ROWS_MAX
 * rows each) to the end and print them as one table or one JSON array. */
#include "cli.h"

#include <string.h>

/* Sends req, checks for `want` and hands the response to print (which owns nothing). */
static int
read_call(cli *c, Bzl__V1__Request *req, Bzl__V1__Response__ResultCase want,
          int (*print)(const cli *c, const Bzl__V1__Response *resp))
{
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, req, want, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = print(c, resp);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* Adds one reply's rows to p. Returns the reply's next_page_token (borrowed from resp). */
typedef const char *(*read_page_fn)(cli_page *p, const Bzl__V1__Response *resp);

/* Follows the daemon's pages into one listing and prints it: each request carries the token
 * the previous reply gave in *page_token (req's body field). A daemon whose pages do not
 * advance or do not end is refused (cli_pager_next), and nothing is printed. */
static int
read_pages(cli *c, Bzl__V1__Request *req, char **page_token, Bzl__V1__Response__ResultCase want,
           const cli_column *cols, size_t n_cols, read_page_fn add)
{
    cli_page p;
    cli_pager pg;
    cli_page_begin(&p, c, cols, n_cols);
    cli_pager_init(&pg, "pages");
    int rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && pg.more) {
        Bzl__V1__Response *resp = NULL;
        *page_token = pg.token;
        rc = cli_call(c, req, want, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        rc = cli_pager_next(&pg, add(&p, resp));
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    if (rc != CLI_EXIT_OK) {
        cli_page_abort(&p);
        return rc;
    }
    return cli_page_end(&p);
}

/* ---- bom list ---------------------------------------------------------------------------------
 */

static const cli_column norm_cols[] = {
    {"PRODUCT", true},   {"VERSION", false},    {"MATERIAL", true}, {"NET", true},
    {"TANGIBLE%", true}, {"INTANGIBLE%", true}, {"SHARE", true},    {"UNIT_CONSUMPTION", true},
    {"FROM", false},     {"USED", false},
};

static const char *
norms_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__NormList *list = resp->norms;
    for (size_t i = 0; i < list->n_norms; i++) {
        const Bzl__V1__Norm *n = list->norms[i];
        cli_page_row_begin(p);
        cli_page_u32(p, "product", n->product);
        cli_page_text(p, "version", n->version);
        cli_page_u32(p, "material", n->material);
        cli_page_text(p, "net", n->net);
        cli_page_text(p, "tangible_loss", n->tangible_loss);
        cli_page_text(p, "intangible_loss", n->intangible_loss);
        cli_page_text(p, "bonded_share", n->bonded_share);
        cli_page_text(p, "unit_consumption", n->unit_consumption);
        cli_page_text(p, "from", n->valid_from);
        cli_page_yes_no(p, "used", n->used);
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_bom_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListNorms body = BZL__V1__LIST_NORMS__INIT;
    char *product = "";
    const cli_ledger_opt specs[] = {{"book", &body.book, true}, {"product", &product, false}};
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    cli_ledger_item(cmd, product, "product", &body.product, &rc);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_NORMS;
    req.list_norms = &body;
    return read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_NORMS, norm_cols,
                      BZL_ARRAY_LEN(norm_cols), norms_page);
}

/* ---- history ----------------------------------------------------------------------------------
 */

static const cli_column history_cols[] = {
    {"SEQ", true}, {"DATE", false},      {"ID", false},         {"FLOW", false},   {"ENTRY", false},
    {"QTY", true}, {"PENDING_IN", true}, {"PENDING_OUT", true}, {"BALANCE", true},
};

static const char *
history_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__History *h = resp->history;
    for (size_t i = 0; i < h->n_lines; i++) {
        const Bzl__V1__HistoryLine *l = h->lines[i];
        cli_page_row_begin(p);
        cli_page_u64(p, "seq", l->seq);
        cli_page_text(p, "date", l->date);
        cli_page_text(p, "id", l->id);
        cli_page_text(p, "flow", l->flow);
        cli_page_text(p, "entry", cli_entry_type_name(l->entry));
        cli_page_text(p, "qty", l->qty);
        cli_page_text(p, "pending_in", l->pending_in);
        cli_page_text(p, "pending_out", l->pending_out);
        cli_page_text(p, "balance", l->balance);
        cli_page_row_end(p);
    }
    return h->next_page_token;
}

int
cli_history(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__QueryHistory body = BZL__V1__QUERY_HISTORY__INIT;
    char *kind = "", *item = "";
    const cli_ledger_opt specs[] = {
        {"book", &body.book, true},  {"kind", &kind, true},   {"item", &item, true},
        {"from", &body.from, false}, {"to", &body.to, false},
    };
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    cli_ledger_item(cmd, item, "item", &body.item, &rc);
    if (rc == CLI_GO_ON && !cli_kind_parse(kind, &body.kind)) {
        rc = cli_usage_error(cmd, "--kind must be material or product, not '%s'", kind);
    }
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_HISTORY;
    req.history = &body;
    return read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_HISTORY, history_cols,
                      BZL_ARRAY_LEN(history_cols), history_page);
}

/* ---- declaration show -------------------------------------------------------------------------
 */

static const cli_column effect_cols[] = {
    {"SEQ", true},         {"ENTRY", false},    {"KIND", false},      {"ITEM", true},
    {"CATEGORY", false},   {"QTY", true},       {"VALUE", true},      {"PENDING_IN", true},
    {"PENDING_OUT", true}, {"SCRAP_GEN", true}, {"SCRAP_USED", true},
};

static json_t *
effect_json(const Bzl__V1__Effect *e, bool *ok)
{
    json_t *o = json_object();
    cli_json_put(o, "kind", cli_json_str(cli_kind_name(e->kind)), ok);
    cli_json_put(o, "item", json_integer(e->item), ok);
    cli_json_put(o, "category", cli_json_str(e->category), ok);
    cli_json_put(o, "qty", cli_json_str(e->qty), ok);
    cli_json_put(o, "value", cli_json_str(e->value), ok);
    cli_json_put(o, "pending_in", cli_json_str(e->pending_in), ok);
    cli_json_put(o, "pending_out", cli_json_str(e->pending_out), ok);
    cli_json_put(o, "scrap_generated", cli_json_str(e->scrap_generated), ok);
    cli_json_put(o, "scrap_used", cli_json_str(e->scrap_used), ok);
    cli_json_put(o, "total", cli_json_str(e->total), ok);
    return o;
}

static void
entry_rows(const cli *c, const Bzl__V1__JournalEntry *je, cli_table *t, json_t *entries, bool *ok)
{
    json_t *effects = c->json ? json_array() : NULL;
    for (size_t k = 0; k < je->n_effects; k++) {
        const Bzl__V1__Effect *e = je->effects[k];
        if (c->json) {
            cli_json_push(effects, effect_json(e, ok), ok);
            continue;
        }
        cli_table_addf(t, "%llu", (unsigned long long)je->seq);
        cli_table_add(t, cli_entry_type_name(je->type));
        cli_table_add(t, cli_kind_name(e->kind));
        cli_table_addf(t, "%u", (unsigned)e->item);
        cli_table_add(t, e->category);
        cli_table_add(t, e->qty);
        cli_table_add(t, e->value);
        cli_table_add(t, e->pending_in);
        cli_table_add(t, e->pending_out);
        cli_table_add(t, e->scrap_generated);
        cli_table_add(t, e->scrap_used);
    }
    if (c->json) {
        json_t *o = json_object();
        cli_json_put(o, "seq", cli_json_u64(je->seq), ok);
        cli_json_put(o, "type", cli_json_str(cli_entry_type_name(je->type)), ok);
        cli_json_put(o, "reason", cli_json_str(je->reason), ok);
        cli_json_put(o, "effects", effects, ok);
        cli_json_push(entries, o, ok);
    }
}

static int
declaration_print(const cli *c, const Bzl__V1__Response *resp)
{
    const Bzl__V1__DeclarationInfo *info = resp->declaration;
    const Bzl__V1__Declaration *d = info->declaration;
    cli_table t;
    json_t *doc = NULL;
    json_t *entries = c->json ? json_array() : NULL;
    bool ok = true;
    cli_table_init(&t, effect_cols, BZL_ARRAY_LEN(effect_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "id", cli_json_str(d != NULL ? d->id : ""), &ok);
        cli_json_put(doc, "book", cli_json_str(d != NULL ? d->book : ""), &ok);
        cli_json_put(doc, "trade_mode", cli_json_str(d != NULL ? d->trade_mode : ""), &ok);
        cli_json_put(doc, "date", cli_json_str(d != NULL ? d->date : ""), &ok);
        cli_json_put(doc, "state", cli_json_str(info->state), &ok);
        cli_json_put(doc, "flow", cli_json_str(info->flow), &ok);
    } else if (d != NULL) {
        printf("declaration %s of %s on book %s: %s %s %s, trade mode %s, dated %s\n", d->id,
               d->enterprise, d->book, info->state, info->flow,
               d->direction == BZL__V1__DIRECTION__DIRECTION_IN ? "in" : "out", d->trade_mode,
               d->date);
    }
    for (size_t i = 0; i < info->n_entries; i++) {
        entry_rows(c, info->entries[i], &t, entries, &ok);
    }
    if (c->json) {
        cli_json_put(doc, "entries", entries, &ok);
    }
    int rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}

int
cli_declaration_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__GetDeclaration body = BZL__V1__GET_DECLARATION__INIT;
    const cli_ledger_opt specs[] = {{"enterprise", &body.enterprise, true}};
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 1);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    body.id = argv[optind];
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_DECLARATION;
    req.get_declaration = &body;
    return read_call(c, &req, BZL__V1__RESPONSE__RESULT_DECLARATION, declaration_print);
}

/* ---- transfers unmatched ------------------------------------------------------------------------
 */

static const cli_column transfer_cols[] = {
    {"ENTERPRISE", false},   {"BOOK", false},       {"ID", false},    {"FLOW", false},
    {"RELATED_BOOK", false}, {"RELATED_ID", false}, {"STATE", false}, {"WHY", false},
};

/* A difference in the lines, for --json only: the table's WHY already says it in a sentence
 * ("line 2 quantity: 7 here, 6.5 in the counterpart"). Every row has the keys, 0 and "" when
 * its reason is another. */
static void
transfer_lines_json(cli_page *p, const Bzl__V1__Transfer *x)
{
    if (p->c->json && p->row != NULL) {
        cli_json_put(p->row, "line_count", json_integer(x->line_count), &p->ok);
        cli_json_put(p->row, "counterpart_line_count", json_integer(x->counterpart_line_count),
                     &p->ok);
        cli_json_put(p->row, "line", json_integer(x->line), &p->ok);
        cli_json_put(p->row, "qty", cli_json_str(x->qty), &p->ok);
        cli_json_put(p->row, "counterpart_qty", cli_json_str(x->counterpart_qty), &p->ok);
    }
}

static const char *
transfers_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__TransferList *list = resp->transfers;
    for (size_t i = 0; i < list->n_transfers; i++) {
        const Bzl__V1__Transfer *x = list->transfers[i];
        const char *cells[] = {x->enterprise,   x->book,       x->id,    x->flow,
                               x->related_book, x->related_id, x->state, x->why};
        static const char *const keys[] = {"enterprise",   "book",       "id",    "flow",
                                           "related_book", "related_id", "state", "why"};
        cli_page_row_begin(p);
        for (size_t k = 0; k < BZL_ARRAY_LEN(cells); k++) {
            cli_page_text(p, keys[k], cells[k]);
        }
        transfer_lines_json(p, x);
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_transfers_unmatched(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListUnmatchedTransfers body = BZL__V1__LIST_UNMATCHED_TRANSFERS__INIT;
    const cli_ledger_opt specs[] = {{"enterprise", &body.enterprise, false}};
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_UNMATCHED_TRANSFERS;
    req.unmatched_transfers = &body;
    return read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_TRANSFERS, transfer_cols,
                      BZL_ARRAY_LEN(transfer_cols), transfers_page);
}

/* ---- scrap
 * ---------------------------------------------------------------------------------------- */

static const cli_column scrap_cols[] = {
    {"MATERIAL", true}, {"GENERATED", true}, {"USED", true}, {"REMAINING", true}};

static const char *
scrap_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__ScrapList *list = resp->scrap;
    for (size_t i = 0; i < list->n_rows; i++) {
        const Bzl__V1__ScrapRow *r = list->rows[i];
        cli_page_row_begin(p);
        cli_page_u32(p, "material", r->item);
        cli_page_text(p, "generated", r->generated);
        cli_page_text(p, "used", r->used);
        cli_page_text(p, "remaining", r->remaining);
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_scrap(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__QueryScrap body = BZL__V1__QUERY_SCRAP__INIT;
    char *item = "";
    const cli_ledger_opt specs[] = {{"book", &body.book, true}, {"item", &item, false}};
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    cli_ledger_item(cmd, item, "item", &body.item, &rc);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SCRAP;
    req.scrap = &body;
    return read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_SCRAP, scrap_cols,
                      BZL_ARRAY_LEN(scrap_cols), scrap_page);
}
