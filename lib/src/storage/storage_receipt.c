/* storage_receipt.c — customs receipts applied to lists (storage_receipt.h; docs/INV101.md
 * "Receipts"; next-wave.md A.2, A.6, A.7). Byte layouts: format.h's receipt table.
 *
 * The receipt table (DB_RECEIPT) holds four kinds of record, told by the key's first byte:
 *   'L' enterprise | id_len | id            → the list's customs state and merged back-fills
 *   'R' enterprise | id_len | id | n u16 BE → receipt n of the list: its entry and content
 *   'S' SeqNo                                → enterprise | id_len | id (the SeqNo index)
 *   'B' book | kind | item u32 BE            → the latest INV211 BwsDt line of the item
 * Every record follows from the receipt entries (22) of the journal alone.
 */
#include "storage_internal.h"

#include "bzl/decimal.h"
#include "bzl/storage_receipt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define RECEIPT_KEY_BYTES_MAX (1u + BZL_ENTERPRISE_CODE_LEN + 1u + BZL_DECL_ID_BYTES_MAX + 2u)

/* ---- the field list (FIELDS in format.h) ------------------------------------------------------
 * count u16 | per field: group u8 | line u32 | name_len u8 | name | 0 | value_len u16 | value | 0
 * The NUL after each string lets a decoded field borrow the bytes as C strings. */

static size_t
field_bytes(const bzl_receipt_field *f)
{
    return 1u + 4u + 1u + strlen(f->name) + 1u + 2u + strlen(f->value) + 1u;
}

static void
field_put(bzl_wr *w, const bzl_receipt_field *f)
{
    size_t n = strlen(f->name);
    size_t v = strlen(f->value);
    wr_u8(w, f->group);
    wr_u32(w, f->line);
    wr_u8(w, (uint8_t)n);
    wr_bytes(w, f->name, n);
    wr_u8(w, 0);
    wr_u16(w, (uint16_t)v);
    wr_bytes(w, f->value, v);
    wr_u8(w, 0);
}

/* rd_take for any length: NULL (and the reader bad) past the end. */
static const uint8_t *
take(bzl_rd *r, size_t n)
{
    if (r->bad || r->off > r->len || n > r->len - r->off) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

/* rd_text of a length read from the bytes: a length that does not fit marks the reader bad. */
static void
text_of(bzl_rd *r, char *dst, size_t cap, size_t n)
{
    if (n >= cap) {
        r->bad = true;
        dst[0] = '\0';
        return;
    }
    rd_text(r, dst, cap, n, false);
}

/* Decodes a FIELDS section at r into out[cap] (pointing into r's bytes). */
static bool
fields_get(bzl_rd *r, bzl_receipt_field *out, size_t cap, uint32_t *count)
{
    uint32_t n = rd_u16(r);
    if (r->bad || n > cap) {
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        out[i].group = rd_u8(r);
        out[i].line = rd_u32(r);
        size_t nl = rd_u8(r);
        const uint8_t *name = take(r, nl + 1u);
        size_t vl = rd_u16(r);
        const uint8_t *value = take(r, vl + 1u);
        if (r->bad || name[nl] != 0 || value[vl] != 0 || out[i].group > 2) {
            return false;
        }
        out[i].name = (const char *)name;
        out[i].value = (const char *)value;
    }
    *count = n;
    return true;
}

static int
field_order(const bzl_receipt_field *a, const bzl_receipt_field *b)
{
    if (a->group != b->group) {
        return a->group < b->group ? -1 : 1;
    }
    if (a->line != b->line) {
        return a->line < b->line ? -1 : 1;
    }
    return strcmp(a->name, b->name);
}

/* ---- keys ----------------------------------------------------------------------------------- */

static size_t
list_key(uint8_t key[RECEIPT_KEY_BYTES_MAX], char tag, const char *enterprise, const char *id)
{
    bzl_wr w = {.p = key, .cap = RECEIPT_KEY_BYTES_MAX};
    size_t n = strlen(id);
    BZL_ASSERT(n <= BZL_DECL_ID_BYTES_MAX);
    wr_u8(&w, (uint8_t)tag);
    wr_fixed(&w, enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)n);
    wr_bytes(&w, id, n);
    return w.len;
}

static bzl_status
get(bzl_txn *t, const void *key, size_t len, MDB_val *v)
{
    MDB_val k = bzl__mval(key, len);
    return bzl__mdb_status(mdb_get(t->txn, t->s->dbi[DB_RECEIPT], &k, v));
}

static bzl_status
put(bzl_txn *t, const void *key, size_t len, const void *val, size_t vlen)
{
    MDB_val k = bzl__mval(key, len);
    MDB_val v = bzl__mval(val, vlen);
    return bzl__mdb_status(mdb_put(t->txn, t->s->dbi[DB_RECEIPT], &k, &v, 0));
}

/* ---- the list record ------------------------------------------------------------------------
 * state u8 | count u16 | last_seq u64 | FIELDS (groups 0 and 1, in field order) */

typedef struct list_rec {
    uint8_t state;
    uint32_t count;
    uint64_t last_seq;
    uint32_t field_count;
    bzl_receipt_field *fields; /* malloc'd; strings point into bytes */
    uint8_t *bytes;            /* malloc'd copy of the record */
} list_rec;

static void
list_rec_free(list_rec *l)
{
    free(l->fields);
    free(l->bytes);
    memset(l, 0, sizeof *l);
}

/* The list's record; a list without one is SUBMITTED with nothing. */
static bzl_status
list_get(bzl_txn *t, const char *enterprise, const char *id, list_rec *out)
{
    memset(out, 0, sizeof *out);
    uint8_t key[RECEIPT_KEY_BYTES_MAX];
    size_t klen = list_key(key, 'L', enterprise, id);
    MDB_val v;
    bzl_status st = get(t, key, klen, &v);
    if (st == BZL_NOT_FOUND) {
        return BZL_OK;
    }
    if (st != BZL_OK) {
        return st;
    }
    out->bytes = malloc(v.mv_size);
    out->fields = malloc(BZL_RECEIPT_FIELDS_MAX * sizeof *out->fields);
    if (out->bytes == NULL || out->fields == NULL) {
        list_rec_free(out);
        return BZL_NO_MEMORY;
    }
    memcpy(out->bytes, v.mv_data, v.mv_size);
    bzl_rd r = {.p = out->bytes, .len = v.mv_size};
    out->state = rd_u8(&r);
    out->count = rd_u16(&r);
    out->last_seq = rd_u64(&r);
    if (!fields_get(&r, out->fields, BZL_RECEIPT_FIELDS_MAX, &out->field_count) || !rd_done(&r) ||
        out->state >= BZL_CS_COUNT) {
        list_rec_free(out);
        return BZL_CORRUPT;
    }
    return BZL_OK;
}

