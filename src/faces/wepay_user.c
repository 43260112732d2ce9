/*
 * wepay_user.c: WePay v2's user calls (seed-apis.md section 2): /v2/user/register, /v2/user,
 * /v2/user/modify, /v2/user/mark_email_verified, /v2/user/send_confirmation (and its older
 * name resend_confirmation), /v2/user/change_email, /v2/user/request_sso_token and
 * /v2/user/logout. Register authenticates the application by
 * client_id and client_secret and answers an access token, "<app_id>.<session token>", that
 * the other calls carry as a bearer token. The rules are the domain's (sca/users.h,
 * sca/sessions.h, sca/sso.h, sca/wepay.h); this file translates arguments and answers.
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/message_text.h"
#include "core/validate.h"
#include "faces/wepay.h"
#include "sca/sessions.h"
#include "sca/sso.h"
#include "sca/users.h"

#define WEPAY_NAME_CHARS 127
#define WEPAY_DEVICE_CHARS 255

/* Characters (code points) of valid UTF-8 text. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static enum tf_err text_arg(struct tf_req *req, const char *field, bool required, size_t max_chars, const char **out)
{
	enum tf_err e = req_string(req, field, required, out);
	if (e == TF_OK && *out && (!validate_display_text(*out, 4 * max_chars) || utf8_chars(*out) > max_chars))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	return e;
}

static enum tf_err url_arg(struct tf_req *req, const char *field, const char **out)
{
	enum tf_err e = req_string(req, field, false, out);
	if (e == TF_OK && *out && !validate_url(*out))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	return e;
}

/* rbits, WePay's risk bits: a list of objects (type, source, receive_time, properties, ...),
 * which WePay's Java SDK sends on register and modify when set. twofold takes no risk signals
 * from them: they are accepted as WePay's API accepts them, and dropped. Only their outline is
 * checked, so that a malformed body still fails as it would at WePay. */
#define RBITS_MAX 100
static enum tf_err rbits_arg(struct tf_req *req)
{
	json_t *v = json_object_get(req->json, "rbits");
	if (!v || json_is_null(v))
		return TF_OK;
	if (!json_is_array(v) || json_array_size(v) > RBITS_MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "rbits");
	size_t i;
	json_t *rbit;
	json_array_foreach(v, i, rbit) {
		if (!json_is_object(rbit))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "rbits");
	}
	return TF_OK;
}

/* scope: a comma-separated list of permission names ("manage_accounts,view_user") */
static bool scope_ok(const char *s)
{
	if (!*s || strlen(s) >= sizeof ((struct wepay_user_row *)0)->scope)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == ',' || *p == ' '))
			return false;
	return true;
}

static bool ip_ok(const char *s)
{
	unsigned char buf[16];
	return strlen(s) < 46 && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* client_id may come as a string or, as WePay's SDKs type it, a number. */
static enum tf_err client_id_arg(struct tf_req *req, char out[TF_ID_MAX])
{
	json_t *v = json_object_get(req->json, "client_id");
	if (!v || json_is_null(v))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "client_id");
	if (json_is_integer(v))
		snprintf(out, TF_ID_MAX, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) < TF_ID_MAX && strlen(json_string_value(v)) == json_string_length(v))
		snprintf(out, TF_ID_MAX, "%s", json_string_value(v));
	else
		return req_field_error(req, TF_ERR_INVALID_FIELD, "client_id");
	return TF_OK;
}

/* The application whose client_id and client_secret these are. The secret is compared as
 * MACs (fixed length, constant time); an unknown client and a wrong secret answer alike. */
