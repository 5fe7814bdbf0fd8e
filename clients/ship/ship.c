/* ship.c — bzl-ship: a zone's journal shipped exactly once, in order and hash-checked, into a
 * PostgreSQL warehouse (docs/WAREHOUSE.md; ship.h says how a batch stays exactly-once). */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bzl/limits.h"
#include "ship.h"

/* How long one journal request of --follow waits for a new entry (the daemon caps it too). */
#define SHIP_FOLLOW_WAIT_MS 25000u
/* Progress lines on stderr: at most one per this many ms while entries flow. */
#define SHIP_PROGRESS_MS 1000u
#define HASH_BYTES 32u

/* Where the warehouse's stream of one zone stands. */
typedef struct cursor {
    uint64_t seq;
    uint8_t hash[HASH_BYTES];
} cursor;

typedef struct shipper {
    const ship_opts *o;
    bzl_client *daemon;
    PGconn *db;
    copybuf entries, lines, effects, values;
    uint64_t shipped_entries; /* since start */
    uint64_t shipped_lines;
    uint64_t last_progress_ms;
    uint64_t start_ms;
} shipper;

static void say(const char *fmt, ...) BZL_PRINTF(1, 2);

static void
say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bzl-ship: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
hex_of(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- words for the wire's enums ------------------------------------------------------------- */

static const char *
word(const char *const *words, size_t n, int v)
{
    return v >= 0 && (size_t)v < n && words[v] != NULL ? words[v] : NULL;
}

static const char *
type_word(Bzl__V1__EntryType t)
{
    static const char *const w[] = {
        NULL,        "enterprise", "book",       "item",           "declaration",
        "post",      "void",       "reverse",    "period_close",   "norm",
        "item_mode", "reject",     "stocktake",  "rate",           "trade",
        "tax_table", "assessment", "lot_method", "workorder_open", "workorder_complete",
        "delivery",  "change",     "receipt"};
    const char *s = word(w, BZL_ARRAY_LEN(w), (int)t);
    return s != NULL ? s : "other";
}

static const char *
role_word(Bzl__V1__Role r)
{
    static const char *const w[] = {NULL, "admin", "customs", "reconciler", "enterprise"};
    return word(w, BZL_ARRAY_LEN(w), (int)r);
}

static const char *
kind_word(Bzl__V1__Kind k)
{
    static const char *const w[] = {NULL, "material", "product"};
    return word(w, BZL_ARRAY_LEN(w), (int)k);
}

static const char *
mode_word(Bzl__V1__BizMode m)
{
    static const char *const w[] = {NULL, "OEM", "ODM", "OBM"};
    return word(w, BZL_ARRAY_LEN(w), (int)m);
}

static const char *
direction_word(Bzl__V1__Direction d)
{
    static const char *const w[] = {NULL, "in", "out"};
    return word(w, BZL_ARRAY_LEN(w), (int)d);
}

/* ---- the warehouse ----------------------------------------------------------------------------
 */

/* A libpq result that must have status want; says why otherwise. Clears res. */
static bool
pg_ok(PGresult *res, ExecStatusType want, const char *what, PGconn *db)
{
    bool ok = res != NULL && PQresultStatus(res) == want;
    if (!ok) {
        const char *m = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(db);
        say("warehouse: %s failed: %s", what, m[0] != '\0' ? m : "no message");
    }
    PQclear(res);
    return ok;
}

static bool
pg_exec(PGconn *db, const char *sql, const char *what)
{
    return pg_ok(PQexec(db, sql), PGRES_COMMAND_OK, what, db);
}

/* Connects and creates the schema and views when absent (warehouse.sql, idempotent), and this
 * zone's cursor row; under an advisory lock so that shippers starting together do not race. */
static int
warehouse_open(shipper *s)
{
    s->db = PQconnectdb(s->o->conninfo);
    if (PQstatus(s->db) != CONNECTION_OK) {
        say("cannot connect to the warehouse: %s", PQerrorMessage(s->db));
        return SHIP_EXIT_TRANSPORT;
    }
    PQsetErrorVerbosity(s->db, PQERRORS_DEFAULT);
    /* A batch's rows and its cursor commit together, so a commit PostgreSQL loses in a crash
     * loses both, and the next run ships those entries again from the older cursor: exactly
     * once holds without waiting for each commit's WAL flush, which would otherwise compete
     * with the zone's own fsyncs on a shared disk. --sync-commit keeps the server's setting. */
    if (!s->o->sync_commit &&
        !pg_exec(s->db, "SET synchronous_commit = off", "setting synchronous_commit")) {
        return SHIP_EXIT_TRANSPORT;
    }
    if (!pg_exec(s->db, "SET client_min_messages = warning", "setting client_min_messages") ||
        !pg_exec(s->db, "BEGIN", "BEGIN") ||
        !pg_ok(PQexec(s->db, "SELECT pg_advisory_xact_lock(7420020)"), PGRES_TUPLES_OK,
               "taking the schema lock", s->db) ||
        !pg_exec(s->db, (const char *)ship_warehouse_sql, "creating the schema (warehouse.sql)")) {
        return SHIP_EXIT_TRANSPORT;
    }
    const char *params[] = {s->o->zone};
    PGresult *res = PQexecParams(s->db,
                                 "INSERT INTO bzl_cursor (zone, seq, hash) VALUES "
                                 "($1, 0, decode(repeat('00', 32), 'hex')) "
                                 "ON CONFLICT (zone) DO NOTHING",
                                 1, NULL, params, NULL, NULL, 0);
    if (!pg_ok(res, PGRES_COMMAND_OK, "creating the zone's cursor", s->db) ||
        !pg_exec(s->db, "COMMIT", "COMMIT")) {
        return SHIP_EXIT_TRANSPORT;
    }
    return SHIP_EXIT_OK;
}

/* The zone's cursor; lock takes the row's lock for the rest of the transaction. */
static bool
cursor_read(shipper *s, bool lock, cursor *out)
{
    const char *params[] = {s->o->zone};
    PGresult *res =
        PQexecParams(s->db,
                     lock ? "SELECT seq, hash FROM bzl_cursor WHERE zone = $1 FOR UPDATE"
                          : "SELECT seq, hash FROM bzl_cursor WHERE zone = $1",
                     1, NULL, params, NULL, NULL, 1);
    bool ok = res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
              PQgetlength(res, 0, 0) == 8 && PQgetlength(res, 0, 1) == (int)HASH_BYTES;
    if (ok) {
        const uint8_t *p = (const uint8_t *)PQgetvalue(res, 0, 0);
        out->seq = 0;
        for (int i = 0; i < 8; i++) {
            out->seq = out->seq << 8 | p[i];
        }
        memcpy(out->hash, PQgetvalue(res, 0, 1), HASH_BYTES);
    } else {
        say("warehouse: reading the cursor of zone %s failed: %s", s->o->zone,
            res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK ? PQresultErrorMessage(res)
                                                                  : "no single 32-byte row");
    }
    PQclear(res);
    return ok;
}

/* ---- one batch as COPY rows ---------------------------------------------------------------- */

static void
time_text(int64_t ms, char *out, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out + n, cap - n, ".%03d+00", (int)(ms % 1000));
}

