/* config.c — embedded defaults and the INI configuration file (parsed with inih). */
#include "config.h"

#include "bzl/storage_receipt.h"
#include "bzl/transfer.h"

#include <errno.h>
#include <grp.h>
#include <ini.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/calendar.h"
#include "bzl/decimal.h"
#include "log.h"

void
bzld_config_defaults(bzld_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->data_dir, sizeof cfg->data_dir, "bzl-data");
    cfg->frame_bytes_max = BZL_FRAME_BYTES_DEFAULT;
    cfg->decl_lines_max = BZL_DECL_LINES_DEFAULT;
    cfg->batch_decls_max = BZL_BATCH_DECLS_DEFAULT;
    cfg->connections_max = BZL_CONNECTIONS_DEFAULT;
    cfg->connections_per_uid_max = BZL_CONNECTIONS_PER_UID_DEFAULT;
    cfg->write_queue_max = BZL_WRITE_QUEUE_DEFAULT;
    cfg->idle_timeout_ms = BZL_IDLE_TIMEOUT_MS_DEFAULT;
    cfg->conn_inflight_max = BZL_CONN_INFLIGHT_MAX;
    cfg->conn_out_bytes_high = BZL_CONN_OUT_BYTES_HIGH;
    cfg->drain_timeout_ms = BZL_DRAIN_TIMEOUT_MS_DEFAULT;
    cfg->staff_connections = BZL_STAFF_CONNECTIONS_DEFAULT;
    cfg->uid_memory_max = BZL_UID_MEMORY_DEFAULT;
    cfg->map_bytes = BZL_MAP_BYTES_INITIAL;
    cfg->map_bytes_max = BZL_MAP_BYTES_MAX_DEFAULT;
    cfg->repair_disposal_days = BZL_REPAIR_DISPOSAL_DAYS_DEFAULT;
    cfg->repair_warn_days = BZL_REPAIR_WARN_DAYS_DEFAULT;
    cfg->repair_cycle_days = BZL_REPAIR_CYCLE_DAYS_DEFAULT;
    cfg->transfer_declare_days = BZL_TRANSFER_DECLARE_DAYS_DEFAULT;
    cfg->receipt_diff_figure = BZL_RECEIPT_FIGURE_IN_QTY;
    bzl_tax_rules_default(&cfg->tax_rules);
}

/* ---- parsing state -------------------------------------------------------------------------- */

typedef struct parse_ctx {
    const char *path;
    bzld_config *cfg; /* NULL: only [access] is read */
    bzld_access_table *access;
    char error[256]; /* the first error, without file and line */
} parse_ctx;

static int fail(parse_ctx *ctx, const char *fmt, ...) BZL_PRINTF(2, 3);

/* Records the first error; returns 0, which makes inih report the line. */
static int
fail(parse_ctx *ctx, const char *fmt, ...)
{
    if (ctx->error[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->error, sizeof ctx->error, fmt, ap);
        va_end(ap);
    }
    return 0;
}

/* Parses decimal digits only into [min, max]. */
static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

/* ---- [daemon] ---------------------------------------------------------------------------------
 */

static bool
resolve_group(const char *value, uint32_t *gid)
{
    uint64_t n = 0;
    if (parse_u64(value, 0, UINT32_MAX - 1, &n)) {
        *gid = (uint32_t)n;
        return true;
    }
    struct group *g = getgrnam(value);
    if (g == NULL) {
        return false;
    }
    *gid = (uint32_t)g->gr_gid;
    return true;
}

static int
daemon_key(parse_ctx *ctx, const char *name, const char *value)
{
    bzld_config *cfg = ctx->cfg;
    if (strcmp(name, "data") == 0) {
        if (strlen(value) == 0 || strlen(value) >= sizeof cfg->data_dir) {
            return fail(ctx, "data: the path is empty or longer than %zu bytes",
                        sizeof cfg->data_dir - 1);
        }
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", value);
    } else if (strcmp(name, "socket") == 0) {
        if (strlen(value) == 0 || strlen(value) >= sizeof cfg->socket_path) {
            return fail(ctx, "socket: the path is empty or longer than %zu bytes",
                        sizeof cfg->socket_path - 1);
        }
        snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s", value);
    } else if (strcmp(name, "socket_group") == 0) {
        if (!resolve_group(value, &cfg->socket_gid)) {
            return fail(ctx, "socket_group: no group \"%.64s\"", value);
        }
        cfg->socket_group_set = true;
    } else if (strcmp(name, "checkpoint_key") == 0) {
        if (value[0] != '/' || strlen(value) >= sizeof cfg->checkpoint_key) {
            return fail(ctx, "checkpoint_key: want an absolute path shorter than %zu bytes",
                        sizeof cfg->checkpoint_key);
        }
        snprintf(cfg->checkpoint_key, sizeof cfg->checkpoint_key, "%s", value);
    } else if (strcmp(name, "log_level") == 0) {
        static const char *const levels[] = {"err", "warning", "notice", "info", "debug"};
        for (size_t i = 0; i < BZL_ARRAY_LEN(levels); i++) {
            if (strcmp(value, levels[i]) == 0) {
                cfg->log_level = BZLD_LOG_ERR + (int)i;
                return 1;
            }
        }
        return fail(ctx, "log_level: \"%.32s\" is not err, warning, notice, info or debug", value);
    } else {
        return fail(ctx, "unknown key \"%.64s\" in [daemon]", name);
    }
    return 1;
}

