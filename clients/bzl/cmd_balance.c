/* cmd_balance.c — bzl balance: a book's balances per item, every page of them, with each item's
 * name and unit and its value per currency (a value is never summed across currencies). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* An item holding value in several currencies takes one line per currency: in the table its
 * other columns are on the first line only, in CSV on every line, so each line stands alone. */
static const cli_column balance_cols[] = {
    {"BOOK", false},      {"KIND", false},       {"ITEM", true},      {"NAME", false},
    {"UNIT", false},      {"QTY", true},         {"VALUE", true},     {"CURRENCY", false},
    {"PENDING_IN", true}, {"PENDING_OUT", true}, {"AVAILABLE", true},
};

/* The book's items, in the daemon's (kind, item) order, for their names and units. */
typedef struct item_names {
    Bzl__V1__Item *items; /* copies; name and unit owned */
    size_t n;
    size_t cap;
    bool failed;
} item_names;

static void
item_names_free(item_names *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].name);
        free(m->items[i].unit);
    }
    free(m->items);
}

static void
item_names_add(item_names *m, const Bzl__V1__Item *it)
{
    if (m->failed) {
        return;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap == 0 ? 64 : m->cap * 2;
        Bzl__V1__Item *grown = realloc(m->items, cap * sizeof *grown);
        if (grown == NULL) {
            m->failed = true;
            return;
        }
        m->items = grown;
        m->cap = cap;
    }
    Bzl__V1__Item *x = &m->items[m->n];
    bzl__v1__item__init(x);
    x->kind = it->kind;
    x->item = it->item;
    x->name = strdup(it->name);
    x->unit = strdup(it->unit);
    m->failed = x->name == NULL || x->unit == NULL;
    m->n++;
}

static int
item_cmp(const void *key, const void *elem)
{
    const Bzl__V1__Item *a = key;
    const Bzl__V1__Item *b = elem;
    if (a->kind != b->kind) {
        return a->kind < b->kind ? -1 : 1;
    }
    return a->item < b->item ? -1 : a->item > b->item;
}

/* The name and unit of (kind, item); "" for an item the listing did not give (one added since). */
static const Bzl__V1__Item *
item_names_find(const item_names *m, Bzl__V1__Kind kind, uint32_t item)
{
    Bzl__V1__Item key = BZL__V1__ITEM__INIT;
    key.kind = kind;
    key.item = item;
    return m->n > 0 ? bsearch(&key, m->items, m->n, sizeof *m->items, item_cmp) : NULL;
}

