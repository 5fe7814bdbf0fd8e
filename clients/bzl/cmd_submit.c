/* cmd_submit.c — bzl submit: send declaration files in batches, report every declaration. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const cli_column submit_cols[] = {
    {"FILE", false},   {"AT", false}, {"ID", false},
    {"STATUS", false}, {"SEQ", true}, {"NOTE", false},
};

/* What one `bzl submit` has done so far, over all its files. */
typedef struct submit_run {
    cli *c;
    cli_table table;      /* table output */
    json_t *rows;         /* JSON output: the array of results; NULL for a table */
    decl_errors errs;     /* the files' own errors: on stderr, or into rows with --json */
    const char *encoding; /* --encoding: the files' encoding; NULL for UTF-8 */
    bool atomic;          /* --atomic: each file is one all-or-nothing batch */
    bool ok;              /* the output could be built so far */
    bool refused;         /* the daemon refused a declaration */
    bool bad_file;        /* a file was not submitted */
    /* The summary line: declarations answered, and how. */
    uint64_t n_decls, n_ok, n_replayed, n_refused, n_aborted;
} submit_run;

/* {"line", "field", "item", "available"}: where the daemon says the fault is. */
static json_t *
fault_json(const Bzl__V1__Fault *fault, bool *ok)
{
    json_t *obj = json_object();
    cli_json_put(obj, "line", json_integer(fault->line), ok);
    cli_json_put(obj, "field", cli_json_str(fault->field), ok);
    cli_json_put(obj, "item", json_integer(fault->item), ok);
    cli_json_put(obj, "available", cli_json_str(fault->available), ok);
    return obj;
}

/* Where a refused declaration's fault sits in its file. */
typedef struct submit_at {
    size_t file_line; /* CSV: the row's line; 0 for JSON */
    char path[96];    /* JSON: decls[2].lines[0].unit; "" for CSV */
    char text[112];   /* for the table and stderr: "3" or the path */
} submit_at;

static void
submit_at_of(const decl_file *f, size_t decl, const Bzl__V1__SubmitResult *res, submit_at *at)
{
    const Bzl__V1__Fault *fault = res->fault;
    decl_file_where(f, decl, fault != NULL ? fault->line : 0, fault != NULL ? fault->field : "",
                    &at->file_line, at->path, sizeof at->path);
    if (at->file_line > 0) {
        snprintf(at->text, sizeof at->text, "%zu", at->file_line);
    } else {
        snprintf(at->text, sizeof at->text, "%s", at->path);
    }
}

static void
result_json(submit_run *r, const char *file, const char *id, const Bzl__V1__SubmitResult *res,
            const submit_at *at)
{
    char buf[24];
    bool accepted = res->status == BZL__V1__STATUS__STATUS_OK;
    json_t *obj = json_object();
    cli_json_put(obj, "file", cli_json_str(file), &r->ok);
    cli_json_put(obj, "line",
                 at->file_line > 0 ? json_integer((json_int_t)at->file_line) : json_null(), &r->ok);
    cli_json_put(obj, "path", at->path[0] != '\0' ? cli_json_str(at->path) : json_null(), &r->ok);
    cli_json_put(obj, "id", cli_json_str(id), &r->ok);
    cli_json_put(obj, "status", cli_json_str(cli_status_name((int)res->status, buf, sizeof buf)),
                 &r->ok);
    /* No journal entry backs a refusal, so no sequence rather than a made-up 0. */
    cli_json_put(obj, "seq", accepted ? cli_json_u64(res->seq) : json_null(), &r->ok);
    cli_json_put(obj, "replayed", json_boolean(res->replayed), &r->ok);
    cli_json_put(obj, "message", cli_json_str(res->message), &r->ok);
    if (res->fault != NULL) {
        cli_json_put(obj, "fault", fault_json(res->fault, &r->ok), &r->ok);
    }
    cli_json_push(r->rows, obj, &r->ok);
}

/* Records one declaration's outcome (declaration `decl` of f). A refusal is said on stderr as
 * "FILE:LINE: FIELD: STATUS: message" (CSV) or "FILE: decls[3].lines[1].unit: STATUS: message"
 * (JSON) when `say` and the output is a table, whose row then holds no message, so nothing is
 * printed twice. */
