/*
 * jwt.h: a JSON Web Token signed with HMAC-SHA-256 (JWS compact serialization, RFC 7515 section
 * 7.1; alg "HS256", RFC 7518 section 3.2), the form of the security event tokens twofold sends
 * (service/security_events.h, RFC 8417). The caller gives the exact bytes of the protected header
 * and of the payload (JSON text it made); this adds only the base64url encoding (without padding)
 * and libsodium's HMAC-SHA-256. No verification: twofold signs tokens, receivers check them.
 */
#ifndef TF_CRYPTO_JWT_H
#define TF_CRYPTO_JWT_H
#include <stddef.h>
#include <stdint.h>

/* RFC 7518 section 3.2: an HS256 key is at least as long as the hash, 256 bits */
#define JWT_HS256_KEY_MIN 32

/* BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(HMAC-SHA-256 under key of the two
 * before it, joined by "."): malloc'd and NUL-terminated, or NULL when memory runs out. Any key
 * length works (HMAC hashes a key longer than a block); callers keep to JWT_HS256_KEY_MIN. */
char *jwt_hs256(const void *header, size_t header_len, const void *payload, size_t payload_len, const uint8_t *key,
		size_t key_len);

#endif
