/* main.c — bzld: options, the pid-file guard, start-up, the loop, and a clean exit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "bzl/storage_tax.h"
#include "checkpoint_key.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "requests.h"
#include "writer.h"

static const char usage_text[] =
    "usage: bzld [--config FILE] [--data DIR] [--socket PATH] [--foreground] [--verbose]\n"
    "            [--map-bytes N] [--map-bytes-max N] [--upgrade]\n"
    "\n"
    "The bonded-zone ledger daemon: keeps every enterprise's account books in LMDB and answers\n"
    "protobuf requests on a Unix socket.\n"
    "\n"
    "  --config FILE    read the INI configuration FILE ([daemon], [limits], [access]; see\n"
    "                   deploy/bzld.conf); without it bzld runs on its embedded default, with\n"
    "                   root and the invoking user as admin and everyone else refused\n"
    "  --data DIR       directory holding the ledger database (default ./bzl-data);\n"
    "                   DIR/bzld.lock keeps a second bzld off it\n"
    "  --socket PATH    Unix socket to listen on (default DIR/bzld.sock); PATH.pid guards it\n"
    "                   (--data and --socket override the configuration file)\n"
    "  --map-bytes N    initial LMDB map size in bytes (default 64 MiB; K, M, G suffixes);\n"
    "                   the map grows by doubling when full\n"
    "  --map-bytes-max N  the most the map may grow to (default 64 GiB); at the maximum\n"
    "                   writes are refused with STORAGE_FULL while reads go on\n"
    "  --foreground     stay attached to the terminal and log to stderr; without it bzld\n"
    "                   detaches once it is listening and logs to DIR/bzld.log\n"
    "  --verbose        log debug lines too\n"
    "  --upgrade        convert a ledger written by an earlier bzld (schema version 2) to\n"
    "                   this version in place, print what was done and exit; back the data\n"
    "                   directory up first. An interrupted upgrade is finished by running it\n"
    "                   again; until it is, bzld refuses the ledger.\n"
    "  --version        print bzld's version and exit\n"
    "  --help           this text\n"
    "\n"
    "Stop it with SIGTERM or SIGINT: it finishes the batch in hand, replies, and exits 0.\n";

typedef struct args {
    const char *config;
    const char *data;
    const char *socket;
    const char *map_bytes;
    const char *map_bytes_max;
    bool upgrade;
} args;

/* Parses a byte count with an optional K, M or G suffix (powers of 1024). Returns 0 or -1
 * for anything else, zero, or a value over 1 TiB (far beyond any zone's ledger). */
static int
parse_bytes(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || end == text || text[0] == '-') {
        return -1;
    }
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') {
        shift = 10;
    } else if (*end == 'M' || *end == 'm') {
        shift = 20;
    } else if (*end == 'G' || *end == 'g') {
        shift = 30;
    }
    end += shift != 0;
    if (*end != '\0' || v == 0 || v > (1ull << 40) >> shift) {
        return -1;
    }
    *out = (uint64_t)v << shift;
    return 0;
}

/* Returns 0, or 2 after printing a usage error. */
static int
parse_args(int argc, char **argv, bzld_config *cfg, args *a, int *log_level)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"data", required_argument, NULL, 'd'},
        {"socket", required_argument, NULL, 's'},
        {"foreground", no_argument, NULL, 'f'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"map-bytes", required_argument, NULL, 'm'},
        {"map-bytes-max", required_argument, NULL, 'M'},
        {"upgrade", no_argument, NULL, 'u'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'c':
            a->config = optarg;
            break;
        case 'd':
            a->data = optarg;
            break;
        case 's':
            a->socket = optarg;
            break;
        case 'm':
            a->map_bytes = optarg;
            break;
        case 'M':
            a->map_bytes_max = optarg;
            break;
        case 'f':
            cfg->foreground = true;
            break;
        case 'u':
            a->upgrade = true;
            cfg->foreground = true; /* a one-shot command: it reports on the terminal */
            break;
        case 'v':
            *log_level = BZLD_LOG_DEBUG;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case 'V':
            printf("bzld %s\n", BZL_VERSION);
            exit(0);
        default:
            fputs("bzld: try 'bzld --help'\n", stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "bzld: unexpected argument '%s'; try 'bzld --help'\n", argv[optind]);
        return 2;
    }
    return 0;
}

/* --map-bytes and --map-bytes-max over the file's values. A small maximum given alone caps
 * the start too. Returns 0, or 2 after saying why. */
