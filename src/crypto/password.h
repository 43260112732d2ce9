/*
 * password.h: the PHC string of an Argon2id hash, as password.c writes and reads it
 * ("$argon2id$v=19$m=65536,t=2,p=1$SALT$HASH", base64 without padding: the format of
 * libsodium's crypto_pwhash_str and of the reference implementation). The hashing itself is
 * behind crypto.h (crypto_password_hash, crypto_password_verify, crypto_lookup_secret_*); this
 * header is for its tests and fuzz target.
 */
#ifndef TF_CRYPTO_PASSWORD_H
#define TF_CRYPTO_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PHC_BYTES_MAX 64 /* salt and hash lengths read at most */
#define PHC_MEMORY_KIB_MAX 4194304 /* argon2_memlimit_kib's own bound (config_table.c) */
#define PHC_PASSES_MAX 20          /* argon2_opslimit's own bound */

struct phc_argon2id {
	uint32_t memory_kib, passes; /* m and t; one lane (p=1), as libsodium writes */
	uint8_t salt[PHC_BYTES_MAX];
	size_t salt_len;
	uint8_t hash[PHC_BYTES_MAX];
	size_t hash_len;
};

/* Parses an Argon2id version 19 string shorter than TF_PWHASH_MAX, with one lane, a salt of 8 to 64 bytes, a hash of 16 to
 * 64 and costs within the settings' bounds. False for anything else, which then verifies no
 * password. */
bool phc_parse(const char *s, struct phc_argon2id *out);

/* Writes the string of *phc into out (TF_PWHASH_MAX bytes); false if it does not fit. */
bool phc_format(const struct phc_argon2id *phc, char *out, size_t out_size);

#endif
