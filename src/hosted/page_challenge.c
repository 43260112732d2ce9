/*
 * page_challenge.c: the challenge page (SPEC sections 4 and 8, seed 000): GET /challenge
 * shows the code entry for the session's challenge (or the user's methods to start one; for
 * a passkey, the form its script runs the browser's ceremony from), POST /challenge verifies a
 * code or a passkey's assertion (ticking "trust this device" keeps this browser trusted
 * for 30 days, a cookie for the hosted pages only), POST /challenge/send starts a challenge
 * of another method or sends a new code, under the same 15-second rule as the API. Success
 * clears the session's second-factor gate and goes on to the page the user was going to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/hosted.h"
#include "http/webauthn_json.h"
#include "sca/devices.h"
#include "sca/factors.h"

/* The challenge page's session (hosted_begin; for a form post, with its CSRF token) and its
 * next field, the page to go on to afterwards (hosted_next_page). True when already answered. */
static bool begin_challenge(struct tf_req *req, struct hosted_ctx *hc, bool post, char *next, size_t size)
{
	if (post ? hosted_begin_form(req, hc, HOSTED_GATE_NONE) : hosted_begin(req, hc, HOSTED_GATE_NONE))
		return true;
	hosted_next_page(req, form_get(post ? &req->form : &req->query, "next"), next, size);
	return false;
}

/* Whether the pages can take f's answer: a typed code, or a passkey where passkeys work here. */
static bool answerable(struct tf_req *req, const struct factor_row *f)
{
	return factor_kind_answered_on_page(factor_kind_of(f->type), hosted_passkeys(req));
}

/* The user's other active methods the pages can take, as buttons that start a challenge. */
static char *methods_html(struct tf_req *req, const struct hosted_ctx *hc, const char *except_factor, const char *next,
			  const char *heading)
{
	struct sca_ctx ctx;
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n = 0;
	char *buttons = NULL;
	req_sca_ctx(req, &ctx);
	if (sca_factor_list(&ctx, req->session.user_id, list, FACTORS_PER_USER_MAX, &n) != TF_OK)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (list[i].status != FACTOR_ACTIVE || !answerable(req, &list[i]) || !strcmp(list[i].factor_id, except_factor))
			continue;
		struct factor_description d;
		factor_describe(hosted_l10n(req), &list[i], req->app->name, &d);
		struct tpl_var v[] = {{"csrf", hc->csrf}, {"factor_id", list[i].factor_id}, {"next", next}, {"label", d.offer}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &buttons, "method_button.html", v);
	}
	if (!buttons)
		return NULL;
	struct tpl_var v[] = {{"heading", heading}, {"buttons", buttons}, {NULL, NULL}};
	char *html = tpl_render(hosted_l10n(req), "challenge_methods.html", v);
	free(buttons);
	return html;
}

/* The passkey form of challenge ch by passkey f: its request options for the page's script. */
static enum tf_err render_passkey(struct tf_req *req, const struct hosted_ctx *hc, const struct challenge_row *ch,
				  const struct factor_row *f, const char *prompt, const char *next, int status,
				  const char *notice_kind, const char *notice)
{
	struct rp_settings s;
	rp_settings_read(req->app, &s);
	json_t *options = webauthn_request_options_json(&s, ch->webauthn_challenge, f);
	rp_settings_clear(&s);
	char *text = json_dumps(options, JSON_COMPACT);
	json_decref(options);
	char *methods = methods_html(req, hc, f->factor_id, next, "Other ways to confirm");
	struct tpl_var v[] = {{"prompt", prompt}, {"csrf", hc->csrf}, {"challenge_id", ch->challenge_id}, {"next", next},
			      {"options", text}, {"methods", methods}, {NULL, NULL}};
	enum tf_err e = text ? hosted_page(req, hc, status, "Confirm it's you", "challenge_passkey.html", v, notice_kind, notice)
			     : TF_ERR_INTERNAL;
	free(text);
	free(methods);
	return e;
}

/* Renders the answer form of challenge_id (a code's field, a passkey's ceremony), or the list of
 * methods when the pages cannot take its answer. */
