/* limits.h — every bound bzl enforces, each with the reason for its value.
 *
 * Defaults can be lowered (and some raised up to the hard ceiling) by the daemon's
 * configuration; the ceilings are compile-time facts the code relies on. Relations
 * between them are checked at the bottom of this file.
 */
#ifndef BZL_LIMITS_H
#define BZL_LIMITS_H

#include "bzl/base.h"

/* ---- wire ---------------------------------------------------------------------------- */

/* A frame is a 4-byte length then the body. 1 MiB holds a 1,000-line declaration with room
 * to spare (a line encodes in well under 200 bytes) while bounding what one peer can make
 * the daemon allocate before it has decoded anything. */
#define BZL_FRAME_BYTES_DEFAULT (1u << 20)
/* The largest cap a configuration may set: a batch of imports from a month-end ERP run. */
#define BZL_FRAME_BYTES_CEILING (64u << 20)
/* The length prefix. */
#define BZL_FRAME_HEADER_BYTES 4u

/* ---- declarations -------------------------------------------------------------------- */

/* Lines in one declaration. A 核注清单 rarely has more than a few hundred lines; 1,000 keeps
 * a worst-case declaration inside one default frame and one writer step. */
#define BZL_DECL_LINES_DEFAULT 1000u
#define BZL_DECL_LINES_CEILING 10000u
/* Declarations in one batch request: bounded so a batch is one writer step, not a stall. */
#define BZL_BATCH_DECLS_DEFAULT 1000u
#define BZL_BATCH_DECLS_CEILING 10000u

/* Lots one declaration names (SPECIFIC lots, docs/TAX.md): a line names the receipt lines it
 * takes from, at 88 bytes each in memory. 800 is close to a named lot per line of a
 * default-sized declaration, and all of them named by one line still fit that line's one
 * attribute record (77 bytes each, a u16 length: storage_decl_codec.c). */
#define BZL_DECL_LOTS_MAX 800u

/* A declaration's optional attributes (the ATTRS section of its journal entry) all together.
 * Each arrives in a request frame with at least 3 bytes of protobuf around a value we store
 * with 7 bytes of header, so 4 × the largest frame bounds them, and the stored declaration then
 * still fits the journal's u32 payload length. */
#define BZL_DECL_ATTRS_BYTES_MAX (4u * BZL_FRAME_BYTES_CEILING)

/* The enterprise's internal list number (etpsInnerInvtNo) is the idempotency key. Customs
 * allows 64 characters; we count bytes of UTF-8. */
#define BZL_DECL_ID_BYTES_MAX 64u
/* Names (gdsNm, enterprise names) are NVARCHAR(512) in the customs schema; 512 bytes of UTF-8
 * holds about 170 Chinese characters, which covers every real name we have seen. */
#define BZL_NAME_BYTES_MAX 512u
/* A zone area label ("core bonded zone", "airport area"). */
#define BZL_AREA_BYTES_MAX 64u
/* Free text such as a reversal reason or a rejection message. */
#define BZL_TEXT_BYTES_MAX 1024u
/* Item numbers (备案序号) are positive 9-digit numbers in the customs schema. */
#define BZL_ITEM_NO_MAX 999999999u
/* A book's verification period (核销周期, vclrPridVal in days): ten years bounds the longest
 * cycle customs sets (a few years); a book opened without one gets a year. */
#define BZL_BOOK_PERIOD_DAYS_MAX 3660u
#define BZL_BOOK_PERIOD_DAYS_DEFAULT 365u

/* ---- bonded repair (next-wave.md §C) -------------------------------------------------------- */

/* Material and part lines of one work order's completion, each: a repair replaces a handful of
 * parts; 64 covers a module overhaul and keeps a work order record under 2 KiB. */
#define BZL_WO_LINES_MAX 64u
/* The verification cycle (核销周期) of a zone repair book is at most 2 years [next-wave.md §C.4];
 * the default cap of repair_cycle_days (bzld.conf(5)), which may not exceed the book ceiling. */
#define BZL_REPAIR_CYCLE_DAYS_DEFAULT 730u
/* The disposal period of old parts and repair scrap is the zone's 监管方案's (§C.4, no national
 * figure): a default of 90 days until the zone configures its own (repair_disposal_days). */
#define BZL_REPAIR_DISPOSAL_DAYS_DEFAULT 90u
/* How long before its limit a lot counts as near it (repair_warn_days). */
#define BZL_REPAIR_WARN_DAYS_DEFAULT 14u
/* Rows of a repair book's accounts one answer carries: (kind, item, origin) triples. */
#define BZL_REPAIR_ROWS_MAX 4096u
/* Part lots (work-order completions × part lines) one overdue answer ages: bounded so the walk
 * is one allocation; a zone that reaches it narrows by book. */
