/* cmd_recon.c — stocktake, reconcile, rates, trade and report: commands whose answers are the
 * daemon's Table (exact decimal strings), printed as an aligned table, JSON or CSV. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bzl/codes.h"
#include "bzl/limits.h"

/* --page-books's usage message names the daemon's bound. */
static_assert(BZL_RECON_PAGE_BOOKS_MAX == 64u, "the --page-books message says 1..64");

/* One option of these commands: a value (--NAME VALUE) or a flag (--NAME). */
enum { OPT_CSV = 0x300 };

int
cli_recon_opts(cli *c, const cli_cmd *cmd, int argc, char **argv, const cli_recon_opt *specs,
               size_t n, int positional, bool *csv)
{
    struct option opts[24];
    static const struct option common[] = {CLI_COMMON_OPTIONS};
    BZL_ASSERT(n + 1 + BZL_ARRAY_LEN(common) <= BZL_ARRAY_LEN(opts));
    for (size_t i = 0; i < n; i++) {
        opts[i] =
            (struct option){specs[i].name, specs[i].value != NULL ? required_argument : no_argument,
                            NULL, 0x200 + (int)i};
    }
    opts[n] = (struct option){"csv", no_argument, NULL, OPT_CSV};
    memcpy(&opts[n + 1], common, sizeof common);
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_CSV) {
            *csv = true;
        } else if (opt >= 0x200 && opt < 0x200 + (int)n) {
            const cli_recon_opt *s = &specs[opt - 0x200];
            if (s->value != NULL) {
                *s->value = optarg;
            } else {
                *s->flag = true;
            }
        }
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    if (argc - optind != positional) {
        return cli_usage_error(cmd, "expected %d argument%s", positional,
                               positional == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++) {
        if (specs[i].required && specs[i].value != NULL && **specs[i].value == '\0') {
            return cli_usage_error(cmd, "--%s is required", specs[i].name);
        }
    }
    return CLI_GO_ON;
}

/* ---- printing tables ------------------------------------------------------------------------- */

/* What several pages of one answer accumulate into. */
typedef struct out {
    bool csv;
    bool header_done;
    cli_column *cols; /* owned */
    size_t n_cols;
    cli_table table;
    json_t *doc;  /* owned */
    json_t *rows; /* borrowed from doc */
    bool ok;
} out;

/* Whether s is a decimal figure as bzl prints them: an optional sign, digits, an optional
 * fraction. */
static bool
plain_decimal(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t digits = strspn(p, "0123456789");
    if (digits == 0) {
        return false;
    }
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        p += frac > 0 ? frac + 1 : 0;
    }
    return *p == '\0';
}

void
cli_csv_cell(const char *s, bool last)
{
    /* A spreadsheet runs a cell that opens with = + - @ (or a tab or carriage return) as a
     * formula: such text (an area named =HYPERLINK(...)) gets a leading ' inside the cell, as
     * OWASP's CSV injection advice says. A plain decimal figure (-720.5) is left as it is, or
     * no sheet could add the column up. */
    bool neutralise = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL && !plain_decimal(s);
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (quote) {
        putchar('"');
    }
    if (neutralise) {
        putchar('\'');
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (quote && *p == '"') {
            putchar('"');
        }
        putchar(*p);
    }
    if (quote) {
        putchar('"');
    }
    putchar(last ? '\n' : ',');
}

static void
out_page(cli *c, out *o, const Bzl__V1__Table *t)
{
    if (o->cols == NULL) {
        o->n_cols = t->n_columns;
        o->cols = calloc(t->n_columns + 1, sizeof *o->cols);
        o->ok = o->cols != NULL;
        for (size_t i = 0; o->ok && i < t->n_columns; i++) {
            o->cols[i].header = strdup(t->columns[i]);
            o->cols[i].right = i > 0;
        }
        cli_table_init(&o->table, o->cols, o->n_cols);
        o->doc = json_object();
        o->rows = json_array();
        cli_json_put(o->doc, "columns", json_array(), &o->ok);
        for (size_t i = 0; o->ok && i < t->n_columns; i++) {
            cli_json_push(json_object_get(o->doc, "columns"), cli_json_str(t->columns[i]), &o->ok);
        }
        cli_json_put(o->doc, "rows", o->rows, &o->ok);
        json_t *notes = json_array();
        for (size_t i = 0; i < t->n_notes; i++) {
            cli_json_push(notes, cli_json_str(t->notes[i]), &o->ok);
        }
        cli_json_put(o->doc, "notes", notes, &o->ok);
    }
    if (o->csv && !o->header_done) {
        for (size_t i = 0; i < o->n_cols; i++) {
            cli_csv_cell(o->cols[i].header, i + 1 == o->n_cols);
        }
        o->header_done = true;
    }
    for (size_t r = 0; r < t->n_rows && o->ok; r++) {
        const Bzl__V1__TableRow *row = t->rows[r];
        json_t *obj = json_object();
        for (size_t i = 0; i < o->n_cols; i++) {
            const char *cell = i < row->n_cells ? row->cells[i] : "";
            if (o->csv) {
                cli_csv_cell(cell, i + 1 == o->n_cols);
            } else if (c->json) {
                cli_json_put(obj, o->cols[i].header, cli_json_str(cell), &o->ok);
            } else {
                cli_table_add(&o->table, cell);
            }
        }
        if (c->json && !o->csv) {
            cli_json_push(o->rows, obj, &o->ok);
        } else {
            json_decref(obj);
        }
    }
}

