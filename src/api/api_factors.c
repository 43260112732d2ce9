/*
 * api_factors.c: a user's second factors (SPEC section 3) on the native API. Enrolment reads
 * the input its kind takes (sca/factor_kind.h), lets the kind fill the new factor, answers what
 * the kind shows once (a TOTP secret with its otpauth URI and QR code; a backup-code sheet) and
 * the enrolment challenge (whose code the kind sends), and leaves the factor pending until a
 * right answer arrives through POST /v1/factors/{id}/verify. Adding a factor while the user has
 * an active one, and deleting one, need a stepped-up session (SPEC section 6).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/challenge.h"
#include "qr/qr.h"

json_t *api_factor_json(const struct factor_row *f)
{
	struct factor_description d;
	factor_describe(f, "", &d);
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "factor_id", f->factor_id, "type", factor_kind_of(f->type)->name,
			      "status", f->status == FACTOR_ACTIVE ? "active" : "pending_verification", "preferred",
			      f->preferred);
	if (d.phone)
		json_object_set_new(o, "phone", json_string(d.phone));
	if (d.totp_algorithm) {
		json_object_set_new(o, "algorithm", json_string(d.totp_algorithm));
		json_object_set_new(o, "digits", json_integer(d.totp_digits));
	}
	if (d.codes_remaining >= 0)
		json_object_set_new(o, "backup_codes_remaining", json_integer(d.codes_remaining));
	if (d.push_channel)
		json_object_set_new(o, "channel", json_string(d.push_channel));
	resp_set_time(o, "created_at", f->created_at);
	if (f->activated_at)
		resp_set_time(o, "activated_at", f->activated_at);
	if (f->blocked_until)
		resp_set_time(o, "blocked_until", f->blocked_until);
	return o;
}

static enum tf_err list_factors(struct tf_req *req, struct factor_row *list, size_t *n)
{
	return STORE(req->db)->factor_list(req->db, req->app->app_id, req->session.user_id, list, FACTORS_PER_USER_MAX, n);
}

enum tf_err api_factors_list(struct tf_req *req)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = list_factors(req, list, &n);
	if (e != TF_OK)
		return e;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, api_factor_json(&list[i]));
	resp_json(req, 200, json_pack("{s:o}", "factors", arr));
	return TF_OK;
}

static bool has_active_factor(const struct factor_row *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].status == FACTOR_ACTIVE)
			return true;
	return false;
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
	uint8_t *png;
	size_t png_len;
	char *svg;
	enum tf_err e = qr_png(en->otpauth_uri, 6, &png, &png_len);
	if (e != TF_OK)
		return e;
	if ((e = qr_svg(en->otpauth_uri, &svg)) != TF_OK) {
		free(png);
		return e;
	}
	size_t b64_len = sodium_base64_encoded_len(png_len, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64_len);
	if (b64) {
		sodium_bin2base64(b64, b64_len, png, png_len, sodium_base64_VARIANT_ORIGINAL);
		json_object_set_new(answer, "totp", json_pack("{s:s, s:s, s:s, s:s}", "secret", en->totp_secret, "otpauth_uri",
							      en->otpauth_uri, "qr_png_base64", b64, "qr_svg", svg));
	} else {
		e = TF_ERR_INTERNAL;
	}
	free(b64);
	free(png);
	free(svg);
	return e;
}

/* The native API's names of the enrolment fields. */
static const char *field_name(enum factor_field field)
{
	switch (field) {
	case FACTOR_FIELD_PHONE:
		return "phone";
	case FACTOR_FIELD_CHANNEL:
		return "channel";
	case FACTOR_FIELD_PUBLIC_KEY:
		return "public_key";
	case FACTOR_FIELD_PUSH_ADDRESS:
		return "push_address";
	case FACTOR_FIELD_NONE:
		break;
	}
	return "type";
}

static enum tf_err parse_type(struct tf_req *req, const struct factor_kind **kind)
{
	const char *t;
	enum tf_err e = req_string(req, "type", true, &t);
	if (e != TF_OK)
		return e;
	if (!(*kind = factor_kind_named(t)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
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
	static const char *const known[] = {"type", "phone", "channel", "public_key", "push_address", NULL};
	const struct factor_kind *kind = NULL;
	struct factor_input in = {0};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = parse_type(req, &kind)) != TF_OK ||
	    (e = req_string(req, "phone", kind->fields & FACTOR_FIELD_PHONE, &in.phone)) != TF_OK ||
	    (e = req_string(req, "channel", kind->fields & FACTOR_FIELD_CHANNEL, &in.channel)) != TF_OK ||
	    (e = req_string(req, "public_key", kind->fields & FACTOR_FIELD_PUBLIC_KEY, &in.public_key)) != TF_OK ||
	    (e = req_string(req, "push_address", kind->fields & FACTOR_FIELD_PUSH_ADDRESS, &in.push_address)) != TF_OK)
		return e;
	enum factor_field bad = factor_input_check(kind, &in);
	if (bad != FACTOR_FIELD_NONE)
		return req_field_error(req, TF_ERR_INVALID_FIELD, field_name(bad));

	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	json_t *answer = json_object();
	struct factor_enrolment en;
	memset(&en, 0, sizeof en);
	if (kind->prepare && (e = kind->prepare(&ctx, &en)) != TF_OK)
		goto fail; /* slow work (Argon2id) before the transaction */

