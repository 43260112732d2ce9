/*
 * store_sqlite.c: the SQLite backend of store.h, the embedded default.
 *
 * One database file in WAL mode, synchronous=NORMAL (a crash of the process loses nothing
 * that was answered; a power loss may lose the last commits but never corrupts) or FULL.
 * Connections are pooled: a thread takes one for the length of a request and gives it back;
 * each keeps its prepared statements. Write transactions are BEGIN IMMEDIATE, so the audit
 * chain and other read-then-write sequences are serialised by SQLite's write lock.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "store/migrations.h"
#include "store/store.h"

enum stmt_id {
	Q_APP_INSERT,
	Q_APP_GET,
	Q_APP_GET_BY_KEY,
	Q_USER_INSERT,
	Q_USER_GET,
	Q_USER_GET_BY_EMAIL,
	Q_USER_MARK_VERIFIED,
	Q_USER_PURGE_SESSIONS,
	Q_USER_PURGE_TOKENS,
	Q_USER_PURGE,
	Q_SESSION_INSERT,
	Q_SESSION_GET,
	Q_SESSION_TOUCH,
	Q_SESSION_REVOKE,
	Q_EMAIL_TOKEN_INSERT,
	Q_OUTBOX_INSERT,
	Q_OUTBOX_DUE,
	Q_OUTBOX_SENT,
	Q_OUTBOX_RETRY,
	Q_OUTBOX_FAILED,
	Q_AUDIT_LAST,
	Q_AUDIT_INSERT,
	Q_AUDIT_SCAN,
	Q_IDEM_GET,
	Q_IDEM_INSERT,
	Q_IDEM_REPLACE,
	Q_IDEM_COMPLETE,
	Q_IDEM_DELETE,
	Q_COUNTER_HIT,
	Q_COUNTER_GET,
	Q_PING,
	Q__MAX
};

#define APP_COLS "app_id, name, client_id, client_secret_sealed, api_key_mac, sandbox, " \
		 "can_mark_email_verified, can_register_sso, redirect_uri_prefixes, sso_login_url, created_at"
#define USER_COLS "app_id, user_id, email, type, password_hash, name, mobile, email_verified_at, created_at"
#define SESSION_COLS "session_id, token_mac, app_id, user_id, kind, created_at, last_seen_at, " \
		     "idle_timeout_ms, absolute_expires_at, revoked_at"
#define OUTBOX_COLS "message_id, app_id, channel, recipient, sealed_body, status, attempts, created_at, next_attempt_at"
#define AUDIT_COLS "seq, at_ms, app_id, event, actor, subject, ip, request_id, details, prev_hash, hash"

static const char *const stmt_sql[Q__MAX] = {
	[Q_APP_INSERT] = "INSERT INTO apps (" APP_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[Q_APP_GET] = "SELECT " APP_COLS " FROM apps WHERE app_id = ?",
	[Q_APP_GET_BY_KEY] = "SELECT " APP_COLS " FROM apps WHERE api_key_mac = ?",
	[Q_USER_INSERT] = "INSERT INTO users (" USER_COLS ") VALUES (?,?,?,?,?,?,?,?,?)",
	[Q_USER_GET] = "SELECT " USER_COLS " FROM users WHERE app_id = ? AND user_id = ?",
	[Q_USER_GET_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE app_id = ? AND email = ?",
	[Q_USER_MARK_VERIFIED] = "UPDATE users SET email_verified_at = ? WHERE app_id = ? AND user_id = ? AND email_verified_at = 0",
	[Q_USER_PURGE_SESSIONS] = "DELETE FROM sessions WHERE user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND email_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE_TOKENS] = "DELETE FROM email_tokens WHERE user_id IN (SELECT user_id FROM users WHERE app_id = ?1 AND email = ?2 AND email_verified_at = 0 AND created_at < ?3)",
	[Q_USER_PURGE] = "DELETE FROM users WHERE app_id = ?1 AND email = ?2 AND email_verified_at = 0 AND created_at < ?3",
	[Q_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?)",
	[Q_SESSION_GET] = "SELECT " SESSION_COLS " FROM sessions WHERE token_mac = ? AND app_id = ?",
	[Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE session_id = ?",
	[Q_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = ? WHERE app_id = ? AND session_id = ? AND revoked_at = 0",
	[Q_EMAIL_TOKEN_INSERT] = "INSERT INTO email_tokens (token_mac, app_id, user_id, purpose, created_at, expires_at) VALUES (?,?,?,?,?,?)",
	[Q_OUTBOX_INSERT] = "INSERT INTO outbox (" OUTBOX_COLS ") VALUES (?,?,?,?,?,?,?,?,?)",
	[Q_OUTBOX_DUE] = "SELECT " OUTBOX_COLS " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?",
	[Q_OUTBOX_SENT] = "UPDATE outbox SET status = 'sent', sent_at = ?, sealed_body = NULL, attempts = attempts + 1 WHERE message_id = ?",
	[Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE message_id = ?",
	[Q_OUTBOX_FAILED] = "UPDATE outbox SET status = 'failed', sealed_body = NULL, last_error = ? WHERE message_id = ?",
	[Q_AUDIT_LAST] = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
	[Q_AUDIT_INSERT] = "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	[Q_AUDIT_SCAN] = "SELECT " AUDIT_COLS " FROM audit_log ORDER BY seq",
	[Q_IDEM_GET] = "SELECT fingerprint, created_at, status, body, headers FROM idempotency WHERE scope = ? AND ref = ?",
	[Q_IDEM_INSERT] = "INSERT INTO idempotency (scope, ref, fingerprint, created_at) VALUES (?,?,?,?)",
	[Q_IDEM_REPLACE] = "UPDATE idempotency SET fingerprint = ?, created_at = ?, status = 0, body = NULL, headers = NULL WHERE scope = ? AND ref = ?",
	[Q_IDEM_COMPLETE] = "UPDATE idempotency SET status = ?, body = ?, headers = ? WHERE scope = ? AND ref = ?",
	[Q_IDEM_DELETE] = "DELETE FROM idempotency WHERE scope = ? AND ref = ? AND status = 0",
	[Q_COUNTER_HIT] = "INSERT INTO counters (key, window_start, count) VALUES (?1, ?2, 1) "
			  "ON CONFLICT (key) DO UPDATE SET count = CASE WHEN window_start = ?2 THEN count + 1 ELSE 1 END, "
			  "window_start = ?2 RETURNING count",
	[Q_COUNTER_GET] = "SELECT count FROM counters WHERE key = ? AND window_start = ?",
	[Q_PING] = "SELECT 1",
};

struct sqlite_conn {
	struct store_conn base;
	sqlite3 *db;
	sqlite3_stmt *stmts[Q__MAX];
	struct sqlite_conn *next_free;
};

struct sqlite_store {
	struct store base;
	char path[4096];
	bool full_sync;
	pthread_mutex_t lock;
	struct sqlite_conn *free_list;
	struct sqlite_conn *all[256];
	size_t n_all;
};

static enum tf_err map_rc(sqlite3 *db, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return TF_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_READONLY:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_NOMEM:
		log_error("database unavailable", "op", what, "error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
		return TF_ERR_STORE_UNAVAILABLE;
	default:
		log_error("database error", "op", what, "error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), NULL);
		return TF_ERR_INTERNAL;
	}
}

static sqlite3_stmt *stmt(struct store_conn *c, enum stmt_id id)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->stmts[id]) {
		if (sqlite3_prepare_v3(sc->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &sc->stmts[id], NULL) != SQLITE_OK) {
			log_error("cannot prepare statement", "error", sqlite3_errmsg(sc->db), NULL);
			return NULL;
		}
	}
	return sc->stmts[id];
}

static sqlite3 *db_of(struct store_conn *c)
{
	return ((struct sqlite_conn *)c)->db;
}

/* Binds: "t" text, "b" blob (ptr, len), "i" int64; NULL text binds as ''. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static void copy_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

static void copy_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t size, size_t *len)
{
	const void *b = sqlite3_column_blob(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	if (n > size)
		n = size;
	if (n)
		memcpy(out, b, n);
	if (len)
		*len = n;
}

/* Runs a statement that returns no row (or whose rows are ignored). */
static enum tf_err exec_stmt(struct store_conn *c, sqlite3_stmt *s, const char *what, int *changes)
{
	int rc = sqlite3_step(s);
	enum tf_err e = map_rc(db_of(c), rc, what);
	if (e == TF_OK && changes)
		*changes = sqlite3_changes(db_of(c));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return e;
}

