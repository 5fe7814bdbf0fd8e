/* storage.c — the LMDB environment, transactions, the journal, meta and stats (master data and
 * balances are in storage_master.c). Every table's bytes: format.h. */
#include "storage_internal.h"

#include "bzl/limits.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/statvfs.h>

#include <sodium.h>

static const char *const db_names[DB_COUNT] = {
    [DB_META] = "meta",
    [DB_ENTERPRISE] = "enterprise",
    [DB_BOOK] = "book",
    [DB_ITEM] = "item",
    [DB_BALANCE] = "balance",
    [DB_JOURNAL] = "journal",
    [DB_IDEM] = "idem",
    [DB_NORM] = "norm",
    [DB_SCRAP] = "scrap",
    [DB_TOTAL] = "total",
    [DB_PERIOD] = "period",
    [DB_ITEM_MODE] = "item_mode",
    [DB_TRANSFER] = "transfer",
    [DB_HISTORY] = "history",
    [DB_STOCKTAKE] = "stocktake",
    [DB_RATE] = "rate",
    [DB_TRADE] = "trade",
    [DB_TRADE_VALUE] = "trade_value",
    [DB_CLOSING] = "closing",
    [DB_VALUE] = "value",
    [DB_SPLIT] = "split",
    [DB_STOCKTAKE_ENT] = "stocktake_enterprise",
    [DB_REPAIR] = "repair",
    [DB_WORKORDER] = "workorder",
    [DB_DELIVERY] = "delivery",
    [DB_TARIFF] = "tariff",
    [DB_INTEREST] = "interest",
    [DB_ASSESSMENT] = "assessment",
    [DB_TAX_FIRST] = "tax_first",
    [DB_LOT] = "lot",
    [DB_LOT_METHOD] = "lot_method",
    [DB_RECEIPT] = "receipt",
};

#define META_SCHEMA "schema"
#define META_JOURNAL_NEXT "journal_next"
#define META_JOURNAL_HEAD "journal_head"

static_assert(JOURNAL_HEADER_BYTES == 1u + 8u + 4u + 4u + 4u + 1u + 8u + 32u + 4u,
              "journal header");
static_assert(JOURNAL_HASH_OFFSET == 1u + 8u + 4u + 4u + 4u + 1u + 8u, "hash follows request_id");
static_assert(JOURNAL_HASH_BYTES == crypto_generichash_BYTES, "BLAKE2b-256");
static_assert(IDEM_KEY_BYTES_MAX <= 511u, "idempotency key within LMDB's default key size");

/* ---- status conversion --------------------------------------------------------------------- */

/* The one place LMDB and errno codes become statuses. MDB_TXN_FULL means one write
 * transaction dirtied more pages than LMDB can track (about 512 MiB): the writer's batch bounds
 * exist to stay far below that, so reaching it is a sizing bug, and like every status that
 * leaves the transaction unusable it must abort the batch. */
bzl_status
bzl__mdb_status(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return BZL_OK;
    case MDB_NOTFOUND:
        return BZL_NOT_FOUND;
    case MDB_KEYEXIST:
        return BZL_ALREADY_EXISTS;
    case MDB_MAP_FULL:
        return BZL_STORAGE_FULL;
    case MDB_READERS_FULL:
        return BZL_BUSY;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_INCOMPATIBLE: /* a name we open as a database is something else: not our file */
        return BZL_CORRUPT;
    case MDB_VERSION_MISMATCH:
        return BZL_SCHEMA_MISMATCH;
    case MDB_TXN_FULL:
    case MDB_BAD_TXN:
    case MDB_BAD_VALSIZE:
    case MDB_BAD_DBI:
    case MDB_BAD_RSLOT:
    case MDB_DBS_FULL:
    case EINVAL:
        return BZL_INTERNAL;
    case ENOSPC:
    case EDQUOT:
        return BZL_DISK_FULL;
    case ENOMEM:
        return BZL_NO_MEMORY;
    default:
        return BZL_IO_ERROR;
    }
}

