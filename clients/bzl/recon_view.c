/* recon_view.c — how `bzl reconcile` shows the daemon's verification table: the 120-column
 * view (book, item, name, unit, opening, in, out, consumption, book balance, counted,
 * difference, rate, flag), every column (--wide, the table as it always was), one block per
 * material (--vertical), the rows that need an officer (--flagged), the largest rates first
 * (--sort rate), a footer naming the materials beyond tolerance, and exit status 5 for them.
 *
 * Every figure is the daemon's exact decimal string: this file chooses, orders, aligns and
 * wraps text, and compares decimals only to sort and to tell zero from not. */
#include <stdlib.h>
#include <string.h>

#include "bzl/codes.h"
#include "cli.h"

/* ---- the daemon's columns -------------------------------------------------------------------
 *
 * The view finds columns by name, so it works with any daemon that sends them (a missing one
 * shows as empty). handler_recon.c appends name, unit, in, out and counted_by after flag;
 * --wide leaves those five out, which gives back the table exactly as it was before they
 * existed. */

static const char *const added_cols[] = {"name", "unit", "in", "out", "counted_by"};

/* The note defining in and out (handler_recon.c RECON_NOTE_IN_OUT starts so): --wide, which
 * has neither column, leaves it out. */
static const char in_out_note[] = "in = ";
/* The note on the counted_by column (handler_recon.c RECON_NOTE_COUNTED_BY starts so): --wide,
 * which leaves that column out, leaves it out too. */
static const char counted_by_note[] = "counted_by: ";

/* The columns that are not figures: an uncounted row is idle when every other one is zero. */
static const char *const label_cols[] = {
    "book", "item",      "name", "unit", "counted", "difference", "difference_rate",
    "flag", "counted_by"};

typedef struct view_col {
    const char *key;    /* the daemon's column */
    const char *header; /* what the 120-column table calls it */
    bool right;         /* figures are right-aligned */
} view_col;

/* The 120-column table, in this order (the name column takes what the others leave). */
static const view_col compact_cols[] = {
    {"book", "book", false},
    {"item", "item", true},
    {"name", "name", false},
    {"unit", "unit", false},
    {"opening", "opening", true},
    {"in", "in", true},
    {"out", "out", true},
    {"consumption", "consumption", true},
    {"book_balance", "book balance", true},
    {"counted", "counted", true},
    {"difference", "diff", true},
    {"difference_rate", "rate %", true},
    {"flag", "flag", false},
};
#define COMPACT_NAME 2u /* compact_cols[COMPACT_NAME] is the name */
#define COMPACT_UNIT 3u

/* --vertical's order: the sums with their parts indented under them (the losses are parts of
 * consumption), then whatever else the daemon sends, in its order. */
static const char *const vertical_keys[] = {
    "book",
    "item",
    "name",
    "unit",
    "opening",
    "in",
    "  import",
    "  transfer_in",
    "  leftover_in",
    "  zone_transfer_in",
    "  return_in",
    "  low_value",
    "out",
    "  reexport",
    "  domestic_sale",
    "  leftover_out",
    "  destroy",
    "  return_out",
    "  zone_transfer_out",
    "consumption",
    "  tangible_loss",
    "  intangible_loss",
    "adjust_up",
    "adjust_down",
    "scrap_disposed",
    "book_balance",
    "counted",
    "difference",
    "difference_rate",
    "flag",
};

/* ---- gathering the pages ------------------------------------------------------------------- */

void
cli_recon_rows_init(cli_recon_rows *r)
{
    BZL_ASSERT(r != NULL);
    *r = (cli_recon_rows){0};
}

static char *
copy_text(cli_recon_rows *r, const char *s)
{
    char *copy = strdup(s != NULL ? s : "");
    r->failed = r->failed || copy == NULL;
    return copy;
}

