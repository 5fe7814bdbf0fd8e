/* check_log.c — proves daemon/log.c in-process: whatever bytes a message quotes, one bzld_log
 * call writes exactly one line — a newline, a carriage return, another control character or a
 * byte outside UTF-8 is written as \xNN, so a client cannot start a journald line of its own
 * ("<2>" and all) — while UTF-8 text such as 录入错误 passes unchanged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* What one bzld_log(level, "%s", text) writes to stderr. */
static void
logged(int level, const char *text, char *out, size_t cap)
{
    char path[] = "/tmp/bzl-check-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);
    bzld_log(level, "refused: %s", text);
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
    ssize_t n = pread(fd, out, cap - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

START_TEST(log_escapes_control_and_stray_bytes_into_one_line)
{
    char out[512];
    logged(BZLD_LOG_INFO, "H7\n<2>bzld: FORGED\r\x01\x7f\xff 录入错误", out, sizeof out);
    ck_assert_str_eq(out, "<6>refused: H7\\x0a<2>bzld: FORGED\\x0d\\x01\\x7f\\xff 录入错误\n");
    ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1); /* one line */
}
END_TEST

START_TEST(log_keeps_a_cut_message_on_one_line)
{
    static char text[4000];
    memset(text, '\n', sizeof text - 1);
    char out[8192];
    logged(BZLD_LOG_ERR, text, out, sizeof out);
    ck_assert_int_eq(strncmp(out, "<3>refused: \\x0a", 16), 0);
    ck_assert_ptr_eq(strchr(out, '\n'), out + strlen(out) - 1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("lines");
    tcase_add_test(tc, log_escapes_control_and_stray_bytes_into_one_line);
    tcase_add_test(tc, log_keeps_a_cut_message_on_one_line);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
