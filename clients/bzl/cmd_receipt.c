/* cmd_receipt.c — customs receipts (docs/INV101.md "Receipts"): bzl receipt import applies the
 * customs client's receipt files to their lists, bzl receipt diff lists the INV211 book lines
 * that disagree with bzl's balances, and declaration show's customs part. Reading a file is
 * clients/inv101/receipt.c's (the hostile-input defences of inv101_xml_parse). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/receipt.h"
#include "cli.h"
#include "receipt.h"

/* Bytes of one receipt file: an INV201 with a line per list line (BZL_DECL_LINES_CEILING) at
 * well under 1 KiB each fits; a larger file is not a receipt. */
#define CLI_RECEIPT_FILE_BYTES_MAX (16u << 20)
/* Files one import takes from its arguments and folders: a busy in-box's day and more. */
#define CLI_RECEIPT_FILES_MAX 65536u

/* ---- receipt import ------------------------------------------------------------------------ */

typedef struct import_opts {
    const char *enterprise; /* --enterprise: "" for the receipt's own bizopEtpsno */
    const char *list;       /* --list: "" for the receipt's own list number */
} import_opts;

static const char *const message_words[] = {"?", "import receipt", "INV201", "INV202", "INV211"};
/* What a message's code is called: "DealFlag 0", "manageResult 4"; "" for INV211. */
static const char *const code_words[] = {"", " DealFlag ", " manageResult ", " manageResult ", ""};

/* Prints one file's problems (FILE:LINE: PATH: message) or adds them to o. */
static void
problems_out(const char *path, const inv101_problems *p, json_t *o, bool *ok)
{
    json_t *arr = o != NULL ? json_array() : NULL;
    for (uint32_t i = 0; i < p->count; i++) {
        const inv101_problem *x = &p->items[i];
        if (arr != NULL) {
            json_t *e = json_object();
            cli_json_put(e, "line", json_integer(x->xml_line), ok);
            cli_json_put(e, "path", cli_json_str(x->path), ok);
            cli_json_put(e, "message", cli_json_str(x->message), ok);
            cli_json_push(arr, e, ok);
        } else {
            char at[32] = "";
            if (x->xml_line != 0) {
                snprintf(at, sizeof at, ":%u", (unsigned)x->xml_line);
            }
            fprintf(stderr, "%s%s: %s%s%s\n", path, at, x->path, x->path[0] != '\0' ? ": " : "",
                    x->message);
        }
    }
    if (p->dropped > 0 && arr == NULL) {
        fprintf(stderr, "%s: %u more problems not shown\n", path, (unsigned)p->dropped);
    }
    if (o != NULL) {
        cli_json_put(o, "problems", arr, ok);
    }
}

/* The ApplyReceipt request of r; fields and pointers borrowed from r (and opts). */
static int
request_of(const inv_receipt *r, const import_opts *opts, Bzl__V1__ApplyReceipt *body,
           Bzl__V1__ReceiptField *fields, Bzl__V1__ReceiptField **ptrs)
{
    body->enterprise = (char *)(opts->enterprise[0] != '\0' ? opts->enterprise : r->enterprise);
    body->id = (char *)(opts->list[0] != '\0' ? opts->list : r->id);
    body->seq_no = (char *)r->seq_no;
    body->message = (Bzl__V1__ReceiptMessage)r->message;
    body->code = (char *)r->code;
    for (uint32_t i = 0; i < r->field_count; i++) {
        bzl__v1__receipt_field__init(&fields[i]);
        fields[i].group = r->fields[i].group;
        fields[i].line = r->fields[i].line;
        fields[i].name = r->fields[i].name;
        fields[i].value = r->fields[i].value;
        ptrs[i] = &fields[i];
    }
    body->n_fields = r->field_count;
    body->fields = ptrs;
    return body->enterprise[0] != '\0' || body->seq_no[0] != '\0';
}

