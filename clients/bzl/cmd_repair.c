/* cmd_repair.c — bzl workorder open | complete | list | show and bzl repair overdue: the work
 * orders and disposal limits of a bonded repair book (docs/LEDGER.md "Bonded repair"); bzl
 * delivery record and bzl transfers report: deep-processing transfer deliveries (docs/LEDGER.md
 * "Transfers"). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Options of the repair commands; each reads the ones it names. */
typedef struct repair_args {
    char *book;
    char *item;
    char *origin;
    char *date;
    char *workorder;
    char *as_of;
    char *counterpart;
    char *kind;
    char *qty;
    bool is_return;
    bool repaired;
    bool unrepairable;
    bool csv;
    /* --materials and --parts: every ITEM=QTY given, over any number of options */
    Bzl__V1__WorkOrderLine mats[BZL_WO_LINES_MAX];
    Bzl__V1__WorkOrderLine parts[BZL_WO_LINES_MAX];
    Bzl__V1__WorkOrderLine *mat_ptrs[BZL_WO_LINES_MAX];
    Bzl__V1__WorkOrderLine *part_ptrs[BZL_WO_LINES_MAX];
    size_t n_mats;
    size_t n_parts;
} repair_args;

enum {
    OPT_BOOK = 0x400,
    OPT_ITEM,
    OPT_ORIGIN,
    OPT_DATE,
    OPT_WORKORDER,
    OPT_AS_OF,
    OPT_REPAIRED,
    OPT_UNREPAIRABLE,
    OPT_MATERIALS,
    OPT_PARTS,
    OPT_CSV,
    OPT_COUNTERPART,
    OPT_KIND,
    OPT_QTY,
    OPT_RETURN,
};

/* Adds every ITEM=QTY of text (separated by commas or spaces) to lines; false with a usage
 * error printed when one is malformed or there are too many. */
