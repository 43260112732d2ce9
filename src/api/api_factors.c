/*
 * api_factors.c: a user's second factors (SPEC section 3) on the native API. Enrolment reads
 * the input its kind takes (sca/factor_kind.h), lets the kind fill the new factor, answers what
 * the kind shows once (a TOTP secret with its otpauth URI and QR code; a backup-code sheet) and
 * the enrolment challenge (whose code the kind sends), and leaves the factor pending until a
 * right answer arrives through POST /v1/factors/{id}/verify. Adding a factor while the user has
 * an active one, and deleting one, need a stepped-up session (SPEC section 6). The rules are
 * the domain's (sca/factors.h); this file reads the request and answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/validate.h"
#include "http/webauthn_json.h"
#include "qr/qr.h"
#include "sca/factor_options.h"
#include "sca/factors.h"
#include "sca/users.h"

json_t *api_factor_json(const struct factor_row *f)
{
	struct factor_description d;
	factor_describe(&l10n_english, f, "", &d);
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "factor_id", f->factor_id, "type", factor_kind_of(f->type)->name,
			      "status", f->status == FACTOR_ACTIVE ? "active" : "pending_verification", "preferred",
			      f->preferred);
	if (d.phone)
		json_object_set_new(o, "phone", json_string(d.phone));
	if (d.email)
		json_object_set_new(o, "email", json_string(d.email));
	if (d.totp_algorithm) {
		json_object_set_new(o, "algorithm", json_string(d.totp_algorithm));
		json_object_set_new(o, "digits", json_integer(d.totp_digits));
	}
	if (d.codes_remaining >= 0)
		json_object_set_new(o, "backup_codes_remaining", json_integer(d.codes_remaining));
	if (d.push_channel)
		json_object_set_new(o, "channel", json_string(d.push_channel));
	if (f->name[0])
		json_object_set_new(o, "name", json_string(f->name));
	if (d.credential_id) {
		json_t *t = d.transports[0] ? json_loads(d.transports, 0, NULL) : NULL;
		json_object_set_new(o, "passkey", json_pack("{s:s, s:s, s:b, s:b, s:o, s:b}", "credential_id", d.credential_id,
							    "aaguid", d.aaguid, "backup_eligible", d.backup_eligible,
							    "backed_up", d.backed_up, "transports", t ? t : json_array(),
							    "user_verified", d.user_verified));
	}
	resp_set_time(o, "created_at", f->created_at);
	if (f->activated_at)
		resp_set_time(o, "activated_at", f->activated_at);
	if (f->blocked_until)
		resp_set_time(o, "blocked_until", f->blocked_until);
	return o;
}

enum tf_err api_factors_list(struct tf_req *req)
{
	struct sca_ctx ctx;
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	req_sca_ctx(req, &ctx);
	enum tf_err e = sca_factor_list(&ctx, req->session.user_id, list, FACTORS_PER_USER_MAX, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_factor_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "factors", arr));
	return TF_OK;
}

/* What an enrolment shows once, as the native API answers it: {totp: {secret, otpauth_uri,
 * qr_png_base64, qr_svg}} (the QR code drawn here) or {backup_codes: [...]}. */
static enum tf_err shown_json(const struct factor_enrolment *en, json_t *answer)
{
	if (en->n_backup_codes) {
		json_t *codes = json_array();
		for (int i = 0; i < en->n_backup_codes; i++)
			json_array_append_new(codes, json_string(en->backup_codes[i]));
		json_object_set_new(answer, "backup_codes", codes);
	}
	if (!en->totp_secret[0])
		return TF_OK;
	char *b64, *svg;
	enum tf_err e = qr_png_base64(en->otpauth_uri, 6, "", &b64);
	if (e != TF_OK)
		return e;
	if ((e = qr_svg(en->otpauth_uri, &svg)) == TF_OK) {
		json_object_set_new(answer, "totp", json_pack("{s:s, s:s, s:s, s:s}", "secret", en->totp_secret, "otpauth_uri",
							      en->otpauth_uri, "qr_png_base64", b64, "qr_svg", svg));
		free(svg);
	}
	free(b64);
	return e;
}

