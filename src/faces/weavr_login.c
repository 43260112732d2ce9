/*
 * weavr_login.c: Weavr Multi's sign-in (seed-apis.md 3.1): POST /multi/login_with_password
 * {email, password: {value}} answers {token, tokenType, identity, credentials}; the token ends
 * after 5 minutes without activity; wrong credentials answer 403 without a body; five failed
 * sign-ins within 30 minutes lock the account (423) until that window ends. POST /multi/logout
 * ends the token (204; 401 afterwards).
 *
 * The lock counts per application and normalised email (the letter case of an address does not
 * make another account), and counts each sign-in before its password is hashed, giving the
 * attempt back when it succeeds: however many are sent at once, at most five are hashed.
 * A failed value that looks like a token of Weavr's secure UI components (which twofold cannot
 * read: it takes the password itself) is answered 400 saying so, rather than 403.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/validate.h"
#include "faces/weavr.h"

#define WEAVR_TOKEN_IDLE_MS (5 * 60 * 1000LL)
#define WEAVR_LOCK_WINDOW_MS (30 * 60 * 1000LL)
#define WEAVR_LOCK_FAILURES 5
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
	/* the lock: attempts counted per application and email in a 30-minute window, once, on the
	 * first phase (the handler runs again with the hash's outcome) */
	char lock_key[400], normalised[256];
	snprintf(lock_key, sizeof lock_key, "weavr_lock:%s:%s", req->app->app_id,
		 validate_email(email, normalised, sizeof normalised) ? normalised : email);
	struct rate_count attempts = {0};
	if (req->phase == 0) {
		if ((e = STORE(req->db)->counter_hit(req->db, lock_key, req->now, WEAVR_LOCK_WINDOW_MS, &attempts)) != TF_OK)
			return e;
		if (attempts.count > WEAVR_LOCK_FAILURES)
			return TF_ERR_LOGIN_LOCKED;
		req_attempt_counted(req, lock_key, attempts.window_start);
	}
	struct user_row u;
	e = api_password_check(req, email, json_string_value(value), &u);
	if (e == TF_OK && req_waiting(req))
		return TF_OK; /* Argon2id on the slow pool; called again with the outcome */
	if (req->err_extra) { /* the native answer's extras (an sso user's login_url) are not Weavr's */
		json_decref(req->err_extra);
		req->err_extra = NULL;
	}
	if (e == TF_ERR_INVALID_CREDENTIALS || e == TF_ERR_SSO_LOGIN_REQUIRED || e == TF_ERR_INVALID_FIELD) {
		req->err_field[0] = '\0';
		if ((e = STORE(req->db)->counter_get(req->db, lock_key, req->now, WEAVR_LOCK_WINDOW_MS, &attempts)) !=
		    TF_OK)
			return e;
		if (attempts.count >= WEAVR_LOCK_FAILURES)
			return TF_ERR_LOGIN_LOCKED;
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
	if ((e = STORE(req->db)->counter_get(req->db, lock_key, req->now, WEAVR_LOCK_WINDOW_MS, &attempts)) != TF_OK ||
	    (e = STORE(req->db)->counter_give_back(req->db, lock_key, attempts.window_start)) != TF_OK)
		return e;
	char token[TF_TOKEN_MAX];
	if ((e = api_session_issue(req, &u, WEAVR_TOKEN_IDLE_MS, "login.succeeded", token, NULL)) != TF_OK)
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
	enum tf_err e = req_call(req, api_sessions_logout, json_object(), NULL, NULL);
	return e != TF_OK ? e : weavr_no_content(req);
}
