/* storage_norms.c — consumption norms (BOM versions), business-mode events, scrap allowances.
 * Byte layouts: format.h, except the version's first user below.
 *
 * A version is used as a whole: a declaration consuming by it marks every one of its rows used
 * (bzl__norm_mark_used), and from then on no line of it may change and no material be added.
 * So that the refusal can name a declaration that used it, the use that marks a version's rows
 * first also writes one record per version (its "first user") in the norm database:
 *
 *   key: 0x00 | book_no[12] | product u32 BE | version[8] padded (25 bytes). The leading zero
 *        byte sorts before every book number (a letter comes first), so it is never inside the
 *        prefix of a norm scan, and a norm key (28 bytes) never starts with it.
 *   value (20..83 bytes):
 *     0    8   seq u64 LE: the journal entry of the declaration that first used the version
 *     8    10  enterprise[10]
 *     18   1   id_len u8 (1..64)
 *     19   n   id
 *
 * A version used before these records existed has used rows and no record: it is as immutable,
 * and its refusal names no declaration.
 */
#include "storage_internal.h"

#include <stdio.h>
#include <stdlib.h>

static_assert(USER_KEY_BYTES != NORM_KEY_BYTES, "a user key is never read as a norm key");
static_assert(BZL_DECL_ID_BYTES_MAX <= UINT8_MAX, "id_len fits its byte");

/* ---- norm codec ------------------------------------------------------------------------------ */

static void
norm_key(uint8_t key[NORM_KEY_BYTES], const char *book_no, uint32_t product, const char *version,
         uint32_t material)
{
    bzl_wr w = {.p = key, .cap = NORM_KEY_BYTES};
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, product, 4);
    wr_fixed(&w, version, BZL_BOM_VERSION_BYTES_MAX);
    wr_be(&w, material, 4);
}

static void
norm_value(uint8_t buf[NORM_VALUE_BYTES], const bzl_norm *n)
{
    bzl_wr w = {.p = buf, .cap = NORM_VALUE_BYTES};
    wr_i32(&w, n->valid_from);
    wr_i64(&w, n->net_e9);
    wr_i64(&w, n->tangible_e9);
    wr_i64(&w, n->intangible_e9);
    wr_i64(&w, n->share_e9);
    wr_i64(&w, n->ucns_e9);
    wr_u8(&w, n->used ? 1 : 0);
}

static bzl_status
norm_decode(const MDB_val *k, const MDB_val *v, bzl_norm *out)
{
    bzl_norm n;
    memset(&n, 0, sizeof n);
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size};
    rd_text(&kr, n.book_no, sizeof n.book_no, BZL_BOOK_NO_LEN, false);
    n.product = (uint32_t)rd_be(&kr, 4);
    rd_text(&kr, n.version, sizeof n.version, BZL_BOM_VERSION_BYTES_MAX, true);
    n.material = (uint32_t)rd_be(&kr, 4);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    n.valid_from = rd_i32(&r);
    n.net_e9 = rd_i64(&r);
    n.tangible_e9 = rd_i64(&r);
    n.intangible_e9 = rd_i64(&r);
    n.share_e9 = rd_i64(&r);
    n.ucns_e9 = rd_i64(&r);
    uint8_t used = rd_u8(&r);
    if (!rd_done(&kr) || !rd_done(&r) || used > 1 || n.version[0] == '\0') {
        return BZL_CORRUPT;
    }
    n.used = used == 1;
    *out = n;
    return BZL_OK;
}

static bool
norm_same(const bzl_norm *a, const bzl_norm *b)
{
    return a->valid_from == b->valid_from && a->net_e9 == b->net_e9 &&
           a->tangible_e9 == b->tangible_e9 && a->intangible_e9 == b->intangible_e9 &&
           a->share_e9 == b->share_e9;
}

/* Calls visit for every norm whose key starts with prefix[0..prefix_len); visit returns false
 * to stop. */
