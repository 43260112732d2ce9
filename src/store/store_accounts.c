/* store_accounts.c: applications, users, sessions and their send state, written once for both
 * drivers (store_sql.h). */
#include <stdlib.h>
#include <string.h>

#include "store/store_sql.h"

/* ---- applications ---- */

static void read_app(struct rows *r, void *row)
{
	struct app_row *a = row;
	memset(a, 0, sizeof *a);
	col_text(r, 0, a->app_id, sizeof a->app_id);
	col_text(r, 1, a->name, sizeof a->name);
	col_text(r, 2, a->client_id, sizeof a->client_id);
	col_blob(r, 3, a->client_secret_sealed, sizeof a->client_secret_sealed, &a->client_secret_sealed_len);
	col_blob(r, 4, a->api_key_mac, sizeof a->api_key_mac, NULL);
	a->sandbox = col_int(r, 5) != 0;
	a->can_mark_email_verified = col_int(r, 6) != 0;
	a->can_register_sso = col_int(r, 7) != 0;
	col_text(r, 8, a->redirect_uri_prefixes, sizeof a->redirect_uri_prefixes);
	col_text(r, 9, a->sso_login_url, sizeof a->sso_login_url);
	a->created_at = col_int(r, 10);
	col_text(r, 11, a->totp_algorithm, sizeof a->totp_algorithm);
	a->totp_digits = (int)col_int(r, 12);
	col_text(r, 13, a->low_value_rates, sizeof a->low_value_rates);
	col_text(r, 14, a->send_policy, sizeof a->send_policy);
	col_text(r, 15, a->webauthn, sizeof a->webauthn);
	col_text(r, 16, a->enabled_factor_types, sizeof a->enabled_factor_types);
	col_text(r, 17, a->default_locale, sizeof a->default_locale);
	col_text(r, 18, a->brand_color, sizeof a->brand_color);
	col_text(r, 19, a->brand_logo_type, sizeof a->brand_logo_type);
	a->brand_logo_bytes = col_int(r, 20);
	col_text(r, 21, a->tra, sizeof a->tra);
	col_text(r, 22, a->events_url, sizeof a->events_url);
}

enum tf_err sql_app_insert(struct store_conn *c, const struct app_row *a)
{
	return db_exec(c, S_APP_INSERT,
		       ARGS(TEXT(a->app_id), TEXT(a->name), TEXT(a->client_id),
			    BLOB(a->client_secret_sealed, a->client_secret_sealed_len), BLOB(a->api_key_mac, TF_MAC_BYTES),
			    INT(a->sandbox), INT(a->can_mark_email_verified), INT(a->can_register_sso),
			    TEXT(a->redirect_uri_prefixes), TEXT(a->sso_login_url), INT(a->created_at),
			    TEXT(a->totp_algorithm[0] ? a->totp_algorithm : "SHA1"), INT(a->totp_digits ? a->totp_digits : 6),
			    TEXT(a->low_value_rates[0] ? a->low_value_rates : "{}"),
			    TEXT(a->send_policy[0] ? a->send_policy : "{}"), TEXT(a->webauthn),
			    TEXT(a->enabled_factor_types), TEXT(a->default_locale), TEXT(a->brand_color),
			    TEXT(a->brand_logo_type), INT(a->brand_logo_bytes), TEXT(a->tra), TEXT(a->events_url)),
		       NULL);
}

enum tf_err sql_app_get(struct store_conn *c, const char *app_id, struct app_row *out)
{
	return db_get(c, S_APP_GET, ARGS(TEXT(app_id)), read_app, out);
}

enum tf_err sql_app_get_by_api_key(struct store_conn *c, const uint8_t mac[TF_MAC_BYTES], struct app_row *out)
{
	return db_get(c, S_APP_GET_BY_KEY, ARGS(BLOB(mac, TF_MAC_BYTES)), read_app, out);
}

enum tf_err sql_app_get_by_client_id(struct store_conn *c, const char *client_id, struct app_row *out)
{
	return db_get(c, S_APP_GET_BY_CLIENT_ID, ARGS(TEXT(client_id)), read_app, out);
}

