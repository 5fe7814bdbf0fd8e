/* check_disk_full.c — a full disk seen from a client: on an 8 MiB tmpfs, writes get DISK_FULL
 * (not a crash, not a hang), reads keep working and see exactly what was acknowledged, writes
 * resume without a restart once space is freed, and the database reopens intact afterwards.
 *
 * Needs root to mount the tmpfs: otherwise (or when the mount is refused, as in an
 * unprivileged container) it says why and exits 77, which ctest reports as skipped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "daemon_util.h"

#define SKIP_EXIT 77

static char dir[256];
static char fs[300];
static char data[320];
static char sock[300];
static char log_path[300];
static char ballast[320];

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/bzld-diskfull-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(fs, sizeof fs, "%s/fs", dir);
    snprintf(data, sizeof data, "%s/data", fs);
    snprintf(ballast, sizeof ballast, "%s/ballast", fs);
    snprintf(sock, sizeof sock, "%s/bzld.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/bzld.stderr", dir);
    ck_assert_int_eq(mkdir(fs, 0700), 0);
    ck_assert_msg(mount("tmpfs", fs, "tmpfs", 0, "size=8m") == 0, "mount: %s", strerror(errno));
    ck_assert_int_eq(mkdir(data, 0700), 0);
}

static void
teardown(void)
{
    umount2(fs, MNT_DETACH);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes `bytes` of real (not sparse) data to path. */
static void
write_ballast(const char *path, size_t bytes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    static char block[64 * 1024];
    memset(block, 0x5a, sizeof block);
    for (size_t done = 0; done < bytes; done += sizeof block) {
        ck_assert_int_eq(write(fd, block, sizeof block), (ssize_t)sizeof block);
    }
    ck_assert_int_eq(close(fd), 0);
}

START_TEST(full_disk_refuses_writes_keeps_reads_and_recovers_without_restart)
{
    write_ballast(ballast, 1u << 20);
    /* The map may grow far beyond the filesystem: the disk, not the map, must be the limit. */
    const char *extra[] = {"--map-bytes", "1M", "--map-bytes-max", "64M", NULL};
    pid_t pid = util_spawn(data, sock, log_path, extra);
    bzl_client *c = util_connect(sock);
    ck_assert_int_eq(crash_setup(c), 0);
    unsigned accepted = 0, first = 0;
    Bzl__V1__Status refusal = BZL__V1__STATUS__STATUS_OK;
    while (refusal == BZL__V1__STATUS__STATUS_OK) {
        ck_assert_uint_lt(first, 500000); /* 8 MiB cannot hold that many */
        unsigned ok = util_submit(c, "D", first, 100, &refusal);
        accepted += ok;
        first += 100;
    }
    ck_assert_msg(refusal == BZL__V1__STATUS__STATUS_DISK_FULL, "refused with %d, not DISK_FULL",
                  (int)refusal);
    ck_assert_uint_eq(accepted, first - 100);
    /* Reads go on and see exactly what was acknowledged. */
    ck_assert_uint_eq(util_balance(c), util_qty_sum("D", 0, accepted));
    Bzl__V1__Response *st = util_stats(c);
    ck_assert_uint_eq(st->stats->journal_entries, accepted + CRASH_MASTER_ENTRIES);
    bzl__v1__response__free_unpacked(st, NULL);

    /* Free space; the same daemon takes writes again. */
    ck_assert_int_eq(unlink(ballast), 0);
    unsigned resumed = util_submit(c, "D", first, 100, &refusal);
    ck_assert_msg(resumed == 100, "after freeing space: %u accepted, refusal %d", resumed,
                  (int)refusal);
    accepted += resumed;
    ck_assert_uint_eq(util_balance(c),
                      util_qty_sum("D", 0, first - 100) + util_qty_sum("D", first, 100));
    bzl_client_close(c);
    util_stop(pid);

    /* Nothing corrupt: the database reopens and holds every acknowledged declaration once. */
    pid = util_spawn(data, sock, log_path, extra);
    c = util_connect(sock);
    st = util_stats(c);
    ck_assert_uint_eq(st->stats->journal_entries, accepted + CRASH_MASTER_ENTRIES);
    bzl__v1__response__free_unpacked(st, NULL);
    ck_assert_uint_eq(util_balance(c),
                      util_qty_sum("D", 0, first - 100) + util_qty_sum("D", first, 100));
    bzl_client_close(c);
    util_stop(pid);
}
END_TEST

/* 0 when a tmpfs can be mounted here, else prints why not. */
static int
can_mount(void)
{
    if (geteuid() != 0) {
        printf("SKIP check_disk_full: needs root to mount a small tmpfs (running as uid %ld)\n",
               (long)geteuid());
        return -1;
    }
    char probe[] = "/tmp/bzld-mountprobe-XXXXXX";
    if (mkdtemp(probe) == NULL) {
        return -1;
    }
    int rc = mount("tmpfs", probe, "tmpfs", 0, "size=1m");
    int err = errno;
    if (rc == 0) {
        umount2(probe, MNT_DETACH);
    }
    rmdir(probe);
    if (rc != 0) {
        printf("SKIP check_disk_full: cannot mount a tmpfs: %s\n", strerror(err));
        return -1;
    }
    return 0;
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (can_mount() != 0) {
        return SKIP_EXIT;
    }
    Suite *s = suite_create("disk_full");
    TCase *tc = tcase_create("tmpfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, full_disk_refuses_writes_keeps_reads_and_recovers_without_restart);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
