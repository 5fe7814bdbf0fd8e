/* conn.c — one client connection: frames in, requests in order, replies out in order.
 *
 * Requests become slots in arrival order. A write is handed to the writer as soon as every
 * earlier read on the connection has run; a read runs once every earlier write is done, so
 * a client always reads its own writes. Replies leave in slot order, coalesced into one
 * uv_write per wake-up.
 *
 * Back-pressure (issue 13, finding 1): everything a connection holds is accounted — bytes read
 * but not decoded, decoded requests, packed replies, replies being written — to it and to its
 * peer uid. Frames are decoded one at a time, only while the connection is below its marks
 * (conn_inflight slots, conn_out_bytes_high bytes) and its uid below uid_memory; the rest of a
 * read waits undecoded and the socket is not read again until it is used up. A read starts
 * only while the connection's unsent replies are below the mark (or, with its uid over its
 * memory, while it has none), and replies go to the socket only up to the mark, so a peer that
 * does not read grows nothing; if its replies make no progress for drain_timeout_ms it is
 * closed. A connection with nothing in flight may always decode one request, so every peer
 * progresses.
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
    slot->in_bytes = 0;
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
    free(d->uid_use);
    d->uid_use = NULL;
    d->uid_use_cap = d->uid_use_count = 0;
}

/* ---- memory per uid ------------------------------------------------------------------------ */

/* What one peer uid's connections hold. Entries stay once made: there are as many as distinct
 * local users that ever connected. */
struct bzld_uid_use {
    uint32_t uid;
    bool used;
    uint64_t bytes;
};

static uint32_t
uid_slot(uint32_t uid, uint32_t cap)
{
    return (uid * 2654435761u) & (cap - 1); /* Knuth's multiplicative hash */
}

/* The bytes held by uid's connections (inserted at 0 when new). */
static uint64_t *
uid_bytes(bzld *d, uint32_t uid)
{
    if (d->uid_use_count * 2 >= d->uid_use_cap) {
        uint32_t cap = d->uid_use_cap == 0 ? 64 : d->uid_use_cap * 2;
        struct bzld_uid_use *grown = calloc(cap, sizeof *grown);
        BZL_ASSERT(grown != NULL);
        for (uint32_t i = 0; i < d->uid_use_cap; i++) {
            if (!d->uid_use[i].used) {
                continue;
            }
            uint32_t j = uid_slot(d->uid_use[i].uid, cap);
            while (grown[j].used) {
                j = (j + 1) & (cap - 1);
            }
            grown[j] = d->uid_use[i];
        }
        free(d->uid_use);
        d->uid_use = grown;
        d->uid_use_cap = cap;
    }
    uint32_t i = uid_slot(uid, d->uid_use_cap);
    while (d->uid_use[i].used && d->uid_use[i].uid != uid) {
        i = (i + 1) & (d->uid_use_cap - 1);
    }
    if (!d->uid_use[i].used) {
        d->uid_use[i] = (struct bzld_uid_use){.uid = uid, .used = true, .bytes = 0};
        d->uid_use_count++;
    }
    return &d->uid_use[i].bytes;
}

/* Reply bytes c owes its peer: packed replies not yet written, and writes in progress. */
static uint64_t
conn_out_held(const bzld_conn *c)
{
    uint64_t bytes = c->out_bytes;
    for (const bzld_slot *s = c->head; s != NULL; s = s->next) {
        bytes += s->state == BZLD_SLOT_DONE ? s->reply_len : 0;
    }
    return bytes;
}

/* Everything c holds: undecoded input, the frame being assembled, decoded requests, replies. */
static uint64_t
conn_held(const bzld_conn *c)
{
    uint64_t bytes = (c->pending_len - c->pending_off) + c->reader.body_have + c->out_bytes;
    for (const bzld_slot *s = c->head; s != NULL; s = s->next) {
        bytes += s->in_bytes + (s->state == BZLD_SLOT_DONE ? s->reply_len : 0);
    }
    return bytes;
}

static void conn_pump(bzld_conn *c);

/* Brings c's share of its uid's total up to date. When that takes the uid back below its cap,
 * its other connections, which may have stopped for it, are queued to be pumped. */
static void
conn_account(bzld_conn *c)
{
    bzld *d = c->d;
    uint64_t now = c->closing ? 0 : conn_held(c);
    if (now == c->held) {
        return;
    }
    uint64_t *total = uid_bytes(d, c->uid);
    bool was_over = *total >= d->cfg.uid_memory_max;
    BZL_ASSERT(*total >= c->held);
    *total = *total - c->held + now;
    c->held = now;
    if (!was_over || *total >= d->cfg.uid_memory_max) {
        return;
    }
    for (bzld_conn *o = d->conns; o != NULL; o = o->next) {
        if (o != c && o->uid == c->uid && !o->closing && !o->pump_queued) {
            o->pump_queued = true;
            o->pump_next = d->pump_list;
            d->pump_list = o;
        }
    }
}

