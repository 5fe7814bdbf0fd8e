/* lmdb_ceiling.c — the physical ceiling: raw LMDB committing bzld's records, no protocol.
 *
 * It writes what bzld's writer writes for an accepted declaration of L lines (the byte tables
 * in lib/src/storage/format.h): one journal entry appended under a big-endian sequence,
 * of bzld's size (66-byte header; the declaration, 51 + id + 47 × L bytes; its two effects
 * sections, 20 + 71 × L and 20 bytes), the journal counter and head in meta, one idempotency
 * record (enterprise | id → 25 bytes), and per line a read-modify-write of the 40-byte balance,
 * of the monthly period total and of the month's trade value, and one history row appended
 * under the entry's sequence — D declarations per write transaction and one durable commit
 * per transaction (LMDB's defaults: data and meta page fsynced). It uses no nested
 * transactions, no validation (bzld also reads each line's item and its allowance), no
 * decimals, no hashing and no sockets, so the gap between its figure and bzld's is what the
 * daemon costs. --minimal writes only the journal entry, the idempotency record and the
 * balances (the ceiling as first defined, before the ledger's derived records existed).
 *
 * The exception to STYLE.md's wall (<lmdb.h> only in lib/src/storage/) is deliberate: a
 * benchmark of LMDB itself has to call it. It is built as bzl_lmdb_ceiling, never linked
 * into the product, and run only by tests/bench/run.sh.
 *
 *   usage: bzl-lmdb-ceiling DIR --lines L --decls-per-txn D --seconds S [--items I]
 *          [--books B] [--label NAME] [--minimal]
 * Prints one JSON object: declarations/s, lines/s and commits/s over the measured seconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define JOURNAL_HEADER_BYTES 66u
#define DECL_FIXED_BYTES 51u
#define DECL_LINE_BYTES 47u
#define EFFECTS_HEADER_BYTES 20u
#define EFFECT_BYTES 71u
#define BALANCE_BYTES 40u
#define ITEM_KEY_BYTES 17u
#define TOTAL_KEY_BYTES (ITEM_KEY_BYTES + 4u + 1u)
#define TOTAL_BYTES 16u
#define TV_KEY_BYTES 26u
#define TV_BYTES 24u
#define HISTORY_KEY_BYTES 13u
#define HISTORY_BYTES (8u + 1u + 1u + 4u + 24u + 1u + ID_BYTES)
#define IDEM_BYTES 25u
#define ID_BYTES 24u
#define LINES_MAX 1000u
#define MONTH 202603u

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
check(int rc, const char *what)
{
    if (rc != MDB_SUCCESS) {
        fprintf(stderr, "bzl-lmdb-ceiling: %s: %s\n", what, mdb_strerror(rc));
        exit(1);
    }
}

static void
be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        p[n - 1u - i] = (uint8_t)(v >> (8u * i));
    }
}

typedef struct ceiling {
    MDB_env *env;
    MDB_dbi meta, journal, idem, balance, total, trade_value, history;
    uint32_t lines, items, books;
    int minimal;
    uint64_t seq;
    uint64_t rng;
    uint8_t payload[JOURNAL_HEADER_BYTES + DECL_FIXED_BYTES + ID_BYTES +
                    LINES_MAX * (DECL_LINE_BYTES + EFFECT_BYTES) + 2u * EFFECTS_HEADER_BYTES];
} ceiling;

/* Adds one to each int64 of the row under key (absent: zeros), as bzld's upserts do. */
static void
add_row(MDB_txn *txn, MDB_dbi dbi, const uint8_t *key, size_t key_len, size_t value_len,
        const char *what)
{
    int64_t row[5] = {0, 0, 0, 0, 0};
    MDB_val k = {key_len, (void *)key}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_SUCCESS && v.mv_size == value_len) {
        memcpy(row, v.mv_data, value_len);
    } else if (rc != MDB_NOTFOUND) {
        check(rc, what);
    }
    row[0] += 100000;
    row[1] += 100000;
    v.mv_size = value_len;
    v.mv_data = row;
    check(mdb_put(txn, dbi, &k, &v, 0), what);
}