/* The columns and notes of the first page; later pages' notes replace the notes. */
static void
rows_header(cli_recon_rows *r, const Bzl__V1__Table *t)
{
    if (r->cols == NULL && !r->failed) {
        r->cols = calloc(t->n_columns + 1, sizeof *r->cols);
        r->failed = r->cols == NULL;
        for (size_t i = 0; !r->failed && i < t->n_columns; i++) {
            r->cols[r->n_cols++] = copy_text(r, t->columns[i]);
        }
    }
    for (size_t i = 0; i < r->n_notes; i++) {
        free(r->notes[i]);
    }
    free(r->notes);
    r->n_notes = 0;
    r->notes = calloc(t->n_notes + 1, sizeof *r->notes);
    r->failed = r->failed || r->notes == NULL;
    for (size_t i = 0; !r->failed && i < t->n_notes; i++) {
        r->notes[r->n_notes++] = copy_text(r, t->notes[i]);
    }
}

void
cli_recon_rows_add(cli_recon_rows *r, const Bzl__V1__Table *t)
{
    BZL_ASSERT(r != NULL && t != NULL);
    rows_header(r, t);
    r->journal_reads += t->journal_reads;
    r->beyond += t->beyond;
    if (r->failed || r->n_cols == 0 || t->n_rows == 0) {
        return;
    }
    size_t need = (r->n_rows + t->n_rows) * r->n_cols;
    char **cells = realloc(r->cells, need * sizeof *cells);
    if (cells == NULL) {
        r->failed = true;
        return;
    }
    r->cells = cells;
    for (size_t i = 0; i < t->n_rows; i++) {
        const Bzl__V1__TableRow *row = t->rows[i];
        for (size_t k = 0; k < r->n_cols; k++) {
            r->cells[r->n_rows * r->n_cols + k] =
                copy_text(r, k < row->n_cells ? row->cells[k] : "");
        }
        r->n_rows++;
    }
    BZL_ASSERT(r->n_rows * r->n_cols == need);
}

void
cli_recon_rows_deinit(cli_recon_rows *r)
{
    for (size_t i = 0; i < r->n_rows * r->n_cols; i++) {
        free(r->cells[i]);
    }
    for (size_t i = 0; i < r->n_cols; i++) {
        free(r->cols[i]);
    }
    for (size_t i = 0; i < r->n_notes; i++) {
        free(r->notes[i]);
    }
    free(r->cells);
    free(r->cols);
    free(r->notes);
    *r = (cli_recon_rows){0};
}

/* The index of column key, or n_cols when the daemon did not send it. */
static size_t
col_of(const cli_recon_rows *r, const char *key)
{
    size_t i = 0;
    while (i < r->n_cols && strcmp(r->cols[i], key) != 0) {
        i++;
    }
    return i;
}

/* The cell of row under column index k ("" for a column the daemon did not send). */
static const char *
cell_at(const cli_recon_rows *r, size_t row, size_t k)
{
    BZL_ASSERT(row < r->n_rows);
    return k < r->n_cols ? r->cells[row * r->n_cols + k] : "";
}

static const char *
cell(const cli_recon_rows *r, size_t row, const char *key)
{
    return cell_at(r, row, col_of(r, key));
}

