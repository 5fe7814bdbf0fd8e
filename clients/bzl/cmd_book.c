/* cmd_book.c — bzl book open | show | list: open an enterprise's account book, show one, list
 * them. */
#include <string.h>

#include "cli.h"

static const cli_column book_cols[] = {
    {"BOOK", false},   {"ENTERPRISE", false}, {"TYPE", false},           {"VERIFY", false},
    {"STATUS", false}, {"PERIOD_DAYS", true}, {"CLOSED_THROUGH", false},
};
/* book show adds the usage (general or repair) after them; book list keeps its columns. */
static const cli_column book_show_cols[] = {
    {"BOOK", false},   {"ENTERPRISE", false}, {"TYPE", false},           {"VERIFY", false},
    {"STATUS", false}, {"PERIOD_DAYS", true}, {"CLOSED_THROUGH", false}, {"USAGE", false},
};

/* What a book number's first letter says the book is. Source: the letter meanings of
 * reference/customs-domain.md §2.2 (备案号 prefixes): B 来料加工手册, C 进料加工手册,
 * E 加工贸易电子账册, H 海关特殊监管区域(出口加工区/综保区)电子账册, T 保税物流账册 — the
 * five letters bzl_code_check_book accepts (lib/src/core/codes.c). */
static const struct {
    char letter;
    const char *type;
} book_types[] = {
    {'B', "supplied-materials manual"}, /* 来料加工手册: per contract, materials supplied */
    {'C', "imported-materials manual"}, /* 进料加工手册: per contract, materials bought */
    {'E', "processing e-book"},     /* 加工贸易电子账册: the enterprise's account book */
    {'H', "zone e-book"},           /* 海关特殊监管区域电子账册: a bonded zone's book */
    {'T', "bonded-logistics book"}, /* 保税物流账册 */
};

/* The book's type from its number; "" for a letter this build does not know. */
static const char *
book_type(const char *book)
{
    const char *type = "";
    for (size_t i = 0; i < BZL_ARRAY_LEN(book_types) && type[0] == '\0'; i++) {
        if (book[0] == book_types[i].letter) {
            type = book_types[i].type;
        }
    }
    return type;
}

/* A string, or null when it is empty (a book never closed). */
static json_t *
json_str_or_null(const char *s)
{
    return s[0] != '\0' ? cli_json_str(s) : json_null();
}

/* Prints one book as a one-row table or as {"book", "enterprise", "type", "verify", "status",
 * "period_days", "closed_through", "usage"} (closed_through null when no period is closed). */
static int
book_print(const cli *c, const Bzl__V1__Book *b)
{
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    const char *usage = b->usage == BZL__V1__BOOK_USAGE__BOOK_USAGE_REPAIR ? "repair" : "general";
    cli_table_init(&t, book_show_cols, BZL_ARRAY_LEN(book_show_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "book", cli_json_str(b->book), &ok);
        cli_json_put(doc, "enterprise", cli_json_str(b->enterprise), &ok);
        cli_json_put(doc, "type", cli_json_str(book_type(b->book)), &ok);
        cli_json_put(doc, "verify", cli_json_str(cli_verify_name(b->verify_mode)), &ok);
        cli_json_put(doc, "status", cli_json_str(cli_book_status_name(b->status)), &ok);
        cli_json_put(doc, "period_days", json_integer(b->period_days), &ok);
        cli_json_put(doc, "closed_through", json_str_or_null(b->closed_through), &ok);
        cli_json_put(doc, "usage", cli_json_str(usage), &ok);
    } else {
        cli_table_add(&t, b->book);
        cli_table_add(&t, b->enterprise);
        cli_table_add(&t, book_type(b->book));
        cli_table_add(&t, cli_verify_name(b->verify_mode));
        cli_table_add(&t, cli_book_status_name(b->status));
        cli_table_addf(&t, "%u", (unsigned)b->period_days);
        cli_table_add(&t, b->closed_through);
        cli_table_add(&t, usage);
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
    enum {
        OPT_BOOK = 'b',
        OPT_ENTERPRISE = 'e',
        OPT_VERIFY = 'v',
        OPT_PERIOD = 'p',
        OPT_USAGE = 'u'
    };
    static const struct option opts[] = {{"book", required_argument, NULL, OPT_BOOK},
                                         {"enterprise", required_argument, NULL, OPT_ENTERPRISE},
                                         {"verify", required_argument, NULL, OPT_VERIFY},
                                         {"period-days", required_argument, NULL, OPT_PERIOD},
                                         {"usage", required_argument, NULL, OPT_USAGE},
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
        } else if (opt == OPT_USAGE && strcmp(optarg, "repair") == 0) {
            b->usage = BZL__V1__BOOK_USAGE__BOOK_USAGE_REPAIR;
        } else if (opt == OPT_USAGE && strcmp(optarg, "general") != 0) {
            rc = cli_usage_error(cmd, "--usage must be general or repair, not '%s'", optarg);
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

/* One page of books: the columns of book show, each book a row. */
static const char *
books_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__BookList *list = resp->books;
    for (size_t i = 0; i < list->n_books; i++) {
        const Bzl__V1__Book *b = list->books[i];
        cli_page_row_begin(p);
        cli_page_text(p, "book", b->book);
        cli_page_text(p, "enterprise", b->enterprise);
        cli_page_text(p, "type", book_type(b->book));
        cli_page_text(p, "verify", cli_verify_name(b->verify_mode));
        cli_page_text(p, "status", cli_book_status_name(b->status));
        cli_page_u32(p, "period_days", b->period_days);
        if (p->c->json) {
            cli_json_put(p->row, "closed_through", json_str_or_null(b->closed_through), &p->ok);
        } else {
            cli_page_text(p, "closed_through", b->closed_through);
        }
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_book_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListBooks body = BZL__V1__LIST_BOOKS__INIT;
    bool csv = false;
    const cli_ledger_opt specs[] = {{"enterprise", &body.enterprise, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_BOOKS;
    req.list_books = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_BOOKS, book_cols,
                          BZL_ARRAY_LEN(book_cols), books_page, csv);
}