/* A field with its rank: the receipt's own come first, in their order, then the list's. */
typedef struct ranked {
    bzl_receipt_field f;
    size_t rank;
} ranked;

static int
ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a;
    const ranked *y = b;
    int c = field_order(&x->f, &y->f);
    return c != 0 ? c : x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The list record after a receipt: the receipt's fields of groups 0 and 1 merged into the
 * list's old ones (for each (group, line, name) the receipt's first value wins, else the old
 * one), in field order, behind state | count | last_seq. *val malloc'd. BZL_LIMIT_EXCEEDED
 * when the merged values pass BZL_RECEIPT_FIELDS_MAX or BZL_RECEIPT_BYTES_MAX (*kept says how
 * many). The one definition apply and verify share. */
static bzl_status
list_value(const bzl_receipt_field *old, uint32_t n_old, const bzl_receipt_field *fresh,
           uint32_t n_fresh, uint8_t state, uint32_t count, uint64_t seq, uint8_t **val,
           size_t *len, size_t *kept)
{
    *val = NULL;
    ranked *all = malloc(((size_t)n_old + n_fresh + 1u) * sizeof *all);
    if (all == NULL) {
        return BZL_NO_MEMORY;
    }
    size_t n = 0;
    for (uint32_t i = 0; i < n_fresh; i++) {
        if (fresh[i].group != 2) {
            all[n] = (ranked){fresh[i], n};
            n++;
        }
    }
    for (uint32_t i = 0; i < n_old; i++) {
        all[n] = (ranked){old[i], n};
        n++;
    }
    qsort(all, n, sizeof *all, ranked_cmp);
    size_t k = 0;
    size_t bytes = 1u + 2u + 8u + 2u;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && field_order(&all[k - 1].f, &all[i].f) == 0) {
            continue; /* a later rank of the same value name */
        }
        all[k++] = all[i];
        bytes += field_bytes(&all[i].f);
    }
    *kept = k;
    if (k > BZL_RECEIPT_FIELDS_MAX || bytes > BZL_RECEIPT_BYTES_MAX || count > UINT16_MAX) {
        free(all);
        return BZL_LIMIT_EXCEEDED;
    }
    uint8_t *v = malloc(bytes);
    if (v == NULL) {
        free(all);
        return BZL_NO_MEMORY;
    }
    bzl_wr w = {.p = v, .cap = bytes};
    wr_u8(&w, state);
    wr_u16(&w, (uint16_t)count);
    wr_u64(&w, seq);
    wr_u16(&w, (uint16_t)k);
    for (size_t i = 0; i < k; i++) {
        field_put(&w, &all[i].f);
    }
    BZL_ASSERT(w.len == w.cap);
    free(all);
    *val = v;
    *len = bytes;
    return BZL_OK;
}

/* Writes the list's record after receipt r (entry seq) took it to state. */
static bzl_status
list_put(bzl_txn *t, const char *enterprise, const char *id, const list_rec *old, uint8_t state,
         uint64_t seq, const bzl_receipt *r, bzl_receipt_result *out)
{
    uint8_t *val = NULL;
    size_t len = 0;
    size_t kept = 0;
    bzl_status st = list_value(old->fields, old->field_count, r->fields, r->field_count, state,
                               old->count + 1u, seq, &val, &len, &kept);
    if (st == BZL_LIMIT_EXCEEDED) {
        out->status = bzl_fault_set(&out->fault, BZL_LIMIT_EXCEEDED, 0, "fields",
                                    "list %s would keep %zu back-filled values; at most %u", id,
                                    kept, (unsigned)BZL_RECEIPT_FIELDS_MAX);
        return BZL_OK;
    }
    if (st == BZL_OK) {
        uint8_t key[RECEIPT_KEY_BYTES_MAX];
        size_t klen = list_key(key, 'L', enterprise, id);
        st = put(t, key, klen, val, len);
    }
    free(val);
    return st;
}

/* ---- content: what makes two receipts the same --------------------------------------------
 * message u8 | code_len u8 | code | seq_no_len u8 | seq_no | FIELDS (in the receipt's order) */

static size_t
content_bytes(const bzl_receipt *r)
{
    size_t n = 1u + 1u + strlen(r->code) + 1u + strlen(r->seq_no) + 2u;
    for (uint32_t i = 0; i < r->field_count; i++) {
        n += field_bytes(&r->fields[i]);
    }
    return n;
}

static void
content_put(bzl_wr *w, const bzl_receipt *r)
{
    size_t c = strlen(r->code);
    size_t s = strlen(r->seq_no);
    wr_u8(w, r->message);
    wr_u8(w, (uint8_t)c);
    wr_bytes(w, r->code, c);
    wr_u8(w, (uint8_t)s);
    wr_bytes(w, r->seq_no, s);
    wr_u16(w, (uint16_t)r->field_count);
    for (uint32_t i = 0; i < r->field_count; i++) {
        field_put(w, &r->fields[i]);
    }
}

/* The earlier receipt of the list whose content is content[len]: its entry in *seq (0: none).
 * Each 'R' value: seq u64 | ledger_seq u64 | content. */
