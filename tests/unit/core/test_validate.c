/* Unit tests for core/validate.c: emails, E.164 phone numbers, passwords, text, display text
 * (Unicode categories from libunistring), URLs. */
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

static bool display(const char *s)
{
	return validate_display_chars(s, strlen(s));
}

/* One refused sample per category: the text around it is ordinary. */
static void refused(const char *cp_utf8)
{
	char text[64];
	snprintf(text, sizeof text, "Jane%sShop", cp_utf8);
	if (validate_display_chars(text, strlen(text)))
		fail_msg("accepted display text with [%s]", cp_utf8);
}

static void test_display_text_refuses_controls_cc(void **state)
{
	(void)state;
	refused("\x07");         /* U+0007 BELL */
	refused("\n");           /* U+000A */
	refused("\x7f");         /* U+007F DELETE */
	refused("\xc2\x85");     /* U+0085 NEXT LINE (C1) */
	refused("\xc2\x9b");     /* U+009B CONTROL SEQUENCE INTRODUCER */
	assert_false(validate_display_chars("a\0b", 3)); /* U+0000 */
}

static void test_display_text_refuses_format_characters_cf(void **state)
{
	(void)state;
	refused("\xe2\x80\x8b"); /* U+200B ZERO WIDTH SPACE */
	refused("\xe2\x80\x8c"); /* U+200C ZERO WIDTH NON-JOINER */
	refused("\xe2\x80\x8d"); /* U+200D ZERO WIDTH JOINER */
	refused("\xe2\x80\x8e"); /* U+200E LEFT-TO-RIGHT MARK */
	refused("\xe2\x80\xae"); /* U+202E RIGHT-TO-LEFT OVERRIDE */
	refused("\xe2\x80\xaa"); /* U+202A LEFT-TO-RIGHT EMBEDDING */
	refused("\xe2\x81\xa6"); /* U+2066 LEFT-TO-RIGHT ISOLATE */
	refused("\xe2\x81\xa9"); /* U+2069 POP DIRECTIONAL ISOLATE */
	refused("\xe2\x81\xa0"); /* U+2060 WORD JOINER */
	refused("\xef\xbb\xbf"); /* U+FEFF ZERO WIDTH NO-BREAK SPACE (BOM) */
	refused("\xc2\xad");     /* U+00AD SOFT HYPHEN */
	refused("\xf3\xa0\x80\x81"); /* U+E0001 LANGUAGE TAG */
}

static void test_display_text_refuses_line_and_paragraph_separators_zl_zp(void **state)
{
	(void)state;
	refused("\xe2\x80\xa8"); /* U+2028 LINE SEPARATOR */
	refused("\xe2\x80\xa9"); /* U+2029 PARAGRAPH SEPARATOR */
	/* the issue's example: a second line that shows a second amount */
	assert_false(display("Shop\xe2\x80\xa9" "Acme Pay: to pay EUR 1.00 to Jane"));
}

static void test_display_text_refuses_private_use_co(void **state)
{
	(void)state;
	refused("\xee\x80\x80");     /* U+E000 */
	refused("\xef\xa3\xbf");     /* U+F8FF */
	refused("\xf3\xb0\x80\x80"); /* U+F0000 plane 15 */
	refused("\xf4\x80\x80\x80"); /* U+100000 plane 16 */
}

static void test_display_text_refuses_unassigned_cn(void **state)
{
	(void)state;
	refused("\xcd\xb8");         /* U+0378 */
	refused("\xe0\xb8\x80");     /* U+0E00 */
	refused("\xf1\x90\x80\x80"); /* U+50000, in an unassigned plane */
}

static void test_display_text_refuses_non_characters(void **state)
{
	(void)state;
	refused("\xef\xb7\x90");     /* U+FDD0 */
	refused("\xef\xb7\xaf");     /* U+FDEF */
	refused("\xef\xbf\xbe");     /* U+FFFE */
	refused("\xef\xbf\xbf");     /* U+FFFF */
	refused("\xf0\x9f\xbf\xbe"); /* U+1FFFE */
	refused("\xf4\x8f\xbf\xbf"); /* U+10FFFF */
}

