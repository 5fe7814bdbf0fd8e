/* cmd_backup.c — bzl backup: ask the daemon for a consistent, compacted copy of the ledger. */
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const cli_column backup_cols[] = {
    {"PATH", false},
    {"BYTES", true},
    {"JOURNAL_ENTRIES", true},
};

/* The daemon opens the file, so the path it gets is absolute: a relative one is taken from
 * the caller's working directory. With a directory, the file is named by the local date and
 * time, bzl-YYYYmmdd-HHMMSS.mdb, which is what the backup timer relies on. */
static int
backup_path(const cli_cmd *cmd, const char *out, const char *out_dir, char *path, size_t cap)
{
    char name[PATH_MAX];
    if (out_dir != NULL) {
        time_t now = time(NULL);
        struct tm tm;
        char stamp[32];
        localtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(name, sizeof name, "%s/bzl-%s.mdb", out_dir, stamp);
    } else {
        snprintf(name, sizeof name, "%s", out);
    }
    char cwd[PATH_MAX] = "";
    if (name[0] != '/' && getcwd(cwd, sizeof cwd) == NULL) {
        return cli_usage_error(cmd, "cannot resolve a relative path: no working directory");
    }
    int n = snprintf(path, cap, "%s%s%s", cwd, cwd[0] != '\0' ? "/" : "", name);
    if (n < 0 || (size_t)n >= cap) {
        return cli_usage_error(cmd, "the backup path is too long");
    }
    return CLI_GO_ON;
}

int
cli_backup(cli *c, const cli_cmd *cmd, int argc, char **argv)
{
    enum { OPT_OUT = 'o', OPT_OUT_DIR = 'd' };
    static const struct option opts[] = {{"out", required_argument, NULL, OPT_OUT},
                                         {"out-dir", required_argument, NULL, OPT_OUT_DIR},
                                         CLI_COMMON_OPTIONS};
    const char *out = NULL, *out_dir = NULL;
    int stop = CLI_EXIT_OK;
    int opt = 0;
    cli_opts_begin();
    while ((opt = cli_next_opt(c, cmd, argc, argv, opts, &stop)) >= 0) {
        if (opt == OPT_OUT) {
            out = optarg;
        } else if (opt == OPT_OUT_DIR) {
            out_dir = optarg;
        }
    }
    if (opt == CLI_OPTS_STOP) {
        return stop;
    }
    if (optind < argc) {
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    }
    if ((out == NULL) == (out_dir == NULL)) {
        return cli_usage_error(cmd, "give exactly one of --out FILE and --out-dir DIR");
    }
    char path[PATH_MAX];
    int rc = backup_path(cmd, out, out_dir, path, sizeof path);
    if (rc != CLI_GO_ON) {
        return rc;
    }
    Bzl__V1__Backup b = BZL__V1__BACKUP__INIT;
    b.out = path;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BACKUP;
    req.backup = &b;
    Bzl__V1__Response *resp = NULL;
    rc = cli_call(c, &req, BZL__V1__RESPONSE__RESULT_BACKUP, &resp);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    const Bzl__V1__BackupResult *r = resp->backup;
    cli_table t;
    json_t *doc = NULL;
    bool ok = true;
    cli_table_init(&t, backup_cols, BZL_ARRAY_LEN(backup_cols));
    if (c->json) {
        doc = json_object();
        cli_json_put(doc, "path", cli_json_str(r->path), &ok);
        cli_json_put(doc, "bytes", cli_json_u64(r->bytes), &ok);
        cli_json_put(doc, "journal_entries", cli_json_u64(r->journal_entries), &ok);
    } else {
        cli_table_add(&t, r->path);
        cli_table_addf(&t, "%llu", (unsigned long long)r->bytes);
        cli_table_addf(&t, "%llu", (unsigned long long)r->journal_entries);
    }
    rc = cli_emit(c, &t, doc, ok);
    json_decref(doc);
    cli_table_deinit(&t);
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}