/* ---- [limits] ---------------------------------------------------------------------------------
 */

typedef struct limit_key {
    const char *name;
    size_t offset; /* in bzld_config */
    bool wide;     /* uint64_t rather than uint32_t */
    uint64_t floor;
    uint64_t ceiling;
} limit_key;

#define LIMIT32(key, field, lo, hi)                                                                \
    {                                                                                              \
        key, offsetof(bzld_config, field), false, lo, hi                                           \
    }
#define LIMIT64(key, field, lo, hi)                                                                \
    {                                                                                              \
        key, offsetof(bzld_config, field), true, lo, hi                                            \
    }

static const limit_key limit_keys[] = {
    LIMIT32("connections", connections_max, 1, BZL_CONNECTIONS_CEILING),
    LIMIT32("connections_per_uid", connections_per_uid_max, 1, BZL_CONNECTIONS_CEILING),
    LIMIT32("frame_bytes", frame_bytes_max, BZL_FRAME_BYTES_FLOOR, BZL_FRAME_BYTES_CEILING),
    LIMIT32("batch_declarations", batch_decls_max, 1, BZL_BATCH_DECLS_CEILING),
    LIMIT32("declaration_lines", decl_lines_max, 1, BZL_DECL_LINES_CEILING),
    LIMIT32("write_queue", write_queue_max, 1, BZL_WRITE_QUEUE_CEILING),
    LIMIT32("conn_inflight", conn_inflight_max, 1, BZL_CONN_INFLIGHT_CEILING),
    LIMIT32("conn_out_bytes_high", conn_out_bytes_high, BZL_FRAME_BYTES_FLOOR,
            BZL_CONN_OUT_BYTES_CEILING),
    LIMIT32("idle_timeout_ms", idle_timeout_ms, BZL_IDLE_TIMEOUT_MS_FLOOR,
            BZL_IDLE_TIMEOUT_MS_CEILING),
    LIMIT32("drain_timeout_ms", drain_timeout_ms, BZL_IDLE_TIMEOUT_MS_FLOOR,
            BZL_IDLE_TIMEOUT_MS_CEILING),
    LIMIT32("staff_connections", staff_connections, 0, BZL_CONNECTIONS_CEILING - 1),
    LIMIT64("uid_memory", uid_memory_max, 2u * BZL_FRAME_BYTES_FLOOR, BZL_UID_MEMORY_CEILING),
    LIMIT64("map_bytes", map_bytes, 1u << 20, BZL_MAP_BYTES_MAX_DEFAULT * 16),
    LIMIT64("map_bytes_max", map_bytes_max, 1u << 20, BZL_MAP_BYTES_MAX_DEFAULT * 16),
};

/* [zone]: the zone's own figures for rules the reference leaves to its 监管方案 (next-wave.md
 * §C.4), each a documented, configurable default (bzld.conf(5)). */
static const limit_key zone_keys[] = {
    LIMIT32("repair_disposal_days", repair_disposal_days, 1, BZL_BOOK_PERIOD_DAYS_MAX),
    LIMIT32("repair_warn_days", repair_warn_days, 0, BZL_BOOK_PERIOD_DAYS_MAX),
    LIMIT32("repair_cycle_days", repair_cycle_days, 1, BZL_BOOK_PERIOD_DAYS_MAX),
    LIMIT32("transfer_declare_days", transfer_declare_days, 1, BZL_BOOK_PERIOD_DAYS_MAX),
};

