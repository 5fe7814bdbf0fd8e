/* storage_internal.h — what the storage files share: the handles, the byte codec, the journal
 * append, the cursor walks and each file's internal entry points. The byte layouts themselves
 * are documented in format.h.
 * Included only by the files of lib/src/storage/ (it includes lmdb.h).
 */
#ifndef BZL_STORAGE_INTERNAL_H
#define BZL_STORAGE_INTERNAL_H

#include "bzl/calendar.h"
#include "bzl/norms.h"
#include "bzl/storage.h"
#include "bzl/tax.h"
#include "format.h"

#include <lmdb.h>
#include <pthread.h>
#include <string.h>

/* The named databases, in the order they are opened. */
enum {
    DB_META,
    DB_ENTERPRISE,
    DB_BOOK,
    DB_ITEM,
    DB_BALANCE,
    DB_JOURNAL,
    DB_IDEM,
    /* schema 2: the bonded ledger (storage_effects.c, storage_ledger.c) */
    DB_NORM,
    DB_SCRAP,
    DB_TOTAL,
    DB_PERIOD,
    DB_ITEM_MODE,
    DB_TRANSFER,
    DB_HISTORY,
    /* verification and reports (storage_recon.c); created when absent, so a schema-2 database
     * written before them opens unchanged */
    DB_STOCKTAKE,
    DB_RATE,
    DB_TRADE,
    DB_TRADE_VALUE,
    DB_CLOSING,
    /* schema 5: values per currency (storage_values.c) */
    DB_VALUE,
    DB_SPLIT,
    /* enterprises' stocktakes, kept apart from customs' (storage_recon.c); created when absent */
    DB_STOCKTAKE_ENT,
    /* bonded repair books and transfer deliveries (storage_repair.c, storage_delivery.c);
     * created when absent: a ledger written before them has no repair book and no delivery */
    DB_REPAIR,
    DB_WORKORDER,
    DB_DELIVERY,
    /* domestic-sale tax (storage_tax.c): created when absent, empty in an older ledger */
    DB_TARIFF,
    DB_INTEREST,
    DB_ASSESSMENT,
    DB_TAX_FIRST,
    /* lots (storage_lots.c): created when absent; an older ledger gets opening lots at open */
    DB_LOT,
    DB_LOT_METHOD,
    /* customs receipts (storage_receipt.c): created when absent, empty in an older ledger */
    DB_RECEIPT,
    DB_COUNT
};

/* A buffer kept between uses and grown when a use needs more. */
typedef struct bzl__scratch {
    void *buf;
    size_t cap; /* bytes */
} bzl__scratch;

/* The arrays a new declaration's gathering uses (storage_declare.c). */
#define BZL__DECL_SCRATCH_COUNT 7u

struct bzl_storage {
    /* Reused by every new declaration instead of allocated for each: only a write
     * transaction uses them, and LMDB runs one write transaction at a time. Freed at close. */
    bzl__scratch decl_scratch[BZL__DECL_SCRATCH_COUNT];
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    uint64_t map_bytes;     /* current map size */
    uint64_t map_bytes_max; /* growth ceiling */
    /* LMDB resizes the map only while no transaction is active in the process: every
     * top-level transaction holds this for reading, bzl_storage_grow takes it for writing
     * (writer-preferring, so a stream of point reads cannot starve a grow). */
    pthread_rwlock_t resize_lock;
    /* The rules assessments are made under (bzl_storage_tax_rules_set); defaults at open. */
    bzl_tax_rules tax_rules;
};

struct bzl_txn {
    bzl_storage *s;
    MDB_txn *txn;
    bool write;
    bool top; /* holds resize_lock for reading */
    /* The journal entry reserved in this transaction and not sealed yet (its payload is being
     * filled): bzl__journal_seal chains it. NULL when none; commit asserts it is NULL. */
    uint8_t *unsealed;
    size_t unsealed_len;
    uint64_t unsealed_seq;
    /* Journal records read through this transaction (gets and cursor steps): the proof that
     * verification and reports never read the journal (bzl_txn_journal_reads). */
    uint64_t journal_reads;
};

/* Journal entry types (the first header byte). Append only. */
enum {
    JOURNAL_ENTERPRISE = 1,
    JOURNAL_BOOK = 2,
    JOURNAL_ITEM = 3,
    JOURNAL_DECLARATION = 4,
    JOURNAL_POST = 5,
    JOURNAL_VOID = 6,
    JOURNAL_REVERSE = 7,
    JOURNAL_PERIOD_CLOSE = 8,
    JOURNAL_NORM = 9,
    JOURNAL_ITEM_MODE = 10,
    JOURNAL_REJECT = 11,
    /* verification and reports (storage_recon.c): no balance effects */
    JOURNAL_STOCKTAKE = 12,
    JOURNAL_RATE = 13,
    JOURNAL_TRADE = 14,
    /* bonded repair (storage_repair.c): no EFFECTS, they move the repair accounts only */
    JOURNAL_WO_OPEN = 18,
    JOURNAL_WO_COMPLETE = 19,
    /* transfer deliveries (storage_transfer.c): no EFFECTS */
    JOURNAL_DELIVERY = 20,
    /* a declaration changed before posting (storage_replace.c): a link, no EFFECTS */
    JOURNAL_CHANGE = 21,
    /* domestic-sale tax (storage_tax.c): no balance effects */
    JOURNAL_TAX_TABLE = 15,  /* a tariff or 缓税利息-rate row (the payload's first byte says) */
    JOURNAL_ASSESSMENT = 16, /* a domestic sale's assessment, or its reversal */
    JOURNAL_LOT_METHOD = 17, /* a book's lot consumption method (storage_lots.c) */
    /* customs receipts (storage_receipt.c): their ledger moves are entries 5 and 11 */
    JOURNAL_RECEIPT = 22,
};
#define DELIVERY_ENTRY_BYTES (2u * BZL_BOOK_NO_LEN + 1u + 4u + 4u + 8u + 1u)

