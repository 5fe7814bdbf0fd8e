/* cmd_balance.c — bzl balance: a book's balances per item, every page of them. */
#include "cli.h"

static const cli_column balance_cols[] = {
    {"BOOK", false}, {"KIND", false},      {"ITEM", true},        {"QTY", true},
    {"VALUE", true}, {"PENDING_IN", true}, {"PENDING_OUT", true}, {"AVAILABLE", true},
};

/* One balance as a table row or as {"book", "kind", "item", "qty", "value", "pending_in",
 * "pending_out", "available"}: decimals stay the daemon's exact strings. */
static void
balance_add(const cli *c, const Bzl__V1__Balance *b, cli_table *t, json_t *arr, bool *ok)
{
    if (c->json) {
        json_t *obj = json_object();
        cli_json_put(obj, "book", cli_json_str(b->book), ok);
        cli_json_put(obj, "kind", cli_json_str(cli_kind_name(b->kind)), ok);
        cli_json_put(obj, "item", json_integer(b->item), ok);
        cli_json_put(obj, "qty", cli_json_str(b->qty), ok);
        cli_json_put(obj, "value", cli_json_str(b->value), ok);
        cli_json_put(obj, "pending_in", cli_json_str(b->pending_in), ok);
        cli_json_put(obj, "pending_out", cli_json_str(b->pending_out), ok);
        cli_json_put(obj, "available", cli_json_str(b->available), ok);
        cli_json_push(arr, obj, ok);
    } else {
        cli_table_add(t, b->book);
        cli_table_add(t, cli_kind_name(b->kind));
        cli_table_addf(t, "%u", (unsigned)b->item);
        cli_table_add(t, b->qty);
        cli_table_add(t, b->value);
        cli_table_add(t, b->pending_in);
        cli_table_add(t, b->pending_out);
        cli_table_add(t, b->available);
    }
}

/* Reads balance's options into q. Returns CLI_GO_ON or the exit status to stop with. */
static int
balance_options(cli *c, const cli_cmd *cmd, int argc, char **argv, Bzl__V1__QueryBalances *q)
{
    enum { OPT_BOOK = 'b', OPT_KIND = 'k', OPT_ITEM = 'i' };
    static const struct option opts[] = {{"book", required_argument, NULL, OPT_BOOK},
                                         {"kind", required_argument, NULL, OPT_KIND},
                                         {"item", required_argument, NULL, OPT_ITEM},
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
balance_pages(cli *c, Bzl__V1__QueryBalances *q, cli_table *t, json_t *arr, bool *ok)
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
            balance_add(c, list->balances[i], t, arr, ok);
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
    cli_table t;
    json_t *arr = NULL;
    bool ok = true;
    cli_table_init(&t, balance_cols, BZL_ARRAY_LEN(balance_cols));
    int rc = balance_options(c, cmd, argc, argv, &q);
    if (rc != CLI_GO_ON) {
        goto done;
    }
    arr = c->json ? json_array() : NULL;
    ok = !c->json || arr != NULL;
    rc = balance_pages(c, &q, &t, arr, &ok);
    if (rc == CLI_EXIT_OK) {
        rc = cli_emit(c, &t, arr, ok);
    }
done:
    json_decref(arr);
    cli_table_deinit(&t);
    return rc;
}
