/* Unit tests for core/phone_policy.c: countries of calling codes (longest prefix first), the
 * ranges sends are counted by, and allowed lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/phone_policy.h"

static void test_countries(void **state)
{
	(void)state;
	assert_string_equal(phone_country("+447700900123"), "GB");
	assert_string_equal(phone_country("+4915112345678"), "DE");
	assert_string_equal(phone_country("+35312345678"), "IE"); /* 353, not 35x or 3 */
	assert_string_equal(phone_country("+14155550100"), "US");
	assert_string_equal(phone_country("+79161234567"), "RU");
	assert_null(phone_country("+8821234567")); /* an international network, no country */
	assert_null(phone_country("447700900123"));
}

static void test_ranges(void **state)
{
	(void)state;
	char r[16];
	phone_range("+447700900123", r, sizeof r);
	assert_string_equal(r, "+44770");
	phone_range("+35312345678", r, sizeof r);
	assert_string_equal(r, "+353123");
	phone_range("+14155550100", r, sizeof r);
	assert_string_equal(r, "+1415");
}

static void test_allowed_lists(void **state)
{
	(void)state;
	const char *const eu[] = {"DE", "FR", "CA"};
	assert_true(phone_country_allowed("DE", eu, 3));
	assert_false(phone_country_allowed("GB", eu, 3));
	assert_true(phone_country_allowed("US", eu, 3)); /* +1 is shared with Canada */
	assert_false(phone_country_allowed(NULL, eu, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_countries),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_allowed_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
