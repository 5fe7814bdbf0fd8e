/* storage_tax.h — the storage side of domestic-sale tax (docs/TAX.md): the dated tariff and
 * 缓税利息-rate tables, and the assessment kept with every domestic sale.
 *
 * Part of the storage module (bzl/storage.h: transactions, actors, action results); a header
 * of its own so the tax tables read apart from the ledger's. Every write here is journaled
 * (entry types 15 tax table — a tariff or an interest-rate row — and 16 assessment:
 * lib/src/storage/format.h) in the
 * same transaction, and every row is derived from the last entry of its key, which
 * bzl_storage_verify_balances proves. The arithmetic is lib's (bzl/tax.h); nothing here rounds.
 */
#ifndef BZL_STORAGE_TAX_H
#define BZL_STORAGE_TAX_H

#include "bzl/storage.h"
#include "bzl/tax.h"

/* ---- tariffs -------------------------------------------------------------------------------- */

/* The rates of an HS code in force from a date until the next row of the same code. */
typedef struct bzl_tariff_row {
    char hs[BZL_HS_LEN + 1];
    int32_t from; /* days since 1970-01-01 */
    bzl_tax_rates rates;
    uint64_t seq; /* the journal entry that set it (0 in a row being set) */
} bzl_tariff_row;

/* Sets (or replaces) the row (hs, from) after bzl_tax_rates_check, and journals it (entry type
 * 15, with the rates it replaced). The same rates again replay: out->replayed, nothing written.
 * actor borrowed for the call. Storage statuses only; the row is the caller's to check. */
BZL_NODISCARD bzl_status bzl_storage_tariff_set(bzl_txn *batch, const bzl_tariff_row *row,
                                                const bzl_actor *actor, bzl_action_result *out);
/* The row of hs in force on date (the latest from <= date): BZL_OK and *out, or BZL_NOT_FOUND. */
BZL_NODISCARD bzl_status bzl_storage_tariff_get(bzl_txn *t, const char *hs, int32_t date,
                                                bzl_tariff_row *out);
/* Rows in (hs, from) order, only hs's unless hs is "", after `skip` rows; at most cap. */
BZL_NODISCARD bzl_status bzl_storage_tariff_list(bzl_txn *t, const char *hs, size_t skip,
                                                 bzl_tariff_row *out, size_t cap, size_t *count,
                                                 bool *more);

/* ---- the 缓税利息 rate ---------------------------------------------------------------------- */

/* A row of the interest-rate history: built in (seq 0, bzl_tax_builtin_rates) or set. */
typedef struct bzl_interest_row {
    int32_t from;
    int64_t rate_e9; /* annual percent */
    uint64_t seq;    /* the journal entry that set it; 0 for a built-in row */
    bool replaces_builtin;
} bzl_interest_row;

/* Sets the rate in force from `from` (0 < rate <= 100 %, the caller checked) and journals it
 * (entry type 15, with the stored rate it replaced). A row set on a built-in row's date
 * replaces it. The same rate again replays. */
BZL_NODISCARD bzl_status bzl_storage_interest_set(bzl_txn *batch, int32_t from, int64_t rate_e9,
                                                  const bzl_actor *actor, bzl_action_result *out);
/* The rate in force on date over the built-in history and the set rows: BZL_OK and *out, or
 * BZL_NOT_FOUND before the first row. */
BZL_NODISCARD bzl_status bzl_storage_interest_get(bzl_txn *t, int32_t date, bzl_interest_row *out);
/* The whole history in date order, built-in and set rows merged (a set row hides the built-in
 * one of its date). At most cap (BZL_TAX_RATE_ROWS_MAX is enough for any history). */
BZL_NODISCARD bzl_status bzl_storage_interest_list(bzl_txn *t, bzl_interest_row *out, size_t cap,
                                                   size_t *count, bool *more);

/* ---- assessments ------------------------------------------------------------------------ */

