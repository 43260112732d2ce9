/* fuzz_auth_data.c: libFuzzer target for authenticator data (webauthn/ceremony.c), the bytes every
 * registration and assertion carries: flags, counter, attested credential data, extensions. */
#include <stdint.h>
#include <stdlib.h>

#include "webauthn/ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webauthn_auth_data ad;
	if (webauthn_auth_data_parse(data, size, &ad)) {
		/* what was read lies inside the input */
		if (ad.credential_id && (ad.credential_id < data || ad.credential_id + ad.credential_id_len > data + size))
			abort();
		if (ad.public_key && (ad.public_key < data || ad.public_key + ad.public_key_len > data + size))
			abort();
		webauthn_auth_data_clear(&ad);
	}
	return 0;
}
