/*
 * hosted_session.c: what every hosted page shares: the hosted-session cookie (the
 * application's id and a 256-bit token, stored only as a MAC; 10-minute idle timeout), the
 * second-factor gate, CSRF tokens (a MAC of the session token: nothing to store, and a form
 * from one session is useless in another), the security headers, the layout, redirects and
 * the error page. The sessions and the gate's rules are the domain's (sca/hosted_sessions.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/hosted.h"
#include "sca/users.h"
#include "sca/hosted_sessions.h"
#include "sca/relying_party.h"
#include "sca/sessions.h"
#include "platform/log.h"

#define CSP_HEAD "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; " \
		 "form-action 'self'"
#define CSP_TAIL "; frame-ancestors 'none'; base-uri 'none'"

/* Appends " origin" (scheme://host[:port] of url) to csp unless it is there already; only the
 * characters a URL's origin has, so that nothing from the application's settings can end the
 * directive or add another. */
static void csp_add_origin(char *csp, size_t size, const char *url)
{
	const char *host = url ? strstr(url, "://") : NULL;
	if (!host)
		return;
	size_t len = (size_t)(host + 3 - url) + strcspn(host + 3, "/?#");
	char origin[300];
	if (len >= sizeof origin || len <= (size_t)(host + 3 - url))
		return;
	memcpy(origin, url, len);
	origin[len] = '\0';
	if (strspn(origin, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:/[]") != len)
		return;
	char item[302];
	snprintf(item, sizeof item, " %s", origin);
	size_t used = strlen(csp);
	const char *at = strstr(csp, item);
	if ((at && (at[strlen(item)] == ' ' || at[strlen(item)] == '\0')) || used + strlen(item) + 1 > size)
		return;
	memcpy(csp + used, item, strlen(item) + 1);
}

static void security_headers(struct tf_req *req)
{
	/* a form may lead off the pages only to the application: sign-out returns to its redirect
	 * address, and an sso user's sign-in goes to its login URL (browsers apply form-action to
	 * the redirect a form's answer makes) */
	char csp[sizeof CSP_HEAD + 2048 + sizeof CSP_TAIL] = CSP_HEAD;
	if (req->app) {
		json_t *prefixes = json_loads(req->app->redirect_uri_prefixes, 0, NULL);
		size_t i;
		json_t *v;
		json_array_foreach(prefixes, i, v)
			csp_add_origin(csp, sizeof csp - sizeof CSP_TAIL, json_string_value(v));
		json_decref(prefixes);
		csp_add_origin(csp, sizeof csp - sizeof CSP_TAIL, req->app->sso_login_url);
	}
	size_t used = strlen(csp);
	snprintf(csp + used, sizeof csp - used, "%s", CSP_TAIL);
	resp_header(req, "Content-Security-Policy", csp);
	resp_header(req, "X-Frame-Options", "DENY");
	resp_header(req, "Referrer-Policy", "no-referrer");
	req->content_type = "text/html; charset=utf-8";
}

static bool cookies_secure(const struct tf_req *req)
{
	const char *mode = req->svc->cfg.cookie_secure;
	if (!strcmp(mode, "on"))
		return true;
	if (!strcmp(mode, "off"))
		return false;
	return strncmp(req->svc->public_url, "https://", 8) == 0;
}

void hosted_set_cookie(struct tf_req *req, const char *name, const char *value, int64_t max_age_s)
{
	char c[1024], age[48] = "";
	if (max_age_s > 0)
		snprintf(age, sizeof age, "; Max-Age=%lld", (long long)max_age_s);
	else if (max_age_s < 0)
		snprintf(age, sizeof age, "; Max-Age=0");
	snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", name, max_age_s < 0 ? "" : value,
		 cookies_secure(req) ? "; Secure" : "", age);
	resp_header(req, "Set-Cookie", c);
	sodium_memzero(c, sizeof c);
}

bool hosted_cookie(const struct tf_req *req, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	for (const char *p = req->cookie; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > nlen && p[nlen] == '=' && strncmp(p, name, nlen) == 0) {
			size_t vlen = len - nlen - 1;
			if (vlen >= size)
				return false;
			memcpy(out, p + nlen + 1, vlen);
			out[vlen] = '\0';
			return true;
		}
		p += len;
	}
	return false;
}

static void csrf_of(struct tf_req *req, const char *token, char out[HOSTED_CSRF_HEX + 1])
{
	uint8_t mac[TF_MAC_BYTES];
	crypto_secret_mac(req->svc->keys, "csrf", token, mac);
	sodium_bin2hex(out, HOSTED_CSRF_HEX + 1, mac, HOSTED_CSRF_HEX / 2);
}

