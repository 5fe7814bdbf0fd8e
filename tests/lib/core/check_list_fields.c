/* check_list_fields.c — proves the 核注清单 field table and its record run (list_fields.h): every
 * tag is in 64-159 and names one field per place, bzl_list_field_put writes the byte layout
 * format.h documents and refuses an empty, over-long, non-UTF-8 or control-character value or a
 * full buffer naming the field and line, and bzl_list_field_next reads a run back and refuses
 * every malformed one (cut short, unknown tag for its place, out of order, a line past the
 * declaration's, an empty value). */
#include "bzl/list_fields.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(table_tags_are_in_range_and_unique_per_place)
{
    size_t n = 0;
    const bzl_list_field_def *t = bzl_list_fields(&n);
    ck_assert_uint_eq(n, 59 + 26); /* header and line fields today: a new one is added here */
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_ge(t[i].tag, BZL_LIST_TAG_FIRST);
        ck_assert_uint_le(t[i].tag, BZL_LIST_TAG_LAST);
        ck_assert_uint_gt(t[i].bytes_max, 0);
        ck_assert_ptr_eq(bzl_list_field_by_tag((bzl_list_scope)t[i].scope, t[i].tag), &t[i]);
        ck_assert_ptr_eq(bzl_list_field_by_name((bzl_list_scope)t[i].scope, t[i].name), &t[i]);
    }
    /* Tags are forever: a few pinned by hand from format.h's table. */
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_HEAD, "BizopEtpsNm")->tag, 72);
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_HEAD, "DelcareFlag")->tag, 127);
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm")->tag, 69);
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_LINE, "DclUprcAmt")->tag, 77);
    /* Rmk exists on both places, under different tags; core fields are not in the table. */
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_HEAD, "Rmk")->tag, 116);
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_LINE, "Rmk")->tag, 95);
    ck_assert_ptr_null(bzl_list_field_by_name(BZL_LIST_HEAD, "PutrecNo"));
    ck_assert_ptr_null(bzl_list_field_by_name(BZL_LIST_LINE, "DclQty"));
    ck_assert_ptr_null(bzl_list_field_by_name(BZL_LIST_LINE, "BizopEtpsNm"));
    ck_assert_ptr_null(bzl_list_field_by_tag(BZL_LIST_HEAD, 69));
    /* Bounds: 4 bytes per character of the message's bound. */
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_HEAD, "BizopEtpsNm")->bytes_max, 2048);
    ck_assert_uint_eq(bzl_list_field_by_name(BZL_LIST_HEAD, "Rmk")->bytes_max, 16000);
}
END_TEST

START_TEST(put_writes_the_documented_layout)
{
    uint8_t buf[64];
    size_t used = 0;
    bzl_fault fault = {0};
    const bzl_list_field_def *gds = bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm");
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 258, gds, "机芯", 6, &fault),
                     BZL_OK);
    /* line 258 LE = 02 01 00 00, tag 69, len 6 LE = 06 00, then the UTF-8 bytes. */
    const uint8_t want[] = {0x02, 0x01, 0x00, 0x00, 69,   0x06, 0x00,
                            0xE6, 0x9C, 0xBA, 0xE8, 0x8A, 0xAF};
    ck_assert_uint_eq(used, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);
}
END_TEST

START_TEST(put_refuses_bad_values_naming_field_and_line)
{
    uint8_t buf[32];
    size_t used = 0;
    bzl_fault fault = {0};
    const bzl_list_field_def *inv = bzl_list_field_by_name(BZL_LIST_HEAD, "InvtType");
    const bzl_list_field_def *gds = bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm");
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 0, inv, "", 0, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "InvtType");
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 0, inv, "01234", 5, &fault),
                     BZL_INVALID_ARGUMENT); /* 1 character × 4 = 4 bytes at most */
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 3, gds, "a\nb", 3, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(fault.field, "GdsNm");
    ck_assert_uint_eq(fault.line, 3);
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 3, gds, "\xff", 1, &fault),
                     BZL_INVALID_ARGUMENT);
    ck_assert_uint_eq(used, 0); /* nothing written by a refusal */
    char big[40];
    memset(big, 'x', sizeof big);
    ck_assert_int_eq(bzl_list_field_put(buf, sizeof buf, &used, 1, gds, big, sizeof big, &fault),
                     BZL_LIMIT_EXCEEDED);
    ck_assert_uint_eq(used, 0);
}
END_TEST

