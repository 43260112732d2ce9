/*
 * api_users.c: users of an application (SPEC section 2): register, read, mark the email
 * verified, send the confirmation email, change the email address (for the WePay face's
 * /user/change_email: the new address is unconfirmed, and a confirmed old one is told). Users are siloed: every lookup is by the calling
 * application, so another application's user is simply NOT_FOUND.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "delivery/outbox.h"
#include "sca/users.h"

#define CONFIRMATION_TTL_MS (72LL * 3600 * 1000)
#define EMAIL_MESSAGE_MAX 1000 /* bytes of the partner's own words in a confirmation email */

/* When an unconfirmed registration is gone (0: never): sca/users.h. */
static int64_t unverified_expiry(const struct tf_req *req, const struct user_row *u)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	return sca_user_unverified_expiry(&ctx, u);
}

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
	if (u->email_verified_at)
		resp_set_time(o, "email_verified_at", u->email_verified_at);
	else if (unverified_expires_at)
		resp_set_time(o, "expires_at", unverified_expires_at);
	resp_set_time(o, "created_at", u->created_at);
	return o;
}

bool api_user_expired(const struct tf_req *req, const struct user_row *u)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	return sca_user_expired(&ctx, u);
}

enum tf_err api_load_user(struct tf_req *req, const char *user_id, struct user_row *out)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	return sca_user_load(&ctx, user_id, out);
}

enum tf_err api_user_insert(struct tf_req *req, const struct user_row *u)
{
	/* an unverified user past its limit is gone: its email is free again */
	enum tf_err e = STORE(req->db)->user_purge_unverified(req->db, u->app_id, u->email,
							      req->now - req->svc->cfg.unverified_user_ttl * 1000);
	if (e == TF_OK)
		e = STORE(req->db)->user_insert(req->db, u);
	if (e == TF_OK) {
		char actor[64], details[64];
		snprintf(actor, sizeof actor, "app:%s", u->app_id);
		snprintf(details, sizeof details, "{\"type\":\"%s\"}", u->type == USER_SSO ? "sso" : "standard");
		e = req_audit(req, "user.registered", actor, u->user_id, details);
	}
	return e;
}

bool api_users_create_slow_if(struct tf_req *req)
{
	json_t *pw = req->json ? json_object_get(req->json, "password") : NULL;
	return pw && json_is_string(pw);
}

enum tf_err api_users_create(struct tf_req *req)
{
	static const char *const known[] = {"email", "type", "password", "name", "mobile", NULL};
	const char *email_in = NULL, *type = "standard", *password = NULL, *name = NULL, *mobile = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = req_string(req, "email", true, &email_in)) != TF_OK ||
	    (e = req_string(req, "type", false, &type)) != TF_OK ||
	    (e = req_string(req, "password", false, &password)) != TF_OK ||
	    (e = req_string(req, "name", false, &name)) != TF_OK ||
	    (e = req_string(req, "mobile", false, &mobile)) != TF_OK)
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
	if (u.type == USER_SSO && password)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password"); /* sso users have none */
	if (password && !validate_password(password))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password");
	if (u.type == USER_SSO && !req->app->can_register_sso)
		return TF_ERR_PERMISSION_DENIED;

	snprintf(u.app_id, sizeof u.app_id, "%s", req->app->app_id);
	crypto_random_id("usr", u.user_id);
	snprintf(u.name, sizeof u.name, "%s", name ? name : "");
	snprintf(u.mobile, sizeof u.mobile, "%s", mobile ? mobile : "");
	u.created_at = req->now;
	if (password && (e = crypto_password_hash(password, u.password_hash)) != TF_OK)
		return e;

	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	if ((e = store_tx_end(req->db, api_user_insert(req, &u))) != TF_OK)
		return e;
	resp_json(req, 201, api_user_json(&u, unverified_expiry(req, &u)));
	sodium_memzero(u.password_hash, sizeof u.password_hash);
	return TF_OK;
}

enum tf_err api_users_get(struct tf_req *req)
{
	struct user_row u;
	enum tf_err e = api_load_user(req, req->params[0], &u);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, api_user_json(&u, unverified_expiry(req, &u)));
	return TF_OK;
}

enum tf_err api_users_mark_email_verified(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK)
		return e;
	struct user_row u;
	if ((e = api_load_user(req, req->params[0], &u)) != TF_OK)
		return e;
	if (!req->app->can_mark_email_verified)
		return TF_ERR_PERMISSION_DENIED;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->user_mark_verified(req->db, req->app->app_id, u.user_id, req->now);
	if (e == TF_OK) {
		char actor[64];
		snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
		e = req_audit(req, "user.email_verified", actor, u.user_id, "{\"by\":\"application\"}");
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	u.email_verified_at = req->now;
	resp_json(req, 200, api_user_json(&u, 0));
	return TF_OK;
}

/* Queues the confirmation email of u's address, inside the caller's write transaction: a
 * one-time link to the hosted confirmation page (only its MAC is stored), 72 hours. changed:
 * the address replaced a confirmed one (change_email), so the text says so. */
