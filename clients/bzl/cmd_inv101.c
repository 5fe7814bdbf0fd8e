/* cmd_inv101.c — bzl inv101 check: 核注清单 (INV101) files checked against the message's rules
 * before they go to the customs client (clients/inv101, docs/INV101.md). Needs no daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inv101.h"

bool
cli_inv101_file_read(const char *path, char **bytes, size_t *len)
{
    char why[256];
    bool ok =
        cli_file_read(path, CLI_INV101_BYTES_MAX, "an INV101 list", bytes, len, why, sizeof why);
    if (!ok) {
        fprintf(stderr, "%s: %s\n", path, why);
    }
    return ok;
}

static const char *
head_text(const inv101_doc *d, const char *tag)
{
    const char *v = d->head.values[inv101_field_find(INV101_HEAD, tag)];
    return v != NULL ? v : "-";
}

/* One file: read, checked, reported (problems on stderr as FILE:LINE: PATH: message, the
 * verdict on stdout, or both into arr with --json). True when it has no problem. */
static bool
check_one(const cli *c, const char *path, json_t *arr, bool *ok)
{
    char *bytes = NULL;
    size_t len = 0;
    inv101_doc doc = {0};
    inv101_problems p = {0};
    bool readable = cli_inv101_file_read(path, &bytes, &len);
    bzl_status st = readable ? inv101_read(bytes, len, path, &doc, &p) : BZL_IO_ERROR;
    free(bytes);
    if (st == BZL_NO_MEMORY) {
        fprintf(stderr, "%s: out of memory\n", path);
    }
    bool clean = st == BZL_OK && inv101_check(&doc, &p);
    json_t *problems = c->json ? json_array() : NULL;
    for (uint32_t i = 0; i < p.count; i++) {
        const inv101_problem *x = &p.items[i];
        if (c->json) {
            json_t *o = json_object();
            cli_json_put(o, "line", json_integer(x->xml_line), ok);
            cli_json_put(o, "path", cli_json_str(x->path), ok);
            cli_json_put(o, "message", cli_json_str(x->message), ok);
            cli_json_push(problems, o, ok);
        } else if (x->path[0] != '\0') {
            fprintf(stderr, "%s:%u: %s: %s\n", path, (unsigned)x->xml_line, x->path, x->message);
        } else {
            fprintf(stderr, "%s:%u: %s\n", path, (unsigned)x->xml_line, x->message);
        }
    }
    if (p.dropped > 0 && !c->json) {
        fprintf(stderr, "%s: %u more problems not shown\n", path, (unsigned)p.dropped);
    }
    const char *flag = st == BZL_OK ? doc.message.values[0] : NULL;
    if (c->json) {
        json_t *o = json_object();
        cli_json_put(o, "file", cli_json_str(path), ok);
        cli_json_put(o, "ok", json_boolean(clean), ok);
        if (st == BZL_OK) {
            cli_json_put(o, "list", cli_json_str(head_text(&doc, "EtpsInnerInvtNo")), ok);
            cli_json_put(o, "book", cli_json_str(head_text(&doc, "PutrecNo")), ok);
            cli_json_put(o, "lines", json_integer(doc.line_count), ok);
            cli_json_put(o, "draft", json_boolean(flag != NULL && strcmp(flag, "0") == 0), ok);
        }
        cli_json_put(o, "problems", problems, ok);
        cli_json_push(arr, o, ok);
    } else if (st == BZL_OK) {
        printf("%s: list %s, book %s, %u line%s, %s: %s\n", path,
               head_text(&doc, "EtpsInnerInvtNo"), head_text(&doc, "PutrecNo"),
               (unsigned)doc.line_count, doc.line_count == 1 ? "" : "s",
               flag != NULL && strcmp(flag, "0") == 0 ? "draft (暂存)" : "to declare (申报)",
               clean ? "no problems" : "problems listed above");
    } else if (readable) {
        printf("%s: not a readable INV101 list (problems listed above)\n", path);
    }
    inv101_doc_deinit(&doc);
    return clean;
}

int
cli_inv101_check(cli *c, const cli_cmd *cmd, int argc, char **argv)
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
        return cli_usage_error(cmd, "name at least one INV101 file");
    }
    bool ok = true;
    bool all_clean = true;
    json_t *arr = c->json ? json_array() : NULL;
    for (int i = optind; i < argc; i++) {
        all_clean &= check_one(c, argv[i], arr, &ok);
    }
    int rc = CLI_EXIT_OK;
    if (c->json) {
        rc = ok && cli_json_print(arr) == BZL_OK ? CLI_EXIT_OK : CLI_EXIT_TRANSPORT;
        json_decref(arr);
    }
    if (fflush(stdout) != 0) {
        rc = CLI_EXIT_TRANSPORT;
    }
    return rc != CLI_EXIT_OK ? rc : all_clean ? CLI_EXIT_OK : CLI_EXIT_BAD_FILE;
}