static void
row_entry(shipper *s, const Bzl__V1__JournalRecord *r)
{
    copybuf *b = &s->entries;
    const Bzl__V1__Declaration *d = r->declaration;
    const Bzl__V1__Enterprise *e = r->enterprise_record;
    const Bzl__V1__Item *it = r->item;
    char when[48];
    time_text(r->time_ms, when, sizeof when);
    copybuf_text(b, s->o->zone, false);
    copybuf_printf(b, "%" PRIu64, r->seq);
    copybuf_bytea(b, r->hash.data, r->hash.len);
    copybuf_bytea(b, r->prev_hash.data, r->prev_hash.len);
    copybuf_text(b, when, false);
    copybuf_text(b, type_word(r->type), false);
    copybuf_printf(b, "%" PRIu32, r->uid);
    copybuf_text(b, role_word(r->role), true);
    copybuf_printf(b, "%" PRIu64, r->request_id);
    copybuf_text(b, r->enterprise, true);
    copybuf_text(b, r->book, true);
    copybuf_text(b, r->summary, false);
    copybuf_text(b, d != NULL ? d->id : r->id, true);
    copybuf_text(b, d != NULL ? kind_word(d->kind) : NULL, true);
    copybuf_text(b, d != NULL ? direction_word(d->direction) : NULL, true);
    copybuf_text(b, d != NULL ? d->trade_mode : NULL, true);
    copybuf_text(b, d != NULL ? d->date : r->date, true);
    copybuf_text(b, d != NULL ? (d->pending ? "t" : "f") : NULL, true);
    copybuf_text(b, d != NULL ? d->related_book : NULL, true);
    copybuf_text(b, d != NULL ? d->related_id : NULL, true);
    copybuf_text(b, r->flow, true);
    if (r->ref_seq != 0) {
        copybuf_printf(b, "%" PRIu64, r->ref_seq);
    } else {
        copybuf_text(b, NULL, true);
    }
    if (r->posting_seq != 0) {
        copybuf_printf(b, "%" PRIu64, r->posting_seq);
    } else {
        copybuf_text(b, NULL, true);
    }
    copybuf_text(b, r->reason, true);
    copybuf_text(b, r->month, true);
    copybuf_text(b, r->currency, true);
    copybuf_text(b, r->cny, true);
    copybuf_text(b, r->exports, true);
    copybuf_text(b, r->imports, true);
    copybuf_text(b, e != NULL ? e->uscc : NULL, true);
    copybuf_text(b, e != NULL ? e->name : it != NULL ? it->name : NULL, true);
    copybuf_text(b, e != NULL ? e->area : NULL, true);
    copybuf_text(b, it != NULL ? kind_word(it->kind) : NULL, true);
    if (it != NULL) {
        copybuf_printf(b, "%" PRIu32, it->item);
    } else {
        copybuf_text(b, NULL, true);
    }
    copybuf_text(b, it != NULL ? mode_word(it->mode) : NULL, true);
    copybuf_text(b, it != NULL ? it->hs : NULL, true);
    copybuf_text(b, it != NULL ? it->unit : NULL, true);
    copybuf_end_row(b);
}