static bzl_status
find_same(bzl_txn *t, const char *enterprise, const char *id, uint32_t count,
          const uint8_t *content, size_t len, uint64_t *seq, uint64_t *ledger_seq)
{
    *seq = 0;
    uint8_t key[RECEIPT_KEY_BYTES_MAX];
    size_t klen = list_key(key, 'R', enterprise, id);
    bzl__walk w;
    bzl__walk_begin(t, DB_RECEIPT, key, klen, klen, &w);
    bzl_status st = BZL_OK;
    uint32_t seen = 0;
    while (st == BZL_OK && *seq == 0 && bzl__walk_next(&w)) { /* at most count records */
        if (w.k.mv_size != klen + 2u || w.v.mv_size < 16u || ++seen > count) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        uint64_t s = rd_u64(&r);
        uint64_t l = rd_u64(&r);
        if (w.v.mv_size - 16u == len &&
            memcmp((const uint8_t *)w.v.mv_data + 16u, content, len) == 0) {
            *seq = s;
            *ledger_seq = l;
        }
    }
    return bzl__walk_end(&w, st);
}

/* ---- applying ------------------------------------------------------------------------------ */

static bzl_receipt_ledger
ledger_of(uint8_t decl_state)
{
    switch (decl_state) {
    case BZL_DECL_PENDING:
        return BZL_RL_PENDING;
    case BZL_DECL_POSTED:
        return BZL_RL_POSTED;
    case BZL_DECL_REJECTED:
        return BZL_RL_REJECTED;
    default:
        return BZL_RL_CLOSED;
    }
}

/* Finds the list r names: by id, or by its SeqNo once recorded. Another enterprise's list is
 * answered exactly as a missing one. */
