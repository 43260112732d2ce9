/* Unit tests for crypto/master_key.c and the data keys of crypto.c: key files (raw or hex, the
 * data folder's read as before, never replaced, swapped with a backup), the check value, wrapping the data keys under the master
 * key, and the legacy data keys (those older builds derived, with the MACs they stored). */
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
#include "crypto/master_key.h"

#define CHECK_VALUE_OF_00_TO_1F "21968c1a9601b0cab89cd7e24adff3fdf25df02900cd91e5269cbc6bdc30a16a"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), TF_OK);
	snprintf(dir, sizeof dir, "/tmp/twofold-master-key-test-%ld", (long)getpid());
	mkdir(dir, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sequence_key(uint8_t key[MASTER_KEY_BYTES], uint8_t first)
{
	for (int i = 0; i < MASTER_KEY_BYTES; i++)
		key[i] = (uint8_t)(first + i);
}

static void write_file(const char *path, const void *content, size_t len, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static void test_a_key_file_is_32_bytes_or_64_hex_digits(void **state)
{
	(void)state;
	uint8_t want[MASTER_KEY_BYTES], got[MASTER_KEY_BYTES];
	sequence_key(want, 0xf0);
	assert_true(master_key_parse(want, 32, got));
	assert_memory_equal(got, want, 32);
	char hex[2 * MASTER_KEY_BYTES + 3];
	sodium_bin2hex(hex, sizeof hex, want, sizeof want);
	const char *ends[] = {"", "\n", "\r\n"};
	for (size_t e = 0; e < 3; e++) {
		char text[sizeof hex];
		snprintf(text, sizeof text, "%s%s", hex, ends[e]);
		memset(got, 0, sizeof got);
		assert_true(master_key_parse((const uint8_t *)text, strlen(text), got));
		assert_memory_equal(got, want, 32);
	}
	for (size_t i = 0; i < 64; i++) /* upper case too */
		hex[i] = (char)((hex[i] >= 'a' && hex[i] <= 'f') ? hex[i] - 32 : hex[i]);
	assert_true(master_key_parse((const uint8_t *)hex, 64, got));
	assert_memory_equal(got, want, 32);
	/* anything else is not a key */
	assert_false(master_key_parse(want, 31, got));
	assert_false(master_key_parse(want, 33, got));
	assert_false(master_key_parse((const uint8_t *)hex, 63, got));
	assert_false(master_key_parse((const uint8_t *)"", 0, got));
	hex[10] = 'g';
	assert_false(master_key_parse((const uint8_t *)hex, 64, got));
	char two_lines[70];
	memset(two_lines, 'a', sizeof two_lines);
	two_lines[64] = '\n';
	two_lines[65] = '\n';
	assert_false(master_key_parse((const uint8_t *)two_lines, 66, got));
}

static void test_key_files_are_read_written_once_and_never_replaced(void **state)
{
	(void)state;
	char path[128], why[256];
	uint8_t key[MASTER_KEY_BYTES], other[MASTER_KEY_BYTES], got[MASTER_KEY_BYTES];
	sequence_key(key, 1);
	sequence_key(other, 100);
	snprintf(path, sizeof path, "%s/new.key", dir);
	unlink(path);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_ERR_NOT_FOUND);
	assert_int_equal(master_key_write(path, key, why, sizeof why), TF_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(master_key_write(path, other, why, sizeof why), TF_ERR_INTERNAL);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, key, 32);
	/* a hex file, as a secret manager may hold it, even readable by others (a warning) */
	char hex[2 * MASTER_KEY_BYTES + 2];
	sodium_bin2hex(hex, sizeof hex, other, sizeof other);
	hex[64] = '\n';
	hex[65] = '\0';
	snprintf(path, sizeof path, "%s/hex.key", dir);
	write_file(path, hex, strlen(hex), 0644);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, other, 32);
	/* a file that is no key */
	snprintf(path, sizeof path, "%s/text.key", dir);
	write_file(path, "not a key\n", 10, 0600);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_ERR_INTERNAL);
	assert_non_null(strstr(why, "32 bytes"));
	assert_int_equal(master_key_read(dir, MASTER_KEY_NAMED, got, why, sizeof why), TF_ERR_INTERNAL); /* a folder */
}