static enum tf_err authenticate_client(struct tf_req *req, const char *client_id, const char *client_secret)
{
	uint8_t given[TF_MAC_BYTES], want[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "wepay_client_secret", client_secret, given);
	enum tf_err e = req_load_app_by_client_id(req, client_id);
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	bool known = e == TF_OK;
	uint8_t *secret = NULL;
	size_t secret_len = 0;
	if (known && crypto_open(req->svc->keys, req->app->client_secret_sealed, req->app->client_secret_sealed_len, &secret,
				 &secret_len) != TF_OK)
		return TF_ERR_INTERNAL;
	crypto_secret_mac(req->svc->keys, "wepay_client_secret", known ? (const char *)secret : "", want);
	if (secret) {
		sodium_memzero(secret, secret_len);
		free(secret);
	}
	bool ok = crypto_equal(given, want, TF_MAC_BYTES) && known;
	if (!ok) {
		req_drop_app(req);
		return wepay_refuse(req, TF_ERR_INVALID_CREDENTIALS, "invalid_client", 1006,
				    "the client_id or client_secret is not valid");
	}
	return TF_OK;
}

enum tf_err wepay_user_register(struct tf_req *req)
{
	static const char *const known[] = {"client_id", "client_secret", "email", "scope", "first_name", "last_name",
					    "original_ip", "original_device", "tos_acceptance_time", "redirect_uri",
					    "callback_uri", "type", "rbits", NULL};
	char client_id[TF_ID_MAX];
	const char *client_secret, *email, *scope, *first, *last, *ip, *device, *redirect_uri = NULL,
							      *callback_uri = NULL, *type = NULL;
	int64_t tos = 0;
	bool tos_present;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = client_id_arg(req, client_id)) != TF_OK ||
	    (e = req_string(req, "client_secret", true, &client_secret)) != TF_OK ||
	    (e = req_string(req, "email", true, &email)) != TF_OK || (e = req_string(req, "scope", true, &scope)) != TF_OK ||
	    (e = text_arg(req, "first_name", true, WEPAY_NAME_CHARS, &first)) != TF_OK ||
	    (e = text_arg(req, "last_name", true, WEPAY_NAME_CHARS, &last)) != TF_OK ||
	    (e = req_string(req, "original_ip", true, &ip)) != TF_OK ||
	    (e = text_arg(req, "original_device", true, WEPAY_DEVICE_CHARS, &device)) != TF_OK ||
	    (e = wepay_long(req, "tos_acceptance_time", true, &tos, &tos_present)) != TF_OK ||
	    (e = url_arg(req, "redirect_uri", &redirect_uri)) != TF_OK ||
	    (e = url_arg(req, "callback_uri", &callback_uri)) != TF_OK || (e = req_string(req, "type", false, &type)) != TF_OK ||
	    (e = rbits_arg(req)) != TF_OK)
		return e;
	if ((e = authenticate_client(req, client_id, client_secret)) != TF_OK)
		return e;

	struct user_row u;
	memset(&u, 0, sizeof u);
	if (!validate_email(email, u.email, sizeof u.email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (!scope_ok(scope))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "scope");
	if (!ip_ok(ip))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "original_ip");
	if (type && strcmp(type, "sso") != 0) /* WePay's only type */
		return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
	/* type sso: the user belongs to this application alone and signs in only through it (seed
	 * 001); without it, a standard user who chooses a password on the confirmation page */
	u.type = type ? USER_SSO : USER_STANDARD;
	if (u.type == USER_SSO && !req->app->can_register_sso)
		return wepay_refuse(req, TF_ERR_PERMISSION_DENIED, "access_denied", 1003,
				    "this application may not register users of type sso");
	snprintf(u.app_id, sizeof u.app_id, "%s", req->app->app_id);
	crypto_random_id("usr", u.user_id);
	char full[2 * 4 * WEPAY_NAME_CHARS + 2]; /* the native name holds its first 255 bytes, whole characters */
	snprintf(full, sizeof full, "%s %s", first, last);
	text_copy_prefix(u.name, sizeof u.name, full, strlen(full));
	u.created_at = req->now;

	struct wepay_user_row w = {.wepay_user_id = sca_wepay_new_id(), .tos_acceptance_time = tos, .created_at = req->now};
	snprintf(w.app_id, sizeof w.app_id, "%s", u.app_id);
	snprintf(w.user_id, sizeof w.user_id, "%s", u.user_id);
	snprintf(w.first_name, sizeof w.first_name, "%s", first);
	snprintf(w.last_name, sizeof w.last_name, "%s", last);
	snprintf(w.scope, sizeof w.scope, "%s", scope);
	snprintf(w.original_ip, sizeof w.original_ip, "%s", ip);
	snprintf(w.original_device, sizeof w.original_device, "%s", device);
	snprintf(w.redirect_uri, sizeof w.redirect_uri, "%s", redirect_uri ? redirect_uri : "");
	snprintf(w.callback_uri, sizeof w.callback_uri, "%s", callback_uri ? callback_uri : "");

	/* the access token: a session of the native API, as long-lived as WePay's (the setting
	 * wepay_token_lifetime); an unconfirmed user's ends with the user */
	char token[TF_TOKEN_MAX] = "";
	int64_t lifetime_ms = req->svc->cfg.wepay_token_lifetime * 1000;
	struct sca_ctx ctx = req_sca(req); /* the application registers its user */
	if ((e = sca_tx_begin(&ctx)) != TF_OK)
		goto out;
	e = sca_user_insert(&ctx, &u);
	if (e == TF_OK)
		e = sca_wepay_user_put(&ctx, &w);
	if (e == TF_OK)
		e = sca_session_mint(&ctx, &u, lifetime_ms, lifetime_ms, "session.issued", "wepay", token, NULL);
	if ((e = sca_tx_end(&ctx, e)) != TF_OK) {
		if (e == TF_ERR_EMAIL_TAKEN)
			wepay_refuse(req, e, "invalid_request", 1003, "a user with this email already exists for this application");
		goto out;
	}
	char access_token[TF_ID_MAX + TF_TOKEN_MAX + 2];
	snprintf(access_token, sizeof access_token, "%s.%s", u.app_id, token);
	int64_t expires_in = req->svc->cfg.unverified_user_ttl < req->svc->cfg.wepay_token_lifetime
				     ? req->svc->cfg.unverified_user_ttl
				     : req->svc->cfg.wepay_token_lifetime;
	resp_json(req, 200, json_pack("{s:I, s:s, s:s, s:I}", "user_id", (json_int_t)w.wepay_user_id, "access_token",
				      access_token, "token_type", "BEARER", "expires_in", (json_int_t)expires_in));
	sodium_memzero(access_token, sizeof access_token);
