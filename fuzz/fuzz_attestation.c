/* fuzz_attestation.c: libFuzzer target for attestation objects (webauthn/ceremony.c and
 * webauthn/x509_chain.c): the CBOR a registration carries (fmt, attStmt with its x5c certificates,
 * authData), checked under a policy that asks for attestation, beside fixed client data. */
#include <stdint.h>
#include <string.h>

#include "webauthn/ceremony.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char client_data[] =
	"{\"type\":\"webauthn.create\",\"challenge\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"origin\":\"https://bank.example\"}";
static const uint8_t challenge[16] = {0};
static const char roots[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const origins[] = {"https://bank.example"};
	for (int direct = 0; direct < 2; direct++) {
		struct webauthn_policy p = {.rp_id = "bank.example", .origins = origins, .n_origins = 1,
					    .attestation_direct = direct, .roots_pem = direct ? roots : NULL,
					    .allow_synced = true};
		struct webauthn_registration in = {(const uint8_t *)client_data, strlen(client_data), data, size, data,
						   size < 16 ? size : 16};
		struct webauthn_credential cred;
		(void)webauthn_register(&p, challenge, sizeof challenge, &in, 1796000000, &cred);
	}
	return 0;
}