static void
rows_lines(shipper *s, const Bzl__V1__JournalRecord *r)
{
    const Bzl__V1__Declaration *d = r->declaration;
    for (size_t i = 0; d != NULL && i < d->n_lines; i++) {
        const Bzl__V1__DeclarationLine *l = d->lines[i];
        copybuf *b = &s->lines;
        copybuf_text(b, s->o->zone, false);
        copybuf_printf(b, "%" PRIu64, r->seq);
        copybuf_printf(b, "%zu", i + 1);
        copybuf_printf(b, "%" PRIu32, l->item);
        copybuf_text(b, l->qty, false);
        copybuf_text(b, l->unit, false);
        copybuf_text(b, l->value, false);
        copybuf_text(b, l->currency, false);
        copybuf_text(b, l->usd, true);
        copybuf_text(b, mode_word(l->mode), true);
        copybuf_text(b, i < r->n_line_modes ? mode_word(r->line_modes[i]) : NULL, true);
        copybuf_text(b, l->country, true);
        copybuf_text(b, l->bom_version, true);
        copybuf_end_row(b);
        s->shipped_lines++;
    }
}

static void
rows_effects(shipper *s, const Bzl__V1__JournalRecord *r)
{
    for (size_t i = 0; i < r->n_effects; i++) {
        const Bzl__V1__Effect *e = r->effects[i];
        copybuf *b = &s->effects;
        copybuf_text(b, s->o->zone, false);
        copybuf_printf(b, "%" PRIu64, r->seq);
        copybuf_printf(b, "%zu", i + 1);
        copybuf_text(b, r->book, false);
        copybuf_text(b, r->month, false);
        copybuf_text(b, kind_word(e->kind), false);
        copybuf_printf(b, "%" PRIu32, e->item);
        copybuf_text(b, e->category, false);
        copybuf_text(b, e->qty, false);
        copybuf_text(b, e->value, false);
        copybuf_text(b, e->pending_in, false);
        copybuf_text(b, e->pending_out, false);
        copybuf_text(b, e->scrap_generated, false);
        copybuf_text(b, e->scrap_used, false);
        copybuf_text(b, e->total, false);
        copybuf_end_row(b);
    }
}

