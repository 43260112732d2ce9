/* store_sqlite_accounts.c: applications, users, sessions and email tokens in SQLite. */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

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
	copy_text(s, 11, a->totp_algorithm, sizeof a->totp_algorithm);
	a->totp_digits = sqlite3_column_int(s, 12);
	copy_text(s, 13, a->low_value_rates, sizeof a->low_value_rates);
	copy_text(s, 14, a->send_policy, sizeof a->send_policy);
}

enum tf_err sq_app_insert(struct store_conn *c, const struct app_row *a)
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
	bind_text(s, 12, a->totp_algorithm[0] ? a->totp_algorithm : "SHA1");
	sqlite3_bind_int(s, 13, a->totp_digits ? a->totp_digits : 6);
	bind_text(s, 14, a->low_value_rates[0] ? a->low_value_rates : "{}");
	bind_text(s, 15, a->send_policy[0] ? a->send_policy : "{}");
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

enum tf_err sq_app_get(struct store_conn *c, const char *app_id, struct app_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_APP_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	return app_query(c, s, out);
}

enum tf_err sq_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_APP_GET_BY_KEY);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	return app_query(c, s, out);
}

enum tf_err sq_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_APP_GET_BY_CLIENT_ID);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, client_id);
	return app_query(c, s, out);
}

enum tf_err sq_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len)
{
	sqlite3_stmt *s = stmt(c, Q_APP_DELIVERY_SET);
	if (!s)
		return TF_ERR_INTERNAL;
	if (len)
		sqlite3_bind_blob(s, 1, sealed, (int)len, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 1);
	bind_text(s, 2, app_id);
	return exec_stmt(c, s, "app_delivery_set", NULL);
}

enum tf_err sq_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len)
{
	*sealed = NULL;
	*len = 0;
	sqlite3_stmt *s = stmt(c, Q_APP_DELIVERY_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	enum tf_err e = step_row(c, s, "app_delivery_get");
	if (e != TF_OK)
		return e;
	int n = sqlite3_column_bytes(s, 0);
	if (n > 0 && (*sealed = malloc((size_t)n))) {
		memcpy(*sealed, sqlite3_column_blob(s, 0), (size_t)n);
		*len = (size_t)n;
	}
	finish(s);
	return TF_OK;
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
	u->first_verified_at = sqlite3_column_int64(s, 9);
}

enum tf_err sq_user_insert(struct store_conn *c, const struct user_row *u)
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
	sqlite3_bind_int64(s, 10, u->first_verified_at);
	int rc = sqlite3_step(s);
	finish(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return lone_end(c, TF_ERR_EMAIL_TAKEN);
	return lone_end(c, sqlite_map_rc(db_of(c), rc, "user_insert"));
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

enum tf_err sq_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_USER_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	return user_query(c, s, out);
}

enum tf_err sq_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_USER_GET_BY_EMAIL);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, email);
	return user_query(c, s, out);
}

enum tf_err sq_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now)
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

enum tf_err sq_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email)
{
	sqlite3_stmt *s = stmt(c, Q_USER_DROP_EMAIL_TOKENS);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	enum tf_err e = exec_stmt(c, s, "user_change_email", NULL);
	if (e != TF_OK || !(s = stmt(c, Q_USER_CHANGE_EMAIL)))
		return e != TF_OK ? e : TF_ERR_INTERNAL;
	bind_text(s, 1, app_id);
	bind_text(s, 2, user_id);
	bind_text(s, 3, email);
	int rc = sqlite3_step(s);
	int changes = sqlite3_changes(db_of(c));
	finish(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return lone_end(c, TF_ERR_EMAIL_TAKEN);
	e = lone_end(c, sqlite_map_rc(db_of(c), rc, "user_change_email"));
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before)
{
	static const enum stmt_id order[] = {Q_USER_PURGE_SESSIONS, Q_USER_PURGE_TOKENS, Q_USER_PURGE_FACTORS,
					     Q_USER_PURGE_DEVICES, Q_USER_PURGE_SSO, Q_USER_PURGE_BENEFICIARIES,
					     Q_USER_PURGE_TXNS, Q_USER_PURGE};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
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

enum tf_err sq_session_insert(struct store_conn *c, const struct session_row *r)
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

enum tf_err sq_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], struct session_row *r)
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
	r->stepped_up_at = sqlite3_column_int64(s, 10);
	r->last_send_at = sqlite3_column_int64(s, 11);
	r->stepup_sends = sqlite3_column_int(s, 12);
	finish(s);
	return TF_OK;
}

enum tf_err sq_session_touch(struct store_conn *c, const char *session_id, int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_SESSION_TOUCH);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, session_id);
	return exec_stmt(c, s, "session_touch", NULL);
}

enum tf_err sq_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now)
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

enum tf_err sq_email_token_insert(struct store_conn *c, const struct email_token_row *t)
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

