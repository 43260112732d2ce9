/* Unit tests for base/errors.def: every code is unique, has a fitting status and a message,
 * and docs/errors.md documents exactly the same codes with the same statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"

static void test_codes_are_unique_upper_snake_case(void **state)
{
	(void)state;
	for (int i = 0; i < TF_ERR__MAX; i++) {
		const char *c = tf_err_code((enum tf_err)i);
		for (const char *p = c; *p; p++)
			assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_');
		for (int j = i + 1; j < TF_ERR__MAX; j++)
			assert_string_not_equal(c, tf_err_code((enum tf_err)j));
	}
}

static void test_every_error_has_a_status_and_message(void **state)
{
	(void)state;
	assert_int_equal(tf_err_status(TF_OK), 200);
	for (int i = 1; i < TF_ERR__MAX; i++) {
		int s = tf_err_status((enum tf_err)i);
		assert_true(s >= 400 && s <= 599);
		assert_true(strlen(tf_err_message((enum tf_err)i)) > 10);
	}
}

static void test_out_of_range_is_internal_error(void **state)
{
	(void)state;
	assert_string_equal(tf_err_code((enum tf_err)9999), "INTERNAL_ERROR");
	assert_int_equal(tf_err_status((enum tf_err)-1), 500);
}

/* docs/errors.md has one table row per code: | `CODE` | status | meaning | */
static void test_docs_list_every_code_with_its_status(void **state)
{
	(void)state;
	FILE *f = fopen("docs/errors.md", "r");
	assert_non_null(f);
	char line[1024];
	int seen[TF_ERR__MAX] = {0};
	int rows = 0;
	while (fgets(line, sizeof line, f)) {
		char code[128];
		int status;
		if (sscanf(line, "| `%127[A-Z0-9_]` | %d |", code, &status) != 2)
			continue;
		rows++;
		int found = -1;
		for (int i = 1; i < TF_ERR__MAX; i++)
			if (strcmp(code, tf_err_code((enum tf_err)i)) == 0)
				found = i;
		if (found < 0)
			fail_msg("docs/errors.md lists %s, which errors.def does not have", code);
		assert_int_equal(status, tf_err_status((enum tf_err)found));
		seen[found]++;
	}
	fclose(f);
	for (int i = 1; i < TF_ERR__MAX; i++)
		if (seen[i] != 1)
			fail_msg("docs/errors.md must list %s exactly once", tf_err_code((enum tf_err)i));
	assert_int_equal(rows, TF_ERR__MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_are_unique_upper_snake_case),
		cmocka_unit_test(test_every_error_has_a_status_and_message),
		cmocka_unit_test(test_out_of_range_is_internal_error),
		cmocka_unit_test(test_docs_list_every_code_with_its_status),
	};
	return cmocka_run_group_tests_name("base/errors", tests, NULL, NULL);
}
