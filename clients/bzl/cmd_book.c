/* cmd_book.c — bzl book open | show: open an enterprise's account book, show one. */
#include "cli.h"

static const cli_column book_cols[] = {
    {"BOOK", false},   {"ENTERPRISE", false}, {"VERIFY", false},
    {"STATUS", false}, {"PERIOD_DAYS", true},
};

/* Prints one book as a one-row table or as {"book", "enterprise", "verify", "status",
 * "period_days"}. */
static int
book_print(const cli *c, const Bzl__V1__Book *b)
{
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    cli_table_init(&t, book_cols, BZL_ARRAY_LEN(book_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "book", cli_json_str(b->book), &ok);
        cli_json_put(doc, "enterprise", cli_json_str(b->enterprise), &ok);
        cli_json_put(doc, "verify", cli_json_str(cli_verify_name(b->verify_mode)), &ok);
        cli_json_put(doc, "status", cli_json_str(cli_book_status_name(b->status)), &ok);
        cli_json_put(doc, "period_days", json_integer(b->period_days), &ok);
    } else {
        cli_table_add(&t, b->book);
        cli_table_add(&t, b->enterprise);
        cli_table_add(&t, cli_verify_name(b->verify_mode));
        cli_table_add(&t, cli_book_status_name(b->status));
        cli_table_addf(&t, "%u", (unsigned)b->period_days);
    }
    int rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}

/* Reads book open's options into b. Returns CLI_GO_ON, or the exit status to stop with. */
static int
book_open_options(cli *c, const cli_cmd *cmd, int argc, char **argv, Bzl__V1__Book *b)
{
    enum { OPT_BOOK = 'b', OPT_ENTERPRISE = 'e', OPT_VERIFY = 'v', OPT_PERIOD = 'p' };
    static const struct option opts[] = {{"book", required_argument, NULL, OPT_BOOK},
                                         {"enterprise", required_argument, NULL, OPT_ENTERPRISE},
                                         {"verify", required_argument, NULL, OPT_VERIFY},
                                         {"period-days", required_argument, NULL, OPT_PERIOD},
                                         CLI_COMMON_OPTIONS};
    int rc = CLI_GO_ON;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while (rc == CLI_GO_ON && (opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_BOOK) {
            b->book = optarg;
        } else if (opt == OPT_ENTERPRISE) {
            b->enterprise = optarg;
        } else if (opt == OPT_VERIFY && !cli_verify_parse(optarg, &b->verify_mode)) {
            rc = cli_usage_error(cmd, "--verify must be unit, work-order or consumption, not '%s'",
                                 optarg);
        } else if (opt == OPT_PERIOD && !cli_parse_u32(optarg, 1, UINT32_MAX, &b->period_days)) {
            rc = cli_usage_error(cmd, "--period-days must be a positive number of days, not '%s'",
                                 optarg);
        }
    }
    rc = cli_opts_end(cmd, argc, argv, opt, stop, rc);
    if (rc == CLI_GO_ON && (b->book[0] == '\0' || b->enterprise[0] == '\0')) {
        rc = cli_usage_error(cmd, "--book and --enterprise are required");
    }
    return rc;
}

int
cli_book_open(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__OpenBook body = BZL__V1__OPEN_BOOK__INIT;
    Bzl__V1__Book b = BZL__V1__BOOK__INIT;
    Bzl__V1__Response *resp = NULL;
    int rc = book_open_options(c, cmd, argc, argv, &b);
    if (rc != CLI_GO_ON) {
        goto done;
    }
    body.book = &b;
    req.body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    req.open_book = &body;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT__NOT_SET, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = book_print(c, resp->result_case == BZL__V1__RESPONSE__RESULT_BOOK ? resp->book : &b);
    }
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

int
cli_book_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__GetBook body = BZL__V1__GET_BOOK__INIT;
    int rc = cli_one_arg(c, cmd, argc, argv, "expected exactly one book number", &body.book);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_BOOK;
    req.get_book = &body;
    Bzl__V1__Response *resp = NULL;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_BOOK, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = book_print(c, resp->book);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}
