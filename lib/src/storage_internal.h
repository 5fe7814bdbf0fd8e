/* storage_internal.h — what storage.c and storage_submit.c share: the handles, the byte codec
 * and the journal append. The byte layouts themselves are documented at the top of storage.c.
 * Included only by lib/src/storage*.c (it includes lmdb.h).
 */
#ifndef BZL_STORAGE_INTERNAL_H
#define BZL_STORAGE_INTERNAL_H

#include "bzl/storage.h"

#include <lmdb.h>
#include <pthread.h>
#include <string.h>

/* The named databases, in the order they are opened. */
enum { DB_META, DB_ENTERPRISE, DB_BOOK, DB_ITEM, DB_BALANCE, DB_JOURNAL, DB_IDEM, DB_COUNT };

struct bzl_storage {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    uint64_t map_bytes;     /* current map size */
    uint64_t map_bytes_max; /* growth ceiling */
    /* LMDB resizes the map only while no transaction is active in the process: every
     * top-level transaction holds this for reading, bzl_storage_grow takes it for writing
     * (writer-preferring, so a stream of point reads cannot starve a grow). */
    pthread_rwlock_t resize_lock;
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
};

/* Journal entry types (the first header byte). Append only. */
enum {
    JOURNAL_ENTERPRISE = 1,
    JOURNAL_BOOK = 2,
    JOURNAL_ITEM = 3,
    JOURNAL_DECLARATION = 4,
};

#define JOURNAL_HEADER_BYTES 66u
/* The entry's chain hash sits in the header between request_id and payload_len, so the type
 * still opens the header and payload_len still closes it (storage.c's table). */
#define JOURNAL_HASH_OFFSET 30u
#define JOURNAL_HASH_BYTES 32u
#define ITEM_KEY_BYTES (BZL_BOOK_NO_LEN + 1u + 4u)
#define IDEM_KEY_BYTES_MAX (BZL_ENTERPRISE_CODE_LEN + BZL_DECL_ID_BYTES_MAX)

/* Converts an LMDB or errno return code to a status (storage.c documents the mapping). */
bzl_status bzl__mdb_status(int rc);

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

/* Reads the journal head from meta: (0, zeros) on an empty journal. */
BZL_NODISCARD bzl_status bzl__journal_head_get(bzl_txn *t, uint64_t *seq,
                                               uint8_t hash[JOURNAL_HASH_BYTES]);

/* Fills key with book_no | kind | item_no (big-endian), the item and balance key. */
void bzl__item_key(uint8_t key[ITEM_KEY_BYTES], const char *book_no, uint8_t kind,
                   uint32_t item_no);

/* The balance stored under an item key, zeros when none is; BZL_CORRUPT for a bad row. */
BZL_NODISCARD bzl_status bzl__balance_read(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                           bzl_balance *out);
BZL_NODISCARD bzl_status bzl__balance_write(bzl_txn *t, const uint8_t key[ITEM_KEY_BYTES],
                                            const bzl_balance *bal);

/* ---- byte codec -------------------------------------------------------------------------- */

/* A writer into a buffer whose size the caller computed first: overrunning it is a
 * programmer error. */
typedef struct bzl_wr {
    uint8_t *p;
    size_t len;
    size_t cap;
} bzl_wr;

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
