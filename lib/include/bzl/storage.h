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
/* 2: journal entries carry a BLAKE2b hash chain and meta holds its head. */
#define BZL_SCHEMA_VERSION 2u

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

/* ---- verification and audit (storage_verify.c) ------------------------------------------- */

#define BZL_JOURNAL_HASH_BYTES 32u

/* What bzl_storage_verify_chain found. */
typedef struct bzl_chain_report {
    uint64_t entries;                           /* entries walked */
    uint64_t head_seq;                          /* the head recorded in meta */
    uint8_t head_hash[BZL_JOURNAL_HASH_BYTES];  /* its hash (recomputed when intact) */
    uint64_t first_bad_seq;                     /* 0 when the chain verifies */
    char why[256];                              /* for people, when first_bad_seq != 0 */
} bzl_chain_report;

/* Walks every journal entry in a read (or write) transaction: the sequences must run
 * 1, 2, … journal_next - 1 without a gap, each entry's stored hash must equal
 * BLAKE2b(previous hash || the entry without its hash), and the head in meta must name the
 * last entry and its hash. A deleted entry shows as a gap, an altered byte as a hash mismatch.
 * Returns BZL_OK with *out filled when intact; BZL_TAMPERED with out->first_bad_seq (the
 * first sequence that does not verify; journal_next - 1 + 1 when only the head is off) and
 * out->why; BZL_IO_ERROR, BZL_NO_MEMORY for a failure to read. */
BZL_NODISCARD bzl_status bzl_storage_verify_chain(bzl_txn *t, bzl_chain_report *out);

/* What a balance recomputation found. */
typedef struct bzl_balance_report {
    uint64_t items;        /* item balances compared */
    uint64_t declarations; /* declaration entries replayed */
    bool mismatch;
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;
    uint32_t item_no;
    bzl_balance stored;
    bzl_balance recomputed;
    char why[256];
} bzl_balance_report;

/* Recomputes every balance of the current schema from the journal (each declaration entry's
 * lines applied with bzl_ledger_apply_line, in sequence order, exactly as submit did) and
 * compares it with the stored balance of every item. BZL_OK when all agree; BZL_TAMPERED with
 * the first disagreeing item in *out; BZL_CORRUPT when an entry cannot be decoded or no longer
 * applies (why says which sequence); BZL_NO_MEMORY; BZL_IO_ERROR. Issue 3's effects-based
 * bzl_storage_verify_balances supersedes this once journal entries carry their effects. */
BZL_NODISCARD bzl_status bzl_storage_check_balances(bzl_txn *t, bzl_balance_report *out);

/* One journal entry as the audit listing shows it. */
typedef struct bzl_audit_row {
    uint64_t seq;
    uint8_t type; /* 1 enterprise, 2 book, 3 item, 4 declaration; later types appear as is */
    int64_t time_ms;
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint8_t role;
    uint64_t request_id;
    char summary[160]; /* "declaration ACME-1 6201230001 H72012400001 material in, 1 line" */
} bzl_audit_row;

typedef struct bzl_audit_filter {
    uint64_t after_seq; /* entries with seq > after_seq (paging cursor) */
    uint64_t until_seq; /* 0: no bound */
    int64_t since_ms;   /* 0: no bound */
    int64_t until_ms;   /* 0: no bound; entries with time_ms < until_ms */
    bool by_uid;
    uint32_t uid;
} bzl_audit_filter;

/* Lists journal entries matching f in sequence order, at most cap (<= BZL_LIST_ROWS_MAX),
 * examining at most BZL_AUDIT_SCAN_MAX entries per call; *next_after is the cursor to pass as
 * after_seq for the next page, *more whether entries remain. */
BZL_NODISCARD bzl_status bzl_storage_audit_list(bzl_txn *t, const bzl_audit_filter *f,
                                                bzl_audit_row *out, size_t cap, size_t *count,
                                                uint64_t *next_after, bool *more);

/* Statistics of the environment, for `bzl stats`. */
typedef struct bzl_storage_stats {
    uint64_t journal_entries;
    uint64_t map_bytes;
    uint64_t map_used_bytes;
} bzl_storage_stats;

BZL_NODISCARD bzl_status bzl_storage_stats_get(bzl_txn *t, bzl_storage_stats *out);

#endif
