/* check_storage_limits.c — the map-size limits seen from a client: a map started tiny grows
 * under 100,000 declarations without one client-visible error, and a map at its configured
 * maximum refuses writes with STORAGE_FULL while reads go on (and a restart with a larger
 * maximum lets writes resume, nothing lost). */
#include <stdlib.h>

#include "daemon_util.h"

static char dir[256];
static char data[300];
static char sock[300];
static char log_path[300];

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bzld-limits-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(data, sizeof data, "%s/data", dir);
    snprintf(sock, sizeof sock, "%s/bzld.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/bzld.stderr", dir);
}

static void
teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(map_grows_from_one_mebibyte_under_100000_declarations_without_client_errors)
{
    const char *extra[] = {"--map-bytes", "1M", NULL};
    pid_t pid = util_spawn(data, sock, log_path, extra);
    bzl_client *c = util_connect(sock);
    ck_assert_int_eq(crash_setup(c), 0);
    enum { TOTAL = 100000 };
    for (unsigned first = 0; first < TOTAL; first += UTIL_BATCH_MAX) {
        Bzl__V1__Status refusal;
        unsigned ok = util_submit(c, "G", first, UTIL_BATCH_MAX, &refusal);
        ck_assert_msg(ok == UTIL_BATCH_MAX, "batch at %u: %u accepted, first refusal %d", first, ok,
                      (int)refusal);
    }
    Bzl__V1__Response *st = util_stats(c);
    ck_assert_uint_eq(st->stats->journal_entries, TOTAL + CRASH_MASTER_ENTRIES);
    ck_assert_uint_gt(st->stats->map_bytes, 1u << 20);
    bzl__v1__response__free_unpacked(st, NULL);
    ck_assert_uint_eq(util_balance(c), util_qty_sum("G", 0, TOTAL));
    bzl_client_close(c);
    util_stop(pid);
}
END_TEST

START_TEST(map_at_its_maximum_refuses_writes_with_storage_full_and_keeps_reading)
{
    const char *extra[] = {"--map-bytes", "1M", "--map-bytes-max", "2M", NULL};
    pid_t pid = util_spawn(data, sock, log_path, extra);
    bzl_client *c = util_connect(sock);
    ck_assert_int_eq(crash_setup(c), 0);
    unsigned accepted = 0, first = 0;
    Bzl__V1__Status refusal = BZL__V1__STATUS__STATUS_OK;
    while (refusal == BZL__V1__STATUS__STATUS_OK) {
        ck_assert_uint_lt(first, 200000); /* 2 MiB cannot hold that many */
        accepted += util_submit(c, "F", first, 100, &refusal);
        first += 100;
    }
    ck_assert_int_eq(refusal, BZL__V1__STATUS__STATUS_STORAGE_FULL);
    ck_assert_uint_gt(accepted, 0);
    /* Whole batches commit or fail: what was accepted is exactly the batches before. */
    ck_assert_uint_eq(accepted, first - 100);
    /* Reads go on, and see every accepted declaration. */
    ck_assert_uint_eq(util_balance(c), util_qty_sum("F", 0, accepted));
    Bzl__V1__Response *st = util_stats(c);
    ck_assert_uint_eq(st->stats->map_bytes, 2u << 20);
    ck_assert_uint_eq(st->stats->journal_entries, accepted + CRASH_MASTER_ENTRIES);
    bzl__v1__response__free_unpacked(st, NULL);
    /* A later write is refused the same way, not hung or crashed. */
    util_submit(c, "F", first, 100, &refusal);
    ck_assert_int_eq(refusal, BZL__V1__STATUS__STATUS_STORAGE_FULL);
    bzl_client_close(c);
    util_stop(pid);

    /* The operator's remedy: restart with a larger maximum; nothing was lost. */
    const char *bigger[] = {"--map-bytes-max", "16M", NULL};
    pid = util_spawn(data, sock, log_path, bigger);
    c = util_connect(sock);
    ck_assert_uint_eq(util_balance(c), util_qty_sum("F", 0, accepted));
    ck_assert_uint_eq(util_submit(c, "F", first, 100, &refusal), 100);
    bzl_client_close(c);
    util_stop(pid);
}
END_TEST

static Suite *
storage_limits_suite(void)
{
    Suite *s = suite_create("storage_limits");
    TCase *tc = tcase_create("map");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, map_grows_from_one_mebibyte_under_100000_declarations_without_client_errors);
    tcase_add_test(tc, map_at_its_maximum_refuses_writes_with_storage_full_and_keeps_reading);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(storage_limits_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
