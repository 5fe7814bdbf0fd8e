/* frame.c — the length-prefixed frame codec: an incremental reader and the header writer. */
#include "bzl/frame.h"

#include "bzl/limits.h"

#include <stdlib.h>
#include <string.h>

/* Frame layout (both directions; frame.h documents the same table for callers):
 *
 *   offset  bytes  field
 *   0       4      body length N, unsigned big-endian: byte 0 is bits 31..24, byte 3 bits 7..0
 *   4       N      body, 1 <= N <= the reader's cap; one protobuf Request or Response
 *
 * The reader moves through three states, told apart by its fields alone:
 *
 *   header   header_have < 4, body == NULL          (idle when header_have == 0)
 *   body     header_have == 4, body != NULL, !ready (body_have < body_len)
 *   ready    header_have == 4, body_have == body_len, ready
 *
 * plus the sticky failed state, status != BZL_OK, in which feed consumes nothing.
 */

static_assert(BZL_FRAME_HEADER_BYTES == sizeof(((bzl_frame_reader *)0)->header),
              "the reader's header buffer holds exactly one length prefix");
static_assert(BZL_FRAME_INLINE_BYTES <= BZL_FRAME_BYTES_DEFAULT,
              "an inline body is within every default cap");
static_assert(BZL_FRAME_BYTES_CEILING <= UINT32_MAX, "every cap fits a uint32_t length");

static bool
reader_owns_heap_body(const bzl_frame_reader *r)
{
    return r->body != NULL && r->body != r->inline_buf;
}

static void
reader_release_body(bzl_frame_reader *r)
{
    if (reader_owns_heap_body(r)) {
        free(r->body);
    }
    r->body = NULL;
}

void
bzl_frame_reader_init(bzl_frame_reader *r, uint32_t frame_bytes_max)
{
    BZL_ASSERT(r != NULL);
    BZL_ASSERT(frame_bytes_max >= 1);
    BZL_ASSERT(frame_bytes_max <= BZL_FRAME_BYTES_CEILING);

    memset(r, 0, sizeof(*r));
    r->frame_bytes_max = frame_bytes_max;
    r->status = BZL_OK;
    r->body = NULL;
    r->ready = false;
}

void
bzl_frame_reader_deinit(bzl_frame_reader *r)
{
    BZL_ASSERT(r != NULL);

    reader_release_body(r);
    r->header_have = 0;
    r->body_len = 0;
    r->body_have = 0;
    r->ready = false;
}

/* The header is complete: judge the announced length from these 4 bytes alone and, when it
 * is acceptable, provide room for the body. Nothing is allocated for a refused length. */
static bzl_status
reader_start_body(bzl_frame_reader *r)
{
    BZL_ASSERT(r->header_have == BZL_FRAME_HEADER_BYTES);
    BZL_ASSERT(r->body == NULL);

    /* Recorded even when refused: the struct promises the announced length once the header
     * is complete, and a caller names it when it reports the refusal. */
    uint32_t body_len = bzl_frame_header_decode(r->header);
    r->body_len = body_len;
    r->body_have = 0;
    if (body_len == 0) {
        return BZL_FRAME_EMPTY;
    }
    if (body_len > r->frame_bytes_max) {
        return BZL_FRAME_TOO_LARGE;
    }
    if (body_len <= BZL_FRAME_INLINE_BYTES) {
        r->body = r->inline_buf;
    } else {
        r->body = malloc(body_len);
        if (r->body == NULL) {
            return BZL_NO_MEMORY;
        }
    }
    return BZL_OK;
}

bzl_status
bzl_frame_reader_feed(bzl_frame_reader *r, const uint8_t *data, size_t len, size_t *used)
{
    BZL_ASSERT(r != NULL);
    BZL_ASSERT(used != NULL);
    BZL_ASSERT(data != NULL || len == 0);
    BZL_ASSERT(!r->ready);

    if (r->status != BZL_OK) {
        *used = 0;
        return r->status;
    }

    size_t pos = 0;
    if (r->header_have < BZL_FRAME_HEADER_BYTES) {
        size_t want = BZL_FRAME_HEADER_BYTES - r->header_have;
        size_t take = len < want ? len : want;
        if (take > 0) {
            memcpy(r->header + r->header_have, data, take);
        }
        r->header_have += (uint32_t)take;
        pos += take;
        if (r->header_have < BZL_FRAME_HEADER_BYTES) {
            *used = pos;
            return BZL_OK;
        }
        bzl_status status = reader_start_body(r);
        if (status != BZL_OK) {
            r->status = status;
            *used = pos;
            return status;
        }
    }

    BZL_ASSERT(r->body != NULL);
    BZL_ASSERT(r->body_have < r->body_len);
    size_t want = r->body_len - r->body_have;
    size_t rest = len - pos;
    size_t take = rest < want ? rest : want;
    if (take > 0) {
        memcpy(r->body + r->body_have, data + pos, take);
    }
    r->body_have += (uint32_t)take;
    pos += take;
    r->ready = (r->body_have == r->body_len);

    BZL_ASSERT(pos <= len);
    *used = pos;
    return BZL_OK;
}

bool
bzl_frame_reader_ready(const bzl_frame_reader *r)
{
    BZL_ASSERT(r != NULL);
    return r->ready;
}

void
bzl_frame_reader_peek(const bzl_frame_reader *r, const uint8_t **body, size_t *len)
{
    BZL_ASSERT(r != NULL);
    BZL_ASSERT(r->ready);
    BZL_ASSERT(body != NULL && len != NULL);

    *body = r->body;
    *len = r->body_len;
}

void
bzl_frame_reader_next(bzl_frame_reader *r)
{
    BZL_ASSERT(r != NULL);
    BZL_ASSERT(r->ready);
    BZL_ASSERT(r->status == BZL_OK);

    reader_release_body(r);
    r->header_have = 0;
    r->body_len = 0;
    r->body_have = 0;
    r->ready = false;
}

bool
bzl_frame_reader_partial(const bzl_frame_reader *r)
{
    BZL_ASSERT(r != NULL);
    /* A failed reader holds no frame: its last one was refused, not cut short. */
    return r->status == BZL_OK && !r->ready && r->header_have > 0;
}

bzl_status
bzl_frame_header_encode(size_t body_len, uint32_t frame_bytes_max, uint8_t out[4])
{
    BZL_ASSERT(out != NULL);
    BZL_ASSERT(frame_bytes_max >= 1);
    BZL_ASSERT(frame_bytes_max <= BZL_FRAME_BYTES_CEILING);

    if (body_len == 0) {
        return BZL_FRAME_EMPTY;
    }
    if (body_len > frame_bytes_max) {
        return BZL_FRAME_TOO_LARGE;
    }
    uint32_t n = (uint32_t)body_len;
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    return BZL_OK;
}

uint32_t
bzl_frame_header_decode(const uint8_t in[4])
{
    BZL_ASSERT(in != NULL);
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | (uint32_t)in[3];
}