out:
	sodium_memzero(token, sizeof token);
	return e;
}

static enum tf_err answer_user(struct tf_req *req)
{
	struct user_row u;
	struct wepay_user_row w;
	enum tf_err e = wepay_user_load(req, &u, &w);
	if (e == TF_OK)
		resp_json(req, 200, wepay_user_json(&u, &w));
	return e;
}

enum tf_err wepay_user(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	struct user_row u;
	struct wepay_user_row w;
	enum tf_err e = wepay_caller(req, known, &u, &w);
	if (e == TF_OK)
		resp_json(req, 200, wepay_user_json(&u, &w));
	return e;
}

enum tf_err wepay_user_modify(struct tf_req *req)
{
	static const char *const known[] = {"callback_uri", "rbits", NULL};
	const char *callback_uri = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = url_arg(req, "callback_uri", &callback_uri)) != TF_OK ||
	    (e = rbits_arg(req)) != TF_OK)
		return e;
	struct user_row u;
	struct wepay_user_row w;
	if ((e = wepay_user_load(req, &u, &w)) != TF_OK)
		return e;
	if (callback_uri) {
		struct sca_ctx ctx = req_sca(req);
		snprintf(w.callback_uri, sizeof w.callback_uri, "%s", callback_uri);
		if ((e = sca_wepay_user_update(&ctx, &w)) != TF_OK)
			return e;
	}
	resp_json(req, 200, wepay_user_json(&u, &w));
	return TF_OK;
}

enum tf_err wepay_user_mark_email_verified(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	struct user_row u;
	enum tf_err e;
	if ((e = wepay_caller(req, known, &u, NULL)) != TF_OK)
		return e;
	struct sca_ctx ctx;
	struct user_row verified;
	req_sca_ctx(req, &ctx);
	e = sca_user_mark_email_verified(&ctx, u.user_id, &verified);
	if (e == TF_ERR_PERMISSION_DENIED)
		return wepay_refuse(req, e, "access_denied", 1003,
				    "this application may not mark emails verified; use /user/send_confirmation");
	return e != TF_OK ? e : answer_user(req);
}

