/* Unit tests for core/challenge.c, driven by a fake clock: expiry, attempt limits, the
 * factor block, and the send spacing and count per session token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/challenge.h"
#include "support/fake_clock.h"

static struct challenge_state fresh(int64_t now)
{
	return (struct challenge_state){CH_PENDING, now + CHALLENGE_TTL_MS, 0, CHALLENGE_MAX_ATTEMPTS};
}

static void test_challenge_expires_after_five_minutes(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct challenge_state c = fresh(clk.now_ms);
	assert_int_equal(challenge_check_open(&c, fake_clock_advance(&clk, CHALLENGE_TTL_MS - 1)), TF_OK);
	assert_int_equal(challenge_check_open(&c, fake_clock_advance(&clk, 1)), TF_ERR_CHALLENGE_EXPIRED);
}

static void test_four_wrong_codes_then_the_right_one_succeeds(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct challenge_state c = fresh(clk.now_ms);
	struct factor_state f = {0, 0};
	int remaining;
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(challenge_check_open(&c, clk.now_ms), TF_OK);
		assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_WRONG, clk.now_ms, &remaining), TF_ERR_VERIFICATION_CODE_INVALID);
		assert_int_equal(remaining, 5 - i);
	}
	assert_int_equal(remaining, 1); /* the last but one says so */
	assert_int_equal(challenge_check_open(&c, clk.now_ms), TF_OK);
	assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_RIGHT, clk.now_ms, &remaining), TF_OK);
	assert_int_equal(f.consecutive_failures, 0);
	assert_int_equal(challenge_check_open(&c, clk.now_ms), TF_ERR_ALREADY_VERIFIED);
}

static void test_fifth_wrong_code_locks_even_against_the_right_code(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct challenge_state c = fresh(clk.now_ms);
	struct factor_state f = {0, 0};
	int remaining;
	for (int i = 1; i <= 4; i++)
		assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_WRONG, clk.now_ms, &remaining), TF_ERR_VERIFICATION_CODE_INVALID);
	assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_WRONG, clk.now_ms, &remaining), TF_ERR_CHALLENGE_LIMIT_EXCEEDED);
	assert_int_equal(c.status, CH_LOCKED);
	assert_int_equal(challenge_check_open(&c, clk.now_ms), TF_ERR_CHALLENGE_LIMIT_EXCEEDED);
}

static void test_five_failures_across_challenges_block_the_factor_for_fifteen_minutes(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct factor_state f = {0, 0};
	int remaining;
	struct challenge_state a = fresh(clk.now_ms), b = fresh(clk.now_ms);
	for (int i = 0; i < 3; i++)
		(void)challenge_attempt(&a, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	assert_int_equal(factor_check_open(&f, clk.now_ms), TF_OK);
	(void)challenge_attempt(&b, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	(void)challenge_attempt(&b, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	assert_int_equal(factor_check_open(&f, clk.now_ms), TF_ERR_FACTOR_BLOCKED);
	assert_int_equal(factor_check_open(&f, fake_clock_advance(&clk, FACTOR_BLOCK_MS - 1)), TF_ERR_FACTOR_BLOCKED);
	assert_int_equal(factor_check_open(&f, fake_clock_advance(&clk, 1)), TF_OK);
}

static void test_a_success_resets_the_factor_failure_count(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct factor_state f = {0, 0};
	int remaining;
	struct challenge_state a = fresh(clk.now_ms), b = fresh(clk.now_ms);
	for (int i = 0; i < 4; i++)
		(void)challenge_attempt(&a, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	(void)challenge_attempt(&a, &f, ATTEMPT_RIGHT, clk.now_ms, &remaining);
	for (int i = 0; i < 4; i++)
		(void)challenge_attempt(&b, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	assert_int_equal(factor_check_open(&f, clk.now_ms), TF_OK);
}

static void test_replays_use_the_challenges_attempts_but_never_block_the_factor(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct factor_state f = {0, 0};
	int remaining;
	for (int n = 0; n < 4; n++) { /* 20 replays over four challenges */
		struct challenge_state c = fresh(clk.now_ms);
		for (int i = 1; i <= 4; i++) {
			assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_REPLAYED, clk.now_ms, &remaining),
					 TF_ERR_VERIFICATION_CODE_INVALID);
			assert_int_equal(remaining, 5 - i);
		}
		assert_int_equal(challenge_attempt(&c, &f, ATTEMPT_REPLAYED, clk.now_ms, &remaining),
				 TF_ERR_CHALLENGE_LIMIT_EXCEEDED);
		assert_int_equal(factor_check_open(&f, clk.now_ms), TF_OK);
	}
	assert_int_equal(f.consecutive_failures, 0);
	/* wrong codes still count, replays between them neither add nor reset */
	struct challenge_state a = fresh(clk.now_ms), b = fresh(clk.now_ms);
	for (int i = 0; i < 3; i++)
		(void)challenge_attempt(&a, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	(void)challenge_attempt(&a, &f, ATTEMPT_REPLAYED, clk.now_ms, &remaining);
	assert_int_equal(f.consecutive_failures, 3);
	(void)challenge_attempt(&b, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	(void)challenge_attempt(&b, &f, ATTEMPT_WRONG, clk.now_ms, &remaining);
	assert_int_equal(factor_check_open(&f, clk.now_ms), TF_ERR_FACTOR_BLOCKED);
}

static void test_sends_are_spaced_fifteen_seconds_and_capped_at_two(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	int64_t first = clk.now_ms;
	assert_int_equal(send_policy_check(0, 0, true, first), TF_OK);
	assert_int_equal(send_policy_check(first, 1, true, fake_clock_advance(&clk, RESEND_SPACING_MS - 1)), TF_ERR_RETRY_IN_15SEC);
	int64_t second = fake_clock_advance(&clk, 1);
	assert_int_equal(send_policy_check(first, 1, true, second), TF_OK);
	assert_int_equal(send_policy_check(second, 2, true, fake_clock_advance(&clk, 60000)), TF_ERR_INVALID_REQUEST);
	assert_int_equal(send_policy_check(clk.now_ms, 2, true, clk.now_ms + 1), TF_ERR_INVALID_REQUEST);
	/* enrolment sends keep the spacing but have no cap */
	assert_int_equal(send_policy_check(second, 2, false, clk.now_ms), TF_OK);
	assert_int_equal(send_policy_check(clk.now_ms, 7, false, clk.now_ms + 1000), TF_ERR_RETRY_IN_15SEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_expires_after_five_minutes),
		cmocka_unit_test(test_four_wrong_codes_then_the_right_one_succeeds),
		cmocka_unit_test(test_fifth_wrong_code_locks_even_against_the_right_code),
		cmocka_unit_test(test_five_failures_across_challenges_block_the_factor_for_fifteen_minutes),
		cmocka_unit_test(test_a_success_resets_the_factor_failure_count),
		cmocka_unit_test(test_replays_use_the_challenges_attempts_but_never_block_the_factor),
		cmocka_unit_test(test_sends_are_spaced_fifteen_seconds_and_capped_at_two),
	};
	return cmocka_run_group_tests_name("core/challenge", tests, NULL, NULL);
}
