/* Unit tests for core/otp.c and core/base32.c: the RFC 4226 and RFC 6238 vectors (read from
 * tests/vectors/), RFC 4648 base32, and twofold's TOTP rules: one step either side, replay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base32.h"
#include "core/otp.h"
#include "support/fake_clock.h"

static const char *seed_for(enum otp_alg alg, size_t *len)
{
	static const char s[] = "1234567890123456789012345678901234567890123456789012345678901234";
	*len = alg == OTP_SHA1 ? 20 : alg == OTP_SHA256 ? 32 : 64;
	return s;
}

static void test_rfc4226_hotp_vectors(void **state)
{
	(void)state;
	FILE *f = fopen("tests/vectors/rfc4226_hotp.tsv", "r");
	assert_non_null(f);
	char line[256], want[16], got[16];
	unsigned long long counter;
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%llu\t%15s", &counter, want) != 2)
			continue;
		hotp_code((const uint8_t *)"12345678901234567890", 20, OTP_SHA1, 6, counter, got);
		assert_string_equal(got, want);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 10);
}

static void test_rfc6238_totp_vectors_for_all_three_hashes(void **state)
{
	(void)state;
	FILE *f = fopen("tests/vectors/rfc6238_totp.tsv", "r");
	assert_non_null(f);
	char line[256], alg_name[16], want[16], got[16];
	long long t;
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || sscanf(line, "%lld\t%15s\t%15s", &t, alg_name, want) != 3)
			continue;
		enum otp_alg alg = !strcmp(alg_name, "SHA256") ? OTP_SHA256 : !strcmp(alg_name, "SHA512") ? OTP_SHA512 : OTP_SHA1;
		size_t key_len;
		const char *key = seed_for(alg, &key_len);
		hotp_code((const uint8_t *)key, key_len, alg, 8, (uint64_t)totp_step(t * 1000, 30), got);
		assert_string_equal(got, want);
		/* and the verifier accepts it at that time */
		struct totp_params p = {alg, 8, 30, 1};
		int64_t step = -1;
		assert_int_equal(totp_verify((const uint8_t *)key, key_len, &p, want, t * 1000, -1, &step), OTP_OK);
		assert_int_equal(step, totp_step(t * 1000, 30));
		n++;
	}
	fclose(f);
	assert_int_equal(n, 18);
}

static void test_base32_rfc4648_vectors_and_round_trip(void **state)
{
	(void)state;
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const enc[] = {"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"};
	for (int i = 0; i < 7; i++) {
		char out[32];
		uint8_t back[32];
		size_t n;
		base32_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
		assert_string_equal(out, enc[i]);
		assert_true(base32_decode(enc[i], back, sizeof back, &n));
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(back, plain[i], n);
	}
	uint8_t b[32];
	size_t n;
	assert_true(base32_decode("mzxw6ytboi======", b, sizeof b, &n)); /* lower case and padding */
	assert_int_equal(n, 6);
	assert_false(base32_decode("MZXW1", b, sizeof b, &n)); /* '1' is not base32 */
	assert_false(base32_decode("MZ=XW", b, sizeof b, &n));
	assert_false(base32_decode("MZXW6YTBOI", b, 2, &n)); /* too long for the buffer */
}

static const uint8_t key[20] = "12345678901234567890";

static void code_at(int64_t ms, int64_t step_offset, char out[16])
{
	hotp_code(key, sizeof key, OTP_SHA1, 6, (uint64_t)(totp_step(ms, 30) + step_offset), out);
}

static void test_one_step_either_side_is_accepted_two_are_not(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct totp_params p = {OTP_SHA1, 6, 30, 1};
	char c[16];
	int64_t step;
	for (int off = -1; off <= 1; off++) {
		code_at(clk.now_ms, off, c);
		assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, -1, &step), OTP_OK);
	}
	code_at(clk.now_ms, 2, c);
	assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, -1, &step), OTP_WRONG);
	code_at(clk.now_ms, -2, c);
	assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, -1, &step), OTP_WRONG);
}

static void test_a_step_already_accepted_is_a_replay(void **state)
{
	(void)state;
	struct fake_clock clk = fake_clock_new();
	struct totp_params p = {OTP_SHA1, 6, 30, 1};
	char c[16];
	int64_t step = -1, step2 = -1;
	code_at(clk.now_ms, 0, c);
	assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, -1, &step), OTP_OK);
	/* the same code again, 10 seconds later: refused */
	assert_int_equal(totp_verify(key, sizeof key, &p, c, fake_clock_advance(&clk, 10000), step, &step2), OTP_REPLAYED);
	/* the previous step's code is older than the accepted one: also refused */
	code_at(clk.now_ms, -1, c);
	assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, step, &step2), OTP_REPLAYED);
	/* the next step's code is fine */
	code_at(clk.now_ms, 1, c);
	assert_int_equal(totp_verify(key, sizeof key, &p, c, clk.now_ms, step, &step2), OTP_OK);
	assert_int_equal(step2, step + 1);
}

static void test_malformed_codes_are_wrong(void **state)
{
	(void)state;
	struct totp_params p = {OTP_SHA1, 6, 30, 1};
	int64_t step;
	char c[16];
	code_at(FAKE_CLOCK_START, 0, c);
	char longer[20];
	snprintf(longer, sizeof longer, "%s0", c);
	assert_int_equal(totp_verify(key, sizeof key, &p, longer, FAKE_CLOCK_START, -1, &step), OTP_WRONG);
	c[5] = '\0';
	assert_int_equal(totp_verify(key, sizeof key, &p, c, FAKE_CLOCK_START, -1, &step), OTP_WRONG);
	assert_int_equal(totp_verify(key, sizeof key, &p, "", FAKE_CLOCK_START, -1, &step), OTP_WRONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4226_hotp_vectors),
		cmocka_unit_test(test_rfc6238_totp_vectors_for_all_three_hashes),
		cmocka_unit_test(test_base32_rfc4648_vectors_and_round_trip),
		cmocka_unit_test(test_one_step_either_side_is_accepted_two_are_not),
		cmocka_unit_test(test_a_step_already_accepted_is_a_replay),
		cmocka_unit_test(test_malformed_codes_are_wrong),
	};
	return cmocka_run_group_tests_name("core/otp", tests, NULL, NULL);
}
