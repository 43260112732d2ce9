/* fuzz_audit_export.c: libFuzzer target for the offline check of an audit chain's export
 * (service/audit_export.h), which `twofold audit verify --export` runs on a file from anywhere.
 * Input: the file's bytes. The key is the Ed25519 key of 32 zero bytes as seed, under which the
 * seed corpus's exports are signed, so that mutations reach the heads' checks. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>

#include "service/audit_export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t public_key[32];
	static int ready;
	if (!ready) {
		uint8_t seed[32] = {0}, secret[64];
		if (sodium_init() < 0)
			return 0;
		crypto_sign_seed_keypair(public_key, secret, seed);
		ready = 1;
	}
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct audit_export_verdict v;
	audit_export_check(doc, public_key, &v);
	json_decref(doc);
	return 0;
}
