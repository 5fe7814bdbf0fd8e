/* access.h — who may do what: principals from peer credentials, and the rights check.
 *
 * A connection's principal is settled once, at accept, from the peer's uid and gid
 * (SO_PEERCRED) and the [access] table of the configuration (config.h parses it). The rights
 * check runs in dispatch before any handler, over the request's row of the request table
 * (requests.h): which roles may send it and how the enterprise it concerns is found.
 *
 * Denials, and why they differ (README "Who may do what"):
 *   - a role that may not send a request kind at all gets PERMISSION_DENIED (it reveals
 *     nothing about stored data: the answer depends on the role alone);
 *   - an enterprise principal asking for a record of another enterprise (an enterprise code,
 *     a book, an item of a book, a declaration for another enterprise) gets NOT_FOUND with
 *     exactly the message a missing record gets, so existence never leaks;
 *   - an unmapped peer gets PERMISSION_DENIED on every request.
 *
 * Loop thread only. Never allocates after the table is built.
 */
#ifndef BZLD_ACCESS_H
#define BZLD_ACCESS_H

#include "bzl.pb-c.h"
#include "bzl/base.h"
#include "bzl/codes.h"
#include "bzl/limits.h"
#include "bzl/storage.h"

/* Roles; the number is what the journal records (storage.c's journal table). */
typedef enum bzld_role {
    BZLD_ROLE_NONE = 0, /* unmapped: every request is refused */
    BZLD_ROLE_ADMIN = 1,
    BZLD_ROLE_CUSTOMS = 2,
    BZLD_ROLE_RECONCILER = 3,
    BZLD_ROLE_ENTERPRISE = 4,
    BZLD_ROLE_BACKUP = 5, /* the backup job: hot backups only (issue 13, finding 12) */
} bzld_role;

#define BZLD_ROLE_BIT(r) (1u << (r))

const char *bzld_role_name(uint8_t role); /* "admin", …, "none" */

/* One line of the [access] table: a uid or a gid mapped to a role (and for an enterprise
 * role, to one enterprise code). */
typedef struct bzld_access_rule {
    uint8_t role;
    bool by_gid; /* matches the peer's gid rather than its uid */
    uint32_t id;
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1]; /* "" unless role is ENTERPRISE */
} bzld_access_rule;

/* The parsed [access] section. Owned by the daemon; replaced whole on reload. */
typedef struct bzld_access_table {
    bzld_access_rule *rules; /* owned, count of them */
    size_t count;
    size_t cap;
    /* Root and the daemon's own uid are admin when no rule names their uid ("implicit_admin =
     * no" in [access] turns this off). */
    bool implicit_admin;
} bzld_access_table;

void bzld_access_table_init(bzld_access_table *t);
void bzld_access_table_deinit(bzld_access_table *t);
/* Appends a rule (copied). BZL_OK, BZL_LIMIT_EXCEEDED past BZL_ACCESS_RULES_MAX, BZL_NO_MEMORY. */
bzl_status bzld_access_table_add(bzld_access_table *t, const bzld_access_rule *rule);

/* A connection's principal: its role and, for an enterprise, the codes it may act for. */
typedef struct bzld_principal {
    uint8_t role;
    uint8_t n_enterprises;
    char enterprises[BZL_PRINCIPAL_ENTERPRISES_MAX][BZL_ENTERPRISE_CODE_LEN + 1];
} bzld_principal;

/* Maps credentials to a principal: the uid, the primary gid and the supplementary groups
 * (n_groups of them; groups may be NULL when there are none). Rules naming the uid win over
 * rules naming any of its groups; among the matching rules the most privileged staff role
 * wins (admin, customs, reconciler), and enterprise rules add up to a scope of several codes.
 * No matching rule: admin for root and self_uid when implicit_admin, otherwise
 * BZLD_ROLE_NONE. */
void bzld_access_resolve(const bzld_access_table *t, uint32_t uid, uint32_t gid,
                         const uint32_t *groups, size_t n_groups, uint32_t self_uid,
                         bzld_principal *out);

/* True when p may see enterprise `code`'s data: every staff role, or an enterprise principal
 * whose scope holds it. */
bool bzld_principal_sees(const bzld_principal *p, const char *code);

struct bzld_slot;
struct bzld_request;
struct bzld_request_limits;

/* What the rights check decided. */
typedef enum bzld_access_verdict {
    BZLD_ACCESS_ALLOW,    /* the handler runs */
    BZLD_ACCESS_UNMAPPED, /* PERMISSION_DENIED: the peer maps to no principal */
    BZLD_ACCESS_DENIED,   /* PERMISSION_DENIED: the role may not send this kind */
    BZLD_ACCESS_FOREIGN,  /* NOT_FOUND with the row's missing() words: another's record, or
                           * (for a book) none at all: both take this one path */
} bzld_access_verdict;

/* Looks up the enterprise owning book_no into owner: true when the book exists. A failure to
 * read counts as "does not exist" (the handler reads again and reports it). */
typedef bool (*bzld_book_owner_fn)(void *arg, const char *book_no,
                                   char owner[BZL_ENTERPRISE_CODE_LEN + 1]);

/* The rights decision of row (requests.h) for req sent by p, without replying: pure but for
 * book_owner, which SCOPE_BOOK rows call for an enterprise principal whose request passes the
 * row's validate(). */
bzld_access_verdict bzld_access_decide(const bzld_principal *p, const struct bzld_request *row,
                                       const Bzl__V1__Request *req,
                                       const struct bzld_request_limits *lim,
                                       bzld_book_owner_fn book_owner, void *arg);

/* The rights check of dispatch over the slot's row: true when the request may run; otherwise
 * the slot has been replied to (PERMISSION_DENIED or NOT_FOUND as above) and the denial
 * logged. */
bool bzld_access_allow(struct bzld_slot *slot, const struct bzld_request *row);

/* For handlers that act on several enterprises in one request (a batch of declarations):
 * BZL_OK when the principal may submit declaration (enterprise, book_no); otherwise
 * BZL_NOT_FOUND with fault set exactly as storage refuses a missing book or enterprise. Reads
 * the book's owner in txn. Storage failures are returned as is. */
bzl_status bzld_access_decl(const bzld_principal *p, bzl_txn *txn, const char *enterprise,
                            const char *book_no, bzl_fault *fault);

/* BZL_OK when the principal may write to book_no as it stands in txn; BZL_NOT_FOUND with the
 * missing-book fault when an enterprise principal does not own it or it does not exist (the
 * same answer on the same path). Write handlers call it again on the writer thread, inside the
 * write transaction, because the owner can change between the access check and the write
 * (an OpenBook for another enterprise in the same group commit). */
bzl_status bzld_access_book(const bzld_principal *p, bzl_txn *txn, const char *book_no,
                            bzl_fault *fault);

#endif