static void
result_add(submit_run *r, const decl_file *f, size_t decl, const Bzl__V1__SubmitResult *res,
           bool say)
{
    char buf[24];
    const char *status = cli_status_name((int)res->status, buf, sizeof buf);
    const char *id = f->decls[decl].id;
    bool accepted = res->status == BZL__V1__STATUS__STATUS_OK;
    bool aborted = res->status == BZL__V1__STATUS__STATUS_ABORTED;
    submit_at at = {0};
    r->n_decls++;
    r->n_ok += accepted && !res->replayed;
    r->n_replayed += accepted && res->replayed;
    r->n_refused += !accepted && !aborted;
    r->n_aborted += aborted;
    if (!accepted) {
        r->refused = true;
        submit_at_of(f, decl, res, &at);
    }
    if (!accepted && say && !r->c->json) {
        const char *field = res->fault != NULL && res->fault->field[0] != '\0' && at.path[0] == '\0'
                                ? res->fault->field
                                : NULL;
        fprintf(stderr, "%s%s%s%s%s: %s: declaration %s: %s\n", f->label,
                at.file_line > 0 ? ":" : ": ", at.text, field != NULL ? ": " : "",
                field != NULL ? field : "", status, id,
                res->message[0] != '\0' ? res->message : bzl_status_text((bzl_status)res->status));
    }
    if (r->c->json) {
        result_json(r, f->label, id, res, &at);
    } else {
        cli_table_add(&r->table, f->label);
        cli_table_add(&r->table, at.text);
        cli_table_add(&r->table, id);
        cli_table_add(&r->table, status);
        if (accepted) {
            cli_table_addf(&r->table, "%llu", (unsigned long long)res->seq);
        } else {
            cli_table_add(&r->table, "");
        }
        /* The refusal's reason is on stderr already, unless it was said once for the batch. */
        cli_table_add(&r->table, accepted && res->replayed ? "replayed (already recorded)"
                                 : !accepted && !say       ? res->message
                                                           : "");
    }
}

/* The end of the batch starting at start: bounded by count and by encoded bytes, so that
 * the request fits one frame. */
static size_t
batch_end(const decl_file *f, size_t start)
{
    size_t end = start;
    size_t bytes = 0;
    while (end < f->n_decls && end - start < CLI_BATCH_DECLS_MAX &&
           bytes + f->decl_bytes[end] + CLI_DECL_PREFIX_BYTES <= CLI_BATCH_BYTES_MAX) {
        bytes += f->decl_bytes[end] + CLI_DECL_PREFIX_BYTES;
        end++;
    }
    BZL_ASSERT(end > start); /* decl_file_load refuses a declaration too big to go alone */
    return end;
}

static void
pause_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        /* interrupted by a signal: sleep the rest */
    }
}

/* cli_exchange, resending while the daemon answers BUSY: declaration ids are idempotency
 * keys, so a resent batch can never post twice. */
static int
exchange_busy(cli *c, Bzl__V1__Request *req, Bzl__V1__Response **resp)
{
    unsigned wait_ms = CLI_BUSY_PAUSE_MS;
    int rc = cli_exchange(c, req, resp);
    for (unsigned i = 0; i < CLI_BUSY_RETRIES && rc == CLI_EXIT_OK &&
                         (*resp)->status == BZL__V1__STATUS__STATUS_BUSY;
         i++) {
        bzl__v1__response__free_unpacked(*resp, NULL);
        *resp = NULL;
        pause_ms(wait_ms);
        wait_ms *= 2;
        rc = cli_exchange(c, req, resp);
    }
    return rc;
}

