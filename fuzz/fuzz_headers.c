/* fuzz_headers.c: libFuzzer target for the request headers twofold parses itself: the Bearer
 * token of Authorization and the client address of X-Forwarded-For. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* what the parsers see: a C string */
	if (!text)
		return 0;
	const char *t = header_bearer_token(text);
	if (t && (t < text || t > text + size || !*t))
		abort();
	char addr[64];
	if (header_forwarded_for(text, addr, sizeof addr) && (strlen(addr) == 0 || strlen(addr) > 45 || strchr(addr, ',')))
		abort();
	free(text);
	return 0;
}
