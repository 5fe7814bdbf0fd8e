/* receipt.c — customs receipts' codes and the list state machine (receipt.h; next-wave.md §A.2,
 * §A.6). The table below is the whole machine; docs/INV101.md prints it and
 * tests/lib/core/check_receipt.c checks every cell. */
#include "bzl/receipt.h"

#include <string.h>

static const char *const state_names[BZL_CS_COUNT] = {
    [BZL_CS_SUBMITTED] = "SUBMITTED",
    [BZL_CS_ACCEPTED] = "ACCEPTED_BY_DC",
    [BZL_CS_IMPORT_FAILED] = "IMPORT_FAILED",
    [BZL_CS_ENTERED] = "ENTERED",
    [BZL_CS_MANUAL_REVIEW] = "MANUAL_REVIEW",
    [BZL_CS_PRE_DEDUCTED] = "PRE_DEDUCTED",
    [BZL_CS_APPROVED_NOT_DEDUCTED] = "APPROVED_NOT_DEDUCTED",
    [BZL_CS_DEDUCTED] = "DEDUCTED",
    [BZL_CS_REJECTED] = "REJECTED",
};

static const char *const event_names[BZL_RE_COUNT] = {
    [BZL_RE_IMPORT_OK] = "import receipt DealFlag 0 (accepted by the data centre)",
    [BZL_RE_IMPORT_FAILED] = "import receipt DealFlag not 0 (import failed)",
    [BZL_RE_ENTERED] = "INV201 manageResult Y (entered)",
    [BZL_RE_DEDUCTED] = "INV201 manageResult 1 (deducted)",
    [BZL_RE_MANUAL] = "INV201 manageResult 2 (manual review)",
    [BZL_RE_RETURNED] = "INV201 manageResult 3 (returned)",
    [BZL_RE_PRE_DEDUCTED] = "INV201 manageResult 4 (pre-deducted)",
    [BZL_RE_APPROVED] = "INV201 manageResult 5 (approved, not deducted)",
    [BZL_RE_ENTRY_OK] = "INV202 manageResult 1 (customs declaration generated)",
    [BZL_RE_ENTRY_FAILED] = "INV202 manageResult 2 (customs declaration not generated)",
    [BZL_RE_POSTING] = "INV211 (posted to the book)",
};

const char *
bzl_customs_state_name(unsigned state)
{
    return state < BZL_CS_COUNT ? state_names[state] : "UNKNOWN";
}

const char *
bzl_receipt_event_name(unsigned event)
{
    return event < BZL_RE_COUNT ? event_names[event] : "unknown receipt";
}

const char *
bzl_receipt_message_name(unsigned message)
{
    switch (message) {
    case BZL_RM_IMPORT:
        return "import receipt";
    case BZL_RM_INV201:
        return "INV201";
    case BZL_RM_INV202:
        return "INV202";
    case BZL_RM_INV211:
        return "INV211";
    default:
        return "unknown receipt";
    }
}

bzl_status
bzl_receipt_event_of(bzl_receipt_message message, const char *code, bzl_receipt_event *event,
                     bzl_fault *fault)
{
    BZL_ASSERT(code != NULL && event != NULL);
    switch (message) {
    case BZL_RM_IMPORT:
        /* A.2: DealFlag 0 imported, any other value (−1 seen) failed. */
        if (code[0] == '\0') {
            break;
        }
        *event = strcmp(code, "0") == 0 ? BZL_RE_IMPORT_OK : BZL_RE_IMPORT_FAILED;
        return BZL_OK;
    case BZL_RM_INV201: {
        /* A.2: manageResult Y, 1 … 5 */
        static const char codes[] = "Y12345";
        static const bzl_receipt_event events[] = {BZL_RE_ENTERED,      BZL_RE_DEDUCTED,
                                                   BZL_RE_MANUAL,       BZL_RE_RETURNED,
                                                   BZL_RE_PRE_DEDUCTED, BZL_RE_APPROVED};
        const char *at = code[0] != '\0' && code[1] == '\0' ? strchr(codes, code[0]) : NULL;
        if (at == NULL) {
            break;
        }
        *event = events[at - codes];
        return BZL_OK;
    }
    case BZL_RM_INV202:
        /* A.2: manageResult 1 生成成功, 2 生成失败 */
        if (strcmp(code, "1") == 0 || strcmp(code, "2") == 0) {
            *event = code[0] == '1' ? BZL_RE_ENTRY_OK : BZL_RE_ENTRY_FAILED;
            return BZL_OK;
        }
        break;
    case BZL_RM_INV211:
        *event = BZL_RE_POSTING;
        return BZL_OK;
    default:
        return bzl_fault_set(fault, BZL_INVALID_ARGUMENT, 0, "message",
                             "receipt message %u is none of the import receipt, INV201, INV202 "
                             "and INV211",
                             (unsigned)message);
    }
    return bzl_fault_set(fault, BZL_INVALID_CODE, 0, "code",
                         "%s code '%s' is not one next-wave.md A.2 lists (%s)",
                         bzl_receipt_message_name(message), code,
                         message == BZL_RM_IMPORT   ? "DealFlag 0, or another number"
                         : message == BZL_RM_INV201 ? "manageResult Y, 1, 2, 3, 4 or 5"
                                                    : "manageResult 1 or 2");
}

