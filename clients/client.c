/* client.c — the blocking client library: framed protobuf requests over a Unix socket. */
#include "bzl/client.h"

#include "bzl/frame.h"
#include "bzl/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* The daemon's embedded default socket, relative to its working directory. */
#define CLIENT_SOCKET_DEFAULT "./bzl-data/bzld.sock"

/* Bytes asked of the kernel per read. 64 KiB drains a default-sized Unix socket buffer in one
 * call; a response larger than this is assembled by the frame reader over several reads. */
#define CLIENT_READ_BYTES (64u * 1024u)

/* Room for the longest error text this file writes (an id mismatch names two 20-digit ids),
 * with margin for long errno texts. */
#define CLIENT_ERROR_BYTES 256u

struct bzl_client {
    int fd;
    uint64_t next_id;         /* the id the next request gets; starts at 1 */
    uint32_t frame_bytes_max; /* cap on requests sent and responses accepted */
    bzl_frame_reader reader;
    uint8_t *send_buf; /* owned; header + packed request, grown to the largest request sent */
    size_t send_buf_bytes;
    size_t read_pos; /* read_buf[read_pos..read_len) arrived but is not yet fed: the */
    size_t read_len; /* start of a pipelined response after the one just taken      */
    char error[CLIENT_ERROR_BYTES];
    bool peer_closed;    /* a send found the daemon gone (EPIPE, ECONNRESET) */
    uint32_t timeout_ms; /* 0: wait for ever (bzl_client_set_timeout) */
    int64_t deadline_ms; /* CLOCK_MONOTONIC ms the current call ends at; 0 outside a call */
    bool in_call;        /* bzl_client_call set the deadline for both halves */
    bool timed_out;      /* the last BZL_IO_ERROR was the timeout running out */
    uint8_t read_buf[CLIENT_READ_BYTES];
};

/* ---- helpers -------------------------------------------------------------------------- */

/* strerror is not thread-safe and clients run one per thread (the load generator). The build
 * defines _GNU_SOURCE, which selects glibc's strerror_r returning the text. */
static const char *
errno_text(int err, char *buf, size_t buf_bytes)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(err, buf, buf_bytes);
#else
    if (strerror_r(err, buf, buf_bytes) != 0) {
        snprintf(buf, buf_bytes, "error %d", err);
    }
    return buf;
#endif
}

BZL_PRINTF(2, 3)
static void
client_set_error(bzl_client *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->error, sizeof(c->error), fmt, ap);
    va_end(ap);
}

/* Writes a connect failure into the caller's buffer, which may be absent (why_cap 0). */
BZL_PRINTF(3, 4)
static void
why_set(char *why, size_t why_cap, const char *fmt, ...)
{
    if (why_cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_cap, fmt, ap);
    va_end(ap);
}

/* ---- the timeout ------------------------------------------------------------------------ */

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Starts the deadline of a send or a receive, unless bzl_client_call already did. */
static void
deadline_begin(bzl_client *c)
{
    c->timed_out = false;
    if (!c->in_call) {
        c->deadline_ms = c->timeout_ms > 0 ? now_ms() + c->timeout_ms : 0;
    }
}

/* Waits until fd is ready for events or the deadline passes. Returns 0, ETIMEDOUT, or an
 * errno value. Without a deadline it returns at once: the blocking call then waits. */
static int
wait_ready(const bzl_client *c, short events)
{
    if (c->deadline_ms == 0) {
        return 0;
    }
    for (;;) {
        int64_t left = c->deadline_ms - now_ms();
        if (left <= 0) {
            return ETIMEDOUT;
        }
        struct pollfd pfd = {.fd = c->fd, .events = events};
        int n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
        if (n > 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return errno;
        }
    }
}

/* Opens a stream socket connected to addr into *fd_out. Returns 0, or an errno value with no
 * descriptor left open. A Unix-socket connect interrupted while it waits for room in the
 * listener's backlog leaves the socket unconnected, so it is simply retried. */
static int
unix_connect(const struct sockaddr_un *addr, int *fd_out)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    int rc;
    do {
        rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EISCONN) {
        int err = errno;
        close(fd);
        return err;
    }
    *fd_out = fd;
    return 0;
}

/* Writes all of buf, resuming after signals and short writes. MSG_NOSIGNAL turns a daemon
 * that has gone away into EPIPE instead of a SIGPIPE that would kill the client. Returns 0 or
 * an errno value. The loop is bounded by len: each pass sends at least one byte or retries an
 * interrupted call that sent nothing. */