	struct factor_row list[FACTORS_PER_USER_MAX], f;
	size_t n;
	struct challenge_row ch;
	memset(&f, 0, sizeof f);
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		goto fail;
	e = list_factors(req, list, &n);
	if (e == TF_OK && has_active_factor(list, n) && !req->stepped_up)
		e = TF_ERR_STEP_UP_REQUIRED;
	int existing = -1; /* a kind a user has one of: enrolling again replaces its secrets */
	for (size_t i = 0; e == TF_OK && i < n; i++)
		if ((kind->flags & FACTOR_KIND_ONE_PER_USER) && list[i].type == kind->type)
			existing = (int)i;
	if (e == TF_OK && existing < 0 && n >= FACTORS_PER_USER_MAX)
		e = TF_ERR_FACTOR_LIMIT_REACHED;
	if (e != TF_OK) {
		STORE(req->db)->tx_rollback(req->db);
		goto fail;
	}
	if (existing >= 0) {
		f = list[existing];
	} else {
		crypto_random_id("fac", f.factor_id);
		snprintf(f.app_id, sizeof f.app_id, "%s", req->app->app_id);
		snprintf(f.user_id, sizeof f.user_id, "%s", req->session.user_id);
		f.type = kind->type;
		f.status = FACTOR_PENDING;
		f.last_totp_step = -1;
		f.created_at = req->now;
		f.preferred = n == 0;
		if (kind->enrol)
			e = kind->enrol(&ctx, &in, &f, &en);
	}
	if (e == TF_OK && existing < 0) {
		/* the factor first: its enrolment challenge references it */
		e = STORE(req->db)->factor_insert(req->db, &f);
		if (e == TF_OK)
			e = api_challenge_new(req, &f, PURPOSE_ENROLMENT, NULL, &ch);
		if (e == TF_OK) {
			snprintf(f.enrolment_challenge_id, sizeof f.enrolment_challenge_id, "%s", ch.challenge_id);
			e = STORE(req->db)->factor_update(req->db, &f);
		}
	}
	if (e == TF_OK && kind->store)
		e = kind->store(&ctx, &f, &en);
	if (e == TF_OK) {
		char event[64] = "factor.added", details[96];
		if (existing >= 0) /* factor.backup_codes_replaced */
			snprintf(event, sizeof event, "factor.%s_replaced", kind->name);
		snprintf(details, sizeof details, "{\"type\":\"%s\"%s}", kind->name, existing >= 0 ? ",\"replaced_sheet\":true" : "");
		e = sca_audit(&ctx, event, f.factor_id, details);
	}
	if (e == TF_OK)
		e = shown_json(&en, answer);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		goto fail;
	factor_enrolment_wipe(&en);
	json_t *fj = api_factor_json(&f);
	json_object_update(answer, fj);
	json_decref(fj);
	if (existing < 0)
		json_object_set_new(answer, "challenge_id", json_string(f.enrolment_challenge_id));
	resp_json(req, 201, answer);
	return TF_OK;
fail:
	factor_enrolment_wipe(&en);
	json_decref(answer);
	return e;
}

enum tf_err api_factors_verify(struct tf_req *req)
{
	static const char *const known[] = {"code", "approve", "signature", NULL};
	const char *code = NULL;
	struct push_answer push;
	bool is_push = false;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = api_push_answer_read(req, &push, &is_push)) != TF_OK ||
	    (e = req_string(req, "code", !is_push, &code)) != TF_OK)
		return e;
	struct factor_row f;
	if ((e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (f.status == FACTOR_ACTIVE)
		return TF_ERR_ALREADY_VERIFIED;
	return api_challenge_attempt(req, f.enrolment_challenge_id, code, true, false, DOMAIN_API, NULL, is_push ? &push : NULL);
}

bool api_factors_verify_slow_if(struct tf_req *req)
{
	struct factor_row f;
	return req->have_session &&
	       STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f) == TF_OK &&
	       (factor_kind_of(f.type)->flags & FACTOR_KIND_SLOW_CHECK);
}

enum tf_err api_factors_prefer(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	struct factor_row f;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (f.status != FACTOR_ACTIVE)
		return TF_ERR_FACTOR_NOT_ACTIVE;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->factor_set_preferred(req->db, req->app->app_id, req->session.user_id, f.factor_id);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	f.preferred = true;
	resp_json(req, 200, api_factor_json(&f));
	return TF_OK;
}

enum tf_err api_factors_delete(struct tf_req *req)
{
	enum tf_err e;
	struct factor_row f;
	if ((e = STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, req->params[0], &f)) != TF_OK)
		return e;
	if (!req->stepped_up)
		return TF_ERR_STEP_UP_REQUIRED;
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->factor_delete(req->db, req->app->app_id, req->session.user_id, f.factor_id);
	if (e == TF_OK) {
		char actor[64], details[64];
		snprintf(actor, sizeof actor, "user:%s", f.user_id);
		snprintf(details, sizeof details, "{\"type\":\"%s\"}", factor_type_names[f.type]);
		e = req_audit(req, "factor.removed", actor, f.factor_id, details);
	}
	if (e == TF_OK) /* removing a factor revokes every trusted device (SPEC section 5) */
		e = api_devices_revoke_all_of(req, f.user_id, "factor_removed");
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:s}", "factor_id", f.factor_id, "status", "deleted"));
	return TF_OK;
}
