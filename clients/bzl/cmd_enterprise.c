/* cmd_enterprise.c — bzl enterprise add | list | show: register, page through, show one. */
#include "cli.h"

static const cli_column enterprise_cols[] = {
    {"CODE", false},
    {"USCC", false},
    {"NAME", false},
    {"AREA", false},
};

static void
enterprise_row(cli_table *t, const Bzl__V1__Enterprise *e)
{
    cli_table_add(t, e->code);
    cli_table_add(t, e->uscc);
    cli_table_add(t, e->name);
    cli_table_add(t, e->area);
}

/* {"code", "uscc", "name", "area"}, or NULL with *ok cleared. */
static json_t *
enterprise_json(const Bzl__V1__Enterprise *e, bool *ok)
{
    json_t *obj = json_object();
    cli_json_put(obj, "code", cli_json_str(e->code), ok);
    cli_json_put(obj, "uscc", cli_json_str(e->uscc), ok);
    cli_json_put(obj, "name", cli_json_str(e->name), ok);
    cli_json_put(obj, "area", cli_json_str(e->area), ok);
    if (!*ok) {
        json_decref(obj);
        obj = NULL;
    }
    return obj;
}

/* Prints one enterprise as a one-row table or a JSON object. */
static int
enterprise_print(const cli *c, const Bzl__V1__Enterprise *e)
{
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    cli_table_init(&t, enterprise_cols, BZL_ARRAY_LEN(enterprise_cols));
    if (c->json) {
        doc = enterprise_json(e, &ok);
    } else {
        enterprise_row(&t, e);
    }
    int rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}

int
cli_enterprise_add(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    enum { OPT_ID = 'i', OPT_USCC = 'u', OPT_NAME = 'n', OPT_AREA = 'a' };
    static const struct option opts[] = {{"id", required_argument, NULL, OPT_ID},
                                         {"uscc", required_argument, NULL, OPT_USCC},
                                         {"name", required_argument, NULL, OPT_NAME},
                                         {"area", required_argument, NULL, OPT_AREA},
                                         CLI_COMMON_OPTIONS};
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__RegisterEnterprise body = BZL__V1__REGISTER_ENTERPRISE__INIT;
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    Bzl__V1__Response *resp = NULL;
    int rc = CLI_EXIT_OK;
    int opt;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &rc)) >= 0) {
        if (opt == OPT_ID) {
            e.code = optarg;
        } else if (opt == OPT_USCC) {
            e.uscc = optarg;
        } else if (opt == OPT_NAME) {
            e.name = optarg;
        } else if (opt == OPT_AREA) {
            e.area = optarg;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        goto done;
    }
    if (optind < argc) {
        rc = cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
        goto done;
    }
    if (e.code[0] == '\0' || e.uscc[0] == '\0' || e.name[0] == '\0') {
        rc = cli_usage_error(cmd, "--id, --uscc and --name are required");
        goto done;
    }
    body.enterprise = &e;
    req.body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    req.register_enterprise = &body;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT__NOT_SET, &resp);
    if (rc != CLI_EXIT_OK) {
        goto done;
    }
    /* Show the record as the daemon kept it when it sends one back, else what was sent. */
    rc = enterprise_print(
        c, resp->result_case == BZL__V1__RESPONSE__RESULT_ENTERPRISE ? resp->enterprise : &e);
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

int
cli_enterprise_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__GetEnterprise body = BZL__V1__GET_ENTERPRISE__INIT;
    int rc = cli_one_arg(c, cmd, argc, argv, "expected exactly one enterprise CODE", &body.code);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_ENTERPRISE;
    req.get_enterprise = &body;
    Bzl__V1__Response *resp = NULL;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_ENTERPRISE, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = enterprise_print(c, resp->enterprise);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* Adds one page to the table or the JSON array. */
static void
enterprise_page_add(const cli *c, const Bzl__V1__EnterpriseList *list, cli_table *t, json_t *arr,
                    bool *ok)
{
    for (size_t i = 0; i < list->n_enterprises; i++) {
        if (c->json) {
            cli_json_push(arr, enterprise_json(list->enterprises[i], ok), ok);
        } else {
            enterprise_row(t, list->enterprises[i]);
        }
    }
}

/* Follows the daemon's pages, each asking with the token the previous one gave; at most
 * CLI_PAGES_MAX of them (cli_pager_next refuses a token that repeats, and a listing that does
 * not end). */
static int
enterprise_pages(cli *c, cli_table *t, json_t *arr, bool *ok)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__ListEnterprises body = BZL__V1__LIST_ENTERPRISES__INIT;
    cli_pager pg;
    int rc = CLI_EXIT_OK;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_ENTERPRISES;
    req.list_enterprises = &body;
    cli_pager_init(&pg, "enterprise pages");
    while (rc == CLI_EXIT_OK && pg.more) {
        Bzl__V1__Response *resp = NULL;
        body.page_token = pg.token;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_ENTERPRISES, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        enterprise_page_add(c, resp->enterprises, t, arr, ok);
        rc = cli_pager_next(&pg, resp->enterprises->next_page_token);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* Prints t as CSV: the headers in lower case, then each row (cli_csv_cell quotes and guards). */
static int
table_csv_print(const cli_table *t)
{
    if (t->failed) {
        fputs("bzl: out of memory building the output\n", stderr);
        return CLI_EXIT_TRANSPORT;
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        char key[32];
        size_t k = 0;
        for (const char *h = t->cols[i].header; *h != '\0' && k + 1 < sizeof key; h++) {
            key[k++] = (char)(*h >= 'A' && *h <= 'Z' ? *h - 'A' + 'a' : *h);
        }
        key[k] = '\0';
        cli_csv_cell(key, i + 1 == t->n_cols);
    }
    for (size_t i = 0; i < t->n_cells; i++) {
        cli_csv_cell(t->cells[i], (i + 1) % t->n_cols == 0);
    }
    return CLI_EXIT_OK;
}

int
cli_enterprise_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    cli_table t;
    json_t *arr = NULL;
    bool ok = true;
    bool csv = false;
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    cli_table_init(&t, enterprise_cols, BZL_ARRAY_LEN(enterprise_cols));
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, NULL, 0, flags, BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        goto done;
    }
    /* --csv builds the table whatever --json says, as every listing's --csv does. */
    cli view = *c;
    view.json = c->json && !csv;
    arr = view.json ? json_array() : NULL;
    ok = !view.json || arr != NULL;
    rc = enterprise_pages(&view, &t, arr, &ok);
    c->client = view.client;
    if (rc == CLI_EXIT_OK) {
        rc = csv ? table_csv_print(&t) : cli_emit(&view, &t, arr, ok);
    }
done:
    json_decref(arr);
    cli_table_deinit(&t);
    return rc;
}
