/* base.h — the status codes every bzl module returns, and always-on assertions.
 *
 * Every fallible function in bzl returns a bzl_status. The numbers are stable and
 * append-only: they travel on the wire (proto/bzl.proto mirrors them and the daemon
 * pins the two together with static_assert) and are kept in scripts' exit handling.
 * This header never allocates and includes nothing but the C library.
 */
#ifndef BZL_BASE_H
#define BZL_BASE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* X(NAME, number, text). Append only; never renumber or reuse a number. */
#define BZL_STATUS_MAP(X)                                                                          \
    X(OK, 0, "success")                                                                            \
    X(INVALID_ARGUMENT, 1, "a field is missing or malformed")                                      \
    X(NOT_FOUND, 2, "no such record")                                                              \
    X(ALREADY_EXISTS, 3, "the record exists already")                                              \
    X(PERMISSION_DENIED, 4, "the principal may not do this")                                       \
    X(INSUFFICIENT_BALANCE, 5, "the outflow exceeds the available balance")                        \
    X(ID_REUSED, 6, "the declaration id was already used for other content")                       \
    X(BUSY, 7, "the write queue is full; retry later")                                             \
    X(STORAGE_FULL, 8, "the ledger database reached its configured maximum size")                  \
    X(DISK_FULL, 9, "the disk holding the ledger is full")                                         \
    X(CORRUPT, 10, "stored data failed validation")                                                \
    X(SCHEMA_MISMATCH, 11, "the database has a schema version this build does not know")           \
    X(IO_ERROR, 12, "an operating-system call failed")                                             \
    X(FRAME_TOO_LARGE, 13, "the frame exceeds the configured size cap")                            \
    X(FRAME_EMPTY, 14, "a frame of length zero")                                                   \
    X(MALFORMED, 15, "the bytes are not a valid message")                                          \
    X(DECIMAL_SYNTAX, 16, "the decimal string is malformed")                                       \
    X(DECIMAL_RANGE, 17, "the decimal is out of range or has too many digits")                     \
    X(OVERFLOW, 18, "an arithmetic result is out of range")                                        \
    X(INVALID_CODE, 19, "a customs code is not valid")                                             \
    X(INVALID_DATE, 20, "the date is not a valid calendar date")                                   \
    X(LIMIT_EXCEEDED, 21, "a configured limit was exceeded")                                       \
    X(NO_MEMORY, 22, "out of memory")                                                              \
    X(UNSUPPORTED, 23, "the request kind is not supported")                                        \
    X(SHUTTING_DOWN, 24, "the daemon is shutting down")                                            \
    X(BOOK_NOT_OPEN, 25, "the account book is suspended or closed")                                \
    X(WRONG_BOOK, 26, "the declaration does not belong to this enterprise's book")                 \
    X(DUPLICATE_LINE, 27, "a declaration names the same item on two lines")                        \
    X(PERIOD_CLOSED, 28, "the date falls in a closed period")                                      \
    X(STATE_CONFLICT, 29, "the record is not in a state that allows this")                         \
    X(INTERNAL, 30, "an internal invariant failed")                                                \
    X(FLOW_NOT_ALLOWED, 31, "the trade mode does not fit this book type, kind and direction")      \
    X(NORM_MISSING, 32, "no consumption norm is in force for the product and material")            \
    X(SCRAP_ALLOWANCE_EXCEEDED, 33, "scrap disposal exceeds the tangible-loss allowance")          \
    X(RATE_MISSING, 34, "no exchange rate is recorded for the currency and month")                 \
    X(TAMPERED, 35, "the journal or a balance does not verify")                                    \
    X(NOT_READY, 36, "a prerequisite record or step is missing")                                   \
    X(ABORTED, 37, "not committed: another declaration of the all-or-nothing batch was refused")   \
    X(LOT_MISMATCH, 38, "a named lot is not of the line's item or holds less than it takes")       \
    X(WRONG_ORIGIN, 41, "repair goods or their parts must go back where they came from")           \
    X(TRANSFER_MISMATCH, 42, "the halves of a transfer do not pair")

typedef enum bzl_status {
#define BZL_STATUS_ENUM(name, num, text) BZL_##name = num,
    BZL_STATUS_MAP(BZL_STATUS_ENUM)
#undef BZL_STATUS_ENUM
} bzl_status;

/* One past the highest status number; a table indexed by status has this many rows. */
#define BZL_STATUS_COUNT 43

/* The status's stable upper-case name ("INSUFFICIENT_BALANCE"); "UNKNOWN" outside the map. */
const char *bzl_status_name(bzl_status status);
/* A one-sentence English description of the status; never NULL. */
const char *bzl_status_text(bzl_status status);
/* True when number is a status this build knows. */
bool bzl_status_known(int number);

/* Always-on assertion for programmer errors: never on client input. Prints the failed
 * condition with file and line, then aborts. Kept in release builds on purpose. */
#define BZL_ASSERT(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            bzl_assert_fail(#cond, __FILE__, __LINE__);                                            \
        }                                                                                          \
    } while (0)

_Noreturn void bzl_assert_fail(const char *cond, const char *file, int line);

#define BZL_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The one 128-bit integer type: intermediate products of 64-bit fixed-point figures are exact in
 * it (DESIGN.md §3). A GCC/Clang extension, hence __extension__ under -Wpedantic. */
__extension__ typedef __int128 bzl_i128;
__extension__ typedef unsigned __int128 bzl_u128;

#if defined(__GNUC__)
#define BZL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define BZL_NODISCARD __attribute__((warn_unused_result))
#else
#define BZL_PRINTF(fmt, args)
#define BZL_NODISCARD
#endif

#endif
