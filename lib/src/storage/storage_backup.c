/* storage_backup.c — hot backup: a compacted copy of the environment from one read snapshot. */
#include "storage_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static bzl_status
errno_status(int err)
{
    switch (err) {
    case EEXIST:
        return BZL_ALREADY_EXISTS;
    case ENOENT:
    case ENOTDIR:
        return BZL_NOT_FOUND;
    case EACCES:
    case EPERM:
    case EROFS:
        return BZL_PERMISSION_DENIED;
    default:
        return bzl__mdb_status(err); /* ENOSPC, EDQUOT → DISK_FULL; others IO_ERROR */
    }
}

/* Opens the finished copy read-only and counts its journal: a backup that does not reopen
 * is not a backup. */
static bzl_status
copy_verify(const char *tmp, uint64_t *journal_entries, char *why, size_t why_cap)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_stat st;
    int rc = mdb_env_create(&env);
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_set_maxdbs(env, DB_COUNT);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_open(env, tmp, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0600);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_dbi_open(txn, "journal", 0, &dbi);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_stat(txn, dbi, &st);
    }
    if (txn != NULL) {
        mdb_txn_abort(txn);
    }
    if (env != NULL) {
        mdb_env_close(env);
    }
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "the copy does not reopen: %s", mdb_strerror(rc));
        return rc == ENOSPC ? BZL_DISK_FULL : BZL_CORRUPT;
    }
    *journal_entries = st.ms_entries;
    return BZL_OK;
}

/* Copies into fd (a new, empty file) and syncs it. */
static bzl_status
copy_to_fd(bzl_storage *s, int fd, char *why, size_t why_cap)
{
    /* The copy runs its own read transaction: like every transaction it must not overlap a
     * map resize (storage_internal.h). */
    pthread_rwlock_rdlock(&s->resize_lock);
    int rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
    pthread_rwlock_unlock(&s->resize_lock);
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "copying the database failed: %s", mdb_strerror(rc));
        return bzl__mdb_status(rc);
    }
    if (fsync(fd) != 0) {
        int err = errno;
        bzl__set_why(why, why_cap, "syncing the copy failed: %s", strerror(err));
        return errno_status(err);
    }
    return BZL_OK;
}

/* The directory path names an entry of, into dir[cap]. */
static void
dir_of(const char *path, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        snprintf(dir, cap, ".");
    } else {
        slash[slash == dir] = '\0';
    }
}

/* Makes the rename durable: the directory entry is part of the backup. */
static void
dir_sync(const char *path)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* The pid a backup temporary's name ends in ("….tmp-PID"), or 0 when name is not one. */
static long
temporary_pid(const char *name)
{
    const char *tag = strstr(name, ".tmp-");
    while (tag != NULL && strstr(tag + 1, ".tmp-") != NULL) {
        tag = strstr(tag + 1, ".tmp-"); /* the last one */
    }
    if (tag == NULL || tag == name || tag[5] < '1' || tag[5] > '9') {
        return 0;
    }
    char *end = NULL;
    long pid = strtol(tag + 5, &end, 10);
    return *end == '\0' && pid > 0 ? pid : 0;
}

/* Removes what backups killed half-way left in path's directory: "NAME.tmp-PID" regular files
 * of our uid whose PID runs no more (another live process's temporary is left alone). */
static uint32_t
remove_stale(const char *path)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    uint32_t removed = 0;
    int dfd = dirfd(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        long pid = temporary_pid(e->d_name);
        struct stat sb;
        if (pid == 0 || pid == (long)getpid() ||
            fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
            sb.st_uid != geteuid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
            continue;
        }
        removed += unlinkat(dfd, e->d_name, 0) == 0;
    }
    closedir(d);
    return removed;
}

bzl_status
bzl_storage_backup(bzl_storage *s, const char *path, bzl_backup_info *info, char *why,
                   size_t why_cap)
{
    BZL_ASSERT(s != NULL);
    BZL_ASSERT(path != NULL && info != NULL);
    bzl__set_why(why, why_cap, "%s", "");
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp) {
        bzl__set_why(why, why_cap, "the backup path is too long");
        return BZL_INVALID_ARGUMENT;
    }
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        bzl__set_why(why, why_cap, "%s already exists; a backup never overwrites", path);
        return BZL_ALREADY_EXISTS;
    }
    uint32_t stale = remove_stale(path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        bzl__set_why(why, why_cap, "cannot create %s: %s", tmp, strerror(err));
        return errno_status(err);
    }
    bzl_status st = copy_to_fd(s, fd, why, why_cap);
    if (close(fd) != 0 && st == BZL_OK) {
        bzl__set_why(why, why_cap, "closing the copy failed: %s", strerror(errno));
        st = BZL_IO_ERROR;
    }
    bzl_backup_info got = {0};
    if (st == BZL_OK) {
        st = copy_verify(tmp, &got.journal_entries, why, why_cap);
    }
    if (st == BZL_OK && stat(tmp, &sb) == 0) {
        got.bytes = (uint64_t)sb.st_size;
    }
    /* link() refuses an existing name, so a file that appeared meanwhile is never clobbered. */
    if (st == BZL_OK && link(tmp, path) != 0) {
        int err = errno;
        bzl__set_why(why, why_cap, "cannot name the copy %s: %s", path, strerror(err));
        st = errno_status(err);
    }
    unlink(tmp);
    if (st != BZL_OK) {
        return st;
    }
    dir_sync(path);
    got.stale_removed = stale;
    *info = got;
    return BZL_OK;
}
