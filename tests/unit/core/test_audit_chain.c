/* Unit tests for core/audit_chain.c: the per-application chains (format 2) and the keyed chain
 * before them (format 1, still checked when its rows are moved) detect every kind of tampering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/audit_chain.h"
#include "crypto/hmac.h"

static const uint8_t raw_key[32] = {1, 2, 3, 4, 5, 6, 7, 8};
static struct tf_hmac_key *key;

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
		audit_v1_hash(key, &chain[i]);
		memcpy(prev, chain[i].hash, AUDIT_HASH_BYTES);
	}
}

static int check_all(const char **why)
{
	for (int i = 0; i < 3; i++)
		if (!audit_v1_check(key, i ? &chain[i - 1] : NULL, &chain[i], why))
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
	audit_v1_hash(key, &a);
	audit_v1_hash(key, &b);
	assert_memory_not_equal(a.hash, b.hash, AUDIT_HASH_BYTES);
}

static void test_removed_row_is_a_sequence_gap(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	assert_false(audit_v1_check(key, &chain[0], &chain[2], &why));
	assert_non_null(strstr(why, "sequence"));
}

static void test_rehashed_row_without_the_key_is_detected(void **state)
{
	(void)state;
	const char *why = NULL;
	build();
	static const uint8_t other_raw[32] = {9};
	struct tf_hmac_key *other_key;
	assert_int_equal(hmac_key_new(other_raw, sizeof other_raw, &other_key), TF_OK);
	chain[1].event = "login.failed";
	audit_v1_hash(other_key, &chain[1]); /* an attacker without the master key */
	assert_int_equal(check_all(&why), 2);
	hmac_key_free(other_key);
}

/* The encoding as libsodium computed it before the prepared keys (sessions 1 to 3): chains
 * written then must still verify, so the hash must be the same bytes. */
static void old_field(crypto_auth_hmacsha256_state *st, const void *data, size_t len)
{
	uint8_t n[8];
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	crypto_auth_hmacsha256_update(st, n, sizeof n);
	crypto_auth_hmacsha256_update(st, data, len);
}

static void old_int(crypto_auth_hmacsha256_state *st, int64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	old_field(st, b, sizeof b);
}

static void test_hash_is_the_one_earlier_builds_wrote(void **state)
{
	(void)state;
	build();
	static const char long_details[] = "{\"reason\":\"a details text longer than one SHA-256 block, "
					   "so that the message crosses block edges in its middle, as real rows do\"}";
	chain[2].details = long_details;
	chain[2].ip = "";
	audit_v1_hash(key, &chain[2]);
	for (int i = 0; i < 3; i++) {
		const struct audit_row *r = &chain[i];
		crypto_auth_hmacsha256_state st;
		uint8_t want[AUDIT_HASH_BYTES];
		crypto_auth_hmacsha256_init(&st, raw_key, sizeof raw_key);
		old_field(&st, "twofold-audit-v1", 16);
		old_field(&st, r->prev_hash, AUDIT_HASH_BYTES);
		old_int(&st, r->seq);
		old_int(&st, r->at_ms);
		const char *strs[] = {r->app_id, r->event, r->actor, r->subject, r->ip, r->request_id, r->details};
		for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
			old_field(&st, strs[j], strlen(strs[j]));
		crypto_auth_hmacsha256_final(&st, want);
		assert_memory_equal(r->hash, want, AUDIT_HASH_BYTES);
	}
}

/* ---- the chains of events ---- */

static struct audit_event_row events[3];

static void build_events(const char *chain_name)
{
	static const char *const types[] = {"user.registered", "login.succeeded", "session.revoked"};
	uint8_t prev[AUDIT_HASH_BYTES] = {0};
	for (int i = 0; i < 3; i++) {
		events[i] = (struct audit_event_row){.seq = i + 1, .at_ms = 1000 + i, .type = types[i], .actor = "app:app_a",
						     .subject = "usr_1", .ip = "127.0.0.1", .request_id = "req_1",
						     .details = "{}"};
		snprintf(events[i].chain, sizeof events[i].chain, "%s", chain_name);
		memcpy(events[i].prev_hash, prev, AUDIT_HASH_BYTES);
		audit_event_hash(&events[i]);
		memcpy(prev, events[i].hash, AUDIT_HASH_BYTES);
	}
}

