/* Unit tests for crypto/crypto.c: ids and tokens, MACs (the same as libsodium computed them before
 * libcrypto did, and as older builds stored them), sealing, passwords, the key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

static struct tf_keys *keys;
static char dir[64];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), TF_OK);
	snprintf(dir, sizeof dir, "/tmp/twofold-crypto-test-%ld", (long)getpid());
	mkdir(dir, 0700);
	bool created;
	assert_int_equal(keys_load_or_create(dir, &keys, &created), TF_OK);
	assert_true(created);
	crypto_password_configure(1, 8 * 1024 * 1024);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	keys_free(keys);
	char p[128];
	snprintf(p, sizeof p, "%s/master.key", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_master_key_is_private_and_reloads_the_same(void **state)
{
	(void)state;
	char p[128];
	struct stat st;
	snprintf(p, sizeof p, "%s/master.key", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	struct tf_keys *again;
	bool created;
	assert_int_equal(keys_load_or_create(dir, &again, &created), TF_OK);
	assert_false(created);
	assert_memory_equal(again->mac, keys->mac, TF_KEY_BYTES);
	assert_memory_not_equal(keys->mac, keys->secretbox, TF_KEY_BYTES); /* subkeys differ */
	keys_free(again);
}

static void test_ids_have_prefix_and_128_random_bits(void **state)
{
	(void)state;
	char a[TF_ID_MAX], b[TF_ID_MAX];
	crypto_random_id("usr", a);
	crypto_random_id("usr", b);
	assert_int_equal(strlen(a), 4 + 26);
	assert_int_equal(strncmp(a, "usr_", 4), 0);
	assert_string_not_equal(a, b);
	for (const char *p = a + 4; *p; p++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz234567", *p));
}

static void test_tokens_are_256_bit_base64url(void **state)
{
	(void)state;
	char t[TF_TOKEN_MAX];
	crypto_random_token("tfs_", t);
	assert_int_equal(strlen(t), 4 + 43);
	for (const char *p = t + 4; *p; p++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
}

static void test_secret_mac_depends_on_purpose_and_secret(void **state)
{
	(void)state;
	uint8_t a[TF_MAC_BYTES], b[TF_MAC_BYTES], c[TF_MAC_BYTES];
	crypto_secret_mac(keys, "session", "tok", a);
	crypto_secret_mac(keys, "api_key", "tok", b);
	crypto_secret_mac(keys, "session", "tok2", c);
	assert_false(crypto_equal(a, b, TF_MAC_BYTES));
	assert_false(crypto_equal(a, c, TF_MAC_BYTES));
	crypto_secret_mac(keys, "session", "tok", b);
	assert_true(crypto_equal(a, b, TF_MAC_BYTES));
}

/* What crypto_secret_mac and crypto_mac_parts computed with libsodium until they moved to
 * crypto/hmac.c; the database holds MACs made this way. */
static void sodium_secret_mac(const char *purpose, const char *secret, uint8_t out[32])
{
	crypto_auth_hmacsha256_state st;
	uint8_t zero = 0;
	crypto_auth_hmacsha256_init(&st, keys->mac, TF_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)purpose, strlen(purpose));
	crypto_auth_hmacsha256_update(&st, &zero, 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)secret, strlen(secret));
	crypto_auth_hmacsha256_final(&st, out);
}

static void sodium_mac_parts(const char *purpose, const struct mac_part *parts, size_t n, uint8_t out[32])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, keys->mac, TF_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)purpose, strlen(purpose) + 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t len[8];
		for (int b = 0; b < 8; b++)
			len[b] = (uint8_t)((uint64_t)parts[i].len >> (56 - 8 * b));
		crypto_auth_hmacsha256_update(&st, len, sizeof len);
		crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
	}
	crypto_auth_hmacsha256_final(&st, out);
}

static void test_secret_mac_is_libsodiums_hmac(void **state)
{
	(void)state;
	static const char long_secret[] = "a secret long enough to take more than one SHA-256 block of its own, "
					  "and then some more so that it takes a second one: 0123456789abcdef";
	static const char *secrets[] = {"", "x", "tfs_0123456789012345678901234567890123456789012", long_secret};
	static const char *purposes[] = {"", "session", "api_key", "a purpose of exactly fifty-five bytes, 0123456789abcdef"};
	uint8_t want[32], got[32];
	for (size_t i = 0; i < sizeof purposes / sizeof purposes[0]; i++)
		for (size_t j = 0; j < sizeof secrets / sizeof secrets[0]; j++) {
			sodium_secret_mac(purposes[i], secrets[j], want);
			crypto_secret_mac(keys, purposes[i], secrets[j], got);
			assert_memory_equal(got, want, 32);
		}
}

