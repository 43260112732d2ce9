/* fuzz_transaction.c: libFuzzer target for the transaction object (amount, currency, payee)
 * read from a JSON body through the API's validator, then its canonical encoding, hash and
 * formatted amount, and the push signing string over it: no crash, and a valid transaction
 * always encodes and formats. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	json_t *v = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!v)
		return 0;
	struct tf_req *req = calloc(1, sizeof *req);
	if (!req) {
		json_decref(v);
		return 0;
	}
	struct api_transaction t;
	if (api_transaction_read(req, v, "transaction", &t) == TF_OK) {
		char canonical[1024], amount[TX_AMOUNT_TEXT_MAX], msg[PUSH_SIGNING_STRING_MAX];
		if (!transaction_canonical(&t.tx, canonical, sizeof canonical) || strlen(t.hash) != TX_HASH_HEX)
			abort();
		transaction_format_amount(t.tx.amount, t.tx.currency, amount);
		if (strncmp(amount, t.tx.currency, 3) != 0)
			abort();
		if (!push_signing_string("chl_x", true, t.hash, msg, sizeof msg))
			abort();
	}
	free(req);
	json_decref(v);
	return 0;
}
