/* storage.h — the ledger's durable state in LMDB: typed records, balances, the journal.
 *
 * This is the only module that talks to LMDB (the files of lib/src/storage/ are the only ones
 * that include lmdb.h); the byte layouts of every key and value are tables at the top of
 * lib/src/storage/format.h. Callers see transactions and domain records from ledger.h, nothing of
 * LMDB.
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
#include "bzl/norms.h"
#include "bzl/repair.h"
#include "bzl/transfer.h"

/* True when a status a write's callee returned means the batch transaction cannot go on and
 * must be aborted (then, for BZL_STORAGE_FULL, grown and replayed): the four above and the two
 * every callee may meet (BZL_NO_MEMORY, BZL_INTERNAL). Every other status is one write's own
 * refusal: the batch, and every other client's write in it, goes on. The one place that
 * decides it. */
static inline bool
bzl_status_aborts_batch(bzl_status st)
{
    return st == BZL_STORAGE_FULL || st == BZL_DISK_FULL || st == BZL_IO_ERROR ||
           st == BZL_CORRUPT || st == BZL_NO_MEMORY || st == BZL_INTERNAL;
}

/* The on-disk schema this build reads and writes. 2: the journal's hash chain (its head in
 * meta) and the bonded ledger (effects in journal entries, declaration states, norms, periods). */
#define BZL_SCHEMA_VERSION 5u
/* The oldest version bzl_storage_upgrade converts. */
#define BZL_SCHEMA_UPGRADES_FROM 2u

typedef struct bzl_storage bzl_storage;
typedef struct bzl_txn bzl_txn;

typedef struct bzl_storage_options {
    const char *dir;        /* directory holding data.mdb and lock.mdb; must exist */
    uint64_t map_bytes;     /* initial map size; 0 means BZL_MAP_BYTES_INITIAL */
    uint64_t map_bytes_max; /* ceiling for growth; 0 means BZL_MAP_BYTES_MAX_DEFAULT */
    unsigned readers_max;   /* 0 means BZL_MAP_READERS_MAX */
} bzl_storage_options;

/* Opens (creating when empty) the environment in opts->dir, clears stale reader slots, and
 * checks the schema version. Returns BZL_OK and *out (owned; bzl_storage_close releases),
 * BZL_SCHEMA_MISMATCH for a database written by another schema version, BZL_IO_ERROR for an
 * OS failure (message logged through errno text in *why when why is not NULL), BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl_storage_open(const bzl_storage_options *opts, bzl_storage **out,
                                          char *why, size_t why_cap);
/* What bzl_storage_upgrade found and did. */
typedef struct bzl_upgrade_report {
    uint32_t from_version;   /* the version found (BZL_SCHEMA_VERSION: nothing to do) */
    uint64_t balance_rows;   /* balance rows rewritten */
    uint64_t history_rows;   /* history rows moved */
    uint64_t loss_entries;   /* journal entries whose consumption gained loss totals (3 → 4) */
    uint64_t loss_unmatched; /* of those, entries whose intangible loss could not be
                              * re-derived: today's norms no longer give the consumption the
                              * entry journaled, so its intangible loss counts as 0 */
    uint64_t value_entries;  /* journal entries read for the values per currency (4 → 5) */
} bzl_upgrade_report;

/* Converts the database in opts->dir from an earlier schema version (BZL_SCHEMA_UPGRADES_FROM
 * or later) to BZL_SCHEMA_VERSION in place: bzld --upgrade, with no other program using the
 * database. The work is split into transactions that each leave a state the next run resumes
 * from, and the version is raised by the last one, so an interrupted upgrade is finished by
 * running it again and until then every other program refuses the database. An empty
 * directory is initialised at the current version. Statuses as bzl_storage_open, and
 * BZL_SCHEMA_MISMATCH for a version it cannot convert. */
BZL_NODISCARD bzl_status bzl_storage_upgrade(const bzl_storage_options *opts,
                                             bzl_upgrade_report *out, char *why, size_t why_cap);

/* Closes the environment. No transaction may be open. */
void bzl_storage_close(bzl_storage *s);

/* Grows the map by doubling, up to map_bytes_max. No transaction may be active in the
 * process (the writer calls this between batches). BZL_STORAGE_FULL at the ceiling. */
BZL_NODISCARD bzl_status bzl_storage_grow(bzl_storage *s);

/* Begins a transaction: a read one (write = false, parent NULL) or a write one, optionally
 * nested in a write parent (a declaration inside a batch). *out is owned until commit or
 * abort. Statuses: BZL_OK, BZL_NO_MEMORY, BZL_IO_ERROR, BZL_STORAGE_FULL. */
/* The storage t belongs to (to begin a transaction nested in it). */
bzl_storage *bzl_txn_storage(const bzl_txn *t);
BZL_NODISCARD bzl_status bzl_txn_begin(bzl_storage *s, bzl_txn *parent, bool write, bzl_txn **out);
/* Commits (a top-level write commit is durable when this returns BZL_OK) and frees t
 * whatever the outcome. Statuses: BZL_OK, BZL_STORAGE_FULL, BZL_DISK_FULL, BZL_IO_ERROR. */
BZL_NODISCARD bzl_status bzl_txn_commit(bzl_txn *t);
/* Discards t and everything written in it. */
void bzl_txn_abort(bzl_txn *t);

/* The role number the daemon gives an enterprise principal (format.h's journal role 4): a
 * stocktake it submits is kept apart from the official count (bzl_storage_stocktake_put). */
#define BZL_ROLE_ENTERPRISE 4u

/* Who made a change: recorded with every journal entry. */
typedef struct bzl_actor {
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint8_t role;        /* daemon-defined role number (BZL_ROLE_ENTERPRISE is one) */
    uint64_t request_id; /* the client's request id */
    int64_t time_ms;     /* wall clock, ms since the epoch */
} bzl_actor;

/* ---- master data ---------------------------------------------------------------------- */

/* Stores a new enterprise / book / item and journals it. The record must have passed its
 * bzl_*_check. BZL_ALREADY_EXISTS when the key is taken; a book needs its enterprise and an
 * item its book (BZL_NOT_FOUND, fault naming which). */
