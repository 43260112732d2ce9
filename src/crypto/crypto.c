/* crypto.c: see crypto.h. */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/master_key.h"
#include "platform/log.h"

#define MASTER_KEY_FILE "master.key"
#define LEGACY_KDF_CONTEXT "twofold"

enum tf_err crypto_init(void)
{
	return sodium_init() < 0 ? TF_ERR_INTERNAL : TF_OK;
}

enum tf_err keys_new(const uint8_t data_keys[TF_DATA_KEYS_BYTES], struct tf_keys **out)
{
	struct tf_keys *keys = sodium_malloc(sizeof *keys);
	if (!keys)
		return TF_ERR_INTERNAL;
	memcpy(keys->mac, data_keys, TF_KEY_BYTES);
	memcpy(keys->secretbox, data_keys + TF_KEY_BYTES, TF_KEY_BYTES);
	memcpy(keys->audit, data_keys + 2 * TF_KEY_BYTES, TF_KEY_BYTES);
	memcpy(keys->cookie, data_keys + 3 * TF_KEY_BYTES, TF_KEY_BYTES);
	keys->mac_hmac = keys->cookie_hmac = keys->audit_hmac = NULL;
	if (hmac_key_new(keys->mac, TF_KEY_BYTES, &keys->mac_hmac) != TF_OK ||
	    hmac_key_new(keys->cookie, TF_KEY_BYTES, &keys->cookie_hmac) != TF_OK ||
	    hmac_key_new(keys->audit, TF_KEY_BYTES, &keys->audit_hmac) != TF_OK) {
		hmac_key_free(keys->mac_hmac);
		hmac_key_free(keys->cookie_hmac);
		sodium_free(keys);
		return TF_ERR_INTERNAL;
	}
	sodium_mprotect_readonly(keys);
	*out = keys;
	return TF_OK;
}

void keys_export(const struct tf_keys *keys, uint8_t data_keys[TF_DATA_KEYS_BYTES])
{
	memcpy(data_keys, keys->mac, TF_KEY_BYTES);
	memcpy(data_keys + TF_KEY_BYTES, keys->secretbox, TF_KEY_BYTES);
	memcpy(data_keys + 2 * TF_KEY_BYTES, keys->audit, TF_KEY_BYTES);
	memcpy(data_keys + 3 * TF_KEY_BYTES, keys->cookie, TF_KEY_BYTES);
}

void keys_derive_legacy(const uint8_t master[TF_KEY_BYTES], uint8_t data_keys[TF_DATA_KEYS_BYTES])
{
	for (int i = 0; i < 4; i++)
		crypto_kdf_derive_from_key(data_keys + i * TF_KEY_BYTES, TF_KEY_BYTES, (uint64_t)i + 1, LEGACY_KDF_CONTEXT,
					   master);
}

enum tf_err keys_load_or_create(const char *dir, struct tf_keys **out, bool *created)
{
	char path[4096], why[256];
	uint8_t master[MASTER_KEY_BYTES], data_keys[TF_DATA_KEYS_BYTES];
	*created = false;
	if (snprintf(path, sizeof path, "%s/%s", dir, MASTER_KEY_FILE) >= (int)sizeof path)
		return TF_ERR_INTERNAL;
	enum tf_err e = master_key_read(path, MASTER_KEY_DATA_FILE, master, why, sizeof why);
	if (e == TF_ERR_NOT_FOUND) {
		randombytes_buf(master, sizeof master);
		e = master_key_write(path, master, why, sizeof why);
		if (e == TF_OK)
			*created = true;
		else /* lost a race with another process: read theirs */
			e = master_key_read(path, MASTER_KEY_DATA_FILE, master, why, sizeof why);
	}
	if (e != TF_OK) {
		log_error("cannot load the master key", "path", path, "error", why, NULL);
		sodium_memzero(master, sizeof master);
		return e;
	}
	keys_derive_legacy(master, data_keys);
	sodium_memzero(master, sizeof master);
	e = keys_new(data_keys, out);
	sodium_memzero(data_keys, sizeof data_keys);
	return e;
}

void keys_free(struct tf_keys *keys)
{
	if (keys) {
		hmac_key_free(keys->mac_hmac);
		hmac_key_free(keys->cookie_hmac);
		hmac_key_free(keys->audit_hmac);
		sodium_free(keys); /* sodium_free wipes the memory */
	}
	/* threads that exit free their own; the main thread's would otherwise outlive the keys */
	hmac_thread_release();
}

void crypto_random_bytes(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

void crypto_random_digits(int n, char out[16])
{
	if (n < 1 || n > 15)
		n = 6;
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[n] = '\0';
}

void crypto_random_string(const char *alphabet, size_t n, char *out)
{
	uint32_t size = (uint32_t)strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(size)];
	out[n] = '\0';
}

