/* Unit tests for delivery/outbox.c's retry schedule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "delivery/outbox.h"

static void test_backoff_doubles_from_one_second_to_one_hour(void **state)
{
	(void)state;
	assert_int_equal(outbox_backoff_ms(1), 1000);
	assert_int_equal(outbox_backoff_ms(2), 2000);
	assert_int_equal(outbox_backoff_ms(3), 4000);
	assert_int_equal(outbox_backoff_ms(12), 2048000);
	assert_int_equal(outbox_backoff_ms(13), 3600000);
	assert_int_equal(outbox_backoff_ms(1000), 3600000);
}

static void test_retries_fit_in_a_day_before_giving_up(void **state)
{
	(void)state;
	int64_t t = 0;
	int attempts = 0;
	while (t < OUTBOX_GIVE_UP_MS)
		t += outbox_backoff_ms(++attempts);
	assert_true(attempts > 20 && attempts < 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_doubles_from_one_second_to_one_hour),
		cmocka_unit_test(test_retries_fit_in_a_day_before_giving_up),
	};
	return cmocka_run_group_tests_name("delivery/outbox", tests, NULL, NULL);
}
