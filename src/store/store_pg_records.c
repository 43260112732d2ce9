/* store_pg_records.c: the outbox, the audit chain, idempotency records and rate counters in
 * PostgreSQL (the counterpart of store_sqlite_records.c, with the same results and errors).
 * The outbox is claimed message by message (several nodes run a worker each), the chain's head
 * is a locked row (store_pg.c, note 3), and every read-then-write here is a single conditional
 * statement, so that nodes racing for one record each get one consistent answer. */
#include <stdlib.h>
#include <string.h>

#include "store/store_pg_int.h"

/* ---- outbox ---- */

static const char *const outbox_status_names[] = {"pending", "sent", "failed"};

enum tf_err pg_outbox_insert(struct store_conn *c, const struct outbox_row *m)
{
	struct pg_params p = {0};
	p_text(&p, m->message_id);
	p_text(&p, m->app_id);
	p_text(&p, m->channel);
	p_text(&p, m->recipient);
	p_blob(&p, m->sealed_body, m->sealed_body_len);
	p_text(&p, outbox_status_names[m->status]);
	p_int(&p, m->attempts);
	p_int(&p, m->created_at);
	p_int(&p, m->next_attempt_at);
	return pg_run(c, PS_OUTBOX_INSERT, &p, "outbox_insert", NULL, NULL);
}

enum tf_err pg_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out)
{
	*n_out = 0;
	struct pg_params p = {0};
	p_int(&p, now);
	p_int(&p, (int64_t)max);
	PGresult *r;
	enum tf_err e = pg_run(c, PS_OUTBOX_DUE, &p, "outbox_due", &r, NULL);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	for (int i = 0; i < PQntuples(r) && n < max; i++) {
		struct outbox_row *m = &out[n];
		memset(m, 0, sizeof *m);
		col_text(r, i, 0, m->message_id, sizeof m->message_id);
		col_text(r, i, 1, m->app_id, sizeof m->app_id);
		col_text(r, i, 2, m->channel, sizeof m->channel);
		col_text(r, i, 3, m->recipient, sizeof m->recipient);
		m->sealed_body = col_blob_dup(r, i, 4, &m->sealed_body_len);
		if (!m->sealed_body)
			break;
		m->status = OUTBOX_PENDING;
		m->attempts = (int)col_int(r, i, 6);
		m->created_at = col_int(r, i, 7);
		m->next_attempt_at = now; /* as it was due; the stored value is the claim's lease */
		n++;
	}
	PQclear(r);
	*n_out = n;
	return TF_OK;
}

enum tf_err pg_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, id);
	return pg_run(c, PS_OUTBOX_SENT, &p, "outbox_mark_sent", NULL, NULL);
}

enum tf_err pg_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error)
{
	struct pg_params p = {0};
	p_int(&p, attempts);
	p_int(&p, next);
	p_text(&p, error);
	p_text(&p, id);
	return pg_run(c, PS_OUTBOX_RETRY, &p, "outbox_mark_retry", NULL, NULL);
}

enum tf_err pg_outbox_mark_failed(struct store_conn *c, const char *id, const char *error)
{
	struct pg_params p = {0};
	p_text(&p, error);
	p_text(&p, id);
	return pg_run(c, PS_OUTBOX_FAILED, &p, "outbox_mark_failed", NULL, NULL);
}

/* ---- audit (pg_audit_last is in store_pg.c: it marks the transaction's lock) ---- */

enum tf_err pg_audit_insert(struct store_conn *c, const struct audit_row *r)
{
	struct pg_params p = {0};
	p_int(&p, r->seq);
	p_int(&p, r->at_ms);
	p_text(&p, r->app_id);
	p_text(&p, r->event);
	p_text(&p, r->actor);
	p_text(&p, r->subject);
	p_text(&p, r->ip);
	p_text(&p, r->request_id);
	p_text(&p, r->details);
	p_blob(&p, r->prev_hash, AUDIT_HASH_BYTES);
	p_blob(&p, r->hash, AUDIT_HASH_BYTES);
	return pg_run(c, PS_AUDIT_INSERT, &p, "audit_insert", NULL, NULL);
}

/* in pages of 1,000 rows, so that a long chain is never held in memory at once */
enum tf_err pg_audit_scan(struct store_conn *c, audit_visit_fn fn, void *ctx)
{
	int64_t after = 0;
	for (;;) {
		struct pg_params p = {0};
		p_int(&p, after);
		PGresult *r;
		enum tf_err e = pg_run(c, PS_AUDIT_SCAN, &p, "audit_scan", &r, NULL);
		if (e != TF_OK)
			return e;
		int n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			struct audit_row row;
			memset(&row, 0, sizeof row);
			row.seq = col_int(r, i, 0);
			row.at_ms = col_int(r, i, 1);
			row.app_id = PQgetvalue(r, i, 2);
			row.event = PQgetvalue(r, i, 3);
			row.actor = PQgetvalue(r, i, 4);
			row.subject = PQgetvalue(r, i, 5);
			row.ip = PQgetvalue(r, i, 6);
			row.request_id = PQgetvalue(r, i, 7);
			row.details = PQgetvalue(r, i, 8);
			col_blob(r, i, 9, row.prev_hash, AUDIT_HASH_BYTES, NULL);
			col_blob(r, i, 10, row.hash, AUDIT_HASH_BYTES, NULL);
			after = row.seq;
			if (fn(ctx, &row) != 0) {
				PQclear(r);
				return TF_OK;
			}
		}
		PQclear(r);
		if (n < 1000)
			return TF_OK;
	}
}