void crypto_random_id(const char *prefix, char out[TF_ID_MAX])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	uint8_t raw[17];
	randombytes_buf(raw, 16);
	raw[16] = 0;
	size_t p = (size_t)snprintf(out, TF_ID_MAX, "%s_", prefix);
	/* 128 bits in 26 base32 characters (130 bits of room; the last character has 3 zero bits) */
	unsigned bits = 0, acc = 0;
	size_t i = 0;
	while (p < TF_ID_MAX - 1 && (i < 16 || bits > 0)) {
		if (bits < 5) {
			acc = (acc << 8) | raw[i++];
			bits += 8;
		}
		out[p++] = alphabet[(acc >> (bits - 5)) & 31];
		bits -= 5;
		if (i == 16 && bits < 5 && bits > 0) {
			out[p++] = alphabet[(acc << (5 - bits)) & 31];
			bits = 0;
		}
	}
	out[p] = '\0';
	sodium_memzero(raw, sizeof raw);
}

void crypto_random_token(const char *prefix, char out[TF_TOKEN_MAX])
{
	uint8_t raw[32];
	randombytes_buf(raw, sizeof raw);
	size_t p = (size_t)snprintf(out, TF_TOKEN_MAX, "%s", prefix);
	sodium_bin2base64(out + p, TF_TOKEN_MAX - p, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
}

void crypto_secret_mac(const struct tf_keys *keys, const char *purpose, const char *secret,
		       uint8_t out[TF_MAC_BYTES])
{
	const struct mac_part parts[] = {
		{purpose, strlen(purpose) + 1}, /* with its NUL: the separator */
		{secret, strlen(secret)},
	};
	hmac_sha256(keys->mac_hmac, parts, 2, out);
}

/* Callers pass 3 parts; more than this go the slower way, through libsodium. */
#define MAC_PARTS_MAX 8

void crypto_mac_parts(const struct tf_keys *keys, const char *purpose, const struct mac_part *parts,
		      size_t n, uint8_t out[TF_MAC_BYTES])
{
	if (n > MAC_PARTS_MAX) {
		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, keys->mac, TF_KEY_BYTES);
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)purpose, strlen(purpose) + 1);
		for (size_t i = 0; i < n; i++) {
			uint8_t len[8];
			for (int b = 0; b < 8; b++)
				len[b] = (uint8_t)((uint64_t)parts[i].len >> (56 - 8 * b));
			crypto_auth_hmacsha256_update(&st, len, sizeof len);
			if (parts[i].len)
				crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
		}
		crypto_auth_hmacsha256_final(&st, out);
		sodium_memzero(&st, sizeof st);
		return;
	}
	uint8_t lens[MAC_PARTS_MAX][8];
	struct mac_part all[1 + 2 * MAC_PARTS_MAX];
	size_t k = 0;
	all[k++] = (struct mac_part){purpose, strlen(purpose) + 1};
	for (size_t i = 0; i < n; i++) {
		for (int b = 0; b < 8; b++)
			lens[i][b] = (uint8_t)((uint64_t)parts[i].len >> (56 - 8 * b));
		all[k++] = (struct mac_part){lens[i], 8};
		all[k++] = parts[i];
	}
	hmac_sha256(keys->mac_hmac, all, k, out);
}

void crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof h);
}

bool crypto_ed25519_verify(const uint8_t sig[64], const void *msg, size_t len, const uint8_t public_key[32])
{
	return crypto_sign_verify_detached(sig, msg, len, public_key) == 0;
}

void crypto_ed25519_keypair(uint8_t public_key[32], uint8_t secret_key[64])
{
	crypto_sign_keypair(public_key, secret_key);
}

void crypto_ed25519_sign(uint8_t sig[64], const void *msg, size_t len, const uint8_t secret_key[64])
{
	crypto_sign_detached(sig, NULL, msg, len, secret_key);
}

void crypto_base64_encode(const uint8_t *data, size_t len, char *out, size_t out_size)
{
	if (out_size >= sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL))
		sodium_bin2base64(out, out_size, data, len, sodium_base64_VARIANT_ORIGINAL);
	else if (out_size)
		out[0] = '\0';
}

bool crypto_base64_decode_exact(const char *text, uint8_t *out, size_t len)
{
	size_t got = 0;
	const char *end = NULL;
	return sodium_base642bin(out, len, text, strlen(text), NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == len && end && *end == '\0';
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len) == 0;
}

enum tf_err crypto_seal(const struct tf_keys *keys, const void *plain, size_t plain_len,
			uint8_t **out, size_t *out_len)
{
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain_len;
	uint8_t *buf = malloc(len);
	if (!buf)
		return TF_ERR_INTERNAL;
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, plain, plain_len, buf,
			      keys->secretbox);
	*out = buf;
	*out_len = len;
	return TF_OK;
}

enum tf_err crypto_open(const struct tf_keys *keys, const uint8_t *sealed, size_t sealed_len,
			uint8_t **out, size_t *out_len)
{
	size_t over = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	if (sealed_len < over)
		return TF_ERR_INTERNAL;
	size_t len = sealed_len - over;
	uint8_t *buf = malloc(len + 1);
	if (!buf)
		return TF_ERR_INTERNAL;
	if (crypto_secretbox_open_easy(buf, sealed + crypto_secretbox_NONCEBYTES,
				       sealed_len - crypto_secretbox_NONCEBYTES, sealed,
				       keys->secretbox) != 0) {
		free(buf);
		return TF_ERR_INTERNAL;
	}
	buf[len] = 0;
	*out = buf;
	*out_len = len;
	return TF_OK;
}
