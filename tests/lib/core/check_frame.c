/* check_frame.c — the frame codec: header bytes, incremental assembly, and hostile streams. */
#include "bzl/frame.h"
#include "bzl/limits.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ------------------------------------------------------------------------- */

/* A body byte that depends on its offset, so a shifted or truncated copy cannot compare
 * equal. The tests fill their own expected bodies with it; the reader never sees it. */
static uint8_t
pattern_byte(size_t i)
{
    return (uint8_t)(i * 7u + 3u);
}

static uint8_t *
pattern_alloc(size_t len)
{
    uint8_t *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < len; i++) {
        p[i] = pattern_byte(i);
    }
    return p;
}

/* The stream used by the splitting tests: four frames, one of them one byte past the inline
 * buffer so its body lives on the heap. Headers are written out by hand:
 *
 *   frame  header bytes     body
 *   0      00 00 00 01      "A"
 *   1      00 00 00 05      "hello"
 *   2      00 00 02 01      513 pattern bytes (0x0201 = 513 = BZL_FRAME_INLINE_BYTES + 1)
 *   3      00 00 00 02      00 FF
 */
enum { STREAM_BIG_BODY_BYTES = 513, STREAM_FRAMES = 4 };
static const uint8_t stream_head[] = {0x00, 0x00, 0x00, 0x01, 'A', 0x00, 0x00, 0x00, 0x05,
                                      'h',  'e',  'l',  'l',  'o', 0x00, 0x00, 0x02, 0x01};
static const uint8_t stream_tail[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0xFF};
/* 18 + 513 + 6 */
enum { STREAM_BYTES = 537 };

static uint8_t stream[STREAM_BYTES];
static uint8_t stream_big_body[STREAM_BIG_BODY_BYTES];

static const struct expected_frame {
    const uint8_t *body;
    size_t len;
} stream_frames[STREAM_FRAMES] = {
    {(const uint8_t *)"A", 1},
    {(const uint8_t *)"hello", 5},
    {stream_big_body, STREAM_BIG_BODY_BYTES},
    {(const uint8_t *)"\x00\xFF", 2},
};

static void
stream_setup(void)
{
    ck_assert_uint_eq(sizeof(stream_head) + STREAM_BIG_BODY_BYTES + sizeof(stream_tail),
                      STREAM_BYTES);
    for (size_t i = 0; i < STREAM_BIG_BODY_BYTES; i++) {
        stream_big_body[i] = pattern_byte(i);
    }
    memcpy(stream, stream_head, sizeof(stream_head));
    memcpy(stream + sizeof(stream_head), stream_big_body, STREAM_BIG_BODY_BYTES);
    memcpy(stream + sizeof(stream_head) + STREAM_BIG_BODY_BYTES, stream_tail, sizeof(stream_tail));
}

/* Feeds data[0..len) to r, taking every frame that completes and checking it against
 * stream_frames[*taken], in order. Each feed must consume at least one byte (the reader never
 * stalls on input it can use) and the whole piece must be consumed by the end. */
static void
feed_and_take(bzl_frame_reader *r, const uint8_t *data, size_t len, size_t *taken)
{
    size_t pos = 0;
    while (pos < len) {
        size_t used = 0;
        ck_assert_int_eq(bzl_frame_reader_feed(r, data + pos, len - pos, &used), BZL_OK);
        ck_assert_uint_ge(used, 1);
        ck_assert_uint_le(used, len - pos);
        pos += used;
        if (!bzl_frame_reader_ready(r)) {
            ck_assert_uint_eq(pos, len);
            continue;
        }
        ck_assert_uint_lt(*taken, STREAM_FRAMES);
        const uint8_t *body = NULL;
        size_t body_len = 0;
        bzl_frame_reader_peek(r, &body, &body_len);
        ck_assert_uint_eq(body_len, stream_frames[*taken].len);
        ck_assert_mem_eq(body, stream_frames[*taken].body, body_len);
        bzl_frame_reader_next(r);
        *taken += 1;
    }
}

