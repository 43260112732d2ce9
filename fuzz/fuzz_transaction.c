/* fuzz_transaction.c: libFuzzer target for the transaction object (amount, currency, payee)
 * read from a JSON body through the API's validator, then its canonical encoding, hash and
 * formatted amount, the push signing string over it and the code message that shows it: no
 * crash, and a valid transaction always encodes and formats, and its message always holds the
 * whole amount and code. */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/push.h"
#include "sca/kinds.h"

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
		char text[CODE_TEXT_MAX];
		if (!code_message_text(&l10n_english, t.tx.payee_name, FACTOR_SMS, "123456", &t.tx, text, sizeof text) ||
		    !strstr(text, amount) || !strstr(text, "your code is 123456. It expires in 5 minutes."))
			abort(); /* the payee name as the application name too: both at their longest */
	}
	free(req);
	json_decref(v);
	return 0;
}