BZL_NODISCARD bzl_status bzl_storage_enterprise_add(bzl_txn *t, const bzl_enterprise *e,
                                                    const bzl_actor *actor, bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_storage_book_add(bzl_txn *t, const bzl_book *b, const bzl_actor *actor,
                                              bzl_fault *fault);
BZL_NODISCARD bzl_status bzl_storage_item_add(bzl_txn *t, const bzl_item *item,
                                              const bzl_actor *actor, bzl_fault *fault);

/* Copy-out lookups: BZL_OK and *out, or BZL_NOT_FOUND; BZL_CORRUPT for an undecodable row. */
BZL_NODISCARD bzl_status bzl_storage_enterprise_get(bzl_txn *t, const char *code,
                                                    bzl_enterprise *out);
BZL_NODISCARD bzl_status bzl_storage_book_get(bzl_txn *t, const char *book_no, bzl_book *out);
BZL_NODISCARD bzl_status bzl_storage_item_get(bzl_txn *t, const char *book_no, bzl_kind kind,
                                              uint32_t item_no, bzl_item *out);
/* Lists a book's items in (kind, item) order: of `kind` (0 for both), strictly after
 * (after_kind, after_item) when after_kind is not 0; at most cap (<= BZL_LIST_ROWS_MAX), *more
 * when others follow. BZL_NOT_FOUND when the book does not exist. */
BZL_NODISCARD bzl_status bzl_storage_item_list(bzl_txn *t, const char *book_no, uint8_t kind,
                                               uint8_t after_kind, uint32_t after_item,
                                               bzl_item *out, size_t cap, size_t *count,
                                               bool *more);

/* Lists enterprises in code order strictly after `after` ("" for the start), at most cap of
 * them into out[]; *count is how many, *more whether any follow. */
BZL_NODISCARD bzl_status bzl_storage_enterprise_list(bzl_txn *t, const char *after,
                                                     bzl_enterprise *out, size_t cap, size_t *count,
                                                     bool *more);

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
                                                  bzl_balance_row *out, size_t cap, size_t *count,
                                                  bool *more);

/* One currency's part of a balance's value (币制, the declared lines' currency code). */
typedef struct bzl_currency_value {
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t value_e5;
} bzl_currency_value;

/* One entry's posted-value delta for one item in one currency: the entry's value effects
 * split by currency (a line's value in its own currency, consumption at average cost across
 * the item's currencies in proportion; storage_values.c). */
typedef struct bzl_value_part {
    uint8_t kind; /* bzl_kind */
    uint32_t item_no;
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t value_e5;
} bzl_value_part;

/* The item's posted value per currency, in currency-code order, at most cap of them (*more when
 * further ones remain). They sum to the balance's value_e5; a currency whose part is 0 is not
 * listed, so an item without value lists none. */
BZL_NODISCARD bzl_status bzl_storage_balance_values(bzl_txn *t, const char *book_no, bzl_kind kind,
                                                    uint32_t item_no, bzl_currency_value *out,
                                                    size_t cap, size_t *count, bool *more);

/* ---- declarations and the journal ------------------------------------------------------ */

typedef struct bzl_submit_result {
    bzl_status status; /* the declaration's outcome: BZL_OK, or why it was refused */
    uint64_t seq;      /* journal sequence when accepted or replayed */
    bool replayed;     /* an identical earlier submission; nothing new was written */
    bzl_fault fault;   /* where the refusal points, when status is not BZL_OK */
} bzl_submit_result;

/* Applies one declaration inside write transaction `batch`. Every refusal is decided by reading
 * before the first write, so a refused declaration leaves nothing behind and the others of the
 * batch go on (no nested transaction: see storage_declare.c). The declaration must have passed
 * bzl_decl_check_fields.
 *
 * Returns BZL_OK when the batch may go on, with the declaration's outcome in *result:
 * accepted (journal entry, balances, idempotency key written), replayed (the same enterprise
 * and id with identical content: the original sequence), or refused (BZL_ID_REUSED,
 * BZL_NOT_FOUND for the book or an item, BZL_WRONG_BOOK, BZL_BOOK_NOT_OPEN,
 * BZL_INSUFFICIENT_BALANCE, BZL_INVALID_ARGUMENT, BZL_OVERFLOW …). Returns a storage-level
 * status (BZL_STORAGE_FULL, BZL_IO_ERROR, BZL_CORRUPT, BZL_NO_MEMORY, BZL_INTERNAL) when the
 * batch must be aborted; *result is meaningless then. */
BZL_NODISCARD bzl_status bzl_storage_submit(bzl_txn *batch, const bzl_declaration *d,
                                            const bzl_actor *actor, bzl_submit_result *result);

/* Replaces the pending or draft declaration (d->enterprise, d->id) by d (checked by
 * bzl_decl_check_fields): in one nested transaction the current version is voided (reason
 * "changed: replaced by a new version (REASON)"), d is applied as a new declaration under the
 * same id (pending, draft or posted as d says), and a change entry (type 21) links the old
 * version, its void and the new version. The same content as the current version replays.
 * Refusals in *result: BZL_NOT_FOUND (no such declaration), BZL_STATE_CONFLICT (posted: the
 * message names the reversal; voided, rejected, reversed), and every refusal of
 * bzl_storage_submit for the new content (then nothing is written and the old version stays).
 * reason: 1..BZL_TEXT_BYTES_MAX bytes. Returns a storage-level status when the batch must be
 * aborted, as bzl_storage_submit. */
BZL_NODISCARD bzl_status bzl_storage_replace(bzl_txn *batch, const bzl_declaration *d,
                                             const char *reason, const bzl_actor *actor,
                                             bzl_submit_result *result);

/* ---- the bonded ledger: two-phase declarations, corrections, periods, norms ------------------ */

/* A declaration's lifecycle. Stable numbers (stored in the idempotency record). */
typedef enum bzl_decl_state {
    BZL_DECL_POSTED = 1,   /* 已核扣: its effects are in the balances */
    BZL_DECL_PENDING = 2,  /* 预核扣: reserves pending in / out */
    BZL_DECL_VOIDED = 3,   /* deleted by the enterprise before posting */
    BZL_DECL_REJECTED = 4, /* refused by customs before posting */
    BZL_DECL_REVERSED = 5, /* posted, then negated by a reversal */
    BZL_DECL_DRAFT = 6,    /* 暂存: stored, applying nothing; replaced or voided later */
} bzl_decl_state;

/* "posted", "pending", …; "unknown" otherwise. */
const char *bzl_decl_state_name(unsigned state);