int
bzl__cursor_seek(bzl_txn *t, unsigned db, const void *key, size_t len, MDB_cursor_op op,
                 MDB_cursor **cur, MDB_val *k, MDB_val *v)
{
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], cur);
    if (rc != MDB_SUCCESS) {
        *cur = NULL;
        return rc;
    }
    *k = bzl__mval(key, len);
    return mdb_cursor_get(*cur, k, v, op);
}

bzl_status
bzl__cursor_end(MDB_cursor *cur, int rc, bzl_status st)
{
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    if (st == BZL_OK && rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        st = bzl__mdb_status(rc);
    }
    return st;
}

void
bzl__walk_begin(bzl_txn *t, unsigned db, const void *from, size_t from_len, size_t prefix_len,
                bzl__walk *w)
{
    BZL_ASSERT(prefix_len <= from_len);
    BZL_ASSERT(from != NULL || from_len == 0);
    memset(w, 0, sizeof *w);
    w->prefix = from;
    w->prefix_len = prefix_len;
    w->rc = bzl__cursor_seek(t, db, from, from_len, from_len > 0 ? MDB_SET_RANGE : MDB_FIRST,
                             &w->cur, &w->k, &w->v);
}

void
bzl__walk_begin_after(bzl_txn *t, unsigned db, const void *from, size_t from_len, size_t prefix_len,
                      bzl__walk *w)
{
    bzl__walk_begin(t, db, from, from_len, prefix_len, w);
    /* LMDB keys are never empty, so with no start key there is nothing to pass over. */
    if (w->rc == MDB_SUCCESS && from_len > 0 && w->k.mv_size == from_len &&
        memcmp(w->k.mv_data, from, from_len) == 0) {
        w->rc = mdb_cursor_get(w->cur, &w->k, &w->v, MDB_NEXT);
    }
}

bool
bzl__walk_next(bzl__walk *w)
{
    if (w->started && w->rc == MDB_SUCCESS) {
        w->rc = mdb_cursor_get(w->cur, &w->k, &w->v, MDB_NEXT);
    }
    w->started = true;
    if (w->rc != MDB_SUCCESS) {
        return false;
    }
    if (w->prefix_len > 0 &&
        (w->k.mv_size < w->prefix_len || memcmp(w->k.mv_data, w->prefix, w->prefix_len) != 0)) {
        w->rc = MDB_NOTFOUND; /* past the range: a clean end */
        return false;
    }
    return true;
}

bzl_status
bzl__walk_end(bzl__walk *w, bzl_status st)
{
    bzl_status out = bzl__cursor_end(w->cur, w->rc, st);
    w->cur = NULL;
    return out;
}

bzl_status
bzl__list_end(MDB_cursor *cur, int rc, bzl_status st, size_t n, bool further, size_t *count,
              bool *more)
{
    BZL_ASSERT(count != NULL);
    st = bzl__cursor_end(cur, rc, st);
    if (st == BZL_OK) {
        *count = n;
        if (more != NULL) {
            *more = further;
        }
    }
    return st;
}

void
bzl__set_why(char *why, size_t why_cap, const char *fmt, ...)
{
    if (why == NULL || why_cap == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_cap, fmt, ap);
    va_end(ap);
}

/* ---- meta ---------------------------------------------------------------------------------- */