static bool
in_list(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(key, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- decimals as text ---------------------------------------------------------------------- */

/* The digits of a decimal text: integer part without leading zeros, and fraction. False for
 * anything but [-]digits[.digits] ("n/a", ""). */
static bool
dec_split(const char *s, const char **int_p, size_t *int_len, const char **frac_p, size_t *frac_len)
{
    s += *s == '-';
    size_t n = strspn(s, "0123456789");
    const char *frac = s[n] == '.' ? s + n + 1 : s + n;
    size_t f = strspn(frac, "0123456789");
    if (n == 0 || frac[f] != '\0' || (s[n] == '.' && f == 0)) {
        return false;
    }
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    *int_p = s;
    *int_len = n;
    *frac_p = frac;
    *frac_len = f;
    return true;
}

static bool
dec_is_zero(const char *s)
{
    const char *ip = NULL;
    const char *fp = NULL;
    size_t il = 0;
    size_t fl = 0;
    return dec_split(s, &ip, &il, &fp, &fl) && il == 1 && ip[0] == '0' && strspn(fp, "0") == fl;
}

/* Compares |a| with |b|, exactly and without a bound on digits; a text that is not a decimal
 * ("n/a": uncounted, or a zero book balance) is smaller than every number. */
static int
dec_abs_cmp(const char *a, const char *b)
{
    const char *ai = NULL, *af = NULL, *bi = NULL, *bf = NULL;
    size_t ail = 0, afl = 0, bil = 0, bfl = 0;
    bool an = dec_split(a, &ai, &ail, &af, &afl);
    bool bn = dec_split(b, &bi, &bil, &bf, &bfl);
    if (!an || !bn) {
        return (int)an - (int)bn;
    }
    if (ail != bil) {
        return ail < bil ? -1 : 1;
    }
    int c = memcmp(ai, bi, ail);
    for (size_t i = 0; c == 0 && (i < afl || i < bfl); i++) {
        c = (i < afl ? af[i] : '0') - (i < bfl ? bf[i] : '0');
    }
    return c < 0 ? -1 : c > 0;
}

/* ---- which rows, in which order ------------------------------------------------------------ */

/* Shortage or surplus beyond tolerance, or a book balance below zero: what exit status 5
 * and the footer report. */
static bool
row_beyond(const cli_recon_rows *r, size_t row)
{
    const char *flag = cell(r, row, "flag");
    return strcmp(flag, "shortage") == 0 || strcmp(flag, "surplus") == 0 ||
           strcmp(flag, "negative_book") == 0;
}

/* Uncounted with nothing to count: no opening, no movement in the period, a zero book. */
static bool
row_idle(const cli_recon_rows *r, size_t row)
{
    if (strcmp(cell(r, row, "flag"), "uncounted") != 0) {
        return false;
    }
    for (size_t k = 0; k < r->n_cols; k++) {
        if (!in_list(r->cols[k], label_cols, BZL_ARRAY_LEN(label_cols)) &&
            !dec_is_zero(cell_at(r, row, k))) {
            return false;
        }
    }
    return true;
}

/* What --flagged keeps: every flag but within, except an idle uncounted material. */
static bool
row_flagged(const cli_recon_rows *r, size_t row)
{
    return strcmp(cell(r, row, "flag"), "within") != 0 && !row_idle(r, row);
}

typedef struct sort_key {
    const char *rate;
    size_t row;
} sort_key;

/* |rate| descending, then the daemon's order (book, item): qsort is not stable, the row
 * index makes it so. */
static int
rate_desc_cb(const void *a, const void *b)
{
    const sort_key *x = a;
    const sort_key *y = b;
    int c = dec_abs_cmp(y->rate, x->rate);
    return c != 0 ? c : (x->row > y->row) - (x->row < y->row);
}

/* The rows to show, in order, into *out (owned); false when memory ran out. */
static bool
view_rows(const cli_recon_rows *r, const cli_recon_view *v, size_t **out, size_t *n_out)
{
    sort_key *keys = calloc(r->n_rows + 1, sizeof *keys);
    size_t *rows = calloc(r->n_rows + 1, sizeof *rows);
    size_t n = 0;
    if (keys == NULL || rows == NULL) {
        free(keys);
        free(rows);
        return false;
    }
    for (size_t i = 0; i < r->n_rows; i++) {
        if (!v->flagged || row_flagged(r, i)) {
            keys[n++] = (sort_key){cell(r, i, "difference_rate"), i};
        }
    }
    if (v->sort_rate) {
        qsort(keys, n, sizeof *keys, rate_desc_cb);
    }
    for (size_t i = 0; i < n; i++) {
        rows[i] = keys[i].row;
    }
    free(keys);
    *out = rows;
    *n_out = n;
    return true;
}

/* ---- text: width, cleaning, wrapping --------------------------------------------------------
 *
 * Display columns as output.c counts them (cli_display_width: East Asian wide characters 2,
 * combining marks 0), so that what fits here fits in its tables too. */

/* A copy of s for a terminal (owned; NULL when out of memory): a byte outside valid UTF-8 and
 * a control character become '?' (as output.c cleans table cells), so a name cannot break the
 * table or drive the terminal. Longer than max_cols display columns (SIZE_MAX: never), it is
 * cut to max_cols - 1 and ends in '~'. */
static char *
text_fit(const char *s, size_t max_cols)
{
    BZL_ASSERT(s != NULL);
    bool cut = cli_display_width(s) > max_cols;
    size_t budget = !cut ? SIZE_MAX : max_cols > 0 ? max_cols - 1 : 0;
    const unsigned char *p = (const unsigned char *)s;
    char *out = malloc(strlen(s) + 2);
    size_t n = 0;
    size_t cols = 0;
    while (out != NULL && *p != '\0') {
        uint32_t cp = '?';
        size_t len = cli_utf8_decode(p, &cp);
        bool bad = len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
        size_t w = bad ? 1 : cli_cp_width(cp);
        if (cols + w > budget) {
            break;
        }
        memcpy(out + n, bad ? "?" : (const char *)p, bad ? 1 : len);
        n += bad ? 1 : len;
        cols += w;
        p += len > 0 ? len : 1;
    }
    if (out != NULL && cut && max_cols > 0) {
        out[n++] = '~';
    }
    if (out != NULL) {
        out[n] = '\0';
    }
    return out;
}

/* Prints "# " and text, wrapped at blanks so that no line passes CLI_RECON_WIDTH display
 * columns (a single longer word keeps its own line); later lines start "#   ". */
static bool
note_wrapped(const char *text)
{
    char *copy = text_fit(text, SIZE_MAX);
    if (copy == NULL) {
        return false;
    }
    size_t at = 2;
    bool first = true;
    fputs("#", stdout);
    char *save = NULL;
    for (char *w = strtok_r(copy, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
        size_t cols = cli_display_width(w);
        if (!first && at + 1 + cols > CLI_RECON_WIDTH) {
            fputs("\n#  ", stdout);
            at = 4;
        }
        printf(" %s", w);
        at += 1 + cols;
        first = false;
    }
    fputc('\n', stdout);
    free(copy);
    return true;
}

/* The unit as people read it: the customs unit's name ("千克" for 035), else the code. */
static const char *
unit_text(const char *code)
{
    const char *name = bzl_code_unit_name(code, strlen(code));
    return name != NULL ? name : code;
}

/* ---- the 120-column table ------------------------------------------------------------------ */

/* The gap between columns and the name column's width, so that a line fits CLI_RECON_WIDTH:
 * two blanks when every name fits whole, else one; names are cut only when one blank is not
 * enough, and never below CLI_RECON_NAME_MIN columns (figures are never cut, so a table of
 * figures wider than the screen passes the width rather than lose digits). */
static void
compact_layout(const size_t *widths, size_t n_cols, size_t *gap, size_t *name_w)
{
    BZL_ASSERT(n_cols == BZL_ARRAY_LEN(compact_cols));
    size_t others = 0;
    for (size_t i = 0; i < n_cols; i++) {
        others += i == COMPACT_NAME ? 0 : widths[i];
    }
    size_t name = widths[COMPACT_NAME];
    *gap = 2;
    *name_w = name;
    if (others + name + 2 * (n_cols - 1) <= CLI_RECON_WIDTH) {
        return;
    }
    *gap = 1;
    size_t used = others + (n_cols - 1);
    size_t room = used < CLI_RECON_WIDTH ? CLI_RECON_WIDTH - used : 0;
    size_t floor = name < CLI_RECON_NAME_MIN ? name : CLI_RECON_NAME_MIN;
    *name_w = name <= room ? name : room > floor ? room : floor;
    BZL_ASSERT(*name_w <= name);
}

/* One line: padding is held back until text follows it, so no line ends in blanks. */
static void
compact_line(char *const *cells, const size_t *widths, size_t gap)
{
    size_t pending = 0;
    for (size_t i = 0; i < BZL_ARRAY_LEN(compact_cols); i++) {
        size_t pad = widths[i] - cli_display_width(cells[i]);
        pending += compact_cols[i].right ? pad : 0;
        if (cells[i][0] != '\0') {
            printf("%*s%s", (int)pending, "", cells[i]);
            pending = 0;
        }
        pending += (compact_cols[i].right ? 0 : pad) + gap;
    }
    fputc('\n', stdout);
}

/* The cells of the header and of each row shown, cleaned (names not cut yet) into m. */
static bool
compact_cells(const cli_recon_rows *r, const size_t *rows, size_t n, char **m, size_t *widths)
{
    const size_t nc = BZL_ARRAY_LEN(compact_cols);
    bool ok = true;
    for (size_t i = 0; ok && i < (n + 1) * nc; i++) {
        size_t k = i % nc;
        const char *text = compact_cols[k].header;
        if (i >= nc) {
            text = cell(r, rows[i / nc - 1], compact_cols[k].key);
            text = k == COMPACT_UNIT ? unit_text(text) : text;
        }
        m[i] = text_fit(text, SIZE_MAX);
        ok = m[i] != NULL;
        size_t w = ok ? cli_display_width(m[i]) : 0;
        widths[k] = w > widths[k] ? w : widths[k];
    }
    return ok;
}

static bool
print_compact(const cli_recon_rows *r, const size_t *rows, size_t n)
{
    const size_t nc = BZL_ARRAY_LEN(compact_cols);
    size_t widths[BZL_ARRAY_LEN(compact_cols)] = {0};
    char **m = calloc((n + 1) * nc, sizeof *m);
    bool ok = m != NULL && compact_cells(r, rows, n, m, widths);
    size_t gap = 2;
    size_t name_w = 0;
    if (ok) {
        compact_layout(widths, nc, &gap, &name_w);
    }
    for (size_t i = 0; ok && name_w < widths[COMPACT_NAME] && i <= n; i++) {
        char *cut = text_fit(m[i * nc + COMPACT_NAME], name_w);
        ok = cut != NULL;
        free(m[i * nc + COMPACT_NAME]);
        m[i * nc + COMPACT_NAME] = cut;
    }
    widths[COMPACT_NAME] = name_w;
    for (size_t i = 0; ok && i <= n; i++) {
        compact_line(m + i * nc, widths, gap);
    }
    for (size_t i = 0; m != NULL && i < (n + 1) * nc; i++) {
        free(m[i]);
    }
    free(m);
    return ok;
}

/* ---- one block per material ---------------------------------------------------------------- */

/* The labels of --vertical and the column each shows, into labels/cols (n_cols + the
 * vertical_keys entries at most); returns how many. */
static size_t
vertical_labels(const cli_recon_rows *r, const char **labels, size_t *cols)
{
    size_t n = 0;
    for (size_t i = 0; i < BZL_ARRAY_LEN(vertical_keys); i++) {
        const char *key = vertical_keys[i] + strspn(vertical_keys[i], " ");
        size_t k = col_of(r, key);
        if (k < r->n_cols) {
            labels[n] = vertical_keys[i];
            cols[n++] = k;
        }
    }
    for (size_t k = 0; k < r->n_cols; k++) {
        bool listed = false;
        for (size_t i = 0; i < BZL_ARRAY_LEN(vertical_keys) && !listed; i++) {
            listed = strcmp(vertical_keys[i] + strspn(vertical_keys[i], " "), r->cols[k]) == 0;
        }
        if (!listed) {
            labels[n] = r->cols[k];
            cols[n++] = k;
        }
    }
    BZL_ASSERT(n == r->n_cols);
    return n;
}

/* One material: "-[ RECORD n ]---+---" as psql's \x draws it, then "label | value" lines. */
static bool
vertical_block(const cli_recon_rows *r, size_t row, size_t number, const char **labels,
               const size_t *cols, size_t n, size_t label_w)
{
    char **values = calloc(n + 1, sizeof *values);
    bool ok = values != NULL;
    size_t value_w = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const char *text = cell_at(r, row, cols[i]);
        char unit[BZL_UNIT_LEN + 64];
        if (strcmp(r->cols[cols[i]], "unit") == 0 && strcmp(unit_text(text), text) != 0) {
            snprintf(unit, sizeof unit, "%s %s", text, unit_text(text));
            text = unit;
        }
        values[i] = text_fit(text, SIZE_MAX);
        ok = values[i] != NULL;
        size_t w = ok ? cli_display_width(values[i]) : 0;
        value_w = w > value_w ? w : value_w;
    }
    if (ok) {
        int head = printf("-[ RECORD %zu ]", number);
        size_t at = head > 0 ? (size_t)head : 0;
        for (; at < label_w + 1; at++) {
            fputc('-', stdout);
        }
        fputc('+', stdout);
        for (at++; at < CLI_RECON_WIDTH && at < label_w + 3 + value_w; at++) {
            fputc('-', stdout);
        }
        fputc('\n', stdout);
    }
    for (size_t i = 0; ok && i < n; i++) {
        printf("%-*s |%s%s\n", (int)label_w, labels[i], values[i][0] != '\0' ? " " : "", values[i]);
    }
    for (size_t i = 0; values != NULL && i < n; i++) {
        free(values[i]);
    }
    free(values);
    return ok;
}

static bool
print_vertical(const cli_recon_rows *r, const size_t *rows, size_t n)
{
    const char **labels = calloc(r->n_cols + 1, sizeof *labels);
    size_t *cols = calloc(r->n_cols + 1, sizeof *cols);
    bool ok = labels != NULL && cols != NULL;
    size_t n_labels = ok ? vertical_labels(r, labels, cols) : 0;
    size_t label_w = 0;
    for (size_t i = 0; i < n_labels; i++) {
        size_t w = cli_display_width(labels[i]);
        label_w = w > label_w ? w : label_w;
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = vertical_block(r, rows[i], i + 1, labels, cols, n_labels, label_w);
    }
    free(labels);
    free(cols);
    return ok;
}

/* ---- every column, as before --------------------------------------------------------------- */

static bool
wide_col(const cli_recon_rows *r, size_t k)
{
    return !in_list(r->cols[k], added_cols, BZL_ARRAY_LEN(added_cols));
}

/* The table exactly as `bzl reconcile` printed it before the 120-column view: the daemon's
 * columns but name, unit, in and out, aligned by output.c, the book left, the rest right. */
static bool
print_wide(const cli_recon_rows *r, const size_t *rows, size_t n)
{
    cli_column *cols = calloc(r->n_cols + 1, sizeof *cols);
    size_t nc = 0;
    for (size_t k = 0; cols != NULL && k < r->n_cols; k++) {
        if (wide_col(r, k)) {
            cols[nc++] = (cli_column){.header = r->cols[k], .right = k > 0};
        }
    }
    if (cols == NULL || nc == 0) {
        free(cols);
        return false;
    }
    cli_table t;
    cli_table_init(&t, cols, nc);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < r->n_cols; k++) {
            if (wide_col(r, k)) {
                cli_table_add(&t, cell_at(r, rows[i], k));
            }
        }
    }
    bool ok = cli_table_print(&t) == BZL_OK;
    cli_table_deinit(&t);
    free(cols);
    return ok;
}