/* ---- idempotency ---- */

enum tf_err pg_idem_reserve(struct store_conn *c, const char *scope, const char *ref, const uint8_t fp[TF_MAC_BYTES],
			    int64_t now, int64_t stale_before, int64_t expired_before, enum idem_state *state,
			    struct idem_answer *answer)
{
	memset(answer, 0, sizeof *answer);
	/* twice at most: a record released between our insert and our read is reserved anew */
	for (int round = 0; round < 2; round++) {
		struct pg_params ins = {0};
		p_text(&ins, scope);
		p_text(&ins, ref);
		p_blob(&ins, fp, TF_MAC_BYTES);
		p_int(&ins, now);
		int changes = 0;
		enum tf_err e = pg_run(c, PS_IDEM_INSERT, &ins, "idem_insert", NULL, &changes);
		if (e != TF_OK)
			return e;
		if (changes) {
			*state = IDEM_RESERVED;
			return TF_OK;
		}
		struct pg_params get = {0};
		p_text(&get, scope);
		p_text(&get, ref);
		PGresult *r;
		e = pg_row(c, PS_IDEM_GET, &get, "idem_get", &r);
		if (e == TF_ERR_NOT_FOUND)
			continue;
		if (e != TF_OK)
			return e;
		uint8_t old_fp[TF_MAC_BYTES] = {0};
		col_blob(r, 0, 0, old_fp, TF_MAC_BYTES, NULL);
		int64_t created = col_int(r, 0, 1);
		int status = (int)col_int(r, 0, 2);
		bool expired = created < expired_before;
		bool stale = status == 0 && created < stale_before;
		if (!expired && !stale) {
			if (!crypto_equal(old_fp, fp, TF_MAC_BYTES)) {
				*state = IDEM_MISMATCH;
			} else if (status == 0) {
				*state = IDEM_IN_PROGRESS;
			} else {
				answer->status = status;
				answer->sealed_body = col_blob_dup(r, 0, 3, &answer->sealed_body_len);
				answer->headers = col_null(r, 0, 4) ? NULL : strdup(PQgetvalue(r, 0, 4));
				*state = IDEM_REPLAY;
			}
			PQclear(r);
			return TF_OK;
		}
		PQclear(r);
		/* an expired record, or a reservation whose request died: take it over, unless
		 * another node took it over first */
		struct pg_params u = {0};
		p_blob(&u, fp, TF_MAC_BYTES);
		p_int(&u, now);
		p_text(&u, scope);
		p_text(&u, ref);
		p_int(&u, created);
		p_int(&u, status);
		if ((e = pg_run(c, PS_IDEM_REPLACE, &u, "idem_replace", NULL, &changes)) != TF_OK)
			return e;
		*state = changes ? IDEM_RESERVED : IDEM_IN_PROGRESS;
		return TF_OK;
	}
	*state = IDEM_IN_PROGRESS;
	return TF_OK;
}

enum tf_err pg_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status,
			     const uint8_t *sealed_body, size_t sealed_len, const char *headers)
{
	struct pg_params p = {0};
	p_int(&p, status);
	p_blob(&p, sealed_body, sealed_len);
	if (headers)
		p_text(&p, headers);
	else
		p_null(&p);
	p_text(&p, scope);
	p_text(&p, ref);
	return pg_run(c, PS_IDEM_COMPLETE, &p, "idem_complete", NULL, NULL);
}

enum tf_err pg_idem_release(struct store_conn *c, const char *scope, const char *ref)
{
	struct pg_params p = {0};
	p_text(&p, scope);
	p_text(&p, ref);
	return pg_run(c, PS_IDEM_DELETE, &p, "idem_release", NULL, NULL);
}

/* ---- counters ---- */

enum tf_err pg_counter_hit(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
{
	struct pg_params p = {0};
	p_text(&p, key);
	p_int(&p, window_start);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_COUNTER_HIT, &p, "counter_hit", &r);
	if (e != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
	*count = col_int(r, 0, 0);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_counter_give_back(struct store_conn *c, const char *key, int64_t window_start)
{
	struct pg_params p = {0};
	p_text(&p, key);
	p_int(&p, window_start);
	return pg_run(c, PS_COUNTER_GIVE_BACK, &p, "counter_give_back", NULL, NULL);
}

enum tf_err pg_counter_get(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
{
	struct pg_params p = {0};
	p_text(&p, key);
	p_int(&p, window_start);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_COUNTER_GET, &p, "counter_get", &r);
	if (e == TF_ERR_NOT_FOUND) {
		*count = 0;
		return TF_OK;
	}
	if (e != TF_OK)
		return e;
	*count = col_int(r, 0, 0);
	PQclear(r);
	return TF_OK;
}