/* The outcome of a ledger action (post, void, reject, reverse, period close, norm, mode). */
typedef struct bzl_action_result {
    bzl_status status; /* BZL_OK, or why it was refused */
    uint64_t seq;      /* the journal entry written (or the earlier one when replayed) */
    bool replayed;     /* the action had been done already; nothing new was written */
    uint8_t state;     /* the declaration's state afterwards (declaration actions) */
    bzl_fault fault;
} bzl_action_result;

/* Each action runs in a transaction nested in `batch`, so a refusal leaves nothing behind. Like
 * bzl_storage_submit they return BZL_OK when the batch may go on (the outcome in *out) and a
 * storage-level status when it must be aborted.
 *
 * post: a pending declaration's reservation becomes its posted effects (balances, scrap
 *   allowance, period totals). Refusals: BZL_NOT_FOUND, BZL_STATE_CONFLICT (voided, rejected,
 *   reversed), BZL_PERIOD_CLOSED, BZL_SCRAP_ALLOWANCE_EXCEEDED. Posting a posted declaration
 *   replays (the posting entry's sequence, replayed = true).
 * void / reject: releases a pending declaration's reservation; voiding a voided one replays.
 *   BZL_STATE_CONFLICT for a posted or reversed one. reason may be "" for void.
 * reverse: journals the exact negation of a posted declaration's effects, referencing it, with
 *   the reason (1..BZL_TEXT_BYTES_MAX bytes). BZL_STATE_CONFLICT unless posted (a reversed
 *   declaration cannot be reversed again), BZL_PERIOD_CLOSED when its date is in a closed
 *   period, BZL_INSUFFICIENT_BALANCE when what it took back has moved on since. */
BZL_NODISCARD bzl_status bzl_storage_post(bzl_txn *batch, const char *enterprise, const char *id,
                                          const bzl_actor *actor, bzl_action_result *out);
BZL_NODISCARD bzl_status bzl_storage_void(bzl_txn *batch, const char *enterprise, const char *id,
                                          bool reject, const char *reason, const bzl_actor *actor,
                                          bzl_action_result *out);
BZL_NODISCARD bzl_status bzl_storage_reverse(bzl_txn *batch, const char *enterprise, const char *id,
                                             const char *reason, const bzl_actor *actor,
                                             bzl_action_result *out);

/* Closes the book's periods through `through` (inclusive): every later declaration, post or
 * reversal dated on or before it is BZL_PERIOD_CLOSED. Closing again through the same date
 * replays; an earlier date is BZL_STATE_CONFLICT (a period is never reopened). */
BZL_NODISCARD bzl_status bzl_storage_period_close(bzl_txn *batch, const char *book_no,
                                                  int32_t through, const bzl_actor *actor,
                                                  bzl_action_result *out);
/* The date through which the book is closed; *closed false when nothing is. */
BZL_NODISCARD bzl_status bzl_storage_period_get(bzl_txn *t, const char *book_no, bool *closed,
                                                int32_t *through);

/* Stores a norm (after bzl_norm_check) and journals it. Its product and material must be items
 * of the book (BZL_NOT_FOUND); a version a declaration has used is immutable
 * (BZL_STATE_CONFLICT: set a new version). Setting identical values replays. */
BZL_NODISCARD bzl_status bzl_storage_norm_set(bzl_txn *batch, const bzl_norm *n,
                                              const bzl_actor *actor, bzl_action_result *out);
/* Norms of a book in (product, version, material) order, only `product` unless it is 0, starting
 * after `skip` rows; at most cap. */
BZL_NODISCARD bzl_status bzl_storage_norm_list(bzl_txn *t, const char *book_no, uint32_t product,
                                               size_t skip, bzl_norm *out, size_t cap,
                                               size_t *count, bool *more);

/* The norm rows of the version of `product` in force on `date` — greatest valid_from on or
 * before it, then the greater version by bzl_norm_version_cmp: how a declaration line without
 * a bom_version resolves it — in material order, into out (at most cap; *count, 0 when no version
 * is in force). BZL_LIMIT_EXCEEDED when the version has more than cap materials. */
BZL_NODISCARD bzl_status bzl_storage_norms_in_force(bzl_txn *t, const char *book_no,
                                                    uint32_t product, int32_t date, bzl_norm *out,
                                                    size_t cap, size_t *count);

/* Records a product's business mode from date `from` on: an upgrade event; nothing is
 * overwritten (the same event twice replays; another mode on the same date is
 * BZL_STATE_CONFLICT). BZL_NOT_FOUND for an unknown product. */
BZL_NODISCARD bzl_status bzl_storage_item_mode_set(bzl_txn *batch, const char *book_no,
                                                   uint32_t item_no, uint8_t mode, int32_t from,
                                                   const bzl_actor *actor, bzl_action_result *out);
typedef struct bzl_mode_event {
    int32_t from;
    uint8_t mode; /* bzl_biz_mode */
} bzl_mode_event;
/* The product's mode events in date order (at most cap). */
BZL_NODISCARD bzl_status bzl_storage_item_modes(bzl_txn *t, const char *book_no, uint32_t item_no,
                                                bzl_mode_event *out, size_t cap, size_t *count);

typedef struct bzl_scrap_row {
    uint32_t item_no;
    bzl_scrap scrap;
} bzl_scrap_row;
/* Scrap allowances of the book's materials (only item_no unless 0) in item order, those after
 * after_item (0 for the first), at most cap rows. */
BZL_NODISCARD bzl_status bzl_storage_scrap_list(bzl_txn *t, const char *book_no, uint32_t item_no,
                                                uint32_t after_item, bzl_scrap_row *out, size_t cap,
                                                size_t *count, bool *more);

/* One period total: (book, kind, item, month yyyymm, category) → quantity and value. */
BZL_NODISCARD bzl_status bzl_storage_total_get(bzl_txn *t, const char *book_no, bzl_kind kind,
                                               uint32_t item_no, uint32_t month, unsigned category,
                                               int64_t *qty_e5, int64_t *value_e5);

/* ---- history, declarations, transfers (storage_history.c) ---------------------------------- */

typedef struct bzl_history_row {
    uint64_t seq;
    int32_t date;
    uint8_t entry_type; /* 4 declaration, 5 post, 6 void, 7 reverse, 11 reject */
    uint8_t flow;
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    int64_t qty_e5; /* posted quantity delta */
    int64_t pending_in_e5;
    int64_t pending_out_e5;
    int64_t running_e5; /* posted balance after this entry */
} bzl_history_row;

