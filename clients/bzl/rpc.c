/* rpc.c — the CLI's one way to the daemon: connect lazily, exchange a request, judge the reply. */
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* The client library words a connect failure as "connect PATH: reason"; the CLI already
 * names the path, so it keeps only the reason. */
static const char *
connect_reason(const char *why, const char *path, bzl_status status)
{
    const char *reason = why;
    size_t path_len = strlen(path);
    if (strncmp(why, "connect ", 8) == 0 && strncmp(why + 8, path, path_len) == 0 &&
        strncmp(why + 8 + path_len, ": ", 2) == 0) {
        reason = why + 8 + path_len + 2;
    }
    if (reason[0] == '\0') {
        reason = bzl_status_text(status);
    }
    return reason;
}

/* The group that may open path: its own when it can be seen, else its directory's (0750,
 * which is what refused). Writes the group's name, or its number, into buf. */
static const char *
socket_group(const char *path, char *buf, size_t cap)
{
    char dir[512];
    struct stat sb;
    snprintf(dir, sizeof dir, "%s", path);
    bool seen = stat(path, &sb) == 0 || stat(dirname(dir), &sb) == 0;
    const struct group *g = seen ? getgrgid(sb.st_gid) : NULL;
    if (g != NULL) {
        snprintf(buf, cap, "%s", g->gr_name);
    } else if (seen) {
        snprintf(buf, cap, "%lu", (unsigned long)sb.st_gid);
    } else {
        snprintf(buf, cap, "%s", "bzl");
    }
    return buf;
}

static int
connect_once(cli *c)
{
    char why[512] = "";
    int rc = CLI_EXIT_TRANSPORT;
    bzl_status st = bzl_client_connect(c->socket_path, &c->client, why, sizeof why);
    if (st == BZL_INVALID_ARGUMENT) {
        /* A path no Unix socket can have: asking whether bzld runs would mislead. */
        fprintf(stderr, "bzl: cannot connect to %s: %s\n", c->socket_path,
                why[0] != '\0' ? why : "not a usable Unix socket path");
        goto fail;
    }
    if (st == BZL_PERMISSION_DENIED) {
        char group[64];
        fprintf(stderr,
                "bzl: cannot connect to %s: permission denied: only the daemon's user and members "
                "of group %s may connect (ask an administrator to add you to it)\n",
                c->socket_path, socket_group(c->socket_path, group, sizeof group));
        goto fail;
    }
    if (st != BZL_OK) {
        fprintf(stderr, "bzl: cannot connect to %s: %s%s\n", c->socket_path,
                connect_reason(why, c->socket_path, st),
                st == BZL_IO_ERROR ? " (is bzld running?)" : "");
        goto fail;
    }
    bzl_client_set_timeout(c->client, c->timeout_s * 1000u);
    rc = CLI_EXIT_OK;
fail:
    return rc;
}

int
cli_exchange(cli *c, Bzl__V1__Request *req, Bzl__V1__Response **resp)
{
    int rc = CLI_EXIT_TRANSPORT;
    bzl_status st;
    BZL_ASSERT(req->body_case != BZL__V1__REQUEST__BODY__NOT_SET);
    if (c->client == NULL && connect_once(c) != CLI_EXIT_OK) {
        goto fail;
    }
    st = bzl_client_call(c->client, req, resp);
    bool timed_out = st == BZL_IO_ERROR && bzl_client_timed_out(c->client);
    if (timed_out) {
        fprintf(stderr,
                "bzl: TIMEOUT: no answer from bzld within %u s (on %s; --timeout, "
                "BZL_TIMEOUT)\n",
                c->timeout_s, c->socket_path);
    }
    if (st != BZL_OK && !timed_out) {
        const char *detail = bzl_client_error(c->client);
        fprintf(stderr, "bzl: %s: %s%s%s%s\n", bzl_status_name(st),
                st == BZL_IO_ERROR ? "lost the connection to " : "exchange with ", c->socket_path,
                detail[0] != '\0' ? ": " : "", detail[0] != '\0' ? detail : "");
    }
    if (st != BZL_OK) {
        /* The stream may be out of step with our requests now: never reuse it. */
        bzl_client_close(c->client);
        c->client = NULL;
        goto fail;
    }
    rc = CLI_EXIT_OK;
fail:
    return rc;
}

const char *
cli_status_name(int status, char *buf, size_t cap)
{
    const char *name = buf;
    if (bzl_status_known(status)) {
        name = bzl_status_name((bzl_status)status);
    } else {
        snprintf(buf, cap, "STATUS_%d", status);
    }
    return name;
}

void
cli_print_refusal(int status, const char *message)
{
    char buf[24];
    const char *text = message;
    if (text == NULL || text[0] == '\0') {
        text = bzl_status_known(status) ? bzl_status_text((bzl_status)status) : "unknown status";
    }
    fprintf(stderr, "bzl: %s: %s\n", cli_status_name(status, buf, sizeof buf), text);
}

int
cli_call(cli *c, Bzl__V1__Request *req, Bzl__V1__Response__ResultCase want, Bzl__V1__Response **out)
{
    Bzl__V1__Response *resp = NULL;
    int rc = cli_exchange(c, req, &resp);
    if (rc != CLI_EXIT_OK) {
        goto fail;
    }
    if (resp->status != BZL__V1__STATUS__STATUS_OK) {
        cli_print_refusal((int)resp->status, resp->message);
        rc = CLI_EXIT_REFUSED;
        goto fail;
    }
    if (want != BZL__V1__RESPONSE__RESULT__NOT_SET && resp->result_case != want) {
        fprintf(stderr, "bzl: MALFORMED: the daemon's reply carries result %d where %d was due\n",
                (int)resp->result_case, (int)want);
        rc = CLI_EXIT_TRANSPORT;
        goto fail;
    }
    *out = resp;
    resp = NULL;
fail:
    if (resp != NULL) {
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

void
cli_deinit(cli *c)
{
    bzl_client_close(c->client);
    c->client = NULL;
}

/* ---- following pages ---------------------------------------------------------------------- */

void
cli_pager_init(cli_pager *pg, const char *what)
{
    BZL_ASSERT(what != NULL);
    *pg = (cli_pager){.what = what, .more = true};
}

int
cli_pager_next(cli_pager *pg, const char *next_page_token)
{
    BZL_ASSERT(pg->more);
    const char *next = next_page_token != NULL ? next_page_token : "";
    size_t len = strlen(next);
    pg->pages++;
    pg->more = len > 0;
    if (!pg->more) {
        return CLI_EXIT_OK;
    }
    /* The same token again would fetch the same page again, for ever. */
    if (strcmp(next, pg->token) == 0) {
        fprintf(stderr, "bzl: MALFORMED: the daemon's %s do not advance\n", pg->what);
        return CLI_EXIT_TRANSPORT;
    }
    if (len > CLI_PAGE_TOKEN_BYTES_MAX) {
        fprintf(stderr, "bzl: MALFORMED: the daemon's page token is %zu bytes, more than %u\n", len,
                CLI_PAGE_TOKEN_BYTES_MAX);
        return CLI_EXIT_TRANSPORT;
    }
    if (pg->pages >= CLI_PAGES_MAX) {
        fprintf(stderr, "bzl: MALFORMED: the daemon's %s do not end\n", pg->what);
        return CLI_EXIT_TRANSPORT;
    }
    memcpy(pg->token, next, len + 1);
    return CLI_EXIT_OK;
}
