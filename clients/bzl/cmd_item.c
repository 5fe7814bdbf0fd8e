/* cmd_item.c — bzl item add | show | list: record a book's material or product item, show one,
 * list a book's. */
#include "cli.h"

enum {
    OPT_BOOK = 'b',
    OPT_KIND = 'k',
    OPT_SEQ = 's',
    OPT_HS = 'H',
    OPT_NAME = 'n',
    OPT_UNIT = 'u',
    OPT_MODE = 'm',
};

static const struct option add_opts[] = {
    {"book", required_argument, NULL, OPT_BOOK}, {"kind", required_argument, NULL, OPT_KIND},
    {"seq", required_argument, NULL, OPT_SEQ},   {"hs", required_argument, NULL, OPT_HS},
    {"name", required_argument, NULL, OPT_NAME}, {"unit", required_argument, NULL, OPT_UNIT},
    {"mode", required_argument, NULL, OPT_MODE}, CLI_COMMON_OPTIONS};

static const struct option show_opts[] = {{"book", required_argument, NULL, OPT_BOOK},
                                          {"kind", required_argument, NULL, OPT_KIND},
                                          {"seq", required_argument, NULL, OPT_SEQ},
                                          CLI_COMMON_OPTIONS};

static const cli_column item_cols[] = {
    {"BOOK", false}, {"KIND", false}, {"ITEM", true},  {"HS", false},
    {"NAME", false}, {"UNIT", false}, {"MODE", false},
};

/* Prints one item as a one-row table or as {"book", "kind", "item", "hs", "name", "unit",
 * "mode"} where mode is null for none. */
static int
item_print(const cli *c, const Bzl__V1__Item *it)
{
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    const char *mode = cli_mode_name(it->mode);
    cli_table_init(&t, item_cols, BZL_ARRAY_LEN(item_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "book", cli_json_str(it->book), &ok);
        cli_json_put(doc, "kind", cli_json_str(cli_kind_name(it->kind)), &ok);
        cli_json_put(doc, "item", json_integer(it->item), &ok);
        cli_json_put(doc, "hs", cli_json_str(it->hs), &ok);
        cli_json_put(doc, "name", cli_json_str(it->name), &ok);
        cli_json_put(doc, "unit", cli_json_str(it->unit), &ok);
        cli_json_put(doc, "mode", mode[0] != '\0' ? cli_json_str(mode) : json_null(), &ok);
    } else {
        cli_table_add(&t, it->book);
        cli_table_add(&t, cli_kind_name(it->kind));
        cli_table_addf(&t, "%u", (unsigned)it->item);
        cli_table_add(&t, it->hs);
        cli_table_add(&t, it->name);
        cli_table_add(&t, it->unit);
        cli_table_add(&t, mode);
    }
    int rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}

/* Stores one option into it; returns CLI_GO_ON or a usage error's status. */
static int
item_option(const cli_cmd *cmd, int opt, Bzl__V1__Item *it)
{
    int rc = CLI_GO_ON;
    if (opt == OPT_BOOK) {
        it->book = optarg;
    } else if (opt == OPT_KIND && !cli_kind_parse(optarg, &it->kind)) {
        rc = cli_usage_error(cmd, "--kind must be material or product, not '%s'", optarg);
    } else if (opt == OPT_SEQ && !cli_parse_u32(optarg, 1, BZL_ITEM_NO_MAX, &it->item)) {
        rc = cli_usage_error(cmd, "--seq must be an item number from 1 to %u, not '%s'",
                             BZL_ITEM_NO_MAX, optarg);
    } else if (opt == OPT_HS) {
        it->hs = optarg;
    } else if (opt == OPT_NAME) {
        it->name = optarg;
    } else if (opt == OPT_UNIT) {
        it->unit = optarg;
    } else if (opt == OPT_MODE && !cli_mode_parse(optarg, &it->mode)) {
        rc = cli_usage_error(cmd, "--mode must be OEM, ODM or OBM, not '%s'", optarg);
    }
    return rc;
}

/* Reads the options of item add (full) or item show into it. Returns CLI_GO_ON or the exit
 * status to stop with. */
