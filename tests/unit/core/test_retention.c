/* Unit tests for core/retention.c: the sweeper's cut-offs at a given time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/retention.h"

#define NOW 1796515770000LL
#define HOUR (3600LL * 1000)
#define DAY (24 * HOUR)

static void test_a_week_kept(void **state)
{
	(void)state;
	struct retention_cutoffs c;
	assert_true(retention_cutoffs(NOW, 7 * DAY, &c));
	assert_int_equal(c.ended_before, NOW - 7 * DAY);
	/* older than both their own life and the retention */
	assert_int_equal(c.idempotency_before, NOW - 7 * DAY);
	assert_int_equal(c.counters_before, NOW - 7 * DAY);
}

static void test_a_short_retention_never_cuts_into_replays_or_live_windows(void **state)
{
	(void)state;
	struct retention_cutoffs c;
	assert_true(retention_cutoffs(NOW, HOUR, &c));
	assert_int_equal(c.ended_before, NOW - HOUR);
	/* an idempotent answer is replayed for 24 hours; a counter's window lasts up to a day */
	assert_int_equal(c.idempotency_before, NOW - IDEMPOTENCY_TTL_MS);
	assert_int_equal(c.counters_before, NOW - RATE_WINDOW_MAX_MS);
	assert_true(IDEMPOTENCY_TTL_MS == DAY && RATE_WINDOW_MAX_MS == DAY);
}

static void test_zero_keeps_everything(void **state)
{
	(void)state;
	struct retention_cutoffs c = {1, 2, 3};
	assert_false(retention_cutoffs(NOW, 0, &c));
	assert_false(retention_cutoffs(NOW, -5, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_week_kept),
		cmocka_unit_test(test_a_short_retention_never_cuts_into_replays_or_live_windows),
		cmocka_unit_test(test_zero_keeps_everything),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
