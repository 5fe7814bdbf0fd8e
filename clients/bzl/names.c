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
    {"material", BZL__V1__KIND__KIND_MATERIAL},
    {"product", BZL__V1__KIND__KIND_PRODUCT},
};
static const enum_word directions[] = {
    {"in", BZL__V1__DIRECTION__DIRECTION_IN},
    {"out", BZL__V1__DIRECTION__DIRECTION_OUT},
};
static const enum_word modes[] = {
    {"OEM", BZL__V1__BIZ_MODE__BIZ_MODE_OEM},
    {"ODM", BZL__V1__BIZ_MODE__BIZ_MODE_ODM},
    {"OBM", BZL__V1__BIZ_MODE__BIZ_MODE_OBM},
};
static const enum_word verify_modes[] = {
    {"unit", BZL__V1__VERIFY_MODE__VERIFY_MODE_UNIT},
    {"work-order", BZL__V1__VERIFY_MODE__VERIFY_MODE_WORK_ORDER},
    {"consumption", BZL__V1__VERIFY_MODE__VERIFY_MODE_CONSUMPTION},
};
static const enum_word book_statuses[] = {
    {"open", BZL__V1__BOOK_STATUS__BOOK_STATUS_OPEN},
    {"suspended", BZL__V1__BOOK_STATUS__BOOK_STATUS_SUSPENDED},
    {"closed", BZL__V1__BOOK_STATUS__BOOK_STATUS_CLOSED},
};
static const enum_word stocktake_kinds[] = {
    {"material", BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_MATERIAL},
    {"product", BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_PRODUCT},
    {"wip", BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_WIP},
    {"scrap", BZL__V1__STOCKTAKE_KIND__STOCKTAKE_KIND_SCRAP},
};
static const enum_word report_kinds[] = {
    {"var", BZL__V1__REPORT_KIND__REPORT_KIND_VAR},
    {"modes", BZL__V1__REPORT_KIND__REPORT_KIND_MODES},
    {"upgrades", BZL__V1__REPORT_KIND__REPORT_KIND_UPGRADES},
    {"share", BZL__V1__REPORT_KIND__REPORT_KIND_SHARE},
};
/* "" leaves the choice to the daemon, as an absent option always has. */
static const enum_word report_bys[] = {
    {"", BZL__V1__REPORT_BY__REPORT_BY_UNSPECIFIED},
    {"enterprise", BZL__V1__REPORT_BY__REPORT_BY_ENTERPRISE},
    {"product", BZL__V1__REPORT_BY__REPORT_BY_PRODUCT},
    {"mode", BZL__V1__REPORT_BY__REPORT_BY_MODE},
    {"area", BZL__V1__REPORT_BY__REPORT_BY_AREA},
    {"zone", BZL__V1__REPORT_BY__REPORT_BY_ZONE},
};
static const enum_word granularities[] = {
    {"", BZL__V1__GRANULARITY__GRANULARITY_UNSPECIFIED},
    {"month", BZL__V1__GRANULARITY__GRANULARITY_MONTH},
    {"quarter", BZL__V1__GRANULARITY__GRANULARITY_QUARTER},
    {"year", BZL__V1__GRANULARITY__GRANULARITY_YEAR},
};
/* The journal's entry types: the one spelling of `bzl audit`, `bzl history` and `bzl
 * declaration show`, text and JSON alike. */
