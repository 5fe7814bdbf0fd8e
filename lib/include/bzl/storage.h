/* storage.h — the ledger's durable state in LMDB: typed records, balances, the journal.
 *
 * This is the only module that talks to LMDB (lib/src/storage*.c are the only files that
 * include lmdb.h); the byte layouts of every key and value are tables at the top of
 * storage.c. Callers see transactions and domain records from ledger.h, nothing of LMDB.
 *
 * Threads: one write transaction at a time, used only on the thread that began it. Read
 * transactions may move between threads (the environment is opened with MDB_NOTLS). Never
 * use a bzl_storage across fork().
 *
 * Statuses that mean "the database cannot go on" rather than "this record is refused":
 * BZL_STORAGE_FULL (the map is full: abort the whole write transaction, grow, replay),
 * BZL_DISK_FULL, BZL_IO_ERROR, BZL_CORRUPT. After any of them in a write transaction the
 * only valid call on it is bzl_txn_abort.
 */
#ifndef BZL_STORAGE_H
#define BZL_STORAGE_H

#include "bzl/base.h"
#include "bzl/ledger.h"

/* The on-disk schema this build reads and writes. */
#define BZL_SCHEMA_VERSION 1u

typedef struct bzl_storage bzl_storage;
typedef struct bzl_txn bzl_txn;

typedef struct bzl_storage_options {
    const char *dir;           /* directory holding data.mdb and lock.mdb; must exist */
    uint64_t map_bytes;        /* initial map size; 0 means BZL_MAP_BYTES_INITIAL */
    uint64_t map_bytes_max;    /* ceiling for growth; 0 means BZL_MAP_BYTES_MAX_DEFAULT */
    unsigned readers_max;      /* 0 means BZL_MAP_READERS_MAX */
} bzl_storage_options;

/* Opens (creating when empty) the environment in opts->dir, clears stale reader slots, and
 * checks the schema version. Returns BZL_OK and *out (owned; bzl_storage_close releases),
 * BZL_SCHEMA_MISMATCH for a database written by another schema version, BZL_IO_ERROR for an
 * OS failure (message logged through errno text in *why when why is not NULL), BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl_storage_open(const bzl_storage_options *opts, bzl_storage **out,
                                          char *why, size_t why_cap);
/* Closes the environment. No transaction may be open. */
void bzl_storage_close(bzl_storage *s);

/* Grows the map by doubling, up to map_bytes_max. No transaction may be active in the
 * process (the writer calls this between batches). BZL_STORAGE_FULL at the ceiling. */
BZL_NODISCARD bzl_status bzl_storage_grow(bzl_storage *s);

/* Begins a transaction: a read one (write = false, parent NULL) or a write one, optionally
 * nested in a write parent (a declaration inside a batch). *out is owned until commit or
 * abort. Statuses: BZL_OK, BZL_NO_MEMORY, BZL_IO_ERROR, BZL_STORAGE_FULL. */
BZL_NODISCARD bzl_status bzl_txn_begin(bzl_storage *s, bzl_txn *parent, bool write,
                                       bzl_txn **out);
/* Commits (a top-level write commit is durable when this returns BZL_OK) and frees t
 * whatever the outcome. Statuses: BZL_OK, BZL_STORAGE_FULL, BZL_DISK_FULL, BZL_IO_ERROR. */
BZL_NODISCARD bzl_status bzl_txn_commit(bzl_txn *t);
/* Discards t and everything written in it. */
void bzl_txn_abort(bzl_txn *t);

/* Who made a change: recorded with every journal entry. */
typedef struct bzl_actor {
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint8_t role;        /* daemon-defined role number */
    uint64_t request_id; /* the client's request id */
    int64_t time_ms;     /* wall clock, ms since the epoch */
} bzl_actor;

/* ---- master data ---------------------------------------------------------------------- */

/* Stores a new enterprise / book / item and journals it. The record must have passed its
 * bzl_*_check. BZL_ALREADY_EXISTS when the key is taken; a book needs its enterprise and an
 * item its book (BZL_NOT_FOUND, fault naming which). */
