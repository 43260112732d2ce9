/* audit_chain.c: see audit_chain.h. */
#include "core/audit_chain.h"

#include <sodium.h>
#include <string.h>

#include "crypto/hmac.h"

/* The row's fields, each prefixed with its length as 8 big-endian bytes, in a fixed order. */
enum { FIELDS = 11 };

struct encoding {
	uint8_t lens[FIELDS][8];
	uint8_t seq[8], at_ms[8];
	struct mac_part parts[2 * FIELDS];
	size_t n;
};

static void be64(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void put_field(struct encoding *e, const void *data, size_t len)
{
	size_t i = e->n / 2;
	be64(e->lens[i], len);
	e->parts[e->n++] = (struct mac_part){e->lens[i], 8};
	e->parts[e->n++] = (struct mac_part){data, len};
}

static void put_str(struct encoding *e, const char *s)
{
	put_field(e, s ? s : "", s ? strlen(s) : 0);
}

void audit_chain_hash(const struct tf_hmac_key *key, struct audit_row *row)
{
	struct encoding e = {.n = 0};
	put_field(&e, "twofold-audit-v1", 16);
	put_field(&e, row->prev_hash, AUDIT_HASH_BYTES);
	be64(e.seq, (uint64_t)row->seq);
	put_field(&e, e.seq, 8);
	be64(e.at_ms, (uint64_t)row->at_ms);
	put_field(&e, e.at_ms, 8);
	put_str(&e, row->app_id);
	put_str(&e, row->event);
	put_str(&e, row->actor);
	put_str(&e, row->subject);
	put_str(&e, row->ip);
	put_str(&e, row->request_id);
	put_str(&e, row->details);
	hmac_sha256(key, e.parts, e.n, row->hash);
}

bool audit_chain_check(const struct tf_hmac_key *key, const struct audit_row *prev,
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
