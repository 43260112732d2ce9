/* audit_export.c: see audit_export.h. */
#include "service/audit_export.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "service/service.h"

bool audit_hash_from_hex(const char *text, uint8_t out[AUDIT_HASH_BYTES])
{
	size_t len = 0;
	return text && strlen(text) == 2 * AUDIT_HASH_BYTES &&
	       sodium_hex2bin(out, AUDIT_HASH_BYTES, text, 2 * AUDIT_HASH_BYTES, NULL, &len, NULL) == 0 &&
	       len == AUDIT_HASH_BYTES;
}

static const char *str_of(const json_t *o, const char *name)
{
	json_t *v = json_object_get(o, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool int_of(const json_t *o, const char *name, int64_t *out)
{
	json_t *v = json_object_get(o, name);
	*out = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	return json_is_integer(v);
}

/* One event of the export as a row of chain; false when a field is missing or of a wrong type. */
static bool event_of(const json_t *o, const char *chain, struct audit_event_row *row)
{
	memset(row, 0, sizeof *row);
	snprintf(row->chain, sizeof row->chain, "%s", chain);
	row->type = str_of(o, "type");
	row->actor = str_of(o, "actor");
	row->subject = str_of(o, "subject");
	row->ip = str_of(o, "ip");
	row->request_id = str_of(o, "request_id");
	row->details = str_of(o, "details");
	return json_is_object(o) && int_of(o, "seq", &row->seq) && int_of(o, "at", &row->at_ms) && row->type &&
	       row->actor && row->subject && row->ip && row->request_id && row->details &&
	       audit_hash_from_hex(str_of(o, "hash"), row->hash) && audit_hash_from_hex(str_of(o, "prev_hash"), row->prev_hash);
}

static bool head_of(const json_t *o, struct audit_head_row *h)
{
	memset(h, 0, sizeof *h);
	const char *chain = str_of(o, "chain"), *sig = str_of(o, "signature");
	size_t len = 0;
	if (!json_is_object(o) || !chain || strlen(chain) >= sizeof h->chain || !int_of(o, "seq", &h->seq) ||
	    !int_of(o, "signed_at", &h->signed_at) || !audit_hash_from_hex(str_of(o, "hash"), h->hash) || !sig ||
	    sodium_base642bin(h->signature, sizeof h->signature, sig, strlen(sig), NULL, &len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || len != AUDIT_SIGNATURE_BYTES)
		return false;
	snprintf(h->chain, sizeof h->chain, "%s", chain);
	return true;
}

static void broken(struct audit_export_verdict *v, int64_t seq, const char *why)
{
	v->why = why;
	v->broken_seq = seq;
}

static void check_events(const json_t *events, struct audit_export_verdict *v)
{
	struct audit_event_row prev, row;
	for (size_t i = 0; i < v->events; i++) {
		const char *why = NULL;
		if (!event_of(json_array_get(events, i), v->chain, &row))
			return broken(v, i ? prev.seq + 1 : 0, "an event lacks a field or has one of a wrong type");
		if (i == 0 && row.seq > 1) { /* an export from the middle: its first event links to what came before */
			prev.seq = row.seq - 1;
			memcpy(prev.hash, row.prev_hash, AUDIT_HASH_BYTES);
		}
		if (!audit_event_check(i || row.seq > 1 ? &prev : NULL, &row, &why))
			return broken(v, row.seq, why);
		if (i == 0)
			v->first = row.seq;
		v->last = row.seq;
		prev = row;
	}
}

static void check_heads(const json_t *events, const json_t *heads, const uint8_t public_key[32],
			struct audit_export_verdict *v)
{
	for (size_t i = 0; i < v->heads; i++) {
		struct audit_head_row h;
		if (!head_of(json_array_get(heads, i), &h))
			return broken(v, 0, "a signed head lacks a field or has one of a wrong type");
		if (strcmp(h.chain, v->chain) != 0)
			return broken(v, h.seq, "a signed head is of another chain");
		if (!audit_head_signature_ok(public_key, &h))
			return broken(v, h.seq, "a signed head's signature does not verify under the key given");
		if (h.seq > v->last)
			return broken(v, h.seq, "a signed head names an event the export does not hold: the chain's newest "
						"events were removed");
		struct audit_event_row e;
		if (h.seq >= v->first && v->first > 0 &&
		    (!event_of(json_array_get(events, (size_t)(h.seq - v->first)), v->chain, &e) ||
		     sodium_memcmp(e.hash, h.hash, AUDIT_HASH_BYTES) != 0))
			return broken(v, h.seq, "a signed head holds another hash at this seq (the chain was rewritten from there)");
		if (h.seq > v->newest_signed)
			v->newest_signed = h.seq;
	}
}

void audit_export_check(const json_t *doc, const uint8_t public_key[32], struct audit_export_verdict *out)
{
	memset(out, 0, sizeof *out);
	const char *chain = str_of(doc, "app_id");
	const json_t *events = json_object_get(doc, "events"), *heads = json_object_get(doc, "heads");
	if (!json_is_object(doc) || !chain || !json_is_array(events) || !json_is_array(heads) ||
	    strlen(chain) >= AUDIT_CHAIN_MAX) {
		out->not_export = true;
		out->why = "not an export {app_id, events, heads}";
		return;
	}
	snprintf(out->chain, sizeof out->chain, "%s", chain);
	out->events = json_array_size(events);
	out->heads = json_array_size(heads);
	check_events(events, out);
	if (!out->why)
		check_heads(events, heads, public_key, out);
}
