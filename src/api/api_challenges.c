/*
 * api_challenges.c: challenges of a user's factors on the native API (SPEC section 4, seeds 002
 * and 003). POST /v1/challenges starts one, /resend sends anew, /verify answers one: this file
 * reads the request, calls the domain (sca/challenges.h: issue, resend rules, send caps and the
 * attempt) and answers, with the Retry-After of a refused send or of too many wrong codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "core/numeric_id.h"
#include "core/session.h"
#include "http/webauthn_json.h"
#include "sca/challenges.h"
#include "sca/evidence.h"
#include "sca/factors.h"

json_t *api_challenge_json(const struct challenge_row *ch, const struct factor_row *f)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "challenge_id", ch->challenge_id, "factor_id",
			      ch->factor_id, "factor_type", factor_type_names[f->type], "purpose",
			      purpose_names[ch->purpose], "status", challenge_status_names[ch->status],
			      "attempts_remaining", ch->max_attempts - ch->attempts);
	resp_set_time(o, "expires_at", ch->expires_at);
	if (ch->last_sent_at)
		resp_set_time(o, "resend_after", ch->last_sent_at + RESEND_SPACING_MS);
	else
		json_object_set_new(o, "resend_after", json_null());
	if (ch->has_transaction)
		json_object_set_new(o, "transaction", api_transaction_json(&ch->tx, ch->tx_hash));
	return o;
}

static enum tf_err parse_purpose(struct tf_req *req, enum challenge_purpose *out)
{
	const char *purpose = NULL;
	enum tf_err e = req_string(req, "purpose", true, &purpose);
	if (e != TF_OK)
		return e;
	if (!strcmp(purpose, "login"))
		*out = PURPOSE_LOGIN;
	else if (!strcmp(purpose, "stepup"))
		*out = PURPOSE_STEPUP;
	else if (!strcmp(purpose, "enrolment"))
		*out = PURPOSE_ENROLMENT;
	else if (!strcmp(purpose, "transaction"))
		*out = PURPOSE_TRANSACTION;
	else
		return req_field_error(req, TF_ERR_INVALID_FIELD, "purpose");
	return TF_OK;
}

enum tf_err api_challenges_create(struct tf_req *req)
{
	static const char *const known[] = {"purpose", "factor_id", "transaction", "transaction_id", NULL};
	struct sca_challenge_request rq = {.purpose = PURPOSE_LOGIN};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = parse_purpose(req, &rq.purpose)) != TF_OK ||
	    (e = req_string(req, "factor_id", rq.purpose == PURPOSE_ENROLMENT, &rq.factor_id)) != TF_OK)
		return e;
	/* a transaction challenge carries exactly one transaction; no other purpose carries one */
	json_t *txj = json_object_get(req->json, "transaction");
	if ((e = req_string(req, "transaction_id", false, &rq.transaction_id)) != TF_OK)
		return e;
	struct api_transaction tx;
	bool has_txj = txj && !json_is_null(txj);
	if (rq.purpose == PURPOSE_TRANSACTION && !has_txj && !rq.transaction_id)
		return req_field_error(req, TF_ERR_MISSING_FIELD, "transaction");
	if ((rq.purpose != PURPOSE_TRANSACTION || rq.transaction_id) && has_txj)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "transaction");
	if (rq.purpose != PURPOSE_TRANSACTION && rq.transaction_id)
		return req_field_error(req, TF_ERR_INVALID_FIELD, "transaction_id");
	if (rq.purpose == PURPOSE_TRANSACTION && has_txj) {
		if ((e = api_transaction_read(req, txj, "transaction", &tx)) != TF_OK)
			return e;
		rq.tx = &tx.tx;
		rq.tx_hash = tx.hash;
	}
	struct factor_row f;
	struct challenge_row ch;
	if ((e = req_challenge_create(req, &rq, &ch, &f)) != TF_OK)
		return e;
	json_t *answer = api_challenge_json(&ch, &f);
	if (factor_kind_of(f.type)->answer == FACTOR_ANSWER_CREDENTIAL) { /* what the passkey signs */
		struct rp_settings s;
		rp_settings_read(req->app, &s);
		json_object_set_new(answer, "webauthn",
				    json_pack("{s:o}", "publicKey", webauthn_request_options_json(&s, ch.webauthn_challenge, &f)));
		if (ch.has_transaction && s.spc)
			json_object_set_new(answer, "spc", spc_request_json(&s, &ch, &f));
		rp_settings_clear(&s);
	}
	if (rq.transaction_id)
		json_object_set_new(answer, "transaction_id", json_string(rq.transaction_id));
	resp_json(req, 201, answer);
	return TF_OK;
}