bool hosted_landing_page(const struct tf_req *req, const char *page, char *out, size_t size)
{
	static const char *const pages[] = {"/account", "/account/factors", "/account/devices", NULL};
	size_t base = strlen(req->svc->public_url);
	if (strncmp(page, req->svc->public_url, base) == 0 && page[base] == '/')
		page += base;
	for (const char *const *p = pages; *p; p++)
		if (strcmp(page, *p) == 0) {
			snprintf(out, size, "%s", page);
			return true;
		}
	return false;
}

void hosted_next_page(const struct tf_req *req, const char *next, char *out, size_t size)
{
	if (!next || !hosted_landing_page(req, next, out, size))
		snprintf(out, size, "/account/factors");
}

enum tf_err hosted_redirect(struct tf_req *req, const char *location)
{
	security_headers(req);
	resp_header(req, "Location", location);
	req->status = 303;
	free(req->resp_text);
	req->resp_text = strdup("");
	return req->resp_text ? TF_OK : TF_ERR_INTERNAL;
}

void hosted_choose_l10n(struct tf_req *req, const char *user_locale)
{
	req->l10n = l10n_choose(user_locale, req->have_app ? req->app->default_locale : NULL, req->accept_language);
	req->have_l10n = true;
}

const struct l10n *hosted_l10n(struct tf_req *req)
{
	if (!req->have_l10n)
		hosted_choose_l10n(req, NULL);
	return &req->l10n;
}

/* vars and one more variable, name = value, in a malloc'd list (NULL when memory ran out) */
static struct tpl_var *vars_with(const struct tpl_var *vars, const char *name, const char *value)
{
	size_t n = 0;
	while (vars && vars[n].name)
		n++;
	struct tpl_var *all = calloc(n + 2, sizeof *all);
	if (!all)
		return NULL;
	if (n)
		memcpy(all, vars, n * sizeof *all);
	all[n] = (struct tpl_var){name, value};
	return all;
}

enum tf_err hosted_page(struct tf_req *req, const struct hosted_ctx *hc, int status, const char *title,
			const char *content_template, const struct tpl_var *vars, const char *notice_kind,
			const char *notice_text)
{
	/* a notice about the form's field: an error notice, and the field's attributes that tie it
	 * to the notice ({{{invalid}}} in the content template, on the fields it concerns) */
	bool invalid = notice_text && !strcmp(notice_kind, "invalid");
	if (invalid)
		notice_kind = "error";
	char *invalid_attrs = invalid ? tpl_render(hosted_l10n(req), "field_invalid.html", NULL) : NULL;
	struct tpl_var *content_vars = vars_with(vars, "invalid", invalid_attrs);
	char *content = content_vars ? tpl_render(hosted_l10n(req), content_template, content_vars) : NULL, *nav = NULL, *notice = NULL;
	free(content_vars);
	free(invalid_attrs);
	if (hc) {
		struct tpl_var nv[] = {{"csrf", hc->csrf}, {NULL, NULL}};
		nav = tpl_render(hosted_l10n(req), "nav.html", nv);
	}
	if (notice_text) {
		struct tpl_var nv[] = {{"kind", notice_kind}, {"role", !strcmp(notice_kind, "error") ? "alert" : "status"},
				       {"text", notice_text}, {NULL, NULL}};
		notice = tpl_render(hosted_l10n(req), "notice.html", nv);
	}
	const char *app_name = req->have_app ? req->app->name : l10n_text(hosted_l10n(req), "Account security");
	char *app_mark = hosted_app_mark(req, app_name), *brand_style = hosted_brand_style(req);
	struct tpl_var lv[] = {{"lang", l10n_code(hosted_l10n(req)->lang)}, {"title", title}, {"app_name", app_name},
			       {"app_mark", app_mark}, {"brand_style", brand_style},
			       {"nav", nav}, {"notice", notice}, {"content", content}, {NULL, NULL}};
	char *html = content && app_mark ? tpl_render(hosted_l10n(req), "layout.html", lv) : NULL;
	free(app_mark);
	free(brand_style);
	free(content);
	free(nav);
	free(notice);
	if (!html)
		return TF_ERR_INTERNAL;
	security_headers(req);
	free(req->resp_text);
	req->resp_text = html;
	req->status = status;
	return TF_OK;
}