static int check_events(const char **why)
{
	for (int i = 0; i < 3; i++)
		if (!audit_event_check(i ? &events[i - 1] : NULL, &events[i], why))
			return i + 1;
	return 0;
}

/* the encoding docs/audit.md states, computed independently (Python's hashlib over the parts) */
static void test_event_hash_is_the_documented_encoding(void **state)
{
	(void)state;
	struct audit_event_row e = {.chain = "app_a", .seq = 1, .at_ms = 1000, .type = "user.registered",
				    .actor = "app:app_a", .subject = "usr_1", .ip = "127.0.0.1", .request_id = "req_1",
				    .details = "{\"k\":\"\xc3\xbc\"}"};
	audit_event_hash(&e);
	char hex[AUDIT_HASH_HEX];
	sodium_bin2hex(hex, sizeof hex, e.hash, AUDIT_HASH_BYTES);
	assert_string_equal(hex, "3b0e2315b6d2b5888bf285da3039b3dcfa5f450b79ca310b1c95d18bee075acd");
}

static void test_event_chain_detects_edits_gaps_and_moves(void **state)
{
	(void)state;
	const char *why = NULL;
	build_events("app_a");
	assert_int_equal(check_events(&why), 0);
	events[1].details = "{\"edited\":true}";
	assert_int_equal(check_events(&why), 2);
	assert_non_null(strstr(why, "contents"));
	build_events("app_a");
	assert_false(audit_event_check(&events[0], &events[2], &why));
	assert_non_null(strstr(why, "sequence"));
	/* an event shown as another application's (or the deployment's) does not verify there */
	build_events("app_a");
	snprintf(events[1].chain, sizeof events[1].chain, "app_b");
	assert_int_equal(check_events(&why), 2);
	/* the parts' boundaries are unambiguous */
	build_events("app_a");
	struct audit_event_row a = events[0], b = events[0];
	a.actor = "ab";
	a.subject = "c";
	b.actor = "a";
	b.subject = "bc";
	audit_event_hash(&a);
	audit_event_hash(&b);
	assert_memory_not_equal(a.hash, b.hash, AUDIT_HASH_BYTES);
}

static void test_the_head_message_and_the_chain_of_an_event(void **state)
{
	(void)state;
	uint8_t hash[AUDIT_HASH_BYTES];
	memset(hash, 0xab, sizeof hash);
	char msg[AUDIT_HEAD_MESSAGE_MAX];
	size_t n = audit_head_message("app_x", 12, hash, 1796600000123, msg);
	const char *want = "twofold-audit-head-v1\napp_x\n12\n"
			   "abababababababababababababababababababababababababababababababab\n1796600000123";
	assert_int_equal(n, strlen(want));
	assert_string_equal(msg, want);
	assert_string_equal(audit_chain_of("app_x", "user.registered"), "app_x");
	assert_string_equal(audit_chain_of("app_x", "app.created"), AUDIT_DEPLOYMENT_CHAIN);
	assert_string_equal(audit_chain_of("app_x", "app.settings_changed"), AUDIT_DEPLOYMENT_CHAIN);
	assert_string_equal(audit_chain_of("", "master_key.rotated"), AUDIT_DEPLOYMENT_CHAIN);
	assert_string_equal(audit_chain_of(NULL, "anything"), AUDIT_DEPLOYMENT_CHAIN);
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 || hmac_key_new(raw_key, sizeof raw_key, &key) != TF_OK;
}

static int teardown(void **state)
{
	(void)state;
	hmac_key_free(key);
	hmac_thread_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact_chain_verifies),
		cmocka_unit_test(test_changed_field_breaks_that_row),
		cmocka_unit_test(test_field_boundaries_are_unambiguous),
		cmocka_unit_test(test_removed_row_is_a_sequence_gap),
		cmocka_unit_test(test_rehashed_row_without_the_key_is_detected),
		cmocka_unit_test(test_hash_is_the_one_earlier_builds_wrote),
		cmocka_unit_test(test_event_hash_is_the_documented_encoding),
		cmocka_unit_test(test_event_chain_detects_edits_gaps_and_moves),
		cmocka_unit_test(test_the_head_message_and_the_chain_of_an_event),
	};
	return cmocka_run_group_tests_name("core/audit_chain", tests, setup, teardown);
}
