/* server.c — the listening socket, signals, and the order of a graceful shutdown. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "access.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "writer.h"

static void
server_connection_cb(uv_stream_t *server, int status)
{
    bzld *d = server->data;
    if (status < 0) {
        bzld_log(BZLD_LOG_WARNING, "accept failed: %s", uv_strerror(status));
        return;
    }
    if (d->stopping) {
        return;
    }
    bzld_conn_accept(d);
}

void
bzld_reload_access(bzld *d)
{
    if (d->cfg.config_path[0] == '\0') {
        bzld_log(BZLD_LOG_NOTICE, "SIGHUP: running on the embedded default, no configuration "
                                  "file to re-read; access unchanged");
        return;
    }
    bzld_access_table fresh;
    bzld_access_table_init(&fresh);
    char why[512] = "";
    if (bzld_config_load_access(d->cfg.config_path, &fresh, why, sizeof why) != BZL_OK) {
        /* A typo in the file must not lock everyone out: keep serving with the old table. */
        bzld_access_table_deinit(&fresh);
        bzld_log(BZLD_LOG_ERR, "SIGHUP: %s; access unchanged", why);
        return;
    }
    bzld_access_table_deinit(&d->access);
    d->access = fresh;
    /* Connections already open get their principal again, so a revocation takes effect now. */
    unsigned n = 0;
    for (bzld_conn *c = d->conns; c != NULL; c = c->next) {
        bzld_access_resolve(&d->access, c->uid, c->gid, c->groups, c->n_groups, d->self_uid,
                            &c->principal);
        n++;
    }
    bzld_log(BZLD_LOG_NOTICE,
             "SIGHUP: re-read [access] of %s: %zu rules, %u connections "
             "re-resolved",
             d->cfg.config_path, d->access.count, n);
}

static void
server_signal_cb(uv_signal_t *handle, int signum)
{
    bzld *d = handle->data;
    if (signum == SIGHUP) {
        bzld_reload_access(d);
        return;
    }
    bzld_log(BZLD_LOG_NOTICE, "%s received: finishing work in hand, then stopping",
             signum == SIGTERM ? "SIGTERM" : "SIGINT");
    bzld_server_stop(d);
}

/* Socket activation: systemd passes one listening Unix stream socket (bzld.socket). Returns
 * 1 when the listener was taken over, 0 when there is none, or a negative libuv/errno code. */
static int
listener_inherit(bzld *d)
{
    int n = sd_listen_fds(1);
    if (n <= 0) {
        return n;
    }
    int fd = SD_LISTEN_FDS_START;
    if (n != 1 || sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
        return UV_EINVAL;
    }
    /* uv_pipe_open records no path, so closing the listener never unlinks systemd's socket. */
    int rc = uv_pipe_open(&d->listener, fd);
    return rc == 0 ? 1 : rc;
}

bzl_status
bzld_server_start(bzld *d, char *why, size_t why_cap)
{
    int rc = uv_pipe_init(d->loop, &d->listener, 0);
    BZL_ASSERT(rc == 0);
    d->listener.data = d;
    d->listening = true;
    d->stats.start_ms = uv_now(d->loop);
    rc = listener_inherit(d);
    if (rc < 0) {
        snprintf(why, why_cap,
                 "systemd passed sockets bzld cannot use (%s): it wants exactly "
                 "one listening Unix stream socket",
                 rc == UV_EINVAL ? "wrong kind or count" : uv_strerror(rc));
        return BZL_IO_ERROR;
    }
    d->socket_activated = rc == 1;
    rc = 0;
    if (!d->socket_activated) {
        /* The socket is created 0660 from the start: no window in which others may connect. */
        mode_t old_mask = umask(0117);
        rc = uv_pipe_bind(&d->listener, d->cfg.socket_path);
        umask(old_mask);
        if (rc == 0 && d->cfg.socket_group_set &&
            chown(d->cfg.socket_path, (uid_t)-1, (gid_t)d->cfg.socket_gid) != 0) {
            snprintf(why, why_cap, "cannot give %s to group %u: %s", d->cfg.socket_path,
                     d->cfg.socket_gid, strerror(errno));
            return BZL_IO_ERROR;
        }
    }
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&d->listener, 511, server_connection_cb);
    }
    if (rc != 0) {
        snprintf(why, why_cap, "cannot listen on %s: %s", d->cfg.socket_path, uv_strerror(rc));
        return BZL_IO_ERROR;
    }
    uv_signal_init(d->loop, &d->sig_term);
    uv_signal_init(d->loop, &d->sig_int);
    uv_signal_init(d->loop, &d->sig_hup);
    d->sig_term.data = d;
    d->sig_int.data = d;
    d->sig_hup.data = d;
    uv_signal_start(&d->sig_term, server_signal_cb, SIGTERM);
    uv_signal_start(&d->sig_int, server_signal_cb, SIGINT);
    uv_signal_start(&d->sig_hup, server_signal_cb, SIGHUP);
    d->signals_on = true;
    return BZL_OK;
}

void
bzld_server_stop(bzld *d)
{
    if (d->stopping) {
        return;
    }
    d->stopping = true;
    sd_notify(0, "STOPPING=1\nSTATUS=stopping: finishing the work in hand");
    if (d->listening) {
        /* libuv unlinks the socket path here when it bound it (never one systemd passed);
         * the pid-file lock we still hold guarantees no newer daemon has bound it. */
        uv_close((uv_handle_t *)&d->listener, NULL);
        d->listening = false;
    }
    if (d->signals_on) {
        uv_close((uv_handle_t *)&d->sig_term, NULL);
        uv_close((uv_handle_t *)&d->sig_int, NULL);
        uv_close((uv_handle_t *)&d->sig_hup, NULL);
        d->signals_on = false;
    }
    bzld_server_shutdown_step(d);
}

void
bzld_server_shutdown_step(bzld *d)
{
    if (!d->stopping) {
        return;
    }
    for (bzld_conn *c = d->conns, *next = NULL; c != NULL; c = next) {
        next = c->next;
        if (!c->closing && bzld_conn_idle(c)) {
            bzld_conn_close(c);
        } else if (!c->closing && c->reading) {
            uv_read_stop((uv_stream_t *)&c->pipe);
            c->reading = false;
        }
    }
    if (!d->writer_stopped && d->writer != NULL && bzld_writer_in_flight(d->writer) == 0) {
        d->writer_stopped = true;
        bzld_writer_stop(d->writer); /* freed in its async's close callback */
        d->writer = NULL;
    }
}
