/* check_checkpoint.c — proves lib/src/core/checkpoint.c: the signed bytes are laid out as
 * checkpoint.h's table says (magic, seq and time big-endian, the hash between); a checkpoint
 * formats to six lines and parses back to itself; the parser refuses every line out of order,
 * a value of the wrong shape (seq with a sign or a leading zero, short or non-hex digits, an
 * impossible time), a missing line and trailing text, naming the line; hex round-trips. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/checkpoint.h"

static bzl_checkpoint
sample(void)
{
    bzl_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    cp.seq = 1234;
    for (size_t i = 0; i < sizeof cp.hash; i++) {
        cp.hash[i] = (uint8_t)(0xa0 + i);
    }
    cp.time_ms = 1796551200123; /* 2026-12-06T10:00:00.123Z */
    for (size_t i = 0; i < sizeof cp.public_key; i++) {
        cp.public_key[i] = (uint8_t)i;
    }
    for (size_t i = 0; i < sizeof cp.signature; i++) {
        cp.signature[i] = (uint8_t)(255 - i);
    }
    return cp;
}

START_TEST(checkpoint_message_is_laid_out_as_documented)
{
    bzl_checkpoint cp = sample();
    uint8_t m[BZL_CHECKPOINT_MESSAGE_BYTES];
    bzl_checkpoint_message(0x0102030405060708ull, cp.hash, -2, m);
    ck_assert_int_eq(BZL_CHECKPOINT_MESSAGE_BYTES, 65);
    ck_assert_mem_eq(m, "bzl-checkpoint-v1", 17);
    const uint8_t seq[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert_mem_eq(m + 17, seq, 8);
    ck_assert_mem_eq(m + 25, cp.hash, 32);
    const uint8_t t[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    ck_assert_mem_eq(m + 57, t, 8);
}
END_TEST

START_TEST(checkpoint_formats_and_parses_back)
{
    bzl_checkpoint cp = sample(), back;
    char text[BZL_CHECKPOINT_TEXT_BYTES], why[128] = "";
    size_t n = bzl_checkpoint_format(&cp, text, sizeof text);
    ck_assert_uint_eq(n, strlen(text));
    ck_assert_ptr_nonnull(strstr(text, "bzl-checkpoint: 1\nseq: 1234\nhash: a0a1a2"));
    ck_assert_ptr_nonnull(strstr(text, "\ntime: 2026-12-06T10:00:00.123Z\npublic-key: 000102"));
    ck_assert_msg(bzl_checkpoint_parse(text, n, &back, why, sizeof why) == BZL_OK, "%s", why);
    ck_assert_mem_eq(&back, &cp, sizeof cp);
    /* The last newline may be lost (a file edited by hand). */
    ck_assert_int_eq(bzl_checkpoint_parse(text, n - 1, &back, why, sizeof why), BZL_OK);
    /* A time no checkpoint can carry is not formatted. */
    cp.time_ms = -1;
    ck_assert_uint_eq(bzl_checkpoint_format(&cp, text, sizeof text), 0);
}
END_TEST

/* Replaces the first occurrence of from in a formatted sample with to and parses it. */
static bzl_status
parse_edited(const char *from, const char *to, char *why, size_t cap)
{
    bzl_checkpoint cp = sample(), out;
    char text[BZL_CHECKPOINT_TEXT_BYTES], edited[2 * BZL_CHECKPOINT_TEXT_BYTES];
    bzl_checkpoint_format(&cp, text, sizeof text);
    char *at = strstr(text, from);
    ck_assert_ptr_nonnull(at);
    snprintf(edited, sizeof edited, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return bzl_checkpoint_parse(edited, strlen(edited), &out, why, cap);
}

START_TEST(checkpoint_parse_refuses_every_malformed_line)
{
    static const struct {
        const char *from, *to, *why;
    } cases[] = {
        {"bzl-checkpoint: 1", "bzl-checkpoint: 2", "line 1: bzl-checkpoint is not 1"},
        {"seq: 1234", "seq: +1234", "line 2: seq is not a sequence number"},
        {"seq: 1234", "seq: 01234", "line 2: seq is not a sequence number"},
        {"seq: 1234", "seq: 99999999999999999999", "line 2: seq is not a sequence number"},
        {"seq: 1234", "seq:1234", "line 2: want \"seq: …\""},
        {"hash: a0", "hash: a", "line 3: hash is not 64 hex digits"},
        {"hash: a0", "hash: g0", "line 3: hash is not 64 hex digits"},
        {"2026-12-06T", "2026-02-30T", "line 4: time is not YYYY-MM-DDTHH:MM:SS.mmmZ"},
        {"10:00:00.123Z", "24:00:00.123Z", "line 4: time is not YYYY-MM-DDTHH:MM:SS.mmmZ"},
        {".123Z", ".123", "line 4: time is not YYYY-MM-DDTHH:MM:SS.mmmZ"},
        {"public-key: 00", "public-key: 0", "line 5: public-key is not 64 hex digits"},
        {"signature: ff", "signature: f", "line 6: signature is not 128 hex digits"},
        {"seq: 1234\nhash:", "hash:", "line 2: want \"seq: …\""},
        {"public-key:", "x: 1\npublic-key:", "line 5: want \"public-key: …\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[128] = "";
        ck_assert_int_eq(parse_edited(cases[i].from, cases[i].to, why, sizeof why), BZL_MALFORMED);
        ck_assert_msg(strcmp(why, cases[i].why) == 0, "case %zu: %s", i, why);
    }
    bzl_checkpoint cp = sample(), out;
    char text[BZL_CHECKPOINT_TEXT_BYTES + 8], why[128] = "";
    size_t n = bzl_checkpoint_format(&cp, text, BZL_CHECKPOINT_TEXT_BYTES);
    ck_assert_int_eq(
        bzl_checkpoint_parse(text, strstr(text, "signature") - text, &out, why, sizeof why),
        BZL_MALFORMED);
    ck_assert_str_eq(why, "line 6: missing, want \"signature: …\"");
    strcat(text, "x\n");
    ck_assert_int_eq(bzl_checkpoint_parse(text, n + 2, &out, why, sizeof why), BZL_MALFORMED);
    ck_assert_str_eq(why, "line 7: unexpected text after the signature");
}
END_TEST

START_TEST(hex_round_trips_and_refuses_odd_or_foreign_digits)
{
    const uint8_t b[3] = {0x00, 0xab, 0xff};
    uint8_t back[3];
    char hex[7];
    bzl_hex_format(b, 3, hex, sizeof hex);
    ck_assert_str_eq(hex, "00abff");
    ck_assert(bzl_hex_parse("00ABff", 6, back, 3));
    ck_assert_mem_eq(back, b, 3);
    ck_assert(!bzl_hex_parse("00abf", 5, back, 3));
    ck_assert(!bzl_hex_parse("00abfz", 6, back, 3));
}
END_TEST

static Suite *
checkpoint_suite(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, checkpoint_message_is_laid_out_as_documented);
    tcase_add_test(tc, checkpoint_formats_and_parses_back);
    tcase_add_test(tc, checkpoint_parse_refuses_every_malformed_line);
    tcase_add_test(tc, hex_round_trips_and_refuses_odd_or_foreign_digits);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(checkpoint_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
