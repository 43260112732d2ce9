/* store_records.c: the outbox, the audit chain, idempotency records and rate counters,
 * written once for both drivers (store_sql.h). Every read-then-write here is either inside
 * the caller's transaction or a single conditional statement, so that requests (and
 * PostgreSQL nodes) racing for one record each get one consistent answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sql.h"

#define AUDIT_PAGE 1000 /* audit rows per query: a long chain is never held in memory at once */

/* ---- outbox ---- */


enum tf_err sql_outbox_insert(struct store_conn *c, const struct outbox_row *m)
{
	return db_exec(c, S_OUTBOX_INSERT,
		       ARGS(TEXT(m->message_id), TEXT(m->app_id), TEXT(m->channel), TEXT(m->recipient),
			    BLOB(m->sealed_body, m->sealed_body_len), TEXT(outbox_status_names[m->status]),
			    INT(m->attempts), INT(m->created_at), INT(m->next_attempt_at), TEXT(m->order_key)),
		       NULL);
}

enum tf_err sql_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out)
{
	struct rows r;
	size_t n = 0;
	db_query(c, S_OUTBOX_DUE, ARGS(INT(now), INT(max)), &r);
	while (n < max && db_next(&r)) {
		struct outbox_row *m = &out[n];
		memset(m, 0, sizeof *m);
		col_text(&r, 0, m->message_id, sizeof m->message_id);
		col_text(&r, 1, m->app_id, sizeof m->app_id);
		col_text(&r, 2, m->channel, sizeof m->channel);
		col_text(&r, 3, m->recipient, sizeof m->recipient);
		if (!(m->sealed_body = col_blob_dup(&r, 4, &m->sealed_body_len)))
			break;
		m->status = OUTBOX_PENDING;
		m->attempts = (int)col_int(&r, 6);
		m->created_at = col_int(&r, 7);
		m->next_attempt_at = col_int(&r, 8);
		n++;
	}
	enum tf_err e = db_end(&r);
	for (size_t i = 0; e != TF_OK && i < n; i++)
		free(out[i].sealed_body);
	*n_out = e == TF_OK ? n : 0;
	return e;
}

enum tf_err sql_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now)
{
	return db_exec(c, S_OUTBOX_SENT, ARGS(INT(now), TEXT(id)), NULL);
}

enum tf_err sql_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error)
{
	return db_exec(c, S_OUTBOX_RETRY, ARGS(INT(attempts), INT(next), TEXT(error), TEXT(id)), NULL);
}

enum tf_err sql_outbox_mark_failed(struct store_conn *c, const char *id, const char *error)
{
	return db_exec(c, S_OUTBOX_FAILED, ARGS(TEXT(error), TEXT(id)), NULL);
}

/* ---- audit ---- */

/* The newest event of chain (seq 0 and zeros for a chain without one, which it then registers
 * at now), held until the transaction ends, so that its writers take turns (SQLite: its single
 * writer). */
static enum tf_err audit_last(struct store_conn *c, const char *chain, int64_t now, int64_t *seq,
			   uint8_t hash[AUDIT_HASH_BYTES])
{
	*seq = 0;
	memset(hash, 0, AUDIT_HASH_BYTES);
	struct rows r;
	/* twice at most: a chain without an event is registered (and on PostgreSQL given its head
	 * row, at seq 0), then read again */
	for (int pass = 0;; pass++) {
		enum tf_err e = db_row(c, S_AUDIT_LAST, ARGS(TEXT(chain)), &r);
		if (e == TF_OK)
			break;
		if (e != TF_ERR_NOT_FOUND)
			return e;
		if (pass == 1)
			return db_chain_locked(c, chain); /* SQLite: the chain has no event yet */
		if ((e = db_exec(c, S_AUDIT_CHAIN_ADD, ARGS(TEXT(chain), INT(now)), NULL)) != TF_OK)
			return e;
	}
	*seq = col_int(&r, 0);
	col_blob(&r, 1, hash, AUDIT_HASH_BYTES, NULL);
	enum tf_err e = db_end(&r);
	return e == TF_OK ? db_chain_locked(c, chain) : e;
}