static bzl_status
norm_scan(bzl_txn *t, const uint8_t *prefix, size_t prefix_len,
          bool (*visit)(const bzl_norm *n, void *arg), void *arg)
{
    bzl__walk w;
    bzl__walk_begin(t, DB_NORM, prefix, prefix_len, prefix_len, &w);
    bzl_status st = BZL_OK;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        bzl_norm n;
        st = norm_decode(&w.k, &w.v, &n);
        if (st != BZL_OK || !visit(&n, arg)) {
            break;
        }
    }
    return bzl__walk_end(&w, st);
}

/* Stops at the first row marked used; arg is the bool to set. */
static bool
norm_scan_used(const bzl_norm *n, void *arg)
{
    *(bool *)arg = n->used;
    return !n->used;
}

/* ---- a version's first user ------------------------------------------------------------------ */

/* A declaration that used a version: the first one since first-user records exist. */
typedef struct norm_user {
    uint64_t seq;
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
} norm_user;

static void
user_key(uint8_t key[USER_KEY_BYTES], const char *book_no, uint32_t product, const char *version)
{
    bzl_wr w = {.p = key, .cap = USER_KEY_BYTES};
    wr_u8(&w, 0);
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_be(&w, product, 4);
    wr_fixed(&w, version, BZL_BOM_VERSION_BYTES_MAX);
    BZL_ASSERT(w.len == USER_KEY_BYTES);
}

/* The version's first user; *found false for a version never used, or used before the records
 * existed. BZL_CORRUPT for a malformed record. */
static bzl_status
user_get(bzl_txn *t, const char *book_no, uint32_t product, const char *version, norm_user *out,
         bool *found)
{
    uint8_t key[USER_KEY_BYTES];
    user_key(key, book_no, product, version);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_NORM], &k, &v);
    *found = false;
    if (rc == MDB_NOTFOUND) {
        return BZL_OK;
    }
    if (rc != MDB_SUCCESS) {
        return bzl__mdb_status(rc);
    }
    norm_user u;
    bzl_rd r = {.p = v.mv_data, .len = v.mv_size};
    u.seq = rd_u64(&r);
    rd_text(&r, u.enterprise, sizeof u.enterprise, BZL_ENTERPRISE_CODE_LEN, false);
    size_t id_len = rd_u8(&r);
    r.bad |= id_len == 0 || id_len > BZL_DECL_ID_BYTES_MAX;
    rd_text(&r, u.id, sizeof u.id, r.bad ? 0 : id_len, false);
    if (!rd_done(&r) || u.seq == 0) {
        return BZL_CORRUPT;
    }
    *out = u;
    *found = true;
    return BZL_OK;
}

/* Records declaration d (entry seq) as n's version's first user, unless the version has one
 * already. */
static bzl_status
user_put_once(bzl_txn *t, const bzl_norm *n, const bzl_declaration *d, uint64_t seq)
{
    BZL_ASSERT(seq > 0);
    norm_user u;
    bool found = false;
    bzl_status st = user_get(t, n->book_no, n->product, n->version, &u, &found);
    if (st != BZL_OK || found) {
        return st;
    }
    u.seq = seq;
    memcpy(u.enterprise, d->enterprise, sizeof u.enterprise);
    memcpy(u.id, d->id, sizeof u.id);
    uint8_t key[USER_KEY_BYTES];
    uint8_t value[USER_VALUE_BYTES_MAX];
    size_t id_len = strlen(u.id);
    user_key(key, n->book_no, n->product, n->version);
    bzl_wr w = {.p = value, .cap = sizeof value};
    wr_u64(&w, u.seq);
    wr_fixed(&w, u.enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)id_len);
    wr_bytes(&w, u.id, id_len);
    BZL_ASSERT(w.len >= USER_VALUE_BYTES_MIN && w.len <= USER_VALUE_BYTES_MAX);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(value, w.len);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_NORM], &k, &v, 0));
}

/* ---- norm set -------------------------------------------------------------------------------- */

