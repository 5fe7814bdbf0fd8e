/* cli.h — what the files of the bzl command-line client share; private to clients/bzl/.
 *
 * The client is one program with a table of subcommands (main.c). Each subcommand parses its
 * own options with getopt_long, builds one protobuf Request per call, and prints either an
 * aligned table for people or one JSON document for scripts (output.c). Declaration files are
 * parsed strictly by decl_json.c. Nothing here talks to the socket except through
 * clients/include/bzl/client.h, and nothing here knows the daemon's internals.
 *
 * Exit statuses are a contract that scripts rely on; see cli_exit.
 */
#ifndef BZL_CLI_H
#define BZL_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bzl/base.h"
#include "bzl/client.h"
#include "bzl/limits.h"

/* ---- exit statuses and bounds ------------------------------------------------------------ */

/* Stable process exit statuses. When several apply (submit over many files) the command
 * reports the most serious: TRANSPORT stops everything, then BAD_FILE, then REFUSED. */
typedef enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REFUSED = 1,   /* the daemon refused a request or a declaration */
    CLI_EXIT_USAGE = 2,     /* bad command line; a hint to --help was printed */
    CLI_EXIT_TRANSPORT = 3, /* cannot connect, connection lost, garbled reply, output failed */
    CLI_EXIT_BAD_FILE = 4,  /* an input file is unreadable or not valid declarations */
    /* `bzl reconcile` printed its whole answer and some material needs an officer: a shortage
     * or surplus beyond tolerance, or a book balance below zero. Not a failure: every failure
     * above wins over it, so 5 always means the output is complete. */
    CLI_EXIT_BEYOND = 5,
} cli_exit;

/* Declarations per SubmitBatch: the daemon's default batch bound, so a default-configured
 * daemon never refuses a batch the CLI built. */
#define CLI_BATCH_DECLS_MAX BZL_BATCH_DECLS_DEFAULT
/* Encoded bytes of declarations per SubmitBatch. The request must fit the default frame; the
 * slack covers the Request envelope (id, body tag and length) and each declaration's own tag
 * and length prefix is counted separately (CLI_DECL_PREFIX_BYTES). */
#define CLI_BATCH_BYTES_MAX (BZL_FRAME_BYTES_DEFAULT - 1024u)
/* A repeated-message tag (1 byte for field 1) plus a length varint of at most 5 bytes. */
#define CLI_DECL_PREFIX_BYTES 6u
/* A whole batch answered BUSY is retried this many times with doubling pauses from
 * CLI_BUSY_PAUSE_MS: replays are safe because declaration ids are idempotency keys. */
#define CLI_BUSY_RETRIES 5u
#define CLI_BUSY_PAUSE_MS 100u
/* Pages of a listing the CLI follows before it decides the daemon is looping: at
 * BZL_LIST_ROWS_MAX rows a page this is over four billion rows. */
#define CLI_PAGES_MAX 1048576u
/* Bytes of a page token the CLI carries from one page to the next. Tokens are opaque
 * (bzl.proto's Paging) and today's daemon writes a few dozen bytes; this leaves room for any
 * later form while a garbled reply cannot make the CLI echo an unbounded string. */
#define CLI_PAGE_TOKEN_BYTES_MAX 255u
/* Errors reported per declaration file before the rest of the file is skipped: enough to
 * fix a systematic mistake in an ERP export, few enough to stay readable. */
#define CLI_FILE_ERRORS_MAX 20u
/* Checkpoint files one bzl verify takes: a year of nightly checkpoints and more. */
#define CLI_CHECKPOINT_FILES_MAX 1024u

static_assert(CLI_BATCH_DECLS_MAX <= BZL_BATCH_DECLS_CEILING, "batch within the daemon ceiling");
static_assert(CLI_BATCH_BYTES_MAX < BZL_FRAME_BYTES_DEFAULT,
              "a batch leaves room for its envelope");

/* ---- the invocation ---------------------------------------------------------------------- */

typedef struct cli {
    const char *socket_path; /* borrowed: argv or bzl_client_default_socket() */
    bool json;               /* print one JSON document instead of a table */
    uint32_t timeout_s;      /* --timeout, BZL_TIMEOUT: one call's wait for bzld (0: for ever) */
    bzl_client *client;      /* owned; NULL until the first request (cli_deinit closes it) */
} cli;

