/*
 * wepay_mfa_challenge.c: WePay v2's MFA challenges and trusted-device cookies (seed-apis.md
 * 1.2 to 1.5): /v2/user/mfa/send_challenge (force_voice), /send_default_challenge, /confirm
 * and /validate_cookie. A pending factor is confirmed through its enrolment challenge; a
 * registered one through a login challenge of this access token (which challenge, and when
 * one is sent: sca/wepay.h; req_challenge_issue and req_challenge_attempt issue and check them,
 * with their expiry, attempt limits, spacing and blocking). confirm
 * answers the trusted device as a whole Set-Cookie string named WSIG whose value is a
 * twofold device cookie of the partner's (API) domain:
 *   keep_session true:  persistent, Max-Age and Expires 30 days;
 *   keep_session false: a session cookie (no Max-Age or Expires), valid 10 minutes at most.
 * Domain comes from cookie_domain; always Secure and HttpOnly; Path=/.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "faces/wepay.h"
#include "sca/devices.h"

/* ---- sending ---- */

/* The face's challenges are issued on the request's session (req_challenge_issue). */
static enum tf_err issue_native(void *arg, const struct factor_row *f, enum challenge_purpose purpose,
				struct challenge_row *out)
{
	return req_challenge_issue(arg, f, purpose, NULL, NULL, out);
}

/* Sends a challenge of x on this access token (sca_wepay_mfa_send) and answers the MFA object. */
static enum tf_err send_challenge(struct tf_req *req, struct wepay_mfa *x, bool force_voice)
{
	struct sca_ctx ctx = req_sca(req);
	const struct sca_wepay_issuer issuer = {issue_native, req};
	enum tf_err e = sca_wepay_mfa_send(&ctx, req->session.session_id, x, force_voice, &issuer);
	if (e == TF_ERR_RETRY_IN_15SEC)
		return wepay_refuse(req, TF_ERR_RATE_LIMITED, "throttle_exceeded", 1007,
				    "a code was sent less than 15 seconds ago; wait before asking for another");
	if (e == TF_ERR_INVALID_REQUEST) /* the native per-token send count */
		return wepay_refuse(req, TF_ERR_RATE_LIMITED, "throttle_exceeded", 1007,
				    "too many codes were sent on this access token");
	if (e != TF_OK)
		return e;
	resp_json(req, 200, wepay_mfa_json(x));
	return TF_OK;
}

enum tf_err wepay_mfa_send_challenge(struct tf_req *req)
{
	static const char *const known[] = {"mfa_id", "force_voice", NULL};
	bool force_voice = false;
	struct user_row u;
	struct wepay_mfa x;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_bool(req, "force_voice", &force_voice)) != TF_OK ||
	    (e = wepay_user_load(req, &u, NULL)) != TF_OK || (e = wepay_mfa_arg(req, u.user_id, &x)) != TF_OK)
		return e;
	const struct factor_kind *kind = factor_kind_of(x.f.type);
	if (force_voice && !(kind->flags & FACTOR_KIND_TO_PHONE))
		return wepay_refuse(req, TF_ERR_INVALID_FIELD, "invalid_request", 1003,
				    "force_voice applies to sms factors only");
	/* a voice factor's code is read aloud already */
	return send_challenge(req, &x, force_voice && !(kind->flags & FACTOR_KIND_SPOKEN));
}

