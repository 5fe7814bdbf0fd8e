/* bzl-tamper.c — test-only: damages a stopped ledger's journal behind bzld's back, the way an
 * attacker with write access to data.mdb would, so that tests can prove `bzl verify` notices.
 *
 *   bzl-tamper DIR flip SEQ [OFFSET]   flip the low bit of byte OFFSET (default: the last byte)
 *                                      of journal entry SEQ
 *   bzl-tamper DIR delete SEQ          delete journal entry SEQ
 *   bzl-tamper DIR reseal SEQ [OFFSET] flip the low bit of byte OFFSET (default 9, the low byte
 *                                      of the writer's uid) of entry SEQ, then recompute the
 *                                      chain hash of SEQ and of every later entry and the head
 *                                      in meta, as storage.c seals them (BLAKE2b-256 over the
 *                                      previous hash, bytes 0..30 and 62..end): the forgery of
 *                                      someone who can write data.mdb, which the chain alone
 *                                      cannot tell (docs/DURABILITY.md "Checkpoints")
 *   bzl-tamper DIR add DB INDEX DELTA  add DELTA to the little-endian int64 that opens the value
 *                                      of row INDEX (0 = first, in key order) of database DB —
 *                                      a stocktake's count, a period total's or trade value's
 *                                      quantity, a closing (format.h) — printing the row's key
 *
 * It opens the LMDB environment directly (the only program besides lib/src/storage/ that does,
 * and it is never installed). Exit 0 when done, 1 on any failure. */
#include <lmdb.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
die(const char *what, int rc)
{
    fprintf(stderr, "bzl-tamper: %s: %s\n", what, mdb_strerror(rc));
    return 1;
}

/* Adds delta to the int64 LE at the start of the index-th row of db (in key order). */
static int
row_add(MDB_txn *txn, MDB_dbi dbi, unsigned long long index, long long delta)
{
    MDB_cursor *cur = NULL;
    MDB_val k;
    MDB_val v;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : rc;
    for (unsigned long long i = 0; rc == 0 && i < index; i++) {
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    if (rc == 0 && v.mv_size < 8) {
        rc = MDB_CORRUPTED;
    }
    if (rc == 0) {
        uint8_t *copy = malloc(v.mv_size);
        memcpy(copy, v.mv_data, v.mv_size);
        uint64_t x = 0;
        for (int i = 0; i < 8; i++) {
            x |= (uint64_t)copy[i] << (8 * i);
        }
        x += (uint64_t)delta;
        for (int i = 0; i < 8; i++) {
            copy[i] = (uint8_t)(x >> (8 * i));
        }
        for (size_t i = 0; i < k.mv_size; i++) {
            printf("%02x", ((const uint8_t *)k.mv_data)[i]);
        }
        printf("\n");
        MDB_val nv = {.mv_size = v.mv_size, .mv_data = copy};
        rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
        free(copy);
    }
    if (cur != NULL) {
        mdb_cursor_close(cur);
    }
    return rc;
}

/* format.h: the entry's chain hash sits at bytes 30..62; meta "journal_head" is seq u64 LE
 * then the hash. */
#define HASH_OFFSET 30u
#define HASH_BYTES 32u

static void
seal(const uint8_t prev[HASH_BYTES], const uint8_t *entry, size_t len, uint8_t out[HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
    crypto_generichash_update(&st, prev, HASH_BYTES);
    crypto_generichash_update(&st, entry, HASH_OFFSET);
    crypto_generichash_update(&st, entry + HASH_OFFSET + HASH_BYTES,
                              len - HASH_OFFSET - HASH_BYTES);
    crypto_generichash_final(&st, out, HASH_BYTES);
}

/* Flips byte off of entry seq and re-seals the chain from there to the head. */
static int
reseal(MDB_txn *txn, MDB_dbi journal, uint64_t seq, size_t off)
{
    MDB_dbi meta;
    MDB_cursor *cur = NULL;
    uint8_t prev[HASH_BYTES] = {0};
    uint8_t key[8];
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(seq >> (8 * (7 - i)));
    }
    MDB_val k = {.mv_size = sizeof key, .mv_data = key};
    MDB_val v;
    uint64_t last = 0;
    int rc = mdb_dbi_open(txn, "meta", 0, &meta);
    rc = rc == 0 ? mdb_cursor_open(txn, journal, &cur) : rc;
    rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_SET_KEY) : rc;
    if (rc == 0 && seq > 1) {
        MDB_val pk, pv;
        rc = mdb_cursor_get(cur, &pk, &pv, MDB_PREV);
        if (rc == 0) {
            memcpy(prev, (const uint8_t *)pv.mv_data + HASH_OFFSET, HASH_BYTES);
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
        }
    }
    for (bool first = true; rc == 0; first = false) {
        if (v.mv_size <= HASH_OFFSET + HASH_BYTES || (first && off >= v.mv_size)) {
            fprintf(stderr, "bzl-tamper: entry too short for the change\n");
            rc = MDB_CORRUPTED;
            break;
        }
        uint8_t *copy = malloc(v.mv_size);
        memcpy(copy, v.mv_data, v.mv_size);
        if (first) {
            copy[off] ^= 1;
        }
        seal(prev, copy, v.mv_size, copy + HASH_OFFSET);
        memcpy(prev, copy + HASH_OFFSET, HASH_BYTES);
        MDB_val nv = {.mv_size = v.mv_size, .mv_data = copy};
        rc = mdb_cursor_put(cur, &k, &nv, MDB_CURRENT);
        free(copy);
        last = 0;
        for (int i = 0; i < 8; i++) {
            last = last << 8 | ((const uint8_t *)k.mv_data)[i];
        }
        rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_NEXT) : rc;
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) {
        return rc;
    }
    uint8_t head[8 + HASH_BYTES];
    for (int i = 0; i < 8; i++) {
        head[i] = (uint8_t)(last >> (8 * i));
    }
    memcpy(head + 8, prev, HASH_BYTES);
    MDB_val hk = {.mv_size = strlen("journal_head"), .mv_data = "journal_head"};
    MDB_val hv = {.mv_size = sizeof head, .mv_data = head};
    printf("resealed entries %llu..%llu\n", (unsigned long long)seq, (unsigned long long)last);
    return mdb_put(txn, meta, &hk, &hv, 0);
}

