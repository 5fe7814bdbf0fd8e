/* conn.c — one client connection: frames in, requests in order, replies out in order.
 *
 * Requests become slots in arrival order. A write is handed to the writer as soon as every
 * earlier read on the connection has run; a read runs once every earlier write is done, so
 * a client always reads its own writes. Replies leave in slot order, coalesced into one
 * uv_write per wake-up. A connection stops reading while it has BZL_CONN_INFLIGHT_MAX slots
 * or BZL_CONN_OUT_BYTES_HIGH reply bytes unsent, and resumes when it drains.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn.h"
#include "dispatch.h"
#include "log.h"
#include "reply.h"

/* Bytes of replies copied into one uv_write: a wake-up's replies to one connection go out
 * in one write (one syscall) up to this; a single larger reply still goes whole. */
#define CONN_WRITE_BYTES_MAX (256u * 1024u)

/* One uv_write and the reply bytes it carries, in one allocation freed by its callback. */
typedef struct conn_write {
    uv_write_t req;
    bzld_conn *conn;
    size_t bytes;
    _Alignas(8) uint8_t data[];
} conn_write;

static void conn_flush(bzld_conn *c);

/* ---- lifetime ------------------------------------------------------------------------------- */

void
bzld_slot_release_request(bzld_slot *slot)
{
    /* The request was decoded into the arena: resetting it frees every part at once. */
    slot->req = NULL;
    bzld_arena_reset(&slot->arena);
}

static void
slot_free(bzld_slot *s)
{
    bzld *d = s->conn->d;
    bzld_slot_release_request(s);
    if (s->reply != s->reply_inline) {
        free(s->reply);
    }
    if (d->slot_pool_count < BZLD_SLOT_POOL_MAX) {
        s->next = d->slot_pool;
        d->slot_pool = s;
        d->slot_pool_count++;
        return;
    }
    free(s);
}

void
bzld_slot_pool_drain(bzld *d)
{
    while (d->slot_pool != NULL) {
        bzld_slot *next = d->slot_pool->next;
        free(d->slot_pool);
        d->slot_pool = next;
    }
    d->slot_pool_count = 0;
}

/* A slot from the pool or malloc, reset to empty; its arena is ready. */
static bzld_slot *
slot_alloc(bzld *d)
{
    bzld_slot *s = d->slot_pool;
    if (s != NULL) {
        d->slot_pool = s->next;
        d->slot_pool_count--;
    } else {
        s = malloc(sizeof *s);
        BZL_ASSERT(s != NULL);
    }
    /* Everything before the arena; the arena and the reply buffer need no clearing. */
    memset(s, 0, offsetof(bzld_slot, arena));
    bzld_arena_init(&s->arena);
    return s;
}

/* Frees c once both handles are closed and the writer holds none of its slots. */
static void
conn_maybe_free(bzld_conn *c)
{
    if (c->handles_open > 0 || c->running > 0) {
        return;
    }
    bzld *d = c->d;
    while (c->head != NULL) {
        bzld_slot *next = c->head->next;
        slot_free(c->head);
        c->head = next;
    }
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        d->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    d->conn_count--;
    if (c->refused) {
        d->refusing--;
    }
    bzl_frame_reader_deinit(&c->reader);
    free(c->groups);
    free(c);
    bzld_server_shutdown_step(d);
}

static void
conn_close_cb(uv_handle_t *handle)
{
    bzld_conn *c = handle->data;
    BZL_ASSERT(c->handles_open > 0);
    c->handles_open--;
    conn_maybe_free(c);
}

void
bzld_conn_close(bzld_conn *c)
{
    if (c->closing) {
        return;
    }
    c->closing = true;
    c->reading = false;
    /* Closing the pipe cancels queued writes: their callbacks free the buffers. */
    uv_close((uv_handle_t *)&c->pipe, conn_close_cb);
    uv_close((uv_handle_t *)&c->idle, conn_close_cb);
}