BZL_NODISCARD bzl_status bzl_storage_enterprise_add(bzl_txn *t, const bzl_enterprise *e,
                                                    const bzl_actor *actor, bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_storage_book_add(bzl_txn *t, const bzl_book *b,
                                              const bzl_actor *actor, bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_storage_item_add(bzl_txn *t, const bzl_item *item,
                                              const bzl_actor *actor, bzl_fault *fault);

/* Copy-out lookups: BZL_OK and *out, or BZL_NOT_FOUND; BZL_CORRUPT for an undecodable row. */
BZL_NODISCARD bzl_status bzl_storage_enterprise_get(bzl_txn *t, const char *code,
                                                    bzl_enterprise *out);
BZL_NODISCARD bzl_status bzl_storage_book_get(bzl_txn *t, const char *book_no, bzl_book *out);
BZL_NODISCARD bzl_status bzl_storage_item_get(bzl_txn *t, const char *book_no, bzl_kind kind,
                                              uint32_t item_no, bzl_item *out);

/* Lists enterprises in code order strictly after `after` ("" for the start), at most cap of
 * them into out[]; *count is how many, *more whether any follow. */
BZL_NODISCARD bzl_status bzl_storage_enterprise_list(bzl_txn *t, const char *after,
                                                     bzl_enterprise *out, size_t cap,
                                                     size_t *count, bool *more);

/* ---- balances ------------------------------------------------------------------------- */

typedef struct bzl_balance_row {
    uint8_t kind;
    uint32_t item_no;
    bzl_balance balance;
} bzl_balance_row;

/* The balance of one item (all zero for an item with no movement yet). BZL_NOT_FOUND when
 * the item does not exist. */
BZL_NODISCARD bzl_status bzl_storage_balance_get(bzl_txn *t, const char *book_no, bzl_kind kind,
                                                 uint32_t item_no, bzl_balance *out);

/* Balances of the book's items in (kind, item) order, starting strictly after
 * (after_kind, after_item) — (0, 0) for the start — and limited to `kind` unless it is 0.
 * Items without movement appear with zeros. At most cap rows. BZL_NOT_FOUND for an
 * unknown book. */
BZL_NODISCARD bzl_status bzl_storage_balance_list(bzl_txn *t, const char *book_no, uint8_t kind,
                                                  uint8_t after_kind, uint32_t after_item,
                                                  bzl_balance_row *out, size_t cap,
                                                  size_t *count, bool *more);

/* ---- declarations and the journal ------------------------------------------------------ */

typedef struct bzl_submit_result {
    bzl_status status; /* the declaration's outcome: BZL_OK, or why it was refused */
    uint64_t seq;      /* journal sequence when accepted or replayed */
    bool replayed;     /* an identical earlier submission; nothing new was written */
    bzl_fault fault;   /* where the refusal points, when status is not BZL_OK */
} bzl_submit_result;

/* Applies one declaration inside write transaction `batch`, in a nested transaction of its
 * own so that a refusal leaves nothing behind. The declaration must have passed
 * bzl_decl_check_fields.
 *
 * Returns BZL_OK when the batch may go on, with the declaration's outcome in *result:
 * accepted (journal entry, balances, idempotency key written), replayed (the same enterprise
 * and id with identical content: the original sequence), or refused (BZL_ID_REUSED,
 * BZL_NOT_FOUND for the book or an item, BZL_WRONG_BOOK, BZL_BOOK_NOT_OPEN,
 * BZL_INSUFFICIENT_BALANCE, BZL_INVALID_ARGUMENT, BZL_OVERFLOW …). Returns a storage-level
 * status (BZL_STORAGE_FULL, BZL_IO_ERROR, BZL_CORRUPT, BZL_NO_MEMORY) when the batch must be
 * aborted; *result is meaningless then. */
BZL_NODISCARD bzl_status bzl_storage_submit(bzl_txn *batch, const bzl_declaration *d,
                                            const bzl_actor *actor, bzl_submit_result *result);

/* Statistics of the environment, for `bzl stats`. */
typedef struct bzl_storage_stats {
    uint64_t journal_entries;
    uint64_t map_bytes;
    uint64_t map_used_bytes;
} bzl_storage_stats;

BZL_NODISCARD bzl_status bzl_storage_stats_get(bzl_txn *t, bzl_storage_stats *out);

/* ---- backup (storage_backup.c) --------------------------------------------------------- */

typedef struct bzl_backup_info {
    uint64_t bytes;           /* size of the copy */
    uint64_t journal_entries; /* journal entries in the copy, read back from it */
} bzl_backup_info;

/* Writes a consistent, compacted copy of the environment (LMDB's copy with compaction, from
 * one read snapshot) to `path`, which must not exist. The copy goes to a temporary name in
 * the same directory, is synced, reopened read-only to count its journal, and only then
 * linked to `path`; a failure leaves nothing at `path`. Safe on any thread while the writer
 * commits (it blocks no writer; a map grow waits for it). `path` is borrowed for the call.
 * Returns BZL_OK and *info, BZL_ALREADY_EXISTS when path exists, BZL_NOT_FOUND when its
 * directory does not, BZL_PERMISSION_DENIED, BZL_DISK_FULL, BZL_IO_ERROR, BZL_CORRUPT (the copy
 * does not reopen); why (when not NULL) gets a sentence for the log and the client. */
BZL_NODISCARD bzl_status bzl_storage_backup(bzl_storage *s, const char *path,
                                            bzl_backup_info *info, char *why, size_t why_cap);

#endif