static int
send_all(const bzl_client *c, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    /* With a deadline each send waits in poll, never in the kernel: MSG_DONTWAIT. */
    int flags = MSG_NOSIGNAL | (c->deadline_ms != 0 ? MSG_DONTWAIT : 0);
    while (off < len) {
        int err = wait_ready(c, POLLOUT);
        if (err != 0) {
            return err;
        }
        ssize_t n = send(c->fd, buf + off, len - off, flags);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
            continue;
        }
        if (n < 0) {
            return errno;
        }
        if (n == 0) {
            return EPIPE; /* a stream socket that accepts nothing is as good as closed */
        }
        off += (size_t)n;
    }
    return 0;
}

/* Grows the send buffer to hold at least bytes. Kept between sends so a steady stream of
 * requests allocates once. */
static bzl_status
send_buf_reserve(bzl_client *c, size_t bytes)
{
    if (c->send_buf_bytes >= bytes) {
        return BZL_OK;
    }
    uint8_t *grown = realloc(c->send_buf, bytes);
    if (grown == NULL) {
        return BZL_NO_MEMORY;
    }
    c->send_buf = grown;
    c->send_buf_bytes = bytes;
    return BZL_OK;
}

/* ---- connect / close ------------------------------------------------------------------ */

const char *
bzl_client_default_socket(void)
{
    const char *env = getenv("BZL_SOCKET");
    return (env != NULL && env[0] != '\0') ? env : CLIENT_SOCKET_DEFAULT;
}

bzl_status
bzl_client_connect(const char *socket_path, bzl_client **out, char *why, size_t why_cap)
{
    BZL_ASSERT(socket_path != NULL);
    BZL_ASSERT(out != NULL);
    BZL_ASSERT(why != NULL || why_cap == 0);

    bzl_status status = BZL_OK;
    bzl_client *c = NULL;
    int fd = -1;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;

    /* Checked before copying: a longer path would be truncated into a different socket. */
    size_t path_bytes = strlen(socket_path);
    if (path_bytes == 0 || path_bytes >= sizeof(addr.sun_path)) {
        status = BZL_INVALID_ARGUMENT;
        why_set(why, why_cap, "socket path of %zu bytes; a Unix socket path holds 1 to %zu: %s",
                path_bytes, sizeof(addr.sun_path) - 1, socket_path);
        goto fail;
    }
    memcpy(addr.sun_path, socket_path, path_bytes + 1);

    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        status = BZL_NO_MEMORY;
        why_set(why, why_cap, "connect %s: out of memory", socket_path);
        goto fail;
    }
    int err = unix_connect(&addr, &fd);
    if (err != 0) {
        char errbuf[128];
        /* The socket or its directory is not open to this user: not a daemon that is down. */
        status = err == EACCES || err == EPERM ? BZL_PERMISSION_DENIED : BZL_IO_ERROR;
        why_set(why, why_cap, "connect %s: %s", socket_path,
                errno_text(err, errbuf, sizeof(errbuf)));
        goto fail;
    }

    c->fd = fd;
    c->next_id = 1;
    c->frame_bytes_max = BZL_FRAME_BYTES_DEFAULT;
    bzl_frame_reader_init(&c->reader, c->frame_bytes_max);
    c->error[0] = '\0';
    if (why_cap > 0) {
        why[0] = '\0';
    }
    *out = c;
    return BZL_OK;

fail:
    BZL_ASSERT(fd < 0);
    free(c);
    return status;
}

void
bzl_client_close(bzl_client *c)
{
    if (c == NULL) {
        return;
    }
    BZL_ASSERT(c->fd >= 0);
    close(c->fd);
    bzl_frame_reader_deinit(&c->reader);
    free(c->send_buf);
    free(c);
}

/* ---- requests and responses ----------------------------------------------------------- */

