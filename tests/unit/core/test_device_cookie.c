/* Unit tests for core/device_cookie.c: round trip, expiry with a fake clock, every alteration
 * an attacker could try is refused, and cookies are byte for byte those older builds issued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/device_cookie.h"
#include "crypto/hmac.h"
#include "support/fake_clock.h"

static const uint8_t key_bytes[32] = {7, 7, 7};
static struct tf_hmac_key *key;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) /* sodium_malloc needs it */
		return -1;
	return hmac_key_new(key_bytes, sizeof key_bytes, &key) == TF_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	hmac_key_free(key);
	hmac_thread_release();
	return 0;
}

static struct device_claims claims(int64_t expires_at)
{
	struct device_claims c = {.kind = DEVICE_PERSISTENT, .domain = DOMAIN_API, .expires_at = expires_at};
	snprintf(c.app_id, sizeof c.app_id, "app_aaaa");
	snprintf(c.user_id, sizeof c.user_id, "usr_bbbb");
	snprintf(c.device_id, sizeof c.device_id, "dev_cccc");
	return c;
}

static void test_round_trip_until_expiry(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct device_claims in = claims(clk.now_ms + DEVICE_PERSISTENT_MS), out;
	char cookie[DEVICE_COOKIE_MAX];
	assert_true(device_cookie_encode(key, &in, cookie));
	assert_int_equal(strncmp(cookie, "tfd1.", 5), 0);
	assert_int_equal(device_cookie_check(key, cookie, clk.now_ms, &out), COOKIE_VALID);
	assert_string_equal(out.app_id, "app_aaaa");
	assert_string_equal(out.user_id, "usr_bbbb");
	assert_string_equal(out.device_id, "dev_cccc");
	assert_int_equal(out.kind, DEVICE_PERSISTENT);
	assert_int_equal(out.domain, DOMAIN_API);
	assert_int_equal(device_cookie_check(key, cookie, fake_clock_advance(&clk, DEVICE_PERSISTENT_MS - 1), &out), COOKIE_VALID);
	assert_int_equal(device_cookie_check(key, cookie, fake_clock_advance(&clk, 1), &out), COOKIE_EXPIRED);
}

static void test_any_altered_character_is_refused(void **state)
{
	(void)state;
	struct device_claims in = claims(FAKE_CLOCK_START + DEVICE_SESSION_MS), out;
	char cookie[DEVICE_COOKIE_MAX], bad[DEVICE_COOKIE_MAX];
	assert_true(device_cookie_encode(key, &in, cookie));
	size_t len = strlen(cookie);
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, cookie, len + 1);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		enum cookie_verdict v = device_cookie_check(key, bad, FAKE_CLOCK_START, &out);
		if (v == COOKIE_VALID)
			fail_msg("altered cookie accepted (position %zu)", i);
	}
	bad[0] = '\0';
	assert_int_equal(device_cookie_check(key, "", FAKE_CLOCK_START, &out), COOKIE_MALFORMED);
	assert_int_equal(device_cookie_check(key, "tfd2.abc.def", FAKE_CLOCK_START, &out), COOKIE_MALFORMED);
	memcpy(bad, cookie, len - 3);
	bad[len - 3] = '\0';
	assert_int_not_equal(device_cookie_check(key, bad, FAKE_CLOCK_START, &out), COOKIE_VALID);
}

static void test_another_key_or_swapped_payload_fails(void **state)
{
	(void)state;
	static const uint8_t other_bytes[32] = {8};
	struct tf_hmac_key *other;
	assert_int_equal(hmac_key_new(other_bytes, sizeof other_bytes, &other), TF_OK);
	struct device_claims a = claims(FAKE_CLOCK_START + 1000), b = claims(FAKE_CLOCK_START + 1000), out;
	snprintf(b.user_id, sizeof b.user_id, "usr_zzzz");
	char ca[DEVICE_COOKIE_MAX], cb[DEVICE_COOKIE_MAX], mix[DEVICE_COOKIE_MAX * 2];
	assert_true(device_cookie_encode(key, &a, ca));
	assert_true(device_cookie_encode(key, &b, cb));
	assert_int_equal(device_cookie_check(other, ca, FAKE_CLOCK_START, &out), COOKIE_BAD_MAC);
	/* b's payload with a's MAC */
	const char *mac_a = strrchr(ca, '.');
	snprintf(mix, sizeof mix, "%.*s%s", (int)(strrchr(cb, '.') - cb), cb, mac_a);
	assert_int_equal(device_cookie_check(key, mix, FAKE_CLOCK_START, &out), COOKIE_BAD_MAC);
	hmac_key_free(other);
}

