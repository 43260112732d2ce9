/*
 * page_session.c: signing in and out of the hosted pages, and where a browser goes without
 * a session (SPEC sections 7 and 8, seed 001): GET and POST /logout end the hosted session
 * and go back to the application; GET /session-expired; GET /link?client_id=&next=, the
 * target of links in emails, which sends the user through the application's own sign-in
 * first (and comes back only to one of these pages); GET and POST /login, twofold's own
 * password sign-in, which sends an sso user to the application's SSO login URL instead, and
 * POST /login/passkey (with /login/passkey/options for its script), a sign-in with a passkey;
 * GET /assets/{name}, the stylesheet and the passkey script.
 */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embedded.h"
#include "hosted/hosted.h"
#include "http/webauthn_json.h"
#include "sca/hosted_sessions.h"
#include "sca/passkey_login.h"
#include "sca/relying_party.h"

static enum tf_err end_session(struct tf_req *req, const struct hosted_ctx *hc)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_hosted_session_end(&ctx, &req->session);
	if (e != TF_OK)
		return e;
	hosted_set_cookie(req, HOSTED_SESSION_COOKIE, "", -1);
	return hosted_redirect(req, hc->info.redirect_uri[0] ? hc->info.redirect_uri : "/session-expired");
}

enum tf_err page_logout(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_NONE))
		return TF_OK;
	/* the sign-out link carries the CSRF token, so no other site can sign the user out */
	const char *csrf = form_get(&req->query, "csrf");
	if (csrf && strlen(csrf) == HOSTED_CSRF_HEX && sodium_memcmp(csrf, hc.csrf, HOSTED_CSRF_HEX) == 0)
		return end_session(req, &hc);
	struct tpl_var v[] = {{"csrf", hc.csrf}, {"app_name", req->app->name}, {NULL, NULL}};
	return hosted_page(req, &hc, 200, "Sign out", "logout_confirm.html", v, NULL, NULL);
}

enum tf_err page_logout_post(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin_form(req, &hc, HOSTED_GATE_NONE))
		return TF_OK;
	return end_session(req, &hc);
}

enum tf_err page_session_expired(struct tf_req *req)
{
	(void)req;
	return TF_ERR_HOSTED_SESSION_EXPIRED;
}

/* base + "?" (or "&") + name "=" + the URL-encoded value, into a malloc'd string */
static char *url_with(const char *base, const char *name, const char *value)
{
	char *enc = curl_easy_escape(NULL, value, 0);
	if (!enc)
		return NULL;
	size_t n = strlen(base) + strlen(name) + strlen(enc) + 3;
	char *url = malloc(n);
	if (url)
		snprintf(url, n, "%s%c%s=%s", base, strchr(base, '?') ? '&' : '?', name, enc);
	curl_free(enc);
	return url;
}

/* To the application's sign-in, which signs the user in and comes back through GET /sso with
 * page = landing (seed 001: email links and direct logins bounce through the partner). */
static enum tf_err to_application_login(struct tf_req *req, const char *landing)
{
	char page[CONFIG_STR_MAX + 80];
	snprintf(page, sizeof page, "%s%s", req->svc->public_url, landing);
	char *url = url_with(req->app->sso_login_url, "page", page);
	if (!url)
		return TF_ERR_INTERNAL;
	enum tf_err e = hosted_redirect(req, url);
	free(url);
	return e;
}

enum tf_err page_link(struct tf_req *req)
{
	const char *client_id = form_get(&req->query, "client_id"), *next = form_get(&req->query, "next");
	char landing[64];
	if (req->query.duplicate || !client_id || !next || strlen(client_id) > 64)
		return TF_ERR_SSO_INVALID_REQUEST;
	if (!hosted_landing_page(req, next, landing, sizeof landing))
		return TF_ERR_PAGE_NOT_ALLOWED;
	enum tf_err e = hosted_load_client(req, client_id);
	if (e != TF_OK)
		return e;
	if (!req->app->sso_login_url[0])
		return TF_ERR_REDIRECT_NOT_ALLOWED;
	return to_application_login(req, landing);
}

#define LOGIN_CSRF_COOKIE "tf_login_csrf"

/* The sign-in form has no session to tie its CSRF token to: the token is a random value in a
 * cookie and in the form (double submit), so another site cannot sign the browser in as
 * someone else. */