/* The journal lines that moved (book, kind, item), in sequence order, dated in [from, to],
 * after sequence after_seq; running balances count every earlier line. At most cap rows. */
BZL_NODISCARD bzl_status bzl_storage_history(bzl_txn *t, const char *book_no, bzl_kind kind,
                                             uint32_t item_no, int32_t from, int32_t to,
                                             uint64_t after_seq, bzl_history_row *out, size_t cap,
                                             size_t *count, bool *more);

/* One journal entry of a declaration, with its effects. */
#define BZL_DECL_ENTRIES_MAX 3u /* the declaration, then its post, void, reject or reverse */
typedef struct bzl_decl_entry {
    uint64_t seq;
    uint8_t type;
    bzl_actor actor;
    char reason[BZL_TEXT_BYTES_MAX + 1];
    uint32_t effects_at; /* index of its first effect in the caller's array */
    uint32_t effects;    /* how many */
} bzl_decl_entry;

typedef struct bzl_decl_info {
    bzl_declaration decl; /* lines point into the caller's array; lots NULL (lot_count counts
                             them: bzl_storage_declaration_lots) */
    uint8_t state;
    uint8_t flow;
    uint32_t entry_count;
    bzl_decl_entry entries[BZL_DECL_ENTRIES_MAX];
} bzl_decl_info;

/* A declaration, its state and its journal entries with their effects. lines[] must hold
 * BZL_DECL_LINES_CEILING lines; effects[] holds effects_cap effects (more are left out).
 * BZL_NOT_FOUND for an unknown (enterprise, id). */
BZL_NODISCARD bzl_status bzl_storage_declaration_get(bzl_txn *t, const char *enterprise,
                                                     const char *id, bzl_decl_info *out,
                                                     bzl_decl_line *lines, bzl_effect *effects,
                                                     uint32_t effects_cap);

/* The lots enterprise's declaration id names (SPECIFIC lots), in line order, into out[cap]
 * (cap >= BZL_DECL_LOTS_MAX holds any); *count of them. BZL_NOT_FOUND for an unknown
 * (enterprise, id). */
BZL_NODISCARD bzl_status bzl_storage_declaration_lots(bzl_txn *t, const char *enterprise,
                                                      const char *id, bzl_lot_ref *out,
                                                      uint32_t cap, uint32_t *count);

typedef struct bzl_transfer_row {
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char related_book[BZL_BOOK_NO_LEN + 1];
    char related_id[BZL_DECL_ID_BYTES_MAX + 1];
    uint8_t flow;
    uint8_t state;
    char why[128];
    /* Set only when the halves' lines differ (the reason is then in why too): both line
     * counts, and when those are equal the first line (1-based) whose quantities differ with
     * this half's and the counterpart's quantity; line is 0 when the counts differ. */
    uint32_t line_count;
    uint32_t counterpart_line_count;
    uint32_t line;
    int64_t qty_e5;
    int64_t counterpart_qty_e5;
} bzl_transfer_row;

/* Transfer declarations (deep-processing, leftover, in-zone) whose counterpart declaration is
 * missing, names another declaration, was voided, rejected or reversed, or has other lines:
 * the halves' lines are matched in order (the n-th of one against the n-th of the other, as
 * customs pairs them when no application form numbers the lines) and their quantities compared
 * as declared, so another line count or quantity is a difference. Both live halves of such a
 * pair are listed, each from its own side. Only `enterprise`'s unless it is "". At most cap
 * rows after `skip`. BZL_NO_MEMORY when the lines of a pair (at most twice
 * BZL_DECL_LINES_CEILING, held for the call) cannot be allocated; BZL_CORRUPT for a malformed
 * index row or declaration entry; another storage failure's status as read. */
BZL_NODISCARD bzl_status bzl_storage_transfers_unmatched(bzl_txn *t, const char *enterprise,
                                                         size_t skip, bzl_transfer_row *out,
                                                         size_t cap, size_t *count, bool *more);

/* ---- the hash chain and the audit listing (storage_audit.c) ---------------------------------- */

#define BZL_JOURNAL_HASH_BYTES 32u

/* What bzl_storage_verify_chain found. */
typedef struct bzl_chain_report {
    uint64_t entries;                          /* entries walked */
    uint64_t head_seq;                         /* the head recorded in meta */
    uint8_t head_hash[BZL_JOURNAL_HASH_BYTES]; /* its hash (recomputed when intact) */
    uint64_t first_bad_seq;                    /* 0 when the chain verifies */
    char why[256];                             /* for people, when first_bad_seq != 0 */
} bzl_chain_report;

/* Walks every journal entry in a read (or write) transaction: the sequences must run
 * 1, 2, … journal_next - 1 without a gap, each entry's stored hash must equal
 * BLAKE2b(previous hash || the entry without its hash), and the head in meta must name the
 * last entry and its hash. A deleted entry shows as a gap, an altered byte as a hash mismatch.
 * Returns BZL_OK with *out filled when intact; BZL_TAMPERED with out->first_bad_seq (the
 * first sequence that does not verify; journal_next - 1 + 1 when only the head is off) and
 * out->why; BZL_IO_ERROR, BZL_NO_MEMORY for a failure to read. */
BZL_NODISCARD bzl_status bzl_storage_verify_chain(bzl_txn *t, bzl_chain_report *out);

/* One journal entry as the audit listing shows it. */
typedef struct bzl_audit_row {
    uint64_t seq;
    uint8_t type; /* the journal entry type (format.h's table): 1 enterprise … 12 stocktake,
                   * 13 rate, 14 trade; later types appear as is */
    int64_t time_ms;
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint8_t role;
    uint64_t request_id;
    /* One sentence: "declaration ACME-1 of 6201230001 in H72012400001: material in",
     * "reverse ACME-1 of 6201230001 book H72012400001: 录入错误"; a long reason is cut at a
     * character boundary (the whole of it: the declaration's entries). */
    char summary[BZL_AUDIT_SUMMARY_BYTES];
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1]; /* whose record it touched; "" when none */
    char book_no[BZL_BOOK_NO_LEN + 1];            /* which book's; "" when none */
} bzl_audit_row;

typedef struct bzl_audit_filter {
    uint64_t after_seq; /* entries with seq > after_seq (paging cursor) */
    uint64_t until_seq; /* 0: no bound */
    int64_t since_ms;   /* 0: no bound */
    int64_t until_ms;   /* 0: no bound; entries with time_ms < until_ms */
    bool by_uid;
    uint32_t uid;
    uint8_t type;                                 /* 0: any */
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1]; /* "": any */
    char book_no[BZL_BOOK_NO_LEN + 1];            /* "": any */
} bzl_audit_filter;