enum tf_err sql_app_delivery_set(struct store_conn *c, const char *app_id, const uint8_t *sealed, size_t len)
{
	return db_exec(c, S_APP_DELIVERY_SET, ARGS(BLOB_OR_NULL(sealed, len), TEXT(app_id)), NULL);
}

enum tf_err sql_app_delivery_get(struct store_conn *c, const char *app_id, uint8_t **sealed, size_t *len)
{
	*sealed = NULL;
	*len = 0;
	struct rows r;
	enum tf_err e = db_row(c, S_APP_DELIVERY_GET, ARGS(TEXT(app_id)), &r);
	if (e != TF_OK)
		return e;
	size_t n = 0;
	uint8_t *b = col_null(&r, 0) ? NULL : col_blob_dup(&r, 0, &n);
	if (b && n) {
		*sealed = b;
		*len = n;
	} else {
		free(b);
	}
	return db_end(&r);
}

/* ---- users ---- */

static void read_user(struct rows *r, void *row)
{
	struct user_row *u = row;
	char type[16];
	memset(u, 0, sizeof *u);
	col_text(r, 0, u->app_id, sizeof u->app_id);
	col_text(r, 1, u->user_id, sizeof u->user_id);
	col_text(r, 2, u->email, sizeof u->email);
	col_text(r, 3, type, sizeof type);
	u->type = (enum user_type)name_index(user_type_names, USER_TYPE_COUNT, type);
	col_text(r, 4, u->password_hash, sizeof u->password_hash);
	col_text(r, 5, u->name, sizeof u->name);
	col_text(r, 6, u->mobile, sizeof u->mobile);
	u->email_verified_at = col_int(r, 7);
	u->created_at = col_int(r, 8);
	u->first_verified_at = col_int(r, 9);
	col_text(r, 10, u->webauthn_user_handle, sizeof u->webauthn_user_handle);
	col_text(r, 11, u->locale, sizeof u->locale);
}

enum tf_err sql_user_insert(struct store_conn *c, const struct user_row *u)
{
	return db_change(c, S_USER_INSERT,
			 ARGS(TEXT(u->app_id), TEXT(u->user_id), TEXT(u->email), TEXT(user_type_names[u->type]),
			      TEXT(u->password_hash), TEXT(u->name), TEXT(u->mobile), INT(u->email_verified_at),
			      INT(u->created_at), INT(u->first_verified_at), TEXT(u->webauthn_user_handle),
			      TEXT(u->locale)),
			 TF_ERR_EMAIL_TAKEN);
}

enum tf_err sql_user_get(struct store_conn *c, const char *app_id, const char *user_id, struct user_row *out)
{
	return db_get(c, S_USER_GET, ARGS(TEXT(app_id), TEXT(user_id)), read_user, out);
}

enum tf_err sql_user_get_by_email(struct store_conn *c, const char *app_id, const char *email, struct user_row *out)
{
	return db_get(c, S_USER_GET_BY_EMAIL, ARGS(TEXT(app_id), TEXT(email)), read_user, out);
}

enum tf_err sql_user_mark_verified(struct store_conn *c, const char *app_id, const char *user_id, int64_t now)
{
	return db_change(c, S_USER_MARK_VERIFIED, ARGS(INT(now), TEXT(app_id), TEXT(user_id)),
			 TF_ERR_EMAIL_ALREADY_VERIFIED);
}

enum tf_err sql_user_change_email(struct store_conn *c, const char *app_id, const char *user_id, const char *email)
{
	enum tf_err e = db_exec(c, S_USER_DROP_EMAIL_TOKENS, ARGS(TEXT(app_id), TEXT(user_id)), NULL);
	if (e == TF_OK)
		e = db_change(c, S_USER_CHANGE_EMAIL, ARGS(TEXT(app_id), TEXT(user_id), TEXT(email)), TF_ERR_NOT_FOUND);
	/* a unique violation: another user of the application has it, or took it meanwhile */
	return e == TF_ERR_STATE_CONFLICT ? TF_ERR_EMAIL_TAKEN : e;
}

