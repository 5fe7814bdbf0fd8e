/* main.c — bzld: options, the pid-file guard, start-up, the loop, and a clean exit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "writer.h"

static const char usage_text[] =
    "usage: bzld [--data DIR] [--socket PATH] [--foreground] [--verbose]\n"
    "            [--connections-per-uid N]\n"
    "\n"
    "The bonded-zone ledger daemon: keeps every enterprise's account books in LMDB and answers\n"
    "protobuf requests on a Unix socket.\n"
    "\n"
    "  --data DIR       directory holding the ledger database (default ./bzl-data)\n"
    "  --socket PATH    Unix socket to listen on (default DIR/bzld.sock); PATH.pid guards it\n"
    "  --foreground     stay attached to the terminal and log to stderr; without it bzld\n"
    "                   detaches once it is listening and logs to DIR/bzld.log\n"
    "  --verbose        log debug lines too\n"
    "  --connections-per-uid N\n"
    "                   connections one peer uid may hold (default 512, at most the total\n"
    "                   cap of 1024); a load generator or a busy ERP gateway may need more\n"
    "  --help           this text\n"
    "\n"
    "Stop it with SIGTERM or SIGINT: it finishes the batch in hand, replies, and exits 0.\n";

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
    cfg->map_bytes = BZL_MAP_BYTES_INITIAL;
    cfg->map_bytes_max = BZL_MAP_BYTES_MAX_DEFAULT;
}

/* Returns 0, or 2 after printing a usage error. */
static int
parse_args(int argc, char **argv, bzld_config *cfg, int *log_level)
{
    static const struct option options[] = {
        {"data", required_argument, NULL, 'd'},  {"socket", required_argument, NULL, 's'},
        {"foreground", no_argument, NULL, 'f'},  {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"connections-per-uid", required_argument, NULL, 'u'},
        {NULL, 0, NULL, 0},
    };
    const char *socket_path = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'd':
            if (strlen(optarg) >= sizeof cfg->data_dir) {
                fprintf(stderr, "bzld: --data path is too long\n");
                return 2;
            }
            snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", optarg);
            break;
        case 's':
            socket_path = optarg;
            break;
        case 'f':
            cfg->foreground = true;
            break;
        case 'v':
            *log_level = BZLD_LOG_DEBUG;
            break;
        case 'u': {
            char *end = NULL;
            unsigned long n = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '\0' || n < 1 || n > cfg->connections_max) {
                fprintf(stderr, "bzld: --connections-per-uid must be 1..%u\n",
                        cfg->connections_max);
                return 2;
            }
            cfg->connections_per_uid_max = (uint32_t)n;
            break;
        }
        case 'h':
            fputs(usage_text, stdout);
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
    int n = socket_path != NULL
                ? snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s", socket_path)
                : snprintf(cfg->socket_path, sizeof cfg->socket_path, "%s/bzld.sock",
                           cfg->data_dir);
    if (n < 0 || (size_t)n >= sizeof cfg->socket_path) {
        /* sun_path holds 107 bytes and a NUL; libuv 1.44 would truncate silently. */
        fprintf(stderr, "bzld: socket path is longer than %zu bytes\n",
                sizeof cfg->socket_path - 1);
        return 2;
    }
    snprintf(cfg->pid_path, sizeof cfg->pid_path, "%s.pid", cfg->socket_path);
    return 0;
}

/* Takes the pid-file lock that guards the socket path, removes a stale socket left by a
 * killed daemon, and records our pid. Returns the locked descriptor or -1. */
static int
pidfile_take(const bzld_config *cfg)
{
    int fd = open(cfg->pid_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        bzld_log(BZLD_LOG_ERR, "cannot open pid file %s: %s", cfg->pid_path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = {0};
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
        bzld_log(BZLD_LOG_ERR, "another bzld (pid %s) is serving %s; not starting",
                 pid[0] ? pid : "unknown", cfg->socket_path);
        close(fd);
        return -1;
    }
    /* We hold the lock: whatever is at the socket path belongs to a daemon that died. */
    if (unlink(cfg->socket_path) == 0) {
        bzld_log(BZLD_LOG_NOTICE, "removed stale socket %s", cfg->socket_path);
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
        bzld_log(BZLD_LOG_ERR, "cannot write pid file %s: %s", cfg->pid_path, strerror(errno));
        close(fd);
        return -1;
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

static int
run(bzld *d, int ready_fd)
{
    char why[256] = "";
    bzl_storage_options so = {.dir = d->cfg.data_dir,
                              .map_bytes = d->cfg.map_bytes,
                              .map_bytes_max = d->cfg.map_bytes_max};
    bzl_status st = bzl_storage_open(&so, &d->store, why, sizeof why);
    if (st != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "cannot open the ledger in %s: %s: %s", d->cfg.data_dir,
                 bzl_status_name(st), why);
        return 1;
    }
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
        bzld_log(BZLD_LOG_NOTICE, "bzld %s ready on %s (data %s, pid %ld)", "0.1.0",
                 d->cfg.socket_path, d->cfg.data_dir, (long)getpid());
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

int
main(int argc, char **argv)
{
    static bzld d; /* holds the 64 KiB read buffer: not on the stack */
    int log_level = BZLD_LOG_INFO;
    bzld_config_defaults(&d.cfg);
    int rc = parse_args(argc, argv, &d.cfg, &log_level);
    if (rc != 0) {
        return rc;
    }
    bzld_log_set_level(log_level);
    if (mkdir(d.cfg.data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "bzld: cannot create %s: %s\n", d.cfg.data_dir, strerror(errno));
        return 1;
    }
    /* libuv does not ignore SIGPIPE; a client that vanishes must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);
    int ready_fd = d.cfg.foreground ? -1 : daemonize(&d.cfg);
    int pid_fd = pidfile_take(&d.cfg);
    if (pid_fd < 0) {
        return 1;
    }
    rc = run(&d, ready_fd);
    unlink(d.cfg.pid_path);
    close(pid_fd);
    bzld_log(BZLD_LOG_NOTICE, "bzld stopped (exit %d)", rc);
    return rc;
}