static bzl_status
item_needed(bzl_txn *t, const char *book_no, bzl_kind kind, uint32_t item_no,
            bzl_action_result *out)
{
    bzl_item item;
    bzl_status st = bzl_storage_item_get(t, book_no, kind, item_no, &item);
    if (st == BZL_NOT_FOUND) {
        out->status = bzl_fault_set(
            &out->fault, st, 0, kind == BZL_KIND_PRODUCT ? "product" : "material",
            "%s %u is not an item of book %s", bzl_kind_name(kind), (unsigned)item_no, book_no);
        out->fault.item_no = item_no;
        return BZL_OK;
    }
    return st;
}

/* Whether n's version was used, and by which declaration when that is recorded. */
typedef struct version_use {
    bool used;
    bool named; /* user holds the first declaration that used it */
    norm_user user;
} version_use;

/* A version is used when its first user is recorded, or (written before the records) when any
 * of its rows is marked used. */
static bzl_status
version_use_get(bzl_txn *t, const bzl_norm *n, version_use *out)
{
    memset(out, 0, sizeof *out);
    bzl_status st = user_get(t, n->book_no, n->product, n->version, &out->user, &out->named);
    if (st != BZL_OK || out->named) {
        out->used = out->named;
        return st;
    }
    uint8_t prefix[NORM_KEY_BYTES];
    norm_key(prefix, n->book_no, n->product, n->version, 0);
    return norm_scan(t, prefix, NORM_PREFIX_BYTES + BZL_BOM_VERSION_BYTES_MAX, norm_scan_used,
                     &out->used);
}

/* Refuses setting n (adding a material when `adds`, else changing its line) in a used version. */
static void
refuse_used(const bzl_norm *n, bool adds, const version_use *use, bzl_action_result *out)
{
    char by[sizeof "declaration  of enterprise " + BZL_DECL_ID_BYTES_MAX + BZL_ENTERPRISE_CODE_LEN];
    if (use->named) {
        snprintf(by, sizeof by, "declaration %s of enterprise %s", use->user.id,
                 use->user.enterprise);
    } else {
        snprintf(by, sizeof by, "a declaration");
    }
    out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "version",
                                "norm version %s of product %u was used by %s and is immutable: "
                                "material %u cannot be %s; set a new version",
                                n->version, (unsigned)n->product, by, (unsigned)n->material,
                                adds ? "added" : "changed");
    out->fault.item_no = n->material;
}

static bzl_status
norm_set_in(bzl_txn *t, const bzl_norm *n, const bzl_actor *actor, bzl_action_result *out)
{
    bzl_status st = item_needed(t, n->book_no, BZL_KIND_PRODUCT, n->product, out);
    if (st == BZL_OK && out->status == BZL_OK) {
        st = item_needed(t, n->book_no, BZL_KIND_MATERIAL, n->material, out);
    }
    if (st != BZL_OK || out->status != BZL_OK) {
        return st;
    }
    uint8_t key[NORM_KEY_BYTES];
    norm_key(key, n->book_no, n->product, n->version, n->material);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_NORM], &k, &v);
    if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    bool exists = rc == MDB_SUCCESS;
    bzl_norm old;
    st = exists ? norm_decode(&k, &v, &old) : BZL_OK;
    if (st != BZL_OK) {
        return st;
    }
    if (exists && norm_same(&old, n)) {
        out->replayed = true;
        return BZL_OK;
    }
    /* A new or changed line: only in a version no declaration has used. */
    version_use use;
    st = version_use_get(t, n, &use);
    if (st == BZL_OK && use.used) {
        refuse_used(n, !exists, &use, out);
    }
    if (st != BZL_OK || use.used) {
        return st;
    }
    bzl_norm rec = *n;
    rec.used = false;
    uint8_t value[NORM_VALUE_BYTES];
    norm_value(value, &rec);
    MDB_val nv = bzl__mval(value, sizeof value);
    rc = mdb_put(t->txn, t->s->dbi[DB_NORM], &k, &nv, 0);
    uint8_t *payload = NULL;
    st = rc == MDB_SUCCESS
             ? bzl__journal_reserve(t, JOURNAL_NORM, actor, NORM_KEY_BYTES + NORM_VALUE_BYTES,
                                    &payload, &out->seq)
             : bzl__mdb_status(rc);
    if (st == BZL_OK) {
        memcpy(payload, key, NORM_KEY_BYTES);
        memcpy(payload + NORM_KEY_BYTES, value, NORM_VALUE_BYTES);
        st = bzl__journal_seal(t, out->seq);
    }
    return st;
}