static bzl_status
meta_get_u64(MDB_txn *txn, const bzl_storage *s, const char *name, uint64_t *out)
{
    MDB_val k = bzl__mval(name, strlen(name));
    MDB_val v;
    int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    uint64_t value = rd_u64(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *out = value;
    return BZL_OK;
}

static bzl_status
meta_put(MDB_txn *txn, const bzl_storage *s, const char *name, uint64_t value, size_t bytes)
{
    BZL_ASSERT(bytes == 4 || bytes == 8);
    uint8_t buf[8];
    bzl_wr w = {.p = buf, .cap = bytes};
    wr_le(&w, value, bytes);
    MDB_val k = bzl__mval(name, strlen(name));
    MDB_val v = bzl__mval(buf, w.len);
    return bzl__mdb_status(mdb_put(txn, s->dbi[DB_META], &k, &v, 0));
}

/* The journal head record: seq u64 LE | hash[32]. */
static bzl_status
head_put(MDB_txn *txn, const bzl_storage *s, uint64_t seq, const uint8_t hash[JOURNAL_HASH_BYTES])
{
    uint8_t buf[JOURNAL_HEAD_BYTES];
    bzl_wr w = {.p = buf, .cap = sizeof buf};
    wr_u64(&w, seq);
    wr_bytes(&w, hash, JOURNAL_HASH_BYTES);
    MDB_val k = bzl__mval(META_JOURNAL_HEAD, strlen(META_JOURNAL_HEAD));
    MDB_val v = bzl__mval(buf, w.len);
    return bzl__mdb_status(mdb_put(txn, s->dbi[DB_META], &k, &v, 0));
}

bzl_status
bzl__journal_head_get(bzl_txn *t, uint64_t *seq, uint8_t hash[JOURNAL_HASH_BYTES])
{
    MDB_val k = bzl__mval(META_JOURNAL_HEAD, strlen(META_JOURNAL_HEAD));
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_META], &k, &v);
    if (rc != MDB_SUCCESS) {
        /* A schema-2 database always has a head: its absence is damage. */
        return rc == MDB_NOTFOUND ? BZL_CORRUPT : bzl__mdb_status(rc);
    }
    if (v.mv_size != JOURNAL_HEAD_BYTES) {
        return BZL_CORRUPT;
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    uint64_t head_seq = rd_u64(&r);
    memcpy(hash, (const uint8_t *)v.mv_data + 8, JOURNAL_HASH_BYTES);
    *seq = head_seq;
    return BZL_OK;
}

bzl_status
bzl__schema_get(bzl_txn *t, uint32_t *version)
{
    MDB_val k = bzl__mval(META_SCHEMA, strlen(META_SCHEMA));
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_META], &k, &v);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    uint32_t found = rd_u32(&r);
    if (!rd_done(&r)) {
        return BZL_CORRUPT;
    }
    *version = found;
    return BZL_OK;
}

bzl_status
bzl__meta_u64_get(bzl_txn *t, const char *name, uint64_t *out)
{
    return meta_get_u64(t->txn, t->s, name, out);
}

bzl_status
bzl__meta_u64_put(bzl_txn *t, const char *name, uint64_t value)
{
    BZL_ASSERT(t->write);
    return meta_put(t->txn, t->s, name, value, 8);
}

bzl_status
bzl__schema_put(bzl_txn *t, uint32_t version)
{
    BZL_ASSERT(t->write);
    return meta_put(t->txn, t->s, META_SCHEMA, version, 4);
}

/* The first open by a build that keeps enterprises' stocktakes apart marks where the journal
 * starts doing so (META_STOCK_BY_FROM): the rows written before stay as they are. */
static bzl_status
stock_by_mark(MDB_txn *txn, const bzl_storage *s, char *why, size_t why_cap)
{
    uint64_t from = 0;
    bzl_status st = meta_get_u64(txn, s, META_STOCK_BY_FROM, &from);
    if (st != BZL_NOT_FOUND) {
        return st;
    }
    uint64_t next = 0;
    st = meta_get_u64(txn, s, META_JOURNAL_NEXT, &next);
    st = st == BZL_OK ? meta_put(txn, s, META_STOCK_BY_FROM, next, 8) : st;
    if (st != BZL_OK) {
        bzl__set_why(why, why_cap, "cannot mark where stocktakes are kept apart: %s",
                     bzl_status_text(st));
    }
    return st;
}

/* An empty environment gets the schema version and journal_next = 1; an existing one must
 * carry exactly this build's version. */