/* ---- header encode / decode ----------------------------------------------------------- */

START_TEST(frame_header_encode_writes_big_endian)
{
    /* Proves the prefix is big-endian, most significant byte first, for small and wide lengths. */
    uint8_t out[4];
    ck_assert_int_eq(bzl_frame_header_encode(1, BZL_FRAME_BYTES_DEFAULT, out), BZL_OK);
    ck_assert_mem_eq(out, "\x00\x00\x00\x01", 4);
    ck_assert_int_eq(bzl_frame_header_encode(300, BZL_FRAME_BYTES_DEFAULT, out), BZL_OK);
    ck_assert_mem_eq(out, "\x00\x00\x01\x2C", 4);
    ck_assert_int_eq(bzl_frame_header_encode(0x01020304u, BZL_FRAME_BYTES_CEILING, out), BZL_OK);
    ck_assert_mem_eq(out, "\x01\x02\x03\x04", 4);
}
END_TEST

START_TEST(frame_header_decode_reads_big_endian)
{
    /* Proves decode reads the most significant byte first, including the all-ones length. */
    ck_assert_uint_eq(bzl_frame_header_decode((const uint8_t *)"\x12\x34\x56\x78"), 305419896u);
    ck_assert_uint_eq(bzl_frame_header_decode((const uint8_t *)"\x00\x00\x00\x00"), 0u);
    ck_assert_uint_eq(bzl_frame_header_decode((const uint8_t *)"\x00\x00\x02\x01"), 513u);
    ck_assert_uint_eq(bzl_frame_header_decode((const uint8_t *)"\xFF\xFF\xFF\xFF"), 4294967295u);
}
END_TEST

START_TEST(frame_header_encode_refuses_zero_and_leaves_out_untouched)
{
    /* Proves an empty body gets no header, and the output buffer is not written on refusal. */
    uint8_t out[4] = {0xAA, 0xBB, 0xCC, 0xDD};
    ck_assert_int_eq(bzl_frame_header_encode(0, BZL_FRAME_BYTES_DEFAULT, out), BZL_FRAME_EMPTY);
    ck_assert_mem_eq(out, "\xAA\xBB\xCC\xDD", 4);
}
END_TEST

START_TEST(frame_header_encode_refuses_over_cap_and_accepts_cap)
{
    /* Proves the cap is inclusive: cap bytes are framed, cap + 1 is refused untouched, and a
     * size_t length beyond 32 bits is refused rather than truncated. */
    uint8_t out[4] = {0xAA, 0xBB, 0xCC, 0xDD};
    ck_assert_int_eq(bzl_frame_header_encode(101, 100, out), BZL_FRAME_TOO_LARGE);
    ck_assert_mem_eq(out, "\xAA\xBB\xCC\xDD", 4);
    ck_assert_int_eq(bzl_frame_header_encode((size_t)UINT32_MAX, BZL_FRAME_BYTES_CEILING, out),
                     BZL_FRAME_TOO_LARGE);
    if (SIZE_MAX > UINT32_MAX) {
        size_t wide = (size_t)UINT32_MAX + 101u; /* would wrap to 100 if truncated */
        ck_assert_int_eq(bzl_frame_header_encode(wide, BZL_FRAME_BYTES_CEILING, out),
                         BZL_FRAME_TOO_LARGE);
    }
    ck_assert_mem_eq(out, "\xAA\xBB\xCC\xDD", 4);
    ck_assert_int_eq(bzl_frame_header_encode(100, 100, out), BZL_OK);
    ck_assert_mem_eq(out, "\x00\x00\x00\x64", 4);
    /* The ceiling itself, 64 MiB = 0x04000000. */
    ck_assert_int_eq(bzl_frame_header_encode(BZL_FRAME_BYTES_CEILING, BZL_FRAME_BYTES_CEILING, out),
                     BZL_OK);
    ck_assert_mem_eq(out, "\x04\x00\x00\x00", 4);
}
END_TEST