bool
bzld_conn_idle(const bzld_conn *c)
{
    return c->head == NULL && c->running == 0 && c->out_bytes == 0;
}

/* ---- replies out ---------------------------------------------------------------------------- */

static void conn_resume(bzld_conn *c);

static void
conn_write_cb(uv_write_t *req, int status)
{
    conn_write *w = (conn_write *)req;
    bzld_conn *c = w->conn;
    BZL_ASSERT(c->out_bytes >= w->bytes);
    c->out_bytes -= w->bytes;
    free(w);
    if (status < 0) {
        if (status != UV_ECANCELED) {
            bzld_log(BZLD_LOG_INFO, "conn %llu: write failed: %s", (unsigned long long)c->conn_id,
                     uv_strerror(status));
        }
        bzld_conn_close(c);
        return;
    }
    conn_resume(c);
}

/* Bytes of the DONE replies at the head that one write takes (at least the first whole). */
static size_t
conn_flush_bytes(const bzld_conn *c)
{
    size_t bytes = 0;
    for (const bzld_slot *s = c->head; s != NULL && s->state == BZLD_SLOT_DONE; s = s->next) {
        if (bytes > 0 && bytes + s->reply_len > CONN_WRITE_BYTES_MAX) {
            break;
        }
        bytes += s->reply_len;
    }
    return bytes;
}

/* Copies the DONE replies at the head into one buffer per uv_write (one allocation and one
 * syscall for everything a wake-up finished) and returns their slots to the pool. */
static void
conn_flush(bzld_conn *c)
{
    while (!c->closing && c->head != NULL && c->head->state == BZLD_SLOT_DONE) {
        size_t bytes = conn_flush_bytes(c);
        conn_write *w = malloc(sizeof *w + bytes);
        BZL_ASSERT(w != NULL);
        w->conn = c;
        w->bytes = 0;
        while (w->bytes < bytes) {
            bzld_slot *s = c->head;
            BZL_ASSERT(s != NULL && s->state == BZLD_SLOT_DONE);
            BZL_ASSERT(w->bytes + s->reply_len <= bytes);
            c->head = s->next;
            if (c->head == NULL) {
                c->tail = NULL;
            }
            c->slots--;
            memcpy(w->data + w->bytes, s->reply, s->reply_len);
            w->bytes += s->reply_len;
            slot_free(s);
        }
        c->out_bytes += w->bytes;
        c->d->stats.reply_writes++;
        uv_buf_t buf = uv_buf_init((char *)w->data, (unsigned)w->bytes);
        int rc = uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, conn_write_cb);
        if (rc != 0) {
            c->out_bytes -= w->bytes;
            free(w);
            bzld_conn_close(c);
            return;
        }
    }
}

/* ---- requests in order ---------------------------------------------------------------------- */

/* Starts every slot that may start now, then flushes what is done. */
static void
conn_pump(bzld_conn *c)
{
    bzld_slot *s = c->next_new;
    for (; s != NULL; s = s->next) {
        if (s->state != BZLD_SLOT_NEW) {
            continue;
        }
        if (!s->is_write && c->running > 0) {
            break; /* a read waits for the writes before it */
        }
        bzld_dispatch_start(s);
        if (s->state == BZLD_SLOT_RUNNING) {
            c->running++;
        }
    }
    c->next_new = s;
    conn_flush(c);
    conn_resume(c);
}

/* Called from the writer's completions: the connection is pumped once after all of this
 * wake-up's completions ran (bzld_conns_pump_pending), so K replies that finished together
 * leave in one write rather than K. */
void
bzld_conn_slot_done(bzld_slot *slot)
{
    bzld_conn *c = slot->conn;
    BZL_ASSERT(slot->state == BZLD_SLOT_DONE);
    BZL_ASSERT(c->running > 0);
    c->running--;
    if (c->closing) {
        conn_maybe_free(c);
        return;
    }
    if (!c->pump_queued) {
        c->pump_queued = true;
        c->pump_next = c->d->pump_list;
        c->d->pump_list = c;
    }
}

