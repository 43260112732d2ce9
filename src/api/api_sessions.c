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
#include "sca/sessions.h"
#include "sca/users.h"
#include "core/session.h"
#include "core/validate.h"

enum tf_err api_session_issue(struct tf_req *req, const struct user_row *u, int64_t idle_ms, const char *event,
			      char token[TF_TOKEN_MAX], struct session_row *out)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	return sca_session_issue(&ctx, u, idle_ms, event, token, out);
}

static enum tf_err issue_session(struct tf_req *req, const struct user_row *u, const char *event)
{
	char token[TF_TOKEN_MAX];
	struct session_row s;
	enum tf_err e = api_session_issue(req, u, req->svc->cfg.session_idle_timeout * 1000, event, token, &s);
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

/* A password check across its phases (http.h): phase 0, on an HTTP thread, checks the input's
 * shape and begins the sign-in (sca_login_begin: the attempt counted, the user found); the
 * hash alone runs on the slow pool (sca_login_hash); the next phase, back on an HTTP thread,
 * records the outcome (sca_login_finish). The database work thus stays off the slow pool's
 * low-priority threads, which would otherwise hold the shared writer (and every request
 * batched with it) while they wait for a core. */
static void password_hash(struct tf_req *req)
{
	sca_login_hash(req->slow_state);
}

enum tf_err api_password_check(struct tf_req *req, const char *email_in, const char *password, struct user_row *out)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	if (req->phase > 0 && req->slow_state && req->slow_state_len == sizeof(struct sca_login))
		return sca_login_finish(&ctx, req->slow_state, out);
	char email[256];
	if (!validate_email(email_in, email, sizeof email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	if (strlen(password) > TF_PASSWORD_MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password");

	struct sca_login *st = calloc(1, sizeof *st);
	if (!st)
		return TF_ERR_INTERNAL;
	req->slow_state = st;
	req->slow_state_len = sizeof *st;
	struct sca_login_refusal refusal;
	enum tf_err e = sca_login_begin(&ctx, email, password, st, &refusal);
	if (e == TF_ERR_RATE_LIMITED)
		req_retry_after(req, refusal.retry_at);
	if (e == TF_ERR_SSO_LOGIN_REQUIRED && req->app->sso_login_url[0])
		req->err_extra = json_pack("{s:s}", "login_url", req->app->sso_login_url);
	if (e != TF_OK)
		return e;
	req_attempt_counted(req, st->fail_key, st->fail_window);
	req->slow_fn = password_hash;
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
	if ((e = api_password_check(req, email_in, password, &u)) != TF_OK || req_waiting(req))
		return e;
	return issue_session(req, &u, "login.succeeded");
}

enum tf_err api_sessions_create_for_user(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK)
		return e;
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	struct user_row u;
	if ((e = sca_user_load(&ctx, req->params[0], &u)) != TF_OK)
		return e;
	if (u.type != USER_SSO)
		return TF_ERR_NOT_SSO_USER;
	return issue_session(req, &u, "session.issued");
}

enum tf_err api_sessions_logout(struct tf_req *req)
{
	static const char *const known[] = {NULL};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK)
		return e;
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	int hosted;
	if ((e = sca_session_logout(&ctx, &req->session, &hosted)) != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:i}", "status", "logged_out", "hosted_sessions_ended", hosted));
	return TF_OK;
}
