/* check_arena.c — proves daemon/arena.c in-process: a small request decodes into the inline
 * buffer without a spill, a big one spills to malloc and still decodes whole, allocations are
 * 16-byte aligned, and a reset makes the whole inline buffer usable again (run under ASan/UBSan, a
 * spill not freed at the reset is a leak report). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bzl.pb-c.h"

/* A packed SubmitBatch of n one-line declarations; *len its size; caller frees. */
static uint8_t *
packed_batch(size_t n, size_t *len)
{
    Bzl__V1__DeclarationLine line = BZL__V1__DECLARATION_LINE__INIT;
    line.item = 1;
    line.qty = "1";
    line.unit = "035";
    line.value = "100";
    line.currency = "502";
    Bzl__V1__DeclarationLine *lines[] = {&line};
    Bzl__V1__Declaration d = BZL__V1__DECLARATION__INIT;
    d.id = "D-1";
    d.enterprise = "6201230001";
    d.book = "H72012400001";
    d.trade_mode = "5015";
    d.date = "2026-03-01";
    d.n_lines = 1;
    d.lines = lines;
    Bzl__V1__Declaration **decls = calloc(n, sizeof *decls);
    ck_assert_ptr_nonnull(decls);
    for (size_t i = 0; i < n; i++) {
        decls[i] = &d;
    }
    Bzl__V1__SubmitBatch b = BZL__V1__SUBMIT_BATCH__INIT;
    b.n_declarations = n;
    b.declarations = decls;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &b;
    *len = bzl__v1__request__get_packed_size(&req);
    uint8_t *buf = malloc(*len);
    ck_assert_ptr_nonnull(buf);
    bzl__v1__request__pack(&req, buf);
    free(decls);
    return buf;
}

START_TEST(arena_small_request_fits_inline)
{
    static bzld_arena a;
    bzld_arena_init(&a);
    size_t len = 0;
    uint8_t *buf = packed_batch(1, &len);
    Bzl__V1__Request *req = bzl__v1__request__unpack(&a.allocator, len, buf);
    ck_assert_ptr_nonnull(req);
    ck_assert_uint_eq(req->submit_batch->n_declarations, 1);
    ck_assert_uint_eq(a.spill_count, 0);
    ck_assert_uint_gt(a.used, 0);
    ck_assert_uint_le(a.used, BZLD_ARENA_INLINE_BYTES);
    bzld_arena_reset(&a);
    ck_assert_uint_eq(a.used, 0);
    free(buf);
}
END_TEST

START_TEST(arena_big_request_spills_and_decodes_whole)
{
    static bzld_arena a;
    bzld_arena_init(&a);
    size_t len = 0;
    uint8_t *buf = packed_batch(200, &len);
    Bzl__V1__Request *req = bzl__v1__request__unpack(&a.allocator, len, buf);
    ck_assert_ptr_nonnull(req);
    ck_assert_uint_eq(req->submit_batch->n_declarations, 200);
    ck_assert_str_eq(req->submit_batch->declarations[199]->book, "H72012400001");
    ck_assert_uint_gt(a.spill_count, 0);
    bzld_arena_reset(&a); /* frees the spills: ASan reports a leak otherwise */
    ck_assert_uint_eq(a.used, 0);
    req = bzl__v1__request__unpack(&a.allocator, len, buf); /* usable again after the reset */
    ck_assert_ptr_nonnull(req);
    bzld_arena_reset(&a);
    free(buf);
}
END_TEST

START_TEST(arena_allocations_are_aligned)
{
    static bzld_arena a;
    bzld_arena_init(&a);
    for (size_t n = 1; n < 40; n += 3) {
        void *p = a.allocator.alloc(a.allocator.allocator_data, n);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0); /* any scalar protobuf-c stores */
        memset(p, 0xA5, n);
    }
    bzld_arena_reset(&a);
}
END_TEST

static Suite *
arena_suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, arena_small_request_fits_inline);
    tcase_add_test(tc, arena_big_request_spills_and_decodes_whole);
    tcase_add_test(tc, arena_allocations_are_aligned);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(arena_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
