/* Unit tests for src/l10n: the language chosen for a person (user locale, application default,
 * Accept-Language with q, English), BCP 47 checks, amounts in each language with the currency's
 * own minor units (ICU), dates in UTC, and lookups in the compiled-in catalogs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "l10n/l10n.h"

static void test_the_user_then_the_application_then_the_browser_then_english(void **state)
{
	(void)state;
	assert_string_equal(l10n_choose("de-AT", "fr", "es").tag, "de-AT");
	assert_string_equal(l10n_choose(NULL, "fr", "es").tag, "fr");
	assert_string_equal(l10n_choose("", "", "es-ES").tag, "es-ES");
	assert_int_equal(l10n_choose(NULL, NULL, NULL).lang, LANG_EN);
	/* a language twofold does not speak falls through to the next */
	assert_int_equal(l10n_choose("sv-SE", "pl", NULL).lang, LANG_PL);
	assert_int_equal(l10n_choose("sv-SE", "fi", "ja").lang, LANG_EN);
	/* Portuguese without a region is written as in Portugal */
	assert_string_equal(l10n_choose("pt", NULL, NULL).tag, "pt-PT");
}

static void test_accept_language_follows_q_and_never_takes_q_zero(void **state)
{
	(void)state;
	assert_int_equal(l10n_choose(NULL, NULL, "fr;q=0.5, de-AT;q=0.9, en;q=0.1").lang, LANG_DE);
	assert_int_equal(l10n_choose(NULL, NULL, "xx, fr;q=0").lang, LANG_EN);
	assert_int_equal(l10n_choose(NULL, NULL, "ja, nl;q=0.2, *;q=0.1").lang, LANG_NL);
	assert_int_equal(l10n_choose(NULL, NULL, "it-IT,it;q=0.9,en-US;q=0.8").lang, LANG_IT);
	assert_int_equal(l10n_choose(NULL, NULL, "de;q=2, fr").lang, LANG_FR); /* a q above 1 is no q */
	assert_int_equal(l10n_choose(NULL, NULL, ",,;q=,").lang, LANG_EN);
	/* only the first 32 elements are read: a header of thousands costs no more */
	char many[400] = "";
	for (size_t i = 0, n = 0; i < 31; i++)
		n += (size_t)snprintf(many + n, sizeof many - n, "xx,");
	char at32[420], at33[420];
	snprintf(at32, sizeof at32, "%sde", many);
	snprintf(at33, sizeof at33, "%sxx,de", many);
	assert_int_equal(l10n_choose(NULL, NULL, at32).lang, LANG_DE);
	assert_int_equal(l10n_choose(NULL, NULL, at33).lang, LANG_EN);
}

static void test_tags_are_bcp47(void **state)
{
	(void)state;
	assert_true(l10n_tag_valid("de"));
	assert_true(l10n_tag_valid("pt-BR"));
	assert_true(l10n_tag_valid("es-419"));
	assert_true(l10n_tag_valid("sv-SE"));
	assert_false(l10n_tag_valid("en_US"));
	assert_false(l10n_tag_valid(""));
	assert_false(l10n_tag_valid("de DE"));
	assert_false(l10n_tag_valid("de-\xc3\xa4"));
	assert_false(l10n_tag_valid("abcdefghijklmnopqrstuvwxyz-abcdefghij"));
	/* an extension cannot change how digits are written */
	struct l10n l;
	assert_true(l10n_from_tag("de-DE-u-nu-arab", &l));
	char out[L10N_AMOUNT_MAX];
	assert_true(l10n_amount(&l, 4999, "EUR", false, out, sizeof out));
	assert_string_equal(out, "49,99\xc2\xa0\xe2\x82\xac");
}