/* name = value of a numeric key in table[n] (section names it in the error). */
static int
numeric_key(parse_ctx *ctx, const limit_key *table, size_t n_keys, const char *section,
            const char *name, const char *value)
{
    for (size_t i = 0; i < n_keys; i++) {
        const limit_key *k = &table[i];
        if (strcmp(name, k->name) != 0) {
            continue;
        }
        uint64_t v = 0;
        if (!parse_u64(value, k->floor, k->ceiling, &v)) {
            return fail(ctx, "%s: \"%.32s\" is not a whole number from %" PRIu64 " to %" PRIu64,
                        name, value, k->floor, k->ceiling);
        }
        char *field = (char *)ctx->cfg + k->offset;
        if (k->wide) {
            uint64_t w = v;
            memcpy(field, &w, sizeof w);
        } else {
            uint32_t n = (uint32_t)v;
            memcpy(field, &n, sizeof n);
        }
        ctx->cfg->staff_connections_set |= strcmp(name, "staff_connections") == 0;
        return 1;
    }
    return fail(ctx, "unknown key \"%.64s\" in [%s]", name, section);
}

/* ---- [access] ---------------------------------------------------------------------------------
 */

/* One `uid:N`, `gid:N`, `user:NAME` or `group:NAME` into (by_gid, id). */
static bool
principal_parse(const char *item, bool *by_gid, uint32_t *id)
{
    uint64_t n = 0;
    if (strncmp(item, "uid:", 4) == 0 || strncmp(item, "gid:", 4) == 0) {
        *by_gid = item[0] == 'g';
        if (!parse_u64(item + 4, 0, UINT32_MAX - 1, &n)) {
            return false;
        }
        *id = (uint32_t)n;
        return true;
    }
    if (strncmp(item, "user:", 5) == 0) {
        struct passwd *pw = getpwnam(item + 5);
        *by_gid = false;
        *id = pw != NULL ? (uint32_t)pw->pw_uid : 0;
        return pw != NULL;
    }
    if (strncmp(item, "group:", 6) == 0) {
        *by_gid = true;
        return resolve_group(item + 6, id);
    }
    return false;
}

/* Enterprise codes already named for (by_gid, id), to keep a scope within its bound. */
static size_t
scope_count(const bzld_access_table *t, bool by_gid, uint32_t id)
{
    size_t n = 0;
    for (size_t i = 0; i < t->count; i++) {
        const bzld_access_rule *r = &t->rules[i];
        n += r->role == BZLD_ROLE_ENTERPRISE && r->by_gid == by_gid && r->id == id;
    }
    return n;
}

/* Adds one rule per list item of value. */
static int
access_list(parse_ctx *ctx, const char *name, const char *value, bzld_access_rule rule)
{
    char buf[BZL_CONFIG_VALUE_BYTES_MAX];
    if (strlen(value) >= sizeof buf) {
        return fail(ctx, "%s: the list is longer than %zu bytes", name, sizeof buf - 1);
    }
    snprintf(buf, sizeof buf, "%s", value);
    size_t items = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t') {
            tok++;
        }
        size_t len = strlen(tok);
        while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t')) {
            tok[--len] = '\0';
        }
        if (!principal_parse(tok, &rule.by_gid, &rule.id)) {
            return fail(ctx,
                        "%s: \"%.64s\" is not uid:N, gid:N, user:NAME or group:NAME of this "
                        "system",
                        name, tok);
        }
        if (rule.role == BZLD_ROLE_ENTERPRISE &&
            scope_count(ctx->access, rule.by_gid, rule.id) >= BZL_PRINCIPAL_ENTERPRISES_MAX) {
            return fail(ctx, "%s: \"%.64s\" is named for more than %u enterprises", name, tok,
                        BZL_PRINCIPAL_ENTERPRISES_MAX);
        }
        if (bzld_access_table_add(ctx->access, &rule) != BZL_OK) {
            return fail(ctx, "%s: more than %u access rules", name, BZL_ACCESS_RULES_MAX);
        }
        items++;
    }
    return items > 0 ? 1 : fail(ctx, "%s: the list of principals is empty", name);
}

