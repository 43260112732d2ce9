/* Unit tests for crypto/password.c: Argon2id hashes in PHC strings, checked against libsodium's
 * independent implementation both ways (what earlier builds stored still verifies; what this
 * build stores, libsodium reads), the reference vector, strings that must not parse, and threads
 * hashing at once in areas of their own, which they give back when told. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "crypto/password.h"

#define TEST_MEMORY (8u * 1024 * 1024)

static int setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), TF_OK);
	crypto_password_configure(1, TEST_MEMORY);
	return 0;
}

/* The reference implementation's own vector (its test.c, Argon2id v1.3: m=2^16, t=2, p=1,
 * "password", "somesalt"); libsodium agrees, which the test checks too. */
static const char reference_vector[crypto_pwhash_STRBYTES] =
	"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

static void test_reference_vector_verifies(void **state)
{
	(void)state;
	assert_int_equal(crypto_pwhash_str_verify(reference_vector, "password", 8), 0);
	assert_true(crypto_password_verify(reference_vector, "password"));
	assert_false(crypto_password_verify(reference_vector, "passwore"));
	assert_false(crypto_password_verify(reference_vector, ""));
}

static void test_hash_written_by_libsodium_verifies(void **state)
{
	(void)state;
	char stored[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_str(stored, "correct horse", 13, 2, TEST_MEMORY), 0);
	assert_true(crypto_password_verify(stored, "correct horse"));
	assert_false(crypto_password_verify(stored, "correct horsf"));
	/* Argon2i, which twofold never wrote, is refused even with the right password */
	assert_int_equal(crypto_pwhash_str_alg(stored, "battery", 7, 3, TEST_MEMORY, crypto_pwhash_ALG_ARGON2I13), 0);
	assert_false(crypto_password_verify(stored, "battery"));
}

static void test_hash_written_here_is_read_by_libsodium(void **state)
{
	(void)state;
	char h[TF_PWHASH_MAX], h2[TF_PWHASH_MAX];
	assert_int_equal(crypto_password_hash("correct horse", h), TF_OK);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=8192,t=1,p=1$", 30), 0);
	assert_int_equal(crypto_pwhash_str_verify(h, "correct horse", 13), 0);
	assert_int_not_equal(crypto_pwhash_str_verify(h, "correct horsf", 13), 0);
	assert_true(crypto_password_verify(h, "correct horse"));
	assert_false(crypto_password_verify(h, "correct horsf"));
	assert_int_equal(crypto_password_hash("correct horse", h2), TF_OK);
	assert_string_not_equal(h, h2); /* a salt of its own each time */
	struct phc_argon2id phc;
	assert_true(phc_parse(h, &phc));
	assert_int_equal(phc.salt_len, 16);
	assert_int_equal(phc.hash_len, 32);
}

static void test_lookup_secret_hash_is_light_and_verifies(void **state)
{
	(void)state;
	char h[TF_PWHASH_MAX];
	assert_int_equal(crypto_lookup_secret_hash("abcd-efgh", h), TF_OK);
	assert_int_equal(strncmp(h, "$argon2id$v=19$m=2048,t=2,p=1$", 30), 0);
	assert_true(crypto_lookup_secret_verify(h, "abcd-efgh"));
	assert_false(crypto_lookup_secret_verify(h, "abcd-efgi"));
	assert_int_equal(crypto_pwhash_str_verify(h, "abcd-efgh", 9), 0);
}

/* A thread's area grows to the largest hash it runs, and smaller ones still come out right. */
static void test_costs_change_between_hashes_of_one_thread(void **state)
{
	(void)state;
	char small[TF_PWHASH_MAX], large[TF_PWHASH_MAX];
	assert_int_equal(crypto_lookup_secret_hash("s", small), TF_OK);
	crypto_password_configure(1, 2 * TEST_MEMORY);
	assert_int_equal(crypto_password_hash("l", large), TF_OK);
	crypto_password_configure(1, TEST_MEMORY);
	assert_true(crypto_lookup_secret_verify(small, "s"));
	assert_true(crypto_password_verify(large, "l"));
	assert_int_equal(crypto_pwhash_str_verify(small, "s", 1), 0);
	assert_int_equal(crypto_pwhash_str_verify(large, "l", 1), 0);
}

