/*
 * page_factors.c: the sign-in methods pages (SPEC sections 3 and 8): GET /account/factors
 * lists the user's factors and offers to add one of the types the application enables
 * (sca/factor_options.h): an authenticator app (the QR code shown as an image, the key as
 * text), a phone for text messages or voice calls, codes by email (the user's own address
 * unless another is given), a sheet of backup codes (shown once, with a print stylesheet), or
 * a passkey (where the application accepts twofold's own origin; the page's script runs the
 * browser's ceremony). With the default settings voice and email, which need no smartphone,
 * are always offered (docs/accessibility.md). Each new method is
 * confirmed with a code, or a passkey with its registration (POST /account/factors/{id}/verify). Adding a method while another is active needs a
 * recent challenge, as in the API: the page sends the user through the challenge page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "hosted/hosted.h"
#include "http/webauthn_json.h"
#include "qr/qr.h"
#include "sca/factor_options.h"
#include "sca/factors.h"
#include "sca/users.h"

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

/* The phone card: its field, and a choice between text messages and voice calls (the one
 * enabled alone, said in words). */
static void phone_card(struct tf_req *req, char **cards, const struct hosted_ctx *hc, unsigned types, const char *invalid)
{
	static const struct {
		enum factor_type type;
		const char *text;
	} ways[] = {{FACTOR_SMS, "Text message"}, {FACTOR_VOICE, "Voice call (any phone, a landline too)"}};
	bool sms = types & FACTOR_TYPE_BIT(FACTOR_SMS), voice = types & FACTOR_TYPE_BIT(FACTOR_VOICE);
	char *choices = NULL;
	bool first = true;
	for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
		if (!(types & FACTOR_TYPE_BIT(ways[i].type)))
			continue;
		const char *name = factor_kind_of(ways[i].type)->name;
		if (!(sms && voice)) {
			struct tpl_var v[] = {{"type", name},
					      {"text", sms ? "We send your codes by text message." : "We call you and read your codes aloud."},
					      {NULL, NULL}};
			tpl_append(hosted_l10n(req), &choices, "factor_phone_only.html", v);
		} else {
			struct tpl_var v[] = {{"type", name}, {"text", ways[i].text}, {"checked", first ? " checked" : NULL},
					      {NULL, NULL}};
			tpl_append(hosted_l10n(req), &choices, "factor_phone_choice.html", v);
		}
		first = false;
	}
	struct tpl_var v[] = {{"csrf", hc->csrf}, {"phone_label", voice ? "Phone number" : "Mobile number"},
			      {"choices", choices}, {"invalid", invalid}, {NULL, NULL}};
	tpl_append(hosted_l10n(req), cards, "factor_card_phone.html", v);
	free(choices);
}

/* The cards that add a method: one per type the application enables (a passkey where these
 * pages can run its ceremony); invalid_field ("phone", "email" or NULL) gets the attributes
 * that tie it to the page's error notice. */
static char *add_cards(struct tf_req *req, const struct hosted_ctx *hc, bool has_backup, const char *invalid_field)
{
	unsigned types = factor_types_enabled(req->app);
	char *invalid = invalid_field ? tpl_render(hosted_l10n(req), "field_invalid.html", NULL) : NULL, *cards = NULL;
	const char *phone_invalid = invalid_field && !strcmp(invalid_field, "phone") ? invalid : NULL;
	const char *email_invalid = invalid_field && !strcmp(invalid_field, "email") ? invalid : NULL;
	struct tpl_var cv[] = {{"app_name", req->app->name}, {"csrf", hc->csrf}, {NULL, NULL}};
	if ((types & FACTOR_TYPE_BIT(FACTOR_PASSKEY)) && hosted_passkeys(req))
		tpl_append(hosted_l10n(req), &cards, "passkey_offer.html", cv);
	if (types & FACTOR_TYPE_BIT(FACTOR_TOTP))
		tpl_append(hosted_l10n(req), &cards, "factor_card_totp.html", cv);
	if (types & (FACTOR_TYPE_BIT(FACTOR_SMS) | FACTOR_TYPE_BIT(FACTOR_VOICE)))
		phone_card(req, &cards, hc, types, phone_invalid);
	if (types & FACTOR_TYPE_BIT(FACTOR_EMAIL)) {
		struct sca_ctx ctx = req_sca(req);
		struct user_row u;
		if (sca_user_load(&ctx, req->session.user_id, &u) != TF_OK)
			u.email[0] = '\0';
		struct tpl_var v[] = {{"csrf", hc->csrf}, {"email", u.email[0] ? u.email : "your address"},
				      {"invalid", email_invalid}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &cards, "factor_card_email.html", v);
	}
	if (types & FACTOR_TYPE_BIT(FACTOR_BACKUP_CODES)) {
		struct tpl_var v[] = {{"csrf", hc->csrf},
				      {"backup_label", has_backup ? "Replace my backup codes" : "Create backup codes"},
				      {NULL, NULL}};
		tpl_append(hosted_l10n(req), &cards, "factor_card_backup.html", v);
	}
	free(invalid);
	return cards;
}

