/* daemon_util.h — what the storage-limit, disk-full and backup tests share: spawning bzld with
 * extra options on a directory, waiting for it, stopping it, and submitting the harness's
 * declarations (tests/crash/crash_common.h) in batches. Header-only; Check assertions. */
#ifndef BZL_DAEMON_UTIL_H
#define BZL_DAEMON_UTIL_H

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bzld_proc.h"
#include "crash_common.h"

#define UTIL_BATCH_MAX 1000u

/* Starts bzld in the foreground on data dir `data` and socket `sock`, stderr appended to
 * `log`, with up to 6 extra arguments (NULL-terminated list); waits until it accepts. */
static inline pid_t
util_spawn(const char *data, const char *sock, const char *log, const char *const *extra)
{
    const char *args[16] = {"--data", data, "--socket", sock};
    size_t n = 4;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 10; i++) {
        args[n++] = extra[i];
    }
    args[n] = NULL;
    pid_t pid = bzld_proc_spawn(BZLD_PATH, args, log);
    ck_assert_int_ge(pid, 0);
    char why[128] = "";
    ck_assert_msg(bzld_proc_wait(pid, sock, why, sizeof why) == 0, "%s", why);
    return pid;
}

/* SIGTERM must drain and exit 0. */
static inline void
util_stop(pid_t pid)
{
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "bzld did not exit 0");
}

static inline bzl_client *
util_connect(const char *sock)
{
    bzl_client *c = crash_connect(sock, 5000);
    ck_assert_ptr_nonnull(c);
    return c;
}

/* Submits declarations PREFIX-first .. PREFIX-(first+count-1) in one SubmitBatch. Returns
 * how many were accepted; *refusal gets the status of the first refused one (OK if none). */
static inline unsigned
util_submit(bzl_client *c, const char *prefix, unsigned first, unsigned count,
            Bzl__V1__Status *refusal)
{
    static crash_decl decls[UTIL_BATCH_MAX];
    Bzl__V1__Declaration *ptrs[UTIL_BATCH_MAX];
    ck_assert_uint_le(count, UTIL_BATCH_MAX);
    for (unsigned i = 0; i < count; i++) {
        char id[CRASH_ID_BYTES];
        snprintf(id, sizeof id, "%s-%u", prefix, first + i);
        crash_decl_init(&decls[i], id);
        ptrs[i] = &decls[i].decl;
    }
    Bzl__V1__SubmitBatch sb = BZL__V1__SUBMIT_BATCH__INIT;
    sb.n_declarations = count;
    sb.declarations = ptrs;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_SUBMIT_BATCH;
    req.submit_batch = &sb;
    Bzl__V1__Response *resp = NULL;
    ck_assert_int_eq(bzl_client_call(c, &req, &resp), BZL_OK);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_BATCH);
    ck_assert_uint_eq(resp->batch->n_results, count);
    unsigned ok = 0;
    *refusal = BZL__V1__STATUS__STATUS_OK;
    for (unsigned i = 0; i < count; i++) {
        const Bzl__V1__SubmitResult *r = resp->batch->results[i];
        if (r->status == BZL__V1__STATUS__STATUS_OK) {
            ok++;
        } else if (*refusal == BZL__V1__STATUS__STATUS_OK) {
            *refusal = r->status;
        }
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return ok;
}

/* Sum of the quantities of PREFIX-first .. PREFIX-(first+count-1). */
static inline uint64_t
util_qty_sum(const char *prefix, unsigned first, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++) {
        char id[CRASH_ID_BYTES];
        snprintf(id, sizeof id, "%s-%u", prefix, first + i);
        sum += crash_qty_of(id);
    }
    return sum;
}

/* The stats response (caller frees). */
static inline Bzl__V1__Response *
util_stats(bzl_client *c)
{
    Bzl__V1__GetStats gs = BZL__V1__GET_STATS__INIT;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_STATS;
    req.stats = &gs;
    Bzl__V1__Response *resp = NULL;
    ck_assert_int_eq(bzl_client_call(c, &req, &resp), BZL_OK);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_int_eq(resp->result_case, BZL__V1__RESPONSE__RESULT_STATS);
    return resp;
}

/* Item 1's posted quantity, a whole number in the harness. */
static inline uint64_t
util_balance(bzl_client *c)
{
    Bzl__V1__QueryBalances qb = BZL__V1__QUERY_BALANCES__INIT;
    qb.book = CRASH_BOOK;
    qb.kind = BZL__V1__KIND__KIND_MATERIAL;
    qb.item = 1;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_BALANCES;
    req.balances = &qb;
    Bzl__V1__Response *resp = NULL;
    ck_assert_int_eq(bzl_client_call(c, &req, &resp), BZL_OK);
    ck_assert_int_eq(resp->status, BZL__V1__STATUS__STATUS_OK);
    ck_assert_uint_eq(resp->balances->n_balances, 1);
    uint64_t qty = strtoull(resp->balances->balances[0]->qty, NULL, 10);
    bzl__v1__response__free_unpacked(resp, NULL);
    return qty;
}

#endif
