/* receipt.h — the pure rules of customs receipts (回执) for a 核注清单: which message and code
 * mean which event, and the state machine a declaration goes through on them (next-wave.md
 * §A.2 for the codes, §A.6 for the machine, which is ours: C). No I/O.
 *
 * The customs state is kept beside the ledger's own (posted, pending, …: bzl_decl_state in
 * storage.h). A receipt moves the customs state and, for three targets, the ledger too:
 * DEDUCTED posts a pending declaration, REJECTED rejects it (its pre-deduction released) and
 * PRE_DEDUCTED needs it pending, which is what "available reduced, balance not" is in bzl.
 */
#ifndef BZL_RECEIPT_H
#define BZL_RECEIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "bzl/ledger.h"

/* Where a list stands with customs (A.6's names). Stable numbers: stored and journaled. */
typedef enum bzl_customs_state {
    BZL_CS_SUBMITTED = 0,             /* no receipt yet */
    BZL_CS_ACCEPTED = 1,              /* ACCEPTED_BY_DC: import receipt DealFlag 0, SeqNo given */
    BZL_CS_IMPORT_FAILED = 2,         /* import receipt DealFlag ≠ 0: editable, may be resent */
    BZL_CS_ENTERED = 3,               /* INV201 manageResult Y: 报文入库成功 */
    BZL_CS_MANUAL_REVIEW = 4,         /* INV201 2: 转人工 */
    BZL_CS_PRE_DEDUCTED = 5,          /* INV201 4: 预核扣 */
    BZL_CS_APPROVED_NOT_DEDUCTED = 6, /* INV201 5: 通过(未核扣) */
    BZL_CS_DEDUCTED = 7,              /* INV201 1 or INV211: 已核扣 */
    BZL_CS_REJECTED = 8,              /* INV201 3: 退单 */
    BZL_CS_COUNT = 9,
} bzl_customs_state;

/* What one receipt says (the message and its code). Stable numbers: journaled. */
typedef enum bzl_receipt_event {
    BZL_RE_IMPORT_OK = 0,     /* CommonResponeMessage DealFlag 0 */
    BZL_RE_IMPORT_FAILED = 1, /* CommonResponeMessage DealFlag anything else (−1 seen) */
    BZL_RE_ENTERED = 2,       /* INV201 manageResult Y */
    BZL_RE_DEDUCTED = 3,      /* INV201 1 */
    BZL_RE_MANUAL = 4,        /* INV201 2 */
    BZL_RE_RETURNED = 5,      /* INV201 3 */
    BZL_RE_PRE_DEDUCTED = 6,  /* INV201 4 */
    BZL_RE_APPROVED = 7,      /* INV201 5 */
    BZL_RE_ENTRY_OK = 8,      /* INV202 manageResult 1: 报关单 generated */
    BZL_RE_ENTRY_FAILED = 9,  /* INV202 2 */
    BZL_RE_POSTING = 10,      /* INV211 记账回执 */
    BZL_RE_COUNT = 11,
} bzl_receipt_event;

/* The receipt messages (which element a file's root or body is). Stable numbers. */
typedef enum bzl_receipt_message {
    BZL_RM_IMPORT = 1, /* CommonResponeMessage */
    BZL_RM_INV201 = 2,
    BZL_RM_INV202 = 3,
    BZL_RM_INV211 = 4,
} bzl_receipt_message;

/* The ledger's side, as the machine needs it (storage maps bzl_decl_state onto it). */
typedef enum bzl_receipt_ledger {
    BZL_RL_PENDING = 0,
    BZL_RL_POSTED = 1,
    BZL_RL_REJECTED = 2,
    BZL_RL_CLOSED = 3, /* voided or reversed */
} bzl_receipt_ledger;

/* What the ledger must do with the transition. */
typedef enum bzl_receipt_action {
    BZL_RA_NONE = 0,   /* recorded only */
    BZL_RA_POST = 1,   /* post the pending declaration (ENTRY_TYPE_POST) */
    BZL_RA_REJECT = 2, /* reject it, releasing the pre-deduction (ENTRY_TYPE_REJECT) */
} bzl_receipt_action;

/* A.6's name of a state ("ACCEPTED_BY_DC"), "UNKNOWN" past the table. */
const char *bzl_customs_state_name(unsigned state);
/* The event in words for messages: "INV201 manageResult 4 (pre-deducted)". */
const char *bzl_receipt_event_name(unsigned event);
/* "import receipt", "INV201", "INV202", "INV211"; "unknown receipt" otherwise. */
const char *bzl_receipt_message_name(unsigned message);

/* The event of message with code (DealFlag for the import receipt, manageResult for INV201 and
 * INV202; INV211 takes no code, code is ignored). BZL_OK, or BZL_INVALID_CODE with fault naming
 * "code" when the code is not one A.2 lists. */
BZL_NODISCARD bzl_status bzl_receipt_event_of(bzl_receipt_message message, const char *code,
                                              bzl_receipt_event *event, bzl_fault *fault);

/* One step of the machine: the customs state `from` with the ledger at `ledger` takes `event`.
 * True with the next customs state and the ledger's action; false when the transition is
 * impossible (STATE_CONFLICT: the caller names from and the state the event leads to,
 * bzl_receipt_target). Which are impossible is docs/INV101.md's table. */
bool bzl_receipt_step(bzl_customs_state from, bzl_receipt_ledger ledger, bzl_receipt_event event,
                      bzl_customs_state *next, bzl_receipt_action *action);

/* The state an event leads to when it applies (for messages about the impossible ones). */
bzl_customs_state bzl_receipt_target(bzl_receipt_event event, bzl_customs_state from);

#endif
