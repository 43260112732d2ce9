/*
 * receive_deadline.h: whether a connection has taken too long to send its request (the request
 * line, the headers and the body), whatever pace it trickles them at. Pure: the time is passed in.
 *
 * The HTTP threads only record where each connection is, in one word per connection: the phase
 * and how many requests it has had answered (the generation), with no clock read. A watcher
 * looks at every word about once a second; the time it first sees a word stands in for the time
 * the phase began (a little later than it did, never earlier), so a deadline is never reached
 * before its due and at most one look late.
 *
 *   accept --> REQUEST(0) --(request received)--> RECEIVED(0) --(answer sent)--> IDLE(1)
 *   IDLE(g) --(request line of the next request)--> REQUEST(g) --> RECEIVED(g) --> IDLE(g+1)
 *   REQUEST or IDLE --(past the deadline: the watcher)--> CLOSED
 *
 * Invariants:
 *   (1) REQUEST: the request must be received within timeout of when the phase was first seen
 *       (from the accept for a connection's first request, from its request line for a later one).
 *   (2) RECEIVED: no deadline. The server's own time (a handler, the slow pool, the database, the
 *       answer) never counts.
 *   (3) IDLE: the connection's idle timeout governs; the next request's first byte arrives within
 *       it, or the HTTP library closes the connection. So IDLE(g) allows idle_timeout plus
 *       RECEIVE_IDLE_SLACK_NS plus timeout, and REQUEST(g) after it never ends later than that:
 *       a trickled request line is bounded too, and a request that starts late in an idle
 *       period still has its whole timeout.
 *   (4) CLOSED is final: the HTTP threads never move a word out of it.
 */
#ifndef TF_CORE_RECEIVE_DEADLINE_H
#define TF_CORE_RECEIVE_DEADLINE_H
#include <stdbool.h>
#include <stdint.h>

enum receive_phase { RECEIVE_REQUEST, RECEIVE_RECEIVED, RECEIVE_IDLE, RECEIVE_CLOSED };

/* How late the HTTP library may close an idle connection after its idle timeout. */
#define RECEIVE_IDLE_SLACK_NS (1000LL * 1000 * 1000)

static inline uint64_t receive_word(uint64_t generation, enum receive_phase phase)
{
	return generation << 2 | (uint64_t)phase;
}

static inline enum receive_phase receive_word_phase(uint64_t word)
{
	return (enum receive_phase)(word & 3);
}

static inline uint64_t receive_word_generation(uint64_t word)
{
	return word >> 2;
}

/* The watcher's memory of one connection; receive_seen_init() before the first look. */
struct receive_seen {
	uint64_t word;       /* the word last seen */
	int64_t since;       /* when it was first seen */
	uint64_t idle_gen;   /* the generation of the last IDLE seen, and its deadline */
	int64_t idle_until;
	bool have_idle;
};

struct receive_limits {
	int64_t timeout_ns;      /* a request's line, headers and body */
	int64_t idle_timeout_ns; /* the HTTP library's idle timeout */
};

void receive_seen_init(struct receive_seen *seen);

/* Looks at a connection whose word is word at now; true when its request is overdue (the
 * watcher closes it). Updates seen. */
bool receive_overdue(struct receive_seen *seen, uint64_t word, int64_t now, const struct receive_limits *lim);

#endif
