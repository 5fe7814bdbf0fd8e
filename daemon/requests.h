/* requests.h — the request table: one row per request kind of bzl.proto's Request oneof.
 *
 * A row says everything the daemon decides about a kind before its handler runs: the wire body
 * case, the name (logs, access denials, the rights matrix of README "Who may do what"), the
 * handler, whether it writes (writes go through the writer thread, in request order), the roles
 * that may send it, how an enterprise principal's request is tied to an enterprise (its scope),
 * a pure validate() holding every check the handler makes before its first read, the key
 * (enterprise code or book number) the scope reads, and the not-found fault a record of another
 * enterprise is answered with. dispatch.c routes by it, conn.c asks it whether a request writes,
 * access.c checks rights over it, and the tests (tests/daemon/unit/check_requests.c,
 * tests/daemon/e2e/check_access.c) iterate it.
 *
 * A proto field without a row fails the build: the lookup is a switch over the body-case enum
 * generated from the table, with no default, under -Wswitch -Werror; bzld_requests_check also
 * refuses to start a daemon whose table and descriptor disagree.
 *
 * Rows are constant; every function here is pure and thread-safe.
 */
#ifndef BZLD_REQUESTS_H
#define BZLD_REQUESTS_H

#include "bzld.h"

/* How an enterprise principal's request is tied to an enterprise (staff roles see all). */
typedef enum bzld_scope {
    BZLD_SCOPE_NONE = 0, /* not tied to one: rows with it grant staff roles only */
    BZLD_SCOPE_CODE,     /* key() returns an enterprise code */
    BZLD_SCOPE_BOOK,     /* key() returns a book number; the check reads the book's owner */
    BZLD_SCOPE_HANDLER,  /* the handler scopes it itself (bzld_access_decl, bzld_principal_sees) */
} bzld_scope;

/* What validate() needs of the configuration. */
typedef struct bzld_request_limits {
    uint32_t decl_lines_max; /* lines of a declaration or a stocktake */
} bzld_request_limits;

typedef struct bzld_request {
    Bzl__V1__Request__BodyCase body;
    const char *name;
    /* Loop thread. A read replies before it returns; a write converts, checks and queues a job
     * (bzld_slot_push_write) whose reply comes after its commit. */
    void (*handle)(bzld_slot *slot);
    bool write;
    uint32_t roles; /* BZLD_ROLE_BIT()s that may send it; everyone else: PERMISSION_DENIED */
    bzld_scope scope;
    /* Every check the handler makes before its first read, or NULL when it makes none that can
     * tell a foreign record from a missing one. A request it refuses goes to the handler, which
     * refuses it the same way whoever owns the record, so the scope check never reveals
     * existence. Pure: no storage, no slot. */
    bzl_status (*validate)(const Bzl__V1__Request *req, const bzld_request_limits *lim,
                           bzl_fault *fault);
    /* SCOPE_CODE and SCOPE_BOOK: the enterprise code or book number the request names. */
    const char *(*key)(const Bzl__V1__Request *req);
    /* SCOPE_CODE and SCOPE_BOOK: the NOT_FOUND fault the handler (or storage under it) gives
     * when the record does not exist; another enterprise's record gets these very words. */
    void (*missing)(const Bzl__V1__Request *req, bzl_fault *fault);
} bzld_request;

/* The row of a body case. A case without a row (NOT_SET: an empty body, or a field a newer
 * client sent that this build does not know) gets the "unknown" row: admin only, answered
 * UNSUPPORTED. Never NULL. */
const bzld_request *bzld_request_of(Bzl__V1__Request__BodyCase body);

/* Every row, in table order; *count of them. The unknown row is not among them. */
const bzld_request *bzld_requests(size_t *count);

/* Checks the table against the generated descriptor: every field of the Request oneof has
 * exactly one row and every row a field. False with why[why_cap] naming the first mismatch. */
bool bzld_requests_check(char *why, size_t why_cap);

#endif