/* The error page's title for e (a msgid) */
static const char *error_title(enum tf_err e)
{
	switch (e) {
	case TF_ERR_HOSTED_SESSION_EXPIRED:
		return N_("Your session has ended");
	case TF_ERR_ROUTE_NOT_FOUND:
	case TF_ERR_NOT_FOUND:
		return N_("Page not found");
	case TF_ERR_SSO_TOKEN_EXPIRED:
	case TF_ERR_SSO_TOKEN_USED:
	case TF_ERR_SSO_TOKEN_INVALID:
	case TF_ERR_SSO_SIGNATURE_INVALID:
	case TF_ERR_SSO_UNKNOWN_CLIENT:
	case TF_ERR_SSO_INVALID_REQUEST:
		return N_("This sign-in link does not work");
	default:
		return tf_err_status(e) >= 500 ? N_("Something went wrong") : N_("This request cannot be completed");
	}
}

const char *hosted_error_text(struct tf_req *req, enum tf_err e)
{
	/* errors.def's messages are in the catalogs (tools/po-update gathers them) */
	return l10n_text(hosted_l10n(req), tf_err_message(e));
}

void hosted_error_page(struct tf_req *req, enum tf_err e)
{
	const struct l10n *l = hosted_l10n(req);
	const char *message = hosted_error_text(req, e);
	if (e == TF_ERR_INTERNAL || e == TF_ERR_STORE_UNAVAILABLE || e == TF_ERR_OVERLOADED)
		message = l10n_text(l, "Please try again in a moment.");
	else if (e == TF_ERR_HOSTED_SESSION_EXPIRED)
		message = l10n_text(l, "For your security you were signed out after a while without activity. Go back to the application and open this page again.");
	else if (e == TF_ERR_SSO_TOKEN_EXPIRED || e == TF_ERR_SSO_TOKEN_USED)
		message = l10n_text(l, "Sign-in links work once and only for a few minutes. Go back to the application and try again.");
	struct tpl_var rv[] = {{"code", tf_err_code(e)}, {"request_id", req->request_id}, {NULL, NULL}};
	/* TRANSLATORS: {code} is the error's code (HOSTED_SESSION_EXPIRED), {request_id} the request's id: what support asks for */
	char *reference = tpl_words(l, N_("Reference: {code}, {request_id}"), rv);
	struct tpl_var v[] = {{"message", message}, {"action", NULL}, {NULL, NULL}};
	req->err = e;
	for (int i = 0; i < req->n_headers; i++) /* a failed page sets no cookie and goes nowhere */
		free(req->headers[i].value);
	req->n_headers = 0;
	if (!reference ||
	    hosted_page(req, NULL, tf_err_status(e), l10n_text(l, error_title(e)), "message.html", v, "info", reference) != TF_OK) {
		free(req->resp_text);
		req->resp_text = strdup("Error");
		req->status = tf_err_status(e);
	}
	free(reference);
}


bool hosted_begin(struct tf_req *req, struct hosted_ctx *hc, enum hosted_gate gate)
{
	memset(hc, 0, sizeof *hc);
	char value[256];
	enum tf_err e = TF_ERR_HOSTED_SESSION_EXPIRED;
	char *dot = NULL;
	if (hosted_cookie(req, HOSTED_SESSION_COOKIE, value, sizeof value))
		dot = strchr(value, '.');
	if (!dot)
		goto fail;
	*dot = '\0';
	const char *token = dot + 1;
	if ((e = req_load_app_by_id(req, value)) != TF_OK)
		goto fail;
	struct sca_ctx ctx = req_sca(req);
	if ((e = sca_hosted_session_find(&ctx, token, &req->session, &hc->info)) != TF_OK)
		goto fail;
	e = sca_session_use(&ctx, &req->session, &req->stepped_up);
	if (e == TF_ERR_INVALID_TOKEN) {
		/* an ended session goes back to the application, which signs the user in again */
		sodium_memzero(value, sizeof value);
		if (!hc->info.redirect_uri[0]) {
			req_drop_app(req);
			hosted_error_page(req, TF_ERR_HOSTED_SESSION_EXPIRED);
			return true;
		}
		hosted_set_cookie(req, HOSTED_SESSION_COOKIE, "", -1);
		hosted_redirect(req, hc->info.redirect_uri);
		return true;
	}
	if (e != TF_OK)
		goto fail;
	req->have_session = true;
	/* the page's language: the signed-in user's locale, else the application's default, else
	 * the browser's */
	char locale[STORE_LOCALE_MAX];
	sca_user_locale(&ctx, req->session.user_id, locale);
	hosted_choose_l10n(req, locale);
	csrf_of(req, token, hc->csrf);
	sodium_memzero(value, sizeof value);
	if (gate == HOSTED_GATE_MFA && hc->info.mfa_pending) {
		char loc[600];
		snprintf(loc, sizeof loc, "/challenge?next=%s", req->path);
		hosted_redirect(req, loc);
		return true;
	}
	return false;
fail:
	sodium_memzero(value, sizeof value);
	if (e == TF_ERR_NOT_FOUND)
		e = TF_ERR_HOSTED_SESSION_EXPIRED;
	req_drop_app(req);
	hosted_error_page(req, e);
	return true;
}