/* ---- the reader on good input --------------------------------------------------------- */

START_TEST(frame_reader_yields_a_frame_fed_whole)
{
    /* Proves a complete frame in one piece is consumed exactly and offered as a borrowed view. */
    static const uint8_t bytes[] = {0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'};
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));

    size_t used = 99;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, sizeof(bytes), &used), BZL_OK);
    ck_assert_uint_eq(used, 7);
    ck_assert(bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));

    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_mem_eq(body, "abc", 3);

    bzl_frame_reader_next(&r);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_feed_of_nothing_consumes_nothing)
{
    /* Proves an empty feed (even with a NULL pointer) is harmless and leaves the reader idle. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 99;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, NULL, 0, &used), BZL_OK);
    ck_assert_uint_eq(used, 0);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_stops_at_the_end_of_each_frame)
{
    /* Proves feed consumes only through the end of the frame it completes (used < len), so
     * the caller takes that frame and feeds the rest: the stream's frames come out one per
     * feed with the byte counts 5, 9, 517, 6 (header + body of each). */
    static const size_t frame_bytes[STREAM_FRAMES] = {5, 9, 517, 6};
    stream_setup();
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);

    size_t pos = 0;
    for (size_t i = 0; i < STREAM_FRAMES; i++) {
        size_t used = 0;
        ck_assert_int_eq(bzl_frame_reader_feed(&r, stream + pos, STREAM_BYTES - pos, &used),
                         BZL_OK);
        ck_assert_uint_eq(used, frame_bytes[i]);
        ck_assert(bzl_frame_reader_ready(&r));
        const uint8_t *body = NULL;
        size_t len = 0;
        bzl_frame_reader_peek(&r, &body, &len);
        ck_assert_uint_eq(len, stream_frames[i].len);
        ck_assert_mem_eq(body, stream_frames[i].body, len);
        bzl_frame_reader_next(&r);
        pos += used;
    }
    ck_assert_uint_eq(pos, STREAM_BYTES);
    ck_assert(!bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_yields_the_same_frames_at_every_split)
{
    /* Proves assembly does not depend on where the bytes are cut: the stream split into two
     * pieces at every one of its 538 boundaries (including empty first and last pieces)
     * yields the same four frames, and nothing is left partial. */
    stream_setup();
    for (size_t split = 0; split <= STREAM_BYTES; split++) {
        bzl_frame_reader r;
        bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
        size_t taken = 0;
        feed_and_take(&r, stream, split, &taken);
        feed_and_take(&r, stream + split, STREAM_BYTES - split, &taken);
        ck_assert_uint_eq(taken, STREAM_FRAMES);
        ck_assert(!bzl_frame_reader_partial(&r));
        bzl_frame_reader_deinit(&r);
    }
}
END_TEST

START_TEST(frame_reader_yields_the_same_frames_one_byte_at_a_time)
{
    /* Proves the header and the body are each assembled across calls: fed one byte per call,
     * every byte is consumed and the stream yields the same four frames, with the reader
     * partial exactly between a frame's first byte and its last. */
    static const size_t frame_ends[STREAM_FRAMES] = {5, 14, 531, 537};
    stream_setup();
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t taken = 0;
    for (size_t i = 0; i < STREAM_BYTES; i++) {
        bool at_frame_end = false;
        for (size_t f = 0; f < STREAM_FRAMES; f++) {
            at_frame_end = at_frame_end || (i + 1 == frame_ends[f]);
        }
        size_t before = taken;
        feed_and_take(&r, stream + i, 1, &taken);
        ck_assert_uint_eq(taken, before + (at_frame_end ? 1u : 0u));
        ck_assert(bzl_frame_reader_partial(&r) == !at_frame_end);
    }
    ck_assert_uint_eq(taken, STREAM_FRAMES);
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_keeps_an_inline_sized_body_inline)
{
    /* Proves a body of exactly BZL_FRAME_INLINE_BYTES (512 = 0x0200) is assembled in the
     * reader's own buffer, with no allocation. */
    uint8_t *bytes = malloc(4 + 512);
    ck_assert_ptr_nonnull(bytes);
    memcpy(bytes, "\x00\x00\x02\x00", 4);
    uint8_t *want = pattern_alloc(512);
    memcpy(bytes + 4, want, 512);

    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, 4 + 512, &used), BZL_OK);
    ck_assert_uint_eq(used, 516);
    ck_assert(bzl_frame_reader_ready(&r));
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_ptr_eq(body, r.inline_buf);
    ck_assert_uint_eq(len, 512);
    ck_assert_mem_eq(body, want, 512);
    bzl_frame_reader_deinit(&r);
    free(want);
    free(bytes);
}
END_TEST