/* One file: read, applied, reported. Returns its exit status. */
static int
import_one(cli *c, const char *path, const import_opts *opts, json_t *arr, bool *ok)
{
    json_t *o = c->json ? json_object() : NULL;
    if (o != NULL) {
        cli_json_put(o, "file", cli_json_str(path), ok);
    }
    char why[256];
    char *bytes = NULL;
    size_t len = 0;
    inv_receipt r;
    memset(&r, 0, sizeof r);
    inv101_problems p;
    memset(&p, 0, sizeof p);
    int rc = CLI_EXIT_OK;
    bzl_status st = BZL_IO_ERROR;
    if (!cli_file_read(path, CLI_RECEIPT_FILE_BYTES_MAX, "a customs receipt", &bytes, &len, why,
                       sizeof why)) {
        p.count = 1;
        snprintf(p.items[0].message, sizeof p.items[0].message, "%s", why);
    } else {
        st = inv_receipt_read(bytes, len, path, &r, &p);
    }
    free(bytes);
    if (st == BZL_NO_MEMORY) {
        snprintf(p.items[p.count < INV101_ERRORS_MAX ? p.count++ : 0].message,
                 sizeof p.items[0].message, "out of memory");
    }
    if (st != BZL_OK) {
        problems_out(path, &p, o, ok);
        if (o != NULL) {
            cli_json_put(o, "ok", json_false(), ok);
            cli_json_push(arr, o, ok);
        } else {
            printf("%s: not applied: not a readable customs receipt (problems above)\n", path);
        }
        inv_receipt_deinit(&r);
        return CLI_EXIT_BAD_FILE;
    }
    Bzl__V1__ReceiptField *fields = calloc(r.field_count + 1u, sizeof *fields);
    Bzl__V1__ReceiptField **ptrs = calloc(r.field_count + 1u, sizeof *ptrs);
    Bzl__V1__ApplyReceipt body = BZL__V1__APPLY_RECEIPT__INIT;
    if (fields == NULL || ptrs == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        rc = CLI_EXIT_TRANSPORT;
    } else if (!request_of(&r, opts, &body, fields, ptrs)) {
        p.count = 1;
        snprintf(p.items[0].path, sizeof p.items[0].path, "%s",
                 r.message == BZL_RM_INV211   ? "INV211/BondInvtBsc/bizopEtpsno"
                 : r.message == BZL_RM_INV201 ? "INV201/BondInvtBsc/bizopEtpsno"
                                              : "");
        snprintf(p.items[0].message, sizeof p.items[0].message,
                 "the %s names no enterprise (BondInvtBsc/bizopEtpsno) and no SeqNo: pass "
                 "--enterprise CODE",
                 message_words[r.message <= 4 ? r.message : 0]);
        problems_out(path, &p, o, ok);
        rc = CLI_EXIT_BAD_FILE;
    }
    Bzl__V1__Response *resp = NULL;
    if (rc == CLI_EXIT_OK) {
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_APPLY_RECEIPT;
        req.apply_receipt = &body;
        rc = cli_exchange(c, &req, &resp);
    }
    const char *what = message_words[r.message <= 4 ? r.message : 0];
    if (rc == CLI_EXIT_OK && resp->status != BZL__V1__STATUS__STATUS_OK) {
        char name[24];
        const char *sn = cli_status_name(resp->status, name, sizeof name);
        if (o != NULL) {
            cli_json_put(o, "status", cli_json_str(sn), ok);
            cli_json_put(o, "error", cli_json_str(resp->message), ok);
        } else {
            fprintf(stderr, "%s: %s of list %s: %s: %s\n", path, what,
                    body.id[0] != '\0' ? body.id : body.seq_no, sn, resp->message);
        }
        rc = CLI_EXIT_REFUSED;
    } else if (rc == CLI_EXIT_OK && resp->result_case != BZL__V1__RESPONSE__RESULT_RECEIPT) {
        fprintf(stderr, "%s: bzl: MALFORMED: the daemon answered without a receipt result\n", path);
        rc = CLI_EXIT_TRANSPORT;
    } else if (rc == CLI_EXIT_OK) {
        const Bzl__V1__ReceiptResult *x = resp->receipt;
        if (o != NULL) {
            cli_json_put(o, "message", cli_json_str(what), ok);
            cli_json_put(o, "code", cli_json_str(r.code), ok);
            cli_json_put(o, "enterprise", cli_json_str(x->enterprise), ok);
            cli_json_put(o, "list", cli_json_str(x->id), ok);
            cli_json_put(o, "previous", cli_json_str(x->previous), ok);
            cli_json_put(o, "state", cli_json_str(x->state), ok);
            cli_json_put(o, "ledger_state", cli_json_str(x->ledger_state), ok);
            cli_json_put(o, "replayed", json_boolean(x->replayed), ok);
            cli_json_put(o, "seq", cli_json_u64(x->seq), ok);
            cli_json_put(o, "ledger_seq", cli_json_u64(x->ledger_seq), ok);
        } else if (x->replayed) {
            printf("%s: %s%s%s for list %s of %s: applied before (entry %llu), nothing changed\n",
                   path, what, code_words[r.message <= 4 ? r.message : 0], r.code, x->id,
                   x->enterprise, (unsigned long long)x->seq);
        } else {
            printf("%s: %s%s%s for list %s of %s: %s -> %s, declaration %s (entry %llu)\n", path,
                   what, code_words[r.message <= 4 ? r.message : 0], r.code, x->id, x->enterprise,
                   x->previous, x->state, x->ledger_state, (unsigned long long)x->seq);
        }
    }
    if (o != NULL) {
        cli_json_put(o, "ok", json_boolean(rc == CLI_EXIT_OK), ok);
        cli_json_push(arr, o, ok);
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    free(ptrs);
    free(fields);
    inv_receipt_deinit(&r);
    return rc;
}

/* The more serious of two exit statuses (cli_exit's order). */
static int
worse(int a, int b)
{
    static const int rank[] = {
        [CLI_EXIT_OK] = 0,        [CLI_EXIT_REFUSED] = 1,  [CLI_EXIT_USAGE] = 3,
        [CLI_EXIT_TRANSPORT] = 4, [CLI_EXIT_BAD_FILE] = 2, [CLI_EXIT_BEYOND] = 0};
    return rank[b] > rank[a] ? b : a;
}

int
cli_receipt_import(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    enum { OPT_ENTERPRISE = 1, OPT_LIST };
    static const struct option opts[] = {{"enterprise", required_argument, NULL, OPT_ENTERPRISE},
                                         {"list", required_argument, NULL, OPT_LIST},
                                         CLI_COMMON_OPTIONS};
    import_opts io = {.enterprise = "", .list = ""};
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_ENTERPRISE) {
            io.enterprise = optarg;
        } else {
            io.list = optarg;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    if (optind >= argc) {
        return cli_usage_error(cmd, "name at least one receipt file or folder");
    }
    cli_files files = {0};
    int rc = CLI_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        if (!cli_files_add(&files, argv[i], NULL, CLI_RECEIPT_FILES_MAX)) {
            rc = worse(rc, CLI_EXIT_BAD_FILE);
        }
    }
    if (io.list[0] != '\0' && files.count != 1) {
        cli_files_free(&files);
        return cli_usage_error(cmd, "--list names the list of one receipt file; %zu given",
                               files.count);
    }
    bool ok = true;
    json_t *arr = c->json ? json_array() : NULL;
    size_t applied = 0;
    for (size_t i = 0; i < files.count && rc != CLI_EXIT_TRANSPORT; i++) {
        int one = import_one(c, files.paths[i], &io, arr, &ok);
        applied += one == CLI_EXIT_OK;
        rc = worse(rc, one);
    }
    if (c->json) {
        int out = ok && cli_json_print(arr) == BZL_OK ? CLI_EXIT_OK : CLI_EXIT_TRANSPORT;
        rc = worse(rc, out);
        json_decref(arr);
    } else {
        printf("%zu of %zu receipt file%s applied or already applied\n", applied, files.count,
               files.count == 1 ? "" : "s");
    }
    if (fflush(stdout) != 0) {
        rc = CLI_EXIT_TRANSPORT;
    }
    cli_files_free(&files);
    return rc;
}

