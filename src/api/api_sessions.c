/*
 * api_sessions.c: session tokens (SPEC section 2). POST /v1/login checks a standard user's
 * password (Argon2id alone on the slow pool) under per-address and per-user rate limits;
 * POST /v1/users/{id}/sessions gives a token to an sso user the application authenticated
 * itself; POST /v1/logout revokes the token it is called with. A token is 256 random bits,
 * stored only as a MAC; the answer is its only copy. The rules are the domain's
 * (sca/sessions.h); this file reads the request, runs the sign-in's phases and answers.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "http/webauthn_json.h"
#include "sca/passkey_login.h"
#include "sca/sessions.h"
#include "core/session.h"
#include "core/validate.h"

static enum tf_err issue_session(struct tf_req *req, const struct user_row *u, const char *event)
{
	char token[TF_TOKEN_MAX];
	struct session_row s;
	struct sca_ctx ctx = req_sca(req);
	enum tf_err e = sca_session_issue(&ctx, u, req->svc->cfg.session_idle_timeout * 1000, event, token, &s);
	if (e != TF_OK)
		return e;
	struct session_times t = {.last_seen_at = s.last_seen_at, .idle_timeout_ms = s.idle_timeout_ms,
				  .absolute_expires_at = s.absolute_expires_at};
	json_t *o = json_pack("{s:s, s:s, s:s}", "token", token, "user_id", u->user_id, "session_id", s.session_id);
	resp_set_time(o, "expires_at", session_expires_at(&t));
	json_object_set_new(o, "idle_timeout_seconds", json_integer(req->svc->cfg.session_idle_timeout));
	resp_json(req, 201, o);
	sodium_memzero(token, sizeof token);
	return TF_OK;
}

enum tf_err api_sessions_login(struct tf_req *req)
{
	static const char *const known[] = {"email", "password", NULL};
	const char *email_in, *password;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK ||
	    (e = req_string(req, "email", true, &email_in)) != TF_OK ||
	    (e = req_string(req, "password", true, &password)) != TF_OK)
		return e;
	struct user_row u;
	if ((e = req_password_check(req, email_in, password, &u)) != TF_OK || req_waiting(req))
		return e;
	return issue_session(req, &u, "login.succeeded");
}

enum tf_err api_login_passkey_options(struct tf_req *req)
{
	enum tf_err e;
	struct sca_passkey_options o;
	struct sca_ctx ctx = req_sca(req);
	if ((e = req_no_fields(req)) != TF_OK || (e = sca_passkey_login_options(&ctx, false, &o, NULL)) != TF_OK)
		return e;
	resp_json(req, 201, login_options_json(req->app, o.challenge_id, o.challenge));
	return TF_OK;
}

enum tf_err api_login_passkey(struct tf_req *req)
{
	static const char *const known[] = {"challenge_id", "credential", NULL};
	const char *challenge_id;
	bool present = false;
	struct credential_json cred = {0};
	struct sca_passkey_login_result res;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) == TF_OK && (e = req_string(req, "challenge_id", true, &challenge_id)) == TF_OK &&
	    (e = req_credential_read(req, false, &cred, &present)) == TF_OK && !present)
		e = req_field_error(req, TF_ERR_MISSING_FIELD, "credential");
	if (e == TF_OK) {
		struct sca_ctx ctx = req_sca(req);
		e = sca_passkey_login(&ctx, challenge_id, &cred.r, req->svc->cfg.session_idle_timeout * 1000, &res);
	}
	credential_json_free(&cred);
	if (e == TF_ERR_RATE_LIMITED)
		req_retry_after(req, res.retry_after);
	if (e == TF_ERR_CREDENTIAL_INVALID)
		req->err_extra = json_pack("{s:s}", "reason", res.reason);
	if (e != TF_OK)
		return e;
	struct session_times t = {.last_seen_at = res.session.last_seen_at, .idle_timeout_ms = res.session.idle_timeout_ms,
				  .absolute_expires_at = res.session.absolute_expires_at};
	json_t *o = json_pack("{s:s, s:s, s:s}", "token", res.token, "user_id", res.user.user_id, "session_id",
			      res.session.session_id);
	resp_set_time(o, "expires_at", session_expires_at(&t));
	json_object_set_new(o, "idle_timeout_seconds", json_integer(req->svc->cfg.session_idle_timeout));
	if (res.stepped_up)
		resp_set_time(o, "stepped_up_until", res.stepped_up_until);
	else
		json_object_set_new(o, "stepped_up_until", json_null());
	resp_json(req, 201, o);
	sodium_memzero(res.token, sizeof res.token);
	return TF_OK;
}

enum tf_err api_sessions_create_for_user(struct tf_req *req)
{
	struct user_row u;
	enum tf_err e;
	if ((e = req_no_fields(req)) != TF_OK || (e = api_load_user(req, req->params[0], &u)) != TF_OK)
		return e;
	if (u.type != USER_SSO)
		return TF_ERR_NOT_SSO_USER;
	return issue_session(req, &u, "session.issued");
}

enum tf_err api_sessions_logout(struct tf_req *req)
{
	enum tf_err e = req_no_fields(req);
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	int hosted;
	if ((e = sca_session_logout(&ctx, &req->session, &hosted)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:i}", "status", "logged_out", "hosted_sessions_ended", hosted));
	return TF_OK;
}
