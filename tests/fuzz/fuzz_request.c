/* fuzz_request.c — libFuzzer target for what bzld does with a frame body: protobuf-c decoding
 * of a Request (the library version Debian ships has known unknown-field and repeated-field
 * bugs), the canonical-size check of daemon/conn.c, a re-encode, and for declarations the
 * wire → domain checks of lib (decimals, dates, codes, text, bzl_decl_check_fields) followed
 * by bzl_storage_submit into a real LMDB store in a temporary directory, with the journal's
 * hash chain verified after every accepted declaration.
 *
 * What it does not run, honestly: the daemon's handlers themselves (daemon/handler_*.c are
 * bound to libuv slots); the conversion below mirrors handler_declaration.c field by field
 * using the same lib checks, and the hostile-input catalogue (tests/daemon/hostile.c) drives
 * the real handlers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzl.pb-c.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"
#include "bzl/storage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bzl_storage *store;
static const bzl_actor actor = {.uid = 1, .gid = 1, .pid = 1, .role = 1, .request_id = 1};

/* A store with enterprise 6201230001, book H72012400001 and material/product item 1. */
static void
store_open(void)
{
    char dir[] = "/tmp/bzl-fuzz-XXXXXX";
    BZL_ASSERT(mkdtemp(dir) != NULL);
    bzl_storage_options o = {.dir = dir, .map_bytes = 256u << 20, .map_bytes_max = 256u << 20};
    BZL_ASSERT(bzl_storage_open(&o, &store, NULL, 0) == BZL_OK);
    bzl_enterprise e = {.code = "6201230001", .uscc = "91620100MA71AB1C2F", .name = "Fuzz Co."};
    bzl_book b = {.book_no = "H72012400001",
                  .enterprise = "6201230001",
                  .verify_mode = BZL_VERIFY_UNIT,
                  .status = BZL_BOOK_OPEN,
                  .period_days = 365};
    bzl_txn *t = NULL;
    BZL_ASSERT(bzl_txn_begin(store, NULL, true, &t) == BZL_OK);
    BZL_ASSERT(bzl_storage_enterprise_add(t, &e, &actor, NULL) == BZL_OK);
    BZL_ASSERT(bzl_storage_book_add(t, &b, &actor, NULL) == BZL_OK);
    for (uint8_t k = BZL_KIND_MATERIAL; k <= BZL_KIND_PRODUCT; k++) {
        bzl_item it = {.book_no = "H72012400001",
                       .kind = k,
                       .item_no = 1,
                       .hs = "1206009000",
                       .unit = "035",
                       .name = "seed"};
        BZL_ASSERT(bzl_storage_item_add(t, &it, &actor, NULL) == BZL_OK);
    }
    BZL_ASSERT(bzl_txn_commit(t) == BZL_OK);
    /* The directory is removed at exit by run.sh; LMDB keeps its files open until then. */
}

