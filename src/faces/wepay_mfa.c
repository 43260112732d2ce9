/*
 * wepay_mfa.c: WePay v2's MFA factors (seed-apis.md section 1): /v2/user/mfa/create, /find,
 * /modify (make the default) and /reset. A WePay factor is a native factor (sms, voice, totp
 * as "authenticator", backup_codes as "backup") with a row beside it holding its long mfa_id
 * and nickname. Once the user has MFA (a registered factor), create needs a valid
 * trusted-device cookie of the partner's domain; that device stands for the native step-up
 * (SPEC 6). modify makes a registered factor other than backup the default. The default and
 * reset rules are the domain's (sca/wepay.h).
 * Sending and confirming challenges are in wepay_mfa_challenge.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "faces/wepay.h"
#include "qr/qr.h"

#define NICKNAME_MAX 255
#define QR_SCALE_1X 4 /* pixels per module: about 200 pixels for an otpauth URI */

/* WePay's phone numbers: E.164 ("+14155550100"), or the ten digits of a North American
 * number ("5055551234", the vendor's own example), punctuation allowed. */
static bool normalise_phone(const char *in, char out[20])
{
	char digits[16]; /* E.164 has at most 15 */
	size_t n = 0;
	bool plus = false;
	for (const char *p = in; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n + 1 >= sizeof digits)
				return false;
			digits[n++] = *p;
		} else if (*p == '+' && p == in) {
			plus = true;
		} else if (!strchr(" -.()", *p)) {
			return false;
		}
	}
	digits[n] = '\0';
	if (!plus && n == 10)
		snprintf(out, 20, "+1%s", digits);
	else if (!plus && n == 11 && digits[0] == '1')
		snprintf(out, 20, "+%s", digits);
	else if (plus)
		snprintf(out, 20, "+%s", digits);
	else
		return false;
	return validate_phone_e164(out);
}

bool wepay_mfa_create_slow_if(struct tf_req *req)
{
	json_t *t = json_object_get(req->json, "type");
	const struct factor_kind *kind = json_is_string(t) ? sca_wepay_kind_named(json_string_value(t)) : NULL;
	return kind && (kind->flags & FACTOR_KIND_SLOW_ENROL); /* a backup sheet: Argon2id */
}

/* setup_data: {phone_number}, for the kinds that take a phone (sms and voice) only */
static enum tf_err setup_phone(struct tf_req *req, const struct factor_kind *kind, char phone[20])
{
	json_t *sd = json_object_get(req->json, "setup_data");
	bool phone_type = kind->fields & FACTOR_FIELD_PHONE;
	if (!sd || json_is_null(sd))
		return phone_type ? req_field_error(req, TF_ERR_MISSING_FIELD, "setup_data.phone_number") : TF_OK;
	if (!json_is_object(sd) || !phone_type)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "setup_data");
	const char *k;
	json_t *v;
	json_object_foreach(sd, k, v) {
		if (strcmp(k, "phone_number") != 0)
			return req_field_error(req, TF_ERR_INVALID_FIELD, "setup_data");
	}
	json_t *pn = json_object_get(sd, "phone_number");
	if (!pn || json_is_null(pn))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "setup_data.phone_number");
	if (!json_is_string(pn) || !normalise_phone(json_string_value(pn), phone)) {
		req_field_error(req, TF_ERR_INVALID_FIELD, "setup_data.phone_number");
		return wepay_refuse(req, TF_ERR_INVALID_FIELD, "invalid_request", 1003, WEPAY_INVALID_PHONE);
	}
	return TF_OK;
}

static json_t *qr_png_url(const char *uri, int scale)
{
	char *url;
	if (qr_png_base64(uri, scale, "data:image/png;base64,", &url) != TF_OK)
		return NULL;
	json_t *s = json_string(url);
	free(url);
	return s;
}

/* What create answers beside the MFA object (shown once), keyed by the factor's type as
 * WePay's clients read it (docs/faces.md): {"sms"|"voice": the masked number the code goes to},
 * {"backup": [the codes]}, {"authenticator": qr, "qr": qr} where qr is the QR code at 1x and
 * 2x and as SVG (data: URLs, usable as an img src as WePay's image URLs were) with the shared
 * secret; the .NET SDK reads "authenticator", WePay's sample app "qr". */