enum tf_err wepay_user_send_confirmation(struct tf_req *req)
{
	static const char *const known[] = {"email_message", NULL};
	const char *message = NULL;
	struct user_row u;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "email_message", false, &message)) != TF_OK ||
	    (e = wepay_user_load(req, &u, NULL)) != TF_OK)
		return e;
	if (message && !validate_display_text(message, SCA_EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct sca_ctx ctx;
	struct user_row sent;
	char message_id[TF_ID_MAX];
	req_sca_ctx(req, &ctx);
	e = sca_user_send_confirmation(&ctx, u.user_id, message, &sent, message_id);
	if (e == TF_OK)
		req->wake_outbox = true;
	if (e == TF_ERR_EMAIL_ALREADY_VERIFIED)
		return wepay_refuse(req, e, "invalid_request", 1003, "the user has already confirmed their email");
	return e != TF_OK ? e : answer_user(req);
}

enum tf_err wepay_user_change_email(struct tf_req *req)
{
	static const char *const known[] = {"email", "email_message", NULL};
	const char *email, *message = NULL;
	struct user_row u, changed;
	struct wepay_user_row w;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "email", true, &email)) != TF_OK ||
	    (e = req_string(req, "email_message", false, &message)) != TF_OK || (e = wepay_user_load(req, &u, &w)) != TF_OK)
		return e;
	char normalised[256];
	if (!validate_email(email, normalised, sizeof normalised))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (message && !validate_display_text(message, SCA_EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct sca_ctx ctx;
	bool queued = false;
	req_sca_ctx(req, &ctx);
	e = sca_user_change_email(&ctx, u.user_id, normalised, message, &changed, &queued);
	if (e == TF_OK && queued)
		req->wake_outbox = true;
	if (e == TF_ERR_EMAIL_TAKEN)
		return wepay_refuse(req, e, "invalid_request", 1003, "a user with this email already exists for this application");
	if (e != TF_OK)
		return e;
	resp_json(req, 200, wepay_user_json(&changed, &w));
	return TF_OK;
}

enum tf_err wepay_user_request_sso_token(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	struct user_row u;
	enum tf_err e;
	if ((e = wepay_caller(req, known, &u, NULL)) != TF_OK)
		return e;
	struct sca_ctx ctx;
	char token[SCA_SSO_TOKEN_MAX];
	struct sso_token_row t;
	req_sca_ctx(req, &ctx);
	if ((e = sca_sso_token_issue(&ctx, u.user_id, token, &t)) != TF_OK)
		return e;
	/* the token's expiry, req->now + sso_token_lifetime, as unix seconds */
	int64_t expire_time = (req->now + req->svc->cfg.sso_token_lifetime * 1000) / 1000;
	resp_json(req, 200, json_pack("{s:s, s:I}", "sso_token", token, "expire_time", (json_int_t)expire_time));
	sodium_memzero(token, sizeof token);
	return TF_OK;
}

enum tf_err wepay_user_logout(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	struct user_row u;
	struct wepay_user_row w;
	enum tf_err e;
	if ((e = wepay_caller(req, known, &u, &w)) != TF_OK)
		return e;
	/* The partner's session ended (seed 001): so do the user's sessions on twofold's pages, and
	 * this token's step-up. The access token itself stays: it is the partner's credential for
	 * the user, as WePay's is, and WePay has no call that would give a new one. */
	struct sca_ctx ctx = req_sca(req);
	int hosted = 0;
	if ((e = sca_wepay_session_end(&ctx, u.user_id, req->session.session_id, &hosted)) != TF_OK)
		return e;
	json_t *o = wepay_user_json(&u, &w);
	json_object_set_new(o, "hosted_sessions_ended", json_integer(hosted));
	resp_json(req, 200, o);
	return TF_OK;
}