bool hosted_begin_form(struct tf_req *req, struct hosted_ctx *hc, enum hosted_gate gate)
{
	if (hosted_begin(req, hc, gate))
		return true;
	const char *sent = form_get(&req->form, "csrf");
	if (sent && strlen(sent) == HOSTED_CSRF_HEX && sodium_memcmp(sent, hc->csrf, HOSTED_CSRF_HEX) == 0)
		return false;
	hosted_error_page(req, TF_ERR_CSRF_INVALID);
	return true;
}

enum tf_err hosted_session_start(struct tf_req *req, const struct user_row *u, const char *redirect_uri,
				 const char *landing, bool two_elements, struct hosted_start *out)
{
	memset(out, 0, sizeof *out);
	struct sca_ctx ctx = req_sca(req);
	char name[64], cookie[DEVICE_COOKIE_MAX];
	snprintf(name, sizeof name, "%s%s", HOSTED_DEVICE_COOKIE_PREFIX, req->app->app_id);
	bool has_cookie = hosted_cookie(req, name, cookie, sizeof cookie);
	struct factor_row factor;
	bool challenge = false;
	enum tf_err e = sca_hosted_gate(&ctx, u->user_id, has_cookie ? cookie : NULL, hosted_passkeys(req), &factor,
					&challenge);
	if (e != TF_OK)
		return e;
	challenge &= !two_elements;
	char token[TF_TOKEN_MAX];
	e = sca_hosted_session_mint(&ctx, u->user_id, redirect_uri, challenge, token, &req->session);
	snprintf(out->cookie, sizeof out->cookie, "%s.%s", req->app->app_id, token);
	sodium_memzero(token, sizeof token);
	struct challenge_row ch;
	bool started = challenge && factor.factor_id[0];
	if (e == TF_OK && started) /* a code goes out now for SMS and voice */
		e = req_challenge_issue(req, &factor, PURPOSE_LOGIN, NULL, NULL, &ch);
	if (e != TF_OK)
		return e;
	if (challenge && !started)
		snprintf(out->location, sizeof out->location, "/challenge?next=%s", landing);
	else if (challenge)
		snprintf(out->location, sizeof out->location, "/challenge?challenge_id=%s&next=%s", ch.challenge_id, landing);
	else
		snprintf(out->location, sizeof out->location, "%s", landing);
	return TF_OK;
}

enum tf_err hosted_session_started(struct tf_req *req, struct hosted_start *start)
{
	hosted_set_cookie(req, HOSTED_SESSION_COOKIE, start->cookie, 0);
	enum tf_err e = hosted_redirect(req, start->location);
	sodium_memzero(start, sizeof *start);
	return e;
}

enum tf_err hosted_load_client(struct tf_req *req, const char *client_id)
{
	enum tf_err e = req_load_app_by_client_id(req, client_id);
	return e == TF_ERR_NOT_FOUND ? TF_ERR_SSO_UNKNOWN_CLIENT : e;
}

void hosted_home(const struct app_row *app, char *out, size_t size)
{
	json_t *prefixes = json_loads(app->redirect_uri_prefixes, 0, NULL);
	const char *first = json_string_value(json_array_get(prefixes, 0));
	snprintf(out, size, "%s", first ? first : "");
	json_decref(prefixes);
}

void hosted_clean_code(const char *code, char out[65])
{
	size_t n = 0;
	for (const char *p = code ? code : ""; *p && n < 64; p++)
		if (*p != ' ' && *p != '-') /* people type codes with spaces or dashes */
			out[n++] = *p;
	out[n] = '\0';
}

bool hosted_passkeys(const struct tf_req *req)
{
	return rp_origin_allowed(req->app, req->svc->public_url);
}

bool hosted_form_text(const char *value)
{
	json_t *s = json_string(value);
	bool ok = s != NULL;
	json_decref(s);
	return ok;
}
