/* Unit tests for core/session.c: the life of a session token, with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/session.h"
#include "support/fake_clock.h"

#define MIN (60 * 1000LL)

static struct session_times fresh(int64_t now)
{
	return (struct session_times){.created_at = now, .last_seen_at = now, .idle_timeout_ms = 10 * MIN,
				      .absolute_expires_at = now + 12 * 60 * MIN};
}

static void test_token_is_alive_until_the_idle_timeout_passes(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct session_times t = fresh(clk.now_ms);
	assert_int_equal(session_check(&t, fake_clock_advance(&clk, 10 * MIN - 1)), SESSION_ALIVE);
	assert_int_equal(session_check(&t, fake_clock_advance(&clk, 1)), SESSION_IDLE_EXPIRED);
}

static void test_activity_moves_the_idle_deadline(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct session_times t = fresh(clk.now_ms);
	for (int i = 0; i < 6; i++) {
		int64_t now = fake_clock_advance(&clk, 9 * MIN);
		assert_int_equal(session_check(&t, now), SESSION_ALIVE);
		assert_true(session_touch_due(&t, now));
		t.last_seen_at = now;
	}
	assert_int_equal(session_expires_at(&t), clk.now_ms + 10 * MIN);
}

static void test_absolute_lifetime_ends_even_an_active_token(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct session_times t = fresh(clk.now_ms);
	t.absolute_expires_at = clk.now_ms + 15 * MIN;
	t.last_seen_at = fake_clock_advance(&clk, 9 * MIN);
	assert_int_equal(session_expires_at(&t), t.absolute_expires_at);
	assert_int_equal(session_check(&t, fake_clock_advance(&clk, 6 * MIN)), SESSION_EXPIRED);
}

static void test_revoked_token_is_dead_at_once(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct session_times t = fresh(clk.now_ms);
	t.revoked_at = fake_clock_advance(&clk, 1000);
	assert_int_equal(session_check(&t, clk.now_ms), SESSION_REVOKED);
}

static void test_touch_is_written_at_most_once_a_second(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct session_times t = fresh(clk.now_ms);
	assert_false(session_touch_due(&t, fake_clock_advance(&clk, 999)));
	assert_true(session_touch_due(&t, fake_clock_advance(&clk, 1)));
}

static void test_stepped_up_token_stays_so_while_active_within_five_minutes(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	int64_t stepped = clk.now_ms, last = clk.now_ms;
	for (int i = 0; i < 10; i++) { /* a request every 4 min 59 s keeps it for 50 minutes */
		int64_t now = fake_clock_advance(&clk, STEPUP_IDLE_MS - 1000);
		assert_true(stepup_active(stepped, last, now));
		last = now;
	}
	assert_int_equal(stepup_until(last), last + STEPUP_IDLE_MS);
}

static void test_step_up_lapses_after_five_minutes_without_activity(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	int64_t stepped = clk.now_ms;
	assert_true(stepup_active(stepped, stepped, fake_clock_advance(&clk, STEPUP_IDLE_MS - 1)));
	assert_false(stepup_active(stepped, stepped, fake_clock_advance(&clk, 1)));
	/* activity recorded before the step-up does not extend it */
	assert_false(stepup_active(stepped, stepped - 1000, clk.now_ms));
	assert_false(stepup_active(0, clk.now_ms, clk.now_ms)); /* never stepped up */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_is_alive_until_the_idle_timeout_passes),
		cmocka_unit_test(test_activity_moves_the_idle_deadline),
		cmocka_unit_test(test_absolute_lifetime_ends_even_an_active_token),
		cmocka_unit_test(test_revoked_token_is_dead_at_once),
		cmocka_unit_test(test_touch_is_written_at_most_once_a_second),
		cmocka_unit_test(test_stepped_up_token_stays_so_while_active_within_five_minutes),
		cmocka_unit_test(test_step_up_lapses_after_five_minutes_without_activity),
	};
	return cmocka_run_group_tests_name("core/session", tests, NULL, NULL);
}