static int
settle_map_bytes(bzld_config *cfg, const args *a)
{
    if (a->map_bytes != NULL && parse_bytes(a->map_bytes, &cfg->map_bytes) != 0) {
        fprintf(stderr, "bzld: --map-bytes wants a byte count such as 1048576 or 64M\n");
        return 2;
    }
    if (a->map_bytes_max != NULL && parse_bytes(a->map_bytes_max, &cfg->map_bytes_max) != 0) {
        fprintf(stderr, "bzld: --map-bytes-max wants a byte count such as 1048576 or 64M\n");
        return 2;
    }
    if (a->map_bytes == NULL && cfg->map_bytes > cfg->map_bytes_max) {
        cfg->map_bytes = cfg->map_bytes_max;
    }
    return 0;
}

/* Defaults, then the file, then the command line. Returns 0, or 2 after saying why. */
static int
settle_config(bzld *d, const args *a)
{
    char why[512] = "";
    bzld_config *cfg = &d->cfg;
    if (a->config != NULL &&
        bzld_config_load(a->config, cfg, &d->access, why, sizeof why) != BZL_OK) {
        fprintf(stderr, "bzld: %s\n", why);
        return 2;
    }
    if (a->data != NULL) {
        if (strlen(a->data) >= sizeof cfg->data_dir) {
            fprintf(stderr, "bzld: --data path is too long\n");
            return 2;
        }
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", a->data);
    }
    int n = 0;
    if (a->socket != NULL) {
        n = snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s", a->socket);
    } else if (cfg->socket_path[0] == '\0') {
        n = snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s/bzld.sock", cfg->data_dir);
    }
    if (n < 0 || (size_t)n >= sizeof cfg->socket_path) {
        /* sun_path holds 107 bytes and a NUL; libuv 1.44 would truncate silently. */
        fprintf(stderr, "bzld: socket path is longer than %zu bytes\n",
                sizeof cfg->socket_path - 1);
        return 2;
    }
    snprintf(cfg->pid_path, sizeof cfg->pid_path, "%s.pid", cfg->socket_path);
    if (settle_map_bytes(cfg, a) != 0) {
        return 2;
    }
    if (bzld_config_check(cfg, why, sizeof why) != BZL_OK) {
        fprintf(stderr, "bzld: %s%s%s\n", a->config != NULL ? a->config : "",
                a->config != NULL ? ": " : "", why);
        return 2;
    }
    return 0;
}

/* Refuses a directory others could plant files in (a pid-file symlink, a fake socket): one
 * that is group- or world-writable, unless it is sticky and owned by root or by us (like
 * /run or /tmp, where no one may replace another user's file). */
static int
dir_check_private(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "bzld: the socket directory %s is not a directory\n", dir);
        return -1;
    }
    bool shared = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    bool guarded = (st.st_mode & S_ISVTX) != 0 && (st.st_uid == 0 || st.st_uid == geteuid());
    if (shared && !guarded) {
        fprintf(stderr,
                "bzld: the socket directory %s is %s-writable and not sticky: another user "
                "could plant the pid file or socket there; use a private directory\n",
                dir, (st.st_mode & S_IWOTH) != 0 ? "world" : "group");
        return -1;
    }
    return 0;
}

/* The socket lives in a private directory: when its directory does not exist bzld creates it
 * 0750 (group socket_group when set), so only the owner and that group can reach the socket. */
