/* fuzz_client_data.c: libFuzzer target for client data JSON (webauthn/ceremony.c), as a browser or an
 * attacker writes it, SPC's payment member included. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webauthn/ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webauthn_client_data *cd = malloc(sizeof *cd);
	if (!cd)
		return 0;
	if (webauthn_client_data_parse(data, size, cd)) {
		if (cd->challenge_len > sizeof cd->challenge || strlen(cd->origin) >= sizeof cd->origin)
			abort();
	}
	free(cd);
	return 0;
}
