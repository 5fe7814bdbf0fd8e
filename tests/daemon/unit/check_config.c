/* check_config.c — proves daemon/config.c in-process: the embedded defaults pass the relation
 * checks; a file's [limits] override them and [access] becomes rules (uid, gid, enterprise
 * scope, implicit_admin); an unknown key, a bound broken or a bad enterprise code is refused
 * with "FILE:LINE: key: reason" and leaves the caller's configuration as it was; a missing file
 * is an I/O error; the relations between limits are checked once everything is applied. The
 * checkpoint key (checkpoint_key.c): its path from [daemon] checkpoint_key (absolute only) or
 * beside the data directory; made 0600 on first use and the same key read back; refused when
 * group/world readable, a symlink, of another size or inside the data directory. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzl/calendar.h"
#include "bzl/storage_receipt.h"
#include "checkpoint_key.h"
#include "config.h"

/* Writes text to a fresh temporary file; its path in path[64]. */
static void
write_conf(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/bzld-check-config-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static bzl_status
load(const char *text, bzld_config *cfg, bzld_access_table *t, char *why, size_t cap)
{
    char path[64];
    write_conf(path, text);
    bzld_config_defaults(cfg);
    bzld_access_table_init(t);
    bzl_status st = bzld_config_load(path, cfg, t, why, cap);
    unlink(path);
    return st;
}

START_TEST(config_defaults_pass_the_relation_checks)
{
    bzld_config cfg;
    bzld_config_defaults(&cfg);
    char why[256] = "";
    ck_assert_msg(bzld_config_check(&cfg, why, sizeof why) == BZL_OK, "%s", why);
    ck_assert_uint_gt(cfg.frame_bytes_max, 0);
    ck_assert_uint_gt(cfg.decl_lines_max, 0);
}
END_TEST

START_TEST(config_file_overrides_limits_and_reads_access_rules)
{
    bzld_config cfg;
    bzld_access_table t;
    char why[256] = "";
    bzl_status st = load("[limits]\n"
                         "idle_timeout_ms = 10000\n"
                         "declaration_lines = 50\n"
                         "[access]\n"
                         "customs = uid:3001\n"
                         "enterprise.6201230002 = gid:3500\n"
                         "implicit_admin = no\n",
                         &cfg, &t, why, sizeof why);
    ck_assert_msg(st == BZL_OK, "%s", why);
    ck_assert_uint_eq(cfg.idle_timeout_ms, 10000);
    ck_assert_uint_eq(cfg.decl_lines_max, 50);
    ck_assert_uint_eq(t.count, 2);
    ck_assert(!t.implicit_admin);
    ck_assert_int_eq(t.rules[0].role, BZLD_ROLE_CUSTOMS);
    ck_assert(!t.rules[0].by_gid);
    ck_assert_uint_eq(t.rules[0].id, 3001);
    ck_assert_int_eq(t.rules[1].role, BZLD_ROLE_ENTERPRISE);
    ck_assert(t.rules[1].by_gid);
    ck_assert_str_eq(t.rules[1].enterprise, "6201230002");
    bzld_access_table_deinit(&t);
}
END_TEST

/* [tax]: the defaults are the reference's (end − start, interest on the total, no small-amount
 * rule, RMB 50, the 2020-04-15…2020-12-31 window); every key overrides its rule; a bad value is
 * refused naming the key. */
START_TEST(config_tax_keys_override_the_reference_defaults)
{
    bzld_config cfg;
    bzld_access_table t;
    char why[256] = "";
    bzld_config_defaults(&cfg);
    ck_assert_uint_eq(cfg.tax_rules.day_count, BZL_DAYS_END_MINUS_START);
    ck_assert_uint_eq(cfg.tax_rules.interest_on, BZL_INTEREST_ON_TOTAL);
    ck_assert(!cfg.tax_rules.small_exempt);
    ck_assert_int_eq(cfg.tax_rules.small_limit_e5, 5000000);
    ck_assert_int_eq(cfg.tax_rules.exempt_from, bzl_date_from_civil(2020, 4, 15));
    ck_assert_int_eq(cfg.tax_rules.exempt_through, bzl_date_from_civil(2020, 12, 31));
    bzl_status st = load("[tax]\n"
                         "interest_day_count = inclusive\n"
                         "interest_on = per_tax\n"
                         "small_amount_exemption = yes\n"
                         "small_amount_cny = 10.5\n"
                         "interest_exempt_from = 2020-04-15\n"
                         "interest_exempt_through = 2021-12-31\n",
                         &cfg, &t, why, sizeof why);
    ck_assert_msg(st == BZL_OK, "%s", why);
    ck_assert_uint_eq(cfg.tax_rules.day_count, BZL_DAYS_INCLUSIVE);
    ck_assert_uint_eq(cfg.tax_rules.interest_on, BZL_INTEREST_ON_PER_TAX);
    ck_assert(cfg.tax_rules.small_exempt);
    ck_assert_int_eq(cfg.tax_rules.small_limit_e5, 1050000);
    ck_assert_int_eq(cfg.tax_rules.exempt_through, bzl_date_from_civil(2021, 12, 31));
    bzld_access_table_deinit(&t);
    static const char *const bad[] = {
        "[tax]\ninterest_day_count = both\n",         "[tax]\ninterest_on = sum\n",
        "[tax]\nsmall_amount_exemption = 1\n",        "[tax]\nsmall_amount_cny = -1\n",
        "[tax]\ninterest_exempt_from = 2020-02-30\n", "[tax]\nrate = 1\n"};
    static const char *const named[] = {"interest_day_count",     "interest_on",
                                        "small_amount_exemption", "small_amount_cny",
                                        "interest_exempt_from",   "rate"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(load(bad[i], &cfg, &t, why, sizeof why), BZL_INVALID_ARGUMENT);
        ck_assert_msg(strstr(why, named[i]) != NULL, "%s", why);
        bzld_access_table_deinit(&t);
    }
}
END_TEST

/* [receipts] diff_figure: in_qty by default (docs/INV101.md), actl when set; another word is
 * refused naming the key, an unknown key naming the section. */
START_TEST(config_receipts_diff_figure)
{
    bzld_config cfg;
    bzld_access_table t;
    char why[256] = "";
    bzld_config_defaults(&cfg);
    ck_assert_uint_eq(cfg.receipt_diff_figure, BZL_RECEIPT_FIGURE_IN_QTY);
    bzl_status st = load("[receipts]\ndiff_figure = actl\n", &cfg, &t, why, sizeof why);
    ck_assert_msg(st == BZL_OK, "%s", why);
    ck_assert_uint_eq(cfg.receipt_diff_figure, BZL_RECEIPT_FIGURE_ACTL);
    bzld_access_table_deinit(&t);
    ck_assert_int_eq(load("[receipts]\ndiff_figure = inqty\n", &cfg, &t, why, sizeof why),
                     BZL_INVALID_ARGUMENT);
    ck_assert_msg(strstr(why, "diff_figure: \"inqty\" is not in_qty or actl") != NULL, "%s", why);
    bzld_access_table_deinit(&t);
    ck_assert_int_eq(load("[receipts]\nfigure = actl\n", &cfg, &t, why, sizeof why),
                     BZL_INVALID_ARGUMENT);
    ck_assert_msg(strstr(why, "unknown key \"figure\" in [receipts]") != NULL, "%s", why);
    bzld_access_table_deinit(&t);
}
END_TEST

START_TEST(config_refusals_name_file_line_and_key)
{
    static const struct {
        const char *text;
        const char *line_and_key; /* after "FILE:" */
    } cases[] = {
        {"[limits]\nno_such_limit = 3\n", "2: unknown key \"no_such_limit\" in [limits]"},
        {"[limits]\n\ndeclaration_lines = 0\n",
         "3: declaration_lines: \"0\" is not a whole number"},
        {"[access]\nenterprise.62012 = uid:1\n", "2: enterprise.62012: \"62012\" is not a 10-char"},
        {"[nowhere]\nx = 1\n", "2: unknown section [nowhere]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bzld_config cfg;
        bzld_access_table t;
        char why[256] = "";
        ck_assert_int_eq(load(cases[i].text, &cfg, &t, why, sizeof why), BZL_INVALID_ARGUMENT);
        const char *colon = strchr(why, ':');
        ck_assert_ptr_nonnull(colon);
        ck_assert_msg(strncmp(colon + 1, cases[i].line_and_key, strlen(cases[i].line_and_key)) == 0,
                      "case %zu: %s", i, why);
        bzld_access_table_deinit(&t);
    }
}
END_TEST

START_TEST(config_missing_file_is_an_io_error)
{
    bzld_config cfg;
    bzld_access_table t;
    bzld_config_defaults(&cfg);
    bzld_access_table_init(&t);
    char why[256] = "";
    ck_assert_int_eq(bzld_config_load("/nonexistent/bzld.conf", &cfg, &t, why, sizeof why),
                     BZL_IO_ERROR);
    ck_assert_ptr_nonnull(strstr(why, "cannot read the configuration file"));
    bzld_access_table_deinit(&t);
}
END_TEST

START_TEST(config_check_refuses_per_uid_connections_above_the_total)
{
    bzld_config cfg;
    bzld_config_defaults(&cfg);
    cfg.connections_max = 4;
    cfg.connections_per_uid_max = 5;
    char why[256] = "";
    ck_assert_int_eq(bzld_config_check(&cfg, why, sizeof why), BZL_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(why, "connections_per_uid (5) is above connections (4)"));
}
END_TEST

START_TEST(config_checkpoint_key_is_absolute_or_beside_the_data)
{
    bzld_config cfg;
    bzld_access_table t;
    char why[256] = "";
    char path[512];
    bzld_config_defaults(&cfg);
    snprintf(cfg.data_dir, sizeof cfg.data_dir, "/srv/zone//");
    ck_assert(bzld_checkpoint_key_path(&cfg, path, sizeof path));
    ck_assert_str_eq(path, "/srv/zone-keys/checkpoint.key");
    ck_assert_int_eq(load("[daemon]\ncheckpoint_key = /etc/bzl/k\n", &cfg, &t, why, sizeof why),
                     BZL_OK);
    bzld_access_table_deinit(&t);
    ck_assert(bzld_checkpoint_key_path(&cfg, path, sizeof path));
    ck_assert_str_eq(path, "/etc/bzl/k");
    ck_assert_int_eq(load("[daemon]\ncheckpoint_key = keys/k\n", &cfg, &t, why, sizeof why),
                     BZL_INVALID_ARGUMENT);
    bzld_access_table_deinit(&t);
    ck_assert_ptr_nonnull(strstr(why, ":2: checkpoint_key: want an absolute path"));
}
END_TEST

/* Removes a scratch tree made by key_tree. */
static void
key_tree_remove(const char *root)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

/* A scratch tree: ROOT/data and ROOT/data-keys. */
static void
key_tree(char root[64], char data[96], char key[128])
{
    snprintf(root, 64, "/tmp/bzld-check-key-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(data, 96, "%s/data", root);
    snprintf(key, 128, "%s/data-keys/checkpoint.key", root);
    ck_assert_int_eq(mkdir(data, 0700), 0);
}

START_TEST(checkpoint_key_is_made_0600_and_read_back)
{
    char root[64], data[96], key[128], why[512] = "";
    uint8_t sk[BZLD_CHECKPOINT_SK_BYTES], again[BZLD_CHECKPOINT_SK_BYTES];
    key_tree(root, data, key);
    ck_assert_msg(bzld_checkpoint_key_open(key, data, sk, why, sizeof why) == BZL_OK, "%s", why);
    struct stat st;
    ck_assert_int_eq(stat(key, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, BZLD_CHECKPOINT_SK_BYTES);
    ck_assert_msg(bzld_checkpoint_key_open(key, data, again, why, sizeof why) == BZL_OK, "%s", why);
    ck_assert_mem_eq(sk, again, sizeof sk);
    key_tree_remove(root);
}
END_TEST

START_TEST(checkpoint_key_refused_when_others_may_read_it_or_it_is_a_link)
{
    char root[64], data[96], key[128], why[512] = "", real[160];
    uint8_t sk[BZLD_CHECKPOINT_SK_BYTES];
    key_tree(root, data, key);
    ck_assert_int_eq(bzld_checkpoint_key_open(key, data, sk, why, sizeof why), BZL_OK);
    ck_assert_int_eq(chmod(key, 0640), 0);
    ck_assert_int_eq(bzld_checkpoint_key_open(key, data, sk, why, sizeof why),
                     BZL_PERMISSION_DENIED);
    ck_assert_ptr_nonnull(strstr(why, "readable or writable by group or others"));
    ck_assert_int_eq(chmod(key, 0600), 0);
    snprintf(real, sizeof real, "%s/real.key", root);
    ck_assert_int_eq(rename(key, real), 0);
    ck_assert_int_eq(symlink(real, key), 0);
    ck_assert_int_eq(bzld_checkpoint_key_open(key, data, sk, why, sizeof why),
                     BZL_PERMISSION_DENIED);
    ck_assert_ptr_nonnull(strstr(why, "is a symbolic link"));
    key_tree_remove(root);
}
END_TEST

START_TEST(checkpoint_key_refused_when_damaged_or_inside_the_data)
{
    char root[64], data[96], key[128], why[512] = "", inside[160];
    uint8_t sk[BZLD_CHECKPOINT_SK_BYTES];
    key_tree(root, data, key);
    ck_assert_int_eq(bzld_checkpoint_key_open(key, data, sk, why, sizeof why), BZL_OK);
    ck_assert_int_eq(truncate(key, 32), 0);
    ck_assert_int_eq(bzld_checkpoint_key_open(key, data, sk, why, sizeof why), BZL_CORRUPT);
    ck_assert_ptr_nonnull(strstr(why, "is not a key bzld wrote"));
    snprintf(inside, sizeof inside, "%s/keys/checkpoint.key", data);
    ck_assert_int_eq(bzld_checkpoint_key_open(inside, data, sk, why, sizeof why),
                     BZL_PERMISSION_DENIED);
    ck_assert_ptr_nonnull(strstr(why, "inside the data directory"));
    key_tree_remove(root);
}
END_TEST

static Suite *
config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, config_defaults_pass_the_relation_checks);
    tcase_add_test(tc, config_file_overrides_limits_and_reads_access_rules);
    tcase_add_test(tc, config_refusals_name_file_line_and_key);
    tcase_add_test(tc, config_tax_keys_override_the_reference_defaults);
    tcase_add_test(tc, config_receipts_diff_figure);
    tcase_add_test(tc, config_missing_file_is_an_io_error);
    tcase_add_test(tc, config_check_refuses_per_uid_connections_above_the_total);
    tcase_add_test(tc, config_checkpoint_key_is_absolute_or_beside_the_data);
    tcase_add_test(tc, checkpoint_key_is_made_0600_and_read_back);
    tcase_add_test(tc, checkpoint_key_refused_when_others_may_read_it_or_it_is_a_link);
    tcase_add_test(tc, checkpoint_key_refused_when_damaged_or_inside_the_data);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