#define BZL_REPAIR_LOTS_MAX 65536u

/* Delivery records and transfer declaration lines one transfers report gathers: bounded so the
 * report is a few allocations; a zone beyond it narrows by counterpart. */
#define BZL_TRANSFER_ENTRIES_MAX 1048576u

/* ---- verification and reports ---------------------------------------------------------- */

/* Books per reconcile --all page: 1,000 books × 20 materials × 25 cells stays far below the
 * frame cap only a page at a time. The CLI's --page-books takes the same bound. */
#define BZL_RECON_PAGE_BOOKS_DEFAULT 16u
#define BZL_RECON_PAGE_BOOKS_MAX 64u
/* Materials one book may carry for verification in one answer. */
#define BZL_RECON_MATERIALS_MAX 4096u
/* Groups a report accumulates into (enterprises, products, modes, areas, months). */
#define BZL_REPORT_GROUPS_MAX 65536u
/* Value-added ratio by product, per book: the product export rows and the materials it keeps
 * (a book's trade-value rows of one period are far fewer), and the materials of one norm
 * version (a BOM of more is refused with LIMIT_EXCEEDED rather than cut short). */
#define BZL_REPORT_PRODUCT_ROWS_MAX 65536u
#define BZL_REPORT_NORM_MATERIALS_MAX 512u
static_assert(BZL_RECON_PAGE_BOOKS_DEFAULT <= BZL_RECON_PAGE_BOOKS_MAX, "default within the cap");

/* ---- domestic-sale tax (docs/TAX.md) ------------------------------------------------------ */

/* Rows of the 缓税利息 rate history, built in and set together: the PBOC changed the
 * demand-deposit rate a handful of times a decade; 256 is decades of room and one list page. */
#define BZL_TAX_RATE_ROWS_MAX 256u
/* Taxed parts of one assessment (materials a sale embodies, and one goods row per line): a
 * book holds at most BZL_RECON_MATERIALS_MAX materials, so an ordinary sale, which sums each
 * material over its lines, never needs more. A material-basis sale keeps its materials per
 * line and may: it is then assessed as LIMIT_EXCEEDED (the declaration still stands). */
#define BZL_TAX_PARTS_MAX 4096u

static_assert(BZL_TAX_PARTS_MAX >= BZL_RECON_MATERIALS_MAX, "an ordinary sale always fits");
static_assert(BZL_TAX_RATE_ROWS_MAX <= 4096u, "the rate history is one list page");

/* Ageing buckets of a lot listing (bzl lots --ageing): a handful of bounds is what an ageing
 * report shows (the default is three: 90, 180 and 365 days); 16 keeps the answer small. */
#define BZL_LOT_BUCKETS_MAX 16u
/* A bucket's bound in days: a century is past any storage or disposal limit a bound stands
 * for, and keeps an age comparison far from the int32 day range. */
#define BZL_LOT_BUCKET_DAYS_MAX 36500u
/* ---- customs receipts (docs/INV101.md "Receipts") ---------------------------------------- */

/* Back-filled values one receipt carries: its
 * head's dozen or so and a few per list line (UsdStatTotalAmt, ActlPassQty, PassportUsedQty)
 * or book line (BwsDt), for a list of up to BZL_DECL_LINES_DEFAULT lines. */
#define BZL_RECEIPT_FIELDS_MAX 8192u
/* An element name: the longest in the messages is under 30 characters. */
#define BZL_RECEIPT_NAME_BYTES_MAX 64u
/* An element's text: Rmk holds 4000 characters [A.3], up to 3 UTF-8 bytes each. */
#define BZL_RECEIPT_VALUE_BYTES_MAX 12000u
/* A receipt's encoded content (names, values and their framing): within the default frame. */
#define BZL_RECEIPT_BYTES_MAX (1u << 20)
/* SeqNo is 18 characters [A.3]; a code (DealFlag, manageResult) a few. */
#define BZL_RECEIPT_SEQ_NO_BYTES_MAX 18u
#define BZL_RECEIPT_CODE_BYTES_MAX 8u
/* Receipts kept per list: an import receipt, a handful of INV201/202/211 per filing and per
 * change; a list that gathers more is refused (LIMIT_EXCEEDED), never silently cut. */
#define BZL_RECEIPTS_PER_LIST_MAX 256u

/* ---- daemon -------------------------------------------------------------------------- */

/* Concurrent connections in total and per peer uid (OpenSMTPD caps per uid too). 1,024 keeps
 * one select()-sized budget of descriptors for peers; the per-uid share stops one runaway ERP
 * from starving customs. */
