/*
 * store_sqlite.c: the SQLite backend of store.h, the embedded default.
 *
 * One database file in WAL mode, synchronous=NORMAL (a crash of the process loses nothing
 * that was answered; a power loss may lose the last commits but never corrupts) or FULL.
 * Connections are pooled: a thread takes one for the length of a request and gives it back;
 * each keeps its prepared statements. Pooled connections only read: every write, in a
 * transaction or alone, runs on the one writer connection of store_sqlite_group.c, which
 * serialises the audit chain and other read-then-write sequences and commits concurrent
 * writers together.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/log.h"
#include "store/migrations.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"

enum tf_err sqlite_map_rc(sqlite3 *db, int rc, const char *what)
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

static sqlite3_stmt *prepared(struct sqlite_conn *sc, enum stmt_id id)
{
	if (!sc->stmts[id]) {
		if (sqlite3_prepare_v3(sc->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &sc->stmts[id], NULL) != SQLITE_OK) {
			log_error("cannot prepare statement", "error", sqlite3_errmsg(sc->db), NULL);
			return NULL;
		}
	}
	return sc->stmts[id];
}

sqlite3_stmt *stmt(struct store_conn *c, enum stmt_id id)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	struct sqlite_store *st = (struct sqlite_store *)c->st;
	if (sc->in_tx || sc->lone)
		return prepared(group_writer(st), id);
	sqlite3_stmt *s = prepared(sc, id);
	if (!s || sqlite3_stmt_readonly(s))
		return s;
	if (group_begin(st) != TF_OK)
		return NULL;
	sc->lone = true;
	s = prepared(group_writer(st), id);
	if (!s)
		(void)lone_end(c, TF_ERR_INTERNAL);
	return s;
}

sqlite3 *db_of(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	return sc->in_tx || sc->lone ? group_writer((struct sqlite_store *)c->st)->db : sc->db;
}

enum tf_err lone_end(struct store_conn *c, enum tf_err e)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->lone)
		return e;
	sc->lone = false;
	if (e != TF_OK) {
		group_rollback((struct sqlite_store *)c->st);
		return e;
	}
	return group_commit((struct sqlite_store *)c->st);
}

void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

void copy_text(sqlite3_stmt *s, int col, char *out, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(out, t, n);
	out[n] = '\0';
}

void copy_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t size, size_t *len)
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
enum tf_err exec_stmt(struct store_conn *c, sqlite3_stmt *s, const char *what, int *changes)
{
	int rc = sqlite3_step(s);
	enum tf_err e = sqlite_map_rc(db_of(c), rc, what);
	if (e == TF_OK && changes)
		*changes = sqlite3_changes(db_of(c));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return lone_end(c, e);
}

/* Steps a query expected to return at most one row: TF_OK with the row current, NOT_FOUND. */
enum tf_err step_row(struct store_conn *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		return TF_OK;
	enum tf_err e = rc == SQLITE_DONE ? TF_ERR_NOT_FOUND : sqlite_map_rc(db_of(c), rc, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return e;
}

void finish(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

enum tf_err exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("database error", "op", what, "error", msg ? msg : sqlite3_errstr(rc), NULL);
		sqlite3_free(msg);
		return sqlite_map_rc(NULL, rc, what) == TF_OK ? TF_ERR_INTERNAL : sqlite_map_rc(NULL, rc, what);
	}
	return TF_OK;
}

/* ---- connections ---- */

enum tf_err sqlite_open_conn(struct sqlite_store *st, struct sqlite_conn **out)
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

void sqlite_close_conn(struct sqlite_conn *sc)
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
	group_init(&st->group, st->full_sync);
	*out = &st->base;
	return TF_OK;
}

