/* Unit tests for core/numeric_id.c: ids to numbers and back, exactly, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/numeric_id.h"
#include "crypto/crypto.h"

static void test_round_trip_of_random_ids(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++) {
		char id[TF_ID_MAX], digits[NUMERIC_ID_MAX], back[TF_ID_MAX];
		crypto_random_id("chl", id);
		assert_true(numeric_id_from_id(id, digits));
		for (const char *p = digits; *p; p++)
			assert_true(*p >= '0' && *p <= '9');
		assert_true(numeric_id_to_id(digits, "chl", back, sizeof back));
		assert_string_equal(back, id);
	}
}

static void test_known_values(void **state)
{
	(void)state;
	char digits[NUMERIC_ID_MAX], id[TF_ID_MAX];
	assert_true(numeric_id_from_id("usr_aaaaaaaaaaaaaaaaaaaaaaaaaa", digits));
	assert_string_equal(digits, "0");
	assert_true(numeric_id_from_id("usr_aaaaaaaaaaaaaaaaaaaaaaaaae", digits)); /* the lowest bit */
	assert_string_equal(digits, "1");
	assert_true(numeric_id_from_id("usr_77777777777777777777777774", digits)); /* all 128 bits */
	assert_string_equal(digits, "340282366920938463463374607431768211455");
	assert_true(numeric_id_to_id("340282366920938463463374607431768211455", "usr", id, sizeof id));
	assert_string_equal(id, "usr_77777777777777777777777774");
}

static void test_refusals(void **state)
{
	(void)state;
	char digits[NUMERIC_ID_MAX], id[TF_ID_MAX];
	assert_false(numeric_id_from_id("usr_short", digits));
	assert_false(numeric_id_from_id("usr_aaaaaaaaaaaaaaaaaaaaaaaaab", digits)); /* padding bits set */
	assert_false(numeric_id_from_id("usr_AAAAAAAAAAAAAAAAAAAAAAAAAA", digits));
	assert_false(numeric_id_to_id("340282366920938463463374607431768211456", "usr", id, sizeof id)); /* 2^128 */
	assert_false(numeric_id_to_id("12a", "usr", id, sizeof id));
	assert_false(numeric_id_to_id("", "usr", id, sizeof id));
	assert_false(numeric_id_to_id("007", "usr", id, sizeof id));
	assert_true(numeric_id_to_id("7", "usr", id, sizeof id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_of_random_ids),
		cmocka_unit_test(test_known_values),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