enum tf_err api_challenges_resend(struct tf_req *req)
{
	enum tf_err e = req_no_fields(req);
	if (e != TF_OK)
		return e;
	struct challenge_row ch;
	struct factor_row f;
	if ((e = req_challenge_resend(req, req->params[0], &ch, &f)) != TF_OK)
		return e;
	resp_json(req, 200, api_challenge_json(&ch, &f));
	return TF_OK;
}

json_t *api_attempt_device_json(const struct sca_attempt_result *res)
{
	if (!res->has_device)
		return NULL;
	json_t *device = api_device_json(&res->device);
	json_object_set_new(device, "cookie", json_string(res->device_cookie));
	return device;
}

enum tf_err api_challenge_attempt(struct tf_req *req, const char *challenge_id, const char *code, bool enrolment_only,
				  bool trust_device, enum device_domain domain, const char *presented_tx_hash,
				  const struct push_answer *push, const struct webauthn_response *credential)
{
	struct sca_attempt_request rq = {.challenge_id = challenge_id, .code = code, .push = push,
					 .enrolment_only = enrolment_only, .trust_device = trust_device, .domain = domain,
					 .presented_tx_hash = presented_tx_hash, .credential = credential};
	struct sca_attempt_result res;
	enum tf_err e = req_challenge_attempt(req, &rq, &res);
	if (e == TF_ERR_VERIFICATION_CODE_INVALID || e == TF_ERR_TOTP_REPLAYED)
		req->err_extra = json_pack("{s:i}", "attempts_remaining", res.attempts_remaining);
	if (e == TF_ERR_CREDENTIAL_INVALID)
		req->err_extra = json_pack("{s:s, s:i}", "reason", res.reason, "attempts_remaining", res.attempts_remaining);
	if (e != TF_OK || req->rerun_slow)
		return e;
	const struct challenge_row *ch = &res.ch;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "status", "verified", "challenge_id", ch->challenge_id,
			      "factor_id", res.f.factor_id, "purpose", purpose_names[ch->purpose]);
	if (res.steps_up)
		resp_set_time(o, "stepped_up_until", res.stepped_up_until);
	else
		json_object_set_new(o, "stepped_up_until", json_null());
	if (ch->purpose == PURPOSE_ENROLMENT)
		json_object_set_new(o, "factor", api_factor_json(&res.f));
	if (res.has_authorization) {
		json_t *a = json_pack("{s:s, s:s}", "authorization_id", res.authorization.authorization_id,
				      "transaction_hash", res.authorization.transaction_hash);
		resp_set_time(a, "expires_at", res.authorization.expires_at);
		json_object_set_new(o, "authorization", a);
	}
	json_t *device = api_attempt_device_json(&res);
	if (device)
		json_object_set_new(o, "device", device);
	resp_json(req, 200, o);
	return TF_OK;
}

