/* checkpoint_key.c — the checkpoint signing key's file: found, created, refused (checkpoint_key.h).
 */
#include "checkpoint_key.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzl/checkpoint.h"
#include "log.h"

static_assert(BZLD_CHECKPOINT_SK_BYTES == crypto_sign_SECRETKEYBYTES, "libsodium's secret key");
static_assert(sizeof((bzld *)0)->checkpoint_sk == crypto_sign_SECRETKEYBYTES, "bzld holds one");

bool
bzld_checkpoint_key_path(const bzld_config *cfg, char *buf, size_t cap)
{
    int n = 0;
    if (cfg->checkpoint_key[0] != '\0') {
        n = snprintf(buf, cap, "%s", cfg->checkpoint_key);
    } else {
        size_t len = strlen(cfg->data_dir);
        while (len > 1 && cfg->data_dir[len - 1] == '/') {
            len--;
        }
        n = snprintf(buf, cap, "%.*s-keys/checkpoint.key", (int)len, cfg->data_dir);
    }
    return n > 0 && (size_t)n < cap;
}

/* The directory part of path ("." when it has none). */
static void
dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, cap, ".");
    } else if (slash == path) {
        snprintf(dir, cap, "/");
    } else {
        snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    }
}

/* A key inside the data directory would travel with every backup of it. */
static bzl_status
refuse_inside_data(const char *path, const char *dir, const char *data_dir, char *why,
                   size_t why_cap)
{
    char real_dir[PATH_MAX];
    char real_data[PATH_MAX];
    if (realpath(dir, real_dir) == NULL || realpath(data_dir, real_data) == NULL) {
        return BZL_OK; /* nothing to compare: open() below says what is wrong */
    }
    size_t n = strlen(real_data);
    if (strncmp(real_dir, real_data, n) == 0 &&
        (real_dir[n] == '\0' || real_dir[n] == '/' || strcmp(real_data, "/") == 0)) {
        snprintf(why, why_cap,
                 "checkpoint key %s is inside the data directory %s: a backup would carry it; "
                 "set checkpoint_key to a path outside it",
                 path, data_dir);
        return BZL_PERMISSION_DENIED;
    }
    return BZL_OK;
}

/* Writes a fresh key pair to path, which must not exist. EEXIST is returned as BZL_ALREADY_EXISTS
 * (another process made it first: load that one). */
static bzl_status
key_create(const char *path, const char *dir, uint8_t sk[BZLD_CHECKPOINT_SK_BYTES], char *why,
           size_t why_cap)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    crypto_sign_keypair(pk, sk);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            return BZL_ALREADY_EXISTS;
        }
        snprintf(why, why_cap, "cannot create checkpoint key %s: %s", path, strerror(errno));
        return BZL_IO_ERROR;
    }
    ssize_t n = write(fd, sk, BZLD_CHECKPOINT_SK_BYTES);
    bool ok = n == (ssize_t)BZLD_CHECKPOINT_SK_BYTES && fsync(fd) == 0;
    int err = errno;
    close(fd);
    int dfd = ok ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (dfd >= 0) {
        ok = fsync(dfd) == 0;
        err = errno;
        close(dfd);
    }
    if (!ok) {
        unlink(path);
        snprintf(why, why_cap, "cannot write checkpoint key %s: %s", path, strerror(err));
        return BZL_IO_ERROR;
    }
    return BZL_OK;
}