void
bzld_conns_pump_pending(void *arg)
{
    bzld *d = arg;
    /* Bounded by the connections: each is queued at most once per wake-up. */
    while (d->pump_list != NULL) {
        bzld_conn *c = d->pump_list;
        d->pump_list = c->pump_next;
        c->pump_queued = false;
        c->pump_next = NULL;
        if (c->closing) {
            conn_maybe_free(c); /* closed by another's pump: free it if it is done */
        } else {
            conn_pump(c);
        }
    }
    bzld_server_shutdown_step(d);
}

static bzld_slot *
conn_slot_append(bzld_conn *c)
{
    bzld_slot *s = slot_alloc(c->d);
    s->conn = c;
    s->state = BZLD_SLOT_NEW;
    if (c->tail != NULL) {
        c->tail->next = s;
    } else {
        c->head = s;
    }
    c->tail = s;
    if (c->next_new == NULL) {
        c->next_new = s;
    }
    c->slots++;
    return s;
}

/* Queues a reply that is not an answer to a decodable request (id 0), then stops reading;
 * when close_after, the connection closes once it has been sent. */
static void conn_fail(bzld_conn *c, bzl_status status, const char *fmt, ...) BZL_PRINTF(3, 4);

static void
conn_fail(bzld_conn *c, bzl_status status, const char *fmt, ...)
{
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    bzld_slot *s = conn_slot_append(c);
    bzld_slot_reply_status(s, status, "%s", message);
    bzld_log(BZLD_LOG_NOTICE, "conn %llu (uid %u pid %d): %s: %s", (unsigned long long)c->conn_id,
             c->uid, c->pid, bzl_status_name(status), message);
}

static void
conn_request(bzld_conn *c, const uint8_t *body, size_t len)
{
    c->d->stats.requests++;
    bzld_slot *s = conn_slot_append(c);
    s->req = bzl__v1__request__unpack(&s->arena.allocator, len, body);
    if (s->req == NULL) {
        bzld_slot_reply_status(s, BZL_MALFORMED, "the frame does not hold a valid Request");
        return;
    }
    s->request_id = s->req->id;
    s->kind = (uint32_t)s->req->body_case;
    /* protobuf-c hands strings over NUL-terminated without their length, so a string with an
     * embedded NUL would silently lose its tail ("ACME\0X" read as "ACME"). Such a request
     * re-encodes shorter than it arrived; so does any non-canonical encoding (overlong
     * varints, repeated scalar fields), which no protobuf library emits. Refuse both. */
    if (bzl__v1__request__get_packed_size(s->req) != len) {
        bzld_slot_reply_status(s, BZL_MALFORMED,
                               "the request is not canonically encoded (a string with an embedded "
                               "NUL, an overlong varint or a repeated field)");
        return;
    }
    s->is_write = bzld_dispatch_is_write(s->req);
}

/* ---- reading -------------------------------------------------------------------------------- */

static void
conn_alloc_cb(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    bzld_conn *c = handle->data;
    /* One buffer for the whole loop: conn_read_cb consumes every byte before returning. */
    *buf = uv_buf_init((char *)c->d->read_buf, sizeof c->d->read_buf);
}

static bool
conn_over_marks(const bzld_conn *c)
{
    return c->slots >= c->d->cfg.conn_inflight_max || c->out_bytes >= c->d->cfg.conn_out_bytes_high;
}

static void
conn_stop_reading(bzld_conn *c)
{
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->pipe);
        c->reading = false;
    }
}

static void conn_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

/* Reads again when below the marks; closes a finished connection (EOF, error, shutdown). */
static void
conn_resume(bzld_conn *c)
{
    if (c->closing) {
        return;
    }
    bool finished = c->eof || c->failed || c->d->stopping;
    if (finished) {
        if (bzld_conn_idle(c)) {
            bzld_conn_close(c);
        }
        return;
    }
    if (!c->reading && !conn_over_marks(c)) {
        if (uv_read_start((uv_stream_t *)&c->pipe, conn_alloc_cb, conn_read_cb) == 0) {
            c->reading = true;
        }
    }
}