bzl_status
bzl_storage_norm_set(bzl_txn *batch, const bzl_norm *n, const bzl_actor *actor,
                     bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(n->ucns_e9 > 0);
    memset(out, 0, sizeof *out);
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = norm_set_in(child, n, actor, out);
    }
    if (st != BZL_OK || out->status != BZL_OK || out->replayed) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

/* A row marked already belongs to a version whose use is recorded, or was used before the
 * records existed. */
bzl_status
bzl__norm_mark_used(bzl_txn *t, const bzl_norm *n, const bzl_declaration *d, uint64_t seq)
{
    if (n->used) {
        return BZL_OK;
    }
    uint8_t key[NORM_KEY_BYTES];
    uint8_t value[NORM_VALUE_BYTES];
    bzl_norm rec = *n;
    rec.used = true;
    norm_key(key, n->book_no, n->product, n->version, n->material);
    norm_value(value, &rec);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v = bzl__mval(value, sizeof value);
    bzl_status st = bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_NORM], &k, &v, 0));
    return st == BZL_OK ? user_put_once(t, n, d, seq) : st;
}

/* ---- norm lookups ---------------------------------------------------------------------------- */

typedef struct pick {
    int32_t date;
    bool found;
    int32_t from;
    char version[BZL_BOM_VERSION_BYTES_MAX + 1];
} pick;

/* The latest version in force: greatest valid_from <= date, then greatest version
 * (bzl_norm_version_cmp: 10 after 9). */
static bool
pick_visit(const bzl_norm *n, void *arg)
{
    pick *p = arg;
    if (n->valid_from <= p->date &&
        (!p->found || n->valid_from > p->from ||
         (n->valid_from == p->from && bzl_norm_version_cmp(n->version, p->version) > 0))) {
        p->found = true;
        p->from = n->valid_from;
        memcpy(p->version, n->version, sizeof p->version);
    }
    return true;
}

/* The latest valid_from of a version's lines. */
typedef struct span {
    bool found;
    int32_t from;
} span;

static bool
span_visit(const bzl_norm *n, void *arg)
{
    span *s = arg;
    if (!s->found || n->valid_from > s->from) {
        s->from = n->valid_from;
    }
    s->found = true;
    return true;
}

bzl_status
bzl__norm_version_from(bzl_txn *t, const char *book_no, uint32_t product, const char *version,
                       int32_t *from, bool *found)
{
    BZL_ASSERT(version[0] != '\0');
    uint8_t key[NORM_KEY_BYTES];
    norm_key(key, book_no, product, version, 0);
    span s = {.found = false};
    bzl_status st =
        norm_scan(t, key, NORM_PREFIX_BYTES + BZL_BOM_VERSION_BYTES_MAX, span_visit, &s);
    if (st == BZL_OK) {
        *from = s.from;
        *found = s.found;
    }
    return st;
}

typedef struct collect {
    bzl_norm **rows;
    uint32_t *count;
    uint32_t *cap;
    uint32_t taken;
    bzl_status st;
} collect;