static void
rows_values(shipper *s, const Bzl__V1__JournalRecord *r)
{
    for (size_t i = 0; i < r->n_values; i++) {
        const Bzl__V1__ValuePart *v = r->values[i];
        copybuf *b = &s->values;
        copybuf_text(b, s->o->zone, false);
        copybuf_printf(b, "%" PRIu64, r->seq);
        copybuf_printf(b, "%zu", i + 1);
        copybuf_text(b, r->book, false);
        copybuf_text(b, kind_word(v->kind), false);
        copybuf_printf(b, "%" PRIu32, v->item);
        copybuf_text(b, v->currency, false);
        copybuf_text(b, v->value, false);
        copybuf_end_row(b);
    }
}

static const char copy_entry[] =
    "COPY bzl_entry (zone, seq, hash, prev_hash, time, type, uid, role, request_id, enterprise, "
    "book, summary, decl_id, decl_kind, decl_direction, trade_mode, date, pending, related_book, "
    "related_id, flow, ref_seq, posting_seq, reason, month, currency, cny, exports, imports, "
    "uscc, name, area, item_kind, item, item_mode, hs, unit) FROM STDIN";
static const char copy_line[] =
    "COPY bzl_line (zone, seq, line, item, qty, unit, value, currency, usd, mode_declared, mode, "
    "country, bom_version) FROM STDIN";
static const char copy_effect[] =
    "COPY bzl_effect (zone, seq, n, book, month, kind, item, category, qty, value, pending_in, "
    "pending_out, scrap_generated, scrap_used, total) FROM STDIN";
static const char copy_value[] =
    "COPY bzl_value (zone, seq, n, book, kind, item, currency, value) FROM STDIN";

static bool
copy_in(PGconn *db, const char *sql, const copybuf *b, const char *table)
{
    if (b->len == 0) {
        return true;
    }
    if (!pg_ok(PQexec(db, sql), PGRES_COPY_IN, table, db)) {
        return false;
    }
    bool ok = PQputCopyData(db, b->p, (int)b->len) == 1 && PQputCopyEnd(db, NULL) == 1;
    if (!ok) {
        say("warehouse: sending the rows of %s failed: %s", table, PQerrorMessage(db));
        return false;
    }
    ok = pg_ok(PQgetResult(db), PGRES_COMMAND_OK, table, db);
    for (PGresult *extra; (extra = PQgetResult(db)) != NULL;) {
        PQclear(extra);
    }
    return ok;
}

/* ---- the loop ---------------------------------------------------------------------------- */

/* The fork refusal: the warehouse holds entry seq with hash ours; the zone has theirs (NULL:
 * the zone has no entry seq, its journal ending at head). */
static int
refuse_fork(const shipper *s, uint64_t seq, const uint8_t *ours, const uint8_t *theirs,
            uint64_t head)
{
    char a[2 * HASH_BYTES + 1];
    char b[2 * HASH_BYTES + 1];
    hex_of(ours, HASH_BYTES, a);
    if (theirs == NULL) {
        say("zone %s forked: the warehouse holds entry %" PRIu64 " with hash %s, but the zone's "
            "journal ends at entry %" PRIu64 " (restored from an older backup?); nothing written",
            s->o->zone, seq, a, head);
    } else {
        hex_of(theirs, HASH_BYTES, b);
        say("zone %s forked at entry %" PRIu64 ": the warehouse holds hash %s, the zone has %s "
            "(restored from an older backup and written to?); nothing written",
            s->o->zone, seq, a, b);
    }
    return SHIP_EXIT_REFUSED;
}

static void
progress(shipper *s, uint64_t last, uint64_t head, bool force)
{
    uint64_t t = now_ms();
    if (!force && t - s->last_progress_ms < SHIP_PROGRESS_MS) {
        return;
    }
    s->last_progress_ms = t;
    double secs = (double)(t - s->start_ms) / 1000.0;
    say("zone %s: shipped through entry %" PRIu64 " of %" PRIu64 " (lag %" PRIu64
        " entries); %" PRIu64 " entries, %" PRIu64 " lines this run, %.0f lines/s",
        s->o->zone, last, head, head > last ? head - last : 0, s->shipped_entries, s->shipped_lines,
        secs > 0 ? (double)s->shipped_lines / secs : 0.0);
}

