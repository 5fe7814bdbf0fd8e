/* conn.h — the socket layer: accepted connections, their request slots in order, replies on
 * the wire. Only the process side of the daemon (server.c, main.c) and the router and reply
 * packer (dispatch.c, reply.c) call it; handlers never do (daemon/handlers/ includes neither
 * this header nor calls into conn.c): a write's completion reaches the connection through
 * dispatch.c, which wraps every job's done().
 *
 * Loop thread only.
 */
#ifndef BZLD_CONN_H
#define BZLD_CONN_H

#include "bzld.h"

/* ---- a connection --------------------------------------------------------------------------- */

struct bzld_conn {
    uv_pipe_t pipe;
    uv_timer_t idle;
    struct bzld *d;
    bzld_conn *prev, *next;
    bzl_frame_reader reader;
    bzld_slot *head, *tail; /* in request order */
    bzld_slot *next_new;    /* first slot not yet started */
    uint32_t slots;         /* slots in the list */
    uint32_t running;       /* slots handed to the writer and not yet done */
    size_t out_bytes;       /* reply bytes in uv_write requests not yet completed */
    uint32_t uid, gid;
    int32_t pid;
    uint32_t *groups; /* the peer's supplementary groups when it connected (owned) */
    uint32_t n_groups;
    bzld_principal principal; /* settled at accept from the credentials and [access] */
    uint64_t conn_id;
    bool reading;
    bool closing;
    bool eof;         /* the peer finished sending: reply to what it sent, then close */
    bool failed;      /* framing broke or the connection was refused: send the error, then close */
    bool refused;     /* over a connection cap or unmapped; not counted as serving */
    bool staff;       /* admin, customs or reconciler: may use the connections kept for staff */
    uint8_t *pending; /* bytes read but not yet decoded (owned); decoded as marks allow */
    size_t pending_off;   /* the next byte of pending to decode */
    size_t pending_len;   /* bytes in pending */
    uint64_t held;        /* bytes last accounted to the uid (conn_account) */
    uint64_t active_ms;   /* uv_now of the last byte read: idleness counts from it */
    uint64_t progress_ms; /* uv_now when queued output last went out (or began queueing) */
    uint8_t handles_open; /* pipe and timer; the conn is freed when both closed and running == 0 */
    bool pump_queued;     /* on the daemon's pump list: a write finished in this wake-up */
    bzld_conn *pump_next;
};

void bzld_conn_accept(bzld *d);
/* Releases the slot's decoded request (its arena); the slot itself stays. */
void bzld_slot_release_request(bzld_slot *slot);
/* Pumps every connection a write completed on since the last call: their replies leave in
 * one write each per wake-up of the writer's async. arg is the bzld. */
void bzld_conns_pump_pending(void *arg);
/* Frees the pooled slots and the per-uid accounting (at shutdown). */
void bzld_slot_pool_drain(bzld *d);
/* A slot's reply is packed (state DONE): write what is in order and start what now may. */
void bzld_conn_slot_done(bzld_slot *slot);
void bzld_conn_close(bzld_conn *c);
/* True when c has nothing in flight and nothing unsent. */
bool bzld_conn_idle(const bzld_conn *c);

#endif
