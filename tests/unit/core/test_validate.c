/* Unit tests for core/validate.c: emails, E.164 phone numbers, passwords, text, URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"

static void test_email_is_lower_cased(void **state)
{
	(void)state;
	char out[256];
	assert_true(validate_email("Ann.Smith+pay@Example.CO.uk", out, sizeof out));
	assert_string_equal(out, "ann.smith+pay@example.co.uk");
}

static void test_malformed_emails_are_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "a", "@example.com", "ann@", "ann@example", "ann@@example.com", "ann@exa mple.com",
		" ann@example.com", "ann@example.com ", "ann..b@example.com", ".ann@example.com",
		"ann.@example.com", "ann@-example.com", "ann@example-.com", "ann@example..com",
		"ann@exa_mple.com", "an\"n@example.com", "ann@example.com\n", "ann\x01@example.com",
		"ann@\xc3\xa9xample.com",
	};
	char out[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (validate_email(bad[i], out, sizeof out))
			fail_msg("accepted bad email [%s]", bad[i]);
	}
}

static void test_email_length_limits(void **state)
{
	(void)state;
	char out[300], local[70], email[320];
	memset(local, 'a', 65);
	local[65] = '\0';
	snprintf(email, sizeof email, "%s@example.com", local);
	assert_false(validate_email(email, out, sizeof out)); /* local part over 64 */
	local[64] = '\0';
	snprintf(email, sizeof email, "%s@example.com", local);
	assert_true(validate_email(email, out, sizeof out));
	char longdomain[260];
	memset(longdomain, 'b', 250);
	memcpy(longdomain + 250, ".com", 5);
	snprintf(email, sizeof email, "a@%s", longdomain);
	assert_false(validate_email(email, out, sizeof out)); /* over 254 in all */
}

static void test_e164_phone_numbers(void **state)
{
	(void)state;
	assert_true(validate_phone_e164("+14155550100"));
	assert_true(validate_phone_e164("+447911123456"));
	assert_true(validate_phone_e164("+1234567"));
	assert_true(validate_phone_e164("+123456789012345"));
	assert_false(validate_phone_e164("+1234567890123456")); /* 16 digits */
	assert_false(validate_phone_e164("+123456"));          /* 6 digits */
	assert_false(validate_phone_e164("14155550100"));
	assert_false(validate_phone_e164("+04155550100"));
	assert_false(validate_phone_e164("+1 415 555 0100"));
	assert_false(validate_phone_e164("+1415555010a"));
	assert_false(validate_phone_e164(""));
}

static void test_passwords_follow_nist_length_rules(void **state)
{
	(void)state;
	char pw[300];
	assert_false(validate_password("1234567"));
	assert_true(validate_password("12345678"));
	assert_true(validate_password("p\xc3\xa4ssw\xc3\xb6rd long")); /* UTF-8 is welcome */
	memset(pw, 'x', 256);
	pw[256] = '\0';
	assert_true(validate_password(pw));
	pw[256] = 'x';
	pw[257] = '\0';
	assert_false(validate_password(pw));
	assert_false(validate_password("pass\x01word"));
	assert_false(validate_password("password\xff"));
}

static void test_utf8_text_refuses_malformed_sequences(void **state)
{
	(void)state;
	static const char *const bad[] = {"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc2", "\xc2\x85", "a\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(validate_utf8_text(bad[i], strlen(bad[i])));
	assert_true(validate_utf8_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14));
}

static void test_urls_must_be_absolute_http(void **state)
{
	(void)state;
	assert_true(validate_url("https://partner.example/return"));
	assert_true(validate_url("http://localhost:3000/cb"));
	assert_false(validate_url("javascript:alert(1)"));
	assert_false(validate_url("https://"));
	assert_false(validate_url("https:///path"));
	assert_false(validate_url("//partner.example/"));
	assert_false(validate_url("https://partner.example/a b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_is_lower_cased),
		cmocka_unit_test(test_malformed_emails_are_refused),
		cmocka_unit_test(test_email_length_limits),
		cmocka_unit_test(test_e164_phone_numbers),
		cmocka_unit_test(test_passwords_follow_nist_length_rules),
		cmocka_unit_test(test_utf8_text_refuses_malformed_sequences),
		cmocka_unit_test(test_urls_must_be_absolute_http),
	};
	return cmocka_run_group_tests_name("core/validate", tests, NULL, NULL);
}