/* Lists journal entries matching f in sequence order, at most cap (<= BZL_LIST_ROWS_MAX),
 * examining at most BZL_AUDIT_SCAN_MAX entries per call; *next_after is the cursor to pass as
 * after_seq for the next page, *more whether entries remain. */
BZL_NODISCARD bzl_status bzl_storage_audit_list(bzl_txn *t, const bzl_audit_filter *f,
                                                bzl_audit_row *out, size_t cap, size_t *count,
                                                uint64_t *next_after, bool *more);

/* ---- the journal stream (storage_stream.c) ------------------------------------------------- */

/* One journal entry with its chain hashes and its content, as a warehouse ships it. Which
 * content fields are set depends on type (format.h's payloads); the others are zero. */
typedef struct bzl_journal_record {
    uint64_t seq;
    uint8_t type; /* the journal entry type: 1 enterprise … 14 trade */
    bzl_actor actor;
    uint8_t hash[BZL_JOURNAL_HASH_BYTES];
    uint8_t prev_hash[BZL_JOURNAL_HASH_BYTES]; /* the entry before's; zeros before entry 1 */
    bzl_audit_row audit; /* summary, and the enterprise and book the entry names */
    /* 4 declaration: as accepted (decl.lines borrowed until the visitor returns), its flow in
     * its book (BZL_FLOW_NONE when the book no longer tells), each line's business mode as the
     * trade values resolve it now (override, mode in force on the date, item's mode) */
    bzl_declaration decl;
    const uint8_t *line_modes;
    uint8_t flow;
    /* 5 post, 6 void, 7 reverse, 11 reject: the declaration's entry, its id, the reason;
     * reverse: the posting whose effects it negates */
    uint64_t ref_seq;
    uint64_t posting_seq;
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char reason[BZL_TEXT_BYTES_MAX + 1];
    /* 4, 5, 6, 7, 11: the effects applied (borrowed until the visitor returns) and their
     * period-total month (yyyymm); 13 rate, 14 trade: the month */
    uint32_t month;
    const bzl_effect *effects;
    uint32_t effect_count;
    /* 4, 5, 6, 7, 11: the posted value its effects moved, per item and currency (borrowed until
     * the visitor returns; none when it moved no posted value) */
    const bzl_value_part *values;
    uint32_t value_count;
    bzl_enterprise ent; /* 1 enterprise */
    bzl_item item;      /* 3 item; 10 item mode: book_no, kind, item_no and biz_mode only */
    int32_t date;       /* 10 item mode: from; 8 period close: through; 12 stocktake: its date */
    bool has_date;
    char currency[BZL_CURRENCY_LEN + 1]; /* 13, 14 */
    int64_t amount_a;                    /* 13 rate: cny_e9; 14 trade: exports_e5 */
    int64_t amount_b; /* 13 rate: the rate it replaced (e9); 14 trade: imports_e5 */
} bzl_journal_record;

/* What a stream read found, besides the records it visited. */
typedef struct bzl_journal_page {
    uint64_t head_seq; /* the journal's last entry in this transaction (0: empty journal) */
    uint8_t head_hash[BZL_JOURNAL_HASH_BYTES];
    bool after_found; /* the journal holds entry after_seq (always for after_seq 0) */
    uint8_t after_hash[BZL_JOURNAL_HASH_BYTES]; /* its hash, zeros when not found or 0 */
    uint64_t last_seq;                          /* the last entry visited and taken */
    size_t count;                               /* entries visited and taken */
    bool more; /* entries remain after last_seq (cap reached or the visitor stopped) */
} bzl_journal_page;

/* Called per entry in sequence order; borrowed rec until it returns. Setting *taken to false
 * stops the read before rec (the page is full); a status other than BZL_OK stops it too and is
 * returned. */
typedef bzl_status (*bzl_journal_visit_cb)(void *ctx, const bzl_journal_record *rec, bool *taken);

/* Visits the entries after after_seq, oldest first, at most cap (<= BZL_LIST_ROWS_MAX), each
 * with its own hash and its predecessor's, and fills *page. Sequences run without a gap, or the
 * read stops with BZL_CORRUPT. Memory: one record and buffers the size of the largest entry
 * visited. BZL_OK; BZL_CORRUPT for a malformed entry; BZL_NO_MEMORY; storage statuses. */
BZL_NODISCARD bzl_status bzl_storage_journal_read(bzl_txn *t, uint64_t after_seq, size_t cap,
                                                  bzl_journal_page *page, void *ctx,
                                                  bzl_journal_visit_cb visit_cb);

/* ---- the officer's work queue (storage_desk.c) ---------------------------------------------- */

typedef struct bzl_decl_filter {
    uint64_t after_seq; /* paging: declarations journaled after this entry */
    uint8_t state;      /* bzl_decl_state; 0 for any */
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1]; /* "" for any */
    char book_no[BZL_BOOK_NO_LEN + 1];            /* "" for any */
    char trade_mode[BZL_TRADE_MODE_LEN + 1];      /* "" for any */
    int32_t from;                                 /* declared dates from … (INT32_MIN: open) */
    int32_t to;                                   /* … through (INT32_MAX: open) */
    int64_t submitted_before_ms;                  /* journaled before this time; 0 for any */
    /* When set, a declaration of an enterprise for which it returns false is skipped as if it
     * did not exist (an enterprise principal's scope). */
    bool (*visible)(void *arg, const char *enterprise);
    void *visible_arg;
} bzl_decl_filter;

typedef struct bzl_decl_row {
    uint64_t seq;    /* the declaration's journal entry */
    int64_t time_ms; /* when it was submitted */
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    char trade_mode[BZL_TRADE_MODE_LEN + 1];
    int32_t date;
    uint8_t kind;      /* bzl_kind */
    uint8_t direction; /* bzl_direction */
    uint8_t flow;      /* bzl_flow; BZL_FLOW_NONE when its book no longer tells */
    uint8_t state;     /* bzl_decl_state now */
    uint32_t line_count;
} bzl_decl_row;

/* Lists the declarations matching f in the order they were submitted (oldest first), at most
 * cap (<= BZL_LIST_ROWS_MAX), examining at most BZL_AUDIT_SCAN_MAX journal entries per call:
 * *next_after is the entry to pass as after_seq for the next page, *more whether entries
 * remain. Memory is the caller's rows only, whatever the journal's size. */