/* ---- the footer ---------------------------------------------------------------------------- */

/* One line naming a material beyond tolerance or below zero, its name cut so that the line
 * fits CLI_RECON_WIDTH:
 *   # beyond tolerance: H72012400011 item 1 sunflower seed: shortage -720 千克, rate -4.0000%
 *   # book balance below zero: H72012400002 item 1 integrated circuit: -50 个 */
static bool
named_line(const cli_recon_rows *r, size_t row)
{
    const char *flag = cell(r, row, "flag");
    const char *unit = unit_text(cell(r, row, "unit"));
    const char *rate = cell(r, row, "difference_rate");
    const char *ip = NULL, *fp = NULL;
    size_t il = 0, fl = 0;
    bool below = strcmp(flag, "negative_book") == 0;
    char head[128];
    char tail[192];
    snprintf(head, sizeof head, "# %s: %.40s item %.20s",
             below ? "book balance below zero" : "beyond tolerance", cell(r, row, "book"),
             cell(r, row, "item"));
    if (below) {
        snprintf(tail, sizeof tail, ": %.40s%s%.20s", cell(r, row, "book_balance"),
                 unit[0] != '\0' ? " " : "", unit);
    } else {
        snprintf(tail, sizeof tail, ": %.20s %.40s%s%.20s, rate %.40s%s", flag,
                 cell(r, row, "difference"), unit[0] != '\0' ? " " : "", unit, rate,
                 dec_split(rate, &ip, &il, &fp, &fl) ? "%" : "");
    }
    char *h = text_fit(head, SIZE_MAX);
    char *t = text_fit(tail, SIZE_MAX);
    size_t used = h != NULL && t != NULL ? cli_display_width(h) + cli_display_width(t) + 1 : 0;
    size_t room = used < CLI_RECON_WIDTH ? CLI_RECON_WIDTH - used : 0;
    char *name =
        text_fit(cell(r, row, "name"), room > CLI_RECON_NAME_MIN ? room : CLI_RECON_NAME_MIN);
    bool ok = h != NULL && t != NULL && name != NULL;
    if (ok) {
        printf("%s%s%s%s\n", h, name[0] != '\0' ? " " : "", name, t);
    }
    free(h);
    free(t);
    free(name);
    return ok;
}

