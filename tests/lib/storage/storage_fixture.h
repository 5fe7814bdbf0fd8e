/* storage_fixture.h — the fixture shared by the LMDB storage tests (check_storage,
 * check_ledger_storage, check_recon_storage): temporary directories, a fresh store per forked
 * test, transactions, the master-data record builders, the seeded book and a raw-LMDB forge.
 *
 * Layout: root_setup/root_teardown (unchecked fixture, in the parent) make and remove one root
 * "<TMPDIR or /tmp>/<BZL_CHECK_NAME>.XXXXXX" per test case; db_setup/db_teardown (checked
 * fixture, in the forked child) make "<root>/db.XXXXXX", open `store` on it and close and
 * remove it again. BZL_CHECK_NAME is the test executable's name, defined by CMakeLists.txt.
 *
 * Ownership: the fixture owns `store` (opened by db_setup or open_with, closed by db_teardown
 * or forge) and the directories. Transactions from write_txn/read_txn belong to the caller,
 * who commits or aborts them. Every helper fails the running test on an unexpected status.
 */
#ifndef BZL_TESTS_STORAGE_FIXTURE_H
#define BZL_TESTS_STORAGE_FIXTURE_H

#include "bzl/storage.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define E5(whole) ((int64_t)(whole)*100000)
#define DAYS_2026_03_15 20527

extern const char BOOK[];
extern const char ENT[];
extern const bzl_actor actor;

extern char db_dir[PATH_MAX]; /* the current test's environment directory */
extern bzl_storage *store;    /* open between db_setup and db_teardown */

/* Makes a fresh directory "<parent>/<prefix>.XXXXXX" into buf (size bytes); parent NULL means
 * $TMPDIR, or /tmp when it is unset. */
void fixture_mkdtemp(char *buf, size_t size, const char *parent, const char *prefix);
/* Removes dir and everything below it, without following links; errors are ignored. */
void fixture_remove_tree(const char *dir);

void root_setup(void);
void root_teardown(void);
/* Opens `store` on db_dir with these map sizes (0: the library's defaults). */
void open_with(uint64_t map_bytes, uint64_t map_bytes_max);
void db_setup(void);
void db_teardown(void);

bzl_txn *write_txn(void);
bzl_txn *read_txn(void);

void make_enterprise(bzl_enterprise *e, const char *code);
void make_book(bzl_book *b, const char *book_no, const char *enterprise);
void make_item(bzl_item *it, const char *book_no, bzl_kind kind, uint32_t item_no);

/* Enterprise ENT with book BOOK holding materials 1, 2 and product 1: four journal entries. */
void seed(void);
/* A repair book (usage 3, verified by work order) of ENT with material 1 and product 1, beside
 * what seed() made: declarations with an origin belong on it (repair.h). */
#define RBOOK "H72012400077"
void seed_repair_book(void);
#define SEED_ENTRIES 5u

/* The journal's entry count, read in its own transaction. */
uint64_t journal_entries(void);

/* The balance of `item` of `kind` in BOOK, read in its own transaction. */
bzl_balance balance_of(bzl_kind kind, uint32_t item);

/* Closes the store, puts one raw row with LMDB directly (as a damaged or foreign database
 * would have it), or deletes the row when val is NULL, and leaves the store closed. */
void forge(const char *db, const void *key, size_t key_len, const void *val, size_t val_len);

#endif
