/* cmd_ledger.c — the bonded ledger's commands that change it: bom set, item mode, post, void,
 * reject, reverse, period close. Each prints what the daemon recorded. */
#include "cli.h"

#include <string.h>

/* ---- a small table-driven option reader shared by the ledger commands -------------------- */

/* getopt values of the i-th valued option and the i-th flag: above CLI_OPT_* and apart, since
 * a command has far fewer than 0x80 options (opts[] holds 24). */
enum { OPT_SPEC = 0x200, OPT_FLAG = 0x280 };

int
cli_ledger_opts_flags(cli *c, const cli_cmd *cmd, int argc, char **argv,
                      const cli_ledger_opt *specs, size_t n_specs, const cli_ledger_flag *flags,
                      size_t n_flags, int positional)
{
    struct option opts[24];
    static const struct option common[] = {CLI_COMMON_OPTIONS};
    BZL_ASSERT(n_specs + n_flags + BZL_ARRAY_LEN(common) <= BZL_ARRAY_LEN(opts));
    for (size_t i = 0; i < n_specs; i++) {
        opts[i] = (struct option){specs[i].name, required_argument, NULL, OPT_SPEC + (int)i};
    }
    for (size_t i = 0; i < n_flags; i++) {
        opts[n_specs + i] = (struct option){flags[i].name, no_argument, NULL, OPT_FLAG + (int)i};
        *flags[i].set = false;
    }
    memcpy(&opts[n_specs + n_flags], common, sizeof common);
    int rc = CLI_GO_ON;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt >= OPT_SPEC && opt < OPT_SPEC + (int)n_specs) {
            *specs[opt - OPT_SPEC].value = optarg;
        } else if (opt >= OPT_FLAG && opt < OPT_FLAG + (int)n_flags) {
            *flags[opt - OPT_FLAG].set = true;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        rc = stop;
    }
    if (rc == CLI_GO_ON && argc - optind != positional) {
        rc = positional == 0 ? cli_usage_error(cmd, "unexpected argument '%s'", argv[optind])
                             : cli_usage_error(cmd, "expected exactly one declaration id");
    }
    for (size_t i = 0; rc == CLI_GO_ON && i < n_specs; i++) {
        if (specs[i].required && **specs[i].value == '\0') {
            rc = cli_usage_error(cmd, "--%s is required", specs[i].name);
        }
    }
    return rc;
}

int
cli_ledger_opts(cli *c, const cli_cmd *cmd, int argc, char **argv, const cli_ledger_opt *specs,
                size_t n_specs, int positional)
{
    return cli_ledger_opts_flags(c, cmd, argc, argv, specs, n_specs, NULL, 0, positional);
}

bool
cli_ledger_item(const cli_cmd *cmd, const char *text, const char *what, uint32_t *out, int *rc)
{
    if (text[0] == '\0' && *rc == CLI_GO_ON) {
        *out = 0;
        return true;
    }
    if (*rc == CLI_GO_ON && !cli_parse_u32(text, 1, BZL_ITEM_NO_MAX, out)) {
        *rc = cli_usage_error(cmd, "--%s must be an item number from 1 to %u, not '%s'", what,
                              BZL_ITEM_NO_MAX, text);
    }
    return *rc == CLI_GO_ON;
}

/* ---- printing an action ------------------------------------------------------------------- */

static const cli_column action_cols[] = {
    {"ACTION", false}, {"SUBJECT", false}, {"SEQ", true}, {"STATE", false}, {"NOTE", false}};

static int
action_print(const cli *c, const char *action, const char *subject, const Bzl__V1__ActionResult *r)
{
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    cli_table_init(&t, action_cols, BZL_ARRAY_LEN(action_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "action", cli_json_str(action), &ok);
        cli_json_put(doc, "subject", cli_json_str(subject), &ok);
        cli_json_put(doc, "seq", cli_json_u64(r->seq), &ok);
        cli_json_put(doc, "replayed", json_boolean(r->replayed), &ok);
        cli_json_put(doc, "state", cli_json_str(r->state), &ok);
        if (r->norm != NULL) {
            cli_json_put(doc, "unit_consumption", cli_json_str(r->norm->unit_consumption), &ok);
        }
    } else {
        cli_table_add(&t, action);
        cli_table_add(&t, subject);
        cli_table_addf(&t, "%llu", (unsigned long long)r->seq);
        cli_table_add(&t, r->state);
        if (r->norm != NULL) {
            cli_table_addf(&t, "%sunit consumption %s", r->replayed ? "replayed; " : "",
                           r->norm->unit_consumption);
        } else {
            cli_table_add(&t, r->replayed ? "replayed" : "");
        }
    }
    int rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    return rc;
}

/* Sends req and prints its ActionResult. */
static int
action_call(cli *c, Bzl__V1__Request *req, const char *action, const char *subject)
{
    Bzl__V1__Response *resp = NULL;
    int rc = cli_call(c, req, BZL__V1__RESPONSE__RESULT_ACTION, &resp);
    if (rc == CLI_EXIT_OK) {
        rc = action_print(c, action, subject, resp->action);
        bzl__v1__response__free_unpacked(resp, NULL);
    }
    return rc;
}

