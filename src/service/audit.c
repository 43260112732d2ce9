/* audit.c: appending a row to the audit hash chain and walking it (rules in
 * core/audit_chain.h). */
#include <sodium.h>
#include <string.h>

#include "service/security_events.h"
#include "service/service.h"

enum tf_err audit_append(struct tf_service *svc, struct store_conn *c, const struct audit_event *ev,
			 int64_t now)
{
	struct audit_row row = {
		.at_ms = now,
		.app_id = ev->app_id ? ev->app_id : "",
		.event = ev->event,
		.actor = ev->actor ? ev->actor : "",
		.subject = ev->subject ? ev->subject : "",
		.ip = ev->ip ? ev->ip : "",
		.request_id = ev->request_id ? ev->request_id : "",
		.details = ev->details ? ev->details : "{}",
	};
	int64_t last_seq;
	enum tf_err e = STORE(c)->audit_last(c, &last_seq, row.prev_hash);
	if (e != TF_OK)
		return e;
	row.seq = last_seq + 1;
	audit_chain_hash(svc->keys->audit_hmac, &row);
	e = STORE(c)->audit_insert(c, &row);
	return e == TF_OK ? security_event_enqueue(svc, c, ev, now) : e;
}

struct walk {
	const struct tf_hmac_key *key;
	struct audit_row prev;
	bool have_prev;
	struct audit_head *heads;
	size_t n_heads;
	struct audit_walk *out;
};

static int visit(void *ctx, const struct audit_row *row)
{
	struct walk *w = ctx;
	const char *why = NULL;
	if (!audit_chain_check(w->key, w->have_prev ? &w->prev : NULL, row, &why)) {
		w->out->broken_seq = row->seq;
		w->out->why = why;
		return 1;
	}
	for (size_t i = 0; i < w->n_heads; i++)
		if (w->heads[i].seq == row->seq) {
			w->heads[i].seen = true;
			w->heads[i].match = sodium_memcmp(w->heads[i].hash, row->hash, AUDIT_HASH_BYTES) == 0;
		}
	w->prev.seq = row->seq;
	memcpy(w->prev.hash, row->hash, AUDIT_HASH_BYTES);
	w->have_prev = true;
	w->out->rows++;
	return 0;
}

enum tf_err audit_verify(struct tf_service *svc, struct audit_head *heads, size_t n_heads, struct audit_walk *out)
{
	memset(out, 0, sizeof *out);
	struct walk w = {.key = svc->keys->audit_hmac, .heads = heads, .n_heads = n_heads, .out = out};
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	e = STORE(c)->audit_scan(c, visit, &w);
	store_release(c);
	return e;
}

enum tf_err audit_head_read(struct tf_service *svc, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES])
{
	struct store_conn *c;
	enum tf_err e = store_acquire(svc->store, &c);
	if (e != TF_OK)
		return e;
	e = STORE(c)->audit_last(c, seq, hash);
	store_release(c);
	return e;
}
