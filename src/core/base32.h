/* base32.h: RFC 4648 base32 (upper-case alphabet, no padding on output; padding and
 * lower case accepted on input), as TOTP secrets are exchanged. Pure. */
#ifndef TF_CORE_BASE32_H
#define TF_CORE_BASE32_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encodes len bytes; out must hold BASE32_LEN(len) + 1 characters. */
#define BASE32_LEN(n) (((n) * 8 + 4) / 5)
void base32_encode(const uint8_t *in, size_t len, char *out);

/* Decodes text (spaces ignored, '=' padding allowed at the end). Returns false on a bad
 * character or when the result would exceed out_size. */
bool base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *out_len);

#endif