static bzl_status
schema_check(bzl_storage *s, MDB_txn *txn, char *why, size_t why_cap)
{
    MDB_val k = bzl__mval(META_SCHEMA, strlen(META_SCHEMA));
    MDB_val v;
    int rc = mdb_get(txn, s->dbi[DB_META], &k, &v);
    if (rc == MDB_NOTFOUND) {
        uint64_t next = 0;
        if (meta_get_u64(txn, s, META_JOURNAL_NEXT, &next) != BZL_NOT_FOUND) {
            bzl__set_why(why, why_cap, "database has a journal but no schema version");
            return BZL_CORRUPT;
        }
        bzl_status st = meta_put(txn, s, META_SCHEMA, BZL_SCHEMA_VERSION, 4);
        if (st == BZL_OK) {
            st = meta_put(txn, s, META_JOURNAL_NEXT, 1, 8);
        }
        if (st == BZL_OK) {
            st = meta_put(txn, s, META_STOCK_BY_FROM, 1, 8);
        }
        if (st == BZL_OK) {
            uint8_t zeros[JOURNAL_HASH_BYTES] = {0};
            st = head_put(txn, s, 0, zeros);
        }
        if (st != BZL_OK) {
            bzl__set_why(why, why_cap, "cannot initialise the database: %s", bzl_status_text(st));
        }
        return st;
    }
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "cannot read the schema version: %s", mdb_strerror(rc));
        return bzl__mdb_status(rc);
    }
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    uint32_t version = rd_u32(&r);
    if (!rd_done(&r)) {
        bzl__set_why(why, why_cap, "schema version record is %zu bytes, not 4", v.mv_size);
        return BZL_CORRUPT;
    }
    if (version != BZL_SCHEMA_VERSION) {
        bzl__set_why(why, why_cap, "database schema version %" PRIu32 ", this build reads %u%s",
                     version, BZL_SCHEMA_VERSION,
                     version >= BZL_SCHEMA_UPGRADES_FROM && version < BZL_SCHEMA_VERSION
                         ? "; back it up, then run bzld --upgrade to convert it in place"
                         : "");
        return BZL_SCHEMA_MISMATCH;
    }
    return stock_by_mark(txn, s, why, why_cap);
}

/* ---- environment --------------------------------------------------------------------------- */

static bzl_status
env_open(bzl_storage *s, const bzl_storage_options *opts, char *why, size_t why_cap)
{
    unsigned readers = opts->readers_max != 0 ? opts->readers_max : BZL_MAP_READERS_MAX;
    const char *step = "mdb_env_create";
    int rc = mdb_env_create(&s->env);
    if (rc == MDB_SUCCESS) {
        step = "mdb_env_set_maxdbs";
        rc = mdb_env_set_maxdbs(s->env, DB_COUNT);
    }
    if (rc == MDB_SUCCESS) {
        step = "mdb_env_set_mapsize";
        rc = mdb_env_set_mapsize(s->env, (size_t)s->map_bytes);
    }
    if (rc == MDB_SUCCESS) {
        step = "mdb_env_set_maxreaders";
        rc = mdb_env_set_maxreaders(s->env, readers);
    }
    if (rc == MDB_SUCCESS) {
        step = "mdb_env_open";
        rc = mdb_env_open(s->env, opts->dir, MDB_NOTLS, 0600);
    }
    int dead = 0;
    if (rc == MDB_SUCCESS) {
        step = "mdb_reader_check";
        rc = mdb_reader_check(s->env, &dead);
    }
    MDB_envinfo info;
    if (rc == MDB_SUCCESS) {
        step = "mdb_env_info";
        rc = mdb_env_info(s->env, &info);
    }
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "%s on %s: %s", step, opts->dir, mdb_strerror(rc));
        return bzl__mdb_status(rc);
    }
    /* An existing file larger than the configured start keeps its size. */
    s->map_bytes = info.me_mapsize;
    if (s->map_bytes_max < s->map_bytes) {
        s->map_bytes_max = s->map_bytes;
    }
    return BZL_OK;
}