BZL_NODISCARD bzl_status bzl_storage_decl_list(bzl_txn *t, const bzl_decl_filter *f,
                                               bzl_decl_row *out, size_t cap, size_t *count,
                                               uint64_t *next_after, bool *more);

/* ---- verification of derived state (storage_verify.c) -------------------------------------- */

typedef struct bzl_verify_report {
    uint64_t entries;  /* journal entries read */
    uint64_t balances; /* balance and allowance rows compared */
    uint64_t rows;     /* rate, trade, stocktake, period-total, trade-value and closing rows
                        * compared */
    bool mismatch;
    char table[16]; /* the first differing record's table ("total", "trade_value",
                     * "stocktake", "closing", …; "" for the tables named by field alone) */
    char key[96];   /* … and its key, as people read it ("" likewise) */
    char book_no[BZL_BOOK_NO_LEN + 1]; /* of a balance, allowance or stocktake */
    uint8_t kind;
    uint32_t item_no;
    int32_t date;                        /* of a stocktake (days) */
    uint32_t month;                      /* of a rate or trade row (yyyymm) */
    char currency[BZL_CURRENCY_LEN + 1]; /* of a rate or trade row */
    char field[24]; /* "qty", "pending_out", "scrap_generated", "rate", "trade_exports",
                     * "trade_imports", "stocktake", … */
    int64_t stored_e5;
    int64_t recomputed_e5;
    char message[256];
} bzl_verify_report;

/* Recomputes every balance (qty, value, pending in and out) and every scrap allowance by summing
 * the effects recorded in the journal, and compares them with the stored rows. In the same pass
 * it remembers the last rate and trade entry of each (month, currency), and recomputes every
 * derived table the reports read: the period totals (from the effects), the trade values
 * (from each posted declaration's lines, at the business modes and flows in force when it was
 * posted or reversed), each stocktake's per-material rows (from its lines and the norms as they
 * stood when it was journaled, in the customs or the enterprise table by the entry's role) and
 * the closings a period close carried forward (from the proven period totals). Each is compared
 * with the stored rows both ways: a row no entry wrote, an entry whose row is missing, or a
 * row whose values differ. The values per currency must sum, entry by entry and item by item,
 * to the values the journal carries, and to each balance's value.
 * BZL_OK when all agree; BZL_TAMPERED with the first mismatch in *out (book, kind, item or
 * month, currency or book, date; field, stored and recomputed, and a message naming the table);
 * BZL_CORRUPT for an undecodable entry or row; BZL_NO_MEMORY. Works in a read transaction; its
 * cost grows with the journal (one pass, a point read per post or reversal, and one walk of
 * each derived table), its memory with the keys: items, (item, currency) pairs, norms, and the
 * rate, trade, period-total, trade-value and stocktake rows. */
BZL_NODISCARD bzl_status bzl_storage_verify_balances(bzl_txn *t, bzl_verify_report *out);

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
    uint32_t stale_removed;   /* leftover temporaries of backups killed half-way, removed */
} bzl_backup_info;

/* Writes a consistent, compacted copy of the environment (LMDB's copy with compaction, from
 * one read snapshot) to `path`, which must not exist. First it removes from path's directory
 * the temporaries ("NAME.tmp-PID", regular files of this uid) that a backup left when its
 * process died half-way (PID no longer running), counting them in info->stale_removed. The copy
 * goes to a temporary name in the same directory, is synced, reopened read-only to count its
 * journal, and only then linked to `path`; a failure leaves nothing at `path`. Safe on any thread
 * while the writer commits (it blocks no writer; a map grow waits for it). `path` is borrowed for
 * the call. Returns BZL_OK and *info, BZL_ALREADY_EXISTS when path exists, BZL_NOT_FOUND when its
 * directory does not, BZL_PERMISSION_DENIED, BZL_DISK_FULL, BZL_IO_ERROR, BZL_CORRUPT (the copy
 * does not reopen); why (when not NULL) gets a sentence for the log and the client. */
BZL_NODISCARD bzl_status bzl_storage_backup(bzl_storage *s, const char *path, bzl_backup_info *info,
                                            char *why, size_t why_cap);

/* ---- verification and reports (storage_recon.c) --------------------------------------------- */

/* Journal records read through t so far (point gets and cursor steps, nested transactions
 * counting their own): verification and reports must leave it at 0, and tests prove it. */
uint64_t bzl_txn_journal_reads(const bzl_txn *t);

/* Sums the period totals of (book, kind, item) over months [from_month, to_month] per
 * category: out_e5[category] += quantity. Reads only the total rows of that item (a cursor
 * range), never the journal. BZL_OVERFLOW; BZL_CORRUPT for a bad row. */
BZL_NODISCARD bzl_status bzl_storage_totals_sum(bzl_txn *t, const char *book_no, bzl_kind kind,
                                                uint32_t item_no, uint32_t from_month,
                                                uint32_t to_month, int64_t out_e5[256]);

/* A stocktake line as submitted. kind: 1 material, 2 product, 3 work in progress (converted
 * by its product's norm), 4 scrap on hand (a material's 边角料; counted only when the stocktake
 * says so). */
#define BZL_STOCK_MATERIAL 1u
#define BZL_STOCK_PRODUCT 2u
#define BZL_STOCK_WIP 3u
#define BZL_STOCK_SCRAP 4u
typedef struct bzl_stocktake_line {
    uint8_t kind;
    uint32_t item_no;
    int64_t qty_e5;
    char bom_version[BZL_BOM_VERSION_BYTES_MAX + 1]; /* "" for the version in force */
} bzl_stocktake_line;

/* One material's counted quantity (实际剩余) as a stocktake derived it. */
typedef struct bzl_count_row {
    uint32_t item_no;
    int64_t counted_e5;   /* what verification uses: direct + converted (+ scrap when counted) */
    int64_t direct_e5;    /* counted as the material itself */
    int64_t converted_e5; /* products and work in progress converted by norm (单耗, losses in) */
    int64_t scrap_e5;     /* scrap on hand, counted or not */
    bool count_scrap;
} bzl_count_row;

/* Who counted a stocktake: customs (or admin, or any count stored before counts were kept
 * apart: format.h's stocktake tables) or the enterprise itself. */