START_TEST(frame_reader_puts_an_inline_plus_one_body_on_the_heap)
{
    /* Proves a body one byte over the inline buffer (513 = 0x0201) gets its own block, which
     * holds the whole body intact (AddressSanitizer checks the block is exactly large enough
     * for what was written into it) and is freed on next. */
    uint8_t *bytes = malloc(4 + 513);
    ck_assert_ptr_nonnull(bytes);
    memcpy(bytes, "\x00\x00\x02\x01", 4);
    uint8_t *want = pattern_alloc(513);
    memcpy(bytes + 4, want, 513);

    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, 4 + 513, &used), BZL_OK);
    ck_assert_uint_eq(used, 517);
    ck_assert(bzl_frame_reader_ready(&r));
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_ptr_ne(body, r.inline_buf);
    ck_assert_uint_eq(len, 513);
    ck_assert_mem_eq(body, want, 513);
    bzl_frame_reader_next(&r);
    ck_assert(!bzl_frame_reader_ready(&r));
    bzl_frame_reader_deinit(&r);
    free(want);
    free(bytes);
}
END_TEST

START_TEST(frame_reader_assembles_a_200_KiB_body_from_4_KiB_pieces)
{
    /* Proves a large body (204,800 bytes = 0x00032000) arrives intact when fed in socket-sized
     * pieces that do not line up with the header: 4,096-byte reads starting at offset 0. */
    enum { BODY = 204800, TOTAL = 4 + BODY, PIECE = 4096 };
    uint8_t *bytes = malloc(TOTAL);
    ck_assert_ptr_nonnull(bytes);
    memcpy(bytes, "\x00\x03\x20\x00", 4);
    uint8_t *want = pattern_alloc(BODY);
    memcpy(bytes + 4, want, BODY);

    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t pos = 0;
    while (pos < TOTAL) {
        ck_assert(!bzl_frame_reader_ready(&r));
        size_t piece = TOTAL - pos < PIECE ? TOTAL - pos : PIECE;
        size_t used = 0;
        ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes + pos, piece, &used), BZL_OK);
        ck_assert_uint_eq(used, piece);
        pos += used;
    }
    ck_assert(bzl_frame_reader_ready(&r));
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_uint_eq(len, 204800);
    ck_assert_mem_eq(body, want, BODY);
    bzl_frame_reader_next(&r);
    bzl_frame_reader_deinit(&r);
    free(want);
    free(bytes);
}
END_TEST

START_TEST(frame_reader_deinit_frees_a_half_assembled_body)
{
    /* Proves deinit releases a heap body still being assembled (LeakSanitizer fails the test
     * otherwise) and the reader can be initialised again and used. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    uint8_t *bytes = pattern_alloc(100);
    memcpy(bytes, "\x00\x03\x20\x00", 4); /* announces 204,800 bytes; 96 arrive */
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, 100, &used), BZL_OK);
    ck_assert_uint_eq(used, 100);
    ck_assert(bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);

    bzl_frame_reader_init(&r, 10);
    ck_assert(!bzl_frame_reader_partial(&r));
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\x00\x00\x00\x01Z", 5, &used),
                     BZL_OK);
    ck_assert_uint_eq(used, 5);
    ck_assert(bzl_frame_reader_ready(&r));
    bzl_frame_reader_deinit(&r);
    free(bytes);
}
END_TEST

