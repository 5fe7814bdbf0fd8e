/* frame.h — length-prefixed framing: an incremental reader and a header writer. No I/O.
 *
 * Frame layout on the socket (both directions):
 *
 *   offset  bytes  field
 *   0       4      body length N, unsigned big-endian, 1 <= N <= the reader's cap
 *   4       N      body: one protobuf Request (client → daemon) or Response (daemon → client)
 *
 * The reader is fed whatever bytes arrive, in pieces of any size, and yields complete bodies.
 * It refuses a frame whose header announces more than its cap before allocating anything,
 * and a zero length, and both errors are sticky: once the reader has failed it consumes
 * nothing more and keeps returning the same status (the caller closes the connection).
 */
#ifndef BZL_FRAME_H
#define BZL_FRAME_H

#include "bzl/base.h"

/* Bodies up to this size are assembled in the reader's inline buffer with no allocation;
 * larger ones get one malloc of exactly their length. */
#define BZL_FRAME_INLINE_BYTES 512u

typedef struct bzl_frame_reader {
    uint32_t frame_bytes_max; /* cap on a body, set at init */
    bzl_status status;        /* sticky: BZL_OK until the stream broke */
    uint8_t header[4];        /* the length prefix being assembled */
    uint32_t header_have;     /* bytes of header[] filled, 0..4 */
    uint32_t body_len;        /* announced length, valid once header_have == 4 */
    uint32_t body_have;       /* bytes of the body received so far */
    uint8_t *body;            /* inline[] or an owned heap block of body_len bytes */
    bool ready;               /* a complete body waits to be taken */
    uint8_t inline_buf[BZL_FRAME_INLINE_BYTES];
} bzl_frame_reader;

/* Initialises r (caller's memory) with a body cap, 1 <= frame_bytes_max <= the ceiling in
 * limits.h. */
void bzl_frame_reader_init(bzl_frame_reader *r, uint32_t frame_bytes_max);
/* Releases the heap block, if any. r may be initialised again afterwards. */
void bzl_frame_reader_deinit(bzl_frame_reader *r);

/* Consumes bytes from data[0..len) into the frame being assembled, stopping at the end of a
 * frame, and writes how many it consumed to *used (which is len unless a frame completed or
 * an error occurred). Must not be called while a frame is ready (take it first).
 *
 * Returns BZL_OK (check bzl_frame_reader_ready), BZL_FRAME_EMPTY for a zero length,
 * BZL_FRAME_TOO_LARGE for a length over the cap, BZL_NO_MEMORY when a large body cannot be
 * allocated. Errors are sticky. */
BZL_NODISCARD bzl_status bzl_frame_reader_feed(bzl_frame_reader *r, const uint8_t *data, size_t len,
                                               size_t *used);

/* True when a complete body is ready to be taken. */
bool bzl_frame_reader_ready(const bzl_frame_reader *r);

/* Borrowed view of the ready body, valid until bzl_frame_reader_next or _deinit. */
void bzl_frame_reader_peek(const bzl_frame_reader *r, const uint8_t **body, size_t *len);

/* Releases the ready body and prepares for the next frame. */
void bzl_frame_reader_next(bzl_frame_reader *r);

/* True when the reader holds part of a frame (a header or body byte not yet completed):
 * an EOF now means the peer truncated a frame. */
bool bzl_frame_reader_partial(const bzl_frame_reader *r);

/* Writes the 4-byte big-endian prefix for a body of body_len bytes. Returns BZL_FRAME_EMPTY
 * for 0 and BZL_FRAME_TOO_LARGE when body_len > frame_bytes_max; out is untouched then. */
BZL_NODISCARD bzl_status bzl_frame_header_encode(size_t body_len, uint32_t frame_bytes_max,
                                                 uint8_t out[4]);

/* Reads a big-endian 32-bit length from 4 bytes. */
uint32_t bzl_frame_header_decode(const uint8_t in[4]);

#endif