/* Checks the pair export d (a product transfer out naming related_book) names (storage_transfer.c):
 * a refusal (TRANSFER_MISMATCH) lands in result. A counterpart book not in this ledger is not
 * checked. */
BZL_NODISCARD bzl_status bzl__transfer_pair_decide(bzl_txn *t, const bzl_declaration *d,
                                                   bzl_submit_result *result);

/* The entry's chain hash sits in the header between request_id and payload_len, so the type
 * still opens the header and payload_len still closes it (format.h's table). */

/* Effects sections (format.h documents the bytes). */

/* A declaration's lifecycle record, the value of its idempotency key. */
typedef struct bzl__decl_state {
    uint64_t seq;        /* the declaration's own journal entry */
    uint8_t state;       /* bzl_decl_state */
    uint64_t posted_seq; /* the entry whose effects posted it; 0 when never posted */
    uint64_t closed_seq; /* the void, reject or reverse entry; 0 when none */
} bzl__decl_state;

/* Converts an LMDB or errno return code to a status (storage.c documents the mapping). */
bzl_status bzl__mdb_status(int rc);

/* Writes a printf-style explanation into why[why_cap] for the caller; a NULL why or zero cap
 * means the caller does not want one. */
void bzl__set_why(char *why, size_t why_cap, const char *fmt, ...) BZL_PRINTF(3, 4);

/* Opens a cursor on db and positions it with op (MDB_FIRST, or MDB_SET_RANGE at key[len]).
 * Returns the LMDB code of the positioning; *cur stays NULL only when the open failed (rc says
 * why), otherwise the caller closes it (bzl__cursor_end). */
int bzl__cursor_seek(bzl_txn *t, unsigned db, const void *key, size_t len, MDB_cursor_op op,
                     MDB_cursor **cur, MDB_val *k, MDB_val *v);
/* Ends a cursor walk: closes cur (NULL when mdb_cursor_open failed) and, when the walk itself
 * succeeded (st is OK), converts the last cursor code rc unless it is MDB_SUCCESS or MDB_NOTFOUND,
 * the two ways a walk stops cleanly. Returns the walk's status. */
BZL_NODISCARD bzl_status bzl__cursor_end(MDB_cursor *cur, int rc, bzl_status st);

/* A range walk: the records of one database from a start key while their keys begin with a
 * prefix of it, in key order — the loop every listing and sum writes:
 *
 *     bzl__walk w;
 *     bzl__walk_begin(t, DB_TOTAL, key, sizeof key, ITEM_KEY_BYTES, &w);
 *     while (st == BZL_OK && bzl__walk_next(&w)) { ... w.k, w.v ... }
 *     return bzl__walk_end(&w, st);
 *
 * The start key (borrowed until bzl__walk_end) is where the cursor lands (MDB_SET_RANGE; the
 * first record when from_len is 0); prefix_len (<= from_len) of its bytes must begin every
 * record walked. w.k and w.v are valid until the next call. */
typedef struct bzl__walk {
    MDB_cursor *cur;
    MDB_val k;
    MDB_val v;
    int rc;
    const void *prefix;
    size_t prefix_len;
    bool started;
} bzl__walk;
void bzl__walk_begin(bzl_txn *t, unsigned db, const void *from, size_t from_len, size_t prefix_len,
                     bzl__walk *w);
/* bzl__walk_begin for paging strictly after a key: a record whose key equals from[from_len]
 * exactly is passed over (keys are unique, so only the first one can). */
/* bzl__walk_begin over the journal from the entry after after_seq (none after UINT64_MAX),
 * counting the seek as a journal read; key[8] holds the start key for the walk's life. */
void bzl__journal_walk_after(bzl_txn *t, uint64_t after_seq, uint8_t key[8], bzl__walk *w);
void bzl__walk_begin_after(bzl_txn *t, unsigned db, const void *from, size_t from_len,
                           size_t prefix_len, bzl__walk *w);
/* Steps to the next record in range (the first on the first call): true with w->k and w->v,
 * false at the end of the range or on a cursor error (bzl__walk_end reports it). */
bool bzl__walk_next(bzl__walk *w);
/* Closes the walk; returns st, or the cursor's error when st is BZL_OK. */
BZL_NODISCARD bzl_status bzl__walk_end(bzl__walk *w, bzl_status st);
/* bzl__cursor_end for a bounded listing, then, only on success, writes n rows to *count and
 * `further` (rows beyond cap remain) to *more; more is NULL for listings that cannot overflow. */
BZL_NODISCARD bzl_status bzl__list_end(MDB_cursor *cur, int rc, bzl_status st, size_t n,
                                       bool further, size_t *count, bool *more);

/* Appends journal entry journal_next of `type` in write transaction t and bumps journal_next.
 * The entry's payload_len bytes are reserved in the map: *payload points at them, and the
 * caller must fill them before its next write in t. *seq_out is the entry's sequence. */
BZL_NODISCARD bzl_status bzl__journal_reserve(bzl_txn *t, uint8_t type, const bzl_actor *actor,
                                              size_t payload_len, uint8_t **payload,
                                              uint64_t *seq_out);

/* Completes journal entry seq, the one bzl__journal_reserve just reserved in t, once its
 * payload is filled: computes hash = BLAKE2b-256(previous entry's hash || the entry without
 * its hash field), stores it in the entry and records (seq, hash) as the journal head in meta.
 * Must be called before any other write in t (the reserved bytes move on the next write), and
 * before t commits. Every entry type goes through reserve → fill → seal. */
BZL_NODISCARD bzl_status bzl__journal_seal(bzl_txn *t, uint64_t seq);