enum tf_err wepay_mfa_send_default_challenge(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	struct user_row u;
	struct wepay_mfa x;
	enum tf_err e;
	if ((e = wepay_caller(req, known, &u, NULL)) != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	e = sca_wepay_mfa_default(&ctx, u.user_id, &x);
	if (e == TF_ERR_NO_FACTOR)
		return wepay_refuse(req, TF_ERR_NO_FACTOR, "invalid_request", 1003, "the user has no default MFA factor");
	return e != TF_OK ? e : send_challenge(req, &x, false);
}

/* ---- confirming ---- */

/* ".example.com", "example.com": letters, digits, hyphens and dots, nothing that could end the
 * attribute */
static bool domain_ok(const char *d)
{
	size_t len = strlen(d);
	if (len == 0 || len > 253 || strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != len)
		return false;
	return strstr(d, "..") == NULL && d[len - 1] != '.';
}

struct confirm_args {
	const char *code;
	bool keep_session;
	const char *cookie_domain;
};

static enum tf_err read_challenge_arg(struct tf_req *req, struct confirm_args *a)
{
	json_t *c = json_object_get(req->json, "challenge");
	memset(a, 0, sizeof *a);
	if (!c || json_is_null(c))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "challenge");
	if (!json_is_object(c))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "challenge");
	const char *k;
	json_t *v;
	json_object_foreach(c, k, v) {
		if (strcmp(k, "code") && strcmp(k, "keep_session") && strcmp(k, "cookie_domain"))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "challenge");
	}
	json_t *code = json_object_get(c, "code"), *keep = json_object_get(c, "keep_session"),
	       *domain = json_object_get(c, "cookie_domain");
	if (!code || json_is_null(code))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "challenge.code");
	if (!json_is_string(code) || strlen(json_string_value(code)) != json_string_length(code))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "challenge.code");
	a->code = json_string_value(code);
	if (keep && !json_is_null(keep) && !json_is_boolean(keep))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "challenge.keep_session");
	a->keep_session = json_is_true(keep);
	if (domain && !json_is_null(domain)) {
		if (!json_is_string(domain) || !domain_ok(json_string_value(domain)))
			return req_field_error(req, TF_ERR_INVALID_FIELD, "challenge.cookie_domain");
		a->cookie_domain = json_string_value(domain);
	}
	return TF_OK;
}

/* The WSIG Set-Cookie string of a device cookie value expiring at expires_at. */
static json_t *wsig(const struct tf_req *req, const char *value, bool persistent, int64_t expires_at,
		    const char *domain)
{
	char age[160] = "", dom[300] = "", out[DEVICE_COOKIE_MAX + 512];
	if (persistent) {
		char date[TF_TIME_TEXT_SIZE];
		timefmt_http(expires_at, date);
		snprintf(age, sizeof age, "; Expires=%s; Max-Age=%lld", date, (long long)((expires_at - req->now) / 1000));
	}
	if (domain)
		snprintf(dom, sizeof dom, "; Domain=%s", domain);
	snprintf(out, sizeof out, WEPAY_COOKIE_NAME "=%s%s; Path=/%s; Secure; HttpOnly", value, dom, age);
	json_t *s = json_string(out);
	sodium_memzero(out, sizeof out);
	return s;
}

/* The challenge confirm checks (sca_wepay_mfa_confirm_challenge). */
static enum tf_err confirm_challenge(struct tf_req *req, struct wepay_mfa *x, char id[TF_ID_MAX])
{
	struct sca_ctx ctx = req_sca(req);
	const struct sca_wepay_issuer issuer = {issue_native, req};
	bool never_sent;
	enum tf_err e = sca_wepay_mfa_confirm_challenge(&ctx, req->session.session_id, x, &issuer, id, &never_sent);
	if (never_sent)
		return wepay_refuse(req, e, "invalid_request", 1003,
				    "no code was sent for mfa_id %lld: call /user/mfa/send_challenge first", (long long)x->m.mfa_id);
	return e;
}

static enum tf_err attempt_failed(struct tf_req *req, enum tf_err e, int64_t mfa_id)
{
	switch (e) {
	case TF_ERR_VERIFICATION_CODE_INVALID: /* WePay's words, which its sample app compares */
		return wepay_refuse(req, e, "invalid_request", 1003, WEPAY_INVALID_CODE);
	case TF_ERR_TOTP_REPLAYED:
		return wepay_refuse(req, e, "invalid_request", 1003, "this code was already used; enter the next one");
	case TF_ERR_NOT_FOUND:
		return wepay_refuse(req, e, "invalid_request", 1003,
				    "no open challenge for mfa_id %lld on this access token: call /user/mfa/send_challenge",
				    (long long)mfa_id);
	case TF_ERR_CHALLENGE_EXPIRED:
	case TF_ERR_CHALLENGE_LIMIT_EXCEEDED:
	case TF_ERR_CHALLENGE_SUPERSEDED:
	case TF_ERR_ALREADY_VERIFIED:
		return wepay_refuse(req, e, "invalid_request", 1003, "%s Send a new challenge.", tf_err_message(e));
	default:
		return e;
	}
}

