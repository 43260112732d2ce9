/*
 * page_factors.c: the sign-in methods pages (SPEC sections 3 and 8): GET /account/factors
 * lists the user's factors and offers to add one: an authenticator app (the QR code shown as
 * an image, the key as text), a phone for text messages or voice calls, a sheet of backup
 * codes (shown once, with a print stylesheet), or a passkey (where the application accepts
 * twofold's own origin; the page's script runs the browser's ceremony). Each new method is
 * confirmed with a code, or a passkey with its registration (POST /account/factors/{id}/verify). Adding a method while another is active needs a
 * recent challenge, as in the API: the page sends the user through the challenge page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosted/hosted.h"
#include "http/webauthn_json.h"
#include "qr/qr.h"
#include "sca/factors.h"

enum tf_err page_account(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	return hosted_redirect(req, "/account/factors");
}

/* The signed-in user's factor factor_id (NOT_FOUND when the user has none by that id). */
static enum tf_err user_factor(struct tf_req *req, const char *factor_id, struct factor_row *f)
{
	struct sca_ctx ctx = req_sca(req);
	return sca_factor_get(&ctx, req->session.user_id, factor_id, f);
}

static enum tf_err render_factors(struct tf_req *req, const struct hosted_ctx *hc, int status, const char *notice_kind,
				  const char *notice)
{
	struct sca_ctx ctx;
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	req_sca_ctx(req, &ctx);
	enum tf_err e = sca_factor_list(&ctx, req->session.user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	char *rows = NULL;
	bool has_backup = false;
	for (size_t i = 0; i < n; i++) {
		char status_text[64], *action = NULL;
		struct factor_description d;
		factor_describe(&list[i], req->app->name, &d);
		has_backup |= list[i].type == FACTOR_BACKUP_CODES; /* the page's own form for them */
		if (list[i].status == FACTOR_ACTIVE) {
			snprintf(status_text, sizeof status_text, "Active%s", list[i].preferred ? ", used first" : "");
		} else {
			snprintf(status_text, sizeof status_text, "Waiting for confirmation");
			struct tpl_var av[] = {{"factor_id", list[i].factor_id}, {NULL, NULL}};
			action = tpl_render("factor_confirm_link.html", av);
		}
		struct tpl_var v[] = {{"label", d.label}, {"status", status_text}, {"action", action}, {NULL, NULL}};
		tpl_append(&rows, "factor_row.html", v);
		free(action);
	}
	if (!rows) {
		struct tpl_var v[] = {{"cols", "3"}, {"text", "No sign-in method yet. Add one below."}, {NULL, NULL}};
		tpl_append(&rows, "empty_row.html", v);
	}
	struct tpl_var pv[] = {{"app_name", req->app->name}, {"csrf", hc->csrf}, {NULL, NULL}};
	char *passkey = hosted_passkeys(req) ? tpl_render("passkey_offer.html", pv) : NULL;
	struct tpl_var v[] = {{"app_name", req->app->name}, {"rows", rows}, {"csrf", hc->csrf}, {"passkey", passkey},
			      {"backup_label", has_backup ? "Replace my backup codes" : "Create backup codes"}, {NULL, NULL}};
	e = hosted_page(req, hc, status, "Sign-in methods", "factors.html", v, notice_kind, notice);
	free(passkey);
	free(rows);
	return e;
}

enum tf_err page_factors(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	const char *added = form_get(&req->query, "added");
	return render_factors(req, &hc, 200, "info", added ? "The new sign-in method is ready." : NULL);
}

/* A pending passkey's page: its creation options (the enrolment challenge of this session) in
 * the form the script runs the ceremony from. */
static enum tf_err render_passkey_enrol(struct tf_req *req, const struct hosted_ctx *hc, const struct factor_row *f,
					int status, const char *notice)
{
	struct sca_ctx ctx = req_sca(req);
	struct challenge_row ch;
	struct factor_row cf;
	json_t *options = NULL;
	enum tf_err e = sca_challenge_of_session(&ctx, &req->session, f->enrolment_challenge_id, true, &ch, &cf);
	if (e == TF_OK)
		e = req_creation_options(req, ch.webauthn_challenge, NULL, &options);
	char *text = options ? json_dumps(options, JSON_COMPACT) : NULL;
	json_decref(options);
	if (e == TF_OK && !text)
		e = TF_ERR_INTERNAL;
	if (e == TF_OK) {
		struct tpl_var v[] = {{"app_name", req->app->name}, {"factor_id", f->factor_id}, {"csrf", hc->csrf},
				      {"options", text}, {NULL, NULL}};
		e = hosted_page(req, hc, status, "Add a passkey", "passkey_enrol.html", v, "error", notice);
	}
	free(text);
	return e;
}

static enum tf_err render_confirm(struct tf_req *req, const struct hosted_ctx *hc, const struct factor_row *f, int status,
				  const char *notice)
{
	if (factor_kind_of(f->type)->answer == FACTOR_ANSWER_CREDENTIAL)
		return render_passkey_enrol(req, hc, f, status, notice);
	struct factor_description d;
	factor_describe(f, req->app->name, &d);
	struct tpl_var v[] = {{"prompt", d.enrol_prompt}, {"factor_id", f->factor_id}, {"csrf", hc->csrf}, {"inputmode", d.inputmode},
			      {NULL, NULL}};
	return hosted_page(req, hc, status, "Confirm your new sign-in method", "factor_confirm.html", v,
			   "invalid", notice);
}

/* The page that follows a new factor: what its enrolment shows once (an authenticator's QR
 * code, qr_src, and key; a sheet of backup codes), else the field for its first code. */
static enum tf_err render_enrolment(struct tf_req *req, const struct hosted_ctx *hc, const char *factor_id,
				    const struct factor_enrolment *en, const char *qr_src)
{
	if (en->totp_secret[0]) {
		struct tpl_var v[] = {{"qr_src", qr_src}, {"secret", en->totp_secret}, {"factor_id", factor_id},
				      {"csrf", hc->csrf}, {NULL, NULL}};
		return hosted_page(req, hc, 200, "Add an authenticator app", "totp_enrol.html", v, NULL, NULL);
	}
	if (en->n_backup_codes) {
		char *codes = NULL;
		for (int i = 0; i < en->n_backup_codes; i++) {
			struct tpl_var v[] = {{"code", en->backup_codes[i]}, {NULL, NULL}};
			tpl_append(&codes, "backup_code.html", v);
		}
		struct tpl_var v[] = {{"app_name", req->app->name}, {"codes", codes}, {"factor_id", factor_id}, {"csrf", hc->csrf},
				      {NULL, NULL}};
		enum tf_err e = hosted_page(req, hc, 200, "Your backup codes", "backup_sheet.html", v, NULL, NULL);
		free(codes);
		return e;
	}
	struct factor_row f;
	enum tf_err e = user_factor(req, factor_id, &f);
	return e != TF_OK ? e : render_confirm(req, hc, &f, 200, NULL); /* a code's field, or a passkey's ceremony */
}

enum tf_err page_factors_add(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin_form(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	const char *type = form_get(&req->form, "type"), *phone = form_get(&req->form, "phone");
	const struct factor_kind *kind = type ? factor_kind_named(type) : NULL;
	bool answerable = kind && (kind->answer == FACTOR_ANSWER_CODE ||
				   (kind->answer == FACTOR_ANSWER_CREDENTIAL && hosted_passkeys(req)));
	if (!answerable) /* these pages take typed codes, and passkeys where they can work */
		return render_factors(req, &hc, 400, "error", "Choose a kind of sign-in method.");
	struct factor_input in = {0};
	char clean[32];
	if (phone && (kind->fields & FACTOR_FIELD_PHONE)) {
		size_t n = 0;
		for (const char *p = phone; *p && n < sizeof clean - 1; p++)
			if (*p != ' ' && *p != '-' && *p != '(' && *p != ')')
				clean[n++] = *p;
		clean[n] = '\0';
		if (hosted_form_text(clean))
			in.phone = clean;
	}
	enum tf_err e;
	struct factor_enrolment en;
	memset(&en, 0, sizeof en);
	struct sca_enrolment_result out = {0};
	/* the route carries ROUTE_STEP_UP: the domain asks for it once the user has an active factor */
	e = req_factor_enrol(req, kind, &in, false, &en, &out);
	char *qr_src = NULL;
	if (e == TF_OK && en.totp_secret[0])
		e = qr_png_base64(en.otpauth_uri, 6, "data:image/png;base64,", &qr_src);
	if (e == TF_OK)
		e = render_enrolment(req, &hc, out.f.factor_id, &en, qr_src);
	else if (e == TF_ERR_STEP_UP_REQUIRED) /* a recent challenge first, then back here */
		e = hosted_redirect(req, "/challenge?next=/account/factors");
	else if (e == TF_ERR_MISSING_FIELD || e == TF_ERR_INVALID_FIELD)
		e = render_factors(req, &hc, 400, "invalid", "Enter your mobile number with its country code, like +447700900123.");
	else
		e = render_factors(req, &hc, tf_err_status(e), "error", tf_err_message(e));
	free(qr_src);
	factor_enrolment_wipe(&en);
	return e;
}

enum tf_err page_factor(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	struct factor_row f;
	enum tf_err e = user_factor(req, req->params[0], &f);
	if (e != TF_OK)
		return e;
	if (f.status == FACTOR_ACTIVE)
		return hosted_redirect(req, "/account/factors");
	return render_confirm(req, &hc, &f, 200, NULL);
}

enum tf_err page_factor_verify(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin_form(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	struct factor_row f;
	enum tf_err e = user_factor(req, req->params[0], &f);
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	const char *code = form_get(&req->form, "code");
	bool passkey = factor_kind_of(f.type)->answer == FACTOR_ANSWER_CREDENTIAL;
	char clean[65];
	hosted_clean_code(code, clean);
	struct credential_json cred = {0};
	struct factor_row pending;
	struct sca_attempt_result res;
	if (passkey ? !credential_json_parse(form_get(&req->form, "credential"), true, &cred) : !hosted_form_text(clean)) {
		e = TF_ERR_MISSING_FIELD;
	} else if ((e = sca_factor_pending(&ctx, req->session.user_id, f.factor_id, &pending)) == TF_OK) {
		struct sca_attempt_request rq = {.challenge_id = pending.enrolment_challenge_id, .code = passkey ? NULL : clean,
						 .credential = passkey ? &cred.r : NULL, .enrolment_only = true,
						 .domain = DOMAIN_API};
		e = req_challenge_attempt(req, &rq, &res);
	}
	credential_json_free(&cred);
	if (e == TF_OK && req_waiting(req))
		return TF_OK;
	if (e == TF_OK || e == TF_ERR_ALREADY_VERIFIED)
		return hosted_redirect(req, "/account/factors?added=1");
	char text[160];
	if (e == TF_ERR_VERIFICATION_CODE_INVALID)
		snprintf(text, sizeof text, "That code is not right. %d attempts left.", res.attempts_remaining);
	else if (e == TF_ERR_CREDENTIAL_INVALID)
		snprintf(text, sizeof text, "That passkey was not accepted. %d attempts left.", res.attempts_remaining);
	else if (e == TF_ERR_MISSING_FIELD && passkey)
		snprintf(text, sizeof text, "Your browser did not create the passkey. Try again.");
	else
		snprintf(text, sizeof text, "%s", tf_err_message(e));
	return render_confirm(req, &hc, &f, tf_err_status(e), text);
}
