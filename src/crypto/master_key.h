/*
 * master_key.h: the master key and the two values made from it. The master key is 32 random
 * bytes in a file: DATA/master.key, which the first start creates, or the file the
 * master_key_file setting names (a secret manager mounts it; twofold never creates it). It is
 * never applied to data itself; it gives
 *   - the check value: HMAC-SHA-256, under a key derived for that purpose, of a fixed label.
 *     The database keeps it; a node whose key gives another value refuses to start. It reveals
 *     nothing of the key (a MAC under a key derived one way from it);
 *   - the wrapping key: the database keeps the data keys (crypto.h, struct tf_keys: MACs,
 *     sealing, the audit chain, device cookies) sealed under it with XChaCha20-Poly1305, so the
 *     master key can change (service/keyring.c) while the data keys stay.
 * Both are libsodium KDF (BLAKE2b) subkeys of the master key under the context "tfmaster";
 * databases written before the key ring use the subkeys of context "twofold" as their data keys
 * (keys_derive_legacy in crypto.h).
 */
#ifndef TF_CRYPTO_MASTER_KEY_H
#define TF_CRYPTO_MASTER_KEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "crypto/crypto.h"

#define MASTER_KEY_BYTES 32
#define MASTER_KEY_CHECK_BYTES 32
/* version (1) || nonce (24) || XChaCha20-Poly1305 of the data keys (128 + 16) */
#define MASTER_KEY_WRAPPED_BYTES (1 + 24 + TF_DATA_KEYS_BYTES + 16)

/* A named key file's content: exactly 32 bytes, or 64 hexadecimal digits (what `openssl rand
 * -hex 32` writes; a secret manager may hold only text) followed by one newline at most. */
bool master_key_parse(const uint8_t *content, size_t len, uint8_t out[MASTER_KEY_BYTES]);

/* How a key file is read. */
enum master_key_form {
	MASTER_KEY_DATA_FILE, /* DATA/master.key: its first 32 bytes, as twofold always read it (a
			       * longer file is used with a warning: hex text there is not decoded) */
	MASTER_KEY_NAMED,     /* master_key_file, --new-key: master_key_parse */
};

/* Reads the key file at path. TF_ERR_NOT_FOUND when there is none; TF_ERR_INTERNAL when it
 * cannot be read or holds no key; why gets the reason either way. A file that others than its
 * owner may read is used, with a warning in the log. */
enum tf_err master_key_read(const char *path, enum master_key_form form, uint8_t out[MASTER_KEY_BYTES], char *why,
			    size_t why_size);

/* Writes key to a new file at path, mode 0600: to a temporary name, fsynced, linked to path
 * (never replacing a file there), and the folder fsynced. */
enum tf_err master_key_write(const char *path, const uint8_t key[MASTER_KEY_BYTES], char *why, size_t why_size);

/* Puts the key file at new_path in the place of the one at path, which stays as backup (a new
 * name: never replacing a file), and syncs the folder: for `twofold key rotate`. */
enum tf_err master_key_replace(const char *path, const char *new_path, const char *backup, char *why, size_t why_size);

/* The check value of master. */
void master_key_check_value(const uint8_t master[MASTER_KEY_BYTES], uint8_t out[MASTER_KEY_CHECK_BYTES]);
/* Whether stored is master's check value (compared in constant time). */
__attribute__((warn_unused_result)) bool master_key_matches(const uint8_t master[MASTER_KEY_BYTES],
							    const uint8_t stored[MASTER_KEY_CHECK_BYTES]);

/* Seals the data keys (TF_DATA_KEYS_BYTES: mac, secretbox, audit, cookie) under master's
 * wrapping key, with a fresh random nonce. */
void master_key_wrap(const uint8_t master[MASTER_KEY_BYTES], const uint8_t data_keys[TF_DATA_KEYS_BYTES],
		     uint8_t out[MASTER_KEY_WRAPPED_BYTES]);
/* Opens what master_key_wrap sealed under this master key; false when it was sealed under
 * another, altered, or of another format. */
__attribute__((warn_unused_result)) bool master_key_unwrap(const uint8_t master[MASTER_KEY_BYTES],
							   const uint8_t *wrapped, size_t len,
							   uint8_t data_keys[TF_DATA_KEYS_BYTES]);

#endif