/* The chain hash of one complete entry given the previous entry's hash (zeros before seq 1). */
void bzl__journal_hash(const uint8_t prev[JOURNAL_HASH_BYTES], const uint8_t *entry, size_t len,
                       uint8_t out[JOURNAL_HASH_BYTES]);

/* bzl_storage_open, with the schema check left out when check_schema is false (the upgrade,
 * storage_upgrade.c, reads the version itself). */
BZL_NODISCARD bzl_status bzl__storage_open(const bzl_storage_options *opts, bool check_schema,
                                           bzl_storage **out, char *why, size_t why_cap);
/* The schema version in meta; BZL_NOT_FOUND in an empty database. */
BZL_NODISCARD bzl_status bzl__schema_get(bzl_txn *t, uint32_t *version);
BZL_NODISCARD bzl_status bzl__schema_put(bzl_txn *t, uint32_t version);
/* A u64 in meta under name (ASCII): BZL_NOT_FOUND when absent (the upgrade's progress marks). */
BZL_NODISCARD bzl_status bzl__meta_u64_get(bzl_txn *t, const char *name, uint64_t *out);
BZL_NODISCARD bzl_status bzl__meta_u64_put(bzl_txn *t, const char *name, uint64_t value);

/* The sequence the next journal entry will take. */
BZL_NODISCARD bzl_status bzl__journal_next(bzl_txn *t, uint64_t *seq);

/* Reads the journal head from meta: (0, zeros) on an empty journal. */
BZL_NODISCARD bzl_status bzl__journal_head_get(bzl_txn *t, uint64_t *seq,
                                               uint8_t hash[JOURNAL_HASH_BYTES]);

/* Fills key with book_no | kind | item_no (big-endian), the item and balance key. */
void bzl__item_key(uint8_t key[ITEM_KEY_BYTES], const char *book_no, uint8_t kind,
                   uint32_t item_no);

/* A history row: key seq | kind | item_no (big-endian); value prev_seq | type | flow | date |
 * qty | pending in | pending out | id_len | id (the table in format.h). */
void bzl__history_key(uint8_t key[HISTORY_KEY_BYTES], uint64_t seq, uint8_t kind, uint32_t item_no);
/* One step along an item's history chain (storage_history.c): the row of entry seq, and in
 * *prev the item's row before it (0: none; running_e5 is left 0). A missing row, or a link
 * that does not lead to an earlier entry, is BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl__history_step(bzl_txn *t, uint64_t seq, uint8_t kind, uint32_t item_no,
                                           bzl_history_row *row, uint64_t *prev);

/* The balance stored under an item key, zeros when none is; BZL_CORRUPT for a bad row. The
 * row also holds the seq of the item's newest history row (its history_head, 0 for none). */
BZL_NODISCARD bzl_status bzl__balance_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                           bzl_balance *out);
BZL_NODISCARD bzl_status bzl__balance_row_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                               bzl_balance *out, uint64_t *history_head);
BZL_NODISCARD bzl_status bzl__balance_write(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                            const bzl_balance *bal, uint64_t history_head);

/* The idempotency key enterprise | id; returns its length. */
size_t bzl__idem_key(uint8_t key[IDEM_KEY_BYTES_MAX], const char *enterprise, const char *id);
BZL_NODISCARD bzl_status bzl__decl_state_get(bzl_txn *t, const char *enterprise, const char *id,
                                             bzl__decl_state *out);
BZL_NODISCARD bzl_status bzl__decl_state_put(bzl_txn *t, const char *enterprise, const char *id,
                                             const bzl__decl_state *st);

/* A journal entry: type, actor and a borrowed view of the payload valid until the next write in
 * t. BZL_NOT_FOUND when there is no entry seq; BZL_CORRUPT for a malformed one. */
typedef struct bzl__entry {
    uint8_t type;
    bzl_actor actor;
    const uint8_t *payload;
    size_t payload_len;
} bzl__entry;
BZL_NODISCARD bzl_status bzl__journal_get(bzl_txn *t, uint64_t seq, bzl__entry *out);
/* Journal payload decoders shared with the stream (storage_stream.c): an enterprise or item
 * record from its key and value bytes (storage_master.c), and an entry's audit row (seq, actor,
 * summary, enterprise, book; storage_audit.c), false when the header is malformed. */
BZL_NODISCARD bzl_status bzl__enterprise_decode(const MDB_val *k, const MDB_val *v,
                                                bzl_enterprise *out);
BZL_NODISCARD bzl_status bzl__item_decode(const MDB_val *k, const MDB_val *v, bzl_item *out);
bool bzl__audit_row_decode(const MDB_val *k, const MDB_val *v, bzl_audit_row *row);
/* The same from a journal value a cursor already holds (no second lookup, nothing counted). */
BZL_NODISCARD bzl_status bzl__entry_decode(const MDB_val *v, bzl__entry *out);
/* The scrap allowance of an item key; all zero when it has none. */
BZL_NODISCARD bzl_status bzl__scrap_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                         bzl_scrap *out);

/* Size of an effects section of `count` effects. */
size_t bzl__effects_size(uint32_t count);
struct bzl_wr;
struct bzl_rd;
/* Writes an effects section: book | month | count | effects. */
void bzl__effects_encode(struct bzl_wr *w, const char *book_no, uint32_t month,
                         const bzl_effect_list *list);
/* Reads a section header; the effects follow, read one by one with bzl__effect_read. */
void bzl__effects_header(struct bzl_rd *r, char book_no[BZL_BOOK_NO_LEN + 1], uint32_t *month,
                         uint32_t *count);
void bzl__effect_read(struct bzl_rd *r, bzl_effect *e);

/* The stored rows one effect meets, as bzl__effects_check read them, so that the write that
 * follows in the same transaction need not read them again. */
