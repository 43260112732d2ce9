/* password_check.c: a password sign-in's phases for the adapters that offer one (/v1/login,
 * the hosted sign-in page, Weavr's login_with_password), over the domain's sign-in
 * (sca/sessions.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/validate.h"
#include "http/http.h"
#include "sca/sessions.h"

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

enum tf_err req_password_check(struct tf_req *req, const char *email_in, const char *password, struct user_row *out)
{
	struct sca_ctx ctx = req_sca(req);
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

