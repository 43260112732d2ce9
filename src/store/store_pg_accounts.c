/* store_pg_accounts.c: applications, users, sessions and email tokens in PostgreSQL (the
 * counterpart of store_sqlite_accounts.c, with the same results and errors). */
#include <stdlib.h>
#include <string.h>

#include "store/store_pg_int.h"

/* ---- applications ---- */

static void read_app(const PGresult *r, struct app_row *a)
{
	memset(a, 0, sizeof *a);
	col_text(r, 0, 0, a->app_id, sizeof a->app_id);
	col_text(r, 0, 1, a->name, sizeof a->name);
	col_text(r, 0, 2, a->client_id, sizeof a->client_id);
	col_blob(r, 0, 3, a->client_secret_sealed, sizeof a->client_secret_sealed, &a->client_secret_sealed_len);
	col_blob(r, 0, 4, a->api_key_mac, sizeof a->api_key_mac, NULL);
	a->sandbox = col_int(r, 0, 5) != 0;
	a->can_mark_email_verified = col_int(r, 0, 6) != 0;
	a->can_register_sso = col_int(r, 0, 7) != 0;
	col_text(r, 0, 8, a->redirect_uri_prefixes, sizeof a->redirect_uri_prefixes);
	col_text(r, 0, 9, a->sso_login_url, sizeof a->sso_login_url);
	a->created_at = col_int(r, 0, 10);
	col_text(r, 0, 11, a->totp_algorithm, sizeof a->totp_algorithm);
	a->totp_digits = (int)col_int(r, 0, 12);
	col_text(r, 0, 13, a->low_value_rates, sizeof a->low_value_rates);
	col_text(r, 0, 14, a->send_policy, sizeof a->send_policy);
}

enum tf_err pg_app_insert(struct store_conn *c, const struct app_row *a)
{
	struct pg_params p = {0};
	p_text(&p, a->app_id);
	p_text(&p, a->name);
	p_text(&p, a->client_id);
	p_blob(&p, a->client_secret_sealed, a->client_secret_sealed_len);
	p_blob(&p, a->api_key_mac, TF_MAC_BYTES);
	p_int(&p, a->sandbox);
	p_int(&p, a->can_mark_email_verified);
	p_int(&p, a->can_register_sso);
	p_text(&p, a->redirect_uri_prefixes);
	p_text(&p, a->sso_login_url);
	p_int(&p, a->created_at);
	p_text(&p, a->totp_algorithm[0] ? a->totp_algorithm : "SHA1");
	p_int(&p, a->totp_digits ? a->totp_digits : 6);
	p_text(&p, a->low_value_rates[0] ? a->low_value_rates : "{}");
	p_text(&p, a->send_policy[0] ? a->send_policy : "{}");
	return pg_run(c, PS_APP_INSERT, &p, "app_insert", NULL, NULL);
}

static enum tf_err app_query(struct store_conn *c, enum pg_stmt id, const struct pg_params *p, struct app_row *out)
{
	PGresult *r;
	enum tf_err e = pg_row(c, id, p, "app_get", &r);
	if (e != TF_OK)
		return e;
	read_app(r, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_app_get(struct store_conn *c, const char *app_id, struct app_row *out)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	return app_query(c, PS_APP_GET, &p, out);
}

enum tf_err pg_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out)
{
	struct pg_params p = {0};
	p_blob(&p, mac, TF_MAC_BYTES);
	return app_query(c, PS_APP_GET_BY_KEY, &p, out);
}

enum tf_err pg_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out)
{
	struct pg_params p = {0};
	p_text(&p, client_id);
	return app_query(c, PS_APP_GET_BY_CLIENT_ID, &p, out);
}

enum tf_err pg_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len)
{
	struct pg_params p = {0};
	if (len)
		p_blob(&p, sealed, len);
	else
		p_null(&p);
	p_text(&p, app_id);
	return pg_run(c, PS_APP_DELIVERY_SET, &p, "app_delivery_set", NULL, NULL);
}

enum tf_err pg_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len)
{
	*sealed = NULL;
	*len = 0;
	struct pg_params p = {0};
	p_text(&p, app_id);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_APP_DELIVERY_GET, &p, "app_delivery_get", &r);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	uint8_t *b = col_null(r, 0, 0) ? NULL : col_blob_dup(r, 0, 0, &n);
	PQclear(r);
	if (b && n) {
		*sealed = b;
		*len = n;
	} else {
		free(b);
	}
	return TF_OK;
}

/* ---- users ---- */

