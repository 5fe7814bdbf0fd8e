/* bzld.h — the daemon's shared state: configuration, the server, connections, request slots.
 *
 * Threads: everything here belongs to the libuv loop thread except what writer.h says the
 * writer thread touches (the job queues, under the writer's mutex).
 */
#ifndef BZLD_H
#define BZLD_H

#include <uv.h>

#include "arena.h"
#include "bzl.pb-c.h"
#include "bzl/frame.h"
#include "bzl/limits.h"
#include "bzl/storage.h"
#include "bzl/tax.h"

#include "access.h"

typedef struct bzld_writer bzld_writer;
typedef struct bzld_conn bzld_conn;
typedef struct bzld_slot bzld_slot;

typedef struct bzld_config {
    char data_dir[256];
    char socket_path[108]; /* sizeof sockaddr_un.sun_path */
    char pid_path[280];
    uint32_t frame_bytes_max;
    uint32_t decl_lines_max;
    uint32_t batch_decls_max;
    uint32_t connections_max;
    uint32_t connections_per_uid_max;
    uint32_t write_queue_max;
    uint32_t idle_timeout_ms;
    uint32_t conn_inflight_max;   /* slots per connection before it stops being read */
    uint32_t conn_out_bytes_high; /* bytes a connection holds before it stops being read */
    uint32_t drain_timeout_ms;    /* replies stuck this long close the connection */
    uint32_t staff_connections;   /* of connections_max, kept for admin, customs, reconciler */
    bool staff_connections_set;   /* given in the file: kept as is, else at most a quarter */
    uint64_t uid_memory_max;      /* bytes one uid's connections may hold together */
    uint64_t map_bytes;
    uint64_t map_bytes_max;
    bool foreground;
    bool socket_group_set; /* chgrp the socket (and its directory, when bzld creates it) */
    uint32_t socket_gid;
    int log_level;         /* BZLD_LOG_*; 0 until set */
    char config_path[256]; /* "" when running on the embedded default */
    /* The Ed25519 key that signs checkpoints (checkpoint_key.h); "" until set: DATA-keys/
     * checkpoint.key beside the data directory, never inside it. */
    char checkpoint_key[256];
    /* [zone] (bzld.conf(5)): bonded repair's configurable periods, in days */
    uint32_t repair_disposal_days;  /* old parts and repair scrap leave within it */
    uint32_t repair_warn_days;      /* `repair overdue` lists lots this near their limit */
    uint32_t repair_cycle_days;     /* a repair book's verification period is at most this */
    uint32_t transfer_declare_days; /* a transfer delivery is declared within it */
    /* [tax]: the rules domestic-sale assessments are made under (docs/TAX.md, bzld.conf(5));
     * read at start. */
    bzl_tax_rules tax_rules;
    /* [receipts] diff_figure: which INV211 book-line figure receipt diff compares
     * (bzl_receipt_figure; docs/INV101.md "INV211 reconciliation") */
    uint8_t receipt_diff_figure;
} bzld_config;

/* ---- a write job: work the writer thread applies inside the batch transaction ---------- */

typedef struct bzld_job bzld_job;
struct bzld_job {
    bzld_job *next;
    /* Writer thread. Applies the job in the batch transaction and records its own outcome;
     * returns BZL_OK to let the batch go on, or a storage-level status (BZL_STORAGE_FULL …)
     * that aborts the batch. Must be replayable: the writer may abort the batch after this
     * ran and call it again in a fresh transaction. */
    bzl_status (*apply)(bzld_job *job, bzl_txn *txn);
    /* Loop thread, after the batch committed (batch_status BZL_OK) or failed (any other).
     * dispatch.c's: it runs reply, then hands the slot back to its connection. */
    void (*done)(bzld_job *job, bzl_status batch_status);
    /* The handler's: replies to the job's request (reply.h) and releases its work. */
    void (*reply)(bzld_job *job, bzl_status batch_status);
    uint32_t decls;          /* declarations this job carries, for batch bounds and statistics */
    bzl_status batch_status; /* set by the writer: how the job's batch ended */
};

/* ---- one request on a connection, from decode to reply ----------------------------------- */

typedef enum bzld_slot_state {
    BZLD_SLOT_NEW,     /* decoded, waiting for earlier reads to finish */
    BZLD_SLOT_RUNNING, /* handed to the writer */
    BZLD_SLOT_DONE,    /* reply packed, waiting for its turn on the wire */
} bzld_slot_state;

