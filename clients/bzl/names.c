/* names.c — the wire enums as the words people type and read, in both directions. */
#include <string.h>

#include "cli.h"

/* One word per enum value. Tables rather than switches so that parse and name can never
 * disagree about the spelling. */
typedef struct enum_word {
    const char *word;
    int value;
} enum_word;

static const enum_word kinds[] = {
    {"material", BZL__KIND__KIND_MATERIAL},
    {"product", BZL__KIND__KIND_PRODUCT},
};
static const enum_word directions[] = {
    {"in", BZL__DIRECTION__DIRECTION_IN},
    {"out", BZL__DIRECTION__DIRECTION_OUT},
};
static const enum_word modes[] = {
    {"OEM", BZL__BIZ_MODE__BIZ_MODE_OEM},
    {"ODM", BZL__BIZ_MODE__BIZ_MODE_ODM},
    {"OBM", BZL__BIZ_MODE__BIZ_MODE_OBM},
};
static const enum_word verify_modes[] = {
    {"unit", BZL__VERIFY_MODE__VERIFY_MODE_UNIT},
    {"work-order", BZL__VERIFY_MODE__VERIFY_MODE_WORK_ORDER},
    {"consumption", BZL__VERIFY_MODE__VERIFY_MODE_CONSUMPTION},
};
static const enum_word book_statuses[] = {
    {"open", BZL__BOOK_STATUS__BOOK_STATUS_OPEN},
    {"suspended", BZL__BOOK_STATUS__BOOK_STATUS_SUSPENDED},
    {"closed", BZL__BOOK_STATUS__BOOK_STATUS_CLOSED},
};

/* The value whose word is s exactly; -1 when none. */
static int
word_value(const enum_word *table, size_t n, const char *s)
{
    int value = -1;
    for (size_t i = 0; i < n && value < 0; i++) {
        if (strcmp(table[i].word, s) == 0) {
            value = table[i].value;
        }
    }
    return value;
}

/* The word for value; `none` when the table has no row for it (unspecified, or a number a
 * newer daemon sends). */
static const char *
value_word(const enum_word *table, size_t n, int value, const char *none)
{
    const char *word = none;
    for (size_t i = 0; i < n && word == none; i++) {
        if (table[i].value == value) {
            word = table[i].word;
        }
    }
    return word;
}

bool
cli_kind_parse(const char *s, Bzl__Kind *out)
{
    int v = word_value(kinds, BZL_ARRAY_LEN(kinds), s);
    if (v >= 0) {
        *out = (Bzl__Kind)v;
    }
    return v >= 0;
}

const char *
cli_kind_name(Bzl__Kind kind)
{
    return value_word(kinds, BZL_ARRAY_LEN(kinds), (int)kind, "");
}

bool
cli_direction_parse(const char *s, Bzl__Direction *out)
{
    int v = word_value(directions, BZL_ARRAY_LEN(directions), s);
    if (v >= 0) {
        *out = (Bzl__Direction)v;
    }
    return v >= 0;
}

bool
cli_mode_parse(const char *s, Bzl__BizMode *out)
{
    int v = word_value(modes, BZL_ARRAY_LEN(modes), s);
    if (v >= 0) {
        *out = (Bzl__BizMode)v;
    }
    return v >= 0;
}

const char *
cli_mode_name(Bzl__BizMode mode)
{
    return value_word(modes, BZL_ARRAY_LEN(modes), (int)mode, "");
}

bool
cli_verify_parse(const char *s, Bzl__VerifyMode *out)
{
    int v = word_value(verify_modes, BZL_ARRAY_LEN(verify_modes), s);
    if (v >= 0) {
        *out = (Bzl__VerifyMode)v;
    }
    return v >= 0;
}

const char *
cli_verify_name(Bzl__VerifyMode mode)
{
    /* Unspecified means the daemon's default, which is unit (see bzl.proto). */
    return mode == BZL__VERIFY_MODE__VERIFY_MODE_UNSPECIFIED
               ? "unit"
               : value_word(verify_modes, BZL_ARRAY_LEN(verify_modes), (int)mode, "");
}

const char *
cli_book_status_name(Bzl__BookStatus status)
{
    return value_word(book_statuses, BZL_ARRAY_LEN(book_statuses), (int)status, "");
}
