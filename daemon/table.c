/* table.c — the reply table of the verification and report handlers (table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzl/decimal.h"

void
bzld_table_init(bzld_table *t, const char *const *cols, size_t n_cols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->n_cols = n_cols;
}

void
bzld_table_add(bzld_table *t, const char *fmt, ...)
{
    if (t->failed) {
        return;
    }
    if (t->n_cells == t->cap) {
        size_t nc = t->cap == 0 ? 64 : t->cap * 2;
        char **g = realloc(t->cells, nc * sizeof *g);
        if (g == NULL) {
            t->failed = true;
            return;
        }
        t->cells = g;
        t->cap = nc;
    }
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->cells[t->n_cells] = strdup(buf);
    t->failed = t->cells[t->n_cells] == NULL;
    t->n_cells += !t->failed;
}

void
bzld_table_note(bzld_table *t, const char *fmt, ...)
{
    if (t->n_notes == BZL_ARRAY_LEN(t->notes)) {
        return;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->notes[t->n_notes] = strdup(buf);
    t->n_notes += t->notes[t->n_notes] != NULL;
}

/* A decimal at scale with fixed places ("n/a" when !has). */
void
bzld_table_dec(bzld_table *t, int64_t v, unsigned scale, unsigned places, bool has)
{
    char b[BZL_DEC_TEXT_BYTES];
    if (!has) {
        bzld_table_add(t, "n/a");
        return;
    }
    if (places == 0) {
        bzl_dec_format(v, scale, b, sizeof b);
    } else {
        bzl_dec_format_fixed(v, scale, places, b, sizeof b);
    }
    bzld_table_add(t, "%s", b);
}

void
bzld_table_deinit(bzld_table *t)
{
    for (size_t i = 0; i < t->n_cells; i++) {
        free(t->cells[i]);
    }
    for (size_t i = 0; i < t->n_notes; i++) {
        free(t->notes[i]);
    }
    free(t->cells);
}

/* Replies with the table (and frees it). */
void
bzld_table_reply(bzld_slot *slot, bzld_table *t, bool more, const char *next_after,
                 uint64_t journal_reads, uint32_t beyond)
{
    BZL_ASSERT(t->n_cols > 0);
    if (t->failed || t->n_cells % t->n_cols != 0) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the table");
        bzld_table_deinit(t);
        return;
    }
    size_t n_rows = t->n_cells / t->n_cols;
    Bzl__TableRow *rows = calloc(n_rows + 1, sizeof *rows);
    Bzl__TableRow **row_ptrs = calloc(n_rows + 1, sizeof *row_ptrs);
    if (rows == NULL || row_ptrs == NULL) {
        bzld_slot_reply_status(slot, BZL_NO_MEMORY, "out of memory building the table");
    } else {
        for (size_t r = 0; r < n_rows; r++) {
            bzl__table_row__init(&rows[r]);
            rows[r].n_cells = t->n_cols;
            rows[r].cells = &t->cells[r * t->n_cols];
            row_ptrs[r] = &rows[r];
        }
        Bzl__Table pb = BZL__TABLE__INIT;
        pb.n_columns = t->n_cols;
        pb.columns = (char **)t->cols;
        pb.n_rows = n_rows;
        pb.rows = row_ptrs;
        pb.n_notes = t->n_notes;
        pb.notes = t->notes;
        pb.more = more;
        pb.next_after = (char *)next_after;
        pb.journal_reads = journal_reads;
        pb.beyond = beyond;
        Bzl__Response resp = BZL__RESPONSE__INIT;
        resp.result_case = BZL__RESPONSE__RESULT_TABLE;
        resp.table = &pb;
        bzld_slot_reply(slot, &resp);
    }
    free(rows);
    free(row_ptrs);
    bzld_table_deinit(t);
}

bzl_status
bzld_parse_period(const char *text, bzl_period *p, bzl_fault *fault)
{
    bzl_status st = bzl_period_parse(text, strlen(text), p, fault);
    return st == BZL_OK ? bzl_period_require_months(p, fault) : st;
}