/* Steps a query expected to return at most one row: TF_OK with the row current, NOT_FOUND. */
static enum tf_err step_row(struct store_conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return TF_OK;
	enum tf_err e = rc == SQLITE_DONE ? TF_ERR_NOT_FOUND : map_rc(db_of(c), rc, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return e;
}

static void finish(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static enum tf_err exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("database error", "op", what, "error", msg ? msg : sqlite3_errstr(rc), NULL);
		sqlite3_free(msg);
		return map_rc(NULL, rc, what) == TF_OK ? TF_ERR_INTERNAL : map_rc(NULL, rc, what);
	}
	return TF_OK;
}

/* ---- connections ---- */

static enum tf_err open_conn(struct sqlite_store *st, struct sqlite_conn **out)
{
	struct sqlite_conn *sc = calloc(1, sizeof *sc);
	if (!sc)
		return TF_ERR_INTERNAL;
	sc->base.st = &st->base;
	int rc = sqlite3_open_v2(st->path, &sc->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("cannot open database", "path", st->path, "error", sqlite3_errstr(rc), NULL);
		sqlite3_close(sc->db);
		free(sc);
		return TF_ERR_STORE_UNAVAILABLE;
	}
	sqlite3_busy_timeout(sc->db, 5000);
	sqlite3_extended_result_codes(sc->db, 1);
	enum tf_err e = exec_sql(sc->db, st->full_sync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
						       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
				 "pragmas");
	if (e != TF_OK) {
		sqlite3_close(sc->db);
		free(sc);
		return e;
	}
	*out = sc;
	return TF_OK;
}