/* ---- commands ------------------------------------------------------------------------------ */

int
cli_bom_set(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__Norm n = BZL__V1__NORM__INIT;
    char *book = "", *product = "", *material = "", *from = "";
    const cli_ledger_opt specs[] = {
        {"book", &book, true},
        {"product", &product, true},
        {"material", &material, true},
        {"version", &n.version, true},
        {"net", &n.net, true},
        {"tangible-loss", &n.tangible_loss, true},
        {"intangible-loss", &n.intangible_loss, true},
        {"bonded-share", &n.bonded_share, false},
        {"from", &from, false},
    };
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    cli_ledger_item(cmd, product, "product", &n.product, &rc);
    cli_ledger_item(cmd, material, "material", &n.material, &rc);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    n.book = book;
    n.valid_from = from;
    Bzl__V1__SetNorm body = BZL__V1__SET_NORM__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    body.norm = &n;
    req.body_case = BZL__V1__REQUEST__BODY_SET_NORM;
    req.set_norm = &body;
    char subject[96];
    snprintf(subject, sizeof subject, "%s product %s material %s version %s", book, product,
             material, n.version);
    return action_call(c, &req, "bom set", subject);
}

int
cli_item_mode(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__SetItemMode body = BZL__V1__SET_ITEM_MODE__INIT;
    char *seq = "", *mode = "";
    const cli_ledger_opt specs[] = {
        {"book", &body.book, true},
        {"seq", &seq, true},
        {"mode", &mode, true},
        {"from", &body.from, true},
    };
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0);
    cli_ledger_item(cmd, seq, "seq", &body.item, &rc);
    if (rc == CLI_GO_ON && (!cli_mode_parse(mode, &body.mode) || body.mode == 0)) {
        rc = cli_usage_error(cmd, "--mode must be OEM, ODM or OBM, not '%s'", mode);
    }
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SET_ITEM_MODE;
    req.set_item_mode = &body;
    char subject[64];
    snprintf(subject, sizeof subject, "%s product %s %s from %s", body.book, seq, mode, body.from);
    return action_call(c, &req, "item mode", subject);
}

/* post, void, reject, reverse: --enterprise CODE ID [--reason TEXT]. */
static int
declaration_action(cli *c, const cli_cmd *cmd, int argc, char **argv, bool reason_required)
{
    Bzl__V1__DeclarationRef ref = BZL__V1__DECLARATION_REF__INIT;
    const cli_ledger_opt specs[] = {
        {"enterprise", &ref.enterprise, true},
        {"reason", &ref.reason, reason_required},
    };
    size_t n_specs = strcmp(cmd->name, "post") == 0 ? 1 : 2;
    int rc = cli_ledger_opts(c, cmd, argc, argv, specs, n_specs, 1);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    ref.id = argv[optind];
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    if (strcmp(cmd->name, "post") == 0) {
        req.body_case = BZL__V1__REQUEST__BODY_POST_DECLARATION;
        req.post_declaration = &ref;
    } else if (strcmp(cmd->name, "void") == 0) {
        req.body_case = BZL__V1__REQUEST__BODY_VOID_DECLARATION;
        req.void_declaration = &ref;
    } else if (strcmp(cmd->name, "reject") == 0) {
        req.body_case = BZL__V1__REQUEST__BODY_REJECT_DECLARATION;
        req.reject_declaration = &ref;
    } else {
        req.body_case = BZL__V1__REQUEST__BODY_REVERSE_DECLARATION;
        req.reverse_declaration = &ref;
    }
    char subject[96];
    snprintf(subject, sizeof subject, "%s %s", ref.enterprise, ref.id);
    return action_call(c, &req, cmd->name, subject);
}

int
cli_post(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return declaration_action(c, cmd, argc, argv, false);
}

int
cli_void(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return declaration_action(c, cmd, argc, argv, false);
}

int
cli_reject(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return declaration_action(c, cmd, argc, argv, true);
}

int
cli_reverse(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return declaration_action(c, cmd, argc, argv, true);
}

int
cli_period_close(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ClosePeriod body = BZL__V1__CLOSE_PERIOD__INIT;
    bool force = false;
    const cli_ledger_opt specs[] = {
        {"book", &body.book, true},
        {"through", &body.through, true},
    };
    /* The daemon refuses a date after its today unless forced: a period never reopens. */
    const cli_ledger_flag flags[] = {{"force", &force}};
    int rc = cli_ledger_opts_flags(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), flags,
                                   BZL_ARRAY_LEN(flags), 0);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    body.force = force;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_CLOSE_PERIOD;
    req.close_period = &body;
    char subject[64];
    snprintf(subject, sizeof subject, "%s through %s%s", body.book, body.through,
             force ? " (forced)" : "");
    return action_call(c, &req, "period close", subject);
}
