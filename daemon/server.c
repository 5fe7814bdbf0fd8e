/* server.c — the listening socket, signals, and the order of a graceful shutdown. */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

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

static void
server_signal_cb(uv_signal_t *handle, int signum)
{
    bzld *d = handle->data;
    bzld_log(BZLD_LOG_NOTICE, "%s received: finishing work in hand, then stopping",
             signum == SIGTERM ? "SIGTERM" : "SIGINT");
    bzld_server_stop(d);
}

bzl_status
bzld_server_start(bzld *d, char *why, size_t why_cap)
{
    int rc = uv_pipe_init(d->loop, &d->listener, 0);
    BZL_ASSERT(rc == 0);
    d->listener.data = d;
    d->listening = true;
    d->stats.start_ms = uv_now(d->loop);
    /* The socket is created 0660 from the start: no window in which others may connect. */
    mode_t old_mask = umask(0117);
    rc = uv_pipe_bind(&d->listener, d->cfg.socket_path);
    umask(old_mask);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&d->listener, 511, server_connection_cb);
    }
    if (rc != 0) {
        snprintf(why, why_cap, "cannot listen on %s: %s", d->cfg.socket_path, uv_strerror(rc));
        return BZL_IO_ERROR;
    }
    uv_signal_init(d->loop, &d->sig_term);
    uv_signal_init(d->loop, &d->sig_int);
    d->sig_term.data = d;
    d->sig_int.data = d;
    uv_signal_start(&d->sig_term, server_signal_cb, SIGTERM);
    uv_signal_start(&d->sig_int, server_signal_cb, SIGINT);
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
    if (d->listening) {
        /* libuv unlinks the socket path here; the pid-file lock we still hold guarantees no
         * newer daemon has bound it. */
        uv_close((uv_handle_t *)&d->listener, NULL);
        d->listening = false;
    }
    if (d->signals_on) {
        uv_close((uv_handle_t *)&d->sig_term, NULL);
        uv_close((uv_handle_t *)&d->sig_int, NULL);
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
        bzld_writer_stop(d->writer);
    }
}
