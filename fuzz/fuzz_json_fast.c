/* fuzz_json_fast.c: libFuzzer target holding http/json_fast.c to jansson on arbitrary input.
 * Whenever json_fast_parse_flat answers, jansson must accept the same text and give an equal
 * object with its members in the same order; whenever json_fast_dump answers, its text must be
 * jansson's compact text, byte for byte. Any difference aborts. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/json_fast.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_text(const json_t *v)
{
	char *fast = json_fast_dump(v);
	if (!fast)
		return;
	char *ref = json_dumps(v, JSON_COMPACT);
	if (!ref || strcmp(fast, ref) != 0)
		abort();
	free(fast);
	free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	json_t *fast = json_fast_parse_flat(text, size);
	json_t *ref = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
	if (fast) {
		if (!ref || !json_equal(fast, ref))
			abort();
		char *a = json_dumps(fast, JSON_COMPACT), *b = json_dumps(ref, JSON_COMPACT);
		if (!a || !b || strcmp(a, b) != 0)
			abort();
		free(a);
		free(b);
		same_text(fast);
		json_decref(fast);
	}
	if (ref) {
		same_text(ref);
		json_decref(ref);
	}
	/* any JSON value jansson reads, duplicates and NULs allowed, also goes through the writer */
	json_t *any = json_loadb(text, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (any) {
		same_text(any);
		json_decref(any);
	}
	return 0;
}
