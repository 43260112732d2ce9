/* Unit tests for core/timefmt.c: RFC 3339 text and HTTP dates against Python's datetime, leap days
 * and weekdays included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/timefmt.h"

static void test_rfc3339_matches_a_reference_calendar(void **state)
{
	(void)state;
	static const struct {
		long long ms;
		const char *want;
	} cases[] = {
		{0LL, "1970-01-01T00:00:00Z"},
		{951782400000LL, "2000-02-29T00:00:00Z"},
		{951868799999LL, "2000-02-29T23:59:59Z"},
		{1795000000000LL, "2026-11-18T11:06:40Z"},
		{4102444800000LL, "2100-01-01T00:00:00Z"},
		{1709164800000LL, "2024-02-29T00:00:00Z"},
		{253402300799000LL, "9999-12-31T23:59:59Z"},
		{-1000LL, "1969-12-31T23:59:59Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[TF_TIME_TEXT_SIZE];
		timefmt_rfc3339(cases[i].ms, out);
		assert_string_equal(out, cases[i].want);
	}
}

static void test_http_date_matches_a_reference_calendar(void **state)
{
	(void)state;
	static const struct {
		long long ms;
		const char *want;
	} cases[] = {
		{0LL, "Thu, 01 Jan 1970 00:00:00 GMT"},
		{951782400000LL, "Tue, 29 Feb 2000 00:00:00 GMT"},
		{1421187781000LL, "Tue, 13 Jan 2015 22:23:01 GMT"},
		{1795000000999LL, "Wed, 18 Nov 2026 11:06:40 GMT"},
		{-1000LL, "Wed, 31 Dec 1969 23:59:59 GMT"},
		{253402300799000LL, "Fri, 31 Dec 9999 23:59:59 GMT"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[TF_TIME_TEXT_SIZE];
		timefmt_http(cases[i].ms, out);
		assert_string_equal(out, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_matches_a_reference_calendar),
		cmocka_unit_test(test_http_date_matches_a_reference_calendar),
	};
	return cmocka_run_group_tests_name("core/timefmt", tests, NULL, NULL);
}
