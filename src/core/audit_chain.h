/*
 * audit_chain.h: the audit log's hash chains (docs/audit.md states the format for anyone
 * writing a verifier).
 *
 * There is one chain per application and one for deployment-wide events ("deployment"). An
 * event's hash is SHA-256 (unkeyed, so that the application can check its own events) over an
 * unambiguous encoding of its chain, its fields and the previous event's hash: each part as a
 * 4-byte big-endian length and its UTF-8 bytes, numbers as decimal text, hashes as lowercase
 * hex. The first event's previous hash is 64 zeros. Invariants of a chain:
 *   (1) events are numbered 1, 2, 3... without gaps (seq);
 *   (2) event n's prev_hash equals event n-1's hash;
 *   (3) event n's hash equals audit_event_hash(event n).
 * What the unkeyed hash cannot show (a database writer rewriting a chain's tail and hashing it
 * again) the signed heads do: Ed25519 signatures, under the deployment's audit key, of
 * audit_head_message(chain, seq, hash, signed_at).
 *
 * The chains replaced one chain keyed with HMAC-SHA-256 under the audit data key (format 1,
 * audit_v1_*): its rows are checked once more when they are moved into the new chains.
 */
#ifndef TF_CORE_AUDIT_CHAIN_H
#define TF_CORE_AUDIT_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tf_hmac_key; /* crypto/hmac.h: the caller prepares the audit key */

#define AUDIT_HASH_BYTES 32
#define AUDIT_HASH_HEX (2 * AUDIT_HASH_BYTES + 1)
#define AUDIT_CHAIN_MAX 48                   /* "deployment" or an application id, with its NUL */
#define AUDIT_DEPLOYMENT_CHAIN "deployment"
#define AUDIT_SIGNATURE_BYTES 64             /* Ed25519 */
#define AUDIT_HEAD_MESSAGE_MAX 256

/* One event of a chain. */
struct audit_event_row {
	char chain[AUDIT_CHAIN_MAX];
	int64_t seq;
	int64_t at_ms;
	const char *type;       /* "user.registered" */
	const char *actor;      /* who acted: "admin", "app:app_x", "user:usr_x" */
	const char *subject;    /* what it acted on, an object id or "" */
	const char *ip;         /* client address or "" */
	const char *request_id; /* or "" */
	const char *details;    /* compact JSON object text, never a secret */
	uint8_t prev_hash[AUDIT_HASH_BYTES];
	uint8_t hash[AUDIT_HASH_BYTES];
};

/* The chain an event of application app_id ("" for none) belongs to: the deployment's for the
 * operator's acts on the deployment (applications created and their settings changed, key
 * rotations) and for events of no application; the application's otherwise. */
const char *audit_chain_of(const char *app_id, const char *type);

/* Computes row->hash from row->prev_hash, its chain and its fields. */
void audit_event_hash(struct audit_event_row *row);

/* Checks invariants (1)-(3) of row against prev (NULL for the first event of the chain). */
bool audit_event_check(const struct audit_event_row *prev, const struct audit_event_row *row, const char **why);

/* The text a signed head signs: "twofold-audit-head-v1\n<chain>\n<seq>\n<hash hex>\n<signed_at>".
 * Returns its length (out holds AUDIT_HEAD_MESSAGE_MAX bytes). */
size_t audit_head_message(const char *chain, int64_t seq, const uint8_t hash[AUDIT_HASH_BYTES], int64_t signed_at,
			  char out[AUDIT_HEAD_MESSAGE_MAX]);

/* ---- format 1: the single keyed chain before the per-application chains ---- */

struct audit_row {
	int64_t seq;
	int64_t at_ms;
	const char *app_id;     /* "" for operator events */
	const char *event;
	const char *actor;
	const char *subject;
	const char *ip;
	const char *request_id;
	const char *details;
	uint8_t prev_hash[AUDIT_HASH_BYTES];
	uint8_t hash[AUDIT_HASH_BYTES];
};

/* HMAC-SHA-256 under the audit key over the previous hash and the length-prefixed fields. */
void audit_v1_hash(const struct tf_hmac_key *key, struct audit_row *row);
/* Checks invariants (1)-(3) of a format 1 row against prev (NULL for the first row). */
bool audit_v1_check(const struct tf_hmac_key *key, const struct audit_row *prev, const struct audit_row *row,
		    const char **why);

#endif
