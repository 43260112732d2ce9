/* Unit tests for core/audit_chain.c: the keyed hash chain detects every kind of tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/audit_chain.h"

static const uint8_t key[AUDIT_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8};

static struct audit_row chain[3];

static void build(void)
{
	static const char *const events[] = {"app.created", "user.registered", "login.succeeded"};
	uint8_t prev[AUDIT_HASH_BYTES] = {0};
	for (int i = 0; i < 3; i++) {
		chain[i] = (struct audit_row){.seq = i + 1, .at_ms = 1000 + i, .app_id = "app_a", .event = events[i],
					      .actor = "admin", .subject = "usr_1", .ip = "127.0.0.1",
					      .request_id = "req_1", .details = "{}"};
		memcpy(chain[i].prev_hash, prev, AUDIT_HASH_BYTES);
		audit_chain_hash(key, &chain[i]);
		memcpy(prev, chain[i].hash, AUDIT_HASH_BYTES);
	}
}

static int check_all(const char **why)
{
	for (int i = 0; i < 3; i++)
		if (!audit_chain_check(key, i ? &chain[i - 1] : NULL, &chain[i], why))
			return i + 1;
	return 0;
}

static void test_intact_chain_verifies(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	assert_int_equal(check_all(&why), 0);
}

static void test_changed_field_breaks_that_row(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	chain[1].details = "{\"changed\":true}";
	assert_int_equal(check_all(&why), 2);
	assert_non_null(strstr(why, "contents"));
}

static void test_field_boundaries_are_unambiguous(void **state)
{
	(void)state;
	build();
	struct audit_row a = chain[0], b = chain[0];
	a.actor = "ab";
	a.subject = "c";
	b.actor = "a";
	b.subject = "bc";
	audit_chain_hash(key, &a);
	audit_chain_hash(key, &b);
	assert_memory_not_equal(a.hash, b.hash, AUDIT_HASH_BYTES);
}

static void test_removed_row_is_a_sequence_gap(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	assert_false(audit_chain_check(key, &chain[0], &chain[2], &why));
	assert_non_null(strstr(why, "sequence"));
}

static void test_rehashed_row_without_the_key_is_detected(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	static const uint8_t other_key[AUDIT_KEY_BYTES] = {9};
	chain[1].event = "login.failed";
	audit_chain_hash(other_key, &chain[1]); /* an attacker without the master key */
	assert_int_equal(check_all(&why), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact_chain_verifies),
		cmocka_unit_test(test_changed_field_breaks_that_row),
		cmocka_unit_test(test_field_boundaries_are_unambiguous),
		cmocka_unit_test(test_removed_row_is_a_sequence_gap),
		cmocka_unit_test(test_rehashed_row_without_the_key_is_detected),
	};
	return cmocka_run_group_tests_name("core/audit_chain", tests, NULL, NULL);
}