static void test_mac_parts_is_libsodiums_hmac_for_any_number_of_parts(void **state)
{
	(void)state;
	char big[1000];
	memset(big, 'b', sizeof big);
	struct mac_part parts[10];
	for (size_t i = 0; i < 10; i++)
		parts[i] = (struct mac_part){big + i, i == 3 ? 0 : i * 97 % 1000};
	uint8_t want[32], got[32];
	/* 0 to 10 parts: more than 8 go through libsodium in crypto.c itself */
	for (size_t n = 0; n <= 10; n++) {
		sodium_mac_parts("idempotency", parts, n, want);
		crypto_mac_parts(keys, "idempotency", parts, n, got);
		assert_memory_equal(got, want, 32);
	}
}

static void hex_of(const uint8_t mac[32], char out[65])
{
	sodium_bin2hex(out, 65, mac, 32);
}

/* The master key 00 01 ... 1f and the MACs a build from before libcrypto computed under it. */
static void test_macs_are_those_older_builds_stored(void **state)
{
	(void)state;
	char kdir[80], p[128], hex[65];
	snprintf(kdir, sizeof kdir, "%s-fixed", dir);
	mkdir(kdir, 0700);
	snprintf(p, sizeof p, "%s/master.key", kdir);
	uint8_t master[32];
	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)i;
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, master, sizeof master), 32);
	close(fd);
	struct tf_keys *fixed;
	bool created;
	assert_int_equal(keys_load_or_create(kdir, &fixed, &created), TF_OK);
	assert_false(created);
	uint8_t mac[32];
	crypto_secret_mac(fixed, "session", "tfs_abc", mac);
	hex_of(mac, hex);
	assert_string_equal(hex, "997c024f717c54b055e71bd100481b49e8824f009bd9ed66d643183438ca1281");
	const struct mac_part parts[] = {
		{"app_1", 5},
		{"", 0},
		{"0123456789012345678901234567890123456789012345678901234567890123456789", 70},
	};
	crypto_mac_parts(fixed, "code", parts, 3, mac);
	hex_of(mac, hex);
	assert_string_equal(hex, "605828e5185f351714e3298d53dd202f659edbe50d2051d3ba42e784b6fe5c07");
	keys_free(fixed);
	unlink(p);
	rmdir(kdir);
}

static void test_sealed_secrets_open_and_tampering_is_refused(void **state)
{
	(void)state;
	uint8_t *sealed, *plain;
	size_t sealed_len, plain_len;
	assert_int_equal(crypto_seal(keys, "JBSWY3DPEHPK3PXP", 16, &sealed, &sealed_len), TF_OK);
	assert_null(memmem(sealed, sealed_len, "JBSWY3DP", 8));
	assert_int_equal(crypto_open(keys, sealed, sealed_len, &plain, &plain_len), TF_OK);
	assert_int_equal(plain_len, 16);
	assert_string_equal((char *)plain, "JBSWY3DPEHPK3PXP");
	free(plain);
	sealed[sealed_len - 1] ^= 1;
	assert_int_equal(crypto_open(keys, sealed, sealed_len, &plain, &plain_len), TF_ERR_INTERNAL);
	assert_int_equal(crypto_open(keys, sealed, 10, &plain, &plain_len), TF_ERR_INTERNAL);
	free(sealed);
}

static void test_password_hash_is_argon2id_and_verifies(void **state)
{
	(void)state;
	char h[TF_PWHASH_MAX], h2[TF_PWHASH_MAX];
	assert_int_equal(crypto_password_hash("correct horse", h), TF_OK);
	assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
	assert_true(crypto_password_verify(h, "correct horse"));
	assert_false(crypto_password_verify(h, "correct horsf"));
	assert_int_equal(crypto_password_hash("correct horse", h2), TF_OK);
	assert_string_not_equal(h, h2); /* salted */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_key_is_private_and_reloads_the_same),
		cmocka_unit_test(test_ids_have_prefix_and_128_random_bits),
		cmocka_unit_test(test_tokens_are_256_bit_base64url),
		cmocka_unit_test(test_secret_mac_depends_on_purpose_and_secret),
		cmocka_unit_test(test_secret_mac_is_libsodiums_hmac),
		cmocka_unit_test(test_mac_parts_is_libsodiums_hmac_for_any_number_of_parts),
		cmocka_unit_test(test_macs_are_those_older_builds_stored),
		cmocka_unit_test(test_sealed_secrets_open_and_tampering_is_refused),
		cmocka_unit_test(test_password_hash_is_argon2id_and_verifies),
	};
	return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