static void test_session_and_hosted_claims_round_trip(void **state)
{
	(void)state;
	struct device_claims in = claims(FAKE_CLOCK_START + DEVICE_SESSION_MS), out;
	in.kind = DEVICE_SESSION;
	in.domain = DOMAIN_HOSTED;
	char cookie[DEVICE_COOKIE_MAX];
	assert_true(device_cookie_encode(key, &in, cookie));
	assert_int_equal(device_cookie_check(key, cookie, FAKE_CLOCK_START, &out), COOKIE_VALID);
	assert_int_equal(out.kind, DEVICE_SESSION);
	assert_int_equal(out.domain, DOMAIN_HOSTED);
}

/* A cookie signed with the key over payload, as device_cookie_encode signs. */
static void signed_cookie(const char *payload, char out[DEVICE_COOKIE_MAX])
{
	const int b64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	snprintf(out, DEVICE_COOKIE_MAX, "tfd1.");
	sodium_bin2base64(out + 5, DEVICE_COOKIE_MAX - 5, (const uint8_t *)payload, strlen(payload), b64);
	size_t signed_len = strlen(out);
	uint8_t mac[32];
	crypto_auth_hmacsha256(mac, (const uint8_t *)out, signed_len, key_bytes);
	out[signed_len] = '.';
	sodium_bin2base64(out + signed_len + 1, DEVICE_COOKIE_MAX - signed_len - 1, mac, sizeof mac, b64);
}

/* Signed claims with a kind or a domain that is none of the names are refused. */
static void test_an_unknown_kind_or_domain_is_malformed(void **state)
{
	(void)state;
	char cookie[DEVICE_COOKIE_MAX];
	struct device_claims out;
	signed_cookie("app_aaaa|usr_bbbb|dev_cccc|session|hosted|1900000000000", cookie);
	assert_int_equal(device_cookie_check(key, cookie, FAKE_CLOCK_START, &out), COOKIE_VALID);
	assert_int_equal(out.kind, DEVICE_SESSION);
	assert_int_equal(out.domain, DOMAIN_HOSTED);
	signed_cookie("app_aaaa|usr_bbbb|dev_cccc|forever|api|1900000000000", cookie);
	assert_int_equal(device_cookie_check(key, cookie, FAKE_CLOCK_START, &out), COOKIE_MALFORMED);
	signed_cookie("app_aaaa|usr_bbbb|dev_cccc|persistent|web|1900000000000", cookie);
	assert_int_equal(device_cookie_check(key, cookie, FAKE_CLOCK_START, &out), COOKIE_MALFORMED);
	signed_cookie("app_aaaa|usr_bbbb|dev_cccc|persistent", cookie);
	assert_int_equal(device_cookie_check(key, cookie, FAKE_CLOCK_START, &out), COOKIE_MALFORMED);
}

/* A cookie issued by a build from before libcrypto computed the MAC (libsodium's
 * crypto_auth_hmacsha256): encoding the same claims gives the same text, and it still validates. */
static void test_cookies_are_those_older_builds_issued(void **state)
{
	(void)state;
	static const char old[] = "tfd1.YXBwX2FhYWF8dXNyX2JiYmJ8ZGV2X2NjY2N8cGVyc2lzdGVudHxhcGl8MTc2NzIyNTYwMDAwMA"
				  ".BOLNtbwDZ42QWSwVE67OGlshCKlUnWteTq7f_2od1-k";
	struct device_claims in = claims(1767225600000LL), out;
	char cookie[DEVICE_COOKIE_MAX];
	assert_true(device_cookie_encode(key, &in, cookie));
	assert_string_equal(cookie, old);
	assert_int_equal(device_cookie_check(key, old, 1767225600000LL - 1, &out), COOKIE_VALID);
	assert_string_equal(out.device_id, "dev_cccc");
	/* and its MAC is libsodium's HMAC-SHA-256 of the signed part */
	uint8_t mac[32];
	char b64[48];
	size_t signed_len = (size_t)(strrchr(old, '.') - old);
	crypto_auth_hmacsha256(mac, (const uint8_t *)old, signed_len, key_bytes);
	sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_string_equal(b64, old + signed_len + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_until_expiry),
		cmocka_unit_test(test_any_altered_character_is_refused),
		cmocka_unit_test(test_another_key_or_swapped_payload_fails),
		cmocka_unit_test(test_session_and_hosted_claims_round_trip),
		cmocka_unit_test(test_cookies_are_those_older_builds_issued),
		cmocka_unit_test(test_an_unknown_kind_or_domain_is_malformed),
	};
	return cmocka_run_group_tests_name("core/device_cookie", tests, setup, teardown);
}
