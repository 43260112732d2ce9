/* Unit tests for src/hosted/template.c: the pages' words in the page's language ({{_ words}},
 * their {name} words replaced and escaped), translators' comments that render as nothing, and
 * tpl_words for text outside templates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/template.h"

static struct l10n german(void)
{
	const char *bad = NULL;
	assert_true(l10n_catalogs_ok(&bad)); /* loads them, as the server does at start */
	struct l10n l;
	assert_true(l10n_from_tag("de", &l));
	return l;
}

static void test_words_are_the_catalogs_in_the_pages_language(void **state)
{
	(void)state;
	struct l10n de = german();
	struct tpl_var v[] = {{"csrf", "c"}, {"challenge_id", "chl_1"}, {NULL, NULL}};
	char *en = tpl_render(&l10n_english, "challenge.html", v), *in_de = tpl_render(&de, "challenge.html", v);
	assert_non_null(strstr(en, "> Trust this device for 30 days</label>"));
	assert_non_null(strstr(en, ">Verify</button>"));
	assert_non_null(strstr(in_de, "> Diesem Gerät 30 Tage lang vertrauen</label>"));
	assert_non_null(strstr(in_de, ">Bestätigen</button>"));
	free(en);
	free(in_de);
}

static void test_names_in_words_are_escaped_and_comments_render_as_nothing(void **state)
{
	(void)state;
	struct tpl_var v[] = {{"app_name", "<Acme & \"Co\">"}, {"rows", "<tr></tr>"}, {NULL, NULL}};
	char *html = tpl_render(&l10n_english, "devices.html", v);
	assert_non_null(strstr(html, "when you sign in to &lt;Acme &amp; &quot;Co&quot;&gt;. Remove one"));
	assert_non_null(strstr(html, "<th>Device</th><th>Where</th><th>Trusted since</th><th>Until</th>"));
	assert_null(strstr(html, "TRANSLATORS"));
	assert_null(strstr(html, "{{"));
	assert_non_null(strstr(html, "<tr></tr>")); /* {{{rows}}}: as it is */
	free(html);
}

static void test_tpl_words_replaces_names_and_keeps_other_braces(void **state)
{
	(void)state;
	struct tpl_var v[] = {{"code", "HOSTED_SESSION_EXPIRED"}, {"request_id", "<r1>"}, {NULL, NULL}};
	char *text = tpl_words(&l10n_english, "Reference: {code}, {request_id}", v);
	assert_string_equal(text, "Reference: HOSTED_SESSION_EXPIRED, <r1>"); /* text, not HTML */
	free(text);
	text = tpl_words(&l10n_english, "{unknown} and {code}", v);
	assert_string_equal(text, "{unknown} and HOSTED_SESSION_EXPIRED");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_are_the_catalogs_in_the_pages_language),
		cmocka_unit_test(test_names_in_words_are_escaped_and_comments_render_as_nothing),
		cmocka_unit_test(test_tpl_words_replaces_names_and_keeps_other_braces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
