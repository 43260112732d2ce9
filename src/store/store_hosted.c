/* store_hosted.c: what the hosted pages need (SPEC sections 7 and 8), written once for both
 * drivers (store_sql.h): one-time SSO tokens, hosted-pages sessions, and the email tokens of
 * the confirmation page. A hosted session is a row of the sessions table of kind 'hosted' with
 * two more columns: the redirect URI it returns to and whether the user still owes a second
 * factor. Every redemption is a conditional update: of two requests (or PostgreSQL nodes)
 * redeeming one token at once, exactly one changes the row. */
#include <stdio.h>
#include <string.h>

#include "store/store_sql.h"

enum tf_err sql_sso_token_insert(struct store_conn *c, const struct sso_token_row *t)
{
	return db_exec(c, S_SSO_TOKEN_INSERT,
		       ARGS(BLOB(t->token_mac, TF_MAC_BYTES), TEXT(t->app_id), TEXT(t->user_id), INT(t->created_at),
			    INT(t->expires_at)),
		       NULL);
}

enum tf_err sql_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				 struct sso_token_row *out)
{
	int changes = 0;
	struct rows r;
	enum tf_err e = db_exec(c, S_SSO_TOKEN_REDEEM, ARGS(INT(now), BLOB(mac, TF_MAC_BYTES), TEXT(app_id)), &changes);
	if (e != TF_OK || (e = db_row(c, S_SSO_TOKEN_GET, ARGS(BLOB(mac, TF_MAC_BYTES), TEXT(app_id)), &r)) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	col_text(&r, 0, out->user_id, sizeof out->user_id);
	out->created_at = col_int(&r, 1);
	out->expires_at = col_int(&r, 2);
	int64_t used_at = col_int(&r, 3);
	if ((e = db_end(&r)) != TF_OK || changes)
		return e;
	return used_at ? TF_ERR_SSO_TOKEN_USED : TF_ERR_SSO_TOKEN_EXPIRED;
}

enum tf_err sql_hosted_session_insert(struct store_conn *c, const struct session_row *s,
				      const struct hosted_session_info *info)
{
	return db_exec(c, S_HOSTED_SESSION_INSERT,
		       ARGS(TEXT(s->session_id), BLOB(s->token_mac, TF_MAC_BYTES), TEXT(s->app_id), TEXT(s->user_id),
			    INT(s->created_at), INT(s->last_seen_at), INT(s->idle_timeout_ms), INT(s->absolute_expires_at),
			    TEXT(info->redirect_uri), INT(info->mfa_pending)),
		       NULL);
}

enum tf_err sql_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out)
{
	struct rows r;
	enum tf_err e = db_row(c, S_HOSTED_SESSION_INFO, ARGS(TEXT(session_id)), &r);
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	col_text(&r, 0, out->redirect_uri, sizeof out->redirect_uri);
	out->mfa_pending = col_int(&r, 1) != 0;
	return db_end(&r);
}

enum tf_err sql_hosted_session_mfa_passed(struct store_conn *c, const char *session_id)
{
	return db_exec(c, S_HOSTED_SESSION_MFA_PASSED, ARGS(TEXT(session_id)), NULL);
}

enum tf_err sql_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				       int *n_out)
{
	int changes = 0;
	enum tf_err e = db_exec(c, S_HOSTED_SESSIONS_REVOKE, ARGS(INT(now), TEXT(app_id), TEXT(user_id)), &changes);
	if (n_out)
		*n_out = changes;
	return e;
}

enum tf_err sql_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				struct email_token_row *out)
{
	struct rows r;
	enum tf_err e = db_row(c, S_EMAIL_TOKEN_GET, ARGS(BLOB(mac, TF_MAC_BYTES), TEXT(app_id), INT(now)), &r);
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	col_text(&r, 0, out->user_id, sizeof out->user_id);
	col_text(&r, 1, out->purpose, sizeof out->purpose);
	out->created_at = col_int(&r, 2);
	out->expires_at = col_int(&r, 3);
	return db_end(&r);
}

enum tf_err sql_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now)
{
	return db_change(c, S_EMAIL_TOKEN_USE, ARGS(BLOB(mac, TF_MAC_BYTES), TEXT(app_id), INT(now)), TF_ERR_NOT_FOUND);
}