static json_t *challenge_data(const struct wepay_mfa *x, const struct factor_enrolment *en)
{
	if (en->n_backup_codes) {
		json_t *codes = json_array();
		for (int i = 0; i < en->n_backup_codes; i++)
			json_array_append_new(codes, json_string(en->backup_codes[i]));
		return json_pack("{s:o}", "backup", codes);
	}
	if (!en->totp_secret[0]) { /* a code sent to a phone */
		char label[64];
		sca_wepay_factor_label(&x->f, label, sizeof label);
		return json_pack("{s:s}", sca_wepay_type_name(x->f.type), label);
	}
	char *svg;
	if (qr_svg(en->otpauth_uri, &svg) != TF_OK)
		return NULL;
	char *svg_url = qr_base64("data:image/svg+xml;base64,", (const uint8_t *)svg, strlen(svg));
	free(svg);
	json_t *qr = json_pack("{s:o?, s:o?, s:s?, s:s}", "@1x", qr_png_url(en->otpauth_uri, QR_SCALE_1X), "@2x",
			       qr_png_url(en->otpauth_uri, 2 * QR_SCALE_1X), "svg", svg_url, "shared_secret",
			       en->totp_secret);
	free(svg_url);
	return qr ? json_pack("{s:o, s:O}", "authenticator", qr, "qr", qr) : NULL;
}

/* The user's factors of WePay's types, each with its WePay row: *all (free it) and *n. */
static enum tf_err load_all(const struct sca_ctx *ctx, const char *user_id, struct wepay_mfa **all, size_t *n)
{
	*n = 0;
	if (!(*all = calloc(FACTORS_PER_USER_MAX, sizeof **all)))
		return TF_ERR_INTERNAL;
	return sca_wepay_mfa_all(ctx, user_id, *all, FACTORS_PER_USER_MAX, n);
}

enum tf_err wepay_mfa_create(struct tf_req *req)
{
	static const char *const known[] = {"type", "nickname", "setup_data", "cookie", NULL};
	const char *type_in, *nickname = NULL, *cookie = NULL;
	const struct factor_kind *kind;
	char phone[20] = "";
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "type", true, &type_in)) != TF_OK ||
	    (e = req_string(req, "nickname", false, &nickname)) != TF_OK ||
	    (e = req_string(req, "cookie", false, &cookie)) != TF_OK)
		return e;
	if (!(kind = sca_wepay_kind_named(type_in)))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "type");
	if ((e = setup_phone(req, kind, phone)) != TF_OK)
		return e;
	if (nickname && !*nickname) /* a blank form field: WePay names the factor itself */
		nickname = NULL;
	if (nickname && !validate_display_text(nickname, NICKNAME_MAX))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "nickname");
	struct user_row u;
	if ((e = wepay_user_load(req, &u, NULL)) != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);

	/* adding a factor to a user who has MFA is a sensitive operation: a trusted device of the
	 * partner's domain (any valid one, 30-day or session) allows it, as a step-up would */
	struct wepay_mfa *all;
	size_t n;
	e = load_all(&ctx, u.user_id, &all, &n);
	bool has_mfa = e == TF_OK && wepay_has_mfa(all, n);
	free(all);
	if (e != TF_OK)
		return e;
	if (has_mfa && !cookie)
		return wepay_refuse(req, TF_ERR_PERMISSION_DENIED, "access_denied", 1004,
				    "the user already has MFA: cookie, a trusted-device cookie from /user/mfa/confirm, is required");
	if (has_mfa && !wepay_cookie_trusted(req, u.user_id, cookie))
		return wepay_refuse(req, TF_ERR_PERMISSION_DENIED, "access_denied", 1003,
				    "the cookie is not a valid trusted-device cookie of this user");

	/* only with the trusted device checked above does it stand for the step-up */
	struct factor_input in = {.phone = phone[0] ? phone : NULL};
	struct factor_enrolment *en = calloc(1, sizeof *en);
	if (!en)
		return TF_ERR_INTERNAL;
	struct sca_enrolment_result out;
	e = req_factor_enrol(req, kind, &in, has_mfa, en, &out);
	if (e == TF_ERR_STEP_UP_REQUIRED) /* the user's first factor became active meanwhile */
		e = wepay_refuse(req, TF_ERR_PERMISSION_DENIED, "access_denied", 1004,
				 "the user already has MFA: cookie, a trusted-device cookie from /user/mfa/confirm, is required");
	struct wepay_mfa x;
	if (e == TF_OK)
		e = sca_wepay_mfa_adopt(&ctx, u.user_id, out.f.factor_id, nickname, &x);
	if (e == TF_OK) {
		json_t *o = wepay_mfa_json(&x);
		json_t *data = challenge_data(&x, en);
		if (!data)
			e = TF_ERR_INTERNAL;
		json_object_set_new(o, "challenge_data", data);
		if (e == TF_OK)
			resp_json(req, 200, o);
		else
			json_decref(o);
	}
	factor_enrolment_wipe(en);
	free(en);
	return e;
}