/* ---- receipt diff ---------------------------------------------------------------------------- */

static const cli_column diff_cols[] = {
    {"BOOK", false}, {"KIND", false},      {"ITEM", true},  {"CUSTOMS", true},
    {"BZL", true},   {"DIFFERENCE", true}, {"LIST", false}, {"ENTERPRISE", false},
    {"ENTRY", true}, {"NOTE", false},
};

static const char *
diff_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__ReceiptDiffList *list = resp->receipt_diff;
    for (size_t i = 0; i < list->n_rows; i++) {
        const Bzl__V1__ReceiptDiffRow *r = list->rows[i];
        cli_page_row_begin(p);
        cli_page_text(p, "book", r->book);
        cli_page_text(p, "kind", cli_kind_name(r->kind));
        cli_page_u32(p, "item", r->item);
        cli_page_text(p, "customs_qty", r->customs_qty);
        cli_page_text(p, "bzl_qty", r->bzl_qty);
        cli_page_text(p, "difference", r->difference);
        cli_page_text(p, "list", r->id);
        cli_page_text(p, "enterprise", r->enterprise);
        cli_page_u64(p, "seq", r->seq);
        cli_page_text(p, "note", r->note);
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

int
cli_receipt_diff(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ReceiptDiff body = BZL__V1__RECEIPT_DIFF__INIT;
    bool csv = false;
    const cli_ledger_opt specs[] = {{"book", &body.book, false}};
    const cli_ledger_flag flags[] = {{"csv", &csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_RECEIPT_DIFF;
    req.receipt_diff = &body;
    return cli_read_pages(c, &req, &body.page_token, BZL__V1__RESPONSE__RESULT_RECEIPT_DIFF,
                          diff_cols, BZL_ARRAY_LEN(diff_cols), diff_page, csv);
}

/* ---- declaration show's customs part --------------------------------------------------------- */

static const char *const group_words[] = {"list", "line", "book line"};

bzl_status
cli_receipt_customs_text(const Bzl__V1__DeclarationInfo *info)
{
    if (info->receipt_count == 0) {
        return BZL_OK;
    }
    printf("\ncustoms: %s after %u receipt%s\n", info->customs_state, (unsigned)info->receipt_count,
           info->receipt_count == 1 ? "" : "s");
    static const cli_column cols[] = {
        {"OF", false}, {"LINE", true}, {"NAME", false}, {"VALUE", false}};
    cli_table t;
    cli_table_init(&t, cols, BZL_ARRAY_LEN(cols));
    for (size_t i = 0; i < info->n_back_fills; i++) {
        const Bzl__V1__ReceiptField *f = info->back_fills[i];
        cli_table_add(&t, group_words[f->group <= 2 ? f->group : 0]);
        if (f->line != 0) {
            cli_table_addf(&t, "%u", (unsigned)f->line);
        } else {
            cli_table_add(&t, "");
        }
        cli_table_add(&t, f->name);
        cli_table_add(&t, f->value);
    }
    printf("\ncustoms back-fills (as customs sent them)\n");
    bzl_status st = cli_table_print(&t);
    cli_table_deinit(&t);
    return st;
}

void
cli_receipt_customs_json(const Bzl__V1__DeclarationInfo *info, json_t *doc, bool *ok)
{
    cli_json_put(doc, "customs_state", cli_json_str(info->customs_state), ok);
    cli_json_put(doc, "receipt_count", json_integer(info->receipt_count), ok);
    json_t *arr = json_array();
    for (size_t i = 0; i < info->n_back_fills; i++) {
        const Bzl__V1__ReceiptField *f = info->back_fills[i];
        json_t *o = json_object();
        cli_json_put(o, "of", cli_json_str(group_words[f->group <= 2 ? f->group : 0]), ok);
        cli_json_put(o, "line", json_integer(f->line), ok);
        cli_json_put(o, "name", cli_json_str(f->name), ok);
        cli_json_put(o, "value", cli_json_str(f->value), ok);
        cli_json_push(arr, o, ok);
    }
    cli_json_put(doc, "back_fills", arr, ok);
}
