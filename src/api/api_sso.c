/*
 * api_sso.c: POST /v1/sso/tokens (SPEC section 7, seed 001). The application asks for a
 * one-time token for one of its users; it signs the token into an entry URL with its client
 * secret (core/sso_signer.c) and sends the user's browser to GET /sso (hosted/page_sso.c).
 * The token and its rules are the domain's (sca/sso.h).
 */
#include <sodium.h>

#include "api/api.h"
#include "sca/sso.h"

enum tf_err api_sso_tokens_create(struct tf_req *req)
{
	static const char *const known[] = {"user_id", NULL};
	const char *user_id;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "user_id", true, &user_id)) != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	char token[SCA_SSO_TOKEN_MAX];
	struct sso_token_row t;
	if ((e = sca_sso_token_issue(&ctx, user_id, token, &t)) != TF_OK)
		return e;
	json_t *o = json_pack("{s:s, s:s}", "token", token, "user_id", t.user_id);
	resp_set_time(o, "expires_at", t.expires_at);
	resp_json(req, 201, o);
	sodium_memzero(token, sizeof token);
	return TF_OK;
}
