/* Unit tests for the factor options (sca/factor_options.c), pure parts only: an application's
 * enabled types read from its row ("" and unreadable text: every type) and written back in the
 * kinds' order; which types need no smartphone; a user's options under the enabled types, the
 * relying-party settings, a kind a user has one of, and the factor limit; the flag that says
 * whether a means without a smartphone is among them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sca/factor_options.h"

#define BIT(t) FACTOR_TYPE_BIT(t)

static unsigned enabled(const char *text)
{
	struct app_row a;
	memset(&a, 0, sizeof a);
	snprintf(a.enabled_factor_types, sizeof a.enabled_factor_types, "%s", text);
	return factor_types_enabled(&a);
}

static void test_enabled_types_are_read_and_written_in_the_kinds_order(void **state)
{
	(void)state;
	assert_int_equal(enabled(""), FACTOR_TYPES_ALL);
	assert_int_equal(enabled("not json"), FACTOR_TYPES_ALL);
	assert_int_equal(enabled("[\"email\",\"totp\"]"), BIT(FACTOR_EMAIL) | BIT(FACTOR_TOTP));
	assert_int_equal(enabled("[\"fax\",\"voice\"]"), BIT(FACTOR_VOICE));
	char text[STORE_FACTOR_TYPES_MAX];
	factor_types_text(BIT(FACTOR_EMAIL) | BIT(FACTOR_TOTP) | BIT(FACTOR_SMS), text);
	assert_string_equal(text, "[\"sms\",\"totp\",\"email\"]");
	factor_types_text(FACTOR_TYPES_ALL, text);
	assert_string_equal(text, "[\"sms\",\"voice\",\"totp\",\"backup_codes\",\"push\",\"passkey\",\"email\"]");
	assert_int_equal(enabled(text), FACTOR_TYPES_ALL);
}

static void test_voice_email_and_a_configured_passkey_need_no_smartphone(void **state)
{
	(void)state;
	for (int t = 0; t < FACTOR_TYPE__MAX; t++) {
		const struct factor_kind *k = factor_kind_of((enum factor_type)t);
		bool without = t == FACTOR_VOICE || t == FACTOR_EMAIL || t == FACTOR_PASSKEY;
		bool smartphone = t == FACTOR_TOTP || t == FACTOR_PUSH;
		assert_int_equal((k->flags & FACTOR_KIND_WITHOUT_SMARTPHONE) != 0, without);
		assert_int_equal((k->flags & FACTOR_KIND_NEEDS_SMARTPHONE) != 0, smartphone);
		assert_non_null(k->needs);
	}
	assert_true(factor_types_without_smartphone(FACTOR_TYPES_ALL, false));
	assert_true(factor_types_without_smartphone(BIT(FACTOR_VOICE), false));
	assert_true(factor_types_without_smartphone(BIT(FACTOR_EMAIL) | BIT(FACTOR_TOTP), false));
	assert_false(factor_types_without_smartphone(BIT(FACTOR_PASSKEY) | BIT(FACTOR_TOTP), false));
	assert_true(factor_types_without_smartphone(BIT(FACTOR_PASSKEY) | BIT(FACTOR_TOTP), true));
	assert_false(factor_types_without_smartphone(BIT(FACTOR_SMS) | BIT(FACTOR_BACKUP_CODES) | BIT(FACTOR_PUSH), true));
}

static void test_options_follow_the_settings_the_sheet_and_the_limit(void **state)
{
	(void)state;
	static struct factor_row list[FACTORS_PER_USER_MAX];
	struct factor_options o;
	factor_options_of(FACTOR_TYPES_ALL, false, NULL, 0, &o);
	for (int t = 0; t < FACTOR_TYPE__MAX; t++)
		assert_int_equal(o.state[t], t == FACTOR_PASSKEY ? FACTOR_OPTION_WEBAUTHN_NOT_CONFIGURED : FACTOR_OPTION_AVAILABLE);
	assert_true(o.without_smartphone);

	factor_options_of(BIT(FACTOR_TOTP) | BIT(FACTOR_PASSKEY), false, NULL, 0, &o);
	assert_int_equal(o.state[FACTOR_EMAIL], FACTOR_OPTION_DISABLED);
	assert_false(o.without_smartphone);
	factor_options_of(BIT(FACTOR_TOTP) | BIT(FACTOR_PASSKEY), true, NULL, 0, &o);
	assert_int_equal(o.state[FACTOR_PASSKEY], FACTOR_OPTION_AVAILABLE);
	assert_true(o.without_smartphone);

	memset(list, 0, sizeof list);
	list[0].type = FACTOR_BACKUP_CODES;
	list[1].type = FACTOR_EMAIL;
	factor_options_of(FACTOR_TYPES_ALL, true, list, 2, &o);
	assert_int_equal(o.state[FACTOR_BACKUP_CODES], FACTOR_OPTION_ALREADY_ENROLLED);
	assert_int_equal(o.state[FACTOR_EMAIL], FACTOR_OPTION_AVAILABLE); /* no limit of one */
	assert_true(o.without_smartphone);

	for (size_t i = 0; i < FACTORS_PER_USER_MAX; i++)
		list[i].type = FACTOR_TOTP;
	factor_options_of(FACTOR_TYPES_ALL, true, list, FACTORS_PER_USER_MAX, &o);
	for (int t = 0; t < FACTOR_TYPE__MAX; t++)
		assert_int_equal(o.state[t], FACTOR_OPTION_FACTOR_LIMIT_REACHED);
	assert_false(o.without_smartphone);
	assert_string_equal(factor_option_state_names[FACTOR_OPTION_FACTOR_LIMIT_REACHED], "factor_limit_reached");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enabled_types_are_read_and_written_in_the_kinds_order),
		cmocka_unit_test(test_voice_email_and_a_configured_passkey_need_no_smartphone),
		cmocka_unit_test(test_options_follow_the_settings_the_sheet_and_the_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