static void read_user(const PGresult *r, struct user_row *u)
{
	char type[16];
	memset(u, 0, sizeof *u);
	col_text(r, 0, 0, u->app_id, sizeof u->app_id);
	col_text(r, 0, 1, u->user_id, sizeof u->user_id);
	col_text(r, 0, 2, u->email, sizeof u->email);
	col_text(r, 0, 3, type, sizeof type);
	u->type = strcmp(type, "sso") == 0 ? USER_SSO : USER_STANDARD;
	col_text(r, 0, 4, u->password_hash, sizeof u->password_hash);
	col_text(r, 0, 5, u->name, sizeof u->name);
	col_text(r, 0, 6, u->mobile, sizeof u->mobile);
	u->email_verified_at = col_int(r, 0, 7);
	u->created_at = col_int(r, 0, 8);
	u->first_verified_at = col_int(r, 0, 9);
}

enum tf_err pg_user_insert(struct store_conn *c, const struct user_row *u)
{
	struct pg_params p = {0};
	p_text(&p, u->app_id);
	p_text(&p, u->user_id);
	p_text(&p, u->email);
	p_text(&p, u->type == USER_SSO ? "sso" : "standard");
	p_text(&p, u->password_hash);
	p_text(&p, u->name);
	p_text(&p, u->mobile);
	p_int(&p, u->email_verified_at);
	p_int(&p, u->created_at);
	p_int(&p, u->first_verified_at);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_USER_INSERT, &p, "user_insert", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_EMAIL_TAKEN;
}

static enum tf_err user_query(struct store_conn *c, enum pg_stmt id, const struct pg_params *p, struct user_row *out)
{
	PGresult *r;
	enum tf_err e = pg_row(c, id, p, "user_get", &r);
	if (e != TF_OK)
		return e;
	read_user(r, out);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out)
{
	enum tf_err e = pg_lock_user(c, app_id, user_id);
	if (e != TF_OK)
		return e;
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	return user_query(c, PS_USER_GET, &p, out);
}

enum tf_err pg_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, email);
	return user_query(c, PS_USER_GET_BY_EMAIL, &p, out);
}

enum tf_err pg_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, app_id);
	p_text(&p, user_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_USER_MARK_VERIFIED, &p, "user_mark_verified", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_EMAIL_ALREADY_VERIFIED;
}

enum tf_err pg_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email)
{
	struct pg_params p = {0};
	p_text(&p, app_id);
	p_text(&p, user_id);
	enum tf_err e = pg_run(c, PS_USER_DROP_EMAIL_TOKENS, &p, "user_change_email", NULL, NULL);
	if (e != TF_OK)
		return e;
	p_text(&p, email);
	int changes = 0;
	e = pg_run(c, PS_USER_CHANGE_EMAIL, &p, "user_change_email", NULL, &changes);
	if (e == TF_ERR_STATE_CONFLICT) /* a unique violation: another user of the application took it meanwhile */
		return TF_ERR_EMAIL_TAKEN;
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before)
{
	static const enum pg_stmt order[] = {PS_USER_PURGE_SESSIONS, PS_USER_PURGE_TOKENS, PS_USER_PURGE_FACTORS,
					     PS_USER_PURGE_DEVICES, PS_USER_PURGE_SSO, PS_USER_PURGE_BENEFICIARIES,
					     PS_USER_PURGE_TXNS, PS_USER_PURGE};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		struct pg_params p = {0};
		p_text(&p, app_id);
		p_text(&p, email);
		p_int(&p, before);
		enum tf_err e = pg_run(c, order[i], &p, "user_purge_unverified", NULL, NULL);
		if (e != TF_OK)
			return e;
	}
	return TF_OK;
}

