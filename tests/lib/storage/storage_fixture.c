/* storage_fixture.c — the shared fixture of the LMDB storage tests; see storage_fixture.h. */
#include "storage_fixture.h"

#include <check.h>
#include <ftw.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BZL_CHECK_NAME
#error "BZL_CHECK_NAME (the test executable's name) is defined by CMakeLists.txt"
#endif

const char BOOK[] = "H72012400001";
const char ENT[] = "330261A004";
const bzl_actor actor = {
    .uid = 1000, .gid = 1000, .pid = 4242, .role = 3, .request_id = 77, .time_ms = 1773500000000};

static char root_dir[PATH_MAX / 2];
char db_dir[PATH_MAX];
bzl_storage *store;

/* ---- directories --------------------------------------------------------------------------- */

static int
remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void
fixture_mkdtemp(char *buf, size_t size, const char *parent, const char *prefix)
{
    if (parent == NULL) {
        parent = getenv("TMPDIR");
    }
    snprintf(buf, size, "%s/%s.XXXXXX", parent != NULL ? parent : "/tmp", prefix);
    ck_assert_ptr_nonnull(mkdtemp(buf));
}

void
fixture_remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- fixtures ------------------------------------------------------------------------------ */

void
root_setup(void)
{
    fixture_mkdtemp(root_dir, sizeof root_dir, NULL, BZL_CHECK_NAME);
}

void
root_teardown(void)
{
    fixture_remove_tree(root_dir);
}

void
open_with(uint64_t map_bytes, uint64_t map_bytes_max)
{
    bzl_storage_options opts = {
        .dir = db_dir, .map_bytes = map_bytes, .map_bytes_max = map_bytes_max};
    char why[256] = "";
    bzl_status st = bzl_storage_open(&opts, &store, why, sizeof why);
    ck_assert_msg(st == BZL_OK, "open: %s (%s)", bzl_status_name(st), why);
}

void
db_setup(void)
{
    fixture_mkdtemp(db_dir, sizeof db_dir, root_dir, "db");
    open_with(0, 0);
}

void
db_teardown(void)
{
    bzl_storage_close(store);
    store = NULL;
    fixture_remove_tree(db_dir);
}

/* ---- helpers ------------------------------------------------------------------------------- */

bzl_txn *
write_txn(void)
{
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, true, &t), BZL_OK);
    return t;
}

bzl_txn *
read_txn(void)
{
    bzl_txn *t = NULL;
    ck_assert_int_eq(bzl_txn_begin(store, NULL, false, &t), BZL_OK);
    return t;
}

void
make_enterprise(bzl_enterprise *e, const char *code)
{
    memset(e, 0, sizeof *e);
    strcpy(e->code, code);
    strcpy(e->uscc, "91310000717866186P");
    strcpy(e->name, "宁波保税区精密电子有限公司");
    strcpy(e->area, "core bonded zone");
}

void
make_book(bzl_book *b, const char *book_no, const char *enterprise)
{
    memset(b, 0, sizeof *b);
    strcpy(b->book_no, book_no);
    strcpy(b->enterprise, enterprise);
    b->verify_mode = BZL_VERIFY_UNIT;
    b->status = BZL_BOOK_OPEN;
    b->period_days = 365;
}

void
make_item(bzl_item *it, const char *book_no, bzl_kind kind, uint32_t item_no)
{
    memset(it, 0, sizeof *it);
    strcpy(it->book_no, book_no);
    it->kind = (uint8_t)kind;
    it->item_no = item_no;
    strcpy(it->hs, "8542319000");
    strcpy(it->unit, "035");
    it->biz_mode = kind == BZL_KIND_PRODUCT ? BZL_BIZ_ODM : BZL_BIZ_NONE;
    snprintf(it->name, sizeof it->name, "晶圆 %u", (unsigned)item_no);
}

void
seed(void)
{
    bzl_enterprise e;
    bzl_book b;
    bzl_item it;
    bzl_txn *t = write_txn();
    make_enterprise(&e, ENT);
    make_book(&b, BOOK, ENT);
    ck_assert_int_eq(bzl_storage_enterprise_add(t, &e, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    make_item(&it, BOOK, BZL_KIND_MATERIAL, 1);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    make_item(&it, BOOK, BZL_KIND_MATERIAL, 2);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    make_item(&it, BOOK, BZL_KIND_PRODUCT, 1);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

void
seed_repair_book(void)
{
    bzl_book b;
    bzl_item it;
    bzl_txn *t = write_txn();
    make_book(&b, RBOOK, ENT);
    b.usage = 3;
    b.verify_mode = BZL_VERIFY_WORK_ORDER;
    ck_assert_int_eq(bzl_storage_book_add(t, &b, &actor, NULL), BZL_OK);
    make_item(&it, RBOOK, BZL_KIND_MATERIAL, 1);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    make_item(&it, RBOOK, BZL_KIND_PRODUCT, 1);
    ck_assert_int_eq(bzl_storage_item_add(t, &it, &actor, NULL), BZL_OK);
    ck_assert_int_eq(bzl_txn_commit(t), BZL_OK);
}

bzl_balance
balance_of(bzl_kind kind, uint32_t item)
{
    bzl_balance b;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_balance_get(t, BOOK, kind, item, &b), BZL_OK);
    bzl_txn_abort(t);
    return b;
}

void
forge(const char *db, const void *key, size_t key_len, const void *val, size_t val_len)
{
    bzl_storage_close(store);
    store = NULL;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_val k = {.mv_size = key_len, .mv_data = (void *)key};
    MDB_val v = {.mv_size = val_len, .mv_data = (void *)val};
    ck_assert_int_eq(mdb_env_create(&env), 0);
    ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
    ck_assert_int_eq(mdb_env_open(env, db_dir, 0, 0600), 0);
    ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
    ck_assert_int_eq(mdb_dbi_open(txn, db, 0, &dbi), 0);
    if (val == NULL) {
        ck_assert_int_eq(mdb_del(txn, dbi, &k, NULL), 0);
    } else {
        ck_assert_int_eq(mdb_put(txn, dbi, &k, &v, 0), 0);
    }
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

uint64_t
journal_entries(void)
{
    bzl_storage_stats stats;
    bzl_txn *t = read_txn();
    ck_assert_int_eq(bzl_storage_stats_get(t, &stats), BZL_OK);
    bzl_txn_abort(t);
    return stats.journal_entries;
}