/* ---- the reader on bad input ---------------------------------------------------------- */

START_TEST(frame_reader_truncated_header_is_partial_not_ready)
{
    /* Proves 1, 2 or 3 header bytes followed by nothing are all consumed, yield no frame and
     * leave the reader partial, so an EOF there is seen as a truncated frame. */
    static const uint8_t header[] = {0x00, 0x00, 0x00, 0x05};
    for (size_t have = 1; have <= 3; have++) {
        bzl_frame_reader r;
        bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
        size_t used = 0;
        ck_assert_int_eq(bzl_frame_reader_feed(&r, header, have, &used), BZL_OK);
        ck_assert_uint_eq(used, have);
        ck_assert(!bzl_frame_reader_ready(&r));
        ck_assert(bzl_frame_reader_partial(&r));
        ck_assert_int_eq(bzl_frame_reader_feed(&r, NULL, 0, &used), BZL_OK);
        ck_assert_uint_eq(used, 0);
        ck_assert(bzl_frame_reader_partial(&r));
        bzl_frame_reader_deinit(&r);
    }
}
END_TEST

START_TEST(frame_reader_truncated_body_is_partial_not_ready)
{
    /* Proves a complete header with part (or none) of its body yields no frame and is partial. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\x00\x00\x00\x05", 4, &used),
                     BZL_OK);
    ck_assert_uint_eq(used, 4);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(bzl_frame_reader_partial(&r));
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"he", 2, &used), BZL_OK);
    ck_assert_uint_eq(used, 2);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_rejects_zero_length)
{
    /* Proves a zero length is refused as FRAME_EMPTY once its 4 bytes are in, consuming only
     * the header, and the reader then holds no frame. */
    static const uint8_t bytes[] = {0x00, 0x00, 0x00, 0x00, 'x', 'y'};
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, sizeof(bytes), &used), BZL_FRAME_EMPTY);
    ck_assert_uint_eq(used, 4);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_rejects_oversized_from_header_alone)
{
    /* Proves a length of cap + 1 is refused as soon as the 4 header bytes are in, before any
     * body byte arrives (so nothing was allocated for it), even with the header split, and
     * the announced length stays readable in body_len as frame.h promises. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, 100);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\x00\x00", 2, &used), BZL_OK);
    ck_assert_uint_eq(used, 2);
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\x00\x65", 2, &used),
                     BZL_FRAME_TOO_LARGE); /* 0x65 = 101 */
    ck_assert_uint_eq(used, 2);
    ck_assert(!bzl_frame_reader_ready(&r));
    ck_assert(!bzl_frame_reader_partial(&r));
    ck_assert_ptr_null(r.body);
    ck_assert_uint_eq(r.body_len, 101); /* kept, so the caller can name it in its refusal */
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_accepts_a_length_equal_to_the_cap)
{
    /* Proves the cap is inclusive: with cap 100, a 100-byte (0x64) body is assembled whole. */
    enum { CAP = 100 };
    uint8_t bytes[4 + CAP];
    memcpy(bytes, "\x00\x00\x00\x64", 4);
    for (size_t i = 0; i < CAP; i++) {
        bytes[4 + i] = pattern_byte(i);
    }
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, CAP);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, 4, &used), BZL_OK);
    ck_assert_uint_eq(used, 4);
    ck_assert(bzl_frame_reader_partial(&r));
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes + 4, CAP, &used), BZL_OK);
    ck_assert_uint_eq(used, CAP);
    ck_assert(bzl_frame_reader_ready(&r));
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_uint_eq(len, 100);
    ck_assert_uint_eq(body[0], 3);    /* 0 * 7 + 3 */
    ck_assert_uint_eq(body[99], 184); /* (99 * 7 + 3) mod 256 = 696 - 512 */
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_rejects_the_all_ones_length)
{
    /* Proves the largest length a header can state (0xFFFFFFFF) is refused even under the
     * highest cap a configuration may set, and nothing is allocated for it. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_CEILING);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\xFF\xFF\xFF\xFF\x01", 5, &used),
                     BZL_FRAME_TOO_LARGE);
    ck_assert_uint_eq(used, 4);
    ck_assert_ptr_null(r.body);
    ck_assert_uint_eq(r.body_len, 4294967295u);
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_rejects_garbage_read_as_a_length)
{
    /* Proves a peer speaking the wrong protocol is refused on its first 4 bytes: "GET " reads
     * as 0x47455420 = 1,195,725,856, far over the 1 MiB default cap. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    const char *http = "GET / HTTP/1.1\r\n";
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)http, strlen(http), &used),
                     BZL_FRAME_TOO_LARGE);
    ck_assert_uint_eq(used, 4);
    ck_assert_uint_eq(bzl_frame_header_decode((const uint8_t *)http), 1195725856u);
    bzl_frame_reader_deinit(&r);
}
END_TEST

START_TEST(frame_reader_errors_are_sticky)
{
    /* Proves that after a refusal (empty and oversized alike) every later feed, however good
     * its bytes, consumes nothing and returns the same status. */
    static const struct {
        const char *header;
        uint32_t cap;
        bzl_status status;
    } cases[] = {
        {"\x00\x00\x00\x00", 100, BZL_FRAME_EMPTY},
        {"\x00\x00\x00\x65", 100, BZL_FRAME_TOO_LARGE},
    };
    static const uint8_t good[] = {0x00, 0x00, 0x00, 0x02, 'o', 'k'};
    for (size_t c = 0; c < BZL_ARRAY_LEN(cases); c++) {
        bzl_frame_reader r;
        bzl_frame_reader_init(&r, cases[c].cap);
        size_t used = 0;
        ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)cases[c].header, 4, &used),
                         cases[c].status);
        for (int again = 0; again < 3; again++) {
            used = 99;
            ck_assert_int_eq(bzl_frame_reader_feed(&r, good, sizeof(good), &used), cases[c].status);
            ck_assert_uint_eq(used, 0);
            ck_assert(!bzl_frame_reader_ready(&r));
            ck_assert(!bzl_frame_reader_partial(&r));
        }
        bzl_frame_reader_deinit(&r);
    }
}
END_TEST