enum tf_err pg_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash)
{
	struct pg_params p = {0};
	p_text(&p, hash);
	p_text(&p, app_id);
	p_text(&p, user_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_USER_SET_PASSWORD, &p, "user_set_password", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

/* ---- sessions ---- */

enum tf_err pg_session_insert(struct store_conn *c, const struct session_row *r)
{
	struct pg_params p = {0};
	p_text(&p, r->session_id);
	p_blob(&p, r->token_mac, TF_MAC_BYTES);
	p_text(&p, r->app_id);
	p_text(&p, r->user_id);
	p_text(&p, r->kind == SESSION_HOSTED ? "hosted" : "api");
	p_int(&p, r->created_at);
	p_int(&p, r->last_seen_at);
	p_int(&p, r->idle_timeout_ms);
	p_int(&p, r->absolute_expires_at);
	p_int(&p, r->revoked_at);
	return pg_run(c, PS_SESSION_INSERT, &p, "session_insert", NULL, NULL);
}

enum tf_err pg_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES], struct session_row *s)
{
	struct pg_params p = {0};
	p_blob(&p, mac, TF_MAC_BYTES);
	p_text(&p, app_id);
	PGresult *r;
	enum tf_err e = pg_row(c, PS_SESSION_GET, &p, "session_get", &r);
	if (e != TF_OK)
		return e;
	char kind[16];
	memset(s, 0, sizeof *s);
	col_text(r, 0, 0, s->session_id, sizeof s->session_id);
	col_blob(r, 0, 1, s->token_mac, TF_MAC_BYTES, NULL);
	col_text(r, 0, 2, s->app_id, sizeof s->app_id);
	col_text(r, 0, 3, s->user_id, sizeof s->user_id);
	col_text(r, 0, 4, kind, sizeof kind);
	s->kind = strcmp(kind, "hosted") == 0 ? SESSION_HOSTED : SESSION_API;
	s->created_at = col_int(r, 0, 5);
	s->last_seen_at = col_int(r, 0, 6);
	s->idle_timeout_ms = col_int(r, 0, 7);
	s->absolute_expires_at = col_int(r, 0, 8);
	s->revoked_at = col_int(r, 0, 9);
	s->stepped_up_at = col_int(r, 0, 10);
	s->last_send_at = col_int(r, 0, 11);
	s->stepup_sends = (int)col_int(r, 0, 12);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_session_touch(struct store_conn *c, const char *session_id, int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, session_id);
	return pg_run(c, PS_SESSION_TOUCH, &p, "session_touch", NULL, NULL);
}

enum tf_err pg_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now)
{
	struct pg_params p = {0};
	p_int(&p, now);
	p_text(&p, app_id);
	p_text(&p, session_id);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_SESSION_REVOKE, &p, "session_revoke", NULL, &changes);
	return e != TF_OK ? e : changes ? TF_OK : TF_ERR_NOT_FOUND;
}

enum tf_err pg_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at)
{
	struct pg_params p = {0};
	p_int(&p, stepped_up_at);
	p_text(&p, session_id);
	return pg_run(c, PS_SESSION_STEPUP, &p, "session_set_stepped_up", NULL, NULL);
}

enum tf_err pg_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				 const struct send_state *next, bool *swapped)
{
	struct pg_params p = {0};
	p_int(&p, next->last_send_at);
	p_int(&p, next->counted_sends);
	p_text(&p, session_id);
	p_int(&p, state->last_send_at);
	p_int(&p, state->counted_sends);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_SESSION_SEND_SWAP, &p, "session_send_swap", NULL, &changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	/* READ COMMITTED: this statement sees what the concurrent sender committed */
	struct pg_params q = {0};
	p_text(&q, session_id);
	PGresult *r;
	if ((e = pg_row(c, PS_SESSION_SEND_STATE, &q, "session_send_state", &r)) != TF_OK)
		return e;
	state->last_send_at = col_int(r, 0, 0);
	state->counted_sends = (int)col_int(r, 0, 1);
	PQclear(r);
	return TF_OK;
}

enum tf_err pg_factor_send_swap(struct store_conn *c, const char *app_id, const char *factor_id, int64_t *last_send_at,
				int64_t next, bool *swapped)
{
	struct pg_params p = {0};
	p_int(&p, next);
	p_text(&p, app_id);
	p_text(&p, factor_id);
	p_int(&p, *last_send_at);
	int changes = 0;
	enum tf_err e = pg_run(c, PS_FACTOR_SEND_SWAP, &p, "factor_send_swap", NULL, &changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	struct pg_params q = {0};
	p_text(&q, app_id);
	p_text(&q, factor_id);
	PGresult *r;
	if ((e = pg_row(c, PS_FACTOR_SEND_STATE, &q, "factor_send_state", &r)) != TF_OK)
		return e;
	*last_send_at = col_int(r, 0, 0);
	PQclear(r);
	return TF_OK;
}

/* ---- email tokens ---- */

enum tf_err pg_email_token_insert(struct store_conn *c, const struct email_token_row *t)
{
	struct pg_params p = {0};
	p_blob(&p, t->token_mac, TF_MAC_BYTES);
	p_text(&p, t->app_id);
	p_text(&p, t->user_id);
	p_text(&p, t->purpose);
	p_int(&p, t->created_at);
	p_int(&p, t->expires_at);
	return pg_run(c, PS_EMAIL_TOKEN_INSERT, &p, "email_token_insert", NULL, NULL);
}
