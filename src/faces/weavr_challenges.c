/*
 * weavr_challenges.c: Weavr Multi's SCA on transactions (seed-apis.md 3.4): a payment created
 * with the native POST /v1/transactions in PENDING_CHALLENGE is a Weavr "send";
 * POST /multi/challenges/otp/SMS {resourceType: "sends", resourceIds: [id]} sends a code bound to
 * it (dynamic linking, as the native transaction challenge) and answers {scaChallengeId};
 * POST /multi/challenges/{scaChallengeId}/otp/SMS/verify {verificationCode, resourceType}
 * approves it (204); POST /multi/challenges/push/{channel} does the same by push. One resource
 * per challenge: a batch (several ids) is refused with 409 STATE_INVALID. Approving a payment
 * never steps the token up (seed 002).
 */
#include <string.h>

#include "faces/weavr.h"
#include "sca/challenges.h"

static enum tf_err read_resources(struct tf_req *req, char id[TF_ID_MAX])
{
	static const char *const known[] = {"resourceType", "resourceIds", NULL};
	const char *type;
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "resourceType", true, &type)) != TF_OK)
		return e;
	if (strcmp(type, "sends") != 0) {
		req->err_extra = json_pack("{s:s}", "fieldError", "NOT_IN");
		return req_field_error(req, TF_ERR_INVALID_FIELD, "resourceType");
	}
	json_t *ids = json_object_get(req->json, "resourceIds");
	if (!ids || json_is_null(ids))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "resourceIds");
	if (!json_is_array(ids) || json_array_size(ids) == 0 || !json_is_string(json_array_get(ids, 0))) {
		req->err_extra = json_pack("{s:s}", "fieldError", "SIZE");
		return req_field_error(req, TF_ERR_INVALID_FIELD, "resourceIds");
	}
	if (json_array_size(ids) > 1)
		return weavr_code_error(req, "STATE_INVALID");
	if (!weavr_id_in(json_string_value(json_array_get(ids, 0)), "txn", id))
		return TF_ERR_NOT_FOUND;
	return TF_OK;
}

static enum tf_err issue(struct tf_req *req, const char *channel)
{
	char id[TF_ID_MAX];
	enum tf_err e = read_resources(req, id);
	if (e != TF_OK)
		return e;
	char challenge_id[TF_ID_MAX];
	e = weavr_issue(req, channel, id, challenge_id);
	return e != TF_OK ? e : weavr_answer_challenge_id(req, challenge_id, "scaChallengeId");
}

enum tf_err weavr_challenges_otp(struct tf_req *req)
{
	enum tf_err e = weavr_check_channel(req, req->params[0], "SMS", NULL);
	return e != TF_OK ? e : issue(req, "SMS");
}

enum tf_err weavr_challenges_push(struct tf_req *req)
{
	enum tf_err e = weavr_check_channel(req, req->params[0], "AUTHY", "BIOMETRIC");
	return e != TF_OK ? e : issue(req, req->params[0]);
}

enum tf_err weavr_challenges_otp_verify(struct tf_req *req)
{
	/* params: [0] the challenge id, [1] the channel */
	const char *code;
	enum tf_err e;
	if ((e = weavr_check_channel(req, req->params[1], "SMS", NULL)) != TF_OK || (e = weavr_read_code(req, &code)) != TF_OK)
		return e;
	const char *type = json_string_value(json_object_get(req->json, "resourceType"));
	if (type && strcmp(type, "sends") != 0) {
		req->err_extra = json_pack("{s:s}", "fieldError", "NOT_IN");
		return req_field_error(req, TF_ERR_INVALID_FIELD, "resourceType");
	}
	struct challenge_row ch;
	char challenge_id[TF_ID_MAX];
	if (!weavr_id_in(req->params[0], "chl", challenge_id))
		return TF_ERR_NOT_FOUND;
	struct sca_ctx ctx = req_sca(req);
	e = sca_challenge_get(&ctx, req->session.user_id, challenge_id, &ch);
	if (e == TF_OK && (ch.purpose != PURPOSE_TRANSACTION || strcmp(ch.session_id, req->session.session_id) != 0))
		e = TF_ERR_NOT_FOUND;
	return e != TF_OK ? e : weavr_attempt(req, &ch, code, false);
}