static int
access_key(parse_ctx *ctx, const char *name, const char *value)
{
    bzld_access_rule rule = {0};
    if (strcmp(name, "implicit_admin") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
            return fail(ctx, "implicit_admin: \"%.16s\" is not yes or no", value);
        }
        ctx->access->implicit_admin = value[0] == 'y';
        return 1;
    }
    if (strcmp(name, "admin") == 0) {
        rule.role = BZLD_ROLE_ADMIN;
    } else if (strcmp(name, "customs") == 0) {
        rule.role = BZLD_ROLE_CUSTOMS;
    } else if (strcmp(name, "reconciler") == 0) {
        rule.role = BZLD_ROLE_RECONCILER;
    } else if (strcmp(name, "backup") == 0) {
        rule.role = BZLD_ROLE_BACKUP;
    } else if (strncmp(name, "enterprise.", 11) == 0) {
        const char *code = name + 11;
        if (bzl_code_check_enterprise(code, strlen(code)) != BZL_OK) {
            return fail(ctx, "%s: \"%.32s\" is not a 10-character enterprise code", name, code);
        }
        rule.role = BZLD_ROLE_ENTERPRISE;
        memcpy(rule.enterprise, code, BZL_ENTERPRISE_CODE_LEN + 1);
    } else {
        return fail(ctx, "unknown key \"%.64s\" in [access]", name);
    }
    return access_list(ctx, name, value, rule);
}

/* ---- [tax] (docs/TAX.md: each key is a rule the reference leaves open) ----------------------- */

static int
tax_date_key(parse_ctx *ctx, const char *name, const char *value, int32_t *out)
{
    if (bzl_date_parse(value, strlen(value), out) != BZL_OK) {
        return fail(ctx, "%s: \"%.32s\" is not a date YYYY-MM-DD", name, value);
    }
    return 1;
}

static int
tax_key(parse_ctx *ctx, const char *name, const char *value)
{
    bzl_tax_rules *r = &ctx->cfg->tax_rules;
    if (strcmp(name, "interest_day_count") == 0) {
        if (strcmp(value, "end_minus_start") == 0 || strcmp(value, "inclusive") == 0) {
            r->day_count = value[0] == 'e' ? BZL_DAYS_END_MINUS_START : BZL_DAYS_INCLUSIVE;
            return 1;
        }
        return fail(ctx, "interest_day_count: \"%.32s\" is not end_minus_start or inclusive",
                    value);
    }
    if (strcmp(name, "interest_on") == 0) {
        if (strcmp(value, "total") == 0 || strcmp(value, "per_tax") == 0) {
            r->interest_on = value[0] == 't' ? BZL_INTEREST_ON_TOTAL : BZL_INTEREST_ON_PER_TAX;
            return 1;
        }
        return fail(ctx, "interest_on: \"%.32s\" is not total or per_tax", value);
    }
    if (strcmp(name, "small_amount_exemption") == 0) {
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
            return fail(ctx, "small_amount_exemption: \"%.16s\" is not yes or no", value);
        }
        r->small_exempt = value[0] == 'y';
        return 1;
    }
    if (strcmp(name, "small_amount_cny") == 0) {
        int64_t v = 0;
        if (bzl_dec_parse(value, strlen(value), BZL_SCALE_QTY, false, &v) != BZL_OK) {
            return fail(ctx, "small_amount_cny: \"%.32s\" is not a plain decimal", value);
        }
        r->small_limit_e5 = v;
        return 1;
    }
    if (strcmp(name, "interest_exempt_from") == 0) {
        return tax_date_key(ctx, name, value, &r->exempt_from);
    }
    if (strcmp(name, "interest_exempt_through") == 0) {
        return tax_date_key(ctx, name, value, &r->exempt_through);
    }
    if (strcmp(name, "lots_specific_unnamed") == 0) {
        if (strcmp(value, "fifo") != 0 && strcmp(value, "refuse") != 0) {
            return fail(ctx, "lots_specific_unnamed: \"%.16s\" is not fifo or refuse", value);
        }
        r->specific_unnamed_refused = value[0] == 'r';
        return 1;
    }
    return fail(ctx, "unknown key \"%.64s\" in [tax]", name);
}

/* ---- [receipts] (docs/INV101.md "Receipts": our reading of a field list, C) ----------------- */

static int
receipts_key(parse_ctx *ctx, const char *name, const char *value)
{
    if (strcmp(name, "diff_figure") == 0) {
        if (strcmp(value, "in_qty") == 0 || strcmp(value, "actl") == 0) {
            ctx->cfg->receipt_diff_figure =
                value[0] == 'i' ? BZL_RECEIPT_FIGURE_IN_QTY : BZL_RECEIPT_FIGURE_ACTL;
            return 1;
        }
        return fail(ctx, "diff_figure: \"%.32s\" is not in_qty or actl", value);
    }
    return fail(ctx, "unknown key \"%.64s\" in [receipts]", name);
}

/* ---- the file ------------------------------------------------------------------------------- */