/* A run of three records: header InvtType "0", header BizopEtpsNm "A", line 2 GdsNm "B". */
static size_t
run_of_three(uint8_t *buf, size_t cap)
{
    size_t used = 0;
    bzl_fault fault = {0};
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 0,
                                        bzl_list_field_by_name(BZL_LIST_HEAD, "InvtType"), "0", 1,
                                        &fault),
                     BZL_OK);
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 0,
                                        bzl_list_field_by_name(BZL_LIST_HEAD, "BizopEtpsNm"), "A",
                                        1, &fault),
                     BZL_OK);
    ck_assert_int_eq(bzl_list_field_put(buf, cap, &used, 2,
                                        bzl_list_field_by_name(BZL_LIST_LINE, "GdsNm"), "B", 1,
                                        &fault),
                     BZL_OK);
    return used;
}

START_TEST(next_reads_a_run_back)
{
    uint8_t buf[64];
    size_t len = run_of_three(buf, sizeof buf);
    ck_assert_uint_eq(len, 3 * 8);
    size_t off = 0;
    uint64_t prev = 0;
    bool bad = false;
    bzl_list_field f;
    const char *want[] = {"InvtType", "BizopEtpsNm", "GdsNm"};
    const uint32_t lines[] = {0, 0, 2};
    for (size_t i = 0; i < 3; i++) {
        ck_assert(bzl_list_field_next(buf, len, 2, &off, &prev, &f, &bad));
        ck_assert_str_eq(f.def->name, want[i]);
        ck_assert_uint_eq(f.line, lines[i]);
        ck_assert_uint_eq(f.len, 1);
    }
    ck_assert(!bzl_list_field_next(buf, len, 2, &off, &prev, &f, &bad));
    ck_assert(!bad);
    ck_assert_int_eq(bzl_list_fields_check(buf, len, 2), BZL_OK);
    ck_assert_int_eq(bzl_list_fields_check(buf, 0, 0), BZL_OK);
}
END_TEST

START_TEST(next_refuses_malformed_runs)
{
    uint8_t good[64];
    uint8_t buf[64];
    size_t len = run_of_three(good, sizeof good);
    /* cut short, inside a header and inside a value */
    ck_assert_int_eq(bzl_list_fields_check(good, len - 1, 2), BZL_CORRUPT);
    ck_assert_int_eq(bzl_list_fields_check(good, 3, 2), BZL_CORRUPT);
    /* the line past the declaration's lines */
    ck_assert_int_eq(bzl_list_fields_check(good, len, 1), BZL_CORRUPT);
    /* an unknown tag for its place: header tag 69 is the id's, never used */
    memcpy(buf, good, len);
    buf[4] = 69;
    ck_assert_int_eq(bzl_list_fields_check(buf, len, 2), BZL_CORRUPT);
    /* out of order: the two header records swapped (tags 72 then 68) */
    memcpy(buf, good + 8, 8);
    memcpy(buf + 8, good, 8);
    memcpy(buf + 16, good + 16, 8);
    ck_assert_int_eq(bzl_list_fields_check(buf, len, 2), BZL_CORRUPT);
    /* a record given twice */
    memcpy(buf, good, 8);
    memcpy(buf + 8, good, 8);
    ck_assert_int_eq(bzl_list_fields_check(buf, 16, 2), BZL_CORRUPT);
    /* an empty value */
    memcpy(buf, good, len);
    buf[5] = 0;
    ck_assert_int_eq(bzl_list_fields_check(buf, 7, 2), BZL_CORRUPT);
}
END_TEST

static Suite *
list_fields_suite(void)
{
    Suite *s = suite_create("list_fields");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, table_tags_are_in_range_and_unique_per_place);
    tcase_add_test(tc, put_writes_the_documented_layout);
    tcase_add_test(tc, put_refuses_bad_values_naming_field_and_line);
    tcase_add_test(tc, next_reads_a_run_back);
    tcase_add_test(tc, next_refuses_malformed_runs);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(list_fields_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
