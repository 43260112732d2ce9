/*
 * hmac.h: HMAC-SHA-256 under a key prepared once (RFC 2104). A struct tf_hmac_key holds two
 * libcrypto SHA-256 contexts that have absorbed the key's padded blocks (key ^ ipad, key ^ opad),
 * so a MAC costs the message's blocks and one outer block, computed with the CPU's SHA
 * instructions where it has them. Many threads may compute MACs under the same key at once.
 * The results are HMAC-SHA-256 exactly, byte for byte what libsodium's crypto_auth_hmacsha256
 * gives (tests/unit/crypto/test_hmac.c). The key type is opaque, so this header includes none
 * of OpenSSL's and the core can use it (core/device_cookie.c).
 */
#ifndef TF_CRYPTO_HMAC_H
#define TF_CRYPTO_HMAC_H
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"

#define TF_HMAC_BYTES 32

struct tf_hmac_key;

/* One piece of a message: MACs are computed over the concatenation of the parts. */
struct mac_part {
	const void *data;
	size_t len;
};

/* Prepares key (any length; longer than 64 bytes it is hashed first, as RFC 2104 says) into
 * *out. TF_ERR_INTERNAL when memory or libcrypto fails; nothing to free then. */
enum tf_err hmac_key_new(const uint8_t *key, size_t len, struct tf_hmac_key **out);
/* Frees k and wipes what it holds; NULL is ignored. */
void hmac_key_free(struct tf_hmac_key *k);

/* out = HMAC-SHA-256(k, parts[0] || ... || parts[n-1]). Never fails: if libcrypto did (it
 * does not, short of memory), the MAC is computed with libsodium instead and the first such
 * fall-back is logged. */
void hmac_sha256(const struct tf_hmac_key *k, const struct mac_part *parts, size_t n,
		 uint8_t out[TF_HMAC_BYTES]);

/* Frees the calling thread's scratch contexts now rather than when it exits (threads that exit
 * free theirs themselves; the main thread's would otherwise live to the end of the process). */
void hmac_thread_release(void);

#endif