static enum tf_err confirmation_enqueue(struct tf_req *req, const struct user_row *u, const char *email_message,
					bool changed, char message_id[TF_ID_MAX])
{
	char token[TF_TOKEN_MAX];
	crypto_random_token("tfe_", token);
	struct email_token_row t = {.created_at = req->now, .expires_at = req->now + CONFIRMATION_TTL_MS};
	crypto_secret_mac(req->svc->keys, "email_token", token, t.token_mac);
	snprintf(t.app_id, sizeof t.app_id, "%s", u->app_id);
	snprintf(t.user_id, sizeof t.user_id, "%s", u->user_id);
	snprintf(t.purpose, sizeof t.purpose, "confirm_email");

	char subject[512], text[4096];
	const char *gap = email_message ? "\n\n" : "", *extra = email_message ? email_message : "";
	snprintf(subject, sizeof subject, "%s: confirm your email address", req->app->name);
	if (changed)
		snprintf(text, sizeof text,
			 "Your email address for %s is now this one.%s%s\n\nConfirm it: %s/confirm?app=%s&token=%s\nThe link expires in 72 hours.\n",
			 req->app->name, gap, extra, req->svc->public_url, u->app_id, token);
	else if (u->type == USER_SSO)
		snprintf(text, sizeof text,
			 "Thank you for signing up with %s.%s%s\n\nConfirm your email address (no password is needed): %s/confirm?app=%s&token=%s\n",
			 req->app->name, gap, extra, req->svc->public_url, u->app_id, token);
	else
		snprintf(text, sizeof text,
			 "Welcome to %s.%s%s\n\nConfirm your email address%s: %s/confirm?app=%s&token=%s\nThe link expires in 72 hours.\n",
			 req->app->name, gap, extra, u->password_hash[0] ? "" : " and choose your password",
			 req->svc->public_url, u->app_id, token);
	sodium_memzero(token, sizeof token);
	struct message m = {.app_id = u->app_id, .channel = "email", .to = u->email, .subject = subject, .text = text};
	enum tf_err e = STORE(req->db)->email_token_insert(req->db, &t);
	if (e == TF_OK)
		e = outbox_enqueue(req->svc, req->db, &m, req->now, message_id);
	if (e == TF_OK) {
		char actor[64], details[128];
		snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
		snprintf(details, sizeof details, "{\"message_id\":\"%s\"}", message_id);
		e = req_audit(req, "user.confirmation_sent", actor, u->user_id, details);
	}
	sodium_memzero(text, sizeof text);
	return e;
}

enum tf_err api_users_send_confirmation(struct tf_req *req)
{
	static const char *const known[] = {"email_message", NULL};
	const char *email_message = NULL;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = req_string(req, "email_message", false, &email_message)) != TF_OK)
		return e;
	if (email_message && !validate_display_text(email_message, EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct user_row u;
	if ((e = api_load_user(req, req->params[0], &u)) != TF_OK)
		return e;
	if (u.email_verified_at)
		return TF_ERR_EMAIL_ALREADY_VERIFIED;
	char message_id[TF_ID_MAX];
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	if ((e = store_tx_end(req->db, confirmation_enqueue(req, &u, email_message, false, message_id))) != TF_OK)
		return e;
	req->wake_outbox = true;
	resp_json(req, 202, json_pack("{s:s, s:s, s:s}", "user_id", u.user_id, "message_id", message_id, "status", "queued"));
	return TF_OK;
}

/* "ann.smith@example.com" -> "a***@example.com": enough for the owner to recognise. */
static void mask_email(const char *email, char *out, size_t size)
{
	const char *at = strchr(email, '@');
	snprintf(out, size, "%.1s***%s", email, at ? at : "");
}

enum tf_err api_user_change_email(struct tf_req *req, const char *user_id, const char *email_in,
				  const char *email_message, struct user_row *out)
{
	char email[256];
	if (!validate_email(email_in, email, sizeof email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (email_message && !validate_display_text(email_message, EMAIL_MESSAGE_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email_message");
	struct user_row u;
	enum tf_err e = api_load_user(req, user_id, &u);
	if (e != TF_OK)
		return e;
	if (strcmp(u.email, email) == 0) { /* already the user's address: nothing changes, nothing is sent */
		*out = u;
		return TF_OK;
	}
	char old[256];
	snprintf(old, sizeof old, "%s", u.email);
	bool old_confirmed = u.email_verified_at != 0;
	snprintf(u.email, sizeof u.email, "%s", email);
	u.email_verified_at = 0;
	char message_id[TF_ID_MAX], notice_id[TF_ID_MAX];
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	/* an unconfirmed registration past its limit that held the address is gone: it is free */
	e = STORE(req->db)->user_purge_unverified(req->db, u.app_id, email,
						 req->now - req->svc->cfg.unverified_user_ttl * 1000);
	if (e == TF_OK)
		e = STORE(req->db)->user_change_email(req->db, u.app_id, u.user_id, email);
	if (e == TF_OK) {
		char actor[64], details[64];
		snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
		snprintf(details, sizeof details, "{\"was_confirmed\":%s}", old_confirmed ? "true" : "false");
		e = req_audit(req, "user.email_changed", actor, u.user_id, details);
	}
	if (e == TF_OK)
		e = confirmation_enqueue(req, &u, email_message, true, message_id);
	if (e == TF_OK && old_confirmed) {
		/* the confirmed address learns it was replaced: the owner can act on a change they did
		 * not make. An address never confirmed (a typo being corrected) may be a stranger's. */
		char masked[300], subject[512], text[1024];
		mask_email(email, masked, sizeof masked);
		snprintf(subject, sizeof subject, "%s: your email address was changed", req->app->name);
		snprintf(text, sizeof text,
			 "The email address of your %s account was changed to %s.\n\nIf you did not ask for this, contact %s at once.\n",
			 req->app->name, masked, req->app->name);
		struct message m = {.app_id = u.app_id, .channel = "email", .to = old, .subject = subject, .text = text};
		e = outbox_enqueue(req->svc, req->db, &m, req->now, notice_id);
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	req->wake_outbox = true;
	*out = u;
	return TF_OK;
}