static void close_conn(struct sqlite_conn *sc)
{
	for (int i = 0; i < Q__MAX; i++)
		sqlite3_finalize(sc->stmts[i]);
	sqlite3_close(sc->db);
	free(sc);
}

static enum tf_err sq_open(const char *url, const char *durability, struct store **out)
{
	struct sqlite_store *st = calloc(1, sizeof *st);
	if (!st)
		return TF_ERR_INTERNAL;
	st->base.ops = &store_sqlite_ops;
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	snprintf(st->path, sizeof st->path, "%s", path);
	st->full_sync = durability && strcmp(durability, "full") == 0;
	pthread_mutex_init(&st->lock, NULL);
	*out = &st->base;
	return TF_OK;
}

static void sq_close(struct store *s)
{
	struct sqlite_store *st = (struct sqlite_store *)s;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_all; i++)
		close_conn(st->all[i]);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static enum tf_err sq_acquire(struct store *s, struct store_conn **out)
{
	struct sqlite_store *st = (struct sqlite_store *)s;
	pthread_mutex_lock(&st->lock);
	struct sqlite_conn *sc = st->free_list;
	if (sc)
		st->free_list = sc->next_free;
	pthread_mutex_unlock(&st->lock);
	if (!sc) {
		enum tf_err e = open_conn(st, &sc);
		if (e != TF_OK)
			return e;
		pthread_mutex_lock(&st->lock);
		if (st->n_all == sizeof st->all / sizeof st->all[0]) {
			pthread_mutex_unlock(&st->lock);
			close_conn(sc);
			return TF_ERR_OVERLOADED;
		}
		st->all[st->n_all++] = sc;
		pthread_mutex_unlock(&st->lock);
	}
	*out = &sc->base;
	return TF_OK;
}

