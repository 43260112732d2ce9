/* store_sqlite_sso.c: what the hosted pages need of SQLite (SPEC sections 7 and 8): one-time SSO
 * tokens, hosted-pages sessions, and the email tokens and password of the confirmation page. A hosted session is a row of the sessions table of kind 'hosted' with two more
 * columns: the redirect URI it returns to and whether the user still owes a second factor. */
#include <stdio.h>
#include <string.h>

#include "store/store_sqlite_int.h"

enum tf_err sq_sso_token_insert(struct store_conn *c, const struct sso_token_row *t)
{
	sqlite3_stmt *s = stmt(c, Q_SSO_TOKEN_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, t->token_mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, t->app_id);
	bind_text(s, 3, t->user_id);
	sqlite3_bind_int64(s, 4, t->created_at);
	sqlite3_bind_int64(s, 5, t->expires_at);
	return exec_stmt(c, s, "sso_token_insert", NULL);
}

enum tf_err sq_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				struct sso_token_row *out)
{
	/* the conditional update is the single-use check: of two concurrent redemptions, one
	 * changes the row and the other finds it used */
	sqlite3_stmt *s = stmt(c, Q_SSO_TOKEN_REDEEM);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_blob(s, 2, mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 3, app_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "sso_token_redeem", &changes);
	if (e != TF_OK)
		return e;
	if (!(s = stmt(c, Q_SSO_TOKEN_GET)))
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, app_id);
	if ((e = step_row(c, s, "sso_token_get")) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	copy_text(s, 0, out->user_id, sizeof out->user_id);
	out->created_at = sqlite3_column_int64(s, 1);
	out->expires_at = sqlite3_column_int64(s, 2);
	int64_t used_at = sqlite3_column_int64(s, 3);
	finish(s);
	if (changes)
		return TF_OK;
	if (used_at)
		return TF_ERR_SSO_TOKEN_USED;
	return TF_ERR_SSO_TOKEN_EXPIRED;
}

enum tf_err sq_hosted_session_insert(struct store_conn *c, const struct session_row *r, const struct hosted_session_info *info)
{
	sqlite3_stmt *s = stmt(c, Q_HOSTED_SESSION_INSERT);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, r->session_id);
	sqlite3_bind_blob(s, 2, r->token_mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 3, r->app_id);
	bind_text(s, 4, r->user_id);
	sqlite3_bind_int64(s, 5, r->created_at);
	sqlite3_bind_int64(s, 6, r->last_seen_at);
	sqlite3_bind_int64(s, 7, r->idle_timeout_ms);
	sqlite3_bind_int64(s, 8, r->absolute_expires_at);
	bind_text(s, 9, info->redirect_uri);
	sqlite3_bind_int(s, 10, info->mfa_pending);
	return exec_stmt(c, s, "hosted_session_insert", NULL);
}

enum tf_err sq_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out)
{
	sqlite3_stmt *s = stmt(c, Q_HOSTED_SESSION_INFO);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, session_id);
	enum tf_err e = step_row(c, s, "hosted_session_info");
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	copy_text(s, 0, out->redirect_uri, sizeof out->redirect_uri);
	out->mfa_pending = sqlite3_column_int(s, 1) != 0;
	finish(s);
	return TF_OK;
}

enum tf_err sq_hosted_session_mfa_passed(struct store_conn *c, const char *session_id)
{
	sqlite3_stmt *s = stmt(c, Q_HOSTED_SESSION_MFA_PASSED);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, session_id);
	return exec_stmt(c, s, "hosted_session_mfa_passed", NULL);
}

enum tf_err sq_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now, int *n_out)
{
	sqlite3_stmt *s = stmt(c, Q_HOSTED_SESSIONS_REVOKE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_int64(s, 1, now);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "hosted_sessions_revoke", &changes);
	if (n_out)
		*n_out = changes;
	return e;
}

enum tf_err sq_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			       struct email_token_row *out)
{
	sqlite3_stmt *s = stmt(c, Q_EMAIL_TOKEN_GET);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, app_id);
	sqlite3_bind_int64(s, 3, now);
	enum tf_err e = step_row(c, s, "email_token_get");
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	copy_text(s, 0, out->user_id, sizeof out->user_id);
	copy_text(s, 1, out->purpose, sizeof out->purpose);
	out->created_at = sqlite3_column_int64(s, 2);
	out->expires_at = sqlite3_column_int64(s, 3);
	finish(s);
	return TF_OK;
}

enum tf_err sq_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now)
{
	sqlite3_stmt *s = stmt(c, Q_EMAIL_TOKEN_USE);
	if (!s)
		return TF_ERR_INTERNAL;
	sqlite3_bind_blob(s, 1, mac, TF_MAC_BYTES, SQLITE_STATIC);
	bind_text(s, 2, app_id);
	sqlite3_bind_int64(s, 3, now);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "email_token_use", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err sq_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash)
{
	sqlite3_stmt *s = stmt(c, Q_USER_SET_PASSWORD);
	if (!s)
		return TF_ERR_INTERNAL;
	bind_text(s, 1, hash);
	bind_text(s, 2, app_id);
	bind_text(s, 3, user_id);
	int changes = 0;
	enum tf_err e = exec_stmt(c, s, "user_set_password", &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}
