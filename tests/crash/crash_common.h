/* crash_common.h — what the crash harness's load client and checker share: the ledger they
 * set up, the one declaration a given id stands for, and the connection helpers.
 *
 * Every declaration of the harness is a material inflow of item 1 whose quantity is a pure
 * function of its id, so the checker can rebuild any declaration from its id alone (a resubmit
 * must be byte-identical to be replayed) and knows the balance the journal must add up to.
 * Header-only: each tool is one .c file plus this.
 */
#ifndef BZL_CRASH_COMMON_H
#define BZL_CRASH_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/client.h"

#define CRASH_ENTERPRISE "6201230001"
#define CRASH_USCC "91620100MA71AB1C2F"
#define CRASH_BOOK "H72012400001"
/* Journal entries the set-up writes: enterprise, book, item. */
#define CRASH_MASTER_ENTRIES 3u
/* Longest declaration id the harness makes ("C12345-12-1234567" and the like). */
#define CRASH_ID_BYTES 48u

/* Whole units of the declaration with this id: 1..97, from an FNV-1a hash. */
static inline unsigned
crash_qty_of(const char *id)
{
    uint32_t h = 2166136261u;
    for (const char *p = id; *p != '\0'; p++) {
        h = (h ^ (uint8_t)*p) * 16777619u;
    }
    return 1u + h % 97u;
}

/* A one-line declaration; strings point into the struct itself. */
typedef struct crash_decl {
    char id[CRASH_ID_BYTES];
    char qty[16];
    Bzl__V1__DeclarationLine line;
    Bzl__V1__DeclarationLine *lines[1];
    Bzl__V1__Declaration decl;
} crash_decl;

static inline void
crash_decl_init(crash_decl *d, const char *id)
{
    snprintf(d->id, sizeof d->id, "%s", id);
    snprintf(d->qty, sizeof d->qty, "%u", crash_qty_of(id));
    bzl__v1__declaration_line__init(&d->line);
    d->line.item = 1;
    d->line.qty = d->qty;
    d->line.unit = "035";
    d->line.value = "10.5";
    d->line.currency = "502";
    d->lines[0] = &d->line;
    bzl__v1__declaration__init(&d->decl);
    d->decl.id = d->id;
    d->decl.enterprise = CRASH_ENTERPRISE;
    d->decl.book = CRASH_BOOK;
    d->decl.kind = BZL__V1__KIND__KIND_MATERIAL;
    d->decl.direction = BZL__V1__DIRECTION__DIRECTION_IN;
    d->decl.trade_mode = "5015";
    d->decl.date = "2026-03-01";
    d->decl.n_lines = 1;
    d->decl.lines = d->lines;
}

static inline void
crash_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Connects, retrying every 20 ms for up to timeout_ms while the daemon starts. */
static inline bzl_client *
crash_connect(const char *sock, unsigned timeout_ms)
{
    for (unsigned waited = 0;; waited += 20) {
        bzl_client *c = NULL;
        if (bzl_client_connect(sock, &c, NULL, 0) == BZL_OK) {
            return c;
        }
        if (waited >= timeout_ms) {
            return NULL;
        }
        crash_sleep_ms(20);
    }
}

/* Sends one request and returns the daemon's status, or -1 when the connection failed. */
static inline int
crash_call_status(bzl_client *c, Bzl__V1__Request *req)
{
    Bzl__V1__Response *resp = NULL;
    if (bzl_client_call(c, req, &resp) != BZL_OK) {
        return -1;
    }
    int st = (int)resp->status;
    bzl__v1__response__free_unpacked(resp, NULL);
    return st;
}

/* Registers the enterprise, its book and material item 1; ALREADY_EXISTS counts as done, so
 * every cycle may run it. Returns 0, or -1 when the daemon went away or refused. */
static inline int
crash_setup(bzl_client *c)
{
    Bzl__V1__Enterprise e = BZL__V1__ENTERPRISE__INIT;
    e.code = CRASH_ENTERPRISE;
    e.uscc = CRASH_USCC;
    e.name = "Crash Harness Trading Co.";
    Bzl__V1__RegisterEnterprise re = BZL__V1__REGISTER_ENTERPRISE__INIT;
    re.enterprise = &e;
    Bzl__V1__Book b = BZL__V1__BOOK__INIT;
    b.book = CRASH_BOOK;
    b.enterprise = CRASH_ENTERPRISE;
    Bzl__V1__OpenBook ob = BZL__V1__OPEN_BOOK__INIT;
    ob.book = &b;
    Bzl__V1__Item item = BZL__V1__ITEM__INIT;
    item.book = CRASH_BOOK;
    item.kind = BZL__V1__KIND__KIND_MATERIAL;
    item.item = 1;
    item.hs = "1206009000";
    item.name = "sunflower seed";
    item.unit = "035";
    Bzl__V1__AddItem ai = BZL__V1__ADD_ITEM__INIT;
    ai.item = &item;

    Bzl__V1__Request reqs[3] = {BZL__V1__REQUEST__INIT, BZL__V1__REQUEST__INIT,
                                BZL__V1__REQUEST__INIT};
    reqs[0].body_case = BZL__V1__REQUEST__BODY_REGISTER_ENTERPRISE;
    reqs[0].register_enterprise = &re;
    reqs[1].body_case = BZL__V1__REQUEST__BODY_OPEN_BOOK;
    reqs[1].open_book = &ob;
    reqs[2].body_case = BZL__V1__REQUEST__BODY_ADD_ITEM;
    reqs[2].add_item = &ai;
    for (size_t i = 0; i < 3; i++) {
        int st = crash_call_status(c, &reqs[i]);
        if (st != BZL__V1__STATUS__STATUS_OK && st != BZL__V1__STATUS__STATUS_ALREADY_EXISTS) {
            return -1;
        }
    }
    return 0;
}

#endif
