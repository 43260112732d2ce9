/*
 * wepay_mfa_challenge.c: WePay v2's MFA challenges and trusted-device cookies (seed-apis.md
 * 1.2 to 1.5): /v2/user/mfa/send_challenge (force_voice), /send_default_challenge, /confirm
 * and /validate_cookie. A pending factor is confirmed through its enrolment challenge; a
 * registered one through a login challenge of this access token (native api_challenge_new and
 * api_challenge_attempt, with their expiry, attempt limits, spacing and blocking). confirm
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

#include "core/challenge.h"
#include "core/timefmt.h"
#include "faces/wepay.h"

/* ---- sending ---- */

/* A challenge of x->f on this access token; for a pending factor a new enrolment challenge,
 * unless the one create (or an earlier send) made is still open and its code went out less
 * than 15 seconds ago: that code is the one to enter, and nothing is sent twice. force_voice
 * reads an sms factor's code in a voice call. */
static enum tf_err send_challenge(struct tf_req *req, struct wepay_mfa *x, bool force_voice)
{
	struct factor_row f = x->f;
	struct challenge_row old, ch;
	memset(&old, 0, sizeof old);
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	e = STORE(req->db)->factor_get(req->db, req->app->app_id, x->f.user_id, x->f.factor_id, &f);
	if (e == TF_OK)
		e = factor_check_open(&(struct factor_state){f.consecutive_failures, f.blocked_until}, req->now);
	bool sends = factor_kind_of(f.type)->flags & FACTOR_KIND_SENDS_CODE;
	struct factor_row via = f; /* the kind the code goes by: WePay's force_voice calls the phone */
	if (force_voice)
		via.type = FACTOR_VOICE;
	if (e == TF_OK && f.status == FACTOR_PENDING) {
		bool have_old = f.enrolment_challenge_id[0] &&
				STORE(req->db)->challenge_get(req->db, req->app->app_id, f.user_id, f.enrolment_challenge_id,
							      &old) == TF_OK &&
				strcmp(old.session_id, req->session.session_id) == 0;
		bool open = have_old && old.status == CH_PENDING && req->now < old.expires_at;
		bool recent = have_old && sends && req->now - old.last_sent_at < RESEND_SPACING_MS;
		if (open && (!sends || (recent && !force_voice))) {
			/* nothing to send: the open challenge stands */
		} else { /* the native rules space the sends (RETRY_IN_15SEC within 15 seconds) */
			e = api_challenge_new(req, &via, PURPOSE_ENROLMENT, NULL, &ch);
			if (e == TF_OK) {
				snprintf(f.enrolment_challenge_id, sizeof f.enrolment_challenge_id, "%s", ch.challenge_id);
				e = STORE(req->db)->factor_update(req->db, &f);
			}
		}
	} else if (e == TF_OK) {
		e = api_challenge_new(req, &via, PURPOSE_LOGIN, NULL, &ch);
		if (e == TF_OK) {
			snprintf(x->m.last_challenge_id, sizeof x->m.last_challenge_id, "%s", ch.challenge_id);
			e = STORE(req->db)->wepay_mfa_put(req->db, &x->m);
		}
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK) {
		if (e == TF_ERR_RETRY_IN_15SEC)
			return wepay_refuse(req, TF_ERR_RATE_LIMITED, "throttle_exceeded", 1007,
					    "a code was sent less than 15 seconds ago; wait before asking for another");
		if (e == TF_ERR_INVALID_REQUEST) /* the native per-token send count */
			return wepay_refuse(req, TF_ERR_RATE_LIMITED, "throttle_exceeded", 1007,
					    "too many codes were sent on this access token");
		return e;
	}
	x->f = f;
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
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = wepay_user_load(req, &u, NULL)) != TF_OK)
		return e;
	struct wepay_mfa *all = calloc(FACTORS_PER_USER_MAX, sizeof *all), x;
	size_t n = 0;
	if (!all)
		return TF_ERR_INTERNAL;
	e = wepay_mfa_all(req, u.user_id, all, FACTORS_PER_USER_MAX, &n);
	bool found = false;
	for (size_t i = 0; e == TF_OK && i < n && !found; i++)
		if (all[i].f.preferred && !(factor_kind_of(all[i].f.type)->flags & FACTOR_KIND_FALLBACK)) {
			x = all[i];
			found = true;
		}
	free(all);
	if (e != TF_OK)
		return e;
	if (!found)
		return wepay_refuse(req, TF_ERR_NO_FACTOR, "invalid_request", 1003, "the user has no default MFA factor");
	return send_challenge(req, &x, false);
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