static enum tf_err render_factors(struct tf_req *req, const struct hosted_ctx *hc, int status, const char *notice_kind,
				  const char *notice, const char *invalid_field)
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
		factor_describe(hosted_l10n(req), &list[i], req->app->name, &d);
		has_backup |= list[i].type == FACTOR_BACKUP_CODES; /* the page's own form for them */
		if (list[i].status == FACTOR_ACTIVE) {
			snprintf(status_text, sizeof status_text, "Active%s", list[i].preferred ? ", used first" : "");
		} else {
			snprintf(status_text, sizeof status_text, "Waiting for confirmation");
			struct tpl_var av[] = {{"factor_id", list[i].factor_id}, {NULL, NULL}};
			action = tpl_render(hosted_l10n(req), "factor_confirm_link.html", av);
		}
		struct tpl_var v[] = {{"label", d.label}, {"status", status_text}, {"action", action}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &rows, "factor_row.html", v);
		free(action);
	}
	if (!rows) {
		struct tpl_var v[] = {{"cols", "3"}, {"text", "No sign-in method yet. Add one below."}, {NULL, NULL}};
		tpl_append(hosted_l10n(req), &rows, "empty_row.html", v);
	}
	char *cards = add_cards(req, hc, has_backup, invalid_field);
	struct tpl_var v[] = {{"app_name", req->app->name}, {"rows", rows}, {"cards", cards}, {NULL, NULL}};
	e = hosted_page(req, hc, status, "Sign-in methods", "factors.html", v, notice_kind, notice);
	free(cards);
	free(rows);
	return e;
}

enum tf_err page_factors(struct tf_req *req)
{
	struct hosted_ctx hc;
	if (hosted_begin(req, &hc, HOSTED_GATE_MFA))
		return TF_OK;
	const char *added = form_get(&req->query, "added");
	return render_factors(req, &hc, 200, "info", added ? "The new sign-in method is ready." : NULL, NULL);
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
	factor_describe(hosted_l10n(req), f, req->app->name, &d);
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
			tpl_append(hosted_l10n(req), &codes, "backup_code.html", v);
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
	const char *email = form_get(&req->form, "email");
	const struct factor_kind *kind = type ? factor_kind_named(type) : NULL;
	if (!factor_kind_answered_on_page(kind, hosted_passkeys(req)))
		return render_factors(req, &hc, 400, "error", "Choose a kind of sign-in method.", NULL);
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
	char address[TF_EMAIL_MAX + 2];
	if (email && (kind->optional_fields & FACTOR_FIELD_EMAIL)) { /* blank: the user's own address */
		while (*email == ' ')
			email++;
		size_t n = strlen(email);
		while (n && email[n - 1] == ' ')
			n--;
		if (n && n <= TF_EMAIL_MAX) {
			snprintf(address, sizeof address, "%.*s", (int)n, email);
			in.email = hosted_form_text(address) ? address : "";
		} else if (n) {
			in.email = ""; /* too long: refused as any invalid address */
		}
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
	else if ((e == TF_ERR_MISSING_FIELD || e == TF_ERR_INVALID_FIELD) && kind->type == FACTOR_EMAIL)
		e = render_factors(req, &hc, 400, "invalid", "Enter an email address like name@example.com, or leave it empty.",
				   "email");
	else if (e == TF_ERR_MISSING_FIELD || e == TF_ERR_INVALID_FIELD)
		e = render_factors(req, &hc, 400, "invalid", "Enter your phone number with its country code, like +447700900123.",
				   "phone");
	else
		e = render_factors(req, &hc, tf_err_status(e), "error", tf_err_message(e), NULL);
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
