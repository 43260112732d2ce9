/*
 * wepay_common.c: what the WePay v2 face's handlers share (see wepay.h): the access token's
 * user and its WePay row, WePay's arguments and error refinements, the MFA object, and reading
 * the WSIG cookie. Rules stay in the domain (sca/wepay.c and the other sca/ modules): this file only
 * translates names and shapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faces/wepay.h"
#include "sca/devices.h"
#include "sca/users.h"

enum tf_err wepay_refuse(struct tf_req *req, enum tf_err e, const char *category, int code, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	json_decref(req->err_extra);
	req->err_extra = json_pack("{s:s}", "error_description", text);
	if (category)
		json_object_set_new(req->err_extra, "error", json_string(category));
	if (code)
		json_object_set_new(req->err_extra, "error_code", json_integer(code));
	return e;
}

enum tf_err wepay_long(struct tf_req *req, const char *field, bool required, int64_t *out, bool *present)
{
	json_t *v = json_object_get(req->json, field);
	*present = v && !json_is_null(v);
	if (!*present)
		return required ? req_field_error(req, TF_ERR_MISSING_FIELD, field) : TF_OK;
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v);
		return *out > 0 ? TF_OK : req_field_error(req, TF_ERR_INVALID_FIELD, field);
	}
	const char *s = json_string_value(v);
	if (!s || !*s || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return req_field_error(req, TF_ERR_INVALID_FIELD, field);
	*out = strtoll(s, NULL, 10);
	return *out > 0 ? TF_OK : req_field_error(req, TF_ERR_INVALID_FIELD, field);
}

/* ---- users ---- */

enum tf_err wepay_user_load(struct tf_req *req, struct user_row *u, struct wepay_user_row *w)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_user_load(&ctx, req->session.user_id, u);
	if (e == TF_ERR_NOT_FOUND) /* an unconfirmed user past its 90 days is gone, and its token with it */
		return TF_ERR_INVALID_TOKEN;
	if (e != TF_OK || !w)
		return e;
	return sca_wepay_user_adopt(&ctx, u, w);
}

enum tf_err wepay_caller(struct tf_req *req, const char *const *known, struct user_row *u, struct wepay_user_row *w)
{
	enum tf_err e = req_reject_unknown(req, known);
	return e != TF_OK ? e : wepay_user_load(req, u, w);
}

json_t *wepay_user_json(const struct user_row *u, const struct wepay_user_row *w)
{
	char full[1040];
	snprintf(full, sizeof full, "%s%s%s", w->first_name, w->first_name[0] && w->last_name[0] ? " " : "", w->last_name);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "user_id", (json_int_t)w->wepay_user_id, "user_name", full,
			 "first_name", w->first_name, "last_name", w->last_name, "email", u->email, "state",
			 u->email_verified_at ? "registered" : "pending");
}

/* ---- factors ---- */

enum tf_err wepay_mfa_get(struct tf_req *req, const char *user_id, int64_t mfa_id, struct wepay_mfa *out)
{
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_wepay_mfa_get(&ctx, user_id, mfa_id, NULL, out);
	if (e == TF_ERR_NOT_FOUND)
		return wepay_refuse(req, e, "invalid_request", 1003, "mfa_id %lld does not exist", (long long)mfa_id);
	return e;
}

enum tf_err wepay_mfa_arg(struct tf_req *req, const char *user_id, struct wepay_mfa *out)
{
	int64_t mfa_id = 0;
	bool present;
	enum tf_err e = wepay_long(req, "mfa_id", true, &mfa_id, &present);
	return e != TF_OK ? e : wepay_mfa_get(req, user_id, mfa_id, out);
}

json_t *wepay_mfa_json(const struct wepay_mfa *x)
{
	char label[64];
	sca_wepay_factor_label(&x->f, label, sizeof label);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "mfa_id", (json_int_t)x->m.mfa_id, "state",
			 x->f.status == FACTOR_ACTIVE ? "registered" : "pending", "type", sca_wepay_type_name(x->f.type),
			 "nickname", x->m.nickname, "factor_label", label, "default", sca_wepay_is_default(&x->f));
}

bool wepay_has_mfa(const struct wepay_mfa *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].f.status == FACTOR_ACTIVE)
			return true;
	return false;
}

/* ---- the WSIG cookie ---- */

bool wepay_cookie_value(const char *in, char *out, size_t size)
{
	while (*in == ' ')
		in++;
	size_t name_len = strlen(WEPAY_COOKIE_NAME);
	if (strncmp(in, WEPAY_COOKIE_NAME "=", name_len + 1) == 0)
		in += name_len + 1;
	size_t len = strcspn(in, "; ");
	if (len == 0 || len >= size)
		return false;
	memcpy(out, in, len);
	out[len] = '\0';
	return true;
}

bool wepay_cookie_trusted(struct tf_req *req, const char *user_id, const char *cookie)
{
	char value[DEVICE_COOKIE_MAX];
	struct device_claims claims;
	struct sca_ctx ctx = req_sca(req);
	return cookie && wepay_cookie_value(cookie, value, sizeof value) &&
	       sca_device_check(&ctx, user_id, value, DOMAIN_API, &claims) == NULL;
}