/* The lines naming every material beyond tolerance or below zero, in the order shown (all of
 * them are shown: --flagged keeps them), at most CLI_RECON_NAMED_MAX. */
static bool
print_named(const cli_recon_rows *r, const size_t *rows, size_t n)
{
    size_t named = 0;
    size_t more = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (row_beyond(r, rows[i]) && named < CLI_RECON_NAMED_MAX) {
            ok = named_line(r, rows[i]);
            named++;
        } else if (row_beyond(r, rows[i])) {
            more++;
        }
    }
    if (more > 0) {
        printf("# ... and %zu more: bzl reconcile --flagged lists them\n", more);
    }
    return ok;
}

/* One line per book whose rows are counted: whose stocktake the counted column is. */
static bool
print_counted_by(const cli_recon_rows *r)
{
    size_t kb = col_of(r, "book");
    size_t kc = col_of(r, "counted_by");
    const char *last = NULL;
    bool ok = true;
    for (size_t i = 0; ok && kc < r->n_cols && i < r->n_rows; i++) {
        const char *book = cell_at(r, i, kb);
        const char *by = cell_at(r, i, kc);
        if (by[0] == '\0' || (last != NULL && strcmp(book, last) == 0)) {
            continue;
        }
        char line[160];
        snprintf(line, sizeof line, "book %.40s: counted by %.20s", book, by);
        ok = note_wrapped(line);
        last = book;
    }
    return ok;
}