static bool
collect_visit(const bzl_norm *n, void *arg)
{
    collect *c = arg;
    if (c->taken == BZL_BOM_MATERIALS_MAX) {
        c->st = BZL_LIMIT_EXCEEDED;
        return false;
    }
    if (*c->count == *c->cap) {
        uint32_t next = *c->cap == 0 ? 16u : *c->cap * 2u;
        bzl_norm *grown = realloc(*c->rows, (size_t)next * sizeof **c->rows);
        if (grown == NULL) {
            c->st = BZL_NO_MEMORY;
            return false;
        }
        *c->rows = grown;
        *c->cap = next;
    }
    (*c->rows)[(*c->count)++] = *n;
    c->taken++;
    return true;
}

bzl_status
bzl__norms_resolve(bzl_txn *t, const char *book_no, uint32_t product, const char *version,
                   int32_t date, bzl_norm **rows, uint32_t *count, uint32_t *cap)
{
    bool named = version[0] != '\0';
    uint8_t key[NORM_KEY_BYTES];
    pick p = {.date = date};
    bzl_status st = BZL_OK;
    if (version[0] == '\0') {
        norm_key(key, book_no, product, "", 0);
        st = norm_scan(t, key, NORM_PREFIX_BYTES, pick_visit, &p);
        if (st != BZL_OK || !p.found) {
            return st;
        }
        version = p.version;
    }
    uint32_t before = *count;
    norm_key(key, book_no, product, version, 0);
    collect c = {.rows = rows, .count = count, .cap = cap, .st = BZL_OK};
    st = norm_scan(t, key, NORM_PREFIX_BYTES + BZL_BOM_VERSION_BYTES_MAX, collect_visit, &c);
    st = st != BZL_OK ? st : c.st;
    /* A version named explicitly is in force once all its lines are: a line dated after `date`
     * leaves the product without rows, which the caller refuses as NORM_MISSING. */
    bool in_force = true;
    for (uint32_t i = before; named && st == BZL_OK && i < *count; i++) {
        in_force = in_force && (*rows)[i].valid_from <= date;
    }
    if (!in_force) {
        *count = before;
    }
    return st;
}

bzl_status
bzl__norms_resolve_rows(const bzl_norm *all, uint32_t n_all, const char *version, int32_t date,
                        bzl_norm **rows, uint32_t *count, uint32_t *cap)
{
    BZL_ASSERT(all != NULL || n_all == 0);
    bool named = version[0] != '\0';
    pick p = {.date = date};
    if (!named) {
        for (uint32_t i = 0; i < n_all; i++) {
            (void)pick_visit(&all[i], &p);
        }
        if (!p.found) {
            return BZL_OK;
        }
        version = p.version;
    }
    uint32_t before = *count;
    collect c = {.rows = rows, .count = count, .cap = cap, .st = BZL_OK};
    for (uint32_t i = 0; i < n_all; i++) {
        if (strcmp(all[i].version, version) == 0 && !collect_visit(&all[i], &c)) {
            break;
        }
    }
    /* As bzl__norms_resolve: a named version is in force once all its lines are. */
    bool in_force = true;
    for (uint32_t i = before; named && c.st == BZL_OK && i < *count; i++) {
        in_force = in_force && (*rows)[i].valid_from <= date;
    }
    if (!in_force) {
        *count = before;
    }
    return c.st;
}

bzl_status
bzl__norm_decode_bytes(const uint8_t key[NORM_KEY_BYTES], const uint8_t value[NORM_VALUE_BYTES],
                       bzl_norm *out)
{
    MDB_val k = bzl__mval(key, NORM_KEY_BYTES);
    MDB_val v = bzl__mval(value, NORM_VALUE_BYTES);
    return norm_decode(&k, &v, out);
}

bzl_status
bzl_storage_norms_in_force(bzl_txn *t, const char *book_no, uint32_t product, int32_t date,
                           bzl_norm *out, size_t cap, size_t *count)
{
    BZL_ASSERT(out != NULL || cap == 0);
    bzl_norm *rows = NULL;
    uint32_t n = 0;
    uint32_t ncap = 0;
    bzl_status st = bzl__norms_resolve(t, book_no, product, "", date, &rows, &n, &ncap);
    if (st == BZL_OK && n > cap) {
        st = BZL_LIMIT_EXCEEDED;
    }
    if (st == BZL_OK) {
        if (n > 0) {
            memcpy(out, rows, n * sizeof *rows);
        }
        *count = n;
    }
    free(rows);
    return st;
}

