/* access.c — principals from peer credentials, and the table-driven rights check of dispatch.
 *
 * HOW TO ADD A REQUEST KIND
 *
 * Add one row to `rights` below, in body-field order:
 *
 *   {BZL__REQUEST__BODY_<NAME>, "<name>", <roles>, <scope>, <key>, <missing>},
 *
 *   roles    the BZLD_ROLE_BIT()s allowed to send it at all; everyone else gets
 *            PERMISSION_DENIED. Use the R_* shorthands.
 *   scope    how an enterprise principal's request is tied to an enterprise:
 *              SCOPE_NONE     not scoped (only staff roles should be allowed such a row)
 *              SCOPE_CODE     key() returns an enterprise code
 *              SCOPE_BOOK     key() returns a book number; the check reads the book's owner
 *              SCOPE_HANDLER  the handler scopes it itself (a batch naming many enterprises,
 *                             a list filtered to the principal's enterprises): it must call
 *                             bzld_access_decl / bzld_principal_sees
 *   key      returns the code or book number, or NULL when the request is malformed in a
 *            way its handler refuses before reading any data (the handler then answers,
 *            exactly as for a missing record, so the check never reveals existence). Every
 *            check the handler makes before its first read belongs here: otherwise a bad date
 *            answers INVALID_DATE for a missing book and NOT_FOUND for another's. Handlers
 *            with several such checks export them (bzld_history_malformed).
 *   missing  formats the message the handler (or storage under it) gives when the record
 *            does not exist; a foreign record gets NOT_FOUND with that very message.
 *
 * tests/daemon/check_access.c holds the matching row of the rights matrix (each role, own,
 * another's and a missing record); it fails while a request kind has no row there.
 *
 * A body case without a row is allowed for admin and denied (PERMISSION_DENIED) for every
 * other role, so a request kind added without a row is safe by default.
 */
#include "access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "log.h"

static_assert(BZLD_ROLE_ENTERPRISE < 8, "roles fit the bit set and the journal's u8");

const char *
bzld_role_name(uint8_t role)
{
    switch (role) {
    case BZLD_ROLE_ADMIN:
        return "admin";
    case BZLD_ROLE_CUSTOMS:
        return "customs";
    case BZLD_ROLE_RECONCILER:
        return "reconciler";
    case BZLD_ROLE_ENTERPRISE:
        return "enterprise";
    default:
        return "none";
    }
}

/* ---- the table ---------------------------------------------------------------------------- */

void
bzld_access_table_init(bzld_access_table *t)
{
    memset(t, 0, sizeof *t);
    t->implicit_admin = true;
}

void
bzld_access_table_deinit(bzld_access_table *t)
{
    free(t->rules);
    memset(t, 0, sizeof *t);
}

bzl_status
bzld_access_table_add(bzld_access_table *t, const bzld_access_rule *rule)
{
    BZL_ASSERT(rule->role >= BZLD_ROLE_ADMIN && rule->role <= BZLD_ROLE_ENTERPRISE);
    if (t->count == BZL_ACCESS_RULES_MAX) {
        return BZL_LIMIT_EXCEEDED;
    }
    if (t->count == t->cap) {
        size_t cap = t->cap == 0 ? 16 : t->cap * 2;
        bzld_access_rule *rules = realloc(t->rules, cap * sizeof *rules);
        if (rules == NULL) {
            return BZL_NO_MEMORY;
        }
        t->rules = rules;
        t->cap = cap;
    }
    t->rules[t->count++] = *rule;
    return BZL_OK;
}

/* ---- principals -------------------------------------------------------------------------- */

/* Lower is more privileged among staff roles. */
static int
staff_rank(uint8_t role)
{
    return role == BZLD_ROLE_ADMIN ? 0 : role == BZLD_ROLE_CUSTOMS ? 1 : 2;
}

static void
scope_add(bzld_principal *p, const char *code)
{
    for (unsigned i = 0; i < p->n_enterprises; i++) {
        if (strcmp(p->enterprises[i], code) == 0) {
            return;
        }
    }
    /* config.c refuses a uid or gid named for more codes than fit. */
    if (p->n_enterprises < BZL_PRINCIPAL_ENTERPRISES_MAX) {
        memcpy(p->enterprises[p->n_enterprises++], code, BZL_ENTERPRISE_CODE_LEN + 1);
    }
}