bzl_status
bzl_client_send(bzl_client *c, Bzl__V1__Request *req)
{
    BZL_ASSERT(c != NULL);
    BZL_ASSERT(req != NULL);

    c->error[0] = '\0';
    req->id = c->next_id;
    size_t body_bytes = bzl__v1__request__get_packed_size(req);
    /* Only an all-default request packs to nothing, and ids start at 1, so a packed request
     * always holds at least its id: FRAME_EMPTY cannot come back from the encoder. */
    BZL_ASSERT(req->id >= 1);
    BZL_ASSERT(body_bytes > 0);
    uint8_t header[BZL_FRAME_HEADER_BYTES];
    bzl_status status = bzl_frame_header_encode(body_bytes, c->frame_bytes_max, header);
    if (status != BZL_OK) {
        client_set_error(c, "request of %zu bytes exceeds the frame cap of %" PRIu32 " bytes",
                         body_bytes, c->frame_bytes_max);
        return status;
    }
    status = send_buf_reserve(c, BZL_FRAME_HEADER_BYTES + body_bytes);
    if (status != BZL_OK) {
        client_set_error(c, "request of %zu bytes: out of memory", body_bytes);
        return status;
    }
    memcpy(c->send_buf, header, BZL_FRAME_HEADER_BYTES);
    size_t packed = bzl__v1__request__pack(req, c->send_buf + BZL_FRAME_HEADER_BYTES);
    BZL_ASSERT(packed == body_bytes);

    deadline_begin(c);
    int err = send_all(c, c->send_buf, BZL_FRAME_HEADER_BYTES + body_bytes);
    if (err == ETIMEDOUT) {
        c->timed_out = true;
        client_set_error(c, "no room to send within %" PRIu32 " ms", c->timeout_ms);
        return BZL_IO_ERROR;
    }
    if (err != 0) {
        char errbuf[128];
        c->peer_closed = err == EPIPE || err == ECONNRESET;
        client_set_error(c, "send: %s", errno_text(err, errbuf, sizeof(errbuf)));
        return BZL_IO_ERROR;
    }
    c->next_id += 1;
    return BZL_OK;
}