typedef struct bzl__effect_rows {
    bzl_balance bal;
    uint64_t history_head; /* the item's newest history row */
    bzl_scrap scrap;
    int64_t total_qty_e5; /* the period total of the effect's category and month */
    int64_t total_value_e5;
    int64_t tangible_e5; /* the month's tangible-loss total, for an effect generating allowance */
} bzl__effect_rows;

/* The entry an effect list is applied for, as its history rows name it. seq is the sequence
 * the entry will take (bzl__journal_next): the rows are written before the entry, whose
 * encoding holds the effects as applied. */
/* A lot a declaration line names, resolved to its row (storage_lots.c): the lot key and the
 * quantity the line takes from it. */
typedef struct bzl__lot_take {
    uint8_t kind;
    uint32_t item_no;
    int32_t date; /* the lot's receipt date */
    uint64_t seq; /* the entry that opened it */
    int64_t qty_e5;
} bzl__lot_take;

typedef struct bzl__history_note {
    uint64_t seq;
    uint8_t type; /* the journal entry type */
    uint8_t flow;
    int32_t date;
    const char *id;             /* the declaration id */
    uint64_t reversed_seq;      /* a reversal: the posting entry it negates (0 otherwise) */
    const bzl__lot_take *takes; /* the lots the declaration names (SPECIFIC), or NULL */
    uint32_t take_count;
} bzl__history_note;

/* Decides, without writing, whether bzl__effects_apply would refuse list: a refusal lands in
 * *refusal and fault with BZL_OK returned; only storage failures are returned. After it passed,
 * bzl__effects_apply in the same transaction refuses nothing. seen (list->count of them, or
 * NULL) receives the rows read, for bzl__effects_apply. */
BZL_NODISCARD bzl_status bzl__effects_check(bzl_txn *t, const char *book_no, uint32_t month,
                                            bool scrap_bounded, const bzl_effect_list *list,
                                            bzl__effect_rows *seen, bzl_status *refusal,
                                            bzl_fault *fault);
/* Applies every effect of list to the stored balances, scrap allowances and period totals of
 * book_no in month (resolving average values in place), and appends a history row for every
 * effect that moves the posted or pending quantity, linked into its item's chain (the balance
 * row's history_head). seen: what bzl__effects_check read for this list with nothing written
 * in between, or NULL to read the rows here. A refusal lands in *refusal and fault with BZL_OK
 * returned; only storage failures are returned. */
BZL_NODISCARD bzl_status bzl__effects_apply(bzl_txn *t, const char *book_no, uint32_t month,
                                            bool scrap_bounded, bzl_effect_list *list,
                                            const bzl__effect_rows *seen,
                                            const bzl__history_note *note, bzl_status *refusal,
                                            bzl_fault *fault);

/* Decodes a declaration payload (storage_submit.c). Lines go to lines[] when it is not NULL
 * (line_cap of them); *used is the declaration's encoded length. BZL_CORRUPT when malformed. */
BZL_NODISCARD bzl_status bzl__decl_decode(const uint8_t *p, size_t len, bzl_declaration *d,
                                          bzl_decl_line *lines, uint32_t line_cap, size_t *used);

/* bzl__decl_decode, and the lots the declaration names into lots[lot_cap] (d->lots). */
BZL_NODISCARD bzl_status bzl__decl_decode_lots(const uint8_t *p, size_t len, bzl_declaration *d,
                                               bzl_decl_line *lines, uint32_t line_cap,
                                               bzl_lot_ref *lots, uint32_t lot_cap, size_t *used);

/* The declaration journaled as entry seq, its lines in a heap array d->lines (free it after a
 * BZL_OK) and its lots in the same block (d->lots). Another record named the entry, so a
 * missing or non-declaration entry is BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl__decl_read_seq(bzl_txn *t, uint64_t seq, bzl_declaration *d);

/* The declaration's canonical encoding (storage_submit.c): its size, and the bytes (exactly
 * that many into buf). */
size_t bzl__decl_encoded_size(const bzl_declaration *d);
void bzl__decl_encode(const bzl_declaration *d, uint8_t *buf, size_t cap);

/* Adds qty_e5 to the period total of (e's kind and item, month, category) (storage_effects.c).
 * BZL_OVERFLOW; storage statuses. */
BZL_NODISCARD bzl_status bzl__total_add(bzl_txn *t, const char *book_no, const bzl_effect *e,
                                        uint32_t month, uint8_t category, int64_t qty_e5);

/* The posted-form effects of a journaled declaration as the rules compute them today from the
 * book, the flow and the norms in the norm table (storage_declare.c; the upgrade re-derives
 * the losses of entries written before schema 4 with it). Write transaction (the declaration
 * scratch buffers). BZL_OK with *out (heap, out->count effects; free out->items) or with
 * *refusal set when the rules now refuse it (a flow or norm no longer found); storage
 * statuses. */
BZL_NODISCARD bzl_status bzl__decl_effects_recompute(bzl_txn *t, const bzl_declaration *d,
                                                     bzl_effect_list *out, bzl_status *refusal);

/* Entries journaled before schema 4 carry no intangible-loss effects. For the declaration
 * journaled at decl_seq, whose consumption `applied` holds as an entry applied it (sign +1:
 * posted; −1: a reversal's negation), the intangible-loss effects as the rules give them today
 * (sign × each), in *out (heap: free out->items) — provided today's norms reproduce every
 * material's consumption in `applied` (*matched); otherwise *out is empty. *by_norm is false
 * (and *out empty) for a material declaration: a consumption report carries no norm or loss.
 * Write transaction. storage_declare.c; used by the upgrade and by posting or reversing such an
 * entry (storage_ledger.c). */
BZL_NODISCARD bzl_status bzl__legacy_losses(bzl_txn *t, uint64_t decl_seq, int sign,
                                            const bzl_effect_list *applied, bzl_effect_list *out,
                                            bool *by_norm, bool *matched);
