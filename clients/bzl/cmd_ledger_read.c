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

int
cli_page_csv_end(cli_page *p)
{
    int rc = CLI_EXIT_OK;
    if (p->t.failed || !p->ok || p->t.n_cells % p->t.n_cols != 0) {
        fputs("bzl: NO_MEMORY: cannot build the output\n", stderr);
        rc = CLI_EXIT_TRANSPORT;
        goto done;
    }
    for (size_t i = 0; i < p->t.n_cols; i++) {
        char key[48];
        size_t len = strlen(p->t.cols[i].header);
        BZL_ASSERT(len < sizeof key);
        for (size_t k = 0; k <= len; k++) {
            char ch = p->t.cols[i].header[k];
            key[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
        }
        cli_csv_cell(key, i + 1 == p->t.n_cols);
    }
    for (size_t i = 0; i < p->t.n_cells; i++) {
        cli_csv_cell(p->t.cells[i], (i + 1) % p->t.n_cols == 0);
    }
done:
    cli_page_abort(p);
    return rc;
}

int
cli_read_pages(cli *c, Bzl__V1__Request *req, char **page_token, Bzl__V1__Response__ResultCase want,
               const cli_column *cols, size_t n_cols, cli_read_page_fn add, bool csv)
{
    /* What the page is printed as: CSV is gathered as the table is, whatever --json says. The
     * requests still go through c, which owns the connection. */
    const cli view = {.socket_path = c->socket_path, .json = c->json && !csv, .client = NULL};
    cli_page p;
    cli_pager pg;
    cli_page_begin(&p, &view, cols, n_cols);
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
    return csv ? cli_page_csv_end(&p) : cli_page_end(&p);
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
    bool csv = false;
    const cli_ledger_opt specs[] = {{"book", &body.book, true}, {"product", &product, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    cli_ledger_item(cmd, product, "product", &body.product, &rc);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_NORMS;
    req.list_norms = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_NORMS, norm_cols,
                          BZL_ARRAY_LEN(norm_cols), norms_page, csv);
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
    bool csv = false;
    const cli_ledger_opt specs[] = {
        {"book", &body.book, true},  {"kind", &kind, true},   {"item", &item, true},
        {"from", &body.from, false}, {"to", &body.to, false},
    };
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
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
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_HISTORY,
                          history_cols, BZL_ARRAY_LEN(history_cols), history_page, csv);
}

/* ---- declaration show -------------------------------------------------------------------------
 */

static const cli_column line_cols[] = {
    {"LINE", true},  {"ITEM", true},      {"QTY", true},          {"UNIT", false},
    {"VALUE", true}, {"CURRENCY", false}, {"BOM_VERSION", false},
};

static const cli_column history_entry_cols[] = {
    {"SEQ", true},   {"TIME", false},  {"UID", true},
    {"ROLE", false}, {"ENTRY", false}, {"REASON", false},
};

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

/* The tables `declaration show` prints under its header line. */
typedef struct decl_tables {
    cli_table lines;   /* what was declared, line by line */
    cli_table history; /* each journal entry: when, who, what, why */
    cli_table effects; /* what each entry did to each item */
    cli_table fields;  /* the 核注清单's own fields (docs/INV101.md), when it has any */
} decl_tables;

static const cli_column field_cols[] = {{"LINE", false}, {"FIELD", false}, {"VALUE", false}};

/* The 核注清单 fields of one place (the header, line 0, or a line) as rows of t, or an object
 * {name: value} (returned, owned; NULL as text). */
static json_t *
list_field_rows(const cli *c, size_t line, Bzl__V1__ListField *const *f, size_t n, cli_table *t,
                bool *ok)
{
    json_t *o = c->json ? json_object() : NULL;
    for (size_t i = 0; i < n; i++) {
        if (c->json) {
            cli_json_put(o, f[i]->name, cli_json_str(f[i]->value), ok);
            continue;
        }
        if (line == 0) {
            cli_table_add(t, "-");
        } else {
            cli_table_addf(t, "%zu", line);
        }
        cli_table_add(t, f[i]->name);
        cli_table_add(t, f[i]->value);
    }
    return o;
}

/* {"line", "item", "qty", "unit", "value", "currency", "usd", "bom_version", "mode",
 * "country"[, "lots"]}: the line as submitted (mode null for none; lots only when it names
 * some). */
static json_t *
line_json(const cli *c, size_t index, const Bzl__V1__DeclarationLine *l, bool *ok)
{
    const char *mode = cli_mode_name(l->mode);
    json_t *o = json_object();
    cli_json_put(o, "line", json_integer((json_int_t)index + 1), ok);
    cli_json_put(o, "item", json_integer(l->item), ok);
    cli_json_put(o, "qty", cli_json_str(l->qty), ok);
    cli_json_put(o, "unit", cli_json_str(l->unit), ok);
    cli_json_put(o, "value", cli_json_str(l->value), ok);
    cli_json_put(o, "currency", cli_json_str(l->currency), ok);
    cli_json_put(o, "usd", cli_json_str(l->usd), ok);
    cli_json_put(o, "bom_version", cli_json_str(l->bom_version), ok);
    cli_json_put(o, "mode", mode[0] != '\0' ? cli_json_str(mode) : json_null(), ok);
    cli_json_put(o, "country", cli_json_str(l->country), ok);
    if (l->n_lots > 0) {
        /* SPECIFIC lots, as the declaration file names them. */
        json_t *lots = json_array();
        for (size_t k = 0; k < l->n_lots; k++) {
            json_t *lot = json_object();
            cli_json_put(lot, "receipt", cli_json_str(l->lots[k]->receipt), ok);
            cli_json_put(lot, "line", json_integer(l->lots[k]->line), ok);
            cli_json_put(lot, "qty", cli_json_str(l->lots[k]->qty), ok);
            cli_json_push(lots, lot, ok);
        }
        cli_json_put(o, "lots", lots, ok);
    }
    cli_json_put(o, "list_fields",
                 list_field_rows(c, index + 1, l->list_fields, l->n_list_fields, NULL, ok), ok);
    return o;
}

/* Every declared line, into the lines table (and its list fields into the fields table) or a
 * JSON array (returned, owned; NULL as text). */
static json_t *
line_rows(const cli *c, const Bzl__V1__Declaration *d, decl_tables *tt, bool *ok)
{
    json_t *arr = c->json ? json_array() : NULL;
    cli_table *t = &tt->lines;
    for (size_t i = 0; d != NULL && i < d->n_lines; i++) {
        const Bzl__V1__DeclarationLine *l = d->lines[i];
        if (c->json) {
            cli_json_push(arr, line_json(c, i, l, ok), ok);
            continue;
        }
        (void)list_field_rows(c, i + 1, l->list_fields, l->n_list_fields, &tt->fields, ok);
        cli_table_addf(t, "%zu", i + 1);
        cli_table_addf(t, "%u", (unsigned)l->item);
        cli_table_add(t, l->qty);
        cli_table_add(t, l->unit);
        cli_table_add(t, l->value);
        cli_table_add(t, l->currency);
        cli_table_add(t, l->bom_version);
    }
    return arr;
}

/* One journal entry: a history row and its effect rows, or an object of entries (the keys
 * "seq", "type", "reason", "effects" as ever, with "uid", "role", "time" and "time_ms"). */
static void
entry_rows(const cli *c, const Bzl__V1__JournalEntry *je, decl_tables *tt, json_t *entries,
           bool *ok)
{
    char when[40];
    cli_time_text(je->time_ms, when, sizeof when);
    json_t *effects = c->json ? json_array() : NULL;
    if (!c->json) {
        cli_table_addf(&tt->history, "%llu", (unsigned long long)je->seq);
        cli_table_add(&tt->history, when);
        cli_table_addf(&tt->history, "%u", (unsigned)je->uid);
        cli_table_add(&tt->history, cli_role_name(je->role));
        cli_table_add(&tt->history, cli_entry_type_name(je->type));
        cli_table_add(&tt->history, je->reason);
    }
    for (size_t k = 0; k < je->n_effects; k++) {
        const Bzl__V1__Effect *e = je->effects[k];
        if (c->json) {
            cli_json_push(effects, effect_json(e, ok), ok);
            continue;
        }
        cli_table_addf(&tt->effects, "%llu", (unsigned long long)je->seq);
        cli_table_add(&tt->effects, cli_entry_type_name(je->type));
        cli_table_add(&tt->effects, cli_kind_name(e->kind));
        cli_table_addf(&tt->effects, "%u", (unsigned)e->item);
        cli_table_add(&tt->effects, e->category);
        cli_table_add(&tt->effects, e->qty);
        cli_table_add(&tt->effects, e->value);
        cli_table_add(&tt->effects, e->pending_in);
        cli_table_add(&tt->effects, e->pending_out);
        cli_table_add(&tt->effects, e->scrap_generated);
        cli_table_add(&tt->effects, e->scrap_used);
    }
    if (c->json) {
        json_t *o = json_object();
        cli_json_put(o, "seq", cli_json_u64(je->seq), ok);
        cli_json_put(o, "type", cli_json_str(cli_entry_type_name(je->type)), ok);
        cli_json_put(o, "reason", cli_json_str(je->reason), ok);
        cli_json_put(o, "effects", effects, ok);
        cli_json_put(o, "uid", json_integer(je->uid), ok);
        cli_json_put(o, "role", cli_json_str(cli_role_name(je->role)), ok);
        cli_json_put(o, "time", cli_json_str(when), ok);
        cli_json_put(o, "time_ms", json_integer(je->time_ms), ok);
        cli_json_push(entries, o, ok);
    }
}

/* The header line, then the declared lines, the history and the effects, each under a title. */
static int
declaration_text(const Bzl__V1__DeclarationInfo *info, const decl_tables *tt)
{
    const Bzl__V1__Declaration *d = info->declaration;
    if (d != NULL) {
        printf("declaration %s of %s on book %s: %s %s (%s %s), trade mode %s, dated %s\n", d->id,
               d->enterprise, d->book, info->state, info->flow, cli_kind_name(d->kind),
               d->direction == BZL__V1__DIRECTION__DIRECTION_IN ? "in" : "out", d->trade_mode,
               d->date);
        if (d->related_book[0] != '\0' || d->related_id[0] != '\0') {
            printf("counterpart %s on book %s\n", d->related_id, d->related_book);
        }
    }
    const char *const titles[] = {"declared lines", "history", "effects", "list fields (核注清单)"};
    const cli_table *tables[] = {&tt->lines, &tt->history, &tt->effects, &tt->fields};
    size_t shown = BZL_ARRAY_LEN(tables) - (tt->fields.n_cells == 0);
    bzl_status st = BZL_OK;
    for (size_t i = 0; i < shown && st == BZL_OK; i++) {
        printf("\n%s\n", titles[i]);
        st = cli_table_print(tables[i]);
    }
    if (st == BZL_OK) {
        st = cli_receipt_customs_text(info); /* cmd_receipt.c */
    }
    if (st != BZL_OK) {
        fputs("bzl: NO_MEMORY: cannot build the output\n", stderr);
        return CLI_EXIT_TRANSPORT;
    }
    return CLI_EXIT_OK;
}

/* {"id", "enterprise", "book", "trade_mode", "date", "state", "flow", "kind", "direction",
 * "related_book", "related_id"}: the header as JSON (lines and entries are added after). */
static json_t *
declaration_head_json(const Bzl__V1__DeclarationInfo *info, bool *ok)
{
    const Bzl__V1__Declaration *d = info->declaration;
    json_t *doc = json_object();
    cli_json_put(doc, "id", cli_json_str(d != NULL ? d->id : ""), ok);
    cli_json_put(doc, "enterprise", cli_json_str(d != NULL ? d->enterprise : ""), ok);
    cli_json_put(doc, "book", cli_json_str(d != NULL ? d->book : ""), ok);
    cli_json_put(doc, "trade_mode", cli_json_str(d != NULL ? d->trade_mode : ""), ok);
    cli_json_put(doc, "date", cli_json_str(d != NULL ? d->date : ""), ok);
    cli_json_put(doc, "state", cli_json_str(info->state), ok);
    cli_json_put(doc, "flow", cli_json_str(info->flow), ok);
    cli_json_put(doc, "kind", cli_json_str(d != NULL ? cli_kind_name(d->kind) : ""), ok);
    cli_json_put(doc, "direction",
                 cli_json_str(d == NULL                                          ? ""
                              : d->direction == BZL__V1__DIRECTION__DIRECTION_IN ? "in"
                                                                                 : "out"),
                 ok);
    cli_json_put(doc, "related_book", cli_json_str(d != NULL ? d->related_book : ""), ok);
    cli_json_put(doc, "related_id", cli_json_str(d != NULL ? d->related_id : ""), ok);
    cli_receipt_customs_json(info, doc, ok); /* cmd_receipt.c */
    return doc;
}

static int
declaration_print(const cli *c, const Bzl__V1__Response *resp)
{
    const Bzl__V1__DeclarationInfo *info = resp->declaration;
    decl_tables tt;
    bool ok = true;
    int rc = CLI_EXIT_OK;
    cli_table_init(&tt.lines, line_cols, BZL_ARRAY_LEN(line_cols));
    cli_table_init(&tt.history, history_entry_cols, BZL_ARRAY_LEN(history_entry_cols));
    cli_table_init(&tt.effects, effect_cols, BZL_ARRAY_LEN(effect_cols));
    cli_table_init(&tt.fields, field_cols, BZL_ARRAY_LEN(field_cols));
    json_t *doc = c->json ? declaration_head_json(info, &ok) : NULL;
    json_t *entries = c->json ? json_array() : NULL;
    const Bzl__V1__Declaration *d = info->declaration;
    json_t *head_fields =
        d != NULL ? list_field_rows(c, 0, d->list_fields, d->n_list_fields, &tt.fields, &ok) : NULL;
    json_t *lines = line_rows(c, info->declaration, &tt, &ok);
    for (size_t i = 0; i < info->n_entries; i++) {
        entry_rows(c, info->entries[i], &tt, entries, &ok);
    }
    if (c->json) {
        cli_json_put(doc, "lines", lines, &ok);
        cli_json_put(doc, "entries", entries, &ok);
        cli_json_put(doc, "list_fields", head_fields != NULL ? head_fields : json_object(), &ok);
        rc = cli_emit(c, NULL, doc, ok);
    } else {
        rc = declaration_text(info, &tt);
    }
    json_decref(doc);
    cli_table_deinit(&tt.fields);
    cli_table_deinit(&tt.effects);
    cli_table_deinit(&tt.history);
    cli_table_deinit(&tt.lines);
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
    bool csv = false;
    const cli_ledger_opt specs[] = {{"enterprise", &body.enterprise, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_UNMATCHED_TRANSFERS;
    req.unmatched_transfers = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_TRANSFERS,
                          transfer_cols, BZL_ARRAY_LEN(transfer_cols), transfers_page, csv);
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
    bool csv = false;
    const cli_ledger_opt specs[] = {{"book", &body.book, true}, {"item", &item, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    cli_ledger_item(cmd, item, "item", &body.item, &rc);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SCRAP;
    req.scrap = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_SCRAP, scrap_cols,
                          BZL_ARRAY_LEN(scrap_cols), scrap_page, csv);
}