static enum tf_err render_login(struct tf_req *req, int status, const char *client_id, const char *next, const char *email,
				const char *notice_kind, const char *notice)
{
	uint8_t raw[HOSTED_CSRF_HEX / 2];
	char csrf[HOSTED_CSRF_HEX + 1];
	crypto_random_bytes(raw, sizeof raw);
	sodium_bin2hex(csrf, sizeof csrf, raw, sizeof raw);
	struct tpl_var pv[] = {{"client_id", client_id}, {"next", next}, {"csrf", csrf}, {NULL, NULL}};
	char *passkey = hosted_passkeys(req) ? tpl_render(hosted_l10n(req), "login_passkey.html", pv) : NULL;
	struct tpl_var v[] = {{"client_id", client_id}, {"next", next}, {"email", email}, {"csrf", csrf}, {"passkey", passkey},
			      {NULL, NULL}};
	enum tf_err e = hosted_page(req, NULL, status, "Sign in", "login.html", v, notice_kind, notice);
	free(passkey);
	if (e == TF_OK)
		hosted_set_cookie(req, LOGIN_CSRF_COOKIE, csrf, 0);
	return e;
}

static bool login_csrf_ok(struct tf_req *req)
{
	char held[HOSTED_CSRF_HEX + 1];
	const char *sent = form_get(&req->form, "csrf");
	return sent && strlen(sent) == HOSTED_CSRF_HEX && hosted_cookie(req, LOGIN_CSRF_COOKIE, held, sizeof held) &&
	       strlen(held) == HOSTED_CSRF_HEX && sodium_memcmp(sent, held, HOSTED_CSRF_HEX) == 0;
}

/* The sign-in form's application (its client_id field) and the page it lands on after (its
 * next field, the sign-in methods page when that is none of the landing pages). */
static enum tf_err login_target(struct tf_req *req, const struct tf_form *f, char *landing, size_t size)
{
	const char *client_id = form_get(f, "client_id"), *next = form_get(f, "next");
	if (!client_id || strlen(client_id) > 64)
		return TF_ERR_SSO_INVALID_REQUEST;
	hosted_next_page(req, next, landing, size);
	return hosted_load_client(req, client_id);
}

enum tf_err page_login(struct tf_req *req)
{
	char landing[64];
	enum tf_err e = login_target(req, &req->query, landing, sizeof landing);
	if (e != TF_OK)
		return e;
	return render_login(req, 200, form_get(&req->query, "client_id"), landing, "", NULL, NULL);
}

enum tf_err page_login_post(struct tf_req *req)
{
	const char *client_id = form_get(&req->form, "client_id");
	const char *email = form_get(&req->form, "email"), *password = form_get(&req->form, "password");
	char landing[64];
	enum tf_err e = login_target(req, &req->form, landing, sizeof landing);
	if (e != TF_OK)
		return e;
	if (!login_csrf_ok(req))
		return render_login(req, 403, client_id, landing, email, "error", "The form expired. Please try again.");
	if (!email || !password)
		return render_login(req, 400, client_id, landing, email, "invalid", "Enter your email and password.");
	struct user_row u;
	e = req_password_check(req, email, password, &u);
	if (e == TF_OK && req_waiting(req))
		return TF_OK; /* Argon2id on the slow pool; called again with the outcome */
	if (e == TF_ERR_SSO_LOGIN_REQUIRED) {
		/* an sso user signs in at the application, never here */
		if (req->err_extra) {
			json_decref(req->err_extra);
			req->err_extra = NULL;
		}
		if (!req->app->sso_login_url[0])
			return render_login(req, 403, client_id, landing, email, "error", "Sign in through the application.");
		return to_application_login(req, landing);
	}
	if (e == TF_ERR_RATE_LIMITED)
		return render_login(req, 429, client_id, landing, email, "error", "Too many attempts. Wait a while and try again.");
	if (e == TF_ERR_INVALID_CREDENTIALS || e == TF_ERR_INVALID_FIELD)
		return render_login(req, 401, client_id, landing, email, "invalid", "The email or password is not correct.");
	if (e != TF_OK)
		return e;
	char home[STORE_URL_MAX];
	hosted_home(req->app, home, sizeof home);
	struct sca_ctx ctx = req_sca(req);
	struct hosted_start start;
	if ((e = sca_tx_begin(&ctx)) != TF_OK)
		return e;
	e = hosted_session_start(req, &u, home, landing, false, &start);
	if (e == TF_OK)
		e = sca_hosted_signed_in(&ctx, u.user_id, NULL);
	if ((e = sca_tx_end(&ctx, e)) != TF_OK) {
		sodium_memzero(&start, sizeof start);
		return e;
	}
	return hosted_session_started(req, &start);
}

