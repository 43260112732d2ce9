/*
 * receive_watch.h: closes the connections whose request has not arrived in time
 * (request_receive_timeout). The HTTP library's own timeout is an idle one, which a client
 * that trickles a byte now and then never meets; such clients could otherwise hold every
 * connection.
 *
 * Each connection has a record holding its word (core/receive_deadline.h), which its HTTP
 * thread moves on with one atomic operation per step: no lock, system call or clock read per
 * request. A thread looks at every record once a second (receive_watch_sweep) and shuts down
 * the socket of each overdue one; the HTTP library sees it closed and cleans up as for a client
 * that left. Records sit in RECEIVE_WATCH_STRIPES lists, each with a lock taken when a connection
 * opens and closes and while the sweep walks it: the sweep never shuts down a socket whose number
 * has gone to another connection, since the library closes a socket only after it has said so
 * (receive_watch_remove).
 */
#ifndef TF_HTTP_RECEIVE_WATCH_H
#define TF_HTTP_RECEIVE_WATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct metrics;
struct receive_watch;
struct receive_conn;

/* timeout_s: request_receive_timeout (more than 0); idle_timeout_s: connection_timeout. Counts
 * the connections it closes in m (may be NULL). NULL when out of memory. */
struct receive_watch *receive_watch_new(int64_t timeout_s, int64_t idle_timeout_s, struct metrics *m);
/* Starts the thread that sweeps once a second; false when it cannot be made. */
bool receive_watch_start(struct receive_watch *w);
/* Stops the thread and frees w; records still there (none once the library has stopped) too. */
void receive_watch_free(struct receive_watch *w);

/* A connection accepted on socket fd, from peer (kept, not copied: it must outlive the record),
 * waiting for its first request. NULL when out of memory: the connection is then not watched. */
struct receive_conn *receive_watch_add(struct receive_watch *w, int fd, const struct sockaddr *peer);
/* The connection is closing: before its socket is closed. */
void receive_watch_remove(struct receive_watch *w, struct receive_conn *c);

/* The steps of a connection, on its HTTP thread (c may be NULL: not watched). */
void receive_conn_request_line(struct receive_conn *c); /* a request's line has arrived */
/* The whole request has arrived; false when the sweep has already closed the connection (the
 * caller gives up on the request). */
bool receive_conn_received(struct receive_conn *c);
void receive_conn_answered(struct receive_conn *c); /* its answer is sent: idle until the next */

/* Closes the overdue connections as of now (monotonic ns), counts and logs them; returns how many.
 * The sweeping thread calls it; so may a test. */
size_t receive_watch_sweep(struct receive_watch *w, int64_t now);

#endif
