/*
 * weavr_stepup.c: Weavr Multi's step-up challenges (seed-apis.md 3.3, seed 002):
 * POST /multi/stepup/challenges/otp/SMS sends a code (204) under the observed rules: 409
 * RETRY_IN_15SEC within 15 seconds of the last successful issue, 400 for a third issue on one
 * token, the newest code only; /verify {verificationCode} steps the token up (204), with
 * VERIFICATION_CODE_INVALID, ONE_CHALLENGE_LIMIT_REMAINING, CHALLENGE_LIMIT_EXCEEDED, then
 * STATE_INVALID, VERIFICATION_CODE_EXPIRED and ALREADY_VERIFIED. POST
 * /multi/stepup/challenges/push/{AUTHY|BIOMETRIC} sends a push and answers {id}; the device's
 * answer goes to the native POST /v1/challenges/{id}/verify.
 */
#include <string.h>

#include "faces/weavr.h"
#include "sca/challenges.h"

static enum tf_err issue(struct tf_req *req, const char *channel, json_t **answer)
{
	struct factor_row f;
	enum tf_err e = weavr_find_factor(req, channel, &f);
	if (e == TF_ERR_NOT_FOUND || (e == TF_OK && f.status != FACTOR_ACTIVE))
		return weavr_code_error(req, "CHANNEL_NOT_REGISTERED");
	if (e != TF_OK)
		return e;
	e = req_call(req, api_challenges_create, json_pack("{s:s, s:s}", "purpose", "stepup", "factor_id", f.factor_id), NULL,
		     answer);
	if (e == TF_ERR_RETRY_IN_15SEC)
		return weavr_code_error(req, "RETRY_IN_15SEC");
	if (e == TF_ERR_FACTOR_BLOCKED)
		return weavr_code_error(req, "CHALLENGE_LIMIT_EXCEEDED");
	/* INVALID_REQUEST, the third issue on one token, stays a 400 */
	return e;
}

enum tf_err weavr_stepup_otp(struct tf_req *req)
{
	enum tf_err e = weavr_check_channel(req, req->params[0], "SMS", NULL);
	if (e == TF_OK)
		e = issue(req, "SMS", NULL);
	return e != TF_OK ? e : weavr_no_content(req);
}

enum tf_err weavr_stepup_otp_verify(struct tf_req *req)
{
	const char *code;
	struct factor_row f;
	enum tf_err found;
	enum tf_err e = weavr_read_sms_code(req, 0, &code, &f, &found);
	if (e != TF_OK)
		return e;
	if (found == TF_ERR_NOT_FOUND || (found == TF_OK && f.status != FACTOR_ACTIVE))
		return weavr_code_error(req, "CHANNEL_NOT_REGISTERED");
	struct challenge_row ch;
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	e = found;
	if (e == TF_OK) /* Weavr's verify names no challenge: the token's newest step-up one */
		e = sca_challenge_latest(&ctx, req->session.user_id, req->session.session_id, f.factor_id, PURPOSE_STEPUP,
					 &ch);
	if (e == TF_ERR_NOT_FOUND)
		return weavr_code_error(req, "STATE_INVALID");
	return e != TF_OK ? e : weavr_attempt(req, &ch, code, false);
}

enum tf_err weavr_stepup_push(struct tf_req *req)
{
	json_t *answer = NULL;
	enum tf_err e = weavr_check_channel(req, req->params[0], "AUTHY", "BIOMETRIC");
	if (e == TF_OK)
		e = issue(req, req->params[0], &answer);
	if (e != TF_OK)
		return e;
	char id[NUMERIC_ID_MAX];
	weavr_id_out(json_string_value(json_object_get(answer, "challenge_id")), id);
	resp_json(req, 200, json_pack("{s:s}", "id", id));
	json_decref(answer);
	return TF_OK;
}