/* What the rules matched so far: any at all, and the most privileged staff role. */
typedef struct rules_match {
    bool matched;
    uint8_t staff;
} rules_match;

/* Adds the rules naming (by_gid, id) to m, and their enterprise codes to p's scope. */
static void
match_rules(const bzld_access_table *t, bool by_gid, uint32_t id, bzld_principal *p, rules_match *m)
{
    for (size_t i = 0; i < t->count; i++) {
        const bzld_access_rule *r = &t->rules[i];
        if (r->by_gid != by_gid || r->id != id) {
            continue;
        }
        m->matched = true;
        if (r->role == BZLD_ROLE_ENTERPRISE) {
            scope_add(p, r->enterprise);
        } else if (m->staff == BZLD_ROLE_NONE || staff_rank(r->role) < staff_rank(m->staff)) {
            m->staff = r->role;
        }
    }
}

/* Settles p's role from m: a staff role drops any enterprise scope. True when any matched. */
static bool
match_settle(const rules_match *m, bzld_principal *p)
{
    if (m->staff != BZLD_ROLE_NONE) {
        p->role = m->staff;
        p->n_enterprises = 0;
    } else if (m->matched) {
        p->role = BZLD_ROLE_ENTERPRISE;
    }
    return m->matched;
}

void
bzld_access_resolve(const bzld_access_table *t, uint32_t uid, uint32_t gid, const uint32_t *groups,
                    size_t n_groups, uint32_t self_uid, bzld_principal *out)
{
    BZL_ASSERT(t != NULL);
    BZL_ASSERT(out != NULL);
    BZL_ASSERT(groups != NULL || n_groups == 0);
    memset(out, 0, sizeof *out);
    if (uid == UINT32_MAX) {
        return; /* no credentials: least privilege */
    }
    rules_match by_uid = {.matched = false, .staff = BZLD_ROLE_NONE};
    match_rules(t, false, uid, out, &by_uid);
    if (match_settle(&by_uid, out)) {
        return;
    }
    if ((uid == 0 || uid == self_uid) && t->implicit_admin) {
        out->role = BZLD_ROLE_ADMIN;
        return;
    }
    rules_match by_group = {.matched = false, .staff = BZLD_ROLE_NONE};
    match_rules(t, true, gid, out, &by_group);
    for (size_t i = 0; i < n_groups; i++) {
        if (groups[i] != gid) {
            match_rules(t, true, groups[i], out, &by_group);
        }
    }
    (void)match_settle(&by_group, out);
}

