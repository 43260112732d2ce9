/* fuzz_json_body.c: libFuzzer target for what a request body and path go through before a
 * handler: the nesting pre-check, jansson with duplicate keys refused, the string-length walk,
 * and route matching (after the WePay face's rewrite of method and path). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (json_text_depth_ok((const char *)data, size, TF_JSON_DEPTH_MAX)) {
		json_error_t err;
		json_t *v = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
		if (v) {
			(void)json_strings_ok(v, TF_JSON_STRING_MAX);
			json_decref(v);
		}
	}
	char path[600];
	size_t n = size < sizeof path - 1 ? size : sizeof path - 1;
	memcpy(path, data, n);
	path[n] = '\0';
	char params[TF_PATH_PARAMS_MAX][128], method[16] = "GET";
	bool mismatch;
	routes_wepay_request(method, path);
	(void)routes_match(method, path, params, &mismatch);
	char allow[64];
	routes_allowed_methods(path, allow, sizeof allow);
	return 0;
}