static void
conn_feed(bzld_conn *c, const uint8_t *data, size_t len)
{
    size_t off = 0;
    while (off < len && !c->failed) {
        size_t used = 0;
        bzl_status st = bzl_frame_reader_feed(&c->reader, data + off, len - off, &used);
        off += used;
        if (st != BZL_OK) {
            c->failed = true;
            if (st == BZL_FRAME_TOO_LARGE) {
                conn_fail(c, st, "frame of %u bytes refused: the cap is %u bytes",
                          c->reader.body_len, c->d->cfg.frame_bytes_max);
            } else {
                conn_fail(c, st, "%s", bzl_status_text(st));
            }
            break;
        }
        if (bzl_frame_reader_ready(&c->reader)) {
            const uint8_t *body = NULL;
            size_t body_len = 0;
            bzl_frame_reader_peek(&c->reader, &body, &body_len);
            conn_request(c, body, body_len);
            bzl_frame_reader_next(&c->reader);
        }
    }
}

static void
conn_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    bzld_conn *c = stream->data;
    if (nread == 0) {
        return;
    }
    if (nread < 0) {
        if (nread != UV_EOF) {
            bzld_log(BZLD_LOG_INFO, "conn %llu: read failed: %s", (unsigned long long)c->conn_id,
                     uv_strerror((int)nread));
        } else if (bzl_frame_reader_partial(&c->reader)) {
            bzld_log(BZLD_LOG_NOTICE, "conn %llu (uid %u): closed in the middle of a frame",
                     (unsigned long long)c->conn_id, c->uid);
        }
        c->eof = true;
        conn_stop_reading(c);
        conn_pump(c);
        return;
    }
    uv_timer_again(&c->idle);
    conn_feed(c, (const uint8_t *)buf->base, (size_t)nread);
    if (c->failed || conn_over_marks(c)) {
        conn_stop_reading(c);
    }
    conn_pump(c);
}

/* ---- accepting ------------------------------------------------------------------------------ */

static void
conn_idle_cb(uv_timer_t *timer)
{
    bzld_conn *c = timer->data;
    if (c->head != NULL || c->running > 0 || c->out_bytes > 0) {
        return; /* busy is not idle: the daemon owes it replies */
    }
    bzld_log(BZLD_LOG_INFO, "conn %llu (uid %u): idle for %u ms, closing%s",
             (unsigned long long)c->conn_id, c->uid, c->d->cfg.idle_timeout_ms,
             bzl_frame_reader_partial(&c->reader) ? " (a frame was left unfinished)" : "");
    bzld_conn_close(c);
}

/* The peer's supplementary groups as they were when it connected (SO_PEERGROUPS), so that
 * a group rule matches a member whatever its primary group (Debian gives every user a
 * private one). Without them only the primary gid can match a group rule. */
static void
conn_peer_groups(bzld_conn *c, uv_os_fd_t fd)
{
    gid_t small[64];
    gid_t *big = NULL;
    const gid_t *g = small;
    socklen_t len = sizeof small;
    int rc = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, small, &len);
    if (rc != 0 && errno == ERANGE && len > 0) { /* len is now what the groups need */
        big = malloc(len);
        rc = big != NULL ? getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, big, &len) : -1;
        g = big;
    }
    size_t n = rc == 0 ? len / sizeof(gid_t) : 0;
    c->groups = n > 0 ? malloc(n * sizeof *c->groups) : NULL;
    if (rc != 0 || (n > 0 && c->groups == NULL)) {
        bzld_log(BZLD_LOG_WARNING,
                 "conn %llu: the peer's supplementary groups are unknown (%s); group rules "
                 "match its primary gid %u only",
                 (unsigned long long)c->conn_id, rc != 0 ? strerror(errno) : "out of memory",
                 c->gid);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        c->groups[i] = (uint32_t)g[i];
    }
    c->n_groups = (uint32_t)n;
    free(big);
}