/* bzl__norms_resolve over all[0..n_all), the rows of one (book, product) in key order (version,
 * then material), instead of the norm table: verify resolves a stocktake's norms as they stood
 * when it was journaled. */
BZL_NODISCARD bzl_status bzl__norms_resolve_rows(const bzl_norm *all, uint32_t n_all,
                                                 const char *version, int32_t date, bzl_norm **rows,
                                                 uint32_t *count, uint32_t *cap);
/* A norm row from its key and value bytes (a norm entry's payload); BZL_CORRUPT when they do
 * not decode. */
BZL_NODISCARD bzl_status bzl__norm_decode_bytes(const uint8_t key[NORM_KEY_BYTES],
                                                const uint8_t value[NORM_VALUE_BYTES],
                                                bzl_norm *out);

/* Meta: the first journal sequence written under schema 4's loss rules (0 or absent on a ledger
 * created at schema 4); while the 3 → 4 upgrade runs, the next entry it will look at. */
#define META_SCHEMA4_FROM "schema4_from"

/* Applies a declaration whose id is new (storage_declare.c), in a transaction nested in batch;
 * the contract of bzl_storage_submit. */
BZL_NODISCARD bzl_status bzl__submit_new(bzl_txn *batch, const bzl_declaration *d,
                                         const bzl_actor *actor, bzl_submit_result *result);

/* The norm rows line `product` consumes by on `date`: version `version` when it is not "" and
 * in force on date (every line's valid_from on or before it; else none), else the version in
 * force latest (greatest valid_from on or before date, then greatest version by
 * bzl_norm_version_cmp). Appends to *rows (grown with realloc; *cap its capacity) from *count
 * on. storage_norms.c. */
BZL_NODISCARD bzl_status bzl__norms_resolve(bzl_txn *t, const char *book_no, uint32_t product,
                                            const char *version, int32_t date, bzl_norm **rows,
                                            uint32_t *count, uint32_t *cap);
/* Where the applied effects section of a journal entry starts; *has false for entry types
 * that carry none. BZL_CORRUPT when the payload is malformed. */
BZL_NODISCARD bzl_status bzl__entry_effects_at(const bzl__entry *e, size_t *at, bool *has);
/* Journal entry seq of a declaration's lifecycle (declaration, post, void, reject, reverse) and
 * where its effects start. Another record named it, so a missing entry or one without effects
 * is BZL_CORRUPT. */
BZL_NODISCARD bzl_status bzl__journal_effects_get(bzl_txn *t, uint64_t seq, bzl__entry *e,
                                                  size_t *at);
/* Reads an effects section at r into list (items allocated; free them). */
BZL_NODISCARD bzl_status bzl__effects_read(struct bzl_rd *r, char book_no[BZL_BOOK_NO_LEN + 1],
                                           uint32_t *month, bzl_effect_list *list);

/* The date from which `version` of product is in force as a whole (its lines' latest
 * valid_from); *found false when the version has no lines. storage_norms.c. */
BZL_NODISCARD bzl_status bzl__norm_version_from(bzl_txn *t, const char *book_no, uint32_t product,
                                                const char *version, int32_t *from, bool *found);

/* Marks a norm row used by declaration d, journaled as entry seq: the row and its whole version
 * are immutable from now on, and the version's first use records d so that a refusal to change
 * the version can name it. storage_norms.c. */
BZL_NODISCARD bzl_status bzl__norm_mark_used(bzl_txn *t, const bzl_norm *n,
                                             const bzl_declaration *d, uint64_t seq);

/* The date through which book_no's periods are closed; INT32_MIN when none is. */
BZL_NODISCARD bzl_status bzl__period_closed_through(bzl_txn *t, const char *book_no, int32_t *out);

/* The business mode of product line l of d, as the trade values and the journal stream take it:
 * its override, else the mode in force on d's date, else the item's registered mode;
 * BZL_BIZ_NONE for a material line (storage_trade_values.c). */
BZL_NODISCARD bzl_status bzl__line_mode(bzl_txn *t, const bzl_declaration *d,
                                        const bzl_decl_line *l, uint8_t *mode);

/* One trade-value row as a line will leave it: its key and its three sums. */
typedef struct bzl__tv_row {
    uint8_t key[TV_KEY_BYTES];
    int64_t sums[3]; /* qty, value without USD, USD value */
} bzl__tv_row;

/* Decides, without writing, whether bzl__trade_values_apply would overflow a row: a refusal
 * (BZL_OVERFLOW naming the line) lands in *refusal with BZL_OK returned. seen (d->line_count of
 * them, or NULL) receives each line's row as it would be written. */
BZL_NODISCARD bzl_status bzl__trade_values_check(bzl_txn *t, const bzl_declaration *d, uint8_t flow,
                                                 int sign, bzl__tv_row *seen, bzl_status *refusal,
                                                 bzl_fault *fault);
/* Adds a posted declaration's line values to the trade-value rows (storage_recon.c): sign +1
 * when it posts, -1 when a reversal takes it back. d must carry its lines. seen: what
 * bzl__trade_values_check decided for d with nothing written in between, or NULL. */
BZL_NODISCARD bzl_status bzl__trade_values_apply(bzl_txn *t, const bzl_declaration *d, uint8_t flow,
                                                 int sign, const bzl__tv_row *seen);
/* The same for the declaration whose journal entry is decl_seq (post, reverse). */
BZL_NODISCARD bzl_status bzl__trade_values_apply_seq(bzl_txn *t, uint64_t decl_seq, uint8_t flow,
                                                     int sign);