typedef struct cli_cmd cli_cmd;
/* A subcommand. argv[0] is the command's last word, so getopt_long sees its options from
 * argv[1]. Returns a cli_exit. */
typedef int (*cli_run_fn)(cli *c, const cli_cmd *cmd, int argc, char **argv);

struct cli_cmd {
    const char *name;     /* "enterprise add": one or two words */
    const char *synopsis; /* what follows the name in the usage line */
    const char *summary;  /* one line for bzl --help */
    const char *body;     /* the rest of its --help: what it does, its own options */
    cli_run_fn run;
};

/* Prints "bzl NAME: message" and the hint to --help on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) BZL_PRINTF(2, 3);
/* Prints the command's full help on stdout. */
void cli_cmd_help(const cli_cmd *cmd);

/* Long-option values shared by the subcommands; plain characters are never returned for
 * these, so commands may use letters for their own options. */
enum {
    CLI_OPT_JSON = 0x100,
    CLI_OPT_SOCKET,
    CLI_OPT_HELP,
    CLI_OPT_TIMEOUT,
    CLI_OPT_VERSION, /* bzl --version, before the command */
};
/* --timeout's default and bound: 30 s is far past any answer a healthy bzld gives (a month's
 * reconcile of a large zone takes a few seconds) and short enough that a stopped daemon is
 * noticed; a day is the longest wait anyone means. */
#define CLI_TIMEOUT_S_DEFAULT 30u
#define CLI_TIMEOUT_S_MAX 86400u
/* The options every subcommand accepts after its name; end a command's table with this. */
/* clang-format off */
#define CLI_COMMON_OPTIONS                                                                         \
    {"json", no_argument, NULL, CLI_OPT_JSON},                                                     \
    {"socket", required_argument, NULL, CLI_OPT_SOCKET},                                           \
    {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT},                                         \
    {"help", no_argument, NULL, CLI_OPT_HELP},                                                     \
    {NULL, 0, NULL, 0}
/* clang-format on */

/* What cli_next_opt returns besides a command's own option value. */
#define CLI_OPTS_DONE (-1) /* options are over; positional arguments start at optind */
#define CLI_OPTS_STOP (-2) /* the command must return *exit_out (help shown, or usage error) */

/* What a command's options reader returns when the command should run; any other value is
 * the exit status to stop with. */
#define CLI_GO_ON (-1)

/* Starts a fresh getopt_long scan (GNU getopt fully reinitialises on optind = 0). */
void cli_opts_begin(void);
/* Returns the next option of the command's own, handling --json, --socket and --help (and
 * -h) itself; see CLI_OPTS_DONE and CLI_OPTS_STOP. */
int cli_next_opt(cli *c, const cli_cmd *cmd, int argc, char **argv, const struct option *opts,
                 int *exit_out);
/* Ends an options reader's loop: rc when it already stopped, else the loop's *exit_out (stop)
 * when cli_next_opt returned CLI_OPTS_STOP (opt), else a usage error for a left-over argument,
 * else CLI_GO_ON. */
int cli_opts_end(const cli_cmd *cmd, int argc, char **argv, int opt, int stop, int rc);
/* Reads a command that takes only the common options and no argument. Returns CLI_GO_ON or
 * the exit status to stop with (help shown, usage error). */
