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

enum tf_err weavr_stepup_otp(struct tf_req *req)
{
	enum tf_err e = weavr_check_channel(req, req->params[0], "SMS", NULL);
	if (e == TF_OK)
		e = weavr_issue(req, "SMS", NULL, NULL);
	return e != TF_OK ? e : weavr_no_content(req);
}

enum tf_err weavr_stepup_otp_verify(struct tf_req *req)
{
	return weavr_verify_sms(req, false);
}

enum tf_err weavr_stepup_push(struct tf_req *req)
{
	char challenge_id[TF_ID_MAX];
	enum tf_err e = weavr_check_channel(req, req->params[0], "AUTHY", "BIOMETRIC");
	if (e == TF_OK)
		e = weavr_issue(req, req->params[0], NULL, challenge_id);
	return e != TF_OK ? e : weavr_answer_challenge_id(req, challenge_id, "id");
}
