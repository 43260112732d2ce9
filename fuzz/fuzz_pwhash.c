/* fuzz_pwhash.c: libFuzzer target for the PHC strings of stored password and look-up secret
 * hashes (crypto/password.h), as read back from the database: a string that parses formats
 * back to itself, and parses again to the same fields. Input: the string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	struct phc_argon2id phc, again;
	if (phc_parse(text, &phc)) {
		char out[TF_PWHASH_MAX];
		if (!phc_format(&phc, out, sizeof out) || strcmp(out, text) != 0 || !phc_parse(out, &again) ||
		    memcmp(&phc, &again, sizeof phc) != 0)
			abort();
	}
	free(text);
	return 0;
}