/* Sends declarations [start, end) of f as one SubmitBatch and records each outcome. */
static int
submit_batch(submit_run *r, const decl_file *f, size_t start, size_t end)
{
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    Bzl__V1__SubmitBatch body = BZL__V1__SUBMIT_BATCH__INIT;
    Bzl__V1__Response *resp = NULL;
    body.n_declarations = end - start;
    body.declarations = f->decl_ptrs + start;
    body.atomic = r->atomic;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &body;
    int rc = exchange_busy(r->c, &req, &resp);
    if (rc != CLI_EXIT_OK) {
        goto done;
    }
    if (resp->status != BZL__V1__STATUS__STATUS_OK) {
        /* The whole batch was refused (permission, limits, shutdown): each declaration
         * shares the verdict, which is said once. */
        Bzl__V1__SubmitResult shared = BZL__V1__SUBMIT_RESULT__INIT;
        shared.status = resp->status;
        shared.message = resp->message;
        shared.fault = resp->fault;
        cli_print_refusal((int)resp->status, resp->message);
        for (size_t i = start; i < end; i++) {
            result_add(r, f, i, &shared, false);
        }
        goto done;
    }
    if (resp->result_case != BZL__V1__RESPONSE__RESULT_BATCH ||
        resp->batch->n_results != end - start) {
        fprintf(stderr, "bzl: MALFORMED: the daemon answered a batch of %zu with %zu results\n",
                end - start,
                resp->result_case == BZL__V1__RESPONSE__RESULT_BATCH ? resp->batch->n_results : 0);
        rc = CLI_EXIT_TRANSPORT;
        goto done;
    }
    for (size_t i = start; i < end; i++) {
        result_add(r, f, i, resp->batch->results[i - start], true);
    }
done:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* Loads one file and submits all of it, or none of it when it has any error. With --atomic
 * the file goes as one batch the daemon commits whole or not at all. */
static int
submit_file(submit_run *r, const char *path)
{
    decl_file f = {0};
    int rc = CLI_EXIT_OK;
    bzl_status st = decl_file_load(path, r->encoding, &r->errs, &f);
    if (st == BZL_MALFORMED) {
        r->bad_file = true; /* said; the other files still go */
        goto done;
    }
    if (st != BZL_OK) {
        /* Out of memory is not the file's fault: stop as for a failed exchange. */
        rc = CLI_EXIT_TRANSPORT;
        goto done;
    }
    if (r->atomic && f.n_decls > 0 && batch_end(&f, 0) < f.n_decls) {
        decl_error(&r->errs, 0, NULL, NULL,
                   "--atomic: the file's %zu declarations do not fit one request (at most %u "
                   "declarations and %u bytes); split it",
                   f.n_decls, CLI_BATCH_DECLS_MAX, CLI_BATCH_BYTES_MAX);
        r->bad_file = true;
        goto done;
    }
    for (size_t start = 0; start < f.n_decls && rc == CLI_EXIT_OK;) {
        size_t end = batch_end(&f, start);
        rc = submit_batch(r, &f, start, end);
        start = end;
    }
done:
    decl_file_deinit(&f);
    return rc;
}

/* The line that ends every submit: on stdout under the table, on stderr with --json (whose
 * stdout is one JSON document). */
static void
summary_print(const submit_run *r)
{
    FILE *out = r->c->json ? stderr : stdout;
    fprintf(out, "%llu declaration%s: %llu OK, %llu already recorded, %llu refused",
            (unsigned long long)r->n_decls, r->n_decls == 1 ? "" : "s", (unsigned long long)r->n_ok,
            (unsigned long long)r->n_replayed, (unsigned long long)r->n_refused);
    if (r->n_aborted > 0) {
        fprintf(out, ", %llu not committed (all-or-nothing)", (unsigned long long)r->n_aborted);
    }
    if (r->bad_file) {
        fputs("; a file with errors was not sent", out);
    }
    fputc('\n', out);
}

enum { OPT_ATOMIC = 1, OPT_ENCODING };

int
cli_submit(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    static const struct option opts[] = {
        {"atomic", no_argument, NULL, OPT_ATOMIC},
        {"encoding", required_argument, NULL, OPT_ENCODING},
        CLI_COMMON_OPTIONS,
    };
    submit_run r = {.c = c, .rows = NULL, .ok = true};
    int rc = CLI_EXIT_OK;
    int opt;
    cli_table_init(&r.table, submit_cols, BZL_ARRAY_LEN(submit_cols));
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &rc)) >= 0) {
        if (opt == OPT_ATOMIC) {
            r.atomic = true;
        } else if (opt == OPT_ENCODING) {
            r.encoding = optarg;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        goto done;
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "expected one or more FILEs (\"-\" for standard input)");
        goto done;
    }
    r.rows = c->json ? json_array() : NULL;
    r.ok = !c->json || r.rows != NULL;
    r.errs.arr = r.rows;
    for (int i = optind; i < argc && rc == CLI_EXIT_OK; i++) {
        rc = submit_file(&r, argv[i]);
    }
    /* Print what was done even when the daemon went away midway: those rows are facts. */
    int out = c->json || r.table.n_cells > 0 ? cli_emit(c, &r.table, r.rows, r.ok) : CLI_EXIT_OK;
    summary_print(&r);
    if (rc == CLI_EXIT_OK) {
        rc = out != CLI_EXIT_OK ? out
             : r.bad_file       ? CLI_EXIT_BAD_FILE
             : r.refused        ? CLI_EXIT_REFUSED
                                : CLI_EXIT_OK;
    }
done:
    json_decref(r.rows);
    cli_table_deinit(&r.table);
    return rc;
}
