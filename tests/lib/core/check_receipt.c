/* check_receipt.c — proves the customs receipt machine (receipt.h; next-wave.md §A.6, ours C):
 * every cell of state × receipt × ledger state against the table written by hand below (the
 * one docs/INV101.md prints), the named cases of issue 17 (deducted before entered, a posted
 * declaration returned, a pre-deduction of a posted one), and every receipt code of §A.2,
 * with the codes that are not one refused. */
#include "bzl/receipt.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The machine by hand, before the ledger's say. Rows: SUBMITTED, ACCEPTED_BY_DC,
 * IMPORT_FAILED, ENTERED, MANUAL_REVIEW, PRE_DEDUCTED, APPROVED_NOT_DEDUCTED, DEDUCTED,
 * REJECTED. Columns: import OK, import failed, INV201 Y, 1, 2, 3, 4, 5, INV202 1, INV202 2,
 * INV211. "--" impossible; otherwise the state's first three letters (ACC, IFL, ENT, MAN, PRE,
 * APP, DED, REJ). */
static const char *const by_hand[BZL_CS_COUNT][BZL_RE_COUNT] = {
    {"ACC", "IFL", "--", "--", "--", "--", "--", "--", "--", "--", "--"}, /* SUBMITTED */
    {"--", "--", "ENT", "DED", "MAN", "REJ", "PRE", "APP", "ACC", "ACC", "--"},
    {"ACC", "IFL", "--", "--", "--", "--", "--", "--", "--", "--", "--"}, /* IMPORT_FAILED */
    {"--", "--", "ENT", "DED", "MAN", "REJ", "PRE", "APP", "ENT", "ENT", "--"},
    {"--", "--", "--", "DED", "MAN", "REJ", "PRE", "APP", "MAN", "MAN", "--"},
    {"--", "--", "--", "DED", "--", "REJ", "PRE", "--", "PRE", "PRE", "DED"}, /* PRE_DEDUCTED */
    {"--", "--", "--", "DED", "--", "REJ", "PRE", "APP", "APP", "APP", "--"},
    {"--", "--", "--", "DED", "--", "--", "--", "--", "DED", "DED", "DED"}, /* DEDUCTED */
    {"--", "--", "--", "--", "--", "--", "--", "--", "--", "--", "--"},     /* REJECTED */
};

static bzl_customs_state
state_of(const char *abbrev)
{
    static const char *const order[] = {"SUB", "ACC", "IFL", "ENT", "MAN",
                                        "PRE", "APP", "DED", "REJ"};
    for (unsigned i = 0; i < BZL_CS_COUNT; i++) {
        if (strcmp(order[i], abbrev) == 0) {
            return (bzl_customs_state)i;
        }
    }
    ck_abort_msg("no state %s", abbrev);
    return BZL_CS_SUBMITTED;
}

/* The ledger's say by hand: for a target of PRE_DEDUCTED, DEDUCTED, REJECTED and anything
 * else (rows), and a ledger PENDING, POSTED, REJECTED, CLOSED (columns): "no" impossible,
 * "post", "reject" or "-" (recorded only). */
static const char *
ledger_by_hand(bzl_customs_state to, bzl_receipt_ledger ledger)
{
    static const char *const rows[4][4] = {
        {"-", "no", "no", "no"},     /* PRE_DEDUCTED: only a pending declaration */
        {"post", "-", "no", "no"},   /* DEDUCTED: posts a pending one, confirms a posted */
        {"reject", "no", "-", "no"}, /* REJECTED: rejects a pending one */
        {"-", "-", "-", "-"},        /* any other: recorded whatever the ledger */
    };
    int row = to == BZL_CS_PRE_DEDUCTED ? 0
              : to == BZL_CS_DEDUCTED   ? 1
              : to == BZL_CS_REJECTED   ? 2
                                        : 3;
    return rows[row][ledger];
}