static int
item_options(cli *c, const cli_cmd *cmd, int argc, char **argv, bool full, Bzl__V1__Item *it)
{
    int rc = CLI_GO_ON;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while (rc == CLI_GO_ON &&
           (opt = cli_next_opt(c, cmd, argc, argv, full ? add_opts : show_opts, &stop)) >= 0) {
        rc = item_option(cmd, opt, it);
    }
    rc = cli_opts_end(cmd, argc, argv, opt, stop, rc);
    if (rc == CLI_GO_ON &&
        (it->book[0] == '\0' || it->kind == BZL__V1__KIND__KIND_UNSPECIFIED || it->item == 0)) {
        rc = cli_usage_error(cmd, "--book, --kind and --seq are required");
    }
    if (rc == CLI_GO_ON && full &&
        (it->hs[0] == '\0' || it->name[0] == '\0' || it->unit[0] == '\0')) {
        rc = cli_usage_error(cmd, "--hs, --name and --unit are required");
    }
    if (rc == CLI_GO_ON && it->mode != BZL__V1__BIZ_MODE__BIZ_MODE_NONE &&
        it->kind != BZL__V1__KIND__KIND_PRODUCT) {
        rc = cli_usage_error(cmd, "--mode applies to product items only");
    }
    return rc;
}

int
cli_item_add(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__AddItem body = BZL__V1__ADD_ITEM__INIT;
    Bzl__V1__Item it = BZL__V1__ITEM__INIT;
    Bzl__V1__Response *resp = NULL;
    int rc = item_options(c, cmd, argc, argv, true, &it);
    if (rc != CLI_GO_ON) {
        goto done;
    }
    body.item = &it;
    req.body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    req.add_item = &body;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT__NOT_SET, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = item_print(c, resp->result_case == BZL__V1__RESPONSE__RESULT_ITEM ? resp->item : &it);
    }
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

int
cli_item_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__GetItem body = BZL__V1__GET_ITEM__INIT;
    Bzl__V1__Item it = BZL__V1__ITEM__INIT;
    Bzl__V1__Response *resp = NULL;
    int rc = item_options(c, cmd, argc, argv, false, &it);
    if (rc != CLI_GO_ON) {
        goto done;
    }
    body.book = it.book;
    body.kind = it.kind;
    body.item = it.item;
    req.body_case = BZL__V1__REQUEST__BODY_GET_ITEM;
    req.get_item = &body;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_ITEM, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = item_print(c, resp->item);
    }
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* item list: the columns of item show but the book, which the command names. */
static const cli_column item_list_cols[] = {
    {"KIND", false}, {"ITEM", true},  {"HS", false},
    {"NAME", false}, {"UNIT", false}, {"MODE", false},
};

/* One page of items; JSON adds "book" first, and mode is null for none, as item show has it. */
static const char *
items_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__ItemList *list = resp->items;
    for (size_t i = 0; i < list->n_items; i++) {
        const Bzl__V1__Item *it = list->items[i];
        const char *mode = cli_mode_name(it->mode);
        cli_page_row_begin(p);
        if (p->c->json) {
            cli_json_put(p->row, "book", cli_json_str(it->book), &p->ok);
        }
        cli_page_text(p, "kind", cli_kind_name(it->kind));
        cli_page_u32(p, "item", it->item);
        cli_page_text(p, "hs", it->hs);
        cli_page_text(p, "name", it->name);
        cli_page_text(p, "unit", it->unit);
        if (p->c->json) {
            cli_json_put(p->row, "mode", mode[0] != '\0' ? cli_json_str(mode) : json_null(),
                         &p->ok);
        } else {
            cli_page_text(p, "mode", mode);
        }
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_item_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListItems body = BZL__V1__LIST_ITEMS__INIT;
    char *kind = "";
    bool csv = false;
    const cli_ledger_opt specs[] = {{"book", &body.book, true}, {"kind", &kind, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc == CLI_GO_ON && kind[0] != '\0' && !cli_kind_parse(kind, &body.kind)) {
        rc = cli_usage_error(cmd, "--kind must be material or product, not '%s'", kind);
    }
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_ITEMS;
    req.list_items = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_ITEMS,
                          item_list_cols, BZL_ARRAY_LEN(item_list_cols), items_page, csv);
}
