/*
 * audit_export.h: checking an export of an audit chain offline (docs/audit.md): the JSON object
 * {"app_id", "events", "heads"} that GET /v1/audit/events and /v1/audit/heads give, or `twofold
 * audit export` writes, against the deployment's public key: every event's hash and link, every
 * head's signature and chain, and that the export holds each head's event with its hash (a head
 * beyond the last event: the chain's newest events were removed). No database, no keys of ours.
 */
#ifndef TF_SERVICE_AUDIT_EXPORT_H
#define TF_SERVICE_AUDIT_EXPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/audit_chain.h"

struct audit_export_verdict {
	bool not_export;            /* doc is not an object of that shape (why is set too) */
	const char *why;            /* the first thing broken; NULL when the export is intact */
	int64_t broken_seq;         /* where (0 when no seq applies) */
	char chain[AUDIT_CHAIN_MAX];
	size_t events, heads;
	int64_t first, last;        /* the events' first and last seq (0 without events) */
	int64_t newest_signed;      /* the newest signed head's seq (0 without heads) */
};

/* Checks doc (NULL: not an export) under public_key (32 bytes). */
void audit_export_check(const json_t *doc, const uint8_t public_key[32], struct audit_export_verdict *out);

/* 64 hex digits into 32 bytes; false for anything else. */
bool audit_hash_from_hex(const char *text, uint8_t out[AUDIT_HASH_BYTES]);

#endif