static bzl_status
resolve(bzl_txn *t, const bzl_receipt *r, bzl__decl_state *ds, bzl_receipt_result *out)
{
    if (r->id[0] != '\0' && r->enterprise[0] != '\0') {
        bzl_status st = bzl__decl_state_get(t, r->enterprise, r->id, ds);
        if (st == BZL_OK) {
            snprintf(out->id, sizeof out->id, "%s", r->id);
            snprintf(out->enterprise, sizeof out->enterprise, "%s", r->enterprise);
            return BZL_OK;
        }
        if (st != BZL_NOT_FOUND) {
            return st;
        }
        if (r->seq_no[0] == '\0') {
            out->status = bzl_fault_missing(&out->fault, "id", "list", r->id);
            return BZL_OK;
        }
    }
    uint8_t key[1u + BZL_RECEIPT_SEQ_NO_BYTES_MAX];
    key[0] = 'S';
    size_t n = strlen(r->seq_no);
    memcpy(key + 1, r->seq_no, n);
    MDB_val v;
    bzl_status st = get(t, key, 1u + n, &v);
    char ent[BZL_ENTERPRISE_CODE_LEN + 1] = "";
    char id[BZL_DECL_ID_BYTES_MAX + 1] = "";
    if (st == BZL_OK) {
        bzl_rd rd = {.p = v.mv_data, .len = v.mv_size};
        rd_text(&rd, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
        text_of(&rd, id, sizeof id, rd_u8(&rd));
        if (!rd_done(&rd)) {
            return BZL_CORRUPT;
        }
    } else if (st != BZL_NOT_FOUND) {
        return st;
    }
    /* Without an enterprise (an INV202 names its list by SeqNo only) the SeqNo decides. */
    if (st == BZL_NOT_FOUND || (r->enterprise[0] != '\0' && strcmp(ent, r->enterprise) != 0)) {
        out->status = r->id[0] != '\0'
                          ? bzl_fault_missing(&out->fault, "id", "list", r->id)
                          : bzl_fault_missing(&out->fault, "seq_no", "list with SeqNo", r->seq_no);
        return BZL_OK;
    }
    st = bzl__decl_state_get(t, ent, id, ds);
    if (st == BZL_NOT_FOUND) {
        return BZL_CORRUPT; /* the index names a declaration the ledger lacks */
    }
    snprintf(out->id, sizeof out->id, "%s", id);
    snprintf(out->enterprise, sizeof out->enterprise, "%s", ent);
    return st;
}

/* Records SeqNo → list, refusing a SeqNo that names another list already. */
static bzl_status
seq_no_put(bzl_txn *t, const bzl_receipt *r, const char *id, bzl_receipt_result *out)
{
    uint8_t key[1u + BZL_RECEIPT_SEQ_NO_BYTES_MAX];
    key[0] = 'S';
    size_t n = strlen(r->seq_no);
    memcpy(key + 1, r->seq_no, n);
    uint8_t val[BZL_ENTERPRISE_CODE_LEN + 1u + BZL_DECL_ID_BYTES_MAX];
    bzl_wr w = {.p = val, .cap = sizeof val};
    wr_fixed(&w, r->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_u8(&w, (uint8_t)strlen(id));
    wr_bytes(&w, id, strlen(id));
    MDB_val v;
    bzl_status st = get(t, key, 1u + n, &v);
    if (st == BZL_OK) {
        if (v.mv_size == w.len && memcmp(v.mv_data, val, w.len) == 0) {
            return BZL_OK;
        }
        out->status = bzl_fault_set(&out->fault, BZL_INVALID_ARGUMENT, 0, "seq_no",
                                    "SeqNo %s already names another list", r->seq_no);
        return BZL_OK;
    }
    return st == BZL_NOT_FOUND ? put(t, key, 1u + n, val, w.len) : st;
}

/* The INV211 book lines (group 2) as the items' latest customs figures. Value: seq u64 |
 * enterprise | id_len | id | FIELDS (that item's fields of the receipt). */
static bzl_status
book_lines_put(bzl_txn *t, const bzl_receipt *r, const char *id, const char *book_no, uint8_t kind,
               uint64_t seq)
{
    bzl_status st = BZL_OK;
    for (uint32_t i = 0; st == BZL_OK && i < r->field_count; i++) {
        const bzl_receipt_field *f = &r->fields[i];
        bool first = f->group == 2;
        for (uint32_t j = 0; first && j < i; j++) {
            first = !(r->fields[j].group == 2 && r->fields[j].line == f->line);
        }
        if (!first) {
            continue; /* each item once, at its first field */
        }
        size_t bytes = 8u + BZL_ENTERPRISE_CODE_LEN + 1u + strlen(id) + 2u;
        uint32_t n = 0;
        for (uint32_t j = i; j < r->field_count; j++) {
            if (r->fields[j].group == 2 && r->fields[j].line == f->line) {
                bytes += field_bytes(&r->fields[j]);
                n++;
            }
        }
        uint8_t *val = malloc(bytes);
        if (val == NULL) {
            return BZL_NO_MEMORY;
        }
        bzl_wr w = {.p = val, .cap = bytes};
        wr_u64(&w, seq);
        wr_fixed(&w, r->enterprise, BZL_ENTERPRISE_CODE_LEN);
        wr_u8(&w, (uint8_t)strlen(id));
        wr_bytes(&w, id, strlen(id));
        wr_u16(&w, (uint16_t)n);
        for (uint32_t j = i; j < r->field_count; j++) {
            if (r->fields[j].group == 2 && r->fields[j].line == f->line) {
                field_put(&w, &r->fields[j]);
            }
        }
        BZL_ASSERT(w.len == w.cap);
        uint8_t key[1u + ITEM_KEY_BYTES];
        key[0] = 'B';
        bzl__item_key(key + 1, book_no, kind, f->line);
        st = put(t, key, sizeof key, val, bytes);
        free(val);
    }
    return st;
}

/* The journal entry: enterprise | book | kind u8 | id_len | id | from u8 | to u8 |
 * ledger_seq u64 | content (format.h). */
static bzl_status
journal_receipt(bzl_txn *t, const bzl_receipt *r, const char *id, const char *book_no, uint8_t kind,
                uint8_t from, uint8_t to, uint64_t ledger_seq, const uint8_t *content, size_t len,
                const bzl_actor *actor, uint64_t *seq)
{
    size_t bytes = BZL_ENTERPRISE_CODE_LEN + BZL_BOOK_NO_LEN + 1u + 1u + strlen(id) + 2u + 8u + len;
    uint8_t *p = NULL;
    bzl_status st = bzl__journal_reserve(t, JOURNAL_RECEIPT, actor, bytes, &p, seq);
    if (st != BZL_OK) {
        return st;
    }
    bzl_wr w = {.p = p, .cap = bytes};
    wr_fixed(&w, r->enterprise, BZL_ENTERPRISE_CODE_LEN);
    wr_fixed(&w, book_no, BZL_BOOK_NO_LEN);
    wr_u8(&w, kind);
    wr_u8(&w, (uint8_t)strlen(id));
    wr_bytes(&w, id, strlen(id));
    wr_u8(&w, from);
    wr_u8(&w, to);
    wr_u64(&w, ledger_seq);
    wr_bytes(&w, content, len);
    BZL_ASSERT(w.len == w.cap);
    return bzl__journal_seal(t, *seq);
}

/* Everything after the list is found and the receipt's content known. */
static bzl_status
apply_found(bzl_txn *t, const bzl_receipt *r, const bzl__decl_state *ds, const uint8_t *content,
            size_t len, const bzl_actor *actor, bzl_receipt_result *out)
{
    const char *id = out->id;
    list_rec lr;
    bzl_status st = list_get(t, r->enterprise, id, &lr);
    if (st != BZL_OK) {
        return st;
    }
    out->previous = lr.state;
    out->state = lr.state;
    out->ledger_state = ds->state;
    uint64_t same = 0;
    st = find_same(t, r->enterprise, id, lr.count, content, len, &same, &out->ledger_seq);
    if (st != BZL_OK || same != 0) {
        out->replayed = same != 0;
        out->seq = same;
        list_rec_free(&lr);
        return st;
    }
    bzl_receipt_event ev;
    st = bzl_receipt_event_of((bzl_receipt_message)r->message, r->code, &ev, &out->fault);
    if (st != BZL_OK) {
        out->status = st;
        list_rec_free(&lr);
        return BZL_OK;
    }
    bzl_customs_state next;
    bzl_receipt_action act;
    if (!bzl_receipt_step((bzl_customs_state)lr.state, ledger_of(ds->state), ev, &next, &act)) {
        out->status = bzl_fault_set(
            &out->fault, BZL_STATE_CONFLICT, 0, "code",
            "list %s is %s (the ledger: %s); %s would make it %s, which next-wave.md A.6 does "
            "not allow",
            id, bzl_customs_state_name(lr.state), bzl_decl_state_name(ds->state),
            bzl_receipt_event_name(ev),
            bzl_customs_state_name(bzl_receipt_target(ev, (bzl_customs_state)lr.state)));
        list_rec_free(&lr);
        return BZL_OK;
    }
    if (lr.count >= BZL_RECEIPTS_PER_LIST_MAX) {
        out->status = bzl_fault_set(&out->fault, BZL_LIMIT_EXCEEDED, 0, "id",
                                    "list %s has %u receipts already, the most one list keeps", id,
                                    (unsigned)lr.count);
        list_rec_free(&lr);
        return BZL_OK;
    }
    bzl_declaration d;
    memset(&d, 0, sizeof d);
    st = bzl__decl_read_seq(t, ds->seq, &d);
    if (st != BZL_OK) {
        list_rec_free(&lr);
        return st == BZL_NOT_FOUND ? BZL_CORRUPT : st;
    }
    free(d.lines);
    d.lines = NULL;
    /* The ledger's move first, as `post` and `reject` make it: its own entry. */
    if (act != BZL_RA_NONE) {
        bzl_action_result ar;
        st =
            act == BZL_RA_POST
                ? bzl_storage_post(t, r->enterprise, id, actor, &ar)
                : bzl_storage_void(t, r->enterprise, id, true,
                                   "customs returned the list (INV201 manageResult 3)", actor, &ar);
        if (st == BZL_OK && ar.status != BZL_OK) {
            out->status = ar.status;
            out->fault = ar.fault;
        }
        if (st != BZL_OK || ar.status != BZL_OK) {
            list_rec_free(&lr);
            return st;
        }
        out->ledger_seq = ar.seq;
        out->ledger_state = ar.state;
    }
    if (r->seq_no[0] != '\0') {
        st = seq_no_put(t, r, id, out);
        if (st != BZL_OK || out->status != BZL_OK) {
            list_rec_free(&lr);
            return st;
        }
    }
    st = journal_receipt(t, r, id, d.book_no, d.kind, lr.state, (uint8_t)next, out->ledger_seq,
                         content, len, actor, &out->seq);
    if (st == BZL_OK) {
        st = list_put(t, r->enterprise, id, &lr, (uint8_t)next, out->seq, r, out);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        uint8_t key[RECEIPT_KEY_BYTES_MAX];
        size_t klen = list_key(key, 'R', r->enterprise, id);
        key[klen] = (uint8_t)(lr.count >> 8);
        key[klen + 1] = (uint8_t)lr.count;
        uint8_t *val = malloc(16u + len);
        st = val != NULL ? BZL_OK : BZL_NO_MEMORY;
        if (val != NULL) {
            bzl_wr w = {.p = val, .cap = 16u + len};
            wr_u64(&w, out->seq);
            wr_u64(&w, out->ledger_seq);
            wr_bytes(&w, content, len);
            st = put(t, key, klen + 2u, val, w.len);
            free(val);
        }
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        st = book_lines_put(t, r, id, d.book_no, d.kind, out->seq);
    }
    out->state = (uint8_t)next;
    list_rec_free(&lr);
    return st;
}

bzl_status
bzl_storage_receipt_apply(bzl_txn *batch, const bzl_receipt *r, const bzl_actor *actor,
                          bzl_receipt_result *out)
{
    BZL_ASSERT(batch != NULL && batch->write && r != NULL && actor != NULL && out != NULL);
    BZL_ASSERT(r->field_count <= BZL_RECEIPT_FIELDS_MAX);
    BZL_ASSERT(r->id[0] != '\0' || r->seq_no[0] != '\0');
    memset(out, 0, sizeof *out);
    size_t len = content_bytes(r);
    if (len > BZL_RECEIPT_BYTES_MAX) {
        out->status = bzl_fault_set(&out->fault, BZL_LIMIT_EXCEEDED, 0, "fields",
                                    "the receipt's values take %zu bytes; at most %u", len,
                                    (unsigned)BZL_RECEIPT_BYTES_MAX);
        return BZL_OK;
    }
    uint8_t *content = malloc(len);
    if (content == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_wr w = {.p = content, .cap = len};
    content_put(&w, r);
    BZL_ASSERT(w.len == len);
    bzl_txn *child = NULL;
    bzl__decl_state ds;
    memset(&ds, 0, sizeof ds);
    bzl_status st = bzl_txn_begin(batch->s, batch, true, &child);
    if (st == BZL_OK) {
        st = resolve(child, r, &ds, out);
    }
    if (st == BZL_OK && out->status == BZL_OK) {
        bzl_receipt found = *r; /* the enterprise the list was found under */
        memcpy(found.enterprise, out->enterprise, sizeof found.enterprise);
        st = apply_found(child, &found, &ds, content, len, actor, out);
    }
    free(content);
    if (child == NULL) {
        return st;
    }
    if (st != BZL_OK || out->status != BZL_OK || out->replayed) {
        bzl_txn_abort(child);
        return st;
    }
    return bzl_txn_commit(child);
}

/* ---- reading ------------------------------------------------------------------------------- */

bzl_status
bzl_storage_receipt_info(bzl_txn *t, const char *enterprise, const char *id, bzl_receipt_info *out)
{
    BZL_ASSERT(t != NULL && enterprise != NULL && id != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    list_rec lr;
    bzl_status st = list_get(t, enterprise, id, &lr);
    if (st != BZL_OK) {
        return st;
    }
    out->state = lr.state;
    out->receipt_count = lr.count;
    out->field_count = lr.field_count;
    out->fields = lr.fields;
    out->blob = lr.bytes;
    return BZL_OK;
}

void
bzl_receipt_info_free(bzl_receipt_info *info)
{
    free(info->fields);
    free(info->blob);
    memset(info, 0, sizeof *info);
}

/* A decimal field of a book line; false with a note when it is not one. */
static bool
dec_field(const char *name, const char *v, int64_t *out, char *note, size_t cap)
{
    if (bzl_dec_parse(v, strlen(v), BZL_SCALE_QTY, true, out) != BZL_OK) {
        snprintf(note, cap, "%s '%.40s' is not a decimal", name, v);
        return false;
    }
    return true;
}

/* The customs figure of a book line (names matched without regard to case), by `figure`
 * (bzl_receipt_figure): inQty, the quantity on the book line after posting (next-wave.md A.2
 * BwsDt; GXB's INV211 sends it and leaves the actl fields empty), or actlIncQty − actlRedcQty
 * (实增 − 实减), each falling back on the other when its field is absent. Our reading (C):
 * docs/INV101.md. */
static bool
customs_figure(const bzl_receipt_field *f, uint32_t n, uint8_t figure, int64_t *out, char *note,
               size_t cap)
{
    const char *in = NULL;
    const char *inc = NULL;
    const char *redc = NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (strcasecmp(f[i].name, "inQty") == 0) {
            in = f[i].value;
        } else if (strcasecmp(f[i].name, "actlIncQty") == 0) {
            inc = f[i].value;
        } else if (strcasecmp(f[i].name, "actlRedcQty") == 0) {
            redc = f[i].value;
        }
    }
    bool use_in = in != NULL && (figure == BZL_RECEIPT_FIGURE_IN_QTY || inc == NULL);
    if (use_in) {
        return dec_field("inQty", in, out, note, cap);
    }
    if (inc == NULL) {
        snprintf(note, cap, "the book line has neither inQty nor actlIncQty");
        return false;
    }
    int64_t a = 0;
    int64_t b = 0;
    if (!dec_field("actlIncQty", inc, &a, note, cap) ||
        (redc != NULL && !dec_field("actlRedcQty", redc, &b, note, cap))) {
        return false;
    }
    *out = a - b; /* both within 13 integer digits: no overflow */
    return true;
}

bzl_status
bzl_storage_receipt_diff(bzl_txn *t, const char *book_no, uint8_t figure, uint32_t skip,
                         bzl_receipt_diff_row *out, size_t cap, size_t *count, uint32_t *compared,
                         bool *more)
{
    BZL_ASSERT(t != NULL && book_no != NULL && out != NULL && cap > 0);
    *count = 0;
    *compared = 0;
    *more = false;
    uint8_t from[1u + BZL_BOOK_NO_LEN];
    from[0] = 'B';
    size_t blen = strlen(book_no);
    BZL_ASSERT(blen == 0 || blen == BZL_BOOK_NO_LEN);
    memcpy(from + 1, book_no, blen);
    bzl_receipt_field *fields = malloc(BZL_RECEIPT_FIELDS_MAX * sizeof *fields);
    if (fields == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl__walk w;
    bzl__walk_begin(t, DB_RECEIPT, from, 1u + blen, 1u + blen, &w);
    bzl_status st = BZL_OK;
    uint32_t seen = 0;
    while (st == BZL_OK && bzl__walk_next(&w)) { /* every book line once, stopping at cap */
        if (seen++ < skip) {
            continue;
        }
        if (*count == cap) {
            *more = true;
            break;
        }
        if (w.k.mv_size != 1u + ITEM_KEY_BYTES) {
            st = BZL_CORRUPT;
            break;
        }
        bzl_receipt_diff_row row;
        memset(&row, 0, sizeof row);
        bzl_rd kr = {.p = (const uint8_t *)w.k.mv_data + 1, .len = ITEM_KEY_BYTES};
        rd_text(&kr, row.book_no, sizeof row.book_no, BZL_BOOK_NO_LEN, true);
        row.kind = rd_u8(&kr);
        row.item_no = (uint32_t)rd_be(&kr, 4);
        bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
        row.seq = rd_u64(&r);
        rd_text(&r, row.enterprise, sizeof row.enterprise, BZL_ENTERPRISE_CODE_LEN, true);
        text_of(&r, row.id, sizeof row.id, rd_u8(&r));
        uint32_t n = 0;
        if (!fields_get(&r, fields, BZL_RECEIPT_FIELDS_MAX, &n) || !rd_done(&r) || kr.bad) {
            st = BZL_CORRUPT;
            break;
        }
        (*compared)++;
        row.readable =
            customs_figure(fields, n, figure, &row.customs_e5, row.note, sizeof row.note);
        bzl_balance bal;
        uint8_t key[ITEM_KEY_BYTES];
        memcpy(key, (const uint8_t *)w.k.mv_data + 1, ITEM_KEY_BYTES);
        st = bzl__balance_read(t, key, &bal);
        if (st != BZL_OK) {
            break;
        }
        row.bzl_e5 = bal.qty_e5;
        if (!row.readable || row.customs_e5 != row.bzl_e5) {
            out[(*count)++] = row;
        }
    }
    st = bzl__walk_end(&w, st);
    free(fields);
    return st;
}

/* ---- the audit sentence ---------------------------------------------------------------------- */

/* Names worth a place in the sentence, in this order (next-wave.md A.7's back-fills). */
static const char *const audit_names[] = {
    "SeqNo",     "bondInvtNo",       "ChgTmsCnt",        "tmsCnt",
    "invtStucd", "vrfdedMarkcd",     "vrfdedModecd",     "entrySeqNo",
    "EntryNo",   "entryStucd",       "invtIochkptStucd", "passportUsedTypecd",
    "prevdTime", "formalVrfdedTime", "CheckInfo",        "reason",
};

bool
bzl__receipt_audit_summary(const bzl__entry *e, char *summary, size_t cap, char *enterprise,
                           char *book_no)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    char ent[BZL_ENTERPRISE_CODE_LEN + 1] = "";
    char book[BZL_BOOK_NO_LEN + 1] = "";
    char id[BZL_DECL_ID_BYTES_MAX + 1] = "";
    char code[BZL_RECEIPT_CODE_BYTES_MAX + 1] = "";
    char seq_no[BZL_RECEIPT_SEQ_NO_BYTES_MAX + 1] = "";
    rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    rd_text(&r, book, sizeof book, BZL_BOOK_NO_LEN, true);
    (void)rd_u8(&r); /* the kind */
    text_of(&r, id, sizeof id, rd_u8(&r));
    uint8_t from = rd_u8(&r);
    uint8_t to = rd_u8(&r);
    uint64_t ledger_seq = rd_u64(&r);
    uint8_t message = rd_u8(&r);
    text_of(&r, code, sizeof code, rd_u8(&r));
    text_of(&r, seq_no, sizeof seq_no, rd_u8(&r));
    bzl_receipt_field fields[BZL_ARRAY_LEN(audit_names)];
    /* Only the sentence's names are kept: walk the section by hand. */
    uint32_t n = rd_u16(&r);
    size_t found = 0;
    for (uint32_t i = 0; !r.bad && i < n; i++) {
        uint8_t group = rd_u8(&r);
        (void)rd_u32(&r);
        size_t nl = rd_u8(&r);
        const uint8_t *name = take(&r, nl + 1u);
        size_t vl = rd_u16(&r);
        const uint8_t *value = take(&r, vl + 1u);
        if (r.bad || name[nl] != 0 || value[vl] != 0) {
            return false;
        }
        for (size_t k = 0;
             group == 0 && k < BZL_ARRAY_LEN(audit_names) && found < BZL_ARRAY_LEN(fields); k++) {
            if (strcasecmp(audit_names[k], (const char *)name) == 0) {
                fields[found].name = audit_names[k];
                fields[found].value = (const char *)value;
                found++;
                break;
            }
        }
    }
    if (!rd_done(&r)) {
        return false;
    }
    memcpy(enterprise, ent, sizeof ent);
    memcpy(book_no, book, sizeof book);
    static const char *const code_words[] = {"", " DealFlag ", " manageResult ", " manageResult ",
                                             ""};
    /* "import receipt DealFlag 0 for …", "receipt INV201 manageResult 4 for …" */
    int w = snprintf(summary, cap, "%s%s%s%s for list %s of %s: %s -> %s",
                     message == BZL_RM_IMPORT ? "" : "receipt ", bzl_receipt_message_name(message),
                     code_words[message <= 4 ? message : 0], code, id, ent,
                     bzl_customs_state_name(from), bzl_customs_state_name(to));
    if (w > 0 && (size_t)w < cap && ledger_seq != 0) {
        w += snprintf(summary + w, cap - (size_t)w, " (ledger entry %" PRIu64 ")", ledger_seq);
    }
    if (w > 0 && (size_t)w < cap && seq_no[0] != '\0') {
        w += snprintf(summary + w, cap - (size_t)w, "; SeqNo %s", seq_no);
    }
    for (size_t i = 0; w > 0 && (size_t)w < cap && i < found; i++) {
        if (strcasecmp(fields[i].name, "SeqNo") == 0 && seq_no[0] != '\0') {
            continue;
        }
        w += snprintf(summary + w, cap - (size_t)w, "; %s %s", fields[i].name, fields[i].value);
    }
    (void)bzl_text_sanitize(summary); /* a value cut by the cap ends on a whole character */
    return true;
}

/* ---- verify: the receipt table against entries 22 ------------------------------------------- */

/* One receipt entry's payload, decoded (views into the entry). */
typedef struct entry_view {
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t kind;
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    uint8_t from, to;
    uint64_t ledger_seq;
    const uint8_t *content;
    size_t content_len;
} entry_view;

static bool
entry_view_of(const bzl__entry *e, entry_view *v)
{
    bzl_rd r = {.p = e->payload, .len = e->payload_len};
    rd_text(&r, v->enterprise, sizeof v->enterprise, BZL_ENTERPRISE_CODE_LEN, true);
    rd_text(&r, v->book_no, sizeof v->book_no, BZL_BOOK_NO_LEN, true);
    v->kind = rd_u8(&r);
    text_of(&r, v->id, sizeof v->id, rd_u8(&r));
    v->from = rd_u8(&r);
    v->to = rd_u8(&r);
    v->ledger_seq = rd_u64(&r);
    v->content = r.bad ? NULL : r.p + r.off;
    v->content_len = r.bad ? 0 : r.len - r.off;
    return e->type == JOURNAL_RECEIPT && !r.bad && v->to < BZL_CS_COUNT;
}

/* The fields of a content section (after message, code and SeqNo) into out. */
static bool
content_fields(const uint8_t *p, size_t n, bzl_receipt_field *out, uint32_t *count)
{
    bzl_rd r = {.p = p, .len = n};
    (void)rd_u8(&r);
    (void)take(&r, rd_u8(&r));
    (void)take(&r, rd_u8(&r));
    return fields_get(&r, out, BZL_RECEIPT_FIELDS_MAX, count) && rd_done(&r);
}

static bzl_status
tampered(bzl_verify_report *out, const char *key, const char *field, const char *why)
{
    out->mismatch = true;
    snprintf(out->table, sizeof out->table, "receipt");
    snprintf(out->key, sizeof out->key, "%s", key);
    snprintf(out->field, sizeof out->field, "%s", field);
    snprintf(out->message, sizeof out->message, "receipt %s: %s", key, why);
    return BZL_TAMPERED;
}

/* One list: its receipts against their entries, replayed into the list record it must have. */
static bzl_status
verify_list(bzl_txn *t, const MDB_val *k, const MDB_val *v, bzl_receipt_field *fresh,
            bzl_receipt_field *merged, uint64_t *receipts, bzl_verify_report *out)
{
    char ent[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    bzl_rd kr = {.p = k->mv_data, .len = k->mv_size, .off = 1};
    rd_text(&kr, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    text_of(&kr, id, sizeof id, rd_u8(&kr));
    if (!rd_done(&kr)) {
        return BZL_CORRUPT;
    }
    char name[BZL_ENTERPRISE_CODE_LEN + BZL_DECL_ID_BYTES_MAX + 8];
    snprintf(name, sizeof name, "%s/%s", ent, id);
    uint8_t key[RECEIPT_KEY_BYTES_MAX];
    size_t klen = list_key(key, 'R', ent, id);
    uint8_t *value = NULL; /* the replayed list record */
    size_t value_len = 0;
    uint32_t merged_n = 0;
    uint8_t state = BZL_CS_SUBMITTED;
    uint64_t last = 0;
    uint32_t n = 0;
    bzl_status st = BZL_OK;
    bzl__walk w;
    bzl__walk_begin(t, DB_RECEIPT, key, klen, klen, &w);
    while (st == BZL_OK && bzl__walk_next(&w)) { /* the list's receipts, in order */
        bzl_rd rv = {.p = w.v.mv_data, .len = w.v.mv_size};
        uint64_t seq = rd_u64(&rv);
        uint64_t ledger_seq = rd_u64(&rv);
        bzl__entry e;
        entry_view ev;
        const uint8_t *kb = w.k.mv_data;
        if (w.k.mv_size != klen + 2u || rv.bad || ((uint32_t)kb[klen] << 8 | kb[klen + 1]) != n) {
            st = tampered(out, name, "seq", "a receipt record out of its list's order");
            break;
        }
        st = seq > last ? bzl__journal_get(t, seq, &e) : BZL_NOT_FOUND;
        if (st == BZL_NOT_FOUND || (st == BZL_OK && !entry_view_of(&e, &ev))) {
            st = tampered(out, name, "seq",
                          "a receipt record names no receipt entry after the last");
            break;
        }
        if (st != BZL_OK) {
            break;
        }
        if (strcmp(ev.enterprise, ent) != 0 || strcmp(ev.id, id) != 0 || ev.from != state ||
            ev.ledger_seq != ledger_seq || ev.content_len != w.v.mv_size - 16u ||
            memcmp(ev.content, (const uint8_t *)w.v.mv_data + 16u, ev.content_len) != 0) {
            st = tampered(out, name, "content",
                          "a receipt record differs from the journal's receipt entry");
            break;
        }
        uint32_t nf = 0;
        if (!content_fields(ev.content, ev.content_len, fresh, &nf)) {
            st = BZL_CORRUPT;
            break;
        }
        uint8_t *next = NULL;
        size_t next_len = 0;
        size_t kept = 0;
        st = list_value(merged, merged_n, fresh, nf, ev.to, n + 1u, seq, &next, &next_len, &kept);
        free(value);
        value = next;
        value_len = next_len;
        if (st == BZL_OK) {
            bzl_rd mr = {.p = value, .len = value_len, .off = 1u + 2u + 8u};
            st = fields_get(&mr, merged, BZL_RECEIPT_FIELDS_MAX, &merged_n) ? BZL_OK : BZL_CORRUPT;
        }
        state = ev.to;
        last = seq;
        n++;
    }
    st = bzl__walk_end(&w, st);
    if (st == BZL_OK &&
        (n == 0 || value_len != v->mv_size || memcmp(value, v->mv_data, value_len) != 0)) {
        st = tampered(out, name, "state",
                      "the list's state and back-fills are not what its receipt entries make");
    }
    free(value);
    *receipts += n;
    out->rows++;
    return st;
}

/* A book line: what the receipt entry it names sent for that item. */
static bzl_status
verify_book_line(bzl_txn *t, const MDB_val *k, const MDB_val *v, bzl_receipt_field *fields,
                 bzl_verify_report *out)
{
    char name[48];
    bzl_rd kr = {.p = (const uint8_t *)k->mv_data + 1, .len = k->mv_size - 1};
    char book[BZL_BOOK_NO_LEN + 1];
    rd_text(&kr, book, sizeof book, BZL_BOOK_NO_LEN, true);
    uint8_t kind = rd_u8(&kr);
    uint32_t item = (uint32_t)rd_be(&kr, 4);
    snprintf(name, sizeof name, "%s %s %u", book, bzl_kind_name((bzl_kind)kind), (unsigned)item);
    bzl_rd r = {.p = v->mv_data, .len = v->mv_size};
    uint64_t seq = rd_u64(&r);
    char ent[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
    text_of(&r, id, sizeof id, rd_u8(&r));
    if (!rd_done(&kr) || r.bad) {
        return BZL_CORRUPT;
    }
    const uint8_t *stored = r.p + r.off;
    size_t stored_len = r.len - r.off;
    bzl__entry e;
    entry_view ev;
    bzl_status st = bzl__journal_get(t, seq, &e);
    uint32_t nf = 0;
    if (st == BZL_NOT_FOUND ||
        (st == BZL_OK &&
         (!entry_view_of(&e, &ev) || strcmp(ev.book_no, book) != 0 || ev.kind != kind ||
          strcmp(ev.enterprise, ent) || strcmp(ev.id, id) != 0))) {
        return tampered(out, name, "seq", "the book line names no INV211 of its book and item");
    }
    if (st != BZL_OK) {
        return st;
    }
    if (!content_fields(ev.content, ev.content_len, fields, &nf)) {
        return BZL_CORRUPT;
    }
    size_t want = 2u;
    uint32_t m = 0;
    for (uint32_t i = 0; i < nf; i++) {
        if (fields[i].group == 2 && fields[i].line == item) {
            want += field_bytes(&fields[i]);
            m++;
        }
    }
    uint8_t *buf = malloc(want);
    if (buf == NULL) {
        return BZL_NO_MEMORY;
    }
    bzl_wr w = {.p = buf, .cap = want};
    wr_u16(&w, (uint16_t)m);
    for (uint32_t i = 0; i < nf; i++) {
        if (fields[i].group == 2 && fields[i].line == item) {
            field_put(&w, &fields[i]);
        }
    }
    bool same = m > 0 && want == stored_len && memcmp(buf, stored, want) == 0;
    free(buf);
    out->rows++;
    return same ? BZL_OK
                : tampered(out, name, "book_line",
                           "the book line differs from what its INV211 sent");
}

bzl_status
bzl__receipt_verify(bzl_txn *t, uint64_t journal_receipts, bzl_verify_report *out)
{
    bzl_receipt_field *a = malloc(BZL_RECEIPT_FIELDS_MAX * sizeof *a);
    bzl_receipt_field *b = malloc(BZL_RECEIPT_FIELDS_MAX * sizeof *b);
    bzl_status st = a != NULL && b != NULL ? BZL_OK : BZL_NO_MEMORY;
    uint64_t listed = 0;
    uint64_t records = 0;
    static const uint8_t tags[] = {'L', 'R', 'S', 'B'};
    for (size_t i = 0; st == BZL_OK && i < BZL_ARRAY_LEN(tags); i++) {
        bzl__walk w;
        bzl__walk_begin(t, DB_RECEIPT, &tags[i], 1, 1, &w);
        while (st == BZL_OK && bzl__walk_next(&w)) { /* every record of the tag once */
            if (tags[i] == 'L') {
                st = verify_list(t, &w.k, &w.v, a, b, &listed, out);
            } else if (tags[i] == 'R') {
                records++;
            } else if (tags[i] == 'S') {
                /* The SeqNo's list must have a record: it was named by one of its receipts. */
                bzl_rd r = {.p = w.v.mv_data, .len = w.v.mv_size};
                char ent[BZL_ENTERPRISE_CODE_LEN + 1];
                char id[BZL_DECL_ID_BYTES_MAX + 1];
                rd_text(&r, ent, sizeof ent, BZL_ENTERPRISE_CODE_LEN, true);
                text_of(&r, id, sizeof id, rd_u8(&r));
                uint8_t key[RECEIPT_KEY_BYTES_MAX];
                MDB_val v;
                st = rd_done(&r) ? get(t, key, list_key(key, 'L', ent, id), &v) : BZL_CORRUPT;
                if (st == BZL_NOT_FOUND) {
                    st = tampered(out, id, "seq_no", "a SeqNo names a list no receipt reached");
                }
            } else {
                st = verify_book_line(t, &w.k, &w.v, a, out);
            }
        }
        st = bzl__walk_end(&w, st);
    }
    if (st == BZL_OK && (records != listed || listed != journal_receipts)) {
        char why[160];
        snprintf(why, sizeof why,
                 "%llu receipt records, %llu under their lists, %llu receipt entries in the "
                 "journal",
                 (unsigned long long)records, (unsigned long long)listed,
                 (unsigned long long)journal_receipts);
        st = tampered(out, "table", "count", why);
    }
    free(b);
    free(a);
    return st;
}