/* The daemon's notes, the count line of old and the names. --wide prints the notes and the
 * count as before, unwrapped, without the note on in and out (its table has neither); the
 * other views wrap every line to CLI_RECON_WIDTH. */
static bool
print_footer(const cli_recon_rows *r, const cli_recon_view *v, const size_t *rows, size_t n)
{
    bool wide = v->layout == CLI_RECON_WIDE;
    bool ok = true;
    for (size_t i = 0; ok && i < r->n_notes; i++) {
        if (!wide) {
            ok = note_wrapped(r->notes[i]);
        } else if (strncmp(r->notes[i], in_out_note, strlen(in_out_note)) != 0 &&
                   strncmp(r->notes[i], counted_by_note, strlen(counted_by_note)) != 0) {
            printf("# %s\n", r->notes[i]);
        }
    }
    if (ok && !wide) {
        ok = print_counted_by(r);
    }
    printf("# materials beyond tolerance: %u; journal records read: %llu\n", r->beyond,
           (unsigned long long)r->journal_reads);
    if (ok && v->flagged) {
        char line[256];
        snprintf(line, sizeof line,
                 "--flagged: %zu of %zu materials shown (beyond tolerance, below zero, or "
                 "uncounted with an opening or a movement)",
                 n, r->n_rows);
        ok = note_wrapped(line);
    }
    return ok && print_named(r, rows, n);
}