START_TEST(every_cell)
{
    unsigned possible = 0;
    for (unsigned s = 0; s < BZL_CS_COUNT; s++) {
        for (unsigned e = 0; e < BZL_RE_COUNT; e++) {
            for (unsigned l = 0; l < 4; l++) {
                bzl_customs_state next = BZL_CS_COUNT;
                bzl_receipt_action act = (bzl_receipt_action)99;
                bool ok = bzl_receipt_step((bzl_customs_state)s, (bzl_receipt_ledger)l,
                                           (bzl_receipt_event)e, &next, &act);
                const char *want = by_hand[s][e];
                if (strcmp(want, "--") == 0) {
                    ck_assert_msg(!ok, "%s × %s (ledger %u) must be impossible",
                                  bzl_customs_state_name(s), bzl_receipt_event_name(e), l);
                    continue;
                }
                bzl_customs_state to = state_of(want);
                const char *say = ledger_by_hand(to, (bzl_receipt_ledger)l);
                if (strcmp(say, "no") == 0) {
                    ck_assert_msg(!ok, "%s × %s with ledger %u must be refused by the ledger",
                                  bzl_customs_state_name(s), bzl_receipt_event_name(e), l);
                    continue;
                }
                ck_assert_msg(ok, "%s × %s (ledger %u) must apply", bzl_customs_state_name(s),
                              bzl_receipt_event_name(e), l);
                ck_assert_int_eq(next, to);
                bzl_receipt_action want_act = strcmp(say, "post") == 0     ? BZL_RA_POST
                                              : strcmp(say, "reject") == 0 ? BZL_RA_REJECT
                                                                           : BZL_RA_NONE;
                ck_assert_int_eq(act, want_act);
                possible++;
            }
        }
    }
    /* Counted from the tables by hand: 43 non-"--" cells (2 + 8 + 2 + 8 + 7 + 6 + 6 + 4 + 0 by
     * row); × 4 ledgers = 172, less the ledger's
     * refusals: PRE targets (7 cells: ACC4, ENT4, MAN4, PRE4, PRE E1, PRE E2, APP4) × 3 = 21;
     * DED targets (10: ACC1, ENT1, MAN1, PRE1, PRE211, APP1, DED1, DED E1, DED E2, DED211) × 2
     * = 20; REJ targets (5: ACC3, ENT3, MAN3, PRE3, APP3) × 2 = 10. 172 − 51 = 121. */
    ck_assert_uint_eq(possible, 121);
}
END_TEST

START_TEST(named_cases)
{
    bzl_customs_state next;
    bzl_receipt_action act;
    /* Deducted before customs holds the list (no import receipt yet): impossible. */
    ck_assert(!bzl_receipt_step(BZL_CS_SUBMITTED, BZL_RL_PENDING, BZL_RE_DEDUCTED, &next, &act));
    ck_assert_int_eq(bzl_receipt_target(BZL_RE_DEDUCTED, BZL_CS_SUBMITTED), BZL_CS_DEDUCTED);
    /* The scenario's first list: accepted, pre-deducted (pending stays), deducted (posts). */
    ck_assert(bzl_receipt_step(BZL_CS_SUBMITTED, BZL_RL_PENDING, BZL_RE_IMPORT_OK, &next, &act));
    ck_assert_int_eq(next, BZL_CS_ACCEPTED);
    ck_assert(bzl_receipt_step(next, BZL_RL_PENDING, BZL_RE_PRE_DEDUCTED, &next, &act));
    ck_assert_int_eq(next, BZL_CS_PRE_DEDUCTED);
    ck_assert_int_eq(act, BZL_RA_NONE);
    ck_assert(bzl_receipt_step(next, BZL_RL_PENDING, BZL_RE_DEDUCTED, &next, &act));
    ck_assert_int_eq(next, BZL_CS_DEDUCTED);
    ck_assert_int_eq(act, BZL_RA_POST);
    /* INV211 after it: the ledger already posted, nothing more to do. */
    ck_assert(bzl_receipt_step(next, BZL_RL_POSTED, BZL_RE_POSTING, &next, &act));
    ck_assert_int_eq(act, BZL_RA_NONE);
    /* The second list: returned while pre-deducted rejects it. */
    ck_assert(bzl_receipt_step(BZL_CS_PRE_DEDUCTED, BZL_RL_PENDING, BZL_RE_RETURNED, &next, &act));
    ck_assert_int_eq(next, BZL_CS_REJECTED);
    ck_assert_int_eq(act, BZL_RA_REJECT);
    /* A declaration submitted without pending is posted: customs cannot pre-deduct it, nor
     * return it (it is reversed instead), but may confirm it deducted. */
    ck_assert(!bzl_receipt_step(BZL_CS_ACCEPTED, BZL_RL_POSTED, BZL_RE_PRE_DEDUCTED, &next, &act));
    ck_assert(!bzl_receipt_step(BZL_CS_ACCEPTED, BZL_RL_POSTED, BZL_RE_RETURNED, &next, &act));
    ck_assert(bzl_receipt_step(BZL_CS_ACCEPTED, BZL_RL_POSTED, BZL_RE_DEDUCTED, &next, &act));
    ck_assert_int_eq(act, BZL_RA_NONE);
    /* Returned after deducted, INV211 on an entered list: impossible. */
    ck_assert(!bzl_receipt_step(BZL_CS_DEDUCTED, BZL_RL_POSTED, BZL_RE_RETURNED, &next, &act));
    ck_assert(!bzl_receipt_step(BZL_CS_ENTERED, BZL_RL_PENDING, BZL_RE_POSTING, &next, &act));
    /* Out of range never applies. */
    ck_assert(!bzl_receipt_step(BZL_CS_COUNT, BZL_RL_PENDING, BZL_RE_POSTING, &next, &act));
    ck_assert(!bzl_receipt_step(BZL_CS_ACCEPTED, BZL_RL_PENDING, BZL_RE_COUNT, &next, &act));
}
END_TEST

