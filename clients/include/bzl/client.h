/* client.h — the blocking client library: connect to bzld, send requests, read responses.
 *
 * Every bzl client (the CLI, the nightly job, the load generator, the tests) talks to the
 * daemon through this. It frames protobuf Requests and Responses (frame.h) over the Unix
 * socket. Calls block; a client may pipeline by calling bzl_client_send several times and
 * then bzl_client_recv as often: responses come back in request order.
 *
 * A bzl_client is not thread-safe: use one per thread.
 */
#ifndef BZL_CLIENT_H
#define BZL_CLIENT_H

#include "bzl.pb-c.h"
#include "bzl/base.h"

typedef struct bzl_client bzl_client;

/* The socket a client uses when none is given: $BZL_SOCKET when set, else the daemon's
 * embedded default, ./bzl-data/bzld.sock. Borrowed, static storage. */
const char *bzl_client_default_socket(void);

/* Connects to the daemon's socket. Returns BZL_OK and *out (owned; bzl_client_close frees),
 * BZL_INVALID_ARGUMENT for a path too long for a Unix socket, BZL_NO_MEMORY, BZL_PERMISSION_DENIED
 * when the socket or its directory is not open to this user (EACCES, EPERM), BZL_IO_ERROR when
 * the connect fails otherwise (why gets "connect ./bzl-data/bzld.sock: No such file or
 * directory"). */
BZL_NODISCARD bzl_status bzl_client_connect(const char *socket_path, bzl_client **out, char *why,
                                            size_t why_cap);
/* Closes the socket and frees c. NULL is allowed. */
void bzl_client_close(bzl_client *c);

/* Sets req->id to the client's next request id and sends the frame. Returns BZL_OK,
 * BZL_FRAME_TOO_LARGE when the packed request exceeds the client's frame cap (1 MiB by
 * default), BZL_NO_MEMORY, or BZL_IO_ERROR (the connection is dead, or the timeout ran out; close
 * it). */
BZL_NODISCARD bzl_status bzl_client_send(bzl_client *c, Bzl__V1__Request *req);

/* Reads the next response. Returns BZL_OK and *resp (owned: free with
 * bzl__v1__response__free_unpacked(*resp, NULL)), BZL_IO_ERROR when the connection closed or
 * failed or the timeout ran out, BZL_MALFORMED when the bytes are not a Response,
 * BZL_FRAME_TOO_LARGE. */
BZL_NODISCARD bzl_status bzl_client_recv(bzl_client *c, Bzl__V1__Response **resp);

/* send then recv, checking that the response echoes the request's id (BZL_MALFORMED if
 * not). The transport status is returned; the daemon's verdict is (*resp)->status. A refusal
 * of the connection itself (id 0: over a connection cap, an unmapped peer) is handed back as
 * the response, with its status and message, even when the daemon closed the connection
 * before the request could be sent; the connection is then unusable. */
BZL_NODISCARD bzl_status bzl_client_call(bzl_client *c, Bzl__V1__Request *req,
                                         Bzl__V1__Response **resp);

/* Sets how long one call may wait for the daemon, in milliseconds (0, the default: for ever).
 * bzl_client_call counts it from its start over sending and receiving; bzl_client_send and
 * bzl_client_recv each count it from their own start. A call that runs out returns
 * BZL_IO_ERROR with bzl_client_timed_out true; the connection is then out of step and must be
 * closed. */
void bzl_client_set_timeout(bzl_client *c, uint32_t timeout_ms);

/* True when the last BZL_IO_ERROR of c was its timeout running out (bzl_client_set_timeout). */
bool bzl_client_timed_out(const bzl_client *c);

/* Sets the largest frame the client sends or accepts (default BZL_FRAME_BYTES_DEFAULT); it
 * takes effect from the next frame. */
void bzl_client_set_frame_max(bzl_client *c, uint32_t frame_bytes_max);

/* The last error text for BZL_IO_ERROR / BZL_MALFORMED, "" when none. Borrowed until the next
 * call on c. */
const char *bzl_client_error(const bzl_client *c);

/* The connected socket, for a caller that waits on several connections with poll (the load
 * generator's open loop). Borrowed: only poll it; reading or writing it breaks the framing. */
int bzl_client_fd(const bzl_client *c);

/* True when bytes already read from the socket wait in c's buffer: the next bzl_client_recv
 * may complete without the socket becoming readable, so poll would miss it. */
bool bzl_client_buffered(const bzl_client *c);

#endif