/* The request options of a sign-in with a passkey, fetched by the sign-in page's script:
 * {challenge_id, webauthn: {publicKey}}. The form's CSRF token must match its cookie. */
enum tf_err page_login_passkey_options(struct tf_req *req)
{
	char landing[64];
	enum tf_err e = login_target(req, &req->form, landing, sizeof landing);
	if (e != TF_OK)
		return e;
	if (!login_csrf_ok(req))
		return TF_ERR_CSRF_INVALID;
	if (!hosted_passkeys(req))
		return TF_ERR_WEBAUTHN_NOT_CONFIGURED;
	struct sca_ctx ctx = req_sca(req);
	struct sca_passkey_options o;
	int64_t retry_after = 0;
	e = sca_passkey_login_options(&ctx, true, &o, &retry_after);
	if (e == TF_ERR_RATE_LIMITED)
		req_retry_after(req, retry_after);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, login_options_json(req->app, o.challenge_id, o.challenge));
	return TF_OK;
}

/* A sign-in with a passkey: the assertion answering the sign-in challenge names the user; with
 * user verification it proved two elements, so no second factor is owed. */
enum tf_err page_login_passkey(struct tf_req *req)
{
	const char *client_id = form_get(&req->form, "client_id"), *challenge_id = form_get(&req->form, "challenge_id");
	char landing[64];
	enum tf_err e = login_target(req, &req->form, landing, sizeof landing);
	if (e != TF_OK)
		return e;
	if (!login_csrf_ok(req))
		return render_login(req, 403, client_id, landing, "", "error", "The form expired. Please try again.");
	struct credential_json cred = {0};
	if (!challenge_id || !hosted_form_text(challenge_id) || strlen(challenge_id) >= TF_ID_MAX ||
	    !credential_json_parse(form_get(&req->form, "credential"), false, &cred)) {
		credential_json_free(&cred);
		return render_login(req, 400, client_id, landing, "", "error", "Your passkey's answer did not arrive. Please try again.");
	}
	char home[STORE_URL_MAX];
	hosted_home(req->app, home, sizeof home);
	struct sca_ctx ctx = req_sca(req);
	struct sca_passkey_sign_in in;
	struct hosted_start start;
	memset(&start, 0, sizeof start);
	if ((e = sca_tx_begin(&ctx)) != TF_OK) {
		credential_json_free(&cred);
		return e;
	}
	e = sca_passkey_sign_in(&ctx, challenge_id, &cred.r, &in);
	credential_json_free(&cred);
	if (e == TF_OK && !in.reason)
		e = hosted_session_start(req, &in.user, home, landing, in.user_verified, &start);
	if (e == TF_OK && !in.reason)
		e = sca_hosted_signed_in(&ctx, in.user.user_id, "passkey");
	if ((e = sca_tx_end(&ctx, e)) != TF_OK) {
		sodium_memzero(&start, sizeof start);
		if (e == TF_ERR_RATE_LIMITED)
			return render_login(req, 429, client_id, landing, "", "error", "Too many attempts. Wait a while and try again.");
		return e;
	}
	if (in.reason)
		return render_login(req, 403, client_id, landing, "", "error", "That passkey was not accepted. Try again, or sign in with your password.");
	return hosted_session_started(req, &start);
}

enum tf_err page_asset(struct tf_req *req)
{
	const struct embedded_file *f = embedded_find(hosted_assets, req->params[0]);
	if (!f)
		return TF_ERR_ROUTE_NOT_FOUND;
	free(req->resp_text);
	req->resp_text = strndup(f->data, f->len);
	if (!req->resp_text)
		return TF_ERR_INTERNAL;
	req->status = 200;
	size_t n = strlen(f->name);
	req->content_type = n > 4 && !strcmp(f->name + n - 4, ".css") ? "text/css; charset=utf-8"
			  : n > 3 && !strcmp(f->name + n - 3, ".js") ? "text/javascript; charset=utf-8"
								      : "application/octet-stream";
	resp_header(req, "X-Content-Type-Options", "nosniff");
	return TF_OK;
}
