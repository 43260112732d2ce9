/* jwt.c: HS256-signed JSON Web Tokens (see jwt.h). */
#include "crypto/jwt.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* appends base64url (no padding) of in to out at *n; out has room (sodium_base64_ENCODED_LEN) */
static void append_b64(char *out, size_t size, size_t *n, const void *in, size_t len)
{
	sodium_bin2base64(out + *n, size - *n, in, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*n += strlen(out + *n);
}

char *jwt_hs256(const void *header, size_t header_len, const void *payload, size_t payload_len, const uint8_t *key,
		size_t key_len)
{
	const int v = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	size_t size = sodium_base64_ENCODED_LEN(header_len, v) + sodium_base64_ENCODED_LEN(payload_len, v) +
		      sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, v) + 2;
	char *out = malloc(size);
	if (!out)
		return NULL;
	size_t n = 0;
	append_b64(out, size, &n, header, header_len);
	out[n++] = '.';
	append_b64(out, size, &n, payload, payload_len);
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, key_len);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)out, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
	out[n++] = '.';
	append_b64(out, size, &n, mac, sizeof mac);
	return out;
}