static void test_amounts_as_each_language_writes_them(void **state)
{
	(void)state;
	static const struct {
		const char *tag, *currency;
		long long amount;
		const char *want;
	} cases[] = {
		{"de", "EUR", 4999, "49,99 \xe2\x82\xac"},       {"en", "EUR", 4999, "\xe2\x82\xac" "49.99"},
		{"fr", "EUR", 123456, "1 234,56 \xe2\x82\xac"},   {"es", "EUR", 4999, "49,99 \xe2\x82\xac"},
		{"it", "EUR", 4999, "49,99 \xe2\x82\xac"},        {"nl", "EUR", 4999, "\xe2\x82\xac 49,99"},
		{"pl", "PLN", 4999, "49,99 z\xc5\x82"},          {"pt", "EUR", 4999, "49,99 \xe2\x82\xac"},
		{"en", "JPY", 1235, "\xc2\xa5" "1,235"},          {"de", "JPY", 1235, "1.235 \xc2\xa5"},
		{"en", "BHD", 1234, "BHD 1.234"},                 {"de", "BHD", 1234, "1,234 BHD"},
		{"en-GB", "GBP", 100, "\xc2\xa3" "1.00"},         {"de-CH", "CHF", 123456, "CHF 1\xe2\x80\x99" "234.56"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct l10n l;
		char out[L10N_AMOUNT_MAX];
		assert_true(l10n_from_tag(cases[i].tag, &l));
		assert_true(l10n_amount(&l, cases[i].amount, cases[i].currency, true, out, sizeof out));
		print_message("%s %s %lld: %s\n", cases[i].tag, cases[i].currency, cases[i].amount, out);
		assert_string_equal(out, cases[i].want);
	}
	/* without plain spaces ICU's no-break spaces stay (a line never breaks inside an amount) */
	struct l10n de;
	char out[L10N_AMOUNT_MAX];
	assert_true(l10n_from_tag("de", &de));
	assert_true(l10n_amount(&de, 4999, "EUR", false, out, sizeof out));
	assert_string_equal(out, "49,99\xc2\xa0\xe2\x82\xac");
	assert_false(l10n_amount(&de, 4999, "XXQ", false, out, sizeof out)); /* no such currency */
	assert_false(l10n_amount(&de, 4999, "EUR", false, out, 4));          /* does not fit */
}

static void test_dates_are_in_utc_and_say_so(void **state)
{
	(void)state;
	struct l10n l;
	char out[96];
	assert_true(l10n_from_tag("de", &l));
	assert_true(l10n_datetime(&l, 1796598000, out, sizeof out)); /* 2026-12-06 23:00 UTC */
	assert_string_equal(out, "6. Dez. 2026, 23:00 UTC");
	assert_true(l10n_datetime(&l10n_english, 1796598000, out, sizeof out));
	assert_string_equal(out, "Dec 6, 2026, 11:00\xe2\x80\xafPM UTC");
}

static void test_catalogs_load_and_unknown_words_stay_english(void **state)
{
	(void)state;
	const char *bad = NULL;
	assert_true(l10n_catalogs_ok(&bad));
	struct l10n de;
	assert_true(l10n_from_tag("de", &de));
	assert_string_equal(l10n_text(&de, "Verify"), "Best\xc3\xa4tigen");
	assert_string_equal(l10n_text(&de, "no such words in any catalog"), "no such words in any catalog");
	assert_string_equal(l10n_text(&l10n_english, "Verify"), "Verify");
	assert_string_equal(l10n_code(LANG_PL), "pl");
	char voice[L10N_FORMAT_TAG_MAX];
	l10n_voice_tag(&de, voice);
	assert_string_equal(voice, "de-DE");
	struct l10n at;
	assert_true(l10n_from_tag("de-AT", &at));
	l10n_voice_tag(&at, voice);
	assert_string_equal(voice, "de-AT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_user_then_the_application_then_the_browser_then_english),
		cmocka_unit_test(test_accept_language_follows_q_and_never_takes_q_zero),
		cmocka_unit_test(test_tags_are_bcp47),
		cmocka_unit_test(test_amounts_as_each_language_writes_them),
		cmocka_unit_test(test_dates_are_in_utc_and_say_so),
		cmocka_unit_test(test_catalogs_load_and_unknown_words_stay_english),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