#define BZL_CONNECTIONS_DEFAULT 1024u
#define BZL_CONNECTIONS_PER_UID_DEFAULT 512u
/* A configuration may raise the total to this: each connection costs a descriptor and about
 * 1 KiB of state, and the daemon's RLIMIT_NOFILE must cover it. */
#define BZL_CONNECTIONS_CEILING 65536u
/* Requests a connection may have outstanding before the daemon stops reading from it: a
 * client that pipelines more than this waits for replies first. */
#define BZL_CONN_INFLIGHT_MAX 256u
#define BZL_CONN_INFLIGHT_CEILING 65536u
/* Reply bytes queued to one connection before the daemon stops reading from it (a peer that
 * does not read its replies must not grow our memory). */
#define BZL_CONN_OUT_BYTES_HIGH (4u << 20)
#define BZL_CONN_OUT_BYTES_CEILING (1u << 30)
/* A connection with nothing in flight that says nothing for this long is closed. */
#define BZL_IDLE_TIMEOUT_MS_DEFAULT 300000u
/* Below 100 ms a slow but honest client would be cut off mid-request; above a day an idle
 * descriptor is a leak. */
#define BZL_IDLE_TIMEOUT_MS_FLOOR 100u
#define BZL_IDLE_TIMEOUT_MS_CEILING 86400000u
/* The smallest frame cap a configuration may set: every reply to a refusal must fit. */
#define BZL_FRAME_BYTES_FLOOR 4096u
/* A connection whose queued replies make no progress for this long is closed: a peer that
 * stops reading holds its replies no longer than this (issue 13, finding 1). */
#define BZL_DRAIN_TIMEOUT_MS_DEFAULT 30000u
/* What the connections of one peer uid may hold in the daemon's memory together: undecoded
 * input, decoded requests, packed replies and replies being written. Past it the daemon stops
 * reading and starting that uid's requests until its replies drain; 64 MiB is sixteen full
 * reply windows (BZL_CONN_OUT_BYTES_HIGH). */
#define BZL_UID_MEMORY_DEFAULT (64ull << 20)
#define BZL_UID_MEMORY_CEILING (64ull << 30)
/* Connections of the total kept for staff (admin, customs, reconciler): enterprises and every
 * other peer together may open at most connections − this, so a flood of enterprise
 * connections never shuts customs out. */
#define BZL_STAFF_CONNECTIONS_DEFAULT 32u

/* Write jobs queued for the writer thread. When full, new writes get BUSY at once rather
 * than waiting unboundedly. 8,192 jobs is several seconds of peak ingest. */
#define BZL_WRITE_QUEUE_DEFAULT 8192u
#define BZL_WRITE_QUEUE_CEILING (1u << 20)
/* Declarations the writer applies in one LMDB transaction. Bigger batches amortise the
 * fsync further but hold replies longer; 2,048 one-line declarations commit in a few ms. */
#define BZL_WRITER_BATCH_DECLS_MAX 2048u

/* Rows in one list or balance reply; a client pages on with the last key it saw. 4,096 rows
 * of balance encode in about 400 KiB, inside the default frame. */
#define BZL_LIST_ROWS_MAX 4096u

/* Bytes of one audit summary line, NUL included: the action, its record and the start of a
 * reason (a reason may be BZL_TEXT_BYTES_MAX long; the whole of it is in the declaration's
 * entries). An audit page holds at most BZL_AUDIT_PAGE_ROWS of them, so that a page of the
 * longest summaries and their other fields (under 64 bytes) fits the default frame. */
#define BZL_AUDIT_SUMMARY_BYTES 240u
#define BZL_AUDIT_PAGE_ROWS 2048u
/* Journal entries one audit page may examine (matching or not): a filter that matches rarely
 * still answers within a few milliseconds and the client pages on with the cursor. */
#define BZL_AUDIT_SCAN_MAX 65536u
/* Journal stream (the journal request): entries per page when the client names none. A page
 * also ends before half the frame cap of encoded bytes, so pages of large declarations fit. */
#define BZL_JOURNAL_PAGE_ROWS 512u
/* The longest a journal request waits for a new entry, and how often a waiting one looks for
 * it: a follower of a quiet zone asks twice a minute, and sees a commit within 50 ms. Looking
 * every 5 ms cost the daemon 10-19 µs of CPU per entry written while a follower kept up (many
 * small replies and wake-ups); every 50 ms the cost is within measurement noise
 * (tests/bench/ship_bench.sh, docs/BENCHMARKS.md). */
#define BZL_JOURNAL_WAIT_MS_MAX 30000u
#define BZL_JOURNAL_POLL_MS 50u