int cli_no_arg(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* Reads a command that has only the common options and exactly one argument, stored in *arg
 * (borrowed from argv); `expected` is the usage error otherwise. Returns CLI_GO_ON or the exit
 * status to stop with. */
int cli_one_arg(cli *c, const cli_cmd *cmd, int argc, char **argv, const char *expected,
                char **arg);

/* Parses decimal digits only (no sign, space or suffix) into [min, max]. */
bool cli_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* ---- talking to the daemon --------------------------------------------------------------- */

/* Connects on first use and exchanges one request. Returns CLI_EXIT_OK with *resp (owned:
 * bzl__v1__response__free_unpacked), or CLI_EXIT_TRANSPORT after printing why. The daemon's
 * verdict is left in (*resp)->status. */
int cli_exchange(cli *c, Bzl__V1__Request *req, Bzl__V1__Response **resp);
/* cli_exchange, then: a refusal prints "bzl: STATUS: message" and returns CLI_EXIT_REFUSED; a
 * success without the `want` result (when not NOT_SET) is a garbled reply, CLI_EXIT_TRANSPORT.
 * *resp is written only with CLI_EXIT_OK. */
int cli_call(cli *c, Bzl__V1__Request *req, Bzl__V1__Response__ResultCase want,
             Bzl__V1__Response **resp);
/* Prints "bzl: STATUS: message" on stderr (the status text when message is empty). */
void cli_print_refusal(int status, const char *message);
/* The status's stable name; "STATUS_<n>" for a number this build does not know (buf holds
 * it, at least 24 bytes). */
const char *cli_status_name(int status, char *buf, size_t cap);
/* Closes the connection. */
void cli_deinit(cli *c);

/* Where a listing that follows the daemon's pages stands: the token its next request carries,
 * copied out of the reply that gave it (that reply is freed before the next request). */
typedef struct cli_pager {
    const char *what; /* borrowed: "balance pages", as the errors name them */
    char token[CLI_PAGE_TOKEN_BYTES_MAX + 1]; /* the next request's page_token; "" at first */
    uint32_t pages;                           /* replies taken so far */
    bool more;                                /* another page is due */
} cli_pager;

/* Starts before the first page (token "", more true). what is borrowed for the pager's life. */
void cli_pager_init(cli_pager *pg, const char *what);
/* Takes a reply's next_page_token: "" ends the listing, anything else becomes pg->token.
 * Returns CLI_EXIT_OK, or CLI_EXIT_TRANSPORT after printing "bzl: MALFORMED: ..." when the
 * token repeats the one just sent ("the daemon's WHAT do not advance": it would be asked for
 * forever), is longer than CLI_PAGE_TOKEN_BYTES_MAX, or CLI_PAGES_MAX replies have gone by
 * with more to come ("... do not end"). */
int cli_pager_next(cli_pager *pg, const char *next_page_token);

/* ---- wire enums as words ----------------------------------------------------------------- */

/* Each parse takes the word exactly and writes *out only when it knows it; each name returns
 * a static string. */
bool cli_kind_parse(const char *s, Bzl__V1__Kind *out);           /* material | product */
const char *cli_kind_name(Bzl__V1__Kind kind);                    /* "" when unspecified */
bool cli_direction_parse(const char *s, Bzl__V1__Direction *out); /* in | out */
bool cli_mode_parse(const char *s, Bzl__V1__BizMode *out);        /* OEM | ODM | OBM */
const char *cli_mode_name(Bzl__V1__BizMode mode);                 /* "" for none */
/* unit | work-order | consumption */
bool cli_verify_parse(const char *s, Bzl__V1__VerifyMode *out);
const char *cli_verify_name(Bzl__V1__VerifyMode mode);
const char *cli_book_status_name(Bzl__V1__BookStatus status);
/* material | product | wip | scrap */
bool cli_stocktake_kind_parse(const char *s, Bzl__V1__StocktakeKind *out);
/* var | modes | upgrades | share */
bool cli_report_kind_parse(const char *s, Bzl__V1__ReportKind *out);
/* enterprise | product | mode | area | zone; "" is unspecified (the daemon takes zone). */
bool cli_report_by_parse(const char *s, Bzl__V1__ReportBy *out);
/* month | quarter; "" is unspecified (the daemon takes quarter). */
bool cli_granularity_parse(const char *s, Bzl__V1__Granularity *out);
/* A journal entry type's word (enterprise, book, … trade: `bzl audit`, `bzl history` and `bzl
 * declaration show` alike); "other" for unspecified or a number this build does not know. */
const char *cli_entry_type_name(Bzl__V1__EntryType type);
/* The same words back (`bzl audit --action`); "other" is not one. */
bool cli_entry_type_parse(const char *s, Bzl__V1__EntryType *out);
/* pending | posted | rejected | voided | reversed; the name is "?" for unspecified or a number
 * this build does not know. */
bool cli_decl_state_parse(const char *s, Bzl__V1__DeclarationState *out);
const char *cli_decl_state_name(Bzl__V1__DeclarationState state);
/* none | admin | customs | reconciler | enterprise; "?" for a number this build does not know. */
const char *cli_role_name(Bzl__V1__Role role);

/* ---- text on a terminal (output.c) -------------------------------------------------------- */

/* Decodes one well-formed UTF-8 sequence (no overlongs, surrogates or values past
 * U+10FFFF). Returns its length in bytes, or 0 when s does not start with one (a NUL
 * terminator included: never past the string). */
size_t cli_utf8_decode(const unsigned char *s, uint32_t *cp);
/* Columns a code point takes in a terminal: 2 for East Asian wide and full-width characters
 * (enterprise and goods names are mostly Chinese), 0 for combining marks, else 1. */
size_t cli_cp_width(uint32_t cp);
/* Display columns of s; a byte outside UTF-8 counts 1. */
size_t cli_display_width(const char *s);

/* ---- output ------------------------------------------------------------------------------ */

typedef struct cli_column {
    const char *header;
    bool right; /* right-aligned: numbers and decimals */
} cli_column;

/* An aligned text table. Cells are added left to right, row after row, and copied. Errors
 * are sticky: after an allocation failure every add is a no-op and print reports it. */
typedef struct cli_table {
    const cli_column *cols; /* borrowed for the table's life */
    size_t n_cols;
    char **cells; /* owned, n_cells of them, each owned */
    size_t n_cells;
    size_t cap_cells;
    bool failed;
} cli_table;

void cli_table_init(cli_table *t, const cli_column *cols, size_t n_cols);
void cli_table_add(cli_table *t, const char *text);
void cli_table_addf(cli_table *t, const char *fmt, ...) BZL_PRINTF(2, 3);
/* Prints header and rows on stdout. BZL_OK or BZL_NO_MEMORY (a failed add). */
BZL_NODISCARD bzl_status cli_table_print(const cli_table *t);
void cli_table_deinit(cli_table *t);

/* JSON builders that never fail loudly: a NULL value or a failed insertion clears *ok and
 * releases what was given, so a builder checks *ok once at the end. */
json_t *cli_json_str(const char *s); /* invalid UTF-8 bytes become U+FFFD */
json_t *cli_json_u64(uint64_t v);    /* a number, or a digit string beyond int64 */
void cli_json_put(json_t *obj, const char *key, json_t *value, bool *ok);
void cli_json_push(json_t *arr, json_t *value, bool *ok);
/* Prints doc on stdout followed by a newline. BZL_OK or BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status cli_json_print(const json_t *doc);
/* Prints the table or the JSON document (whichever c->json selects) and maps a failure to
 * CLI_EXIT_TRANSPORT after saying so; ok false means building the output failed. */
int cli_emit(const cli *c, const cli_table *t, const json_t *doc, bool ok);

/* The rows of one listing, gathered across every page the daemon returns, printed as one table
 * or, with --json, as one array of objects, so each row is written once: every cell goes to
 * whichever output c selects, under its column in the table and its key in the object. Errors
 * are sticky, like the builders above; cli_page_end prints, cli_page_abort does not. */
typedef struct cli_page {
    const cli *c; /* borrowed for the page's life */
    cli_table t;
    json_t *arr; /* owned: the rows, with --json */
    json_t *row; /* owned: the object being filled, between row_begin and row_end */
    bool ok;
} cli_page;

void cli_page_begin(cli_page *p, const cli *c, const cli_column *cols, size_t n_cols);
void cli_page_row_begin(cli_page *p);
void cli_page_row_end(cli_page *p);
void cli_page_text(cli_page *p, const char *key, const char *text);
void cli_page_u32(cli_page *p, const char *key, uint32_t v); /* a JSON number, "%u" text */
void cli_page_u64(cli_page *p, const char *key, uint64_t v); /* cli_json_u64, "%llu" text */
void cli_page_yes_no(cli_page *p, const char *key, bool v);  /* a JSON boolean, yes/no text */
/* Prints the rows as cli_emit does and releases them. Returns cli_emit's exit status. */
int cli_page_end(cli_page *p);
/* A journal time as "2026-03-01T08:00:00.123Z" (UTC); cap at least 32 bytes. */
void cli_time_text(int64_t ms, char *buf, size_t cap);
/* Releases the rows without printing them (the listing failed part way). */
void cli_page_abort(cli_page *p);
/* Ends a listing gathered as a table (c->json false) by printing it as CSV: the column headers
 * in lower case (the JSON keys, where the two agree), then each row. Releases p; returns a
 * cli_exit (cmd_ledger_read.c). */
int cli_page_csv_end(cli_page *p);

/* ---- declaration files ------------------------------------------------------------------- */

/* A declaration or stocktake file is read whole: 64 MiB is several hundred thousand lines, far
 * past a month-end export, and bounds what a wrong file can make the CLI allocate. */
#define CLI_DECL_FILE_BYTES_MAX (64u << 20)

/* Where the errors of one file go: every error is said as "FILE:LINE: FIELD: reason" (a CSV
 * file line) or "FILE: decls[2].lines[0].qty: reason" (a JSON path), on stderr, or with
 * --json appended to arr as {"file", "status", "line", "path", "field", "message"}. Only the
 * first CLI_FILE_ERRORS_MAX of a file are said, then one "too many errors". */
typedef struct decl_errors {
    json_t *arr;       /* borrowed: where --json collects the errors; NULL for stderr */
    const char *label; /* borrowed: the file's name as said */
    unsigned count;    /* errors in the current file so far */
} decl_errors;

/* Starts a new file: label is borrowed until the next begin. */
void decl_errors_begin(decl_errors *e, const char *label);
/* Says one error; file_line 0 and path, field NULL when unknown. */
void decl_error(decl_errors *e, size_t file_line, const char *path, const char *field,
                const char *fmt, ...) BZL_PRINTF(5, 6);
/* Reads path ("-" for stdin) whole into *text (owned, NUL-terminated, without a UTF-8
 * byte-order mark), converting from `encoding` with iconv(3) when it is given and not UTF-8.
 * Text that is not UTF-8 is refused with the line of its first bad byte, a guess of GBK/GB18030
 * when its bytes convert from that, and how to save it as UTF-8. BZL_OK, BZL_MALFORMED (said),
 * BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status decl_text_read(decl_errors *e, const char *path, const char *encoding,
                                        char **text, size_t *len);
/* True when v is a number of fewer than `width` digits that, padded with zeros on the left to
 * width, passes check: a code a spreadsheet turned into a number ("7" for unit "007"). The
 * padded code goes to out (cap > width). */
bool decl_zero_hint(const char *v, size_t width, bzl_status (*check)(const char *, size_t),
                    char *out, size_t cap);

/* A declaration file parsed into protobuf messages. Their strings are borrowed from the JSON
 * document, so everything lives until decl_file_deinit. */
typedef struct decl_file {
    const char *label;                /* borrowed: the path, or "<stdin>" for "-" */
    json_t *root;                     /* owned */
    json_t *rows;                     /* owned, CSV only: per declaration, its rows' file lines */
    Bzl__V1__Declaration *decls;      /* owned, n_decls */
    Bzl__V1__Declaration **decl_ptrs; /* owned, n_decls: what a SubmitBatch points at */
    size_t *decl_bytes;               /* owned, n_decls: each declaration's packed size */
    Bzl__V1__DeclarationLine *lines;  /* owned: every declaration's lines */
    Bzl__V1__DeclarationLine **line_ptrs;
    Bzl__V1__LotRef *lots; /* owned: every line's named lots (SPECIFIC) */
    Bzl__V1__LotRef **lot_ptrs;
    size_t n_decls;
} decl_file;

/* Reads path ("-" for stdin: CSV unless it opens with '{' or '['), in `encoding` (NULL for
 * UTF-8), and checks every field by the daemon's own rules (lib: codes, decimals, dates), so a
 * file with any error sends nothing. Returns BZL_OK with *f filled (deinit it); BZL_MALFORMED
 * after saying every error through e; BZL_NO_MEMORY. On failure *f holds nothing to release. */
BZL_NODISCARD bzl_status decl_file_load(const char *path, const char *encoding, decl_errors *e,
                                        decl_file *f);
void decl_file_deinit(decl_file *f);
/* Where line `line` (1-based; 0 for the declaration itself) of declaration `decl` (0-based)
 * sits in the file: for CSV, *file_line is its row's line and path ""; for JSON, *file_line
 * is 0 and path gets "decls[2].lines[0]" (then ".FIELD" when field is not empty). */
void decl_file_where(const decl_file *f, size_t decl, uint32_t line, const char *field,
                     size_t *file_line, char *path, size_t path_cap);

/* decl_csv.c: reads CSV declaration text (a header row naming the fields, in any case or by
 * their Chinese column names; one row per declaration line, the declaration's columns
 * repeated on each of its rows) into the JSON document decl_json.c checks, *root (owned), and
 * *rows (owned: per declaration, the file lines of its rows). Errors name file, line and
 * column through e; then BZL_MALFORMED. BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status decl_csv_read(decl_errors *e, const char *text, size_t len, json_t **root,
                                       json_t **rows);
/* The field a CSV header cell names (case-insensitive, or a Chinese column name), or NULL.
 * names, n_names: the fields the file kind knows. */
const char *decl_csv_column(const char *header, const char *const *names, size_t n_names);
/* Reads CSV text into the records of a generic table: *out (owned) is an array of objects, one
 * per row, keyed by the fields their header names, each with "_line" its file line. The
 * stocktake file uses it. BZL_OK, BZL_MALFORMED (said), BZL_NO_MEMORY. */
BZL_NODISCARD bzl_status decl_csv_records(decl_errors *e, const char *text, size_t len,
                                          const char *const *names, size_t n_names, json_t **out);

/* ---- subcommands (cmd_*.c) --------------------------------------------------------------- */

int cli_enterprise_add(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_enterprise_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_enterprise_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_book_open(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_book_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_book_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_item_add(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_item_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_item_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_submit(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_balance(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_stats(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_verify(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* cmd_checkpoint.c: bzl checkpoint, and bzl verify's checkpoint files: each judged against
 * the journal (its signature under the key given, or else the daemon's; its entry's hash; the
 * head at or after it), one verdict printed per file or, when arr is not NULL, appended to it.
 * Returns CLI_EXIT_OK when the journal extends every one, CLI_EXIT_REFUSED when it does not
 * extend some, CLI_EXIT_BAD_FILE for an unreadable or malformed file, CLI_EXIT_USAGE for a
 * bad key, CLI_EXIT_TRANSPORT. */
int cli_checkpoint(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_checkpoints_verify(cli *c, char *const *files, size_t count, const char *key_arg,
                           json_t *arr);
int cli_audit(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_journal(cli *c, const cli_cmd *cmd, int argc, char **argv);

/* ---- the bonded ledger (cmd_ledger.c, cmd_ledger_read.c) ---------------------------------- */

/* One --NAME VALUE option of a ledger command: *value starts as "" and is set to the text. */
typedef struct cli_ledger_opt {
    const char *name;
    char **value;
    bool required;
} cli_ledger_opt;
/* Reads the options in specs plus the common ones and expects exactly `positional` arguments
 * (at optind). Returns CLI_GO_ON or the exit status to stop with. */
int cli_ledger_opts(cli *c, const cli_cmd *cmd, int argc, char **argv, const cli_ledger_opt *specs,
                    size_t n_specs, int positional);
/* One --NAME flag (no value) of a ledger command: *set starts false and becomes true. */
typedef struct cli_ledger_flag {
    const char *name;
    bool *set;
} cli_ledger_flag;
/* cli_ledger_opts with flags besides the valued options. */
int cli_ledger_opts_flags(cli *c, const cli_cmd *cmd, int argc, char **argv,
                          const cli_ledger_opt *specs, size_t n_specs, const cli_ledger_flag *flags,
                          size_t n_flags, int positional);
/* Adds one reply's rows to p. Returns the reply's next_page_token (borrowed from resp). */
typedef const char *(*cli_read_page_fn)(cli_page *p, const Bzl__V1__Response *resp);
/* Follows the daemon's pages into one listing and prints it: a table, one JSON array (--json),
 * or with csv a header row of the columns in lower case and a row per table row (whatever
 * --json says). Each request carries the token the previous reply gave in *page_token (req's
 * body field). A daemon whose pages do not advance or do not end is refused
 * (cli_pager_next), and nothing is printed. Returns a cli_exit. */
int cli_read_pages(cli *c, Bzl__V1__Request *req, char **page_token,
                   Bzl__V1__Response__ResultCase want, const cli_column *cols, size_t n_cols,
                   cli_read_page_fn add, bool csv);
/* Parses an item number option ("" gives 0); on failure *rc becomes the usage exit. */
bool cli_ledger_item(const cli_cmd *cmd, const char *text, const char *what, uint32_t *out,
                     int *rc);

int cli_bom_set(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_bom_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_item_mode(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_post(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_void(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_reject(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_reverse(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_period_close(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_history(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_declaration_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_declaration_list(cli *c, const cli_cmd *cmd, int argc, char **argv); /* cmd_desk.c */
int cli_transfers_unmatched(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_scrap(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_backup(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_inv101_check(cli *c, const cli_cmd *cmd, int argc, char **argv); /* cmd_inv101.c */
/* Bytes of one INV101 file: a list of INV101_LINES_MAX lines at about 2 KiB of XML each, with
 * room; a larger file is not a 核注清单. */
#define CLI_INV101_BYTES_MAX (64u << 20)
/* The whole file into a malloc'd buffer (*bytes owned by the caller); a message on stderr and
 * false when it cannot be read or is larger than CLI_INV101_BYTES_MAX. */
bool cli_inv101_file_read(const char *path, char **bytes, size_t *len);

/* inbox.c: the files of an in-box command's arguments, in order: a file as given, a folder as
 * its regular, not hidden files ending in suffix (NULL: every one), in byte order of their
 * names (the customs client names its files by time, so that is the order they came in). */
typedef struct cli_files {
    char **paths; /* owned */
    size_t count;
    size_t cap;
} cli_files;
/* Adds arg's files, at most max paths in all. False, said on stderr, when a folder cannot be
 * read, there would be more than max, or memory runs out. */
bool cli_files_add(cli_files *l, const char *arg, const char *suffix, size_t max);
void cli_files_free(cli_files *l);
/* The whole file into *bytes (malloc'd, owned by the caller), at most max bytes (a power of two
 * of at least 16 KiB); false with the reason in why ("cannot open: …", "larger than N MiB: not
 * WHAT", "cannot read: …"). */
bool cli_file_read(const char *path, size_t max, const char *what, char **bytes, size_t *len,
                   char *why, size_t why_cap);
int cli_inv101_import(cli *c, const cli_cmd *cmd, int argc, char **argv); /* cmd_inv101_io.c */
int cli_inv101_export(cli *c, const cli_cmd *cmd, int argc, char **argv); /* cmd_inv101_io.c */
/* cmd_receipt.c: customs receipts (docs/INV101.md "Receipts") */
int cli_receipt_import(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_receipt_diff(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* declaration show's customs part: the state, receipts and back-fills as a titled section of
 * text (nothing before any receipt), or as keys customs_state, receipt_count, back_fills of
 * doc. */
BZL_NODISCARD bzl_status cli_receipt_customs_text(const Bzl__V1__DeclarationInfo *info);
void cli_receipt_customs_json(const Bzl__V1__DeclarationInfo *info, json_t *doc, bool *ok);

/* ---- verification and reports (cmd_recon.c) ------------------------------------------------ */

int cli_stocktake_submit(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_reconcile(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_rates_set(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_rates_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* Sends req and prints its Table answer (cmd_recon.c). */
int cli_table_call(cli *c, Bzl__V1__Request *req, bool csv);
/* The same for a paged listing: *token is the request body's page_token, set before each page;
 * what names the listing in the pager's refusal. */
int cli_table_pages(cli *c, Bzl__V1__Request *req, char **token, const char *what, bool csv);
/* cmd_repair.c: bonded repair books */
int cli_workorder_open(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_workorder_complete(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_workorder_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_workorder_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_repair_overdue(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_delivery_record(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_transfers_report(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* cmd_tax.c: domestic-sale tax */
int cli_tariff_set(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_tariff_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_interest_set(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_interest_list(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_tax_show(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_tax_compare(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_tax_quote(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_report_tax(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_lots(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_lots_method(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_trade_record(cli *c, const cli_cmd *cmd, int argc, char **argv);
int cli_report(cli *c, const cli_cmd *cmd, int argc, char **argv);
/* Prints one CSV cell, quoted when it holds a comma, quote or newline, then ',' or, for the
 * last cell of a line, '\n'. */
void cli_csv_cell(const char *s, bool last);

/* ---- the verification view (recon_view.c) --------------------------------------------------- */

/* The width `bzl reconcile` fits by default: a terminal of 120 display columns, CJK characters
 * counting 2 (issue 14: the 26-column table was 328 wide and wrapped each row five times). */
#define CLI_RECON_WIDTH 120u
/* The narrowest the name column is cut to when figures take the width: 8 columns still tell
 * "sunflow~" from "PET bot~" (or four Chinese characters). */
#define CLI_RECON_NAME_MIN 8u
/* Materials the footer names one per line; more are counted ("... and N more"), since a zone
 * where everything is off wants --flagged, not a footer longer than the table. */
#define CLI_RECON_NAMED_MAX 20u
static_assert(CLI_RECON_NAME_MIN < CLI_RECON_WIDTH / 4, "the name is one column of thirteen");

typedef enum cli_recon_layout {
    CLI_RECON_COMPACT = 0,  /* the 120-column table */
    CLI_RECON_WIDE = 1,     /* --wide: every category column, the table as it always was */
    CLI_RECON_VERTICAL = 2, /* --vertical: one block per material, like psql's \x */
} cli_recon_layout;

typedef struct cli_recon_view {
    cli_recon_layout layout;
    bool flagged;   /* only rows beyond tolerance, below zero, or uncounted and not idle */
    bool sort_rate; /* by |difference rate| descending, "n/a" last; else book, item order */
    bool csv;       /* CSV instead of the table (and instead of JSON) */
} cli_recon_view;

/* Every page of one reconcile answer, copied. Errors are sticky: after an allocation failure
 * `failed` is set, adds are no-ops and cli_recon_print reports it. */
typedef struct cli_recon_rows {
    char **cols; /* owned: the first page's column names, n_cols */
    size_t n_cols;
    char **cells; /* owned: n_rows × n_cols, row-major, each owned */
    size_t n_rows;
    char **notes; /* owned: the last page's notes */
    size_t n_notes;
    uint64_t journal_reads; /* summed over the pages */
    uint32_t beyond;        /* the daemon's count of shortages and surpluses, summed */
    bool failed;
} cli_recon_rows;

void cli_recon_rows_init(cli_recon_rows *r);
/* Copies t's rows (and, from the first page, its columns; its notes replace the last). t is
 * borrowed for the call. */
void cli_recon_rows_add(cli_recon_rows *r, const Bzl__V1__Table *t);
void cli_recon_rows_deinit(cli_recon_rows *r);
/* Prints the rows as v says (JSON when c->json and not v->csv). Returns CLI_EXIT_TRANSPORT
 * after saying so when the output could not be built, else CLI_EXIT_BEYOND when any row (shown
 * or not) is a shortage, a surplus or negative_book, else CLI_EXIT_OK. */
int cli_recon_print(const cli *c, const cli_recon_rows *r, const cli_recon_view *v);

/* ---- table commands (cmd_recon.c) ------------------------------------------------------- */

/* One option of a command whose answer is a Table: --name VALUE into *value, or a flag. */
typedef struct cli_recon_opt {
    const char *name;
    char **value; /* NULL for a flag */
    bool *flag;
    bool required;
} cli_recon_opt;

/* Reads specs, --csv and the common options; expects `positional` arguments at optind.
 * CLI_GO_ON to go on, else the exit code. */
int cli_recon_opts(cli *c, const cli_cmd *cmd, int argc, char **argv, const cli_recon_opt *specs,
                   size_t n, int positional, bool *csv);
/* One request whose answer is a single Table, printed as a table, CSV or JSON (with its notes
 * after a table). */
int cli_table_call(cli *c, Bzl__V1__Request *req, bool csv);

#endif