/* Opens (creating) every named database and settles the schema, in one write transaction. */
static bzl_status
dbs_open(bzl_storage *s, bool check_schema, char *why, size_t why_cap)
{
    MDB_txn *txn = NULL;
    bzl_status st = BZL_OK;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    for (size_t i = 0; rc == MDB_SUCCESS && i < DB_COUNT; i++) {
        BZL_ASSERT(db_names[i] != NULL); /* a NULL name would open the main database */
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
    }
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "cannot open the databases: %s", mdb_strerror(rc));
        st = bzl__mdb_status(rc);
        goto fail;
    }
    st = check_schema ? schema_check(s, txn, why, why_cap) : BZL_OK;
    if (st == BZL_OK && check_schema) {
        bzl_txn lt = {.s = s, .txn = txn, .write = true};
        st = bzl__lots_open(&lt, why, why_cap);
    }
    if (st != BZL_OK) {
        goto fail;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc != MDB_SUCCESS) {
        bzl__set_why(why, why_cap, "cannot commit the schema: %s", mdb_strerror(rc));
        st = bzl__mdb_status(rc);
        goto fail;
    }
    return BZL_OK;
fail:
    if (txn != NULL) {
        mdb_txn_abort(txn);
    }
    return st;
}

bzl_status
bzl_storage_open(const bzl_storage_options *opts, bzl_storage **out, char *why, size_t why_cap)
{
    return bzl__storage_open(opts, true, out, why, why_cap);
}