START_TEST(codes)
{
    bzl_receipt_event e;
    bzl_fault f = {0};
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_IMPORT, "0", &e, &f), BZL_OK);
    ck_assert_int_eq(e, BZL_RE_IMPORT_OK);
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_IMPORT, "-1", &e, &f), BZL_OK);
    ck_assert_int_eq(e, BZL_RE_IMPORT_FAILED);
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_IMPORT, "", &e, &f), BZL_INVALID_CODE);
    ck_assert_str_eq(f.field, "code");
    static const char *const c201[] = {"Y", "1", "2", "3", "4", "5"};
    static const bzl_receipt_event e201[] = {BZL_RE_ENTERED,  BZL_RE_DEDUCTED,     BZL_RE_MANUAL,
                                             BZL_RE_RETURNED, BZL_RE_PRE_DEDUCTED, BZL_RE_APPROVED};
    for (unsigned i = 0; i < 6; i++) {
        ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV201, c201[i], &e, &f), BZL_OK);
        ck_assert_int_eq(e, e201[i]);
    }
    static const char *const bad201[] = {"", "0", "6", "y", "11", "Y1"};
    for (unsigned i = 0; i < 6; i++) {
        memset(&f, 0, sizeof f);
        ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV201, bad201[i], &e, &f), BZL_INVALID_CODE);
        ck_assert_ptr_nonnull(strstr(f.message, "manageResult Y, 1, 2, 3, 4 or 5"));
    }
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV202, "1", &e, &f), BZL_OK);
    ck_assert_int_eq(e, BZL_RE_ENTRY_OK);
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV202, "2", &e, &f), BZL_OK);
    ck_assert_int_eq(e, BZL_RE_ENTRY_FAILED);
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV202, "4", &e, &f), BZL_INVALID_CODE);
    ck_assert_int_eq(bzl_receipt_event_of(BZL_RM_INV211, "", &e, &f), BZL_OK);
    ck_assert_int_eq(e, BZL_RE_POSTING);
    ck_assert_int_eq(bzl_receipt_event_of((bzl_receipt_message)9, "1", &e, &f),
                     BZL_INVALID_ARGUMENT);
    ck_assert_str_eq(bzl_customs_state_name(BZL_CS_ACCEPTED), "ACCEPTED_BY_DC");
    ck_assert_str_eq(bzl_customs_state_name(99), "UNKNOWN");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("receipt");
    TCase *tc = tcase_create("machine");
    tcase_add_test(tc, every_cell);
    tcase_add_test(tc, named_cases);
    tcase_add_test(tc, codes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