static void test_malformed_strings_do_not_parse_or_verify(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"$argon2id$",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$",
		"$argon2id$v=19$m=65536,t=2,p=1$$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=18$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=+65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=21,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=2,p=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=4,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=4194305,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=99999999999999999999,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc", /* salt of 4 */
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMa", /* hash of 12 */
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNh*HQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
		/* found by fuzz_pwhash: libsodium's decoder alone reads these bytes as '/' */
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFa\xb3\x9e\xb0\xc9\xb2\x92\xca\x9c\x38y7cJHAph8ArZWb2GRPPc",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc ",
		"$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	};
	struct phc_argon2id phc;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (phc_parse(bad[i], &phc))
			fail_msg("parsed: %s", bad[i]);
		if (crypto_password_verify(bad[i], "password"))
			fail_msg("verified: %s", bad[i]);
	}
	assert_true(phc_parse(reference_vector, &phc));
	assert_int_equal(phc.memory_kib, 65536);
	assert_int_equal(phc.passes, 2);
	assert_int_equal(phc.salt_len, 8);
	assert_memory_equal(phc.salt, "somesalt", 8);
	char again[TF_PWHASH_MAX];
	assert_true(phc_format(&phc, again, sizeof again));
	assert_string_equal(again, reference_vector);
	assert_false(phc_format(&phc, again, 40)); /* does not fit */
}

#define THREADS 4

static void *hash_and_verify(void *arg)
{
	const char *password = arg;
	for (int i = 0; i < 3; i++) {
		char h[TF_PWHASH_MAX];
		if (crypto_password_hash(password, h) != TF_OK || !crypto_password_verify(h, password) ||
		    crypto_password_verify(h, "someone else") || crypto_pwhash_str_verify(h, password, strlen(password)) != 0)
			return (void *)1;
	}
	return NULL; /* the thread's area is freed as it ends (LeakSanitizer checks under make test-asan) */
}

static void test_threads_hash_at_once_each_in_its_own_area(void **state)
{
	(void)state;
	static char passwords[THREADS][16];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		snprintf(passwords[i], sizeof passwords[i], "password-%d", i);
		assert_int_equal(pthread_create(&t[i], NULL, hash_and_verify, passwords[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		void *r;
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
}

/* Under AddressSanitizer freed memory waits in a quarantine (to catch use after free) instead of
 * going back: this test's process frees at once, so the release below shows as it does outside. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=0";
}

/* The process's resident memory, in MiB (/proc/self/statm's second field, in pages). */
static double resident_mib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	assert_non_null(f);
	unsigned long size = 0, resident = 0;
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static void test_released_work_area_goes_back_to_the_system(void **state)
{
	(void)state;
	/* as twofold serve: large buffers are mappings of their own, unmapped when freed */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	crypto_password_configure(1, 6 * TEST_MEMORY); /* 48 MiB: far above the rest of the test */
	char h[TF_PWHASH_MAX];
	assert_int_equal(crypto_password_hash("a burst of logins", h), TF_OK);
	double kept = resident_mib();
	crypto_password_release_work_area();
	double released = resident_mib();
	assert_true(kept - released > 40.0);
	/* the next hash maps a fresh area and works as before */
	assert_true(crypto_password_verify(h, "a burst of logins"));
	assert_false(crypto_password_verify(h, "a burst of login"));
	assert_true(resident_mib() - released > 40.0);
	crypto_password_release_work_area();
	crypto_password_release_work_area(); /* twice, or before any hash: nothing to give back */
	crypto_password_configure(1, TEST_MEMORY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_vector_verifies),
		cmocka_unit_test(test_hash_written_by_libsodium_verifies),
		cmocka_unit_test(test_hash_written_here_is_read_by_libsodium),
		cmocka_unit_test(test_lookup_secret_hash_is_light_and_verifies),
		cmocka_unit_test(test_costs_change_between_hashes_of_one_thread),
		cmocka_unit_test(test_malformed_strings_do_not_parse_or_verify),
		cmocka_unit_test(test_threads_hash_at_once_each_in_its_own_area),
		cmocka_unit_test(test_released_work_area_goes_back_to_the_system),
	};
	return cmocka_run_group_tests_name("crypto/password", tests, setup, NULL);
}