/* The challenge confirm checks: a pending factor's enrolment challenge, a registered one's
 * last login challenge send_challenge started on this token. Authenticator and backup factors
 * need nothing sent first: when that challenge is not open on this token (none yet, another
 * token's, expired, used) confirm starts one here; one locked by wrong codes stays locked
 * until send_challenge (the factor's own block still counts failures across challenges). For
 * sms and voice the code must have been sent: the challenge answers why it is closed. */
static enum tf_err confirm_challenge(struct tf_req *req, struct wepay_mfa *x, char id[TF_ID_MAX])
{
	bool pending = x->f.status == FACTOR_PENDING;
	const char *last = pending ? x->f.enrolment_challenge_id : x->m.last_challenge_id;
	struct challenge_row ch;
	bool mine = last[0] && STORE(req->db)->challenge_get(req->db, req->app->app_id, x->f.user_id, last, &ch) == TF_OK &&
		    strcmp(ch.session_id, req->session.session_id) == 0;
	bool open = mine && ch.status == CH_PENDING && req->now < ch.expires_at;
	bool locked = mine && ch.status == CH_LOCKED;
	if (open || locked || (factor_kind_of(x->f.type)->flags & FACTOR_KIND_SENDS_CODE)) {
		if (!last[0])
			return wepay_refuse(req, TF_ERR_NOT_FOUND, "invalid_request", 1003,
					    "no code was sent for mfa_id %lld: call /user/mfa/send_challenge first",
					    (long long)x->m.mfa_id);
		snprintf(id, TF_ID_MAX, "%s", last);
		return TF_OK;
	}
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	e = factor_check_open(&(struct factor_state){x->f.consecutive_failures, x->f.blocked_until}, req->now);
	if (e == TF_OK)
		e = api_challenge_new(req, &x->f, pending ? PURPOSE_ENROLMENT : PURPOSE_LOGIN, NULL, &ch);
	if (e == TF_OK && pending) {
		snprintf(x->f.enrolment_challenge_id, sizeof x->f.enrolment_challenge_id, "%s", ch.challenge_id);
		e = STORE(req->db)->factor_update(req->db, &x->f);
	} else if (e == TF_OK) {
		snprintf(x->m.last_challenge_id, sizeof x->m.last_challenge_id, "%s", ch.challenge_id);
		e = STORE(req->db)->wepay_mfa_put(req->db, &x->m);
	}
	if ((e = store_tx_end(req->db, e)) == TF_OK)
		snprintf(id, TF_ID_MAX, "%s", ch.challenge_id);
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
	json_t *device = NULL;
	char challenge_id[TF_ID_MAX];
	bool pending = x.f.status == FACTOR_PENDING;
	if ((e = confirm_challenge(req, &x, challenge_id)) != TF_OK)
		return e;
	/* a right code registers a pending factor (enrolment), or steps this token up (login);
	 * either way this device becomes trusted */
	e = api_challenge_attempt(req, challenge_id, a.code, pending, a.keep_session, DOMAIN_API, NULL, NULL);
	if (e != TF_OK)
		return attempt_failed(req, e, x.m.mfa_id);
	if (pending) { /* enrolment issues no device by itself */
		if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
			return e;
		e = api_device_issue(req, u.user_id, challenge_id, a.keep_session, DOMAIN_API, &device);
		if ((e = store_tx_end(req->db, e)) != TF_OK) {
			json_decref(device);
			return e;
		}
	} else {
		device = json_incref(json_object_get(req->resp, "device"));
	}
	const char *value = json_string_value(json_object_get(device, "cookie"));
	if (!value) {
		json_decref(device);
		return TF_ERR_INTERNAL;
	}
	int64_t expires_at = req->now + (a.keep_session ? DEVICE_PERSISTENT_MS : DEVICE_SESSION_MS);
	json_t *cookie = wsig(req, value, a.keep_session, expires_at, a.cookie_domain);
	json_decref(device);
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
	struct wepay_mfa_row *rows = calloc(FACTORS_PER_USER_MAX, sizeof *rows);
	size_t n = 0;
	bool slow = false;
	if (rows && STORE(req->db)->wepay_mfa_list(req->db, req->app->app_id, req->session.user_id, rows,
						   FACTORS_PER_USER_MAX, &n) == TF_OK)
		for (size_t i = 0; i < n; i++) {
			struct factor_row f;
			if (rows[i].mfa_id == mfa_id &&
			    STORE(req->db)->factor_get(req->db, req->app->app_id, req->session.user_id, rows[i].factor_id, &f) == TF_OK)
				slow = factor_kind_of(f.type)->flags & FACTOR_KIND_SLOW_CHECK;
		}
	free(rows);
	return slow;
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
