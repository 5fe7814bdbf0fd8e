/* handler_ops.c — operations requests: hot backup on the libuv thread pool. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "handlers.h"
#include "log.h"
#include "reply.h"

/* A backup in flight: lives from uv_queue_work until its after-work callback. */
typedef struct backup_work {
    uv_work_t req;
    bzld_slot *slot;
    bzl_storage *store;
    char path[PATH_MAX];
    bzl_status status;
    bzl_backup_info info;
    char why[512];
} backup_work;

/* Thread pool: the copy reads one snapshot, so neither the loop nor the writer waits. */
static void
backup_work_cb(uv_work_t *req)
{
    backup_work *w = req->data;
    w->status = bzl_storage_backup(w->store, w->path, &w->info, w->why, sizeof w->why);
}

/* Loop thread: reply in request order through the slot. */
static void
backup_after_work_cb(uv_work_t *req, int status)
{
    backup_work *w = req->data;
    bzld_slot *slot = w->slot;
    BZL_ASSERT(status == 0); /* backups are never cancelled */
    if (w->status != BZL_OK) {
        bzld_log(BZLD_LOG_ERR, "backup to %s failed: %s: %s", w->path, bzl_status_name(w->status),
                 w->why);
        bzld_slot_reply_status(slot, w->status, "backup failed: %s", w->why);
    } else {
        bzld_log(BZLD_LOG_NOTICE,
                 "backup written to %s (%llu bytes, %llu journal entries; %u leftover "
                 "temporaries of killed backups removed)",
                 w->path, (unsigned long long)w->info.bytes,
                 (unsigned long long)w->info.journal_entries, (unsigned)w->info.stale_removed);
        Bzl__V1__BackupResult result = BZL__V1__BACKUP_RESULT__INIT;
        result.path = w->path;
        result.bytes = w->info.bytes;
        result.journal_entries = w->info.journal_entries;
        Bzl__V1__Response resp = BZL__V1__RESPONSE__INIT;
        resp.result_case = BZL__V1__RESPONSE__RESULT_BACKUP;
        resp.backup = &result;
        bzld_slot_reply(slot, &resp);
    }
    slot->work = NULL;
    free(w);
    bzld_slot_async_done(slot);
}

void
bzld_handle_backup(bzld_slot *slot)
{
    BZLD_HANDLER_BEGIN(slot, BACKUP);
    const char *out = slot->req->backup->out;
    size_t len = strlen(out);
    if (len == 0 || out[0] != '/') {
        bzld_slot_reply_status(slot, BZL_INVALID_ARGUMENT,
                               "out must be an absolute path on the daemon's host");
        return;
    }
    if (len >= PATH_MAX - 32) {
        bzld_slot_reply_status(slot, BZL_INVALID_ARGUMENT, "out is longer than %d bytes",
                               PATH_MAX - 32);
        return;
    }
    backup_work *w = calloc(1, sizeof *w);
    if (w == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory for the backup");
        return;
    }
    bzld *d = bzld_of_slot(slot);
    w->req.data = w;
    w->slot = slot;
    w->store = d->store;
    memcpy(w->path, out, len + 1);
    bzl_actor who;
    bzld_actor_of_slot(slot, &who);
    /* The actor names who asked: uid, pid and request id. */
    bzld_log(BZLD_LOG_INFO, "uid %u pid %d request %llu: backup to %s", who.uid, who.pid,
             (unsigned long long)who.request_id, w->path);
    int rc = uv_queue_work(d->loop, &w->req, backup_work_cb, backup_after_work_cb);
    if (rc != 0) {
        free(w);
        bzld_slot_reply_status(slot, BZL_INTERNAL, "cannot queue the backup: %s", uv_strerror(rc));
        return;
    }
    slot->work = w;
    bzld_slot_async_begin(slot);
}
