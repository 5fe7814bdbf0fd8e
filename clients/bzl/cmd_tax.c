/* cmd_tax.c — domestic-sale tax (docs/TAX.md): tariff and 缓税利息-rate tables, a sale's
 * assessment, both bases of the zone's selective duty, and the tax report. Every answer is a
 * daemon Table, printed by cmd_recon.c's table printer (table, --csv or --json). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int
cli_tariff_set(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__SetTariff body = BZL__V1__SET_TARIFF__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"hs", &body.hs, NULL, true},
                                   {"from", &body.from, NULL, true},
                                   {"duty", &body.duty, NULL, true},
                                   {"vat", &body.vat, NULL, false},
                                   {"excise", &body.excise, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SET_TARIFF;
    req.set_tariff = &body;
    return cli_table_call(c, &req, csv);
}

int
cli_tariff_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListTariffs body = BZL__V1__LIST_TARIFFS__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"hs", &body.hs, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    body.page_size = BZL_LIST_ROWS_MAX;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_TARIFFS;
    req.list_tariffs = &body;
    return cli_table_call(c, &req, csv);
}

int
cli_interest_set(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__SetInterestRate body = BZL__V1__SET_INTEREST_RATE__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"from", &body.from, NULL, true},
                                   {"rate", &body.rate, NULL, true}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SET_INTEREST_RATE;
    req.set_interest_rate = &body;
    return cli_table_call(c, &req, csv);
}

int
cli_interest_list(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListInterestRates body = BZL__V1__LIST_INTEREST_RATES__INIT;
    bool csv = false;
    int rc = cli_recon_opts(c, cmd, argc, argv, NULL, 0, 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_INTEREST_RATES;
    req.list_interest_rates = &body;
    return cli_table_call(c, &req, csv);
}

/* tax show and tax compare: --enterprise CODE ID. */
static int
tax_query(cli *c, const cli_cmd *cmd, int argc, char **argv, bool compare)
{
    Bzl__V1__TaxQuery body = BZL__V1__TAX_QUERY__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"enterprise", &body.enterprise, NULL, true}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 1, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    body.id = argv[optind];
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    if (compare) {
        req.body_case = BZL__V1__REQUEST__BODY_TAX_COMPARE;
        req.tax_compare = &body;
    } else {
        req.body_case = BZL__V1__REQUEST__BODY_TAX_SHOW;
        req.tax_show = &body;
    }
    return cli_table_call(c, &req, csv);
}

int
cli_tax_show(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return tax_query(c, cmd, argc, argv, false);
}

int
cli_tax_compare(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    return tax_query(c, cmd, argc, argv, true);
}

/* tax quote FILE: every basis of a domestic sale not sent yet, the file read and checked as
 * submit reads it; nothing is stored. */
int
cli_tax_quote(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    bool csv = false;
    char *encoding = NULL;
    const cli_recon_opt specs[] = {{"encoding", &encoding, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 1, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    const char *path = argv[optind];
    decl_errors errs = {0};
    decl_file f = {0};
    bzl_status st = decl_file_load(path, encoding, &errs, &f);
    if (st == BZL_OK && f.n_decls != 1) {
        decl_errors_begin(&errs, f.label);
        decl_error(&errs, 0, NULL, NULL,
                   "holds %zu declarations; tax quote takes a file of one domestic sale",
                   f.n_decls);
        st = BZL_MALFORMED;
    }
    if (st == BZL_OK) {
        Bzl__V1__TaxQuote body = BZL__V1__TAX_QUOTE__INIT;
        body.declaration = f.decl_ptrs[0];
        Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
        req.body_case = BZL__V1__REQUEST__BODY_TAX_QUOTE;
        req.tax_quote = &body;
        rc = cli_table_call(c, &req, csv);
    } else {
        rc = st == BZL_MALFORMED ? CLI_EXIT_BAD_FILE : CLI_EXIT_TRANSPORT;
    }
    decl_file_deinit(&f);
    return rc;
}

int
cli_report_tax(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__TaxReport body = BZL__V1__TAX_REPORT__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"period", &body.period, NULL, true},
                                   {"by", &body.by, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_TAX_REPORT;
    req.tax_report = &body;
    return cli_table_call(c, &req, csv);
}

/* ---- lots (next-wave.md E.4) ---------------------------------------------------------------- */

int
cli_lots(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__ListLots body = BZL__V1__LIST_LOTS__INIT;
    bool csv = false;
    bool ageing = false;
    char *kind = "";
    char *item = "";
    char *buckets = "";
    const cli_recon_opt specs[] = {
        {"book", &body.book, NULL, true}, {"kind", &kind, NULL, false},
        {"item", &item, NULL, false},     {"as-of", &body.as_of, NULL, false},
        {"ageing", NULL, &ageing, false}, {"buckets", &buckets, NULL, false}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    uint32_t bounds[BZL_LOT_BUCKETS_MAX];
    body.ageing = ageing;
    body.buckets = bounds;
    if (buckets[0] != '\0' && !ageing) {
        return cli_usage_error(cmd, "--buckets goes with --ageing");
    }
    for (char *p = buckets; *p != '\0';) {
        char *end = NULL;
        unsigned long n = strtoul(p, &end, 10);
        if (end == p || (*end != ',' && *end != '\0') || n == 0 || n > BZL_LOT_BUCKET_DAYS_MAX ||
            *p == '-' || body.n_buckets == BZL_LOT_BUCKETS_MAX ||
            (body.n_buckets > 0 && n <= bounds[body.n_buckets - 1])) {
            return cli_usage_error(cmd,
                                   "--buckets takes up to %u rising day counts such as 90,180,365, "
                                   "not '%s'",
                                   BZL_LOT_BUCKETS_MAX, buckets);
        }
        bounds[body.n_buckets++] = (uint32_t)n;
        p = *end == ',' ? end + 1 : end;
    }
    if (kind[0] != '\0' && !cli_kind_parse(kind, &body.kind)) {
        return cli_usage_error(cmd, "--kind takes material or product, not '%s'", kind);
    }
    if (item[0] != '\0') {
        char *end = NULL;
        unsigned long n = strtoul(item, &end, 10);
        if (*end != '\0' || n == 0 || n > BZL_ITEM_NO_MAX || item[0] == '-') {
            return cli_usage_error(cmd, "--item takes an item number, not '%s'", item);
        }
        if (kind[0] == '\0') {
            body.kind = BZL__V1__KIND__KIND_MATERIAL; /* lots of an item are a material's */
        }
        body.item = (uint32_t)n;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_LIST_LOTS;
    req.list_lots = &body;
    return cli_table_call(c, &req, csv);
}

int
cli_lots_method(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    Bzl__V1__SetLotMethod body = BZL__V1__SET_LOT_METHOD__INIT;
    bool csv = false;
    const cli_recon_opt specs[] = {{"book", &body.book, NULL, true},
                                   {"method", &body.method, NULL, true}};
    int rc = cli_recon_opts(c, cmd, argc, argv, specs, BZL_ARRAY_LEN(specs), 0, &csv);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SET_LOT_METHOD;
    req.set_lot_method = &body;
    return cli_table_call(c, &req, csv);
}