bool
bzld_principal_sees(const bzld_principal *p, const char *code)
{
    if (p->role == BZLD_ROLE_ADMIN || p->role == BZLD_ROLE_CUSTOMS ||
        p->role == BZLD_ROLE_RECONCILER) {
        return true;
    }
    if (p->role != BZLD_ROLE_ENTERPRISE) {
        return false;
    }
    for (unsigned i = 0; i < p->n_enterprises; i++) {
        if (strcmp(p->enterprises[i], code) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- keys and not-found messages of the request kinds ------------------------------------- */

static const char *
key_get_enterprise(const bzld_slot *slot)
{
    return slot->req->get_enterprise->code;
}

static void
missing_enterprise(const Bzl__Request *req, char *msg, size_t cap)
{
    snprintf(msg, cap, "enterprise %s does not exist", req->get_enterprise->code);
}

static const char *
key_get_book(const bzld_slot *slot)
{
    return slot->req->get_book->book_no;
}

static void
missing_book(const Bzl__Request *req, char *msg, size_t cap)
{
    snprintf(msg, cap, "book %s does not exist", req->get_book->book_no);
}

static const char *
key_get_item(const bzld_slot *slot)
{
    const Bzl__GetItem *g = slot->req->get_item;
    bool kind_ok = g->kind == BZL__KIND__KIND_MATERIAL || g->kind == BZL__KIND__KIND_PRODUCT;
    return kind_ok ? g->book_no : NULL;
}

static void
missing_item(const Bzl__Request *req, char *msg, size_t cap)
{
    const Bzl__GetItem *g = req->get_item;
    snprintf(msg, cap, "item %s %s %u does not exist", g->book_no, bzl_kind_name((bzl_kind)g->kind),
             g->item_no);
}

static const char *
key_balances(const bzld_slot *slot)
{
    const Bzl__QueryBalances *q = slot->req->balances;
    bool kinds_ok = q->kind >= 0 && q->kind <= BZL__KIND__KIND_PRODUCT && q->after_kind >= 0 &&
                    q->after_kind <= BZL__KIND__KIND_PRODUCT;
    return kinds_ok ? q->book : NULL;
}

static void
missing_balances(const Bzl__Request *req, char *msg, size_t cap)
{
    const Bzl__QueryBalances *q = req->balances;
    if (q->item != 0) {
        snprintf(msg, cap, "item %u is not in book %s", q->item, q->book);
    } else {
        snprintf(msg, cap, "book %s does not exist", q->book);
    }
}

/* The bonded ledger's requests (handler_ledger*.c); messages as their handlers word them. */

static const char *
key_list_norms(const bzld_slot *slot)
{
    return slot->req->list_norms->book;
}

/* A bad date or kind is refused by the handler first, whoever owns the book. */
static const char *
key_history(const bzld_slot *slot)
{
    const Bzl__QueryHistory *q = slot->req->history;
    return bzld_history_malformed(q) ? NULL : q->book;
}

static const char *
key_scrap(const bzld_slot *slot)
{
    return slot->req->scrap->book;
}

static void
missing_the_book(const Bzl__Request *req, char *msg, size_t cap)
{
    (void)req;
    snprintf(msg, cap, "the book does not exist");
}

static void
missing_the_item(const Bzl__Request *req, char *msg, size_t cap)
{
    (void)req;
    snprintf(msg, cap, "the item does not exist");
}

static const char *
key_void(const bzld_slot *slot)
{
    return slot->req->void_declaration->enterprise;
}

static void
missing_void(const Bzl__Request *req, char *msg, size_t cap)
{
    snprintf(msg, cap, "enterprise %s has no declaration %s", req->void_declaration->enterprise,
             req->void_declaration->id);
}

static const char *
key_get_declaration(const bzld_slot *slot)
{
    return slot->req->get_declaration->enterprise;
}

static void
missing_declaration(const Bzl__Request *req, char *msg, size_t cap)
{
    snprintf(msg, cap, "enterprise %.20s has no declaration %.64s",
             req->get_declaration->enterprise, req->get_declaration->id);
}

/* Verification and reports (handler_recon.c). */

/* A bad date, line count or line is refused by the handler first, whoever owns the book. */
static const char *
key_stocktake(const bzld_slot *slot)
{
    const Bzl__SubmitStocktake *q = slot->req->stocktake;
    return bzld_stocktake_malformed(bzld_of_slot(slot), q) ? NULL : q->book;
}

/* Word for word what storage says of a stocktake of a missing book (storage_recon.c). */
static void
missing_stocktake(const Bzl__Request *req, char *msg, size_t cap)
{
    snprintf(msg, cap, "book %s does not exist", req->stocktake->book);
}

/* ---- the rights table ----------------------------------------------------------------------- */

typedef enum access_scope { SCOPE_NONE, SCOPE_CODE, SCOPE_BOOK, SCOPE_HANDLER } access_scope;

typedef struct access_row {
    int body; /* Bzl__Request__BodyCase */
    const char *name;
    uint32_t roles;
    access_scope scope;
    const char *(*key)(const bzld_slot *slot);
    void (*missing)(const Bzl__Request *req, char *msg, size_t cap);
} access_row;

#define R_ADMIN BZLD_ROLE_BIT(BZLD_ROLE_ADMIN)
#define R_CUSTOMS BZLD_ROLE_BIT(BZLD_ROLE_CUSTOMS)
#define R_RECON BZLD_ROLE_BIT(BZLD_ROLE_RECONCILER)
#define R_ENT BZLD_ROLE_BIT(BZLD_ROLE_ENTERPRISE)
#define R_STAFF (R_ADMIN | R_CUSTOMS | R_RECON)
#define R_READERS (R_STAFF | R_ENT)

/* Enterprises submit and void their own pending declarations; customs posts, rejects,
 * reverses and closes periods. Admin may do all of it too, so that a one-user installation
 * (the embedded default, the demo) works end to end: admin is the operator's superuser, and
 * the separation of duties the zone needs is between enterprises, customs and reconcilers. */
static const access_row rights[] = {
    {BZL__REQUEST__BODY_REGISTER_ENTERPRISE, "register_enterprise", R_ADMIN, SCOPE_NONE, NULL,
     NULL},
    {BZL__REQUEST__BODY_GET_ENTERPRISE, "get_enterprise", R_READERS, SCOPE_CODE, key_get_enterprise,
     missing_enterprise},
    {BZL__REQUEST__BODY_LIST_ENTERPRISES, "list_enterprises", R_READERS, SCOPE_HANDLER, NULL, NULL},
    {BZL__REQUEST__BODY_OPEN_BOOK, "open_book", R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_GET_BOOK, "get_book", R_READERS, SCOPE_BOOK, key_get_book, missing_book},
    {BZL__REQUEST__BODY_ADD_ITEM, "add_item", R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_GET_ITEM, "get_item", R_READERS, SCOPE_BOOK, key_get_item, missing_item},
    {BZL__REQUEST__BODY_SUBMIT, "submit", R_ENT | R_ADMIN, SCOPE_HANDLER, NULL, NULL},
    {BZL__REQUEST__BODY_SUBMIT_BATCH, "submit_batch", R_ENT | R_ADMIN, SCOPE_HANDLER, NULL, NULL},
    {BZL__REQUEST__BODY_BALANCES, "balances", R_READERS, SCOPE_BOOK, key_balances,
     missing_balances},
    {BZL__REQUEST__BODY_STATS, "stats", R_STAFF, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_VERIFY, "verify", R_STAFF, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_AUDIT, "audit", R_STAFF, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_SET_NORM, "set_norm", R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_LIST_NORMS, "list_norms", R_READERS, SCOPE_BOOK, key_list_norms,
     missing_the_book},
    {BZL__REQUEST__BODY_SET_ITEM_MODE, "set_item_mode", R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_POST_DECLARATION, "post", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_VOID_DECLARATION, "void", R_ENT | R_ADMIN, SCOPE_CODE, key_void,
     missing_void},
    {BZL__REQUEST__BODY_REVERSE_DECLARATION, "reverse", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL,
     NULL},
    {BZL__REQUEST__BODY_CLOSE_PERIOD, "close_period", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_HISTORY, "history", R_READERS, SCOPE_BOOK, key_history, missing_the_item},
    {BZL__REQUEST__BODY_GET_DECLARATION, "get_declaration", R_READERS, SCOPE_CODE,
     key_get_declaration, missing_declaration},
    {BZL__REQUEST__BODY_UNMATCHED_TRANSFERS, "unmatched_transfers", R_STAFF, SCOPE_NONE, NULL,
     NULL},
    {BZL__REQUEST__BODY_SCRAP, "scrap", R_READERS, SCOPE_BOOK, key_scrap, missing_the_book},
    {BZL__REQUEST__BODY_REJECT_DECLARATION, "reject", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_BACKUP, "backup", R_ADMIN, SCOPE_NONE, NULL, NULL},
    /* Verification and reports: an enterprise submits its own books' stocktakes; customs and
     * admin set rates and record the zone's general trade (both are figures customs answers
     * for; the reconciler only reads and reports); verification and reports are staff work. */
    {BZL__REQUEST__BODY_STOCKTAKE, "stocktake", R_ENT | R_CUSTOMS | R_ADMIN, SCOPE_BOOK,
     key_stocktake, missing_stocktake},
    {BZL__REQUEST__BODY_RECONCILE, "reconcile", R_STAFF, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_SET_RATE, "set_rate", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_LIST_RATES, "list_rates", R_STAFF, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_RECORD_TRADE, "record_trade", R_CUSTOMS | R_ADMIN, SCOPE_NONE, NULL, NULL},
    {BZL__REQUEST__BODY_REPORT, "report", R_STAFF, SCOPE_NONE, NULL, NULL},
};

/* For a body case without a row: admin only. */
static const access_row unknown_row = {0, "unknown", R_ADMIN, SCOPE_NONE, NULL, NULL};

static const access_row *
row_of(int body)
{
    for (size_t i = 0; i < BZL_ARRAY_LEN(rights); i++) {
        if (rights[i].body == body) {
            return &rights[i];
        }
    }
    return &unknown_row;
}

/* ---- the check ----------------------------------------------------------------------------- */

/* False when the book exists and belongs to an enterprise p may not see. A storage failure
 * lets the request through: its handler reads again and reports the failure itself. */
static bool
book_visible(bzld *d, const bzld_principal *p, const char *book_no)
{
    bzl_txn *txn = NULL;
    bzl_book book;
    if (bzld_read_begin(d, &txn) != BZL_OK) {
        return true;
    }
    bzl_status st = bzl_storage_book_get(txn, book_no, &book);
    bzl_txn_abort(txn);
    return st != BZL_OK || bzld_principal_sees(p, book.enterprise);
}

static bool
scope_allows(bzld_slot *slot, const access_row *row, const bzld_principal *p)
{
    if (p->role != BZLD_ROLE_ENTERPRISE || row->scope == SCOPE_NONE ||
        row->scope == SCOPE_HANDLER) {
        return true;
    }
    const char *key = row->key(slot);
    if (key == NULL) {
        return true; /* the handler refuses it before reading anything */
    }
    if (row->scope == SCOPE_CODE) {
        return bzld_principal_sees(p, key);
    }
    return book_visible(bzld_of_slot(slot), p, key);
}

bool
bzld_access_allow(bzld_slot *slot)
{
    BZL_ASSERT(slot->req != NULL);
    const bzld_conn *c = slot->conn;
    const bzld_principal *p = &c->principal;
    const access_row *row = row_of((int)slot->req->body_case);
    if (p->role == BZLD_ROLE_NONE) {
        bzld_slot_reply_status(slot, BZL_PERMISSION_DENIED,
                               "uid %u is not mapped to a principal in bzld's [access] table",
                               c->uid);
        return false;
    }
    if ((row->roles & BZLD_ROLE_BIT(p->role)) == 0) {
        bzld_log(BZLD_LOG_NOTICE, "conn %llu (uid %u pid %d, %s): %s denied",
                 (unsigned long long)c->conn_id, c->uid, c->pid, bzld_role_name(p->role),
                 row->name);
        bzld_slot_reply_status(slot, BZL_PERMISSION_DENIED, "the %s role may not send %s",
                               bzld_role_name(p->role), row->name);
        return false;
    }
    if (!scope_allows(slot, row, p)) {
        char msg[256];
        row->missing(slot->req, msg, sizeof msg);
        bzld_log(BZLD_LOG_NOTICE,
                 "conn %llu (uid %u pid %d, enterprise): %s of another "
                 "enterprise's record answered as missing",
                 (unsigned long long)c->conn_id, c->uid, c->pid, row->name);
        bzld_slot_reply_status(slot, BZL_NOT_FOUND, "%s", msg);
        return false;
    }
    return true;
}

bzl_status
bzld_access_decl(const bzld_principal *p, bzl_txn *txn, const char *enterprise, const char *book_no,
                 bzl_fault *fault)
{
    if (p->role != BZLD_ROLE_ENTERPRISE) {
        return BZL_OK;
    }
    if (!bzld_principal_sees(p, enterprise)) {
        return bzl_fault_set(fault, BZL_NOT_FOUND, 0, "enterprise",
                             "enterprise %s is not registered", enterprise);
    }
    bzl_book book;
    bzl_status st = bzl_storage_book_get(txn, book_no, &book);
    if (st == BZL_NOT_FOUND) {
        return BZL_OK; /* storage refuses it with the same words */
    }
    if (st != BZL_OK) {
        return st;
    }
    if (!bzld_principal_sees(p, book.enterprise)) {
        /* Word for word what storage says of a missing book (storage_submit.c apply_new). */
        return bzl_fault_set(fault, BZL_NOT_FOUND, 0, "book", "book %s does not exist", book_no);
    }
    return BZL_OK;
}