START_TEST(frame_reader_error_after_good_frames_keeps_them)
{
    /* Proves a refusal in mid-stream does not disturb the frame before it: "hi" is taken, then
     * the zero length that follows is refused with only its header consumed. */
    static const uint8_t bytes[] = {0x00, 0x00, 0x00, 0x02, 'h',  'i',  0x00,
                                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes, sizeof(bytes), &used), BZL_OK);
    ck_assert_uint_eq(used, 6);
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
    ck_assert_uint_eq(len, 2);
    ck_assert_mem_eq(body, "hi", 2);
    bzl_frame_reader_next(&r);
    ck_assert_int_eq(bzl_frame_reader_feed(&r, bytes + 6, sizeof(bytes) - 6, &used),
                     BZL_FRAME_EMPTY);
    ck_assert_uint_eq(used, 4);
    bzl_frame_reader_deinit(&r);
}
END_TEST

/* ---- programmer errors abort ---------------------------------------------------------- */

START_TEST(frame_reader_feed_while_ready_aborts)
{
    /* Proves feeding before the ready frame is taken is caught as a programmer error. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    size_t used = 0;
    ck_assert_int_eq(bzl_frame_reader_feed(&r, (const uint8_t *)"\x00\x00\x00\x01Z", 5, &used),
                     BZL_OK);
    ck_assert(bzl_frame_reader_ready(&r));
    bzl_status status = bzl_frame_reader_feed(&r, (const uint8_t *)"\x00", 1, &used);
    ck_abort_msg("feed while ready returned %s instead of aborting", bzl_status_name(status));
}
END_TEST

START_TEST(frame_reader_init_with_cap_zero_aborts)
{
    /* Proves a reader cannot be set up to refuse every frame. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, 0);
}
END_TEST

START_TEST(frame_reader_init_over_the_ceiling_aborts)
{
    /* Proves no reader accepts more than BZL_FRAME_BYTES_CEILING (64 MiB). */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, (64u << 20) + 1u);
}
END_TEST