typedef struct list_ctx {
    uint32_t product;
    size_t skip;
    bzl_norm *out;
    size_t cap;
    size_t n;
    bool more;
} list_ctx;

static bool
list_visit(const bzl_norm *n, void *arg)
{
    list_ctx *c = arg;
    if (c->skip > 0) {
        c->skip--;
        return true;
    }
    if (c->n == c->cap) {
        c->more = true;
        return false;
    }
    c->out[c->n++] = *n;
    return true;
}

bzl_status
bzl_storage_norm_list(bzl_txn *t, const char *book_no, uint32_t product, size_t skip, bzl_norm *out,
                      size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(cap > 0 && cap <= BZL_LIST_ROWS_MAX);
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t key[NORM_KEY_BYTES];
    norm_key(key, book_no, product, "", 0);
    list_ctx c = {.product = product, .skip = skip, .out = out, .cap = cap};
    st = norm_scan(t, key, product != 0 ? NORM_PREFIX_BYTES : BZL_BOOK_NO_LEN, list_visit, &c);
    if (st == BZL_OK) {
        *count = c.n;
        *more = c.more;
    }
    return st;
}

/* ---- business-mode events ------------------------------------------------------------------- */

static bzl_status
mode_set_in(bzl_txn *t, const char *book_no, uint32_t item_no, uint8_t mode, int32_t from,
            const bzl_actor *actor, bzl_action_result *out)
{
    bzl_status st = item_needed(t, book_no, BZL_KIND_PRODUCT, item_no, out);
    if (st != BZL_OK || out->status != BZL_OK) {
        return st;
    }
    uint8_t key[MODE_KEY_BYTES];
    bzl_wr kw = {.p = key, .cap = sizeof key};
    bzl__item_key(wr_take(&kw, ITEM_KEY_BYTES), book_no, BZL_KIND_PRODUCT, item_no);
    wr_be(&kw, (uint32_t)from, 4);
    MDB_val k = bzl__mval(key, sizeof key);
    MDB_val v;
    int rc = mdb_get(t->txn, t->s->dbi[DB_ITEM_MODE], &k, &v);
    if (rc == MDB_SUCCESS) {
        if (v.mv_size == 1 && *(const uint8_t *)v.mv_data == mode) {
            out->replayed = true;
        } else {
            out->status = bzl_fault_set(&out->fault, BZL_STATE_CONFLICT, 0, "from",
                                        "product %u already has a mode event on that date",
                                        (unsigned)item_no);
        }
        return BZL_OK;
    }
    if (rc != MDB_NOTFOUND) {
        return bzl__mdb_status(rc);
    }
    MDB_val mv = bzl__mval(&mode, 1);
    rc = mdb_put(t->txn, t->s->dbi[DB_ITEM_MODE], &k, &mv, 0);
    uint8_t *payload = NULL;
    st = rc == MDB_SUCCESS ? bzl__journal_reserve(t, JOURNAL_ITEM_MODE, actor, MODE_KEY_BYTES + 1u,
                                                  &payload, &out->seq)
                           : bzl__mdb_status(rc);
    if (st == BZL_OK) {
        memcpy(payload, key, MODE_KEY_BYTES);
        payload[MODE_KEY_BYTES] = mode;
        st = bzl__journal_seal(t, out->seq);
    }
    return st;
}