/* Reads every page of the book's items (of kind, unless KIND_UNSPECIFIED) into m. */
static int
item_names_read(cli *c, const char *book, Bzl__V1__Kind kind, item_names *m)
{
    Bzl__V1__ListItems body = BZL__V1__LIST_ITEMS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    body.book = (char *)book;
    body.kind = kind;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_ITEMS;
    req.list_items = &body;
    cli_pager pg;
    cli_pager_init(&pg, "item pages");
    int rc = CLI_EXIT_OK;
    while (rc == CLI_EXIT_OK && pg.more) {
        Bzl__V1__Response *resp = NULL;
        body.page_token = pg.token;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_ITEMS, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        for (size_t i = 0; i < resp->items->n_items; i++) {
            item_names_add(m, resp->items->items[i]);
        }
        rc = cli_pager_next(&pg, resp->items->next_page_token);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    if (rc == CLI_EXIT_OK && m->failed) {
        fputs("bzl: NO_MEMORY: cannot hold the book's item names\n", stderr);
        rc = CLI_EXIT_TRANSPORT;
    }
    return rc;
}

/* One balance: JSON {"book", "kind", "item", "name", "unit", "qty", "values": [{"currency",
 * "value"}], "pending_in", "pending_out", "available"}, or one table (or CSV) line per currency
 * it holds (one line with value 0 and no currency when it holds none). Decimals stay the
 * daemon's exact strings. */
static void
balance_add(cli_page *p, const Bzl__V1__Balance *b, const item_names *names, bool csv)
{
    const Bzl__V1__Item *it = item_names_find(names, b->kind, b->item);
    if (p->c->json) {
        json_t *values = json_array();
        p->ok = p->ok && values != NULL;
        for (size_t i = 0; values != NULL && i < b->n_values; i++) {
            json_t *v = json_object();
            cli_json_put(v, "currency", cli_json_str(b->values[i]->currency), &p->ok);
            cli_json_put(v, "value", cli_json_str(b->values[i]->value), &p->ok);
            cli_json_push(values, v, &p->ok);
        }
        cli_page_row_begin(p);
        cli_page_text(p, "book", b->book);
        cli_page_text(p, "kind", cli_kind_name(b->kind));
        cli_page_u32(p, "item", b->item);
        cli_page_text(p, "name", it != NULL ? it->name : "");
        cli_page_text(p, "unit", it != NULL ? it->unit : "");
        cli_page_text(p, "qty", b->qty);
        cli_json_put(p->row, "values", values, &p->ok);
        cli_page_text(p, "pending_in", b->pending_in);
        cli_page_text(p, "pending_out", b->pending_out);
        cli_page_text(p, "available", b->available);
        cli_page_row_end(p);
        return;
    }
    size_t lines = b->n_values > 0 ? b->n_values : 1;
    for (size_t i = 0; i < lines; i++) {
        bool first = i == 0;
        cli_page_row_begin(p);
        cli_page_text(p, "book", csv || first ? b->book : "");
        cli_page_text(p, "kind", csv || first ? cli_kind_name(b->kind) : "");
        if (csv || first) {
            cli_page_u32(p, "item", b->item);
        } else {
            cli_page_text(p, "item", "");
        }
        cli_page_text(p, "name", (csv || first) && it != NULL ? it->name : "");
        cli_page_text(p, "unit", (csv || first) && it != NULL ? it->unit : "");
        cli_page_text(p, "qty", csv || first ? b->qty : "");
        cli_page_text(p, "value", b->n_values > 0 ? b->values[i]->value : "0");
        cli_page_text(p, "currency", b->n_values > 0 ? b->values[i]->currency : "");
        cli_page_text(p, "pending_in", csv || first ? b->pending_in : "");
        cli_page_text(p, "pending_out", csv || first ? b->pending_out : "");
        cli_page_text(p, "available", csv || first ? b->available : "");
        cli_page_row_end(p);
    }
}

/* Reads balance's options into q. Returns CLI_GO_ON or the exit status to stop with. */
static int
balance_options(cli *c, const cli_cmd *cmd, int argc, char **argv, Bzl__V1__QueryBalances *q,
                bool *csv)
{
    enum { OPT_BOOK = 'b', OPT_KIND = 'k', OPT_ITEM = 'i', OPT_CSV = 'c' };
    static const struct option opts[] = {{"book", required_argument, NULL, OPT_BOOK},
                                         {"kind", required_argument, NULL, OPT_KIND},
                                         {"item", required_argument, NULL, OPT_ITEM},
                                         {"csv", no_argument, NULL, OPT_CSV},
                                         CLI_COMMON_OPTIONS};
    int rc = CLI_GO_ON;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while (rc == CLI_GO_ON && (opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_BOOK) {
            q->book = optarg;
        } else if (opt == OPT_KIND && !cli_kind_parse(optarg, &q->kind)) {
            rc = cli_usage_error(cmd, "--kind must be material or product, not '%s'", optarg);
        } else if (opt == OPT_ITEM && !cli_parse_u32(optarg, 1, BZL_ITEM_NO_MAX, &q->item)) {
            rc = cli_usage_error(cmd, "--item must be an item number from 1 to %u, not '%s'",
                                 BZL_ITEM_NO_MAX, optarg);
        } else if (opt == OPT_CSV) {
            *csv = true;
        }
    }
    rc = cli_opts_end(cmd, argc, argv, opt, stop, rc);
    if (rc == CLI_GO_ON && q->book[0] == '\0') {
        rc = cli_usage_error(cmd, "--book is required");
    }
    return rc;
}

/* Follows the daemon's pages, each asking with the token the previous one gave; at most
 * CLI_PAGES_MAX of them (cli_pager_next refuses a token that repeats, and a listing that does
 * not end). */
static int
balance_pages(cli *c, Bzl__V1__QueryBalances *q, const item_names *names, cli_page *p, bool csv)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    cli_pager pg;
    int rc = CLI_EXIT_OK;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = q;
    cli_pager_init(&pg, "balance pages");
    while (rc == CLI_EXIT_OK && pg.more) {
        Bzl__V1__Response *resp = NULL;
        q->page_token = pg.token;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_BALANCES, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        const Bzl__V1__BalanceList *list = resp->balances;
        for (size_t i = 0; i < list->n_balances; i++) {
            balance_add(p, list->balances[i], names, csv);
        }
        rc = cli_pager_next(&pg, list->next_page_token);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

int
cli_balance(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__QueryBalances q = BZL__V1__QUERY_BALANCES__INIT;
    item_names names = {0};
    bool csv = false;
    int rc = balance_options(c, cmd, argc, argv, &q, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    /* The items first, for their names and units (an unknown book is refused here with the
     * daemon's own message); then the balances, gathered as a table for CSV whatever --json
     * says. */
    rc = item_names_read(c, q.book, q.kind, &names);
    if (rc == CLI_EXIT_OK) {
        const cli view = {.socket_path = c->socket_path, .json = c->json && !csv, .client = NULL};
        cli_page p;
        cli_page_begin(&p, &view, balance_cols, BZL_ARRAY_LEN(balance_cols));
        rc = balance_pages(c, &q, &names, &p, csv);
        if (rc != CLI_EXIT_OK) {
            cli_page_abort(&p);
        } else {
            rc = csv ? cli_page_csv_end(&p) : cli_page_end(&p);
        }
    }
    item_names_free(&names);
    return rc;
}