static bool
add_lines(const cli_cmd *cmd, const char *opt, char *text, Bzl__V1__WorkOrderLine *lines,
          Bzl__V1__WorkOrderLine **ptrs, size_t *n)
{
    char *save = NULL;
    for (char *tok = strtok_r(text, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
        char *eq = strchr(tok, '=');
        uint32_t item = 0;
        if (eq != NULL) {
            *eq = '\0';
        }
        if (eq == NULL || eq[1] == '\0' || !cli_parse_u32(tok, 1, BZL_ITEM_NO_MAX, &item)) {
            cli_usage_error(cmd, "--%s takes ITEM=QTY (e.g. 2=1.5), not '%s'", opt, tok);
            return false;
        }
        if (*n == BZL_WO_LINES_MAX) {
            cli_usage_error(cmd, "--%s: at most %u lines", opt, BZL_WO_LINES_MAX);
            return false;
        }
        bzl__v1__work_order_line__init(&lines[*n]);
        lines[*n].item = item;
        lines[*n].qty = eq + 1;
        ptrs[*n] = &lines[*n];
        (*n)++;
    }
    return true;
}

static int
repair_opts(cli *c, const cli_cmd *cmd, int argc, char **argv, repair_args *a)
{
    static const struct option opts[] = {
        {"book", required_argument, NULL, OPT_BOOK},
        {"item", required_argument, NULL, OPT_ITEM},
        {"origin", required_argument, NULL, OPT_ORIGIN},
        {"date", required_argument, NULL, OPT_DATE},
        {"workorder", required_argument, NULL, OPT_WORKORDER},
        {"as-of", required_argument, NULL, OPT_AS_OF},
        {"repaired", no_argument, NULL, OPT_REPAIRED},
        {"unrepairable", no_argument, NULL, OPT_UNREPAIRABLE},
        {"materials", required_argument, NULL, OPT_MATERIALS},
        {"parts", required_argument, NULL, OPT_PARTS},
        {"csv", no_argument, NULL, OPT_CSV},
        {"counterpart-book", required_argument, NULL, OPT_COUNTERPART},
        {"counterpart", required_argument, NULL, OPT_COUNTERPART},
        {"kind", required_argument, NULL, OPT_KIND},
        {"qty", required_argument, NULL, OPT_QTY},
        {"return", no_argument, NULL, OPT_RETURN},
        CLI_COMMON_OPTIONS};
    int rc = CLI_GO_ON;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while (rc == CLI_GO_ON && (opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        switch (opt) {
        case OPT_BOOK:
            a->book = optarg;
            break;
        case OPT_ITEM:
            a->item = optarg;
            break;
        case OPT_ORIGIN:
            a->origin = optarg;
            break;
        case OPT_DATE:
            a->date = optarg;
            break;
        case OPT_WORKORDER:
            a->workorder = optarg;
            break;
        case OPT_AS_OF:
            a->as_of = optarg;
            break;
        case OPT_REPAIRED:
            a->repaired = true;
            break;
        case OPT_UNREPAIRABLE:
            a->unrepairable = true;
            break;
        case OPT_MATERIALS:
            rc = add_lines(cmd, "materials", optarg, a->mats, a->mat_ptrs, &a->n_mats)
                     ? CLI_GO_ON
                     : CLI_EXIT_USAGE;
            break;
        case OPT_PARTS:
            rc = add_lines(cmd, "parts", optarg, a->parts, a->part_ptrs, &a->n_parts)
                     ? CLI_GO_ON
                     : CLI_EXIT_USAGE;
            break;
        case OPT_CSV:
            a->csv = true;
            break;
        case OPT_COUNTERPART:
            a->counterpart = optarg;
            break;
        case OPT_KIND:
            a->kind = optarg;
            break;
        case OPT_QTY:
            a->qty = optarg;
            break;
        case OPT_RETURN:
            a->is_return = true;
            break;
        default:
            break;
        }
    }
    return cli_opts_end(cmd, argc, argv, opt, stop, rc);
}

/* A required option; a usage error when it is missing. */
static bool
need(const cli_cmd *cmd, const char *value, const char *name)
{
    if (value == NULL || value[0] == '\0') {
        cli_usage_error(cmd, "--%s is required", name);
        return false;
    }
    return true;
}

static bool
number(const cli_cmd *cmd, const char *value, const char *name, uint32_t *out)
{
    if (!cli_parse_u32(value, 1, BZL_ITEM_NO_MAX, out)) {
        cli_usage_error(cmd, "--%s must be a positive number, not '%s'", name, value);
        return false;
    }
    return true;
}

int
cli_workorder_open(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__OpenWorkOrder body = BZL__V1__OPEN_WORK_ORDER__INIT;
    if (!need(cmd, a.book, "book") || !need(cmd, a.item, "item") ||
        !need(cmd, a.origin, "origin") || !need(cmd, a.date, "date") ||
        !number(cmd, a.item, "item", &body.item)) {
        return CLI_EXIT_USAGE;
    }
    body.book = a.book;
    body.origin = a.origin;
    body.date = a.date;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_WORKORDER;
    req.open_workorder = &body;
    return cli_table_call(c, &req, a.csv);
}

int
cli_workorder_complete(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__CompleteWorkOrder body = BZL__V1__COMPLETE_WORK_ORDER__INIT;
    if (!need(cmd, a.book, "book") || !need(cmd, a.workorder, "workorder") ||
        !need(cmd, a.date, "date") || !number(cmd, a.workorder, "workorder", &body.workorder)) {
        return CLI_EXIT_USAGE;
    }
    if (a.repaired == a.unrepairable) {
        return cli_usage_error(cmd, "give exactly one of --repaired and --unrepairable");
    }
    body.book = a.book;
    body.date = a.date;
    body.unrepairable = a.unrepairable;
    body.materials = a.mat_ptrs;
    body.n_materials = a.n_mats;
    body.parts = a.part_ptrs;
    body.n_parts = a.n_parts;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_COMPLETE_WORKORDER;
    req.complete_workorder = &body;
    return cli_table_call(c, &req, a.csv);
}

int
cli_workorder_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    if (!need(cmd, a.book, "book")) {
        return CLI_EXIT_USAGE;
    }
    Bzl__V1__ListWorkOrders body = BZL__V1__LIST_WORK_ORDERS__INIT;
    body.book = a.book;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_WORKORDERS;
    req.list_workorders = &body;
    return cli_table_pages(c, &req, &body.page_token, "work order pages", a.csv);
}

int
cli_workorder_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__ListWorkOrders body = BZL__V1__LIST_WORK_ORDERS__INIT;
    if (!need(cmd, a.book, "book") || !need(cmd, a.workorder, "workorder") ||
        !number(cmd, a.workorder, "workorder", &body.workorder)) {
        return CLI_EXIT_USAGE;
    }
    body.book = a.book;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_WORKORDERS;
    req.list_workorders = &body;
    return cli_table_call(c, &req, a.csv);
}

int
cli_repair_overdue(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__RepairOverdue body = BZL__V1__REPAIR_OVERDUE__INIT;
    body.book = a.book != NULL ? a.book : "";
    body.as_of = a.as_of != NULL ? a.as_of : "";
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REPAIR_OVERDUE;
    req.repair_overdue = &body;
    return cli_table_call(c, &req, a.csv);
}

int
cli_delivery_record(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__RecordDelivery body = BZL__V1__RECORD_DELIVERY__INIT;
    if (!need(cmd, a.book, "book") || !need(cmd, a.counterpart, "counterpart-book") ||
        !need(cmd, a.kind, "kind") || !need(cmd, a.item, "item") || !need(cmd, a.qty, "qty") ||
        !need(cmd, a.date, "date") || !number(cmd, a.item, "item", &body.item)) {
        return CLI_EXIT_USAGE;
    }
    if (!cli_kind_parse(a.kind, &body.kind)) {
        return cli_usage_error(cmd, "--kind must be product (delivered) or material (received)");
    }
    body.book = a.book;
    body.counterpart_book = a.counterpart;
    body.qty = a.qty;
    body.date = a.date;
    body.is_return = a.is_return;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_RECORD_DELIVERY;
    req.record_delivery = &body;
    return cli_table_call(c, &req, a.csv);
}

int
cli_transfers_report(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    repair_args a = {0};
    int rc = repair_opts(c, cmd, argc, argv, &a);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__TransfersReport body = BZL__V1__TRANSFERS_REPORT__INIT;
    body.counterpart = a.counterpart != NULL ? a.counterpart : "";
    body.as_of = a.as_of != NULL ? a.as_of : "";
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_TRANSFERS_REPORT;
    req.transfers_report = &body;
    return cli_table_call(c, &req, a.csv);
}