static enum tf_err parse_type(struct tf_req *req, const struct factor_kind **kind)
{
	const char *t;
	enum tf_err e = req_string(req, "type", true, &t);
	if (e != TF_OK)
		return e;
	if (!(*kind = factor_kind_named(t)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
	if (!factor_type_enabled(req->app, *kind)) /* before the kind's own fields are asked for */
		return req_field_error(req, TF_ERR_FACTOR_TYPE_DISABLED, "type");
	return TF_OK;
}

bool api_factors_create_slow_if(struct tf_req *req)
{
	json_t *t = req->json ? json_object_get(req->json, "type") : NULL;
	const struct factor_kind *kind = t && json_is_string(t) ? factor_kind_named(json_string_value(t)) : NULL;
	return kind && (kind->flags & FACTOR_KIND_SLOW_ENROL);
}

enum tf_err api_factors_create(struct tf_req *req)
{
	static const char *const known[] = {"type", "name", "phone", "email", "channel", "public_key", "push_address", NULL};
	const struct factor_kind *kind = NULL;
	struct factor_input in = {0};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = parse_type(req, &kind)) != TF_OK ||
	    (e = req_string(req, "phone", kind->fields & FACTOR_FIELD_PHONE, &in.phone)) != TF_OK ||
	    (e = req_string(req, "email", false, &in.email)) != TF_OK ||
	    (e = req_string(req, "channel", kind->fields & FACTOR_FIELD_CHANNEL, &in.channel)) != TF_OK ||
	    (e = req_string(req, "public_key", kind->fields & FACTOR_FIELD_PUBLIC_KEY, &in.public_key)) != TF_OK ||
	    (e = req_string(req, "push_address", kind->fields & FACTOR_FIELD_PUSH_ADDRESS, &in.push_address)) != TF_OK ||
	    (e = req_string(req, "name", false, &in.name)) != TF_OK)
		return e;
	if (in.name && !validate_display_text(in.name, FACTOR_NAME_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "name");
	struct factor_enrolment en;
	memset(&en, 0, sizeof en);
	struct sca_enrolment_result out;
	e = req_factor_enrol(req, kind, &in, false, &en, &out);
	json_t *answer = json_object();
	if (e == TF_OK)
		e = shown_json(&en, answer);
	json_t *options = NULL;
	if (e == TF_OK && kind->answer == FACTOR_ANSWER_CREDENTIAL && /* {webauthn: {publicKey: options}} */
	    (e = req_creation_options(req, out.webauthn_challenge, en.webauthn_user_handle, &options)) == TF_OK)
		json_object_set_new(answer, "webauthn", json_pack("{s:o}", "publicKey", options));
	factor_enrolment_wipe(&en);
	if (e != TF_OK) {
		json_decref(answer);
		return e;
	}
	json_t *fj = api_factor_json(&out.f);
	json_object_update(answer, fj);
	json_decref(fj);
	if (!out.replaced)
		json_object_set_new(answer, "challenge_id", json_string(out.f.enrolment_challenge_id));
	resp_json(req, 201, answer);
	return TF_OK;
}

enum tf_err api_factors_verify(struct tf_req *req)
{
	static const char *const known[] = {"code", "approve", "signature", "credential", NULL};
	const char *code = NULL;
	struct push_answer push;
	bool is_push = false, has_credential = false;
	struct credential_json cred = {0};
	enum tf_err e;
	struct sca_ctx ctx;
	struct factor_row f;
	req_sca_ctx(req, &ctx);
	if ((e = req_reject_unknown(req, known)) == TF_OK && (e = api_push_answer_read(req, &push, &is_push)) == TF_OK &&
	    (e = req_credential_read(req, true, &cred, &has_credential)) == TF_OK &&
	    (e = req_string(req, "code", !is_push && !has_credential, &code)) == TF_OK &&
	    (e = sca_factor_pending(&ctx, req->session.user_id, req->params[0], &f)) == TF_OK)
		e = api_challenge_attempt(req, f.enrolment_challenge_id, code, true, false, DOMAIN_API, NULL,
					  is_push ? &push : NULL, has_credential ? &cred.r : NULL);
	credential_json_free(&cred);
	return e;
}

bool api_factors_verify_slow_if(struct tf_req *req)
{
	struct sca_ctx ctx;
	struct factor_row f;
	req_sca_ctx(req, &ctx);
	return req->have_session && sca_factor_get(&ctx, req->session.user_id, req->params[0], &f) == TF_OK &&
	       (factor_kind_of(f.type)->flags & FACTOR_KIND_SLOW_CHECK);
}

enum tf_err api_factors_prefer(struct tf_req *req)
{
	struct sca_ctx ctx;
	struct factor_row f;
	enum tf_err e;
	req_sca_ctx(req, &ctx);
	if ((e = req_no_fields(req)) != TF_OK ||
	    (e = sca_factor_prefer(&ctx, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	resp_json(req, 200, api_factor_json(&f));
	return TF_OK;
}

enum tf_err api_factors_delete(struct tf_req *req)
{
	struct sca_ctx ctx;
	struct factor_row f;
	req_sca_ctx(req, &ctx);
	/* removing a factor changes what protects the user: a recent challenge, whatever the route's
	 * own flags say */
	ctx.needs_step_up = true;
	enum tf_err e = sca_factor_remove(&ctx, req->session.user_id, req->params[0], &f);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "factor_id", f.factor_id, "status", "deleted"));
	return TF_OK;
}