static void sq_release(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	struct sqlite_store *st = (struct sqlite_store *)c->st;
	if (!sqlite3_get_autocommit(sc->db)) {
		log_error("connection released inside a transaction; rolling back", NULL);
		exec_sql(sc->db, "ROLLBACK", "release");
	}
	pthread_mutex_lock(&st->lock);
	sc->next_free = st->free_list;
	st->free_list = sc;
	pthread_mutex_unlock(&st->lock);
}

static enum tf_err sq_migrate(struct store_conn *c, int *version_out)
{
	sqlite3 *db = db_of(c);
	enum tf_err e = exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)", "migrate");
	if (e != TF_OK)
		return e;
	int current = 0;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &s, NULL) != SQLITE_OK)
		return TF_ERR_INTERNAL;
	if (sqlite3_step(s) == SQLITE_ROW)
		current = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	for (const struct migration *m = migrations_sqlite; m->version; m++) {
		if (m->version <= current)
			continue;
		if ((e = exec_sql(db, "BEGIN IMMEDIATE", "migrate")) != TF_OK)
			return e;
		if ((e = exec_sql(db, m->sql, m->name)) != TF_OK) {
			exec_sql(db, "ROLLBACK", "migrate");
			return e;
		}
		if (sqlite3_prepare_v2(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, strftime('%s','now') * 1000)", -1, &s, NULL) != SQLITE_OK) {
			exec_sql(db, "ROLLBACK", "migrate");
			return TF_ERR_INTERNAL;
		}
		sqlite3_bind_int(s, 1, m->version);
		sqlite3_bind_text(s, 2, m->name, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE || (e = exec_sql(db, "COMMIT", "migrate")) != TF_OK) {
			exec_sql(db, "ROLLBACK", "migrate");
			return TF_ERR_INTERNAL;
		}
		log_info("schema migrated", "version", m->name, NULL);
		current = m->version;
	}
	*version_out = current;
	return TF_OK;
}

static enum tf_err sq_ping(struct store_conn *c)
{
	sqlite3_stmt *s = stmt(c, Q_PING);
	if (!s)
		return TF_ERR_STORE_UNAVAILABLE;
	enum tf_err e = step_row(c, s, "ping");
	if (e == TF_OK)
		finish(s);
	return e;
}

static enum tf_err sq_tx_begin(struct store_conn *c)
{
	return exec_sql(db_of(c), "BEGIN IMMEDIATE", "begin");
}

static enum tf_err sq_tx_commit(struct store_conn *c)
{
	enum tf_err e = exec_sql(db_of(c), "COMMIT", "commit");
	if (e != TF_OK && !sqlite3_get_autocommit(db_of(c)))
		exec_sql(db_of(c), "ROLLBACK", "rollback");
	return e;
}

static void sq_tx_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(db_of(c)))
		exec_sql(db_of(c), "ROLLBACK", "rollback");
}

/* ---- applications ---- */

static void read_app(sqlite3_stmt *s, struct app_row *a)
{
	memset(a, 0, sizeof *a);
	copy_text(s, 0, a->app_id, sizeof a->app_id);
	copy_text(s, 1, a->name, sizeof a->name);
	copy_text(s, 2, a->client_id, sizeof a->client_id);
	copy_blob(s, 3, a->client_secret_sealed, sizeof a->client_secret_sealed, &a->client_secret_sealed_len);
	copy_blob(s, 4, a->api_key_mac, sizeof a->api_key_mac, NULL);
	a->sandbox = sqlite3_column_int(s, 5) != 0;
	a->can_mark_email_verified = sqlite3_column_int(s, 6) != 0;
	a->can_register_sso = sqlite3_column_int(s, 7) != 0;
	copy_text(s, 8, a->redirect_uri_prefixes, sizeof a->redirect_uri_prefixes);
	copy_text(s, 9, a->sso_login_url, sizeof a->sso_login_url);
	a->created_at = sqlite3_column_int64(s, 10);
}

