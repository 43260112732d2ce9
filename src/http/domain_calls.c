/* domain_calls.c: the domain's factor and challenge calls as every adapter makes them (/v1,
 * the faces, the hosted pages): an enrolment's input checked and its faults named, the
 * application's send policy applied, a send's outcome written onto the answer, and an
 * attempt's slow step on the slow pool (http.h). */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "sca/challenges.h"
#include "sca/factors.h"

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
	struct sca_ctx ctx = req_sca(req);
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

enum tf_err req_challenge_create(struct tf_req *req, const struct sca_challenge_request *rq, struct challenge_row *ch,
				 struct factor_row *f)
{
	struct sca_ctx ctx;
	struct sca_send_policy policy;
	struct sca_send_outcome out = {0};
	req_sca_ctx(req, &ctx);
	sca_send_policy_read(req->app, &policy);
	enum tf_err e = sca_challenge_create(&ctx, &req->session, &policy, rq, ch, f, &out);
	return req_send_answer(req, &out, e);
}

enum tf_err req_challenge_resend(struct tf_req *req, const char *challenge_id, struct challenge_row *ch,
				 struct factor_row *f)
{
	struct sca_ctx ctx;
	struct sca_send_policy policy;
	struct sca_send_outcome out = {0};
	req_sca_ctx(req, &ctx);
	sca_send_policy_read(req->app, &policy);
	enum tf_err e = sca_challenge_resend(&ctx, &req->session, &policy, challenge_id, ch, f, &out);
	return req_send_answer(req, &out, e);
}

/* The enrolment fields as the native API names them (the faces rename or replace them). */
static const char *field_name(enum factor_field field)
{
	switch (field) {
	case FACTOR_FIELD_PHONE:
		return "phone";
	case FACTOR_FIELD_CHANNEL:
		return "channel";
	case FACTOR_FIELD_PUBLIC_KEY:
		return "public_key";
	case FACTOR_FIELD_PUSH_ADDRESS:
		return "push_address";
	case FACTOR_FIELD_EMAIL:
		return "email";
	case FACTOR_FIELD_NONE:
		break;
	}
	return "type";
}

enum tf_err req_factor_enrol(struct tf_req *req, const struct factor_kind *kind, const struct factor_input *in,
			     bool trusted, struct factor_enrolment *en, struct sca_enrolment_result *out)
{
	memset(out, 0, sizeof *out);
	const struct {
		enum factor_field field;
		const char *value;
	} required[] = {
		{FACTOR_FIELD_PHONE, in->phone},
		{FACTOR_FIELD_CHANNEL, in->channel},
		{FACTOR_FIELD_PUBLIC_KEY, in->public_key},
		{FACTOR_FIELD_PUSH_ADDRESS, in->push_address},
	};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if ((kind->fields & required[i].field) && !required[i].value)
			return req_field_error(req, TF_ERR_MISSING_FIELD, field_name(required[i].field));
	enum factor_field bad = factor_input_check(kind, in);
	if (bad != FACTOR_FIELD_NONE)
		return req_field_error(req, TF_ERR_INVALID_FIELD, field_name(bad));
	struct sca_ctx ctx = req_sca(req);
	ctx.stepped_up = ctx.stepped_up || trusted;
	struct sca_send_policy policy;
	sca_send_policy_read(req->app, &policy);
	enum tf_err e = sca_factor_enrol(&ctx, &req->session, &policy, kind, in, en, out);
	return req_send_answer(req, &out->send, e);
}