bzl_status
bzl__storage_open(const bzl_storage_options *opts, bool check_schema, bzl_storage **out, char *why,
                  size_t why_cap)
{
    BZL_ASSERT(opts != NULL);
    BZL_ASSERT(opts->dir != NULL);
    BZL_ASSERT(out != NULL);
    bzl_status st = BZL_OK;
    bzl__set_why(why, why_cap, "%s", "");
    if (sodium_init() < 0) {
        bzl__set_why(why, why_cap, "libsodium failed to initialise");
        return BZL_INTERNAL;
    }
    bzl_storage *s = calloc(1, sizeof *s);
    if (s == NULL) {
        bzl__set_why(why, why_cap, "out of memory");
        st = BZL_NO_MEMORY;
        goto fail;
    }
    bzl_tax_rules_default(&s->tax_rules);
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int lock_rc = pthread_rwlock_init(&s->resize_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    if (lock_rc != 0) {
        free(s);
        bzl__set_why(why, why_cap, "cannot create the resize lock");
        return BZL_NO_MEMORY;
    }
    s->map_bytes = opts->map_bytes != 0 ? opts->map_bytes : BZL_MAP_BYTES_INITIAL;
    s->map_bytes_max = opts->map_bytes_max != 0 ? opts->map_bytes_max : BZL_MAP_BYTES_MAX_DEFAULT;
    st = env_open(s, opts, why, why_cap);
    if (st != BZL_OK) {
        goto fail;
    }
    st = dbs_open(s, check_schema, why, why_cap);
    if (st != BZL_OK) {
        goto fail;
    }
    *out = s;
    return BZL_OK;
fail:
    if (s != NULL && s->env != NULL) {
        mdb_env_close(s->env);
    }
    if (s != NULL) {
        pthread_rwlock_destroy(&s->resize_lock);
    }
    free(s);
    return st;
}

void
bzl_storage_close(bzl_storage *s)
{
    if (s == NULL) {
        return;
    }
    BZL_ASSERT(s->env != NULL);
    mdb_env_close(s->env);
    pthread_rwlock_destroy(&s->resize_lock);
    for (size_t i = 0; i < BZL__DECL_SCRATCH_COUNT; i++) {
        free(s->decl_scratch[i].buf);
    }
    free(s);
}

bzl_status
bzl_storage_grow(bzl_storage *s)
{
    BZL_ASSERT(s != NULL);
    BZL_ASSERT(s->map_bytes <= s->map_bytes_max);
    if (s->map_bytes >= s->map_bytes_max) {
        return BZL_STORAGE_FULL;
    }
    uint64_t next = s->map_bytes > s->map_bytes_max / 2 ? s->map_bytes_max : s->map_bytes * 2;
    pthread_rwlock_wrlock(&s->resize_lock);
    int rc = mdb_env_set_mapsize(s->env, (size_t)next);
    pthread_rwlock_unlock(&s->resize_lock);
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    s->map_bytes = next;
    return BZL_OK;
}

/* ---- transactions -------------------------------------------------------------------------- */

/* Frees the handle once LMDB is done with its transaction. */
static void
txn_release(bzl_txn *t)
{
    if (t->top) {
        pthread_rwlock_unlock(&t->s->resize_lock);
    }
    free(t);
}

bzl_storage *
bzl_txn_storage(const bzl_txn *t)
{
    BZL_ASSERT(t != NULL);
    return t->s;
}

bzl_status
bzl_txn_begin(bzl_storage *s, bzl_txn *parent, bool write, bzl_txn **out)
{
    BZL_ASSERT(s != NULL);
    BZL_ASSERT(out != NULL);
    BZL_ASSERT(parent == NULL || (write && parent->write));
    bzl_txn *t = malloc(sizeof *t);
    if (t == NULL) {
        return BZL_NO_MEMORY;
    }
    t->s = s;
    t->write = write;
    t->top = parent == NULL;
    t->unsealed = NULL;
    t->unsealed_len = 0;
    t->unsealed_seq = 0;
    t->journal_reads = 0;
    if (t->top) {
        pthread_rwlock_rdlock(&s->resize_lock);
    }
    int rc =
        mdb_txn_begin(s->env, parent != NULL ? parent->txn : NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (rc != MDB_SUCCESS) {
        txn_release(t);
        return bzl__mdb_status(rc);
    }
    *out = t;
    return BZL_OK;
}

/* A commit that failed with EIO on a nearly full filesystem failed for want of space
 * (BZL_DISK_FREE_LOW_BYTES says why LMDB says EIO). */
static int
commit_error(const bzl_storage *s, int rc)
{
    mdb_filehandle_t fd;
    struct statvfs vfs;
    if (rc == EIO && mdb_env_get_fd(s->env, &fd) == MDB_SUCCESS && fstatvfs(fd, &vfs) == 0 &&
        (uint64_t)vfs.f_bavail * vfs.f_frsize < BZL_DISK_FREE_LOW_BYTES) {
        return ENOSPC;
    }
    return rc;
}

bzl_status
bzl_txn_commit(bzl_txn *t)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(t->unsealed == NULL); /* every reserved journal entry was sealed */
    int rc = mdb_txn_commit(t->txn);
    if (rc != MDB_SUCCESS && t->write) {
        rc = commit_error(t->s, rc);
    }
    txn_release(t);
    return bzl__mdb_status(rc);
}

/* NULL is accepted, so a `goto fail` path can abort whatever it holds. */
void
bzl_txn_abort(bzl_txn *t)
{
    if (t == NULL) {
        return;
    }
    mdb_txn_abort(t->txn);
    txn_release(t);
}

/* ---- journal ------------------------------------------------------------------------------- */

bzl_status
bzl__journal_next(bzl_txn *t, uint64_t *seq)
{
    uint64_t next = 0;
    bzl_status st = meta_get_u64(t->txn, t->s, META_JOURNAL_NEXT, &next);
    if (st == BZL_NOT_FOUND || (st == BZL_OK && (next == 0 || next == UINT64_MAX))) {
        return BZL_CORRUPT;
    }
    if (st == BZL_OK) {
        *seq = next;
    }
    return st;
}

bzl_status
bzl__journal_reserve(bzl_txn *t, uint8_t type, const bzl_actor *actor, size_t payload_len,
                     uint8_t **payload, uint64_t *seq_out)
{
    BZL_ASSERT(t->write);
    BZL_ASSERT(t->unsealed == NULL); /* the previous entry was sealed */
    BZL_ASSERT(payload_len <= UINT32_MAX - JOURNAL_HEADER_BYTES);
    const bzl_storage *s = t->s;
    uint64_t seq = 0;
    bzl_status st = bzl__journal_next(t, &seq);
    if (st != BZL_OK) {
        return st;
    }
    /* journal_next first: the reserved payload must be filled before any later write. */
    st = meta_put(t->txn, s, META_JOURNAL_NEXT, seq + 1, 8);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[8];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    wr_be(&kw, seq, 8);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = {.mv_size = JOURNAL_HEADER_BYTES + payload_len, .mv_data = NULL};
    int rc = mdb_put(t->txn, s->dbi[DB_JOURNAL], &k, &v, MDB_APPEND | MDB_RESERVE);
    if (rc != MDB_SUCCESS) {
        /* MDB_KEYEXIST under MDB_APPEND: journal_next fell behind the journal. */
        return rc == MDB_KEYEXIST ? BZL_CORRUPT : bzl__mdb_status(rc);
    }
    bzl_wr w = {.p = v.mv_data, .cap = v.mv_size};
    wr_u8(&w, type);
    wr_i64(&w, actor->time_ms);
    wr_u32(&w, actor->uid);
    wr_u32(&w, actor->gid);
    wr_i32(&w, actor->pid);
    wr_u8(&w, actor->role);
    wr_u64(&w, actor->request_id);
    memset(wr_take(&w, JOURNAL_HASH_BYTES), 0, JOURNAL_HASH_BYTES); /* bzl__journal_seal */
    wr_u32(&w, (uint32_t)payload_len);
    *payload = wr_take(&w, payload_len);
    *seq_out = seq;
    t->unsealed = v.mv_data;
    t->unsealed_len = v.mv_size;
    t->unsealed_seq = seq;
    return BZL_OK;
}

void
bzl__journal_hash(const uint8_t prev[JOURNAL_HASH_BYTES], const uint8_t *entry, size_t len,
                  uint8_t out[JOURNAL_HASH_BYTES])
{
    BZL_ASSERT(len >= JOURNAL_HEADER_BYTES);
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, JOURNAL_HASH_BYTES);
    crypto_generichash_update(&st, prev, JOURNAL_HASH_BYTES);
    crypto_generichash_update(&st, entry, JOURNAL_HASH_OFFSET);
    crypto_generichash_update(&st, entry + JOURNAL_HASH_OFFSET + JOURNAL_HASH_BYTES,
                              len - JOURNAL_HASH_OFFSET - JOURNAL_HASH_BYTES);
    crypto_generichash_final(&st, out, JOURNAL_HASH_BYTES);
}