#define EVENT_ARGS(a)                                                                                            \
	TEXT((a)->chain), INT((a)->seq), INT((a)->at_ms), TEXT((a)->type), TEXT((a)->actor), TEXT((a)->subject),     \
		TEXT((a)->ip), TEXT((a)->request_id), TEXT((a)->details), BLOB((a)->prev_hash, AUDIT_HASH_BYTES),      \
		BLOB((a)->hash, AUDIT_HASH_BYTES)

enum tf_err sql_audit_insert(struct store_conn *c, const struct audit_event_row *rows, size_t n)
{
	enum tf_err e = TF_OK;
	for (size_t i = 0; i < n && e == TF_OK;) {
		const struct audit_event_row *a = &rows[i], *b = i + 1 < n ? &rows[i + 1] : NULL;
		if (a->seq == 1)
			e = db_exec(c, S_AUDIT_CHAIN_ADD, ARGS(TEXT(a->chain), INT(a->at_ms)), NULL);
		if (e == TF_OK)
			e = b ? db_exec(c, S_AUDIT_INSERT_TWO, ARGS(EVENT_ARGS(a), EVENT_ARGS(b)), NULL)
			      : db_exec(c, S_AUDIT_INSERT, ARGS(EVENT_ARGS(a)), NULL);
		i += b ? 2 : 1;
	}
	return e;
}

enum tf_err sql_audit_append(struct store_conn *c, struct audit_event_row *rows, size_t n)
{
	if (n == 0)
		return TF_OK;
	enum tf_err e;
	if (db_dialect(c) == SQL_POSTGRES) {
		e = db_chain_locked(c, rows[0].chain);
		for (size_t i = 0; i < n && e == TF_OK; i++) {
			const struct audit_event_row *a = &rows[i];
			e = db_exec(c, S_AUDIT_APPEND,
				    ARGS(TEXT(a->chain), INT(a->at_ms), TEXT(a->type), TEXT(a->actor), TEXT(a->subject),
					 TEXT(a->ip), TEXT(a->request_id), TEXT(a->details)),
				    NULL);
		}
		return e;
	}
	int64_t seq;
	if ((e = audit_last(c, rows[0].chain, rows[0].at_ms, &seq, rows[0].prev_hash)) != TF_OK)
		return e;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			memcpy(rows[i].prev_hash, rows[i - 1].hash, AUDIT_HASH_BYTES);
		rows[i].seq = ++seq;
		audit_event_hash(&rows[i]);
	}
	return sql_audit_insert(c, rows, n);
}

enum tf_err sql_audit_events(struct store_conn *c, const char *chain, int64_t after, int64_t limit,
			     audit_event_visit_fn fn, void *ctx)
{
	for (int64_t left = limit > 0 ? limit : INT64_MAX; left > 0;) {
		struct rows r;
		int64_t page = left < AUDIT_PAGE ? left : AUDIT_PAGE, n = 0;
		db_query(c, S_AUDIT_EVENTS, ARGS(TEXT(chain), INT(after), INT(page)), &r);
		for (; db_next(&r); n++) {
			struct audit_event_row a;
			memset(&a, 0, sizeof a);
			col_text(&r, 0, a.chain, sizeof a.chain);
			a.seq = after = col_int(&r, 1);
			a.at_ms = col_int(&r, 2);
			a.type = col_str(&r, 3);
			a.actor = col_str(&r, 4);
			a.subject = col_str(&r, 5);
			a.ip = col_str(&r, 6);
			a.request_id = col_str(&r, 7);
			a.details = col_str(&r, 8);
			col_blob(&r, 9, a.prev_hash, AUDIT_HASH_BYTES, NULL);
			col_blob(&r, 10, a.hash, AUDIT_HASH_BYTES, NULL);
			if (fn(ctx, &a) != 0)
				return db_end(&r);
		}
		enum tf_err e = db_end(&r);
		if (e != TF_OK || n < page)
			return e;
		left -= n;
	}
	return TF_OK;
}

enum tf_err sql_audit_newest(struct store_conn *c, const char *chain, struct audit_head_row *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->chain, sizeof out->chain, "%s", chain);
	struct rows r;
	enum tf_err e = db_row(c, S_AUDIT_NEWEST, ARGS(TEXT(chain)), &r);
	if (e == TF_ERR_NOT_FOUND)
		return TF_OK;
	if (e != TF_OK)
		return e;
	out->seq = col_int(&r, 0);
	col_blob(&r, 1, out->hash, AUDIT_HASH_BYTES, NULL);
	return db_end(&r);
}