/* Checks a page against the cursor: the chain must continue from it, entry by entry. */
static int
page_check(const shipper *s, const cursor *c, const Bzl__V1__JournalPage *p)
{
    if (p->after_hash.len != HASH_BYTES) {
        say("the daemon's page lacks the hash of entry %" PRIu64, c->seq);
        return SHIP_EXIT_TRANSPORT;
    }
    if (memcmp(p->after_hash.data, c->hash, HASH_BYTES) != 0) {
        return refuse_fork(s, c->seq, c->hash, p->after_hash.data, p->head_seq);
    }
    const uint8_t *prev = c->hash;
    for (size_t i = 0; i < p->n_entries; i++) {
        const Bzl__V1__JournalRecord *r = p->entries[i];
        if (r->seq != c->seq + i + 1 || r->hash.len != HASH_BYTES ||
            r->prev_hash.len != HASH_BYTES || memcmp(r->prev_hash.data, prev, HASH_BYTES) != 0) {
            say("the daemon's page breaks the chain at entry %" PRIu64 " (after %" PRIu64
                "); nothing written",
                r->seq, c->seq + i);
            return SHIP_EXIT_REFUSED;
        }
        prev = r->hash.data;
    }
    return SHIP_EXIT_OK;
}

/* Writes one page in one transaction: the cursor (locked) must still be c, then the rows, then
 * the cursor moves to the page's last entry. */
static int
batch_write(shipper *s, const cursor *c, const Bzl__V1__JournalPage *p)
{
    copybuf_reset(&s->entries);
    copybuf_reset(&s->lines);
    copybuf_reset(&s->effects);
    copybuf_reset(&s->values);
    for (size_t i = 0; i < p->n_entries; i++) {
        row_entry(s, p->entries[i]);
        rows_lines(s, p->entries[i]);
        rows_effects(s, p->entries[i]);
        rows_values(s, p->entries[i]);
    }
    if (!s->entries.ok || !s->lines.ok || !s->effects.ok || !s->values.ok) {
        say("out of memory for a batch of %zu entries", p->n_entries);
        return SHIP_EXIT_TRANSPORT;
    }
    cursor locked;
    if (!pg_exec(s->db, "BEGIN", "BEGIN") || !cursor_read(s, true, &locked)) {
        return SHIP_EXIT_TRANSPORT;
    }
    if (locked.seq != c->seq || memcmp(locked.hash, c->hash, HASH_BYTES) != 0) {
        /* Another bzl-ship of this zone moved it: start over from where it stands. */
        say("zone %s: the cursor moved to %" PRIu64 " under us (another bzl-ship?); rereading",
            s->o->zone, locked.seq);
        return pg_exec(s->db, "ROLLBACK", "ROLLBACK") ? SHIP_EXIT_OK : SHIP_EXIT_TRANSPORT;
    }
    const Bzl__V1__JournalRecord *last = p->entries[p->n_entries - 1];
    char seq_text[24];
    char head_text[24];
    char hash_hex[2 * HASH_BYTES + 3] = "\\x";
    snprintf(seq_text, sizeof seq_text, "%" PRIu64, last->seq);
    snprintf(head_text, sizeof head_text, "%" PRIu64, p->head_seq);
    hex_of(last->hash.data, HASH_BYTES, hash_hex + 2);
    const char *params[] = {s->o->zone, seq_text, hash_hex, head_text};
    bool ok = copy_in(s->db, copy_entry, &s->entries, "COPY bzl_entry") &&
              copy_in(s->db, copy_line, &s->lines, "COPY bzl_line") &&
              copy_in(s->db, copy_effect, &s->effects, "COPY bzl_effect") &&
              copy_in(s->db, copy_value, &s->values, "COPY bzl_value") &&
              pg_ok(PQexecParams(s->db,
                                 "UPDATE bzl_cursor SET seq = $2, hash = $3::bytea, head_seq = $4, "
                                 "updated_at = now() WHERE zone = $1",
                                 4, NULL, params, NULL, NULL, 0),
                    PGRES_COMMAND_OK, "moving the cursor", s->db) &&
              pg_exec(s->db, "COMMIT", "COMMIT");
    if (!ok) {
        return SHIP_EXIT_TRANSPORT;
    }
    s->shipped_entries += p->n_entries;
    return SHIP_EXIT_OK;
}

