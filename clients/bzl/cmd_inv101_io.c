/* cmd_inv101_io.c — bzl inv101 import and export: 核注清单 (INV101) files in and out of the
 * ledger (clients/inv101, docs/INV101.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "inv101.h"
#include "inv101_map.h"

/* Files one import takes (the arguments with every *.xml of the folders among them): a month
 * of a busy enterprise's lists, many times over, while the names stay one allocation. */
#define CLI_INV101_FILES_MAX 1000000u

/* ---- import --------------------------------------------------------------------------------- */

/* A list read, checked and mapped, waiting for its batch. */
typedef struct queued_list {
    const char *file; /* borrowed from the file list */
    inv101_doc doc;
    inv101_decl m; /* its strings point into doc */
    json_t *problems;
} queued_list;

/* Lists per SubmitBatch: the daemon's default batch bound, and few enough that their documents
 * held in memory stay small (a 20-line list is about 30 KiB parsed). Bytes per batch:
 * CLI_BATCH_BYTES_MAX, as for bzl submit. */
#define CLI_INV101_BATCH_MAX 256u
static_assert(CLI_INV101_BATCH_MAX <= CLI_BATCH_DECLS_MAX, "a batch the daemon takes");

typedef struct import_run {
    cli *c;
    json_t *files; /* --json: one object per file */
    bool ok;       /* the JSON could be built */
    uint64_t imported, replayed, refused, bad;
    bool transport; /* the daemon cannot be reached: stop */
    queued_list queue[CLI_INV101_BATCH_MAX];
    size_t queued;
    size_t queued_bytes; /* the packed declarations with their prefixes */
} import_run;

/* One problem: "FILE:LINE: PATH: message" on stderr, or into arr. */
static void
say_problem(import_run *r, const char *file, uint32_t line, const char *path, const char *msg,
            json_t *arr)
{
    if (r->c->json) {
        json_t *o = json_object();
        cli_json_put(o, "line", json_integer(line), &r->ok);
        cli_json_put(o, "path", cli_json_str(path), &r->ok);
        cli_json_put(o, "message", cli_json_str(msg), &r->ok);
        cli_json_push(arr, o, &r->ok);
    } else if (path[0] != '\0') {
        fprintf(stderr, "%s:%u: %s: %s\n", file, (unsigned)line, path, msg);
    } else {
        fprintf(stderr, "%s:%u: %s\n", file, (unsigned)line, msg);
    }
}

/* The file's verdict: a line on stdout, or its JSON object. */
static void
say_verdict(import_run *r, const char *file, const char *list, const char *outcome, uint64_t seq,
            json_t *problems)
{
    if (r->c->json) {
        json_t *o = json_object();
        cli_json_put(o, "file", cli_json_str(file), &r->ok);
        cli_json_put(o, "list", list != NULL ? cli_json_str(list) : json_null(), &r->ok);
        cli_json_put(o, "outcome", cli_json_str(outcome), &r->ok);
        cli_json_put(o, "seq", seq != 0 ? cli_json_u64(seq) : json_null(), &r->ok);
        cli_json_put(o, "problems", problems, &r->ok);
        cli_json_push(r->files, o, &r->ok);
        return;
    }
    json_decref(problems);
    if (seq != 0) {
        printf("%s: list %s %s (journal %llu)\n", file, list, outcome, (unsigned long long)seq);
    } else {
        printf("%s: %s%s%s\n", file, list != NULL ? "list " : "", list != NULL ? list : "",
               list != NULL ? (strcmp(outcome, "refused") == 0 ? " refused" : "")
                            : "not a readable INV101 list");
    }
}

/* One list's outcome in a batch reply (res NULL: the whole batch was refused with status and
 * message); a refusal is said at the element the daemon's fault names. */