static const enum_word entry_types[] = {
    {"enterprise", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_ENTERPRISE},
    {"book", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_BOOK},
    {"item", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_ITEM},
    {"declaration", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_DECLARATION},
    {"post", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_POST},
    {"void", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_VOID},
    {"reverse", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_REVERSE},
    {"period_close", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_PERIOD_CLOSE},
    {"norm", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_NORM},
    {"item_mode", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_ITEM_MODE},
    {"reject", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_REJECT},
    {"stocktake", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_STOCKTAKE},
    {"rate", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_RATE},
    {"trade", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_TRADE},
    {"workorder_open", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_WORKORDER_OPEN},
    {"workorder_complete", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_WORKORDER_COMPLETE},
    {"delivery", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_DELIVERY},
    {"change", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_CHANGE},
    {"receipt", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_RECEIPT},
    {"tax_table", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_TAX_TABLE},
    {"assessment", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_ASSESSMENT},
    {"lot_method", BZL__V1__ENTRY_TYPE__ENTRY_TYPE_LOT_METHOD},
};
/* Where a declaration stands: `bzl declaration list --state` and its STATE column. */
static const enum_word decl_states[] = {
    {"pending", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_PENDING},
    {"posted", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_POSTED},
    {"rejected", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_REJECTED},
    {"voided", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_VOIDED},
    {"reversed", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_REVERSED},
    {"draft", BZL__V1__DECLARATION_STATE__DECLARATION_STATE_DRAFT},
};
static const enum_word roles[] = {
    {"none", BZL__V1__ROLE__ROLE_NONE},
    {"admin", BZL__V1__ROLE__ROLE_ADMIN},
    {"customs", BZL__V1__ROLE__ROLE_CUSTOMS},
    {"reconciler", BZL__V1__ROLE__ROLE_RECONCILER},
    {"enterprise", BZL__V1__ROLE__ROLE_ENTERPRISE},
    {"backup", BZL__V1__ROLE__ROLE_BACKUP},
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

/* A parse function per table: the word exactly, written to *out only when the table has it. */
#define WORD_PARSE(fn, type, table)                                                                \
    bool fn(const char *s, type *out)                                                              \
    {                                                                                              \
        int v = word_value(table, BZL_ARRAY_LEN(table), s);                                        \
        if (v >= 0) {                                                                              \
            *out = (type)v;                                                                        \
        }                                                                                          \
        return v >= 0;                                                                             \
    }

WORD_PARSE(cli_kind_parse, Bzl__V1__Kind, kinds)
WORD_PARSE(cli_direction_parse, Bzl__V1__Direction, directions)
WORD_PARSE(cli_mode_parse, Bzl__V1__BizMode, modes)
WORD_PARSE(cli_verify_parse, Bzl__V1__VerifyMode, verify_modes)
WORD_PARSE(cli_stocktake_kind_parse, Bzl__V1__StocktakeKind, stocktake_kinds)
WORD_PARSE(cli_report_kind_parse, Bzl__V1__ReportKind, report_kinds)
WORD_PARSE(cli_report_by_parse, Bzl__V1__ReportBy, report_bys)
WORD_PARSE(cli_granularity_parse, Bzl__V1__Granularity, granularities)
WORD_PARSE(cli_entry_type_parse, Bzl__V1__EntryType, entry_types)
WORD_PARSE(cli_decl_state_parse, Bzl__V1__DeclarationState, decl_states)

const char *
cli_kind_name(Bzl__V1__Kind kind)
{
    return value_word(kinds, BZL_ARRAY_LEN(kinds), (int)kind, "");
}

const char *
cli_mode_name(Bzl__V1__BizMode mode)
{
    return value_word(modes, BZL_ARRAY_LEN(modes), (int)mode, "");
}

const char *
cli_verify_name(Bzl__V1__VerifyMode mode)
{
    /* Unspecified means the daemon's default, which is unit (see bzl.proto). */
    return mode == BZL__V1__VERIFY_MODE__VERIFY_MODE_UNSPECIFIED
               ? "unit"
               : value_word(verify_modes, BZL_ARRAY_LEN(verify_modes), (int)mode, "");
}

const char *
cli_book_status_name(Bzl__V1__BookStatus status)
{
    return value_word(book_statuses, BZL_ARRAY_LEN(book_statuses), (int)status, "");
}

const char *
cli_entry_type_name(Bzl__V1__EntryType type)
{
    return value_word(entry_types, BZL_ARRAY_LEN(entry_types), (int)type, "other");
}

const char *
cli_decl_state_name(Bzl__V1__DeclarationState state)
{
    return value_word(decl_states, BZL_ARRAY_LEN(decl_states), (int)state, "?");
}

const char *
cli_role_name(Bzl__V1__Role role)
{
    return value_word(roles, BZL_ARRAY_LEN(roles), (int)role, "?");
}
