/* store_sqlite_records.c: the outbox, the audit chain, idempotency records and rate
 * counters in SQLite. */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

/* ---- outbox ---- */

static const char *const outbox_status_names[] = {"pending", "sent", "failed"};

enum tf_err sq_outbox_insert(struct store_conn *c, const struct outbox_row *m)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, m->message_id);
	bind_text(s, 2, m->app_id);
	bind_text(s, 3, m->channel);
	bind_text(s, 4, m->recipient);
	sqlite3_bind_blob(s, 5, m->sealed_body, (int)m->sealed_body_len, SQLITE_STATIC);
	bind_text(s, 6, outbox_status_names[m->status]);
	sqlite3_bind_int(s, 7, m->attempts);
	sqlite3_bind_int64(s, 8, m->created_at);
	sqlite3_bind_int64(s, 9, m->next_attempt_at);
	return exec_stmt(c, s, "outbox_insert", NULL);
}

enum tf_err sq_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_DUE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	size_t n = 0;
	int rc;
	while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct outbox_row *m = &out[n];
		memset(m, 0, sizeof *m);
		copy_text(s, 0, m->message_id, sizeof m->message_id);
		copy_text(s, 1, m->app_id, sizeof m->app_id);
		copy_text(s, 2, m->channel, sizeof m->channel);
		copy_text(s, 3, m->recipient, sizeof m->recipient);
		m->sealed_body_len = (size_t)sqlite3_column_bytes(s, 4);
		m->sealed_body = malloc(m->sealed_body_len ? m->sealed_body_len : 1);
		if (!m->sealed_body)
			break;
		if (m->sealed_body_len)
			memcpy(m->sealed_body, sqlite3_column_blob(s, 4), m->sealed_body_len);
		m->status = OUTBOX_PENDING;
		m->attempts = sqlite3_column_int(s, 6);
		m->created_at = sqlite3_column_int64(s, 7);
		m->next_attempt_at = sqlite3_column_int64(s, 8);
		n++;
	}
	finish(s);
	*n_out = n;
	return TF_OK;
}

enum tf_err sq_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_SENT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, id);
	return exec_stmt(c, s, "outbox_mark_sent", NULL);
}

enum tf_err sq_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_RETRY);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int(s, 1, attempts);
	sqlite3_bind_int64(s, 2, next);
	bind_text(s, 3, error);
	bind_text(s, 4, id);
	return exec_stmt(c, s, "outbox_mark_retry", NULL);
}

enum tf_err sq_outbox_mark_failed(struct store_conn *c, const char *id, const char *error)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_FAILED);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, error);
	bind_text(s, 2, id);
	return exec_stmt(c, s, "outbox_mark_failed", NULL);
}

/* ---- audit ---- */

enum tf_err sq_audit_last(struct store_conn *c, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES])
{
	sqlite3_stmt *s = stmt(c, Q_AUDIT_LAST);
	if (!s)
		return TF_ERR_INTERNAL;
	enum tf_err e = step_row(c, s, "audit_last");
	if (e == TF_ERR_NOT_FOUND) {
		*seq = 0;
		memset(hash, 0, AUDIT_HASH_BYTES);
		return TF_OK;
	}
	if (e != TF_OK)
		return e;
	*seq = sqlite3_column_int64(s, 0);
	copy_blob(s, 1, hash, AUDIT_HASH_BYTES, NULL);
	finish(s);
	return TF_OK;
}

enum tf_err sq_audit_insert(struct store_conn *c, const struct audit_row *r)
{
	sqlite3_stmt *s = stmt(c, Q_AUDIT_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, r->seq);
	sqlite3_bind_int64(s, 2, r->at_ms);
	bind_text(s, 3, r->app_id);
	bind_text(s, 4, r->event);
	bind_text(s, 5, r->actor);
	bind_text(s, 6, r->subject);
	bind_text(s, 7, r->ip);
	bind_text(s, 8, r->request_id);
	bind_text(s, 9, r->details);
	sqlite3_bind_blob(s, 10, r->prev_hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(s, 11, r->hash, AUDIT_HASH_BYTES, SQLITE_STATIC);
	return exec_stmt(c, s, "audit_insert", NULL);
}

enum tf_err sq_audit_scan(struct store_conn *c, audit_visit_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(c, Q_AUDIT_SCAN);
	if (!s)
		return TF_ERR_INTERNAL;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct audit_row r;
		memset(&r, 0, sizeof r);
		r.seq = sqlite3_column_int64(s, 0);
		r.at_ms = sqlite3_column_int64(s, 1);
		r.app_id = (const char *)sqlite3_column_text(s, 2);
		r.event = (const char *)sqlite3_column_text(s, 3);
		r.actor = (const char *)sqlite3_column_text(s, 4);
		r.subject = (const char *)sqlite3_column_text(s, 5);
		r.ip = (const char *)sqlite3_column_text(s, 6);
		r.request_id = (const char *)sqlite3_column_text(s, 7);
		r.details = (const char *)sqlite3_column_text(s, 8);
		copy_blob(s, 9, r.prev_hash, AUDIT_HASH_BYTES, NULL);
		copy_blob(s, 10, r.hash, AUDIT_HASH_BYTES, NULL);
		if (fn(ctx, &r) != 0)
			break;
	}
	enum tf_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? TF_OK : sqlite_map_rc(db_of(c), rc, "audit_scan");
	finish(s);
	return e;
}

