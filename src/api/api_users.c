/*
 * api_users.c: users of an application (SPEC section 2): register, read, mark the email
 * verified, send the confirmation email, change the email address (for the WePay face's
 * /user/change_email: the new address is unconfirmed, and a confirmed old one is told). Users
 * are siloed: every lookup is by the calling application, so another application's user is
 * simply NOT_FOUND. A user's locale (BCP 47) chooses the language of its messages and pages. The rules are the domain's (sca/users.h); this file validates the
 * request's fields and answers.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "l10n/l10n.h"
#include "sca/users.h"

json_t *api_user_json(const struct user_row *u, int64_t unverified_expires_at)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "user_id", u->user_id, "email", u->email,
			      "type", u->type == USER_SSO ? "sso" : "standard", "name", u->name, "mobile",
			      u->mobile, "email_verified", u->email_verified_at != 0, "has_password",
			      u->password_hash[0] != '\0');
	if (!u->name[0])
		json_object_set_new(o, "name", json_null());
	if (!u->mobile[0])
		json_object_set_new(o, "mobile", json_null());
	json_object_set_new(o, "locale", u->locale[0] ? json_string(u->locale) : json_null());
	if (u->email_verified_at)
		resp_set_time(o, "email_verified_at", u->email_verified_at);
	else if (unverified_expires_at)
		resp_set_time(o, "expires_at", unverified_expires_at);
	resp_set_time(o, "created_at", u->created_at);
	return o;
}

bool api_user_expired(const struct tf_req *req, const struct user_row *u)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_user_expired(&ctx, u);
}

enum tf_err api_load_user(struct tf_req *req, const char *user_id, struct user_row *out)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_user_load(&ctx, user_id, out);
}

enum tf_err api_user_insert(struct tf_req *req, const struct user_row *u)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_user_insert(&ctx, u);
}

bool api_users_create_slow_if(struct tf_req *req)
{
	json_t *pw = req->json ? json_object_get(req->json, "password") : NULL;
	return pw && json_is_string(pw);
}

enum tf_err api_users_create(struct tf_req *req)
{
	static const char *const known[] = {"email", "type", "password", "name", "mobile", "locale", NULL};
	const char *email_in = NULL, *type = "standard", *password = NULL, *name = NULL, *mobile = NULL,
		   *locale = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = req_string(req, "email", true, &email_in)) != TF_OK ||
	    (e = req_string(req, "type", false, &type)) != TF_OK ||
	    (e = req_string(req, "password", false, &password)) != TF_OK ||
	    (e = req_string(req, "name", false, &name)) != TF_OK ||
	    (e = req_string(req, "mobile", false, &mobile)) != TF_OK ||
	    (e = req_string(req, "locale", false, &locale)) != TF_OK)
		return e;
	struct user_row u;
	memset(&u, 0, sizeof u);
	if (!validate_email(email_in, u.email, sizeof u.email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (strcmp(type, "standard") == 0)
		u.type = USER_STANDARD;
	else if (strcmp(type, "sso") == 0)
		u.type = USER_SSO;
	else
		return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
	if (name && !validate_display_text(name, 200))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "name");
	if (mobile && !validate_phone_e164(mobile))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "mobile");
	if (locale && !l10n_tag_valid(locale))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "locale");
	if (u.type == USER_SSO && password)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password"); /* sso users have none */
	if (password && !validate_password(password))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password");
	struct sca_ctx ctx = req_sca(req);
	if ((e = sca_user_registration_allowed(&ctx, u.type)) != TF_OK)
		return e;

	snprintf(u.app_id, sizeof u.app_id, "%s", req->app->app_id);
	crypto_random_id("usr", u.user_id);
	snprintf(u.name, sizeof u.name, "%s", name ? name : "");
	snprintf(u.mobile, sizeof u.mobile, "%s", mobile ? mobile : "");
	snprintf(u.locale, sizeof u.locale, "%s", locale ? locale : "");
	u.created_at = req->now;
	if (password && (e = crypto_password_hash(password, u.password_hash)) != TF_OK)
		return e;

	if ((e = sca_user_create(&ctx, &u)) != TF_OK)
		return e;
	resp_json(req, 201, api_user_json(&u, sca_user_unverified_expiry(&ctx, &u)));
	sodium_memzero(u.password_hash, sizeof u.password_hash);
	return TF_OK;
}

enum tf_err api_users_get(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	enum tf_err e = sca_user_load(&ctx, req->params[0], &u);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, api_user_json(&u, sca_user_unverified_expiry(&ctx, &u)));
	return TF_OK;
}

enum tf_err api_users_update(struct tf_req *req)
{
	static const char *const known[] = {"locale", NULL};
	enum tf_err e = req_reject_unknown(req, known);
	if (e != TF_OK)
		return e;
	json_t *v = req->json ? json_object_get(req->json, "locale") : NULL;
	if (!v)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "locale");
	if (!json_is_null(v) && !(json_is_string(v) && l10n_tag_valid(json_string_value(v))))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "locale");
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	if ((e = sca_user_set_locale(&ctx, req->params[0], json_is_null(v) ? "" : json_string_value(v), &u)) != TF_OK)
		return e;
	resp_json(req, 200, api_user_json(&u, sca_user_unverified_expiry(&ctx, &u)));
	return TF_OK;
}

enum tf_err api_users_mark_email_verified(struct tf_req *req)
{
	enum tf_err e = req_no_fields(req);
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	if ((e = sca_user_mark_email_verified(&ctx, req->params[0], &u)) != TF_OK)
		return e;
	resp_json(req, 200, api_user_json(&u, 0));
	return TF_OK;
}

enum tf_err api_users_send_confirmation(struct tf_req *req)
{
	static const char *const known[] = {"email_message", NULL};
	const char *email_message = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = req_string(req, "email_message", false, &email_message)) != TF_OK)
		return e;
	if (email_message && !validate_display_text(email_message, SCA_EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	char message_id[TF_ID_MAX];
	if ((e = sca_user_send_confirmation(&ctx, req->params[0], email_message, &u, message_id)) != TF_OK)
		return e;
	req->wake_outbox = true;
	resp_json(req, 202, json_pack("{s:s, s:s, s:s}", "user_id", u.user_id, "message_id", message_id, "status", "queued"));
	return TF_OK;
}

enum tf_err api_user_change_email(struct tf_req *req, const char *user_id, const char *email_in,
				  const char *email_message, struct user_row *out)
{
	char email[256];
	if (!validate_email(email_in, email, sizeof email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (email_message && !validate_display_text(email_message, SCA_EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct sca_ctx ctx = req_sca(req);
	bool queued;
	enum tf_err e = sca_user_change_email(&ctx, user_id, email, email_message, out, &queued);
	if (e == TF_OK && queued)
		req->wake_outbox = true;
	return e;
}
