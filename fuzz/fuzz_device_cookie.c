/* fuzz_device_cookie.c: libFuzzer target for the device cookie parser (core/device_cookie.c):
 * any input is refused or parsed, never read out of bounds; a valid MAC is never forged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/device_cookie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = {1, 2, 3};
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
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
