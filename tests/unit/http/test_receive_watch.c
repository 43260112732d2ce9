/* Unit tests for http/receive_watch.c: a sweep shuts down the sockets of overdue connections
 * only, counts them in the metrics, and a connection the sweep closed cannot be received. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/receive_watch.h"
#include "platform/metrics.h"

#define S (1000LL * 1000 * 1000)
#define T0 (1000 * S)
#define TIMEOUT_S 10
#define IDLE_S 30

struct pair {
	int server, client;
};

static struct pair pair_new(void)
{
	int fds[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	return (struct pair){fds[0], fds[1]};
}

static void pair_free(struct pair p)
{
	close(p.server);
	close(p.client);
}

/* Whether the client end sees its connection closed (EOF), without waiting. */
static bool closed_for_client(struct pair p)
{
	char c;
	ssize_t n = recv(p.client, &c, 1, MSG_DONTWAIT);
	return n == 0;
}

static const struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr = {.s_addr = 0x0100007f}};

static void test_only_overdue_requests_are_closed(void **state)
{
	(void)state;
	struct receive_watch *w = receive_watch_new(TIMEOUT_S, IDLE_S, NULL);
	assert_non_null(w);
	struct pair slow = pair_new(), done = pair_new(), idle = pair_new();
	struct receive_conn *c_slow = receive_watch_add(w, slow.server, (const struct sockaddr *)&peer);
	struct receive_conn *c_done = receive_watch_add(w, done.server, (const struct sockaddr *)&peer);
	struct receive_conn *c_idle = receive_watch_add(w, idle.server, NULL);
	assert_true(receive_conn_received(c_done)); /* the server works on it, for as long as it takes */
	assert_true(receive_conn_received(c_idle));
	receive_conn_answered(c_idle); /* and waits for its next request */

	assert_int_equal(receive_watch_sweep(w, T0), 0);
	assert_int_equal(receive_watch_sweep(w, T0 + (TIMEOUT_S - 1) * S), 0);
	assert_false(closed_for_client(slow));
	assert_int_equal(receive_watch_sweep(w, T0 + TIMEOUT_S * S), 1);
	assert_true(closed_for_client(slow));
	assert_false(closed_for_client(done));
	assert_false(closed_for_client(idle));
	/* closed once: a later sweep leaves it to the library to clean up */
	assert_int_equal(receive_watch_sweep(w, T0 + 100 * S), 1); /* the idle one, past its idle bound */
	assert_true(closed_for_client(idle));
	assert_false(closed_for_client(done));
	assert_false(receive_conn_received(c_slow)); /* its request arrived too late */

	receive_watch_remove(w, c_slow);
	receive_watch_remove(w, c_done);
	receive_watch_remove(w, c_idle);
	receive_watch_free(w);
	pair_free(slow);
	pair_free(done);
	pair_free(idle);
}

static void test_a_request_line_starts_a_fresh_deadline(void **state)
{
	(void)state;
	struct receive_watch *w = receive_watch_new(TIMEOUT_S, IDLE_S, NULL);
	struct pair p = pair_new();
	struct receive_conn *c = receive_watch_add(w, p.server, NULL);
	assert_int_equal(receive_watch_sweep(w, T0), 0);
	assert_true(receive_conn_received(c));
	receive_conn_answered(c);
	assert_int_equal(receive_watch_sweep(w, T0 + 5 * S), 0);
	receive_conn_request_line(c); /* the next request, 7 s after its predecessor's */
	receive_conn_request_line(c); /* said twice: no change */
	assert_int_equal(receive_watch_sweep(w, T0 + 7 * S), 0);
	assert_int_equal(receive_watch_sweep(w, T0 + 16 * S), 0);
	assert_false(closed_for_client(p));
	assert_int_equal(receive_watch_sweep(w, T0 + 17 * S), 1);
	assert_true(closed_for_client(p));
	receive_watch_remove(w, c);
	receive_watch_free(w);
	pair_free(p);
}

static void test_closed_connections_are_counted_in_the_metrics(void **state)
{
	(void)state;
	struct metrics *m = metrics_new(0);
	struct receive_watch *w = receive_watch_new(TIMEOUT_S, IDLE_S, m);
	enum { N = 40 }; /* more than the stripes: several records a list */
	struct pair p[N];
	struct receive_conn *c[N];
	for (int i = 0; i < N; i++) {
		p[i] = pair_new();
		c[i] = receive_watch_add(w, p[i].server, (const struct sockaddr *)&peer);
		if (i % 2)
			assert_true(receive_conn_received(c[i]));
	}
	assert_int_equal(receive_watch_sweep(w, T0), 0);
	/* one leaves before its deadline: its record goes */
	receive_watch_remove(w, c[0]);
	c[0] = NULL;
	assert_int_equal(receive_watch_sweep(w, T0 + TIMEOUT_S * S), N / 2 - 1);
	char *text = metrics_render(m, NULL);
	assert_non_null(strstr(text, "\ntwofold_http_receive_timeouts_total 19\n"));
	free(text);
	for (int i = 0; i < N; i++) {
		assert_true(closed_for_client(p[i]) == (i % 2 == 0 && i > 0));
		receive_watch_remove(w, c[i]);
		pair_free(p[i]);
	}
	receive_watch_free(w);
	metrics_free(m);
}

static void test_free_takes_records_left_behind(void **state)
{
	(void)state;
	struct receive_watch *w = receive_watch_new(TIMEOUT_S, IDLE_S, NULL);
	assert_true(receive_watch_start(w));
	struct pair p = pair_new();
	assert_non_null(receive_watch_add(w, p.server, NULL));
	receive_watch_free(w); /* stops the sweeping thread too; no leak under the sanitizers */
	pair_free(p);
}

static void test_an_unwatched_connection_is_always_received(void **state)
{
	(void)state;
	receive_conn_request_line(NULL);
	assert_true(receive_conn_received(NULL));
	receive_conn_answered(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_overdue_requests_are_closed),
		cmocka_unit_test(test_a_request_line_starts_a_fresh_deadline),
		cmocka_unit_test(test_closed_connections_are_counted_in_the_metrics),
		cmocka_unit_test(test_free_takes_records_left_behind),
		cmocka_unit_test(test_an_unwatched_connection_is_always_received),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