/* Lands the value deltas of an entry's applied (resolved) effects per currency
 * (storage_values.c): a line's value in the currency of d's line for the item, a value at
 * average cost across the item's currencies in proportion to each; or, for a reversal
 * (negates: the posting entry's seq, else 0), exactly the negation of what the posting landed.
 * Writes the value rows and entry seq's split row. An entry without value deltas writes
 * nothing. BZL_CORRUPT when the rows disagree with the effects; BZL_OVERFLOW. */
BZL_NODISCARD bzl_status bzl__values_apply(bzl_txn *t, uint64_t seq, const char *book_no,
                                           const bzl_effect_list *applied, const bzl_declaration *d,
                                           uint64_t negates);
/* The same with the declaration read from its journal entry decl_seq (post, reverse). */
BZL_NODISCARD bzl_status bzl__values_apply_seq(bzl_txn *t, uint64_t seq, const char *book_no,
                                               const bzl_effect_list *applied, uint64_t decl_seq,
                                               uint64_t negates);
/* An entry's value parts, grown as they come (storage_values.c). */
typedef struct bzl__parts {
    bzl_value_part *items;
    uint32_t count;
    uint32_t cap;
} bzl__parts;
/* Appends the parts of entry seq's split row to out and names their book (\"\" and nothing
 * appended when the entry has no split row: it moved no posted value). BZL_CORRUPT for a
 * malformed row; BZL_NO_MEMORY; storage statuses. */
BZL_NODISCARD bzl_status bzl__values_split_read(bzl_txn *t, uint64_t seq,
                                                char book_no[BZL_BOOK_NO_LEN + 1], bzl__parts *out);
/* Checks the value and split databases: every split row sums, item by item, to the value deltas
 * its journal entry carries; the value rows equal the split rows' sums; and every balance's
 * value equals its item's value rows. A mismatch fills out and returns BZL_TAMPERED. */
BZL_NODISCARD bzl_status bzl__values_verify(bzl_txn *t, bzl_verify_report *out);
/* Meta: while the 4 → 5 upgrade runs, the next journal entry it will derive values from. */
#define META_SCHEMA5_FROM "schema5_from"
/* Meta: the first journal sequence whose stocktake entries went to the table of their counter
 * (an enterprise's to stocktake_enterprise); earlier ones, whoever counted, are in stocktake.
 * Written when a ledger is first opened by a build that keeps counts apart (format.h). */
#define META_STOCK_BY_FROM "stocktake_by_from"

/* ---- bonded repair (storage_repair.c) ------------------------------------------------------ */

/* Decides, reading only, what declaration d (on repair book `book`, of flow `flow`) does to the
 * repair accounts: a refusal lands in result (status and fault) with BZL_OK returned. Called
 * by the declaration's decide() for a repair book only, after the flow passed
 * bzl_repair_flow_check. */
BZL_NODISCARD bzl_status bzl__repair_decide(bzl_txn *t, const bzl_declaration *d, bzl_flow flow,
                                            bzl_submit_result *result);
/* Applies what bzl__repair_decide allowed, in the same transaction. */
BZL_NODISCARD bzl_status bzl__repair_apply(bzl_txn *t, const bzl_declaration *d, bzl_flow flow);
/* The repair table's key: book | kind | item (BE) | origin | move. */
#define REPAIR_KEY_BYTES (BZL_BOOK_NO_LEN + 1u + 4u + 1u + 1u)
void bzl__repair_key(uint8_t key[REPAIR_KEY_BYTES], const char *book_no, uint8_t kind,
                     uint32_t item_no, uint8_t origin, uint8_t move);
/* The movement under "move" 13 of the awaiting rows: units under open work orders. */
#define REPAIR_MOVE_IN_WORK 13u
/* Journal payload sizes (format.h). */
#define WO_OPEN_ENTRY_BYTES (BZL_BOOK_NO_LEN + 4u + 4u + 1u + 4u)
#define WO_DONE_ENTRY_FIXED (BZL_BOOK_NO_LEN + 4u + 4u + 1u + 1u + 4u + 2u + 2u)
#define WO_LINE_BYTES (4u + 8u)
/* ---- domestic-sale tax (storage_tax.c) --------------------------------------------------- */

/* After declaration d (entry decl_seq, flow `flow`) was posted by entry ref_seq in t: an import
 * may move the book's first-import date, a domestic sale gets its assessment (journaled,
 * entry type 17). d carries its lines. Storage statuses only: a missing rate or tariff is part
 * of the assessment, never a refusal. */
BZL_NODISCARD bzl_status bzl__tax_posted(bzl_txn *t, uint64_t decl_seq, const bzl_declaration *d,
                                         uint8_t flow, uint64_t ref_seq, const bzl_actor *actor);
/* After the posting of entry decl_seq was reversed by entry ref_seq: its assessment, if it has
 * one, is journaled again as reversed. */
BZL_NODISCARD bzl_status bzl__tax_reversed(bzl_txn *t, uint64_t decl_seq, uint64_t ref_seq,
                                           const bzl_actor *actor);
/* Verify's side (storage_verify.c): remembers the last tax entry (15, 16) of every row key in
 * the one journal pass, then compares every row of the tax tables with it both ways. */
typedef struct bzl__tax_marks bzl__tax_marks;
BZL_NODISCARD bzl_status bzl__tax_marks_create(bzl__tax_marks **out);
BZL_NODISCARD bzl_status bzl__tax_marks_add(bzl__tax_marks *m, uint64_t seq, const bzl__entry *e);
BZL_NODISCARD bzl_status bzl__tax_marks_compare(bzl__tax_marks *m, bzl_txn *t,
                                                bzl_verify_report *out);
void bzl__tax_marks_destroy(bzl__tax_marks *m);
/* A tax entry's (15, 16) audit sentence ("tariff 8542310000 from 2024-01-01 duty 5 vat 13 excise
 * 0"), its book and enterprise (assessments). False when the payload does not decode. */
bool bzl__tax_audit_summary(const bzl__entry *e, char *summary, size_t cap, char *enterprise,
                            char *book_no);