/* One declaration's records in txn, as bzld's writer would put them. */
static void
put_declaration(ceiling *c, MDB_txn *txn)
{
    uint64_t seq = ++c->seq;
    c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
    uint32_t book = (uint32_t)(c->rng >> 33) % c->books;
    uint32_t first = (uint32_t)(c->rng >> 13) % c->items;
    uint8_t key[8];
    be(key, seq, 8);
    size_t len = JOURNAL_HEADER_BYTES + DECL_FIXED_BYTES + ID_BYTES +
                 (size_t)c->lines * (DECL_LINE_BYTES + EFFECT_BYTES) + 2u * EFFECTS_HEADER_BYTES;
    memset(c->payload, (int)(seq & 0xff), len);
    MDB_val k = {8, key}, v = {len, c->payload};
    check(mdb_put(txn, c->journal, &k, &v, MDB_APPEND), "journal put");
    uint8_t counters[40] = {0};
    memcpy(counters, &seq, 8);
    MDB_val nk = {12, "journal_next"}, nv = {8, counters};
    MDB_val hk = {12, "journal_head"}, hv = {40, counters};
    check(mdb_put(txn, c->meta, &nk, &nv, 0), "meta put");
    check(mdb_put(txn, c->meta, &hk, &hv, 0), "meta put");
    uint8_t idem[10 + ID_BYTES];
    memset(idem, 'E', sizeof idem);
    snprintf((char *)idem + 10, ID_BYTES, "C-%020" PRIu64,
             seq * 2654435761u % 1000000007u * 97u + seq);
    uint8_t state[IDEM_BYTES] = {0};
    memcpy(state, &seq, 8);
    MDB_val ik = {sizeof idem, idem}, iv = {c->minimal ? 8u : IDEM_BYTES, state};
    check(mdb_put(txn, c->idem, &ik, &iv, MDB_NOOVERWRITE), "idem put");
    for (uint32_t i = 0; i < c->lines; i++) {
        uint32_t item = (first + i) % c->items + 1u;
        uint8_t bk[TOTAL_KEY_BYTES];
        memset(bk, 'H', 12);
        be(bk + 4, book, 8);
        bk[12] = 1;
        be(bk + 13, item, 4);
        add_row(txn, c->balance, bk, ITEM_KEY_BYTES, c->minimal ? 32u : BALANCE_BYTES, "balance");
        if (c->minimal) {
            continue;
        }
        be(bk + ITEM_KEY_BYTES, MONTH, 4);
        bk[ITEM_KEY_BYTES + 4] = 1; /* the flow */
        add_row(txn, c->total, bk, TOTAL_KEY_BYTES, TOTAL_BYTES, "total");
        uint8_t tk[TV_KEY_BYTES];
        memcpy(tk, bk, 12);
        be(tk + 12, MONTH, 4);
        tk[16] = 1;
        tk[17] = 1;
        be(tk + 18, item, 4);
        tk[22] = 0;
        memcpy(tk + 23, "502", 3);
        add_row(txn, c->trade_value, tk, TV_KEY_BYTES, TV_BYTES, "trade value");
        uint8_t hkey[HISTORY_KEY_BYTES];
        uint8_t hrow[HISTORY_BYTES];
        be(hkey, seq, 8);
        hkey[8] = 1;
        be(hkey + 9, item, 4);
        memset(hrow, 'h', sizeof hrow);
        MDB_val rk = {sizeof hkey, hkey}, rv = {sizeof hrow, hrow};
        check(mdb_put(txn, c->history, &rk, &rv, MDB_NOOVERWRITE), "history put");
    }
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bzl-lmdb-ceiling DIR --lines L --decls-per-txn D --seconds S "
                        "[--items I] [--books B] [--label NAME] [--minimal]\n");
        return 2;
    }
    static ceiling c;
    c.lines = 1;
    c.items = 100;
    c.books = 16;
    c.rng = 42;
    uint32_t per_txn = 1000;
    double seconds = 5;
    const char *label = "";
    for (int i = 2; i < argc; i += 2) {
        if (strcmp(argv[i], "--minimal") == 0) {
            c.minimal = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bzl-lmdb-ceiling: %s needs a value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--lines") == 0) {
            c.lines = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--decls-per-txn") == 0) {
            per_txn = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            seconds = strtod(argv[i + 1], NULL);
        } else if (strcmp(argv[i], "--items") == 0) {
            c.items = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--books") == 0) {
            c.books = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--label") == 0) {
            label = argv[i + 1];
        }
    }
    if (c.lines < 1 || c.lines > LINES_MAX || c.lines > c.items || per_txn < 1 || c.books < 1) {
        fprintf(stderr, "bzl-lmdb-ceiling: bad arguments\n");
        return 2;
    }
    if (mkdir(argv[1], 0700) != 0 && errno != EEXIST) {
        perror(argv[1]);
        return 1;
    }
    check(mdb_env_create(&c.env), "env create");
    check(mdb_env_set_maxdbs(c.env, 8), "maxdbs");
    check(mdb_env_set_mapsize(c.env, (size_t)16 << 30), "mapsize");
    check(mdb_env_open(c.env, argv[1], MDB_NOTLS, 0600), "env open");
    MDB_txn *txn = NULL;
    check(mdb_txn_begin(c.env, NULL, 0, &txn), "begin");
    check(mdb_dbi_open(txn, "journal", MDB_CREATE, &c.journal), "dbi journal");
    check(mdb_dbi_open(txn, "idem", MDB_CREATE, &c.idem), "dbi idem");
    check(mdb_dbi_open(txn, "balance", MDB_CREATE, &c.balance), "dbi balance");
    check(mdb_dbi_open(txn, "meta", MDB_CREATE, &c.meta), "dbi meta");
    check(mdb_dbi_open(txn, "total", MDB_CREATE, &c.total), "dbi total");
    check(mdb_dbi_open(txn, "trade_value", MDB_CREATE, &c.trade_value), "dbi trade_value");
    check(mdb_dbi_open(txn, "history", MDB_CREATE, &c.history), "dbi history");
    MDB_stat st;
    check(mdb_stat(txn, c.journal, &st), "stat");
    c.seq = st.ms_entries;
    check(mdb_txn_commit(txn), "commit");

    uint64_t t0 = now_ns(), end = t0 + (uint64_t)(seconds * 1e9), commits = 0, decls = 0;
    while (now_ns() < end) {
        check(mdb_txn_begin(c.env, NULL, 0, &txn), "begin");
        for (uint32_t d = 0; d < per_txn; d++) {
            put_declaration(&c, txn);
        }
        check(mdb_txn_commit(txn), "commit");
        commits++;
        decls += per_txn;
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    printf(
        "{\"label\":\"%s\",\"records\":\"%s\",\"lines\":%u,\"decls_per_txn\":%u,\"seconds\":%.3f,"
        "\"decls_per_s\":%.1f,\"lines_per_s\":%.1f,\"commits_per_s\":%.1f}\n",
        label, c.minimal ? "minimal" : "all", c.lines, per_txn, secs, decls / secs,
        (double)decls * c.lines / secs, commits / secs);
    mdb_env_close(c.env);
    return 0;
}