static int
config_handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *ctx = user;
    if (name == NULL) {
        /* A section header with no keys yet (inih calls with name NULL only when built with
         * INI_CALL_HANDLER_ON_NEW_SECTION); nothing to do. */
        return 1;
    }
    if (strcmp(section, "access") == 0) {
        return access_key(ctx, name, value);
    }
    if (ctx->cfg == NULL) {
        return 1; /* reading [access] alone */
    }
    if (strcmp(section, "daemon") == 0) {
        return daemon_key(ctx, name, value);
    }
    if (strcmp(section, "limits") == 0) {
        return numeric_key(ctx, limit_keys, BZL_ARRAY_LEN(limit_keys), "limits", name, value);
    }
    if (strcmp(section, "zone") == 0) {
        return numeric_key(ctx, zone_keys, BZL_ARRAY_LEN(zone_keys), "zone", name, value);
    }
    if (strcmp(section, "tax") == 0) {
        return tax_key(ctx, name, value);
    }
    if (strcmp(section, "receipts") == 0) {
        return receipts_key(ctx, name, value);
    }
    return fail(ctx, "unknown section [%.64s] (key \"%.64s\")", section, name);
}

static bzl_status
parse(parse_ctx *ctx, char *why, size_t why_cap)
{
    int line = ini_parse(ctx->path, config_handler, ctx);
    if (line < 0) {
        snprintf(why, why_cap, "%s: cannot read the configuration file: %s", ctx->path,
                 line == -1 ? strerror(errno) : "out of memory");
        return BZL_IO_ERROR;
    }
    if (line > 0) {
        snprintf(why, why_cap, "%s:%d: %s", ctx->path, line,
                 ctx->error[0] != '\0' ? ctx->error : "not a key = value line or [section]");
        return BZL_INVALID_ARGUMENT;
    }
    return BZL_OK;
}

bzl_status
bzld_config_load(const char *path, bzld_config *cfg, bzld_access_table *access, char *why,
                 size_t why_cap)
{
    BZL_ASSERT(path != NULL);
    BZL_ASSERT(access->count == 0);
    parse_ctx ctx = {.path = path, .cfg = cfg, .access = access};
    bzl_status st = parse(&ctx, why, why_cap);
    if (st == BZL_OK) {
        snprintf(cfg->config_path, sizeof cfg->config_path, "%s", path);
    }
    return st;
}

bzl_status
bzld_config_load_access(const char *path, bzld_access_table *access, char *why, size_t why_cap)
{
    BZL_ASSERT(path != NULL);
    BZL_ASSERT(access->count == 0);
    parse_ctx ctx = {.path = path, .cfg = NULL, .access = access};
    return parse(&ctx, why, why_cap);
}

bzl_status
bzld_config_check(const bzld_config *cfg, char *why, size_t why_cap)
{
    if (cfg->connections_per_uid_max > cfg->connections_max) {
        snprintf(why, why_cap, "connections_per_uid (%u) is above connections (%u)",
                 cfg->connections_per_uid_max, cfg->connections_max);
        return BZL_INVALID_ARGUMENT;
    }
    if (cfg->conn_out_bytes_high < cfg->frame_bytes_max) {
        snprintf(why, why_cap, "conn_out_bytes_high (%u) must hold one frame (frame_bytes %u)",
                 cfg->conn_out_bytes_high, cfg->frame_bytes_max);
        return BZL_INVALID_ARGUMENT;
    }
    if (cfg->staff_connections_set && cfg->staff_connections >= cfg->connections_max) {
        snprintf(why, why_cap, "staff_connections (%u) must leave room below connections (%u)",
                 cfg->staff_connections, cfg->connections_max);
        return BZL_INVALID_ARGUMENT;
    }
    if (cfg->uid_memory_max < 2ull * cfg->conn_out_bytes_high) {
        snprintf(why, why_cap,
                 "uid_memory (%" PRIu64 ") must hold two reply windows (conn_out_bytes_high %u)",
                 cfg->uid_memory_max, cfg->conn_out_bytes_high);
        return BZL_INVALID_ARGUMENT;
    }
    if (cfg->map_bytes > cfg->map_bytes_max) {
        snprintf(why, why_cap, "map_bytes (%" PRIu64 ") is above map_bytes_max (%" PRIu64 ")",
                 cfg->map_bytes, cfg->map_bytes_max);
        return BZL_INVALID_ARGUMENT;
    }
    if (cfg->batch_decls_max > BZL_WRITER_BATCH_DECLS_MAX) {
        snprintf(why, why_cap,
                 "batch_declarations (%u) is above what one writer transaction "
                 "takes (%u)",
                 cfg->batch_decls_max, BZL_WRITER_BATCH_DECLS_MAX);
        return BZL_INVALID_ARGUMENT;
    }
    return BZL_OK;
}