static void
conn_peer_credentials(bzld_conn *c)
{
    uv_os_fd_t fd;
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (uv_fileno((uv_handle_t *)&c->pipe, &fd) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        c->uid = cred.uid;
        c->gid = cred.gid;
        c->pid = cred.pid;
        conn_peer_groups(c, fd);
    } else {
        /* Unknown peers get the least privilege once principals exist; note it now. */
        c->uid = UINT32_MAX;
        c->gid = UINT32_MAX;
        c->pid = -1;
        bzld_log(BZLD_LOG_WARNING, "conn %llu: no peer credentials: %s",
                 (unsigned long long)c->conn_id, strerror(errno));
    }
}

static uint32_t
conns_of_uid(const bzld *d, uint32_t uid)
{
    uint32_t n = 0;
    for (const bzld_conn *c = d->conns; c != NULL; c = c->next) {
        n += c->uid == uid && !c->failed;
    }
    return n;
}

/* A connection over the caps gets one LIMIT_EXCEEDED reply and is closed. */
static void
conn_check_caps(bzld_conn *c)
{
    bzld *d = c->d;
    uint32_t serving = d->conn_count - 1 - d->refusing;
    if (serving >= d->cfg.connections_max) {
        d->stats.connections_refused++;
        conn_fail(c, BZL_LIMIT_EXCEEDED, "too many connections (the cap is %u)",
                  d->cfg.connections_max);
    } else if (conns_of_uid(d, c->uid) > d->cfg.connections_per_uid_max) {
        d->stats.connections_refused++;
        conn_fail(c, BZL_LIMIT_EXCEEDED, "too many connections from uid %u (the cap is %u)", c->uid,
                  d->cfg.connections_per_uid_max);
    } else {
        return;
    }
    c->failed = true;
    c->refused = true;
    d->refusing++;
}

void
bzld_conn_accept(bzld *d)
{
    bzld_conn *c = calloc(1, sizeof *c);
    BZL_ASSERT(c != NULL);
    c->d = d;
    c->conn_id = ++d->next_conn_id;
    uv_pipe_init(d->loop, &c->pipe, 0);
    uv_timer_init(d->loop, &c->idle);
    c->pipe.data = c;
    c->idle.data = c;
    c->handles_open = 2;
    bzl_frame_reader_init(&c->reader, d->cfg.frame_bytes_max);
    c->next = d->conns;
    if (d->conns != NULL) {
        d->conns->prev = c;
    }
    d->conns = c;
    d->conn_count++;
    if (uv_accept((uv_stream_t *)&d->listener, (uv_stream_t *)&c->pipe) != 0) {
        bzld_conn_close(c);
        return;
    }
    d->stats.connections_accepted++;
    conn_peer_credentials(c);
    bzld_access_resolve(&d->access, c->uid, c->gid, c->groups, c->n_groups, d->self_uid,
                        &c->principal);
    if (c->principal.role == BZLD_ROLE_NONE) {
        /* Once per connection; every request on it is refused in dispatch. */
        bzld_log(BZLD_LOG_NOTICE,
                 "conn %llu: uid %u gid %u pid %d is not mapped to a principal; "
                 "refusing its requests",
                 (unsigned long long)c->conn_id, c->uid, c->gid, c->pid);
    } else {
        bzld_log(BZLD_LOG_DEBUG, "conn %llu: uid %u pid %d is %s", (unsigned long long)c->conn_id,
                 c->uid, c->pid, bzld_role_name(c->principal.role));
    }
    conn_check_caps(c);
    uv_timer_start(&c->idle, conn_idle_cb, d->cfg.idle_timeout_ms, d->cfg.idle_timeout_ms);
    conn_pump(c);
}