/* True when c's uid holds its whole memory share. */
static bool
uid_over(bzld_conn *c)
{
    return *uid_bytes(c->d, c->uid) >= c->d->cfg.uid_memory_max;
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
    if (c->held > 0) {
        uint64_t *total = uid_bytes(d, c->uid);
        BZL_ASSERT(*total >= c->held);
        *total -= c->held;
    }
    bzl_frame_reader_deinit(&c->reader);
    free(c->pending);
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
    return c->head == NULL && c->running == 0 && c->out_bytes == 0 &&
           c->pending_off == c->pending_len;
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
        conn_account(c);
        return;
    }
    c->progress_ms = uv_now(c->d->loop);
    /* Room on the wire: more replies may go, held reads may start, held input be decoded. */
    conn_pump(c);
    bzld_conns_pump_pending(c->d);
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
    /* Never more than one write past the mark: the rest waits in its slots for the peer. */
    while (!c->closing && c->head != NULL && c->head->state == BZLD_SLOT_DONE &&
           c->out_bytes < c->d->cfg.conn_out_bytes_high) {
        if (c->out_bytes == 0) {
            c->progress_ms = uv_now(c->d->loop); /* the drain clock starts with the queue */
        }
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

/* Starts every slot that may start now. A read may not start while c's unsent replies fill its
 * window, or while its uid is over its memory and c still owes a reply (with none owed it may
 * start one, so it moves). The replies owed are counted once and then kept up to date with each
 * read that answers at once, not walked again per slot. */
static void
conn_start(bzld_conn *c)
{
    uint64_t out = conn_out_held(c);
    bool over = uid_over(c);
    bzld_slot *s = c->next_new;
    for (; s != NULL; s = s->next) {
        if (s->state != BZLD_SLOT_NEW) {
            continue;
        }
        bool out_full = out >= c->d->cfg.conn_out_bytes_high || (out > 0 && over);
        if (!s->is_write && (c->running > 0 || out_full)) {
            break; /* a read waits for the writes before it, and for room for its reply */
        }
        bzld_dispatch_start(s);
        if (s->state == BZLD_SLOT_RUNNING) {
            c->running++;
        } else if (s->state == BZLD_SLOT_DONE) {
            out += s->reply_len;
        }
    }
    c->next_new = s;
}

static bool conn_over_marks(bzld_conn *c);
static void conn_feed(bzld_conn *c, const uint8_t *data, size_t len, size_t *used);

/* Starts what may start, flushes what is done, decodes held input while below the marks
 * (starting what that brings), then reads again if nothing is held. */
static void
conn_pump(bzld_conn *c)
{
    for (;;) {
        conn_start(c);
        conn_flush(c);
        if (c->closing || c->failed || c->pending_off == c->pending_len || conn_over_marks(c)) {
            break;
        }
        size_t used = 0;
        conn_feed(c, c->pending + c->pending_off, c->pending_len - c->pending_off, &used);
        c->pending_off += used;
    }
    if (c->pending_off == c->pending_len && c->pending != NULL) {
        free(c->pending);
        c->pending = NULL;
        c->pending_off = c->pending_len = 0;
    }
    conn_account(c);
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
    s->in_bytes = (uint32_t)len;
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

/* True when c may not decode another request: it has its fill of slots or bytes, or its uid
 * holds its whole share — unless c has nothing in flight, so that every peer moves. */
static bool
conn_over_marks(bzld_conn *c)
{
    if (c->slots == 0) {
        return false;
    }
    conn_account(c);
    return c->slots >= c->d->cfg.conn_inflight_max || c->held >= c->d->cfg.conn_out_bytes_high ||
           uid_over(c);
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
    if (c->d->stopping || c->failed) {
        c->pending_off = c->pending_len; /* undecoded input is not answered */
    }
    bool finished = (c->eof && c->pending_off == c->pending_len) || c->failed || c->d->stopping;
    if (finished) {
        if (bzld_conn_idle(c)) {
            bzld_conn_close(c);
        }
        return;
    }
    if (!c->reading && c->pending_off == c->pending_len && !conn_over_marks(c)) {
        if (uv_read_start((uv_stream_t *)&c->pipe, conn_alloc_cb, conn_read_cb) == 0) {
            c->reading = true;
        }
    }
}

/* Decodes frames from data[0..len) while c is below its marks; *used is what it took (the
 * rest must wait: conn_read_cb keeps it as pending input). */
static void
conn_feed(bzld_conn *c, const uint8_t *data, size_t len, size_t *used_out)
{
    size_t off = 0;
    while (off < len && !c->failed && !conn_over_marks(c)) {
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
    *used_out = c->failed ? len : off;
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
    c->active_ms = uv_now(c->d->loop);
    size_t used = 0;
    conn_feed(c, (const uint8_t *)buf->base, (size_t)nread, &used);
    if (used < (size_t)nread) {
        /* The read buffer is the loop's: what could not be decoded yet is kept. */
        BZL_ASSERT(c->pending_off == c->pending_len);
        free(c->pending);
        c->pending_len = (size_t)nread - used;
        c->pending_off = 0;
        c->pending = malloc(c->pending_len);
        BZL_ASSERT(c->pending != NULL);
        memcpy(c->pending, buf->base + used, c->pending_len);
    }
    if (c->failed || c->pending_off < c->pending_len || conn_over_marks(c)) {
        conn_stop_reading(c);
    }
    conn_pump(c);
    bzld_conns_pump_pending(c->d);
}

/* ---- accepting ------------------------------------------------------------------------------ */

/* Every half of the shorter of the idle and drain timeouts: closes a connection whose replies
 * have gone nowhere for drain_timeout_ms (its peer does not read), or that has said nothing
 * for idle_timeout_ms with nothing in flight. */
static void
conn_idle_cb(uv_timer_t *timer)
{
    bzld_conn *c = timer->data;
    const bzld_config *cfg = &c->d->cfg;
    uint64_t now = uv_now(c->d->loop);
    if (c->out_bytes > 0 && now - c->progress_ms >= cfg->drain_timeout_ms) {
        bzld_log(BZLD_LOG_NOTICE,
                 "conn %llu (uid %u pid %d): its replies have not drained for %u ms (%zu bytes "
                 "unsent), closing",
                 (unsigned long long)c->conn_id, c->uid, c->pid, cfg->drain_timeout_ms,
                 c->out_bytes);
        bzld_conn_close(c);
        conn_account(c);
        return;
    }
    if (!bzld_conn_idle(c) || now - c->active_ms < cfg->idle_timeout_ms) {
        return; /* busy is not idle: the daemon owes it replies */
    }
    bzld_log(BZLD_LOG_INFO, "conn %llu (uid %u): idle for %u ms, closing%s",
             (unsigned long long)c->conn_id, c->uid, cfg->idle_timeout_ms,
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

/* A peer no rule maps gets one PERMISSION_DENIED reply and is closed at once, counted toward
 * no cap; a connection over the caps gets one LIMIT_EXCEEDED reply and is closed. The last
 * staff_connections of the total are kept for staff (admin, customs, reconciler). */
static void
conn_check_caps(bzld_conn *c)
{
    bzld *d = c->d;
    uint32_t serving = d->conn_count - 1 - d->refusing;
    /* Unless the file sets it, the staff share is at most a quarter of a small total. */
    uint32_t staff = d->cfg.staff_connections;
    if (!d->cfg.staff_connections_set && staff > d->cfg.connections_max / 4) {
        staff = d->cfg.connections_max / 4;
    }
    uint32_t open_to_all = d->cfg.connections_max - staff;
    if (c->principal.role == BZLD_ROLE_NONE) {
        d->stats.connections_refused++;
        conn_fail(c, BZL_PERMISSION_DENIED, "uid %u is not mapped to a principal", c->uid);
    } else if (serving >= d->cfg.connections_max) {
        d->stats.connections_refused++;
        conn_fail(c, BZL_LIMIT_EXCEEDED, "too many connections (the cap is %u)",
                  d->cfg.connections_max);
    } else if (!c->staff && serving >= open_to_all) {
        d->stats.connections_refused++;
        conn_fail(c, BZL_LIMIT_EXCEEDED,
                  "too many connections (%u of the cap of %u are kept for staff)", staff,
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
    c->staff = c->principal.role == BZLD_ROLE_ADMIN || c->principal.role == BZLD_ROLE_CUSTOMS ||
               c->principal.role == BZLD_ROLE_RECONCILER;
    if (c->principal.role != BZLD_ROLE_NONE) {
        bzld_log(BZLD_LOG_DEBUG, "conn %llu: uid %u pid %d is %s", (unsigned long long)c->conn_id,
                 c->uid, c->pid, bzld_role_name(c->principal.role));
    }
    conn_check_caps(c); /* an unmapped peer is refused and logged there */
    c->active_ms = c->progress_ms = uv_now(d->loop);
    uint32_t tick = d->cfg.idle_timeout_ms < d->cfg.drain_timeout_ms ? d->cfg.idle_timeout_ms
                                                                     : d->cfg.drain_timeout_ms;
    tick = tick / 2 > 0 ? tick / 2 : 1;
    uv_timer_start(&c->idle, conn_idle_cb, tick, tick);
    conn_pump(c);
}