/* ---- customs receipts (storage_receipt.c) -------------------------------------------------- */

/* A receipt entry's (22) audit sentence, its enterprise and book. False when the payload does
 * not decode. */
bool bzl__receipt_audit_summary(const bzl__entry *e, char *summary, size_t cap, char *enterprise,
                                char *book_no);
/* Proves the receipt table against the journal's receipt entries (journal_receipts of them):
 * each list's receipt records are its entries, in order, and replaying them gives its stored
 * state and back-fills; each SeqNo names a list receipts reached; each book line is what the
 * INV211 it names sent. BZL_TAMPERED with the first difference in out. */
BZL_NODISCARD bzl_status bzl__receipt_verify(bzl_txn *t, uint64_t journal_receipts,
                                             bzl_verify_report *out);

/* ---- lots (storage_lots.c) ------------------------------------------------------------------ */

/* Moves the lots of e's item by e's posted quantity (nothing when it moves none), as entry
 * note->seq dated note->date (storage_effects.c, for every effect it stores). */
BZL_NODISCARD bzl_status bzl__lots_move(bzl_txn *t, const char *book_no, const bzl_effect *e,
                                        const bzl__history_note *note);
/* The lots d names (SPECIFIC lots), resolved to their rows into takes[d->lot_count] (*count of
 * them). With refuse (a submission): the book must consume SPECIFIC (else STATE_CONFLICT), and a
 * lot that does not exist (NOT_FOUND), is of another book, kind or item, or holds less than the
 * line takes from it (LOT_MISMATCH) is a refusal in *refusal and fault naming the line and the
 * lot. Without (a post, which is never refused for lots): such a reference is left out, and its
 * quantity is taken by the method like an unnamed line's. d->lots must be present. */
BZL_NODISCARD bzl_status bzl__lots_resolve(bzl_txn *t, const bzl_declaration *d, bool refuse,
                                           bzl__lot_take *takes, uint32_t *count,
                                           bzl_status *refusal, bzl_fault *fault);
/* The receipt line r names: the enterprise's declaration r->receipt (*ds, its header in *rd)
 * and its line r->receipt_line (*line). *found false when there is no such declaration or line
 * (then nothing else is set). */
BZL_NODISCARD bzl_status bzl__lot_receipt_line(bzl_txn *t, const char *enterprise,
                                               const bzl_lot_ref *r, bzl__decl_state *ds,
                                               bzl_declaration *rd, bzl_decl_line *line,
                                               bool *found);
/* At open: a ledger written before lots gets one opening lot per item holding a quantity, and
 * meta "lots_from" (the first entry whose lots are kept). */
BZL_NODISCARD bzl_status bzl__lots_open(bzl_txn *t, char *why, size_t why_cap);
/* Verify: every lot against the entry that opened it, and Σ lot remaining = the balance of
 * every item. BZL_TAMPERED with the first mismatch in out. */
BZL_NODISCARD bzl_status bzl__lots_verify(bzl_txn *t, bzl_verify_report *out);

/* ---- verify's keyed tables (storage_verify.c) -------------------------------------------- */

/* Open addressing over fixed-size records whose first key_bytes bytes are their key, doubled
 * when half full: what verify recomputes from the journal, one record per key, so its memory
 * grows with the keys, not the entries. Records move when the table grows: keep no pointer to
 * one across bzl__keyed_grow (a pointer a record holds moves with it). */
typedef struct bzl__keyed {
    uint8_t *recs; /* cap records of rec_bytes */
    bool *used;    /* cap flags */
    size_t rec_bytes;
    size_t key_bytes;
    size_t first_cap; /* a power of two */
    size_t cap;       /* 0, or a power of two */
    size_t count;
} bzl__keyed;

/* The record in slot i (< cap), or NULL when it is free. */
void *bzl__keyed_at(const bzl__keyed *t, size_t i);
/* The record of key, inserted (zeroed but for its key) when absent and insert is set; NULL when
 * absent and not inserted. The caller made room with bzl__keyed_grow before inserting. */
void *bzl__keyed_find(bzl__keyed *t, const uint8_t *key, bool insert);
/* Makes room for one more record. BZL_OK or BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status bzl__keyed_grow(bzl__keyed *t);
/* Frees the slots (not what records point to). */
void bzl__keyed_free(bzl__keyed *t);

/* The derived tables verify recomputes besides balances (storage_verify_derived.c): period
 * totals, trade values, stocktake rows and closings. Fed every journal entry in order by the
 * one pass of bzl_storage_verify_balances, then compared with the stored tables. */
typedef struct bzl__derived bzl__derived;
BZL_NODISCARD bzl_status bzl__derived_create(bzl_txn *t, bzl__derived **out);
/* Adds entry seq (decoded in e). BZL_CORRUPT for an entry that does not decode. */
BZL_NODISCARD bzl_status bzl__derived_add(bzl__derived *d, bzl_txn *t, uint64_t seq,
                                          const bzl__entry *e);
/* Compares the stored tables with what the entries added: BZL_OK, or BZL_TAMPERED with the
 * first differing record in out (table, key, field, stored and recomputed). */
BZL_NODISCARD bzl_status bzl__derived_compare(bzl__derived *d, bzl_txn *t, bzl_verify_report *out);
void bzl__derived_destroy(bzl__derived *d);

/* The repair accounts verify recomputes (storage_verify_repair.c), fed by bzl__derived_add and
 * compared by bzl__derived_compare. lines: a buffer of BZL_DECL_LINES_CEILING lines. */
typedef struct bzl__repair_derived bzl__repair_derived;
BZL_NODISCARD bzl_status bzl__repair_derived_create(bzl__repair_derived **out);
BZL_NODISCARD bzl_status bzl__repair_derived_add(bzl__repair_derived *r, uint64_t seq,
                                                 const bzl__entry *e, bzl_decl_line *lines);
