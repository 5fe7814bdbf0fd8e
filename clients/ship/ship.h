/* ship.h — what bzl-ship's files share: the options, a growable COPY buffer, the warehouse's
 * connection and the SQL embedded at build time.
 *
 * bzl-ship reads a zone's journal stream (the journal request) and writes it into PostgreSQL
 * through libpq, the PostgreSQL client library: per batch one transaction that checks the
 * cursor, COPYs the rows and moves the cursor, so a crash of either side at any point neither
 * loses nor duplicates an entry. It never writes to the ledger.
 */
#ifndef BZL_SHIP_H
#define BZL_SHIP_H

#include <libpq-fe.h>

#include "bzl/client.h"

/* Exit statuses (bzl-ship(1), deploy/systemd/bzl-ship@.service). */
enum {
    SHIP_EXIT_OK = 0,
    SHIP_EXIT_REFUSED = 1,   /* a fork, a zone shorter than the warehouse, a refused request */
    SHIP_EXIT_USAGE = 2,     /* bad command line */
    SHIP_EXIT_TRANSPORT = 3, /* the daemon or the database failed or could not be reached */
};

/* Entries per batch (one journal page, one warehouse transaction): the default, and the most
 * the daemon sends in one page. */
#define SHIP_BATCH_DEFAULT 1024u
#define SHIP_BATCH_MAX 4096u
/* A zone code: the warehouse's distribution key, chosen by the operator. */
#define SHIP_ZONE_BYTES_MAX 32u
/* --linger: how long --follow gathers new entries once caught up, in ms, so that a busy zone is
 * shipped in fewer, larger batches (docs/WAREHOUSE.md "What shipping costs the zone"). */
#define SHIP_LINGER_MS_DEFAULT 1000u
#define SHIP_LINGER_MS_MAX 60000u

typedef struct ship_opts {
    const char *socket_path;
    const char *zone;
    const char *conninfo;
    uint32_t batch;
    uint32_t linger_ms;
    bool follow;
    bool sync_commit;
    bool status;
} ship_opts;

/* A COPY text-format buffer: grown as rows are added; sticky failure (ok false). */
typedef struct copybuf {
    char *p;
    size_t len;
    size_t cap;
    bool ok;
} copybuf;

void copybuf_reset(copybuf *b);
void copybuf_free(copybuf *b);
/* A text field (escaped for COPY), NULL for "" when null_if_empty; then a tab. */
void copybuf_text(copybuf *b, const char *s, bool null_if_empty);
/* A field printed from a format; then a tab. */
void copybuf_printf(copybuf *b, const char *fmt, ...) BZL_PRINTF(2, 3);
/* A bytea field as \\x and hex; then a tab. */
void copybuf_bytea(copybuf *b, const uint8_t *p, size_t n);
/* Ends a row: the last field's tab becomes a newline. */
void copybuf_end_row(copybuf *b);

/* The schema and views (clients/ship/warehouse.sql), NUL-terminated. */
extern const unsigned char ship_warehouse_sql[];

#endif