bzl_status
bzl__journal_seal(bzl_txn *t, uint64_t seq)
{
    BZL_ASSERT(t->write);
    BZL_ASSERT(t->unsealed != NULL);
    BZL_ASSERT(t->unsealed_seq == seq);
    uint64_t head_seq = 0;
    uint8_t prev[JOURNAL_HASH_BYTES];
    bzl_status st = bzl__journal_head_get(t, &head_seq, prev);
    if (st != BZL_OK) {
        return st;
    }
    if (head_seq + 1 != seq) {
        return BZL_CORRUPT; /* the head fell behind the journal */
    }
    uint8_t hash[JOURNAL_HASH_BYTES];
    bzl__journal_hash(prev, t->unsealed, t->unsealed_len, hash);
    memcpy(t->unsealed + JOURNAL_HASH_OFFSET, hash, sizeof hash);
    t->unsealed = NULL;
    t->unsealed_len = 0;
    return head_put(t->txn, t->s, seq, hash);
}

/* ---- statistics ---------------------------------------------------------------------------- */

bzl_status
bzl_storage_stats_get(bzl_txn *t, bzl_storage_stats *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    MDB_stat journal;
    MDB_stat env;
    MDB_envinfo info;
    int rc = mdb_stat(t->txn, t->s->dbi[DB_JOURNAL], &journal);
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_stat(t->s->env, &env);
    }
    if (rc == MDB_SUCCESS) {
        rc = mdb_env_info(t->s->env, &info);
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    out->journal_entries = journal.ms_entries;
    out->map_bytes = info.me_mapsize;
    out->map_used_bytes = ((uint64_t)info.me_last_pgno + 1) * env.ms_psize;
    return BZL_OK;
}