/* DATA/master.key is read as twofold always read it, so that no deployment's key changes: its
 * first 32 bytes, even of a file someone wrote as hex text */
static void test_the_data_folder_key_is_its_first_32_bytes_as_before(void **state)
{
	(void)state;
	char path[128], why[256], hex[2 * MASTER_KEY_BYTES + 2];
	uint8_t key[MASTER_KEY_BYTES], got[MASTER_KEY_BYTES];
	sequence_key(key, 9);
	sodium_bin2hex(hex, sizeof hex, key, sizeof key);
	hex[64] = '\n';
	hex[65] = '\0';
	snprintf(path, sizeof path, "%s/master.key", dir);
	write_file(path, hex, 65, 0600);
	assert_int_equal(master_key_read(path, MASTER_KEY_DATA_FILE, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, hex, 32);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, key, 32);
	write_file(path, key, 32, 0600);
	assert_int_equal(master_key_read(path, MASTER_KEY_DATA_FILE, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, key, 32);
	write_file(path, key, 31, 0600);
	assert_int_equal(master_key_read(path, MASTER_KEY_DATA_FILE, got, why, sizeof why), TF_ERR_INTERNAL);
	assert_non_null(strstr(why, "shorter than 32 bytes"));
	unlink(path);
}

static void test_replacing_a_key_file_keeps_the_old_one_as_backup(void **state)
{
	(void)state;
	char path[128], fresh[128], backup[128], why[512];
	uint8_t old_key[MASTER_KEY_BYTES], new_key[MASTER_KEY_BYTES], got[MASTER_KEY_BYTES];
	sequence_key(old_key, 7);
	sequence_key(new_key, 77);
	snprintf(path, sizeof path, "%s/master.key", dir);
	snprintf(fresh, sizeof fresh, "%s/master.key.new", dir);
	snprintf(backup, sizeof backup, "%s/master.key.old", dir);
	unlink(path);
	unlink(fresh);
	unlink(backup);
	assert_int_equal(master_key_write(path, old_key, why, sizeof why), TF_OK);
	assert_int_equal(master_key_write(fresh, new_key, why, sizeof why), TF_OK);
	assert_int_equal(master_key_replace(path, fresh, backup, why, sizeof why), TF_OK);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, new_key, 32);
	assert_int_equal(master_key_read(backup, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, old_key, 32);
	assert_int_equal(access(fresh, F_OK), -1);
	/* a backup name that is taken: nothing moves */
	assert_int_equal(master_key_write(fresh, old_key, why, sizeof why), TF_OK);
	assert_int_equal(master_key_replace(path, fresh, backup, why, sizeof why), TF_ERR_INTERNAL);
	assert_int_equal(master_key_read(path, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, new_key, 32);
	assert_int_equal(master_key_read(backup, MASTER_KEY_NAMED, got, why, sizeof why), TF_OK);
	assert_memory_equal(got, old_key, 32);
}

static void test_the_check_value_tells_keys_apart_and_reveals_none(void **state)
{
	(void)state;
	uint8_t a[MASTER_KEY_BYTES], b[MASTER_KEY_BYTES], ca[32], ca2[32], cb[32], data[TF_DATA_KEYS_BYTES];
	sequence_key(a, 0);
	memcpy(b, a, sizeof b);
	b[31] ^= 1;
	master_key_check_value(a, ca);
	master_key_check_value(a, ca2);
	master_key_check_value(b, cb);
	assert_memory_equal(ca, ca2, 32); /* the same every time */
	assert_memory_not_equal(ca, cb, 32);
	assert_true(master_key_matches(a, ca));
	assert_false(master_key_matches(b, ca));
	assert_false(master_key_matches(a, cb));
	/* it is neither the key nor one of the data keys derived from it */
	assert_memory_not_equal(ca, a, 32);
	keys_derive_legacy(a, data);
	for (int i = 0; i < 4; i++)
		assert_memory_not_equal(ca, data + 32 * i, 32);
	/* pinned (computed apart: HMAC-SHA-256 under BLAKE2b(key, salt 1, personal "tfmaster") of the
	 * label): a deployment's stored check value must keep matching its key */
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, ca, 32);
	assert_string_equal(hex, CHECK_VALUE_OF_00_TO_1F);
}

static void test_data_keys_unwrap_only_under_the_key_that_wrapped_them(void **state)
{
	(void)state;
	uint8_t master[MASTER_KEY_BYTES], other[MASTER_KEY_BYTES], data[TF_DATA_KEYS_BYTES], got[TF_DATA_KEYS_BYTES];
	uint8_t w1[MASTER_KEY_WRAPPED_BYTES], w2[MASTER_KEY_WRAPPED_BYTES];
	sequence_key(master, 3);
	sequence_key(other, 4);
	randombytes_buf(data, sizeof data);
	master_key_wrap(master, data, w1);
	master_key_wrap(master, data, w2);
	assert_memory_not_equal(w1, w2, sizeof w1); /* a fresh nonce each time */
	assert_true(master_key_unwrap(master, w1, sizeof w1, got));
	assert_memory_equal(got, data, sizeof data);
	assert_true(master_key_unwrap(master, w2, sizeof w2, got));
	assert_memory_equal(got, data, sizeof data);
	assert_false(master_key_unwrap(other, w1, sizeof w1, got));
	uint8_t zero[TF_DATA_KEYS_BYTES] = {0};
	assert_memory_equal(got, zero, sizeof got); /* nothing left behind on failure */
	assert_false(master_key_unwrap(master, w1, sizeof w1 - 1, got));
	for (size_t i = 0; i < sizeof w1; i += 7) {
		uint8_t bad[MASTER_KEY_WRAPPED_BYTES];
		memcpy(bad, w1, sizeof bad);
		bad[i] ^= 0x20;
		assert_false(master_key_unwrap(master, bad, sizeof bad, got));
	}
}

/* The master key 00 01 ... 1f: the legacy data keys are the ones older builds derived (the
 * MAC they stored for a session token, as test_crypto.c pins for keys_load_or_create). */
static void test_legacy_data_keys_are_those_older_builds_used(void **state)
{
	(void)state;
	uint8_t master[MASTER_KEY_BYTES], data[TF_DATA_KEYS_BYTES], back[TF_DATA_KEYS_BYTES], mac[32];
	sequence_key(master, 0);
	keys_derive_legacy(master, data);
	for (int i = 1; i < 4; i++)
		assert_memory_not_equal(data, data + 32 * i, 32);
	struct tf_keys *keys;
	assert_int_equal(keys_new(data, &keys), TF_OK);
	crypto_secret_mac(keys, "session", "tfs_abc", mac);
	char hex[65];
	sodium_bin2hex(hex, sizeof hex, mac, 32);
	assert_string_equal(hex, "997c024f717c54b055e71bd100481b49e8824f009bd9ed66d643183438ca1281");
	keys_export(keys, back);
	assert_memory_equal(back, data, sizeof data);
	keys_free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_key_file_is_32_bytes_or_64_hex_digits),
		cmocka_unit_test(test_key_files_are_read_written_once_and_never_replaced),
		cmocka_unit_test(test_the_data_folder_key_is_its_first_32_bytes_as_before),
		cmocka_unit_test(test_replacing_a_key_file_keeps_the_old_one_as_backup),
		cmocka_unit_test(test_the_check_value_tells_keys_apart_and_reveals_none),
		cmocka_unit_test(test_data_keys_unwrap_only_under_the_key_that_wrapped_them),
		cmocka_unit_test(test_legacy_data_keys_are_those_older_builds_used),
	};
	return cmocka_run_group_tests_name("master_key", tests, setup, teardown);
}