static enum tf_err sq_app_insert(struct store_conn *c, const struct app_row *a)
{
	sqlite3_stmt *s = stmt(c, Q_APP_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, a->app_id);
	bind_text(s, 2, a->name);
	bind_text(s, 3, a->client_id);
	sqlite3_bind_blob(s, 4, a->client_secret_sealed, (int)a->client_secret_sealed_len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 5, a->api_key_mac, TF_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, a->sandbox);
	sqlite3_bind_int(s, 7, a->can_mark_email_verified);
	sqlite3_bind_int(s, 8, a->can_register_sso);
	bind_text(s, 9, a->redirect_uri_prefixes);
	bind_text(s, 10, a->sso_login_url);
	sqlite3_bind_int64(s, 11, a->created_at);
	return exec_stmt(c, s, "app_insert", NULL);
}

static enum tf_err app_query(struct store_conn *c, sqlite3_stmt *s, struct app_row *out)
{
	enum tf_err e = step_row(c, s, "app_get");
	if (e != TF_OK)
		return e;
	read_app(s, out);
	finish(s);
	return TF_OK;
}

static enum tf_err sq_app_get(struct store_conn *c, const char *app_id, struct app_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_APP_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	return app_query(c, s, out);
}

static enum tf_err sq_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_APP_GET_BY_KEY);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	return app_query(c, s, out);
}

/* ---- users ---- */

static void read_user(sqlite3_stmt *s, struct user_row *u)
{
	char type[16];
	memset(u, 0, sizeof *u);
	copy_text(s, 0, u->app_id, sizeof u->app_id);
	copy_text(s, 1, u->user_id, sizeof u->user_id);
	copy_text(s, 2, u->email, sizeof u->email);
	copy_text(s, 3, type, sizeof type);
	u->type = strcmp(type, "sso") == 0 ? USER_SSO : USER_STANDARD;
	copy_text(s, 4, u->password_hash, sizeof u->password_hash);
	copy_text(s, 5, u->name, sizeof u->name);
	copy_text(s, 6, u->mobile, sizeof u->mobile);
	u->email_verified_at = sqlite3_column_int64(s, 7);
	u->created_at = sqlite3_column_int64(s, 8);
}

static enum tf_err sq_user_insert(struct store_conn *c, const struct user_row *u)
{
	sqlite3_stmt *s = stmt(c, Q_USER_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, u->app_id);
	bind_text(s, 2, u->user_id);
	bind_text(s, 3, u->email);
	bind_text(s, 4, u->type == USER_SSO ? "sso" : "standard");
	bind_text(s, 5, u->password_hash);
	bind_text(s, 6, u->name);
	bind_text(s, 7, u->mobile);
	sqlite3_bind_int64(s, 8, u->email_verified_at);
	sqlite3_bind_int64(s, 9, u->created_at);
	int rc = sqlite3_step(s);
	finish(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return TF_ERR_EMAIL_TAKEN;
	return map_rc(db_of(c), rc, "user_insert");
}

static enum tf_err user_query(struct store_conn *c, sqlite3_stmt *s, struct user_row *out)
{
	enum tf_err e = step_row(c, s, "user_get");
	if (e != TF_OK)
		return e;
	read_user(s, out);
	finish(s);
	return TF_OK;
}

static enum tf_err sq_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_USER_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	return user_query(c, s, out);
}

static enum tf_err sq_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_USER_GET_BY_EMAIL);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, email);
	return user_query(c, s, out);
}

static enum tf_err sq_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_USER_MARK_VERIFIED);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "user_mark_verified", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_EMAIL_ALREADY_VERIFIED;
}

static enum tf_err sq_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before)
{
	static const enum stmt_id order[] = {Q_USER_PURGE_SESSIONS, Q_USER_PURGE_TOKENS, Q_USER_PURGE};
	for (size_t i = 0; i < 3; i++) {
		sqlite3_stmt *s = stmt(c, order[i]);
		if (!s)
			return TF_ERR_INTERNAL;
		bind_text(s, 1, app_id);
		bind_text(s, 2, email);
		sqlite3_bind_int64(s, 3, before);
		enum tf_err e = exec_stmt(c, s, "user_purge_unverified", NULL);
		if (e != TF_OK)
			return e;
	}
	return TF_OK;
}