bzl_status
bzl_storage_item_mode_set(bzl_txn *batch, const char *book_no, uint32_t item_no, uint8_t mode,
                          int32_t from, const bzl_actor *actor, bzl_action_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write);
    BZL_ASSERT(mode >= BZL_BIZ_OEM && mode <= BZL_BIZ_OBM);
    memset(out, 0, sizeof *out);
    bzl_txn *child = NULL;
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = mode_set_in(child, book_no, item_no, mode, from, actor, out);
    }
    if (st != BZL_OK || out->status != BZL_OK || out->replayed) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

bzl_status
bzl_storage_item_modes(bzl_txn *t, const char *book_no, uint32_t item_no, bzl_mode_event *out,
                       size_t cap, size_t *count)
{
    uint8_t prefix[ITEM_KEY_BYTES];
    bzl__item_key(prefix, book_no, BZL_KIND_PRODUCT, item_no);
    bzl__walk w;
    bzl__walk_begin(t, DB_ITEM_MODE, prefix, sizeof prefix, sizeof prefix, &w);
    size_t n = 0;
    bzl_status st = BZL_OK;
    while (st == BZL_OK && n < cap && bzl__walk_next(&w)) {
        if (w.k.mv_size != MODE_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = ITEM_KEY_BYTES};
        out[n].from = (int32_t)rd_be(&kr, 4);
        out[n].mode = w.v.mv_size == 1 ? *(const uint8_t *)w.v.mv_data : 0;
        if (out[n].mode < BZL_BIZ_OEM || out[n].mode > BZL_BIZ_OBM) {
            st = BZL_CORRUPT;
            break;
        }
        n++;
    }
    return bzl__list_end(w.cur, w.rc, st, n, false, count, NULL);
}

/* ---- scrap allowances ----------------------------------------------------------------------- */

bzl_status
bzl_storage_scrap_list(bzl_txn *t, const char *book_no, uint32_t item_no, uint32_t after_item,
                       bzl_scrap_row *out, size_t cap, size_t *count, bool *more)
{
    BZL_ASSERT(cap > 0);
    bzl_book book;
    bzl_status st = bzl_storage_book_get(t, book_no, &book);
    if (st != BZL_OK) {
        return st;
    }
    uint8_t prefix[ITEM_KEY_BYTES];
    bzl__item_key(prefix, book_no, BZL_KIND_MATERIAL, item_no);
    size_t prefix_len = item_no != 0 ? ITEM_KEY_BYTES : BZL_BOOK_NO_LEN + 1u;
    /* Paging seeks to the first material after after_item (a client's number, so clamped:
     * no item is numbered past BZL_ITEM_NO_MAX, and the seek then finds nothing). */
    static_assert(BZL_ITEM_NO_MAX < UINT32_MAX, "the seek past the last item fits");
    uint8_t seek[ITEM_KEY_BYTES];
    bzl__item_key(seek, book_no, BZL_KIND_MATERIAL,
                  after_item < BZL_ITEM_NO_MAX ? after_item + 1u : BZL_ITEM_NO_MAX + 1u);
    bool seek_after = item_no == 0 && after_item != 0;
    /* The seek key shares the prefix's first prefix_len bytes (book and kind) when it is used. */
    bzl__walk w;
    bzl__walk_begin(t, DB_SCRAP, seek_after ? seek : prefix,
                    seek_after ? ITEM_KEY_BYTES : prefix_len, prefix_len, &w);
    size_t n = 0;
    bool further = false;
    while (st == BZL_OK && bzl__walk_next(&w)) {
        if (w.k.mv_size != ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        if (n == cap) {
            further = true;
            break;
        }
        bzl_rd kr = {.p = w.k.mv_data, .len = w.k.mv_size, .off = BZL_BOOK_NO_LEN + 1u};
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        out[n].item_no = (uint32_t)rd_be(&kr, 4);
        out[n].scrap.generated_e5 = rd_i64(&r);
        out[n].scrap.used_e5 = rd_i64(&r);
        st = rd_done(&r) ? BZL_OK : BZL_CORRUPT;
        n++;
    }
    return bzl__list_end(w.cur, w.rc, st, n, further, count, more);
}
