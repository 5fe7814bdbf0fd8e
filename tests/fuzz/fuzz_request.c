/* fuzz_request.c — libFuzzer target for what bzld does with a frame body: protobuf-c decoding
 * of a Request (the library version Debian ships has known unknown-field and repeated-field
 * bugs), the canonical-size check of daemon/conn.c, a re-encode, the request table's row and
 * validate() for every kind (daemon/requests.c), and for declarations the daemon's own
 * wire → domain conversion (daemon/wire.c: decimals, dates, codes, text, bzl_decl_check_fields)
 * followed by bzl_storage_submit into a real LMDB store in a temporary directory, with the
 * journal's hash chain verified after every accepted declaration.
 *
 * What it does not run: the handlers' slot and loop plumbing (daemon/handlers/ answer through
 * libuv slots); the hostile-input catalogue (tests/daemon/e2e/hostile.c) drives those. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bzl.pb-c.h"
#include "bzl/decimal.h"
#include "bzl/ledger.h"
#include "bzl/storage.h"
#include "requests.h"
#include "wire.h"

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

static void
submit(Bzl__V1__Declaration *const *pbs, size_t n)
{
    static bzl_decl_line lines[BZL_DECL_LINES_DEFAULT];
    static bzl_lot_ref lots[BZL_DECL_LOTS_MAX];
    bzl_txn *t = NULL;
    BZL_ASSERT(bzl_txn_begin(store, NULL, true, &t) == BZL_OK);
    bool accepted = false;
    for (size_t i = 0; i < n && i < 8; i++) {
        bzl_declaration d;
        bzl_fault fault;
        if (bzld_wire_declaration(pbs[i], BZL_DECL_LINES_DEFAULT, &d, lines, lots, &fault) !=
            BZL_OK) {
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
    Bzl__V1__Request *req = bzl__v1__request__unpack(NULL, size, data);
    if (req == NULL) {
        return 0;
    }
    size_t packed = bzl__v1__request__get_packed_size(req);
    uint8_t *buf = malloc(packed + 1);
    BZL_ASSERT(buf != NULL);
    BZL_ASSERT(bzl__v1__request__pack(req, buf) == packed);
    free(buf);
    if (packed == size) { /* what the daemon goes on with (daemon/conn.c) */
        /* Every row's pure check and key hold for any decoded request of its kind. */
        const bzld_request *row = bzld_request_of(req->body_case);
        const bzld_request_limits lim = {.decl_lines_max = BZL_DECL_LINES_DEFAULT};
        bzl_fault fault;
        if (row->validate == NULL || row->validate(req, &lim, &fault) == BZL_OK) {
            BZL_ASSERT(row->key == NULL || row->key(req) != NULL);
        }
        if (req->body_case == BZL__V1__REQUEST__BODY_SUBMIT) {
            submit(&req->submit->declaration, 1);
        } else if (req->body_case == BZL__V1__REQUEST__BODY_SUBMIT_BATCH) {
            submit(req->submit_batch->declarations, req->submit_batch->n_declarations);
        }
    }
    bzl__v1__request__free_unpacked(req, NULL);
    return 0;
}