/* A reply up to this size is packed into its slot instead of a malloc'd buffer: every reply
 * to a one-line submit or a point read fits. */
#define BZLD_SLOT_REPLY_INLINE_BYTES 256u
/* Free slots the daemon keeps for reuse instead of returning them to malloc: enough for 64
 * connections with 16 requests in flight each; beyond it slots are freed (about 2.5 KiB each,
 * so the pool holds at most 2.5 MiB). */
#define BZLD_SLOT_POOL_MAX 1024u

struct bzld_slot {
    bzld_slot *next;
    bzld_conn *conn;
    bzld_slot_state state;
    bool is_write;
    uint64_t request_id;
    uint32_t kind;         /* the Request body's field number, 0 until decoded: for statistics */
    uint32_t in_bytes;     /* the request's frame bytes while it is held (memory accounting) */
    Bzl__V1__Request *req; /* owned until the handler has run */
    uint8_t *reply;        /* framed response, owned until handed to a uv_write */
    size_t reply_len;
    bzld_job job;     /* when is_write */
    void *work;       /* handler-owned state of a write in flight */
    bzld_arena arena; /* req is decoded into it; reset when the request is released */
    _Alignas(8) uint8_t reply_inline[BZLD_SLOT_REPLY_INLINE_BYTES]; /* reply when it fits */
};

/* ---- the daemon ---------------------------------------------------------------------------- */

/* Request kinds counted by status: the Request body oneof uses field numbers below 143
 * (bzl.proto's ranges, through 140-142; requests.c asserts it of every row); statuses are
 * fewer than 64 (base.h's map, append-only). */
#define BZLD_STATS_KINDS 143u
#define BZLD_STATS_STATUSES 64u

typedef struct bzld_stats {
    uint64_t requests;
    uint64_t connections_accepted;
    uint64_t connections_refused;
    uint64_t busy_refusals;
    uint64_t replies;      /* replies packed */
    uint64_t reply_writes; /* uv_writes carrying them */
    uint64_t start_ms;     /* uv_now at start, for uptime */
    uint64_t by_kind[BZLD_STATS_KINDS][BZLD_STATS_STATUSES];
} bzld_stats;

typedef struct bzld {
    uv_loop_t *loop;
    bzld_config cfg;
    bzld_access_table access; /* owned; replaced whole on reload */
    uint32_t self_uid;        /* the daemon's own uid: admin unless the config says otherwise */
    bzl_storage *store;
    bzld_writer *writer;
    uv_pipe_t listener;
    uv_signal_t sig_term, sig_int, sig_hup;
    bzld_conn *conns;
    uint32_t conn_count; /* connections open, refused ones included */
    uint32_t refusing;   /* of those, refused over a cap and closing */
    uint64_t next_conn_id;
    bzld_stats stats;
    bzld_conn *pump_list; /* conns whose writes finished in this wake-up, pumped at its end */
    bzld_slot *slot_pool; /* free slots for reuse, at most BZLD_SLOT_POOL_MAX */
    uint32_t slot_pool_count;
    struct bzld_uid_use *uid_use; /* bytes held per peer uid (conn.c), open addressing */
    uint32_t uid_use_cap;         /* 0, or a power of two */
    uint32_t uid_use_count;
    bool listening;
    bool socket_activated; /* the listener came from systemd (sd_listen_fds): never unlink it */
    bool signals_on;
    bool stopping;
    bool writer_stopped;
    uint8_t checkpoint_sk[64];   /* the checkpoint signing key, crypto_sign_SECRETKEYBYTES */
    bool checkpoint_key_loaded;  /* checkpoint_sk holds the key (checkpoint_key.h) */
    uint8_t read_buf[64 * 1024]; /* one read buffer for the loop: reads are handled in place */
} bzld;

/* server.c */
bzl_status bzld_server_start(bzld *d, char *why, size_t why_cap);
void bzld_server_stop(bzld *d);
/* Called whenever something finished during shutdown; closes what can be closed. */
void bzld_server_shutdown_step(bzld *d);
/* SIGHUP: re-reads the [access] section of the configuration file and re-resolves the
 * principal of every open connection, so a grant or a revocation takes effect at once. A file
 * that does not parse keeps the old table and is logged as an error naming file and line
 * (tests/daemon/e2e/check_reload.c). */
void bzld_reload_access(bzld *d);

#endif
