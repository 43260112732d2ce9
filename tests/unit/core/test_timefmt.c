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

static void test_rfc3339_text_reads_back_with_fractions_and_offsets(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		long long ms;
	} cases[] = {
		{"1970-01-01T00:00:00Z", 0LL},
		{"2026-11-23T01:54:34Z", 1795398874000LL},
		{"2026-11-23t01:54:34z", 1795398874000LL},
		{"2026-11-23T01:54:34.250Z", 1795398874250LL},
		{"2026-11-23T01:54:34.2509Z", 1795398874250LL}, /* beyond a millisecond: dropped */
		{"2026-11-23T02:54:34+01:00", 1795398874000LL},
		{"2026-11-22T20:24:34-05:30", 1795398874000LL},
		{"2000-02-29T00:00:00Z", 951782400000LL},
		{"9999-12-31T23:59:59Z", 253402300799000LL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t ms = -1;
		assert_true(timefmt_parse_rfc3339(cases[i].text, &ms));
		assert_int_equal(ms, cases[i].ms);
		char back[TF_TIME_TEXT_SIZE]; /* and the writer's text reads back to its whole second */
		timefmt_rfc3339(cases[i].ms, back);
		assert_true(timefmt_parse_rfc3339(back, &ms));
		assert_int_equal(ms, cases[i].ms / 1000 * 1000);
	}
	static const char *const bad[] = {
		"2026-11-23 01:54:34Z", "2026-11-23T01:54:34", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T01:60:00Z", "2026-11-23T01:54:60Z",
		"2026-11-23T01:54:34.Z", "2026-11-23T01:54:34+0100", "2026-11-23T01:54:34+24:00", "1969-12-31T23:59:59Z",
		"2026-11-23T01:54:34Z ", "+2026-11-23T01:54:34Z", "", "2026-1-23T01:54:34Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t ms;
		assert_false(timefmt_parse_rfc3339(bad[i], &ms));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_matches_a_reference_calendar),
		cmocka_unit_test(test_http_date_matches_a_reference_calendar),
		cmocka_unit_test(test_rfc3339_text_reads_back_with_fractions_and_offsets),
	};
	return cmocka_run_group_tests_name("core/timefmt", tests, NULL, NULL);
}