static void
say_result(import_run *r, queued_list *q, const Bzl__V1__SubmitResult *res, int status,
           const char *message)
{
    const Bzl__V1__Fault *f = NULL;
    if (res != NULL) {
        status = (int)res->status;
        message = res->message;
        f = res->fault;
    }
    if (status == BZL__V1__STATUS__STATUS_OK && res != NULL) {
        r->imported += !res->replayed;
        r->replayed += res->replayed;
        say_verdict(r, q->file, q->m.decl.id, res->replayed ? "replayed" : "imported", res->seq,
                    q->problems);
        q->problems = NULL;
        return;
    }
    char path[96];
    uint32_t xml_line = 0;
    inv101_fault_where(&q->doc, f != NULL ? f->line : 0, f != NULL ? f->field : "", &xml_line, path,
                       sizeof path);
    char buf[24];
    char text[400];
    snprintf(text, sizeof text, "%s: %s", cli_status_name(status, buf, sizeof buf),
             message[0] != '\0' ? message : bzl_status_text((bzl_status)status));
    say_problem(r, q->file, xml_line, path, text, q->problems);
    r->refused++;
    say_verdict(r, q->file, q->m.decl.id, "refused", 0, q->problems);
    q->problems = NULL;
}

static bool after_draft(import_run *r, queued_list *q);

/* Sends the queued lists as one SubmitBatch (each accepted or refused on its own) and says
 * each outcome in file order. A batch answered BUSY is sent again after a pause: replays are
 * safe, the ids being idempotency keys. */