/* Asks the daemon for the page after c. */
static int
page_read(shipper *s, const cursor *c, uint32_t wait_ms, Bzl__V1__Response **resp)
{
    Bzl__V1__JournalRead q = BZL__V1__JOURNAL_READ__INIT;
    q.after_seq = c->seq;
    q.page_size = s->o->batch;
    q.wait_ms = wait_ms;
    Bzl__V1__Request req = BZL__V1__REQUEST__INIT;
    req.body_case = BZL__V1__REQUEST__BODY_JOURNAL;
    req.journal = &q;
    bzl_status st = bzl_client_call(s->daemon, &req, resp);
    if (st != BZL_OK) {
        say("daemon at %s: %s: %s", s->o->socket_path, bzl_status_name(st),
            bzl_client_error(s->daemon));
        return SHIP_EXIT_TRANSPORT;
    }
    return SHIP_EXIT_OK;
}

/* One round: read a page after the cursor, check it, write it. *shipped is how many entries
 * it wrote (0 when the zone had nothing new); *at_head whether they reached the zone's head
 * (a page can end before it, cut by the daemon's page size or bytes, however small). */
static int
ship_round(shipper *s, uint32_t *shipped, uint64_t *head, bool *at_head)
{
    cursor c;
    if (!cursor_read(s, false, &c)) {
        return SHIP_EXIT_TRANSPORT;
    }
    Bzl__V1__Response *resp = NULL;
    int rc = page_read(s, &c, s->o->follow ? SHIP_FOLLOW_WAIT_MS : 0, &resp);
    if (rc != SHIP_EXIT_OK) {
        return rc;
    }
    if (resp->status == BZL__V1__STATUS__STATUS_NOT_FOUND &&
        resp->result_case == BZL__V1__RESPONSE__RESULT_JOURNAL) {
        rc = refuse_fork(s, c.seq, c.hash, NULL, resp->journal->head_seq);
    } else if (resp->status != BZL__V1__STATUS__STATUS_OK ||
               resp->result_case != BZL__V1__RESPONSE__RESULT_JOURNAL) {
        say("the daemon refused the journal request: %s: %s",
            bzl_status_name((bzl_status)resp->status), resp->message);
        rc = SHIP_EXIT_REFUSED;
    } else {
        rc = page_check(s, &c, resp->journal);
    }
    if (rc == SHIP_EXIT_OK) {
        *head = resp->journal->head_seq;
        *shipped = (uint32_t)resp->journal->n_entries;
        rc = *shipped == 0 ? SHIP_EXIT_OK : batch_write(s, &c, resp->journal);
    }
    *at_head = rc == SHIP_EXIT_OK && *shipped == 0;
    if (rc == SHIP_EXIT_OK && *shipped != 0) {
        uint64_t last = resp->journal->entries[resp->journal->n_entries - 1]->seq;
        *at_head = last >= *head;
        progress(s, last, *head, false);
    }
    bzl__v1__response__free_unpacked(resp, NULL);
    return rc;
}