/* Refills read_buf from the socket once it has been fed entirely. */
static bzl_status
client_fill(bzl_client *c)
{
    BZL_ASSERT(c->read_pos == c->read_len);

    int err = wait_ready(c, POLLIN);
    if (err == ETIMEDOUT) {
        c->timed_out = true;
        client_set_error(c, "no answer within %" PRIu32 " ms", c->timeout_ms);
        return BZL_IO_ERROR;
    }
    ssize_t n;
    do {
        n = recv(c->fd, c->read_buf, sizeof(c->read_buf), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        char errbuf[128];
        client_set_error(c, "recv: %s", errno_text(errno, errbuf, sizeof(errbuf)));
        return BZL_IO_ERROR;
    }
    if (n == 0) {
        client_set_error(c, "daemon closed the connection%s",
                         bzl_frame_reader_partial(&c->reader) ? " in the middle of a response"
                                                              : "");
        return BZL_IO_ERROR;
    }
    c->read_pos = 0;
    c->read_len = (size_t)n;
    return BZL_OK;
}

/* A new cap from bzl_client_set_frame_max takes effect between frames: a frame already begun
 * is finished under the cap it started with. */
static void
client_apply_frame_max(bzl_client *c)
{
    bzl_frame_reader *r = &c->reader;
    if (r->frame_bytes_max == c->frame_bytes_max || r->status != BZL_OK ||
        bzl_frame_reader_partial(r) || bzl_frame_reader_ready(r)) {
        return;
    }
    bzl_frame_reader_deinit(r);
    bzl_frame_reader_init(r, c->frame_bytes_max);
}

bzl_status
bzl_client_recv(bzl_client *c, Bzl__V1__Response **resp)
{
    BZL_ASSERT(c != NULL);
    BZL_ASSERT(resp != NULL);

    c->error[0] = '\0';
    deadline_begin(c);
    client_apply_frame_max(c);
    /* Bytes left over from the last read are fed first: they may hold this whole response.
     * Bounded: every pass either consumes at least one byte of a frame capped at
     * frame_bytes_max plus its header, or reads from the socket, which ends at EOF. */
    while (!bzl_frame_reader_ready(&c->reader)) {
        size_t used = 0;
        bzl_status status = bzl_frame_reader_feed(&c->reader, c->read_buf + c->read_pos,
                                                  c->read_len - c->read_pos, &used);
        c->read_pos += used;
        if (status == BZL_FRAME_TOO_LARGE) {
            client_set_error(
                c, "response frame of %" PRIu32 " bytes refused: the cap is %" PRIu32 " bytes",
                c->reader.body_len, c->reader.frame_bytes_max);
            return status;
        }
        if (status != BZL_OK) {
            client_set_error(c, "response frame refused: %s", bzl_status_text(status));
            return status;
        }
        if (bzl_frame_reader_ready(&c->reader)) {
            break;
        }
        status = client_fill(c);
        if (status != BZL_OK) {
            return status;
        }
    }

    const uint8_t *body = NULL;
    size_t body_bytes = 0;
    bzl_frame_reader_peek(&c->reader, &body, &body_bytes);
    Bzl__V1__Response *unpacked = bzl__v1__response__unpack(NULL, body_bytes, body);
    bzl_frame_reader_next(&c->reader);
    if (unpacked == NULL) {
        /* The frame boundaries are intact, so the connection stays usable. */
        client_set_error(c, "a response frame of %zu bytes is not a valid Response", body_bytes);
        return BZL_MALFORMED;
    }
    *resp = unpacked;
    return BZL_OK;
}

static bzl_status client_call(bzl_client *c, Bzl__V1__Request *req, Bzl__V1__Response **resp);

bzl_status
bzl_client_call(bzl_client *c, Bzl__V1__Request *req, Bzl__V1__Response **resp)
{
    BZL_ASSERT(c != NULL);
    BZL_ASSERT(req != NULL);
    BZL_ASSERT(resp != NULL);

    /* One deadline over both halves: the timeout is the caller's wait, whatever takes it. */
    c->in_call = false;
    deadline_begin(c);
    c->in_call = true;
    bzl_status status = client_call(c, req, resp);
    c->in_call = false;
    return status;
}

static bzl_status
client_call(bzl_client *c, Bzl__V1__Request *req, Bzl__V1__Response **resp)
{
    bzl_status status = bzl_client_send(c, req);
    Bzl__V1__Response *got = NULL;
    if (status == BZL_IO_ERROR && c->peer_closed) {
        /* The daemon may have refused the connection itself (a cap, an unmapped peer) and
         * closed it before the request arrived: its refusal waits in the socket. */
        char why[CLIENT_ERROR_BYTES];
        snprintf(why, sizeof why, "%s", c->error);
        if (bzl_client_recv(c, &got) == BZL_OK && got->id == 0 &&
            got->status != BZL__V1__STATUS__STATUS_OK) {
            *resp = got;
            return BZL_OK;
        }
        if (got != NULL) {
            bzl__v1__response__free_unpacked(got, NULL);
        }
        snprintf(c->error, sizeof c->error, "%s", why);
        return status;
    }
    if (status != BZL_OK) {
        return status;
    }
    status = bzl_client_recv(c, &got);
    if (status != BZL_OK) {
        return status;
    }
    /* Id 0 answers no request: the daemon refused the connection (over a cap, an unmapped
     * peer, a broken frame) and closes it; its status and message are the answer. */
    if (got->id == 0 && got->status != BZL__V1__STATUS__STATUS_OK) {
        *resp = got;
        return BZL_OK;
    }
    if (got->id != req->id) {
        client_set_error(c, "response id %" PRIu64 " does not match request id %" PRIu64, got->id,
                         req->id);
        bzl__v1__response__free_unpacked(got, NULL);
        return BZL_MALFORMED;
    }
    *resp = got;
    return BZL_OK;
}

void
bzl_client_set_timeout(bzl_client *c, uint32_t timeout_ms)
{
    BZL_ASSERT(c != NULL);
    c->timeout_ms = timeout_ms;
}

void
bzl_client_set_frame_max(bzl_client *c, uint32_t frame_bytes_max)
{
    BZL_ASSERT(c != NULL);
    BZL_ASSERT(frame_bytes_max >= 1);
    BZL_ASSERT(frame_bytes_max <= BZL_FRAME_BYTES_CEILING);

    c->frame_bytes_max = frame_bytes_max;
    client_apply_frame_max(c);
}

const char *
bzl_client_error(const bzl_client *c)
{
    BZL_ASSERT(c != NULL);
    return c->error;
}

bool
bzl_client_timed_out(const bzl_client *c)
{
    BZL_ASSERT(c != NULL);
    return c->timed_out;
}

int
bzl_client_fd(const bzl_client *c)
{
    BZL_ASSERT(c != NULL);
    return c->fd;
}

bool
bzl_client_buffered(const bzl_client *c)
{
    BZL_ASSERT(c != NULL);
    return c->read_pos < c->read_len || bzl_frame_reader_ready(&c->reader);
}
