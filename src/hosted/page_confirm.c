/*
 * page_confirm.c: the email confirmation page (SPEC sections 2 and 8, seed 000), the target
 * of the link POST /v1/users/{id}/send_confirmation mails: /confirm?app=&token=. GET shows
 * the page and changes nothing (mail scanners open links); the user's button press (POST)
 * confirms the address and uses the link up. A standard user without a password chooses one
 * here: setting a password revokes every trusted device of the user, and a hosted session
 * starts, through the challenge page when the user has an active factor. An sso user needs
 * no password: the page thanks them and leads to the application's sign-in. What confirming
 * does is sca/email_confirm.h's: this file reads the form and writes the page.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "hosted/hosted.h"
#include "sca/email_confirm.h"

struct confirm_ctx {
	char token[TF_TOKEN_MAX];
	struct user_row user;
	char csrf[HOSTED_CSRF_HEX + 1];
};

/* The application, the link's token and its user, or EMAIL_LINK_INVALID. */
static enum tf_err load(struct tf_req *req, const struct tf_form *f, struct confirm_ctx *cc)
{
	const char *app_id = form_get(f, "app"), *token = form_get(f, "token");
	if (f->duplicate || !app_id || !token || strlen(app_id) >= TF_ID_MAX || strlen(token) >= TF_TOKEN_MAX)
		return TF_ERR_EMAIL_LINK_INVALID;
	enum tf_err e = req_load_app_by_id(req, app_id);
	snprintf(cc->token, sizeof cc->token, "%s", token);
	if (e == TF_OK) {
		struct sca_ctx ctx = req_sca(req);
		e = sca_email_confirm_find(&ctx, token, &cc->user);
	}
	if (e == TF_ERR_NOT_FOUND)
		return TF_ERR_EMAIL_LINK_INVALID;
	uint8_t csrf[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "csrf", token, csrf);
	sodium_bin2hex(cc->csrf, sizeof cc->csrf, csrf, HOSTED_CSRF_HEX / 2);
	return e;
}

static bool needs_password(const struct confirm_ctx *cc)
{
	return sca_email_confirm_needs_password(&cc->user);
}

/* The page, with notice (NULL for none) about the password field whose template variable for
 * its error attributes is field_var ("invalid_password", "invalid_password2"; NULL: none). */
static enum tf_err render(struct tf_req *req, const struct confirm_ctx *cc, int status, const char *notice,
			  const char *field_var)
{
	char intro[400], min[16];
	snprintf(min, sizeof min, "%d", TF_PASSWORD_MIN);
	char *invalid = field_var ? tpl_render(hosted_l10n(req), "field_invalid.html", NULL) : NULL;
	struct tpl_var pv[] = {{"min", min}, {field_var ? field_var : "", invalid}, {NULL, NULL}};
	char *fields = needs_password(cc) ? tpl_render(hosted_l10n(req), "password_fields.html", pv) : NULL;
	free(invalid);
	if (cc->user.type == USER_SSO)
		snprintf(intro, sizeof intro, "Thank you for signing up with %s. Confirm your email address; no password is needed.",
			 req->app->name);
	else if (needs_password(cc))
		snprintf(intro, sizeof intro, "Welcome to %s. Confirm your email address and choose your password.", req->app->name);
	else
		snprintf(intro, sizeof intro, "Welcome to %s. Confirm your email address.", req->app->name);
	struct tpl_var v[] = {{"intro", intro}, {"csrf", cc->csrf}, {"app_id", req->app->app_id}, {"token", cc->token},
			      {"email", cc->user.email}, {"password_fields", fields},
			      {"button", needs_password(cc) ? "Confirm and save my password" : "Confirm my email address"},
			      {NULL, NULL}};
	enum tf_err e = hosted_page(req, NULL, status, "Confirm your email address", "confirm.html", v, "error", notice);
	free(fields);
	return e;
}

enum tf_err page_confirm(struct tf_req *req)
{
	struct confirm_ctx cc;
	enum tf_err e = load(req, &req->query, &cc);
	if (e == TF_OK)
		e = render(req, &cc, 200, NULL, NULL);
	sodium_memzero(&cc, sizeof cc);
	return e;
}

static enum tf_err confirm(struct tf_req *req, struct confirm_ctx *cc)
{
	char hash[TF_PWHASH_MAX] = "";
	bool set_password = needs_password(cc);
	if (set_password) {
		const char *p1 = form_get(&req->form, "password"), *p2 = form_get(&req->form, "password2");
		if (!p1 || !validate_password(p1))
			return render(req, cc, 400, "Choose a password of at least 8 characters.", "invalid_password");
		if (!p2 || strcmp(p1, p2) != 0)
			return render(req, cc, 400, "The two passwords are not the same.", "invalid_password2");
		enum tf_err e = crypto_password_hash(p1, hash); /* Argon2id, before the transaction */
		if (e != TF_OK)
			return e;
	}
	const struct user_row *u = &cc->user;
	char home[STORE_URL_MAX];
	struct hosted_start start = {0};
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_tx_begin(&ctx);
	if (e != TF_OK)
		goto out;
	e = sca_email_confirm(&ctx, cc->token, u, set_password ? hash : NULL);
	if (e == TF_OK && set_password) {
		hosted_home(req->app, home, sizeof home);
		e = hosted_session_start(req, u, home, "/account/factors", false, &start);
	}
	if ((e = sca_tx_end(&ctx, e)) != TF_OK)
		goto out;
	if (set_password) {
		e = hosted_session_started(req, &start);
		goto out;
	}
	char message[300];
	char *action = NULL;
	if (u->type == USER_SSO) {
		snprintf(message, sizeof message, "Your email address is confirmed. Thank you.");
		if (req->app->sso_login_url[0]) {
			char text[300];
			snprintf(text, sizeof text, "Continue to %s", req->app->name);
			struct tpl_var lv[] = {{"href", req->app->sso_login_url}, {"text", text}, {NULL, NULL}};
			action = tpl_render(hosted_l10n(req), "link.html", lv);
		}
	} else {
		snprintf(message, sizeof message, "Your email address is confirmed. You can sign in now.");
		char href[128];
		snprintf(href, sizeof href, "/login?client_id=%s", req->app->client_id);
		struct tpl_var lv[] = {{"href", href}, {"text", "Sign in"}, {NULL, NULL}};
		action = tpl_render(hosted_l10n(req), "link.html", lv);
	}
	struct tpl_var v[] = {{"message", message}, {"action", action}, {NULL, NULL}};
	e = hosted_page(req, NULL, 200, "Email address confirmed", "message.html", v, NULL, NULL);
	free(action);
out:
	sodium_memzero(hash, sizeof hash);
	sodium_memzero(&start, sizeof start);
	return e;
}

enum tf_err page_confirm_post(struct tf_req *req)
{
	struct confirm_ctx cc;
	enum tf_err e = load(req, &req->form, &cc);
	if (e == TF_OK) {
		const char *sent = form_get(&req->form, "csrf");
		if (!sent || strlen(sent) != HOSTED_CSRF_HEX || sodium_memcmp(sent, cc.csrf, HOSTED_CSRF_HEX) != 0)
			e = TF_ERR_CSRF_INVALID;
	}
	if (e == TF_OK)
		e = confirm(req, &cc);
	sodium_memzero(&cc, sizeof cc);
	return e;
}
