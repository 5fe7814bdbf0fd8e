/* access.c — principals from peer credentials, and the rights check of dispatch over the
 * request table (requests.c holds the rows and how to add one).
 *
 * tests/daemon/e2e/check_access.c holds the matching rows of the rights matrix (each role, own,
 * another's and a missing record) for every row of the table; tests/daemon/unit/
 * check_access_rules.c decides the same matrix in-process.
 */
#include "access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "log.h"
#include "reply.h"
#include "requests.h"

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
    case BZLD_ROLE_BACKUP:
        return "backup";
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
    BZL_ASSERT(rule->role >= BZLD_ROLE_ADMIN && rule->role <= BZLD_ROLE_BACKUP);
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

/* Lower is more privileged among the roles that are not an enterprise's. */
static int
staff_rank(uint8_t role)
{
    return role == BZLD_ROLE_ADMIN        ? 0
           : role == BZLD_ROLE_CUSTOMS    ? 1
           : role == BZLD_ROLE_RECONCILER ? 2
                                          : 3;
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

/* ---- the check ----------------------------------------------------------------------------- */

/* bzld_book_owner_fn over the daemon's store, in a read transaction of its own. */
static bool
store_book_owner(void *arg, const char *book_no, char owner[BZL_ENTERPRISE_CODE_LEN + 1])
{
    bzld *d = arg;
    bzl_txn *txn = NULL;
    bzl_book book;
    if (bzld_read_begin(d, &txn) != BZL_OK) {
        return false;
    }
    bzl_status st = bzl_storage_book_get(txn, book_no, &book);
    bzl_txn_abort(txn);
    if (st != BZL_OK) {
        return false;
    }
    memcpy(owner, book.enterprise, BZL_ENTERPRISE_CODE_LEN + 1);
    return true;
}

/* False when the record the request names belongs to an enterprise p may not see. */
static bool
scope_allows(const bzld_principal *p, const bzld_request *row, const Bzl__V1__Request *req,
             const bzld_request_limits *lim, bzld_book_owner_fn book_owner, void *arg)
{
    if (p->role != BZLD_ROLE_ENTERPRISE || row->scope == BZLD_SCOPE_NONE ||
        row->scope == BZLD_SCOPE_HANDLER) {
        return true;
    }
    bzl_fault fault = {0};
    if (row->validate != NULL && row->validate(req, lim, &fault) != BZL_OK) {
        return true; /* the handler refuses it before reading anything, whoever owns it */
    }
    const char *key = row->key(req);
    if (row->scope == BZLD_SCOPE_CODE) {
        return bzld_principal_sees(p, key);
    }
    /* A book that does not exist is answered here, exactly as another's is: the same words, the
     * same read, the same log line, so neither the answer nor its timing tells the two apart
     * (issue 13, finding 5: the handler's longer path made missing books 0.1-4 ms slower). */
    char owner[BZL_ENTERPRISE_CODE_LEN + 1];
    return book_owner(arg, key, owner) && bzld_principal_sees(p, owner);
}

bzld_access_verdict
bzld_access_decide(const bzld_principal *p, const bzld_request *row, const Bzl__V1__Request *req,
                   const bzld_request_limits *lim, bzld_book_owner_fn book_owner, void *arg)
{
    BZL_ASSERT(p != NULL && row != NULL && req != NULL);
    BZL_ASSERT(book_owner != NULL);
    if (p->role == BZLD_ROLE_NONE) {
        return BZLD_ACCESS_UNMAPPED;
    }
    if ((row->roles & BZLD_ROLE_BIT(p->role)) == 0) {
        return BZLD_ACCESS_DENIED;
    }
    return scope_allows(p, row, req, lim, book_owner, arg) ? BZLD_ACCESS_ALLOW
                                                           : BZLD_ACCESS_FOREIGN;
}

bool
bzld_access_allow(bzld_slot *slot, const bzld_request *row)
{
    BZL_ASSERT(slot->req != NULL);
    const bzld_principal *p = bzld_principal_of_slot(slot);
    bzld *d = bzld_of_slot(slot);
    const bzld_request_limits lim = {.decl_lines_max = d->cfg.decl_lines_max};
    bzld_access_verdict verdict = bzld_access_decide(p, row, slot->req, &lim, store_book_owner, d);
    if (verdict == BZLD_ACCESS_ALLOW) {
        return true;
    }
    bzl_actor c; /* the peer's credentials, for the refusal and its log line */
    bzld_actor_of_slot(slot, &c);
    unsigned long long conn_id = (unsigned long long)bzld_conn_id_of_slot(slot);
    switch (verdict) {
    case BZLD_ACCESS_UNMAPPED:
        bzld_slot_reply_status(slot, BZL_PERMISSION_DENIED,
                               "uid %u is not mapped to a principal in bzld's [access] table",
                               c.uid);
        return false;
    case BZLD_ACCESS_DENIED:
        bzld_log(BZLD_LOG_NOTICE, "conn %llu (uid %u pid %d, %s): %s denied", conn_id, c.uid, c.pid,
                 bzld_role_name(p->role), row->name);
        bzld_slot_reply_status(slot, BZL_PERMISSION_DENIED, "the %s role may not send %s",
                               bzld_role_name(p->role), row->name);
        return false;
    case BZLD_ACCESS_ALLOW:
    case BZLD_ACCESS_FOREIGN:
        break;
    }
    bzl_fault fault = {0};
    row->missing(slot->req, &fault);
    bzld_log(BZLD_LOG_NOTICE,
             "conn %llu (uid %u pid %d, enterprise): %s of a record it may not see (another "
             "enterprise's or none) answered as missing",
             conn_id, c.uid, c.pid, row->name);
    bzld_slot_reply_status(slot, BZL_NOT_FOUND, "%s", fault.message);
    return false;
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
    return bzld_access_book(p, txn, book_no, fault);
}

bzl_status
bzld_access_book(const bzld_principal *p, bzl_txn *txn, const char *book_no, bzl_fault *fault)
{
    if (p->role != BZLD_ROLE_ENTERPRISE) {
        return BZL_OK;
    }
    bzl_book book;
    bzl_status st = bzl_storage_book_get(txn, book_no, &book);
    if (st != BZL_OK && st != BZL_NOT_FOUND) {
        return st;
    }
    /* A missing book is refused here too, not further on in storage: one path and one amount
     * of work for both, so an enterprise cannot time the difference (finding 5). */
    if (st == BZL_NOT_FOUND || !bzld_principal_sees(p, book.enterprise)) {
        /* Word for word what storage says of a missing book (storage_declare.c). */
        return bzl_fault_missing(fault, "book", "book", book_no);
    }
    return BZL_OK;
}
