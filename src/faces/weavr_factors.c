/*
 * weavr_factors.c: Weavr Multi's authentication factors (seed-apis.md 3.2):
 * GET /multi/authentication_factors ({factors: [{type, channel, status}]}, the key absent when
 * there are none); POST /multi/authentication_factors/otp/SMS enrols the user's mobile number
 * (again before verifying: the code is sent again) and /verify {verificationCode} activates it
 * (204); POST /multi/authentication_factors/push/AUTHY enrols a push device;
 * DELETE /multi/authentication_factors/push/{AUTHY|BIOMETRIC} removes it. Statuses:
 * PENDING_VERIFICATION, ACTIVE, INACTIVE (a push enrolment the device denied).
 *
 * Weavr's Authy enrolment takes no body because Authy holds the device's key; twofold checks the
 * device's own Ed25519 signatures, so the body carries them: {publicKey, pushAddress} (base64
 * of 32 bytes; where the provider reaches the device). Without them: 409 CHANNEL_NOT_READY.
 */
#include <stdlib.h>
#include <string.h>

#include "core/challenge.h"
#include "faces/weavr.h"
#include "sca/factors.h"
#include "sca/challenges.h"
#include "sca/users.h"

static const char *status_of(const struct sca_ctx *ctx, const struct factor_row *f)
{
	if (f->status == FACTOR_ACTIVE)
		return "ACTIVE";
	struct challenge_row ch;
	/* only a device's answer can deny its enrolment */
	if (factor_kind_of(f->type)->answer == FACTOR_ANSWER_DEVICE && f->enrolment_challenge_id[0] &&
	    sca_challenge_get(ctx, f->user_id, f->enrolment_challenge_id, &ch) == TF_OK &&
	    ch.status == CH_DENIED)
		return "INACTIVE";
	return "PENDING_VERIFICATION";
}

enum tf_err weavr_factors_list(struct tf_req *req)
{
	struct factor_row list[FACTORS_PER_USER_MAX];
	size_t n;
	enum tf_err e = weavr_user_factors(req, list, &n);
	if (e != TF_OK)
		return e;
	struct sca_ctx ctx = req_sca(req);
	json_t *factors = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *type, *channel;
		if (weavr_factor_names(&list[i], &type, &channel)) /* Weavr has no voice, authenticator-app or backup-code factors */
			json_array_append_new(factors, json_pack("{s:s, s:s, s:s}", "type", type, "channel", channel, "status",
								 status_of(&ctx, &list[i])));
	}
	json_t *o = json_object();
	if (json_array_size(factors))
		json_object_set_new(o, "factors", factors);
	else
		json_decref(factors);
	resp_json(req, 200, o);
	return TF_OK;
}

/* Enrols a factor of kind type with input in (faces_factor_enrol); nothing of it is shown. */
static enum tf_err enrol(struct tf_req *req, enum factor_type type, const struct factor_input *in)
{
	struct factor_enrolment *en = calloc(1, sizeof *en);
	if (!en)
		return TF_ERR_INTERNAL;
	struct sca_enrolment_result out;
	enum tf_err e = req_factor_enrol(req, factor_kind_of(type), in, false, en, &out);
	factor_enrolment_wipe(en);
	free(en);
	return e;
}

enum tf_err weavr_factors_otp_enrol(struct tf_req *req)
{
	struct sca_ctx ctx = req_sca(req);
	struct user_row u;
	enum tf_err e;
	if ((e = weavr_check_channel(req, req->params[0], "SMS", NULL)) != TF_OK ||
	    (e = sca_user_load(&ctx, req->session.user_id, &u)) != TF_OK)
		return e;
	if (!u.mobile[0])
		return weavr_code_error(req, "MOBILE_NUMBER_NOT_AVAILABLE");
	struct factor_row f;
	e = weavr_find_factor(req, "SMS", &f);
	if (e == TF_OK && f.status == FACTOR_ACTIVE)
		return weavr_code_error(req, "CHANNEL_ALREADY_REGISTERED");
	if (e == TF_OK) { /* enrolling again before verifying sends the code again */
		struct challenge_row ch;
		struct factor_row chf;
		e = req_challenge_resend(req, f.enrolment_challenge_id, &ch, &chf);
	} else if (e == TF_ERR_NOT_FOUND) {
		e = enrol(req, FACTOR_SMS, &(struct factor_input){.phone = u.mobile});
	}
	if (e == TF_ERR_RETRY_IN_15SEC)
		return weavr_code_error(req, "RETRY_IN_15SEC");
	if (e == TF_ERR_INVALID_FIELD || e == TF_ERR_MISSING_FIELD) {
		req->err_field[0] = '\0';
		return weavr_code_error(req, "MOBILE_NUMBER_INVALID");
	}
	return e != TF_OK ? e : weavr_no_content(req);
}

enum tf_err weavr_factors_otp_verify(struct tf_req *req)
{
	return weavr_verify_sms(req, true);
}

enum tf_err weavr_factors_push_enrol(struct tf_req *req)
{
	static const char *const known[] = {"publicKey", "pushAddress", NULL};
	const char *key = NULL, *address = NULL;
	enum tf_err e;
	if ((e = weavr_check_channel(req, req->params[0], "AUTHY", NULL)) != TF_OK || /* the enrolment: AUTHY only */
	    (e = req_reject_unknown(req, known)) != TF_OK || (e = req_string(req, "publicKey", false, &key)) != TF_OK ||
	    (e = req_string(req, "pushAddress", false, &address)) != TF_OK)
		return e;
	struct factor_row f;
	e = weavr_find_factor(req, "AUTHY", &f);
	if (e == TF_OK && f.status == FACTOR_ACTIVE)
		return weavr_code_error(req, "CHANNEL_ALREADY_REGISTERED");
	if (e != TF_OK && e != TF_ERR_NOT_FOUND)
		return e;
	if (!key || !address)
		return weavr_code_error(req, "CHANNEL_NOT_READY");
	struct sca_ctx ctx = req_sca(req);
	if (e == TF_OK) { /* a pending or rejected enrolment is replaced */
		struct factor_row removed;
		if ((e = sca_factor_remove(&ctx, req->session.user_id, f.factor_id, &removed)) != TF_OK)
			return e;
	}
	e = enrol(req, FACTOR_PUSH,
		  &(struct factor_input){.channel = "AUTHY", .public_key = key, .push_address = address});
	if (e == TF_ERR_INVALID_FIELD && !strcmp(req->err_field, "public_key"))
		snprintf(req->err_field, sizeof req->err_field, "publicKey");
	else if (e == TF_ERR_INVALID_FIELD && !strcmp(req->err_field, "push_address"))
		snprintf(req->err_field, sizeof req->err_field, "pushAddress");
	return e != TF_OK ? e : weavr_no_content(req);
}

enum tf_err weavr_factors_push_delete(struct tf_req *req)
{
	struct factor_row f;
	enum tf_err e = weavr_check_channel(req, req->params[0], "AUTHY", "BIOMETRIC");
	if (e != TF_OK)
		return e;
	e = weavr_find_factor(req, req->params[0], &f);
	if (e == TF_ERR_NOT_FOUND)
		return weavr_code_error(req, "CHANNEL_NOT_REGISTERED");
	if (e == TF_OK) {
		struct sca_ctx ctx;
		struct factor_row removed;
		req_sca_ctx(req, &ctx);
		e = sca_factor_remove(&ctx, req->session.user_id, f.factor_id, &removed);
	}
	return e != TF_OK ? e : weavr_no_content(req);
}
