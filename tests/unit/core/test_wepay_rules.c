/* Unit tests for core/wepay_rules.c: the WePay face's resend, default and heir decisions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/challenge.h"
#include "core/wepay_rules.h"

#define NOW 1700000000000LL

static void test_no_open_challenge_always_issues(void **state)
{
	(void)state;
	struct wepay_resend_facts f = {.open = false, .sends = true, .last_sent_at = NOW};
	assert_true(wepay_enrolment_resend(&f, NOW));
	f.sends = false;
	assert_true(wepay_enrolment_resend(&f, NOW));
}

static void test_an_open_challenge_of_a_kind_that_sends_nothing_stands(void **state)
{
	(void)state;
	struct wepay_resend_facts f = {.open = true, .sends = false, .last_sent_at = 0, .force_voice = true};
	assert_false(wepay_enrolment_resend(&f, NOW));
}

static void test_a_code_sent_within_the_spacing_is_not_sent_again(void **state)
{
	(void)state;
	struct wepay_resend_facts f = {.open = true, .sends = true, .last_sent_at = NOW - RESEND_SPACING_MS + 1};
	assert_false(wepay_enrolment_resend(&f, NOW));
	f.last_sent_at = NOW - RESEND_SPACING_MS; /* the spacing is over */
	assert_true(wepay_enrolment_resend(&f, NOW));
}

static void test_force_voice_asks_for_a_call_even_within_the_spacing(void **state)
{
	(void)state;
	struct wepay_resend_facts f = {.open = true, .sends = true, .last_sent_at = NOW, .force_voice = true};
	assert_true(wepay_enrolment_resend(&f, NOW));
}

static void test_the_first_factor_that_is_not_backup_becomes_the_default(void **state)
{
	(void)state;
	assert_int_equal(wepay_default_on_enrol(false, false, false), WEPAY_DEFAULT_SET);
	assert_int_equal(wepay_default_on_enrol(false, true, false), WEPAY_DEFAULT_KEEP); /* already is */
	assert_int_equal(wepay_default_on_enrol(false, false, true), WEPAY_DEFAULT_KEEP); /* another is */
}

static void test_backup_is_never_the_default(void **state)
{
	(void)state;
	assert_int_equal(wepay_default_on_enrol(true, false, false), WEPAY_DEFAULT_KEEP);
	assert_int_equal(wepay_default_on_enrol(true, true, false), WEPAY_DEFAULT_CLEAR);
	assert_int_equal(wepay_default_on_enrol(true, true, true), WEPAY_DEFAULT_CLEAR);
}

static void test_the_oldest_active_eligible_factor_inherits_the_default(void **state)
{
	(void)state;
	const struct wepay_heir_facts list[] = {
		{.eligible = false, .active = true},  /* backup, or push */
		{.eligible = true, .active = false},  /* pending */
		{.eligible = true, .active = true},
		{.eligible = true, .active = true},
	};
	assert_int_equal(wepay_default_heir(list, 4), 2);
}

static void test_no_heir_while_a_default_remains_or_none_qualifies(void **state)
{
	(void)state;
	const struct wepay_heir_facts with_default[] = {
		{.eligible = true, .active = true},
		{.eligible = true, .active = true, .preferred = true},
	};
	assert_int_equal(wepay_default_heir(with_default, 2), -1);
	/* a preferred factor that is not eligible (backup) is no default */
	const struct wepay_heir_facts backup_preferred[] = {
		{.eligible = false, .active = true, .preferred = true},
		{.eligible = true, .active = true},
	};
	assert_int_equal(wepay_default_heir(backup_preferred, 2), 1);
	const struct wepay_heir_facts none[] = {{.eligible = true, .active = false}, {.eligible = false, .active = true}};
	assert_int_equal(wepay_default_heir(none, 2), -1);
	assert_int_equal(wepay_default_heir(NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_open_challenge_always_issues),
		cmocka_unit_test(test_an_open_challenge_of_a_kind_that_sends_nothing_stands),
		cmocka_unit_test(test_a_code_sent_within_the_spacing_is_not_sent_again),
		cmocka_unit_test(test_force_voice_asks_for_a_call_even_within_the_spacing),
		cmocka_unit_test(test_the_first_factor_that_is_not_backup_becomes_the_default),
		cmocka_unit_test(test_backup_is_never_the_default),
		cmocka_unit_test(test_the_oldest_active_eligible_factor_inherits_the_default),
		cmocka_unit_test(test_no_heir_while_a_default_remains_or_none_qualifies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
