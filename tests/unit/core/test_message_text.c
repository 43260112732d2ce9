/* Unit tests for core/message_text.c: names fitted into a message's bounded length, shortened
 * payee first, with an ellipsis, at grapheme boundaries, never inside a UTF-8 sequence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/message_text.h"
#include "core/validate.h"

#define ELLIPSIS MESSAGE_ELLIPSIS
#define EMOJI "\xf0\x9f\x98\x80" /* U+1F600: 4 bytes, 2 UTF-16 units */
#define CJK "\xe4\xb8\xad"       /* U+4E2D: 3 bytes, 1 unit */

static void repeat(char *out, size_t size, const char *piece, size_t times)
{
	size_t n = 0, len = strlen(piece);
	for (size_t i = 0; i < times && n + len < size; i++, n += len)
		memcpy(out + n, piece, len);
	out[n] = '\0';
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && memcmp(s + n - m, tail, m) == 0;
}

static void test_units_count_utf16(void **state)
{
	(void)state;
	assert_int_equal(text_utf16_units("abc"), 3);
	assert_int_equal(text_utf16_units(CJK CJK), 2);
	assert_int_equal(text_utf16_units(EMOJI), 2);
	assert_int_equal(text_utf16_units("e\xcc\x81"), 2); /* e + combining acute */
	assert_int_equal(text_utf16_units("ab\xe4\xb8"), 2); /* only the valid prefix */
}

static void test_short_names_are_kept_whole(void **state)
{
	(void)state;
	char app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1];
	message_fit_names("Acme Pay", "Jane's Shop", app, payee);
	assert_string_equal(app, "Acme Pay");
	assert_string_equal(payee, "Jane's Shop");
	message_fit_names("Acme Pay", NULL, app, payee);
	assert_string_equal(app, "Acme Pay");
	assert_string_equal(payee, "");
}

static void test_a_sepa_length_payee_is_shown_whole_beside_an_ordinary_application_name(void **state)
{
	(void)state;
	char name[600], app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1];
	repeat(name, sizeof name, CJK, 140);
	message_fit_names("Acme Payments International Ltd", name, app, payee);
	assert_string_equal(payee, name);
	assert_string_equal(app, "Acme Payments International Ltd");
}

static void test_the_payee_gives_way_first_with_an_ellipsis(void **state)
{
	(void)state;
	char name[600], app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1];
	repeat(name, sizeof name, EMOJI, 140); /* 280 units */
	message_fit_names("Acme Pay", name, app, payee);
	assert_string_equal(app, "Acme Pay");
	assert_true(ends_with(payee, ELLIPSIS));
	assert_int_equal(text_utf16_units(payee), MESSAGE_NAMES_UNITS - 8 - 1); /* 95 whole emoji and the ellipsis */
	assert_int_equal(strncmp(payee, name, strlen(payee) - 3), 0);
	assert_true(validate_display_chars(payee, strlen(payee)));
}

static void test_a_long_application_name_leaves_the_payee_its_minimum(void **state)
{
	(void)state;
	char name[600], appname[300], app[MESSAGE_NAMES_BYTES + 1], payee[MESSAGE_NAMES_BYTES + 1];
	repeat(name, sizeof name, CJK, 140);
	memset(appname, 'A', 255);
	appname[255] = '\0';
	message_fit_names(appname, name, app, payee);
	assert_int_equal(text_utf16_units(payee), MESSAGE_PAYEE_MIN_UNITS);
	assert_int_equal(text_utf16_units(app) + text_utf16_units(payee), MESSAGE_NAMES_UNITS);
	assert_true(ends_with(app, ELLIPSIS) && ends_with(payee, ELLIPSIS));
	/* 255 bytes of 3-byte characters are 85 units: the payee then takes the rest */
	repeat(appname, sizeof appname, CJK, 85);
	message_fit_names(appname, name, app, payee);
	assert_string_equal(app, appname);
	assert_int_equal(text_utf16_units(payee), MESSAGE_NAMES_UNITS - 85);
	/* without a payment, the application name alone takes at most the whole length */
	memset(appname, 'A', 255);
	appname[255] = '\0';
	message_fit_names(appname, NULL, app, payee);
	assert_int_equal(text_utf16_units(app), MESSAGE_NAMES_UNITS);
	assert_true(ends_with(app, ELLIPSIS));
}

static void test_shortening_keeps_grapheme_clusters_whole(void **state)
{
	(void)state;
	char out[64];
	/* "e" + U+0301 is one cluster of 2 units: with room for 2 units before the ellipsis the
	 * second cluster does not fit whole, so it is left out rather than its accent dropped */
	assert_true(text_shorten("ee\xcc\x81" "eeee", 3, out, sizeof out));
	assert_string_equal(out, "e" ELLIPSIS);
	/* an emoji with a skin tone stays together */
	assert_true(text_shorten("a\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" "bcdef", 5, out, sizeof out));
	assert_string_equal(out, "a" ELLIPSIS);
	assert_true(text_shorten("a\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" "bcdef", 6, out, sizeof out));
	assert_string_equal(out, "a\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd" ELLIPSIS);
	/* a single cluster longer than the room is cut between code points, never inside one */
	assert_true(text_shorten("e\xcc\x81\xcc\x81\xcc\x81\xcc\x81\xcc\x81", 3, out, sizeof out));
	assert_string_equal(out, "e\xcc\x81" ELLIPSIS);
}

static void test_shortening_drops_spaces_before_the_ellipsis(void **state)
{
	(void)state;
	char out[64];
	assert_true(text_shorten("Jane   Shop", 7, out, sizeof out));
	assert_string_equal(out, "Jane" ELLIPSIS);
	assert_false(text_shorten("Jane Shop", 9, out, sizeof out));
	assert_string_equal(out, "Jane Shop");
}

static void test_shortening_an_emoji_never_splits_its_surrogate_pair(void **state)
{
	(void)state;
	char out[64];
	/* room for 3 units before the ellipsis: one emoji (2), not one and a half */
	assert_true(text_shorten(EMOJI EMOJI EMOJI, 4, out, sizeof out));
	assert_string_equal(out, EMOJI ELLIPSIS);
	assert_true(validate_display_chars(out, strlen(out)));
}

static void test_copy_prefix_never_cuts_inside_a_sequence(void **state)
{
	(void)state;
	char out[6];
	assert_int_equal(text_copy_prefix(out, sizeof out, EMOJI EMOJI, 8), 4);
	assert_string_equal(out, EMOJI);
	assert_int_equal(text_copy_prefix(out, sizeof out, "ab" CJK CJK, 8), 5);
	assert_string_equal(out, "ab" CJK);
	assert_int_equal(text_copy_prefix(out, sizeof out, "a\xe4\xb8", 3), 1); /* a truncated input */
	assert_string_equal(out, "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units_count_utf16),
		cmocka_unit_test(test_short_names_are_kept_whole),
		cmocka_unit_test(test_a_sepa_length_payee_is_shown_whole_beside_an_ordinary_application_name),
		cmocka_unit_test(test_the_payee_gives_way_first_with_an_ellipsis),
		cmocka_unit_test(test_a_long_application_name_leaves_the_payee_its_minimum),
		cmocka_unit_test(test_shortening_keeps_grapheme_clusters_whole),
		cmocka_unit_test(test_shortening_drops_spaces_before_the_ellipsis),
		cmocka_unit_test(test_shortening_an_emoji_never_splits_its_surrogate_pair),
		cmocka_unit_test(test_copy_prefix_never_cuts_inside_a_sequence),
	};
	return cmocka_run_group_tests_name("core/message_text", tests, NULL, NULL);
}