static void
queue_flush(import_run *r)
{
    Bzl__V1__Declaration *decls[CLI_INV101_BATCH_MAX];
    for (size_t i = 0; i < r->queued; i++) {
        decls[i] = &r->queue[i].m.decl;
    }
    Bzl__V1__SubmitBatch body = BZL__V1__SUBMIT_BATCH__INIT;
    body.n_declarations = r->queued;
    body.declarations = decls;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &body;
    Bzl__V1__Response *resp = NULL;
    unsigned pause_ms = CLI_BUSY_PAUSE_MS;
    for (unsigned attempt = 0; r->queued > 0 && !r->transport; attempt++) {
        if (cli_exchange(r->c, &req, &resp) != CLI_EXIT_OK) {
            r->transport = true;
            break;
        }
        if (resp->status != BZL__V1__STATUS__STATUS_BUSY || attempt == CLI_BUSY_RETRIES) {
            break;
        }
        bzl__v1__response__free_unpacked(resp, NULL);
        resp = NULL;
        struct timespec ts = {.tv_sec = pause_ms / 1000,
                              .tv_nsec = (long)(pause_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        pause_ms *= 2;
    }
    bool per_list = resp != NULL && resp->status == BZL__V1__STATUS__STATUS_OK &&
                    resp->result_case == BZL__V1__RESPONSE__RESULT_BATCH &&
                    resp->batch->n_results == r->queued;
    for (size_t i = 0; resp != NULL && i < r->queued; i++) {
        const Bzl__V1__SubmitResult *res = per_list ? resp->batch->results[i] : NULL;
        if (res != NULL && res->status == BZL__V1__STATUS__STATUS_ID_REUSED &&
            after_draft(r, &r->queue[i])) {
            continue;
        }
        say_result(r, &r->queue[i], res, per_list ? 0 : (int)resp->status,
                   per_list ? "" : resp->message);
    }
    for (size_t i = 0; i < r->queued; i++) {
        json_decref(r->queue[i].problems);
        inv101_decl_deinit(&r->queue[i].m);
        inv101_doc_deinit(&r->queue[i].doc);
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    r->queued = 0;
    r->queued_bytes = 0;
}

/* Takes doc and m (left zeroed) into the queue, sending the queue first when the list would
 * overflow its count or bytes. */
static void
queue_add(import_run *r, const char *file, inv101_doc *doc, inv101_decl *m, json_t *problems)
{
    size_t bytes = bzl__v1__declaration__get_packed_size(&m->decl) + CLI_DECL_PREFIX_BYTES;
    if (r->queued == CLI_INV101_BATCH_MAX ||
        (r->queued > 0 && r->queued_bytes + bytes > CLI_BATCH_BYTES_MAX)) {
        queue_flush(r);
    }
    queued_list *q = &r->queue[r->queued++];
    q->file = file;
    q->doc = *doc;
    q->m = *m;
    q->m.decl.date = q->m.date; /* the one string m holds inline */
    q->problems = problems;
    /* m's pointers into the document's values stay valid: the values moved, not their text. */
    memset(doc, 0, sizeof *doc);
    memset(m, 0, sizeof *m);
    r->queued_bytes += bytes;
}

static const char *
head_of(const inv101_doc *doc, const char *tag)
{
    return doc->head.values[inv101_field_find(INV101_HEAD, tag)];
}

/* The daemon's refusal of an action on the list the header names, said at its id's element,
 * with the way on when the list is posted. */
static void
action_refused(import_run *r, const char *file, const inv101_doc *doc, int status,
               const char *message, json_t *problems)
{
    char path[96];
    char buf[24];
    char text[480];
    uint32_t line = 0;
    inv101_fault_where(doc, 0, "id", &line, path, sizeof path);
    const char *id = head_of(doc, "EtpsInnerInvtNo");
    const char *ent = head_of(doc, "BizopEtpsno");
    int n =
        snprintf(text, sizeof text, "%s: %s", cli_status_name(status, buf, sizeof buf), message);
    if (status == BZL__V1__STATUS__STATUS_STATE_CONFLICT && n > 0 && (size_t)n < sizeof text) {
        snprintf(text + n, sizeof text - (size_t)n,
                 "; a posted list is corrected by reversal: bzl reverse --enterprise %s %s "
                 "--reason TEXT, then a new list",
                 ent, id);
    }
    say_problem(r, file, line, path, text, problems);
    r->refused++;
    say_verdict(r, file, id, "refused", 0, problems);
}

/* DclTypecd 3 (删除申请): the pending list is voided; a posted one is refused with the way to
 * reverse it. Deleting a deleted list replays. */
static void
import_delete(import_run *r, const char *file, const inv101_doc *doc, json_t *problems)
{
    char reason[160];
    const char *seq_no = head_of(doc, "SeqNo");
    snprintf(reason, sizeof reason, "INV101 删除申请 (DclTypecd 3), SeqNo %s",
             seq_no != NULL ? seq_no : "-");
    Bzl__V1__DeclarationRef body = BZL__V1__DECLARATION_REF__INIT;
    body.enterprise = (char *)head_of(doc, "BizopEtpsno");
    body.id = (char *)head_of(doc, "EtpsInnerInvtNo");
    body.reason = reason;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_VOID_DECLARATION;
    req.void_declaration = &body;
    Bzl__V1__Response *resp = NULL;
    if (cli_exchange(r->c, &req, &resp) != CLI_EXIT_OK) {
        r->transport = true;
        json_decref(problems);
        return;
    }
    if (resp->status == BZL__V1__STATUS__STATUS_OK &&
        resp->result_case == BZL__V1__RESPONSE__RESULT_ACTION) {
        r->imported += !resp->action->replayed;
        r->replayed += resp->action->replayed;
        say_verdict(r, file, body.id, resp->action->replayed ? "replayed" : "deleted",
                    resp->action->seq, problems);
    } else {
        action_refused(r, file, doc, (int)resp->status, resp->message, problems);
    }
    bzl__v1__response__free_unpacked(resp, NULL);
}

/* The current version of the list the header names: its state ("draft", "pending", …) and
 * the ChgTmsCnt it was filed with (0 when it had none) into *chg. NULL with *resp NULL when
 * bzld cannot be reached; NULL with the refusal in *resp otherwise. *resp owned by the
 * caller (the state points into it). */
static const char *
current_state(import_run *r, const inv101_doc *doc, uint64_t *chg, Bzl__V1__Response **resp)
{
    Bzl__V1__GetDeclaration body = BZL__V1__GET_DECLARATION__INIT;
    body.enterprise = (char *)head_of(doc, "BizopEtpsno");
    body.id = (char *)head_of(doc, "EtpsInnerInvtNo");
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_DECLARATION;
    req.get_declaration = &body;
    *resp = NULL;
    *chg = 0;
    if (cli_exchange(r->c, &req, resp) != CLI_EXIT_OK) {
        r->transport = true;
        return NULL;
    }
    if ((*resp)->status != BZL__V1__STATUS__STATUS_OK ||
        (*resp)->result_case != BZL__V1__RESPONSE__RESULT_DECLARATION ||
        (*resp)->declaration->declaration == NULL) {
        return NULL;
    }
    const Bzl__V1__Declaration *d = (*resp)->declaration->declaration;
    for (size_t i = 0; i < d->n_list_fields; i++) {
        if (strcmp(d->list_fields[i]->name, "ChgTmsCnt") == 0) {
            *chg = strtoull(d->list_fields[i]->value, NULL, 10);
        }
    }
    return (*resp)->declaration->state;
}

/* Sends q's declaration as the new version of its id (ReplaceDeclaration) and says the
 * outcome as an import's: "changed" or the refusal at its element. */
static void
send_replace(import_run *r, queued_list *q, const char *reason, const char *outcome)
{
    Bzl__V1__ReplaceDeclaration body = BZL__V1__REPLACE_DECLARATION__INIT;
    body.declaration = &q->m.decl;
    body.reason = (char *)reason;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_REPLACE_DECLARATION;
    req.replace_declaration = &body;
    Bzl__V1__Response *resp = NULL;
    if (cli_exchange(r->c, &req, &resp) != CLI_EXIT_OK) {
        r->transport = true;
        json_decref(q->problems);
        q->problems = NULL;
        return;
    }
    const Bzl__V1__SubmitResult *res =
        resp->result_case == BZL__V1__RESPONSE__RESULT_SUBMIT ? resp->submit : NULL;
    if (res != NULL && res->status == BZL__V1__STATUS__STATUS_OK && !res->replayed) {
        r->imported++;
        say_verdict(r, q->file, q->m.decl.id, outcome, res->seq, q->problems);
        q->problems = NULL;
    } else {
        say_result(r, q, res, (int)resp->status, resp->message);
    }
    bzl__v1__response__free_unpacked(resp, NULL);
}

/* A list whose EtpsInnerInvtNo is taken: when the declaration under it is a draft (暂存),
 * this list is its next version (the draft declared, or saved again) and replaces it. True
 * when that was done and said; false to report the ID_REUSED as it is. */
static bool
after_draft(import_run *r, queued_list *q)
{
    uint64_t chg = 0;
    Bzl__V1__Response *resp = NULL;
    const char *state = current_state(r, &q->doc, &chg, &resp);
    bool draft = state != NULL && strcmp(state, "draft") == 0;
    if (draft) {
        send_replace(r, q,
                     q->m.decl.draft ? "INV101 暂存 (DelcareFlag 0): the draft saved again"
                                     : "INV101 申报 (DelcareFlag 1): the draft declared",
                     q->m.decl.draft ? "saved again" : "declared");
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return draft || r->transport;
}

/* DclTypecd 2 (变更申请): the pending or draft list is replaced by this version, whose
 * ChgTmsCnt counts one more change than the current one's (A.5 rule 3, C); a posted list is
 * refused naming the reversal. */
static void
import_change(import_run *r, const char *file, inv101_doc *doc, inv101_decl *m, json_t *problems)
{
    uint64_t chg = 0;
    Bzl__V1__Response *resp = NULL;
    const char *state = current_state(r, doc, &chg, &resp);
    queued_list q = {.file = file, .doc = *doc, .m = *m, .problems = problems};
    const char *file_chg = head_of(doc, "ChgTmsCnt");
    uint64_t want = file_chg != NULL ? strtoull(file_chg, NULL, 10) : 0;
    char text[400];
    if (resp == NULL) {
        json_decref(problems);
    } else if (state == NULL) {
        action_refused(r, file, doc, (int)resp->status, resp->message, problems);
    } else if (strcmp(state, "posted") == 0) {
        snprintf(text, sizeof text, "list %s is posted and cannot be changed", q.m.decl.id);
        action_refused(r, file, doc, BZL__V1__STATUS__STATUS_STATE_CONFLICT, text, problems);
    } else if (want == chg && want > 0) {
        /* This change was applied already (a re-run of the in-box): submitted as it is, the
         * daemon replays it when the content is the current version's, or says ID_REUSED. */
        queue_add(r, file, doc, m, problems);
        queue_flush(r);
    } else if (want != chg + 1) {
        char path[96];
        uint32_t line = 0;
        inv101_fault_where(doc, 0, "ChgTmsCnt", &line, path, sizeof path);
        snprintf(text, sizeof text,
                 "ChgTmsCnt (变更次数) is %llu; list %s was filed with %llu, so this change is "
                 "%llu (A.5 rule 3)",
                 (unsigned long long)want, q.m.decl.id, (unsigned long long)chg,
                 (unsigned long long)chg + 1);
        say_problem(r, file, line, path, text, problems);
        r->bad++;
        say_verdict(r, file, q.m.decl.id, "refused", 0, problems);
    } else {
        char reason[96];
        snprintf(reason, sizeof reason, "INV101 变更申请 (DclTypecd 2), ChgTmsCnt %llu",
                 (unsigned long long)want);
        send_replace(r, &q, reason, "changed");
        json_decref(q.problems);
    }
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
}

/* One file: read, checked against the message's rules, mapped and sent. */
static void
import_one(import_run *r, const char *file)
{
    char *bytes = NULL;
    size_t len = 0;
    inv101_doc doc = {0};
    inv101_problems p = {0};
    inv101_decl m = {0};
    json_t *problems = r->c->json ? json_array() : NULL;
    bool readable = cli_inv101_file_read(file, &bytes, &len);
    bzl_status st = readable ? inv101_read(bytes, len, file, &doc, &p) : BZL_IO_ERROR;
    free(bytes);
    bool clean = st == BZL_OK && inv101_check(&doc, &p);
    const char *dcl_type = st == BZL_OK ? head_of(&doc, "DclTypecd") : NULL;
    bool changing = clean && dcl_type != NULL && strcmp(dcl_type, "2") == 0;
    bool deletion = clean && dcl_type != NULL && strcmp(dcl_type, "3") == 0;
    if (clean && !deletion && inv101_to_decl(&doc, &m, &p) != BZL_OK) {
        clean = false;
    }
    for (uint32_t i = 0; i < p.count; i++) {
        say_problem(r, file, p.items[i].xml_line, p.items[i].path, p.items[i].message, problems);
    }
    if (p.dropped > 0 && !r->c->json) {
        fprintf(stderr, "%s: %u more problems not shown\n", file, (unsigned)p.dropped);
    }
    if (clean && !deletion && !changing) {
        queue_add(r, file, &doc, &m, problems);
        return;
    }
    queue_flush(r); /* what came before is said first, and a deletion sees it */
    if (clean && deletion) {
        import_delete(r, file, &doc, problems);
    } else if (clean && changing) {
        import_change(r, file, &doc, &m, problems);
    } else {
        r->bad++;
        const char *list = st == BZL_OK ? head_of(&doc, "EtpsInnerInvtNo") : NULL;
        say_verdict(r, file, list, "refused", 0, problems);
    }
    inv101_decl_deinit(&m);
    inv101_doc_deinit(&doc);
}

int
cli_inv101_import(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS};
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    if (optind >= argc) {
        return cli_usage_error(cmd, "name at least one INV101 file or folder");
    }
    cli_files files = {0};
    bool listed = true;
    for (int i = optind; listed && i < argc; i++) {
        listed = cli_files_add(&files, argv[i], ".xml", CLI_INV101_FILES_MAX);
    }
    if (!listed) {
        cli_files_free(&files);
        return CLI_EXIT_BAD_FILE;
    }
    /* The queue holds a batch of documents: on the heap. */
    import_run *r = calloc(1, sizeof *r);
    if (r == NULL) {
        cli_files_free(&files);
        fputs("bzl: NO_MEMORY: out of memory\n", stderr);
        return CLI_EXIT_TRANSPORT;
    }
    r->c = c;
    r->ok = true;
    r->files = c->json ? json_array() : NULL;
    for (size_t i = 0; i < files.count && !r->transport; i++) {
        import_one(r, files.paths[i]);
    }
    queue_flush(r);
    int rc = r->transport     ? CLI_EXIT_TRANSPORT
             : r->bad > 0     ? CLI_EXIT_BAD_FILE
             : r->refused > 0 ? CLI_EXIT_REFUSED
                              : CLI_EXIT_OK;
    if (c->json) {
        json_t *doc = json_object();
        cli_json_put(doc, "files", r->files, &r->ok);
        cli_json_put(doc, "imported", cli_json_u64(r->imported), &r->ok);
        cli_json_put(doc, "replayed", cli_json_u64(r->replayed), &r->ok);
        cli_json_put(doc, "refused", cli_json_u64(r->refused + r->bad), &r->ok);
        int erc = cli_emit(c, NULL, doc, r->ok);
        json_decref(doc);
        rc = rc != CLI_EXIT_OK ? rc : erc;
    } else {
        printf("%zu file%s: %llu imported, %llu replayed, %llu refused\n", files.count,
               files.count == 1 ? "" : "s", (unsigned long long)r->imported,
               (unsigned long long)r->replayed, (unsigned long long)(r->refused + r->bad));
    }
    if (fflush(stdout) != 0) {
        rc = CLI_EXIT_TRANSPORT;
    }
    free(r);
    cli_files_free(&files);
    return rc;
}

/* ---- export --------------------------------------------------------------------------------- */

static int
write_out(const char *out, const char *xml, size_t len)
{
    FILE *f = out != NULL ? fopen(out, "wb") : stdout;
    if (f == NULL) {
        fprintf(stderr, "%s: cannot create: %s\n", out, strerror(errno));
        return CLI_EXIT_BAD_FILE;
    }
    bool ok = fwrite(xml, 1, len, f) == len;
    ok = (out != NULL ? fclose(f) == 0 : fflush(f) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "%s: cannot write: %s\n", out != NULL ? out : "stdout", strerror(errno));
        return CLI_EXIT_TRANSPORT;
    }
    return CLI_EXIT_OK;
}

int
cli_inv101_export(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__GetDeclaration body = BZL__V1__GET_DECLARATION__INIT;
    char *out = NULL;
    const cli_ledger_opt specs[] = {{"enterprise", &body.enterprise, true}, {"out", &out, false}};
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 1);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    body.id = argv[optind];
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_GET_DECLARATION;
    req.get_declaration = &body;
    Bzl__V1__Response *resp = NULL;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_DECLARATION, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    inv101_doc doc = {0};
    char *xml = NULL;
    size_t len = 0;
    const Bzl__V1__Declaration *d = resp->declaration->declaration;
    bzl_status st = d != NULL ? inv101_from_decl(d, &doc) : BZL_MALFORMED;
    st = st == BZL_OK ? inv101_write(&doc, &xml, &len) : st;
    if (st != BZL_OK) {
        fprintf(stderr, "bzl: %s: cannot write the list: %s\n", bzl_status_name(st),
                bzl_status_text(st));
        rc = CLI_EXIT_TRANSPORT;
    } else {
        rc = write_out(out, xml, len);
    }
    /* A declaration not imported from a list lacks what the message requires: say so. */
    inv101_problems p = {0};
    if (rc == CLI_EXIT_OK && !inv101_check(&doc, &p)) {
        for (uint32_t i = 0; i < p.count; i++) {
            fprintf(stderr, "%s: %s: %s\n", out != NULL ? out : "stdout", p.items[i].path,
                    p.items[i].message);
        }
        fprintf(stderr, "bzl: the list was written but does not pass the message's rules\n");
        rc = CLI_EXIT_BAD_FILE;
    }
    free(xml);
    inv101_doc_deinit(&doc);
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}
