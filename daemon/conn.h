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

void bzld_conn_accept(bzld *d);
/* Releases the slot's decoded request (its arena); the slot itself stays. */
void bzld_slot_release_request(bzld_slot *slot);
/* Pumps every connection a write completed on since the last call: their replies leave in
 * one write each per wake-up of the writer's async. arg is the bzld. */
void bzld_conns_pump_pending(void *arg);
/* Frees the pooled slots (at shutdown). */
void bzld_slot_pool_drain(bzld *d);
/* A slot's reply is packed (state DONE): write what is in order and start what now may. */
void bzld_conn_slot_done(bzld_slot *slot);
void bzld_conn_close(bzld_conn *c);
/* True when c has nothing in flight and nothing unsent. */
bool bzld_conn_idle(const bzld_conn *c);

#endif