static enum tf_err answer_list(struct tf_req *req, const char *user_id)
{
	struct sca_ctx ctx = req_sca(req);
	struct wepay_mfa *all;
	size_t n;
	enum tf_err e = load_all(&ctx, user_id, &all, &n);
	if (e == TF_OK) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, wepay_mfa_json(&all[i]));
		resp_json(req, 200, json_pack("{s:o}", "mfa", arr));
	}
	free(all);
	return e;
}

enum tf_err wepay_mfa_find(struct tf_req *req)
{
	/* some WePay SDKs send a challenge argument with find; it means nothing here */
	static const char *const known[] = {"challenge", NULL};
	struct user_row u;
	enum tf_err e = wepay_caller(req, known, &u, NULL);
	return e != TF_OK ? e : answer_list(req, u.user_id);
}

enum tf_err wepay_mfa_modify(struct tf_req *req)
{
	static const char *const known[] = {"mfa_id", NULL};
	struct user_row u;
	struct wepay_mfa x;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = wepay_user_load(req, &u, NULL)) != TF_OK ||
	    (e = wepay_mfa_arg(req, u.user_id, &x)) != TF_OK)
		return e;
	if (factor_kind_of(x.f.type)->flags & FACTOR_KIND_FALLBACK)
		return wepay_refuse(req, TF_ERR_INVALID_FIELD, "invalid_request", 1003, "a backup factor cannot be the default");
	struct sca_ctx ctx;
	struct factor_row preferred;
	req_sca_ctx(req, &ctx);
	e = sca_factor_prefer(&ctx, req->session.user_id, x.f.factor_id, &preferred);
	if (e == TF_ERR_FACTOR_NOT_ACTIVE)
		return wepay_refuse(req, e, "invalid_request", 1003,
				    "mfa_id %lld is pending: confirm it before making it the default", (long long)x.m.mfa_id);
	if (e != TF_OK || (e = sca_wepay_mfa_get(&ctx, u.user_id, 0, x.f.factor_id, &x)) != TF_OK)
		return e;
	resp_json(req, 200, wepay_mfa_json(&x));
	return TF_OK;
}

enum tf_err wepay_mfa_reset(struct tf_req *req)
{
	static const char *const known[] = {"mfa_id", NULL};
	int64_t mfa_id = 0;
	bool named = false;
	struct user_row u;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = wepay_long(req, "mfa_id", false, &mfa_id, &named)) != TF_OK ||
	    (e = wepay_user_load(req, &u, NULL)) != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	e = sca_wepay_mfa_reset(&ctx, u.user_id, named, mfa_id);
	if (e == TF_ERR_INVALID_FIELD)
		return wepay_refuse(req, e, "invalid_request", 1003,
				    "mfa_id %lld is registered: only pending factors are reset; the user removes "
				    "a registered factor on the account pages", (long long)mfa_id);
	if (e == TF_ERR_NOT_FOUND)
		return wepay_refuse(req, e, "invalid_request", 1003, "mfa_id %lld does not exist", (long long)mfa_id);
	return e != TF_OK ? e : answer_list(req, u.user_id);
}
