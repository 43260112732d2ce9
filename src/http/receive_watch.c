/* receive_watch.c: see receive_watch.h. */
#include "http/receive_watch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/receive_deadline.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/metrics.h"
#include "platform/periodic.h"

#define RECEIVE_WATCH_STRIPES 16
#define SWEEP_INTERVAL_MS 1000
#define PEERS_LOGGED 4 /* distinct client addresses named in a sweep's log line */

struct receive_conn {
	/* moved on by the connection's HTTP thread; the sweep only moves it to CLOSED */
	_Atomic uint64_t word;
	int fd;
	const struct sockaddr *peer;
	unsigned stripe;
	struct receive_seen seen; /* the sweep's own */
	struct receive_conn *prev, *next;
};

struct stripe {
	pthread_mutex_t lock;
	struct receive_conn *head;
};

struct receive_watch {
	struct receive_limits limits;
	int64_t timeout_s;
	struct metrics *metrics;
	struct periodic *thread;
	struct stripe stripes[RECEIVE_WATCH_STRIPES];
};

struct receive_watch *receive_watch_new(int64_t timeout_s, int64_t idle_timeout_s, struct metrics *m)
{
	struct receive_watch *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->timeout_s = timeout_s;
	w->limits.timeout_ns = timeout_s * 1000000000LL;
	w->limits.idle_timeout_ns = idle_timeout_s * 1000000000LL;
	w->metrics = m;
	for (size_t i = 0; i < RECEIVE_WATCH_STRIPES; i++)
		pthread_mutex_init(&w->stripes[i].lock, NULL);
	return w;
}

static void sweep_tick(void *arg, const atomic_int *stopping)
{
	(void)stopping;
	receive_watch_sweep(arg, clock_monotonic_ns());
}

bool receive_watch_start(struct receive_watch *w)
{
	w->thread = periodic_start(sweep_tick, w, SWEEP_INTERVAL_MS);
	return w->thread != NULL;
}

void receive_watch_free(struct receive_watch *w)
{
	if (!w)
		return;
	periodic_stop(w->thread);
	for (size_t i = 0; i < RECEIVE_WATCH_STRIPES; i++) {
		for (struct receive_conn *c = w->stripes[i].head, *next; c; c = next) {
			next = c->next;
			free(c);
		}
		pthread_mutex_destroy(&w->stripes[i].lock);
	}
	free(w);
}

struct receive_conn *receive_watch_add(struct receive_watch *w, int fd, const struct sockaddr *peer)
{
	struct receive_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	atomic_init(&c->word, receive_word(0, RECEIVE_REQUEST));
	c->fd = fd;
	c->peer = peer;
	c->stripe = (unsigned)fd % RECEIVE_WATCH_STRIPES;
	receive_seen_init(&c->seen);
	struct stripe *s = &w->stripes[c->stripe];
	pthread_mutex_lock(&s->lock);
	c->next = s->head;
	if (s->head)
		s->head->prev = c;
	s->head = c;
	pthread_mutex_unlock(&s->lock);
	return c;
}

void receive_watch_remove(struct receive_watch *w, struct receive_conn *c)
{
	if (!c)
		return;
	struct stripe *s = &w->stripes[c->stripe];
	pthread_mutex_lock(&s->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&s->lock);
	free(c);
}

/* Moves c's word to phase (generation + bump) from a word in phase from; leaves any other word
 * alone. Returns the phase the word was found in. */
static enum receive_phase move(struct receive_conn *c, enum receive_phase from, enum receive_phase to, uint64_t bump)
{
	uint64_t w = atomic_load_explicit(&c->word, memory_order_acquire);
	for (;;) {
		enum receive_phase found = receive_word_phase(w);
		if (found != from)
			return found;
		uint64_t next = receive_word(receive_word_generation(w) + bump, to);
		if (atomic_compare_exchange_weak_explicit(&c->word, &w, next, memory_order_acq_rel, memory_order_acquire))
			return found;
	}
}

void receive_conn_request_line(struct receive_conn *c)
{
	/* a connection's first request runs from the accept: its word is REQUEST already */
	if (c)
		(void)move(c, RECEIVE_IDLE, RECEIVE_REQUEST, 0);
}

bool receive_conn_received(struct receive_conn *c)
{
	return !c || move(c, RECEIVE_REQUEST, RECEIVE_RECEIVED, 0) != RECEIVE_CLOSED;
}

void receive_conn_answered(struct receive_conn *c)
{
	if (c)
		(void)move(c, RECEIVE_RECEIVED, RECEIVE_IDLE, 1);
}

/* The distinct client addresses of a sweep's closed connections, the first PEERS_LOGGED. */
struct peers {
	char addr[PEERS_LOGGED][INET6_ADDRSTRLEN];
	int n;
};

static void note_peer(struct peers *p, const struct sockaddr *peer)
{
	char addr[INET6_ADDRSTRLEN] = "";
	if (!peer || p->n == PEERS_LOGGED)
		return;
	if (peer->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, addr, sizeof addr);
	else if (peer->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, addr, sizeof addr);
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->addr[i], addr))
			return;
	if (addr[0])
		memcpy(p->addr[p->n++], addr, sizeof addr);
}

static void log_closed(const struct receive_watch *w, size_t closed, const struct peers *p)
{
	char n[24], t[24], list[sizeof p->addr + PEERS_LOGGED * 2] = "";
	snprintf(n, sizeof n, "%zu", closed);
	snprintf(t, sizeof t, "%lld", (long long)w->timeout_s);
	for (int i = 0, len = 0; i < p->n; i++)
		len += snprintf(list + len, sizeof list - (size_t)len, "%s%s", i ? ", " : "", p->addr[i]);
	log_warn("closed connections whose request was not received in time", "count", n, "timeout_s", t,
		 "peers", list, NULL);
}

size_t receive_watch_sweep(struct receive_watch *w, int64_t now)
{
	size_t closed = 0;
	struct peers peers = {.n = 0};
	for (size_t i = 0; i < RECEIVE_WATCH_STRIPES; i++) {
		struct stripe *s = &w->stripes[i];
		pthread_mutex_lock(&s->lock);
		for (struct receive_conn *c = s->head; c; c = c->next) {
			uint64_t word = atomic_load_explicit(&c->word, memory_order_acquire);
			if (!receive_overdue(&c->seen, word, now, &w->limits))
				continue;
			uint64_t to = receive_word(receive_word_generation(word), RECEIVE_CLOSED);
			if (!atomic_compare_exchange_strong_explicit(&c->word, &word, to, memory_order_acq_rel,
								     memory_order_acquire))
				continue; /* it moved on meanwhile: looked at again next time */
			/* the library sees the socket closed (as if the client had left) and cleans up */
			shutdown(c->fd, SHUT_RDWR);
			closed++;
			note_peer(&peers, c->peer);
		}
		pthread_mutex_unlock(&s->lock);
	}
	if (closed) {
		metrics_add(w->metrics, M_RECEIVE_TIMEOUTS, closed);
		log_closed(w, closed, &peers);
	}
	return closed;
}
