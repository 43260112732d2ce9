/* Unit tests for core/phone_policy.c: countries of calling codes (longest prefix first), the
 * North American Numbering Plan's area codes, the ranges sends are counted by, and allowed
 * lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
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

/* Every member of +1 but the United States, by each of its area codes (libphonenumber's
 * territories of country code 1, as the table in phone_policy.c cites). */
static void test_nanp_area_codes_name_their_own_country(void **state)
{
	(void)state;
	static const struct {
		const char *number, *country;
	} cases[] = {
		{"+12425550100", "BS"}, {"+12465550100", "BB"}, {"+12645550100", "AI"}, {"+12685550100", "AG"},
		{"+12845550100", "VG"}, {"+13405550100", "VI"}, {"+13455550100", "KY"}, {"+14415550100", "BM"},
		{"+14735550100", "GD"}, {"+16495550100", "TC"}, {"+16585550100", "JM"}, {"+18765550100", "JM"},
		{"+16645550100", "MS"}, {"+16705550100", "MP"}, {"+16715550100", "GU"}, {"+16845550100", "AS"},
		{"+17215550100", "SX"}, {"+17585550100", "LC"}, {"+17675550100", "DM"}, {"+17845550100", "VC"},
		{"+17875550100", "PR"}, {"+19395550100", "PR"}, {"+18095550100", "DO"}, {"+18295550100", "DO"},
		{"+18495550100", "DO"}, {"+18685550100", "TT"}, {"+18695550100", "KN"},
		/* Canada: the first, an overlay, the newest, the territories' and the non-geographic */
		{"+12045550100", "CA"}, {"+14165550100", "CA"}, {"+15145550100", "CA"}, {"+16045550100", "CA"},
		{"+14375550100", "CA"}, {"+19425550100", "CA"}, {"+18675550100", "CA"}, {"+16005550100", "CA"},
		/* the United States: an old code, a new overlay, Hawaii and Alaska */
		{"+12125550100", "US"}, {"+19835550100", "US"}, {"+18085550100", "US"}, {"+19075550100", "US"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = phone_country(cases[i].number);
		if (!got || strcmp(got, cases[i].country))
			fail_msg("%s: expected %s, got %s", cases[i].number, cases[i].country, got ? got : "(none)");
	}
}

/* A +1 number whose area code belongs to no country is not taken for a US one. */
static void test_nanp_codes_of_no_country_have_none(void **state)
{
	(void)state;
	static const char *const none[] = {
		"+18005550100", "+18335550100", "+18445550100", "+18555550100", "+18665550100", "+18775550100",
		"+18885550100", /* toll-free */
		"+19005550100", /* premium rate */
		"+15005550100", "+15335550100", "+14565550100", "+17005550100", "+17105550100", /* non-geographic */
		"+14115550100", "+19115550100", "+15555550100", "+12915550100", "+13705550100", /* N11, 555, N9X, reserved */
		"+1415555010", "+141555501000", "+1415555010x", /* not ten digits */
	};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
		if (phone_country(none[i]))
			fail_msg("%s: expected no country, got %s", none[i], phone_country(none[i]));
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
	assert_false(phone_country_allowed("US", eu, 3)); /* Canada is not the United States */
	assert_false(phone_country_allowed(NULL, eu, 3));
	const char *const us[] = {"US"};
	assert_true(phone_country_allowed(phone_country("+14155550100"), us, 1));
	assert_false(phone_country_allowed(phone_country("+18765550100"), us, 1)); /* Jamaica */
	assert_false(phone_country_allowed(phone_country("+17875550100"), us, 1)); /* Puerto Rico: its own code */
	assert_false(phone_country_allowed(phone_country("+18005550100"), us, 1)); /* toll-free: no country */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_countries),
		cmocka_unit_test(test_nanp_area_codes_name_their_own_country),
		cmocka_unit_test(test_nanp_codes_of_no_country_have_none),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_allowed_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
