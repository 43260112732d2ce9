/* fuzz_cose_key.c: libFuzzer target for COSE_Key parsing (webauthn/cose_key.c): a credential's
 * public key as an authenticator sends it, CBOR of any shape; a key that parses is also asked to
 * check a signature. */
#include <stdint.h>
#include <stdlib.h>

#include "webauthn/cose_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cose_key *k;
	size_t used;
	if (cose_key_parse(data, size, &k, &used) == COSE_KEY_OK) {
		if (used == 0 || used > size)
			abort();
		(void)cose_key_verify(k, data, size, data, size < 72 ? size : 72);
		uint8_t point[65];
		(void)cose_key_p256_point(k, point);
		cose_key_free(k);
	}
	return 0;
}