static void read_head(struct rows *r, void *out)
{
	struct audit_head_row *h = out;
	memset(h, 0, sizeof *h);
	col_text(r, 0, h->chain, sizeof h->chain);
	h->seq = col_int(r, 1);
	col_blob(r, 2, h->hash, AUDIT_HASH_BYTES, NULL);
}

static void read_signed_head(struct rows *r, void *out)
{
	struct audit_head_row *h = out;
	read_head(r, h);
	h->signed_at = col_int(r, 3);
	col_blob(r, 4, h->signature, AUDIT_SIGNATURE_BYTES, NULL);
}

enum tf_err sql_audit_chain_list(struct store_conn *c, const char *after, bool unsigned_only,
				 struct audit_head_row *out, size_t max, size_t *n_out)
{
	return db_list(c, S_AUDIT_CHAINS, ARGS(TEXT(after), INT(unsigned_only), INT((int64_t)max)), read_head, out,
		       sizeof *out, max, n_out);
}

enum tf_err sql_audit_signed_put(struct store_conn *c, const struct audit_head_row *h)
{
	return db_exec(c, S_AUDIT_SIGNED_PUT,
		       ARGS(TEXT(h->chain), INT(h->seq), BLOB(h->hash, AUDIT_HASH_BYTES), INT(h->signed_at),
			    BLOB(h->signature, AUDIT_SIGNATURE_BYTES)),
		       NULL);
}

enum tf_err sql_audit_signed_list(struct store_conn *c, const char *chain, int64_t after,
				  struct audit_head_row *out, size_t max, size_t *n_out)
{
	return db_list(c, S_AUDIT_SIGNED_LIST, ARGS(TEXT(chain), INT(after), INT((int64_t)max)), read_signed_head, out,
		       sizeof *out, max, n_out);
}

enum tf_err sql_audit_key_get(struct store_conn *c, uint8_t public_key[32])
{
	struct rows r;
	enum tf_err e = db_row(c, S_AUDIT_KEY_GET, NULL, &r);
	if (e != TF_OK)
		return e;
	size_t len = 0;
	col_blob(&r, 0, public_key, 32, &len);
	e = db_end(&r);
	return e == TF_OK && len != 32 ? TF_ERR_INTERNAL : e;
}

enum tf_err sql_audit_key_put(struct store_conn *c, const uint8_t public_key[32], int64_t now)
{
	return db_exec(c, S_AUDIT_KEY_PUT, ARGS(BLOB(public_key, 32), INT(now)), NULL);
}

enum tf_err sql_audit_v1_scan(struct store_conn *c, audit_visit_fn fn, void *ctx)
{
	int64_t after = 0;
	for (;;) {
		struct rows r;
		int n = 0;
		db_query(c, S_AUDIT_V1_SCAN, ARGS(INT(after), INT(AUDIT_PAGE)), &r);
		for (; db_next(&r); n++) {
			struct audit_row a;
			memset(&a, 0, sizeof a);
			a.seq = after = col_int(&r, 0);
			a.at_ms = col_int(&r, 1);
			a.app_id = col_str(&r, 2);
			a.event = col_str(&r, 3);
			a.actor = col_str(&r, 4);
			a.subject = col_str(&r, 5);
			a.ip = col_str(&r, 6);
			a.request_id = col_str(&r, 7);
			a.details = col_str(&r, 8);
			col_blob(&r, 9, a.prev_hash, AUDIT_HASH_BYTES, NULL);
			col_blob(&r, 10, a.hash, AUDIT_HASH_BYTES, NULL);
			if (fn(ctx, &a) != 0)
				return db_end(&r);
		}
		enum tf_err e = db_end(&r);
		if (e != TF_OK || n < AUDIT_PAGE)
			return e;
	}
}

enum tf_err sql_audit_v1_clear(struct store_conn *c)
{
	return db_exec(c, S_AUDIT_V1_CLEAR, NULL, NULL);
}

/* ---- idempotency ---- */

