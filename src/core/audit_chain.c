/* audit_chain.c: see audit_chain.h. */
#include "core/audit_chain.h"

#include <sodium.h>
#include <string.h>

static void put_field(crypto_auth_hmacsha256_state *st, const void *data, size_t len)
{
	uint8_t n[8];
	for (int i = 0; i < 8; i++)
		n[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	crypto_auth_hmacsha256_update(st, n, sizeof n);
	crypto_auth_hmacsha256_update(st, data, len);
}

static void put_int(crypto_auth_hmacsha256_state *st, int64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	put_field(st, b, sizeof b);
}

static void put_str(crypto_auth_hmacsha256_state *st, const char *s)
{
	put_field(st, s ? s : "", s ? strlen(s) : 0);
}

void audit_chain_hash(const uint8_t key[AUDIT_KEY_BYTES], struct audit_row *row)
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, AUDIT_KEY_BYTES);
	put_field(&st, "twofold-audit-v1", 16);
	put_field(&st, row->prev_hash, AUDIT_HASH_BYTES);
	put_int(&st, row->seq);
	put_int(&st, row->at_ms);
	put_str(&st, row->app_id);
	put_str(&st, row->event);
	put_str(&st, row->actor);
	put_str(&st, row->subject);
	put_str(&st, row->ip);
	put_str(&st, row->request_id);
	put_str(&st, row->details);
	crypto_auth_hmacsha256_final(&st, row->hash);
}

bool audit_chain_check(const uint8_t key[AUDIT_KEY_BYTES], const struct audit_row *prev,
		       const struct audit_row *row, const char **why)
{
	static const uint8_t zero[AUDIT_HASH_BYTES];
	int64_t want_seq = prev ? prev->seq + 1 : 1;
	if (row->seq != want_seq) {
		*why = "sequence gap (a row was removed or inserted)";
		return false;
	}
	if (sodium_memcmp(row->prev_hash, prev ? prev->hash : zero, AUDIT_HASH_BYTES) != 0) {
		*why = "prev_hash does not match the previous row's hash";
		return false;
	}
	struct audit_row copy = *row;
	audit_chain_hash(key, &copy);
	if (sodium_memcmp(copy.hash, row->hash, AUDIT_HASH_BYTES) != 0) {
		*why = "hash does not match the row's contents";
		return false;
	}
	return true;
}