enum tf_err sql_user_purge_unverified(struct store_conn *c, const char *app_id, const char *email, int64_t before)
{
	enum tf_err e = TF_OK;
	for (enum stmt_id id = S_USER_PURGE_SESSIONS; e == TF_OK && id <= S_USER_PURGE; id++)
		e = db_exec(c, id, ARGS(TEXT(app_id), TEXT(email), INT(before)), NULL);
	return e;
}

enum tf_err sql_user_set_password(struct store_conn *c, const char *app_id, const char *user_id, const char *hash)
{
	return db_change(c, S_USER_SET_PASSWORD, ARGS(TEXT(hash), TEXT(app_id), TEXT(user_id)), TF_ERR_NOT_FOUND);
}

/* ---- sessions ---- */

enum tf_err sql_session_insert(struct store_conn *c, const struct session_row *s)
{
	return db_exec(c, S_SESSION_INSERT,
		       ARGS(TEXT(s->session_id), BLOB(s->token_mac, TF_MAC_BYTES), TEXT(s->app_id), TEXT(s->user_id),
			    TEXT(s->kind == SESSION_HOSTED ? "hosted" : "api"), INT(s->created_at), INT(s->last_seen_at),
			    INT(s->idle_timeout_ms), INT(s->absolute_expires_at), INT(s->revoked_at)),
		       NULL);
}

enum tf_err sql_session_get(struct store_conn *c, const char *app_id, const uint8_t mac[TF_MAC_BYTES],
			    struct session_row *s)
{
	struct rows r;
	enum tf_err e = db_row(c, S_SESSION_GET, ARGS(BLOB(mac, TF_MAC_BYTES), TEXT(app_id)), &r);
	if (e != TF_OK)
		return e;
	char kind[16];
	memset(s, 0, sizeof *s);
	col_text(&r, 0, s->session_id, sizeof s->session_id);
	col_blob(&r, 1, s->token_mac, TF_MAC_BYTES, NULL);
	col_text(&r, 2, s->app_id, sizeof s->app_id);
	col_text(&r, 3, s->user_id, sizeof s->user_id);
	col_text(&r, 4, kind, sizeof kind);
	s->kind = strcmp(kind, "hosted") == 0 ? SESSION_HOSTED : SESSION_API;
	s->created_at = col_int(&r, 5);
	s->last_seen_at = col_int(&r, 6);
	s->idle_timeout_ms = col_int(&r, 7);
	s->absolute_expires_at = col_int(&r, 8);
	s->revoked_at = col_int(&r, 9);
	s->stepped_up_at = col_int(&r, 10);
	s->last_send_at = col_int(&r, 11);
	s->stepup_sends = (int)col_int(&r, 12);
	return db_end(&r);
}

enum tf_err sql_session_touch(struct store_conn *c, const char *session_id, int64_t now)
{
	return db_exec(c, S_SESSION_TOUCH, ARGS(INT(now), TEXT(session_id)), NULL);
}

