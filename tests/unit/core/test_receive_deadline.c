/* Unit tests for core/receive_deadline.c: when a connection's request is overdue, phase by phase,
 * as a watcher that looks once a second sees it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/receive_deadline.h"

#define S (1000LL * 1000 * 1000)
#define T0 (1000 * S)

static const struct receive_limits limits = {.timeout_ns = 10 * S, .idle_timeout_ns = 30 * S};

static void test_a_first_request_is_due_its_timeout_after_it_was_first_seen(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	uint64_t w = receive_word(0, RECEIVE_REQUEST);
	assert_false(receive_overdue(&seen, w, T0, &limits));
	assert_false(receive_overdue(&seen, w, T0 + 9 * S, &limits));
	assert_true(receive_overdue(&seen, w, T0 + 10 * S, &limits));
}

static void test_a_received_request_is_never_overdue(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	assert_false(receive_overdue(&seen, receive_word(0, RECEIVE_REQUEST), T0, &limits));
	/* the server takes its time: a handler, the slow pool, a writer */
	uint64_t w = receive_word(0, RECEIVE_RECEIVED);
	assert_false(receive_overdue(&seen, w, T0 + 5 * S, &limits));
	assert_false(receive_overdue(&seen, w, T0 + 3600 * S, &limits));
}

static void test_an_idle_connection_has_the_idle_timeout_then_a_whole_timeout(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	uint64_t idle = receive_word(1, RECEIVE_IDLE);
	assert_false(receive_overdue(&seen, idle, T0, &limits));
	assert_false(receive_overdue(&seen, idle, T0 + 30 * S + RECEIVE_IDLE_SLACK_NS + 9 * S, &limits));
	assert_true(receive_overdue(&seen, idle, T0 + 30 * S + RECEIVE_IDLE_SLACK_NS + 10 * S, &limits));
}

static void test_a_later_request_is_due_its_timeout_after_its_request_line(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	assert_false(receive_overdue(&seen, receive_word(1, RECEIVE_IDLE), T0, &limits));
	uint64_t w = receive_word(1, RECEIVE_REQUEST);
	assert_false(receive_overdue(&seen, w, T0 + 2 * S, &limits));
	assert_false(receive_overdue(&seen, w, T0 + 11 * S, &limits));
	assert_true(receive_overdue(&seen, w, T0 + 12 * S, &limits));
}

static void test_a_request_line_late_in_an_idle_period_ends_no_later_than_the_idle_bound(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	/* idle from T0; the request line, trickled, arrives 35 s later */
	assert_false(receive_overdue(&seen, receive_word(1, RECEIVE_IDLE), T0, &limits));
	uint64_t w = receive_word(1, RECEIVE_REQUEST);
	int64_t bound = T0 + 30 * S + RECEIVE_IDLE_SLACK_NS + 10 * S;
	assert_false(receive_overdue(&seen, w, T0 + 35 * S, &limits));
	assert_false(receive_overdue(&seen, w, bound - 1, &limits));
	assert_true(receive_overdue(&seen, w, bound, &limits));
}

static void test_each_request_of_a_connection_has_its_own_deadline(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	assert_false(receive_overdue(&seen, receive_word(0, RECEIVE_REQUEST), T0, &limits));
	/* between two looks: received, answered, and the next request line arrived */
	uint64_t next = receive_word(1, RECEIVE_REQUEST);
	assert_false(receive_overdue(&seen, next, T0 + 9 * S, &limits));
	assert_false(receive_overdue(&seen, next, T0 + 18 * S, &limits));
	assert_true(receive_overdue(&seen, next, T0 + 19 * S, &limits));
	/* an idle period of an earlier generation does not bound a later request */
	receive_seen_init(&seen);
	assert_false(receive_overdue(&seen, receive_word(1, RECEIVE_IDLE), T0, &limits));
	uint64_t later = receive_word(2, RECEIVE_REQUEST);
	assert_false(receive_overdue(&seen, later, T0 + 45 * S, &limits));
	assert_true(receive_overdue(&seen, later, T0 + 55 * S, &limits));
}

static void test_a_closed_connection_is_not_overdue_again(void **state)
{
	(void)state;
	struct receive_seen seen;
	receive_seen_init(&seen);
	assert_false(receive_overdue(&seen, receive_word(0, RECEIVE_CLOSED), T0, &limits));
	assert_false(receive_overdue(&seen, receive_word(0, RECEIVE_CLOSED), T0 + 3600 * S, &limits));
}

static void test_the_word_keeps_phase_and_generation(void **state)
{
	(void)state;
	uint64_t w = receive_word(123456789, RECEIVE_IDLE);
	assert_int_equal(receive_word_phase(w), RECEIVE_IDLE);
	assert_int_equal(receive_word_generation(w), 123456789);
	assert_int_not_equal(receive_word(1, RECEIVE_REQUEST), receive_word(2, RECEIVE_REQUEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_first_request_is_due_its_timeout_after_it_was_first_seen),
		cmocka_unit_test(test_a_received_request_is_never_overdue),
		cmocka_unit_test(test_an_idle_connection_has_the_idle_timeout_then_a_whole_timeout),
		cmocka_unit_test(test_a_later_request_is_due_its_timeout_after_its_request_line),
		cmocka_unit_test(test_a_request_line_late_in_an_idle_period_ends_no_later_than_the_idle_bound),
		cmocka_unit_test(test_each_request_of_a_connection_has_its_own_deadline),
		cmocka_unit_test(test_a_closed_connection_is_not_overdue_again),
		cmocka_unit_test(test_the_word_keeps_phase_and_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