int
main(int argc, char **argv)
{
    bool add = argc == 6 && strcmp(argv[2], "add") == 0;
    if (!add && (argc < 4 || (strcmp(argv[2], "flip") != 0 && strcmp(argv[2], "delete") != 0 &&
                              strcmp(argv[2], "reseal") != 0))) {
        fprintf(stderr, "usage: bzl-tamper DIR flip SEQ [OFFSET] | DIR delete SEQ | "
                        "DIR reseal SEQ [OFFSET] | DIR add DB INDEX DELTA\n");
        return 2;
    }
    uint64_t seq = strtoull(argv[3], NULL, 10);
    uint8_t key[8];
    for (int i = 0; i < 8; i++) {
        key[i] = (uint8_t)(seq >> (8 * (7 - i)));
    }
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_val k = {.mv_size = sizeof key, .mv_data = key};
    MDB_val v;
    int rc = mdb_env_create(&env);
    if (rc == 0) {
        rc = mdb_env_set_maxdbs(env, 32);
    }
    if (rc == 0) {
        rc = mdb_env_open(env, argv[1], 0, 0600);
    }
    if (rc == 0) {
        rc = mdb_txn_begin(env, NULL, 0, &txn);
    }
    if (rc == 0) {
        rc = mdb_dbi_open(txn, add ? argv[3] : "journal", 0, &dbi);
    }
    if (rc != 0) {
        return die(argv[1], rc);
    }
    if (add) {
        rc = row_add(txn, dbi, strtoull(argv[4], NULL, 10), strtoll(argv[5], NULL, 10));
    } else if (strcmp(argv[2], "reseal") == 0) {
        rc = reseal(txn, dbi, seq, argc > 4 ? strtoull(argv[4], NULL, 10) : 9);
    } else if (strcmp(argv[2], "delete") == 0) {
        rc = mdb_del(txn, dbi, &k, NULL);
    } else {
        rc = mdb_get(txn, dbi, &k, &v);
        if (rc == 0) {
            size_t off = argc > 4 ? strtoull(argv[4], NULL, 10) : v.mv_size - 1;
            if (off >= v.mv_size) {
                fprintf(stderr, "bzl-tamper: entry %s has only %zu bytes\n", argv[3], v.mv_size);
                return 1;
            }
            uint8_t *copy = malloc(v.mv_size);
            memcpy(copy, v.mv_data, v.mv_size);
            copy[off] ^= 1;
            MDB_val nv = {.mv_size = v.mv_size, .mv_data = copy};
            rc = mdb_put(txn, dbi, &k, &nv, 0);
            free(copy);
        }
    }
    if (rc == 0) {
        rc = mdb_txn_commit(txn);
    } else {
        mdb_txn_abort(txn);
    }
    mdb_env_close(env);
    return rc == 0 ? 0 : die(argv[2], rc);
}
