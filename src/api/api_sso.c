/*
 * api_sso.c: POST /v1/sso/tokens (SPEC section 7, seed 001). The application asks for a
 * one-time token for one of its users; it signs the token into an entry URL with its client
 * secret (core/sso_signer.c) and sends the user's browser to GET /sso (hosted/page_sso.c).
 * The token is 256 random bits in lower-case hex (the signer lower-cases every value before
 * signing, so a token must survive that unchanged); only its MAC is stored.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"

enum tf_err api_sso_tokens_create(struct tf_req *req)
{
	static const char *const known[] = {"user_id", NULL};
	const char *user_id;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "user_id", true, &user_id)) != TF_OK)
		return e;
	struct user_row u;
	if ((e = api_load_user(req, user_id, &u)) != TF_OK)
		return e;
	uint8_t raw[32];
	char token[4 + 2 * sizeof raw + 1] = "tfo_";
	crypto_random_bytes(raw, sizeof raw);
	sodium_bin2hex(token + 4, sizeof token - 4, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
	struct sso_token_row t = {.created_at = req->now, .expires_at = req->now + req->svc->cfg.sso_token_lifetime * 1000};
	crypto_secret_mac(req->svc->keys, "sso_token", token, t.token_mac);
	snprintf(t.app_id, sizeof t.app_id, "%s", req->app->app_id);
	snprintf(t.user_id, sizeof t.user_id, "%s", u.user_id);
	if ((e = STORE(req->db)->tx_begin(req->db)) != TF_OK)
		goto out;
	e = STORE(req->db)->sso_token_insert(req->db, &t);
	if (e == TF_OK) {
		char actor[64];
		snprintf(actor, sizeof actor, "app:%s", req->app->app_id);
		e = req_audit(req, "sso.token_issued", actor, u.user_id, NULL);
	}
	if ((e = store_tx_end(req->db, e)) != TF_OK)
		goto out;
	json_t *o = json_pack("{s:s, s:s}", "token", token, "user_id", u.user_id);
	resp_set_time(o, "expires_at", t.expires_at);
	resp_json(req, 201, o);
out:
	sodium_memzero(token, sizeof token);
	return e;
}
