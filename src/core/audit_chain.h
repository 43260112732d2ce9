/*
 * audit_chain.h: the audit log's hash chain (SPEC section 10).
 *
 * Each row's hash is HMAC-SHA-256, under the audit key derived from the master key, over the
 * previous row's hash and an unambiguous (length-prefixed) encoding of the row's fields. The
 * first row's previous hash is 32 zero bytes. Keying the chain means that someone who can
 * write to the database but does not hold the master key cannot rewrite history and recompute
 * the chain. Invariants:
 *   (1) rows are numbered 1, 2, 3... without gaps (seq);
 *   (2) row n's prev_hash equals row n-1's hash;
 *   (3) row n's hash equals audit_chain_hash(key, row n).
 * audit_chain_check() checks (1) to (3) for one row given the previous one.
 */
#ifndef TF_CORE_AUDIT_CHAIN_H
#define TF_CORE_AUDIT_CHAIN_H
#include <stdbool.h>
#include <stdint.h>

struct tf_hmac_key; /* crypto/hmac.h: the caller prepares the audit key */

#define AUDIT_HASH_BYTES 32

struct audit_row {
	int64_t seq;
	int64_t at_ms;
	const char *app_id;     /* "" for operator events */
	const char *event;      /* "user.registered" */
	const char *actor;      /* who acted: "admin", "app:app_x", "user:usr_x" */
	const char *subject;    /* what it acted on, an object id or "" */
	const char *ip;         /* client address or "" */
	const char *request_id; /* or "" */
	const char *details;    /* compact JSON object text, never a secret */
	uint8_t prev_hash[AUDIT_HASH_BYTES];
	uint8_t hash[AUDIT_HASH_BYTES];
};

/* Computes row->hash from row->prev_hash and the fields, under the audit key prepared once
 * (crypto/hmac.h: HMAC-SHA-256, computed with the CPU's SHA instructions; the
 * row's hash is computed while the writer holds the audit chain's head). */
void audit_chain_hash(const struct tf_hmac_key *key, struct audit_row *row);

/* Checks invariants (1)-(3) of row against prev (NULL for the first row). */
bool audit_chain_check(const struct tf_hmac_key *key, const struct audit_row *prev,
		       const struct audit_row *row, const char **why);

#endif
