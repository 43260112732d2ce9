/* store_pg_sso.c: what the hosted pages need of PostgreSQL (SPEC sections 7 and 8): one-time
 * SSO tokens, hosted-pages sessions and the confirmation page's email tokens (the counterpart
 * of store_sqlite_sso.c, with the same results and errors). Every redemption is a conditional
 * update: of two nodes redeeming one token at once, exactly one changes the row. */
#include <stdio.h>
#include <string.h>

#include "store/store_pg_int.h"

enum tf_err pg_sso_token_insert(struct store_conn *c, const struct sso_token_row *t)
{
	struct pg_params p = {0};
	p_blob(&p, t->token_mac, TF_MAC_BYTES);
	p_text(&p, t->app_id);
	p_text(&p, t->user_id);
	p_int(&p, t->created_at);
	p_int(&p, t->expires_at);
	return pg_run(c, PS_SSO_TOKEN_INSERT, &p, "sso_token_insert", NULL, NULL);
}

enum tf_err pg_sso_token_redeem(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
				struct sso_token_row *out)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_blob(&p, mac, TF_MAC_BYTES);
	p_text(&p, app_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_SSO_TOKEN_REDEEM, &p, "sso_token_redeem", NULL, &changes);
	if (e != TF_OK)
		return e;
	struct pg_params g = {0};
	p_blob(&g, mac, TF_MAC_BYTES);
	p_text(&g, app_id);
	PGresult *r;
	if ((e = pg_row(c, PS_SSO_TOKEN_GET, &g, "sso_token_get", &r)) != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	col_text(r, 0, 0, out->user_id, sizeof out->user_id);
	out->created_at = col_int(r, 0, 1);
	out->expires_at = col_int(r, 0, 2);
	int64_t used_at = col_int(r, 0, 3);
	PQclear(r);
	if (changes)
		return TF_OK;
	if (used_at)
		return TF_ERR_SSO_TOKEN_USED;
	return TF_ERR_SSO_TOKEN_EXPIRED;
}

enum tf_err pg_hosted_session_insert(struct store_conn *c, const struct session_row *s,
				     const struct hosted_session_info *info)
{
	struct pg_params p = {0};
	p_text(&p, s->session_id);
	p_blob(&p, s->token_mac, TF_MAC_BYTES);
	p_text(&p, s->app_id);
	p_text(&p, s->user_id);
	p_int(&p, s->created_at);
	p_int(&p, s->last_seen_at);
	p_int(&p, s->idle_timeout_ms);
	p_int(&p, s->absolute_expires_at);
	p_text(&p, info->redirect_uri);
	p_int(&p, info->mfa_pending);
	return pg_run(c, PS_HOSTED_SESSION_INSERT, &p, "hosted_session_insert", NULL, NULL);
}

enum tf_err pg_hosted_session_info(struct store_conn *c, const char *session_id, struct hosted_session_info *out)
{
	struct pg_params p = {0};
	p_text(&p, session_id);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_HOSTED_SESSION_INFO, &p, "hosted_session_info", &r);
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	col_text(r, 0, 0, out->redirect_uri, sizeof out->redirect_uri);
	out->mfa_pending = col_int(r, 0, 1) != 0;
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_hosted_session_mfa_passed(struct store_conn *c, const char *session_id)
{
	struct pg_params p = {0};
	p_text(&p, session_id);
	return pg_run(c, PS_HOSTED_SESSION_MFA_PASSED, &p, "hosted_session_mfa_passed", NULL, NULL);
}

enum tf_err pg_hosted_sessions_revoke(struct store_conn *c, const char *app_id, const char *user_id, int64_t now,
				      int *n_out)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, app_id);
	p_text(&p, user_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_HOSTED_SESSIONS_REVOKE, &p, "hosted_sessions_revoke", NULL, &changes);
	if (n_out)
		*n_out = changes;
	return e;
}

enum tf_err pg_email_token_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now,
			       struct email_token_row *out)
{
	struct pg_params p = {0};
	p_blob(&p, mac, TF_MAC_BYTES);
	p_text(&p, app_id);
	p_int(&p, now);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_EMAIL_TOKEN_GET, &p, "email_token_get", &r);
	if (e != TF_OK)
		return e;
	memset(out, 0, sizeof *out);
	memcpy(out->token_mac, mac, TF_MAC_BYTES);
	snprintf(out->app_id, sizeof out->app_id, "%s", app_id);
	col_text(r, 0, 0, out->user_id, sizeof out->user_id);
	col_text(r, 0, 1, out->purpose, sizeof out->purpose);
	out->created_at = col_int(r, 0, 2);
	out->expires_at = col_int(r, 0, 3);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_email_token_use(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], int64_t now)
{
	struct pg_params p = {0};
	p_blob(&p, mac, TF_MAC_BYTES);
	p_text(&p, app_id);
	p_int(&p, now);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_EMAIL_TOKEN_USE, &p, "email_token_use", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}