/* ---- sessions ---- */

static enum tf_err sq_session_insert(struct store_conn *c, const struct session_row *r)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, r->session_id);
	sqlite3_bind_blob(s, 2, r->token_mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 3, r->app_id);
	bind_text(s, 4, r->user_id);
	bind_text(s, 5, r->kind == SESSION_HOSTED ? "hosted" : "api");
	sqlite3_bind_int64(s, 6, r->created_at);
	sqlite3_bind_int64(s, 7, r->last_seen_at);
	sqlite3_bind_int64(s, 8, r->idle_timeout_ms);
	sqlite3_bind_int64(s, 9, r->absolute_expires_at);
	sqlite3_bind_int64(s, 10, r->revoked_at);
	return exec_stmt(c, s, "session_insert", NULL);
}

static enum tf_err sq_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], struct session_row *r)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, app_id);
	enum tf_err e = step_row(c, s, "session_get");
	if (e != TF_OK)
		return e;
	char kind[16];
	memset(r, 0, sizeof *r);
	copy_text(s, 0, r->session_id, sizeof r->session_id);
	copy_blob(s, 1, r->token_mac, TF_MAC_BYTES, NULL);
	copy_text(s, 2, r->app_id, sizeof r->app_id);
	copy_text(s, 3, r->user_id, sizeof r->user_id);
	copy_text(s, 4, kind, sizeof kind);
	r->kind = strcmp(kind, "hosted") == 0 ? SESSION_HOSTED : SESSION_API;
	r->created_at = sqlite3_column_int64(s, 5);
	r->last_seen_at = sqlite3_column_int64(s, 6);
	r->idle_timeout_ms = sqlite3_column_int64(s, 7);
	r->absolute_expires_at = sqlite3_column_int64(s, 8);
	r->revoked_at = sqlite3_column_int64(s, 9);
	finish(s);
	return TF_OK;
}

static enum tf_err sq_session_touch(struct store_conn *c, const char *session_id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_TOUCH);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, session_id);
	return exec_stmt(c, s, "session_touch", NULL);
}

static enum tf_err sq_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_REVOKE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, app_id);
	bind_text(s, 3, session_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "session_revoke", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

static enum tf_err sq_email_token_insert(struct store_conn *c, const struct email_token_row *t)
{
	sqlite3_stmt *s = stmt(c, Q_EMAIL_TOKEN_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, t->token_mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, t->app_id);
	bind_text(s, 3, t->user_id);
	bind_text(s, 4, t->purpose);
	sqlite3_bind_int64(s, 5, t->created_at);
	sqlite3_bind_int64(s, 6, t->expires_at);
	return exec_stmt(c, s, "email_token_insert", NULL);
}

/* ---- outbox ---- */

static const char *const outbox_status_names[] = {"pending", "sent", "failed"};

static enum tf_err sq_outbox_insert(struct store_conn *c, const struct outbox_row *m)
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

static enum tf_err sq_outbox_due(struct store_conn *c, int64_t now, struct outbox_row *out, size_t max, size_t *n_out)
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

static enum tf_err sq_outbox_mark_sent(struct store_conn *c, const char *id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_SENT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, id);
	return exec_stmt(c, s, "outbox_mark_sent", NULL);
}

static enum tf_err sq_outbox_mark_retry(struct store_conn *c, const char *id, int attempts, int64_t next, const char *error)
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

static enum tf_err sq_outbox_mark_failed(struct store_conn *c, const char *id, const char *error)
{
	sqlite3_stmt *s = stmt(c, Q_OUTBOX_FAILED);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, error);
	bind_text(s, 2, id);
	return exec_stmt(c, s, "outbox_mark_failed", NULL);
}

/* ---- audit ---- */

static enum tf_err sq_audit_last(struct store_conn *c, int64_t *seq, uint8_t hash[AUDIT_HASH_BYTES])
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

static enum tf_err sq_audit_insert(struct store_conn *c, const struct audit_row *r)
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