static void sq_close(struct store *s)
{
	struct sqlite_store *st = (struct sqlite_store *)s;
	if (!st)
		return;
	for (size_t i = 0; i < st->n_all; i++)
		sqlite_close_conn(st->all[i]);
	group_destroy(&st->group);
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
		enum tf_err e = sqlite_open_conn(st, &sc);
		if (e != TF_OK)
			return e;
		pthread_mutex_lock(&st->lock);
		if (st->n_all == sizeof st->all / sizeof st->all[0]) {
			pthread_mutex_unlock(&st->lock);
			sqlite_close_conn(sc);
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
	if (sc->lone) {
		log_error("connection released inside a lone write; committing it", NULL);
		(void)lone_end(c, TF_OK);
	}
	if (sc->in_tx) {
		log_error("connection released inside a transaction; rolling back", NULL);
		sc->in_tx = false;
		group_rollback(st);
	}
	if (!sqlite3_get_autocommit(sc->db)) {
		log_error("pooled connection released inside a transaction; rolling back", NULL);
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
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (sc->in_tx || sc->lone) {
		log_error("transaction begun inside another", NULL);
		return TF_ERR_INTERNAL;
	}
	enum tf_err e = group_begin((struct sqlite_store *)c->st);
	if (e == TF_OK)
		sc->in_tx = true;
	return e;
}

static enum tf_err sq_tx_commit(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->in_tx)
		return TF_ERR_INTERNAL;
	sc->in_tx = false;
	return group_commit((struct sqlite_store *)c->st);
}

static void sq_tx_rollback(struct store_conn *c)
{
	struct sqlite_conn *sc = (struct sqlite_conn *)c;
	if (!sc->in_tx)
		return;
	sc->in_tx = false;
	group_rollback((struct sqlite_store *)c->st);
}

const struct store_ops store_sqlite_ops = {
	.ops_version = 10,
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
	.session_set_stepped_up = sq_session_set_stepped_up,
	.session_send_swap = sq_session_send_swap,
	.factor_send_swap = sq_factor_send_swap,
	.factor_insert = sq_factor_insert,
	.factor_get = sq_factor_get,
	.factor_list = sq_factor_list,
	.factor_update = sq_factor_update,
	.factor_set_preferred = sq_factor_set_preferred,
	.factor_delete = sq_factor_delete,
	.backup_codes_replace = sq_backup_codes_replace,
	.backup_codes_list = sq_backup_codes_list,
	.backup_code_use = sq_backup_code_use,
	.challenge_insert = sq_challenge_insert,
	.challenge_get = sq_challenge_get,
	.challenge_update = sq_challenge_update,
	.challenge_supersede = sq_challenge_supersede,
	.device_insert = sq_device_insert,
	.device_list = sq_device_list,
	.device_revoke = sq_device_revoke,
	.device_revoke_all = sq_device_revoke_all,
	.device_revoked_since = sq_device_revoked_since,
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
	.app_get_by_client_id = sq_app_get_by_client_id,
	.sso_token_insert = sq_sso_token_insert,
	.sso_token_redeem = sq_sso_token_redeem,
	.hosted_session_insert = sq_hosted_session_insert,
	.hosted_session_info = sq_hosted_session_info,
	.hosted_session_mfa_passed = sq_hosted_session_mfa_passed,
	.hosted_sessions_revoke = sq_hosted_sessions_revoke,
	.email_token_get = sq_email_token_get,
	.email_token_use = sq_email_token_use,
	.user_set_password = sq_user_set_password,
	.authorization_insert = sq_authorization_insert,
	.authorization_use = sq_authorization_use,
	.beneficiary_insert = sq_beneficiary_insert,
	.beneficiary_list = sq_beneficiary_list,
	.beneficiary_delete = sq_beneficiary_delete,
	.beneficiary_find = sq_beneficiary_find,
	.series_get = sq_series_get,
	.series_put = sq_series_put,
	.sca_state_get = sq_sca_state_get,
	.sca_state_record = sq_sca_state_record,
	.sca_state_add_low_value = sq_sca_state_add_low_value,
	.ledger_insert = sq_ledger_insert,
	.ledger_report = sq_ledger_report,
	/* ops_version 4: the WePay face */
	.wepay_user_get = sq_wepay_user_get,
	.wepay_user_put = sq_wepay_user_put,
	.wepay_mfa_list = sq_wepay_mfa_list,
	.wepay_mfa_put = sq_wepay_mfa_put,
	.factor_clear_preferred = sq_factor_clear_preferred,
	.challenge_latest = sq_challenge_latest,
	.txn_insert = sq_txn_insert,
	.txn_get = sq_txn_get,
	.txn_update = sq_txn_update,
	.txn_list_by_challenge = sq_txn_list_by_challenge,
	.app_delivery_set = sq_app_delivery_set,
	.app_delivery_get = sq_app_delivery_get,
	.sweep = sq_sweep,
	.counter_give_back = sq_counter_give_back,
	/* ops_version 9: the key ring */
	.keyring_get = sq_keyring_get,
	.keyring_insert = sq_keyring_insert,
	.keyring_replace = sq_keyring_replace,
	.sealed_page = sq_sealed_page,
	.sealed_put = sq_sealed_put,
	.devices_revoke_every = sq_devices_revoke_every,
	.other_clients = sq_other_clients,
	/* ops_version 10 */
	.user_change_email = sq_user_change_email,
};