enum tf_err sql_session_revoke(struct store_conn *c, const char *app_id, const char *session_id, int64_t now)
{
	return db_change(c, S_SESSION_REVOKE, ARGS(INT(now), TEXT(app_id), TEXT(session_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_session_set_stepped_up(struct store_conn *c, const char *session_id, int64_t stepped_up_at)
{
	return db_exec(c, S_SESSION_STEPUP, ARGS(INT(stepped_up_at), TEXT(session_id)), NULL);
}

enum tf_err sql_session_send_swap(struct store_conn *c, const char *session_id, struct send_state *state,
				  const struct send_state *next, bool *swapped)
{
	int changes = 0;
	enum tf_err e = db_exec(c, S_SESSION_SEND_SWAP,
				ARGS(INT(next->last_send_at), INT(next->counted_sends), TEXT(session_id),
				     INT(state->last_send_at), INT(state->counted_sends)),
				&changes);
	*swapped = e == TF_OK && changes == 1;
	if (e != TF_OK || *swapped)
		return e;
	/* PostgreSQL (READ COMMITTED): this statement sees what the concurrent sender committed */
	struct rows r;
	if ((e = db_row(c, S_SESSION_SEND_STATE, ARGS(TEXT(session_id)), &r)) != TF_OK)
		return e;
	state->last_send_at = col_int(&r, 0);
	state->counted_sends = (int)col_int(&r, 1);
	return db_end(&r);
}

enum tf_err sql_email_token_insert(struct store_conn *c, const struct email_token_row *t)
{
	return db_exec(c, S_EMAIL_TOKEN_INSERT,
		       ARGS(BLOB(t->token_mac, TF_MAC_BYTES), TEXT(t->app_id), TEXT(t->user_id), TEXT(t->purpose),
			    INT(t->created_at), INT(t->expires_at)),
		       NULL);
}

/* ---- passkeys ---- */

enum tf_err sql_app_set_webauthn(struct store_conn *c, const char *app_id, const char *settings)
{
	return db_change(c, S_APP_SET_WEBAUTHN, ARGS(TEXT(settings), TEXT(app_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_app_set_factor_types(struct store_conn *c, const char *app_id, const char *types)
{
	return db_change(c, S_APP_SET_FACTOR_TYPES, ARGS(TEXT(types), TEXT(app_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_app_set_default_locale(struct store_conn *c, const char *app_id, const char *locale)
{
	return db_change(c, S_APP_SET_DEFAULT_LOCALE, ARGS(TEXT(locale), TEXT(app_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_user_set_locale(struct store_conn *c, const char *app_id, const char *user_id, const char *locale)
{
	return db_change(c, S_USER_SET_LOCALE, ARGS(TEXT(locale), TEXT(app_id), TEXT(user_id)), TF_ERR_NOT_FOUND);
}

enum tf_err sql_app_set_branding(struct store_conn *c, const char *app_id, const char *color, const char *logo_type,
				 const uint8_t *logo, size_t len)
{
	return db_change(c, S_APP_SET_BRANDING,
			 ARGS(TEXT(color), TEXT(logo_type), BLOB_OR_NULL(logo, len), INT((int64_t)len), TEXT(app_id)),
			 TF_ERR_NOT_FOUND);
}

enum tf_err sql_app_brand_logo_get(struct store_conn *c, const char *app_id, char type[4], uint8_t **logo, size_t *len)
{
	*logo = NULL;
	*len = 0;
	type[0] = '\0';
	struct rows r;
	enum tf_err e = db_row(c, S_APP_BRAND_LOGO_GET, ARGS(TEXT(app_id)), &r);
	if (e != TF_OK)
		return e;
	col_text(&r, 0, type, 4);
	size_t n = 0;
	uint8_t *b = col_null(&r, 1) ? NULL : col_blob_dup(&r, 1, &n);
	if (b && n) {
		*logo = b;
		*len = n;
	} else {
		free(b);
		type[0] = '\0';
	}
	return db_end(&r);
}

enum tf_err sql_user_set_webauthn_handle(struct store_conn *c, const char *app_id, const char *user_id,
					 const char *handle, char out[48])
{
	enum tf_err e = db_exec(c, S_USER_SET_WEBAUTHN_HANDLE, ARGS(TEXT(handle), TEXT(app_id), TEXT(user_id)), NULL);
	struct rows r;
	if (e == TF_OK && (e = db_row(c, S_USER_WEBAUTHN_HANDLE, ARGS(TEXT(app_id), TEXT(user_id)), &r)) == TF_OK) {
		col_text(&r, 0, out, 48);
		e = db_end(&r);
	}
	return e;
}

enum tf_err sql_user_get_by_webauthn_handle(struct store_conn *c, const char *app_id, const char *handle,
					    struct user_row *out)
{
	return db_get(c, S_USER_GET_BY_WEBAUTHN_HANDLE, ARGS(TEXT(app_id), TEXT(handle)), read_user, out);
}
