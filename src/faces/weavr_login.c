/*
 * weavr_login.c: Weavr Multi's sign-in (seed-apis.md 3.1): POST /multi/login_with_password
 * {email, password: {value}} answers {token, tokenType, identity, credentials}; the token ends
 * after 5 minutes without activity; wrong credentials answer 403 without a body; five failed
 * sign-ins within 30 minutes lock the account (423) until that window ends. POST /multi/logout
 * ends the token (204; 401 afterwards).
 *
 * The lock is the domain's (sca/weavr.h).
 * A failed value that looks like a token of Weavr's secure UI components (which twofold cannot
 * read: it takes the password itself) is answered 400 saying so, rather than 403.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "faces/weavr.h"
#include "sca/sessions.h"
#include "sca/weavr.h"

#define WEAVR_TOKEN_IDLE_MS (5 * 60 * 1000LL)
/* Weavr lets a user choose at most 30 characters (its password rules) */
#define WEAVR_PASSWORD_MAX_CHARS 30

/* Whether a password that failed looks like a token of Weavr's secure UI components, which
 * Weavr's reference app sends in place of the password: longer than any password Weavr allows,
 * and only the characters of an encoded token. Weavr can read such a token; twofold cannot. */
static bool looks_like_weavr_token(const char *value)
{
	size_t len = strlen(value);
	return len > WEAVR_PASSWORD_MAX_CHARS &&
	       strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_.-") == len;
}

enum tf_err weavr_login_with_password(struct tf_req *req)
{
	static const char *const known[] = {"email", "password", NULL};
	const char *email;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "email", true, &email)) != TF_OK)
		return e;
	json_t *password = json_object_get(req->json, "password");
	if (!password || json_is_null(password))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "password");
	json_t *value = json_object_get(password, "value");
	if (!json_is_object(password) || json_object_size(password) != 1 || !json_is_string(value) ||
	    json_string_length(value) > 100 || strlen(json_string_value(value)) != json_string_length(value)) {
		req->err_extra = json_pack("{s:s}", "fieldError", !json_is_string(value) ? "REQUIRED" : "SIZE");
		return req_field_error(req, TF_ERR_INVALID_FIELD, "password.value");
	}
	/* the lock: counted once, on the first phase (the handler runs again with the hash's outcome) */
	struct sca_ctx ctx = req_sca(req);
	struct sca_weavr_lock lock;
	sca_weavr_lock_of(&ctx, email, &lock);
	if (req->phase == 0) {
		if ((e = sca_weavr_lock_count(&ctx, &lock)) != TF_OK)
			return e;
		req_attempt_counted(req, lock.key, lock.window_start);
	}
	struct user_row u;
	e = req_password_check(req, email, json_string_value(value), &u);
	if (e == TF_OK && req_waiting(req))
		return TF_OK; /* Argon2id on the slow pool; called again with the outcome */
	if (req->err_extra) { /* the native answer's extras (an sso user's login_url) are not Weavr's */
		json_decref(req->err_extra);
		req->err_extra = NULL;
	}
	if (e == TF_ERR_INVALID_CREDENTIALS || e == TF_ERR_SSO_LOGIN_REQUIRED || e == TF_ERR_INVALID_FIELD) {
		req->err_field[0] = '\0';
		if ((e = sca_weavr_lock_failed(&ctx, &lock)) != TF_OK)
			return e;
		if (looks_like_weavr_token(json_string_value(value))) { /* say so, rather than "wrong password" */
			req->err_extra = json_pack("{s:s, s:s}", "message",
						   "password.value looks like a token of Weavr's secure UI components; twofold "
						   "checks the password itself: send the password the user typed (docs/faces.md)",
						   "fieldError", "REGEX");
			return req_field_error(req, TF_ERR_INVALID_FIELD, "password.value");
		}
		return TF_ERR_INVALID_CREDENTIALS;
	}
	if (e != TF_OK)
		return e;
	if ((e = sca_weavr_lock_release(&ctx, &lock)) != TF_OK)
		return e;
	char token[TF_TOKEN_MAX];
	if ((e = sca_session_issue(&ctx, &u, WEAVR_TOKEN_IDLE_MS, "login.succeeded", token, NULL)) != TF_OK)
		return e;
	char id[NUMERIC_ID_MAX];
	weavr_id_out(u.user_id, id);
	resp_json(req, 200, json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}}", "token", token, "tokenType", "AUTH",
				      "identity", "type", "CONSUMER", "id", id, "credentials", "type", "ROOT", "id", id));
	sodium_memzero(token, sizeof token);
	return TF_OK;
}

enum tf_err weavr_logout(struct tf_req *req)
{
	struct sca_ctx ctx;
	int hosted;
	req_sca_ctx(req, &ctx);
	enum tf_err e = sca_session_logout(&ctx, &req->session, &hosted);
	return e != TF_OK ? e : weavr_no_content(req);
}