static void test_display_text_refuses_malformed_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong, 3 bytes */
		"\xf0\x80\x80\xaf", /* overlong, 4 bytes */
		"\xed\xa0\x80",     /* U+D800, a surrogate */
		"\xed\xbf\xbf",     /* U+DFFF */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"\xc2",             /* truncated */
		"\xe4\xb8",         /* truncated */
		"\x80",             /* a lone continuation byte */
		"\xff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		refused(bad[i]);
}

static void test_display_text_accepts_ordinary_international_text(void **state)
{
	(void)state;
	assert_true(display("Jane's Shop"));
	assert_true(display("Zo\xc3\xab's Caf\xc3\xa9 GmbH"));                /* Latin with accents */
	assert_true(display("Stra\xc3\x9f" "e"));                             /* ß */
	assert_true(display("\xe4\xb8\xad\xe6\x96\x87\xe5\x95\x86\xe5\xba\x97")); /* 中文商店 */
	assert_true(display("\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac")); /* Ελληνικά */
	assert_true(display("\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9"));             /* Arabic: right to left, no controls */
	assert_true(display("e\xcc\x81 n\xcc\x83"));                        /* combining marks (Mn) */
	assert_true(display("\xf0\x9f\x98\x80 \xf0\x9f\x8d\x95"));            /* emoji */
	assert_true(display("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"));            /* with a skin tone (Sk) */
	assert_true(display("\xe2\x9d\xa4\xef\xb8\x8f"));                    /* with VS16 (Mn) */
	assert_true(display("\xf0\x9f\x87\xaa\xf0\x9f\x87\xba"));            /* a flag: regional indicators */
	assert_true(display("caf\xc2\xa0\xe3\x80\x80x"));                    /* no-break and ideographic spaces (Zs) */
	assert_true(display("\xf0\xb0\x80\x80"));                            /* U+30000, CJK extension G */
	assert_true(display("\xe2\x80\xa6 \xe2\x80\x9cquoted\xe2\x80\x9d"));  /* punctuation */
}

static void test_display_text_refuses_emoji_zwj_sequences(void **state)
{
	(void)state;
	/* U+200D ZERO WIDTH JOINER is Cf: the family emoji is refused, its members alone are not */
	assert_false(display("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"));
	assert_true(display("\xf0\x9f\x91\xa8\xf0\x9f\x91\xa9\xf0\x9f\x91\xa7"));
}

static void test_display_text_length_is_in_bytes(void **state)
{
	(void)state;
	assert_false(validate_display_text("", 10));
	assert_true(validate_display_text("\xe4\xb8\xad\xe6\x96\x87", 6));
	assert_false(validate_display_text("\xe4\xb8\xad\xe6\x96\x87", 5));
	assert_false(validate_display_text("ok\xe2\x80\xa8", 100));
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
		cmocka_unit_test(test_display_text_refuses_controls_cc),
		cmocka_unit_test(test_display_text_refuses_format_characters_cf),
		cmocka_unit_test(test_display_text_refuses_line_and_paragraph_separators_zl_zp),
		cmocka_unit_test(test_display_text_refuses_private_use_co),
		cmocka_unit_test(test_display_text_refuses_unassigned_cn),
		cmocka_unit_test(test_display_text_refuses_non_characters),
		cmocka_unit_test(test_display_text_refuses_malformed_utf8),
		cmocka_unit_test(test_display_text_accepts_ordinary_international_text),
		cmocka_unit_test(test_display_text_refuses_emoji_zwj_sequences),
		cmocka_unit_test(test_display_text_length_is_in_bytes),
		cmocka_unit_test(test_urls_must_be_absolute_http),
	};
	return cmocka_run_group_tests_name("core/validate", tests, NULL, NULL);
}
