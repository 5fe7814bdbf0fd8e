/* cmd_desk.c — bzl declaration list: the customs officer's queue of declarations, oldest
 * submitted first, as the daemon walks them (issue 14, "the officer's desk"). */
#include "cli.h"

#include <time.h>

/* Milliseconds in a day: the unit of AGE_DAYS and of the daemon's older_than_days. */
#define DESK_DAY_MS 86400000

static const cli_column decl_list_cols[] = {
    {"ID", false},   {"ENTERPRISE", false}, {"BOOK", false},
    {"DATE", false}, {"TRADE_MODE", false}, {"FLOW", false},
    {"LINES", true}, {"STATE", false},      {"AGE_DAYS", true},
};

/* Now by this machine's clock, which is the daemon's: the socket is local. */
static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whole days since submitted_ms, rounded down: the same count older_than_days compares with
 * (a declaration is older than N days when its age is at least N). A submission time ahead of
 * this clock is age 0. */
static uint32_t
age_days(int64_t submitted_ms, int64_t now)
{
    int64_t days = now > submitted_ms ? (now - submitted_ms) / DESK_DAY_MS : 0;
    return days > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)days;
}

/* One page of the queue. JSON adds "seq" (the declaration's journal entry, first), "kind",
 * "direction", "submitted" (UTC) and "submitted_ms". */
static const char *
declarations_page(cli_page *p, const Bzl__V1__Response *resp)
{
    const Bzl__V1__DeclarationList *list = resp->declarations;
    int64_t now = now_ms();
    for (size_t i = 0; i < list->n_declarations; i++) {
        const Bzl__V1__DeclarationSummary *d = list->declarations[i];
        bool json = p->c->json;
        cli_page_row_begin(p);
        if (json) {
            cli_json_put(p->row, "seq", cli_json_u64(d->seq), &p->ok);
        }
        cli_page_text(p, "id", d->id);
        cli_page_text(p, "enterprise", d->enterprise);
        cli_page_text(p, "book", d->book);
        cli_page_text(p, "date", d->date);
        cli_page_text(p, "trade_mode", d->trade_mode);
        cli_page_text(p, "flow", d->flow);
        if (json) {
            cli_json_put(p->row, "kind", cli_json_str(cli_kind_name(d->kind)), &p->ok);
            cli_json_put(
                p->row, "direction",
                cli_json_str(d->direction == BZL__V1__DIRECTION__DIRECTION_IN ? "in" : "out"),
                &p->ok);
        }
        cli_page_u32(p, "lines", d->lines);
        cli_page_text(p, "state", cli_decl_state_name(d->state));
        cli_page_u32(p, "age_days", age_days(d->submitted_ms, now));
        if (json) {
            char when[40];
            cli_time_text(d->submitted_ms, when, sizeof when);
            cli_json_put(p->row, "submitted", cli_json_str(when), &p->ok);
            cli_json_put(p->row, "submitted_ms", json_integer(d->submitted_ms), &p->ok);
        }
        cli_page_row_end(p);
    }
    return list->next_page_token;
}

/* Reads declaration list's options into q (strings borrowed from argv). Returns CLI_GO_ON or
 * the exit status to stop with. */
static int
declaration_list_options(cli *c, const cli_cmd *cmd, int argc, char **argv,
                         Bzl__V1__ListDeclarations *q, bool *csv)
{
    char *state = "", *older = "";
    const cli_ledger_opt specs[] = {
        {"state", &state, false},      {"enterprise", &q->enterprise, false},
        {"book", &q->book, false},     {"from", &q->from, false},
        {"to", &q->to, false},         {"trade-mode", &q->trade_mode, false},
        {"older-than", &older, false},
    };
    const cli_ledger_flag flags[] = {{"csv", csv}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc == CLI_GO_ON && state[0] != '\0' && !cli_decl_state_parse(state, &q->state)) {
        rc = cli_usage_error(
            cmd, "--state must be pending, posted, rejected, voided or reversed, not '%s'", state);
    }
    if (rc == CLI_GO_ON && older[0] != '\0' &&
        !cli_parse_u32(older, 0, UINT32_MAX, &q->older_than_days)) {
        rc = cli_usage_error(cmd, "--older-than must be a number of days, not '%s'", older);
    }
    return rc;
}

int
cli_declaration_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListDeclarations q = BZL__V1__LIST_DECLARATIONS__INIT;
    bool csv = false;
    int rc = declaration_list_options(c, cmd, argc, argv, &q, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_DECLARATIONS;
    req.list_declarations = &q;
    return cli_read_pages(c, &req, &q.page_token, BZL__V1__RESPONSE__RESULT_DECLARATIONS,
                          decl_list_cols, BZL_ARRAY_LEN(decl_list_cols), declarations_page, csv);
}