/* ---- idempotency ---- */

enum tf_err sq_idem_reserve(struct store_conn *c, const char *scope, const char *ref,
				   const uint8_t fp[TF_MAC_BYTES], int64_t now, int64_t stale_before,
				   int64_t expired_before, enum idem_state *state, struct idem_answer *answer)
{
	sqlite3_stmt *s = stmt(c, Q_IDEM_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	memset(answer, 0, sizeof *answer);
	bind_text(s, 1, scope);
	bind_text(s, 2, ref);
	enum tf_err e = step_row(c, s, "idem_get");
	if (e == TF_OK) {
		uint8_t old_fp[TF_MAC_BYTES] = {0};
		copy_blob(s, 0, old_fp, TF_MAC_BYTES, NULL);
		int64_t created = sqlite3_column_int64(s, 1);
		int status = sqlite3_column_int(s, 2);
		bool expired = created < expired_before;
		bool stale = status == 0 && created < stale_before;
		if (!expired && !stale) {
			if (!crypto_equal(old_fp, fp, TF_MAC_BYTES)) {
				*state = IDEM_MISMATCH;
			} else if (status == 0) {
				*state = IDEM_IN_PROGRESS;
			} else {
				const void *body = sqlite3_column_blob(s, 3);
				size_t body_len = (size_t)sqlite3_column_bytes(s, 3);
				const char *headers = (const char *)sqlite3_column_text(s, 4);
				answer->status = status;
				answer->sealed_body = malloc(body_len ? body_len : 1);
				if (answer->sealed_body && body_len)
					memcpy(answer->sealed_body, body, body_len);
				answer->sealed_body_len = body_len;
				answer->headers = headers ? strdup(headers) : NULL;
				*state = IDEM_REPLAY;
			}
			finish(s);
			return TF_OK;
		}
		finish(s);
		/* an expired record, or a reservation whose request died: take it over */
		sqlite3_stmt *u = stmt(c, Q_IDEM_REPLACE);
		if (!u)
			return TF_ERR_INTERNAL;
		sqlite3_bind_blob(u, 1, fp, TF_MAC_BYTES, SQLITE_STATIC);
		sqlite3_bind_int64(u, 2, now);
		bind_text(u, 3, scope);
		bind_text(u, 4, ref);
		e = exec_stmt(c, u, "idem_replace", NULL);
		if (e == TF_OK)
			*state = IDEM_RESERVED;
		return e;
	}
	if (e != TF_ERR_NOT_FOUND)
		return e;
	sqlite3_stmt *ins = stmt(c, Q_IDEM_INSERT);
	if (!ins)
		return TF_ERR_INTERNAL;
	bind_text(ins, 1, scope);
	bind_text(ins, 2, ref);
	sqlite3_bind_blob(ins, 3, fp, TF_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 4, now);
	int rc = sqlite3_step(ins);
	finish(ins);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
		(void)lone_end(c, TF_ERR_IDEMPOTENCY_IN_PROGRESS); /* nothing to keep */
		*state = IDEM_IN_PROGRESS; /* a concurrent request reserved it first */
		return TF_OK;
	}
	e = lone_end(c, sqlite_map_rc(db_of(c), rc, "idem_insert"));
	if (e == TF_OK)
		*state = IDEM_RESERVED;
	return e;
}

enum tf_err sq_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status, const uint8_t *sealed_body, size_t sealed_len, const char *headers)
{
	sqlite3_stmt *s = stmt(c, Q_IDEM_COMPLETE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int(s, 1, status);
	sqlite3_bind_blob(s, 2, sealed_body, (int)sealed_len, SQLITE_STATIC);
	if (headers)
		bind_text(s, 3, headers);
	else
		sqlite3_bind_null(s, 3);
	bind_text(s, 4, scope);
	bind_text(s, 5, ref);
	return exec_stmt(c, s, "idem_complete", NULL);
}

enum tf_err sq_idem_release(struct store_conn *c, const char *scope, const char *ref)
{
	sqlite3_stmt *s = stmt(c, Q_IDEM_DELETE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, scope);
	bind_text(s, 2, ref);
	return exec_stmt(c, s, "idem_release", NULL);
}

/* ---- counters ---- */

enum tf_err sq_counter_hit(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
{
	sqlite3_stmt *s = stmt(c, Q_COUNTER_HIT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, window_start);
	enum tf_err e = step_row(c, s, "counter_hit");
	if (e == TF_OK) {
		*count = sqlite3_column_int64(s, 0);
		/* step to completion so the upsert is done before the reset */
		(void)sqlite3_step(s);
		finish(s);
	}
	return lone_end(c, e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e);
}

enum tf_err sq_counter_give_back(struct store_conn *c, const char *key, int64_t window_start)
{
	sqlite3_stmt *s = stmt(c, Q_COUNTER_GIVE_BACK);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, window_start);
	return exec_stmt(c, s, "counter_give_back", NULL);
}

enum tf_err sq_counter_get(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
{
	sqlite3_stmt *s = stmt(c, Q_COUNTER_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, window_start);
	enum tf_err e = step_row(c, s, "counter_get");
	if (e == TF_ERR_NOT_FOUND) {
		*count = 0;
		return TF_OK;
	}
	if (e != TF_OK)
		return e;
	*count = sqlite3_column_int64(s, 0);
	finish(s);
	return TF_OK;
}