static enum tf_err sq_audit_scan(struct store_conn *c, audit_visit_fn fn, void *ctx)
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
	enum tf_err e = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? TF_OK : map_rc(db_of(c), rc, "audit_scan");
	finish(s);
	return e;
}

/* ---- idempotency ---- */

static enum tf_err sq_idem_reserve(struct store_conn *c, const char *scope, const char *ref,
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
				const char *body = (const char *)sqlite3_column_text(s, 3);
				const char *headers = (const char *)sqlite3_column_text(s, 4);
				answer->status = status;
				answer->body = strdup(body ? body : "");
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
		*state = IDEM_IN_PROGRESS; /* a concurrent request reserved it first */
		return TF_OK;
	}
	e = map_rc(db_of(c), rc, "idem_insert");
	if (e == TF_OK)
		*state = IDEM_RESERVED;
	return e;
}

static enum tf_err sq_idem_complete(struct store_conn *c, const char *scope, const char *ref, int status, const char *body, const char *headers)
{
	sqlite3_stmt *s = stmt(c, Q_IDEM_COMPLETE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int(s, 1, status);
	bind_text(s, 2, body);
	if (headers)
		bind_text(s, 3, headers);
	else
		sqlite3_bind_null(s, 3);
	bind_text(s, 4, scope);
	bind_text(s, 5, ref);
	return exec_stmt(c, s, "idem_complete", NULL);
}

static enum tf_err sq_idem_release(struct store_conn *c, const char *scope, const char *ref)
{
	sqlite3_stmt *s = stmt(c, Q_IDEM_DELETE);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, scope);
	bind_text(s, 2, ref);
	return exec_stmt(c, s, "idem_release", NULL);
}

/* ---- counters ---- */

static enum tf_err sq_counter_hit(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
{
	sqlite3_stmt *s = stmt(c, Q_COUNTER_HIT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, key);
	sqlite3_bind_int64(s, 2, window_start);
	enum tf_err e = step_row(c, s, "counter_hit");
	if (e != TF_OK)
		return e == TF_ERR_NOT_FOUND ? TF_ERR_INTERNAL : e;
	*count = sqlite3_column_int64(s, 0);
	/* step to completion so the upsert commits before the reset */
	(void)sqlite3_step(s);
	finish(s);
	return TF_OK;
}

static enum tf_err sq_counter_get(struct store_conn *c, const char *key, int64_t window_start, int64_t *count)
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

const struct store_ops store_sqlite_ops = {
	.ops_version = 1,
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.acquire = sq_acquire,
	.release = sq_release,
	.migrate = sq_migrate,
	.ping = sq_ping,
	.tx_begin = sq_tx_begin,
	.tx_commit = sq_tx_commit,
	.tx_rollback = sq_tx_rollback,
	.app_insert = sq_app_insert,
	.app_get = sq_app_get,
	.app_get_by_api_key = sq_app_get_by_api_key,
	.user_insert = sq_user_insert,
	.user_get = sq_user_get,
	.user_get_by_email = sq_user_get_by_email,
	.user_mark_verified = sq_user_mark_verified,
	.user_purge_unverified = sq_user_purge_unverified,
	.session_insert = sq_session_insert,
	.session_get = sq_session_get,
	.session_touch = sq_session_touch,
	.session_revoke = sq_session_revoke,
	.email_token_insert = sq_email_token_insert,
	.outbox_insert = sq_outbox_insert,
	.outbox_due = sq_outbox_due,
	.outbox_mark_sent = sq_outbox_mark_sent,
	.outbox_mark_retry = sq_outbox_mark_retry,
	.outbox_mark_failed = sq_outbox_mark_failed,
	.audit_last = sq_audit_last,
	.audit_insert = sq_audit_insert,
	.audit_scan = sq_audit_scan,
	.idem_reserve = sq_idem_reserve,
	.idem_complete = sq_idem_complete,
	.idem_release = sq_idem_release,
	.counter_hit = sq_counter_hit,
	.counter_get = sq_counter_get,
};
