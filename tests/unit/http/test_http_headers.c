/* Unit tests for http/http_headers.c: Bearer tokens and X-Forwarded-For addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http/http_headers.h"

static void test_bearer(void **state)
{
	(void)state;
	assert_string_equal(header_bearer_token("Bearer abc"), "abc");
	assert_string_equal(header_bearer_token("bearer   abc"), "abc");
	assert_null(header_bearer_token("Bearer "));
	assert_null(header_bearer_token("Basic abc"));
	assert_null(header_bearer_token(NULL));
}

static void test_forwarded_for_takes_the_last_plausible_address(void **state)
{
	(void)state;
	char a[64];
	assert_true(header_forwarded_for("198.51.100.1, 203.0.113.7", a, sizeof a));
	assert_string_equal(a, "203.0.113.7");
	assert_true(header_forwarded_for(" 2001:db8::1 ", a, sizeof a));
	assert_string_equal(a, "2001:db8::1");
	assert_false(header_forwarded_for("203.0.113.7, evil\"name", a, sizeof a));
	assert_false(header_forwarded_for("1.2.3.4,", a, sizeof a));
	assert_false(header_forwarded_for("", a, sizeof a));
	assert_false(header_forwarded_for("1111111111111111111111111111111111111111111111", a, sizeof a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_forwarded_for_takes_the_last_plausible_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