typedef enum bzl_assessment_state {
    BZL_ASSESS_ASSESSED = 1, /* the declaration is posted */
    BZL_ASSESS_REVERSED = 2, /* the declaration was reversed: the assessment is void */
} bzl_assessment_state;

/* A taxed part as kept: the bzl_tax_part and the HS it was taxed under. */
typedef struct bzl_assessment_part {
    bzl_tax_part part;
    char hs[BZL_HS_LEN + 1];
    int64_t value_e5; /* the value converted, in its currency (scale 5) */
    char currency[BZL_CURRENCY_LEN + 1];
    int64_t cny_e9; /* the 计征汇率 it was converted at */
} bzl_assessment_part;

/* What customs collects for one domestic sale, as assessed when it was posted. */
typedef struct bzl_assessment {
    uint64_t decl_seq; /* the declaration's entry: the key */
    char enterprise[BZL_ENTERPRISE_CODE_LEN + 1];
    char id[BZL_DECL_ID_BYTES_MAX + 1];
    char book_no[BZL_BOOK_NO_LEN + 1];
    uint8_t state;    /* bzl_assessment_state */
    uint64_t ref_seq; /* the entry that posted (or reversed) the declaration */
    uint8_t flow;     /* bzl_flow: 6, 15 or 19 */
    int32_t date;     /* the assessment date */
    uint8_t basis;    /* bzl_tax_basis */
    /* BZL_OK when every figure is known; otherwise what was missing (BZL_RATE_MISSING,
     * BZL_NOT_FOUND for a tariff or a value, BZL_NOT_READY) and why, and no figures. */
    bzl_status status;
    char message[256];
    int32_t interest_start;
    bzl_tax_result result;
    uint32_t part_count;
    bzl_assessment_part *parts; /* owned: bzl_assessment_free */
    uint32_t goods_count;       /* the goods as presented, one per line (PRODUCT, MATERIAL) */
    bzl_assessment_part *goods; /* owned: bzl_assessment_free */
} bzl_assessment;

void bzl_assessment_free(bzl_assessment *a);

/* True for the flows a domestic-sale assessment is kept for (materials, products, scrap). */
bool bzl_tax_flow_assessed(uint8_t flow);

/* Computes the assessment declaration d (flow `flow` in its book) would get on `basis` (0: the
 * book's: ordinary outside a zone, product basis in an H book, scrap for scrap), reading the
 * tables as they stand in t. Nothing written. A missing rate, tariff or value is not an error:
 * it lands in out->status and out->message. Storage statuses only (BZL_NO_MEMORY, BZL_CORRUPT). */
BZL_NODISCARD bzl_status bzl_storage_tax_compute(bzl_txn *t, const bzl_declaration *d, uint8_t flow,
                                                 uint8_t basis, const bzl_tax_rules *rules,
                                                 bzl_assessment *out);

/* The assessment kept for enterprise's declaration id: BZL_OK and *out (free it), or
 * BZL_NOT_FOUND when the declaration has none (not a posted domestic sale, or unknown). */
BZL_NODISCARD bzl_status bzl_storage_assessment_get(bzl_txn *t, const char *enterprise,
                                                    const char *id, bzl_assessment *out);

/* Walks every assessment whose date is in [from, to], in declaration order, calling cb; cb
 * borrows the assessment for the call. A status other than BZL_OK from cb stops the walk. */
typedef bzl_status (*bzl_assessment_cb)(void *ctx, const bzl_assessment *a);
BZL_NODISCARD bzl_status bzl_storage_assessment_walk(bzl_txn *t, int32_t from, int32_t to,
                                                     bzl_assessment_cb cb, void *ctx);

/* The tax rules assessments are made under (bzld.conf; bzl_tax_rules_default until set). The
 * storage keeps a copy; set it before the first write. */
void bzl_storage_tax_rules_set(bzl_storage *s, const bzl_tax_rules *rules);

#endif