enum tf_err wepay_mfa_confirm(struct tf_req *req)
{
	static const char *const known[] = {"mfa_id", "challenge", NULL};
	struct confirm_args a;
	struct user_row u;
	struct wepay_mfa x;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = read_challenge_arg(req, &a)) != TF_OK ||
	    (e = wepay_user_load(req, &u, NULL)) != TF_OK || (e = wepay_mfa_arg(req, u.user_id, &x)) != TF_OK)
		return e;
	char challenge_id[TF_ID_MAX];
	bool pending = x.f.status == FACTOR_PENDING;
	if ((e = confirm_challenge(req, &x, challenge_id)) != TF_OK)
		return e;
	/* a right code registers a pending factor (enrolment), or steps this token up (login);
	 * either way this device becomes trusted */
	struct sca_attempt_request rq = {.challenge_id = challenge_id, .code = a.code, .enrolment_only = pending,
					 .trust_device = a.keep_session, .domain = DOMAIN_API};
	struct sca_attempt_result *res = calloc(1, sizeof *res);
	if (!res)
		return TF_ERR_INTERNAL;
	e = req_challenge_attempt(req, &rq, res);
	if (e != TF_OK || req_waiting(req)) {
		free(res);
		return e != TF_OK ? attempt_failed(req, e, x.m.mfa_id) : TF_OK;
	}
	char value[DEVICE_COOKIE_MAX] = "";
	if (pending) { /* enrolment issues no device by itself */
		struct sca_ctx ctx;
		struct device_row d;
		req_sca_ctx(req, &ctx);
		if ((e = sca_tx_begin(&ctx)) == TF_OK)
			e = sca_tx_end(&ctx, sca_device_issue(&ctx, u.user_id, challenge_id, a.keep_session, DOMAIN_API, &d, value));
	} else if (res->has_device) {
		snprintf(value, sizeof value, "%s", res->device_cookie);
	}
	sodium_memzero(res, sizeof *res);
	free(res);
	if (e == TF_OK && !value[0])
		e = TF_ERR_INTERNAL;
	if (e != TF_OK) {
		sodium_memzero(value, sizeof value);
		return e;
	}
	int64_t expires_at = req->now + (a.keep_session ? DEVICE_PERSISTENT_MS : DEVICE_SESSION_MS);
	json_t *cookie = wsig(req, value, a.keep_session, expires_at, a.cookie_domain);
	sodium_memzero(value, sizeof value);
	if ((e = wepay_mfa_get(req, u.user_id, x.m.mfa_id, &x)) != TF_OK) {
		json_decref(cookie);
		return e;
	}
	json_t *o = wepay_mfa_json(&x);
	json_object_set_new(o, "cookie", cookie);
	resp_json(req, 200, o);
	return TF_OK;
}

/* Backup codes are checked with Argon2id: confirming one runs on the slow pool. Read only. */
bool wepay_mfa_confirm_slow_if(struct tf_req *req)
{
	json_t *id = json_object_get(req->json, "mfa_id");
	int64_t mfa_id = json_is_integer(id) ? (int64_t)json_integer_value(id)
			 : json_is_string(id) ? strtoll(json_string_value(id), NULL, 10)
					      : 0;
	if (!req->have_session || mfa_id <= 0)
		return false;
	struct sca_ctx ctx = req_sca(req);
	struct factor_row f;
	return sca_wepay_mfa_factor(&ctx, req->session.user_id, mfa_id, &f) == TF_OK &&
	       (factor_kind_of(f.type)->flags & FACTOR_KIND_SLOW_CHECK);
}

enum tf_err wepay_mfa_validate_cookie(struct tf_req *req)
{
	static const char *const known[] = {"mfa_id", "cookie", NULL};
	const char *cookie = NULL;
	struct user_row u;
	struct wepay_mfa x;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "cookie", false, &cookie)) != TF_OK ||
	    (e = wepay_user_load(req, &u, NULL)) != TF_OK || (e = wepay_mfa_arg(req, u.user_id, &x)) != TF_OK)
		return e;
	/* missing, malformed, altered, expired, revoked, another user's or the hosted pages' cookie:
	 * a challenge is required */
	resp_json(req, 200, json_pack("{s:b}", "challenge_required", !wepay_cookie_trusted(req, u.user_id, cookie)));
	return TF_OK;
}
