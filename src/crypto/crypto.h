/*
 * crypto.h: twofold's thin layer over libsodium, over libcrypto for the SHA-256 of HMACs
 * (crypto/hmac.h: with the CPU's SHA instructions, which libsodium's SHA-256 does not use), and
 * over libargon2 for Argon2id (crypto/password.c: it hashes in memory the thread keeps). The
 * master key and the keys derived from it, MACs of secrets for storage and lookup, authenticated
 * encryption of secrets at rest, Argon2id password hashing, CSPRNG identifiers and tokens,
 * constant-time comparison. Outside src/crypto, libsodium is called directly only to wipe
 * memory (sodium_memzero), to compare in constant time (sodium_memcmp), for the SSO signer's
 * SHA-512 and HMAC-SHA-512 (core/sso_signer.c), the webhook signature's HMAC-SHA-256
 * (delivery/provider_webhook.c), the key ring's random data keys (service/keyring.c) and
 * sodium_init in the subcommands that need no key (cli_sign.c, cli_device.c).
 */
#ifndef TF_CRYPTO_CRYPTO_H
#define TF_CRYPTO_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "base/errors.h"
#include "crypto/hmac.h"

#define TF_KEY_BYTES 32
#define TF_MAC_BYTES 32
#define TF_ID_MAX 40        /* "usr_" + 26 base32 characters + NUL, with room */
#define TF_TOKEN_MAX 64     /* prefix + 43 base64url characters + NUL */
#define TF_PWHASH_MAX 128   /* crypto_pwhash_STRBYTES */

/* The data keys, held in locked, guarded memory (sodium_malloc); the SHA-256 contexts prepared
 * from mac, cookie and audit are in libcrypto's heap (crypto/hmac.c). The database keeps them
 * wrapped under the master key (crypto/master_key.h, service/keyring.c). */
struct tf_keys {
	uint8_t mac[TF_KEY_BYTES];      /* MACs of tokens, api keys, codes (storage and lookup) */
	uint8_t secretbox[TF_KEY_BYTES]; /* encryption of secrets at rest */
	uint8_t audit[TF_KEY_BYTES];    /* the audit hash chain */
	uint8_t cookie[TF_KEY_BYTES];   /* device cookies */
	/* mac, cookie and audit prepared for HMAC-SHA-256 (crypto/hmac.h): every MAC starts from
	 * their absorbed padded blocks, which saves two of its four or five SHA-256 blocks */
	struct tf_hmac_key *mac_hmac;
	struct tf_hmac_key *cookie_hmac;
	struct tf_hmac_key *audit_hmac;
};

/* Initialises libsodium; call once before anything else. */
enum tf_err crypto_init(void);

/* The data keys as one block, in this order: mac, secretbox, audit, cookie. */
#define TF_DATA_KEYS_BYTES (4 * TF_KEY_BYTES)

/* The keys in memory, from the data keys. */
enum tf_err keys_new(const uint8_t data_keys[TF_DATA_KEYS_BYTES], struct tf_keys **out);
/* The data keys of keys (to wrap them under another master key). */
void keys_export(const struct tf_keys *keys, uint8_t data_keys[TF_DATA_KEYS_BYTES]);
/* The data keys of a database written before the key ring: libsodium KDF subkeys 1 to 4 of the
 * master key under the context "twofold". */
void keys_derive_legacy(const uint8_t master[TF_KEY_BYTES], uint8_t data_keys[TF_DATA_KEYS_BYTES]);
/* Loads DIR/master.key, creating it (32 random bytes, mode 0600, written to a temporary
 * name, fsynced and linked) when absent, and derives the legacy data keys from it. Sets
 * *created when it made a new one. The service goes through its key ring instead
 * (service/keyring.c); unit tests and benchmarks use this. */
enum tf_err keys_load_or_create(const char *dir, struct tf_keys **out, bool *created);
/* Frees keys, and the calling thread's HMAC scratch contexts (hmac_thread_release). */
void keys_free(struct tf_keys *keys);