static enum tf_err render_challenge(struct tf_req *req, const struct hosted_ctx *hc, const char *challenge_id,
				    const char *next, int status, const char *notice_kind, const char *notice)
{
	struct sca_ctx ctx;
	struct challenge_row ch;
	struct factor_row f;
	req_sca_ctx(req, &ctx);
	bool usable = challenge_id && challenge_id[0] &&
		      sca_challenge_of_session(&ctx, &req->session, challenge_id, false, &ch, &f) == TF_OK &&
		      ch.purpose != PURPOSE_ENROLMENT && sca_challenge_open(&ctx, &ch) && answerable(req, &f);
	if (!usable) {
		char *methods = methods_html(req, hc, "", next, "Choose how to confirm it is you");
		struct tpl_var v[] = {{"message", methods ? "" : "There is no sign-in method to confirm with."}, {"action", methods}, {NULL, NULL}};
		enum tf_err e = hosted_page(req, hc, status, "Confirm it's you", "message.html", v, notice_kind, notice);
		free(methods);
		return e;
	}
	struct factor_description d;
	factor_describe(hosted_l10n(req), &f, req->app->name, &d);
	if (factor_kind_of(f.type)->answer == FACTOR_ANSWER_CREDENTIAL)
		return render_passkey(req, hc, &ch, &f, d.prompt, next, status, notice_kind, notice);
	char *resend = NULL;
	if (factor_kind_of(f.type)->flags & FACTOR_KIND_SENDS_CODE) {
		struct tpl_var rv[] = {{"csrf", hc->csrf}, {"challenge_id", ch.challenge_id}, {"next", next}, {NULL, NULL}};
		resend = tpl_render(hosted_l10n(req), "challenge_resend.html", rv);
	}
	char *methods = methods_html(req, hc, f.factor_id, next, "Other ways to confirm");
	struct tpl_var v[] = {{"prompt", d.prompt}, {"csrf", hc->csrf}, {"challenge_id", ch.challenge_id}, {"next", next},
			      {"code_label", d.code_label}, {"inputmode", d.inputmode}, {"resend", resend}, {"methods", methods},
			      {NULL, NULL}};
	enum tf_err e = hosted_page(req, hc, status, "Confirm it's you", "challenge.html", v, notice_kind, notice);
	free(resend);
	free(methods);
	return e;
}

enum tf_err page_challenge(struct tf_req *req)
{
	struct hosted_ctx hc;
	char next[64];
	if (begin_challenge(req, &hc, false, next, sizeof next))
		return TF_OK;
	const char *sent = form_get(&req->query, "sent");
	return render_challenge(req, &hc, form_get(&req->query, "challenge_id"), next, 200, "info",
				sent ? "We sent you a new code." : NULL);
}

/* What a failed attempt or send tells the user (left: the attempts remaining, -1 unknown). */
static void failure_text(struct tf_req *req, enum tf_err e, int left, char *out, size_t size)
{
	switch (e) {
	case TF_ERR_VERIFICATION_CODE_INVALID:
		if (left >= 0)
			snprintf(out, size, "That code is not right. %d %s left.", left, left == 1 ? "attempt" : "attempts");
		else
			snprintf(out, size, "That code is not right.");
		break;
	case TF_ERR_CREDENTIAL_INVALID:
		if (left >= 0)
			snprintf(out, size, "Your passkey was not accepted. %d %s left.", left, left == 1 ? "attempt" : "attempts");
		else
			snprintf(out, size, "Your passkey was not accepted.");
		break;
	case TF_ERR_TOTP_REPLAYED:
		snprintf(out, size, "That code was already used. Wait for the next code in your app.");
		break;
	case TF_ERR_CHALLENGE_LIMIT_EXCEEDED:
		snprintf(out, size, "Too many wrong codes. Choose a method to get a new code.");
		break;
	case TF_ERR_CHALLENGE_EXPIRED:
	case TF_ERR_CHALLENGE_SUPERSEDED:
		snprintf(out, size, "That code is no longer valid. Choose a method to get a new one.");
		break;
	case TF_ERR_FACTOR_BLOCKED:
		snprintf(out, size, "Too many wrong codes in a row. This method is locked for 15 minutes.");
		break;
	case TF_ERR_RETRY_IN_15SEC:
		snprintf(out, size, "A code was sent a moment ago. Wait 15 seconds before asking for another.");
		break;
	case TF_ERR_INVALID_REQUEST:
		snprintf(out, size, "No more codes can be sent now. Go back to %s and sign in again.", req->app->name);
		break;
	default:
		snprintf(out, size, "%s", tf_err_message(e));
	}
}

/* The challenge page again after a failed attempt or send, saying why (left as failure_text);
 * a wrong or used code's notice is tied to the code field. */