static bool
copy_text(const char *src, size_t min, size_t max, char *dst, size_t cap)
{
    size_t len = strlen(src);
    if (bzl_text_check(src, len, min, max, "f", NULL) != BZL_OK || len >= cap) {
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

static bool
copy_code(const char *src, bzl_status (*check)(const char *, size_t), bool optional, char *dst,
          size_t cap)
{
    size_t len = strlen(src);
    if (len == 0) {
        dst[0] = '\0';
        return optional;
    }
    if (len >= cap || check(src, len) != BZL_OK) {
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

static bzl_status
check_book(const char *s, size_t len)
{
    return bzl_code_check_book(s, len, NULL);
}

static bool
line_of(const Bzl__DeclarationLine *pb, bzl_decl_line *l)
{
    memset(l, 0, sizeof *l);
    l->item_no = pb->item;
    l->biz_mode = (uint8_t)pb->mode;
    l->has_usd = pb->usd[0] != '\0';
    return pb->mode >= 0 && pb->mode <= 3 &&
           bzl_dec_parse(pb->qty, strlen(pb->qty), BZL_SCALE_QTY, false, &l->qty_e5) == BZL_OK &&
           bzl_dec_parse(pb->value, strlen(pb->value), BZL_SCALE_QTY, false, &l->value_e5) ==
               BZL_OK &&
           (!l->has_usd ||
            bzl_dec_parse(pb->usd, strlen(pb->usd), BZL_SCALE_QTY, false, &l->usd_e5) == BZL_OK) &&
           copy_code(pb->unit, bzl_code_check_unit, false, l->unit, sizeof l->unit) &&
           copy_code(pb->currency, bzl_code_check_currency, false, l->currency,
                     sizeof l->currency) &&
           copy_code(pb->country, bzl_code_check_country, true, l->country, sizeof l->country) &&
           copy_text(pb->bom_version, 0, BZL_BOM_VERSION_BYTES_MAX, l->bom_version,
                     sizeof l->bom_version);
}

static bool
decl_of(const Bzl__Declaration *pb, bzl_declaration *d, bzl_decl_line *lines)
{
    memset(d, 0, sizeof *d);
    if (pb == NULL || pb->n_lines > BZL_DECL_LINES_DEFAULT || (pb->kind != 1 && pb->kind != 2) ||
        (pb->direction != 1 && pb->direction != 2)) {
        return false;
    }
    bool ok =
        copy_text(pb->id, 1, BZL_DECL_ID_BYTES_MAX, d->id, sizeof d->id) &&
        copy_code(pb->enterprise, bzl_code_check_enterprise, false, d->enterprise,
                  sizeof d->enterprise) &&
        copy_code(pb->book, check_book, false, d->book_no, sizeof d->book_no) &&
        copy_code(pb->trade_mode, bzl_code_check_trade_mode, false, d->trade_mode,
                  sizeof d->trade_mode) &&
        copy_code(pb->related_book, check_book, true, d->related_book, sizeof d->related_book) &&
        copy_text(pb->related_id, 0, BZL_DECL_ID_BYTES_MAX, d->related_id, sizeof d->related_id) &&
        bzl_date_parse(pb->date, strlen(pb->date), &d->date) == BZL_OK;
    for (size_t i = 0; ok && i < pb->n_lines; i++) {
        ok = line_of(pb->lines[i], &lines[i]);
    }
    d->kind = (uint8_t)pb->kind;
    d->direction = (uint8_t)pb->direction;
    d->pending = pb->pending;
    d->line_count = (uint32_t)pb->n_lines;
    d->lines = lines;
    return ok && bzl_decl_check_fields(d, BZL_DECL_LINES_DEFAULT, NULL) == BZL_OK;
}

static void
submit(Bzl__Declaration *const *pbs, size_t n)
{
    static bzl_decl_line lines[BZL_DECL_LINES_DEFAULT];
    bzl_txn *t = NULL;
    BZL_ASSERT(bzl_txn_begin(store, NULL, true, &t) == BZL_OK);
    bool accepted = false;
    for (size_t i = 0; i < n && i < 8; i++) {
        bzl_declaration d;
        if (!decl_of(pbs[i], &d, lines)) {
            continue;
        }
        bzl_submit_result r;
        bzl_status st = bzl_storage_submit(t, &d, &actor, &r);
        BZL_ASSERT(st == BZL_OK); /* a client's declaration never breaks the batch */
        accepted |= r.status == BZL_OK && !r.replayed;
    }
    BZL_ASSERT(bzl_txn_commit(t) == BZL_OK);
    if (accepted) {
        bzl_txn *rt = NULL;
        bzl_chain_report rep;
        bzl_verify_report br;
        BZL_ASSERT(bzl_txn_begin(store, NULL, false, &rt) == BZL_OK);
        BZL_ASSERT(bzl_storage_verify_chain(rt, &rep) == BZL_OK);
        BZL_ASSERT(bzl_storage_verify_balances(rt, &br) == BZL_OK);
        bzl_txn_abort(rt);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (store == NULL) {
        store_open();
    }
    Bzl__Request *req = bzl__request__unpack(NULL, size, data);
    if (req == NULL) {
        return 0;
    }
    size_t packed = bzl__request__get_packed_size(req);
    uint8_t *buf = malloc(packed + 1);
    BZL_ASSERT(buf != NULL);
    BZL_ASSERT(bzl__request__pack(req, buf) == packed);
    free(buf);
    if (packed == size) { /* what the daemon goes on with (daemon/conn.c) */
        if (req->body_case == BZL__REQUEST__BODY_SUBMIT) {
            submit(&req->submit->declaration, 1);
        } else if (req->body_case == BZL__REQUEST__BODY_SUBMIT_BATCH) {
            submit(req->submit_batch->declarations, req->submit_batch->n_declarations);
        }
    }
    bzl__request__free_unpacked(req, NULL);
    return 0;
}
