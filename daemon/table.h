/* table.h — the reply table the verification and report handlers share (handler_recon.c,
 * handler_report.c): rows of exact decimal strings under named columns, with notes, answered
 * as one Table; and the period argument both take. */
#ifndef BZLD_TABLE_H
#define BZLD_TABLE_H

#include "bzl/recon.h"
#include "dispatch.h"

/* Cells are added row by row, left to right; errors are sticky (failed) and answered as
 * NO_MEMORY by bzld_table_reply. */
typedef struct bzld_table {
    const char *const *cols;
    size_t n_cols;
    char **cells; /* owned, row-major */
    size_t n_cells;
    size_t cap;
    char *notes[8];
    size_t n_notes;
    bool failed;
} bzld_table;

void bzld_table_init(bzld_table *t, const char *const *cols, size_t n_cols);
void bzld_table_add(bzld_table *t, const char *fmt, ...) BZL_PRINTF(2, 3);
void bzld_table_note(bzld_table *t, const char *fmt, ...) BZL_PRINTF(2, 3);
/* A decimal at scale with fixed places ("n/a" when !has). */
void bzld_table_dec(bzld_table *t, int64_t v, unsigned scale, unsigned places, bool has);
void bzld_table_deinit(bzld_table *t);
/* Replies with the table (and frees it). */
void bzld_table_reply(bzld_slot *slot, bzld_table *t, bool more, const char *next_after,
                      uint64_t journal_reads, uint32_t beyond);

/* A period of whole months (YYYY-MM, YYYY-Qn, YYYY or DATE..DATE), or the fault. */
BZL_NODISCARD bzl_status bzld_parse_period(const char *text, bzl_period *p, bzl_fault *fault);

#endif
