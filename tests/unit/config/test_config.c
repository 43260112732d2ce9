/* Unit tests for config/: defaults, the file, flags and environment in that order, bounds,
 * and docs/configuration.md documenting every setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

static char path[64];

static void write_file(const char *text)
{
	snprintf(path, sizeof path, "/tmp/twofold-config-test-%ld.conf", (long)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_defaults(void **state)
{
	(void)state;
	struct tf_config c;
	config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8420");
	assert_int_equal(c.session_idle_timeout, 1800);
	assert_int_equal(c.unverified_user_ttl, 90 * 24 * 3600);
	assert_string_equal(c.durability, "normal");
	assert_true(c.delivery_echo);
}

static void test_file_then_flags_then_environment(void **state)
{
	(void)state;
	write_file("# comment\nlisten = 127.0.0.1:9000\nsession_idle_timeout = 60\nlog_level = \"warn\"\ndata=/tmp/x\n");
	char *argv[] = {"--config", path, "--session-idle-timeout", "120", "--data=/tmp/y"};
	char *envp[] = {"TWOFOLD_DATA=/tmp/z", "OTHER=1", NULL};
	struct tf_config c;
	char err[256];
	assert_int_equal(config_load(&c, 5, argv, envp, err, sizeof err), 0);
	assert_string_equal(c.listen, "127.0.0.1:9000"); /* file */
	assert_int_equal(c.session_idle_timeout, 120);   /* flag over file */
	assert_string_equal(c.data, "/tmp/z");           /* environment over flag */
	assert_string_equal(c.log_level, "warn");
	unlink(path);
}

static void test_bad_values_are_refused_with_a_reason(void **state)
{
	(void)state;
	struct tf_config c;
	char err[256];
	config_defaults(&c);
	assert_int_equal(config_set(&c, "session_idle_timeout", "0", err, sizeof err), -1);
	assert_non_null(strstr(err, "session_idle_timeout"));
	assert_int_equal(config_set(&c, "session_idle_timeout", "12x", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "durability", "sometimes", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "delivery_echo", "maybe", err, sizeof err), -1);
	assert_int_equal(config_set(&c, "no_such_setting", "1", err, sizeof err), -1);
	char *argv[] = {"--listen"};
	assert_int_equal(config_load(&c, 1, argv, NULL, err, sizeof err), -1);
	char *argv2[] = {"serve-now"};
	assert_int_equal(config_load(&c, 1, argv2, NULL, err, sizeof err), -1);
}

static void test_admin_token_is_never_a_flag(void **state)
{
	(void)state;
	struct tf_config c;
	char err[256];
	char *argv[] = {"--admin-token", "secret-value"};
	assert_int_equal(config_load(&c, 2, argv, NULL, err, sizeof err), -1);
	assert_null(strstr(err, "secret-value"));
	char *envp[] = {"TWOFOLD_ADMIN_TOKEN=from-env", NULL};
	assert_int_equal(config_load(&c, 0, NULL, envp, err, sizeof err), 0);
	assert_string_equal(c.admin_token, "from-env");
}

static void test_file_errors_name_the_line(void **state)
{
	(void)state;
	write_file("listen = 127.0.0.1:1\nthreads = lots\n");
	struct tf_config c;
	char err[512];
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2:"));
	unlink(path);
}

static void test_docs_describe_every_setting(void **state)
{
	(void)state;
	FILE *f = fopen("docs/configuration.md", "r");
	assert_non_null(f);
	static char text[65536];
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < config_settings_count; i++) {
		char row[128];
		snprintf(row, sizeof row, "| `%s` |", config_settings[i].name);
		if (!strstr(text, row))
			fail_msg("docs/configuration.md does not describe %s", config_settings[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_then_flags_then_environment),
		cmocka_unit_test(test_bad_values_are_refused_with_a_reason),
		cmocka_unit_test(test_admin_token_is_never_a_flag),
		cmocka_unit_test(test_file_errors_name_the_line),
		cmocka_unit_test(test_docs_describe_every_setting),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