/* ---- access control ------------------------------------------------------------------ */

/* Enterprise codes one principal may act for (a customs broker serving several enterprises);
 * the scope is copied into every connection, so it stays small. */
#define BZL_PRINCIPAL_ENTERPRISES_MAX 16u
/* Rules in the [access] table: every uid and group of a large zone, with room. */
#define BZL_ACCESS_RULES_MAX 4096u
/* Bytes of one configuration value (a list of principals). */
#define BZL_CONFIG_VALUE_BYTES_MAX 4096u

/* ---- storage ------------------------------------------------------------------------- */

/* The LMDB map starts here and grows on MDB_MAP_FULL up to the configured maximum. */
#define BZL_MAP_BYTES_INITIAL (64ull << 20)
#define BZL_MAP_BYTES_MAX_DEFAULT (64ull << 30)
/* LMDB 0.9 reports a write cut short (pwrite returning fewer bytes) as EIO rather than ENOSPC,
 * which is what a nearly full filesystem does. A failed commit's EIO counts as DISK_FULL when
 * the data file's filesystem has less than this free: more than a writer batch dirties, so a
 * short write with this much room left is a real I/O error. */
#define BZL_DISK_FREE_LOW_BYTES (64ull << 20)
/* Reader slots: loop thread, report workers, backup, with headroom. */
#define BZL_MAP_READERS_MAX 126u

/* ---- relations ----------------------------------------------------------------------- */

static_assert(BZL_FRAME_BYTES_DEFAULT <= BZL_FRAME_BYTES_CEILING, "default frame within ceiling");
static_assert(BZL_FRAME_BYTES_CEILING < UINT32_MAX, "frame length fits the 4-byte prefix");
static_assert(BZL_DECL_LINES_DEFAULT <= BZL_DECL_LINES_CEILING, "default lines within ceiling");
static_assert(BZL_BATCH_DECLS_DEFAULT <= BZL_BATCH_DECLS_CEILING, "default batch within ceiling");
static_assert(BZL_CONNECTIONS_PER_UID_DEFAULT <= BZL_CONNECTIONS_DEFAULT, "per-uid within total");
static_assert(BZL_STAFF_CONNECTIONS_DEFAULT < BZL_CONNECTIONS_DEFAULT, "staff share within total");
static_assert(BZL_UID_MEMORY_DEFAULT >= 2ull * BZL_CONN_OUT_BYTES_HIGH, "a uid can fill a window");
static_assert(BZL_CONNECTIONS_DEFAULT <= BZL_CONNECTIONS_CEILING, "connections within ceiling");
static_assert(BZL_CONN_INFLIGHT_MAX <= BZL_CONN_INFLIGHT_CEILING, "in-flight within ceiling");
static_assert(BZL_CONN_OUT_BYTES_HIGH <= BZL_CONN_OUT_BYTES_CEILING, "out bytes within ceiling");
static_assert(BZL_WRITE_QUEUE_DEFAULT <= BZL_WRITE_QUEUE_CEILING, "queue within ceiling");
static_assert(BZL_FRAME_BYTES_FLOOR <= BZL_FRAME_BYTES_DEFAULT, "default frame above floor");
static_assert(BZL_IDLE_TIMEOUT_MS_FLOOR <= BZL_IDLE_TIMEOUT_MS_DEFAULT &&
                  BZL_IDLE_TIMEOUT_MS_DEFAULT <= BZL_IDLE_TIMEOUT_MS_CEILING,
              "default idle timeout within bounds");
static_assert(BZL_PRINCIPAL_ENTERPRISES_MAX <= UINT8_MAX, "scope count fits its u8");
static_assert(BZL_CONN_OUT_BYTES_HIGH >= BZL_FRAME_BYTES_DEFAULT, "one full reply always fits");
static_assert(BZL_AUDIT_PAGE_ROWS * (BZL_AUDIT_SUMMARY_BYTES + 64u) < BZL_FRAME_BYTES_DEFAULT,
              "a page of the longest audit lines fits the default frame");
static_assert(BZL_AUDIT_PAGE_ROWS <= BZL_LIST_ROWS_MAX, "an audit page is a list page");
static_assert(BZL_JOURNAL_PAGE_ROWS <= BZL_LIST_ROWS_MAX, "a journal page is a list page");
static_assert(BZL_JOURNAL_POLL_MS < BZL_JOURNAL_WAIT_MS_MAX, "a wait looks more than once");
static_assert(BZL_BATCH_DECLS_DEFAULT <= BZL_WRITER_BATCH_DECLS_MAX,
              "a default batch request fits one writer transaction");

#endif