/* Releases what the pages accumulated, printing nothing. */
static void
out_release(out *o)
{
    for (size_t i = 0; i < o->n_cols; i++) {
        free((char *)o->cols[i].header);
    }
    cli_table_deinit(&o->table);
    json_decref(o->doc);
    free(o->cols);
}

static int
out_finish(cli *c, out *o, const Bzl__V1__Table *last)
{
    int rc = CLI_EXIT_OK;
    if (o->cols == NULL) {
        return rc;
    }
    if (o->csv) {
        rc = fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_TRANSPORT;
    } else {
        if (last != NULL) {
            cli_json_put(o->doc, "journal_reads", cli_json_u64(last->journal_reads), &o->ok);
        }
        rc = cli_emit(c, &o->table, o->doc, o->ok);
        if (!c->json && last != NULL) {
            for (size_t i = 0; i < last->n_notes; i++) {
                printf("# %s\n", last->notes[i]);
            }
        }
    }
    out_release(o);
    return rc;
}

int
cli_table_call(cli *c, Bzl__V1__Request *req, bool csv)
{
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, req, BZL__V1__RESPONSE__RESULT_TABLE, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    out o = {.csv = csv, .ok = true};
    out_page(c, &o, resp->table);
    rc = out_finish(c, &o, resp->table);
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

/* An action whose answer is the one-cell acknowledgement table ("recorded" or "unchanged"):
 * --json and --csv print the table; a person reads what was done, `what` then the word
 * ("rate 502 2026-03 = 7.1234 recorded"). */
static int
ack_call(cli *c, Bzl__V1__Request *req, bool csv, const char *what)
{
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, req, BZL__V1__RESPONSE__RESULT_TABLE, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const Bzl__V1__Table *t = resp->table;
    bool one = t->n_rows == 1 && t->rows[0]->n_cells == 1;
    if (c->json || csv || !one) {
        out o = {.csv = csv, .ok = true};
        out_page(c, &o, t);
        rc = out_finish(c, &o, t);
    } else {
        const char *word = t->rows[0]->cells[0];
        printf("%s %s%s\n", what, word,
               strcmp(word, "unchanged") == 0 ? " (the same was recorded before)" : "");
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

/* ---- stocktake ------------------------------------------------------------------------------- */

static const char *
jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The columns of a CSV stocktake: one row per counted line, the book and date repeated. */
static const char *const stocktake_cols[] = {"book", "date", "kind", "item", "qty", "bom_version"};

/* Turns the rows of a CSV stocktake into the JSON document the JSON form is: book and date
 * from the rows (every row the same), the lines with their item a number. NULL after saying
 * why, naming the file line. */
static json_t *
stocktake_from_rows(decl_errors *e, json_t *rows)
{
    json_t *root = json_object();
    json_t *lines = json_array();
    const char *first[2] = {NULL, NULL};
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *r = json_array_get(rows, i);
        size_t line = (size_t)json_integer_value(json_object_get(r, "_line"));
        for (size_t k = 0; k < 2; k++) {
            const char *v = jstr(r, stocktake_cols[k]);
            if (v == NULL) {
                decl_error(e, line, NULL, stocktake_cols[k], "is empty");
            } else if (first[k] == NULL) {
                first[k] = v;
            } else if (strcmp(first[k], v) != 0) {
                decl_error(e, line, NULL, stocktake_cols[k],
                           "is \"%.40s\" here but \"%.40s\" on the first row: one stocktake is of "
                           "one book on one date",
                           v, first[k]);
            }
        }
        const char *item = jstr(r, "item");
        uint32_t n = 0;
        if (item == NULL || !cli_parse_u32(item, 1, BZL_ITEM_NO_MAX, &n)) {
            decl_error(e, line, NULL, "item", "must be a whole number from 1 to %u",
                       BZL_ITEM_NO_MAX);
        }
        json_t *l = json_object();
        json_object_set(l, "kind", json_object_get(r, "kind"));
        json_object_set_new(l, "item", json_integer(n));
        json_object_set(l, "qty", json_object_get(r, "qty"));
        json_object_set(l, "bom_version", json_object_get(r, "bom_version"));
        json_array_append_new(lines, l);
    }
    if (first[0] != NULL) {
        json_object_set_new(root, "book", json_string(first[0]));
        json_object_set_new(root, "date", json_string(first[1] != NULL ? first[1] : ""));
    }
    json_object_set_new(root, "lines", lines);
    if (e->count > 0) {
        json_decref(root);
        root = NULL;
    }
    return root;
}

/* Reads a stocktake file: JSON, or CSV when its name ends in .csv (a header naming book, date,
 * kind, item, qty and bom_version, in any case or by their Chinese names; a row per line). A
 * UTF-8 byte-order mark is accepted; other encodings are refused with a hint. NULL after
 * saying why. */
static json_t *
stocktake_read(const char *path)
{
    decl_errors e = {0};
    char *text = NULL;
    size_t len = 0;
    json_t *root = NULL;
    json_t *rows = NULL;
    size_t n = strlen(path);
    decl_errors_begin(&e, path);
    if (decl_text_read(&e, path, NULL, &text, &len) != BZL_OK) {
        goto done;
    }
    if (n >= 4 && strcasecmp(path + n - 4, ".csv") == 0) {
        if (decl_csv_records(&e, text, len, stocktake_cols, BZL_ARRAY_LEN(stocktake_cols), &rows) ==
            BZL_OK) {
            root = stocktake_from_rows(&e, rows);
        }
        goto done;
    }
    json_error_t err;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (root == NULL) {
        decl_error(&e, err.line > 0 ? (size_t)err.line : 0, NULL, NULL, "%s", err.text);
    }
done:
    json_decref(rows);
    free(text);
    return root;
}

/* Fills body from the stocktake file; prints why and returns false when it is not valid. */
static bool
stocktake_load(const char *path, json_t *root, Bzl__V1__SubmitStocktake *body,
               Bzl__V1__StocktakeLine *lines, Bzl__V1__StocktakeLine **ptrs, size_t n)
{
    body->book = (char *)jstr(root, "book");
    body->date = (char *)jstr(root, "date");
    if (body->book == NULL || body->date == NULL) {
        fprintf(stderr, "bzl: %s: \"book\" and \"date\" must be strings\n", path);
        return false;
    }
    json_t *arr = json_object_get(root, "lines");
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_array_get(arr, i);
        json_t *item = json_object_get(l, "item");
        bzl__v1__stocktake_line__init(&lines[i]);
        const char *kind = jstr(l, "kind");
        lines[i].qty = (char *)jstr(l, "qty");
        const char *v = jstr(l, "bom_version");
        lines[i].bom_version = (char *)(v != NULL ? v : "");
        if (kind == NULL || lines[i].qty == NULL || !json_is_integer(item) ||
            json_integer_value(item) < 1 || json_integer_value(item) > BZL_ITEM_NO_MAX) {
            fprintf(stderr,
                    "bzl: %s: line %zu: needs \"kind\" (string), \"item\" (number) and \"qty\" "
                    "(decimal string)\n",
                    path, i + 1);
            return false;
        }
        if (!cli_stocktake_kind_parse(kind, &lines[i].kind)) {
            fprintf(stderr,
                    "bzl: %s: line %zu: kind \"%.40s\" is not material, product, wip or scrap\n",
                    path, i + 1, kind);
            return false;
        }
        lines[i].item = (uint32_t)json_integer_value(item);
        ptrs[i] = &lines[i];
    }
    body->n_lines = n;
    body->lines = ptrs;
    return true;
}

int
cli_stocktake_submit(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    bool count_scrap = false;
    bool csv = false;
    const cli_recon_opt specs[] = {{"count-scrap", NULL, &count_scrap, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 1, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    const char *path = argv[optind];
    json_t *root = stocktake_read(path);
    json_t *arr = root != NULL ? json_object_get(root, "lines") : NULL;
    if (root == NULL || !json_is_array(arr)) {
        if (root != NULL) {
            fprintf(stderr, "bzl: %s: \"lines\" must be an array\n", path);
        }
        json_decref(root);
        return CLI_EXIT_BAD_FILE;
    }
    size_t n = json_array_size(arr);
    Bzl__V1__StocktakeLine *lines = calloc(n + 1, sizeof *lines);
    Bzl__V1__StocktakeLine **ptrs = calloc(n + 1, sizeof *ptrs);
    Bzl__V1__SubmitStocktake body = BZL__V1__SUBMIT_STOCKTAKE__INIT;
    body.count_scrap = count_scrap;
    rc = lines != NULL && ptrs != NULL && stocktake_load(path, root, &body, lines, ptrs, n)
             ? CLI_GO_ON
             : CLI_EXIT_BAD_FILE;
    if (rc == CLI_GO_ON) {
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_STOCKTAKE;
        req.stocktake = &body;
        rc = cli_table_call(c, &req, csv);
    }
    free(lines);
    free(ptrs);
    json_decref(root);
    return rc;
}

/* ---- reconcile ------------------------------------------------------------------------------- */

/* Reads the view's options into v; CLI_GO_ON, or the usage error. */
static int
reconcile_view(const cli_cmd *cmd, bool wide, bool vertical, const char *sort, cli_recon_view *v)
{
    if (wide && vertical) {
        return cli_usage_error(cmd, "give at most one of --wide and --vertical");
    }
    if (sort[0] != '\0' && strcmp(sort, "rate") != 0) {
        return cli_usage_error(cmd, "--sort takes rate (largest |difference rate| first), not '%s'",
                               sort);
    }
    v->layout = wide ? CLI_RECON_WIDE : vertical ? CLI_RECON_VERTICAL : CLI_RECON_COMPACT;
    v->sort_rate = sort[0] != '\0';
    return CLI_GO_ON;
}

/* Follows the daemon's pages (one book is one page: only --all follows them) into r. Returns
 * CLI_EXIT_OK, or the failure of a page: then r holds part of the answer, never to be printed
 * (as cli_page_abort does, so that a part cannot read as the whole). */
static int
reconcile_pages(cli *c, Bzl__V1__Reconcile *body, bool all, cli_recon_rows *r)
{
    Bzl__V1__Response *resp = NULL;
    cli_pager pg;
    int rc = CLI_EXIT_OK;
    cli_pager_init(&pg, "reconcile pages");
    while (rc == CLI_EXIT_OK && pg.more) {
        body->page_token = pg.token;
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_RECONCILE;
        req.reconcile = body;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_TABLE, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        cli_recon_rows_add(r, resp->table);
        rc = cli_pager_next(&pg, all ? resp->table->next_page_token : "");
        bzl__v1__response__free_unpacked(resp, NULL);
        resp = NULL;
    }
    return rc;
}

int
cli_reconcile(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Reconcile body = BZL__V1__RECONCILE__INIT;
    bool all = false;
    bool wide = false;
    bool vertical = false;
    cli_recon_view v = {0};
    char *page = "";
    char *sort = "";
    const cli_recon_opt specs[] = {
        {"book", &body.book, NULL, false},
        {"period", &body.period, NULL, true},
        {"tolerance", &body.tolerance, NULL, false},
        {"all", NULL, &all, false},
        {"page-books", &page, NULL, false},
        {"wide", NULL, &wide, false},
        {"vertical", NULL, &vertical, false},
        {"flagged", NULL, &v.flagged, false},
        {"sort", &sort, NULL, false},
    };
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &v.csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    if (all == (body.book[0] != '\0')) {
        return cli_usage_error(cmd, "give exactly one of --book NO and --all");
    }
    if (page[0] != '\0' && !cli_parse_u32(page, 1, BZL_RECON_PAGE_BOOKS_MAX, &body.page_size)) {
        return cli_usage_error(cmd, "--page-books must be 1..64");
    }
    rc = reconcile_view(cmd, wide, vertical, sort, &v);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    if (!all) {
        /* A repair book answers with its repair accounts (docs/LEDGER.md "Bonded repair"):
         * a table of its own, printed as it comes. */
        Bzl__V1__Response *resp = NULL;
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_RECONCILE;
        req.reconcile = &body;
        rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_TABLE, &resp);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
        const Bzl__V1__Table *t = resp->table;
        if (t->n_columns > 4 && strcmp(t->columns[4], "account") == 0) {
            out o = {.csv = v.csv, .ok = true};
            out_page(c, &o, t);
            rc = out_finish(c, &o, t);
            bzl__v1__response__free_unpacked(resp, NULL);
            return rc;
        }
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    cli_recon_rows r;
    cli_recon_rows_init(&r);
    rc = reconcile_pages(c, &body, all, &r);
    if (rc == CLI_EXIT_OK) {
        rc = cli_recon_print(c, &r, &v);
    }
    cli_recon_rows_deinit(&r);
    return rc;
}

/* ---- rates, trade, reports ------------------------------------------------------------------- */

int
cli_rates_set(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__SetRate body = BZL__V1__SET_RATE__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"month", &body.month, NULL, true},
                                   {"currency", &body.currency, NULL, true},
                                   {"cny", &body.cny, NULL, true}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SET_RATE;
    req.set_rate = &body;
    char what[160];
    snprintf(what, sizeof what, "rate %.8s %.10s = %.40s CNY", body.currency, body.month, body.cny);
    return ack_call(c, &req, csv, what);
}

/* Follows the daemon's pages of a Table listing, each asking with the token the previous one
 * gave (*token points into the request's body), into one table. A daemon whose pages do not
 * advance or do not end is refused. */
int
cli_table_pages(cli *c, Bzl__V1__Request *req, char **token, const char *what, bool csv)
{
    out o = {.csv = csv, .ok = true};
    Bzl__V1__Response *resp = NULL;
    cli_pager pg;
    int rc = CLI_EXIT_OK;
    cli_pager_init(&pg, what);
    while (rc == CLI_EXIT_OK && pg.more) {
        *token = pg.token;
        if (resp != NULL) {
            bzl__v1__response__free_unpacked(resp, NULL);
            resp = NULL;
        }
        rc = cli_call(c, req, BZL__V1__RESPONSE__RESULT_TABLE, &resp);
        if (rc != CLI_EXIT_OK) {
            break;
        }
        out_page(c, &o, resp->table);
        rc = cli_pager_next(&pg, resp->table->next_page_token);
    }
    if (rc == CLI_EXIT_OK && resp != NULL) {
        rc = out_finish(c, &o, resp->table);
    } else if (o.cols != NULL) {
        out_release(&o);
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

int
cli_rates_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListRates body = BZL__V1__LIST_RATES__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"month", &body.month, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_RATES;
    req.list_rates = &body;
    return cli_table_pages(c, &req, &body.page_token, "rate pages", csv);
}

int
cli_trade_record(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__RecordTrade body = BZL__V1__RECORD_TRADE__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"month", &body.month, NULL, true},
                                   {"currency", &body.currency, NULL, true},
                                   {"exports", &body.exports, NULL, true},
                                   {"imports", &body.imports, NULL, true}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_RECORD_TRADE;
    req.record_trade = &body;
    char what[200];
    snprintf(what, sizeof what, "general trade %.10s in %.8s: exports %.40s, imports %.40s",
             body.month, body.currency, body.exports, body.imports);
    return ack_call(c, &req, csv, what);
}

/* report var | modes | share | upgrades: the kind is the command's last word. The daemon takes
 * enums, so the words of --by and --granularity are checked here. */
int
cli_report(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Report body = BZL__V1__REPORT__INIT;
    bool csv = false;
    bool exclude = false;
    bool upgrades = strcmp(argv[0], "upgrades") == 0;
    char *by = "";
    char *granularity = "";
    const cli_recon_opt specs[] = {
        {"period", &body.period, NULL, !upgrades},  {"by", &by, NULL, false},
        {"from", &body.from, NULL, upgrades},       {"to", &body.to, NULL, upgrades},
        {"granularity", &granularity, NULL, false}, {"exclude-transfers", NULL, &exclude, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    if (!cli_report_kind_parse(argv[0], &body.kind)) {
        return cli_usage_error(cmd, "report '%s' is not var, modes, upgrades or share", argv[0]);
    }
    if (!cli_report_by_parse(by, &body.by)) {
        return cli_usage_error(
            cmd, "--by must be enterprise, product, mode, area or zone, not '%s'", by);
    }
    if (!cli_granularity_parse(granularity, &body.granularity)) {
        return cli_usage_error(cmd, "--granularity must be month, quarter or year, not '%s'",
                               granularity);
    }
    bool bucketed = body.kind == BZL__V1__REPORT_KIND__REPORT_KIND_MODES ||
                    body.kind == BZL__V1__REPORT_KIND__REPORT_KIND_SHARE;
    if (granularity[0] != '\0' && !bucketed) {
        return cli_usage_error(cmd, "--granularity applies to report modes and report share");
    }
    body.exclude_transfers = exclude;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REPORT;
    req.report = &body;
    return cli_table_call(c, &req, csv);
}