static int
ship_run(shipper *s)
{
    char why[256] = "";
    bzl_status st = bzl_client_connect(s->o->socket_path, &s->daemon, why, sizeof why);
    if (st != BZL_OK) {
        say("cannot reach the daemon: %s", why);
        return SHIP_EXIT_TRANSPORT;
    }
    /* A page holds at least one entry whatever its size: accept what the daemon's own frame
     * cap ([limits] frame_bytes) lets it send, up to the protocol's ceiling. */
    bzl_client_set_frame_max(s->daemon, BZL_FRAME_BYTES_CEILING);
    int rc = warehouse_open(s);
    s->start_ms = now_ms();
    uint64_t head = 0;
    /* Bounded by the zone's journal without --follow; with it, runs until stopped. */
    while (rc == SHIP_EXIT_OK) {
        uint32_t shipped = 0;
        bool at_head = false;
        rc = ship_round(s, &shipped, &head, &at_head);
        if (rc == SHIP_EXIT_OK && shipped == 0 && !s->o->follow) {
            break;
        }
        if (rc == SHIP_EXIT_OK && s->o->follow && at_head && s->o->linger_ms > 0) {
            /* Caught up: let the next batch gather instead of chasing every commit. */
            struct timespec ts = {.tv_sec = s->o->linger_ms / 1000u,
                                  .tv_nsec = (long)(s->o->linger_ms % 1000u) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (rc == SHIP_EXIT_OK) {
        cursor c;
        if (cursor_read(s, false, &c)) {
            progress(s, c.seq, head, true);
        }
    }
    return rc;
}

/* ---- --status -------------------------------------------------------------------------------- */

static int
ship_status(shipper *s)
{
    s->db = PQconnectdb(s->o->conninfo);
    if (PQstatus(s->db) != CONNECTION_OK) {
        say("cannot connect to the warehouse: %s", PQerrorMessage(s->db));
        return SHIP_EXIT_TRANSPORT;
    }
    const char *params[] = {s->o->zone};
    PGresult *res =
        PQexecParams(s->db,
                     "SELECT c.seq, encode(c.hash, 'hex'), c.head_seq, "
                     "to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                     "(SELECT count(*) FROM bzl_entry e WHERE e.zone = c.zone) "
                     "FROM bzl_cursor c WHERE c.zone = $1",
                     1, NULL, params, NULL, NULL, 0);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        say("zone %s has no cursor in the warehouse%s%s", s->o->zone,
            res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK ? ": " : "",
            res != NULL && PQresultStatus(res) != PGRES_TUPLES_OK ? PQresultErrorMessage(res) : "");
        PQclear(res);
        return SHIP_EXIT_REFUSED;
    }
    uint64_t seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    uint64_t head = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
    /* The zone's head now, when the daemon answers; the last batch's otherwise. */
    char why[256] = "";
    const char *head_from = "at the last batch";
    if (bzl_client_connect(s->o->socket_path, &s->daemon, why, sizeof why) == BZL_OK) {
        Bzl__V1__Response *resp = NULL;
        cursor c = {.seq = seq};
        if (page_read(s, &c, 0, &resp) == SHIP_EXIT_OK &&
            resp->result_case == BZL__V1__RESPONSE__RESULT_JOURNAL) {
            head = resp->journal->head_seq;
            head_from = "now";
        }
        if (resp != NULL) {
            bzl__v1__response__free_unpacked(resp, NULL);
        }
    }
    printf("zone %s: shipped through entry %s (hash %s) at %s; %s entries in the warehouse; "
           "zone head %" PRIu64 " %s; lag %" PRIu64 " entries\n",
           s->o->zone, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 3),
           PQgetvalue(res, 0, 4), head, head_from, head > seq ? head - seq : 0);
    PQclear(res);
    return SHIP_EXIT_OK;
}

/* ---- command line ------------------------------------------------------------------------ */

static const char usage_text[] =
    "usage: bzl-ship --zone CODE --db CONNINFO [--socket PATH] [--follow] [--batch N]\n"
    "                [--linger MS] [--sync-commit]\n"
    "       bzl-ship --zone CODE --db CONNINFO [--socket PATH] --status\n"
    "\n"
    "Ships the zone's journal from bzld into a PostgreSQL warehouse exactly once, in order and\n"
    "hash-checked (docs/WAREHOUSE.md). Creates the schema and views when absent. Per batch, one\n"
    "transaction: the zone's cursor is locked and checked, the rows are COPYed, and the cursor\n"
    "moves to the batch's last entry, so a crash of either side neither loses nor duplicates an\n"
    "entry; a restart resumes from the cursor. A zone whose journal no longer continues the\n"
    "warehouse's (restored from an older backup) is refused, naming both hashes, and nothing is\n"
    "written. Progress and lag go to stderr.\n"
    "\n"
    "  --zone CODE      the zone's name in the warehouse (1-32 of A-Z a-z 0-9 _ -)\n"
    "  --db CONNINFO    a libpq connection string, e.g. 'host=/run/postgresql dbname=bzl'\n"
    "  --socket PATH    the daemon's socket (default: $BZL_SOCKET, else ./bzl-data/bzld.sock)\n"
    "  --follow         at the end, wait for new entries and ship them as they come\n"
    "  --batch N        entries per batch and transaction, 1-4096 (default 1024)\n"
    "  --linger MS      with --follow, once caught up, gather new entries for MS ms before\n"
    "                   shipping them, 0-60000 (default 1000): fewer, larger batches\n"
    "  --sync-commit    wait for each batch's commit to be flushed in PostgreSQL (by default\n"
    "                   the session commits asynchronously: a commit lost in a crash loses its\n"
    "                   cursor move with it, and is shipped again)\n"
    "  --status         print where the zone's stream stands and its lag, and exit\n"
    "\n"
    "Exit status: 0 done; 1 refused (a fork, a shorter journal, a refused request); 2 usage;\n"
    "3 the daemon or the database failed (a restart resumes).\n";

static bool
zone_ok(const char *z)
{
    size_t n = strlen(z);
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)z[i]) && z[i] != '_' && z[i] != '-') {
            return false;
        }
    }
    return n > 0 && n <= SHIP_ZONE_BYTES_MAX;
}

