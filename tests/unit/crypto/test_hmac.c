/* Unit tests for crypto/hmac.c: the RFC 4231 vectors (tests/vectors/rfc4231_hmac.tsv), the same
 * MAC as libsodium's crypto_auth_hmacsha256 for every key and message length around SHA-256's
 * block edges however the message is cut into parts, and threads sharing one key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/hmac.h"

static int setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), TF_OK);
	return 0;
}

/* libsodium's HMAC-SHA-256 of msg under key: the reference (any key length) */
static void reference(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len, uint8_t out[32])
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, out);
}

static void mac_whole(const struct tf_hmac_key *k, const uint8_t *msg, size_t len, uint8_t out[32])
{
	const struct mac_part p = {msg, len};
	hmac_sha256(k, &p, 1, out);
}

static void test_rfc4231_vectors(void **state)
{
	(void)state;
	FILE *f = fopen("tests/vectors/rfc4231_hmac.tsv", "r");
	assert_non_null(f);
	char line[2048], name[64], key_hex[512], data_hex[1024], mac_hex[80];
	int n = 0;
	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' ||
		    sscanf(line, "%63s\t%511s\t%1023s\t%79s", name, key_hex, data_hex, mac_hex) != 4)
			continue;
		uint8_t key[256], data[512], want[32], got[32];
		size_t key_len, data_len, mac_len;
		assert_int_equal(sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, &key_len, NULL), 0);
		assert_int_equal(sodium_hex2bin(data, sizeof data, data_hex, strlen(data_hex), NULL, &data_len, NULL), 0);
		assert_int_equal(sodium_hex2bin(want, sizeof want, mac_hex, strlen(mac_hex), NULL, &mac_len, NULL), 0);
		assert_int_equal(mac_len, 32);
		struct tf_hmac_key *k;
		assert_int_equal(hmac_key_new(key, key_len, &k), TF_OK);
		mac_whole(k, data, data_len, got);
		if (memcmp(got, want, 32) != 0)
			fail_msg("%s: wrong MAC", name);
		/* cut in two at every place */
		for (size_t cut = 0; cut <= data_len; cut++) {
			const struct mac_part p[] = {{data, cut}, {data + cut, data_len - cut}};
			hmac_sha256(k, p, 2, got);
			if (memcmp(got, want, 32) != 0)
				fail_msg("%s: wrong MAC cut at %zu", name, cut);
		}
		reference(key, key_len, data, data_len, got);
		assert_memory_equal(got, want, 32); /* the vectors are libsodium's too */
		hmac_key_free(k);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 7);
}

static void test_same_as_libsodium_for_every_block_edge(void **state)
{
	(void)state;
	static const size_t key_lens[] = {0, 1, 20, 32, 63, 64, 65, 100, 131};
	static const size_t lens[] = {0, 1, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 150, 1000};
	uint8_t key[131], msg[1000], want[32], got[32];
	randombytes_buf(key, sizeof key);
	randombytes_buf(msg, sizeof msg);
	for (size_t ki = 0; ki < sizeof key_lens / sizeof key_lens[0]; ki++) {
		struct tf_hmac_key *k;
		assert_int_equal(hmac_key_new(key, key_lens[ki], &k), TF_OK);
		for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
			size_t len = lens[li];
			reference(key, key_lens[ki], msg, len, want);
			mac_whole(k, msg, len, got);
			if (memcmp(got, want, 32) != 0)
				fail_msg("key %zu bytes, message %zu bytes: differs from libsodium", key_lens[ki], len);
			/* in three parts, the cuts on and around the block edges, with empty parts */
			static const size_t cuts[] = {0, 1, 55, 56, 63, 64, 65, 127, 128, 129};
			for (size_t a = 0; a < sizeof cuts / sizeof cuts[0]; a++)
				for (size_t b = a; b < sizeof cuts / sizeof cuts[0]; b++) {
					size_t x = cuts[a] < len ? cuts[a] : len, y = cuts[b] < len ? cuts[b] : len;
					const struct mac_part p[] = {{msg, x}, {msg + x, y - x}, {NULL, 0}, {msg + y, len - y}};
					hmac_sha256(k, p, 4, got);
					if (memcmp(got, want, 32) != 0)
						fail_msg("key %zu, message %zu cut at %zu and %zu: differs from libsodium",
							 key_lens[ki], len, x, y);
				}
			/* byte by byte */
			if (len <= 150) {
				struct mac_part p[150];
				for (size_t i = 0; i < len; i++)
					p[i] = (struct mac_part){msg + i, 1};
				hmac_sha256(k, p, len, got);
				assert_memory_equal(got, want, 32);
			}
		}
		hmac_key_free(k);
	}
	hmac_key_free(NULL);
}

static void test_two_keys_alternating_keep_their_own_macs(void **state)
{
	(void)state;
	uint8_t ka[32] = {1}, kb[32] = {2}, want_a[32], want_b[32], got[32];
	const uint8_t msg[] = "tfd1.payload";
	struct tf_hmac_key *a, *b;
	assert_int_equal(hmac_key_new(ka, 32, &a), TF_OK);
	assert_int_equal(hmac_key_new(kb, 32, &b), TF_OK);
	reference(ka, 32, msg, sizeof msg - 1, want_a);
	reference(kb, 32, msg, sizeof msg - 1, want_b);
	for (int i = 0; i < 3; i++) {
		mac_whole(a, msg, sizeof msg - 1, got);
		assert_memory_equal(got, want_a, 32);
		mac_whole(b, msg, sizeof msg - 1, got);
		assert_memory_equal(got, want_b, 32);
		hmac_thread_release(); /* the scratch is made again on the next MAC */
	}
	hmac_thread_release();
	hmac_key_free(a);
	hmac_key_free(b);
}

struct worker {
	const struct tf_hmac_key *k;
	const uint8_t *key;
	unsigned seed;
	int wrong;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	uint8_t msg[300], want[32], got[32];
	for (int i = 0; i < 2000; i++) {
		size_t len = (w->seed + (unsigned)i * 7u) % sizeof msg;
		for (size_t j = 0; j < len; j++)
			msg[j] = (uint8_t)(w->seed * 31u + (unsigned)i + j);
		mac_whole(w->k, msg, len, got);
		reference(w->key, 32, msg, len, want);
		if (memcmp(got, want, 32) != 0)
			w->wrong++;
	}
	return NULL; /* the thread's scratch contexts are freed as it exits */
}

static void test_threads_share_one_key(void **state)
{
	(void)state;
	uint8_t key[32];
	randombytes_buf(key, sizeof key);
	struct tf_hmac_key *k;
	assert_int_equal(hmac_key_new(key, sizeof key, &k), TF_OK);
	pthread_t t[4];
	struct worker w[4];
	for (unsigned i = 0; i < 4; i++) {
		w[i] = (struct worker){.k = k, .key = key, .seed = i + 1};
		assert_int_equal(pthread_create(&t[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].wrong, 0);
	}
	hmac_key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231_vectors),
		cmocka_unit_test(test_same_as_libsodium_for_every_block_edge),
		cmocka_unit_test(test_two_keys_alternating_keep_their_own_macs),
		cmocka_unit_test(test_threads_share_one_key),
	};
	int rc = cmocka_run_group_tests_name("crypto/hmac", tests, setup, NULL);
	hmac_thread_release();
	return rc;
}