typedef enum bzl_counted_by {
    BZL_COUNTED_ANY = 0, /* for bzl_storage_stocktake_get: customs when there is one */
    BZL_COUNTED_CUSTOMS = 1,
    BZL_COUNTED_ENTERPRISE = 2,
} bzl_counted_by;

/* "customs" or "enterprise" ("" for BZL_COUNTED_ANY). */
const char *bzl_counted_by_name(bzl_counted_by by);

/* Stores book_no's stocktake on date, replacing an earlier one of the same date and the same
 * counter: every line is converted to materials (a product or WIP line consumes round5(qty × u)
 * of each material of its norm version in force on date, or of bom_version), and the
 * per-material counts are written. An enterprise's count (actor->role BZL_ROLE_ENTERPRISE) is
 * kept in a table of its own and never replaces a customs count; any other role's count is the
 * customs count. The lines as submitted are journaled (entry type 12, with actor and so its
 * role) in the same transaction; every accepted submission is an entry, a resubmission
 * included. count is at most BZL_DECL_LINES_CEILING. Refusals in *out: BZL_NOT_FOUND (book,
 * item), BZL_PERIOD_CLOSED (date on or before the date the book is closed through),
 * BZL_NORM_MISSING, BZL_INVALID_ARGUMENT (a line kind, or a scrap line on a product),
 * BZL_OVERFLOW; a refusal writes nothing. Materials of the book that no line names are counted
 * as 0. actor is borrowed for the call. */
BZL_NODISCARD bzl_status bzl_storage_stocktake_put(bzl_txn *batch, const char *book_no,
                                                   int32_t date, const bzl_stocktake_line *lines,
                                                   uint32_t count, bool count_scrap,
                                                   const bzl_actor *actor, bzl_action_result *out);
/* The latest stocktake of book_no dated in [from, to] counted by `which` — for
 * BZL_COUNTED_ANY the latest customs count, else the latest enterprise count: *date, *by (who
 * counted it) and its rows in item order (at most cap; *count). BZL_NOT_FOUND when none. */
BZL_NODISCARD bzl_status bzl_storage_stocktake_get(bzl_txn *t, const char *book_no, int32_t from,
                                                   int32_t to, bzl_counted_by which, int32_t *date,
                                                   bzl_counted_by *by, bzl_count_row *out,
                                                   size_t cap, size_t *count);

/* Book numbers in order strictly after `after` ("" for the start), at most cap of them
 * (out[i] holds BZL_BOOK_NO_LEN + 1 bytes each). */
BZL_NODISCARD bzl_status bzl_storage_book_list(bzl_txn *t, const char *after,
                                               char (*out)[BZL_BOOK_NO_LEN + 1], size_t cap,
                                               size_t *count, bool *more);

/* Customs monthly exchange rates: CNY per one unit of the currency, 9 decimals. */
typedef struct bzl_rate_row {
    uint32_t month; /* yyyymm */
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t cny_e9;
} bzl_rate_row;
/* Sets (or replaces) a month's rate and journals it (entry type 13, with the value it
 * replaced) with actor in the same transaction. Setting the same value replays: out->replayed,
 * nothing written, no entry. actor is borrowed for the call. */
BZL_NODISCARD bzl_status bzl_storage_rate_set(bzl_txn *batch, const bzl_rate_row *rate,
                                              const bzl_actor *actor, bzl_action_result *out);
/* The rate of currency in month: BZL_OK and *cny_e9, or BZL_RATE_MISSING. CNY (142) is 1. */
BZL_NODISCARD bzl_status bzl_storage_rate_get(bzl_txn *t, uint32_t month, const char *currency,
                                              int64_t *cny_e9);
/* Rates in (month, currency) order, only `month` unless 0, after `skip` rows; at most cap. */
BZL_NODISCARD bzl_status bzl_storage_rate_list(bzl_txn *t, uint32_t month, size_t skip,
                                               bzl_rate_row *out, size_t cap, size_t *count,
                                               bool *more);

/* Non-bonded (general) trade totals of the zone per month and currency, for the
 * processing-trade share. Recording a month and currency again replaces it. Each recording is
 * journaled (entry type 14) with actor in the same transaction; recording the same totals
 * again replays (out->replayed, nothing written, no entry). actor is borrowed for the call. */
typedef struct bzl_trade_row {
    uint32_t month;
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t exports_e5;
    int64_t imports_e5;
} bzl_trade_row;
BZL_NODISCARD bzl_status bzl_storage_trade_record(bzl_txn *batch, const bzl_trade_row *row,
                                                  const bzl_actor *actor, bzl_action_result *out);
/* Rows of months [from_month, to_month], at most cap. */
BZL_NODISCARD bzl_status bzl_storage_trade_list(bzl_txn *t, uint32_t from_month, uint32_t to_month,
                                                bzl_trade_row *out, size_t cap, size_t *count,
                                                bool *more);

/* Declared values of posted flow lines, per (book, month, flow, kind, item, business mode,
 * currency): what value-added and mode reports convert to USD. Written with the period totals
 * by submit, post and reverse (a reversal subtracts in the original month). */
typedef struct bzl_trade_value {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t month;
    uint8_t flow;
    uint8_t kind;
    uint32_t item_no;
    uint8_t mode; /* bzl_biz_mode in force for the line (products), 0 for materials */
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t qty_e5;
    int64_t value_e5; /* declared value of the lines that carry no USD value */
    int64_t usd_e5;   /* USD statistical value of the lines that carry one */
} bzl_trade_value;
/* Calls visit for every trade-value row of book_no in months [from_month, to_month], in key
 * order; a status other than BZL_OK from visit stops and is returned. */
BZL_NODISCARD bzl_status bzl_storage_trade_values(bzl_txn *t, const char *book_no,
                                                  uint32_t from_month, uint32_t to_month, void *ctx,
                                                  bzl_status (*visit_cb)(void *ctx,
                                                                         const bzl_trade_value *v));

/* Closing balances a period close carries forward: the book balance (应剩余) of a material at
 * the end of month `month`. */
BZL_NODISCARD bzl_status bzl_storage_closing_put(bzl_txn *t, const char *book_no, uint32_t item_no,
                                                 uint32_t month, int64_t book_e5);
/* The latest closing of the material in a month before `before_month`: BZL_OK with *month and
 * *book_e5, or BZL_NOT_FOUND. */
BZL_NODISCARD bzl_status bzl_storage_closing_latest(bzl_txn *t, const char *book_no,
                                                    uint32_t item_no, uint32_t before_month,
                                                    uint32_t *month, int64_t *book_e5);