/* out = "PREFIX_" + 26 lower-case base32 characters of 128 random bits. */
void crypto_random_id(const char *prefix, char out[TF_ID_MAX]);
/* out = prefix + 43 base64url characters of 256 random bits. */
void crypto_random_token(const char *prefix, char out[TF_TOKEN_MAX]);
void crypto_random_bytes(void *buf, size_t len);
/* A uniformly random string of n decimal digits (n <= 15). */
void crypto_random_digits(int n, char out[16]);
/* A uniformly random string of n characters drawn from alphabet. */
void crypto_random_string(const char *alphabet, size_t n, char *out);

/* HMAC-SHA-256 under keys->mac of a purpose label and a secret; what the database stores
 * instead of a token or key. */
void crypto_secret_mac(const struct tf_keys *keys, const char *purpose, const char *secret,
		       uint8_t out[TF_MAC_BYTES]);

/* HMAC-SHA-256 under keys->mac of a purpose label (with its NUL) and n parts, each preceded
 * by its length as 8 big-endian bytes. */
void crypto_mac_parts(const struct tf_keys *keys, const char *purpose, const struct mac_part *parts,
		      size_t n, uint8_t out[TF_MAC_BYTES]);

/* Constant-time equality of two equally long buffers. */
__attribute__((warn_unused_result)) bool crypto_equal(const void *a, const void *b, size_t len);

/* Lower-case hex of SHA-256(data) into out (65 bytes). */
void crypto_sha256_hex(const void *data, size_t len, char out[65]);

/* Ed25519 (push factors): whether sig (64 bytes) signs msg under public_key (32 bytes). */
bool crypto_ed25519_verify(const uint8_t sig[64], const void *msg, size_t len, const uint8_t public_key[32]);
/* The device's side (twofold device): a key pair, and a signature with its secret key. */
void crypto_ed25519_keypair(uint8_t public_key[32], uint8_t secret_key[64]);
void crypto_ed25519_sign(uint8_t sig[64], const void *msg, size_t len, const uint8_t secret_key[64]);
/* Standard base64 (with padding) of data into out, and back: false when text is not base64 of
 * exactly len bytes. */
void crypto_base64_encode(const uint8_t *data, size_t len, char *out, size_t out_size);
bool crypto_base64_decode_exact(const char *text, uint8_t *out, size_t len);

/* Encrypts plaintext with XSalsa20-Poly1305 under keys->secretbox; the result is
 * nonce || ciphertext, *out malloc'd with length *out_len. */
enum tf_err crypto_seal(const struct tf_keys *keys, const void *plain, size_t plain_len,
			uint8_t **out, size_t *out_len);
/* Inverse of crypto_seal. *out is malloc'd and NUL-terminated (for text secrets). */
__attribute__((warn_unused_result)) enum tf_err crypto_open(const struct tf_keys *keys,
							   const uint8_t *sealed, size_t sealed_len,
							   uint8_t **out, size_t *out_len);

/* Argon2id (password.c: libargon2 in a work area each thread keeps; PHC strings). The cost is a
 * server setting (default libsodium's INTERACTIVE: 2 passes, 64 MiB). */
void crypto_password_configure(unsigned long long opslimit, size_t memlimit);
enum tf_err crypto_password_hash(const char *password, char out[TF_PWHASH_MAX]);
__attribute__((warn_unused_result)) bool crypto_password_verify(const char *hash, const char *password);
/* Argon2id with light parameters (2 passes, 2 MiB) for look-up secrets such as backup
 * codes, as NIST SP 800-63B 5.1.2.2 asks for secrets under 112 bits. */
enum tf_err crypto_lookup_secret_hash(const char *secret, char out[TF_PWHASH_MAX]);
__attribute__((warn_unused_result)) bool crypto_lookup_secret_verify(const char *hash, const char *secret);
/* Spends the time of a verification without a stored hash, so that an unknown email and a
 * wrong password take as long (no user enumeration by timing). */
void crypto_password_dummy_verify(const char *password);
/* Frees the calling thread's kept work area (the next hash maps a fresh one): for a thread
 * that has gone idle, so a burst of logins does not hold its memory afterwards. */
void crypto_password_release_work_area(void);

#endif
