/*
 * http_handler_pool.h — where handlers that wait on another server run
 * (routes flagged HTTP_ROUTE_BLOCKING): on a pool of threads fed from one
 * queue, their connections suspended meanwhile, so that libmicrohttpd's
 * thread keeps serving the other connections it holds.
 *
 * Why: each of libmicrohttpd's pooled threads owns a fixed share of the
 * connections; a handler that waits on the gateway for 3-20 ms holds every
 * other request of that share behind it (measured: the wallet's p99 was 7-9 ms
 * above its handlers' own, docs/EXCHANGE.md). One queue for all threads does
 * not: a request waits only when every handler thread is busy.
 *
 * Internal to the server (http_server.c); not for handlers.
 */
#ifndef HROMADA_CORE_HTTP_HANDLER_POOL_H
#define HROMADA_CORE_HTTP_HANDLER_POOL_H

#include <stdbool.h>

#include <hromada/status.h>

struct http_server;
struct http_request;
struct handler_pool;

/* threads handler threads for s. Stage "http". */
hr_status handler_pool_start(struct http_server *s, unsigned threads, struct handler_pool **out,
			     struct hr_error *err);

/* Suspends r's connection and queues r; false (nothing done) once the pool
 * stops, and the caller runs r itself. Called from the access handler. */
bool handler_pool_submit(struct handler_pool *pool, struct http_request *r);

/* Runs what is queued, then stops and frees the pool: every suspended
 * connection is resumed before it returns (libmicrohttpd must not stop with
 * one suspended). */
void handler_pool_stop(struct handler_pool *pool);

#endif