/* ---- bonded repair books (storage_repair.c; next-wave.md §C) ------------------------------ */

/* A work order: one unit of a product item awaiting repair, from one origin, until completed
 * as repaired or unrepairable with the repair materials it used and the old parts it gave. */
typedef struct bzl_workorder {
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint32_t no;       /* 1, 2, … per book, in the order they were opened */
    uint32_t item_no;  /* the product item repaired */
    uint8_t origin;    /* BZL_ORIGIN_ABROAD or BZL_ORIGIN_OUTSIDE */
    uint8_t state;     /* BZL_WO_OPEN, BZL_WO_REPAIRED, BZL_WO_UNREPAIRABLE */
    int32_t opened;    /* date (days) */
    int32_t completed; /* date; 0 while open */
    uint64_t open_seq; /* its journal entries; done_seq 0 while open */
    uint64_t done_seq;
    uint32_t n_materials; /* lines[0 .. n_materials) materials used, then n_parts parts */
    uint32_t n_parts;
    bzl_wo_line lines[2u * BZL_WO_LINES_MAX];
} bzl_workorder;

/* Opens work order *no on repair book book_no for one unit of product item_no awaiting repair
 * from origin, dated date, and journals it (entry type 18). Refusals in *out: BZL_NOT_FOUND
 * (book, item), BZL_FLOW_NOT_ALLOWED (not a repair book), BZL_BOOK_NOT_OPEN, BZL_PERIOD_CLOSED,
 * BZL_INVALID_ARGUMENT (origin), BZL_INSUFFICIENT_BALANCE (no unit of the item from that origin
 * awaiting repair that another open work order does not hold already). Storage statuses. */
BZL_NODISCARD bzl_status bzl_storage_workorder_open(bzl_txn *batch, const char *book_no,
                                                    uint32_t item_no, uint8_t origin, int32_t date,
                                                    const bzl_actor *actor, bzl_action_result *out,
                                                    uint32_t *no);
/* Completes open work order `no` as state (BZL_WO_REPAIRED or BZL_WO_UNREPAIRABLE) on date: the
 * unit moves from awaiting repair to repaired or unrepairable, the materials are consumed from
 * the repair materials, the parts are generated as old parts of the unit's origin; journaled
 * as entry type 19. Refusals in *out: BZL_NOT_FOUND (work order, material item),
 * BZL_STATE_CONFLICT (already completed), BZL_INVALID_DATE (before it was opened),
 * BZL_PERIOD_CLOSED, BZL_BOOK_NOT_OPEN, BZL_INSUFFICIENT_BALANCE (a material beyond what is on
 * hand), and bzl_wo_lines_check's. Storage statuses. */
BZL_NODISCARD bzl_status bzl_storage_workorder_complete(
    bzl_txn *batch, const char *book_no, uint32_t no, uint8_t state, int32_t date,
    const bzl_wo_line *materials, uint32_t n_materials, const bzl_wo_line *parts, uint32_t n_parts,
    const bzl_actor *actor, bzl_action_result *out);
/* One work order; BZL_NOT_FOUND when the book has none numbered `no`. */
BZL_NODISCARD bzl_status bzl_storage_workorder_get(bzl_txn *t, const char *book_no, uint32_t no,
                                                   bzl_workorder *out);
/* Work orders of book_no numbered after after_no, in number order, at most cap into out;
 * *more when further ones exist. */
BZL_NODISCARD bzl_status bzl_storage_workorder_list(bzl_txn *t, const char *book_no,
                                                    uint32_t after_no, bzl_workorder *out,
                                                    size_t cap, size_t *count, bool *more);

/* The movements of one (kind, item, origin) of a repair book. */
typedef struct bzl_repair_row {
    uint8_t kind;
    uint32_t item_no;
    uint8_t origin;
    bzl_repair_totals totals;
    int64_t in_work_e5; /* units under open work orders (awaiting accounts only) */
} bzl_repair_row;
/* Every (kind, item, origin) of book_no that has a movement, in that order, at most cap; *more
 * when further rows exist. */
BZL_NODISCARD bzl_status bzl_storage_repair_rows(bzl_txn *t, const char *book_no,
                                                 bzl_repair_row *out, size_t cap, size_t *count,
                                                 bool *more);

/* ---- deep-processing transfer deliveries (storage_transfer.c; next-wave.md §D) --------------- */

/* A delivery record: what the book's side delivered to (kind product, the sending side) or
 * received from (kind material, the receiving side) the counterpart book, or a return of it. */
typedef struct bzl_delivery {
    char book_no[BZL_BOOK_NO_LEN + 1];
    char counterpart[BZL_BOOK_NO_LEN + 1];
    uint8_t kind; /* bzl_kind: product delivered, material received */
    uint32_t item_no;
    int32_t date;
    int64_t qty_e5; /* > 0 */
    bool is_return;
    uint64_t seq; /* read back: its journal entry */
} bzl_delivery;

/* Records dv and journals it (entry type 20). Refusals in *out: BZL_NOT_FOUND (book, item),
 * BZL_PERIOD_CLOSED, BZL_INSUFFICIENT_BALANCE (a return beyond what was delivered by its date).
 * Storage statuses. */
BZL_NODISCARD bzl_status bzl_storage_delivery_record(bzl_txn *batch, const bzl_delivery *dv,
                                                     const bzl_actor *actor,
                                                     bzl_action_result *out);

/* One row of the transfers report: a (book, counterpart, kind, item) with deliveries or posted
 * deep-processing transfer declarations naming the counterpart. */
typedef struct bzl_transfer_report_row {
    char book_no[BZL_BOOK_NO_LEN + 1];
    char counterpart[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;
    uint32_t item_no;
    bzl_transfer_age age;
} bzl_transfer_report_row;
/* Every row, counterpart "" for all, as of as_of (records and declarations dated after it are
 * left out), the undeclared deliveries older than limit_days counted: at most cap rows in
 * (book, counterpart, kind, item) order, *more when more exist. BZL_LIMIT_EXCEEDED past
 * BZL_TRANSFER_ENTRIES_MAX records; BZL_NO_MEMORY; storage statuses. */
BZL_NODISCARD bzl_status bzl_storage_transfer_report(bzl_txn *t, const char *counterpart,
                                                     int32_t as_of, uint32_t limit_days,
                                                     bzl_transfer_report_row *out, size_t cap,
                                                     size_t *count, bool *more);

#endif
