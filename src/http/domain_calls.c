/* domain_calls.c: the domain's challenge calls as every adapter makes them (/v1, the faces,
 * the hosted pages): a send's outcome written onto the answer, and an attempt's slow step on
 * the slow pool (http.h). */
#include <stdio.h>

#include "http/http.h"
#include "sca/challenges.h"

enum tf_err req_send_answer(struct tf_req *req, const struct sca_send_outcome *out, enum tf_err e)
{
	if (out->queued)
		req->wake_outbox = true;
	if (out->refused_factor_id[0]) {
		char actor[64];
		snprintf(actor, sizeof actor, "user:%s", req->session.user_id);
		req_audit_detached(req, "send.refused", actor, out->refused_factor_id, out->refused_details);
	}
	if (e == TF_ERR_SEND_LIMIT_REACHED && out->retry_after)
		req_retry_after(req, out->retry_after);
	return e;
}

enum tf_err req_challenge_issue(struct tf_req *req, const struct factor_row *f, enum challenge_purpose purpose,
				const struct transaction *tx, const char *tx_hash, struct challenge_row *ch)
{
	struct sca_ctx ctx;
	struct sca_send_policy policy;
	struct sca_send_outcome out = {0};
	req_sca_ctx(req, &ctx);
	sca_send_policy_read(req->app, &policy);
	enum tf_err e = sca_challenge_issue(&ctx, &req->session, &policy, f, purpose, tx, tx_hash, ch, &out);
	return req_send_answer(req, &out, e);
}

enum tf_err req_challenge_attempt(struct tf_req *req, const struct sca_attempt_request *rq,
				  struct sca_attempt_result *res)
{
	struct sca_ctx ctx;
	req_sca_ctx(req, &ctx);
	struct factor_found found = {.idx = -1};
	bool searched = false;
	enum tf_err e;
	/* a kind that checks with Argon2id (backup codes) steps out once, on the slow pool, to find
	 * what matches, then attempts again */
	for (;;) {
		e = sca_challenge_attempt(&ctx, &req->session, rq, searched ? &found : NULL, res);
		if (e != TF_OK || !res->needs_search)
			break;
		if (!req->slow_ok) {
			req->rerun_slow = true;
			return TF_OK;
		}
		if ((e = sca_challenge_search(&ctx, &res->f, rq->code, &found)) != TF_OK)
			return e;
		searched = true;
	}
	if (e == TF_ERR_RATE_LIMITED && res->retry_after)
		req_retry_after(req, res->retry_after);
	if (e == TF_ERR_INVALID_FIELD && res->bad_field)
		return req_field_error(req, e, res->bad_field);
	return e;
}
