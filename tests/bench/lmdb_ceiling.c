/* lmdb_ceiling.c — the physical ceiling: raw LMDB committing bzld's records, no protocol.
 *
 * It writes what bzld's writer writes for an accepted declaration of L lines — one journal
 * entry appended under a big-endian sequence (header plus the canonical payload: 85 + id +
 * 47 × L bytes), one idempotency key (enterprise | id → seq) and, per line, a read-modify-
 * write of a 32-byte balance under its item key — D declarations per write transaction and
 * one durable commit per transaction (LMDB's defaults: data and meta page fsynced). It uses
 * no nested transactions, no validation, no decimals and no sockets, so the gap between its
 * figure and bzld's is what the daemon costs.
 *
 * The exception to STYLE.md's wall (<lmdb.h> only in lib/src/storage*) is deliberate: a
 * benchmark of LMDB itself has to call it. It is built as bzl_lmdb_ceiling, never linked
 * into the product, and run only by tests/bench/run.sh.
 *
 *   usage: bzl-lmdb-ceiling DIR --lines L --decls-per-txn D --seconds S [--items I]
 *          [--books B] [--label NAME]
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

#define JOURNAL_HEADER_BYTES 34u
#define DECL_FIXED_BYTES 51u
#define DECL_LINE_BYTES 47u
#define BALANCE_BYTES 32u
#define ITEM_KEY_BYTES 17u
#define ID_BYTES 24u
#define LINES_MAX 1000u

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
    MDB_dbi journal, idem, balance;
    uint32_t lines, items, books;
    uint64_t seq;
    uint64_t rng;
    uint8_t payload[JOURNAL_HEADER_BYTES + DECL_FIXED_BYTES + ID_BYTES + LINES_MAX * DECL_LINE_BYTES];
} ceiling;

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
    size_t len = JOURNAL_HEADER_BYTES + DECL_FIXED_BYTES + ID_BYTES + (size_t)c->lines * DECL_LINE_BYTES;
    memset(c->payload, (int)(seq & 0xff), len);
    MDB_val k = {8, key}, v = {len, c->payload};
    check(mdb_put(txn, c->journal, &k, &v, MDB_APPEND), "journal put");
    uint8_t idem[10 + ID_BYTES];
    memset(idem, 'E', sizeof idem);
    snprintf((char *)idem + 10, ID_BYTES, "C-%020" PRIu64, seq * 2654435761u % 1000000007u * 97u + seq);
    uint8_t seqv[8];
    memcpy(seqv, &seq, 8);
    MDB_val ik = {sizeof idem, idem}, iv = {8, seqv};
    check(mdb_put(txn, c->idem, &ik, &iv, MDB_NOOVERWRITE), "idem put");
    for (uint32_t i = 0; i < c->lines; i++) {
        uint8_t bk[ITEM_KEY_BYTES];
        memset(bk, 'H', 12);
        be(bk + 4, book, 8);
        bk[12] = 1;
        be(bk + 13, (first + i) % c->items + 1u, 4);
        MDB_val kk = {sizeof bk, bk}, bv;
        int64_t bal[4] = {0, 0, 0, 0};
        int rc = mdb_get(txn, c->balance, &kk, &bv);
        if (rc == MDB_SUCCESS && bv.mv_size == BALANCE_BYTES) {
            memcpy(bal, bv.mv_data, BALANCE_BYTES);
        } else if (rc != MDB_NOTFOUND) {
            check(rc, "balance get");
        }
        bal[0] += 100000;
        bal[1] += 100000;
        bv.mv_size = BALANCE_BYTES;
        bv.mv_data = bal;
        check(mdb_put(txn, c->balance, &kk, &bv, 0), "balance put");
    }
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bzl-lmdb-ceiling DIR --lines L --decls-per-txn D --seconds S "
                        "[--items I] [--books B] [--label NAME]\n");
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
    for (int i = 2; i + 1 < argc; i += 2) {
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
    printf("{\"label\":\"%s\",\"lines\":%u,\"decls_per_txn\":%u,\"seconds\":%.3f,"
           "\"decls_per_s\":%.1f,\"lines_per_s\":%.1f,\"commits_per_s\":%.1f}\n",
           label, c.lines, per_txn, secs, decls / secs, (double)decls * c.lines / secs,
           commits / secs);
    mdb_env_close(c.env);
    return 0;
}