static int usage_error(const char *fmt, ...) BZL_PRINTF(1, 2);

static int
usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bzl-ship: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'bzl-ship --help'.\n", stderr);
    return SHIP_EXIT_USAGE;
}

static int
parse_opts(int argc, char **argv, ship_opts *o)
{
    static const struct option longs[] = {
        {"socket", required_argument, NULL, 's'}, {"zone", required_argument, NULL, 'z'},
        {"db", required_argument, NULL, 'd'},     {"batch", required_argument, NULL, 'b'},
        {"follow", no_argument, NULL, 'f'},       {"status", no_argument, NULL, 'S'},
        {"linger", required_argument, NULL, 'l'}, {"sync-commit", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    o->socket_path = bzl_client_default_socket();
    o->batch = SHIP_BATCH_DEFAULT;
    o->linger_ms = SHIP_LINGER_MS_DEFAULT;
    for (int ch; (ch = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        char *end = NULL;
        unsigned long n = 0;
        switch (ch) {
        case 's':
            o->socket_path = optarg;
            break;
        case 'z':
            o->zone = optarg;
            break;
        case 'd':
            o->conninfo = optarg;
            break;
        case 'b':
            n = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || n < 1 || n > SHIP_BATCH_MAX) {
                return usage_error("--batch must be 1 to 4096 entries, not '%s'", optarg);
            }
            o->batch = (uint32_t)n;
            break;
        case 'l':
            n = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || n > SHIP_LINGER_MS_MAX) {
                return usage_error("--linger must be 0 to 60000 ms, not '%s'", optarg);
            }
            o->linger_ms = (uint32_t)n;
            break;
        case 'c':
            o->sync_commit = true;
            break;
        case 'f':
            o->follow = true;
            break;
        case 'S':
            o->status = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return -1;
        default:
            return usage_error("an unknown option or a missing value");
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s'", argv[optind]);
    }
    if (o->zone == NULL || !zone_ok(o->zone)) {
        return usage_error("--zone must be 1-32 of A-Z a-z 0-9 _ -, not '%s'",
                           o->zone != NULL ? o->zone : "");
    }
    if (o->conninfo == NULL) {
        return usage_error("--db CONNINFO is required");
    }
    return SHIP_EXIT_OK;
}

int
main(int argc, char **argv)
{
    ship_opts o = {0};
    int rc = parse_opts(argc, argv, &o);
    if (rc != SHIP_EXIT_OK) {
        return rc < 0 ? SHIP_EXIT_OK : rc;
    }
    shipper s = {.o = &o};
    rc = o.status ? ship_status(&s) : ship_run(&s);
    copybuf_free(&s.entries);
    copybuf_free(&s.lines);
    copybuf_free(&s.effects);
    copybuf_free(&s.values);
    bzl_client_close(s.daemon);
    PQfinish(s.db);
    return rc;
}
