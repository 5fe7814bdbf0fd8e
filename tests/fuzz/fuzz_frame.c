/* fuzz_frame.c — libFuzzer target for the frame reader (lib/src/core/frame.c): arbitrary bytes fed
 * in arbitrary chunk sizes (the first input byte picks the chunking) must never crash, read
 * out of bounds or leak, and every frame it yields must respect the cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bzl/frame.h"

/* A small cap so that "over the cap" is reachable from small inputs. */
#define FUZZ_FRAME_CAP 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    size_t chunk = (size_t)data[0] % 17u + 1u;
    data++;
    size--;
    bzl_frame_reader r;
    bzl_frame_reader_init(&r, FUZZ_FRAME_CAP);
    size_t off = 0;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        size_t used = 0;
        bzl_status st = bzl_frame_reader_feed(&r, data + off, n, &used);
        BZL_ASSERT(used <= n);
        off += used;
        if (st != BZL_OK) {
            break; /* sticky: the daemon closes the connection here */
        }
        if (bzl_frame_reader_ready(&r)) {
            const uint8_t *body = NULL;
            size_t len = 0;
            bzl_frame_reader_peek(&r, &body, &len);
            BZL_ASSERT(len >= 1 && len <= FUZZ_FRAME_CAP);
            volatile uint8_t sink = body[0] ^ body[len - 1]; /* touch both ends */
            (void)sink;
            bzl_frame_reader_next(&r);
        } else if (used == 0) {
            break;
        }
    }
    (void)bzl_frame_reader_partial(&r);
    bzl_frame_reader_deinit(&r);
    return 0;
}