/* ---- CSV and JSON -------------------------------------------------------------------------- */

/* --csv: the columns of the view chosen (--wide: the old CSV byte for byte); --vertical: one
 * line per figure, book,item,column,value. Cells are the daemon's text, unaltered. */
static bool
print_csv(const cli_recon_rows *r, const cli_recon_view *v, const size_t *rows, size_t n)
{
    const size_t nc = BZL_ARRAY_LEN(compact_cols);
    if (v->layout == CLI_RECON_VERTICAL) {
        fputs("book,item,column,value\n", stdout);
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < r->n_cols; k++) {
                if (strcmp(r->cols[k], "book") == 0 || strcmp(r->cols[k], "item") == 0) {
                    continue; /* the first two fields of every line */
                }
                cli_csv_cell(cell(r, rows[i], "book"), false);
                cli_csv_cell(cell(r, rows[i], "item"), false);
                cli_csv_cell(r->cols[k], false);
                cli_csv_cell(cell_at(r, rows[i], k), true);
            }
        }
        return true;
    }
    size_t last = r->n_cols;
    while (v->layout == CLI_RECON_WIDE && last > 0 && !wide_col(r, last - 1)) {
        last--;
    }
    for (size_t i = 0; i <= n; i++) {
        if (v->layout != CLI_RECON_WIDE) {
            for (size_t k = 0; k < nc; k++) {
                const char *key = compact_cols[k].key;
                cli_csv_cell(i == 0 ? key : cell(r, rows[i - 1], key), k + 1 == nc);
            }
            continue;
        }
        for (size_t k = 0; k < last; k++) {
            if (wide_col(r, k)) {
                cli_csv_cell(i == 0 ? r->cols[k] : cell_at(r, rows[i - 1], k), k + 1 == last);
            }
        }
    }
    return true;
}