BZL_NODISCARD bzl_status bzl__repair_derived_compare(bzl__repair_derived *r, bzl_txn *t,
                                                     bzl_verify_report *out);
void bzl__repair_derived_destroy(bzl__repair_derived *r);

/* Stocktake arithmetic shared by the write and verify (storage_recon.c): adds qty into field
 * (0 direct, 1 converted, 2 scrap) of item's row in rows (kept in item order, grown), and the
 * counted quantity of every row once all are added. */
BZL_NODISCARD bzl_status bzl__stock_count_add(bzl_count_row **rows, size_t *n, size_t *cap,
                                              uint32_t item, int field, int64_t qty);
BZL_NODISCARD bzl_status bzl__stock_counted(bzl_count_row *rows, size_t n, bool count_scrap);

/* ---- byte codec -------------------------------------------------------------------------- */

/* A writer into a buffer whose size the caller computed first: overrunning it is a
 * programmer error. */
typedef struct bzl_wr {
    uint8_t *p;
    size_t len;
    size_t cap;
} bzl_wr;

/* An MDB_val over n bytes at p (LMDB takes it by pointer and does not keep it). */
static inline MDB_val
bzl__mval(const void *p, size_t n)
{
    MDB_val v = {.mv_size = n, .mv_data = (void *)p};
    return v;
}

static inline uint8_t *
wr_take(bzl_wr *w, size_t n)
{
    BZL_ASSERT(n <= w->cap - w->len);
    uint8_t *q = w->p + w->len;
    w->len += n;
    return q;
}

static inline void
wr_u8(bzl_wr *w, uint8_t v)
{
    *wr_take(w, 1) = v;
}

static inline void
wr_le(bzl_wr *w, uint64_t v, size_t n)
{
    uint8_t *q = wr_take(w, n);
    for (size_t i = 0; i < n; i++) {
        q[i] = (uint8_t)(v >> (8 * i));
    }
}

static inline void
wr_be(bzl_wr *w, uint64_t v, size_t n)
{
    uint8_t *q = wr_take(w, n);
    for (size_t i = 0; i < n; i++) {
        q[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
}

static inline void
wr_u16(bzl_wr *w, uint16_t v)
{
    wr_le(w, v, 2);
}

static inline void
wr_u32(bzl_wr *w, uint32_t v)
{
    wr_le(w, v, 4);
}

static inline void
wr_u64(bzl_wr *w, uint64_t v)
{
    wr_le(w, v, 8);
}

static inline void
wr_i32(bzl_wr *w, int32_t v)
{
    wr_le(w, (uint32_t)v, 4);
}

static inline void
wr_i64(bzl_wr *w, int64_t v)
{
    wr_le(w, (uint64_t)v, 8);
}

static inline void
wr_bytes(bzl_wr *w, const void *src, size_t n)
{
    if (n > 0) {
        memcpy(wr_take(w, n), src, n);
    }
}

/* The string s in exactly `width` bytes, zero-filled after it. Validated text holds no NUL,
 * so the padding is unambiguous. */
static inline void
wr_fixed(bzl_wr *w, const char *s, size_t width)
{
    size_t n = strnlen(s, width);
    uint8_t *q = wr_take(w, width);
    memcpy(q, s, n);
    memset(q + n, 0, width - n);
}

/* A reader over a stored value. Errors are sticky: past the end, every read yields zeros and
 * `bad` stays set, so a decoder reads everything and checks once. */
typedef struct bzl_rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
} bzl_rd;

static inline const uint8_t *
rd_take(bzl_rd *r, size_t n)
{
    static const uint8_t zeros[8];
    if (r->bad || r->off > r->len || n > r->len - r->off) {
        r->bad = true;
        BZL_ASSERT(n <= sizeof zeros);
        return zeros;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

static inline uint64_t
rd_le(bzl_rd *r, size_t n)
{
    const uint8_t *q = rd_take(r, n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)q[i] << (8 * i);
    }
    return v;
}

static inline uint64_t
rd_be(bzl_rd *r, size_t n)
{
    const uint8_t *q = rd_take(r, n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | q[i];
    }
    return v;
}

static inline uint8_t
rd_u8(bzl_rd *r)
{
    return (uint8_t)rd_le(r, 1);
}

static inline uint16_t
rd_u16(bzl_rd *r)
{
    return (uint16_t)rd_le(r, 2);
}

static inline uint32_t
rd_u32(bzl_rd *r)
{
    return (uint32_t)rd_le(r, 4);
}

static inline uint64_t
rd_u64(bzl_rd *r)
{
    return rd_le(r, 8);
}

static inline int32_t
rd_i32(bzl_rd *r)
{
    return (int32_t)rd_u32(r);
}

static inline int64_t
rd_i64(bzl_rd *r)
{
    return (int64_t)rd_u64(r);
}

/* Copies n bytes of text into dst (cap > n) and NUL-terminates it. With `fixed`, trailing zero
 * bytes are padding and the text before them must hold no NUL; otherwise no NUL at all may
 * appear. Either breach marks the reader bad. */
static inline void
rd_text(bzl_rd *r, char *dst, size_t cap, size_t n, bool fixed)
{
    BZL_ASSERT(n < cap);
    if (r->bad || r->off > r->len || n > r->len - r->off) {
        r->bad = true;
        dst[0] = '\0';
        return;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    memcpy(dst, q, n);
    dst[n] = '\0';
    size_t used = strlen(dst);
    for (size_t i = used; i < n; i++) {
        if (!fixed || q[i] != 0) {
            r->bad = true;
        }
    }
}

/* True when the whole value was read without a fault. */
static inline bool
rd_done(const bzl_rd *r)
{
    return !r->bad && r->off == r->len;
}

#endif