enum tf_err api_challenges_verify(struct tf_req *req)
{
	static const char *const known[] = {"code", "trust_device", "transaction", "approve", "signature", "credential",
					    NULL};
	const char *code = NULL;
	bool trust_device = false;
	struct push_answer push;
	bool is_push = false, has_credential = false;
	struct credential_json cred = {0};
	enum tf_err e;
	if ((e = req_reject_unknown(req, known)) != TF_OK || (e = api_push_answer_read(req, &push, &is_push)) != TF_OK ||
	    (e = req_credential_read(req, false, &cred, &has_credential)) != TF_OK ||
	    (e = req_string(req, "code", !is_push && !has_credential, &code)) != TF_OK ||
	    (e = req_bool(req, "trust_device", &trust_device)) != TF_OK) {
		credential_json_free(&cred);
		return e;
	}
	if ((is_push || has_credential) && code) {
		credential_json_free(&cred);
		return req_field_error(req, TF_ERR_INVALID_FIELD, "code");
	}
	/* the platform may present the transaction it shows the payer: the code must match it */
	json_t *txj = json_object_get(req->json, "transaction");
	struct api_transaction tx;
	if (txj && !json_is_null(txj) && (e = api_transaction_read(req, txj, "transaction", &tx)) != TF_OK) {
		credential_json_free(&cred);
		return e;
	}
	/* a challenge id may come as its number (the Weavr face shows ids so: core/numeric_id.h) */
	char challenge_id[TF_ID_MAX];
	if (req->params[0][0] >= '0' && req->params[0][0] <= '9') {
		if (!numeric_id_to_id(req->params[0], "chl", challenge_id, sizeof challenge_id)) {
			credential_json_free(&cred);
			return TF_ERR_NOT_FOUND;
		}
	} else {
		snprintf(challenge_id, sizeof challenge_id, "%.*s", (int)sizeof challenge_id - 1, req->params[0]);
	}
	e = api_challenge_attempt(req, challenge_id, code, false, trust_device, DOMAIN_API,
				  txj && !json_is_null(txj) ? tx.hash : NULL, is_push ? &push : NULL,
				  has_credential ? &cred.r : NULL);
	credential_json_free(&cred);
	return e;
}

enum tf_err api_push_answer_read(struct tf_req *req, struct push_answer *out, bool *present)
{
	json_t *approve = json_object_get(req->json, "approve"), *sig = json_object_get(req->json, "signature");
	*present = (approve && !json_is_null(approve)) || (sig && !json_is_null(sig));
	if (!*present)
		return TF_OK;
	if (!approve || json_is_null(approve))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "approve");
	if (!json_is_boolean(approve))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "approve");
	if (!sig || json_is_null(sig))
		return req_field_error(req, TF_ERR_MISSING_FIELD, "signature");
	if (!json_is_string(sig) || !crypto_base64_decode_exact(json_string_value(sig), out->signature, sizeof out->signature))
		return req_field_error(req, TF_ERR_INVALID_FIELD, "signature");
	out->approve = json_is_true(approve);
	return TF_OK;
}

enum tf_err api_challenges_evidence(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct evidence_row *x = malloc(sizeof *x);
	enum tf_err e = x ? sca_evidence_get(&ctx, req->params[0], x) : TF_ERR_INTERNAL;
	if (e == TF_OK) {
		char key[sodium_base64_ENCODED_LEN(STORE_CREDENTIAL_KEY_MAX, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
		sodium_bin2base64(key, sizeof key, x->public_key, x->public_key_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		json_t *elements = x->user_verified ? json_pack("[s, s]", "possession", "inherence_or_knowledge")
						    : json_pack("[s]", "possession");
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:{s:s, s:s, s:i}, s:{s:s, s:s, s:s}, s:o, s:b, s:b}",
				      "challenge_id", x->challenge_id, "user_id", x->user_id, "factor_id", x->factor_id,
				      "purpose", purpose_names[x->purpose], "transaction_hash",
				      x->transaction_hash[0] ? x->transaction_hash : NULL, "credential", "id", x->credential_id,
				      "public_key", key, "alg", x->alg, "assertion", "authenticatorData",
				      x->authenticator_data, "clientDataJSON", x->client_data, "signature", x->signature,
				      "elements", elements, "user_verified", x->user_verified, "spc", x->spc);
		if (!x->transaction_hash[0])
			json_object_set_new(o, "transaction_hash", json_null());
		resp_set_time(o, "verified_at", x->created_at);
		resp_json(req, 200, o);
	}
	free(x);
	return e;
}