/* --json: every column the daemon sent, whatever the view (JSON keeps every figure), in
 * the document `bzl --json reconcile` has always printed. */
static bool
print_json(const cli_recon_rows *r, const size_t *rows, size_t n)
{
    bool ok = true;
    json_t *doc = json_object();
    json_t *cols = json_array();
    json_t *arr = json_array();
    json_t *notes = json_array();
    cli_json_put(doc, "columns", cols, &ok);
    for (size_t k = 0; k < r->n_cols; k++) {
        cli_json_push(cols, cli_json_str(r->cols[k]), &ok);
    }
    cli_json_put(doc, "rows", arr, &ok);
    for (size_t i = 0; ok && i < n; i++) {
        json_t *obj = json_object();
        for (size_t k = 0; k < r->n_cols; k++) {
            cli_json_put(obj, r->cols[k], cli_json_str(cell_at(r, rows[i], k)), &ok);
        }
        cli_json_push(arr, obj, &ok);
    }
    cli_json_put(doc, "notes", notes, &ok);
    for (size_t i = 0; i < r->n_notes; i++) {
        cli_json_push(notes, cli_json_str(r->notes[i]), &ok);
    }
    cli_json_put(doc, "journal_reads", cli_json_u64(r->journal_reads), &ok);
    ok = ok && cli_json_print(doc) == BZL_OK;
    json_decref(doc);
    return ok;
}

/* ---- printing ------------------------------------------------------------------------------ */

int
cli_recon_print(const cli *c, const cli_recon_rows *r, const cli_recon_view *v)
{
    BZL_ASSERT(c != NULL && r != NULL && v != NULL);
    BZL_ASSERT(v->layout <= CLI_RECON_VERTICAL);
    if (!r->failed && r->n_cols == 0) {
        return CLI_EXIT_OK; /* a table without columns has nothing to show */
    }
    size_t *rows = NULL;
    size_t n = 0;
    bool ok = !r->failed && view_rows(r, v, &rows, &n);
    if (ok && v->csv) {
        ok = print_csv(r, v, rows, n);
    } else if (ok && c->json) {
        ok = print_json(r, rows, n);
    } else if (ok) {
        ok = v->layout == CLI_RECON_WIDE       ? print_wide(r, rows, n)
             : v->layout == CLI_RECON_VERTICAL ? print_vertical(r, rows, n)
                                               : print_compact(r, rows, n);
        ok = ok && print_footer(r, v, rows, n);
    }
    free(rows);
    if (!ok) {
        fputs("bzl: NO_MEMORY: cannot build the output\n", stderr);
        return CLI_EXIT_TRANSPORT;
    }
    bool beyond = false;
    for (size_t i = 0; i < r->n_rows && !beyond; i++) {
        beyond = row_beyond(r, i);
    }
    return beyond ? CLI_EXIT_BEYOND : CLI_EXIT_OK;
}