START_TEST(frame_reader_peek_when_not_ready_aborts)
{
    /* Proves a caller cannot read a body that is not complete. */
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, BZL_FRAME_BYTES_DEFAULT);
    const uint8_t *body = NULL;
    size_t len = 0;
    bzl_frame_reader_peek(&r, &body, &len);
}
END_TEST

/* ---- suite ---------------------------------------------------------------------------- */

static Suite *
frame_suite(void)
{
    Suite *s = suite_create("frame");

    TCase *header = tcase_create("header");
    tcase_add_test(header, frame_header_encode_writes_big_endian);
    tcase_add_test(header, frame_header_decode_reads_big_endian);
    tcase_add_test(header, frame_header_encode_refuses_zero_and_leaves_out_untouched);
    tcase_add_test(header, frame_header_encode_refuses_over_cap_and_accepts_cap);
    suite_add_tcase(s, header);

    TCase *good = tcase_create("reader");
    tcase_add_test(good, frame_reader_yields_a_frame_fed_whole);
    tcase_add_test(good, frame_reader_feed_of_nothing_consumes_nothing);
    tcase_add_test(good, frame_reader_stops_at_the_end_of_each_frame);
    tcase_add_test(good, frame_reader_yields_the_same_frames_at_every_split);
    tcase_add_test(good, frame_reader_yields_the_same_frames_one_byte_at_a_time);
    tcase_add_test(good, frame_reader_keeps_an_inline_sized_body_inline);
    tcase_add_test(good, frame_reader_puts_an_inline_plus_one_body_on_the_heap);
    tcase_add_test(good, frame_reader_assembles_a_200_KiB_body_from_4_KiB_pieces);
    tcase_add_test(good, frame_reader_deinit_frees_a_half_assembled_body);
    suite_add_tcase(s, good);

    TCase *bad = tcase_create("reader_bad_input");
    tcase_add_test(bad, frame_reader_truncated_header_is_partial_not_ready);
    tcase_add_test(bad, frame_reader_truncated_body_is_partial_not_ready);
    tcase_add_test(bad, frame_reader_rejects_zero_length);
    tcase_add_test(bad, frame_reader_rejects_oversized_from_header_alone);
    tcase_add_test(bad, frame_reader_accepts_a_length_equal_to_the_cap);
    tcase_add_test(bad, frame_reader_rejects_the_all_ones_length);
    tcase_add_test(bad, frame_reader_rejects_garbage_read_as_a_length);
    tcase_add_test(bad, frame_reader_errors_are_sticky);
    tcase_add_test(bad, frame_reader_error_after_good_frames_keeps_them);
    suite_add_tcase(s, bad);

    TCase *misuse = tcase_create("programmer_errors");
    tcase_add_test_raise_signal(misuse, frame_reader_feed_while_ready_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, frame_reader_init_with_cap_zero_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, frame_reader_init_over_the_ceiling_aborts, SIGABRT);
    tcase_add_test_raise_signal(misuse, frame_reader_peek_when_not_ready_aborts, SIGABRT);
    suite_add_tcase(s, misuse);

    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(frame_suite());
    /* Fork mode: an aborting test must not take the others down, and the assertion tests
     * depend on it. */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
