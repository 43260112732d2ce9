/* audit_chain.c: see audit_chain.h. */
#include "core/audit_chain.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crypto/hmac.h"

static const uint8_t zero_hash[AUDIT_HASH_BYTES];

const char *audit_chain_of(const char *app_id, const char *type)
{
	static const char *const deployment_wide[] = {"app.created", "app.settings_changed", "master_key.rotated"};
	if (!app_id || !app_id[0])
		return AUDIT_DEPLOYMENT_CHAIN;
	for (size_t i = 0; i < sizeof deployment_wide / sizeof deployment_wide[0]; i++)
		if (!strcmp(type, deployment_wide[i]))
			return AUDIT_DEPLOYMENT_CHAIN;
	return app_id;
}

static void put_part(crypto_hash_sha256_state *st, const void *data, size_t len)
{
	uint8_t be[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
	crypto_hash_sha256_update(st, be, sizeof be);
	crypto_hash_sha256_update(st, data, len);
}

static void put_text(crypto_hash_sha256_state *st, const char *s)
{
	put_part(st, s ? s : "", s ? strlen(s) : 0);
}

static void put_number(crypto_hash_sha256_state *st, int64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof text, "%" PRId64, v);
	put_part(st, text, (size_t)n);
}

void audit_event_hash(struct audit_event_row *row)
{
	char prev_hex[AUDIT_HASH_HEX];
	sodium_bin2hex(prev_hex, sizeof prev_hex, row->prev_hash, AUDIT_HASH_BYTES);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	put_text(&st, "twofold-audit-event-v1");
	put_text(&st, row->chain);
	put_number(&st, row->seq);
	put_number(&st, row->at_ms);
	put_text(&st, row->type);
	put_text(&st, row->actor);
	put_text(&st, row->subject);
	put_text(&st, row->ip);
	put_text(&st, row->request_id);
	put_text(&st, row->details);
	put_text(&st, prev_hex);
	crypto_hash_sha256_final(&st, row->hash);
}

bool audit_event_check(const struct audit_event_row *prev, const struct audit_event_row *row, const char **why)
{
	int64_t want_seq = prev ? prev->seq + 1 : 1;
	if (row->seq != want_seq) {
		*why = "sequence gap (an event was removed or inserted)";
		return false;
	}
	if (sodium_memcmp(row->prev_hash, prev ? prev->hash : zero_hash, AUDIT_HASH_BYTES) != 0) {
		*why = "prev_hash does not match the previous event's hash";
		return false;
	}
	struct audit_event_row copy = *row;
	audit_event_hash(&copy);
	if (sodium_memcmp(copy.hash, row->hash, AUDIT_HASH_BYTES) != 0) {
		*why = "hash does not match the event's contents";
		return false;
	}
	return true;
}

size_t audit_head_message(const char *chain, int64_t seq, const uint8_t hash[AUDIT_HASH_BYTES], int64_t signed_at,
			  char out[AUDIT_HEAD_MESSAGE_MAX])
{
	char hex[AUDIT_HASH_HEX];
	sodium_bin2hex(hex, sizeof hex, hash, AUDIT_HASH_BYTES);
	int n = snprintf(out, AUDIT_HEAD_MESSAGE_MAX, "twofold-audit-head-v1\n%s\n%" PRId64 "\n%s\n%" PRId64, chain, seq,
			 hex, signed_at);
	return n < 0 ? 0 : (size_t)n < AUDIT_HEAD_MESSAGE_MAX ? (size_t)n : AUDIT_HEAD_MESSAGE_MAX - 1;
}

/* ---- format 1 ---- */

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

void audit_v1_hash(const struct tf_hmac_key *key, struct audit_row *row)
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

bool audit_v1_check(const struct tf_hmac_key *key, const struct audit_row *prev, const struct audit_row *row,
		    const char **why)
{
	int64_t want_seq = prev ? prev->seq + 1 : 1;
	if (row->seq != want_seq) {
		*why = "sequence gap (a row was removed or inserted)";
		return false;
	}
	if (sodium_memcmp(row->prev_hash, prev ? prev->hash : zero_hash, AUDIT_HASH_BYTES) != 0) {
		*why = "prev_hash does not match the previous row's hash";
		return false;
	}
	struct audit_row copy = *row;
	audit_v1_hash(key, &copy);
	if (sodium_memcmp(copy.hash, row->hash, AUDIT_HASH_BYTES) != 0) {
		*why = "hash does not match the row's contents";
		return false;
	}
	return true;
}
