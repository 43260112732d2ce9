/* fuzz_device_cookie.c: libFuzzer target for the device cookie parser (core/device_cookie.c):
 * any input is refused or parsed, never read out of bounds; a valid MAC is never forged. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/device_cookie.h"
#include "crypto/hmac.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tf_hmac_key *key;

static void free_key(void)
{
	/* LeakSanitizer does not look inside sodium_malloc'd memory, where key holds its libcrypto
	 * contexts: free it before LeakSanitizer's own exit check (atexit runs the last one first) */
	hmac_key_free(key);
	hmac_thread_release();
}

/* The key is made before the first input: libFuzzer reports what an input allocates and keeps. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const uint8_t key_bytes[32] = {1, 2, 3};
	if (sodium_init() < 0 || hmac_key_new(key_bytes, sizeof key_bytes, &key) != TF_OK)
		abort();
	atexit(free_key);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	struct device_claims c;
	enum cookie_verdict v = device_cookie_check(key, text, 0, &c);
	if (v == COOKIE_VALID || v == COOKIE_EXPIRED) {
		/* only a cookie we signed can pass the MAC: re-encoding it must give the same text */
		char again[DEVICE_COOKIE_MAX];
		if (!device_cookie_encode(key, &c, again) || strcmp(again, text) != 0)
			abort();
	}
	free(text);
	return 0;
}
