/*
 * api_sessions.c: session tokens (SPEC section 2). POST /v1/login checks a standard user's
 * password (Argon2id alone on the slow pool) under per-address and per-user rate limits;
 * POST /v1/users/{id}/sessions gives a token to an sso user the application authenticated
 * itself; POST /v1/logout revokes the token it is called with. A token is 256 random bits,
 * stored only as a MAC; the answer is its only copy.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "sca/sessions.h"
#include "core/session.h"
#include "core/validate.h"

enum tf_err api_session_issue(struct tf_req *req, const struct user_row *u, int64_t idle_ms, const char *event,
			      char token[TF_TOKEN_MAX], struct session_row *out)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	snprintf(ctx.actor, sizeof ctx.actor, "user:%s", u->user_id); /* the user signs in */
	enum tf_err e = STORE(req->db)->tx_begin(req->db);
	if (e != TF_OK)
		return e;
	e = sca_session_mint(&ctx, u, idle_ms, req->svc->cfg.session_max_lifetime * 1000, event, NULL, token, out);
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		sodium_memzero(token, TF_TOKEN_MAX);
	return e;
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

/* Counts one hit on a rate-limit key; answers RATE_LIMITED with Retry-After when over. The
 * window the hit was counted in goes to *window_start (for giving the hit back). */
static enum tf_err rate_hit(struct tf_req *req, const char *key, int64_t limit, int64_t *window_start)
{
	int64_t window_ms = req->svc->cfg.rate_window * 1000;
	struct rate_count n;
	enum tf_err e = STORE(req->db)->counter_hit(req->db, key, req->now, window_ms, &n);
	if (e != TF_OK)
		return e;
	if (window_start)
		*window_start = n.window_start;
	if (n.count > limit) {
		req_retry_after(req, n.window_start + window_ms);
		return TF_ERR_RATE_LIMITED;
	}
	return TF_OK;
}

/* A failed check, already counted against the user's limit before its hash: audited. */
static enum tf_err login_failed(struct tf_req *req, const char *user_id, const char *reason)
{
	enum tf_err e;
	char actor[64], details[128];
	snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
	snprintf(details, sizeof details, "{\"reason\":\"%s\"}", reason);
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = req_audit(req, "login.failed", actor, user_id, details);
	e = store_tx_end(req->db, e);
	return e != TF_OK ? e : TF_ERR_INVALID_CREDENTIALS;
}

/* A password check across its phases (http.h): phase 0, on an HTTP thread, checks the input,
 * counts the attempt and finds the user; Argon2id alone runs on the slow pool (password_hash);
 * the next phase, back on an HTTP thread, records the outcome. The attempt counts against the
 * user's failure limit before its hash and is given back when the password was right, so at
 * most login_failures_per_user guesses per user and window are ever hashed, however many are
 * sent at once. The database work thus stays
 * off the slow pool's low-priority threads, which would otherwise hold the shared writer (and
 * every request batched with it) while they wait for a core. */
struct password_check {
	struct user_row u;
	bool found;
	bool has_password;
	bool ok;
	char fail_key[400];
	int64_t fail_window; /* the window fail_key's attempt was counted in */
	char password[TF_PASSWORD_MAX + 1];
};

/* On the slow pool: as long for an unknown email or a user without a password as for a real
 * check. */
static void password_hash(struct tf_req *req)
{
	struct password_check *pc = req->slow_state;
	if (pc->found && pc->u.password_hash[0]) {
		pc->ok = crypto_password_verify(pc->u.password_hash, pc->password);
	} else {
		crypto_password_dummy_verify(pc->password);
		pc->ok = false;
	}
	sodium_memzero(pc->password, sizeof pc->password);
	sodium_memzero(pc->u.password_hash, sizeof pc->u.password_hash);
}

static enum tf_err password_outcome(struct tf_req *req, struct user_row *out)
{
	struct password_check *pc = req->slow_state;
	if (!pc->found)
		return login_failed(req, "", "unknown_email");
	if (!pc->ok)
		return login_failed(req, pc->u.user_id, pc->has_password ? "wrong_password" : "no_password");
	enum tf_err e = STORE(req->db)->counter_give_back(req->db, pc->fail_key, pc->fail_window);
	if (e != TF_OK)
		return e;
	*out = pc->u;
	return TF_OK;
}

enum tf_err api_password_check(struct tf_req *req, const char *email_in, const char *password, struct user_row *out)
{
	if (req->phase > 0 && req->slow_state && req->slow_state_len == sizeof(struct password_check))
		return password_outcome(req, out);
	enum tf_err e;
	char email[256];
	if (!validate_email(email_in, email, sizeof email))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "email");
	size_t password_len = strlen(password);
	if (password_len > TF_PASSWORD_MAX)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password");

	struct password_check *pc = calloc(1, sizeof *pc);
	if (!pc)
		return TF_ERR_INTERNAL;
	req->slow_state = pc;
	req->slow_state_len = sizeof *pc;
	char ip_key[160];
	snprintf(ip_key, sizeof ip_key, "login_ip:%s:%s", req->app->app_id, req->client_ip);
	snprintf(pc->fail_key, sizeof pc->fail_key, "login_fail:%s:%s", req->app->app_id, email);
	if ((e = rate_hit(req, ip_key, req->svc->cfg.login_attempts_per_address, NULL)) != TF_OK)
		return e;
	if ((e = rate_hit(req, pc->fail_key, req->svc->cfg.login_failures_per_user, &pc->fail_window)) != TF_OK)
		return e;
	req_attempt_counted(req, pc->fail_key, pc->fail_window);

	e = STORE(req->db)->user_get_by_email(req->db, req->app->app_id, email, &pc->u);
	if (e == TF_OK && api_user_expired(req, &pc->u))
		e = TF_ERR_NOT_FOUND;
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	pc->found = e == TF_OK;
	pc->has_password = pc->found && pc->u.password_hash[0];
	if (pc->found && pc->u.type == USER_SSO) { /* refused without a guess: the attempt is given back */
		sodium_memzero(pc->u.password_hash, sizeof pc->u.password_hash);
		if ((e = STORE(req->db)->counter_give_back(req->db, pc->fail_key, pc->fail_window)) != TF_OK)
			return e;
		if (req->app->sso_login_url[0])
			req->err_extra = json_pack("{s:s}", "login_url", req->app->sso_login_url);
		return TF_ERR_SSO_LOGIN_REQUIRED;
	}
	memcpy(pc->password, password, password_len + 1);
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
	struct user_row u;
	if ((e = api_load_user(req, req->params[0], &u)) != TF_OK)
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
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		return e;
	e = STORE(req->db)->session_revoke(req->db, req->app->app_id, req->session.session_id, req->now);
	int hosted = 0; /* the application's session ended: so do the user's hosted-page sessions (seed 001) */
	if (e == TF_OK)
		e = STORE(req->db)->hosted_sessions_revoke(req->db, req->app->app_id, req->session.user_id, req->now, &hosted);
	if (e == TF_OK) {
		char actor[64], details[128];
		snprintf(actor, sizeof actor, "user:%s", req->session.user_id);
		snprintf(details, sizeof details, "{\"session_id\":\"%s\",\"reason\":\"logout\",\"hosted_sessions\":%d}",
			 req->session.session_id, hosted);
		e = req_audit(req, "session.revoked", actor, req->session.user_id, details);
	}
	e = store_tx_end(req->db, e);
	if (e != TF_OK)
		return e;
	resp_json(req, 200, json_pack("{s:s, s:i}", "status", "logged_out", "hosted_sessions_ended", hosted));
	return TF_OK;
}
