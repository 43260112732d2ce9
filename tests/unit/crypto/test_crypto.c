/* Unit tests for crypto/crypto.c: ids and tokens, MACs, sealing, passwords, the key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
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
		cmocka_unit_test(test_sealed_secrets_open_and_tampering_is_refused),
		cmocka_unit_test(test_password_hash_is_argon2id_and_verifies),
	};
	return cmocka_run_group_tests_name("crypto", tests, setup, teardown);
}