static int
socket_dir_prepare(const bzld_config *cfg)
{
    char parent[sizeof cfg->socket_path];
    snprintf(parent, sizeof parent, "%s", cfg->socket_path);
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash == parent) {
        return 0;
    }
    *slash = '\0';
    if (mkdir(parent, 0750) != 0) {
        if (errno == EEXIST) {
            return dir_check_private(parent);
        }
        fprintf(stderr, "bzld: cannot create the socket directory %s: %s\n", parent,
                strerror(errno));
        return -1;
    }
    if (cfg->socket_group_set && chown(parent, (uid_t)-1, (gid_t)cfg->socket_gid) != 0) {
        fprintf(stderr, "bzld: cannot give %s to group %u: %s\n", parent, cfg->socket_gid,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* Opens a lock file of ours and takes its lock: never through a symlink, only a regular file
 * we own. Returns the locked descriptor, or -1 after logging why (naming the pid the file
 * holds when another process has the lock; `what` is what that process is serving). */
static int
lockfile_take(const char *path, const char *what)
{
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
    if (fd < 0) {
        bzld_log(BZLD_LOG_ERR, "cannot open pid file %s: %s%s", path, strerror(errno),
                 errno == ELOOP ? " (it is a symlink; not following it)" : "");
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
        bzld_log(BZLD_LOG_ERR, "pid file %s is not a regular file of this user; not using it",
                 path);
        close(fd);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {0};
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
        bzld_log(BZLD_LOG_ERR, "another bzld (pid %s) is serving %s; not starting",
                 pid[0] ? pid : "unknown", what);
        close(fd);
        return -1;
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        bzld_log(BZLD_LOG_ERR, "cannot write pid file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Takes the data directory's lock (DIR/bzld.lock): one bzld serves a ledger, or upgrades it,
 * whatever socket each was given. Returns the locked descriptor or -1. */
static int
datalock_take(const bzld_config *cfg)
{
    char path[sizeof cfg->data_dir + 16];
    snprintf(path, sizeof path, "%s/bzld.lock", cfg->data_dir);
    return lockfile_take(path, cfg->data_dir);
}

/* Takes the pid-file lock that guards the socket path, removes a stale socket left by a
 * killed daemon, and records our pid. Returns the locked descriptor or -1. */
static int
pidfile_take(const bzld_config *cfg, bool socket_activated)
{
    int fd = lockfile_take(cfg->pid_path, cfg->socket_path);
    if (fd < 0) {
        return -1;
    }
    /* We hold the lock: whatever is at the socket path belongs to a daemon that died —
     * unless systemd holds the socket for us (socket activation). */
    if (!socket_activated && unlink(cfg->socket_path) == 0) {
        bzld_log(BZLD_LOG_NOTICE, "removed stale socket %s", cfg->socket_path);
    }
    return fd;
}

/* Detaches: the parent waits until the child reports it is listening (one byte on a pipe)
 * and exits with the child's verdict, so `bzld && bzl ...` never races the socket. Returns
 * the write end of the pipe in the child (-1 in the foreground). */
static int
daemonize(const bzld_config *cfg)
{
    int fds[2];
    if (pipe(fds) != 0) {
        perror("bzld: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("bzld: fork");
        exit(1);
    }
    if (pid > 0) {
        close(fds[1]);
        char ok = 0;
        ssize_t n = read(fds[0], &ok, 1);
        if (n == 1 && ok == 'R') {
            printf("bzld: listening on %s (pid %ld, log %s/bzld.log)\n", cfg->socket_path,
                   (long)pid, cfg->data_dir);
            exit(0);
        }
        fprintf(stderr, "bzld: failed to start; see %s/bzld.log\n", cfg->data_dir);
        exit(1);
    }
    close(fds[0]);
    setsid();
    char log_path[300];
    snprintf(log_path, sizeof log_path, "%s/bzld.log", cfg->data_dir);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int null_fd = open("/dev/null", O_RDWR);
    if (log_fd >= 0 && null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
    }
    if (log_fd >= 0) {
        close(log_fd);
    }
    if (null_fd > STDERR_FILENO) {
        close(null_fd);
    }
    return fds[1];
}

/* Loads (or makes, on first start) the key checkpoints are signed with; logs its public half.
 * Returns 0, or 1 after logging why bzld will not start with it (checkpoint_key.h). */
static int
checkpoint_key_load(bzld *d)
{
    char why[PATH_MAX + 256] = "";
    if (bzld_checkpoint_key_load(d, true, why, sizeof why) != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "%s", why);
        return 1;
    }
    return 0;
}

static int
run(bzld *d, int ready_fd)
{
    char why[256] = "";
    if (checkpoint_key_load(d) != 0) {
        return 1;
    }
    bzl_storage_options so = {.dir = d->cfg.data_dir,
                              .map_bytes = d->cfg.map_bytes,
                              .map_bytes_max = d->cfg.map_bytes_max};
    bzl_status st = bzl_storage_open(&so, &d->store, why, sizeof why);
    if (st != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "cannot open the ledger in %s: %s: %s", d->cfg.data_dir,
                 bzl_status_name(st), why);
        return 1;
    }
    bzl_storage_tax_rules_set(d->store, &d->cfg.tax_rules);
    uv_loop_t loop;
    BZL_ASSERT(uv_loop_init(&loop) == 0);
    d->loop = &loop;
    int rc = 1;
    st = bzld_writer_start(&loop, d->store, d->cfg.write_queue_max, &d->writer);
    if (st != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "cannot start the writer thread: %s", bzl_status_name(st));
        goto close_loop;
    }
    bzld_writer_set_drained_cb(d->writer, bzld_conns_pump_pending, d);
    st = bzld_server_start(d, why, sizeof why);
    if (st != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "%s", why);
        bzld_server_stop(d);
    } else {
        bzld_log(BZLD_LOG_NOTICE, "bzld %s ready on %s%s (data %s, pid %ld)", "0.1.0",
                 d->cfg.socket_path, d->socket_activated ? " (socket from systemd)" : "",
                 d->cfg.data_dir, (long)getpid());
        /* Type=notify: systemd starts dependants only now. Without NOTIFY_SOCKET a no-op. */
        sd_notifyf(0, "READY=1\nSTATUS=serving on %s\nMAINPID=%ld", d->cfg.socket_path,
                   (long)getpid());
        if (ready_fd >= 0) {
            ssize_t n = write(ready_fd, "R", 1);
            (void)n;
            close(ready_fd);
        }
        rc = 0;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    bzld_slot_pool_drain(d);
close_loop:
    /* Every handle was closed by the shutdown sequence (STYLE.md §10). */
    BZL_ASSERT(uv_loop_close(&loop) == 0);
    bzl_storage_close(d->store);
    return rc;
}

/* bzld --upgrade: converts the ledger in place while holding the socket's pid-file lock, so
 * no bzld serves it meanwhile. Returns the exit status. */
static int
upgrade(const bzld *d)
{
    int data_fd = datalock_take(&d->cfg);
    int pid_fd = data_fd >= 0 ? pidfile_take(&d->cfg, false) : -1;
    if (pid_fd < 0) {
        if (data_fd >= 0) {
            close(data_fd);
        }
        return 1;
    }
    char why[256] = "";
    bzl_storage_options so = {.dir = d->cfg.data_dir,
                              .map_bytes = d->cfg.map_bytes,
                              .map_bytes_max = d->cfg.map_bytes_max};
    bzl_upgrade_report rep;
    bzl_status st = bzl_storage_upgrade(&so, &rep, why, sizeof why);
    if (st != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "cannot upgrade the ledger in %s: %s: %s", d->cfg.data_dir,
                 bzl_status_name(st), why);
    } else if (rep.from_version == BZL_SCHEMA_VERSION) {
        bzld_log(BZLD_LOG_NOTICE, "the ledger in %s is at schema version %u already",
                 d->cfg.data_dir, BZL_SCHEMA_VERSION);
    } else {
        bzld_log(BZLD_LOG_NOTICE,
                 "upgraded the ledger in %s from schema version %u to %u: %llu balance rows "
                 "rewritten, %llu history rows moved, loss totals of %llu consuming entries "
                 "derived (%llu whose intangible loss today's norms no longer reproduce: "
                 "counted as 0), values per currency derived from %llu journal entries",
                 d->cfg.data_dir, (unsigned)rep.from_version, BZL_SCHEMA_VERSION,
                 (unsigned long long)rep.balance_rows, (unsigned long long)rep.history_rows,
                 (unsigned long long)rep.loss_entries, (unsigned long long)rep.loss_unmatched,
                 (unsigned long long)rep.value_entries);
    }
    unlink(d->cfg.pid_path);
    close(pid_fd);
    close(data_fd);
    return st == BZL_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
    static bzld d; /* holds the 64 KiB read buffer: not on the stack */
    int log_level = 0;
    args a = {0};
    char why[256];
    /* The build already refuses a proto field without a row; this also catches a row whose
     * own fields disagree (a scoped row without its key). A broken table is a broken build. */
    if (!bzld_requests_check(why, sizeof why)) {
        fprintf(stderr, "bzld: %s\n", why);
        return 1;
    }
    bzld_config_defaults(&d.cfg);
    bzld_access_table_init(&d.access);
    d.self_uid = (uint32_t)geteuid();
    int rc = parse_args(argc, argv, &d.cfg, &a, &log_level);
    if (rc == 0) {
        rc = settle_config(&d, &a);
    }
    if (rc != 0) {
        bzld_access_table_deinit(&d.access);
        return rc;
    }
    bzld_log_set_level(log_level != 0         ? log_level
                       : d.cfg.log_level != 0 ? d.cfg.log_level
                                              : BZLD_LOG_INFO);
    if (mkdir(d.cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bzld: cannot create %s: %s\n", d.cfg.data_dir, strerror(errno));
        return 1;
    }
    if (socket_dir_prepare(&d.cfg) != 0) {
        return 1;
    }
    if (a.upgrade) {
        rc = upgrade(&d);
        bzld_access_table_deinit(&d.access);
        return rc;
    }
    /* libuv does not ignore SIGPIPE; a client that vanishes must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    int ready_fd = d.cfg.foreground ? -1 : daemonize(&d.cfg);
    /* sd_listen_fds(0) only peeks; server.c takes the socket (and clears the variables). */
    int data_fd = datalock_take(&d.cfg);
    int pid_fd = data_fd >= 0 ? pidfile_take(&d.cfg, sd_listen_fds(0) > 0) : -1;
    if (pid_fd < 0) {
        if (data_fd >= 0) {
            close(data_fd);
        }
        return 1;
    }
    bzld_log(BZLD_LOG_INFO, "%s: %zu access rules%s",
             d.cfg.config_path[0] ? d.cfg.config_path : "embedded default", d.access.count,
             d.access.implicit_admin ? ", root and own uid admin" : "");
    rc = run(&d, ready_fd);
    unlink(d.cfg.pid_path);
    close(pid_fd);
    close(data_fd); /* DIR/bzld.lock stays: the lock, not the file, is what guards */
    bzld_access_table_deinit(&d.access);
    bzld_log(BZLD_LOG_NOTICE, "bzld stopped (exit %d)", rc);
    return rc;
}