enum tf_err sql_idem_reserve(struct store_conn *c, const char *scope, const char *ref, const uint8_t fp[TF_MAC_BYTES],
			     int64_t now, int64_t stale_before, int64_t expired_before, enum idem_state *state,
			     struct idem_answer *answer)
{
	memset(answer, 0, sizeof *answer);
	/* twice at most: a record released between our insert and our read is reserved anew */
	for (int round = 0; round < 2; round++) {
		int changes = 0;
		enum tf_err e = db_exec(c, S_IDEM_INSERT, ARGS(TEXT(scope), TEXT(ref), BLOB(fp, TF_MAC_BYTES), INT(now)), &changes);
		if (e != TF_OK || changes) {
			*state = IDEM_RESERVED;
			return e;
		}
		struct rows r;
		e = db_row(c, S_IDEM_GET, ARGS(TEXT(scope), TEXT(ref)), &r);
		if (e == TF_ERR_NOT_FOUND)
			continue;
		if (e != TF_OK)
			return e;
		uint8_t old_fp[TF_MAC_BYTES] = {0};
		col_blob(&r, 0, old_fp, TF_MAC_BYTES, NULL);
		int64_t created = col_int(&r, 1);
		int status = (int)col_int(&r, 2);
		if (created >= expired_before && (status != 0 || created >= stale_before)) {
			if (!crypto_equal(old_fp, fp, TF_MAC_BYTES)) {
				*state = IDEM_MISMATCH;
			} else if (status == 0) {
				*state = IDEM_IN_PROGRESS;
			} else {
				answer->status = status;
				answer->sealed_body = col_blob_dup(&r, 3, &answer->sealed_body_len);
				answer->headers = col_null(&r, 4) ? NULL : strdup(col_str(&r, 4));
				*state = IDEM_REPLAY;
			}
			if ((e = db_end(&r)) != TF_OK)
				idem_answer_free(answer);
			return e;
		}
		if ((e = db_end(&r)) != TF_OK)
			return e;
		/* an expired record, or a reservation whose request died: take it over, unless
		 * another request took it over first */
		e = db_exec(c, S_IDEM_REPLACE,
			    ARGS(BLOB(fp, TF_MAC_BYTES), INT(now), TEXT(scope), TEXT(ref), INT(created), INT(status)), &changes);
		*state = changes ? IDEM_RESERVED : IDEM_IN_PROGRESS;
		return e;
	}
	*state = IDEM_IN_PROGRESS;
	return TF_OK;
}

enum tf_err sql_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status,
			      const uint8_t *sealed_body, size_t sealed_len, const char *headers)
{
	return db_exec(c, S_IDEM_COMPLETE,
		       ARGS(INT(status), BLOB(sealed_body, sealed_len), TEXT_OR_NULL(headers), TEXT(scope), TEXT(ref)), NULL);
}

enum tf_err sql_idem_release(struct store_conn *c, const char *scope, const char *ref)
{
	return db_exec(c, S_IDEM_DELETE, ARGS(TEXT(scope), TEXT(ref)), NULL);
}

/* ---- counters ---- */

static enum tf_err counter_read(struct store_conn *c, enum stmt_id id, const char *key, int64_t now,
				 int64_t window_ms, struct rate_count *out)
{
	struct rows r;
	enum tf_err e = db_row(c, id, ARGS(TEXT(key), INT(now), INT(window_ms)), &r);
	if (e != TF_OK)
		return e;
	out->count = col_int(&r, 0);
	out->window_start = col_int(&r, 1);
	return db_end(&r);
}

enum tf_err sql_counter_hit(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
			    struct rate_count *out)
{
	enum tf_err e = counter_read(c, S_COUNTER_HIT, key, now, window_ms, out);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
}

enum tf_err sql_counter_give_back(struct store_conn *c, const char *key, int64_t window_start)
{
	return db_exec(c, S_COUNTER_GIVE_BACK, ARGS(TEXT(key), INT(window_start)), NULL);
}

enum tf_err sql_counter_get(struct store_conn *c, const char *key, int64_t now, int64_t window_ms,
			    struct rate_count *out)
{
	*out = (struct rate_count){.count = 0, .window_start = now};
	enum tf_err e = counter_read(c, S_COUNTER_GET, key, now, window_ms, out);
	return e == TF_ERR_NOT_FOUND ? TF_OK : e;
}