/* The machine before the ledger's say: X impossible, S stays where it is. */
enum { X = 0xff, S = 0xfe };
#define ACC BZL_CS_ACCEPTED
#define IFL BZL_CS_IMPORT_FAILED
#define ENT BZL_CS_ENTERED
#define MAN BZL_CS_MANUAL_REVIEW
#define PRE BZL_CS_PRE_DEDUCTED
#define APP BZL_CS_APPROVED_NOT_DEDUCTED
#define DED BZL_CS_DEDUCTED
#define REJ BZL_CS_REJECTED

/* Columns in bzl_receipt_event order: import OK, import failed, Y, 1, 2, 3, 4, 5, INV202 1,
 * INV202 2, INV211. Rows in bzl_customs_state order. A.6's arrows, plus ours (C): an audit
 * result needs the list in customs' system (accepted by the data centre) and not finished
 * (deducted or rejected); a repeated result with new back-fills stays; INV211 posts a
 * pre-deducted list and refreshes a deducted one's book line; INV202 is recorded on any list
 * customs holds and has not returned. */
static const uint8_t machine[BZL_CS_COUNT][BZL_RE_COUNT] = {
    /*                  IOK  IFL  Y    1    2    3    4    5    E1  E2  211 */
    [BZL_CS_SUBMITTED] = {ACC, IFL, X, X, X, X, X, X, X, X, X},
    [BZL_CS_ACCEPTED] = {X, X, ENT, DED, MAN, REJ, PRE, APP, S, S, X},
    [BZL_CS_IMPORT_FAILED] = {ACC, S, X, X, X, X, X, X, X, X, X},
    [BZL_CS_ENTERED] = {X, X, S, DED, MAN, REJ, PRE, APP, S, S, X},
    [BZL_CS_MANUAL_REVIEW] = {X, X, X, DED, S, REJ, PRE, APP, S, S, X},
    [BZL_CS_PRE_DEDUCTED] = {X, X, X, DED, X, REJ, S, X, S, S, DED},
    [BZL_CS_APPROVED_NOT_DEDUCTED] = {X, X, X, DED, X, REJ, PRE, S, S, S, X},
    [BZL_CS_DEDUCTED] = {X, X, X, S, X, X, X, X, S, S, S},
    [BZL_CS_REJECTED] = {X, X, X, X, X, X, X, X, X, X, X},
};

bzl_customs_state
bzl_receipt_target(bzl_receipt_event event, bzl_customs_state from)
{
    static const uint8_t targets[BZL_RE_COUNT] = {ACC, IFL, ENT, DED, MAN, REJ,
                                                  PRE, APP, S,   S,   DED};
    uint8_t t = event < BZL_RE_COUNT ? targets[event] : S;
    return t == S ? from : (bzl_customs_state)t;
}

bool
bzl_receipt_step(bzl_customs_state from, bzl_receipt_ledger ledger, bzl_receipt_event event,
                 bzl_customs_state *next, bzl_receipt_action *action)
{
    BZL_ASSERT(next != NULL && action != NULL);
    *action = BZL_RA_NONE;
    if ((unsigned)from >= BZL_CS_COUNT || (unsigned)event >= BZL_RE_COUNT) {
        return false;
    }
    uint8_t t = machine[from][event];
    if (t == X) {
        return false;
    }
    bzl_customs_state to = t == S ? from : (bzl_customs_state)t;
    /* The ledger's say: pre-deducted is bzl's pending; deducted posts a pending declaration
     * and confirms a posted one; returned rejects a pending one and confirms a rejected one.
     * A posted declaration is never returned (it is reversed), a voided or reversed one
     * neither deducted nor returned. */
    switch (to) {
    case BZL_CS_PRE_DEDUCTED:
        if (ledger != BZL_RL_PENDING) {
            return false;
        }
        break;
    case BZL_CS_DEDUCTED:
        if (ledger == BZL_RL_PENDING) {
            *action = BZL_RA_POST;
        } else if (ledger != BZL_RL_POSTED) {
            return false;
        }
        break;
    case BZL_CS_REJECTED:
        if (ledger == BZL_RL_PENDING) {
            *action = BZL_RA_REJECT;
        } else if (ledger != BZL_RL_REJECTED) {
            return false;
        }
        break;
    default:
        break;
    }
    *next = to;
    return true;
}