static enum tf_err render_failure(struct tf_req *req, const struct hosted_ctx *hc, const char *challenge_id,
				  const char *next, enum tf_err e, int left)
{
	char text[400];
	failure_text(req, e, left, text, sizeof text);
	bool about_code = e == TF_ERR_VERIFICATION_CODE_INVALID || e == TF_ERR_TOTP_REPLAYED;
	return render_challenge(req, hc, challenge_id, next, tf_err_status(e), about_code ? "invalid" : "error", text);
}

enum tf_err page_challenge_verify(struct tf_req *req)
{
	struct hosted_ctx hc;
	char next[64];
	if (begin_challenge(req, &hc, true, next, sizeof next))
		return TF_OK;
	const char *challenge_id = form_get(&req->form, "challenge_id"), *code = form_get(&req->form, "code");
	const char *trust = form_get(&req->form, "trust_device"), *credential = form_get(&req->form, "credential");
	struct credential_json cred = {0};
	if (!challenge_id || strlen(challenge_id) >= TF_ID_MAX)
		return render_challenge(req, &hc, challenge_id, next, 400, "invalid", "Enter the code.");
	if (credential ? !credential_json_parse(credential, false, &cred) : !code || strlen(code) > 64) {
		credential_json_free(&cred);
		return render_challenge(req, &hc, challenge_id, next, 400, credential ? "error" : "invalid",
					credential ? "Your passkey's answer did not arrive. Try again." : "Enter the code.");
	}
	char clean[65];
	hosted_clean_code(code, clean);
	struct sca_attempt_request rq = {.challenge_id = challenge_id, .code = credential ? NULL : clean,
					 .credential = credential ? &cred.r : NULL,
					 .trust_device = trust && !strcmp(trust, "on"), .domain = DOMAIN_HOSTED};
	struct sca_attempt_result res;
	enum tf_err e = req_challenge_attempt(req, &rq, &res);
	credential_json_free(&cred);
	if (e == TF_OK && req->rerun_slow)
		return TF_OK;
	if (e != TF_OK)
		return render_failure(req, &hc, challenge_id, next, e,
				      e == TF_ERR_VERIFICATION_CODE_INVALID || e == TF_ERR_CREDENTIAL_INVALID
					      ? res.attempts_remaining : -1);
	if (res.has_device) {
		const char *cookie = res.device_cookie;
		char name[64], held[DEVICE_COOKIE_MAX];
		snprintf(name, sizeof name, "%s%s", HOSTED_DEVICE_COOKIE_PREFIX, req->app->app_id);
		bool persistent = res.device.kind == DEVICE_PERSISTENT;
		/* a session's device never replaces the 30-day trust this browser already holds */
		struct device_claims held_claims;
		struct sca_ctx ctx = req_sca(req);
		bool keep = !persistent && hosted_cookie(req, name, held, sizeof held) &&
			    !sca_device_check(&ctx, req->session.user_id, held, DOMAIN_HOSTED, &held_claims) &&
			    held_claims.kind == DEVICE_PERSISTENT;
		if (!keep)
			hosted_set_cookie(req, name, cookie, persistent ? DEVICE_PERSISTENT_MS / 1000 : 0);
	}
	return hosted_redirect(req, next);
}

enum tf_err page_challenge_send(struct tf_req *req)
{
	struct hosted_ctx hc;
	char next[64];
	if (begin_challenge(req, &hc, true, next, sizeof next))
		return TF_OK;
	const char *factor_id = form_get(&req->form, "factor_id"), *challenge_id = form_get(&req->form, "challenge_id");
	struct challenge_row ch;
	struct factor_row f;
	enum tf_err e;
	if (factor_id && !hosted_form_text(factor_id)) {
		e = TF_ERR_MISSING_FIELD;
	} else if (factor_id) { /* a login challenge of another method */
		struct sca_challenge_request rq = {.purpose = PURPOSE_LOGIN, .factor_id = factor_id};
		e = req_challenge_create(req, &rq, &ch, &f);
	} else if (challenge_id && strlen(challenge_id) < TF_ID_MAX) { /* a new code */
		e = req_challenge_resend(req, challenge_id, &ch, &f);
	} else {
		e = TF_ERR_INVALID_REQUEST;
	}
	if (e != TF_OK)
		return render_failure(req, &hc, challenge_id, next, e, -1);
	char loc[256];
	snprintf(loc, sizeof loc, "/challenge?challenge_id=%s&next=%s%s", ch.challenge_id, next, challenge_id ? "&sent=1" : "");
	return hosted_redirect(req, loc);
}