/* Reads an open key file after checking what it is and who may read it. */
static bzl_status
key_load(int fd, const char *path, uint8_t sk[BZLD_CHECKPOINT_SK_BYTES], char *why, size_t why_cap)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(why, why_cap, "cannot stat checkpoint key %s: %s", path, strerror(errno));
        return BZL_IO_ERROR;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        snprintf(why, why_cap,
                 "checkpoint key %s is %s; it must be a regular file of uid %u with mode 0600 "
                 "(chmod 600 it, or remove it to have a new key made)",
                 path,
                 !S_ISREG(st.st_mode)     ? "not a regular file"
                 : st.st_uid != geteuid() ? "owned by another user"
                                          : "readable or writable by group or others",
                 (unsigned)geteuid());
        return BZL_PERMISSION_DENIED;
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t check[crypto_sign_SECRETKEYBYTES];
    ssize_t n =
        st.st_size == (off_t)BZLD_CHECKPOINT_SK_BYTES ? read(fd, sk, BZLD_CHECKPOINT_SK_BYTES) : -1;
    bool whole = n == (ssize_t)BZLD_CHECKPOINT_SK_BYTES &&
                 crypto_sign_seed_keypair(pk, check, sk) == 0 &&
                 sodium_memcmp(check, sk, sizeof check) == 0;
    sodium_memzero(check, sizeof check);
    if (!whole) {
        snprintf(why, why_cap,
                 "checkpoint key %s is not a key bzld wrote (%lld bytes, want %u whose public "
                 "half follows from the seed)",
                 path, (long long)st.st_size, BZLD_CHECKPOINT_SK_BYTES);
        return BZL_CORRUPT;
    }
    return BZL_OK;
}

bzl_status
bzld_checkpoint_key_open(const char *path, const char *data_dir,
                         uint8_t sk[BZLD_CHECKPOINT_SK_BYTES], char *why, size_t why_cap)
{
    BZL_ASSERT(path != NULL && data_dir != NULL && sk != NULL);
    if (sodium_init() < 0) {
        snprintf(why, why_cap, "libsodium failed to initialise");
        return BZL_IO_ERROR;
    }
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(why, why_cap, "cannot create %s for the checkpoint key: %s", dir, strerror(errno));
        return BZL_IO_ERROR;
    }
    bzl_status st = refuse_inside_data(path, dir, data_dir, why, why_cap);
    /* At most two rounds: a create that loses a race loads the winner's key. */
    for (int round = 0; st == BZL_OK && round < 2; round++) {
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0) {
            st = key_load(fd, path, sk, why, why_cap);
            close(fd);
            return st;
        }
        if (errno == ELOOP) {
            snprintf(why, why_cap, "checkpoint key %s is a symbolic link; refusing to follow it",
                     path);
            return BZL_PERMISSION_DENIED;
        }
        if (errno != ENOENT) {
            snprintf(why, why_cap, "cannot open checkpoint key %s: %s", path, strerror(errno));
            return BZL_IO_ERROR;
        }
        st = key_create(path, dir, sk, why, why_cap);
        if (st == BZL_ALREADY_EXISTS) {
            st = BZL_OK; /* load the other one */
        } else {
            return st;
        }
    }
    if (st == BZL_OK) {
        snprintf(why, why_cap, "checkpoint key %s appeared and vanished while bzld read it", path);
        st = BZL_IO_ERROR;
    }
    return st;
}

bzl_status
bzld_checkpoint_key_load(bzld *d, bool at_start, char *why, size_t why_cap)
{
    BZL_ASSERT(d != NULL && !d->checkpoint_key_loaded);
    char path[PATH_MAX];
    char dir[PATH_MAX];
    struct stat st;
    if (!bzld_checkpoint_key_path(&d->cfg, path, sizeof path)) {
        snprintf(why, why_cap, "the checkpoint key's path is too long");
        return BZL_INVALID_ARGUMENT;
    }
    dir_of(path, dir, sizeof dir);
    if (at_start && d->cfg.checkpoint_key[0] == '\0' && stat(dir, &st) != 0 && errno == ENOENT) {
        bzld_log(BZLD_LOG_INFO, "no %s yet: the first checkpoint request makes the key", dir);
        return BZL_OK;
    }
    bzl_status s = bzld_checkpoint_key_open(path, d->cfg.data_dir, d->checkpoint_sk, why, why_cap);
    if (s != BZL_OK) {
        return s;
    }
    d->checkpoint_key_loaded = true;
    char pk[2 * BZL_CHECKPOINT_KEY_BYTES + 1];
    bzl_hex_format(d->checkpoint_sk + crypto_sign_SEEDBYTES, BZL_CHECKPOINT_KEY_BYTES, pk,
                   sizeof pk);
    bzld_log(BZLD_LOG_NOTICE, "checkpoints are signed with %s (public key %s)", path, pk);
    return BZL_OK;
}
